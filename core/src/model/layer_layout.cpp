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
    window = r.has_number("sliding_window") ? r.non_negative("sliding_window") : 0;
    const json& text = r.raw();

    if (r.has_array("layer_types")) {
        const json& lt = text.at("layer_types");
        if (static_cast<i64>(lt.size()) != L)
            fail("invalid_field", r.path("layer_types"), r.path("layer_types") + " must list one entry per layer (" + std::to_string(L) + ")");
        for (i64 i = 0; i < L; ++i) {
            if (!lt.at(i).is_string()) fail("invalid_field", r.path("layer_types"), r.path("layer_types") + " entries must be strings");
            mixers[i] = mixer_from_layer_type(lt.at(i).get<std::string>(), r.path("layer_types"));
            if (mixers[i] == Mixer::FullAttention && g.mla.kv_lora_rank > 0) mixers[i] = Mixer::Mla;
        }
    } else if (r.has_array("layers_block_type")) {
        const json& lt = text.at("layers_block_type");
        if (static_cast<i64>(lt.size()) != L)
            fail("invalid_field", r.path("layers_block_type"), r.path("layers_block_type") + " must list one entry per layer");
        for (i64 i = 0; i < L; ++i) mixers[i] = mixer_from_layer_type(lt.at(i).get<std::string>(), r.path("layers_block_type"));
    } else if (g.linear.kind == LinearAttentionSpec::Kind::KimiDelta) {
        // linear_attn_config lists 1-based layer numbers; full_attn_layers use MLA (or plain attention).
        for (i64 i = 0; i < L; ++i) mixers[i] = Mixer::LinearAttention;
        for (const auto& n : text.at("linear_attn_config").value("full_attn_layers", json::array())) {
            const i64 idx = n.get<i64>() - 1;
            if (idx < 0 || idx >= L)
                fail("invalid_field", r.path("linear_attn_config.full_attn_layers"), "layer numbers must be within 1.." + std::to_string(L));
            mixers[idx] = g.mla.kv_lora_rank > 0 ? Mixer::Mla : Mixer::FullAttention;
        }
    } else if (g.linear.kind == LinearAttentionSpec::Kind::Lightning) {
        const json& at = text.at("attn_type_list");
        if (static_cast<i64>(at.size()) != L) fail("invalid_field", r.path("attn_type_list"), r.path("attn_type_list") + " must have one entry per layer");
        for (i64 i = 0; i < L; ++i) mixers[i] = at.at(i).get<int>() == 1 ? Mixer::FullAttention : Mixer::LinearAttention;
    } else if (fam.layout == LayerLayout::AlternatingSliding) {
        for (i64 i = 0; i < L; ++i) mixers[i] = (i % 2 == 0) ? Mixer::SlidingAttention : Mixer::FullAttention;
    } else if (fam.layout == LayerLayout::SlidingPattern || (window > 0 && r.has("sliding_window_pattern"))) {
        // Gemma 3 (default 6) and Cohere2 (Command R7B, 4): layer i is global when (i + 1) % pattern == 0.
        i64 pattern = r.opt("sliding_window_pattern", fam.layout == LayerLayout::SlidingPattern ? fam.period : 0);
        for (i64 i = 0; i < L; ++i) mixers[i] = (pattern > 0 && (i + 1) % pattern == 0) ? Mixer::FullAttention : Mixer::SlidingAttention;
    } else if (fam.layout == LayerLayout::FullAttentionInterval) {
        i64 interval = r.opt("full_attention_interval", fam.period);
        for (i64 i = 0; i < L; ++i) mixers[i] = (interval > 0 && (i + 1) % interval == 0) ? Mixer::FullAttention : Mixer::LinearAttention;
    } else if (fam.layout == LayerLayout::ChunkedLocal) {
        window = r.opt("attention_chunk_size", fam.chunk);
        if (r.has_array("no_rope_layers") && static_cast<i64>(text.at("no_rope_layers").size()) == L) {
            for (i64 i = 0; i < L; ++i) mixers[i] = text.at("no_rope_layers").at(i).get<int>() != 0 ? Mixer::ChunkedAttention : Mixer::FullAttention;
        } else {
            for (i64 i = 0; i < L; ++i) mixers[i] = ((i + 1) % fam.period == 0) ? Mixer::FullAttention : Mixer::ChunkedAttention;
        }
    } else if (fam.layout == LayerLayout::HybridPattern) {
        const std::string pat = r.str("hybrid_override_pattern");
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
        i64 period = r.opt("attn_layer_period", fam.period), offset = r.opt("attn_layer_offset", fam.offset);
        for (i64 i = 0; i < L; ++i) mixers[i] = (period > 0 && i % period == offset) ? Mixer::FullAttention : Mixer::Mamba;
    } else if (window > 0) {
        // Mistral-style: sliding_window applies to every layer. Qwen2-style configs carry a window that is
        // only used when use_sliding_window is true, and then only for layers >= max_window_layers.
        const bool qwen_style = r.has("use_sliding_window");
        if (qwen_style && !r.flag("use_sliding_window", false)) {
            window = 0;
        } else {
            i64 first_swa = qwen_style ? r.opt("max_window_layers", 0) : 0;
            for (i64 i = first_swa; i < L; ++i) mixers[i] = Mixer::SlidingAttention;
        }
    }
    return k;
}

