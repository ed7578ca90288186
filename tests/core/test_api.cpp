// The JSON API: the acceptance examples of the foundation issue, defaults, and bad input.
#include <doctest/doctest.h>

#include <map>

#include "helpers.hpp"

using namespace testing;

TEST_CASE("DeepSeek-R1-Distill-Llama-70B in BF16 on 2x H100 with TP 2 holds 65.7 GiB of weights per GPU") {
    const json r = estimate(R"({"model":"deepseek-r1-distill-llama-70b","weights":"bf16","runtime":"vllm",
                                "gpu":"h100-sxm-80gb","gpu_count":2,"engine":{"tensor_parallel_size":2}})");
    REQUIRE(r.at("devices").size() == 2);
    // 70,553,706,496 parameters (HF safetensors total) x 2 bytes / 2 ranks = 70,553,706,496 bytes = 65.71 GiB.
    // The ranks also hold a replicated copy of every norm (80 x 2 x 8,192 + 8,192 values) and the vocabulary
    // padding of vLLM (128,256 is already a multiple of 64 x 2), so allow 0.01 GiB; and each its rotary cos/sin table,
    // 131,072 positions x 128 x 2 B = 32 MiB.
    for (int d = 0; d < 2; ++d) {
        CHECK(gib(item(r, "weights", d)) == doctest::Approx(65.71).epsilon(0.0002));
        CHECK(item(r, "rotary embedding table", d) == i64{131072} * 128 * 2);
    }
    // 80 layers x 2 (K and V) x 8 KV heads x 128 head_dim x 2 bytes = 327,680 bytes per token.
    CHECK(r.at("kv_cache").at("bytes_per_token").get<i64>() == 327680);
}

TEST_CASE("DeepSeek-R1-Distill-Llama-70B in BF16 does not fit on one RTX 4090") {
    const json r = estimate(R"({"model":"deepseek-r1-distill-llama-70b","weights":"bf16","runtime":"vllm","gpu":"rtx-4090"})");
    CHECK(r.at("fits") == false);
    CHECK(r.at("verdict") == "does_not_fit");
    CHECK(r.at("devices").at(0).at("headroom_bytes").get<i64>() < 0);
    CHECK(r.at("limits").at("max_concurrency") == 0);
    CHECK(r.at("limits").at("max_context") == 0);
}

TEST_CASE("every breakdown item adds up to its device's components and total") {
    const json r = estimate(R"({"model":"qwen3-30b-a3b","runtime":"llama.cpp","weights":"gguf:Q4_K_M","gpus":[{"gpu":"rtx-3090","count":2}],"context":16384})");
    for (size_t d = 0; d < r.at("devices").size(); ++d) {
        i64 sum = 0;
        for (const auto& b : r.at("breakdown"))
            if (b.at("device").get<int>() == static_cast<int>(d)) sum += b.at("bytes").get<i64>();
        CHECK(sum == r.at("devices").at(d).at("total_bytes").get<i64>());
    }
    for (const auto& b : r.at("breakdown")) {
        CHECK_FALSE(b.at("formula").get<std::string>().empty());
        CHECK_FALSE(b.at("substituted").get<std::string>().empty());
    }
}

TEST_CASE("malformed JSON is reported as invalid_json") {
    const json e = error_of("estimate", R"({"model": "llama-3.1-8b", )");
    CHECK(e.at("code") == "invalid_json");
}

TEST_CASE("an unknown model id names the model field and suggests close ids") {
    const json e = error_of("estimate", R"({"model": "llama-9-8b"})");
    CHECK(e.at("code") == "unknown_model");
    CHECK(e.at("field") == "model");
}

TEST_CASE("a negative context names the context field") {
    const json e = error_of("estimate", R"({"model": "llama-3.1-8b", "context": -5})");
    CHECK(e.at("code") == "invalid_field");
    CHECK(e.at("field") == "context");
}

