// Model geometry: what a Hugging Face config.json says about a model's shape, normalised into one
// structure with one entry per layer. Everything downstream (tensor inventory, KV layout, engines)
// reads this, never the raw config.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "fitmygpu/units.hpp"

namespace fitmygpu {

// Bounds on the sizes a config.json may state, checked where each field is read (model/config_reader). Each is
// well above every published model (the catalog's largest in brackets) and small enough that products of the
// bounded factors stay far inside 64 bits; a config beyond one is refused naming the field.
namespace config_bounds {
inline constexpr i64 kHidden = i64{1} << 18;        // hidden_size, d_model [16,384: Llama 3.1 405B]
inline constexpr i64 kIntermediate = i64{1} << 19;  // MLP and expert widths [53,248: Llama 3.1 405B]
inline constexpr i64 kLayers = i64{1} << 12;        // num_hidden_layers, and any layer index or period [126]
inline constexpr i64 kHeads = i64{1} << 12;         // attention, KV, linear-attention and Mamba heads [128]
inline constexpr i64 kHeadDim = i64{1} << 14;       // head_dim, MLA and linear-attention head widths [512]
inline constexpr i64 kExperts = i64{1} << 11;       // routed experts, experts per token, shared experts [512]
inline constexpr i64 kVocab = i64{1} << 24;         // vocab_size [262,400: Gemma 3n]
inline constexpr i64 kPositions = i64{1} << 24;     // max_position_embeddings, sliding windows, chunks; also the
                                                    // largest context a request may ask (kMaxContext) [10,485,760]
inline constexpr i64 kRank = i64{1} << 16;          // low-rank widths: q_lora_rank, kv_lora_rank, LAuReL, dt_rank
inline constexpr i64 kStateSize = i64{1} << 12;     // ssm_state_size [256: Falcon-H1]
inline constexpr i64 kConvKernel = 64;              // short-convolution widths [4]
inline constexpr i64 kExpand = 64;                  // Mamba expand factor [16: Falcon-Mamba]
inline constexpr i64 kStreams = 64;                 // AltUp streams [4: Gemma 3n]
// Published checkpoints ship one to three multi-token-prediction modules; more are refused rather than
// modelled layer by layer.
inline constexpr i64 kMtpLayers = 64;
inline constexpr double kMaxRopeFactor = 1024;  // rope_scaling.factor (DeepSeek-V3's YaRN 40, Gemma 3's linear 8)
inline constexpr double kMaxFfnMult = 64;       // Nemotron-NAS block_configs ffn_mult [5.25]
// vision_config: pixels per image edge, patches merged per side, channels and frames per patch, tiles per image,
// and the tokens one image becomes (the largest real encoders read 1,540 px and give a few thousand tokens).
inline constexpr i64 kImagePixels = 100000;
inline constexpr i64 kSpatialMerge = 64;
inline constexpr i64 kChannels = 16;
inline constexpr i64 kTiles = 64;
inline constexpr i64 kTokensPerImage = i64{1} << 20;
}  // namespace config_bounds

// What a layer's token mixer keeps per sequence. This decides the KV cache / state model.
enum class Mixer {
    FullAttention,     // K and V for every token of the context
    SlidingAttention,  // K and V for the last `window` tokens (Gemma 2/3, gpt-oss, Mistral v0.1)
    ChunkedAttention,  // local attention inside chunks of `window` tokens (Llama 4)
    Mla,               // multi-head latent attention: one compressed latent + rope key per token (DeepSeek)
    LinearAttention,   // Gated DeltaNet style: fixed recurrent state + conv buffer (Qwen3-Next, Qwen3.5)
    Mamba,             // Mamba/Mamba-2 SSM: fixed SSM state + conv buffer
    None,              // no token mixer in this block (Nemotron-H MLP-only / MoE-only blocks)
    CrossAttention,    // attends to the image encoder's states, not to the context (Llama 3.2 Vision): its K and V
                       // cover the encoder tokens of the request's images and do not grow with the context
};

enum class Ffn { Dense, Moe, None };

struct LayerSpec {
    Mixer mixer = Mixer::FullAttention;
    i64 window = 0;      // sliding window or attention chunk, tokens
    i64 n_heads = 0;     // query heads
    i64 n_kv_heads = 0;  // key/value heads (per layer; some models vary it)
    i64 head_dim_k = 0;  // per-head K (and Q) width
    i64 head_dim_v = 0;  // per-head V width
    int kv_source = -1;  // >= 0: reuses the KV of that earlier layer (Gemma 3n "KV sharing")
    Ffn ffn = Ffn::Dense;
    i64 ffn_intermediate = 0;     // dense FFN width of this layer
    bool parallel_mamba = false;  // Falcon-H1: an SSM mixer runs beside attention in the same layer
    bool v_from_k = false;        // Gemma 4 attention_k_eq_v (full layers): V reuses the K projection, no v_proj
    bool attn_linear = false;     // Nemotron-NAS (DeciLM): attention replaced by one hidden×hidden linear
    bool ffn_linear = false;      // Nemotron-NAS: FFN replaced by one hidden×hidden linear
};

struct MoeSpec {
    i64 n_experts = 0;
    i64 n_experts_per_tok = 0;
    i64 expert_intermediate = 0;
    i64 n_shared_experts = 0;  // shared experts of width shared_intermediate each
    i64 shared_intermediate = 0;
    bool shared_expert_gate = false;     // Qwen2-MoE / Qwen3-Next: a sigmoid gate [1, hidden] on the shared expert
    bool router_bias = false;            // gpt-oss: router has a bias
    bool expert_bias = false;            // gpt-oss: expert projections have biases
    bool score_correction_bias = false;  // DeepSeek-V3: e_score_correction_bias [n_experts]
    bool gated = true;                   // SwiGLU-style gate+up (false: up/down only, e.g. relu2 Nemotron-H)
};

struct MlaSpec {
    i64 q_lora_rank = 0;  // 0 = no q compression (DeepSeek-V2-Lite)
    i64 kv_lora_rank = 0;
    i64 qk_nope_head_dim = 0;
    i64 qk_rope_head_dim = 0;
    i64 v_head_dim = 0;
};

// DeepSeek Sparse Attention (DeepSeek-V3.2): a "lightning indexer" per MLA layer scores every cached token with
// index_n_heads small heads over one index_head_dim-wide key per token, and attention reads the top index_topk.
// The indexer keys are a second per-token cache beside the MLA latent.
struct DsaSpec {
    i64 n_heads = 0;   // index_n_heads
    i64 head_dim = 0;  // index_head_dim (0 = no indexer)
    i64 topk = 0;      // index_topk
};

// Gated DeltaNet (Qwen3-Next / Qwen3.5 "linear_attention" layers).
struct LinearAttentionSpec {
    enum class Kind { GatedDeltaNet, KimiDelta, Lightning };
    Kind kind = Kind::GatedDeltaNet;  // Qwen3-Next/3.5 GDN; Kimi Linear KDA; MiniMax lightning attention
    i64 n_key_heads = 0;
    i64 n_value_heads = 0;
    i64 key_head_dim = 0;
    i64 value_head_dim = 0;
    i64 conv_kernel = 0;  // 0 or 1: no short convolution (lightning attention)
};

// Mamba-2 style SSM layers (Nemotron-H, Granite 4, Falcon-H1, Codestral Mamba).
struct MambaSpec {
    i64 d_inner = 0;  // expand * hidden (or n_heads * head_dim)
    i64 d_state = 0;
    i64 n_groups = 1;
    i64 n_heads = 0;  // Mamba-2 heads (dt, A, D are per head)
    i64 conv_kernel = 4;
    bool conv_bias = true;
    bool out_norm = true;  // gated RMSNorm before out_proj (Mamba-2)
    bool mamba1 = false;   // Mamba-1 layout (Falcon-Mamba): x_proj/dt_proj, A of shape [d_inner, d_state]
    i64 dt_rank = 0;       // Mamba-1 only
};

struct VisionSpec {
    bool present = false;  // `params` could be estimated from vision_config
    i64 params = 0;        // vision/audio encoder + projector parameters
    std::string note;      // how `params` was derived
    // As the config states them (0 = not stated, or not a positive whole number):
    i64 num_heads = 0;            // vision_config.num_attention_heads (else num_heads): the encoder's attention heads
    i64 image_size = 0;           // vision_config.image_size: the input edge the encoder is built for, pixels
    i64 patch_size = 0;           // vision_config.patch_size: patch edge, pixels
    i64 spatial_merge_size = 0;   // vision_config.spatial_merge_size: patches merged per side into one LLM token (Qwen-VL: 2)
    i64 mm_tokens_per_image = 0;  // config.mm_tokens_per_image: LLM tokens per image fixed by the model (Gemma 3: 256)
    bool config_stated = false;   // the config has a vision_config object
    i64 num_hidden_layers = 0;    // vision_config.num_hidden_layers under that name only (SGLang's VLM reserve reads it so)
    i64 hidden_size = 0;          // vision_config.hidden_size under that name only
    // Qwen-VL towers (Qwen2-VL to Qwen3.6) read images at their own resolution: Conv3d patches of in_channels ×
    // temporal_patch_size × patch_size² values, merged spatial_merge_size² to one token.
    i64 intermediate_size = 0;    // vision_config.intermediate_size: the MLP width
    i64 in_channels = 0;          // vision_config.in_channels (else in_chans)
    i64 temporal_patch_size = 0;  // vision_config.temporal_patch_size: frames per patch (an image is repeated to fill them)
    bool gated_mlp = false;       // hidden_act silu: a gate-and-up MLP (Qwen2.5-VL); gelu: fc1 then fc2 (Qwen3-VL, Qwen3.5)
    i64 max_num_tiles = 0;        // vision_config.max_num_tiles: tiles of image_size² an image is cut into (mllama: 4)
    i64 intermediate_layers = 0;  // entries of vision_config.intermediate_layers_indices: layer inputs kept as features

