// plan: every catalog model × published checkpoint × runtime on the request's hardware. Each row is checked against
// estimate of the same setup (verdict and limits), and against what the catalog and the registry say should be there.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>

#include "helpers.hpp"

using namespace testing;

namespace {

// A plan of the whole catalog is the slowest call in the suite; the test cases that ask for the same one share it.
const json& plan(const json& request) {
    static std::map<std::string, json> plans;
    const std::string key = request.dump();
    auto it = plans.find(key);
    if (it == plans.end()) it = plans.emplace(key, fitmygpu::api::plan(request)).first;
    return it->second;
}

// The estimate request of a plan row: the hardware of the plan request with the row's model, weights and runtime.
json row_request(const json& hardware, const json& row) {
    json r = hardware;
    r.erase("fits_only");
    r.erase("models");
    r["model"] = row.at("model");
    r["weights"] = row.at("weights");
    r["runtime"] = row.at("runtime");
    return r;
}

// Every k-th row, so that a sample spans models, checkpoints and runtimes.
std::vector<json> sample(const json& rows, size_t count) {
    std::vector<json> out;
    const size_t step = std::max<size_t>(1, rows.size() / count);
    for (size_t i = 0; i < rows.size(); i += step) out.push_back(rows[i]);
    return out;
}

const json kSetups[] = {
    json::parse(R"({"gpu": "rtx-4090", "context": 8192})"),
    json::parse(R"({"gpu": "rtx-3090", "gpu_count": 2, "runtime": "llama.cpp", "context": 32768})"),
    json::parse(R"({"gpu": "rtx-6000-ada", "context": 16384, "concurrency": 4})"),
    json::parse(R"({"gpu": "h100-sxm-80gb", "gpu_count": 8, "context": 32768, "concurrency": 16})"),
    json::parse(R"({"gpu": "m4-max-64gb", "context": 8192})"),
};

}  // namespace

TEST_CASE("each plan row says what estimate says of the same setup: verdict, max context and max concurrency") {
    for (const json& hw : kSetups) {
        CAPTURE(hw.dump());
        const json& p = plan(hw);
        REQUIRE(p.at("rows").size() > 50);
        for (const json& row : sample(p.at("rows"), 8)) {
            CAPTURE(row.dump());
            const json e = fitmygpu::api::estimate(row_request(hw, row));
            CHECK(row.at("verdict") == e.at("verdict"));
            CHECK(row.at("fits") == e.at("fits"));
            // The plan's limits come from a guided search; estimate's from plain bisection: the same answers.
            CHECK(row.at("max_context") == e.at("limits").at("max_context"));
            CHECK(row.at("max_concurrency") == e.at("limits").at("max_concurrency"));
            CHECK(row.at("decode_tokens_per_s") == e.at("speed").at("decode_tokens_per_s"));
        }
    }
}

TEST_CASE("no plan row fits beyond the model's window, and max context stops at the window") {
    // 2 × RTX 3090 on llama.cpp at 32K: models trained for less (Codestral 22B's config: max_position_embeddings
    // 32768 fits 32K exactly; Gemma 2's 8192 does not) are exceeds_context however small they are.
    const json& p = plan(kSetups[1]);
    bool saw_short = false, saw_capped = false;
    for (const json& row : p.at("rows")) {
        CAPTURE(row.dump());
        if (row.contains("error")) continue;
        const json native = row.at("native_context");
        if (native.is_null()) continue;
        CHECK(row.at("max_context").get<i64>() <= native.get<i64>());
        if (native.get<i64>() < 32768) {
            saw_short = true;
            CHECK(row.at("verdict") == "exceeds_context");
            CHECK(row.at("fits") == false);
            CHECK(row.at("max_concurrency") == 0);  // nothing runs at a context the model cannot take
        }
        if (row.at("max_context_is_window").get<bool>()) {
            saw_capped = true;
            CHECK(row.at("max_context") == native);
        }
    }
    CHECK(saw_short);
    CHECK(saw_capped);
    // Gemma 3 27B's text_config leaves max_position_embeddings at its class default; the catalog gives its window,
    // 131,072 tokens (context_window). No catalog model is without a window.
    bool saw_gemma = false;
    for (const json& row : p.at("rows")) {
        CHECK(!row.at("native_context").is_null());
        if (row.at("model") == "gemma-3-27b") {
            saw_gemma = true;
            CHECK(row.at("native_context") == 131072);
            CHECK(row.at("max_context").get<i64>() <= 131072);
        }
    }
    CHECK(saw_gemma);
    CHECK(p.at("capped_rows").get<i64>() > 0);
    CHECK(p.at("window_rule").get<std::string>().find("native window") != std::string::npos);
}

