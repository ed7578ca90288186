// The startup logs transcribed in tests/data (vllm-startup-logs.json, llamacpp-startup-logs.json) stay usable:
// every row names its source and settings, its request is valid, and each figure it logged is one the estimate
// reports (a component, or a breakdown item on that device). scripts/calibration-report prints the errors;
// test_vllm.cpp, test_llamacpp.cpp and test_gguf.cpp assert the rows with their tolerances. KV cache and
// recurrent-state buffers are exact arithmetic, so those must match the printed two decimals here too.
#include <doctest/doctest.h>

#include <set>

#include "helpers.hpp"

using namespace testing;

namespace {
json load(const char* name) { return json::parse(read_text(std::string(FITMYGPU_SOURCE_DIR "/tests/data/") + name)); }
}  // namespace

TEST_CASE("every transcribed startup log names its source and settings, and ids are unique") {
    std::set<std::string> ids;
    for (const char* file : {"vllm-startup-logs.json", "llamacpp-startup-logs.json"}) {
        const json data = load(file);
        CAPTURE(file);
        REQUIRE(data.at("about").is_string());
        REQUIRE(data.at("rows").size() >= 5);
        for (const auto& row : data.at("rows")) {
            const std::string id = row.at("id");
            CAPTURE(id);
            CHECK(ids.insert(id).second);
            CHECK_FALSE(row.at("source").get<std::string>().empty());
            CHECK_FALSE(row.at("settings").get<std::string>().empty());
            CHECK((row.contains("request") || row.contains("logged")));
        }
    }
}

TEST_CASE("vLLM startup logs: each request is valid and each logged component is estimated") {
    const json data = load("vllm-startup-logs.json");
    int checked = 0;
    for (const auto& row : data.at("rows")) {
        const std::string id = row.at("id");
        CAPTURE(id);
        const json r = fitmygpu::api::estimate(row.at("request"));
        REQUIRE_FALSE(r.contains("error"));
        for (auto it = row.at("logged_gib").begin(); it != row.at("logged_gib").end(); ++it) {
            const std::string name = it.key();
            CAPTURE(name);
            CHECK(component(r, name) > 0);
            ++checked;
        }
        if (row.contains("tokens")) CHECK(r.at("kv_cache").at("capacity_tokens").get<i64>() > 0);
    }
    CHECK(checked >= 20);
}

TEST_CASE("llama.cpp startup logs: each request is valid, each logged buffer is estimated, KV and state to 0.01 MiB") {
    const json data = load("llamacpp-startup-logs.json");
    int checked = 0;
    for (const auto& row : data.at("rows")) {
        if (!row.contains("request")) continue;
        const std::string id = row.at("id");
        CAPTURE(id);
        const json r = fitmygpu::api::estimate(row.at("request"));
        REQUIRE_FALSE(r.contains("error"));
        for (auto it = row.at("logged_mib").begin(); it != row.at("logged_mib").end(); ++it) {
            const std::string key = it.key();
            const auto at = key.rfind('@');
            REQUIRE(at != std::string::npos);
            const std::string label = key.substr(0, at);
            const int device = std::stoi(key.substr(at + 1));
            const double logged = it.value().get<double>();
            const double got = mib(item(r, label, device));
            CAPTURE(key);
            CAPTURE(got);
            CAPTURE(logged);
            CHECK(got > 0);
            if (label.rfind("KV cache", 0) == 0 || label.rfind("recurrent state", 0) == 0) CHECK(std::fabs(got - logged) < 0.006);
            ++checked;
        }
    }
    CHECK(checked >= 15);
}
