// One geometry test per row of the family-traits table (core/src/model/families.cpp): a representative
// catalog config (catalog/models/<id>.json "config") parsed and checked against the numbers its config.json
// states, written out here — layers, heads, KV heads, head width, FFN width, experts, window, how many layers
// of each kind — plus the quirks the row stands for. A family with no catalog model is tested on the closest
// catalog config relabelled with its model_type (the `edit`). The last test fails when a row has no case.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <set>

#include "fitmygpu/geometry.hpp"
#include "fitmygpu/tensors.hpp"
#include "helpers.hpp"
#include "model/families.hpp"

using namespace testing;
using fitmygpu::Ffn;
using fitmygpu::Mixer;
using fitmygpu::ModelGeometry;

namespace {

json catalog_config(const std::string& id) { return json::parse(read_text(std::string(FITMYGPU_SOURCE_DIR) + "/catalog/models/" + id + ".json")).at("config"); }

// What the config.json says, model-wide.
struct Shape {
    i64 layers = 0, heads = 0, kv_heads = 0, head_dim = 0, intermediate = 0;
    i64 experts = 0, experts_per_tok = 0, expert_intermediate = 0;
    i64 window = 0;  // of every sliding / chunked layer
};

// How many layers of each kind (mixer, and MoE FFN).
struct Kinds {
    int full = 0, sliding = 0, chunked = 0, mla = 0, linear = 0, mamba = 0, none = 0, cross = 0;
    int moe = 0;
};

struct FamilyCase {
    std::string row;    // FamilyTraits::key() of the row under test
    std::string model;  // catalog id of the config
    Shape shape;
    Kinds kinds;
    std::function<void(const ModelGeometry&)> quirks = [](const ModelGeometry&) {};
    std::function<void(json&)> edit = nullptr;  // relabels the config for a family without a catalog model
};

// Sets model_type (and a nested text_config's) to `type` and drops `drop` keys, so a catalog config stands
// for a family the catalog does not ship.
std::function<void(json&)> relabel(const std::string& type, std::vector<std::string> drop = {}) {
    return [type, drop](json& c) {
        c["model_type"] = type;
        if (c.contains("text_config")) c["text_config"]["model_type"] = type;
        for (const auto& k : drop) {
            c.erase(k);
            if (c.contains("text_config")) c["text_config"].erase(k);
        }
    };
}

std::string text_model_type(const json& c) {
    if (c.contains("text_config") && c.at("text_config").contains("model_type")) return c.at("text_config").at("model_type");
    return c.at("model_type");
}

int count_moe(const ModelGeometry& g) {
    return static_cast<int>(std::count_if(g.layers.begin(), g.layers.end(), [](const auto& l) { return l.ffn == Ffn::Moe; }));
}

// The GPT-NeoX-style block (GPT-2, StarCoder2, GPT-NeoX): biases on every linear, LayerNorms with bias, an ungated MLP.
void check_neox_block(const ModelGeometry& g) {
    CHECK_FALSE(g.ffn_gated);
    CHECK(g.qkv_bias);
    CHECK(g.o_bias);
    CHECK(g.mlp_bias);
    CHECK(g.norm_has_bias);
}
// The same, with the input embeddings tied to the output (GPT-2, OPT).
void check_tied_neox_block(const ModelGeometry& g) {
    CHECK(g.tied_embeddings);
    check_neox_block(g);
}

const std::vector<FamilyCase>& family_cases() {
    static const std::vector<FamilyCase> cases =
        {
            // ---- Llama-style: the generic reading ----
            {"llama",
             "llama-3.1-8b",
             {.layers = 32, .heads = 32, .kv_heads = 8, .head_dim = 128, .intermediate = 14336},
             {.full = 32},
             [](const ModelGeometry& g) {
                 CHECK_FALSE(g.tied_embeddings);
                 CHECK(g.rope_type == "llama3");
             }},
            // ---- Llama-style families with a quirk of their own; each count is the publisher's safetensors total ----
            // sliding_window 4096 with sliding_window_pattern 4: every fourth layer global. 32,003,216,384 parameters
            // (LGAI-EXAONE/EXAONE-4.0-32B): EXAONE 3.5 32B's 32,003,200,000 plus per-head q/k norms, 64 x 2 x 128.
            {"exaone4",
             "exaone-4.0-32b",
             {.layers = 64, .heads = 40, .kv_heads = 8, .head_dim = 128, .intermediate = 27392, .window = 4096},
             {.full = 16, .sliding = 48},
             [](const ModelGeometry& g) {
                 CHECK(g.layers[0].mixer == Mixer::SlidingAttention);
                 CHECK(g.layers[3].mixer == Mixer::FullAttention);
                 CHECK(g.qk_norm);
                 CHECK_FALSE(g.qk_norm_full_width);
                 CHECK(fitmygpu::build_inventory(g).total_params() == 32003216384);
             }},
            // layer_types: three sliding layers, then a global one. 32,233,522,176 parameters (allenai/Olmo-3-1125-32B);
            // the k norm spans the 8 KV heads (1,024), the q norm all 40 heads (5,120).
            {"olmo3",
             "olmo-3-32b",
             {.layers = 64, .heads = 40, .kv_heads = 8, .head_dim = 128, .intermediate = 27648, .window = 4096},
             {.full = 16, .sliding = 48},
             [](const ModelGeometry& g) {
                 CHECK(g.layers[3].mixer == Mixer::FullAttention);
                 CHECK(g.qk_norm_full_width);
                 CHECK(g.norms_per_layer == 2);
                 CHECK(fitmygpu::build_inventory(g).total_params() == 32233522176);
             }},
            // xIELU MLP: up and down only. 8,053,338,176 parameters (swiss-ai/Apertus-8B-Instruct-2509) include the
            // activation's two learned scalars per layer (alpha_p, alpha_n: 2 x 32 = 64), which hold no tensor here.
            {"apertus",
             "apertus-8b",
             {.layers = 32, .heads = 32, .kv_heads = 8, .head_dim = 128, .intermediate = 21504},
             {.full = 32},
             [](const ModelGeometry& g) {
                 CHECK_FALSE(g.ffn_gated);
                 CHECK(g.qk_norm);
                 CHECK_FALSE(g.qk_norm_full_width);
                 CHECK(fitmygpu::build_inventory(g).total_params() + 2 * 32 == 8053338176);
             }},
            // q/k/v biases without an o_proj bias, one MTP layer. XiaomiMiMo/MiMo-7B-Base holds 7,833,409,536 parameters,
            // 210,790,400 of them in the MTP layer (input_proj 8,192 -> 4,096: 33,554,432; attention with q/k/v biases:
            // 41,949,184; MLP 3 x 4,096 x 11,008: 135,266,304; five RMSNorms: 20,480), which the inventory leaves out.
            {"mimo",
             "mimo-7b",
             {.layers = 36, .heads = 32, .kv_heads = 8, .head_dim = 128, .intermediate = 11008},
             {.full = 36},
             [](const ModelGeometry& g) {
                 CHECK(g.qkv_bias);
                 CHECK_FALSE(g.o_bias);
                 CHECK(g.n_mtp_layers == 1);
                 CHECK(fitmygpu::build_inventory(g).total_params() == 7833409536 - 210790400);
             }},
            // scale_emb / scale_depth / dim_model_base add no tensor. 8,185,253,888 parameters (openbmb/MiniCPM4-8B).
            {"minicpm",
             "minicpm4-8b",
             {.layers = 32, .heads = 32, .kv_heads = 2, .head_dim = 128, .intermediate = 16384},
             {.full = 32},
             [](const ModelGeometry& g) {
                 CHECK_FALSE(g.tied_embeddings);
                 CHECK(fitmygpu::build_inventory(g).total_params() == 8185253888);
             }},
            {"mistral",
             "mistral-small-3.2-24b",
             {.layers = 40, .heads = 32, .kv_heads = 8, .head_dim = 128, .intermediate = 32768},
             {.full = 40},
             [](const ModelGeometry& g) {
                 CHECK(g.model_type == "mistral3");
                 CHECK(g.vision.num_heads == 16);
                 CHECK(g.vision.image_size == 1540);
                 CHECK(g.vision.patch_size == 14);
             }},
            {"mixtral",
             "mixtral-8x7b",
             {.layers = 32,
              .heads = 32,
              .kv_heads = 8,
              .head_dim = 128,
              .intermediate = 14336,
              .experts = 8,
              .experts_per_tok = 2,
              .expert_intermediate = 14336},
             {.full = 32, .moe = 32}},
            // sliding_window 262,144 is longer than max_position_embeddings 131,072: it never slides.
            {"phi3", "phi-3.5-mini", {.layers = 32, .heads = 32, .kv_heads = 32, .head_dim = 96, .intermediate = 8192}, {.full = 32}},
            {"phimoe",
             "phi-3.5-moe",
             {.layers = 32,
              .heads = 32,
              .kv_heads = 8,
              .head_dim = 128,
              .intermediate = 6400,
              .experts = 16,
              .experts_per_tok = 2,
              .expert_intermediate = 6400},
             {.full = 32, .moe = 32},
             [](const ModelGeometry& g) {
                 CHECK(g.qkv_bias);
                 CHECK(g.o_bias);
             }},
            {"granite",
             "granite-3.3-8b",
             {.layers = 40, .heads = 32, .kv_heads = 8, .head_dim = 128, .intermediate = 12800},
             {.full = 40},
             [](const ModelGeometry& g) { CHECK(g.tied_embeddings); }},
            // num_layers, not num_hidden_layers.
            {"exaone", "exaone-3.5-32b", {.layers = 64, .heads = 40, .kv_heads = 8, .head_dim = 128, .intermediate = 27392}, {.full = 64}},
            {"internlm3", "internlm3-8b", {.layers = 48, .heads = 32, .kv_heads = 2, .head_dim = 128, .intermediate = 10240}, {.full = 48}},
            {"seed_oss",
             "seed-oss-36b",
             {.layers = 64, .heads = 80, .kv_heads = 8, .head_dim = 128, .intermediate = 27648},
             {.full = 64},
             [](const ModelGeometry& g) {
                 CHECK(g.qkv_bias);
                 CHECK(g.o_bias);
             }},
            {"smollm3",
             "smollm3-3b",
             {.layers = 36, .heads = 16, .kv_heads = 4, .head_dim = 128, .intermediate = 11008},
             {.full = 36},
             [](const ModelGeometry& g) { CHECK(g.tied_embeddings); }},
            // cross_attention_layers [3, 8, ..., 38]; 4 tiles × ((560 / 14)² + 1) encoder states per image.
            {"mllama_text_model",
             "llama-3.2-11b-vision",
             {.layers = 40, .heads = 32, .kv_heads = 8, .head_dim = 128, .intermediate = 14336},
             {.full = 32, .cross = 8},
             [](const ModelGeometry& g) {
                 CHECK(g.layers[3].mixer == Mixer::CrossAttention);
                 CHECK(g.layers[38].mixer == Mixer::CrossAttention);
                 CHECK(g.embd_extra_rows == 8);
                 CHECK(g.encoder_tokens_per_image == 4 * (40 * 40 + 1));
                 CHECK(g.vision.patches_per_image() == 1600);
             }},
            // block_configs: 49 attention blocks with n_heads_in_group 8 (64 / 8 = 8 KV heads), 31 without attention;
            // ffn_mult 5.25 → round_up(2 × 5.25 × 8192 / 3, 256) = 28,672.
            {"nemotron-nas",
             "llama-3.3-nemotron-super-49b",
             {.layers = 80, .heads = 64, .kv_heads = 8, .head_dim = 128, .intermediate = 0},
             {.full = 49, .none = 31},
             [](const ModelGeometry& g) {
                 CHECK(std::count_if(g.layers.begin(), g.layers.end(), [](const auto& l) { return l.ffn_intermediate == 28672; }) == 49);
             }},

            // ---- Qwen ----
            // use_sliding_window false: the 131,072 window is not used.
            {"qwen2",
             "qwen2.5-7b",
             {.layers = 28, .heads = 28, .kv_heads = 4, .head_dim = 128, .intermediate = 18944},
             {.full = 28},
             [](const ModelGeometry& g) {
                 CHECK(g.qkv_bias);
                 CHECK_FALSE(g.o_bias);
             }},
            {"qwen2_moe",
             "qwen3-30b-a3b",
             {.layers = 48,
              .heads = 32,
              .kv_heads = 4,
              .head_dim = 128,
              .intermediate = 6144,
              .experts = 128,
              .experts_per_tok = 8,
              .expert_intermediate = 768},
             {.full = 48, .moe = 48},
             [](const ModelGeometry& g) {
                 CHECK(g.qkv_bias);
                 CHECK_FALSE(g.o_bias);
                 CHECK_FALSE(g.qk_norm);
             },
             relabel("qwen2_moe")},
            // Dynamic resolution: no image_size; 14-pixel patches merged 2 × 2.
            {"qwen2_5_vl",
             "qwen2.5-vl-7b",
             {.layers = 28, .heads = 28, .kv_heads = 4, .head_dim = 128, .intermediate = 18944},
             {.full = 28},
             [](const ModelGeometry& g) {
                 CHECK(g.qkv_bias);
                 CHECK(g.vision.num_heads == 16);
                 CHECK(g.vision.patch_size == 14);
                 CHECK(g.vision.spatial_merge_size == 2);
                 CHECK(g.vision.image_size == 0);
                 CHECK(g.vision.patches_per_image() == 0);
             }},
            {"qwen3",
             "qwen3-8b",
             {.layers = 36, .heads = 32, .kv_heads = 8, .head_dim = 128, .intermediate = 12288},
             {.full = 36},
             [](const ModelGeometry& g) {
                 CHECK(g.qk_norm);
                 CHECK_FALSE(g.qk_norm_full_width);
                 CHECK_FALSE(g.qkv_bias);
             }},
            {"qwen3_moe",
             "qwen3-30b-a3b",
             {.layers = 48,
              .heads = 32,
              .kv_heads = 4,
              .head_dim = 128,
              .intermediate = 6144,
              .experts = 128,
              .experts_per_tok = 8,
              .expert_intermediate = 768},
             {.full = 48, .moe = 48},
             [](const ModelGeometry& g) {
                 CHECK(g.qk_norm);
                 CHECK(g.moe.n_shared_experts == 0);
             }},
            // full_attention_interval 4: layers 3, 7, ..., 47 full, the rest Gated DeltaNet; one gated shared expert of 512.
            {"qwen3_next",
             "qwen3-next-80b-a3b",
             {.layers = 48,
              .heads = 16,
              .kv_heads = 2,
              .head_dim = 256,
              .intermediate = 5120,
              .experts = 512,
              .experts_per_tok = 10,
              .expert_intermediate = 512},
             {.full = 12, .linear = 36, .moe = 48},
             [](const ModelGeometry& g) {
                 CHECK(g.layers[3].mixer == Mixer::FullAttention);
                 CHECK(g.attn_output_gate);
                 CHECK(g.qk_norm);
                 CHECK(g.moe.n_shared_experts == 1);
                 CHECK(g.moe.shared_intermediate == 512);
                 CHECK(g.moe.shared_expert_gate);
                 CHECK(g.linear.n_value_heads == 32);
             }},
            // layer_types: 30 linear_attention, 10 full_attention; text_config.mamba_ssm_dtype float32.
            {"qwen3_5*",
             "qwen3.5-35b-a3b",
             {.layers = 40, .heads = 16, .kv_heads = 2, .head_dim = 256, .intermediate = 0, .experts = 256, .experts_per_tok = 8, .expert_intermediate = 512},
             {.full = 10, .linear = 30, .moe = 40},
             [](const ModelGeometry& g) {
                 CHECK(g.attn_output_gate);
                 CHECK(g.qk_norm);
                 CHECK(g.mamba_ssm_cache_dtype == "float32");
                 CHECK(g.vision.num_heads == 16);
                 CHECK(g.vision.patch_size == 16);
                 CHECK(g.vision.spatial_merge_size == 2);
             }},
            {"qwen3_vl*",
             "qwen3-8b",
             {.layers = 36, .heads = 32, .kv_heads = 8, .head_dim = 128, .intermediate = 12288},
             {.full = 36},
             [](const ModelGeometry& g) { CHECK(g.qk_norm); },
             relabel("qwen3_vl_text")},

            // ---- Gemma ----
            {"gemma*",
             "llama-3.2-1b",
             {.layers = 16, .heads = 32, .kv_heads = 8, .head_dim = 64, .intermediate = 8192},
             {.full = 16},
             [](const ModelGeometry& g) {
                 CHECK(g.tied_embeddings);
                 CHECK(g.norms_per_layer == 2);
             },
             relabel("gemma", {"tie_word_embeddings"})},
            // Even layers slide over 4,096 tokens, odd layers are global; sandwich norms; tied by default.
            {"gemma2*",
             "gemma-2-9b",
             {.layers = 42, .heads = 16, .kv_heads = 8, .head_dim = 256, .intermediate = 14336, .window = 4096},
             {.full = 21, .sliding = 21},
             [](const ModelGeometry& g) {
                 CHECK(g.layers[0].mixer == Mixer::SlidingAttention);
                 CHECK(g.layers[1].mixer == Mixer::FullAttention);
                 CHECK(g.norms_per_layer == 4);
                 CHECK(g.tied_embeddings);
             }},
            // No sliding_window_pattern: every sixth layer global (5, 11, ..., 59); no vocab_size: Gemma3TextConfig's 262,208.
            {"gemma3*",
             "gemma-3-27b",
             {.layers = 62, .heads = 32, .kv_heads = 16, .head_dim = 128, .intermediate = 21504, .window = 1024},
             {.full = 10, .sliding = 52},
             [](const ModelGeometry& g) {
                 CHECK(g.layers[5].mixer == Mixer::FullAttention);
                 CHECK(g.vocab == 262208);
                 CHECK(g.qk_norm);
                 CHECK(g.norms_per_layer == 4);
                 CHECK(g.tied_embeddings);
                 CHECK(g.vision.mm_tokens_per_image == 256);
                 CHECK(g.vision.num_heads == 16);
                 CHECK(g.vision.patches_per_image() == 64 * 64);
             }},
            // layer_types 28 sliding / 7 full; the last 15 layers reuse earlier KV; per-layer inputs of 256; AltUp and LAuReL.
            {"gemma3n*",
             "gemma-3n-e4b",
             {.layers = 35, .heads = 8, .kv_heads = 2, .head_dim = 256, .intermediate = 16384, .window = 512},
             {.full = 7, .sliding = 28},
             [](const ModelGeometry& g) {
                 CHECK(g.layers[19].kv_source == -1);
                 CHECK(g.layers[20].kv_source >= 0);
                 CHECK(g.layers[34].kv_source >= 0);
                 CHECK(g.ple_dim == 256);
                 CHECK(g.ple_vocab == 262144);
                 CHECK(g.altup_inputs == 4);
                 CHECK(g.laurel_rank == 64);
                 CHECK(g.vocab == 262400);
             }},
            // Global layers: head_dim 512, 2 KV heads, V = K; a dense MLP of 2,112 beside 128 experts in every layer.
            {"gemma4*",
             "gemma-4-26b-a4b",
             {.layers = 30,
              .heads = 16,
              .kv_heads = 8,
              .head_dim = 256,
              .intermediate = 2112,
              .experts = 128,
              .experts_per_tok = 8,
              .expert_intermediate = 704,
              .window = 1024},
             {.full = 5, .sliding = 25, .moe = 30},
             [](const ModelGeometry& g) {
                 const auto global = std::find_if(g.layers.begin(), g.layers.end(), [](const auto& l) { return l.mixer == Mixer::FullAttention; });
                 REQUIRE(global != g.layers.end());
                 CHECK(global->head_dim_k == 512);
                 CHECK(global->n_kv_heads == 2);
                 CHECK(global->v_from_k);
                 CHECK(std::all_of(g.layers.begin(), g.layers.end(), [](const auto& l) { return l.ffn_intermediate == 2112; }));
                 CHECK(g.altup_inputs == 0);
                 CHECK(g.norms_per_layer == 4);
             }},

            // ---- Cohere ----
            {"cohere",
             "command-r-v01",
             {.layers = 40, .heads = 64, .kv_heads = 64, .head_dim = 128, .intermediate = 22528},
             {.full = 40},
             [](const ModelGeometry& g) {
                 CHECK(g.norms_per_layer == 1);
                 CHECK(g.tied_embeddings);
                 CHECK_FALSE(g.qk_norm);
             }},
            // sliding_window_pattern 4: layers 3, 7, ..., 31 global.
            {"cohere2",
             "command-r7b",
             {.layers = 32, .heads = 32, .kv_heads = 8, .head_dim = 128, .intermediate = 14336, .window = 4096},
             {.full = 8, .sliding = 24},
             [](const ModelGeometry& g) {
                 CHECK(g.layers[3].mixer == Mixer::FullAttention);
                 CHECK(g.norms_per_layer == 1);
             }},
            {"cohere*",
             "command-r-v01",
             {.layers = 40, .heads = 64, .kv_heads = 64, .head_dim = 128, .intermediate = 22528},
             {.full = 40},
             [](const ModelGeometry& g) {
                 CHECK(g.tied_embeddings);
                 CHECK(g.norms_per_layer == 2);
             },
             relabel("cohere2_vision")},

            // ---- GPT-style ----
            {"gpt2",
             "llama-3.2-1b",
             {.layers = 16, .heads = 32, .kv_heads = 8, .head_dim = 64, .intermediate = 8192},
             {.full = 16},
             check_tied_neox_block,
             relabel("gpt2", {"tie_word_embeddings"})},
            // bigcode/starcoder2-3b config.json: a 4,096-token sliding window on all 30 layers; c_fc -> GELU -> c_proj,
            // biases on every projection (use_bias), LayerNorms with bias; no tie_word_embeddings key, so tied.
            {"starcoder2",
             "starcoder2-3b",
             {.layers = 30, .heads = 24, .kv_heads = 2, .head_dim = 128, .intermediate = 12288, .window = 4096},
             {.sliding = 30},
             [](const ModelGeometry& g) {
                 CHECK(g.tied_embeddings);
                 check_neox_block(g);
                 CHECK(g.norms_per_layer == 2);
             }},
            {"gpt_neox",
             "llama-3.1-8b",
             {.layers = 32, .heads = 32, .kv_heads = 8, .head_dim = 128, .intermediate = 14336},
             {.full = 32},
             check_neox_block,
             relabel("gpt_neox")},
            // OPTConfig: tie_word_embeddings and enable_bias default true (relabelled from Llama-3.2-1B's config, whose
            // tie_word_embeddings key is dropped).
            {"opt",
             "llama-3.2-1b",
             {.layers = 16, .heads = 32, .kv_heads = 8, .head_dim = 64, .intermediate = 8192},
             {.full = 16},
             check_tied_neox_block,
             relabel("opt", {"tie_word_embeddings"})},
            // layer_types: 12 sliding (128 tokens) / 12 full; sinks; router and expert biases; MXFP4 experts.
            {"gpt_oss",
             "gpt-oss-20b",
             {.layers = 24,
              .heads = 64,
              .kv_heads = 8,
              .head_dim = 64,
              .intermediate = 2880,
              .experts = 32,
              .experts_per_tok = 4,
              .expert_intermediate = 2880,
              .window = 128},
             {.full = 12, .sliding = 12, .moe = 24},
             [](const ModelGeometry& g) {
                 CHECK(g.attention_sinks);
                 CHECK(g.moe.router_bias);
                 CHECK(g.moe.expert_bias);
                 CHECK(g.quantization.quant_method == "mxfp4");
                 CHECK(g.quantization.modules_not_quantized.size() == 4);
             }},

            // ---- DeepSeek-style MoE ----
            // MLA (kv_lora_rank 512, no q compression); first_k_dense_replace 1; 2 shared experts; greedy routing.
            {"deepseek_v2",
             "deepseek-v2-lite",
             {.layers = 27,
              .heads = 16,
              .kv_heads = 16,
              .head_dim = 128,
              .intermediate = 10944,
              .experts = 64,
              .experts_per_tok = 6,
              .expert_intermediate = 1408},
             {.mla = 27, .moe = 26},
             [](const ModelGeometry& g) {
                 CHECK(g.mla.kv_lora_rank == 512);
                 CHECK(g.mla.q_lora_rank == 0);
                 CHECK(g.moe.n_shared_experts == 2);
                 CHECK_FALSE(g.moe.score_correction_bias);
                 CHECK(g.layers[0].n_kv_heads == 1);
             }},
            // (No head_dim in DeepSeek configs: hidden_size / num_attention_heads.)
            {"deepseek_v3",
             "deepseek-v3",
             {.layers = 61,
              .heads = 128,
              .kv_heads = 128,
              .head_dim = 56,
              .intermediate = 18432,
              .experts = 256,
              .experts_per_tok = 8,
              .expert_intermediate = 2048},
             {.mla = 61, .moe = 58},
             [](const ModelGeometry& g) {
                 CHECK(g.moe.score_correction_bias);
                 CHECK(g.mla.q_lora_rank == 1536);
                 CHECK(g.n_mtp_layers == 1);
                 CHECK(g.quantization.quant_method == "fp8");
                 CHECK(g.quantization.weight_block_size == std::vector<i64>{128, 128});
             }},
            // DeepSeek Sparse Attention indexer: 64 heads of 128, top 2,048.
            {"deepseek_v32",
             "deepseek-v3.2",
             {.layers = 61,
              .heads = 128,
              .kv_heads = 128,
              .head_dim = 56,
              .intermediate = 18432,
              .experts = 256,
              .experts_per_tok = 8,
              .expert_intermediate = 2048},
             {.mla = 61, .moe = 58},
             [](const ModelGeometry& g) {
                 CHECK(g.dsa.n_heads == 64);
                 CHECK(g.dsa.head_dim == 128);
                 CHECK(g.dsa.topk == 2048);
                 CHECK(g.moe.score_correction_bias);  // topk_method noaux_tc
             }},
            {"kimi_k2",
             "kimi-k2-instruct",
             {.layers = 61,
              .heads = 64,
              .kv_heads = 64,
              .head_dim = 112,
              .intermediate = 18432,
              .experts = 384,
              .experts_per_tok = 8,
              .expert_intermediate = 2048},
             {.mla = 61, .moe = 60},
             [](const ModelGeometry& g) {
                 CHECK(g.moe.score_correction_bias);
                 CHECK(g.moe.n_shared_experts == 1);
             }},
            // linear_attn_config.full_attn_layers [4, 8, 12, 16, 20, 24, 27] (1-based) are MLA; the rest Kimi Delta Attention.
            {"kimi_linear",
             "kimi-linear-48b-a3b",
             {.layers = 27,
              .heads = 32,
              .kv_heads = 32,
              .head_dim = 72,
              .intermediate = 9216,
              .experts = 256,
              .experts_per_tok = 8,
              .expert_intermediate = 1024},
             {.mla = 7, .linear = 20, .moe = 26},
             [](const ModelGeometry& g) {
                 CHECK(g.layers[3].mixer == Mixer::Mla);
                 CHECK(g.layers[26].mixer == Mixer::Mla);
                 CHECK(g.linear.kind == fitmygpu::LinearAttentionSpec::Kind::KimiDelta);
                 CHECK(g.linear.n_value_heads == 32);
                 CHECK(g.linear.value_head_dim == 128);
             }},
            {"glm4*",
             "glm-4.5-air",
             {.layers = 46,
              .heads = 96,
              .kv_heads = 8,
              .head_dim = 128,
              .intermediate = 10944,
              .experts = 128,
              .experts_per_tok = 8,
              .expert_intermediate = 1408},
             {.full = 46, .moe = 45},
             [](const ModelGeometry& g) {
                 CHECK(g.qkv_bias);
                 CHECK_FALSE(g.o_bias);
                 CHECK_FALSE(g.moe.score_correction_bias);
             },
             relabel("glm4")},
            // attention_bias: q/k/v only; first_k_dense_replace 1; one MTP layer.
            {"glm4_moe*",
             "glm-4.5-air",
             {.layers = 46,
              .heads = 96,
              .kv_heads = 8,
              .head_dim = 128,
              .intermediate = 10944,
              .experts = 128,
              .experts_per_tok = 8,
              .expert_intermediate = 1408},
             {.full = 46, .moe = 45},
             [](const ModelGeometry& g) {
                 CHECK(g.qkv_bias);
                 CHECK_FALSE(g.o_bias);
                 CHECK(g.moe.score_correction_bias);
                 CHECK(g.moe.n_shared_experts == 1);
                 CHECK(g.n_mtp_layers == 1);
             }},
            // attn_type_list: 70 lightning (0), 10 softmax (1).
            {"minimax_m1",
             "minimax-m1-80k",
             {.layers = 80,
              .heads = 64,
              .kv_heads = 8,
              .head_dim = 128,
              .intermediate = 9216,
              .experts = 32,
              .experts_per_tok = 2,
              .expert_intermediate = 9216},
             {.full = 10, .linear = 70, .moe = 80},
             [](const ModelGeometry& g) {
                 CHECK(g.linear.kind == fitmygpu::LinearAttentionSpec::Kind::Lightning);
                 CHECK(g.linear.conv_kernel == 1);
             }},
            {"minimax_m2",
             "minimax-m2",
             {.layers = 62,
              .heads = 48,
              .kv_heads = 8,
              .head_dim = 128,
              .intermediate = 1536,
              .experts = 256,
              .experts_per_tok = 8,
              .expert_intermediate = 1536},
             {.full = 62, .moe = 62},
             [](const ModelGeometry& g) {
                 CHECK(g.moe.score_correction_bias);
                 CHECK(g.qk_norm);  // use_qk_norm
                 CHECK(g.quantization.fmt == "float8_e4m3fn");
                 CHECK(g.quantization.modules_not_quantized == std::vector<std::string>{"gate", "e_score_correction_bias", "lm_head"});
             }},
            // moe_num_experts / moe_k; MoE layers 1..27 (moe_layer_start_index, moe_layer_end_index); tied.
            {"ernie4_5*",
             "ernie-4.5-21b-a3b",
             {.layers = 28,
              .heads = 20,
              .kv_heads = 4,
              .head_dim = 128,
              .intermediate = 12288,
              .experts = 64,
              .experts_per_tok = 6,
              .expert_intermediate = 1536},
             {.full = 28, .moe = 27},
             [](const ModelGeometry& g) {
                 CHECK(g.layers[0].ffn == Ffn::Dense);
                 CHECK(g.tied_embeddings);
                 CHECK(g.moe.n_shared_experts == 2);
             }},
            // Per-layer lists: moe_topk 8, moe_intermediate_size 3,072, num_shared_expert 1 (of intermediate_size).
            {"hunyuan",
             "hunyuan-a13b",
             {.layers = 32,
              .heads = 32,
              .kv_heads = 8,
              .head_dim = 128,
              .intermediate = 3072,
              .experts = 64,
              .experts_per_tok = 8,
              .expert_intermediate = 3072},
             {.full = 32, .moe = 32},
             [](const ModelGeometry& g) {
                 CHECK(g.moe.n_shared_experts == 1);
                 CHECK(g.moe.shared_intermediate == 3072);
                 CHECK(g.qk_norm);
             }},
            {"hunyuan_v1_moe",
             "hunyuan-a13b",
             {.layers = 32,
              .heads = 32,
              .kv_heads = 8,
              .head_dim = 128,
              .intermediate = 3072,
              .experts = 64,
              .experts_per_tok = 8,
              .expert_intermediate = 3072},
             {.full = 32, .moe = 32},
             [](const ModelGeometry& g) {
                 CHECK(g.moe.n_shared_experts == 1);
                 CHECK(g.moe.shared_intermediate == 3072);
             },
             relabel("hunyuan_v1_moe")},
            // attention_chunk_size 8192; every fourth layer global; one shared expert of intermediate_size; the
            // weightless L2 qk-norm counts no weights although use_qk_norm is true.
            {"llama4_text",
             "llama-4-scout-17b-16e",
             {.layers = 48,
              .heads = 40,
              .kv_heads = 8,
              .head_dim = 128,
              .intermediate = 8192,
              .experts = 16,
              .experts_per_tok = 1,
              .expert_intermediate = 8192,
              .window = 8192},
             {.full = 12, .chunked = 36, .moe = 48},
             [](const ModelGeometry& g) {
                 CHECK(g.layers[3].mixer == Mixer::FullAttention);
                 CHECK_FALSE(g.qk_norm);
                 CHECK(g.moe.n_shared_experts == 1);
                 CHECK(g.moe.shared_intermediate == 8192);
             }},
            {"olmo2",
             "olmo-2-7b",
             {.layers = 32, .heads = 32, .kv_heads = 32, .head_dim = 128, .intermediate = 11008},
             {.full = 32},
             [](const ModelGeometry& g) {
                 CHECK(g.qk_norm);
                 CHECK(g.qk_norm_full_width);
                 CHECK(g.norms_per_layer == 2);
             }},
            {"olmoe",
             "olmoe-1b-7b",
             {.layers = 16,
              .heads = 16,
              .kv_heads = 16,
              .head_dim = 128,
              .intermediate = 1024,
              .experts = 64,
              .experts_per_tok = 8,
              .expert_intermediate = 1024},
             {.full = 16, .moe = 16},
             [](const ModelGeometry& g) { CHECK(g.qk_norm_full_width); }},

            // ---- hybrids and state-space models ----
            {"granitemoeshared",
             "granite-4.0-h-tiny",
             {.layers = 40, .heads = 12, .kv_heads = 4, .head_dim = 128, .intermediate = 512, .experts = 64, .experts_per_tok = 6, .expert_intermediate = 512},
             {.full = 4, .mamba = 36, .moe = 40},
             [](const ModelGeometry& g) {
                 CHECK(g.moe.n_shared_experts == 1);
                 CHECK(g.moe.shared_intermediate == 1024);
             },
             relabel("granitemoeshared")},
            // layer_types: 36 mamba, 4 attention; one shared MLP of shared_intermediate_size 1,024; 48 Mamba-2 heads.
            {"granitemoehybrid",
             "granite-4.0-h-tiny",
             {.layers = 40, .heads = 12, .kv_heads = 4, .head_dim = 128, .intermediate = 512, .experts = 64, .experts_per_tok = 6, .expert_intermediate = 512},
             {.full = 4, .mamba = 36, .moe = 40},
             [](const ModelGeometry& g) {
                 CHECK(g.moe.n_shared_experts == 1);
                 CHECK(g.moe.shared_intermediate == 1024);
                 CHECK(g.mamba.n_heads == 48);
                 CHECK_FALSE(g.mamba.mamba1);
             }},
            // hybrid_override_pattern: 23 M, 23 E, 6 *; relu² experts; the state in float32.
            {"nemotron_h",
             "nemotron-3-nano-30b-a3b",
             {.layers = 52,
              .heads = 32,
              .kv_heads = 2,
              .head_dim = 128,
              .intermediate = 1856,
              .experts = 128,
              .experts_per_tok = 6,
              .expert_intermediate = 1856},
             {.full = 6, .mamba = 23, .none = 23, .moe = 23},
             [](const ModelGeometry& g) {
                 CHECK_FALSE(g.ffn_gated);
                 CHECK_FALSE(g.moe.gated);
                 CHECK(g.moe.score_correction_bias);
                 CHECK(g.moe.shared_intermediate == 3712);
                 CHECK(g.mamba.n_heads == 64);
                 CHECK(g.mamba.d_inner == 64 * 64);
                 CHECK(g.mamba_ssm_cache_dtype == "float32");
             }},
            // attn_layer_period 8 / offset 4; expert_layer_period 2 / offset 1; Mamba-1 with mamba_dt_rank 256.
            {"jamba",
             "jamba-mini-1.7",
             {.layers = 32,
              .heads = 32,
              .kv_heads = 8,
              .head_dim = 128,
              .intermediate = 14336,
              .experts = 16,
              .experts_per_tok = 2,
              .expert_intermediate = 14336},
             {.full = 4, .mamba = 28, .moe = 16},
             [](const ModelGeometry& g) {
                 CHECK(g.layers[4].mixer == Mixer::FullAttention);
                 CHECK(g.layers[1].ffn == Ffn::Moe);
                 CHECK(g.mamba.mamba1);
                 CHECK(g.mamba.dt_rank == 256);
                 CHECK(g.mamba.d_state == 16);
             }},
            // Attention and a Mamba-2 SSM (mamba_d_ssm 3,072, 24 heads) side by side in every layer.
            {"falcon_h1",
             "falcon-h1-7b",
             {.layers = 44, .heads = 12, .kv_heads = 2, .head_dim = 128, .intermediate = 12288},
             {.full = 44},
             [](const ModelGeometry& g) {
                 CHECK(std::all_of(g.layers.begin(), g.layers.end(), [](const auto& l) { return l.parallel_mamba; }));
                 CHECK(g.mamba.d_inner == 3072);
                 CHECK(g.mamba.n_heads == 24);
                 CHECK(g.mamba.d_state == 256);
             }},
            {"mamba",
             "falcon-mamba-7b",
             {.layers = 64, .heads = 0, .kv_heads = 0, .head_dim = 0, .intermediate = 8192},
             {.mamba = 64},
             [](const ModelGeometry& g) {
                 CHECK(g.tied_embeddings);
                 CHECK(g.mamba.mamba1);
                 CHECK(g.mamba.d_inner == 8192);
             },
             relabel("mamba", {"tie_word_embeddings"})},
            // SSM blocks only; d_inner from intermediate_size 8,192; state_size 16.
            {"falcon_mamba",
             "falcon-mamba-7b",
             {.layers = 64, .heads = 0, .kv_heads = 0, .head_dim = 0, .intermediate = 8192},
             {.mamba = 64},
             [](const ModelGeometry& g) {
                 CHECK_FALSE(g.tied_embeddings);
                 CHECK(g.mamba.mamba1);
                 CHECK(g.mamba.d_inner == 8192);
                 CHECK(g.mamba.d_state == 16);
                 CHECK(g.mamba.dt_rank == 4096 / 16);
             }},
            // num_heads 128 × head_dim 64 are the Mamba-2 heads: d_inner 8,192.
            {"mamba2",
             "mamba-codestral-7b",
             {.layers = 64, .heads = 0, .kv_heads = 0, .head_dim = 0, .intermediate = 8192},
             {.mamba = 64},
             [](const ModelGeometry& g) {
                 CHECK(g.mamba.n_heads == 128);
                 CHECK(g.mamba.d_inner == 8192);
                 CHECK(g.mamba.d_state == 128);
                 CHECK_FALSE(g.mamba.mamba1);
             }},
            // Phi-2: 32 heads of 2,560 / 32 = 80, no GQA, fc1 -> gelu_new -> fc2 of 10,240; the biases and the single
            // LayerNorm per layer are checked with its parameter count below.
            {"phi", "phi-2", {.layers = 32, .heads = 32, .kv_heads = 32, .head_dim = 80, .intermediate = 10240}, {.full = 32}},
        };
    return cases;
}

}  // namespace

