// The API layer's JSON readers: request fields with their types and ranges checked, errors naming the field.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "fitmygpu/request.hpp"

namespace fitmygpu::api {

// JSON → Request (validation only). Throws FieldError naming the offending field.
Request parse_request(const nlohmann::json& request);
// The request's "units" (binary when absent); FieldError("units") for any other value.
Units parse_units(const nlohmann::json& request);

// Field readers shared by the API methods.
// An object key as an error names it: at most 60 bytes, never empty.
std::string shown_key(const std::string& key);
std::string describe(const nlohmann::json& v);
i64 int_field(const nlohmann::json& v, const std::string& field, i64 lo, i64 hi);
bool bool_field(const nlohmann::json& v, const std::string& field);
std::string string_field(const nlohmann::json& v, const std::string& field);
// "checkpoint": the summary inspect returns, each byte count bounded and the parts adding up to tensor_bytes.
CheckpointSummary checkpoint_field(const nlohmann::json& v);
// A name (catalog id, runtime, format, search query): a string of at most 200 bytes without control characters.
std::string name_field(const nlohmann::json& v, const std::string& field);

}  // namespace fitmygpu::api
