#include "fitmygpu/ggml_types.hpp"

#include <array>

namespace fitmygpu {

namespace {
// Block sizes from ggml-org/llama.cpp ggml/src/ggml-common.h (the static_asserts on each block_* struct); ids from
// ggml/include/ggml.h (enum ggml_type), where 4, 5, 31-33 and 36-38 are types since removed, which a file may not use.
constexpr std::array<GgmlTypeInfo, 32> kTypes{{
    {GgmlType::F32, 0, "f32", 1, 4},
    {GgmlType::F16, 1, "f16", 1, 2},
    {GgmlType::BF16, 30, "bf16", 1, 2},
    {GgmlType::Q4_0, 2, "q4_0", 32, 18},
    {GgmlType::Q4_1, 3, "q4_1", 32, 20},
    {GgmlType::Q5_0, 6, "q5_0", 32, 22},
    {GgmlType::Q5_1, 7, "q5_1", 32, 24},
    {GgmlType::Q8_0, 8, "q8_0", 32, 34},
    {GgmlType::Q2_K, 10, "q2_K", 256, 84},
    {GgmlType::Q3_K, 11, "q3_K", 256, 110},
    {GgmlType::Q4_K, 12, "q4_K", 256, 144},
    {GgmlType::Q5_K, 13, "q5_K", 256, 176},
    {GgmlType::Q6_K, 14, "q6_K", 256, 210},
    {GgmlType::Q8_K, 15, "q8_K", 256, 292},
    {GgmlType::IQ1_S, 19, "iq1_s", 256, 50},
    {GgmlType::IQ1_M, 29, "iq1_m", 256, 56},
    {GgmlType::IQ2_XXS, 16, "iq2_xxs", 256, 66},
    {GgmlType::IQ2_XS, 17, "iq2_xs", 256, 74},
    {GgmlType::IQ2_S, 22, "iq2_s", 256, 82},
    {GgmlType::IQ3_XXS, 18, "iq3_xxs", 256, 98},
    {GgmlType::IQ3_S, 21, "iq3_s", 256, 110},
    {GgmlType::IQ4_NL, 20, "iq4_nl", 32, 18},
    {GgmlType::IQ4_XS, 23, "iq4_xs", 256, 136},
    {GgmlType::TQ1_0, 34, "tq1_0", 256, 54},
    {GgmlType::TQ2_0, 35, "tq2_0", 256, 66},
    {GgmlType::MXFP4, 39, "mxfp4", 32, 17},
    {GgmlType::Q8_1, 9, "q8_1", 32, 36},
    {GgmlType::I8, 24, "i8", 1, 1},
    {GgmlType::I16, 25, "i16", 1, 2},
    {GgmlType::I32, 26, "i32", 1, 4},
    {GgmlType::I64, 27, "i64", 1, 8},
    {GgmlType::F64, 28, "f64", 1, 8},
}};

}  // namespace

const GgmlTypeInfo& ggml_info(GgmlType t) {
    for (const auto& info : kTypes)
        if (info.type == t) return info;
    return kTypes[0];
}

const GgmlTypeInfo* ggml_info_by_id(uint32_t id) {
    for (const auto& info : kTypes)
        if (info.id == id) return &info;
    return nullptr;
}

i64 ggml_row_bytes(GgmlType t, i64 n) {
    const GgmlTypeInfo& info = ggml_info(t);
    return n / info.block_elems * info.block_bytes;
}

}  // namespace fitmygpu
