// The checkpoint sweep: the setup under every format its runtime loads, and the most precise that fits.
#include <algorithm>
#include <cmath>
#include <set>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/solvers.hpp"
#include "order.hpp"

namespace fitmygpu {

namespace {

// NVFP4 kernels need Blackwell tensor cores (compute capability 10 or later).
constexpr int kNvfp4MinComputeCapability = 10;

}  // namespace

bool format_runs_on(const WeightFormat& f, const std::vector<Device>& devices) {
    if (f.scheme != Scheme::NVFP4) return true;
    return !devices.empty() && devices.front().compute_capability_major >= kNvfp4MinComputeCapability;
}

CheckpointSweep sweep_checkpoints(Scenario s) {
    const Scenario& proto = s;
    const RuntimeDescriptor& rt = runtime_descriptor(proto.runtime);
    std::vector<std::string> ids;
    for (const auto& id : rt.sweep_formats) {
        const WeightFormat f = parse_weight_format(id);
        if (format_runs_on(f, proto.devices)) ids.push_back(f.id);
    }
    // GGUF's MXFP4 file type quantizes the experts only: offered for mixture-of-experts models.
    if (rt.loads_family(FormatFamily::Gguf) && proto.geometry.is_moe()) ids.push_back(parse_weight_format("gguf:MXFP4_MOE").id);
    // Formats the catalog lists a published checkpoint for are always offered (e.g. gpt-oss's MXFP4).
    std::set<std::string> published;
    if (proto.model)
        for (const auto& c : proto.model->checkpoints) {
            try {
                const WeightFormat f = parse_weight_format(c.format);
                published.insert(f.id);
                if (rt.loads(f) && std::find(ids.begin(), ids.end(), f.id) == ids.end()) ids.push_back(f.id);
            } catch (const FieldError&) {
            }
        }
    CheckpointSweep out;
    double best_bits = -1, best_any_bits = -1;
    const i64 params = proto.inventory.total_params();
    NumbersOnly quiet;
    for (const auto& id : ids) {
        s.weights = parse_weight_format(id);
        CheckpointOption o;
        o.weights = s.weights.id;
        o.label = s.weights.label();
        o.published = published.count(s.weights.id) > 0;
        try {
            const CheckpointBytes cb = checkpoint_bytes(s);
            const Estimate e = estimate_engine(s);
            o.evaluated = true;
            o.bits_per_weight = params > 0 ? static_cast<double>(cb.total) * 8.0 / static_cast<double>(params) : 0.0;
            o.weights_bytes = cb.total;
            o.fits = e.fits;
            o.verdict = e.verdict;
            o.headroom_bytes = min_headroom(e);
            o.max_context = solve_max_context_from(s, e);
            if (e.fits && o.bits_per_weight > best_any_bits) {
                best_any_bits = o.bits_per_weight;
                out.best_any = o.weights;
            }
            if (e.fits && o.published && o.bits_per_weight > best_bits) {
                best_bits = o.bits_per_weight;
                out.best = o.weights;
            }
        } catch (const FieldError& err) {
            o.verdict = "does_not_fit";
            o.error = err.what();
        }
        out.options.push_back(std::move(o));
    }
    // Most bits first, by the figure as shown (two decimals); equal figures keep the sweep's order.
    auto shown = [](double bits) { return std::round(bits * 100.0) / 100.0; };
    const auto& options = out.options;
    reorder(out.options,
            stable_order(options.size(), [&](size_t a, size_t b) { return shown(options[a].bits_per_weight) > shown(options[b].bits_per_weight); }));
    if (published.empty()) out.best = out.best_any;
    return out;
}

}  // namespace fitmygpu
