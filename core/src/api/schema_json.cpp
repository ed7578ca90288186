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
    json k = {{"name", spec->name},
              {"aliases", knob_spellings(rt.runtime, rk.name)},  // the engine's other spellings, as engine fields
              {"type", knob_type_name(spec->type)},
              {"label", rk.label.empty() ? spec->label : rk.label},
              {"help", spec->help},
              {"group", rk.main ? "main" : "advanced"},
              {"flag", rk.flag.empty() ? json(nullptr) : json(rk.flag)},
              {"shown_for", spec->shown_for.empty() ? json(nullptr) : json(spec->shown_for)}};
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

}  // namespace

const json& schema() {
    static const json cached = [] {
        json runtimes_json = json::array();
        for (const RuntimeDescriptor& rt : runtimes()) {
            json loads = json::array();
            for (FormatFamily f : rt.families) loads.push_back(family_name(f));
            json defaults = json::array();
            for (const auto& d : rt.default_weights) defaults.push_back({{"device_class", d.device_class}, {"weights", d.format}, {"why", d.why}});
            json kv = json::array();
            for (const auto& t : rt.kv_cache_types) kv.push_back({{"id", t.id}, {"label", t.label}});
            json knobs = json::array();
            for (const auto& k : rt.knobs) knobs.push_back(knob_json(rt, k));
            json formats = json::array();
            for (const auto& f : safetensors_and_mlx_formats())
                if (rt.loads(parse_weight_format(f.id))) formats.push_back(f.id);
            if (rt.loads_family(FormatFamily::Gguf))
                for (const char* t : gguf_menu_types()) formats.push_back(std::string("gguf:") + t);
            runtimes_json.push_back({{"id", rt.id},
                                     {"name", rt.name},
                                     {"aliases", rt.aliases},
                                     {"loads", loads},
                                     {"formats", formats},
                                     {"gguf_experimental", rt.gguf_experimental},
                                     {"default_weights", defaults},
                                     {"sweep_formats", rt.sweep_formats},
                                     {"kv_cache_types", kv},
                                     {"knobs", knobs},
                                     {"card_counts", rt.card_counts},
                                     {"parallel", rt.parallel},
                                     {"layer_split", rt.layer_split},
                                     {"multi_node", rt.multi_node == MultiNode::PipelineAcross ? json("pipeline across machines")
                                                    : rt.multi_node == MultiNode::TensorAcross ? json("tensor parallel across machines")
                                                                                               : json(nullptr)},
                                     {"vendors", rt.vendors},
                                     {"backends", rt.backends},
                                     {"verdict",
                                      {{"pool_factor", rt.margin.pool_factor},
                                       {"headroom_bytes", rt.margin.headroom_bytes},
                                       {"headroom_fraction", rt.margin.headroom_fraction},
                                       {"rule", rt.margin.describe()}}}});
        }
        json formats = json::array();
        for (const auto& f : safetensors_and_mlx_formats())
            formats.push_back({{"id", f.id}, {"name", format_display_name(f.id)}, {"family", family_name(f.family)}});
        json gguf = json::array();
        for (const char* t : gguf_menu_types()) gguf.push_back(std::string("gguf:") + t);
        // Every GGUF file type the estimator reads (published checkpoints may use types the menu leaves out).
        for (int i = 0; i <= static_cast<int>(GgufFileType::MXFP4_MOE); ++i) {
            const std::string id = std::string("gguf:") + gguf_file_type_name(static_cast<GgufFileType>(i));
            formats.push_back({{"id", id}, {"name", format_display_name(id)}, {"family", "gguf"}});
        }
        return rendered(json{{"runtimes", runtimes_json},
                             {"default_runtime", runtime_id(kDefaultRuntime)},
                             {"formats", formats},
                             {"gguf_types", gguf},
                             {"verdicts", json::array({{{"id", "fits"}, {"label", "Fits"}},
                                                       {{"id", "tight"}, {"label", "Tight fit"}},
                                                       {{"id", "does_not_fit"}, {"label", "Does not fit"}},
                                                       {{"id", kExceedsContext}, {"label", "Beyond the model's context"}}})},
                             {"limits",
                              {{"max_context", kMaxContext},
                               {"max_concurrency", kMaxConcurrency},
                               {"max_gpus", kMaxGpus},
                               {"max_images", kMaxImages},
                               {"max_device_memory_mib", kMaxDeviceMemoryMib},
                               {"max_device_bandwidth_gbps", kMaxDeviceBandwidthGbps},
                               {"max_host_memory_mib", kMaxHostMemoryMib},
                               {"max_host_bandwidth_gbps", kMaxHostBandwidthGbps},
                               {"min_gpu_count", 0}}},
                             {"host_defaults",
                              {{"desktop", {{"memory_mib", kDesktopHostMemoryBytes / MiB}, {"bandwidth_gbps", kDesktopHostBandwidthGbps}}},
                               {"server",
                                {{"memory_per_gpu_memory", kServerHostMemoryPerGpuMemory},
                                 {"min_memory_mib", kServerHostMemoryMinBytes / MiB},
                                 {"bandwidth_gbps", kServerHostBandwidthGbps}}},
                               {"cpu_runtimes", {"llama.cpp", "ollama"}},
                               {"gpu_wired_limit",
                                {{"field", "host.gpu_wired_limit_mib"},
                                 {"rule",
                                  "On a unified-memory chip the GPU may wire only a share of the memory: macOS's default (each device's "
                                  "default_wired_limit_mib in the GPU list), or what sysctl iogpu.wired_limit_mb sets, at most the whole memory"}}}}}},
                        Units::Binary);
    }();
    return cached;
}

}  // namespace fitmygpu::api
