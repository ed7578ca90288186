// ggml tensor types and their block layouts (ggml/src/ggml-common.h: the block_* structs and their
// static_asserts; the same table appears in gguf-parser-go ggml.go and Ollama fs/ggml). A row of n
// elements of a block type takes n / block_elems * block_bytes bytes; n must be a multiple of block_elems.
#pragma once
#include <cstdint>

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
    // Types a GGUF file may hold that no quantization of ours writes (integer and f64 tensors, q8_1).
    Q8_1,
    I8,
    I16,
    I32,
    I64,
    F64,
};

struct GgmlTypeInfo {
    GgmlType type;
    uint32_t id;       // its ggml_type value, as a GGUF file stores it (ggml/include/ggml.h enum ggml_type)
    const char* name;  // lowercase as llama.cpp prints it ("q4_K", "f16", "iq4_xs")
    i64 block_elems;
    i64 block_bytes;
};

const GgmlTypeInfo& ggml_info(GgmlType t);
// The type a GGUF file names by its ggml_type value; nullptr for ids ggml removed (4, 5, 31-33, 36-38) or never had.
const GgmlTypeInfo* ggml_info_by_id(uint32_t id);
// Bytes of `n` elements of type t (n a multiple of the block size), as ggml_row_size does.
i64 ggml_row_bytes(GgmlType t, i64 n);

}  // namespace fitmygpu
