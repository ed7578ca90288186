// The runtime descriptors. Adding a runtime means adding its descriptor here and its estimate file under
// engines/; request parsing, defaults, solvers and the page's menus follow from the table.
#include <algorithm>

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

template <auto Member>
KnobDefault struct_default(const std::vector<Device>&, const EngineKnobs&) {
    const EngineKnobs k;  // the struct's initial values are the engines' defaults
    using T = std::remove_cvref_t<decltype(k.*Member)>;
    if constexpr (std::is_same_v<T, bool>) return k.*Member;
    else if constexpr (std::is_floating_point_v<T>) return static_cast<double>(k.*Member);
    else return static_cast<i64>(k.*Member);
}

const std::vector<KvTypeOption> kServingKv = {{"auto", "auto (the model\u2019s dtype)"}, {"bf16", "BF16"}, {"fp16", "FP16"}, {"fp8", "FP8"}};
const std::vector<KvTypeOption> kGgufKv = {{"auto", "auto (f16)"}, {"f16", "f16"},   {"bf16", "bf16"}, {"f32", "f32"},   {"q8_0", "q8_0"},
                                           {"q5_1", "q5_1"},       {"q5_0", "q5_0"}, {"q4_1", "q4_1"}, {"q4_0", "q4_0"}, {"iq4_nl", "iq4_nl"}};
const std::vector<KvTypeOption> kTransformersKv = {{"auto", "auto (the model\u2019s dtype)"}, {"bf16", "BF16"}, {"fp16", "FP16"}, {"fp32", "FP32"}};
const std::vector<KvTypeOption> kMlxKv = {{"auto", "auto (the model\u2019s dtype)"}, {"bf16", "BF16"}, {"fp16", "FP16"}};

// Tensor-parallel engines need a size that divides the attention heads (powers of two in practice); layer
// splitters take any number of cards.
const std::vector<int> kTensorParallelCounts = {1, 2, 4, 8, 16};
const std::vector<int> kLayerSplitCounts = {1, 2, 3, 4, 5, 6, 7, 8, 12, 16};

// The quantization sweep of each family: the formats people publish, most bits first.
const std::vector<std::string> kServingSweep = {"bf16", "fp8", "int8", "awq-int4", "gptq-int4", "nvfp4"};
const std::vector<std::string> kGgufSweep = {"gguf:BF16",   "gguf:Q8_0",   "gguf:Q6_K",    "gguf:Q5_K_M", "gguf:Q5_K_S", "gguf:Q4_K_M",
                                             "gguf:Q4_K_S", "gguf:IQ4_XS", "gguf:Q3_K_L",  "gguf:Q3_K_M", "gguf:Q3_K_S", "gguf:IQ3_XXS",
                                             "gguf:Q2_K",   "gguf:IQ2_M",  "gguf:IQ2_XXS", "gguf:IQ1_M"};
const std::vector<std::string> kMlxSweep = {"bf16", "mlx-8bit", "mlx-4bit"};

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

// llama.cpp and Ollama: one set of knobs (Ollama runs llama-server underneath).
std::vector<RuntimeKnob> gguf_knobs(bool ollama) {
    std::vector<RuntimeKnob> knobs = {
        {"n_gpu_layers", false, ollama ? "GPU layers (num_gpu)" : "", ollama ? "num_gpu" : "-ngl", "-1 (all)", struct_default<&EngineKnobs::n_gpu_layers>},
        {"tensor_split", false, "", ollama ? "" : "--tensor-split", "by free memory", none},
        {"n_ubatch", false, "", ollama ? "" : "-ub", "", struct_default<&EngineKnobs::n_ubatch>},
        {"n_batch", false, "", ollama ? "num_batch" : "-b", "", struct_default<&EngineKnobs::n_batch>},
        {"flash_attn", false, "", ollama ? "OLLAMA_FLASH_ATTENTION" : "-fa", "auto",
         [](const std::vector<Device>&, const EngineKnobs&) { return KnobDefault{std::string("auto")}; }},
        {"kv_unified", false, "", ollama ? "" : "--kv-unified", "", struct_default<&EngineKnobs::kv_unified>},
        {"swa_full", false, "", ollama ? "" : "--swa-full", "", struct_default<&EngineKnobs::swa_full>},
        {"n_cpu_moe", false, "", ollama ? "" : "--n-cpu-moe", "", struct_default<&EngineKnobs::n_cpu_moe>},
        {"mmproj", false, "", ollama ? "" : "--mmproj", "", struct_default<&EngineKnobs::mmproj>},
        {"speculative_model", false, "", ollama ? "" : "--model-draft", "none", none},
        {"num_speculative_tokens", false, ollama ? "Draft tokens" : "Draft tokens (--draft-max)", ollama ? "" : "--draft-max", "", none},
        {"version", false, "", "", "current", none},
    };
    // Tensor placement by name is llama-server's own flag; Ollama sets no such option.
    if (!ollama) knobs.insert(knobs.begin() + 8, {"override_tensor", false, "", "-ot", "none", none});
    return knobs;
}

