// GGUF file-type emulation: the ggml type llama-quantize gives every tensor, and from that the tensor bytes.
// The rules paraphrase ggml-org/llama.cpp src/llama-quant.cpp in two versions:
//   legacy  8784689fee07c6daabf3487d24e1535534ef6e6b  llama_tensor_get_type + llama_model_quantize_impl
//   current 007dbbf3fd17eefe9b47fee45f48f7ba5e62b714  tensor_allows_quantization, tensor_get_category,
//                                                      llama_tensor_get_type_impl, tensor_type_fallback
// The Dec-2023 Mixtral variant follows the sizes of files made then (TheBloke's tables, in tests/data/gguf-sizes.json).
#include "fitmygpu/gguf.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>
#include <string>
#include <utility>

#include "fitmygpu/checked.hpp"
#include "text.hpp"

namespace fitmygpu {

namespace {
struct FtName {
    GgufFileType ft;
    const char* name;
    GgmlType base;
};
constexpr std::array<FtName, 33> kFileTypes{{
    {GgufFileType::F32, "F32", GgmlType::F32},
    {GgufFileType::F16, "F16", GgmlType::F16},
    {GgufFileType::BF16, "BF16", GgmlType::BF16},
    {GgufFileType::Q4_0, "Q4_0", GgmlType::Q4_0},
    {GgufFileType::Q4_1, "Q4_1", GgmlType::Q4_1},
    {GgufFileType::Q5_0, "Q5_0", GgmlType::Q5_0},
    {GgufFileType::Q5_1, "Q5_1", GgmlType::Q5_1},
    {GgufFileType::Q8_0, "Q8_0", GgmlType::Q8_0},
    {GgufFileType::Q2_K, "Q2_K", GgmlType::Q2_K},
    {GgufFileType::Q2_K_S, "Q2_K_S", GgmlType::Q2_K},
    {GgufFileType::Q3_K_S, "Q3_K_S", GgmlType::Q3_K},
    {GgufFileType::Q3_K_M, "Q3_K_M", GgmlType::Q3_K},
    {GgufFileType::Q3_K_L, "Q3_K_L", GgmlType::Q3_K},
    {GgufFileType::Q4_K_S, "Q4_K_S", GgmlType::Q4_K},
    {GgufFileType::Q4_K_M, "Q4_K_M", GgmlType::Q4_K},
    {GgufFileType::Q5_K_S, "Q5_K_S", GgmlType::Q5_K},
    {GgufFileType::Q5_K_M, "Q5_K_M", GgmlType::Q5_K},
    {GgufFileType::Q6_K, "Q6_K", GgmlType::Q6_K},
    {GgufFileType::IQ1_S, "IQ1_S", GgmlType::IQ1_S},
    {GgufFileType::IQ1_M, "IQ1_M", GgmlType::IQ1_M},
    {GgufFileType::IQ2_XXS, "IQ2_XXS", GgmlType::IQ2_XXS},
    {GgufFileType::IQ2_XS, "IQ2_XS", GgmlType::IQ2_XS},
    {GgufFileType::IQ2_S, "IQ2_S", GgmlType::IQ2_XS},
    {GgufFileType::IQ2_M, "IQ2_M", GgmlType::IQ2_S},
    {GgufFileType::IQ3_XXS, "IQ3_XXS", GgmlType::IQ3_XXS},
    {GgufFileType::IQ3_XS, "IQ3_XS", GgmlType::IQ3_S},
    {GgufFileType::IQ3_S, "IQ3_S", GgmlType::IQ3_S},
    {GgufFileType::IQ3_M, "IQ3_M", GgmlType::IQ3_S},
    {GgufFileType::IQ4_NL, "IQ4_NL", GgmlType::IQ4_NL},
    {GgufFileType::IQ4_XS, "IQ4_XS", GgmlType::IQ4_XS},
    {GgufFileType::TQ1_0, "TQ1_0", GgmlType::TQ1_0},
    {GgufFileType::TQ2_0, "TQ2_0", GgmlType::TQ2_0},
    {GgufFileType::MXFP4_MOE, "MXFP4_MOE", GgmlType::MXFP4},
}};

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}
const FtName& entry(GgufFileType ft) {
    for (const auto& e : kFileTypes)
        if (e.ft == ft) return e;
    return kFileTypes[1];
}
}  // namespace

