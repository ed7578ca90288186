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
        json item = {{"component", b.component}, {"label", b.label},     {"device", b.device},
                     {"bytes", b.bytes},         {"formula", b.formula}, {"substituted", b.substituted}};
        if (!b.note.empty()) item["note"] = b.note;
        breakdown.push_back(item);
    }
    json out = {{"fits", e.fits},
                {"verdict", e.verdict},
                {"devices", devices},
                {"host",
                 {{"components", e.host_components},
                  {"total_bytes", e.host_total_bytes},
                  {"capacity_bytes", e.host_capacity_bytes},
                  {"required_bytes", e.host_required_bytes},
                  {"headroom_bytes", e.host_headroom_bytes},
                  {"unified", e.host_unified}}},
                {"kv_cache",
                 {{"bytes_per_token", e.kv.bytes_per_token},
                  {"required_bytes", e.kv.required_bytes},
                  {"capacity_tokens", e.kv.capacity_tokens},
                  {"max_concurrency", std::floor(e.kv.max_concurrency * 100.0) / 100.0}}},
                {"limits", {{"max_context", e.limits.max_context}, {"max_concurrency", e.limits.max_concurrency}}},
                {"breakdown", breakdown},
                {"warnings", e.warnings},
                {"assumptions", e.assumptions}};
    // Figures the engine itself computes and prints (vLLM's graph-capture figure, Ollama's "offload to" estimate).
    if (!e.engine_figures.empty()) out["engine_figures"] = e.engine_figures;
    if (e.speed) {
        // A figure the device data cannot support (no bandwidth or no throughput in the catalog) is null, not 0.
        auto figure = [](double v) -> json { return std::isfinite(v) && v > 0 ? json(std::round(v * 1000.0) / 1000.0) : json(nullptr); };
        out["speed"] = {{"decode_tokens_per_s", figure(e.speed->decode_tokens_per_s)},
                        {"total_decode_tokens_per_s", figure(e.speed->total_decode_tokens_per_s)},
                        {"prefill_tokens_per_s", figure(e.speed->prefill_tokens_per_s)},
                        {"ttft_s", figure(e.speed->ttft_s)},
                        {"tpot_ms", figure(e.speed->tpot_ms)}};
        json curve = json::array();
        for (const SpeedPoint& p : e.speed->by_concurrency)
            curve.push_back({{"concurrency", p.concurrency},
                             {"running", p.running},
                             {"decode_tokens_per_s", figure(p.decode_tokens_per_s)},
                             {"total_decode_tokens_per_s", figure(p.total_decode_tokens_per_s)},
                             {"tpot_ms", figure(p.tpot_ms)}});
        out["speed"]["by_concurrency"] = curve;
    } else {
        out["speed"] = nullptr;
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
