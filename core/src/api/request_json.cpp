// JSON → Request: every field's type and range, every engine knob against the registry's knob table.
// Nothing is defaulted here and nothing is looked up in the catalog; errors name the field.
#include "request_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/commands.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/json_parse.hpp"
#include "fitmygpu/registry.hpp"
#include "text.hpp"

namespace fitmygpu::api {

using nlohmann::json;

// A key of the request as it is named back in an error: bounded like a name, whatever was sent.
std::string shown_key(const std::string& key) {
    if (key.empty()) return "\"\"";  // an empty key still names a field
    if (key.size() <= 60) return key;
    size_t cut = 57;
    while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
    return key.substr(0, cut) + "...";
}

std::string describe(const json& v) {
    std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
    if (s.size() > 40) s = s.substr(0, 37) + "...";
    return s;
}

i64 int_field(const json& v, const std::string& field, i64 lo, i64 hi) {
    if (!v.is_number()) fail("invalid_field", field, field + " must be a whole number (got " + describe(v) + ")");
    const double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d)) fail("invalid_field", field, field + " must be a whole number (got " + describe(v) + ")");
    if (d < static_cast<double>(lo) || d > static_cast<double>(hi))
        fail("invalid_field", field, field + " must be between " + group_digits(lo) + " and " + group_digits(hi) + " (got " + describe(v) + ")");
    return static_cast<i64>(d);
}

bool bool_field(const json& v, const std::string& field) {
    if (!v.is_boolean()) fail("invalid_field", field, field + " must be true or false (got " + describe(v) + ")");
    return v.get<bool>();
}

std::string string_field(const json& v, const std::string& field) {
    if (!v.is_string()) fail("invalid_field", field, field + " must be a string (got " + describe(v) + ")");
    return v.get<std::string>();
}

// Names shown back to the user and looked up in the catalog: bounded, so that no lookup, search or message grows
// with what was sent, and plain text (no control characters).
constexpr size_t kMaxNameBytes = 200;

std::string name_field(const json& v, const std::string& field) {
    std::string s = string_field(v, field);
    if (s.size() > kMaxNameBytes) fail("invalid_field", field, field + " must be at most " + std::to_string(kMaxNameBytes) + " bytes long");
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) fail("invalid_field", field, field + " must be plain text without control characters");
    return s;
}

namespace {

// The config reader checks the fields it knows; a field of an unexpected JSON type that it reads without a
// check surfaces as a nlohmann type error, which is the config's fault, not an internal one.
ModelGeometry read_config(const json& config) {
    try {
        return parse_geometry(config, "config");
    } catch (const json::exception& e) {
        fail("invalid_field", "config", std::string("config has a field of the wrong type or shape (") + e.what() + ")");
    }
}

double number_field(const json& v, const std::string& field, const std::string& what) {
    if (!v.is_number()) fail("invalid_field", field, field + " must be " + what + " (got " + describe(v) + ")");
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail("invalid_field", field, field + " must be " + what + " (got " + describe(v) + ")");
    return d;
}

// llama.cpp's --override-tensor: one string of comma-separated entries, or a list of them (one per -ot flag).
constexpr size_t kMaxOverrideBytes = 4096;
std::string override_text(const json& v, const std::string& f) {
    std::string text;
    if (v.is_array()) {
        for (size_t i = 0; i < v.size(); ++i) {
            if (i) text += ',';
            text += string_field(v[i], f + "[" + std::to_string(i) + "]");
        }
    } else text = string_field(v, f);
    if (text.size() > kMaxOverrideBytes) fail("invalid_field", f, f + " must be at most " + std::to_string(kMaxOverrideBytes) + " bytes long");
    for (unsigned char c : text)
        if (c < 0x20 || c == 0x7f) fail("invalid_field", f, f + " must be plain text without control characters");
    return text;
}

}  // namespace

// A request that is not an object is refused as estimate refuses it (erasing a key of an array would throw a JSON
// type error, not a field error).
json without(const json& request, std::initializer_list<const char*> keys) {
    if (!request.is_object()) fail("invalid_request", "", "the request must be a JSON object");
    json base = request;
    for (const char* k : keys) base.erase(k);
    return base;
}

std::optional<std::string> dtype_weights(const std::string& dtype) {
    const std::string d = normalize_key(dtype);
    if (d == "float32" || d == "float" || d == "fp32") return "fp32";
    if (d == "float16" || d == "half" || d == "fp16") return "fp16";
    if (d == "bfloat16" || d == "bf16") return "bf16";
    if (d == "auto") return "";
    return std::nullopt;
}

