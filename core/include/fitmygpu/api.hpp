// The JSON API (README.md "The JSON API"). Everything that answers a question — the CLI, the wasm module, the tests,
// the page — goes through here. Errors come back as {"error": {"code", "field", "message"}}.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/checkpoint_files.hpp"
#include "fitmygpu/estimate.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/request.hpp"
#include "fitmygpu/scenario.hpp"

namespace fitmygpu::api {

// Request JSON → Scenario: parse_request (validation) then build_scenario (defaults). Throws FieldError
// naming the offending field.
Scenario parse(const nlohmann::json& request, const Catalog& catalog = Catalog::builtin());
nlohmann::json to_json(const Estimate& e);
nlohmann::json to_json(const KnobDefault& d);
// Every string inside `j` with its byte amounts (format_size markers) written in `units`.
nlohmann::json rendered(nlohmann::json j, Units units);
// The request's "units": true for "decimal" (GB/MB inside formulas), false for "binary" or none. Throws
// FieldError("units") for any other value.
bool wants_decimal(const nlohmann::json& request);

// estimate: request -> response.
nlohmann::json estimate(const nlohmann::json& request);
// compare: the request's setup on every catalog GPU: status, headroom, max concurrency, fewest cards.
nlohmann::json compare(const nlohmann::json& request);
// quantizations: the request's setup under every weight format its runtime can load, most bits first:
// {"options": [{weights, label, published, bits_per_weight, weights_bytes, fits, verdict, headroom_bytes, max_context}],
//  "best": id|null, "best_any": id|null} where "best" is the published checkpoint with the most bits per weight
// that fits (any format for a custom model) and "best_any" the same over every format.
nlohmann::json quantizations(const nlohmann::json& request);
// plan: the request's hardware (gpu/gpus/device, gpu_count, host, context, concurrency, engine, optional runtime,
// models and fits_only) against every catalog model × its published checkpoint formats × every runtime that runs on
// the devices and loads the format: {"rows": [{model, weights, runtime, verdict, max_context, max_concurrency,
// native_context, max_context_is_window, decode_tokens_per_s, memory, ...}], "device", "runtimes", "context",
// "concurrency", "window_rule", "capped_rows"}. Each row's verdict is estimate's for the same setup.
nlohmann::json plan(const nlohmann::json& request);
// defaults: {"runtime", "engine": {knob: value}} — the knobs the request's runtime applies when unset,
// resolved for its devices (the registry's defaults).
nlohmann::json defaults(const nlohmann::json& request);
// schema: the engine registry — {"runtimes": [{id, name, aliases, loads, formats, default_weights,
// sweep_formats, kv_cache_types, knobs: [{name, aliases, type, min, max, default, default_text, label, help,
// group, flag, shown_for}], card_counts, parallel, layer_split, vendors, backends, verdict}], "formats",
// "gguf_types", "default_runtime", "limits"}.
const nlohmann::json& schema();
// parse_log: {"log": text} -> the buffers and figures an engine printed at startup (logs.hpp).
// check_log: {"request": {...}, "log": text} -> each logged figure next to the estimate of the same request:
// {"engine", "rows": [{what, device, unit ("bytes" | "tokens"), logged, estimated, error_pct}]}.
nlohmann::json parse_log(const nlohmann::json& request);
nlohmann::json check_log(const nlohmann::json& request);
// command: request -> {"runtime", "command": text, "notes": [...]}: the command that launches the setup with
// the settings the estimate assumed (registry/commands.cpp), and what the command cannot carry.
nlohmann::json command(const nlohmann::json& request);
// from_command: {"command": text} -> {"runtime", "request": {...}, "ignored": [{flag, reason, known}],
// "missing": ["model"]?}: a launch command of vLLM, SGLang, TensorRT-LLM, llama.cpp, Ollama, Transformers
// or MLX read back into a request. Flags that leave memory unchanged (or that the estimate does not model)
// are listed with the reason; unknown ones with known = false.
nlohmann::json from_command(const nlohmann::json& request);
// catalog listings: {"models": [...]} / {"gpus": [...]} summaries (id, name, family, ..., the published parameter
// counts). A model's summary also carries the parameter counts worked out from its config (params_total,
// params_active for a mixture of experts) unless `derived` is false: {"derived": false} lists the catalog without
// building every model's geometry, for a picker that shows one model's figures at a time (model).
// {"ids": [...]} lists only those entries, in that order (list_some_models, list_some_gpus): a page that shows one
// model and one GPU first can start without the whole lists.
const nlohmann::json& list_models(bool derived = true);
const nlohmann::json& list_models(const nlohmann::json& request);
nlohmann::json list_some_models(const nlohmann::json& request);
const nlohmann::json& list_gpus();
const nlohmann::json& list_gpus(const nlohmann::json& request);
nlohmann::json list_some_gpus(const nlohmann::json& request);
constexpr size_t kMaxListedIds = 64;
// search: {"query": "...", "kind": "models" | "gpus"} -> ranked ids.
nlohmann::json search(const nlohmann::json& request);
// model: {"model": id} -> the catalog record (config included) + derived geometry and parameter counts.
nlohmann::json model_info(const nlohmann::json& request);

// inspect: {"files": [{"name", "size" (the whole file's, optional), "data_base64" (its first bytes) | "text"}]} ->
// {format, architecture, parameters, tensor_count, tensor_bytes, tensor_types, parameters_note, quantization, files,
// metadata, not_understood, checkpoint, request} for config.json, safetensors files and index, or GGUF files; or
// {"need_bytes": [{"name", "bytes"}]} when a header runs past the bytes given. `checkpoint` is the summary a request
// carries as "checkpoint"; `request` is {config, checkpoint[, weights, runtime]} ready to complete and estimate.
nlohmann::json inspect(const nlohmann::json& request);
nlohmann::json inspect_files(const std::vector<FileBytes>& files);

// Request text → JSON, bounded: at most 16 MiB and 64 levels of nesting; FieldError("invalid_json") for text
// that is too large, too deep or not JSON (numbers a double cannot hold included).
nlohmann::json parse_text(const std::string& text);
// The same with another size bound (inspect takes file headers: up to 100 MB, base64-encoded).
nlohmann::json parse_text(const std::string& text, size_t max_bytes);

// One entry point for bindings: method name + request text -> response text. Never throws: every
// failure (malformed JSON, bad field, unknown method) is returned as an error object.
std::string call(const std::string& method, const std::string& request_text);
// The same for the core methods alone: estimate, compare, quantizations, defaults, schema, command, models, gpus,
// search and model, which a calculator needs. The tool methods (tool_methods(): plan over the catalog, startup logs,
// launch commands and file headers) answer the error "in_tools_module". A binary built around call_core leaves the
// tools' code out: the page's first WebAssembly module is this one, and a second, full one is loaded for a tool.
std::string call_core(const std::string& method, const std::string& request_text);
const std::vector<std::string>& tool_methods();
// Every method call answers, core and tools.
std::vector<std::string> method_names();

nlohmann::json error_json(const std::string& code, const std::string& field, const std::string& message);

}  // namespace fitmygpu::api
