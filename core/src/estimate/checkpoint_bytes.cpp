// Bytes of a scenario's checkpoint tensor by tensor, and of its speculator.
#include "fitmygpu/estimate.hpp"

#include <memory>

#include "fitmygpu/checked.hpp"

namespace fitmygpu {

CheckpointBytes checkpoint_bytes(const ModelGeometry& g, const Inventory& inv, const WeightFormat& f) {
    CheckpointBytes cb;
    cb.per_tensor.reserve(inv.tensors.size());
    if (f.is_gguf()) {
        const GgufLayout layout = gguf_layout(g, inv, f.gguf);
        for (size_t i = 0; i < inv.tensors.size(); ++i) cb.per_tensor.push_back(layout.tensors[i].bytes);
        for (size_t i = inv.tensors.size(); i < layout.tensors.size(); ++i)
            cb.extra = checked::add(cb.extra, layout.tensors[i].bytes, "config", "the checkpoint's bytes");
    } else {
        // The config's ignore list describes the checkpoint it ships with: in that format, the modules it names stay
        // 16-bit, tensor by tensor. (A checkpoint summary, when given, replaces these bytes with the files' own.)
        const bool own_format = g.quantization.present && native_weight_format(g).id == f.id;
        for (const Tensor& t : inv.tensors) cb.per_tensor.push_back(own_format ? stated_tensor_bytes(t, f, g.quantization) : tensor_bytes(t, f));
    }
    for (i64 b : cb.per_tensor) cb.total = checked::add(cb.total, b, "config", "the checkpoint's bytes");
    cb.total = checked::add(cb.total, cb.extra, "config", "the checkpoint's bytes");
    return cb;
}

// What checkpoint_bytes(s) depends on besides the geometry and inventory, which build_scenario sets once: the
// inventory's address tells a copy (with an inventory of its own) from the scenario the bytes were worked out for.
struct CheckpointBytesMemo {
    const Inventory* inventory = nullptr;
    std::string weights;
    bool from_checkpoint = false;
    CheckpointBytes bytes;
};

CheckpointBytes checkpoint_bytes(const Scenario& s) {
    const bool from_checkpoint = s.checkpoint && s.weights.id == s.checkpoint_weights;
    const CheckpointBytesMemo* memo = s.checkpoint_bytes_memo.get();
    if (memo && memo->inventory == &s.inventory && memo->weights == s.weights.id && memo->from_checkpoint == from_checkpoint) return memo->bytes;
    CheckpointBytes cb = checkpoint_bytes(s.geometry, s.inventory, s.weights);
    if (from_checkpoint) apply_checkpoint(s.inventory, *s.checkpoint, cb);
    s.checkpoint_bytes_memo = std::make_shared<const CheckpointBytesMemo>(CheckpointBytesMemo{&s.inventory, s.weights.id, from_checkpoint, cb});
    return cb;
}

void adopt_checkpoint_bytes(Scenario& copy, const Scenario& original) {
    const CheckpointBytesMemo* memo = original.checkpoint_bytes_memo.get();
    if (!memo || memo->inventory != &original.inventory || copy.weights.id != original.weights.id) return;
    CheckpointBytesMemo mine = *memo;
    mine.inventory = &copy.inventory;
    copy.checkpoint_bytes_memo = std::make_shared<const CheckpointBytesMemo>(std::move(mine));
}

CheckpointBytes draft_checkpoint_bytes(const Scenario& s) { return checkpoint_bytes(s.spec.draft_geometry, s.spec.draft_inventory, s.weights); }

i64 speculator_weight_bytes(const Scenario& s, const CheckpointBytes& main) {
    if (s.spec.method == "draft") return draft_checkpoint_bytes(s).total;
    if (s.spec.method == "mtp") {
        const i64 params = s.inventory.total_params();
        return params > 0 ? checked::to_i64(static_cast<double>(s.spec.mtp_params) * static_cast<double>(main.total) / static_cast<double>(params)) : 0;
    }
    return 0;
}

}  // namespace fitmygpu
