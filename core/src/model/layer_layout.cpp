// Layer-layout rules: which token mixer and which FFN every layer runs, then each layer's LayerSpec.
// A per-layer list in the config (layer_types, layers_block_type, linear_attn_config.full_attn_layers,
// attn_type_list) wins; otherwise the family's LayerLayout rule places the layers (families.hpp).
#include <nlohmann/json.hpp>

#include <algorithm>

#include "fitmygpu/error.hpp"
#include "model/parse_steps.hpp"

namespace fitmygpu::model {

using nlohmann::json;

namespace {

Mixer mixer_from_layer_type(const std::string& t, const std::string& field) {
    if (t == "full_attention" || t == "attention" || t == "global" || t == "full") return Mixer::FullAttention;
    if (t == "sliding_attention" || t == "sliding_window" || t == "local" || t == "sliding") return Mixer::SlidingAttention;
    if (t == "chunked_attention") return Mixer::ChunkedAttention;
    if (t == "linear_attention") return Mixer::LinearAttention;
    if (t == "mamba" || t == "mamba2") return Mixer::Mamba;
    fail("invalid_field", field, field + " has an unknown layer type \"" + t + "\"");
}

struct LayerKinds {
    std::vector<Mixer> mixers;
    std::vector<Ffn> ffns;
    i64 window = 0;  // sliding window or attention chunk of the sliding / chunked layers
};

// Each layer's mixer (and, for Nemotron-H and pure Mamba models, its FFN).
LayerKinds layer_kinds(const ConfigReader& r, const FamilyTraits& fam, const ModelGeometry& g) {
    const i64 L = g.n_layers;
    LayerKinds k;
    k.mixers.assign(static_cast<size_t>(L), g.mla.kv_lora_rank > 0 ? Mixer::Mla : Mixer::FullAttention);
    k.ffns.assign(static_cast<size_t>(L), Ffn::Dense);
    auto& mixers = k.mixers;
    auto& ffns = k.ffns;
    i64& window = k.window;
    window = r.opt("sliding_window", 0, bounds::kPositions);

    if (r.optional_array("layer_types")) {
        const std::vector<std::string> lt = r.strings("layer_types");
        if (static_cast<i64>(lt.size()) != L)
            fail("invalid_field", r.path("layer_types"), r.path("layer_types") + " must list one entry per layer (" + std::to_string(L) + ")");
        for (i64 i = 0; i < L; ++i) {
            mixers[i] = mixer_from_layer_type(lt[static_cast<size_t>(i)], r.path("layer_types", static_cast<size_t>(i)));
            if (mixers[i] == Mixer::FullAttention && g.mla.kv_lora_rank > 0) mixers[i] = Mixer::Mla;
        }
    } else if (r.optional_array("layers_block_type")) {
        const std::vector<std::string> lt = r.strings("layers_block_type");
        if (static_cast<i64>(lt.size()) != L)
            fail("invalid_field", r.path("layers_block_type"), r.path("layers_block_type") + " must list one entry per layer (" + std::to_string(L) + ")");
        for (i64 i = 0; i < L; ++i) mixers[i] = mixer_from_layer_type(lt[static_cast<size_t>(i)], r.path("layers_block_type", static_cast<size_t>(i)));
    } else if (g.linear.kind == LinearAttentionSpec::Kind::KimiDelta) {
        // linear_attn_config lists 1-based layer numbers; full_attn_layers use MLA (or plain attention).
        for (i64 i = 0; i < L; ++i) mixers[i] = Mixer::LinearAttention;
        for (const i64 n : r.object("linear_attn_config").integers("full_attn_layers", 1, L))
            mixers[static_cast<size_t>(n - 1)] = g.mla.kv_lora_rank > 0 ? Mixer::Mla : Mixer::FullAttention;
    } else if (g.linear.kind == LinearAttentionSpec::Kind::Lightning) {
        // 1: softmax attention, 0: lightning attention (MiniMaxText01Config.attn_type_list).
        const std::vector<i64> at = r.integers("attn_type_list", 0, 1);
        if (static_cast<i64>(at.size()) != L) fail("invalid_field", r.path("attn_type_list"), r.path("attn_type_list") + " must have one entry per layer");
        for (i64 i = 0; i < L; ++i) mixers[i] = at[static_cast<size_t>(i)] == 1 ? Mixer::FullAttention : Mixer::LinearAttention;
    } else if (fam.layout == LayerLayout::AlternatingSliding) {
        for (i64 i = 0; i < L; ++i) mixers[i] = (i % 2 == 0) ? Mixer::SlidingAttention : Mixer::FullAttention;
    } else if (fam.layout == LayerLayout::SlidingPattern || (window > 0 && r.has("sliding_window_pattern"))) {
        // Gemma 3 (default 6) and Cohere2 (Command R7B, 4): layer i is global when (i + 1) % pattern == 0.
        i64 pattern = r.opt("sliding_window_pattern", fam.layout == LayerLayout::SlidingPattern ? fam.period : 0, bounds::kLayers);
        for (i64 i = 0; i < L; ++i) mixers[i] = (pattern > 0 && (i + 1) % pattern == 0) ? Mixer::FullAttention : Mixer::SlidingAttention;
    } else if (fam.layout == LayerLayout::FullAttentionInterval) {
        i64 interval = r.opt("full_attention_interval", fam.period, bounds::kLayers);
        for (i64 i = 0; i < L; ++i) mixers[i] = (interval > 0 && (i + 1) % interval == 0) ? Mixer::FullAttention : Mixer::LinearAttention;
    } else if (fam.layout == LayerLayout::ChunkedLocal) {
        window = r.opt("attention_chunk_size", fam.chunk, bounds::kPositions);
        // no_rope_layers: 1 for a layer that uses RoPE (chunked), 0 for a global NoPE layer (Llama4TextConfig).
        const std::vector<i64> no_rope = r.integers("no_rope_layers", 0, 1);
        if (static_cast<i64>(no_rope.size()) == L) {
            for (i64 i = 0; i < L; ++i) mixers[i] = no_rope[static_cast<size_t>(i)] != 0 ? Mixer::ChunkedAttention : Mixer::FullAttention;
        } else {
            for (i64 i = 0; i < L; ++i) mixers[i] = ((i + 1) % fam.period == 0) ? Mixer::FullAttention : Mixer::ChunkedAttention;
        }
    } else if (fam.layout == LayerLayout::HybridPattern) {
        const std::string pat = r.str("hybrid_override_pattern");
        // Nemotron-H 'E' layers are MoE blocks: without an expert count they would be layers of no experts.
        if (pat.find('E') != std::string::npos && g.moe.n_experts == 0)
            fail("missing_field", r.path("num_experts"),
                 r.path("hybrid_override_pattern") + " has MoE ('E') layers, so " + r.path("num_experts") + " is required");
        if (static_cast<i64>(pat.size()) != L)
            fail("invalid_field", r.path("hybrid_override_pattern"), r.path("hybrid_override_pattern") + " must have one character per layer");
        for (i64 i = 0; i < L; ++i) {
            char ch = pat[static_cast<size_t>(i)];
            if (ch == 'M') {
                mixers[i] = Mixer::Mamba;
                ffns[i] = Ffn::None;
            } else if (ch == '*') {
                mixers[i] = Mixer::FullAttention;
                ffns[i] = Ffn::None;
            } else if (ch == '-') {
                mixers[i] = Mixer::None;
                ffns[i] = Ffn::Dense;
            } else if (ch == 'E') {
                mixers[i] = Mixer::None;
                ffns[i] = Ffn::Moe;
            } else
                fail("invalid_field", r.path("hybrid_override_pattern"),
                     "unknown layer code '" + std::string(1, ch) + "' in " + r.path("hybrid_override_pattern"));
        }
    } else if (fam.layout == LayerLayout::AllMamba) {
        for (i64 i = 0; i < L; ++i) {
            mixers[i] = Mixer::Mamba;
            ffns[i] = Ffn::None;
        }
    } else if (fam.layout == LayerLayout::PeriodicAttention) {
        i64 period = r.opt("attn_layer_period", fam.period, bounds::kLayers), offset = r.opt("attn_layer_offset", fam.offset, bounds::kLayers);
        for (i64 i = 0; i < L; ++i) mixers[i] = (period > 0 && i % period == offset) ? Mixer::FullAttention : Mixer::Mamba;
    } else if (window > 0) {
        // Mistral-style: sliding_window applies to every layer. Qwen2-style configs carry a window that is
        // only used when use_sliding_window is true, and then only for layers >= max_window_layers.
        const bool qwen_style = r.has("use_sliding_window");
        if (qwen_style && !r.flag("use_sliding_window", false)) {
            window = 0;
        } else {
            i64 first_swa = qwen_style ? r.opt("max_window_layers", 0, bounds::kLayers) : 0;
            for (i64 i = first_swa; i < L; ++i) mixers[i] = Mixer::SlidingAttention;
        }
    }
    return k;
}

// Llama 3.2 Vision (mllama): cross-attention layers interleaved with the self-attention ones; they attend to
// the vision encoder's states (tiles × (patches + 1) per image) and the embedding table has 8 extra rows.
void mark_cross_attention(const ConfigReader& r, const ConfigReader& top, LayerKinds& k, ModelGeometry& g) {
    if (!r.optional_array("cross_attention_layers")) return;
    for (const i64 i : r.integers("cross_attention_layers", 0, g.n_layers - 1)) k.mixers[static_cast<size_t>(i)] = Mixer::CrossAttention;
    g.embd_extra_rows = 8;
    g.encoder_tokens_per_image = encoder_tokens_per_image(top);
}

// Which layers hold experts: every layer from first_k_dense_replace on, thinned by the step, interleave,
// frequency, period and index-range fields the families use, minus mlp_only_layers.
void place_moe_layers(const ConfigReader& r, const FamilyTraits& fam, const ModelGeometry& g, LayerKinds& k) {
    if (!g.is_moe()) return;
    const i64 L = g.n_layers;
    const i64 dense_first = r.opt("first_k_dense_replace", 0, bounds::kLayers);
    const i64 step = r.opt("decoder_sparse_step", 1, bounds::kLayers);
    const i64 interleave = r.opt("interleave_moe_layer_step", 1, bounds::kLayers);
    const std::vector<i64> mlp_only = r.integers("mlp_only_layers", 0, bounds::kLayers);
    const i64 moe_start = r.opt("moe_layer_start_index", 0, bounds::kLayers);
    const i64 moe_end = r.opt("moe_layer_end_index", L - 1, bounds::kLayers);
    const i64 moe_interval = std::max<i64>(1, r.opt("moe_layer_interval", 1, bounds::kLayers));
    i64 moe_freq = 1;
    if (r.has_number("moe_layer_freq")) moe_freq = r.positive("moe_layer_freq", bounds::kLayers);
    const i64 expert_period = r.has("expert_layer_period") ? r.positive("expert_layer_period", bounds::kLayers) : 0;
    const i64 expert_offset = r.opt("expert_layer_offset", 0, bounds::kLayers);
    for (i64 i = 0; i < L; ++i) {
        if (fam.layout == LayerLayout::HybridPattern) continue;  // set by the pattern
        bool moe = i >= dense_first;
        if (step > 1) moe = moe && ((i + 1) % step == 0);
        if (interleave > 1) moe = moe && ((i + 1) % interleave == 0);
        if (moe_freq > 1) moe = moe && (i % moe_freq == 0);
        if (expert_period > 0) moe = moe && (i % expert_period == expert_offset);  // Jamba: experts every period layers from the offset
        if (std::find(mlp_only.begin(), mlp_only.end(), i) != mlp_only.end()) moe = false;
        if (i < moe_start || i > moe_end || (i - moe_start) % moe_interval != 0) moe = false;
        k.ffns[i] = moe ? Ffn::Moe : Ffn::Dense;
    }
}

// One LayerSpec per layer from the kinds and the model-wide sizes.
void layer_specs(const ConfigReader& r, const FamilyTraits& fam, const LayerKinds& k, ModelGeometry& g) {
    const i64 L = g.n_layers;
    // Llama 4 interleaves dense layers of a larger width (intermediate_size_mlp) with MoE layers.
    const i64 dense_width =
        !fam.dense_width_key.empty() && r.has(fam.dense_width_key.data()) ? r.positive(fam.dense_width_key.data(), bounds::kIntermediate) : g.intermediate;

    g.layers.resize(static_cast<size_t>(L));
    for (i64 i = 0; i < L; ++i) {
        LayerSpec& l = g.layers[static_cast<size_t>(i)];
        l.mixer = k.mixers[static_cast<size_t>(i)];
        l.ffn = k.ffns[static_cast<size_t>(i)];
        l.ffn_intermediate = l.ffn == Ffn::Dense ? dense_width : 0;
        l.n_heads = g.n_heads;
        l.n_kv_heads = g.n_kv_heads;
        l.head_dim_k = g.head_dim;
        l.head_dim_v = g.head_dim;
        l.parallel_mamba = fam.parallel_mamba;  // Falcon-H1 runs attention and an SSM side by side in every layer
        if (l.mixer == Mixer::SlidingAttention || l.mixer == Mixer::ChunkedAttention) {
            if (k.window <= 0) fail("missing_field", r.path("sliding_window"), "sliding-window layers need " + r.path("sliding_window"));
            l.window = k.window;
            // A window as long as every position the model takes (Phi-3.5's 262,144 over 131,072) never slides.
            if (g.max_position_embeddings > 0 && k.window >= g.max_position_embeddings) {
                l.mixer = Mixer::FullAttention;
                l.window = 0;
            }
        }
        if (l.mixer == Mixer::Mla) {
            l.n_kv_heads = 1;  // one latent "head" per token
            l.head_dim_k = g.mla.kv_lora_rank + g.mla.qk_rope_head_dim;
            l.head_dim_v = 0;  // V is decompressed from the same latent
        }
    }
}

// Gemma 3n / Gemma 4: global layers with their own head width and KV-head count, V tied to K, the last
// num_kv_shared_layers layers reusing the KV of the last earlier layer of the same kind (and, with
// use_double_wide_mlp, an MLP twice as wide), per-layer input embeddings, AltUp and LAuReL (3n), and a
// MoE block beside the dense MLP (Gemma 4 26B-A4B).
void apply_gemma_extras(const ConfigReader& r, const FamilyTraits& fam, const std::vector<i64>& widths_per_layer, ModelGeometry& g) {
    const i64 L = g.n_layers;
    const i64 global_hd = r.opt("global_head_dim", 0, bounds::kHeadDim);
    // Gemma 4's full-attention layers rope with parameters of their own (rope_parameters.full_attention, "proportional":
    // frequencies past partial_rotary_factor are zero, so the engines' cos/sin table spans the whole 512-wide head)
    // beside the sliding layers' table: a second table of max_position_embeddings x global_head_dim.
    if (global_hd > 0 && r.has_object("rope_parameters") && r.object("rope_parameters").has_object("full_attention")) g.global_rope_dim = global_hd;
    const i64 global_kv = r.opt("num_global_key_value_heads", 0, bounds::kHeads);
    if (global_kv > g.n_heads)
        fail("invalid_field", r.path("num_global_key_value_heads"), r.path("num_global_key_value_heads") + " cannot exceed num_attention_heads");
    const bool k_eq_v = r.flag("attention_k_eq_v", false);
    const i64 shared = std::min<i64>(r.opt("num_kv_shared_layers", 0, bounds::kLayers), L);
    const i64 first_shared = L - shared;
    const bool double_wide = r.flag("use_double_wide_mlp", false);
    for (i64 i = 0; i < L; ++i) {
        LayerSpec& l = g.layers[static_cast<size_t>(i)];
        if (i < static_cast<i64>(widths_per_layer.size())) l.ffn_intermediate = widths_per_layer[static_cast<size_t>(i)];
        if (l.mixer == Mixer::FullAttention) {
            if (global_hd > 0) l.head_dim_k = l.head_dim_v = global_hd;
            if (global_kv > 0) l.n_kv_heads = global_kv;
            l.v_from_k = k_eq_v;
        }
        if (i >= first_shared) {
            for (i64 j = first_shared - 1; j >= 0; --j)
                if (g.layers[static_cast<size_t>(j)].mixer == l.mixer) {
                    l.kv_source = static_cast<int>(j);
                    break;
                }
            if (double_wide) l.ffn_intermediate *= 2;
        }
        if (g.is_moe()) l.ffn_intermediate = g.intermediate;  // the dense MLP runs beside the experts
    }
    g.ple_dim = r.opt("hidden_size_per_layer_input", 0, bounds::kHidden);
    g.ple_vocab = g.ple_dim > 0 ? r.opt("vocab_size_per_layer_input", g.vocab, bounds::kVocab) : 0;
    if (fam.altup_inputs > 0) g.altup_inputs = r.opt("altup_num_inputs", fam.altup_inputs, bounds::kStreams);
    if (fam.laurel_rank > 0) g.laurel_rank = r.opt("laurel_rank", fam.laurel_rank, bounds::kRank);
}

// Nemotron-NAS (DeciLM): per-layer block_configs chosen by neural architecture search — attention
// with its own KV-head count, removed, or replaced by a linear; FFN width = ffn_mult × 2/3 × hidden
// rounded up to 256 (DeciLM _ffn_mult_to_intermediate_size), removed, or replaced by a linear.
void apply_block_configs(const ConfigReader& r, ModelGeometry& g) {
    const i64 L = g.n_layers;
    const size_t n = r.raw().at("block_configs").size();
    if (static_cast<i64>(n) != L) fail("invalid_field", r.path("block_configs"), r.path("block_configs") + " must have one entry per layer");
    static const json kNone = json::object();
    for (size_t i = 0; i < n; ++i) {
        LayerSpec& l = g.layers[i];
        const ConfigReader b = r.element("block_configs", i);
        const ConfigReader a = b.optional_object("attention") ? b.object("attention") : ConfigReader(kNone, b.path("attention"));
        const ConfigReader f = b.optional_object("ffn") ? b.object("ffn") : ConfigReader(kNone, b.path("ffn"));
        if (a.flag("no_op", false)) l.mixer = Mixer::None;
        else if (a.flag("replace_with_linear", false)) {
            l.mixer = Mixer::None;
            l.attn_linear = true;
        } else {
            const i64 group = a.has("n_heads_in_group") ? a.positive("n_heads_in_group", g.n_heads) : 1;
            if (g.n_heads % group != 0)
                fail("invalid_field", a.path("n_heads_in_group"),
                     a.path("n_heads_in_group") + " must divide the head count (" + std::to_string(g.n_heads) + ")");
            l.n_kv_heads = g.n_heads / group;
        }
        if (f.flag("no_op", false)) {
            l.ffn = Ffn::None;
            l.ffn_intermediate = 0;
        } else if (f.flag("replace_with_linear", false)) {
            l.ffn = Ffn::None;
            l.ffn_intermediate = 0;
            l.ffn_linear = true;
        } else {
            if (!f.has("ffn_mult")) fail("missing_field", f.path("ffn_mult"), f.path("ffn_mult") + " is required for an FFN that is neither no_op nor linear");
            const double mult = positive_real(f.raw().at("ffn_mult"), f.path("ffn_mult"), bounds::kMaxFfnMult);
            // Both factors are bounded, so the width is a finite double far below 2^63 before it is converted.
            const double width = 2.0 * mult * static_cast<double>(g.hidden) / 3.0;
            if (width > static_cast<double>(bounds::kIntermediate))
                fail("invalid_field", f.path("ffn_mult"),
                     f.path("ffn_mult") + " gives an FFN width of " + std::to_string(static_cast<i64>(width)) + ", beyond what any model uses (at most " +
                         std::to_string(bounds::kIntermediate) + ")");
            l.ffn = Ffn::Dense;
            l.ffn_intermediate = round_up(static_cast<i64>(width), 256);
        }
    }
    g.n_kv_heads = 0;
    for (const auto& l : g.layers) g.n_kv_heads = std::max(g.n_kv_heads, l.mixer == Mixer::None ? 0 : l.n_kv_heads);
}

}  // namespace

void build_layers(const ConfigReader& r, const ConfigReader& top, const FamilyTraits& fam, const std::vector<i64>& widths_per_layer, ModelGeometry& g) {
    LayerKinds kinds = layer_kinds(r, fam, g);
    mark_cross_attention(r, top, kinds, g);
    place_moe_layers(r, fam, g, kinds);

    const bool per_layer_ffn = r.optional_array("block_configs");
    if (!per_layer_ffn && std::any_of(kinds.ffns.begin(), kinds.ffns.end(), [](Ffn f) { return f == Ffn::Dense; }) && g.intermediate == 0)
        fail("missing_field", r.path("intermediate_size"), r.path("intermediate_size") + " is required");
    if (std::any_of(kinds.mixers.begin(), kinds.mixers.end(), [](Mixer m) { return m == Mixer::LinearAttention; }) && g.linear.n_value_heads == 0)
        fail("missing_field", r.path("linear_num_value_heads"), "linear-attention layers need " + r.path("linear_num_value_heads"));

    layer_specs(r, fam, kinds, g);
    if (fam.gemma_layer_extras) apply_gemma_extras(r, fam, widths_per_layer, g);
    if (per_layer_ffn) apply_block_configs(r, g);
}

}  // namespace fitmygpu::model
