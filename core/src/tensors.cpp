// Geometry -> tensor inventory. One function per block type; tensor names follow llama.cpp's GGUF
// naming (src/llama-arch.cpp LLM_TENSOR_NAMES) so the GGUF recipes can match on them, shapes follow the
// Hugging Face modules they stand for (modeling_llama.py, modeling_qwen3_moe.py, modeling_gpt_oss.py,
// modeling_deepseek_v3.py, modeling_qwen3_next.py, modeling_mamba2.py, modeling_nemotron_h.py).
#include "fitmygpu/tensors.hpp"

#include <numeric>

#include "fitmygpu/checked.hpp"

namespace fitmygpu {

namespace {

// ne0 × ne1 × ne2 of a tensor about to be added, refused (naming the config) when it is negative or beyond the bound.
void check_shape(const std::string& name, i64 ne0, i64 ne1, i64 ne2) {
    const auto refuse = [&] {
        fail("out_of_range", "config",
             "tensor " + name + " would be " + std::to_string(ne0) + " × " + std::to_string(ne1) + " × " + std::to_string(ne2) +
                 " elements; the config's sizes multiply beyond any model (at most " + std::to_string(kMaxTensorElements) + " per tensor)");
    };
    if (ne0 < 0 || ne1 < 0 || ne2 < 0) refuse();
    i64 n;
    if (__builtin_mul_overflow(ne0, ne1, &n) || __builtin_mul_overflow(n, ne2, &n) || n > kMaxTensorElements) refuse();
}

// Widths computed from config sizes before they become a tensor's shape (e.g. heads × head_dim), refused when the
// product is beyond any tensor.
i64 width(i64 a, i64 b) {
    i64 n;
    if (__builtin_mul_overflow(a, b, &n) || n > kMaxTensorElements || n < 0)
        fail("out_of_range", "config", "a width of " + std::to_string(a) + " × " + std::to_string(b) + " is beyond any model");
    return n;
}
i64 width(i64 a, i64 b, i64 c) { return width(width(a, b), c); }

class Builder {
public:
    explicit Builder(Inventory& inv) : inv_(inv) {}

