// The estimating methods: estimate, compare (one setup on every catalog GPU), quantizations (the checkpoint table) and
// the engine defaults. The engines' estimators they call do the work; api.cpp reads requests and writes answers.
#include "fitmygpu/api.hpp"

#include <cmath>

#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/solvers.hpp"
#include "request_json.hpp"
#include "suggestions.hpp"

namespace fitmygpu::api {

using nlohmann::json;

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

}  // namespace fitmygpu::api
