// Engine startup logs read back into numbers, so an estimate can be compared component by component with
// what llama.cpp or vLLM actually printed. The core is handed the log text; nothing is read from disk here.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "fitmygpu/units.hpp"

namespace fitmygpu {

struct LogBuffer {
    std::string kind;    // model | kv | compute | output | rs (llama.cpp buffer lines)
    std::string device;  // CUDA0, CPU, CPU_Mapped, CUDA_Host, Metal, ...
    i64 bytes = 0;       // the printed MiB converted to bytes (rounded to the printed 0.01 MiB)
};

struct ParsedLog {
    std::string engine;              // "llama.cpp" | "vllm" | "" (nothing recognised)
    std::vector<LogBuffer> buffers;  // llama.cpp
    i64 kv_cells = 0;                // llama.cpp "llama_kv_cache: size = ... (N cells, ...)" (summed over caches)
    // vLLM
    i64 weights_bytes = -1;       // "Model loading took X GiB"
    i64 kv_available_bytes = -1;  // "Available KV cache memory: X GiB"
    i64 kv_tokens = -1;           // "GPU KV cache size: N tokens"
    double max_concurrency = -1;  // "Maximum concurrency for L tokens per request: Nx"
    i64 max_model_len = -1;       // the L of that line
    int lines_recognised = 0;
};

// Recognises the startup lines of llama.cpp (load_tensors / llama_kv_cache / llama_context buffer lines,
// including older llm_load_tensors / llama_new_context_with_model spellings) and of vLLM. Unknown lines are
// skipped; a log with nothing recognisable gives engine "".
ParsedLog parse_engine_log(const std::string& text);
nlohmann::json to_json(const ParsedLog& log);

}  // namespace fitmygpu
