// Max context and max concurrency: the largest value at which the forward estimate still fits (fits is monotone
// in both). Two searches give the same answers: plain bisection (solve_limits), and a bracketed search that
// starts from what an estimate already knows (solve_limits_from), for callers that weigh many setups at once.
#include <algorithm>
#include <cmath>
#include <vector>

#include "fitmygpu/error.hpp"
#include "fitmygpu/request.hpp"
#include "fitmygpu/solvers.hpp"

namespace fitmygpu {

namespace {

// A probe that the estimate refuses (a size beyond 64 bits, a context shorter than the images) does not fit; any
// other exception is a bug and goes on up.
bool fits_with(Scenario& probe, i64 context, i64 concurrency) {
    probe.context = context;
    probe.concurrency = concurrency;
    try {
        return estimate_engine(probe).fits;
    } catch (const FieldError&) {
        return false;
    }
}

// Largest x in [lo, hi] with pred(x) true, given pred(lo) true and pred monotone decreasing.
template <class Pred>
i64 largest_true(i64 lo, i64 hi, Pred pred) {
    while (lo < hi) {
        const i64 mid = lo + (hi - lo + 1) / 2;
        if (pred(mid)) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

// The answers stay within what a request may ask: a context of at most kMaxContext tokens (and the model's trained
// context), a concurrency of at most kMaxConcurrency.
constexpr i64 kMaxSolvedConcurrency = kMaxConcurrency;

// The upper end of the context search: the model's window (when known) or the request bound, and at least the
// context asked.
i64 context_ceiling(const Scenario& s) {
    const i64 window = native_context(s);
    const i64 max_ctx = window > 0 ? std::min(window, kMaxContext) : kMaxContext;
    return std::max(max_ctx, s.context);
}

// ---- the bracketed search ----

// One probe of the estimate: whether it fits, and where it expects the last fitting value to be (NaN when it
// cannot tell), from the memory left over and from the KV pool.
struct Point {
    i64 x = 0;
    bool fits = false;
    double slack = NAN;  // bytes to spare on the tightest device or system RAM (negative: short); NaN if refused
    double pool = NAN;   // the engine's own guess of the largest value its KV pool holds; NaN if none
};

double slack_of(const Estimate& e) {
    double s = INFINITY;
    for (const auto& d : e.devices) s = std::min(s, static_cast<double>(d.headroom_bytes));
    if (e.host_capacity_bytes > 0) s = std::min(s, static_cast<double>(e.host_headroom_bytes));
    return std::isfinite(s) ? s : NAN;
}

// Largest x in [lo, hi] with fits(x), or lo − 1 when none, for a monotone fits: the bracket (largest known fit,
// smallest known misfit) only ever shrinks, so the answer is the bisection's whatever the guesses are; the
// guesses only choose which values to probe. `probe(x)` returns the Point at x; `known` are probes already made.
template <class Probe>
i64 bracketed(i64 lo, i64 hi, std::vector<Point> known, Probe probe) {
    i64 good = lo - 1, bad = hi + 1;  // fits(good) (or below range), !fits(bad) (or above range)
    const Point* last_good = nullptr;
    const Point* last_bad = nullptr;
    std::vector<Point> seen;
    seen.reserve(64);
    auto take = [&](const Point& p) {
        seen.push_back(p);
        if (p.fits && p.x > good) good = p.x;
        if (!p.fits && p.x < bad) bad = p.x;
    };
    for (const auto& p : known)
        if (p.x >= lo && p.x <= hi) take(p);
    bool guessed_last = false;
    i64 width_at_guess = 0;
    while (good + 1 < bad) {
        // The two probes nearest the bracket's ends, for the interpolation.
        last_good = last_bad = nullptr;
        for (const auto& p : seen) {
            if (p.x == good && p.fits) last_good = &p;
            if (p.x == bad && !p.fits) last_bad = &p;
        }
        double guess = NAN;
        const Point* near = last_good ? last_good : last_bad;
        if (last_good && last_bad && std::isfinite(last_good->slack) && std::isfinite(last_bad->slack) && last_bad->slack < 0 && last_good->slack >= 0) {
            const double t = last_good->slack / (last_good->slack - last_bad->slack);
            guess = static_cast<double>(last_good->x) + t * static_cast<double>(last_bad->x - last_good->x);
        }
        // The KV pool's own count, when it binds sooner than the memory.
        for (const Point* p : {last_good, last_bad})
            if (p && std::isfinite(p->pool) && (!std::isfinite(guess) || p->pool < guess)) guess = p->pool;
        if (!std::isfinite(guess) && near && std::isfinite(near->pool)) guess = near->pool;
        const i64 width = bad - good - 1;
        i64 x;
        // A guess that did not halve the bracket last time is followed by a bisection step, so the search never
        // takes more than about twice the bisection's probes.
        const bool bisect = !std::isfinite(guess) || (guessed_last && width * 2 > width_at_guess);
        if (bisect) {
            x = good + 1 + (width - 1) / 2;
            guessed_last = false;
        } else {
            x = static_cast<i64>(std::floor(std::min(guess, static_cast<double>(bad - 1))));
            x = std::clamp(x, good + 1, bad - 1);
            // At the guess the value fits or not; its neighbour then settles it.
            guessed_last = true;
            width_at_guess = width;
        }
        Point p = probe(x);
        take(p);
        if (!bisect) {
            const i64 next = p.fits ? x + 1 : x - 1;
            if (next > good && next < bad) take(probe(next));
        }
    }
    return good;
}

// The layout the estimate says the engine chose itself (Estimate::placed_layers), kept by the probes so that the limits
// answer for that layout: the largest context or concurrency it holds.
void keep_chosen_layout(Scenario& probe, const Estimate& e) {
    if (e.placed_layers < 0) return;
    probe.engine.n_gpu_layers = e.placed_layers;
    probe.engine.n_cpu_moe = e.placed_cpu_moe;
    probe.engine.output_on_host = e.placed_output_on_host;
}

}  // namespace

Limits solve_limits(const Scenario& s, const Estimate& e) {
    NumbersOnly quiet;
    Scenario probe = s;  // one copy, changed in place by every probe
    adopt_checkpoint_bytes(probe, s);
    keep_chosen_layout(probe, e);
    Limits l;
    if (fits_with(probe, 1, s.concurrency)) l.max_context = largest_true(1, context_ceiling(s), [&](i64 c) { return fits_with(probe, c, s.concurrency); });
    if (fits_with(probe, s.context, 1)) {
        i64 hi = 1;
        while (hi < kMaxSolvedConcurrency && fits_with(probe, s.context, hi * 2)) hi *= 2;
        l.max_concurrency = largest_true(hi, std::min<i64>(hi * 2, kMaxSolvedConcurrency), [&](i64 n) { return fits_with(probe, s.context, n); });
    }
    return l;
}

namespace {

// The probes of solve_limits_from: the estimate at (context, concurrency) as a Point along one of the two.
struct Prober {
    Scenario probe;
    Prober(const Scenario& s, const Estimate& asked) : probe(s) {
        adopt_checkpoint_bytes(probe, s);
        keep_chosen_layout(probe, asked);
    }
    // A pool engine reports how many requests its KV cache holds (vLLM, SGLang, TensorRT-LLM); engines that size
    // the cache to the request report the concurrency asked, which says nothing about the limit.
    static bool pool_engine(const Estimate& e, i64 concurrency) {
        return e.kv.max_concurrency > 0 && std::fabs(e.kv.max_concurrency - static_cast<double>(concurrency)) > 1e-9;
    }
    static Point from(const Estimate& e, i64 context, i64 concurrency, bool along_context) {
        Point p;
        p.x = along_context ? context : concurrency;
        p.fits = e.fits;
        if (e.verdict != kExceedsContext) p.slack = slack_of(e);
        if (pool_engine(e, concurrency))
            p.pool = along_context ? std::floor(e.kv.max_concurrency * static_cast<double>(context) / static_cast<double>(concurrency))
                                   : std::floor(e.kv.max_concurrency);
        return p;
    }
    Point at(i64 context, i64 concurrency, bool along_context) {
        probe.context = context;
        probe.concurrency = concurrency;
        try {
            return from(estimate_engine(probe), context, concurrency, along_context);
        } catch (const FieldError&) {
            Point p;
            p.x = along_context ? context : concurrency;
            return p;
        }
    }
};

// What does not fit as asked may not fit at all: the smallest value first (one probe settles most of those). Then,
// for the context, the window: most setups that fit at all fit the model's whole window.
i64 max_context_from(const Scenario& s, const Estimate& asked, Prober& pr) {
    const i64 ceiling = context_ceiling(s);
    std::vector<Point> known{Prober::from(asked, s.context, s.concurrency, true)};
    bool any = asked.fits;
    if (!any && s.context > 1) {
        known.push_back(pr.at(1, s.concurrency, true));
        any = known.back().fits;
    }
    if (!any) return 0;
    if (ceiling != s.context) known.push_back(pr.at(ceiling, s.concurrency, true));
    return bracketed(1, ceiling, known, [&](i64 c) { return pr.at(c, s.concurrency, true); });
}

i64 max_concurrency_from(const Scenario& s, const Estimate& asked, Prober& pr) {
    std::vector<Point> known{Prober::from(asked, s.context, s.concurrency, false)};
    bool any = asked.fits;
    if (!any && s.concurrency > 1) {
        known.push_back(pr.at(s.context, 1, false));
        any = known.back().fits;
    }
    if (!any) return 0;
    return bracketed(1, kMaxSolvedConcurrency, known, [&](i64 n) { return pr.at(s.context, n, false); });
}

}  // namespace

Limits solve_limits_from(const Scenario& s, const Estimate& asked) {
    NumbersOnly quiet;
    Prober pr(s, asked);
    Limits l;
    l.max_context = max_context_from(s, asked, pr);
    l.max_concurrency = max_concurrency_from(s, asked, pr);
    return l;
}

i64 solve_max_context_from(const Scenario& s, const Estimate& asked) {
    NumbersOnly quiet;
    Prober pr(s, asked);
    return max_context_from(s, asked, pr);
}

}  // namespace fitmygpu
