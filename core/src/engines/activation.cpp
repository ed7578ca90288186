// The forward-pass activation peak of a batch of tokens, and the devices an engine budgets.
#include "engine_parts.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "fitmygpu/checked.hpp"
#include "fitmygpu/error.hpp"

namespace fitmygpu::engine_parts {

void add_devices(Estimate& e, const Scenario& s, int count, double fraction, FractionOf of) {
    e.host_capacity_bytes = s.host.memory_bytes;
    e.host_unified = s.host.unified;
    for (int i = 0; i < count; ++i) {
        const Device& d = s.devices[static_cast<size_t>(i)];
        DeviceEstimate de;
        de.id = d.id + "#" + std::to_string(i);
        de.name = d.name;
        de.capacity_bytes = d.memory_bytes;
        de.budget_bytes = static_cast<i64>(std::floor(static_cast<double>(of == FractionOf::Total ? d.engine_total_bytes : d.free_at_start()) * fraction));
        e.devices.push_back(de);
    }
}

Q free_at_start(const Device& d) {
    const Q total = Q::bytes("device total", d.engine_total_bytes);
    return d.in_use_bytes > 0 ? total - Q::bytes("in use by other programs", d.in_use_bytes) : total;
}

namespace {
constexpr i64 kGraphBytesPerDenseLayer = 4 * MiB;
constexpr i64 kGraphBytesPerMoeLayer = 28 * MiB;
}  // namespace

Q cuda_graph_bytes(const Scenario& s, int first, int last) {
    if (s.engine.enforce_eager) return Q::lit(0, "B");
    i64 moe = 0, dense = 0;
    for (int l = first; l < last; ++l) (s.geometry.layers[static_cast<size_t>(l)].ffn == Ffn::Moe ? moe : dense) += 1;
    return Q::var("dense layers", dense) * Q::bytes("graph pool per dense layer", kGraphBytesPerDenseLayer) +
           Q::var("MoE layers", moe) * Q::bytes("graph pool per MoE layer", kGraphBytesPerMoeLayer);
}

i64 activation_value_bytes(const Scenario& s) { return s.weights.scheme == Scheme::FP32 ? 4 : 2; }

// The rotary embedding's cos/sin table (vLLM's model_executor/layers/rotary_embedding, and SGLang's port of it: get_rope
// builds one per distinct rope, and RotaryEmbedding registers its cos_sin_cache, positions × rotary_dim values, as a
// buffer the weights' load counts): the context the config allows, times the factor for linear and dynamic scaling
// (LinearScalingRotaryEmbedding, DynamicNTKScalingRotaryEmbedding) and YaRN (the original context times it), with
// Gemma 3's second, unscaled table for its sliding layers (rope_local_base_freq). Gemma-3-4B: 131,072 × 8 × 256 × 2 B
// = 512 MiB and 64 MiB more, what its logs load beyond the checkpoint (V-108, V-145).
i64 rope_cache_bytes(const Scenario& s, i64 value_bytes) {
    const ModelGeometry& g = s.geometry;
    if (g.max_position_embeddings <= 0 || g.n_heads <= 0) return 0;
    const i64 rotary_dim =
        g.has(Mixer::Mla) ? g.mla.qk_rope_head_dim : static_cast<i64>(std::llround(static_cast<double>(g.head_dim) * g.partial_rotary_factor));
    if (rotary_dim <= 0) return 0;
    i64 positions = g.max_position_embeddings;
    const auto scaled = [&](i64 base) { return static_cast<i64>(std::llround(static_cast<double>(base) * g.rope_factor)); };
    if (g.rope_type == "linear" || g.rope_type == "dynamic") positions = scaled(g.max_position_embeddings);
    else if (g.rope_type == "yarn" || g.rope_type == "deepseek_yarn")
        positions = scaled(g.rope_original_positions > 0 ? g.rope_original_positions : g.max_position_embeddings);
    i64 bytes = checked::mul({positions, rotary_dim, value_bytes});
    if (g.local_rope) bytes = checked::add(bytes, checked::mul({g.max_position_embeddings, rotary_dim, value_bytes}));
    if (g.global_rope_dim > 0) bytes = checked::add(bytes, checked::mul({g.max_position_embeddings, g.global_rope_dim, value_bytes}));
    return bytes;
}

Q forward_activation(const Scenario& s, const Parallelism& p, i64 tokens, const std::string& tokens_name) {
    const ModelGeometry& g = s.geometry;
    i64 dense_width = 0;
    for (const auto& l : g.layers)
        if (l.ffn == Ffn::Dense) dense_width = std::max(dense_width, l.ffn_intermediate);
    const i64 dense_part = 3 * dense_width / p.tp;
    const i64 moe_part = g.is_moe() ? g.moe.n_experts_per_tok * (3 * g.moe.expert_intermediate / p.tp + g.hidden) : 0;
    const Q widest = moe_part > dense_part ? Q::var("top_k × (3 × expert width / TP + hidden)", moe_part) : Q::var("3 × FFN width / TP", dense_part);
    return Q::var(tokens_name, tokens) * (Q::lit(3) * Q::var("hidden", g.hidden) + widest) * Q::lit(activation_value_bytes(s), "B");
}

}  // namespace fitmygpu::engine_parts
