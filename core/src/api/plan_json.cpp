// plan: the hardware first. Every catalog model under each of its published checkpoint formats, on every runtime
// that runs on the request's devices and loads that format, each with its verdict, limits, speed and memory.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "fitmygpu/api.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/solvers.hpp"
#include "request_json.hpp"

namespace fitmygpu::api {

using nlohmann::json;

namespace {

// Fields of an estimate request that plan fills in itself, row by row.
const char* const kPerRowFields[] = {"model", "config", "weights", "checkpoint", "images"};

// The published checkpoint formats of a catalog model, each once, in catalog order, with the first repo
// that publishes it.
struct Published {
    WeightFormat format;
    std::string repo;
    bool official = false;
};
std::vector<Published> published_formats(const CatalogModel& m) {
    std::vector<Published> out;
    for (const auto& c : m.checkpoints) {
        try {
            const WeightFormat f = parse_weight_format(c.format);
            auto same = std::find_if(out.begin(), out.end(), [&](const Published& p) { return p.format.id == f.id; });
            if (same == out.end()) out.push_back({f, c.repo, c.official});
            else if (c.official && !same->official) {
                same->repo = c.repo;
                same->official = true;
            }
        } catch (const FieldError&) {
        }
    }
    return out;
}

// Speeds as estimate writes them (three decimals; null when unknown), so a row and its estimate agree exactly.
json number_or_null(double v) { return v > 0 && std::isfinite(v) ? json(std::round(v * 1000.0) / 1000.0) : json(nullptr); }

json memory_json(const Estimate& e) {
    i64 required = 0, budget = 0, total = 0, weights = 0;
    for (size_t i = 0; i < e.devices.size(); ++i) {
        const auto& d = e.devices[i];
        if (i == 0 || d.required_bytes - d.budget_bytes > required - budget) {
            required = d.required_bytes;
            budget = d.budget_bytes;
        }
        total += d.required_bytes;
        auto w = d.components.find(kWeights);
        if (w != d.components.end()) weights += w->second;
    }
    auto hw = e.host_components.find(kWeights);
    if (hw != e.host_components.end()) weights += hw->second;
    json m = {{"required_bytes", required},
              {"budget_bytes", budget},
              {"total_required_bytes", total},
              {"weights_bytes", weights},
              {"host_bytes", e.host_total_bytes}};
    if (e.host_capacity_bytes > 0) {
        m["host_required_bytes"] = e.host_required_bytes;
        m["host_capacity_bytes"] = e.host_capacity_bytes;
    }
    return m;
}

}  // namespace

json plan(const json& request) {
    if (!request.is_object()) fail("invalid_request", "", "the request must be a JSON object");
    for (const char* k : kPerRowFields)
        if (request.contains(k))
            fail("invalid_field", k,
                 std::string(k) +
                     " is chosen row by row: plan weighs every catalog model under each of its published checkpoints (use models to choose models)");
    json base = request;
    std::optional<std::set<std::string>> only;
    if (base.contains("models")) {
        const json& list = base.at("models");
        if (!list.is_array()) fail("invalid_field", "models", "models must be a list of catalog model ids");
        only.emplace();
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string f = "models[" + std::to_string(i) + "]";
            const CatalogModel* m = Catalog::builtin().find_model(name_field(list[i], f));
            if (!m) fail("invalid_field", f, f + " \"" + list[i].get<std::string>() + "\" is not a catalog model");
            only->insert(m->id);
        }
        base.erase("models");
    }
    const bool fits_only = base.contains("fits_only") && bool_field(base.at("fits_only"), "fits_only");
    base.erase("fits_only");

    const Catalog& catalog = Catalog::builtin();
    if (catalog.models().empty()) return json{{"rows", json::array()}};
    // Every field checked once, on the first model: devices, host, runtime, knobs.
    base["model"] = catalog.models().front().id;
    Request r = parse_request(base);
    const Scenario first = build_scenario(r, catalog);
    const std::vector<Device>& devices = first.devices;

