// config.json -> ModelGeometry: the family row of the text model's model_type (model/families), the
// text model's sizes (model/text_model), one LayerSpec per layer (model/layer_layout) and the vision
// encoder (model/vision), then what engines need beyond the shape (state dtype, quantization_config),
// all read through model/config_reader.
#include "fitmygpu/geometry.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <set>
#include <string>

#include "fitmygpu/error.hpp"
#include "model/parse_steps.hpp"
#include "text.hpp"

namespace fitmygpu {

bool ModelGeometry::has(Mixer m) const {
    return std::any_of(layers.begin(), layers.end(), [m](const LayerSpec& l) { return l.mixer == m; });
}
int ModelGeometry::count(Mixer m) const {
    return static_cast<int>(std::count_if(layers.begin(), layers.end(), [m](const LayerSpec& l) { return l.mixer == m; }));
}

const char* mixer_name(Mixer m) {
    switch (m) {
        case Mixer::FullAttention: return "full attention";
        case Mixer::SlidingAttention: return "sliding-window attention";
        case Mixer::ChunkedAttention: return "chunked local attention";
        case Mixer::Mla: return "multi-head latent attention";
        case Mixer::LinearAttention: return "linear attention (Gated DeltaNet)";
        case Mixer::Mamba: return "Mamba SSM";
        case Mixer::None: return "none";
        case Mixer::CrossAttention: return "cross-attention (to the image encoder)";
    }
    return "?";
}

namespace {

// parse_geometry, recording in `seen` the path of every field it looks up.
ModelGeometry read_geometry(const nlohmann::json& config, const std::string& prefix, const std::shared_ptr<std::set<std::string>>& seen) {
    if (!config.is_object()) fail("invalid_field", prefix, prefix + " must be a JSON object (a config.json)");
    const model::ConfigReader top(config, prefix, seen);
    const bool nested = top.optional_object("text_config");
    const nlohmann::json text = model::effective_text_config(config);
    const model::ConfigReader r(text, nested ? prefix + ".text_config" : prefix, seen);

    ModelGeometry g;
    const model::FamilyTraits& family = model::family_of(model::read_identity(top, r, g));
    const std::vector<i64> widths_per_layer = model::read_dimensions(r, family, g);
    model::read_block_shape(r, family, g);
    model::read_moe(r, family, g);
    model::read_mla(r, g);
    model::read_linear_attention(r, g);
    model::read_mamba(r, family, g);
    model::read_mtp(r, g);
    model::build_layers(r, top, family, widths_per_layer, g);
    model::check_bounds(r, g);
    model::read_vision(top, g);
    model::read_state_dtype(top, g);
    model::read_quantization(top, g);
    // A model_type without a family row is read as a generic decoder; the fields that reading did not look at may
    // describe parts it does not build, so they are listed (fields that never change a tensor or a cache aside).
    if (&family == &model::generic_family()) {
        g.generic_reading = true;
        for (const auto& item : text.items())
            if (!seen->count(r.path(item.key())) && !model::shapes_nothing(item.key())) g.unread_fields.push_back(item.key());
    }
    return g;
}

// Whether a recorded path lies inside `path`: "<path>.<key>..." (sep '.') or "<path>[i]..." (sep '[').
bool read_inside(const std::set<std::string>& seen, const std::string& path, char sep) {
    const std::string head = path + sep;
    const auto it = seen.lower_bound(head);
    return it != seen.end() && it->starts_with(head);
}

// The value at `path` as far as the reading went: an object or array read inside keeps only what was read there
// (every entry of an array, so its length and indices stay); anything else is kept whole.
nlohmann::json kept(const nlohmann::json& v, const std::string& path, const std::set<std::string>& seen) {
    if (v.is_object() && read_inside(seen, path, '.')) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& item : v.items()) {
            const std::string p = path + "." + item.key();
            if (seen.count(p) || read_inside(seen, p, '.') || read_inside(seen, p, '[')) out[item.key()] = kept(item.value(), p, seen);
        }
        return out;
    }
    if (v.is_array() && read_inside(seen, path, '[')) {
        nlohmann::json out = nlohmann::json::array();
        for (size_t i = 0; i < v.size(); ++i) out.push_back(kept(v[i], path + "[" + std::to_string(i) + "]", seen));
        return out;
    }
    return v;
}

}  // namespace

ModelGeometry parse_geometry(const nlohmann::json& config, const std::string& prefix) {
    return read_geometry(config, prefix, std::make_shared<std::set<std::string>>());
}

nlohmann::json config_as_read(const nlohmann::json& config) {
    const std::string prefix = "config";
    const auto seen = std::make_shared<std::set<std::string>>();
    if (read_geometry(config, prefix, seen).generic_reading) return config;
    nlohmann::json out = kept(config, prefix, *seen);
    // A nested text model is read with the top level's plain values filling its gaps (model::effective_text_config),
    // under the text model's paths: a gap looked at keeps the top-level value that filled it.
    if (config.contains("text_config") && config.at("text_config").is_object()) {
        const nlohmann::json& text = config.at("text_config");
        for (const auto& item : config.items())
            if (!item.value().is_structured() && !text.contains(item.key()) && seen->count(prefix + ".text_config." + item.key()))
                out[item.key()] = item.value();
    }
    return out;
}

std::string generic_reading_note(const ModelGeometry& g) {
    if (!g.generic_reading) return "";
    std::string note = "model_type \"" + g.model_type +
                       "\" is not one FitMyGPU knows: read as a generic decoder (attention and a gated MLP in every layer, sized from the "
                       "config's fields)";
    if (g.unread_fields.empty()) return note + "; every field that sizes a tensor was understood";
    return note + "; fields not understood, which may describe parts this reading leaves out: " + joined(g.unread_fields, 12);
}

QuantizationSpec parse_quantization_config(const nlohmann::json& quantization_config, const std::string& field_prefix) {
    const nlohmann::json top = {{"quantization_config", quantization_config}};
    ModelGeometry g;
    model::read_quantization(model::ConfigReader(top, field_prefix), g);
    return g.quantization;
}

}  // namespace fitmygpu
