// SGLang specification tests: expected values are worked out by hand from config.json and SGLang's own
// allocation rule, and compared with the estimate through the public JSON API only.
//
// The rule (sgl-project/sglang, python/sglang/srt/model_executor/model_runner.py, profile_max_num_token;
// model_runner_kv_cache_mixin.py in newer trees):
//   rest_memory   = available_gpu_memory (after loading the weights) - total_gpu_memory * (1 - mem_fraction_static)
//   cell_size     = get_num_kv_heads(tp) * head_dim * num_layers * 2 (K, V) * element_size(kv_cache_dtype)
//   max_num_token = rest_memory // cell_size            (page_size 1: one token per page)
// With available = total - weights this is: KV pool = mem_fraction_static * total - weights.
// docs/advanced_features/hyperparameter_tuning.md: mem_fraction_static covers the model weights and the KV
// cache pool; activations and CUDA graph buffers live in the remaining (1 - mem_fraction_static).
//
// Model used throughout: Llama-3.1-8B (catalog config.json): 32 layers, hidden 4096, 32 query heads, 8 KV
// heads of 128, intermediate 14,336, vocab 128,256, untied lm_head. Its safetensors hold 8,030,261,248
// parameters: embeddings and lm_head 128,256 x 4,096 = 525,336,576 each, per layer q/o 4,096^2, k/v
// 4,096 x 1,024, gate/up/down 3 x 4,096 x 14,336, two norms of 4,096 = 218,112,000, and a final norm of 4,096:
// 2 x 525,336,576 + 32 x 218,112,000 + 4,096 = 8,030,261,248.
//
// The custom device {"memory_mib": N} is taken as exactly N MiB of engine-visible memory (README, "The JSON
// API"), which keeps the arithmetic free of driver reserves. SGLang's total_gpu_memory is the free memory it
// measures before loading the weights, after its CUDA context and distributed initialisation: the estimate takes
// 443 MiB for that on a card without NVLink (a published TP-4 run on RTX 4090s: the 24,077 MiB CUDA total less
// the 23.08 GiB free before loading, tests/data/serving-startup-logs.json row S-1), so the static budget is
// mem_fraction_static x (N MiB - 443 MiB).
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "helpers.hpp"

using namespace testing;

namespace {

constexpr i64 kGiB24 = i64{24} * 1024 * 1024 * 1024;  // {"memory_mib": 24576}
constexpr i64 kBeforeLoad = i64{443} * 1024 * 1024;   // in use before loading (CUDA context), see above
constexpr i64 kFree24 = kGiB24 - kBeforeLoad;         // 25,305,284,608 B free before loading

std::string sglang(const std::string& extra) {
    return R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"sglang","device":{"memory_mib":24576})" + extra + "}";
}

// floor(fraction x total), the static budget of one rank.
i64 static_budget(double fraction, i64 total) { return static_cast<i64>(std::floor(fraction * static_cast<double>(total))); }

// The response reports max_concurrency floored to two decimals.

}  // namespace

TEST_CASE("SGLang cell size: layers x KV heads x head_dim x 2 (K, V) x bytes of kv_cache_dtype") {
    // model_runner.py: cell_size = num_kv_heads * head_dim * num_layers * 2 * element_size(kv_cache_dtype);
    // kv_cache_dtype "auto" is the model dtype (bfloat16 for Llama-3.1-8B).
    CHECK(kLlama8bKvPerToken == 131072);
    const json bf16 = estimate(sglang(R"(,"context":8192)"));
    CHECK(bf16.at("kv_cache").at("bytes_per_token").get<i64>() == 32 * 8 * 128 * 2 * 2);
    const json fp16 = estimate(sglang(R"(,"context":8192,"kv_cache_dtype":"fp16")"));
    CHECK(fp16.at("kv_cache").at("bytes_per_token").get<i64>() == 32 * 8 * 128 * 2 * 2);
    // server_args.py: --kv-cache-dtype fp8_e5m2 / fp8_e4m3 store one byte per value.
    const json fp8 = estimate(sglang(R"(,"context":8192,"kv_cache_dtype":"fp8")"));
    CHECK(fp8.at("kv_cache").at("bytes_per_token").get<i64>() == 32 * 8 * 128 * 2 * 1);
    // GGUF block types are llama.cpp caches; SGLang's --kv-cache-dtype has no q8_0.
    CHECK(error_of("estimate", sglang(R"(,"kv_cache_dtype":"q8_0")")).at("field") == "kv_cache_dtype");
}

TEST_CASE("SGLang sizes its token pool with every hidden layer, Llama 3.2 Vision's cross-attention layers included (S-23, S-24)") {
    // model_runner.py sizes and builds the pool with model_config.num_hidden_layers, the text config's 40 for
    // Llama-3.2-11B-Vision: its 32 self-attention and 8 cross-attention layers, 8 KV heads of 128 each, bf16:
    // 40 x 8 x 128 x 2 x 2 B = 163,840 B a token, not the 131,072 of the self-attention layers alone.
    const std::string base = R"({"model":"llama-3.2-11b-vision","weights":"bf16","runtime":"sglang","context":131072,"engine":{"version":"0.3.4.post2"},)";
    const json a6000 = estimate(base + R"("gpu":"rtx-a6000"})");
    CHECK(a6000.at("kv_cache").at("bytes_per_token").get<i64>() == 40 * 8 * 128 * 2 * 2);
    // The pool in tokens is the KV pool over that cell size. Published (sglang's docs notebooks, 0.3.4.post2):
    // 127,149 tokens on a 48 GB card with 47.27 GiB free and 289,349 on an 80 GB one: within 1 %.
    const i64 pool = item(a6000, "KV cache pool (token pool)");
    CHECK(a6000.at("kv_cache").at("capacity_tokens").get<i64>() == pool / 163840);
    CHECK(std::abs(static_cast<double>(a6000.at("kv_cache").at("capacity_tokens").get<i64>()) / 127149.0 - 1.0) < 0.01);
    const json h100 = estimate(base + R"("gpu":"h100-sxm-80gb","gpu_memory_in_use_mib":1964})");
    CHECK(std::abs(static_cast<double>(h100.at("kv_cache").at("capacity_tokens").get<i64>()) / 289349.0 - 1.0) < 0.01);
}

TEST_CASE("SGLang static pool: mem_fraction_static x free memory - weights, divided into one-token pages") {
    const i64 total = kGiB24;  // 25,769,803,776 B
    for (const double mfs : {0.88, 0.80}) {
        CAPTURE(mfs);
        const json r = estimate(sglang(R"(,"context":8192,"engine":{"mem_fraction_static":)" + std::to_string(mfs) + "}"));
        const i64 budget = static_budget(mfs, kFree24);
        // Weights: every tensor of the BF16 checkpoint, 2 bytes per parameter, and the rotary cos/sin table, which SGLang
        // keeps in fp32 on CUDA and in the model's dtype elsewhere; this custom card names no vendor: 131,072 positions x
        // 128 x 2 B = 33,554,432 B.
        const i64 rope = i64{131072} * 128 * 2;
        const i64 pool = budget - kLlama8bBf16 - rope;
        CHECK(item(r, "weights") == 16060522496);
        CHECK(item(r, "rotary embedding table") == rope);
        CHECK(component(r, "weights") == 16060522496 + rope);
        CHECK(r.at("devices").at(0).at("budget_bytes").get<i64>() == budget);
        CHECK(r.at("devices").at(0).at("capacity_bytes").get<i64>() == total);
        CHECK(component(r, "kv_cache") == pool);
        CHECK(r.at("kv_cache").at("capacity_tokens").get<i64>() == pool / kLlama8bKvPerToken);
        // Requests of 8,192 tokens that the pool holds at once.
        CHECK(r.at("kv_cache").at("max_concurrency").get<double>() == two_decimals(static_cast<double>(pool) / static_cast<double>(kLlama8bKvPerToken * 8192)));
    }
    // The numbers for 0.88: floor(0.88 x 25,305,284,608) = 22,268,650,455; minus 16,060,522,496 and 33,554,432 =
    // 6,174,573,527 B, i.e. 47,108 tokens of 131,072 B; 5.75 requests of 8,192 tokens.
    const json r = estimate(sglang(R"(,"context":8192,"engine":{"mem_fraction_static":0.88})"));
    CHECK(component(r, "kv_cache") == 6174573527);
    CHECK(r.at("kv_cache").at("capacity_tokens") == 47108);
    CHECK(r.at("kv_cache").at("max_concurrency").get<double>() == doctest::Approx(5.75));
    // On an NVIDIA card (an RTX 4090) the table is fp32: 64 MiB.
    CHECK(item(estimate(R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"sglang","gpu":"rtx-4090"})"), "rotary embedding table") ==
          i64{131072} * 128 * 4);
    // The request's own KV: 8,192 tokens x 131,072 B; the static budget must hold the weights and that (what was
    // in use before loading sits outside it, as activations and CUDA graphs do).
    CHECK(r.at("kv_cache").at("required_bytes").get<i64>() == 8192 * kLlama8bKvPerToken);
    CHECK(r.at("devices").at(0).at("required_bytes").get<i64>() == kLlama8bBf16 + i64{131072} * 128 * 2 + 8192 * kLlama8bKvPerToken);
}

