// config.json -> ModelGeometry. Field names and per-family defaults follow the Hugging Face
// transformers configuration classes (LlamaConfig, Qwen2Config, Qwen3Config, Gemma2Config,
// Gemma3TextConfig, GptOssConfig, DeepseekV3Config, Qwen3NextConfig, NemotronHConfig, Mamba2Config, ...).
#include "fitmygpu/geometry.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "fitmygpu/error.hpp"
#include "model/config_reader.hpp"
#include "model/families.hpp"

namespace fitmygpu {

using nlohmann::json;
using model::ConfigReader;
using model::effective_text_config;
using model::FamilyTraits;
using model::LayerLayout;
using model::QkNorm;
using model::SharedExperts;

namespace {

// Generic ViT-style encoder size from a vision_config (SigLIP, CLIP, Qwen-VL style): per layer
// q/k/v/o with biases, two MLP matrices with biases, two LayerNorms; plus patch embedding, learned
// position embeddings, a final norm and a linear projector into the text hidden size. It is an
// estimate of the tower (exact per-family layouts differ by a few percent); the result says so.
VisionSpec estimate_vision(const json& vc, i64 text_hidden) {
    VisionSpec v;
    auto num = [&](std::initializer_list<const char*> keys, i64 fallback) -> i64 {
        for (const char* k : keys)
            if (vc.contains(k) && vc.at(k).is_number_integer()) return vc.at(k).get<i64>();
        return fallback;
    };
    i64 d = num({"hidden_size", "embed_dim", "width", "d_model"}, 0);
    i64 layers = num({"num_hidden_layers", "depth", "num_layers"}, 0);
    if (d <= 0 || layers <= 0) return v;
    i64 ffn = num({"intermediate_size", "mlp_dim"}, 4 * d);
    i64 patch = num({"patch_size"}, 14);
    i64 image = num({"image_size"}, 224);
    i64 channels = num({"num_channels", "in_channels", "in_chans"}, 3);
    i64 temporal = num({"temporal_patch_size"}, 1);
    i64 per_layer = 4 * d * d + 4 * d + 2 * d * ffn + ffn + d + 4 * d;
    i64 patches = (image / std::max<i64>(patch, 1)) * (image / std::max<i64>(patch, 1));
    i64 out_hidden = num({"out_hidden_size", "projection_dim"}, text_hidden);
    v.present = true;
    v.params = layers * per_layer + channels * temporal * patch * patch * d + d + patches * d + 2 * d + d * out_hidden + out_hidden;
    v.note = "estimated from vision_config (ViT layout: " + std::to_string(layers) + " layers of width " + std::to_string(d) + ")";
    return v;
}

Mixer mixer_from_layer_type(const std::string& t, const std::string& field) {
    if (t == "full_attention" || t == "attention" || t == "global" || t == "full") return Mixer::FullAttention;
    if (t == "sliding_attention" || t == "sliding_window" || t == "local" || t == "sliding") return Mixer::SlidingAttention;
    if (t == "chunked_attention") return Mixer::ChunkedAttention;
    if (t == "linear_attention") return Mixer::LinearAttention;
    if (t == "mamba" || t == "mamba2") return Mixer::Mamba;
    fail("invalid_field", field, field + " has an unknown layer type \"" + t + "\"");
}

}  // namespace

bool ModelGeometry::has(Mixer m) const {
    return std::any_of(layers.begin(), layers.end(), [m](const LayerSpec& l) { return l.mixer == m; });
}
int ModelGeometry::count(Mixer m) const {
    return static_cast<int>(std::count_if(layers.begin(), layers.end(), [m](const LayerSpec& l) { return l.mixer == m; }));
}

const char* mixer_name(Mixer m) {
    switch (m) {
        case Mixer::FullAttention: return "full attention";
        case Mixer::SlidingAttention: return "sliding-window attention";
        case Mixer::ChunkedAttention: return "chunked local attention";
        case Mixer::Mla: return "multi-head latent attention";
        case Mixer::LinearAttention: return "linear attention (Gated DeltaNet)";
        case Mixer::Mamba: return "Mamba SSM";
        case Mixer::None: return "none";
        case Mixer::CrossAttention: return "cross-attention (to the image encoder)";
    }
    return "?";
}

ModelGeometry parse_geometry(const json& config, const std::string& prefix) {
    if (!config.is_object()) fail("invalid_field", prefix, prefix + " must be a JSON object (a config.json)");
    const json text = effective_text_config(config);
    const std::string tprefix = config.contains("text_config") ? prefix + ".text_config" : prefix;
    ConfigReader r(text, tprefix);
    ConfigReader top(config, prefix);

    ModelGeometry g;
    g.model_type = top.str("model_type");
    const FamilyTraits& fam = model::family_of(r.str("model_type", g.model_type));
    if (config.contains("architectures") && config.at("architectures").is_array() && !config.at("architectures").empty() &&
        config.at("architectures").at(0).is_string())
        g.architecture = config.at("architectures").at(0).get<std::string>();
    g.dtype = r.str("torch_dtype", r.str("dtype", "bfloat16"));
    if (text.contains("rope_scaling") && text.at("rope_scaling").is_object()) {
        const json& rs = text.at("rope_scaling");
        if (rs.contains("rope_type") && rs.at("rope_type").is_string()) g.rope_type = rs.at("rope_type").get<std::string>();
        else if (rs.contains("type") && rs.at("type").is_string()) g.rope_type = rs.at("type").get<std::string>();
    }

    const bool mamba_only = fam.layout == LayerLayout::AllMamba;
    g.hidden = r.first_of({"hidden_size", "d_model", "n_embd", "model_dim"});
    if (g.hidden == 0) fail("missing_field", r.path("hidden_size"), r.path("hidden_size") + " is required");
    g.n_layers = r.first_of({"num_hidden_layers", "n_layer", "num_layers", "n_layers"});
    if (g.n_layers == 0) fail("missing_field", r.path("num_hidden_layers"), r.path("num_hidden_layers") + " is required");
    if (g.n_layers > 4096) fail("invalid_field", r.path("num_hidden_layers"), r.path("num_hidden_layers") + " is implausibly large");
    if (!r.has("vocab_size") && fam.vocab_size > 0) g.vocab = fam.vocab_size;
    else g.vocab = r.require("vocab_size");
    g.max_position_embeddings = r.first_of({"max_position_embeddings", "max_seq_len", "seq_length", "n_positions"});

    if (!mamba_only) {
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
    if (text.contains("intermediate_size") && text.at("intermediate_size").is_array()) {
        for (const auto& w : text.at("intermediate_size")) {
            if (!w.is_number_integer() || w.get<i64>() <= 0) fail("invalid_field", r.path("intermediate_size"), r.path("intermediate_size") + " entries must be positive whole numbers");
            widths_per_layer.push_back(w.get<i64>());
            g.intermediate = std::max(g.intermediate, w.get<i64>());
        }
    } else {
        g.intermediate = r.first_of({"intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim"});
    }

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

    // ---- mixture of experts ----
    g.moe.n_experts = r.first_scalar_of({"num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"});
    if (g.moe.n_experts > 0) {
        g.moe.n_experts_per_tok = r.first_scalar_of({"num_experts_per_tok", "experts_per_token", "moe_topk", "num_experts_per_token", "moe_k", "top_k_experts"});
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

    // ---- MLA ----
    if (r.has("kv_lora_rank")) {
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

    // ---- linear attention (Gated DeltaNet) ----
    if (text.contains("linear_attn_config") && text.at("linear_attn_config").is_object()) {
        // Kimi Linear: Kimi Delta Attention layers with their own head count and width and a short convolution.
        const json& lc = text.at("linear_attn_config");
        ConfigReader lr(lc, r.path("linear_attn_config"));
        g.linear.kind = LinearAttentionSpec::Kind::KimiDelta;
        g.linear.n_key_heads = g.linear.n_value_heads = lr.require("num_heads");
        g.linear.key_head_dim = g.linear.value_head_dim = lr.require("head_dim");
        g.linear.conv_kernel = lr.opt("short_conv_kernel_size", 4);
    } else if (text.contains("attn_type_list") && text.at("attn_type_list").is_array()) {
        // MiniMax-Text-01 / M1: lightning (linear) attention keeps one head_dim × head_dim state per head.
        g.linear.kind = LinearAttentionSpec::Kind::Lightning;
        g.linear.n_key_heads = g.linear.n_value_heads = g.n_heads;
        g.linear.key_head_dim = g.linear.value_head_dim = g.head_dim;
        g.linear.conv_kernel = 1;
    } else if (r.has("linear_num_value_heads")) {
        g.linear.n_key_heads = r.require("linear_num_key_heads");
        g.linear.n_value_heads = r.require("linear_num_value_heads");
        g.linear.key_head_dim = r.require("linear_key_head_dim");
        g.linear.value_head_dim = r.require("linear_value_head_dim");
        g.linear.conv_kernel = r.opt("linear_conv_kernel_dim", 4);
    }

    // ---- Mamba ----
    const bool has_mamba_fields = fam.mamba || r.has("mamba_num_heads") || r.has("ssm_state_size") || r.has("state_size") || r.has("mamba_d_ssm");
    if (has_mamba_fields) {
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
            i64 dt = r.has("time_step_rank") && r.raw().at("time_step_rank").is_number() ? r.positive("time_step_rank") : 0;
            if (dt == 0 && r.has("mamba_dt_rank") && r.raw().at("mamba_dt_rank").is_number()) dt = r.positive("mamba_dt_rank");
            g.mamba.dt_rank = dt > 0 ? dt : ceil_div(g.hidden, 16);
            g.mamba.out_norm = false;
        }
    }

    // ---- multi-token prediction layers shipped with the weights ----
    g.n_mtp_layers = static_cast<int>(r.opt("num_nextn_predict_layers", r.opt("mtp_num_hidden_layers", r.opt("num_mtp_modules", 0))));

    // ---- per-layer layout ----
    const i64 L = g.n_layers;
    std::vector<Mixer> mixers(static_cast<size_t>(L), g.mla.kv_lora_rank > 0 ? Mixer::Mla : Mixer::FullAttention);
    std::vector<Ffn> ffns(static_cast<size_t>(L), Ffn::Dense);
    i64 window = r.has("sliding_window") && r.raw().at("sliding_window").is_number() ? r.non_negative("sliding_window") : 0;

    if (text.contains("layer_types") && text.at("layer_types").is_array()) {
        const json& lt = text.at("layer_types");
        if (static_cast<i64>(lt.size()) != L)
            fail("invalid_field", r.path("layer_types"), r.path("layer_types") + " must list one entry per layer (" + std::to_string(L) + ")");
        for (i64 i = 0; i < L; ++i) {
            if (!lt.at(i).is_string()) fail("invalid_field", r.path("layer_types"), r.path("layer_types") + " entries must be strings");
            mixers[i] = mixer_from_layer_type(lt.at(i).get<std::string>(), r.path("layer_types"));
            if (mixers[i] == Mixer::FullAttention && g.mla.kv_lora_rank > 0) mixers[i] = Mixer::Mla;
        }
    } else if (r.has("layers_block_type") && r.raw().at("layers_block_type").is_array()) {
        const json& lt = r.raw().at("layers_block_type");
        if (static_cast<i64>(lt.size()) != L)
            fail("invalid_field", r.path("layers_block_type"), r.path("layers_block_type") + " must list one entry per layer");
        for (i64 i = 0; i < L; ++i) mixers[i] = mixer_from_layer_type(lt.at(i).get<std::string>(), r.path("layers_block_type"));
    } else if (g.linear.kind == LinearAttentionSpec::Kind::KimiDelta) {
        // linear_attn_config lists 1-based layer numbers; full_attn_layers use MLA (or plain attention).
        for (i64 i = 0; i < L; ++i) mixers[i] = Mixer::LinearAttention;
        for (const auto& n : text.at("linear_attn_config").value("full_attn_layers", json::array())) {
            const i64 idx = n.get<i64>() - 1;
            if (idx < 0 || idx >= L) fail("invalid_field", r.path("linear_attn_config.full_attn_layers"), "layer numbers must be within 1.." + std::to_string(L));
            mixers[idx] = g.mla.kv_lora_rank > 0 ? Mixer::Mla : Mixer::FullAttention;
        }
    } else if (g.linear.kind == LinearAttentionSpec::Kind::Lightning) {
        const json& at = text.at("attn_type_list");
        if (static_cast<i64>(at.size()) != L) fail("invalid_field", r.path("attn_type_list"), r.path("attn_type_list") + " must have one entry per layer");
        for (i64 i = 0; i < L; ++i) mixers[i] = at.at(i).get<int>() == 1 ? Mixer::FullAttention : Mixer::LinearAttention;
    } else if (fam.layout == LayerLayout::AlternatingSliding) {
        for (i64 i = 0; i < L; ++i) mixers[i] = (i % 2 == 0) ? Mixer::SlidingAttention : Mixer::FullAttention;
    } else if (fam.layout == LayerLayout::SlidingPattern || (window > 0 && r.has("sliding_window_pattern"))) {
        // Gemma 3 (default 6) and Cohere2 (Command R7B, 4): layer i is global when (i + 1) % pattern == 0.
        i64 pattern = r.opt("sliding_window_pattern", fam.layout == LayerLayout::SlidingPattern ? fam.period : 0);
        for (i64 i = 0; i < L; ++i) mixers[i] = (pattern > 0 && (i + 1) % pattern == 0) ? Mixer::FullAttention : Mixer::SlidingAttention;
    } else if (fam.layout == LayerLayout::FullAttentionInterval) {
        i64 interval = r.opt("full_attention_interval", fam.period);
        for (i64 i = 0; i < L; ++i) mixers[i] = (interval > 0 && (i + 1) % interval == 0) ? Mixer::FullAttention : Mixer::LinearAttention;
    } else if (fam.layout == LayerLayout::ChunkedLocal) {
        window = r.opt("attention_chunk_size", fam.chunk);
        if (text.contains("no_rope_layers") && text.at("no_rope_layers").is_array() && static_cast<i64>(text.at("no_rope_layers").size()) == L) {
            for (i64 i = 0; i < L; ++i) mixers[i] = text.at("no_rope_layers").at(i).get<int>() != 0 ? Mixer::ChunkedAttention : Mixer::FullAttention;
        } else {
            for (i64 i = 0; i < L; ++i) mixers[i] = ((i + 1) % fam.period == 0) ? Mixer::FullAttention : Mixer::ChunkedAttention;
        }
    } else if (fam.layout == LayerLayout::HybridPattern) {
        const std::string pat = r.str("hybrid_override_pattern");
        if (static_cast<i64>(pat.size()) != L)
            fail("invalid_field", r.path("hybrid_override_pattern"), r.path("hybrid_override_pattern") + " must have one character per layer");
        for (i64 i = 0; i < L; ++i) {
            char ch = pat[static_cast<size_t>(i)];
            if (ch == 'M') { mixers[i] = Mixer::Mamba; ffns[i] = Ffn::None; }
            else if (ch == '*') { mixers[i] = Mixer::FullAttention; ffns[i] = Ffn::None; }
            else if (ch == '-') { mixers[i] = Mixer::None; ffns[i] = Ffn::Dense; }
            else if (ch == 'E') { mixers[i] = Mixer::None; ffns[i] = Ffn::Moe; }
            else fail("invalid_field", r.path("hybrid_override_pattern"), "unknown layer code '" + std::string(1, ch) + "' in " + r.path("hybrid_override_pattern"));
        }
    } else if (mamba_only) {
        for (i64 i = 0; i < L; ++i) { mixers[i] = Mixer::Mamba; ffns[i] = Ffn::None; }
    } else if (fam.layout == LayerLayout::PeriodicAttention) {
        i64 period = r.opt("attn_layer_period", fam.period), offset = r.opt("attn_layer_offset", fam.offset);
        for (i64 i = 0; i < L; ++i) mixers[i] = (period > 0 && i % period == offset) ? Mixer::FullAttention : Mixer::Mamba;
    } else if (window > 0) {
        // Mistral-style: sliding_window applies to every layer. Qwen2-style configs carry a window that is
        // only used when use_sliding_window is true, and then only for layers >= max_window_layers.
        const bool qwen_style = r.has("use_sliding_window");
        if (qwen_style && !r.flag("use_sliding_window", false)) {
            window = 0;
        } else {
            i64 first_swa = qwen_style ? r.opt("max_window_layers", 0) : 0;
            for (i64 i = first_swa; i < L; ++i) mixers[i] = Mixer::SlidingAttention;
        }
    }

    // Llama 3.2 Vision (mllama): cross-attention layers interleaved with the self-attention ones; they attend to
    // the vision encoder's states (tiles × (patches + 1) per image) and the embedding table has 8 extra rows.
    if (text.contains("cross_attention_layers") && text.at("cross_attention_layers").is_array()) {
        for (const auto& v : text.at("cross_attention_layers")) {
            if (!v.is_number_integer() || v.get<i64>() < 0 || v.get<i64>() >= L)
                fail("invalid_field", r.path("cross_attention_layers"), r.path("cross_attention_layers") + " entries must be layer indices below " + std::to_string(L));
            mixers[static_cast<size_t>(v.get<i64>())] = Mixer::CrossAttention;
        }
        g.embd_extra_rows = 8;
        if (config.contains("vision_config") && config.at("vision_config").is_object()) {
            const json& vc = config.at("vision_config");
            const i64 image = vc.value("image_size", i64{0}), patch = vc.value("patch_size", i64{0}), tiles = vc.value("max_num_tiles", i64{1});
            if (image > 0 && patch > 0 && image <= 100000 && patch <= image && tiles > 0 && tiles <= 64)
                g.encoder_tokens_per_image = tiles * ((image / patch) * (image / patch) + 1);
        }
    }

    // Falcon-H1 runs attention and an SSM side by side in every layer.
    const bool parallel_mamba = fam.parallel_mamba;

    // MoE layer placement.
    if (g.is_moe()) {
        const i64 dense_first = r.opt("first_k_dense_replace", 0);
        const i64 step = r.opt("decoder_sparse_step", 1);
        const i64 interleave = r.opt("interleave_moe_layer_step", 1);
        std::vector<i64> mlp_only;
        if (text.contains("mlp_only_layers") && text.at("mlp_only_layers").is_array())
            for (const auto& v : text.at("mlp_only_layers")) mlp_only.push_back(v.get<i64>());
        const i64 moe_start = r.opt("moe_layer_start_index", 0);
        const i64 moe_end = r.has("moe_layer_end_index") ? r.non_negative("moe_layer_end_index") : L - 1;
        const i64 moe_interval = std::max<i64>(1, r.opt("moe_layer_interval", 1));
        i64 moe_freq = 1;
        if (r.has("moe_layer_freq") && r.raw().at("moe_layer_freq").is_number()) moe_freq = r.positive("moe_layer_freq");
        for (i64 i = 0; i < L; ++i) {
            if (fam.layout == LayerLayout::HybridPattern) continue;  // set by the pattern
            bool moe = i >= dense_first;
            if (step > 1) moe = moe && ((i + 1) % step == 0);
            if (interleave > 1) moe = moe && ((i + 1) % interleave == 0);
            if (moe_freq > 1) moe = moe && (i % moe_freq == 0);
            if (r.has("expert_layer_period")) {  // Jamba: experts every expert_layer_period layers from the offset
                const i64 period = std::max<i64>(1, r.positive("expert_layer_period"));
                moe = moe && (i % period == r.opt("expert_layer_offset", 0));
            }
            if (std::find(mlp_only.begin(), mlp_only.end(), i) != mlp_only.end()) moe = false;
            if (i < moe_start || i > moe_end || (i - moe_start) % moe_interval != 0) moe = false;
            ffns[i] = moe ? Ffn::Moe : Ffn::Dense;
        }
    }

    const bool per_layer_ffn = text.contains("block_configs");
    if (!per_layer_ffn && std::any_of(ffns.begin(), ffns.end(), [](Ffn f) { return f == Ffn::Dense; }) && g.intermediate == 0)
        fail("missing_field", r.path("intermediate_size"), r.path("intermediate_size") + " is required");
    if (std::any_of(mixers.begin(), mixers.end(), [](Mixer m) { return m == Mixer::LinearAttention; }) && g.linear.n_value_heads == 0)
        fail("missing_field", r.path("linear_num_value_heads"), "linear-attention layers need " + r.path("linear_num_value_heads"));

    // Llama 4 interleaves dense layers of a larger width (intermediate_size_mlp) with MoE layers.
    const i64 dense_width = !fam.dense_width_key.empty() && r.has(fam.dense_width_key.c_str()) ? r.positive(fam.dense_width_key.c_str()) : g.intermediate;

    g.layers.resize(static_cast<size_t>(L));
    for (i64 i = 0; i < L; ++i) {
        LayerSpec& l = g.layers[static_cast<size_t>(i)];
        l.mixer = mixers[static_cast<size_t>(i)];
        l.ffn = ffns[static_cast<size_t>(i)];
        l.ffn_intermediate = l.ffn == Ffn::Dense ? dense_width : 0;
        l.n_heads = g.n_heads;
        l.n_kv_heads = g.n_kv_heads;
        l.head_dim_k = g.head_dim;
        l.head_dim_v = g.head_dim;
        l.parallel_mamba = parallel_mamba;
        if (l.mixer == Mixer::SlidingAttention || l.mixer == Mixer::ChunkedAttention) {
            if (window <= 0) fail("missing_field", r.path("sliding_window"), "sliding-window layers need " + r.path("sliding_window"));
            l.window = window;
            // A window as long as every position the model takes (Phi-3.5's 262,144 over 131,072) never slides.
            if (g.max_position_embeddings > 0 && window >= g.max_position_embeddings) {
                l.mixer = Mixer::FullAttention;
                l.window = 0;
            }
        }
        if (l.mixer == Mixer::Mla) {
            l.n_kv_heads = 1;  // one latent "head" per token
            l.head_dim_k = g.mla.kv_lora_rank + g.mla.qk_rope_head_dim;
            l.head_dim_v = 0;  // V is decompressed from the same latent
        }
    }
    // Gemma 3n / Gemma 4: global layers with their own head width and KV-head count, V tied to K, the last
    // num_kv_shared_layers layers reusing the KV of the last earlier layer of the same kind (and, with
    // use_double_wide_mlp, an MLP twice as wide), per-layer input embeddings, AltUp and LAuReL (3n), and a
    // MoE block beside the dense MLP (Gemma 4 26B-A4B).
    if (fam.gemma_layer_extras) {
        const i64 global_hd = r.opt("global_head_dim", 0);
        const i64 global_kv = r.opt("num_global_key_value_heads", 0);
        const bool k_eq_v = r.flag("attention_k_eq_v", false);
        const i64 shared = std::min<i64>(r.opt("num_kv_shared_layers", 0), L);
        const i64 first_shared = L - shared;
        const bool double_wide = r.flag("use_double_wide_mlp", false);
        for (i64 i = 0; i < L; ++i) {
            LayerSpec& l = g.layers[static_cast<size_t>(i)];
            if (i < static_cast<i64>(widths_per_layer.size())) l.ffn_intermediate = widths_per_layer[static_cast<size_t>(i)];
            if (l.mixer == Mixer::FullAttention) {
                if (global_hd > 0) l.head_dim_k = l.head_dim_v = global_hd;
                if (global_kv > 0) l.n_kv_heads = global_kv;
                l.v_from_k = k_eq_v;
            }
            if (i >= first_shared) {
                for (i64 j = first_shared - 1; j >= 0; --j)
                    if (g.layers[static_cast<size_t>(j)].mixer == l.mixer) {
                        l.kv_source = static_cast<int>(j);
                        break;
                    }
                if (double_wide) l.ffn_intermediate *= 2;
            }
            if (g.is_moe()) l.ffn_intermediate = g.intermediate;  // the dense MLP runs beside the experts
        }
        g.ple_dim = r.opt("hidden_size_per_layer_input", 0);
        g.ple_vocab = g.ple_dim > 0 ? r.opt("vocab_size_per_layer_input", g.vocab) : 0;
        if (fam.altup_inputs > 0) g.altup_inputs = r.opt("altup_num_inputs", fam.altup_inputs);
        if (fam.laurel_rank > 0) g.laurel_rank = r.opt("laurel_rank", fam.laurel_rank);
    }

    // Nemotron-NAS (DeciLM): per-layer block_configs chosen by neural architecture search — attention
    // with its own KV-head count, removed, or replaced by a linear; FFN width = ffn_mult × 2/3 × hidden
    // rounded up to 256 (DeciLM _ffn_mult_to_intermediate_size), removed, or replaced by a linear.
    if (text.contains("block_configs") && text.at("block_configs").is_array()) {
        const json& bc = text.at("block_configs");
        if (static_cast<i64>(bc.size()) != L) fail("invalid_field", r.path("block_configs"), r.path("block_configs") + " must have one entry per layer");
        for (i64 i = 0; i < L; ++i) {
            LayerSpec& l = g.layers[static_cast<size_t>(i)];
            const json& a = bc.at(i).value("attention", json::object());
            const json& f = bc.at(i).value("ffn", json::object());
            if (a.value("no_op", false)) l.mixer = Mixer::None;
            else if (a.value("replace_with_linear", false)) { l.mixer = Mixer::None; l.attn_linear = true; }
            else {
                const i64 group = a.contains("n_heads_in_group") && a.at("n_heads_in_group").is_number() ? a.at("n_heads_in_group").get<i64>() : 1;
                if (group <= 0 || g.n_heads % group != 0)
                    fail("invalid_field", r.path("block_configs") + "[" + std::to_string(i) + "].attention.n_heads_in_group", "n_heads_in_group must divide the head count");
                l.n_kv_heads = g.n_heads / group;
            }
            if (f.value("no_op", false)) { l.ffn = Ffn::None; l.ffn_intermediate = 0; }
            else if (f.value("replace_with_linear", false)) { l.ffn = Ffn::None; l.ffn_intermediate = 0; l.ffn_linear = true; }
            else {
                const double mult = f.contains("ffn_mult") && f.at("ffn_mult").is_number() ? f.at("ffn_mult").get<double>() : 0.0;
                if (!(mult > 0)) fail("invalid_field", r.path("block_configs") + "[" + std::to_string(i) + "].ffn.ffn_mult", "ffn_mult must be positive");
                l.ffn = Ffn::Dense;
                l.ffn_intermediate = round_up(static_cast<i64>(2.0 * mult * static_cast<double>(g.hidden) / 3.0), 256);
            }
        }
        g.n_kv_heads = 0;
        for (const auto& l : g.layers) g.n_kv_heads = std::max(g.n_kv_heads, l.mixer == Mixer::None ? 0 : l.n_kv_heads);
    }

    // Bounds that keep every byte count a 64-bit integer: a config outside them is rejected, not overflowed.
    // (The largest open models are near 1.1T parameters, 61 layers of hidden 7,168 and 384 experts.)
    auto bound = [&](i64 v, i64 max, const char* key) {
        if (v > max) fail("invalid_field", r.path(key), r.path(key) + " = " + std::to_string(v) + " is beyond what any model uses (at most " + std::to_string(max) + ")");
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

    // Vision / audio towers.
    if (config.contains("vision_config") && config.at("vision_config").is_object())
        g.vision = estimate_vision(config.at("vision_config"), g.hidden);

    return g;
}

}  // namespace fitmygpu
