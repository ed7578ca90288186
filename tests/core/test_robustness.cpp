// Hostile and malformed input: whatever arrives, the API answers with a result or an error naming a field,
// never a crash, an exception escaping, or a NaN.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "fitmygpu/checked.hpp"
#include "helpers.hpp"

using namespace testing;

namespace {

bool all_finite(const json& j) {
    if (j.is_number_float()) return std::isfinite(j.get<double>());
    if (j.is_structured())
        for (const auto& v : j)
            if (!all_finite(v)) return false;
    return true;
}

json random_value(std::mt19937& rng) {
    switch (rng() % 12) {
        case 0: return -static_cast<int>(rng() % 1000);
        case 1: return 1e300;
        case 2: return 0;
        case 3: return nullptr;
        case 4: return "<script>alert(1)</script>";
        case 5: return json::array({1, 2, 3});
        case 6: return json::object({{"x", 1}});
        case 7: return true;
        case 8: return 0.5;
        case 9: return static_cast<double>(rng() % 100000) + 0.25;
        case 10: return static_cast<int>(rng() % 200000);
        default: return std::string(1 + rng() % 40, static_cast<char>('a' + rng() % 26));
    }
}

}  // namespace

TEST_CASE("randomly corrupted requests get an answer or a field error, never a crash") {
    const json base = json::parse(R"({"model":"qwen3-30b-a3b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-3090","gpu_count":2,
        "context":16384,"concurrency":2,"kv_cache_dtype":"q8_0","engine":{"n_ubatch":512,"flash_attn":true}})");
    const json config_base = json::parse(R"({"config":{"model_type":"qwen3_moe","hidden_size":2048,"num_hidden_layers":48,"num_attention_heads":32,
        "num_key_value_heads":4,"head_dim":128,"intermediate_size":6144,"moe_intermediate_size":768,"num_experts":128,
        "num_experts_per_tok":8,"vocab_size":151936,"tie_word_embeddings":false},"runtime":"vllm","gpu":"h100"})");
    std::mt19937 rng(12345);
    int errors = 0, answers = 0;
    for (int i = 0; i < 400; ++i) {
        json req = (i % 2 == 0) ? base : config_base;
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < edits; ++k) {
            json* target = &req;
            if (req.contains("config") && req["config"].is_object() && rng() % 2 == 0) target = &req["config"];
            else if (req.contains("engine") && req["engine"].is_object() && rng() % 3 == 0) target = &req["engine"];
            std::vector<std::string> keys;
            for (auto it = target->begin(); it != target->end(); ++it) keys.push_back(it.key());
            if (keys.empty()) continue;
            (*target)[keys[rng() % keys.size()]] = random_value(rng);
        }
        const std::string out = fitmygpu::api::call("estimate", req.dump());
        json r;
        REQUIRE_NOTHROW(r = json::parse(out));
        if (r.contains("error")) {
            ++errors;
            CHECK(r.at("error").at("message").is_string());
            CHECK(r.at("error").at("code") != "internal_error");
        } else {
            ++answers;
            CHECK(r.contains("verdict"));
            CHECK(all_finite(r));
        }
    }
    MESSAGE(answers << " answers, " << errors << " field errors");
    CHECK(errors > 0);
    CHECK(answers > 0);
}

TEST_CASE("truncated and binary request text is invalid_json") {
    const std::string good = R"({"model":"llama-3.1-8b","gpu":"rtx-4090","context":8192})";
    for (size_t cut = 1; cut < good.size(); cut += 7) CHECK(error_of("estimate", good.substr(0, cut)).at("code") == "invalid_json");
    CHECK(error_of("estimate", std::string("\xff\xfe\x00\x01", 4)).at("code") == "invalid_json");
}

TEST_CASE("text from a request is echoed back as data, never as markup") {
    // An unknown model named like a script is reported in the message verbatim; the page renders messages as text.
    const json e = error_of("estimate", R"({"model":"<img src=x onerror=alert(1)>"})");
    CHECK(e.at("field") == "model");
    CHECK(e.at("message").get<std::string>().find("<img src=x onerror=alert(1)>") != std::string::npos);
}

// ---- sizes beyond 64 bits: refused naming a field, never wrapped into a negative size or a fit ----

#include "../fuzz/checks.hpp"

