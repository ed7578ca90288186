// GGUF file types emulated tensor by tensor: from a tensor inventory and a llama.cpp file type
// (Q4_K_M, Q8_0, IQ4_XS, ...), the ggml type llama.cpp's quantizer (src/llama-quant.cpp) gives each
// tensor, and from that the exact tensor bytes. core/src/gguf.cpp names the llama.cpp versions it follows.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fitmygpu/ggml_types.hpp"
#include "fitmygpu/tensors.hpp"

namespace fitmygpu {

enum class GgufFileType {
    F32,
    F16,
    BF16,
    Q4_0,
    Q4_1,
    Q5_0,
    Q5_1,
    Q8_0,
    Q2_K,
    Q2_K_S,
    Q3_K_S,
    Q3_K_M,
    Q3_K_L,
    Q4_K_S,
    Q4_K_M,
    Q5_K_S,
    Q5_K_M,
    Q6_K,
    IQ1_S,
    IQ1_M,
    IQ2_XXS,
    IQ2_XS,
    IQ2_S,
    IQ2_M,
    IQ3_XXS,
    IQ3_XS,
    IQ3_S,
    IQ3_M,
    IQ4_NL,
    IQ4_XS,
    TQ1_0,
    TQ2_0,
    MXFP4_MOE,
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
    std::vector<GgufTensor> tensors;  // same order as the inventory, plus GGUF-only tensors appended
    std::vector<Tensor> extra;        // GGUF-only tensors (e.g. rope_freqs for llama3 rope scaling)
    i64 tensor_bytes = 0;             // sum of tensor bytes: what llama.cpp prints as "file size"
    i64 n_elements = 0;               // all elements, for bits per weight
    int n_fallback = 0;               // tensors whose row length forced a fallback type (llama.cpp warns per tensor)

    // Copies re-point the appended GgufTensor entries at their own `extra` (moves keep the buffers, so they are safe).
    GgufLayout() = default;
    GgufLayout(const GgufLayout& other);
    GgufLayout& operator=(const GgufLayout& other);
    GgufLayout(GgufLayout&&) noexcept = default;
    GgufLayout& operator=(GgufLayout&&) noexcept = default;
    ~GgufLayout() = default;

    double bpw() const { return n_elements > 0 ? static_cast<double>(tensor_bytes) * 8.0 / static_cast<double>(n_elements) : 0.0; }
};

// Which generation of llama.cpp's src/llama-quant.cpp to emulate.
enum class GgufRules {
    Legacy,       // builds up to 2025: attn_qkv has its own rule, attn_kv_b gets the default type. Most published files.
    Current,      // 2026 tensor_category refactor: attn_qkv and attn_kv_b are "V-like" (more bits, 70B and 8-expert bumps)
    Mixtral2023,  // Dec-2023 split-expert Mixtral files: no ffn_down bumps, dense attn_output rule, F16 router
};

// llama-quantize options that change tensor types. Defaults reproduce a plain `llama-quantize in.gguf out.gguf TYPE`.
struct GgufOptions {
    GgufRules rules = GgufRules::Legacy;
    std::optional<bool> imatrix;                   // unset: only for file types that abort without one (IQ1_*, IQ2_*, Q2_K_S)
    std::optional<GgmlType> token_embedding_type;  // --token-embedding-type (bartowski "_L"/"_XL": q8_0)
    std::optional<GgmlType> output_tensor_type;    // --output-tensor-type
    bool pure = false;                             // --pure: no mixture rules
    std::optional<bool> rope_freqs;                // unset: detected from the geometry (llama3-style rope scaling)
    // MLA models (DeepSeek V2/V3/R1, Kimi K2): the converter since llama.cpp PR #12801 (April 2025) writes
    // attn_kv_b as attn_k_b [qk_nope, kv_lora_rank, n_head] and attn_v_b [kv_lora_rank, v_head, n_head]; false
    // emulates the older files that keep the fused attn_kv_b.
    bool split_mla_kv_b = true;
};

// Assigns a ggml type to every tensor following llama.cpp's quantizer for file type `ft`.
GgufLayout gguf_layout(const ModelGeometry& g, const Inventory& inv, GgufFileType ft);
GgufLayout gguf_layout(const ModelGeometry& g, const Inventory& inv, GgufFileType ft, const GgufOptions& opts);

}  // namespace fitmygpu
