// llama.cpp against the buffer sizes its allocator prints at startup (rows L-n of tests/data/llamacpp-startup-logs.json,
// with their sources). KV and state are exact arithmetic, so they are checked to the byte or the printed 0.01 MiB;
// model buffers to the printed 0.01 MiB; compute buffers within 5%.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "helpers.hpp"

using namespace testing;

namespace {
// What a layout holds on GPU 0 in the response: every item there but the CUDA context no buffer reports.
i64 buffers_on_gpu(const json& r) {
    i64 total = 0;
    for (const auto& b : r.at("breakdown"))
        if (b.at("device").get<int>() == 0 && b.at("label") != "CUDA context") total += b.at("bytes").get<i64>();
    return total;
}
// The number right after `before` in the assumption that also says `after` there; -1 when none does.
int number_in_assumptions(const json& r, const std::string& before, const std::string& after) {
    for (const auto& a : r.at("assumptions")) {
        const std::string t = a.get<std::string>();
        const size_t at = t.find(before);
        if (at != std::string::npos && t.find(after, at) != std::string::npos) return std::stoi(t.substr(at + before.size()));
    }
    return -1;
}
}  // namespace

TEST_CASE("Llama-3.1-8B Q4_K_M, n_ctx 8192 as 4 x 2048, flash attention off, on an RTX 4090 (L-1)") {
    const json r = estimate(R"({"model":"llama-3.1-8b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-4090",
                                "context":2048,"concurrency":4,"engine":{"flash_attn":false}})");
    // Logged: CPU model 281.81, CUDA0 model 4403.49, KV 1024.00, CUDA0 compute 560.00, CUDA_Host compute 24.01 MiB.
    CHECK(mib(item(r, "model buffer (host)", -1)) == doctest::Approx(281.81).epsilon(0.00002));
    CHECK(mib(item(r, "model buffer", 0)) == doctest::Approx(4403.49).epsilon(0.000002));
    // KV: 32 layers x 8,192 cells x (1,024 K + 1,024 V values) x 2 bytes = 1,073,741,824 bytes.
    CHECK(item(r, "KV cache", 0) == i64{32} * 8192 * 2048 * 2);
    CHECK(mib(item(r, "compute buffer", 0)) == doctest::Approx(560.00).epsilon(0.05));
    CHECK(mib(item(r, "host compute buffer", -1)) == doctest::Approx(24.01).epsilon(0.05));
    CHECK(r.at("kv_cache").at("capacity_tokens") == 8192);
}

TEST_CASE("gpt-oss-20b at 131,072 context keeps 2,304 cells in its sliding-window layers (L-13)") {
    const json r = estimate(R"({"model":"gpt-oss-20b","weights":"gguf:MXFP4_MOE","runtime":"llama.cpp","gpu":"rtx-pro-6000-blackwell",
                                "context":131072,"engine":{"n_ubatch":2048}})");
    // Full layers: 12 x 131,072 cells x (512 K + 512 V) x 2 B = 3,072 MiB (logged 3072.00).
    // Sliding layers: pad256(128 + 2,048) = 2,304 cells; 12 x 2,304 x 1,024 x 2 B = 54 MiB.
    CHECK(item(r, "KV cache", 0) == i64{12} * 131072 * 1024 * 2 + i64{12} * 2304 * 1024 * 2);
}

TEST_CASE("a unified KV cache shares n_ctx among the slots of a hybrid model (L-16)") {
    // Qwen3.6-35B-A3B: 10 of 40 layers are full attention with 2 KV heads of 256; -c 65536 with 4 slots.
    const json r = estimate(R"({"model":"qwen3.6-35b-a3b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-pro-6000-blackwell",
                                "context":16384,"concurrency":4})");
    // 10 x 65,536 x (512 + 512) x 2 B = 1,280 MiB (logged K 640 + V 640).
    CHECK(item(r, "KV cache", 0) == i64{10} * 65536 * 1024 * 2);
}

TEST_CASE("recurrent state is f32 per sequence: Qwen3.6-27B's 48 Gated DeltaNet layers (L-22)") {
    const json r = estimate(R"({"model":"qwen3.6-27b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-pro-6000-blackwell",
                                "context":8192,"concurrency":4})");
    // Per layer per sequence: conv 3 x (2 x 16 x 128 + 48 x 128) x 4 B = 122,880 B; state 48 x 128 x 128 x 4 B = 3 MiB.
    // Logged RS buffer 598.50 MiB = R 22.50 + S 576.00 over four sequences.
    const i64 per_seq = 48 * (3 * (2 * 16 * 128 + 48 * 128) * 4 + 48 * 128 * 128 * 4);
    CHECK(item(r, "recurrent state (RS buffer)", 0) == 4 * per_seq);
    CHECK(mib(4 * per_seq) == doctest::Approx(598.50));
    // KV: 16 full layers x 32,768 cells x (4 x 256 x 2) x 2 B = 2,048 MiB (logged 2048.00).
    CHECK(item(r, "KV cache", 0) == i64{16} * 32768 * 2048 * 2);
}

TEST_CASE("KV grows linearly with n_ctx: Qwen3-30B-A3B F16 saves 3,456 MiB going from 40,960 to 4,096 (L-24)") {
    const json big = estimate(R"({"model":"qwen3-30b-a3b","weights":"gguf:F16","runtime":"llama.cpp","gpu":"rtx-4090","context":40960})");
    const json small = estimate(R"({"model":"qwen3-30b-a3b","weights":"gguf:F16","runtime":"llama.cpp","gpu":"rtx-4090","context":4096})");
    // 48 layers x 4 KV heads x 128 x 2 (K, V) x 2 B x 36,864 tokens = 3,456 MiB.
    CHECK(item(big, "KV cache", 0) - item(small, "KV cache", 0) == i64{3456} * MiB);
    CHECK(big.at("fits") == false);  // a 61 GB F16 model on a 24 GB card
}

TEST_CASE("pythia-2.8B F16 with flash attention off on a V100 (L-3)") {
    const json r = estimate(R"({"config":{"model_type":"gpt_neox","architectures":["GPTNeoXForCausalLM"],"hidden_size":2560,
        "num_hidden_layers":32,"num_attention_heads":32,"intermediate_size":10240,"vocab_size":50304,"tie_word_embeddings":false,
        "max_position_embeddings":2048},"weights":"gguf:F16","runtime":"llama.cpp","gpu":"v100-16gb","context":2048,
        "engine":{"flash_attn":false}})");
    // token_embd F16 on the host: 50,304 x 2,560 x 2 B = 245.62 MiB (logged CPU 245.62).
    CHECK(mib(item(r, "model buffer (host)", -1)) == doctest::Approx(245.62).epsilon(0.0001));
    // Logged CUDA0 model buffer 5049.71 MiB.
    CHECK(mib(item(r, "model buffer", 0)) == doctest::Approx(5049.71).epsilon(0.001));
    // KV: 32 layers x 2,048 cells x 2,560 x 2 x 2 B = 640 MiB (logged 640.00).
    CHECK(item(r, "KV cache", 0) == i64{640} * MiB);
    CHECK(mib(item(r, "compute buffer", 0)) == doctest::Approx(162.00).epsilon(0.05));
}

TEST_CASE("n_ctx is padded to a multiple of 256") {
    const json r = estimate(R"({"model":"llama-3.1-8b","runtime":"llama.cpp","gpu":"rtx-4090","context":35000})");
    CHECK(r.at("kv_cache").at("capacity_tokens") == 35072);  // 137 x 256
}

TEST_CASE("partial offload puts the first layers and their KV on the host; -ngl counts the output layer first") {
    const json r = estimate(R"({"model":"llama-3.1-8b","runtime":"llama.cpp","gpu":"rtx-4090","context":8192,"engine":{"n_gpu_layers":16}})");
    // llama_model::load_tensors: i_gpu_start = n_layer + 1 - ngl = 17, so slots 17..32 are offloaded: the
    // output layer (slot 32) and the 15 repeating layers 17..31; layers 0..16 stay on the CPU.
    CHECK(item(r, "KV cache", 0) == i64{15} * 8192 * 2048 * 2);
    CHECK(item(r, "KV cache (host)", -1) == i64{17} * 8192 * 2048 * 2);
    bool warned = false;
    for (const auto& w : r.at("warnings")) warned = warned || w.get<std::string>().find("15 of 32 layers") != std::string::npos;
    CHECK(warned);
    // -ngl 1 offloads only the output layer; -ngl 0 keeps everything on the CPU.
    const json one = estimate(R"({"model":"llama-3.1-8b","runtime":"llama.cpp","gpu":"rtx-4090","context":8192,"engine":{"n_gpu_layers":1}})");
    CHECK(item(one, "KV cache", 0) == 0);
    CHECK(item(one, "model buffer", 0) > 0);
    const json none = estimate(R"({"model":"llama-3.1-8b","runtime":"llama.cpp","gpu":"rtx-4090","context":8192,"engine":{"n_gpu_layers":0}})");
    CHECK(item(none, "model buffer", 0) == 0);
}

TEST_CASE("op offload with flash attention: three K/V view copies and the mask stay on the GPU from the second CPU layer (C-112)") {
    // C-112 (b9479, Llama-3.1-8B Q4_0, -ngl 15: the output layer and 14 layers on an RTX 2060, 18 layers and their KV on the
    // CPU, n_ctx 32,768, ub 512, flash attention on). The f16 mask copy (32,768 x 512 x 2 B = 32 MiB) sits above layer 0's
    // K and V copies for every later attention; layer 1's K fits below it, its V goes above: three views of
    // 32,768 x 1,024 x 2 B = 64 MiB live, above two hidden states and Q (3 x 4,096 x 512 x 4 B = 24 MiB). Printed 248.00.
    const json r = estimate(R"({"model":"llama-3.1-8b","weights":"gguf:Q4_0","runtime":"llama.cpp","device":{"name":"RTX 2060 6 GB","memory_mib":5738},
        "context":32768,"engine":{"n_gpu_layers":15,"flash_attn":true,"version":"b9479"}})");
    CHECK(item(r, "compute buffer", 0) == i64{32768} * 512 * 2 + 3 * (i64{32768} * 1024 * 2) + 3 * i64{4096} * 512 * 4);
    CHECK(item(r, "compute buffer", 0) == i64{248} * MiB);
}