std::vector<RuntimeDescriptor> build_runtimes() {
    std::vector<RuntimeDescriptor> r;
    {
        RuntimeDescriptor d;
        d.runtime = Runtime::Vllm;
        d.id = "vllm";
        d.name = "vLLM";
        d.aliases = {"vllm"};
        d.families = {FormatFamily::Safetensors};
        d.gguf_experimental = true;
        d.default_weights = {{"*", "official", "the official checkpoint"}};
        d.sweep_formats = kServingSweep;
        d.kv_cache_types = kServingKv;
        d.kv_auto = "model";
        d.knobs = {
            {"gpu_memory_utilization", true, "", "--gpu-memory-utilization", "", struct_default<&EngineKnobs::gpu_memory_utilization>},
            {"max_num_batched_tokens", false, "", "--max-num-batched-tokens", "2048 or 8192 (by GPU)",
             [](const std::vector<Device>& d, const EngineKnobs&) {
                 return d.empty() ? KnobDefault{} : KnobDefault{vllm_serve_defaults(d.front()).max_num_batched_tokens};
             }},
            {"max_num_seqs", false, "", "--max-num-seqs", "256 or 1024 (by GPU)",
             [](const std::vector<Device>& d, const EngineKnobs&) {
                 return d.empty() ? KnobDefault{} : KnobDefault{vllm_serve_defaults(d.front()).max_num_seqs};
             }},
            {"block_size", false, "", "--block-size", "", struct_default<&EngineKnobs::block_size>},
            {"tensor_parallel_size", false, "", "--tensor-parallel-size", "GPUs \u00f7 pipeline stages",
             [](const std::vector<Device>& d, const EngineKnobs& k) {
                 return d.empty() ? KnobDefault{}
                                  : KnobDefault{static_cast<i64>(std::max<size_t>(1, d.size() / static_cast<size_t>(k.pipeline_parallel_size)))};
             }},
            {"pipeline_parallel_size", false, "", "--pipeline-parallel-size", "", struct_default<&EngineKnobs::pipeline_parallel_size>},
            {"data_parallel_size", false, "", "--data-parallel-size", "", struct_default<&EngineKnobs::data_parallel_size>},
            {"enable_expert_parallel", false, "", "--enable-expert-parallel", "", struct_default<&EngineKnobs::enable_expert_parallel>},
            {"enforce_eager", false, "", "--enforce-eager", "", struct_default<&EngineKnobs::enforce_eager>},
            {"enable_prefix_caching", false, "", "--enable-prefix-caching", "", struct_default<&EngineKnobs::enable_prefix_caching>},
            {"language_model_only", false, "", "--language-model-only", "", struct_default<&EngineKnobs::language_model_only>},
            {"speculative_model", false, "", "--speculative-config", "none", none},
            {"num_speculative_tokens", false, "", "--speculative-config", "1", none},
            {"version", false, "", "", "current (0.21+)", none},
        };
        d.card_counts = kTensorParallelCounts;
        d.parallel = {"tensor", "pipeline", "data", "expert"};
        // Several machines: tensor parallel over the GPUs of a machine, pipeline stages across machines (vLLM's
        // documented practice, https://docs.vllm.ai/en/latest/serving/parallelism_scaling.html).
        d.multi_node = MultiNode::PipelineAcross;
        d.vendors = {"nvidia", "amd", "intel"};
        d.backends = {"CUDA", "ROCm", "XPU"};
        d.margin.pool_factor = 1.25;
        d.estimate = estimate_vllm;
        r.push_back(std::move(d));
    }
    {
        RuntimeDescriptor d;
        d.runtime = Runtime::Sglang;
        d.id = "sglang";
        d.name = "SGLang";
        d.aliases = {"sglang"};
        d.families = {FormatFamily::Safetensors};
        d.default_weights = {{"*", "official", "the official checkpoint"}};
        d.sweep_formats = kServingSweep;
        d.kv_cache_types = kServingKv;
        d.kv_auto = "model";
        d.knobs = {
            {"mem_fraction_static", true, "", "--mem-fraction-static", "by GPU memory (0.88 when unknown)",
             [](const std::vector<Device>& d, const EngineKnobs& k) {
                 if (d.empty()) return KnobDefault{};  // decided by the GPU's memory
                 const int tp = k.tensor_parallel_size.value_or(static_cast<int>(d.size()) / std::max(1, k.pipeline_parallel_size));
                 return KnobDefault{
                     sglang_defaults(d.front(), tp, k.pipeline_parallel_size, k.version, k.enable_dp_attention ? k.data_parallel_size : 1).mem_fraction_static};
             }},
            {"max_num_batched_tokens", false, "Chunked prefill size", "--chunked-prefill-size", "2048 to 16384 (by GPU memory)",
             [](const std::vector<Device>& d, const EngineKnobs& k) {
                 if (d.empty()) return KnobDefault{};
                 const int tp = k.tensor_parallel_size.value_or(static_cast<int>(d.size()) / std::max(1, k.pipeline_parallel_size));
                 return KnobDefault{sglang_defaults(d.front(), tp, k.pipeline_parallel_size, k.version, k.enable_dp_attention ? k.data_parallel_size : 1)
                                        .chunked_prefill_size};
             }},
            {"tensor_parallel_size", false, "", "--tp-size", "all GPUs", device_count},
            {"pipeline_parallel_size", false, "", "--pp-size", "", struct_default<&EngineKnobs::pipeline_parallel_size>},
            {"data_parallel_size", false, "", "--dp-size", "", struct_default<&EngineKnobs::data_parallel_size>},
            {"enable_expert_parallel", false, "", "--ep-size", "", struct_default<&EngineKnobs::enable_expert_parallel>},
            {"enable_dp_attention", false, "", "--enable-dp-attention", "", struct_default<&EngineKnobs::enable_dp_attention>},
            {"enforce_eager", false, "Disable CUDA graphs", "--disable-cuda-graph", "", struct_default<&EngineKnobs::enforce_eager>},
            {"language_model_only", false, "", "", "", struct_default<&EngineKnobs::language_model_only>},
            {"version", false, "", "", "current", none},
        };
        d.card_counts = kTensorParallelCounts;
        d.parallel = {"tensor", "pipeline", "data", "expert"};
        // Several machines: one tensor-parallel group over all of them (--tp 16 --nnodes 2 in SGLang's multi-node
        // DeepSeek-V3 recipe, https://docs.sglang.ai/advanced_features/multi_node_deployment.html).
        d.multi_node = MultiNode::TensorAcross;
        d.vendors = {"nvidia", "amd"};
        d.backends = {"CUDA", "ROCm"};
        d.margin.pool_factor = 1.25;
        d.estimate = estimate_sglang;
        r.push_back(std::move(d));
    }
    {
        RuntimeDescriptor d;
        d.runtime = Runtime::Trtllm;
        d.id = "trtllm";
        d.name = "TensorRT-LLM";
        d.aliases = {"trtllm", "tensorrtllm", "trtllmserve"};
        d.families = {FormatFamily::Safetensors};
        d.default_weights = {{"*", "official", "the official checkpoint"}};
        d.sweep_formats = kServingSweep;
        d.kv_cache_types = kServingKv;
        d.kv_auto = "model";
        d.knobs = {
            {"free_gpu_memory_fraction", true, "", "--kv_cache_free_gpu_memory_fraction", "", struct_default<&EngineKnobs::free_gpu_memory_fraction>},
            {"max_num_batched_tokens", false, "Max num tokens", "--max_num_tokens", "",
             [](const std::vector<Device>&, const EngineKnobs&) { return KnobDefault{kDefaultMaxBatchedTokens}; }},
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
        };
        d.card_counts = kTensorParallelCounts;
        d.parallel = {"tensor", "pipeline", "expert"};
        // Several machines: one tensor-parallel group launched over MPI (trtllm-llmapi-launch with --tp_size 16
        // on two nodes, https://nvidia.github.io/TensorRT-LLM/quick-start-guide.html#multi-node).
        d.multi_node = MultiNode::TensorAcross;
        d.vendors = {"nvidia"};
        d.backends = {"CUDA"};
        d.margin.pool_factor = 1.25;
        d.estimate = estimate_trtllm;
        r.push_back(std::move(d));
    }
    for (const bool ollama : {false, true}) {
        RuntimeDescriptor d;
        d.runtime = ollama ? Runtime::Ollama : Runtime::LlamaCpp;
        d.id = ollama ? "ollama" : "llama.cpp";
        d.name = ollama ? "Ollama" : "llama.cpp";
        d.aliases = ollama ? std::vector<std::string>{"ollama"} : std::vector<std::string>{"llamacpp", "llamaserver"};
        d.families = {FormatFamily::Gguf};
        d.default_weights = {{"*", "gguf:Q4_K_M", ollama ? "Ollama's default tag" : "the usual download for llama.cpp"}};
        d.sweep_formats = kGgufSweep;
        d.kv_cache_types = kGgufKv;
        d.kv_auto = "f16";
        d.knobs = gguf_knobs(ollama);
        d.card_counts = kLayerSplitCounts;
        d.parallel = {"layer split"};
        d.layer_split = true;
        d.vendors = {"nvidia", "amd", "intel", "apple"};
        d.backends =
            ollama ? std::vector<std::string>{"CUDA", "ROCm", "Metal", "CPU"} : std::vector<std::string>{"CUDA", "ROCm", "Metal", "Vulkan", "SYCL", "CPU"};
        // llama.cpp --fit keeps this much free on every device (common/fit.cpp, the --fit-target default).
        d.margin.headroom_bytes = 1024 * MiB;
        if (ollama) d.default_context = ollama_default_context;
        d.estimate = estimate_llamacpp;
        r.push_back(std::move(d));
    }
    {
        RuntimeDescriptor d;
        d.runtime = Runtime::Transformers;
        d.id = "transformers";
        d.name = "Transformers";
        d.aliases = {"transformers", "hf", "huggingface"};
        d.families = {FormatFamily::Safetensors};
        d.gguf_experimental = true;
        d.default_weights = {{"*", "official", "the official checkpoint"}};
        d.sweep_formats = kServingSweep;
        d.kv_cache_types = kTransformersKv;
        d.kv_auto = "model";
        d.knobs = {{"language_model_only", false, "", "", "", struct_default<&EngineKnobs::language_model_only>}};
        d.card_counts = kLayerSplitCounts;
        d.parallel = {"layer split"};
        d.layer_split = true;
        d.vendors = {"nvidia", "amd", "intel", "apple"};
        d.backends = {"CUDA", "ROCm", "XPU", "MPS"};
        d.margin.headroom_fraction = 0.05;
        d.estimate = estimate_transformers;
        r.push_back(std::move(d));
    }
    {
        RuntimeDescriptor d;
        d.runtime = Runtime::Mlx;
        d.id = "mlx";
        d.name = "MLX";
        d.aliases = {"mlx", "mlxlm"};
        d.families = {FormatFamily::Mlx};
        d.default_weights = {{"*", "mlx-4bit", "mlx-community's usual conversion"}};
        d.sweep_formats = kMlxSweep;
        d.kv_cache_types = kMlxKv;
        d.kv_auto = "model";
        d.knobs = {{"prefill_step_size", false, "", "--prefill-step-size", "", struct_default<&EngineKnobs::prefill_step_size>},
                   {"language_model_only", false, "", "", "", struct_default<&EngineKnobs::language_model_only>}};
        d.card_counts = {1};
        d.parallel = {"single device"};
        d.vendors = {"apple"};
        d.backends = {"Metal"};
        d.margin.headroom_fraction = 0.05;
        d.estimate = estimate_mlx;
        r.push_back(std::move(d));
    }
    return r;
}