std::optional<i64> count_text(const std::string& text, bool sglang_suffixes) {
    size_t digits = 0;
    bool point = false;
    while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) || (text[digits] == '.' && !point))) {
        point = point || text[digits] == '.';
        ++digits;
    }
    if (digits == 0 || digits > 24 || text.size() - digits > 2) return std::nullopt;
    const std::string suffix = text.substr(digits);
    double scale = 1;
    bool exact_only = false;  // vLLM's binary suffixes take a whole mantissa
    if (!suffix.empty()) {
        const std::string decimal = sglang_suffixes ? "kMGT" : "kmgt", binary = sglang_suffixes ? "" : "KMGT";
        const size_t power = std::string("kmgt").find(static_cast<char>(std::tolower(static_cast<unsigned char>(suffix[0])))) + 1;
        if (power == 0) return std::nullopt;
        if (suffix.size() == 2) {
            if (suffix[1] != 'i' || !sglang_suffixes || suffix[0] == 'k') return std::nullopt;
            scale = std::pow(1024.0, static_cast<double>(power));
        } else if (decimal.find(suffix[0]) != std::string::npos) {
            scale = std::pow(1000.0, static_cast<double>(power));
        } else if (binary.find(suffix[0]) != std::string::npos) {
            scale = std::pow(1024.0, static_cast<double>(power));
            exact_only = true;
        } else {
            return std::nullopt;
        }
    }
    if (point && (exact_only || suffix.empty())) return std::nullopt;
    const double v = std::strtod(text.substr(0, digits).c_str(), nullptr) * scale;
    if (!std::isfinite(v) || v > 9.0e15 || v != std::floor(v)) return std::nullopt;
    return static_cast<i64>(v);
}

GraphSettings graph_settings(const json& given, const std::string& field) {
    json config = given;
    if (config.is_string()) {  // -O 3, or the object as the flag's JSON text
        const std::string text = config.get<std::string>();
        if (const auto level = count_text(text, false)) config = *level;
        else if (!text.empty() && text.front() == '{') {
            try {
                config = parse_json(text);
            } catch (const json::exception&) {
                fail("invalid_field", field, field + " is not valid JSON");
            }
        }
    }
    if (config.is_number_integer()) config = json{{"level", config}};
    if (!config.is_object()) fail("invalid_field", field, field + " takes an optimization level or a JSON object (got " + describe(given) + ")");
    GraphSettings g;
    for (const auto& [key, v] : config.items()) {
        std::string shown = key + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
        if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
        if (key == "cudagraph_mode" && v.is_string() && normalize_key(v.get<std::string>()) == "none") {
            g.eager = true;
        } else if ((key == "max_cudagraph_capture_size" || key == "max_capture_size") && v.is_number_integer() && v.get<i64>() >= 0) {
            if (v.get<i64>() == 0) g.eager = true;
            else g.max_batch = v.get<i64>();
        } else if (key == "cudagraph_capture_sizes" && v.is_array() && v.size() <= 4096) {
            i64 most = 0;
            for (const auto& size : v)
                if (size.is_number_integer()) most = std::max(most, size.get<i64>());
            if (most > 0) g.max_batch = most;
            else g.eager = true;
        } else if ((key == "level" || key == "mode") && v.is_number_integer() && v.get<i64>() == 0 && !config.contains("cudagraph_mode")) {
            g.eager = true;
        } else {
            g.unread.push_back(shown);
        }
    }
    return g;
}