TEST_CASE("a gpu_memory_utilization above 1 names the engine field") {
    const json e = error_of("estimate", R"({"model": "llama-3.1-8b", "engine": {"gpu_memory_utilization": 1.7}})");
    CHECK(e.at("code") == "invalid_field");
    CHECK(e.at("field") == "engine.gpu_memory_utilization");
}

TEST_CASE("unknown, absurd or mistyped fields are errors, never silently ignored") {
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","contxt":4096})").at("field") == "contxt");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","engine":{"gpu_mem":0.9}})").at("field") == "engine.gpu_mem");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","context":1e12})").at("field") == "context");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","context":4096.5})").at("field") == "context");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","concurrency":"4"})").at("field") == "concurrency");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","gpu":"rtx-9999"})").at("field") == "gpu");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","weights":"int3"})").at("field") == "weights");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","runtime":"vllm","kv_cache_dtype":"q4_0"})").at("field") == "kv_cache_dtype");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","runtime":"llama.cpp","weights":"awq-int4"})").at("field") == "weights");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","device":{"memory_mib":-1}})").at("field") == "device.memory_mib");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","runtime":"vllm","gpu_count":3,"engine":{"tensor_parallel_size":3}})").at("field") ==
          "engine.tensor_parallel_size");  // 32 heads are not divisible by 3
    CHECK(error_of("estimate", R"([1,2,3])").at("code") == "invalid_request");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","gpus":[{"gpu":"rtx-3090","count":2}],"gpu_count":4})").at("field") == "gpu_count");
    CHECK(error_of("nonsense", R"({})").at("code") == "unknown_method");
}

TEST_CASE("call_core answers the core methods as call does, and names the module for the tool methods") {
    // The methods a calculator asks for, and the ones that write or read launch commands, read files and logs, or plan
    // over the catalog.
    const std::vector<std::string> core = {"estimate", "compare", "quantizations", "defaults", "schema", "models", "gpus", "search", "model"};
    const std::vector<std::string> tools = {"command", "plan", "parse_log", "check_log", "from_command", "inspect"};
    CHECK(fitmygpu::api::tool_methods() == tools);
    std::vector<std::string> all = core;
    all.insert(all.end(), tools.begin(), tools.end());
    CHECK(fitmygpu::api::method_names() == all);
    const std::string estimate = R"({"model": "llama-3.1-8b", "gpu": "rtx-4090", "runtime": "vllm"})";
    CHECK(fitmygpu::api::call_core("estimate", estimate) == fitmygpu::api::call("estimate", estimate));
    CHECK(fitmygpu::api::call_core("gpus", "{}") == fitmygpu::api::call("gpus", "{}"));
    for (const std::string& method : tools) {
        CAPTURE(method);
        const json e = json::parse(fitmygpu::api::call_core(method, "{}")).at("error");
        CHECK(e.at("code") == "in_tools_module");
        CHECK(e.at("field") == "method");
        CHECK(e.at("message").get<std::string>().find(method) == 0);
        // The full entry point knows the method: whatever it answers to an empty request, it is not unknown_method.
        const json full = json::parse(fitmygpu::api::call(method, "{}"));
        CHECK((!full.contains("error") || full.at("error").at("code") != "unknown_method"));
    }
    CHECK(json::parse(fitmygpu::api::call_core("nonsense", "{}")).at("error").at("code") == "unknown_method");
}

