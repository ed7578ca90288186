// Type definitions for fitmygpu.js, the FitMyGPU estimator's script (its WebAssembly is fitmygpu.wasm beside it).
// Written by hand; the field names follow the JSON API (README.md "The JSON API"), which the C++ core defines.
//
//   <script src="fitmygpu.js"></script>            → the global FitMyGPU
//   const FitMyGPU = require('./fitmygpu.js');       → the same object in node
//
//   const api = await FitMyGPU.ready();
//   const r = api.estimate({ model: 'llama-3.1-8b', gpu: 'rtx-4090', runtime: 'vllm', context: 8192 });
//   r.verdict;                       // "fits" | "tight" | "does_not_fit"
//   r.devices[0].required_bytes;     // bytes; 1 GiB = 2^30 bytes
//
// All sizes are integers in bytes. Every method is synchronous once ready() has resolved, and throws a
// FitMyGPU.Error (with .code and .field) when the estimator answers with an error.

/**
 * The raw Emscripten factory: each call compiles a fresh instance of the module. Most callers want
 * {@link FitMyGPU.ready} instead, which makes one instance and wraps it in the typed API.
 */
declare function FitMyGPU(options?: FitMyGPU.ModuleOptions): Promise<FitMyGPU.RawModule>;

declare namespace FitMyGPU {
  /**
   * Loads the module once and resolves to the API object. Memoized: every call returns the same Promise
   * (after a failed load, the next call tries again).
   */
  function ready(): Promise<Api>;

  /**
   * Loads the tools module once (fitmygpu-tools.js and fitmygpu-tools.wasm, beside fitmygpu.js) and resolves to its
   * API: the same methods, every one answered. ready()'s module leaves out the tool methods (command, plan, parseLog, checkLog,
   * fromCommand, inspect), which throw a FitMyGPU.Error with code "in_tools_module" there; it is smaller for it.
   * Memoized like ready().
   */
  function tools(): Promise<Api>;

  /**
   * Before ready() resolves: an API that answers only from the answers the page was built with (fitmygpu-start.js,
   * written by scripts/start-data), each once, and throws a FitMyGPU.Error with code "not_ready" for any other
   * request; null when the page has none. `version` is the version of the module that wrote them.
   */
  function early(): Api | null;

  /** When a function: every answer the module gives is passed to it (scripts/start-data records with it). */
  let recorder: ((method: string, requestText: string, answer: unknown) => void) | null;

  /**
   * The error every API method throws when the estimator answers `{"error": {...}}`. A real `Error`
   * (`instanceof Error` holds) with the estimator's code and the request field it is about.
   */
  class Error extends globalThis.Error {
    constructor(code: string, field: string, message: string);
    readonly name: 'FitMyGPUError';
    /** What went wrong, e.g. "invalid_json", "invalid_field", "unknown_field", "unknown_model". */
    readonly code: ErrorCode;
    /** The request field at fault as a path ("context", "engine.gpu_memory_utilization", "gpus[1].count"); "" when none. */
    readonly field: string;
    /** A sentence for people, naming the field and the accepted values. */
    readonly message: string;
  }

  /** Error codes the estimator uses today; new ones may appear, so treat unknown codes as generic errors. */
  type ErrorCode =
    | 'invalid_json'
    | 'invalid_request'
    | 'invalid_field'
    | 'missing_field'
    | 'unknown_field'
    | 'unknown_model'
    | 'unknown_gpu'
    | 'unknown_method'
    | 'internal_error'
    | 'not_ready'
    | 'in_tools_module'
    | (string & {});

  /** A request: a plain object, or JSON text passed on unchanged (handy for requests read from files). */
  type RequestInput<T> = T | string;

  /**
   * The estimator, ready to answer. Every method is synchronous. command, plan, parseLog, checkLog, fromCommand and inspect
   * are answered by the API of FitMyGPU.tools(); ready()'s throws "in_tools_module" for them.
   */
  interface Api {
    /** Version of the estimator (the C++ project version), e.g. "0.1.0". */
    readonly version: string;

    /**
     * Memory needed for one setup: per device, on the host, KV cache, solved limits and a breakdown
     * whose formulas are the ones the estimator evaluated.
     * @throws {FitMyGPU.Error} for a malformed or invalid request (the .field names the culprit).
     */
    estimate(request: RequestInput<EstimateRequest>): EstimateResponse;

    /**
     * The request's setup (model, weights, runtime, workload) on every catalog GPU, `gpu_count` of each.
     * `gpu`, `gpus` and `device` in the request are ignored.
     * @throws {FitMyGPU.Error} for an invalid request.
     */
    compare(request: RequestInput<EstimateRequest>): CompareResponse;

    /**
     * The request's setup under every weight format its runtime can load (GGUF types for llama.cpp and Ollama,
     * MLX conversions for MLX, safetensors formats otherwise), most bits per weight first, and `best`: the
     * format with the most bits that fits (null when none does). `weights` in the request is ignored.
     * @throws {FitMyGPU.Error} for an invalid request.
     */
    quantizations(request: RequestInput<EstimateRequest>): QuantizationsResponse;

