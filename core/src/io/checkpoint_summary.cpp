// Tensor names → where the engines place them. Hugging Face checkpoints name repeating blocks
// "model.layers.<i>." (Llama and most), "transformer.h.<i>." (GPT-2, Falcon), "backbone.layers.<i>." (Mamba),
// "model.language_model.layers.<i>." (multimodal wrappers); GGUF files "blk.<i>.".
#include <cctype>

#include "fitmygpu/checked.hpp"
#include "fitmygpu/checkpoint_summary.hpp"
#include "text.hpp"

namespace fitmygpu {

namespace {

bool starts_with(const std::string& s, const char* part) { return s.rfind(part, 0) == 0; }

// The index after the first "<block word>.<digits>." in the name, or -1.
i64 layer_index(const std::string& name) {
    static const char* const kBlockWords[] = {"layers", "layer", "h", "blocks", "block", "blk"};
    size_t start = 0;
    while (start < name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string::npos) return -1;
        const std::string word = name.substr(start, dot - start);
        bool block = false;
        for (const char* w : kBlockWords) block = block || word == w;
        if (block) {
            size_t end = dot + 1;
            while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end]))) ++end;
            if (end > dot + 1 && end - dot - 1 <= 6 && (end == name.size() || name[end] == '.')) return std::stoll(name.substr(dot + 1, end - dot - 1));
        }
        start = dot + 1;
    }
    return -1;
}

}  // namespace

Placement place_tensor(const std::string& name) {
    // Vision and audio towers first: they have layers of their own ("vision_tower.encoder.layers.3.", GGUF mmproj "v.blk.3.").
    if (contains(name, "vision") || contains(name, "visual") || contains(name, "multi_modal_projector") || contains(name, "mm_projector") ||
        contains(name, "audio") || contains(name, "image_newline") || contains(name, "mmproj") || starts_with(name, "v.") || starts_with(name, "mm.") ||
        starts_with(name, "vpm.") || starts_with(name, "resampler."))
        return {TensorPlace::Vision, -1};
    const i64 layer = layer_index(name);
    if (layer >= 0) return {TensorPlace::Layer, static_cast<int>(layer)};
    if (contains(name, "lm_head") || starts_with(name, "output.") || contains(name, "embed_out")) return {TensorPlace::Output, -1};
    if (contains(name, "position") || contains(name, "wpe")) return {TensorPlace::Other, -1};
    if (contains(name, "embed") || contains(name, "wte") || contains(name, "token_embd")) return {TensorPlace::Embedding, -1};
    return {TensorPlace::Other, -1};
}

void add_tensor(CheckpointSummary& s, const std::string& name, i64 bytes) {
    const Placement p = place_tensor(name);
    const char* what = "the checkpoint's bytes";
    s.tensor_bytes = checked::add(s.tensor_bytes, bytes, "checkpoint", what);
    switch (p.place) {
        case TensorPlace::Layer:
            if (p.layer < kMaxCheckpointLayers) {
                if (s.layers.size() <= static_cast<size_t>(p.layer)) s.layers.resize(static_cast<size_t>(p.layer) + 1, 0);
                s.layers[static_cast<size_t>(p.layer)] = checked::add(s.layers[static_cast<size_t>(p.layer)], bytes, "checkpoint", what);
            } else {
                s.other = checked::add(s.other, bytes, "checkpoint", what);
            }
            break;
        case TensorPlace::Embedding: s.embedding = checked::add(s.embedding, bytes, "checkpoint", what); break;
        case TensorPlace::Output: s.output = checked::add(s.output, bytes, "checkpoint", what); break;
        case TensorPlace::Vision: s.vision = checked::add(s.vision, bytes, "checkpoint", what); break;
        case TensorPlace::Other: s.other = checked::add(s.other, bytes, "checkpoint", what); break;
    }
}

}  // namespace fitmygpu
