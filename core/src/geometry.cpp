// config.json -> ModelGeometry: the family row of the text model's model_type (model/families), the
// text model's sizes (model/text_model), one LayerSpec per layer (model/layer_layout) and the vision
// encoder (model/vision), then what engines need beyond the shape (state dtype, quantization_config),
// all read through model/config_reader.
#include "fitmygpu/geometry.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <set>

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

ModelGeometry parse_geometry(const nlohmann::json& config, const std::string& prefix) {
    if (!config.is_object()) fail("invalid_field", prefix, prefix + " must be a JSON object (a config.json)");
    const auto seen = std::make_shared<std::set<std::string>>();
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