namespace {

// A flag's value as users write it in JSON: numbers or their text, true/false or on/off, "3,1" for a list.
KnobValue flag_value(const KnobSpec& spec, const CommandFlag& flag, const json& v, const std::string& f, bool sglang) {
    KnobValue kv;
    const std::string text = v.is_string() ? v.get<std::string>() : "";
    auto number = [&](const std::string& what) -> double {
        if (v.is_number()) return number_field(v, f, what);
        if (v.is_string()) {
            char* end = nullptr;
            const double d = std::strtod(text.c_str(), &end);
            if (!text.empty() && end == text.c_str() + text.size() && std::isfinite(d)) return d;
            if (spec.type == KnobType::Integer)
                if (const auto n = count_text(text, sglang)) return static_cast<double>(*n);  // 16k
        }
        fail("invalid_field", f, f + " must be " + what + " (got " + describe(v) + ")");
    };
    auto truth = [&]() -> std::optional<bool> {
        if (v.is_boolean()) return v.get<bool>();
        if (v.is_number_integer() && (v.get<i64>() == 0 || v.get<i64>() == 1)) return v.get<i64>() == 1;
        const std::string t = normalize_key(text);
        if (t == "on" || t == "true" || t == "1" || t == "enabled" || t == "yes") return true;
        if (t == "off" || t == "false" || t == "0" || t == "disabled" || t == "no") return false;
        return std::nullopt;
    };
    switch (spec.type) {
        case KnobType::Fraction: kv.number = number("a number between 0 and 1"); break;
        case KnobType::Integer:
            if (flag.many_values && (v.is_array() || text.find_first_of(" ,") != std::string::npos)) {
                // A list of sizes (SGLang's cuda_graph_bs [1, 2, 4, 8], vLLM's cudagraph_capture_sizes): the largest.
                double most = 0;
                auto take = [&](double x) {
                    if (!std::isfinite(x) || x != std::floor(x)) fail("invalid_field", f, f + " must be whole numbers (got " + describe(v) + ")");
                    most = std::max(most, x);
                };
                if (v.is_array()) {
                    if (v.size() > 4096) fail("invalid_field", f, f + " lists more than 4,096 sizes");
                    for (const auto& x : v) take(number_field(x, f, "whole numbers"));
                } else {
                    std::string part;
                    for (size_t i = 0; i <= text.size(); ++i) {
                        if (i < text.size() && text[i] != ' ' && text[i] != ',') {
                            part.push_back(text[i]);
                            continue;
                        }
                        if (part.empty()) continue;
                        char* end = nullptr;
                        const double d = std::strtod(part.c_str(), &end);
                        if (end != part.c_str() + part.size()) fail("invalid_field", f, f + " must be whole numbers (got " + describe(v) + ")");
                        take(d);
                        part.clear();
                    }
                }
                kv.number = most;
                break;
            }
            if (spec.name == "n_gpu_layers" && (text == "all" || text == "auto")) {
                kv.number = -1;  // every layer (llama.cpp's -ngl all; auto is its --fit, which places them all when they fit)
                break;
            }
            kv.number = number("a whole number");
            if (kv.number != std::floor(kv.number)) fail("invalid_field", f, f + " must be a whole number (got " + describe(v) + ")");
            break;
        case KnobType::Boolean:
            if (const auto b = truth()) kv.boolean = *b;
            else if (flag.takes_value && (v.is_number() || !text.empty()))
                kv.boolean = number("true, false or a number of ranks") > 1;  // --ep-size N: expert parallel over N ranks
            else fail("invalid_field", f, f + " must be true or false (got " + describe(v) + ")");
            break;
        case KnobType::Tristate:
            if (normalize_key(text) == "auto" || text == "-1" || (v.is_number_integer() && v.get<i64>() == -1)) kv.is_auto = true;  // -fa -1
            else if (const auto b = truth()) kv.boolean = *b;
            else if (spec.name == "mmproj" && !text.empty()) kv.boolean = true;  // llama.cpp's --mmproj takes the projector file
            else fail("invalid_field", f, f + " must be on, off or auto (got " + describe(v) + ")");
            break;
        case KnobType::NumberList:
            if (v.is_array()) {
                for (size_t i = 0; i < v.size() && i <= static_cast<size_t>(spec.max_items); ++i) {
                    const std::string fi = f + "[" + std::to_string(i) + "]";
                    kv.list.push_back(number_field(v[i], fi, "a number"));
                }
            } else if (v.is_string()) {
                std::string part;
                for (size_t i = 0; i <= text.size(); ++i) {
                    if (i == text.size() || text[i] == ',' || text[i] == '/') {
                        char* end = nullptr;
                        const double d = std::strtod(part.c_str(), &end);
                        if (part.empty() || end != part.c_str() + part.size() || !std::isfinite(d))
                            fail("invalid_field", f, f + " must be proportions such as \"3,1\" (got " + describe(v) + ")");
                        kv.list.push_back(d);
                        part.clear();
                        if (kv.list.size() > static_cast<size_t>(spec.max_items)) break;
                    } else part.push_back(text[i]);
                }
            } else fail("invalid_field", f, f + " must be proportions such as [3, 1] or \"3,1\" (got " + describe(v) + ")");
            break;
        case KnobType::Draft:
            if (v.is_object()) {  // vLLM --speculative-config {"method": "mtp", "num_speculative_tokens": 2} or {"model": ...}
                if (v.contains("method") && v["method"].is_string() && v["method"].get<std::string>().find("mtp") != std::string::npos) kv.text = "mtp";
                else if (v.contains("model") && v["model"].is_string()) kv.text = name_field(v["model"], f + ".model");
                else fail("invalid_field", f, f + " must name a method (\"mtp\") or a draft model");
                break;
            }
            kv.text = name_field(v, f);
            break;
        case KnobType::Text:
            if (spec.name == "limit_mm_per_prompt" && v.is_object()) {  // {"image": 2, "video": 0}, as vLLM takes it
                for (const auto& [modality, count] : v.items())
                    kv.text += (kv.text.empty() ? "" : ",") + modality + "=" + (count.is_string() ? count.get<std::string>() : count.dump());
                if (kv.text.size() > 200) fail("invalid_field", f, f + " is too long");
                break;
            }
            kv.text = spec.name == "override_tensor" ? override_text(v, f) : name_field(v, f);
            break;
    }
    return kv;
}

// A request field an engine flag also sets (vLLM's max_model_len, llama.cpp's parallel): the two must agree.
template <typename T>
void set_once(std::optional<T>& slot, const T& value, const std::string& f, const std::string& other) {
    if (slot && *slot != value) fail("invalid_field", f, f + " and " + other + " disagree: give one of them");
    slot = value;
}

std::string weights_of_dtype(const std::string& dtype, const std::string& f) {
    if (const auto w = dtype_weights(dtype)) return *w;
    fail("invalid_field", f, f + " must be auto, bfloat16, float16 or float32 (got \"" + dtype + "\")");
}

void parse_engine(const json& j, Request& r) {
    if (!j.is_object()) fail("invalid_field", "engine", "engine must be an object of engine settings");
    // Flags are looked up in the table of the runtime asked for; without one, in every runtime's.
    const RuntimeDescriptor* rt = r.runtime ? find_runtime(*r.runtime) : nullptr;
    const Runtime* runtime = rt ? &rt->runtime : nullptr;
    std::optional<std::string> kv_k, kv_v;
    std::string kv_field;
    std::optional<i64> context_total;
    std::string context_total_field;
    // A setting written as an object of sub-settings, as a configuration file nests them (TensorRT-LLM's
    // kv_cache_config: {free_gpu_memory_fraction: 0.8}), is read key by key as kv_cache_config.free_gpu_memory_fraction;
    // an object the table names only as a whole (vLLM's hf_overrides) stays whole.
    std::vector<std::pair<std::string, const json*>> entries;
    static const json kOn = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const json& v = it.value();
        // TensorRT-LLM's cuda_graph_config: null, its documented way to capture no CUDA graphs.
        if (it.key() == "cuda_graph_config" && v.is_null() && runtime && *runtime == Runtime::Trtllm) {
            entries.emplace_back("enforce_eager", &kOn);
            continue;
        }
        if (!v.is_object() || v.empty()) {
            entries.emplace_back(it.key(), &v);
            continue;
        }
        const KnobSpec* knob = find_knob(it.key());
        const CommandFlag* whole = find_engine_flag(it.key(), runtime).flag;
        const KnobSpec* whole_knob = whole && whole->target == FlagTarget::Knob ? find_knob(whole->knob) : nullptr;
        const bool object_setting = (knob && (knob->type == KnobType::Draft || knob->name == "limit_mm_per_prompt")) ||
                                    (whole && whole->target == FlagTarget::GraphConfig) || (whole_knob && whole_knob->type == KnobType::Draft);
        if (object_setting) {
            entries.emplace_back(it.key(), &v);
            continue;
        }
        bool kept_whole = false;
        for (auto sub = v.begin(); sub != v.end(); ++sub) {
            const std::string key = it.key() + "." + sub.key();
            if (find_knob(key) || find_engine_flag(key, runtime).flag || !whole) entries.emplace_back(key, &sub.value());
            else if (!kept_whole) {
                entries.emplace_back(it.key(), &v);
                kept_whole = true;
            }
        }
    }
    for (const auto& [entry_key, entry_value] : entries) {
        const json& value = *entry_value;
        const std::string f = "engine." + shown_key(entry_key);
        EngineField field{entry_key, "", {}};
        const KnobSpec* spec = find_knob(entry_key);
        const CommandFlag* flag = nullptr;
        // A knob of another runtime spelled as one of this runtime's own flags (vLLM's --attention-backend takes its
        // own backend names; SGLang's knob does not apply): the flag.
        if (spec && rt && std::none_of(rt->knobs.begin(), rt->knobs.end(), [&](const RuntimeKnob& k) { return k.name == spec->name; })) {
            const EngineFlag own = find_engine_flag(entry_key, runtime);
            if (own.flag && own.spec && own.spec->runtime == rt->runtime) {
                flag = own.flag;
                spec = flag->target == FlagTarget::Knob ? find_knob(flag->knob) : nullptr;
            }
        }
        const EngineFlag found = spec || flag ? EngineFlag{} : find_engine_flag(entry_key, runtime);
        // no_X: the switch X turned off, as --no-X is on a command line.
        json switched_off;
        const json* given = &value;
        if (!spec && !flag && !found.flag && (entry_key.rfind("no_", 0) == 0 || entry_key.rfind("no-", 0) == 0)) {
            const EngineFlag on = find_engine_flag(entry_key.substr(3), runtime);
            if (on.flag && !on.flag->takes_value && (value.is_boolean() || value.is_number_integer())) {
                flag = on.flag;
                switched_off = !(value.is_boolean() ? value.get<bool>() : value.get<i64>() != 0);
                given = &switched_off;
                if (flag->target == FlagTarget::Knob) spec = find_knob(flag->knob);
            }
        }
        if (!spec && !flag) {
            flag = found.flag;
            // parent.key, where the table sets the parent aside as a whole (speculative_config.max_draft_len): the same.
            if (const size_t dot = entry_key.find('.'); !flag && dot != std::string::npos) {
                const CommandFlag* parent = find_engine_flag(entry_key.substr(0, dot), runtime).flag;
                if (parent && parent->target == FlagTarget::Ignored) {
                    r.ignored.push_back({entry_key, parent->reason});
                    continue;
                }
            }
            if (!flag) {
                const auto near = nearest_engine_fields(entry_key, runtime);
                std::string hint;
                for (size_t i = 0; i < near.size(); ++i) hint += (i == 0 ? "" : i + 1 == near.size() ? " or " : ", ") + near[i];
                fail("unknown_field", f,
                     f + " is not " + (rt ? std::string(article_for(rt->name)) + " " + rt->name + " setting" : std::string("an engine setting")) +
                         " FitMyGPU knows" + (hint.empty() ? "" : "; did you mean " + hint + "?"));
            }
            if (flag->target == FlagTarget::Knob) spec = find_knob(flag->knob);
        }
        if (spec) {
            for (const auto& earlier : r.engine_fields)
                if (earlier.knob == spec->name)
                    fail("invalid_field", f, f + " and engine." + shown_key(earlier.key) + " set the same setting (" + spec->name + "): give one");
            // As users write it: a number as text ("0.8", "32k"), true/false as 1/0 or "true".
            field.value = flag_value(*spec, flag ? *flag : CommandFlag{}, *given, f, runtime && *runtime == Runtime::Sglang);
            apply_knob(*spec, field.value, f, r.engine, describe(*given));
            // The value as understood (the version in its normal form).
            if (spec->name == "version") field.value.text = r.engine.version;
            field.knob = spec->name;
            r.engine_set.push_back(spec->name);
            r.engine_fields.push_back(std::move(field));
            continue;
        }
        // A count as text, with the engine's suffixes ("32k").
        json v = *given;
        if (v.is_string())
            if (const auto n = count_text(v.get<std::string>(), runtime && *runtime == Runtime::Sglang)) v = *n;
        switch (flag->target) {
            case FlagTarget::Context:
                // vLLM's max_model_len "auto" (or -1): the longest context that fits, which the plan answers.
                if ((value.is_string() && normalize_key(value.get<std::string>()) == "auto") || (v.is_number_integer() && v.get<i64>() == -1))
                    r.ignored.push_back({entry_key, "the longest context that fits: ask the plan for the largest context"});
                else set_once(r.context, int_field(v, f, 1, kMaxContext), f, "context");
                break;
            case FlagTarget::ContextTotal:
                if (v.is_number_integer() && v.get<i64>() == 0) {  // llama.cpp's -c 0: the model's own context, the default
                    r.ignored.push_back({entry_key, "the model's training context: the estimate's default context is used"});
                    break;
                }
                context_total = int_field(v, f, 1, kMaxContext);
                context_total_field = f;
                break;
            case FlagTarget::Concurrency: set_once(r.concurrency, int_field(v, f, 1, kMaxConcurrency), f, "concurrency"); break;
            case FlagTarget::GraphConfig: {
                const GraphSettings g = graph_settings(value, f);
                if (g.eager) {
                    KnobValue on;
                    on.boolean = true;
                    apply_knob(*find_knob("enforce_eager"), on, f, r.engine, "");
                }
                if (g.max_batch) {
                    KnobValue kv;
                    kv.number = static_cast<double>(*g.max_batch);
                    apply_knob(*find_knob("cuda_graph_max_bs"), kv, f, r.engine, describe(value));
                }
                for (const auto& key : g.unread) r.ignored.push_back({entry_key + "." + key, kGraphCaptureReason});
                if (g.eager) field.knob = "enforce_eager";
                else if (g.max_batch) field.knob = "cuda_graph_max_bs";
                break;
            }
            case FlagTarget::KvType:
                kv_k = kv_v = name_field(v, f);
                kv_field = f;
                break;
            case FlagTarget::KvTypeK:
                kv_k = name_field(v, f);
                kv_field = f;
                break;
            case FlagTarget::KvTypeV:
                kv_v = name_field(v, f);
                if (!kv_k) kv_field = f;
                break;
            case FlagTarget::Dtype: {
                const std::string w = weights_of_dtype(name_field(v, f), f);
                if (!w.empty() && !r.weights) r.weights = w;
                else if (!w.empty()) r.ignored.push_back({entry_key, "the weights field names the checkpoint format"});
                break;
            }
            case FlagTarget::Quantization: {
                const std::string q = normalize_key(name_field(v, f));
                if (q == "fp8" && !r.weights) r.weights = "fp8";
                else r.ignored.push_back({entry_key, "the checkpoint format is the weights field's (give weights to change it)"});
                break;
            }
            case FlagTarget::AllExpertsCpu:
                if (bool_field(v, f)) r.engine.n_cpu_moe = static_cast<int>(find_knob("n_cpu_moe")->max);
                field.knob = "n_cpu_moe";
                break;
            case FlagTarget::Model: fail("invalid_field", f, f + " names the checkpoint: give it as the request's model (and weights)");
            case FlagTarget::Devices: r.ignored.push_back({entry_key, "device selection: give the GPUs in the request"}); break;
            case FlagTarget::Ignored: r.ignored.push_back({entry_key, flag->reason}); break;
            case FlagTarget::Knob: break;  // handled above
        }
        r.engine_fields.push_back(std::move(field));
    }
    // K and V cache types: one type for both in the estimate.
    if (kv_k || kv_v) {
        const std::string kv = kv_k ? *kv_k : *kv_v;
        if (normalize_key(kv) != "auto") set_once(r.kv_cache_dtype, kv, kv_field, "kv_cache_dtype");
        if (kv_k && kv_v && normalize_key(*kv_k) != normalize_key(*kv_v))
            r.ignored.push_back({"cache_type_v", "a V cache type other than K's is not modelled: both are estimated as " + *kv_k});
        else if (!kv_k || !kv_v) r.ignored.push_back({kv_k ? "cache_type_k" : "cache_type_v", "only one of K and V changes type; both are estimated as " + kv});
    }
    // llama.cpp's ctx_size is shared by its parallel slots.
    if (context_total) {
        const i64 slots = r.concurrency.value_or(1);
        set_once(r.context, std::max<i64>(1, *context_total / slots), context_total_field, "context");
    }
    check_knobs(r.engine);
}

