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
// Batched generation (BatchGenerator, mlx_lm/generate.py) prefills prefill_batch_size = 8 prompts at a time and decodes
// them all together; one sequence prefills alone.
constexpr i64 kMlxPrefillBatch = 8;
i64 prefill_sequences(const Scenario& s) { return std::min<i64>(s.concurrency, kMlxPrefillBatch); }

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
           Q::var("sequences prefilled together", prefill_sequences(s));
}

// mlx-lm's MLA layers. Each model file either caches every head's K (nope + the rope part repeated) and V, as
// DeepSeek-V2's still does, or, once rewritten for it, the 512-wide latent and the rope key (DSV3 MLA, ml-explore/mlx-lm
// #839): deepseek_v3 (with kimi_k2 and joyai_llm_flash, which load it) and deepseek_v32 from 0.30.6, glm4_moe_lite from
// 0.30.5, kimi_linear and longcat_flash from 0.30.7. A latent layer's prompt step then expands the latent per head over
// every cached token (K: kv_lora_rank wide, V: v_head_dim) and passes the rope scores as a mask array, masked once
// more by mx.where: two heads × step × keys score arrays in the model's dtype beside the expanded K and V.
struct MlxLatentRelease {
    const char* model_type;
    long major, minor, patch;
};
constexpr MlxLatentRelease kMlxLatentReleases[] = {
    {"deepseek_v3", 0, 30, 6},   {"kimi_k2", 0, 30, 6},     {"joyai_llm_flash", 0, 30, 6}, {"deepseek_v32", 0, 30, 6},
    {"glm4_moe_lite", 0, 30, 5}, {"kimi_linear", 0, 30, 7}, {"longcat_flash", 0, 30, 7},
};
bool mlx_latent_cache(const Scenario& s) {
    for (const auto& r : kMlxLatentReleases)
        if (s.geometry.model_type == r.model_type) return !engine_version_before(s.engine.version, {r.major, r.minor, r.patch});
    return false;
}
// The cache layers as mlx-lm holds them: MLA layers per head unless the model's file caches the latent.
std::vector<CacheLayer> mlx_cache_layers(const Scenario& s) {
    std::vector<CacheLayer> layers = cache_layers(s.geometry);
    if (!mlx_latent_cache(s)) expand_mla_per_head(layers, s.geometry);
    return layers;
}
Q mla_prompt_attention(const Scenario& s, i64 step) {
    const ModelGeometry& g = s.geometry;
    if (!g.has(Mixer::Mla) || !mlx_latent_cache(s) || step <= 1) return Q::lit(0, "B");
    const i64 keys = s.context;
    return (Q::var("heads", g.n_heads) * Q::var("keys", keys) *
            (Q::lit(2) * Q::var("step tokens", step) * Q::lit(2, "B") +
             (Q::var("kv_lora_rank", g.mla.kv_lora_rank) + Q::var("v_head_dim", g.mla.v_head_dim)) * Q::lit(2, "B"))) *
           Q::var("sequences prefilled together", prefill_sequences(s));
}

// Command buffers in flight (mlx >= 0.25 with mlx-lm 0.24.1 on, whose requirements ask for it). MLX encodes a
// graph's kernels into Metal command buffers and commits one when it holds more than max_ops_per_buffer dispatches
// or more than max_mb_per_buffer MiB of distinct input buffers (ml-explore/mlx#1864: 50 and 50 on Max ('s') and
// Ultra ('d') GPUs, 40 and 40 on the base and Pro ('g') ones). Every kernel's inputs are kept alive by its command
// buffer until the GPU completes it (metal/eval.cpp: the completion handler holds their data), and the CPU runs
// ahead of the GPU until more than MAX_ACTIVE_TASKS = 10 buffers are in flight (mlx/transforms.cpp, #1869). So
// during a prompt step the intermediates of the last eleven buffers stay allocated after their last use: a few
// hundred MB at 2,048-token steps, where each activation is tens of MB and a buffer closes after a few kernels.
constexpr int kMlxMaxActiveTasks = 10;
constexpr std::initializer_list<long> kMlxInFlightRelease = {0, 24, 1};
struct MlxBufferLimits {
    i64 max_ops;
    i64 max_mb;
};
// Metal names the GPU architecture applegpu_g<generation><size>: 'g' for the base and Pro chips, 's' for Max,
// 'd' for Ultra (M3 Pro applegpu_g15g, M3 Max g15s, M2 Ultra g14d). The catalog's names carry the chip tier.
MlxBufferLimits mlx_buffer_limits(const Device& d) {
    const bool large = d.name.find(" Max") != std::string::npos || d.name.find(" Ultra") != std::string::npos;
    return large ? MlxBufferLimits{50, 50} : MlxBufferLimits{40, 40};
}

