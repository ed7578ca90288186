// The speed model. One decode step of a batch of B sequences reads, at every place that holds part of the model:
//   weights: the dense part once, the MoE experts in the share the batch routes to (E × (1 − (1 − k/E)^B)
//     distinct experts of E);
//   KV cache: each sequence's cache up to its position (half the context on average over a generation);
// at that place's bandwidth × an efficiency (GPU memory, or system RAM read by the CPU for layers and experts
// llama.cpp keeps on the host). Places run in sequence when they hold different layers (llama.cpp's layer
// split and CPU layers, pipeline stages) and in parallel when they hold shards of the same layers (tensor
// parallelism), which then all-reduce twice per layer over their link. A step is the slower of its memory time
// and its compute time (2 FLOPs per active parameter per sequence) plus a fixed time per layer.
// Prefill is compute bound at a share of dense throughput with a floor of one weight read per chunk.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "../engines/engine_parts.hpp"
#include "fitmygpu/speed.hpp"

namespace fitmygpu {

namespace {

// The share of a MoE model's expert weights a step reads when `tokens` tokens each pick k of E experts at random:
// 1 − (1 − k/E)^tokens; all of it for a dense model.
double experts_touched(const ModelGeometry& g, double tokens) {
    if (!g.is_moe() || g.moe.n_experts <= 0) return 1.0;
    return 1.0 - std::pow(1.0 - static_cast<double>(g.moe.n_experts_per_tok) / static_cast<double>(g.moe.n_experts), tokens);
}

// ---- named constants ----
// Share of peak memory bandwidth a GPU decode step reaches (kGpuBandwidthEfficiency, speed.hpp): llama-bench
// tg128 of Llama-2 7B Q4_0 on RTX 3090 / RTX 4090 / RX 7900 XTX (ggml-org/llama.cpp discussions #4167 and
// #15013) leave ~85% of peak once the per-layer time below is taken out.
// Share of peak DRAM bandwidth a CPU decode reaches (kCpuBandwidthEfficiency): a tuned dual EPYC 9175F reads
// Llama-3.1-70B f16 at 4.31 tokens/s, 74% of its 819 GB/s (https://github.com/ggml-org/llama.cpp/issues/11744);
// desktops sustain less (an i9-10900X with quad-channel DDR4 runs Qwen3-30B-A3B with its experts on the CPU at
// 36.7 tokens/s, https://github.com/AlexsJones/llmfit/pull/755). 60% sits between.
// Fixed time per layer and step (kernel launches, synchronisation) on top of the memory time: the same
// llama-bench tg128 rows leave ~45 µs per layer on CUDA/ROCm GPUs and ~160 µs on Apple M-series GPUs.
constexpr double kLayerOverheadGpuS = 45e-6;
constexpr double kLayerOverheadAppleS = 160e-6;
// A MoE layer of a serving engine costs more fixed time than a dense one: routing (gate GEMM, top-k, sorting
// the tokens by expert), two grouped expert GEMMs whose per-rank shards are small under tensor parallelism, the
// shared expert and their synchronisation. SGLang 0.5.7 decodes DeepSeek-R1-0528 FP8 on 8 × H200 (TP8) at 12.8 ms
// per token with 8 requests of 1K/1K (SemiAnalysis InferenceX sweep,
// https://github.com/SemiAnalysisAI/InferenceX/issues/870), ~3.8 ms more than its bytes, per-layer time and
// all-reduces explain: ~65 µs for each of its 58 MoE layers. vLLM's fused-MoE latency runs of Mixtral-8x22B on
// A100 (TP4 and TP8, batch 8, https://github.com/vllm-project/vllm/pull/4002) leave a similar gap.
constexpr double kMoeLayerOverheadServingS = 65e-6;
// A CPU-only step synchronises its threads per layer like a GPU launches kernels; the same figure is used.
constexpr double kLayerOverheadCpuS = 45e-6;
// One all-reduce of a decode step's small activations: ~10 µs over NVLink (gpt-fast's Llama-2-7B BF16 on 8 ×
// A100 TP8 decodes at 328 tokens/s, https://github.com/pytorch-labs/gpt-fast: 3.05 ms per token of which the
// 1/8 weight read is 0.97 ms and the per-layer time 1.44 ms, leaving ~10 µs per each of 64 all-reduces) and
// ~60 µs over PCIe (consumer cards without peer-to-peer go through host memory: vLLM's Llama-2-70B AWQ on 2 ×
// RTX 4090 TP2, 23.8 tokens/s in the same calibration set, leaves ~100 µs per all-reduce with the AWQ kernels).
constexpr double kAllReduceLatencyFastS = 10e-6;
constexpr double kAllReduceLatencyPcieS = 60e-6;
// Share of dense 16-bit (or FP8 for FP8 checkpoints) peak a prefill reaches. Serving engines with large GEMMs:
// TensorRT-LLM's LLaMA-7B first-token latency for 2,048 tokens is 133 ms on an A100 (67% of 312 TFLOPS) and
// 36 ms on an H100 with FP8 (39% of 1,979); llama.cpp's pp512 on an RTX 4090 runs Llama-3-8B Q4_K_M at 7,139
// tokens/s (69% of 165 TFLOPS) but Llama-2-7B Q4_0 on an H100 at 11,263 (15% of 989). 50% is the middle.
constexpr double kPrefillMfu = 0.5;
// Decode at large batch is bound by the same matrix units; it reaches a little less than prefill (smaller GEMMs).
constexpr double kDecodeMfu = 0.4;
// llama.cpp prefill of weights kept in system RAM on a build with GPUs: batches of 32 tokens or more are copied to
// the GPU (ggml_backend_sched offloads ops with large batches), over the host link once per ubatch.
constexpr i64 kOffloadMinBatch = 32;
// vLLM's default chunk of prefill tokens per step (max_num_batched_tokens, V1 engine online serving: 2,048 ...
// 8,192 by device); used when the request does not set one.
constexpr i64 kServingPrefillChunk = 8192;
constexpr double kActivationBytes = 2;  // 16-bit activations cross the links
// The speed-against-concurrency points stop here when the KV pool holds more (or has no figure).
constexpr double kCurveMaxConcurrency = 1024;

std::string percent(double share) { return std::to_string(static_cast<int>(std::lround(share * 100))) + "%"; }
std::string num(double v, const char* fmt = "%g") {
    char buf[48];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

// One place that runs part of every step, in sequence with the others; `ranks` devices hold shards of it in
// parallel (tensor parallelism).
struct Stage {
    const Device* device = nullptr;  // nullptr = the host CPU
    int ranks = 1;
    double dense = 0, expert = 0;  // bytes one rank reads (experts: all of them, before routing)
    double kv_share = 0;           // share of the model's KV cache one rank reads
    double layer_share = 0;        // share of the model's layers this stage runs
    int layers = 0;
};

// GeForce cards' catalog FP16 rate is with FP32 accumulate, the mode PyTorch GEMMs use; with FP16 accumulate
// they run twice as fast (NVIDIA Ada and Ampere GPU architecture whitepapers, "FP16 Tensor TFLOPS with FP16
// Accumulate"). llama.cpp's CUDA backend multiplies in that mode (cuBLAS CUBLAS_COMPUTE_16F for F16 weights) or
// with int8 MMQ kernels for quantized ones, at least as fast.
constexpr double kGeforceFp16AccumulateFactor = 2.0;

double peak_tflops(const Scenario& s, const Device& d) {
    const WeightFormat& w = s.weights;
    if ((w.scheme == Scheme::FP8) && d.tflops_fp8 > 0) return d.tflops_fp8;
    if (w.scheme == Scheme::NVFP4 && d.tflops_fp4 > 0) return d.tflops_fp4;
    const double dense16 = d.tflops_bf16 > 0 ? d.tflops_bf16 : d.tflops_fp16;
    const bool llama = s.runtime == Runtime::LlamaCpp || s.runtime == Runtime::Ollama;
    return llama && d.vendor == "NVIDIA" && d.device_class == "consumer" ? dense16 * kGeforceFp16AccumulateFactor : dense16;
}

bool fast_link(const std::string& kind) { return kind == "nvlink" || kind == "infinity_fabric" || kind == "xe_link"; }

std::vector<Stage> stages_of(const Scenario& s, const Estimate& e, int& tp, int& dp, bool& expert_parallel) {
    std::vector<Stage> out;
    tp = 1;
    dp = 1;
    expert_parallel = false;
    const ModelGeometry& g = s.geometry;
    const double n_layers = static_cast<double>(std::max<i64>(g.n_layers, 1));
    if (!e.placed.empty()) {  // the engine placed its layers (llama.cpp): each place a stage of its own
        for (const PlacedWeights& p : e.placed) {
            if (p.dense_bytes + p.expert_bytes <= 0 && p.layers == 0) continue;
            Stage st;
            st.device = p.device >= 0 ? &s.devices[static_cast<size_t>(p.device)] : nullptr;
            st.dense = p.dense_bytes;
            st.expert = p.expert_bytes;
            st.kv_share = p.kv_share;
            st.layers = p.layers;
            st.layer_share = p.layers / n_layers;
            out.push_back(st);
        }
        return out;
    }
    // Tensor/pipeline-parallel engines: pp stages, each tp ranks in parallel; Transformers splits layers over its
    // devices in sequence (device_map "auto"); MLX runs on one device.
    int pp = 1;
    if (s.runtime == Runtime::Vllm || s.runtime == Runtime::Sglang || s.runtime == Runtime::Trtllm) {
        const engine_parts::Parallelism par = engine_parts::resolve_parallelism(s, "engine.tensor_parallel_size");
        tp = par.tp;
        pp = par.pp;
        dp = par.dp;
        expert_parallel = par.expert_parallel;
    } else if (s.runtime == Runtime::Transformers) {
        pp = std::max<int>(1, std::min<int>(static_cast<int>(s.devices.size()), static_cast<int>(g.n_layers)));
    }
    const CheckpointBytes cb = checkpoint_bytes(s);
    for (int stage = 0; stage < pp; ++stage) {
        const auto [first, last] = engine_parts::stage_layers(static_cast<int>(g.n_layers), pp, stage);
        Stage st;
        st.device = &s.devices[static_cast<size_t>(std::min<int>(stage * tp, static_cast<int>(s.devices.size()) - 1))];
        st.ranks = tp;
        st.layers = last - first;
        st.layer_share = st.layers / n_layers;
        st.kv_share = st.layer_share / tp;
        for (size_t i = 0; i < s.inventory.tensors.size(); ++i) {
            const Tensor& t = s.inventory.tensors[i];
            if (t.role == Role::Vision || t.role == Role::PerLayerEmbd) continue;
            if (t.role == Role::TokenEmbd && !g.tied_embeddings) continue;  // looked up a row at a time
            const bool here = t.layer >= 0 ? (t.layer >= first && t.layer < last) : stage == pp - 1;
            if (!here) continue;
            (t.is_expert() ? st.expert : st.dense) += static_cast<double>(cb.per_tensor[i]) / tp;
        }
        out.push_back(st);
    }
    return out;
}

}  // namespace

Speed estimate_speed(const Scenario& s, const Estimate& e, std::vector<std::string>& assumptions) {
    Speed sp;
    const ModelGeometry& g = s.geometry;
    int tp = 1, dp = 1;
    bool ep = false;
    const std::vector<Stage> stages = stages_of(s, e, tp, dp, ep);
    const bool cpu_only = s.devices.empty();
    const double n_layers = static_cast<double>(g.n_layers);
    const double host_bw = s.host.bandwidth_gbps * 1e9 * kCpuBandwidthEfficiency;
    for (const Stage& st : stages)
        if (st.device && !(st.device->bandwidth_gbps > 0)) {
            assumptions.push_back("speed: unknown, " + st.device->name + " has no memory bandwidth figure");
            return sp;
        }

    // ---- batch: the requests running at once, capped by what the KV pool holds ----
    const double asked = static_cast<double>(s.concurrency);
    const double pool = e.kv.max_concurrency >= 1 ? std::floor(e.kv.max_concurrency) : 0;  // 0: no pool figure
    const auto running_at = [&](double want) { return pool > 0 ? std::min(want, pool) : want; };
    const double running = running_at(asked);
    if (running < asked)
        assumptions.push_back("speed: the KV cache holds " + num(running) + " of the " + num(asked) +
                              " requests at once; the rest wait, and the figures are for the " + num(running) + " running");
    // Serving engines keep one micro-batch per pipeline stage in flight (vLLM's batch queue, SGLang and
    // TensorRT-LLM's pipeline schedulers): a request still passes every stage once per token, but the stages work
    // on different micro-batches at the same time. llama.cpp's layer split runs one batch through its devices.
    const bool serving = s.runtime == Runtime::Vllm || s.runtime == Runtime::Sglang || s.runtime == Runtime::Trtllm;
    const double pipeline_depth = serving && e.placed.empty() ? static_cast<double>(stages.size()) : 1.0;

    // ---- decode step ----
    const double avg_position = static_cast<double>(s.context) / 2.0;
    const i64 active = s.inventory.active_params(g);
    const double layer_overhead = cpu_only ? kLayerOverheadCpuS : (s.devices.front().device_class == "apple" ? kLayerOverheadAppleS : kLayerOverheadGpuS);
    const Device link_device = s.devices.empty() ? Device{} : s.devices.front();
    const bool link_known = link_device.link_gbps > 0 && link_device.link_kind != "none";
    const double gpu_link_bw = (link_known ? link_device.link_gbps : kPcieFallbackGbps) * 1e9;
    const double gpu_link_latency = link_known && fast_link(link_device.link_kind) ? kAllReduceLatencyFastS : kAllReduceLatencyPcieS;
    // Several machines: a tensor-parallel group larger than a machine all-reduces within each machine and then
    // across the network (NCCL's hierarchical algorithms): both latencies, and the network's bandwidth.
    const Cluster& cluster = s.cluster;
    const int per_node = cluster.gpus_per_node(s.devices.size());
    const double net_bw = cluster.network_gbps * 1e9, net_latency = cluster.network_latency_s;
    const bool tp_across = cluster.nodes > 1 && tp > per_node;
    const double link_bw = tp_across ? std::min(gpu_link_bw, net_bw) : gpu_link_bw;
    const double link_latency = tp_across ? gpu_link_latency + net_latency : gpu_link_latency;
    double moe_layers = 0;
    for (const auto& l : g.layers) moe_layers += l.ffn == Ffn::Moe ? 1 : 0;
    const double moe_overhead = serving ? moe_layers * kMoeLayerOverheadServingS : 0.0;
    bool compute_known = true;
    for (const Stage& st : stages)
        if (!(st.device && peak_tflops(s, *st.device) > 0) && st.layer_share > 0) compute_known = false;
    // The all-reduces of one pass of `tokens` tokens: twice per layer under tensor parallelism (after attention
    // and after the MLP), and the expert-parallel dispatch and combine per MoE layer.
    const auto comm_seconds = [&](double tokens) {
        double c = 0;
        const double hidden_bytes = static_cast<double>(g.hidden) * tokens * kActivationBytes;
        if (tp > 1) c += 2.0 * n_layers * (link_latency + 2.0 * (tp - 1.0) / tp * hidden_bytes / link_bw);
        if (ep) {
            const double n = static_cast<double>(tp) * dp;
            c += 2.0 * moe_layers * (link_latency + (n - 1.0) / n * hidden_bytes * static_cast<double>(g.moe.n_experts_per_tok) / link_bw);
        }
        // Pipeline stages of a serving engine hand the activations on: over the network between machines.
        if (pipeline_depth > 1)
            for (size_t k = 1; k < stages.size(); ++k) {
                const auto node_of = [&](size_t stage) { return per_node > 0 ? static_cast<int>(stage) * tp / per_node : 0; };
                const bool across = cluster.nodes > 1 && node_of(k) != node_of(k - 1);
                c += (across ? net_latency : gpu_link_latency) + hidden_bytes / (across ? net_bw : gpu_link_bw);
            }
        return c;
    };
    // One token for each of `batch` sequences that pass the stages together (one replica's micro-batch).
    const auto step_seconds = [&](double batch) {
        const double touched = experts_touched(g, batch);
        const double kv_read = static_cast<double>(e.kv.bytes_per_token) * avg_position * batch;
        const double step_flops = 2.0 * static_cast<double>(active) * batch;
        double mem_s = 0, compute_s = 0;
        for (const Stage& st : stages) {
            const double bw = st.device ? st.device->bandwidth_gbps * 1e9 * kGpuBandwidthEfficiency : host_bw;
            mem_s += (st.dense + st.expert * touched + kv_read * st.kv_share) / bw;
            const double tflops = st.device ? peak_tflops(s, *st.device) : 0;
            if (tflops > 0) compute_s += step_flops * st.layer_share / (tflops * 1e12 * kDecodeMfu * st.ranks);
        }
        return std::max(mem_s, compute_known ? compute_s : 0.0) + comm_seconds(batch) + n_layers * layer_overhead + moe_overhead;
    };
    // Requests running at once → {time of one token of each, tokens/s of all together}.
    const auto decode_at = [&](double run) {
        const double per_replica = std::ceil(run / dp);
        const double micro = std::ceil(per_replica / pipeline_depth);
        const double step = step_seconds(micro);
        return std::pair<double, double>{step, step > 0 ? run / step : 0.0};
    };
    double bytes_per_token = 0;
    for (const Stage& st : stages)
        bytes_per_token += (st.dense + st.expert * (g.is_moe() ? static_cast<double>(g.moe.n_experts_per_tok) / g.moe.n_experts : 1.0)) * st.ranks;
    std::string link_text;
    if (tp > 1 || ep)
        link_text =
            (link_known ? (link_device.link_name.empty() ? link_device.link_kind : link_device.link_name) + " at " + num(link_device.link_gbps) + " GB/s"
                        : "PCIe 4.0 x16 at " + num(kPcieFallbackGbps) + " GB/s (no link figure for " + link_device.name + ")") +
            (tp_across ? " within a machine and the network at " + num(cluster.network_gbps) + " GB/s between machines" : std::string()) + ", " +
            num(link_latency * 1e6) + " µs per all-reduce";
    {
        const auto [step_s, total] = decode_at(running);
        if (step_s > 0) {
            sp.decode_tokens_per_s = 1.0 / step_s;
            sp.total_decode_tokens_per_s = total;
            sp.tpot_ms = 1000.0 * step_s;
        }
    }
    // The same setup at other concurrencies: doubling from 1 up to what the pool holds (at most
    // kCurveMaxConcurrency), with the asked concurrency among the points.
    {
        const double top = std::max(asked, pool > 0 ? std::min(pool, kCurveMaxConcurrency) : kCurveMaxConcurrency);
        std::vector<double> at;
        for (double c = 1; c < top; c *= 2) at.push_back(c);
        at.push_back(top);
        if (pool > 0 && pool < top) at.push_back(pool);
        at.push_back(asked);
        std::sort(at.begin(), at.end());
        at.erase(std::unique(at.begin(), at.end()), at.end());
        for (const double c : at) {
            const double run = running_at(c);
            const auto [step_s, total] = decode_at(run);
            if (!(step_s > 0)) continue;
            sp.by_concurrency.push_back({static_cast<i64>(c), static_cast<i64>(run), 1.0 / step_s, total, 1000.0 * step_s});
        }
    }

    // ---- prefill of a prompt of the request's context ----
    const double prompt = static_cast<double>(s.context);
    std::string prefill_reason;
    if (cpu_only) prefill_reason = "prefill on the CPU is not modelled (no CPU compute figure)";
    for (const Stage& st : stages)
        if (st.device && !(peak_tflops(s, *st.device) > 0)) prefill_reason = st.device->name + " has no 16-bit throughput figure in the catalog";
    if (prefill_reason.empty()) {
        const bool llama = s.runtime == Runtime::LlamaCpp || s.runtime == Runtime::Ollama;
        const double chunk = static_cast<double>(llama ? s.engine.n_ubatch : s.engine.max_num_batched_tokens.value_or(kServingPrefillChunk));
        const double chunks = std::ceil(prompt / std::max(1.0, chunk));
        // Attention scores and values over the causal prefix: 2 × 2 × (heads × head width) × P²/2 per layer.
        const double attn_width = static_cast<double>(g.n_heads * g.head_dim);
        const double flops = 2.0 * static_cast<double>(active) * prompt + 2.0 * attn_width * n_layers * prompt * prompt;
        double compute = 0, floor_s = 0, host_copy = 0;
        const Device* first_gpu = s.devices.empty() ? nullptr : &s.devices.front();
        for (const Stage& st : stages) {
            const Device* dev = st.device ? st.device : first_gpu;  // host layers are copied to a GPU to run
            compute += flops * st.layer_share / (peak_tflops(s, *dev) * 1e12 * kPrefillMfu * st.ranks);
            const double bytes = st.dense + st.expert * experts_touched(g, std::min(chunk, prompt));
            if (st.device) floor_s += chunks * bytes / (st.device->bandwidth_gbps * 1e9 * kGpuBandwidthEfficiency);
            else if (std::min(chunk, prompt) >= static_cast<double>(kOffloadMinBatch)) {
                const bool known = first_gpu->host_link_gbps > 0;
                host_copy += chunks * (st.dense + st.expert) / ((known ? first_gpu->host_link_gbps : kPcieFallbackGbps) * 1e9);
            } else floor_s += chunks * bytes / host_bw;
        }
        const double prefill_s = std::max(compute, floor_s) + host_copy + chunks * (n_layers * layer_overhead + comm_seconds(std::min(chunk, prompt)));
        if (prefill_s > 0) {
            sp.prefill_tokens_per_s = prompt / prefill_s;
            sp.ttft_s = prefill_s;
        }
        if (host_copy > 0)
            assumptions.push_back(
                "prefill copies the weights kept in system RAM to the GPU once per " + num(chunk) + "-token batch over " +
                (first_gpu->host_link_gbps > 0 ? num(first_gpu->host_link_gbps) + " GB/s" : "PCIe 4.0 x16 (" + num(kPcieFallbackGbps) + " GB/s)"));
    } else {
        assumptions.push_back("prefill and time to first token: unknown, " + prefill_reason);
    }

    // ---- the assumptions behind the figures ----
    std::string a = "speed: decode reads " + format_size(static_cast<i64>(std::llround(bytes_per_token))) + " of weights per token" +
                    (g.is_moe() ? " (the active experts)" : "") + " plus the KV cache at half the context, GPU memory at " + percent(kGpuBandwidthEfficiency) +
                    " of peak bandwidth";
    bool any_host = false;
    for (const Stage& st : stages) any_host = any_host || (!st.device && st.dense + st.expert > 0);
    if (any_host) a += ", system RAM at " + percent(kCpuBandwidthEfficiency) + " of " + num(s.host.bandwidth_gbps) + " GB/s";
    a += ", plus " + num(layer_overhead * 1e6) + " µs per layer";
    if (moe_overhead > 0) a += " and " + num(kMoeLayerOverheadServingS * 1e6) + " µs more per MoE layer (routing and grouped expert kernels)";
    if (stages.size() > 1) a += "; the " + std::to_string(stages.size()) + " places holding different layers run one after another";
    if (!link_text.empty()) a += "; tensor-parallel all-reduce twice per layer over " + link_text;
    assumptions.push_back(a);
    if (running > 1)
        assumptions.push_back("speed: " + num(running) +
                              " requests decode together: weights are read once per step for all of them, each reads its own KV cache" +
                              (compute_known ? std::string(", and a step takes at least its compute at ") + percent(kDecodeMfu) + " of peak throughput"
                                             : std::string("; compute is not bounded (no throughput figure)")));
    if (prefill_reason.empty())
        assumptions.push_back("speed: prefill and time to first token are for a prompt as long as the context (" + group_digits(s.context) +
                              " tokens), without queueing, at " + percent(kPrefillMfu) + " of peak dense throughput");
    return sp;
}

}  // namespace fitmygpu
