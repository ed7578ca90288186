// MLX (mlx-lm) specification tests: expected values are worked out by hand and compared with the estimate
// through the public JSON API only.
//
// The behaviour specified (ml-explore/mlx-lm, ml-explore/mlx):
// - mlx_lm/generate.py: generation runs under wired_limit(), which calls
//   mx.set_wired_limit(mx.metal.device_info()["max_recommended_working_set_size"]): the GPU's share of unified
//   memory is Metal's recommended working set, which the catalog records per Mac as gpu_share_default
//   (2/3 of RAM up to 32 GB, 3/4 above, as llama.cpp logs print it).
// - mlx_lm/models/cache.py, KVCache: step = 256; the buffers grow by whole steps, so a sequence of n tokens
//   holds ceil(n / 256) x 256 positions of K and V per layer in the model dtype.
// - mlx_lm/models/cache.py, RotatingKVCache (sliding-window layers, e.g. gemma3_text make_cache with
//   max_size = sliding_window): "The largest size is self.max_size + S - 1" for a multi-token update of S tokens.
// - mlx_lm/generate.py, generate_step: the prompt is prefilled in chunks of prefill_step_size = 2048 tokens.
// - mlx/python/mlx/nn/layers/quantized.py and mlx_lm convert (q_group_size 64): a quantized Linear or Embedding
//   keeps its weight packed into uint32 (bits / 8 bytes per value) plus a scale and a bias per group of 64
//   values in the model dtype (2 bytes each); norms stay unquantized.
// Estimator conventions also pinned: the prefill activation is tokens x (3 x hidden + 3 x intermediate) x 2 B
// over one 2,048-token step plus an fp32 logit row per sequence, and "tight" below 5% headroom.
//
// Llama-3.1-8B: 8,030,261,248 parameters, of which 266,240 are norm weights (32 x 2 x 4,096 + 4,096) and the
// other 8,029,995,008 sit in matrices whose rows are multiples of 64; 131,072 B of K and V per token in bf16.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "helpers.hpp"

using namespace testing;

namespace {

// bits/8 bytes per value + (scale + bias) x 2 B per group of 64, norms in bf16.
i64 mlx_quantized(i64 matrix_params, i64 norm_params, int bits) { return matrix_params * bits / 8 + matrix_params / 64 * 2 * 2 + norm_params * 2; }

i64 round_up_256(i64 n) { return (n + 255) / 256 * 256; }

std::string mlx(const std::string& gpu, const std::string& extra) { return R"({"model":"llama-3.1-8b","runtime":"mlx","gpu":")" + gpu + "\"" + extra + "}"; }

}  // namespace

TEST_CASE("MLX budget: Metal's recommended working set, the catalog's GPU share of unified memory") {
    // M4 Max 64 GB: 65,536 MiB, gpu_share_default 0.75 -> 48 GiB = 51,539,607,552 B.
    const json big = estimate(mlx("m4-max-64gb", R"(,"context":8192)"));
    CHECK(big.at("devices").at(0).at("capacity_bytes").get<i64>() == i64{64} * GiB);
    CHECK(big.at("devices").at(0).at("budget_bytes").get<i64>() == i64{48} * GiB);
    // M1 16 GB: 16,384 MiB, gpu_share_default 0.6667 -> floor(17,179,869,184 x 0.6667) = 11,453,818,784 B
    // (Metal prints 10,922.67 MiB, 2/3 of the RAM; the catalog's four-digit share is 0.5 MiB above).
    const json small = estimate(mlx("m1-16gb", R"(,"context":8192)"));
    const i64 budget = static_cast<i64>(std::floor(static_cast<double>(i64{16} * GiB) * 0.6667));
    CHECK(budget == 11453818784);
    CHECK(small.at("devices").at(0).at("capacity_bytes").get<i64>() == i64{16} * GiB);
    CHECK(small.at("devices").at(0).at("budget_bytes").get<i64>() == budget);
    CHECK(small.at("devices").size() == 1);
}

