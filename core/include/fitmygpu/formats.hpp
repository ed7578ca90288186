// Checkpoint formats: how many bytes each tensor takes in a given checkpoint, following the layout
// of the real checkpoints (safetensors dtypes, quantization configs, GGUF types).
#pragma once
#include <optional>
#include <string>

#include "fitmygpu/gguf.hpp"
#include "fitmygpu/tensors.hpp"

namespace fitmygpu {

enum class Scheme { BF16, FP16, FP32, FP8, INT8, AWQ_INT4, GPTQ_INT4, MXFP4, NVFP4, BNB_4BIT, MLX_4BIT, MLX_8BIT, GGUF };

struct WeightFormat {
    Scheme scheme = Scheme::BF16;
    std::string id;  // the API id: "bf16", "awq-int4", "gguf:Q4_K_M", ...
    GgufFileType gguf = GgufFileType::F16;
    bool is_gguf() const { return scheme == Scheme::GGUF; }
    // Bits per weight of the quantized matrices, for display ("4-bit", "8-bit").
    std::string label() const;
};

// Parses a format id; throws FieldError(field) for an unknown one.
WeightFormat parse_weight_format(const std::string& id, const std::string& field = "weights");
// The default format of a model: the quantization_config its checkpoint ships with (g.quantization), else
// its torch_dtype.
WeightFormat native_weight_format(const ModelGeometry& g);

// Bytes of one tensor in a non-GGUF checkpoint format (GGUF goes through gguf_layout).
i64 tensor_bytes(const Tensor& t, const WeightFormat& f);
// Whether the config's quantization_config leaves the tensor unquantized (modules_to_not_convert, ignore with
// compressed-tensors "re:" patterns, ignored_layers, exclude_modules globs), by its Hugging Face module name.
bool left_unquantized(const Tensor& t, const QuantizationSpec& q);
// A matrix in bitsandbytes 4-bit, with or without double quantization of its block scales.
i64 bnb_4bit_bytes(const Tensor& t, bool double_quant);
// A tensor's bytes in the checkpoint a quantization_config describes (f being that checkpoint's own format): what
// its ignore list names stays 16-bit, and a layout it states (a compressed-tensors int4 group size) replaces the
// format's usual one.
i64 stated_tensor_bytes(const Tensor& t, const WeightFormat& f, const QuantizationSpec& q);
// Whether `f` stores tensor `t` quantized (the linear layers) or keeps it in 16-bit
// (embeddings, lm_head, norms, biases, routers — as FP8/AWQ/GPTQ/NVFP4 checkpoints do).
bool is_quantized_in(const Tensor& t, const WeightFormat& f);

// KV cache element types.
enum class KvDtype { F32, BF16, F16, FP8, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL };
struct KvType {
    KvDtype dtype = KvDtype::BF16;
    std::string id;
    // Bytes of n elements (n a multiple of the block size for block types).
    i64 bytes(i64 n) const;
};
KvType parse_kv_dtype(const std::string& id, const std::string& field = "kv_cache_dtype");

}  // namespace fitmygpu
