// The tensor inventory: every weight tensor a checkpoint of the model holds, with its role, layer and
// shape. Parameter counts are sums over this list; weight bytes are sums of per-tensor bytes under a
// checkpoint format (formats.hpp). Shapes follow ggml's order: ne0 is the row length (the input
// dimension of a matrix, the one block quantization runs along), ne1 the number of rows, ne2 experts.
#pragma once
#include <string>
#include <vector>

#include "fitmygpu/geometry.hpp"

namespace fitmygpu {

enum class Role {
    TokenEmbd,
    Output,
    OutputNorm,
    AttnNorm,
    AttnPostNorm,
    FfnNorm,
    FfnPostNorm,
    AttnQ,
    AttnK,
    AttnV,
    AttnOut,
    AttnQNorm,
    AttnKNorm,
    AttnSinks,
    AttnQA,
    AttnQANorm,
    AttnQB,
    AttnKVA,
    AttnKVANorm,
    AttnKVB,  // MLA
    Indexer,  // DeepSeek sparse attention: the lightning indexer's projections and key norm
    FfnGate,
    FfnUp,
    FfnDown,
    FfnGateInp,       // MoE router
    FfnExpProbsBias,  // DeepSeek-V3 e_score_correction_bias
    FfnGateExps,
    FfnUpExps,
    FfnDownExps,
    FfnGateShexp,
    FfnUpShexp,
    FfnDownShexp,
    FfnGateInpShexp,
    SsmIn,
    SsmConv1d,
    SsmDt,
    SsmA,
    SsmD,
    SsmNorm,
    SsmOut,
    SsmX,          // Mamba / Gated DeltaNet
    Vision,        // vision/audio encoder and projector, counted as one block
    Mtp,           // multi-token-prediction layers shipped in the checkpoint
    RopeFreqs,     // GGUF-only: llama3 rope frequency factors
    PerLayerEmbd,  // Gemma 3n / 4: per-layer input embedding table (looked up like token_embd)
    Aux,           // small auxiliary projections (per-layer input gates, AltUp, LAuReL)
};

enum class TensorKind { Matrix, Vector, Bias };

// The most elements one tensor (or one layer's cache row) may hold: 2^44 (17.6 trillion), over a thousand times the
// largest tensor of any published model (DeepSeek-V3's stacked experts: 3.8 billion). Below it, a tensor's bytes in
// any format and the sum over a model's tensors stay far inside 64 bits; build_inventory and cache_layers refuse a
// config whose sizes multiply beyond it (FieldError "out_of_range" naming "config").
inline constexpr i64 kMaxTensorElements = i64{1} << 44;

struct Tensor {
    std::string name;  // llama.cpp GGUF-style name, e.g. "blk.3.attn_q.weight"
    Role role;
    TensorKind kind;
    int layer;    // -1 for tensors outside the repeating blocks
    i64 ne0;      // row length (input features for matrices)
    i64 ne1 = 1;  // rows (output features)
    i64 ne2 = 1;  // experts (stacked expert tensors)

    i64 elements() const { return ne0 * ne1 * ne2; }
    bool is_expert() const { return role == Role::FfnGateExps || role == Role::FfnUpExps || role == Role::FfnDownExps; }
};

struct Inventory {
    std::vector<Tensor> tensors;
    i64 total_params() const;
    // Parameters per token: every non-expert tensor (embeddings included, as Qwen and Mistral count them)
    // plus n_experts_per_tok of each stacked expert tensor.
    i64 active_params(const ModelGeometry& g) const;
    // Parameters of one repeating layer (all its tensors).
    i64 layer_params(int layer) const;
};

// Builds the inventory. Vision encoders and MTP layers are included as single aggregate tensors only
// when `with_extras` is set (they are loaded only in some setups).
Inventory build_inventory(const ModelGeometry& g, bool with_extras = false);

const char* role_name(Role r);
bool is_norm(Role r);

}  // namespace fitmygpu
