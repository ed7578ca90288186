// The family rows. Defaults and quirks follow the Hugging Face transformers configuration and modeling
// classes of each model_type (LlamaConfig, Qwen2Config, Gemma3TextConfig, GptOssConfig, NemotronHConfig, ...).
// A family that needs nothing beyond the generic reading has a row all the same, so the table lists
// every family the catalog ships and tests/core/test_families.cpp checks each one.
#include "model/families.hpp"

#include <algorithm>

namespace fitmygpu::model {

namespace {

using L = LayerLayout;

constexpr FamilyTraits kFamilies[] = {
    // ---- Llama-style dense and MoE models: the generic reading ----
    {.model_types = {"llama"}, .models = "Llama 2 / 3.x and Llama-architecture models (Falcon3, SmolLM2, Yi, R1 distills)"},
    // ---- Llama-style families with a quirk of their own: EXAONE 4, Olmo 3, Apertus, MiMo, MiniCPM ----
    {.model_types = {"exaone4"}, .models = "EXAONE 4.0 (per-head QK-norm; sliding_window_pattern places the global layers)", .qk_norm = QkNorm::PerHead},
    {.model_types = {"olmo3"},
     .models = "Olmo 3 (OLMo 2 blocks; layer_types mixes sliding and full attention)",
     .qk_norm = QkNorm::FullWidth,
     .norms_per_layer = 2},
    {.model_types = {"apertus"}, .models = "Apertus (xIELU up/down MLP without a gate, per-head QK-norm)", .qk_norm = QkNorm::PerHead, .ffn_gated = false},
    {.model_types = {"mimo"},
     .models = "MiMo (Qwen2 attention: q/k/v biases, no o_proj bias; num_nextn_predict_layers MTP layers)",
     .qkv_bias = true,
     .o_bias = false},
    {.model_types = {"minicpm"}, .models = "MiniCPM / MiniCPM4 (muP scale factors, which change no tensor)"},
    {.model_types = {"mistral"}, .models = "Mistral, Ministral, Codestral, Mistral Small 3.x text model (a sliding_window covers every layer)"},
    {.model_types = {"mixtral"}, .models = "Mixtral 8x7B / 8x22B (experts as wide as intermediate_size)"},
    {.model_types = {"phi3"}, .models = "Phi-3, Phi-3.5, Phi-4"},
    {.model_types = {"phimoe"}, .models = "Phi-3.5-MoE"},
    {.model_types = {"granite"}, .models = "Granite 3.x dense"},
    {.model_types = {"exaone"}, .models = "EXAONE 3.5"},
    {.model_types = {"internlm3"}, .models = "InternLM3"},
    {.model_types = {"seed_oss"}, .models = "Seed-OSS"},
    {.model_types = {"smollm3"}, .models = "SmolLM3"},
    {.model_types = {"mllama_text_model"}, .models = "Llama 3.2 Vision text model (cross_attention_layers)"},
    {.model_types = {"nemotron-nas"}, .models = "Llama-Nemotron Super (DeciLM): per-layer block_configs"},

    // ---- Qwen ----
    {.model_types = {"qwen2"}, .models = "Qwen2 / Qwen2.5, QwQ, R1 Qwen distills (q/k/v biases, no o_proj bias)", .qkv_bias = true, .o_bias = false},
    {.model_types = {"qwen2_moe"}, .models = "Qwen1.5-MoE / Qwen2-MoE", .qkv_bias = true},
    {.model_types = {"qwen2_5_vl", "qwen2_vl"}, .models = "Qwen2-VL / Qwen2.5-VL text model", .qkv_bias = true},
    {.model_types = {"qwen3"}, .models = "Qwen3 dense", .qk_norm = QkNorm::PerHead},
    {.model_types = {"qwen3_moe"}, .models = "Qwen3 MoE", .qk_norm = QkNorm::PerHead},
    {.model_types = {"qwen3_next"},
     .models = "Qwen3-Next (Gated DeltaNet with every fourth layer full attention)",
     .attn_output_gate = true,
     .qk_norm = QkNorm::PerHead,
     .layout = L::FullAttentionInterval,
     .period = 4},
    {.model_types = {"qwen3_5"},
     .prefix = true,
     .models = "Qwen3.5 / 3.6 dense and MoE (qwen3_5_text, qwen3_5_moe_text)",
     .attn_output_gate = true,
     .qk_norm = QkNorm::PerHead},
    {.model_types = {"qwen3_vl"}, .prefix = true, .models = "Qwen3-VL text models", .qk_norm = QkNorm::PerHead},

    // ---- Gemma ----
    {.model_types = {"gemma"}, .prefix = true, .models = "Gemma (1) and any later Gemma without a row of its own", .tie_word_embeddings = true},
    {.model_types = {"gemma2"}, .prefix = true, .models = "Gemma 2", .tie_word_embeddings = true, .norms_per_layer = 4, .layout = L::AlternatingSliding},
    {.model_types = {"gemma3"},
     .prefix = true,
     .models = "Gemma 3 (gemma3, gemma3_text)",
     .tie_word_embeddings = true,
     .vocab_size = 262208,
     .tokenizer_tokens = 262144,
     .qk_norm = QkNorm::PerHead,
     .norms_per_layer = 4,
     .layout = L::SlidingPattern,
     .period = 6},
    {.model_types = {"gemma3n"},
     .prefix = true,
     .models = "Gemma 3n (gemma3n_text)",
     .tie_word_embeddings = true,
     .vocab_size = 262208,
     .qk_norm = QkNorm::PerHead,
     .norms_per_layer = 4,
     .layout = L::SlidingPattern,
     .period = 6,
     .gemma_layer_extras = true,
     .altup_inputs = 4,
     .laurel_rank = 64},
    {.model_types = {"gemma4"},
     .prefix = true,
     .models = "Gemma 4 (gemma4_text)",
     .tie_word_embeddings = true,
     .qk_norm = QkNorm::PerHead,
     .norms_per_layer = 4,
     .gemma_layer_extras = true},

    // ---- Cohere ----
    {.model_types = {"cohere"}, .models = "Command R / R+ (parallel attention and MLP after one norm)", .tie_word_embeddings = true, .norms_per_layer = 1},
    {.model_types = {"cohere2"}, .models = "Command R7B (sliding_window_pattern 4)", .tie_word_embeddings = true, .norms_per_layer = 1},
    {.model_types = {"cohere"}, .prefix = true, .models = "other Cohere model_types", .tie_word_embeddings = true},

    // ---- GPT-style ----
    {.model_types = {"gpt2"},
     .models = "GPT-2 (c_attn / c_proj / c_fc with biases, LayerNorms with bias, c_fc -> GELU -> c_proj MLP, n_inner 4 x n_embd when null)",
     .tie_word_embeddings = true,
     .neox_layout = true,
     .ffn_hidden_multiple = 4},
    {.model_types = {"starcoder2"},
     .models = "StarCoder2 (c_fc -> GELU -> c_proj MLP, LayerNorms with bias; use_bias biases every linear)",
     .tie_word_embeddings = true,
     .neox_layout = true,
     .linear_bias_key = "use_bias",
     .ffn_gated = false,
     .llamacpp_drops_window = true},
    {.model_types = {"gpt_neox"}, .models = "GPT-NeoX, Pythia", .neox_layout = true, .ffn_gated = false},
    {.model_types = {"opt"},
     .models = "OPT (fc1 -> ReLU -> fc2 MLP of ffn_dim, LayerNorms with bias; enable_bias biases every linear)",
     .tie_word_embeddings = true,
     .neox_layout = true,
     .linear_bias_key = "enable_bias",
     .ffn_gated = false},
    {.model_types = {"gpt_oss"}, .models = "gpt-oss", .attention_sinks = true, .moe_biases = true},

    // ---- DeepSeek-style MoE (MLA from kv_lora_rank) ----
    {.model_types = {"deepseek_v2"}, .models = "DeepSeek-V2 / V2-Lite, DeepSeek-Coder-V2"},
    {.model_types = {"deepseek_v3"}, .models = "DeepSeek-V3 / R1", .score_correction_bias = true},
    {.model_types = {"deepseek_v32"}, .models = "DeepSeek-V3.2 (sparse attention indexer; noaux_tc from topk_method)"},
    {.model_types = {"kimi_k2"}, .models = "Kimi K2", .score_correction_bias = true},
    {.model_types = {"kimi_linear"}, .models = "Kimi Linear (Kimi Delta Attention from linear_attn_config)"},
    {.model_types = {"glm4"}, .prefix = true, .models = "GLM-4 (attention_bias biases q/k/v only)", .o_bias = false},
    {.model_types = {"glm4_moe"}, .prefix = true, .models = "GLM-4.5 / 4.6 / 4.7 (glm4_moe, glm4_moe_lite)", .o_bias = false, .score_correction_bias = true},
    {.model_types = {"minimax_m1"}, .models = "MiniMax-Text-01 / M1 (lightning attention from attn_type_list)"},
    {.model_types = {"minimax_m2"}, .models = "MiniMax-M2", .score_correction_bias = true},
    {.model_types = {"ernie4_5"}, .prefix = true, .models = "ERNIE 4.5 dense and MoE", .tie_word_embeddings = true},
    {.model_types = {"hunyuan"}, .models = "Hunyuan-A13B (num_shared_expert MLPs of intermediate_size)"},
    {.model_types = {"hunyuan_v1_moe"}, .models = "Hunyuan MoE (transformers' HunYuanMoEV1Config)", .shared_experts = SharedExperts::DenseWidth},
    {.model_types = {"llama4_text", "llama4"},
     .models = "Llama 4 Scout / Maverick",
     .qk_norm = QkNorm::Weightless,
     .shared_experts = SharedExperts::OneOfDenseWidth,
     .layout = L::ChunkedLocal,
     .period = 4,
     .chunk = 8192,
     .dense_width_key = "intermediate_size_mlp"},
    {.model_types = {"olmo2"}, .models = "OLMo 2", .qk_norm = QkNorm::FullWidth, .norms_per_layer = 2},
    {.model_types = {"olmoe"}, .models = "OLMoE", .qk_norm = QkNorm::FullWidth},

    // ---- hybrids and state-space models ----
    {.model_types = {"granitemoeshared"}, .models = "Granite MoE with a shared MLP", .shared_experts = SharedExperts::SharedIntermediateSize},
    {.model_types = {"granitemoehybrid"},
     .models = "Granite 4.0 H (Mamba-2 + attention; micro: dense attention-only)",
     .shared_experts = SharedExperts::SharedIntermediateSize,
     .dense_mlp_in_shared_slot = true,
     .mamba = true},
    {.model_types = {"nemotron_h"},
     .models = "Nemotron-H, Nemotron Nano 2 / 3",
     .ffn_gated = false,
     .score_correction_bias = true,
     .mamba = true,
     .layout = L::HybridPattern},
    {.model_types = {"jamba"}, .models = "Jamba", .mamba = true, .mamba1 = true, .layout = L::PeriodicAttention, .period = 8, .offset = 4},
    {.model_types = {"falcon_h1"}, .models = "Falcon-H1", .mamba = true, .parallel_mamba = true},
    {.model_types = {"mamba"},
     .models = "Mamba (1)",
     .tie_word_embeddings = true,
     .mamba = true,
     .mamba1 = true,
     .mamba_inner_key = "intermediate_size",
     .layout = L::AllMamba},
    {.model_types = {"falcon_mamba"}, .models = "Falcon-Mamba", .mamba = true, .mamba1 = true, .mamba_inner_key = "intermediate_size", .layout = L::AllMamba},
    {.model_types = {"mamba2"},
     .models = "Mamba-2, Mamba-Codestral",
     .mamba = true,
     .mamba_heads_key = "num_heads",
     .mamba_head_dim_key = "head_dim",
     .layout = L::AllMamba},

    // ---- Phi (1.5 / 2) ----
    {.model_types = {"phi"},
     .models = "Phi-1.5, Phi-2 (attention and MLP side by side after one LayerNorm; biases on every linear)",
     .norms_per_layer = 1,
     .neox_layout = true},
};

}  // namespace

std::span<const FamilyTraits> family_table() { return kFamilies; }

const FamilyTraits& generic_family() {
    static constexpr FamilyTraits generic{.model_types = {""}, .models = "any other model_type: the generic (Llama-style) reading"};
    return generic;
}

bool shapes_nothing(const std::string& key) {
    static constexpr std::string_view exact[] = {"_name_or_path",
                                                 "transformers_version",
                                                 "auto_map",
                                                 "tokenizer_class",
                                                 "architectures",
                                                 "model_type",
                                                 "torch_dtype",
                                                 "dtype",
                                                 "use_cache",
                                                 "initializer_range",
                                                 "initializer_factor",
                                                 "rope_theta",
                                                 "rope_scaling",
                                                 "rope_parameters",
                                                 "rotary_emb_base",
                                                 "hidden_act",
                                                 "activation_function",
                                                 "hidden_activation",
                                                 "pretraining_tp",
                                                 "return_dict",
                                                 "output_attentions",
                                                 "output_hidden_states",
                                                 "id2label",
                                                 "label2id",
                                                 "problem_type",
                                                 "task_specific_params",
                                                 "generation_config",
                                                 "is_encoder_decoder",
                                                 "chat_template",
                                                 "use_return_dict",
                                                 "torchscript",
                                                 "quantization_config",
                                                 "bos_token_id",
                                                 "eos_token_id",
                                                 "pad_token_id",
                                                 "logits_scaling",
                                                 "embedding_multiplier",
                                                 "residual_multiplier",
                                                 "attention_multiplier",
                                                 "scale_emb",
                                                 "scale_depth",
                                                 "dim_model_base",
                                                 "use_flash_attn",
                                                 "_attn_implementation",
                                                 "attn_implementation",
                                                 "gradient_checkpointing"};
    if (std::find(std::begin(exact), std::end(exact), key) != std::end(exact)) return true;
    for (const char* tail : {"_token_id", "_token_ids", "dropout", "_pdrop", "_eps", "_epsilon", "_std", "_init"})
        if (key.ends_with(tail)) return true;
    return false;
}

const FamilyTraits& family_of(const std::string& model_type) {
    const FamilyTraits* best = nullptr;
    size_t best_len = 0;
    for (const FamilyTraits& f : family_table())
        for (const std::string_view name : f.model_types) {
            if (!f.prefix && name == model_type) return f;  // an exact row wins over every prefix row
            if (f.prefix && model_type.rfind(name, 0) == 0 && (best == nullptr || name.size() > best_len)) {
                best = &f;
                best_len = name.size();
            }
        }
    return best ? *best : generic_family();
}

}  // namespace fitmygpu::model
