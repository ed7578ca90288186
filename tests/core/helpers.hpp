// Small helpers shared by the doctest files.
#pragma once
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "fitmygpu/api.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/units.hpp"

namespace testing {

using fitmygpu::GiB;
using fitmygpu::i64;
using fitmygpu::MiB;
using nlohmann::json;

inline json estimate(const std::string& request) { return fitmygpu::api::estimate(json::parse(request)); }

inline double gib(i64 bytes) { return static_cast<double>(bytes) / static_cast<double>(GiB); }
inline double mib(i64 bytes) { return static_cast<double>(bytes) / static_cast<double>(MiB); }

// Sum of the breakdown items with this label on this device (-1 = host).
inline i64 item(const json& r, const std::string& label, int device = 0) {
    i64 total = 0;
    for (const auto& b : r.at("breakdown"))
        if (b.at("label").get<std::string>() == label && b.at("device").get<int>() == device) total += b.at("bytes").get<i64>();
    return total;
}

inline i64 component(const json& r, const std::string& name, int device = 0) { return r.at("devices").at(device).at("components").at(name).get<i64>(); }
inline i64 budget_bytes(const json& r, int device = 0) { return r.at("devices").at(device).at("budget_bytes").get<i64>(); }

// Whether any string of a list (an estimate's assumptions or warnings) contains text.
inline bool any_contains(const json& list, const std::string& text) {
    for (const auto& s : list)
        if (s.get<std::string>().find(text) != std::string::npos) return true;
    return false;
}

// The error object a request produces through the one entry point bindings use.
inline json error_of(const std::string& method, const std::string& text) {
    const json r = json::parse(fitmygpu::api::call(method, text));
    return r.contains("error") ? r.at("error") : json();
}

inline std::string read_text(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// a / b rounded up, for positive a and b (blocks of a KV pool).
inline constexpr i64 div_up(i64 a, i64 b) { return (a + b - 1) / b; }

// A figure as the API writes it with two decimals, rounded down (the KV pool's max_concurrency).
inline double two_decimals(double x) { return std::floor(x * 100.0) / 100.0; }

// Llama-3.1-8B, the engines' reference model: 8,030,261,248 parameters (its safetensors metadata); from its
// config.json, 32 layers of hidden size 4096, 8 KV heads of 128, intermediate size 14336, vocabulary 128256.
inline constexpr i64 kLlama8bParams = 8030261248;
inline constexpr i64 kLlama8bBf16 = 2 * kLlama8bParams;                           // 16,060,522,496 B
inline constexpr i64 kLlama8bNormParams = 32 * 2 * 4096 + 4096;                   // replicated on every TP rank
inline constexpr i64 kLlama8bMatrixParams = kLlama8bParams - kLlama8bNormParams;  // 8,029,995,008
inline constexpr i64 kLlama8bKvPerToken = 32 * 8 * 128 * 2 * 2;                   // 131,072 B at 16 bits
// One token's activations in a layer at 16 bits (q, k, v, o widths and the three MLP matrices' widths), and one
// sequence's fp32 logits.
inline constexpr i64 kLlama8bActPerToken = (3 * 4096 + 3 * 14336) * 2;  // 110,592 B
inline constexpr i64 kLlama8bLogitsPerSeq = i64{128256} * 4;            // 513,024 B

}  // namespace testing
