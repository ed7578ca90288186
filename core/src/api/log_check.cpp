// Engine startup logs: parse one (parse_log) and set its figures beside the estimate of the same setup
// (check_log).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>

#include "fitmygpu/api.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/logs.hpp"
#include "request_json.hpp"

namespace fitmygpu::api {

using nlohmann::json;

json parse_log(const json& request) {
    if (!request.is_object() || !request.contains("log")) fail("missing_field", "log", "log (the engine's startup output) is required");
    return to_json(parse_engine_log(string_field(request.at("log"), "log")));
}

namespace {
// "CUDA0" -> 0, "ROCm1" -> 1, "Metal" -> 0; host buffer types -> -1.
int log_device_index(const std::string& device) {
    const std::string d = normalize_key(device);
    if (d.rfind("cpu", 0) == 0 || d.find("host") != std::string::npos) return -1;
    size_t i = d.size();
    while (i > 0 && std::isdigit(static_cast<unsigned char>(d[i - 1]))) --i;
    // Saturated: a device number no machine has (CUDA99999999999) matches no estimated device rather than overflow.
    int index = 0;
    for (size_t k = i; k < d.size(); ++k) index = std::min(index * 10 + (d[k] - '0'), 1 << 20);
    return index;
}
}  // namespace

json check_log(const json& request) {
    if (!request.is_object() || !request.contains("request")) fail("missing_field", "request", "request (the setup the log came from) is required");
    if (!request.contains("log")) fail("missing_field", "log", "log (the engine's startup output) is required");
    const ParsedLog log = parse_engine_log(string_field(request.at("log"), "log"));
    const Estimate e = fitmygpu::estimate(parse(request.at("request")));
    json rows = json::array();
    // One figure: what the log printed beside the estimate of it, with the signed relative error; `estimated` empty
    // where the estimate does not model that figure for this setup (`why` says so), shown as unknown.
    auto figure = [&](const std::string& what, int device, double logged, std::optional<double> estimated, const char* unit, const std::string& why = "") {
        const bool counted = std::string(unit) != "requests";
        const auto value = [&](double x) { return counted ? json(static_cast<i64>(std::llround(x))) : json(x); };
        json r = {{"what", what}, {"device", device}, {"unit", unit}, {"logged", value(logged)}, {"estimated", nullptr}};
        if (estimated) {
            r["estimated"] = value(*estimated);
            if (logged > 0) r["error_pct"] = std::round(10000.0 * (*estimated - logged) / logged) / 100.0;
        } else {
            r["note"] = why;
        }
        rows.push_back(r);
    };
    // A figure the estimate models, counted in whole units (bytes, tokens, layers).
    auto row = [&](const std::string& what, int device, i64 logged, i64 estimated, const char* unit = "bytes") {
        figure(what, device, static_cast<double>(logged), static_cast<double>(estimated), unit);
    };
    auto item = [&](const std::string& label, int device) {
        i64 total = 0;
        for (const auto& b : e.breakdown)
            if (b.label == label && b.device == device) total += b.bytes;
        return total;
    };
    auto figure_of = [&](const char* name) -> std::optional<double> {
        const auto it = e.engine_figures.find(name);
        return it == e.engine_figures.end() ? std::nullopt : std::optional<double>(static_cast<double>(it->second));
    };
    // Why the estimate gives no figure of that name: the engine's own reason, else `otherwise`.
    auto unknown_why = [&](const char* name, const std::string& otherwise) {
        const auto it = e.engine_figures_unknown.find(name);
        return it == e.engine_figures_unknown.end() ? otherwise : it->second;
    };
    if (log.engine == "llama.cpp") {
        // Sum the logged buffers per (kind, device) and set them beside the estimate's buffer of the same name.
        std::map<std::pair<std::string, int>, i64> logged;
        for (const auto& b : log.buffers) logged[{b.kind, log_device_index(b.device)}] += b.bytes;
        for (const auto& [key, bytes] : logged) {
            const auto& [kind, dev] = key;
            std::string label;
            if (kind == "model") label = dev < 0 ? "model buffer (host)" : "model buffer";
            else if (kind == "kv") label = dev < 0 ? "KV cache (host)" : "KV cache";
            else if (kind == "compute") label = dev < 0 ? "host compute buffer" : "compute buffer";
            else if (kind == "output") label = "output buffer (host)";
            else if (kind == "rs") label = dev < 0 ? "recurrent state (host)" : "recurrent state (RS buffer)";
            const int where = kind == "output" ? -1 : dev;
            const std::string name = kind == "kv" ? "KV" : kind == "rs" ? "RS" : kind;
            row(name + " buffer", where, bytes, item(label, where));
        }
        if (log.kv_cells > 0) row("KV cells", -1, log.kv_cells, e.kv.capacity_tokens, "tokens");
        // Ollama's own estimate (its "offload to" line) beside the same figures modelled from its source, when the
        // estimate made that decision (runtime ollama, a version before 0.12.11, num_gpu left to Ollama).
        for (const auto& [name, logged_value] : log.ollama_offload) {
            const auto it = e.engine_figures.find(name);
            if (it != e.engine_figures.end()) row("Ollama " + name, -1, logged_value, it->second, name == "layers.offload" ? "layers" : "bytes");
        }
    } else if (log.engine == "vllm" || log.engine == "sglang" || log.engine == "trtllm") {
        if (log.weights_bytes >= 0 && !e.devices.empty()) row("weights", 0, log.weights_bytes, e.devices[0].components.at(kWeights));
        if (log.kv_available_bytes >= 0 && !e.devices.empty()) row("KV cache pool", 0, log.kv_available_bytes, e.devices[0].components.at(kKvCache));
        if (log.kv_tokens >= 0) row("KV cache tokens", -1, log.kv_tokens, e.kv.capacity_tokens, "tokens");
        if (log.max_concurrency >= 0) figure("maximum concurrency", -1, log.max_concurrency, e.kv.max_concurrency, "requests");
        // vLLM's profiling run: the activation peak ("torch peak memory increase", or V0's peak less the weights) and
        // the memory outside torch's allocator.
        i64 activations = log.activation_peak_bytes;
        if (activations < 0 && log.torch_peak_total_bytes >= 0 && log.weights_bytes >= 0) activations = log.torch_peak_total_bytes - log.weights_bytes;
        if (activations >= 0 && !e.devices.empty()) row("activation peak (profiling run)", 0, activations, e.devices[0].components.at(kActivations));
        if (log.non_torch_bytes >= 0) row("non-torch memory", 0, log.non_torch_bytes, item("non-torch memory", 0));
        // CUDA graphs: vLLM's capture line is compared with the estimate's reading of that line, which some releases
        // print net of cached memory the capture releases; SGLang's with its graph item.
        if (log.graph_took_bytes) {
            if (log.engine == "sglang") row("CUDA graphs (capture)", 0, *log.graph_took_bytes, item("CUDA graphs (outside the static pool)", 0));
            else
                figure("CUDA graphs (capture)", 0, static_cast<double>(*log.graph_took_bytes), figure_of("cuda_graph_capture_took_bytes"), "bytes",
                       unknown_why("cuda_graph_capture_took_bytes", "the estimate captures no CUDA graphs for this setup"));
        }
        if (log.graph_profiled_bytes >= 0)
            figure("CUDA graphs (vLLM's profiled estimate)", 0, static_cast<double>(log.graph_profiled_bytes), figure_of("cuda_graph_profiled_estimate_bytes"),
                   "bytes",
                   unknown_why("cuda_graph_profiled_estimate_bytes",
                               "the estimate profiles CUDA graphs as vLLM 0.17 and later do; this setup's release does not"));
        // TensorRT-LLM's profiling peak (less its temporary KV cache) beside everything the estimate holds besides the KV cache.
        if (log.profile_peak_bytes >= 0 && !e.devices.empty()) {
            const auto& c = e.devices[0].components;
            i64 non_kv = 0;
            for (const auto& [name, bytes] : c)
                if (name != kKvCache) non_kv += bytes;
            row("profiling peak (all but the KV cache)", 0, log.profile_peak_bytes, non_kv);
        }
        // TensorRT engine builds: the engine beside the weights, the execution context beside the activations.
        if (log.engine_bytes >= 0 && !e.devices.empty()) row("engine size", 0, log.engine_bytes, e.devices[0].components.at(kWeights));
        if (log.exec_context_bytes >= 0 && !e.devices.empty()) row("execution context", 0, log.exec_context_bytes, e.devices[0].components.at(kActivations));
        // The C++ runtime's buffers and decoder beside the estimate's items of those names.
        if (log.runtime_buffers_bytes >= 0) row("runtime buffers", 0, log.runtime_buffers_bytes, item("runtime buffers (C++ runtime)", 0));
        if (log.decoder_bytes >= 0) row("decoder", 0, log.decoder_bytes, item("decoder (C++ runtime)", 0));
    } else if (log.engine == "mlx") {
        // mlx-lm's peak: weights, KV cache and activations of the whole run, on the one device.
        if (!e.devices.empty()) row("peak memory", 0, log.peak_bytes, e.devices[0].total_bytes);
    } else {
        fail("invalid_field", "log", "no llama.cpp, vLLM, SGLang, TensorRT-LLM or MLX startup line was recognised in the log");
    }
    return {{"engine", log.engine}, {"rows", rows}};
}

}  // namespace fitmygpu::api
