// Typed reads of a config.json object: the JSON edge of the model geometry. Every read validates the
// value and names the field with its prefix ("config.hidden_size", "config.text_config.vocab_size") in the
// FieldError it throws, so a bad config points at the line to fix.
#pragma once
#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>
#include <vector>

#include "fitmygpu/units.hpp"

namespace fitmygpu::model {

class ConfigReader {
public:
    ConfigReader(const nlohmann::json& cfg, std::string prefix) : c_(cfg), prefix_(std::move(prefix)) {}

    const nlohmann::json& raw() const { return c_; }
    const std::string& prefix() const { return prefix_; }
    // "<prefix>.<key>": the name errors give the field.
    std::string path(const std::string& key) const { return prefix_ + "." + key; }

    // Present and not null.
    bool has(const char* key) const { return c_.contains(key) && !c_.at(key).is_null(); }
    bool has_number(const char* key) const { return has(key) && c_.at(key).is_number(); }
    bool has_array(const char* key) const { return c_.contains(key) && c_.at(key).is_array(); }
    bool has_object(const char* key) const { return c_.contains(key) && c_.at(key).is_object(); }
    // A reader over a nested object (`has_object(key)` must hold); its errors name "<prefix>.<key>.<field>".
    ConfigReader object(const char* key) const { return ConfigReader(c_.at(key), path(key)); }

    // ---- validated reads: a bad value is a FieldError naming the field ----
    // A positive whole number up to `max` (rejects negatives, zero, fractions, absurd sizes).
    i64 positive(const char* key, i64 max = (i64{1} << 40)) const;
    i64 non_negative(const char* key, i64 max = (i64{1} << 40)) const;
    // A positive whole number that must be present.
    i64 require(const char* key) const;
    // The first present key of several synonyms, as a positive number; 0 if none is present.
    i64 first_of(std::initializer_list<const char*> keys) const;
    // A non-negative whole number, or `fallback` when absent.
    i64 opt(const char* key, i64 fallback) const { return has(key) ? non_negative(key) : fallback; }
    // A number, or an array of per-layer numbers (Hunyuan lists moe_topk per layer): the largest entry.
    i64 scalar_or_max(const char* key) const;
    i64 first_scalar_of(std::initializer_list<const char*> keys) const;
    bool flag(const char* key, bool fallback) const;
    std::string str(const char* key, const std::string& fallback = "") const;

    // ---- lenient reads, for values the geometry only reports (a value of the wrong type counts as absent) ----
    // The first of several synonyms holding a JSON integer, else `fallback`.
    i64 first_integer_of(std::initializer_list<const char*> keys, i64 fallback) const;
    // A string, else `fallback`.
    std::string string_or(const char* key, const std::string& fallback) const;
    // The first entry of an array when it is a string (config.architectures), else "".
    std::string front_string(const char* key) const;
    // The first of several synonyms holding a positive whole number (224 or 224.0), else 0.
    i64 first_positive_or_zero(std::initializer_list<const char*> keys) const;
    // The string entries of an array (others skipped); empty when absent.
    std::vector<std::string> strings_or_empty(const char* key) const;
    // The integer entries of an array (others skipped); empty when absent.
    std::vector<i64> integers_or_empty(const char* key) const;

private:
    const nlohmann::json& c_;
    std::string prefix_;
};

// A multimodal config's text model: its nested text_config with the top level filling the gaps (some
// families keep tie_word_embeddings or vocab_size at the top), or the config itself when it has none.
nlohmann::json effective_text_config(const nlohmann::json& config);

}  // namespace fitmygpu::model