    /**
     * The hardware first: the request's devices, host, context, concurrency (and runtime, when given) against every
     * catalog model under each of its published checkpoint formats, on every runtime that runs on the devices and
     * loads the format. Each row's verdict is what estimate() says of the same setup; max_context never goes past
     * the model's native window. `models` narrows the models, `fits_only` keeps the rows that fit.
     * @throws {FitMyGPU.Error} for an invalid request (model, config, weights, checkpoint and images are refused).
     */
    plan(request: RequestInput<PlanRequest>): PlanResponse;

    /**
     * The knobs the request's runtime applies when they are not set, resolved for its devices (vLLM's batch
     * limits depend on the GPU). `engine` in the request is ignored.
     * @throws {FitMyGPU.Error} for an invalid request.
     */
    defaults(request: RequestInput<EstimateRequest>): DefaultsResponse;

    /**
     * The engine registry: every runtime with the checkpoint formats it loads, its default checkpoint, KV cache
     * types, knobs (ranges, defaults, labels, help, flags), card counts, layouts, devices and verdict rule, plus
     * the format names and the request-wide limits. The page, the widget and the model-page generator build
     * their menus and explanatory text from it. The same answer every time (the registry is built in).
     */
    schema(): SchemaResponse;

    /** The buffers and figures a llama.cpp or vLLM startup log printed (engine "" when nothing was recognised). */
    parseLog(text: string): ParsedLog;

    /**
     * Each figure of a llama.cpp or vLLM startup log next to the estimate of the setup it came from.
     * @throws {FitMyGPU.Error} with field "log" when no startup line is recognised, or for an invalid request.
     */
    checkLog(request: RequestInput<EstimateRequest>, text: string): LogCheck;

    /**
     * (tools module) The command that launches the request's setup (`vllm serve …`, `python -m sglang.launch_server …`,
     * `trtllm-serve …`, `llama-server …`, Ollama's environment and `ollama run …`, `transformers chat …`,
     * `mlx_lm.server …`) with the settings the estimate assumed, and notes on what a command cannot carry.
     * @throws {FitMyGPU.Error} for an invalid request.
     */
    command(request: RequestInput<EstimateRequest>): CommandResponse;

    /**
     * A launch command read back into a request. Flags that leave memory unchanged, or that the estimate does
     * not model, are listed in `ignored` with the reason; flags it does not know have `known: false`. The GPUs
     * are not part of a command: merge the request with the devices you have.
     * @throws {FitMyGPU.Error} with field "command" for text that is not a launch command FitMyGPU reads, an
     * unclosed quote, or a flag with a value out of range (the message names the flag as written).
     */
    fromCommand(text: string): FromCommandResponse;

    /**
     * Every model in the built-in catalog, as summaries. With `{derived: false}` the summaries leave out the
     * parameter counts worked out from each model's config (params_total, params_active), which cost most of the
     * listing's time; the published counts (published_params) stay.
     * @throws {FitMyGPU.Error} with field "derived" when it is not a boolean, or the name of an unknown field.
     */
    models(request?: { derived?: boolean }): ModelSummary[];

    /** Every GPU (and unified-memory system) in the built-in catalog, as summaries. */
    gpus(): GpuSummary[];

    /**
     * Catalog ids ranked by how well they match free text (names, aliases, Hugging Face repos, Ollama tags).
     * @param query e.g. "llama 70b" or "4090"
     * @param kind "models" (the default) or "gpus"
     * @throws {FitMyGPU.Error} when kind is neither.
     */
    search(query: string, kind?: 'models' | 'gpus'): string[];

    /**
     * The catalog record of one model plus `derived` geometry and parameter counts. The module carries the record
     * without its page text and sources, and its `config` with only the fields the estimator reads (the CLI's
     * `fitmygpu model ID` gives the whole record).
     * @throws {FitMyGPU.Error} with code "unknown_model" and field "model" for an id not in the catalog.
     */
    model(id: string): ModelRecord;

    /**
     * Reads checkpoint files from their first bytes: config.json, safetensors files (one or several shards) and
     * their model.safetensors.index.json, or GGUF files. Give each file's name, its whole size and its first bytes
     * (`data` as bytes, or `data_base64`; JSON files may come as `text`). When a header runs past the bytes given,
     * the answer is `{need_bytes: [{name, bytes}]}`: read that many bytes from the file's start
     * (`blob.slice(0, bytes)`) and ask again.
     * @throws {FitMyGPU.Error} with code "invalid_file" and the file's name as field for a malformed file.
     */
    inspect(files: InspectFile[] | { files: InspectFile[] } | string): Inspection | { need_bytes: { name: string; bytes: number }[] };

    /**
     * Parses a response of any method and throws its error, like the methods above do.
     * @param method "estimate" | "compare" | "quantizations" | "defaults" | "schema" | "models" | "gpus" | "search" | "model" | "inspect"
     */
    request(method: Method, request?: RequestInput<object>): unknown;

    /**
     * The raw binding: method name and request JSON text in, response JSON text out. Never throws;
     * failures come back as `{"error": {"code", "field", "message"}}` text.
     */
    call(method: Method | string, requestJson: string): string;
  }

  type Method = 'estimate' | 'compare' | 'quantizations' | 'plan' | 'defaults' | 'schema' | 'parse_log' | 'check_log' | 'models' | 'gpus' | 'search' | 'model' | 'inspect' | 'command' | 'from_command';

