// The steps of parse_geometry (core/src/geometry.cpp), in the order it runs them. Each reads its part of
// the config through a ConfigReader — `text` over the text model (a nested text_config merged over the top
// level), `top` over the config as given — and fills its part of the ModelGeometry.
#pragma once
#include <string>
#include <vector>

#include "fitmygpu/geometry.hpp"
#include "model/config_reader.hpp"
#include "model/families.hpp"

namespace fitmygpu::model {

// ---- text_model.cpp: the text model's sizes ----
// model_type, architecture, dtype, rope type. Returns the text model's model_type (a nested text_config's own,
// else the top level's), the key of its FamilyTraits row.
std::string read_identity(const ConfigReader& top, const ConfigReader& text, ModelGeometry& g);
// hidden, layers, vocab, context, attention heads and widths, FFN width. Returns the per-layer FFN widths
// when intermediate_size is a list (Gemma 3n), else nothing.
std::vector<i64> read_dimensions(const ConfigReader& text, const FamilyTraits& family, ModelGeometry& g);
// Tied embeddings, biases, q/k norms, sinks, norms per layer, gated MLP.
void read_block_shape(const ConfigReader& text, const FamilyTraits& family, ModelGeometry& g);
// Experts, shared experts, router details; a dense Granite 4's MLP width; the attention output gate.
void read_moe(const ConfigReader& text, const FamilyTraits& family, ModelGeometry& g);
// Multi-head latent attention and the DeepSeek sparse-attention indexer.
void read_mla(const ConfigReader& text, ModelGeometry& g);
// Gated DeltaNet, Kimi Delta Attention or lightning attention sizes.
void read_linear_attention(const ConfigReader& text, ModelGeometry& g);
// Mamba SSM sizes.
void read_mamba(const ConfigReader& text, const FamilyTraits& family, ModelGeometry& g);
// Multi-token-prediction layers shipped with the weights.
void read_mtp(const ConfigReader& text, ModelGeometry& g);
// The recurrent state's dtype the config asks for (mamba_ssm_cache_dtype / mamba_ssm_dtype).
void read_state_dtype(const ConfigReader& top, ModelGeometry& g);
// Rejects sizes beyond any real model, which keeps every byte count a 64-bit integer.
void check_bounds(const ConfigReader& text, const ModelGeometry& g);

// ---- layer_layout.cpp: one LayerSpec per layer ----
// Which layer is full / sliding / chunked / MLA / linear / Mamba / cross-attention, where the MoE layers are,
// and each layer's heads, widths and KV sharing.
void build_layers(const ConfigReader& text, const ConfigReader& top, const FamilyTraits& family, const std::vector<i64>& widths_per_layer, ModelGeometry& g);

// ---- vision.cpp: the vision / audio side ----
// The encoder's size estimate, heads and image geometry from vision_config; mm_tokens_per_image.
void read_vision(const ConfigReader& top, ModelGeometry& g);
// Cross-attention models (Llama 3.2 Vision): encoder states one image leaves, max_num_tiles × (patches + 1);
// 0 without a usable vision_config.
i64 encoder_tokens_per_image(const ConfigReader& top);

// ---- quantization.cpp ----
// config.quantization_config (top level), as stated.
void read_quantization(const ConfigReader& top, ModelGeometry& g);

}  // namespace fitmygpu::model