// Llama 3.2 Vision (mllama): cross-attention layers interleaved with the self-attention ones; they attend to
// the vision encoder's states (tiles × (patches + 1) per image) and the embedding table has 8 extra rows.
void mark_cross_attention(const ConfigReader& r, const ConfigReader& top, LayerKinds& k, ModelGeometry& g) {
    if (!r.has_array("cross_attention_layers")) return;
    const i64 L = g.n_layers;
    for (const auto& v : r.raw().at("cross_attention_layers")) {
        if (!v.is_number_integer() || v.get<i64>() < 0 || v.get<i64>() >= L)
            fail("invalid_field", r.path("cross_attention_layers"),
                 r.path("cross_attention_layers") + " entries must be layer indices below " + std::to_string(L));
        k.mixers[static_cast<size_t>(v.get<i64>())] = Mixer::CrossAttention;
    }
    g.embd_extra_rows = 8;
    g.encoder_tokens_per_image = encoder_tokens_per_image(top);
}

// Which layers hold experts: every layer from first_k_dense_replace on, thinned by the step, interleave,
// frequency, period and index-range fields the families use, minus mlp_only_layers.
void place_moe_layers(const ConfigReader& r, const FamilyTraits& fam, const ModelGeometry& g, LayerKinds& k) {
    if (!g.is_moe()) return;
    const i64 L = g.n_layers;
    const i64 dense_first = r.opt("first_k_dense_replace", 0);
    const i64 step = r.opt("decoder_sparse_step", 1);
    const i64 interleave = r.opt("interleave_moe_layer_step", 1);
    std::vector<i64> mlp_only;
    if (r.has_array("mlp_only_layers"))
        for (const auto& v : r.raw().at("mlp_only_layers")) mlp_only.push_back(v.get<i64>());
    const i64 moe_start = r.opt("moe_layer_start_index", 0);
    const i64 moe_end = r.has("moe_layer_end_index") ? r.non_negative("moe_layer_end_index") : L - 1;
    const i64 moe_interval = std::max<i64>(1, r.opt("moe_layer_interval", 1));
    i64 moe_freq = 1;
    if (r.has_number("moe_layer_freq")) moe_freq = r.positive("moe_layer_freq");
    for (i64 i = 0; i < L; ++i) {
        if (fam.layout == LayerLayout::HybridPattern) continue;  // set by the pattern
        bool moe = i >= dense_first;
        if (step > 1) moe = moe && ((i + 1) % step == 0);
        if (interleave > 1) moe = moe && ((i + 1) % interleave == 0);
        if (moe_freq > 1) moe = moe && (i % moe_freq == 0);
        if (r.has("expert_layer_period")) {  // Jamba: experts every expert_layer_period layers from the offset
            const i64 period = std::max<i64>(1, r.positive("expert_layer_period"));
            moe = moe && (i % period == r.opt("expert_layer_offset", 0));
        }
        if (std::find(mlp_only.begin(), mlp_only.end(), i) != mlp_only.end()) moe = false;
        if (i < moe_start || i > moe_end || (i - moe_start) % moe_interval != 0) moe = false;
        k.ffns[i] = moe ? Ffn::Moe : Ffn::Dense;
    }
}

