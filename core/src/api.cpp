#include "fitmygpu/api.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "fitmygpu/engines.hpp"
#include "fitmygpu/logs.hpp"
#include "fitmygpu/error.hpp"

namespace fitmygpu {

const char* runtime_id(Runtime r) {
    switch (r) {
        case Runtime::Vllm: return "vllm";
        case Runtime::Sglang: return "sglang";
        case Runtime::Trtllm: return "trtllm";
        case Runtime::LlamaCpp: return "llama.cpp";
        case Runtime::Ollama: return "ollama";
        case Runtime::Transformers: return "transformers";
        case Runtime::Mlx: return "mlx";
    }
    return "vllm";
}

std::optional<Runtime> runtime_from_id(const std::string& raw) {
    const std::string id = normalize_key(raw);
    if (id == "vllm") return Runtime::Vllm;
    if (id == "sglang") return Runtime::Sglang;
    if (id == "trtllm" || id == "tensorrtllm") return Runtime::Trtllm;
    if (id == "llamacpp" || id == "llamaserver") return Runtime::LlamaCpp;
    if (id == "ollama") return Runtime::Ollama;
    if (id == "transformers" || id == "hf" || id == "huggingface") return Runtime::Transformers;
    if (id == "mlx" || id == "mlxlm") return Runtime::Mlx;
    return std::nullopt;
}

}  // namespace fitmygpu

namespace fitmygpu::api {

using nlohmann::json;

namespace {

constexpr i64 kMaxContext = i64{1} << 24;      // 16,777,216 tokens
constexpr i64 kMaxConcurrency = 1 << 16;
constexpr int kMaxGpus = 1024;

std::string describe(const json& v) {
    std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (s.size() > 40) s = s.substr(0, 37) + "...";
    return s;
}

i64 int_field(const json& v, const std::string& field, i64 lo, i64 hi) {
    if (!v.is_number()) fail("invalid_field", field, field + " must be a whole number (got " + describe(v) + ")");
    const double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d)) fail("invalid_field", field, field + " must be a whole number (got " + describe(v) + ")");
    if (d < static_cast<double>(lo) || d > static_cast<double>(hi))
        fail("invalid_field", field, field + " must be between " + group_digits(lo) + " and " + group_digits(hi) + " (got " + describe(v) + ")");
    return static_cast<i64>(d);
}

double fraction_field(const json& v, const std::string& field, bool allow_one = true) {
    if (!v.is_number()) fail("invalid_field", field, field + " must be a number between 0 and 1 (got " + describe(v) + ")");
    const double d = v.get<double>();
    if (!std::isfinite(d) || d <= 0 || d > 1 || (!allow_one && d >= 1))
        fail("invalid_field", field, field + " must be greater than 0 and at most 1 (got " + describe(v) + ")");
    return d;
}

bool bool_field(const json& v, const std::string& field) {
    if (!v.is_boolean()) fail("invalid_field", field, field + " must be true or false (got " + describe(v) + ")");
    return v.get<bool>();
}

std::string string_field(const json& v, const std::string& field) {
    if (!v.is_string()) fail("invalid_field", field, field + " must be a string (got " + describe(v) + ")");
    return v.get<std::string>();
}

void parse_engine(const json& j, Scenario& s) {
    if (!j.is_object()) fail("invalid_field", "engine", "engine must be an object of engine knobs");
    EngineKnobs& k = s.engine;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        const json& v = it.value();
        const std::string f = "engine." + key;
        if (key == "gpu_memory_utilization") k.gpu_memory_utilization = fraction_field(v, f);
        else if (key == "mem_fraction_static") k.mem_fraction_static = fraction_field(v, f, false);
        else if (key == "free_gpu_memory_fraction") k.free_gpu_memory_fraction = fraction_field(v, f);
        else if (key == "max_num_batched_tokens" || key == "chunked_prefill_size" || key == "max_num_tokens")
            k.max_num_batched_tokens = int_field(v, f, 1, 1 << 22);
        else if (key == "max_num_seqs" || key == "max_running_requests" || key == "max_batch_size") k.max_num_seqs = int_field(v, f, 1, 1 << 20);
        else if (key == "block_size" || key == "page_size" || key == "tokens_per_block") {
            k.block_size = int_field(v, f, 1, 1024);
            if ((k.block_size & (k.block_size - 1)) != 0) fail("invalid_field", f, f + " must be a power of two");
        } else if (key == "tensor_parallel_size" || key == "tp_size" || key == "tp") k.tensor_parallel_size = static_cast<int>(int_field(v, f, 1, kMaxGpus));
        else if (key == "pipeline_parallel_size" || key == "pp_size") k.pipeline_parallel_size = static_cast<int>(int_field(v, f, 1, kMaxGpus));
        else if (key == "data_parallel_size" || key == "dp_size") k.data_parallel_size = static_cast<int>(int_field(v, f, 1, kMaxGpus));
        else if (key == "enable_expert_parallel") k.enable_expert_parallel = bool_field(v, f);
        else if (key == "enforce_eager" || key == "disable_cuda_graph") k.enforce_eager = bool_field(v, f);
        else if (key == "n_gpu_layers" || key == "ngl" || key == "num_gpu") k.n_gpu_layers = static_cast<int>(int_field(v, f, -1, 100000));
        else if (key == "n_ubatch" || key == "ubatch_size") k.n_ubatch = int_field(v, f, 1, 1 << 16);
        else if (key == "n_batch" || key == "batch_size") k.n_batch = int_field(v, f, 1, 1 << 20);
        else if (key == "flash_attn" || key == "flash_attention") {
            if (v.is_string() && v.get<std::string>() == "auto") k.flash_attn.reset();
            else k.flash_attn = bool_field(v, f);
        } else if (key == "kv_unified") k.kv_unified = bool_field(v, f);
        else if (key == "swa_full") k.swa_full = bool_field(v, f);
        else if (key == "version") {
            k.version = string_field(v, f);
            if (k.version.empty() || !std::isdigit(static_cast<unsigned char>(k.version[0])))
                fail("invalid_field", f, f + " must be a version number such as \"0.11.0\"");
        } else if (key == "speculative_model" || key == "draft_model") {
            k.speculative_model = string_field(v, f);
            if (k.speculative_model.empty()) fail("invalid_field", f, f + " must be \"mtp\" or a catalog model id");
        } else if (key == "num_speculative_tokens" || key == "draft_max") k.num_speculative_tokens = int_field(v, f, 1, 64);
        else if (key == "enable_prefix_caching") k.enable_prefix_caching = bool_field(v, f);
        else if (key == "language_model_only") k.language_model_only = bool_field(v, f);
        else if (key == "mmproj") k.mmproj = bool_field(v, f);
        else if (key == "tokens_per_image") k.tokens_per_image = int_field(v, f, 1, 1 << 20);
        else if (key == "n_cpu_moe") k.n_cpu_moe = static_cast<int>(int_field(v, f, 0, 100000));
        else if (key == "tensor_split" || key == "ts") {
            if (!v.is_array() || v.empty() || v.size() > static_cast<size_t>(kMaxGpus))
                fail("invalid_field", f, f + " must be a list of proportions, one per device, e.g. [3, 1]");
            k.tensor_split.clear();
            double sum = 0;
            for (size_t i = 0; i < v.size(); ++i) {
                const std::string fi = f + "[" + std::to_string(i) + "]";
                if (!v[i].is_number()) fail("invalid_field", fi, fi + " must be a number (got " + describe(v[i]) + ")");
                const double x = v[i].get<double>();
                if (!std::isfinite(x) || x < 0 || x > 1e12) fail("invalid_field", fi, fi + " must be a proportion of 0 or more");
                k.tensor_split.push_back(x);
                sum += x;
            }
            if (sum <= 0) fail("invalid_field", f, f + " must give at least one device a share above 0");
        }
        else fail("unknown_field", f, f + " is not an engine knob this estimator knows");
    }
    if (k.n_ubatch > k.n_batch) fail("invalid_field", "engine.n_ubatch", "engine.n_ubatch cannot exceed engine.n_batch");
}