  /** One checkpoint file handed to {@link Api.inspect}: its first bytes, never the whole file. */
  interface InspectFile {
    /** The file name ("model-00001-of-00004.safetensors", "config.json"): it decides how the file is read and names it in errors. */
    name: string;
    /** The whole file's size in bytes, when known: it bounds what is asked for and checks the header against it. */
    size?: number;
    /** The file's first bytes. */
    data?: ArrayBuffer | ArrayBufferView;
    /** The same as base64 text. */
    data_base64?: string;
    /** A JSON file's text. */
    text?: string;
  }

  /**
   * A checkpoint's weights summed where the engines place them: bytes per repeating layer (by the layer index in the
   * tensor names), token embeddings, output head, vision/audio tower (for reference) and the rest. A request carries
   * it as `checkpoint`, and the estimate's weights then come from it.
   */
  interface CheckpointSummary {
    format: 'safetensors' | 'gguf';
    tensor_bytes: number;
    layers: number[];
    embedding: number;
    output: number;
    vision: number;
    other: number;
  }

  /** What {@link Api.inspect} read from the headers. */
  interface Inspection {
    format: 'safetensors' | 'gguf' | 'config';
    /** config.json "architectures"[0] (or model_type), or GGUF general.architecture. */
    architecture: string | null;
    /** Weights the tensors hold: packed int32 / uint8 tensors count the weights inside; scales and zero points are not counted. */
    parameters: number | null;
    tensor_count?: number;
    /** Bytes of every tensor (scales included); null for a config.json alone. */
    tensor_bytes: number | null;
    /** Tensors per safetensors dtype ("BF16", "F8_E4M3") or ggml type ("q4_K"). */
    tensor_types: Record<string, number>;
    /** How packed weights were counted, when there are any. */
    parameters_note?: string;
    /** The config's quantization_config, or {file_type} of a GGUF file; null when none is stated. */
    quantization: object | null;
    files: { name: string; kind: 'config' | 'index' | 'safetensors' | 'gguf'; header_bytes?: number; tensors?: number }[];
    /** Shards an index names (or parts of "-0000k-of-0000N" files) that were not given. */
    missing_files?: string[];
    /** GGUF metadata scalars (no tokenizer arrays). */
    metadata?: Record<string, unknown>;
    /** What was read but not understood, or assumed. */
    not_understood: string[];
    /** Null when files of the checkpoint are missing. */
    checkpoint: CheckpointSummary | null;
    /** {config, checkpoint[, weights, runtime]}: add a GPU and estimate it. Absent without a config. */
    request?: EstimateRequest;
  }

  type Runtime = 'vllm' | 'sglang' | 'trtllm' | 'llama.cpp' | 'ollama' | 'transformers' | 'mlx';

  /** A question for the estimator (JSON API v1). Give `model` or `config`; give at most one of `gpu`, `gpus`, `device`. */
  interface EstimateRequest {
    /** Catalog model id, e.g. "deepseek-r1-distill-llama-70b" (see {@link Api.models}). */
    model?: string;
    /** A Hugging Face config.json, for a model not in the catalog. */
    config?: Record<string, unknown>;
    /** The checkpoint's tensor bytes read from its headers ({@link Api.inspect}): weights come from it, layer by layer. */
    checkpoint?: CheckpointSummary;
    /**
     * Checkpoint format; default: the model's official checkpoint (GGUF Q4_K_M for llama.cpp and Ollama,
     * mlx-4bit for MLX). E.g. bf16 fp16 fp32 fp8 int8 awq-int4 gptq-int4 mxfp4 nvfp4 mlx-4bit mlx-8bit
     * gguf:Q4_K_M gguf:Q8_0 gguf:F16.
     */
    weights?: string;
    /** Inference engine; default "vllm". */
    runtime?: Runtime;
    /** Catalog GPU id, e.g. "h100-sxm-80gb"; used with `gpu_count`. Default: one "rtx-4090". */
    gpu?: string;
    /** A mix of catalog GPUs, e.g. [{gpu: "rtx-3090", count: 2}, {gpu: "rtx-3060-12gb"}]. */
    gpus?: Array<{ gpu: string; count?: number }>;
    /** A device not in the catalog. */
    device?: CustomDevice;
    /** How many `gpu`s; default 1. Serving engines default to tensor parallelism over all of them. 0 with no
     *  GPU named: a CPU-only run (llama.cpp and Ollama; other runtimes answer with code "unsupported"). */
    gpu_count?: number;
    /**
     * System RAM and its bandwidth (absent fields take the stated defaults, schema().host_defaults); on a
     * unified-memory device (an Apple chip), gpu_wired_limit_mib is what the GPU may
     * wire (macOS: sysctl iogpu.wired_limit_mb), from 1 MiB to the device's memory; absent: macOS's default share.
     */
    host?: { memory_mib?: number; bandwidth_gbps?: number; gpu_wired_limit_mib?: number };
    /** Machines the GPUs are spread over, evenly (vLLM, SGLang, TensorRT-LLM). Default 1. */
    nodes?: number;
    /** The network between machines: GB/s per GPU and the time of one small all-reduce (default InfiniBand NDR, 50 GB/s, 20 µs). */
    network?: { gbps?: number; latency_us?: number };
    /** Tokens per request (vLLM max_model_len; llama.cpp n_ctx per sequence). */
    context?: number;
    /** Requests served at once (llama.cpp n_parallel). */
    concurrency?: number;
    /** KV cache element type: "auto" (default), bf16, fp16, fp8, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl. */
    kv_cache_dtype?: string;
    /** Images per request, for models with a vision encoder; their tokens count inside `context`. */
    images?: number;
    /** The engine's own knobs, under the engine's own names. Unknown knobs are an error. */
    engine?: EngineKnobs;
    /** How byte amounts are written inside breakdown formulas: "binary" (GiB, MiB; default) or "decimal" (GB, MB). */
    units?: 'binary' | 'decimal';
  }

