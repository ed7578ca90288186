// MLX (mlx-lm) on Apple Silicon: one unified-memory device whose GPU may wire up to Metal's
// recommendedMaxWorkingSetSize. mlx-lm's KVCache grows in steps of 256 tokens; sliding-window layers use a
// RotatingKVCache of the window's size; prompts are prefilled in steps of prefill_step_size tokens (2048 by default).
#include <algorithm>
#include <array>
#include <initializer_list>
#include <string>
#include <vector>

#include "engine_parts.hpp"
#include "fitmygpu/cache.hpp"
#include "fitmygpu/checked.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/version.hpp"
#include "text.hpp"

namespace fitmygpu {

namespace {
constexpr i64 kKvStep = 256;  // mlx_lm.models.cache.KVCache.step

// MLX's fused attention kernel for prompts (more than 8 query tokens) takes head dimensions 64, 80 and 128 with
// queries and values of one width (mlx/backend/metal/scaled_dot_product_attention.cpp, use_fallback). Any other
// layer runs the fallback of mlx/fast.cpp: the scores [heads, step tokens, keys] in the model's dtype, the causal
// mask [step tokens, keys] as bool, then softmax and the product with V, each op taking over its input's buffer.
constexpr std::array<i64, 3> kFusedPrefillHeadDims = {64, 80, 128};
bool fused_prefill_attention(i64 head_dim_k, i64 head_dim_v) {
    return head_dim_k == head_dim_v && std::find(kFusedPrefillHeadDims.begin(), kFusedPrefillHeadDims.end(), head_dim_k) != kFusedPrefillHeadDims.end();
}
std::string fused_head_dims_text() {
    std::vector<std::string> dims;
    for (i64 d : kFusedPrefillHeadDims) dims.push_back(std::to_string(d));
    return joined(dims);
}

// mlx-lm passed prompts an additive mask array until "Updates for causal mask" (ml-explore/mlx-lm#40, after
// 0.22.1), and mlx's fused prompt kernel took no mask before mlx 0.24.0 (ml-explore/mlx#1924; mlx 0.19 and 0.20 had
// no fused prompt kernel at all): every prompt step of those releases computed its attention scores in full, with
// the mask in the model's dtype.
constexpr std::initializer_list<long> kMlxCausalMaskRelease = {0, 22, 2};
bool fused_prompt_attention(const Scenario& s) { return !engine_version_before(s.engine.version, kMlxCausalMaskRelease); }
// Until ml-explore/mlx-lm#406 (0.27.0) generate_step ran the last prompt chunk through the model with the output
// projection over every position, then kept the last row: logits of the whole chunk in the model's dtype.
constexpr std::initializer_list<long> kMlxLastRowRelease = {0, 27, 0};

// The largest transient of the unfused attention over one prefill step: the layers run one after another, so the
// layer whose scores are largest, at the last step, when the keys are the whole context (a sliding layer's
// RotatingKVCache holds its window plus the step). 0 when every attention layer has the fused kernel. MLA layers
// are left out: mlx-lm runs them through its own latent attention.
Q unfused_scores(const Scenario& s, i64 step) {
    const ModelGeometry& g = s.geometry;
    const bool fused_release = fused_prompt_attention(s);
    // Every layer has the model's query heads and the same step, so the layer with the most keys holds the most.
    i64 worst_keys = 0;
    for (const CacheLayer& c : cache_layers(g)) {
        if (!is_attention(c.mixer) || c.mixer == Mixer::Mla || c.n_kv_heads <= 0) continue;
        if (fused_release && fused_prefill_attention(c.k_width / c.n_kv_heads, c.v_width / c.n_kv_heads)) continue;
        worst_keys = std::max(worst_keys, c.window > 0 ? std::min(checked::add(c.window, step), s.context) : s.context);
    }
    if (worst_keys == 0) return Q::lit(0, "B");
    // The mask: bool with the fused releases' fallback, the additive array in the model's dtype before them.
    return (Q::var("heads", g.n_heads) * Q::var("step tokens", step) * Q::var("keys", worst_keys) * Q::lit(2, "B") +
            Q::var("step tokens", step) * Q::var("keys", worst_keys) * Q::lit(fused_release ? 1 : 2, "B")) *
           Q::var("sequences", s.concurrency);
}
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
    const i64 step = std::min(s.context, s.engine.prefill_step_size);
    const Q scores = unfused_scores(s, step);
    const bool whole_chunk_logits = engine_version_before(s.engine.version, kMlxLastRowRelease);
    // The prompt's last chunk is what is left after whole steps, up to a step (generate_step prefills while more than
    // a step remains); the request gives the whole context, not the prompt, so a whole step is taken.
    const Q logits = whole_chunk_logits ? Q::var("sequences", s.concurrency) * Q::var("last chunk tokens", step) * Q::var("vocab", g.vocab) * Q::lit(2, "B")
                                        : Q::var("sequences", s.concurrency) * Q::var("vocab", g.vocab) * Q::lit(4, "B");
    const Q act = engine_parts::forward_activation(s, par, checked::mul(step, s.concurrency), "prefill step tokens") + logits;
    e.add(
        kActivations, "prefill activations", 0, act,
        "one " + group_digits(step) + "-token prefill step and " +
            (whole_chunk_logits ? "the logits of the prompt's last chunk, up to " + group_digits(step) + " tokens (mlx-lm before 0.27.0)" : "the last logits"));
    if (scores.value() > 0)
        e.add(kActivations, "unfused attention scores", 0, scores,
              "MLX's fused prompt kernel takes head sizes " + fused_head_dims_text() +
                  " only; other attention layers hold a step's scores over the whole context, one layer at a time");
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
