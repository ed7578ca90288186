// The paged KV layout of vLLM v1 (kv_cache_interface.py, kv_cache_utils.py): block sizes, page unification, blocks per request.
#include "engine_parts.hpp"

#include <algorithm>
#include <cmath>

#include "fitmygpu/checked.hpp"
#include "fitmygpu/error.hpp"

namespace fitmygpu::engine_parts {

namespace {
// FlashAttention/FlashInfer kernels want attention block sizes in multiples of 16 tokens; vLLM rounds the
// enlarged hybrid block size to this alignment (HybridAttentionMambaModelConfig).
constexpr i64 kKernelBlockAlignment = 16;
}  // namespace

PagedLayout paged_layout(const Scenario& s, const Parallelism& p, int stage, i64 kv_bytes_per_value, i64 state_bytes_per_value) {
    const ModelGeometry& g = s.geometry;
    const auto [first, last] = stage_layers(static_cast<int>(g.n_layers), p.pp, stage);
    PagedLayout out;
    out.block_size = s.engine.block_size;
    // The sparse-MLA kernels (FlashMLA sparse, the DSA indexer) take 64-token blocks only.
    if (g.dsa.head_dim > 0) out.block_size = std::max<i64>(out.block_size, 64);
    // The rank's layers of this stage, plus a speculator's layers (MTP modules or the draft model), which share
    // the pool on the last stage.
    std::vector<CacheLayer> all;
    for (const CacheLayer& c : cache_layers(g))
        if (c.layer >= first && c.layer < last) all.push_back(c);
    if (stage == p.pp - 1) all.insert(all.end(), s.spec.cache.begin(), s.spec.cache.end());
    // Layers of one kind, in the order the kinds first appear. A kind is its label and its bytes: what it is
    // ("full attention", "sliding window 4096", "Mamba state", ...) and what one token (or sequence) of it takes.
    // The label is written once per kind, at the end, not once per layer.
    enum class Label { Mla, MlaIndexer, Full, Sliding, Chunked, LinearState, MambaState };
    struct Kind {
        Label label;
        i64 window;  // in the label (sliding, chunked); 0 otherwise
        i64 bytes;   // per token (attention) or per sequence (recurrent state)
        PagedSpec spec;
    };
    std::vector<Kind> kinds;
    for (const CacheLayer& c : all) {
        PagedSpec spec;
        Label label;
        i64 label_window = 0;
        if (is_attention(c.mixer) || c.mixer == Mixer::CrossAttention) {
            if (!c.owns_kv) continue;
            if (c.mixer == Mixer::Mla) {
                // Replicated on every rank. DeepSeek sparse attention adds the indexer keys in the same block.
                spec.bytes_per_token = serving_mla_token_bytes(g, c, kv_bytes_per_value, true);
                label = c.index_k_width > 0 ? Label::MlaIndexer : Label::Mla;
            } else {
                const i64 heads = std::max<i64>(1, c.n_kv_heads);
                const i64 heads_rank = std::max<i64>(1, heads / p.tp);
                spec.bytes_per_token = checked::mul(checked::mul(heads_rank, checked::add(c.k_width, c.v_width)) / heads, kv_bytes_per_value);
                // Cross-attention layers (Llama 3.2 Vision, vLLM's V0 engine): the same uniform pages as the
                // self-attention layers; the encoder tokens take blocks of their own (see the request's tokens).
                label = c.mixer == Mixer::FullAttention || c.mixer == Mixer::CrossAttention ? Label::Full
                        : c.mixer == Mixer::SlidingAttention                                ? Label::Sliding
                                                                                            : Label::Chunked;
                if (label != Label::Full) label_window = c.window;
                spec.window = c.window;
            }
        } else {
            spec.recurrent = true;
            label = c.mixer == Mixer::LinearAttention ? Label::LinearState : Label::MambaState;
            // Conv state in the model dtype, recurrent state in the SSM cache dtype; heads split by TP. With
            // speculative decoding a Gated DeltaNet conv window also holds the draft tokens: vLLM's
            // gated_delta_net_state_shape gives it conv_kernel − 1 + num_speculative_tokens columns.
            i64 conv = c.conv_values;
            if (c.mixer == Mixer::LinearAttention && s.spec.active() && g.linear.conv_kernel > 1)
                conv = checked::add(conv, checked::mul(c.conv_values / (g.linear.conv_kernel - 1), s.spec.num_tokens));
            spec.bytes_per_sequence = checked::add(checked::mul(conv, 2), checked::mul(c.ssm_values, state_bytes_per_value)) / p.tp;
        }
        const i64 bytes = spec.recurrent ? spec.bytes_per_sequence : spec.bytes_per_token;
        auto it = std::find_if(kinds.begin(), kinds.end(), [&](const Kind& k) { return k.label == label && k.window == label_window && k.bytes == bytes; });
        if (it == kinds.end()) {
            spec.layers = 1;
            kinds.push_back({label, label_window, bytes, spec});
        } else {
            it->spec.layers += 1;
        }
    }
    // --disable-hybrid-kv-cache-manager (or a KV connector without hybrid support): unify_hybrid_kv_cache_specs turns
    // every sliding-window and chunked layer into full attention, whose blocks cover the whole context, and the layers
    // form one group of one page per layer ("Hybrid KV cache manager is disabled for this hybrid model"). Recurrent
    // state has no full-attention form: vLLM stops ("failed to convert the KV cache specs to one unified type").
    if (s.engine.disable_hybrid_kv_cache_manager && !kinds.empty()) {
        const bool recurrent = std::any_of(kinds.begin(), kinds.end(), [](const Kind& k) { return k.spec.recurrent; });
        if (recurrent && kinds.size() > 1)
            fail("invalid_field", "engine.disable_hybrid_kv_cache_manager", "vLLM needs it on for Mamba or linear-attention layers");
        if (!recurrent && kinds.size() > 1) {
            i64 per_token = 0;
            for (const Kind& k : kinds) {
                per_token = checked::add(per_token, checked::mul(k.bytes, k.spec.layers));
                out.unified_layers += k.spec.layers;
            }
            PagedSpec one;
            one.bytes_per_token = per_token;
            one.layers = 1;
            kinds.assign(1, Kind{Label::Full, 0, per_token, one});
            out.note = "hybrid KV cache manager off";
        }
    }
    for (Kind& k : kinds) {
        PagedSpec& spec = k.spec;
        switch (k.label) {
            case Label::Mla: spec.kind = "MLA latent"; break;
            case Label::MlaIndexer: spec.kind = "MLA latent + indexer keys"; break;
            case Label::Full: spec.kind = "full attention"; break;
            case Label::Sliding: spec.kind = "sliding window " + std::to_string(k.window); break;
            case Label::Chunked: spec.kind = "chunked local " + std::to_string(k.window); break;
            case Label::LinearState: spec.kind = "linear-attention state"; break;
            case Label::MambaState: spec.kind = "Mamba state"; break;
        }
        spec.kind += " (" + std::to_string(k.bytes) + ")";
        out.specs.push_back(std::move(spec));
    }
    out.spec_state_blocks = s.spec.active() ? s.spec.num_tokens : 0;
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
        out.page_bytes = checked::mul(out.block_size, attn_token);
        out.note = "attention block size raised to " + std::to_string(out.block_size) + " tokens so a page holds a recurrent state";
    } else if (attn_token > 0) {
        out.page_bytes = checked::mul(out.block_size, attn_token);
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
        // A recurrent group: one state block, one per speculated token, and with prefix caching ("align" mode)
        // one more so a cached prefix can resume from an aligned state.
        if (sp.recurrent) per_group = 1 + layout.spec_state_blocks + (prefix_caching ? 1 : 0);
        else if (sp.window > 0 && sp.kind.rfind("sliding", 0) == 0)
            per_group = ceil_div(std::min(checked::add(sp.window - 1, batched_tokens), context), bs) + 1;
        else if (sp.window > 0) per_group = ceil_div(std::min(checked::add(sp.window, batched_tokens), context), bs);
        else per_group = ceil_div(context, bs);
        blocks = checked::add(blocks, checked::mul(groups, per_group));
    }
    return blocks;
}

i64 min_group_block_size(const PagedLayout& layout, i64 max_model_len, bool prefix_caching) {
    i64 smallest = 0;
    for (const auto& sp : layout.specs) {
        const i64 bs = sp.recurrent ? (prefix_caching ? layout.block_size : max_model_len) : (sp.block_size > 0 ? sp.block_size : layout.block_size);
        if (bs > 0) smallest = smallest == 0 ? bs : std::min(smallest, bs);
    }
    return smallest;
}

i64 vllm_logged_kv_tokens(bool legacy, i64 num_blocks, int n_groups, i64 min_block_size, double max_concurrency, i64 max_model_len) {
    if (legacy) return n_groups > 0 ? checked::mul(num_blocks / n_groups, min_block_size) : 0;
    return checked::to_i64(std::floor(max_concurrency * static_cast<double>(max_model_len)));
}

}  // namespace fitmygpu::engine_parts
