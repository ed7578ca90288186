// The engine registry: one descriptor per runtime, holding everything the rest of the program needs to
// know about it — names, the checkpoint formats it loads and its default one, its KV cache types, its knobs
// (under the engine's own flag names, with ranges, defaults, labels and help), the card counts and parallel
// layouts it supports, the devices it runs on, its verdict margin and its estimate function.
//
// Request parsing, the scenario's defaults, the solvers and the `schema` method all read this table, and
// the page, the widget and the page generator build their menus from `schema`: a runtime is described once.
#pragma once
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fitmygpu/estimate.hpp"
#include "fitmygpu/pattern.hpp"
#include "fitmygpu/scenario.hpp"

namespace fitmygpu {

// ---- knobs ----------------------------------------------------------------------------------------------

enum class KnobType {
    Fraction,    // 0 < x ≤ max
    Integer,     // whole number in [min, max]
    Boolean,     // true | false
    Tristate,    // true | false | "auto"
    Text,        // a string (e.g. an engine version)
    NumberList,  // a list of proportions, e.g. [3, 1]
    Draft,       // "mtp" or a catalog model id
};
const char* knob_type_name(KnobType t);

// A knob's value after the request layer checked its JSON type (not yet its range).
struct KnobValue {
    double number = 0;
    bool boolean = false;
    bool is_auto = false;
    std::string text;
    std::vector<double> list;
};

// A default as the engine applies it: none (the engine decides at run time), a number, a flag or a text.
using KnobDefault = std::variant<std::monostate, double, i64, bool, std::string>;

struct KnobSpec {
    // The API name: the engine's own flag with underscores. Each engine's other spellings of it are in its
    // launch-command table (commands.hpp), which the request's "engine" object also reads.
    std::string name;
    KnobType type = KnobType::Integer;
    double min = 0, max = 0;  // numbers: Integer inclusive; Fraction (0, max]
    bool power_of_two = false;
    bool max_exclusive = false;  // Fraction: strictly below max
    i64 max_items = 0;           // NumberList: at most this many entries
    std::string label;           // short label for a form
    std::string help;            // one line
    std::string shown_for;       // "" (every model) | "moe" | "vision"
    std::string pattern;         // Text: the shape a value must have (a regular expression, for forms)
    void (*apply)(EngineKnobs&, const KnobValue&) = nullptr;
};

// The knob table (every knob of every runtime, each once).
const std::vector<KnobSpec>& knob_specs();
// By API name; nullptr if unknown (flag spellings: find_engine_flag, commands.hpp).
const KnobSpec* find_knob(const std::string& name);
// Checks range and shape; throws FieldError(field) naming the limits (and `got`, the value as written, when
// given). Then applies it to `knobs`.
void apply_knob(const KnobSpec& spec, const KnobValue& value, const std::string& field, EngineKnobs& knobs, const std::string& got = "");
// llama.cpp's --override-tensor: "pattern=BUFFER,pattern=BUFFER" as llama.cpp splits it (common/arg.cpp), each
// pattern an ECMAScript regular expression searched in the GGUF tensor name (llama-model.cpp, first match wins)
// and each buffer a buffer-type name: CPU, CUDA_Host (pinned host memory), or a backend with a device number
// (CUDA0, ROCm1, Vulkan0, SYCL0, Metal). device = -1 for host memory. FieldError(field) on a bad entry.
struct TensorOverride {
    std::string pattern;
    std::string buffer;
    int device = -1;
    std::shared_ptr<const Pattern> matcher;  // the pattern, read once here
};
std::vector<TensorOverride> parse_tensor_overrides(const std::string& text, const std::string& field);

// Constraints between knobs (n_ubatch ≤ n_batch), checked once all are set.
void check_knobs(const EngineKnobs& knobs);

// ---- runtimes -------------------------------------------------------------------------------------------

// How a runtime shows one of its knobs.
struct RuntimeKnob {
    std::string name;          // KnobSpec::name
    bool main = false;         // shown beside the runtime (the memory-share knob) rather than under settings
    std::string label;         // this runtime's label, when it differs from the knob's
    std::string flag;          // the command-line flag, e.g. "--gpu-memory-utilization"
    std::string default_text;  // how to describe the default when it depends on the setup
    // The default the engine applies for these devices (std::monostate: none, or decided at run time).
    KnobDefault (*default_for)(const std::vector<Device>& devices, const EngineKnobs& set) = nullptr;
};

// A default checkpoint format: for devices of `device_class` ("*" = any), `format` ("official" = the model's
// official checkpoint).
struct DefaultWeights {
    std::string device_class;
    std::string format;
    std::string why;
};

struct KvTypeOption {
    std::string id;
    std::string label;
};

enum class FormatFamily { Safetensors, Gguf, Mlx };

// How a runtime spreads one model over several machines ("nodes" in a request).
enum class MultiNode {
    None,            // one machine only
    PipelineAcross,  // tensor parallel within a machine, pipeline stages across machines
    TensorAcross,    // one tensor-parallel group spanning the machines
};

struct RuntimeDescriptor {
    Runtime runtime;
    std::string id;                      // the API id
    std::string name;                    // display name
    std::vector<std::string> aliases;    // normalised spellings that also name it
    std::vector<FormatFamily> families;  // checkpoint families it loads natively
    bool gguf_experimental = false;      // also loads GGUF files, with a warning
    std::vector<DefaultWeights> default_weights;
    std::vector<std::string> sweep_formats;  // formats the checkpoint sweep (quantizations) tries
    std::vector<KvTypeOption> kv_cache_types;
    std::string kv_auto;  // what "auto" means ("model" = the model's dtype, or a type id)
    std::vector<RuntimeKnob> knobs;
    std::vector<int> card_counts;       // card counts the fewest-cards search tries
    std::vector<std::string> parallel;  // "tensor", "pipeline", "data", "expert", "layer split", "single device"
    bool layer_split = false;           // splits layers over any number of cards (no tensor-parallel divisor)
    MultiNode multi_node = MultiNode::None;
    std::vector<std::string> vendors;   // device vendors it runs on ("nvidia", "amd", "intel", "apple")
    std::vector<std::string> backends;  // e.g. "CUDA", "ROCm", "Metal"
    VerdictMargin margin;
    // The context when the request gives none (nullptr: the scenario's default), with the reason for the
    // assumptions; the knobs carry the engine version asked for.
    i64 (*default_context)(const std::vector<Device>& devices, const ModelGeometry& g, const EngineKnobs& knobs, std::string& why) = nullptr;
    Estimate (*estimate)(const Scenario&) = nullptr;

