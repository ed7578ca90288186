// Regular expressions in the ECMAScript syntax that llama.cpp's --override-tensor (std::regex) and
// compressed-tensors' "re:" ignore entries (Python's re) are written in, matched by a small backtracking matcher
// with a step budget.
//
// Supported: literals and escapes (\. \\ \t \n \xHH ...), classes [a-z0-9_] and [^...] with \d \w \s inside and
// out (and \D \W \S), '.', ^ and $, \b and \B, groups (...) and (?:...), lookahead (?=...) and (?!...),
// alternation, and the quantifiers * + ? {n} {n,} {n,m}, greedy or lazy (a trailing ?). Not supported, and
// refused with a PatternError saying so: backreferences, lookbehind and named groups, which no tensor-name pattern
// uses. Matching is on bytes; a case-insensitive pattern folds ASCII letters.
//
// Bounds: a pattern of at most kMaxPatternBytes characters and kMaxPatternDepth nested groups, a quantifier count
// of at most kMaxRepeatCount; every search stops with a PatternError after kMaxPatternSteps steps, so a pattern
// that backtracks without end costs a bounded time and an error instead of a hang.
#pragma once
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fitmygpu {

inline constexpr size_t kMaxPatternBytes = 4096;
inline constexpr int kMaxPatternDepth = 64;
inline constexpr int kMaxRepeatCount = 1000;
inline constexpr long kMaxPatternSteps = 1000000;

class PatternError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct PatternMatch {
    size_t begin = 0, end = 0;
    // Capture groups 1..n as [begin, end) offsets; a group that took no part holds npos in both.
    std::vector<std::pair<size_t, size_t>> groups;
    std::string group(std::string_view text, size_t i) const;
};

class Pattern {
public:
    // Throws PatternError (naming the position and the problem) when the pattern cannot be read.
    explicit Pattern(std::string_view pattern, bool ignore_case = false);
    ~Pattern();
    Pattern(Pattern&&) noexcept;
    Pattern& operator=(Pattern&&) noexcept;

    // The leftmost match anywhere in text (std::regex_search).
    bool search(std::string_view text, PatternMatch* m = nullptr) const;
    // A match that starts at the beginning of text (match_continuous).
    bool match_prefix(std::string_view text, PatternMatch* m = nullptr) const;
    // A match of the whole text (std::regex_match).
    bool match_all(std::string_view text, PatternMatch* m = nullptr) const;
    // Every non-overlapping match replaced by `with` (taken literally).
    std::string replace_all(std::string_view text, std::string_view with) const;

    struct Program;

private:
    std::unique_ptr<Program> p_;
    bool find(std::string_view text, size_t from, bool anchored, bool whole, PatternMatch* m) const;
};

}  // namespace fitmygpu