namespace {

// The answer to a request passes the fuzz targets' checks; returns the parsed response.
json checked_answer(const json& request) {
    const std::string out = fitmygpu::api::call("estimate", request.dump());
    INFO(request.dump());
    INFO(out.substr(0, 400));
    CHECK(fitmygpu::fuzz::response_problem("estimate", out) == "");
    return json::parse(out);
}

json llama_config(std::initializer_list<std::pair<const std::string, json>> changes) {
    json c = {{"model_type", "llama"},    {"hidden_size", 4096},        {"num_hidden_layers", 32}, {"num_attention_heads", 32},
              {"num_key_value_heads", 8}, {"intermediate_size", 14336}, {"vocab_size", 128256},    {"max_position_embeddings", 131072}};
    for (const auto& [k, v] : changes) c[k] = v;
    return c;
}

}  // namespace

TEST_CASE("the largest workload a request may ask is refused or does not fit on every runtime, never wrapped") {
    // llama.cpp with flash attention off sizes its KQ scores as n_head × n_kv × n_ubatch × 4 B: with 16M tokens × 65,536
    // sequences of cells that product passes 2^63.
    for (const char* model : {"llama-3.1-8b", "deepseek-v3", "qwen3-235b-a22b", "gemma-3-27b", "qwen3-next-80b-a3b"}) {
        for (const char* runtime : {"llama.cpp", "ollama", "vllm", "sglang", "trtllm", "transformers", "mlx"}) {
            CAPTURE(model);
            CAPTURE(runtime);
            json req = {{"model", model}, {"runtime", runtime}, {"context", 16777216}, {"concurrency", 65536}};
            if (std::string(runtime) == "llama.cpp" || std::string(runtime) == "ollama")
                req["engine"] = {{"flash_attn", false}, {"n_ubatch", 65536}, {"n_batch", 65536}};
            if (std::string(runtime) == "mlx") {
                req["weights"] = "mlx-4bit";
                req["gpu"] = "m3-ultra-512gb";  // MLX runs on Apple chips only
            }
            const json r = checked_answer(req);
            if (r.contains("error")) {
                CHECK(r.at("error").at("code") == "out_of_range");
                const std::string field = r.at("error").at("field").get<std::string>();
                CHECK((field == "context" || field == "concurrency"));
            } else {
                // 16,777,216 tokens is beyond every catalog model's window: refused as exceeds_context whatever the memory.
                CHECK(r.at("verdict") == "exceeds_context");
                CHECK(r.at("fits") == false);
            }
        }
    }
}

TEST_CASE("an overflow is blamed on the workload field that is the larger share of its bound") {
    // DeepSeek-V3's 128 heads × 2^40 cells × 65,536 tokens × 4 B of KQ scores.
    const json at_context = checked_answer({{"model", "deepseek-v3"},
                                            {"runtime", "llama.cpp"},
                                            {"context", 16777216},
                                            {"concurrency", 65536},
                                            {"engine", {{"flash_attn", false}, {"n_ubatch", 65536}, {"n_batch", 65536}}}});
    REQUIRE(at_context.contains("error"));
    CHECK(at_context.at("error").at("code") == "out_of_range");
    CHECK(at_context.at("error").at("field") == "context");
    CHECK(at_context.at("error").at("message").get<std::string>().find("2^63") != std::string::npos);
}

TEST_CASE("config sizes that multiply beyond any tensor are refused naming the config") {
    // Each size alone is within what the config reader accepts; their products are not.
    for (const auto& cfg : {llama_config({{"model_type", "qwen3_next"},
                                          {"linear_num_value_heads", 16},
                                          {"linear_value_head_dim", 128},
                                          {"linear_num_key_heads", 1024},
                                          {"linear_key_head_dim", 1099511627776LL}}),
                            llama_config({{"model_type", "gemma3n"}, {"sliding_window", 512}, {"altup_num_inputs", 1099511627776LL}}),
                            llama_config({{"num_local_experts", 8}, {"num_experts_per_tok", 2}, {"n_shared_experts", 1099511627776LL}})}) {
        const json r = checked_answer({{"config", cfg}, {"runtime", "vllm"}});
        REQUIRE(r.contains("error"));
        CHECK(r.at("error").at("field").get<std::string>().rfind("config", 0) == 0);
    }
}

