// The knob table: every engine setting the estimator models, under the engine's own flag name, with the
// range the request layer enforces, the label and help a form shows, and how it lands in EngineKnobs.
#include <cctype>
#include <cmath>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/registry.hpp"

namespace fitmygpu {

namespace {

constexpr double kMaxGpus = 1024;
// An engine version as the engines print it: a digit, then digits, letters, dots, plus and minus signs.
constexpr const char* kVersionPattern = "[0-9][0-9A-Za-z.+-]*";
constexpr size_t kMaxVersionLength = 64;

bool is_version(const std::string& v) {
    if (v.empty() || v.size() > kMaxVersionLength || !std::isdigit(static_cast<unsigned char>(v[0]))) return false;
    for (unsigned char c : v)
        if (!std::isalnum(c) && c != '.' && c != '+' && c != '-') return false;
    return true;
}

std::string number_text(double v) {
    if (v == std::floor(v) && std::fabs(v) < 1e15) return group_digits(static_cast<i64>(v));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

const std::vector<KnobSpec>& build_specs() {
    static const std::vector<KnobSpec> specs = {
        {"gpu_memory_utilization",
         {},
         KnobType::Fraction,
         0,
         1,
         false,
         false,
         0,
         "GPU memory utilization",
         "Share of each GPU vLLM may use; the KV cache pool takes what the model leaves of it.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.gpu_memory_utilization = v.number; }},
        {"mem_fraction_static",
         {},
         KnobType::Fraction,
         0,
         1,
         false,
         true,
         0,
         "Static memory fraction",
         "Share of each GPU for weights and the KV pool (--mem-fraction-static).",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.mem_fraction_static = v.number; }},
        {"free_gpu_memory_fraction",
         {},
         KnobType::Fraction,
         0,
         1,
         false,
         false,
         0,
         "KV cache share of free memory",
         "Share of the memory left after loading that becomes KV cache (kv_cache_config.free_gpu_memory_fraction).",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.free_gpu_memory_fraction = v.number; }},
        {"max_num_batched_tokens",
         {"chunked_prefill_size", "max_num_tokens"},
         KnobType::Integer,
         1,
         1 << 22,
         false,
         false,
         0,
         "Max batched tokens",
         "Tokens in one forward pass; sizes the activation peak.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.max_num_batched_tokens = static_cast<i64>(v.number); }},
        {"max_num_seqs",
         {"max_running_requests", "max_batch_size"},
         KnobType::Integer,
         1,
         1 << 20,
         false,
         false,
         0,
         "Max sequences",
         "Requests in one batch; sizes the sampler peak.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.max_num_seqs = static_cast<i64>(v.number); }},
        {"block_size",
         {"page_size", "tokens_per_block"},
         KnobType::Integer,
         1,
         1024,
         true,
         false,
         0,
         "KV block size",
         "Tokens per KV cache block (a power of two).",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.block_size = static_cast<i64>(v.number); }},
        {"tensor_parallel_size",
         {"tp_size", "tp"},
         KnobType::Integer,
         1,
         kMaxGpus,
         false,
         false,
         0,
         "Tensor parallel size",
         "GPUs each layer is split over.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.tensor_parallel_size = static_cast<int>(v.number); }},
        {"pipeline_parallel_size",
         {"pp_size"},
         KnobType::Integer,
         1,
         kMaxGpus,
         false,
         false,
         0,
         "Pipeline parallel size",
         "Stages the layers are divided into.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.pipeline_parallel_size = static_cast<int>(v.number); }},
        {"data_parallel_size",
         {"dp_size"},
         KnobType::Integer,
         1,
         kMaxGpus,
         false,
         false,
         0,
         "Data parallel size",
         "Replicas of the model, each with its own KV pool.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.data_parallel_size = static_cast<int>(v.number); }},
        {"enable_expert_parallel",
         {},
         KnobType::Boolean,
         0,
         0,
         false,
         false,
         0,
         "Expert parallelism",
         "Spreads the experts over the ranks instead of splitting each one.",
         "moe",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.enable_expert_parallel = v.boolean; }},
        {"speculative_model",
         {"draft_model"},
         KnobType::Draft,
         0,
         0,
         false,
         false,
         0,
         "Speculative decoding",
         "The model\u2019s own MTP layers, or a smaller draft model with the same tokenizer.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.speculative_model = v.text; }},
        {"num_speculative_tokens",
         {"draft_max"},
         KnobType::Integer,
         1,
         64,
         false,
         false,
         0,
         "Speculative tokens",
         "Tokens proposed per step.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.num_speculative_tokens = static_cast<i64>(v.number); }},
        {"enforce_eager",
         {"disable_cuda_graph"},
         KnobType::Boolean,
         0,
         0,
         false,
         false,
         0,
         "Eager mode (no CUDA graphs)",
         "Skips capturing CUDA graphs and their memory pool.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.enforce_eager = v.boolean; }},
        {"enable_prefix_caching",
         {},
         KnobType::Boolean,
         0,
         0,
         false,
         false,
         0,
         "Prefix caching",
         "Changes how many state blocks hybrid (Mamba / linear-attention) layers keep.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.enable_prefix_caching = v.boolean; }},
        {"language_model_only",
         {},
         KnobType::Boolean,
         0,
         0,
         false,
         false,
         0,
         "Text only (skip the vision encoder)",
         "Does not load the vision / audio encoder of a multimodal checkpoint.",
         "vision",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.language_model_only = v.boolean; }},
        {"version",
         {},
         KnobType::Text,
         0,
         0,
         false,
         false,
         0,
         "Engine version",
         "The engine release whose memory rules apply; empty for the current one.",
         "",
         kVersionPattern,
         [](EngineKnobs& k, const KnobValue& v) { k.version = v.text; }},
        {"n_gpu_layers",
         {"ngl", "num_gpu"},
         KnobType::Integer,
         -1,
         100000,
         false,
         false,
         0,
         "GPU layers (-ngl)",
         "Layers offloaded to the GPUs; the rest run from host memory.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.n_gpu_layers = static_cast<int>(v.number); }},
        {"n_ubatch",
         {"ubatch_size"},
         KnobType::Integer,
         1,
         1 << 16,
         false,
         false,
         0,
         "Micro-batch (-ub)",
         "Tokens per compute step; sizes the compute buffers.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.n_ubatch = static_cast<i64>(v.number); }},
        {"n_batch",
         {"batch_size"},
         KnobType::Integer,
         1,
         1 << 20,
         false,
         false,
         0,
         "Logical batch (-b)",
         "Must be at least the micro-batch.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.n_batch = static_cast<i64>(v.number); }},
        {"flash_attn",
         {"flash_attention"},
         KnobType::Tristate,
         0,
         0,
         false,
         false,
         0,
         "Flash attention (-fa)",
         "Without it, quantized KV caches are not allowed and attention needs bigger buffers.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) {
             if (v.is_auto) k.flash_attn.reset();
             else k.flash_attn = v.boolean;
         }},
        {"kv_unified",
         {},
         KnobType::Boolean,
         0,
         0,
         false,
         false,
         0,
         "Unified KV cache (--kv-unified)",
         "One KV buffer shared by all parallel sequences.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.kv_unified = v.boolean; }},
        {"swa_full",
         {},
         KnobType::Boolean,
         0,
         0,
         false,
         false,
         0,
         "Full-size SWA cache (--swa-full)",
         "Sliding-window layers keep the whole context instead of their window.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.swa_full = v.boolean; }},
        {"tensor_split",
         {"ts"},
         KnobType::NumberList,
         0,
         1e12,
         false,
         false,
         static_cast<i64>(kMaxGpus),
         "Layer split (--tensor-split)",
         "Proportions of the layers per GPU, e.g. 3,1; by default each GPU\u2019s free memory.",
         "",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.tensor_split = v.list; }},
        {"n_cpu_moe",
         {},
         KnobType::Integer,
         0,
         100000,
         false,
         false,
         0,
         "MoE layers on CPU (--n-cpu-moe)",
         "Experts of the first N layers stay in host memory.",
         "moe",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.n_cpu_moe = static_cast<int>(v.number); }},
        {"mmproj",
         {},
         KnobType::Boolean,
         0,
         0,
         false,
         false,
         0,
         "Load the vision projector (--mmproj)",
         "Adds the multimodal encoder file.",
         "vision",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.mmproj = v.boolean; }},
        {"tokens_per_image",
         {},
         KnobType::Integer,
         1,
         1 << 20,
         false,
         false,
         0,
         "Tokens per image",
         "Overrides the tokens one image becomes.",
         "vision",
         "",
         [](EngineKnobs& k, const KnobValue& v) { k.tokens_per_image = static_cast<i64>(v.number); }},
    };
    return specs;
}

}  // namespace

const char* knob_type_name(KnobType t) {
    switch (t) {
        case KnobType::Fraction: return "fraction";
        case KnobType::Integer: return "int";
        case KnobType::Boolean: return "bool";
        case KnobType::Tristate: return "flash";
        case KnobType::Text: return "text";
        case KnobType::NumberList: return "list";
        case KnobType::Draft: return "draft";
    }
    return "text";
}

const std::vector<KnobSpec>& knob_specs() { return build_specs(); }

const KnobSpec* find_knob(const std::string& name) {
    for (const KnobSpec& k : knob_specs()) {
        if (k.name == name) return &k;
        for (const auto& a : k.aliases)
            if (a == name) return &k;
    }
    return nullptr;
}

void apply_knob(const KnobSpec& spec, const KnobValue& v, const std::string& f, EngineKnobs& knobs, const std::string& got_text) {
    const std::string got = got_text.empty() ? "" : " (got " + got_text + ")";
    switch (spec.type) {
        case KnobType::Fraction:
            if (!std::isfinite(v.number) || v.number <= 0 || v.number > spec.max || (spec.max_exclusive && v.number >= spec.max))
                fail("invalid_field", f, f + " must be greater than 0 and " + (spec.max_exclusive ? "below " : "at most ") + number_text(spec.max) + got);
            break;
        case KnobType::Integer:
            if (v.number < spec.min || v.number > spec.max)
                fail("invalid_field", f, f + " must be between " + number_text(spec.min) + " and " + number_text(spec.max) + got);
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
            if (spec.name == "version" && !is_version(v.text)) fail("invalid_field", f, f + " must be a version number such as \"0.11.0\"");
            break;
        case KnobType::Draft:
            if (v.text.empty()) fail("invalid_field", f, f + " must be \"mtp\" or a catalog model id");
            break;
        case KnobType::Boolean:
        case KnobType::Tristate: break;
    }
    spec.apply(knobs, v);
}

void check_knobs(const EngineKnobs& k) {
    if (k.n_ubatch > k.n_batch) fail("invalid_field", "engine.n_ubatch", "engine.n_ubatch cannot exceed engine.n_batch");
}

}  // namespace fitmygpu
