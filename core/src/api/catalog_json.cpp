// Catalog listings, search and a model's record with derived figures (API methods models, gpus, search,
// model).
#include <cmath>

#include "fitmygpu/api.hpp"
#include "fitmygpu/cache.hpp"
#include "fitmygpu/error.hpp"
#include "request_json.hpp"

namespace fitmygpu::api {

using nlohmann::json;

namespace {

// A model's summary without figures worked out from its config: what a model picker searches and sorts by. The
// published parameter counts (the catalog's published_params) come from the record, unknown ones left out.
json model_summary(const CatalogModel& m) {
    json row = {{"id", m.id}, {"name", m.name}};
    for (const char* k : {"family", "company", "architecture_class", "modality", "context_window", "license", "release_date", "aliases"})
        if (m.entry.contains(k)) row[k] = m.entry.at(k);
    if (m.entry.contains("checkpoints")) {
        json formats = json::array();
        for (const auto& c : m.entry.at("checkpoints"))
            if (c.contains("format")) formats.push_back(c.at("format"));
        row["formats"] = formats;
    }
    if (m.entry.contains("published_params") && m.entry.at("published_params").is_object()) {
        const json& pub = m.entry.at("published_params");
        json counts = json::object();
        for (const char* k : {"total", "active"})
            if (pub.contains(k) && pub.at(k).is_number_integer() && pub.at(k).get<i64>() > 0) counts[k] = pub.at(k);
        if (!counts.empty()) row["published_params"] = counts;
    }
    return row;
}

}  // namespace

const json& list_models(bool derived) {
    // The catalog is fixed for the life of the binary: build each listing once. The derived one works out a
    // geometry and a tensor inventory per model, which is most of its cost.
    if (!derived) {
        static const json plain = [] {
            json out = json::array();
            for (const auto& m : Catalog::builtin().models()) out.push_back(model_summary(m));
            return json{{"models", out}};
        }();
        return plain;
    }
    static const json cached = [] {
        json out = json::array();
        for (const auto& m : Catalog::builtin().models()) {
            json row = model_summary(m);
            try {
                const ModelGeometry& g = m.geometry();
                const Inventory& inv = m.inventory();
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

namespace {
// A listing's request: an object with only the fields named.
void check_listing_request(const json& request, std::initializer_list<const char*> fields, const char* method, const char* shown) {
    if (!request.is_object()) fail("invalid_request", "", "the request must be a JSON object");
    for (const auto& [key, value] : request.items()) {
        bool known = false;
        for (const char* f : fields) known = known || key == f;
        if (!known) fail("unknown_field", shown_key(key), shown_key(key) + " is not a " + method + " field (" + shown + ")");
    }
}

// {"ids": [...]}: the listing's rows of those entries, in the order asked; an id the listing lacks is an error naming it.
json rows_by_id(const json& listing, const char* key, const json& request, const char* unknown_code) {
    const json& ids = request.at("ids");
    if (!ids.is_array() || ids.empty() || ids.size() > kMaxListedIds)
        fail("invalid_field", "ids", "ids must be a list of 1 to " + std::to_string(kMaxListedIds) + " ids");
    json rows = json::array();
    for (size_t i = 0; i < ids.size(); ++i) {
        const std::string field = "ids[" + std::to_string(i) + "]";
        const std::string id = name_field(ids[i], field);
        const json* found = nullptr;
        for (const json& row : listing.at(key))
            if (row.at("id") == id) found = &row;
        if (!found) fail(unknown_code, field, field + " is not a catalog id: \"" + id + "\"");
        rows.push_back(*found);
    }
    return json{{key, rows}};
}
}  // namespace

const json& list_models(const json& request) {
    check_listing_request(request, {"derived", "ids"}, "models", "derived, ids");
    return list_models(request.contains("derived") ? bool_field(request.at("derived"), "derived") : true);
}

json list_some_models(const json& request) { return rows_by_id(list_models(request), "models", request, "unknown_model"); }

const json& list_gpus(const json& request) {
    check_listing_request(request, {"ids"}, "gpus", "ids");
    return list_gpus();
}

json list_some_gpus(const json& request) { return rows_by_id(list_gpus(request), "gpus", request, "unknown_gpu"); }

const json& list_gpus() {
    static const json listing = [] {
        json out = json::array();
        for (const auto& g : Catalog::builtin().gpus()) {
            json row = {{"id", g.id}, {"name", g.name}};
            for (const char* k : {"vendor", "class", "memory_mib", "memory_mib_status", "cuda_total_mib", "unified_memory", "gpu_share_default",
                                  "bandwidth_gbps", "architecture", "aliases", "memory_marketed"})
                if (g.entry.contains(k)) row[k] = g.entry.at(k);
            // What macOS lets the GPU of a unified-memory chip wire by default: host.gpu_wired_limit_mib changes it.
            if (g.device.unified) row["default_wired_limit_mib"] = g.device.engine_total_bytes / MiB;
            out.push_back(row);
        }
        return json{{"gpus", out}};
    }();
    return listing;
}

json search(const json& request) {
    if (!request.is_object() || !request.contains("query")) fail("missing_field", "query", "query is required");
    const std::string q = name_field(request.at("query"), "query");
    const std::string kind = request.contains("kind") ? name_field(request.at("kind"), "kind") : "models";
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
    const std::string id = name_field(request.at("model"), "model");
    const CatalogModel* m = Catalog::builtin().find_model(id);
    if (!m) fail("unknown_model", "model", "no model \"" + id + "\" in the catalog");
    json out = m->record();
    const ModelGeometry& g = m->geometry();
    const Inventory& inv = m->inventory();
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
                      {"experts_per_token", g.moe.n_experts_per_tok},
                      {"max_position_embeddings", g.max_position_embeddings}};
    return out;
}

}  // namespace fitmygpu::api
