#include "fitmygpu/logs.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include "text.hpp"

namespace fitmygpu {

namespace {

// The number starting at text[pos] (digits, commas, one dot); NaN if there is none.
double number_at(const std::string& text, size_t pos) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    std::string digits;
    for (; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') digits.push_back(c);
        else if (c != ',') break;
    }
    if (digits.empty() || digits == ".") return std::nan("");
    return std::strtod(digits.c_str(), nullptr);
}

// The number right after `marker` in `line`, or NaN.
double after(const std::string& line, const std::string& marker) {
    const size_t p = line.find(marker);
    return p == std::string::npos ? std::nan("") : number_at(line, p + marker.size());
}

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    for (size_t i = 0; i < s.size();) {
        while (i < s.size() && space(s[i])) ++i;
        const size_t start = i;
        while (i < s.size() && !space(s[i])) ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

// Figures a real log can print: at most a pebibyte (2^50 bytes), and at most 2^40 tokens or cells. A line with a larger
// number is not a startup line (and its number would not convert to a 64-bit count).
constexpr double kMaxLoggedBytes = 1125899906842624.0;  // 2^50
constexpr double kMaxLoggedCount = 1099511627776.0;     // 2^40
bool sane_mib(double mib) { return std::isfinite(mib) && mib * static_cast<double>(MiB) <= kMaxLoggedBytes; }
bool sane_gib(double gib) { return std::isfinite(gib) && gib * static_cast<double>(GiB) <= kMaxLoggedBytes; }
bool sane_count(double n) { return std::isfinite(n) && n <= kMaxLoggedCount; }

i64 mib_to_bytes(double mib) { return static_cast<i64>(std::llround(mib * static_cast<double>(MiB))); }
i64 gib_to_bytes(double gib) { return static_cast<i64>(std::llround(gib * static_cast<double>(GiB))); }

// A figure as Ollama's format.HumanBytes2 prints it at text[pos] ("4.1 GiB", "448.0 MiB", "0 B"), in bytes; -1 if none.
i64 human_bytes_at(const std::string& text, size_t pos) {
    if (pos < text.size() && text[pos] == '"') ++pos;
    const double x = number_at(text, pos);
    const size_t unit = text.find_first_not_of("0123456789., ", pos);
    const std::string u = unit == std::string::npos ? "" : text.substr(unit, 3);
    const double scale = u == "GiB" ? static_cast<double>(GiB) : u == "MiB" ? static_cast<double>(MiB) : u == "KiB" ? 1024.0 : u.rfind('B', 0) == 0 ? 1.0 : 0.0;
    return std::isfinite(x) && scale > 0 && x * scale <= kMaxLoggedBytes ? static_cast<i64>(std::llround(x * scale)) : -1;
}

// Ollama's "offload to" line (llm/memory.go MemoryEstimate.LogValue): `layers.offload=N` and `memory.<group>.<name>="X.Y
// GiB"` figures, by name, with a vision model's `projector.weights` and `projector.graph`. Only the first such line of a
// log is kept.
bool read_ollama_offload(const std::string& line, std::map<std::string, i64>& out) {
    if (line.find("layers.offload=") == std::string::npos || line.find("memory.required.full=") == std::string::npos) return false;
    if (!out.empty()) return true;
    const double layers = after(line, "layers.offload=");
    if (sane_count(layers)) out["layers.offload"] = static_cast<i64>(layers);
    for (const char* name : {"memory.required.full", "memory.required.partial", "memory.required.kv", "memory.weights.total", "memory.weights.repeating",
                             "memory.weights.nonrepeating", "memory.graph.full", "memory.graph.partial", "projector.weights", "projector.graph"}) {
        const size_t at = line.find(std::string(name) + "=");
        if (at == std::string::npos) continue;
        const i64 bytes = human_bytes_at(line, at + std::string(name).size() + 1);
        if (bytes >= 0) out[name] = bytes;
    }
    return true;
}

// Ollama 0.12 and later (ml/device.go, the memory layout it loaded): `msg="model weights" device=CUDA0 size="4.1 GiB"`, and
// the same for "kv cache" and "compute graph", one line per device: read as llama.cpp's model, KV and compute buffers.
// Ollama prints a layout for each placement it tries; a device's second "model weights" line starts a new one, and the
// last is what it loaded.
bool read_ollama_layout(const std::string& line, std::vector<LogBuffer>& out) {
    static const std::pair<const char*, const char*> kinds[] = {
        {"msg=\"model weights\"", "model"}, {"msg=\"kv cache\"", "kv"}, {"msg=\"compute graph\"", "compute"}};
    for (const auto& [marker, kind] : kinds) {
        if (line.find(marker) == std::string::npos) continue;
        const size_t dev = line.find(" device="), size = line.find(" size=\"");
        if (dev == std::string::npos || size == std::string::npos) return false;
        const std::vector<std::string> w = words(line.substr(dev + 8, line.find(' ', dev + 8) - dev - 8));
        const i64 bytes = human_bytes_at(line, size + 6);
        if (w.size() != 1 || bytes < 0) return false;
        if (std::string(kind) == "model" && std::any_of(out.begin(), out.end(), [&](const LogBuffer& b) { return b.kind == "model" && b.device == w[0]; }))
            out.clear();
        out.push_back({kind, w[0], bytes});
        return true;
    }
    return false;
}

// A figure is kept unless an earlier line gave it: the servers print one line per rank and the first one (rank 0's) is
// kept.
void keep_first(i64& slot, i64 value) {
    if (slot < 0) slot = value;
}

// What parse_engine_log knows between lines: the figures so far and which engines' lines it has seen.
struct LogReader {
    explicit LogReader(ParsedLog& l) : log(l) {}
    ParsedLog& log;
    bool llama = false, vllm = false, sglang = false, trtllm = false, mlx = false;
    bool trt_components = false;           // inside TensorRT-LLM's list of components with the free memory before / after each
    std::vector<LogBuffer> ollama_layout;  // Ollama's layout lines, used where the log has no llama.cpp buffer lines
    // TensorRT-LLM's C++ runtime, for logs that stop before its "Allocated ... for max tokens in paged KV cache (N)":
    // "Number of blocks in KV cache primary pool: B", "Number of tokens per block: T.", "Max KV cache pages per sequence:
    // P" and "TRTGptModel maxSequenceLen: L".
    i64 trt_blocks = -1, trt_tokens_per_block = -1, trt_pages_per_seq = -1, trt_max_seq_len = -1;

    // A recognised line of `engine`: the engine is marked and the line counted. True, so a branch can end with
    // `return seen(...)` and the next line is read.
    bool seen(bool& engine) {
        engine = true;
        ++log.lines_recognised;
        return true;
    }
    // A recognised line whose figure is kept unless an earlier line gave it (keep_first).
    bool first(bool& engine, i64& slot, i64 value) {
        keep_first(slot, value);
        return seen(engine);
    }
    // A recognised line whose figure replaces any earlier one (vLLM's and mlx-lm's lines: the last one printed is kept).
    template <class T>
    bool last(bool& engine, T& slot, T value) {
        slot = value;
        return seen(engine);
    }
};

// Reads one line into r.log; true if the line was recognised. A line that names a figure but prints no usable number
// is not recognised and the next pattern is tried.
bool read_line(const std::string& line, LogReader& r) {
    ParsedLog& log = r.log;
    // Ollama's own estimate and, from 0.12, the layout it loaded (its runner's llama.cpp lines follow as usual).
    if (read_ollama_offload(line, log.ollama_offload) || read_ollama_layout(line, r.ollama_layout)) return r.seen(r.llama);
    // llama.cpp: "<func>: CUDA0 model buffer size = 4403.49 MiB" and the KV/compute/output/RS variants.
    const size_t bs = line.find(" buffer size = ");
    if (bs != std::string::npos && line.find("MiB", bs) != std::string::npos) {
        const size_t colon = line.rfind(':', bs);
        const std::vector<std::string> w = words(line.substr(colon == std::string::npos ? 0 : colon + 1, bs - (colon == std::string::npos ? 0 : colon + 1)));
        const double mib = number_at(line, bs + std::string(" buffer size = ").size());
        if (w.size() >= 2 && sane_mib(mib)) {
            LogBuffer b;
            b.kind = lower(w.back());
            b.device = w[w.size() - 2];
            b.bytes = mib_to_bytes(mib);
            if (b.kind == "model" || b.kind == "kv" || b.kind == "compute" || b.kind == "output" || b.kind == "rs") {
                log.buffers.push_back(b);
                return r.seen(r.llama);
            }
        }
    }
    // llama.cpp: "llama_kv_cache: size = 1024.00 MiB (  8192 cells,  32 layers,  4/4 seqs), K (f16): ..."
    if (line.find("llama_kv_cache") != std::string::npos && line.find(" cells,") != std::string::npos) {
        const size_t open = line.find('(', line.find("size ="));
        const double cells = open == std::string::npos ? std::nan("") : number_at(line, open + 1);
        if (sane_count(cells)) {
            log.kv_cells += static_cast<i64>(cells);
            return r.seen(r.llama);
        }
    }
    // SGLang: "Load weight end. type=LlamaForCausalLM, dtype=torch.bfloat16, avail mem=61.55 GB, mem usage=15.07 GB."
    // (GB = 2^30 bytes), one line per TP rank: the first one read.
    if (line.find("Load weight end.") != std::string::npos) {
        const double u = after(line, "mem usage=");
        if (sane_gib(u)) return r.first(r.sglang, log.weights_bytes, gib_to_bytes(u));
    }
    // SGLang: "KV Cache is allocated. #tokens: 367404, K size: 8.23 GB, V size: 8.23 GB" or "... KV size: c GB" (MLA).
    if (line.find("KV Cache is allocated.") != std::string::npos) {
        const double k = after(line, "K size: "), vv = after(line, "V size: "), kv = after(line, "KV size: ");
        const double tokens = after(line, "#tokens: ");
        const double gib = std::isfinite(kv) ? kv : (std::isfinite(k) && std::isfinite(vv) ? k + vv : std::nan(""));
        if (sane_gib(gib) || sane_count(tokens)) {
            if (sane_gib(gib)) keep_first(log.kv_available_bytes, gib_to_bytes(gib));
            if (sane_count(tokens)) keep_first(log.kv_tokens, static_cast<i64>(tokens));
            return r.seen(r.sglang);
        }
    }
    // SGLang's hybrid sliding-window pool: "SWAKVPool mem usage: 79.94 GB, swa size: 798276, full size: 997846" (the full
    // layers' tokens are the pool's capacity).
    if (line.find("SWAKVPool mem usage:") != std::string::npos) {
        const double gib = after(line, "SWAKVPool mem usage: "), full = after(line, "full size: ");
        if (sane_gib(gib)) {
            keep_first(log.kv_available_bytes, gib_to_bytes(gib));
            if (sane_count(full)) keep_first(log.kv_tokens, static_cast<i64>(full));
            return r.seen(r.sglang);
        }
    }
    // SGLang: "max_total_num_tokens=367404, chunked_prefill_size=8192, max_prefill_tokens=16384, ..."
    if (const double n = after(line, "max_total_num_tokens="); sane_count(n)) {
        if (const double m = after(line, "max_running_requests="); sane_count(m)) keep_first(log.max_running_requests, static_cast<i64>(m));
        return r.first(r.sglang, log.kv_tokens, static_cast<i64>(n));
    }
    // SGLang's arguments: "server_args=ServerArgs(model_path=..., mem_fraction_static=0.88, ...)"
    if (line.find("ServerArgs(") != std::string::npos) {
        const double f = after(line, "mem_fraction_static=");
        if (std::isfinite(f) && f > 0 && f < 1) return r.last(r.sglang, log.mem_fraction_static, f);
    }
    // TensorRT-LLM: "[MemUsageChange] Allocated 36.28 GiB for max tokens in paged KV cache (297216)."
    if (line.find("for max tokens in paged KV cache") != std::string::npos) {
        const double gib = after(line, "Allocated ");
        const size_t open = line.find('(', line.find("paged KV cache"));
        const double tokens = open == std::string::npos ? std::nan("") : number_at(line, open + 1);
        if (sane_gib(gib)) {
            if (sane_count(tokens)) keep_first(log.kv_tokens, static_cast<i64>(tokens));
            return r.first(r.trtllm, log.kv_available_bytes, gib_to_bytes(gib));
        }
    }
    // The C++ runtime's pool in blocks, and what turns blocks into tokens (read at the end, parse_engine_log).
    if (line.find("[TensorRT-LLM]") != std::string::npos) {
        const auto count = [&](const char* what, i64& slot) {
            const double n = after(line, what);
            if (!sane_count(n)) return false;
            keep_first(slot, static_cast<i64>(n));
            return true;
        };
        if (count("Number of blocks in KV cache primary pool: ", r.trt_blocks) || count("Number of tokens per block: ", r.trt_tokens_per_block) ||
            count("Max KV cache pages per sequence: ", r.trt_pages_per_seq) || count("TRTGptModel maxSequenceLen: ", r.trt_max_seq_len))
            return r.seen(r.trtllm);
    }
    // TensorRT-LLM's C++ runtime before the paged-KV line above (0.8): "[TensorRT-LLM][INFO] Allocate 69524783104 bytes
    // for k/v cache." and "[TensorRT-LLM][INFO] Using 132608 tokens in paged KV cache."
    if (line.find("bytes for k/v cache") != std::string::npos) {
        const double n = after(line, "Allocate ");
        if (std::isfinite(n) && n > 0 && n <= kMaxLoggedBytes) return r.first(r.trtllm, log.kv_available_bytes, static_cast<i64>(std::llround(n)));
    }
    if (line.find("tokens in paged KV cache") != std::string::npos && line.find("[TensorRT-LLM]") != std::string::npos) {
        if (const double n = after(line, "Using "); sane_count(n)) return r.first(r.trtllm, log.kv_tokens, static_cast<i64>(n));
    }
    // TensorRT-LLM engine builds: "[TensorRT-LLM][INFO] Loaded engine size: 6695 MiB" and "[MemUsageChange] Allocated
    // 1134.01 MiB for execution context memory." (TensorRT's activation memory, fixed when the engine was built).
    if (line.find("Loaded engine size: ") != std::string::npos || line.find("for execution context memory") != std::string::npos) {
        const bool engine = line.find("Loaded engine size: ") != std::string::npos;
        const double mib = engine ? after(line, "Loaded engine size: ") : after(line, "Allocated ");
        if (sane_mib(mib) && line.find("MiB") != std::string::npos)
            return r.first(r.trtllm, engine ? log.engine_bytes : log.exec_context_bytes, mib_to_bytes(mib));
    }
    // The C++ runtime's buffers and decoder, allocated before the KV cache is sized: "[MemUsageChange] Allocated 2.66 GB
    // GPU memory for runtime buffers." and "... for decoder." MemoryCounters::bytesToString divides by 1024 until the
    // number is below 1024 and names the step B, KB, MB, GB or TB: binary units.
    if (line.find(" GPU memory for runtime buffers") != std::string::npos || line.find(" GPU memory for decoder") != std::string::npos) {
        const bool buffers = line.find(" GPU memory for runtime buffers") != std::string::npos;
        const size_t a = line.find("Allocated ");
        const size_t g = line.find(" GPU memory for ");
        if (a != std::string::npos && a < g) {
            const std::vector<std::string> w = words(line.substr(a + 10, g - a - 10));
            const double n = w.size() == 2 ? number_at(w[0], 0) : std::nan("");
            const std::string unit = w.size() == 2 ? w[1] : "";
            const double scale = unit == "B"    ? 1.0
                                 : unit == "KB" ? 1024.0
                                 : unit == "MB" ? static_cast<double>(MiB)
                                 : unit == "GB" ? static_cast<double>(GiB)
                                 : unit == "TB" ? 1024.0 * static_cast<double>(GiB)
                                                : std::nan("");
            if (std::isfinite(n) && std::isfinite(scale) && n * scale <= kMaxLoggedBytes)
                return r.first(r.trtllm, buffers ? log.runtime_buffers_bytes : log.decoder_bytes, static_cast<i64>(std::llround(n * scale)));
        }
    }
    // TensorRT's builder (trtllm-build), per rank: "[TRT] [I] Total Weights Memory: 5340405760" and "Total Activation
    // Memory: 229266432" (bytes; newer TensorRT adds " bytes"): what the engine will load and the activation memory its
    // execution context will allocate.
    if (line.find("Total Weights Memory: ") != std::string::npos || line.find("Total Activation Memory: ") != std::string::npos) {
        const bool weights = line.find("Total Weights Memory: ") != std::string::npos;
        const double n = after(line, weights ? "Total Weights Memory: " : "Total Activation Memory: ");
        if (std::isfinite(n) && n <= kMaxLoggedBytes)
            return r.first(r.trtllm, weights ? log.engine_bytes : log.exec_context_bytes, static_cast<i64>(std::llround(n)));
    }
    // TensorRT-LLM (PyTorch backend), when the executor cannot be created: "Previously created components and free GPU
    // memory before/after creation (GiB):" followed by "Model: 139.55 / 110.70", ...: the weights took the difference.
    if (line.find("free GPU memory before/after creation") != std::string::npos) {
        r.trt_components = true;
        return r.seen(r.trtllm);
    }
    if (r.trt_components && line.rfind("Model: ", 0) == 0) {
        const double before = after(line, "Model: "), after_load = after(line, " / ");
        if (sane_gib(before) && sane_gib(after_load) && before >= after_load)
            return r.first(r.trtllm, log.weights_bytes, gib_to_bytes(before) - gib_to_bytes(after_load));
    }
    // TensorRT-LLM (PyTorch backend), KvCacheCreator._cal_max_memory (tensorrt_llm/_torch/pyexecutor/_util.py):
    // "Peak memory during memory usage profiling (torch + non-torch): 91.46 GiB, available KV cache memory when calculating
    // max tokens: 41.11 GiB, fraction is set 0.85, kv size ... device total memory 139.81 GiB, temporary kv cache memory
    // during profiling 0.37 GiB" (older releases print ", tmp kv_mem 0.37 GiB"). The KV cache is fraction x (total - peak
    // + temporary KV), so what the model itself holds at the peak is peak - temporary KV.
    if (line.find("Peak memory during memory usage profiling") != std::string::npos) {
        const double peak = after(line, "(torch + non-torch): ");
        double tmp = after(line, "temporary kv cache memory during profiling ");
        if (!std::isfinite(tmp)) tmp = after(line, "tmp kv_mem ");
        if (sane_gib(peak)) return r.first(r.trtllm, log.profile_peak_bytes, gib_to_bytes(peak) - (sane_gib(tmp) && tmp <= peak ? gib_to_bytes(tmp) : 0));
    }
    // TensorRT-LLM (C++ runtime): "Memory usage when calculating max tokens in paged kv cache: total: 79.10 GiB,
    // available: 70.48 GiB"; the KV pool is free_gpu_memory_fraction of the available figure.
    if (line.find("when calculating max tokens in paged kv cache") != std::string::npos) {
        const double gib = after(line, "available: ");
        if (sane_gib(gib)) return r.first(r.trtllm, log.kv_free_bytes, gib_to_bytes(gib));
    }
    // TensorRT-LLM (PyTorch backend): "Memory used after loading model weights (inside torch) in memory usage profiling: 14.97 GiB"
    if (line.find("after loading model weights (inside torch)") != std::string::npos) {
        const size_t colon = line.rfind(": ");
        const double gib = colon == std::string::npos ? std::nan("") : number_at(line, colon + 2);
        if (sane_gib(gib)) return r.first(r.trtllm, log.weights_bytes, gib_to_bytes(gib));
    }
    // mlx-lm: "Peak memory: 4.626 GB" (mx.get_peak_memory() / 1e9).
    if (line.rfind("Peak memory: ", 0) == 0 || line.find("] Peak memory: ") != std::string::npos) {
        const double gb = after(line, "Peak memory: ");
        if (std::isfinite(gb) && gb * 1e9 <= kMaxLoggedBytes) return r.last(r.mlx, log.peak_bytes, static_cast<i64>(std::llround(gb * 1e9)));
    }
    // SGLang: "Capture cuda graph end. Time elapsed: 6.18 s. mem usage=1.41 GB. avail mem=2.67 GB." (releases before
    // 0.4.7 print "Capture cuda graph end. Time elapsed: 6.18 s" only, and nothing is read).
    if (line.find("Capture cuda graph end.") != std::string::npos) {
        if (const double u = after(line, "mem usage="); sane_gib(u)) {
            if (!log.graph_took_bytes) log.graph_took_bytes = gib_to_bytes(u);
            return r.seen(r.sglang);
        }
    }
    // vLLM.
    if (const double v = after(line, "Model loading took "); sane_gib(v)) return r.last(r.vllm, log.weights_bytes, gib_to_bytes(v));
    // V0: "Loading model weights took 14.9888 GB" (model_memory_usage / 2^30: GiB, whatever the text says).
    if (const double v = after(line, "Loading model weights took "); sane_gib(v)) return r.last(r.vllm, log.weights_bytes, gib_to_bytes(v));
    // V1 (0.8 and later): "Memory profiling takes 23.00 seconds. Total non KV cache memory: 17.73GiB; torch peak memory
    // increase: 2.21GiB; non-torch forward increase memory: 0.25GiB; weights memory: 15.27GiB."
    // V0 0.6.5-0.7: "model weights take 14.99GiB; non_torch_memory takes 0.35GiB; PyTorch activation peak memory takes
    // 2.07GiB; the rest of the memory reserved for KV Cache is 3.81GiB."
    // V0 0.6.4: "Memory profiling results: ... peak_torch_memory=17.06GiB ... non_torch_memory=0.35GiB kv_cache_size=3.81GiB ..."
    {
        bool any = false;
        const auto take = [&](const char* marker, i64& slot) {
            if (const double v = after(line, marker); sane_gib(v)) {
                slot = gib_to_bytes(v);
                any = true;
            }
        };
        take("torch peak memory increase: ", log.activation_peak_bytes);
        take("non-torch forward increase memory: ", log.non_torch_bytes);
        take("PyTorch activation peak memory takes ", log.activation_peak_bytes);
        take("non_torch_memory takes ", log.non_torch_bytes);
        take("the rest of the memory reserved for KV Cache is ", log.kv_available_bytes);
        if (line.find("Memory profiling results:") != std::string::npos) {
            take("peak_torch_memory=", log.torch_peak_total_bytes);
            take("non_torch_memory=", log.non_torch_bytes);
            take("kv_cache_size=", log.kv_available_bytes);
        }
        if (any) return r.seen(r.vllm);
    }
    // "took" is free memory before the capture less free memory after it: 0.11 on Hopper can print it below zero.
    if (const size_t t = line.find(", took "); t != std::string::npos && line.find("Graph capturing finished") != std::string::npos) {
        const bool negative = t + 7 < line.size() && line[t + 7] == '-';
        if (const double v = number_at(line, t + 7 + (negative ? 1 : 0)); sane_gib(v)) {
            log.graph_took_bytes = gib_to_bytes(negative ? -v : v);
            return r.seen(r.vllm);
        }
    }
    if (const double v = after(line, "Estimated CUDA graph memory: "); sane_gib(v)) return r.last(r.vllm, log.graph_profiled_bytes, gib_to_bytes(v));
    if (const double v = after(line, "Available KV cache memory: "); sane_gib(v)) return r.last(r.vllm, log.kv_available_bytes, gib_to_bytes(v));
    if (const double v = after(line, "GPU KV cache size: "); sane_count(v)) return r.last(r.vllm, log.kv_tokens, static_cast<i64>(v));
    if (const double v = after(line, "Maximum concurrency for "); sane_count(v)) {
        if (const double c = after(line, "tokens per request: "); sane_count(c)) log.max_concurrency = c;
        return r.last(r.vllm, log.max_model_len, static_cast<i64>(v));
    }
    return false;
}

}  // namespace

ParsedLog parse_engine_log(const std::string& text) {
    ParsedLog log;
    LogReader r(log);
    for (const std::string& line : parts(text, '\n')) read_line(line, r);
    // Ollama's llama.cpp runner (0.12.11 to 0.29) prints its layout and then llama.cpp's own buffer lines for the same
    // memory: the latter, to 0.01 MiB, are read; the layout (one decimal) only where they are missing (its own engine).
    if (log.buffers.empty()) log.buffers = std::move(r.ollama_layout);
    // TensorRT-LLM's tokens from its blocks where the "(N)" line is missing: primary blocks x tokens per block, which
    // the runtime prints, or else the power of two whose blocks cover maxSequenceLen in the pages per sequence it
    // printed (maxBlocksPerSeq = ceilDiv(maxSequenceLen, tokensPerBlock); tokens_per_block is a power of two).
    if (log.kv_tokens < 0 && r.trt_blocks > 0) {
        i64 t = r.trt_tokens_per_block;
        if (t <= 0 && r.trt_pages_per_seq > 0 && r.trt_max_seq_len > 0)
            for (i64 p = 1; p <= 4096 && t <= 0; p *= 2)
                if ((r.trt_max_seq_len + p - 1) / p == r.trt_pages_per_seq) t = p;
        if (t > 0 && static_cast<double>(r.trt_blocks) * static_cast<double>(t) <= kMaxLoggedCount) log.kv_tokens = r.trt_blocks * t;
    }
    // One engine per log; llama.cpp's buffer lines first (Ollama logs carry them), then the serving engines.
    log.engine = r.llama ? "llama.cpp" : r.vllm ? "vllm" : r.sglang ? "sglang" : r.trtllm ? "trtllm" : r.mlx ? "mlx" : "";
    return log;
}

nlohmann::json to_json(const ParsedLog& log) {
    nlohmann::json buffers = nlohmann::json::array();
    for (const auto& b : log.buffers) buffers.push_back({{"kind", b.kind}, {"device", b.device}, {"bytes", b.bytes}});
    nlohmann::json out = {{"engine", log.engine}, {"lines_recognised", log.lines_recognised}, {"buffers", buffers}};
    if (log.kv_cells > 0) out["kv_cells"] = log.kv_cells;
    if (log.weights_bytes >= 0) out["weights_bytes"] = log.weights_bytes;
    if (log.kv_available_bytes >= 0) out["kv_available_bytes"] = log.kv_available_bytes;
    if (log.kv_tokens >= 0) out["kv_tokens"] = log.kv_tokens;
    if (log.max_concurrency >= 0) out["max_concurrency"] = log.max_concurrency;
    if (log.max_model_len >= 0) out["max_model_len"] = log.max_model_len;
    if (log.mem_fraction_static > 0) out["mem_fraction_static"] = log.mem_fraction_static;
    if (log.peak_bytes >= 0) out["peak_bytes"] = log.peak_bytes;
    if (log.engine_bytes >= 0) out["engine_bytes"] = log.engine_bytes;
    if (log.exec_context_bytes >= 0) out["exec_context_bytes"] = log.exec_context_bytes;
    if (log.kv_free_bytes >= 0) out["kv_free_bytes"] = log.kv_free_bytes;
    if (log.runtime_buffers_bytes >= 0) out["runtime_buffers_bytes"] = log.runtime_buffers_bytes;
    if (log.decoder_bytes >= 0) out["decoder_bytes"] = log.decoder_bytes;
    if (log.profile_peak_bytes >= 0) out["profile_peak_bytes"] = log.profile_peak_bytes;
    if (log.activation_peak_bytes >= 0) out["activation_peak_bytes"] = log.activation_peak_bytes;
    if (log.torch_peak_total_bytes >= 0) out["torch_peak_total_bytes"] = log.torch_peak_total_bytes;
    if (log.non_torch_bytes >= 0) out["non_torch_bytes"] = log.non_torch_bytes;
    if (log.graph_took_bytes) out["graph_took_bytes"] = *log.graph_took_bytes;
    if (log.graph_profiled_bytes >= 0) out["graph_profiled_bytes"] = log.graph_profiled_bytes;
    if (log.max_running_requests >= 0) out["max_running_requests"] = log.max_running_requests;
    if (!log.ollama_offload.empty()) out["ollama_offload"] = log.ollama_offload;
    return out;
}

}  // namespace fitmygpu