TEST_CASE("SGLang FP8 KV: the same pool holds twice the tokens") {
    const json r = estimate(sglang(R"(,"context":8192,"kv_cache_dtype":"fp8","engine":{"mem_fraction_static":0.88})"));
    const i64 pool = static_budget(0.88, kFree24) - kLlama8bBf16 - i64{131072} * 128 * 2;  // the rotary table beside the weights
    CHECK(component(r, "kv_cache") == pool);
    CHECK(r.at("kv_cache").at("capacity_tokens").get<i64>() == pool / (kLlama8bKvPerToken / 2));  // 94,216
    CHECK(r.at("kv_cache").at("capacity_tokens") == 94216);
}

TEST_CASE("SGLang tensor parallel 2: weights and KV heads split per rank, norms replicated") {
    // Column/row-parallel linears and the vocab-parallel embedding and lm_head (128,256 rows, already a
    // multiple of 64 x 2) are halved; RMSNorm weights (32 x 2 x 4,096 + 4,096 = 266,240) stay whole on each rank.
    const i64 rank_params = (kLlama8bParams - kLlama8bNormParams) / 2 + kLlama8bNormParams;
    const i64 rank_tensors = 2 * rank_params;
    CHECK(rank_tensors == 8030527488);
    // As loaded, PyTorch's caching allocator gives each parameter of 10 MiB or more a segment rounded up to 2 MiB
    // (c10/cuda/CUDACachingAllocator.cpp, kRoundLarge). Per rank the fused qkv (3,072 x 4,096 x 2 B = 24 MiB), o
    // (16 MiB), gate_up (112 MiB) and down (56 MiB) are whole multiples of 2 MiB; the embedding and the lm_head,
    // 64,128 x 4,096 x 2 B = 501 MiB each, take 502: 2 MiB more per rank.
    // Each rank also keeps the whole rotary cos/sin table: 131,072 x 128 x 2 B (a custom card: the model's dtype).
    const i64 rank_weights = rank_tensors + 2 * MiB + i64{131072} * 128 * 2;
    // get_num_kv_heads(2) = 8 / 2 = 4 heads per rank: 32 x 4 x 128 x 2 x 2 = 65,536 B per token per rank.
    const i64 rank_kv = 32 * 4 * 128 * 2 * 2;
    const json r = estimate(R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"sglang","device":{"memory_mib":24576},"gpu_count":2,
                                "context":8192,"engine":{"mem_fraction_static":0.88}})");
    REQUIRE(r.at("devices").size() == 2);
    const i64 pool = static_budget(0.88, kFree24) - rank_weights;  // 14,202,471,383 B per rank
    for (int d = 0; d < 2; ++d) {
        CAPTURE(d);
        CHECK(component(r, "weights", d) == rank_weights);
        CHECK(component(r, "kv_cache", d) == pool);
        CHECK(r.at("devices").at(d).at("required_bytes").get<i64>() == rank_weights + 8192 * rank_kv);
    }
    // Tokens: every rank holds its 4 heads of every token, so the pool of one rank sets the count.
    CHECK(r.at("kv_cache").at("capacity_tokens").get<i64>() == pool / rank_kv);  // 216,712
    CHECK(r.at("kv_cache").at("capacity_tokens") == 216712);
    CHECK(r.at("kv_cache").at("max_concurrency").get<double>() == two_decimals(static_cast<double>(pool) / static_cast<double>(rank_kv * 8192)));
    // Whole-model figures: 131,072 B per token over both ranks; one request of 8,192 tokens is 1 GiB in total.
    CHECK(r.at("kv_cache").at("bytes_per_token").get<i64>() == kLlama8bKvPerToken);
    CHECK(r.at("kv_cache").at("required_bytes").get<i64>() == 2 * 8192 * rank_kv);
}

TEST_CASE("SGLang verdict: one request fits up to the pool's token count and not one token more") {
    // Pool for mem_fraction_static 0.88 on 24 GiB, less the weights and the rotary table (131,072 x 128 x 2 B):
    // 6,174,573,527 B = 47,108 whole tokens (6,174,539,776 B).
    const i64 pool = static_budget(0.88, kFree24) - kLlama8bBf16 - i64{131072} * 128 * 2;
    const i64 tokens = pool / kLlama8bKvPerToken;
    REQUIRE(tokens == 47108);
    const json at = estimate(sglang(R"(,"context":47108,"engine":{"mem_fraction_static":0.88})"));
    CHECK(at.at("fits") == true);
    // The estimator calls a fit "tight" when the pool holds fewer than 1.25 x the requested concurrency.
    CHECK(at.at("verdict") == "tight");
    const json over = estimate(sglang(R"(,"context":47109,"engine":{"mem_fraction_static":0.88})"));
    CHECK(over.at("fits") == false);
    CHECK(over.at("verdict") == "does_not_fit");
    CHECK(over.at("kv_cache").at("max_concurrency").get<double>() < 1.0);
    // The solver reaches the same boundary (Llama-3.1-8B allows 131,072 positions, more than the pool).
    CHECK(at.at("limits").at("max_context") == 47108);
    // At 8,192 tokens: 6,174,573,527 / (8,192 x 131,072) = 5.75 requests, so 5 at once; 5.75 >= 1.25 x 1 is a plain fit.
    const json small = estimate(sglang(R"(,"context":8192,"engine":{"mem_fraction_static":0.88})"));
    CHECK(small.at("verdict") == "fits");
    CHECK(small.at("limits").at("max_concurrency") == 5);
    CHECK(estimate(sglang(R"(,"context":8192,"concurrency":5,"engine":{"mem_fraction_static":0.88})")).at("fits") == true);
    CHECK(estimate(sglang(R"(,"context":8192,"concurrency":6,"engine":{"mem_fraction_static":0.88})")).at("fits") == false);
}

TEST_CASE("SGLang activations and CUDA graphs sit outside the static pool and do not shrink it") {
    // Estimator's reserve for a chunked prefill of C tokens: C x (3 x hidden + 3 x intermediate / TP) x 2 B
    // = C x (12,288 + 43,008) x 2 = C x 110,592 B.
    // CUDA graphs (the current release on a 24 GiB card at TP 1: cuda_graph_max_bs 24, sizes 1, 2, 4, 8, 12, 16, 24;
    // FlashInfer on compute capability 8.9; one wrapper, no sliding window):
    //   driver memory 7 x 1.5 MiB = 11,010,048
    //   FlashInfer state: kv_indices 24 x 8,192 x 4 + custom mask 24 x 8,192 = 983,040; 7 decode wrappers x 10 MiB =
    //     73,400,320; its own 32 MiB = 33,554,432
    //   one logits buffer: 24 x 128,256 x 4 = 12,312,576, in 2 MiB segments 12,582,912
    //   the largest graph's temporaries: bf16 logits 24 x 128,256 x 2 (6 MiB), MLP 24 x 43,008 x 2 (2 MiB), 20 MiB
    //     = 29,360,128
    //   = 160,890,880 B.
    const i64 graphs = 11010048 + 983040 + 73400320 + 33554432 + 12582912 + 29360128;
    CHECK(graphs == 160890880);
    const json c8k = estimate(sglang(R"(,"context":8192,"engine":{"mem_fraction_static":0.88,"chunked_prefill_size":8192})"));
    const json c4k = estimate(sglang(R"(,"context":8192,"engine":{"mem_fraction_static":0.88,"chunked_prefill_size":4096})"));
    const json eager = estimate(sglang(R"(,"context":8192,"engine":{"mem_fraction_static":0.88,"disable_cuda_graph":true})"));
    CHECK(component(c8k, "activations") == i64{8192} * 110592);  // 905,969,664
    CHECK(component(c4k, "activations") == i64{4096} * 110592);  // 452,984,832
    // The request-to-token table (model_runner.py init_memory_pool: max_num_reqs + 1 rows of context_len + 4 int32)
    // is allocated after the pool was sized. The pool holds 47,108 tokens (the static-pool test), so
    // max_num_reqs = min(max(int(47,108 / 8,192 x 512), 2048), 4096) = min(max(2,944, 2,048), 4,096) = 2,944 and the
    // table is 2,945 x 8,196 x 4 = 96,548,880 B.
    const i64 req_table = i64{2945} * 8196 * 4;
    CHECK(req_table == 96548880);
    CHECK(component(c8k, "overhead") == graphs + kBeforeLoad + req_table);
    CHECK(component(eager, "overhead") == kBeforeLoad + req_table);
    const i64 pool = static_budget(0.88, kFree24) - kLlama8bBf16 - i64{131072} * 128 * 2;
    CHECK(component(c8k, "kv_cache") == pool);
    CHECK(component(c4k, "kv_cache") == pool);
    CHECK(component(eager, "kv_cache") == pool);
    // They must fit in (1 - mem_fraction_static) x the free memory. At 0.88 that is 3,036,634,152 B, enough for
    // 905,969,664 + 160,890,880 + 96,548,880; at 0.97 it is 759,158,538 B, which is not, and the estimate says so.
    auto warns = [](const json& r) {
        for (const auto& w : r.at("warnings"))
            if (w.get<std::string>().find("outside mem_fraction_static") != std::string::npos) return true;
        return false;
    };
    CHECK_FALSE(warns(c8k));
    CHECK(warns(estimate(sglang(R"(,"context":8192,"engine":{"mem_fraction_static":0.97,"chunked_prefill_size":8192})"))));
}