  interface CustomDevice {
    name?: string;
    /** Memory the driver reports, in MiB (or give memory_gib). */
    memory_mib?: number;
    memory_gib?: number;
    /** Memory bandwidth in GB/s, for the speed estimate. */
    bandwidth_gbps?: number;
    /** Memory shared with the CPU (Apple silicon, GB10, Strix Halo). */
    unified_memory?: boolean;
    /** Dense BF16 throughput in TFLOPS, for the prefill estimate. */
    tflops_bf16?: number;
    /** Link between the GPUs (tensor-parallel all-reduce); without it PCIe 4.0 x16 is assumed and said. */
    link_kind?: 'nvlink' | 'pcie' | 'infinity_fabric' | 'xe_link' | 'none';
    /** Unidirectional GB/s per GPU to its peers. */
    link_gbps?: number;
    /** GB/s from the GPU to system RAM (weights llama.cpp copies for prefill). */
    host_link_gbps?: number;
  }

  /** Engine knobs (README.md "The JSON API"). Aliases such as tp_size, ngl or page_size are accepted too. */
  interface EngineKnobs {
    /** vLLM: share of the device the engine may use, in (0, 1]; default 0.9. */
    gpu_memory_utilization?: number;
    /** SGLang: share of the device for weights + KV pool. */
    mem_fraction_static?: number;
    /** TensorRT-LLM: share of the free memory for the KV cache. */
    free_gpu_memory_fraction?: number;
    max_num_batched_tokens?: number;
    max_num_seqs?: number;
    /** Tokens per KV block (a power of two). */
    block_size?: number;
    tensor_parallel_size?: number;
    pipeline_parallel_size?: number;
    enable_expert_parallel?: boolean;
    enforce_eager?: boolean;
    /** llama.cpp: layers on the GPU; -1 for all. */
    n_gpu_layers?: number;
    n_ubatch?: number;
    n_batch?: number;
    flash_attn?: boolean | 'auto';
    kv_unified?: boolean;
    swa_full?: boolean;
    /** llama.cpp: MoE expert layers kept on the CPU. */
    n_cpu_moe?: number;
    /** llama.cpp --tensor-split: proportion of the layers per device, in device order (default: free memory). */
    tensor_split?: number[];
    /** Engine version the estimate should follow, e.g. "0.11.0". */
    version?: string;
    /** Tokens one image becomes, when the config does not say. */
    tokens_per_image?: number;
    /** vLLM: model replicas, each with its own KV pool. */
    data_parallel_size?: number;
    /** vLLM: keeps an extra state block per recurrent layer (hybrid models). */
    enable_prefix_caching?: boolean;
    /** Serving engines: skip the vision/audio encoder. */
    language_model_only?: boolean;
    /** llama.cpp: load the multimodal projector (vision encoder). */
    mmproj?: boolean;
    /** "mtp" (the model's MTP layers) or a catalog model id used as the draft. */
    speculative_model?: string;
    /** Tokens proposed per step by the speculator. */
    num_speculative_tokens?: number;
  }

  /** Bytes per memory component. */
  interface Components {
    weights?: number;
    kv_cache?: number;
    state?: number;
    activations?: number;
    overhead?: number;
    [component: string]: number | undefined;
  }

  interface DeviceEstimate {
    /** "<gpu id>#<index>", e.g. "h100-sxm-80gb#0". */
    id: string;
    name: string;
    /** What the driver reports. */
    capacity_bytes: number;
    /** What the engine lets itself use (utilization, reserves). */
    budget_bytes: number;
    components: Components;
    /** What the engine allocates on the device (vLLM: the whole budget, KV pool included). */
    total_bytes: number;
    /** What this setup needs on the device (the KV cache for context × concurrency, not the whole pool). */
    required_bytes: number;
    /** budget − required; negative when it does not fit. */
    headroom_bytes: number;
  }

  interface BreakdownItem {
    /** The component the bytes belong to: weights, kv_cache, state, activations, overhead. */
    component: string;
    /** A short name for people, e.g. "KV cache pool", "CUDA graphs". */
    label: string;
    /** Index into `devices`; -1 for host memory. */
    device: number;
    bytes: number;
    /** The formula the estimator evaluated, in words. */
    formula: string;
    /** The same formula with the numbers put in. */
    substituted: string;
    note?: string;
  }