TEST_CASE("every family row parses its representative config into the geometry its config.json states") {
    for (const FamilyCase& c : family_cases()) {
        INFO("family row " << c.row << ", catalog config " << c.model);
        json config = catalog_config(c.model);
        if (c.edit) c.edit(config);
        CHECK(fitmygpu::model::family_of(text_model_type(config)).key() == c.row);

        ModelGeometry g;
        REQUIRE_NOTHROW(g = fitmygpu::parse_geometry(config));
        CHECK(g.n_layers == c.shape.layers);
        CHECK(static_cast<i64>(g.layers.size()) == c.shape.layers);
        CHECK(g.n_heads == c.shape.heads);
        CHECK(g.n_kv_heads == c.shape.kv_heads);
        CHECK(g.head_dim == c.shape.head_dim);
        CHECK(g.intermediate == c.shape.intermediate);
        CHECK(g.moe.n_experts == c.shape.experts);
        CHECK(g.moe.n_experts_per_tok == c.shape.experts_per_tok);
        CHECK(g.moe.expert_intermediate == c.shape.expert_intermediate);
        for (const auto& l : g.layers)
            if (l.mixer == Mixer::SlidingAttention || l.mixer == Mixer::ChunkedAttention) CHECK(l.window == c.shape.window);

        CHECK(g.count(Mixer::FullAttention) == c.kinds.full);
        CHECK(g.count(Mixer::SlidingAttention) == c.kinds.sliding);
        CHECK(g.count(Mixer::ChunkedAttention) == c.kinds.chunked);
        CHECK(g.count(Mixer::Mla) == c.kinds.mla);
        CHECK(g.count(Mixer::LinearAttention) == c.kinds.linear);
        CHECK(g.count(Mixer::Mamba) == c.kinds.mamba);
        CHECK(g.count(Mixer::None) == c.kinds.none);
        CHECK(g.count(Mixer::CrossAttention) == c.kinds.cross);
        CHECK(count_moe(g) == c.kinds.moe);
        c.quirks(g);
    }
}

