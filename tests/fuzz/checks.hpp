// What every answer to outside input must satisfy, shared by the libFuzzer targets (tests/fuzz/fuzz_*.cpp) and the
// doctest suite that replays their seed corpus and the regressions they found (tests/core/test_fuzz_corpus.cpp).
//
// Each run_* function feeds one input through a path of the API and returns "" when the answer is acceptable, or
// what is wrong with it: an error that is internal_error or names no field, text that is not JSON, a number that
// is NaN or infinite, a negative size, a verdict of "fits" with a device over its budget, or a solved limit
// beyond what a request may ask.
#pragma once
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

#include "fitmygpu/api.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/pattern.hpp"
#include "fitmygpu/request.hpp"

namespace fitmygpu::fuzz {

using nlohmann::json;

namespace detail {

inline std::string numbers_problem(const json& j, const std::string& path) {
    if (j.is_number_float() && !std::isfinite(j.get<double>())) return path + " is not finite";
    if (j.is_number() && j.get<double>() < 0) {
        // Headroom is negative by design (a deficit), so is an estimate below a logged figure, and device -1 means
        // host memory.
        const bool allowed = path.find("headroom_bytes") != std::string::npos || path.find("error_pct") != std::string::npos ||
                             (path.size() >= 7 && path.compare(path.size() - 7, 7, ".device") == 0);
        if (!allowed) return path + " is negative (" + j.dump() + ")";
    }
    if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it) {
            std::string p = numbers_problem(it.value(), path + "." + it.key());
            if (!p.empty()) return p;
        }
    if (j.is_array())
        for (size_t i = 0; i < j.size(); ++i) {
            std::string p = numbers_problem(j[i], path + "[" + std::to_string(i) + "]");
            if (!p.empty()) return p;
        }
    return "";
}

inline std::string estimate_problem(const json& r) {
    if (!r.contains("verdict") || !r.at("verdict").is_string()) return "an estimate without a verdict";
    const std::string v = r.at("verdict").get<std::string>();
    // The verdicts the schema lists; fits and tight are the ones that fit.
    bool known = false;
    const json schema = fitmygpu::api::schema();
    for (const auto& k : schema.at("verdicts")) known = known || k.at("id").get<std::string>() == v;
    if (!known) return "unknown verdict " + v;
    if (r.at("fits").get<bool>() != (v == "fits" || v == "tight")) return "fits and verdict disagree";
    if (r.at("fits").get<bool>())
        for (const auto& d : r.at("devices"))
            if (d.at("required_bytes").get<i64>() > d.at("budget_bytes").get<i64>()) return "fits with a device over its budget";
    const auto& lim = r.at("limits");
    if (lim.at("max_context").get<i64>() > kMaxContext) return "max_context beyond the largest context a request may ask";
    return "";
}

}  // namespace detail

// The response of `method` to some input, as api::call returned it.
inline std::string response_problem(const std::string& method, const std::string& text) {
    json r;
    try {
        r = json::parse(text);
    } catch (const json::exception& e) {
        return std::string("the response is not JSON: ") + e.what();
    }
    if (!r.is_object()) return "the response is not an object";
    if (r.contains("error")) {
        const json& e = r.at("error");
        if (!e.is_object() || !e.contains("code") || !e.at("code").is_string() || !e.contains("field") || !e.at("field").is_string() ||
            !e.contains("message") || !e.at("message").is_string())
            return "a malformed error object: " + e.dump();
        const std::string code = e.at("code").get<std::string>();
        if (code == "internal_error") return "internal_error: " + e.at("message").get<std::string>();
        // Only a request that is not JSON, or not an object, has no field to name.
        if (e.at("field").get<std::string>().empty() && code != "invalid_json" && code != "invalid_request") return "an error naming no field: " + e.dump();
        return "";
    }
    std::string p = detail::numbers_problem(r, method);
    if (!p.empty()) return p;
    if (method == "estimate") return detail::estimate_problem(r);
    if (method == "check_log" && r.contains("rows"))
        for (const auto& row : r.at("rows"))
            if (row.contains("error_pct") && !row.at("error_pct").is_number()) return "check_log error_pct is not a number";
    return "";
}

// The request path: the input is the text of an estimate request.
inline std::string run_request(const std::string& data) {
    const std::string out = api::call("estimate", data);
    return response_problem("estimate", out);
}

// The inline config path: the input is a config.json, estimated under one of the runtimes (chosen by the input's
// length so that every runtime sees configs).
inline std::string run_config(const std::string& data) {
    json config;
    try {
        config = api::parse_text(data);  // bounded like every request
    } catch (const FieldError&) {
        return "";
    }
    static const char* const kRuntimes[] = {"vllm", "llama.cpp", "sglang", "trtllm", "transformers", "mlx", "ollama"};
    json request = {{"config", std::move(config)}, {"runtime", kRuntimes[data.size() % 7]}};
    const std::string text = request.dump(-1, ' ', false, json::error_handler_t::replace);
    return response_problem("estimate", api::call("estimate", text));
}

