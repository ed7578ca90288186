// Max context and max concurrency: binary searches over the forward estimate (fits is monotone in both).
#include <algorithm>

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

}  // namespace

Limits solve_limits(const Scenario& s) {
    NumbersOnly quiet;
    Scenario probe = s;  // one copy, changed in place by every probe
    Limits l;
    const i64 max_ctx = s.geometry.max_position_embeddings > 0 ? std::min(s.geometry.max_position_embeddings, kMaxContext) : kMaxContext;
    if (fits_with(probe, 1, s.concurrency))
        l.max_context = largest_true(1, std::max(max_ctx, s.context), [&](i64 c) { return fits_with(probe, c, s.concurrency); });
    if (fits_with(probe, s.context, 1)) {
        i64 hi = 1;
        while (hi < kMaxSolvedConcurrency && fits_with(probe, s.context, hi * 2)) hi *= 2;
        l.max_concurrency = largest_true(hi, std::min<i64>(hi * 2, kMaxSolvedConcurrency), [&](i64 n) { return fits_with(probe, s.context, n); });
    }
    return l;
}

}  // namespace fitmygpu
