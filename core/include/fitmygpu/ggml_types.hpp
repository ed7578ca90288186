// ggml tensor types and their block layouts (ggml/src/ggml-common.h: the block_* structs and their
// static_asserts; the same table appears in gguf-parser-go ggml.go and Ollama fs/ggml). A row of n
// elements of a block type takes n / block_elems * block_bytes bytes; n must be a multiple of block_elems.
#pragma once
#include <optional>
#include <string>

#include "fitmygpu/units.hpp"

namespace fitmygpu {

enum class GgmlType {
    F32,
    F16,
    BF16,
    Q4_0,
    Q4_1,
    Q5_0,
    Q5_1,
    Q8_0,
    Q2_K,
    Q3_K,
    Q4_K,
    Q5_K,
    Q6_K,
    Q8_K,
    IQ1_S,
    IQ1_M,
    IQ2_XXS,
    IQ2_XS,
    IQ2_S,
    IQ3_XXS,
    IQ3_S,
    IQ4_NL,
    IQ4_XS,
    TQ1_0,
    TQ2_0,
    MXFP4,
};

struct GgmlTypeInfo {
    GgmlType type;
    const char* name;  // lowercase as llama.cpp prints it ("q4_K", "f16", "iq4_xs")
    i64 block_elems;
    i64 block_bytes;
};

const GgmlTypeInfo& ggml_info(GgmlType t);
std::optional<GgmlType> ggml_type_from_name(const std::string& name);  // case-insensitive
// Bytes of `n` elements of type t (n a multiple of the block size), as ggml_row_size does.
i64 ggml_row_bytes(GgmlType t, i64 n);

}  // namespace fitmygpu