    std::vector<const RuntimeDescriptor*> runtimes;
    if (r.runtime) runtimes.push_back(&runtime_descriptor(first.runtime));
    else if (devices.empty()) {
        for (const auto& rt : fitmygpu::runtimes())
            if (runs_on_cpu(rt)) runtimes.push_back(&rt);
    } else runtimes = runtimes_for(devices);

    std::map<std::string, const json*> summaries;
    const json listing = list_models();
    for (const auto& row : listing.at("models")) summaries[row.at("id").get<std::string>()] = &row;

    json rows = json::array();
    i64 capped = 0;
    for (const auto& m : catalog.models()) {
        if (only && !only->count(m.id)) continue;
        const std::vector<Published> formats = published_formats(m);
        for (const RuntimeDescriptor* rt : runtimes) {
            for (const auto& p : formats) {
                if (!rt->loads(p.format) || !format_runs_on(p.format, devices)) continue;
                Request with = r;
                with.model = m.id;
                with.weights = p.format.id;
                with.runtime = rt->id;
                json row = {{"model", m.id},  {"name", m.name},         {"weights", p.format.id}, {"weights_label", p.format.label()},
                            {"repo", p.repo}, {"official", p.official}, {"runtime", rt->id},      {"runtime_name", rt->name}};
                const json& summary = *summaries.at(m.id);
                for (const char* k : {"family", "company", "release_date", "license", "architecture_class", "modality", "params_total", "params_active"})
                    if (summary.contains(k)) row[k] = summary.at(k);
                try {
                    const Scenario s = build_scenario(with, catalog);
                    const Estimate e = estimate_without_limits(s);
                    const Limits l = solve_limits_from(s, e);
                    const i64 window = native_context(s);
                    row["verdict"] = e.verdict;
                    row["fits"] = e.fits;
                    row["native_context"] = window > 0 ? json(window) : json(nullptr);
                    row["max_context"] = l.max_context;
                    row["max_context_is_window"] = window > 0 && l.max_context == window;
                    if (window > 0 && l.max_context == window) ++capped;
                    row["max_concurrency"] = l.max_concurrency;
                    row["decode_tokens_per_s"] = e.speed ? number_or_null(e.speed->decode_tokens_per_s) : json(nullptr);
                    row["total_decode_tokens_per_s"] = e.speed ? number_or_null(e.speed->total_decode_tokens_per_s) : json(nullptr);
                    row["memory"] = memory_json(e);
                    row["kv_cache_dtype"] = s.kv.id;
                } catch (const FieldError& err) {
                    if (err.code() == "unsupported") continue;  // this runtime does not run this setup: absent
                    row["verdict"] = "error";
                    row["fits"] = false;
                    row["error"] = {{"code", err.code()}, {"field", err.field()}, {"message", err.what()}};
                }
                if (fits_only && !row.at("fits").get<bool>()) continue;
                rows.push_back(std::move(row));
            }
        }
    }
    json runtime_ids = json::array();
    for (const auto* rt : runtimes) runtime_ids.push_back(rt->id);
    json device =
        devices.empty()
            ? json(nullptr)
            : json{{"id", devices.front().id}, {"name", devices.front().name}, {"count", devices.size()}, {"memory_bytes", devices.front().memory_bytes}};
    return rendered(json{{"rows", rows},
                         {"device", device},
                         {"runtimes", runtime_ids},
                         {"context", first.context},
                         {"concurrency", first.concurrency},
                         {"window_rule",
                          "max_context never goes beyond a model's native window (native_context: its max_position_embeddings, else the "
                          "catalog's context_window); "
                          "max_context_is_window marks the rows it caps, and a context beyond the window is verdict exceeds_context"},
                         {"capped_rows", capped}},
                    r.units);
}

}  // namespace fitmygpu::api