TEST_CASE("MLX weights: 4-bit and 8-bit conversions pack each value and add a bf16 scale and bias per 64") {
    // mlx-4bit: 8,029,995,008 / 2 + 8,029,995,008 / 64 x 4 + 266,240 x 2 = 4,517,404,672 B (mlx-community's
    // Meta-Llama-3.1-8B-Instruct-4bit safetensors are 4.52 GB).
    const json q4 = estimate(mlx("m4-max-64gb", R"(,"context":8192,"weights":"mlx-4bit")"));
    CHECK(component(q4, "weights") == mlx_quantized(kLlama8bMatrixParams, kLlama8bNormParams, 4));
    CHECK(component(q4, "weights") == 4517404672);
    // Without "weights" the runtime's usual download is the 4-bit conversion.
    CHECK(component(estimate(mlx("m4-max-64gb", R"(,"context":8192)")), "weights") == 4517404672);
    const json q8 = estimate(mlx("m4-max-64gb", R"(,"context":8192,"weights":"mlx-8bit")"));
    CHECK(component(q8, "weights") == mlx_quantized(kLlama8bMatrixParams, kLlama8bNormParams, 8));  // 8,532,402,176 B
    const json bf16 = estimate(mlx("m4-max-64gb", R"(,"context":8192,"weights":"bf16")"));
    CHECK(component(bf16, "weights") == 2 * kLlama8bParams);
    // Llama-3.2-1B (tied embedding stored once): 1,235,814,400 parameters, 16 x 2 x 2,048 + 2,048 = 67,584 in norms.
    const json small = estimate(R"({"model":"llama-3.2-1b","runtime":"mlx","gpu":"m1-16gb","context":4096,"weights":"mlx-4bit"})");
    CHECK(component(small, "weights") == mlx_quantized(1235814400 - 67584, 67584, 4));  // 695,242,752 B
    // GGUF files are not MLX's.
    CHECK(error_of("estimate", mlx("m1-16gb", R"(,"weights":"gguf:Q4_K_M")")).at("field") == "weights");
}

TEST_CASE("MLX KVCache grows in steps of 256 tokens") {
    for (const i64 context : {1000, 1024, 1025, 8192}) {
        CAPTURE(context);
        const json r = estimate(mlx("m4-max-64gb", R"(,"context":)" + std::to_string(context) + R"(,"concurrency":2)"));
        // 1,000 and 1,024 -> 1,024 positions; 1,025 -> 1,280; 8,192 -> 8,192; per sequence, 2 sequences.
        CHECK(component(r, "kv_cache") == round_up_256(context) * 2 * kLlama8bKvPerToken);
        CHECK(r.at("kv_cache").at("capacity_tokens").get<i64>() == round_up_256(context) * 2);
        CHECK(r.at("kv_cache").at("max_concurrency").get<double>() == 2.0);
        CHECK(r.at("kv_cache").at("bytes_per_token").get<i64>() == kLlama8bKvPerToken);
    }
    CHECK(round_up_256(1025) == 1280);
    CHECK(component(estimate(mlx("m4-max-64gb", R"(,"context":1025)")), "kv_cache") == 167772160);
}

TEST_CASE("MLX prefill activation covers one 2,048-token step, not the whole prompt") {
    // 1,000-token prompt: one step of 1,000 tokens; 8,192 and 32,768: steps of 2,048.
    const auto step = [](const std::string& extra) { return item(estimate(mlx("m4-max-64gb", extra)), "prefill activations"); };
    CHECK(step(R"(,"context":1000)") == 1000 * kLlama8bActPerToken + kLlama8bLogitsPerSeq);
    CHECK(step(R"(,"context":8192)") == 2048 * kLlama8bActPerToken + kLlama8bLogitsPerSeq);
    CHECK(step(R"(,"context":32768)") == 227005440);
    // Two sequences prefill side by side: twice the step's tokens and two logit rows.
    CHECK(step(R"(,"context":8192,"concurrency":2)") == 2 * 2048 * kLlama8bActPerToken + 2 * kLlama8bLogitsPerSeq);
}

