// Tensor- and pipeline-parallel shards: the layout a request asks for and the weight bytes one rank holds.
#include "engine_parts.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "fitmygpu/checked.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/formats.hpp"

namespace fitmygpu::engine_parts {

namespace {
// vLLM DEFAULT_VOCAB_PADDING_SIZE (vllm/model_executor/layers/vocab_parallel_embedding.py).
constexpr i64 kVocabPadding = 64;

bool replicated_role(Role r) {
    if (is_norm(r)) return true;
    switch (r) {
        case Role::FfnGateInp:  // router: ReplicatedLinear
        case Role::FfnGateInpShexp:
        case Role::FfnExpProbsBias:
        case Role::AttnQA:  // MLA down-projections: ReplicatedLinear in DeepseekV2Attention
        case Role::AttnKVA:
        case Role::Indexer:  // the DSA indexer's projections: ReplicatedLinear in vLLM's Indexer
            return true;
        default: return false;
    }
}
// The attention layer's split weights: QKV, the output projection and MLA's up-projections (SGLang's attention layers
// take attn_tp_rank / attn_tp_size from dp_attention.py).
bool is_attention_role(Role r) {
    switch (r) {
        case Role::AttnQ:
        case Role::AttnK:
        case Role::AttnV:
        case Role::AttnOut:
        case Role::AttnQB:
        case Role::AttnKVB:
        case Role::AttnSinks: return true;
        default: return false;
    }
}
}  // namespace

Parallelism resolve_parallelism(const Scenario& s, const char* tp_field) {
    Parallelism p;
    const int n = static_cast<int>(s.devices.size());
    p.pp = std::max(1, s.engine.pipeline_parallel_size);
    p.dp = std::max(1, s.engine.data_parallel_size);
    p.expert_parallel = s.engine.enable_expert_parallel && s.geometry.is_moe();
    // SGLang's --enable-dp-attention keeps --dp-size inside the TP group (server_args.py: tp_size % dp_size == 0; with
    // dp_size 1 it turns the option off).
    if (s.runtime == Runtime::Sglang && s.engine.enable_dp_attention && p.dp > 1) {
        p.attn_dp = p.dp;
        p.dp = 1;
    }
    if (s.engine.tensor_parallel_size) {
        p.tp = *s.engine.tensor_parallel_size;
    } else {
        p.tp = std::max(1, n / (p.pp * p.dp));
    }
    if (p.attn_dp > 1 && p.tp % p.attn_dp != 0)
        fail("invalid_field", "engine.data_parallel_size",
             "with enable_dp_attention, data_parallel_size = " + std::to_string(p.attn_dp) + " must divide " + std::string(tp_field) + " = " +
                 std::to_string(p.tp));
    if (p.ranks() > n)
        fail("invalid_field", tp_field,
             std::string(tp_field) + " × pipeline_parallel_size × data_parallel_size = " + std::to_string(p.ranks()) + " needs more GPUs than the " +
                 std::to_string(n) + " given");
    const ModelGeometry& g = s.geometry;
    if (g.n_heads > 0 && g.n_heads % p.attn_tp() != 0)
        fail("invalid_field", tp_field,
             std::string(tp_field) + " = " + std::to_string(p.tp) + " must divide the model's " + std::to_string(g.n_heads) + " attention heads");
    if (p.pp > g.n_layers) fail("invalid_field", "engine.pipeline_parallel_size", "engine.pipeline_parallel_size cannot exceed the number of layers");
    return p;
}

std::pair<int, int> stage_layers(int n_layers, int pp, int stage) {
    const int base = n_layers / pp;
    const int extra = n_layers % pp;
    // get_pp_indices (vllm/distributed/utils.py): partitions[-i] += 1 for i in 2 .. extra + 1, so the stages before the
    // last, from the second-to-last back, get one more layer each; the last stage, which holds the output head, keeps
    // the base count. V-211 (DeepSeek-V2-Lite's 27 layers at PP 2): 14 on the first stage, as its KV pools show.
    auto count = [&](int st) { return base + (st < pp - 1 && st >= pp - 1 - extra ? 1 : 0); };
    int first = 0;
    for (int st = 0; st < stage; ++st) first += count(st);
    return {first, first + count(stage)};
}

namespace {
// Bytes of tensor i that one rank of `stage` holds (0 when the tensor is elsewhere), by the rules weights_per_rank
// states in engine_parts.hpp.
double tensor_bytes_on_rank(const Scenario& s, const CheckpointBytes& cb, const Parallelism& p, int stage, size_t i) {
    const ModelGeometry& g = s.geometry;
    const auto [first, last] = stage_layers(static_cast<int>(g.n_layers), p.pp, stage);
    const bool first_stage = stage == 0, last_stage = stage == p.pp - 1;
    const Tensor& t = s.inventory.tensors[i];
    const double b = static_cast<double>(cb.per_tensor[i]);
    if (t.layer >= 0 && (t.layer < first || t.layer >= last)) return 0;
    if (t.role == Role::TokenEmbd && p.attn_dp > 1) return first_stage || (g.tied_embeddings && last_stage) ? b : 0;  // VocabParallelEmbedding(enable_tp=False)
    if (t.role == Role::TokenEmbd || t.role == Role::Output || t.role == Role::PerLayerEmbd) {
        const bool here = t.role == Role::Output ? last_stage : (first_stage || (t.role == Role::TokenEmbd && g.tied_embeddings && last_stage));
        const i64 rows = t.ne1;
        const i64 padded = t.role == Role::PerLayerEmbd ? round_up(rows, kVocabPadding * p.tp) : round_up(g.vocab, kVocabPadding * p.tp);
        return here ? b * static_cast<double>(padded) / static_cast<double>(rows) / p.tp : 0;
    }
    if (t.layer < 0 && t.role != Role::Vision && !last_stage) return 0;  // output norm, MTP
    if (t.role == Role::Vision) return first_stage ? b / p.tp : 0;
    if (replicated_role(t.role) || t.role == Role::SsmNorm) return b;
    if (p.expert_parallel && t.is_expert()) return b / (p.tp * p.dp);  // expert parallelism: whole experts spread over every rank
    const int tp = is_attention_role(t.role) ? p.attn_tp() : p.tp;
    if ((t.role == Role::AttnK || t.role == Role::AttnV) && g.n_kv_heads < tp) return b / static_cast<double>(g.n_kv_heads);  // one full KV head a rank
    return b / tp;
}

// The parameter a tensor becomes in SGLang's and vLLM's layers: Q, K and V in one QKVParallelLinear, gate and up in one
// MergedColumnParallelLinear (shared experts too), the routed experts' gate and up in one FusedMoE w13 tensor, MLA's
// two down-projections in one fused_qkv_a_proj_with_mqa (SGLang DeepseekV2AttentionMLA).
int fused_parameter(Role r) {
    switch (r) {
        case Role::AttnQ:
        case Role::AttnK:
        case Role::AttnV: return static_cast<int>(Role::AttnQ);
        case Role::FfnGate:
        case Role::FfnUp: return static_cast<int>(Role::FfnGate);
        case Role::FfnGateShexp:
        case Role::FfnUpShexp: return static_cast<int>(Role::FfnGateShexp);
        case Role::FfnGateExps:
        case Role::FfnUpExps: return static_cast<int>(Role::FfnGateExps);
        case Role::AttnQA:
        case Role::AttnKVA: return static_cast<int>(Role::AttnQA);
        default: return static_cast<int>(r);
    }
}

// PyTorch's CUDA caching allocator (c10/cuda/CUDACachingAllocator.cpp, get_allocation_size): a request of at least
// kMinLargeAlloc = 10 MiB gets a segment of its size rounded up to kRoundLarge = 2 MiB; smaller ones share 2 MiB
// (up to 1 MiB) or 20 MiB segments.
constexpr i64 kMinLargeAlloc = 10 * MiB;
constexpr i64 kRoundLarge = 2 * MiB;
}  // namespace

i64 weights_per_rank(const Scenario& s, const CheckpointBytes& cb, const Parallelism& p, int stage) {
    double total = 0;
    for (size_t i = 0; i < s.inventory.tensors.size(); ++i) total += tensor_bytes_on_rank(s, cb, p, stage, i);
    if (stage == p.pp - 1) total += static_cast<double>(cb.extra);
    return checked::to_i64(std::round(total));
}

i64 shared_expert_bytes_per_rank(const Scenario& s, const CheckpointBytes& cb, const Parallelism& p, int stage) {
    double total = 0;
    for (size_t i = 0; i < s.inventory.tensors.size(); ++i) {
        const Role r = s.inventory.tensors[i].role;
        if (r == Role::FfnGateShexp || r == Role::FfnUpShexp || r == Role::FfnDownShexp) total += tensor_bytes_on_rank(s, cb, p, stage, i);
    }
    return checked::to_i64(std::round(total));
}

i64 mxfp4_expert_bytes(i64 I, i64 H, i64 bias_bytes) { return (3 * I * H) / 2 + (3 * I * H) / 32 + (2 * I + H) * bias_bytes; }

void scale_expert_tensors(const Scenario& s, CheckpointBytes& cb, double factor) {
    cb.total = 0;
    for (size_t i = 0; i < s.inventory.tensors.size(); ++i) {
        if (s.inventory.tensors[i].is_expert()) cb.per_tensor[i] = checked::to_i64(std::round(static_cast<double>(cb.per_tensor[i]) * factor));
        cb.total = checked::add(cb.total, cb.per_tensor[i]);
    }
    cb.total = checked::add(cb.total, cb.extra);
}

i64 allocator_rounding_per_rank(const Scenario& s, const CheckpointBytes& cb, const Parallelism& p, int stage) {
    std::map<std::tuple<int, int, int>, double> params;  // (layer, fused parameter, kind) -> bytes on this rank
    for (size_t i = 0; i < s.inventory.tensors.size(); ++i) {
        const Tensor& t = s.inventory.tensors[i];
        double b = tensor_bytes_on_rank(s, cb, p, stage, i);
        if (b <= 0 || cb.per_tensor[i] <= 0) continue;
        if (is_quantized_in(t, s.weights)) {
            // FP8 and INT8 parameters hold one byte per element, their scales being separate small parameters; the
            // packed 4-bit layouts (qweight, scales, zeros) are not modelled here.
            if (s.weights.scheme != Scheme::FP8 && s.weights.scheme != Scheme::INT8) continue;
            b *= static_cast<double>(t.elements()) / static_cast<double>(cb.per_tensor[i]);
        }
        params[{t.layer, fused_parameter(t.role), static_cast<int>(t.kind)}] += b;
    }
    i64 waste = 0;
    for (const auto& [key, bytes] : params) {
        const i64 b = checked::to_i64(std::round(bytes));
        if (b >= kMinLargeAlloc) waste = checked::add(waste, round_up(b, kRoundLarge) - b);
    }
    return waste;
}

}  // namespace fitmygpu::engine_parts
