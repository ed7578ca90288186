// Tensor inventories against published parameter totals and hand calculations.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "fitmygpu/geometry.hpp"
#include "fitmygpu/tensors.hpp"

using namespace fitmygpu;
using nlohmann::json;

namespace {
// Llama-3.1-8B config.json (meta-llama/Llama-3.1-8B-Instruct).
const json kLlama31_8B = json::parse(R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096, "intermediate_size": 14336,
  "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "vocab_size": 128256,
  "tie_word_embeddings": false, "attention_bias": false, "mlp_bias": false, "max_position_embeddings": 131072,
  "torch_dtype": "bfloat16"})");
}  // namespace

TEST_CASE("Llama-3.1-8B's inventory sums to the 8,030,261,248 parameters of its safetensors files") {
    // Published figure: Hugging Face safetensors metadata of meta-llama/Llama-3.1-8B-Instruct.
    const ModelGeometry g = parse_geometry(kLlama31_8B);
    const Inventory inv = build_inventory(g);
    CHECK(inv.total_params() == 8030261248);
    // 32 layers x 9 tensors (2 norms, q, k, v, o, gate, up, down) + embd + output + output_norm.
    CHECK(inv.tensors.size() == 32 * 9 + 3);
}

TEST_CASE("explicit head_dim wins over hidden/heads (Qwen3 uses 128)") {
    json c = {{"model_type", "qwen3"},   {"hidden_size", 1024},       {"num_attention_heads", 16}, {"num_key_value_heads", 8},   {"head_dim", 128},
              {"num_hidden_layers", 28}, {"intermediate_size", 3072}, {"vocab_size", 151936},      {"tie_word_embeddings", true}};
    const ModelGeometry g = parse_geometry(c);
    CHECK(g.head_dim == 128);
    // Qwen3-0.6B by hand: embd 151936*1024 = 155,582,464; per layer: q 1024*2048 + k,v 2*1024*1024 + o 2048*1024
    // = 8,388,608; mlp 3*1024*3072 = 9,437,184; norms 2*1024 + q/k norm 2*128 = 2,304 -> 17,828,096 * 28 = 499,186,688;
    // final norm 1024. Total 654,770,176... minus nothing: tied embeddings store one matrix.
    const i64 per_layer = 1024 * 2048 + 2 * 1024 * 1024 + 2048 * 1024 + 3 * 1024 * 3072 + 2 * 1024 + 2 * 128;
    CHECK(build_inventory(g).total_params() == 151936 * 1024 + 28 * per_layer + 1024);
}

TEST_CASE("gpt-oss-20b counts attention biases, sinks, router bias and expert biases") {
    json c = json::parse(R"({"model_type":"gpt_oss","hidden_size":2880,"num_hidden_layers":24,"num_attention_heads":64,
      "num_key_value_heads":8,"head_dim":64,"intermediate_size":2880,"num_local_experts":32,"num_experts_per_tok":4,
      "vocab_size":201088,"tie_word_embeddings":false,"attention_bias":true,"sliding_window":128,
      "layer_types":["sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention",
      "sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention",
      "sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention",
      "sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention"]})");
    const ModelGeometry g = parse_geometry(c);
    // Hand calculation per layer:
    //   attention: q 2880x4096 + 4096, k and v 2880x512 + 512 each, o 4096x2880 + 2880, sinks 64 = 26,550,144
    //   router 2880x32 + 32 = 92,192
    //   experts 32 x (gate_up 2880x5760 + 5760 + down 2880x2880 + 2880) = 796,538,880
    //   norms 2x2880 = 5,760                                                    -> 823,186,976
    // 24 layers = 19,756,487,424; embedding + unembedding 2 x 201088x2880 = 1,158,266,880; final norm 2,880.
    const Inventory inv = build_inventory(g);
    CHECK(inv.total_params() == 20914757184);
    CHECK(g.count(Mixer::SlidingAttention) == 12);
    CHECK(g.layers[0].window == 128);
    // Active: 4 of 32 experts; the expert part per layer drops from 796,538,880 to 796,538,880 / 32 * 4 = 99,567,360.
    // (OpenAI's "3.6B active" also leaves out the 579M-parameter embedding lookup; we count every non-expert tensor.)
    const i64 active = i64{20914757184} - i64{24} * (i64{796538880} - i64{99567360});
    CHECK(inv.active_params(g) == active);
}

TEST_CASE("a config with a negative or missing size names the field") {
    json c = kLlama31_8B;
    c["hidden_size"] = -5;
    try {
        parse_geometry(c);
        FAIL("expected an error");
    } catch (const std::exception& e) {
        CHECK(std::string(e.what()).find("config.hidden_size") != std::string::npos);
    }
    c = kLlama31_8B;
    c.erase("vocab_size");
    CHECK_THROWS_WITH(parse_geometry(c), doctest::Contains("config.vocab_size"));
}