TEST_CASE("phi: one LayerNorm feeds attention and the MLP side by side, every linear has a bias, and Phi-2 adds up to its published count") {
    const ModelGeometry g = fitmygpu::parse_geometry(catalog_config("phi-2"));
    CHECK(g.norms_per_layer == 1);
    CHECK(g.norm_has_bias);
    CHECK(g.qkv_bias);
    CHECK(g.o_bias);
    CHECK(g.mlp_bias);
    CHECK_FALSE(g.ffn_gated);
    CHECK_FALSE(g.tied_embeddings);

    // microsoft/phi-2 safetensors total: 2,779,683,840. By hand from config.json (hidden 2,560, 32 layers,
    // intermediate 10,240, vocab 51,200, untied):
    //   embedding                      51,200 x 2,560                                     =   131,072,000
    //   per layer  q, k, v, dense      4 x (2,560 x 2,560 + 2,560)                        =    26,224,640
    //              fc1, fc2            2,560 x 10,240 + 10,240 + 10,240 x 2,560 + 2,560   =    52,441,600
    //              input_layernorm     2 x 2,560                                          =         5,120
    //              32 layers x 78,671,360                                                 = 2,517,483,520
    //   final_layernorm                2 x 2,560                                          =         5,120
    //   lm_head                        2,560 x 51,200 + 51,200 (bias)                     =   131,123,200
    //   total                                                                             = 2,779,683,840
    // The inventory has no lm_head bias (51,200 values, 0.002%); everything else must match.
    CHECK(fitmygpu::build_inventory(g).total_params() == 2779683840 - 51200);
}