Device custom_device(const json& j) {
    if (!j.is_object()) fail("invalid_field", "device", "device must be an object like {\"name\": \"My card\", \"memory_mib\": 24564}");
    Device d;
    d.id = "custom";
    d.name = "Custom device";
    d.device_class = "custom";
    d.memory_status = "user";
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string f = "device." + shown_key(it.key());
        if (it.key() == "name") d.name = name_field(it.value(), f);
        else if (it.key() == "memory_mib") d.memory_bytes = int_field(it.value(), f, 1, kMaxDeviceMemoryMib) * MiB;
        else if (it.key() == "memory_gib") d.memory_bytes = int_field(it.value(), f, 1, kMaxDeviceMemoryMib >> 10) * GiB;
        else if (it.key() == "bandwidth_gbps") {
            if (!it.value().is_number() || !(it.value().get<double>() >= 0) || it.value().get<double>() > kMaxDeviceBandwidthGbps)
                fail("invalid_field", f, f + " must be a non-negative number of GB/s");
            d.bandwidth_gbps = it.value().get<double>();
        } else if (it.key() == "link_gbps" || it.key() == "host_link_gbps") {
            if (!it.value().is_number() || !(it.value().get<double>() >= 0) || it.value().get<double>() > kMaxDeviceBandwidthGbps)
                fail("invalid_field", f, f + " must be a non-negative number of GB/s");
            (it.key() == "link_gbps" ? d.link_gbps : d.host_link_gbps) = it.value().get<double>();
        } else if (it.key() == "link_kind") {
            d.link_kind = name_field(it.value(), f);
            if (d.link_kind != "nvlink" && d.link_kind != "pcie" && d.link_kind != "infinity_fabric" && d.link_kind != "xe_link" && d.link_kind != "none")
                fail("invalid_field", f, f + " must be one of nvlink, pcie, infinity_fabric, xe_link, none");
        } else if (it.key() == "unified_memory") d.unified = bool_field(it.value(), f);
        else if (it.key() == "tflops_bf16") {
            if (!it.value().is_number() || !(it.value().get<double>() >= 0)) fail("invalid_field", f, f + " must be a non-negative number");
            d.tflops_bf16 = it.value().get<double>();
        } else
            fail(
                "unknown_field", f,
                f + " is not a device field (name, memory_mib, memory_gib, bandwidth_gbps, unified_memory, tflops_bf16, link_kind, link_gbps, host_link_gbps)");
    }
    if (d.memory_bytes <= 0) fail("missing_field", "device.memory_mib", "device.memory_mib is required");
    d.engine_total_bytes = d.memory_bytes;  // a user-given figure is taken as what the engine sees
    d.engine_total_source = "user";
    return d;
}

