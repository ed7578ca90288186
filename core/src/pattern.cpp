// A backtracking matcher for the ECMAScript subset described in pattern.hpp: the pattern is parsed into
// alternatives of node sequences, and matched with explicit continuation frames so that a repeated group can
// go round again or hand over to what follows it. Repeated character sets loop without recursing.
#include "fitmygpu/pattern.hpp"

#include <algorithm>
#include <bitset>
#include <cctype>
#include <cstdint>

namespace fitmygpu {

// Named rather than anonymous: Pattern::Program holds these types.
namespace pattern_detail {

constexpr size_t npos = static_cast<size_t>(-1);
// Nested continuations per match (each repeated group's turn is one): bounded so that a match never runs out of
// the WebAssembly stack.
constexpr int kMaxMatchDepth = 1000;

struct Node;
using Seq = std::vector<Node>;
using CharSet = std::bitset<256>;

enum class Kind : uint8_t { Set, Bol, Eol, WordEdge, NotWordEdge, Group, Ahead, NotAhead };

struct Node {
    Kind kind = Kind::Set;
    bool greedy = true;
    int min = 1, max = 1;  // max < 0: no limit
    int cap = -1;          // a capturing group's index (0-based)
    CharSet set;
    std::vector<Seq> alts;
};

bool is_word_char(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

CharSet digits() {
    CharSet s;
    for (int c = '0'; c <= '9'; ++c) s.set(c);
    return s;
}
CharSet word_chars() {
    CharSet s;
    for (int c = 0; c < 256; ++c)
        if (is_word_char(static_cast<unsigned char>(c))) s.set(c);
    return s;
}
CharSet spaces() {
    CharSet s;
    for (char c : {' ', '\t', '\n', '\r', '\f', '\v'}) s.set(static_cast<unsigned char>(c));
    return s;
}
CharSet fold(CharSet s) {
    for (int c = 'a'; c <= 'z'; ++c)
        if (s[c] || s[c - 'a' + 'A']) s.set(c), s.set(c - 'a' + 'A');
    return s;
}

class Parser {
public:
    Parser(std::string_view s, bool icase) : s_(s), icase_(icase) {}
    std::vector<Seq> parse() {
        if (s_.size() > kMaxPatternBytes) throw PatternError("the pattern is longer than " + std::to_string(kMaxPatternBytes) + " characters");
        std::vector<Seq> alts = alternation(0);
        if (i_ < s_.size()) error("unmatched )");
        return alts;
    }
    int captures() const { return ncap_; }

private:
    std::string_view s_;
    bool icase_;
    size_t i_ = 0;
    int ncap_ = 0;

    [[noreturn]] void error(const std::string& what) const { throw PatternError(what + " (at character " + std::to_string(std::min(i_, s_.size()) + 1) + ")"); }
    bool more() const { return i_ < s_.size(); }

    std::vector<Seq> alternation(int depth) {
        if (depth > kMaxPatternDepth) error("groups are nested more than " + std::to_string(kMaxPatternDepth) + " deep");
        std::vector<Seq> alts(1);
        while (more()) {
            const char c = s_[i_];
            if (c == '|') {
                ++i_;
                alts.emplace_back();
                continue;
            }
            if (c == ')') {
                if (depth == 0) error("unmatched )");
                break;
            }
            Node n = atom(depth);
            quantifier(n);
            alts.back().push_back(std::move(n));
        }
        return alts;
    }

    Node literal(unsigned char c) const {
        Node n;
        n.set.set(c);
        if (icase_) n.set = fold(n.set);
        return n;
    }

    Node atom(int depth) {
        const unsigned char c = static_cast<unsigned char>(s_[i_++]);
        Node n;
        switch (c) {
            case '(': {
                n.kind = Kind::Group;
                if (more() && s_[i_] == '?') {
                    ++i_;
                    const char k = more() ? s_[i_++] : '\0';
                    if (k == '=') n.kind = Kind::Ahead;
                    else if (k == '!') n.kind = Kind::NotAhead;
                    else if (k != ':') error(std::string("(?") + (k ? std::string(1, k) : "") + " (lookbehind or a named group) is not supported");
                } else {
                    n.cap = ncap_++;
                }
                n.alts = alternation(depth + 1);
                if (!more() || s_[i_] != ')') error("missing )");
                ++i_;
                return n;
            }
            case '[': n.set = char_class(); return n;
            case '.':
                n.set.set();
                n.set.reset('\n');
                n.set.reset('\r');
                return n;
            case '^': n.kind = Kind::Bol; return n;
            case '$': n.kind = Kind::Eol; return n;
            case '\\': {
                if (more() && (s_[i_] == 'b' || s_[i_] == 'B')) {
                    n.kind = s_[i_++] == 'b' ? Kind::WordEdge : Kind::NotWordEdge;
                    return n;
                }
                n.set = escape(false);
                if (icase_) n.set = fold(n.set);
                return n;
            }
            case '*':
            case '+':
            case '?': --i_; error(std::string("nothing to repeat before ") + static_cast<char>(c));
            default: return literal(c);
        }
    }

    int hex(size_t digits) {
        int v = 0;
        for (size_t k = 0; k < digits; ++k) {
            if (!more()) error("an escape ends early");
            const char h = s_[i_++];
            v *= 16;
            if (h >= '0' && h <= '9') v += h - '0';
            else if (h >= 'a' && h <= 'f') v += h - 'a' + 10;
            else if (h >= 'A' && h <= 'F') v += h - 'A' + 10;
            else error("a hexadecimal escape has a non-hexadecimal digit");
        }
        return v;
    }

    // After a backslash: the characters the escape stands for.
    CharSet escape(bool in_class) {
        if (!more()) error("the pattern ends with \\");
        const unsigned char c = static_cast<unsigned char>(s_[i_++]);
        CharSet s;
        switch (c) {
            case 'd': return digits();
            case 'D': return ~digits();
            case 'w': return word_chars();
            case 'W': return ~word_chars();
            case 's': return spaces();
            case 'S': return ~spaces();
            case 't': s.set('\t'); return s;
            case 'n': s.set('\n'); return s;
            case 'r': s.set('\r'); return s;
            case 'f': s.set('\f'); return s;
            case 'v': s.set('\v'); return s;
            case 'b':  // only reached inside a class: backspace
                s.set('\b');
                return s;
            case '0':
                if (more() && s_[i_] >= '0' && s_[i_] <= '9') error("octal escapes are not supported");
                s.set(0);
                return s;
            case 'x': s.set(static_cast<size_t>(hex(2))); return s;
            case 'u': {
                const int v = hex(4);
                if (v > 255) error("a \\u escape beyond \\u00ff");
                s.set(static_cast<size_t>(v));
                return s;
            }
            case 'c':
                if (!more() || !std::isalpha(static_cast<unsigned char>(s_[i_]))) error("\\c needs a letter");
                s.set(static_cast<size_t>(s_[i_++] % 32));
                return s;
            default: break;
        }
        if (c >= '1' && c <= '9') error(in_class ? "a digit escape in a class is not supported" : "backreferences are not supported");
        if (std::isalnum(c)) error(std::string("\\") + static_cast<char>(c) + " is not an escape");
        s.set(c);  // \. \\ \( \[ \- ... and any other punctuation stand for themselves
        return s;
    }

    // After '[': the class up to its ']'.
    CharSet char_class() {
        CharSet s;
        const bool negate = more() && s_[i_] == '^';
        if (negate) ++i_;
        // One member: a character (returned with single = true) or a class escape such as \d.
        auto member = [&](bool& single, unsigned char& ch) {
            const unsigned char c = static_cast<unsigned char>(s_[i_++]);
            if (c != '\\') {
                single = true;
                ch = c;
                CharSet one;
                one.set(c);
                return one;
            }
            const CharSet e = escape(true);
            single = e.count() == 1;
            if (single)
                for (int k = 0; k < 256; ++k)
                    if (e[k]) ch = static_cast<unsigned char>(k);
            return e;
        };
        while (true) {
            if (!more()) error("missing ] to close a class");
            if (s_[i_] == ']') {
                ++i_;
                break;
            }
            bool single = false;
            unsigned char lo = 0;
            const CharSet first = member(single, lo);
            if (single && i_ + 1 < s_.size() && s_[i_] == '-' && s_[i_ + 1] != ']') {
                ++i_;
                bool single_hi = false;
                unsigned char hi = 0;
                member(single_hi, hi);
                if (!single_hi) error("a range ends in a class escape");
                if (hi < lo) error("a range is out of order");
                for (int k = lo; k <= hi; ++k) s.set(static_cast<size_t>(k));
            } else {
                s |= first;
            }
        }
        if (icase_) s = fold(s);
        return negate ? ~s : s;
    }

    // Reads {n}, {n,} or {n,m} at i_ into min/max; false (nothing read) when the brace is not a count.
    bool braces(int& lo, int& hi) {
        size_t j = i_ + 1;
        auto number = [&](int& v) {
            const size_t start = j;
            long long n = 0;
            while (j < s_.size() && s_[j] >= '0' && s_[j] <= '9') {
                n = n * 10 + (s_[j++] - '0');
                if (n > kMaxRepeatCount) {
                    i_ = start;
                    error("a repeat count is larger than " + std::to_string(kMaxRepeatCount));
                }
            }
            v = static_cast<int>(n);
            return j > start;
        };
        if (!number(lo)) return false;
        hi = lo;
        if (j < s_.size() && s_[j] == ',') {
            ++j;
            if (!number(hi)) hi = -1;
        }
        if (j >= s_.size() || s_[j] != '}') return false;
        i_ = j + 1;
        return true;
    }

    void quantifier(Node& n) {
        if (!more()) return;
        const char c = s_[i_];
        int lo = 1, hi = 1;
        if (c == '*') lo = 0, hi = -1, ++i_;
        else if (c == '+') lo = 1, hi = -1, ++i_;
        else if (c == '?') lo = 0, hi = 1, ++i_;
        else if (c != '{' || !braces(lo, hi)) return;
        if (n.kind != Kind::Set && n.kind != Kind::Group) error("an assertion cannot be repeated");
        if (hi >= 0 && hi < lo) error("a repeat count range is out of order");
        n.min = lo;
        n.max = hi;
        if (more() && s_[i_] == '?') {
            n.greedy = false;
            ++i_;
        }
        if (more() && (s_[i_] == '*' || s_[i_] == '+' || s_[i_] == '?')) error("nothing to repeat");
    }
};

}  // namespace pattern_detail

using namespace pattern_detail;

struct Pattern::Program {
    std::vector<Seq> alts;
    int captures = 0;
};

namespace {

enum class FrameKind : uint8_t { Next, Loop, Accept, End };

// What to do once the current node has matched: go on with a sequence, count a turn of a repeated group, accept
// (inside a lookahead), or end the match (requiring the end of the text when the whole text must match).
struct Frame {
    FrameKind kind;
    const Seq* seq = nullptr;
    size_t index = 0;
    const Node* node = nullptr;
    int count = 0;
    size_t start = 0;
    const Frame* up = nullptr;
};

class Matcher {
public:
    Matcher(std::string_view t, int captures) : t_(t), caps(static_cast<size_t>(captures), {npos, npos}) {}
    std::string_view t_;
    std::vector<std::pair<size_t, size_t>> caps;
    size_t end = 0;
    long steps = 0;
    int depth = 0;

