// Per-tensor bytes under each checkpoint format. Layout sources:
// - BF16/FP16/FP32: safetensors stores every tensor in that dtype.
// - FP8 (compressed-tensors "FP8" / "FP8-Dynamic", e.g. RedHatAI/*-FP8): linear weights float8_e4m3 with one
//   fp32 scale per output channel; embeddings, lm_head, norms, biases and MoE routers stay 16-bit.
// - INT8 w8a8 (compressed-tensors "W8A8"): int8 weights, one fp32 scale per output channel, same exclusions.
// - AWQ int4 (AutoAWQ GEMM, group 128): qweight int32 [in, out/8] (4 bits/weight), qzeros int32
//   [in/128, out/8], scales fp16 [in/128, out]; lm_head and embeddings not quantized.
// - GPTQ int4 (AutoGPTQ / GPTQModel, group 128): qweight int32 [in/8, out], qzeros int32 [in/128, out/8],
//   scales fp16 [in/128, out], g_idx int32 [in].
// - MXFP4 (gpt-oss release): MoE expert weights as 4-bit e2m1 "blocks" plus one uint8 e8m0 scale per 32
//   values; attention, router, embeddings and lm_head stay bf16 (config.quantization_config
//   modules_to_not_convert).
// - NVFP4 (ModelOpt / compressed-tensors): 4-bit e2m1 weights, one fp8 e4m3 scale per 16 values, plus a
//   per-tensor fp32 global scale and input scale; embeddings, lm_head, routers stay 16-bit.
// - MLX 4/8-bit (mlx_lm.convert, group 64): packed uint32 weights plus bf16 scale and bias per group of 64;
//   embeddings and lm_head are quantized too.
#include "fitmygpu/formats.hpp"

#include "fitmygpu/checked.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "fitmygpu/error.hpp"
#include "fitmygpu/pattern.hpp"
#include "text.hpp"