TEST_CASE("SGLang pads the vocabulary to a multiple of 64 x TP and shares a tied lm_head") {
    // python/sglang/srt/layers/vocab_parallel_embedding.py: DEFAULT_VOCAB_PADDING_SIZE = 64; a tied lm_head is the
    // embedding module itself. Granite-3.3-8B: vocab 49,159 -> 49,216 rows (57 more), hidden 4,096, 40 layers of
    // 2 x 4,096^2 + 2 x 4,096 x 1,024 + 3 x 4,096 x 12,800 + 2 x 4,096 = 199,237,632, final norm 4,096:
    // 49,159 x 4,096 + 40 x 199,237,632 + 4,096 = 8,170,864,640 parameters (the published safetensors total).
    const i64 params = i64{49159} * 4096 + 40 * i64{199237632} + 4096;
    CHECK(params == 8170864640);
    const json r = estimate(R"({"model":"granite-3.3-8b","weights":"bf16","runtime":"sglang","gpu":"h100-sxm-80gb","context":8192})");
    // The tied embedding, 49,216 x 4,096 x 2 B = 384.5 MiB, takes a 386 MiB segment of the caching allocator (2 MiB
    // steps); every layer's fused parameters are whole multiples of 2 MiB (qkv 48, o 32, gate_up 200, down 100 MiB).
    // Beside them the rotary cos/sin table, fp32 on CUDA: 131,072 positions x 128 x 4 B.
    CHECK(component(r, "weights") == 2 * (params + i64{57} * 4096) + 3 * MiB / 2 + i64{131072} * 128 * 4);
    // Its cache: 40 layers x 8 KV heads x 128 x 2 x 2 B.
    CHECK(r.at("kv_cache").at("bytes_per_token").get<i64>() == 40 * 8 * 128 * 2 * 2);
}

TEST_CASE("SGLang defaults on a 24 GiB card: chunked_prefill_size 2048 and a smaller mem_fraction_static") {
    // python/sglang/srt/server_args.py, ServerArgs._handle_gpu_memory_settings (since 0.5.3, sgl-project/sglang#10975):
    // below 35 GiB chunked_prefill_size defaults to 2,048 and cuda_graph_max_bs to 24 (TP < 4; 16 before 0.5.5), and
    // mem_fraction_static is what a reserve in MiB leaves:
    //   reserved = 512 + max(chunked_prefill_size, 2048) x 1.5 + cuda_graph_max_bs x 2 + tp x pp / 8 x 1024
    //            = 512 + 3,072 + 48 + 128 = 3,760 MiB
    //   mem_fraction_static = round((24,576 - 3,760) / 24,576, 3) = round(0.84700, 3) = 0.847
    // At TP 2: 512 + 3,072 + 48 + 256 = 3,888 MiB, round(20,688 / 24,576, 3) = 0.842.
    const json r = estimate(sglang(R"(,"context":8192,"engine":{"version":"0.5.5"})"));
    // Llama-3.1-8B's forward activation per token is 110,592 B in this estimator (the chunked-prefill test above).
    CHECK(component(r, "activations") == i64{2048} * 110592);
    CHECK(r.at("devices").at(0).at("budget_bytes").get<i64>() == static_budget(0.847, kFree24));
    const json tp2 = estimate(
        R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"sglang","device":{"memory_mib":24576},"gpu_count":2,"context":8192,"engine":{"version":"0.5.5"}})");
    CHECK(tp2.at("devices").at(0).at("budget_bytes").get<i64>() == static_budget(0.842, kFree24));
    // 0.4.6 and earlier took the fraction from the TP size (0.88 at TP 1, 0.87 at TP 2) and chunked prefill
    // 2,048 below 25,000 MiB.
    const json old = estimate(sglang(R"(,"context":8192,"engine":{"version":"0.4.6.post5"})"));
    CHECK(old.at("devices").at(0).at("budget_bytes").get<i64>() == static_budget(0.88, kFree24));
    CHECK(component(old, "activations") == i64{2048} * 110592);
    const json old2 = estimate(
        R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"sglang","device":{"memory_mib":24576},"gpu_count":2,"context":8192,"engine":{"version":"0.4.6.post5"}})");
    CHECK(old2.at("devices").at(0).at("budget_bytes").get<i64>() == static_budget(0.87, kFree24));
    // 0.5.0 to 0.5.2 (server_args.py of 0.5.0rc0) reserved by the card's size: below 35 GiB (2.8 + tp x pp / 10) GiB.
    //   TP 1: 2.9 x 1,024 = 2,969.6 MiB, round((24,576 - 2,969.6) / 24,576, 3) = round(0.87917, 3) = 0.879
    //   TP 2: 3.0 x 1,024 = 3,072 MiB,   round(21,504 / 24,576, 3) = 0.875
    const json mid = estimate(sglang(R"(,"context":8192,"engine":{"version":"0.5.0rc0"})"));
    CHECK(mid.at("devices").at(0).at("budget_bytes").get<i64>() == static_budget(0.879, kFree24));
    CHECK(component(mid, "activations") == i64{2048} * 110592);
    const json mid2 = estimate(
        R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"sglang","device":{"memory_mib":24576},"gpu_count":2,"context":8192,"engine":{"version":"v0.5.2"}})");
    CHECK(mid2.at("devices").at(0).at("budget_bytes").get<i64>() == static_budget(0.875, kFree24));
    // On an 80 GB H100 (81,559 MiB) at TP 1: (9.5 + 0.5) x 1,024 = 10,240 MiB, round(71,319 / 81,559, 3) = 0.874, and
    // chunked prefill 8,192 (below 160 GiB).
    const json h100 =
        estimate(R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"sglang","gpu":"h100-sxm-80gb","context":8192,"engine":{"version":"0.5.1"}})");
    CHECK(h100.at("devices").at(0).at("budget_bytes").get<i64>() == static_budget(0.874, i64{81080} * 1024 * 1024 - kBeforeLoad));
    CHECK(component(h100, "activations") == i64{8192} * 110592);
    // Without the flag the estimate says which fraction it assumed.
    bool assumed = false;
    for (const auto& a : r.at("assumptions")) assumed = assumed || a.get<std::string>().find("mem_fraction_static = 0.847") != std::string::npos;
    CHECK(assumed);
}

TEST_CASE("SGLang defaults on an 80 GB card: a reserve of at least 10 GiB") {
    // SGLang reads the card's size from nvidia-smi: 81,559 MiB for an H100 80GB HBM3 (catalog h100-sxm-80gb). From
    // 60 to 160 GiB: chunked_prefill_size 8,192, cuda_graph_max_bs 256 at TP 1:
    //   reserved = 512 + 8,192 x 1.5 + 256 x 2 + 1 / 8 x 1024 = 512 + 12,288 + 512 + 128 = 13,440 MiB (above the 10,240 floor)
    //   mem_fraction_static = round((81,559 - 13,440) / 81,559, 3) = round(0.83521, 3) = 0.835
    // The static budget is that share of the 81,080 MiB CUDA reports (the catalog's cuda_total_mib) less the 443 MiB
    // in use before loading (one GPU: no distributed initialisation).
    const json r =
        estimate(R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"sglang","gpu":"h100-sxm-80gb","context":8192,"engine":{"version":"0.5.5"}})");
    CHECK(r.at("devices").at(0).at("capacity_bytes").get<i64>() == i64{81559} * 1024 * 1024);
    CHECK(r.at("devices").at(0).at("budget_bytes").get<i64>() == static_budget(0.835, i64{81080} * 1024 * 1024 - kBeforeLoad));
    CHECK(component(r, "activations") == i64{8192} * 110592);
}