    // (image_size / patch_size)²: patches the encoder sees in one image at its native size; 0 without both sizes.
    i64 patches_per_image() const;
    // patches_per_image() / spatial_merge_size² (merge 1 when not stated): the LLM tokens that grid leaves.
    i64 grid_tokens_per_image() const;
    // A Qwen-VL dynamic-resolution tower whose MLP the config sizes: temporal_patch_size, spatial_merge_size,
    // hidden_size and intermediate_size all stated.
    bool dynamic_resolution() const;
};

// config.quantization_config as the checkpoint ships it (a 16-bit checkpoint has none). Values are as stated;
// numbers 0 and strings "" when not stated.
struct QuantizationSpec {
    bool present = false;                // the config has a quantization_config object
    std::string quant_method;            // lower-cased: "fp8", "mxfp4", "awq", "gptq", "compressed-tensors", "modelopt", ...
    i64 bits = 0;                        // bits (AWQ w_bit): weight bits of AWQ / GPTQ checkpoints
    i64 group_size = 0;                  // group_size (AWQ q_group_size): weights per scale; -1 = one group per column (GPTQ)
    std::vector<i64> weight_block_size;  // block-wise fp8 scales, e.g. [128, 128] (DeepSeek-V3); empty = not block-wise
    std::string fmt;                     // element format, e.g. "e4m3", "float8_e4m3fn"
    std::string activation_scheme;       // "dynamic" or "static"
    std::string quant_algo;              // ModelOpt's, upper-cased: "FP8", "NVFP4", "W4A8_AWQ", ...
    // Modules left unquantized: modules_to_not_convert, ignore (compressed-tensors), ignored_layers,
    // exclude_modules (ModelOpt), in that order, e.g. "lm_head", "model.layers.*.self_attn", "re:.*mlp.gate$".
    std::vector<std::string> modules_not_quantized;
    bool compressed_fp8 = false;   // compressed-tensors with 8-bit float weights (config_groups.*.weights)
    bool compressed_int4 = false;  // compressed-tensors with 4-bit integer weights (pack-quantized, group_size per scale)
    bool symmetric = true;         // compressed-tensors int4: no zero points
    bool double_quant = false;     // bitsandbytes 4-bit: bnb_4bit_use_double_quant (block scales stored as uint8)
};

// The longest "re:" pattern an ignore list may hold.
inline constexpr size_t kMaxModulePattern = 512;

struct ModelGeometry {
    std::string model_type;
    std::string architecture;  // first entry of config.architectures
    i64 hidden = 0;
    i64 n_layers = 0;
    i64 n_heads = 0;
    i64 n_kv_heads = 0;
    i64 head_dim = 0;
    i64 vocab = 0;
    i64 gguf_vocab = 0;  // token_embd rows and n_vocab in a GGUF: vocab, or the tokenizer's size where vocab_size pads it
    i64 intermediate = 0;
    i64 max_position_embeddings = 0;
    bool tied_embeddings = false;
    bool qkv_bias = false;
    bool o_bias = false;
    bool mlp_bias = false;
    bool ffn_gated = true;                 // SwiGLU/GeGLU gate+up; false for plain up/down MLPs (relu^2 Nemotron-H)
    bool qk_norm = false;                  // per-head RMSNorm on q and k (Qwen3, Gemma 3, OLMo 2 uses full-width)
    bool qk_norm_full_width = false;       // OLMo 2: q_norm over n_heads*head_dim, k_norm over n_kv*head_dim
    bool attention_sinks = false;          // gpt-oss: one learned sink logit per head
    bool attn_output_gate = false;         // Qwen3-Next / Qwen3.5: q_proj also produces a per-head output gate (2× rows)
    int norms_per_layer = 2;               // 2 (pre-attn, pre-ffn) or 4 (Gemma 2/3 sandwich norms)
    bool norm_has_bias = false;            // LayerNorm with bias (Cohere, GPT-style)
    bool llamacpp_full_attention = false;  // llama.cpp ignores the sliding window (StarCoder2: its GGUF carries none)
    std::string dtype = "bfloat16";
    std::string mamba_ssm_cache_dtype;  // the recurrent state's dtype the config asks for ("float32"): text_config
                                        // mamba_ssm_dtype or mamba_ssm_cache_dtype, else the top level's
                                        // mamba_ssm_cache_dtype; "" = not stated (the model dtype)
    std::string rope_type;              // rope_scaling.rope_type (or .type): "llama3", "yarn", "linear", ... ; empty = none
    double rope_factor = 1;             // rope_scaling.factor (1 when none)
    i64 rope_original_positions = 0;    // rope_scaling.original_max_position_embeddings (YaRN), 0 = not stated
    double partial_rotary_factor = 1;   // the share of each head's dimensions rotary embedding turns (Qwen3-Next: 0.25)
    bool local_rope = false;            // Gemma 3: rope_local_base_freq, a second rope (unscaled) for the sliding layers
    i64 global_rope_dim = 0;            // Gemma 4: the full-attention layers' own rope, a table as wide as their heads
    MoeSpec moe;
    MlaSpec mla;
    DsaSpec dsa;
    LinearAttentionSpec linear;
    MambaSpec mamba;
    VisionSpec vision;
    i64 embd_extra_rows = 0;           // token_embd rows beyond vocab_size (Llama 3.2 Vision: 8 for its image tokens)
    i64 encoder_tokens_per_image = 0;  // cross-attention models: encoder states one image leaves (tiles × (patches + 1))
    i64 ple_dim = 0;                   // Gemma 3n / Gemma 4 "E" models: per-layer input embedding width
    i64 ple_vocab = 0;                 // ... and its vocabulary
    i64 altup_inputs = 0;              // Gemma 3n AltUp streams
    i64 laurel_rank = 0;               // Gemma 3n LAuReL low-rank residual
    int n_mtp_layers = 0;              // multi-token-prediction layers shipped with the checkpoint (not loaded by default)
    QuantizationSpec quantization;
    // The model_type has no family of its own (an architecture FitMyGPU does not know): the config was read as a
    // generic Llama-style decoder, and unread_fields lists its text model's fields that reading did not look at.
    bool generic_reading = false;
    std::vector<std::string> unread_fields;
    std::vector<LayerSpec> layers;