TEST_CASE("MLX prefills only the prompt: max_tokens generated after it leave the step at the prompt's length") {
    // 96 prompt tokens and 4,000 generated (mlx_lm.generate --max-tokens 4000): one 96-token prefill step, and the
    // cache of all 4,096 tokens.
    const json split = estimate(mlx("m4-max-64gb", R"(,"context":4096,"engine":{"max_tokens":4000})"));
    CHECK(item(split, "prefill activations") == 96 * kLlama8bActPerToken + kLlama8bLogitsPerSeq);
    CHECK(item(split, "KV cache") == item(estimate(mlx("m4-max-64gb", R"(,"context":4096)")), "KV cache"));
    // Without it the whole context is the prompt: a 2,048-token step.
    CHECK(item(estimate(mlx("m4-max-64gb", R"(,"context":4096)")), "prefill activations") == 2048 * kLlama8bActPerToken + kLlama8bLogitsPerSeq);
}

TEST_CASE("MLX verdict on an M1 16 GB: Llama-3.1-8B 4-bit fits up to a whole number of 256-token steps") {
    // Budget 11,453,818,784 B (Metal's working set on a 16 GB Mac) - weights 4,517,404,672 - the prefill step
    // (227,005,440 B) - the intermediates command buffers in flight hold: what is left holds K and V in steps of
    // 256 x 131,072 = 33,554,432 B. Without the in-flight term that would be 199.96 steps: 50,944 tokens.
    const i64 budget = 11453818784;
    const i64 step_bytes = 256 * kLlama8bKvPerToken;
    CHECK((budget - 4517404672 - (2048 * kLlama8bActPerToken + kLlama8bLogitsPerSeq)) / step_bytes * 256 == 50944);
    // The current release: the largest context the estimate reports leaves less than one step of room, and one
    // token more needs another step that does not fit.
    const i64 max_context = estimate(mlx("m1-16gb", R"(,"context":4096)")).at("limits").at("max_context").get<i64>();
    CHECK(max_context % 256 == 0);
    CHECK(max_context < 50944);
    const json at = estimate(mlx("m1-16gb", R"(,"context":)" + std::to_string(max_context)));
    CHECK(at.at("fits") == true);
    const i64 held = item(at, "inputs held by command buffers in flight");
    CHECK(held > 0);
    const i64 room = budget - 4517404672 - (2048 * kLlama8bActPerToken + kLlama8bLogitsPerSeq) - held;
    CHECK(component(at, "kv_cache") == max_context / 256 * step_bytes);
    CHECK(at.at("devices").at(0).at("headroom_bytes").get<i64>() == room - component(at, "kv_cache"));
    CHECK(at.at("devices").at(0).at("headroom_bytes").get<i64>() < step_bytes);
    CHECK(estimate(mlx("m1-16gb", R"(,"context":)" + std::to_string(max_context + 1))).at("fits") == false);
    // Every context in the same step costs the same K and V.
    CHECK(component(estimate(mlx("m1-16gb", R"(,"context":)" + std::to_string(max_context - 255))), "kv_cache") == component(at, "kv_cache"));
}

