// The text model's sizes from config.json. Field names and synonyms follow the Hugging Face transformers
// configuration classes (LlamaConfig, Qwen2Config, Gemma3TextConfig, GptOssConfig, DeepseekV3Config,
// Qwen3NextConfig, NemotronHConfig, Mamba2Config, ...); what differs by family comes from its FamilyTraits row.
#include <nlohmann/json.hpp>

#include <algorithm>

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
    }
    return text_model_type;
}

std::vector<i64> read_dimensions(const ConfigReader& r, const FamilyTraits& fam, ModelGeometry& g) {
    g.hidden = r.first_of({"hidden_size", "d_model", "n_embd", "model_dim"});
    if (g.hidden == 0) fail("missing_field", r.path("hidden_size"), r.path("hidden_size") + " is required");
    g.n_layers = r.first_of({"num_hidden_layers", "n_layer", "num_layers", "n_layers"});
    if (g.n_layers == 0) fail("missing_field", r.path("num_hidden_layers"), r.path("num_hidden_layers") + " is required");
    if (g.n_layers > 4096) fail("invalid_field", r.path("num_hidden_layers"), r.path("num_hidden_layers") + " is implausibly large");
    if (!r.has("vocab_size") && fam.vocab_size > 0) g.vocab = fam.vocab_size;
    else g.vocab = r.require("vocab_size");
    g.max_position_embeddings = r.first_of({"max_position_embeddings", "max_seq_len", "seq_length", "n_positions"});

    if (fam.layout != LayerLayout::AllMamba) {
        g.n_heads = r.first_of({"num_attention_heads", "n_head", "num_heads"});
        if (g.n_heads == 0) fail("missing_field", r.path("num_attention_heads"), r.path("num_attention_heads") + " is required");
        g.n_kv_heads = r.first_of({"num_key_value_heads", "num_kv_heads", "n_head_kv", "multi_query_group_num"});
        if (g.n_kv_heads == 0) g.n_kv_heads = r.flag("multi_query", false) ? 1 : g.n_heads;
        if (g.n_kv_heads > g.n_heads)
            fail("invalid_field", r.path("num_key_value_heads"), r.path("num_key_value_heads") + " cannot exceed num_attention_heads");
        g.head_dim = r.first_of({"head_dim", "attention_head_dim", "attention_head_size", "kv_channels"});
        if (g.head_dim == 0) {
            if (g.hidden % g.n_heads != 0)
                fail("invalid_field", r.path("num_attention_heads"), "hidden_size is not a multiple of num_attention_heads and no head_dim is given");
            g.head_dim = g.hidden / g.n_heads;
        }
    }
    std::vector<i64> widths_per_layer;  // Gemma 3n lists intermediate_size per layer
    if (r.has_array("intermediate_size")) {
        for (const auto& w : r.raw().at("intermediate_size")) {
            if (!w.is_number_integer() || w.get<i64>() <= 0)
                fail("invalid_field", r.path("intermediate_size"), r.path("intermediate_size") + " entries must be positive whole numbers");
            widths_per_layer.push_back(w.get<i64>());
            g.intermediate = std::max(g.intermediate, w.get<i64>());
        }
    } else {
        g.intermediate = r.first_of({"intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"});
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
    if (fam.neox_layout) {
        // GPT-NeoX (Pythia): fused QKV and dense layers with biases, LayerNorms with bias, plain GELU MLP.
        g.qkv_bias = g.o_bias = g.mlp_bias = true;
        g.norm_has_bias = true;
        g.ffn_gated = false;
    }
}

void read_moe(const ConfigReader& r, const FamilyTraits& fam, ModelGeometry& g) {
    g.moe.n_experts = r.first_scalar_of({"num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"});
    if (g.moe.n_experts > 0) {
        g.moe.n_experts_per_tok =
            r.first_scalar_of({"num_experts_per_tok", "experts_per_token", "moe_topk", "num_experts_per_token", "moe_k", "top_k_experts"});
        if (g.moe.n_experts_per_tok == 0)
            fail("missing_field", r.path("num_experts_per_tok"), r.path("num_experts_per_tok") + " is required for a mixture-of-experts model");
        if (g.moe.n_experts_per_tok > g.moe.n_experts)
            fail("invalid_field", r.path("num_experts_per_tok"), r.path("num_experts_per_tok") + " cannot exceed the number of experts");
        g.moe.expert_intermediate = r.first_scalar_of({"moe_intermediate_size", "expert_intermediate_size"});
        if (g.moe.expert_intermediate == 0) g.moe.expert_intermediate = g.intermediate;  // Mixtral, gpt-oss, Llama 4
        g.moe.n_shared_experts = r.first_scalar_of({"n_shared_experts", "num_shared_experts", "moe_num_shared_experts"});
        g.moe.shared_intermediate = g.moe.expert_intermediate;
        if (fam.shared_experts == SharedExperts::DenseWidth || r.has("num_shared_expert")) {  // Hunyuan: shared MLP of intermediate_size
            g.moe.n_shared_experts = r.first_scalar_of({"num_shared_expert"});
            g.moe.shared_intermediate = g.intermediate;
        }
        if (fam.shared_experts == SharedExperts::SharedIntermediateSize) {  // Granite 4: one shared MLP of shared_intermediate_size
            g.moe.n_shared_experts = r.opt("shared_intermediate_size", 0) > 0 ? 1 : 0;
            g.moe.shared_intermediate = r.opt("shared_intermediate_size", 0);
        }
        if (r.has("shared_expert_intermediate_size") && r.non_negative("shared_expert_intermediate_size") > 0) {
            // Qwen2-MoE / Qwen3-Next / Qwen3.5: one shared expert of its own width, with a sigmoid gate.
            g.moe.n_shared_experts = 1;
            g.moe.shared_intermediate = r.positive("shared_expert_intermediate_size");
            g.moe.shared_expert_gate = true;
        }
        if (r.has("moe_shared_expert_intermediate_size")) {  // Nemotron-H
            g.moe.shared_intermediate = r.positive("moe_shared_expert_intermediate_size");
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
    } else if (fam.dense_mlp_in_shared_slot && r.opt("shared_intermediate_size", 0) > 0) {
        g.intermediate = r.positive("shared_intermediate_size");  // dense Granite 4 keeps its MLP in the shared-MLP slot
    }
    // Qwen3-Next / Qwen3.5 gate each attention head's output from a second half of q_proj (on by default).
    g.attn_output_gate = r.flag("attn_output_gate", fam.attn_output_gate);
}

void read_mla(const ConfigReader& r, ModelGeometry& g) {
    if (!r.has("kv_lora_rank")) return;
    g.mla.kv_lora_rank = r.positive("kv_lora_rank");
    g.mla.q_lora_rank = r.opt("q_lora_rank", 0);
    g.mla.qk_nope_head_dim = r.require("qk_nope_head_dim");
    g.mla.qk_rope_head_dim = r.require("qk_rope_head_dim");
    g.mla.v_head_dim = r.require("v_head_dim");
    if (r.has("index_head_dim")) {  // DeepSeek-V3.2 sparse attention: the lightning indexer
        g.dsa.head_dim = r.positive("index_head_dim");
        g.dsa.n_heads = r.positive("index_n_heads");
        g.dsa.topk = r.opt("index_topk", 0);
    }
}

void read_linear_attention(const ConfigReader& r, ModelGeometry& g) {
    if (r.has_object("linear_attn_config")) {
        // Kimi Linear: Kimi Delta Attention layers with their own head count and width and a short convolution.
        const ConfigReader lr = r.object("linear_attn_config");
        g.linear.kind = LinearAttentionSpec::Kind::KimiDelta;
        g.linear.n_key_heads = g.linear.n_value_heads = lr.require("num_heads");
        g.linear.key_head_dim = g.linear.value_head_dim = lr.require("head_dim");
        g.linear.conv_kernel = lr.opt("short_conv_kernel_size", 4);
    } else if (r.has_array("attn_type_list")) {
        // MiniMax-Text-01 / M1: lightning (linear) attention keeps one head_dim × head_dim state per head.
        g.linear.kind = LinearAttentionSpec::Kind::Lightning;
        g.linear.n_key_heads = g.linear.n_value_heads = g.n_heads;
        g.linear.key_head_dim = g.linear.value_head_dim = g.head_dim;
        g.linear.conv_kernel = 1;
    } else if (r.has("linear_num_value_heads")) {  // Qwen3-Next / Qwen3.5 Gated DeltaNet
        g.linear.n_key_heads = r.require("linear_num_key_heads");
        g.linear.n_value_heads = r.require("linear_num_value_heads");
        g.linear.key_head_dim = r.require("linear_key_head_dim");
        g.linear.value_head_dim = r.require("linear_value_head_dim");
        g.linear.conv_kernel = r.opt("linear_conv_kernel_dim", 4);
    }
}

void read_mamba(const ConfigReader& r, const FamilyTraits& fam, ModelGeometry& g) {
    const bool has_mamba_fields = fam.mamba || r.has("mamba_num_heads") || r.has("ssm_state_size") || r.has("state_size") || r.has("mamba_d_ssm");
    if (!has_mamba_fields) return;
    g.mamba.d_state = r.first_of({"ssm_state_size", "state_size", "mamba_d_state", "d_state"});
    if (g.mamba.d_state == 0) g.mamba.d_state = 128;
    g.mamba.n_groups = r.first_of({"n_groups", "mamba_n_groups", "ngroups"});
    if (g.mamba.n_groups == 0) g.mamba.n_groups = 1;
    g.mamba.conv_kernel = r.first_of({"conv_kernel", "mamba_d_conv", "d_conv"});
    if (g.mamba.conv_kernel == 0) g.mamba.conv_kernel = 4;
    i64 heads = r.first_of({"mamba_num_heads", "mamba_n_heads"});
    i64 head_dim = r.first_of({"mamba_head_dim", "mamba_d_head"});
    if (!fam.mamba_heads_key.empty() && heads == 0) heads = r.first_of({fam.mamba_heads_key.c_str()});
    if (!fam.mamba_head_dim_key.empty() && head_dim == 0) head_dim = r.first_of({fam.mamba_head_dim_key.c_str()});
    i64 expand = r.first_of({"expand", "mamba_expand"});
    if (r.has("mamba_d_ssm")) g.mamba.d_inner = r.positive("mamba_d_ssm");
    else if (!fam.mamba_inner_key.empty() && r.has(fam.mamba_inner_key.c_str())) g.mamba.d_inner = r.positive(fam.mamba_inner_key.c_str());
    else if (heads > 0 && head_dim > 0) g.mamba.d_inner = heads * head_dim;
    else g.mamba.d_inner = (expand > 0 ? expand : 2) * g.hidden;
    g.mamba.n_heads = heads > 0 ? heads : (head_dim > 0 ? g.mamba.d_inner / head_dim : 0);
    g.mamba.conv_bias = r.flag("use_conv_bias", r.flag("mamba_conv_bias", true));
    g.mamba.mamba1 = fam.mamba1;
    if (g.mamba.mamba1) {
        i64 dt = r.has_number("time_step_rank") ? r.positive("time_step_rank") : 0;
        if (dt == 0 && r.has_number("mamba_dt_rank")) dt = r.positive("mamba_dt_rank");
        g.mamba.dt_rank = dt > 0 ? dt : ceil_div(g.hidden, 16);
        g.mamba.out_norm = false;
    }
}

void read_mtp(const ConfigReader& r, ModelGeometry& g) {
    g.n_mtp_layers = static_cast<int>(r.opt("num_nextn_predict_layers", r.opt("mtp_num_hidden_layers", r.opt("num_mtp_modules", 0))));
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
    // Bounds that keep every byte count a 64-bit integer: a config outside them is rejected, not overflowed.
    // (The largest open models are near 1.1T parameters, 61 layers of hidden 7,168 and 384 experts.)
    auto bound = [&](i64 v, i64 max, const char* key) {
        if (v > max)
            fail("invalid_field", r.path(key),
                 r.path(key) + " = " + std::to_string(v) + " is beyond what any model uses (at most " + std::to_string(max) + ")");
    };
    bound(g.hidden, i64{1} << 17, "hidden_size");
    bound(g.vocab, i64{1} << 23, "vocab_size");
    bound(g.intermediate, i64{1} << 19, "intermediate_size");
    bound(g.n_heads, i64{1} << 12, "num_attention_heads");
    bound(g.head_dim, i64{1} << 14, "head_dim");
    bound(g.moe.n_experts, i64{1} << 11, "num_experts");
    bound(g.moe.expert_intermediate, i64{1} << 19, "moe_intermediate_size");
    bound(g.mla.kv_lora_rank, i64{1} << 14, "kv_lora_rank");
    bound(g.mla.q_lora_rank, i64{1} << 16, "q_lora_rank");
    bound(g.dsa.head_dim, i64{1} << 12, "index_head_dim");
    bound(g.dsa.n_heads, i64{1} << 10, "index_n_heads");
    bound(g.linear.n_value_heads * g.linear.value_head_dim, i64{1} << 18, "linear_num_value_heads");
    bound(g.mamba.d_inner, i64{1} << 18, "mamba_d_ssm");
    bound(g.mamba.d_state, i64{1} << 12, "ssm_state_size");
    bound(g.ple_dim * g.n_layers, i64{1} << 20, "hidden_size_per_layer_input");
}

}  // namespace fitmygpu::model
