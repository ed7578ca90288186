// Engine startup logs read back into numbers, so an estimate can be compared component by component with
// what llama.cpp or vLLM actually printed. The core is handed the log text; nothing is read from disk here.
#pragma once
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
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
    std::string engine;              // "llama.cpp" | "vllm" | "sglang" | "trtllm" | "mlx" | "" (nothing recognised)
    std::vector<LogBuffer> buffers;  // llama.cpp
    i64 kv_cells = 0;                // llama.cpp "llama_kv_cache: size = ... (N cells, ...)" (summed over caches)
    // vLLM, SGLang, TensorRT-LLM (per GPU; the first rank's line)
    i64 weights_bytes = -1;           // vLLM "Model loading took X GiB"; SGLang "Load weight end. ... mem usage=X GB"
    i64 kv_available_bytes = -1;      // vLLM "Available KV cache memory: X GiB"; SGLang K size + V size (or KV size);
                                      // TensorRT-LLM "[MemUsageChange] Allocated X GiB for max tokens in paged KV cache"
    i64 kv_tokens = -1;               // vLLM "GPU KV cache size: N tokens"; SGLang "#tokens: N" or "max_total_num_tokens=N";
                                      // TensorRT-LLM "(N)" of the [MemUsageChange] line
    double mem_fraction_static = -1;  // SGLang's ServerArgs(..., mem_fraction_static=X, ...)
    // TensorRT-LLM engine builds (C++ runtime), per rank, the first rank's line:
    i64 engine_bytes = -1;        // "Loaded engine size: X MiB" (the serialized engine, nearly all weights), or the
                                  // builder's "Total Weights Memory: N" (bytes)
    i64 exec_context_bytes = -1;  // "[MemUsageChange] Allocated X MiB for execution context memory." (activations), or the
                                  // builder's "Total Activation Memory: N" (bytes)
    i64 kv_free_bytes = -1;       // "Memory usage when calculating max tokens in paged kv cache: total: T GiB, available: A GiB"
    // "[MemUsageChange] Allocated X GB GPU memory for runtime buffers." and "... for decoder." (MemoryCounters units:
    // B, KB, MB, GB of powers of 1024)
    i64 runtime_buffers_bytes = -1;
    i64 decoder_bytes = -1;
    // TensorRT-LLM PyTorch backend: "Peak memory during memory usage profiling (torch + non-torch): P GiB, ..., temporary kv
    // cache memory during profiling K GiB" (or ", tmp kv_mem K GiB"): the peak less the temporary KV cache, per rank.
    i64 profile_peak_bytes = -1;
    i64 peak_bytes = -1;          // MLX "Peak memory: X GB" (decimal gigabytes)
    double max_concurrency = -1;  // "Maximum concurrency for L tokens per request: Nx"
    // vLLM's profiling figures, per GPU: "torch peak memory increase: X GiB" (V1), "PyTorch activation peak memory takes
    // X GiB" (V0 0.6.5-0.7), or peak_torch_memory less the weights (V0 0.6.4's "Memory profiling results" line);
    // "non-torch forward increase memory: X GiB" / "non_torch_memory takes X GiB" / "non_torch_memory=X GiB".
    i64 activation_peak_bytes = -1;
    i64 torch_peak_total_bytes = -1;  // V0 0.6.4's peak_torch_memory, weights included
    i64 non_torch_bytes = -1;
    // CUDA graphs: vLLM's "Graph capturing finished in N secs, took X GiB" and "Estimated CUDA graph memory: X GiB total"
    // (0.17+); SGLang's "Capture cuda graph end. ... mem usage=X GB".
    std::optional<i64> graph_took_bytes;  // can be negative (vLLM 0.11 on Hopper)
    i64 graph_profiled_bytes = -1;
    i64 max_running_requests = -1;  // SGLang's "max_total_num_tokens=..., max_running_requests=N, ..."
    i64 max_model_len = -1;         // the L of that line
    int lines_recognised = 0;
    // Ollama (releases before 0.12.11): its own estimate, `msg="offload to cuda" layers.offload=29 ... memory.required.kv="448.0
    // MiB" ...` (format.HumanBytes2: one decimal of GiB, MiB or KiB, or whole bytes), by the printed name; the first line.
    std::map<std::string, i64> ollama_offload;
};

// Recognises the startup lines of llama.cpp (load_tensors / llama_kv_cache / llama_context / sched_reserve buffer
// lines, including older llm_load_tensors / llama_new_context_with_model spellings), vLLM, SGLang, TensorRT-LLM
// and mlx-lm. Unknown lines are
// skipped; a log with nothing recognisable gives engine "".
ParsedLog parse_engine_log(const std::string& text);
nlohmann::json to_json(const ParsedLog& log);

}  // namespace fitmygpu
