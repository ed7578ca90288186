// The launch-command table: each runtime's program, the flags that carry a request's context, concurrency,
// KV cache type and weights, and the flags that leave memory as it is. Knob flags are not listed here:
// they come from the registry's descriptors (runtimes.cpp), with only their extra spellings added below.
#include "fitmygpu/commands.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <span>

#include "fitmygpu/error.hpp"
#include "order.hpp"
#include "text.hpp"

namespace fitmygpu {

namespace {

using T = FlagTarget;

// A flag as the tables below write it: constants only, so that each table is data in the binary rather than code that
// builds strings (a table of std::string initialisers compiles to one function of well over 100 KiB).
struct FlagRow {
    std::array<const char*, 4> names{};  // the spellings; unused entries null
    T target = T::Ignored;
    const char* knob = "";
    bool takes_value = true;
    bool environment = false;
    const char* reason = "";
    bool field_only = false;
};

constexpr std::array<const char*, 4> spellings(std::initializer_list<const char*> names) {
    if (names.size() < 1 || names.size() > 4) throw "a flag has one to four spellings";  // a compile error in a constant
    std::array<const char*, 4> out{};
    size_t i = 0;
    for (const char* n : names) out[i++] = n;
    return out;
}
constexpr FlagRow value(std::initializer_list<const char*> names, T target) { return {spellings(names), target, "", true, false, "", false}; }
constexpr FlagRow knob(std::initializer_list<const char*> names, const char* knob, bool takes_value = true) {
    return {spellings(names), T::Knob, knob, takes_value, false, "", false};
}
constexpr FlagRow ignored(std::initializer_list<const char*> names, const char* reason, bool takes_value = true) {
    return {spellings(names), T::Ignored, "", takes_value, false, reason, false};
}
constexpr FlagRow env(const char* name, T target, const char* knob_name = "", const char* reason = "") {
    return {spellings({name}), target, knob_name, true, true, reason, false};
}
// A name only the request's "engine" object reads (a configuration-file or Modelfile setting, not a flag).
constexpr FlagRow field_only(FlagRow f) {
    f.field_only = true;
    return f;
}

CommandFlag flag_of(const FlagRow& row) {
    CommandFlag f{{}, row.target, row.knob, row.takes_value, row.environment, row.reason, row.field_only};
    for (const char* n : row.names)
        if (n) f.names.emplace_back(n);
    return f;
}
void append(std::vector<CommandFlag>& flags, std::span<const FlagRow> rows) {
    flags.reserve(flags.size() + rows.size());
    for (const FlagRow& row : rows) flags.push_back(flag_of(row));
}

// Reasons, written once.
constexpr const char* kServer = "server address, logging or API setting: no effect on memory";
constexpr const char* kSampling = "sampling or chat setting: no effect on memory";
constexpr const char* kTokenizer = "tokenizer or loading setting: no effect on memory";
constexpr const char* kThreads = "CPU threads: no effect on memory";
constexpr const char* kNotModelled = "changes memory in a way the estimate does not model";
constexpr const char* kKernels = "kernel or backend choice: the estimate assumes the default kernels";
constexpr const char* kScheduling = "scheduling setting: no effect on the memory plan";
constexpr const char* kCluster = "process, node or disaggregation setting: memory per GPU is estimated as for one server";
constexpr const char* kLora = "LoRA adapters: their weights and buffers are not counted";
constexpr const char* kGraphs = "CUDA-graph capture settings: the default capture is assumed";
constexpr const char* kHostCache = "host-memory cache or offload: GPU memory as estimated, the host side not modelled";

// Flags shared by the OpenAI-style servers.
constexpr FlagRow kServerFlags[] = {
    ignored({"--host"}, kServer),
    ignored({"--port"}, kServer),
    ignored({"--api-key"}, kServer),
    ignored({"--served-model-name"}, kServer),
    ignored({"--log-level"}, kServer),
    ignored({"--uvicorn-log-level"}, kServer),
    ignored({"--trust-remote-code"}, kTokenizer, false),
    ignored({"--tokenizer"}, kTokenizer),
    ignored({"--tokenizer-mode"}, kTokenizer),
    ignored({"--revision"}, kTokenizer),
    ignored({"--download-dir"}, kTokenizer),
    ignored({"--load-format"}, kTokenizer),
    ignored({"--chat-template"}, kSampling),
    ignored({"--tool-call-parser"}, kSampling),
    ignored({"--reasoning-parser"}, kSampling),
    ignored({"--enable-auto-tool-choice"}, kSampling, false),
    ignored({"--seed", "--random-seed"}, kSampling),
};

// Flags compare without their leading dashes' style: vLLM and SGLang accept --max_model_len for
// --max-model-len, and TensorRT-LLM documents underscores.
std::string flag_key(const std::string& name) {
    std::string k = name;
    const size_t start = k.find_first_not_of('-');
    if (start == std::string::npos) return k;
    std::replace(k.begin() + static_cast<std::ptrdiff_t>(start), k.end(), '_', '-');
    return k;
}

constexpr FlagRow kVllmFlags[] = {
    value({"--model"}, T::Model),
    value({"--max-model-len"}, T::Context),
    value({"--kv-cache-dtype"}, T::KvType),
    value({"--dtype"}, T::Dtype),
    value({"--quantization", "-q"}, T::Quantization),
    knob({"-tp"}, "tensor_parallel_size"),
    knob({"-pp"}, "pipeline_parallel_size"),
    knob({"-dp"}, "data_parallel_size"),
    knob({"-ep"}, "enable_expert_parallel", false),
    env("VLLM_USE_V2_MODEL_RUNNER", T::Knob, "model_runner_v2"),
    env("VLLM_USE_FLASHINFER_SAMPLER", T::Knob, "flashinfer_sampler"),
    ignored({"--disable-log-requests"}, kServer, false),
    ignored({"--disable-log-stats"}, kServer, false),
    ignored({"--max-logprobs"}, kSampling),
    ignored({"--generation-config"}, kSampling),
    ignored({"--distributed-executor-backend"}, kServer),
    ignored({"--swap-space"}, "host swap space for preempted requests: host memory, not GPU memory"),
    ignored({"--cpu-offload-gb"}, kNotModelled),
    ignored({"--disable-custom-all-reduce"}, kNotModelled, false),
    ignored({"--kv-cache-memory", "--kv-cache-memory-bytes"}, kNotModelled),
    ignored({"--compilation-config", "-O"}, kGraphs),
    ignored({"--max-seq-len-to-capture"}, kGraphs),
    ignored({"--cuda-graph-sizes"}, kGraphs),
    ignored({"--num-gpu-blocks-override"}, kNotModelled),
    ignored({"--max-num-partial-prefills"}, kScheduling),
    ignored({"--max-long-partial-prefills"}, kScheduling),
    ignored({"--long-prefill-token-threshold"}, kScheduling),
    ignored({"--scheduling-policy"}, kScheduling),
    ignored({"--async-scheduling"}, kScheduling, false),
    ignored({"--no-async-scheduling"}, kNotModelled, false),
    ignored({"--enable-chunked-prefill"}, "chunked prefill is on in vLLM V1: max_num_batched_tokens sizes the step", false),
    ignored({"--disable-chunked-mm-input"}, kScheduling, false),
    ignored({"--disable-sliding-window"}, kNotModelled, false),
    ignored({"--disable-cascade-attn"}, kKernels, false),
    ignored({"--attention-backend"}, kKernels),
    ignored({"--mamba-cache-dtype"}, kNotModelled),
    ignored({"--mamba-ssm-cache-dtype"}, "the recurrent state's dtype is read from the model's config"),
    ignored({"--calculate-kv-scales"}, kKernels, false),
    ignored({"--prefix-caching-hash-algo"}, kScheduling),
    ignored({"--mm-processor-cache-gb"}, kHostCache),
    ignored({"--mm-processor-kwargs"}, kNotModelled),
    ignored({"--mm-encoder-tp-mode"}, kNotModelled),
    ignored({"--skip-mm-profiling"}, kNotModelled, false),
    ignored({"--enable-lora"}, kLora, false),
    ignored({"--max-loras"}, kLora),
    ignored({"--max-lora-rank"}, kLora),
    ignored({"--max-cpu-loras"}, kLora),
    ignored({"--lora-modules"}, kLora),
    ignored({"--fully-sharded-loras"}, kLora, false),
    ignored({"--enable-eplb"}, kNotModelled, false),
    ignored({"--num-redundant-experts"}, kNotModelled),
    ignored({"--decode-context-parallel-size", "-dcp"}, kNotModelled),
    ignored({"--data-parallel-size-local", "-dpl"}, kCluster),
    ignored({"--data-parallel-address", "-dpa"}, kCluster),
    ignored({"--data-parallel-rpc-port", "-dpp"}, kCluster),
    ignored({"--data-parallel-rank", "-dpn"}, kCluster),
    ignored({"--data-parallel-backend", "-dpb"}, kCluster),
    ignored({"--headless"}, kCluster, false),
    ignored({"--api-server-count"}, kCluster),
    ignored({"--max-parallel-loading-workers"}, kTokenizer),
    ignored({"--enable-sleep-mode"}, kNotModelled, false),
    ignored({"--kv-transfer-config"}, "a connector without hybrid support: set disable_hybrid_kv_cache_manager"),
    ignored({"--hf-overrides"}, "config overrides: give the changed config instead"),
    ignored({"--rope-scaling"}, "RoPE scaling: give the context length instead"),
    ignored({"--rope-theta"}, "RoPE base: no effect on memory"),
    ignored({"--task", "--runner"}, kServer),
    ignored({"--max-log-len"}, kServer),
    ignored({"--enable-log-requests"}, kServer, false),
    ignored({"--enable-prompt-tokens-details"}, kServer, false),
    ignored({"--config"}, "options in a YAML file are not read"),
};

constexpr FlagRow kSglangFlags[] = {
    value({"--model-path", "--model"}, T::Model),
    value({"--context-length"}, T::Context),
    value({"--kv-cache-dtype"}, T::KvType),
    value({"--dtype"}, T::Dtype),
    value({"--quantization"}, T::Quantization),
    knob({"--tp", "--tensor-parallel-size"}, "tensor_parallel_size"),
    knob({"--pp", "--pipeline-parallel-size"}, "pipeline_parallel_size"),
    knob({"--dp", "--data-parallel-size"}, "data_parallel_size"),
    knob({"--ep", "--expert-parallel-size"}, "enable_expert_parallel"),
    // 0.4.x's switches for the EP and DeepEP MoE layers, which spread the experts over the tp_size ranks.
    knob({"--enable-ep-moe", "--enable-deepep-moe"}, "enable_expert_parallel", false),
    ignored({"--max-running-requests"}, "a cap on requests at once: the estimate uses the request's concurrency"),
    ignored({"--max-total-tokens"}, kNotModelled),
    ignored({"--page-size"}, kNotModelled),
    knob({"--enable-dp-attention"}, "enable_dp_attention", false),
    knob({"--attention-backend"}, "attention_backend"),
    knob({"--cuda-graph-max-bs"}, "cuda_graph_max_bs"),
    ignored({"--max-prefill-tokens"}, kNotModelled),
    ignored({"--disable-radix-cache"}, "prefix cache on or off: the pool is the same size", false),
    ignored({"--schedule-policy"}, kServer),
    ignored({"--enable-torch-compile"}, kNotModelled, false),
    ignored({"--torch-compile-max-bs"}, kGraphs),
    ignored({"--cuda-graph-bs"}, kGraphs),
    ignored({"--disable-cuda-graph-padding"}, kGraphs, false),
    ignored({"--prefill-attention-backend"}, kKernels),
    ignored({"--decode-attention-backend"}, kKernels),
    ignored({"--mm-attention-backend"}, kKernels),
    ignored({"--sampling-backend"}, kKernels),
    ignored({"--grammar-backend"}, kSampling),
    ignored({"--moe-runner-backend"}, kKernels),
    ignored({"--moe-a2a-backend"}, kKernels),
    ignored({"--deepep-mode"}, kKernels),
    ignored({"--enable-dp-lm-head"}, kNotModelled, false),
    ignored({"--enable-two-batch-overlap"}, kScheduling, false),
    ignored({"--disable-overlap-schedule"}, kScheduling, false),
    ignored({"--enable-mixed-chunk"}, kScheduling, false),
    ignored({"--schedule-conservativeness"}, kScheduling),
    ignored({"--max-queued-requests"}, kScheduling),
    ignored({"--num-continuous-decode-steps"}, kScheduling),
    ignored({"--stream-interval"}, kServer),
    ignored({"--hybrid-kvcache-ratio"}, kNotModelled),
    ignored({"--swa-full-tokens-ratio"}, kNotModelled),
    ignored({"--disable-hybrid-swa-memory"}, kNotModelled, false),
    ignored({"--max-mamba-cache-size"}, kNotModelled),
    ignored({"--mamba-ssm-dtype"}, "the recurrent state's dtype is read from the model's config"),
    ignored({"--enable-hierarchical-cache"}, kHostCache, false),
    ignored({"--hicache-ratio"}, kHostCache),
    ignored({"--hicache-size"}, kHostCache),
    ignored({"--cpu-offload-gb"}, kNotModelled),
    ignored({"--enable-memory-saver"}, kNotModelled, false),
    ignored({"--speculative-algorithm"}, kNotModelled),
    ignored({"--speculative-draft-model-path"}, kNotModelled),
    ignored({"--speculative-num-steps"}, kNotModelled),
    ignored({"--speculative-eagle-topk"}, kNotModelled),
    ignored({"--speculative-num-draft-tokens"}, kNotModelled),
    ignored({"--enable-lora"}, kLora, false),
    ignored({"--lora-paths"}, kLora),
    ignored({"--max-lora-rank"}, kLora),
    ignored({"--max-loras-per-batch"}, kLora),
    ignored({"--ep-num-redundant-experts"}, kNotModelled),
    ignored({"--enable-eplb"}, kNotModelled, false),
    ignored({"--disable-custom-all-reduce"}, kNotModelled, false),
    ignored({"--enable-nccl-nvls"}, kKernels, false),
    ignored({"--enable-symm-mem"}, kKernels, false),
    ignored({"--disable-chunked-prefix-cache"}, kKernels, false),
    ignored({"--disable-shared-experts-fusion"}, kKernels, false),
    ignored({"--n-share-experts-fusion"}, "the release's default is assumed"),
    ignored({"--enable-deterministic-inference"}, kKernels, false),
    ignored({"--torchao-config"}, kNotModelled),
    ignored({"--quantization-param-path"}, kTokenizer),
    ignored({"--json-model-override-args"}, "config overrides: give the changed config instead"),
    ignored({"--disaggregation-mode"}, kCluster),
    ignored({"--disaggregation-transfer-backend"}, kCluster),
    ignored({"--nnodes"}, kCluster),
    ignored({"--node-rank"}, kCluster),
    ignored({"--dist-init-addr"}, kCluster),
    ignored({"--base-gpu-id"}, "device selection: give the GPUs in the request"),
    ignored({"--device"}, "device selection: give the GPUs in the request"),
    ignored({"--load-balance-method"}, kCluster),
    ignored({"--watchdog-timeout"}, kServer),
    ignored({"--enable-metrics"}, kServer, false),
    ignored({"--log-requests"}, kServer, false),
    ignored({"--skip-tokenizer-init"}, kTokenizer, false),
    ignored({"--tokenizer-path"}, kTokenizer),
    ignored({"--is-embedding"}, kServer, false),
    ignored({"--enable-p2p-check"}, kServer, false),
    ignored({"--allow-auto-truncate"}, kServer, false),
    ignored({"--warmups"}, kServer),
};

constexpr FlagRow kTrtllmFlags[] = {
    value({"--max_seq_len"}, T::Context),
    knob({"--ep_size"}, "enable_expert_parallel"),
    knob({"--max_batch_size"}, "max_num_seqs"),
    knob({"--backend"}, "backend"),
    ignored({"--max_beam_width"}, kNotModelled),
    ignored({"--extra_llm_api_options", "--config"}, "options in a YAML file are not read"),
    ignored({"--num_postprocess_workers"}, kServer),
    ignored({"--log_level"}, kServer),
    ignored({"--cluster_size"}, kCluster),
    ignored({"--gpus_per_node"}, kCluster),
    ignored({"--server_role"}, kCluster),
    ignored({"--metadata_server_config_file"}, kCluster),
    ignored({"--tool_parser"}, kSampling),
    ignored({"--enable_chunked_prefill"}, "chunked prefill: max_num_tokens sizes the step either way", false),
    ignored({"--fail_fast_on_attention_window_too_large"}, kServer, false),
    ignored({"--media_io_kwargs"}, kNotModelled),
    // LLM API options (tensorrt_llm/llmapi/llm_args.py), which the YAML file of --config sets.
    field_only(ignored({"tokens_per_block", "kv_cache_config.tokens_per_block"},
                       "KV block granularity: the estimate counts the pool in blocks of the default 32 tokens")),
    field_only(knob({"kv_cache_config.free_gpu_memory_fraction"}, "free_gpu_memory_fraction")),
    field_only(value({"kv_cache_dtype", "kv_cache_config.dtype"}, T::KvType)),
    field_only(knob({"moe_expert_parallel_size"}, "enable_expert_parallel")),
    field_only(ignored({"max_input_len"}, "a cap on prompt length: the context is the request's")),
    field_only(ignored({"enable_attention_dp"}, kNotModelled)),
    field_only(ignored({"attn_backend"}, kKernels)),
    field_only(ignored({"moe_tensor_parallel_size"}, kNotModelled)),
    field_only(ignored({"context_parallel_size"}, kNotModelled)),
    field_only(ignored({"enable_block_reuse", "kv_cache_config.enable_block_reuse"}, "prefix reuse: the pool is the same size")),
    field_only(knob({"kv_cache_config.max_tokens"}, "kv_cache_max_tokens")),
    field_only(ignored({"kv_cache_config.host_cache_size"}, kHostCache)),
    field_only(ignored({"cuda_graph_config.max_batch_size", "cuda_graph_config.batch_sizes"}, kGraphs)),
    field_only(ignored({"cuda_graph_config.enable_padding"}, kGraphs)),
    field_only(ignored({"disable_overlap_scheduler"}, kScheduling)),
    field_only(ignored({"print_iter_log", "enable_iter_perf_stats"}, kServer)),
    field_only(ignored({"speculative_config"}, kNotModelled)),
    field_only(ignored({"moe_config.backend"}, kKernels)),
};

constexpr FlagRow kLlamaCppFlags[] = {
    value({"-m", "--model"}, T::Model),
    value({"-hf", "--hf-repo", "-hfr"}, T::Model),
    value({"-c", "--ctx-size"}, T::ContextTotal),
    value({"-np", "--parallel"}, T::Concurrency),
    value({"-ctk", "--cache-type-k"}, T::KvTypeK),
    value({"-ctv", "--cache-type-v"}, T::KvTypeV),
    {{"-cmoe", "--cpu-moe"}, T::AllExpertsCpu, "", false, false, ""},
    knob({"--gpu-layers", "--n-gpu-layers"}, "n_gpu_layers"),
    knob({"-ts"}, "tensor_split"),
    knob({"--ubatch-size"}, "n_ubatch"),
    knob({"--batch-size"}, "n_batch"),
    knob({"--flash-attn"}, "flash_attn"),
    knob({"-kvu"}, "kv_unified", false),
    knob({"-ncmoe"}, "n_cpu_moe"),
    knob({"-md"}, "speculative_model"),
    knob({"--draft", "--draft-n"}, "num_speculative_tokens"),
    ignored({"-hff", "--hf-file"}, kTokenizer),
    ignored({"--host"}, kServer),
    ignored({"--port"}, kServer),
    ignored({"--api-key"}, kServer),
    ignored({"-a", "--alias"}, kServer),
    ignored({"--metrics"}, kServer, false),
    ignored({"--log-disable"}, kServer, false),
    ignored({"-v", "--verbose"}, kServer, false),
    ignored({"--no-webui"}, kServer, false),
    ignored({"-t", "--threads"}, kThreads),
    ignored({"-tb", "--threads-batch"}, kThreads),
    ignored({"--numa"}, kThreads),
    ignored({"--prio"}, kThreads),
    ignored({"--jinja"}, kSampling, false),
    ignored({"--chat-template"}, kSampling),
    ignored({"--chat-template-file"}, kSampling),
    ignored({"--reasoning-format"}, kSampling),
    ignored({"--reasoning-budget"}, kSampling),
    ignored({"--temp"}, kSampling),
    ignored({"--top-p"}, kSampling),
    ignored({"--top-k"}, kSampling),
    ignored({"--min-p"}, kSampling),
    ignored({"--repeat-penalty"}, kSampling),
    ignored({"-n", "--n-predict"}, kSampling),
    ignored({"-s", "--seed"}, kSampling),
    ignored({"-cb", "--cont-batching"}, "continuous batching: no effect on memory", false),
    ignored({"--no-warmup"}, "warm-up run: no effect on memory", false),
    ignored({"--mlock"}, "locks the weights in RAM: same size", false),
    ignored({"--no-mmap"}, "reads the weights instead of mapping them: same size", false),
    ignored({"-dev", "--device"}, "device selection: give the GPUs in the request"),
    ignored({"-mg", "--main-gpu"}, kNotModelled),
    ignored({"-sm", "--split-mode"}, "layer split is assumed"),
    knob({"--override-tensor"}, "override_tensor"),
    ignored({"--rope-scaling"}, kNotModelled),
    ignored({"--rope-freq-base"}, "RoPE base: no effect on memory"),
    ignored({"--rope-freq-scale"}, "RoPE scale: no effect on memory"),
    ignored({"--keep"}, kSampling),
    ignored({"--cache-reuse"}, kSampling),
    ignored({"--slot-save-path"}, kServer),
    ignored({"-nkvo", "--no-kv-offload"}, kNotModelled, false),
    ignored({"--no-op-offload"}, kNotModelled, false),
    ignored({"--no-mmproj-offload"}, kNotModelled, false),
    ignored({"-cram", "--cache-ram"}, kHostCache),
    ignored({"-fit", "--fit"}, "llama.cpp's own fitting of the layers: give n_gpu_layers and n_cpu_moe instead"),
    ignored({"-fitt", "--fit-target"}, "llama.cpp's own fitting of the layers: give n_gpu_layers and n_cpu_moe instead"),
    ignored({"-fitc", "--fit-ctx"}, "llama.cpp's own fitting of the layers: give n_gpu_layers and n_cpu_moe instead"),
    ignored({"-ctkd", "--cache-type-k-draft"}, kNotModelled),
    ignored({"-ctvd", "--cache-type-v-draft"}, kNotModelled),
    ignored({"-ngld", "--gpu-layers-draft", "--n-gpu-layers-draft"}, "the draft model is placed like the main one"),
    ignored({"-cd", "--ctx-size-draft"}, kNotModelled),
    ignored({"-devd", "--device-draft"}, "device selection: give the GPUs in the request"),
    ignored({"--draft-min", "--draft-n-min"}, kSampling),
    ignored({"--draft-p-min"}, kSampling),
    ignored({"-mmu", "--mmproj-url"}, kTokenizer),
    ignored({"--image-min-tokens"}, kNotModelled),
    ignored({"--image-max-tokens"}, kNotModelled),
    ignored({"--lora"}, kLora),
    ignored({"--lora-scaled"}, kLora),
    ignored({"--control-vector"}, kLora),
    ignored({"-C", "--cpu-mask"}, kThreads),
    ignored({"-Cr", "--cpu-range"}, kThreads),
    ignored({"--cpu-strict"}, kThreads),
    ignored({"--poll"}, kThreads),
    ignored({"-dt", "--defrag-thold"}, kSampling),
    ignored({"--swa-checkpoints"}, kNotModelled),
    ignored({"--context-shift"}, kSampling, false),
    ignored({"--no-context-shift"}, kSampling, false),
    ignored({"-nocb", "--no-cont-batching"}, "continuous batching: no effect on memory", false),
    ignored({"--embedding", "--embeddings"}, kServer, false),
    ignored({"--reranking", "--rerank"}, kServer, false),
    ignored({"--pooling"}, kServer),
    ignored({"--api-key-file"}, kServer),
    ignored({"--ssl-key-file"}, kServer),
    ignored({"--ssl-cert-file"}, kServer),
    ignored({"-to", "--timeout"}, kServer),
    ignored({"--threads-http"}, kThreads),
    ignored({"--slots"}, kServer, false),
    ignored({"--props"}, kServer, false),
    ignored({"--path"}, kServer),
    ignored({"--api-prefix"}, kServer),
    ignored({"-lv", "--verbosity", "--log-verbosity"}, kServer),
    ignored({"--log-file"}, kServer),
    ignored({"--log-colors"}, kServer),
    ignored({"--offline"}, kTokenizer, false),
    ignored({"-hft", "--hf-token"}, kTokenizer),
    ignored({"-mu", "--model-url"}, kTokenizer),
    ignored({"--check-tensors"}, kTokenizer, false),
    ignored({"--override-kv"}, "metadata overrides: give the changed model instead"),
    ignored({"--chat-template-kwargs"}, kSampling),
    ignored({"-sps", "--slot-prompt-similarity"}, kSampling),
    ignored({"--yarn-orig-ctx"}, "RoPE scaling: no effect on memory"),
    ignored({"--yarn-ext-factor"}, "RoPE scaling: no effect on memory"),
    ignored({"--yarn-attn-factor"}, "RoPE scaling: no effect on memory"),
    ignored({"--yarn-beta-slow"}, "RoPE scaling: no effect on memory"),
    ignored({"--yarn-beta-fast"}, "RoPE scaling: no effect on memory"),
    ignored({"--perf"}, kServer, false),
    ignored({"--no-perf"}, kServer, false),
};

// Ollama takes its server settings from the environment (envconfig/config.go) and the model from `ollama run`.
constexpr FlagRow kOllamaFlags[] = {
    env("OLLAMA_CONTEXT_LENGTH", T::Context),
    env("OLLAMA_NUM_PARALLEL", T::Concurrency),
    env("OLLAMA_KV_CACHE_TYPE", T::KvType),
    env("OLLAMA_FLASH_ATTENTION", T::Knob, "flash_attn"),
    env("OLLAMA_NEW_ENGINE", T::Knob, "ollama_new_engine"),
    env("OLLAMA_HOST", T::Ignored, "", kServer),
    env("OLLAMA_MODELS", T::Ignored, "", kTokenizer),
    env("OLLAMA_KEEP_ALIVE", T::Ignored, "", kServer),
    env("OLLAMA_ORIGINS", T::Ignored, "", kServer),
    env("OLLAMA_DEBUG", T::Ignored, "", kServer),
    env("OLLAMA_MAX_LOADED_MODELS", T::Ignored, "", "models loaded at once: one model is estimated"),
    env("OLLAMA_MAX_QUEUE", T::Ignored, "", kServer),
    env("OLLAMA_GPU_OVERHEAD", T::Ignored, "", kNotModelled),
    env("OLLAMA_SCHED_SPREAD", T::Ignored, "", kNotModelled),
    // Modelfile parameters and API options (docs/modelfile.md), read from the request's "engine" object.
    field_only(value({"num_ctx"}, T::Context)),
    field_only(knob({"num_gpu"}, "n_gpu_layers")),
    field_only(knob({"num_batch"}, "n_batch")),
    field_only(ignored({"num_thread"}, kThreads)),
    field_only(ignored({"num_predict"}, kSampling)),
    field_only(ignored({"temperature"}, kSampling)),
    field_only(ignored({"use_mmap"}, "maps the weights instead of reading them: same size")),
    ignored({"--verbose"}, kServer, false),
    ignored({"--keepalive"}, kServer),
    ignored({"--format"}, kSampling),
    ignored({"--think"}, kSampling),
};

constexpr FlagRow kTransformersFlags[] = {
    value({"--dtype", "--torch_dtype", "--torch-dtype"}, T::Dtype),
    ignored({"--device"}, "device selection: give the GPUs in the request"),
    ignored({"--load_in_4bit", "--load-in-4bit"}, kNotModelled, false),
    ignored({"--load_in_8bit", "--load-in-8bit"}, kNotModelled, false),
    ignored({"--attn_implementation", "--attn-implementation"}, kNotModelled),
};

constexpr FlagRow kMlxFlags[] = {
    value({"--model"}, T::Model),
    knob({"--prefill-step-size"}, "prefill_step_size"),
    ignored({"--max-kv-size"}, kNotModelled),
    ignored({"--adapter-path"}, kNotModelled),
    ignored({"--prompt", "-p"}, kSampling),
    knob({"--max-tokens", "-m"}, "max_tokens"),
    ignored({"--temp"}, kSampling),
    ignored({"--top-p"}, kSampling),
    ignored({"--seed"}, kSampling),
    ignored({"--host"}, kServer),
    ignored({"--port"}, kServer),
    ignored({"--trust-remote-code"}, kTokenizer, false),
    ignored({"--chat-template"}, kSampling),
};

// A CommandSpec as the table below writes it: the runtime's own flags, then kServerFlags when server_flags is set.
struct CommandRow {
    Runtime runtime;
    std::initializer_list<std::initializer_list<const char*>> programs;
    bool model_positional;
    std::span<const FlagRow> flags;
    bool server_flags;
    std::initializer_list<const char*> images;  // container images whose entry point is the runtime's server
};

constexpr CommandRow kCommands[] = {
    // The images: docs.vllm.ai, "Using Docker".
    {Runtime::Vllm,
     {{"vllm", "serve"}, {"python", "-m", "vllm.entrypoints.openai.api_server"}},
     true,
     kVllmFlags,
     true,
     {"vllm/vllm-openai", "docker.io/vllm/vllm-openai"}},
    {Runtime::Sglang, {{"python", "-m", "sglang.launch_server"}, {"sglang", "serve"}}, false, kSglangFlags, true, {}},
    {Runtime::Trtllm, {{"trtllm-serve"}}, true, kTrtllmFlags, true, {}},
    // The image: its :server and :server-cuda tags (llama.cpp docs/docker.md).
    {Runtime::LlamaCpp, {{"llama-server"}, {"llama-cli"}}, false, kLlamaCppFlags, false, {"ghcr.io/ggml-org/llama.cpp"}},
    {Runtime::Ollama, {{"ollama", "serve"}, {"ollama", "run"}}, true, kOllamaFlags, false, {"ollama/ollama"}},
    {Runtime::Transformers, {{"transformers", "chat"}, {"transformers", "serve"}}, true, kTransformersFlags, true, {}},
    {Runtime::Mlx, {{"mlx_lm.server"}, {"mlx_lm.generate"}, {"mlx_lm.chat"}, {"python", "-m", "mlx_lm.server"}}, false, kMlxFlags, false, {}},
};

std::vector<CommandSpec> build_commands() {
    std::vector<CommandSpec> specs;
    for (const CommandRow& row : kCommands) {
        CommandSpec c{row.runtime, {}, row.model_positional, {}, {row.images.begin(), row.images.end()}};
        for (const auto& words : row.programs) c.programs.emplace_back(words.begin(), words.end());
        append(c.flags, row.flags);
        if (row.server_flags) append(c.flags, kServerFlags);
        specs.push_back(std::move(c));
    }
    // Every runtime: the registry's knob flags (command-line flags and Ollama's environment variables), and
    // CUDA_VISIBLE_DEVICES.
    for (auto& c : specs) {
        for (const auto& k : runtime_descriptor(c.runtime).knobs) {
            if (k.flag.empty() || (k.flag[0] != '-' && k.flag.rfind("OLLAMA_", 0) != 0)) continue;
            CommandFlag* listed = nullptr;  // the table's entry for this knob, holding its other spellings
            for (auto& f : c.flags)
                if (f.target == T::Knob && f.knob == k.name && !f.field_only) listed = &f;
            if (listed) {
                // The registry's flag is the spelling `command` writes.
                std::erase_if(listed->names, [&](const std::string& n) { return flag_key(n) == flag_key(k.flag); });
                listed->names.insert(listed->names.begin(), k.flag);
            } else if (!find_command_flag(c, k.flag)) {
                // (A flag two knobs share, vLLM's --speculative-config, is listed once, under the first.)
                const KnobSpec* spec = find_knob(k.name);
                c.flags.push_back(CommandFlag{{k.flag}, T::Knob, k.name, !(spec && spec->type == KnobType::Boolean), false, ""});
            }
        }
        c.flags.push_back(flag_of(env("CUDA_VISIBLE_DEVICES", T::Devices)));
    }
    return specs;
}

}  // namespace

const std::vector<CommandSpec>& command_specs() {
    static const std::vector<CommandSpec> table = build_commands();
    return table;
}

const CommandSpec& command_spec(Runtime r) {
    for (const auto& c : command_specs())
        if (c.runtime == r) return c;
    return command_specs().front();
}

const CommandFlag* find_command_flag(const CommandSpec& spec, const std::string& name) {
    const std::string key = flag_key(name);
    for (const auto& f : spec.flags)
        if (!f.field_only)
            for (const auto& n : f.names)
                if (flag_key(n) == key) return &f;
    return nullptr;
}

std::string engine_field_key(const std::string& name) {
    const size_t start = name.find_first_not_of('-');
    std::string k = start == std::string::npos ? "" : name.substr(start);
    std::replace(k.begin(), k.end(), '_', '-');
    return k;
}

namespace {

// The tables a lookup reads: the runtime's, or every one in registry order.
std::vector<const CommandSpec*> tables_for(const Runtime* runtime) {
    std::vector<const CommandSpec*> out;
    for (const auto& c : command_specs())
        if (!runtime || c.runtime == *runtime) out.push_back(&c);
    return out;
}

std::string as_field(const std::string& name) {
    std::string k = engine_field_key(name);
    std::replace(k.begin(), k.end(), '-', '_');
    return k;
}

}  // namespace

EngineFlag find_engine_flag(const std::string& name, const Runtime* runtime) {
    const std::string key = engine_field_key(name);
    if (key.empty()) return {};
    EngineFlag found;
    for (const CommandSpec* c : tables_for(runtime))
        for (const auto& f : c->flags)
            for (const auto& n : f.names)
                if (engine_field_key(n) == key) {
                    if (f.target != FlagTarget::Ignored) return {c, &f};
                    if (!found.flag) found = {c, &f};
                }
    return found;
}

std::vector<std::string> nearest_engine_fields(const std::string& name, const Runtime* runtime) {
    const std::string key = engine_field_key(name);
    std::vector<std::pair<size_t, std::string>> scored;
    if (key.size() > kLongestSlip) return {};
    auto consider = [&](const std::string& candidate) {
        const std::string field = as_field(candidate);
        if (field.size() < 2) return;  // one-letter flags are no suggestion
        const size_t d = edit_distance(key, engine_field_key(field));
        // Close enough to be a slip: a third of the name's letters, at least two.
        if (d > std::max<size_t>(2, key.size() / 3)) return;
        for (const auto& s : scored)
            if (s.second == field) return;
        scored.emplace_back(d, field);
    };
    for (const auto& k : knob_specs()) consider(k.name);
    // Environment variables too (VLLM_USE_V2_MODEL_RUNNER, OLLAMA_NEW_ENGINE): a request may name them in "engine".
    for (const CommandSpec* c : tables_for(runtime))
        for (const auto& f : c->flags)
            for (const auto& n : f.names) consider(n);
    std::vector<std::string> out;
    for (const size_t i : stable_order(scored.size(), [&](size_t a, size_t b) { return scored[a].first < scored[b].first; })) {
        if (out.size() == 3) break;
        out.push_back(scored[i].second);
    }
    return out;
}

std::vector<std::string> knob_spellings(Runtime runtime, const std::string& knob) {
    std::vector<std::string> out;
    for (const auto& f : command_spec(runtime).flags)
        if (f.target == FlagTarget::Knob && f.knob == knob)
            for (const auto& n : f.names) {
                const std::string field = as_field(n);
                if (field != knob && std::find(out.begin(), out.end(), field) == out.end()) out.push_back(field);
            }
    return out;
}

std::vector<std::string> shell_words(const std::string& line) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    auto end_word = [&] {
        if (in_word) words.push_back(word);
        word.clear();
        in_word = false;
    };
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '\\') {
            if (i + 1 < line.size() && (line[i + 1] == '\n' || line[i + 1] == '\r')) {  // line continuation
                i += (line[i + 1] == '\r' && i + 2 < line.size() && line[i + 2] == '\n') ? 2 : 1;
                continue;
            }
            if (i + 1 < line.size()) word += line[++i];
            in_word = true;
        } else if (c == '\'') {
            const size_t close = line.find('\'', i + 1);
            if (close == std::string::npos) fail("invalid_field", "command", "the command has a ' quote that is not closed");
            word += line.substr(i + 1, close - i - 1);
            in_word = true;
            i = close;
        } else if (c == '"') {
            size_t j = i + 1;
            for (; j < line.size() && line[j] != '"'; ++j) {
                if (line[j] == '\\' && j + 1 < line.size() && std::string("\"\\$`\n").find(line[j + 1]) != std::string::npos) ++j;
                if (line[j] != '\n' || line[j - 1] != '\\') word += line[j];
            }
            if (j >= line.size()) fail("invalid_field", "command", "the command has a \" quote that is not closed");
            in_word = true;
            i = j;
        } else if (c == ' ' || c == '\t') {
            end_word();
        } else if (c == '\n' || c == '\r' || c == ';' || c == '|' || c == '&') {
            end_word();
            std::string op(1, c == '\r' ? '\n' : c);
            if ((c == '|' || c == '&') && i + 1 < line.size() && line[i + 1] == c) op += line[++i];
            if (words.empty() || words.back() != op) words.push_back(op);
        } else if (c == '#' && !in_word) {
            while (i + 1 < line.size() && line[i + 1] != '\n') ++i;
        } else {
            word += c;
            in_word = true;
        }
    }
    end_word();
    return words;
}

std::string shell_quote(const std::string& word) {
    if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%") == std::string::npos) return word;
    std::string out = "'";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace fitmygpu
