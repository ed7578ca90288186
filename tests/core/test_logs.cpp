// Engine startup logs read back, and set beside the estimate of the same setup. The lines below use the formats
// llama.cpp and vLLM print (current and older spellings) with the figures of calibration rows L-1 and V-4.
#include <doctest/doctest.h>

#include "fitmygpu/logs.hpp"
#include "helpers.hpp"

#include <map>

using namespace testing;

namespace {
// Llama-3.1-8B Q4_K_M, 4 x 2048 context, flash attention off, RTX 4090 (calibration row L-1).
const char* kLlamaLog = R"(llm_load_tensors: offloaded 33/33 layers to GPU
llm_load_tensors:   CPU_Mapped model buffer size =   281.81 MiB
llm_load_tensors:        CUDA0 model buffer size =  4403.49 MiB
llama_kv_cache:      CUDA0 KV buffer size =  1024.00 MiB
llama_kv_cache: size = 1024.00 MiB (  8192 cells,  32 layers,  4/4 seqs), K (f16):  512.00 MiB, V (f16):  512.00 MiB
llama_new_context_with_model:  CUDA_Host  output buffer size =     2.02 MiB
llama_new_context_with_model:      CUDA0 compute buffer size =   560.00 MiB
llama_new_context_with_model:  CUDA_Host compute buffer size =    24.01 MiB
)";
// Llama-3.1-8B BF16 on an H100, vLLM 0.11 (calibration row V-4).
const char* kVllmLog = R"(INFO 10-01 12:00:00 [gpu_model_runner.py:2602] Model loading took 14.9888 GiB and 4.1 seconds
INFO 10-01 12:00:10 [gpu_worker.py:298] Available KV cache memory: 51.38 GiB
INFO 10-01 12:00:10 [kv_cache_utils.py:1087] GPU KV cache size: 420,905 tokens
INFO 10-01 12:00:10 [kv_cache_utils.py:1091] Maximum concurrency for 16,000 tokens per request: 26.31x
)";
}  // namespace

TEST_CASE("llama.cpp buffer lines are read per buffer type and device") {
    const fitmygpu::ParsedLog log = fitmygpu::parse_engine_log(kLlamaLog);
    CHECK(log.engine == "llama.cpp");
    REQUIRE(log.buffers.size() == 6);
    CHECK(log.buffers[0].kind == "model");
    CHECK(log.buffers[0].device == "CPU_Mapped");
    CHECK(log.buffers[1].bytes == static_cast<i64>(std::llround(4403.49 * 1048576)));
    CHECK(log.buffers[2].kind == "kv");
    CHECK(log.kv_cells == 8192);
}

TEST_CASE("vLLM's startup figures are read with their units") {
    const fitmygpu::ParsedLog log = fitmygpu::parse_engine_log(kVllmLog);
    CHECK(log.engine == "vllm");
    CHECK(log.weights_bytes == static_cast<i64>(std::llround(14.9888 * 1073741824.0)));
    CHECK(log.kv_available_bytes == static_cast<i64>(std::llround(51.38 * 1073741824.0)));
    CHECK(log.kv_tokens == 420905);
    CHECK(log.max_model_len == 16000);
    CHECK(log.max_concurrency == doctest::Approx(26.31));
}

TEST_CASE("check_log sets each logged buffer beside the estimate of the same request") {
    const json req = {{"request", json::parse(R"({"model":"llama-3.1-8b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-4090",
                                                  "context":2048,"concurrency":4,"engine":{"flash_attn":false}})")},
                      {"log", kLlamaLog}};
    const json r = fitmygpu::api::check_log(req);
    CHECK(r.at("engine") == "llama.cpp");
    std::map<std::string, json> rows;
    for (const auto& row : r.at("rows")) rows[row.at("what").get<std::string>() + "@" + std::to_string(row.at("device").get<int>())] = row;
    // Model buffers and KV are exact; the compute buffer within 5%.
    CHECK(std::fabs(rows.at("model buffer@0").at("error_pct").get<double>()) < 0.01);
    CHECK(std::fabs(rows.at("model buffer@-1").at("error_pct").get<double>()) < 0.01);
    CHECK(rows.at("KV buffer@0").at("error_pct").get<double>() == 0.0);
    CHECK(std::fabs(rows.at("compute buffer@0").at("error_pct").get<double>()) < 5.0);
    CHECK(rows.at("KV cells@-1").at("estimated") == 8192);
    CHECK(rows.at("KV cells@-1").at("unit") == "tokens");
}

