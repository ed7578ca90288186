// The result of an estimate, in the shape of the JSON API response (README.md "The JSON API"; field names fixed).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fitmygpu/expr.hpp"
#include "fitmygpu/scenario.hpp"

namespace fitmygpu {

// Component keys used in `components` and `breakdown`.
inline constexpr const char* kWeights = "weights";
inline constexpr const char* kKvCache = "kv_cache";
inline constexpr const char* kState = "state";
inline constexpr const char* kActivations = "activations";
inline constexpr const char* kOverhead = "overhead";

struct BreakdownItem {
    std::string component;  // weights | kv_cache | state | activations | overhead
    std::string label;      // what it is, e.g. "CUDA graphs", "KV cache pool", "compute buffer"
    int device = 0;         // device index; -1 = host RAM
    i64 bytes = 0;
    std::string formula;
    std::string substituted;
    std::string note;
};

struct DeviceEstimate {
    std::string id;  // "h100-sxm-80gb#0"
    std::string name;
    i64 capacity_bytes = 0;                 // what the driver reports
    i64 budget_bytes = 0;                   // what the engine lets itself use
    std::map<std::string, i64> components;  // sums of the breakdown items of this device
    i64 total_bytes = 0;                    // allocated (vLLM: includes the whole KV pool)
    i64 required_bytes = 0;                 // needed for the asked workload (vLLM: KV only for context × concurrency)
    i64 headroom_bytes = 0;                 // budget − required (negative: deficit)
};

struct KvSummary {
    i64 bytes_per_token = 0;     // all layers whose cache grows with the context, all devices
    i64 required_bytes = 0;      // for context × concurrency as asked (incl. windows and fixed state)
    i64 capacity_tokens = 0;     // tokens the allocated cache holds
    double max_concurrency = 0;  // capacity / tokens per request, as the engine reports it
};

struct Limits {
    i64 max_context = 0;      // largest context at the asked concurrency that fits
    i64 max_concurrency = 0;  // largest concurrency at the asked context that fits
};

// Speed figures; 0 = cannot be estimated (the response writes null and the reason is in the assumptions).
// Decode of the same setup at another concurrency (the speed-against-concurrency curve).
struct SpeedPoint {
    i64 concurrency = 0;  // requests asked for
    i64 running = 0;      // of those, the ones the KV pool holds at once
    double decode_tokens_per_s = 0;
    double total_decode_tokens_per_s = 0;
    double tpot_ms = 0;
};

struct Speed {
    double decode_tokens_per_s = 0;        // per request, at the asked concurrency
    double total_decode_tokens_per_s = 0;  // all running requests together
    double prefill_tokens_per_s = 0;
    double ttft_s = 0;                       // time to first token for a prompt of the asked context
    double tpot_ms = 0;                      // time per output token of one request = 1000 / decode_tokens_per_s
    std::vector<SpeedPoint> by_concurrency;  // 1, 2, 4, ... up to what the KV pool holds, with the asked concurrency
};

// Weight bytes by where decode reads them: the part every token reads and the MoE experts (read in the share
// the batch routes to). Engines that place layers themselves (llama.cpp) fill it; others leave it empty and
// speed derives it from their parallel layout.
struct PlacedWeights {
    int device = -1;  // -1 = host RAM (the CPU runs these layers)
    double dense_bytes = 0;
    double expert_bytes = 0;
    double kv_share = 0;  // share of the model's KV cache kept here
    int layers = 0;       // repeating layers run here
};

// Tight means: the engine's pool holds fewer than `pool_factor` × the asked requests, or a device keeps
// less than `headroom_bytes`, or less than `headroom_fraction` of its budget. Zero turns a test off.
struct VerdictMargin {
    double pool_factor = 0;
    i64 headroom_bytes = 0;
    double headroom_fraction = 0;
    std::string describe() const;  // the rule in words, built from the numbers above
};

struct Estimate {
    bool fits = false;
    std::string verdict;  // fits | tight | does_not_fit
    std::vector<DeviceEstimate> devices;
    std::map<std::string, i64> host_components;
    i64 host_total_bytes = 0;
    // System RAM check (engine_parts::add_devices sets capacity from the scenario's host).
    i64 host_capacity_bytes = 0;
    bool host_unified = false;    // the devices' own pool: device allocations count against it too
    i64 host_required_bytes = 0;  // what is checked against the capacity
    i64 host_headroom_bytes = 0;
    std::vector<PlacedWeights> placed;  // see PlacedWeights; empty = derived by speed
    // The layout the engine chose itself (Ollama placing the layers when num_gpu is unset): n_gpu_layers, n_cpu_moe and
    // whether the output layer stays on the CPU; the limit searches keep it. -1: none chosen.
    int placed_layers = -1;
    int placed_cpu_moe = 0;
    bool placed_output_on_host = false;
    KvSummary kv;
    Limits limits;
    std::vector<BreakdownItem> breakdown;
    std::optional<Speed> speed;
    std::vector<std::string> warnings;
    std::vector<std::string> assumptions;
    // Figures the engine computes and prints itself, in bytes (or a count), by the name the estimate gives them:
    // vLLM's "Graph capturing finished ..., took X GiB" (cuda_graph_capture_took_bytes), which some releases measure net
    // of cached memory the capture releases; Ollama's "offload to" line (layers.offload, memory.required.kv, ...). What
    // check-log and the accuracy page set beside a log's own; empty when the engine prints none the estimate models.
    std::map<std::string, i64> engine_figures;
    // Why a figure the engine prints is not among engine_figures for this setup, by the same name (vLLM's "took" in
    // the releases that print it net of released cache, its profiled estimate before 0.17).
    std::map<std::string, std::string> engine_figures_unknown;

