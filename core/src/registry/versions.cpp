// Engine versions (version.hpp): PEP 440 releases as the Python engines print them (vLLM, SGLang,
// TensorRT-LLM, mlx-lm), with a leading "v" as Git tags write them, and llama.cpp's build tags.
#include <algorithm>
#include <cctype>

#include "fitmygpu/version.hpp"

namespace fitmygpu {

namespace {

constexpr size_t kMaxVersionLength = 64;
constexpr size_t kMaxDigits = 9;  // a number in a version fits a long with room to spare

struct Cursor {
    std::string s;  // lower case
    size_t i = 0;
    bool at_end() const { return i >= s.size(); }
    char peek(size_t k = 0) const { return i + k < s.size() ? s[i + k] : '\0'; }
    bool digit(size_t k = 0) const { return std::isdigit(static_cast<unsigned char>(peek(k))) != 0; }
    // A run of digits; false when there is none or it is too long.
    bool number(long& out) {
        if (!digit()) return false;
        size_t n = 0;
        out = 0;
        while (digit()) {
            if (++n > kMaxDigits) return false;
            out = out * 10 + (s[i++] - '0');
        }
        return true;
    }
    static bool separator(char c) { return c == '.' || c == '-' || c == '_'; }
    // A word (after an optional separator) among `words`; advances past it when found.
    bool word(std::initializer_list<const char*> words, std::string& found) {
        const size_t start = i + (separator(peek()) ? 1 : 0);
        for (const char* w : words) {
            const std::string ws(w);
            if (s.compare(start, ws.size(), ws) == 0 && !std::isalpha(static_cast<unsigned char>(start + ws.size() < s.size() ? s[start + ws.size()] : '0'))) {
                i = start + ws.size();
                found = ws;
                return true;
            }
        }
        return false;
    }
    // An optional number after an optional separator (a missing number is 0, as PEP 440 reads "rc" for "rc0").
    bool optional_number(long& out) {
        out = 0;
        if (separator(peek()) && std::isdigit(static_cast<unsigned char>(peek(1)))) ++i;
        if (!digit()) return true;
        return number(out);
    }
};

}  // namespace

bool engine_version_before(const std::string& version, std::initializer_list<long> than) {
    const auto v = parse_engine_version(version);
    return v && v->before(than);
}

int nvidia_driver_major(const std::string& text) {
    if (text.size() < 3 || text.size() > 16) return 0;
    int major = 0, parts = 0;
    size_t digits = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        const char ch = i < text.size() ? text[i] : '.';
        if (ch >= '0' && ch <= '9') {
            if (parts == 0) major = major * 10 + (ch - '0');
            ++digits;
        } else if (ch == '.') {
            if (digits == 0 || (parts == 0 && digits != 3)) return 0;
            ++parts;
            digits = 0;
        } else {
            return 0;
        }
    }
    return parts <= 3 ? major : 0;
}

std::optional<EngineVersion> parse_engine_version(const std::string& text) {
    if (text.empty() || text.size() > kMaxVersionLength) return std::nullopt;
    Cursor c;
    for (unsigned char ch : text) {
        if (ch < 0x21 || ch > 0x7e) return std::nullopt;  // printable ASCII, no spaces
        c.s.push_back(static_cast<char>(std::tolower(ch)));
    }
    EngineVersion v;
    // llama.cpp's build tags: b6123.
    if (c.peek() == 'b' && c.digit(1)) {
        ++c.i;
        long build = 0;
        if (!c.number(build) || !c.at_end()) return std::nullopt;
        v.release = {build};
        v.build_tag = true;
        return v;
    }
    if (c.peek() == 'v' && c.digit(1)) ++c.i;
    long n = 0;
    if (!c.number(n)) return std::nullopt;
    v.release.push_back(n);
    while (c.peek() == '.' && c.digit(1)) {
        ++c.i;
        if (!c.number(n) || v.release.size() >= 8) return std::nullopt;
        v.release.push_back(n);
    }
    std::string w;
    if (c.word({"alpha", "beta", "preview", "pre", "rc", "a", "b", "c"}, w)) {
        v.pre = w == "alpha" || w == "a" ? "a" : w == "beta" || w == "b" ? "b" : "rc";
        if (!c.optional_number(v.pre_number)) return std::nullopt;
    }
    if (c.word({"post", "rev", "r"}, w)) {
        if (!c.optional_number(v.post)) return std::nullopt;
    } else if (c.peek() == '-' && c.digit(1)) {  // 1.0-1: an implicit post-release
        ++c.i;
        if (!c.number(v.post)) return std::nullopt;
    }
    if (c.word({"dev"}, w)) {
        if (!c.optional_number(v.dev)) return std::nullopt;
    }
    if (c.peek() == '+') {
        ++c.i;
        std::string part;
        while (!c.at_end()) {
            const char ch = c.s[c.i++];
            if (std::isalnum(static_cast<unsigned char>(ch))) part.push_back(ch);
            else if (Cursor::separator(ch) && !part.empty() && !c.at_end()) {
                v.local += (v.local.empty() ? "" : ".") + part;
                part.clear();
            } else return std::nullopt;
        }
        if (part.empty()) return std::nullopt;
        v.local += (v.local.empty() ? "" : ".") + part;
    }
    if (!c.at_end()) return std::nullopt;
    return v;
}

std::string EngineVersion::text() const {
    std::string out;
    if (build_tag) return "b" + std::to_string(release.empty() ? 0 : release.front());
    for (size_t i = 0; i < release.size(); ++i) {
        if (i) out += '.';
        out += std::to_string(release[i]);
    }
    if (!pre.empty()) out += pre + std::to_string(pre_number);
    if (post >= 0) out += ".post" + std::to_string(post);
    if (dev >= 0) out += ".dev" + std::to_string(dev);
    if (!local.empty()) out += "+" + local;
    return out;
}

bool EngineVersion::before(std::initializer_list<long> than) const {
    const size_t n = std::max(release.size(), than.size());
    for (size_t i = 0; i < n; ++i) {
        const long a = i < release.size() ? release[i] : 0, b = i < than.size() ? than.begin()[i] : 0;
        if (a != b) return a < b;
    }
    return false;
}

}  // namespace fitmygpu