TEST_CASE("op offload in a build that casts its mask: the first CPU layer's attention holds the f32 copy, its K and V and the cast (C-111)") {
    // C-111 (b8586, Qwen3.5-27B Q4_K_S, -ngl 26 on an RTX 4070, 131,072 cells, ub 1,024, flash attention on): the reserve
    // asked 1,469,841,408 B. Two hidden states (2 x 5,120 x 1,024 x 4 B), the hole of the copied attn_q weight (the gated
    // q projection, 5,120 x 12,288 in Q4_K: 35,389,440 B) and two query widths (2 x 6,144 x 1,024 x 4 B), then the f32
    // mask copy (131,072 x 1,024 x 4 B), the layer's K and V views (2 x 131,072 x 1,024 x 2 B) and the f16 cast.
    const json r = estimate(R"({"model":"qwen3.5-27b","weights":"gguf:Q4_K_S","runtime":"llama.cpp","gpu":"rtx-4070","context":131072,
        "engine":{"n_gpu_layers":26,"n_batch":1024,"n_ubatch":1024,"flash_attn":true,"version":"b8586"}})");
    CHECK(item(r, "compute buffer", 0) ==
          2 * i64{5120} * 1024 * 4 + 35389440 + 2 * i64{6144} * 1024 * 4 + i64{131072} * 1024 * 4 + 2 * (i64{131072} * 1024 * 2) + i64{131072} * 1024 * 2);
    CHECK(item(r, "compute buffer", 0) == 1469841408);
}

TEST_CASE("op offload: a layer kept on the CPU computes its attention on the GPU against copies of its K and V (C-11)") {
    // Qwen3-8B (36 layers, 32 heads of 128, 8 KV heads, n_embd 4096), -ngl 20: the output layer and layers 17..35 on
    // the GPU, layers 0..16 and their KV on the CPU; flash attention off, n_ctx 131,072, ub 512.
    const json r = estimate(R"({"model":"qwen3-8b","weights":"gguf:Q8_0","runtime":"llama.cpp","gpu":"rtx-4090","context":131072,
                                "engine":{"n_batch":512,"flash_attn":false,"n_gpu_layers":20}})");
    // A CPU layer's attention on CUDA0, by hand (MiB): f32 mask 131,072 x 512 x 4 B = 256; copies of K and V views,
    // 131,072 x 1,024 x 2 B each, three of them live (layer 0's K below the mask, the next layer's K and V above: 768);
    // KQ 32 x 131,072 x 512 x 4 B = 8,192; below them two n_embd rows and Q, (2 x 4,096 + 4,096) x 512 x 4 B = 24.
    // Total 9,240, as logged (a GPU layer alone needs 8,476).
    CHECK(item(r, "compute buffer", 0) == i64{9240} * MiB);
}

TEST_CASE("op offload: with -ngl 0 the first GPU still runs the big-batch matmuls of host weights, one copied weight at a time") {
    // Qwen3-8B Q8_0, everything on the CPU, flash off, n_ctx 4,096, ub 512. The largest phase on CUDA0 is the output
    // matmul: the copied output matrix, 151,936 x 4,096 Q8_0 values at 34 bytes per 32 = 661,225,472 B, plus the
    // logits and the normed input, (151,936 + 4,096) x 512 x 4 B = 319,553,536 B. (A CPU layer's attention is far less:
    // mask 8 + K and V copies 8 + 8 + KQ 256 + rows 28 MiB.)
    const json r = estimate(R"({"model":"qwen3-8b","weights":"gguf:Q8_0","runtime":"llama.cpp","gpu":"rtx-4090","context":4096,
                                "engine":{"flash_attn":false,"n_gpu_layers":0}})");
    CHECK(item(r, "compute buffer", 0) == i64{661225472} + 319553536);
    // Below 32 tokens per ubatch no backend offloads an op: the GPU holds no compute buffer.
    const json small = estimate(R"({"model":"qwen3-8b","weights":"gguf:Q8_0","runtime":"llama.cpp","gpu":"rtx-4090","context":4096,
                                    "engine":{"flash_attn":false,"n_gpu_layers":0,"n_batch":16,"n_ubatch":16}})");
    CHECK(item(small, "compute buffer", 0) == 0);
}

TEST_CASE("quantized KV uses the real block sizes: q8_0 is 34 bytes per 32 values, q4_0 18") {
    const json f16 = estimate(R"({"model":"llama-3.1-8b","runtime":"llama.cpp","gpu":"rtx-4090","context":8192})");
    const json q8 = estimate(R"({"model":"llama-3.1-8b","runtime":"llama.cpp","gpu":"rtx-4090","context":8192,"kv_cache_dtype":"q8_0"})");
    const json q4 = estimate(R"({"model":"llama-3.1-8b","runtime":"llama.cpp","gpu":"rtx-4090","context":8192,"kv_cache_dtype":"q4_0"})");
    // 32 layers x 8,192 cells x 2 x 1,024 values: f16 2 B; q8_0 1,024 / 32 x 34 B; q4_0 1,024 / 32 x 18 B per row.
    CHECK(item(f16, "KV cache", 0) == i64{32} * 8192 * 2 * 1024 * 2);
    CHECK(item(q8, "KV cache", 0) == i64{32} * 8192 * 2 * (1024 / 32 * 34));
    CHECK(item(q4, "KV cache", 0) == i64{32} * 8192 * 2 * (1024 / 32 * 18));
}

TEST_CASE("a layer split over two GPUs follows their memory (or --tensor-split) and keeps each layer's KV with it") {
    const json r = estimate(R"({"model":"llama-3.1-70b","weights":"gguf:Q4_K_M","runtime":"llama.cpp",
                                "gpus":[{"gpu":"rtx-3090","count":2}],"context":8192})");
    REQUIRE(r.at("devices").size() == 2);
    // 81 slots (80 layers + output), split points [0.5, 1]: slot il goes to GPU 0 while il / 81 < 0.5, so
    // layers 0..40 (41) on GPU 0 and 41..79 (39) plus the output layer on GPU 1.
    const i64 per_layer = i64{8192} * 2048 * 2;
    CHECK(item(r, "KV cache", 0) == 41 * per_layer);
    CHECK(item(r, "KV cache", 1) == 39 * per_layer);
    // --tensor-split 3,1: split points [0.75, 1]; il / 81 < 0.75 up to il = 60, so 61 layers and 19.
    const json ts = estimate(R"({"model":"llama-3.1-70b","weights":"gguf:Q4_K_M","runtime":"llama.cpp",
                                 "gpus":[{"gpu":"rtx-3090","count":2}],"context":8192,"engine":{"tensor_split":[3,1]}})");
    CHECK(item(ts, "KV cache", 0) == 61 * per_layer);
    CHECK(item(ts, "KV cache", 1) == 19 * per_layer);
    CHECK(error_of("estimate", R"({"model":"llama-3.1-70b","runtime":"llama.cpp","gpu":"rtx-3090","engine":{"tensor_split":[1,1]}})").at("field") ==
          "engine.tensor_split");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-70b","runtime":"llama.cpp","gpu":"rtx-3090","engine":{"tensor_split":[-1]}})").at("field") ==
          "engine.tensor_split[0]");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-70b","runtime":"llama.cpp","gpu":"rtx-3090","engine":{"tensor_split":[0]}})").at("field") ==
          "engine.tensor_split");
}

TEST_CASE("an MTP draft context keeps one more layer of KV at n_ctx (L-22: 128.00 MiB)") {
    const json r = estimate(R"({"model":"qwen3.6-27b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-pro-6000-blackwell",
                                "context":8192,"concurrency":4,"engine":{"speculative_model":"mtp"}})");
    // One full-attention layer: 32,768 cells x 4 KV heads x (256 + 256) x 2 B = 128 MiB.
    CHECK(item(r, "speculator KV cache", 0) == i64{32768} * 4 * 512 * 2);
    // Token embeddings of the 27B stay on the CPU: logged CPU_Mapped 682.03 MiB.
    CHECK(mib(item(r, "model buffer (host)", -1)) == doctest::Approx(682.03).epsilon(0.0001));
}

TEST_CASE("a draft model brings its own weights and a KV cache as long as the target's") {
    const json r = estimate(R"({"model":"llama-3.1-70b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"h100-sxm-80gb",
                                "context":8192,"engine":{"speculative_model":"llama-3.2-1b","num_speculative_tokens":8}})");
    // Llama-3.2-1B: 16 layers x 8 KV heads x 64 x 2 x 2 B = 32 KiB per token; 8,192 cells = 256 MiB.
    CHECK(item(r, "speculator KV cache", 0) == i64{16} * 8 * 64 * 2 * 2 * 8192);
    CHECK(item(r, "speculator model buffer", 0) > 0);
    CHECK(testing::error_of("estimate", R"({"model":"llama-3.1-8b","engine":{"speculative_model":"mtp"}})").at("field") == "engine.speculative_model");
}

TEST_CASE("Ollama without a context uses its VRAM-based default, capped by the model's training context") {
    // Ollama picks the default context from total VRAM (ollama/ollama docs/context-length.mdx rounds the steps to 24 and
    // 48 GiB): 262,144 tokens from 47 GiB, 32,768 from 23 GiB, else 4,096.
    CHECK(estimate(R"({"model":"qwen3-8b","runtime":"ollama","gpu":"rtx-3060-12gb"})").at("kv_cache").at("capacity_tokens") == 4096);
    CHECK(estimate(R"({"model":"qwen3-8b","runtime":"ollama","gpu":"rtx-4090"})").at("kv_cache").at("capacity_tokens") == 32768);
    // Qwen3-8B was trained for 40,960 positions, below the 262,144 a 96 GB card would get.
    CHECK(estimate(R"({"model":"qwen3-8b","runtime":"ollama","gpu":"rtx-pro-6000-blackwell"})").at("kv_cache").at("capacity_tokens") == 40960);
}

TEST_CASE("MLA caches one 576-wide latent per token and layer and no V (llama.cpp prints V (f16): 0.00 MiB)") {
    // A 78-layer MLA model at 768,000 cells logs K (f16) 65,812.50 MiB = 768,000 x 78 x 576 x 2 B; for DeepSeek-R1
    // (61 layers, kv_lora_rank 512 + rope 64) at 32,768 cells that is 61 x 32,768 x 576 x 2 B.
    CHECK(i64{768000} * 78 * 576 * 2 == static_cast<i64>(65812.5 * 1048576));
    const json r = estimate(R"({"model":"deepseek-r1","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"h200","gpu_count":4,"context":32768})");
    CHECK(r.at("kv_cache").at("required_bytes").get<i64>() == i64{61} * 32768 * 576 * 2);
    CHECK(r.at("kv_cache").at("bytes_per_token").get<i64>() == 61 * 576 * 2);
}