    // Adds a breakdown item from a formula-carrying quantity.
    void add(const std::string& component, const std::string& label, int device, const Q& q, const std::string& note = "");
    // Fills devices[].components/total_bytes and host_* from the breakdown.
    void sum_components();
    // The one verdict rule: does_not_fit when a device's headroom is negative, system RAM cannot hold the host
    // buffers (with a warning naming it), or the engine's own condition (`engine_ok`, e.g. the pool holds the
    // asked requests) fails; tight within `margin`; else fits. Reads devices[].required_bytes and
    // host_total_bytes and sets headroom_bytes, host_headroom_bytes, fits and verdict.
    void decide(bool engine_ok, i64 concurrency, const VerdictMargin& margin);
};

// ---- Stage 3 of the pipeline: Scenario → Estimate ----

// The runtime's own estimate (through the registry) without limits or speed: what the solvers call.
Estimate estimate_engine(const Scenario& s);
// The full answer: the engine's estimate, the scenario's assumptions and warnings, the solved limits
// (solvers.hpp) and speed (speed.hpp).
Estimate estimate(const Scenario& s);
// The same without the solved limits (their search runs dozens of estimates): for callers that weigh many
// setups and need each one's memory and speed.
Estimate estimate_without_limits(const Scenario& s);

// Per-tensor bytes of the scenario's checkpoint, in inventory order, plus GGUF-only tensors.
struct CheckpointBytes {
    std::vector<i64> per_tensor;
    i64 extra = 0;  // tensors only the GGUF has (rope_freqs), placed with the output layer
    i64 total = 0;
};
CheckpointBytes checkpoint_bytes(const Scenario& s);
// The same for any model's geometry and inventory under a format.
CheckpointBytes checkpoint_bytes(const ModelGeometry& g, const Inventory& inv, const WeightFormat& f);
// A copy made to be probed (same model, weights and checkpoint; other context or concurrency) takes the original's
// checkpoint bytes, when they are worked out, instead of working them out again.
void adopt_checkpoint_bytes(Scenario& copy, const Scenario& original);
// Replaces the emulated bytes `cb` with a summary read from the checkpoint's headers: each layer's bytes shared
// among that layer's tensors in proportion to their emulated bytes, the embedding, output and other bytes likewise
// among the tensors of that kind outside the layers; what has no tensor to go to joins `extra`. The vision tower
// and layers beyond the model's (MTP layers the engines do not load by default) are left out.
void apply_checkpoint(const Inventory& inv, const CheckpointSummary& summary, CheckpointBytes& cb);
// The draft model's checkpoint in a speculative setup (the target's format). Reads the scenario's draft geometry
// and inventory in place: no copy of the scenario is made, however often a solver asks.
CheckpointBytes draft_checkpoint_bytes(const Scenario& s);
// Bytes of the speculator's weights: the MTP layers at the checkpoint's average bytes per parameter, or the
// whole draft checkpoint.
i64 speculator_weight_bytes(const Scenario& s, const CheckpointBytes& main);

}  // namespace fitmygpu