Device custom_device(const json& j) {
    if (!j.is_object()) fail("invalid_field", "device", "device must be an object like {\"name\": \"My card\", \"memory_mib\": 24564}");
    Device d;
    d.id = "custom";
    d.name = "Custom device";
    d.device_class = "custom";
    d.memory_status = "user";
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string f = "device." + it.key();
        if (it.key() == "name") d.name = string_field(it.value(), f);
        else if (it.key() == "memory_mib") d.memory_bytes = int_field(it.value(), f, 1, i64{16} << 20) * MiB;
        else if (it.key() == "memory_gib") d.memory_bytes = int_field(it.value(), f, 1, i64{16} << 10) * GiB;
        else if (it.key() == "bandwidth_gbps") {
            if (!it.value().is_number() || !(it.value().get<double>() >= 0) || it.value().get<double>() > 1e6)
                fail("invalid_field", f, f + " must be a non-negative number of GB/s");
            d.bandwidth_gbps = it.value().get<double>();
        } else if (it.key() == "unified_memory") d.unified = bool_field(it.value(), f);
        else if (it.key() == "tflops_bf16") {
            if (!it.value().is_number() || !(it.value().get<double>() >= 0)) fail("invalid_field", f, f + " must be a non-negative number");
            d.tflops_bf16 = it.value().get<double>();
        } else fail("unknown_field", f, f + " is not a device field (name, memory_mib, memory_gib, bandwidth_gbps, unified_memory, tflops_bf16)");
    }
    if (d.memory_bytes <= 0) fail("missing_field", "device.memory_mib", "device.memory_mib is required");
    d.engine_total_bytes = d.memory_bytes;  // a user-given figure is taken as what the engine sees
    d.engine_total_source = "user";
    return d;
}

const std::set<std::string> kRequestFields = {"model", "config", "weights", "runtime", "gpu", "gpus", "device", "images",
                                               "gpu_count", "context", "concurrency", "kv_cache_dtype", "engine", "units"};


}  // namespace

json error_json(const std::string& code, const std::string& field, const std::string& message) {
    return {{"error", {{"code", code}, {"field", field}, {"message", message}}}};
}

// "units": how byte amounts are written inside formulas and notes ("binary": GiB/MiB, the default;
// "decimal": GB/MB). Values in bytes are the same either way.
bool wants_decimal(const json& req) {
    if (!req.is_object() || !req.contains("units")) return false;
    const json& v = req.at("units");
    if (v.is_string()) {
        const std::string u = v.get<std::string>();
        if (u == "binary" || u == "gib") return false;
        if (u == "decimal" || u == "gb") return true;
    }
    fail("invalid_field", "units", "units must be \"binary\" (GiB, MiB) or \"decimal\" (GB, MB)");
}

