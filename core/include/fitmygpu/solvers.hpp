// Stage 4 of the pipeline: the inverse questions, answered by running the forward estimate on changed
// setups. Each solver works on one scenario and changes only the fields it searches over.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fitmygpu/estimate.hpp"

namespace fitmygpu {

// The largest context at the asked concurrency and the largest concurrency at the asked context that still
// fit (0 when even the smallest does not), bounded by the model's trained context.
Limits solve_limits(const Scenario& s);

// The fewest cards of `device` that fit the scenario, among the runtime's card counts (registry); nullopt
// when none does. Works on `probe` itself (its devices and layout knobs change while it runs and are restored
// before it returns), so a caller asking for many devices copies no scenario.
std::optional<int> fewest_cards(Scenario& probe, const Device& device);

// The scenario under each checkpoint format its runtime loads: the registry's sweep plus the model's
// published formats.
struct CheckpointOption {
    std::string weights;  // format id
    std::string label;
    bool published = false;
    bool evaluated = false;  // false when the format cannot be estimated for this setup (see error)
    double bits_per_weight = 0;
    i64 weights_bytes = 0;
    bool fits = false;
    std::string verdict;
    i64 headroom_bytes = 0;  // the smallest over the devices
    std::string error;
};
struct CheckpointSweep {
    std::vector<CheckpointOption> options;  // most bits per weight first
    std::string best;                       // the published format with the most bits that fits (any format for a custom model); "" if none
    std::string best_any;                   // the same over every format
};
CheckpointSweep sweep_checkpoints(Scenario s);  // by value: a scenario built for the sweep is moved in, not copied

// The smallest headroom over an estimate's devices.
i64 min_headroom(const Estimate& e);

}  // namespace fitmygpu
