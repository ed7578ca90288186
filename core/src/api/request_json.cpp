// JSON → Request: every field's type and range, every engine knob against the registry's knob table.
// Nothing is defaulted here and nothing is looked up in the catalog; errors name the field.
#include "request_json.hpp"

#include <cmath>
#include <set>

#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/registry.hpp"

namespace fitmygpu::api {

using nlohmann::json;

// A key of the request as it is named back in an error: bounded like a name, whatever was sent.
std::string shown_key(const std::string& key) {
    if (key.empty()) return "\"\"";  // an empty key still names a field
    if (key.size() <= 60) return key;
    size_t cut = 57;
    while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
    return key.substr(0, cut) + "...";
}

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

bool bool_field(const json& v, const std::string& field) {
    if (!v.is_boolean()) fail("invalid_field", field, field + " must be true or false (got " + describe(v) + ")");
    return v.get<bool>();
}

std::string string_field(const json& v, const std::string& field) {
    if (!v.is_string()) fail("invalid_field", field, field + " must be a string (got " + describe(v) + ")");
    return v.get<std::string>();
}

// Names shown back to the user and looked up in the catalog: bounded, so that no lookup, search or message grows
// with what was sent, and plain text (no control characters).
constexpr size_t kMaxNameBytes = 200;

std::string name_field(const json& v, const std::string& field) {
    std::string s = string_field(v, field);
    if (s.size() > kMaxNameBytes) fail("invalid_field", field, field + " must be at most " + std::to_string(kMaxNameBytes) + " bytes long");
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) fail("invalid_field", field, field + " must be plain text without control characters");
    return s;
}

namespace {

// The config reader checks the fields it knows; a field of an unexpected JSON type that it reads without a
// check surfaces as a nlohmann type error, which is the config's fault, not an internal one.
ModelGeometry read_config(const json& config) {
    try {
        return parse_geometry(config, "config");
    } catch (const json::exception& e) {
        fail("invalid_field", "config", std::string("config has a field of the wrong type or shape (") + e.what() + ")");
    }
}

double number_field(const json& v, const std::string& field, const std::string& what) {
    if (!v.is_number()) fail("invalid_field", field, field + " must be " + what + " (got " + describe(v) + ")");
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail("invalid_field", field, field + " must be " + what + " (got " + describe(v) + ")");
    return d;
}

// One engine knob: its JSON type by the knob's type, then its range by apply_knob.
void parse_knob(const KnobSpec& spec, const json& v, const std::string& f, EngineKnobs& knobs) {
    KnobValue kv;
    switch (spec.type) {
        case KnobType::Fraction: kv.number = number_field(v, f, "a number between 0 and 1"); break;
        case KnobType::Integer:
            if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() != std::floor(v.get<double>()))
                fail("invalid_field", f, f + " must be a whole number (got " + describe(v) + ")");
            kv.number = v.get<double>();
            break;
        case KnobType::Boolean: kv.boolean = bool_field(v, f); break;
        case KnobType::Tristate:
            if (v.is_string() && v.get<std::string>() == "auto") kv.is_auto = true;
            else kv.boolean = bool_field(v, f);
            break;
        case KnobType::Text:
        case KnobType::Draft: kv.text = name_field(v, f); break;
        case KnobType::NumberList:
            if (!v.is_array() || v.empty() || static_cast<i64>(v.size()) > spec.max_items)
                fail("invalid_field", f, f + " must be a list of proportions, one per device, e.g. [3, 1]");
            for (size_t i = 0; i < v.size(); ++i) {
                const std::string fi = f + "[" + std::to_string(i) + "]";
                if (!v[i].is_number()) fail("invalid_field", fi, fi + " must be a number (got " + describe(v[i]) + ")");
                kv.list.push_back(v[i].get<double>());
            }
            break;
    }
    apply_knob(spec, kv, f, knobs, describe(v));
}

void parse_engine(const json& j, Request& r) {
    if (!j.is_object()) fail("invalid_field", "engine", "engine must be an object of engine knobs");
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string f = "engine." + shown_key(it.key());
        const KnobSpec* spec = find_knob(it.key());
        if (!spec) fail("unknown_field", f, f + " is not an engine knob this estimator knows");
        parse_knob(*spec, it.value(), f, r.engine);
        r.engine_set.push_back(spec->name);
    }
    check_knobs(r.engine);
}

