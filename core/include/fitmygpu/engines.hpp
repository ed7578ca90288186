// One estimator per engine behind one signature. Each models how that engine allocates memory on each
// device: placement of weights, the KV cache layout and budget rule, activation / compute buffers and
// runtime overhead. `estimate()` adds the inverse answers (limits) and speed on top.
#pragma once
#include "fitmygpu/estimate.hpp"
#include "fitmygpu/scenario.hpp"

namespace fitmygpu {

Estimate estimate_vllm(const Scenario& s);
Estimate estimate_sglang(const Scenario& s);
Estimate estimate_trtllm(const Scenario& s);
Estimate estimate_llamacpp(const Scenario& s);   // also Ollama, which runs llama-server
Estimate estimate_transformers(const Scenario& s);
Estimate estimate_mlx(const Scenario& s);

// The defaults each engine applies when a knob is not set, resolved for the scenario's devices (vLLM's batch
// limits depend on the GPU): {"knob": value}. The engines read the same functions, so there is one source.
nlohmann::json engine_defaults(const Scenario& s);
struct VllmServeDefaults {
    i64 max_num_batched_tokens;
    i64 max_num_seqs;
};
VllmServeDefaults vllm_serve_defaults(const Device& d);
inline constexpr double kSglangDefaultMemFraction = 0.88;   // SGLang --mem-fraction-static default for large GPUs
inline constexpr i64 kDefaultMaxBatchedTokens = 8192;       // SGLang chunked_prefill_size, TensorRT-LLM max_num_tokens

// The engine's own estimate without limits or speed (what the solvers call repeatedly).
Estimate estimate_engine(const Scenario& s);
// The full answer: engine estimate + limits + speed + verdict.
Estimate estimate(const Scenario& s);

// Per-tensor bytes of the scenario's checkpoint, in inventory order, plus GGUF-only tensors.
struct CheckpointBytes {
    std::vector<i64> per_tensor;
    i64 extra = 0;   // tensors only the GGUF has (rope_freqs), placed with the output layer
    i64 total = 0;
};
CheckpointBytes checkpoint_bytes(const Scenario& s);

// The draft model of a speculative setup as a scenario of its own (same format, devices and engine).
Scenario draft_scenario(const Scenario& s);
// Bytes of the speculator's weights: the MTP layers at the checkpoint's average bytes per parameter, or the
// whole draft checkpoint.
i64 speculator_weight_bytes(const Scenario& s, const CheckpointBytes& main);

}  // namespace fitmygpu
