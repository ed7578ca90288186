// Stage 2 of the pipeline: the setup an engine estimates — the model, its checkpoint format, the devices, the
// engine with its knobs and the workload, every default filled in from the registry. build_scenario makes it
// from a validated Request; the engines, the solvers and speed read it.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fitmygpu/cache.hpp"
#include "fitmygpu/checkpoint_summary.hpp"
#include "fitmygpu/formats.hpp"
#include "fitmygpu/geometry.hpp"
#include "fitmygpu/hardware.hpp"
#include "fitmygpu/tensors.hpp"

namespace fitmygpu {

enum class Runtime { Vllm, Sglang, Trtllm, LlamaCpp, Ollama, Transformers, Mlx };
// The runtime of a request that names none.
inline constexpr Runtime kDefaultRuntime = Runtime::Vllm;

// The registry's id of a runtime ("llama.cpp") and the runtime an id or alias names (registry.hpp).
const char* runtime_id(Runtime r);
std::optional<Runtime> runtime_from_id(const std::string& id);

struct CatalogModel;
class Catalog;
struct Request;

// Engine knobs under their engines' own names. Unset optionals mean "the engine's default", which the
// engine resolves (some defaults depend on the device, e.g. vLLM's max_num_batched_tokens).
struct EngineKnobs {
    // vLLM / SGLang / TensorRT-LLM
    double gpu_memory_utilization = 0.9;        // vLLM
    std::optional<double> mem_fraction_static;  // SGLang
    double free_gpu_memory_fraction = 0.9;      // TensorRT-LLM
    std::optional<i64> max_num_batched_tokens;  // vLLM; SGLang chunked_prefill_size; TRT-LLM max_num_tokens
    std::optional<i64> max_num_seqs;
    std::optional<i64> cuda_graph_max_bs;      // SGLang --cuda-graph-max-bs, vLLM --max-cudagraph-capture-size: the largest batch size captured
    std::optional<i64> kv_cache_max_tokens;    // TensorRT-LLM KvCacheConfig.max_tokens, SGLang --max-total-tokens: a cap on the KV pool in tokens
    std::optional<i64> kv_cache_memory_bytes;  // vLLM --kv-cache-memory-bytes: the KV pool per GPU, in place of gpu_memory_utilization
    std::string backend;                       // TensorRT-LLM: "pytorch" (the default) or "tensorrt" (a trtllm-build engine)
    std::string attention_backend;             // SGLang --attention-backend ("aiter", "triton", ...); empty = the release's choice
    i64 block_size = 16;
    std::optional<int> tensor_parallel_size;
    int pipeline_parallel_size = 1;
    int data_parallel_size = 1;
    bool enable_expert_parallel = false;
    bool enable_dp_attention = false;  // SGLang --enable-dp-attention: attention data-parallel over the TP group's GPUs
    bool enforce_eager = false;
    bool enable_prefix_caching = false;              // vLLM: affects the block count of recurrent (Mamba/GDN) layers
    bool disable_hybrid_kv_cache_manager = false;    // vLLM: every attention layer sized for the whole context, sliding ones too
    std::optional<bool> flashinfer_sampler;          // vLLM VLLM_USE_FLASHINFER_SAMPLER (with FlashInfer installed); unset = off
    std::optional<bool> model_runner_v2;             // vLLM VLLM_USE_V2_MODEL_RUNNER; unset = the release's choice for the model
    std::optional<bool> cudagraph_memory_profiling;  // vLLM VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS; unset = the release's default
    std::string version;                             // engine version, e.g. "0.11.0"; empty = current behaviour
    std::string nvidia_driver;                       // the NVIDIA driver nvidia-smi reports ("535.247.01"); empty = R550 or later
    // llama.cpp / Ollama
    int n_gpu_layers = -1;  // -1 = all
    i64 n_ubatch = 512;
    i64 n_batch = 2048;
    i64 prefill_step_size = 2048;    // MLX: prompt tokens per forward pass (mlx_lm's default)
    i64 max_tokens = 0;              // MLX: tokens generated after the prompt (--max-tokens); 0 = the whole context is the prompt
    std::optional<bool> flash_attn;  // unset = auto (on where supported)
    bool kv_unified = true;
    // Not a knob: the output layer stays on the CPU whatever n_gpu_layers says, as Ollama's own layout (0.12.11-0.29) keeps
    // it when not every layer fits; n_gpu_layers then counts repeating layers, the last ones.
    bool output_on_host = false;
    bool swa_full = false;
    std::optional<bool> ollama_new_engine;  // Ollama OLLAMA_NEW_ENGINE; unset = the release's choice for the architecture
    int n_cpu_moe = 0;                      // first N layers keep their experts in host RAM
    std::string override_tensor;            // -ot: "regex=BUFFER_TYPE" entries separated by commas, first match wins
    std::vector<double> tensor_split;       // --tensor-split proportions per device; empty = by free memory
    // Multimodal towers: serving engines and Transformers load the vision/audio encoder by default
    // (vLLM --language-model-only skips it); llama.cpp loads it only when an --mmproj file is given; Ollama loads the tower
    // its library model carries (in the blob its own engine runs, or a projector file).
    bool language_model_only = false;
    // vLLM --limit-mm-per-prompt as given ('{"image": 2, "video": 0}' or image=2,video=0): the items of each modality a
    // prompt may hold, which bound the profiling run's dummy items; empty = the release's default for every modality.
    std::string limit_mm_per_prompt;
    std::optional<bool> mmproj;  // unset = the runtime's choice: Ollama loads the tower, llama.cpp only with --mmproj
    // Speculative decoding: "mtp" (the model's MTP layers) or a catalog model id used as the draft.
    i64 tokens_per_image = 0;  // override of the tokens one image becomes
    std::string speculative_model;
    i64 num_speculative_tokens = 0;
};

// Speculative decoding: the model's own multi-token-prediction layers, or a separate draft model. Either
// brings weights and KV layers of its own, and requests reserve room for the speculated tokens.
struct Speculation {
    std::string method;             // "" (off) | "mtp" | "draft"
    i64 num_tokens = 0;             // num_speculative_tokens
    i64 mtp_params = 0;             // MTP weights shipped with the model
    std::vector<CacheLayer> cache;  // KV layers the speculator adds
    std::string draft_id;
    std::string draft_name;
    ModelGeometry draft_geometry;
    Inventory draft_inventory;
    bool active() const { return !method.empty(); }
};

// System RAM: where llama.cpp keeps CPU layers, CPU experts, token embeddings and host buffers. On a
// unified-memory device it is the device's own pool (one budget, nothing counted twice).
struct Host {
    i64 memory_bytes = 0;
    double bandwidth_gbps = 0;  // GB/s, decimal
    bool unified = false;       // the pool of the (unified-memory) device
    bool from_request = false;  // memory or bandwidth given in the request
};

// Defaults when the request gives no "host" (stated in the estimate's assumptions).
// A desktop for consumer and workstation cards and CPU-only runs: 64 GiB (two 32 GB DIMMs, the usual build for
// local models) of dual-channel DDR5-5600: 5,600 MT/s × 8 bytes × 2 channels = 89.6 GB/s (JEDEC JESD79-5 speed
// bin; AM5 and LGA1700 desktop boards have two memory channels).
inline constexpr i64 kDesktopHostMemoryBytes = i64{64} << 30;
inline constexpr double kDesktopHostBandwidthGbps = 89.6;
// A datacenter GPU server: system RAM twice the GPUs' memory, at least 256 GiB (NVIDIA's DGX H100 ships 2 TB of
// RAM for 8 × 80 GB of HBM, 3.2×; 2× is the conservative end), read from one socket of 8-channel DDR5-4800:
// 4,800 MT/s × 8 bytes × 8 channels = 307.2 GB/s (the DGX H100's Xeon Platinum 8480C, per socket).
inline constexpr double kServerHostMemoryPerGpuMemory = 2.0;
inline constexpr i64 kServerHostMemoryMinBytes = i64{256} << 30;
inline constexpr double kServerHostBandwidthGbps = 307.2;

// Machines of a multi-node setup: the devices are spread evenly over `nodes`, in order (device i is on machine
// i / (devices / nodes)); between machines the GPUs talk over the network.
struct Cluster {
    int nodes = 1;
    double network_gbps = 0;       // GB/s each GPU sends to another machine
    double network_latency_s = 0;  // one small all-reduce across machines
    bool network_from_request = false;
    int gpus_per_node(size_t devices) const { return nodes > 0 ? static_cast<int>(devices) / nodes : static_cast<int>(devices); }
};

// Defaults for the network between machines: InfiniBand NDR, one 400 Gb/s ConnectX-7 port per GPU = 50 GB/s
// (the NVIDIA DGX H100/H200 system: eight single-port ConnectX-7 400 Gb/s adapters for its eight GPUs,
// https://docs.nvidia.com/dgx/dgxh100-user-guide/introduction-to-dgxh100.html), and ~20 µs for a small
// all-reduce between two machines (nccl-tests all_reduce_perf over HDR InfiniBand, 8-byte messages:
// 19-20 µs, https://github.com/NVIDIA/nccl-tests/issues/150).
inline constexpr double kDefaultNetworkGbps = 50;
inline constexpr double kDefaultNetworkLatencyUs = 20;
inline constexpr i64 kMaxNodes = 256;
inline constexpr double kMaxNetworkGbps = 10000;
inline constexpr double kMaxNetworkLatencyUs = 1e6;

struct CheckpointBytesMemo;  // estimate/checkpoint_bytes.cpp

struct Scenario {
    std::string model_id;  // catalog id or "custom"
    std::string model_name;
    const CatalogModel* model = nullptr;  // the catalog record, or nullptr for a config given inline
    ModelGeometry geometry;
    Inventory inventory;
    WeightFormat weights;
    std::string weights_repo;  // checkpoint repo when known
    // The checkpoint's own tensor bytes, read from its file headers (request "checkpoint"): when set, weight bytes
    // come from it for the format it was read under (`checkpoint_weights`), not from the format's emulation.
    std::optional<CheckpointSummary> checkpoint;
    std::string checkpoint_weights;
    Runtime runtime = kDefaultRuntime;
    std::vector<Device> devices;  // one entry per physical device (empty: a CPU-only run)
    Host host;
    Cluster cluster;
    i64 context = 4096;
    i64 concurrency = 1;
    KvType kv;
    bool kv_auto = true;
    EngineKnobs engine;
    i64 encoder_params = 0;     // vision/audio encoder parameters loaded with the model (0 = none)
    i64 images = 0;             // images per request (their tokens are part of the context)
    i64 tokens_per_image = 0;   // LLM tokens one image becomes
    i64 patches_per_image = 0;  // vision-encoder patches of one image (before any merging or pooling)
    Speculation spec;
    std::vector<std::string> assumptions;  // defaults the parser filled in
    std::vector<std::string> warnings;
    // checkpoint_bytes(*this), kept for the weights, checkpoint and inventory it was worked out for: a solver's
    // probes change only the context and concurrency, and a GGUF layout is worked out tensor by tensor, by name.
    // A copy shares it until its own weights, checkpoint or inventory differ from the ones it was made for.
    mutable std::shared_ptr<const CheckpointBytesMemo> checkpoint_bytes_memo;
};

// Request → Scenario: looks up the model, devices and draft model in the catalog and fills every default
// from the registry (runtime, checkpoint format, context, KV type), then sets up the multimodal encoder
// and speculative decoding. Throws FieldError naming the field.
Scenario build_scenario(const Request& request, const Catalog& catalog);

// The request's gpu_memory_in_use_mib (`in_use`: one figure for every device, or one per device) set on `devices`;
// FieldError naming the figure that does not fit its device, or a count that matches neither. build_scenario applies
// it, and compare to each GPU it weighs.
void hold_in_use(std::vector<Device>& devices, const std::vector<i64>& in_use);

// The scenario's parts, in the order build_scenario applies them (scenario/*.cpp).
void setup_multimodal(Scenario& s, const Request& r);
void setup_speculation(Scenario& s, const Catalog& catalog);
void setup_host(Scenario& s, const Request& r);
// Checks the request's checkpoint summary against the model (estimate/checkpoint_summary.cpp); FieldError("checkpoint...").
void setup_checkpoint(Scenario& s, const Request& r);

}  // namespace fitmygpu
