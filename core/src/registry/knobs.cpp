// The knob table: every engine setting the estimator models, under the engine's own flag name, with the
// range the request layer enforces, the label and help a form shows, and how it lands in EngineKnobs.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/engines.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/pattern.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/version.hpp"
#include "text.hpp"

namespace fitmygpu {

namespace {

constexpr double kMaxGpus = 1024;
// An engine version as the engines print it (version.hpp), as a form checks it: a "v" or a digit first, or a
// llama.cpp build tag; the core reads the rest.
constexpr const char* kVersionPattern = "[vV]?[0-9][0-9A-Za-z.+_-]*|[bB][0-9]+";
constexpr const char* kDriverPattern = "[0-9]{3}(\\.[0-9]+){0,2}";

std::string grouped_number_text(double v) {
    if (v == std::floor(v) && std::fabs(v) < 1e15) return group_digits(static_cast<i64>(v));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// A true / false / "auto" knob: "auto" leaves the engine's own choice (the optional unset).
template <std::optional<bool> EngineKnobs::*member>
void set_tristate(EngineKnobs& k, const KnobValue& v) {
    if (v.is_auto) (k.*member).reset();
    else k.*member = v.boolean;
}

// A knob as the table below writes it: constants only, so that the table is data in the binary; knob_specs()
// copies it into KnobSpec once.
struct KnobRow {
    const char* name;
    KnobType type;
    double min, max;
    bool power_of_two, max_exclusive;
    i64 max_items;
    const char* label;
    const char* help;
    const char* shown_for;
    const char* pattern;
    void (*apply)(EngineKnobs&, const KnobValue&);
};

constexpr KnobRow kKnobs[] = {
    {"gpu_memory_utilization", KnobType::Fraction, 0, 1, false, false, 0, "GPU memory utilization",
     "Share of each GPU vLLM may use; the KV cache pool takes what the model leaves of it.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.gpu_memory_utilization = v.number; }},
    {"mem_fraction_static", KnobType::Fraction, 0, 1, false, true, 0, "Static memory fraction",
     "Share of each GPU for weights and the KV pool (--mem-fraction-static).", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.mem_fraction_static = v.number; }},
    {"free_gpu_memory_fraction", KnobType::Fraction, 0, 1, false, false, 0, "KV cache share of free memory",
     "Share of the memory left after loading that becomes KV cache (kv_cache_config.free_gpu_memory_fraction).", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.free_gpu_memory_fraction = v.number; }},
    {"max_num_batched_tokens", KnobType::Integer, 1, 1 << 22, false, false, 0, "Max batched tokens", "Tokens in one forward pass; sizes the activation peak.",
     "", "", [](EngineKnobs& k, const KnobValue& v) { k.max_num_batched_tokens = static_cast<i64>(v.number); }},
    {"max_num_seqs", KnobType::Integer, 1, 1 << 20, false, false, 0, "Max sequences",
     "Requests in one batch; sizes the sampler peak (vLLM) and the C++ runtime's buffers of TensorRT engine builds.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.max_num_seqs = static_cast<i64>(v.number); }},
    {"kv_cache_max_tokens", KnobType::Integer, 1, 1099511627776.0, false, false, 0, "KV cache max tokens",
     "A cap on the KV cache in tokens (kv_cache_config.max_tokens); the smaller of it and the memory fraction wins.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.kv_cache_max_tokens = static_cast<i64>(v.number); }},
    {"kv_cache_memory_bytes", KnobType::Integer, 1, 1099511627776.0, false, false, 0, "KV cache bytes",
     "The KV cache's size per GPU, given in place of the memory share (vLLM --kv-cache-memory-bytes, 10G or bytes).", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.kv_cache_memory_bytes = static_cast<i64>(v.number); }},
    {"block_size", KnobType::Integer, 1, 1024, true, false, 0, "KV block size", "Tokens per KV cache block (a power of two).", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.block_size = static_cast<i64>(v.number); }},
    {"tensor_parallel_size", KnobType::Integer, 1, kMaxGpus, false, false, 0, "Tensor parallel size", "GPUs each layer is split over.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.tensor_parallel_size = static_cast<int>(v.number); }},
    {"pipeline_parallel_size", KnobType::Integer, 1, kMaxGpus, false, false, 0, "Pipeline parallel size", "Stages the layers are divided into.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.pipeline_parallel_size = static_cast<int>(v.number); }},
    {"data_parallel_size", KnobType::Integer, 1, kMaxGpus, false, false, 0, "Data parallel size", "Replicas of the model, each with its own KV pool.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.data_parallel_size = static_cast<int>(v.number); }},
    {"enable_expert_parallel", KnobType::Boolean, 0, 0, false, false, 0, "Expert parallelism",
     "Spreads the experts over the ranks instead of splitting each one.", "moe", "",
     [](EngineKnobs& k, const KnobValue& v) { k.enable_expert_parallel = v.boolean; }},
    {"enable_dp_attention", KnobType::Boolean, 0, 0, false, false, 0, "Data-parallel attention",
     "Attention runs data-parallel over the tensor-parallel GPUs (--dp-size groups), each group with a KV pool of its own; "
     "the MoE layers stay tensor- or expert-parallel.",
     "", "", [](EngineKnobs& k, const KnobValue& v) { k.enable_dp_attention = v.boolean; }},
    {"speculative_model", KnobType::Draft, 0, 0, false, false, 0, "Speculative decoding",
     "The model\u2019s own MTP layers, or a smaller draft model with the same tokenizer.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.speculative_model = v.text; }},
    {"num_speculative_tokens", KnobType::Integer, 1, 64, false, false, 0, "Speculative tokens", "Tokens proposed per step.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.num_speculative_tokens = static_cast<i64>(v.number); }},
    {"cuda_graph_max_bs", KnobType::Integer, 1, 1 << 16, false, false, 0, "Largest CUDA-graph batch",
     "The largest batch size captured as a CUDA graph; each size keeps graph memory outside the static pool.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.cuda_graph_max_bs = static_cast<i64>(v.number); }},
    {"enforce_eager", KnobType::Boolean, 0, 0, false, false, 0, "Eager mode (no CUDA graphs)", "Skips capturing CUDA graphs and their memory pool.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.enforce_eager = v.boolean; }},
    {"enable_prefix_caching", KnobType::Boolean, 0, 0, false, false, 0, "Prefix caching",
     "Changes how many state blocks hybrid (Mamba / linear-attention) layers keep.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.enable_prefix_caching = v.boolean; }},
    {"disable_hybrid_kv_cache_manager", KnobType::Boolean, 0, 0, false, false, 0, "Hybrid KV cache manager off",
     "Sliding-window layers then hold the whole context.", "", "", [](EngineKnobs& k, const KnobValue& v) { k.disable_hybrid_kv_cache_manager = v.boolean; }},
    {"flashinfer_sampler", KnobType::Tristate, 0, 0, false, false, 0, "FlashInfer sampler",
     "vLLM's V1 sampler on FlashInfer's top-k/top-p kernel (VLLM_USE_FLASHINFER_SAMPLER with FlashInfer installed, as in the "
     "official images of 0.9 to 0.11.0): its profiling peak is far below the sorting sampler's. auto = off.",
     "", "", set_tristate<&EngineKnobs::flashinfer_sampler>},
    {"cudagraph_memory_profiling", KnobType::Tristate, 0, 0, false, false, 0, "CUDA-graph memory profiling",
     "vLLM estimates its CUDA graphs while profiling and takes them out of the KV budget (VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS, "
     "read from 0.14); auto = the release's default, on from 0.20.1.",
     "", "", set_tristate<&EngineKnobs::cudagraph_memory_profiling>},
    {"model_runner_v2", KnobType::Tristate, 0, 0, false, false, 0, "Model Runner V2",
     "vLLM's newer model runner (VLLM_USE_V2_MODEL_RUNNER): it sets no CUDA-graph estimate aside from the KV budget and profiles a "
     "smaller sampler. auto = the release's choice for the model.",
     "", "", set_tristate<&EngineKnobs::model_runner_v2>},
    {"language_model_only", KnobType::Boolean, 0, 0, false, false, 0, "Text only (skip the vision encoder)",
     "Does not load the vision / audio encoder of a multimodal checkpoint.", "vision", "",
     [](EngineKnobs& k, const KnobValue& v) { k.language_model_only = v.boolean; }},
    {"limit_mm_per_prompt", KnobType::Text, 0, 0, false, false, 0, "Multimodal items per prompt",
     "Items a prompt may hold, e.g. {\"image\": 2, \"video\": 0}; 0 leaves a modality out of profiling.", "vision",
     "\\{[^{}]*\\}|[a-z_]+=[0-9]+(,[a-z_]+=[0-9]+)*", [](EngineKnobs& k, const KnobValue& v) { k.limit_mm_per_prompt = v.text; }},
    {"backend", KnobType::Text, 0, 0, false, false, 0, "Backend",
     "pytorch (the default) or tensorrt: an engine built with trtllm-build, which keeps its own copy of a tied lm_head, the "
     "whole token embedding on every rank and a float32 rotary table.",
     "", "pytorch|tensorrt", [](EngineKnobs& k, const KnobValue& v) { k.backend = v.text; }},
    {"attention_backend", KnobType::Text, 0, 0, false, false, 0, "Attention backend",
     "SGLang's --attention-backend. On ROCm, aiter (the default there) keeps part of mem_fraction_static back for long contexts.", "", "[a-z0-9_]+",
     [](EngineKnobs& k, const KnobValue& v) { k.attention_backend = v.text; }},
    {"version", KnobType::Text, 0, 0, false, false, 0, "Engine version",
     "The engine release whose memory rules apply, as the engine prints it (0.11.0, v0.4.6, 1.3.0rc7, b6123); empty for the current one.", "", kVersionPattern,
     [](EngineKnobs& k, const KnobValue& v) { k.version = v.text; }},
    {"nvidia_driver", KnobType::Text, 0, 0, false, false, 0, "NVIDIA driver",
     nullptr,  // written from the constants it states (computed_help)
     "", kDriverPattern, [](EngineKnobs& k, const KnobValue& v) { k.nvidia_driver = v.text; }},
    {"n_gpu_layers", KnobType::Integer, -1, 100000, false, false, 0, "GPU layers (-ngl)", "Layers offloaded to the GPUs; the rest run from host memory.", "",
     "", [](EngineKnobs& k, const KnobValue& v) { k.n_gpu_layers = static_cast<int>(v.number); }},
    {"n_ubatch", KnobType::Integer, 1, 1 << 16, false, false, 0, "Micro-batch (-ub)", "Tokens per compute step; sizes the compute buffers.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.n_ubatch = static_cast<i64>(v.number); }},
    {"n_batch", KnobType::Integer, 1, 1 << 20, false, false, 0, "Logical batch (-b)", "Must be at least the micro-batch.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.n_batch = static_cast<i64>(v.number); }},
    {"prefill_step_size", KnobType::Integer, 1, 1 << 20, false, false, 0, "Prefill step", "Prompt tokens per forward pass; sizes the prefill activations.", "",
     "", [](EngineKnobs& k, const KnobValue& v) { k.prefill_step_size = static_cast<i64>(v.number); }},
    {"max_tokens", KnobType::Integer, 0, 1 << 24, false, false, 0, "Generated tokens (--max-tokens)",
     "Tokens generated after the prompt; the prompt is the rest of the context, and only the prompt is prefilled in steps. 0: the "
     "whole context is prompt.",
     "", "", [](EngineKnobs& k, const KnobValue& v) { k.max_tokens = static_cast<i64>(v.number); }},
    {"flash_attn", KnobType::Tristate, 0, 0, false, false, 0, "Flash attention (-fa)",
     "Without it, quantized KV caches are not allowed and attention needs bigger buffers.", "", "", set_tristate<&EngineKnobs::flash_attn>},
    {"ollama_new_engine", KnobType::Tristate, 0, 0, false, false, 0, "Ollama's own engine (OLLAMA_NEW_ENGINE)",
     "Before 0.30, runs every model on Ollama's Go engine, which reserves logits for one row per sequence; by default only the "
     "architectures that engine requires use it.",
     "", "", set_tristate<&EngineKnobs::ollama_new_engine>},
    {"kv_unified", KnobType::Boolean, 0, 0, false, false, 0, "Unified KV cache (--kv-unified)", "One KV buffer shared by all parallel sequences.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.kv_unified = v.boolean; }},
    {"swa_full", KnobType::Boolean, 0, 0, false, false, 0, "Full-size SWA cache (--swa-full)",
     "Sliding-window layers keep the whole context instead of their window.", "", "", [](EngineKnobs& k, const KnobValue& v) { k.swa_full = v.boolean; }},
    {"tensor_split", KnobType::NumberList, 0, 1e12, false, false, static_cast<i64>(kMaxGpus), "Layer split (--tensor-split)",
     "Proportions of the layers per GPU, e.g. 3,1; by default each GPU\u2019s free memory.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.tensor_split = v.list; }},
    {"n_cpu_moe", KnobType::Integer, 0, 100000, false, false, 0, "MoE layers on CPU (--n-cpu-moe)", "Experts of the first N layers stay in host memory.", "moe",
     "", [](EngineKnobs& k, const KnobValue& v) { k.n_cpu_moe = static_cast<int>(v.number); }},
    {"override_tensor", KnobType::Text, 0, 0, false, false, 0, "Tensor placement (-ot)",
     "Tensors whose name matches a pattern go to the buffer named after it, e.g. exps=CPU or blk\\.(1[0-9])\\.ffn_.*=CUDA1.", "", "",
     [](EngineKnobs& k, const KnobValue& v) { k.override_tensor = v.text; }},
    {"mmproj", KnobType::Tristate, 0, 0, false, false, 0, "Load the vision encoder (--mmproj)",
     "llama.cpp loads it from an mmproj file only when given one; Ollama loads the one its library model carries.", "vision", "",
     set_tristate<&EngineKnobs::mmproj>},
    {"tokens_per_image", KnobType::Integer, 1, 1 << 20, false, false, 0, "Tokens per image", "Overrides the tokens one image becomes.", "vision", "",
     [](EngineKnobs& k, const KnobValue& v) { k.tokens_per_image = static_cast<i64>(v.number); }},
};

}  // namespace

const char* knob_type_name(KnobType t) {
    switch (t) {
        case KnobType::Fraction: return "fraction";
        case KnobType::Integer: return "int";
        case KnobType::Boolean: return "bool";
        case KnobType::Tristate: return "tristate";
        case KnobType::Text: return "text";
        case KnobType::NumberList: return "list";
        case KnobType::Draft: return "draft";
    }
    return "text";
}

// The help of a knob whose row leaves it null: text written from the constants it states. nvidia_driver: the driver
// branch and the factor the estimate applies.
std::string computed_help(const std::string& name) {
    if (name != "nvidia_driver") throw std::logic_error("knob " + name + " has no help");
    const std::string branch = "R" + std::to_string(kCompactGraphDriver);
    return "The driver version nvidia-smi prints (535.247.01); drivers before " + branch + " (CUDA 12.4) keep about " + fixed_text(kOldDriverGraphFactor, 2) +
           " times as much memory for each CUDA graph. Empty for " + branch + " or later.";
}

const std::vector<KnobSpec>& knob_specs() {
    static const std::vector<KnobSpec> specs = [] {
        std::vector<KnobSpec> out;
        out.reserve(std::size(kKnobs));
        for (const KnobRow& r : kKnobs)
            out.push_back({r.name, r.type, r.min, r.max, r.power_of_two, r.max_exclusive, r.max_items, r.label,
                           r.help ? std::string(r.help) : computed_help(r.name), r.shown_for, r.pattern, r.apply});
        return out;
    }();
    return specs;
}

const KnobSpec* find_knob(const std::string& name) {
    for (const KnobSpec& k : knob_specs()) {
        if (k.name == name) return &k;
    }
    return nullptr;
}

void apply_knob(const KnobSpec& spec, const KnobValue& given, const std::string& f, EngineKnobs& knobs, const std::string& got_text) {
    KnobValue v = given;
    const std::string got = got_text.empty() ? "" : " (got " + got_text + ")";
    switch (spec.type) {
        case KnobType::Fraction:
            if (!std::isfinite(v.number) || v.number <= 0 || v.number > spec.max || (spec.max_exclusive && v.number >= spec.max))
                fail("invalid_field", f,
                     f + " must be greater than 0 and " + (spec.max_exclusive ? "below " : "at most ") + grouped_number_text(spec.max) + got);
            break;
        case KnobType::Integer:
            if (v.number < spec.min || v.number > spec.max)
                fail("invalid_field", f, f + " must be between " + grouped_number_text(spec.min) + " and " + grouped_number_text(spec.max) + got);
            if (spec.power_of_two) {
                const i64 n = static_cast<i64>(v.number);
                if ((n & (n - 1)) != 0) fail("invalid_field", f, f + " must be a power of two" + got);
            }
            break;
        case KnobType::NumberList: {
            if (v.list.empty() || static_cast<i64>(v.list.size()) > spec.max_items)
                fail("invalid_field", f, f + " must be a list of proportions, one per device, e.g. [3, 1]");
            double sum = 0;
            for (size_t i = 0; i < v.list.size(); ++i) {
                const std::string fi = f + "[" + std::to_string(i) + "]";
                if (!std::isfinite(v.list[i]) || v.list[i] < 0 || v.list[i] > spec.max) fail("invalid_field", fi, fi + " must be a proportion of 0 or more");
                sum += v.list[i];
            }
            if (sum <= 0) fail("invalid_field", f, f + " must give at least one device a share above 0");
            break;
        }
        case KnobType::Text:
            if (spec.name == "override_tensor") {
                parse_tensor_overrides(v.text, f);  // throws naming the entry
            } else if (spec.name == "backend") {
                if (v.text != "pytorch" && v.text != "tensorrt") fail("invalid_field", f, f + " must be \"pytorch\" or \"tensorrt\"" + got);
            } else if (spec.name == "attention_backend") {
                if (v.text.size() > 32 || !Pattern(spec.pattern).match_all(v.text))
                    fail("invalid_field", f, f + " must be an SGLang attention backend name such as \"aiter\" or \"triton\"" + got);
            } else if (spec.name == "nvidia_driver") {
                if (nvidia_driver_major(v.text) == 0)
                    fail("invalid_field", f, f + " must be an NVIDIA driver version as nvidia-smi prints it, such as \"535.247.01\" or \"570.172.08\"" + got);
            } else if (spec.name == "version") {
                const auto version = parse_engine_version(v.text);
                if (!version)
                    fail("invalid_field", f,
                         f +
                             " must be an engine version as the engine prints it, such as \"0.11.0\", \"v0.4.6\", \"1.3.0rc7\", \"0.5.8.post1\", "
                             "\"0.11.0+cu128\" or a llama.cpp build such as \"b6123\"" +
                             got);
                v.text = version->text();  // the normal form: what the rules compare, and what the response echoes
            }
            break;
        case KnobType::Draft:
            if (v.text.empty()) fail("invalid_field", f, f + " must be \"mtp\" or a catalog model id");
            break;
        case KnobType::Boolean:
        case KnobType::Tristate: break;
    }
    spec.apply(knobs, v);
}

namespace {
// Bounds on --override-tensor text: a few dozen entries of short patterns cover every published use.
constexpr size_t kMaxOverrides = 64;
constexpr size_t kMaxPatternLength = 256;
const char* const kBufferBackends[] = {"CUDA", "ROCm", "Vulkan", "SYCL", "Metal", "MUSA", "CANN"};

// Whether a quantifier applies to a group that holds a quantifier of its own, e.g. (a+)+ or (.*x)*: such patterns
// backtrack exponentially in a regular-expression engine like std::regex, and no tensor name needs them.
bool nested_repetition(const std::string& p) {
    std::vector<bool> group_repeats;  // per open group: whether a quantifier appears inside it
    bool last_group_repeats = false;  // the group just closed
    bool in_class = false;
    for (size_t i = 0; i < p.size(); ++i) {
        const char c = p[i];
        const bool quantifier = c == '*' || c == '+' || c == '?' || c == '{';
        if (c == '\\') {
            ++i;
            last_group_repeats = false;
            continue;
        }
        if (in_class) {
            in_class = c != ']';
            continue;
        }
        if (c == '[') {
            in_class = true;
            last_group_repeats = false;
        } else if (c == '(') {
            group_repeats.push_back(false);
            last_group_repeats = false;
        } else if (c == ')') {
            last_group_repeats = !group_repeats.empty() && group_repeats.back();
            if (!group_repeats.empty()) group_repeats.pop_back();
            if (last_group_repeats && !group_repeats.empty()) group_repeats.back() = true;
            continue;
        } else if (quantifier) {
            if (last_group_repeats && c != '?') return true;
            if (!group_repeats.empty()) group_repeats.back() = true;
        }
        last_group_repeats = false;
    }
    return false;
}
}  // namespace

std::vector<TensorOverride> parse_tensor_overrides(const std::string& text, const std::string& f) {
    std::vector<TensorOverride> out;
    if (text.empty()) return out;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        const std::string entry = text.substr(start, comma - start);
        start = comma + 1;
        const size_t eq = entry.rfind('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size())
            fail("invalid_field", f, f + " must be entries pattern=BUFFER separated by commas, e.g. exps=CPU (got \"" + entry.substr(0, 60) + "\")");
        TensorOverride o{entry.substr(0, eq), entry.substr(eq + 1), -1, nullptr};
        if (o.pattern.size() > kMaxPatternLength) fail("invalid_field", f, f + ": a pattern is at most " + std::to_string(kMaxPatternLength) + " characters");
        if (nested_repetition(o.pattern))
            fail("invalid_field", f,
                 f + ": \"" + o.pattern.substr(0, 60) + "\" repeats a group that itself repeats (such as (a+)+); write it without the nesting");
        try {
            o.matcher = std::make_shared<const Pattern>(o.pattern);
        } catch (const PatternError& e) {
            fail("invalid_field", f, f + ": \"" + o.pattern.substr(0, 60) + "\" is not a regular expression we can read: " + e.what());
        }
        if (o.buffer == "CPU" || o.buffer == "CUDA_Host" || o.buffer == "ROCm_Host") {
            o.device = -1;
        } else {
            bool known = false;
            for (const char* b : kBufferBackends) {
                const std::string prefix(b);
                if (o.buffer.rfind(prefix, 0) != 0) continue;
                const std::string digits = o.buffer.substr(prefix.size());
                if (digits.empty() && prefix == "Metal") o.device = 0;
                else if (!digits.empty() && digits.size() <= 4 && std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }))
                    o.device = std::stoi(digits);
                else continue;
                known = true;
            }
            if (!known)
                fail("invalid_field", f,
                     f + ": \"" + o.buffer.substr(0, 30) + "\" is not a buffer type; use CPU, CUDA_Host or a device such as CUDA0, ROCm1, Vulkan0, Metal");
        }
        out.push_back(std::move(o));
        if (out.size() > kMaxOverrides) fail("invalid_field", f, f + " has more than " + std::to_string(kMaxOverrides) + " entries");
        if (comma == text.size()) break;
    }
    return out;
}

void check_knobs(const EngineKnobs& k) {
    if (k.n_ubatch > k.n_batch) fail("invalid_field", "engine.n_ubatch", "engine.n_ubatch cannot exceed engine.n_batch");
}

}  // namespace fitmygpu
