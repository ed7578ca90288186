// The config reader's bounds (core/src/model/config_reader, fitmygpu::config_bounds): every size a config.json
// states is a whole number within a named bound, every array entry has the type its field needs, and a config
// outside them is refused as invalid_field (or missing_field) naming the exact field, down to the array entry,
// before any size is multiplied. The reproducers a fuzz run found (tests/fuzz/regressions/config/) are checked one by
// one here; test_fuzz_corpus.cpp replays the same files through the fuzz targets' checks.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fitmygpu/geometry.hpp"
#include "fitmygpu/request.hpp"
#include "helpers.hpp"

using namespace testing;
namespace bounds = fitmygpu::config_bounds;

namespace {

struct Refusal {
    std::string code;
    std::string field;
};

Refusal refusal_of(const json& config, const char* runtime = "vllm") {
    const json e = error_of("estimate", json{{"config", config}, {"runtime", runtime}}.dump());
    if (e.is_null()) return {"(an answer)", ""};
    return {e.at("code").get<std::string>(), e.at("field").get<std::string>()};
}

// A small dense Llama-style config (the shape of Llama 3.1 8B with 4 layers).
json llama(std::initializer_list<std::pair<const std::string, json>> changes = {}) {
    json c = {{"model_type", "llama"},    {"hidden_size", 4096},        {"num_hidden_layers", 4}, {"num_attention_heads", 32},
              {"num_key_value_heads", 8}, {"intermediate_size", 14336}, {"vocab_size", 128256},   {"max_position_embeddings", 131072}};
    for (const auto& [k, v] : changes) c[k] = v;
    return c;
}

json with(json c, std::initializer_list<std::pair<const std::string, json>> changes) {
    for (const auto& [k, v] : changes) c[k] = v;
    return c;
}

// One block_configs entry of Llama-3.3-Nemotron-Super-49B's shape (n_heads_in_group 8, ffn_mult 5.25).
json block(json attention = {{"n_heads_in_group", 8}, {"no_op", false}, {"replace_with_linear", false}},
           json ffn = {{"ffn_mult", 5.25}, {"no_op", false}, {"replace_with_linear", false}}) {
    return {{"attention", std::move(attention)}, {"ffn", std::move(ffn)}};
}

}  // namespace

TEST_CASE("each config reproducer a fuzz run found is refused by the reader, naming its exact field") {
    struct Case {
        const char* file;
        const char* code;
        const char* field;
    };
    // What each file holds is in its name; the field is the one whose value is out of range or of the wrong type.
    const Case cases[] = {
        {"block-configs-ffn-mult-1e300.json", "invalid_field", "config.block_configs[0].ffn.ffn_mult"},
        {"block-configs-heads-in-group-1e300.json", "invalid_field", "config.block_configs[0].attention.n_heads_in_group"},
        {"cross-attention-image-size.json", "invalid_field", "config.vision_config.image_size"},  // "560", a string
        {"experts-array-1e300.json", "invalid_field", "config.num_local_experts[0]"},
        {"layers-block-type-numbers.json", "invalid_field", "config.layers_block_type[0]"},  // 1, not a layer type name
        {"linear-bound-overflow.json", "invalid_field", "config.linear_num_value_heads"},    // 2^40 heads
        {"mamba-groups-2e40.json", "invalid_field", "config.n_groups"},
        {"max-position-2e40.json", "invalid_field", "config.max_position_embeddings"},
        {"mtp-layers-2e32.json", "invalid_field", "config.num_nextn_predict_layers"},  // 2^32 + 1 must not wrap to 1
        {"nemotron-e-without-experts.json", "missing_field", "config.num_experts"},
        {"v-head-dim-2e40.json", "invalid_field", "config.v_head_dim"},
        {"vision-config-2e40.json", "invalid_field", "config.vision_config.hidden_size"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.file);
        const std::string text = read_text(std::string(FITMYGPU_SOURCE_DIR) + "/tests/fuzz/regressions/config/" + c.file);
        REQUIRE_FALSE(text.empty());
        const Refusal r = refusal_of(json::parse(text));
        CHECK(r.code == c.code);
        CHECK(r.field == c.field);
    }
}