TEST_CASE("llama.cpp keeps StarCoder2's whole context: its GGUF architecture reads no sliding window") {
    // llama.cpp's hparams loader for LLM_ARCH_STARCODER2 reads only the LayerNorm epsilon, so the config's 4,096-token
    // sliding_window does not reach the KV cache there. StarCoder2-15B: 40 layers x 4 KV heads x 128 x (K + V) x 2 B
    // = 80 KiB a cell; 16,384 cells = 1,280 MiB.
    const json r = estimate(R"({"model":"starcoder2-15b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-4090","context":16384})");
    CHECK(item(r, "KV cache", 0) == i64{40} * 16384 * (4 * 128 * 2) * 2);
    CHECK(item(r, "KV cache", 0) == 1280 * MiB);
    CHECK(r.at("kv_cache").at("bytes_per_token") == i64{40} * 4 * 128 * 2 * 2);
}

// Ollama before 0.12.11 decides num_gpu itself (llm/memory.go estimateGPULayers) from fs/ggml GraphSize. Row L-32 of
// llamacpp-startup-logs.json (ollama/ollama#8098): Llama-3.2-3B Q4_K_M, num_ctx 2048 x 4 parallel, flash attention
// off, on a GPU with 78.6 GiB free. Hand calculation with GraphSize's "llama" case (context 8192, batch 512, n_embd 3072,
// 24 heads of 128, 8 KV heads, 128,256 tokens):
//   kv            = 28 layers x 8192 x (128 + 128) x 8 x 2 B                                   = 939,524,096 B (896.0 MiB)
//   graph.full    = max(4·512·(1 + 4·3072 + 8192·25), 4·512·(3072 + 128256)) = max(444,598,272, 268,959,744)
//   graph.partial = 4·512·3072 + max(4·512·(1 + 3072 + 8192) + 3072²·9/16 + 4·8192·(512·24 + 128·8),
//                                    4·512·(3072 + 128256) + 3072·128256·105/128)
//                 = 6,291,456 + max(464,586,752, 592,164,864) = 598,456,320 B (570.7 MiB)
// and the log prints layers.offload=29 (28 layers + the output layer): everything fits.
TEST_CASE("Ollama 0.5 decides the layers itself: L-32's kv and graph figures by hand") {
    const json log = R"({"request":{"model":"llama-3.2-3b","weights":"gguf:Q4_K_M","runtime":"ollama","device":{"name":"GPU","memory_mib":80486},
        "context":2048,"concurrency":4,"engine":{"version":"0.5.1"}},
        "log":"msg=\"offload to cuda\" layers.requested=-1 layers.model=29 layers.offload=29 memory.required.full=\"3.7 GiB\" memory.required.kv=\"896.0 MiB\" memory.graph.full=\"424.0 MiB\" memory.graph.partial=\"570.7 MiB\""})"_json;
    const json r = fitmygpu::api::check_log(log);
    std::map<std::string, i64> est;
    for (const auto& x : r.at("rows")) est[x.at("what").get<std::string>()] = x.at("estimated").get<i64>();
    CHECK(est.at("Ollama memory.required.kv") == i64{28} * 8192 * 256 * 8 * 2);
    CHECK(est.at("Ollama memory.graph.full") == 444598272);
    CHECK(est.at("Ollama memory.graph.partial") == 598456320);
    CHECK(est.at("Ollama layers.offload") == 29);
}

// The same decision when the GPU is small: L-34 (ollama/ollama#5913), Qwen2-72B Q4_K_S on 24.0 GiB, puts 43 of 81
// layers on the GPU, and llama.cpp's buffers follow that count: most of the weights stay in host memory.
TEST_CASE("Ollama's own layer count reaches the buffers; without a version the current release's llama-server fits them") {
    const std::string base = R"("model":"qwen2-72b","weights":"gguf:Q4_K_S","runtime":"ollama","device":{"name":"GPU","memory_mib":24576},"context":2048)";
    const json old = estimate("{" + base + R"(,"engine":{"version":"0.2.8"}})");
    const json now = estimate("{" + base + "}");
    // 43 of 80 repeating layers (the output layer stays on the CPU): over half the ~40 GiB of weights on the GPU.
    CHECK(gib(item(old, "model buffer", 0)) > 19.0);
    CHECK(gib(item(old, "model buffer", 0)) < 23.0);
    CHECK(gib(item(old, "model buffer (host)", -1)) > 17.0);
    // Current Ollama passes no -ngl (llm/llama_server.go, v0.30.0: "let llama-server auto-detect via -ngl auto") and
    // llama-server's --fit keeps the last layers that leave 1 GiB free: most of the weights stay in host memory again.
    CHECK(gib(item(now, "model buffer", 0)) < 23.0);
    CHECK(gib(item(now, "model buffer (host)", -1)) > 15.0);
    CHECK(any_contains(now.at("assumptions"), "llama-server's --fit"));
    // Asking for num_gpu overrides Ollama's decision.
    const json asked = estimate("{" + base + R"(,"engine":{"version":"0.2.8","n_gpu_layers":10}})");
    CHECK(gib(item(asked, "model buffer", 0)) < 6.0);
}

// Ollama's default num_ctx by release (envconfig/config.go): 2,048 before 0.7.0, 4,096 from 0.7.0 to 0.15.4, then
// decided by VRAM (4,096 under 23 GiB, 32,768 from 23 GiB: an RTX 4090 has 23.6 GiB).
TEST_CASE("Ollama's default context follows the release asked for") {
    auto cells = [](const std::string& version) {
        const std::string engine = version.empty() ? "" : R"(,"engine":{"version":")" + version + R"("})";
        return estimate(R"({"model":"qwen3-8b","runtime":"ollama","gpu":"rtx-4090")" + engine + "}").at("kv_cache").at("capacity_tokens").get<i64>();
    };
    CHECK(cells("0.5.1") == 2048);
    CHECK(cells("0.6.8") == 2048);
    CHECK(cells("0.7.0") == 4096);
    CHECK(cells("0.15.4") == 4096);
    CHECK(cells("0.15.5") == 32768);
    CHECK(cells("") == 32768);
}

TEST_CASE("a model whose output shares the token embeddings holds a copy of them with the output layer (L-39, L-36)") {
    // llama_model::load_tensors creates "output" from token_embd with TENSOR_DUPLICATED when the GGUF has no output
    // matrix: the input layer's copy stays in host memory and a second one is loaded with the output layer. L-39
    // (Qwen3-4B Q4_K_M, llama-server, all 37 layers on CUDA0) printed CPU_Mapped 304.28 MiB and CUDA0 2,375.91 MiB:
    // the GPU holds every tensor but token_embd, plus token_embd again.
    const json r = estimate(R"({"model":"qwen3-4b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-4090","context":2048,"concurrency":4})");
    CHECK(mib(item(r, "model buffer (host)", -1)) == doctest::Approx(304.28).epsilon(0.0001));
    CHECK(mib(item(r, "model buffer", 0)) == doctest::Approx(2375.91).epsilon(0.00001));
    // Qwen3-4B F16 on Ollama 0.12.3 (L-36): the GPU's model weights printed as "7.5 GiB" (Ollama's one decimal), the
    // host's as 741.9 MiB, token_embd at F16 (151,936 x 2,560 x 2 B = 741.88 MiB).
    const json f16 = estimate(R"({"model":"qwen3-4b","weights":"gguf:F16","runtime":"ollama","gpu":"rtx-4090","context":4096,"engine":{"version":"0.12.3"}})");
    CHECK(item(f16, "model buffer (host)", -1) == i64{151936} * 2560 * 2);
    CHECK(std::round(gib(item(f16, "model buffer", 0)) * 10.0) / 10.0 == doctest::Approx(7.5));
    // With the output layer on the CPU (-ngl 0) there is no copy: both uses map the same bytes of the file, so host
    // memory holds every tensor once, which is what the GPU held above.
    const json cpu =
        estimate(R"({"model":"qwen3-4b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-4090","context":2048,"engine":{"n_gpu_layers":0}})");
    CHECK(item(cpu, "model buffer", 0) == 0);
    CHECK(item(cpu, "model buffer (host)", -1) == item(r, "model buffer", 0));
}

TEST_CASE("llama.cpp from b9410 reserves the flash-attention mask in f16; llama-server from b9460 the logits of one row per sequence") {
    // Qwen3-4B Q4_K_M on one GPU, n_ctx 8,192 for 4 sequences in one unified cache, ubatch 512, flash attention on.
    // Widths: n_embd 2,560, FFN 9,728, vocabulary 151,936.
    const auto run = [](const std::string& version) {
        return estimate(R"({"model":"qwen3-4b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-4090","context":2048,"concurrency":4,
                            "engine":{"flash_attn":true)" +
                        (version.empty() ? std::string() : R"(,"version":")" + version + "\"") + "}}");
    };
    const i64 mask32 = i64{8192} * 512 * 4, mask16 = i64{8192} * 512 * 2, E = i64{2560} * 512 * 4;
    const i64 logits_all = (i64{151936} + 2560) * 512 * 4;
    // Before: an f32 mask in host memory beside two embedding-wide inputs (from b7819), and logits for all 512 ubatch
    // tokens set the GPU's peak; before b7819 one embedding input.
    const json before = run("b9409");
    CHECK(item(before, "host compute buffer", -1) == mask32 + 2 * E);
    CHECK(item(run("b7800"), "host compute buffer", -1) == mask32 + E);
    CHECK(item(before, "compute buffer", 0) == logits_all);
    // b9410: the host holds the mask in f16; the peak is still the logits.
    const json f16 = run("b9410");
    CHECK(item(f16, "host compute buffer", -1) == mask16 + 2 * E);
    CHECK(item(f16, "compute buffer", 0) == logits_all);
    // b9460: four rows of logits, so the FFN phase sets the peak, as a 2026 build holds it: gate, up and their swiglu
    // product (not computed in place), the residual and normed input, and the gap attention leaves (32 heads x 128),
    // beside the f16 mask every layer keeps: 8 + (3 x 9,728 + 2 x 2,560 + 4,096) x 512 x 4 B = 83 MiB (L-39, an
    // October 2026 build, printed 85.01). The host holds the mask and two embedding-wide inputs: 8 + 10 = 18 MiB.
    const json rows = run("b9460");
    CHECK(item(rows, "compute buffer", 0) == mask16 + (3 * i64{9728} + 2 * 2560 + 32 * 128) * 512 * 4);
    CHECK(item(rows, "host compute buffer", -1) == mask16 + 2 * E);
    // A request that names no build is taken as an older one, and says so.
    const json none = run("");
    CHECK(item(none, "compute buffer", 0) == logits_all);
    CHECK(any_contains(none.at("assumptions"), "llama-server from b9460 reserves logits for one row per sequence"));
    // Ollama ships them in 0.30.0 (the mask) and 0.30.2 (the rows).
    const auto ollama = [](const std::string& version) {
        return estimate(R"({"model":"qwen3-4b","weights":"gguf:Q4_K_M","runtime":"ollama","gpu":"rtx-4090","context":2048,"concurrency":4,
                            "engine":{"flash_attn":true,"version":")" +
                        version + "\"}}");
    };
    CHECK(item(ollama("0.30.0"), "host compute buffer", -1) == mask16 + 2 * E);
    CHECK(item(ollama("0.30.0"), "compute buffer", 0) == logits_all);
    CHECK(item(ollama("0.30.2"), "compute buffer", 0) == item(rows, "compute buffer", 0));
}

