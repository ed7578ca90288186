#include "fitmygpu/expr.hpp"

#include "fitmygpu/checked.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace fitmygpu {

std::string group_digits(i64 v) {
    std::string digits = std::to_string(v < 0 ? -v : v);
    std::string out;
    int n = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (n > 0 && n % 3 == 0) out.push_back(',');
        out.push_back(*it);
        ++n;
    }
    if (v < 0) out.push_back('-');
    std::reverse(out.begin(), out.end());
    return out;
}

std::string format_binary(i64 bytes) {
    char buf[64];
    const double b = static_cast<double>(bytes);
    if (std::llabs(bytes) >= GiB) std::snprintf(buf, sizeof buf, "%.2f GiB", b / static_cast<double>(GiB));
    else if (std::llabs(bytes) >= MiB) std::snprintf(buf, sizeof buf, "%.2f MiB", b / static_cast<double>(MiB));
    else if (std::llabs(bytes) >= KiB) std::snprintf(buf, sizeof buf, "%.2f KiB", b / static_cast<double>(KiB));
    else std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
    return buf;
}

std::string format_decimal(i64 bytes) {
    char buf[64];
    const double b = static_cast<double>(bytes);
    const long long a = std::llabs(bytes);
    if (a >= 1000000000LL) std::snprintf(buf, sizeof buf, "%.2f GB", b / 1e9);
    else if (a >= 1000000LL) std::snprintf(buf, sizeof buf, "%.2f MB", b / 1e6);
    else if (a >= 1000LL) std::snprintf(buf, sizeof buf, "%.2f kB", b / 1e3);
    else std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
    return buf;
}

namespace {
// ASCII group separator: never produced by the core's own texts. A stray one from outside input (a device
// name) is dropped when rendered.
constexpr char kSizeMark = '\x1d';
}  // namespace

std::string format_size(i64 bytes) { return kSizeMark + std::to_string(bytes) + kSizeMark; }

std::string render_sizes(const std::string& text, bool decimal) {
    if (text.find(kSizeMark) == std::string::npos) return text;
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] != kSizeMark) {
            out.push_back(text[i++]);
            continue;
        }
        const size_t end = text.find(kSizeMark, i + 1);
        size_t digits = i + 1;
        if (digits < text.size() && text[digits] == '-') ++digits;
        bool number = end != std::string::npos && end > digits && end - digits <= 19;
        for (size_t k = digits; number && k < end; ++k) number = std::isdigit(static_cast<unsigned char>(text[k])) != 0;
        if (!number) {
            ++i;  // a lone marker: dropped
            continue;
        }
        const i64 bytes = std::strtoll(text.substr(i + 1, end - i - 1).c_str(), nullptr, 10);  // saturates
        out += decimal ? format_decimal(bytes) : format_binary(bytes);
        i = end + 1;
    }
    return out;
}

#define FMG_NUMBERS_ONLY(v) \
    if (NumbersOnly::active()) return Q(v, std::string(), std::string(), 3)

Q Q::var(std::string name, i64 value, std::string unit) {
    FMG_NUMBERS_ONLY(value);
    std::string s = group_digits(value);
    if (!unit.empty()) s += " " + unit;
    return Q(value, std::move(name), std::move(s), 3);
}
Q Q::lit(i64 value, std::string unit) {
    FMG_NUMBERS_ONLY(value);
    std::string s = group_digits(value);
    if (!unit.empty()) s += " " + unit;
    return Q(value, s, s, 3);
}
Q Q::bytes(std::string name, i64 value) {
    FMG_NUMBERS_ONLY(value);
    return Q(value, std::move(name), format_size(value), 3);
}
Q Q::named(std::string name) const {
    FMG_NUMBERS_ONLY(v_);
    return Q(v_, std::move(name), format_size(v_), 3);
}

std::string Q::pf(int min_prec) const { return prec_ < min_prec ? "(" + f_ + ")" : f_; }
std::string Q::ps(int min_prec) const { return prec_ < min_prec ? "(" + s_ + ")" : s_; }

