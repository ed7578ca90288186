// The runtime descriptors. Adding a runtime means adding its descriptor here and its estimate file under
// engines/; request parsing, defaults, solvers and the page's menus follow from the table.
#include <algorithm>
#include <initializer_list>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/engines.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/version.hpp"

namespace fitmygpu {

namespace {

// ---- defaults that depend on the setup ----
KnobDefault none(const std::vector<Device>&, const EngineKnobs&) { return std::monostate{}; }
KnobDefault device_count(const std::vector<Device>& d, const EngineKnobs&) { return d.empty() ? KnobDefault{} : KnobDefault{static_cast<i64>(d.size())}; }
// A true / false / "auto" knob left to the engine: "auto".
KnobDefault automatic(const std::vector<Device>&, const EngineKnobs&) { return std::string("auto"); }

template <auto Member>
KnobDefault struct_default(const std::vector<Device>&, const EngineKnobs&) {
    const EngineKnobs k;  // the struct's initial values are the engines' defaults
    using T = std::remove_cvref_t<decltype(k.*Member)>;
    if constexpr (std::is_same_v<T, bool>) return k.*Member;
    else if constexpr (std::is_floating_point_v<T>) return static_cast<double>(k.*Member);
    else return static_cast<i64>(k.*Member);
}

// The tables below are constants (C strings, numbers, function pointers and lists of them), so that they are data
// in the binary rather than code that builds each string; runtimes() copies them into RuntimeDescriptor once.
using Strings = std::initializer_list<const char*>;
using DefaultFor = KnobDefault (*)(const std::vector<Device>&, const EngineKnobs&);

struct KvRow {
    const char* id;
    const char* label;
};

constexpr std::initializer_list<KvRow> kServingKv = {{"auto", "auto (the model\u2019s dtype)"}, {"bf16", "BF16"}, {"fp16", "FP16"}, {"fp8", "FP8"}};
constexpr std::initializer_list<KvRow> kGgufKv = {{"auto", "auto (f16)"}, {"f16", "f16"},   {"bf16", "bf16"}, {"f32", "f32"},   {"q8_0", "q8_0"},
                                                  {"q5_1", "q5_1"},       {"q5_0", "q5_0"}, {"q4_1", "q4_1"}, {"q4_0", "q4_0"}, {"iq4_nl", "iq4_nl"}};
constexpr std::initializer_list<KvRow> kTransformersKv = {{"auto", "auto (the model\u2019s dtype)"}, {"bf16", "BF16"}, {"fp16", "FP16"}, {"fp32", "FP32"}};
constexpr std::initializer_list<KvRow> kMlxKv = {{"auto", "auto (the model\u2019s dtype)"}, {"bf16", "BF16"}, {"fp16", "FP16"}};

// Tensor-parallel engines need a size that divides the attention heads (powers of two in practice); layer
// splitters take any number of cards.
constexpr std::initializer_list<int> kTensorParallelCounts = {1, 2, 4, 8, 16};
constexpr std::initializer_list<int> kLayerSplitCounts = {1, 2, 3, 4, 5, 6, 7, 8, 12, 16};

// The quantization sweep of each family: the formats people publish, most bits first.
constexpr Strings kServingSweep = {"bf16", "fp8", "int8", "awq-int4", "gptq-int4", "nvfp4"};
constexpr Strings kGgufSweep = {"gguf:BF16",   "gguf:Q8_0",   "gguf:Q6_K",   "gguf:Q5_K_M",  "gguf:Q5_K_S", "gguf:Q4_K_M", "gguf:Q4_K_S",  "gguf:IQ4_XS",
                                "gguf:Q3_K_L", "gguf:Q3_K_M", "gguf:Q3_K_S", "gguf:IQ3_XXS", "gguf:Q2_K",   "gguf:IQ2_M",  "gguf:IQ2_XXS", "gguf:IQ1_M"};
constexpr Strings kMlxSweep = {"bf16", "mlx-8bit", "mlx-4bit"};

// Ollama picks num_ctx from the total VRAM when none is set (ollama server/sched.go): 262,144 tokens from
// 47 GiB, 32,768 from 23 GiB, else 4,096 — never more than the model was trained for. Older releases had a fixed
// default (envconfig/config.go OLLAMA_CONTEXT_LENGTH, api.DefaultOptions before it): 2,048 before 0.7.0, 4,096 from
// 0.7.0 to 0.15.4; 0.15.5 made the default 0, decided by VRAM.
struct OllamaContextStep {
    i64 min_vram;
    i64 context;
};
constexpr OllamaContextStep kOllamaContext[] = {{47 * GiB, 262144}, {23 * GiB, 32768}, {0, 4096}};

i64 ollama_default_context(const std::vector<Device>& devices, const ModelGeometry& g, const EngineKnobs& knobs, std::string& why) {
    if (engine_version_before(knobs.version, {0, 15, 5})) {
        const i64 fixed = engine_version_before(knobs.version, {0, 7, 0}) ? 2048 : 4096;
        why = "Ollama " + knobs.version + "'s default num_ctx";
        return fixed;
    }
    i64 vram = 0, context = 0;
    for (const auto& d : devices) vram += d.engine_total_bytes;
    for (const auto& step : kOllamaContext)
        if (vram >= step.min_vram) {
            context = step.context;
            break;
        }
    if (g.max_position_embeddings > 0) context = std::min(context, g.max_position_embeddings);
    why = "Ollama's default for " + format_size(vram) + " of VRAM";
    return context;
}

// A RuntimeKnob as the tables write it.
struct RuntimeKnobRow {
    const char* name;
    bool main;
    const char* label;
    const char* flag;
    const char* default_text;
    DefaultFor default_for;
};

// llama.cpp and Ollama: one set of knobs (Ollama runs llama-server underneath), with llama.cpp's label and flag
// first and Ollama's second. A null Ollama label: llama-server's own setting, which Ollama does not offer.
struct GgufKnobRow {
    const char* name;
    const char* label[2];
    const char* flag[2];
    const char* default_text;
    DefaultFor default_for;
};
constexpr GgufKnobRow kGgufKnobs[] = {
    {"n_gpu_layers", {"", "GPU layers (num_gpu)"}, {"-ngl", "num_gpu"}, "-1 (all; Ollama places them itself)", struct_default<&EngineKnobs::n_gpu_layers>},
    {"tensor_split", {"", ""}, {"--tensor-split", ""}, "by free memory", none},
    {"n_ubatch", {"", ""}, {"-ub", ""}, "", struct_default<&EngineKnobs::n_ubatch>},
    {"n_batch", {"", ""}, {"-b", "num_batch"}, "", struct_default<&EngineKnobs::n_batch>},
    {"flash_attn", {"", ""}, {"-fa", "OLLAMA_FLASH_ATTENTION"}, "auto", automatic},
    {"kv_unified", {"", ""}, {"--kv-unified", ""}, "", struct_default<&EngineKnobs::kv_unified>},
    {"ollama_new_engine", {nullptr, ""}, {"", "OLLAMA_NEW_ENGINE"}, "auto (by release and architecture)", automatic},
    {"swa_full", {"", ""}, {"--swa-full", ""}, "", struct_default<&EngineKnobs::swa_full>},
    {"n_cpu_moe", {"", ""}, {"--n-cpu-moe", ""}, "", struct_default<&EngineKnobs::n_cpu_moe>},
    // Tensor placement by name is llama-server's own flag; Ollama sets no such option.
    {"override_tensor", {"", nullptr}, {"-ot", ""}, "none", none},
    {"mmproj", {"", ""}, {"--mmproj", ""}, "auto (llama.cpp: off; Ollama: on for models with a vision tower)", automatic},
    {"speculative_model", {"", ""}, {"--model-draft", ""}, "none", none},
    {"num_speculative_tokens", {"Draft tokens (--draft-max)", "Draft tokens"}, {"--draft-max", ""}, "", none},
    {"version", {"", ""}, {"", ""}, "current", none},
};

struct DefaultWeightsRow {
    const char* device_class;
    const char* format;
    const char* why;
};

// A RuntimeDescriptor as the table writes it (the fields it leaves out keep these defaults).
struct RuntimeRow {
    Runtime runtime;
    const char* id;
    const char* name;
    Strings aliases;
    std::initializer_list<FormatFamily> families;
    bool gguf_experimental = false;
    std::initializer_list<DefaultWeightsRow> default_weights;
    Strings sweep_formats;
    std::initializer_list<KvRow> kv_cache_types;
    const char* kv_auto;
    std::initializer_list<RuntimeKnobRow> knobs = {};
    int gguf_knobs = -1;  // the column of kGgufKnobs this runtime takes (0 llama.cpp, 1 Ollama), after `knobs`
    std::initializer_list<int> card_counts;
    Strings parallel;
    bool layer_split = false;
    MultiNode multi_node = MultiNode::None;
    Strings vendors;
    Strings backends;
    VerdictMargin margin;
    i64 (*default_context)(const std::vector<Device>&, const ModelGeometry&, const EngineKnobs&, std::string&) = nullptr;
    Estimate (*estimate)(const Scenario&) = nullptr;
};

constexpr RuntimeRow
    kRuntimes[] =
        {
            {
                .runtime = Runtime::Vllm,
                .id = "vllm",
                .name = "vLLM",
                .aliases = {"vllm"},
                .families = {FormatFamily::Safetensors},
                .gguf_experimental = true,
                .default_weights = {{"*", "official", "the official checkpoint"}},
                .sweep_formats = kServingSweep,
                .kv_cache_types = kServingKv,
                .kv_auto = "model",
                .knobs =
                    {
                        {"gpu_memory_utilization", true, "", "--gpu-memory-utilization", "", struct_default<&EngineKnobs::gpu_memory_utilization>},
                        {"max_num_batched_tokens", false, "", "--max-num-batched-tokens", "2048 or 16384 (by GPU; 8192 before 0.28; before 0.8, by context)",
                         [](const std::vector<Device>& d, const EngineKnobs& k) {
                             // Before 0.8 it follows max_model_len, which a knob default does not know.
                             return d.empty() || vllm_v0_defaults(k.version) ? KnobDefault{}
                                                                             : KnobDefault{vllm_serve_defaults(d.front(), k.version).max_num_batched_tokens};
                         }},
                        {"max_num_seqs", false, "", "--max-num-seqs", "256 or 1024 (by GPU)",
                         [](const std::vector<Device>& d, const EngineKnobs& k) {
                             return d.empty() ? KnobDefault{} : KnobDefault{vllm_serve_defaults(d.front(), k.version).max_num_seqs};
                         }},
                        {"block_size", false, "", "--block-size", "", struct_default<&EngineKnobs::block_size>},
                        {"kv_cache_memory_bytes", false, "", "--kv-cache-memory-bytes", "none (gpu_memory_utilization decides)", none},
                        {"tensor_parallel_size", false, "", "--tensor-parallel-size", "GPUs \u00f7 pipeline stages",
                         [](const std::vector<Device>& d, const EngineKnobs& k) {
                             return d.empty() ? KnobDefault{}
                                              : KnobDefault{static_cast<i64>(std::max<size_t>(1, d.size() / static_cast<size_t>(k.pipeline_parallel_size)))};
                         }},
                        {"pipeline_parallel_size", false, "", "--pipeline-parallel-size", "", struct_default<&EngineKnobs::pipeline_parallel_size>},
                        {"data_parallel_size", false, "", "--data-parallel-size", "", struct_default<&EngineKnobs::data_parallel_size>},
                        {"enable_expert_parallel", false, "", "--enable-expert-parallel", "", struct_default<&EngineKnobs::enable_expert_parallel>},
                        {"enforce_eager", false, "", "--enforce-eager", "", struct_default<&EngineKnobs::enforce_eager>},
                        {"cuda_graph_max_bs", false, "", "--max-cudagraph-capture-size", "min(2 × max_num_seqs, 512)", none},
                        {"enable_prefix_caching", false, "", "--enable-prefix-caching", "", struct_default<&EngineKnobs::enable_prefix_caching>},
                        {"disable_hybrid_kv_cache_manager", false, "", "--disable-hybrid-kv-cache-manager", "",
                         struct_default<&EngineKnobs::disable_hybrid_kv_cache_manager>},
                        {"language_model_only", false, "", "--language-model-only", "", struct_default<&EngineKnobs::language_model_only>},
                        {"limit_mm_per_prompt", false, "", "--limit-mm-per-prompt", "999 of each modality", none},
                        {"flashinfer_sampler", false, "", "VLLM_USE_FLASHINFER_SAMPLER", "auto (off: FlashInfer not installed)", automatic},
                        {"model_runner_v2", false, "", "VLLM_USE_V2_MODEL_RUNNER", "auto (by release and model)", automatic},
                        {"cudagraph_memory_profiling", false, "", "VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS", "auto (on from 0.20.1)", automatic},
                        {"speculative_model", false, "", "--speculative-config", "none", none},
                        {"num_speculative_tokens", false, "", "--speculative-config", "1", none},
                        {"version", false, "", "", "current (0.29+)", none},
                        {"nvidia_driver", false, "", "", "R550 or later", none},
                    },
                .card_counts = kTensorParallelCounts,
                .parallel = {"tensor", "pipeline", "data", "expert"},
                // Several machines: tensor parallel over the GPUs of a machine, pipeline stages across machines (vLLM's
                // documented practice, https://docs.vllm.ai/en/latest/serving/parallelism_scaling.html).
                .multi_node = MultiNode::PipelineAcross,
                .vendors = {"nvidia", "amd", "intel"},
                .backends = {"CUDA", "ROCm", "XPU"},
                .margin = {.pool_factor = 1.25},
                .estimate = estimate_vllm,
            },
            {
                .runtime = Runtime::Sglang,
                .id = "sglang",
                .name = "SGLang",
                .aliases = {"sglang"},
                .families = {FormatFamily::Safetensors},
                .default_weights = {{"*", "official", "the official checkpoint"}},
                .sweep_formats = kServingSweep,
                .kv_cache_types = kServingKv,
                .kv_auto = "model",
                .knobs =
                    {
                        {"mem_fraction_static", true, "", "--mem-fraction-static", "by GPU memory (0.88 when unknown)",
                         [](const std::vector<Device>& d, const EngineKnobs& k) {
                             if (d.empty()) return KnobDefault{};  // decided by the GPU's memory
                             const int tp = k.tensor_parallel_size.value_or(static_cast<int>(d.size()) / std::max(1, k.pipeline_parallel_size));
                             return KnobDefault{sglang_defaults(d.front(), tp, k.pipeline_parallel_size, k.version,
                                                                k.enable_dp_attention ? k.data_parallel_size : 1, !k.speculative_model.empty(),
                                                                PiecewiseGraphs::Standard, k.max_num_batched_tokens, k.cuda_graph_max_bs)
                                                    .mem_fraction_static};
                         }},
                        {"max_num_batched_tokens", false, "Chunked prefill size", "--chunked-prefill-size", "2048 to 16384 (by GPU memory)",
                         [](const std::vector<Device>& d, const EngineKnobs& k) {
                             if (d.empty()) return KnobDefault{};
                             const int tp = k.tensor_parallel_size.value_or(static_cast<int>(d.size()) / std::max(1, k.pipeline_parallel_size));
                             return KnobDefault{
                                 sglang_defaults(d.front(), tp, k.pipeline_parallel_size, k.version, k.enable_dp_attention ? k.data_parallel_size : 1)
                                     .chunked_prefill_size};
                         }},
                        {"tensor_parallel_size", false, "", "--tp-size", "all GPUs", device_count},
                        {"pipeline_parallel_size", false, "", "--pp-size", "", struct_default<&EngineKnobs::pipeline_parallel_size>},
                        {"data_parallel_size", false, "", "--dp-size", "", struct_default<&EngineKnobs::data_parallel_size>},
                        {"enable_expert_parallel", false, "", "--ep-size", "", struct_default<&EngineKnobs::enable_expert_parallel>},
                        {"enable_dp_attention", false, "", "--enable-dp-attention", "", struct_default<&EngineKnobs::enable_dp_attention>},
                        {"max_num_seqs", false, "Max running requests", "--max-running-requests", "2,048 to 4,096 request-table rows (by the pool)", none},
                        {"kv_cache_max_tokens", false, "Max total tokens", "--max-total-tokens", "none (mem_fraction_static decides)", none},
                        {"cuda_graph_max_bs", false, "", "--cuda-graph-max-bs", "8 to 512 (by GPU memory and release)",
                         [](const std::vector<Device>& d, const EngineKnobs& k) {
                             if (d.empty()) return KnobDefault{};
                             const int tp = k.tensor_parallel_size.value_or(static_cast<int>(d.size()) / std::max(1, k.pipeline_parallel_size));
                             return KnobDefault{sglang_capture_max_bs(d.front(), tp, k.version, !k.speculative_model.empty())};
                         }},
                        {"enforce_eager", false, "Disable CUDA graphs", "--disable-cuda-graph", "", struct_default<&EngineKnobs::enforce_eager>},
                        {"language_model_only", false, "", "", "", struct_default<&EngineKnobs::language_model_only>},
                        {"attention_backend", false, "", "--attention-backend", "by GPU and model (aiter on ROCm)", none},
                        {"version", false, "", "", "current", none},
                    },
                .card_counts = kTensorParallelCounts,
                .parallel = {"tensor", "pipeline", "data", "expert"},
                // Several machines: one tensor-parallel group over all of them (--tp 16 --nnodes 2 in SGLang's multi-node
                // DeepSeek-V3 recipe, https://docs.sglang.ai/advanced_features/multi_node_deployment.html).
                .multi_node = MultiNode::TensorAcross,
                .vendors = {"nvidia", "amd"},
                .backends = {"CUDA", "ROCm"},
                .margin = {.pool_factor = 1.25},
                .estimate = estimate_sglang,
            },
            {
                .runtime = Runtime::Trtllm,
                .id = "trtllm",
                .name = "TensorRT-LLM",
                .aliases = {"trtllm", "tensorrtllm", "trtllmserve"},
                .families = {FormatFamily::Safetensors},
                .default_weights = {{"*", "official", "the official checkpoint"}},
                .sweep_formats = kServingSweep,
                .kv_cache_types = kServingKv,
                .kv_auto = "model",
                .knobs =
                    {
                        {"free_gpu_memory_fraction", true, "", "--kv_cache_free_gpu_memory_fraction",
                         "", struct_default<&EngineKnobs::free_gpu_memory_fraction>},
                        {"max_num_batched_tokens", false, "Max num tokens", "--max_num_tokens",
                         "", [](const std::vector<Device>&, const EngineKnobs&) { return KnobDefault{kDefaultMaxBatchedTokens}; }},
                        {"kv_cache_max_tokens", false, "", "kv_cache_config.max_tokens", "none (the fraction decides)", none},
                        // Sizes the C++ runtime's buffers and decoder of engine builds (trtllm-build's default max_batch_size).
                        {"max_num_seqs", false, "Max batch size", "--max_batch_size", "2048 (trtllm-build)",
                         [](const std::vector<Device>&, const EngineKnobs&) { return KnobDefault{kTrtEngineMaxBatchSize}; }},
                        {"backend", false, "", "--backend", "pytorch", none},
                        {"tensor_parallel_size", false, "", "--tp_size", "all GPUs", device_count},
                        {"pipeline_parallel_size", false, "", "--pp_size", "", struct_default<&EngineKnobs::pipeline_parallel_size>},
                        {"data_parallel_size", false, "", "", "", struct_default<&EngineKnobs::data_parallel_size>},
                        {"enable_expert_parallel", false, "", "--ep_size", "", struct_default<&EngineKnobs::enable_expert_parallel>},
                        {"enforce_eager", false, "", "cuda_graph_config: null", "", struct_default<&EngineKnobs::enforce_eager>},
                        {"language_model_only", false, "", "", "", struct_default<&EngineKnobs::language_model_only>},
                        {"version", false, "", "", "current", none},
                    },
                .card_counts = kTensorParallelCounts,
                .parallel = {"tensor", "pipeline", "expert"},
                // Several machines: one tensor-parallel group launched over MPI (trtllm-llmapi-launch with --tp_size 16
                // on two nodes, https://nvidia.github.io/TensorRT-LLM/quick-start-guide.html#multi-node).
                .multi_node = MultiNode::TensorAcross,
                .vendors = {"nvidia"},
                .backends = {"CUDA"},
                .margin = {.pool_factor = 1.25},
                .estimate = estimate_trtllm,
            },
            {
                .runtime = Runtime::LlamaCpp,
                .id = "llama.cpp",
                .name = "llama.cpp",
                .aliases = {"llamacpp", "llamaserver"},
                .families = {FormatFamily::Gguf},
                .default_weights = {{"*", "gguf:Q4_K_M", "the usual download for llama.cpp"}},
                .sweep_formats = kGgufSweep,
                .kv_cache_types = kGgufKv,
                .kv_auto = "f16",
                .gguf_knobs = 0,
                .card_counts = kLayerSplitCounts,
                .parallel = {"layer split"},
                .layer_split = true,
                .vendors = {"nvidia", "amd", "intel", "apple"},
                .backends = {"CUDA", "ROCm", "Metal", "Vulkan", "SYCL", "CPU"},
                // llama.cpp --fit keeps this much free on every device (common/fit.cpp, the --fit-target default).
                .margin = {.headroom_bytes = 1024 * MiB},
                .estimate = estimate_llamacpp,
            },
            {
                .runtime = Runtime::Ollama,
                .id = "ollama",
                .name = "Ollama",
                .aliases = {"ollama"},
                .families = {FormatFamily::Gguf},
                .default_weights = {{"*", "gguf:Q4_K_M", "Ollama's default tag"}},
                .sweep_formats = kGgufSweep,
                .kv_cache_types = kGgufKv,
                .kv_auto = "f16",
                .gguf_knobs = 1,
                .card_counts = kLayerSplitCounts,
                .parallel = {"layer split"},
                .layer_split = true,
                .vendors = {"nvidia", "amd", "intel", "apple"},
                .backends = {"CUDA", "ROCm", "Metal", "CPU"},
                .margin = {.headroom_bytes = 1024 * MiB},  // as llama.cpp's, which it runs
                .default_context = ollama_default_context,
                .estimate = estimate_llamacpp,
            },
            {
                .runtime = Runtime::Transformers,
                .id = "transformers",
                .name = "Transformers",
                .aliases = {"transformers", "hf", "huggingface"},
                .families = {FormatFamily::Safetensors},
                .gguf_experimental = true,
                .default_weights = {{"*", "official", "the official checkpoint"}},
                .sweep_formats = kServingSweep,
                .kv_cache_types = kTransformersKv,
                .kv_auto = "model",
                .knobs = {{"language_model_only", false, "", "", "", struct_default<&EngineKnobs::language_model_only>}},
                .card_counts = kLayerSplitCounts,
                .parallel = {"layer split"},
                .layer_split = true,
                .vendors = {"nvidia", "amd", "intel", "apple"},
                .backends = {"CUDA", "ROCm", "XPU", "MPS"},
                .margin = {.headroom_fraction = 0.05},
                .estimate = estimate_transformers,
            },
            {
                .runtime = Runtime::Mlx,
                .id = "mlx",
                .name = "MLX",
                .aliases = {"mlx", "mlxlm"},
                .families = {FormatFamily::Mlx},
                .default_weights = {{"*", "mlx-4bit", "mlx-community's usual conversion"}},
                .sweep_formats = kMlxSweep,
                .kv_cache_types = kMlxKv,
                .kv_auto = "model",
                .knobs = {{"prefill_step_size", false, "", "--prefill-step-size", "", struct_default<&EngineKnobs::prefill_step_size>},
                          {"max_tokens", false, "", "--max-tokens", "", struct_default<&EngineKnobs::max_tokens>},
                          {"language_model_only", false, "", "", "", struct_default<&EngineKnobs::language_model_only>},
                          {"version", false, "mlx-lm version", "", "current", none}},
                .card_counts = {1},
                .parallel = {"single device"},
                .vendors = {"apple"},
                .backends = {"Metal"},
                .margin = {.headroom_fraction = 0.05},
                .estimate = estimate_mlx,
            },
};

std::vector<std::string> to_strings(Strings list) { return {list.begin(), list.end()}; }

RuntimeDescriptor descriptor(const RuntimeRow& row) {
    RuntimeDescriptor d;
    d.runtime = row.runtime;
    d.id = row.id;
    d.name = row.name;
    d.aliases = to_strings(row.aliases);
    d.families = row.families;
    d.gguf_experimental = row.gguf_experimental;
    for (const DefaultWeightsRow& w : row.default_weights) d.default_weights.push_back({w.device_class, w.format, w.why});
    d.sweep_formats = to_strings(row.sweep_formats);
    for (const KvRow& t : row.kv_cache_types) d.kv_cache_types.push_back({t.id, t.label});
    d.kv_auto = row.kv_auto;
    for (const RuntimeKnobRow& k : row.knobs) d.knobs.push_back({k.name, k.main, k.label, k.flag, k.default_text, k.default_for});
    if (row.gguf_knobs >= 0)
        for (const GgufKnobRow& k : kGgufKnobs)
            if (const char* label = k.label[row.gguf_knobs]) d.knobs.push_back({k.name, false, label, k.flag[row.gguf_knobs], k.default_text, k.default_for});
    d.card_counts = row.card_counts;
    d.parallel = to_strings(row.parallel);
    d.layer_split = row.layer_split;
    d.multi_node = row.multi_node;
    d.vendors = to_strings(row.vendors);
    d.backends = to_strings(row.backends);
    d.margin = row.margin;
    d.default_context = row.default_context;
    d.estimate = row.estimate;
    return d;
}

// GGUF file types the page offers, most used first.
constexpr const char* kGgufMenu[] = {"Q4_K_M", "Q5_K_M", "Q6_K",  "Q8_0",  "Q4_K_S", "Q5_K_S",  "Q3_K_M", "Q3_K_L", "Q3_K_S", "Q2_K",
                                     "IQ4_XS", "IQ4_NL", "IQ3_M", "IQ3_S", "IQ3_XS", "IQ3_XXS", "IQ2_M",  "IQ2_S",  "IQ2_XS", "IQ2_XXS",
                                     "IQ1_M",  "IQ1_S",  "Q4_0",  "Q4_1",  "Q5_0",   "Q5_1",    "F16",    "BF16",   "F32"};

constexpr FormatInfo kFormats[] = {
    {"bf16", FormatFamily::Safetensors, "BF16"},
    {"fp16", FormatFamily::Safetensors, "FP16"},
    {"fp32", FormatFamily::Safetensors, "FP32"},
    {"fp8", FormatFamily::Safetensors, "FP8"},
    {"int8", FormatFamily::Safetensors, "INT8 (W8A8)"},
    {"awq-int4", FormatFamily::Safetensors, "AWQ 4-bit"},
    {"gptq-int4", FormatFamily::Safetensors, "GPTQ 4-bit"},
    {"mxfp4", FormatFamily::Safetensors, "MXFP4"},
    {"nvfp4", FormatFamily::Safetensors, "NVFP4"},
    {"bnb-4bit", FormatFamily::Safetensors, "bitsandbytes 4-bit"},
    {"mlx-4bit", FormatFamily::Mlx, "MLX 4-bit"},
    {"mlx-8bit", FormatFamily::Mlx, "MLX 8-bit"},
};

}  // namespace

bool RuntimeDescriptor::loads_family(FormatFamily f) const { return std::find(families.begin(), families.end(), f) != families.end(); }

bool RuntimeDescriptor::loads(const WeightFormat& f) const {
    const bool mlx = f.scheme == Scheme::MLX_4BIT || f.scheme == Scheme::MLX_8BIT;
    if (f.is_gguf()) return loads_family(FormatFamily::Gguf);
    // mlx-lm converts 16-bit safetensors on load; its own conversions are the MLX family.
    if (loads_family(FormatFamily::Mlx)) return mlx || f.scheme == Scheme::BF16 || f.scheme == Scheme::FP16;
    return !mlx && loads_family(FormatFamily::Safetensors);
}

const RuntimeKnob* RuntimeDescriptor::knob(const std::string& n) const {
    for (const auto& k : knobs)
        if (k.name == n) return &k;
    return nullptr;
}

namespace {

// Without a runtime in the request: what people run on each kind of device.
constexpr DefaultRuntimeRule kDefaultRuntimes[] = {
    {"apple", Runtime::Mlx, "MLX, Apple's own framework, for an Apple chip with an MLX conversion of the model"},
    {"apple", Runtime::LlamaCpp, "llama.cpp for an Apple chip (no MLX conversion of the model in the catalog)"},
    {"consumer", Runtime::LlamaCpp, "llama.cpp, the usual choice on a consumer GPU"},
    {"integrated", Runtime::LlamaCpp, "llama.cpp, the usual choice on an integrated GPU"},
    {"workstation", Runtime::Vllm, "vLLM, the usual server on a workstation card"},
    {"datacenter", Runtime::Vllm, "vLLM, the usual server on a data-center card"},
    {"*", kDefaultRuntime, "vLLM, the usual server"},
};

}  // namespace

std::span<const DefaultRuntimeRule> default_runtime_rules() { return kDefaultRuntimes; }

bool runs_on(const RuntimeDescriptor& r, const Device& d) {
    if (d.vendor.empty()) return true;
    const std::string v = normalize_key(d.vendor);
    return std::find(r.vendors.begin(), r.vendors.end(), v) != r.vendors.end();
}

bool runs_on_cpu(const RuntimeDescriptor& r) { return std::find(r.backends.begin(), r.backends.end(), "CPU") != r.backends.end(); }

std::vector<const RuntimeDescriptor*> runtimes_for(const std::vector<Device>& devices) {
    std::vector<const RuntimeDescriptor*> out;
    for (const auto& r : runtimes())
        if (std::all_of(devices.begin(), devices.end(), [&](const Device& d) { return runs_on(r, d); })) out.push_back(&r);
    return out;
}

Runtime default_runtime_for(const std::vector<Device>& devices, bool model_has_mlx, const std::string& weights, std::string& why) {
    const std::string device_class = devices.empty() ? "" : devices.front().device_class;
    const bool apple = device_class == "apple";
    if (devices.empty()) {
        for (const auto& r : runtimes())
            if (runs_on_cpu(r)) {
                why = r.name + ", which runs on the CPU alone";
                return r.runtime;
            }
    }
    if (weights.rfind("gguf:", 0) == 0) {
        why = "llama.cpp, which loads the GGUF checkpoint asked for";
        return Runtime::LlamaCpp;
    }
    if (weights.rfind("mlx-", 0) == 0) {
        why = "MLX, which loads the MLX checkpoint asked for";
        return Runtime::Mlx;
    }
    // Weights asked for in a safetensors format (or a checkpoint read from safetensors files): a runtime that loads them.
    auto loads_asked = [&](const RuntimeDescriptor& r) {
        if (weights.empty()) return true;
        if (weights == "safetensors") return r.loads_family(FormatFamily::Safetensors);
        try {
            return r.loads(parse_weight_format(weights));
        } catch (const FieldError&) {
            return true;  // the request layer names a bad format
        }
    };
    for (const auto& rule : kDefaultRuntimes) {
        if (rule.device_class != "*" && rule.device_class != device_class) continue;
        if (apple && rule.runtime == Runtime::Mlx && !model_has_mlx && weights.empty()) continue;
        if (!loads_asked(runtime_descriptor(rule.runtime))) continue;
        // A rule's runtime must run on the devices (the catch-all falls through to one that does).
        const RuntimeDescriptor& r = runtime_descriptor(rule.runtime);
        if (!std::all_of(devices.begin(), devices.end(), [&](const Device& d) { return runs_on(r, d); })) continue;
        why = rule.why;
        return rule.runtime;
    }
    why = "llama.cpp, which runs on every device";
    return Runtime::LlamaCpp;
}

const std::vector<RuntimeDescriptor>& runtimes() {
    static const std::vector<RuntimeDescriptor> table = [] {
        std::vector<RuntimeDescriptor> out;
        out.reserve(std::size(kRuntimes));
        for (const RuntimeRow& row : kRuntimes) out.push_back(descriptor(row));
        return out;
    }();
    return table;
}

const RuntimeDescriptor& runtime_descriptor(Runtime r) {
    for (const auto& d : runtimes())
        if (d.runtime == r) return d;
    return runtimes().front();
}

const RuntimeDescriptor* find_runtime(const std::string& key) {
    const std::string k = normalize_key(key);
    for (const auto& d : runtimes()) {
        if (normalize_key(d.id) == k) return &d;
        for (const auto& a : d.aliases)
            if (a == k) return &d;
    }
    return nullptr;
}

std::string runtime_id_list() {
    std::string out;
    for (const auto& d : runtimes()) out += (out.empty() ? "" : ", ") + d.id;
    return out;
}

const char* runtime_id(Runtime r) {
    for (const auto& d : runtimes())
        if (d.runtime == r) return d.id.c_str();
    return "vllm";
}

std::optional<Runtime> runtime_from_id(const std::string& id) {
    const RuntimeDescriptor* d = find_runtime(id);
    return d ? std::optional<Runtime>(d->runtime) : std::nullopt;
}

std::span<const char* const> gguf_menu_types() { return kGgufMenu; }
std::span<const FormatInfo> safetensors_and_mlx_formats() { return kFormats; }

std::string format_display_name(const std::string& id) {
    if (id.rfind("gguf:", 0) == 0) return "GGUF " + id.substr(5);
    for (const FormatInfo& f : kFormats)
        if (f.id == id) return f.name;
    return id;
}

std::vector<std::pair<std::string, KnobDefault>> resolved_defaults(Runtime r, const std::vector<Device>& devices, const EngineKnobs& set) {
    std::vector<std::pair<std::string, KnobDefault>> out;
    for (const auto& k : runtime_descriptor(r).knobs) {
        if (!k.default_for) continue;
        KnobDefault v = k.default_for(devices, set);
        if (!std::holds_alternative<std::monostate>(v)) out.emplace_back(k.name, std::move(v));
    }
    return out;
}

}  // namespace fitmygpu
