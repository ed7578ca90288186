// The `command` and `from_command` methods: a setup written as the command that launches it, and a launch
// command read back into a request. Both follow the launch-command table (registry/commands.cpp), so a
// flag is spelled in one place for both directions.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "fitmygpu/api.hpp"
#include "fitmygpu/checked.hpp"
#include "fitmygpu/commands.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/json_parse.hpp"
#include "fitmygpu/pattern.hpp"
#include "request_json.hpp"
#include "text.hpp"

namespace fitmygpu::api {

using nlohmann::json;

namespace {

// A command is a line or a few: bounded like any outside text.
constexpr size_t kMaxCommandBytes = 64 * 1024;
constexpr size_t kMaxCommandWords = 4096;

std::string number_text(double v) {
    if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
    return json(v).dump();
}

std::string value_text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number()) return number_text(v.get<double>());
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    return v.dump();
}

// ---- writing ----------------------------------------------------------------------------------------------

struct Written {
    std::vector<std::string> env;
    std::vector<std::string> words;
    std::vector<std::string> notes;
    void flag(const CommandFlag& f, const std::string& value = "", bool has_value = true) {
        if (f.environment) {
            env.push_back(f.names.front() + "=" + shell_quote(value));
            return;
        }
        words.push_back(f.names.front());
        if (has_value) words.push_back(shell_quote(value));
    }
};

const CommandFlag* flag_for(const CommandSpec& spec, FlagTarget target, const std::string& knob = "") {
    for (const auto& f : spec.flags)
        if (!f.field_only && !f.legacy && f.target == target && (target != FlagTarget::Knob || f.knob == knob)) return &f;
    return nullptr;
}

// What the command loads: a Hub repo (with the GGUF type after a colon for llama.cpp and Ollama), or a
// placeholder with a note when the catalog has no such checkpoint.
std::string model_word(const Scenario& s, Written& w) {
    const std::string name = s.model ? s.model->id : "model";
    if (s.weights.is_gguf()) {
        const std::string type = s.weights.id.substr(5);
        if (!s.weights_repo.empty()) return (s.runtime == Runtime::Ollama ? "hf.co/" : "") + s.weights_repo + ":" + type;
        w.notes.push_back("no published GGUF " + type + " of this model is in the catalog: make one with llama.cpp's convert_hf_to_gguf.py and llama-quantize");
        return s.runtime == Runtime::Ollama ? name + ":" + type : "/path/to/" + name + "-" + type + ".gguf";
    }
    if (!s.weights_repo.empty()) return s.weights_repo;
    const std::string official = s.model ? s.model->official_repo() : "";
    if (official.empty()) {
        w.notes.push_back("the model is a custom config: put the path of its folder in place of /path/to/model");
        return "/path/to/model";
    }
    if (s.runtime == Runtime::Mlx && s.weights.id.rfind("mlx-", 0) == 0) {
        w.notes.push_back("no published " + s.weights.label() + " conversion of this model is in the catalog: make one with mlx_lm.convert -q --hf-path " +
                          official);
        return "/path/to/" + name + "-" + s.weights.id;
    }
    return official;
}

// A draft model's repository: the official one of its catalog entry.
std::string draft_repo(const std::string& id) {
    const CatalogModel* m = Catalog::builtin().find_model(id);
    const std::string repo = m ? m->official_repo() : "";
    return repo.empty() ? id : repo;
}

json knob_json_value(const KnobSpec& k, const KnobValue& v) {
    switch (k.type) {
        case KnobType::Fraction: return v.number;
        case KnobType::Integer: return static_cast<i64>(v.number);
        case KnobType::Boolean: return v.boolean;
        case KnobType::Tristate: return v.is_auto ? json("auto") : json(v.boolean);
        case KnobType::NumberList: return v.list;
        case KnobType::Text:
        case KnobType::Draft: return v.text;
    }
    return nullptr;
}

// The request's knob values (under any spelling) over the registry's defaults for this setup.
std::map<std::string, json> knob_values(const Scenario& s, const Request& r) {
    std::map<std::string, json> values;
    for (const auto& [name, value] : resolved_defaults(s.runtime, s.devices, s.engine)) values[name] = to_json(value);
    for (const auto& f : r.engine_fields)
        if (const KnobSpec* k = f.knob.empty() ? nullptr : find_knob(f.knob)) values[k->name] = knob_json_value(*k, f.value);
    return values;
}

bool set_in_request(const Request& r, const std::string& knob) {
    for (const auto& f : r.engine_fields)
        if (f.knob == knob) return true;
    return false;
}