Scenario parse(const json& req, const Catalog& catalog) {
    if (!req.is_object()) fail("invalid_request", "", "the request must be a JSON object");
    for (auto it = req.begin(); it != req.end(); ++it)
        if (!kRequestFields.count(it.key())) fail("unknown_field", it.key(), "\"" + it.key() + "\" is not a request field");
    wants_decimal(req);  // validates "units" for every method, including those that write no formulas

    Scenario s;
    const CatalogModel* model = nullptr;
    // ---- model ----
    if (req.contains("model") && req.contains("config")) fail("invalid_field", "config", "give either model (a catalog id) or config, not both");
    if (req.contains("model")) {
        const std::string id = string_field(req.at("model"), "model");
        model = catalog.find_model(id);
        if (!model) {
            std::string hint;
            auto near = catalog.search_models(id, 3);
            for (const auto* m : near) hint += (hint.empty() ? "" : ", ") + m->id;
            fail("unknown_model", "model", "no model \"" + id + "\" in the catalog" + (hint.empty() ? "" : " (did you mean " + hint + "?)") +
                                               "; pass its config.json as \"config\" instead");
        }
        s.model_id = model->id;
        s.model_name = model->name;
        s.config = model->config();
        s.geometry = parse_geometry(s.config, "catalog." + model->id + ".config");
    } else if (req.contains("config")) {
        s.model_id = "custom";
        s.config = req.at("config");
        s.geometry = parse_geometry(s.config, "config");
        s.model_name = s.geometry.architecture.empty() ? "Custom model" : s.geometry.architecture;
    } else {
        fail("missing_field", "model", "model (a catalog id) or config (a config.json object) is required");
    }
    s.inventory = build_inventory(s.geometry);

    // ---- runtime ----
    if (req.contains("runtime")) {
        const std::string r = string_field(req.at("runtime"), "runtime");
        auto rt = runtime_from_id(r);
        if (!rt) fail("invalid_field", "runtime", "runtime \"" + r + "\" is not one of vllm, sglang, trtllm, llama.cpp, ollama, transformers, mlx");
        s.runtime = *rt;
    } else {
        s.assumptions.push_back("runtime: vLLM (the default)");
    }
    const bool gguf_engine = s.runtime == Runtime::LlamaCpp || s.runtime == Runtime::Ollama;

    // ---- weights ----
    if (req.contains("weights")) {
        s.weights = parse_weight_format(string_field(req.at("weights"), "weights"));
    } else if (gguf_engine) {
        s.weights = parse_weight_format("gguf:Q4_K_M");
        s.assumptions.push_back("weights: GGUF Q4_K_M (the usual download for llama.cpp and Ollama's default tag)");
    } else if (s.runtime == Runtime::Mlx) {
        s.weights = parse_weight_format("mlx-4bit");
        s.assumptions.push_back("weights: MLX 4-bit (mlx-community's usual conversion)");
    } else {
        s.weights = native_weight_format(s.geometry, s.config);
        if (model && model->entry.contains("checkpoints") && model->entry.at("checkpoints").is_array())
            for (const auto& c : model->entry.at("checkpoints"))
                if (c.value("official", false) && c.contains("format") && c.at("format").is_string()) {
                    s.weights = parse_weight_format(c.at("format").get<std::string>(), "catalog." + model->id + ".checkpoints");
                    break;
                }
        s.assumptions.push_back("weights: the official checkpoint (" + s.weights.label() + ")");
    }
    if (gguf_engine && !s.weights.is_gguf()) {
        if (s.weights.scheme == Scheme::BF16) s.weights = parse_weight_format("gguf:BF16");
        else if (s.weights.scheme == Scheme::FP16) s.weights = parse_weight_format("gguf:F16");
        else if (s.weights.scheme == Scheme::FP32) s.weights = parse_weight_format("gguf:F32");
        else fail("invalid_field", "weights", "llama.cpp and Ollama load GGUF files: use weights \"gguf:<type>\" such as gguf:Q4_K_M or gguf:Q8_0");
    }
    if (!gguf_engine && s.weights.is_gguf() && s.runtime != Runtime::Vllm && s.runtime != Runtime::Transformers)
        fail("invalid_field", "weights", std::string("GGUF weights are for llama.cpp and Ollama; ") + runtime_id(s.runtime) + " needs a safetensors format");
    if (s.runtime == Runtime::Mlx && s.weights.scheme != Scheme::MLX_4BIT && s.weights.scheme != Scheme::MLX_8BIT && s.weights.scheme != Scheme::BF16 &&
        s.weights.scheme != Scheme::FP16)
        fail("invalid_field", "weights", "MLX loads MLX conversions: use mlx-4bit, mlx-8bit, bf16 or fp16");
    if (s.weights.is_gguf() && !gguf_engine) s.warnings.push_back("GGUF support outside llama.cpp is experimental");
    if (model && model->entry.contains("checkpoints") && model->entry.at("checkpoints").is_array()) {
        bool known = false;
        for (const auto& c : model->entry.at("checkpoints"))
            if (c.contains("format") && c.at("format").is_string() && normalize_key(c.at("format").get<std::string>()) == normalize_key(s.weights.id)) {
                known = true;
                s.weights_repo = c.value("repo", "");
            }
        if (!known && !s.weights.is_gguf())
            s.warnings.push_back("no published " + s.weights.label() + " checkpoint of this model is in the catalog; the size assumes the usual layout of that format");
    }

    // ---- devices ----
    const int given = static_cast<int>(req.contains("gpu")) + static_cast<int>(req.contains("gpus")) + static_cast<int>(req.contains("device"));
    if (given > 1) fail("invalid_field", "gpus", "give one of gpu, gpus or device");
    i64 gpu_count = req.contains("gpu_count") ? int_field(req.at("gpu_count"), "gpu_count", 1, kMaxGpus) : 1;
    if (req.contains("gpu_count") && req.contains("gpus"))
        fail("invalid_field", "gpu_count", "gpu_count goes with gpu or device; with gpus give each entry its count");
    auto catalog_device = [&](const std::string& id, const std::string& field) {
        const CatalogGpu* g = catalog.find_gpu(id);
        if (!g) {
            std::string hint;
            for (const auto* c : catalog.search_gpus(id, 3)) hint += (hint.empty() ? "" : ", ") + c->id;
            fail("unknown_gpu", field, "no GPU \"" + id + "\" in the catalog" + (hint.empty() ? "" : " (did you mean " + hint + "?)") +
                                           "; describe it with \"device\": {\"memory_mib\": ...}");
        }
        return device_from_catalog(g->entry);
    };
    if (req.contains("gpus")) {
        const json& list = req.at("gpus");
        if (!list.is_array() || list.empty()) fail("invalid_field", "gpus", "gpus must be a non-empty array of {\"gpu\": id, \"count\": n}");
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string f = "gpus[" + std::to_string(i) + "]";
            const json& item = list.at(i);
            if (!item.is_object() || !item.contains("gpu")) fail("invalid_field", f, f + " must be {\"gpu\": id, \"count\": n}");
            for (auto it = item.begin(); it != item.end(); ++it)
                if (it.key() != "gpu" && it.key() != "count") fail("unknown_field", f + "." + it.key(), f + "." + it.key() + " is not a field (gpu, count)");
            const Device d = catalog_device(string_field(item.at("gpu"), f + ".gpu"), f + ".gpu");
            const i64 count = item.contains("count") ? int_field(item.at("count"), f + ".count", 1, kMaxGpus) : 1;
            for (i64 c = 0; c < count; ++c) s.devices.push_back(d);
        }
        if (static_cast<int>(s.devices.size()) > kMaxGpus) fail("invalid_field", "gpus", "at most 1,024 GPUs");
    } else {
        Device d;
        if (req.contains("device")) d = custom_device(req.at("device"));
        else if (req.contains("gpu")) d = catalog_device(string_field(req.at("gpu"), "gpu"), "gpu");
        else {
            d = catalog_device("rtx-4090", "gpu");
            s.assumptions.push_back("GPU: one RTX 4090 (no gpu given)");
        }
        for (i64 c = 0; c < gpu_count; ++c) s.devices.push_back(d);
    }
    for (const auto& d : s.devices) {
        if (d.engine_total_source == "derived") {
            s.assumptions.push_back(d.name + ": no CUDA total recorded; using nvidia-smi's total minus the typical 470 MiB driver reserve");
            break;
        }
    }
    for (const auto& d : s.devices)
        if (d.memory_status == "expected") {
            s.warnings.push_back(d.name + ": memory is the vendor's capacity; no driver report of the exact MiB was found");
            break;
        }

    // ---- workload ----
    if (req.contains("context")) {
        s.context = int_field(req.at("context"), "context", 1, kMaxContext);
    } else if (s.runtime == Runtime::Ollama) {
        // Ollama picks num_ctx from the total VRAM when none is set (server/sched.go, 2026): 262,144 tokens from
        // 47 GiB, 32,768 from 23 GiB, else 4,096 — never more than the model was trained for.
        i64 vram = 0;
        for (const auto& d : s.devices) vram += d.engine_total_bytes;
        s.context = vram >= 47 * GiB ? 262144 : vram >= 23 * GiB ? 32768 : 4096;
        if (s.geometry.max_position_embeddings > 0) s.context = std::min(s.context, s.geometry.max_position_embeddings);
        s.assumptions.push_back("context: " + group_digits(s.context) + " tokens, Ollama's default for " + format_size(vram) + " of VRAM");
    }
    if (req.contains("concurrency")) s.concurrency = int_field(req.at("concurrency"), "concurrency", 1, kMaxConcurrency);

    // ---- KV dtype ----
    std::string kv = req.contains("kv_cache_dtype") ? string_field(req.at("kv_cache_dtype"), "kv_cache_dtype") : "auto";
    s.kv_auto = normalize_key(kv) == "auto";
    if (s.kv_auto) kv = gguf_engine ? "f16" : (s.geometry.dtype == "float16" ? "fp16" : "bf16");
    s.kv = parse_kv_dtype(kv);
    if (s.kv.dtype == KvDtype::BF16 && s.runtime != Runtime::Mlx && !gguf_engine) {
        for (const auto& d : s.devices)
            if (!d.supports("bf16")) {
                s.warnings.push_back(d.name + " has no native BF16; engines run this model in FP16 there");
                break;
            }
    }

    if (req.contains("engine")) parse_engine(req.at("engine"), s);
    if (s.engine.tensor_split.size() > s.devices.size())
        fail("invalid_field", "engine.tensor_split", "engine.tensor_split has " + std::to_string(s.engine.tensor_split.size()) +
             " entries for " + std::to_string(s.devices.size()) + " device(s)");

    // ---- multimodal encoder ----
    // Its size: the catalog's sourced figure (published_params.parts vision + audio) when there is one,
    // else an estimate from vision_config.
    i64 encoder = 0;
    std::string encoder_source;
    if (model && model->entry.contains("published_params") && model->entry.at("published_params").contains("parts")) {
        const json& parts = model->entry.at("published_params").at("parts");
        for (const char* k : {"vision", "audio"})
            if (parts.contains(k) && parts.at(k).is_number_integer()) encoder += parts.at(k).get<i64>();
        if (encoder > 0) encoder_source = "catalog";
    }
    if (encoder == 0 && s.geometry.vision.present) {
        encoder = s.geometry.vision.params;
        encoder_source = s.geometry.vision.note;
    }
    if (encoder > 0) {
        const bool load = gguf_engine ? s.engine.mmproj : !s.engine.language_model_only;
        if (load) {
            s.encoder_params = encoder;
            s.inventory.tensors.push_back({"vision_tower", Role::Vision, TensorKind::Vector, -1, encoder, 1, 1});
            s.assumptions.push_back("the vision/audio encoder (" + group_digits(encoder) + " parameters, " +
                                    (encoder_source == "catalog" ? std::string("published figure") : encoder_source) + ") is loaded in 16-bit" +
                                    (gguf_engine ? " from the mmproj file" : "; text-only serving can skip it (language_model_only)"));
        } else {
            s.assumptions.push_back(gguf_engine ? "text only: no mmproj file is loaded (engine.mmproj adds the vision encoder)"
                                                : "text only: the vision/audio encoder is not loaded");
        }
    }
    // ---- images ----
    // LLM tokens per image: the config's fixed count (Gemma 3 mm_tokens_per_image), else the vision tower's
    // patch grid at its native size after spatial merging, else engine.tokens_per_image.
    if (s.encoder_params > 0 || req.contains("images")) {
        i64 per_image = s.engine.tokens_per_image;
        std::string how = "engine.tokens_per_image";
        if (per_image == 0 && s.geometry.encoder_tokens_per_image > 0) {
            per_image = 1;  // Llama 3.2 Vision: one <|image|> token; the encoder states go to the cross-attention layers
            how = "one <|image|> token in the text; " + group_digits(s.geometry.encoder_tokens_per_image) +
                  " encoder states for the cross-attention layers (max_num_tiles × (patches per tile + 1))";
        }
        if (per_image == 0 && s.config.contains("mm_tokens_per_image") && s.config.at("mm_tokens_per_image").is_number_integer()) {
            per_image = s.config.at("mm_tokens_per_image").get<i64>();
            how = "mm_tokens_per_image";
        }
        if (per_image == 0 && s.config.contains("vision_config") && s.config.at("vision_config").is_object()) {
            const json& vc = s.config.at("vision_config");
            const i64 image = vc.value("image_size", i64{0}), patch = vc.value("patch_size", i64{0});
            const i64 merge = vc.value("spatial_merge_size", i64{1});
            if (image > 0 && patch > 0 && merge > 0) {
                per_image = (image / patch) * (image / patch) / (merge * merge);
                how = "vision_config image_size / patch_size, merged " + std::to_string(merge) + "×" + std::to_string(merge);
            }
        }
        if (per_image == 0) {
            per_image = 576;
            how = "a 24×24 patch grid (no size in the config; set engine.tokens_per_image)";
        }
        s.tokens_per_image = per_image;
        s.patches_per_image = per_image;
        if (s.config.contains("vision_config") && s.config.at("vision_config").is_object()) {
            const json& vc = s.config.at("vision_config");
            const i64 image = vc.value("image_size", i64{0}), patch = vc.value("patch_size", i64{0});
            if (image > 0 && patch > 0) s.patches_per_image = (image / patch) * (image / patch);
        }
        if (req.contains("images")) {
            s.images = int_field(req.at("images"), "images", 0, 4096);
            if (s.images > 0 && s.encoder_params == 0)
                fail("invalid_field", "images", "this setup loads no vision encoder (a text-only model, language_model_only, or llama.cpp without mmproj)");
            if (s.images * per_image >= s.context)
                fail("invalid_field", "images", std::to_string(s.images) + " images take " + group_digits(s.images * per_image) +
                                                    " tokens, more than the context of " + group_digits(s.context));
            if (s.images > 0)
                s.assumptions.push_back(std::to_string(s.images) + " image(s) per request, " + group_digits(per_image) + (per_image == 1 ? " token each (" : " tokens each (") + how +
                                        "), inside the context");
        }
    }

    // ---- speculative decoding ----
    if (!s.engine.speculative_model.empty()) {
        Speculation& sp = s.spec;
        sp.num_tokens = s.engine.num_speculative_tokens > 0 ? s.engine.num_speculative_tokens : 1;
        if (normalize_key(s.engine.speculative_model) == "mtp") {
            if (s.geometry.n_mtp_layers <= 0)
                fail("invalid_field", "engine.speculative_model", "this model ships no multi-token-prediction layers; name a draft model instead");
            sp.method = "mtp";
            i64 mtp = 0;
            if (model && model->entry.contains("published_params") && model->entry.at("published_params").contains("parts") &&
                model->entry.at("published_params").at("parts").contains("mtp"))
                mtp = model->entry.at("published_params").at("parts").at("mtp").get<i64>();
            if (mtp == 0)
                for (const Tensor& t : build_inventory(s.geometry, true).tensors)
                    if (t.role == Role::Mtp) mtp = t.elements();
            sp.mtp_params = mtp;
            // Each MTP module is one more decoder layer with its own cache, shaped like the model's last
            // full-attention (or MLA) layer.
            const auto layers = cache_layers(s.geometry);
            for (auto it = layers.rbegin(); it != layers.rend(); ++it)
                if (it->mixer == Mixer::FullAttention || it->mixer == Mixer::Mla) {
                    for (int m = 0; m < s.geometry.n_mtp_layers; ++m) {
                        CacheLayer c = *it;
                        c.layer = static_cast<int>(s.geometry.n_layers) + m;
                        c.owns_kv = true;
                        sp.cache.push_back(c);
                    }
                    break;
                }
            s.assumptions.push_back("speculative decoding with the model's " + std::to_string(s.geometry.n_mtp_layers) + " MTP layer(s) (" +
                                    group_digits(mtp) + " parameters), " + std::to_string(sp.num_tokens) + " speculative tokens");
        } else {
            const CatalogModel* d = catalog.find_model(s.engine.speculative_model);
            if (!d) fail("unknown_model", "engine.speculative_model", "no draft model \"" + s.engine.speculative_model + "\" in the catalog");
            sp.method = "draft";
            sp.draft_id = d->id;
            sp.draft_name = d->name;
            sp.draft_geometry = parse_geometry(d->config(), "catalog." + d->id + ".config");
            if (sp.draft_geometry.vocab != s.geometry.vocab)
                s.warnings.push_back("the draft model's vocabulary (" + group_digits(sp.draft_geometry.vocab) + ") differs from the target's (" +
                                     group_digits(s.geometry.vocab) + "); engines require the same tokenizer");
            sp.draft_inventory = build_inventory(sp.draft_geometry);
            for (CacheLayer c : cache_layers(sp.draft_geometry)) {
                c.layer += static_cast<int>(s.geometry.n_layers);
                sp.cache.push_back(c);
            }
            s.assumptions.push_back("speculative decoding with " + d->name + " as the draft (same weight format), " + std::to_string(sp.num_tokens) +
                                    " speculative tokens");
        }
    }
    return s;
}