// One kernel of the prompt step: the arrays it reads (by index), the weight and cache bytes it reads (live anyway),
// and the array it writes.
struct SimOp {
    std::vector<int> inputs;
    i64 resident_bytes = 0;
    int output = -1;
};
struct StepGraph {
    std::vector<i64> bytes;  // per array
    std::vector<SimOp> ops;
    int add(i64 b) {
        bytes.push_back(b);
        return static_cast<int>(bytes.size()) - 1;
    }
    int op(std::vector<int> in, i64 resident, i64 out_bytes) {
        const int out = add(out_bytes);
        ops.push_back({std::move(in), resident, out});
        return out;
    }
};

// The kernels of one prompt step of `tokens` tokens through the decoder layers, as mlx-lm's attention and MLP
// modules issue them. Returns false when a layer's mixer is neither attention (full or sliding) nor recurrent: MLA,
// chunked and cross attention are not listed.
bool mlx_step_graph(const Scenario& s, const CheckpointBytes& cb, i64 tokens, i64 keys, StepGraph& gr) {
    const ModelGeometry& g = s.geometry;
    // Bytes of each layer's tensors by role: one row of kRoles per layer.
    constexpr size_t kRoles = static_cast<size_t>(Role::Aux) + 1;
    const size_t n_layers = g.layers.size();
    std::vector<i64> w(n_layers * kRoles, 0);
    // A recurrent mixer's widths, from its tensors: the input projection's outputs, the convolution's channels and
    // the inner width the output projection reads.
    struct MixerWidths {
        i64 in = 0, conv = 0, inner = 0;
    };
    std::vector<MixerWidths> widths(n_layers);
    for (size_t i = 0; i < s.inventory.tensors.size(); ++i) {
        const Tensor& t = s.inventory.tensors[i];
        if (t.layer < 0 || static_cast<size_t>(t.layer) >= n_layers) continue;
        const size_t l = static_cast<size_t>(t.layer);
        w[l * kRoles + static_cast<size_t>(t.role)] += cb.per_tensor[i];
        if (t.role == Role::SsmIn && t.kind == TensorKind::Matrix) widths[l].in += t.ne1;
        if (t.role == Role::SsmConv1d && t.kind == TensorKind::Vector) widths[l].conv += t.ne1;
        if (t.role == Role::SsmOut) widths[l].inner = t.ne0;
    }
    auto wb = [&](int l, Role r) { return w[static_cast<size_t>(l) * kRoles + static_cast<size_t>(r)]; };
    const i64 a = checked::mul(tokens, 2);  // bytes per activation value column: tokens × 2 B
    int x = gr.add(checked::mul(a, g.hidden));
    // cache_layers lists the layers that keep a cache; by layer index here, -1 for the others.
    const std::vector<CacheLayer> caches = cache_layers(g);
    std::vector<int> cache_of(n_layers, -1);
    for (size_t i = 0; i < caches.size(); ++i)
        if (caches[i].layer >= 0 && static_cast<size_t>(caches[i].layer) < n_layers) cache_of[static_cast<size_t>(caches[i].layer)] = static_cast<int>(i);
    for (int l = 0; l < static_cast<int>(g.layers.size()); ++l) {
        const LayerSpec& ls = g.layers[static_cast<size_t>(l)];
        if (ls.mixer == Mixer::LinearAttention || ls.mixer == Mixer::Mamba) {
            // A recurrent mixer: its input projection, the causal convolution, the scan (or gated delta rule) over
            // the step, the gated norm and the output projection.
            const auto [in_w, conv_w, inner] = widths[static_cast<size_t>(l)];
            i64 params = 0;
            for (Role r : {Role::SsmDt, Role::SsmA, Role::SsmD, Role::SsmX}) params += wb(l, r);
            const int h = gr.op({x}, wb(l, Role::AttnNorm), checked::mul(a, g.hidden));
            const int in = gr.op({h}, wb(l, Role::SsmIn), checked::mul(a, in_w));
            const int conv = gr.op({in}, wb(l, Role::SsmConv1d), checked::mul(a, conv_w));
            const int core = gr.op({conv, in}, params, checked::mul(a, inner));
            const int gated = gr.op({core, in}, wb(l, Role::SsmNorm), checked::mul(a, inner));
            const int y = gr.op({gated}, wb(l, Role::SsmOut), checked::mul(a, g.hidden));
            x = gr.op({x, y}, 0, checked::mul(a, g.hidden));
        } else if (ls.attn_linear) {
            // Nemotron-NAS: the attention replaced by one hidden × hidden linear.
            const int h = gr.op({x}, wb(l, Role::AttnNorm), checked::mul(a, g.hidden));
            const int y = gr.op({h}, wb(l, Role::AttnOut), checked::mul(a, g.hidden));
            x = gr.op({x, y}, 0, checked::mul(a, g.hidden));
        } else if (ls.mixer == Mixer::None) {
            // A block without a token mixer: its FFN only.
        } else if ((ls.mixer != Mixer::FullAttention && ls.mixer != Mixer::SlidingAttention) || cache_of[static_cast<size_t>(l)] < 0) {
            return false;
        } else {
            const CacheLayer& c = caches[static_cast<size_t>(cache_of[static_cast<size_t>(l)])];
            const i64 held = c.window > 0 ? std::min(checked::add(c.window, tokens), keys) : keys;
            const i64 k_cache = checked::mul({c.k_width, held, 2}), v_cache = checked::mul({c.v_width, held, 2});
            const int h = gr.op({x}, wb(l, Role::AttnNorm), checked::mul(a, g.hidden));
            int q = gr.op({h}, wb(l, Role::AttnQ), checked::mul(a, ls.n_heads * ls.head_dim_k));
            int k = gr.op({h}, wb(l, Role::AttnK), checked::mul(a, c.k_width));
            int v = ls.v_from_k ? k : gr.op({h}, wb(l, Role::AttnV), checked::mul(a, c.v_width));
            if (g.qk_norm) {
                q = gr.op({q}, wb(l, Role::AttnQNorm), gr.bytes[static_cast<size_t>(q)]);
                k = gr.op({k}, wb(l, Role::AttnKNorm), gr.bytes[static_cast<size_t>(k)]);
            }
            q = gr.op({q}, 0, gr.bytes[static_cast<size_t>(q)]);  // rope
            k = gr.op({k}, 0, gr.bytes[static_cast<size_t>(k)]);
            gr.op({k}, k_cache, 0);  // the cache update writes into the (donated) cache buffer
            gr.op({v}, v_cache, 0);
            const int o = gr.op({q}, k_cache + v_cache, checked::mul(a, ls.n_heads * ls.head_dim_v));
            int y = gr.op({o}, wb(l, Role::AttnOut), checked::mul(a, g.hidden));
            if (g.norms_per_layer == 4) y = gr.op({y}, wb(l, Role::AttnPostNorm), checked::mul(a, g.hidden));
            x = gr.op({x, y}, 0, checked::mul(a, g.hidden));
        }
        if (ls.ffn == Ffn::None && !ls.ffn_linear) continue;
        const int h2 = gr.op({x}, wb(l, Role::FfnNorm), checked::mul(a, g.hidden));
        int f = -1;
        if (ls.ffn_linear) {
            f = gr.op({h2}, wb(l, Role::FfnDown), checked::mul(a, g.hidden));
        } else if (ls.ffn == Ffn::Dense) {
            const int gate = gr.op({h2}, wb(l, Role::FfnGate), checked::mul(a, ls.ffn_intermediate));
            const int up = gr.op({h2}, wb(l, Role::FfnUp), checked::mul(a, ls.ffn_intermediate));
            const int p = gr.op({gate, up}, 0, checked::mul(a, ls.ffn_intermediate));
            f = gr.op({p}, wb(l, Role::FfnDown), checked::mul(a, g.hidden));
        } else if (ls.ffn == Ffn::Moe) {
            // SwitchGLU: router, tokens sorted by expert (a copy of top_k rows each), gathered expert matmuls, the
            // rows put back in order, then weighted and summed over the top_k.
            const i64 kk = g.moe.n_experts_per_tok, fe = g.moe.expert_intermediate;
            const int r = gr.op({h2}, wb(l, Role::FfnGateInp), checked::mul(a, g.moe.n_experts));
            const int xs = gr.op({h2, r}, 0, checked::mul({a, kk, g.hidden}));
            const int gate = gr.op({xs}, wb(l, Role::FfnGateExps), checked::mul({a, kk, fe}));
            const int up = gr.op({xs}, wb(l, Role::FfnUpExps), checked::mul({a, kk, fe}));
            const int p = gr.op({gate, up}, 0, checked::mul({a, kk, fe}));
            const int d = gr.op({p}, wb(l, Role::FfnDownExps), checked::mul({a, kk, g.hidden}));
            const int un = gr.op({d}, 0, checked::mul({a, kk, g.hidden}));
            f = gr.op({un, r}, 0, checked::mul(a, g.hidden));
            if (g.moe.n_shared_experts > 0) {
                const i64 fs = checked::mul(g.moe.n_shared_experts, g.moe.shared_intermediate);
                const int sg = gr.op({h2}, wb(l, Role::FfnGateShexp), checked::mul(a, fs));
                const int su = gr.op({h2}, wb(l, Role::FfnUpShexp), checked::mul(a, fs));
                const int sp = gr.op({sg, su}, 0, checked::mul(a, fs));
                const int sd = gr.op({sp}, wb(l, Role::FfnDownShexp), checked::mul(a, g.hidden));
                f = gr.op({f, sd}, 0, checked::mul(a, g.hidden));
            }
        }
        if (g.norms_per_layer == 4) f = gr.op({f}, wb(l, Role::FfnPostNorm), checked::mul(a, g.hidden));
        x = gr.op({x, f}, 0, checked::mul(a, g.hidden));
    }
    return true;
}

