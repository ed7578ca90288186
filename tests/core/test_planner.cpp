// Defaults that follow the hardware, runtimes that do not run on a device, layouts for any card count, and the
// changes suggested when a setup does not fit — each checked against the forward estimate.
#include <doctest/doctest.h>

#include "helpers.hpp"

using namespace testing;

namespace {

json changed(json request, const json& change) {
    for (auto it = change.begin(); it != change.end(); ++it) {
        if (it.key() == "engine" && request.contains("engine"))
            for (auto k = it.value().begin(); k != it.value().end(); ++k) request["engine"][k.key()] = k.value();
        else request[it.key()] = it.value();
    }
    return request;
}

}  // namespace

TEST_CASE("without a runtime the device decides: llama.cpp on consumer cards, vLLM on data-center cards, MLX on Apple") {
    CHECK(estimate(R"({"model": "llama-3.1-8b", "gpu": "rtx-4090"})").at("resolved").at("runtime") == "llama.cpp");
    CHECK(estimate(R"({"model": "llama-3.1-8b", "gpu": "h100-sxm-80gb"})").at("resolved").at("runtime") == "vllm");
    CHECK(estimate(R"({"model": "llama-3.1-8b", "gpu": "rtx-6000-ada"})").at("resolved").at("runtime") == "vllm");
    // Qwen3 8B has an MLX conversion in the catalog (mlx-community/Qwen3-8B-4bit); Llama 3.1 8B has none.
    CHECK(estimate(R"({"model": "qwen3-8b", "gpu": "m4-max-64gb"})").at("resolved").at("runtime") == "mlx");
    CHECK(estimate(R"({"model": "llama-3.1-8b", "gpu": "m4-max-64gb"})").at("resolved").at("runtime") == "llama.cpp");
    // A GGUF checkpoint asked for is llama.cpp's, whatever the card.
    CHECK(estimate(R"({"model": "llama-3.1-8b", "gpu": "h100-sxm-80gb", "weights": "gguf:Q8_0"})").at("resolved").at("runtime") == "llama.cpp");
    // The choice is said in the assumptions.
    const json r = estimate(R"({"model": "llama-3.1-8b", "gpu": "rtx-4090"})");
    bool said = false;
    for (const auto& a : r.at("assumptions")) said = said || a.get<std::string>().rfind("runtime: llama.cpp", 0) == 0;
    CHECK(said);
}

TEST_CASE("a runtime that does not run on the device is refused with code unsupported") {
    for (const char* text :
         {R"({"model": "llama-3.1-8b", "runtime": "vllm", "gpu": "m4-max-64gb"})", R"({"model": "llama-3.1-8b", "runtime": "sglang", "gpu": "m2-ultra-192gb"})",
          R"({"model": "llama-3.1-8b", "runtime": "trtllm", "gpu": "mi300x"})", R"({"model": "qwen3-8b", "runtime": "mlx", "gpu": "rtx-4090"})"}) {
        CAPTURE(std::string(text));
        const json e = error_of("estimate", text);
        REQUIRE(e.is_object());
        CHECK(e.at("code") == "unsupported");
        CHECK(e.at("field") == "runtime");
    }
    // A custom device has no vendor: every runtime is taken at its word.
    CHECK(estimate(R"({"model": "llama-3.1-8b", "runtime": "vllm", "device": {"memory_mib": 49152}})").contains("verdict"));
}

TEST_CASE("the GPU table leaves out devices the runtime does not run on, and without a runtime uses each device's own") {
    const json vllm = fitmygpu::api::compare(json::parse(R"({"model": "llama-3.1-8b", "runtime": "vllm"})"));
    for (const auto& row : vllm.at("gpus")) {
        CHECK(row.at("vendor") != "Apple");
        CHECK(row.at("runtime") == "vllm");
    }
    const json mlx = fitmygpu::api::compare(json::parse(R"({"model": "qwen3-8b", "runtime": "mlx"})"));
    REQUIRE(!mlx.at("gpus").empty());
    for (const auto& row : mlx.at("gpus")) CHECK(row.at("vendor") == "Apple");
    const json any = fitmygpu::api::compare(json::parse(R"({"model": "qwen3-8b"})"));
    for (const auto& row : any.at("gpus")) {
        CAPTURE(row.at("gpu"));
        if (row.at("vendor") == "Apple") CHECK(row.at("runtime") == "mlx");
        else if (row.at("class") == "datacenter") CHECK(row.at("runtime") == "vllm");
        else if (row.at("class") == "consumer") CHECK(row.at("runtime") == "llama.cpp");
    }
}