const std::vector<std::string> kGgufMenu = {"Q4_K_M", "Q5_K_M", "Q6_K",  "Q8_0",  "Q4_K_S", "Q5_K_S",  "Q3_K_M", "Q3_K_L", "Q3_K_S", "Q2_K",
                                            "IQ4_XS", "IQ4_NL", "IQ3_M", "IQ3_S", "IQ3_XS", "IQ3_XXS", "IQ2_M",  "IQ2_S",  "IQ2_XS", "IQ2_XXS",
                                            "IQ1_M",  "IQ1_S",  "Q4_0",  "Q4_1",  "Q5_0",   "Q5_1",    "F16",    "BF16",   "F32"};

const std::vector<FormatInfo> kFormats = {
    {"bf16", FormatFamily::Safetensors},      {"fp16", FormatFamily::Safetensors},  {"fp32", FormatFamily::Safetensors},
    {"fp8", FormatFamily::Safetensors},       {"int8", FormatFamily::Safetensors},  {"awq-int4", FormatFamily::Safetensors},
    {"gptq-int4", FormatFamily::Safetensors}, {"mxfp4", FormatFamily::Safetensors}, {"nvfp4", FormatFamily::Safetensors},
    {"bnb-4bit", FormatFamily::Safetensors},  {"mlx-4bit", FormatFamily::Mlx},      {"mlx-8bit", FormatFamily::Mlx},
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
const std::vector<DefaultRuntimeRule> kDefaultRuntimes = {
    {"apple", Runtime::Mlx, "MLX, Apple's own framework, for an Apple chip with an MLX conversion of the model"},
    {"apple", Runtime::LlamaCpp, "llama.cpp for an Apple chip (no MLX conversion of the model in the catalog)"},
    {"consumer", Runtime::LlamaCpp, "llama.cpp, the usual choice on a consumer GPU"},
    {"integrated", Runtime::LlamaCpp, "llama.cpp, the usual choice on an integrated GPU"},
    {"workstation", Runtime::Vllm, "vLLM, the usual server on a workstation card"},
    {"datacenter", Runtime::Vllm, "vLLM, the usual server on a data-center card"},
    {"*", kDefaultRuntime, "vLLM, the usual server"},
};

}  // namespace

