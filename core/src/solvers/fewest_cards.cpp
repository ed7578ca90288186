// Fewest cards: the runtime's card counts (registry) tried in order on copies of one device.
#include "fitmygpu/error.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/solvers.hpp"

namespace fitmygpu {

i64 min_headroom(const Estimate& e) {
    i64 h = 0;
    for (size_t i = 0; i < e.devices.size(); ++i) h = i == 0 ? e.devices[i].headroom_bytes : std::min(h, e.devices[i].headroom_bytes);
    return h;
}

std::optional<int> fewest_cards(Scenario& probe, const Device& device, std::optional<bool> one_card_fits) {
    NumbersOnly quiet;
    // What the search changes, put back however it ends (the caller reuses the scenario for the next device).
    struct Restore {
        Scenario& s;
        std::vector<Device> devices;
        std::optional<int> tensor_parallel_size;
        std::vector<double> tensor_split;
        ~Restore() {
            s.devices = std::move(devices);
            s.engine.tensor_parallel_size = tensor_parallel_size;
            s.engine.tensor_split = std::move(tensor_split);
        }
    } restore{probe, probe.devices, probe.engine.tensor_parallel_size, probe.engine.tensor_split};
    // The layout follows the card count: tensor-parallel engines split over all of them, layer splitters by
    // free memory.
    probe.engine.tensor_parallel_size.reset();
    probe.engine.tensor_split.clear();
    for (int n : runtime_descriptor(probe.runtime).card_counts) {
        if (n == 1 && one_card_fits) {  // the caller has just estimated this very setup on one card
            if (*one_card_fits) return n;
            continue;
        }
        probe.devices.assign(static_cast<size_t>(n), device);
        try {
            if (estimate_engine(probe).fits) return n;
        } catch (const FieldError&) {
            // this layout is refused (e.g. a tensor-parallel size the heads do not divide): try the next count
        }
    }
    return std::nullopt;
}

}  // namespace fitmygpu