TEST_CASE("a hostile config gets a field error, not a crash") {
    CHECK(error_of("estimate", R"({"config":{"hidden_size":4096}})").at("field") == "config.num_hidden_layers");
    CHECK(error_of("estimate", R"({"config":{"hidden_size":4096,"num_hidden_layers":1e9,"vocab_size":1,"num_attention_heads":1,"intermediate_size":1}})")
              .at("field") == "config.num_hidden_layers");
    CHECK(error_of("estimate", R"({"config":{"hidden_size":4096,"num_hidden_layers":2,"vocab_size":32000,"num_attention_heads":32,
                                   "num_key_value_heads":64,"intermediate_size":11008}})")
              .at("field") == "config.num_key_value_heads");
    CHECK(error_of("estimate", R"({"config":"not an object"})").at("field") == "config");
    // Sizes whose products would overflow 64-bit byte counts are rejected with the field named.
    CHECK(error_of("estimate", R"({"config":{"hidden_size":1099511627776,"num_hidden_layers":2,"vocab_size":1099511627776,
                                   "num_attention_heads":1,"intermediate_size":1}})")
              .at("field") == "config.hidden_size");
    CHECK(error_of("estimate", R"({"config":{"hidden_size":4096,"num_hidden_layers":32,"vocab_size":32000,"num_attention_heads":32,
                                   "intermediate_size":14336,"num_local_experts":1000000,"num_experts_per_tok":2}})")
              .at("field") == "config.num_local_experts");
    CHECK(error_of("estimate", R"({"config":{"hidden_size":4096,"num_hidden_layers":2,"vocab_size":32000,"num_attention_heads":32,
                                   "intermediate_size":11008,"layer_types":["full_attention"]}})")
              .at("field") == "config.layer_types");
}

TEST_CASE("a custom model given as config is estimated like a catalog one") {
    // Llama-3.1-8B geometry inline: the same weights as the catalog entry.
    const json inline_cfg = estimate(R"({"config":{"model_type":"llama","hidden_size":4096,"intermediate_size":14336,
        "num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":8,"vocab_size":128256,"tie_word_embeddings":false,
        "max_position_embeddings":131072},"weights":"bf16","gpu":"h100-sxm-80gb"})");
    const json catalog = estimate(R"({"model":"llama-3.1-8b","weights":"bf16","gpu":"h100-sxm-80gb"})");
    CHECK(component(inline_cfg, "weights") == component(catalog, "weights"));
    CHECK(inline_cfg.at("kv_cache").at("bytes_per_token") == catalog.at("kv_cache").at("bytes_per_token"));
}

TEST_CASE("every figure is a finite whole number of bytes") {
    for (const char* req :
         {R"({"model":"gpt-oss-20b","runtime":"vllm","gpu":"rtx-4090"})",
          R"({"model":"gpt-oss-20b","runtime":"llama.cpp","weights":"gguf:MXFP4_MOE","gpu":"rtx-4090","context":131072})",
          R"({"model":"qwen3-8b","runtime":"mlx","gpu":"m4-max-128gb"})", R"({"model":"qwen3-8b","runtime":"sglang","gpu":"h100-sxm-80gb"})",
          R"({"model":"qwen3-8b","runtime":"trtllm","gpu":"h100-sxm-80gb"})", R"({"model":"qwen3-8b","runtime":"transformers","gpu":"rtx-4090"})"}) {
        const json r = estimate(req);
        for (const auto& d : r.at("devices"))
            for (const auto& [k, v] : d.at("components").items()) CHECK(v.is_number_integer());
        CHECK(r.at("kv_cache").at("bytes_per_token").is_number_integer());
        CHECK(r.at("speed").at("decode_tokens_per_s").get<double>() > 0);
        const json& prefill = r.at("speed").at("prefill_tokens_per_s");
        CHECK((prefill.is_null() || prefill.get<double>() > 0));
    }
}

TEST_CASE("the best quantization that fits is the one with the most bits per weight") {
    // Llama-3.1-70B on one 24 GB card with llama.cpp at 8K context: 70.6B parameters leave about 21 GiB for weights,
    // which is under 2.6 bits per weight, so no 3-bit or larger file type fits and a 2-bit one does.
    const json r = fitmygpu::api::quantizations(json::parse(R"({"model":"llama-3.1-70b","runtime":"llama.cpp","gpu":"rtx-4090","context":8192})"));
    REQUIRE(r.at("best_any").is_string());
    double best_bits = 0;
    for (const auto& o : r.at("options"))
        if (o.at("weights") == r.at("best_any")) best_bits = o.at("bits_per_weight").get<double>();
    for (const auto& o : r.at("options")) {
        if (o.at("fits").get<bool>()) CHECK(o.at("bits_per_weight").get<double>() <= best_bits + 1e-9);
        // "best" is only ever a published checkpoint.
        if (r.at("best").is_string() && o.at("weights") == r.at("best")) CHECK(o.at("published").get<bool>());
    }
    CHECK(best_bits < 2.6);
    CHECK(best_bits > 1.5);
    // Options come most bits first, and BF16 is 16.
    CHECK(r.at("options").at(0).at("bits_per_weight").get<double>() == doctest::Approx(16.0).epsilon(0.001));
}

