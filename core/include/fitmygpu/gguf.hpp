// GGUF file types emulated tensor by tensor: from a tensor inventory and a llama.cpp file type
// (Q4_K_M, Q8_0, IQ4_XS, ...), the ggml type llama.cpp's quantizer (src/llama-quant.cpp) gives each
// tensor, and from that the exact tensor bytes. See ../shared/reference/gguf.md for the rules.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fitmygpu/ggml_types.hpp"
#include "fitmygpu/tensors.hpp"

namespace fitmygpu {

enum class GgufFileType {
    F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
    Q2_K, Q2_K_S, Q3_K_S, Q3_K_M, Q3_K_L, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K,
    IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ2_M, IQ3_XXS, IQ3_XS, IQ3_S, IQ3_M, IQ4_NL, IQ4_XS,
    TQ1_0, TQ2_0, MXFP4_MOE,
};

std::optional<GgufFileType> gguf_file_type_from_name(const std::string& name);  // "Q4_K_M", case-insensitive
const char* gguf_file_type_name(GgufFileType ft);
std::vector<GgufFileType> all_gguf_file_types();

struct GgufTensor {
    const Tensor* tensor;  // points into the inventory passed in
    GgmlType type;
    i64 bytes;
};

struct GgufLayout {
    std::vector<GgufTensor> tensors;   // same order as the inventory, plus GGUF-only tensors appended
    std::vector<Tensor> extra;         // GGUF-only tensors (e.g. rope_freqs for llama3 rope scaling)
    i64 tensor_bytes = 0;              // sum of tensor bytes: what llama.cpp prints as "file size"
    i64 n_elements = 0;                // all elements, for bits per weight
    double bpw() const { return n_elements > 0 ? static_cast<double>(tensor_bytes) * 8.0 / static_cast<double>(n_elements) : 0.0; }
};

// Assigns a ggml type to every tensor following llama.cpp's quantizer for file type `ft`.
// `config_has_rope_freqs`: llama3-style rope scaling adds a rope_freqs tensor to the GGUF.
GgufLayout gguf_layout(const ModelGeometry& g, const Inventory& inv, GgufFileType ft);

}  // namespace fitmygpu
