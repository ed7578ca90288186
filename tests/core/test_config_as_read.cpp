// config_as_read: a config.json cut to the fields the estimator reads (what the wasm module embeds for each catalog
// model). Hand-made configs check what is kept and what goes; every catalog config checks that the cut one gives the
// same estimate as the published one.
#include <doctest/doctest.h>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/geometry.hpp"
#include "helpers.hpp"

using namespace testing;
using fitmygpu::config_as_read;

namespace {

// A Llama 3.1 8B config.json (meta-llama/Llama-3.1-8B) with its tokenizer ids, initializer and version lines.
json llama() {
    return json::parse(R"({
      "architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 128000,
      "eos_token_id": 128001, "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02,
      "intermediate_size": 14336, "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
      "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "pretraining_tp": 1,
      "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
      "original_max_position_embeddings": 8192, "rope_type": "llama3"}, "rope_theta": 500000.0,
      "tie_word_embeddings": false, "torch_dtype": "bfloat16", "transformers_version": "4.43.0.dev0", "use_cache": true,
      "vocab_size": 128256})");
}

}  // namespace

TEST_CASE("config_as_read keeps the fields that size the model and drops tokenizer ids, initializers and versions") {
    const json cut = config_as_read(llama());
    // Sizes of tensors and caches, with their values.
    for (const char* key : {"hidden_size", "intermediate_size", "num_attention_heads", "num_hidden_layers", "num_key_value_heads", "vocab_size",
                            "tie_word_embeddings", "max_position_embeddings", "torch_dtype", "model_type"}) {
        CAPTURE(key);
        REQUIRE(cut.contains(key));
        CHECK(cut.at(key) == llama().at(key));
    }
    // None of these changes a tensor or a cache.
    for (const char* key : {"bos_token_id", "eos_token_id", "initializer_range", "transformers_version", "use_cache", "rms_norm_eps", "rope_theta",
                            "attention_dropout", "pretraining_tp"}) {
        CAPTURE(key);
        CHECK_FALSE(cut.contains(key));
    }
    // rope_scaling is read for its type, factor and original context (they size vLLM's rotary table); the frequencies
    // stay behind.
    REQUIRE(cut.contains("rope_scaling"));
    CHECK(cut.at("rope_scaling") == json{{"rope_type", "llama3"}, {"factor", 8.0}, {"original_max_position_embeddings", 8192}});
    // Cutting again changes nothing.
    CHECK(config_as_read(cut) == cut);
}

TEST_CASE("config_as_read keeps the top-level values a nested text model reads through, and each tower's sizes") {
    // A Gemma 3 style multimodal config: the text model under text_config, vocab_size only at the top.
    const json config = json::parse(R"({
      "architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3", "mm_tokens_per_image": 256,
      "vocab_size": 262208, "initializer_range": 0.02, "image_token_index": 262144,
      "text_config": {"model_type": "gemma3_text", "hidden_size": 2560, "intermediate_size": 10240, "num_hidden_layers": 34,
                      "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256, "sliding_window": 1024,
                      "sliding_window_pattern": 6, "max_position_embeddings": 131072, "rope_theta": 1000000.0,
                      "query_pre_attn_scalar": 256},
      "vision_config": {"model_type": "siglip_vision_model", "hidden_size": 1152, "intermediate_size": 4304, "num_hidden_layers": 27,
                        "num_attention_heads": 16, "image_size": 896, "patch_size": 14, "layer_norm_eps": 1e-06,
                        "attention_dropout": 0.0}})");
    const json cut = config_as_read(config);
    CHECK(cut.at("vocab_size") == 262208);
    CHECK(cut.at("mm_tokens_per_image") == 256);
    CHECK_FALSE(cut.contains("initializer_range"));
    CHECK_FALSE(cut.contains("image_token_index"));
    const json& text = cut.at("text_config");
    for (const char* key :
         {"hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim", "sliding_window"})
        CHECK(text.at(key) == config.at("text_config").at(key));
    CHECK_FALSE(text.contains("rope_theta"));
    CHECK_FALSE(text.contains("query_pre_attn_scalar"));
    const json& vision = cut.at("vision_config");
    for (const char* key : {"hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "image_size", "patch_size"})
        CHECK(vision.at(key) == config.at("vision_config").at(key));
    CHECK_FALSE(vision.contains("layer_norm_eps"));
    CHECK_FALSE(vision.contains("attention_dropout"));
    CHECK(estimate(json{{"config", cut}, {"gpu", "h100-sxm-80gb"}, {"images", 1}}.dump()) ==
          estimate(json{{"config", config}, {"gpu", "h100-sxm-80gb"}, {"images", 1}}.dump()));
}

TEST_CASE("config_as_read keeps every entry of a per-layer list, each with the fields read in it") {
    // A DeciLM (Llama-Nemotron) config of three layers: attention removed in the second, FFN widths per layer.
    json config = llama();
    config["model_type"] = "nemotron-nas";
    config["num_hidden_layers"] = 3;
    config["block_configs"] = json::parse(R"([
      {"attention": {"n_heads_in_group": 8, "no_op": false, "replace_with_linear": false, "sparsify": null},
       "ffn": {"ffn_mult": 2.625, "no_op": false, "replace_with_linear": false, "sparsify": null}},
      {"attention": {"n_heads_in_group": null, "no_op": true, "replace_with_linear": false, "sparsify": null},
       "ffn": {"ffn_mult": 1.3125, "no_op": false, "replace_with_linear": false, "sparsify": null}},
      {"attention": {"n_heads_in_group": 4, "no_op": false, "replace_with_linear": false, "sparsify": null},
       "ffn": {"ffn_mult": 5.25, "no_op": false, "replace_with_linear": false, "sparsify": null}}])");
    const json cut = config_as_read(config);
    const json& blocks = cut.at("block_configs");
    REQUIRE(blocks.size() == 3);
    CHECK(blocks[0].at("attention").at("n_heads_in_group") == 8);
    CHECK(blocks[1].at("attention").at("no_op") == true);
    CHECK(blocks[2].at("attention").at("n_heads_in_group") == 4);
    CHECK(blocks[0].at("ffn").at("ffn_mult") == 2.625);
    CHECK(blocks[1].at("ffn").at("ffn_mult") == 1.3125);
    CHECK(blocks[2].at("ffn").at("ffn_mult") == 5.25);
    for (const json& b : blocks) {
        CHECK_FALSE(b.at("attention").contains("sparsify"));
        CHECK_FALSE(b.at("ffn").contains("sparsify"));
    }
    CHECK(estimate(json{{"config", cut}, {"gpu", "h100-sxm-80gb"}}.dump()) == estimate(json{{"config", config}, {"gpu", "h100-sxm-80gb"}}.dump()));
}