namespace {
// What overflowed, for the message: the formula when texts are built (shortened), else a generic phrase.
std::string overflow_what(const std::string& a, const char* op, const std::string& b) {
    if (a.empty() && b.empty()) return "an amount in the estimate";
    std::string f = a + op + b;
    if (f.size() > 160) f = f.substr(0, 157) + "...";
    return "the amount " + f;
}
void check_op(bool overflowed, const std::string& a, const char* op, const std::string& b) {
    if (overflowed) fail_overflow(overflow_field(), overflow_what(a, op, b));
}
}  // namespace

Q operator+(const Q& a, const Q& b) {
    i64 v;
    check_op(__builtin_add_overflow(a.v_, b.v_, &v), a.f_, " + ", b.f_);
    FMG_NUMBERS_ONLY(v);
    return Q(v, a.f_ + " + " + b.f_, a.s_ + " + " + b.s_, 1);
}
Q operator-(const Q& a, const Q& b) {
    i64 v;
    check_op(__builtin_sub_overflow(a.v_, b.v_, &v), a.f_, " − ", b.f_);
    FMG_NUMBERS_ONLY(v);
    return Q(v, a.f_ + " − " + b.pf(2), a.s_ + " − " + b.ps(2), 1);
}
Q operator*(const Q& a, const Q& b) {
    i64 v;
    check_op(__builtin_mul_overflow(a.v_, b.v_, &v), a.f_, " × ", b.f_);
    FMG_NUMBERS_ONLY(v);
    return Q(v, a.pf(2) + " × " + b.pf(2), a.ps(2) + " × " + b.ps(2), 2);
}
Q operator/(const Q& a, const Q& b) {
    FMG_NUMBERS_ONLY(b.v_ != 0 ? a.v_ / b.v_ : 0);
    return Q(b.v_ != 0 ? a.v_ / b.v_ : 0, "floor(" + a.f_ + " / " + b.pf(3) + ")", "floor(" + a.s_ + " / " + b.ps(3) + ")", 3);
}
Q ceil_div(const Q& a, const Q& b) {
    FMG_NUMBERS_ONLY(b.v_ != 0 ? ceil_div(a.v_, b.v_) : 0);
    return Q(b.v_ != 0 ? ceil_div(a.v_, b.v_) : 0, "ceil(" + a.f_ + " / " + b.pf(3) + ")", "ceil(" + a.s_ + " / " + b.ps(3) + ")", 3);
}
Q round_up(const Q& a, const Q& m) {
    FMG_NUMBERS_ONLY(m.v_ != 0 ? round_up(a.v_, m.v_) : a.v_);
    return Q(m.v_ != 0 ? round_up(a.v_, m.v_) : a.v_, "roundup(" + a.f_ + ", " + m.f_ + ")", "roundup(" + a.s_ + ", " + m.s_ + ")", 3);
}
Q max(const Q& a, const Q& b) {
    FMG_NUMBERS_ONLY(std::max(a.v_, b.v_));
    return Q(std::max(a.v_, b.v_), "max(" + a.f_ + ", " + b.f_ + ")", "max(" + a.s_ + ", " + b.s_ + ")", 3);
}
Q min(const Q& a, const Q& b) {
    FMG_NUMBERS_ONLY(std::min(a.v_, b.v_));
    return Q(std::min(a.v_, b.v_), "min(" + a.f_ + ", " + b.f_ + ")", "min(" + a.s_ + ", " + b.s_ + ")", 3);
}
Q scale(const Q& a, double k, const std::string& name) {
    const i64 v = checked::to_i64(std::floor(static_cast<double>(a.v_) * k), overflow_field(), "a scaled amount");
    FMG_NUMBERS_ONLY(v);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", k);
    return Q(v, name + " × " + a.pf(2), std::string(buf) + " × " + a.ps(2), 2);
}

}  // namespace fitmygpu