TEST_CASE("gpt-oss on llama.cpp defaults to the MXFP4 GGUF people download, and every GGUF keeps the MXFP4 experts") {
    // ggml-org/gpt-oss-120b-GGUF keeps the release's MXFP4 experts (llama.cpp file type MXFP4_MOE).
    const json r = estimate(R"({"model": "gpt-oss-120b", "runtime": "llama.cpp", "gpu": "rtx-4090", "gpu_count": 4})");
    CHECK(r.at("resolved").at("weights") == "gguf:MXFP4_MOE");
    auto weights = [](const char* format) {
        const json e =
            estimate(std::string(R"({"model": "gpt-oss-120b", "runtime": "llama.cpp", "gpu": "rtx-4090", "gpu_count": 4, "weights": ")") + format + "\"}");
        i64 total = 0;
        for (const auto& d : e.at("devices")) total += d.at("components").at("weights").get<i64>();
        return total;
    };
    // The converter writes the experts in MXFP4 for every outtype and llama-quantize does not requantize them: a Q8_0
    // file is MXFP4_MOE's layout (experts MXFP4, every other matrix Q8_0), byte for byte.
    CHECK(weights("gguf:Q8_0") == weights("gguf:MXFP4_MOE"));
    // Q4_K_M moves only the non-expert matrices (about 5 B of 117 B parameters) below Q8_0: within 2 % below.
    const double ratio = static_cast<double>(weights("gguf:Q4_K_M")) / static_cast<double>(weights("gguf:MXFP4_MOE"));
    CHECK(ratio < 1.0);
    CHECK(ratio > 0.98);
}

TEST_CASE("Ollama pulls its library's gpt-oss file: MXFP4 experts with every other matrix in BF16 (ollama#16416: 60.87 GiB)") {
    // The catalog lists the file `ollama run gpt-oss:120b` pulls as the checkpoint Ollama takes when no weights are named;
    // llama.cpp keeps the MXFP4 GGUF people download. ollama/ollama#16416's llama-server prints the 120B file's tensors as
    // 61,223 MiB on the GPU beside the 1,104 MiB BF16 output in host memory: 60.87 GiB.
    const json ollama = estimate(R"({"model":"gpt-oss-120b","runtime":"ollama","gpu":"h200-sxm-141gb","context":8192})");
    CHECK(ollama.at("resolved").at("weights") == "gguf:BF16");
    i64 weights = 0;
    for (const auto& b : ollama.at("breakdown"))
        if (b.at("label").get<std::string>().rfind("model buffer", 0) == 0) weights += b.at("bytes").get<i64>();
    CHECK(std::abs(static_cast<double>(weights) / (1 << 30) - 60.87) < 0.01);
    CHECK(estimate(R"({"model":"gpt-oss-120b","runtime":"llama.cpp","gpu":"h200-sxm-141gb","context":8192})").at("resolved").at("weights") == "gguf:MXFP4_MOE");
    // `ollama run gpt-oss:20b` names no type: the library's file; a tag with one keeps it.
    CHECK_FALSE(fitmygpu::api::from_command(json{{"command", "ollama run gpt-oss:20b"}}).at("request").contains("weights"));
}

TEST_CASE("three cards on a tensor-parallel engine fall back to pipeline stages instead of an error") {
    // Llama 3.1 70B has 64 attention heads: 3 does not divide them, so 1 × 3 (tensor × pipeline).
    const json r = estimate(R"({"model": "llama-3.1-70b", "runtime": "vllm", "weights": "awq-int4", "gpu": "rtx-4090", "gpu_count": 3})");
    REQUIRE(r.contains("devices"));
    CHECK(r.at("devices").size() == 3);
    bool said = false;
    for (const auto& a : r.at("assumptions")) said = said || a.get<std::string>().find("pipeline parallel 3") != std::string::npos;
    CHECK(said);
    // 80 layers over 3 stages: 26, 27 and 27 layers; each stage's weights within a few percent of a third.
    i64 total = 0;
    for (const auto& d : r.at("devices")) total += d.at("components").at("weights").get<i64>();
    for (const auto& d : r.at("devices"))
        CHECK(static_cast<double>(d.at("components").at("weights").get<i64>()) / static_cast<double>(total) == doctest::Approx(1.0 / 3).epsilon(0.08));
    // An explicit size the heads do not divide is still refused, naming the knob.
    CHECK(error_of("estimate", R"({"model": "llama-3.1-70b", "runtime": "vllm", "gpu": "rtx-4090", "gpu_count": 3, "engine": {"tensor_parallel_size": 3}})")
              .at("field") == "engine.tensor_parallel_size");
}