TEST_CASE("gpt2: openai-community/gpt2's config (n_inner null) reads as a 3,072-wide two-matrix MLP and adds up to 124,439,808 parameters") {
    // openai-community/gpt2 config.json: n_embd 768, n_head 12, n_layer 12, n_inner null (GPT2Config: 4 x n_embd),
    // n_positions 1024, vocab_size 50257, tied wte. Per layer: c_attn 768 x 2,304 + 2,304, c_proj 768 x 768 + 768,
    // c_fc 768 x 3,072 + 3,072, mlp c_proj 3,072 x 768 + 768, two LayerNorms 2 x 2 x 768: 7,087,872; x 12 = 85,054,464.
    // wte 50,257 x 768 = 38,597,376, ln_f 1,536: 123,653,376. The checkpoint's 124,439,808 also holds wpe, the learned
    // position table (1,024 x 768 = 786,432), which the inventory does not list.
    const json config = json::parse(R"({"architectures":["GPT2LMHeadModel"],"model_type":"gpt2","n_embd":768,"n_head":12,"n_layer":12,
        "n_inner":null,"n_positions":1024,"n_ctx":1024,"vocab_size":50257,"activation_function":"gelu_new"})");
    const ModelGeometry g = fitmygpu::parse_geometry(config);
    CHECK(g.intermediate == 3072);
    CHECK_FALSE(g.ffn_gated);
    const i64 layer = (768 * 2304 + 2304) + (768 * 768 + 768) + (768 * 3072 + 3072) + (3072 * 768 + 768) + 2 * 2 * 768;
    CHECK(layer == 7087872);
    CHECK(fitmygpu::build_inventory(g).total_params() == 12 * layer + 50257 * 768 + 2 * 768);
    CHECK(fitmygpu::build_inventory(g).total_params() + 1024 * 768 == 124439808);
}

