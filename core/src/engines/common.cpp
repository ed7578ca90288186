// Engine dispatch, checkpoint bytes, and the inverse questions answered on top of any engine.
#include <algorithm>
#include <cmath>

#include "fitmygpu/engines.hpp"

#include <nlohmann/json.hpp>
#include "serving.hpp"

namespace fitmygpu {

CheckpointBytes checkpoint_bytes(const Scenario& s) {
    CheckpointBytes cb;
    cb.per_tensor.reserve(s.inventory.tensors.size());
    if (s.weights.is_gguf()) {
        const GgufLayout layout = gguf_layout(s.geometry, s.inventory, s.weights.gguf);
        for (size_t i = 0; i < s.inventory.tensors.size(); ++i) cb.per_tensor.push_back(layout.tensors[i].bytes);
        for (size_t i = s.inventory.tensors.size(); i < layout.tensors.size(); ++i) cb.extra += layout.tensors[i].bytes;
    } else {
        for (const Tensor& t : s.inventory.tensors) cb.per_tensor.push_back(tensor_bytes(t, s.weights));
    }
    for (i64 b : cb.per_tensor) cb.total += b;
    cb.total += cb.extra;
    return cb;
}

Scenario draft_scenario(const Scenario& s) {
    Scenario d = s;
    d.model_id = s.spec.draft_id;
    d.model_name = s.spec.draft_name;
    d.geometry = s.spec.draft_geometry;
    d.inventory = s.spec.draft_inventory;
    d.spec = Speculation{};
    d.encoder_params = 0;
    return d;
}

i64 speculator_weight_bytes(const Scenario& s, const CheckpointBytes& main) {
    if (s.spec.method == "draft") return checkpoint_bytes(draft_scenario(s)).total;
    if (s.spec.method == "mtp") {
        const i64 params = s.inventory.total_params();
        return params > 0 ? static_cast<i64>(static_cast<double>(s.spec.mtp_params) * static_cast<double>(main.total) / static_cast<double>(params)) : 0;
    }
    return 0;
}

nlohmann::json engine_defaults(const Scenario& s) {
    const EngineKnobs k;  // the struct's initial values are the engines' defaults
    nlohmann::json d = nlohmann::json::object();
    const int n = static_cast<int>(s.devices.size());
    switch (s.runtime) {
        case Runtime::Vllm: {
            const VllmServeDefaults v = vllm_serve_defaults(s.devices.front());
            d = {{"gpu_memory_utilization", k.gpu_memory_utilization}, {"max_num_batched_tokens", v.max_num_batched_tokens},
                 {"max_num_seqs", v.max_num_seqs}, {"block_size", k.block_size}, {"tensor_parallel_size", std::max(1, n / k.pipeline_parallel_size)},
                 {"pipeline_parallel_size", k.pipeline_parallel_size}, {"data_parallel_size", k.data_parallel_size},
                 {"enable_expert_parallel", k.enable_expert_parallel}, {"enforce_eager", k.enforce_eager},
                 {"enable_prefix_caching", k.enable_prefix_caching}, {"language_model_only", k.language_model_only}};
            break;
        }
        case Runtime::Sglang:
            d = {{"mem_fraction_static", kSglangDefaultMemFraction}, {"max_num_batched_tokens", kDefaultMaxBatchedTokens},
                 {"tensor_parallel_size", n}, {"enforce_eager", k.enforce_eager}};
            break;
        case Runtime::Trtllm:
            d = {{"free_gpu_memory_fraction", k.free_gpu_memory_fraction}, {"max_num_batched_tokens", kDefaultMaxBatchedTokens},
                 {"tensor_parallel_size", n}, {"enforce_eager", k.enforce_eager}};
            break;
        case Runtime::LlamaCpp:
        case Runtime::Ollama:
            d = {{"n_gpu_layers", k.n_gpu_layers}, {"n_ubatch", k.n_ubatch}, {"n_batch", k.n_batch}, {"flash_attn", "auto"},
                 {"kv_unified", k.kv_unified}, {"swa_full", k.swa_full}, {"n_cpu_moe", k.n_cpu_moe}, {"mmproj", k.mmproj}};
            break;
        case Runtime::Transformers:
        case Runtime::Mlx:
            break;
    }
    return d;
}

Estimate estimate_engine(const Scenario& s) {
    switch (s.runtime) {
        case Runtime::Vllm: return estimate_vllm(s);
        case Runtime::Sglang: return estimate_sglang(s);
        case Runtime::Trtllm: return estimate_trtllm(s);
        case Runtime::LlamaCpp:
        case Runtime::Ollama: return estimate_llamacpp(s);
        case Runtime::Transformers: return estimate_transformers(s);
        case Runtime::Mlx: return estimate_mlx(s);
    }
    return estimate_vllm(s);
}

namespace {

bool fits_with(const Scenario& base, i64 context, i64 concurrency) {
    Scenario s = base;
    s.context = context;
    s.concurrency = concurrency;
    try {
        return estimate_engine(s).fits;
    } catch (const std::exception&) {
        return false;
    }
}

// Largest x in [lo, hi] with pred(x) true, given pred(lo) true and pred monotone decreasing.
template <class Pred>
i64 largest_true(i64 lo, i64 hi, Pred pred) {
    while (lo < hi) {
        const i64 mid = lo + (hi - lo + 1) / 2;
        if (pred(mid)) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

}  // namespace

Estimate estimate(const Scenario& s) {
    Estimate e = estimate_engine(s);
    e.assumptions.insert(e.assumptions.begin(), s.assumptions.begin(), s.assumptions.end());
    e.warnings.insert(e.warnings.begin(), s.warnings.begin(), s.warnings.end());

    {
        NumbersOnly quiet;
        const i64 max_ctx = s.geometry.max_position_embeddings > 0 ? s.geometry.max_position_embeddings : (i64{1} << 24);
        e.limits.max_context = fits_with(s, 1, s.concurrency)
                                   ? largest_true(1, std::max(max_ctx, s.context), [&](i64 c) { return fits_with(s, c, s.concurrency); })
                                   : 0;
        if (fits_with(s, s.context, 1)) {
            i64 hi = 1;
            while (hi < (i64{1} << 20) && fits_with(s, s.context, hi * 2)) hi *= 2;
            e.limits.max_concurrency = largest_true(hi, std::min<i64>(hi * 2, i64{1} << 20), [&](i64 n) { return fits_with(s, s.context, n); });
        } else {
            e.limits.max_concurrency = 0;
        }
    }

    // Speed: the device holding the most weights sets the pace of a step.
    if (!e.devices.empty()) {
        i64 w = 0;
        for (const auto& d : e.devices) w = std::max(w, d.components.count(kWeights) ? d.components.at(kWeights) : 0);
        const int n = static_cast<int>(e.devices.size());
        const CheckpointBytes cb = checkpoint_bytes(s);
        e.speed = serving::roofline_speed(s, cb, w, e.kv.bytes_per_token / std::max(n, 1), n);
        e.assumptions.push_back("speed is a roofline: decode reads the weights once per step at 85% of peak bandwidth plus a fixed time per "
                                "layer; prefill runs at 50% of peak dense 16-bit throughput");
    }
    return e;
}

}  // namespace fitmygpu
