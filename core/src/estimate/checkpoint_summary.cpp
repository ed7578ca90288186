// A checkpoint summary read from file headers (request "checkpoint", made by inspect) in place of the format's
// emulation: exact bytes per layer, so each device's share of the layers is exact too.
#include <algorithm>

#include "fitmygpu/checked.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/estimate.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/request.hpp"

namespace fitmygpu {

namespace {

// Shares are computed exactly: bytes (below 2^56) times bytes overflow 64 bits.
__extension__ using u128 = unsigned __int128;

int layer_count(const Inventory& inv) {
    int n = 0;
    for (const Tensor& t : inv.tensors) n = std::max(n, t.layer + 1);
    return n;
}

// Shares `total` among the tensors `idx` in proportion to their emulated bytes (equally when those are all zero),
// exactly: the rounding remainder goes to the largest one.
void share(const std::vector<size_t>& idx, i64 total, CheckpointBytes& cb) {
    if (idx.empty()) {
        cb.extra = checked::add(cb.extra, total, "checkpoint", "the checkpoint's bytes");
        return;
    }
    u128 weight = 0;
    for (size_t i : idx) weight += static_cast<u128>(cb.per_tensor[i]);
    i64 given = 0;
    size_t largest = idx.front();
    for (size_t i : idx) {
        const i64 b =
            weight == 0 ? total / static_cast<i64>(idx.size()) : static_cast<i64>(static_cast<u128>(cb.per_tensor[i]) * static_cast<u128>(total) / weight);
        if (cb.per_tensor[i] > cb.per_tensor[largest]) largest = i;
        cb.per_tensor[i] = b;
        given += b;
    }
    cb.per_tensor[largest] += total - given;
}

}  // namespace

void apply_checkpoint(const Inventory& inv, const CheckpointSummary& summary, CheckpointBytes& cb) {
    const int n_layers = layer_count(inv);
    std::vector<std::vector<size_t>> by_layer(static_cast<size_t>(n_layers));
    std::vector<size_t> embedding, output, other;
    for (size_t i = 0; i < inv.tensors.size(); ++i) {
        const Tensor& t = inv.tensors[i];
        if (t.layer >= 0) by_layer[static_cast<size_t>(t.layer)].push_back(i);
        else if (t.role == Role::TokenEmbd || t.role == Role::PerLayerEmbd) embedding.push_back(i);
        else if (t.role == Role::Output) output.push_back(i);
        else if (t.role != Role::Vision && t.role != Role::Mtp) other.push_back(i);
        else cb.per_tensor[i] = 0;
    }
    cb.extra = 0;
    for (int l = 0; l < n_layers; ++l) share(by_layer[static_cast<size_t>(l)], summary.layers[static_cast<size_t>(l)], cb);
    share(embedding, summary.embedding, cb);
    share(output, summary.output, cb);
    share(other, summary.other, cb);
    cb.total = cb.extra;
    for (i64 b : cb.per_tensor) cb.total = checked::add(cb.total, b, "checkpoint", "the checkpoint's bytes");
}

void setup_checkpoint(Scenario& s, const Request& r) {
    if (!r.checkpoint) return;
    const CheckpointSummary& c = *r.checkpoint;
    const int n_layers = layer_count(s.inventory);
    if (static_cast<int>(c.layers.size()) < n_layers)
        fail("invalid_field", "checkpoint.layers",
             "checkpoint.layers lists " + std::to_string(c.layers.size()) + " layers; the model has " + std::to_string(n_layers) +
                 " (is the checkpoint of another model?)");
    for (int l = 0; l < n_layers; ++l)
        if (c.layers[static_cast<size_t>(l)] == 0)
            fail("invalid_field", "checkpoint.layers[" + std::to_string(l) + "]",
                 "checkpoint.layers[" + std::to_string(l) + "] is 0 bytes; every layer of the model has weights (is a shard missing?)");
    if (c.format == "gguf" && !s.weights.is_gguf())
        fail("invalid_field", "checkpoint.format", "checkpoint.format is gguf: run it with llama.cpp or Ollama and weights \"gguf:<type>\"");
    if (c.format == "safetensors" && s.weights.is_gguf())
        fail("invalid_field", "checkpoint.format", "checkpoint.format is safetensors, but the weights are GGUF (" + s.weights.id + ")");
    s.checkpoint = c;
    s.checkpoint_weights = s.weights.id;
    i64 beyond = 0;
    for (size_t l = static_cast<size_t>(n_layers); l < c.layers.size(); ++l) beyond = checked::add(beyond, c.layers[l], "checkpoint", "the checkpoint's bytes");
    std::string note = "weights: " + format_size(c.tensor_bytes - c.vision - beyond) + " of tensors read from the checkpoint's " + c.format + " headers";
    if (beyond > 0)
        note += "; " + format_size(beyond) + " in " + std::to_string(c.layers.size() - static_cast<size_t>(n_layers)) +
                " layer(s) beyond the model's (MTP) are not loaded";
    if (c.vision > 0) note += "; the vision/audio tower (" + format_size(c.vision) + " in the files) is estimated from the config";
    s.assumptions.push_back(note);
}

}  // namespace fitmygpu