TEST_CASE("Ollama's own engine reserves logits for one row per sequence and keeps the mask on the GPU (L-42, L-36)") {
    // L-42 (ollama#12027): Ollama 0.11.6 running Llama-3.1-8B Q4_0 on its own engine (OLLAMA_NEW_ENGINE), one
    // sequence, 26,624 cells of q4_0 KV, batch 512, flash attention on. reserveWorstCaseGraph gives the batch one
    // output per parallel sequence, so the logits are a single row and the FFN phase sets the peak:
    //   f16 mask 26,624 x 512 x 2 B + gate and up outputs, the residual and the normed input (2 x 14,336 + 2 x 4,096)
    //   x 512 x 4 B = 26 + 72 MiB = 98.0 MiB, the "compute graph" printed for CUDA0.
    // The CPU keeps the token embeddings it looks up: 4,096 x 512 x 4 B = 8.0 MiB, as printed.
    const std::string request = R"({"model":"llama-3.1-8b","weights":"gguf:Q4_0","runtime":"ollama","gpu":"rtx-2080-ti","context":26624,
        "kv_cache_dtype":"q4_0","engine":{"version":"0.11.6","flash_attn":true,"n_batch":512,"OLLAMA_NEW_ENGINE":true}})";
    const json own = estimate(request);
    CHECK(item(own, "compute buffer", 0) == i64{26624} * 512 * 2 + (2 * i64{14336} + 2 * 4096) * 512 * 4);
    CHECK(mib(item(own, "compute buffer", 0)) == doctest::Approx(98.0));
    CHECK(item(own, "host compute buffer", -1) == i64{4096} * 512 * 4);
    // 0.11.6 runs a llama model on its llama.cpp runner unless OLLAMA_NEW_ENGINE is set: logits for every ubatch token.
    std::string runner = request;
    runner.replace(runner.find(R"(,"OLLAMA_NEW_ENGINE":true)"), std::string(R"(,"OLLAMA_NEW_ENGINE":true)").size(), "");
    CHECK(item(estimate(runner), "compute buffer", 0) == (i64{128256} + 4096) * 512 * 4);
    // Qwen3 is on the list of architectures the engine requires from 0.12.0 (fs/ggml OllamaEngineRequired): L-36, Qwen3-4B
    // F16 on 0.12.3, flash attention off, 4,096 cells: KQ 32 heads x 4,096 x 512 x 4 B = 256 MiB + q, k, v and two
    // n_embd rows ((4,096 + 2 x 1,024 + 2 x 2,560) x 512 x 4 B = 22 MiB) + the f32 mask (8 MiB) = 286 MiB; printed 290.
    const json l36 = estimate(R"({"model":"qwen3-4b","weights":"gguf:F16","runtime":"ollama","gpu":"radeon-ai-pro-r9700","context":4096,
        "engine":{"version":"0.12.3","flash_attn":false}})");
    CHECK(item(l36, "compute buffer", 0) == i64{32} * 4096 * 512 * 4 + (4096 + 2 * 1024 + 2 * 2560) * i64{512} * 4 + i64{4096} * 512 * 4);
    CHECK(std::abs(mib(item(l36, "compute buffer", 0)) - 290.0) / 290.0 < 0.02);
    // From 0.30 every model runs on llama-server.
    const json v030 = estimate(R"({"model":"qwen3-4b","weights":"gguf:F16","runtime":"ollama","gpu":"radeon-ai-pro-r9700","context":4096,
        "engine":{"version":"0.30.0","flash_attn":false}})");
    CHECK(item(v030, "compute buffer", 0) > item(l36, "compute buffer", 0));
}

TEST_CASE("Ollama's llama.cpp runner turns embeddings on, so its output buffer holds them beside the logits (L-35, L-40)") {
    // L-35 (Ollama 0.13.2, Phi-4): (100,352 + 5,120) x 4 B = 0.40 MiB for one sequence.
    const json phi = estimate(R"({"model":"phi-4","weights":"gguf:Q4_K_M","runtime":"ollama","gpu":"rtx-4090","context":4096,
        "engine":{"version":"0.13.2","flash_attn":false,"n_batch":512}})");
    CHECK(item(phi, "output buffer (host)", -1) == (i64{100352} + 5120) * 4);
    // L-40 (Ollama 0.5.7, DeepSeek-R1-Distill-Qwen-32B, 4 sequences): 4 x (152,064 + 5,120) x 4 B = 2.40 MiB.
    const json r1 = estimate(R"({"model":"deepseek-r1-distill-qwen-32b","weights":"gguf:Q4_K_M","runtime":"ollama","gpu":"rtx-4090","context":2048,
        "concurrency":4,"engine":{"version":"0.5.7","flash_attn":false,"n_batch":2048}})");
    CHECK(item(r1, "output buffer (host)", -1) == 4 * (i64{152064} + 5120) * 4);
    CHECK(std::abs(mib(item(r1, "output buffer (host)", -1)) - 2.40) < 0.005);
    // llama-server, and Ollama from 0.30, keep logits only.
    const json server = estimate(R"({"model":"phi-4","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-4090","context":4096})");
    CHECK(item(server, "output buffer (host)", -1) == i64{100352} * 4);
}

TEST_CASE("Ollama's own engine cached GLM-4.7-Flash's heads whole until 0.15.0 (L-43)") {
    // ollama#13789 (0.14.3, num_ctx 8,192): K of 20 heads x (192 + 64) and V of 20 x 256 values at f16 = 20,480 B per
    // token and layer, 160 MiB per layer at 8,192 tokens; 5 layers on the GPU print 800.0 MiB.
    const auto kv_gpu = [](const std::string& version) {
        return item(estimate(R"({"model":"glm-4.7-flash","weights":"gguf:Q4_K_M","runtime":"ollama","gpu":"rtx-4090","context":8192,
            "engine":{"version":")" +
                             version + R"(","n_gpu_layers":6}})"),
                    "KV cache", 0);
    };
    CHECK(kv_gpu("0.14.3") == 5 * i64{20} * (192 + 64 + 256) * 2 * 8192);
    CHECK(mib(kv_gpu("0.14.3")) == doctest::Approx(800.0));
    // 0.15.0 caches the latent: kv_lora_rank 512 + rope 64 values.
    CHECK(kv_gpu("0.15.0") == 5 * i64{512 + 64} * 2 * 8192);
}

TEST_CASE("Ollama's own engine keeps checkpoints of the recurrent state in its cache: 32 a sequence for Qwen3-Next, then 24 (L-81..L-83)") {
    // Qwen3-Next-80B-A3B: 36 Gated DeltaNet layers, each with a conv state of 3 x (2 x 16 x 128 + 32 x 128) = 24,576 and a
    // delta state of 32 x 128 x 128 = 524,288 values in f32: 2,195,456 B a sequence. Ollama's engine reports them within
    // its "kv cache", for the live sequence and max(count x sequences, 8) checkpoints: count 32 in Qwen3-Next's own cache
    // (0.15.5-0.17.0), 24 in the shared recurrent cache from 0.17.1; llama.cpp keeps the live state alone.
    const std::string base = R"({"model":"qwen3-next-80b-a3b","weights":"gguf:Q4_K_M","gpus":[{"gpu":"h100-sxm-80gb","count":2}],"context":4096,)";
    const json v17 = estimate(base + R"("runtime":"ollama","engine":{"version":"0.17.0","flash_attn":true,"n_gpu_layers":49}})");
    const json v19 = estimate(base + R"("runtime":"ollama","engine":{"version":"0.19.0","flash_attn":true,"n_gpu_layers":49}})");
    const json cpp = estimate(base + R"("runtime":"llama.cpp","engine":{"flash_attn":true}})");
    const i64 state = (i64{3} * (2 * 16 * 128 + 32 * 128) + i64{32} * 128 * 128) * 4;
    CHECK(state == 2195456);
    const i64 kv17 = item(v17, "KV cache", 0) + item(v17, "KV cache", 1), kv19 = item(v19, "KV cache", 0) + item(v19, "KV cache", 1);
    CHECK(kv17 - kv19 == 36 * 8 * state);
    CHECK(item(cpp, "recurrent state (RS buffer)", 0) + item(cpp, "recurrent state (RS buffer)", 1) == 36 * state);
    CHECK(item(v19, "recurrent state (RS buffer)", 0) == 0);
    // L-82 (0.19.0, q8_0 cache, 20 layers on the GPU: 15 recurrent and 5 attention): the printed "955.2 MiB" is 15 x 25 states
    // (785.2 MiB) beside the 5 attention layers' 170 MiB.
    CHECK(std::abs(mib(15 * 25 * state) - 785.16) < 0.01);
}

