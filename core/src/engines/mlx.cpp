// MLX (mlx-lm) on Apple Silicon: one unified-memory device whose GPU may wire up to Metal's
// recommendedMaxWorkingSetSize. mlx-lm's KVCache grows in steps of 256 tokens; sliding-window layers use a
// RotatingKVCache of the window's size; prompts are prefilled in steps of 2048 tokens.
#include <algorithm>

#include "engine_parts.hpp"
#include "fitmygpu/cache.hpp"
#include "fitmygpu/checked.hpp"
#include "fitmygpu/registry.hpp"

namespace fitmygpu {

namespace {
constexpr i64 kKvStep = 256;        // mlx_lm.models.cache.KVCache.step
constexpr i64 kPrefillStep = 2048;  // mlx_lm.generate prefill_step_size
}  // namespace

Estimate estimate_mlx(const Scenario& s) {
    Estimate e;
    const ModelGeometry& g = s.geometry;
    const Device& d = s.devices.front();
    engine_parts::add_devices(e, s, 1, 1.0);
    if (s.devices.size() > 1) e.warnings.push_back("MLX runs on one device; only the first is used");
    if (!d.unified) e.warnings.push_back("MLX runs on Apple Silicon; " + d.name + " is not a unified-memory Mac");
    const CheckpointBytes cb = checkpoint_bytes(s);
    e.add(kWeights, "weights", 0, Q::bytes("checkpoint tensors", cb.total), s.weights.label());
    i64 kv = 0, state = 0;
    const i64 held_full = round_up(s.context, kKvStep);
    for (const auto& c : cache_layers(g)) {
        if (is_attention(c.mixer))
            kv = checked::add(kv, checked::mul({layer_kv_bytes_per_token(c, s.kv), c.window > 0 ? std::min(c.window, held_full) : held_full, s.concurrency}));
        else state = checked::add(state, checked::mul({checked::add(c.conv_values, c.ssm_values), 4, s.concurrency}));
    }
    e.add(kKvCache, "KV cache", 0, Q::bytes("K+V, context rounded up to 256-token steps", kv));
    if (state > 0) e.add(kState, "recurrent state", 0, Q::bytes("conv + SSM state × sequences", state));
    engine_parts::Parallelism par;
    const Q act = engine_parts::forward_activation(s, par, checked::mul(std::min(s.context, kPrefillStep), s.concurrency), "prefill step tokens") +
                  Q::var("sequences", s.concurrency) * Q::var("vocab", g.vocab) * Q::lit(4, "B");
    e.add(kActivations, "prefill activations", 0, act, "one 2048-token prefill step and the last logits");
    e.sum_components();
    e.kv.bytes_per_token = growing_kv_bytes_per_token(cache_layers(g), s.kv);
    e.kv.required_bytes = checked::add(kv, state);
    e.kv.capacity_tokens = checked::mul(held_full, s.concurrency);
    e.kv.max_concurrency = static_cast<double>(s.concurrency);
    e.devices.front().required_bytes = e.devices.front().total_bytes;
    e.decide(true, s.concurrency, runtime_descriptor(s.runtime).margin);
    e.assumptions.push_back("the GPU may use " + format_size(d.engine_total_bytes) + " of the " + format_size(d.memory_bytes) +
                            " unified memory (Metal's default working-set limit)");
    return e;
}

}  // namespace fitmygpu