std::optional<GgufFileType> gguf_file_type_from_name(const std::string& name) {
    const std::string n = upper(name);
    for (const auto& e : kFileTypes)
        if (n == e.name) return e.ft;
    return std::nullopt;
}

const char* gguf_file_type_name(GgufFileType ft) { return entry(ft).name; }

std::vector<GgufFileType> all_gguf_file_types() {
    std::vector<GgufFileType> out;
    for (const auto& e : kFileTypes) out.push_back(e.ft);
    return out;
}

namespace {

bool is_quantized(GgmlType t) { return t != GgmlType::F32 && t != GgmlType::F16 && t != GgmlType::BF16; }

i64 block_of(GgmlType t) { return ggml_info(t).block_elems; }

// llama-quant.cpp tensor_get_category (current) / the name tests of llama_tensor_get_type (legacy). The order matters.
enum class Cat { Output, TokenEmbd, Qkv, KvB, V, K, Q, O, Up, Gate, Down, Other };

Cat category(const std::string& name) {
    if (name == "output.weight") return Cat::Output;
    if (name == "token_embd.weight" || name == "per_layer_token_embd.weight") return Cat::TokenEmbd;
    if (contains(name, "attn_qkv.weight")) return Cat::Qkv;
    if (contains(name, "attn_kv_b.weight")) return Cat::KvB;
    if (contains(name, "attn_v.weight")) return Cat::V;
    if (contains(name, "attn_k.weight")) return Cat::K;
    if (contains(name, "attn_q.weight")) return Cat::Q;
    if (contains(name, "attn_output.weight")) return Cat::O;
    if (contains(name, "ffn_up")) return Cat::Up;
    if (contains(name, "ffn_gate")) return Cat::Gate;
    if (contains(name, "ffn_down")) return Cat::Down;
    return Cat::Other;
}

// Legacy builds count attn_qkv and attn_kv_b in n_attention_wv but only attn_v goes through the V rule (and advances
// i_attention_wv); current builds treat all three as V-like (category_is_attn_v).
bool counts_as_v(Cat c) { return c == Cat::V || c == Cat::Qkv || c == Cat::KvB; }
bool takes_v_rule(Cat c, GgufRules rules) { return rules == GgufRules::Current ? counts_as_v(c) : c == Cat::V; }

// llama-quant.cpp tensor_allows_quantization (current) / the `quantize &= ...` chain of llama_model_quantize_impl
// (legacy): only 2-D/3-D tensors whose name ends in "weight" and is not a norm, router, conv or similar small tensor.
bool allows_quantization(const Tensor& t) {
    if (t.kind == TensorKind::Bias) return false;                    // "*.bias" does not end in "weight"
    if (t.ne1 <= 1 && t.ne2 <= 1) return false;                      // ggml_n_dims < 2 (e.g. ffn_gate_inp_shexp [d, 1])
    if (t.role == Role::SsmA || t.role == Role::SsmD) return false;  // GGUF names "ssm_a"/"ssm_d" carry no ".weight"
    const std::string& n = t.name;
    if (contains(n, "_norm.weight") || contains(n, "ffn_gate_inp.weight") || contains(n, "ssm_conv1d") || contains(n, "shortconv.conv.weight") ||
        contains(n, "altup") || contains(n, "laurel") || contains(n, "per_layer_model_proj") || contains(n, "attn_rel_b.weight") ||
        contains(n, "ffn_gate_tid2eid"))
        return false;
    return true;
}

// use_more_bits in llama_tensor_get_type(_impl): the first and last eighth of the layers and every third in between.
bool more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

// llama.cpp's LLM_TYPE_70B (llama-model.cpp load_hparams): llama arch with 80 layers and GQA, qwen2 with 80 layers.
// Mistral and Mixtral configs convert to the llama arch.
bool is_llama_arch(const ModelGeometry& g) { return g.model_type == "llama" || g.model_type == "mistral" || g.model_type == "mixtral"; }
bool type_70b(const ModelGeometry& g) {
    if (g.n_layers != 80) return false;
    if (is_llama_arch(g)) return g.n_heads != g.n_kv_heads;
    return g.model_type == "qwen2";
}

// hparams.n_gqa() of layer 0: n_head / n_head_kv, 0 when layer 0 has no attention heads (Nemotron-H starts with Mamba).
i64 gqa_of(const ModelGeometry& g) {
    if (g.layers.empty()) return g.n_kv_heads > 0 ? g.n_heads / g.n_kv_heads : 0;
    const LayerSpec& l = g.layers.front();
    if (l.mixer == Mixer::Mamba || l.mixer == Mixer::None || l.n_kv_heads <= 0) return 0;
    return l.n_heads / l.n_kv_heads;
}

// llama3-style rope scaling (config rope_scaling.rope_type "llama3": Llama 3.1/3.2/3.3 and their R1 distills) makes
// convert_hf_to_gguf.py write rope_freqs.weight [head_dim/2].
bool detect_rope_freqs(const ModelGeometry& g) { return g.rope_type == "llama3"; }

bool ft_is(GgufFileType ft, std::initializer_list<GgufFileType> list) { return std::find(list.begin(), list.end(), ft) != list.end(); }

using F = GgufFileType;
using T = GgmlType;

struct QuantState {
    const ModelGeometry& g;
    GgufFileType ft;
    GgmlType D;  // the file type's default tensor type
    GgufRules rules;
    bool imatrix;
    bool has_output;
    bool arch_falcon;
    bool is_70b;
    i64 gqa;
    i64 n_expert;  // hparams.n_expert (0 for dense)
    int n_layer;   // hparams.n_layer: the `n` of the ffn_down/gate/up rules
    int n_v = 0;   // n_attention_wv
    int i_v = 0, i_down = 0, i_gate = 0, i_up = 0;
};

// layer_info in llama_tensor_get_type(_impl): MoE models read the layer from the tensor name, dense models use the
// running counter of that tensor kind.
int layer_of(const QuantState& s, const Tensor& t, int counter) { return s.n_expert > 1 && t.layer >= 0 ? t.layer : counter; }

// llama_tensor_get_type (legacy) / llama_tensor_get_type_impl (current): the mixture rules, before the fallback.
GgmlType mixture_type(QuantState& s, const Tensor& t, Cat cat) {
    const F ft = s.ft;
    GgmlType type = s.D;
    const bool iq12 = ft_is(ft, {F::IQ2_XXS, F::IQ2_XS, F::IQ1_S, F::IQ2_S, F::IQ2_M, F::IQ1_M});
    const bool iq2_sm = ft == F::IQ2_S || ft == F::IQ2_M;

    // Output, and the token embedding of tied models (it doubles as the output).
    if (cat == Cat::Output || (!s.has_output && cat == Cat::TokenEmbd)) {
        if (ft == F::MXFP4_MOE) return T::Q8_0;
        if (s.arch_falcon || t.ne0 % block_of(s.D) != 0) return T::Q8_0;
        if (ft_is(ft, {F::IQ2_XXS, F::IQ2_XS, F::IQ3_XXS, F::IQ1_S, F::IQ2_S, F::IQ2_M, F::IQ1_M})) return T::Q5_K;
        return s.D == T::Q8_0 ? T::Q8_0 : T::Q6_K;
    }
    // MXFP4_MOE: stacked experts (ne2 > 1) in MXFP4, every other quantizable tensor (token_embd included) in Q8_0.
    if (ft == F::MXFP4_MOE) return t.ne2 > 1 ? T::MXFP4 : T::Q8_0;
    if (cat == Cat::TokenEmbd) {
        if (ft_is(ft, {F::IQ2_XXS, F::IQ2_XS, F::IQ1_S, F::IQ1_M})) return T::Q2_K;
        if (ft_is(ft, {F::IQ2_S, F::IQ2_M, F::IQ3_XXS})) return T::IQ3_S;
        if (ft_is(ft, {F::TQ1_0, F::TQ2_0})) return T::Q4_K;
        return type;
    }
    // IQ1/IQ2 family: its own V, K, ffn_down and attn_output rules; everything else keeps the default type.
    if (iq12) {
        if (takes_v_rule(cat, s.rules)) {
            type = (s.gqa >= 4 || s.n_expert >= 4) ? T::Q4_K : (iq2_sm ? T::IQ3_S : T::Q2_K);
            ++s.i_v;
        } else if (s.n_expert == 8 && cat == Cat::K) {
            type = T::Q4_K;
        } else if (cat == Cat::Down) {
            // This branch uses the running ffn_down counter even for MoE models.
            if (s.i_down < s.n_layer / 8) type = iq2_sm ? T::IQ3_S : T::Q2_K;
            ++s.i_down;
        } else if (cat == Cat::O) {
            if (s.n_expert == 8) type = T::Q5_K;
            else if (ft == F::IQ1_S || ft == F::IQ1_M) type = T::IQ2_XXS;
            else if (iq2_sm) type = T::IQ3_S;
        }
        return type;
    }
    if (takes_v_rule(cat, s.rules)) {
        if (ft == F::Q2_K) type = s.gqa >= 4 ? T::Q4_K : T::Q3_K;
        else if (ft == F::Q2_K_S && s.gqa >= 4) type = T::Q4_K;
        else if (ft == F::IQ3_XXS) type = s.gqa >= 4 ? T::Q4_K : (!s.imatrix ? T::IQ3_S : T::IQ3_XXS);
        else if ((ft == F::IQ3_XS || ft == F::IQ3_S) && s.gqa >= 4) type = T::Q4_K;
        else if (ft == F::IQ3_M) type = T::Q4_K;
        else if (ft == F::Q3_K_M) type = s.i_v < 2 ? T::Q5_K : T::Q4_K;
        else if (ft == F::Q3_K_L) type = T::Q5_K;
        else if ((ft == F::IQ4_NL || ft == F::IQ4_XS) && s.gqa >= 4) type = T::Q5_K;
        else if ((ft == F::Q4_K_M || ft == F::Q5_K_M) && more_bits(s.i_v, s.n_v)) type = T::Q6_K;
        else if (ft == F::Q4_K_S && s.i_v < 4) type = T::Q5_K;
        // 70B: attn_v is 8x smaller than attn_q, so it gets more bits almost for free.
        if (s.is_70b && (type == T::Q3_K || type == T::Q4_K)) type = T::Q5_K;
        if (s.n_expert == 8) type = T::Q8_0;  // 8-expert models (Mixtral): ~128 MB for much better attn_v
        ++s.i_v;
        return type;
    }
    if (cat == Cat::K) {
        if (s.n_expert == 8) return T::Q8_0;
        if (ft == F::IQ3_XS) return T::IQ3_XXS;
        if (ft == F::IQ3_XXS) return T::IQ2_S;
        return type;
    }
    if (cat == Cat::Q) {
        if (ft == F::IQ3_XS) return T::IQ3_XXS;
        if (ft == F::IQ3_XXS) return T::IQ2_S;
        return type;
    }
    if (cat == Cat::Down) {
        const int i = layer_of(s, t, s.i_down), n = s.n_layer;
        if (ft == F::Q2_K) type = T::Q3_K;
        else if (ft == F::Q2_K_S) {
            if (i < n / 8) type = T::Q4_K;
        } else if (ft == F::IQ3_XXS && !s.imatrix) type = i < n / 8 ? T::Q4_K : T::Q3_K;
        else if (ft == F::Q3_K_M) type = i < n / 16 ? T::Q5_K : (!s.arch_falcon || more_bits(i, n)) ? T::Q4_K : T::Q3_K;
        else if (ft == F::IQ3_M && (i < n / 8 || (s.n_expert == 8 && more_bits(i, n)))) type = T::Q4_K;
        else if (ft == F::Q3_K_L) type = s.arch_falcon ? T::Q4_K : T::Q5_K;
        else if (ft == F::Q4_K_M) {
            if (s.arch_falcon) type = i < n / 16 ? T::Q6_K : more_bits(i, n) ? T::Q5_K : T::Q4_K;
            else if (more_bits(i, n)) type = T::Q6_K;
        } else if (i < n / 8 && (ft == F::IQ4_NL || ft == F::IQ4_XS) && !s.imatrix) type = T::Q5_K;
        else if (ft == F::Q5_K_M && more_bits(i, n)) type = T::Q6_K;
        else if (ft == F::Q4_K_S && !s.arch_falcon && i < n / 8) type = T::Q5_K;
        else if ((ft == F::Q4_0 || ft == F::Q5_0) && s.imatrix && i < n / 8) type = ft == F::Q4_0 ? T::Q4_1 : T::Q5_1;
        ++s.i_down;
        return type;
    }
    if (cat == Cat::O) {
        if (s.arch_falcon) return ft == F::Q3_K_L ? T::Q4_K : type;
        if (s.n_expert == 8) {
            if (ft_is(ft, {F::Q2_K, F::IQ3_XS, F::IQ3_XXS, F::Q3_K_S, F::Q3_K_M, F::IQ4_NL, F::Q4_K_S, F::Q4_K_M, F::IQ3_S, F::IQ3_M, F::IQ4_XS}))
                return T::Q5_K;
            return type;
        }
        if (ft == F::Q2_K) return T::Q3_K;
        if (ft == F::IQ3_XXS) return T::IQ3_S;
        if (ft == F::Q3_K_M || ft == F::IQ3_M) return T::Q4_K;
        if (ft == F::Q3_K_L) return T::Q5_K;
        return type;
    }
    if (cat == Cat::Qkv) {  // legacy only: current builds route attn_qkv through the V-like rule above
        if (ft == F::Q3_K_M || ft == F::Q3_K_L || ft == F::IQ3_M) return T::Q4_K;
        if (ft == F::Q4_K_M) return T::Q5_K;
        if (ft == F::Q5_K_M) return T::Q6_K;
        return type;
    }
    if (cat == Cat::Gate || cat == Cat::Up) {
        int& counter = cat == Cat::Gate ? s.i_gate : s.i_up;
        const int i = layer_of(s, t, counter), n = s.n_layer;
        if (ft == F::IQ3_XS && i >= n / 8 && i < 7 * n / 8) type = T::IQ3_XXS;
        ++counter;
        return type;
    }
    return type;
}

// Dec-2023 llama.cpp on split-expert Mixtral files: experts were stored as blk.N.ffn_down.E.weight, which
// the ffn_down rules never matched; attn_k/attn_v were already Q8_0 for 8 experts; attn_output used the dense rule.
GgmlType mixtral2023_type(QuantState& s, const Tensor& t, Cat cat) {
    const F ft = s.ft;
    if (cat == Cat::Output || (!s.has_output && cat == Cat::TokenEmbd)) {
        if (s.arch_falcon || t.ne0 % block_of(s.D) != 0) return T::Q8_0;
        return s.D == T::Q8_0 ? T::Q8_0 : T::Q6_K;
    }
    if (cat == Cat::V) {
        GgmlType type = s.D;
        if (ft == F::Q2_K) type = T::Q3_K;
        else if (ft == F::Q3_K_M) type = s.i_v < 2 ? T::Q5_K : T::Q4_K;
        else if (ft == F::Q3_K_L) type = T::Q5_K;
        else if ((ft == F::Q4_K_M || ft == F::Q5_K_M) && more_bits(s.i_v, s.n_v)) type = T::Q6_K;
        else if (ft == F::Q4_K_S && s.i_v < 4) type = T::Q5_K;
        if (s.is_70b && (type == T::Q3_K || type == T::Q4_K)) type = T::Q5_K;
        if (s.n_expert == 8) type = T::Q8_0;
        ++s.i_v;
        return type;
    }
    if (cat == Cat::K && s.n_expert == 8) return T::Q8_0;
    if (cat == Cat::O && !s.arch_falcon) {
        if (ft == F::Q2_K) return T::Q3_K;
        if (ft == F::Q3_K_M) return T::Q4_K;
        if (ft == F::Q3_K_L) return T::Q5_K;
    }
    return s.D;
}

// tensor_type_fallback (current) / the convert_incompatible_tensor switch (legacy): a row length that is not a multiple
// of the chosen type's block falls back to a 32-block type of similar size, and to F16 if even that does not fit.
GgmlType fallback_type(GgmlType type, i64 ne0, GgufRules rules, bool& fell_back) {
    fell_back = false;
    if (ne0 % block_of(type) == 0) return type;
    fell_back = true;
    GgmlType r;
    switch (type) {
        case T::IQ1_S:
        case T::IQ1_M:
        case T::IQ2_XXS:
        case T::IQ2_XS:
        case T::IQ2_S:
        case T::IQ3_XXS:
        case T::IQ3_S:
        case T::IQ4_XS: r = T::IQ4_NL; break;
        // Q2_K/Q3_K: IQ4_NL up to 2025, Q4_0 since; both 18 bytes per 32 elements.
        case T::Q2_K:
        case T::Q3_K: r = rules == GgufRules::Current ? T::Q4_0 : T::IQ4_NL; break;
        case T::TQ1_0:
        case T::TQ2_0: r = T::Q4_0; break;
        case T::Q4_K: r = T::Q5_0; break;
        case T::Q5_K: r = T::Q5_1; break;
        case T::Q6_K: r = T::Q8_0; break;
        // llama.cpp has no fallback for the 32-block types and aborts; F16 is what such a tensor could at best be.
        default: r = T::F16; break;
    }
    if (ne0 % block_of(r) != 0) r = T::F16;
    return r;
}

// Bytes of a tensor: rows x row bytes (ggml_nbytes without padding). The aggregate vision/MTP "tensors" of an
// inventory built with extras have no real row structure; they are sized at whole blocks of their type.
i64 tensor_bytes_of(GgmlType type, const Tensor& t) {
    if (t.role == Role::Vision || t.role == Role::Mtp) {
        const GgmlTypeInfo& info = ggml_info(type);
        return (t.elements() + info.block_elems - 1) / info.block_elems * info.block_bytes;
    }
    return ggml_row_bytes(type, t.ne0) * t.ne1 * t.ne2;
}

}  // namespace