TEST_CASE("Ollama's own engine keeps 4,096 tokens of sliding-window memory per sequence for gpt-oss and Gemma 4 (L-44, L-45)") {
    // kvcache.NewSWAMemCache(window, 4096): Causal.Init gives a sliding layer parallel x memory + batch cells (the memory
    // one token above the window with parallel sequences), padded to 256. The note names the cells per layer.
    const auto kv_note = [](const json& r) {
        for (const json& b : r.at("breakdown"))
            if (b.at("label") == "KV cache" && b.at("device") == 0) return b.at("note").get<std::string>();
        return std::string();
    };
    // ollama#12752 (0.12.6): gpt-oss-120b, 4 x 8,192 tokens, batch 512. 18 full layers x 32,768 cells and 18 sliding
    // layers x (4 x 4,096 + 512 = 16,896) cells, 2,048 B a cell (8 KV heads x 64 x 2 x 2 B): 1,830,813,696 B = 1,746 MiB;
    // the log printed "1.7 GiB" and 33 MiB (16,896 x 2,048 B) per sliding layer.
    const json oss = estimate(R"({"model":"gpt-oss-120b","weights":"gguf:MXFP4_MOE","runtime":"ollama","gpu":"ryzen-ai-max-plus-395","context":8192,
        "concurrency":4,"engine":{"version":"0.12.6","flash_attn":true,"n_gpu_layers":37}})");
    CHECK(item(oss, "KV cache", 0) == 18 * i64{32768} * 2048 + 18 * i64{16896} * 2048);
    CHECK(kv_note(oss).find("18 sliding layers × 16896 cells") != std::string::npos);
    // ollama#15388 (0.20.x): gemma-4-26b-a4b, one sequence of 32,768 tokens. 5 global layers x 32,768 cells x 4,096 B
    // (2 KV heads x 512 x 2 x 2 B) + 25 sliding layers x (4,096 + 512 = 4,608) cells x 8,192 B (8 x 256 x 2 x 2 B)
    // = 671,088,640 + 943,718,400 = 1,614,807,040 B = 1,540 MiB, as the per-layer debug figures sum (36 and 128 MiB).
    const json gemma4 = estimate(R"({"model":"gemma-4-26b-a4b","weights":"gguf:Q4_K_M","runtime":"ollama","gpu":"l40","context":32768,
        "engine":{"version":"0.20.3","flash_attn":true,"mmproj":true}})");
    CHECK(item(gemma4, "KV cache", 0) == 5 * i64{32768} * 4096 + 25 * i64{4608} * 8192);
    // Ollama 0.30 runs GGUF models on llama-server: llama.cpp's sliding layers keep window x sequences + ubatch cells,
    // 128 x 4 + 512 = 1,024 for gpt-oss.
    const json server = estimate(R"({"model":"gpt-oss-120b","weights":"gguf:MXFP4_MOE","runtime":"ollama","gpu":"ryzen-ai-max-plus-395","context":8192,
        "concurrency":4,"engine":{"version":"0.30.0","flash_attn":true,"n_gpu_layers":37}})");
    CHECK(kv_note(server).find("18 sliding layers × 1024 cells") != std::string::npos);
    // Gemma 3 asks for the window itself (NewSWACache): with two sequences its memory is the window + 1 = 1,025 tokens,
    // 2 x 1,025 + 512 = 2,562 cells, padded to 2,816.
    const json gemma3 = estimate(R"({"model":"gemma-3-27b","weights":"gguf:Q4_K_M","runtime":"ollama","gpu":"rtx-4090","context":8192,
        "concurrency":2,"engine":{"version":"0.12.6","flash_attn":true}})");
    CHECK(kv_note(gemma3).find("sliding layers × 2816 cells") != std::string::npos);
}

TEST_CASE("Ollama's llama.cpp runner counts num_gpu from the repeating layers, and on a Mac before 0.5.2 computes its CPU layers there (L-114)") {
    // L-114 (Ollama 0.4.1, Metal, an M1 Pro): a 36-layer Granite 8B Code (8 KV heads x 128) at 128,000 tokens, flash
    // attention off. Ollama chose 20 layers and its vendored llama.cpp put the last 20 repeating layers on the GPU and
    // the output layer on the CPU (i_gpu_start = n_layer - n_gpu_layers): 20 x 128,000 x 1,024 x 2 x 2 B = 10,000 MiB of
    // KV on Metal, 8,000 on the CPU. Metal had no offload_op yet, so the CPU layers computed there: the host graph
    // holds one layer's f32 scores, 32 x 128,000 x 512 x 4 B = 8,000 MiB, as the GPU's does. Printed: 8282.01 and 8282.00.
    const std::string config = R"("config":{"model_type":"llama","architectures":["LlamaForCausalLM"],"hidden_size":4096,"num_hidden_layers":36,
        "num_attention_heads":32,"num_key_value_heads":8,"intermediate_size":14336,"vocab_size":49152,"tie_word_embeddings":true,
        "attention_bias":true,"mlp_bias":true,"max_position_embeddings":128000,"rope_theta":10000000.0},"weights":"gguf:Q4_0",
        "gpu":"m1-pro-32gb","context":128000,)";
    const i64 layer_kv = i64{128000} * 1024 * 2 * 2;
    const i64 scores = i64{32} * 128000 * 512 * 4;
    const json v04 = estimate("{" + config + R"("runtime":"ollama","engine":{"version":"0.4.1","flash_attn":false,"n_gpu_layers":20}})");
    CHECK(item(v04, "KV cache", 0) == 20 * layer_kv);
    CHECK(item(v04, "KV cache (host)", -1) == 16 * layer_kv);
    CHECK(item(v04, "host compute buffer", -1) > scores);
    CHECK(std::abs(mib(item(v04, "host compute buffer", -1)) / 8282.01 - 1) < 0.01);
    // From 0.5.2 (llama.cpp of 2024-12-10) Metal takes the CPU layers' big matmuls: the host keeps their inputs only.
    const json v052 = estimate("{" + config + R"("runtime":"ollama","engine":{"version":"0.5.2","flash_attn":false,"n_gpu_layers":20}})");
    CHECK(item(v052, "host compute buffer", -1) < scores / 10);
    // llama.cpp since b7467 counts the output layer first: -ngl 20 is the output layer and 19 repeating layers.
    const json cpp = estimate("{" + config + R"("runtime":"llama.cpp","engine":{"flash_attn":false,"n_gpu_layers":20}})");
    CHECK(item(cpp, "KV cache", 0) == 19 * layer_kv);
}

TEST_CASE("Ollama's own engine keeps a second copy of tied embeddings for the output layer, on the CPU too (L-124)") {
    // L-124 (0.12.6, qwen3:1.7b on the CPU only): the engine creates output.weight from token_embd ("output,alt:token_embd")
    // in buffers of its own, so the CPU holds both: 1.3 GiB printed. llama.cpp maps both from the same bytes of the file.
    // Q4_K_M keeps a tied token_embd in q6_K (the output matrix's type): 151,936 x 2,048 / 256 x 210 B.
    const std::string base = R"({"model":"qwen3-1.7b","weights":"gguf:Q4_K_M","gpu_count":0,"host":{"memory_mib":32768},"context":4096,)";
    const json own = estimate(base + R"("runtime":"ollama","engine":{"version":"0.12.6","flash_attn":true}})");
    const json cpp = estimate(base + R"("runtime":"llama.cpp","engine":{"flash_attn":true}})");
    CHECK(item(own, "model buffer (host)", -1) - item(cpp, "model buffer (host)", -1) == i64{151936} * 2048 / 256 * 210);
    CHECK(std::abs(mib(item(own, "model buffer (host)", -1)) / 1331.2 - 1) < 0.05);
}

TEST_CASE("on the CPU alone a flash-attention build before b9410 frees its f32 mask once cast: the peak is the cast, not mask and logits (C-123)") {
    // C-123 (b8428, CPU only): Qwen3.5-0.8B (n_embd 1,024, vocabulary 248,320), 4 slots sharing 262,144 cells, ub 512.
    // The f32 mask 262,144 x 512 x 4 B, its f16 cast 262,144 x 512 x 2 B and two embedding-wide inputs 2 x 1,024 x 512 x
    // 4 B = 772 MiB; the logits (248,320 + 1,024) x 512 x 4 B = 487 MiB come after. Printed: 786.02.
    const json r = estimate(R"({"model":"qwen3.5-0.8b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu_count":0,"context":65536,"concurrency":4,
        "engine":{"flash_attn":true,"kv_unified":true,"version":"b8428"}})");
    CHECK(item(r, "host compute buffer", -1) == i64{262144} * 512 * 4 + i64{262144} * 512 * 2 + 2 * i64{1024} * 512 * 4);
    CHECK(std::abs(mib(item(r, "host compute buffer", -1)) / 786.02 - 1) < 0.02);
}

TEST_CASE("Ollama's own engine on the CPU alone: its fused SwiGLU from 0.12.0, and from 0.12.11 the f16 mask it casts in the graph (L-124, L-125)") {
    // L-124 (0.12.6, qwen3:1.7b, 4,096 tokens, batch 512): inputs stay in buffers of their own, so the CPU compute buffer
    // is layer 0's FFN step: the residual, gate, up and their product (ggml_swiglu_split, not in place) and the holes the
    // normed input and the attention output leave: (3 x 6,144 + 2 x 2,048 + 16 x 128) x 512 x 4 B = 48 MiB, printed 48.0.
    const json dense = estimate(R"({"model":"qwen3-1.7b","weights":"gguf:Q4_K_M","runtime":"ollama","gpu_count":0,"host":{"memory_mib":23654},
        "context":4096,"engine":{"version":"0.12.6","flash_attn":true}})");
    CHECK(item(dense, "host compute buffer", -1) == (3 * i64{6144} + 2 * 2048 + 16 * 128) * 512 * 4);
    // L-125 (0.16.1, Qwen3-Coder-30B-A3B, 16,384 cells): the mask cast to f16 in the graph (16,384 x 512 x 2 B) beside the
    // MoE step of the experts held here: gate, up and product of 8 experts x 768, the down output of 8 x 2,048 and two
    // hidden states, (3 x 8 x 768 + 8 x 2,048 + 2 x 2,048) x 512 x 4 B: 16 + 76 = 92 MiB, printed 96.
    const json moe = estimate(R"({"model":"qwen3-coder-30b-a3b","weights":"gguf:Q3_K_S","runtime":"ollama","gpu_count":0,"host":{"memory_mib":13619},
        "context":16384,"engine":{"version":"0.16.1","flash_attn":true}})");
    CHECK(item(moe, "host compute buffer", -1) == i64{16384} * 512 * 2 + (3 * 8 * i64{768} + 8 * 2048 + 2 * 2048) * 512 * 4);
    CHECK(std::abs(mib(item(moe, "host compute buffer", -1)) / 96.0 - 1) < 0.05);
}

TEST_CASE("Qwen3.5/3.6: the f16 mask's cast waits for the first full-attention layer, beside its gated query (C-34, C-121)") {
    // C-34 (b8946, Qwen3.6-27B IQ4_XS on an RTX 3090, 200,192 cells, q8_0 K and V, flash attention on, ub 512): the f32
    // mask copy and its f16 cast, beside layer 3's residual and the embeddings' copy (2 x 5,120), the query projection
    // with its gate (2 x 6,144), the normed and roped query (6,144) and, the K cache being q8_0 from b8639, the query
    // rotated into its basis (6,144): 200,192 x 512 x 6 B + (2 x 5,120 + 4 x 6,144) x 512 x 4 B = 654.5 MiB, printed 654.78.
    const json c34 = estimate(R"({"model":"qwen3.6-27b","weights":"gguf:IQ4_XS","runtime":"llama.cpp","gpu":"rtx-3090","context":200192,
        "kv_cache_dtype":"q8_0","engine":{"flash_attn":true,"version":"b8946"}})");
    CHECK(item(c34, "compute buffer", 0) == i64{200192} * 512 * 6 + (2 * i64{5120} + 4 * 6144) * 512 * 4);
    // C-121 (b8571, before the rotation; Qwen3.5-9B, two sequences in 262,144 unified cells): 3 query widths of 4,096.
    const json c121 = estimate(R"({"model":"qwen3.5-9b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-4070","context":131072,"concurrency":2,
        "kv_cache_dtype":"q8_0","engine":{"flash_attn":true,"kv_unified":true,"version":"b8571"}})");
    CHECK(item(c121, "compute buffer", 0) == i64{262144} * 512 * 6 + (2 * i64{4096} + 3 * 4096) * 512 * 4);
    CHECK(item(c121, "compute buffer", 0) == i64{808} * MiB);
}