json to_json(const Estimate& e) {
    json devices = json::array();
    for (const auto& d : e.devices) {
        devices.push_back({{"id", d.id},
                           {"name", d.name},
                           {"capacity_bytes", d.capacity_bytes},
                           {"budget_bytes", d.budget_bytes},
                           {"components", d.components},
                           {"total_bytes", d.total_bytes},
                           {"required_bytes", d.required_bytes},
                           {"headroom_bytes", d.headroom_bytes}});
    }
    json breakdown = json::array();
    for (const auto& b : e.breakdown) {
        json item = {{"component", b.component}, {"label", b.label}, {"device", b.device}, {"bytes", b.bytes},
                     {"formula", b.formula},     {"substituted", b.substituted}};
        if (!b.note.empty()) item["note"] = b.note;
        breakdown.push_back(item);
    }
    json out = {{"fits", e.fits},
                {"verdict", e.verdict},
                {"devices", devices},
                {"host", {{"components", e.host_components}, {"total_bytes", e.host_total_bytes}}},
                {"kv_cache",
                 {{"bytes_per_token", e.kv.bytes_per_token},
                  {"required_bytes", e.kv.required_bytes},
                  {"capacity_tokens", e.kv.capacity_tokens},
                  {"max_concurrency", std::floor(e.kv.max_concurrency * 100.0) / 100.0}}},
                {"limits", {{"max_context", e.limits.max_context}, {"max_concurrency", e.limits.max_concurrency}}},
                {"breakdown", breakdown},
                {"warnings", e.warnings},
                {"assumptions", e.assumptions}};
    if (e.speed) {
        // A figure the device data cannot support (no bandwidth or no throughput in the catalog) is null, not 0.
        auto figure = [](double v) -> json { return std::isfinite(v) && v > 0 ? json(std::round(v * 1000.0) / 1000.0) : json(nullptr); };
        out["speed"] = {{"decode_tokens_per_s", figure(e.speed->decode_tokens_per_s)},
                        {"prefill_tokens_per_s", figure(e.speed->prefill_tokens_per_s)},
                        {"ttft_s", figure(e.speed->ttft_s)}};
    } else {
        out["speed"] = nullptr;
    }
    return out;
}