void write_knob(const Scenario& s, const CommandSpec& spec, const RuntimeKnob& rk, const json& v, const std::map<std::string, json>& values, Written& w) {
    const CommandFlag* f = flag_for(spec, FlagTarget::Knob, rk.name);
    const KnobSpec* k = find_knob(rk.name);
    if (!f || !k) {
        // (A knob written inside another knob's flag, vLLM's num_speculative_tokens, needs no note.)
        if (!rk.flag.empty() && !find_command_flag(spec, rk.flag)) w.notes.push_back(rk.name + " = " + value_text(v) + ": set " + rk.flag);
        return;
    }
    switch (k->type) {
        case KnobType::Boolean:
            if (!f->takes_value) {
                if (v.is_boolean() && v.get<bool>()) w.flag(*f, "", false);
            } else if (v.is_boolean() && v.get<bool>()) {
                // SGLang --ep-size and TensorRT-LLM --ep_size take the number of expert-parallel ranks: all of them.
                const auto tp = values.find("tensor_parallel_size");
                w.flag(*f, tp != values.end() ? value_text(tp->second) : std::to_string(s.devices.size()));
            }
            return;
        case KnobType::Tristate: {
            // llama-server -hf downloads the repository's projector file and loads it unless told not to (--no-mmproj):
            // no flag to write, only what it does.
            if (k->name == "mmproj") {
                if (v.is_boolean() && v.get<bool>())
                    w.notes.push_back("llama-server -hf loads the repository's mmproj file by itself (--mmproj FILE for a local one)");
                return;
            }
            if (v.is_string()) {
                if (!f->environment) w.flag(*f, "auto");
                return;
            }
            const bool on = v.is_boolean() && v.get<bool>();
            w.flag(*f, f->environment ? (on ? "1" : "0") : (on ? "on" : "off"));
            return;
        }
        case KnobType::NumberList: {
            std::string list;
            if (v.is_array())
                for (const auto& x : v) list += (list.empty() ? "" : ",") + value_text(x);
            w.flag(*f, list);
            return;
        }
        case KnobType::Draft: {
            const std::string draft = v.is_string() ? v.get<std::string>() : "";
            const std::string n = values.count("num_speculative_tokens") ? value_text(values.at("num_speculative_tokens")) : "1";
            if (s.runtime == Runtime::Vllm) {
                json config = json::object();
                if (draft == "mtp") config["method"] = "mtp";
                else config["model"] = draft_repo(s.spec.draft_id.empty() ? draft : s.spec.draft_id);
                config["num_speculative_tokens"] = std::stoll(n);
                w.flag(*f, config.dump());
            } else {
                w.flag(*f, "/path/to/" + draft + "-draft.gguf");
                w.notes.push_back("put the draft model's GGUF file in place of /path/to/" + draft + "-draft.gguf");
            }
            return;
        }
        default: {
            // vLLM reads --limit-mm-per-prompt as JSON: image=2,video=0 is written as {"image": 2, "video": 0}.
            const std::string text = value_text(v);
            if (k->name == "limit_mm_per_prompt" && text.find('{') == std::string::npos) {
                json limits = json::object();
                for (const std::string& part : parts(text, ','))
                    if (const size_t eq = part.find('='); eq != std::string::npos)
                        limits[part.substr(0, eq)] = std::strtoll(part.c_str() + eq + 1, nullptr, 10);
                w.flag(*f, limits.dump());
                return;
            }
            w.flag(*f, text);
            return;
        }
    }
}

std::string join_command(const Written& w, const std::vector<std::string>& program, const std::string& model, const std::string& model_flag,
                         const CommandSpec& spec) {
    std::vector<std::string> head = w.env;
    head.insert(head.end(), program.begin(), program.end());
    if (!model.empty()) {
        if (spec.model_positional) head.push_back(shell_quote(model));
        else {
            head.push_back(model_flag);
            head.push_back(shell_quote(model));
        }
    }
    std::string line;
    for (const auto& word : head) line += (line.empty() ? "" : " ") + word;
    // One flag (and its value) per line once the command gets long, as engine docs write them.
    size_t length = line.size();
    for (const auto& word : w.words) length += word.size() + 1;
    const bool wrap = length > 100;
    for (size_t i = 0; i < w.words.size(); ++i) {
        const bool starts_flag = w.words[i].rfind('-', 0) == 0;
        line += (wrap && starts_flag) ? " \\\n  " : " ";
        line += w.words[i];
    }
    return line;
}

}  // namespace