HostRequest host_field(const json& j) {
    if (!j.is_object()) fail("invalid_field", "host", "host must be an object like {\"memory_mib\": 65536, \"bandwidth_gbps\": 89.6}");
    HostRequest h;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string f = "host." + shown_key(it.key());
        if (it.key() == "memory_mib") h.memory_bytes = int_field(it.value(), f, 1, kMaxHostMemoryMib) * MiB;
        else if (it.key() == "bandwidth_gbps") {
            const double b = number_field(it.value(), f, "a positive number of GB/s");
            if (!(b > 0) || b > kMaxHostBandwidthGbps)
                fail("invalid_field", f, f + " must be a positive number of GB/s up to " + group_digits(static_cast<i64>(kMaxHostBandwidthGbps)));
            h.bandwidth_gbps = b;
        } else if (it.key() == "gpu_wired_limit_mib") h.gpu_wired_limit_bytes = int_field(it.value(), f, 1, kMaxHostMemoryMib) * MiB;
        else fail("unknown_field", f, f + " is not a host field (memory_mib, bandwidth_gbps, gpu_wired_limit_mib)");
    }
    return h;
}

NetworkRequest network_field(const json& j) {
    if (!j.is_object()) fail("invalid_field", "network", "network must be an object like {\"gbps\": 50, \"latency_us\": 20}");
    NetworkRequest n;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string f = "network." + shown_key(it.key());
        if (it.key() == "gbps" || it.key() == "latency_us") {
            const double v = number_field(it.value(), f, it.key() == "gbps" ? "a positive number of GB/s" : "a positive number of microseconds");
            const double top = it.key() == "gbps" ? kMaxNetworkGbps : kMaxNetworkLatencyUs;
            if (!(v > 0) || v > top)
                fail("invalid_field", f,
                     f + " must be a positive number" + (it.key() == "gbps" ? " of GB/s" : " of microseconds") + " up to " +
                         group_digits(static_cast<i64>(top)));
            (it.key() == "gbps" ? n.gbps : n.latency_us) = v;
        } else fail("unknown_field", f, f + " is not a network field (gbps, latency_us)");
    }
    return n;
}