TEST_CASE("estimate refuses to call a context beyond the model's window a fit") {
    // Gemma 2 2B: max_position_embeddings 8192 (its config.json). On an H100 its memory is no question.
    const json at_window = estimate(R"({"model": "gemma-2-2b", "gpu": "h100-sxm-80gb", "runtime": "vllm", "context": 8192})");
    CHECK(at_window.at("verdict") == "fits");
    CHECK(at_window.at("limits").at("max_context") == 8192);
    const json beyond = estimate(R"({"model": "gemma-2-2b", "gpu": "h100-sxm-80gb", "runtime": "vllm", "context": 8193})");
    CHECK(beyond.at("verdict") == "exceeds_context");
    CHECK(beyond.at("fits") == false);
    CHECK(beyond.at("limits").at("max_context") == 8192);
    bool warned = false;
    for (const auto& w : beyond.at("warnings")) warned = warned || w.get<std::string>().find("window of 8,192 tokens") != std::string::npos;
    CHECK(warned);
}

TEST_CASE("plan lists every published checkpoint on every runtime that runs on the device and loads it, and nothing else") {
    const json schema = fitmygpu::api::schema();
    struct Case {
        json hw;
        std::string vendor;
    };
    for (const Case& c : {Case{kSetups[0], "nvidia"}, Case{kSetups[4], "apple"}}) {
        CAPTURE(c.hw.dump());
        std::set<std::string> expected;
        const json models = fitmygpu::api::list_models();
        for (const auto& m : models.at("models"))
            for (const auto& f : m.value("formats", json::array())) {
                const std::string format = f.get<std::string>();
                if (format == "nvfp4") continue;  // Blackwell kernels: neither an RTX 4090 nor an Apple chip
                for (const auto& rt : schema.at("runtimes")) {
                    bool vendor = false, loads = false;
                    for (const auto& v : rt.at("vendors")) vendor = vendor || v == c.vendor;
                    // The schema lists the safetensors and MLX formats a runtime loads, and "gguf" among the
                    // families of those that read any GGUF file type.
                    for (const auto& f2 : rt.at("formats")) loads = loads || f2 == format;
                    if (format.rfind("gguf:", 0) == 0)
                        for (const auto& l : rt.at("loads")) loads = loads || l == "gguf";
                    if (vendor && loads) expected.insert(m.at("id").get<std::string>() + " " + format + " " + rt.at("id").get<std::string>());
                }
            }
        std::set<std::string> got;
        const json& p = plan(c.hw);
        for (const auto& row : p.at("rows")) {
            got.insert(row.at("model").get<std::string>() + " " + row.at("weights").get<std::string>() + " " + row.at("runtime").get<std::string>());
            CHECK(row.at("verdict") != "error");
        }
        for (const auto& e : expected) {
            CAPTURE(e);
            CHECK(got.count(e) == 1);
        }
        for (const auto& g : got) {
            CAPTURE(g);
            CHECK(expected.count(g) == 1);
        }
        for (const auto& g : got) {
            CAPTURE(g);
            const std::string runtime = g.substr(g.rfind(' ') + 1);
            if (c.vendor == "apple") CHECK((runtime == "llama.cpp" || runtime == "ollama" || runtime == "mlx" || runtime == "transformers"));
            else CHECK(runtime != "mlx");
        }
    }
}

