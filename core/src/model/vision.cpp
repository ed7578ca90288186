// The vision / audio side of a multimodal config: the encoder's size from vision_config, and the encoder
// states an image leaves for cross-attention models.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "model/parse_steps.hpp"

namespace fitmygpu::model {

namespace {
// Bounds of the vision sizes a config may state: pixels per image edge, patches merged per side, and tokens
// one image becomes (the largest real encoders read 1,536 px and give a few thousand tokens).
constexpr i64 kMaxImagePixels = 100000;
constexpr i64 kMaxSpatialMerge = 64;
constexpr i64 kMaxTokensPerImage = i64{1} << 20;
}  // namespace

using nlohmann::json;

namespace {

// Generic ViT-style encoder size from a vision_config (SigLIP, CLIP, Qwen-VL style): per layer
// q/k/v/o with biases, two MLP matrices with biases, two LayerNorms; plus patch embedding, learned
// position embeddings, a final norm and a linear projector into the text hidden size. It is an
// estimate of the tower (exact per-family layouts differ by a few percent); the result says so.
VisionSpec estimate_vision(const ConfigReader& vc, i64 text_hidden) {
    VisionSpec v;
    i64 d = vc.first_integer_of({"hidden_size", "embed_dim", "width", "d_model"}, 0);
    i64 layers = vc.first_integer_of({"num_hidden_layers", "depth", "num_layers"}, 0);
    if (d <= 0 || layers <= 0) return v;
    i64 ffn = vc.first_integer_of({"intermediate_size", "mlp_dim"}, 4 * d);
    i64 patch = vc.first_integer_of({"patch_size"}, 14);
    i64 image = vc.first_integer_of({"image_size"}, 224);
    i64 channels = vc.first_integer_of({"num_channels", "in_channels", "in_chans"}, 3);
    i64 temporal = vc.first_integer_of({"temporal_patch_size"}, 1);
    i64 per_layer = 4 * d * d + 4 * d + 2 * d * ffn + ffn + d + 4 * d;
    i64 patches = (image / std::max<i64>(patch, 1)) * (image / std::max<i64>(patch, 1));
    i64 out_hidden = vc.first_integer_of({"out_hidden_size", "projection_dim"}, text_hidden);
    v.present = true;
    v.params = layers * per_layer + channels * temporal * patch * patch * d + d + patches * d + 2 * d + d * out_hidden + out_hidden;
    v.note = "estimated from vision_config (ViT layout: " + std::to_string(layers) + " layers of width " + std::to_string(d) + ")";
    return v;
}

}  // namespace

void read_vision(const ConfigReader& top, ModelGeometry& g) {
    if (top.has_object("vision_config")) {
        const ConfigReader vc = top.object("vision_config");
        g.vision = estimate_vision(vc, g.hidden);
        g.vision.num_heads = vc.first_positive_or_zero({"num_attention_heads", "num_heads"});
        // Sizes that set token counts are read strictly, within what real encoders use.
        g.vision.image_size = vc.has("image_size") ? vc.positive("image_size", kMaxImagePixels) : 0;
        g.vision.patch_size = vc.has("patch_size") ? vc.positive("patch_size", kMaxImagePixels) : 0;
        g.vision.spatial_merge_size = vc.has("spatial_merge_size") ? vc.positive("spatial_merge_size", kMaxSpatialMerge) : 0;
    }
    g.vision.mm_tokens_per_image = top.has("mm_tokens_per_image") ? top.positive("mm_tokens_per_image", kMaxTokensPerImage) : 0;
}

i64 encoder_tokens_per_image(const ConfigReader& top) {
    if (!top.has_object("vision_config")) return 0;
    const json& vc = top.raw().at("vision_config");
    const i64 image = vc.value("image_size", i64{0}), patch = vc.value("patch_size", i64{0}), tiles = vc.value("max_num_tiles", i64{1});
    if (image > 0 && patch > 0 && image <= 100000 && patch <= image && tiles > 0 && tiles <= 64) return tiles * ((image / patch) * (image / patch) + 1);
    return 0;
}

}  // namespace fitmygpu::model

namespace fitmygpu {

i64 VisionSpec::patches_per_image() const {
    if (image_size <= 0 || patch_size <= 0) return 0;
    return (image_size / patch_size) * (image_size / patch_size);
}

i64 VisionSpec::grid_tokens_per_image() const {
    const i64 merge = spatial_merge_size > 0 ? spatial_merge_size : 1;
    return patches_per_image() / (merge * merge);
}

}  // namespace fitmygpu
