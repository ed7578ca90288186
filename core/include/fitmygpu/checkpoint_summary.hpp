// A checkpoint's weights as its file headers give them, summed where the engines place them: per repeating layer
// (by the layer index in each tensor's name), the token embeddings, the output head, the vision/audio tower, and
// everything else. `inspect` builds it from safetensors or GGUF headers; a request carries it as "checkpoint", and
// the estimate then takes every device's weight bytes from it instead of emulating the checkpoint format. It is a
// few numbers per layer whatever the tensor count (a DeepSeek-V3 checkpoint has about 91,000 tensors).
#pragma once
#include <string>
#include <vector>

#include "fitmygpu/units.hpp"

namespace fitmygpu {

// Layers a summary may list (the deepest published models have under 200).
inline constexpr i64 kMaxCheckpointLayers = 4096;
// Any one byte figure of a summary: 2^56 bytes (64 PiB), far beyond any checkpoint, so sums stay inside 64 bits.
inline constexpr i64 kMaxCheckpointBytes = i64{1} << 56;

struct CheckpointSummary {
    std::string format;       // "safetensors" | "gguf"
    i64 tensor_bytes = 0;     // every tensor of the files
    std::vector<i64> layers;  // tensors named with layer index i ("model.layers.i.", "blk.i.")
    i64 embedding = 0;        // token embedding tables (embed_tokens, token_embd, per-layer embeddings)
    i64 output = 0;           // the output head (lm_head, output.weight)
    i64 vision = 0;           // vision/audio towers and projectors (estimated from the config, shown for reference)
    i64 other = 0;            // the rest outside the layers (final norm, rope factors, ...)
};

enum class TensorPlace { Layer, Embedding, Output, Vision, Other };
struct Placement {
    TensorPlace place = TensorPlace::Other;
    int layer = -1;  // for Layer
};

// Where a tensor of a safetensors or GGUF checkpoint belongs, from its name alone.
Placement place_tensor(const std::string& name);
// Adds one tensor's bytes to the summary. A layer index at or beyond kMaxCheckpointLayers counts as "other".
void add_tensor(CheckpointSummary& s, const std::string& name, i64 bytes);

}  // namespace fitmygpu