json estimate(const json& request) {
    const DecimalUnits units(wants_decimal(request));
    return to_json(fitmygpu::estimate(parse(request)));
}

json compare(const json& request) {
    json base = request;
    base.erase("gpu");
    base.erase("gpus");
    base.erase("device");
    const i64 count = request.contains("gpu_count") ? int_field(request.at("gpu_count"), "gpu_count", 1, kMaxGpus) : 1;
    base.erase("gpu_count");
    json rows = json::array();
    Scenario proto = parse(base);  // validates everything but the GPU once
    const Catalog& catalog = Catalog::builtin();
    for (const auto& g : catalog.gpus()) {
        Scenario s = proto;
        s.devices.assign(static_cast<size_t>(count), device_from_catalog(g.entry));
        json row = {{"gpu", g.id}, {"name", g.name}, {"memory_bytes", s.devices.front().memory_bytes}, {"class", g.entry.value("class", "")},
                    {"vendor", g.entry.value("vendor", "")}, {"bandwidth_gbps", s.devices.front().bandwidth_gbps}};
        try {
            NumbersOnly quiet;
            const Estimate e = estimate_engine(s);
            i64 headroom = 0;
            bool first = true;
            for (const auto& d : e.devices) {
                headroom = first ? d.headroom_bytes : std::min(headroom, d.headroom_bytes);
                first = false;
            }
            row["verdict"] = e.verdict;
            row["fits"] = e.fits;
            row["headroom_bytes"] = headroom;
            row["max_concurrency"] = std::floor(e.kv.max_concurrency * 100.0) / 100.0;
            // Fewest cards of this GPU that fit the setup (tensor-parallel sizes must divide the heads).
            json fewest = nullptr;
            // Tensor-parallel engines need a size that divides the heads (powers of two in practice); llama.cpp
            // splits layers over any number of cards.
            const bool layer_split = s.runtime == Runtime::LlamaCpp || s.runtime == Runtime::Ollama || s.runtime == Runtime::Transformers;
            const std::vector<int> counts = layer_split ? std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 12, 16} : std::vector<int>{1, 2, 4, 8, 16};
            for (int n : counts) {
                Scenario t = s;
                t.devices.assign(static_cast<size_t>(n), s.devices.front());
                t.engine.tensor_parallel_size.reset();
                t.engine.tensor_split.clear();
                try {
                    if (estimate_engine(t).fits) {
                        fewest = n;
                        break;
                    }
                } catch (const std::exception&) {
                }
            }
            row["fewest_gpus"] = fewest;
        } catch (const FieldError& err) {
            row["verdict"] = "does_not_fit";
            row["fits"] = false;
            row["error"] = err.what();
        }
        rows.push_back(row);
    }
    return {{"gpus", rows}};
}