TEST_CASE("solved limits stay within the model's trained context and the request bounds") {
    // A config may state as many positions as a request may ask (2^24 = kMaxContext); the solver's largest context is
    // still one a request may ask. One position more could never be used, and is refused naming the field.
    const json r = checked_answer(
        {{"config", llama_config({{"max_position_embeddings", i64{1} << 24}})}, {"runtime", "vllm"}, {"device", {{"memory_gib", 16384}}}, {"context", 4096}});
    REQUIRE(r.contains("limits"));
    CHECK(r.at("limits").at("max_context").get<i64>() <= fitmygpu::kMaxContext);
    CHECK(r.at("limits").at("max_context").get<i64>() > 1000000);
    CHECK(r.at("limits").at("max_concurrency").get<i64>() <= fitmygpu::kMaxConcurrency);
    for (const i64 positions : {(i64{1} << 24) + 1, i64{1099511627776}}) {
        const json e = error_of("estimate", json{{"config", llama_config({{"max_position_embeddings", positions}})}, {"runtime", "vllm"}}.dump());
        CHECK(e.at("code") == "invalid_field");
        CHECK(e.at("field") == "config.max_position_embeddings");
    }
}

TEST_CASE("names are bounded before any lookup: a huge model name is refused at once") {
    std::string name;
    for (int i = 0; i < 100000; ++i) name += "a ";
    for (const char* field : {"model", "gpu", "runtime", "weights", "kv_cache_dtype"}) {
        json req = {{"model", "llama-3.1-8b"}};
        req[field] = name;
        const json e = error_of("estimate", req.dump());
        CHECK(e.at("code") == "invalid_field");
        CHECK(e.at("field") == field);
    }
    CHECK(error_of("search", json{{"query", name}}.dump()).at("field") == "query");
    // An unknown key is named back shortened, not echoed whole.
    const json unknown = error_of("estimate", json{{"model", "llama-3.1-8b"}, {name, 1}}.dump());
    CHECK(unknown.at("code") == "unknown_field");
    CHECK(unknown.at("field").get<std::string>().size() <= 60);
    CHECK(unknown.at("message").get<std::string>().size() < 200);
    // An empty key still names a field.
    CHECK(error_of("estimate", R"({"model": "llama-3.1-8b", "": 1})").at("field") == "\"\"");
    CHECK(error_of("estimate", R"({"model": "llama-3.1-8b", "engine": {"": 1}})").at("field") == "engine.\"\"");
    const json knob = error_of("estimate", json{{"model", "llama-3.1-8b"}, {"engine", {{name, 1}}}}.dump());
    CHECK(knob.at("field").get<std::string>().size() <= 67);
    CHECK(error_of("estimate", json{{"model", "llama-3.1-8b"}, {"engine", {{"speculative_model", name}}}}.dump()).at("field") == "engine.speculative_model");
}

TEST_CASE("a config claiming billions of MTP layers is refused, not modelled layer by layer") {
    json cfg = llama_config({{"num_nextn_predict_layers", 2147483647}});
    const json e = error_of("estimate", json{{"config", cfg}, {"runtime", "vllm"}, {"engine", {{"speculative_model", "mtp"}}}}.dump());
    CHECK(e.at("code") == "invalid_field");
    CHECK(e.at("field") == "config.num_nextn_predict_layers");
}

TEST_CASE("image token counts from a config are checked whole numbers") {
    json vision = {{"hidden_size", 1152}, {"num_hidden_layers", 27}, {"image_size", 896}, {"patch_size", 14}};
    auto with = [&](std::initializer_list<std::pair<const std::string, json>> changes) {
        json cfg = llama_config({{"vision_config", vision}});
        for (const auto& [k, v] : changes) cfg[k] = v;
        return json{{"config", cfg}, {"runtime", "vllm"}, {"images", 1}, {"context", 8192}};
    };
    CHECK(error_of("estimate", with({{"mm_tokens_per_image", -5}}).dump()).at("field") == "config.mm_tokens_per_image");
    CHECK(error_of("estimate", with({{"mm_tokens_per_image", "many"}}).dump()).at("field") == "config.mm_tokens_per_image");
    vision["image_size"] = "896";
    CHECK(error_of("estimate", with({}).dump()).at("field") == "config.vision_config.image_size");
    vision["image_size"] = 100000;
    vision["patch_size"] = 1;
    CHECK(error_of("estimate", with({}).dump()).at("field") == "config.vision_config.patch_size");
    vision["patch_size"] = 14;
    vision["image_size"] = 896;
    const json ok = checked_answer(with({{"mm_tokens_per_image", 256}}));
    CHECK(ok.contains("verdict"));
}