TEST_CASE("a build that casts its f32 mask does it beside layer 0's query projection and roped query (C-7, C-6)") {
    // C-7 (b6168, GLM-4.5-Air on an RTX PRO 6000, 131,072 cells, ub 4,096, flash attention on): the f32 mask copy
    // (131,072 x 4,096 x 4 B = 2,048 MiB) and its f16 cast (1,024 MiB) beside the embeddings' copy and the normed input's
    // hole (2 x 4,096 x 4,096 x 4 B) and, rope not being in place, the query projection and the roped query (2 x 96 heads
    // x 128 x 4,096 x 4 B): 3,584 MiB, printed 3,584.09.
    const json c7 = estimate(R"({"model":"glm-4.5-air","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-pro-6000-blackwell",
        "context":131072,"engine":{"n_batch":4096,"n_ubatch":4096,"version":"b6168"}})");
    CHECK(item(c7, "compute buffer", 0) == i64{131072} * 4096 * 6 + (2 * i64{4096} + 2 * 96 * 128) * 4096 * 4);
    CHECK(item(c7, "compute buffer", 0) == i64{3584} * MiB);
    // C-6 (b7700, gpt-oss-20b, ub 2,048; the 128-token window's cache holds 128 + 2,048 cells padded to 2,304): both
    // masks in f32 and f16, 2 x 2,880 and 2 x 64 heads x 64: (131,072 + 2,304) x 2,048 x 6 B + (5,760 + 8,192) x 2,048 x
    // 4 B = 1,672 MiB, printed 1,672.08.
    const json c6 = estimate(R"({"model":"gpt-oss-20b","weights":"gguf:MXFP4_MOE","runtime":"llama.cpp","gpu":"m4-max-128gb",
        "context":131072,"engine":{"n_ubatch":2048,"version":"b7700"}})");
    CHECK(item(c6, "compute buffer", 0) == (i64{131072} + 2304) * 2048 * 6 + (2 * i64{2880} + 2 * 64 * 64) * 2048 * 4);
}

TEST_CASE("Ollama's runner on Metal, 0.12.4-0.24: the graph reordering casts the mask beside the roped query alone (L-121)") {
    // L-121 (Ollama 0.17.0's runner on an M4, phi-3-mini-128k, 32,768 cells, ub 512, flash attention on): Metal's graph
    // optimizer, looking 8 nodes ahead, runs the cast before the query projection's output is needed, so beside the f32
    // and f16 masks (32,768 x 512 x 6 B) only the embeddings' copy and the roped query (3,072 + 32 x 96) x 512 x 4 B:
    // 96 + 12 = 108 MiB, printed 108.01.
    const std::string base =
        R"({"model":"phi-3-mini-128k","weights":"gguf:Q4_0","runtime":"ollama","gpu":"m4-32gb","context":32768,"engine":{"flash_attn":true,"version":")";
    CHECK(item(estimate(base + R"(0.17.0"}})"), "compute buffer", 0) == i64{32768} * 512 * 6 + (i64{3072} + 32 * 96) * 512 * 4);
    // 0.12.3 vendored a Metal backend without that reordering: the query projection and the roped query stay.
    CHECK(item(estimate(base + R"(0.12.3"}})"), "compute buffer", 0) == i64{32768} * 512 * 6 + (2 * i64{3072} + 2 * 32 * 96) * 512 * 4);
}

TEST_CASE("Ollama's gpt-oss before 0.13 copies the halves of its fused gate_up output (L-91)") {
    // L-91 (0.11.10, gpt-oss-120b, 8,192 tokens, batch 512, flash attention, every layer on the GPU). model/models/gptoss
    // MLPBlock.Forward: the fused gate_up matmul over 4 experts (2 x 2,880 rows) and contiguous copies of its gate and up
    // halves (2,880 each) are live together above the residual and the normed input (2 x 2,880):
    // (2 x 2,880 + 4 x 4 x 2,880) x 512 x 4 B = 101.25 MiB. Below them the f16 masks of the full layers (8,192 cells) and
    // of the sliding ones (4,096 + 512 cells): (8,192 + 4,608) x 512 x 2 B = 12.5 MiB. Printed: "121.8 MiB".
    const std::string base = R"({"model":"gpt-oss-120b","weights":"gguf:MXFP4_MOE","runtime":"ollama","gpu":"h100-sxm-80gb","context":8192,)";
    const i64 masks = (i64{8192} + 4608) * 512 * 2;
    const json v11 = estimate(base + R"("engine":{"version":"0.11.10","flash_attn":true,"n_gpu_layers":37}})");
    CHECK(item(v11, "compute buffer", 0) == masks + (2 * i64{2880} + 4 * 4 * i64{2880}) * 512 * 4);
    CHECK(std::abs(mib(item(v11, "compute buffer", 0)) / 121.8 - 1) < 0.10);
    // 0.13.0 (ollama#12934) reads both halves as views: one 4 x 2,880 row less.
    const json v13 = estimate(base + R"("engine":{"version":"0.13.0","flash_attn":true,"n_gpu_layers":37}})");
    CHECK(item(v11, "compute buffer", 0) - item(v13, "compute buffer", 0) == 4 * i64{2880} * 512 * 4);
}

TEST_CASE("2026 llama.cpp builds: no attention gap when layer 0 is a Gated DeltaNet layer; two embedding inputs from b7819 (L-22, L-41)") {
    // L-22: Qwen3.6-27B (n_embd 5,120, n_ff 17,408; layer 0 is Gated DeltaNet), 4 sequences sharing 32,768 cells, ub 512,
    // flash attention, a 2026 build: the f16 mask 32,768 x 512 x 2 B = 32 MiB, then at layer 0's FFN the residual and the
    // normed input (2 x 5,120 x 512 x 4 B = 20 MiB) beside gate, up and product (3 x 17,408 x 512 x 4 B = 102 MiB), and no
    // gap of attention output: 154 MiB; the log prints 154.02. Host: the mask and two embedding-wide inputs, 52 (52.02).
    const json l22 = estimate(R"({"model":"qwen3.6-27b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-pro-6000-blackwell","context":8192,
        "concurrency":4,"engine":{"version":"b9460"}})");
    CHECK(item(l22, "compute buffer", 0) == i64{32768} * 512 * 2 + (3 * i64{17408} + 2 * 5120) * 512 * 4);
    CHECK(item(l22, "host compute buffer", -1) == i64{32768} * 512 * 2 + 2 * i64{5120} * 512 * 4);
    // Qwen3-4B's layer 0 is attention: its output (32 heads x 128 x 512 x 4 B = 8 MiB) leaves a gap under the FFN step.
    const json qwen3 = estimate(R"({"model":"qwen3-4b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-4090","context":2048,"concurrency":4,
        "engine":{"version":"b9460"}})");
    CHECK(item(qwen3, "compute buffer", 0) == i64{8192} * 512 * 2 + (3 * i64{9728} + 2 * 2560 + 32 * 128) * 512 * 4);
    // The second embedding-wide input (llama.cpp#18898, b7819; L-41's b9124 has it: gemma-4-31B, n_embd 5,376), a build
    // before it does not: 5,376 x 512 x 4 B = 10.5 MiB apart.
    const auto host = [](const std::string& build) {
        return item(estimate(R"({"model":"gemma-4-31b","weights":"gguf:Q8_0","runtime":"llama.cpp","gpu":"ryzen-ai-max-plus-395","context":65536,
            "concurrency":4,"engine":{"version":")" +
                             build + R"("}})"),
                    "host compute buffer", -1);
    };
    CHECK(host("b7819") - host("b7818") == i64{5376} * 512 * 4);
}

TEST_CASE("Ollama's own engine loads the vision tower of its blob with the output layer and reserves one image's graph (L-72, L-66)") {
    // L-72 (take0a/mcp, Ollama 0.9.6): gemma3:27b, no flash attention. The tower encodes a 2048 x 2048 image resized to
    // its 896-pixel input: (896 / 14)^2 = 4,096 patches, 16 heads of f32 scores (4,096^2 x 16 x 4 B = 1,024 MiB) beside
    // the residual, q, k and the copy of v (4 x 4,096 x 1,152 x 4 B = 72 MiB): 1,096 MiB, printed "1.1 GiB" (1,075-1,178);
    // the text graph alone is about half that.
    const char* gemma3 = R"({"model":"gemma-3-27b","weights":"gguf:Q4_K_M","runtime":"ollama","device":{"name":"780M","memory_mib":34406,
        "unified_memory":true},"context":4096,"concurrency":2,"engine":{"version":"0.9.6","flash_attn":false}})";
    const json with_tower = estimate(gemma3);
    CHECK(item(with_tower, "compute buffer", 0) == 16 * i64{4096} * 4096 * 4 + 4 * i64{4096} * 1152 * 4);
    CHECK(item(with_tower, "mmproj model buffer", 0) == 0);  // one "model weights" figure per device, as Ollama prints
    // engine.mmproj false: no tower, the text graph and the text weights alone.
    json text_only_request = json::parse(gemma3);
    text_only_request["engine"]["mmproj"] = false;
    const json text_only = estimate(text_only_request.dump());
    CHECK(item(text_only, "compute buffer", 0) < 600 * MiB);
    CHECK(item(with_tower, "model buffer", 0) - item(text_only, "model buffer", 0) > 780 * MiB);  // projector.weights printed 795.9 MiB
    // With flash attention the tower keeps no scores: its MLP half, (2 x 1,152 + 4,304) x 4,096 x 4 B = 103 MiB, is below
    // the text graph.
    json fa_request = json::parse(gemma3);
    fa_request["engine"]["flash_attn"] = true;
    CHECK(item(estimate(fa_request.dump()), "compute buffer", 0) < 600 * MiB);
    // L-66 (TandoorRecipes/recipes#4246, 0.16.0): llama3.2-vision, 4 tiles of (560 / 14)^2 + 1 = 1,601 patches padded to
    // 1,608: 6,432 rows; scores 6,432^2 x 16 x 4 B, plus the 4 rows of the attention and the 5 intermediate layers' inputs
    // the tower keeps, 9 x 6,432 x 1,280 x 4 B: 2,808 MiB, printed "2.9 GiB" (2,918-3,021: 4 % under).
    const json mllama = estimate(R"({"model":"llama-3.2-11b-vision","weights":"gguf:Q4_K_M","runtime":"ollama","device":{"name":"12 GB","memory_mib":12288},
        "context":4096,"engine":{"version":"0.16.0","flash_attn":false}})");
    CHECK(item(mllama, "compute buffer", 0) == 16 * i64{6432} * 6432 * 4 + 9 * i64{6432} * 1280 * 4);
}

