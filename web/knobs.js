// The form's vocabulary: runtimes, the engine knobs each runtime shows (under the API's names, design.md §3 and
// core/src/api.cpp parse_engine), KV cache types and checkpoint formats offered per runtime. This file only
// describes inputs: the estimator fills every default and validates every value. Empty fields show the defaults
// the core reports for the chosen runtime and GPUs (api.defaults); the placeholders written here only describe
// knobs the core has no single default for (e.g. the engine version).
(function (page) {
  'use strict';

  var RUNTIMES = [
    { id: 'vllm', name: 'vLLM' },
    { id: 'sglang', name: 'SGLang' },
    { id: 'trtllm', name: 'TensorRT-LLM' },
    { id: 'llama.cpp', name: 'llama.cpp' },
    { id: 'ollama', name: 'Ollama' },
    { id: 'transformers', name: 'Transformers' },
    { id: 'mlx', name: 'MLX' },
  ];

  // type: 'fraction' (0 < x ≤ 1), 'int', 'bool' (sent only when chosen: default / on / off), 'flash' (auto / on /
  // off), 'text', 'list' (numbers separated by commas), 'draft' (none / mtp / a catalog model). when: shown only for multimodal ('vision') or mixture-of-experts ('moe') models.
  var KNOBS = {
    gpu_memory_utilization: {
      type: 'fraction', label: 'GPU memory utilization', placeholder: '0.9', min: 0.05, max: 1, step: 0.01,
      help: 'Share of each GPU vLLM may use; the KV cache pool takes what the model leaves of it.',
    },
    mem_fraction_static: {
      type: 'fraction', label: 'Static memory fraction', placeholder: '0.88', min: 0.05, max: 0.99, step: 0.01,
      help: 'Share of each GPU for weights and the KV pool (--mem-fraction-static).',
    },
    free_gpu_memory_fraction: {
      type: 'fraction', label: 'KV cache share of free memory', placeholder: '0.9', min: 0.05, max: 1, step: 0.01,
      help: 'Share of the memory left after loading that becomes KV cache (kv_cache_config.free_gpu_memory_fraction).',
    },
    max_num_batched_tokens: {
      type: 'int', label: 'Max batched tokens', min: 1, step: 1,
      placeholder: { vllm: '2048 or 8192 (by GPU)', sglang: '8192', trtllm: '8192' },
      labels: { sglang: 'Chunked prefill size', trtllm: 'Max num tokens' },
      help: 'Tokens in one forward pass; sizes the activation peak.',
    },
    max_num_seqs: {
      type: 'int', label: 'Max sequences', placeholder: '256 or 1024 (by GPU)', min: 1, step: 1,
      help: 'Requests in one batch; sizes the sampler peak.',
    },
    block_size: {
      type: 'int', label: 'KV block size', placeholder: '16', min: 1, max: 1024, step: 1,
      help: 'Tokens per KV cache block (a power of two).',
    },
    tensor_parallel_size: {
      type: 'int', label: 'Tensor parallel size', placeholder: 'GPUs ÷ pipeline stages', min: 1, max: 1024, step: 1,
      help: 'GPUs each layer is split over.',
    },
    pipeline_parallel_size: {
      type: 'int', label: 'Pipeline parallel size', placeholder: '1', min: 1, max: 1024, step: 1,
      help: 'Stages the layers are divided into.',
    },
    data_parallel_size: {
      type: 'int', label: 'Data parallel size', placeholder: '1', min: 1, max: 1024, step: 1,
      help: 'Replicas of the model, each with its own KV pool.',
    },
    enable_expert_parallel: {
      type: 'bool', label: 'Expert parallelism', placeholder: 'off', when: 'moe',
      help: 'Spreads the experts over the ranks instead of splitting each one.',
    },
    speculative_model: {
      type: 'draft', label: 'Speculative decoding', placeholder: 'none',
      help: 'The model\u2019s own MTP layers, or a smaller draft model with the same tokenizer.',
    },
    num_speculative_tokens: {
      type: 'int', label: 'Speculative tokens', placeholder: '1', min: 1, max: 64, step: 1,
      labels: { 'llama.cpp': 'Draft tokens (--draft-max)', ollama: 'Draft tokens' },
      help: 'Tokens proposed per step.',
    },
    enforce_eager: {
      type: 'bool', label: 'Eager mode (no CUDA graphs)', placeholder: 'off',
      labels: { sglang: 'Disable CUDA graphs' },
      help: 'Skips capturing CUDA graphs and their memory pool.',
    },
    enable_prefix_caching: {
      type: 'bool', label: 'Prefix caching', placeholder: 'off',
      help: 'Changes how many state blocks hybrid (Mamba / linear-attention) layers keep.',
    },
    language_model_only: {
      type: 'bool', label: 'Text only (skip the vision encoder)', placeholder: 'off', when: 'vision',
      help: 'Does not load the vision / audio encoder of a multimodal checkpoint.',
    },
    version: {
      type: 'text', label: 'Engine version', placeholder: 'current (0.21+)', pattern: '[0-9][0-9A-Za-z.+-]*',
      help: 'Before vLLM 0.21 the CUDA-graph pool sat outside the budget.',
    },
    n_gpu_layers: {
      type: 'int', label: 'GPU layers (-ngl)', placeholder: '-1 (all)', min: -1, max: 100000, step: 1,
      help: 'Layers offloaded to the GPUs; the rest run from host memory.',
    },
    n_ubatch: {
      type: 'int', label: 'Micro-batch (-ub)', placeholder: '512', min: 1, max: 65536, step: 1,
      help: 'Tokens per compute step; sizes the compute buffers.',
    },
    n_batch: {
      type: 'int', label: 'Logical batch (-b)', placeholder: '2048', min: 1, max: 1048576, step: 1,
      help: 'Must be at least the micro-batch.',
    },
    flash_attn: {
      type: 'flash', label: 'Flash attention (-fa)', placeholder: 'auto',
      help: 'Without it, quantized KV caches are not allowed and attention needs bigger buffers.',
    },
    kv_unified: {
      type: 'bool', label: 'Unified KV cache (--kv-unified)', placeholder: 'on',
      help: 'One KV buffer shared by all parallel sequences.',
    },
    swa_full: {
      type: 'bool', label: 'Full-size SWA cache (--swa-full)', placeholder: 'off',
      help: 'Sliding-window layers keep the whole context instead of their window.',
    },
    tensor_split: {
      type: 'list', label: 'Layer split (--tensor-split)', placeholder: 'by free memory',
      help: 'Proportions of the layers per GPU, e.g. 3,1; by default each GPU’s free memory.',
    },
    n_cpu_moe: {
      type: 'int', label: 'MoE layers on CPU (--n-cpu-moe)', placeholder: '0', min: 0, max: 100000, step: 1, when: 'moe',
      help: 'Experts of the first N layers stay in host memory.',
    },
    mmproj: {
      type: 'bool', label: 'Load the vision projector (--mmproj)', placeholder: 'off', when: 'vision',
      help: 'Adds the multimodal encoder file.',
    },
  };

  var GGUF_KNOBS = ['n_gpu_layers', 'tensor_split', 'n_ubatch', 'n_batch', 'flash_attn', 'kv_unified', 'swa_full', 'n_cpu_moe', 'mmproj', 'speculative_model',
    'num_speculative_tokens'];

  // Per runtime: the memory-share knob shown next to the runtime, then the knobs behind "Engine settings".
  var RUNTIME_KNOBS = {
    vllm: {
      main: ['gpu_memory_utilization'],
      advanced: ['max_num_batched_tokens', 'max_num_seqs', 'block_size', 'tensor_parallel_size', 'pipeline_parallel_size', 'data_parallel_size',
        'enable_expert_parallel', 'enforce_eager', 'enable_prefix_caching', 'language_model_only', 'speculative_model', 'num_speculative_tokens', 'version'],
    },
    sglang: {
      main: ['mem_fraction_static'],
      advanced: ['max_num_batched_tokens', 'tensor_parallel_size', 'pipeline_parallel_size', 'data_parallel_size', 'enable_expert_parallel',
        'enforce_eager', 'language_model_only'],
    },
    trtllm: {
      main: ['free_gpu_memory_fraction'],
      advanced: ['max_num_batched_tokens', 'tensor_parallel_size', 'pipeline_parallel_size', 'data_parallel_size', 'enable_expert_parallel',
        'enforce_eager', 'language_model_only'],
    },
    'llama.cpp': { main: [], advanced: GGUF_KNOBS },
    ollama: { main: [], advanced: GGUF_KNOBS },
    transformers: { main: [], advanced: ['language_model_only'] },
    mlx: { main: [], advanced: ['language_model_only'] },
  };

  // KV cache element types each engine accepts (vLLM/SGLang/TRT-LLM: --kv-cache-dtype; llama.cpp: -ctk/-ctv).
  var KV_TYPES = {
    serving: [['auto', 'auto (the model\u2019s dtype)'], ['bf16', 'BF16'], ['fp16', 'FP16'], ['fp8', 'FP8']],
    gguf: [['auto', 'auto (f16)'], ['f16', 'f16'], ['bf16', 'bf16'], ['f32', 'f32'], ['q8_0', 'q8_0'], ['q5_1', 'q5_1'], ['q5_0', 'q5_0'],
      ['q4_1', 'q4_1'], ['q4_0', 'q4_0'], ['iq4_nl', 'iq4_nl']],
    transformers: [['auto', 'auto (the model\u2019s dtype)'], ['bf16', 'BF16'], ['fp16', 'FP16'], ['fp32', 'FP32']],
    mlx: [['auto', 'auto (the model\u2019s dtype)'], ['bf16', 'BF16'], ['fp16', 'FP16']],
  };
  function kvTypes(runtime) {
    if (runtime === 'llama.cpp' || runtime === 'ollama') return KV_TYPES.gguf;
    if (runtime === 'transformers') return KV_TYPES.transformers;
    if (runtime === 'mlx') return KV_TYPES.mlx;
    return KV_TYPES.serving;
  }

  // GGUF file types of llama.cpp's quantizer (llama-quantize --help; core/src/gguf.cpp kFileTypes), most used
  // first. MXFP4_MOE and the ternary TQ types are offered only where the model publishes them.
  var GGUF_FILE_TYPES = ['Q4_K_M', 'Q5_K_M', 'Q6_K', 'Q8_0', 'Q4_K_S', 'Q5_K_S', 'Q3_K_M', 'Q3_K_L', 'Q3_K_S', 'Q2_K', 'IQ4_XS', 'IQ4_NL',
    'IQ3_M', 'IQ3_S', 'IQ3_XS', 'IQ3_XXS', 'IQ2_M', 'IQ2_S', 'IQ2_XS', 'IQ2_XXS', 'IQ1_M', 'IQ1_S', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1',
    'F16', 'BF16', 'F32'];
  var MLX_FORMATS = ['mlx-4bit', 'mlx-8bit'];
  var SAFETENSORS_ON_MLX = ['bf16', 'fp16'];

  var FORMAT_NAMES = {
    bf16: 'BF16', fp16: 'FP16', fp32: 'FP32', fp8: 'FP8', int8: 'INT8 (W8A8)', 'awq-int4': 'AWQ 4-bit', 'gptq-int4': 'GPTQ 4-bit',
    mxfp4: 'MXFP4', nvfp4: 'NVFP4', 'mlx-4bit': 'MLX 4-bit', 'mlx-8bit': 'MLX 8-bit',
  };
  function formatName(id) {
    if (id.indexOf('gguf:') === 0) return 'GGUF ' + id.slice(5);
    return FORMAT_NAMES[id] || id;
  }

  function isGgufRuntime(runtime) { return runtime === 'llama.cpp' || runtime === 'ollama'; }

  // The format the estimator loads when a request names no weights, where that is not the model's official
  // checkpoint (core/src/api.cpp: GGUF Q4_K_M for llama.cpp and Ollama, MLX 4-bit for MLX); '' otherwise.
  function defaultFormat(runtime) {
    if (isGgufRuntime(runtime)) return 'gguf:Q4_K_M';
    if (runtime === 'mlx') return 'mlx-4bit';
    return '';
  }

  // The card counts compare tries for a GPU's fewest_gpus (core/src/api.cpp): any count for engines that split
  // layers, tensor-parallel sizes for the others.
  function cardCounts(runtime) {
    return isGgufRuntime(runtime) || runtime === 'transformers' ? [1, 2, 3, 4, 5, 6, 7, 8, 12, 16] : [1, 2, 4, 8, 16];
  }

  // The checkpoint menu for a model and runtime: [{label, items: [format ids]}]. Only checkpoints that exist:
  // the model's published formats that the runtime loads, plus llama.cpp's GGUF file types (any safetensors
  // checkpoint converts) and MLX's conversions.
  function weightGroups(formats, runtime) {
    var published = [];
    (formats || []).forEach(function (f) { if (published.indexOf(f) < 0) published.push(f); });
    var groups = [];
    if (isGgufRuntime(runtime)) {
      var ggufPublished = published.filter(function (f) { return f.indexOf('gguf:') === 0; });
      var others = GGUF_FILE_TYPES.map(function (t) { return 'gguf:' + t; }).filter(function (f) { return ggufPublished.indexOf(f) < 0; });
      if (ggufPublished.length) groups.push({ label: 'Published GGUF files', items: ggufPublished });
      groups.push({ label: 'Other GGUF file types (converted)', items: others });
    } else if (runtime === 'mlx') {
      var mlxPublished = published.filter(function (f) { return MLX_FORMATS.indexOf(f) >= 0 || SAFETENSORS_ON_MLX.indexOf(f) >= 0; });
      var mlxOthers = MLX_FORMATS.filter(function (f) { return mlxPublished.indexOf(f) < 0; });
      if (mlxPublished.length) groups.push({ label: 'Published for this model', items: mlxPublished });
      if (mlxOthers.length) groups.push({ label: 'MLX conversions', items: mlxOthers });
    } else {
      var serving = published.filter(function (f) { return f.indexOf('gguf:') !== 0 && f.indexOf('mlx-') !== 0; });
      if (serving.length) groups.push({ label: 'Published checkpoints', items: serving });
    }
    return groups;
  }

  function knobsFor(runtime, model) {
    var spec = RUNTIME_KNOBS[runtime] || RUNTIME_KNOBS.vllm;
    var shown = function (name) {
      var when = KNOBS[name].when;
      if (when === 'vision') return !!model && !!model.modality && model.modality !== 'text';
      if (when === 'moe') return !!model && (model.params_active > 0 || model.architecture_class === 'moe');
      return true;
    };
    return { main: spec.main.filter(shown), advanced: spec.advanced.filter(shown) };
  }
  function knobLabel(name, runtime) {
    var k = KNOBS[name];
    return (k.labels && k.labels[runtime]) || k.label;
  }
  function knobPlaceholder(name, runtime) {
    var p = KNOBS[name].placeholder;
    return typeof p === 'object' ? p[runtime] || '' : p;
  }

  page.knobs = {
    RUNTIMES: RUNTIMES,
    KNOBS: KNOBS,
    RUNTIME_KNOBS: RUNTIME_KNOBS,
    kvTypes: kvTypes,
    weightGroups: weightGroups,
    formatName: formatName,
    isGgufRuntime: isGgufRuntime,
    defaultFormat: defaultFormat,
    cardCounts: cardCounts,
    knobsFor: knobsFor,
    knobLabel: knobLabel,
    knobPlaceholder: knobPlaceholder,
  };
})(window.FitMyGPUPage = window.FitMyGPUPage || {});
