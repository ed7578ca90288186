#include "model/config_reader.hpp"

#include <algorithm>
#include <cmath>

#include "fitmygpu/error.hpp"

namespace fitmygpu::model {

using nlohmann::json;

i64 ConfigReader::positive(const char* key, i64 max) const {
    const json& v = c_.at(key);
    if (!v.is_number()) fail("invalid_field", path(key), path(key) + " must be a number");
    double d = v.get<double>();
    if (!(d >= 1) || d != std::floor(d) || d > static_cast<double>(max))
        fail("invalid_field", path(key), path(key) + " must be a positive whole number (got " + v.dump() + ")");
    return static_cast<i64>(d);
}

i64 ConfigReader::non_negative(const char* key, i64 max) const {
    const json& v = c_.at(key);
    if (!v.is_number()) fail("invalid_field", path(key), path(key) + " must be a number");
    double d = v.get<double>();
    if (!(d >= 0) || d != std::floor(d) || d > static_cast<double>(max))
        fail("invalid_field", path(key), path(key) + " must be a non-negative whole number (got " + v.dump() + ")");
    return static_cast<i64>(d);
}

i64 ConfigReader::require(const char* key) const {
    if (!has(key)) fail("missing_field", path(key), path(key) + " is required");
    return positive(key);
}

i64 ConfigReader::first_of(std::initializer_list<const char*> keys) const {
    for (const char* k : keys)
        if (has(k)) return positive(k);
    return 0;
}

i64 ConfigReader::scalar_or_max(const char* key) const {
    if (!has(key)) return 0;
    const json& v = c_.at(key);
    if (v.is_array()) {
        i64 best = 0;
        for (const auto& x : v) {
            if (!x.is_number() || x.get<double>() < 0) fail("invalid_field", path(key), path(key) + " must hold non-negative numbers");
            best = std::max(best, static_cast<i64>(x.get<double>()));
        }
        return best;
    }
    return non_negative(key);
}

i64 ConfigReader::first_scalar_of(std::initializer_list<const char*> keys) const {
    for (const char* k : keys)
        if (has(k)) return scalar_or_max(k);
    return 0;
}

bool ConfigReader::flag(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    const json& v = c_.at(key);
    if (!v.is_boolean()) fail("invalid_field", path(key), path(key) + " must be true or false");
    return v.get<bool>();
}

std::string ConfigReader::str(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const json& v = c_.at(key);
    if (!v.is_string()) fail("invalid_field", path(key), path(key) + " must be a string");
    return v.get<std::string>();
}

i64 ConfigReader::first_integer_of(std::initializer_list<const char*> keys, i64 fallback) const {
    for (const char* k : keys)
        if (c_.contains(k) && c_.at(k).is_number_integer()) return c_.at(k).get<i64>();
    return fallback;
}

std::string ConfigReader::string_or(const char* key, const std::string& fallback) const {
    return c_.contains(key) && c_.at(key).is_string() ? c_.at(key).get<std::string>() : fallback;
}

std::string ConfigReader::front_string(const char* key) const {
    if (!has_array(key) || c_.at(key).empty() || !c_.at(key).at(0).is_string()) return "";
    return c_.at(key).at(0).get<std::string>();
}

i64 ConfigReader::first_positive_or_zero(std::initializer_list<const char*> keys) const {
    for (const char* k : keys) {
        if (!has_number(k)) continue;
        const double d = c_.at(k).get<double>();
        if (d >= 1 && d == std::floor(d) && d <= static_cast<double>(i64{1} << 40)) return static_cast<i64>(d);
    }
    return 0;
}

std::vector<std::string> ConfigReader::strings_or_empty(const char* key) const {
    std::vector<std::string> out;
    if (has_array(key))
        for (const json& v : c_.at(key))
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

std::vector<i64> ConfigReader::integers_or_empty(const char* key) const {
    std::vector<i64> out;
    if (has_array(key))
        for (const json& v : c_.at(key))
            if (v.is_number_integer()) out.push_back(v.get<i64>());
    return out;
}

json effective_text_config(const json& config) {
    if (!config.contains("text_config") || !config.at("text_config").is_object()) return config;
    json merged = config.at("text_config");
    for (auto it = config.begin(); it != config.end(); ++it) {
        if (it.key() == "text_config" || it.key() == "vision_config" || it.key() == "audio_config") continue;
        if (!merged.contains(it.key())) merged[it.key()] = it.value();
    }
    return merged;
}

}  // namespace fitmygpu::model