// The largest memory the step's intermediates hold (a) when each is freed after its last kernel, (b) when
// each is freed only once the command buffers that read it have completed. Returns (b) − (a).
i64 in_flight_extra(const StepGraph& gr, MlxBufferLimits lim) {
    const size_t n = gr.bytes.size();
    std::vector<int> last(n, -1), born(n, -1);
    for (size_t j = 0; j < gr.ops.size(); ++j) {
        for (int i : gr.ops[j].inputs) last[static_cast<size_t>(i)] = static_cast<int>(j);
        born[static_cast<size_t>(gr.ops[j].output)] = static_cast<int>(j);
    }
    std::vector<std::vector<int>> flight;  // committed buffers' input arrays, oldest first from `oldest`
    size_t oldest = 0;
    std::vector<int> open;
    std::vector<int> held(n, 0);  // how many buffers (in flight or open) read each array
    i64 open_bytes = 0, open_ops = 0, peak_free = 0, peak_held = 0;
    std::vector<char> seen(n, 0);
    i64 live = 0;  // arrays produced (or given) and not yet past their last use
    for (size_t u = 0; u < n; ++u)
        if (born[u] < 0 && last[u] >= 0) live += gr.bytes[u];
    i64 retained = 0;  // arrays past their last use that a buffer still holds
    for (size_t j = 0; j < gr.ops.size(); ++j) {
        const SimOp& op = gr.ops[j];
        live += gr.bytes[static_cast<size_t>(op.output)];
        open_bytes += op.resident_bytes;
        for (int i : op.inputs) {
            const size_t u = static_cast<size_t>(i);
            if (std::find(open.begin(), open.end(), i) == open.end()) {
                open.push_back(i);
                open_bytes += gr.bytes[u];
                ++held[u];
            }
        }
        ++open_ops;
        peak_free = std::max(peak_free, live);
        peak_held = std::max(peak_held, live + retained);
        // Arrays whose last kernel this was leave the live set; those a buffer holds stay as retained.
        for (int i : op.inputs) {
            const size_t u = static_cast<size_t>(i);
            if (last[u] == static_cast<int>(j) && !seen[u]) {
                seen[u] = 1;
                live -= gr.bytes[u];
                retained += gr.bytes[u];
            }
        }
        if (last[static_cast<size_t>(op.output)] < 0) live -= gr.bytes[static_cast<size_t>(op.output)];  // never read
        if (open_ops > lim.max_ops || (open_bytes >> 20) > lim.max_mb) {
            flight.push_back(std::move(open));
            open.clear();
            open_bytes = 0;
            open_ops = 0;
            if (static_cast<int>(flight.size() - oldest) > kMlxMaxActiveTasks) {
                for (int i : flight[oldest]) {
                    const size_t u = static_cast<size_t>(i);
                    if (--held[u] == 0 && seen[u]) retained -= gr.bytes[u];
                }
                flight[oldest++].clear();
            }
        }
    }
    return std::max<i64>(0, peak_held - peak_free);
}
// What a prompt step of a recurrent layer keeps until the step's end. generate_step evaluates the step through its
// cache states (mx.eval([c.state for c in prompt_cache])), and mlx orders a graph so that work only an output needs
// runs last (transforms.cpp, eval_impl: breadth-first from the outputs, then reversed): each recurrent layer's new
// cache state is computed after the last layer, and everything it reads stays allocated until then.
//  - the convolution state is a view of the last kernel − 1 rows of the padded convolution input, so the whole input,
//    (step + kernel − 1) × conv channels, is held (mlx_lm/models/qwen3_5.py, ssm.py's callers: cache[0] = ...[:, -3:]);
//  - a Mamba-2 layer's SSM state is the last chunk's (ssm.py, ssm_attn in 256-token chunks from mlx-lm 0.28.3,
//    ml-explore/mlx-lm#525; the whole step before), computed from views of the convolution output (step × conv
//    channels), dt × x (step × heads × head_dim) and that chunk's decay matrix (heads × chunk²).
// M-7 (granite-4.0-h-small, 2,047 tokens): 36 layers × (34.6 + 34.6 + 33.5 + 16.7 MB) = 4.30 GB.
constexpr i64 kMlxSsmChunk = 256;
constexpr std::initializer_list<long> kMlxChunkedSsmRelease = {0, 28, 3};
Q deferred_state_inputs(const Scenario& s, i64 step) {
    const ModelGeometry& g = s.geometry;
    i64 held = 0;
    const bool chunked = !engine_version_before(s.engine.version, kMlxChunkedSsmRelease);
    for (const CacheLayer& c : cache_layers(g)) {
        if (c.mixer != Mixer::LinearAttention && c.mixer != Mixer::Mamba) continue;
        const i64 kernel = c.mixer == Mixer::Mamba ? g.mamba.conv_kernel : g.linear.conv_kernel;
        if (kernel <= 1 || c.conv_values <= 0) continue;
        const i64 channels = c.conv_values / (kernel - 1);
        i64 layer = checked::mul({checked::add(step, kernel - 1), channels, 2});
        if (c.mixer == Mixer::Mamba && !g.mamba.mamba1 && g.mamba.n_heads > 0) {
            const i64 last = chunked ? (step - 1) % kMlxSsmChunk + 1 : step;
            layer = checked::add(layer, checked::add(checked::mul({step, channels, 2}), checked::mul({step, g.mamba.d_inner, 2})));
            layer = checked::add(layer, checked::mul({g.mamba.n_heads, last, last, 2}));
        }
        held = checked::add(held, layer);
    }
    return Q::bytes("recurrent layers' state inputs", checked::mul(held, prefill_sequences(s)));
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
    const std::vector<CacheLayer> layers = mlx_cache_layers(s);
    for (const auto& c : layers) {
        if (is_attention(c.mixer))
            kv = checked::add(kv, checked::mul({layer_kv_bytes_per_token(c, s.kv), c.window > 0 ? std::min(c.window, held_full) : held_full, s.concurrency}));
        else state = checked::add(state, checked::mul({checked::add(c.conv_values, c.ssm_values), 4, s.concurrency}));
    }
    e.add(kKvCache, "KV cache", 0, Q::bytes("K+V, context rounded up to 256-token steps", kv),
          g.has(Mixer::Mla)
              ? (mlx_latent_cache(s) ? "MLA layers: the latent and the rope key" : "MLA layers: every head's K and V (this mlx-lm release's model file)")
              : "");
    if (state > 0) e.add(kState, "recurrent state", 0, Q::bytes("conv + SSM state × sequences", state));
    engine_parts::Parallelism par;
    // Only the prompt is prefilled (generate_step), the context less the tokens generated after it, one token a step.
    const i64 prompt = std::max<i64>(1, s.context - std::min(s.engine.max_tokens, s.context));
    const i64 step = std::min(prompt, s.engine.prefill_step_size);
    const Q scores = unfused_scores(s, step);
    const bool whole_chunk_logits = engine_version_before(s.engine.version, kMlxLastRowRelease);
    // The prompt's last chunk is what is left after whole steps, up to a step (generate_step prefills while more than
    // a step remains); a whole step when the request does not say where the prompt ends.
    const i64 last_chunk = s.engine.max_tokens > 0 ? prompt - step * ((prompt - 1) / step) : step;
    const Q logits = whole_chunk_logits
                         ? Q::var("sequences", s.concurrency) * Q::var("last chunk tokens", last_chunk) * Q::var("vocab", g.vocab) * Q::lit(2, "B")
                         : Q::var("sequences", s.concurrency) * Q::var("vocab", g.vocab) * Q::lit(4, "B");
    const Q act = engine_parts::forward_activation(s, par, checked::mul(step, prefill_sequences(s)), "prefill step tokens") + logits;
    e.add(
        kActivations, "prefill activations", 0, act,
        "one " + group_digits(step) + "-token prefill step and " +
            (whole_chunk_logits ? "the logits of the prompt's last chunk, " + group_digits(last_chunk) + " tokens (mlx-lm before 0.27.0)" : "the last logits") +
            (prompt < s.context ? "; the prompt is " + group_digits(prompt) + " of the " + group_digits(s.context) + " tokens" : ""));
    const Q deferred = deferred_state_inputs(s, step);
    if (deferred.value() > 0)
        e.add(kActivations, "recurrent state inputs held to the step's end", 0, deferred,
              "each recurrent layer's new cache state is evaluated after the last layer, and the convolution input" +
                  std::string(g.has(Mixer::Mamba) ? " (with a Mamba-2 layer's last-chunk SSM inputs)" : "") + " it reads stays allocated until then");
    if (!engine_version_before(s.engine.version, kMlxInFlightRelease)) {
        StepGraph gr;
        const MlxBufferLimits lim = mlx_buffer_limits(d);
        if (mlx_step_graph(s, cb, checked::mul(step, prefill_sequences(s)), s.context, gr)) {
            const i64 extra = in_flight_extra(gr, lim);
            if (extra > 0)
                e.add(kActivations, "inputs held by command buffers in flight", 0,
                      Q::bytes("kernel inputs of " + std::to_string(kMlxMaxActiveTasks + 1) + " buffers past their last use", extra),
                      "MLX keeps each kernel's inputs until its command buffer completes; a buffer closes after " + std::to_string(lim.max_ops) +
                          " kernels or " + std::to_string(lim.max_mb) + " MiB of inputs on " + d.name + ", and up to " +
                          std::to_string(kMlxMaxActiveTasks + 1) + " run at once");
        } else {
            e.assumptions.push_back("intermediates held by MLX command buffers in flight are not counted for MLA, chunked or cross-attention layers");
        }
    }
    const Q mla = mla_prompt_attention(s, step);
    if (mla.value() > 0)
        e.add(kActivations, "MLA prompt attention", 0, mla,
              "the latent expanded per head over the whole context for K and V, beside the rope scores and their masked copy for one "
              "prompt step, one layer at a time");
    if (scores.value() > 0)
        e.add(kActivations, "unfused attention scores", 0, scores,
              "MLX's fused prompt kernel takes head sizes " + fused_head_dims_text() +
                  " only; other attention layers hold a step's scores over the whole context, one layer at a time");
    e.sum_components();
    e.kv.bytes_per_token = growing_kv_bytes_per_token(layers, s.kv);
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
