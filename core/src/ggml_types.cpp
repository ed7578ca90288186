#include "fitmygpu/ggml_types.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include "text.hpp"

namespace fitmygpu {

namespace {
// Block sizes from ggml-org/llama.cpp ggml/src/ggml-common.h (the static_asserts on each block_* struct).
constexpr std::array<GgmlTypeInfo, 26> kTypes{{
    {GgmlType::F32, "f32", 1, 4},
    {GgmlType::F16, "f16", 1, 2},
    {GgmlType::BF16, "bf16", 1, 2},
    {GgmlType::Q4_0, "q4_0", 32, 18},
    {GgmlType::Q4_1, "q4_1", 32, 20},
    {GgmlType::Q5_0, "q5_0", 32, 22},
    {GgmlType::Q5_1, "q5_1", 32, 24},
    {GgmlType::Q8_0, "q8_0", 32, 34},
    {GgmlType::Q2_K, "q2_K", 256, 84},
    {GgmlType::Q3_K, "q3_K", 256, 110},
    {GgmlType::Q4_K, "q4_K", 256, 144},
    {GgmlType::Q5_K, "q5_K", 256, 176},
    {GgmlType::Q6_K, "q6_K", 256, 210},
    {GgmlType::Q8_K, "q8_K", 256, 292},
    {GgmlType::IQ1_S, "iq1_s", 256, 50},
    {GgmlType::IQ1_M, "iq1_m", 256, 56},
    {GgmlType::IQ2_XXS, "iq2_xxs", 256, 66},
    {GgmlType::IQ2_XS, "iq2_xs", 256, 74},
    {GgmlType::IQ2_S, "iq2_s", 256, 82},
    {GgmlType::IQ3_XXS, "iq3_xxs", 256, 98},
    {GgmlType::IQ3_S, "iq3_s", 256, 110},
    {GgmlType::IQ4_NL, "iq4_nl", 32, 18},
    {GgmlType::IQ4_XS, "iq4_xs", 256, 136},
    {GgmlType::TQ1_0, "tq1_0", 256, 54},
    {GgmlType::TQ2_0, "tq2_0", 256, 66},
    {GgmlType::MXFP4, "mxfp4", 32, 17},
}};

}  // namespace

const GgmlTypeInfo& ggml_info(GgmlType t) {
    for (const auto& info : kTypes)
        if (info.type == t) return info;
    return kTypes[0];
}

std::optional<GgmlType> ggml_type_from_name(const std::string& name) {
    const std::string n = lower(name);
    for (const auto& info : kTypes)
        if (lower(info.name) == n) return info.type;
    return std::nullopt;
}

i64 ggml_row_bytes(GgmlType t, i64 n) {
    const GgmlTypeInfo& info = ggml_info(t);
    return n / info.block_elems * info.block_bytes;
}

}  // namespace fitmygpu
