// The launch-command table: each runtime's program, the flags that carry a request's context, concurrency,
// KV cache type and weights, and the flags that leave memory as it is. Knob flags are not listed here:
// they come from the registry's descriptors (runtimes.cpp), with only their extra spellings added below.
#include "fitmygpu/commands.hpp"

#include <algorithm>

#include "fitmygpu/error.hpp"

namespace fitmygpu {

namespace {

using T = FlagTarget;

CommandFlag value(std::vector<std::string> names, T target) { return {std::move(names), target, "", true, false, ""}; }
CommandFlag knob(std::vector<std::string> names, std::string knob, bool takes_value = true) {
    return {std::move(names), T::Knob, std::move(knob), takes_value, false, ""};
}
CommandFlag ignored(std::vector<std::string> names, std::string reason, bool takes_value = true) {
    return {std::move(names), T::Ignored, "", takes_value, false, std::move(reason)};
}
CommandFlag env(std::string name, T target, std::string knob_name = "", std::string reason = "") {
    return {{std::move(name)}, target, std::move(knob_name), true, true, std::move(reason)};
}

// Reasons, written once.
const char* const kServer = "server address, logging or API setting: no effect on memory";
const char* const kSampling = "sampling or chat setting: no effect on memory";
const char* const kTokenizer = "tokenizer or loading setting: no effect on memory";
const char* const kThreads = "CPU threads: no effect on memory";
const char* const kNotModelled = "changes memory in a way the estimate does not model";

// Flags shared by the OpenAI-style servers.
std::vector<CommandFlag> server_flags() {
    return {
        ignored({"--host"}, kServer),
        ignored({"--port"}, kServer),
        ignored({"--api-key"}, kServer),
        ignored({"--served-model-name"}, kServer),
        ignored({"--log-level"}, kServer),
        ignored({"--uvicorn-log-level"}, kServer),
        ignored({"--trust-remote-code"}, kTokenizer, false),
        ignored({"--tokenizer"}, kTokenizer),
        ignored({"--tokenizer-mode"}, kTokenizer),
        ignored({"--revision"}, kTokenizer),
        ignored({"--download-dir"}, kTokenizer),
        ignored({"--load-format"}, kTokenizer),
        ignored({"--chat-template"}, kSampling),
        ignored({"--tool-call-parser"}, kSampling),
        ignored({"--reasoning-parser"}, kSampling),
        ignored({"--enable-auto-tool-choice"}, kSampling, false),
        ignored({"--seed", "--random-seed"}, kSampling),
    };
}

// Flags compare without their leading dashes' style: vLLM and SGLang accept --max_model_len for
// --max-model-len, and TensorRT-LLM documents underscores.
std::string flag_key(const std::string& name) {
    std::string k = name;
    const size_t start = k.find_first_not_of('-');
    if (start == std::string::npos) return k;
    std::replace(k.begin() + static_cast<std::ptrdiff_t>(start), k.end(), '_', '-');
    return k;
}

std::vector<CommandSpec> build() {
    std::vector<CommandSpec> specs;
    {
        CommandSpec c{Runtime::Vllm, {{"vllm", "serve"}, {"python", "-m", "vllm.entrypoints.openai.api_server"}}, true, {}};
        c.flags = {
            value({"--model"}, T::Model),
            value({"--max-model-len"}, T::Context),
            value({"--kv-cache-dtype"}, T::KvType),
            value({"--dtype"}, T::Dtype),
            value({"--quantization", "-q"}, T::Quantization),
            knob({"-tp"}, "tensor_parallel_size"),
            knob({"-pp"}, "pipeline_parallel_size"),
            knob({"-dp"}, "data_parallel_size"),
            knob({"-ep"}, "enable_expert_parallel", false),
            ignored({"--disable-log-requests"}, kServer, false),
            ignored({"--disable-log-stats"}, kServer, false),
            ignored({"--max-logprobs"}, kSampling),
            ignored({"--generation-config"}, kSampling),
            ignored({"--distributed-executor-backend"}, kServer),
            ignored({"--swap-space"}, "host swap space for preempted requests: host memory, not GPU memory"),
            ignored({"--cpu-offload-gb"}, kNotModelled),
            ignored({"--limit-mm-per-prompt"}, kNotModelled),
            ignored({"--disable-custom-all-reduce"}, kNotModelled, false),
            ignored({"--kv-cache-memory", "--kv-cache-memory-bytes"}, kNotModelled),
            ignored({"--compilation-config", "-O"}, "CUDA-graph capture settings: the default capture is assumed"),
            ignored({"--max-seq-len-to-capture"}, "CUDA-graph capture settings: the default capture is assumed"),
        };
        for (auto& f : server_flags()) c.flags.push_back(std::move(f));
        c.images = {"vllm/vllm-openai", "docker.io/vllm/vllm-openai"};  // docs.vllm.ai, "Using Docker"
        specs.push_back(std::move(c));
    }
    {
        CommandSpec c{Runtime::Sglang, {{"python", "-m", "sglang.launch_server"}, {"sglang", "serve"}}, false, {}};
        c.flags = {
            value({"--model-path", "--model"}, T::Model),
            value({"--context-length"}, T::Context),
            value({"--kv-cache-dtype"}, T::KvType),
            value({"--dtype"}, T::Dtype),
            value({"--quantization"}, T::Quantization),
            knob({"--tp", "--tensor-parallel-size"}, "tensor_parallel_size"),
            knob({"--pp", "--pipeline-parallel-size"}, "pipeline_parallel_size"),
            knob({"--dp", "--data-parallel-size"}, "data_parallel_size"),
            knob({"--ep", "--expert-parallel-size"}, "enable_expert_parallel"),
            ignored({"--max-running-requests"}, "a cap on requests at once: the estimate uses the request's concurrency"),
            ignored({"--max-total-tokens"}, kNotModelled),
            ignored({"--page-size"}, kNotModelled),
            ignored({"--enable-dp-attention"}, kNotModelled, false),
            ignored({"--attention-backend"}, kNotModelled),
            ignored({"--cuda-graph-max-bs"}, kNotModelled),
            ignored({"--max-prefill-tokens"}, kNotModelled),
            ignored({"--disable-radix-cache"}, "prefix cache on or off: the pool is the same size", false),
            ignored({"--schedule-policy"}, kServer),
            ignored({"--enable-torch-compile"}, kNotModelled, false),
        };
        for (auto& f : server_flags()) c.flags.push_back(std::move(f));
        specs.push_back(std::move(c));
    }
    {
        CommandSpec c{Runtime::Trtllm, {{"trtllm-serve"}}, true, {}};
        c.flags = {
            value({"--max_seq_len"}, T::Context),
            knob({"--ep_size"}, "enable_expert_parallel"),
            ignored({"--max_batch_size"}, "a cap on requests at once: the estimate uses the request's concurrency"),
            ignored({"--backend"}, "the PyTorch backend is assumed"),
            ignored({"--max_beam_width"}, kNotModelled),
            ignored({"--extra_llm_api_options", "--config"}, "options in a YAML file are not read"),
            ignored({"--num_postprocess_workers"}, kServer),
            ignored({"--log_level"}, kServer),
        };
        for (auto& f : server_flags()) c.flags.push_back(std::move(f));
        specs.push_back(std::move(c));
    }
    {
        CommandSpec c{Runtime::LlamaCpp, {{"llama-server"}, {"llama-cli"}}, false, {}};
        c.flags = {
            value({"-m", "--model"}, T::Model),
            value({"-hf", "--hf-repo", "-hfr"}, T::Model),
            value({"-c", "--ctx-size"}, T::ContextTotal),
            value({"-np", "--parallel"}, T::Concurrency),
            value({"-ctk", "--cache-type-k"}, T::KvTypeK),
            value({"-ctv", "--cache-type-v"}, T::KvTypeV),
            {{"-cmoe", "--cpu-moe"}, T::AllExpertsCpu, "", false, false, ""},
            knob({"--gpu-layers", "--n-gpu-layers"}, "n_gpu_layers"),
            knob({"-ts"}, "tensor_split"),
            knob({"--ubatch-size"}, "n_ubatch"),
            knob({"--batch-size"}, "n_batch"),
            knob({"--flash-attn"}, "flash_attn"),
            knob({"-kvu"}, "kv_unified", false),
            knob({"-ncmoe"}, "n_cpu_moe"),
            knob({"-md"}, "speculative_model"),
            knob({"--draft", "--draft-n"}, "num_speculative_tokens"),
            ignored({"-hff", "--hf-file"}, kTokenizer),
            ignored({"--host"}, kServer),
            ignored({"--port"}, kServer),
            ignored({"--api-key"}, kServer),
            ignored({"-a", "--alias"}, kServer),
            ignored({"--metrics"}, kServer, false),
            ignored({"--log-disable"}, kServer, false),
            ignored({"-v", "--verbose"}, kServer, false),
            ignored({"--no-webui"}, kServer, false),
            ignored({"-t", "--threads"}, kThreads),
            ignored({"-tb", "--threads-batch"}, kThreads),
            ignored({"--numa"}, kThreads),
            ignored({"--prio"}, kThreads),
            ignored({"--jinja"}, kSampling, false),
            ignored({"--chat-template"}, kSampling),
            ignored({"--chat-template-file"}, kSampling),
            ignored({"--reasoning-format"}, kSampling),
            ignored({"--reasoning-budget"}, kSampling),
            ignored({"--temp"}, kSampling),
            ignored({"--top-p"}, kSampling),
            ignored({"--top-k"}, kSampling),
            ignored({"--min-p"}, kSampling),
            ignored({"--repeat-penalty"}, kSampling),
            ignored({"-n", "--n-predict"}, kSampling),
            ignored({"-s", "--seed"}, kSampling),
            ignored({"-cb", "--cont-batching"}, "continuous batching: no effect on memory", false),
            ignored({"--no-warmup"}, "warm-up run: no effect on memory", false),
            ignored({"--mlock"}, "locks the weights in RAM: same size", false),
            ignored({"--no-mmap"}, "reads the weights instead of mapping them: same size", false),
            ignored({"-dev", "--device"}, "device selection: give the GPUs in the request"),
            ignored({"-mg", "--main-gpu"}, kNotModelled),
            ignored({"-sm", "--split-mode"}, "layer split is assumed"),
            ignored({"-ot", "--override-tensor"}, kNotModelled),
            ignored({"--rope-scaling"}, kNotModelled),
            ignored({"--rope-freq-base"}, "RoPE base: no effect on memory"),
            ignored({"--rope-freq-scale"}, "RoPE scale: no effect on memory"),
            ignored({"--keep"}, kSampling),
            ignored({"--cache-reuse"}, kSampling),
            ignored({"--slot-save-path"}, kServer),
        };
        c.images = {"ghcr.io/ggml-org/llama.cpp"};  // the :server and :server-cuda tags (llama.cpp docs/docker.md)
        specs.push_back(std::move(c));
    }
    {
        // Ollama takes its server settings from the environment (envconfig/config.go) and the model from `ollama run`.
        CommandSpec c{Runtime::Ollama, {{"ollama", "serve"}, {"ollama", "run"}}, true, {}};
        c.flags = {
            env("OLLAMA_CONTEXT_LENGTH", T::Context),
            env("OLLAMA_NUM_PARALLEL", T::Concurrency),
            env("OLLAMA_KV_CACHE_TYPE", T::KvType),
            env("OLLAMA_FLASH_ATTENTION", T::Knob, "flash_attn"),
            env("OLLAMA_HOST", T::Ignored, "", kServer),
            env("OLLAMA_MODELS", T::Ignored, "", kTokenizer),
            env("OLLAMA_KEEP_ALIVE", T::Ignored, "", kServer),
            env("OLLAMA_ORIGINS", T::Ignored, "", kServer),
            env("OLLAMA_DEBUG", T::Ignored, "", kServer),
            env("OLLAMA_MAX_LOADED_MODELS", T::Ignored, "", "models loaded at once: one model is estimated"),
            env("OLLAMA_MAX_QUEUE", T::Ignored, "", kServer),
            env("OLLAMA_GPU_OVERHEAD", T::Ignored, "", kNotModelled),
            env("OLLAMA_SCHED_SPREAD", T::Ignored, "", kNotModelled),
            ignored({"--verbose"}, kServer, false),
            ignored({"--keepalive"}, kServer),
            ignored({"--format"}, kSampling),
            ignored({"--think"}, kSampling),
        };
        c.images = {"ollama/ollama"};
        specs.push_back(std::move(c));
    }
    {
        CommandSpec c{Runtime::Transformers, {{"transformers", "chat"}, {"transformers", "serve"}}, true, {}};
        c.flags = {
            value({"--dtype", "--torch_dtype", "--torch-dtype"}, T::Dtype),
            ignored({"--device"}, "device selection: give the GPUs in the request"),
            ignored({"--load_in_4bit", "--load-in-4bit"}, kNotModelled, false),
            ignored({"--load_in_8bit", "--load-in-8bit"}, kNotModelled, false),
            ignored({"--attn_implementation", "--attn-implementation"}, kNotModelled),
        };
        for (auto& f : server_flags()) c.flags.push_back(std::move(f));
        specs.push_back(std::move(c));
    }
    {
        CommandSpec c{Runtime::Mlx, {{"mlx_lm.server"}, {"mlx_lm.generate"}, {"mlx_lm.chat"}, {"python", "-m", "mlx_lm.server"}}, false, {}};
        c.flags = {
            value({"--model"}, T::Model),
            ignored({"--max-kv-size"}, kNotModelled),
            ignored({"--adapter-path"}, kNotModelled),
            ignored({"--prompt", "-p"}, kSampling),
            ignored({"--max-tokens", "-m"}, kSampling),
            ignored({"--temp"}, kSampling),
            ignored({"--top-p"}, kSampling),
            ignored({"--seed"}, kSampling),
            ignored({"--host"}, kServer),
            ignored({"--port"}, kServer),
            ignored({"--trust-remote-code"}, kTokenizer, false),
            ignored({"--chat-template"}, kSampling),
        };
        specs.push_back(std::move(c));
    }
    // Every runtime: the registry's knob flags (command-line flags and Ollama's environment variables), and
    // CUDA_VISIBLE_DEVICES.
    for (auto& c : specs) {
        for (const auto& k : runtime_descriptor(c.runtime).knobs) {
            if (k.flag.empty() || (k.flag[0] != '-' && k.flag.rfind("OLLAMA_", 0) != 0)) continue;
            CommandFlag* listed = nullptr;  // the table's entry for this knob, holding its other spellings
            for (auto& f : c.flags)
                if (f.target == T::Knob && f.knob == k.name) listed = &f;
            if (listed) {
                // The registry's flag is the spelling `command` writes.
                std::erase_if(listed->names, [&](const std::string& n) { return flag_key(n) == flag_key(k.flag); });
                listed->names.insert(listed->names.begin(), k.flag);
            } else if (!find_command_flag(c, k.flag)) {
                // (A flag two knobs share, vLLM's --speculative-config, is listed once, under the first.)
                const KnobSpec* spec = find_knob(k.name);
                c.flags.push_back(knob({k.flag}, k.name, !(spec && spec->type == KnobType::Boolean)));
            }
        }
        c.flags.push_back(env("CUDA_VISIBLE_DEVICES", T::Devices));
    }
    return specs;
}

}  // namespace

const std::vector<CommandSpec>& command_specs() {
    static const std::vector<CommandSpec> table = build();
    return table;
}

const CommandSpec& command_spec(Runtime r) {
    for (const auto& c : command_specs())
        if (c.runtime == r) return c;
    return command_specs().front();
}

const CommandFlag* find_command_flag(const CommandSpec& spec, const std::string& name) {
    const std::string key = flag_key(name);
    for (const auto& f : spec.flags)
        for (const auto& n : f.names)
            if (flag_key(n) == key) return &f;
    return nullptr;
}

std::vector<std::string> shell_words(const std::string& line) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    auto end_word = [&] {
        if (in_word) words.push_back(word);
        word.clear();
        in_word = false;
    };
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '\\') {
            if (i + 1 < line.size() && (line[i + 1] == '\n' || line[i + 1] == '\r')) {  // line continuation
                i += (line[i + 1] == '\r' && i + 2 < line.size() && line[i + 2] == '\n') ? 2 : 1;
                continue;
            }
            if (i + 1 < line.size()) word += line[++i];
            in_word = true;
        } else if (c == '\'') {
            const size_t close = line.find('\'', i + 1);
            if (close == std::string::npos) fail("invalid_field", "command", "the command has a ' quote that is not closed");
            word += line.substr(i + 1, close - i - 1);
            in_word = true;
            i = close;
        } else if (c == '"') {
            size_t j = i + 1;
            for (; j < line.size() && line[j] != '"'; ++j) {
                if (line[j] == '\\' && j + 1 < line.size() && std::string("\"\\$`\n").find(line[j + 1]) != std::string::npos) ++j;
                if (line[j] != '\n' || line[j - 1] != '\\') word += line[j];
            }
            if (j >= line.size()) fail("invalid_field", "command", "the command has a \" quote that is not closed");
            in_word = true;
            i = j;
        } else if (c == ' ' || c == '\t') {
            end_word();
        } else if (c == '\n' || c == '\r' || c == ';' || c == '|' || c == '&') {
            end_word();
            std::string op(1, c == '\r' ? '\n' : c);
            if ((c == '|' || c == '&') && i + 1 < line.size() && line[i + 1] == c) op += line[++i];
            if (words.empty() || words.back() != op) words.push_back(op);
        } else if (c == '#' && !in_word) {
            while (i + 1 < line.size() && line[i + 1] != '\n') ++i;
        } else {
            word += c;
            in_word = true;
        }
    }
    end_word();
    return words;
}

std::string shell_quote(const std::string& word) {
    if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%") == std::string::npos) return word;
    std::string out = "'";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace fitmygpu
