// The API layer's JSON readers: request fields with their types and ranges checked, errors naming the field.
#pragma once
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fitmygpu/request.hpp"

namespace fitmygpu::api {

// JSON → Request (validation only). Throws FieldError naming the offending field.
Request parse_request(const nlohmann::json& request);
// The request's "units" (binary when absent); FieldError("units") for any other value.
Units parse_units(const nlohmann::json& request);

// The request without the keys a method sets itself; FieldError for a request that is not an object.
nlohmann::json without(const nlohmann::json& request, std::initializer_list<const char*> keys);

// Field readers shared by the API methods.
// An object key as an error names it: at most 60 bytes, never empty.
std::string shown_key(const std::string& key);
std::string describe(const nlohmann::json& v);
i64 int_field(const nlohmann::json& v, const std::string& field, i64 lo, i64 hi);
bool bool_field(const nlohmann::json& v, const std::string& field);
std::string string_field(const nlohmann::json& v, const std::string& field);
// "checkpoint": the summary inspect returns, each byte count bounded and the parts adding up to tensor_bytes.
CheckpointSummary checkpoint_field(const nlohmann::json& v);
// The weights an engine's --dtype loads (float32, half, bf16, ...): "fp32", "fp16" or "bf16"; "" for auto; nullopt for a
// name no engine takes.
std::optional<std::string> dtype_weights(const std::string& dtype);
// A count as an engine reads it from text: "32768", or with the engine's size suffixes (vLLM: 32k = 32,000 and
// 32K = 32,768, k/m/g/t by 1,000 and K/M/G/T by 1,024; SGLang: k/M/G/T by 1,000 and Ki/Mi/Gi/Ti by 1,024). nullopt
// when the text is no whole count.
std::optional<i64> count_text(const std::string& text, bool sglang_suffixes);
// vLLM's compilation settings (--compilation-config, -O) as the estimate's knobs: an optimization level, 0 compiling
// nothing and capturing no graphs, or the JSON object, whose cudagraph_mode NONE or empty cudagraph_capture_sizes
// capture none, and whose largest capture size (max_cudagraph_capture_size, 0.9-0.10's max_capture_size, the largest of
// cudagraph_capture_sizes) bounds the graphs. Other keys leave the default capture: `unread` names them.
// FieldError(field) for a value that is neither.
struct GraphSettings {
    bool eager = false;
    std::optional<i64> max_batch;
    std::vector<std::string> unread;
};
GraphSettings graph_settings(const nlohmann::json& config, const std::string& field);
inline constexpr const char* kGraphCaptureReason = "CUDA-graph capture settings: the default capture is assumed";
// A name (catalog id, runtime, format, search query): a string of at most 200 bytes without control characters.
std::string name_field(const nlohmann::json& v, const std::string& field);

}  // namespace fitmygpu::api
