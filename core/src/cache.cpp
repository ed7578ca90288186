#include "fitmygpu/cache.hpp"

#include "fitmygpu/checked.hpp"
#include "fitmygpu/units.hpp"

namespace fitmygpu {

namespace {
// Values per token or per sequence of a layer, from config sizes: refused (naming the config) beyond 64 bits.
i64 values(std::initializer_list<i64> factors) {
    const i64 n = checked::mul(factors, "config", "a layer's cache values");
    if (n < 0 || n > kMaxTensorElements)
        fail("out_of_range", "config", "a layer would cache " + std::to_string(n) + " values per token or sequence; the config's sizes are beyond any model");
    return n;
}
i64 sum(i64 a, i64 b) { return checked::add(a, b, "config", "a layer's cache values"); }
}  // namespace

void expand_mla_per_head(std::vector<CacheLayer>& layers, const ModelGeometry& g) {
    if (g.mla.kv_lora_rank <= 0) return;
    for (CacheLayer& c : layers)
        if (c.mixer == Mixer::Mla) {
            c.n_kv_heads = g.n_heads;
            c.k_width = values({g.n_heads, sum(g.mla.qk_nope_head_dim, g.mla.qk_rope_head_dim)});
            c.v_width = values({g.n_heads, g.mla.v_head_dim});
        }
}

bool is_attention(Mixer m) { return m == Mixer::FullAttention || m == Mixer::SlidingAttention || m == Mixer::ChunkedAttention || m == Mixer::Mla; }
bool is_recurrent(Mixer m) { return m == Mixer::LinearAttention || m == Mixer::Mamba; }

std::vector<CacheLayer> cache_layers(const ModelGeometry& g) {
    std::vector<CacheLayer> out;
    for (size_t i = 0; i < g.layers.size(); ++i) {
        const LayerSpec& l = g.layers[i];
        auto push_recurrent = [&](Mixer m) {
            CacheLayer c;
            c.layer = static_cast<int>(i);
            c.mixer = m;
            if (m == Mixer::LinearAttention) {
                // Gated DeltaNet: conv over q, k and v channels; state is one key_dim × value_dim matrix per value head.
                const LinearAttentionSpec& s = g.linear;
                const i64 conv_dim = sum(values({2, s.n_key_heads, s.key_head_dim}), values({s.n_value_heads, s.value_head_dim}));
                c.conv_values = s.conv_kernel > 1 ? values({s.conv_kernel - 1, conv_dim}) : 0;
                c.ssm_values = values({s.n_value_heads, s.key_head_dim, s.value_head_dim});
            } else {
                // Mamba-2: conv over x, B and C; SSM state d_inner × d_state. Mamba-1: conv over x only.
                const MambaSpec& m2 = g.mamba;
                const i64 conv_dim = m2.mamba1 ? m2.d_inner : sum(m2.d_inner, values({2, m2.n_groups, m2.d_state}));
                c.conv_values = values({m2.conv_kernel - 1, conv_dim});
                c.ssm_values = values({m2.d_inner, m2.d_state});
            }
            out.push_back(c);
        };
        if (is_attention(l.mixer)) {
            CacheLayer c;
            c.layer = static_cast<int>(i);
            c.mixer = l.mixer;
            c.window = l.window;
            c.n_kv_heads = l.n_kv_heads;
            c.k_width = values({l.n_kv_heads, l.head_dim_k});
            c.v_width = values({l.n_kv_heads, l.head_dim_v});
            c.owns_kv = l.kv_source < 0;
            if (l.mixer == Mixer::Mla) c.index_k_width = g.dsa.head_dim;
            out.push_back(c);
        } else if (is_recurrent(l.mixer)) {
            push_recurrent(l.mixer);
        } else if (l.mixer == Mixer::CrossAttention) {
            // K and V of the image encoder's states: engines size them by the request's images, not its context.
            CacheLayer c;
            c.layer = static_cast<int>(i);
            c.mixer = l.mixer;
            c.n_kv_heads = l.n_kv_heads;
            c.k_width = values({l.n_kv_heads, l.head_dim_k});
            c.v_width = values({l.n_kv_heads, l.head_dim_v});
            out.push_back(c);
        }
        if (l.parallel_mamba) push_recurrent(Mixer::Mamba);
    }
    return out;
}

i64 layer_kv_bytes_per_token(const CacheLayer& l, const KvType& kv) {
    if (!is_attention(l.mixer) || !l.owns_kv) return 0;
    return checked::add(checked::add(kv.bytes(l.k_width), kv.bytes(l.v_width)), kv.bytes(l.index_k_width));
}

i64 growing_kv_bytes_per_token(const std::vector<CacheLayer>& layers, const KvType& kv) {
    i64 total = 0;
    for (const auto& l : layers)
        if (l.mixer == Mixer::FullAttention || l.mixer == Mixer::Mla) total = checked::add(total, layer_kv_bytes_per_token(l, kv));
    return total;
}

i64 serving_mla_token_bytes(const ModelGeometry& g, const CacheLayer& c, i64 value_bytes, bool ds_fp8_layout) {
    i64 b = checked::mul(checked::add(c.k_width, c.v_width), value_bytes);
    if (c.index_k_width > 0) {
        const i64 lora = g.mla.kv_lora_rank, rope = g.mla.qk_rope_head_dim;
        if (ds_fp8_layout && value_bytes == 1) b = lora + ceil_div(lora, 128) * 4 + rope * 2;
        b += c.index_k_width + ceil_div(c.index_k_width, 128) * 4;
    }
    return b;
}

i64 serving_growing_bytes_per_token(const ModelGeometry& g, const std::vector<CacheLayer>& layers, const KvType& kv, i64 value_bytes, bool ds_fp8_layout) {
    i64 total = 0;
    for (const auto& l : layers) {
        if (!l.owns_kv) continue;
        if (l.mixer == Mixer::Mla) total = checked::add(total, serving_mla_token_bytes(g, l, value_bytes, ds_fp8_layout));
        else if (l.mixer == Mixer::FullAttention) total = checked::add(total, layer_kv_bytes_per_token(l, kv));
    }
    return total;
}

}  // namespace fitmygpu