TEST_CASE("a log with nothing recognisable is a field error") {
    CHECK(error_of("check_log", R"({"request":{"model":"llama-3.1-8b"},"log":"hello\nworld"})").at("field") == "log");
    CHECK(error_of("parse_log", R"({})").at("field") == "log");
    CHECK(json::parse(fitmygpu::api::call("parse_log", R"({"log":"nothing here"})")).at("engine") == "");
}

// Ollama's "offload to" line: layers.offload and the memory.* figures in format.HumanBytes2's units (GiB and MiB are
// powers of 1024; "0 B" is whole bytes).
TEST_CASE("parse_log reads Ollama's offload line") {
    const json r = fitmygpu::api::parse_log(
        R"({"log":"time=2025-02-18T02:21:25.646Z level=INFO source=server.go:130 msg=offload library=cuda layers.requested=-1 layers.model=81 layers.offload=44 layers.split=11,11,11,11 memory.available=\"[22.0 GiB 22.0 GiB]\" memory.gpu_overhead=\"0 B\" memory.required.full=\"127.4 GiB\" memory.required.partial=\"0 B\" memory.required.kv=\"896.0 MiB\" memory.weights.nonrepeating=\"308.2 MiB\" memory.graph.full=\"8.2 GiB\""})"_json);
    CHECK(r.at("engine") == "llama.cpp");
    const json& o = r.at("ollama_offload");
    CHECK(o.at("layers.offload") == 44);
    CHECK(o.at("memory.required.full") == std::llround(127.4 * static_cast<double>(GiB)));
    CHECK(o.at("memory.required.partial") == 0);
    CHECK(o.at("memory.required.kv") == 896 * MiB);
    CHECK(o.at("memory.weights.nonrepeating") == std::llround(308.2 * static_cast<double>(MiB)));
    CHECK_FALSE(o.contains("memory.weights.total"));  // not in the line
}

// Ollama 0.12+ prints the memory layout it loaded per device (ml/device.go), in format.HumanBytes2's units: read as the
// model, KV and compute buffers of those devices.
TEST_CASE("parse_log reads Ollama's per-device layout lines as buffers") {
    const json r = fitmygpu::api::parse_log(
        R"({"log":"level=INFO source=device.go:212 msg=\"model weights\" device=CUDA0 size=\"4.1 GiB\"\nlevel=INFO source=device.go:217 msg=\"model weights\" device=CPU size=\"292.4 MiB\"\nlevel=INFO source=device.go:223 msg=\"kv cache\" device=CUDA0 size=\"448.0 MiB\"\nlevel=INFO source=device.go:234 msg=\"compute graph\" device=CUDA0 size=\"0 B\"\nlevel=DEBUG msg=\"compute graph\" nodes=1234 splits=2"})"_json);
    CHECK(r.at("engine") == "llama.cpp");
    const json& b = r.at("buffers");
    REQUIRE(b.size() == 4);
    CHECK(b[0] == json{{"kind", "model"}, {"device", "CUDA0"}, {"bytes", std::llround(4.1 * static_cast<double>(GiB))}});
    CHECK(b[1] == json{{"kind", "model"}, {"device", "CPU"}, {"bytes", std::llround(292.4 * static_cast<double>(MiB))}});
    CHECK(b[2] == json{{"kind", "kv"}, {"device", "CUDA0"}, {"bytes", 448 * MiB}});
    CHECK(b[3] == json{{"kind", "compute"}, {"device", "CUDA0"}, {"bytes", 0}});
}