const std::vector<DefaultRuntimeRule>& default_runtime_rules() { return kDefaultRuntimes; }

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
    static const std::vector<RuntimeDescriptor> table = build_runtimes();
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

const std::vector<std::string>& gguf_menu_types() { return kGgufMenu; }
const std::vector<FormatInfo>& safetensors_and_mlx_formats() { return kFormats; }

std::string format_display_name(const std::string& id) {
    if (id.rfind("gguf:", 0) == 0) return "GGUF " + id.substr(5);
    static const std::vector<std::pair<std::string, std::string>> names = {{"bf16", "BF16"},
                                                                           {"fp16", "FP16"},
                                                                           {"fp32", "FP32"},
                                                                           {"fp8", "FP8"},
                                                                           {"int8", "INT8 (W8A8)"},
                                                                           {"awq-int4", "AWQ 4-bit"},
                                                                           {"gptq-int4", "GPTQ 4-bit"},
                                                                           {"mxfp4", "MXFP4"},
                                                                           {"nvfp4", "NVFP4"},
                                                                           {"bnb-4bit", "bitsandbytes 4-bit"},
                                                                           {"mlx-4bit", "MLX 4-bit"},
                                                                           {"mlx-8bit", "MLX 8-bit"}};
    for (const auto& [k, v] : names)
        if (k == id) return v;
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
