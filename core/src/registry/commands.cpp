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
    bool many_values = false;
    bool legacy = false;
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
// A knob flag that takes one or more values (argparse's nargs="+"): the largest sets the knob.
constexpr FlagRow knob_list(std::initializer_list<const char*> names, const char* knob) {
    return {spellings(names), T::Knob, knob, true, false, "", false, true};
}
// An older release's spelling of a knob's flag: read, never written.
constexpr FlagRow legacy_knob(std::initializer_list<const char*> names, const char* knob) {
    return {spellings(names), T::Knob, knob, true, false, "", false, false, true};
}
// A name only the request's "engine" object reads (a configuration-file or Modelfile setting, not a flag).
constexpr FlagRow field_only(FlagRow f) {
    f.field_only = true;
    return f;
}

CommandFlag flag_of(const FlagRow& row) {
    CommandFlag f{{}, row.target, row.knob, row.takes_value, row.environment, row.reason, row.many_values, row.legacy, row.field_only};
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
constexpr const char* kDevice = "device selection: give the GPUs in the request";
constexpr const char* kYaml = "options in a YAML file are not read";
constexpr const char* kOverrides = "config overrides: give the changed config instead";
constexpr const char* kRetired = "no longer read by the engine: no effect";

// The flags a table lists as leaving the estimate as it is, written as text, which keeps the hundreds of them small in
// the binary: a reason, then its flags' spellings separated by spaces. A spelling ending in '!' takes no value, one
// ending in '+' one or more (argparse's nargs="+"); one without leading dashes is an environment variable (or, with
// field_only, a configuration key only the request's "engine" object reads). A switch's --no-X form needs no entry:
// the reader turns it into X off.
struct QuietFlags {
    const char* reason;
    const char* names;
    bool field_only = false;
};
void append(std::vector<CommandFlag>& flags, std::span<const QuietFlags> groups) {
    for (const QuietFlags& g : groups) {
        const std::string_view all = g.names;
        size_t i = 0;
        while (i < all.size()) {
            size_t end = all.find(' ', i);
            if (end == std::string_view::npos) end = all.size();
            std::string name(all.substr(i, end - i));
            i = end + 1;
            if (name.empty()) continue;
            const bool is_switch = name.back() == '!', many = name.back() == '+';
            if (is_switch || many) name.pop_back();
            const bool environment = !g.field_only && name[0] != '-';
            flags.push_back(CommandFlag{{std::move(name)}, T::Ignored, "", !is_switch, environment, g.reason, many, false, g.field_only});
        }
    }
}

// Flags shared by the OpenAI-style servers.
constexpr QuietFlags kServerQuiet[] = {
    {kServer, "--host --port --api-key --served-model-name+ --log-level --uvicorn-log-level"},
    {kTokenizer, "--trust-remote-code! --tokenizer --tokenizer-mode --revision --download-dir --load-format"},
    {kSampling, "--chat-template --tool-call-parser --reasoning-parser --enable-auto-tool-choice! --seed --random-seed"},
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
    // The capture sizes as a list (0.9-0.10's --cuda-graph-sizes, later --cudagraph-capture-sizes): the largest bounds them.
    knob_list({"--cudagraph-capture-sizes", "--cuda-graph-sizes"}, "cuda_graph_max_bs"),
    // --compilation-config '{"cudagraph_mode": "NONE", "max_cudagraph_capture_size": 64}', -O0 (-O N before 0.12).
    value({"--compilation-config", "-O", "-cc", "--optimization-level"}, T::GraphConfig),
    // --kv-cache-memory-bytes's other spelling (the registry adds the first).
    knob({"--kv-cache-memory"}, "kv_cache_memory_bytes"),
    // 0.8's speculative flags, before --speculative-config.
    legacy_knob({"--speculative-model"}, "speculative_model"),
    legacy_knob({"--num-speculative-tokens"}, "num_speculative_tokens"),
    env("VLLM_USE_V2_MODEL_RUNNER", T::Knob, "model_runner_v2"),
    env("VLLM_USE_FLASHINFER_SAMPLER", T::Knob, "flashinfer_sampler"),
    env("VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS", T::Knob, "cudagraph_memory_profiling"),
};
constexpr QuietFlags kVllmQuiet[] = {
    {kServer,
     "--disable-log-requests! --disable-log-stats! --distributed-executor-backend --task --runner --max-log-len "
     "--enable-log-requests! --enable-prompt-tokens-details! --uds --disable-uvicorn-access-log! "
     "--disable-access-log-for-endpoints --allow-credentials! --allowed-origins --allowed-methods --allowed-headers "
     "--ssl-keyfile --ssl-certfile --ssl-ca-certs --enable-ssl-refresh! --ssl-cert-reqs --ssl-ciphers --root-path "
     "--middleware+ --return-tokens-as-token-ids! --disable-frontend-multiprocessing! --enable-request-id-headers! "
     "--tool-server --log-config-file --disable-fastapi-docs! --enable-offline-docs! --enable-server-load-tracking! "
     "--enable-force-include-usage! --enable-tokenizer-info-endpoint! --enable-log-outputs! --enable-log-deltas! "
     "--log-error-stack! --h11-max-incomplete-event-size --h11-max-header-count --use-gpu-for-pooling-score! "
     "--aggregate-engine-logging! --fail-on-environ-validation! --shutdown-timeout --allowed-local-media-path "
     "--allowed-media-domains+ --override-pooler-config --pooler-config --io-processor-plugin --eplb-log-balancedness! "
     "--ray-workers-use-nsight! --worker-cls --worker-extension-cls --worker-use-ray! --enable-mm-embeds! "
     "--interleave-mm-strings! --show-hidden-metrics-for-version --otlp-traces-endpoint --collect-detailed-traces+ "
     "--kv-cache-metrics! --kv-cache-metrics-sample --cudagraph-metrics! --enable-layerwise-nvtx-tracing! "
     "--enable-mfu-metrics! --enable-logging-iteration-details! --enable-mm-processor-stats! --stream-interval "
     "--kv-events-config --additional-config --profiler-config VLLM_ALLOW_LONG_MAX_MODEL_LEN VLLM_ENABLE_V1_MULTIPROCESSING "
     "VLLM_SLEEP_WHEN_IDLE VLLM_LOGGING_LEVEL VLLM_CONFIGURE_LOGGING VLLM_WORKER_MULTIPROC_METHOD VLLM_PORT VLLM_API_KEY "
     "VLLM_SKIP_P2P_CHECK"},
    {kSampling,
     "--max-logprobs --generation-config --chat-template-content-format --default-chat-template-kwargs "
     "--trust-request-chat-template! --response-role --exclude-tools-when-tool-choice-none! --tool-parser-plugin "
     "--enable-reasoning! --logprobs-mode --logits-processor-pattern --override-generation-config --logits-processors+ "
     "--guided-decoding-backend --guided-decoding-disable-fallback! --guided-decoding-disable-any-whitespace! "
     "--guided-decoding-disable-additional-properties! --reasoning-parser-plugin --structured-outputs-config "
     "--spec-decoding-acceptance-method --typical-acceptance-sampler-posterior-threshold "
     "--typical-acceptance-sampler-posterior-alpha --disable-logprobs-during-spec-decoding"},
    {"host swap space for preempted requests: host memory, not GPU memory", "--swap-space"},
    {kNotModelled,
     "--ubatch-size --cpu-offload-gb --disable-custom-all-reduce! --num-gpu-blocks-override "
     "--no-async-scheduling! --disable-sliding-window! --mamba-cache-dtype --mm-processor-kwargs --mm-encoder-tp-mode "
     "--skip-mm-profiling! --enable-eplb! --num-redundant-experts --decode-context-parallel-size -dcp --enable-sleep-mode! "
     "--convert --enable-return-routed-experts! --enable-prompt-embeds! --override-attention-dtype "
     "--prefill-context-parallel-size -pcp --all2all-backend --enable-dbo! --eplb-config "
     "--enable-multimodal-encoder-data-parallel! --kv-sharing-fast-prefill! --mamba-block-size --mamba-cache-mode "
     "--media-io-kwargs --mm-encoder-only! --video-pruning-rate --speculative-model-quantization "
     "--speculative-draft-tensor-parallel-size -spec-draft-tp --speculative-max-model-len VLLM_USE_V1 "
     "VLLM_FUSED_MOE_CHUNK_SIZE VLLM_MLA_DISABLE VLLM_ALLREDUCE_USE_SYMM_MEM VLLM_MOE_DP_CHUNK_SIZE PYTORCH_CUDA_ALLOC_CONF"},
    {kGraphs,
     " --max-seq-len-to-capture --performance-mode "
     "VLLM_DISABLE_COMPILE_CACHE VLLM_ENABLE_CUDAGRAPH_GC"},
    {kScheduling,
     "--max-num-partial-prefills --max-long-partial-prefills --long-prefill-token-threshold --scheduling-policy "
     "--async-scheduling! --disable-chunked-mm-input! --prefix-caching-hash-algo --disable-async-output-proc! "
     "--dbo-decode-token-threshold --dbo-prefill-token-threshold --eplb-window-size --eplb-step-interval "
     "--use-v2-block-manager! --num-lookahead-slots --speculative-disable-by-batch-size --ngram-prompt-lookup-max "
     "--ngram-prompt-lookup-min --scheduler-delay-factor --preemption-mode --num-scheduler-steps "
     "--multi-step-stream-outputs! --scheduler-cls"},
    {"chunked prefill is on in vLLM V1: max_num_batched_tokens sizes the step", "--enable-chunked-prefill!"},
    {kKernels,
     "--disable-cascade-attn! --attention-backend --calculate-kv-scales! --override-neuron-config --model-impl "
     "--attention-config -ac --dcp-comm-backend --dcp-kv-cache-interleave-size --cp-kv-cache-interleave-size "
     "--expert-placement-strategy --mm-encoder-attn-backend --speculative-disable-mqa-scorer! --enable-flashinfer-autotune! "
     "--moe-backend --kernel-config VLLM_ATTENTION_BACKEND VLLM_USE_DEEP_GEMM VLLM_KV_CACHE_LAYOUT VLLM_FLASH_ATTN_VERSION "
     "VLLM_USE_FLASHINFER_MOE_FP8 VLLM_USE_FLASHINFER_MOE_FP4 VLLM_USE_TRITON_FLASH_ATTN VLLM_ROCM_USE_AITER"},
    {"the recurrent state's dtype is read from the model's config", "--mamba-ssm-cache-dtype"},
    {kHostCache,
     "--mm-processor-cache-gb --kv-offloading-size --kv-offloading-backend --offload-backend --cpu-offload-params+ "
     "--offload-group-size --offload-num-in-group --offload-prefetch-step --offload-params+ --disable-mm-preprocessor-cache! "
     "--mm-processor-cache-type --mm-shm-cache-max-object-size-mb VLLM_MM_INPUT_CACHE_GIB VLLM_CPU_KVCACHE_SPACE "
     "VLLM_USE_SIMPLE_KV_OFFLOAD"},
    {kLora,
     "--enable-lora! --max-loras --max-lora-rank --max-cpu-loras --lora-modules+ --fully-sharded-loras! --prompt-adapters+ "
     "--qlora-adapter-name-or-path --enable-lora-bias! --lora-extra-vocab-size --lora-dtype --long-lora-scaling-factors "
     "--default-mm-loras --enable-tower-connector-lora! --specialize-active-lora! --enable-prompt-adapter! "
     "--max-prompt-adapters --max-prompt-adapter-token"},
    {kCluster,
     "--data-parallel-size-local -dpl --data-parallel-address -dpa --data-parallel-rpc-port -dpp --data-parallel-rank -dpn "
     "--data-parallel-backend -dpb --headless! --api-server-count -asc --master-addr --master-port --nnodes -n --node-rank -r "
     "--distributed-timeout-seconds --data-parallel-start-rank -dpr --data-parallel-hybrid-lb! -dph! "
     "--data-parallel-external-lb! -dpe! --enable-elastic-ep! --disable-nccl-for-dp-synchronization! --ec-transfer-config "
     "--weight-transfer-config VLLM_HOST_IP NCCL_P2P_DISABLE"},
    {kTokenizer,
     "--max-parallel-loading-workers --tokens-only! --hf-config-path --code-revision --tokenizer-revision "
     "--allow-deprecated-quantization! --skip-tokenizer-init! --config-format --hf-token --safetensors-load-strategy "
     "--model-loader-extra-config --ignore-patterns+ --use-tqdm-on-load! --pt-load-map-location VLLM_CACHE_ROOT HF_TOKEN "
     "HF_HUB_OFFLINE"},
    {"a connector without hybrid support: set disable_hybrid_kv_cache_manager", "--kv-transfer-config"},
    {kOverrides, "--hf-overrides"},
    {"RoPE scaling: give the context length instead", "--rope-scaling"},
    {"RoPE base: no effect on memory", "--rope-theta"},
    {kYaml, "--config"},
    {kThreads, "--tokenizer-pool-size --tokenizer-pool-type --tokenizer-pool-extra-config"},
    {kDevice, "--device"},
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
    knob({"--enable-dp-attention"}, "enable_dp_attention", false),
    knob({"--attention-backend"}, "attention_backend"),
    knob({"--cuda-graph-max-bs", "--cuda-graph-max-bs-decode"}, "cuda_graph_max_bs"),
    knob_list({"--cuda-graph-bs", "--cuda-graph-bs-decode"}, "cuda_graph_max_bs"),
};
constexpr QuietFlags kSglangQuiet[] = {
    {kNotModelled,
     "--page-size --max-prefill-tokens --enable-torch-compile! --enable-dp-lm-head! "
     "--hybrid-kvcache-ratio --swa-full-tokens-ratio --disable-hybrid-swa-memory! --max-mamba-cache-size --cpu-offload-gb "
     "--enable-memory-saver! --speculative-algorithm --speculative-draft-model-path --speculative-num-steps "
     "--speculative-eagle-topk --speculative-num-draft-tokens --ep-num-redundant-experts --enable-eplb! "
     "--disable-custom-all-reduce! --torchao-config --attention-context-parallel-size --attn-cp-size --dcp-size "
     "--decode-context-parallel-size --decoupled-spec-role --disable-attn-tp-gather! --disable-mla! "
     "--disaggregation-decode-extra-slots --ds-heavy-channel-num --elastic-ep-initial-size --enable-double-sparsity! "
     "--enable-dsa-cache-layer-split! --enable-dsa-prefill-context-parallel! --enable-fp32-lm-head! "
     "--enable-gdn-replayssm-spec! --enable-hisparse! --enable-int8-mamba-checkpoint! --enable-linear-replayssm! "
     "--enable-llama4-multimodal! --enable-mla! --enable-mscclpp! --enable-multi-layer-eagle! --enable-multimodal! "
     "--enable-nsa-prefill-context-parallel! --enable-page-major-kv-layout! --enable-pdmux! "
     "--enable-prefill-context-parallel! --enable-prefill-cp! --enable-return-hidden-states! --enable-return-indexer-topk! "
     "--enable-return-routed-experts! --enable-torch-symm-mem! --enable-unified-memory! --encoder-only! "
     "--expert-distribution-recorder-buffer-size --flashinfer-mxfp4-moe-precision "
     "--hierarchical-sparse-attention-extra-config --hisparse-config --int8-mamba-ckpt-size --keep-mm-feature-on-device! "
     "--kt-amx-weight-path --kt-num-gpu-experts --kt-weight-path --kv-canary --language-only! --limit-mm-data-per-request "
     "--linear-replayssm-cache-len --mamba-full-memory-ratio --mamba-radix-cache-strategy --mamba-scheduler-strategy "
     "--max-ep-size --max-micro-batch-size --max-num-reqs --mm-enable-dp-encoder! --mm-feature-transport "
     "--mm-process-config --modelopt-quant --moe-dense-tp-size --moe-data-parallel-size --moe-dp-size "
     "--num-reserved-decode-tokens --offload-group-size --offload-mode --offload-num-in-group --offload-prefetch-step "
     "--pdmux-config-path --pp-async-batch-depth --pp-max-micro-batch-size --prefill-only-disable-kv-cache! "
     "--quantize-and-serve! --return-hidden-states! --rl-quant-profile --speculative-adaptive! "
     "--speculative-dflash-block-size --speculative-dflash-draft-window-size --speculative-draft-model "
     "--speculative-draft-model-quantization --speculative-draft-window-size --speculative-dspark-block-size "
     "--speculative-token-map --triton-attention-num-kv-splits"},
    {"prefix cache on or off: the pool is the same size", "--disable-radix-cache!"},
    {kServer,
     "--schedule-policy --stream-interval --watchdog-timeout --enable-metrics! --log-requests! --is-embedding! "
     "--enable-p2p-check! --allow-auto-truncate! --warmups --abort-on-priority-when-disabled! --additional-ports+ "
     "--admin-api-key --asr-max-buffer-seconds --asr-max-concurrent-sessions --batch-notify-size "
     "--bucket-e2e-request-latency+ --bucket-inter-token-latency+ --bucket-time-to-first-token+ --collect-tokens-histogram! "
     "--config --crash-dump-folder --crash-on-nan --custom-sigquit-handler --debug-tensor-dump-inject "
     "--debug-tensor-dump-input-file --debug-tensor-dump-layers+ --debug-tensor-dump-output-folder "
     "--debug-tensor-dump-prefill-only! --decode-log-interval --enable-cache-report! --enable-expert-distribution-metrics! "
     "--enable-forward-pass-metrics! --enable-http2! --enable-layerwise-nvtx-marker! --enable-metrics-for-all-schedulers! "
     "--enable-mfu-metrics! --enable-request-time-stats-logging! --enable-ssl-refresh! --enable-trace! "
     "--expert-distribution-recorder-mode --export-metrics-to-file! --export-metrics-to-file-dir --extra-metric-labels "
     "--fastapi-root-path --file-storage-path --file-storage-pth --forward-hooks --forward-pass-metrics-ipc-name "
     "--forward-pass-metrics-worker-id --gc-warning-threshold-secs --generation-tokens-buckets+ --grpc-mode! --grpc-port "
     "--incremental-streaming-output! --kv-canary-real-data --kv-canary-sweep-interval --kv-events-config "
     "--load-snapshot-publish-interval --load-watch-interval --log-level-http --log-requests-format --log-requests-level "
     "--log-requests-target+ --metrics-http-port --mm-per-request-timeout --msprobe-dump-config --oltp-traces-endpoint "
     "--otlp-traces-endpoint --prefill-delayer-forward-passes-buckets+ --prefill-delayer-wait-seconds-buckets+ "
     "--prompt-tokens-buckets+ --return-token-ids! --show-time-cost! --skip-server-warmup! --smg-grpc-mode! "
     "--grpc-http-sidecar-port --smg-http-sidecar-port --soft-watchdog-timeout --spec-trace-dir --ssl-ca-certs "
     "--ssl-certfile --ssl-keyfile --ssl-keyfile-password --stream-output! --stream-response-default-include-usage! "
     "--tokenizer-metrics-allowed-custom-labels+ --tokenizer-metrics-allowed-customer-labels+ "
     "--tokenizer-metrics-custom-labels-header --trace-modules --uvicorn-access-log-exclude-prefixes+"},
    {kGraphs,
     "--torch-compile-max-bs --disable-cuda-graph-padding! --cuda-graph-backend-decode "
     "--cuda-graph-backend-prefill --cuda-graph-bs-prefill+ --cuda-graph-config "
     " --cuda-graph-max-bs-prefill --cuda-graph-tc-compiler --debug-cuda-graph! "
     "--disable-decode-cuda-graph! --disable-overlap-cg-plan! --disable-piecewise-cuda-graph! --disable-prefill-cuda-graph! "
     "--enable-breakable-cuda-graph! --enable-cudagraph-gc! --enable-piecewise-cuda-graph! --enable-profile-cuda-graph! "
     "--enforce-piecewise-cuda-graph! --max-torch-compile-bs --piecewise-cuda-graph-compiler "
     "--piecewise-cuda-graph-max-tokens --piecewise-cuda-graph-tokens+ --record-nolora-graph!"},
    {kKernels,
     "--prefill-attention-backend --decode-attention-backend --mm-attention-backend --sampling-backend --moe-runner-backend "
     "--moe-a2a-backend --deepep-mode --enable-nccl-nvls! --enable-symm-mem! --disable-chunked-prefix-cache! "
     "--disable-shared-experts-fusion! --enable-deterministic-inference! --bf16-gemm-backend --deepep-config "
     "--deepep-dispatcher-output-dtype --disable-flashinfer! --disable-flashinfer-autotune! "
     "--disable-flashinfer-cutlass-moe-fp4-allgather! --disable-flashinfer-sampling! --ds-heavy-channel-type "
     "--ds-heavy-token-num --ds-sparse-decode-threshold --dsa-decode-backend --dsa-paged-mqa-logits-backend "
     "--dsa-prefill-backend --dsa-topk-backend --enable-aiter-allreduce-fusion! --enable-deepep-waterfill! "
     "--enable-deepseek-v4-fp4-indexer! --enable-flashinfer-allreduce-fusion! --enable-flashinfer-autotune! "
     "--enable-flashinfer-cutedsl-moe! --enable-flashinfer-cutlass-moe! --enable-flashinfer-mla! --enable-flashinfer-moe! "
     "--enable-flashinfer-mxfp4-moe! --enable-flashinfer-trtllm-moe! --enable-flashmla! --enable-fused-moe-sum-all-reduce! "
     "--enable-fused-qk-norm-rope! --enable-mamba-cache-stochastic-rounding! --enable-mis! --enable-quant-communications! "
     "--enable-scattered-sconv! --enable-tf32-matmul! --enable-torch-compile-debug-mode! --enable-triton-kernel-moe! "
     "--enable-waterfill! --enforce-disable-flashinfer-allreduce-fusion! --enforce-shared-experts-fusion! "
     "--ep-dispatch-algorithm --flashinfer-allreduce-fusion-backend --flashinfer-mla-disable-ragged! --fp4-gemm-backend "
     "--fp8-gemm-backend --fuseep-mode --impl --init-expert-location --linear-attn-backend --linear-attn-decode-backend "
     "--linear-attn-prefill-backend --mamba-backend --mamba-cache-philox-rounds --model-impl --nsa-decode "
     "--nsa-decode-backend --nsa-prefill --nsa-prefill-backend --pre-warm-nccl! --rl-on-policy-target --sm-group-num "
     "--speculative-attention-mode --speculative-draft-attention-backend --speculative-moe-a2a-backend "
     "--speculative-moe-runner-backend --triton-attention-reduce-in-fp32! --triton-attention-split-tile-size"},
    {kSampling,
     "--grammar-backend --completion-template --constrained-json-disable-any-whitespace! "
     "--constrained-json-whitespace-pattern --default-chat-template-kwargs --disable-jump-forward! --disable-nan-detection! "
     "--disable-outlines-disk-cache! --disable-penalizer! --disable-regex-jump-forward! --enable-custom-logit-processor! "
     "--enable-nan-detection! --enable-precise-embedding-interpolation! --enable-strict-thinking! --hf-chat-template-name "
     "--multi-item-scoring-delimiter --preferred-sampling-params --sampling-defaults --speculative-accept-threshold-acc "
     "--speculative-accept-threshold-single --speculative-dspark-confidence-sts-path --speculative-use-rejection-sampling! "
     "--tool-server"},
    {kScheduling,
     "--enable-two-batch-overlap! --disable-overlap-schedule! --enable-mixed-chunk! --schedule-conservativeness "
     "--max-queued-requests --num-continuous-decode-steps --cp-strategy --default-priority-value "
     "--disable-priority-preemption! --disaggregation-decode-enable-radix-cache! --dllm-algorithm --dllm-algorithm-config "
     "--dllm-block-size --dllm-fdfo! --dsa-prefill-cp-mode --enable-attn-tp-input-scattered! --enable-beta-spec! "
     "--enable-broadcast-mm-inputs-process! --enable-dynamic-chunking! --enable-overlap-schedule! --enable-prefill-delayer! "
     "--enable-priority-scheduling! --enable-session-radix-cache! --enable-single-batch-overlap! "
     "--enable-streaming-session! --eplb-algorithm --eplb-min-rebalancing-utilization-threshold "
     "--eplb-rebalance-layers-per-chunk --eplb-rebalance-num-iterations --kt-max-deferred-experts-per-token "
     "--mamba-track-interval --min-free-slots-delay --nsa-prefill-cp-mode --prefill-cp-mode --prefill-delayer-max-delay-ms "
     "--prefill-delayer-max-delay-passes --prefill-delayer-queue-min-ratio --prefill-delayer-token-usage-low-watermark "
     "--prefill-max-requests --prefill-only-one-req --priority-scheduling-preemption-threshold --radix-eviction-policy "
     "--retraction-policy --schedule-low-priority-values-first! --scheduler-recv-interval --speculative-adaptive-config "
     "--speculative-dspark-align-verify-tokens-to-graph-tier! --speculative-dspark-sps-table-path "
     "--speculative-ngram-branch-length --speculative-ngram-external-corpus-max-tokens "
     "--speculative-ngram-external-corpus-path --speculative-ngram-external-sam-budget --speculative-ngram-match-type "
     "--speculative-ngram-max-bfs-breadth --speculative-ngram-max-match-window-size --speculative-ngram-max-trie-depth "
     "--speculative-ngram-min-bfs-breadth --speculative-ngram-min-match-window-size --speculative-skip-dp-mlp-sync! "
     "--strip-thinking-cache! --tbo-token-distribution-threshold"},
    {"the recurrent state's dtype is read from the model's config", "--mamba-ssm-dtype"},
    {kHostCache,
     "--enable-hierarchical-cache! --hicache-ratio --hicache-size --disable-hicache-numa-detect! "
     "--disaggregation-decode-enable-offload-kvcache! --enable-draft-weights-cpu-backup! --enable-elastic-expert-backup! "
     "--enable-flexkv! --enable-lmcache! --enable-mm-global-cache! --enable-prefix-mm-cache! --enable-weights-cpu-backup! "
     "--flexkv-config-file --hicache-io-backend --hicache-mem-layout --hicache-storage-backend "
     "--hicache-storage-backend-extra-config --hicache-storage-prefetch-policy --hicache-write-policy --kt-amx-method "
     "--kt-method --lmcache-config-file --radix-cache-backend --speculative-ngram-capacity"},
    {kLora,
     "--enable-lora! --lora-paths+ --max-lora-rank --max-loras-per-batch --enable-lora-overlap-loading! "
     "--experts-shared-outer-loras! --lora-backend --lora-drain-wait-threshold --lora-eviction-policy "
     "--lora-strict-loading! --lora-target-modules+ --lora-use-virtual-experts! --max-loaded-loras --max-lora-chunk-size"},
    {"the release's default is assumed", "--n-share-experts-fusion"},
    {kTokenizer,
     "--quantization-param-path --skip-tokenizer-init! --tokenizer-path --checkpoint-engine-wait-weights-before-ready! "
     "--custom-weight-loader+ --decrypted-config-file --decrypted-draft-config-file --delete-ckpt-after-loading! "
     "--disable-fast-image-processor! --disable-tokenizer-batch-decode! --ds-channel-config-path "
     "--dynamic-batch-tokenizer-batch-size --dynamic-batch-tokenizer-batch-timeout --efficient-weight-load! "
     "--enable-dynamic-batch-tokenizer! --enable-tokenizer-batch-encode! --model-checksum --model-config-parser "
     "--model-loader-extra-config --modelexpress-config --modelopt-checkpoint-restore-path --modelopt-checkpoint-save-path "
     "--modelopt-export-path --remote-instance-weight-loader-backend --remote-instance-weight-loader-seed-instance-ip "
     "--remote-instance-weight-loader-seed-instance-service-port --remote-instance-weight-loader-send-weights-group-ports "
     "--remote-instance-weight-loader-start-seed-via-transfer-engine! --speculative-draft-load-format "
     "--speculative-draft-model-revision --tokenizer-backend --weight-loader-disable-mmap! "
     "--weight-loader-drop-cache-after-load! --weight-loader-prefetch-checkpoints! --weight-loader-prefetch-num-threads "
     "--weight-version"},
    {kOverrides, "--json-model-override-args"},
    {kCluster,
     "--disaggregation-mode --disaggregation-transfer-backend --nnodes --node-rank --dist-init-addr --load-balance-method "
     "--decoupled-spec-bind-endpoint --decoupled-spec-connect-endpoints --decoupled-spec-rank "
     "--disaggregation-bootstrap-port --disaggregation-decode-dp --disaggregation-decode-enable-fake-auto! "
     "--disaggregation-decode-polling-interval --disaggregation-decode-tp --disaggregation-ib-device "
     "--disaggregation-prefill-pp --nccl-init-addr --dist-timeout --elastic-ep-backend --elastic-ep-join-mode "
     "--elastic-ep-join-rank-offset --elastic-ep-rejoin! --elastic-ep-scale-timeout --enable-adaptive-dispatch-to-encoder! "
     "--enable-dp-attention-local-control-broadcast! --encoder-bootstrap-port --encoder-register-urls+ "
     "--encoder-transfer-backend --encoder-urls+ --engine-info-bootstrap-port --gpu-id-step --mooncake-ib-device --nccl-port "
     "--optimistic-prefill-attempts --optimistic-prefill-retries --pdlb-url --use-ray!"},
    {kDevice, "--base-gpu-id --device"},
    {kThreads,
     "--detokenizer-worker-num --gc-threshold+ --kt-cpuinfer --kt-threadpool-count --mm-max-concurrent-calls --numa-node+ "
     "--sleep-on-idle! --tokenizer-worker-num"},
    {kRetired, "--disable-disk-cache! --prefill-round-robin-balance!"},
};

constexpr FlagRow kTrtllmFlags[] = {
    value({"--max_seq_len"}, T::Context),
    knob({"--ep_size", "--moe_expert_parallel_size", "--ep"}, "enable_expert_parallel"),
    knob({"--max_batch_size"}, "max_num_seqs"),
    // The 1.2 spellings beside the older ones, and trtllm-eval's short forms.
    knob({"--tensor_parallel_size", "--tp"}, "tensor_parallel_size"),
    knob({"--pipeline_parallel_size", "--pp"}, "pipeline_parallel_size"),
    knob({"--free_gpu_memory_fraction", "--kv_cache_free_gpu_mem_fraction"}, "free_gpu_memory_fraction"),
    ignored({"--max_input_len"}, "a cap on prompt length: the context is the request's"),
    knob({"--backend"}, "backend"),
    // LLM API options (tensorrt_llm/llmapi/llm_args.py), which the YAML file of --config sets.
    field_only(ignored({"tokens_per_block", "kv_cache_config.tokens_per_block"},
                       "KV block granularity: the estimate counts the pool in blocks of the default 32 tokens")),
    field_only(knob({"kv_cache_config.free_gpu_memory_fraction"}, "free_gpu_memory_fraction")),
    field_only(value({"kv_cache_dtype", "kv_cache_config.dtype"}, T::KvType)),
    field_only(ignored({"enable_attention_dp"}, kNotModelled)),
    field_only(ignored({"attn_backend"}, kKernels)),
    field_only(ignored({"moe_tensor_parallel_size"}, kNotModelled)),
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
constexpr QuietFlags kTrtllmQuiet[] = {
    {kNotModelled,
     "--max_beam_width --media_io_kwargs --cp_size --context_parallel_size --moe_cluster_parallel_size --set "
     "--visual_gen_args --extra_visual_gen_options --disable_kv_cache_reuse!"},
    {kYaml, "--extra_llm_api_options --config"},
    {kServer,
     "--num_postprocess_workers --log_level --fail_fast_on_attention_window_too_large! --otlp_traces_endpoint "
     "--allow_request_chat_template! --telemetry! --grpc!"},
    {kCluster, "--cluster_size --gpus_per_node --server_role --metadata_server_config_file --disagg_cluster_uri"},
    {kSampling, "--tool_parser"},
    {"chunked prefill: max_num_tokens sizes the step either way", "--enable_chunked_prefill!"},
    {kTokenizer, "--custom_tokenizer --custom_module_dirs --skip_tokenizer_init!"},
    {kNotModelled,
     "pytorch_backend_config use_kv_cache_manager_v2 kv_cache_config.use_kv_cache_manager_v2 dtype model_kwargs enable_lm_head_tp_in_adp pp_partition "
     "cp_config quant_config cache_transceiver_config "
     "sparse_attention_config gather_generation_logits extended_runtime_perf_knob_config embedding_parallel_mode "
     "build_config moe_config sampler_type allreduce_strategy force_dynamic_quantization kv_connector_config "
     "mm_encoder_only enable_sleep multimodal_config moe_max_num_tokens moe_load_balancer enable_prompt_adapter "
     "max_prompt_adapter_token kv_cache_config.max_attention_window kv_cache_config.max_gpu_total_bytes "
     "kv_cache_config.use_uvm kv_cache_config.cross_kv_cache_fraction kv_cache_config.mamba_ssm_cache_dtype "
     "kv_cache_config.sink_token_length moe_config.max_num_tokens moe_config.load_balancer",
     true},
    {kLora, "enable_lora lora_config max_lora_rank max_loras max_cpu_loras peft_cache_config", true},
    {kGraphs,
     "torch_compile_config use_cuda_graph cuda_graph_batch_sizes cuda_graph_max_batch_size "
     "cuda_graph_padding_enabled torch_compile_enabled torch_compile_fullgraph torch_compile_inductor_enabled "
     "torch_compile_piecewise_cuda_graph",
     true},
    {kKernels,
     "moe_backend enable_autotuner autotuner_enabled nvfp4_gemm_config use_cute_dsl_blockscaling_mm "
     "use_cute_dsl_blockscaling_bmm disable_flashinfer_sampling checkpoint_loader checkpoint_format mixed_sampler "
     "enable_trtllm_sampler sampler_force_async_worker",
     true},
    {kScheduling,
     "enable_overlap_scheduler kv_cache_config.max_util_for_resume scheduler_config attention_dp_config batch_wait_timeout_ms batch_wait_timeout_iters "
     "batch_wait_max_tokens_ratio "
     "stream_interval enable_min_latency batching_type garbage_collection_gen0_threshold",
     true},
    {kSampling, "guided_decoding_backend batched_logits_processor normalize_log_probs decoding_config", true},
    {kTokenizer, "tokenizer_revision postprocess_tokenizer_dir calib_config workspace enable_build_cache fast_build enable_tqdm", true},
    {kServer,
     "kv_cache_config.attention_dp_events_gather_period_ms iter_stats_max_iterations request_stats_max_iterations return_perf_metrics "
     "perf_metrics_max_requests telemetry_config "
     "enable_iter_req_stats enable_layerwise_nvtx_marker max_stats_len layer_wise_benchmarks_config",
     true},
    {kCluster, "mpi_session orchestrator_type env_overrides ray_worker_extension_cls ray_placement_config", true},
    {kHostCache,
     "kv_cache_config.onboard_blocks kv_cache_config.secondary_offload_min_priority kv_cache_config.event_buffer_max_size "
     "kv_cache_config.enable_partial_reuse kv_cache_config.copy_on_partial_reuse",
     true},
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
    knob({"--override-tensor"}, "override_tensor"),
};
constexpr QuietFlags kLlamaCppQuiet[] = {
    {kTokenizer, "-hff --hf-file -mmu --mmproj-url --offline! -hft --hf-token -mu --model-url --check-tensors! -dr --docker-repo"},
    {kServer,
     "--host --port --api-key -a --alias --metrics! --log-disable! -v! --verbose! --slot-save-path --embedding! "
     "--embeddings! --reranking! --rerank! --pooling --api-key-file --ssl-key-file --ssl-cert-file -to --timeout --slots! "
     "--props! --path --api-prefix -lv --verbosity --log-verbosity --log-file --log-colors --perf! --reuse-port! "
     "--cors-origins --cors-methods --cors-headers --cors-credentials! --webui! --ui! --ui-config --webui-config "
     "--ui-config-file --webui-config-file --ui-mcp-proxy! --webui-mcp-proxy! --tools --tools-runtime -ag! --agent! "
     "--mcp-servers-config --mcp-servers-json --tags --sse-ping-interval --sleep-idle-seconds --log-verbose! --log-prefix! "
     "--log-timestamps! --log-jsonl! --log-prompts-dir -h! --help! --usage! --version! --completion-bash! --logits-all! "
     "--slots-endpoint-disable! --log-enable! --log-new! --log-append! --logdir --log-test!"},
    {kThreads,
     "-t --threads -tb --threads-batch --numa --prio -C --cpu-mask -Cr --cpu-range --cpu-strict --poll --threads-http -td "
     "--threads-draft --spec-draft-threads -tbd --threads-batch-draft --spec-draft-threads-batch -Cd --cpu-mask-draft "
     "--spec-draft-cpu-mask -Crd --cpu-range-draft --spec-draft-cpu-range --cpu-strict-draft --spec-draft-cpu-strict "
     "--prio-draft --spec-draft-prio --poll-draft --spec-draft-poll -Cbd --cpu-mask-batch-draft --spec-draft-cpu-mask-batch "
     "-Crbd --cpu-range-batch-draft --spec-draft-cpu-range-batch --cpu-strict-batch-draft --spec-draft-cpu-strict-batch "
     "--prio-batch-draft --spec-draft-prio-batch --poll-batch-draft --spec-draft-poll-batch -Cb --cpu-mask-batch -Crb "
     "--cpu-range-batch --cpu-strict-batch --prio-batch --poll-batch"},
    {kSampling,
     "--jinja! --chat-template --chat-template-file --reasoning-format --reasoning-budget --temp --top-p --top-k --min-p "
     "--repeat-penalty -n --n-predict -s --seed --keep --cache-reuse --draft-min --draft-n-min --draft-p-min -dt "
     "--defrag-thold --context-shift! --chat-template-kwargs -sps --slot-prompt-similarity -cl! --cache-list! "
     "--tts-use-guide-tokens! --predict -cms --checkpoint-min-step --cache-prompt! -lcs --lookup-cache-static -lcd "
     "--lookup-cache-dynamic --list-devices! --video-fps --video-ffmpeg-dir --video-timestamp-interval --media-path "
     "--spec-draft-n-min --spec-draft-p-min --draft-p-split --spec-draft-p-split --spec-default! --spec-replace "
     "--spec-draft-backend-sampling! --spec-draft-sampling --spec-ngram-mod-n-min --spec-ngram-mod-n-max "
     "--spec-ngram-mod-n-match --spec-ngram-simple-size-n --spec-ngram-simple-size-m --spec-ngram-simple-min-hits "
     "--spec-ngram-map-k-size-n --spec-ngram-map-k-size-m --spec-ngram-map-k-min-hits --spec-ngram-map-k4v-size-n "
     "--spec-ngram-map-k4v-size-m --spec-ngram-map-k4v-min-hits --spec-ngram-size-n --spec-ngram-size-m "
     "--spec-ngram-min-hits --spec-synth-len --spec-synth-rates --rope-scale --embd-normalize -e! --escape! --warmup! -r "
     "--reverse-prompt -sp! --special! --spm-infill! --samplers --sampling-seq --sampler-seq --ignore-eos! --temperature "
     "--top-nsigma --top-n-sigma --xtc-probability --xtc-threshold --typical --typical-p --repeat-last-n --presence-penalty "
     "--frequency-penalty --dry-multiplier --dry-base --dry-allowed-length --dry-penalty-last-n --dry-sequence-breaker "
     "--adaptive-target --adaptive-decay --dynatemp-range --dynatemp-exp --mirostat --mirostat-lr --mirostat-ent -l "
     "--logit-bias --grammar --grammar-file -j --json-schema -jf --json-schema-file -bs! --backend-sampling! "
     "--reasoning-budget-message -rea --reasoning --reasoning-effort --reasoning-preserve! --skip-chat-parsing! "
     "--prefill-assistant! -p --prompt -f --file -sys --system-prompt -sysf --system-prompt-file -bf --binary-file -cnv! "
     "--conversation! -st! --single-turn! -i! --interactive! -if! --interactive-first! -mli! --multiline-input! "
     "--in-prefix-bos! --in-prefix --in-suffix -co --color --display-prompt! --show-timings! --verbose-prompt! --simple-io! "
     "-ptc --print-token-count --prompt-cache --prompt-cache-all! --prompt-cache-ro! --image --audio --video -o --output "
     "--output-file -dkvc! --dump-kv-cache! -ins! --instruct! --chatml! -cml! --cfg-negative-prompt --cfg-scale --tfs "
     "--penalize-nl!"},
    {"continuous batching: no effect on memory", "-cb! --cont-batching! -nocb!"},
    {"warm-up run: no effect on memory", "--no-warmup!"},
    {"locks the weights in RAM: same size", "--mlock!"},
    {"reads the weights instead of mapping them: same size", "--no-mmap!"},
    {kDevice, "-dev --device -devd --device-draft"},
    {kNotModelled,
     "-mg --main-gpu --rope-scaling -nkvo! -ctkd --cache-type-k-draft -ctvd --cache-type-v-draft -cd --ctx-size-draft "
     "--image-min-tokens --image-max-tokens --swa-checkpoints -hfv -hfrv --hf-repo-v -hffv --hf-file-v -mv --model-vocoder "
     "--kv-unified-per-slot -kvo! --kv-offload! -ncffn --n-cpu-ffn --op-offload! --rpc --mmproj-auto! --no-mmproj! "
     "--mmproj-offload! -mmdev --mmproj-device --mtmd-batch-max-tokens --spec-draft-model -hfd -hfrd --hf-repo-draft "
     "--spec-draft-hf --spec-draft-n-max --spec-draft-ngl --spec-draft-device --spec-draft-type-k --spec-draft-type-v -otd "
     "--override-tensor-draft --spec-draft-override-tensor -cmoed! --cpu-moe-draft! --spec-draft-cpu-moe! -ncmoed "
     "--n-cpu-moe-draft --spec-draft-n-cpu-moe --spec-draft-ncmoe --spec-type --models-dir --models-preset --models-max "
     "--models-autoload! --embd-gemma-default! --fim-qwen-1.5b-default! --fim-qwen-3b-default! --fim-qwen-7b-default! "
     "--fim-qwen-7b-spec! --fim-qwen-14b-spec! --fim-qwen-30b-default! --gpt-oss-20b-default! --gpt-oss-120b-default! "
     "--vision-gemma-4b-default! --vision-gemma-12b-default! -gan --grp-attn-n -gaw --grp-attn-w --server-base --mul-mat-q! "
     "-mmq! -nommq! --memory-f32! --low-vram! -mm"},
    {"layer split is assumed", "-sm --split-mode"},
    {"RoPE base: no effect on memory", "--rope-freq-base"},
    {"RoPE scale: no effect on memory", "--rope-freq-scale"},
    {kHostCache,
     "-cram --cache-ram -ctxcp --ctx-checkpoints --cache-idle-slots! -nr! --repack! --no-host! -lm --load-mode -lzm "
     "--lazy-mode --tensor-read-lazy --mmap! -dio! --direct-io! -ndio!"},
    {"llama.cpp's own fitting of the layers: give n_gpu_layers and n_cpu_moe instead", "-fit --fit -fitt --fit-target -fitc --fit-ctx"},
    {"the draft model is placed like the main one", "-ngld --gpu-layers-draft --n-gpu-layers-draft"},
    {kLora,
     "--lora --lora-scaled --control-vector --lora-init-without-apply! --control-vector-scaled --control-vector-layer-range "
     "--lora-base"},
    {"metadata overrides: give the changed model instead", "--override-kv"},
    {"RoPE scaling: no effect on memory", "--yarn-orig-ctx --yarn-ext-factor --yarn-attn-factor --yarn-beta-slow --yarn-beta-fast"},
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
};
constexpr QuietFlags kOllamaQuiet[] = {
    {kServer,
     "--verbose! --keepalive --insecure! --nowordwrap! --hidethinking! --truncate! --experimental! "
     "--experimental-websearch! --experimental-yolo! --imagegen! --dimensions OLLAMA_LOAD_TIMEOUT OLLAMA_NOHISTORY "
     "OLLAMA_NOPRUNE OLLAMA_AUTH OLLAMA_GO_TEMPLATE OLLAMA_DEBUG_LOG_REQUESTS OLLAMA_EDITOR OLLAMA_REMOTES OLLAMA_NO_CLOUD "
     "OLLAMA_MAX_TRANSFER_STREAMS OLLAMA_MULTIUSER_CACHE OLLAMA_RUNNERS_DIR OLLAMA_TMPDIR HTTP_PROXY HTTPS_PROXY NO_PROXY "
     "HSA_OVERRIDE_GFX_VERSION"},
    {kSampling, "--format --think"},
    {kDevice,
     "OLLAMA_VULKAN OLLAMA_IGPU_ENABLE OLLAMA_INTEL_GPU HIP_VISIBLE_DEVICES ROCR_VISIBLE_DEVICES GGML_VK_VISIBLE_DEVICES "
     "GPU_DEVICE_ORDINAL"},
    {kNotModelled, "OLLAMA_LLM_LIBRARY OLLAMA_NEW_ESTIMATES OLLAMA_MAX_VRAM LLAMA_ARG_FIT LLAMA_ARG_FIT_TARGET"},
    {kNotModelled, "main_gpu draft_num_predict f16_kv low_vram vocab_only logits_all", true},
    {kSampling,
     "num_keep seed top_k top_p min_p typical_p repeat_last_n repeat_penalty presence_penalty frequency_penalty stop "
     "mirostat mirostat_eta mirostat_tau tfs_z penalize_newline embedding_only num_gqa rope_frequency_base "
     "rope_frequency_scale",
     true},
    {kTokenizer, "use_mlock", true},
    {kThreads, "numa", true},
};

constexpr FlagRow kTransformersFlags[] = {
    value({"--dtype", "--torch_dtype", "--torch-dtype"}, T::Dtype),
};
constexpr QuietFlags kTransformersQuiet[] = {
    {kDevice, "--device"},
    {kNotModelled, "--load-in-4bit! --load-in-8bit! --attn-implementation"},
};

constexpr FlagRow kMlxFlags[] = {
    value({"--model"}, T::Model),
    knob({"--prefill-step-size"}, "prefill_step_size"),
    knob({"--max-tokens", "-m"}, "max_tokens"),
};
constexpr QuietFlags kMlxQuiet[] = {
    {kNotModelled,
     "--max-kv-size --adapter-path --adapter-file --kv-bits --kv-group-size --quantized-kv-start --draft-model "
     "--num-draft-tokens --cache-limit-gb --decode-concurrency --prompt-concurrency --prompt-cache-size "
     "--prompt-cache-bytes --pipeline! --quantize-activations! -qa!"},
    {kSampling,
     "--prompt -p --temp --top-p --seed --chat-template --extra-eos-token --eos-token --system-prompt --prefill-response "
     "--min-p --min-tokens-to-keep --top-k --xtc-probability --xtc-threshold --ignore-chat-template! "
     "--use-default-chat-template! --chat-template-config --chat-template-args"},
    {kServer, "--host --port --verbose --colorize! --log-level --allowed-origins"},
    {kTokenizer, "--trust-remote-code!"},
    {kHostCache, "--kv-cache-file --prompt-cache-file"},
};

// A CommandSpec as the table below writes it: the runtime's own flags, then kServerFlags when server_flags is set.
struct CommandRow {
    Runtime runtime;
    std::initializer_list<std::initializer_list<const char*>> programs;
    bool model_positional;
    std::span<const FlagRow> flags;
    std::span<const QuietFlags> quiet;
    bool server_flags;
    std::initializer_list<const char*> images;  // container images whose entry point is the runtime's server
};

constexpr CommandRow kCommands[] = {
    // The images: docs.vllm.ai, "Using Docker".
    {Runtime::Vllm,
     {{"vllm", "serve"}, {"python", "-m", "vllm.entrypoints.openai.api_server"}},
     true,
     kVllmFlags,
     kVllmQuiet,
     true,
     {"vllm/vllm-openai", "docker.io/vllm/vllm-openai"}},
    {Runtime::Sglang, {{"python", "-m", "sglang.launch_server"}, {"sglang", "serve"}}, false, kSglangFlags, kSglangQuiet, true, {}},
    {Runtime::Trtllm, {{"trtllm-serve"}, {"python", "-m", "tensorrt_llm.commands.serve"}}, true, kTrtllmFlags, kTrtllmQuiet, true, {}},
    // The image: its :server and :server-cuda tags (llama.cpp docs/docker.md).
    {Runtime::LlamaCpp, {{"llama-server"}, {"llama-cli"}}, false, kLlamaCppFlags, kLlamaCppQuiet, false, {"ghcr.io/ggml-org/llama.cpp"}},
    {Runtime::Ollama, {{"ollama", "serve"}, {"ollama", "run"}}, true, kOllamaFlags, kOllamaQuiet, false, {"ollama/ollama"}},
    {Runtime::Transformers, {{"transformers", "chat"}, {"transformers", "serve"}}, true, kTransformersFlags, kTransformersQuiet, true, {}},
    // mlx-lm's programs, also as `mlx_lm generate` and `python -m mlx_lm generate` (the spelling its newer releases print).
    {Runtime::Mlx,
     {{"mlx_lm.server"},
      {"mlx_lm.generate"},
      {"mlx_lm.chat"},
      {"python", "-m", "mlx_lm.server"},
      {"python", "-m", "mlx_lm.generate"},
      {"mlx_lm", "server"},
      {"mlx_lm", "generate"},
      {"mlx_lm", "chat"},
      {"python", "-m", "mlx_lm", "server"},
      {"python", "-m", "mlx_lm", "generate"}},
     false,
     kMlxFlags,
     kMlxQuiet,
     false,
     {}},
};

std::vector<CommandSpec> build_commands() {
    std::vector<CommandSpec> specs;
    for (const CommandRow& row : kCommands) {
        CommandSpec c{
            row.runtime, {}, row.model_positional, {}, {row.images.begin(), row.images.end()}, row.runtime == Runtime::Sglang || row.runtime == Runtime::Mlx};
        for (const auto& words : row.programs) c.programs.emplace_back(words.begin(), words.end());
        append(c.flags, row.flags);
        append(c.flags, row.quiet);
        if (row.server_flags) append(c.flags, std::span<const QuietFlags>(kServerQuiet));
        specs.push_back(std::move(c));
    }
    // Every runtime: the registry's knob flags (command-line flags and Ollama's environment variables), and
    // CUDA_VISIBLE_DEVICES.
    for (auto& c : specs) {
        for (const auto& k : runtime_descriptor(c.runtime).knobs) {
            if (k.flag.empty() || (k.flag[0] != '-' && k.flag.rfind("OLLAMA_", 0) != 0)) continue;
            CommandFlag* listed = nullptr;  // the table's entry for this knob, holding its other spellings
            for (auto& f : c.flags)
                if (!listed && f.target == T::Knob && f.knob == k.name && !f.field_only && !f.legacy) listed = &f;
            if (listed) {
                // The registry's flag is the spelling `command` writes.
                std::erase_if(listed->names, [&](const std::string& n) { return flag_key(n) == flag_key(k.flag); });
                listed->names.insert(listed->names.begin(), k.flag);
            } else if (!find_command_flag(c, k.flag)) {
                // (A flag two knobs share, vLLM's --speculative-config, is listed once, under the first.)
                const KnobSpec* spec = find_knob(k.name);
                c.flags.push_back(CommandFlag{{k.flag}, T::Knob, k.name, !(spec && spec->type == KnobType::Boolean), false, "", false, false});
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
    // LLAMA_ARG_CTX_SIZE: llama.cpp's --ctx-size.
    if (const std::string flag = llama_arg_flag(name); !flag.empty() && (!runtime || *runtime == Runtime::LlamaCpp)) {
        const CommandSpec& llama = command_spec(Runtime::LlamaCpp);
        if (const CommandFlag* f = find_command_flag(llama, flag); f && !f->environment) return {&llama, f};
    }
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

std::string llama_arg_flag(const std::string& name) {
    const std::string prefix = "LLAMA_ARG_";
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return "";
    const std::string rest = name.substr(prefix.size());
    // The variables whose names are not their long flag's (common/arg.cpp, set_env).
    static constexpr std::array<std::pair<const char*, const char*>, 7> kRenamed{{{"N_PARALLEL", "--parallel"},
                                                                                  {"BATCH", "--batch-size"},
                                                                                  {"UBATCH", "--ubatch-size"},
                                                                                  {"ENDPOINT_METRICS", "--metrics"},
                                                                                  {"ROPE_SCALING_TYPE", "--rope-scaling"},
                                                                                  {"MODEL_DRAFT", "--model-draft"},
                                                                                  {"DRAFT_MAX", "--draft-max"}}};
    for (const auto& [env, flag] : kRenamed)
        if (rest == env) return flag;
    std::string flag = "--";
    for (char c : rest) flag += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return flag;
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
