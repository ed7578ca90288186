// The multimodal part of a scenario: whether the vision/audio encoder is loaded, how many tokens an image
// becomes, and the images per request (their tokens count inside the context).
#include <algorithm>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/checked.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/request.hpp"

namespace fitmygpu {

namespace {

// With no size anywhere in the config: a 24×24 patch grid (CLIP ViT-L/14 at 336 px, LLaVA's encoder).
constexpr i64 kFallbackTokensPerImage = 576;
// The most tokens or patches one image may become, as engine.tokens_per_image allows (the largest real encoders
// give a few thousand).
constexpr i64 kMaxTokensPerImage = i64{1} << 20;
// A vision_config's image and patch sizes, in pixels, are taken up to this (the largest towers read 1,536 px).
constexpr i64 kMaxImagePixels = 100000;
// Patches merged per side into one token (Qwen-VL: 2).
constexpr i64 kMaxSpatialMerge = 64;

// The prefix of config fields in errors: the request's config, or the catalog record's.
std::string config_path(const Scenario& s) { return s.model ? "catalog." + s.model_id + ".config" : "config"; }

// The vision geometry the config states, within the bounds of real encoders; FieldError naming the field.
void check_vision_bounds(const Scenario& s) {
    const VisionSpec& v = s.geometry.vision;
    const std::string path = config_path(s) + ".vision_config";
    auto bound = [&](i64 value, const char* key, i64 hi, const std::string& where) {
        if (value > hi) fail("invalid_field", where + "." + key, where + "." + key + " must be a whole number between 1 and " + group_digits(hi));
    };
    bound(v.image_size, "image_size", kMaxImagePixels, path);
    bound(v.patch_size, "patch_size", kMaxImagePixels, path);
    bound(v.spatial_merge_size, "spatial_merge_size", kMaxSpatialMerge, path);
    bound(v.mm_tokens_per_image, "mm_tokens_per_image", kMaxTokensPerImage, config_path(s));
    if (v.patches_per_image() > kMaxTokensPerImage)
        fail("invalid_field", path + ".patch_size",
             path + ".image_size / patch_size gives " + group_digits(v.patches_per_image()) + " patches per image, more than any encoder");
}

struct ImageTokens {
    i64 per_image = 0;
    std::string how;
};

// LLM tokens per image: engine.tokens_per_image, else Llama 3.2 Vision's single <|image|> token, else the
// config's fixed count (Gemma 3 mm_tokens_per_image), else the vision tower's patch grid at its native size
// after spatial merging, else the fallback grid.
ImageTokens tokens_per_image(const Scenario& s) {
    ImageTokens t{s.engine.tokens_per_image, "engine.tokens_per_image"};
    if (t.per_image == 0 && s.geometry.encoder_tokens_per_image > 0) {
        t = {1, "one <|image|> token in the text; " + group_digits(s.geometry.encoder_tokens_per_image) +
                    " encoder states for the cross-attention layers (max_num_tiles × (patches per tile + 1))"};
    }
    const VisionSpec& v = s.geometry.vision;
    if (t.per_image == 0 && v.mm_tokens_per_image > 0) t = {v.mm_tokens_per_image, "mm_tokens_per_image"};
    if (t.per_image == 0 && v.patches_per_image() > 0) {
        const i64 merge = v.spatial_merge_size > 0 ? v.spatial_merge_size : 1;
        t = {std::max<i64>(1, v.grid_tokens_per_image()),
             "vision_config image_size / patch_size, merged " + std::to_string(merge) + "×" + std::to_string(merge)};
    }
    if (t.per_image == 0) t = {kFallbackTokensPerImage, "a 24×24 patch grid (no size in the config; set engine.tokens_per_image)"};
    return t;
}

i64 patches_per_image(const Scenario& s, i64 fallback) {
    const i64 patches = s.geometry.vision.patches_per_image();
    return patches > 0 ? patches : fallback;
}

}  // namespace

void setup_multimodal(Scenario& s, const Request& r) {
    check_vision_bounds(s);
    const bool gguf_runtime = runtime_descriptor(s.runtime).loads_family(FormatFamily::Gguf);
    // The encoder's size: the catalog's sourced figure (published vision + audio parts) when there is one,
    // else an estimate from vision_config.
    i64 encoder = s.model ? s.model->published_vision + s.model->published_audio : 0;
    std::string source = "published figure";
    if (encoder == 0 && s.geometry.vision.present) {
        encoder = s.geometry.vision.params;
        source = s.geometry.vision.note;
    }
    if (encoder > 0) {
        // Serving engines and Transformers load the encoder unless told not to; llama.cpp only with --mmproj. mlx-lm
        // never does: its models' sanitize() drops vision_tower, model.visual, audio_tower and the like when the
        // checkpoint loads (gemma3, gemma4, qwen3_5, mistral3 in mlx_lm/models); images are mlx-vlm's business.
        const bool mlx = s.runtime == Runtime::Mlx;
        // Ollama's library models carry their tower (in the blob its own engine runs, or as a projector file it
        // passes to its runner), and Ollama loads it whenever the model has one.
        const bool ollama = s.runtime == Runtime::Ollama;
        const bool load = mlx ? false : gguf_runtime ? s.engine.mmproj.value_or(ollama) : !s.engine.language_model_only;
        if (load) {
            if (encoder > kMaxTensorElements)
                fail("out_of_range", config_path(s) + ".vision_config",
                     "the vision encoder would have " + group_digits(encoder) + " parameters; its vision_config sizes are beyond any model");
            s.encoder_params = encoder;
            s.inventory.tensors.push_back({"vision_tower", Role::Vision, TensorKind::Vector, -1, encoder, 1, 1});
            s.assumptions.push_back("the vision/audio encoder (" + group_digits(encoder) + " parameters, " + source + ") is loaded in 16-bit" +
                                    (ollama         ? ", as Ollama loads the tower its library model carries (engine.mmproj false leaves it out)"
                                     : gguf_runtime ? " from the mmproj file"
                                                    : "; text-only serving can skip it (language_model_only)"));
        } else {
            s.assumptions.push_back(mlx            ? "text only: mlx-lm drops the vision/audio encoder when it loads the checkpoint"
                                    : gguf_runtime ? "text only: no mmproj file is loaded (engine.mmproj adds the vision encoder)"
                                                   : "text only: the vision/audio encoder is not loaded");
        }
    }
    if (s.encoder_params == 0 && !r.images) return;
    const ImageTokens t = tokens_per_image(s);
    s.tokens_per_image = t.per_image;
    s.patches_per_image = patches_per_image(s, t.per_image);
    if (!r.images) return;
    s.images = *r.images;
    if (s.images > 0 && s.encoder_params == 0)
        fail("invalid_field", "images", "this setup loads no vision encoder (a text-only model, language_model_only, or llama.cpp without mmproj)");
    const i64 image_tokens = checked::mul(s.images, t.per_image, "images");
    if (image_tokens >= s.context)
        fail("invalid_field", "images",
             std::to_string(s.images) + " images take " + group_digits(image_tokens) + " tokens, more than the context of " + group_digits(s.context));
    if (s.images > 0)
        s.assumptions.push_back(std::to_string(s.images) + " image(s) per request, " + group_digits(t.per_image) +
                                (t.per_image == 1 ? " token each (" : " tokens each (") + t.how + "), inside the context");
}

}  // namespace fitmygpu