namespace {
i64 gib_bytes(double x) { return static_cast<i64>(std::llround(x * static_cast<double>(GiB))); }
// Lines in the spelling of each release (vllm/worker/worker.py determine_num_available_blocks before V1,
// vllm/v1/worker/gpu_worker.py and gpu_model_runner.py after), figures of calibration rows V-9 and V-60.
const char* kVllmV1ProfileLog = R"(INFO [gpu_model_runner.py:2602] Model loading took 16.96 GiB memory and 14.442714 seconds
INFO [gpu_model_runner.py:4812] Estimated CUDA graph memory: 1.70 GiB total
INFO [gpu_worker.py:436] Memory profiling takes 52.17 seconds. Total non KV cache memory: 21.14GiB; torch peak memory increase: 1.97GiB; non-torch forward increase memory: 2.21GiB; weights memory: 16.96GiB.
INFO [gpu_worker.py:437] Available KV cache memory: 54.09 GiB
INFO [kv_cache_utils.py:1087] GPU KV cache size: 708,992 tokens
INFO [kv_cache_utils.py:1091] Maximum concurrency for 8,192 tokens per request: 86.55x
INFO [gpu_model_runner.py:4950] Graph capturing finished in 7 secs, took 1.66 GiB
)";
}  // namespace

TEST_CASE("vLLM's profiling and CUDA-graph lines are read, V1 and V0 spellings") {
    const fitmygpu::ParsedLog v1 = fitmygpu::parse_engine_log(kVllmV1ProfileLog);
    CHECK(v1.engine == "vllm");
    CHECK(v1.activation_peak_bytes == gib_bytes(1.97));
    CHECK(v1.non_torch_bytes == gib_bytes(2.21));
    REQUIRE(v1.graph_took_bytes.has_value());
    CHECK(*v1.graph_took_bytes == gib_bytes(1.66));
    CHECK(v1.graph_profiled_bytes == gib_bytes(1.70));
    CHECK(v1.max_concurrency == doctest::Approx(86.55));

    // 0.6.5-0.7: one message over several lines; 0.6.4: "Memory profiling results" with the torch peak weights included.
    const fitmygpu::ParsedLog v065 = fitmygpu::parse_engine_log(
        "INFO [model_runner.py:1099] Loading model weights took 14.9888 GB\n"
        "INFO [worker.py:232] Memory profiling takes 4.35 seconds\n"
        "the current vLLM instance can use total_gpu_memory (23.58GiB) x gpu_memory_utilization (0.90) = 21.22GiB\n"
        "model weights take 14.99GiB; non_torch_memory takes 0.35GiB; PyTorch activation peak memory takes 2.07GiB; the rest of the memory "
        "reserved for KV Cache is 3.81GiB.\n");
    CHECK(v065.engine == "vllm");
    CHECK(v065.weights_bytes == gib_bytes(14.9888));
    CHECK(v065.activation_peak_bytes == gib_bytes(2.07));
    CHECK(v065.non_torch_bytes == gib_bytes(0.35));
    CHECK(v065.kv_available_bytes == gib_bytes(3.81));
    const fitmygpu::ParsedLog v064 = fitmygpu::parse_engine_log(
        "INFO Loading model weights took 14.9888 GB\n"
        "INFO [worker.py:232] Memory profiling results: total_gpu_memory=23.58GiB initial_memory_usage=15.33GiB peak_torch_memory=17.06GiB "
        "memory_usage_post_profile=15.40GiB non_torch_memory=0.35GiB kv_cache_size=3.81GiB gpu_memory_utilization=0.90\n");
    CHECK(v064.torch_peak_total_bytes == gib_bytes(17.06));
    CHECK(v064.non_torch_bytes == gib_bytes(0.35));
    CHECK(v064.kv_available_bytes == gib_bytes(3.81));
    // 0.11 on Hopper can print a capture below zero (free memory rose): read with its sign, not dropped.
    const fitmygpu::ParsedLog negative = fitmygpu::parse_engine_log("INFO Graph capturing finished in 5 secs, took -0.05 GiB\n");
    REQUIRE(negative.graph_took_bytes.has_value());
    CHECK(*negative.graph_took_bytes == -gib_bytes(0.05));
}

TEST_CASE("SGLang's CUDA-graph capture and running-request lines are read") {
    // Calibration row S-25 (sgl-project/sglang docs/frontend/frontend_reasoning.ipynb, 0.4.6.post2).
    const fitmygpu::ParsedLog log = fitmygpu::parse_engine_log(
        "[2025-05-05 17:53:47] Capture cuda graph end. Time elapsed: 6.18 s. mem usage=1.41 GB. avail mem=2.67 GB.\n"
        "[2025-05-05 17:53:47] max_total_num_tokens=225647, chunked_prefill_size=8192, max_prefill_tokens=16384, max_running_requests=2821, "
        "context_len=40960\n");
    CHECK(log.engine == "sglang");
    REQUIRE(log.graph_took_bytes.has_value());
    CHECK(*log.graph_took_bytes == gib_bytes(1.41));
    CHECK(log.max_running_requests == 2821);
    CHECK(log.kv_tokens == 225647);
}

