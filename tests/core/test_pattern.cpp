// The regular-expression matcher of --override-tensor and compressed-tensors' "re:" entries (core/src/pattern.cpp):
// the results of hand-worked cases, agreement with std::regex (ECMAScript) on published override patterns and on
// random patterns, and its bounds on hostile patterns.
#include <doctest/doctest.h>

#include <random>
#include <regex>

#include "fitmygpu/pattern.hpp"

using fitmygpu::Pattern;
using fitmygpu::PatternError;
using fitmygpu::PatternMatch;

TEST_CASE("patterns: hand-worked matches") {
    PatternMatch m;
    // The most common override: every expert tensor on the CPU.
    CHECK(Pattern("exps").search("blk.12.ffn_up_exps.weight"));
    CHECK_FALSE(Pattern("exps").search("blk.12.ffn_up_shexp.weight"));
    // Layers 10-29's experts: "blk\.(1[0-9]|2[0-9])\.ffn_.*_exps\." finds blk.17 and not blk.7 or blk.30.
    const Pattern layers(R"(blk\.(1[0-9]|2[0-9])\.ffn_.*_exps\.)");
    REQUIRE(layers.search("blk.17.ffn_gate_exps.weight", &m));
    CHECK(m.begin == 0);
    CHECK(m.end == 21);  // "blk.17.ffn_gate_exps." is 21 characters
    CHECK(m.group("blk.17.ffn_gate_exps.weight", 1) == "17");
    CHECK_FALSE(layers.search("blk.7.ffn_gate_exps.weight"));
    CHECK_FALSE(layers.search("blk.30.ffn_gate_exps.weight"));
    // Anchors, classes and counts.
    CHECK(Pattern("^blk\\.[0-9]{1,2}\\.attn").search("blk.40.attn_q.weight"));
    CHECK_FALSE(Pattern("^blk\\.[0-9]{1,2}\\.attn").search("xblk.40.attn_q.weight"));
    CHECK_FALSE(Pattern("^blk\\.[0-9]{3}\\.").search("blk.40.attn_q.weight"));
    CHECK(Pattern("weight$").search("output.weight"));
    CHECK_FALSE(Pattern("weight$").search("output.weight.bias"));
    CHECK(Pattern("[^a-z]").search("abc1"));
    CHECK_FALSE(Pattern("[^a-z]").search("abc"));
    // Greedy and lazy: "a.*b" takes the last b, "a.*?b" the first.
    REQUIRE(Pattern("a.*b").search("xaxbxbx", &m));
    CHECK(m.begin == 1);
    CHECK(m.end == 6);
    REQUIRE(Pattern("a.*?b").search("xaxbxbx", &m));
    CHECK(m.end == 4);
    // Alternation is ordered: the first alternative that lets the rest match wins.
    REQUIRE(Pattern("(Q4_K|Q4_K_M)").search("Q4_K_M", &m));
    CHECK(m.end == 4);
    // Lookahead: Q4_K only where a separator or the end follows.
    const Pattern typed("(?:^|[-_.])(Q4_K_M|Q4_K)(?=$|[-_.])", true);
    REQUIRE(typed.search("model-q4_k_m.gguf", &m));
    CHECK(m.group("model-q4_k_m.gguf", 1) == "q4_k_m");
    CHECK_FALSE(typed.search("model-q4_kx.gguf"));
    CHECK(Pattern("a(?!b)").search("abac"));
    CHECK_FALSE(Pattern("a(?!b)").search("abab"));
    // Word edges.
    CHECK(Pattern("\\bit\\b").search("gemma it 2b"));
    CHECK_FALSE(Pattern("\\bit\\b").search("gemma-iter"));
    // Whole-text and prefix matches.
    CHECK(Pattern("[A-Za-z_][A-Za-z0-9_]*=.*").match_all("CUDA_VISIBLE_DEVICES=0,1"));
    CHECK_FALSE(Pattern("[A-Za-z_][A-Za-z0-9_]*=.*").match_all("--port=8000"));
    CHECK(Pattern("model\\.layers").match_prefix("model.layers.0.mlp"));
    CHECK_FALSE(Pattern("layers").match_prefix("model.layers.0.mlp"));
    // Replacement of every match, and of empty matches between characters.
    CHECK(Pattern("[-_.]").replace_all("qwen3-30b_a3b.q4", " ") == "qwen3 30b a3b q4");
    CHECK(Pattern("x*").replace_all("ab", "-") == "-a-b-");
    // The split-file name of a sharded checkpoint.
    const std::string shard = "model-00002-of-00005.safetensors";
    REQUIRE(Pattern(R"((.*)-(\d{5})-of-(\d{5})\.(safetensors|gguf)$)").match_all(shard, &m));
    CHECK(m.group(shard, 1) == "model");
    CHECK(m.group(shard, 3) == "00005");
}