json quantizations(const json& request) {
    json base = request;
    base.erase("weights");
    const Scenario proto = parse(base);
    std::vector<std::string> ids;
    switch (proto.runtime) {
        case Runtime::LlamaCpp:
        case Runtime::Ollama:
            for (const char* t : {"BF16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q4_K_M", "Q4_K_S", "IQ4_XS", "Q3_K_L", "Q3_K_M", "Q3_K_S",
                                  "IQ3_XXS", "Q2_K", "IQ2_M", "IQ2_XXS", "IQ1_M"})
                ids.push_back(std::string("gguf:") + t);
            if (proto.geometry.is_moe()) ids.push_back("gguf:MXFP4_MOE");
            break;
        case Runtime::Mlx:
            ids = {"bf16", "mlx-8bit", "mlx-4bit"};
            break;
        default:
            ids = {"bf16", "fp8", "int8", "awq-int4", "gptq-int4"};
            if (proto.devices.front().compute_capability_major >= 10) ids.push_back("nvfp4");
            break;
    }
    // Formats the catalog lists a published checkpoint for (always offered, e.g. gpt-oss's MXFP4).
    std::set<std::string> published;
    if (const CatalogModel* m = proto.model_id == "custom" ? nullptr : Catalog::builtin().find_model(proto.model_id))
        if (m->entry.contains("checkpoints") && m->entry.at("checkpoints").is_array())
            for (const auto& c : m->entry.at("checkpoints"))
                if (c.contains("format") && c.at("format").is_string()) {
                    try {
                        const WeightFormat f = parse_weight_format(c.at("format").get<std::string>());
                        published.insert(f.id);
                        const bool gguf_runtime = proto.runtime == Runtime::LlamaCpp || proto.runtime == Runtime::Ollama;
                        const bool mlx_runtime = proto.runtime == Runtime::Mlx;
                        const bool usable = gguf_runtime ? f.is_gguf()
                                            : mlx_runtime ? (f.scheme == Scheme::MLX_4BIT || f.scheme == Scheme::MLX_8BIT || f.scheme == Scheme::BF16)
                                                          : (!f.is_gguf() && f.scheme != Scheme::MLX_4BIT && f.scheme != Scheme::MLX_8BIT);
                        if (usable && std::find(ids.begin(), ids.end(), f.id) == ids.end()) ids.push_back(f.id);
                    } catch (const FieldError&) {
                    }
                }
    json options = json::array();
    json best = nullptr, best_any = nullptr;
    double best_bits = -1, best_any_bits = -1;
    const i64 params = proto.inventory.total_params();
    for (const auto& id : ids) {
        Scenario s = proto;
        s.weights = parse_weight_format(id);
        json row = {{"weights", s.weights.id}, {"label", s.weights.label()}, {"published", published.count(s.weights.id) > 0}};
        try {
            NumbersOnly quiet;
            const CheckpointBytes cb = checkpoint_bytes(s);
            const Estimate e = estimate_engine(s);
            const double bits = params > 0 ? static_cast<double>(cb.total) * 8.0 / static_cast<double>(params) : 0.0;
            i64 headroom = 0;
            for (size_t i = 0; i < e.devices.size(); ++i) headroom = i == 0 ? e.devices[i].headroom_bytes : std::min(headroom, e.devices[i].headroom_bytes);
            row["bits_per_weight"] = std::round(bits * 100.0) / 100.0;
            row["weights_bytes"] = cb.total;
            row["fits"] = e.fits;
            row["verdict"] = e.verdict;
            row["headroom_bytes"] = headroom;
            if (e.fits && bits > best_any_bits) {
                best_any_bits = bits;
                best_any = s.weights.id;
            }
            if (e.fits && published.count(s.weights.id) && bits > best_bits) {
                best_bits = bits;
                best = s.weights.id;
            }
        } catch (const FieldError& err) {
            row["fits"] = false;
            row["verdict"] = "does_not_fit";
            row["error"] = err.what();
        }
        options.push_back(row);
    }
    std::stable_sort(options.begin(), options.end(),
                     [](const json& a, const json& b) { return a.value("bits_per_weight", 0.0) > b.value("bits_per_weight", 0.0); });
    // "best": the published checkpoint with the most bits that fits (for a custom model, any format);
    // "best_any": the same over every format, published or not.
    if (published.empty()) best = best_any;
    return {{"options", options}, {"best", best}, {"best_any", best_any}};
}

