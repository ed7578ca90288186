#include "fitmygpu/estimate.hpp"

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
    for (const auto& item : breakdown) {
        if (item.device < 0) {
            host_components[item.component] += item.bytes;
            host_total_bytes += item.bytes;
        } else if (item.device < static_cast<int>(devices.size())) {
            devices[static_cast<size_t>(item.device)].components[item.component] += item.bytes;
            devices[static_cast<size_t>(item.device)].total_bytes += item.bytes;
        }
    }
}

}  // namespace fitmygpu