  interface EstimateResponse {
    fits: boolean;
    verdict: 'fits' | 'tight' | 'does_not_fit';
    devices: DeviceEstimate[];
    /** RAM: offloaded layers, mmap, host buffers. */
    host: {
        components: Components;
        total_bytes: number;
        /** System RAM checked against: the request's host.memory_mib, a stated default, or a unified device's pool. */
        capacity_bytes: number;
        /** What is checked: host buffers, plus the devices' allocations on unified memory. */
        required_bytes: number;
        /** capacity − required; negative: system RAM does not fit (verdict does_not_fit, with a warning). */
        headroom_bytes: number;
        unified: boolean;
    };
    kv_cache: {
      /** Whole model, all devices, at the chosen KV dtype. */
      bytes_per_token: number;
      /** For context × concurrency as asked. */
      required_bytes: number;
      /** Tokens the allocated cache holds (vLLM "GPU KV cache size"). */
      capacity_tokens: number;
      /** capacity / tokens per request (vLLM "Maximum concurrency"), two decimals. */
      max_concurrency: number;
    };
    /** Solved: the largest context at the asked concurrency, the largest concurrency at the asked context, that still fit. */
    limits: { max_context: number; max_concurrency: number };
    breakdown: BreakdownItem[];
    /** Roofline estimates (null when the device has no bandwidth figure); a figure is null when the device data cannot support it (e.g. no throughput figure). */
    /** Each figure is null when it cannot be estimated; the reason is among the assumptions. */
    speed: {
        /** One request's decode rate at the request's concurrency. */
        decode_tokens_per_s: number | null;
        /** All running requests together. */
        total_decode_tokens_per_s: number | null;
        prefill_tokens_per_s: number | null;
        /** Time to first token for a prompt as long as the context, without queueing. */
        ttft_s: number | null;
        /** Time per output token of one request: 1000 / decode_tokens_per_s. */
        tpot_ms: number | null;
        /** The same setup at 1, 2, 4, ... requests up to what the KV cache holds (at most 1,024), the asked concurrency among them. */
        by_concurrency: Array<{
            concurrency: number;
            /** Of those, the requests the KV cache holds at once (the rest wait). */
            running: number;
            decode_tokens_per_s: number | null;
            total_decode_tokens_per_s: number | null;
            tpot_ms: number | null;
        }>;
    } | null;
    warnings: string[];
    assumptions: string[];
    /** Figures the engine computes and prints itself, by name (vLLM's cuda_graph_capture_took_bytes, Ollama's
     *  layers.offload and memory.* figures); absent when it prints none the estimate models. */
    engine_figures?: Record<string, number>;
  }

  interface CompareRow {
    gpu: string;
    name: string;
    memory_bytes: number;
    class: string;
    vendor: string;
    bandwidth_gbps: number;
    verdict: 'fits' | 'tight' | 'does_not_fit';
    fits: boolean;
    /** Least headroom on any of the cards (absent when the setup is invalid on this GPU). */
    headroom_bytes?: number;
    max_concurrency?: number;
    /** Fewest cards of this GPU (1, 2, 4, 8 or 16) that fit; null when none does. */
    fewest_gpus?: number | null;
    /** Why the setup cannot run on this GPU at all. */
    error?: string;
  }

  type PlanRequest = Omit<EstimateRequest, 'model' | 'config' | 'weights' | 'checkpoint' | 'images'> & {
    /** Catalog ids of the models to weigh (all when absent). */
    models?: string[];
    /** Only the rows whose verdict is fits or tight. */
    fits_only?: boolean;
  };

  interface PlanRow {
    model: string;
    name: string;
    weights: string;
    weights_label: string;
    repo: string;
    official: boolean;
    runtime: string;
    runtime_name: string;
    family?: string;
    company?: string;
    release_date?: string;
    license?: string;
    architecture_class?: string;
    modality?: string;
    params_total?: number;
    params_active?: number;
    /** fits | tight | does_not_fit | exceeds_context (a context beyond the model's window) | error */
    verdict: string;
    fits: boolean;
    /** The model's window (max_position_embeddings); null when unknown. */
    native_context?: number | null;
    max_context?: number;
    /** max_context is the model's window: more memory would not raise it. */
    max_context_is_window?: boolean;
    max_concurrency?: number;
    decode_tokens_per_s?: number | null;
    total_decode_tokens_per_s?: number | null;
    memory?: {
      /** The most loaded device: what it needs and what its engine may use. */
      required_bytes: number;
      budget_bytes: number;
      total_required_bytes: number;
      weights_bytes: number;
      host_bytes: number;
      host_required_bytes?: number;
      host_capacity_bytes?: number;
    };
    kv_cache_dtype?: string;
    error?: { code: string; field: string; message: string };
  }

  interface PlanResponse {
    rows: PlanRow[];
    device: { id: string; name: string; count: number; memory_bytes: number } | null;
    runtimes: string[];
    context: number;
    concurrency: number;
    window_rule: string;
    capped_rows: number;
  }

  interface CompareResponse {
    gpus: CompareRow[];
  }

  interface QuantizationOption {
    /** A `weights` id, e.g. "gguf:Q4_K_M" or "awq-int4". */
    weights: string;
    label: string;
    /** Whether the catalog lists a published checkpoint in this format. */
    published: boolean;
    /** Checkpoint bytes × 8 / parameters. */
    bits_per_weight?: number;
    weights_bytes?: number;
    fits: boolean;
    verdict: 'fits' | 'tight' | 'does_not_fit' | 'exceeds_context';
    /** The smallest headroom over the devices (negative: deficit). */
    headroom_bytes?: number;
    /** The longest context that fits at the request's concurrency, never beyond the model's window (tokens; 0: none). */
    max_context?: number;
    error?: string;
  }