TEST_CASE("MLX sliding-window layers: a RotatingKVCache of the window, larger while a prefill chunk is in") {
    // Gemma-3-4B: 34 layers, every sixth global (5, 11, 17, 23, 29), the other 29 with sliding_window 1,024;
    // 4 KV heads of 256: 4 x 256 x 2 x 2 B = 4,096 B per token per layer. Only the 5 global layers grow.
    const i64 per_layer = 4 * 256 * 2 * 2;
    const json short_ctx = estimate(R"({"model":"gemma-3-4b","runtime":"mlx","gpu":"m4-max-64gb","context":1000,"weights":"bf16"})");
    CHECK(short_ctx.at("kv_cache").at("bytes_per_token").get<i64>() == 5 * per_layer);
    // 1,000 tokens: the global KVCache holds one 256-step rounding (1,024); the rotating cache takes the 999-token
    // prefill chunk as is and grows by min(256, 1,024 - 999) = 25 for the last prompt token: 1,024 as well.
    CHECK(component(short_ctx, "kv_cache") == 34 * 1024 * per_layer);
    // 8,192 tokens: global layers 8,192 positions. A sliding layer keeps max_size - 1 = 1,023 tokens and appends
    // each 2,048-token chunk, so at the end of the prefill (chunks 2,048, 2,048, 2,048, 2,047, then 1) it holds
    // 1,023 + 2,047 = 3,070 tokens, next to the full 8,192 of the global layers; decoding trims it back to 1,024.
    const json long_ctx = estimate(R"({"model":"gemma-3-4b","runtime":"mlx","gpu":"m4-max-64gb","context":8192,"weights":"bf16"})");
    const i64 peak = (5 * i64{8192} + 29 * i64{3070}) * per_layer;    // 532,439,040 B
    const i64 steady = (5 * i64{8192} + 29 * i64{1024}) * per_layer;  // 289,406,976 B
    CHECK(component(long_ctx, "kv_cache") >= steady);
    // The estimate holds the window only (steady decode state); the prefill peak is recorded here.
    WARN(component(long_ctx, "kv_cache") == peak);
}

// mlx/backend/metal/scaled_dot_product_attention.cpp (use_fallback): the fused prompt kernel takes head sizes 64, 80
// and 128 with queries and values of one width; mlx/fast.cpp's fallback otherwise builds the scores
// [heads, step tokens, keys] in the model dtype and the causal mask [step tokens, keys] as bool, one layer at a time.
TEST_CASE("MLX attention with head size 256 holds a prefill step's scores over the whole context") {
    auto mlx27b = [](i64 context, i64 step) {
        return estimate(R"({"model":"qwen3.6-27b","weights":"mlx-4bit","runtime":"mlx","gpu":"m5-max-128gb","context":)" + std::to_string(context) +
                        R"(,"engine":{"prefill_step_size":)" + std::to_string(step) + "}}");
    };
    // Qwen3.6-27B: 24 query heads of 256 in its full-attention layers (config.json num_attention_heads, head_dim).
    auto scores = [](i64 step, i64 keys) { return 24 * step * keys * 2 + step * keys; };
    CHECK(item(mlx27b(131072, 2048), "unfused attention scores") == scores(2048, 131072));
    CHECK(item(mlx27b(131072, 256), "unfused attention scores") == scores(256, 131072));
    // A prompt shorter than the step is one step of its own length.
    CHECK(item(mlx27b(1000, 2048), "unfused attention scores") == scores(1000, 1000));
    // Head size 128 (Llama-3.1-8B) takes the fused kernel: no scores are held.
    CHECK(item(estimate(mlx("m4-max-64gb", R"(,"context":32768)")), "unfused attention scores") == 0);

    // Published: mlx-lm 0.31.3 on an M5 Max 128 GB at a 128K-token prompt, peak memory 39.78 / 32.26 / 28.54 /
    // 26.52 GB at prefill steps of 2048 / 1024 / 512 / 256 (tests/data/mlx-peak-memory.json, a 27B model of the
    // family with the same attention). The scores are what changes with the step, so the estimate's slope follows
    // the published one: 25 B per head-and-key pair over 24 heads plus the mask, 6.42 MB per step token, against
    // the 7.3 MB measured (within 15%), and each whole peak within 5%.
    const json data = json::parse(read_text(FITMYGPU_SOURCE_DIR "/tests/data/mlx-peak-memory.json"));
    json rows = json::array();
    for (const json& row : data.at("rows"))
        if (row.at("request").at("model") == "qwen3.6-27b") rows.push_back(row);
    REQUIRE(rows.size() == 4);
    for (const json& row : rows) {
        const i64 step = row.at("request").at("engine").at("prefill_step_size").get<i64>();
        const double peak = static_cast<double>(mlx27b(131072, step).at("devices").at(0).at("required_bytes").get<i64>()) / 1e9;
        CAPTURE(step);
        CHECK(std::fabs(peak - row.at("peak_gb").get<double>()) / row.at("peak_gb").get<double>() < 0.05);
    }
    const double measured_slope = (39.78 - 26.52) * 1e9 / (2048 - 256);
    const double slope = static_cast<double>(scores(2048, 131072) - scores(256, 131072)) / (2048 - 256);
    CHECK(slope == doctest::Approx(6.42e6).epsilon(0.001));
    CHECK(std::fabs(slope - measured_slope) / measured_slope < 0.15);
}