json parse_log(const json& request) {
    if (!request.is_object() || !request.contains("log")) fail("missing_field", "log", "log (the engine's startup output) is required");
    return to_json(parse_engine_log(string_field(request.at("log"), "log")));
}

namespace {
// "CUDA0" -> 0, "ROCm1" -> 1, "Metal" -> 0; host buffer types -> -1.
int log_device_index(const std::string& device) {
    const std::string d = normalize_key(device);
    if (d.rfind("cpu", 0) == 0 || d.find("host") != std::string::npos) return -1;
    size_t i = d.size();
    while (i > 0 && std::isdigit(static_cast<unsigned char>(d[i - 1]))) --i;
    return i < d.size() ? std::stoi(d.substr(i)) : 0;
}
}  // namespace

json check_log(const json& request) {
    if (!request.is_object() || !request.contains("request")) fail("missing_field", "request", "request (the setup the log came from) is required");
    if (!request.contains("log")) fail("missing_field", "log", "log (the engine's startup output) is required");
    const ParsedLog log = parse_engine_log(string_field(request.at("log"), "log"));
    const DecimalUnits units(wants_decimal(request.at("request")));
    const Estimate e = fitmygpu::estimate(parse(request.at("request")));
    json rows = json::array();
    auto row = [&](const std::string& what, int device, i64 logged, i64 estimated, const char* unit = "bytes") {
        json r = {{"what", what}, {"device", device}, {"unit", unit}, {"logged", logged}, {"estimated", estimated}};
        if (logged > 0) r["error_pct"] = std::round(10000.0 * static_cast<double>(estimated - logged) / static_cast<double>(logged)) / 100.0;
        rows.push_back(r);
    };
    auto item = [&](const std::string& label, int device) {
        i64 total = 0;
        for (const auto& b : e.breakdown)
            if (b.label == label && b.device == device) total += b.bytes;
        return total;
    };
    if (log.engine == "llama.cpp") {
        // Sum the logged buffers per (kind, device) and set them beside the estimate's buffer of the same name.
        std::map<std::pair<std::string, int>, i64> logged;
        for (const auto& b : log.buffers) logged[{b.kind, log_device_index(b.device)}] += b.bytes;
        for (const auto& [key, bytes] : logged) {
            const auto& [kind, dev] = key;
            std::string label;
            if (kind == "model") label = dev < 0 ? "model buffer (host)" : "model buffer";
            else if (kind == "kv") label = dev < 0 ? "KV cache (host)" : "KV cache";
            else if (kind == "compute") label = dev < 0 ? "host compute buffer" : "compute buffer";
            else if (kind == "output") label = "output buffer (host)";
            else if (kind == "rs") label = dev < 0 ? "recurrent state (host)" : "recurrent state (RS buffer)";
            const int where = kind == "output" ? -1 : dev;
            const std::string name = kind == "kv" ? "KV" : kind == "rs" ? "RS" : kind;
            row(name + " buffer", where, bytes, item(label, where));
        }
        if (log.kv_cells > 0) row("KV cells", -1, log.kv_cells, e.kv.capacity_tokens, "tokens");
    } else if (log.engine == "vllm") {
        if (log.weights_bytes >= 0 && !e.devices.empty()) row("weights", 0, log.weights_bytes, e.devices[0].components.at(kWeights));
        if (log.kv_available_bytes >= 0 && !e.devices.empty()) row("KV cache pool", 0, log.kv_available_bytes, e.devices[0].components.at(kKvCache));
        if (log.kv_tokens >= 0) row("KV cache tokens", -1, log.kv_tokens, e.kv.capacity_tokens, "tokens");
    } else {
        fail("invalid_field", "log", "no llama.cpp or vLLM startup line was recognised in the log");
    }
    return {{"engine", log.engine}, {"rows", rows}};
}