// The log path: the input is an engine's startup output, parsed alone and set beside a small estimate.
inline std::string run_log(const std::string& data) {
    const std::string log = json(data).dump(-1, ' ', false, json::error_handler_t::replace);
    const std::string parsed = api::call("parse_log", "{\"log\":" + log + "}");
    std::string p = response_problem("parse_log", parsed);
    if (!p.empty()) return p;
    // The comparison needs a recognised log (and costs a whole estimate): only then is it worth running.
    if (json::parse(parsed).value("engine", std::string()).empty()) return "";
    const char* request = R"({"model":"qwen3-0.6b","runtime":"llama.cpp","weights":"gguf:Q8_0","gpu":"rtx-4090","context":4096})";
    return response_problem("check_log", api::call("check_log", std::string("{\"request\":") + request + ",\"log\":" + log + "}"));
}

// The checkpoint header path: the input is a whole file (its size known) and then a prefix of unknown length. An
// answer is an error naming the file, a request for more bytes than were given (never beyond the file), or an
// inspection whose sizes are non-negative and within the file.
inline std::string run_checkpoint_file(const std::string& data, const char* name) {
    for (const i64 size : {static_cast<i64>(data.size()), i64{-1}}) {
        json r;
        try {
            r = api::inspect_files({FileBytes{name, size, data}});
        } catch (const FieldError& e) {
            if (e.field().empty() || e.code() == "internal_error") return "an error naming no field: " + std::string(e.what());
            continue;
        } catch (const std::exception& e) {
            return std::string("an exception: ") + e.what();
        }
        if (r.contains("need_bytes")) {
            const i64 bytes = r.at("need_bytes").at(0).at("bytes").get<i64>();
            if (bytes <= static_cast<i64>(data.size())) return "need_bytes asks for no more than was given";
            if (size >= 0 && bytes > size) return "need_bytes asks for more than the file holds";
            continue;
        }
        // Metadata values and a config derived from them are the file's own numbers, negative ones included.
        for (const char* k : {"metadata", "request", "quantization", "files"}) r.erase(k);
        std::string p = detail::numbers_problem(r, "inspect");
        if (!p.empty()) return p;
        if (size >= 0 && r.at("tensor_bytes").is_number() && r.at("tensor_bytes").get<i64>() > size) return "tensor bytes beyond the file's size";
    }
    return "";
}
inline std::string run_safetensors(const std::string& data) { return run_checkpoint_file(data, "model.safetensors"); }
inline std::string run_gguf(const std::string& data) { return run_checkpoint_file(data, "model.gguf"); }

// The command path: the input is a launch command, read back into a request; a request with a catalog model is
// then estimated on a GPU, as the page does after a command is pasted.
inline std::string run_command(const std::string& data) {
    const std::string command = json(data).dump(-1, ' ', false, json::error_handler_t::replace);
    const std::string read = api::call("from_command", "{\"command\":" + command + "}");
    std::string p = response_problem("from_command", read);
    if (!p.empty()) return p;
    json r = json::parse(read);
    if (r.contains("error")) return "";
    json request = r.at("request");
    if (!request.contains("model") || request.at("model").get<std::string>().rfind("hf:", 0) == 0) return "";
    request["gpu"] = request.at("runtime") == "mlx" ? "m4-max-64gb" : "rtx-4090";
    return response_problem("estimate", api::call("estimate", request.dump(-1, ' ', false, json::error_handler_t::replace)));
}

// The pattern matcher of --override-tensor and "re:" entries: the first line is the pattern, the rest the text. Every
// pattern is read or refused with a PatternError, every match lies inside the text, and a prefix match is also a
// match found by search at the text's start.
inline std::string run_pattern(const std::string& data) {
    const size_t nl = data.find('\n');
    const std::string pattern = data.substr(0, nl);
    const std::string text = nl == std::string::npos ? "" : data.substr(nl + 1);
    try {
        const Pattern p(pattern, !pattern.empty() && (pattern[0] & 1));
        PatternMatch m;
        if (p.search(text, &m) && (m.begin > m.end || m.end > text.size())) return "a match outside the text";
        const bool prefix = p.match_prefix(text, &m);
        if (prefix && m.begin != 0) return "a prefix match that does not start the text";
        if (prefix && !(p.search(text, &m) && m.begin == 0)) return "a prefix match that search does not find at 0";
        if (p.match_all(text, &m) && (m.begin != 0 || m.end != text.size())) return "a whole match that is not the whole text";
        (void)p.replace_all(text, "-");
    } catch (const PatternError&) {
    }
    return "";
}

}  // namespace fitmygpu::fuzz
