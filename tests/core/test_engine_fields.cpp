// The request's "engine" object as users fill it: versions as the engines print them (`vllm --version`,
// `python -m sglang.version`, `trtllm-serve --version`, llama.cpp's build tags) and every flag under the
// engine's own spelling, with dashes or underscores. The flag names are those of each engine's argument
// parser: vLLM vllm/engine/arg_utils.py, SGLang python/sglang/srt/server_args.py, TensorRT-LLM
// tensorrt_llm/commands/serve.py and llmapi/llm_args.py, llama.cpp common/arg.cpp.
#include <doctest/doctest.h>

#include "helpers.hpp"

using namespace testing;

namespace {

const char* const kVllm8b = R"({"runtime":"vllm","model":"llama-3.1-8b","weights":"bf16","gpu":"h100-sxm-80gb","context":16000,"engine":)";
const char* const kLlama8b = R"({"runtime":"llama.cpp","model":"llama-3.1-8b","weights":"gguf:Q4_K_M","gpu":"rtx-4090","context":8192,"engine":)";

json with_engine(const char* base, const std::string& engine, const std::string& extra = "") { return estimate(base + engine + extra + "}"); }

bool has_ignored(const json& r, const std::string& flag, const std::string& reason_part = "") {
    for (const auto& i : r.at("ignored"))
        if (i.at("flag") == flag && i.at("reason").get<std::string>().find(reason_part) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("engine versions are read as the engines print them and echoed in their normal form") {
    const std::pair<const char*, const char*> cases[] = {
        {"0.5.8.post1", "0.5.8.post1"},    // SGLang post-release
        {"v0.4.6", "0.4.6"},               // a Git tag
        {"1.3.0rc7", "1.3.0rc7"},          // TensorRT-LLM release candidate
        {"0.11.0+cu128", "0.11.0+cu128"},  // a vLLM wheel built for CUDA 12.8
        {"0.10.1.1", "0.10.1.1"},          // four release numbers
        {"0.11.1rc2.dev5+g1234abc", "0.11.1rc2.dev5+g1234abc"},
        {"V0.6.4-1", "0.6.4.post1"},  // an implicit post-release (PEP 440)
        {"0.9.0-RC.1", "0.9.0rc1"},
        {"b6123", "b6123"},  // a llama.cpp build
    };
    for (const auto& c : cases) {
        const std::string given = c.first, normal = c.second;  // named copies: CAPTURE takes them by reference
        CAPTURE(given);
        const json r = with_engine(kVllm8b, std::string(R"({"version":")") + given + "\"}");
        CHECK(r.at("resolved").at("version") == normal);
    }
    // Without a version the current release's rules apply and nothing is echoed.
    CHECK_FALSE(with_engine(kVllm8b, "{}").at("resolved").contains("version"));
}

TEST_CASE("a string that is not a version is an error naming engine.version") {
    for (const char* bad : {"latest", "0.11.0 rc1", "x1.0", "", "0..1", "1.0+", "1.0rc1rc2", "v", "0.11.0/cu128", "1.0.post1.post2"}) {
        CAPTURE(bad);
        const json e = error_of("estimate", std::string(kVllm8b) + R"({"version":")" + bad + "\"}}");
        CHECK(e.at("code") == "invalid_field");
        CHECK(e.at("field") == "engine.version");
        CHECK(e.at("message").get<std::string>().find("version") != std::string::npos);
    }
    CHECK(error_of("estimate", std::string(kVllm8b) + R"({"version":11}})").at("field") == "engine.version");
}

TEST_CASE("the version selects vLLM's rules by release number, whatever its spelling") {
    // vLLM before 0.17 sorted every logit in its profiling sampler, 0.18 measures more non-torch memory, and before
    // 0.20.1 the CUDA-graph pool was allocated outside the gpu_memory_utilization budget, so the KV pools of these eras
    // differ. Spellings of one release
    // give one estimate; a post-release or local build of a release follows that release, and so does a release
    // candidate, but for 0.20.1, whose candidates the logs show still on the older rules.
    const auto pool = [&](const std::string& v) { return component(with_engine(kVllm8b, R"({"version":")" + v + "\"}"), "kv_cache"); };
    const i64 v011 = pool("0.11.0");
    CHECK(pool("v0.11.0") == v011);
    CHECK(pool("0.11.0+cu128") == v011);
    CHECK(pool("0.10.1.1") == v011);
    CHECK(pool("0.16.0.post1") == v011);
    const i64 v017 = pool("0.17.0rc1");
    CHECK(pool("v0.17.1+cu129") == v017);
    // 0.18 measured more non-torch memory on one GPU, so its pool is smaller than 0.17's.
    CHECK(pool("0.18.0") < v017);
    const i64 v019 = pool("0.19.0");
    CHECK(pool("v0.20.0+cu129") == v019);
    CHECK(pool("0.20.1rc1.dev23") == v019);
    const i64 v021 = pool("0.21.0");
    CHECK(pool("0.20.1") == v021);
    CHECK(pool("0.20.2rc1.dev9+g01d4d1ad3") == v021);
    CHECK(pool("0.21.0rc1") == v021);
    CHECK(pool("v0.21.1+cu129") == v021);
    // From 0.29.0 every model runs on Model Runner V2, and no version means the current release.
    const i64 current = component(with_engine(kVllm8b, "{}"), "kv_cache");
    CHECK(pool("0.29.0") == current);
    CHECK(pool("v0.31.0+cu130") == current);
    CHECK(v011 != v017);
    CHECK(v017 != v021);
    CHECK(v021 != current);
}

TEST_CASE("engine flags are accepted under the engine's own spelling, dashes or underscores") {
    // vLLM --max-model-len is the request's context; --max_model_len is the same flag.
    CHECK(estimate(R"({"runtime":"vllm","model":"llama-3.1-8b","gpu":"h100-sxm-80gb","engine":{"max-model-len":8192}})").at("resolved").at("context") == 8192);
    CHECK(estimate(R"({"runtime":"vllm","model":"llama-3.1-8b","gpu":"h100-sxm-80gb","engine":{"max_model_len":8192}})").at("resolved").at("context") == 8192);
    // A flag and the request field it sets must agree.
    const json clash =
        error_of("estimate", R"({"runtime":"vllm","model":"llama-3.1-8b","gpu":"h100-sxm-80gb","context":4096,"engine":{"max_model_len":8192}})");
    CHECK(clash.at("field") == "engine.max_model_len");
    // vLLM's KV cache dtype and memory share under their flag names.
    const json kv = with_engine(kVllm8b, R"({"kv-cache-dtype":"fp8","gpu-memory-utilization":0.8})");
    CHECK(kv.at("resolved").at("kv_cache_dtype") == "fp8");
    CHECK(component(kv, "kv_cache") == component(estimate(std::string(kVllm8b) + R"({"gpu_memory_utilization":0.8},"kv_cache_dtype":"fp8"})"), "kv_cache"));

    // llama.cpp: -ngl under each spelling, the K and V cache types, and --ctx-size shared by --parallel slots.
    const i64 ngl20 = component(with_engine(kLlama8b, R"({"n_gpu_layers":20})"), "weights");
    for (const char* spelling : {"ngl", "gpu_layers", "gpu-layers", "n-gpu-layers", "--n-gpu-layers"}) {
        CAPTURE(spelling);
        CHECK(component(with_engine(kLlama8b, std::string("{\"") + spelling + "\":20}"), "weights") == ngl20);
    }
    const json q8 = with_engine(kLlama8b, R"({"cache_type_k":"q8_0","cache-type-v":"q8_0"})");
    CHECK(q8.at("resolved").at("kv_cache_dtype") == "q8_0");
    const json slots =
        estimate(R"({"runtime":"llama.cpp","model":"llama-3.1-8b","weights":"gguf:Q4_K_M","gpu":"rtx-4090","engine":{"ctx_size":16384,"parallel":2}})");
    CHECK(slots.at("resolved").at("context") == 8192);  // 16,384 cells over 2 slots
    CHECK(slots.at("resolved").at("concurrency") == 2);
    // -ngl takes "all" as llama.cpp does; -ts a list as written on the command line.
    CHECK(component(with_engine(kLlama8b, R"({"ngl":"all"})"), "weights") == component(with_engine(kLlama8b, "{}"), "weights"));
    CHECK_NOTHROW(estimate(R"({"runtime":"llama.cpp","model":"llama-3.1-8b","weights":"gguf:Q4_K_M","gpu":"rtx-4090","gpu_count":2,"engine":{"ts":"3,1"}})"));

    // SGLang --mem-fraction-static and --chunked-prefill-size; TensorRT-LLM --max_seq_len and tokens_per_block.
    const json sg = estimate(R"({"runtime":"sglang","model":"llama-3.1-8b","gpu":"h100-sxm-80gb","engine":{"mem-fraction-static":0.8,"context_length":4096}})");
    CHECK(sg.at("resolved").at("context") == 4096);
    CHECK(sg.at("devices").at(0).at("budget_bytes") ==
          estimate(R"({"runtime":"sglang","model":"llama-3.1-8b","gpu":"h100-sxm-80gb","context":4096,"engine":{"mem_fraction_static":0.8}})")
              .at("devices")
              .at(0)
              .at("budget_bytes"));
    const json trt = estimate(
        R"({"runtime":"trtllm","model":"llama-3.1-8b","gpu":"h100-sxm-80gb","engine":{"max_seq_len":4096,"max_num_tokens":4096,"free_gpu_memory_fraction":0.85}})");
    CHECK(trt.at("resolved").at("context") == 4096);
}

TEST_CASE("flags that leave memory as it is are accepted and listed with the reason") {
    const json sg = estimate(
        R"({"runtime":"sglang","model":"llama-3.1-8b","gpu":"h100-sxm-80gb","context":4096,"engine":{"enable_dp_lm_head":true,"sampling_backend":"pytorch","port":30000}})");
    CHECK(has_ignored(sg, "enable_dp_lm_head"));
    CHECK(has_ignored(sg, "sampling_backend", "kernel"));
    CHECK(has_ignored(sg, "port", "server"));
    const json plain = estimate(R"({"runtime":"sglang","model":"llama-3.1-8b","gpu":"h100-sxm-80gb","context":4096})");
    CHECK(sg.at("devices").at(0).at("total_bytes") == plain.at("devices").at(0).at("total_bytes"));
    CHECK(plain.at("ignored").empty());
    // TensorRT-LLM's KV block size is a setting of its YAML options the estimate does not model: listed, not applied.
    CHECK(has_ignored(estimate(R"({"runtime":"trtllm","model":"llama-3.1-8b","gpu":"h100-sxm-80gb","engine":{"tokens_per_block":64}})"), "tokens_per_block"));
    // TensorRT-LLM's max_batch_size is applied, as max_num_seqs: it sizes the C++ runtime's buffers of engine builds, here
    // logits 8 x 128,256 x 4 B + 5 per-sequence arrays of 8 x 4,096 x 4 B = 4,104,192 + 655,360 = 4,759,552 B.
    const json batch8 =
        estimate(R"({"runtime":"trtllm","model":"llama-3.1-8b","gpu":"h100-sxm-80gb","context":4096,"engine":{"max_batch_size":8,"backend":"tensorrt"}})");
    CHECK(!has_ignored(batch8, "max_batch_size"));
    CHECK(item(batch8, "runtime buffers (C++ runtime)") == 8 * 128256 * 4 + 5 * 8 * 4096 * 4);
    // A knob of another runtime is accepted and said to be no setting of this one.
    CHECK(has_ignored(estimate(R"({"runtime":"sglang","model":"llama-3.1-8b","gpu":"h100-sxm-80gb","engine":{"gpu_memory_utilization":0.8}})"),
                      "gpu_memory_utilization", "not a setting of SGLang"));
}

TEST_CASE("a misspelt or unknown flag is an error naming it, with the nearest spelling") {
    const json e = error_of("estimate", std::string(kVllm8b) + R"({"gpu_memory_utilisation":0.8}})");
    CHECK(e.at("code") == "unknown_field");
    CHECK(e.at("field") == "engine.gpu_memory_utilisation");
    CHECK(e.at("message").get<std::string>().find("did you mean gpu_memory_utilization") != std::string::npos);
    const json m = error_of("estimate", std::string(kVllm8b) + R"({"max_modle_len":8192}})");
    CHECK(m.at("message").get<std::string>().find("max_model_len") != std::string::npos);
    const json l = error_of("estimate", std::string(kLlama8b) + R"({"n_gpu_layer":10}})");
    CHECK(l.at("field") == "engine.n_gpu_layer");
    CHECK(l.at("message").get<std::string>().find("n_gpu_layers") != std::string::npos);
    // Nothing near: no suggestion, still the field.
    const json z = error_of("estimate", std::string(kVllm8b) + R"({"zzzzzzzzzzzz":1}})");
    CHECK(z.at("field") == "engine.zzzzzzzzzzzz");
    CHECK(z.at("message").get<std::string>().find("did you mean") == std::string::npos);
    // A long name gets no suggestion (and costs no time).
    const json longer = error_of("estimate", std::string(kVllm8b) + R"({")" + std::string(100000, 'g') + R"(":1}})");
    CHECK(longer.at("code") == "unknown_field");
    CHECK(longer.at("message").get<std::string>().find("did you mean") == std::string::npos);
    // Two spellings of one setting: the error names one and the message both.
    const json twice = error_of("estimate", std::string(kLlama8b) + R"({"ngl":10,"n_gpu_layers":20}})");
    CHECK(twice.at("code") == "invalid_field");
    CHECK((twice.at("field") == "engine.ngl" || twice.at("field") == "engine.n_gpu_layers"));
    CHECK(twice.at("message").get<std::string>().find("engine.ngl") != std::string::npos);
    CHECK(twice.at("message").get<std::string>().find("engine.n_gpu_layers") != std::string::npos);
    // A flag's value of the wrong kind names the flag as written.
    CHECK(error_of("estimate", std::string(kLlama8b) + R"({"ngl":"many"}})").at("field") == "engine.ngl");
    CHECK(error_of("estimate", std::string(kVllm8b) + R"({"max-num-seqs":1.5}})").at("field") == "engine.max-num-seqs");
}

TEST_CASE("schema publishes each runtime's spellings of a knob, from the launch-command table") {
    const json s = fitmygpu::api::schema();
    auto aliases = [&](const std::string& runtime, const std::string& knob) {
        for (const auto& r : s.at("runtimes"))
            if (r.at("id") == runtime)
                for (const auto& k : r.at("knobs"))
                    if (k.at("name") == knob) return k.at("aliases").get<std::vector<std::string>>();
        return std::vector<std::string>{};
    };
    const auto ngl = aliases("llama.cpp", "n_gpu_layers");
    CHECK(std::find(ngl.begin(), ngl.end(), "ngl") != ngl.end());
    const auto chunk = aliases("sglang", "max_num_batched_tokens");
    CHECK(std::find(chunk.begin(), chunk.end(), "chunked_prefill_size") != chunk.end());
}

TEST_CASE("an unknown request field is an error naming it, with the field it most likely means") {
    const auto message = [](const std::string& extra) {
        const json e = error_of("estimate", R"({"model":"llama-3.1-8b","gpu":"rtx-4090",)" + extra + "}");
        CHECK(e.at("code") == "unknown_field");
        return e.at("message").get<std::string>();
    };
    // Another name for a request field: the quantization people pick is the checkpoint, "weights".
    CHECK(message(R"("quantization":"Q4_K_M")").find("did you mean weights?") != std::string::npos);
    CHECK(message(R"("num_ctx":8192)").find("did you mean context?") != std::string::npos);
    CHECK(message(R"("Batch-Size":4)").find("did you mean concurrency?") != std::string::npos);
    // A letter or two off.
    CHECK(message(R"("contxt":8192)").find("did you mean context?") != std::string::npos);
    CHECK(message(R"("enigne":{})").find("did you mean engine?") != std::string::npos);
    // An engine's own setting given at the top level: where it goes.
    CHECK(message(R"("gpu_memory_utilization":0.8)").find(R"(inside engine, as {"engine": {"gpu_memory_utilization": ...}})") != std::string::npos);
    CHECK(message(R"("n-gpu-layers":20)").find("inside engine") != std::string::npos);
    // Nothing near: the field alone; and a long key costs no time and gets no guess.
    CHECK(message(R"("zzzzzzzzzzzz":1)") == R"("zzzzzzzzzzzz" is not a request field)");
    CHECK(message(R"(")" + std::string(100000, 'c') + R"(":1)").find("did you mean") == std::string::npos);
}

TEST_CASE("a misspelt environment variable in engine gets the variable's name as a hint, with the runtime named as it is read") {
    const json v = error_of("estimate", R"({"model":"llama-3.1-8b","runtime":"vllm","gpu":"h100-sxm-80gb","engine":{"VLLM_USE_V2_MODEL_RUNER":true}})");
    CHECK(v.at("field") == "engine.VLLM_USE_V2_MODEL_RUNER");
    CHECK(v.at("message").get<std::string>().find("is not a vLLM setting") != std::string::npos);
    CHECK(v.at("message").get<std::string>().find("did you mean VLLM_USE_V2_MODEL_RUNNER?") != std::string::npos);
    const json o = error_of("estimate", R"({"model":"llama-3.1-8b","runtime":"ollama","gpu":"rtx-4090","engine":{"OLLAMA_NEW_ENGIN":true}})");
    CHECK(o.at("message").get<std::string>().find("is not an Ollama setting") != std::string::npos);
    CHECK(o.at("message").get<std::string>().find("did you mean OLLAMA_NEW_ENGINE?") != std::string::npos);
    const json s = error_of("estimate", R"({"model":"llama-3.1-8b","runtime":"sglang","gpu":"h100-sxm-80gb","engine":{"zzqqxx":1}})");
    CHECK(s.at("message").get<std::string>().find("is not an SGLang setting") != std::string::npos);
}