json command(const json& request) {
    const Request r = parse_request(request);
    const Scenario s = build_scenario(r, Catalog::builtin());
    const CommandSpec& spec = command_spec(s.runtime);
    const RuntimeDescriptor& rt = runtime_descriptor(s.runtime);
    Written w;
    const std::string model = model_word(s, w);

    // Context and concurrency.
    if (const CommandFlag* f = flag_for(spec, FlagTarget::Context)) w.flag(*f, std::to_string(s.context));
    if (const CommandFlag* f = flag_for(spec, FlagTarget::ContextTotal)) w.flag(*f, std::to_string(checked::mul(s.context, s.concurrency)));
    if (const CommandFlag* f = flag_for(spec, FlagTarget::Concurrency)) w.flag(*f, std::to_string(s.concurrency));
    if (!flag_for(spec, FlagTarget::Context) && !flag_for(spec, FlagTarget::ContextTotal))
        w.notes.push_back(rt.name + " takes no context length at launch: " + std::to_string(s.context) + " tokens per request is a property of the requests");
    // The KV cache type, when not the engine's own default.
    if (r.kv_cache_dtype && normalize_key(*r.kv_cache_dtype) != "auto") {
        if (const CommandFlag* f = flag_for(spec, FlagTarget::KvType)) w.flag(*f, s.kv.id);
        else if (const CommandFlag* fk = flag_for(spec, FlagTarget::KvTypeK)) {
            w.flag(*fk, s.kv.id);
            w.flag(*flag_for(spec, FlagTarget::KvTypeV), s.kv.id);
        } else w.notes.push_back("KV cache type " + s.kv.id + ": " + rt.name + " sets it in its configuration file (kv_cache_config.dtype)");
    }
    // A format quantized on load.
    if (s.weights_repo.empty() && s.weights.id == "fp8" && (s.runtime == Runtime::Vllm || s.runtime == Runtime::Sglang))
        w.flag(*flag_for(spec, FlagTarget::Quantization), "fp8");
    // Knobs: the runtime's main memory knob always, parallel sizes above 1, and whatever the request set.
    const auto values = knob_values(s, r);
    for (const auto& rk : rt.knobs) {
        const auto v = values.find(rk.name);
        if (v == values.end()) continue;
        const bool parallel = rk.name.find("parallel_size") != std::string::npos && v->second.is_number() && v->second.get<double>() > 1;
        if (rk.main || parallel || set_in_request(r, rk.name)) write_knob(s, spec, rk, v->second, values, w);
    }

    std::string text;
    if (s.runtime == Runtime::Ollama) {
        text = join_command(w, spec.programs.front(), "", "", spec) + "\n" + "ollama run " + shell_quote(model);
        w.notes.push_back("run `ollama run` in a second terminal once the server is up");
        if (set_in_request(r, "n_gpu_layers") || set_in_request(r, "n_batch"))
            w.notes.push_back("num_gpu and num_batch are model options: set them with PARAMETER in a Modelfile or in the API request's options");
    } else {
        // llama.cpp downloads a Hub repository with -hf REPO:TYPE and opens a file with -m.
        std::string model_flag;
        for (const auto& f : spec.flags)
            if (f.target == FlagTarget::Model && model_flag.empty()) model_flag = f.names.front();
        if (s.runtime == Runtime::LlamaCpp && model.rfind("/", 0) != 0) model_flag = "-hf";
        text = join_command(w, spec.programs.front(), model, model_flag, spec);
    }
    return {{"runtime", rt.id}, {"command", text}, {"notes", w.notes}};
}

// ---- reading ----------------------------------------------------------------------------------------------

namespace {

bool is_env_assignment(const std::string& w) {
    static const Pattern re("[A-Za-z_][A-Za-z0-9_]*=.*");
    return re.match_all(w);
}

std::string basename_of(const std::string& w) {
    const size_t slash = w.find_last_of('/');
    return slash == std::string::npos ? w : w.substr(slash + 1);
}

bool is_flag(const std::string& w) {
    if (w.size() < 2 || w[0] != '-') return false;
    return !(std::isdigit(static_cast<unsigned char>(w[1])) || w[1] == '.');
}

// A long flag written as the unique beginning of one, as argparse reads it: that flag, or none (none or several begin so).
const CommandFlag* abbreviated_flag(const CommandSpec& spec, const std::string& word) {
    if (word.rfind("--", 0) != 0 || word.size() < 5) return nullptr;
    const std::string key = engine_field_key(word);
    const CommandFlag* found = nullptr;
    for (const auto& f : spec.flags) {
        if (f.field_only || f.environment) continue;
        for (const auto& n : f.names) {
            if (n.rfind("--", 0) != 0 || engine_field_key(n).rfind(key, 0) != 0) continue;
            if (found && found != &f) return nullptr;
            found = &f;
        }
    }
    return found;
}

// The runtime's flag a mistyped one is a slip of (a letter or two off, by its length), or "". The engine itself stops
// at a flag it does not know, so a near miss is an error rather than a flag set aside.
std::string nearest_flag(const CommandSpec& spec, const std::string& word) {
    const std::string key = engine_field_key(word);
    if (key.size() < 6 || key.size() > kLongestSlip) return "";
    size_t best = std::max<size_t>(1, key.size() / 8) + 1;
    std::string nearest;
    for (const auto& f : spec.flags) {
        if (f.field_only || f.environment) continue;
        for (const auto& n : f.names) {
            if (n.rfind("--", 0) != 0) continue;
            const size_t d = edit_distance(key, engine_field_key(n));
            if (d < best) {
                best = d;
                nearest = n;
            }
        }
    }
    return nearest;
}

// The GGUF type written in a file or tag name ("…-Q4_K_M.gguf", "repo:q8_0"), or "".
std::string gguf_type_in(const std::string& text) {
    static const Pattern re("(?:^|[-_.:/])(IQ[1-4]_(?:XXS|XS|NL|S|M)|Q[1-8]_K_[SML]|Q[1-8]_K|Q[1-8]_[01]|TQ[12]_0|MXFP4|BF16|F16|F32)(?=$|[-_.:/])", true);
    PatternMatch m;
    if (!re.search(text, &m)) return "";
    std::string t = m.group(text, 1);
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return t;
}

struct Reader {
    const CommandSpec* spec = nullptr;
    json request = json::object();
    json engine = json::object();
    json ignored = json::array();
    std::map<std::string, std::string> written;  // request field → the flag as written, for errors
    std::string model_word, model_flag;
    std::optional<i64> context_total;
    std::string kv_k, kv_v;
    std::string dtype, quantization;
    std::optional<i64> devices;

