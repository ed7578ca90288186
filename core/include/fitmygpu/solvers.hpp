// Stage 4 of the pipeline: the inverse questions, answered by running the forward estimate on changed
// setups. Each solver works on one scenario and changes only the fields it searches over.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fitmygpu/estimate.hpp"

namespace fitmygpu {

// The model's window: the longest context it was trained for (its config's max_position_embeddings, else the
// catalog's context_window); 0 when unknown. A context
// beyond it is never a fit: estimate_engine gives it the verdict kExceedsContext (fits false) whatever the memory
// says, so every solver stops at the window too.
i64 native_context(const Scenario& s);
inline constexpr const char* kExceedsContext = "exceeds_context";

// The largest context at the asked concurrency and the largest concurrency at the asked context that still
// fit (0 when even the smallest does not), bounded by the model's trained context.
// `e` is the estimate of `s`: where it says the engine chose the layout itself (Estimate::placed_layers), the limits are
// those of that layout.
Limits solve_limits(const Scenario& s, const Estimate& e);
// The same answers, found with fewer estimates when `asked` (the estimate of `s` itself) is at hand: a bracketed
// search whose probes are guided by the memory left over and the KV pool's own count (the plan weighs thousands
// of setups at once).
Limits solve_limits_from(const Scenario& s, const Estimate& asked);
// Only the max context of solve_limits_from (the checkpoint sweep's column).
i64 solve_max_context_from(const Scenario& s, const Estimate& asked);

// The fewest cards of `device` that fit the scenario, among the runtime's card counts (registry); nullopt
// when none does. Works on `probe` itself (its devices and layout knobs change while it runs and are restored
// before it returns), so a caller asking for many devices copies no scenario. `one_card_fits`: the verdict of this
// setup on one card when the caller has it already (that estimate is then not run again).
std::optional<int> fewest_cards(Scenario& probe, const Device& device, std::optional<bool> one_card_fits = std::nullopt);

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
    i64 max_context = 0;     // the largest context that fits at the asked concurrency (never beyond the model's window)
    std::string error;
};
struct CheckpointSweep {
    std::vector<CheckpointOption> options;  // most bits per weight first
    std::string best;                       // the published format with the most bits that fits (any format for a custom model); "" if none
    std::string best_any;                   // the same over every format
};
CheckpointSweep sweep_checkpoints(Scenario s);  // by value: a scenario built for the sweep is moved in, not copied

// Whether the devices have the kernels the format needs (NVFP4: Blackwell tensor cores).
bool format_runs_on(const WeightFormat& f, const std::vector<Device>& devices);

// The smallest headroom over an estimate's devices.
i64 min_headroom(const Estimate& e);

}  // namespace fitmygpu