TEST_CASE("mlx-lm before 0.27.0 computes the logits of the prompt's whole last chunk (ml-explore/mlx-lm#406)") {
    // Until #406 generate_step ran the last chunk through the output projection at every position: with a 2,048-token
    // step that is up to 2,048 rows of 128,256 logits in the model's dtype, where later releases keep one fp32 row.
    // The activation peak of Llama-3.1-8B's 2,048-token step (kLlama8bActPerToken per token) is unchanged.
    const auto act = [](const std::string& version) {
        return item(estimate(mlx("m4-max-64gb", R"(,"context":8192,"engine":{"version":")" + version + "\"}")), "prefill activations");
    };
    CHECK(act("0.27.0") == 2048 * kLlama8bActPerToken + kLlama8bLogitsPerSeq);
    CHECK(act("0.26.4") == 2048 * kLlama8bActPerToken + i64{2048} * 128256 * 2);
    CHECK(act("0.31.3") == act("0.27.0"));
}

TEST_CASE("mlx-lm before the causal mask (ml-explore/mlx-lm#40) computes every prompt step's attention scores (M-5)") {
    // mlx-lm up to 0.22.1 passed prompts an additive mask array, which mlx's fused prompt kernel did not take before
    // mlx 0.24.0: each layer holds the scores [32 heads, step, keys] and the mask [step, keys], both 16-bit. M-5:
    // Llama-3.1-8B, 512-token steps, 33,080 tokens of context.
    const auto run = [](const std::string& version) {
        return estimate(mlx("m2-ultra-192gb", R"(,"weights":"mlx-4bit","context":33080,"engine":{"prefill_step_size":512,"version":")" + version + "\"}"));
    };
    const json old = run("0.19.0"), causal = run("0.22.2");
    CHECK(item(old, "unfused attention scores") == (i64{32} * 512 * 33080 + i64{512} * 33080) * 2);
    CHECK(item(causal, "unfused attention scores") == 0);
    // The published peak: "11.496 GB", which mlx-lm before 0.20.0 computed as get_peak_memory() / 2**30 (GiB). What mlx of
    // the time kept for command buffers still running (10 kernels a buffer, each holding its inputs until the GPU
    // completed it) is not modelled: the estimate stays below the published peak, by less than a fifth.
    const double published = 11.496 * 1024 * 1024 * 1024, got = static_cast<double>(old.at("devices").at(0).at("total_bytes").get<i64>());
    CHECK(got < published);
    CHECK((published - got) / published < 0.2);
}