    void ignore(const std::string& flag, const std::string& reason, bool known = true) {
        ignored.push_back({{"flag", flag}, {"reason", reason}, {"known", known}});
    }
};

i64 whole_number(const std::string& text, const std::string& flag, bool sglang = false) {
    try {
        size_t used = 0;
        const long long v = std::stoll(text, &used);
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    if (const auto n = count_text(text, sglang)) return *n;  // 32k, 1M
    fail("invalid_field", "command", flag + " takes a whole number (got \"" + text + "\")");
}

double real_number(const std::string& text, const std::string& flag) {
    try {
        size_t used = 0;
        const double v = std::stod(text, &used);
        if (used == text.size() && std::isfinite(v)) return v;
    } catch (const std::exception&) {
    }
    fail("invalid_field", "command", flag + " takes a number (got \"" + text + "\")");
}

std::optional<bool> truth(const std::string& text) {
    const std::string t = normalize_key(text);
    if (t == "on" || t == "true" || t == "1" || t == "enabled" || t == "yes") return true;
    if (t == "off" || t == "false" || t == "0" || t == "disabled" || t == "no") return false;
    return std::nullopt;
}

void read_knob(Reader& rd, const CommandFlag& f, const std::string& shown, const std::string& value) {
    const KnobSpec* k = find_knob(f.knob);
    if (!k) return;
    const std::string field = "engine." + k->name;
    rd.written[field] = shown;
    const json previous = rd.engine.contains(k->name) ? rd.engine[k->name] : json();
    json& out = rd.engine[k->name];
    switch (k->type) {
        case KnobType::Fraction: out = real_number(value, shown); break;
        case KnobType::Integer:
            if (k->name == "n_gpu_layers" && (value == "all" || value == "auto")) {
                if (value == "all") out = -1;
                else rd.engine.erase(k->name);
                break;
            }
            if (f.many_values) {  // a list of sizes ("1 2 4 8", 1,2,4,8): the largest
                std::string list = value;
                std::replace(list.begin(), list.end(), ' ', ',');
                i64 most = 0;
                for (const std::string& part : parts(list, ','))
                    if (!part.empty()) most = std::max(most, whole_number(part, shown));
                out = most;
                break;
            }
            out = whole_number(value, shown, rd.spec->runtime == Runtime::Sglang);
            break;
        case KnobType::Boolean:
            if (!f.takes_value) out = truth(value).value_or(true);
            else out = real_number(value, shown) > 1;  // --ep-size N: expert parallel over N ranks
            break;
        case KnobType::Tristate: {
            // --mmproj takes the projector file: any name turns the vision encoder on.
            if (k->name == "mmproj") {
                out = truth(value).value_or(true);
                break;
            }
            if (value.empty() || normalize_key(value) == "auto" || value == "-1") out = value.empty() ? json(true) : json("auto");
            else if (const auto b = truth(value)) out = *b;
            else fail("invalid_field", "command", shown + " takes on, off or auto (got \"" + value + "\")");
            break;
        }
        case KnobType::NumberList: {
            out = json::array();
            // "1,2,4" or "1/2/4"
            for (const std::string& part : parts(value, value.find('/') != std::string::npos ? '/' : ',')) out.push_back(real_number(part, shown));
            break;
        }
        case KnobType::Draft:
            if (rd.spec->runtime == Runtime::Vllm && f.legacy) {
                out = value;  // 0.8's --speculative-model takes the draft model's name
            } else if (rd.spec->runtime == Runtime::Vllm) {
                // --speculative-config '{"method": "mtp", "num_speculative_tokens": 2}' or {"model": ...}
                json config;
                try {
                    config = parse_json(value);
                } catch (const json::exception&) {
                    fail("invalid_field", "command", shown + " takes a JSON object (got \"" + value + "\")");
                }
                if (!config.is_object()) fail("invalid_field", "command", shown + " takes a JSON object");
                if (config.contains("method") && config["method"].is_string() &&
                    (config["method"] == "mtp" || config["method"].get<std::string>().find("mtp") != std::string::npos))
                    out = "mtp";
                else if (config.contains("model") && config["model"].is_string()) out = config["model"].get<std::string>();
                else rd.engine.erase(k->name);
                if (config.contains("num_speculative_tokens") && config["num_speculative_tokens"].is_number_integer())
                    rd.engine["num_speculative_tokens"] = config["num_speculative_tokens"];
            } else {
                out = value;
            }
            break;
        case KnobType::Text:
            // llama.cpp appends each -ot to the list.
            if (k->name == "override_tensor" && rd.engine.contains("override_tensor") && previous.is_string()) out = previous.get<std::string>() + "," + value;
            // --limit-mm-per-prompt.image 2 --limit-mm-per-prompt.video 0: one key=count list.
            else if (k->name == "limit_mm_per_prompt" && previous.is_string() && value.find('{') == std::string::npos &&
                     previous.get<std::string>().find('{') == std::string::npos)
                out = previous.get<std::string>() + "," + value;
            else out = value;
            break;
    }
}

// vLLM's compilation settings, whole or one key at a time (--compilation-config.cudagraph_mode NONE), as knobs.
void read_graph_config(Reader& rd, const std::string& shown, const std::string& value) {
    json config;
    if (const size_t eq = value.find('='); eq != std::string::npos && value.find('{') == std::string::npos) {
        const std::string v = value.substr(eq + 1);
        try {
            config[value.substr(0, eq)] = parse_json(v);
        } catch (const json::exception&) {
            config[value.substr(0, eq)] = v;
        }
    } else {
        try {
            config = parse_json(value);
        } catch (const json::exception&) {
            config = value;  // graph_settings names it
        }
    }
    const GraphSettings g = graph_settings(config, shown);
    if (g.eager) rd.engine["enforce_eager"] = true;
    if (g.max_batch) {
        rd.engine["cuda_graph_max_bs"] = *g.max_batch;
        rd.written["engine.cuda_graph_max_bs"] = shown;
    }
    for (const auto& key : g.unread) rd.ignore(shown + " " + key, kGraphCaptureReason);
}

// A model as a command names it → the request's "model" and "weights".
void resolve_model(Reader& rd, const std::string& word) {
    const Catalog& cat = Catalog::builtin();
    std::string w = word;
    for (const char* prefix : {"https://huggingface.co/", "http://huggingface.co/", "huggingface.co/", "hf.co/"})
        if (w.rfind(prefix, 0) == 0) w = w.substr(std::string(prefix).size());
    const std::string named = w;  // with its tag: Ollama library names ("llama3.1:8b") are catalog aliases
    std::string tag;
    if (const size_t colon = w.rfind(':'); colon != std::string::npos && w.find("://") == std::string::npos) {
        tag = w.substr(colon + 1);
        w = w.substr(0, colon);
    }
    const std::string type = gguf_type_in(tag.empty() ? basename_of(w) : tag);
    const bool gguf_runtime = rd.spec->runtime == Runtime::LlamaCpp || rd.spec->runtime == Runtime::Ollama;
    // A Hub repository the catalog lists.
    for (const auto& m : cat.models()) {
        for (const auto& c : m.checkpoints) {
            if (normalize_key(c.repo) != normalize_key(w)) continue;
            rd.request["model"] = m.id;
            if (c.format.rfind("gguf:", 0) == 0) rd.request["weights"] = "gguf:" + (type.empty() ? c.format.substr(5) : type);
            else if (!c.official || !gguf_runtime) rd.request["weights"] = c.format;
            return;
        }
        if (m.entry.contains("hf_repo") && m.entry["hf_repo"].is_string() && normalize_key(m.entry["hf_repo"].get<std::string>()) == normalize_key(w)) {
            rd.request["model"] = m.id;
            if (!type.empty() && gguf_runtime) rd.request["weights"] = "gguf:" + type;
            return;
        }
    }
    // A file or folder on disk, or an Ollama library name: the catalog model its name spells.
    std::string name = basename_of(w);
    if (name.size() > 5 && normalize_key(name.substr(name.size() - 5)) == "gguf") name = name.substr(0, name.size() - 5);
    if (!type.empty()) name = Pattern("[-_.]?" + type + ".*$", true).replace_all(name, "");
    name = Pattern("[-_.]gguf$", true).replace_all(name, "");
    std::string query = name;
    for (auto& c : query)
        if (c == '-' || c == '_' || c == '.' || c == ':') c = ' ';
    if (!tag.empty() && rd.spec->runtime == Runtime::Ollama) query += " " + Pattern("[-_.]").replace_all(tag, " ");
    query = Pattern("\\b(gguf|instruct|it|chat|latest)\\b", true).replace_all(query, " ");
    const CatalogModel* found = tag.empty() ? nullptr : cat.find_model(named);
    if (!found) found = cat.find_model(w);
    if (!found) found = cat.find_model(name);
    if (!found) {
        const auto hits = cat.search_models(query, 2, false);  // a fine-tune runs its own config, not its base model's
        if (hits.size() == 1) found = hits.front();
    }
    if (found) {
        rd.request["model"] = found->id;
        // Ollama's library serves Q4_K_M unless the tag names another type, or the file the catalog lists for it.
        const bool library_file =
            rd.spec->runtime == Runtime::Ollama && type.empty() &&
            std::any_of(found->checkpoints.begin(), found->checkpoints.end(), [](const CatalogCheckpoint& c) { return c.runtime == "ollama"; });
        if (gguf_runtime && !library_file) rd.request["weights"] = "gguf:" + (type.empty() ? std::string("Q4_K_M") : type);
        return;
    }
    if (std::count(w.begin(), w.end(), '/') == 1 && w.front() != '/' && w.front() != '.') {
        rd.request["model"] = "hf:" + w;  // a Hub repository the catalog does not list: the page looks it up
        if (!type.empty() && gguf_runtime) rd.request["weights"] = "gguf:" + type;
        return;
    }
    rd.ignore(word, "no catalog model matches this name: choose the model", false);
}

}  // namespace

json from_command(const json& request) {
    if (!request.is_object() || !request.contains("command")) fail("missing_field", "command", "give the launch command as {\"command\": \"vllm serve ...\"}");
    if (!request.at("command").is_string()) fail("invalid_field", "command", "command must be a string");
    const std::string text = request.at("command").get<std::string>();
    if (text.size() > kMaxCommandBytes)
        fail("invalid_field", "command",
             "the command is " + group_digits(static_cast<i64>(text.size())) + " bytes; at most " + group_digits(static_cast<i64>(kMaxCommandBytes)) +
                 " are read");
    for (const auto& [key, value] : request.items())
        if (key != "command") fail("unknown_field", shown_key(key), shown_key(key) + " is not a from_command field (command)");
    const std::vector<std::string> words = shell_words(text);
    if (words.size() > kMaxCommandWords) fail("invalid_field", "command", "the command has more than " + std::to_string(kMaxCommandWords) + " words");

    // Commands are separated by newlines, ;, && and |. Environment assignments are collected from all of
    // them (Ollama's server line carries its settings, `ollama run` the model).
    std::vector<std::vector<std::string>> commands(1);
    for (const auto& w : words) {
        if (w == "\n" || w == ";" || w == "&&" || w == "||" || w == "|" || w == "&") commands.emplace_back();
        else commands.back().push_back(w);
    }
    Reader rd;
    std::vector<std::string> env;
    const std::vector<std::string>* found_args = nullptr;
    std::vector<std::string> args_store;
    // In each command, the runtime starts at its program (`vllm serve`, `llama-server`, …) or at a container
    // image that runs it; NAME=value words before that are its environment (also `docker run -e NAME=value`).
    for (const auto& cmd : commands) {
        for (size_t i = 0; i < cmd.size(); ++i) {
            if (is_env_assignment(cmd[i])) {
                env.push_back(cmd[i]);
                continue;
            }
            const CommandSpec* matched = nullptr;
            size_t args_from = 0;
            bool ollama_server = false;
            for (const auto& spec : command_specs()) {
                for (const auto& program : spec.programs) {
                    if (matched || i + program.size() > cmd.size()) continue;
                    bool match = true;
                    for (size_t p = 0; p < program.size() && match; ++p) {
                        std::string word = p == 0 ? basename_of(cmd[i]) : cmd[i + p];
                        if (p == 0 && word.size() > 4 && word.compare(word.size() - 4, 4, ".exe") == 0) word.resize(word.size() - 4);  // llama-server.exe
                        if (p == 0 && (word == "python3" || word.rfind("python3.", 0) == 0)) word = "python";
                        match = word == program[p];
                    }
                    if (!match) continue;
                    matched = &spec;
                    args_from = i + program.size();
                    ollama_server = spec.runtime == Runtime::Ollama && program.back() == "serve";
                }
                std::string image = cmd[i];
                if (const size_t colon = image.rfind(':'); colon != std::string::npos && colon > image.rfind('/')) image = image.substr(0, colon);
                for (const auto& known : spec.images)
                    if (!matched && image == known) {
                        matched = &spec;
                        args_from = i + 1;
                        ollama_server = spec.runtime == Runtime::Ollama;
                    }
            }
            if (!matched) continue;
            if (ollama_server) {
                if (!rd.spec) rd.spec = matched;  // the model comes from `ollama run`
            } else if (!found_args) {
                rd.spec = matched;
                args_store.assign(cmd.begin() + static_cast<std::ptrdiff_t>(args_from), cmd.end());
                found_args = &args_store;
            }
            break;
        }
    }
    if (!rd.spec) {
        std::string programs;
        for (const auto& spec : command_specs()) {
            std::string p;
            for (const auto& w : spec.programs.front()) p += (p.empty() ? "" : " ") + w;
            programs += (programs.empty() ? "" : ", ") + p;
        }
        fail("invalid_field", "command", "not a launch command FitMyGPU reads; it reads " + programs);
    }
    const CommandSpec& spec = *rd.spec;
    const RuntimeDescriptor& rt = runtime_descriptor(spec.runtime);
    rd.request["runtime"] = rt.id;

    auto apply = [&](const CommandFlag& f, const std::string& shown, const std::string& value) {
        switch (f.target) {
            case FlagTarget::Model:
                rd.model_word = value;
                rd.model_flag = shown;
                break;
            case FlagTarget::Context:
                // vLLM's --max-model-len auto (or -1): the longest context that fits, which the plan answers.
                if (normalize_key(value) == "auto" || value == "-1") {
                    rd.ignore(shown + " " + value, "the longest context that fits: ask the plan for the largest context");
                    break;
                }
                rd.request["context"] = whole_number(value, shown, spec.runtime == Runtime::Sglang);
                rd.written["context"] = shown;
                break;
            case FlagTarget::ContextTotal:
                // -c 0: the model's own context length, the estimate's default.
                if (value == "0") rd.ignore(shown + " 0", "the model's training context: the estimate's default context is used");
                else rd.context_total = whole_number(value, shown);
                break;
            case FlagTarget::GraphConfig: read_graph_config(rd, shown, value); break;
            case FlagTarget::Concurrency:
                rd.request["concurrency"] = whole_number(value, shown);
                rd.written["concurrency"] = shown;
                break;
            case FlagTarget::KvType: rd.kv_k = rd.kv_v = value; break;
            case FlagTarget::KvTypeK: rd.kv_k = value; break;
            case FlagTarget::KvTypeV: rd.kv_v = value; break;
            case FlagTarget::Dtype: rd.dtype = value; break;
            case FlagTarget::Quantization: rd.quantization = value; break;
            case FlagTarget::Knob: read_knob(rd, f, shown, value); break;
            case FlagTarget::AllExpertsCpu: {
                const KnobSpec* k = find_knob("n_cpu_moe");
                rd.engine["n_cpu_moe"] = static_cast<i64>(k ? k->max : 0);
                break;
            }
            case FlagTarget::Devices: {
                i64 n = value.empty() ? 0 : 1;
                for (char c : value) n += c == ',';
                rd.devices = n;
                break;
            }
            case FlagTarget::Ignored: rd.ignore(value.empty() ? shown : shown + " " + value, f.reason); break;
        }
    };

    for (const auto& e : env) {
        const size_t eq = e.find('=');
        const std::string name = e.substr(0, eq), value = e.substr(eq + 1);
        const CommandFlag* f = find_command_flag(spec, name);
        if (f && f->environment) {
            apply(*f, name, value);
            continue;
        }
        // llama.cpp's LLAMA_ARG_* variables: the flag each stands for, a switch on when its value is true.
        if (const std::string as_flag = spec.runtime == Runtime::LlamaCpp ? llama_arg_flag(name) : ""; !as_flag.empty()) {
            if (const CommandFlag* g = find_command_flag(spec, as_flag); g && !g->environment) {
                if (g->target == FlagTarget::Ignored) rd.ignore(e, g->reason);
                else if (g->takes_value) apply(*g, name, value);
                else if (g->target == FlagTarget::Knob) read_knob(rd, *g, name, truth(value).value_or(true) ? "true" : "false");
                else if (truth(value).value_or(true)) apply(*g, name, "");
                continue;
            }
        }
        if (f) rd.ignore(e, f->reason);
        else rd.ignore(e, "an environment variable FitMyGPU does not read", false);
    }
    const std::vector<std::string> args = found_args ? *found_args : std::vector<std::string>{};
    for (size_t i = 0; i < args.size(); ++i) {
        std::string word = args[i], value;
        bool inline_value = false;
        if (is_flag(word)) {
            if (const size_t eq = word.find('='); eq != std::string::npos) {
                value = word.substr(eq + 1);
                word = word.substr(0, eq);
                inline_value = true;
            }
            const CommandFlag* f = find_command_flag(spec, word);
            // vLLM's dictionary flags also take one key at a time: --limit-mm-per-prompt.video 0.
            std::string dict_key;
            if (const size_t dot = word.find('.', 2); !f && dot != std::string::npos) {
                const CommandFlag* base = find_command_flag(spec, word.substr(0, dot));
                // ... and --compilation-config.cudagraph_mode NONE one key of the JSON object.
                if (base && ((base->target == FlagTarget::Knob && base->knob == "limit_mm_per_prompt") || base->target == FlagTarget::GraphConfig)) {
                    f = base;
                    dict_key = word.substr(dot + 1);
                    word = word.substr(0, dot);
                } else if (base && base->target == FlagTarget::Ignored && base->takes_value) {
                    f = base;  // vLLM folds --<flag>.<key> into the flag's JSON: --structured-outputs-config.backend xgrammar
                }
            }
            // -O3: vLLM's optimization level written against its flag.
            if (!f && word.size() > 2 && word.rfind("-O", 0) == 0 && !inline_value) {
                if (const CommandFlag* o = find_command_flag(spec, "-O"); o && o->target == FlagTarget::GraphConfig) {
                    apply(*o, "-O", word.substr(2));
                    continue;
                }
            }
            // --no-X: the switch X turned off (argparse's BooleanOptionalAction, llama.cpp's -no-X).
            bool switched_off = false;
            if (!f) {
                const size_t dashes = word.rfind("--no-", 0) == 0 ? 2 : word.rfind("-no-", 0) == 0 ? 1 : 0;
                if (dashes) {
                    const CommandFlag* on = find_command_flag(spec, word.substr(0, dashes) + word.substr(dashes + 3));
                    if (on && !on->takes_value) {
                        f = on;
                        switched_off = true;
                    }
                }
            }
            if (!f && spec.abbreviations) f = abbreviated_flag(spec, word);
            if (!f) {
                if (const std::string near = nearest_flag(spec, word); !near.empty())
                    fail("invalid_field", "command",
                         word + " is not " + std::string(article_for(rt.name)) + " " + rt.name + " flag; did you mean " + near + "?");
                // An unknown flag: its value, if any, is the next word that is not a flag.
                if (!inline_value && i + 1 < args.size() && !is_flag(args[i + 1]) && (!spec.model_positional || !rd.model_word.empty())) value = args[++i];
                rd.ignore(value.empty() ? word : word + " " + value, "not " + std::string(article_for(rt.name)) + " " + rt.name + " flag FitMyGPU knows",
                          false);
                continue;
            }
            if (!f->takes_value) {
                // A switch: on, or off as --no-X or --X=false.
                const bool on = !switched_off && (!inline_value || truth(value).value_or(true));
                const std::string shown = inline_value ? word + "=" + value : word;
                if (f->target == FlagTarget::Knob) read_knob(rd, *f, shown, on ? "true" : "false");
                else if (f->target == FlagTarget::Ignored) rd.ignore(shown, f->reason);
                else if (on) apply(*f, word, "");
                else rd.ignore(shown, "off, as by default");
                continue;
            }
            if (!inline_value) {
                const bool optional_value = f->target == FlagTarget::Knob && f->knob == "flash_attn";  // older llama.cpp: -fa alone
                if (i + 1 < args.size() && (!optional_value || truth(args[i + 1]) || normalize_key(args[i + 1]) == "auto" || args[i + 1] == "-1"))
                    value = args[++i];
                else if (!optional_value) fail("invalid_field", "command", word + " needs a value");
            }
            // nargs="+": the words up to the next flag are its values too.
            if (f->many_values)
                while (i + 1 < args.size() && !is_flag(args[i + 1])) value += "," + args[++i];
            if (!dict_key.empty()) value = dict_key + "=" + value;
            apply(*f, word, value);
        } else if (word == "serve" && spec.runtime == Runtime::Trtllm && i == 0) {
            continue;  // trtllm-serve serve MODEL
        } else if (spec.model_positional && rd.model_word.empty()) {
            rd.model_word = word;
        } else {
            rd.ignore(word, "an argument " + rt.name + " does not take here", false);
        }
    }
    if (!rd.model_word.empty()) resolve_model(rd, rd.model_word);

    // llama.cpp's --ctx-size is shared by its --parallel slots.
    if (rd.context_total) {
        const i64 slots = rd.request.contains("concurrency") ? rd.request["concurrency"].get<i64>() : 1;
        rd.request["context"] = *rd.context_total / std::max<i64>(slots, 1);
        rd.written["context"] = "--ctx-size";
    }
    if (!rd.kv_k.empty() || !rd.kv_v.empty()) {
        const std::string kv = rd.kv_k.empty() ? rd.kv_v : rd.kv_k;
        if (normalize_key(kv) != "auto") rd.request["kv_cache_dtype"] = kv;
        rd.written["kv_cache_dtype"] = "the KV cache type";
        if (!rd.kv_k.empty() && !rd.kv_v.empty() && normalize_key(rd.kv_k) != normalize_key(rd.kv_v))
            rd.ignore("--cache-type-v " + rd.kv_v, "a V cache type other than K's is not modelled: both are estimated as " + rd.kv_k);
        else if (rd.kv_v.empty() || rd.kv_k.empty())
            rd.ignore(rd.kv_v.empty() ? "--cache-type-k " + rd.kv_k : "--cache-type-v " + rd.kv_v,
                      "only one of K and V changes type; both are estimated as " + kv);
    }
    // Weights: the checkpoint named decides; --dtype and an on-load quantization change a 16-bit one.
    const std::string named_weights = rd.request.contains("weights") ? rd.request["weights"].get<std::string>() : "";
    const bool float_checkpoint = named_weights.empty() || named_weights == "bf16" || named_weights == "fp16" || named_weights == "fp32";
    if (!rd.quantization.empty()) {
        const std::string q = normalize_key(rd.quantization);
        if (q == "fp8" && float_checkpoint) rd.request["weights"] = "fp8";
        else rd.ignore("--quantization " + rd.quantization, q == "fp8" ? "the checkpoint is already quantized" : "the checkpoint's own format is used");
    }
    if (!rd.dtype.empty() && rd.request.value("weights", std::string()) != "fp8" && float_checkpoint) {
        const auto w = dtype_weights(rd.dtype);
        if (!w) rd.ignore("--dtype " + rd.dtype, "not a dtype FitMyGPU knows");
        else if (!w->empty()) rd.request["weights"] = *w;
    } else if (!rd.dtype.empty() && normalize_key(rd.dtype) != "auto") {
        rd.ignore("--dtype " + rd.dtype,
                  float_checkpoint ? "the weights are quantized to FP8 on load; the dtype is the compute type" : "the checkpoint's own format is used");
    }
    // GPUs: the parallel layout of a serving engine, or the devices a process may see.
    i64 gpus = 1;
    // SGLang's data-parallel attention splits the tensor-parallel GPUs into --dp-size attention groups: no GPUs beyond them.
    const bool dp_inside_tp =
        rd.engine.contains("enable_dp_attention") && rd.engine["enable_dp_attention"].is_boolean() && rd.engine["enable_dp_attention"].get<bool>();
    for (const char* k : {"tensor_parallel_size", "pipeline_parallel_size", "data_parallel_size"})
        if (rd.engine.contains(k) && rd.engine[k].is_number_integer() && !(dp_inside_tp && std::string(k) == "data_parallel_size"))
            gpus = checked::mul(gpus, std::max<i64>(1, rd.engine[k].get<i64>()));
    if (rd.devices && *rd.devices > 0) gpus = std::max(gpus, *rd.devices);
    if (gpus > 1) rd.request["gpu_count"] = gpus;
    // A draft model named by its file or repository (llama.cpp -md Qwen3-0.6B-Q8_0.gguf): the catalog model it spells.
    if (rd.engine.contains("speculative_model") && rd.engine["speculative_model"].is_string()) {
        const std::string draft = rd.engine["speculative_model"].get<std::string>();
        if (normalize_key(draft) != "mtp" && !Catalog::builtin().find_model(draft)) {
            Reader named;
            named.spec = rd.spec;
            resolve_model(named, draft);
            if (named.request.contains("model") && named.request["model"].get<std::string>().rfind("hf:", 0) != 0)
                rd.engine["speculative_model"] = named.request["model"];
        }
    }
    if (!rd.engine.empty()) rd.request["engine"] = rd.engine;

    // The request must be one the estimator accepts: values out of range are named by the flag as written.
    try {
        json check = rd.request;
        if (!check.contains("model") || check["model"].get<std::string>().rfind("hf:", 0) == 0) check["model"] = Catalog::builtin().models().front().id;
        check.erase("weights");
        (void)parse_request(check);
    } catch (const FieldError& e) {
        const auto at = rd.written.find(e.field());
        fail("invalid_field", "command", (at != rd.written.end() ? at->second + ": " : "") + e.what());
    }
    json out = {{"runtime", rt.id}, {"request", rd.request}, {"ignored", rd.ignored}};
    if (!rd.request.contains("model")) out["missing"] = json::array({"model"});
    return out;
}

}  // namespace fitmygpu::api
