#include "model/config_reader.hpp"

#include <algorithm>
#include <cmath>

#include "fitmygpu/error.hpp"

namespace fitmygpu::model {

using nlohmann::json;

namespace {

std::string shown(const json& v) {
    std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (s.size() > 40) s = s.substr(0, 37) + "...";
    return s;
}

}  // namespace

i64 whole_number(const json& v, const std::string& path, i64 min, i64 max) {
    if (!v.is_number()) fail("invalid_field", path, path + " must be a whole number (got " + shown(v) + ")");
    // Integers are compared as integers (a 20-digit one must not round into range), others as doubles.
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (max >= 0 && u <= static_cast<std::uint64_t>(max) && static_cast<i64>(u) >= min) return static_cast<i64>(u);
    } else if (v.is_number_integer()) {
        const i64 n = v.get<i64>();
        if (n >= min && n <= max) return n;
    } else {
        const double d = v.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && d >= static_cast<double>(min) && d <= static_cast<double>(max)) return static_cast<i64>(d);
    }
    fail("invalid_field", path, path + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) + " (got " + shown(v) + ")");
}

double positive_real(const json& v, const std::string& path, double max) {
    if (!v.is_number()) fail("invalid_field", path, path + " must be a number (got " + shown(v) + ")");
    const double d = v.get<double>();
    if (!(d > 0) || !(d <= max)) fail("invalid_field", path, path + " must be a positive number up to " + shown(json(max)) + " (got " + shown(v) + ")");
    return d;
}

bool ConfigReader::optional_object(const char* key) const {
    if (!has(key)) return false;
    if (!c_.at(key).is_object()) fail("invalid_field", path(key), path(key) + " must be an object");
    return true;
}

bool ConfigReader::optional_array(const char* key) const {
    if (!has(key)) return false;
    if (!c_.at(key).is_array()) fail("invalid_field", path(key), path(key) + " must be an array");
    return true;
}

ConfigReader ConfigReader::element(const char* key, size_t i) const {
    const json& e = c_.at(key).at(i);
    if (!e.is_object()) fail("invalid_field", path(key, i), path(key, i) + " must be an object");
    return ConfigReader(e, path(key, i), seen_);
}

i64 ConfigReader::positive(const char* key, i64 max) const {
    looked_at(key);
    return whole_number(c_.at(key), path(key), 1, max);
}

i64 ConfigReader::non_negative(const char* key, i64 max) const {
    looked_at(key);
    return whole_number(c_.at(key), path(key), 0, max);
}

i64 ConfigReader::require(const char* key, i64 max) const {
    if (!has(key)) fail("missing_field", path(key), path(key) + " is required");
    return positive(key, max);
}

i64 ConfigReader::first_of(std::initializer_list<const char*> keys, i64 max) const {
    for (const char* k : keys)
        if (has(k)) return positive(k, max);
    return 0;
}

i64 ConfigReader::scalar_or_max(const char* key, i64 max) const {
    if (!has(key)) return 0;
    const json& v = c_.at(key);
    if (v.is_array()) {
        i64 best = 0;
        for (size_t i = 0; i < v.size(); ++i) best = std::max(best, whole_number(v[i], path(key, i), 0, max));
        return best;
    }
    return non_negative(key, max);
}

i64 ConfigReader::first_scalar_of(std::initializer_list<const char*> keys, i64 max) const {
    for (const char* k : keys)
        if (has(k)) return scalar_or_max(k, max);
    return 0;
}

std::vector<i64> ConfigReader::integers(const char* key, i64 min, i64 max) const {
    std::vector<i64> out;
    if (!optional_array(key)) return out;
    const json& v = c_.at(key);
    out.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i) out.push_back(whole_number(v[i], path(key, i), min, max));
    return out;
}

std::vector<std::string> ConfigReader::strings(const char* key) const {
    std::vector<std::string> out;
    if (!optional_array(key)) return out;
    const json& v = c_.at(key);
    out.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) fail("invalid_field", path(key, i), path(key, i) + " must be a string (got " + shown(v[i]) + ")");
        out.push_back(v[i].get<std::string>());
    }
    return out;
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

i64 ConfigReader::first_integer_of(std::initializer_list<const char*> keys, i64 fallback, i64 min, i64 max) const {
    for (const char* k : keys) {
        if (!looked_at(k)) continue;
        const json& v = c_.at(k);
        if (v.is_number_unsigned()) {
            if (v.get<std::uint64_t>() <= static_cast<std::uint64_t>(max) && static_cast<i64>(v.get<std::uint64_t>()) >= min)
                return static_cast<i64>(v.get<std::uint64_t>());
        } else if (v.is_number_integer() && v.get<i64>() >= min && v.get<i64>() <= max) {
            return v.get<i64>();
        }
    }
    return fallback;
}

std::string ConfigReader::string_or(const char* key, const std::string& fallback) const {
    return looked_at(key) && c_.at(key).is_string() ? c_.at(key).get<std::string>() : fallback;
}

std::string ConfigReader::front_string(const char* key) const {
    if (!has_array(key) || c_.at(key).empty() || !c_.at(key).at(0).is_string()) return "";
    return c_.at(key).at(0).get<std::string>();
}

std::vector<std::string> ConfigReader::strings_or_empty(const char* key) const {
    std::vector<std::string> out;
    if (has_array(key))
        for (const json& v : c_.at(key))
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

std::vector<i64> ConfigReader::integers_or_empty(const char* key, i64 min, i64 max) const {
    std::vector<i64> out;
    if (has_array(key))
        for (const json& v : c_.at(key))
            if (v.is_number_integer() && !v.is_number_unsigned() ? (v.get<i64>() >= min && v.get<i64>() <= max)
                                                                 : (v.is_number_unsigned() && v.get<std::uint64_t>() <= static_cast<std::uint64_t>(max)))
                out.push_back(v.is_number_unsigned() ? static_cast<i64>(v.get<std::uint64_t>()) : v.get<i64>());
    return out;
}

json effective_text_config(const json& config) {
    if (!config.contains("text_config") || !config.at("text_config").is_object()) return config;
    json merged = config.at("text_config");
    // Only the top level's plain values fill the gaps (tie_word_embeddings, vocab_size, ...): its arrays and
    // objects describe the whole checkpoint or other towers, and copying them would hold them twice.
    for (auto it = config.begin(); it != config.end(); ++it) {
        if (it.value().is_structured()) continue;
        if (!merged.contains(it.key())) merged[it.key()] = it.value();
    }
    return merged;
}

}  // namespace fitmygpu::model
