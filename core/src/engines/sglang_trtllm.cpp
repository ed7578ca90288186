// SGLang and TensorRT-LLM, sharing the tensor-parallel weight shards and KV widths of the serving layer.
// Budget rules (as ai-dynamo/aiconfigurator states them for each backend in its memory model):
//   SGLang:       static memory (weights + KV pool) = mem_fraction_static × total; activations and CUDA
//                 graphs must fit in the rest.
//   TensorRT-LLM: KV pool = free_gpu_memory_fraction × (total − weights − activations − runtime); engine builds also
//                 take the C++ runtime's buffers and decoder out first (trt_runtime_buffers).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine_parts.hpp"
#include "fitmygpu/cache.hpp"
#include "fitmygpu/checked.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/version.hpp"
#include "text.hpp"

namespace fitmygpu {

namespace {

// SGLang sizes its static pool from the memory free before the weights load, not from the card's total
// (ModelRunner.profile_max_num_token: rest = free after loading − free before loading × (1 − mem_fraction_static),
// so pool = mem_fraction_static × free before loading − weights). What is in use by then, per rank:
// - the CUDA context and torch's start-up: 443 MiB in a published TP-4 run on RTX 4090s (serving log S-1: the
//   card's 24,077 MiB CUDA total less the 23.08 GiB free before loading, with custom all-reduce off on PCIe);
// - with NVLink, distributed initialisation (NCCL, custom all-reduce and symmetric-memory buffers): "Init torch
//   distributed ends. mem usage=1.77-2.01 GB" per rank, 1.96 GB on TP0, in sgl-project/sglang#11716 (TP 8).
constexpr i64 kSglangContextBytes = 443 * MiB;
constexpr i64 kSglangNvlinkInitBytes = static_cast<i64>(1.96 * GiB);

// Runtime memory of a TensorRT-LLM process outside weights, activations and KV (CUDA context, cuBLAS
// workspaces, NCCL at TP>1); aiconfigurator's per-system NCCL figures are 342-392 MB at TP 2-8.
constexpr i64 kTrtRuntimeBytes = 600 * MiB;
// KvCacheConfig.tokens_per_block defaults to 32 (tensorrt_llm/llmapi/llm_args.py). The pool is counted in whole blocks:
// KvCacheCreator (tensorrt_llm/_torch/pyexecutor/_util.py) turns the memory it may use into max_tokens = bytes //
// kv_size_per_token, the smaller of that and KvCacheConfig.max_tokens when both are set, and the KV cache manager
// allocates ceil(max_tokens / tokens_per_block) blocks (cpp/tensorrt_llm/batch_manager/kvCacheManager.cpp), printing
// "[MemUsageChange] Allocated X GiB for max tokens in paged KV cache (blocks x tokens_per_block)".
constexpr i64 kTrtTokensPerBlock = 32;

// What an engine built by trtllm-build holds on a rank beside the checkpoint's shards (the weights the PyTorch backend
// loads), for pipeline stage `stage` of `pp`:
// - the whole token embedding on the first stage: examples/*/convert_checkpoint.py splits it over the ranks only with
//   --use_parallel_embedding, which is off by default;
// - its own lm_head on the last stage when the model ties it to the embedding: the converted checkpoint writes
//   lm_head.weight, and trtllm-build shares the table only when it is missing (share_embedding_table); the head is
//   column-parallel, its vocabulary padded to a multiple of the TP size;
// - the GPT attention plugin's rotary table, max_position_embeddings x head_dim float32 values
//   (embed_positions_for_gpt_attention), on every rank of a RoPE model.
// A published build log checks the sum to the byte: Llama-3-8B-Instruct-Gradient-1048k in FP16 at TP 4 prints "Total
// Weights Memory: 5340405760" per rank = the TP-4 shards + the whole 128,256 x 4,096 embedding + 1,048,576 x 128 x 4 B
// (serving log T-9).
Q trt_engine_extra(const Scenario& s, const CheckpointBytes& cb, int tp, int stage, int pp) {
    const ModelGeometry& g = s.geometry;
    i64 embed = 0, embed_rows = 0;
    bool has_output = false;
    for (size_t i = 0; i < s.inventory.tensors.size(); ++i) {
        const Tensor& t = s.inventory.tensors[i];
        if (t.role == Role::TokenEmbd) {
            embed = checked::add(embed, cb.per_tensor[i]);
            embed_rows = t.ne1;
        }
        has_output = has_output || t.role == Role::Output;
    }
    Q extra = Q::lit(0, "B");
    if (embed > 0 && embed_rows > 0) {
        // weights_per_rank counted the embedding split over the ranks (vocabulary padded to 64 x TP, sharding.cpp); the
        // engine keeps it whole.
        const double split = static_cast<double>(embed) * static_cast<double>(round_up(g.vocab, 64 * static_cast<i64>(tp))) / static_cast<double>(embed_rows) /
                             static_cast<double>(tp);
        if (stage == 0) extra = extra + Q::bytes("whole token embedding on each rank", std::max<i64>(0, embed - std::llround(split)));
        if (g.tied_embeddings && !has_output && stage == pp - 1)
            extra = extra + Q::bytes("the engine's own lm_head (tied in the checkpoint)",
                                     std::llround(static_cast<double>(embed) * static_cast<double>(round_up(g.vocab, static_cast<i64>(tp))) /
                                                  static_cast<double>(embed_rows) / static_cast<double>(tp)));
    }
    if (g.mla.kv_lora_rank == 0 && g.head_dim > 0 && g.max_position_embeddings > 0)
        extra = extra + Q::bytes("rotary table (max_position_embeddings x head_dim x 4 B)", checked::mul({g.max_position_embeddings, g.head_dim, 4}));
    return extra;
}

// What the C++ runtime of an engine build allocates before it sizes the KV cache, in the order
// TrtGptModelInflightBatching's constructor prints it ("[MemUsageChange] Allocated X GB GPU memory for runtime buffers."
// then "... for decoder."; MemoryCounters::bytesToString divides by 1024, so "GB" there is GiB). The KV cache manager is
// created after both, from free_gpu_memory_fraction of what is then free. B is the runtime's max_batch_size (trtllm-build's
// default 2048), W the beam width (1), L the engine's max_seq_len (the attention window too, by default), V the vocabulary
// padded to a multiple of the world size (ModelConfig::getVocabSizePadded). Logits are float32: trtllm-build's default
// logits_dtype.
// Runtime buffers (createBuffers, one RuntimeBuffers set with context/generation fusion and no pipeline or overlap):
// - RuntimeBuffers logits, [B × W, V] float32 (setMaxBufferSizes: numLogits = max_batch_size × beam width);
// - DecoderBuffers: cacheIndirectionInput and cacheIndirectionOutput [B, W, window] int32 and logProbs [B, W, L] float32;
// - one SlotDecoderBuffers per sequence slot: outputIds [W, L] int32 and logProbs [W, L] float32;
//   five B × W × L × 4 B arrays in all.
// Decoder (createDecoder → GptDecoderBatched::setup and the sampling layers it creates):
// - ids, parentIds [B, W, L] int32, logProbs [B, W, L] and logProbsTiled [L, B, W] float32: four B × W × L × 4 B arrays;
// - embeddingBias [B, V] in the logits type;
// - DecodingLayerWorkspace: the runtime logits [B, 1, W, V] float32 and the largest layer workspace, top-K sampling's
//   (getTopKWorkspaceSizes: B × V temporary log-probs + B × 1024 (TOP_K_MAX) × 8 blocks × (4 B id + 4 B value));
// - PenaltyLayer's occurrence workspace [B, 1, W, vocab] int32.
// T-3 (NVIDIA/TensorRT-LLM#1188, Qwen2.5-Coder-0.5B, B 2048, L 32768, V 151,936) prints 2.66 GB and 5.76 GB; these terms
// give 2.409 GiB and 5.762 GiB. A sixth B × L array's worth of runtime buffers (0.25 GiB there) is not located in the
// source read (batch_manager/runtimeBuffers.cpp and decoderBuffers.cpp, runtime/gptDecoderBatched.cpp and
// decodingLayerWorkspace.cpp, layers/penaltyLayer.cpp, kernels/samplingTopKKernels.h of the late-2024 C++ runtime).
// T-2 (TensorRT-LLM 0.19, Llama-3.1-8B, B 2048, L 2048, V 128,256) prints no such lines; with these terms its KV pool is
// within 2.1 % of the log.
struct TrtRuntimeBuffers {
    Q runtime, decoder;
};

// The execution context of an engine built by trtllm-build: the C++ runtime allocates ICudaEngine::getDeviceMemorySizeV2
// bytes once ("[MemUsageChange] Allocated X MiB for execution context memory.", runtime/tllmRuntime.cpp), before the
// KV cache is sized; the builder prints the same figure as "Total Activation Memory: N" bytes. TensorRT fixes it at build
// time from the optimization profile's largest shapes (docs/source/reference/memory.md): max_num_tokens tokens through
// the decoder layers, reusing one layer's memory for all layers, and max_batch_size rows of logits. How TensorRT places
// the tensors is TensorRT's own (closed) planner; what is modelled here is the sum published engines show:
//   tokens × (2 × FFN width / TP + 2 × hidden) × 2 B  +  max(logits, 32 MiB), where
// - the per-token part is the fused gate-up projection's output (2 × FFN width / TP) beside two hidden-width tensors
//   (the residual stream and the normalised input), in the model's 16-bit type;
// - logits: the lm_head output for the last token of each of max_batch_size sequences, [B, V] in the 16-bit type before
//   the cast to logits_dtype (the float32 output itself is an I/O tensor the runtime owns). With TP > 1 the head is
//   column-parallel and functional.allgather gathers the [B, V / TP] shards along dim 0 into one [TP × B, V / TP] tensor,
//   then splits and concatenates it along the vocabulary: the gathered copy and its reordered copy, 2 × [B, V], coexist;
// - 32 MiB: the GEMM plugin's cuBLAS workspace (GemmPlugin::getWorkspaceSize returns CUBLAS_WORKSPACE_SIZE, 33,554,432 B;
//   the attention plugin's context workspace starts with the same buffer), which TensorRT places where the logits go
//   when those are smaller.
// Single-GPU 16-bit engines check it to 0.01 MiB: Qwen2.5-Coder-0.5B at max_num_tokens 8192, B 2048 (773.51 MiB, T-3) and
// 512, B 1 (43.26 MiB, T-4); DeepSeek-R1-Distill-Qwen-1.5B and -7B at the 0.17 defaults (921.51 and 1,298.01 MiB,
// T-10, T-11). Not modelled: the attention plugin's generation workspace (partial results of multi-block attention,
// B × heads / TP × head_dim × a tile count that depends on the GPU's SM count and max_seq_len: gptAttentionCommon
// getWorkspaceSizeForGeneration), which matters with very long max_seq_len; FP8 GEMMs, which the same document says
// can take more; MoE layers (the MoE plugin's permuted copies and workspace; the width used is top_k × expert width /
// TP, unchecked against a log).
constexpr i64 kTrtCublasWorkspaceBytes = 33554432;

// Three refinements the published builds fix:
// - Before 0.13.0 ("[BREAKING CHANGE] Set use_fused_mlp to True by default", its release notes) the gate and up
//   projections were two GEMMs whose outputs and product are all live at the multiply: 3 × FFN width where the fused
//   projection holds 2. A 0.11 llama_7b build at 131,072 tokens prints 131,072 × (3 × 11,008 + 2 × 4,096) × 2 B =
//   10,304 MiB exactly (NVIDIA/TensorRT-LLM#1716); T-13 (0.12) and T-16 (0.9) come within 4 % and 7 %.
// - The workspace and small logits go where a layer's hidden-width tensor was: when max(logits, 32 MiB) fits in one
//   [max_num_tokens, hidden] block nothing is added (a TensorRT 10.11 build of GPT-2 at 32,768 and 65,536 tokens
//   prints the layer term alone, 0.1 and 0.2 MiB above it, with a 100 and 197 MiB scratch beside).
// - With TP > 1 the fused gate-up output [max_num_tokens, 2 × FFN / TP] shares the block of the gathered logits: the
//   two TP engines published (T-12 at TP 2: 3 × [T, hidden] + 2 × [B, V] = 1,379.0 MiB, printed 1,379.01; T-9 at TP 4
//   within 1.2 %) hold the larger of the two, beside three hidden-width tensors (the residual, the normalised input and
//   the all-reduce output).
constexpr std::initializer_list<long> kTrtFusedMlpRelease = {0, 13};

Q trt_execution_context(const Scenario& s, int tp, bool last_stage, i64 tokens, i64 batch) {
    const ModelGeometry& g = s.geometry;
    i64 dense_width = 0;
    for (const auto& l : g.layers)
        if (l.ffn == Ffn::Dense) dense_width = std::max(dense_width, l.ffn_intermediate);
    const i64 ffn = std::max(dense_width / tp, g.is_moe() ? g.moe.n_experts_per_tok * g.moe.expert_intermediate / tp : 0);
    const bool unfused = g.ffn_gated && !g.is_moe() && engine_version_before(s.engine.version, kTrtFusedMlpRelease);
    const Q T = Q::var("max_num_tokens", tokens);
    const Q hidden_block = (T * Q::var("hidden", g.hidden) * Q::lit(2, "B")).named("one [max_num_tokens, hidden] block");
    Q logits = Q::lit(0, "B");
    if (last_stage) {
        const i64 vocab = round_up(std::max<i64>(g.vocab, 1), static_cast<i64>(tp));
        logits = Q::var("max_batch_size", batch) * Q::var("vocabulary", vocab) * Q::lit(2, "B");
        if (tp > 1) logits = (Q::lit(2) * logits).named("gathered logits and their reordered copy");
        else logits = logits.named("logits");
    }
    if (tp > 1) {
        const Q gate_up = (T * Q::lit(2) * Q::var("FFN width / TP", ffn) * Q::lit(2, "B")).named("fused gate-up output");
        return (Q::lit(3) * hidden_block + max(gate_up, logits)).named("execution context");
    }
    const Q layer = T * (Q::lit(unfused ? 3 : 2) * Q::var("FFN width / TP", ffn) + Q::lit(2) * Q::var("hidden", g.hidden)) * Q::lit(2, "B");
    const Q extra = max(logits, Q::bytes("cuBLAS workspace", kTrtCublasWorkspaceBytes));
    const Q placed = extra.value() <= hidden_block.value() ? Q::lit(0, "B").named("workspace and logits inside a hidden-width block") : extra;
    return (layer.named(unfused ? "layer activations (gate and up unfused, before 0.13)" : "layer activations") + placed).named("execution context");
}

TrtRuntimeBuffers trt_runtime_buffers(const Scenario& s, int world, bool last_stage) {
    const i64 batch = s.engine.max_num_seqs.value_or(kTrtEngineMaxBatchSize);
    const i64 beam = 1;
    const i64 seq_len = std::max<i64>(s.context, 1);
    const i64 vocab = std::max<i64>(s.geometry.vocab, 1);
    const i64 vocab_padded = round_up(vocab, static_cast<i64>(std::max(world, 1)));
    const i64 per_seq_array = checked::mul({batch, beam, seq_len, 4});
    const i64 vocab_array = checked::mul({batch, beam, vocab_padded, 4});
    Q runtime = Q::bytes("cache indirection in/out, decoder log-probs, slot output ids and log-probs (5 × B × W × L × 4 B)", checked::mul(5, per_seq_array));
    Q decoder = Q::bytes("decoder ids, parent ids, log-probs, tiled log-probs (4 × B × W × L × 4 B)", checked::mul(4, per_seq_array));
    if (last_stage) {
        runtime = runtime + Q::bytes("logits (B × W × V float32)", vocab_array);
        decoder = decoder + Q::bytes("embedding bias (B × V float32)", vocab_array) + Q::bytes("runtime logits (B × W × V float32)", vocab_array) +
                  Q::bytes("top-K workspace (B × V × 4 B + B × 1024 × 8 × 8 B)", checked::add(vocab_array, checked::mul({batch, 1024, 8, 8}))) +
                  Q::bytes("penalty workspace (B × W × vocab int32)", checked::mul({batch, beam, vocab, 4}));
    }
    return {runtime.named("runtime buffers"), decoder.named("decoder")};
}

i64 kv_value_bytes(const Scenario& s, const char* engine) {
    switch (s.kv.dtype) {
        case KvDtype::BF16:
        case KvDtype::F16: return 2;
        case KvDtype::FP8: return 1;
        default:
            // "auto" follows the dtype the model runs in: a float32 run caches float32.
            if (s.kv.dtype == KvDtype::F32 && s.kv_auto) return 4;
            fail("invalid_field", "kv_cache_dtype",
                 std::string("kv_cache_dtype \"") + s.kv.id + "\" is not a " + engine + " cache type; use auto, bf16, fp16 or fp8");
    }
}

// How an engine's token pool holds the cache (KvPoolRules).
// ds_fp8_layout: SGLang's pool for DeepSeek sparse attention (NSATokenToKVPool, mem_cache/memory_pool.py) with an fp8
// cache keeps the latent in fp8 with an fp32 scale per 128 values and the RoPE part in bf16 (rope_storage_dtype):
// kv_cache_dim = 512 + 512 / 128 × 4 + 64 × 2 = 656 B per layer for DeepSeek-V3.2, beside the 132 B of indexer keys.
// 61 × (656 + 132) = 48,068 B per token agrees with sgl-project/sglang#11309 (975,424 tokens in 43.67 GiB, serving log S-5).
// windows_full: every attention layer keeps the whole context, its sliding window aside (TensorRT-LLM).
// cross_in_pool: SGLang sizes its token pool with every hidden layer of the text config (model_runner.py,
// profile_max_num_token and init_memory_pool: model_config.num_hidden_layers), cross-attention layers included (40 for
// Llama 3.2 11B Vision, whose 8 cross layers keep the image's encoder states in slots of the same pool), so every
// token slot costs the cross layers too, and a request's images take encoder-token slots.
struct KvPoolRules {
    bool ds_fp8_layout = false;
    bool windows_full = false;  // sliding and chunked layers keep every token, as full-attention ones
    bool cross_in_pool = false;
    // SGLang's hybrid sliding-window pool (SWAKVPool): the sliding layers' own pool holds swa_full_tokens_ratio × the
    // full layers' tokens, so each token of capacity costs the full layers' bytes plus that share of the sliding ones'.
    // 0: no such pool.
    double swa_ratio = 0;
    // Every attention layer has its own slots, the ones a model reads another layer's K and V in too (Gemma 3n and
    // Gemma 4's KV-shared layers): SGLang's pools are built for num_hidden_layers layers.
    bool shared_in_pool = false;
};
i64 kv_bytes_per_token_rank(const Scenario& s, const engine_parts::Parallelism& par, i64 value_bytes, i64 context, i64* fixed_per_request,
                            const KvPoolRules& rules = {}) {
    // Per token per rank over the layers that grow with the context; windows and recurrent state as a
    // fixed amount per request.
    i64 per_token = 0, sliding = 0;
    *fixed_per_request = 0;
    i64 images_tokens = 0;
    for (const auto& c : cache_layers(s.geometry)) {
        if (is_attention(c.mixer)) {
            if (!c.owns_kv && !rules.shared_in_pool) continue;
            const LayerSpec& l = s.geometry.layers[static_cast<size_t>(c.layer)];
            // DeepSeek sparse attention: the indexer keys in fp8 with an fp32 scale per 128 values (SGLang
            // NSATokenToKVPool, 132 B for V3.2) beside the latent (serving_mla_token_bytes).
            const i64 b = c.mixer == Mixer::Mla
                              ? serving_mla_token_bytes(s.geometry, c, value_bytes, rules.ds_fp8_layout)
                              : checked::mul({std::max<i64>(1, l.n_kv_heads / par.attn_tp()), checked::add(l.head_dim_k, l.head_dim_v), value_bytes});
            if (c.window > 0 && rules.swa_ratio > 0) sliding = checked::add(sliding, b);
            else if (c.window > 0 && !rules.windows_full) *fixed_per_request = checked::add(*fixed_per_request, checked::mul(b, std::min(c.window, context)));
            else per_token = checked::add(per_token, b);
        } else if (c.mixer == Mixer::CrossAttention && rules.cross_in_pool) {
            const LayerSpec& l = s.geometry.layers[static_cast<size_t>(c.layer)];
            per_token =
                checked::add(per_token, checked::mul({std::max<i64>(1, l.n_kv_heads / par.attn_tp()), checked::add(l.head_dim_k, l.head_dim_v), value_bytes}));
            images_tokens = checked::mul(s.images, s.geometry.encoder_tokens_per_image);
        } else if (c.mixer == Mixer::CrossAttention) {
            // Cross-attention layers hold K and V of the request's images' encoder states.
            const LayerSpec& l = s.geometry.layers[static_cast<size_t>(c.layer)];
            *fixed_per_request =
                checked::add(*fixed_per_request, checked::mul({std::max<i64>(1, l.n_kv_heads / par.attn_tp()), checked::add(l.head_dim_k, l.head_dim_v),
                                                               value_bytes, s.images, s.geometry.encoder_tokens_per_image}));
        } else {
            *fixed_per_request = checked::add(*fixed_per_request, checked::add(checked::mul(c.conv_values, 2), checked::mul(c.ssm_values, 4)) / par.tp);
        }
    }
    if (images_tokens > 0) *fixed_per_request = checked::add(*fixed_per_request, checked::mul(images_tokens, per_token));
    // The sliding layers' share of a token of capacity, in SGLang's float arithmetic, rounded once.
    if (sliding > 0) per_token = checked::add(per_token, static_cast<i64>(std::llround(static_cast<double>(sliding) * rules.swa_ratio)));
    return per_token;
}

// `groups` is the number of KV pools that serve different requests among the ranks (SGLang's data-parallel attention
// groups; 1 when every rank holds the same requests): each GPU holds the KV of its group's share of the requests.
void finish(Estimate& e, const Scenario& s, i64 pool_min, i64 per_token, i64 fixed_per_request, int tp, std::vector<i64> fixed, i64 value_bytes, int groups = 1,
            const KvPoolRules& rules = {}) {
    const i64 per_request = checked::add(checked::mul(per_token, s.context), fixed_per_request);
    const i64 requests_bytes = checked::mul(per_request, ceil_div(s.concurrency, static_cast<i64>(groups)));
    auto layers = cache_layers(s.geometry);
    for (CacheLayer& c : layers)
        if ((rules.windows_full && (c.mixer == Mixer::SlidingAttention || c.mixer == Mixer::ChunkedAttention)) ||
            (rules.cross_in_pool && c.mixer == Mixer::CrossAttention)) {
            c.mixer = Mixer::FullAttention;
            c.window = 0;
        }
    e.kv.bytes_per_token = serving_growing_bytes_per_token(s.geometry, layers, s.kv, value_bytes, rules.ds_fp8_layout);
    e.kv.capacity_tokens = per_token > 0 ? std::max<i64>(pool_min, 0) / per_token : 0;
    e.kv.max_concurrency =
        per_request > 0 ? static_cast<double>(groups) * static_cast<double>(std::max<i64>(pool_min, 0)) / static_cast<double>(per_request) : 0;
    e.kv.required_bytes = checked::mul(requests_bytes, tp);
    for (size_t i = 0; i < e.devices.size(); ++i) e.devices[i].required_bytes = checked::add(fixed[i], requests_bytes);
    e.decide(pool_min > 0 && e.kv.max_concurrency >= static_cast<double>(s.concurrency), s.concurrency, runtime_descriptor(s.runtime).margin);
}

// SGLang's defaults by GPU memory (server_args.py, ServerArgs._handle_gpu_memory_settings). gpu_mem is the card's
// capacity in MiB as the driver reports it. Since 0.5.3 (sgl-project/sglang#10975, September 2025) one chain of
// thresholds sets chunked_prefill_size and cuda_graph_max_bs, and mem_fraction_static is what remains after a
// reserve for them, in MiB:
//   reserved = 512 + max(chunked_prefill_size, 2048) × 1.5 + cuda_graph_max_bs × 2 + tp × pp / 8 × 1024,
//   at least 10,240 on cards above 60 GiB;  mem_fraction_static = round((gpu_mem − reserved) / gpu_mem, 3).
// From 0.5.0 to 0.5.2 (server_args.py of 0.5.0rc0, __post_init__) a reserve was looked up by the card's size alone,
// in MiB, with parallel_size = tp × pp:
//   below 35 GiB: (2.8 + parallel_size / 10) × 1024; below 90 GiB: (9.5 + parallel_size / 2) × 1024;
//   below 160 GiB: (12 + parallel_size / 2) × 1024; else 32 × 1024;   mem_fraction_static = round((gpu_mem − reserved) / gpu_mem, 3),
// and chunked_prefill_size was 2,048 below 35 GiB, 8,192 below 160 GiB, else 16,384. Earlier releases (0.4.6 and
// before; the releases between are not pinned here) took mem_fraction_static from the TP size alone and
// chunked_prefill_size 2,048 below 25,000 MiB, else 8,192.
// The 0.3 series before sgl-project/sglang#2044 ("Adjust default chunked prefill size and cuda graph max bs according
// to GPU memory capacity", November 2024; its first release is taken to be 0.3.6) read no GPU memory at all:
// server_args.py declares chunked_prefill_size: int = 8192 for every card, and __post_init__ gives TP >= 8 a
// mem_fraction_static of 0.83 (0.79 at 16, 0.85 at 4, 0.87 at 2, 0.88 at 1). The pool rule itself
// (ModelRunner.profile_max_num_token, init_memory_pool) is the one modelled below: rest = free after loading − free
// before loading × (1 − mem_fraction_static), cell = KV heads / TP × head_dim × layers × 2 × element size (MLA: the
// latent plus the RoPE part per layer), max_num_reqs = min(max(max_total_num_tokens / context_len × 512, 2048), 4096).
struct SglangMemoryStep {
    i64 below_mib;  // applies to cards with less memory than this
    i64 chunked_prefill_size;
    i64 graph_bs_small_tp, graph_bs_large_tp;  // cuda_graph_max_bs at TP < 4 and TP ≥ 4
};
constexpr SglangMemoryStep kSglangSteps[] = {
    {20 * 1024, 2048, 8, 8}, {35 * 1024, 2048, 24, 80}, {60 * 1024, 4096, 32, 160}, {160 * 1024, 8192, 256, 512}, {i64{1} << 40, 16384, 512, 512},
};
struct SglangTpFraction {
    int min_tp;
    double fraction;
};
constexpr SglangTpFraction kSglangLegacyFractions[] = {{16, 0.79}, {8, 0.81}, {4, 0.85}, {2, 0.87}, {1, 0.88}};
constexpr SglangTpFraction kSglang03Fractions[] = {{16, 0.79}, {8, 0.83}, {4, 0.85}, {2, 0.87}, {1, 0.88}};
// 0.3.6 to 0.3.6.post3 took 0.82 at TP 8 (sgl-project/sglang#2053); 0.4.0 set it to 0.81 (#2325).
constexpr SglangTpFraction kSglang036Fractions[] = {{16, 0.79}, {8, 0.82}, {4, 0.85}, {2, 0.87}, {1, 0.88}};
constexpr i64 kSglangLegacySmallGpuMib = 25000;
// 0.5.3 and 0.5.4 captured up to 16 on 20-35 GiB cards at TP < 4; 0.5.5 raised it to 24 (sgl-project/sglang#12124).
constexpr std::initializer_list<long> kSglangGraphBs24Release = {0, 5, 5};
// Piecewise CUDA graphs, on by default from 0.5.10 (sgl-project/sglang#16331; --disable-piecewise-cuda-graph): the
// reserve grows by 8 MiB per captured token size (#15927), the sizes running to chunked_prefill_size: 42, 50, 58 or 74
// of them at 2,048, 4,096, 8,192 or 16,384 tokens; MLA models reserve 1,536 MiB instead. The same release reserves
// 4 GiB for speculative decoding where 0.5.3 reserved 2 (#19418), after the 10 GiB floor. #16331 leaves piecewise
// graphs off for multimodal models, DeepSeek sparse attention, Qwen3-Next, speculative decoding, data-parallel
// attention, pipeline parallelism and AMD cards.
constexpr std::initializer_list<long> kSglangPiecewiseRelease = {0, 5, 10};
struct SglangPiecewiseSizes {
    i64 max_tokens, sizes;
};
constexpr SglangPiecewiseSizes kSglangPiecewiseSizes[] = {{2048, 42}, {4096, 50}, {8192, 58}, {16384, 74}};
constexpr double kSglangPiecewiseMibPerSize = 8.0;
constexpr double kSglangPiecewiseMlaMib = 1536.0;
constexpr std::initializer_list<long> kSglangGpuSizedRelease = {0, 3, 6};  // sgl-project/sglang#2044, see above
constexpr std::initializer_list<long> kSglangReserveRelease = {0, 5, 3};
constexpr std::initializer_list<long> kSglangSizeTableRelease = {0, 5, 0};       // the vision-tower factor's release
constexpr std::initializer_list<long> kSglangAiterCutRelease = {0, 4, 7};        // the aiter fraction cut's first release
constexpr std::initializer_list<long> kSglangSharedReplicasRelease = {0, 4, 5};  // shared-expert replicas (see below)
constexpr std::initializer_list<long> kSglangOneFusedSharedRelease = {0, 4, 7};  // one fused shared expert instead
constexpr i64 kAiterFullFractionContext = 8192;
constexpr double kAiterFractionCut = 0.85;
// Between the TP table and the table by the card's size, server_args.py's default changed with these releases
// (read at each release's commit): 0.4.5.post3 (#5604) gave cards above 81,920 MiB (gpu_mem - 13 GiB) / gpu_mem;
// 0.4.6.post2 (#5893, #5724) 0.88 there, then on cards above 96 GiB min(f + 48 GiB x (1 - f) / gpu_mem,
// (gpu_mem - 18 GiB) / gpu_mem); 0.4.7 (#6718) 0.79 on CUDA cards above 180,000 MiB, 20 GiB reserved with speculative
// decoding, and x 0.95 with it on smaller cards; 0.4.7.post1 (#7054) the table by the card's size, with 2 GiB more
// reserved for speculative decoding and 4 GiB more for data-parallel attention.
struct SglangRelease {
    long major, minor, patch, post;  // post -1: the release itself
};
constexpr SglangRelease kSglangLargeCardRelease = {0, 4, 5, 3};
constexpr SglangRelease kSglangCappedRelease = {0, 4, 6, 2};
constexpr SglangRelease kSglangB200Release = {0, 4, 7, -1};
constexpr SglangRelease kSglangSizeReserveRelease = {0, 4, 7, 1};
// Whether the version asked for comes before that release (its post-releases counted).
bool sglang_before(const std::string& version, const SglangRelease& r) {
    if (engine_version_before(version, {r.major, r.minor, r.patch})) return true;
    if (!engine_version_before(version, {r.major, r.minor, r.patch + 1})) return false;
    const auto v = parse_engine_version(version);
    return v && v->post < r.post;
}
// SGLang's hybrid sliding-window pool (SWAKVPool, sgl-project/sglang#7367; model_runner set_num_token_hybrid, later
// the memory-based split of model_runner_kv_cache_mixin): the full layers keep full_tokens, the sliding (and Llama 4's
// chunked) layers swa_full_tokens_ratio × full_tokens, in one budget, so full_tokens = pool / (full layers' bytes +
// ratio × sliding layers' bytes) and that is the max_total_num_tokens it prints. Without it every layer keeps every
// token. Which models get it, by release:
//  - from 0.4.9.post3 (#7367) every model with a sliding window; Gemma 2 left out from 0.4.10.post2 (#8693), Gemma 3 from
//    0.5.1 (#8895), gpt-oss from its first release (#8839); from 0.5.8 (#16399) only the listed architectures
//    (is_hybrid_swa_model), so Gemma 2 and 3 and the Mistral-style windows keep every token again;
//  - gpt-oss from 0.5.8 (#17261), except with the trtllm_mha attention SGLang picks on compute capability 10 until 0.5.10
//    (#17429, #19079) and, in 0.5.8, with speculative decoding (#17517, #17630);
//  - Llama 4 from 0.5.8 (#16399; before, only with --hybrid-kvcache-ratio); Gemma 4 from its first release, 0.5.11.
constexpr double kSglangSwaFullTokensRatio = 0.8;  // server_args.py: swa_full_tokens_ratio
constexpr SglangRelease kSglangSwaPoolRelease = {0, 4, 9, 3};
constexpr SglangRelease kSglangGemma2SwaOffRelease = {0, 4, 10, 2};
constexpr std::initializer_list<long> kSglangGemma3SwaOffRelease = {0, 5, 1};
constexpr std::initializer_list<long> kSglangSwaListRelease = {0, 5, 8};
constexpr std::initializer_list<long> kSglangSwaSpecRelease = {0, 5, 9};
constexpr std::initializer_list<long> kSglangSwaTrtllmMhaRelease = {0, 5, 10};
bool sglang_hybrid_swa(const Scenario& s) {
    const ModelGeometry& g = s.geometry;
    if (!g.has(Mixer::SlidingAttention) && !g.has(Mixer::ChunkedAttention)) return false;
    const std::string& v = s.engine.version;
    const std::string& arch = g.architecture;
    if (arch.rfind("Gemma4", 0) == 0) return true;
    if (sglang_before(v, kSglangSwaPoolRelease)) return false;
    const bool listed_era = !engine_version_before(v, kSglangSwaListRelease);
    if (arch == "GptOssForCausalLM") {
        if (!listed_era) return false;
        if (s.spec.active() && engine_version_before(v, kSglangSwaSpecRelease)) return false;
        return !(engine_version_before(v, kSglangSwaTrtllmMhaRelease) && !s.devices.empty() && s.devices.front().compute_capability_major == 10);
    }
    if (arch == "Llama4ForConditionalGeneration") return listed_era;
    if (listed_era) return false;
    if (arch == "Gemma2ForCausalLM") return sglang_before(v, kSglangGemma2SwaOffRelease);
    if (arch.rfind("Gemma3", 0) == 0) return engine_version_before(v, kSglangGemma3SwaOffRelease);
    return true;
}
KvPoolRules sglang_pool_rules(const Scenario& s, Estimate& e) {
    KvPoolRules r{.ds_fp8_layout = true, .cross_in_pool = true, .shared_in_pool = true};
    if (!s.geometry.has(Mixer::SlidingAttention) && !s.geometry.has(Mixer::ChunkedAttention)) return r;
    if (sglang_hybrid_swa(s)) {
        r.swa_ratio = kSglangSwaFullTokensRatio;
        e.assumptions.push_back("hybrid sliding-window pool: the sliding layers keep swa_full_tokens_ratio " + fixed_text(kSglangSwaFullTokensRatio, 1) +
                                " × the full layers' tokens");
    } else {
        r.windows_full = true;
        e.assumptions.push_back("every sliding-window layer keeps every token: this release gives this model no hybrid sliding-window pool");
    }
    return r;
}

struct SglangSizeReserve {
    i64 below_mib;
    double base_gib, per_rank_gib;  // reserved = (base + parallel_size × per_rank) GiB
};
constexpr SglangSizeReserve kSglangSizeReserves[] = {
    {35 * 1024, 2.8, 0.1},
    {90 * 1024, 9.5, 0.5},
    {160 * 1024, 12.0, 0.5},
    {i64{1} << 40, 32.0, 0.0},
};

// Hybrid models with recurrent layers (Mamba, Gated DeltaNet): SGLang splits what is left for the cache between
// recurrent-state slots and the KV pool of the attention layers (model_runner_kv_cache_mixin.py,
// handle_max_mamba_cache): mamba memory = rest × r / (1 + r) with r = --mamba-full-memory-ratio, 0.9 by default
// (documented in sgl-project/sglang#15337); max_mamba_cache_size = that memory // one request's state, and the
// KV pool gets the rest less those slots. init_memory then caps max_running_requests at the slots // 3
// (MAMBA_CACHE_SIZE_MAX_RUNNING_REQUESTS_RATIO, with the radix cache on and no extra ping-pong buffer).
constexpr double kSglangMambaFullMemoryRatio = 0.9;
constexpr i64 kSglangMambaSlotsPerRequest = 3;

// One request's recurrent state on one rank: the convolution window in the model dtype (2 bytes) and the SSM state
// in float32 (--mamba-ssm-dtype defaults to float32), each split over the TP ranks.
i64 sglang_state_per_request(const Scenario& s, const engine_parts::Parallelism& par) {
    i64 out = 0;
    for (const auto& c : cache_layers(s.geometry))
        if (c.mixer == Mixer::Mamba || c.mixer == Mixer::LinearAttention)
            out = checked::add(out, checked::add(checked::mul(c.conv_values, 2), checked::mul(c.ssm_values, 4)) / par.tp);
    return out;
}

// Multimodal models (server_args.py, adjust_mem_fraction_for_vlm; 0.5.0rc0 and later): when mem_fraction_static is
// not given, SGLang scales its default by 0.95 × clamp(1 − 0.1 × (ratio − 1), 0.8, 1.05), ratio being the vision
// tower's num_hidden_layers × hidden_size² over a ViT-L/14's 24 × 1024² (SGLang reads both attributes of the
// vision config with those defaults; a config that names its depth otherwise counts 24 layers). The 0.5.0rc0 source is
// where this is read from. Before it (sgl-project/sglang#6881, June 2025) the model runner cut the fraction by a fixed
// factor, 0.95 and later 0.90 (estimate_sglang).
double sglang_vlm_factor(const ModelGeometry& g) {
    const double layers = g.vision.num_hidden_layers > 0 ? static_cast<double>(g.vision.num_hidden_layers) : 24.0;
    const double hidden = g.vision.hidden_size > 0 ? static_cast<double>(g.vision.hidden_size) : 1024.0;
    const double ratio = layers * hidden * hidden / (24.0 * 1024.0 * 1024.0);
    return 0.95 * std::clamp(1.0 - 0.1 * (ratio - 1.0), 0.8, 1.05);
}

}  // namespace

SglangDefaults sglang_defaults(const Device& d, int tp, int pp, const std::string& version, int dp_attention, bool speculative,
                               PiecewiseGraphs piecewise_graphs, std::optional<i64> chunked_prefill_size, std::optional<i64> cuda_graph_max_bs) {
    SglangDefaults out;
    const i64 gpu_mem = d.memory_bytes / MiB;  // nvidia-smi's memory.total (get_nvgpu_memory_capacity)
    tp = std::max(tp, 1);
    pp = std::max(pp, 1);
    dp_attention = std::max(dp_attention, 1);
    const double mem = static_cast<double>(gpu_mem);
    if (engine_version_before(version, kSglangReserveRelease) && !sglang_before(version, kSglangSizeReserveRelease) && gpu_mem > 0) {
        double reserved = 0;
        for (const auto& step : kSglangSizeReserves)
            if (gpu_mem < step.below_mib) {
                reserved = (step.base_gib + static_cast<double>(tp * pp) * step.per_rank_gib) * 1024.0;
                break;
            }
        if (speculative) reserved += 2.0 * 1024.0;
        if (dp_attention > 1) reserved += 4.0 * 1024.0;
        out.mem_fraction_static = std::round((mem - reserved) / mem * 1000.0) / 1000.0;
        out.chunked_prefill_size = gpu_mem < 35 * 1024 ? 2048 : gpu_mem < 160 * 1024 ? 8192 : 16384;
        char buf[200];
        std::snprintf(buf, sizeof buf, "SGLang 0.4.7.post1-0.5.2's default for %lld MiB: %.0f MiB reserved by the card's size and %d ranks%s%s",
                      static_cast<long long>(gpu_mem), reserved, tp * pp, speculative ? ", speculative decoding" : "",
                      dp_attention > 1 ? ", data-parallel attention" : "");
        out.rule = buf;
        return out;
    }
    if (engine_version_before(version, kSglangReserveRelease)) {
        const bool before_036 = engine_version_before(version, kSglangGpuSizedRelease);
        const auto& table = before_036 ? kSglang03Fractions : engine_version_before(version, {0, 4}) ? kSglang036Fractions : kSglangLegacyFractions;
        // 0.4.5.post3 counts TP ranks only; from 0.4.6.post2 TP x PP.
        const int ranks = sglang_before(version, kSglangCappedRelease) && !sglang_before(version, kSglangLargeCardRelease) ? tp : tp * pp;
        for (const auto& step : table)
            if (ranks >= step.min_tp) {
                out.mem_fraction_static = step.fraction;
                break;
            }
        out.chunked_prefill_size = before_036 || gpu_mem <= 0 || gpu_mem >= kSglangLegacySmallGpuMib ? 8192 : 2048;
        out.rule = before_036
                       ? "SGLang before 0.3.6: mem_fraction_static by TP size (" + std::to_string(tp * pp) + " ranks), chunked prefill 8,192 on every GPU"
                       : "SGLang before 0.4.5.post3: mem_fraction_static by TP size (" + std::to_string(ranks) + " ranks)";
        if (before_036 || sglang_before(version, kSglangLargeCardRelease) || gpu_mem <= 0) return out;
        char buf[200];
        if (sglang_before(version, kSglangCappedRelease)) {
            if (gpu_mem > 81920) {
                out.mem_fraction_static = (mem - 13.0 * 1024.0) / mem;
                std::snprintf(buf, sizeof buf, "SGLang 0.4.5.post3-0.4.6.post1's default for %lld MiB: 13 GiB kept back", static_cast<long long>(gpu_mem));
                out.rule = buf;
            } else out.rule = "SGLang 0.4.5.post3-0.4.6.post1: mem_fraction_static by TP size on cards up to 80 GiB (" + std::to_string(ranks) + " ranks)";
            return out;
        }
        const bool b200_rule = !sglang_before(version, kSglangB200Release);
        if (gpu_mem > 81920) out.mem_fraction_static = 0.88;
        if (b200_rule && gpu_mem > 180000 && d.vendor == "NVIDIA") {
            out.mem_fraction_static = 0.79;
            out.chunked_prefill_size = 16384;
            out.rule = "SGLang 0.4.7's default on CUDA cards above 180,000 MiB: 0.79";
        } else if (gpu_mem > 96 * 1024) {
            const double f = out.mem_fraction_static;
            const double reserve = (b200_rule && speculative ? 20.0 : 18.0) * 1024.0;
            out.mem_fraction_static = std::min(f + 48.0 * 1024.0 * (1.0 - f) / mem, (mem - reserve) / mem);
            std::snprintf(buf, sizeof buf, "SGLang %s's default for %lld MiB: the smaller of %.2f + 48 GiB x (1 - %.2f) / the card and %.0f GiB kept back",
                          b200_rule ? "0.4.7" : "0.4.6.post2-0.4.6.post5", static_cast<long long>(gpu_mem), f, f, reserve / 1024.0);
            out.rule = buf;
        } else {
            if (b200_rule && speculative) out.mem_fraction_static *= 0.95;
            out.rule = std::string("SGLang 0.4.6.post2-0.4.7: mem_fraction_static by TP size on cards up to 80 GiB, 0.88 above") +
                       (b200_rule && speculative ? ", x 0.95 for speculative decoding" : "");
        }
        return out;
    }
    if (gpu_mem <= 0) {
        out.rule = "SGLang's fallback when the GPU's memory is unknown";
        return out;
    }
    for (const auto& step : kSglangSteps)
        if (gpu_mem < step.below_mib) {
            out.chunked_prefill_size = step.chunked_prefill_size;
            out.cuda_graph_max_bs = tp < 4 ? step.graph_bs_small_tp : step.graph_bs_large_tp;
            break;
        }
    if (out.cuda_graph_max_bs == 24 && engine_version_before(version, kSglangGraphBs24Release)) out.cuda_graph_max_bs = 16;
    // The reserve is taken of the values the server runs with: --chunked-prefill-size and --cuda-graph-max-bs when given.
    if (chunked_prefill_size) out.chunked_prefill_size = *chunked_prefill_size;
    if (cuda_graph_max_bs) out.cuda_graph_max_bs = *cuda_graph_max_bs;
    double reserved = 512.0 + static_cast<double>(std::max<i64>(out.chunked_prefill_size, 2048)) * 1.5 + static_cast<double>(out.cuda_graph_max_bs) * 2.0 +
                      static_cast<double>(tp * pp) / 8.0 * 1024.0;
    const bool piecewise_release = !engine_version_before(version, kSglangPiecewiseRelease);
    double piecewise = 0;
    if (piecewise_release && piecewise_graphs != PiecewiseGraphs::Off) {
        if (piecewise_graphs == PiecewiseGraphs::Mla) piecewise = kSglangPiecewiseMlaMib;
        else
            for (const auto& p : kSglangPiecewiseSizes)
                if (out.chunked_prefill_size <= p.max_tokens) {
                    piecewise = static_cast<double>(p.sizes) * kSglangPiecewiseMibPerSize;
                    break;
                }
        reserved += piecewise;
    }
    // Data-parallel attention pads the batch over the DP groups: cuda_graph_max_bs × dp_size × 3 MiB more, and
    // × 1.5 more again when cuda_graph_max_bs is above 300 (the same function, "DP attention needs more padding").
    if (dp_attention > 1) {
        reserved += static_cast<double>(out.cuda_graph_max_bs * dp_attention) * 3.0;
        if (out.cuda_graph_max_bs > 300) reserved += static_cast<double>(out.cuda_graph_max_bs * dp_attention) * 1.5;
    }
    if (gpu_mem > 60 * 1024) reserved = std::max(reserved, 10.0 * 1024.0);
    // Speculative decoding (EAGLE-type drafts): 2 GiB more from 0.5.3, 4 GiB from 0.5.10, after the floor.
    if (speculative) reserved += (piecewise_release ? 4.0 : 2.0) * 1024.0;
    out.mem_fraction_static = std::round((static_cast<double>(gpu_mem) - reserved) / static_cast<double>(gpu_mem) * 1000.0) / 1000.0;
    char buf[240];
    std::snprintf(buf, sizeof buf,
                  "SGLang's default for %lld MiB: %.0f MiB reserved for activations and CUDA graphs (chunked_prefill_size %lld, cuda_graph_max_bs %lld%s%s)",
                  static_cast<long long>(gpu_mem), reserved, static_cast<long long>(out.chunked_prefill_size), static_cast<long long>(out.cuda_graph_max_bs),
                  piecewise > 0 ? ", piecewise CUDA graphs" : "", speculative ? ", speculative decoding" : "");
    out.rule = buf;
    return out;
}

namespace {

// SGLang's CUDA-graph capture (cuda_graph_runner.py; model_runner.py init_cuda_graphs prints "Capture cuda graph end.
// ... mem usage=X GB": free memory before the runner less after it, the cache emptied before both readings).
// The batch sizes it captures by default (CudaGraphRunner / server_args, by release): gpu_mem is the card's MiB.
std::vector<i64> sglang_capture_sizes(const std::string& v, i64 gpu_mem, int tp, bool spec, std::optional<i64> max_bs, i64 max_running) {
    std::vector<i64> l;
    auto range = [&](i64 from, i64 to_inclusive, i64 step) {
        for (i64 b = from; b <= to_inclusive; b += step) l.push_back(b);
    };
    i64 cap = i64{1} << 40;
    if (engine_version_before(v, {0, 5, 3})) {
        if (engine_version_before(v, {0, 3, 5})) {
            l = {1, 2, 4};
            range(8, 160, 8);
        } else {
            // cuda_graph_max_bs: 160, and 4 (0.3.6) then 8 (0.4) on cards below 25,000 MiB (35 GiB from 0.4.8), 80 there at TP 4+.
            const i64 small_limit = engine_version_before(v, {0, 4, 8}) ? 25000 : 35 * 1024;
            const bool sized = !engine_version_before(v, kSglangGpuSizedRelease);
            if (sized && gpu_mem > 0 && gpu_mem < small_limit) cap = engine_version_before(v, {0, 4}) ? 4 : tp >= 4 ? 80 : 8;
            else if (engine_version_before(v, {0, 4, 6})) cap = 160;
            if (spec) {
                if (engine_version_before(v, {0, 4, 5})) range(1, 32, 1);
                else {
                    range(1, 8, 1);
                    range(10, 32, 2);
                    if (engine_version_before(v, {0, 4, 7})) range(40, 160, 16);
                    else {
                        range(40, 63, 8);
                        range(80, 160, 16);
                    }
                }
            } else {
                l = {1, 2, 4, 8};
                range(16, 160, 8);
            }
            if (!engine_version_before(v, {0, 4, 6})) {
                const bool v048 = !engine_version_before(v, {0, 4, 8});
                if (gpu_mem > (v048 ? 90 : 96) * 1024) range(160, 256, 8);
                if (!engine_version_before(v, {0, 4, 7}) && gpu_mem > (v048 ? 160000 : 180000)) range(256, 512, 16);
            }
        }
        if (max_bs) cap = *max_bs;
        std::erase_if(l, [&](i64 b) { return b > cap; });
        // From 0.4.7 a cap beyond the list is reached in steps of 16.
        if (!engine_version_before(v, {0, 4, 7}) && cap < (i64{1} << 40) && !l.empty() && l.back() < cap) range(l.back(), cap, 16);
    } else {
        cap = max_bs ? *max_bs : 512;
        if (!max_bs)
            for (const auto& step : kSglangSteps)
                if (gpu_mem < step.below_mib) {
                    cap = tp < 4 ? step.graph_bs_small_tp : step.graph_bs_large_tp;
                    break;
                }
        if (!max_bs && cap == 24 && engine_version_before(v, kSglangGraphBs24Release)) cap = 16;
        if (spec) {
            range(1, 8, 1);
            range(10, 32, 2);
            range(40, engine_version_before(v, {0, 5, 5}) ? 63 : 64, 4);
            range(72, 256, 8);
            range(272, cap, 16);
        } else {
            l = {1, 2, 4, 8, 12};
            range(16, 256, 8);
            range(272, 511, 16);
            range(512, cap, 32);
        }
        std::erase_if(l, [&](i64 b) { return b > cap; });
        // From 0.5.10 (sgl-project/sglang#21005) the cap itself is captured too.
        if (!engine_version_before(v, kSglangPiecewiseRelease) && std::find(l.begin(), l.end(), cap) == l.end()) l.push_back(cap);
    }
    // No batch beyond the request table: max_running_requests is captured in place of the larger sizes.
    if (max_running > 0 && !l.empty() && l.back() > max_running) {
        std::erase_if(l, [&](i64 b) { return b > max_running; });
        l.push_back(max_running);
    }
    std::sort(l.begin(), l.end());
    l.erase(std::unique(l.begin(), l.end()), l.end());
    return l;
}

// The attention backend SGLang picks for a model by default, for its graph state.
enum class SglangAttention { FlashInfer, Fa3, Triton, TrtllmMha };
SglangAttention sglang_attention(const Scenario& s) {
    const int cc = s.devices.front().compute_capability_major;
    const std::string& v = s.engine.version;
    if (s.geometry.architecture == "GptOssForCausalLM") return cc == 10 ? SglangAttention::TrtllmMha : cc == 9 ? SglangAttention::Fa3 : SglangAttention::Triton;
    if (s.geometry.architecture.rfind("Gemma4", 0) == 0) return SglangAttention::Triton;  // server_args' Gemma 4 default
    if (s.devices.front().vendor == "AMD") return SglangAttention::Triton;
    if (cc == 10 && !sglang_before(v, {0, 5, 6, 1})) return SglangAttention::TrtllmMha;  // sgl-project/sglang#14291
    if (cc == 9 && !engine_version_before(v, {0, 4, 6})) return SglangAttention::Fa3;    // #5344
    return SglangAttention::FlashInfer;
}

constexpr i64 kSglangGraphDriverBytes = 3 * MiB / 2;     // per instantiated graph, one GPU (52 graphs of the B200 logs, S-13, S-18)
constexpr i64 kSglangGraphDriverTpBytes = 14 * MiB;      // per graph with tensor parallelism (13-15 MiB a size in sgl-project/sglang#11716's progress)
constexpr i64 kFlashInferDecodeWrapperBytes = 10 * MiB;  // each size's decode wrapper: an 8 MiB int workspace, two to a 20 MiB segment
constexpr i64 kFlashInferGraphBaseBytes = 32 * MiB;      // what the FlashInfer runs hold beyond the terms below (fitted on 4-graph logs)
constexpr i64 kSglangGraphPoolSlackBytes = 20 * MiB;     // small temporaries of the largest graph's forward

// What SGLang's graph capture takes on one rank: the graphs' driver memory, the attention backend's graph state, the
// logits the graphs keep, and the temporaries of the largest graph's forward in the shared pool. Each size keeps its own
// fp32 logits up to 0.4.10 (one buffer of the largest from 0.5.0, #8579); the largest size is captured first from 0.4.4,
// so only its temporaries stay in the pool (every size's before).
Q sglang_cuda_graphs(const Scenario& s, const engine_parts::Parallelism& par, const std::vector<i64>& sizes, std::string* words) {
    if (sizes.empty()) return Q::lit(0, "B");
    const ModelGeometry& g = s.geometry;
    const std::string& v = s.engine.version;
    const i64 n = static_cast<i64>(sizes.size()), B = sizes.back();
    i64 sum_bs = 0;
    for (i64 b : sizes) sum_bs += b;
    const i64 ctx = s.context, tp = std::max(1, par.tp);
    const auto mib2 = [](i64 x) { return round_up(x, 2 * MiB); };
    const SglangAttention attn = sglang_attention(s);
    const bool windowed = g.has(Mixer::SlidingAttention) || g.has(Mixer::ChunkedAttention) || g.has(Mixer::CrossAttention);
    Q state = Q::lit(0, "B");
    const char* backend = "";
    switch (attn) {
        case SglangAttention::FlashInfer: {
            backend = "FlashInfer";
            const i64 wrappers = windowed ? 2 : 1;
            state = Q::var("wrappers", wrappers) * Q::var("largest size", B) * Q::var("context", ctx) * Q::lit(4, "B");
            if (!engine_version_before(v, {0, 4, 2})) state = state + Q::var("largest size", B) * Q::var("context", ctx) * Q::lit(1, "B");
            state = state + Q::var("sizes", n) * Q::var("wrappers", wrappers) * Q::bytes("decode wrapper", kFlashInferDecodeWrapperBytes) +
                    Q::bytes("FlashInfer's own", kFlashInferGraphBaseBytes);
            break;
        }
        case SglangAttention::Fa3: {
            backend = "FlashAttention 3";
            i64 bytes = B * ctx * 4 * (engine_version_before(v, {0, 5, 1}) ? 2 : 1);
            if (!engine_version_before(v, {0, 4, 6}) && engine_version_before(v, {0, 5, 7})) bytes += B * ctx * 4;    // encoder_page_table
            if (!engine_version_before(v, {0, 4, 5}) && engine_version_before(v, {0, 5})) bytes += sum_bs * ctx * 4;  // a page table copy per size
            state = Q::bytes("page tables", bytes);
            break;
        }
        case SglangAttention::Triton:
            backend = "Triton";
            state = Q::var("largest size", B) * Q::var("context", ctx) * Q::lit(9, "B") +
                    Q::bytes("split-KV scratch", B * (g.n_heads / tp) * 8 * std::max<i64>(g.head_dim, 1) * 4);
            break;
        case SglangAttention::TrtllmMha:
            backend = "TRT-LLM MHA";
            state = Q::bytes("page table", B * ceil_div(ctx, 64) * 4);
            break;
    }
    i64 logits = 0;
    if (engine_version_before(v, {0, 5}))
        for (i64 b : sizes) logits += mib2(b * g.vocab * 4);
    else logits = mib2(B * g.vocab * 4);
    const i64 vp = round_up(g.vocab, 64 * tp);
    const double gather = tp > 1 ? 1.0 / static_cast<double>(tp) + 2.0 : 1.0;  // bf16 logits, and at TP > 1 the gathered copy and its reshape
    const auto temps_of = [&](i64 b) { return mib2(static_cast<i64>(static_cast<double>(b * vp * 2) * gather)); };
    i64 mlp_width = 0;
    for (const auto& l : g.layers)
        mlp_width = std::max(mlp_width, l.ffn == Ffn::Moe ? g.moe.n_experts_per_tok * 3 * g.moe.expert_intermediate : 3 * l.ffn_intermediate);
    i64 temps = mib2(B * mlp_width / tp * 2) + kSglangGraphPoolSlackBytes;
    if (engine_version_before(v, {0, 4, 4}))
        for (i64 b : sizes) temps += temps_of(b);
    else temps += temps_of(B);
    const i64 per_graph = tp > 1 ? kSglangGraphDriverTpBytes : kSglangGraphDriverBytes;
    if (words)
        *words = std::to_string(n) + " batch sizes up to " + std::to_string(B) + ", " + backend + " attention, " +
                 (engine_version_before(v, {0, 5}) ? "logits kept per size" : "one logits buffer");
    return (Q::var("graphs", n) * Q::bytes("driver memory per graph", per_graph) + state.named("attention graph state") +
            Q::bytes("logits the graphs keep", logits) + Q::bytes("largest graph's temporaries", temps))
        .named("CUDA graphs");
}

// gpt-oss's MXFP4 experts as SGLang holds them on compute capability 10 and on ROCm (layers/quantization/mxfp4.py,
// Mxfp4MoEMethod.create_weights, from sgl-project/sglang#8847, first in 0.5.0): with the flashinfer_mxfp4 (or aiter) MoE
// backend server_args picks there, the intermediate width per rank and the hidden size are rounded up to 256, and the
// expert biases kept in fp32. gpt-oss-20b on a B200: 2,880 → 3,072 both ways, 14.21 GiB against the 14.53 loaded (S-54).
void sglang_pad_mxfp4_experts(const Scenario& s, const engine_parts::Parallelism& par, CheckpointBytes& cb) {
    const Device& d = s.devices.front();
    if (s.weights.scheme != Scheme::MXFP4 || engine_version_before(s.engine.version, {0, 5}) || !(d.compute_capability_major == 10 || d.vendor == "AMD"))
        return;
    const i64 E = s.geometry.moe.n_experts, H = s.geometry.hidden;
    const i64 I = s.geometry.moe.expert_intermediate / (par.expert_parallel ? 1 : std::max(1, par.tp));
    if (I <= 0 || E <= 0 || H <= 0) return;
    const i64 stored = engine_parts::mxfp4_expert_bytes(I, H, 2);
    const i64 held = engine_parts::mxfp4_expert_bytes(round_up(I, 256), round_up(H, 256), 4);
    engine_parts::scale_expert_tensors(s, cb, static_cast<double>(held) / static_cast<double>(stored));
}

// DeepSeek-V3/R1's shared expert in SGLang 0.4.5 to 0.4.6.x: shared-experts fusion (sgl-project/sglang#4918, April 2025)
// clones it into the FusedMoE layer as n_share_experts_fusion extra experts (DeepseekV2ForCausalLM.load_weights,
// "Cloning 8 replicas of the shared expert into MoE"), which are sharded over the ranks like the routed ones and
// replace the shared MLP. determine_n_share_experts_fusion set it to tp_size by itself for DeepseekV3ForCausalLM with
// 256 routed experts on a device of compute capability 9.0 or more (every CDNA GPU reports that under ROCm: S-151
// prints the cloning on MI308X) unless the EP or DeepEP MoE was on. From 0.4.7 one fused copy stands in for the
// shared MLP (num_fused_shared_experts = n_shared_experts, sgl-project/sglang#6736), which costs nothing more.
// The count of replicas, 0 where none are made.
int sglang_shared_expert_replicas(const Scenario& s, const engine_parts::Parallelism& par) {
    const ModelGeometry& g = s.geometry;
    const Device& d = s.devices.front();
    const std::string& v = s.engine.version;
    if (engine_version_before(v, kSglangSharedReplicasRelease) || !engine_version_before(v, kSglangOneFusedSharedRelease)) return 0;
    if (g.architecture != "DeepseekV3ForCausalLM" || g.moe.n_experts != 256 || g.moe.n_shared_experts <= 0 || par.expert_parallel) return 0;
    if (!(d.vendor == "AMD" || (d.vendor == "NVIDIA" && d.compute_capability_major >= 9))) return 0;
    return par.tp;
}
}  // namespace

i64 sglang_capture_max_bs(const Device& d, int tp, const std::string& version, bool speculative) {
    const std::vector<i64> sizes = sglang_capture_sizes(version, d.memory_bytes / MiB, std::max(tp, 1), speculative, std::nullopt, 0);
    return sizes.empty() ? 0 : sizes.back();
}

Estimate estimate_sglang(const Scenario& s) {
    using namespace engine_parts;
    Estimate e;
    const Parallelism par = resolve_parallelism(s, "engine.tensor_parallel_size");
    const ModelGeometry& geo = s.geometry;
    const bool piecewise_off = (geo.vision.config_stated && !s.engine.language_model_only) || geo.dsa.head_dim > 0 || geo.model_type == "qwen3_next" ||
                               s.spec.active() || par.attn_dp > 1 || par.pp > 1 || s.devices.front().vendor == "AMD";
    const PiecewiseGraphs piecewise = piecewise_off ? PiecewiseGraphs::Off : geo.mla.kv_lora_rank > 0 ? PiecewiseGraphs::Mla : PiecewiseGraphs::Standard;
    const SglangDefaults defaults = sglang_defaults(s.devices.front(), par.tp, par.pp, s.engine.version, par.attn_dp, s.spec.active(), piecewise,
                                                    s.engine.max_num_batched_tokens, s.engine.cuda_graph_max_bs);
    if (par.attn_dp > 1)
        e.assumptions.push_back("data-parallel attention: " + std::to_string(par.attn_dp) + " attention groups of " + std::to_string(par.attn_tp()) +
                                " GPUs, each with a KV pool of its own for its share of the requests; the MoE layers stay split over all " +
                                std::to_string(par.tp) + " GPUs");
    double mfs = s.engine.mem_fraction_static.value_or(defaults.mem_fraction_static);
    if (!s.engine.mem_fraction_static) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3f", mfs);
        std::string rule = defaults.rule;
        if (s.geometry.vision.config_stated && !engine_version_before(s.engine.version, kSglangSizeTableRelease)) {
            const double factor = sglang_vlm_factor(s.geometry);
            char fbuf[96];
            std::snprintf(fbuf, sizeof fbuf, ", × %.4f for the vision tower (%.3f before)", factor, mfs);
            mfs *= factor;
            std::snprintf(buf, sizeof buf, "%.4f", mfs);
            rule += fbuf;
        }
        e.assumptions.push_back(std::string("mem_fraction_static = ") + buf + ": " + rule + " (set it to match your launch flags)");
    }
    // A cut the model runner makes after the server arguments settled it, said in the assumptions.
    const auto cut_fraction = [&](double factor, const std::string& why) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "mem_fraction_static %.4g × %.2f = %.4g: ", mfs, factor, mfs * factor);
        mfs *= factor;
        e.assumptions.push_back(buf + why);
    };
    // Releases before 0.5.0 cut a multimodal model's fraction in the model runner instead (ModelRunner: mem_fraction_static
    // *= 0.95, later 0.90, when the architecture is multimodal), after the server arguments were settled, so a fraction
    // given on the command line is cut too; sgl-project/sglang#6881 moved it into the server arguments. 0.95 in the 0.3
    // series, a 0.4.2 tree and 0.4.4.post2's main (S-141, Gemma 3: (108.24 + 8.13) / 139.21 GiB = 0.88 x 0.95); 0.90 in
    // model_runner.py of June 2025. Where between the two it changed is not pinned: taken at 0.4.5.
    if (s.geometry.vision.config_stated && engine_version_before(s.engine.version, kSglangSizeTableRelease)) {
        cut_fraction(engine_version_before(s.engine.version, {0, 4, 5}) ? 0.95 : 0.90,
                     "SGLang before 0.5.0 cuts a multimodal model's fraction in its model runner");
    }
    // ROCm's aiter attention backend keeps 15 % of the fraction back when the context exceeds 8,192 tokens, a fraction
    // given on the command line included: mem_fraction_static *= 0.85 in ModelRunner.model_specific_adjustment
    // (sgl-project/sglang#6564, first released in 0.4.7), later in server_args.py's attention-backend checks
    // (sgl-project/sglang#37242 kept it in August 2026). aiter is SGLang's default on ROCm; for MLA models only when
    // the KV heads per rank are 16 or 128 and no draft runs (else triton).
    const std::string& backend = s.engine.attention_backend;
    const i64 mla_heads = geo.n_kv_heads / std::max(1, par.tp);
    const bool aiter = backend.empty()
                           ? s.devices.front().vendor == "AMD" && (geo.mla.kv_lora_rank == 0 || ((mla_heads == 16 || mla_heads == 128) && !s.spec.active()))
                           : backend == "aiter";
    if (aiter && s.context > kAiterFullFractionContext && !engine_version_before(s.engine.version, kSglangAiterCutRelease))
        cut_fraction(kAiterFractionCut,
                     "SGLang's aiter attention backend (ROCm) cuts it above " + group_digits(kAiterFullFractionContext) + " tokens of context");
    add_devices(e, s, par.ranks(), mfs);
    CheckpointBytes cb = checkpoint_bytes(s);
    sglang_pad_mxfp4_experts(s, par, cb);
    const int shared_replicas = sglang_shared_expert_replicas(s, par);
    const i64 value_bytes = kv_value_bytes(s, "SGLang");
    i64 fixed_req = 0;
    const KvPoolRules pool_rules = sglang_pool_rules(s, e);
    const i64 per_token = kv_bytes_per_token_rank(s, par, value_bytes, s.context, &fixed_req, pool_rules);
    const i64 state_per_req = sglang_state_per_request(s, par);
    fixed_req -= state_per_req;  // counted in kv_bytes_per_token_rank, but SGLang holds it in preallocated slots
    i64 slots_min = -1;
    // Data-parallel attention divides chunked_prefill_size by dp_size (server_args.py, _handle_data_parallelism): each
    // attention group prefills its share of the flag's tokens per step.
    const i64 chunk_flag = s.engine.max_num_batched_tokens.value_or(defaults.chunked_prefill_size);
    const i64 chunk = std::max<i64>(1, chunk_flag / par.attn_dp);
    if (!s.engine.max_num_batched_tokens) e.assumptions.push_back("chunked_prefill_size = " + std::to_string(chunk_flag) + " (SGLang's default for this GPU)");
    if (par.attn_dp > 1)
        e.assumptions.push_back("chunked_prefill_size " + std::to_string(chunk_flag) + " / dp_size " + std::to_string(par.attn_dp) + " = " +
                                std::to_string(chunk) + " tokens per attention group (SGLang divides it under data-parallel attention)");
    i64 pool_min = -1;
    std::vector<i64> fixed;
    for (int i = 0; i < par.ranks(); ++i) {
        const Device& d = s.devices[static_cast<size_t>(i)];
        const Q tensors = Q::bytes("checkpoint tensors on this rank", weights_per_rank(s, cb, par, i / par.tp));
        // SGLang's "mem usage" is free memory before minus after the load, so it includes the caching allocator's
        // rounding of each large parameter to 2 MiB (the pool is sized from the same readings).
        const Q rounding = Q::bytes("allocator rounding of the parameters", allocator_rounding_per_rank(s, cb, par, i / par.tp));
        // The rotary cos/sin table, kept in fp32 on CUDA from 0.4.2.post1 (sgl-project/sglang#3169: "cache needs to be in FP32
        // for numerical stability"), in the model's dtype before and elsewhere; the load's "mem usage" counts it.
        const bool fp32_rope = d.vendor == "NVIDIA" && !sglang_before(s.engine.version, {0, 4, 2, 1});
        const Q rope = Q::bytes("rotary cos/sin table", rope_cache_bytes(s, fp32_rope ? 4 : activation_value_bytes(s)));
        const Q replicas = shared_replicas > 1 ? Q::var("replicas - 1", shared_replicas - 1) *
                                                     Q::bytes("shared experts on this rank", shared_expert_bytes_per_rank(s, cb, par, i / par.tp))
                                               : Q::lit(0, "B");
        const Q weights = (tensors + rounding + rope + replicas).named("weights as loaded");
        const bool nvlink_init = par.ranks() > 1 && d.link_kind == "nvlink";
        const Q before_load = nvlink_init ? Q::bytes("CUDA context", kSglangContextBytes) + Q::bytes("distributed init (NVLink)", kSglangNvlinkInitBytes)
                                          : Q::bytes("CUDA context", kSglangContextBytes);
        const Q free_before = free_at_start(d) - before_load.named("in use before loading");
        const Q budget = scale(free_before, mfs, "mem_fraction_static");
        const Q rest = budget - weights;
        e.add(kWeights, "weights", i, tensors, s.weights.label());
        if (rope.value() > 0)
            e.add(kWeights, "rotary embedding table", i, rope,
                  std::string("positions the config allows × rotary dimensions, in ") + (fp32_rope ? "fp32" : "the model's dtype") + ", on every rank");
        if (rounding.value() > 0)
            e.add(kWeights, "allocator rounding of the weights", i, rounding,
                  "PyTorch's caching allocator gives each parameter of 10 MiB or more a segment rounded up to 2 MiB");
        if (replicas.value() > 0) e.add(kWeights, "shared-expert replicas in the MoE layers", i, replicas, "tp_size copies join the routed experts");
        e.add(kOverhead, "in use before loading (CUDA context, distributed init)", i, before_load,
              "SGLang measures the free memory after this and takes mem_fraction_static of that");
        Q pool = rest;
        Q state = Q::bytes("recurrent state slots", 0);
        if (state_per_req > 0) {
            const double share = kSglangMambaFullMemoryRatio / (1.0 + kSglangMambaFullMemoryRatio);
            const i64 slots = std::max<i64>(0, static_cast<i64>(static_cast<double>(rest.value()) * share) / state_per_req);
            state = Q::bytes("recurrent state slots (max_mamba_cache_size × one request's state)", checked::mul(slots, state_per_req));
            pool = rest - state;
            slots_min = slots_min < 0 ? slots : std::min(slots_min, slots);
            e.add(kState, "recurrent state slots (max_mamba_cache_size)", i, state,
                  "mamba_full_memory_ratio 0.9: 0.9 / 1.9 of what the static budget leaves after the weights, in whole requests' states");
        }
        // --max-total-tokens caps the pool (model_runner.py, profile_max_num_token: the smaller of the two).
        if (s.engine.kv_cache_max_tokens && per_token > 0)
            pool = min(pool, Q::var("max_total_tokens", *s.engine.kv_cache_max_tokens) * Q::bytes("KV per token", per_token));
        e.add(kKvCache, "KV cache pool (token pool)", i, max(pool, Q::lit(0, "B")),
              std::string(state_per_req > 0 ? "what the state slots leave of mem_fraction_static × free before loading − weights"
                                            : "mem_fraction_static × free before loading − weights; page size 1 token") +
                  (s.engine.kv_cache_max_tokens ? ", at most max_total_tokens" : ""));
        // The request-to-token table (model_runner.py, init_memory_pool: ReqToTokenPool of max_num_reqs + 1 rows of
        // context_len + 4 int32 slots) is allocated after the pool was sized, so it also comes out of the memory
        // outside mem_fraction_static. Without --max-running-requests, max_num_reqs =
        // min(max(int(max_total_num_tokens / context_len × 512), 2048), 4096) (S-1's log prints 3,730 by it); for
        // hybrid models no more than the state slots // 3. --max-running-requests gives the rows itself.
        i64 max_reqs = 2048;
        if (s.engine.max_num_seqs) {
            max_reqs = *s.engine.max_num_seqs;
        } else if (per_token > 0 && s.context > 0) {
            const i64 tokens = std::max<i64>(pool.value(), 0) / per_token;
            max_reqs = std::min<i64>(std::max<i64>(static_cast<i64>(static_cast<double>(tokens) / static_cast<double>(s.context) * 512.0), 2048), 4096);
        }
        if (state_per_req > 0) max_reqs = std::min(max_reqs, state.value() / state_per_req / kSglangMambaSlotsPerRequest);
        const Q req_table = Q::bytes("request-to-token table", checked::mul({max_reqs + 1, checked::add(s.context, 4), 4}));
        e.add(kOverhead, "request-to-token table (outside the static pool)", i, req_table,
              std::to_string(max_reqs + 1) + " rows (max_running_requests + 1) of context + 4 int32 slots");
        const Q act = forward_activation(s, par, chunk, "chunked_prefill_size");
        std::string graph_words;
        const Q graphs =
            s.engine.enforce_eager
                ? Q::lit(0, "B")
                : sglang_cuda_graphs(
                      s, par, sglang_capture_sizes(s.engine.version, d.memory_bytes / MiB, par.tp, s.spec.active(), s.engine.cuda_graph_max_bs, max_reqs),
                      &graph_words);
        e.add(kActivations, "prefill activations (outside the static pool)", i, act);
        e.add(kOverhead, "CUDA graphs (outside the static pool)", i, graphs, graph_words);
        const i64 outside = static_cast<i64>(static_cast<double>(free_before.value()) * (1.0 - mfs));
        const i64 outside_need = checked::add(checked::add(act.value(), graphs.value()), req_table.value());
        if (outside_need > outside)
            e.warnings.push_back("activations, CUDA graphs and the request table need " + format_size(outside_need) + " but only " + format_size(outside) +
                                 " is left outside mem_fraction_static on " + d.name + "; lower mem_fraction_static");
        pool_min = pool_min < 0 ? pool.value() : std::min(pool_min, pool.value());
        fixed.push_back(checked::add(weights.value(), state.value()));  // against the static budget; what was in use before loading sits outside it
        // The budget counts only the static part; the rest must still fit on the device.
        e.devices[static_cast<size_t>(i)].budget_bytes = budget.value();
    }
    e.sum_components();
    finish(e, s, pool_min, per_token, fixed_req, par.tp, fixed, value_bytes, par.attn_dp, pool_rules);
    // Requests at once: at most --max-running-requests, and for hybrid models the state slots allow
    // max_running_requests = slots // 3.
    std::optional<i64> running = s.engine.max_num_seqs;
    if (slots_min >= 0) {
        const i64 by_slots = slots_min / kSglangMambaSlotsPerRequest * par.attn_dp;
        e.assumptions.push_back("max_running_requests = " + std::to_string(by_slots) + ": " + std::to_string(slots_min) +
                                " recurrent-state slots per rank, 3 per running request (SGLang's radix cache for hybrid models)");
        running = running ? std::min(*running, by_slots) : by_slots;
    }
    if (running && (slots_min >= 0 || e.kv.max_concurrency > static_cast<double>(*running))) {
        if (e.kv.max_concurrency > static_cast<double>(*running)) e.kv.max_concurrency = static_cast<double>(*running);
        e.decide(pool_min > 0 && e.kv.max_concurrency >= static_cast<double>(s.concurrency), s.concurrency, runtime_descriptor(s.runtime).margin);
    }
    return e;
}