TEST_CASE("opt: facebook/opt-2.7b's config reads as a two-matrix ReLU MLP of ffn_dim with biases and adds up to 2,651,596,800 parameters") {
    // facebook/opt-2.7b config.json (OPTConfig: enable_bias and tie_word_embeddings default true). Per layer: q, k, v, o
    // 4 x (2,560 x 2,560 + 2,560), fc1 2,560 x 10,240 + 10,240, fc2 10,240 x 2,560 + 2,560, two LayerNorms 2 x 2 x 2,560:
    // 78,676,480; x 32 = 2,517,647,360. embed_tokens 50,272 x 2,560 = 128,696,320 (lm_head tied), the final LayerNorm
    // 5,120: 2,646,348,800. The checkpoint's 2,651,596,800 also holds the learned positions ((2,048 + 2) x 2,560 =
    // 5,248,000), which the inventory does not list.
    const json config = json::parse(R"({"activation_function":"relu","architectures":["OPTForCausalLM"],"do_layer_norm_before":true,
        "ffn_dim":10240,"hidden_size":2560,"max_position_embeddings":2048,"model_type":"opt","num_attention_heads":32,
        "num_hidden_layers":32,"pad_token_id":1,"prefix":"</s>","torch_dtype":"float16","vocab_size":50272,"word_embed_proj_dim":2560})");
    const ModelGeometry g = fitmygpu::parse_geometry(config);
    CHECK(g.intermediate == 10240);
    CHECK_FALSE(g.ffn_gated);
    const i64 layer = 4 * (2560 * 2560 + 2560) + (2560 * 10240 + 10240) + (10240 * 2560 + 2560) + 2 * 2 * 2560;
    CHECK(layer == 78676480);
    CHECK(fitmygpu::build_inventory(g).total_params() == 32 * layer + 50272 * 2560 + 2 * 2560);
    CHECK(fitmygpu::build_inventory(g).total_params() + 2050 * 2560 == 2651596800);
    // enable_bias false drops the linears' biases (not the LayerNorms').
    json no_bias = config;
    no_bias["enable_bias"] = false;
    CHECK(fitmygpu::build_inventory(fitmygpu::parse_geometry(no_bias)).total_params() == 32 * (layer - 4 * 2560 - 10240 - 2560) + 50272 * 2560 + 2 * 2560);
}