TEST_CASE("other config fields of the same pattern are refused naming the field") {
    const json moe = llama({{"num_local_experts", 8}, {"num_experts_per_tok", 2}});
    const json gemma3n = llama({{"model_type", "gemma3n_text"}, {"sliding_window", 512}});
    const json gemma4 = llama({{"model_type", "gemma4_text"}});
    const json minimax = llama({{"model_type", "minimax_m1"}, {"attn_type_list", {0, 1, 0, 1}}});
    const json llama4 = llama({{"model_type", "llama4_text"}, {"no_rope_layers", {1, 1, 1, 0}}});
    const json qwen_moe = llama({{"model_type", "qwen2_moe"}, {"num_experts", 8}, {"num_experts_per_tok", 2}, {"moe_intermediate_size", 1024}});
    const json kimi = llama({{"model_type", "kimi_linear"}, {"linear_attn_config", {{"num_heads", 32}, {"head_dim", 128}, {"full_attn_layers", {4}}}}});
    const json nas = llama({{"model_type", "nemotron-nas"}, {"block_configs", {block(), block(), block(), block()}}});
    const json mamba2 = llama({{"model_type", "mamba2"}, {"num_heads", 64}, {"head_dim", 64}, {"n_groups", 8}});
    const json falcon_mamba = llama({{"model_type", "falcon_mamba"}, {"intermediate_size", 8192}});
    const json nemotron_h = llama({{"model_type", "nemotron_h"}, {"hybrid_override_pattern", "M*E-"}, {"mamba_num_heads", 64}, {"mamba_head_dim", 64}});
    const json vision = llama({{"vision_config", {{"hidden_size", 1152}, {"num_hidden_layers", 27}, {"image_size", 896}, {"patch_size", 14}}}});
    const double big = 1099511627776.0;  // 2^40

    // Each base config estimates: a refusal below comes from the one field changed.
    for (const json& base : {moe, gemma3n, gemma4, minimax, llama4, qwen_moe, kimi, nas, mamba2, falcon_mamba, vision}) {
        CAPTURE(base.dump());
        CHECK(refusal_of(base).code == "(an answer)");
    }

    struct Case {
        json config;
        const char* code;
        const char* field;
    };
    json nas_bad_blocks = nas;
    nas_bad_blocks["block_configs"][2] = 7;
    json nas_no_op_string = nas;
    nas_no_op_string["block_configs"][1]["attention"]["no_op"] = "yes";
    json nas_linear_number = nas;
    nas_linear_number["block_configs"][3]["ffn"]["replace_with_linear"] = 1;
    json nas_wide = nas;
    nas_wide["block_configs"][3]["ffn"]["ffn_mult"] = 63;  // 2/3 × 63 × 4096 = 172,032: fine
    json nas_too_wide = with(nas, {{"hidden_size", 16384}, {"num_attention_heads", 128}});
    nas_too_wide["block_configs"][3]["ffn"]["ffn_mult"] = 63;  // 2/3 × 63 × 16,384 = 688,128 > 2^19
    json nas_group_fraction = nas;
    nas_group_fraction["block_configs"][0]["attention"]["n_heads_in_group"] = 2.5;
    json nas_ffn_not_object = nas;
    nas_ffn_not_object["block_configs"][1]["ffn"] = "dense";
    json vision_string = vision;
    vision_string["vision_config"] = "siglip";
    json vision_merge = vision;
    vision_merge["vision_config"]["spatial_merge_size"] = 4294967296LL;
    json vision_hidden = vision;
    vision_hidden["vision_config"]["hidden_size"] = 4e9;
    json vision_layers = vision;
    vision_layers["vision_config"]["num_hidden_layers"] = -1;
    json vision_ffn = vision;
    vision_ffn["vision_config"]["intermediate_size"] = 1e300;
    json vision_channels = vision;
    vision_channels["vision_config"]["num_channels"] = big;
    json vision_patch = vision;
    vision_patch["vision_config"]["patch_size"] = 0;
    json kimi_layer_out = kimi;
    kimi_layer_out["linear_attn_config"]["full_attn_layers"] = {4, 5};  // 1-based: layer 5 of 4
    json kimi_layer_text = kimi;
    kimi_layer_text["linear_attn_config"]["full_attn_layers"] = {"4"};
    json kimi_not_object = kimi;
    kimi_not_object["linear_attn_config"] = json::array({32, 128});

    const Case cases[] = {
        // text model sizes, each just past its bound (and far past it)
        {llama({{"hidden_size", bounds::kHidden + 1}}), "invalid_field", "config.hidden_size"},
        {llama({{"hidden_size", "4096"}}), "invalid_field", "config.hidden_size"},
        {llama({{"hidden_size", 4096.5}}), "invalid_field", "config.hidden_size"},
        {llama({{"hidden_size", json::parse("12345678901234567890")}}), "invalid_field", "config.hidden_size"},  // 20 digits
        {llama({{"num_hidden_layers", bounds::kLayers + 1}}), "invalid_field", "config.num_hidden_layers"},
        {llama({{"num_attention_heads", bounds::kHeads + 1}}), "invalid_field", "config.num_attention_heads"},
        {llama({{"head_dim", bounds::kHeadDim + 1}}), "invalid_field", "config.head_dim"},
        {llama({{"intermediate_size", bounds::kIntermediate + 1}}), "invalid_field", "config.intermediate_size"},
        {llama({{"vocab_size", bounds::kVocab + 1}}), "invalid_field", "config.vocab_size"},
        {llama({{"vocab_size", -1}}), "invalid_field", "config.vocab_size"},
        {llama({{"vocab_size", nullptr}}), "missing_field", "config.vocab_size"},
        {llama({{"max_position_embeddings", fitmygpu::kMaxContext + 1}}), "invalid_field", "config.max_position_embeddings"},
        {llama({{"sliding_window", big}}), "invalid_field", "config.sliding_window"},
        {llama({{"num_nextn_predict_layers", bounds::kMtpLayers + 1}}), "invalid_field", "config.num_nextn_predict_layers"},
        {llama({{"text_config", "not an object"}}), "invalid_field", "config.text_config"},
        // experts and shared experts
        {with(moe, {{"num_local_experts", bounds::kExperts + 1}}), "invalid_field", "config.num_local_experts"},
        {with(moe, {{"num_local_experts", {8, 1e300}}}), "invalid_field", "config.num_local_experts[1]"},
        {with(moe, {{"num_experts_per_tok", {2, -2}}}), "invalid_field", "config.num_experts_per_tok[1]"},
        {with(moe, {{"n_shared_experts", big}}), "invalid_field", "config.n_shared_experts"},
        {with(moe, {{"n_shared_experts", 1024}, {"moe_intermediate_size", 14336}}), "invalid_field", "config.n_shared_experts"},  // 2^10 × 14,336 > 2^19
        {with(moe, {{"shared_expert_intermediate_size", 1e300}}), "invalid_field", "config.shared_expert_intermediate_size"},
        {with(moe, {{"moe_intermediate_size", {1024, "wide"}}}), "invalid_field", "config.moe_intermediate_size[1]"},
        // Nemotron-H: E layers need the expert count, and then experts per token
        {nemotron_h, "missing_field", "config.num_experts"},
        {with(nemotron_h, {{"num_experts", 8}}), "missing_field", "config.num_experts_per_tok"},
        // MLA and linear attention
        {llama({{"kv_lora_rank", 512}, {"qk_nope_head_dim", big}, {"qk_rope_head_dim", 64}, {"v_head_dim", 128}}), "invalid_field", "config.qk_nope_head_dim"},
        {llama({{"kv_lora_rank", 512}, {"qk_nope_head_dim", 128}, {"qk_rope_head_dim", big}, {"v_head_dim", 128}}), "invalid_field", "config.qk_rope_head_dim"},
        {llama({{"kv_lora_rank", 512}, {"q_lora_rank", big}, {"qk_nope_head_dim", 128}, {"qk_rope_head_dim", 64}, {"v_head_dim", 128}}), "invalid_field",
         "config.q_lora_rank"},
        {llama({{"model_type", "qwen3_next"},
                {"linear_num_value_heads", 32},
                {"linear_value_head_dim", 128},
                {"linear_num_key_heads", 16},
                {"linear_key_head_dim", big}}),
         "invalid_field", "config.linear_key_head_dim"},
        {llama({{"model_type", "qwen3_next"},
                {"linear_num_value_heads", 4096},
                {"linear_value_head_dim", 16384},
                {"linear_num_key_heads", 16},
                {"linear_key_head_dim", 128}}),
         "invalid_field", "config.linear_num_value_heads"},  // each factor within its bound, the product 2^26 > 2^18
        {kimi_layer_out, "invalid_field", "config.linear_attn_config.full_attn_layers[1]"},
        {kimi_layer_text, "invalid_field", "config.linear_attn_config.full_attn_layers[0]"},
        {kimi_not_object, "invalid_field", "config.linear_attn_config"},
        // Mamba
        {with(mamba2, {{"n_groups", 128}}), "invalid_field", "config.n_groups"},  // more groups than its 64 heads
        {with(mamba2, {{"num_heads", big}}), "invalid_field", "config.num_heads"},
        {with(mamba2, {{"head_dim", big}}), "invalid_field", "config.head_dim"},
        {with(mamba2, {{"conv_kernel", bounds::kConvKernel + 1}}), "invalid_field", "config.conv_kernel"},
        {with(mamba2, {{"state_size", big}}), "invalid_field", "config.state_size"},
        {with(falcon_mamba, {{"time_step_rank", big}}), "invalid_field", "config.time_step_rank"},
        {with(falcon_mamba, {{"intermediate_size", bounds::kHidden + 1}}), "invalid_field", "config.intermediate_size"},
        // per-layer lists: typed and bounded entries
        {with(minimax, {{"attn_type_list", {0, 1, "x", 1}}}), "invalid_field", "config.attn_type_list[2]"},
        {with(minimax, {{"attn_type_list", {0, 1, 2, 1}}}), "invalid_field", "config.attn_type_list[2]"},
        {with(llama4, {{"no_rope_layers", {1, 1, 1e300, 0}}}), "invalid_field", "config.no_rope_layers[2]"},
        {with(qwen_moe, {{"mlp_only_layers", {0, -1}}}), "invalid_field", "config.mlp_only_layers[1]"},
        {with(qwen_moe, {{"mlp_only_layers", "0,1"}}), "invalid_field", "config.mlp_only_layers"},
        {llama({{"layer_types", {"full_attention", "sliding_attention", 3, "full_attention"}}, {"sliding_window", 4096}}), "invalid_field",
         "config.layer_types[2]"},
        {llama({{"layers_block_type", {"attention", "attention", "attention", "teleport"}}}), "invalid_field", "config.layers_block_type[3]"},
        // Nemotron-NAS block_configs
        {nas_bad_blocks, "invalid_field", "config.block_configs[2]"},
        {nas_no_op_string, "invalid_field", "config.block_configs[1].attention.no_op"},
        {nas_linear_number, "invalid_field", "config.block_configs[3].ffn.replace_with_linear"},
        {nas_too_wide, "invalid_field", "config.block_configs[3].ffn.ffn_mult"},
        {nas_group_fraction, "invalid_field", "config.block_configs[0].attention.n_heads_in_group"},
        {nas_ffn_not_object, "invalid_field", "config.block_configs[1].ffn"},
        // Gemma 3n / Gemma 4 extras
        {with(gemma3n, {{"altup_num_inputs", big}}), "invalid_field", "config.altup_num_inputs"},
        {with(gemma3n, {{"laurel_rank", big}}), "invalid_field", "config.laurel_rank"},
        {with(gemma3n, {{"hidden_size_per_layer_input", 256}, {"vocab_size_per_layer_input", big}}), "invalid_field", "config.vocab_size_per_layer_input"},
        {with(gemma4, {{"global_head_dim", big}}), "invalid_field", "config.global_head_dim"},
        {with(gemma4, {{"num_global_key_value_heads", 64}}), "invalid_field", "config.num_global_key_value_heads"},  // 32 heads
        // vision_config
        {vision_string, "invalid_field", "config.vision_config"},
        {vision_merge, "invalid_field", "config.vision_config.spatial_merge_size"},
        {vision_hidden, "invalid_field", "config.vision_config.hidden_size"},
        {vision_layers, "invalid_field", "config.vision_config.num_hidden_layers"},
        {vision_ffn, "invalid_field", "config.vision_config.intermediate_size"},
        {vision_channels, "invalid_field", "config.vision_config.num_channels"},
        {vision_patch, "invalid_field", "config.vision_config.patch_size"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.config.dump());
        const Refusal r = refusal_of(c.config);
        CHECK(r.code == c.code);
        CHECK(r.field == c.field);
    }
    // A width within the bound is still read (2/3 × 63 × 4,096 rounded up to 256 = 172,032).
    CHECK(refusal_of(nas_wide).code == "(an answer)");
}

TEST_CASE("the bounds themselves are accepted: a config at a bound is read, one past it is refused") {
    const fitmygpu::ModelGeometry g = fitmygpu::parse_geometry(
        llama({{"max_position_embeddings", fitmygpu::kMaxContext}, {"num_nextn_predict_layers", bounds::kMtpLayers}, {"sliding_window", bounds::kPositions}}));
    CHECK(g.max_position_embeddings == (fitmygpu::i64{1} << 24));
    CHECK(g.n_mtp_layers == 64);
    // Whole numbers written as 4096.0 read as 4096.
    CHECK(fitmygpu::parse_geometry(llama({{"hidden_size", 4096.0}})).hidden == 4096);
    CHECK_THROWS_AS(fitmygpu::parse_geometry(llama({{"num_nextn_predict_layers", bounds::kMtpLayers + 1}})), fitmygpu::FieldError);
}