TEST_CASE("every suggestion, applied, fits") {
    const char* setups[] = {
        R"({"model": "gpt-oss-120b", "runtime": "llama.cpp", "gpu": "rtx-4090"})",
        R"({"model": "llama-3.3-70b", "runtime": "llama.cpp", "gpu": "rtx-4090", "context": 32768})",
        R"({"model": "llama-3.1-70b", "runtime": "vllm", "gpu": "rtx-4090", "gpu_count": 3})",
        R"({"model": "llama-3.1-8b", "runtime": "vllm", "gpu": "rtx-4060-ti-8gb", "context": 131072})",
        R"({"model": "qwen3-8b", "runtime": "vllm", "gpu": "rtx-4090", "context": 32768, "concurrency": 64})",
        R"({"model": "deepseek-r1-distill-llama-70b", "runtime": "sglang", "gpu": "a100-80gb-sxm4"})",
    };
    for (const std::string text : setups) {
        const json request = json::parse(text);
        CAPTURE(text);
        const json r = fitmygpu::api::estimate(request);
        CHECK(r.at("verdict") != "fits");
        CHECK(!r.at("suggestions").empty());
        for (const auto& s : r.at("suggestions")) {
            CAPTURE(s.dump());
            const json applied = fitmygpu::api::estimate(changed(request, s.at("change")));
            CHECK(applied.at("fits") == true);
            CHECK(applied.at("verdict") == s.at("verdict"));
        }
    }
    // A setup that fits has nothing to change.
    CHECK(estimate(R"({"model": "llama-3.1-8b", "runtime": "vllm", "gpu": "h100-sxm-80gb"})").at("suggestions").empty());
}

TEST_CASE("offload suggestions sit on the boundary: one layer less offloaded does not fit") {
    const json request = json::parse(R"({"model": "gpt-oss-120b", "runtime": "llama.cpp", "gpu": "rtx-4090"})");
    const json r = fitmygpu::api::estimate(request);
    json moe;
    for (const auto& s : r.at("suggestions"))
        if (s.at("change").contains("engine") && s.at("change").at("engine").contains("n_cpu_moe")) moe = s.at("change");
    REQUIRE(moe.is_object());
    const i64 n = moe.at("engine").at("n_cpu_moe").get<i64>();
    CHECK(fitmygpu::api::estimate(changed(request, moe)).at("fits") == true);
    CHECK(fitmygpu::api::estimate(changed(request, {{"engine", {{"n_cpu_moe", n - 1}}}})).at("fits") == false);
}

TEST_CASE("limits sit on the boundary: the max context fits and one token more does not, unless the model's window caps it") {
    const char* setups[] = {
        R"({"model": "llama-3.1-8b", "runtime": "vllm", "gpu": "rtx-4090", "concurrency": 4})",
        R"({"model": "qwen3-32b", "runtime": "llama.cpp", "weights": "gguf:Q4_K_M", "gpu": "rtx-4090"})",
        R"({"model": "gemma-3-27b", "runtime": "llama.cpp", "weights": "gguf:Q4_K_M", "gpu": "rtx-3090", "concurrency": 2})",
    };
    for (const std::string text : setups) {
        CAPTURE(text);
        const json request = json::parse(text);
        const json r = fitmygpu::api::estimate(request);
        const i64 max = r.at("limits").at("max_context").get<i64>();
        REQUIRE(max > 0);
        CHECK(fitmygpu::api::estimate(changed(request, {{"context", max}})).at("fits") == true);
        const json window = fitmygpu::api::model_info({{"model", request.at("model")}});
        const i64 trained = window.at("derived").at("max_position_embeddings").get<i64>();
        if (trained == 0 || max < trained) CHECK(fitmygpu::api::estimate(changed(request, {{"context", max + 1}})).at("fits") == false);
        else CHECK(max == trained);
    }
}