TEST_CASE("images are counted inside the context and need a loaded vision encoder") {
    // Gemma 3 turns every image into mm_tokens_per_image = 256 tokens: 4 images need 1,024 tokens of context.
    CHECK(error_of("estimate", R"({"model":"gemma-3-27b","gpu":"h100","context":512,"images":4})").at("field") == "images");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","gpu":"h100","images":1})").at("field") == "images");
    CHECK(error_of("estimate", R"({"model":"gemma-3-27b","gpu":"h100","images":1,"engine":{"language_model_only":true}})").at("field") == "images");
    // vLLM's profiling run holds an encoder cache of max(max_num_batched_tokens, 256) embeddings of hidden 5,376 in
    // 16-bit: 16,384 x 5,376 x 2 B on an H100 (serve default 16,384 batched tokens from 0.28) on top of the text
    // activation peak.
    const json mm = estimate(R"({"model":"gemma-3-27b","weights":"bf16","gpu":"h100","context":8192,"images":4})");
    const json text = estimate(R"({"model":"gemma-3-27b","weights":"bf16","gpu":"h100","context":8192,"engine":{"language_model_only":true}})");
    CHECK(component(mm, "activations") - component(text, "activations") == i64{16384} * 5376 * 2);
    // The encoder's weights come from the catalog's published figure (vision part of the total).
    CHECK(component(mm, "weights") - component(text, "weights") == i64{423060336} * 2);
}

TEST_CASE("engine defaults are resolved for the devices: vLLM's batch limits follow the GPU's memory") {
    const json h100 = json::parse(fitmygpu::api::call("defaults", R"({"model":"qwen3-8b","runtime":"vllm","gpu":"h100","gpu_count":2})"));
    const json l4 = json::parse(fitmygpu::api::call("defaults", R"({"model":"qwen3-8b","runtime":"vllm","gpu":"l4"})"));
    // vllm serve on GPUs of at least 70 GiB (not A100): 16,384 batched tokens (8,192 before 0.28), 1,024 sequences;
    // otherwise 2,048 and 256.
    CHECK(h100.at("engine").at("max_num_batched_tokens") == 16384);
    CHECK(h100.at("engine").at("max_num_seqs") == 1024);
    CHECK(h100.at("engine").at("tensor_parallel_size") == 2);
    CHECK(l4.at("engine").at("max_num_batched_tokens") == 2048);
    CHECK(l4.at("engine").at("max_num_seqs") == 256);
    const json cpp = json::parse(fitmygpu::api::call("defaults", R"({"model":"qwen3-8b","runtime":"llama.cpp","gpu":"rtx-4090"})"));
    CHECK(cpp.at("engine").at("n_ubatch") == 512);
    CHECK(cpp.at("engine").at("n_batch") == 2048);
    CHECK(cpp.at("runtime") == "llama.cpp");
}

TEST_CASE("compare finds the fewest cards of each GPU that fit") {
    // 70.55B BF16 parameters are 131.4 GiB: more than one H100's 71.3 GiB budget, and 65.7 GiB per card at TP 2 leaves
    // room for the activation peak and a 4,096-token request; on 24 GB cards the split needs 8 (TP 8: 16.4 GiB each).
    const json r = fitmygpu::api::compare(json::parse(R"({"model":"deepseek-r1-distill-llama-70b","weights":"bf16","runtime":"vllm","context":4096})"));
    std::map<std::string, json> by_id;
    for (const auto& row : r.at("gpus")) by_id[row.at("gpu").get<std::string>()] = row;
    CHECK(by_id.at("h100-sxm-80gb").at("fewest_gpus") == 2);
    CHECK(by_id.at("h100-sxm-80gb").at("fits") == false);
    CHECK(by_id.at("rtx-4090").at("fewest_gpus") == 8);
    CHECK(by_id.at("b200").at("fewest_gpus") == 1);
}