// "gpu_memory_in_use_mib": one figure in MiB for every GPU, or a list of one per GPU.
std::vector<i64> in_use_field(const json& j) {
    const std::string f = "gpu_memory_in_use_mib";
    std::vector<i64> out;
    if (j.is_array()) {
        if (j.empty() || j.size() > static_cast<size_t>(kMaxGpus))
            fail("invalid_field", f, f + " must be a number of MiB, or a list of one per GPU (at most " + group_digits(kMaxGpus) + ")");
        for (size_t i = 0; i < j.size(); ++i) out.push_back(int_field(j.at(i), f + "[" + std::to_string(i) + "]", 0, kMaxDeviceMemoryMib) * MiB);
    } else {
        out.push_back(int_field(j, f, 0, kMaxDeviceMemoryMib) * MiB);
    }
    return out;
}

constexpr std::string_view kRequestFields[] = {"model",
                                               "config",
                                               "weights",
                                               "runtime",
                                               "gpu",
                                               "gpus",
                                               "device",
                                               "images",
                                               "gpu_count",
                                               "context",
                                               "concurrency",
                                               "kv_cache_dtype",
                                               "engine",
                                               "units",
                                               "host",
                                               "checkpoint",
                                               "nodes",
                                               "network",
                                               "gpu_memory_in_use_mib"};

