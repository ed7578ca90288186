// What each layer keeps per token or per sequence (the KV cache and recurrent-state model). Engines
// decide how many tokens each kind of layer holds and in what blocks; this says what one token or one
// sequence costs in each layer.
#pragma once
#include <vector>

#include "fitmygpu/formats.hpp"
#include "fitmygpu/geometry.hpp"

namespace fitmygpu {

struct CacheLayer {
    int layer = 0;
    Mixer mixer = Mixer::FullAttention;
    i64 window = 0;         // sliding window / chunk (tokens); 0 = the whole context
    i64 n_kv_heads = 0;     // KV heads (1 for MLA)
    i64 k_width = 0;        // K values per token (n_kv_heads × head_dim_k); MLA: kv_lora_rank + rope dim
    i64 v_width = 0;        // V values per token (0 for MLA: V comes from the same latent)
    bool owns_kv = true;    // false: reuses another layer's KV (Gemma 3n KV sharing)
    i64 index_k_width = 0;  // DeepSeek sparse attention: indexer key values per token (a second cache beside the latent)
    // Recurrent layers: values of state kept per sequence.
    i64 conv_values = 0;  // convolution window: (kernel − 1) × conv channels
    i64 ssm_values = 0;   // recurrent/SSM state
};

std::vector<CacheLayer> cache_layers(const ModelGeometry& g);
// The MLA layers as engines that decompress the latent cache them: every head's K (nope + rope) and V.
void expand_mla_per_head(std::vector<CacheLayer>& layers, const ModelGeometry& g);

// KV bytes one token adds across the layers whose cache grows with the context (full attention and
// MLA). Sliding and chunked layers cost the same per token but only up to their window.
i64 growing_kv_bytes_per_token(const std::vector<CacheLayer>& layers, const KvType& kv);
// KV bytes per token of one layer at a KV type (K and V rows quantized separately, as llama.cpp does).
i64 layer_kv_bytes_per_token(const CacheLayer& l, const KvType& kv);

// Serving engines' paged caches (vLLM, SGLang) for an MLA layer: the latent at value_bytes per value — with
// ds_fp8_layout, vLLM's fp8_ds_mla layout for sparse MLA (kv_lora_rank fp8 values, one fp32 scale per 128, the
// rope part in bf16: 656 B for DeepSeek-V3.2) — plus the DSA indexer keys, fp8 with one fp32 scale per 128
// values (132 B for V3.2) whatever the cache dtype.
i64 serving_mla_token_bytes(const ModelGeometry& g, const CacheLayer& c, i64 value_bytes, bool ds_fp8_layout);
// The serving engines' growing KV bytes per token over the whole model (MLA layers as above).
i64 serving_growing_bytes_per_token(const ModelGeometry& g, const std::vector<CacheLayer>& layers, const KvType& kv, i64 value_bytes, bool ds_fp8_layout);

bool is_attention(Mixer m);
bool is_recurrent(Mixer m);

}  // namespace fitmygpu
