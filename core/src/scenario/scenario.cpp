// Request → Scenario: catalog look-ups and the registry's defaults. The request layer already checked every
// field's type and range; what can only be judged against the catalog or the runtime is checked here.
#include <algorithm>
#include <cmath>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/request.hpp"
#include "text.hpp"

namespace fitmygpu {

namespace {

// With no device named, the estimate is for one of these.
constexpr const char* kDefaultGpu = "rtx-4090";

std::string did_you_mean(const std::vector<std::string>& ids) {
    std::string hint;
    for (const auto& id : ids) hint += (hint.empty() ? "" : ", ") + id;
    return hint.empty() ? "" : " (did you mean " + hint + "?)";
}

void set_model(Scenario& s, const Request& r, const Catalog& catalog) {
    if (r.config) {
        s.model_id = "custom";
        s.geometry = *r.config;
        s.model_name = s.geometry.architecture.empty() ? "Custom model" : s.geometry.architecture;
        if (s.geometry.generic_reading) s.warnings.push_back(generic_reading_note(s.geometry));
    } else {
        const CatalogModel* model = catalog.find_model(r.model);
        if (!model) {
            std::vector<std::string> near;
            for (const auto* m : catalog.search_models(r.model, 3)) near.push_back(m->id);
            fail("unknown_model", "model", "no model \"" + r.model + "\" in the catalog" + did_you_mean(near) + "; pass its config.json as \"config\" instead");
        }
        s.model = model;
        s.model_id = model->id;
        s.model_name = model->name;
        s.geometry = model->geometry();
        s.inventory = model->inventory();
        return;
    }
    s.inventory = build_inventory(s.geometry);
}

// The catalog checkpoint of a repository that quantizes the model, when the model is named by it
// ("Qwen/Qwen3-30B-A3B-FP8") and no weights are given; null when the repository holds several (GGUF quantizations),
// holds the model in the format it was released in (that names the model, whose defaults then apply) or the model was
// named otherwise.
const CatalogCheckpoint* repo_checkpoint(const Scenario& s, const Request& r) {
    if (r.weights || !s.model || r.model.find('/') == std::string::npos) return nullptr;
    const CatalogCheckpoint* found = nullptr;
    for (const auto& c : s.model->checkpoints) {
        if (c.repo.empty() || normalize_key(c.repo) != normalize_key(r.model)) continue;
        if (found || parse_weight_format(c.format, "catalog." + s.model->id + ".checkpoints").id == native_weight_format(s.geometry).id) return nullptr;
        found = &c;
    }
    return found;
}

// The request's runtime, which must run on its devices; or, when it names none, the one people run on them.
void set_runtime(Scenario& s, const Request& r) {
    if (r.runtime) {
        const RuntimeDescriptor* d = find_runtime(*r.runtime);
        if (!d) fail("invalid_field", "runtime", "runtime \"" + *r.runtime + "\" is not one of " + runtime_id_list());
        s.runtime = d->runtime;
        for (const Device& dev : s.devices) {
            if (runs_on(*d, dev)) continue;
            std::string others;
            for (const auto* o : runtimes_for(s.devices)) others += (others.empty() ? "" : ", ") + o->id;
            std::string vendors;
            for (const auto& v : d->vendors) vendors += (vendors.empty() ? "" : ", ") + v;
            fail(
                "unsupported", "runtime",
                d->name + " does not run on " + dev.name + " (it supports " + vendors + " devices)" + (others.empty() ? "" : "; on this device use " + others));
        }
        return;
    }
    const bool has_mlx = s.model && s.model->has_mlx_checkpoint();
    std::string why;
    // The weights asked for, or the files a checkpoint summary was read from, narrow the choice.
    std::string asked = r.weights.value_or("");
    if (asked.empty() && r.checkpoint) asked = r.checkpoint->format == "gguf" ? "gguf:" : "safetensors";
    if (const CatalogCheckpoint* c = asked.empty() ? repo_checkpoint(s, r) : nullptr) asked = c->format;
    s.runtime = default_runtime_for(s.devices, has_mlx, asked, why);
    s.assumptions.push_back("runtime: " + why + " (none given)");
}

// The runtime's default checkpoint for these devices: the first matching rule of its descriptor.
WeightFormat default_weights(Scenario& s, const RuntimeDescriptor& rt) {
    const std::string device_class = s.devices.empty() ? "" : s.devices.front().device_class;
    // The checkpoint this runtime pulls under the model's name (Ollama's library), else the one the catalog marks as the
    // one people download, when this runtime loads it.
    if (s.model)
        for (const auto& c : s.model->checkpoints) {
            if (c.runtime != rt.id) continue;
            const WeightFormat f = parse_weight_format(c.format, "catalog." + s.model->id + ".checkpoints");
            if (!rt.loads(f)) continue;
            s.assumptions.push_back("weights: " + format_display_name(f.id) + " (" + c.repo + ", what " + rt.name + " pulls for this model)");
            return f;
        }
    if (s.model)
        for (const auto& c : s.model->checkpoints) {
            if (!c.preferred) continue;
            const WeightFormat f = parse_weight_format(c.format, "catalog." + s.model->id + ".checkpoints");
            if (!rt.loads(f)) continue;
            s.assumptions.push_back("weights: " + format_display_name(f.id) + " (" + c.repo + ", the checkpoint people run with " + rt.name + ")");
            return f;
        }
    for (const DefaultWeights& rule : rt.default_weights) {
        if (rule.device_class != "*" && rule.device_class != device_class) continue;
        if (rule.format != "official") {
            const WeightFormat f = parse_weight_format(rule.format);
            s.assumptions.push_back("weights: " + format_display_name(f.id) + " (" + rule.why + ")");
            return f;
        }
        WeightFormat f = native_weight_format(s.geometry);
        if (s.model)
            for (const auto& c : s.model->checkpoints)
                if (c.official) {
                    f = parse_weight_format(c.format, "catalog." + s.model->id + ".checkpoints");
                    break;
                }
        s.assumptions.push_back("weights: " + rule.why + " (" + f.label() + ")");
        return f;
    }
    return native_weight_format(s.geometry);
}

// weights given as a repository ("meta-llama/Llama-3.1-405B-Instruct-FP8"): that catalog checkpoint of the model.
const CatalogCheckpoint* named_checkpoint(const Scenario& s, const std::string& weights) {
    if (weights.find('/') == std::string::npos || weights.rfind("gguf:", 0) == 0) return nullptr;
    if (!s.model)
        fail("invalid_field", "weights",
             "weights \"" + weights + "\" names a repository: that works for a catalog model; for a config give a format such as fp8");
    std::vector<std::string> repos;
    for (const auto& c : s.model->checkpoints) {
        if (normalize_key(c.repo) == normalize_key(weights)) return &c;
        if (!c.repo.empty() && std::find(repos.begin(), repos.end(), c.repo) == repos.end()) repos.push_back(c.repo);
    }
    fail("invalid_field", "weights",
         "weights: \"" + weights + "\" is not a checkpoint of " + s.model->name + " in the catalog" +
             (repos.empty() ? "" : " (its checkpoints: " + joined(repos) + ")") + "; give a format such as bf16 or fp8");
}

// A model named by a checkpoint's repository ("Qwen/Qwen3-30B-A3B-FP8") with no weights given: that checkpoint, when
// it is the only one the catalog lists under that repository and the runtime loads its format.
const CatalogCheckpoint* model_checkpoint(const Scenario& s, const Request& r, const RuntimeDescriptor& rt) {
    const CatalogCheckpoint* found = repo_checkpoint(s, r);
    return found && rt.loads(parse_weight_format(found->format, "catalog." + s.model->id + ".checkpoints")) ? found : nullptr;
}

void set_weights(Scenario& s, const Request& r) {
    const RuntimeDescriptor& rt = runtime_descriptor(s.runtime);
    const CatalogCheckpoint* named = r.weights ? named_checkpoint(s, *r.weights) : model_checkpoint(s, r, rt);
    if (named && !r.weights) s.assumptions.push_back("weights: " + named->format + " (" + named->repo + ", the checkpoint the model was named by)");
    s.weights = named ? parse_weight_format(named->format, "weights") : r.weights ? parse_weight_format(*r.weights) : default_weights(s, rt);
    const bool gguf_runtime = rt.loads_family(FormatFamily::Gguf);
    if (gguf_runtime && !s.weights.is_gguf()) {
        // A 16- or 32-bit safetensors checkpoint converts to the GGUF type of the same width.
        if (s.weights.scheme == Scheme::BF16) s.weights = parse_weight_format("gguf:BF16");
        else if (s.weights.scheme == Scheme::FP16) s.weights = parse_weight_format("gguf:F16");
        else if (s.weights.scheme == Scheme::FP32) s.weights = parse_weight_format("gguf:F32");
        else fail("invalid_field", "weights", rt.name + " loads GGUF files: use weights \"gguf:<type>\" such as gguf:Q4_K_M or gguf:Q8_0");
    }
    if (s.weights.is_gguf() && !gguf_runtime) {
        if (!rt.gguf_experimental) fail("invalid_field", "weights", "GGUF weights are for llama.cpp and Ollama; " + rt.id + " needs a safetensors format");
        s.warnings.push_back("GGUF support outside llama.cpp is experimental");
    }
    if (rt.loads_family(FormatFamily::Mlx) && !rt.loads(s.weights))
        fail("invalid_field", "weights", "MLX loads MLX conversions: use mlx-4bit, mlx-8bit, bf16 or fp16");
    if (s.model) {
        // The checkpoint named, else the first listed in this format, or the one people download.
        const CatalogCheckpoint* chosen = named && normalize_key(named->format) == normalize_key(s.weights.id) ? named : nullptr;
        for (const auto& c : s.model->checkpoints)
            if (!named && normalize_key(c.format) == normalize_key(s.weights.id) && (!chosen || c.preferred)) chosen = &c;
        if (chosen) s.weights_repo = chosen->repo;
        if (!chosen && !s.weights.is_gguf())
            s.warnings.push_back("no published " + s.weights.label() +
                                 " checkpoint of this model is in the catalog; the size assumes the usual layout of that format");
        // A release that leaves modules in 16-bit says so in its quantization_config; the catalog keeps it with the checkpoint.
        if (chosen && chosen->quantization && !s.geometry.quantization.present) {
            s.geometry.quantization = *chosen->quantization;
            const auto& kept = chosen->quantization->modules_not_quantized;
            s.assumptions.push_back("weights: " + chosen->repo + " as its quantization_config lays it out" +
                                    (kept.empty() ? std::string() : " (left in 16-bit: " + joined(kept, 4) + ")"));
        }
    }
}

Device catalog_device(const Catalog& catalog, const std::string& id, const std::string& field) {
    const CatalogGpu* g = catalog.find_gpu(id);
    if (!g) {
        std::vector<std::string> near;
        for (const auto* c : catalog.search_gpus(id, 3)) near.push_back(c->id);
        fail("unknown_gpu", field, "no GPU \"" + id + "\" in the catalog" + did_you_mean(near) + "; describe it with \"device\": {\"memory_mib\": ...}");
    }
    return g->device;
}

// host.gpu_wired_limit_mib: what the GPU of a unified-memory device may use, in place of macOS's default share
// (recommendedMaxWorkingSetSize). At most the device's memory; a device with memory of its own has no such limit.
void set_wired_limit(Scenario& s, const Request& r) {
    if (!r.host || !r.host->gpu_wired_limit_bytes) return;
    const std::string field = "host.gpu_wired_limit_mib";
    const i64 limit = *r.host->gpu_wired_limit_bytes;
    if (s.devices.empty() || !s.devices.front().unified)
        fail("invalid_field", field,
             field + " sets the GPU's share of unified memory (macOS: sysctl iogpu.wired_limit_mb); " +
                 (s.devices.empty() ? std::string("this setup has no GPU") : s.devices.front().name + " has memory of its own"));
    for (Device& d : s.devices) {
        if (limit > d.memory_bytes)
            fail(
                "invalid_field", field,
                field + " is " + group_digits(limit / MiB) + " MiB, more than the " + group_digits(d.memory_bytes / MiB) + " MiB of memory " + d.name + " has");
        s.assumptions.push_back(d.name + ": the GPU may wire " + group_digits(limit / MiB) + " MiB (" + field +
                                ", as sysctl iogpu.wired_limit_mb sets it) instead of macOS's default of " + format_size(d.engine_total_bytes));
        d.engine_total_bytes = limit;
        d.engine_total_source = "wired limit";
    }
}

// gpu_memory_in_use_mib: what other programs hold on each GPU when the engine starts. Engines that size their pools from
// the memory they find free (SGLang, TensorRT-LLM, llama.cpp, Ollama) get less; vLLM sizes its budget from the total and
// checks at start that it is free.
void set_in_use(Scenario& s, const Request& r) {
    const std::vector<i64>& in_use = r.gpu_memory_in_use_bytes;
    if (in_use.empty()) return;
    const std::string field = "gpu_memory_in_use_mib";
    if (s.devices.empty()) fail("invalid_field", field, field + " is memory held on the GPUs, and this setup has no GPU");
    hold_in_use(s.devices, in_use);
    if (in_use.size() == 1 || std::all_of(in_use.begin(), in_use.end(), [&](i64 v) { return v == in_use.front(); })) {
        if (in_use.front() > 0)
            s.assumptions.push_back(group_digits(in_use.front() / MiB) + " MiB of each GPU already in use by other programs (" + field +
                                    "): " + format_size(s.devices.front().free_at_start()) + " of " + s.devices.front().name + " free when the engine starts");
    } else {
        std::string list;
        for (size_t i = 0; i < s.devices.size(); ++i)
            list += (i ? ", " : "") + std::string("GPU ") + std::to_string(i) + " " + group_digits(s.devices[i].in_use_bytes / MiB) + " MiB";
        s.assumptions.push_back("already in use by other programs (" + field + "): " + list);
    }
}

void set_devices(Scenario& s, const Request& r, const Catalog& catalog) {
    // The request layer bounded the total count, so these copies are few.
    if (r.cpu_only) {
        s.assumptions.push_back("no GPU (gpu_count 0): the model runs on the CPU from system RAM");
    } else if (r.device) {
        s.devices.assign(static_cast<size_t>(r.device_count), *r.device);
    } else if (!r.gpus.empty()) {
        for (const GpuRequest& g : r.gpus) {
            const Device d = catalog_device(catalog, g.gpu, g.field);
            s.devices.insert(s.devices.end(), static_cast<size_t>(g.count), d);
        }
    } else {
        s.devices.assign(static_cast<size_t>(r.device_count), catalog_device(catalog, kDefaultGpu, "gpu"));
        s.assumptions.push_back("GPU: " + (r.device_count == 1 ? std::string("one") : std::to_string(r.device_count) + " ×") + " " + s.devices.front().name +
                                " (no gpu given)");
    }
    for (const auto& d : s.devices)
        if (d.engine_total_source == "derived") {
            s.assumptions.push_back(d.name + ": no CUDA total recorded; using nvidia-smi's total minus the typical " + format_size(kDriverReserveTypical) +
                                    " driver reserve");
            break;
        }
    for (const auto& d : s.devices)
        if (d.memory_status == "expected") {
            s.warnings.push_back(d.name + ": memory is the vendor's capacity; no driver report of the exact MiB was found");
            break;
        }
}

void set_workload(Scenario& s, const Request& r) {
    if (r.context) {
        s.context = *r.context;
    } else if (const auto rule = runtime_descriptor(s.runtime).default_context) {
        std::string why;
        s.context = rule(s.devices, s.geometry, r.engine, why);
        s.assumptions.push_back("context: " + group_digits(s.context) + " tokens, " + why);
    }
    if (r.concurrency) s.concurrency = *r.concurrency;
}

void set_kv_type(Scenario& s, const Request& r) {
    const RuntimeDescriptor& rt = runtime_descriptor(s.runtime);
    std::string kv = r.kv_cache_dtype.value_or("auto");
    s.kv_auto = normalize_key(kv) == "auto";
    // "auto" in the engines that follow the model's dtype is the dtype the model runs in: the weights' own for float
    // checkpoints (a float32 run caches float32 K/V: V-113, 262,144 B a token for Llama-3.1-8B), else the config's.
    if (s.kv_auto)
        kv = rt.kv_auto != "model"              ? rt.kv_auto
             : s.weights.scheme == Scheme::FP32 ? "fp32"
             : s.weights.scheme == Scheme::FP16 ? "fp16"
             : s.weights.scheme == Scheme::BF16 ? "bf16"
             : s.geometry.dtype == "float16"    ? "fp16"
                                                : "bf16";
    s.kv = parse_kv_dtype(kv);
    // Engines that follow the model's dtype run BF16 models in FP16 on devices without BF16.
    if (s.kv.dtype == KvDtype::BF16 && rt.kv_auto == "model" && s.runtime != Runtime::Mlx) {
        for (const auto& d : s.devices)
            if (!d.supports("bf16")) {
                s.warnings.push_back(d.name + " has no native BF16; engines run this model in FP16 there");
                break;
            }
    }
}

// A card count the attention heads do not divide, on an engine that shards tensors: tensor parallel over the
// largest count that divides both, pipeline stages for the rest (3 cards: 1 × 3; 6 cards: 2 × 3), as one
// would launch it, rather than a layout the engine refuses.
// Several machines: the runtime must run across machines, and the GPUs split evenly over them. Without a
// parallel layout in the request, the runtime's own practice lays the model out (registry multi_node).
void set_cluster(Scenario& s, const Request& r) {
    const RuntimeDescriptor& rt = runtime_descriptor(s.runtime);
    const i64 nodes = r.nodes.value_or(1);
    const i64 n = static_cast<i64>(s.devices.size());
    if (r.network && nodes <= 1) fail("invalid_field", "network", "network is the link between machines: give nodes (2 or more) with it");
    if (nodes <= 1) return;
    if (rt.multi_node == MultiNode::None) {
        std::string across;
        for (const auto& o : runtimes())
            if (o.multi_node != MultiNode::None) across += (across.empty() ? "" : ", ") + o.name;
        fail("unsupported", "nodes", rt.name + " runs on one machine; " + across + " run across several");
    }
    if (n < nodes || n % nodes != 0)
        fail("invalid_field", "nodes",
             "nodes = " + std::to_string(nodes) + " must divide the " + std::to_string(n) + " GPUs evenly (the same GPUs in every machine)");
    s.cluster.nodes = static_cast<int>(nodes);
    s.cluster.network_gbps = r.network && r.network->gbps ? *r.network->gbps : kDefaultNetworkGbps;
    s.cluster.network_latency_s = (r.network && r.network->latency_us ? *r.network->latency_us : kDefaultNetworkLatencyUs) * 1e-6;
    s.cluster.network_from_request = r.network.has_value();
    const int per_node = static_cast<int>(n / nodes);
    const bool laid_out = s.engine.tensor_parallel_size || s.engine.pipeline_parallel_size != 1 || s.engine.data_parallel_size != 1;
    std::string layout;
    if (!laid_out && rt.multi_node == MultiNode::PipelineAcross) {
        const i64 heads = s.geometry.n_heads;
        if (heads > 0 && heads % per_node == 0 && nodes <= s.geometry.n_layers) {
            s.engine.tensor_parallel_size = per_node;
            s.engine.pipeline_parallel_size = static_cast<int>(nodes);
            layout = "tensor parallel " + std::to_string(per_node) + " within each machine × pipeline parallel " + std::to_string(nodes) + " across them";
        }
    }
    if (layout.empty() && !laid_out) layout = "tensor parallel " + std::to_string(n) + " across all of them";
    s.assumptions.push_back(std::to_string(nodes) + " machines of " + std::to_string(per_node) + " GPUs" + (layout.empty() ? "" : ": " + layout) +
                            "; between machines " + (s.cluster.network_from_request ? "the network given" : "InfiniBand NDR (the default)") + ", " +
                            group_digits(static_cast<i64>(std::lround(s.cluster.network_gbps))) + " GB/s per GPU and " +
                            std::to_string(static_cast<int>(std::lround(s.cluster.network_latency_s * 1e6))) + " µs per all-reduce");
}

void set_layout(Scenario& s) {
    const RuntimeDescriptor& rt = runtime_descriptor(s.runtime);
    const int n = static_cast<int>(s.devices.size());
    if (rt.layer_split || n <= 1 || s.engine.tensor_parallel_size || s.engine.pipeline_parallel_size != 1 || s.engine.data_parallel_size != 1) return;
    if (std::find(rt.parallel.begin(), rt.parallel.end(), "pipeline") == rt.parallel.end()) return;
    const i64 heads = s.geometry.n_heads;
    if (heads <= 0 || heads % n == 0) return;
    int tp = 1;
    for (int d = n; d >= 1; --d)
        if (n % d == 0 && heads % d == 0) {
            tp = d;
            break;
        }
    if (n / tp > s.geometry.n_layers) return;  // more stages than layers: the engine's own error says so
    s.engine.tensor_parallel_size = tp;
    s.engine.pipeline_parallel_size = n / tp;
    s.assumptions.push_back(std::to_string(n) + " GPUs: tensor parallel " + std::to_string(tp) + " × pipeline parallel " + std::to_string(n / tp) +
                            " (the model's " + std::to_string(heads) + " attention heads do not split " + std::to_string(n) + " ways)");
}

}  // namespace

void hold_in_use(std::vector<Device>& devices, const std::vector<i64>& in_use) {
    if (in_use.empty()) return;
    const std::string field = "gpu_memory_in_use_mib";
    if (in_use.size() != 1 && in_use.size() != devices.size())
        fail("invalid_field", field,
             field + " lists " + std::to_string(in_use.size()) + " figures for " + std::to_string(devices.size()) +
                 " GPUs: give one figure for every GPU, or one per GPU");
    for (size_t i = 0; i < devices.size(); ++i) {
        Device& d = devices[i];
        const i64 used = in_use.size() == 1 ? in_use.front() : in_use[i];
        const std::string f = in_use.size() == 1 ? field : field + "[" + std::to_string(i) + "]";
        if (used >= d.engine_total_bytes)
            fail("invalid_field", f,
                 f + " is " + group_digits(used / MiB) + " MiB, which leaves nothing of the " + group_digits(d.engine_total_bytes / MiB) + " MiB " + d.name +
                     " offers");
        d.in_use_bytes = used;
    }
}

Scenario build_scenario(const Request& r, const Catalog& catalog) {
    Scenario s;
    set_model(s, r, catalog);
    set_devices(s, r, catalog);
    set_wired_limit(s, r);
    set_in_use(s, r);
    set_runtime(s, r);
    set_weights(s, r);
    setup_checkpoint(s, r);
    set_workload(s, r);
    set_kv_type(s, r);
    s.engine = r.engine;
    set_cluster(s, r);
    set_layout(s);
    if (s.engine.tensor_split.size() > s.devices.size())
        fail("invalid_field", "engine.tensor_split",
             "engine.tensor_split has " + std::to_string(s.engine.tensor_split.size()) + " entries for " + std::to_string(s.devices.size()) + " device(s)");
    if (s.devices.empty()) {
        const RuntimeDescriptor& rt = runtime_descriptor(s.runtime);
        if (!runs_on_cpu(rt)) {
            std::string cpu;
            for (const auto& o : runtimes())
                if (runs_on_cpu(o)) cpu += (cpu.empty() ? "" : " and ") + o.name;
            fail("unsupported", "gpu_count", rt.name + " needs a GPU; " + cpu + " run on the CPU alone (gpu_count 0)");
        }
        s.engine.n_gpu_layers = 0;
        s.engine.n_cpu_moe = 0;
    }
    // On NVIDIA's unified-memory devices (GB10) cudaMemGetInfo reads the whole system's memory: what the operating
    // system and other programs hold, and the page cache of the checkpoint just read, count as in use, and the serving
    // engines size their cache from that free figure (TensorRT-LLM's profiling peak counts it as non-torch memory: T-31,
    // gpt-oss-120b on a DGX Spark, 5.95 GiB of KV cache where 49.8 GiB of the system's memory was in use).
    if ((s.runtime == Runtime::Vllm || s.runtime == Runtime::Sglang || s.runtime == Runtime::Trtllm) && !s.devices.empty() && s.devices.front().unified &&
        s.devices.front().vendor == "NVIDIA" && s.devices.front().in_use_bytes == 0)
        s.warnings.push_back(s.devices.front().name +
                             " shares its memory with the system: the engine counts what the system and its page cache hold as in use, so drop the "
                             "page cache before starting, or give what is in use as gpu_memory_in_use_mib");
    setup_host(s, r);
    setup_multimodal(s, r);
    setup_speculation(s, catalog);
    return s;
}

}  // namespace fitmygpu
