// Estimate → JSON (README.md "The JSON API", field names fixed), with every byte amount inside a text rendered in the
// request's units.
#include <cmath>

#include "fitmygpu/api.hpp"

namespace fitmygpu::api {

using nlohmann::json;

json rendered(json j, Units units) {
    const bool decimal = units == Units::Decimal;
    if (j.is_string()) return render_sizes(j.get_ref<const std::string&>(), decimal);
    if (j.is_array() || j.is_object())
        for (auto& v : j) v = rendered(std::move(v), units);
    return j;
}

// Members are set one by one rather than through nested initialiser lists, which compile to several times the code
// (nlohmann's objects keep their keys sorted, so the text is the same either way).
json to_json(const Estimate& e) {
    json out = json::object();
    out["fits"] = e.fits;
    out["verdict"] = e.verdict;
    json& devices = out["devices"] = json::array();
    for (const auto& d : e.devices) {
        json& row = devices.emplace_back(json::object());
        row["id"] = d.id;
        row["name"] = d.name;
        row["capacity_bytes"] = d.capacity_bytes;
        row["budget_bytes"] = d.budget_bytes;
        row["components"] = d.components;
        row["total_bytes"] = d.total_bytes;
        row["required_bytes"] = d.required_bytes;
        row["headroom_bytes"] = d.headroom_bytes;
    }
    json& host = out["host"] = json::object();
    host["components"] = e.host_components;
    host["total_bytes"] = e.host_total_bytes;
    host["capacity_bytes"] = e.host_capacity_bytes;
    host["required_bytes"] = e.host_required_bytes;
    host["headroom_bytes"] = e.host_headroom_bytes;
    host["unified"] = e.host_unified;
    json& kv = out["kv_cache"] = json::object();
    kv["bytes_per_token"] = e.kv.bytes_per_token;
    kv["required_bytes"] = e.kv.required_bytes;
    kv["capacity_tokens"] = e.kv.capacity_tokens;
    kv["max_concurrency"] = std::floor(e.kv.max_concurrency * 100.0) / 100.0;
    json& limits = out["limits"] = json::object();
    limits["max_context"] = e.limits.max_context;
    limits["max_concurrency"] = e.limits.max_concurrency;
    json& breakdown = out["breakdown"] = json::array();
    for (const auto& b : e.breakdown) {
        json& item = breakdown.emplace_back(json::object());
        item["component"] = b.component;
        item["label"] = b.label;
        item["device"] = b.device;
        item["bytes"] = b.bytes;
        item["formula"] = b.formula;
        item["substituted"] = b.substituted;
        if (!b.note.empty()) item["note"] = b.note;
    }
    out["warnings"] = e.warnings;
    out["assumptions"] = e.assumptions;
    // Figures the engine itself computes and prints (vLLM's graph-capture figure, Ollama's "offload to" estimate).
    if (!e.engine_figures.empty()) out["engine_figures"] = e.engine_figures;
    if (!e.engine_figures_unknown.empty()) out["engine_figures_unknown"] = e.engine_figures_unknown;
    if (!e.speed) {
        out["speed"] = nullptr;
        return out;
    }
    // A figure the device data cannot support (no bandwidth or no throughput in the catalog) is null, not 0.
    auto figure = [](double v) -> json { return std::isfinite(v) && v > 0 ? json(std::round(v * 1000.0) / 1000.0) : json(nullptr); };
    json& speed = out["speed"] = json::object();
    speed["decode_tokens_per_s"] = figure(e.speed->decode_tokens_per_s);
    speed["total_decode_tokens_per_s"] = figure(e.speed->total_decode_tokens_per_s);
    speed["prefill_tokens_per_s"] = figure(e.speed->prefill_tokens_per_s);
    speed["ttft_s"] = figure(e.speed->ttft_s);
    speed["tpot_ms"] = figure(e.speed->tpot_ms);
    json& curve = speed["by_concurrency"] = json::array();
    for (const SpeedPoint& p : e.speed->by_concurrency) {
        json& point = curve.emplace_back(json::object());
        point["concurrency"] = p.concurrency;
        point["running"] = p.running;
        point["decode_tokens_per_s"] = figure(p.decode_tokens_per_s);
        point["total_decode_tokens_per_s"] = figure(p.total_decode_tokens_per_s);
        point["tpot_ms"] = figure(p.tpot_ms);
    }
    return out;
}

json to_json(const KnobDefault& d) {
    return std::visit(
        [](const auto& v) -> json {
            if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>) return nullptr;
            else return v;
        },
        d);
}

}  // namespace fitmygpu::api
