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
