// Ollama's own engine and its own offload estimate (see ollama.hpp).
#include "ollama.hpp"

#include <algorithm>

#include "fitmygpu/cache.hpp"
#include "fitmygpu/checked.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/version.hpp"

namespace fitmygpu {

namespace {
// ---- Ollama's own engine (runner/ollamarunner) ----
// Before 0.30 (which serves every GGUF model through llama-server) Ollama ran the architectures its Go engine requires
// (fs/ggml/ggml.go, KV.OllamaEngineRequired) on that engine and every other one on its llama.cpp runner, unless
// OLLAMA_NEW_ENGINE was set. Each architecture, by the config's model_type, with the release that first lists it.
struct OllamaEngineArch {
    const char* model_type;
    long major, minor, patch;
};
constexpr OllamaEngineArch kOllamaEngineArchs[] = {
    {"gemma3", 0, 6, 0},       {"gemma3_text", 0, 6, 0},    {"mistral3", 0, 6, 5},     {"llama4", 0, 6, 7},       {"mllama", 0, 7, 0},
    {"qwen2_5_vl", 0, 7, 0},   {"gemma3n", 0, 9, 5},        {"gpt_oss", 0, 11, 0},     {"qwen3", 0, 12, 0},       {"qwen3_moe", 0, 12, 2},
    {"qwen3_vl", 0, 12, 7},    {"qwen3_vl_moe", 0, 12, 7},  {"deepseek_v2", 0, 13, 0}, {"deepseek_v3", 0, 13, 0}, {"kimi_k2", 0, 13, 0},
    {"olmo3", 0, 13, 4},       {"glm4_moe_lite", 0, 14, 3}, {"qwen3_next", 0, 15, 5},  {"nemotron_h", 0, 17, 1},  {"qwen3_5", 0, 17, 1},
    {"qwen3_5_moe", 0, 17, 1}, {"gemma4", 0, 20, 0},
};
// The sliding-window memory Ollama's own models ask their cache for beyond the window: kvcache.NewSWAMemCache(window,
// 4096, ...) in model/models/gptoss (from its first release, 0.11) and model/models/gemma4 (0.20.0); 0 = the window.
constexpr i64 kOllamaSwaMemory = 4096;

// ---- Ollama's own layer decision (llm/memory.go estimateGPULayers, releases before 0.12.11) ----
// With num_gpu left at -1, Ollama up to 0.12.10 estimated each layer's bytes itself and passed the number that fit
// as --n-gpu-layers to its runner; it prints the estimate as `msg="offload to cuda" layers.offload=... memory.*`.
// 0.12.11 (commit f560bd077) replaced it by layouts measured from the runner's allocations, and since 0.30 Ollama
// leaves -ngl to llama-server's own fit; those releases are not modelled here.
// MinimumMemory: 457 MiB set aside per CUDA/ROCm device, 512 MiB per Metal device (ml/device.go, discover/gpu.go).
constexpr i64 kOllamaMinimumMemory = 457 * MiB;
constexpr i64 kOllamaMetalMinimumMemory = 512 * MiB;
// num_batch's default (api/types.go DefaultOptions): the graph estimate uses min(num_ctx, num_batch) tokens.
constexpr i64 kOllamaNumBatch = 512;

// The model's KV heads as GGUF metadata gives them to GraphSize: the most (HeadCountKVMax) or the fewest
// (HeadCountKVMin) over the attention layers, at least 1.
i64 ollama_heads_kv(const ModelGeometry& g, bool most) {
    i64 out = 0;
    for (const LayerSpec& l : g.layers)
        if (is_attention(l.mixer) && l.n_kv_heads > 0) out = out == 0 ? l.n_kv_heads : most ? std::max(out, l.n_kv_heads) : std::min(out, l.n_kv_heads);
    return std::max<i64>(out > 0 ? out : g.n_kv_heads, 1);
}

// fs/ggml GraphSize's per-architecture cases, by the config's model_type (its GGUF architecture), each from the
// release that added it: the graph sizes, and the KV of the layers a case sizes itself. Architectures without a case
// (and chatglm and stablelm, whose cases are not modelled) keep the default: every layer holds the whole context.
struct OllamaGraphCase {
    const char* model_type;
    const char* arch;
    long major, minor, patch;
};
constexpr OllamaGraphCase kOllamaGraphCases[] = {
    {"llama", "llama", 0, 0, 0},        {"mistral", "llama", 0, 0, 0},         {"mixtral", "llama", 0, 0, 0},         {"llama4", "llama", 0, 6, 7},
    {"mllama", "mllama", 0, 4, 0},      {"gemma", "gemma", 0, 0, 0},           {"gemma2", "gemma", 0, 0, 0},          {"gemma3", "gemma3", 0, 6, 0},
    {"gemma3_text", "gemma3", 0, 6, 0}, {"gemma3n", "gemma3n", 0, 9, 3},       {"cohere", "command-r", 0, 0, 0},      {"qwen2", "qwen2", 0, 0, 0},
    {"phi", "phi2", 0, 0, 0},           {"deepseek_v2", "deepseek2", 0, 0, 0}, {"deepseek_v3", "deepseek2", 0, 0, 0}, {"kimi_k2", "deepseek2", 0, 0, 0},
    {"gpt_oss", "gptoss", 0, 11, 0},
};
// mllama's cross-attention cache as GraphSize sizes it: 1601 vision tokens × 4 tiles in f32.
constexpr i64 kOllamaMllamaVisionTokens = 1601 * 4;
// gpt-oss's sliding layers: numParallel × 4096 + batch cells (its SWA cache's memory beyond the window).
constexpr i64 kOllamaGptOssSwaCells = 4096;

void ollama_graph_size(const Scenario& s, const CheckpointBytes& cb, OllamaPlan& p, std::vector<i64>& kv, i64 context, i64 batch, double bpe, bool fa) {
    const ModelGeometry& g = s.geometry;
    std::string arch;
    for (const OllamaGraphCase& c : kOllamaGraphCases)
        if (g.model_type == c.model_type && !engine_version_before(s.engine.version, {c.major, c.minor, c.patch})) arch = c.arch;
    if (arch.empty()) return;
    p.graph_rule = arch;
    const i64 emb = g.hidden, heads = std::max<i64>(g.n_heads, 1), heads_kv = ollama_heads_kv(g, true), vocab = g.gguf_rows();
    const i64 emb_heads = emb / heads;
    // attention.key_length / value_length (MLA GGUFs of the time: nope + rope and v_head_dim), else n_embd / n_head.
    const i64 ehk = g.mla.kv_lora_rank > 0 ? g.mla.qk_nope_head_dim + g.mla.qk_rope_head_dim : g.head_dim > 0 ? g.head_dim : emb_heads;
    const i64 ehv = g.mla.kv_lora_rank > 0 ? g.mla.v_head_dim : ehk;
    const i64 parallel = std::max<i64>(s.concurrency, 1);
    const i64 vocab_graph = 4 * batch * (emb + vocab);
    const i64 vocab_partial = vocab_graph + emb * vocab * 105 / 128;
    auto cells_bytes = [&](i64 cells) { return static_cast<i64>(static_cast<double>(cells * (ehk + ehv) * heads_kv) * bpe); };
    auto& full = p.graph_full;
    auto& partial = p.graph_partial;
    if (arch == "llama") {
        full = std::max(4 * batch * (1 + 4 * emb + context * (1 + heads)), vocab_graph);
        partial =
            4 * batch * emb +
            std::max(4 * batch * (1 + emb + std::max(context, emb)) + emb * emb * 9 / 16 + 4 * context * (batch * heads + emb_heads * heads_kv), vocab_partial);
        if (g.is_moe()) {  // "mixtral 8x22b": stacked experts (ffn_gate_exps), sized from layer 0's gate tensor
            i64 gate = 0;
            for (size_t i = 0; i < s.inventory.tensors.size(); ++i)
                if (s.inventory.tensors[i].layer == 0 && s.inventory.tensors[i].role == Role::FfnGateExps) gate += cb.per_tensor[i];
            const i64 ff = g.moe.expert_intermediate > 0 ? g.moe.expert_intermediate : g.intermediate;
            partial = std::max(3 * gate + 4 * batch * (2 * ff + heads_kv + emb + context + emb_heads * heads_kv),
                               4 * (context * batch * heads + context * emb_heads * heads_kv + batch * 1024 + emb_heads * heads_kv * batch));
        }
    } else if (arch == "mllama") {
        for (const CacheLayer& c : cache_layers(g))
            if (c.mixer == Mixer::CrossAttention && c.layer >= 0 && c.layer < static_cast<int>(kv.size()))
                kv[static_cast<size_t>(c.layer)] = heads_kv * (ehk + ehv) * 4 * kOllamaMllamaVisionTokens;
        full = std::max(4 * batch * (2 + 3 * emb + ehk * heads + context * (1 + heads)), vocab_graph);
        // GraphSize looks up rope_freqs under "weights", a name the tensor never has: its count is always 0.
        partial = std::max(4 * (batch * (2 * emb + 1 + context * (1 + heads) + ehk * heads) + ehk * context * heads_kv), vocab_partial);
    } else if (arch == "gemma" || arch == "gemma3" || arch == "gemma3n") {
        full = std::max(vocab_graph, 4 * batch * (2 + context + context * heads + 2 * emb + 2 * ehk * heads));
        partial = std::max(4 * emb * batch + emb * vocab * 105 / 128 + 4 * vocab * batch,
                           4 * batch * (2 * emb + 1 + 2 * ehk * heads + context + context * heads) + 4 * ehk * context * 8 + emb * ehk * heads * 9 / 16);
        if (arch == "gemma3n") {
            full *= 4;
            partial *= 4;
        }
        // From 0.6.3 every layer but each sixth keeps numParallel × sliding_window + batch cells.
        i64 window = 0;
        for (const LayerSpec& l : g.layers) window = std::max(window, l.window);
        if (arch == "gemma3" && !engine_version_before(s.engine.version, {0, 6, 3}))
            for (size_t i = 0; i < kv.size(); ++i)
                if ((i + 1) % 6 != 0) kv[i] = cells_bytes(parallel * window + batch);
    } else if (arch == "command-r") {
        full = std::max(vocab_graph, 4 * batch * (2 + 4 * emb + context * (1 + heads)));
        partial = std::max(vocab_partial, 4 * batch * (1 + 2 * emb + context * (1 + heads)) + 4 * emb * context + emb * emb * 9 / 16);
    } else if (arch == "qwen2") {
        full = std::max(vocab_graph, 4 * batch * (1 + 2 * emb + context + context * heads));
        partial = std::max(vocab_partial, 4 * (batch * (1 + 2 * emb + context * (1 + heads)) + emb * (1 + context)));
    } else if (arch == "phi2") {
        full = std::max(vocab_graph, 4 * batch * (1 + 4 * emb + context + context * heads));
        partial = std::max(4 * batch * (2 * emb + vocab) + emb * vocab * 105 / 128, 4 * batch * (2 + 3 * emb + context + context * heads));
    } else if (arch == "deepseek2") {
        full = std::max(4 * batch * (3 * emb + vocab), 4 * batch * (3 * emb + 2 + context * (1 + heads_kv) + 2 * ehk * heads_kv));
        partial =
            std::max(4 * batch * (3 * emb + vocab) + emb * vocab * 105 / 128, 4 * batch * (2 * emb + 1 + 2 * ehk * heads_kv + context + context * heads_kv) +
                                                                                  4 * ehk * context * heads_kv + emb * ehk * heads_kv * 9 / 16);
    } else if (arch == "gptoss") {
        // The graph from the KV of every layer holding the whole context, taken before the sliding layers shrink.
        i64 all_full = 0;
        for (i64 k : kv) all_full += k;
        const i64 kv_min = ollama_heads_kv(g, false);
        for (size_t i = 0; i < kv.size(); ++i) kv[i] = cells_bytes(i % 2 == 0 ? parallel * kOllamaGptOssSwaCells + batch : context);
        if (engine_version_before(s.engine.version, {0, 11, 5})) {
            // 0.11.0-0.11.2: partial twice the full graph; 0.11.3 (fcec04bf4): the same.
            full = 4 * heads / kv_min * all_full / 6;
            partial = engine_version_before(s.engine.version, {0, 11, 3}) ? 2 * full : full;
        } else {
            partial = 2 * heads / kv_min * all_full / 6;
            // 0.11.8: with flash attention, (4 × numParallel + context / 1024 + 110) MiB.
            if (fa && !engine_version_before(s.engine.version, {0, 11, 8})) partial = (4 * parallel + (context >> 10) + 110) * MiB;
        }
    }
}

// The vision graph Ollama's own engine reserves for a tower in the model's blob (fs/ggml VisionGraphSize, 0.6.0 on),
// in bytes, from the tower's config; 0 for the architectures it sizes as none (llama4) or does not know.
i64 ollama_vision_graph(const ModelGeometry& g) {
    const VisionSpec& v = g.vision;
    if (v.patch_size <= 0 || v.image_size <= 0) return 0;
    const i64 image = v.image_size, patch = v.patch_size, channels = v.in_channels > 0 ? v.in_channels : 3, heads = v.num_heads, emb = v.hidden_size;
    const i64 patches = (image / patch) * (image / patch);
    if (g.model_type == "gemma3" || g.model_type == "mistral3") return 4 * (image * image * channels + emb * patch + patches * patches * heads);
    if (g.model_type == "mllama") {  // a class embedding, patches padded to 8, 4 tiles
        const i64 np = patches + 1, padded = np + 8 - (np % 8) % 8, tiles = 4;
        return 4 * (8 + image * image * channels * tiles + emb * np * tiles + 9 * emb * padded * tiles + padded * tiles * padded * tiles * heads);
    }
    if (g.model_type == "qwen2_5_vl") {  // vision.max_pixels' default, 28 × 28 × 1280
        const i64 pixels = 28 * 28 * 1280, np = pixels / (patch * patch);
        return 4 * (2 * pixels * channels + np * channels * patch * patch + np * np * heads + emb * np);
    }
    return 0;
}

// Ollama from 0.12.11 to 0.29 with num_gpu unset (llm/server.go createLayout, assignLayers): it loads the model as
// tried, reads what each device allocated, and fills a GPU back to front with whole layers (weights and cache) within
// its free memory less MinimumMemory (457 MiB on CUDA and ROCm, 512 on Metal) and the graph it measured there. When not
// every layer fits it tries again without the output layer, which then stays on the CPU ("prefer offloading layers
// other than the output layer"). One GPU here; with several the layers are split by free memory as given.
bool ollama_measures_layers(const Scenario& s) {
    return s.runtime == Runtime::Ollama && s.engine.n_gpu_layers < 0 && s.devices.size() == 1 && !s.engine.version.empty() &&
           !engine_version_before(s.engine.version, {0, 12, 11}) && engine_version_before(s.engine.version, {0, 30});
}
// From 0.30 Ollama runs llama-server and leaves the layers to its --fit (common/fit.cpp, on by default), when num_gpu is
// unset and nothing else places tensors: if the model's buffers leave less than the fit target (1 GiB) free, a MoE
// model first keeps its expert tensors in system memory and brings them back to the GPU from the last layer down,
// and a dense one (or a MoE one whose dense weights alone do not fit) keeps the last layers, the output layer counted
// first, that fit. Whole layers here; the fit also splits one layer's experts (its gate, up or down part).
bool ollama_server_fits_layers(const Scenario& s) {
    return s.runtime == Runtime::Ollama && s.engine.n_gpu_layers < 0 && s.devices.size() == 1 && s.engine.n_cpu_moe == 0 && s.engine.override_tensor.empty() &&
           (s.engine.version.empty() || !engine_version_before(s.engine.version, {0, 30}));
}
// What a layout allocates on device 0: its buffers, without the CUDA context no buffer reports.
i64 device_buffers(const Estimate& e) {
    i64 total = 0;
    for (const auto& b : e.breakdown)
        if (b.device == 0 && b.label != "CUDA context") total = checked::add(total, b.bytes);
    return total;
}
// What device 0 would keep with no layer on it, from a layout's estimate: its compute buffers (the searches' lower end,
// taken from the estimate at hand rather than from another one).
i64 device_graph(const Estimate& e) {
    i64 total = 0;
    for (const auto& b : e.breakdown)
        if (b.device == 0 && b.label.find("compute buffer") != std::string::npos) total = checked::add(total, b.bytes);
    return total;
}

}  // namespace

// The vision graph Ollama's own engine reserves (runner/ollamarunner reserveWorstCaseGraph): it encodes a 2048 × 2048
// image with the tower and reserves that graph (multimodal.go getTensor) before the text batch's; the scheduler's
// buffers keep the larger, on the device of the tower, whose v.* tensors go with the output layer (ml/backend/ggml
// New). The tower computes in f32. Without flash attention nn.Attention's SDPA materializes the scores, heads × P² ×
// 4 B (softmax in place), beside the residual, q, k and the contiguous copy of v (PermutedV): 4 × P × width × 4 B.
// With it (ggml_flash_attn_ext, no scores) the MLP half is the larger: the residual, fc1's output and fc2's, (2 ×
// width + MLP width) × P × 4 B. P by architecture:
//  - gemma3 (model_vision.go): one image_size² picture (896) in patches of 14: 4,096;
//  - mllama: max_num_tiles tiles (4 for Llama 3.2 Vision) of (560 / 14)² patches and a class token, padded to a
//    multiple of 8: 4 × 1,608 = 6,432; the inputs of its intermediate layers (intermediate_layers_indices, 5) stay alive
//    until the global transformer's output is stacked with them, 5 × P × width × 4 B more.
// L-72 (gemma3:27b, 0.9.6, no flash attention): 1,024 + 72 = 1,096 MiB against "1.1 GiB"; L-66 (llama3.2-vision,
// 0.16.0): 2,525 + 283 = 2,808 MiB against "2.9 GiB".
OllamaVisionGraph ollama_engine_vision_graph(const ModelGeometry& g, bool fa) {
    const VisionSpec& v = g.vision;
    if (v.patch_size <= 0 || v.image_size <= 0 || v.num_heads <= 0 || v.hidden_size <= 0) return {};
    const i64 side = v.image_size / v.patch_size;
    i64 patches = 0, kept = 0;
    if (g.model_type == "gemma3") patches = side * side;
    else if (g.model_type == "mllama" && v.max_num_tiles > 0) {
        patches = v.max_num_tiles * round_up(side * side + 1, 8);
        kept = v.intermediate_layers;
    } else return {};
    const i64 row = checked::mul({patches, v.hidden_size, 4});
    if (!fa) {
        const i64 scores = checked::mul({v.num_heads, patches, patches, 4});
        return {checked::add(scores, checked::mul(4 + kept, row)), "a 2048² image's vision graph: " + std::to_string(v.num_heads) + " heads × " +
                                                                       std::to_string(patches) + "² f32 scores and " + std::to_string(4 + kept) + " × " +
                                                                       std::to_string(patches) + " × " + std::to_string(v.hidden_size) + " f32"};
    }
    if (v.intermediate_size <= 0) return {};
    return {checked::add(checked::mul(2 + kept, row), checked::mul({patches, v.intermediate_size, 4})),
            "a 2048² image's vision graph (flash attention): its MLP over " + std::to_string(patches) + " patches in f32"};
}

bool ollama_own_engine(const Scenario& s) {
    if (s.runtime != Runtime::Ollama || s.engine.version.empty() || !engine_version_before(s.engine.version, {0, 30})) return false;
    if (s.engine.ollama_new_engine.value_or(false)) return true;
    for (const OllamaEngineArch& a : kOllamaEngineArchs)
        if (s.geometry.model_type == a.model_type) return !engine_version_before(s.engine.version, {a.major, a.minor, a.patch});
    return false;
}

i64 ollama_swa_memory(const ModelGeometry& g) { return g.model_type == "gpt_oss" || g.model_type == "gemma4" ? kOllamaSwaMemory : 0; }

// Its GLM-4.7-Flash (model/models/glm4moelite) decompressed the MLA latent and cached every head's K (nope + rope) and
// V until 0.15.0 absorbed the projection into the query (ollama#13810, #13870).
bool ollama_expanded_mla(const Scenario& s, bool own_engine) {
    return own_engine && s.geometry.model_type == "glm4_moe_lite" && engine_version_before(s.engine.version, {0, 15});
}

// Its gpt-oss blob fuses each layer's gate and up experts (ffn_gate_up_exps). From its first release its MLP
// (model/models/gptoss MLPBlock.Forward) made a contiguous copy of one half of that matmul's output (0.11.0-0.11.9: the
// GLU half before its clamp; 0.11.10: gate and up both, the up half's clamp and +1 making a tensor of its own before),
// an extra n_expert_used × n_ff_exp row per token beside the fused output, until 0.13.0 (ollama#12934) read both halves
// as views (Slice) straight into SILUAlphaLimit.
i64 ollama_moe_gate_copies(const Scenario& s, bool own_engine) {
    return own_engine && s.geometry.model_type == "gpt_oss" && engine_version_before(s.engine.version, {0, 13}) ? 1 : 0;
}

// Its recurrent cache keeps checkpoints of every slot's conv and SSM state to resume a prompt from, reserved with the
// cache: checkpointCtxSize = count × sequences, at least 8. Qwen3-Next's own cache kept 32 a sequence
// (model/models/qwen3next/checkpoints.go, checkpointCountDefault, 0.15.5-0.17.0); from 0.17.1 the shared
// kvcache.Recurrent of Qwen3-Next, Qwen3.5 and Nemotron-H keeps DefaultCheckpointCount = 24.
constexpr i64 kOllamaQwen3NextCheckpoints = 32, kOllamaRecurrentCheckpoints = 24, kOllamaMinCheckpoints = 8;
i64 ollama_recurrent_checkpoints(const Scenario& s, i64 sequences) {
    if (!ollama_own_engine(s) || !(s.geometry.has(Mixer::LinearAttention) || s.geometry.has(Mixer::Mamba))) return 0;
    const bool shared = !engine_version_before(s.engine.version, {0, 17, 1});
    if (!shared && s.geometry.model_type != "qwen3_next") return 0;
    return std::max(checked::mul(shared ? kOllamaRecurrentCheckpoints : kOllamaQwen3NextCheckpoints, sequences), kOllamaMinCheckpoints);
}

bool ollama_estimates_layers(const Scenario& s) {
    return s.runtime == Runtime::Ollama && s.engine.n_gpu_layers < 0 && !s.devices.empty() && engine_version_before(s.engine.version, {0, 12, 11});
}

// Ollama's estimate: layer bytes from the GGUF tensors, f16 K and V (or the OLLAMA_KV_CACHE_TYPE's bytes with flash
// attention) for num_ctx × parallel cells in every layer, and fs/ggml GraphSize's per-architecture graph formulas.
OllamaPlan ollama_plan(const Scenario& s, bool fa) {
    OllamaPlan p;
    const ModelGeometry& g = s.geometry;
    const int n = static_cast<int>(g.n_layers);
    const CheckpointBytes cb = checkpoint_bytes(s);
    std::vector<i64> blk(static_cast<size_t>(n), 0);
    i64 vision_f16 = 0;  // the vision tower, which Ollama's blobs and projector files keep in F16
    for (size_t i = 0; i < s.inventory.tensors.size(); ++i) {
        const Tensor& t = s.inventory.tensors[i];
        if (t.role == Role::Vision) {
            vision_f16 += t.elements() * 2;
            continue;
        }
        if (t.layer >= 0 && t.layer < n) blk[static_cast<size_t>(t.layer)] += cb.per_tensor[i];
        // "output_norm" plus "output" (or token_embd when the output shares it).
        else if (t.role == Role::OutputNorm || t.role == Role::Output || (t.role == Role::TokenEmbd && g.tied_embeddings)) p.weights_output += cb.per_tensor[i];
    }
    // kvCacheBytesPerElement: q8_0 1, q4_0 0.5, else f16's 2; the type applies only with flash attention.
    const double bpe = !fa ? 2.0 : s.kv.dtype == KvDtype::Q8_0 ? 1.0 : s.kv.dtype == KvDtype::Q4_0 ? 0.5 : 2.0;
    const i64 context = s.context * s.concurrency;  // GraphSize: num_ctx × numParallel
    const i64 batch = std::min(s.context, kOllamaNumBatch);
    std::vector<i64> kv(static_cast<size_t>(n), 0);
    for (const CacheLayer& c : cache_layers(g)) {
        if (c.layer < 0 || c.layer >= n) continue;
        i64& k = kv[static_cast<size_t>(c.layer)];
        if (is_attention(c.mixer) || c.mixer == Mixer::CrossAttention)
            k = static_cast<i64>(static_cast<double>(context * (c.k_width + c.v_width)) * bpe);  // every cell, no window
        else k = (c.conv_values + c.ssm_values) * 4;                                             // recurrent state in f32
    }
    ollama_graph_size(s, cb, p, kv, context, batch, bpe, fa);
    for (i64 k : kv) p.kv += k;
    if (p.graph_partial == 0) {  // memory.go's fallback for architectures GraphSize has no case for: GQA × KV / 6
        p.graph_rule = "default (GQA x KV / 6)";
        p.graph_partial = std::max<i64>(g.n_heads, 1) / ollama_heads_kv(g, false) * p.kv / 6;
    }
    if (p.graph_full == 0) p.graph_full = p.graph_partial;
    const bool metal = s.devices.front().vendor == "Apple";
    if (metal) p.graph_partial = p.graph_full;                      // no partial-offload overhead on Metal
    else if (s.devices.size() > 1) p.graph_full = p.graph_partial;  // several GPUs: always the partial graph
    const i64 graph = std::max(p.graph_full, p.graph_partial);
    const i64 minimum = metal ? kOllamaMetalMinimumMemory : kOllamaMinimumMemory;

    // The fit: each GPU that can hold the graph, its minimum and two layers starts with the minimum and one layer as a
    // buffer; layers go from the last one down (0.7.0 on), round-robin over the GPUs with room (a GPU without room for the next
    // layer drops out); then the output layer; then the full or partial graph on each GPU that got a layer.
    const size_t nd = s.devices.size();
    std::vector<i64> alloc(nd, 0);
    p.split.assign(nd, 0);
    std::vector<size_t> room;
    i64 layer_size = n > 0 ? blk[0] + kv[0] : 0, overflow = 0;
    // A vision tower (loaded unless engine.mmproj is false): the llama.cpp runner's projector file sits on the first GPU with room; a tower
    // in the blob Ollama's own engine runs (0.6.0 on) comes with its vision graph, and from 0.7.1 goes with the output
    // layer instead (before, it too sat on the first GPU).
    i64 gpu_zero = 0, last_layer = p.weights_output;
    if (vision_f16 > 0) {
        p.projector_weights = vision_f16;
        if (ollama_own_engine(s) && !engine_version_before(s.engine.version, {0, 6, 0})) p.projector_graph = ollama_vision_graph(g);
        if (p.projector_graph > 0 && !engine_version_before(s.engine.version, {0, 7, 1})) last_layer += vision_f16 + p.projector_graph;
        else gpu_zero = vision_f16 + p.projector_graph;
    }
    for (size_t d = 0; d < nd; ++d) {
        const i64 zero = room.empty() ? gpu_zero : 0;
        if (s.devices[d].free_at_start() < zero + graph + minimum + 2 * layer_size) continue;
        room.push_back(d);
        alloc[d] += minimum + layer_size + zero;
    }
    if (room.empty()) overflow += gpu_zero;
    // Releases before 0.7.0 (commit 0478d440f) walked the layers from the first one up: with mixed quantization the
    // first layers are often larger, so fewer bytes fit.
    const bool upward = engine_version_before(s.engine.version, {0, 7, 0});
    for (int step = 0; step < n; ++step) {
        const int i = upward ? step : n - 1 - step;
        layer_size = blk[static_cast<size_t>(i)] + kv[static_cast<size_t>(i)];
        p.weights_repeating += blk[static_cast<size_t>(i)];
        for (size_t j = room.size(); j > 0; --j) {
            const size_t at = static_cast<size_t>(i) % j;
            const size_t d = room[at];
            if (s.devices[d].free_at_start() > alloc[d] + graph + layer_size) {
                alloc[d] += layer_size;
                ++p.split[d];
                ++p.layers;
                break;
            }
            room.erase(room.begin() + static_cast<std::ptrdiff_t>(at));
        }
        if (room.empty() && !upward) overflow += layer_size;
    }
    // Those releases counted each layer left over at the size of the last one.
    if (upward && p.layers < n) overflow += (n - p.layers) * layer_size;
    bool fully = p.layers >= n;
    if (last_layer > 0) {
        for (size_t j = room.size(); j > 0; --j) {
            const size_t d = room[static_cast<size_t>(p.layers) % j];
            if (s.devices[d].free_at_start() > alloc[d] + graph + last_layer) {
                alloc[d] += last_layer;
                ++p.split[d];
                ++p.layers;
                break;
            }
        }
        if (p.layers < n + 1) {
            fully = false;
            overflow += last_layer;
        }
    }
    for (size_t d = 0; d < nd; ++d)
        if (p.split[d] > 0) alloc[d] += fully ? p.graph_full : p.graph_partial;
    for (i64 a : alloc) p.required_partial += a;
    p.required_full = p.required_partial + overflow;
    if (p.layers == 0) p.required_partial = 0;  // no layer fits: Ollama prints 0 B
    return p;
}

void add_ollama_figures(Estimate& e, const Scenario& s, const OllamaPlan& p) {
    e.engine_figures = {{"layers.offload", p.layers},
                        {"memory.required.full", p.required_full},
                        {"memory.required.partial", p.required_partial},
                        {"memory.required.kv", p.kv},
                        {"memory.graph.full", p.graph_full},
                        {"memory.graph.partial", p.graph_partial},
                        {"memory.weights.nonrepeating", p.weights_output},
                        {"projector.weights", p.projector_weights},
                        {"projector.graph", p.projector_graph}};
    // Before 0.6.3 (commit f4f0992b6) the printed weights summed each layer with its KV cache.
    // The printed weights: before 0.6.1 each layer with its KV (total; repeating less the output layer), in 0.6.1
    // and 0.6.2 the layers alone under both names, from 0.6.3 (commit f4f0992b6) the layers and then the output.
    const bool with_kv = engine_version_before(s.engine.version, {0, 6, 1}), layers_only = engine_version_before(s.engine.version, {0, 6, 3});
    const i64 repeating = with_kv ? p.weights_repeating + p.kv - p.weights_output : p.weights_repeating;
    e.engine_figures["memory.weights.repeating"] = repeating;
    e.engine_figures["memory.weights.total"] = layers_only && !with_kv ? repeating : repeating + p.weights_output;
    e.assumptions.push_back("Ollama " + s.engine.version + " offloads " + std::to_string(p.layers) + " of " + std::to_string(s.geometry.n_layers + 1) +
                            " layers by its own estimate (llm/memory.go): KV " + format_size(p.kv) + ", graph " +
                            format_size(p.layers > static_cast<int>(s.geometry.n_layers) ? p.graph_full : p.graph_partial) + " (" + p.graph_rule +
                            " formula), " + format_size(p.required_partial) + " on the GPUs of " + format_size(p.required_full) +
                            " for the whole model; each GPU's memory is taken as the free memory Ollama reads");
}

namespace {
// The largest x in (lo, hi) whose bytes(x) fit `room` (lo when none does), for bytes rising with x, given
// bytes(lo) about b_lo, taken to fit, and bytes(hi) = b_hi > room: the method of false position common/fit.cpp uses, which the nearly
// linear cost of whole layers settles in two or three estimates, every other step halving the interval so that an
// uneven cost still ends in a few.
template <class Bytes>
int largest_within(int lo, i64 b_lo, int hi, i64 b_hi, i64 room, Bytes&& bytes) {
    for (bool halve = false; hi - lo > 1; halve = !halve) {
        const double share = b_hi > b_lo ? static_cast<double>(room - b_lo) / static_cast<double>(b_hi - b_lo) : 0.5;
        const int x = std::clamp(halve ? lo + (hi - lo) / 2 : lo + static_cast<int>(share * (hi - lo)), lo + 1, hi - 1);
        const i64 b = bytes(x);
        if (b <= room) lo = x, b_lo = b;
        else hi = x, b_hi = b;
    }
    return lo;
}
}  // namespace

std::optional<Estimate> ollama_placed_layers(const Scenario& s, Estimate (*estimate)(const Scenario&), i64 context_bytes) {
    const bool measured = ollama_measures_layers(s);
    if (!measured && !ollama_server_fits_layers(s)) return std::nullopt;
    const int n = static_cast<int>(s.geometry.n_layers);
    const Device& d = s.devices.front();
    Scenario placed = s;
    placed.engine.n_gpu_layers = n + 1;
    Estimate all = estimate(placed);
    // What a placement leaves on the GPU, estimated without text.
    auto bytes = [&](int layers, int cpu_moe) {
        NumbersOnly quiet;
        placed.engine.n_gpu_layers = layers;
        placed.engine.n_cpu_moe = cpu_moe;
        return device_buffers(estimate(placed));
    };
    if (measured) {
        const i64 minimum = d.vendor == "Apple" ? kOllamaMetalMinimumMemory : kOllamaMinimumMemory;
        const i64 room = d.free_at_start() - minimum;
        const i64 b_all = device_buffers(all);
        if (b_all <= room) {
            all.assumptions.push_back("Ollama " + s.engine.version + " places every layer on " + d.name + ": they fit its free memory less " +
                                      format_size(minimum));
            all.placed_layers = n + 1;
            return all;
        }
        placed.engine.output_on_host = true;  // the most repeating layers, the last ones, whose buffers fit
        const i64 b_n = bytes(n, 0);
        const int layers = b_n <= room ? n : largest_within(0, device_graph(all), n, b_n, room, [&](int x) { return bytes(x, 0); });
        placed.engine.n_gpu_layers = layers;
        placed.engine.n_cpu_moe = 0;
        Estimate e = estimate(placed);
        e.assumptions.push_back("Ollama " + s.engine.version + " fits " + std::to_string(layers) + " of " + std::to_string(n) + " layers on " + d.name +
                                ", the last ones that fit its free memory less " + format_size(minimum) +
                                ", and the output layer on the CPU (llm/server.go assignLayers)");
        e.placed_layers = layers;
        e.placed_output_on_host = true;
        return e;
    }
    const i64 target = runtime_descriptor(Runtime::LlamaCpp).margin.headroom_bytes;
    // The fit reads the free memory once the process holds its CUDA context.
    const i64 room = d.free_at_start() - context_bytes - target;
    const i64 b_all = device_buffers(all);
    if (b_all <= room) {
        all.placed_layers = n + 1;
        return all;
    }
    std::string how;
    const i64 b_dense = s.geometry.is_moe() ? bytes(n + 1, n) : 0;
    if (s.geometry.is_moe() && b_dense <= room) {
        // y layers, the last ones, keep their experts on the GPU; the first n - y keep them in system memory.
        const int y = largest_within(0, b_dense, n, b_all, room, [&](int x) { return bytes(n + 1, n - x); });
        placed.engine.n_gpu_layers = n + 1;
        placed.engine.n_cpu_moe = n - y;
        how = "keeps the expert tensors of the first " + std::to_string(n - y) + " of " + std::to_string(n) + " layers in system memory";
    } else {
        const int cpu_moe = s.geometry.is_moe() ? n : 0;  // the most layers, the output layer counted first, that fit
        const i64 b_top = s.geometry.is_moe() ? b_dense : b_all;
        const int layers = largest_within(0, device_graph(all), n + 1, b_top, room, [&](int x) { return bytes(x, cpu_moe); });
        placed.engine.n_gpu_layers = layers;
        placed.engine.n_cpu_moe = cpu_moe;
        how = "keeps " + std::to_string(layers) + " of " + std::to_string(n + 1) + " layers (the output layer and the last " +
              std::to_string(std::max(layers - 1, 0)) + ") on the GPU" + (cpu_moe > 0 ? ", their expert tensors in system memory" : "");
    }
    Estimate e = estimate(placed);
    e.assumptions.push_back("Ollama leaves the layers to llama-server's --fit, which " + how + " so that " + format_size(target) + " of " + d.name +
                            " stays free (num_gpu overrides it)");
    e.placed_layers = placed.engine.n_gpu_layers;
    e.placed_cpu_moe = placed.engine.n_cpu_moe;
    return e;
}

}  // namespace fitmygpu
