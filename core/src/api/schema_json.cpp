// The registry as JSON (API method schema): every runtime with its formats, KV cache types, knobs, card
// counts, layouts, devices and verdict rule, and the request-wide limits. The page, the widget and the
// model-page generator build their menus and explanatory text from it.
#include "fitmygpu/api.hpp"
#include "fitmygpu/commands.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/request.hpp"
#include "fitmygpu/solvers.hpp"

namespace fitmygpu::api {

using nlohmann::json;

namespace {

const char* family_name(FormatFamily f) {
    switch (f) {
        case FormatFamily::Safetensors: return "safetensors";
        case FormatFamily::Gguf: return "gguf";
        case FormatFamily::Mlx: return "mlx";
    }
    return "safetensors";
}

json knob_json(const RuntimeDescriptor& rt, const RuntimeKnob& rk) {
    const KnobSpec* spec = find_knob(rk.name);
    json k(json::value_t::object);
    k["name"] = spec->name;
    k["aliases"] = knob_spellings(rt.runtime, rk.name);  // the engine's other spellings, as engine fields
    k["type"] = knob_type_name(spec->type);
    k["label"] = rk.label.empty() ? spec->label : rk.label;
    k["help"] = spec->help;
    k["group"] = rk.main ? "main" : "advanced";
    k["flag"] = rk.flag.empty() ? json(nullptr) : json(rk.flag);
    k["shown_for"] = spec->shown_for.empty() ? json(nullptr) : json(spec->shown_for);
    if (spec->type == KnobType::Integer) {
        k["min"] = static_cast<i64>(spec->min);
        k["max"] = static_cast<i64>(spec->max);
        if (spec->power_of_two) k["power_of_two"] = true;
    } else if (spec->type == KnobType::Fraction) {
        k["min"] = 0;
        k["min_exclusive"] = true;
        k["max"] = spec->max;
        k["max_exclusive"] = spec->max_exclusive;
    } else if (spec->type == KnobType::Text && !spec->pattern.empty()) {
        k["pattern"] = spec->pattern;
    } else if (spec->type == KnobType::NumberList) {
        k["max_items"] = spec->max_items;
    }
    const KnobDefault d = rk.default_for ? rk.default_for({}, EngineKnobs{}) : KnobDefault{};
    k["default"] = to_json(d);
    k["default_text"] = rk.default_text.empty() ? json(nullptr) : json(rk.default_text);
    return k;
}

json runtime_json(const RuntimeDescriptor& rt) {
    json r(json::value_t::object);
    r["id"] = rt.id;
    r["name"] = rt.name;
    r["aliases"] = rt.aliases;
    json& loads = r["loads"] = json(json::value_t::array);
    for (FormatFamily f : rt.families) loads.push_back(family_name(f));
    json& formats = r["formats"] = json(json::value_t::array);
    for (const auto& f : safetensors_and_mlx_formats())
        if (rt.loads(parse_weight_format(f.id))) formats.push_back(f.id);
    if (rt.loads_family(FormatFamily::Gguf))
        for (const char* t : gguf_menu_types()) formats.push_back(std::string("gguf:") + t);
    r["gguf_experimental"] = rt.gguf_experimental;
    json& defaults = r["default_weights"] = json(json::value_t::array);
    for (const auto& d : rt.default_weights) {
        json& w = defaults.emplace_back(json(json::value_t::object));
        w["device_class"] = d.device_class;
        w["weights"] = d.format;
        w["why"] = d.why;
    }
    r["sweep_formats"] = rt.sweep_formats;
    json& kv = r["kv_cache_types"] = json(json::value_t::array);
    for (const auto& t : rt.kv_cache_types) {
        json& type = kv.emplace_back(json(json::value_t::object));
        type["id"] = t.id;
        type["label"] = t.label;
    }
    json& knobs = r["knobs"] = json(json::value_t::array);
    for (const auto& k : rt.knobs) knobs.push_back(knob_json(rt, k));
    r["card_counts"] = rt.card_counts;
    r["parallel"] = rt.parallel;
    r["layer_split"] = rt.layer_split;
    r["multi_node"] = rt.multi_node == MultiNode::PipelineAcross ? json("pipeline across machines")
                      : rt.multi_node == MultiNode::TensorAcross ? json("tensor parallel across machines")
                                                                 : json(nullptr);
    r["vendors"] = rt.vendors;
    r["backends"] = rt.backends;
    json& verdict = r["verdict"] = json(json::value_t::object);
    verdict["pool_factor"] = rt.margin.pool_factor;
    verdict["headroom_bytes"] = rt.margin.headroom_bytes;
    verdict["headroom_fraction"] = rt.margin.headroom_fraction;
    verdict["rule"] = rt.margin.describe();
    return r;
}

json format_json(const std::string& id, const char* family) {
    json f(json::value_t::object);
    f["id"] = id;
    f["name"] = format_display_name(id);
    f["family"] = family;
    return f;
}

struct VerdictRow {
    const char* id;
    const char* label;
};
constexpr VerdictRow kVerdicts[] = {
    {"fits", "Fits"}, {"tight", "Tight fit"}, {"does_not_fit", "Does not fit"}, {kExceedsContext, "Beyond the model's context"}};

}  // namespace

const json& schema() {
    static const json cached = [] {
        json out(json::value_t::object);
        json& runtimes_json = out["runtimes"] = json(json::value_t::array);
        for (const RuntimeDescriptor& rt : runtimes()) runtimes_json.push_back(runtime_json(rt));
        out["default_runtime"] = runtime_id(kDefaultRuntime);
        json& formats = out["formats"] = json(json::value_t::array);
        for (const auto& f : safetensors_and_mlx_formats()) formats.push_back(format_json(f.id, family_name(f.family)));
        json& gguf = out["gguf_types"] = json(json::value_t::array);
        for (const char* t : gguf_menu_types()) gguf.push_back(std::string("gguf:") + t);
        // Every GGUF file type the estimator reads (published checkpoints may use types the menu leaves out).
        for (int i = 0; i <= static_cast<int>(GgufFileType::MXFP4_MOE); ++i)
            formats.push_back(format_json(std::string("gguf:") + gguf_file_type_name(static_cast<GgufFileType>(i)), "gguf"));
        json& verdicts = out["verdicts"] = json(json::value_t::array);
        for (const VerdictRow& v : kVerdicts) {
            json& verdict = verdicts.emplace_back(json(json::value_t::object));
            verdict["id"] = v.id;
            verdict["label"] = v.label;
        }
        json& limits = out["limits"] = json(json::value_t::object);
        limits["max_context"] = kMaxContext;
        limits["max_concurrency"] = kMaxConcurrency;
        limits["max_gpus"] = kMaxGpus;
        limits["max_images"] = kMaxImages;
        limits["max_device_memory_mib"] = kMaxDeviceMemoryMib;
        limits["max_device_bandwidth_gbps"] = kMaxDeviceBandwidthGbps;
        limits["max_host_memory_mib"] = kMaxHostMemoryMib;
        limits["max_host_bandwidth_gbps"] = kMaxHostBandwidthGbps;
        limits["min_gpu_count"] = 0;
        json& host = out["host_defaults"] = json(json::value_t::object);
        json& desktop = host["desktop"] = json(json::value_t::object);
        desktop["memory_mib"] = kDesktopHostMemoryBytes / MiB;
        desktop["bandwidth_gbps"] = kDesktopHostBandwidthGbps;
        json& server = host["server"] = json(json::value_t::object);
        server["memory_per_gpu_memory"] = kServerHostMemoryPerGpuMemory;
        server["min_memory_mib"] = kServerHostMemoryMinBytes / MiB;
        server["bandwidth_gbps"] = kServerHostBandwidthGbps;
        host["cpu_runtimes"] = {"llama.cpp", "ollama"};
        json& wired = host["gpu_wired_limit"] = json(json::value_t::object);
        wired["field"] = "host.gpu_wired_limit_mib";
        wired["rule"] =
            "On a unified-memory chip the GPU may wire only a share of the memory: macOS's default (each device's "
            "default_wired_limit_mib in the GPU list), or what sysctl iogpu.wired_limit_mb sets, at most the whole memory";
        return rendered(std::move(out), Units::Binary);
    }();
    return cached;
}

}  // namespace fitmygpu::api
