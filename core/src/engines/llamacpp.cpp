// llama.cpp (llama-server / llama-cli) and Ollama, which runs llama-server. Modelled buffer by buffer as
// the allocator reports them at startup (`... model buffer size`, `llama_kv_cache: size = ...`,
// `... compute buffer size`, `... output buffer size`, `RS buffer size`):
// - model buffers: exact GGUF tensor bytes per device; token_embd stays in host memory, the output layer
//   goes with the last offloaded layer; -ngl counts repeating layers from the end, then the output layer.
// - KV cache: per layer on that layer's device; n_ctx padded to 256; sliding-window layers keep
//   pad256(min(n_ctx_stream, n_swa × (unified ? n_seq : 1) + n_ubatch)) cells per stream.
// - recurrent state: f32, per sequence.
// - compute buffers: the peak of the worst-case graph for n_ubatch tokens against the full KV.
//   Ops of host-resident weights (and a CPU layer's attention) run on the first GPU at 32+ tokens per ubatch.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine_parts.hpp"
#include "fitmygpu/cache.hpp"
#include "fitmygpu/checked.hpp"
#include "fitmygpu/engines.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/pattern.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/version.hpp"
#include "ollama.hpp"

namespace fitmygpu {

namespace {

// llama_context pads n_ctx to a multiple of 256 (src/llama-context.cpp, PR #17046).
constexpr i64 kCtxPad = 256;
// How a llama.cpp build sizes its KV cache, for a request that names the build (b<N>; llama.cpp's own release tags),
// else the current rules:
//  - the context: from b2871 (#7257) padded to 256 with flash attention and 32 without (llama_kv_cache_get_padding);
//    from b6325 (#15434) -fa auto counts as on when the cache is made, so only an explicit -fa off pads to 32; b6868
//    (#16812) dropped the padding; b6975 (#17046) pads to 256 whatever the attention;
//  - sliding-window layers: every layer kept the whole context before b5429 (#13194); then min(n_ctx, pad(n_swa × n_seq
//    + n_batch)), n_ubatch in place of n_batch from b5554 (#13833); unpadded in b6868-b6974; padded after the min since.
//  - DeepSeek's MLA: before b5137 (#12801) each head's K (nope + rope) and V were cached; then the 576-wide latent
//    and a 512-wide V beside it, until b7832 (#19067) stopped storing V.
struct KvBuildRules {
    i64 pad = kCtxPad;
    bool swa_cache = true;        // sliding layers keep a window's cells
    bool swa_uses_batch = false;  // n_batch rather than n_ubatch beyond the window
    bool pad_before_min = false;  // the sliding size is padded inside the min
    bool mla_heads = false;       // MLA cached per head
    bool mla_stores_v = false;    // MLA caches a V beside the latent
};
constexpr long kKvPadByAttentionBuild = 2871, kFaAutoBuild = 6325, kKvUnpaddedBuild = 6868, kKvPad256Build = 6975;
constexpr long kSwaCacheBuild = 5429, kSwaUbatchBuild = 5554, kMlaLatentBuild = 5137, kMlaNoVBuild = 7832;
KvBuildRules kv_build_rules(const Scenario& s) {
    KvBuildRules r;
    if (s.runtime != Runtime::LlamaCpp) return r;
    const auto v = parse_engine_version(s.engine.version);
    if (!v || !v->build_tag || v->release.empty()) return r;
    const long b = v->release.front();
    if (b < kKvPad256Build) {
        const bool fa = b >= kFaAutoBuild ? s.engine.flash_attn.value_or(true) : s.engine.flash_attn.value_or(false);
        r.pad = b >= kKvUnpaddedBuild ? 1 : b >= kKvPadByAttentionBuild && fa ? 256 : 32;
        r.pad_before_min = b < kKvUnpaddedBuild;
    }
    r.swa_cache = b >= kSwaCacheBuild;
    r.swa_uses_batch = b < kSwaUbatchBuild;
    r.mla_heads = b < kMlaLatentBuild;
    r.mla_stores_v = b >= kMlaLatentBuild && b < kMlaNoVBuild;
    return r;
}
// CUDA primary context plus cuBLAS workspace per device, which no llama.cpp buffer line reports (fit's
// breakdown calls it "unaccounted"). gguf-parser-go budgets 250 MiB of VRAM for the same thing; CUDA
// 12 contexts with lazy module loading take ~300 MiB on Ampere/Ada cards.
// Attention heads of a vision encoder whose config does not state them (CLIP ViT-L/14 and SigLIP-so400m: 16).
constexpr i64 kDefaultVisionHeads = 16;
constexpr i64 kMaxVisionHeads = 4096;  // beyond any encoder: taken as not stated
constexpr i64 kCudaContextBytes = 300 * MiB;
// ggml_backend_sched offloads an op whose weight sits in host memory to a GPU when the GPU backend's offload_op
// accepts it: CUDA/ROCm (ggml-cuda.cu), Metal (ggml-metal.cpp) and Vulkan (ggml-vulkan.cpp, GGML_OP_OFFLOAD_MIN_BATCH
// unset) take ops over at least min_batch_size = 32 rows (MUL_MAT: ne[1], MUL_MAT_ID: ne[2], the ubatch's tokens).
// llama-server --no-op-offload turns this off; the estimate does not model that flag. Metal's offload_op came with the
// llama.cpp of 2024-12-10 (commit 40c6d79f) that Ollama vendored in 0.5.2; its earlier runners on a Mac computed the
// layers kept on the CPU there (L-114: 0.4, 16 CPU layers, the host graph holds their f32 scores like the GPU's).
constexpr i64 kOffloadMinBatch = 32;

struct LayerPlacement {
    std::vector<int> device_of_layer;  // -1 = host
    int output_device = -1;
};

// Assigns layers to devices as llama_model::load_tensors does: the output layer counts as slot n_layer,
// -ngl k offloads the last k slots (the output layer first, then the last k − 1 repeating layers), and
// offloaded slot il goes to the first device whose cumulative split exceeds (il − i_gpu_start) / k. The
// split is --tensor-split when given, else each device's free memory.
// Builds before b7467 (ggml-org/llama.cpp#18148) counted -ngl k from the repeating layers: i_gpu_start = n_layer − k,
// and the output layer went to a GPU only when k exceeded n_layer (C-42: Llama 4 Scout at -ngl 32 on b5954, its output
// layer on the CPU). So did the llama.cpp Ollama vendored for its runner until 0.30 (llama/llama.cpp/src/llama-model.cpp
// load_tensors, 0.6 to 0.24), which it starts with --n-gpu-layers num_gpu (L-114: 0.4, num_gpu 20 of 36 layers,
// "offloading 20 repeating layers", the output layer on the CPU), and its own engine until 0.11.5 (ml/backend/ggml
// New: gpuRangeStart = blocks - NumGPULayers); from 0.11.5 that engine takes the server's list of layers, filled from the
// output layer down (llm/server.go greedyFit).
constexpr long kOutputFirstBuild = 7467;
bool output_counted_first(const Scenario& s) {
    if (s.runtime == Runtime::Ollama)
        return s.engine.version.empty() || !engine_version_before(s.engine.version, {0, 30}) ||
               (ollama_own_engine(s) && !engine_version_before(s.engine.version, {0, 11, 5}));
    if (s.runtime != Runtime::LlamaCpp) return true;
    const auto v = parse_engine_version(s.engine.version);
    return !(v && v->build_tag && !v->release.empty() && v->release.front() < kOutputFirstBuild);
}
LayerPlacement place_layers(const Scenario& s, int n_layers) {
    LayerPlacement p;
    p.device_of_layer.assign(static_cast<size_t>(n_layers), -1);
    const int n_slots = n_layers + 1;
    const int ngl = s.engine.n_gpu_layers < 0 ? n_slots : std::min(s.engine.n_gpu_layers, n_slots);
    const bool output_first = output_counted_first(s) && !s.engine.output_on_host;
    const int start = output_first ? std::max(n_slots - ngl, 0) : std::max(n_layers - ngl, 0);
    std::vector<float> splits;
    for (size_t i = 0; i < s.devices.size(); ++i) {
        const double w = s.engine.tensor_split.empty() ? static_cast<double>(s.devices[i].free_at_start())
                                                       : (i < s.engine.tensor_split.size() ? s.engine.tensor_split[i] : 0.0);
        splits.push_back(static_cast<float>(w));
    }
    float sum = 0.0f;
    for (float& x : splits) {
        sum += x;
        x = sum;
    }
    for (float& x : splits) x /= sum;
    auto device_for = [&](int il) {
        const float x = static_cast<float>(il - start) / static_cast<float>(ngl);
        const auto it = std::upper_bound(splits.begin(), splits.end(), x);
        return std::min(static_cast<int>(it - splits.begin()), static_cast<int>(splits.size()) - 1);
    };
    for (int il = start; il < n_layers; ++il) p.device_of_layer[static_cast<size_t>(il)] = device_for(il);
    p.output_device = !s.devices.empty() && !s.engine.output_on_host && (output_first ? ngl >= 1 : ngl > n_layers) ? device_for(n_layers) : -1;
    return p;
}

i64 item_bytes(const Estimate& e, const std::string& label) {
    i64 total = 0;
    for (const auto& b : e.breakdown)
        if (b.label == label) total = checked::add(total, b.bytes);
    return total;
}

bool flash_attention_on(const Scenario& s) {
    // -fa auto (the default since 2025) turns flash attention on where the backend supports it. Ollama before 0.12.11
    // left it off unless OLLAMA_FLASH_ATTENTION was set (envconfig.FlashAttention's default false).
    if (s.runtime == Runtime::Ollama && engine_version_before(s.engine.version, {0, 12, 11})) return s.engine.flash_attn.value_or(false);
    return s.engine.flash_attn.value_or(true);
}

// Two reservations llama.cpp changed in June 2026, each in force only when the request names a build at or after it
// (or the Ollama release that ships one), since most published logs name none and come from older builds:
//  - from b9410 (llama.cpp#23764) the KQ mask is reserved in f16 when flash attention is on; before, an f32 mask was
//    reserved and cast to f16 on the device running layer 0. Ollama 0.30.0's llama-server has it (ollama#16416: 281 MiB
//    of host compute for an f16 mask of 131,072 cells × 1,024 tokens).
//  - from b9460 (llama.cpp#23861) llama-server reserves the logits of n_outputs_max rows, one per sequence (and per
//    drafted token), not one per ubatch token. Ollama 0.30.2 runs b9479, which prints n_outputs_max = its parallel count
//    (ollama#16480).
constexpr long kF16MaskBuild = 9410;
constexpr long kAttnRotationBuild = 8639;  // the first release tag known to carry llama.cpp#21038 (a quantized K cache rotated)
constexpr long kOutputsPerSequenceBuild = 9460;
bool given_at_least(const Scenario& s, long build, std::initializer_list<long> ollama_release) {
    if (s.engine.version.empty()) return false;
    if (s.runtime == Runtime::Ollama) return !engine_version_before(s.engine.version, ollama_release);
    const auto v = parse_engine_version(s.engine.version);
    return v && v->build_tag && !v->before({build});
}
bool f16_mask_reserved(const Scenario& s) { return given_at_least(s, kF16MaskBuild, {0, 30, 0}); }
// What the layers of a 2026 build hold at reserve, measured by running llama-server from llama.cpp's source of
// 2026-09-28 against GGUFs of Qwen3-4B's, Qwen3.6-27B's and Gemma-4-31B's shapes with ggml-alloc's allocation trace,
// and matching the CUDA logs of two 2026 builds (L-22 to the hundredth; L-39: 85.01 MiB where this gives 83):
//  - the FFN step is one swiglu op (ggml GLU ops, ggml-org/llama.cpp#14158), which ggml-alloc does not run in place,
//    so gate, up and their product are live at once: 3 × n_ff, beside a gap of n_head × head_dim that layer 0's
//    attention output leaves when layer 0 is an attention layer (a Gated DeltaNet or Mamba layer 0 leaves none);
//    applied with outputs_per_sequence, from b9460, the first build the logs that show it name (before it, at n_ubatch
//    rows of logits, the output phase sets the device's peak anyway);
//  - build_inp_embd keeps the unused inp_embd input beside the looked-up rows: two n_embd × n_ubatch f32 tensors among
//    the host inputs, from b7819 (llama.cpp#18898, which builds on #18550's ggml_build_forward_select; January 2026).
bool outputs_per_sequence(const Scenario& s) { return given_at_least(s, kOutputsPerSequenceBuild, {0, 30, 2}); }
constexpr long kSecondEmbdInputBuild = 7819;
constexpr long kVIndexInputBuild = 6070;
constexpr i64 kOllamaCudaFaMaxHead = 256;  // the widest head Ollama 0.20.0-0.20.3's CUDA flash-attention kernels took
bool second_embd_input(const Scenario& s) { return given_at_least(s, kSecondEmbdInputBuild, {0, 30, 0}); }

}  // namespace

Estimate estimate_llamacpp(const Scenario& s) {
    // Ollama placing the layers itself (num_gpu unset): the layout it measures, or llama-server's --fit from 0.30.
    if (std::optional<Estimate> placed = ollama_placed_layers(s, estimate_llamacpp, kCudaContextBytes)) return std::move(*placed);
    if (ollama_estimates_layers(s)) {
        // Ollama's decision, then llama.cpp's buffers for the layers it passes (--n-gpu-layers, and --tensor-split
        // with the layers per GPU when there are several).
        const OllamaPlan p = ollama_plan(s, flash_attention_on(s));
        Scenario placed = s;
        placed.engine.n_gpu_layers = p.layers;
        if (s.devices.size() > 1 && p.layers > 0) placed.engine.tensor_split.assign(p.split.begin(), p.split.end());
        Estimate e = estimate_llamacpp(placed);
        add_ollama_figures(e, s, p);
        return e;
    }
    Estimate e;
    const ModelGeometry& g = s.geometry;
    const int n_layers = static_cast<int>(g.n_layers);
    const bool ollama = s.runtime == Runtime::Ollama;
    const bool own_engine = ollama_own_engine(s);
    // Ollama's llama.cpp runner (llama/llama.go, before 0.30, when llama-server takes over) starts from
    // llama_context_default_params and never changes two of its settings: swa_full true and, from 0.11.5 (the first
    // vendored llama.cpp with the setting), kv_unified false.
    const bool runner = ollama && !own_engine && !s.engine.version.empty() && engine_version_before(s.engine.version, {0, 30});
    const i64 n_seq = s.concurrency;
    // One KV stream per sequence.
    const bool runner_streams = runner && !engine_version_before(s.engine.version, {0, 11, 5});
    const bool unified = s.engine.kv_unified && !runner_streams;
    const bool fa = flash_attention_on(s);
    const i64 ub = s.engine.n_ubatch;
    const KvBuildRules kv_rules = kv_build_rules(s);
    const i64 n_ctx_seq = unified ? 0 : round_up(s.context, kv_rules.pad);
    const i64 n_ctx = unified ? round_up(s.context * n_seq, kv_rules.pad) : n_ctx_seq * n_seq;
    const i64 n_stream = unified ? 1 : n_seq;
    const i64 cells_per_stream = unified ? n_ctx : n_ctx_seq;

    KvType k_type = s.kv, v_type = s.kv;
    const bool block_kv = s.kv.dtype != KvDtype::F16 && s.kv.dtype != KvDtype::BF16 && s.kv.dtype != KvDtype::F32;  // q8_0, q4_0, ...
    if (!fa && block_kv) {
        e.warnings.push_back("a quantized V cache needs flash attention in llama.cpp; V is kept in f16");
        v_type = parse_kv_dtype("f16");
    }

    engine_parts::add_devices(e, s, static_cast<int>(s.devices.size()), 1.0);

    // ---- model buffers ----
    const LayerPlacement place = place_layers(s, n_layers);
    // --override-tensor: the first pattern found in a tensor's name sends it to that buffer, whatever its layer
    // (llama_model::load_tensors, create_tensor); --n-cpu-moe's own overrides come after the user's.
    const std::vector<TensorOverride> overrides = parse_tensor_overrides(s.engine.override_tensor, "engine.override_tensor");
    for (const auto& o : overrides) {
        if (o.device >= static_cast<int>(s.devices.size()))
            fail("invalid_field", "engine.override_tensor",
                 "engine.override_tensor sends tensors to " + o.buffer + ", but the setup has " + std::to_string(s.devices.size()) + " GPU" +
                     (s.devices.size() == 1 ? "" : "s") + " (numbered from 0)");
    }
    int overridden = 0;
    const CheckpointBytes cb = checkpoint_bytes(s);
    std::vector<i64> model_bytes(s.devices.size(), 0);
    i64 host_model = 0;
    i64 mmproj_bytes = 0;
    // The largest weight a host-resident layer holds, and the output matrix when the output layer stays on the CPU
    // (token_embd when the output shares it): what op offload copies into the first GPU's compute buffer.
    i64 host_layer_weight_max = 0, host_output_weight = 0;
    i64 host_attn_q_max = 0;                                  // the largest query projection of a layer kept on the CPU, copied to the GPU when offloaded
    i64 tied_copy = 0;                                        // the output layer's copy of token_embd, when it shares the embeddings
    std::vector<PlacedWeights> placed(s.devices.size() + 1);  // devices, then the host
    for (size_t d = 0; d < s.devices.size(); ++d) placed[d].device = static_cast<int>(d);
    for (size_t i = 0; i < s.inventory.tensors.size(); ++i) {
        const Tensor& t = s.inventory.tensors[i];
        if (t.role == Role::Vision) {  // the mmproj file: a separate F16 model on the main GPU
            mmproj_bytes = checked::add(mmproj_bytes, checked::mul(t.elements(), 2));
            continue;
        }
        int dev;
        const int matched = [&] {
            try {
                for (size_t o = 0; o < overrides.size(); ++o)
                    if (overrides[o].matcher->search(t.name)) return static_cast<int>(o);
            } catch (const PatternError& e) {
                fail("invalid_field", "engine.override_tensor", std::string("engine.override_tensor: ") + e.what());
            }
            return -1;
        }();
        if (matched >= 0) {
            dev = overrides[static_cast<size_t>(matched)].device;
            ++overridden;
        } else if (t.role == Role::TokenEmbd || t.role == Role::PerLayerEmbd) dev = -1;  // the input layer always runs on the CPU
        else if (t.layer < 0) dev = place.output_device;
        else {
            dev = place.device_of_layer[static_cast<size_t>(t.layer)];
            if (dev >= 0 && t.is_expert() && t.layer < s.engine.n_cpu_moe) dev = -1;
        }
        i64& to = dev < 0 ? host_model : model_bytes[static_cast<size_t>(dev)];
        to = checked::add(to, cb.per_tensor[i]);
        // A model without an output matrix gets one as a second copy of token_embd (llama_model::load_tensors creates
        // "output" from token_embd with TENSOR_DUPLICATED), loaded on the output layer's device; on the CPU both map
        // the same bytes of the file. Ollama's own engine reads every tensor into buffers of its own and creates
        // output.weight from token_embd (ml/backend/ggml New, "output,alt:token_embd"), so its CPU holds both copies
        // when the output layer stays there (L-124: qwen3:1.7b on the CPU, 1.3 GiB printed for 1.03 GiB of tensors).
        if (t.role == Role::TokenEmbd && g.tied_embeddings && matched < 0 && (place.output_device >= 0 || own_engine)) {
            i64& out = place.output_device >= 0 ? model_bytes[static_cast<size_t>(place.output_device)] : host_model;
            out = checked::add(out, cb.per_tensor[i]);
            tied_copy = cb.per_tensor[i];
        }
        if (dev < 0 && t.layer >= 0) host_layer_weight_max = std::max(host_layer_weight_max, cb.per_tensor[i]);
        if (dev < 0 && t.layer >= 0 && t.role == Role::AttnQ) host_attn_q_max = std::max(host_attn_q_max, cb.per_tensor[i]);
        if (place.output_device < 0 && (t.role == Role::Output || (t.role == Role::TokenEmbd && g.tied_embeddings)))
            host_output_weight = std::max(host_output_weight, cb.per_tensor[i]);
        // What decode reads per token, by place: the token embeddings are looked up a row at a time (unless the
        // output layer shares them: llama.cpp then runs the output matmul with a copy on the output layer's device).
        if (t.role == Role::PerLayerEmbd || (t.role == Role::TokenEmbd && !g.tied_embeddings)) continue;
        {
            const int reader = t.role == Role::TokenEmbd ? place.output_device : dev;
            PlacedWeights& pw = placed[reader < 0 ? s.devices.size() : static_cast<size_t>(reader)];
            (t.is_expert() ? pw.expert_bytes : pw.dense_bytes) += static_cast<double>(cb.per_tensor[i]);
        }
    }
    i64& extra_to = place.output_device >= 0 ? model_bytes[static_cast<size_t>(place.output_device)] : host_model;
    extra_to = checked::add(extra_to, cb.extra);
    // Ollama's own engine loads the tower from the model's blob into the output layer's buffers (ml/backend/ggml New:
    // v.* and mm.* go with the output), and prints it within that device's "model weights".
    const bool tower_in_blob = mmproj_bytes > 0 && ollama_own_engine(s);
    if (tower_in_blob) extra_to = checked::add(extra_to, mmproj_bytes);
    const std::string fmt = s.weights.label();
    for (size_t d = 0; d < s.devices.size(); ++d) {
        int layers_here = 0;
        for (int dl : place.device_of_layer) layers_here += dl == static_cast<int>(d);
        e.add(kWeights, "model buffer", static_cast<int>(d), Q::bytes("GGUF tensors of " + std::to_string(layers_here) + " layers", model_bytes[d]),
              fmt +
                  (place.output_device != static_cast<int>(d) ? ""
                   : tied_copy > 0                            ? ", with the output layer (a copy of token_embd, which the output shares)"
                                                              : ", with the output layer") +
                  (tower_in_blob && place.output_device == static_cast<int>(d) ? " and the vision tower (F16, in the blob)" : ""));
    }
    if (mmproj_bytes > 0 && s.images > 0) {
        // The vision encoder's graph for one image: attention scores over its patches in f32 (heads × P² × 4 B)
        // dominate (P = patches before merging or pooling: 4,096 for Gemma 3's 896-pixel, 14-pixel-patch SigLIP).
        const i64 stated = s.geometry.vision.num_heads;
        const i64 heads = stated > 0 && stated <= kMaxVisionHeads ? stated : kDefaultVisionHeads;
        const Q clip = Q::var("vision heads", heads) * Q::var("patches", s.patches_per_image) * Q::var("patches", s.patches_per_image) * Q::lit(4, "B");
        e.add(kActivations, "mmproj compute buffer", s.engine.n_gpu_layers == 0 ? -1 : 0, clip,
              "encoding one image: attention scores of its patches (estimate)");
    }
    if (mmproj_bytes > 0 && !tower_in_blob)
        e.add(kWeights, "mmproj model buffer", s.engine.n_gpu_layers == 0 ? -1 : 0, Q::bytes("vision encoder parameters × 2 B (F16 mmproj)", mmproj_bytes),
              "the multimodal projector file llama-server loads with --mmproj");
    if (!overrides.empty())
        e.assumptions.push_back("override_tensor: " + std::to_string(overridden) + " tensors placed by their name" +
                                (overridden == 0 ? " (no tensor name matched a pattern)" : ""));
    e.add(kWeights, "model buffer (host)", -1, Q::bytes("token_embd and layers kept on the CPU", host_model),
          own_engine && tied_copy > 0 && place.output_device < 0
              ? "token embeddings are looked up on the CPU, and the output layer keeps its own copy of them there (Ollama's engine)"
              : "token embeddings are looked up on the CPU (CPU_Mapped with mmap)");

    // ---- KV cache and recurrent state ----
    auto layers = cache_layers(g);
    if (ollama_expanded_mla(s, own_engine) || kv_rules.mla_heads) expand_mla_per_head(layers, g);
    if (kv_rules.mla_stores_v)
        for (CacheLayer& c : layers)
            if (c.mixer == Mixer::Mla) c.v_width = g.mla.kv_lora_rank;
    // llama.cpp's StarCoder2 reads no sliding window from the GGUF (its hparams loader reads only the norm epsilon),
    // so the sliding layers of such a family keep every cell there, like full-attention layers.
    if (g.llamacpp_full_attention)
        for (CacheLayer& c : layers)
            if (c.mixer == Mixer::SlidingAttention) c.mixer = Mixer::FullAttention;
    std::vector<i64> kv_dev(s.devices.size(), 0), state_dev(s.devices.size(), 0);
    i64 kv_host = 0, state_host = 0, kv_total = 0;
    i64 host_kv_layer_max = 0;  // K+V of the largest attention layer whose cache is in host memory
    int host_kv_layers = 0;     // attention layers whose cache is in host memory
    i64 host_conv_values = 0;   // conv state values, (kernel − 1) × channels, of a Gated DeltaNet layer whose state is in host memory
    i64 full_cells = 0, swa_cells = 0;
    int n_full = 0, n_swa = 0, n_rec = 0, n_cross = 0;
    i64 rec_bytes = 0;
    // Ollama's engine keeps checkpoints of each sequence's recurrent state (conv and SSM) to resume from, reserved at
    // load and reported within its "kv cache": max(count × sequences, 8) of them (ollama_recurrent_checkpoints).
    const i64 rec_checkpoints = own_engine ? ollama_recurrent_checkpoints(s, n_seq) : 0;
    // Cells one stream of an attention layer holds, and its bytes per cell; shared by the model's layers and a
    // speculator's context.
    auto is_windowed = [](const CacheLayer& c) { return c.mixer == Mixer::SlidingAttention || c.mixer == Mixer::ChunkedAttention; };
    // Ollama's runner (swa_full true): its sliding layers keep every cell ("using full-size SWA cache"; L-101, Gemma 2 on
    // 0.18.2). llama-server's own default, which Ollama runs from 0.30, is false.
    auto layer_cells = [&](const CacheLayer& c) {
        if (!is_windowed(c) || s.engine.swa_full || runner) return cells_per_stream;
        if (own_engine) {
            // Ollama's engine (kvcache/causal.go, Causal.Init): each sequence keeps its window's "memory" of tokens (4,096
            // for gpt-oss and Gemma 4, whose models ask for kvcache.NewSWAMemCache(window, 4096); the window for the
            // others), one token more than the window with parallel sequences, plus one batch; the whole context
            // when that memory reaches it.
            i64 memory = std::max(c.window, ollama_swa_memory(g));
            if (n_seq > 1) memory = std::max(memory, c.window + 1);
            if (memory >= s.context) return cells_per_stream;
            return round_up(checked::add(checked::mul(memory, n_seq), ub), kCtxPad);
        }
        if (!kv_rules.swa_cache) return cells_per_stream;
        const i64 wanted = checked::add(checked::mul(c.window, unified ? n_seq : 1), kv_rules.swa_uses_batch ? s.engine.n_batch : ub);
        return kv_rules.pad_before_min ? std::min(cells_per_stream, round_up(wanted, kv_rules.pad))
                                       : round_up(std::min(cells_per_stream, wanted), kv_rules.pad);
    };
    // DeepSeek sparse attention: llama_kv_cache_dsa keeps the indexer keys as a second cache in the K type.
    auto cell_bytes = [&](const CacheLayer& c) {
        return checked::add(checked::add(k_type.bytes(c.k_width), v_type.bytes(c.v_width)), k_type.bytes(c.index_k_width));
    };
    auto add_to = [](i64& total, i64 bytes) { total = checked::add(total, bytes); };
    for (const CacheLayer& c : layers) {
        const int dev = place.device_of_layer[static_cast<size_t>(c.layer)];
        if (is_attention(c.mixer)) {
            if (!c.owns_kv) continue;
            const i64 cells = layer_cells(c);
            const bool windowed = is_windowed(c);
            const i64 bytes = checked::mul({cell_bytes(c), cells, n_stream});
            add_to(dev < 0 ? kv_host : kv_dev[static_cast<size_t>(dev)], bytes);
            add_to(kv_total, bytes);
            if (dev < 0) {
                host_kv_layer_max = std::max(host_kv_layer_max, bytes);
                ++host_kv_layers;
            }
            if (windowed) {
                ++n_swa;
                swa_cells = cells;
            } else {
                ++n_full;
                full_cells = cells;
            }
        } else if (c.mixer == Mixer::CrossAttention) {
            // Llama 3.2 Vision in Ollama's engine: each cross-attention layer keeps f32 K and V for one image's
            // encoder states (4 tiles × 1,601 for the 11B), whatever the context and cache type.
            const i64 bytes = checked::mul({checked::add(c.k_width, c.v_width), 4, s.geometry.encoder_tokens_per_image});
            add_to(dev < 0 ? kv_host : kv_dev[static_cast<size_t>(dev)], bytes);
            add_to(kv_total, bytes);
            ++n_cross;
        } else {
            // Recurrent layers: conv + SSM state in f32 for each of the n_seq_max sequences, and in Ollama's engine the
            // checkpoints its recurrent cache reserves beside them.
            rec_bytes = checked::mul(checked::add(c.conv_values, c.ssm_values), 4);
            const i64 bytes = checked::mul(rec_bytes, checked::add(n_seq, rec_checkpoints));
            const bool in_kv = rec_checkpoints > 0;  // Ollama's engine reports its recurrent cache within its "kv cache"
            add_to(dev < 0 ? (in_kv ? kv_host : state_host) : (in_kv ? kv_dev : state_dev)[static_cast<size_t>(dev)], bytes);
            ++n_rec;
            if (dev < 0 && c.mixer == Mixer::LinearAttention) host_conv_values = c.conv_values;
        }
    }
    for (size_t d = 0; d <= s.devices.size(); ++d) {
        const int dev = d < s.devices.size() ? static_cast<int>(d) : -1;
        for (int dl : place.device_of_layer) placed[d].layers += dl == dev;
        const i64 kv_here = dev < 0 ? kv_host : kv_dev[d];
        placed[d].kv_share = kv_total > 0 ? static_cast<double>(kv_here) / static_cast<double>(kv_total) : 0.0;
    }
    e.placed = placed;
    for (size_t d = 0; d < s.devices.size(); ++d) {
        {
            std::string what = std::to_string(n_full) + (g.mla.kv_lora_rank > 0 ? " MLA layers" : " full-attention layers") + " × " +
                               std::to_string(full_cells) + " cells" + (g.dsa.head_dim > 0 ? " (latent + indexer keys)" : "");
            if (n_swa > 0) what += " + " + std::to_string(n_swa) + " sliding layers × " + std::to_string(swa_cells) + " cells";
            if (rec_checkpoints > 0 && n_rec > 0)
                what += " + " + std::to_string(n_rec) + " recurrent layers' f32 state for " + std::to_string(n_seq) + " sequences and " +
                        std::to_string(rec_checkpoints) + " checkpoints (Ollama's engine keeps them in its cache)";
            e.add(kKvCache, "KV cache", static_cast<int>(d), Q::bytes("K+V of the layers on this device", kv_dev[d]),
                  what + (n_stream > 1 ? " per stream × " + std::to_string(n_stream) + " streams" : "") + ", K " + k_type.id + " / V " + v_type.id);
        }
        if (state_dev[d] > 0)
            e.add(kState, "recurrent state (RS buffer)", static_cast<int>(d), Q::bytes("f32 conv + SSM state × sequences", state_dev[d]),
                  std::to_string(n_rec) + " recurrent layers × " + format_size(rec_bytes) + " × " + std::to_string(n_seq) + " sequences");
    }
    if (kv_host > 0) e.add(kKvCache, "KV cache (host)", -1, Q::bytes("K+V of layers kept on the CPU", kv_host));
    if (n_cross > 0) {
        e.warnings.push_back(ollama ? "Ollama runs this cross-attention model in its own engine, one request at a time"
                                    : "mainline llama.cpp does not run this cross-attention model (mllama); Ollama's own engine did, "
                                      "and this follows its buffers");
        e.assumptions.push_back(std::to_string(n_cross) + " cross-attention layers keep f32 K and V for one image's " +
                                group_digits(s.geometry.encoder_tokens_per_image) + " encoder states");
    }

    // ---- speculative decoding: a second context on the main GPU (llama-server -md, or the model's MTP head) ----
    if (s.spec.active() && !s.devices.empty()) {
        const int dev = place.output_device >= 0 ? place.output_device : -1;
        i64 spec_weights = 0, spec_embd = 0;
        if (s.spec.method == "draft") {
            const CheckpointBytes dcb = draft_checkpoint_bytes(s);
            const Inventory& draft = s.spec.draft_inventory;
            for (size_t i = 0; i < draft.tensors.size(); ++i) add_to(draft.tensors[i].role == Role::TokenEmbd ? spec_embd : spec_weights, dcb.per_tensor[i]);
            add_to(spec_weights, dcb.extra);
        } else {
            spec_weights = speculator_weight_bytes(s, cb);  // the MTP head is part of the model's GGUF
        }
        i64 spec_kv = 0;
        for (const CacheLayer& c : s.spec.cache) {
            if (!is_attention(c.mixer) || !c.owns_kv) continue;
            add_to(spec_kv, checked::mul({cell_bytes(c), layer_cells(c), n_stream}));
        }
        const std::string who = s.spec.method == "draft" ? s.spec.draft_name + " (draft)" : "MTP head";
        e.add(kWeights, "speculator model buffer", dev, Q::bytes(who + " tensors", spec_weights),
              s.spec.method == "draft" ? "the draft GGUF at the same file type; its token embeddings stay on the CPU" : "inside the model's GGUF");
        if (spec_embd > 0) e.add(kWeights, "speculator model buffer (host)", -1, Q::bytes("draft token_embd", spec_embd));
        e.add(kKvCache, "speculator KV cache", dev, Q::bytes(who + " KV at n_ctx cells", spec_kv), "its own context, as large as the target's");
        // Its compute buffer: one ubatch through the draft's widest layer and its logits (L-22's MTP context:
        // 130 MiB next to 128 MiB of KV).
        const ModelGeometry& dg = s.spec.method == "draft" ? s.spec.draft_geometry : g;
        i64 d_ff = 0;
        for (const auto& l : dg.layers) d_ff = std::max(d_ff, l.ffn_intermediate);
        const Q spec_compute =
            max((Q::lit(2) * Q::var("draft n_ff", d_ff) + Q::lit(2) * Q::var("draft n_embd", dg.hidden)) * Q::var("n_ubatch", ub) * Q::lit(4, "B"),
                (Q::var("n_vocab", dg.vocab) + Q::var("draft n_embd", dg.hidden)) * Q::var("draft tokens", s.spec.num_tokens + 1) * Q::lit(4, "B"));
        e.add(kActivations, "speculator compute buffer", dev, spec_compute);
    }
    if (state_host > 0) e.add(kState, "recurrent state (host)", -1, Q::bytes("f32 state of layers kept on the CPU", state_host));

    // ---- compute buffers ----
    // ggml-alloc's peak for the worst-case graph: n_ubatch tokens (at most n_ctx) against all n_kv cells. The
    // graph is a sequence of phases; tensors of one phase are freed before the next, so the buffer is the
    // largest phase (f32 activations, E = n_embd × n_ubatch × 4 B):
    //   attention, flash off: KQ scores n_head × n_kv × n_ubatch + the Q/K/V rows + residual and normed input;
    //   attention, flash on: KQ never materialises, only the Q/K/V rows (MLA, absorbed: q, q·W_kb, q_pe and
    //     their concatenation, n_head × (kv_lora_rank + rope) wide);
    //   FFN: gate and up outputs + residual and normed input (MoE: per selected expert);
    //   during all layers the KQ mask is live on every device running attention (f16 with flash attention,
    //   f32 without; plus the SWA mask over its cells);
    //   output (device with the output layer): logits n_vocab × n_ubatch + E — the mask is freed by then;
    //   flash on, the device that runs layer 0 casts the f32 mask to f16, holding both at once.
    // Graph inputs (the f32 masks, the token embeddings looked up on the CPU) live in the host compute buffer.
    // With pipeline parallelism (several GPUs, layer split, full offload, no tensor overrides) the scheduler
    // keeps n_copies = 4 copies of every input of every device's part of the graph.
    // Checked against allocator logs (MiB): flash off: L-1 Llama-3.1-8B 8K 560.00 (556), pythia-2.8B 2K 162.00
    // (157), Gemma-3-1B 4K 514.25 (514.25, logits-bound), Command-R 4K on 2 GPUs with 4 copies 672.01 (688);
    // flash on: Qwen3-4B 4K 301.75 (301.75), Qwen3-14B 32K 306.75 (306.75), Qwen3-30B-A3B 64K 300.75 (300.75),
    // Qwen3.6-27B 128K 495.00 (495.00), GLM-Z1-32B 32K 353.00 (308). Host: L-1 24.01 (24.00), Qwen3-14B 32K 74.01
    // (74.00), gpt-oss-20b 128K 263.15 (263.13), DeepSeek-R1 8 GPUs × 4 copies 78.02 (78.00).
    const i64 n_kv = n_full > 0 ? full_cells : (n_swa > 0 ? swa_cells : kCtxPad);
    const i64 ubr = std::min(ub, n_ctx);
    const Q UB = Q::var("n_ubatch", ubr);
    const Q F32 = Q::lit(4, "B");
    const Q E = Q::var("n_embd", g.hidden) * UB * F32;
    int gpu_layers_total = 0;
    for (int dl : place.device_of_layer) gpu_layers_total += dl >= 0;
    const bool full_offload = gpu_layers_total == n_layers && place.output_device >= 0;
    // llama_context enables pipeline parallelism only without tensor overrides (!model.has_tensor_overrides());
    // --n-cpu-moe is itself a list of overrides.
    const bool pipeline = s.devices.size() > 1 && full_offload && s.engine.n_cpu_moe == 0 && overrides.empty();
    const i64 n_copies = pipeline ? 4 : 1;
    const Q copies = Q::var("n_copies", n_copies);
    auto mask_of = [&](const Q& bytes_per) {
        Q m = Q::var("n_kv", n_kv) * UB * bytes_per;
        if (n_full > 0 && n_swa > 0) m = m + Q::var("SWA cells", swa_cells) * UB * bytes_per;
        return m;
    };
    const Q mask32 = mask_of(F32);
    const Q mask_live = mask_of(fa ? Q::lit(2, "B") : F32);
    const bool mla = g.mla.kv_lora_rank > 0;
    Q attn_rows;
    if (mla && fa) {
        const MlaSpec& m = g.mla;
        attn_rows = Q::var("n_head", g.n_heads) * (Q::var("nope", m.qk_nope_head_dim) + Q::lit(2) * Q::var("rope", m.qk_rope_head_dim) +
                                                   Q::lit(2) * Q::var("kv_lora_rank", m.kv_lora_rank) + Q::var("rope", m.qk_rope_head_dim)) +
                    Q::lit(2) * Q::var("n_embd", g.hidden);
    } else {
        const i64 qkv_width = mla ? g.n_heads * (g.mla.qk_nope_head_dim + g.mla.qk_rope_head_dim) * 2 + g.n_heads * g.mla.v_head_dim
                                  : g.n_heads * g.head_dim + 2 * g.n_kv_heads * g.head_dim;
        attn_rows = Q::var("q+k+v width", qkv_width) + Q::lit(2) * Q::var("n_embd", g.hidden);
    }
    Q attn = fa ? attn_rows * UB * F32 : Q::var("n_head", g.n_heads) * Q::var("n_kv", n_kv) * UB * F32 + attn_rows * UB * F32;
    // DeepSeek sparse attention: the fused lightning-indexer op (GGML_OP_LIGHTNING_INDEXER, llama.cpp PR #24231)
    // yields one f32 score per cell and token, from which the top-k mask over the cells is built.
    if (g.dsa.head_dim > 0) attn = attn + Q::var("n_kv", n_kv) * UB * (F32 + (fa ? Q::lit(2, "B") : F32));
    i64 ffn_width = 0;
    for (const auto& l : g.layers) ffn_width = std::max(ffn_width, l.ffn_intermediate);
    const bool recent_layers = outputs_per_sequence(s);  // never with Ollama's own engine, whose releases come before 0.30
    const bool attention_first = !g.layers.empty() && is_attention(g.layers.front().mixer);
    const Q q_width = Q::var("n_head", g.n_heads) * Q::var("head_dim", g.head_dim);
    // Ollama's own models call the fused SwiGLU from 0.12.0 (ml.Tensor SILU(ctx, up): ggml_swiglu_split), which ggml-alloc
    // does not run in place either: gate, up and product live together above the residual and the holes attention left
    // (L-124, qwen3:1.7b on the CPU at 0.12.6: (3 x 6,144 + 2 x 2,048 + 16 x 128) x 512 x 4 B = 48 MiB, printed 48.0).
    const bool own_swiglu = own_engine && !engine_version_before(s.engine.version, {0, 12});
    Q ffn = recent_layers || own_swiglu
                ? (Q::lit(3) * Q::var("n_ff", ffn_width) + Q::lit(2) * Q::var("n_embd", g.hidden) + (attention_first ? q_width : Q::lit(0))) * UB * F32
                : (Q::lit(2) * Q::var("n_ff", ffn_width) + Q::lit(2) * Q::var("n_embd", g.hidden)) * UB * F32;
    // MoE layers (build_moe_ffn): the selected experts' gate and up outputs, then their product beside the down
    // projection's output, which keeps one n_embd row per selected expert until the weighted sum. On a device that
    // holds the experts of its layers, ggml-alloc places them in one buffer: the SwiGLU product takes a block of its own
    // (GLU is not computed in place), up and gate then leave a hole of 2 × n_expert_used × n_ff_exp rows, and the down
    // projection's output goes into it when it fits, else above everything (best fit). C-52 (Qwen3.5-122B-A10B, n_embd
    // 3,072 > 2 × 1,024, ub 1,586): the two GPUs with experts of their own log 452.31 MiB, the attention phase (334.55)
    // without the down projection on top; L-54 (GLM-4.5-Air, 4,096 > 2 × 1,408): 166.51 on its middle GPU; C-17 (Qwen3-235B,
    // experts of 13 layers on the GPU, the rest's matmuls offloaded to it) 1,024.00 against 1,000.5. A first GPU whose
    // own layers keep no experts runs the offloaded ones beside the copied weight without that growth (C-52: 980.36).
    Q ffn_local = ffn;
    if (g.is_moe()) {
        const i64 k = g.moe.n_experts_per_tok, ff = g.moe.expert_intermediate;
        const Q used_ff = Q::var("n_expert_used", k) * Q::var("n_ff_exp", ff);
        const Q down = Q::var("n_expert_used", k) * Q::var("n_embd", g.hidden);
        const Q two_e = Q::lit(2) * Q::var("n_embd", g.hidden);
        ffn = max(ffn, (max(Q::lit(2) * used_ff, used_ff + down) + two_e) * UB * F32);
        ffn_local = max(ffn_local, (Q::lit(3) * used_ff + (g.hidden > 2 * ff ? down : Q::lit(0)) + two_e) * UB * F32);
        // Ollama's gpt-oss before 0.13: the fused gate_up output (2 rows) with its two expert-width halves made
        // tensors of their own, beside the residual and the normed input freed under them. L-91 (0.11.10, 8K):
        // (2 × 2,880 + 4 × 4 × 2,880) × 512 × 4 B = 101.25 MiB + the f16 masks 12.5 against 121.8 printed.
        if (const i64 copies = ollama_moe_gate_copies(s, own_engine); copies > 0) {
            const Q fused = (Q::lit(2 + 2 * copies) * used_ff + two_e) * UB * F32;
            ffn = max(ffn, fused);
            ffn_local = max(ffn_local, fused);
        }
    }
    // The output phase: logits and the last hidden state of every ubatch token, or, where llama-server reserves
    // n_outputs_max rows (outputs_per_sequence), of one row per sequence and drafted token.
    // Ollama's own engine reserves its worst-case graph with one output per parallel sequence (reserveWorstCaseGraph:
    // batch.Outputs of s.parallel rows), and its models keep only those rows before the output layer.
    const bool per_seq_outputs = own_engine || recent_layers;
    const i64 out_rows = per_seq_outputs ? std::min(ubr, checked::mul(n_seq, 1 + (s.spec.active() ? s.spec.num_tokens : 0))) : ubr;
    const Q out = (Q::var("n_vocab", g.gguf_rows()) + Q::var("n_embd", g.hidden)) * (per_seq_outputs ? Q::var("n_outputs_max", out_rows) : UB) * F32;
    // Ollama's engine keeps its mask in an input buffer of its own, never in the host compute buffer. Until 0.12.11 its
    // cache reserved it empty in the dtype attention reads (f16 with flash attention), and the device gets a copy; from
    // 0.12.11 (kvcache/causal.go buildMask) it builds the f32 mask there and casts it in the graph, as llama.cpp did
    // before b9410.
    const bool own_mask_cast = own_engine && !engine_version_before(s.engine.version, {0, 12, 11});
    const bool f16_mask = fa && ((own_engine && !own_mask_cast) || f16_mask_reserved(s));
    // What stays live beside the two masks while the cast runs, the first case that applies:
    //  - Qwen3.5 / Qwen3-Next (linear layers first, a gated query): the cast waits for the first full-attention layer: its
    //    residual and the embeddings' copy, the query projection with its gate (2 × q width, kept whole until the gate is
    //    applied after attention), the hole of the normed query and the roped one, and, with a quantized K cache from
    //    b8639 (llama.cpp#21038, merged 2026-04-01), Q rotated into the cache's Hadamard basis. Replayed with ggml-alloc
    //    on the model's graph: C-34 (Qwen3.6-27B, b8946, q8_0, 200,192 cells) 391 + 195.5 + (2 × 5,120 + 4 × 6,144) ×
    //    512 × 4 B = 654.5 MiB + inputs, printed 654.78; C-121 (Qwen3.5-9B, b8571) 808.0, printed 808.02.
    //  - Metal reorders the graph (ggml_metal_graph_optimize), and with the look-ahead of 8 nodes its copy of Ollama's
    //    runner had from 0.12.4 to 0.24, the cast moves ahead of layer 0's query projection: beside the embeddings' copy
    //    only the roped query is live, E + q width, unless the layer norms Q and K per head (Qwen3), which keeps the
    //    order. Replayed with that reordering on L-121's graph (phi-3, 32,768 cells): 64 + 32 + 6 + 6 = 108 MiB, printed
    //    108.01.
    //  - MLA, and Ollama's own engine (whose graph is not llama.cpp's): the embeddings layer 0 reads.
    //  - Any other attention layer casts beside its residual and the normed input's hole, the query projection and the
    //    roped query (rope is not in place, and the mask is the last input flash attention takes): 2 E + 2 × q width.
    //    Replayed on the builds' graphs: C-7 (GLM-4.5-Air, b6168, 131,072 cells, ub 4,096) 2,048 + 1,024 + (2 × 4,096 +
    //    2 × 12,288) × 4,096 × 4 B = 3,584 MiB, printed 3,584.09; C-6 (gpt-oss-20b, ub 2,048, with its sliding-window
    //    mask) 1,672 MiB, printed 1,672.08.
    const bool metal_reorder8 = ollama && !own_engine && !s.devices.empty() && s.devices.front().vendor == "Apple" &&
                                !engine_version_before(s.engine.version, {0, 12, 4}) && engine_version_before(s.engine.version, {0, 30}) && !g.layers.empty() &&
                                g.layers.front().mixer == Mixer::FullAttention && !g.qk_norm && !mla;
    const bool rotated_q = block_kv && g.head_dim % 64 == 0 && given_at_least(s, kAttnRotationBuild, {0, 30, 0});
    const Q cast_company = g.attn_output_gate && !attention_first ? (Q::lit(2) * Q::var("n_embd", g.hidden) + Q::lit(rotated_q ? 4 : 3) * q_width) * UB * F32
                           : metal_reorder8                       ? (Q::var("n_embd", g.hidden) + q_width) * UB * F32
                           : mla || own_engine                    ? E
                                                                  : (Q::lit(2) * Q::var("n_embd", g.hidden) + Q::lit(2) * q_width) * UB * F32;
    const int first_device = place.device_of_layer.empty() ? -1 : place.device_of_layer.front();
    // Op offload (ggml_backend_sched_backend_id_from_cur): a matmul whose weight is in host memory runs on the first
    // GPU once the ubatch reaches kOffloadMinBatch tokens, and the weight is copied into that GPU's compute buffer as an
    // input of the split. The scheduler opens a new split at each such weight, so only one copy is live at a time.
    // The weightless ops between two offloaded matmuls follow them (pass 2 spreads GPU assignments up and down), so a
    // layer kept on the CPU computes its attention on the first GPU as well, against copies of its K and V views of
    // the host cache (the whole layer's cells at reserve) and the copied mask (see the placement of those copies below;
    // C-11: 9,240 MiB as logged, where the attention of the 19 GPU layers alone gives 8,476).
    // Ollama's own engine created its scheduler with op offload off from 0.7.0 (ml/backend/ggml New,
    // ggml_backend_sched_new(..., parallel, false)) until 0.12.8 turned it on: a layer kept on the CPU runs there.
    const bool engine_offload_off = own_engine && !engine_version_before(s.engine.version, {0, 7}) && engine_version_before(s.engine.version, {0, 12, 8});
    const bool metal_offload_off =
        ollama && !s.devices.empty() && s.devices.front().vendor == "Apple" && !s.engine.version.empty() && engine_version_before(s.engine.version, {0, 5, 2});
    const bool op_offload = !s.devices.empty() && ubr >= kOffloadMinBatch && !engine_offload_off && !metal_offload_off;
    const OllamaVisionGraph vision = tower_in_blob ? ollama_engine_vision_graph(g, fa) : OllamaVisionGraph{};
    // The output matmul is offloaded only when its rows reach the same batch size.
    const bool output_offload = op_offload && out_rows >= kOffloadMinBatch;
    const bool host_work = op_offload && (host_kv_layer_max > 0 || host_layer_weight_max > 0 || (output_offload && host_output_weight > 0));
    for (size_t d = 0; d < s.devices.size(); ++d) {
        const int di = static_cast<int>(d);
        bool has_layers = std::find(place.device_of_layer.begin(), place.device_of_layer.end(), di) != place.device_of_layer.end();
        const bool offload_here = host_work && di == 0;
        if (!has_layers && place.output_device != di && !offload_here) continue;
        // Inputs this device keeps: the mask (and, with pipeline copies, the hidden state handed over).
        const Q inputs = pipeline ? copies * (mask_live + E) : mask_live;
        const Q& ffn_here = placed[d].expert_bytes > 0 ? ffn_local : ffn;
        Q peak = has_layers || place.output_device == di ? inputs + max(attn, ffn_here) : Q::lit(0, "B");
        if (fa && !f16_mask && first_device == di) peak = max(peak, (pipeline ? copies * mask32 : mask32) + mask_live + cast_company);
        // Pipeline parallelism's input copies are never freed within the graph, so on the output device they sit under
        // the logits too (C-153, phi-4-mini over two GPUs, 4 copies: 4 x (2 + 6) + 396.75 = 428.75 MiB; the reserve asked
        // 434.79, and 396.75 exactly when retried without pipeline parallelism).
        if (place.output_device == di) peak = max(peak, pipeline ? inputs + out : out);
        if (place.output_device == di && vision.bytes > 0) peak = max(peak, Q::bytes(vision.what, vision.bytes));
        if (offload_here) {
            if (host_kv_layer_max > 0) {
                // Where ggml-alloc puts the copies: the split of layer 0's attention takes its K and V views, then the
                // mask copy, which stays for every later attention; from the second host layer on, one view no longer
                // fits the gap below the mask and goes above it. Below them the two hidden states and Q. Replayed with
                // ggml's scheduler and a device offloading as CUDA does: C-112 (Llama-3.1-8B, 18 layers on the CPU,
                // 32K, ub 512) 8 + 8 + 8 + 3 x 64 + 32 = 248 MiB, printed 248.00; C-11 (Qwen3-8B, flash off)
                // 24 + 3 x 256 + 256 + 8,192 (scores) = 9,240, printed 9,240.
                // Below them: the residual and a hole of the normed input, and the query (with Qwen3.5's gate, twice as
                // wide); a query wider than the copied q weight leaves that weight's hole under it and the roped one
                // above (C-111 at ub 1,024: 2 x 20 + 33.75 + 48 MiB).
                const i64 q_one = checked::mul({g.n_heads, g.head_dim, ubr, 4});
                const i64 q_proj = g.attn_output_gate ? 2 * q_one : q_one;
                const Q below = Q::var("n_embd", g.hidden) * Q::lit(2) * UB * F32 +
                                (q_proj <= host_attn_q_max || host_attn_q_max == 0
                                     ? Q::bytes("the query", q_proj)
                                     : Q::bytes("the copied q weight's hole and two query widths", checked::add(host_attn_q_max, 2 * q_one)));
                const Q one_layer = Q::bytes("K+V views of a host layer, copied", host_kv_layer_max);
                const Q views = host_kv_layers >= 2 ? scale(one_layer, 1.5, "× 3/2 (three views)") : one_layer;
                const Q scores = fa ? Q::lit(0, "B") : Q::var("n_head", g.n_heads) * Q::var("n_kv", n_kv) * UB * F32;
                peak = max(peak, (mask_live + below + views + scores).named("host layers' attention on this GPU"));
                // A build that casts the f32 mask does it in the first host layer's attention split: the f32 copy, that
                // layer's K and V views and the f16 cast together (C-111, b8586: 121.75 + 512 + 2 x 256 + 256 =
                // 1,401.75 MiB, as the reserve asked); the later views then fit where the f32 copy was.
                if (fa && !f16_mask)
                    peak = max(peak, (below + mask32 + one_layer + mask_live).named("the mask's cast in a host layer's attention on this GPU"));
            }
            // A model whose first layer slides its window (gpt-oss) casts the full mask at its first full-attention layer,
            // after layer 0's experts: in a build that casts an f32 mask, that copy comes in above layer 0's copied expert
            // weight and its MoE work (C-5, b6699, gpt-oss-20b with every expert on the CPU: 256 MiB of f32 mask above
            // the 134.47 MiB expert copy and 56.25 MiB of MoE rows: 448.22 MiB, where the real graph replayed gives the
            // 456.98 printed, the rest being layer 0's small tensors and holes below them).
            const bool f32_mask_over_experts = fa && !f16_mask && !own_engine && !g.layers.empty() && g.layers.front().mixer == Mixer::SlidingAttention;
            if (host_layer_weight_max > 0)
                peak = max(peak, (has_layers || host_kv_layer_max > 0 ? (f32_mask_over_experts ? mask32 : mask_live) : Q::lit(0, "B")) +
                                     Q::bytes("largest host weight, copied", host_layer_weight_max) + max(attn_rows * UB * F32, ffn_here));
            if (output_offload && host_output_weight > 0) peak = max(peak, Q::bytes("output weight, copied", host_output_weight) + out);
        }
        e.add(kActivations, "compute buffer", di, peak,
              std::string("worst-case graph for n_ubatch tokens, flash attention ") + (fa ? (f16_mask ? "on (f16 mask)" : "on") : "off") +
                  (own_engine ? ", Ollama's engine: logits of " + std::to_string(out_rows) + (out_rows == 1 ? " row" : " rows") + " (one per parallel sequence)"
                   : per_seq_outputs ? ", logits of " + std::to_string(out_rows) + " rows (n_outputs_max)"
                                     : "") +
                  (pipeline ? ", pipeline parallelism (4 copies of each input)" : "") +
                  (offload_here ? ", with the big-batch ops of host-resident weights offloaded here" : ""));
        e.add(kOverhead, "CUDA context", di, Q::bytes("CUDA context + cuBLAS workspace", kCudaContextBytes), "device memory no llama.cpp buffer reports");
    }
    // Host-side buffers: the graph inputs (f32 masks, the token embeddings looked up on the CPU) and the logits output
    // buffer. With layer 0 on the CPU the f16 cast of the mask still goes with the attention op offload sends to the
    // first GPU: C-82 (b7972, 8 of 29 layers on the CPU) and L-54 (Ollama 0.12.3's runner, GLM-4.5-Air split over three
    // GPUs and the CPU) print the host buffer without it.
    if (s.engine.version.empty() && !s.devices.empty() && !NumbersOnly::active())  // text the solvers' many estimates never show
        e.assumptions.push_back("compute buffers as llama.cpp reserved them before build b" + std::to_string(kF16MaskBuild) +
                                ": an f32 KQ mask, and logits for every ubatch token; from b" + std::to_string(kF16MaskBuild) +
                                " the flash-attention mask is f16, and llama-server from b" + std::to_string(kOutputsPerSequenceBuild) +
                                " reserves logits for one row per sequence (give engine.version, e.g. \"b" + std::to_string(kOutputsPerSequenceBuild) +
                                "\", for those builds" + (s.runtime == Runtime::Ollama ? std::string("; Ollama 0.30.0 and 0.30.2 ship them") : std::string()) +
                                ")");
    // Flash attention off, the V cache is stored transposed, and from the set_rows KV store (llama.cpp#14959, the default
    // from b6070; Ollama's runner from 0.11.5) each KV cache takes an input of V indices, one int64 per value of the
    // ubatch's V rows (llama_kv_cache::build_input_v_idxs): n_ubatch × the widest V × 8 B among the host inputs (L-35,
    // phi-4: 512 × 1,280 × 8 B = 5 MiB; L-101, gemma-2 and its sliding-window cache: 2 × 256 × 1,024 × 8 B).
    i64 v_max = 0;
    for (const CacheLayer& c : layers)
        if (is_attention(c.mixer) && c.mixer != Mixer::Mla) v_max = std::max(v_max, c.v_width);
    const Q v_idxs = !fa && !own_engine && given_at_least(s, kVIndexInputBuild, {0, 11, 5})
                         ? (Q::var("KV caches", (n_full > 0) + (n_swa > 0)) * UB * Q::var("widest V", v_max) * Q::lit(8, "B")).named("V indices")
                         : Q::lit(0, "B");
    const Q host_mask = own_engine ? Q::lit(0, "B") : (f16_mask ? mask_live : mask32) + v_idxs;
    // A Gated DeltaNet layer left on the CPU keeps its conv state in host memory, so the copy of the state's last columns
    // into it (build_conv_state: ggml_cpy of a view of conv_input, [K - 1 + T, C, n_seq] f32) runs on the CPU, while the
    // concat that makes conv_input follows the layer's offloaded matmuls to the GPU. The view becomes an input of the CPU
    // split, copied with the view's strides (ggml_dup_tensor_layout): nearly all of conv_input. It takes the slot the
    // looked-up embeddings leave once sent to the GPU, one slot for every such layer. Replayed with the scheduler on
    // Qwen3.5-9B (C = 2 x 16 x 128 + 32 x 128, K = 4, ub 2,048, 4 sequences): 4 x (8,192 x 4 x (3 + 512) - 512) B =
    // 64.37 MiB, and with the two 32 MiB inputs 128.44 MiB as C-151 and C-152 print with 2 and 15 layers on the CPU.
    const bool host_gdn =
        op_offload && !own_engine && g.linear.kind == LinearAttentionSpec::Kind::GatedDeltaNet && g.linear.conv_kernel > 1 && host_conv_values > 0;
    const i64 seqs = std::clamp<i64>(n_seq, 1, ubr), per_seq = ubr / seqs;
    const i64 conv_channels = host_gdn ? host_conv_values / (g.linear.conv_kernel - 1) : 0;
    const Q conv_copy =
        Q::bytes("conv-state copy", host_gdn ? checked::mul(checked::mul({conv_channels, seqs, g.linear.conv_kernel - 1 + per_seq}) - per_seq, 4) : 0);
    const Q looked_up = host_gdn ? max(E, conv_copy) : E;
    Q host_compute = (pipeline ? copies * host_mask : host_mask) + (second_embd_input(s) ? E + looked_up : looked_up);
    // Ollama 0.20.0 to 0.20.3 shipped a ggml whose CUDA/ROCm flash attention had no kernel for 512-wide heads (Gemma 4's
    // global layers; added by ollama e823bff87 for 0.20.4), so the scheduler runs those layers' FLASH_ATTN_EXT on the CPU:
    // the CPU buffer takes copies of the layer's K and V views (every cell), the f16 mask, Q and the f32 output. L-45
    // (gemma-4-26b-a4b, 32,768 cells): 64 + 64 + 32 + 16 + 16 = 192 MiB, printed 192.0.
    if (s.runtime == Runtime::Ollama && fa && !s.devices.empty() && (s.devices.front().vendor == "NVIDIA" || s.devices.front().vendor == "AMD") &&
        !engine_version_before(s.engine.version, {0, 20}) && engine_version_before(s.engine.version, {0, 20, 4}) && first_device >= 0) {
        i64 wide_kv = 0, wide_head = 0;
        for (const CacheLayer& c : layers)
            if (is_attention(c.mixer) && c.n_kv_heads > 0 && c.k_width / c.n_kv_heads > kOllamaCudaFaMaxHead && layer_cells(c) > 0) {
                wide_kv = std::max(wide_kv, checked::mul(cell_bytes(c), layer_cells(c)));
                wide_head = std::max(wide_head, c.k_width / c.n_kv_heads);
            }
        // The looked-up embeddings are gone by then (copied to the GPU), so the CPU buffer is the larger of the two.
        if (wide_kv > 0)
            host_compute =
                max(host_compute, (Q::bytes("K and V views of a wide-headed layer, copied", wide_kv) + Q::var("n_kv", n_kv) * UB * Q::lit(2, "B") +
                                   Q::lit(2) * Q::var("n_head", g.n_heads) * Q::var("head_dim", wide_head) * UB * F32)
                                      .named("flash attention of the layers with heads wider than " + std::to_string(kOllamaCudaFaMaxHead) + " on the CPU"));
    }
    // With every layer on the CPU its graph shares that buffer. Op offload sends the matmuls and the norms' multiplications
    // to the first GPU; what the CPU computes itself is the K and V rows it copies into a host-resident cache, which
    // reuse the looked-up embeddings' space: the larger of the two (C-41, Qwen3-14B at -ngl 0: 8 + 10 MiB; C-16: 8 + 4).
    // Without op offload the CPU holds the whole worst-case layer or output phase.
    i64 host_kv_rows = 0;
    for (const CacheLayer& c : layers)
        if (is_attention(c.mixer) && c.owns_kv && place.device_of_layer[static_cast<size_t>(c.layer)] < 0)
            host_kv_rows = std::max(host_kv_rows, checked::add(c.k_width, c.v_width));
    const Q kv_rows = Q::var("K + V widths of a host layer", host_kv_rows) * UB * F32;
    // With no GPU at all the whole graph is the CPU's (no layer placed elsewhere, nothing offloaded). Ollama's own engine
    // keeps its inputs in buffers of their own (ml/backend/ggml Context.newTensor), so its compute buffer is the graph's:
    // the looked-up embeddings are layer 0's residual, and from 0.12.11 the f16 mask cast from them stays for every
    // layer (L-125, 0.16.1: 16 MiB of its 96). The f32 mask a flash-attention build of llama.cpp before b9410 casts to
    // f16 is freed once cast: the cast holds both beside the inputs, the layers keep the f16 one, and the logits come
    // after both are gone (C-123, Qwen3.5-0.8B, 262,144 cells, ub 512: 512 + 256 + 4 = 772 MiB against 786.02 printed).
    const bool cpu_only = s.devices.empty();
    if (cpu_only && own_engine) host_compute = ((own_mask_cast && fa) ? mask_live : Q::lit(0, "B")) + max(max(attn, ffn_local), out);
    else if (cpu_only && fa && !f16_mask)
        host_compute = max(host_compute + mask_live, max(mask_live + max(attn, ffn_local), out)).named("the mask's cast, the layers or the logits, on the CPU");
    else if (place.output_device < 0)
        host_compute = host_compute + (op_offload ? max(kv_rows - E, Q::lit(0, "B")).named("K and V rows beyond the embeddings' space")
                                                  : max(max(attn, cpu_only ? ffn_local : ffn), out));
    else if (!op_offload && gpu_layers_total < n_layers)
        host_compute = host_compute + max(attn, ffn_local).named("the worst-case phase of a layer left on the CPU, computed there");
    if (place.output_device < 0 && vision.bytes > 0) host_compute = max(host_compute, Q::bytes(vision.what, vision.bytes));
    e.add(kActivations, "host compute buffer", -1, host_compute,
          place.output_device < 0 ? std::string("graph inputs and the graph of the layers left on the CPU") +
                                        (op_offload ? " (their matmuls offloaded to the GPU, the norms kept)" : "")
          : own_engine ? "graph inputs: the ubatch's token embeddings"
                       : "graph inputs: the KQ mask and the ubatch's token embeddings");
    // Ollama's llama.cpp runner has embeddings on, so each output row holds the last hidden state beside the logits:
    // llm/server.go started llama.cpp's server with --embedding from 0.1.32 (L-111: 0.3.8, 4 rows of 128,256 + 4,096
    // floats, 2.02 MiB), and its own runner (llama/llama.go, 0.4.0 to 0.29) creates its context with embeddings on.
    const bool runner_embeddings = runner && !engine_version_before(s.engine.version, {0, 1, 32});
    const Q output_buf = (runner_embeddings ? Q::var("n_vocab", g.gguf_rows()) + Q::var("n_embd", g.hidden) : Q::var("n_vocab", g.gguf_rows())) * F32 *
                         Q::var("n_seq_max", n_seq);
    e.add(kActivations, "output buffer (host)", -1, output_buf,
          runner_embeddings ? "logits and embeddings of one row per sequence (Ollama's runner turns embeddings on)" : "logits of one row per sequence");
    e.sum_components();

    // ---- KV summary and verdict ----
    e.kv.bytes_per_token = growing_kv_bytes_per_token(layers, s.kv);
    e.kv.required_bytes = checked::add(kv_total, state_host);
    if (s.spec.active()) add_to(e.kv.required_bytes, item_bytes(e, "speculator KV cache"));
    for (i64 b : state_dev) add_to(e.kv.required_bytes, b);
    e.kv.capacity_tokens = n_ctx;
    e.kv.max_concurrency = static_cast<double>(n_seq);
    for (auto& de : e.devices) de.required_bytes = de.total_bytes;
    const VerdictMargin& margin = runtime_descriptor(s.runtime).margin;
    e.decide(true, s.concurrency, margin);
    if (gpu_layers_total < n_layers)
        e.warnings.push_back("only " + std::to_string(gpu_layers_total) + " of " + std::to_string(n_layers) +
                             " layers run on the GPU; the rest run on the CPU at host-memory speed");
    if (place.output_device < 0)
        e.warnings.push_back(s.engine.output_on_host ? "the output layer runs on the CPU" : "the output layer runs on the CPU (n_gpu_layers 0)");
    if (s.context > g.max_position_embeddings && g.max_position_embeddings > 0)
        e.warnings.push_back("context " + std::to_string(s.context) + " exceeds the model's training context (" + std::to_string(g.max_position_embeddings) +
                             ")");
    e.assumptions.push_back(std::string(!ollama      ? ""
                                        : own_engine ? "Ollama's own engine caches num_ctx × parallel tokens; "
                                                     : "Ollama runs llama.cpp with -c num_ctx × parallel and -np parallel; ") +
                            "n_ctx = " + std::to_string(n_ctx) + " (context × sequences, padded to 256), n_ubatch " + std::to_string(ub) +
                            ", flash attention " + (fa ? "on" : "off") + (unified ? ", unified KV cache" : ", one KV stream per sequence"));
    e.assumptions.push_back(margin.describe() + " (what llama.cpp's --fit leaves)");
    return e;
}

}  // namespace fitmygpu
