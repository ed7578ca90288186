// Hostile and malformed input: whatever arrives, the API answers with a result or an error naming a field,
// never a crash, an exception escaping, or a NaN.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

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
