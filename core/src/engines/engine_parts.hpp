// Parts the engine estimates are built from: device budgets and activation peaks (activation.cpp),
// tensor/pipeline-parallel shards (sharding.cpp) and vLLM's paged KV layout (paged_kv.cpp).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fitmygpu/cache.hpp"
#include "fitmygpu/engines.hpp"

namespace fitmygpu::engine_parts {

struct Parallelism {
    int tp = 1;
    int pp = 1;
    int dp = 1;                    // data-parallel replicas (each with its own KV pool)
    bool expert_parallel = false;  // experts split over tp × dp ranks instead of sharded by tp
    // SGLang data-parallel attention (--enable-dp-attention --dp-size N): the tp GPUs form N attention groups of
    // tp / N GPUs (dp_attention.py, compute_dp_attention_world_info: attn_tp_size = tp_size // dp_size). Each group
    // serves its own requests with a KV pool of its own; attention weights are split over the group's GPUs only and
    // the token embedding is whole on every GPU. The MoE and dense MLP layers stay split over all tp GPUs.
    int attn_dp = 1;
    int attn_tp() const { return tp / attn_dp; }
    int ranks() const { return tp * pp * dp; }
    int stage_of(int rank) const { return (rank / tp) % pp; }
};

// Adds the first `count` devices of the scenario to the estimate, each with a budget of `fraction` (mem_fraction_static,
// or 1 for engines that may use all of it) of the memory free when the engine starts (Device::free_at_start). vLLM
// takes its fraction (gpu_memory_utilization) of the total instead: FractionOf::Total.
enum class FractionOf { Free, Total };
// Device::free_at_start as a quantity for the breakdown's formulas: the total the engine reads, less what other
// programs hold when there is any.
Q free_at_start(const Device& d);
void add_devices(Estimate& e, const Scenario& s, int count, double fraction, FractionOf of = FractionOf::Free);

// Resolves tensor/pipeline parallel sizes against the device count; throws FieldError for impossible ones.
Parallelism resolve_parallelism(const Scenario& s, const char* tp_field);

// Bytes of the weights one rank of `stage` holds: linear layers sharded by TP (column/row parallel),
// embeddings and lm_head split over a vocabulary padded to a multiple of 64 (vLLM
// VocabParallelEmbedding), norms and routers replicated, K/V projections replicated when there are
// fewer KV heads than ranks, MLA down-projections replicated. Layers split evenly over PP stages.
i64 weights_per_rank(const Scenario& s, const CheckpointBytes& cb, const Parallelism& p, int stage);
// One MXFP4 expert's bytes with an intermediate width I (per rank) and hidden size H as stored or as a kernel layout
// pads them: gate-up [2I, H] and down [H, I] in 4-bit values with an e8m0 scale per 32, and 2I + H biases.
i64 mxfp4_expert_bytes(i64 I, i64 H, i64 bias_bytes);
// Scales every expert tensor of the checkpoint by `factor` (the bytes an engine's MoE layout holds over the stored ones)
// and recomputes the total.
void scale_expert_tensors(const Scenario& s, CheckpointBytes& cb, double factor);

// What PyTorch's CUDA caching allocator adds to those bytes: each parameter of 10 MiB or more (after the layers' fusions:
// QKV, gate-up, the experts' w13) takes a segment rounded up to 2 MiB. Free-memory readings (SGLang's "mem usage")
// see it; torch's allocated-bytes counters do not.
i64 allocator_rounding_per_rank(const Scenario& s, const CheckpointBytes& cb, const Parallelism& p, int stage);
// Bytes of the shared experts' tensors (gate, up, down) one rank of `stage` holds, by weights_per_rank's rules.
i64 shared_expert_bytes_per_rank(const Scenario& s, const CheckpointBytes& cb, const Parallelism& p, int stage);

// The layer range [first, last) of a pipeline stage (vLLM get_pp_indices, which SGLang copies: even split, the
// remainder to the stages before the last).
std::pair<int, int> stage_layers(int n_layers, int pp, int stage);

// One kind of cache layer as the paged allocator sees it.
struct PagedSpec {
    std::string kind;            // "full attention", "sliding window 4096", "MLA", "linear-attention state", ...
    int layers = 0;              // layers of this kind on the rank
    i64 bytes_per_token = 0;     // per layer per token on this rank (attention kinds)
    i64 bytes_per_sequence = 0;  // per layer per sequence (recurrent kinds)
    i64 window = 0;              // sliding / chunked window (tokens), 0 = whole context
    bool recurrent = false;
    i64 block_size = 0;  // tokens per block of this kind (kinds with smaller pages get larger blocks)
};

struct PagedLayout {
    std::vector<PagedSpec> specs;
    i64 block_size = 16;  // tokens per attention block (enlarged for hybrids so pages match)
    i64 page_bytes = 0;   // bytes of one block of one layer (the unified page)
    int group_size = 0;   // layers per KV cache group (one block holds one page per layer slot)
    int n_groups = 0;
    // Extra state blocks a recurrent group keeps per request for the speculated tokens (MambaSpec
    // num_speculative_blocks = num_speculative_tokens), so each draft position has a state to roll back to.
    i64 spec_state_blocks = 0;
    int unified_layers = 0;  // with the hybrid KV cache manager off: the attention layers in the one group (0 otherwise)
    std::string note;
};

// Builds the rank's paged KV layout (vLLM v1 kv_cache_interface.py / kv_cache_utils.py rules).
PagedLayout paged_layout(const Scenario& s, const Parallelism& p, int stage, i64 kv_bytes_per_value, i64 state_bytes_per_value);
// Blocks one request of `context` tokens needs across all groups, with `batched_tokens` the scheduler's
// token budget (sliding windows keep window − 1 + batched_tokens tokens). With prefix caching, a recurrent
// layer keeps a second state block ("align" mode) so cached prefixes can resume from it.
i64 blocks_per_request(const PagedLayout& layout, i64 context, i64 batched_tokens, bool prefix_caching = false);
// The smallest block size among the KV cache groups, in tokens. A recurrent (Mamba / linear-attention) group's
// block is max_model_len, or the attention block size in prefix caching's "align" mode
// (HybridAttentionMambaModelConfig sets cache_config.mamba_block_size that way).
i64 min_group_block_size(const PagedLayout& layout, i64 max_model_len, bool prefix_caching);
// "GPU KV cache size: N tokens" as vLLM v1 prints it (kv_cache_utils.py). Before 0.21 (`legacy`) it is
// num_blocks // len(kv_cache_groups) × the smallest group block size; from 0.21 on it is
// int(max_concurrency × max_model_len), so that hybrid models report the tokens one request layout can use.
i64 vllm_logged_kv_tokens(bool legacy, i64 num_blocks, int n_groups, i64 min_block_size, double max_concurrency, i64 max_model_len);

// The largest gpu_memory_utilization, in hundredths, with which vLLM starts on the first `count` devices: its worker
// refuses to when total × the fraction is more than is free (gpu_worker.init_device), so memory other programs hold
// (Device::in_use_bytes) lowers it. 1.0 when nothing is held.
double vllm_largest_starting_utilization(const std::vector<Device>& devices, int count);

// The batch sizes vLLM captures CUDA graphs for by default, ascending, for engine release `version` (empty = current).
// `decode_query_len` is the tokens one request decodes per step (1 + speculative tokens); `gpt_oss` marks
// GptOssForCausalLM, whose 0.11.0 config raises the largest size to 992. See vllm.cpp for the rules and sources.
std::vector<i64> vllm_cudagraph_capture_sizes(const std::string& version, i64 max_num_seqs, i64 max_num_batched_tokens, i64 decode_query_len, bool gpt_oss,
                                              std::optional<i64> max_capture_size = std::nullopt);

// A per-layer allowance for CUDA graphs on the layers [first, last) (0 with enforce_eager): 4 MiB per dense
// layer, 28 MiB per MoE layer, read from the vLLM 0.11 graph lines of Qwen3-0.6B (28 dense layers, 0.10 GiB),
// gpt-oss-20b / -120b (24 / 36 MoE layers, 0.39 / 1.03) and Qwen3-235B (94 MoE layers, 3.45) taken at face value.
// Those lines are net of released cache on H100s (vllm.cpp models them per release), so this is a rough
// allowance, not a measurement: SGLang and TensorRT-LLM use it, and vLLM ≥ 0.21 for the estimate it sets aside.
Q cuda_graph_bytes(const Scenario& s, int first, int last);

// Bytes of one activation value: the dtype the model runs in (4 for a float32 run, else 2).
i64 activation_value_bytes(const Scenario& s);
// The rotary embedding's cos/sin table the engine keeps beside the weights, at value_bytes a value (see activation.cpp).
i64 rope_cache_bytes(const Scenario& s, i64 value_bytes);

// Peak activation bytes of a forward pass over `tokens` tokens on one rank: the residual stream and
// the widest MLP (gate/up output and the activated product), 16-bit.
Q forward_activation(const Scenario& s, const Parallelism& p, i64 tokens, const std::string& tokens_name);

}  // namespace fitmygpu::engine_parts
