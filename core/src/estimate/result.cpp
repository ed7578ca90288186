// The estimate's bookkeeping: breakdown items, their sums per device and host, and the one verdict rule.
#include <cstdio>

#include "fitmygpu/estimate.hpp"

#include "fitmygpu/checked.hpp"

namespace fitmygpu {

void Estimate::add(const std::string& component, const std::string& label, int device, const Q& q, const std::string& note) {
    breakdown.push_back({component, label, device, q.value(), q.formula(), q.substituted(), note});
}

void Estimate::sum_components() {
    for (auto& d : devices) {
        d.components = {{kWeights, 0}, {kKvCache, 0}, {kState, 0}, {kActivations, 0}, {kOverhead, 0}};
        d.total_bytes = 0;
    }
    host_components.clear();
    host_total_bytes = 0;
    auto add_to = [](i64& total, i64 bytes) { total = checked::add(total, bytes); };
    for (const auto& item : breakdown) {
        if (item.device < 0) {
            add_to(host_components[item.component], item.bytes);
            add_to(host_total_bytes, item.bytes);
        } else if (item.device < static_cast<int>(devices.size())) {
            add_to(devices[static_cast<size_t>(item.device)].components[item.component], item.bytes);
            add_to(devices[static_cast<size_t>(item.device)].total_bytes, item.bytes);
        }
    }
}

void Estimate::decide(bool engine_ok, i64 concurrency, const VerdictMargin& m) {
    bool ok = engine_ok, tight = m.pool_factor > 0 && kv.max_concurrency < m.pool_factor * static_cast<double>(concurrency);
    for (auto& d : devices) {
        d.headroom_bytes = checked::sub(d.budget_bytes, d.required_bytes, overflow_field());
        if (d.headroom_bytes < 0) ok = false;
        if (d.headroom_bytes < m.headroom_bytes) tight = true;
        if (d.headroom_bytes < static_cast<i64>(m.headroom_fraction * static_cast<double>(d.budget_bytes))) tight = true;
    }
    if (host_capacity_bytes > 0) {
        host_required_bytes = host_total_bytes;
        if (host_unified)
            for (const auto& d : devices) host_required_bytes = checked::add(host_required_bytes, d.required_bytes);
        host_headroom_bytes = checked::sub(host_capacity_bytes, host_required_bytes, overflow_field());
        if (host_headroom_bytes < 0) {
            ok = false;
            warnings.push_back("system RAM does not fit: " + format_size(host_required_bytes) + " needed" +
                               (host_unified ? " from the unified memory (GPU share and host buffers together)" : " in host memory") + ", " +
                               format_size(host_capacity_bytes) + " installed");
        }
    }
    fits = ok;
    verdict = !ok ? "does_not_fit" : tight ? "tight" : "fits";
}

std::string VerdictMargin::describe() const {
    std::vector<std::string> parts;
    if (pool_factor > 0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", pool_factor);
        parts.push_back(std::string("the KV cache holds fewer than ") + buf + " × the requests asked");
    }
    if (headroom_bytes > 0) parts.push_back("a device keeps less than " + format_size(headroom_bytes) + " free");
    if (headroom_fraction > 0)
        parts.push_back("a device keeps less than " + std::to_string(static_cast<int>(headroom_fraction * 100 + 0.5)) + "% of its budget free");
    std::string out = "a fit is tight when ";
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? " or " : "") + parts[i];
    return parts.empty() ? "" : out;
}

}  // namespace fitmygpu