TEST_CASE("Ollama's llama.cpp runner keeps whole sliding layers and one KV stream per sequence (L-101)") {
    // L-101 (Ollama 0.18.2, gemma2:2b Q4_0, 2 sequences x 8,192, n_ubatch 256, no flash attention): the runner starts from
    // llama_context_default_params (swa_full true, kv_unified false). 26 layers x 2 streams x 8,192 cells x 4 KV heads x
    // 256 x (K + V) x 2 B = 1,744,830,464 B: the log's two 832.00 MiB lines.
    const char* request = R"({"model":"gemma-2-2b","weights":"gguf:Q4_0","runtime":"ollama","device":{"name":"RX 6600","memory_mib":8176},
        "context":8192,"concurrency":2,"engine":{"version":"0.18.2","flash_attn":false,"n_batch":512,"n_ubatch":256}})";
    const json runner = estimate(request);
    CHECK(item(runner, "KV cache", 0) == 26 * i64{2} * 8192 * 4 * 256 * 2 * 2);
    // The host inputs: each of the two f32 masks spans one stream's 8,192 cells (8,192 x 256 x 4 B), beside the looked-up
    // embeddings (2,304 x 256 x 4 B) and, without flash attention, each cache's V indices (one int64 per value of the
    // ubatch's V rows: 256 x 4 KV heads x 256 x 8 B): 22.25 MiB; the log prints 22.26.
    CHECK(item(runner, "host compute buffer", -1) == 2 * i64{8192} * 256 * 4 + i64{2304} * 256 * 4 + 2 * i64{256} * 4 * 256 * 8);
    // The runner of 0.11.4 still stored K and V with ggml_cpy: no index inputs, and one stream of 16,384 cells for both
    // sequences (non-unified caches need set_rows), so each mask spans 16,384 cells.
    json before_set_rows = json::parse(request);
    before_set_rows["engine"]["version"] = "0.11.4";
    CHECK(item(estimate(before_set_rows.dump()), "host compute buffer", -1) == 2 * i64{16384} * 256 * 4 + i64{2304} * 256 * 4);
    // llama-server (Ollama 0.30 on): the sliding layers keep the window and a ubatch, so less.
    json server_request = json::parse(request);
    server_request["engine"]["version"] = "0.30.0";
    CHECK(item(estimate(server_request.dump()), "KV cache", 0) < item(runner, "KV cache", 0));
}

TEST_CASE("Ollama's own engine computed the layers it kept on the CPU there from 0.7.0 to 0.12.7 (L-102)") {
    // L-102 (0.12.6, Qwen3-30B-A3B Q8_0 on an A10, 32,768 tokens, flash attention): the scheduler had op offload off, so
    // the CPU buffer holds the looked-up embeddings and a host layer's MoE phase: 2,048 x 512 x 4 B + (3 x 8 x 768 + 8 x
    // 2,048 + 2 x 2,048) x 512 x 4 B = 80 MiB; the log prints 84.0 MiB.
    const char* request = R"({"model":"qwen3-30b-a3b-thinking-2507","weights":"gguf:Q8_0","runtime":"ollama","device":{"name":"A10","memory_mib":23028},
        "context":32768,"engine":{"version":"0.12.6","flash_attn":true,"n_gpu_layers":31}})";
    const json off = estimate(request);
    const i64 host = i64{2048} * 512 * 4 + (3 * i64{8} * 768 + 8 * 2048 + 2 * 2048) * 512 * 4;
    CHECK(item(off, "host compute buffer", -1) == host);
    CHECK(std::fabs(mib(host) / 84.0 - 1) < 0.05);
    // 0.12.8 turned op offload on: the first GPU runs the host layers' big-batch work beside a copied weight, and the
    // CPU keeps its inputs.
    json on_request = json::parse(request);
    on_request["engine"]["version"] = "0.12.8";
    const json on = estimate(on_request.dump());
    CHECK(item(on, "host compute buffer", -1) < host / 4);
    CHECK(item(on, "compute buffer", 0) > item(off, "compute buffer", 0));
}

TEST_CASE("Ollama 0.12.11-0.29 fills a GPU with the last layers that fit and, when not all do, keeps the output layer on the CPU") {
    // llm/server.go (v0.18.2) createLayout / assignLayers: whole layers, back to front, within the free memory less
    // MinimumMemory (457 MiB on CUDA) and the graph; a second pass without the output layer when not every layer fits.
    // L-81 (0.19.0, Qwen3-Next) shows the result: "GPULayers:20(28..47)", the output layer's weights in the CPU figure.
    const std::string base = R"({"model":"qwen3-32b","weights":"gguf:Q4_K_M","runtime":"ollama","gpu":"rtx-4070","context":8192,"engine":{"version":"0.18.2")";
    const json chosen = estimate(base + "}}");
    const int layers = number_in_assumptions(chosen, " fits ", " of 64 layers on ");
    REQUIRE(layers > 0);
    REQUIRE(layers < 64);
    CHECK(any_contains(chosen.at("warnings"), "the output layer runs on the CPU"));
    // The same layers asked for explicitly, with the output layer on the GPU, hold one more tensor there; one layer more
    // than chosen does not fit the room.
    const i64 room = budget_bytes(chosen) - 457 * MiB;
    CHECK(buffers_on_gpu(chosen) <= room);
    const json more = estimate(base + R"(,"n_gpu_layers":)" + std::to_string(layers + 2) + "}}");  // output + layers + 1
    CHECK(buffers_on_gpu(more) > room);
    // A model that fits keeps every layer and the output on the GPU.
    const json small =
        estimate(R"({"model":"llama-3.1-8b","weights":"gguf:Q4_K_M","runtime":"ollama","gpu":"rtx-4090","context":8192,"engine":{"version":"0.18.2"}})");
    CHECK(item(small, "model buffer (host)", -1) < 300 * MiB);  // token_embd alone
    CHECK_FALSE(any_contains(small.at("warnings"), "the output layer runs on the CPU"));
}

TEST_CASE("Ollama from 0.30 leaves the layers to llama-server's --fit: 1 GiB left free, experts to system memory first") {
    // common/fit.cpp: the fit target (1,024 MiB) stays free on the device once the process holds its context; a MoE
    // model keeps expert tensors in system memory from the first layer up, a dense one keeps the last layers (the output
    // layer counted first) that fit.
    // Dense: Qwen3-32B Q4_K_M (18 GiB) on a 12 GB card.
    const std::string dense = R"({"model":"qwen3-32b","weights":"gguf:Q4_K_M","runtime":"ollama","gpu":"rtx-4070","context":8192)";
    const json fitted = estimate(dense + "}");
    const int layers = number_in_assumptions(fitted, "which keeps ", " of 65 layers");
    REQUIRE(layers > 1);
    REQUIRE(layers < 65);
    const i64 room = budget_bytes(fitted) - 300 * MiB - 1024 * MiB;  // less the CUDA context and the fit target
    CHECK(buffers_on_gpu(fitted) <= room);
    CHECK(buffers_on_gpu(estimate(dense + R"(,"engine":{"n_gpu_layers":)" + std::to_string(layers + 1) + "}}")) > room);
    // MoE: Qwen3-30B-A3B Q4_K_M (17 GiB, 48 layers of 128 experts): the dense weights fit, the experts of the first
    // layers go to system memory, one layer fewer would not fit.
    const std::string moe = R"({"model":"qwen3-30b-a3b","weights":"gguf:Q4_K_M","runtime":"ollama","gpu":"rtx-4070","context":8192)";
    const json moe_fitted = estimate(moe + "}");
    const int cpu_moe = number_in_assumptions(moe_fitted, "expert tensors of the first ", " of 48 layers");
    REQUIRE(cpu_moe > 0);
    CHECK(buffers_on_gpu(moe_fitted) <= room);
    CHECK(buffers_on_gpu(estimate(moe + R"(,"engine":{"n_cpu_moe":)" + std::to_string(cpu_moe - 1) + R"(,"n_gpu_layers":49}})")) > room);
    // num_gpu given: no fit.
    CHECK(item(estimate(dense + R"(,"engine":{"n_gpu_layers":65}})"), "model buffer (host)", -1) < GiB);
}

TEST_CASE("Ollama 0.20.0-0.20.3 ran Gemma 4's 512-wide flash attention on the CPU (L-45)") {
    // Their ggml had no CUDA flash-attention kernel for 512-wide heads, so each global layer's attention ran on the CPU
    // with copies of its inputs: K and V of 32,768 cells x 2 KV heads x 512 x 2 B (64 MiB each), the f16 mask 32,768 x 512
    // x 2 B (32 MiB), Q and the f32 output 16 heads x 512 x 512 x 4 B (16 MiB each): 192 MiB, printed 192.0. 0.20.4 has
    // the kernel: the CPU keeps only the looked-up embeddings, 2,816 x 512 x 4 B = 5.5 MiB.
    const auto host = [](const std::string& version) {
        return item(estimate(R"({"model":"gemma-4-26b-a4b","weights":"gguf:Q4_K_M","runtime":"ollama","gpu":"l40","context":32768,
            "engine":{"version":")" +
                             version + R"(","flash_attn":true}})"),
                    "host compute buffer", -1);
    };
    CHECK(host("0.20.3") == 192 * MiB);
    CHECK(host("0.20.4") == i64{2816} * 512 * 4);
}

TEST_CASE("every layer on the CPU beside a GPU: op offload leaves the CPU the norms (C-16)") {
    // llama-server b5489, Qwen3-0.6B, -ngl 0, n_ctx 4,096, flash attention off, ubatch 512: the CUDA_Host compute buffer
    // holds the f32 mask (4,096 x 512 x 4 B = 8 MiB), the looked-up embeddings and one normed hidden state
    // (1,024 x 512 x 4 B = 2 MiB each): 12 MiB, printed 12.01.
    const json r = estimate(R"({"model":"qwen3-0.6b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"jetson-agx-orin-64gb","context":4096,
        "engine":{"n_gpu_layers":0,"flash_attn":false,"version":"b5489"}})");
    CHECK(item(r, "host compute buffer", -1) == i64{4096} * 512 * 4 + 2 * i64{1024} * 512 * 4);
    // With one-token batches nothing is offloaded and the CPU holds the layer's graph too.
    const json small = estimate(R"({"model":"qwen3-0.6b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"jetson-agx-orin-64gb","context":4096,
        "engine":{"n_gpu_layers":0,"flash_attn":false,"version":"b5489","n_ubatch":1,"n_batch":1}})");
    CHECK(item(small, "host compute buffer", -1) > i64{4096} * 1 * 4 + 2 * i64{1024} * 4);
}