  interface ParsedLog {
    engine: 'llama.cpp' | 'vllm' | '';
    lines_recognised: number;
    /** llama.cpp buffer lines: kind is model | kv | compute | output | rs; device as printed (CUDA0, CPU_Mapped, ...). */
    buffers: Array<{ kind: string; device: string; bytes: number }>;
    kv_cells?: number;
    weights_bytes?: number;
    kv_available_bytes?: number;
    kv_tokens?: number;
    max_concurrency?: number;
    max_model_len?: number;
  }

  /** api.command(): the launch command of a setup. */
  interface CommandResponse {
    runtime: Runtime;
    /** Shell text; Ollama's is two lines (the server with its environment, then `ollama run`). */
    command: string;
    /** Settings the command cannot carry, and placeholders to fill in. */
    notes: string[];
  }

  /** api.fromCommand(): a launch command read back into a request. */
  interface FromCommandResponse {
    runtime: Runtime;
    /** An estimate request without GPUs; `model` may be "hf:ORG/NAME" for a repository the catalog lacks. */
    request: Partial<EstimateRequest> & { runtime: Runtime; model?: string };
    ignored: Array<{ flag: string; reason: string; known: boolean }>;
    /** ["model"] when no model could be read from the command. */
    missing?: string[];
  }

  interface LogCheck {
    engine: 'llama.cpp' | 'vllm' | 'sglang' | 'trtllm' | 'mlx';
    /**
     * device -1 is host memory (or the whole setup, for tokens and requests); error_pct = (estimated − logged) /
     * logged × 100. estimated is null where the estimate does not model that figure for the setup; note says why.
     */
    rows: Array<{
      what: string; device: number; unit: 'bytes' | 'tokens' | 'layers' | 'requests'; logged: number; estimated: number | null;
      error_pct?: number; note?: string;
    }>;
  }

  /**
   * api.defaults(): the knob defaults of the request's runtime, resolved for its devices (e.g. vLLM's
   * max_num_seqs is 256 or 1024 by the GPU's memory). Knobs the engine decides at run time are left out.
   */
  interface DefaultsResponse {
    /** The runtime the defaults are for (the request's, or the default runtime). */
    runtime: Runtime;
    /** Knob name → the value the engine uses when the knob is not set ("auto" for flash_attn's automatic mode). */
    engine: Record<string, number | boolean | string>;
  }

  /** A checkpoint format family: safetensors checkpoints, GGUF files, MLX conversions. */
  type FormatFamily = 'safetensors' | 'gguf' | 'mlx';

  /** How a form shows a knob and which values the request layer takes. */
  type KnobType =
    | 'fraction'  // a number in (min, max], or (min, max) when max_exclusive
    | 'int'       // a whole number in [min, max] (a power of two when power_of_two)
    | 'bool'      // true | false
    | 'flash'     // true | false | "auto"
    | 'text'      // a string, e.g. an engine version
    | 'list'      // a list of proportions, at most max_items entries, e.g. [3, 1]
    | 'draft';    // "mtp" or a catalog model id

  /** One knob as one runtime shows it (api.schema().runtimes[i].knobs). */
  interface SchemaKnob {
    /** The API name (the engine's own flag with underscores), e.g. "gpu_memory_utilization". */
    name: string;
    /** Other engines' spellings the request also takes, e.g. ["tp_size", "tp"]. */
    aliases: string[];
    type: KnobType;
    /** Numbers: the lowest value ('int': inclusive; 'fraction': 0, exclusive). */
    min?: number;
    /** Numbers: the highest value ('int': inclusive; 'fraction': see max_exclusive). */
    max?: number;
    /** 'fraction': min is excluded (always true). */
    min_exclusive?: boolean;
    /** 'fraction': max is excluded too (e.g. SGLang's mem_fraction_static < 1). */
    max_exclusive?: boolean;
    /** 'int': only powers of two are taken (block sizes). */
    power_of_two?: boolean;
    /** 'list': at most this many entries. */
    max_items?: number;
    /** The default when it does not depend on the setup; null when it does or when the engine decides at run time. */
    default: number | boolean | string | null;
    /** How to describe the default when it depends on the setup, e.g. "2048 or 8192 (by GPU)"; null otherwise. */
    default_text: string | null;
    /** This runtime's label for a form, e.g. "Chunked prefill size" for SGLang's max_num_batched_tokens. */
    label: string;
    /** One line of help. */
    help: string;
    /** "main": shown beside the runtime (its memory-share knob); "advanced": under the engine settings. */
    group: 'main' | 'advanced';
    /** The engine's command-line flag or config key, e.g. "--gpu-memory-utilization"; null when it has none. */
    flag: string | null;
    /** Shown only for mixture-of-experts ("moe") or multimodal ("vision") models; null for every model. */
    shown_for: 'moe' | 'vision' | null;
  }

