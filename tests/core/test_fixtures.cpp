// The golden fixtures in tests/fixtures/: each request's expected values (hand calculations written in the
// fixture's "why") checked natively. The node suite runs the same requests through the wasm module and
// the CLI and requires identical JSON.
#include <doctest/doctest.h>

#include <filesystem>

#include "helpers.hpp"

using namespace testing;

namespace {
// Follows "a.b.0.c" through objects and arrays; "x.length" is an array's size.
json at_path(const json& root, const std::string& path) {
    const json* cur = &root;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t dot = path.find('.', start);
        const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (cur->is_array()) {
            if (key == "length") return cur->size();
            cur = &cur->at(std::stoul(key));
        } else {
            if (!cur->contains(key)) return json();
            cur = &cur->at(key);
        }
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return *cur;
}
}  // namespace

TEST_CASE("golden fixtures give their hand-calculated values") {
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(FITMYGPU_SOURCE_DIR "/tests/fixtures")) {
        if (entry.path().extension() != ".json") continue;
        const json fx = json::parse(read_text(entry.path().string()));
        CAPTURE(entry.path().filename().string());
        const json r = json::parse(fitmygpu::api::call("estimate", fx.at("request").dump()));
        const json expect = fx.value("expect", json::object());
        for (const auto& item : expect.items()) {
            const std::string path = item.key();  // a named copy: CAPTURE cannot capture a structured binding in clang 14
            CAPTURE(path);
            CHECK(at_path(r, path) == item.value());
        }
        // Deterministic: the same request gives the same bytes.
        CHECK(fitmygpu::api::call("estimate", fx.at("request").dump()) == r.dump());
        ++n;
    }
    CHECK(n >= 6);
}