// Names people give a request field, with the field each stands for.
constexpr std::pair<std::string_view, std::string_view> kRequestFieldSynonyms[] = {{"quantization", "weights"},
                                                                                   {"quant", "weights"},
                                                                                   {"dtype", "weights"},
                                                                                   {"precision", "weights"},
                                                                                   {"format", "weights"},
                                                                                   {"context_length", "context"},
                                                                                   {"context_size", "context"},
                                                                                   {"ctx", "context"},
                                                                                   {"ctx_size", "context"},
                                                                                   {"num_ctx", "context"},
                                                                                   {"n_ctx", "context"},
                                                                                   {"seq_len", "context"},
                                                                                   {"batch_size", "concurrency"},
                                                                                   {"users", "concurrency"},
                                                                                   {"parallel", "concurrency"},
                                                                                   {"kv_dtype", "kv_cache_dtype"},
                                                                                   {"cache_dtype", "kv_cache_dtype"},
                                                                                   {"kv_cache_type", "kv_cache_dtype"},
                                                                                   {"num_gpus", "gpu_count"},
                                                                                   {"n_gpus", "gpu_count"},
                                                                                   {"backend", "runtime"},
                                                                                   {"framework", "runtime"},
                                                                                   {"model_id", "model"},
                                                                                   {"repo", "model"},
                                                                                   {"memory_in_use_mib", "gpu_memory_in_use_mib"},
                                                                                   {"in_use_mib", "gpu_memory_in_use_mib"},
                                                                                   {"used_mib", "gpu_memory_in_use_mib"},
                                                                                   {"vram_in_use_mib", "gpu_memory_in_use_mib"},
                                                                                   {"gpu_memory_used_mib", "gpu_memory_in_use_mib"}};

// What an unknown request field most likely is, as the end of the error's message: a request field under another name
// or a letter or two off, or an engine setting given outside engine. Empty when nothing is close.
std::string unknown_field_hint(const std::string& key) {
    if (key.empty() || key.size() > kLongestSlip) return "";
    std::string k = lower(key);
    std::replace(k.begin(), k.end(), '-', '_');
    for (const auto& [name, field] : kRequestFieldSynonyms)
        if (k == name) return "; did you mean " + std::string(field) + "?";
    std::string_view nearest;
    size_t best = k.size() >= 5 ? 3 : 2;  // at most two letters off a name of five or more, else one
    for (const std::string_view field : kRequestFields) {
        const size_t d = edit_distance(k, std::string(field));
        if (d < best) {
            best = d;
            nearest = field;
        }
    }
    if (!nearest.empty()) return "; did you mean " + std::string(nearest) + "?";
    if (find_knob(k) || find_engine_flag(k, nullptr).flag) return "; it is an engine setting: give it inside engine, as {\"engine\": {\"" + k + "\": ...}}";
    return "";
}

}  // namespace

Units parse_units(const json& req) {
    if (!req.is_object() || !req.contains("units")) return Units::Binary;
    const json& v = req.at("units");
    if (v.is_string()) {
        const std::string u = v.get<std::string>();
        if (u == "binary" || u == "gib") return Units::Binary;
        if (u == "decimal" || u == "gb") return Units::Decimal;
    }
    fail("invalid_field", "units", "units must be \"binary\" (GiB, MiB) or \"decimal\" (GB, MB)");
}

