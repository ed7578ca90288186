// The speed roofline: decode reads what a step touches at a share of peak memory bandwidth plus a fixed
// time per layer; prefill runs at a share of peak dense 16-bit throughput.
#include "fitmygpu/speed.hpp"

#include <cmath>
#include <cstdio>

namespace fitmygpu {

namespace {
constexpr double kDecodeBandwidthEfficiency = 0.85;
constexpr double kLayerOverheadGpuS = 45e-6;
constexpr double kLayerOverheadAppleS = 160e-6;
constexpr double kPrefillMfu = 0.5;

std::string percent(double share) { return std::to_string(static_cast<int>(std::lround(share * 100))) + "%"; }
}  // namespace

std::string roofline_assumption() {
    return "speed is a roofline: decode reads the weights once per step at " + percent(kDecodeBandwidthEfficiency) +
           " of peak bandwidth plus a fixed time per layer; prefill runs at " + percent(kPrefillMfu) + " of peak dense 16-bit throughput";
}

Speed roofline_speed(const Scenario& s, const CheckpointBytes& cb, i64 weight_bytes_per_device, i64 kv_bytes_per_token_device, int n_parallel) {
    // Decode reads every weight a step touches once per step, plus each sequence's KV. MoE layers read only
    // the experts the batch routes to: E × (1 − (1 − k/E)^B) distinct experts for B tokens. On top of the
    // memory time, every layer costs a roughly fixed launch/synchronisation time that dominates on fast
    // memory. Fitted to single-request llama-bench tg128 results (published llama-bench tables: ggml-org/llama.cpp discussions #4167 and #15013): with
    // 85% of peak bandwidth, RTX 3090 / RTX 4090 / RX 7900 XTX Llama 7-8B runs leave ~1-2.5 ms per token over
    // 32 layers (~45 µs per layer) and Apple M-series Ultra and M1 runs ~5 ms (~160 µs per layer).
    // Prefill is compute bound: 2 FLOPs per active parameter per token at kPrefillMfu of dense 16-bit peak.
    const ModelGeometry& g = s.geometry;
    Speed sp;
    const Device& d = s.devices.front();
    if (d.bandwidth_gbps <= 0) return sp;
    double expert_bytes = 0, all_bytes = 0;
    for (size_t i = 0; i < s.inventory.tensors.size(); ++i) {
        all_bytes += static_cast<double>(cb.per_tensor[i]);
        if (s.inventory.tensors[i].is_expert()) expert_bytes += static_cast<double>(cb.per_tensor[i]);
    }
    double touched = 1.0;
    if (g.is_moe() && all_bytes > 0) {
        const double E = static_cast<double>(g.moe.n_experts), k = static_cast<double>(g.moe.n_experts_per_tok);
        const double B = static_cast<double>(s.concurrency);
        const double distinct = E * (1.0 - std::pow(1.0 - k / E, B));
        touched = (all_bytes - expert_bytes + expert_bytes * distinct / E) / all_bytes;
    }
    const double weights_read = static_cast<double>(weight_bytes_per_device) * touched;
    const double kv_read = static_cast<double>(kv_bytes_per_token_device) * static_cast<double>(s.context) / 2.0 *
                           static_cast<double>(s.concurrency);  // average position mid-context
    const double overhead = static_cast<double>(g.n_layers) * (d.device_class == "apple" ? kLayerOverheadAppleS : kLayerOverheadGpuS);
    const double step_s = (weights_read + kv_read) / (d.bandwidth_gbps * 1e9 * kDecodeBandwidthEfficiency) + overhead;
    sp.decode_tokens_per_s = step_s > 0 ? 1.0 / step_s : 0;
    const double tflops = d.tflops_bf16 > 0 ? d.tflops_bf16 : d.tflops_fp16;
    const i64 active = s.inventory.active_params(g);
    if (tflops > 0) {
        const double flops_per_token = 2.0 * static_cast<double>(active);
        sp.prefill_tokens_per_s = tflops * 1e12 * kPrefillMfu * n_parallel / flops_per_token;
        sp.ttft_s = static_cast<double>(s.context) / sp.prefill_tokens_per_s;
    }
    return sp;
}

}  // namespace fitmygpu
