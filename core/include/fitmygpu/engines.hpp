// One estimator per engine behind one signature (the registry's RuntimeDescriptor::estimate). Each models
// how that engine allocates memory on each device: placement of weights, the KV cache layout and budget
// rule, activation / compute buffers and runtime overhead, and ends with Estimate::decide.
#pragma once
#include "fitmygpu/estimate.hpp"
#include "fitmygpu/scenario.hpp"

namespace fitmygpu {

Estimate estimate_vllm(const Scenario& s);
Estimate estimate_sglang(const Scenario& s);
Estimate estimate_trtllm(const Scenario& s);
Estimate estimate_llamacpp(const Scenario& s);  // also Ollama, which runs llama-server
Estimate estimate_transformers(const Scenario& s);
Estimate estimate_mlx(const Scenario& s);

// Defaults the engines apply when a knob is not set; the registry publishes them (registry.cpp).
struct VllmServeDefaults {
    i64 max_num_batched_tokens;
    i64 max_num_seqs;
};
// `version`: the release asked for (empty: current); `context`: max_model_len, which the V0 engine's defaults follow.
VllmServeDefaults vllm_serve_defaults(const Device& d, const std::string& version = "", i64 context = 0);
// Whether a vLLM release ran the V0 engine by default (before 0.8.0), whose batch defaults follow max_model_len.
bool vllm_v0_defaults(const std::string& version);
inline constexpr double kSglangDefaultMemFraction = 0.88;  // SGLang --mem-fraction-static when the GPU's memory is unknown
inline constexpr i64 kDefaultMaxBatchedTokens = 8192;      // TensorRT-LLM max_num_tokens; SGLang chunked_prefill_size on large GPUs
inline constexpr i64 kTrtEngineMaxBatchSize = 2048;        // trtllm-build max_batch_size (BuildConfig); sizes the C++ runtime buffers
// NVIDIA drivers before R550 (the CUDA 12.4 driver) keep more memory for each instantiated CUDA graph: 3.8086 against
// 1.1367 GiB for the same graphs in vllm-project/vllm#5517, toolkit unchanged.
inline constexpr int kCompactGraphDriver = 550;
inline constexpr double kOldDriverGraphFactor = 3.8086 / 1.1367;
// SGLang's defaults for a GPU (ServerArgs._handle_gpu_memory_settings), which depend on the GPU's memory, the
// parallel layout and the release (`version`, empty = current). `dp_attention` is --dp-size when --enable-dp-attention
// is on, else 1. chunked_prefill_size is the flag's value, before data-parallel attention divides it by the DP size.
struct SglangDefaults {
    i64 chunked_prefill_size = kDefaultMaxBatchedTokens;
    i64 cuda_graph_max_bs = 0;
    double mem_fraction_static = kSglangDefaultMemFraction;
    std::string rule;  // how they were chosen, in words
};
// SGLang's piecewise CUDA graphs for a model (0.5.10+): captured for most text models, with a reserve of their own for MLA.
enum class PiecewiseGraphs { Off, Standard, Mla };
// The largest batch size SGLang captures as a CUDA graph by default (the release's list for the card, TP and speculation).
i64 sglang_capture_max_bs(const Device& d, int tp, const std::string& version, bool speculative);
// chunked_prefill_size and cuda_graph_max_bs, when the server is given them, replace the defaults in the reserve
// mem_fraction_static is computed from (0.5.3 on).
SglangDefaults sglang_defaults(const Device& d, int tp, int pp, const std::string& version, int dp_attention = 1, bool speculative = false,
                               PiecewiseGraphs piecewise_graphs = PiecewiseGraphs::Standard, std::optional<i64> chunked_prefill_size = std::nullopt,
                               std::optional<i64> cuda_graph_max_bs = std::nullopt);

}  // namespace fitmygpu
