// Checked arithmetic: the refusal of a size beyond 64 bits, and the field it is blamed on.
#include "fitmygpu/checked.hpp"

#include <cmath>

namespace fitmygpu {

namespace {
std::string& current_field() {
    thread_local std::string field;
    return field;
}
}  // namespace

void fail_overflow(const std::string& field, const std::string& what) {
    // Outside an estimate nothing sets the field; the workload's context is what grows every size.
    const std::string& f = field.empty() ? std::string("context") : field;
    fail("out_of_range", f, what + " would exceed 2^63 bytes (9.2 EB), beyond any device; lower " + f);
}

const std::string& overflow_field() { return current_field(); }

OverflowField::OverflowField(std::string field) : previous_(std::move(current_field())) { current_field() = std::move(field); }
OverflowField::~OverflowField() { current_field() = std::move(previous_); }

namespace checked {

i64 to_i64(double v, const std::string& field, const char* what) {
    // 2^63 is exactly representable; every double below it converts.
    if (!std::isfinite(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0) fail_overflow(field, what);
    return static_cast<i64>(v);
}

}  // namespace checked

}  // namespace fitmygpu