TEST_CASE("units \"decimal\" writes the byte amounts inside formulas in GB/MB; the byte values do not change") {
    const std::string base = R"({"model":"llama-3.1-8b","runtime":"llama.cpp","gpu":"rtx-4090","context":8192)";
    const json bin = estimate(base + "}");
    const json dec = estimate(base + R"(,"units":"decimal"})");
    REQUIRE(bin.at("breakdown").size() == dec.at("breakdown").size());
    bool saw_gb = false;
    for (size_t i = 0; i < dec.at("breakdown").size(); ++i) {
        const json& b = bin.at("breakdown").at(i);
        const json& d = dec.at("breakdown").at(i);
        CHECK(b.at("bytes") == d.at("bytes"));
        const std::string sd = d.at("substituted");
        CHECK(sd.find("iB") == std::string::npos);
        saw_gb = saw_gb || sd.find(" GB") != std::string::npos || sd.find(" MB") != std::string::npos;
        // A lone byte amount: 1 GB = 10^9 bytes, two decimals.
        if (b.at("label") == "KV cache") {
            // 32 layers x 8,192 cells x 2,048 values x 2 B = 1,073,741,824 B = 1.07 GB = 1.00 GiB.
            CHECK(sd == "1.07 GB");
            CHECK(b.at("substituted") == "1.00 GiB");
        }
    }
    CHECK(saw_gb);
    CHECK(error_of("estimate", base + R"(,"units":"furlongs"})").at("field") == "units");
    CHECK(error_of("estimate", base + R"(,"units":1})").at("field") == "units");
    CHECK(error_of("compare", base + R"(,"units":"furlongs"})").at("field") == "units");
}

TEST_CASE("the listings of a few ids are the full listings' rows, in the order asked") {
    using fitmygpu::api::call;
    for (const char* derived : {"true", "false"}) {
        CAPTURE(derived);
        const json all = json::parse(call("models", std::string(R"({"derived": )") + derived + "}")).at("models");
        const json some = json::parse(call("models", std::string(R"({"derived": )") + derived + R"(, "ids": ["qwen3-8b", "llama-3.1-8b"]})")).at("models");
        REQUIRE(some.size() == 2);
        for (const json& row : all) {
            if (row.at("id") == "qwen3-8b") CHECK(some[0] == row);
            if (row.at("id") == "llama-3.1-8b") CHECK(some[1] == row);
        }
    }
    const json gpus = json::parse(call("gpus", "{}")).at("gpus");
    const json one = json::parse(call("gpus", R"({"ids": ["rtx-4090"]})")).at("gpus");
    REQUIRE(one.size() == 1);
    for (const json& row : gpus)
        if (row.at("id") == "rtx-4090") CHECK(one[0] == row);
    // Bad lists name the field; a GPU listing takes no other field now that it takes one.
    CHECK(error_of("models", R"({"ids": ["qwen3-8b", "no-such-model"]})").at("field") == "ids[1]");
    CHECK(error_of("models", R"({"ids": ["qwen3-8b", "no-such-model"]})").at("code") == "unknown_model");
    CHECK(error_of("gpus", R"({"ids": ["rtx-9999"]})").at("code") == "unknown_gpu");
    CHECK(error_of("models", R"({"ids": []})").at("field") == "ids");
    CHECK(error_of("models", R"({"ids": "qwen3-8b"})").at("field") == "ids");
    CHECK(error_of("gpus", R"({"ids": [7]})").at("field") == "ids[0]");
    CHECK(error_of("gpus", R"({"derived": false})").at("code") == "unknown_field");
}

