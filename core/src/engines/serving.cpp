#include "serving.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "fitmygpu/error.hpp"

namespace fitmygpu::serving {

namespace {
// vLLM DEFAULT_VOCAB_PADDING_SIZE (vllm/model_executor/layers/vocab_parallel_embedding.py).
constexpr i64 kVocabPadding = 64;
// FlashAttention/FlashInfer kernels want attention block sizes in multiples of 16 tokens; vLLM rounds the
// enlarged hybrid block size to this alignment (HybridAttentionMambaModelConfig).
constexpr i64 kKernelBlockAlignment = 16;

bool replicated_role(Role r) {
    if (is_norm(r)) return true;
    switch (r) {
        case Role::FfnGateInp:       // router: ReplicatedLinear
        case Role::FfnGateInpShexp:
        case Role::FfnExpProbsBias:
        case Role::AttnQA:           // MLA down-projections: ReplicatedLinear in DeepseekV2Attention
        case Role::AttnKVA:
        case Role::Indexer:          // the DSA indexer's projections: ReplicatedLinear in vLLM's Indexer
            return true;
        default:
            return false;
    }
}
}  // namespace

void add_devices(Estimate& e, const Scenario& s, int count, double fraction) {
    for (int i = 0; i < count; ++i) {
        const Device& d = s.devices[static_cast<size_t>(i)];
        DeviceEstimate de;
        de.id = d.id + "#" + std::to_string(i);
        de.name = d.name;
        de.capacity_bytes = d.memory_bytes;
        de.budget_bytes = static_cast<i64>(std::floor(static_cast<double>(d.engine_total_bytes) * fraction));
        e.devices.push_back(de);
    }
}

Parallelism resolve_parallelism(const Scenario& s, const char* tp_field) {
    Parallelism p;
    const int n = static_cast<int>(s.devices.size());
    p.pp = std::max(1, s.engine.pipeline_parallel_size);
    p.dp = std::max(1, s.engine.data_parallel_size);
    p.expert_parallel = s.engine.enable_expert_parallel && s.geometry.is_moe();
    if (s.engine.tensor_parallel_size) {
        p.tp = *s.engine.tensor_parallel_size;
    } else {
        p.tp = std::max(1, n / (p.pp * p.dp));
    }
    if (p.ranks() > n)
        fail("invalid_field", tp_field,
             std::string(tp_field) + " × pipeline_parallel_size × data_parallel_size = " + std::to_string(p.ranks()) +
                 " needs more GPUs than the " + std::to_string(n) + " given");
    const ModelGeometry& g = s.geometry;
    if (g.n_heads > 0 && g.n_heads % p.tp != 0)
        fail("invalid_field", tp_field,
             std::string(tp_field) + " = " + std::to_string(p.tp) + " must divide the model's " + std::to_string(g.n_heads) + " attention heads");
    if (p.pp > g.n_layers)
        fail("invalid_field", "engine.pipeline_parallel_size", "engine.pipeline_parallel_size cannot exceed the number of layers");
    return p;
}

std::pair<int, int> stage_layers(int n_layers, int pp, int stage) {
    const int base = n_layers / pp;
    const int extra = n_layers % pp;
    // The last `extra` stages get one more layer each.
    int first = 0;
    for (int st = 0; st < stage; ++st) first += base + (st >= pp - extra ? 1 : 0);
    const int count = base + (stage >= pp - extra ? 1 : 0);
    return {first, first + count};
}

i64 weights_per_rank(const Scenario& s, const CheckpointBytes& cb, const Parallelism& p, int stage) {
    const ModelGeometry& g = s.geometry;
    const auto [first, last] = stage_layers(static_cast<int>(g.n_layers), p.pp, stage);
    const bool first_stage = stage == 0, last_stage = stage == p.pp - 1;
    const i64 padded_vocab = round_up(g.vocab, kVocabPadding * p.tp);
    double total = 0;
    for (size_t i = 0; i < s.inventory.tensors.size(); ++i) {
        const Tensor& t = s.inventory.tensors[i];
        const double b = static_cast<double>(cb.per_tensor[i]);
        if (t.layer >= 0 && (t.layer < first || t.layer >= last)) continue;
        if (t.role == Role::TokenEmbd || t.role == Role::Output || t.role == Role::PerLayerEmbd) {
            const bool here = t.role == Role::Output ? last_stage : (first_stage || (t.role == Role::TokenEmbd && g.tied_embeddings && last_stage));
            const i64 rows = t.ne1;
            const i64 padded = t.role == Role::PerLayerEmbd ? round_up(rows, kVocabPadding * p.tp) : padded_vocab;
            if (here) total += b * static_cast<double>(padded) / static_cast<double>(rows) / p.tp;
            continue;
        }
        if (t.layer < 0 && t.role != Role::Vision && !last_stage) continue;  // output norm, MTP
        if (t.role == Role::Vision) {
            if (first_stage) total += b / p.tp;
            continue;
        }
        if (replicated_role(t.role) || t.role == Role::SsmNorm) {
            total += b;
        } else if (p.expert_parallel && t.is_expert()) {
            total += b / (p.tp * p.dp);  // expert parallelism: whole experts spread over every rank
        } else if ((t.role == Role::AttnK || t.role == Role::AttnV) && g.n_kv_heads < p.tp) {
            total += b / static_cast<double>(g.n_kv_heads);  // each rank holds one full KV head
        } else {
            total += b / p.tp;
        }
    }
    if (last_stage) total += static_cast<double>(cb.extra);
    return static_cast<i64>(std::llround(total));
}

PagedLayout paged_layout(const Scenario& s, const Parallelism& p, int stage, i64 kv_bytes_per_value, i64 state_bytes_per_value) {
    const ModelGeometry& g = s.geometry;
    const auto [first, last] = stage_layers(static_cast<int>(g.n_layers), p.pp, stage);
    PagedLayout out;
    out.block_size = s.engine.block_size;
    // The sparse-MLA kernels (FlashMLA sparse, the DSA indexer) take 64-token blocks only.
    if (g.dsa.head_dim > 0) out.block_size = std::max<i64>(out.block_size, 64);
    std::map<std::string, PagedSpec> by_kind;
    std::vector<std::string> order;
    // The rank's layers of this stage, plus a speculator's layers (MTP modules or the draft model), which share
    // the pool on the last stage.
    std::vector<CacheLayer> all;
    for (const CacheLayer& c : cache_layers(g))
        if (c.layer >= first && c.layer < last) all.push_back(c);
    if (stage == p.pp - 1) all.insert(all.end(), s.spec.cache.begin(), s.spec.cache.end());
    for (const CacheLayer& c : all) {
        PagedSpec spec;
        if (is_attention(c.mixer) || c.mixer == Mixer::CrossAttention) {
            if (!c.owns_kv) continue;
            if (c.mixer == Mixer::Mla) {
                spec.kind = "MLA latent";
                // Replicated on every rank. DeepSeek sparse attention adds the indexer keys in the same block.
                spec.bytes_per_token = serving_mla_token_bytes(g, c, kv_bytes_per_value, true);
                if (c.index_k_width > 0) spec.kind = "MLA latent + indexer keys";
            } else {
                const i64 heads = std::max<i64>(1, c.n_kv_heads);
                const i64 heads_rank = std::max<i64>(1, heads / p.tp);
                spec.bytes_per_token = heads_rank * (c.k_width + c.v_width) / heads * kv_bytes_per_value;
                // Cross-attention layers (Llama 3.2 Vision, vLLM's V0 engine): the same uniform pages as the
                // self-attention layers; the encoder tokens take blocks of their own (see the request's tokens).
                spec.kind = c.mixer == Mixer::FullAttention || c.mixer == Mixer::CrossAttention ? "full attention"
                            : c.mixer == Mixer::SlidingAttention ? "sliding window " + std::to_string(c.window)
                                                                 : "chunked local " + std::to_string(c.window);
                spec.window = c.window;
            }
        } else {
            spec.recurrent = true;
            spec.kind = c.mixer == Mixer::LinearAttention ? "linear-attention state" : "Mamba state";
            // Conv state in the model dtype, recurrent state in the SSM cache dtype; heads split by TP.
            spec.bytes_per_sequence = (c.conv_values * 2 + c.ssm_values * state_bytes_per_value) / p.tp;
        }
        spec.kind += " (" + std::to_string(spec.recurrent ? spec.bytes_per_sequence : spec.bytes_per_token) + ")";
        auto it = by_kind.find(spec.kind);
        if (it == by_kind.end()) {
            spec.layers = 1;
            by_kind[spec.kind] = spec;
            order.push_back(spec.kind);
        } else {
            it->second.layers += 1;
        }
    }
    for (const auto& k : order) out.specs.push_back(by_kind[k]);
    if (out.specs.empty()) return out;

    i64 attn_token = 0, state_page = 0;
    for (const auto& sp : out.specs) {
        if (sp.recurrent) state_page = std::max(state_page, sp.bytes_per_sequence);
        else attn_token = std::max(attn_token, sp.bytes_per_token);
    }
    if (state_page > 0 && attn_token > 0) {
        // Hybrid page unification: enlarge the attention block until one attention page holds at least a
        // recurrent state page, then pad the state pages to the same size.
        const i64 needed = ceil_div(state_page, attn_token);
        out.block_size = std::max(out.block_size, round_up(needed, kKernelBlockAlignment));
        out.page_bytes = out.block_size * attn_token;
        out.note = "attention block size raised to " + std::to_string(out.block_size) + " tokens so a page holds a recurrent state";
    } else if (attn_token > 0) {
        out.page_bytes = out.block_size * attn_token;
    } else {
        out.page_bytes = state_page;
    }
    // Kinds whose tokens are smaller than the largest get proportionally larger blocks so every page has the
    // same size (kv_cache_utils unify_kv_cache_spec_page_size); Gemma 4's 256-wide sliding layers hold 32
    // tokens per page where its 512-wide global layers hold 16.
    for (auto& sp : out.specs) {
        if (sp.recurrent || sp.bytes_per_token <= 0) continue;
        sp.block_size = out.page_bytes % sp.bytes_per_token == 0 ? out.page_bytes / sp.bytes_per_token : out.block_size;
    }
    // Groups: layers of each kind are cut into groups of equal size that share the block pool
    // (kv_cache_utils: the smallest kind sets the group size unless the largest is within 1.25× of it).
    int min_c = out.specs.front().layers, max_c = min_c;
    for (const auto& sp : out.specs) {
        min_c = std::min(min_c, sp.layers);
        max_c = std::max(max_c, sp.layers);
    }
    out.group_size = (max_c < 1.25 * min_c) ? max_c : min_c;
    out.n_groups = 0;
    for (const auto& sp : out.specs) out.n_groups += static_cast<int>(ceil_div(sp.layers, out.group_size));
    return out;
}

i64 blocks_per_request(const PagedLayout& layout, i64 context, i64 batched_tokens, bool prefix_caching) {
    i64 blocks = 0;
    for (const auto& sp : layout.specs) {
        const i64 groups = ceil_div(sp.layers, layout.group_size);
        i64 per_group;
        const i64 bs = sp.block_size > 0 ? sp.block_size : layout.block_size;
        if (sp.recurrent) per_group = prefix_caching ? 2 : 1;
        else if (sp.window > 0 && sp.kind.rfind("sliding", 0) == 0)
            per_group = ceil_div(std::min(sp.window - 1 + batched_tokens, context), bs) + 1;
        else if (sp.window > 0)
            per_group = ceil_div(std::min(sp.window + batched_tokens, context), bs);
        else
            per_group = ceil_div(context, bs);
        blocks += groups * per_group;
    }
    return blocks;
}

Q forward_activation(const Scenario& s, const Parallelism& p, i64 tokens, const std::string& tokens_name) {
    const ModelGeometry& g = s.geometry;
    i64 dense_width = 0;
    for (const auto& l : g.layers)
        if (l.ffn == Ffn::Dense) dense_width = std::max(dense_width, l.ffn_intermediate);
    const i64 dense_part = 3 * dense_width / p.tp;
    const i64 moe_part = g.is_moe() ? g.moe.n_experts_per_tok * (3 * g.moe.expert_intermediate / p.tp + g.hidden) : 0;
    const Q widest = moe_part > dense_part ? Q::var("top_k × (3 × expert width / TP + hidden)", moe_part)
                                           : Q::var("3 × FFN width / TP", dense_part);
    return Q::var(tokens_name, tokens) * (Q::lit(3) * Q::var("hidden", g.hidden) + widest) * Q::lit(2, "B");
}

Speed roofline_speed(const Scenario& s, const CheckpointBytes& cb, i64 weight_bytes_per_device, i64 kv_bytes_per_token_device,
                     int n_parallel) {
    // Decode reads every weight a step touches once per step, plus each sequence's KV. MoE layers read only
    // the experts the batch routes to: E × (1 − (1 − k/E)^B) distinct experts for B tokens. On top of the
    // memory time, every layer costs a roughly fixed launch/synchronisation time that dominates on fast
    // memory. Fitted to single-request llama-bench tg128 results (../shared/calibration/speed.json): with
    // 85% of peak bandwidth, RTX 3090 / RTX 4090 / RX 7900 XTX Llama 7-8B runs leave ~1-2.5 ms per token over
    // 32 layers (~45 µs per layer) and Apple M-series Ultra and M1 runs ~5 ms (~160 µs per layer).
    // Prefill is compute bound: 2 FLOPs per active parameter per token at kPrefillMfu of dense 16-bit peak.
    constexpr double kDecodeBandwidthEfficiency = 0.85;
    constexpr double kLayerOverheadGpuS = 45e-6;
    constexpr double kLayerOverheadAppleS = 160e-6;
    constexpr double kPrefillMfu = 0.5;
    const ModelGeometry& g = s.geometry;
    Speed sp;
    const Device& d = s.devices.front();
    if (d.bandwidth_gbps <= 0) return sp;
    double expert_bytes = 0, all_bytes = 0;
    for (size_t i = 0; i < s.inventory.tensors.size(); ++i) {
        all_bytes += static_cast<double>(cb.per_tensor[i]);
        if (s.inventory.tensors[i].is_expert()) expert_bytes += static_cast<double>(cb.per_tensor[i]);
    }
    double touched = 1.0;
    if (g.is_moe() && all_bytes > 0) {
        const double E = static_cast<double>(g.moe.n_experts), k = static_cast<double>(g.moe.n_experts_per_tok);
        const double B = static_cast<double>(s.concurrency);
        const double distinct = E * (1.0 - std::pow(1.0 - k / E, B));
        touched = (all_bytes - expert_bytes + expert_bytes * distinct / E) / all_bytes;
    }
    const double weights_read = static_cast<double>(weight_bytes_per_device) * touched;
    const double kv_read = static_cast<double>(kv_bytes_per_token_device) * static_cast<double>(s.context) / 2.0 *
                           static_cast<double>(s.concurrency);  // average position mid-context
    const double overhead = static_cast<double>(g.n_layers) * (d.device_class == "apple" ? kLayerOverheadAppleS : kLayerOverheadGpuS);
    const double step_s = (weights_read + kv_read) / (d.bandwidth_gbps * 1e9 * kDecodeBandwidthEfficiency) + overhead;
    sp.decode_tokens_per_s = step_s > 0 ? 1.0 / step_s : 0;
    const double tflops = d.tflops_bf16 > 0 ? d.tflops_bf16 : d.tflops_fp16;
    const i64 active = s.inventory.active_params(g);
    if (tflops > 0) {
        const double flops_per_token = 2.0 * static_cast<double>(active);
        sp.prefill_tokens_per_s = tflops * 1e12 * kPrefillMfu * n_parallel / flops_per_token;
        sp.ttft_s = static_cast<double>(s.context) / sp.prefill_tokens_per_s;
    }
    return sp;
}

}  // namespace fitmygpu::serving
