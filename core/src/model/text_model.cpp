// The text model's sizes from config.json. Field names and synonyms follow the Hugging Face transformers
// configuration classes (LlamaConfig, Qwen2Config, Gemma3TextConfig, GptOssConfig, DeepseekV3Config,
// Qwen3NextConfig, NemotronHConfig, Mamba2Config, ...); what differs by family comes from its FamilyTraits row.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "fitmygpu/checked.hpp"
#include "fitmygpu/error.hpp"
#include "model/parse_steps.hpp"

namespace fitmygpu::model {

using nlohmann::json;

std::string read_identity(const ConfigReader& top, const ConfigReader& r, ModelGeometry& g) {
    g.model_type = top.str("model_type");
    std::string text_model_type = r.str("model_type", g.model_type);
    g.architecture = top.front_string("architectures");
    g.dtype = r.str("torch_dtype", r.str("dtype", "bfloat16"));
    if (r.has_object("rope_scaling")) {
        const ConfigReader rs = r.object("rope_scaling");
        g.rope_type = rs.string_or("rope_type", rs.string_or("type", ""));
        if (rs.has_number("factor")) g.rope_factor = positive_real(rs.raw().at("factor"), rs.path("factor"), bounds::kMaxRopeFactor);
        g.rope_original_positions = rs.first_integer_of({"original_max_position_embeddings"}, 0, 1, bounds::kPositions);
    }
    if (r.has_number("partial_rotary_factor")) {
        g.partial_rotary_factor = positive_real(r.raw().at("partial_rotary_factor"), r.path("partial_rotary_factor"), 1.0);
    }
    g.local_rope = r.has_number("rope_local_base_freq");
    return text_model_type;
}

std::vector<i64> read_dimensions(const ConfigReader& r, const FamilyTraits& fam, ModelGeometry& g) {
    g.hidden = r.first_of({"hidden_size", "d_model", "n_embd", "model_dim"}, bounds::kHidden);
    if (g.hidden == 0) fail("missing_field", r.path("hidden_size"), r.path("hidden_size") + " is required");
    g.n_layers = r.first_of({"num_hidden_layers", "n_layer", "num_layers", "n_layers"}, bounds::kLayers);
    if (g.n_layers == 0) fail("missing_field", r.path("num_hidden_layers"), r.path("num_hidden_layers") + " is required");
    if (!r.has("vocab_size") && fam.vocab_size > 0) g.vocab = fam.vocab_size;
    else g.vocab = r.require("vocab_size", bounds::kVocab);
    // convert_hf_to_gguf.py drops token_embd's rows past the tokenizer (Gemma 3: "remove OOV rows"), and llama.cpp's
    // n_vocab is the tokenizer's: the class's padded size leaves the tokenizer's tokens in a GGUF.
    g.gguf_vocab = fam.tokenizer_tokens > 0 && g.vocab == fam.vocab_size ? fam.tokenizer_tokens : g.vocab;
    // Positions beyond the largest context a request may ask are refused: nothing could use them.
    g.max_position_embeddings = r.first_of({"max_position_embeddings", "max_seq_len", "seq_length", "n_positions"}, bounds::kPositions);

    if (fam.layout != LayerLayout::AllMamba) {
        g.n_heads = r.first_of({"num_attention_heads", "n_head", "num_heads"}, bounds::kHeads);
        if (g.n_heads == 0) fail("missing_field", r.path("num_attention_heads"), r.path("num_attention_heads") + " is required");
        g.n_kv_heads = r.first_of({"num_key_value_heads", "num_kv_heads", "n_head_kv", "multi_query_group_num"}, bounds::kHeads);
        if (g.n_kv_heads == 0) g.n_kv_heads = r.flag("multi_query", false) ? 1 : g.n_heads;
        if (g.n_kv_heads > g.n_heads)
            fail("invalid_field", r.path("num_key_value_heads"), r.path("num_key_value_heads") + " cannot exceed num_attention_heads");
        g.head_dim = r.first_of({"head_dim", "attention_head_dim", "attention_head_size", "kv_channels"}, bounds::kHeadDim);
        if (g.head_dim == 0) {
            if (g.hidden % g.n_heads != 0)
                fail("invalid_field", r.path("num_attention_heads"), "hidden_size is not a multiple of num_attention_heads and no head_dim is given");
            g.head_dim = g.hidden / g.n_heads;
        }
    }
    std::vector<i64> widths_per_layer;  // Gemma 3n lists intermediate_size per layer
    if (r.has_array("intermediate_size")) {
        widths_per_layer = r.integers("intermediate_size", 1, bounds::kIntermediate);
        for (const i64 w : widths_per_layer) g.intermediate = std::max(g.intermediate, w);
    } else {
        g.intermediate = r.first_of({"intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"}, bounds::kIntermediate);
        if (g.intermediate == 0 && fam.ffn_hidden_multiple > 0) g.intermediate = checked::mul(fam.ffn_hidden_multiple, g.hidden);
    }
    return widths_per_layer;
}

void read_block_shape(const ConfigReader& r, const FamilyTraits& fam, ModelGeometry& g) {
    // Each transformers config class has its own default for tie_word_embeddings (configs often leave the key out).
    g.tied_embeddings = r.flag("tie_word_embeddings", fam.tie_word_embeddings);
    g.mlp_bias = r.flag("mlp_bias", false);
    {
        const std::string act = r.str("mlp_hidden_act", r.str("hidden_act", ""));
        g.ffn_gated = fam.ffn_gated && act != "relu2";
    }
    const bool attention_bias = r.flag("attention_bias", false);
    g.qkv_bias = attention_bias || r.flag("qkv_bias", false) || fam.qkv_bias || r.flag("use_qkv_bias", false) || r.flag("add_qkv_bias", false);
    g.o_bias = attention_bias && fam.o_bias;
    g.qk_norm = fam.qk_norm == QkNorm::PerHead || r.flag("use_qk_norm", false) || r.flag("qk_layernorm", false);
    if (fam.qk_norm == QkNorm::Weightless) g.qk_norm = false;  // no weights to count
    g.qk_norm_full_width = fam.qk_norm == QkNorm::FullWidth;
    if (g.qk_norm_full_width) g.qk_norm = true;
    g.attention_sinks = fam.attention_sinks;
    g.norms_per_layer = fam.norms_per_layer;
    g.llamacpp_full_attention = fam.llamacpp_drops_window;
    if (fam.neox_layout) {
        // GPT-NeoX (Pythia): fused QKV and dense layers with biases, LayerNorms with bias, plain GELU MLP.
        // StarCoder2 has the same block, its linear biases switched by use_bias (Starcoder2Config: true).
        g.qkv_bias = g.o_bias = g.mlp_bias = fam.linear_bias_key.empty() || r.flag(fam.linear_bias_key.data(), true);
        g.norm_has_bias = true;
        g.ffn_gated = false;
    }
}

void read_moe(const ConfigReader& r, const FamilyTraits& fam, ModelGeometry& g) {
    g.moe.n_experts = r.first_scalar_of({"num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"}, bounds::kExperts);
    if (g.moe.n_experts > 0) {
        g.moe.n_experts_per_tok =
            r.first_scalar_of({"num_experts_per_tok", "experts_per_token", "moe_topk", "num_experts_per_token", "moe_k", "top_k_experts"}, bounds::kExperts);
        if (g.moe.n_experts_per_tok == 0)
            fail("missing_field", r.path("num_experts_per_tok"), r.path("num_experts_per_tok") + " is required for a mixture-of-experts model");
        if (g.moe.n_experts_per_tok > g.moe.n_experts)
            fail("invalid_field", r.path("num_experts_per_tok"), r.path("num_experts_per_tok") + " cannot exceed the number of experts");
        g.moe.expert_intermediate = r.first_scalar_of({"moe_intermediate_size", "expert_intermediate_size"}, bounds::kIntermediate);
        if (g.moe.expert_intermediate == 0) g.moe.expert_intermediate = g.intermediate;  // Mixtral, gpt-oss, Llama 4
        g.moe.n_shared_experts = r.first_scalar_of({"n_shared_experts", "num_shared_experts", "moe_num_shared_experts"}, bounds::kExperts);
        g.moe.shared_intermediate = g.moe.expert_intermediate;
        if (fam.shared_experts == SharedExperts::DenseWidth || r.has("num_shared_expert")) {  // Hunyuan: shared MLP of intermediate_size
            g.moe.n_shared_experts = r.first_scalar_of({"num_shared_expert"}, bounds::kExperts);
            g.moe.shared_intermediate = g.intermediate;
        }
        if (fam.shared_experts == SharedExperts::SharedIntermediateSize) {  // Granite 4: one shared MLP of shared_intermediate_size
            g.moe.shared_intermediate = r.opt("shared_intermediate_size", 0, bounds::kIntermediate);
            g.moe.n_shared_experts = g.moe.shared_intermediate > 0 ? 1 : 0;
        }
        if (r.opt("shared_expert_intermediate_size", 0, bounds::kIntermediate) > 0) {
            // Qwen2-MoE / Qwen3-Next / Qwen3.5: one shared expert of its own width, with a sigmoid gate.
            g.moe.n_shared_experts = 1;
            g.moe.shared_intermediate = r.positive("shared_expert_intermediate_size", bounds::kIntermediate);
            g.moe.shared_expert_gate = true;
        }
        if (r.has("moe_shared_expert_intermediate_size")) {  // Nemotron-H
            g.moe.shared_intermediate = r.positive("moe_shared_expert_intermediate_size", bounds::kIntermediate);
            if (g.moe.n_shared_experts == 0) g.moe.n_shared_experts = 1;
        }
        if (fam.shared_experts == SharedExperts::OneOfDenseWidth) {  // Llama 4: one shared expert of intermediate_size per MoE layer
            g.moe.n_shared_experts = 1;
            g.moe.shared_intermediate = g.intermediate;
        }
        g.moe.router_bias = fam.moe_biases;
        g.moe.expert_bias = fam.moe_biases;
        g.moe.score_correction_bias = fam.score_correction_bias || r.str("topk_method") == "noaux_tc";
        g.moe.gated = g.ffn_gated;  // Nemotron-H experts are relu^2 up/down only
    } else if (fam.dense_mlp_in_shared_slot && r.opt("shared_intermediate_size", 0, bounds::kIntermediate) > 0) {
        g.intermediate = r.positive("shared_intermediate_size", bounds::kIntermediate);  // dense Granite 4 keeps its MLP in the shared-MLP slot
    }
    // Qwen3-Next / Qwen3.5 gate each attention head's output from a second half of q_proj (on by default).
    g.attn_output_gate = r.flag("attn_output_gate", fam.attn_output_gate);
}

void read_mla(const ConfigReader& r, ModelGeometry& g) {
    if (!r.has("kv_lora_rank")) return;
    g.mla.kv_lora_rank = r.positive("kv_lora_rank", bounds::kHeadDim);
    g.mla.q_lora_rank = r.opt("q_lora_rank", 0, bounds::kRank);
    g.mla.qk_nope_head_dim = r.require("qk_nope_head_dim", bounds::kHeadDim);
    g.mla.qk_rope_head_dim = r.require("qk_rope_head_dim", bounds::kHeadDim);
    g.mla.v_head_dim = r.require("v_head_dim", bounds::kHeadDim);
    if (r.has("index_head_dim")) {  // DeepSeek-V3.2 sparse attention: the lightning indexer
        g.dsa.head_dim = r.positive("index_head_dim", bounds::kHeadDim);
        g.dsa.n_heads = r.require("index_n_heads", bounds::kHeads);
        g.dsa.topk = r.opt("index_topk", 0, bounds::kPositions);
    }
}

void read_linear_attention(const ConfigReader& r, ModelGeometry& g) {
    if (r.optional_object("linear_attn_config")) {
        // Kimi Linear: Kimi Delta Attention layers with their own head count and width and a short convolution.
        const ConfigReader lr = r.object("linear_attn_config");
        g.linear.kind = LinearAttentionSpec::Kind::KimiDelta;
        g.linear.n_key_heads = g.linear.n_value_heads = lr.require("num_heads", bounds::kHeads);
        g.linear.key_head_dim = g.linear.value_head_dim = lr.require("head_dim", bounds::kHeadDim);
        g.linear.conv_kernel = lr.opt("short_conv_kernel_size", 4, bounds::kConvKernel);
    } else if (r.has_array("attn_type_list")) {
        // MiniMax-Text-01 / M1: lightning (linear) attention keeps one head_dim × head_dim state per head.
        g.linear.kind = LinearAttentionSpec::Kind::Lightning;
        g.linear.n_key_heads = g.linear.n_value_heads = g.n_heads;
        g.linear.key_head_dim = g.linear.value_head_dim = g.head_dim;
        g.linear.conv_kernel = 1;
    } else if (r.has("linear_num_value_heads")) {  // Qwen3-Next / Qwen3.5 Gated DeltaNet
        g.linear.n_key_heads = r.require("linear_num_key_heads", bounds::kHeads);
        g.linear.n_value_heads = r.require("linear_num_value_heads", bounds::kHeads);
        g.linear.key_head_dim = r.require("linear_key_head_dim", bounds::kHeadDim);
        g.linear.value_head_dim = r.require("linear_value_head_dim", bounds::kHeadDim);
        g.linear.conv_kernel = r.opt("linear_conv_kernel_dim", 4, bounds::kConvKernel);
    }
}

void read_mamba(const ConfigReader& r, const FamilyTraits& fam, ModelGeometry& g) {
    const bool has_mamba_fields = fam.mamba || r.has("mamba_num_heads") || r.has("ssm_state_size") || r.has("state_size") || r.has("mamba_d_ssm");
    if (!has_mamba_fields) return;
    g.mamba.d_state = r.first_of({"ssm_state_size", "state_size", "mamba_d_state", "d_state"}, bounds::kStateSize);
    if (g.mamba.d_state == 0) g.mamba.d_state = 128;
    g.mamba.n_groups = r.first_of({"n_groups", "mamba_n_groups", "ngroups"}, bounds::kHeads);
    if (g.mamba.n_groups == 0) g.mamba.n_groups = 1;
    g.mamba.conv_kernel = r.first_of({"conv_kernel", "mamba_d_conv", "d_conv"}, bounds::kConvKernel);
    if (g.mamba.conv_kernel == 0) g.mamba.conv_kernel = 4;
    i64 heads = r.first_of({"mamba_num_heads", "mamba_n_heads"}, bounds::kHeads);
    i64 head_dim = r.first_of({"mamba_head_dim", "mamba_d_head"}, bounds::kHeadDim);
    if (!fam.mamba_heads_key.empty() && heads == 0) heads = r.first_of({fam.mamba_heads_key.data()}, bounds::kHeads);
    if (!fam.mamba_head_dim_key.empty() && head_dim == 0) head_dim = r.first_of({fam.mamba_head_dim_key.data()}, bounds::kHeadDim);
    // Mamba-2 groups share B and C across heads: no more groups than heads.
    if (heads > 0 && g.mamba.n_groups > heads) {
        const char* key = r.has("n_groups") ? "n_groups" : r.has("mamba_n_groups") ? "mamba_n_groups" : "ngroups";
        fail("invalid_field", r.path(key), r.path(key) + " cannot exceed the Mamba head count (" + std::to_string(heads) + ")");
    }
    i64 expand = r.first_of({"expand", "mamba_expand"}, bounds::kExpand);
    // d_inner from the field that states it, else heads × head width, else expand × hidden; each factor is bounded,
    // and so is the product, naming the field it came from.
    std::string inner_key;
    if (r.has("mamba_d_ssm")) {
        inner_key = "mamba_d_ssm";
        g.mamba.d_inner = r.positive("mamba_d_ssm", bounds::kHidden);
    } else if (!fam.mamba_inner_key.empty() && r.has(fam.mamba_inner_key.data())) {
        inner_key = fam.mamba_inner_key;
        g.mamba.d_inner = r.positive(fam.mamba_inner_key.data(), bounds::kHidden);
    } else if (heads > 0 && head_dim > 0) {
        inner_key = r.has("mamba_num_heads") ? "mamba_num_heads" : r.has("mamba_n_heads") ? "mamba_n_heads" : fam.mamba_heads_key;
        g.mamba.d_inner = heads * head_dim;
    } else {
        inner_key = r.has("expand") ? "expand" : r.has("mamba_expand") ? "mamba_expand" : "hidden_size";
        g.mamba.d_inner = (expand > 0 ? expand : 2) * g.hidden;
    }
    if (g.mamba.d_inner > bounds::kHidden)
        fail("invalid_field", r.path(inner_key),
             r.path(inner_key) + ": a Mamba inner width of " + std::to_string(g.mamba.d_inner) + " is beyond what any model uses (at most " +
                 std::to_string(bounds::kHidden) + ")");
    g.mamba.n_heads = heads > 0 ? heads : (head_dim > 0 ? g.mamba.d_inner / head_dim : 0);
    g.mamba.conv_bias = r.flag("use_conv_bias", r.flag("mamba_conv_bias", true));
    g.mamba.mamba1 = fam.mamba1;
    if (g.mamba.mamba1) {
        i64 dt = r.has_number("time_step_rank") ? r.positive("time_step_rank", bounds::kRank) : 0;
        if (dt == 0 && r.has_number("mamba_dt_rank")) dt = r.positive("mamba_dt_rank", bounds::kRank);
        g.mamba.dt_rank = dt > 0 ? dt : ceil_div(g.hidden, 16);
        g.mamba.out_norm = false;
    }
}

void read_mtp(const ConfigReader& r, ModelGeometry& g) {
    // Bounded before the narrowing to int: 2^32 + 1 layers must not wrap to 1.
    g.n_mtp_layers = static_cast<int>(r.opt(
        "num_nextn_predict_layers", r.opt("mtp_num_hidden_layers", r.opt("num_mtp_modules", 0, bounds::kMtpLayers), bounds::kMtpLayers), bounds::kMtpLayers));
}

void read_state_dtype(const ConfigReader& top, ModelGeometry& g) {
    // vLLM's --mamba-ssm-cache-dtype default: the config's mamba_ssm_cache_dtype, overridden by a text_config's
    // mamba_ssm_dtype (Qwen3.5) or mamba_ssm_cache_dtype.
    g.mamba_ssm_cache_dtype = top.string_or("mamba_ssm_cache_dtype", "");
    if (top.has_object("text_config")) {
        const ConfigReader tc = top.object("text_config");
        g.mamba_ssm_cache_dtype = tc.string_or("mamba_ssm_dtype", tc.string_or("mamba_ssm_cache_dtype", g.mamba_ssm_cache_dtype));
    }
}

void check_bounds(const ConfigReader& r, const ModelGeometry& g) {
    // Every factor was bounded where it was read; these are the products of bounded factors (each far inside
    // 64 bits) that must themselves stay within what a model uses, so that every byte count downstream is a
    // 64-bit integer. They name the field of the larger factor.
    auto bound = [&](i64 v, i64 max, const char* key, const std::string& what) {
        if (v > max)
            fail("invalid_field", r.path(key),
                 r.path(key) + ": " + what + " = " + std::to_string(v) + " is beyond what any model uses (at most " + std::to_string(max) + ")");
    };
    bound(g.n_heads * g.head_dim, bounds::kHidden * 4, "head_dim", "num_attention_heads × head_dim");
    bound(g.linear.n_value_heads * g.linear.value_head_dim, bounds::kHidden, "linear_num_value_heads", "linear_num_value_heads × linear_value_head_dim");
    bound(g.linear.n_key_heads * g.linear.key_head_dim, bounds::kHidden, "linear_num_key_heads", "linear_num_key_heads × linear_key_head_dim");
    bound(g.mamba.n_groups * g.mamba.d_state, bounds::kHidden, "ssm_state_size", "n_groups × ssm_state_size");
    bound(g.moe.n_shared_experts * g.moe.shared_intermediate, bounds::kIntermediate, "n_shared_experts", "shared experts × their width");
    bound(g.ple_dim * g.n_layers, i64{1} << 20, "hidden_size_per_layer_input", "hidden_size_per_layer_input × layers");
}

}  // namespace fitmygpu::model