// One LayerSpec per layer from the kinds and the model-wide sizes.
void layer_specs(const ConfigReader& r, const FamilyTraits& fam, const LayerKinds& k, ModelGeometry& g) {
    const i64 L = g.n_layers;
    // Llama 4 interleaves dense layers of a larger width (intermediate_size_mlp) with MoE layers.
    const i64 dense_width = !fam.dense_width_key.empty() && r.has(fam.dense_width_key.c_str()) ? r.positive(fam.dense_width_key.c_str()) : g.intermediate;

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
    const i64 global_hd = r.opt("global_head_dim", 0);
    const i64 global_kv = r.opt("num_global_key_value_heads", 0);
    const bool k_eq_v = r.flag("attention_k_eq_v", false);
    const i64 shared = std::min<i64>(r.opt("num_kv_shared_layers", 0), L);
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
    g.ple_dim = r.opt("hidden_size_per_layer_input", 0);
    g.ple_vocab = g.ple_dim > 0 ? r.opt("vocab_size_per_layer_input", g.vocab) : 0;
    if (fam.altup_inputs > 0) g.altup_inputs = r.opt("altup_num_inputs", fam.altup_inputs);
    if (fam.laurel_rank > 0) g.laurel_rank = r.opt("laurel_rank", fam.laurel_rank);
}

// Nemotron-NAS (DeciLM): per-layer block_configs chosen by neural architecture search — attention
// with its own KV-head count, removed, or replaced by a linear; FFN width = ffn_mult × 2/3 × hidden
// rounded up to 256 (DeciLM _ffn_mult_to_intermediate_size), removed, or replaced by a linear.
void apply_block_configs(const ConfigReader& r, ModelGeometry& g) {
    const i64 L = g.n_layers;
    const json& bc = r.raw().at("block_configs");
    if (static_cast<i64>(bc.size()) != L) fail("invalid_field", r.path("block_configs"), r.path("block_configs") + " must have one entry per layer");
    for (i64 i = 0; i < L; ++i) {
        LayerSpec& l = g.layers[static_cast<size_t>(i)];
        const json& a = bc.at(i).value("attention", json::object());
        const json& f = bc.at(i).value("ffn", json::object());
        if (a.value("no_op", false)) l.mixer = Mixer::None;
        else if (a.value("replace_with_linear", false)) {
            l.mixer = Mixer::None;
            l.attn_linear = true;
        } else {
            const i64 group = a.contains("n_heads_in_group") && a.at("n_heads_in_group").is_number() ? a.at("n_heads_in_group").get<i64>() : 1;
            if (group <= 0 || g.n_heads % group != 0)
                fail("invalid_field", r.path("block_configs") + "[" + std::to_string(i) + "].attention.n_heads_in_group",
                     "n_heads_in_group must divide the head count");
            l.n_kv_heads = g.n_heads / group;
        }
        if (f.value("no_op", false)) {
            l.ffn = Ffn::None;
            l.ffn_intermediate = 0;
        } else if (f.value("replace_with_linear", false)) {
            l.ffn = Ffn::None;
            l.ffn_intermediate = 0;
            l.ffn_linear = true;
        } else {
            const double mult = f.contains("ffn_mult") && f.at("ffn_mult").is_number() ? f.at("ffn_mult").get<double>() : 0.0;
            if (!(mult > 0)) fail("invalid_field", r.path("block_configs") + "[" + std::to_string(i) + "].ffn.ffn_mult", "ffn_mult must be positive");
            l.ffn = Ffn::Dense;
            l.ffn_intermediate = round_up(static_cast<i64>(2.0 * mult * static_cast<double>(g.hidden) / 3.0), 256);
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

    const bool per_layer_ffn = r.raw().contains("block_configs");
    if (!per_layer_ffn && std::any_of(kinds.ffns.begin(), kinds.ffns.end(), [](Ffn f) { return f == Ffn::Dense; }) && g.intermediate == 0)
        fail("missing_field", r.path("intermediate_size"), r.path("intermediate_size") + " is required");
    if (std::any_of(kinds.mixers.begin(), kinds.mixers.end(), [](Mixer m) { return m == Mixer::LinearAttention; }) && g.linear.n_value_heads == 0)
        fail("missing_field", r.path("linear_num_value_heads"), "linear-attention layers need " + r.path("linear_num_value_heads"));

    layer_specs(r, fam, kinds, g);
    if (fam.gemma_layer_extras) apply_gemma_extras(r, fam, widths_per_layer, g);
    if (r.has_array("block_configs")) apply_block_configs(r, g);
}

}  // namespace fitmygpu::model