TEST_CASE("SGLang hybrid models: recurrent-state slots take 0.9 / 1.9 of the rest, the KV pool what they leave") {
    // model_runner_kv_cache_mixin.py, handle_max_mamba_cache: mamba memory = rest x r / (1 + r) with r =
    // --mamba-full-memory-ratio (0.9 by default, sgl-project/sglang#15337), max_mamba_cache_size = that // one
    // request's state, and profile_max_num_token divides what the slots leave by the cell size of the
    // full-attention layers only. init_memory caps max_running_requests at max_mamba_cache_size // 3.
    // Qwen3.5-9B (catalog config.json): 32 layers, every 4th full attention (8 layers, 4 KV heads of 256); 24 Gated
    // DeltaNet layers with 32 value heads x 128 x 128 key dims of state and a 4-tap convolution over
    // 2 x 16 x 128 + 32 x 128 = 8,192 channels.
    //   state per layer  = 32 x 128 x 128 values x 4 B (--mamba-ssm-dtype float32) = 2,097,152 B
    //   conv per layer   = (4 - 1) x 8,192 values x 2 B (bf16)                      =    49,152 B
    //   one request      = 24 x 2,146,304                                          = 51,511,296 B
    //   cell per token   = 8 layers x 4 heads x (256 + 256) x 2 B                  =    32,768 B
    constexpr i64 kStatePerRequest = 24 * (i64{32} * 128 * 128 * 4 + 3 * i64{8192} * 2);
    static_assert(kStatePerRequest == 51511296);
    const json r = estimate(R"({"model":"qwen3.5-9b","weights":"bf16","runtime":"sglang","device":{"memory_mib":24576},"context":8192,
                                "engine":{"mem_fraction_static":0.8}})");
    // The split is checked against the weights the estimate reports (their size is tested with the other models).
    const i64 rest = static_budget(0.8, kFree24) - component(r, "weights");
    const i64 slots = static_cast<i64>(static_cast<double>(rest) * (0.9 / 1.9)) / kStatePerRequest;
    CAPTURE(slots);
    CHECK(component(r, "state") == slots * kStatePerRequest);
    CHECK(component(r, "kv_cache") == rest - slots * kStatePerRequest);
    CHECK(r.at("kv_cache").at("capacity_tokens").get<i64>() == (rest - slots * kStatePerRequest) / 32768);
    // The state takes 0.9 / 1.9 = 47.4 % of the rest, less at most one request's state.
    CHECK(static_cast<double>(component(r, "state")) <= static_cast<double>(rest) * 0.9 / 1.9);
    CHECK(static_cast<double>(component(r, "state")) > static_cast<double>(rest) * 0.9 / 1.9 - static_cast<double>(kStatePerRequest));
    // Requests at once: the KV pool holds (rest - state) / (8,192 x 32,768) of them, the slots slots // 3.
    const double by_kv = static_cast<double>(rest - slots * kStatePerRequest) / (8192.0 * 32768.0);
    CHECK(r.at("kv_cache").at("max_concurrency").get<double>() == two_decimals(std::min(by_kv, static_cast<double>(slots / 3))));
    // A dense model has no slots: the whole rest is KV pool.
    CHECK(component(estimate(sglang(R"(,"context":8192,"engine":{"mem_fraction_static":0.8})")), "state") == 0);
}

TEST_CASE("SGLang multimodal models: the default mem_fraction_static shrinks with the vision tower") {
    // server_args.py, adjust_mem_fraction_for_vlm (0.5.0rc0 and later), applied only when the flag is not given:
    //   factor = 0.95 x clamp(1 - 0.1 x (ratio - 1), 0.8, 1.05),  ratio = layers x hidden^2 / (24 x 1024^2).
    // Gemma 3 27B's SigLIP tower (catalog config.json): 27 layers of 1,152.
    //   ratio  = 27 x 1,327,104 / 25,165,824 = 1.423828125
    //   factor = 0.95 x (1 - 0.0423828125) = 0.909736328125
    // On the 24 GiB card the default before the adjustment is 0.847 (the defaults test above).
    const double factor = 0.95 * (1.0 - 0.1 * (27.0 * 1152 * 1152 / (24.0 * 1024 * 1024) - 1.0));
    CHECK(factor == doctest::Approx(0.909736328125).epsilon(1e-12));
    auto gemma = [](const std::string& engine) {
        return estimate(R"({"model":"gemma-3-27b","weights":"bf16","runtime":"sglang","device":{"memory_mib":24576},"context":8192,"engine":{)" + engine +
                        "}}");
    };
    // Budgets compared to the byte, the product being floored from a double.
    CHECK(std::llabs(budget_bytes(gemma(R"("version":"0.5.5")")) - static_budget(0.847 * factor, kFree24)) <= 1);
    // A fraction given on the command line is used as it is.
    CHECK(budget_bytes(gemma(R"("version":"0.5.5","mem_fraction_static":0.847)")) == static_budget(0.847, kFree24));
    // A text-only model keeps the default.
    CHECK(budget_bytes(estimate(sglang(R"(,"context":8192,"engine":{"version":"0.5.5"})"))) == static_budget(0.847, kFree24));
}

TEST_CASE("SGLang 0.3 series: mem_fraction_static by TP size with 0.83 at TP 8, chunked prefill 8192 on every card") {
    // server_args.py of the 0.3 series before sgl-project/sglang#2044: chunked_prefill_size: int = 8192 (no GPU
    // memory is read), and __post_init__ sets mem_fraction_static to 0.79 / 0.83 / 0.85 / 0.87 / 0.88 for
    // TP >= 16 / 8 / 4 / 2 / 1. 0.3.6 reads the card's memory (2,048 below 25,000 MiB) and takes 0.82 at TP 8
    // (sgl-project/sglang#2053); 0.4.0 sets 0.81 (#2325).
    auto tp8 = [](const std::string& version) {
        return estimate(
            R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"sglang","device":{"memory_mib":24576},"gpu_count":8,"context":8192,"engine":{"version":")" +
            version + R"("}})");
    };
    CHECK(budget_bytes(tp8("0.3.5")) == static_budget(0.83, kFree24));
    CHECK(budget_bytes(tp8("v0.3.0")) == static_budget(0.83, kFree24));
    CHECK(budget_bytes(tp8("0.3.6")) == static_budget(0.82, kFree24));
    CHECK(budget_bytes(tp8("0.3.6.post3")) == static_budget(0.82, kFree24));
    CHECK(budget_bytes(tp8("0.4.0")) == static_budget(0.81, kFree24));
    // TP 1 on the 24 GiB card: 0.88 in both, but the 0.3 series prefills 8,192 tokens a chunk where 0.3.6 and later
    // take 2,048 below 25,000 MiB. Llama-3.1-8B's forward activation is 110,592 B per token (the chunked-prefill test).
    const json old = estimate(sglang(R"(,"context":8192,"engine":{"version":"0.3.4.post1"})"));
    CHECK(budget_bytes(old) == static_budget(0.88, kFree24));
    CHECK(component(old, "activations") == i64{8192} * 110592);
    const json later = estimate(sglang(R"(,"context":8192,"engine":{"version":"0.4.0"})"));
    CHECK(budget_bytes(later) == static_budget(0.88, kFree24));
    CHECK(component(later, "activations") == i64{2048} * 110592);
}

TEST_CASE("SGLang before 0.5.0: the model runner cuts a multimodal model's fraction, a given fraction too (S-141)") {
    // model_runner.py of the 0.3 series, of early 2025 and of 0.4.4.post2's main: ModelRunner multiplies
    // mem_fraction_static by 0.95 for a multimodal architecture, after ServerArgs settled it (so also when
    // --mem-fraction-static is given); S-141 (Gemma 3 4B, 0.88 given) loaded 8.13 GiB and allocated a 108.24 GiB pool
    // of 139.21 GiB free: (108.24 + 8.13) / 139.21 = 0.836 = 0.88 x 0.95. The model runner of June 2025 takes 0.90.
    // Gemma 3 27B (vision tower in its config) with 0.80 given: 0.80 x 0.95 = 0.76 of the free memory.
    auto gemma = [](const std::string& version) {
        return estimate(
            R"({"model":"gemma-3-27b","weights":"bf16","runtime":"sglang","device":{"memory_mib":24576},"context":8192,"engine":{"mem_fraction_static":0.8,"version":")" +
            version + R"("}})");
    };
    CHECK(std::llabs(budget_bytes(gemma("0.3.5")) - static_budget(0.76, kFree24)) <= 1);
    CHECK(std::llabs(budget_bytes(gemma("0.4.2")) - static_budget(0.76, kFree24)) <= 1);
    CHECK(std::llabs(budget_bytes(gemma("0.4.4.post2")) - static_budget(0.76, kFree24)) <= 1);
    // 0.90 from 0.4.5 (where between 0.4.4.post2 and June 2025 it changed is not pinned); from 0.5.0 the given fraction
    // is used as it is.
    CHECK(std::llabs(budget_bytes(gemma("0.4.7")) - static_budget(0.72, kFree24)) <= 1);
    CHECK(budget_bytes(gemma("0.5.0")) == static_budget(0.8, kFree24));
    // A text-only model is not cut.
    CHECK(budget_bytes(estimate(sglang(R"(,"context":8192,"engine":{"mem_fraction_static":0.8,"version":"0.3.5"})"))) == static_budget(0.8, kFree24));
}