    bool is_moe() const { return moe.n_experts > 0; }
    i64 gguf_rows() const { return gguf_vocab > 0 ? gguf_vocab : vocab; }
    bool has(Mixer m) const;
    int count(Mixer m) const;
};

// Builds the geometry from a config.json object. Throws FieldError naming "config.<field>" when a
// needed field is missing or absurd. `field_prefix` is prepended to field names in errors.
ModelGeometry parse_geometry(const nlohmann::json& config, const std::string& field_prefix = "config");
// `config` with only the fields parse_geometry reads: every field it looks up that the config has (a nested object
// or array keeps only the entries read inside it, or all of it when it is read as a whole), so the geometry read from
// the result is the same as from `config`. A config read as a generic decoder comes back whole: its note lists the
// fields not read. The wasm module embeds the catalog's configs this way (scripts/lean-catalog). Throws as
// parse_geometry does.
nlohmann::json config_as_read(const nlohmann::json& config);
// What the estimate says about a config read as a generic decoder (generic_reading): its model_type, the reading
// used and the fields left unread; "" for a model_type with a family of its own.
std::string generic_reading_note(const ModelGeometry& g);
// A quantization_config object on its own (a catalog checkpoint's layout), read as parse_geometry reads the one in a
// config; errors name "<field_prefix>.quantization_config.<key>".
QuantizationSpec parse_quantization_config(const nlohmann::json& quantization_config, const std::string& field_prefix);

const char* mixer_name(Mixer m);

}  // namespace fitmygpu