TEST_CASE("the models listing without derived figures carries the catalog's published parameter counts, and no computed ones") {
    const json plain = json::parse(fitmygpu::api::call("models", R"({"derived": false})")).at("models");
    const json full = json::parse(fitmygpu::api::call("models", "{}")).at("models");
    REQUIRE(plain.size() == full.size());
    std::map<std::string, json> byId;
    for (const auto& m : plain) byId[m.at("id").get<std::string>()] = m;
    // catalog/models/qwen3-30b-a3b.json: the model card's rounded figures, 30.5B in total and 3.3B active.
    const json& moe = byId.at("qwen3-30b-a3b");
    CHECK(moe.at("published_params").at("total") == 30500000000LL);
    CHECK(moe.at("published_params").at("active") == 3300000000LL);
    CHECK_FALSE(moe.contains("params_total"));
    CHECK_FALSE(moe.contains("params_active"));
    // catalog/models/qwen3-8b.json: 8,190,735,360 published (exact), dense: no active count.
    CHECK(byId.at("qwen3-8b").at("published_params") == json{{"total", 8190735360LL}});
    // Everything else is the full listing's row, without the computed counts.
    for (const auto& m : full) {
        json row = m;
        row.erase("params_total");
        row.erase("params_active");
        CHECK(row == byId.at(m.at("id").get<std::string>()));
    }
}

TEST_CASE("the models listing names a bad request field") {
    CHECK(error_of("models", R"({"derived": "no"})").at("field") == "derived");
    CHECK(error_of("models", R"({"derived": "no"})").at("code") == "invalid_field");
    CHECK(error_of("models", R"({"fields": ["id"]})").at("field") == "fields");
    CHECK(error_of("models", R"({"fields": ["id"]})").at("code") == "unknown_field");
    CHECK(error_of("models", "[]").at("code") == "invalid_request");
}

TEST_CASE("a model named by a quantized checkpoint's repository is estimated with that checkpoint's format") {
    // catalog/models: Qwen/Qwen3-30B-A3B-FP8 is listed as fp8, Qwen/Qwen2.5-72B-Instruct-GPTQ-Int4 as gptq-int4.
    const auto resolved = [](const std::string& request) {
        const json r = fitmygpu::api::estimate(json::parse(request));
        REQUIRE_FALSE(r.contains("error"));
        return r.at("resolved");
    };
    CHECK(resolved(R"({"model":"Qwen/Qwen3-30B-A3B-FP8","runtime":"vllm","gpu":"h100","context":8192})").at("weights") == "fp8");
    CHECK(resolved(R"({"model":"Qwen/Qwen2.5-72B-Instruct-GPTQ-Int4","runtime":"vllm","gpu":"h100","context":8192})").at("weights") == "gptq-int4");
    // With no runtime the checkpoint's format picks one that loads it; weights given still win.
    const json fp8 = resolved(R"({"model":"Qwen/Qwen3-30B-A3B-FP8","gpu":"rtx-4090","context":8192})");
    CHECK(fp8.at("runtime") == "vllm");
    CHECK(fp8.at("weights") == "fp8");
    CHECK(resolved(R"({"model":"Qwen/Qwen3-30B-A3B-FP8","runtime":"vllm","weights":"bf16","gpu":"h100","context":8192})").at("weights") == "bf16");
    // A runtime that cannot load it keeps its own default; the release's own repository names the model (its defaults).
    CHECK(resolved(R"({"model":"Qwen/Qwen3-30B-A3B-FP8","runtime":"llama.cpp","gpu":"h100","context":8192})").at("weights") == "gguf:Q4_K_M");
    CHECK(resolved(R"({"model":"Qwen/Qwen3-30B-A3B","gpu":"rtx-4090","context":8192})") ==
          resolved(R"({"model":"qwen3-30b-a3b","gpu":"rtx-4090","context":8192})"));
    // A repository the catalog does not list is found by its own name: Meta's first name for Llama 3.1 8B Instruct, which
    // logs of that time print ("Meta-Llama-3.1-8B-Instruct" is an alias of llama-3.1-8b).
    CHECK(resolved(R"({"model":"meta-llama/Meta-Llama-3.1-8B-Instruct","gpu":"h100","context":8192})") ==
          resolved(R"({"model":"llama-3.1-8b","gpu":"h100","context":8192})"));
}
