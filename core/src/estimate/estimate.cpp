// The estimate stage: the runtime's engine (through the registry), then the solved limits and speed.
#include "fitmygpu/estimate.hpp"

#include <algorithm>

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
    return runtime_descriptor(s.runtime).estimate(s);
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
    e.limits = solve_limits(s);
    return e;
}

}  // namespace fitmygpu