TEST_CASE("Ollama's own layer estimate on a Mac: no partial-offload graph, 512 MiB set aside per Metal device") {
    // llm/memory.go (before 0.12.11): on Metal the partial graph is the full one, and discover/gpu.go sets aside 512 MiB
    // per Metal device against 457 MiB per CUDA device.
    const auto figures = [](const std::string& gpu) {
        return estimate(R"({"model":"llama-3.1-8b","weights":"gguf:Q4_K_M","runtime":"ollama","gpu":")" + gpu +
                        R"(","context":8192,"engine":{"version":"0.5.7"}})")
            .at("engine_figures");
    };
    const json mac = figures("m2-max-96gb"), cuda = figures("rtx-4090");
    CHECK(mac.at("memory.graph.partial") == mac.at("memory.graph.full"));
    CHECK(cuda.at("memory.graph.partial").get<i64>() > cuda.at("memory.graph.full").get<i64>());
    CHECK(mac.at("memory.required.full").get<i64>() - cuda.at("memory.required.full").get<i64>() == (512 - 457) * MiB);
}

TEST_CASE("llama.cpp's KV cache by build: padding, the sliding window's extra batch, DeepSeek's cache before and after MLA") {
    // Gemma-3-27B (62 layers: 52 sliding with a 1,024 window, 10 global; 16 KV heads x 128), 16 sequences of 3,072 in one
    // unified cache of 49,152 cells, n_batch 2,048, n_ubatch 512, flash attention on, f16: 16 x 256 x 2 B = 8,192 B a cell.
    const auto kv = [](const std::string& build) {
        return item(estimate(R"({"model":"gemma-3-27b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"l40s","context":3072,"concurrency":16,
            "engine":{"flash_attn":true,"version":")" +
                             build + R"("}})"),
                    "KV cache", 0);
    };
    const i64 cell = 16 * 256 * 2;
    // b5452 (L-51, llama.cpp#13703): sliding layers min(49,152, pad256(16 x 1,024 + n_batch 2,048)) = 18,432 cells:
    // 10 x 49,152 + 52 x 18,432 cells = 11,328 MiB, as the log prints.
    CHECK(kv("b5452") == (10 * i64{49152} + 52 * i64{18432}) * cell);
    CHECK(kv("b5452") == 11328 * MiB);
    // From b5554 the ubatch: 16 x 1,024 + 512 = 16,896 cells (a multiple of 256).
    CHECK(kv("b5554") == (10 * i64{49152} + 52 * i64{16896}) * cell);
    // Before b5429 no sliding cache: every layer 49,152 cells.
    CHECK(kv("b5428") == 62 * i64{49152} * cell);

    // Padding: context 2,000 on one sequence, flash attention off, gpt-oss-120b (36 layers alternating sliding 128 and full).
    // b6000 pads to 32 (2,016 cells), the sliding cache min(2,016, pad32(128 + 512)) = 640; b6900 pads nothing (2,000 and
    // 640); b6975 and on, 256 (2,048 and min(2,048, 640) padded = 768). 18 + 18 layers x 8 KV heads x 64 x 2 x 2 B = 2,048 B a cell.
    const auto oss = [](const std::string& build) {
        return item(estimate(R"({"model":"gpt-oss-120b","weights":"gguf:MXFP4_MOE","runtime":"llama.cpp","gpu":"h100-sxm-80gb","context":2000,
            "engine":{"flash_attn":false,"version":")" +
                             build + R"("}})"),
                    "KV cache", 0);
    };
    CHECK(oss("b6000") == 18 * (i64{2016} + 640) * 2048);
    CHECK(oss("b6900") == 18 * (i64{2000} + 640) * 2048);
    CHECK(oss("b6975") == 18 * (i64{2048} + 768) * 2048);

    // DeepSeek-V3 (61 layers, 128 heads; latent 512 + rope 64; nope 128, V 128) at 4,096 cells, f16: before b5137 each
    // head's K (192) and V (128): 61 x 4,096 x 128 x 320 x 2 B; then latent 576 + V 512; from b7832 the latent alone.
    const auto ds = [](const std::string& build) {
        const json r = estimate(R"({"model":"deepseek-v3","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"h100-sxm-80gb","gpu_count":8,
            "context":4096,"engine":{"version":")" +
                                build + R"("}})");
        i64 total = 0;  // every device's and the host's share
        for (const auto& b : r.at("breakdown"))
            if (b.at("label") == "KV cache" || b.at("label") == "KV cache (host)") total += b.at("bytes").get<i64>();
        return total;
    };
    CHECK(ds("b5136") == i64{61} * 4096 * 128 * (192 + 128) * 2);
    CHECK(ds("b5137") == i64{61} * 4096 * (576 + 512) * 2);
    CHECK(ds("b7832") == i64{61} * 4096 * 576 * 2);
}

TEST_CASE("-ngl before b7467 counts repeating layers first; from b7467 (llama.cpp#18148) the output layer first") {
    // Llama-3.1-8B (32 layers) at -ngl 32: before, all 32 repeating layers on the GPU and the output layer on the CPU;
    // after, the output layer and the last 31 repeating layers.
    const auto run = [](const char* build) {
        return estimate(std::string(R"({"model":"llama-3.1-8b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-4090","context":4096,
            "engine":{"n_gpu_layers":32,"version":")") +
                        build + R"("}})");
    };
    const json old = run("b7466"), now = run("b7467");
    CHECK(any_contains(old.at("warnings"), "output layer runs on the CPU"));
    CHECK_FALSE(any_contains(now.at("warnings"), "output layer runs on the CPU"));
    // The host keeps token_embd either way; before b7467 the output matrix too (128,256 x 4,096 in Q6_K), after it one
    // repeating layer instead.
    CHECK(item(old, "model buffer (host)", -1) > item(now, "model buffer (host)", -1));
}

TEST_CASE("where Ollama places the layers itself, the limits are those of the layout it chose") {
    // Llama-3.1-8B Q4_K_M fits an RTX 4070 whole: the largest context is where the whole model no longer fits, not where
    // moving layers to the CPU would stop helping.
    const std::string base = R"({"model":"llama-3.1-8b","weights":"gguf:Q4_K_M","runtime":"ollama","gpu":"rtx-4070")";
    const json asked = estimate(base + R"(,"context":8192})");
    const i64 max_context = asked.at("limits").at("max_context").get<i64>();
    REQUIRE(max_context > 8192);
    REQUIRE(max_context < 131072);
    // Every layer (the output layer counted first: 33) still fits at the limit, and 4,096 tokens more do not.
    const json at_limit = estimate(base + R"(,"context":)" + std::to_string(max_context) + R"(,"engine":{"n_gpu_layers":33}})");
    CHECK(at_limit.at("fits") == true);
    const json beyond = estimate(base + R"(,"context":)" + std::to_string(max_context + 4096) + R"(,"engine":{"n_gpu_layers":33}})");
    CHECK(beyond.at("fits") == false);
}

TEST_CASE("llama.cpp with pipeline parallelism keeps its input copies under the logits on the output GPU (C-153)") {
    // C-153: phi-4-mini Q4_K_M over two 4 GB GPUs (layer split, full offload: pipeline parallelism, 4 copies), 2,048
    // cells, n_ubatch 512, flash attention on. The copies of the f16 mask and of the hidden state handed over are inputs
    // of the split and never freed, so the logits phase of GPU 1 is 4 x (2,048 x 512 x 2 + 3,072 x 512 x 4) B +
    // (200,064 + 3,072) x 512 x 4 B. The reserve asked 434.79 MiB, and 396.75 (the logits phase alone) when retried
    // without pipeline parallelism.
    const json r = estimate(R"({"model":"phi-4-mini","weights":"gguf:Q4_K_M","runtime":"llama.cpp","device":{"name":"two 4 GB GPUs","memory_mib":4096},
        "gpu_count":2,"context":512,"concurrency":4,"engine":{"n_batch":2048,"n_ubatch":512,"kv_unified":true,"flash_attn":true,"version":"b8639"}})");
    const i64 expected = 4 * (i64{2048} * 512 * 2 + i64{3072} * 512 * 4) + (i64{200064} + 3072) * 512 * 4;
    CHECK(item(r, "compute buffer", 1) == expected);
    CHECK(static_cast<double>(expected) / MiB == doctest::Approx(434.79).epsilon(0.02));
}

TEST_CASE("a Gated DeltaNet layer left on the CPU copies nearly all of its conv input into the host buffer (C-151, C-152)") {
    // Qwen3.5-9B, b9849, 8,192 cells for 4 sequences, n_ubatch 2,048, flash attention on. Every layer on the GPU: host =
    // f16 mask 8,192 x 2,048 x 2 B + two n_embd-wide f32 inputs (4,096 x 2,048 x 4 B each) = 96 MiB (C-43). With layers
    // on the CPU the conv-state copy [K - 1 + T, C, n_seq] f32 (strides of conv_input) takes the looked-up rows' slot:
    // C = 2 x 16 x 128 + 32 x 128 = 8,192, K = 4, T = 2,048 / 4 = 512: 4 x (8,192 x 4 x 515 - 512) B. Printed: 128.44 MiB
    // with 2 layers on the CPU (C-151) and with 15 (C-152).
    const auto host = [](int ngl) {
        return item(estimate(R"({"model":"qwen3.5-9b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","device":{"name":"8 GB GPU","memory_mib":8192},
            "context":2048,"concurrency":4,"engine":{"n_batch":2048,"n_ubatch":2048,"kv_unified":true,"flash_attn":true,"version":"b9849","n_gpu_layers":)" +
                             std::to_string(ngl) + "}}"),
                    "host compute buffer", -1);
    };
    const i64 base = i64{8192} * 2048 * 2 + i64{4096} * 2048 * 4;
    const i64 copy = 4 * (i64{8192} * 4 * 515 - 512);
    CHECK(host(33) == base + i64{4096} * 2048 * 4);
    CHECK(host(31) == base + copy);
    CHECK(host(18) == base + copy);
    CHECK(static_cast<double>(base + copy) / MiB == doctest::Approx(128.44).epsilon(0.001));
}
