// Tensor- and pipeline-parallel shards: the layout a request asks for and the weight bytes one rank holds.
#include "engine_parts.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "fitmygpu/checked.hpp"
#include "fitmygpu/error.hpp"

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
}  // namespace

Parallelism resolve_parallelism(const Scenario& s, const char* tp_field) {
    Parallelism p;
    const int n = static_cast<int>(s.devices.size());
    p.pp = std::max(1, s.engine.pipeline_parallel_size);
    p.dp = std::max(1, s.engine.data_parallel_size);
    p.expert_parallel = s.engine.enable_expert_parallel && s.geometry.is_moe();
    if (s.engine.tensor_parallel_size) {
        p.tp = *s.engine.tensor_parallel_size;
    } else {
        p.tp = std::max(1, n / (p.pp * p.dp));
    }
    if (p.ranks() > n)
        fail("invalid_field", tp_field,
             std::string(tp_field) + " × pipeline_parallel_size × data_parallel_size = " + std::to_string(p.ranks()) + " needs more GPUs than the " +
                 std::to_string(n) + " given");
    const ModelGeometry& g = s.geometry;
    if (g.n_heads > 0 && g.n_heads % p.tp != 0)
        fail("invalid_field", tp_field,
             std::string(tp_field) + " = " + std::to_string(p.tp) + " must divide the model's " + std::to_string(g.n_heads) + " attention heads");
    if (p.pp > g.n_layers) fail("invalid_field", "engine.pipeline_parallel_size", "engine.pipeline_parallel_size cannot exceed the number of layers");
    return p;
}

std::pair<int, int> stage_layers(int n_layers, int pp, int stage) {
    const int base = n_layers / pp;
    const int extra = n_layers % pp;
    // The last `extra` stages get one more layer each.
    int first = 0;
    for (int st = 0; st < stage; ++st) first += base + (st >= pp - extra ? 1 : 0);
    const int count = base + (stage >= pp - extra ? 1 : 0);
    return {first, first + count};
}

i64 weights_per_rank(const Scenario& s, const CheckpointBytes& cb, const Parallelism& p, int stage) {
    const ModelGeometry& g = s.geometry;
    const auto [first, last] = stage_layers(static_cast<int>(g.n_layers), p.pp, stage);
    const bool first_stage = stage == 0, last_stage = stage == p.pp - 1;
    const i64 padded_vocab = round_up(g.vocab, kVocabPadding * p.tp);
    double total = 0;
    for (size_t i = 0; i < s.inventory.tensors.size(); ++i) {
        const Tensor& t = s.inventory.tensors[i];
        const double b = static_cast<double>(cb.per_tensor[i]);
        if (t.layer >= 0 && (t.layer < first || t.layer >= last)) continue;
        if (t.role == Role::TokenEmbd || t.role == Role::Output || t.role == Role::PerLayerEmbd) {
            const bool here = t.role == Role::Output ? last_stage : (first_stage || (t.role == Role::TokenEmbd && g.tied_embeddings && last_stage));
            const i64 rows = t.ne1;
            const i64 padded = t.role == Role::PerLayerEmbd ? round_up(rows, kVocabPadding * p.tp) : padded_vocab;
            if (here) total += b * static_cast<double>(padded) / static_cast<double>(rows) / p.tp;
            continue;
        }
        if (t.layer < 0 && t.role != Role::Vision && !last_stage) continue;  // output norm, MTP
        if (t.role == Role::Vision) {
            if (first_stage) total += b / p.tp;
            continue;
        }
        if (replicated_role(t.role) || t.role == Role::SsmNorm) {
            total += b;
        } else if (p.expert_parallel && t.is_expert()) {
            total += b / (p.tp * p.dp);  // expert parallelism: whole experts spread over every rank
        } else if ((t.role == Role::AttnK || t.role == Role::AttnV) && g.n_kv_heads < p.tp) {
            total += b / static_cast<double>(g.n_kv_heads);  // each rank holds one full KV head
        } else {
            total += b / p.tp;
        }
    }
    if (last_stage) total += static_cast<double>(cb.extra);
    return checked::to_i64(std::round(total));
}

}  // namespace fitmygpu::engine_parts
