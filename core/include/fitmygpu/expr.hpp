// Quantities that carry their own formula. Each engine computes its numbers with these, so the text
// shown to the user ("layers × cells × K+V width × bytes") and the value come from one expression and
// cannot drift apart.
#pragma once
#include <string>

#include "fitmygpu/units.hpp"

namespace fitmygpu {

class Q {
public:
    Q() = default;
    // A named input: shows `name` in the formula and its value in the substituted text.
    static Q var(std::string name, i64 value, std::string unit = "");
    // A literal constant: shows the number in both texts.
    static Q lit(i64 value, std::string unit = "");
    // A named byte size shown in MiB/GiB when substituted (e.g. a measured constant).
    static Q bytes(std::string name, i64 value);

    i64 value() const { return v_; }
    const std::string& formula() const { return f_; }
    const std::string& substituted() const { return s_; }
    // Renames a compound expression so it can be used as a term of a larger one ("KV per token").
    Q named(std::string name) const;

    friend Q operator+(const Q& a, const Q& b);
    friend Q operator-(const Q& a, const Q& b);
    friend Q operator*(const Q& a, const Q& b);
    friend Q operator/(const Q& a, const Q& b);  // floor division
    friend Q ceil_div(const Q& a, const Q& b);
    friend Q round_up(const Q& a, const Q& m);
    friend Q max(const Q& a, const Q& b);
    friend Q min(const Q& a, const Q& b);
    // floor(a × k), shown as "name × a".
    friend Q scale(const Q& a, double k, const std::string& name);

private:
    Q(i64 v, std::string f, std::string s, int prec) : v_(v), f_(std::move(f)), s_(std::move(s)), prec_(prec) {}
    std::string pf(int min_prec) const;
    std::string ps(int min_prec) const;

    i64 v_ = 0;
    std::string f_ = "0";
    std::string s_ = "0";
    int prec_ = 3;  // 1 sum, 2 product, 3 atom
};

// A per-thread switch that holds its value while a guard is alive and is restored when the guard goes.
template <class Tag>
class ScopedFlag {
public:
    explicit ScopedFlag(bool on = true) : previous_(flag()) { flag() = on; }
    ~ScopedFlag() { flag() = previous_; }
    ScopedFlag(const ScopedFlag&) = delete;
    ScopedFlag& operator=(const ScopedFlag&) = delete;
    static bool active() { return flag(); }

private:
    static bool& flag() {
        thread_local bool value = false;
        return value;
    }
    bool previous_;
};

// While a NumbersOnly guard is alive (solvers evaluating thousands of candidate setups), Q skips
// building its texts; values are unaffected.
using NumbersOnly = ScopedFlag<struct NumbersOnlyTag>;

// "8,192", "1,048,576"
std::string group_digits(i64 v);
// "4.25 GiB", "512.00 MiB", "730 B" — binary units, always labelled.
std::string format_binary(i64 bytes);
// "4.56 GB", "536.87 MB", "730 B" — decimal units, always labelled.
std::string format_decimal(i64 bytes);

// A byte amount inside a text (a formula, note, assumption, warning or message). The core writes it as a
// marker carrying the exact number of bytes; the API layer renders every marker in the units the request
// asked for (render_sizes), so one text never mixes GiB and GB and no formatting state is kept anywhere.
std::string format_size(i64 bytes);
// Replaces each format_size marker in `text` with format_decimal (decimal) or format_binary.
std::string render_sizes(const std::string& text, bool decimal);

}  // namespace fitmygpu