Device custom_device(const json& j) {
    if (!j.is_object()) fail("invalid_field", "device", "device must be an object like {\"name\": \"My card\", \"memory_mib\": 24564}");
    Device d;
    d.id = "custom";
    d.name = "Custom device";
    d.device_class = "custom";
    d.memory_status = "user";
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string f = "device." + shown_key(it.key());
        if (it.key() == "name") d.name = name_field(it.value(), f);
        else if (it.key() == "memory_mib") d.memory_bytes = int_field(it.value(), f, 1, kMaxDeviceMemoryMib) * MiB;
        else if (it.key() == "memory_gib") d.memory_bytes = int_field(it.value(), f, 1, kMaxDeviceMemoryMib >> 10) * GiB;
        else if (it.key() == "bandwidth_gbps") {
            if (!it.value().is_number() || !(it.value().get<double>() >= 0) || it.value().get<double>() > kMaxDeviceBandwidthGbps)
                fail("invalid_field", f, f + " must be a non-negative number of GB/s");
            d.bandwidth_gbps = it.value().get<double>();
        } else if (it.key() == "link_gbps" || it.key() == "host_link_gbps") {
            if (!it.value().is_number() || !(it.value().get<double>() >= 0) || it.value().get<double>() > kMaxDeviceBandwidthGbps)
                fail("invalid_field", f, f + " must be a non-negative number of GB/s");
            (it.key() == "link_gbps" ? d.link_gbps : d.host_link_gbps) = it.value().get<double>();
        } else if (it.key() == "link_kind") {
            d.link_kind = name_field(it.value(), f);
            if (d.link_kind != "nvlink" && d.link_kind != "pcie" && d.link_kind != "infinity_fabric" && d.link_kind != "xe_link" && d.link_kind != "none")
                fail("invalid_field", f, f + " must be one of nvlink, pcie, infinity_fabric, xe_link, none");
        } else if (it.key() == "unified_memory") d.unified = bool_field(it.value(), f);
        else if (it.key() == "tflops_bf16") {
            if (!it.value().is_number() || !(it.value().get<double>() >= 0)) fail("invalid_field", f, f + " must be a non-negative number");
            d.tflops_bf16 = it.value().get<double>();
        } else
            fail(
                "unknown_field", f,
                f + " is not a device field (name, memory_mib, memory_gib, bandwidth_gbps, unified_memory, tflops_bf16, link_kind, link_gbps, host_link_gbps)");
    }
    if (d.memory_bytes <= 0) fail("missing_field", "device.memory_mib", "device.memory_mib is required");
    d.engine_total_bytes = d.memory_bytes;  // a user-given figure is taken as what the engine sees
    d.engine_total_source = "user";
    return d;
}

HostRequest host_field(const json& j) {
    if (!j.is_object()) fail("invalid_field", "host", "host must be an object like {\"memory_mib\": 65536, \"bandwidth_gbps\": 89.6}");
    HostRequest h;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string f = "host." + shown_key(it.key());
        if (it.key() == "memory_mib") h.memory_bytes = int_field(it.value(), f, 1, kMaxHostMemoryMib) * MiB;
        else if (it.key() == "bandwidth_gbps") {
            const double b = number_field(it.value(), f, "a positive number of GB/s");
            if (!(b > 0) || b > kMaxHostBandwidthGbps)
                fail("invalid_field", f, f + " must be a positive number of GB/s up to " + group_digits(static_cast<i64>(kMaxHostBandwidthGbps)));
            h.bandwidth_gbps = b;
        } else if (it.key() == "gpu_wired_limit_mib") h.gpu_wired_limit_bytes = int_field(it.value(), f, 1, kMaxHostMemoryMib) * MiB;
        else fail("unknown_field", f, f + " is not a host field (memory_mib, bandwidth_gbps, gpu_wired_limit_mib)");
    }
    return h;
}

const std::set<std::string> kRequestFields = {"model",     "config",  "weights",     "runtime",        "gpu",    "gpus",  "device", "images",
                                              "gpu_count", "context", "concurrency", "kv_cache_dtype", "engine", "units", "host",   "checkpoint"};

}  // namespace

Units parse_units(const json& req) {
    if (!req.is_object() || !req.contains("units")) return Units::Binary;
    const json& v = req.at("units");
    if (v.is_string()) {
        const std::string u = v.get<std::string>();
        if (u == "binary" || u == "gib") return Units::Binary;
        if (u == "decimal" || u == "gb") return Units::Decimal;
    }
    fail("invalid_field", "units", "units must be \"binary\" (GiB, MiB) or \"decimal\" (GB, MB)");
}

