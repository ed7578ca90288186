// Bytes of a scenario's checkpoint tensor by tensor, and of its speculator.
#include "fitmygpu/estimate.hpp"

namespace fitmygpu {

CheckpointBytes checkpoint_bytes(const Scenario& s) {
    CheckpointBytes cb;
    cb.per_tensor.reserve(s.inventory.tensors.size());
    if (s.weights.is_gguf()) {
        const GgufLayout layout = gguf_layout(s.geometry, s.inventory, s.weights.gguf);
        for (size_t i = 0; i < s.inventory.tensors.size(); ++i) cb.per_tensor.push_back(layout.tensors[i].bytes);
        for (size_t i = s.inventory.tensors.size(); i < layout.tensors.size(); ++i) cb.extra += layout.tensors[i].bytes;
    } else {
        for (const Tensor& t : s.inventory.tensors) cb.per_tensor.push_back(tensor_bytes(t, s.weights));
    }
    for (i64 b : cb.per_tensor) cb.total += b;
    cb.total += cb.extra;
    return cb;
}

Scenario draft_scenario(const Scenario& s) {
    Scenario d = s;
    d.model_id = s.spec.draft_id;
    d.model_name = s.spec.draft_name;
    d.model = nullptr;
    d.geometry = s.spec.draft_geometry;
    d.inventory = s.spec.draft_inventory;
    d.spec = Speculation{};
    d.encoder_params = 0;
    return d;
}

i64 speculator_weight_bytes(const Scenario& s, const CheckpointBytes& main) {
    if (s.spec.method == "draft") return checkpoint_bytes(draft_scenario(s)).total;
    if (s.spec.method == "mtp") {
        const i64 params = s.inventory.total_params();
        return params > 0 ? static_cast<i64>(static_cast<double>(s.spec.mtp_params) * static_cast<double>(main.total) / static_cast<double>(params)) : 0;
    }
    return 0;
}

}  // namespace fitmygpu
