// Fewest cards: the runtime's card counts (registry) tried in order on copies of one device.
#include "fitmygpu/registry.hpp"
#include "fitmygpu/solvers.hpp"

namespace fitmygpu {

i64 min_headroom(const Estimate& e) {
    i64 h = 0;
    for (size_t i = 0; i < e.devices.size(); ++i) h = i == 0 ? e.devices[i].headroom_bytes : std::min(h, e.devices[i].headroom_bytes);
    return h;
}

std::optional<int> fewest_cards(const Scenario& s, const Device& device) {
    NumbersOnly quiet;
    Scenario t = s;
    // The layout follows the card count: tensor-parallel engines split over all of them, layer splitters by
    // free memory.
    t.engine.tensor_parallel_size.reset();
    t.engine.tensor_split.clear();
    for (int n : runtime_descriptor(s.runtime).card_counts) {
        t.devices.assign(static_cast<size_t>(n), device);
        try {
            if (estimate_engine(t).fits) return n;
        } catch (const std::exception&) {
        }
    }
    return std::nullopt;
}

}  // namespace fitmygpu