json list_models() {
    // The catalog is fixed for the life of the binary: build the summaries (a geometry and inventory per
    // model) once.
    static const json cached = [] {
    json out = json::array();
    for (const auto& m : Catalog::builtin().models()) {
        json row = {{"id", m.id}, {"name", m.name}};
        for (const char* k : {"family", "company", "architecture_class", "modality", "context_window", "license", "release_date", "aliases"})
            if (m.entry.contains(k)) row[k] = m.entry.at(k);
        if (m.entry.contains("checkpoints")) {
            json formats = json::array();
            for (const auto& c : m.entry.at("checkpoints"))
                if (c.contains("format")) formats.push_back(c.at("format"));
            row["formats"] = formats;
        }
        try {
            const ModelGeometry g = parse_geometry(m.config(), "catalog." + m.id + ".config");
            const Inventory inv = build_inventory(g);
            row["params_total"] = inv.total_params();
            if (g.is_moe()) row["params_active"] = inv.active_params(g);
        } catch (const FieldError&) {
        }
        out.push_back(row);
    }
    return json{{"models", out}};
    }();
    return cached;
}

json list_gpus() {
    json out = json::array();
    for (const auto& g : Catalog::builtin().gpus()) {
        json row = {{"id", g.id}, {"name", g.name}};
        for (const char* k : {"vendor", "class", "memory_mib", "memory_mib_status", "cuda_total_mib", "unified_memory", "gpu_share_default",
                              "bandwidth_gbps", "architecture", "aliases", "memory_marketed"})
            if (g.entry.contains(k)) row[k] = g.entry.at(k);
        out.push_back(row);
    }
    return {{"gpus", out}};
}

json search(const json& request) {
    if (!request.is_object() || !request.contains("query")) fail("missing_field", "query", "query is required");
    const std::string q = string_field(request.at("query"), "query");
    const std::string kind = request.contains("kind") ? string_field(request.at("kind"), "kind") : "models";
    json ids = json::array();
    if (kind == "models") {
        for (const auto* m : Catalog::builtin().search_models(q)) ids.push_back(m->id);
    } else if (kind == "gpus") {
        for (const auto* g : Catalog::builtin().search_gpus(q)) ids.push_back(g->id);
    } else {
        fail("invalid_field", "kind", "kind must be \"models\" or \"gpus\"");
    }
    return {{"results", ids}};
}

json model_info(const json& request) {
    if (!request.is_object() || !request.contains("model")) fail("missing_field", "model", "model is required");
    const std::string id = string_field(request.at("model"), "model");
    const CatalogModel* m = Catalog::builtin().find_model(id);
    if (!m) fail("unknown_model", "model", "no model \"" + id + "\" in the catalog");
    json out = m->entry;
    const ModelGeometry g = parse_geometry(m->config(), "catalog." + m->id + ".config");
    const Inventory inv = build_inventory(g);
    json layers = json::object();
    for (Mixer mx : {Mixer::FullAttention, Mixer::SlidingAttention, Mixer::ChunkedAttention, Mixer::Mla, Mixer::LinearAttention, Mixer::Mamba})
        if (g.count(mx) > 0) layers[mixer_name(mx)] = g.count(mx);
    int kv_layers = 0;
    for (const auto& c : cache_layers(g)) kv_layers += is_attention(c.mixer) && c.owns_kv ? 1 : 0;
    out["derived"] = {{"params_total", inv.total_params()},
                      {"kv_bearing_layers", kv_layers},
                      {"kv_bytes_per_token_bf16", growing_kv_bytes_per_token(cache_layers(g), parse_kv_dtype("bf16"))},
                      {"params_active", inv.active_params(g)},
                      {"layers", g.n_layers},
                      {"hidden_size", g.hidden},
                      {"attention_heads", g.n_heads},
                      {"kv_heads", g.n_kv_heads},
                      {"head_dim", g.head_dim},
                      {"layer_kinds", layers},
                      {"experts", g.moe.n_experts},
                      {"experts_per_token", g.moe.n_experts_per_tok}};
    return out;
}

namespace {
// Text from requests can carry invalid UTF-8; replace it rather than fail while answering.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }
}  // namespace

std::string call(const std::string& method, const std::string& text) {
    json response;
    try {
        json request;
        try {
            request = text.empty() ? json::object() : json::parse(text);
        } catch (const json::parse_error& e) {
            return dump(error_json("invalid_json", "", std::string("the request is not valid JSON: ") + e.what()));
        }
        if (method == "estimate") response = estimate(request);
        else if (method == "compare") response = compare(request);
        else if (method == "quantizations") response = quantizations(request);
        else if (method == "parse_log") response = parse_log(request);
        else if (method == "check_log") response = check_log(request);
        else if (method == "defaults") {
            json base = request;
            base.erase("engine");
            const Scenario s = parse(base);
            response = {{"runtime", runtime_id(s.runtime)}, {"engine", engine_defaults(s)}};
        }
        else if (method == "models") response = list_models();
        else if (method == "gpus") response = list_gpus();
        else if (method == "search") response = search(request);
        else if (method == "model") response = model_info(request);
        else return dump(error_json("unknown_method", "method", "unknown method \"" + method + "\""));
    } catch (const FieldError& e) {
        return dump(error_json(e.code(), e.field(), e.what()));
    } catch (const std::exception& e) {
        return dump(error_json("internal_error", "", e.what()));
    }
    return dump(response);
}

}  // namespace fitmygpu::api