TEST_CASE("plan: a runtime narrows the rows; models and fits_only filter them") {
    const json p =
        plan(json::parse(R"({"gpu": "rtx-3090", "gpu_count": 2, "runtime": "llama.cpp", "context": 32768, "models": ["llama-3.1-8b", "qwen3-32b"]})"));
    REQUIRE(p.at("rows").size() > 0);
    for (const auto& row : p.at("rows")) {
        CHECK(row.at("runtime") == "llama.cpp");
        CHECK(row.at("weights").get<std::string>().rfind("gguf:", 0) == 0);
        CHECK((row.at("model") == "llama-3.1-8b" || row.at("model") == "qwen3-32b"));
    }
    CHECK(p.at("runtimes") == json::array({"llama.cpp"}));
    CHECK(p.at("device").at("count") == 2);
    const json fitting = plan(json::parse(R"({"gpu": "rtx-4090", "fits_only": true})"));
    REQUIRE(fitting.at("rows").size() > 0);
    for (const auto& row : fitting.at("rows")) CHECK(row.at("fits") == true);
}

TEST_CASE("plan: bad requests are errors naming the field") {
    CHECK(error_of("plan", R"({"gpu": "rtx-4090", "model": "llama-3.1-8b"})").at("field") == "model");
    CHECK(error_of("plan", R"({"gpu": "rtx-4090", "weights": "bf16"})").at("field") == "weights");
    CHECK(error_of("plan", R"({"gpu": "rtx-4090", "models": ["no-such-model"]})").at("field") == "models[0]");
    CHECK(error_of("plan", R"({"gpu": "rtx-4090", "models": "llama-3.1-8b"})").at("field") == "models");
    CHECK(error_of("plan", R"({"gpu": "rtx-4090", "fits_only": 1})").at("field") == "fits_only");
    CHECK(error_of("plan", R"({"gpu": "rtx-4090", "context": 0})").at("field") == "context");
    CHECK(error_of("plan", R"({"gpu": "no-such-gpu"})").at("field") == "gpu");
    const json unsupported = error_of("plan", R"({"gpu": "m4-max-64gb", "runtime": "vllm"})");
    CHECK(unsupported.at("code") == "unsupported");
    CHECK(unsupported.at("field") == "runtime");
    CHECK(error_of("plan", "[1]").at("code") == "invalid_request");
}

TEST_CASE("the checkpoint table's max context is estimate's max context for that checkpoint, never beyond the window") {
    const char* setups[] = {
        R"({"model": "qwen3-32b", "runtime": "llama.cpp", "gpu": "rtx-4090", "context": 8192})",
        R"({"model": "llama-3.1-70b", "runtime": "vllm", "gpu": "h100-sxm-80gb", "gpu_count": 2, "concurrency": 8})",
        R"({"model": "gemma-2-9b", "runtime": "llama.cpp", "gpu": "rtx-3090", "gpu_count": 2, "context": 32768})",
    };
    for (const std::string text : setups) {
        CAPTURE(text);
        const json request = json::parse(text);
        const json q = fitmygpu::api::quantizations(request);
        const i64 window = fitmygpu::api::model_info({{"model", request.at("model")}}).at("derived").at("max_position_embeddings").get<i64>();
        REQUIRE(q.at("options").size() > 0);
        for (const auto& o : q.at("options")) {
            if (o.contains("error")) continue;
            CAPTURE(o.dump());
            json with = request;
            with["weights"] = o.at("weights");
            CHECK(o.at("max_context") == fitmygpu::api::estimate(with).at("limits").at("max_context"));
            CHECK(o.at("max_context").get<i64>() <= window);
        }
    }
}