TEST_CASE("config_as_read keeps a value read as a whole (compressed-tensors config_groups) as it is") {
    json config = llama();
    config["quantization_config"] = json::parse(R"({"quant_method": "compressed-tensors", "format": "pack-quantized", "ignore": ["lm_head"],
      "quantization_status": "compressed", "config_groups": {"group_0": {"targets": ["Linear"], "input_activations": null,
      "weights": {"num_bits": 4, "type": "int", "group_size": 128, "symmetric": true, "strategy": "group", "dynamic": false}}}})");
    const json cut = config_as_read(config);
    const json& q = cut.at("quantization_config");
    CHECK(q.at("quant_method") == "compressed-tensors");
    CHECK(q.at("ignore") == json{"lm_head"});
    CHECK(q.at("config_groups") == config.at("quantization_config").at("config_groups"));
    CHECK_FALSE(q.contains("quantization_status"));
    CHECK(estimate(json{{"config", cut}, {"gpu", "h100-sxm-80gb"}}.dump()) == estimate(json{{"config", config}, {"gpu", "h100-sxm-80gb"}}.dump()));
}

TEST_CASE("config_as_read returns a config read as a generic decoder whole: its note lists the fields not read") {
    json config = llama();
    config["model_type"] = "some_new_decoder";
    config["mystery_width"] = 512;
    CHECK(config_as_read(config) == config);
}

TEST_CASE("every catalog config cut to the fields read gives the estimates of the published one") {
    for (const auto& m : fitmygpu::Catalog::builtin().models()) {
        CAPTURE(m.id);
        const json cut = config_as_read(m.config());
        CHECK(cut.dump().size() <= m.config().dump().size());
        // A paged-cache runtime over tensor parallelism and a layer-split GGUF one (which also sizes the vision projector's
        // compute buffer from the config); images count where there is an encoder to run. A runtime that cannot run the
        // model answers with an error, which must be the same for both.
        for (const char* runtime : {"vllm", "llama.cpp"}) {
            CAPTURE(runtime);
            json request = {{"runtime", runtime}, {"gpu", "b200"}, {"gpu_count", 8}};
            if (m.config().contains("vision_config")) {
                request["images"] = 1;
                request["context"] = 16384;
                if (std::string(runtime) == "llama.cpp") request["engine"] = {{"mmproj", true}};
            }
            json with_cut = request, with_full = request;
            with_cut["config"] = cut;
            with_full["config"] = m.config();
            CHECK(fitmygpu::api::call("estimate", with_cut.dump()) == fitmygpu::api::call("estimate", with_full.dump()));
        }
    }
}
