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

}  // namespace testing