Estimate estimate_trtllm(const Scenario& s) {
    using namespace engine_parts;
    Estimate e;
    const Parallelism par = resolve_parallelism(s, "engine.tensor_parallel_size");
    const double f = s.engine.free_gpu_memory_fraction;
    add_devices(e, s, par.ranks(), 1.0);
    const CheckpointBytes cb = checkpoint_bytes(s);
    const i64 value_bytes = kv_value_bytes(s, "TensorRT-LLM");
    i64 fixed_req = 0;
    // TensorRT-LLM sizes every layer's cache for the whole sequence unless kv_cache_config.max_attention_window lists
    // windows (its default is max_seq_len for every layer): a gpt-oss-120b log of 1.1.0rc3 prints "kv size is 73728"
    // bytes a token, its 36 layers x 8 KV heads x 64 x 2 x 2 B, and one attention window of the whole pool.
    const KvPoolRules pool_rules{.windows_full = true};
    const i64 per_token = kv_bytes_per_token_rank(s, par, value_bytes, s.context, &fixed_req, pool_rules);
    const i64 max_tokens = s.engine.max_num_batched_tokens.value_or(kDefaultMaxBatchedTokens);
    i64 pool_min = -1;
    std::vector<i64> fixed;
    for (int i = 0; i < par.ranks(); ++i) {
        const Device& d = s.devices[static_cast<size_t>(i)];
        const bool engine_build = s.engine.backend == "tensorrt";
        Q weights = Q::bytes("checkpoint tensors on this rank", weights_per_rank(s, cb, par, i / par.tp));
        if (engine_build) weights = (weights + trt_engine_extra(s, cb, par.tp, i / par.tp, par.pp)).named("engine on this rank");
        // Engine builds: TensorRT's execution context (trt_execution_context). The PyTorch backend: KvCacheCreator
        // (_torch/pyexecutor/_util.py) runs dummy context requests of max_seq_len - 1 tokens each, max_num_tokens in all,
        // and takes torch's allocated peak plus what is in use outside torch; the forward pass of max_num_tokens tokens
        // stands in for that peak (no published log isolates it). The logits of those requests (one row per request) are
        // not counted: one row when max_seq_len exceeds max_num_tokens, as in every published run here but T-5, whose
        // pool max_tokens caps.
        const Q act = engine_build
                          ? trt_execution_context(s, par.tp, i / par.tp == par.pp - 1, max_tokens, s.engine.max_num_seqs.value_or(kTrtEngineMaxBatchSize))
                          : forward_activation(s, par, max_tokens, "max_num_tokens");
        const Q runtime = Q::bytes("runtime (CUDA context, workspaces, NCCL)", kTrtRuntimeBytes);
        // The C++ runtime of engine builds captures no CUDA graphs unless asked (ExtendedRuntimePerfKnobConfig.cudaGraphMode,
        // off by default); the PyTorch backend captures them unless cuda_graph_config is null.
        const Q graphs = engine_build ? Q::lit(0, "B") : cuda_graph_bytes(s, 0, static_cast<int>(s.geometry.layers.size()));
        // Engine builds: the C++ runtime's buffers and decoder, allocated before the KV cache is sized (see trt_runtime_buffers).
        const TrtRuntimeBuffers buffers =
            engine_build ? trt_runtime_buffers(s, par.ranks(), i / par.tp == par.pp - 1) : TrtRuntimeBuffers{Q::lit(0, "B"), Q::lit(0, "B")};
        const Q avail = scale(free_at_start(d) - weights.named("weights") - act.named("activations") - runtime.named("runtime") - graphs.named("CUDA graphs") -
                                  buffers.runtime - buffers.decoder,
                              f, "free_gpu_memory_fraction");
        Q pool = avail;
        if (per_token > 0) {
            const Q token_bytes = Q::var("KV bytes per token", per_token);
            Q tokens = max(avail, Q::lit(0, "B")) / token_bytes;
            if (s.engine.kv_cache_max_tokens) tokens = min(tokens, Q::var("max_tokens", *s.engine.kv_cache_max_tokens));
            pool = round_up(tokens.named("max tokens"), Q::lit(kTrtTokensPerBlock)) * token_bytes;
        }
        e.add(kWeights, "weights", i, weights, engine_build ? s.weights.label() + "; a TensorRT engine" : s.weights.label());
        if (engine_build)
            e.add(kActivations, "execution context (TensorRT engine)", i, act,
                  "activation memory TensorRT fixed when the engine was built, from max_num_tokens and max_batch_size; allocated before the KV cache is sized");
        else e.add(kActivations, "activations (max_num_tokens)", i, act);
        e.add(kOverhead, "runtime", i, runtime);
        e.add(kOverhead, "CUDA graphs", i, graphs);
        if (engine_build) {
            const std::string b = std::to_string(s.engine.max_num_seqs.value_or(kTrtEngineMaxBatchSize));
            e.add(kOverhead, "runtime buffers (C++ runtime)", i, buffers.runtime,
                  "logits and per-sequence buffers for max_batch_size " + b + " × max_seq_len; allocated before the KV cache is sized");
            e.add(kOverhead, "decoder (C++ runtime)", i, buffers.decoder,
                  "the decoder's output arrays and its sampling workspaces for max_batch_size " + b + " × vocabulary; allocated before the KV cache is sized");
        }
        e.add(kKvCache, "KV cache pool", i, max(pool, Q::lit(0, "B")),
              s.engine.kv_cache_max_tokens ? "free_gpu_memory_fraction of what is left after the model, at most max_tokens; whole blocks of 32 tokens"
                                           : "free_gpu_memory_fraction of what is left after the model; whole blocks of 32 tokens");
        pool_min = pool_min < 0 ? pool.value() : std::min(pool_min, pool.value());
        fixed.push_back((weights + act + runtime + graphs + buffers.runtime + buffers.decoder).value());
    }
    e.sum_components();
    finish(e, s, pool_min, per_token, fixed_req, par.tp, fixed, value_bytes, 1, pool_rules);
    return e;
}

}  // namespace fitmygpu
