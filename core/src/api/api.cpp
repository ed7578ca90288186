// The API methods: each reads its JSON request, runs the pipeline (request → scenario → estimate → solvers)
// and writes its JSON response with byte amounts in texts rendered in the request's units.
#include "fitmygpu/api.hpp"

#include <cmath>
#include <initializer_list>
#include <map>

#include "fitmygpu/expr.hpp"
#include "fitmygpu/json_depth.hpp"
#include "fitmygpu/json_parse.hpp"

#include "fitmygpu/error.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/solvers.hpp"
#include "request_json.hpp"
#include "suggestions.hpp"

namespace fitmygpu::api {

using nlohmann::json;

json error_json(const std::string& code, const std::string& field, const std::string& message) {
    return {{"error", {{"code", code}, {"field", field}, {"message", render_sizes(message, false)}}}};
}

bool wants_decimal(const json& request) { return parse_units(request) == Units::Decimal; }

Scenario parse(const json& request, const Catalog& catalog) { return build_scenario(parse_request(request), catalog); }

namespace {
// The request without the keys a method sets itself; a request that is not an object is refused as estimate
// refuses it (erasing a key of an array would throw a JSON type error, not a field error).
json without(const json& request, std::initializer_list<const char*> keys) {
    if (!request.is_object()) fail("invalid_request", "", "the request must be a JSON object");
    json base = request;
    for (const char* k : keys) base.erase(k);
    return base;
}
}  // namespace

namespace {
// The engine settings the request gave that leave this estimate as it is: flags the engine's table sets aside,
// and knobs of other runtimes than the one estimated.
json ignored_settings(const Request& r, const Scenario& s) {
    json out = json::array();
    for (const auto& i : r.ignored) out.push_back({{"flag", i.flag}, {"reason", i.reason}});
    const RuntimeDescriptor& rt = runtime_descriptor(s.runtime);
    for (const auto& f : r.engine_fields) {
        if (f.knob.empty() || rt.knob(f.knob)) continue;
        std::string owners;
        for (const auto& other : runtimes())
            if (other.knob(f.knob)) owners += (owners.empty() ? "" : ", ") + other.name;
        if (!owners.empty()) out.push_back({{"flag", f.key}, {"reason", "not a setting of " + rt.name + " (it is one of " + owners + ")"}});
    }
    return out;
}
}  // namespace

json estimate(const json& request) {
    const Request r = parse_request(request);
    const Scenario s = build_scenario(r, Catalog::builtin());
    const Estimate e = fitmygpu::estimate(s);
    json out = to_json(e);
    // What the defaults resolved to, so a request that named no runtime or weights says which were used.
    out["resolved"] = {{"runtime", runtime_id(s.runtime)}, {"weights", s.weights.id},       {"context", s.context},    {"concurrency", s.concurrency},
                       {"kv_cache_dtype", s.kv.id},        {"gpu_count", s.devices.size()}, {"nodes", s.cluster.nodes}};
    if (!s.engine.version.empty()) out["resolved"]["version"] = s.engine.version;
    out["ignored"] = ignored_settings(r, s);
    out["suggestions"] = suggestions(request, s, e);
    return rendered(std::move(out), r.units);
}

json compare(const json& request) {
    const json base = without(request, {"gpu", "gpus", "device"});
    const i64 count = request.contains("gpu_count") ? int_field(request.at("gpu_count"), "gpu_count", 1, kMaxGpus) : 1;
    const Request r = parse_request(base);
    if (r.gpu_memory_in_use_bytes.size() > 1)
        fail("invalid_field", "gpu_memory_in_use_mib", "a comparison over GPUs takes one gpu_memory_in_use_mib figure, held on each GPU");
    // One scenario per runtime, everything but the GPU validated once: the request's runtime, or without one
    // each GPU's default runtime. GPUs the runtime does not run on are left out.
    std::map<Runtime, Scenario> scenarios;
    const CatalogModel* m = r.config ? nullptr : Catalog::builtin().find_model(r.model);
    const bool has_mlx = m && m->has_mlx_checkpoint();
    // Built on the first GPU of each runtime; only the devices change from row to row.
    auto scenario_for = [&](Runtime rt, const CatalogGpu& g) -> Scenario& {
        auto it = scenarios.find(rt);
        if (it != scenarios.end()) return it->second;
        Request with = r;
        with.runtime = runtime_id(rt);
        with.gpus = {{g.id, "gpu", count}};
        with.gpu_memory_in_use_bytes.clear();  // set on each row's devices, which differ in size
        return scenarios.emplace(rt, build_scenario(with, Catalog::builtin())).first->second;
    };
    std::optional<Runtime> asked;
    if (r.runtime) {
        const RuntimeDescriptor* d = find_runtime(*r.runtime);
        if (!d) fail("invalid_field", "runtime", "runtime \"" + *r.runtime + "\" is not one of " + runtime_id_list());
        asked = d->runtime;
    }
    json rows = json::array();
    for (const auto& g : Catalog::builtin().gpus()) {
        std::vector<Device> devices(static_cast<size_t>(count), g.device);
        Runtime rt;
        if (asked) {
            rt = *asked;
            if (!runs_on(runtime_descriptor(rt), g.device)) continue;
        } else {
            std::string why;
            rt = default_runtime_for(devices, has_mlx, r.weights.value_or(""), why);
        }
        json row = {{"gpu", g.id},
                    {"name", g.name},
                    {"runtime", runtime_id(rt)},
                    {"memory_bytes", g.device.memory_bytes},
                    {"class", g.device_class},
                    {"vendor", g.vendor},
                    {"bandwidth_gbps", g.device.bandwidth_gbps}};
        Scenario& s = scenario_for(rt, g);  // a request the runtime refuses is an error of the whole comparison
        try {
            hold_in_use(devices, r.gpu_memory_in_use_bytes);
            s.devices = devices;
            NumbersOnly quiet;
            const Estimate e = estimate_engine(s);
            row["verdict"] = e.verdict;
            row["fits"] = e.fits;
            row["headroom_bytes"] = min_headroom(e);
            row["max_concurrency"] = std::floor(e.kv.max_concurrency * 100.0) / 100.0;
            // On one card the row's own estimate is the search's first probe.
            const auto fewest = fewest_cards(s, devices.front(), count == 1 ? std::optional<bool>(e.fits) : std::nullopt);
            row["fewest_gpus"] = fewest ? json(*fewest) : json(nullptr);
        } catch (const FieldError& err) {
            row["verdict"] = "does_not_fit";
            row["fits"] = false;
            row["error"] = err.what();
        }
        rows.push_back(row);
    }
    return rendered(json{{"gpus", rows}}, r.units);
}

json quantizations(const json& request) {
    const json base = without(request, {"weights"});
    const Request r = parse_request(base);
    const CheckpointSweep sweep = sweep_checkpoints(build_scenario(r, Catalog::builtin()));
    json options = json::array();
    for (const auto& o : sweep.options) {
        json row = {{"weights", o.weights}, {"label", o.label}, {"published", o.published}};
        if (o.evaluated) {
            row["bits_per_weight"] = std::round(o.bits_per_weight * 100.0) / 100.0;
            row["weights_bytes"] = o.weights_bytes;
            row["fits"] = o.fits;
            row["verdict"] = o.verdict;
            row["headroom_bytes"] = o.headroom_bytes;
            row["max_context"] = o.max_context;
        } else {
            row["fits"] = false;
            row["verdict"] = o.verdict;
            row["error"] = o.error;
        }
        options.push_back(row);
    }
    auto id_or_null = [](const std::string& id) { return id.empty() ? json(nullptr) : json(id); };
    return rendered(json{{"options", options}, {"best", id_or_null(sweep.best)}, {"best_any", id_or_null(sweep.best_any)}}, r.units);
}

json defaults(const json& request) {
    // The defaults of the engine release asked for: the other engine settings are left out, the version kept.
    json base = without(request, {"engine"});
    if (request.is_object() && request.contains("engine") && request.at("engine").is_object() && request.at("engine").contains("version"))
        base["engine"] = json{{"version", request.at("engine").at("version")}};
    const Request r = parse_request(base);
    const Scenario s = build_scenario(r, Catalog::builtin());
    json engine = json::object();
    for (const auto& [name, value] : resolved_defaults(s.runtime, s.devices, s.engine)) engine[name] = to_json(value);
    return {{"runtime", runtime_id(s.runtime)}, {"engine", engine}};
}

namespace {
// Outside text is bounded before it is parsed: its size, and how deeply arrays and objects nest (the parser
// and the destructor recurse once per level). A config.json nests 3 or 4 levels.
constexpr size_t kMaxRequestBytes = size_t{16} << 20;
constexpr int kMaxNesting = 64;

void check_nesting(const std::string& text) {
    if (json_nesting_overflow(text, kMaxNesting) != std::string_view::npos)
        fail("invalid_json", "", "the request nests arrays and objects more than " + std::to_string(kMaxNesting) + " levels deep");
}
}  // namespace

json parse_text(const std::string& text) { return parse_text(text, kMaxRequestBytes); }

json parse_text(const std::string& text, size_t max_bytes) {
    if (text.size() > max_bytes)
        fail("invalid_json", "",
             "the request is " + group_digits(static_cast<i64>(text.size())) + " bytes; at most " + group_digits(static_cast<i64>(max_bytes)) + " are read");
    check_nesting(text);
    try {
        return text.empty() ? json::object() : parse_json(text);
    } catch (const json::exception& e) {
        // parse errors, and numbers a double cannot hold (1e309)
        fail("invalid_json", "", std::string("the request is not valid JSON: ") + e.what());
    }
}

namespace {
// Text from requests can carry invalid UTF-8; replace it rather than fail while answering.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

using Method = json (*)(const json&);
// The registry's and the catalog's listings: answers that live as long as the binary, each written out once. A listing
// that gives nullptr leaves the request to the method (the catalog's listings of a few ids).
using Listing = const json* (*)(const json&);
struct MethodEntry {
    const char* name;
    Method run;
    size_t max_bytes = kMaxRequestBytes;
    Listing listing = nullptr;
};
// inspect carries file headers: a 100 MB header is 133 MB of base64.
constexpr size_t kMaxInspectBytes = size_t{144} << 20;
const MethodEntry kCoreMethods[] = {
    {"estimate", estimate},
    {"compare", compare},
    {"quantizations", quantizations},
    {"defaults", defaults},
    {"schema", nullptr, kMaxRequestBytes, [](const json&) -> const json* { return &schema(); }},
    {"command", command},
    {"models", list_some_models, kMaxRequestBytes,
     [](const json& request) -> const json* { return request.contains("ids") ? nullptr : &list_models(request); }},
    {"gpus", list_some_gpus, kMaxRequestBytes, [](const json& request) -> const json* { return request.contains("ids") ? nullptr : &list_gpus(request); }},
    {"search", search},
    {"model", model_info},
};
const MethodEntry kToolMethods[] = {
    {"plan", plan}, {"parse_log", parse_log}, {"check_log", check_log}, {"from_command", from_command}, {"inspect", inspect, kMaxInspectBytes},
};

std::string answer(const MethodEntry& entry, const std::string& text) {
    try {
        const json request = parse_text(text, entry.max_bytes);
        if (const json* listed = entry.listing ? entry.listing(request) : nullptr) {
            // Keyed by the listing's address: each is a static of its method, so there are a handful at most.
            static std::map<const json*, std::string> written;
            auto it = written.find(listed);
            if (it == written.end()) it = written.emplace(listed, dump(*listed)).first;
            return it->second;
        }
        return dump(entry.run(request));
    } catch (const FieldError& e) {
        return dump(error_json(e.code(), e.field(), e.what()));
    } catch (const std::exception& e) {
        return dump(error_json("internal_error", "", e.what()));
    }
}

template <size_t N>
const MethodEntry* find_method(const MethodEntry (&table)[N], const std::string& method) {
    for (const auto& m : table)
        if (method == m.name) return &m;
    return nullptr;
}

std::string unknown_method(const std::string& method) { return dump(error_json("unknown_method", "method", "unknown method \"" + method + "\"")); }
}  // namespace

const std::vector<std::string>& tool_methods() {
    // Names only: a build around call_core reads this list and must not keep kToolMethods' functions alive.
    static const std::vector<std::string> names = {"plan", "parse_log", "check_log", "from_command", "inspect"};
    return names;
}

std::vector<std::string> method_names() {
    std::vector<std::string> names;
    for (const auto& m : kCoreMethods) names.emplace_back(m.name);
    for (const auto& m : kToolMethods) names.emplace_back(m.name);
    return names;
}

std::string call(const std::string& method, const std::string& text) {
    const MethodEntry* entry = find_method(kCoreMethods, method);
    if (!entry) entry = find_method(kToolMethods, method);
    return entry ? answer(*entry, text) : unknown_method(method);
}

std::string call_core(const std::string& method, const std::string& text) {
    if (const MethodEntry* entry = find_method(kCoreMethods, method)) return answer(*entry, text);
    for (const std::string& tool : tool_methods()) {
        if (method == tool)
            return dump(
                error_json("in_tools_module", "method", method + " is answered by the estimator's full module (the tools module), not by this core one"));
    }
    return unknown_method(method);
}

}  // namespace fitmygpu::api
