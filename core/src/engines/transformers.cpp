// Hugging Face Transformers `generate()` with device_map placement: the whole checkpoint on the devices,
// a dynamic KV cache that grows to exactly context × batch tokens (sliding-window layers capped at their
// window), and the prefill forward pass over the whole prompt at once.
#include <algorithm>
#include <cmath>

#include "engine_parts.hpp"
#include "fitmygpu/cache.hpp"
#include "fitmygpu/checked.hpp"
#include "fitmygpu/engines.hpp"
#include "fitmygpu/registry.hpp"

namespace fitmygpu {

namespace {
// CUDA context of a PyTorch process (the primary context with cuBLAS/cuDNN kernels loaded lazily),
// typically 300–600 MiB; the caching allocator keeps some more as fragmentation.
constexpr i64 kTorchCudaContext = 500 * MiB;
}  // namespace

Estimate estimate_transformers(const Scenario& s) {
    Estimate e;
    const ModelGeometry& g = s.geometry;
    const CheckpointBytes cb = checkpoint_bytes(s);
    const int n = static_cast<int>(s.devices.size());
    // device_map="auto" fills devices in order; modelled as an even split of layers.
    engine_parts::Parallelism par;
    par.tp = 1;
    par.pp = n;
    engine_parts::add_devices(e, s, n, 1.0);
    const auto layers = cache_layers(g);
    const i64 tokens = checked::mul(s.context, s.concurrency);
    i64 kv_total = 0, state_total = 0;
    for (int d = 0; d < n; ++d) {
        const auto [first, last] = engine_parts::stage_layers(static_cast<int>(g.n_layers), n, d);
        const i64 w = engine_parts::weights_per_rank(s, cb, par, d);
        e.add(kWeights, "weights", d, Q::bytes("checkpoint tensors on this device", w), s.weights.label());
        i64 kv = 0, state = 0;
        for (const auto& c : layers) {
            if (c.layer < first || c.layer >= last) continue;
            if (is_attention(c.mixer)) {
                const i64 held = c.window > 0 ? std::min(s.context, c.window) : s.context;
                kv = checked::add(kv, checked::mul({layer_kv_bytes_per_token(c, s.kv), held, s.concurrency}));
            } else if (c.mixer == Mixer::CrossAttention) {
                // K and V of the request's image encoder states (tiles × (patches + 1) per image).
                kv = checked::add(
                    kv, checked::mul({checked::add(s.kv.bytes(c.k_width), s.kv.bytes(c.v_width)), s.images, g.encoder_tokens_per_image, s.concurrency}));
            } else {
                state = checked::add(state, checked::mul({checked::add(c.conv_values, c.ssm_values), 2, s.concurrency}));
            }
        }
        kv_total = checked::add(kv_total, kv);
        state_total = checked::add(state_total, state);
        e.add(kKvCache, "dynamic KV cache", d, Q::bytes("K+V for context × batch tokens", kv), std::to_string(tokens) + " tokens");
        if (state > 0) e.add(kState, "recurrent state", d, Q::bytes("conv + SSM state × batch", state));
        const Q forward = engine_parts::forward_activation(s, par, tokens, "prompt tokens (context × batch)");
        Q act = forward;
        if (d == n - 1) act = forward + Q::var("batch", s.concurrency) * Q::var("vocab", g.vocab) * Q::lit(4, "B");
        e.add(kActivations, "prefill activations", d, act, "whole prompt in one forward pass; logits of the last position in fp32");
        e.add(kOverhead, "CUDA context", d, Q::bytes("PyTorch CUDA context", kTorchCudaContext));
    }
    e.sum_components();
    e.kv.bytes_per_token = growing_kv_bytes_per_token(layers, s.kv);
    e.kv.required_bytes = checked::add(kv_total, state_total);
    e.kv.capacity_tokens = tokens;
    e.kv.max_concurrency = static_cast<double>(s.concurrency);
    for (auto& de : e.devices) de.required_bytes = de.total_bytes;
    const VerdictMargin& margin = runtime_descriptor(s.runtime).margin;
    e.decide(true, s.concurrency, margin);
    e.assumptions.push_back("Transformers generate(): batch of " + std::to_string(s.concurrency) + " prompts of " + std::to_string(s.context) +
                            " tokens, SDPA attention (no n² score matrix); " + margin.describe());
    return e;
}

}  // namespace fitmygpu