Request parse_request(const json& req) {
    if (!req.is_object()) fail("invalid_request", "", "the request must be a JSON object");
    if (req.contains("file"))
        fail("invalid_field", "file",
             "file is read by the command line (fitmygpu estimate); here, give the config and the checkpoint summary that inspect returns");
    for (auto it = req.begin(); it != req.end(); ++it)
        if (std::find(std::begin(kRequestFields), std::end(kRequestFields), it.key()) == std::end(kRequestFields))
            fail("unknown_field", shown_key(it.key()),
                 (it.key().empty() ? std::string("an empty key") : "\"" + shown_key(it.key()) + "\"") + " is not a request field" +
                     unknown_field_hint(it.key()));
    Request r;
    r.units = parse_units(req);

    if (req.contains("model") && req.contains("config")) fail("invalid_field", "config", "give either model (a catalog id) or config, not both");
    if (req.contains("model")) r.model = name_field(req.at("model"), "model");
    else if (req.contains("config")) r.config = read_config(req.at("config"));
    else fail("missing_field", "model", "model (a catalog id) or config (a config.json object) is required");

    if (req.contains("runtime")) r.runtime = name_field(req.at("runtime"), "runtime");
    if (req.contains("weights")) r.weights = name_field(req.at("weights"), "weights");

    const int given = static_cast<int>(req.contains("gpu")) + static_cast<int>(req.contains("gpus")) + static_cast<int>(req.contains("device"));
    if (given > 1) fail("invalid_field", "gpus", "give one of gpu, gpus or device");
    if (req.contains("gpu_count") && req.contains("gpus"))
        fail("invalid_field", "gpu_count", "gpu_count goes with gpu or device; with gpus give each entry its count");
    const i64 gpu_count = req.contains("gpu_count") ? int_field(req.at("gpu_count"), "gpu_count", 0, kMaxGpus) : 1;
    if (gpu_count == 0 && given > 0)
        fail("invalid_field", "gpu_count", "gpu_count 0 is a CPU-only run: leave out gpu and device (and give host, the system RAM)");
    if (gpu_count == 0) {
        r.cpu_only = true;
        r.device_count = 0;
    } else if (req.contains("gpus")) {
        const json& list = req.at("gpus");
        if (!list.is_array() || list.empty()) fail("invalid_field", "gpus", "gpus must be a non-empty array of {\"gpu\": id, \"count\": n}");
        if (list.size() > static_cast<size_t>(kMaxGpus)) fail("invalid_field", "gpus", "at most " + group_digits(kMaxGpus) + " GPUs");
        i64 total = 0;
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string f = "gpus[" + std::to_string(i) + "]";
            const json& item = list.at(i);
            if (!item.is_object() || !item.contains("gpu")) fail("invalid_field", f, f + " must be {\"gpu\": id, \"count\": n}");
            for (auto it = item.begin(); it != item.end(); ++it)
                if (it.key() != "gpu" && it.key() != "count")
                    fail("unknown_field", f + "." + shown_key(it.key()), f + "." + shown_key(it.key()) + " is not a field (gpu, count)");
            GpuRequest g;
            g.field = f + ".gpu";
            g.gpu = name_field(item.at("gpu"), g.field);
            g.count = item.contains("count") ? int_field(item.at("count"), f + ".count", 1, kMaxGpus) : 1;
            total += g.count;
            r.gpus.push_back(std::move(g));
        }
        if (total > kMaxGpus) fail("invalid_field", "gpus", "at most " + group_digits(kMaxGpus) + " GPUs");
    } else if (req.contains("device")) {
        r.device = custom_device(req.at("device"));
        r.device_count = gpu_count;
    } else if (req.contains("gpu")) {
        r.gpus.push_back({name_field(req.at("gpu"), "gpu"), "gpu", gpu_count});
    } else {
        r.device_count = gpu_count;  // with no device named, the scenario's default GPU, this many times
    }

    if (req.contains("context")) r.context = int_field(req.at("context"), "context", 1, kMaxContext);
    if (req.contains("concurrency")) r.concurrency = int_field(req.at("concurrency"), "concurrency", 1, kMaxConcurrency);
    if (req.contains("kv_cache_dtype")) r.kv_cache_dtype = name_field(req.at("kv_cache_dtype"), "kv_cache_dtype");
    if (req.contains("engine")) parse_engine(req.at("engine"), r);
    if (req.contains("checkpoint")) r.checkpoint = checkpoint_field(req.at("checkpoint"));
    if (req.contains("images")) r.images = int_field(req.at("images"), "images", 0, kMaxImages);
    if (req.contains("host")) r.host = host_field(req.at("host"));
    if (req.contains("gpu_memory_in_use_mib")) r.gpu_memory_in_use_bytes = in_use_field(req.at("gpu_memory_in_use_mib"));
    if (req.contains("nodes")) r.nodes = int_field(req.at("nodes"), "nodes", 1, kMaxNodes);
    if (req.contains("network")) r.network = network_field(req.at("network"));
    return r;
}

}  // namespace fitmygpu::api
