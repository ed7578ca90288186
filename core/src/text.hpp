// Small text helpers the core's readers and parsers share.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

namespace fitmygpu {

// ASCII lower case (names, flags and quantization labels are ASCII; other bytes are kept).
// `x` with `decimals` digits after the point ("3.35").
inline std::string fixed_text(double x, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
    return buf;
}

inline std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

inline bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// "a" or "an" before a name, by how it is read: a vowel ("an Ollama"), or an acronym whose first letter is read
// with one ("an SGLang", "an MLX"; "a vLLM", "a TensorRT-LLM").
inline const char* article_for(const std::string& name) {
    if (name.empty()) return "a";
    const char c = name[0];
    if (std::string("AEIOUaeiou").find(c) != std::string::npos) return "an";
    const bool acronym = name.size() > 1 && std::isupper(static_cast<unsigned char>(name[1])) != 0;
    return acronym && std::string("FHLMNRSX").find(c) != std::string::npos ? "an" : "a";
}

// The longest name a "did you mean" compares: a longer one is no slip of a real name, and edit_distance costs time in
// proportion to its length.
constexpr size_t kLongestSlip = 64;

// Levenshtein distance (insertions, deletions and substitutions of one byte each). Names are short; callers bound the
// lengths they compare (kLongestSlip).
inline size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

// "a, b, c" for a message; past `at_most` items, "a, b and 3 more".
inline std::string joined(const std::vector<std::string>& items, size_t at_most = std::string::npos) {
    std::string out;
    for (size_t i = 0; i < items.size() && i < at_most; ++i) out += (i ? ", " : "") + items[i];
    if (items.size() > at_most) out += " and " + std::to_string(items.size() - at_most) + " more";
    return out;
}

// The parts of s between separators, as std::getline reads them: an empty s gives none, and a separator at the end
// no empty last part ("1,2," is "1", "2"; "1,,2" is "1", "", "2").
inline std::vector<std::string> parts(const std::string& s, char separator) {
    std::vector<std::string> out;
    for (size_t start = 0; start < s.size();) {
        const size_t stop = std::min(s.find(separator, start), s.size());
        out.push_back(s.substr(start, stop - start));
        start = stop + 1;
    }
    return out;
}

// Text from a file or a request as an error message may quote it: at most 80 bytes, control bytes as '?'.
inline std::string shown(const std::string& s) {
    std::string out;
    for (unsigned char c : s.substr(0, 80)) out.push_back(c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c));
    return s.size() > 80 ? out + "..." : out;
}

}  // namespace fitmygpu
