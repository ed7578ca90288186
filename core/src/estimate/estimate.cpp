// The estimate stage: the runtime's engine (through the registry), then the solved limits and speed.
#include "fitmygpu/estimate.hpp"

#include <algorithm>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/checked.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/request.hpp"
#include "fitmygpu/solvers.hpp"
#include "fitmygpu/speed.hpp"

namespace fitmygpu {

namespace {
// The request field an overflow inside an engine is blamed on: what multiplies every per-token size is the
// workload, so the one of context and concurrency that is the larger share of its request bound.
std::string workload_field(const Scenario& s) {
    const double context = static_cast<double>(s.context) / static_cast<double>(kMaxContext);
    const double concurrency = static_cast<double>(s.concurrency) / static_cast<double>(kMaxConcurrency);
    return concurrency > context ? "concurrency" : "context";
}
}  // namespace

Estimate estimate_engine(const Scenario& s) {
    const OverflowField blame(workload_field(s));
    Estimate e = runtime_descriptor(s.runtime).estimate(s);
    // Beyond the model's window the memory may fit, but the model was not trained for it: never a fit.
    const i64 window = native_context(s);
    if (window > 0 && s.context > window) {
        e.fits = false;
        e.verdict = kExceedsContext;
        e.warnings.push_back("the context of " + group_digits(s.context) + " tokens is beyond the model's window of " + group_digits(window) +
                             " tokens: not counted as a fit");
    }
    return e;
}

i64 native_context(const Scenario& s) {
    if (s.geometry.max_position_embeddings > 0) return s.geometry.max_position_embeddings;
    // A config that leaves the field at its class default (Gemma 3's text_config) or has no positions at all (Mamba):
    // the catalog's context_window, the window the model was published with.
    if (s.model && s.model->entry.contains("context_window") && s.model->entry.at("context_window").is_number_integer())
        return std::max<i64>(0, s.model->entry.at("context_window").get<i64>());
    return 0;
}

Estimate estimate_without_limits(const Scenario& s) {
    Estimate e = estimate_engine(s);
    e.assumptions.insert(e.assumptions.begin(), s.assumptions.begin(), s.assumptions.end());
    e.warnings.insert(e.warnings.begin(), s.warnings.begin(), s.warnings.end());
    // Speed from where the engine placed the bytes (speed.hpp); unknown figures stay 0 with their reason.
    e.speed = estimate_speed(s, e, e.assumptions);
    return e;
}

Estimate estimate(const Scenario& s) {
    Estimate e = estimate_without_limits(s);
    e.limits = solve_limits(s, e);
    return e;
}

}  // namespace fitmygpu