TEST_CASE("starcoder2: a two-matrix GELU MLP with biases, and the three sizes add up to their published counts") {
    // Starcoder2 layer (transformers Starcoder2DecoderLayer): LayerNorm (weight + bias) -> q/k/v/o with biases ->
    // LayerNorm -> c_fc (hidden -> intermediate, bias) -> GELU -> c_proj (intermediate -> hidden, bias).
    // head_dim = hidden / heads; the embedding is counted once when tied, twice when not.
    struct Size {
        const char* id;
        i64 hidden, layers, heads, kv_heads, intermediate, vocab;
        bool tied;
        i64 published;  // safetensors totals cited in catalog/models/<id>.json
    };
    for (const Size s :
         {Size{"starcoder2-3b", 3072, 30, 24, 2, 12288, 49152, true, 3030371328}, Size{"starcoder2-7b", 4608, 32, 36, 4, 18432, 49152, true, 7173923840},
          Size{"starcoder2-15b", 6144, 40, 48, 4, 24576, 49152, false, 15957889024}}) {
        CAPTURE(s.id);
        const i64 h = s.hidden, kv = s.kv_heads * (s.hidden / s.heads), I = s.intermediate;
        const i64 attention = (h * h + h) + 2 * (h * kv + kv) + (h * h + h);  // q, k, v, o with biases
        const i64 mlp = (h * I + I) + (I * h + h);                            // c_fc and c_proj with biases
        const i64 norms = 2 * (2 * h);                                        // two LayerNorms, weight and bias
        const i64 by_hand = s.layers * (attention + mlp + norms) + s.vocab * h * (s.tied ? 1 : 2) + 2 * h;
        CHECK(by_hand == s.published);
        // 3B by the numbers: attention 2 x (3,072^2 + 3,072) + 2 x (3,072 x 256 + 256) = 20,453,888;
        // MLP 2 x 3,072 x 12,288 + 12,288 + 3,072 = 75,512,832; norms 12,288: 95,979,008 a layer,
        // x 30 = 2,879,370,240, + embedding 49,152 x 3,072 = 150,994,944 + final norm 6,144 = 3,030,371,328.
        const ModelGeometry g = fitmygpu::parse_geometry(catalog_config(s.id));
        CHECK(g.tied_embeddings == s.tied);
        CHECK(fitmygpu::build_inventory(g).total_params() == by_hand);
    }
    // use_bias false drops the projection biases and keeps the LayerNorm biases.
    json c = catalog_config("starcoder2-3b");
    c["use_bias"] = false;
    const ModelGeometry g = fitmygpu::parse_geometry(c);
    CHECK_FALSE(g.qkv_bias);
    CHECK_FALSE(g.o_bias);
    CHECK_FALSE(g.mlp_bias);
    CHECK(g.norm_has_bias);
    CHECK_FALSE(g.ffn_gated);
}