  /** One runtime of the engine registry (api.schema().runtimes[i]). */
  interface SchemaRuntime {
    /** The API id, e.g. "llama.cpp". */
    id: Runtime;
    /** Display name, e.g. "TensorRT-LLM". */
    name: string;
    /** Normalised spellings that also name it (lower-case letters and digits, e.g. "llamacpp"). */
    aliases: string[];
    /** The format families it loads natively. */
    loads: FormatFamily[];
    /** Every format id it loads, GGUF file types in menu order (most used first). */
    formats: string[];
    /** Also loads GGUF files, with a warning (not offered in menus). */
    gguf_experimental: boolean;
    /**
     * The checkpoint a request without `weights` gets, by device class ("*" = any): `weights` is "official" (the
     * model's official checkpoint) or a format id, `why` says where the choice comes from.
     */
    default_weights: Array<{ device_class: string; weights: string; why: string }>;
    /** The formats the quantizations sweep tries, most bits first. */
    sweep_formats: string[];
    /** KV cache element types, "auto" first, with a label for menus. */
    kv_cache_types: Array<{ id: string; label: string }>;
    /** Its knobs, in the order a form shows them. */
    knobs: SchemaKnob[];
    /** The card counts compare() tries for a GPU's fewest_gpus, e.g. [1, 2, 4, 8, 16]. */
    card_counts: number[];
    /** Layouts over several devices: "tensor", "pipeline", "data", "expert", "layer split", "single device". */
    parallel: string[];
    /** Splits the layers over any number of cards (no tensor-parallel divisor). */
    layer_split: boolean;
    /** How it spreads a model over several machines, or null when it runs on one machine only. */
    multi_node: string | null;
    /** Device vendors it runs on: "nvidia", "amd", "intel", "apple". */
    vendors: string[];
    /** Its compute backends, e.g. "CUDA", "ROCm", "Metal". */
    backends: string[];
    /**
     * When a fitting setup is "tight": the pool holds fewer than pool_factor × the asked requests, or a device keeps
     * less than headroom_bytes, or less than headroom_fraction of its budget (0 turns a test off); `rule` in words.
     */
    verdict: { pool_factor: number; headroom_bytes: number; headroom_fraction: number; rule: string };
  }

  /** api.schema(): the engine registry. */
  interface SchemaResponse {
    runtimes: SchemaRuntime[];
    /** The runtime of a request that names none. */
    default_runtime: Runtime;
    /** Every non-GGUF format id with its display name (e.g. "awq-int4" → "AWQ 4-bit") and family. */
    formats: Array<{ id: string; name: string; family: FormatFamily }>;
    /** The GGUF file types menus offer, as format ids ("gguf:Q4_K_M", ...), most used first. */
    gguf_types: string[];
    /** The largest values a request takes. */
    limits: { max_context: number; max_concurrency: number; max_gpus: number; max_images: number };
    /** Every verdict a response may carry, with its label for people: fits, tight, does_not_fit, exceeds_context. */
    verdicts: { id: string; label: string }[];
  }

  interface QuantizationsResponse {
    options: QuantizationOption[];
    /** The published checkpoint with the most bits per weight that fits (any format for a custom model). */
    best: string | null;
    /** The format with the most bits per weight that fits, published or not. */
    best_any: string | null;
  }

  interface ModelSummary {
    id: string;
    name: string;
    family?: string;
    company?: string;
    /** e.g. "dense", "moe", "hybrid". */
    architecture_class?: string;
    modality?: string;
    context_window?: number;
    license?: string;
    release_date?: string;
    aliases?: string[];
    /** Formats of the published checkpoints, usable as `weights`. */
    formats?: string[];
    /** Counted from the config (absent with `{derived: false}`, or when the config cannot be read). */
    params_total?: number;
    /** For mixture-of-experts models (absent with `{derived: false}`). */
    params_active?: number;
    /** The parameter counts the model's publisher gives (possibly rounded); `active` for mixture-of-experts models. */
    published_params?: { total?: number; active?: number };
  }

  interface GpuSummary {
    id: string;
    name: string;
    vendor?: string;
    /** "consumer", "workstation", "datacenter", "apple", "integrated". */
    class?: string;
    /** Memory as nvidia-smi (or the vendor's tool) reports it, in MiB. */
    memory_mib?: number;
    memory_mib_status?: string;
    /** What CUDA reports as total, in MiB, where known. */
    cuda_total_mib?: number | null;
    unified_memory?: boolean;
    gpu_share_default?: number | null;
    /** Unified-memory devices: the MiB macOS lets the GPU wire by default (host.gpu_wired_limit_mib changes it). */
    default_wired_limit_mib?: number;
    bandwidth_gbps?: number;
    architecture?: string;
    aliases?: string[];
    /** The capacity as marketed, e.g. "24 GB". */
    memory_marketed?: string;
    [key: string]: unknown;
  }

  /** A catalog model record (geometry, checkpoints, page text, sources) with derived figures. */
  interface ModelRecord extends ModelSummary {
    derived: {
      params_total: number;
      params_active: number;
      layers: number;
      hidden_size: number;
      attention_heads: number;
      kv_heads: number;
      head_dim: number;
      /** Layers per kind, e.g. {"full attention": 32}. */
      layer_kinds: Record<string, number>;
      experts: number;
      experts_per_token: number;
    };
    [key: string]: unknown;
  }

