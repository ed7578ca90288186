// The vision / audio side of a multimodal config: the encoder's size from vision_config, and the encoder
// states an image leaves for cross-attention models.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "fitmygpu/checked.hpp"
#include "model/parse_steps.hpp"

namespace fitmygpu::model {

using nlohmann::json;

namespace {

// Generic ViT-style encoder size from a vision_config (SigLIP, CLIP, Qwen-VL style): per layer
// q/k/v/o with biases, two MLP matrices with biases, two LayerNorms; plus patch embedding, learned
// position embeddings, a final norm and a linear projector into the text hidden size. It is an
// estimate of the tower (exact per-family layouts differ by a few percent); the result says so.
VisionSpec estimate_vision(const ConfigReader& vc, i64 text_hidden) {
    VisionSpec v;
    // Every size is read strictly, within the bounds of the text model's sizes, so the sums below stay far
    // inside 64 bits (the largest term, channels × frames × patch² × width, is below 2^59).
    const i64 d = vc.first_of({"hidden_size", "embed_dim", "width", "d_model"}, bounds::kHidden);
    const i64 layers = vc.first_of({"num_hidden_layers", "depth", "num_layers"}, bounds::kLayers);
    if (d == 0 || layers == 0) return v;
    i64 ffn = vc.first_of({"intermediate_size", "mlp_dim"}, bounds::kIntermediate);
    if (ffn == 0) ffn = 4 * d;
    const i64 patch = vc.has("patch_size") ? vc.positive("patch_size", bounds::kImagePixels) : 14;
    const i64 image = vc.has("image_size") ? vc.positive("image_size", bounds::kImagePixels) : 224;
    i64 channels = vc.first_of({"num_channels", "in_channels", "in_chans"}, bounds::kChannels);
    if (channels == 0) channels = 3;
    const i64 temporal = vc.has("temporal_patch_size") ? vc.positive("temporal_patch_size", bounds::kChannels) : 1;
    i64 out_hidden = vc.first_of({"out_hidden_size", "projection_dim"}, bounds::kHidden);
    if (out_hidden == 0) out_hidden = text_hidden;
    const i64 merge = vc.has("spatial_merge_size") ? vc.positive("spatial_merge_size", bounds::kSpatialMerge) : 0;
    if (merge > 0 && vc.has("depth")) {
        // The Qwen-VL towers (Qwen2.5-VL, Qwen3-VL, Qwen3.5; modeling_qwen2_5_vl.py / modeling_qwen3_vl.py): a Conv3d
        // patch embedding (with a bias from Qwen3-VL on), learned position embeddings where num_position_embeddings
        // is set, blocks of fused qkv and proj with biases, an MLP with biases (gate, up and down for the SiLU tower of
        // Qwen2.5-VL, fc1 and fc2 otherwise), RMSNorms (Qwen2.5-VL) or LayerNorms; then the patch merger: a norm over the
        // width, a square linear over the merge² patches it concatenates and a linear into the text width, and as many
        // deepstack mergers (their norm after the concatenation) as deepstack_visual_indexes lists (Qwen3-VL). Qwen2.5-VL
        // 7B: 1,505,280 + 32 × 19,702,200 + 44,574,464 = 676,550,144, its safetensors total.
        const bool gated = vc.string_or("hidden_act", "") == "silu";
        const i64 norm = gated ? d : 2 * d;
        const i64 mlp = gated ? 3 * d * ffn + 2 * ffn + d : 2 * d * ffn + ffn + d;
        const i64 block = 2 * norm + 3 * d * d + 3 * d + d * d + d + mlp;
        // The merger's width reaches 2^30 at the bounds (2^18 × 64²), so its square and what follows are checked.
        const std::string f = "vision_config.spatial_merge_size";
        const i64 wide = d * merge * merge;
        const i64 merger_linears = checked::add(checked::mul(wide, wide + 1 + out_hidden, f), out_hidden, f);
        const i64 positions = vc.opt("num_position_embeddings", 0, bounds::kPositions);
        const i64 deepstack = static_cast<i64>(vc.integers("deepstack_visual_indexes", 0, bounds::kLayers).size());
        v.present = true;
        v.params = checked::add(channels * temporal * patch * patch * d + (gated ? 0 : d) + positions * d + layers * block + norm, merger_linears, f);
        v.params = checked::add(v.params, checked::mul(deepstack, checked::add(gated ? wide : 2 * wide, merger_linears, f), f), f);
        v.note = "estimated from vision_config (Qwen-VL layout: " + std::to_string(layers) + " blocks of width " + std::to_string(d) + ", a " +
                 std::to_string(merge) + "×" + std::to_string(merge) + " patch merger" +
                 (deepstack > 0 ? " and " + std::to_string(deepstack) + " deepstack mergers" : std::string()) + ")";
        return v;
    }
    const i64 per_layer = 4 * d * d + 4 * d + 2 * d * ffn + ffn + d + 4 * d;
    const i64 patches = (image / patch) * (image / patch);
    v.present = true;
    v.params = layers * per_layer + channels * temporal * patch * patch * d + d + patches * d + 2 * d + d * out_hidden + out_hidden;
    v.note = "estimated from vision_config (ViT layout: " + std::to_string(layers) + " layers of width " + std::to_string(d) + ")";
    return v;
}

}  // namespace

void read_vision(const ConfigReader& top, ModelGeometry& g) {
    if (top.optional_object("vision_config")) {
        const ConfigReader vc = top.object("vision_config");
        g.vision = estimate_vision(vc, g.hidden);
        // Only sizes the llama.cpp projector's compute buffer (a missing or bad one reads as not stated), but bounded.
        g.vision.num_heads = vc.first_integer_of({"num_attention_heads", "num_heads", "attention_heads"}, 0, 1, bounds::kHeads);
        // Sizes that set token counts, within what real encoders use.
        g.vision.image_size = vc.has("image_size") ? vc.positive("image_size", bounds::kImagePixels) : 0;
        g.vision.patch_size = vc.has("patch_size") ? vc.positive("patch_size", bounds::kImagePixels) : 0;
        g.vision.spatial_merge_size = vc.has("spatial_merge_size") ? vc.positive("spatial_merge_size", bounds::kSpatialMerge) : 0;
        g.vision.config_stated = true;
        g.vision.num_hidden_layers = vc.first_integer_of({"num_hidden_layers"}, 0, 1, bounds::kLayers);
        g.vision.hidden_size = vc.first_integer_of({"hidden_size"}, 0, 1, bounds::kHidden);
        g.vision.intermediate_size = vc.first_integer_of({"intermediate_size"}, 0, 1, bounds::kIntermediate);
        g.vision.in_channels = vc.first_integer_of({"in_channels", "in_chans"}, 0, 1, bounds::kChannels);
        g.vision.temporal_patch_size = vc.first_integer_of({"temporal_patch_size"}, 0, 1, bounds::kChannels);
        g.vision.gated_mlp = vc.string_or("hidden_act", "") == "silu";
        // Llama 3.2 Vision (mllama): tiles an image is cut into, and the layers whose inputs the tower keeps.
        g.vision.max_num_tiles = vc.has("max_num_tiles") ? vc.positive("max_num_tiles", bounds::kTiles) : 0;
        g.vision.intermediate_layers = static_cast<i64>(vc.integers("intermediate_layers_indices", 0, bounds::kLayers).size());
    }
    g.vision.mm_tokens_per_image = top.has("mm_tokens_per_image") ? top.positive("mm_tokens_per_image", bounds::kTokensPerImage) : 0;
}

i64 encoder_tokens_per_image(const ConfigReader& top) {
    if (!top.optional_object("vision_config")) return 0;
    const ConfigReader vc = top.object("vision_config");
    const i64 image = vc.opt("image_size", 0, bounds::kImagePixels), patch = vc.opt("patch_size", 0, bounds::kImagePixels);
    const i64 tiles = vc.has("max_num_tiles") ? vc.positive("max_num_tiles", bounds::kTiles) : 1;
    if (image > 0 && patch > 0 && patch <= image) return tiles * ((image / patch) * (image / patch) + 1);
    return 0;
}

}  // namespace fitmygpu::model

namespace fitmygpu {

i64 VisionSpec::patches_per_image() const {
    if (image_size <= 0 || patch_size <= 0) return 0;
    return (image_size / patch_size) * (image_size / patch_size);
}

bool VisionSpec::dynamic_resolution() const { return temporal_patch_size > 0 && spatial_merge_size > 0 && hidden_size > 0 && intermediate_size > 0; }

i64 VisionSpec::grid_tokens_per_image() const {
    const i64 merge = spatial_merge_size > 0 ? spatial_merge_size : 1;
    return patches_per_image() / (merge * merge);
}

}  // namespace fitmygpu
