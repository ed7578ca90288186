// GGUF file-type emulation. First version: the default type of each file type for every matrix, F32
// for vectors. The per-category llama-quant.cpp rules replace this.
#include "fitmygpu/gguf.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace fitmygpu {

namespace {
struct FtName { GgufFileType ft; const char* name; GgmlType base; };
constexpr std::array<FtName, 33> kFileTypes{{
    {GgufFileType::F32, "F32", GgmlType::F32}, {GgufFileType::F16, "F16", GgmlType::F16}, {GgufFileType::BF16, "BF16", GgmlType::BF16},
    {GgufFileType::Q4_0, "Q4_0", GgmlType::Q4_0}, {GgufFileType::Q4_1, "Q4_1", GgmlType::Q4_1}, {GgufFileType::Q5_0, "Q5_0", GgmlType::Q5_0},
    {GgufFileType::Q5_1, "Q5_1", GgmlType::Q5_1}, {GgufFileType::Q8_0, "Q8_0", GgmlType::Q8_0}, {GgufFileType::Q2_K, "Q2_K", GgmlType::Q2_K},
    {GgufFileType::Q2_K_S, "Q2_K_S", GgmlType::Q2_K}, {GgufFileType::Q3_K_S, "Q3_K_S", GgmlType::Q3_K}, {GgufFileType::Q3_K_M, "Q3_K_M", GgmlType::Q3_K},
    {GgufFileType::Q3_K_L, "Q3_K_L", GgmlType::Q3_K}, {GgufFileType::Q4_K_S, "Q4_K_S", GgmlType::Q4_K}, {GgufFileType::Q4_K_M, "Q4_K_M", GgmlType::Q4_K},
    {GgufFileType::Q5_K_S, "Q5_K_S", GgmlType::Q5_K}, {GgufFileType::Q5_K_M, "Q5_K_M", GgmlType::Q5_K}, {GgufFileType::Q6_K, "Q6_K", GgmlType::Q6_K},
    {GgufFileType::IQ1_S, "IQ1_S", GgmlType::IQ1_S}, {GgufFileType::IQ1_M, "IQ1_M", GgmlType::IQ1_M}, {GgufFileType::IQ2_XXS, "IQ2_XXS", GgmlType::IQ2_XXS},
    {GgufFileType::IQ2_XS, "IQ2_XS", GgmlType::IQ2_XS}, {GgufFileType::IQ2_S, "IQ2_S", GgmlType::IQ2_S}, {GgufFileType::IQ2_M, "IQ2_M", GgmlType::IQ2_S},
    {GgufFileType::IQ3_XXS, "IQ3_XXS", GgmlType::IQ3_XXS}, {GgufFileType::IQ3_XS, "IQ3_XS", GgmlType::IQ3_S}, {GgufFileType::IQ3_S, "IQ3_S", GgmlType::IQ3_S},
    {GgufFileType::IQ3_M, "IQ3_M", GgmlType::IQ3_S}, {GgufFileType::IQ4_NL, "IQ4_NL", GgmlType::IQ4_NL}, {GgufFileType::IQ4_XS, "IQ4_XS", GgmlType::IQ4_XS},
    {GgufFileType::TQ1_0, "TQ1_0", GgmlType::TQ1_0}, {GgufFileType::TQ2_0, "TQ2_0", GgmlType::TQ2_0}, {GgufFileType::MXFP4_MOE, "MXFP4_MOE", GgmlType::MXFP4},
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

GgufLayout gguf_layout(const ModelGeometry&, const Inventory& inv, GgufFileType ft) {
    GgufLayout out;
    const GgmlType base = entry(ft).base;
    for (const Tensor& t : inv.tensors) {
        GgmlType type = t.kind == TensorKind::Matrix ? base : GgmlType::F32;
        if (t.ne0 % ggml_info(type).block_elems != 0) type = GgmlType::F16;
        const i64 bytes = ggml_row_bytes(type, t.ne0) * t.ne1 * t.ne2;
        out.tensors.push_back({&t, type, bytes});
        out.tensor_bytes += bytes;
        out.n_elements += t.elements();
    }
    return out;
}

}  // namespace fitmygpu