TEST_CASE("every row of the family table has a case above, and every case a row") {
    std::set<std::string> rows, cased;
    for (const auto& f : fitmygpu::model::family_table()) {
        CHECK_MESSAGE(rows.insert(f.key()).second, "two rows are keyed " << f.key());
        CHECK(f.model_types.size() > 0);
    }
    for (const FamilyCase& c : family_cases()) {
        CHECK_MESSAGE(cased.insert(c.row).second, "two cases test " << c.row);
        CHECK_MESSAGE(rows.count(c.row) == 1, "the case " << c.row << " names no row of the table");
    }
    for (const std::string& r : rows) CHECK_MESSAGE(cased.count(r) == 1, "the family row " << r << " has no case in test_families.cpp");
}

TEST_CASE("family lookup: exact rows first, then the longest prefix row, else the generic row") {
    using fitmygpu::model::family_of;
    CHECK(family_of("gemma3_text").key() == "gemma3*");
    CHECK(family_of("gemma3n_text").key() == "gemma3n*");
    CHECK(family_of("gemma").key() == "gemma*");
    CHECK(family_of("cohere").key() == "cohere");
    CHECK(family_of("cohere2_vision").key() == "cohere*");
    CHECK(family_of("glm4_moe_lite").key() == "glm4_moe*");
    CHECK(family_of("glm4v").key() == "glm4*");
    CHECK(family_of("qwen3_5_moe_text").key() == "qwen3_5*");
    CHECK(family_of("llama4").key() == "llama4_text");
    CHECK(family_of("qwen2_vl").key() == "qwen2_5_vl");
    CHECK(&family_of("qwen3_xyz") == &fitmygpu::model::generic_family());
    CHECK(&family_of("") == &fitmygpu::model::generic_family());
}