TEST_CASE("Apple's GPU wired limit: macOS's default share, or host.gpu_wired_limit_mib up to the whole memory") {
    // M4 Max 64 GB: 65,536 MiB of unified memory; macOS lets the GPU wire 3/4 of it by default (the catalog's
    // gpu_share_default 0.75, from recommendedMaxWorkingSetSize): 49,152 MiB. sysctl iogpu.wired_limit_mb=57344
    // raises it to 57,344 MiB. MLX and llama.cpp take the whole wired limit as their budget.
    const std::string base = R"({"model": "qwen3-32b", "gpu": "m4-max-64gb", "runtime": "mlx", "weights": "mlx-8bit")";
    const json by_default = estimate(base + "}");
    CHECK(by_default.at("devices")[0].at("capacity_bytes") == i64{65536} * MiB);
    CHECK(by_default.at("devices")[0].at("budget_bytes") == i64{49152} * MiB);
    const json raised = estimate(base + R"(, "host": {"gpu_wired_limit_mib": 57344}})");
    CHECK(raised.at("devices")[0].at("budget_bytes") == i64{57344} * MiB);
    // The same bytes are needed; 8,192 MiB more may be used.
    CHECK(raised.at("devices")[0].at("required_bytes") == by_default.at("devices")[0].at("required_bytes"));
    CHECK(raised.at("devices")[0].at("headroom_bytes").get<i64>() - by_default.at("devices")[0].at("headroom_bytes").get<i64>() == i64{8192} * MiB);
    bool said = false;
    for (const auto& a : raised.at("assumptions")) said = said || a.get<std::string>().find("57,344 MiB (host.gpu_wired_limit_mib") != std::string::npos;
    CHECK(said);
    // llama.cpp on the same chip, with the wired limit as the plan sends it.
    const json llama = estimate(R"({"model": "llama-3.1-8b", "gpu": "m4-max-64gb", "runtime": "llama.cpp", "host": {"gpu_wired_limit_mib": 60000}})");
    CHECK(llama.at("devices")[0].at("budget_bytes") == i64{60000} * MiB);
    // The whole memory is allowed, one MiB more is not; a card with memory of its own has no such limit.
    CHECK(estimate(base + R"(, "host": {"gpu_wired_limit_mib": 65536}})").at("devices")[0].at("budget_bytes") == i64{65536} * MiB);
    const json over = error_of("estimate", base + R"(, "host": {"gpu_wired_limit_mib": 65537}})");
    CHECK(over.at("field") == "host.gpu_wired_limit_mib");
    CHECK(over.at("message").get<std::string>().find("65,536 MiB") != std::string::npos);
    CHECK(error_of("estimate", R"({"model": "llama-3.1-8b", "gpu": "rtx-4090", "host": {"gpu_wired_limit_mib": 16384}})").at("field") ==
          "host.gpu_wired_limit_mib");
    CHECK(error_of("estimate", base + R"(, "host": {"gpu_wired_limit_mib": 0}})").at("field") == "host.gpu_wired_limit_mib");
    CHECK(error_of("estimate", base + R"(, "host": {"gpu_wired_limit_mib": "lots"}})").at("field") == "host.gpu_wired_limit_mib");
    // The GPU list publishes macOS's default, and plan takes the knob like estimate.
    const json gpus = fitmygpu::api::list_gpus();
    for (const auto& g : gpus.at("gpus"))
        if (g.at("id") == "m4-max-64gb") CHECK(g.at("default_wired_limit_mib") == 49152);
    const json p = fitmygpu::api::plan(json::parse(R"({"gpu": "m4-max-64gb", "host": {"gpu_wired_limit_mib": 57344}, "models": ["qwen3-32b"]})"));
    for (const auto& row : p.at("rows")) CHECK(row.at("memory").at("budget_bytes") == i64{57344} * MiB);
}