  /** Options for the raw factory (Emscripten's Module object). */
  interface ModuleOptions {
    /** The wasm bytes; by default fitmygpu.wasm beside the script (or its base64 form, fitmygpu-wasm.js). */
    wasmBinary?: ArrayBuffer | Uint8Array;
    /** Where the module's files are, e.g. (name, dir) => '/static/' + name; by default the script's folder. */
    locateFile?: (name: string, scriptDirectory: string) => string;
    print?: (text: string) => void;
    printErr?: (text: string) => void;
    [key: string]: unknown;
  }

  /** The raw Embind module. */
  interface RawModule {
    /** method + request JSON text → response JSON text; never throws. */
    call(method: string, requestJson: string): string;
    version(): string;
    /** Bytes of the wasm heap malloc has handed out and not had back (for leak checks). */
    heap_bytes_in_use(): number;
    /** The wasm memory as bytes; its length is the heap's current size, which only grows. */
    readonly HEAP8: Int8Array;
  }
}

// ---- <fitmygpu-widget> ----
// The embeddable calculator for one model, defined by web/widget/fitmygpu-widget.js (served as
// widget/fitmygpu-widget.js) once that script and fitmygpu.js are on the page. These declarations use the DOM
// library ("lib": ["dom"] in tsconfig.json).
//
//   <fitmygpu-widget model="llama-3.1-8b" gpu="rtx-4090" runtime="vllm" context="8192"></fitmygpu-widget>
//   const w = document.querySelector('fitmygpu-widget');   // FitMyGPUWidgetElement | null
//   w?.addEventListener('fitmygpu-result', (e) => e.detail.result.verdict);
declare global {
  /**
   * The widget's attributes, all strings; every one but `model` is optional, and the widget writes the
   * user's choices back to them. Changing one re-estimates.
   *   model        catalog model id (required), e.g. "llama-3.1-8b"
   *   gpu          catalog GPU id; default "rtx-4090"
   *   gpu-count    cards, a positive whole number; default 1
   *   runtime      a runtime id of api.schema().runtimes (vllm, llama.cpp, ...); default its default_runtime
   *   weights      checkpoint format, e.g. "gguf:Q4_K_M" or "awq-int4"; default: the runtime's default checkpoint
   *   context      tokens per request, a positive whole number; default 4096
   *   concurrency  requests at once, a positive whole number; default 1
   * Theming: the CSS custom properties --fitmygpu-accent, --fitmygpu-fg, --fitmygpu-dim, --fitmygpu-bg,
   * --fitmygpu-line and --fitmygpu-font, or the shadow parts controls, select, result, status, verdict,
   * required, meter, figures and error (and each menu as a part named by its attribute, e.g. ::part(gpu)).
   */
  type FitMyGPUWidgetAttribute = 'model' | 'gpu' | 'gpu-count' | 'runtime' | 'weights' | 'context' | 'concurrency';

  /** The request a widget sends: its attributes as an estimator request. */
  interface FitMyGPUWidgetRequest extends FitMyGPU.EstimateRequest {
    model: string;
    gpu: string;
    gpu_count: number;
    /** Left out only before the estimator is loaded, when no runtime attribute is set. */
    runtime?: FitMyGPU.Runtime;
    context: number;
    concurrency: number;
    weights?: string;
  }

  /** The widget's events: they bubble and cross the shadow root (composed). */
  interface FitMyGPUWidgetEventMap extends HTMLElementEventMap {
    /** The estimator is loaded and the menus are filled. */
    'fitmygpu-ready': CustomEvent<{ request: FitMyGPUWidgetRequest }>;
    /** A new estimate; cause "attribute" when an attribute changed, "input" when the user picked in a menu. */
    'fitmygpu-result': CustomEvent<{ request: FitMyGPUWidgetRequest; result: FitMyGPU.EstimateResponse; cause: 'attribute' | 'input' }>;
    /** The estimator rejected the request (or the model is not in the catalog: code "unknown_model"). */
    'fitmygpu-error': CustomEvent<{ request: FitMyGPUWidgetRequest; error: { code: FitMyGPU.ErrorCode; field: string; message: string } }>;
  }

  /** A <fitmygpu-widget> element. */
  interface FitMyGPUWidgetElement extends HTMLElement {
    /** The request the widget sends to the estimator (the same JSON the CLI and the calculator take). */
    request(): FitMyGPUWidgetRequest;
    /** The last answer, or null (before the first estimate, and after an error). */
    readonly result: FitMyGPU.EstimateResponse | null;
    getAttribute(name: FitMyGPUWidgetAttribute | (string & {})): string | null;
    setAttribute(name: FitMyGPUWidgetAttribute | (string & {}), value: string): void;
    addEventListener<K extends keyof FitMyGPUWidgetEventMap>(type: K, listener: (this: FitMyGPUWidgetElement, ev: FitMyGPUWidgetEventMap[K]) => any,
      options?: boolean | AddEventListenerOptions): void;
    addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
    removeEventListener<K extends keyof FitMyGPUWidgetEventMap>(type: K, listener: (this: FitMyGPUWidgetElement, ev: FitMyGPUWidgetEventMap[K]) => any,
      options?: boolean | EventListenerOptions): void;
    removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
  }

  interface HTMLElementTagNameMap {
    'fitmygpu-widget': FitMyGPUWidgetElement;
  }
}

export = FitMyGPU;
export as namespace FitMyGPU;
