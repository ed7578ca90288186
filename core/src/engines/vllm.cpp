// vLLM (V1 engine). Budget rule (gpu_worker.determine_available_memory):
//   KV pool = gpu_memory_utilization × total device memory
//             − weights − activation peak of the profiling run − non-torch memory − CUDA graphs
// The pool is cut into blocks of block_size tokens (one page per layer of a KV cache group); the number
// of blocks is the minimum over ranks. Concurrency = blocks ÷ blocks one request of max_model_len needs.
#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>

#include "engine_parts.hpp"
#include "fitmygpu/checked.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/version.hpp"
#include "text.hpp"

namespace fitmygpu {

namespace {

// Sampler peak of the profiling run (gpu_model_runner._dummy_sampler_run): max_num_seqs rows of
// full-vocabulary logits pass through fp32 conversion, top-k/top-p sort (values + int64 indices),
// softmax, cumulative sum, masks and the random exponential draw. The per-logit total was measured
// from vLLM v0.11 startup logs whose activation peak is sampler-bound: gpt-oss-20b and -120b (vocab
// 201,088, 1,024 seqs: 7.38 GiB), Qwen3-0.6B and Qwen3-32B (151,936: 5.56 / 5.64), Llama-3.1-8B
// (128,256: 4.76), and Qwen3-235B on L40S (151,936 × 256 seqs: 1.4) — calibration rows V-1,2,4,5,6,16.
// All give 38–39 bytes per logit.
constexpr double kSamplerBytesPerLogitV011 = 38.5;
// From 0.17 (vllm-project/vllm#33538) batches of 8 rows or more go to the Triton top-k/top-p kernel
// (topk_topp_triton.apply_top_k_top_p_triton), which masks the fp32 logits in place after a pivot search instead of
// sorting them. What is alive at the peak is the bf16 logits (2 B a logit), their fp32 copy (4 B), the softmax
// probabilities (4 B) and the exponential draw random_sample divides them by (4 B): 14 B. Beside them: the kernel's
// per-program scratch, one fp32 vocabulary row for each of min(next power of 2 of min(SMs, rows), SMs) programs
// (_TRITON_BUFFER_CACHE), and the hidden states of the forward pass the sampler's rows were gathered from
// (max_num_batched_tokens × hidden, 16-bit). The 0.19.0 logs of seven dense models on H100 at 1,024 sequences
// (V-54, V-58, V-62..V-66, vocabularies 100,352 to 262,208) print peaks 0.04-0.06 GiB above these three terms.
constexpr double kTritonSamplerBytesPerLogit = 14.0;
// The fused-MoE workspace (model_executor/layers/fused_moe/modular_kernel.py, _allocate_buffers) comes from the worker's
// WorkspaceManager (v1/worker/workspace.py), which keeps it: the profiling pass's MoE layers leave it allocated while
// the sampler runs, so the two add up. For the Triton experts (16-bit and FP8 weights) the single-chunk case takes
// max(workspace13, output) and workspace2: (M, top_k, max(N / 2, K)) and (M, top_k, max(N, K)) in the activation dtype,
// M = max_num_batched_tokens, N = 2 × expert width / TP, K = hidden. The 0.19.0 logs of Qwen3-30B-A3B (V-61, 2.68 GiB
// against a 2.13 GiB sampler) and Mixtral-8x7B at TP 2 (V-70, 1.21 against 0.51) hold about that much more; 0.14 kept
// its workspace the same way; 0.10 and 0.11 logs show none (V-16, and gpt-oss's own MXFP4 kernels on 0.11).
constexpr std::initializer_list<long> kPersistentMoeWorkspaceRelease = {0, 14};
constexpr i64 kTritonSamplerMinRows = 8;
// With FlashInfer's top-k/top-p kernel (topk_topp_sampler.py, flashinfer_sample → top_k_top_p_sampling_from_logits),
// what is alive per logit is the bf16 logits (2 B), the sampler's fp32 copy (4 B; temperature divides it in place),
// the fp32 logits top_k_mask_logits writes (4 B) and the fp32 probabilities (4 B): 14 B. The V1 sampler takes that
// path when FlashInfer is installed and VLLM_USE_FLASHINFER_SAMPLER is not 0, from vllm-project/vllm#11394 until
// #26859 turned it off by default after 0.11.0. FlashInfer was not a dependency of the pip package then (an extra
// from #21959); the official images shipped it. V-39..V-41 (0.10.1.1, "Using FlashInfer for top-p & top-k
// sampling") leave 0.55 GiB for a 256 x 152,064 sampler where sorting needs 1.4 GiB.
constexpr double kFlashInferSamplerBytesPerLogit = 14.0;
bool flashinfer_sampler(const Scenario& s) {
    if (!s.engine.flashinfer_sampler.value_or(false) || s.devices.empty()) return false;
    const Device& d = s.devices.front();
    return d.vendor == "NVIDIA" && d.compute_capability_major >= 8;
}

// Non-torch memory (CUDA context growth, NCCL and custom all-reduce buffers) after profiling:
// 0.13 GiB on one H100 in the v0.11 logs (V-1..V-5: 0.13-0.14), 0.21 GiB per rank at TP=4 over PCIe (L40S,
// V-16), and 0.55 / 0.54 GiB per rank at TP=2 over NVLink (H100 SXM, V-26 and V-29). The NVLink ranks hold about
// 0.33 GiB more than the PCIe ranks: NCCL opens many more channels over NVLink, each with its own send and
// receive buffers, and vLLM adds its NVLink-only all-reduce buffers (custom all-reduce, symmetric memory).
constexpr i64 kNonTorchSingle = static_cast<i64>(0.13 * GiB);
constexpr i64 kNonTorchParallel = static_cast<i64>(0.21 * GiB);
constexpr i64 kNonTorchParallelNvlink = static_cast<i64>(0.55 * GiB);
// Later releases on the V1 runner measure more. One H100: 0.13 GiB in 0.17.0, 0.25 in 0.18.0 (the same Qwen3-14B setup,
// V-72 and V-73) and 0.24-0.27 across the 0.19.0 rows (V-53, V-54, V-57, V-61..V-63, V-68, V-69). TP ranks over NVLink
// in 0.19.0: 2.07-2.21 GiB, whatever the model's width (hidden 2,880 to 8,192) or the TP size (2 or 4: V-55, V-56,
// V-58..V-60, V-66, V-67, V-70), about 1.55 GiB more than 0.11.0's ranks — NCCL's own buffers for the large all-reduces
// of the profiling pass, which 0.19 routes to NCCL (median 2.10 GiB). Releases between are taken as the earlier ones.
constexpr i64 kNonTorchSingle018 = static_cast<i64>(0.25 * GiB);
constexpr i64 kNonTorchParallelNvlink019 = static_cast<i64>(2.10 * GiB);

// CUDA graphs. What is captured (vllm_cudagraph_capture_sizes, full_decode_graphs):
//  - PIECEWISE (the default before 0.11): torch.compile splits the forward at every attention (and other mixer)
//    op, and each of the layers + 1 pieces becomes a graph of its own for every capture size.
//  - FULL_AND_PIECEWISE (the default from 0.11.0, CompilationConfig.cudagraph_mode): the same piecewise graphs
//    for mixed batches, plus one whole-model FULL graph per capture size up to max_num_seqs × decode_query_len
//    for uniform decode batches (gpu_model_runner.capture_model).
// All graphs share one memory pool, captured largest size first so the smaller sizes reuse its buffers. The pool
// therefore holds the intermediate tensors of the largest capture (a forward pass over that many tokens) plus,
// for every graph, the memory the driver keeps for the instantiated graph. vLLM's own estimator has the same
// shape (profile_cudagraph_memory: the first capture of the largest size + a per-graph increment × the number of
// further graphs). The per-graph sizes below come from logs whose "Graph capturing finished in N secs, took X GiB"
// is the pool itself (vllm_graphs says when it is):
//  - 0.19.0 on H100, FULL_AND_PIECEWISE with 51 sizes of each (V-53..V-64): with the FlashAttention 3 split
//    accumulators of the largest FULL capture (below) and 2.5 MiB per FULL graph, each dense piece costs 0.28-0.32 MiB
//    (Llama-3.1-8B 0.29 at TP 1, 2 and 4; Qwen2.5-7B 0.32; gemma-2-9b 0.31; phi-4 0.28; Qwen2.5-72B 0.28);
//  - PIECEWISE only (0.9-0.10), where no FULL graph shares the pool: 0.21-0.235 MiB a piece on A100s and an L4 (V-39,
//    V-155, V-181, V-212: 1.5B to 8B models), 0.26 on an RTX 4090 with FP8 weights (V-52); 0.29 on L40S in 0.16 (V-65).
// So 0.28 MiB a piece on any board of these generations from 0.11, and 0.225 MiB in the PIECEWISE-only releases. The
// driver matters more than the board: CUDA drivers before 12.4 (R535 and older) keep about 3.35 times as much per graph
// (vllm-project/vllm#5517: 3.81 GiB against 1.14 GiB, toolkit unchanged), as the A100 on driver 535 of V-37 and V-38
// shows (0.9 and 1.3 MiB a piece: 4.0 and 4.5 times the current pieces, #5517's ratio being of whole pools, activations
// included); the estimate follows current drivers. Pieces that hold an MoE layer cost more
// (routing, expert sort and grouped GEMMs are many more kernel nodes): 0.47, 0.54 and 0.52 MiB per piece in V-1, V-2
// (gpt-oss, 81 sizes) and V-16 (Qwen3-235B, 67 sizes, L40S), the median 0.52 MiB, which V-61 (Qwen3-30B-A3B, 0.19.0)
// matches too. Drivers before R550: the per-graph memory times kOldDriverGraphFactor (engines.hpp).
constexpr i64 kFullGraphBytes = 5 * MiB / 2;
constexpr i64 kPiecewiseGraphBytes = 287 * KiB;      // 0.28 MiB
constexpr i64 kPiecewiseOnlyGraphBytes = 230 * KiB;  // 0.225 MiB, releases before 0.11
// FULL decode graphs with FlashAttention 3 (the FlashAttention backend on compute capability 9): the backend plans
// every FULL capture with VLLM_FLASH_ATTN_MAX_NUM_SPLITS_FOR_CUDA_GRAPH = 32 KV splits (flash_attn.py, aot_schedule),
// and FA3 allocates each split's fp32 output and log-sum-exp for every query head inside the capture, so the pool
// keeps those of the largest FULL size: 32 × rows × heads × (head_dim + 1) × 4 B. vLLM's own DEBUG line for its first
// FULL capture agrees ("Estimated FULL CUDA graph memory: 260 MiB first-capture" for Llama-3.1-8B at 512 rows: 256 MiB
// of accumulators and the graph).
constexpr i64 kFa3CudaGraphSplits = 32;
constexpr i64 kMoePiecewiseGraphBytes = 532 * KiB;  // 0.52 MiB
// When the graph pool is paid for. vLLM from 0.20.1 (graph_estimate_budgeted) estimates it during profiling and
// subtracts it from the KV budget (VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS, added opt-in by vllm-project/vllm#30515);
// earlier versions allocated it outside the budget. The worker says so at startup: "CUDA graph memory
// profiling is enabled (default since v0.21.0)" (noonghunna/club-3090#104, eugr/spark-vllm-docker#396).
// What it subtracts is gpu_model_runner.profile_cudagraph_memory's figure, "Estimated CUDA graph memory: X GiB total"
// (vllm_graphs spells the rule out). The FlashInfer attention backend allocates its workspace the first time it builds
// attention metadata (FlashInferMetadataBuilder._get_workspace_buffer), and the profiling run builds none (its dummy
// pass skips attention), so the first FULL capture of that profile is where it appears. Its size is
// VLLM_FLASHINFER_WORKSPACE_BUFFER_SIZE, 394 MiB by default (vllm/envs.py).
constexpr i64 kFlashInferWorkspaceBytes = 394 * MiB;
// FULL graphs keep one FlashInfer decode wrapper per capture size (FlashInferMetadataBuilder._get_decode_wrapper,
// _decode_wrappers_cudagraph keyed by batch size), and each wrapper allocates its own 8 MiB integer workspace on the
// device (flashinfer decode.py, BatchDecodeWithPagedKVCacheWrapper.__init__), so every FULL size adds one.
constexpr i64 kFlashInferDecodeIntWorkspaceBytes = 8 * MiB;
// profile_cudagraph_memory counts at least 1 MiB for each graph after the first ("driver overhead").
constexpr i64 kProfiledPerGraphFloor = MiB;

// Defaults of `vllm serve` (engine/arg_utils.py, get_batch_defaults): on GPUs with at least 70 GiB that
// are not A100s, max_num_batched_tokens 8192 and max_num_seqs 1024; otherwise 2048 and 256. The device memory
// comes from NVML, and where NVML cannot report it (NVIDIA's unified-memory GB10: nvmlDeviceGetMemoryInfo is not
// supported) the exception is caught and the memory taken as 0, so a DGX Spark gets the small defaults; its
// 0.11 log prints "max_num_batched_tokens=2048" (V-28). From 0.28.0 the large GPUs' token budget is 16,384
// (vllm-project/vllm#51726, merged 2026-08-10 between 0.27.1 and 0.28.0: "VLLM now defaults to 16384", ROCm/MAD#235).
constexpr i64 kLargeGpuBatchedTokens0280 = 16384;
}  // namespace

// Before 0.8.0 the default engine was V0 (SchedulerConfig): max_num_seqs 256, and max_num_batched_tokens
// max(max_model_len, 2048) without chunked prefill, which V0 turned on by itself only above 32,768 tokens of context,
// with a budget of 512 tokens ("Chunked prefill is enabled with max_num_batched_tokens=512").
constexpr i64 kV0ChunkedPrefillContext = 32768;
bool vllm_v0_defaults(const std::string& version) { return engine_version_before(version, {0, 8}); }

VllmServeDefaults vllm_serve_defaults(const Device& d, const std::string& version, i64 context) {
    if (vllm_v0_defaults(version)) return {context > kV0ChunkedPrefillContext ? 512 : std::max<i64>(context, 2048), 256};
    const bool nvml_reports_memory = !(d.unified && d.vendor == "NVIDIA");
    const bool large = nvml_reports_memory && d.engine_total_bytes >= 70 * GiB && d.name.find("A100") == std::string::npos;
    if (!large) return {2048, 256};
    return {engine_version_before(version, {0, 28}) ? i64{8192} : kLargeGpuBatchedTokens0280, 1024};
}

// The tokens a request may have in flight, which bound a sliding-window (or chunked-local) layer's blocks per request:
// from 0.26.0 max_concurrent_batches × max_num_batched_tokens (vllm-project/vllm#47728: with async scheduling, the
// default, the scheduler runs one batch ahead, so blocks stay until the step that read them has settled; two batches,
// or the pipeline stages), before it one batch (vllm-project/vllm#49878 traces Gemma 4's larger KV need in 0.26.0 to it).
i64 vllm_in_flight_tokens(const std::string& version, i64 max_num_batched_tokens, int pipeline_stages) {
    if (engine_version_before(version, {0, 26})) return max_num_batched_tokens;
    return checked::mul(pipeline_stages > 1 ? pipeline_stages : 2, max_num_batched_tokens);
}

namespace {

// The release that subtracts its profiled CUDA-graph estimate from the KV budget and prints "GPU KV cache size" as
// maximum concurrency × max_model_len: 0.20.1, though its startup line calls the profiling "default since v0.21.0".
// The logs place it between 0.20.1rc1 and 0.20.1: 0.20.1rc1 and its nightly 0.20.1rc1.dev23 printed the older token
// rule (noonghunna/club-3090#46, eugr/spark-vllm-docker#200); 0.20.1 budgets "Estimated CUDA graph memory" and prints
// 619,479 = 2.363 × 262,144 tokens (V-35), as do the later 0.20.2rc1 nightlies (noonghunna/club-3090#104, #142) and 0.21.0.
constexpr const char* kGraphBudgetRelease = "0.20.1";  // the text of the release graph_estimate_budgeted tests for
bool graph_estimate_budgeted(const std::string& version) {
    if (!engine_version_before(version, {0, 20, 2})) return true;  // the 0.20.2rc1 nightlies on, and no version given
    if (engine_version_before(version, {0, 20, 1})) return false;
    const auto v = parse_engine_version(version);  // 0.20.1 itself, not its release candidates or their nightlies
    return v && v->pre.empty() && v->dev < 0;
}
// VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS turns it on or off in the releases that read it: vllm-project/vllm#30515
// (merged 2025-12-11) added it off by default, and the 0.18.1 log of V-251 offers it ("To try it now, set ...=1");
// taken here as read from 0.14.0, the first release cut after the merge.
bool graphs_budgeted(const Scenario& s) {
    if (s.engine.cudagraph_memory_profiling && !engine_version_before(s.engine.version, {0, 14})) return *s.engine.cudagraph_memory_profiling;
    return graph_estimate_budgeted(s.engine.version);
}
// The cudagraph_mode default: PIECEWISE before 0.11.0, FULL_AND_PIECEWISE since (vllm-project/vllm#25444).
bool full_decode_graphs(const std::string& version) { return !engine_version_before(version, {0, 11}); }
// Whether vLLM serves the model's attention with FlashInfer (platforms/cuda.py, _get_backend_priorities, then each
// backend's own checks): for non-MLA attention FlashInfer leads the list on compute capability 10 (B200, GB200);
// elsewhere FlashAttention leads, but it takes an fp8 KV cache only as FlashAttention 3 (Hopper) and heads up to 256
// wide, so an fp8 cache off Hopper, or wider heads, go to FlashInfer, the next in the list. The logs agree: bf16 on
// Ampere prints "Using FLASH_ATTN attention backend out of potential backends: ['FLASH_ATTN', 'FLASHINFER', ...]",
// fp8 KV on RTX 3090s "attention backend FlashInferBackend" (noonghunna/club-3090#104).
bool flashinfer_attention(const Scenario& s) {
    const ModelGeometry& g = s.geometry;
    if (g.has(Mixer::Mla) || s.devices.empty()) return false;
    const int cc = s.devices.front().compute_capability_major;
    if (cc == 0) return false;
    if (cc == 10) return true;
    i64 widest_head = 0;
    for (const auto& l : g.layers)
        if (l.mixer == Mixer::FullAttention || l.mixer == Mixer::SlidingAttention || l.mixer == Mixer::ChunkedAttention)
            widest_head = std::max({widest_head, l.head_dim_k, l.head_dim_v});
    return (s.kv.dtype == KvDtype::FP8 && cc != 9) || widest_head > 256;
}

// Whether a non-MLA model's attention runs on FlashAttention: not FlashInfer's models (above); not float32, which
// FlashAttention does not take (TRITON_ATTN: V-113, Llama-3.1-8B with --dtype float32 on 0.19.0); and not Gemma 3's
// vision-language model from 0.12, whose image tokens attend bidirectionally (ModelConfig.is_mm_prefix_lm, from
// vllm-project/vllm#27938) through a backend that takes that mask, which FlashAttention's does not (TRITON_ATTN:
// V-108, V-109 on 0.19.0).
bool flash_attention(const Scenario& s) {
    if (flashinfer_attention(s) || s.kv.dtype == KvDtype::F32 || s.weights.scheme == Scheme::FP32) return false;
    const bool mm_prefix = s.geometry.architecture == "Gemma3ForConditionalGeneration" && s.encoder_params > 0;
    return !(mm_prefix && !engine_version_before(s.engine.version, {0, 12}));
}
// MLA on Hopper: FLASH_ATTN_MLA leads the MLA backends from 0.11 (the V1 FULL-graph default; V-106 prints it on
// 0.19.0); it takes no fp8 cache ("FlashAttnMLA V1 with FP8 KV cache not yet supported"), which goes elsewhere.
bool flash_attn_mla(const Scenario& s) { return s.geometry.has(Mixer::Mla) && s.kv.dtype != KvDtype::FP8 && !engine_version_before(s.engine.version, {0, 11}); }

// "GPU KV cache size" before 0.20.1 was num_blocks // len(kv_cache_groups) × the smallest block size; vLLM PR
// #40694 (issue #40691, a Qwen3.5 log on 0.19.0: 290,864 tokens beside 33.04x at 32,768) replaced it with
// max_concurrency × max_model_len. Logs agree on the boundary (graph_estimate_budgeted): 0.20.1rc1 still printed
// 67,728 tokens beside 1.06x at 180,000 (noonghunna/club-3090#46) and 0.20.1rc1.dev23 1,253,392 = 589 × 2,128 on a
// DGX Spark (eugr/spark-vllm-docker#200); 0.20.1 printed 619,479 = 2.363 × 262,144 (V-35), 0.21.0 1,062,157 =
// 129.66 × 8,192 (V-19).
bool tokens_per_group_rule(const std::string& version) { return !graph_estimate_budgeted(version); }

// Model Runner V2 (vllm/v1/worker/gpu/model_runner.py), the rewritten GPU model runner. Which runner a release picks
// (VllmConfig.use_v2_model_runner; the VLLM_USE_V2_MODEL_RUNNER environment variable overrides it):
//  - from 0.23, dense unquantized models of three architectures (DEFAULT_V2_MODEL_RUNNER_ARCHITECTURES: LlamaForCausalLM,
//    MistralForCausalLM, Qwen3ForCausalLM; MoE and quantized models excluded);
//  - from 0.25.1, every dense model, quantized ones included (vllm-project/vllm#49224 and #49233: "Model Runner V2
//    became the default for dense models in 0.25.1");
//  - from 0.29.0, every model (vllm-project/vllm#53183, in the 0.29.0 release notes).
// Its logs close the budget without a graph term: "Actual usage is X GiB for consumed memory (weights + non-torch),
// Y GiB for peak activation, and Z GiB for CUDAGraph memory", then "Available KV cache memory" = budget − X − Y
// (0.27.1 and 0.31.0). Three things differ from the V1 runner:
//  - its profile_cudagraph_memory is a placeholder that returns 0 (vllm-project/vllm#36520; #49224), so nothing is set
//    aside for CUDA graphs before the KV cache is sized; they are captured afterwards, outside the budget;
//  - its dummy sampler run draws with a Gumbel kernel from an fp32 copy of the bf16 logits (the dummy requests set no
//    top-k or top-p): 2 + 4 bytes per logit;
//  - its penalties state keeps output_bin_counts, one int32 count per vocabulary entry for each of max_num_seqs
//    requests, on the GPU from start-up, so "consumed memory" grows by max_num_seqs × vocab × 4 B.
constexpr std::array<const char*, 3> kV2DenseArchitectures = {"LlamaForCausalLM", "MistralForCausalLM", "Qwen3ForCausalLM"};
constexpr double kV2SamplerBytesPerLogit = 6.0;
constexpr i64 kV2PenaltyCountBytes = 4;
bool model_runner_v2(const Scenario& s) {
    if (s.engine.model_runner_v2) return *s.engine.model_runner_v2;
    const std::string& v = s.engine.version;
    if (!engine_version_before(v, {0, 29})) return true;
    if (engine_version_before(v, {0, 23}) || s.geometry.is_moe()) return false;
    if (!engine_version_before(v, {0, 25, 1})) return true;
    const bool quantized = s.weights.scheme != Scheme::BF16 && s.weights.scheme != Scheme::FP16 && s.weights.scheme != Scheme::FP32;
    return !quantized && std::find(kV2DenseArchitectures.begin(), kV2DenseArchitectures.end(), s.geometry.architecture) != kV2DenseArchitectures.end();
}

// The profiling run's sampler, per logit, with the formula's words for it.
struct SamplerRule {
    double bytes_per_logit;
    const char* which;    // the sampler, for the formula's words ("" for the sorting one)
    bool triton = false;  // the 0.17+ Triton top-k/top-p path: its scratch rows and the forward's hidden states beside it
    // The formula's words, from the number itself: "14 B/logit (Triton top-k/top-p)".
    std::string label() const {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g B/logit", bytes_per_logit);
        return std::string(buf) + (*which ? std::string(" (") + which + ")" : std::string());
    }
};
SamplerRule profiling_sampler(const Scenario& s, bool v2, i64 max_seqs) {
    if (v2) return {kV2SamplerBytesPerLogit, "Model Runner V2"};
    if (flashinfer_sampler(s)) return {kFlashInferSamplerBytesPerLogit, "FlashInfer sampler"};
    if (engine_version_before(s.engine.version, {0, 17}) || max_seqs < kTritonSamplerMinRows) return {kSamplerBytesPerLogitV011, ""};
    return {kTritonSamplerBytesPerLogit, "Triton top-k/top-p", true};
}

// The CUDA-graph pool of the layers [first, last) on one rank, and the "took" figure the release prints for it.
struct VllmGraphs {
    Q pool = Q::lit(0, "B");
    std::optional<Q> profiled;  // profile_cudagraph_memory's estimate, "Estimated CUDA graph memory" (0.17+)
    std::optional<Q> budgeted;  // what the KV budget sets aside for graphs when that is not the pool (0.20.1+)
    std::optional<i64> took;    // "Graph capturing finished ..., took X GiB" in bytes; empty where the release's rule is unknown
    std::string took_unknown;   // why, when it is empty
    std::string note;
};

// What "took" measures: free device memory before capture_model minus free memory after it (cudaMemGetInfo).
// Where nothing cached is released in between, that is the pool. On compute capability 9 and up, releases from 0.11
// take the first reading before anything is released; then torch.cuda.graph's entry empties the caching allocator,
// which gives back what the kernel warm-up left cached (kernel_warmup runs FlashInfer's autotuner over a dummy
// forward pass when has_flashinfer()), so "took" is the pool less an amount the logs do not fix, and negative when
// that was the larger (V-4, V-6, V-26, V-29, V-30 on 0.11.0; vllm-project/vllm#35983 early in 2026). From 0.19 the
// 60 logs of one H100 sweep print a "took" equal to their "CUDA graph pool memory ... (actual)": capture_model
// empties the cache before its first reading. So: the pool before 0.11 and below compute capability 9, and from 0.19;
// no figure for 0.11-0.18 on Hopper and later.
VllmGraphs vllm_graphs(const Scenario& s, const engine_parts::Parallelism& par, int first, int last, i64 max_seqs, i64 mnbt, bool v2) {
    using namespace engine_parts;
    VllmGraphs out;
    const std::string& v = s.engine.version;
    if (s.engine.enforce_eager) {
        out.took = 0;
        out.note = "enforce_eager: no graphs";
        return out;
    }
    const i64 decode_len = 1 + (s.spec.active() ? s.spec.num_tokens : 0);
    const bool gpt_oss = s.geometry.architecture == "GptOssForCausalLM";
    const std::vector<i64> sizes = vllm_cudagraph_capture_sizes(v, max_seqs, mnbt, decode_len, gpt_oss, s.engine.cuda_graph_max_bs);
    if (sizes.empty()) return out;
    i64 moe = 0;
    for (int l = first; l < last; ++l)
        if (s.geometry.layers[static_cast<size_t>(l)].ffn == Ffn::Moe) ++moe;
    const i64 pieces = (last - first) + 1;
    // FlashInfer off compute capability 10 supports FULL graphs of single-token decode batches only
    // (AttentionCGSupport.UNIFORM_SINGLE_TOKEN_DECODE), so with speculative decoding vLLM falls back to PIECEWISE:
    // "CUDAGraphMode.FULL_AND_PIECEWISE is not supported with spec-decode for attention backend FlashInferBackend
    // ...; setting cudagraph_mode=PIECEWISE" (noonghunna/club-3090#104, #1011).
    const bool flashinfer = flashinfer_attention(s);
    // 0.10.2 already forced FULL_AND_PIECEWISE on hybrid models: "Hybrid or mamba-based model detected: setting
    // cudagraph mode to FULL_AND_PIECEWISE" (V-104, Qwen3-Next on 0.10.2).
    const bool hybrid = s.geometry.has(Mixer::LinearAttention) || s.geometry.has(Mixer::Mamba);
    const bool full = (full_decode_graphs(v) || (hybrid && !engine_version_before(v, {0, 10, 2}))) &&
                      !(flashinfer && decode_len > 1 && s.devices.front().compute_capability_major != 10);
    const i64 n_full =
        full ? static_cast<i64>(std::count_if(sizes.begin(), sizes.end(), [&](i64 b) { return b >= decode_len && b <= max_seqs * decode_len; })) : 0;
    const i64 n = static_cast<i64>(sizes.size());
    const int driver = nvidia_driver_major(s.engine.nvidia_driver);
    const bool old_driver = driver > 0 && driver < kCompactGraphDriver;
    const auto per_graph = [&](const char* what, i64 bytes) {
        return old_driver ? scale(Q::bytes(what, bytes), kOldDriverGraphFactor,
                                  "× " + fixed_text(kOldDriverGraphFactor, 2) + " (driver before R" + std::to_string(kCompactGraphDriver) + ")")
                          : Q::bytes(what, bytes);
    };
    const Q per_size_pieces =
        Q::var("dense pieces", pieces - moe) * per_graph("per piecewise graph", full_decode_graphs(v) ? kPiecewiseGraphBytes : kPiecewiseOnlyGraphBytes) +
        Q::var("MoE pieces", moe) * per_graph("per MoE piecewise graph", kMoePiecewiseGraphBytes);
    const Q full_graph = per_graph("per FULL graph", kFullGraphBytes);
    const Q act = forward_activation(s, par, sizes.back(), "largest capture size");
    // FlashAttention 3's split accumulators for the largest FULL capture (kFa3CudaGraphSplits).
    const int cc = s.devices.front().compute_capability_major;
    Q fa3 = Q::lit(0, "B");
    const bool mla = s.geometry.has(Mixer::Mla);
    if (n_full > 0 && cc == 9 && (mla ? flash_attn_mla(s) : flash_attention(s))) {
        // FLASH_ATTN_MLA keeps [splits, heads, tokens, kv_lora_rank] accumulators: its V is the latent (V-106).
        i64 head_dim = mla ? s.geometry.mla.kv_lora_rank : 0;
        if (!mla)
            for (const auto& l : s.geometry.layers)
                if (is_attention(l.mixer)) head_dim = std::max(head_dim, l.head_dim_v);
        const i64 rows = std::min(max_seqs * decode_len, sizes.back());
        fa3 = (Q::lit(kFa3CudaGraphSplits) * Q::var("largest FULL size", rows) * Q::var("query heads on this rank", s.geometry.n_heads / par.tp) *
               (Q::var("head_dim", head_dim) + Q::lit(1)) * Q::lit(4, "B"))
                  .named("FlashAttention 3 split accumulators");
    }
    out.pool = act + fa3 + Q::var("capture sizes", n) * per_size_pieces + Q::var("FULL decode graphs", n_full) * full_graph;
    out.note = std::string(old_driver ? "driver " + s.engine.nvidia_driver + " (before R" + std::to_string(kCompactGraphDriver) +
                                            "): " + fixed_text(kOldDriverGraphFactor, 2) + " times the memory per graph; "
                                      : "") +
               (n == 1 ? "one capture size (1), " : std::to_string(n) + " capture sizes (1 to " + std::to_string(sizes.back()) + "), ") +
               (full ? "FULL_AND_PIECEWISE: " + std::to_string(n_full) + " FULL decode graphs and " : "PIECEWISE: ") + std::to_string(n * pieces) +
               " piecewise graphs";
    // profile_cudagraph_memory's estimate. vLLM has computed and printed it ("Estimated CUDA graph memory: X GiB total")
    // since the opt-in profiler of vllm-project/vllm#30515, whether or not the budget takes it: 0.17.0rc1 printed it
    // beside "In v0.19, CUDA graph memory profiling will be enabled by default ... To try it now, set
    // VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS=1" (a comment on that PR), and from 0.20.1 the budget subtracts it.
    if (v2) {
        // Model Runner V2 profiles no graphs; they are captured after the KV cache, outside the budget. Its 'took' lines
        // (0.00, 0.37 and 0.23 GiB in V-45..V-47) follow no rule the published logs let one fix, so none is given.
        out.note += "; Model Runner V2 captures them after sizing the KV cache, outside the budget";
        out.took_unknown = "Model Runner V2's capture line follows no rule the published logs fix";
        return out;
    }
    if (!engine_version_before(v, {0, 17})) {
        // For each mode (PIECEWISE first, then FULL, as "Profiling CUDA graph memory: PIECEWISE=51 (largest=512), FULL=35
        // (largest=256)" lists them) it captures the two largest sizes only, into a throwaway pool after emptying the
        // allocator's cache, and reads free device memory (cudaMemGetInfo) before and after each: the first reading is
        // the mode's shared cost, the second its cost per further graph, at least 1 MiB. The estimate is the larger
        // shared cost of the two modes (they share one pool at run time) plus, for each mode, the per-graph cost times
        // its remaining sizes.
        //  - PIECEWISE, largest size L: the warm-up pass before the capture runs eagerly, so its activations are fresh
        //    allocations in the emptied cache; the capture then takes a second set in the graph pool; and the driver
        //    keeps each piece's graph. The second size reuses both sets of buffers and adds its pieces' graphs.
        //  - FULL: its warm-up and capture fit in the buffers the larger PIECEWISE size left, so its shared cost is
        //    one FULL graph plus, with FlashInfer, the attention workspace its first metadata build allocates and the
        //    size's decode wrapper (whose integer workspace every further FULL size adds as well).
        //  - with FlashAttention 3, the first FULL capture also allocates the split accumulators.
        // The per-graph sizes are those of the 'took' logs above: the same free-memory difference, per graph.
        const Q pieces_graph = max(per_size_pieces, Q::bytes("at least", kProfiledPerGraphFloor));
        const Q first_pw = (act.named("warm-up pass") + act.named("capture") + per_size_pieces.named("its piece graphs")).named("first PIECEWISE capture");
        // With FlashInfer each FULL size also brings its decode wrapper's integer workspace.
        const Q full_size =
            flashinfer ? (full_graph + Q::bytes("FlashInfer decode wrapper workspace", kFlashInferDecodeIntWorkspaceBytes)).named("per FULL size") : full_graph;
        Q estimate = first_pw;
        if (n_full > 0) {
            const Q first_full =
                (flashinfer ? Q::bytes("FlashInfer workspace", kFlashInferWorkspaceBytes) + full_size : fa3 + full_size).named("first FULL capture");
            estimate = max(first_pw, first_full);
        }
        estimate = estimate + Q::var("further piecewise sizes", n - 1) * pieces_graph.named("per size");
        if (n_full > 1) estimate = estimate + Q::var("further FULL sizes", n_full - 1) * max(full_size, Q::bytes("at least", kProfiledPerGraphFloor));
        out.profiled = estimate;
    }
    if (graphs_budgeted(s)) {
        out.took = out.pool.value();
        // What 0.20.1+ subtracts from the KV budget is the profiled estimate, not the pool.
        out.budgeted = out.profiled;
        out.note += " (a pool of " + std::to_string(out.pool.value() / MiB) + " MiB); vLLM ≥ " + std::string(kGraphBudgetRelease) +
                    " sets aside its profiled estimate: the two largest sizes of each mode captured, the rest "
                    "extrapolated from the second" +
                    (flashinfer && n_full > 0 ? ", the first FULL capture with FlashInfer's workspace" : "");
    } else if (cc < 9 || engine_version_before(v, {0, 11}) || !engine_version_before(v, {0, 19})) {
        out.took = out.pool.value();
    } else {
        out.took_unknown =
            "releases 0.11-0.18 on compute capability 9 and later print the graph pool less the cached memory the capture "
            "releases, which the estimate does not fix";
    }
    return out;
}

// MXFP4 MoE weights as vLLM holds them on the GPU, per the MoE backend it picks (quantization/mxfp4.py
// get_mxfp4_backend, later fused_moe/oracle/mxfp4.py select_mxfp4_moe_backend): FlashInfer's TRT-LLM kernels on compute
// capability 10, triton_kernels on Hopper (the V-67 log prints "Using 'TRITON'"), Marlin elsewhere (A100, Ada, RTX
// Blackwell). Each pads the shapes it creates, the intermediate width per rank (I / TP, whole under expert parallelism):
//  - Marlin: I/TP to 128, hidden to 256; bf16 biases (V-79, gpt-oss-120b at TP 4 on A100s: 17.19 against 17.22 GiB);
//  - TRT-LLM: I/TP and hidden to 256; fp32 biases;
//  - Triton: I/TP to 64; fp32 biases; the values re-laid out for the Hopper kernel, and the e8m0 scales kept twice (the
//    checkpoint's, never freed on this path, and a swizzled copy whose rows are padded to 256). Up to 0.11 the value
//    layout pads rows to 16 and bytes to 32 (V-1, V-2: 13.41 and 64.30 against 13.47 and 64.38 GiB); by 0.19 both to 64
//    (V-67, gpt-oss-20b at TP 2: 6.96 against 7.01 GiB). Which release between changed it is not pinned: the later
//    layout is taken from 0.19, the first release with a log.
// The checkpoint's expert tensors (values, scales, bf16 biases) are scaled by the ratio of those bytes to theirs.
void pad_mxfp4_experts(const Scenario& s, const engine_parts::Parallelism& par, CheckpointBytes& cb) {
    using engine_parts::mxfp4_expert_bytes;
    if (s.weights.scheme != Scheme::MXFP4) return;
    const i64 E = s.geometry.moe.n_experts, H = s.geometry.hidden;
    const i64 I = s.geometry.moe.expert_intermediate / (par.expert_parallel ? 1 : std::max(1, par.tp));
    if (I <= 0 || E <= 0 || H <= 0) return;
    const auto ru = [](i64 x, i64 m) { return round_up(x, m); };
    const i64 stored = mxfp4_expert_bytes(I, H, 2);
    const int cc = s.devices.front().compute_capability_major;
    i64 held = 0;
    if (cc == 10) {
        held = mxfp4_expert_bytes(ru(I, 256), ru(H, 256), 4);
    } else if (cc == 9) {
        const i64 Ip = ru(I, 64);
        const bool wide = !engine_version_before(s.engine.version, {0, 19});
        const i64 values = wide ? ru(2 * Ip, 64) * ru(H / 2, 64) + ru(H, 64) * ru(Ip / 2, 64) : ru(2 * Ip, 16) * ru(H / 2, 32) + ru(H, 16) * ru(Ip / 2, 32);
        const i64 scales = 2 * Ip * (H / 32) + H * (Ip / 32);
        const i64 swizzled = ru(2 * Ip, 256) * ru(H / 32, 2) + ru(H, 256) * ru(Ip / 32, 2);
        held = values + scales + swizzled + (2 * Ip + H) * 4;
    } else {
        held = mxfp4_expert_bytes(ru(I, 128), ru(H, 256), 2);
    }
    engine_parts::scale_expert_tensors(s, cb, static_cast<double>(held) / static_cast<double>(stored));
}

// The multimodal encoder pass of the profiling run (gpu_model_runner.profile_run) for Qwen-VL towers. vLLM encodes
// a dummy batch of images of the largest size the processor allows, as many as the encoder budget holds and the
// decoder could take in one step: the budget is max(max_num_batched_tokens, tokens of the largest item), and the batch
// max(1, min(budget // tokens per item, max_num_seqs × max(1, max_model_len // tokens per item))) items
// (multimodal/encoder_budget.py, _get_max_items_per_batch; the per-prompt limit, --limit-mm-per-prompt, 999 unless set,
// caps the last factor too); the logs agree: "budget of 16384 tokens, and profiled with 1 image items" at 8,192
// batched tokens, "32768 tokens ... 2 image items" at 32,768 (Qwen3.6, noonghunna/club-3090#107, #1047). The item is
// of the modality whose largest item has the most tokens (get_modality_with_max_tokens): for Qwen2-VL and Qwen2.5-VL a
// video as long as max_model_len allows, up to 16 frames (_MAX_FRAMES_PER_VIDEO), each pair of frames a temporal patch
// of the largest image's size (Qwen2VLProcessingInfo.get_num_frames_with_most_features); at 128,000 tokens of context
// 7 patches, 114,688 tokens ("profiled with 1 video items", V-183), where a short context leaves the image. Their
// outputs stay in the encoder cache while the language model's dummy forward and the sampler run, and the
// encoder's own activations are freed before that, so the profiled peak is the larger of the encoder pass and
// the language-model peak plus the cache.
//
// The largest image: Qwen-VL processors cap an image by its pixel count, 12,845,056 = 65,536 × 14² (Qwen2-VL and
// Qwen2.5-VL max_pixels) and 16,777,216 = 65,536 × 16² (Qwen3-VL, Qwen3.5, Qwen3.6 size.longest_edge, in
// preprocessor_config.json), so 65,536 patches and 65,536 / merge² = 16,384 tokens in every generation.
constexpr i64 kQwenVlMaxPatchesPerImage = 65536;

constexpr i64 kQwenVlMaxFramesPerVideo = 16;
// vLLM's default per-prompt limit of each modality (MultiModalConfig.limit_per_prompt).
constexpr i64 kVllmMmDefaultLimit = 999;

struct EncoderProfile {
    i64 items = 0;            // images (or videos) in the dummy batch
    i64 tokens_per_item = 0;  // LLM tokens one of them becomes
    bool video = false;
    bool none = false;        // every modality limited to 0 items: no encoder pass, no encoder cache
    Q peak = Q::lit(0, "B");  // memory of the encoder pass at its peak
};

// The count --limit-mm-per-prompt gives `modality` ('{"image": 2, "video": 0}', image=2,video=0, or a newer release's
// {"video": {"count": 1, ...}}: the first number after the name), `otherwise` when it names none.
i64 mm_limit(const std::string& spec, const std::string& modality, i64 otherwise) {
    const auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    for (size_t at = spec.find(modality); at != std::string::npos; at = spec.find(modality, at + 1)) {
        const size_t end = at + modality.size();
        if ((at > 0 && word_char(spec[at - 1])) || (end < spec.size() && word_char(spec[end]))) continue;
        const size_t digit = spec.find_first_of("0123456789", end);
        if (digit == std::string::npos) return otherwise;
        i64 n = 0;
        for (size_t i = digit; i < spec.size() && i < digit + 7 && std::isdigit(static_cast<unsigned char>(spec[i])); ++i) n = n * 10 + (spec[i] - '0');
        return n;
    }
    return otherwise;
}

// The encoder pass over `items` × 65,536 patches on one rank (qwen3_vl.py / qwen2_5_vl.py):
// - the pixel values as the processor returns them (float32, in_channels × temporal_patch_size × patch² values a
//   patch) and the model-dtype copy _process_image_input makes of them: 4 + 2 bytes a value, both alive throughout;
// - inside a block, at the MLP: the residual stream and its normed copy (2 × hidden) with the first projection's
//   output and its activation, split over the TP ranks (the tower is tensor-parallel by default): 2 × intermediate
//   for Qwen3-VL's fc1 → GELU, 3 × intermediate for Qwen2.5-VL's gate-and-up projection → SiLU-and-multiply,
//   all 16-bit. The attention half of a block holds less at the Qwen widths (its q, k, v are 3 × hidden / TP).
EncoderProfile qwen_vl_encoder_profile(const Scenario& s, const engine_parts::Parallelism& par, i64 mnbt, i64 max_seqs) {
    EncoderProfile e;
    const VisionSpec& v = s.geometry.vision;
    if (s.encoder_params <= 0 || !v.dynamic_resolution()) return e;
    const i64 merge = v.spatial_merge_size * v.spatial_merge_size;
    const i64 image_tokens = kQwenVlMaxPatchesPerImage / merge;
    const i64 images = mm_limit(s.engine.limit_mm_per_prompt, "image", kVllmMmDefaultLimit);
    const bool video_model = s.geometry.model_type == "qwen2_vl" || s.geometry.model_type == "qwen2_5_vl";
    const i64 videos = video_model ? mm_limit(s.engine.limit_mm_per_prompt, "video", kVllmMmDefaultLimit) : 0;
    i64 limit = images;
    if (images > 0) e.tokens_per_item = image_tokens;
    if (videos > 0) {
        const i64 frames_per_patch = std::max<i64>(v.temporal_patch_size, 1);
        const i64 video_tokens = std::min(std::max<i64>(1, s.context / image_tokens), kQwenVlMaxFramesPerVideo / frames_per_patch) * image_tokens;
        if (video_tokens > e.tokens_per_item) {
            e.tokens_per_item = video_tokens;
            e.video = true;
            limit = videos;
        }
    }
    if (e.tokens_per_item == 0) {
        e.none = true;
        return e;
    }
    const i64 encoder_items = std::max(mnbt, e.tokens_per_item) / e.tokens_per_item;
    const i64 decoder_items = checked::mul(max_seqs, std::min(limit, std::max<i64>(1, s.context / e.tokens_per_item)));
    e.items = std::max<i64>(1, std::min(encoder_items, decoder_items));
    const i64 patch_values = checked::mul(
        {v.in_channels > 0 ? v.in_channels : 3, v.temporal_patch_size, v.patch_size > 0 ? v.patch_size : 14, v.patch_size > 0 ? v.patch_size : 14});
    const i64 mlp_outputs = v.gated_mlp ? 3 : 2;
    const Q patches =
        Q::var(e.video ? "dummy videos" : "dummy images", e.items) * Q::var(e.video ? "patches per video" : "patches per image", e.tokens_per_item * merge);
    const Q pixels = Q::var("values per patch", patch_values) * Q::lit(6, "B");
    const Q block =
        (Q::lit(2) * Q::var("vision hidden", v.hidden_size) + Q::lit(mlp_outputs) * Q::var("vision MLP width / TP", ceil_div(v.intermediate_size, par.tp))) *
        Q::lit(2, "B");
    e.peak = patches * (pixels + block);
    return e;
}

i64 kv_bytes_per_value(const Scenario& s) {
    switch (s.kv.dtype) {
        case KvDtype::BF16:
        case KvDtype::F16: return 2;
        case KvDtype::FP8: return 1;
        case KvDtype::F32: return 4;
        default: fail("invalid_field", "kv_cache_dtype", "kv_cache_dtype \"" + s.kv.id + "\" is a llama.cpp cache type; vLLM takes auto, bf16, fp16 or fp8");
    }
}

}  // namespace

// Default capture sizes (VllmConfig._set_cudagraph_sizes):
//  - up to 0.11.0: cuda_graph_sizes = [min(max_num_seqs × 2, 512)] (SchedulerConfig), expanded to
//    [1, 2, 4] + every multiple of 8 up to it: 67 sizes at 512. gpt-oss in 0.11.0 replaces the list with
//    [1, 2, 4] + multiples of 8 below 256 + every 16th from 256 to 992 (GptOssForCausalLMConfig, "from 67 to 81"
//    graphs; SemiAnalysisAI/InferenceX#117 quotes it). From its first release, 0.10.1, gpt-oss had the same list up to
//    1,024 ("Overriding max cuda graph capture size to 1024", 83 sizes, in a 0.10.1.1 log on four A100s).
//  - from 0.11.1 (vllm-project/vllm#26016, which renamed the setting max_cudagraph_capture_size): the largest size
//    is min(max_num_seqs × 2, 512), from 0.18 min(max_num_seqs × decode_query_len × 2, 512) (vllm-ascend#7572
//    describes that upstream default at v0.18.0), and the list is [1, 2, 4] + multiples of 8 below 256 + every
//    16th from 256.
// Either way no size above max_num_batched_tokens is kept. Releases before 0.10 ran the V0 engine, whose capture
// list is not modelled here; they are given the 0.11.0 list. Data-centre Blackwell's larger cap (1,024) in the
// newest releases is not modelled.
double engine_parts::vllm_largest_starting_utilization(const std::vector<Device>& devices, int count) {
    double most = 1.0;
    for (int i = 0; i < count && i < static_cast<int>(devices.size()); ++i) {
        const Device& d = devices[static_cast<size_t>(i)];
        if (d.in_use_bytes == 0 || d.engine_total_bytes <= 0) continue;
        most = std::min(most, std::floor(static_cast<double>(d.free_at_start()) / static_cast<double>(d.engine_total_bytes) * 100.0) / 100.0);
    }
    return most;
}

std::vector<i64> engine_parts::vllm_cudagraph_capture_sizes(const std::string& version, i64 max_num_seqs, i64 max_num_batched_tokens, i64 decode_query_len,
                                                            bool gpt_oss, std::optional<i64> max_capture_size) {
    std::vector<i64> out;
    const bool stepped = !engine_version_before(version, {0, 11, 1});
    const bool gpt_oss_override = gpt_oss && !engine_version_before(version, {0, 10, 1}) && !stepped;
    i64 cap = 0;
    if (stepped) {
        const i64 per_seq = engine_version_before(version, {0, 18}) ? 1 : std::max<i64>(decode_query_len, 1);
        cap = std::min<i64>(checked::mul({max_num_seqs, per_seq, 2}), 512);
        cap = std::min(cap, max_num_batched_tokens);
    } else {
        cap = gpt_oss_override ? (engine_version_before(version, {0, 11}) ? 1024 : 992) : std::min<i64>(checked::mul(max_num_seqs, 2), 512);
    }
    // --max-cudagraph-capture-size replaces the default largest size (V-242: 1, one graph).
    if (max_capture_size) cap = std::min(*max_capture_size, max_num_batched_tokens);
    for (i64 b : {1, 2, 4})
        if (b <= cap) out.push_back(b);
    const bool two_steps = stepped || gpt_oss_override;
    for (i64 b = 8; b <= cap && (!two_steps || b < 256); b += 8) out.push_back(b);
    if (two_steps)
        for (i64 b = 256; b <= cap; b += 16) out.push_back(b);
    std::erase_if(out, [&](i64 b) { return b > max_num_batched_tokens; });
    return out;
}

Estimate estimate_vllm(const Scenario& s) {
    using namespace engine_parts;
    Estimate e;
    const ModelGeometry& g = s.geometry;
    const Parallelism par = resolve_parallelism(s, "engine.tensor_parallel_size");
    CheckpointBytes cb = checkpoint_bytes(s);
    pad_mxfp4_experts(s, par, cb);
    // DeepSeek-V3.2: "auto" (and any fp8) means vLLM's own fp8_ds_mla cache layout (DeepseekV32ForCausalLM
    // verify_and_update_config); bf16 must be asked for.
    const bool dsa_fp8 = g.dsa.head_dim > 0 && s.kv_auto;
    const i64 kv_value_bytes = dsa_fp8 ? 1 : kv_bytes_per_value(s);
    if (dsa_fp8) e.assumptions.push_back("KV cache: vLLM's fp8_ds_mla layout, the default for DeepSeek sparse attention (kv_cache_dtype bf16 keeps 16-bit)");
    const bool v2 = model_runner_v2(s);
    const bool legacy_graphs = !graphs_budgeted(s) || v2;
    if (v2 && !s.engine.model_runner_v2)
        e.assumptions.push_back("Model Runner V2, this release's default for this model (VLLM_USE_V2_MODEL_RUNNER=0 selects the V1 runner)");
    // Model Runner V2's profiling pass is where torch.compile compiles and autotunes on a cold cache, and its small
    // sampler leaves that as the peak: the same Qwen3-8B setup on 0.27.1 printed 1.18 GiB of activation on its first
    // boot and 0.19 GiB with the compile cache warm (V-75, V-76; V-47's 1.44 GiB was a fresh container too).
    // Boots after a container is recreated without its compile cache print 1.1-1.2 GiB more peak for 14B-32B models
    // (V-142 to V-144, 0.28.0) than a warm one (V-141); the V1 runner too compiles on the profiling run's first forward.
    if (!vllm_v0_defaults(s.engine.version) && !s.engine.enforce_eager)
        e.assumptions.push_back(
            "activation peak with torch.compile's cache warm; a first boot without it also counts the compiler's autotuning "
            "(about 1 GiB for 8B-32B models in published logs), and its KV cache comes out that much smaller");
    if (g.has(Mixer::CrossAttention) && !engine_version_before(s.engine.version, {0, 11}))
        e.warnings.push_back(
            "vLLM runs this cross-attention model (MllamaForConditionalGeneration) only up to 0.10.2, on its V0 engine; "
            "this estimate follows 0.10.2: every attention layer, cross layers included, in one block pool");
    // The recurrent state's dtype: --mamba-ssm-cache-dtype, which defaults to the config's choice
    // (mamba_ssm_cache_dtype, or Qwen3.5's text_config.mamba_ssm_dtype), else the model dtype.
    const std::string ssm_dtype = s.geometry.mamba_ssm_cache_dtype.empty() ? "auto" : s.geometry.mamba_ssm_cache_dtype;
    const i64 state_value_bytes = ssm_dtype == "float32" ? 4 : 2;

    const VllmServeDefaults defaults = vllm_serve_defaults(s.devices.front(), s.engine.version, s.context);
    const i64 mnbt = s.engine.max_num_batched_tokens.value_or(defaults.max_num_batched_tokens);
    const i64 max_seqs = s.engine.max_num_seqs.value_or(defaults.max_num_seqs);
    const bool v0 = vllm_v0_defaults(s.engine.version);
    if (!s.engine.max_num_batched_tokens)
        e.assumptions.push_back("max_num_batched_tokens = " + std::to_string(mnbt) +
                                (v0 ? s.context > kV0ChunkedPrefillContext ? " (the V0 engine's default: chunked prefill above 32,768 tokens of context)"
                                                                           : " (the V0 engine's default: max(max_model_len, 2048))"
                                    : " (the vllm serve default for this GPU)"));
    if (!s.engine.max_num_seqs)
        e.assumptions.push_back("max_num_seqs = " + std::to_string(max_seqs) + (v0 ? " (the V0 engine's default)" : " (the vllm serve default for this GPU)"));
    if (max_seqs < s.concurrency)
        e.warnings.push_back("max_num_seqs (" + std::to_string(max_seqs) + ") is below the asked concurrency; vLLM would queue the rest");

    // With --kv-cache-memory-bytes, gpu_memory_utilization sizes nothing: the device itself is the budget.
    add_devices(e, s, par.ranks(), s.engine.kv_cache_memory_bytes ? 1.0 : s.engine.gpu_memory_utilization, FractionOf::Total);
    if (static_cast<int>(s.devices.size()) > par.ranks())
        e.warnings.push_back("only " + std::to_string(par.ranks()) + " of the " + std::to_string(s.devices.size()) +
                             " GPUs are used (tensor_parallel_size × pipeline_parallel_size)");

    const i64 rope_bytes = rope_cache_bytes(s, activation_value_bytes(s));
    // Per-rank quantities; TP ranks of one stage are alike.
    i64 min_blocks = -1;
    PagedLayout layout;
    i64 per_request_blocks = 0;
    std::vector<i64> fixed(static_cast<size_t>(par.ranks()), 0);
    for (int stage = 0; stage < par.pp; ++stage) {
        const i64 w = weights_per_rank(s, cb, par, stage);
        const Q weights = Q::bytes(par.tp > 1 ? "checkpoint tensors on this rank (TP " + std::to_string(par.tp) + ")" : "checkpoint tensors", w);
        const Q forward = forward_activation(s, par, mnbt, "max_num_batched_tokens");
        // Pipeline stages (gpu_model_runner.profile_run): only the last stage computes logits and runs the dummy sampler,
        // the fused-MoE workspace kept through it included.
        const bool last_stage = stage == par.pp - 1;
        Q sampler = Q::lit(0, "B");
        if (last_stage) {
            // The fused-MoE workspace the WorkspaceManager keeps through the sampler (kPersistentMoeWorkspaceRelease).
            Q moe_workspace = Q::lit(0, "B");
            if (g.is_moe() && !engine_version_before(s.engine.version, kPersistentMoeWorkspaceRelease) &&
                (s.weights.scheme == Scheme::BF16 || s.weights.scheme == Scheme::FP16 || s.weights.scheme == Scheme::FP8)) {
                // N: the gate-up width on this rank (whole experts under expert parallelism).
                const i64 n = 2 * g.moe.expert_intermediate / (s.engine.enable_expert_parallel ? 1 : std::max(1, par.tp)), k = g.hidden;
                const i64 w13 = std::max(n / 2, k), w2 = std::max(n, k);
                moe_workspace = (Q::var("max_num_batched_tokens", mnbt) * Q::var("top_k", g.moe.n_experts_per_tok) *
                                 (Q::var("max(N/2, hidden)", w13) + Q::var("max(N, hidden)", w2)) * Q::lit(2, "B"))
                                    .named("fused-MoE workspace, kept");
            }
            const SamplerRule rule = profiling_sampler(s, v2, max_seqs);
            sampler = scale(Q::var("max_num_seqs", max_seqs) * Q::var("vocab", g.vocab), rule.bytes_per_logit, rule.label());
            if (rule.triton) {
                const int sms = s.devices.front().multiprocessors;
                if (sms > 0) {
                    const i64 programs = std::min<i64>(static_cast<i64>(std::bit_ceil(static_cast<uint64_t>(std::min<i64>(sms, max_seqs)))), sms);
                    sampler = sampler + Q::var("Triton scratch rows", programs) * Q::var("vocab", g.vocab) * Q::lit(4, "B");
                } else {
                    e.assumptions.push_back("the Triton sampler's scratch (one fp32 vocabulary row per multiprocessor) is left out: " + s.devices.front().name +
                                            "'s multiprocessor count is not known");
                }
                sampler = sampler + Q::var("max_num_batched_tokens", mnbt) * Q::var("hidden", g.hidden) * Q::lit(activation_value_bytes(s), "B");
            }
            if (moe_workspace.value() > 0) sampler = sampler + moe_workspace;
        }
        // Multimodal models: the profiling run also encodes dummy items and keeps their embeddings in the
        // encoder cache, whose budget is max(max_num_batched_tokens, tokens of the largest item) embeddings
        // (vLLM compute_encoder_budget); the embeddings are hidden-size 16-bit vectors.
        const EncoderProfile enc = qwen_vl_encoder_profile(s, par, mnbt, max_seqs);
        const Q encoder_cache =
            enc.items > 0 ? Q::var(enc.video ? "dummy videos" : "dummy images", enc.items) *
                                Q::var(enc.video ? "tokens per video" : "tokens per image", enc.tokens_per_item) * Q::var("hidden", g.hidden) * Q::lit(2, "B")
            : s.encoder_params > 0
                ? max(Q::var("max_num_batched_tokens", mnbt), Q::var("tokens per image", s.tokens_per_image)) * Q::var("hidden", g.hidden) * Q::lit(2, "B")
                : Q::lit(0, "B");
        // Every stage after the first keeps the buffers it receives the previous stage's hidden states and residual in
        // (make_empty_intermediate_tensors, max_num_batched_tokens rows each). V-111/V-112 (Llama-3.1-8B, PP 2 and 4,
        // 0.19.0) print stage 0's peak as its forward pass alone.
        const Q handoff = stage > 0 ? (Q::lit(2) * Q::var("max_num_batched_tokens", mnbt) * Q::var("hidden", g.hidden) * Q::lit(2, "B"))
                                          .named("hidden states and residual received from the previous stage")
                                    : Q::lit(0, "B");
        const Q activation = (enc.items > 0                       ? max(enc.peak.named("encoder pass"), max(forward, sampler) + encoder_cache)
                              : s.encoder_params > 0 && !enc.none ? max(forward, sampler) + encoder_cache
                                                                  : max(forward, sampler)) +
                             handoff;
        // Tensor-parallel (and data-parallel) ranks hold NCCL's and the custom all-reduce's buffers; pipeline stages alone
        // exchange activations point to point and print the single GPU's non-torch figure (V-111, V-112: 0.07 GiB a stage).
        const bool parallel = par.tp > 1 || par.dp > 1;
        const bool nvlink = s.devices.front().link_kind == "nvlink";
        const bool v018 = !v2 && !engine_version_before(s.engine.version, {0, 18});
        const bool v019 = !v2 && !engine_version_before(s.engine.version, {0, 19});
        const Q non_torch = !parallel ? Q::bytes("non-torch", v018 ? kNonTorchSingle018 : kNonTorchSingle)
                            : nvlink  ? Q::bytes("non-torch (NCCL, parallel ranks over NVLink)", v019 ? kNonTorchParallelNvlink019 : kNonTorchParallelNvlink)
                                      : Q::bytes("non-torch (NCCL, parallel ranks)", kNonTorchParallel);
        const auto [first, last] = stage_layers(static_cast<int>(g.n_layers), par.pp, stage);
        const VllmGraphs vg = vllm_graphs(s, par, first, last, max_seqs, mnbt, v2);
        const Q penalties = v2 ? Q::var("max_num_seqs", max_seqs) * Q::var("vocab", g.vocab) * Q::lit(kV2PenaltyCountBytes, "B") : Q::lit(0, "B");
        const Q graphs = vg.budgeted ? *vg.budgeted : vg.pool;
        if (stage == 0 && vg.took) e.engine_figures["cuda_graph_capture_took_bytes"] = *vg.took;
        if (stage == 0 && !vg.took && !vg.took_unknown.empty()) e.engine_figures_unknown["cuda_graph_capture_took_bytes"] = vg.took_unknown;
        if (stage == 0 && vg.profiled) e.engine_figures["cuda_graph_profiled_estimate_bytes"] = vg.profiled->value();
        layout = paged_layout(s, par, stage, kv_value_bytes, state_value_bytes);
        // Requests reserve room for the speculated tokens beyond the context; cross-attention models (vLLM V0)
        // also for their images' encoder tokens, which take blocks of the same pool.
        per_request_blocks = blocks_per_request(layout, checked::add(s.context + s.spec.num_tokens, checked::mul(s.images, g.encoder_tokens_per_image)),
                                                vllm_in_flight_tokens(s.engine.version, mnbt, par.pp), s.engine.enable_prefix_caching);
        const i64 spec_bytes = last_stage && s.spec.active() ? speculator_weight_bytes(s, cb) / par.tp : 0;
        for (int rr = 0; rr < par.tp * par.dp; ++rr) {
            const int idx = ((rr / par.tp) * par.pp + stage) * par.tp + rr % par.tp;  // replica-major, then stage, then TP rank
            e.add(kWeights, "weights", idx, weights, "as loaded: " + s.weights.label());
            if (rope_bytes > 0)
                e.add(kWeights, "rotary embedding table", idx, Q::bytes("cos/sin cache", rope_bytes),
                      "positions the config allows × rotary dimensions, in the model's dtype, on every rank");
            if (spec_bytes > 0)
                e.add(kWeights, "speculator weights", idx,
                      Q::bytes(s.spec.method == "mtp" ? "MTP layers on this rank" : s.spec.draft_name + " (draft) on this rank", spec_bytes),
                      s.spec.method == "mtp" ? "the model's multi-token-prediction layers" : "the draft model, in the same format");
            e.add(kActivations, "activation peak of the profiling run", idx, activation,
                  enc.items > 0 ? "larger of the vision encoder's pass over " + std::to_string(enc.items) + " dummy image(s) of " +
                                      std::to_string(kQwenVlMaxPatchesPerImage) +
                                      " patches and, with their embeddings cached, a forward pass over max_num_batched_tokens or the sampler"
                  : s.encoder_params > 0 ? "larger of a forward pass over max_num_batched_tokens and the sampler over max_num_seqs × vocab logits, "
                                           "plus the multimodal encoder cache"
                  : !last_stage          ? "a forward pass over max_num_batched_tokens (the sampler runs on the last pipeline stage only)" +
                                      std::string(stage > 0 ? ", and the hidden states received from the previous stage" : "")
                                : "larger of a forward pass over max_num_batched_tokens and the sampler over max_num_seqs × vocab logits" +
                                      std::string(stage > 0 ? ", and the hidden states received from the previous stage" : ""));
            e.add(kOverhead, "non-torch memory", idx, non_torch, "CUDA context growth, NCCL / all-reduce buffers");
            if (v2)
                e.add(kOverhead, "penalties state", idx, penalties,
                      "Model Runner V2 keeps an int32 count per vocabulary entry for each of max_num_seqs requests");
            e.add(kOverhead, "CUDA graphs", idx, graphs,
                  s.engine.enforce_eager || v2 ? vg.note
                  : legacy_graphs              ? vg.note + "; before vLLM " + std::string(kGraphBudgetRelease) + " this pool is allocated on top of the budget"
                                               : vg.note);
            const Q budget = scale(Q::bytes("device total", s.devices[static_cast<size_t>(idx)].engine_total_bytes), s.engine.gpu_memory_utilization,
                                   "gpu_memory_utilization");
            Q pool = budget - weights.named("weights");
            if (spec_bytes > 0) pool = pool - Q::bytes("speculator weights", spec_bytes);
            if (rope_bytes > 0) pool = pool - Q::bytes("rotary embedding table", rope_bytes);
            pool = pool - activation.named("activation peak") - non_torch.named("non-torch");
            if (v2) pool = pool - penalties.named("penalties state");
            if (!legacy_graphs) pool = pool - graphs.named("CUDA graphs");
            // --kv-cache-memory-bytes: the pool is that size, whatever gpu_memory_utilization would leave (gpu_worker.py,
            // determine_available_memory returns it without profiling a budget).
            if (s.engine.kv_cache_memory_bytes) pool = Q::bytes("kv_cache_memory_bytes", *s.engine.kv_cache_memory_bytes);
            fixed[static_cast<size_t>(idx)] = checked::add(
                checked::add(checked::add(weights.value(), checked::add(spec_bytes, rope_bytes)), checked::add(activation.value(), non_torch.value())),
                checked::add(penalties.value(), legacy_graphs ? 0 : graphs.value()));
            const i64 page_all = checked::mul(layout.page_bytes, std::max(layout.group_size, 1));
            const i64 blocks = pool.value() > 0 && page_all > 0 ? pool.value() / page_all : 0;
            min_blocks = min_blocks < 0 ? blocks : std::min(min_blocks, blocks);
            e.add(kKvCache, "KV cache pool", idx, max(pool, Q::lit(0, "B")),
                  std::string(s.engine.kv_cache_memory_bytes ? "as kv_cache_memory_bytes sets it; " : "what is left of the budget; ") + std::to_string(blocks) +
                      " blocks of " + std::to_string(layout.block_size) + " tokens × " +
                      std::to_string(layout.unified_layers > 0 ? layout.unified_layers : layout.group_size) + " layers" +
                      (layout.note.empty() ? "" : "; " + layout.note));
        }
    }
    e.sum_components();

    // KV summary (whole model): growing per-token bytes over all layers at the chosen dtype.
    const auto layers = cache_layers(g);
    e.kv.bytes_per_token = serving_growing_bytes_per_token(g, layers, s.kv, kv_value_bytes, true);
    const i64 blocks = std::max<i64>(min_blocks, 0);
    const i64 page_all = checked::mul(layout.page_bytes, std::max(layout.group_size, 1));
    // Each data-parallel replica has its own pool and serves its share of the requests.
    e.kv.max_concurrency = per_request_blocks > 0 ? static_cast<double>(blocks) / static_cast<double>(per_request_blocks) * par.dp : 0;
    // "GPU KV cache size: N tokens" as the version prints it (vllm_logged_kv_tokens): before 0.20.1 blocks over the
    // number of groups times the smallest block, which for hybrid models is not what a request can use;
    // from 0.20.1 maximum concurrency × max_model_len.
    e.kv.capacity_tokens = vllm_logged_kv_tokens(tokens_per_group_rule(s.engine.version), blocks, std::max(layout.n_groups, 1),
                                                 min_group_block_size(layout, s.context, s.engine.enable_prefix_caching), e.kv.max_concurrency, s.context);
    const i64 need_blocks = checked::mul(per_request_blocks, ceil_div(s.concurrency, par.dp));
    const i64 need_bytes = checked::mul(need_blocks, page_all);
    e.kv.required_bytes = checked::mul({need_bytes, par.tp, par.pp});  // summed over the TP ranks of every stage

    // A pool given in bytes is allocated whole, beside everything else on the device.
    for (size_t i = 0; i < e.devices.size(); ++i)
        e.devices[i].required_bytes = s.engine.kv_cache_memory_bytes ? e.devices[i].total_bytes : checked::add(fixed[i], need_bytes);
    if (s.context > g.max_position_embeddings && g.max_position_embeddings > 0)
        e.warnings.push_back("context " + std::to_string(s.context) + " exceeds the model's max_position_embeddings (" +
                             std::to_string(g.max_position_embeddings) + "); vLLM refuses it unless the length check is overridden");
    // The worker checks at start that the budget is free (gpu_worker.py, init_device: "Free memory on device ... on startup
    // is less than desired GPU memory utilization"); memory other programs hold counts against it.
    bool starts = true;
    for (int i = 0; i < par.ranks(); ++i) {
        const Device& d = s.devices[static_cast<size_t>(i)];
        const i64 requested = static_cast<i64>(static_cast<double>(d.engine_total_bytes) * s.engine.gpu_memory_utilization);
        if (d.in_use_bytes == 0 || d.free_at_start() >= requested) continue;
        starts = false;
        const double most = vllm_largest_starting_utilization(s.devices, par.ranks());
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.2f", most);
        e.warnings.push_back("vLLM refuses to start on " + d.name + ": " + format_size(d.free_at_start()) + " is free with " + format_size(d.in_use_bytes) +
                             " held by other programs, less than the " + format_size(requested) +
                             " gpu_memory_utilization asks for; set gpu_memory_utilization to " + buf + " or less, or free the GPU");
        break;
    }
    e.decide(starts && blocks > 0 && blocks >= need_blocks, s.concurrency, runtime_descriptor(s.runtime).margin);
    if (s.engine.kv_cache_memory_bytes) {
        for (const auto& d : e.devices)
            if (d.headroom_bytes < 0) {
                e.warnings.push_back("kv_cache_memory_bytes with the rest needs " + format_size(d.required_bytes) + " on " + d.name + ", which has " +
                                     format_size(d.budget_bytes));
                break;
            }
        e.assumptions.push_back("budget = the total CUDA reports; the KV pool is kv_cache_memory_bytes");
    } else {
        e.assumptions.push_back("budget = gpu_memory_utilization " + std::to_string(s.engine.gpu_memory_utilization).substr(0, 4) +
                                " × the total CUDA reports; the KV pool takes the rest of the budget");
    }
    return e;
}

}  // namespace fitmygpu
