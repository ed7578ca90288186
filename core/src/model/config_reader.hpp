// Typed reads of a config.json object: the JSON edge of the model geometry. Every read validates the
// value's type and range and names the field with its prefix ("config.hidden_size",
// "config.text_config.vocab_size", "config.block_configs[3].ffn.ffn_mult") in the FieldError it throws, so a
// bad config points at the line to fix. Every size is read with its bound (fitmygpu::config_bounds), here and
// nowhere else, so that nothing downstream sees a size beyond what any model uses.
#pragma once
#include <nlohmann/json.hpp>

#include <initializer_list>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fitmygpu/geometry.hpp"
#include "fitmygpu/units.hpp"

namespace fitmygpu::model {

namespace bounds = fitmygpu::config_bounds;

// A JSON number that is a whole number within [min, max] (1 and 1.0 alike), else a FieldError naming `path`.
i64 whole_number(const nlohmann::json& v, const std::string& path, i64 min, i64 max);
// A finite JSON number within (0, max], else a FieldError naming `path`.
double positive_real(const nlohmann::json& v, const std::string& path, double max);

class ConfigReader {
public:
    ConfigReader(const nlohmann::json& cfg, std::string prefix) : c_(cfg), prefix_(std::move(prefix)), seen_(std::make_shared<std::set<std::string>>()) {}
    // A reader that records the fields it looks at in `seen` with another reader (a config's top level and its
    // text model), so that what neither looked at can be listed.
    ConfigReader(const nlohmann::json& cfg, std::string prefix, std::shared_ptr<std::set<std::string>> seen)
        : c_(cfg), prefix_(std::move(prefix)), seen_(std::move(seen)) {}

    const nlohmann::json& raw() const { return c_; }
    const std::string& prefix() const { return prefix_; }
    // "<prefix>.<key>": the name errors give the field.
    std::string path(const std::string& key) const { return prefix_ + "." + key; }
    // "<prefix>.<key>[i]": an array entry.
    std::string path(const std::string& key, size_t i) const { return path(key) + "[" + std::to_string(i) + "]"; }

    // Present and not null.
    bool has(const char* key) const { return looked_at(key) && !c_.at(key).is_null(); }
    bool has_number(const char* key) const { return has(key) && c_.at(key).is_number(); }
    bool has_array(const char* key) const { return looked_at(key) && c_.at(key).is_array(); }
    bool has_object(const char* key) const { return looked_at(key) && c_.at(key).is_object(); }
    // A reader over a nested object (`has_object(key)` must hold); its errors name "<prefix>.<key>.<field>".
    ConfigReader object(const char* key) const { return ConfigReader(c_.at(key), path(key), seen_); }
    // The paths ("config.hidden_size") of every field this reader, and the readers sharing its record, looked at.
    const std::set<std::string>& seen() const { return *seen_; }
    // Present (not null) as an object: true; absent or null: false; anything else is a FieldError.
    bool optional_object(const char* key) const;
    // A reader over entry i of the array `key`, which must be an object; errors name "<prefix>.<key>[i].<field>".
    ConfigReader element(const char* key, size_t i) const;
    // Present (not null) as an array: true; absent or null: false; anything else is a FieldError.
    bool optional_array(const char* key) const;

    // ---- validated reads: a bad value is a FieldError naming the field ----
    // A positive whole number up to `max` (rejects negatives, zero, fractions, strings, absurd sizes).
    i64 positive(const char* key, i64 max) const;
    i64 non_negative(const char* key, i64 max) const;
    // A positive whole number up to `max` that must be present.
    i64 require(const char* key, i64 max) const;
    // The first present key of several synonyms, as a positive number up to `max`; 0 if none is present.
    i64 first_of(std::initializer_list<const char*> keys, i64 max) const;
    // A non-negative whole number up to `max`, or `fallback` when absent.
    i64 opt(const char* key, i64 fallback, i64 max) const { return has(key) ? non_negative(key, max) : fallback; }
    // A number, or an array of per-layer numbers (Hunyuan lists moe_topk per layer): the largest entry. Each
    // entry is a whole number in [0, max], named "<key>[i]" when it is not.
    i64 scalar_or_max(const char* key, i64 max) const;
    i64 first_scalar_of(std::initializer_list<const char*> keys, i64 max) const;
    // The entries of an array of whole numbers in [min, max]; empty when absent. A non-array, or an entry of
    // another type or out of range, is a FieldError naming it.
    std::vector<i64> integers(const char* key, i64 min, i64 max) const;
    // The entries of an array of strings; empty when absent.
    std::vector<std::string> strings(const char* key) const;
    bool flag(const char* key, bool fallback) const;
    std::string str(const char* key, const std::string& fallback = "") const;

    // ---- lenient reads, for values the geometry only reports (a value of the wrong type counts as absent) ----
    // The first of several synonyms holding a JSON integer within [min, max], else `fallback`.
    i64 first_integer_of(std::initializer_list<const char*> keys, i64 fallback, i64 min, i64 max) const;
    // A string, else `fallback`.
    std::string string_or(const char* key, const std::string& fallback) const;
    // The first entry of an array when it is a string (config.architectures), else "".
    std::string front_string(const char* key) const;
    // The string entries of an array (others skipped); empty when absent.
    std::vector<std::string> strings_or_empty(const char* key) const;
    // The integer entries of an array within [min, max] (others skipped); empty when absent.
    std::vector<i64> integers_or_empty(const char* key, i64 min, i64 max) const;

private:
    // Records the field as looked at; whether the object has it.
    bool looked_at(const char* key) const {
        seen_->insert(path(key));
        return c_.contains(key);
    }
    const nlohmann::json& c_;
    std::string prefix_;
    std::shared_ptr<std::set<std::string>> seen_;
};

// A multimodal config's text model: its nested text_config with the top level filling the gaps (some
// families keep tie_word_embeddings or vocab_size at the top), or the config itself when it has none.
nlohmann::json effective_text_config(const nlohmann::json& config);

}  // namespace fitmygpu::model