TEST_CASE("a config field of the wrong JSON type names the config, not an internal error") {
    json cfg = llama_config(
        {{"model_type", "nemotron_h"}, {"hybrid_override_pattern", "M*M-"}, {"num_hidden_layers", 4}, {"layers_block_type", json::array({1, 2, 3, 4})}});
    const json e = error_of("estimate", json{{"config", cfg}, {"runtime", "vllm"}}.dump());
    CHECK(e.at("code") != "internal_error");
    CHECK(e.at("field").get<std::string>().rfind("config", 0) == 0);
}

TEST_CASE("log lines with numbers no engine prints are skipped, and device numbers no machine has match nothing") {
    const std::string log =
        "llama_context:  CUDA99999999999999999999 compute buffer size = 1.00 MiB\n"
        "load_tensors:  CUDA0 model buffer size = 99999999999999999999999999999 MiB\n"
        "llama_kv_cache: size = 1.00 MiB (99999999999999999999999 cells,  32 layers,  4/4 seqs)\n"
        "INFO Model loading took 99999999999999999999999 GiB\n"
        "INFO GPU KV cache size: 99999999999999999999999 tokens\n";
    const std::string out = fitmygpu::api::call("check_log", json{{"request", {{"model", "qwen3-0.6b"}, {"runtime", "llama.cpp"}}}, {"log", log}}.dump());
    CHECK(fitmygpu::fuzz::response_problem("check_log", out) == "");
    const json parsed = json::parse(fitmygpu::api::call("parse_log", json{{"log", log}}.dump()));
    CHECK(parsed.at("buffers").size() == 1);
    CHECK_FALSE(parsed.contains("kv_cells"));
    CHECK_FALSE(parsed.contains("weights_bytes"));
}

TEST_CASE("a request that is not a JSON object is invalid_request on every method that takes one") {
    for (const char* method : {"estimate", "compare", "quantizations", "defaults"})
        for (const char* text : {"[]", "[{\"model\":\"qwen3-8b\"}]", "1", "\"text\"", "null", "true"}) {
            CAPTURE(method);
            CAPTURE(text);
            const json e = error_of(method, text);
            REQUIRE(e.is_object());
            CHECK(e.at("code") == "invalid_request");
        }
}

TEST_CASE("checked multiplication: products of 32-bit factors are exact, and overflow past 2^63 - 1 is refused") {
    // Factors within 32 bits take the direct multiply; the largest such products still fit in 64 bits.
    CHECK(fitmygpu::checked::mul(2147483647, 2147483647, "context") == 4611686014132420609LL);        // (2^31 - 1)^2
    CHECK(fitmygpu::checked::mul(-2147483648LL, -2147483648LL, "context") == 4611686018427387904LL);  // 2^62
    CHECK(fitmygpu::checked::mul(-2147483648LL, 2147483647, "context") == -4611686016279904256LL);
    // One factor beyond 32 bits goes through the checked multiply: 2^31 × 2^32 = 2^63 does not fit, 2^31 × (2^32 - 1) does.
    CHECK(fitmygpu::checked::mul(2147483648LL, 4294967295LL, "context") == 9223372034707292160LL);
    CHECK_THROWS_AS(fitmygpu::checked::mul(2147483648LL, 4294967296LL, "context"), fitmygpu::FieldError);
    // 3,037,000,500^2 = 9,223,372,037,000,250,000 > 2^63 - 1 = 9,223,372,036,854,775,807.
    CHECK_THROWS_AS(fitmygpu::checked::mul(3037000500LL, 3037000500LL, "context"), fitmygpu::FieldError);
    CHECK(fitmygpu::checked::mul(3037000499LL, 3037000499LL, "context") == 9223372030926249001LL);
    try {
        fitmygpu::checked::mul(3037000500LL, 3037000500LL, "concurrency");
        FAIL("no overflow reported");
    } catch (const fitmygpu::FieldError& e) {
        CHECK(e.field() == "concurrency");
    }
}