    struct Deeper {
        int& d;
        explicit Deeper(int& depth) : d(depth) {
            if (++d > kMaxMatchDepth) throw PatternError("the pattern nests repeats too deeply for this text");
        }
        ~Deeper() { --d; }
    };

    void tick() {
        if (++steps > kMaxPatternSteps) throw PatternError("the pattern needs more than " + std::to_string(kMaxPatternSteps) + " steps to match");
    }
    bool word_at(size_t pos) const { return pos < t_.size() && is_word_char(static_cast<unsigned char>(t_[pos])); }

    bool cont(const Frame* f, size_t pos) {
        switch (f->kind) {
            case FrameKind::Accept: return true;
            case FrameKind::End:
                if (f->index && pos != t_.size()) return false;
                end = pos;
                return true;
            case FrameKind::Next: return seq(*f->seq, f->index, pos, f->up);
            case FrameKind::Loop: {
                const Node& n = *f->node;
                std::pair<size_t, size_t> saved{npos, npos};
                if (n.cap >= 0) {
                    saved = caps[static_cast<size_t>(n.cap)];
                    caps[static_cast<size_t>(n.cap)] = {f->start, pos};
                }
                if (repeat(n, f->count, pos, f->start, f->up)) return true;
                if (n.cap >= 0) caps[static_cast<size_t>(n.cap)] = saved;
                return false;
            }
        }
        return false;
    }