TEST_CASE("SGLang 0.3 pool rule against a published log: Llama-3-8B on an MI300X (serving log S-10)") {
    // The log prints free memory before loading 191.33 GB, after loading 176.33 GB, and max_total_num_tokens=1256440,
    // with mem_fraction_static 0.88 (TP 1 default). profile_max_num_token:
    //   rest = 176.33 - 191.33 x (1 - 0.88) = 153.3704 GiB;  cell = 8 KV heads x 128 x 32 layers x 2 x 2 B = 131,072 B
    //   tokens = 153.3704 x 2^30 / 131,072 = 1,256,410, against 1,256,440 printed. Each printed figure is rounded to
    //   0.01 GiB, so rest is known to +-(0.005 + 0.005 x 0.12) = 0.0056 GiB, +-46 tokens of 131,072 B.
    const double rest_gib = 176.33 - 191.33 * (1.0 - 0.88);
    const double tokens = rest_gib * 1073741824.0 / 131072.0;
    CHECK(std::fabs(tokens - 1256440.0) < 0.0056 * 1073741824.0 / 131072.0);
    // The estimate's cell for Llama-3-8B is the same 131,072 B, and its budget is 0.88 x (the MI300X's 196,592 MiB less
    // 443 MiB in use before loading): 0.88 x 196,149 MiB.
    const json r = estimate(R"({"model":"llama-3-8b","weights":"bf16","runtime":"sglang","gpu":"mi300x","context":8192,"engine":{"version":"0.3.3"}})");
    CHECK(r.at("kv_cache").at("bytes_per_token").get<i64>() == 131072);
    CHECK(r.at("devices").at(0).at("budget_bytes").get<i64>() == static_budget(0.88, i64{196149} * 1024 * 1024));
}

TEST_CASE("SGLang data-parallel attention at TP 2, DP 2: attention and embedding whole on each GPU, one KV pool per group") {
    // --tp 2 --dp 2 --enable-dp-attention: two GPUs (server_args.py: tp_size % dp_size == 0), attention groups of
    // tp / dp = 1 GPU (dp_attention.py, attn_tp_size = tp_size // dp_size).
    // Weights per GPU, from the TP-2 shard (8,030,527,488 B, the test above):
    // - attention split over the group's 1 GPU instead of 2: q, k, v, o of 32 layers are 32 x (2 x 4,096^2 + 2 x 4,096 x
    //   1,024) x 2 B = 2,684,354,560 B, of which the TP-2 shard held half: +1,342,177,280 B;
    // - the token embedding whole (VocabParallelEmbedding(enable_tp=not is_dp_attention_enabled())): 128,256 x 4,096 x
    //   2 B = 1,050,673,152 B, of which the shard held half: +525,336,576 B;
    // - the MLPs and the lm_head stay split over both GPUs.
    const i64 rank_tensors = 8030527488 + 1342177280 + 525336576;
    CHECK(rank_tensors == 9898041344);
    // Caching-allocator rounding: the whole embedding is 1,002 MiB (a multiple of 2 MiB); the lm_head half, 501 MiB, takes
    // 502; the fused qkv (48 MiB), o (32 MiB), gate_up (112 MiB) and down (56 MiB) are multiples of 2 MiB.
    // And the rotary cos/sin table on each GPU, 131,072 x 128 x 2 B (a custom card: the model's dtype).
    const i64 rank_weights = rank_tensors + 1 * MiB + i64{131072} * 128 * 2;
    // KV heads per GPU: get_num_kv_heads(attn_tp_size 1) = all 8: 32 x 8 x 128 x 2 x 2 = 131,072 B per token.
    const i64 rank_kv = 32 * 8 * 128 * 2 * 2;
    const json r = estimate(R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"sglang","device":{"memory_mib":24576},"gpu_count":2,
                                "context":8192,"concurrency":2,"engine":{"tp":2,"dp":2,"enable_dp_attention":true,"mem_fraction_static":0.88}})");
    REQUIRE(r.at("devices").size() == 2);
    const i64 pool = static_budget(0.88, kFree24) - rank_weights;
    for (int d = 0; d < 2; ++d) {
        CAPTURE(d);
        CHECK(component(r, "weights", d) == rank_weights);
        CHECK(component(r, "kv_cache", d) == pool);
        // Each GPU holds the KV of its own group's requests: 2 requests over 2 groups, one each.
        CHECK(r.at("devices").at(d).at("required_bytes").get<i64>() == rank_weights + 8192 * rank_kv);
    }
    CHECK(r.at("kv_cache").at("capacity_tokens").get<i64>() == pool / rank_kv);
    // Two pools serving different requests: twice the requests of one pool.
    CHECK(r.at("kv_cache").at("max_concurrency").get<double>() == two_decimals(2.0 * static_cast<double>(pool) / static_cast<double>(rank_kv * 8192)));
    // With dp_size 1 SGLang turns the option off (server_args.py, _handle_data_parallelism): the plain TP-2 estimate.
    const json off = estimate(R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"sglang","device":{"memory_mib":24576},"gpu_count":2,
                                  "context":8192,"engine":{"tp":2,"enable_dp_attention":true,"mem_fraction_static":0.88}})");
    CHECK(component(off, "weights") == 8030527488 + 2 * MiB + i64{131072} * 128 * 2);
    // dp must divide tp.
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","runtime":"sglang","device":{"memory_mib":24576},"gpu_count":4,
                                   "engine":{"tp":4,"dp":3,"enable_dp_attention":true}})")
              .at("field") == "engine.data_parallel_size");
}

TEST_CASE("SGLang data-parallel attention defaults on an H200: a reserve for padding over the DP groups, chunks per group") {
    // server_args.py, _handle_gpu_memory_settings, for 143,771 MiB (H200; 60 to 160 GiB): chunked_prefill_size 8,192 and
    // cuda_graph_max_bs 512 at TP 8:
    //   reserved = 512 + 8,192 x 1.5 + 512 x 2 + 8 / 8 x 1,024 = 14,848 MiB; mem_fraction_static = round(128,923 / 143,771, 3) = 0.897
    // with --enable-dp-attention --dp 8: + 512 x 8 x 3 = 12,288, and as 512 > 300, + 512 x 8 x 1.5 = 6,144: 33,280 MiB,
    //   mem_fraction_static = round(110,491 / 143,771, 3) = round(0.76852, 3) = 0.769.
    const json tp = estimate(R"({"model":"deepseek-r1","runtime":"sglang","gpu":"h200-sxm-141gb","gpu_count":8,"context":4096,"engine":{"version":"0.5.5"}})");
    const json dp = estimate(R"({"model":"deepseek-r1","runtime":"sglang","gpu":"h200-sxm-141gb","gpu_count":8,"context":4096,
                                 "engine":{"version":"0.5.5","dp":8,"enable_dp_attention":true}})");
    CHECK(any_contains(tp.at("assumptions"), "mem_fraction_static = 0.897"));
    CHECK(any_contains(dp.at("assumptions"), "mem_fraction_static = 0.769"));
    // _handle_data_parallelism: chunked_prefill_size // dp_size per attention group.
    CHECK(any_contains(dp.at("assumptions"), "chunked_prefill_size 8192 / dp_size 8 = 1024"));
    CHECK(dp.at("devices").size() == 8);
    // The same static budget share for both: mem_fraction_static x free memory before loading.
    const double ratio = dp.at("devices").at(0).at("budget_bytes").get<double>() / tp.at("devices").at(0).at("budget_bytes").get<double>();
    CHECK(ratio == doctest::Approx(0.769 / 0.897).epsilon(1e-6));
}

TEST_CASE("SGLang MLA under data-parallel attention: one latent per token on every GPU, eight pools for eight groups") {
    // MLATokenToKVPool keeps (kv_lora_rank + qk_rope_head_dim) values per layer whatever the TP size:
    // DeepSeek-R1, 61 layers x (512 + 64) x 2 B (bf16) = 70,272 B per token on every GPU.
    const std::string base = R"({"model":"deepseek-r1","runtime":"sglang","gpu":"h200-sxm-141gb","gpu_count":8,"context":4096,)";
    const json tp = estimate(base + R"("engine":{"mem_fraction_static":0.85}})");
    const json dp = estimate(base + R"("engine":{"dp":8,"enable_dp_attention":true,"mem_fraction_static":0.85}})");
    CHECK(tp.at("kv_cache").at("bytes_per_token") == 61 * 576 * 2);
    CHECK(dp.at("kv_cache").at("bytes_per_token") == 61 * 576 * 2);
    // Serving log S-6 (sgl-project/sglang#7055): 1,230,416 tokens x 70,272 B = 86,463,793,152 B, printed "80.53 GB".
    CHECK(std::fabs(1230416.0 * 70272.0 / static_cast<double>(GiB) - 80.53) < 0.005);
    // The same budget holds the weights and the pool; under DP attention the weights grow by at least the token
    // embedding made whole, 129,280 x 7,168 x 2 B x 7 / 8 = 1,621,688,320 B (and the attention made whole), the pool
    // shrinks by as much.
    const i64 w_tp = component(tp, "weights"), w_dp = component(dp, "weights");
    CHECK(w_dp - w_tp > 1621688320);
    CHECK(w_dp + component(dp, "kv_cache") == w_tp + component(tp, "kv_cache"));
    // Eight groups each serve their own requests from their own pool.
    const double per_request = 70272.0 * 4096.0;
    CHECK(dp.at("kv_cache").at("max_concurrency").get<double>() ==
          doctest::Approx(two_decimals(8.0 * static_cast<double>(component(dp, "kv_cache")) / per_request)).epsilon(1e-4));
    CHECK(tp.at("kv_cache").at("max_concurrency").get<double>() ==
          doctest::Approx(two_decimals(static_cast<double>(component(tp, "kv_cache")) / per_request)).epsilon(1e-4));
}

