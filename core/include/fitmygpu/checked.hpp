// Checked integer arithmetic for byte and element counts built from outside values (a request's context and
// concurrency, a config's sizes, engine knobs). A product that a 64-bit integer cannot hold is refused with
// FieldError("out_of_range", field) naming the input to lower; it never wraps into a negative size or a size
// small enough to "fit".
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>

#include "fitmygpu/error.hpp"
#include "fitmygpu/units.hpp"

namespace fitmygpu {

// Throws FieldError("out_of_range", field, ...) saying that `what` is beyond 64-bit byte counts.
[[noreturn]] void fail_overflow(const std::string& field, const std::string& what);

// The field an overflow inside an estimate is blamed on (formula arithmetic in Q carries no field of its
// own). estimate_engine sets it for the scenario it runs; "" outside any estimate.
const std::string& overflow_field();

// Sets overflow_field() while alive and restores the previous one when it goes.
class OverflowField {
public:
    explicit OverflowField(std::string field);
    ~OverflowField();
    OverflowField(const OverflowField&) = delete;
    OverflowField& operator=(const OverflowField&) = delete;

private:
    std::string previous_;
};

namespace checked {

// a × b, a + b, a − b; FieldError("out_of_range", field) when the result does not fit in 64 bits.
inline i64 mul(i64 a, i64 b, const std::string& field, const char* what = "a size") {
    // Two factors that fit in 32 bits cannot overflow 64 (the usual case: counts of heads, layers, tokens): multiplied
    // directly, since the checked multiply is a call to a 128-bit multiply on 32-bit targets such as WebAssembly.
    if (a == static_cast<int32_t>(a) && b == static_cast<int32_t>(b)) return a * b;
    i64 r;
    if (__builtin_mul_overflow(a, b, &r)) fail_overflow(field, what);
    return r;
}
inline i64 add(i64 a, i64 b, const std::string& field, const char* what = "a size") {
    i64 r;
    if (__builtin_add_overflow(a, b, &r)) fail_overflow(field, what);
    return r;
}
inline i64 sub(i64 a, i64 b, const std::string& field, const char* what = "a size") {
    i64 r;
    if (__builtin_sub_overflow(a, b, &r)) fail_overflow(field, what);
    return r;
}
// The product of several factors, checked at each step.
inline i64 mul(std::initializer_list<i64> factors, const std::string& field, const char* what = "a size") {
    i64 r = 1;
    for (i64 f : factors) r = mul(r, f, field, what);
    return r;
}

// The same, blaming overflow_field(): for arithmetic deep inside an engine, where the scenario's workload is what
// grew too large.
inline i64 mul(i64 a, i64 b) { return mul(a, b, overflow_field()); }
inline i64 add(i64 a, i64 b) { return add(a, b, overflow_field()); }
inline i64 mul(std::initializer_list<i64> factors) { return mul(factors, overflow_field()); }

// A double turned into bytes: FieldError when it is not finite or beyond 64 bits (a static_cast would be undefined).
i64 to_i64(double v, const std::string& field, const char* what = "a size");
inline i64 to_i64(double v) { return to_i64(v, overflow_field()); }

}  // namespace checked

}  // namespace fitmygpu