    bool seq(const Seq& s, size_t k, size_t pos, const Frame* up) {
        tick();
        for (; k < s.size(); ++k) {
            const Node& n = s[k];
            switch (n.kind) {
                case Kind::Bol:
                    if (pos != 0) return false;
                    continue;
                case Kind::Eol:
                    if (pos != t_.size()) return false;
                    continue;
                case Kind::WordEdge:
                case Kind::NotWordEdge: {
                    const bool edge = (pos > 0 && word_at(pos - 1)) != word_at(pos);
                    if (edge != (n.kind == Kind::WordEdge)) return false;
                    continue;
                }
                case Kind::Set:
                    if (n.min == 1 && n.max == 1) {
                        if (pos < t_.size() && n.set[static_cast<unsigned char>(t_[pos])]) {
                            ++pos;
                            continue;
                        }
                        return false;
                    }
                    break;
                default: break;
            }
            Deeper deeper(depth);
            const Frame next{FrameKind::Next, &s, k + 1, nullptr, 0, 0, up};
            if (n.kind == Kind::Set) return set_repeat(n, pos, &next);
            if (n.kind == Kind::Ahead || n.kind == Kind::NotAhead) {
                const auto saved = caps;
                const Frame accept{FrameKind::Accept};
                bool found = false;
                for (const Seq& alt : n.alts)
                    if ((found = seq(alt, 0, pos, &accept))) break;
                if (n.kind == Kind::NotAhead) {
                    caps = saved;
                    if (found) return false;
                } else if (!found) {
                    return false;
                }
                if (cont(&next, pos)) return true;
                caps = saved;
                return false;
            }
            return repeat(n, 0, pos, npos, &next);
        }
        return cont(up, pos);
    }