TEST_CASE("SGLang DeepSeek sparse attention with an fp8 cache: the latent's fp8 layout and the indexer keys") {
    // NSATokenToKVPool with an fp8 cache: 512 latent values in fp8, an fp32 scale per 128 of them, the 64 RoPE values
    // in bf16: 512 + 4 x 4 + 64 x 2 = 656 B; indexer keys 128 fp8 values and one fp32 scale: 132 B. 61 layers:
    // 61 x 788 = 48,068 B per token.
    const json r = estimate(R"({"model":"deepseek-v3.2","runtime":"sglang","gpu":"b200","gpu_count":8,"context":4096,"kv_cache_dtype":"fp8",
                                "engine":{"dp":8,"enable_dp_attention":true}})");
    CHECK(r.at("kv_cache").at("bytes_per_token") == 61 * (656 + 132));
    // Serving log S-5 (sgl-project/sglang#11309): 975,424 tokens x 48,068 B = 46,886,680,832 B, printed "43.67 GB".
    CHECK(std::fabs(975424.0 * 48068.0 / static_cast<double>(GiB) - 43.67) < 0.005);
    // bf16: the latent and RoPE in bf16, (512 + 64) x 2 = 1,152 B, beside the same 132 B of indexer keys.
    const json b = estimate(R"({"model":"deepseek-v3.2","runtime":"sglang","gpu":"b200","gpu_count":8,"context":4096})");
    CHECK(b.at("kv_cache").at("bytes_per_token") == 61 * (1152 + 132));
}

TEST_CASE("SGLang 0.4.5.post3 to 0.4.7: the default mem_fraction_static of cards above 80 GiB, release by release") {
    // server_args.py at each release's commit, for one MI300X (196,592 MiB reported) at TP 8:
    //   0.4.5.post2 and before: the TP table, 0.81;
    //   0.4.5.post3 (#5604): (196,592 - 13 x 1,024) / 196,592 = 0.932285 (not rounded);
    //   0.4.6.post2 (#5893, #5724): 0.88, then min(0.88 + 48 x 1,024 x 0.12 / 196,592, (196,592 - 18 x 1,024) / 196,592)
    //     = min(0.910003, 0.906241) = 0.906241;
    //   0.4.7 (#6718): the same off CUDA; an NVIDIA card above 180,000 MiB (B200) takes 0.79;
    //   0.4.7.post1 (#7054): by the card's size, round((196,592 - 32 x 1,024) / 196,592, 3) = 0.833, and 4 GiB more with
    //     data-parallel attention: round((196,592 - 36 x 1,024) / 196,592, 3) = 0.812.
    const auto fraction = [](const std::string& gpu, const std::string& version, bool dp_attention = false) {
        const json r = json::parse(fitmygpu::api::call("defaults", R"({"model":"deepseek-r1","runtime":"sglang","gpu":")" + gpu +
                                                                       R"(","gpu_count":8,"context":16384,"engine":{"version":")" + version + "\"}}"));
        if (!dp_attention) return r.at("engine").at("mem_fraction_static").get<double>();
        // With data-parallel attention the estimate's budget says which fraction it took: budget = fraction x free memory.
        const json e = estimate(R"({"model":"deepseek-r1","runtime":"sglang","gpu":")" + gpu + R"(","gpu_count":8,"context":16384,"engine":{"version":")" +
                                version + R"(","dp":8,"enable_dp_attention":true}})");
        for (const auto& a : e.at("assumptions"))
            if (a.get<std::string>().rfind("mem_fraction_static = ", 0) == 0) return std::stod(a.get<std::string>().substr(22));
        return -1.0;
    };
    const double mi300x = 196592;
    CHECK(fraction("mi300x", "0.4.5.post2") == doctest::Approx(0.81));
    CHECK(fraction("mi300x", "0.4.5.post3") == doctest::Approx((mi300x - 13 * 1024) / mi300x).epsilon(1e-9));
    CHECK(fraction("mi300x", "0.4.6.post1") == doctest::Approx((mi300x - 13 * 1024) / mi300x).epsilon(1e-9));
    CHECK(fraction("mi300x", "0.4.6.post2") == doctest::Approx((mi300x - 18 * 1024) / mi300x).epsilon(1e-9));
    CHECK(fraction("mi300x", "0.4.6.post5") == doctest::Approx(0.906241).epsilon(1e-6));
    CHECK(fraction("mi300x", "0.4.7") == doctest::Approx(0.906241).epsilon(1e-6));
    CHECK(fraction("b200", "0.4.7") == doctest::Approx(0.79));
    CHECK(fraction("mi300x", "0.4.7.post1") == doctest::Approx(0.833));
    CHECK(fraction("mi300x", "0.4.7.post1", true) == doctest::Approx(0.812));
    // An 80 GiB H100 (81,559 MiB) keeps the TP table through 0.4.7.
    CHECK(fraction("h100-sxm-80gb", "0.4.6.post5") == doctest::Approx(0.81));
}

TEST_CASE("SGLang 0.5.10 reserves memory for its piecewise CUDA graphs; 0.5.3 and 0.5.4 captured 16 on a 24 GiB card") {
    // sgl-project/sglang#16331 turned piecewise CUDA graphs on by default (0.5.10) and #15927 reserves 8 MiB per captured
    // token size, the sizes running up to chunked_prefill_size: 74 of them at 16,384. On a B200 (183,359 MiB, chunked
    // prefill 16,384, cuda_graph_max_bs 512 at TP 1):
    //   reserved = 512 + 16,384 x 1.5 + 512 x 2 + 1 / 8 x 1,024 = 26,240 MiB; + 74 x 8 = 592 MiB -> 26,832 MiB
    //   mem_fraction_static = round((183,359 - 26,832) / 183,359, 3) = 0.854 (0.857 without the graphs), as the clean
    //   start-up log of Qwen3-8B on a B200 in SGLang's repository implies (136.36 GiB of pool = 0.854 x 177.57 - 15.28).
    const auto assumed = [](const std::string& model, const std::string& engine) {
        const json r = estimate(R"({"model":")" + model + R"(","weights":"bf16","runtime":"sglang","gpu":"b200","context":8192,"engine":)" + engine + "}");
        for (const auto& a : r.at("assumptions"))
            if (a.get<std::string>().rfind("mem_fraction_static = ", 0) == 0) return std::stod(a.get<std::string>().substr(22));
        return -1.0;
    };
    CHECK(assumed("qwen3-8b", R"({"version":"0.5.10"})") == doctest::Approx(0.854));
    CHECK(assumed("qwen3-8b", "{}") == doctest::Approx(0.854));
    CHECK(assumed("qwen3-8b", R"({"version":"0.5.9"})") == doctest::Approx(0.857));
    // MLA models reserve 1,536 MiB instead: round((183,359 - 27,776) / 183,359, 3) = 0.849 (DeepSeek-V2-Lite, bf16).
    CHECK(assumed("deepseek-v2-lite", R"({"version":"0.5.10"})") == doctest::Approx(0.849));
    // Speculative decoding turns them off and reserves 4 GiB: round((183,359 - 30,336) / 183,359, 3) = 0.835.
    CHECK(assumed("qwen3-8b", R"({"version":"0.5.10","speculative_model":"qwen3-0.6b"})") == doctest::Approx(0.835));
    // 0.5.3 on a 24 GiB card at TP 1: cuda_graph_max_bs 16, so 512 + 3,072 + 32 + 128 = 3,744 MiB, round(20,832 / 24,576, 3) = 0.848.
    CHECK(budget_bytes(estimate(sglang(R"(,"context":8192,"engine":{"version":"0.5.3"})"))) == static_budget(0.848, kFree24));
}