TEST_CASE("check_log sets vLLM's profiling, concurrency and CUDA-graph figures beside the estimate") {
    // V-60: RedHatAI Llama-3.3-70B FP8 on four H100s, vLLM 0.19.0 (llm-d-incubation/llm-d-planner's sweep log).
    const json req = {{"request", json::parse(R"({"runtime":"vllm","model":"llama-3.3-70b","weights":"fp8","context":8192,
        "engine":{"version":"0.19.0","gpu_memory_utilization":0.95,"enable_prefix_caching":false,"tensor_parallel_size":4},
        "gpus":[{"gpu":"h100-sxm-80gb","count":4}]})")},
                      {"log", kVllmV1ProfileLog}};
    const json r = fitmygpu::api::check_log(req);
    std::map<std::string, json> rows;
    for (const auto& row : r.at("rows")) rows[row.at("what").get<std::string>()] = row;
    REQUIRE(rows.count("maximum concurrency") == 1);
    CHECK(rows.at("maximum concurrency").at("unit") == "requests");
    CHECK(rows.at("maximum concurrency").at("logged").get<double>() == doctest::Approx(86.55));
    // 708,992 tokens / 8,192 = 86.55: the estimate's concurrency is its own tokens over the same length.
    CHECK(std::fabs(rows.at("maximum concurrency").at("error_pct").get<double>()) < 2.0);
    CHECK(rows.at("activation peak (profiling run)").at("logged") == gib_bytes(1.97));
    CHECK(std::fabs(rows.at("activation peak (profiling run)").at("error_pct").get<double>()) < 10.0);
    CHECK(rows.at("non-torch memory").at("logged") == gib_bytes(2.21));
    CHECK(std::fabs(rows.at("non-torch memory").at("error_pct").get<double>()) < 10.0);
    // 0.19 prints the pool as "took" and profiles graphs: both are estimated.
    CHECK(rows.at("CUDA graphs (capture)").at("estimated").is_number_integer());
    CHECK(rows.at("CUDA graphs (vLLM's profiled estimate)").at("estimated").is_number_integer());

    // 0.11.0 on an H100 prints "took" net of released cache: no estimate, and the reason says which releases.
    const json old = fitmygpu::api::check_log(
        {{"request",
          json::parse(R"({"runtime":"vllm","model":"qwen3-0.6b","weights":"bf16","gpu":"h100-sxm-80gb","context":16000,"engine":{"version":"0.11.0"}})")},
         {"log", "INFO Graph capturing finished in 4 secs, took 0.10 GiB\n"}});
    REQUIRE(old.at("rows").size() == 1);
    const json& took = old.at("rows")[0];
    CHECK(took.at("estimated").is_null());
    CHECK(took.at("note").get<std::string>().find("0.11-0.18") != std::string::npos);
    CHECK_FALSE(took.contains("error_pct"));
}

TEST_CASE("SGLang's hybrid sliding-window pool line gives the pool and the full layers' tokens") {
    // sgl-project/sglang#28171 style line (Gemma 4): the pool's bytes, then the sliding and full layers' token counts.
    const fitmygpu::ParsedLog log = fitmygpu::parse_engine_log("[2026-06-01] SWAKVPool mem usage: 79.94 GB, swa size: 798276, full size: 997846\n");
    CHECK(log.engine == "sglang");
    CHECK(log.kv_available_bytes == gib_bytes(79.94));
    CHECK(log.kv_tokens == 997846);
}