Request parse_request(const json& req) {
    if (!req.is_object()) fail("invalid_request", "", "the request must be a JSON object");
    if (req.contains("file"))
        fail("invalid_field", "file",
             "file is read by the command line (fitmygpu estimate); here, give the config and the checkpoint summary that inspect returns");
    for (auto it = req.begin(); it != req.end(); ++it)
        if (!kRequestFields.count(it.key()))
            fail("unknown_field", shown_key(it.key()),
                 (it.key().empty() ? std::string("an empty key") : "\"" + shown_key(it.key()) + "\"") + " is not a request field");
    Request r;
    r.units = parse_units(req);

    if (req.contains("model") && req.contains("config")) fail("invalid_field", "config", "give either model (a catalog id) or config, not both");
    if (req.contains("model")) r.model = name_field(req.at("model"), "model");
    else if (req.contains("config")) r.config = read_config(req.at("config"));
    else fail("missing_field", "model", "model (a catalog id) or config (a config.json object) is required");

    if (req.contains("runtime")) r.runtime = name_field(req.at("runtime"), "runtime");
    if (req.contains("weights")) r.weights = name_field(req.at("weights"), "weights");

    const int given = static_cast<int>(req.contains("gpu")) + static_cast<int>(req.contains("gpus")) + static_cast<int>(req.contains("device"));
    if (given > 1) fail("invalid_field", "gpus", "give one of gpu, gpus or device");
    if (req.contains("gpu_count") && req.contains("gpus"))
        fail("invalid_field", "gpu_count", "gpu_count goes with gpu or device; with gpus give each entry its count");
    const i64 gpu_count = req.contains("gpu_count") ? int_field(req.at("gpu_count"), "gpu_count", 0, kMaxGpus) : 1;
    if (gpu_count == 0 && given > 0)
        fail("invalid_field", "gpu_count", "gpu_count 0 is a CPU-only run: leave out gpu and device (and give host, the system RAM)");
    if (gpu_count == 0) {
        r.cpu_only = true;
        r.device_count = 0;
    } else if (req.contains("gpus")) {
        const json& list = req.at("gpus");
        if (!list.is_array() || list.empty()) fail("invalid_field", "gpus", "gpus must be a non-empty array of {\"gpu\": id, \"count\": n}");
        if (list.size() > static_cast<size_t>(kMaxGpus)) fail("invalid_field", "gpus", "at most " + group_digits(kMaxGpus) + " GPUs");
        i64 total = 0;
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string f = "gpus[" + std::to_string(i) + "]";
            const json& item = list.at(i);
            if (!item.is_object() || !item.contains("gpu")) fail("invalid_field", f, f + " must be {\"gpu\": id, \"count\": n}");
            for (auto it = item.begin(); it != item.end(); ++it)
                if (it.key() != "gpu" && it.key() != "count")
                    fail("unknown_field", f + "." + shown_key(it.key()), f + "." + shown_key(it.key()) + " is not a field (gpu, count)");
            GpuRequest g;
            g.field = f + ".gpu";
            g.gpu = name_field(item.at("gpu"), g.field);
            g.count = item.contains("count") ? int_field(item.at("count"), f + ".count", 1, kMaxGpus) : 1;
            total += g.count;
            r.gpus.push_back(std::move(g));
        }
        if (total > kMaxGpus) fail("invalid_field", "gpus", "at most " + group_digits(kMaxGpus) + " GPUs");
    } else if (req.contains("device")) {
        r.device = custom_device(req.at("device"));
        r.device_count = gpu_count;
    } else if (req.contains("gpu")) {
        r.gpus.push_back({name_field(req.at("gpu"), "gpu"), "gpu", gpu_count});
    } else {
        r.device_count = gpu_count;  // with no device named, the scenario's default GPU, this many times
    }

    if (req.contains("context")) r.context = int_field(req.at("context"), "context", 1, kMaxContext);
    if (req.contains("concurrency")) r.concurrency = int_field(req.at("concurrency"), "concurrency", 1, kMaxConcurrency);
    if (req.contains("kv_cache_dtype")) r.kv_cache_dtype = name_field(req.at("kv_cache_dtype"), "kv_cache_dtype");
    if (req.contains("engine")) parse_engine(req.at("engine"), r);
    if (req.contains("checkpoint")) r.checkpoint = checkpoint_field(req.at("checkpoint"));
    if (req.contains("images")) r.images = int_field(req.at("images"), "images", 0, kMaxImages);
    if (req.contains("host")) r.host = host_field(req.at("host"));
    return r;
}

}  // namespace fitmygpu::api