namespace fitmygpu {

namespace {

bool is_linear_in_layer(const Tensor& t) {
    if (t.kind != TensorKind::Matrix) return false;
    switch (t.role) {
        case Role::TokenEmbd:
        case Role::PerLayerEmbd:
        case Role::Output:
        case Role::FfnGateInp:
        case Role::FfnGateInpShexp:
        case Role::Vision:
        case Role::Mtp: return false;
        default: return true;
    }
}

constexpr i64 kGroup128 = 128;
constexpr i64 kMlxGroup = 64;

}  // namespace

std::string WeightFormat::label() const {
    switch (scheme) {
        case Scheme::BF16: return "BF16";
        case Scheme::FP16: return "FP16";
        case Scheme::FP32: return "FP32";
        case Scheme::FP8: return "FP8";
        case Scheme::INT8: return "INT8 (W8A8)";
        case Scheme::AWQ_INT4: return "AWQ int4";
        case Scheme::GPTQ_INT4: return "GPTQ int4";
        case Scheme::MXFP4: return "MXFP4";
        case Scheme::NVFP4: return "NVFP4";
        case Scheme::BNB_4BIT: return "bitsandbytes 4-bit";
        case Scheme::MLX_4BIT: return "MLX 4-bit";
        case Scheme::MLX_8BIT: return "MLX 8-bit";
        case Scheme::GGUF: return std::string("GGUF ") + gguf_file_type_name(gguf);
    }
    return id;
}

WeightFormat parse_weight_format(const std::string& raw, const std::string& field) {
    WeightFormat f;
    const std::string id = lower(raw);
    f.id = id;
    if (id == "bf16" || id == "bfloat16") {
        f.scheme = Scheme::BF16;
        f.id = "bf16";
    } else if (id == "fp16" || id == "f16" || id == "float16") {
        f.scheme = Scheme::FP16;
        f.id = "fp16";
    } else if (id == "fp32" || id == "f32" || id == "float32") {
        f.scheme = Scheme::FP32;
        f.id = "fp32";
    } else if (id == "fp8" || id == "fp8-dynamic" || id == "float8") {
        f.scheme = Scheme::FP8;
        f.id = "fp8";
    } else if (id == "int8" || id == "w8a8") {
        f.scheme = Scheme::INT8;
        f.id = "int8";
    } else if (id == "awq-int4" || id == "awq") {
        f.scheme = Scheme::AWQ_INT4;
        f.id = "awq-int4";
    } else if (id == "gptq-int4" || id == "gptq") {
        f.scheme = Scheme::GPTQ_INT4;
        f.id = "gptq-int4";
    } else if (id == "mxfp4") {
        f.scheme = Scheme::MXFP4;
    } else if (id == "nvfp4" || id == "fp4") {
        f.scheme = Scheme::NVFP4;
        f.id = "nvfp4";
    } else if (id == "bnb-4bit" || id == "bnb-nf4" || id == "nf4" || id == "bitsandbytes") {
        f.scheme = Scheme::BNB_4BIT;
        f.id = "bnb-4bit";
    } else if (id == "mlx-4bit" || id == "mlx-q4") {
        f.scheme = Scheme::MLX_4BIT;
        f.id = "mlx-4bit";
    } else if (id == "mlx-8bit" || id == "mlx-q8") {
        f.scheme = Scheme::MLX_8BIT;
        f.id = "mlx-8bit";
    } else if (id.rfind("gguf:", 0) == 0) {
        auto ft = gguf_file_type_from_name(raw.substr(5));
        if (!ft) fail("invalid_field", field, field + ": unknown GGUF file type \"" + raw.substr(5) + "\" (e.g. gguf:Q4_K_M, gguf:Q8_0, gguf:IQ4_XS)");
        f.scheme = Scheme::GGUF;
        f.gguf = *ft;
        f.id = std::string("gguf:") + gguf_file_type_name(*ft);
    } else {
        fail("invalid_field", field,
             field + ": unknown weight format \"" + raw +
                 "\"; use bf16, fp16, fp32, fp8, int8, awq-int4, gptq-int4, mxfp4, nvfp4, bnb-4bit, mlx-4bit, mlx-8bit or gguf:<type>");
    }
    return f;
}

WeightFormat native_weight_format(const ModelGeometry& g) {
    if (g.quantization.present) {
        const std::string& method = g.quantization.quant_method;
        if (method == "mxfp4") return parse_weight_format("mxfp4");
        if (method == "fp8" || method == "fbgemm_fp8") return parse_weight_format("fp8");
        if (method == "awq") return parse_weight_format("awq-int4");
        if (method == "gptq") return parse_weight_format("gptq-int4");
        // ModelOpt names its algorithm: FP8 checkpoints are FP8; NVFP4 (and a config that does not say) NVFP4.
        if (method == "modelopt" && g.quantization.quant_algo == "FP8") return parse_weight_format("fp8");
        if (method == "modelopt" || method == "nvfp4") return parse_weight_format("nvfp4");
        if (method == "compressed-tensors" && g.quantization.compressed_fp8) return parse_weight_format("fp8");
        if (method == "compressed-tensors" && g.quantization.compressed_int4) return parse_weight_format("gptq-int4");
        // bitsandbytes: 8-bit stores int8 weights and an fp32 scale per row, as INT8 does; 4-bit is its own layout.
        if (method == "bitsandbytes" && g.quantization.bits == 8) return parse_weight_format("int8");
        if (method == "bitsandbytes" && g.quantization.bits == 4) return parse_weight_format("bnb-4bit");
    }
    if (g.dtype == "float16") return parse_weight_format("fp16");
    if (g.dtype == "float32") return parse_weight_format("bf16");  // engines load fp32 checkpoints as 16-bit
    return parse_weight_format("bf16");
}

bool is_quantized_in(const Tensor& t, const WeightFormat& f) {
    switch (f.scheme) {
        case Scheme::BF16:
        case Scheme::FP16:
        case Scheme::FP32:
        case Scheme::GGUF: return false;
        case Scheme::MXFP4: return t.kind == TensorKind::Matrix && t.is_expert();
        case Scheme::MLX_4BIT:
        case Scheme::MLX_8BIT: return t.kind == TensorKind::Matrix && t.role != Role::Vision && t.role != Role::Mtp && t.ne0 % kMlxGroup == 0;
        default: return is_linear_in_layer(t);
    }
}

namespace {

// The Hugging Face module names a tensor of the inventory goes by in a transformers checkpoint (the first is the usual
// one; shared experts and stacked experts have more than one spelling). Empty for tensors no ignore list names.
std::vector<std::string> hf_module_names(const Tensor& t) {
    const std::string layer = "model.layers." + std::to_string(t.layer) + ".";
    auto in_layer = [&](std::initializer_list<const char*> tails) {
        std::vector<std::string> out;
        for (const char* tail : tails) out.push_back(layer + tail);
        return out;
    };
    switch (t.role) {
        case Role::TokenEmbd: return {"model.embed_tokens"};
        case Role::Output: return {"lm_head"};
        case Role::AttnQ: return in_layer({"self_attn.q_proj"});
        case Role::AttnK: return in_layer({"self_attn.k_proj"});
        case Role::AttnV: return in_layer({"self_attn.v_proj"});
        case Role::AttnOut: return in_layer({"self_attn.o_proj"});
        case Role::AttnQA: return in_layer({"self_attn.q_a_proj"});
        case Role::AttnQB: return in_layer({"self_attn.q_b_proj"});
        case Role::AttnKVA: return in_layer({"self_attn.kv_a_proj_with_mqa"});
        case Role::AttnKVB: return in_layer({"self_attn.kv_b_proj"});
        case Role::FfnGate: return in_layer({"mlp.gate_proj"});
        case Role::FfnUp: return in_layer({"mlp.up_proj"});
        case Role::FfnDown: return in_layer({"mlp.down_proj"});
        case Role::FfnGateInp: return in_layer({"mlp.gate", "mlp.router"});
        case Role::FfnGateExps: return in_layer({"mlp.experts.0.gate_proj", "mlp.experts.gate_up_proj"});
        case Role::FfnUpExps: return in_layer({"mlp.experts.0.up_proj", "mlp.experts.gate_up_proj"});
        case Role::FfnDownExps: return in_layer({"mlp.experts.0.down_proj", "mlp.experts.down_proj"});
        case Role::FfnGateShexp: return in_layer({"mlp.shared_expert.gate_proj", "mlp.shared_experts.gate_proj"});
        case Role::FfnUpShexp: return in_layer({"mlp.shared_expert.up_proj", "mlp.shared_experts.up_proj"});
        case Role::FfnDownShexp: return in_layer({"mlp.shared_expert.down_proj", "mlp.shared_experts.down_proj"});
        case Role::FfnGateInpShexp: return in_layer({"mlp.shared_expert_gate"});
        default: return {};
    }
}

// fnmatch-style: '*' any run of characters, '?' one.
bool glob_match(const char* p, const char* s) {
    if (*p == '\0') return *s == '\0';
    if (*p == '*') return glob_match(p + 1, s) || (*s != '\0' && glob_match(p, s + 1));
    return *s != '\0' && (*p == '?' || *p == *s) && glob_match(p + 1, s + 1);
}

// Whether an ignore-list entry names the module: "re:<pattern>" matched from the start of the name (compressed-tensors),
// a glob with '*' (ModelOpt), or a plain name equal to the module or to a dotted run of its components ("lm_head",
// "self_attn", "model.layers.0"), never part of a component ("gate" is not "gate_proj").
bool names_module(const std::string& entry, const std::string& name) {
    if (entry.rfind("re:", 0) == 0) {
        // Compiled once per pattern (an estimate sizes every tensor of the model, often many times over).
        static thread_local std::map<std::string, Pattern> compiled;
        try {
            auto it = compiled.find(entry);
            if (it == compiled.end()) {
                if (compiled.size() > 4096) compiled.clear();
                it = compiled.emplace(entry, Pattern(std::string_view(entry).substr(3))).first;
            }
            return it->second.match_prefix(name);
        } catch (const PatternError&) {
            return false;  // read_quantization rejected unreadable patterns already; one too slow to match names nothing
        }
    }
    const std::string dotted = "." + name + ".";
    if (entry.find_first_of("*?") != std::string::npos) {
        // The pattern may name the module or one of its enclosing modules ("model.layers.*.self_attn").
        for (size_t i = 0; i < dotted.size(); ++i)
            if (dotted[i] == '.' && i > 0 && glob_match(entry.c_str(), dotted.substr(1, i - 1).c_str())) return true;
        return false;
    }
    return dotted.find("." + entry + ".") != std::string::npos;
}

}  // namespace

bool left_unquantized(const Tensor& t, const QuantizationSpec& q) {
    if (q.modules_not_quantized.empty()) return false;
    for (const std::string& name : hf_module_names(t))
        for (const std::string& entry : q.modules_not_quantized)
            if (names_module(entry, name)) return true;
    return false;
}

i64 tensor_bytes(const Tensor& t, const WeightFormat& f) {
    const i64 n = t.elements();
    const i64 rows = t.ne1 * t.ne2;                           // output channels across experts
    const i64 groups128 = ceil_div(t.ne0, kGroup128) * rows;  // quantization groups along the input dim
    if (f.scheme == Scheme::FP32) return n * 4;
    if (!is_quantized_in(t, f)) return n * 2;
    switch (f.scheme) {
        case Scheme::FP8:
        case Scheme::INT8: return n + rows * 4;
        case Scheme::AWQ_INT4: return n / 2 + groups128 * 2 + groups128 / 2;
        case Scheme::GPTQ_INT4: return n / 2 + groups128 * 2 + groups128 / 2 + t.ne0 * t.ne2 * 4;
        case Scheme::MXFP4: return n / 2 + ceil_div(n, 32);
        case Scheme::NVFP4: return n / 2 + ceil_div(n, 16) + t.ne2 * 2 * 4;
        case Scheme::BNB_4BIT: return bnb_4bit_bytes(t, true);
        case Scheme::MLX_4BIT: return n / 2 + (n / kMlxGroup) * 2 * 2;
        case Scheme::MLX_8BIT: return n + (n / kMlxGroup) * 2 * 2;
        default: return n * 2;
    }
}

// bitsandbytes 4-bit (transformers' serialization of Linear4bit): two weights a byte and, per block of 64, an absmax
// scale: fp32, or with double quantization a uint8 whose own fp32 scale covers 256 blocks, plus the 256-entry nested
// code book; a 16-entry fp32 code book per tensor (the small JSON quant_state tensor is left out). Per expert when
// the experts are stacked.
i64 bnb_4bit_bytes(const Tensor& t, bool double_quant) {
    const i64 n = t.elements() / std::max<i64>(t.ne2, 1);
    const i64 blocks = ceil_div(n, 64);
    const i64 scales = double_quant ? blocks + ceil_div(blocks, 256) * 4 + 256 * 4 : blocks * 4;
    return (ceil_div(n, 2) + scales + 16 * 4) * std::max<i64>(t.ne2, 1);
}

i64 stated_tensor_bytes(const Tensor& t, const WeightFormat& f, const QuantizationSpec& q) {
    if (f.scheme == Scheme::FP32 || !is_quantized_in(t, f)) return tensor_bytes(t, f);
    if (left_unquantized(t, q)) return checked::mul(t.elements(), 2, "config", "a tensor's bytes");
    if (f.scheme == Scheme::BNB_4BIT) return bnb_4bit_bytes(t, q.double_quant);
    if (q.compressed_int4 && q.group_size > 0) {
        // pack-quantized: eight weights to an int32, a 16-bit scale per group of each row (and a zero point packed
        // eight to an int32 when not symmetric), and each expert's weight_shape as two int64.
        const i64 n = t.elements();
        const i64 groups = ceil_div(t.ne0, q.group_size) * t.ne1 * t.ne2;
        return n / 2 + groups * 2 + (q.symmetric ? 0 : ceil_div(groups, 8) * 4) + t.ne2 * 16;
    }
    return tensor_bytes(t, f);
}

i64 KvType::bytes(i64 n) const {
    switch (dtype) {
        case KvDtype::F32: return n * 4;
        case KvDtype::BF16:
        case KvDtype::F16: return n * 2;
        case KvDtype::FP8: return n;
        case KvDtype::Q8_0: return ggml_row_bytes(GgmlType::Q8_0, n);
        case KvDtype::Q4_0: return ggml_row_bytes(GgmlType::Q4_0, n);
        case KvDtype::Q4_1: return ggml_row_bytes(GgmlType::Q4_1, n);
        case KvDtype::Q5_0: return ggml_row_bytes(GgmlType::Q5_0, n);
        case KvDtype::Q5_1: return ggml_row_bytes(GgmlType::Q5_1, n);
        case KvDtype::IQ4_NL: return ggml_row_bytes(GgmlType::IQ4_NL, n);
    }
    return n * 2;
}

KvType parse_kv_dtype(const std::string& raw, const std::string& field) {
    const std::string id = lower(raw);
    KvType k;
    k.id = id;
    if (id == "bf16" || id == "bfloat16") k.dtype = KvDtype::BF16;
    else if (id == "fp16" || id == "f16" || id == "float16") {
        k.dtype = KvDtype::F16;
        k.id = "f16";
    } else if (id == "fp32" || id == "f32") {
        k.dtype = KvDtype::F32;
        k.id = "f32";
    } else if (id == "fp8" || id == "fp8_e4m3" || id == "fp8_e5m2" || id == "fp8-e4m3" || id == "fp8-e5m2") {
        k.dtype = KvDtype::FP8;
    } else if (id == "q8_0") k.dtype = KvDtype::Q8_0;
    else if (id == "q4_0") k.dtype = KvDtype::Q4_0;
    else if (id == "q4_1") k.dtype = KvDtype::Q4_1;
    else if (id == "q5_0") k.dtype = KvDtype::Q5_0;
    else if (id == "q5_1") k.dtype = KvDtype::Q5_1;
    else if (id == "iq4_nl") k.dtype = KvDtype::IQ4_NL;
    else fail("invalid_field", field, field + ": unknown KV cache dtype \"" + raw + "\"; use auto, bf16, fp16, fp8, q8_0, q4_0, q4_1, q5_0, q5_1 or iq4_nl");
    return k;
}

}  // namespace fitmygpu