TEST_CASE("SGLang's sliding-window layers: every token before the hybrid pool, a 0.8 share of the full layers' tokens with it") {
    // gpt-oss-20b: 24 layers alternating sliding (128) and full, 8 KV heads x 64 x 2 (K, V) x 2 B = 2,048 B a layer.
    // 0.5.7 gives it no hybrid pool: all 24 layers per token, 49,152 B. From 0.5.8 (sgl-project/sglang#17261) the
    // SWAKVPool: full_tokens = pool / (12 x 2,048 + 0.8 x 12 x 2,048) = pool / 44,236.8.
    const auto run = [](const std::string& version, const std::string& gpu) {
        return estimate(R"({"runtime":"sglang","model":"gpt-oss-20b","weights":"mxfp4","gpu":")" + gpu + R"(","context":8192,"engine":{"version":")" + version +
                        R"("}})");
    };
    const json old = run("0.5.7", "h100-sxm-80gb");
    CHECK(std::llabs(component(old, "kv_cache") / 49152 - old.at("kv_cache").at("capacity_tokens").get<i64>()) <= 1);
    const json hybrid = run("0.5.8", "h100-sxm-80gb");
    // (the estimate rounds the 0.8 share to whole bytes once: 44,237 B, 5 tokens in a million apart)
    CHECK(std::fabs(static_cast<double>(component(hybrid, "kv_cache")) / 44236.8 / hybrid.at("kv_cache").at("capacity_tokens").get<double>() - 1.0) < 1e-5);
    CHECK(any_contains(hybrid.at("assumptions"), "swa_full_tokens_ratio 0.8"));
    // On compute capability 10 SGLang ran gpt-oss on trtllm_mha, which kept every token until 0.5.10 (#17429, #19079).
    const json b200 = run("0.5.9", "b200");
    CHECK(std::llabs(component(b200, "kv_cache") / 49152 - b200.at("kv_cache").at("capacity_tokens").get<i64>()) <= 1);
    const json b200_new = run("0.5.10", "b200");
    CHECK(any_contains(b200_new.at("assumptions"), "hybrid sliding-window pool"));
    // Gemma 3 never gets the pool in 0.5.x (server_args turns it off): 62 layers x 16 KV heads x 128 x 2 x 2 B a token
    // for the 27B, its 52 sliding layers included.
    const json gemma = estimate(R"({"runtime":"sglang","model":"gemma-3-27b","weights":"bf16","gpus":[{"gpu":"h100-sxm-80gb","count":2}],"context":8192,
        "engine":{"version":"0.5.3","tensor_parallel_size":2}})");
    CHECK(gemma.at("kv_cache").at("capacity_tokens").get<i64>() == component(gemma, "kv_cache") / (62 * 8 * 128 * 2 * 2));
}

TEST_CASE("SGLang's default mem_fraction_static takes the chunked prefill and graph batch the server is given") {
    // 0.5.10 on an RTX 5090 (32,607 MiB), TP 1, --chunked-prefill-size 4096 --cuda-graph-max-bs 32 (S-51's study, run r00,
    // where SGLang printed mem_fraction_static=0.778): reserved = 512 + 4,096 x 1.5 + 32 x 2 + 1/8 x 1,024 + 50 piecewise
    // sizes x 8 = 7,248 MiB; (32,607 - 7,248) / 32,607 = 0.778. Without the flags: chunk 2,048 and batch 24 on this card.
    const json given = estimate(R"({"runtime":"sglang","model":"qwen3-8b","weights":"bf16","gpu":"rtx-5090","context":8192,
        "engine":{"version":"0.5.10","chunked_prefill_size":4096,"cuda_graph_max_bs":32}})");
    CHECK(any_contains(given.at("assumptions"), "mem_fraction_static = 0.778"));
    CHECK(any_contains(given.at("assumptions"), "7248 MiB reserved"));
    const json defaults = estimate(R"({"runtime":"sglang","model":"qwen3-8b","weights":"bf16","gpu":"rtx-5090","context":8192,"engine":{"version":"0.5.10"}})");
    // 512 + 2,048 x 1.5 + 24 x 2 + 128 + 42 x 8 = 4,096 MiB: (32,607 - 4,096) / 32,607 = 0.874.
    CHECK(any_contains(defaults.at("assumptions"), "mem_fraction_static = 0.874"));
}

TEST_CASE("SGLang pads gpt-oss's MXFP4 experts to 256 on compute capability 10 (S-54)") {
    // gpt-oss-20b on a B200, 0.5.3: 24 layers x 32 experts, I = H = 2,880 padded to 3,072 both ways, fp32 biases:
    // per expert 3 x 3,072 x 3,072 / 2 + / 32 + (2 x 3,072 + 3,072) x 4 = 14,155,776 + 884,736 + 36,864 B, against the
    // checkpoint's 3 x 2,880 x 2,880 / 2 + / 32 + (2 x 2,880 + 2,880) x 2 = 12,441,600 + 777,600 + 17,280 B.
    const auto weights = [](const char* gpu) {
        return item(estimate(std::string(R"({"runtime":"sglang","model":"gpt-oss-20b","weights":"mxfp4","context":8192,"engine":{"version":"0.5.3"},"gpu":")") +
                             gpu + "\"}"),
                    "weights");
    };
    const i64 extra = i64{24} * 32 * ((14155776 + 884736 + 36864) - (12441600 + 777600 + 17280));
    CHECK(std::llabs(weights("b200") - weights("h100-sxm-80gb") - extra) < 1024);
}

TEST_CASE("SGLang's pools hold every layer, the KV-shared ones of Gemma 4 too (S-36)") {
    // S-36: "SWAKVPool mem usage: 79.94 GB, swa size: 798276, full size: 997846" for Gemma-4-E4B = 997,846 x 28,672 B +
    // 798,276 x 71,680 B: 7 full layers x 2 KV heads x 512 x (K + V) x 2 B and 35 sliding layers x 2 x 256 x 2 x 2 B, all
    // 42 layers, though 18 of them read another layer's K and V in the model. A token of capacity costs the full layers'
    // bytes and 0.8 (swa_full_tokens_ratio) of the sliding ones': 28,672 + 57,344 = 86,016 B.
    const json r = estimate(R"({"model":"gemma-4-e4b","weights":"bf16","runtime":"sglang","gpu":"h100-sxm-80gb","context":32768,
        "engine":{"mem_fraction_static":0.85,"version":"0.5.19"}})");
    const i64 per_token = 7 * 2 * 512 * 2 * 2 + 35 * 2 * 256 * 2 * 2 * 4 / 5;
    CHECK(r.at("kv_cache").at("capacity_tokens").get<i64>() == item(r, "KV cache pool (token pool)") / per_token);
}

TEST_CASE("SGLang on ROCm: the aiter attention backend keeps 15 % of mem_fraction_static back above 8,192 tokens (S-131)") {
    // S-131: Qwen3-0.6B BF16 on one MI355X, 0.5.17, --mem-fraction-static 0.6, context 40,960, aiter (ROCm's default):
    // ModelRunner cuts the fraction to 0.6 x 0.85 = 0.51 before sizing the pool. The log: 287.26 GB free before loading,
    // 1.21 GB loaded, a pool of 145.30 GB (K + V, SGLang's GB being GiB): 0.51 x 287.26 - 1.21 = 145.29.
    const std::string base =
        R"({"model":"qwen3-0.6b","weights":"bf16","runtime":"sglang","gpu":"mi355x","context":40960,"engine":{"mem_fraction_static":0.6,"version":"0.5.17")";
    const json aiter = estimate(base + "}}");
    const json triton = estimate(base + R"(,"attention_backend":"triton"}})");
    const i64 b_aiter = aiter.at("devices").at(0).at("budget_bytes").get<i64>();
    const i64 b_triton = triton.at("devices").at(0).at("budget_bytes").get<i64>();
    CHECK(static_cast<double>(b_aiter) / static_cast<double>(b_triton) == doctest::Approx(0.85).epsilon(1e-6));
    // The weights are the same; the pool loses exactly what the budget does.
    CHECK(component(aiter, "weights") == component(triton, "weights"));
    CHECK(component(triton, "kv_cache") - component(aiter, "kv_cache") == b_triton - b_aiter);
    CHECK(static_cast<double>(component(aiter, "kv_cache")) / static_cast<double>(GiB) == doctest::Approx(145.30).epsilon(0.01));
    // Naming aiter gives the default; 8,192 tokens of context or fewer, or a release before 0.4.7, keep the whole fraction.
    CHECK(estimate(base + R"(,"attention_backend":"aiter"}})").at("devices").at(0).at("budget_bytes").get<i64>() == b_aiter);
    const json short_ctx = estimate(
        R"({"model":"qwen3-0.6b","weights":"bf16","runtime":"sglang","gpu":"mi355x","context":8192,"engine":{"mem_fraction_static":0.6,"version":"0.5.17"}})");
    CHECK(short_ctx.at("devices").at(0).at("budget_bytes").get<i64>() == b_triton);
    const json old = estimate(
        R"({"model":"qwen3-0.6b","weights":"bf16","runtime":"sglang","gpu":"mi355x","context":40960,"engine":{"mem_fraction_static":0.6,"version":"0.4.6.post5"}})");
    CHECK(old.at("devices").at(0).at("budget_bytes").get<i64>() == b_triton);
    // An NVIDIA card never runs aiter.
    const std::string h100 =
        R"({"model":"qwen3-0.6b","weights":"bf16","runtime":"sglang","gpu":"h100-sxm-80gb","context":40960,"engine":{"mem_fraction_static":0.6)";
    CHECK(estimate(h100 + "}}").at("devices").at(0).at("budget_bytes") ==
          estimate(h100 + R"(,"attention_backend":"triton"}})").at("devices").at(0).at("budget_bytes"));
    // MLA models take aiter only with 16 or 128 KV heads a rank: DeepSeek-V3 (128) at TP 8 has 16 and is cut; Kimi-K2
    // (64) at TP 8 has 8, runs triton (S-31 prints attention_backend='triton') and is not.
    const auto cut = [](const std::string& model) {
        const std::string r =
            R"({"model":")" + model + R"(","runtime":"sglang","gpus":[{"gpu":"mi355x","count":8}],"context":32768,"engine":{"mem_fraction_static":0.8)";
        return static_cast<double>(estimate(r + "}}").at("devices").at(0).at("budget_bytes").get<i64>()) /
               static_cast<double>(estimate(r + R"(,"attention_backend":"triton"}})").at("devices").at(0).at("budget_bytes").get<i64>());
    };
    CHECK(cut("deepseek-v3") == doctest::Approx(0.85).epsilon(1e-6));
    CHECK(cut("kimi-k2-thinking") == doctest::Approx(1.0));
    // The flag as SGLang spells it lands on the knob; a name that is not a backend's is refused, naming the field.
    const json c = fitmygpu::api::from_command(json{{"command", "python -m sglang.launch_server --model-path Qwen/Qwen3-0.6B --attention-backend triton"}});
    CHECK(c.at("request").at("engine").at("attention_backend") == "triton");
    CHECK(c.at("ignored").empty());
    CHECK(error_of("estimate", base + R"(,"attention_backend":"Triton; rm"}})").at("field") == "engine.attention_backend");
}