GgufLayout::GgufLayout(const GgufLayout& other)
    : tensors(other.tensors), extra(other.extra), tensor_bytes(other.tensor_bytes), n_elements(other.n_elements), n_fallback(other.n_fallback) {
    for (GgufTensor& t : tensors)
        for (size_t i = 0; i < other.extra.size(); ++i)
            if (t.tensor == &other.extra[i]) t.tensor = &extra[i];
}

GgufLayout& GgufLayout::operator=(const GgufLayout& other) {
    if (this != &other) *this = GgufLayout(other);
    return *this;
}

GgufLayout gguf_layout(const ModelGeometry& g, const Inventory& inv, GgufFileType ft) { return gguf_layout(g, inv, ft, GgufOptions{}); }

GgufLayout gguf_layout(const ModelGeometry& g, const Inventory& inv, GgufFileType ft, const GgufOptions& opts) {
    GgufLayout out;
    const GgmlType D = entry(ft).base;

    // GGUF-only tensors: rope_freqs [head_dim/2] F32 for llama3-style rope scaling (convert_hf_to_gguf.py
    // LlamaModel.generate_extra_tensors).
    if (opts.rope_freqs.value_or(detect_rope_freqs(g)) && g.head_dim > 0)
        out.extra.push_back({"rope_freqs.weight", Role::RopeFreqs, TensorKind::Vector, -1, g.head_dim / 2, 1, 1});

    QuantState s{g, ft, D, opts.rules,
                 // Default: an imatrix only where llama-quantize refuses to work without one (tensor_requires_imatrix
                 // in current builds: IQ1_*, IQ2_*, IQ3_XXS, and Q2_K tensors of Q2_K_S), as in llama.cpp's README table.
                 opts.imatrix.value_or(ft_is(ft, {F::IQ1_S, F::IQ1_M, F::IQ2_XXS, F::IQ2_XS, F::IQ2_S, F::IQ2_M, F::IQ3_XXS, F::Q2_K_S})), false,
                 g.model_type == "falcon", type_70b(g), gqa_of(g), g.moe.n_experts, static_cast<int>(g.n_layers)};
    // A checkpoint that ships its experts in MXFP4 (gpt-oss) keeps them so in every file: the converter repacks them as
    // MXFP4 whatever the outtype (convert_hf_to_gguf.py GptOssModel), and llama-quantize will not requantize them
    // (quantized producers keep them with --tensor-type overrides; e.g. unsloth's Q4_K_M: 72 mxfp4 tensors, 10.81 GiB).
    const bool mxfp4_experts = g.quantization.quant_method == "mxfp4";
    // Preliminary pass (init_quantize_state_counters / the first loop of llama_model_quantize_impl).
    const bool split_kv_b = opts.split_mla_kv_b && g.mla.kv_lora_rank > 0 && g.mla.qk_nope_head_dim > 0 && g.mla.v_head_dim > 0;
    for (const Tensor& t : inv.tensors) {
        const Cat c = category(t.name);
        if (counts_as_v(c) && !(split_kv_b && c == Cat::KvB)) ++s.n_v;  // attn_k_b / attn_v_b are not counted
        if (c == Cat::Output) s.has_output = true;
    }

    // llama.cpp walks tensors sorted by layer, then name (llama_model_loader weights_map); the inventory is grouped by
    // layer with at most one tensor per layer for each counted kind, so its order gives the same counter values.
    out.tensors.reserve(inv.tensors.size() + out.extra.size());
    for (const Tensor& t : inv.tensors) {
        GgmlType type = T::F32;  // the converter's type for everything llama-quantize leaves alone
        const bool aggregate = t.role == Role::Vision || t.role == Role::Mtp;
        if (aggregate) {
            type = D;
        } else if (mxfp4_experts && t.ne2 > 1 && (t.role == Role::FfnGateExps || t.role == Role::FfnUpExps || t.role == Role::FfnDownExps)) {
            type = T::MXFP4;
        } else if (allows_quantization(t)) {
            const Cat cat = category(t.name);
            // User overrides win and skip the fallback (llama_tensor_get_type returns them early in current builds;
            // legacy builds apply them after the fallback).
            if (cat == Cat::TokenEmbd && opts.token_embedding_type) {
                type = *opts.token_embedding_type;
            } else if ((cat == Cat::Output || (!s.has_output && cat == Cat::TokenEmbd)) && opts.output_tensor_type) {
                type = *opts.output_tensor_type;
            } else if (!is_quantized(D)) {
                type = D;  // F32/F16/BF16 files: every quantizable tensor simply takes that type
            } else if (split_kv_b && cat == Cat::KvB) {
                // attn_k_b and attn_v_b match no rule by name: the file type's default, then the row-length
                // fallback (attn_k_b rows are qk_nope = 128 wide: Q4_K -> Q5_0, Q6_K -> Q8_0, ...). The entry keeps
                // the inventory's fused tensor; its bytes are the two halves'.
                const i64 heads = t.ne1 / (g.mla.qk_nope_head_dim + g.mla.v_head_dim);
                const Tensor kb{"attn_k_b", Role::AttnKVB, TensorKind::Matrix, t.layer, g.mla.qk_nope_head_dim, g.mla.kv_lora_rank, heads};
                const Tensor vb{"attn_v_b", Role::AttnKVB, TensorKind::Matrix, t.layer, g.mla.kv_lora_rank, g.mla.v_head_dim, heads};
                bool fb_k = false, fb_v = false;
                const GgmlType tk =
                    opts.pure ? fallback_type(D, kb.ne0, opts.rules, fb_k) : fallback_type(mixture_type(s, kb, Cat::Other), kb.ne0, opts.rules, fb_k);
                type = opts.pure ? fallback_type(D, vb.ne0, opts.rules, fb_v) : fallback_type(mixture_type(s, vb, Cat::Other), vb.ne0, opts.rules, fb_v);
                out.n_fallback += (fb_k ? 1 : 0) + (fb_v ? 1 : 0);
                const i64 bytes = tensor_bytes_of(tk, kb) + tensor_bytes_of(type, vb);
                out.tensors.push_back({&t, type, bytes});
                out.tensor_bytes = checked::add(out.tensor_bytes, bytes, "config", "the GGUF file's bytes");
                out.n_elements = checked::add(out.n_elements, t.elements(), "config", "the GGUF file's elements");
                continue;
            } else {
                if (opts.pure) type = D;
                else if (opts.rules == GgufRules::Mixtral2023) type = mixtral2023_type(s, t, cat);
                else type = mixture_type(s, t, cat);
                bool fell_back = false;
                type = fallback_type(type, t.ne0, opts.rules, fell_back);
                if (fell_back) ++out.n_fallback;
            }
        } else if (opts.rules == GgufRules::Mixtral2023 && contains(t.name, "ffn_gate_inp.weight")) {
            type = T::F16;  // the Dec-2023 converter wrote the router in F16
        }
        // The converter keeps the tokenizer's rows of an embedding the config pads (Gemma 3: 262,144 of 262,208).
        i64 bytes = 0;
        if ((t.role == Role::TokenEmbd || t.role == Role::Output) && g.gguf_rows() < g.vocab) {
            Tensor rows = t;
            rows.ne1 -= g.vocab - g.gguf_rows();
            bytes = tensor_bytes_of(type, rows);
        } else {
            bytes = tensor_bytes_of(type, t);
        }
        out.tensors.push_back({&t, type, bytes});
        out.tensor_bytes = checked::add(out.tensor_bytes, bytes, "config", "the GGUF file's bytes");
        out.n_elements = checked::add(out.n_elements, t.elements(), "config", "the GGUF file's elements");
    }
    for (const Tensor& t : out.extra) {
        const i64 bytes = tensor_bytes_of(T::F32, t);
        out.tensors.push_back({&t, T::F32, bytes});
        out.tensor_bytes = checked::add(out.tensor_bytes, bytes, "config", "the GGUF file's bytes");
        out.n_elements = checked::add(out.n_elements, t.elements(), "config", "the GGUF file's elements");
    }
    return out;
}

}  // namespace fitmygpu