TEST_CASE("an Ollama log with both its layout lines and llama.cpp's buffer lines is read once, from llama.cpp's") {
    // L-101 (Ollama 0.18.2 running gemma2 on its llama.cpp runner): the layout lines round the same buffers llama.cpp
    // prints to 0.01 MiB; adding both would double every figure.
    const std::string mixed =
        "level=INFO source=device.go:240 msg=\"model weights\" device=ROCm0 size=\"1.5 GiB\"\n"
        "level=INFO source=device.go:251 msg=\"kv cache\" device=ROCm0 size=\"1.6 GiB\"\n"
        "level=INFO source=device.go:262 msg=\"compute graph\" device=ROCm0 size=\"252.2 MiB\"\n"
        "load_tensors:        ROCm0 model buffer size =  1548.29 MiB\n"
        "llama_kv_cache:      ROCm0 KV buffer size =   832.00 MiB\n"
        "llama_kv_cache:      ROCm0 KV buffer size =   832.00 MiB\n"
        "llama_context:      ROCm0 compute buffer size =   252.25 MiB\n";
    const fitmygpu::ParsedLog log = fitmygpu::parse_engine_log(mixed);
    CHECK(log.engine == "llama.cpp");
    i64 model = 0, kv = 0, compute = 0;
    for (const auto& b : log.buffers) (b.kind == "model" ? model : b.kind == "kv" ? kv : compute) += b.bytes;
    CHECK(model == static_cast<i64>(std::llround(1548.29 * 1048576)));
    CHECK(kv == 2 * i64{832} * 1048576);
    CHECK(compute == static_cast<i64>(std::llround(252.25 * 1048576)));
    // Its own engine prints the layout alone, once per placement tried: the last is what it loaded.
    const fitmygpu::ParsedLog own = fitmygpu::parse_engine_log(
        "level=INFO source=device.go:240 msg=\"model weights\" device=CUDA0 size=\"7.0 GiB\"\n"
        "level=INFO source=device.go:262 msg=\"compute graph\" device=CUDA0 size=\"2.9 GiB\"\n"
        "level=INFO source=device.go:240 msg=\"model weights\" device=CUDA0 size=\"5.5 GiB\"\n"
        "level=INFO source=device.go:262 msg=\"compute graph\" device=CUDA0 size=\"2.9 GiB\"\n");
    REQUIRE(own.buffers.size() == 2);
    CHECK(own.buffers[0].bytes == static_cast<i64>(std::llround(5.5 * 1073741824)));
}

TEST_CASE("TensorRT-LLM's KV tokens from its block lines where the '(N)' line is not quoted (T-111)") {
    // T-111 (tensorrtllm_backend#576) quotes the C++ runtime up to the pages per sequence: 17,210 primary blocks, 125
    // pages for maxSequenceLen 8,000, so 64 tokens a block (ceil(8,000 / 64) = 125) and 1,101,440 tokens.
    const std::string head =
        "[TensorRT-LLM][INFO] TRTGptModel maxSequenceLen: 8000\n"
        "[TensorRT-LLM][INFO] Number of blocks in KV cache primary pool: 17210\n"
        "[TensorRT-LLM][INFO] Number of blocks in KV cache secondary pool: 10728, onboard blocks to primary memory before reuse: true\n"
        "[TensorRT-LLM][INFO] Max KV cache pages per sequence: 125\n";
    const fitmygpu::ParsedLog derived = fitmygpu::parse_engine_log(head);
    CHECK(derived.engine == "trtllm");
    CHECK(derived.kv_tokens == 17210 * 64);
    // The runtime's own "Number of tokens per block" is taken over the derivation, and its "(N)" over both.
    CHECK(fitmygpu::parse_engine_log(head + "[TensorRT-LLM][INFO] Number of tokens per block: 32.\n").kv_tokens == 17210 * 32);
    CHECK(fitmygpu::parse_engine_log(head + "[TensorRT-LLM][INFO] [MemUsageChange] Allocated 67.23 GiB for max tokens in paged KV cache (1101440).\n")
              .kv_tokens == 1101440);
    // Pages that no power of two gives for that length leave the tokens unknown rather than guessed.
    const std::string odd =
        "[TensorRT-LLM][INFO] TRTGptModel maxSequenceLen: 8000\n"
        "[TensorRT-LLM][INFO] Number of blocks in KV cache primary pool: 17210\n"
        "[TensorRT-LLM][INFO] Max KV cache pages per sequence: 7\n";
    CHECK(fitmygpu::parse_engine_log(odd).kv_tokens == -1);
    // Absurd counts are not read.
    CHECK(fitmygpu::parse_engine_log("[TensorRT-LLM][INFO] Number of blocks in KV cache primary pool: 1000000000000000000000000000000\n"
                                     "[TensorRT-LLM][INFO] Number of tokens per block: 64.\n")
              .kv_tokens == -1);
}