TEST_CASE("SGLang 0.4.5-0.4.6 clones DeepSeek-V3/R1's shared expert into every MoE layer tp_size times (S-151)") {
    // S-151: DeepSeek-R1 FP8 at --tp 8 on MI308X, 0.4.6, prints "Cloning 8 replicas of the shared expert into MoE" and
    // "Load weight end ... mem usage=81.66 GB". The 8 replicas join the routed experts and are sharded like them, in place
    // of the shared MLP (itself sharded 8 ways), so each rank holds 7/8 of a shared expert more per MoE layer: 58 MoE
    // layers x 3 x 7,168 x 2,048 FP8 bytes (+ one fp32 scale per 128 x 128 block) x 7 / 8.
    const auto request = [](const std::string& version, const std::string& gpu, const std::string& extra = "") {
        return R"({"model":"deepseek-r1","weights":"fp8","runtime":"sglang","gpus":[{"gpu":")" + gpu +
               R"(","count":8}],"context":163840,"engine":{"tensor_parallel_size":8,"mem_fraction_static":0.7,"version":")" + version + "\"" + extra + "}}";
    };
    const json r046 = estimate(request("0.4.6", "mi300x"));
    const i64 replicas = item(r046, "shared-expert replicas in the MoE layers");
    const double per_layer = 3.0 * 7168 * 2048 + 3.0 * 16 * 56 * 4;
    CHECK(static_cast<double>(replicas) == doctest::Approx(58 * per_layer * 7 / 8).epsilon(0.002));
    CHECK(static_cast<double>(component(r046, "weights")) / static_cast<double>(GiB) == doctest::Approx(81.66).epsilon(0.01));
    // From 0.4.7 one fused copy replaces the shared MLP: nothing more. Hopper has it too; an A100 (compute capability 8),
    // the EP MoE layer, and Kimi-K2 (384 routed experts) do not.
    CHECK(component(estimate(request("0.4.7", "mi300x")), "weights") == component(r046, "weights") - replicas);
    CHECK(item(estimate(request("0.4.6.post5", "h200-sxm-141gb")), "shared-expert replicas in the MoE layers") == replicas);
    CHECK(item(estimate(request("0.4.6", "a100-80gb-sxm4")), "shared-expert replicas in the MoE layers") == 0);
    CHECK(item(estimate(request("0.4.6", "mi300x", R"(,"enable_expert_parallel":true)")), "shared-expert replicas in the MoE layers") == 0);
    const json kimi = estimate(R"({"model":"kimi-k2-instruct","runtime":"sglang","gpus":[{"gpu":"h200-sxm-141gb","count":8}],"context":32768,
        "engine":{"tensor_parallel_size":8,"version":"0.4.6"}})");
    CHECK(item(kimi, "shared-expert replicas in the MoE layers") == 0);
    // 0.4.x's EP switches as SGLang spells them turn expert parallelism on.
    const json c = fitmygpu::api::from_command(json{{"command", "python -m sglang.launch_server --model-path deepseek-ai/DeepSeek-R1 --tp 8 --enable-ep-moe"}});
    CHECK(c.at("request").at("engine").at("enable_expert_parallel") == true);
    CHECK(c.at("ignored").empty());
}

TEST_CASE("Gemma 4's full-attention layers rope with a table of their own, as wide as their 512-wide heads (S-51)") {
    // gemma-4-26b-a4b: max_position_embeddings 262,144; sliding layers rope over head_dim 256, full-attention layers over
    // global_head_dim 512 ("proportional": zero frequencies past a quarter, the table the whole head wide). SGLang keeps
    // the tables in fp32 on CUDA: 262,144 x (256 + 512) x 4 B = 768 MiB; vLLM in the model's bf16: 384 MiB. S-51 (FP8,
    // RTX 5090) loads 25.12 GiB.
    const json sg = estimate(R"({"model":"gemma-4-26b-a4b","weights":"fp8","runtime":"sglang","gpu":"rtx-5090","context":16384,"kv_cache_dtype":"fp8",
        "gpu_memory_in_use_mib":745,"engine":{"mem_fraction_static":0.9,"cuda_graph_max_bs":32,"max_num_batched_tokens":4096,"language_model_only":true}})");
    CHECK(item(sg, "rotary embedding table") == i64{262144} * (256 + 512) * 4);
    CHECK(static_cast<double>(component(sg, "weights")) / GiB == doctest::Approx(25.12).epsilon(0.01));
    const json vl = estimate(R"({"model":"gemma-4-26b-a4b","weights":"bf16","runtime":"vllm","gpu":"h100-sxm-80gb","context":8192})");
    CHECK(item(vl, "rotary embedding table") == i64{262144} * (256 + 512) * 2);
    // A model of one head width has one table: Qwen3-8B, 40,960 positions x 128.
    const json q3 = estimate(R"({"model":"qwen3-8b","weights":"bf16","runtime":"vllm","gpu":"h100-sxm-80gb","context":8192})");
    CHECK(item(q3, "rotary embedding table") == i64{40960} * 128 * 2);
}

TEST_CASE("SGLang --max-running-requests sizes the request table and bounds the batch; --max-total-tokens caps the pool") {
    // The setup above: the pool holds 47,108 tokens of 131,072 B at mem_fraction_static 0.88.
    const i64 pool = static_budget(0.88, kFree24) - kLlama8bBf16 - i64{131072} * 128 * 2;
    // model_runner.py init_memory_pool: with --max-running-requests 16 the table has 16 + 1 rows of 8,192 + 4 int32
    // = 557,328 B, in place of the default 2,945 rows.
    const json r = estimate(sglang(R"(,"context":8192,"engine":{"mem_fraction_static":0.88,"max_running_requests":16})"));
    i64 table = 0;
    for (const auto& b : r.at("breakdown"))
        if (b.at("device") == 0 && b.at("label") == "request-to-token table (outside the static pool)") table = b.at("bytes").get<i64>();
    CHECK(table == i64{17} * 8196 * 4);
    CHECK(component(r, "kv_cache") == pool);  // the pool is sized before the table
    // Requests at once: 5.75 fit in the pool; a cap of 4 running requests makes it 4.
    const json capped = estimate(sglang(R"(,"context":8192,"engine":{"mem_fraction_static":0.88,"max_running_requests":4})"));
    CHECK(capped.at("kv_cache").at("max_concurrency").get<double>() == 4.0);
    CHECK(estimate(sglang(R"(,"context":8192,"concurrency":5,"engine":{"mem_fraction_static":0.88,"max_running_requests":4})")).at("fits") == false);
    // profile_max_num_token: --max-total-tokens 20000 keeps the pool at 20,000 x 131,072 B when that is smaller.
    const json t = estimate(sglang(R"(,"context":8192,"engine":{"mem_fraction_static":0.88,"max_total_tokens":20000})"));
    CHECK(component(t, "kv_cache") == i64{20000} * kLlama8bKvPerToken);
    CHECK(t.at("kv_cache").at("capacity_tokens") == 20000);
    CHECK(component(estimate(sglang(R"(,"context":8192,"engine":{"mem_fraction_static":0.88,"max_total_tokens":90000})")), "kv_cache") == pool);
}
