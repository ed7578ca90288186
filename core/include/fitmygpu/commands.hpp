// Launch commands: how each runtime is started and which of its flags carry a request's settings. The
// `command` method writes the command for a setup and `from_command` reads one back into a request; both
// read the one table here, whose knob flags come from the engine registry (registry.hpp).
#pragma once
#include <string>
#include <vector>

#include "fitmygpu/registry.hpp"

namespace fitmygpu {

// What a flag of a launch command sets.
enum class FlagTarget {
    Model,          // the checkpoint (a Hub repo id, a path, or an Ollama model name)
    Context,        // tokens per request (vLLM --max-model-len, SGLang --context-length, Ollama's context length)
    ContextTotal,   // tokens over all sequences (llama.cpp --ctx-size: n_ctx is shared by --parallel slots)
    Concurrency,    // requests at once
    KvType,         // the KV cache type (K and V)
    KvTypeK,        // llama.cpp's K cache type
    KvTypeV,        // llama.cpp's V cache type
    Dtype,          // the dtype the weights are loaded in (vLLM --dtype)
    Quantization,   // a quantization applied on load (vLLM --quantization fp8)
    Knob,           // an engine knob of the registry (CommandFlag::knob)
    AllExpertsCpu,  // llama.cpp --cpu-moe: every layer's experts stay in host memory
    GraphConfig,    // vLLM's compilation settings (--compilation-config JSON, -O N): CUDA graphs off, or their largest size
    Devices,        // the GPUs a process may use (CUDA_VISIBLE_DEVICES): their count
    Ignored,        // read and set aside: CommandFlag::reason says why
};

struct CommandFlag {
    std::vector<std::string> names;  // the first is the one `command` writes; all are read
    FlagTarget target = FlagTarget::Ignored;
    std::string knob;          // FlagTarget::Knob: the registry knob it sets
    bool takes_value = true;   // false: a switch
    bool environment = false;  // an environment variable (NAME=value before the program) rather than a flag
    std::string reason;        // FlagTarget::Ignored: why it leaves the estimate unchanged
    bool many_values = false;  // takes one or more values (argparse's nargs="+": --cuda-graph-bs 1 2 4 8)
    bool legacy = false;       // an older release's spelling: read, never written (vLLM 0.8's --speculative-model)
    bool field_only = false;   // a setting that is not a command-line word (Ollama's Modelfile parameters): only
                               // the request's "engine" object reads it
};

struct CommandSpec {
    Runtime runtime;
    // The words that start the runtime, the first the one `command` writes: {"vllm", "serve"},
    // {"python", "-m", "sglang.launch_server"}, ... Reading also accepts "python3" for "python".
    std::vector<std::vector<std::string>> programs;
    bool model_positional = true;  // the model is the first word after the program (else a flag)
    std::vector<CommandFlag> flags;
    // Container images whose entry point is the runtime's server: the words after the image are its arguments.
    std::vector<std::string> images;
    // Whether a long flag may be written as any unique beginning of it, as Python's argparse reads it by default
    // (SGLang, mlx-lm): --mem-frac for --mem-fraction-static.
    bool abbreviations = false;
};

// One spec per runtime that has a launch command, the registry's knob flags included.
const std::vector<CommandSpec>& command_specs();
const CommandSpec& command_spec(Runtime r);
// The flag of `spec` with this name (any spelling); nullptr if none.
const CommandFlag* find_command_flag(const CommandSpec& spec, const std::string& name);

// The request's "engine" object takes every flag of the table under the engine's own spelling, without its
// leading dashes and with dashes or underscores alike: "max-model-len", "cache_type_k", "ngl", "ot".
// The key such a name is compared by: no leading dashes, '_' read as '-'.
std::string engine_field_key(const std::string& name);
struct EngineFlag {
    const CommandSpec* spec = nullptr;  // the runtime whose table has it
    const CommandFlag* flag = nullptr;  // nullptr: no runtime has it
};
// The flag `name` spells in the table of `runtime`; with no runtime, in the first table that has it, a flag that
// sets something before one that is set aside.
EngineFlag find_engine_flag(const std::string& name, const Runtime* runtime);
// llama.cpp's environment variable for a flag (LLAMA_ARG_CTX_SIZE) as the flag it sets ("--ctx-size"), or "" for any
// other name. llama.cpp reads one for nearly every flag; the flag's table says whether it knows that flag.
std::string llama_arg_flag(const std::string& name);
// The flag spellings (as engine fields: underscores, no dashes) and knob names nearest to `name` by edit
// distance, nearest first; empty when none is close. For a "did you mean".
std::vector<std::string> nearest_engine_fields(const std::string& name, const Runtime* runtime);
// The spellings of a knob in a runtime's table, as engine fields ("n_gpu_layers", "ngl", "gpu_layers").
std::vector<std::string> knob_spellings(Runtime runtime, const std::string& knob);

// A command line split into words as a POSIX shell would (quotes, backslash escapes, line continuations);
// comments and shell operators (|, &&, ;) end the command. FieldError("command") on an unterminated quote.
std::vector<std::string> shell_words(const std::string& line);
// A word quoted for a POSIX shell when it needs it.
std::string shell_quote(const std::string& word);

}  // namespace fitmygpu