    bool loads_family(FormatFamily f) const;
    // Whether it loads checkpoints of this format natively (GGUF outside llama.cpp does not count).
    bool loads(const WeightFormat& f) const;
    const RuntimeKnob* knob(const std::string& name) const;
};

const std::vector<RuntimeDescriptor>& runtimes();
// Whether runtime `r` runs on device `d`: its vendor is one the runtime supports (a custom device, with no
// vendor, is taken at its word).
bool runs_on(const RuntimeDescriptor& r, const Device& d);
// Whether it runs a model on the CPU alone, with no GPU (its backends include "CPU").
bool runs_on_cpu(const RuntimeDescriptor& r);
// The runtimes that run on every one of these devices, in registry order.
std::vector<const RuntimeDescriptor*> runtimes_for(const std::vector<Device>& devices);
// The runtime a setup gets when the request names none: by the class of its first device (Apple → MLX when the
// model has an MLX conversion, else llama.cpp; consumer and integrated GPUs → llama.cpp; workstation and
// data-center cards → vLLM), a GGUF or MLX checkpoint's own runtime first. `why` says which rule chose it.
struct DefaultRuntimeRule {
    std::string_view device_class;  // "*" = any
    Runtime runtime;
    std::string_view why;
};
std::span<const DefaultRuntimeRule> default_runtime_rules();
Runtime default_runtime_for(const std::vector<Device>& devices, bool model_has_mlx, const std::string& weights, std::string& why);
const RuntimeDescriptor& runtime_descriptor(Runtime r);
// By id or alias (normalised); nullptr if none.
const RuntimeDescriptor* find_runtime(const std::string& key);
// "vllm, sglang, trtllm, llama.cpp, ollama, transformers, mlx": for messages.
std::string runtime_id_list();

// GGUF file types the page offers, most used first (a subset of what parse_weight_format accepts).
std::span<const char* const> gguf_menu_types();
// The display name of a checkpoint format id ("bf16" → "BF16", "gguf:Q4_K_M" → "GGUF Q4_K_M").
std::string format_display_name(const std::string& id);
// Every non-GGUF format id the estimator knows, with its family and display name.
struct FormatInfo {
    const char* id;
    FormatFamily family;
    const char* name;
};
std::span<const FormatInfo> safetensors_and_mlx_formats();

// The knobs' defaults for these devices under runtime `r` (knobs with no fixed default are left out).
std::vector<std::pair<std::string, KnobDefault>> resolved_defaults(Runtime r, const std::vector<Device>& devices, const EngineKnobs& set);

}  // namespace fitmygpu