TEST_CASE("MLX command buffers in flight keep their kernels' inputs (ml-explore/mlx#1864, #1869; mlx-lm 0.24.1 on)") {
    // mlx commits a Metal command buffer after max_ops_per_buffer kernels or max_mb_per_buffer MiB of distinct
    // inputs (50 and 50 on Max and Ultra GPUs, 40 and 40 on base and Pro ones), each buffer holds its kernels'
    // inputs until the GPU completes it, and the CPU encodes ahead until more than 10 buffers are in flight.
    const std::string req = R"({"model":"qwen3-4b-instruct-2507","weights":"mlx-4bit","runtime":"mlx","context":2176,"gpu":")";
    const auto run = [&](const std::string& gpu, const std::string& version) {
        return estimate(req + gpu + R"(","engine":{"prefill_step_size":2048,"version":")" + version + "\"}}");
    };
    // Not before the release that needs mlx 0.25 (whose command buffers follow both rules).
    CHECK(item(run("m4-max-64gb", "0.24.0"), "inputs held by command buffers in flight") == 0);
    const json max = run("m4-max-64gb", "0.31.3"), pro = run("m3-pro-18gb", "0.31.3");
    const auto note = [](const json& r) {
        for (const json& b : r.at("breakdown"))
            if (b.at("label") == "inputs held by command buffers in flight") return b.at("note").get<std::string>();
        return std::string();
    };
    CHECK(note(max).find("50 kernels or 50 MiB") != std::string::npos);
    CHECK(note(pro).find("40 kernels or 40 MiB") != std::string::npos);
    CHECK(note(max).find("up to 11 run at once") != std::string::npos);
    // A 16-token prompt's kernels read kilobytes of activations each (a buffer then closes on its weights): a
    // small fraction of what 2,048-token steps hold.
    const json tiny = estimate(R"({"model":"qwen3-4b-instruct-2507","weights":"mlx-4bit","runtime":"mlx","gpu":"m4-max-64gb","context":16})");
    CHECK(item(tiny, "inputs held by command buffers in flight") * 10 < item(max, "inputs held by command buffers in flight"));

    // Published: mlx_lm.benchmark -p 2048 -g 128 with dense 3B-4B models (mlx-lm 0.26-0.31, M-8..M-12 in
    // tests/data/mlx-peak-memory.json) peak 0.48-0.60 GB above their weights, K and V and one prefill step.
    // The term accounts for at least half of that and never for more than all of it, and each whole peak
    // comes within 6 %.
    const json data = json::parse(read_text(FITMYGPU_SOURCE_DIR "/tests/data/mlx-peak-memory.json"));
    int checked_rows = 0;
    for (const json& row : data.at("rows")) {
        const std::string id = row.at("id").get<std::string>();
        if (id != "M-8" && id != "M-9" && id != "M-10" && id != "M-11" && id != "M-12") continue;
        CAPTURE(id);
        const json r = estimate(row.at("request").dump());
        const double peak = row.at("peak_gb").get<double>() * 1e9;
        const double held = static_cast<double>(item(r, "inputs held by command buffers in flight"));
        const double without = static_cast<double>(r.at("devices").at(0).at("required_bytes").get<i64>()) - held;
        CHECK(peak - without > 0.45e9);
        CHECK(held >= 0.5 * (peak - without));
        CHECK(held <= peak - without);
        CHECK(std::fabs(without + held - peak) / peak < 0.06);
        ++checked_rows;
    }
    CHECK(checked_rows == 5);
}