    bool set_repeat(const Node& n, size_t pos, const Frame* next) {
        const size_t room = t_.size() - pos;
        const size_t most = n.max < 0 ? room : std::min(room, static_cast<size_t>(n.max));
        size_t c = 0;
        while (c < most && n.set[static_cast<unsigned char>(t_[pos + c])]) ++c;
        const size_t least = static_cast<size_t>(n.min);
        if (c < least) return false;
        if (n.greedy) {
            for (size_t k = c + 1; k-- > least;) {
                tick();
                if (cont(next, pos + k)) return true;
            }
        } else {
            for (size_t k = least; k <= c; ++k) {
                tick();
                if (cont(next, pos + k)) return true;
            }
        }
        return false;
    }

    // A group that has matched `count` times, the last turn from last_start to pos: another turn, or what follows.
    bool repeat(const Node& n, int count, size_t pos, size_t last_start, const Frame* next) {
        tick();
        Deeper deeper(depth);
        const bool can_stop = count >= n.min;
        // A turn that matched nothing after the required ones ends the repeat (otherwise (a*)* never ends).
        const bool can_more = (n.max < 0 || count < n.max) && !(count > n.min && last_start == pos);
        auto another = [&] {
            for (const Seq& alt : n.alts) {
                const Frame loop{FrameKind::Loop, nullptr, 0, &n, count + 1, pos, next};
                if (seq(alt, 0, pos, &loop)) return true;
            }
            return false;
        };
        if (n.greedy) {
            if (can_more && another()) return true;
            return can_stop && cont(next, pos);
        }
        if (can_stop && cont(next, pos)) return true;
        return can_more && another();
    }
};

}  // namespace

std::string PatternMatch::group(std::string_view text, size_t i) const {
    if (i == 0) return std::string(text.substr(begin, end - begin));
    if (i > groups.size() || groups[i - 1].first == npos) return "";
    return std::string(text.substr(groups[i - 1].first, groups[i - 1].second - groups[i - 1].first));
}

Pattern::Pattern(std::string_view pattern, bool ignore_case) : p_(std::make_unique<Program>()) {
    Parser parser(pattern, ignore_case);
    p_->alts = parser.parse();
    p_->captures = parser.captures();
}
Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;

bool Pattern::find(std::string_view text, size_t from, bool anchored, bool whole, PatternMatch* m) const {
    Matcher run(text, p_->captures);
    const Frame done{FrameKind::End, nullptr, whole ? size_t{1} : size_t{0}};
    for (size_t start = from; start <= text.size(); ++start) {
        for (const Seq& alt : p_->alts) {
            for (auto& c : run.caps) c = {npos, npos};
            if (run.seq(alt, 0, start, &done)) {
                if (m) {
                    m->begin = start;
                    m->end = run.end;
                    m->groups = run.caps;
                }
                return true;
            }
        }
        if (anchored) break;
    }
    return false;
}

bool Pattern::search(std::string_view text, PatternMatch* m) const { return find(text, 0, false, false, m); }
bool Pattern::match_prefix(std::string_view text, PatternMatch* m) const { return find(text, 0, true, false, m); }
bool Pattern::match_all(std::string_view text, PatternMatch* m) const { return find(text, 0, true, true, m); }

std::string Pattern::replace_all(std::string_view text, std::string_view with) const {
    std::string out;
    size_t pos = 0;
    PatternMatch m;
    while (pos <= text.size() && find(text, pos, false, false, &m)) {
        out.append(text.substr(pos, m.begin - pos));
        out.append(with);
        if (m.end == m.begin) {
            if (m.begin < text.size()) out.push_back(text[m.begin]);
            pos = m.begin + 1;
        } else {
            pos = m.end;
        }
    }
    if (pos < text.size()) out.append(text.substr(pos));
    return out;
}

}  // namespace fitmygpu
