// Model families as data: one row per config.json model_type with what the Hugging Face config class
// leaves implicit — its defaults, the fields only that family reads, its quirks, and which layer-layout
// rule places its full, sliding, chunked, linear-attention and Mamba layers. parse_geometry looks the
// text model's model_type up once and reads the row instead of testing model_type names.
#pragma once
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "fitmygpu/units.hpp"

namespace fitmygpu::model {

// How a family places its layer kinds when the config has no per-layer list (layer_types, layers_block_type).
enum class LayerLayout {
    Uniform,                // one kind throughout; a sliding_window covers every layer (Mistral) or, with use_sliding_window,
                            // layers from max_window_layers on (Qwen2); sliding_window + sliding_window_pattern: Cohere2
    AlternatingSliding,     // Gemma 2: even layers sliding, odd layers global
    SlidingPattern,         // Gemma 3: layer i global when (i + 1) % sliding_window_pattern == 0 (default `period`)
    FullAttentionInterval,  // Qwen3-Next: layer i full attention when (i + 1) % full_attention_interval == 0 (default
                            // `period`), Gated DeltaNet otherwise
    ChunkedLocal,           // Llama 4: chunked attention of attention_chunk_size (default `chunk`), global layers from
                            // no_rope_layers (0 = global), else every `period`-th layer
    HybridPattern,          // Nemotron-H: hybrid_override_pattern, one character per layer (M Mamba, * attention,
                            // - MLP, E MoE); the pattern also places the MoE layers
    AllMamba,               // Mamba, Mamba-2, Falcon-Mamba: SSM blocks only, no attention and no MLP
    PeriodicAttention,      // Jamba: attention where i % attn_layer_period == attn_layer_offset (defaults `period`,
                            // `offset`), Mamba elsewhere
};

// Per-head q/k norms.
enum class QkNorm {
    FromConfig,  // only when use_qk_norm / qk_layernorm says so
    PerHead,     // RMSNorm of head_dim on q and on k (Qwen3, Gemma 3)
    FullWidth,   // RMSNorm over all of q (n_heads × head_dim) and all of k (OLMo 2, OLMoE)
    Weightless,  // Llama 4: an L2 norm without weights, whatever use_qk_norm says
};

// Where a MoE family's shared expert width comes from (beyond the generic n_shared_experts,
// shared_expert_intermediate_size and moe_shared_expert_intermediate_size fields).
enum class SharedExperts {
    FromConfig,
    DenseWidth,              // Hunyuan: num_shared_expert MLPs of intermediate_size
    SharedIntermediateSize,  // Granite 4: one shared MLP of shared_intermediate_size
    OneOfDenseWidth,         // Llama 4: one shared expert of intermediate_size in every MoE layer
};

// A row holds constants only, so that the table is data in the binary. Its names are string literals: each
// string_view's data() is also a C string, as ConfigReader takes field names.
struct FamilyTraits {
    std::initializer_list<const char*> model_types;  // the text model's config.json model_type(s) this row describes
    bool prefix = false;                             // also every model_type starting with one of them (longest row wins)
    std::string_view models{};                       // which models and config class

    // ---- defaults of the config class ----
    bool tie_word_embeddings = false;  // when the config leaves tie_word_embeddings out
    i64 vocab_size = 0;                // when the config leaves vocab_size out (0: required)
    i64 tokenizer_tokens = 0;          // the tokenizer's size where vocab_size pads it (the class default): GGUFs keep these rows
    bool attn_output_gate = false;     // when the config leaves attn_output_gate out (Qwen3-Next: q_proj also gates heads)

    // ---- attention and block shape ----
    bool qkv_bias = false;  // q/k/v biases whatever attention_bias says (Qwen2)
    bool o_bias = true;     // attention_bias also biases o_proj (Qwen2 and GLM-4 bias q/k/v only)
    QkNorm qk_norm = QkNorm::FromConfig;
    bool attention_sinks = false;        // one learned sink logit per head (gpt-oss)
    int norms_per_layer = 2;             // 4: sandwich norms (Gemma 2/3/4); 1: attention and MLP in parallel (Cohere)
    bool neox_layout = false;            // GPT-NeoX: biases on every linear, LayerNorms with bias, plain GELU MLP
    std::string_view linear_bias_key{};  // a neox_layout family whose linear biases follow this config flag, true when
                                         // absent (StarCoder2: use_bias); its LayerNorms keep their bias either way
    bool ffn_gated = true;               // false: relu² up/down MLPs and experts (Nemotron-H)
    i64 ffn_hidden_multiple = 0;         // the MLP width when the config leaves it out or null, in hidden sizes (GPT-2's n_inner: 4)
    bool llamacpp_drops_window = false;  // llama.cpp's architecture reads no sliding window for this family (StarCoder2):
                                         // there every layer keeps the whole context

    // ---- mixture of experts ----
    SharedExperts shared_experts = SharedExperts::FromConfig;
    bool moe_biases = false;                // router and expert biases (gpt-oss)
    bool score_correction_bias = false;     // e_score_correction_bias [n_experts] (DeepSeek-V3 noaux_tc routing)
    bool dense_mlp_in_shared_slot = false;  // a dense model keeps its MLP as shared_intermediate_size (Granite 4 micro)

    // ---- Mamba ----
    bool mamba = false;                     // has Mamba layers (SSM sizes read, or defaulted, even when unnamed)
    bool mamba1 = false;                    // Mamba-1 layout: x_proj / dt_proj, A of [d_inner, d_state], no gated norm
    std::string_view mamba_heads_key{};     // one more name for the Mamba-2 head count (Mamba2Config: num_heads)
    std::string_view mamba_head_dim_key{};  // ... and head width (Mamba2Config: head_dim)
    std::string_view mamba_inner_key{};     // the field holding d_inner (MambaConfig: intermediate_size)
    bool parallel_mamba = false;            // Falcon-H1: an SSM beside attention in every layer

    // ---- layer layout ----
    LayerLayout layout = LayerLayout::Uniform;
    i64 period = 0;                      // default period of the layout (see LayerLayout)
    i64 offset = 0;                      // default offset (Jamba)
    i64 chunk = 0;                       // default attention chunk (Llama 4)
    std::string_view dense_width_key{};  // dense layers' MLP width between MoE layers (Llama 4: intermediate_size_mlp)

    // ---- Gemma 3n / Gemma 4 ----
    bool gemma_layer_extras = false;  // global layers with global_head_dim / num_global_key_value_heads, attention_k_eq_v,
                                      // num_kv_shared_layers, use_double_wide_mlp, per-layer widths and input embeddings,
                                      // a dense MLP beside the experts
    i64 altup_inputs = 0;             // AltUp streams default (Gemma 3n: 4; 0 = no AltUp)
    i64 laurel_rank = 0;              // LAuReL rank default (Gemma 3n: 64; 0 = no LAuReL)

    // "qwen3", or "gemma3*" for a prefix row: how tests and messages name the row.
    std::string key() const { return std::string(*model_types.begin()) + (prefix ? "*" : ""); }
};

// Every known family, in no particular order.
std::span<const FamilyTraits> family_table();
// The row for a text model_type: an exact row, else the longest prefix row, else the generic row
// (every trait at its default: a Llama-style model).
const FamilyTraits& family_of(const std::string& model_type);
const FamilyTraits& generic_family();
// Whether a config field names something that never changes a tensor's shape or a cache's size (token ids,
// dropout, norm epsilons, initialisation, rotary frequencies, bookkeeping such as transformers_version).
bool shapes_nothing(const std::string& key);

}  // namespace fitmygpu::model