TEST_CASE("MLX recurrent layers hold their cache-state inputs to the step's end (M-7); mlx-lm loads no vision encoder") {
    // granite-4.0-h-small: 36 Mamba-2 layers of d_inner 2 x 4,096 = 8,192 (128 heads x 64), one group of d_state 128, so
    // 8,192 + 2 x 128 = 8,448 convolution channels and a 4-wide kernel. A 2,048-token step holds, per layer, until every
    // layer has run: the padded convolution input (2,048 + 3) x 8,448 x 2 B = 34,653,696 B, the convolution output
    // 2,048 x 8,448 x 2 B = 34,603,008 B, dt x x 2,048 x 8,192 x 2 B = 33,554,432 B and the last 256-token chunk's decay
    // 128 x 256 x 256 x 2 B = 16,777,216 B: 119,588,352 B, x 36 = 4,305,180,672 B.
    const json r = estimate(R"({"model":"granite-4.0-h-small","weights":"mlx-4bit","runtime":"mlx","gpu":"m2-ultra-192gb","context":2050,
        "engine":{"prefill_step_size":2048,"version":"0.28.3"}})");
    CHECK(item(r, "recurrent state inputs held to the step's end") ==
          36 * (i64{2051} * 8448 * 2 + i64{2048} * 8448 * 2 + i64{2048} * 8192 * 2 + i64{128} * 256 * 256 * 2));
    // Published (mlx_lm.benchmark -p 2048 on an M2 Ultra, tests/data/mlx-peak-memory.json M-7): 23.501 GB, within 2 %.
    CHECK(std::fabs(static_cast<double>(r.at("devices").at(0).at("required_bytes").get<i64>()) / 1e9 - 23.501) / 23.501 < 0.02);
    // Before mlx-lm 0.28.3 (ml-explore/mlx-lm#525) the SSM took the whole step at once: its decay is 128 x 2,048^2 x 2 B.
    const json old = estimate(R"({"model":"granite-4.0-h-small","weights":"mlx-4bit","runtime":"mlx","gpu":"m2-ultra-192gb","context":2050,
        "engine":{"prefill_step_size":2048,"version":"0.28.2"}})");
    CHECK(item(old, "recurrent state inputs held to the step's end") - item(r, "recurrent state inputs held to the step's end") ==
          36 * (i64{128} * 2048 * 2048 * 2 - i64{128} * 256 * 256 * 2));
    // Qwen3.6-27B ships a vision tower; mlx-lm's sanitize() drops it, so the weights are the language model's alone, the
    // same as text-only serving elsewhere.
    const json mlx = estimate(R"({"model":"qwen3.6-27b","weights":"mlx-4bit","runtime":"mlx","gpu":"m4-max-64gb","context":8192})");
    const json text =
        estimate(R"({"model":"qwen3.6-27b","weights":"mlx-4bit","runtime":"mlx","gpu":"m4-max-64gb","context":8192,"engine":{"language_model_only":true}})");
    CHECK(component(mlx, "weights") == component(text, "weights"));
    CHECK(any_contains(mlx.at("assumptions"), "mlx-lm drops the vision/audio encoder"));
}

TEST_CASE("mlx-lm's DeepSeek-V3 cache: every head's K and V before 0.30.6, the latent after with its prompt-step expansion (M-31, M-34)") {
    // 61 layers, 128 heads; nope 128 + rope 64 = 192-wide K and 128-wide V per head, or the 512 + 64 latent.
    const auto run = [](const char* version) {
        return estimate(std::string(R"({"model":"deepseek-v3","weights":"mlx-4bit","runtime":"mlx","gpu":"m3-ultra-512gb","context":5120,
            "engine":{"prefill_step_size":2048,"version":")") +
                        version + R"("}})");
    };
    const json pre = run("0.30.5"), post = run("0.30.6");
    CHECK(pre.at("kv_cache").at("bytes_per_token").get<i64>() == i64{61} * 128 * (192 + 128) * 2);  // 4,997,120 B
    CHECK(post.at("kv_cache").at("bytes_per_token").get<i64>() == i64{61} * (512 + 64) * 2);        // 70,272 B
    CHECK(item(pre, "KV cache") == i64{61} * 128 * (192 + 128) * 2 * 5120);
    // From 0.30.6 one prompt step of 2,048 tokens against 5,120 keys: two bf16 score arrays of 128 x 2,048 x 5,120 and
    // K and V expanded to 128 x 5,120 x (512 + 128) x 2 B = 128 x 5,120 x 9,472 = 6,207,569,920 B.
    CHECK(item(post, "MLA prompt attention") == i64{128} * 5120 * (2 * 2048 * 2 + (512 + 128) * 2));
    CHECK(item(pre, "MLA prompt attention") == 0);
    // mlx_lm.benchmark printed 401.668 GB (pre) and 383.213 GB (post) for a 4,096-token prompt and 1,024 generated.
    CHECK(std::fabs(static_cast<double>(pre.at("devices").at(0).at("required_bytes").get<i64>()) / 1e9 / 401.668 - 1.0) < 0.02);
    CHECK(std::fabs(static_cast<double>(post.at("devices").at(0).at("required_bytes").get<i64>()) / 1e9 / 383.213 - 1.0) < 0.02);
}