    void matrix(const std::string& name, Role role, int layer, i64 in, i64 out, i64 experts = 1) {
        check_shape(name + ".weight", in, out, experts);
        inv_.tensors.push_back({name + ".weight", role, TensorKind::Matrix, layer, in, out, experts});
    }
    void vector(const std::string& name, Role role, int layer, i64 n, i64 experts = 1) {
        check_shape(name + ".weight", n, experts, 1);
        inv_.tensors.push_back({name + ".weight", role, TensorKind::Vector, layer, n, experts, 1});
    }
    void bias(const std::string& name, Role role, int layer, i64 n, i64 experts = 1) {
        check_shape(name + ".bias", n, experts, 1);
        inv_.tensors.push_back({name + ".bias", role, TensorKind::Bias, layer, n, experts, 1});
    }

private:
    Inventory& inv_;
};

std::string blk(int i, const char* what) { return "blk." + std::to_string(i) + "." + what; }

bool starts_with_gemma4(const ModelGeometry& g) { return g.model_type.rfind("gemma4", 0) == 0; }

void add_attention(Builder& b, const ModelGeometry& g, const LayerSpec& l, int i) {
    const i64 q_out = width(l.n_heads, l.head_dim_k);
    const i64 kv_out = width(l.n_kv_heads, l.head_dim_k);
    const i64 v_out = width(l.n_kv_heads, l.head_dim_v);
    const i64 o_in = width(l.n_heads, l.head_dim_v);
    b.matrix(blk(i, "attn_q"), Role::AttnQ, i, g.hidden, g.attn_output_gate ? 2 * q_out : q_out);
    b.matrix(blk(i, "attn_k"), Role::AttnK, i, g.hidden, kv_out);
    if (!l.v_from_k) b.matrix(blk(i, "attn_v"), Role::AttnV, i, g.hidden, v_out);
    b.matrix(blk(i, "attn_output"), Role::AttnOut, i, o_in, g.hidden);
    if (g.qkv_bias) {
        b.bias(blk(i, "attn_q"), Role::AttnQ, i, q_out);
        b.bias(blk(i, "attn_k"), Role::AttnK, i, kv_out);
        if (!l.v_from_k) b.bias(blk(i, "attn_v"), Role::AttnV, i, v_out);
    }
    if (g.o_bias) b.bias(blk(i, "attn_output"), Role::AttnOut, i, g.hidden);
    if (g.qk_norm) {
        b.vector(blk(i, "attn_q_norm"), Role::AttnQNorm, i, g.qk_norm_full_width ? q_out : l.head_dim_k);
        b.vector(blk(i, "attn_k_norm"), Role::AttnKNorm, i, g.qk_norm_full_width ? kv_out : l.head_dim_k);
    }
    if (g.attention_sinks) b.vector(blk(i, "attn_sinks"), Role::AttnSinks, i, l.n_heads);
}

void add_mla(Builder& b, const ModelGeometry& g, const LayerSpec& l, int i) {
    const MlaSpec& m = g.mla;
    const i64 qk_head = m.qk_nope_head_dim + m.qk_rope_head_dim;
    if (m.q_lora_rank > 0) {
        b.matrix(blk(i, "attn_q_a"), Role::AttnQA, i, g.hidden, m.q_lora_rank);
        b.vector(blk(i, "attn_q_a_norm"), Role::AttnQANorm, i, m.q_lora_rank);
        b.matrix(blk(i, "attn_q_b"), Role::AttnQB, i, m.q_lora_rank, width(l.n_heads, qk_head));
    } else {
        b.matrix(blk(i, "attn_q"), Role::AttnQ, i, g.hidden, width(l.n_heads, qk_head));
    }
    b.matrix(blk(i, "attn_kv_a_mqa"), Role::AttnKVA, i, g.hidden, m.kv_lora_rank + m.qk_rope_head_dim);
    b.vector(blk(i, "attn_kv_a_norm"), Role::AttnKVANorm, i, m.kv_lora_rank);
    b.matrix(blk(i, "attn_kv_b"), Role::AttnKVB, i, m.kv_lora_rank, width(l.n_heads, m.qk_nope_head_dim + m.v_head_dim));
    b.matrix(blk(i, "attn_output"), Role::AttnOut, i, width(l.n_heads, m.v_head_dim), g.hidden);
    if (g.dsa.head_dim > 0) {
        // The lightning indexer (DeepSeek-V3.2; GGUF names of llama.cpp's deepseek32): queries from the q latent,
        // one key per token from the hidden state with a LayerNorm, and per-head weights from the hidden state.
        const DsaSpec& d = g.dsa;
        b.matrix(blk(i, "indexer.attn_q_b"), Role::Indexer, i, m.q_lora_rank > 0 ? m.q_lora_rank : g.hidden, width(d.n_heads, d.head_dim));
        b.matrix(blk(i, "indexer.attn_k"), Role::Indexer, i, g.hidden, d.head_dim);
        b.vector(blk(i, "indexer.k_norm"), Role::Indexer, i, d.head_dim);
        b.bias(blk(i, "indexer.k_norm"), Role::Indexer, i, d.head_dim);
        b.matrix(blk(i, "indexer.proj"), Role::Indexer, i, g.hidden, d.n_heads);
    }
}

// Gated DeltaNet as in Qwen3-Next (in_proj_qkvz, in_proj_ba, depthwise conv over q/k/v, per-head
// dt bias and A, gated RMSNorm over the value head width, out_proj).
void add_linear_attention(Builder& b, const ModelGeometry& g, int i) {
    const LinearAttentionSpec& s = g.linear;
    if (s.kind == LinearAttentionSpec::Kind::KimiDelta) {
        // Kimi Delta Attention (modeling_kimi.py KimiDeltaAttention): q/k/v projections each with a depthwise
        // short conv, low-rank forget-gate (f_a, f_b) and output-gate (g_a, g_b) projections, beta projection,
        // per-head A and dt bias, a per-head-width output norm and o_proj.
        const i64 w = width(s.n_value_heads, s.value_head_dim);
        for (const char* n : {"attn_q", "attn_k", "attn_v"}) b.matrix(blk(i, n), Role::SsmIn, i, g.hidden, w);
        for (const char* n : {"ssm_conv1d_q", "ssm_conv1d_k", "ssm_conv1d_v"}) b.vector(blk(i, n), Role::SsmConv1d, i, s.conv_kernel, w);
        b.matrix(blk(i, "ssm_f_a"), Role::SsmX, i, g.hidden, s.value_head_dim);
        b.matrix(blk(i, "ssm_f_b"), Role::SsmX, i, s.value_head_dim, w);
        b.matrix(blk(i, "ssm_g_a"), Role::SsmX, i, g.hidden, s.value_head_dim);
        b.matrix(blk(i, "ssm_g_b"), Role::SsmX, i, s.value_head_dim, w);
        b.matrix(blk(i, "ssm_beta"), Role::SsmX, i, g.hidden, s.n_value_heads);
        b.vector(blk(i, "ssm_a"), Role::SsmA, i, s.n_value_heads);
        b.vector(blk(i, "ssm_dt"), Role::SsmDt, i, w);
        b.vector(blk(i, "ssm_norm"), Role::SsmNorm, i, s.value_head_dim);
        b.matrix(blk(i, "ssm_out"), Role::SsmOut, i, w, g.hidden);
        return;
    }
    if (s.kind == LinearAttentionSpec::Kind::Lightning) {
        // MiniMax lightning attention: fused q/k/v, an output gate, a norm over the heads' width and out_proj.
        const i64 w = width(s.n_value_heads, s.value_head_dim);
        b.matrix(blk(i, "attn_qkv"), Role::SsmIn, i, g.hidden, 3 * w);
        b.matrix(blk(i, "attn_gate"), Role::SsmX, i, g.hidden, w);
        b.vector(blk(i, "ssm_norm"), Role::SsmNorm, i, w);
        b.matrix(blk(i, "ssm_out"), Role::SsmOut, i, w, g.hidden);
        return;
    }
    const i64 key_dim = width(s.n_key_heads, s.key_head_dim);
    const i64 value_dim = width(s.n_value_heads, s.value_head_dim);
    const i64 conv_dim = 2 * key_dim + value_dim;
    b.matrix(blk(i, "ssm_in"), Role::SsmIn, i, g.hidden, 2 * key_dim + 2 * value_dim);
    b.matrix(blk(i, "ssm_ba"), Role::SsmX, i, g.hidden, 2 * s.n_value_heads);
    b.vector(blk(i, "ssm_conv1d"), Role::SsmConv1d, i, s.conv_kernel, conv_dim);
    b.vector(blk(i, "ssm_dt"), Role::SsmDt, i, s.n_value_heads);
    b.vector(blk(i, "ssm_a"), Role::SsmA, i, s.n_value_heads);
    b.vector(blk(i, "ssm_norm"), Role::SsmNorm, i, s.value_head_dim);
    b.matrix(blk(i, "ssm_out"), Role::SsmOut, i, value_dim, g.hidden);
}

void add_mamba(Builder& b, const ModelGeometry& g, int i) {
    const MambaSpec& m = g.mamba;
    if (m.mamba1) {
        b.matrix(blk(i, "ssm_in"), Role::SsmIn, i, g.hidden, 2 * m.d_inner);
        b.vector(blk(i, "ssm_conv1d"), Role::SsmConv1d, i, m.conv_kernel, m.d_inner);
        if (m.conv_bias) b.bias(blk(i, "ssm_conv1d"), Role::SsmConv1d, i, m.d_inner);
        b.matrix(blk(i, "ssm_x"), Role::SsmX, i, m.d_inner, m.dt_rank + 2 * m.d_state);
        b.matrix(blk(i, "ssm_dt"), Role::SsmDt, i, m.dt_rank, m.d_inner);
        b.bias(blk(i, "ssm_dt"), Role::SsmDt, i, m.d_inner);
        b.vector(blk(i, "ssm_a"), Role::SsmA, i, m.d_state, m.d_inner);
        b.vector(blk(i, "ssm_d"), Role::SsmD, i, m.d_inner);
        b.matrix(blk(i, "ssm_out"), Role::SsmOut, i, m.d_inner, g.hidden);
        return;
    }
    const i64 bc = width(2, m.n_groups, m.d_state);  // B and C
    const i64 conv_dim = m.d_inner + bc;
    b.matrix(blk(i, "ssm_in"), Role::SsmIn, i, g.hidden, 2 * m.d_inner + bc + m.n_heads);
    b.vector(blk(i, "ssm_conv1d"), Role::SsmConv1d, i, m.conv_kernel, conv_dim);
    if (m.conv_bias) b.bias(blk(i, "ssm_conv1d"), Role::SsmConv1d, i, conv_dim);
    b.vector(blk(i, "ssm_dt"), Role::SsmDt, i, m.n_heads);
    b.vector(blk(i, "ssm_a"), Role::SsmA, i, m.n_heads);
    b.vector(blk(i, "ssm_d"), Role::SsmD, i, m.n_heads);
    if (m.out_norm) b.vector(blk(i, "ssm_norm"), Role::SsmNorm, i, m.d_inner);
    b.matrix(blk(i, "ssm_out"), Role::SsmOut, i, m.d_inner, g.hidden);
}

void add_dense_ffn(Builder& b, const ModelGeometry& g, i64 width, int i) {
    const bool gated = g.ffn_gated;
    if (gated) b.matrix(blk(i, "ffn_gate"), Role::FfnGate, i, g.hidden, width);
    b.matrix(blk(i, "ffn_up"), Role::FfnUp, i, g.hidden, width);
    b.matrix(blk(i, "ffn_down"), Role::FfnDown, i, width, g.hidden);
    if (g.mlp_bias) {
        if (gated) b.bias(blk(i, "ffn_gate"), Role::FfnGate, i, width);
        b.bias(blk(i, "ffn_up"), Role::FfnUp, i, width);
        b.bias(blk(i, "ffn_down"), Role::FfnDown, i, g.hidden);
    }
}

void add_moe_ffn(Builder& b, const ModelGeometry& g, int i) {
    const MoeSpec& m = g.moe;
    const i64 E = m.n_experts, I = m.expert_intermediate;
    b.matrix(blk(i, "ffn_gate_inp"), Role::FfnGateInp, i, g.hidden, E);
    if (m.router_bias) b.bias(blk(i, "ffn_gate_inp"), Role::FfnGateInp, i, E);
    if (m.score_correction_bias) b.bias(blk(i, "exp_probs_b"), Role::FfnExpProbsBias, i, E);
    if (m.gated) b.matrix(blk(i, "ffn_gate_exps"), Role::FfnGateExps, i, g.hidden, I, E);
    b.matrix(blk(i, "ffn_up_exps"), Role::FfnUpExps, i, g.hidden, I, E);
    b.matrix(blk(i, "ffn_down_exps"), Role::FfnDownExps, i, I, g.hidden, E);
    if (m.expert_bias) {
        if (m.gated) b.bias(blk(i, "ffn_gate_exps"), Role::FfnGateExps, i, I, E);
        b.bias(blk(i, "ffn_up_exps"), Role::FfnUpExps, i, I, E);
        b.bias(blk(i, "ffn_down_exps"), Role::FfnDownExps, i, g.hidden, E);
    }
    if (m.n_shared_experts > 0) {
        const i64 S = width(m.n_shared_experts, m.shared_intermediate);
        if (m.gated) b.matrix(blk(i, "ffn_gate_shexp"), Role::FfnGateShexp, i, g.hidden, S);
        b.matrix(blk(i, "ffn_up_shexp"), Role::FfnUpShexp, i, g.hidden, S);
        b.matrix(blk(i, "ffn_down_shexp"), Role::FfnDownShexp, i, S, g.hidden);
        if (m.shared_expert_gate) b.matrix(blk(i, "ffn_gate_inp_shexp"), Role::FfnGateInpShexp, i, g.hidden, 1);
    }
}

void add_norm(Builder& b, const ModelGeometry& g, const char* what, Role role, int i) {
    b.vector(blk(i, what), role, i, g.hidden);
    if (g.norm_has_bias) b.bias(blk(i, what), role, i, g.hidden);
}

}  // namespace

Inventory build_inventory(const ModelGeometry& g, bool with_extras) {
    Inventory inv;
    // A layer holds at most a few dozen tensors (Gemma 3n's: about 30): one allocation instead of a dozen regrowths.
    inv.tensors.reserve(g.layers.size() * 32 + 16);
    Builder b(inv);
    b.matrix("token_embd", Role::TokenEmbd, -1, g.hidden, g.vocab + g.embd_extra_rows);

    for (int i = 0; i < static_cast<int>(g.layers.size()); ++i) {
        const LayerSpec& l = g.layers[static_cast<size_t>(i)];
        // Norms: one per sub-block that exists (Nemotron-H blocks hold a single mixer or FFN and one norm;
        // Nemotron-NAS layers may drop either sub-block; Cohere shares one norm for both).
        const bool has_mixer = l.mixer != Mixer::None || l.attn_linear || l.parallel_mamba;
        const bool has_ffn = l.ffn != Ffn::None || l.ffn_linear;
        if (g.model_type == "nemotron_h" || (has_mixer && !has_ffn) || (!has_mixer && has_ffn)) {
            add_norm(b, g, has_mixer ? "attn_norm" : "ffn_norm", has_mixer ? Role::AttnNorm : Role::FfnNorm, i);
        } else if (has_mixer) {
            add_norm(b, g, "attn_norm", Role::AttnNorm, i);
            if (g.norms_per_layer >= 2) add_norm(b, g, "ffn_norm", Role::FfnNorm, i);
            if (g.norms_per_layer >= 4) {
                add_norm(b, g, "post_attention_norm", Role::AttnPostNorm, i);
                add_norm(b, g, "post_ffw_norm", Role::FfnPostNorm, i);
            }
        }
        if (l.attn_linear) b.matrix(blk(i, "attn_linear"), Role::AttnOut, i, g.hidden, g.hidden);
        if (l.ffn_linear) b.matrix(blk(i, "ffn_linear"), Role::FfnDown, i, g.hidden, g.hidden);
        switch (l.mixer) {
            case Mixer::FullAttention:
            case Mixer::SlidingAttention:
            case Mixer::ChunkedAttention: add_attention(b, g, l, i); break;
            case Mixer::Mla: add_mla(b, g, l, i); break;
            case Mixer::CrossAttention: {
                // Llama 3.2 Vision cross-attention: q from the text, k and v from the projected image states (hidden
                // wide), per-head q/k RMSNorms, and tanh gates on the attention and MLP outputs (one value each).
                b.matrix(blk(i, "cross_attn_q_proj"), Role::AttnQ, i, g.hidden, width(l.n_heads, l.head_dim_k));
                b.matrix(blk(i, "cross_attn_k_proj"), Role::AttnK, i, g.hidden, width(l.n_kv_heads, l.head_dim_k));
                b.matrix(blk(i, "cross_attn_v_proj"), Role::AttnV, i, g.hidden, width(l.n_kv_heads, l.head_dim_v));
                b.matrix(blk(i, "cross_attn_o_proj"), Role::AttnOut, i, width(l.n_heads, l.head_dim_v), g.hidden);
                b.vector(blk(i, "cross_attn_q_norm"), Role::AttnQNorm, i, l.head_dim_k);
                b.vector(blk(i, "cross_attn_k_norm"), Role::AttnKNorm, i, l.head_dim_k);
                b.vector(blk(i, "cross_attn_attn_gate"), Role::Aux, i, 1);
                b.vector(blk(i, "cross_attn_mlp_gate"), Role::Aux, i, 1);
                break;
            }
            case Mixer::LinearAttention: add_linear_attention(b, g, i); break;
            case Mixer::Mamba: add_mamba(b, g, i); break;
            case Mixer::None: break;
        }
        if (l.parallel_mamba) add_mamba(b, g, i);
        if (l.ffn == Ffn::Dense) add_dense_ffn(b, g, l.ffn_intermediate, i);
        else if (l.ffn == Ffn::Moe) {
            add_moe_ffn(b, g, i);
            if (l.ffn_intermediate > 0) {  // Gemma 4: a dense MLP beside the experts, with its own norms
                add_dense_ffn(b, g, l.ffn_intermediate, i);
                add_norm(b, g, "pre_ffw_norm_2", Role::FfnNorm, i);
                add_norm(b, g, "post_ffw_norm_2", Role::FfnPostNorm, i);
            }
        }
        if (starts_with_gemma4(g)) b.vector(blk(i, "layer_output_scale"), Role::Aux, i, 1);  // Gemma 4 layer_scalar [1]
        if (g.ple_dim > 0) {
            b.matrix(blk(i, "inp_gate"), Role::Aux, i, g.hidden, g.ple_dim);
            b.matrix(blk(i, "proj"), Role::Aux, i, g.ple_dim, g.hidden);
            add_norm(b, g, "post_norm", Role::AttnPostNorm, i);
        }
        if (g.altup_inputs > 0) {
            const i64 n = g.altup_inputs;
            b.matrix(blk(i, "altup_correct_coef"), Role::Aux, i, n, n);
            b.matrix(blk(i, "altup_predict_coef"), Role::Aux, i, n, width(n, n));
            b.matrix(blk(i, "altup_router"), Role::Aux, i, g.hidden, n);
            add_norm(b, g, "altup_router_norm", Role::AttnNorm, i);
            b.vector(blk(i, "altup_correct_scale"), Role::Aux, i, g.hidden);
        }
        if (g.laurel_rank > 0) {
            b.matrix(blk(i, "laurel_l"), Role::Aux, i, g.hidden, g.laurel_rank);
            b.matrix(blk(i, "laurel_r"), Role::Aux, i, g.laurel_rank, g.hidden);
            add_norm(b, g, "laurel_post_norm", Role::AttnPostNorm, i);
        }
    }

    if (g.ple_dim > 0) {
        const i64 ple_width = width(g.ple_dim, static_cast<i64>(g.layers.size()));
        b.matrix("per_layer_token_embd", Role::PerLayerEmbd, -1, ple_width, g.ple_vocab);
        b.matrix("per_layer_model_proj", Role::Aux, -1, g.hidden, ple_width);
        b.vector("per_layer_proj_norm", Role::OutputNorm, -1, g.ple_dim);
    }
    if (g.altup_inputs > 1) {
        b.matrix("altup_proj", Role::Aux, -1, g.hidden, g.hidden, g.altup_inputs - 1);
        b.matrix("altup_unembd_proj", Role::Aux, -1, g.hidden, g.hidden, g.altup_inputs - 1);
    }
    b.vector("output_norm", Role::OutputNorm, -1, g.hidden);
    if (g.norm_has_bias) b.bias("output_norm", Role::OutputNorm, -1, g.hidden);
    if (!g.tied_embeddings) b.matrix("output", Role::Output, -1, g.hidden, g.vocab);

    if (with_extras) {
        if (g.vision.present && g.vision.params > 0) b.vector("vision_tower", Role::Vision, -1, g.vision.params);
        if (g.n_mtp_layers > 0) {
            // One extra decoder layer per MTP module plus its projections: counted from the last layer's size.
            i64 per_layer = inv.layer_params(static_cast<int>(g.layers.size()) - 1);
            const i64 mtp =
                checked::mul(g.n_mtp_layers, checked::add(per_layer, 2 * g.hidden * g.hidden + 3 * g.hidden, "config"), "config", "the MTP layers' parameters");
            b.vector("mtp", Role::Mtp, -1, mtp);
        }
    }
    return inv;
}

i64 Inventory::total_params() const {
    return std::accumulate(tensors.begin(), tensors.end(), i64{0}, [](i64 s, const Tensor& t) { return checked::add(s, t.elements(), "config"); });
}

i64 Inventory::active_params(const ModelGeometry& g) const {
    i64 total = 0;
    for (const Tensor& t : tensors) {
        if (t.role == Role::Vision || t.role == Role::Mtp) continue;
        if (t.role == Role::FfnGateExps || t.role == Role::FfnUpExps || t.role == Role::FfnDownExps) {
            // (A config may place MoE layers without saying how many experts: their tensors are empty.)
            if (g.moe.n_experts > 0) total += t.elements() / g.moe.n_experts * g.moe.n_experts_per_tok;
        } else {
            total += t.elements();
        }
    }
    return total;
}

i64 Inventory::layer_params(int layer) const {
    i64 s = 0;
    for (const Tensor& t : tensors)
        if (t.layer == layer) s = checked::add(s, t.elements(), "config");
    return s;
}

bool is_norm(Role r) {
    switch (r) {
        case Role::OutputNorm:
        case Role::AttnNorm:
        case Role::AttnPostNorm:
        case Role::FfnNorm:
        case Role::FfnPostNorm:
        case Role::AttnQNorm:
        case Role::AttnKNorm:
        case Role::AttnQANorm:
        case Role::AttnKVANorm:
        case Role::SsmNorm: return true;
        default: return false;
    }
}

const char* role_name(Role r) {
    switch (r) {
        case Role::TokenEmbd: return "token_embd";
        case Role::Output: return "output";
        case Role::OutputNorm: return "output_norm";
        case Role::AttnNorm: return "attn_norm";
        case Role::AttnPostNorm: return "post_attention_norm";
        case Role::FfnNorm: return "ffn_norm";
        case Role::FfnPostNorm: return "post_ffw_norm";
        case Role::AttnQ: return "attn_q";
        case Role::AttnK: return "attn_k";
        case Role::AttnV: return "attn_v";
        case Role::AttnOut: return "attn_output";
        case Role::AttnQNorm: return "attn_q_norm";
        case Role::AttnKNorm: return "attn_k_norm";
        case Role::AttnSinks: return "attn_sinks";
        case Role::AttnQA: return "attn_q_a";
        case Role::AttnQANorm: return "attn_q_a_norm";
        case Role::AttnQB: return "attn_q_b";
        case Role::AttnKVA: return "attn_kv_a_mqa";
        case Role::AttnKVANorm: return "attn_kv_a_norm";
        case Role::AttnKVB: return "attn_kv_b";
        case Role::Indexer: return "indexer";
        case Role::FfnGate: return "ffn_gate";
        case Role::FfnUp: return "ffn_up";
        case Role::FfnDown: return "ffn_down";
        case Role::FfnGateInp: return "ffn_gate_inp";
        case Role::FfnExpProbsBias: return "exp_probs_b";
        case Role::FfnGateExps: return "ffn_gate_exps";
        case Role::FfnUpExps: return "ffn_up_exps";
        case Role::FfnDownExps: return "ffn_down_exps";
        case Role::FfnGateShexp: return "ffn_gate_shexp";
        case Role::FfnUpShexp: return "ffn_up_shexp";
        case Role::FfnDownShexp: return "ffn_down_shexp";
        case Role::FfnGateInpShexp: return "ffn_gate_inp_shexp";
        case Role::SsmIn: return "ssm_in";
        case Role::SsmConv1d: return "ssm_conv1d";
        case Role::SsmDt: return "ssm_dt";
        case Role::SsmA: return "ssm_a";
        case Role::SsmD: return "ssm_d";
        case Role::SsmNorm: return "ssm_norm";
        case Role::SsmOut: return "ssm_out";
        case Role::SsmX: return "ssm_x";
        case Role::Vision: return "vision";
        case Role::Mtp: return "mtp";
        case Role::RopeFreqs: return "rope_freqs";
        case Role::PerLayerEmbd: return "per_layer_token_embd";
        case Role::Aux: return "aux";
    }
    return "?";
}

}  // namespace fitmygpu