TEST_CASE("patterns: unreadable patterns are refused with the reason") {
    const auto reason = [](const std::string& p) {
        try {
            Pattern{p};
        } catch (const PatternError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK(reason("(ab").find("missing )") != std::string::npos);
    CHECK(reason("ab)").find("unmatched )") != std::string::npos);
    CHECK(reason("*a").find("nothing to repeat") != std::string::npos);
    CHECK(reason("[a-").find("missing ]") != std::string::npos);
    CHECK(reason("[z-a]").find("out of order") != std::string::npos);
    CHECK(reason("(a)\\1").find("backreferences") != std::string::npos);
    CHECK(reason("(?<=a)b").find("not supported") != std::string::npos);
    CHECK(reason("a{5,2}").find("out of order") != std::string::npos);
    CHECK(reason("a{100000}").find("larger than") != std::string::npos);
    CHECK(reason("ab\\").find("ends with") != std::string::npos);
    CHECK(reason(std::string(fitmygpu::kMaxPatternBytes + 1, 'a')).find("longer than") != std::string::npos);
    CHECK(reason(std::string(200, '(') + std::string(200, ')')).find("nested") != std::string::npos);
}

TEST_CASE("patterns: a pattern that would backtrack without end stops with an error") {
    // (a*)*b on a run of a's with no b: every split of the run is tried by a backtracking matcher.
    const Pattern p("(a|aa)+b");
    CHECK_THROWS_AS(p.search(std::string(60, 'a')), PatternError);
    // Deeply nested repeats of a long text stop at the depth bound instead of exhausting the stack.
    CHECK_THROWS_AS(Pattern("(?:a)*").match_all(std::string(5000, 'a')), PatternError);
    // Ordinary names stay far inside both bounds.
    CHECK(Pattern("(a|aa)+b").search("aaab"));
}

namespace {

// std::regex's leftmost match of p in text as (begin, end), or (-1, -1); throws std::regex_error when it cannot read p.
std::pair<long, long> std_search(const std::string& p, const std::string& text) {
    const std::regex re(p, std::regex::ECMAScript);
    std::smatch m;
    if (!std::regex_search(text, m, re)) return {-1, -1};
    return {static_cast<long>(m.position(0)), static_cast<long>(m.position(0) + m.length(0))};
}

std::pair<long, long> our_search(const std::string& p, const std::string& text) {
    PatternMatch m;
    if (!Pattern(p).search(text, &m)) return {-1, -1};
    return {static_cast<long>(m.begin), static_cast<long>(m.end)};
}

}  // namespace

TEST_CASE("patterns: the same matches as std::regex on published override patterns and tensor names") {
    // Patterns as written in llama.cpp discussions and model cards for -ot / --override-tensor.
    const char* patterns[] = {
        "exps",
        "\\.ffn_.*_exps\\.",
        "ffn_(up|down|gate)_exps",
        "blk\\.([0-9]|1[0-9])\\.ffn_.*_exps",
        "blk\\.(2[0-9]|3[0-9]|4[0-7])\\.ffn_(up|gate|down)_exps\\.weight",
        "^blk\\.[0-9]*\\.ffn_(gate|up)_exps",
        "\\.(2[4-9]|[3-9][0-9])\\.ffn_.*_exps\\.=CPU",
        "token_embd",
        "attn_.*",
        "ffn_.*_shexp",
        "output\\.weight$",
        "[^.]+\\.weight",
        ".*",
        "",
    };
    const char* names[] = {
        "token_embd.weight",           "output.weight",
        "output_norm.weight",          "blk.0.attn_q.weight",
        "blk.7.ffn_up_exps.weight",    "blk.17.ffn_gate_exps.weight",
        "blk.25.ffn_down_exps.weight", "blk.47.ffn_up_exps.weight",
        "blk.48.ffn_up_shexp.weight",  "blk.93.ffn_down_exps.weight",
        "blk.3.ffn_gate_inp.weight",   "",
    };
    int compared = 0;
    for (const char* p : patterns)
        for (const char* n : names) {
            INFO("pattern " << p << " on " << n);
            CHECK(our_search(p, n) == std_search(p, n));
            ++compared;
        }
    CHECK(compared == 14 * 12);
}

TEST_CASE("patterns: the same matches as std::regex on random patterns") {
    // Patterns drawn from the supported syntax over a small alphabet, so that matches are frequent; texts likewise.
    std::mt19937 rng(20261206);
    const std::vector<std::string> pieces = {"a",  "b",          ".", "[ab]", "[^a]", "\\.",    "(a|b)", "(?:ab)", "a*",   "b+",
                                             "a?", "[a-c]{1,2}", "^", "$",    "\\b",  "(?:a|)", "b*?",   "(?=a)",  "(?!b)"};
    int both = 0, disagreements = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        std::string p;
        const int n = 1 + static_cast<int>(rng() % 5);
        for (int k = 0; k < n; ++k) p += pieces[rng() % pieces.size()];
        std::string text;
        const int len = static_cast<int>(rng() % 9);
        for (int k = 0; k < len; ++k) text += "ab.c"[rng() % 4];
        std::pair<long, long> expected;
        try {
            expected = std_search(p, text);
        } catch (const std::regex_error&) {
            continue;
        }
        ++both;
        const auto got = our_search(p, text);
        if (got != expected) {
            ++disagreements;
            INFO("pattern \"" << p << "\" on \"" << text << "\": ours " << got.first << "-" << got.second << ", std::regex " << expected.first << "-"
                              << expected.second);
            CHECK(got == expected);
        }
    }
    CHECK(both > 2500);
    CHECK(disagreements == 0);
}
