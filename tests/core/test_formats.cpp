// Checkpoint formats, tensor by tensor, against hand calculations from each format's layout.
#include <doctest/doctest.h>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/formats.hpp"
#include "helpers.hpp"

using namespace fitmygpu;
using testing::json;

namespace {
// A 4096 x 4096 attention projection inside layer 0 and the 128,256 x 4096 embedding of Llama-3.1-8B.
const Tensor kProj{"blk.0.attn_q.weight", Role::AttnQ, TensorKind::Matrix, 0, 4096, 4096, 1};
const Tensor kEmbd{"token_embd.weight", Role::TokenEmbd, TensorKind::Matrix, -1, 4096, 128256, 1};
const Tensor kNorm{"blk.0.attn_norm.weight", Role::AttnNorm, TensorKind::Vector, 0, 4096, 1, 1};
// gpt-oss-20b stacked experts: 32 x [2880 -> 2880] down projections.
const Tensor kExperts{"blk.0.ffn_down_exps.weight", Role::FfnDownExps, TensorKind::Matrix, 0, 2880, 2880, 32};
}  // namespace

TEST_CASE("16-bit and 32-bit checkpoints store every tensor at 2 or 4 bytes") {
    CHECK(tensor_bytes(kProj, parse_weight_format("bf16")) == 4096 * 4096 * 2);
    CHECK(tensor_bytes(kNorm, parse_weight_format("fp16")) == 4096 * 2);
    CHECK(tensor_bytes(kEmbd, parse_weight_format("fp32")) == i64{128256} * 4096 * 4);
}

TEST_CASE("FP8 keeps one byte per weight plus an fp32 scale per output channel, and leaves embeddings in 16-bit") {
    const WeightFormat f = parse_weight_format("fp8");
    CHECK(tensor_bytes(kProj, f) == 4096 * 4096 + 4096 * 4);
    CHECK(tensor_bytes(kEmbd, f) == i64{128256} * 4096 * 2);
    CHECK(tensor_bytes(kNorm, f) == 4096 * 2);
    CHECK(tensor_bytes(kProj, parse_weight_format("int8")) == 4096 * 4096 + 4096 * 4);
}

TEST_CASE("AWQ int4 with group size 128 packs 8 weights per int32 with fp16 scales and packed zeros") {
    // qweight [4096, 4096/8] int32 = 8,388,608 B; scales [32, 4096] fp16 = 262,144 B; qzeros [32, 4096/8] int32 = 65,536 B.
    CHECK(tensor_bytes(kProj, parse_weight_format("awq-int4")) == 8388608 + 262144 + 65536);
    CHECK(tensor_bytes(kEmbd, parse_weight_format("awq-int4")) == i64{128256} * 4096 * 2);
}

TEST_CASE("GPTQ int4 adds the g_idx permutation of one int32 per input feature") {
    CHECK(tensor_bytes(kProj, parse_weight_format("gptq-int4")) == 8388608 + 262144 + 65536 + 4096 * 4);
}

TEST_CASE("MXFP4 quantizes only MoE experts: 4-bit values plus one byte of scale per 32") {
    const WeightFormat f = parse_weight_format("mxfp4");
    // 32 x 2880 x 2880 = 265,420,800 values: / 2 = 132,710,400 B of blocks + / 32 = 8,294,400 B of scales.
    CHECK(tensor_bytes(kExperts, f) == 132710400 + 8294400);
    CHECK(tensor_bytes(kProj, f) == 4096 * 4096 * 2);
}

TEST_CASE("NVFP4 stores 4-bit values, an fp8 scale per 16 and two fp32 per-tensor scales") {
    CHECK(tensor_bytes(kProj, parse_weight_format("nvfp4")) == 4096 * 4096 / 2 + 4096 * 4096 / 16 + 8);
}

TEST_CASE("MLX 4-bit quantizes embeddings too, with a bf16 scale and bias per 64 weights") {
    const WeightFormat f = parse_weight_format("mlx-4bit");
    CHECK(tensor_bytes(kEmbd, f) == i64{128256} * 4096 / 2 + i64{128256} * 4096 / 64 * 4);
    CHECK(tensor_bytes(kNorm, f) == 4096 * 2);
}

TEST_CASE("a whole BF16 checkpoint is twice its parameter count: Llama-3.1-8B is 16,060,522,496 bytes") {
    const json r = testing::estimate(R"({"model":"llama-3.1-8b","weights":"bf16","gpu":"h100-sxm-80gb"})");
    // One H100 holds all of it: 8,030,261,248 x 2 bytes.
    CHECK(testing::item(r, "weights") == i64{8030261248} * 2);
}

TEST_CASE("format ids are validated and normalised") {
    CHECK(parse_weight_format("BF16").id == "bf16");
    CHECK(parse_weight_format("gguf:q4_k_m").id == "gguf:Q4_K_M");
    CHECK_THROWS_WITH(parse_weight_format("gguf:Q9_K"), doctest::Contains("GGUF file type"));
    CHECK_THROWS_WITH(parse_weight_format("int3"), doctest::Contains("unknown weight format"));
    CHECK(parse_kv_dtype("q8_0").bytes(1024) == 1024 / 32 * 34);
    CHECK(parse_kv_dtype("q4_0").bytes(1024) == 1024 / 32 * 18);
    CHECK(parse_kv_dtype("fp8").bytes(1024) == 1024);
    CHECK_THROWS(parse_kv_dtype("q3_k"));
}

TEST_CASE("models in the reference geometry file sum to their published totals") {
    // tests/data/architectures.json: every entry whose total comes from the Hugging Face safetensors
    // metadata (not computed) must be matched exactly by the inventory of its config.
    const json models = json::parse(testing::read_text(FITMYGPU_SOURCE_DIR "/tests/data/architectures.json")).at("models");
    int checked = 0;
    for (const auto& m : models) {
        const std::string source = m.value("total_params_source", "");
        if (!m.contains("total_params") || !m.at("total_params").is_number() || source.rfind("HF API safetensors total", 0) != 0) continue;
        if (source.find("includes") != std::string::npos || source.find("computed 5") != std::string::npos) continue;  // MTP / stored lm_head
        CAPTURE(m.at("model").get<std::string>());
        const Inventory inv = build_inventory(parse_geometry(m));
        CHECK(inv.total_params() == m.at("total_params").get<i64>());
        ++checked;
    }
    MESSAGE("checked " << checked << " models against HF safetensors totals");
    CHECK(checked >= 5);
}

namespace {
QuantizationSpec ignoring(std::vector<std::string> entries) {
    QuantizationSpec q;
    q.present = true;
    q.modules_not_quantized = std::move(entries);
    return q;
}

// Llama-3.1-8B's config with a compressed-tensors FP8 quantization_config of the shape llm-compressor writes (as in
// RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8: one group of Linear targets with 8-bit float weights), ignoring `ignore`.
json fp8_llama(const json& ignore) {
    json config = fitmygpu::Catalog::builtin().find_model("llama-3.1-8b")->config();
    config["quantization_config"] = {
        {"quant_method", "compressed-tensors"},
        {"format", "float-quantized"},
        {"config_groups",
         {{"group_0",
           {{"targets", {"Linear"}},
            {"weights", {{"num_bits", 8}, {"type", "float"}, {"strategy", "channel"}, {"symmetric", true}, {"dynamic", false}}},
            {"input_activations", {{"num_bits", 8}, {"type", "float"}, {"strategy", "token"}, {"dynamic", true}}}}}}},
        {"ignore", ignore},
    };
    return config;
}

i64 weights_of(const json& config) {
    const json r = fitmygpu::api::estimate(json{{"config", config}, {"runtime", "vllm"}, {"gpu", "h100-sxm-80gb"}});
    REQUIRE_MESSAGE(!r.contains("error"), r.dump());
    CHECK(r.at("resolved").at("weights") == "fp8");
    return testing::item(r, "weights");
}
}  // namespace

TEST_CASE("an ignore list names modules by their Hugging Face names: exact, dotted runs, globs and re: patterns") {
    const Tensor gate_proj{"blk.0.ffn_gate.weight", Role::FfnGate, TensorKind::Matrix, 0, 4096, 14336, 1};
    const Tensor router{"blk.3.ffn_gate_inp.weight", Role::FfnGateInp, TensorKind::Matrix, 3, 2048, 128, 1};
    const Tensor output{"output.weight", Role::Output, TensorKind::Matrix, -1, 4096, 128256, 1};
    CHECK(left_unquantized(kProj, ignoring({"model.layers.0.self_attn.q_proj"})));
    CHECK(left_unquantized(kProj, ignoring({"self_attn"})));
    CHECK(left_unquantized(kProj, ignoring({"model.layers.0"})));
    CHECK_FALSE(left_unquantized(kProj, ignoring({"model.layers.1"})));
    CHECK_FALSE(left_unquantized(kProj, ignoring({"proj"})));                // part of a component names nothing
    CHECK(left_unquantized(kProj, ignoring({"model.layers.*.self_attn"})));  // gpt-oss modules_to_not_convert
    CHECK(left_unquantized(kProj, ignoring({"re:.*self_attn.*"})));
    CHECK_FALSE(left_unquantized(kProj, ignoring({"re:.*mlp.*"})));
    CHECK(left_unquantized(router, ignoring({"re:.*mlp.gate$"})));
    CHECK_FALSE(left_unquantized(gate_proj, ignoring({"re:.*mlp.gate$"})));
    CHECK_FALSE(left_unquantized(gate_proj, ignoring({"gate"})));  // MiniMax-M2's "gate" is the router, not gate_proj
    CHECK(left_unquantized(output, ignoring({"lm_head"})));
    CHECK_FALSE(left_unquantized(output, ignoring({})));
}

TEST_CASE("a compressed-tensors FP8 config is sized tensor by tensor, its ignore list kept in BF16") {
    // Llama-3.1-8B: hidden 4096, MLP 14336, 32 layers, 8 KV heads of 128, vocabulary 128,256, untied lm_head. FP8: one
    // byte per weight and an fp32 scale per output row; embeddings, norms and what the ignore list names: 2 bytes a weight.
    const i64 q = 4096 * 4096 + 4096 * 4, kv = 1024 * 4096 + 1024 * 4;
    const i64 gate_up = i64{14336} * 4096 + 14336 * 4, down = i64{4096} * 14336 + 4096 * 4, norms = 2 * 4096 * 2;
    const i64 layer = 2 * q + 2 * kv + 2 * gate_up + down + norms;
    CHECK(layer == 218292224);
    const i64 embedding = i64{128256} * 4096 * 2;  // and lm_head, the same shape
    const i64 fp8 = 32 * layer + 2 * embedding + 4096 * 2;
    CHECK(fp8 == 9086705664);
    CHECK(weights_of(fp8_llama({"lm_head"})) == fp8);
    // Attention left in BF16 as well: q, k, v and o at 2 bytes a weight in each of the 32 layers.
    const i64 attention_bf16 = (2 * 4096 * 4096 + 2 * 1024 * 4096) * 2;
    CHECK(weights_of(fp8_llama({"lm_head", "re:.*self_attn.*"})) == fp8 + 32 * (attention_bf16 - 2 * q - 2 * kv));
    // The list describes the FP8 checkpoint only: asked for as AWQ, the model is sized by AWQ's layout throughout.
    const json awq = fitmygpu::api::estimate(json{{"config", fp8_llama({"re:.*"})}, {"weights", "awq-int4"}, {"runtime", "vllm"}, {"gpu", "h100-sxm-80gb"}});
    const json awq_plain =
        fitmygpu::api::estimate(json{{"config", fp8_llama(json::array())}, {"weights", "awq-int4"}, {"runtime", "vllm"}, {"gpu", "h100-sxm-80gb"}});
    CHECK(testing::component(awq, "weights") == testing::component(awq_plain, "weights"));
}

TEST_CASE("a bad re: pattern in an ignore list is an error naming the entry") {
    const json e = testing::error_of("estimate", json{{"config", fp8_llama({"lm_head", "re:(unclosed"})}, {"gpu", "h100-sxm-80gb"}}.dump());
    REQUIRE(e.is_object());
    CHECK(e.at("field") == "config.quantization_config.ignore[1]");
}

namespace {
// The whole checkpoint on one device large enough to hold it (1 TiB), so that no sharding rule enters the count.
json layout_request(const std::string& weights) {
    return json{{"model", "llama-3.1-405b"},
                {"weights", weights},
                {"runtime", "vllm"},
                {"device", {{"memory_mib", 1 << 20}, {"bandwidth_gbps", 3350}}},
                {"context", 8192}};
}
i64 whole_weights(const json& r) {
    REQUIRE_MESSAGE(!r.contains("error"), r.dump());
    return testing::item(r, "weights");
}
}  // namespace

TEST_CASE("Meta's FP8 release of Llama 3.1 405B is counted as it ships: attention and the first and last MLPs in BF16") {
    // Llama-3.1-405B: hidden 16384, MLP 53248, 126 layers, 128 query heads and 8 KV heads of 128, vocabulary 128,256,
    // untied lm_head. meta-llama/Llama-3.1-405B-Instruct-FP8 (fbgemm_fp8): the MLPs of layers 1-124 in FP8 with an
    // fp32 scale per output row; every attention projection, the MLPs of layers 0 and 125, the embeddings and lm_head
    // in BF16 (its config's modules_to_not_convert).
    const i64 h = 16384, ffn = 53248, kv = 8 * 128, vocab = 128256;
    const i64 attention = (2 * h * h + 2 * kv * h) * 2;
    const i64 mlp_params = 3 * h * ffn;
    const i64 mlp_fp8 = mlp_params + (2 * ffn + h) * 4;
    const i64 norms = (126 * 2 * h + h) * 2;
    const i64 embeddings = 2 * vocab * h * 2;
    // The release's count beyond the BF16 one, 15,237,120, is the scales of 124 quantized MLPs:
    CHECK(124 * (2 * ffn + h) == 405868625920 - 405853388800);
    const i64 meta_fp8 = 126 * attention + 124 * mlp_fp8 + 2 * mlp_params * 2 + norms + embeddings;
    const json by_repo = fitmygpu::api::estimate(layout_request("meta-llama/Llama-3.1-405B-Instruct-FP8"));
    CHECK(whole_weights(by_repo) == meta_fp8);
    CHECK(by_repo.at("resolved").at("weights") == "fp8");
    // "fp8" alone is the official FP8 checkpoint, the first the catalog lists.
    CHECK(whole_weights(fitmygpu::api::estimate(layout_request("fp8"))) == meta_fp8);
    // A release that quantizes every linear layer but lm_head would be 126 x (attention/2 + scales) + 2 MLPs smaller.
    const i64 uniform = 126 * ((2 * h * h + 2 * kv * h) + (2 * h + 2 * kv) * 4) + 126 * mlp_fp8 + norms + embeddings;
    CHECK(meta_fp8 - uniform > i64{70} * 1000 * 1000 * 1000);
}

TEST_CASE("weights may name one of the model's catalog checkpoints; another repository is an error listing them") {
    const json e = testing::error_of("estimate", layout_request("someone/Llama-405B-FP8").dump());
    REQUIRE(e.is_object());
    CHECK(e.at("field") == "weights");
    CHECK(e.at("message").get<std::string>().find("meta-llama/Llama-3.1-405B-Instruct-FP8") != std::string::npos);
    const json custom =
        testing::error_of("estimate", json{{"config", fitmygpu::Catalog::builtin().find_model("llama-3.1-8b")->config()}, {"weights", "org/repo"}}.dump());
    REQUIRE(custom.is_object());
    CHECK(custom.at("field") == "weights");
}

TEST_CASE("a model_type FitMyGPU does not know is read as a generic decoder, with a warning naming the fields it did not read") {
    // A small Llama-shaped decoder under a made-up model_type, with two fields no family reads.
    const json config = {{"model_type", "acme_decoder"},
                         {"architectures", {"AcmeForCausalLM"}},
                         {"hidden_size", 1024},
                         {"intermediate_size", 4096},
                         {"num_hidden_layers", 4},
                         {"num_attention_heads", 8},
                         {"num_key_value_heads", 2},
                         {"vocab_size", 32000},
                         {"max_position_embeddings", 4096},
                         {"rms_norm_eps", 1e-5},
                         {"bos_token_id", 1},
                         {"attention_dropout", 0.0},
                         {"acme_memory_slots", 64},
                         {"acme_router_groups", 4}};
    const json r = fitmygpu::api::estimate(json{{"config", config}, {"runtime", "vllm"}, {"gpu", "rtx-4090"}, {"context", 2048}});
    REQUIRE_MESSAGE(!r.contains("error"), r.dump());
    std::string note;
    for (const auto& w : r.at("warnings"))
        if (w.get<std::string>().find("acme_decoder") != std::string::npos) note = w.get<std::string>();
    CAPTURE(note);
    CHECK(note.find("generic decoder") != std::string::npos);
    CHECK(note.find("acme_memory_slots") != std::string::npos);
    CHECK(note.find("acme_router_groups") != std::string::npos);
    for (const char* understood : {"hidden_size", "intermediate_size", "num_key_value_heads", "rms_norm_eps", "bos_token_id", "attention_dropout"}) {
        CAPTURE(understood);
        CHECK(note.find(understood) == std::string::npos);
    }
    // Sized as a Llama decoder: per layer q and o (1024 x 1024), k and v (256 x 1024), a gated MLP (3 x 1024 x 4096)
    // and two norms; embeddings and an untied lm_head; a final norm. BF16: 2 bytes each.
    const i64 layer = 2 * 1024 * 1024 + 2 * 256 * 1024 + 3 * 1024 * 4096 + 2 * 1024;
    CHECK(testing::item(r, "weights") == (4 * layer + 2 * 32000 * 1024 + 1024) * 2);
    // A model_type with a family of its own gets no such warning.
    json llama = config;
    llama["model_type"] = "llama";
    const json known = fitmygpu::api::estimate(json{{"config", llama}, {"runtime", "vllm"}, {"gpu", "rtx-4090"}});
    REQUIRE_MESSAGE(!known.contains("error"), known.dump());
    for (const auto& w : known.at("warnings")) CHECK(w.get<std::string>().find("generic decoder") == std::string::npos);
}

TEST_CASE("Kimi K2 Thinking's INT4 release quantizes only the routed experts, in groups of 32") {
    // Kimi K2: 61 layers, the first dense, 384 routed experts of 3 x 7168 x 2048 in each of the other 60. The release's
    // quantization_config (compressed-tensors pack-quantized, symmetric, group 32) ignores attention, the shared
    // experts, the dense MLP and lm_head. A routed expert's matrix: 4 bits a weight, a BF16 scale per 32 weights and
    // its int64[2] weight_shape; everything else as in BF16.
    const i64 experts = 60 * 384 * 3;
    const i64 per_matrix = i64{7168} * 2048;
    const i64 bf16_bytes = 2 * per_matrix;
    const i64 int4_bytes = per_matrix / 2 + (per_matrix / 32) * 2 + 16;
    auto weights = [](const std::string& w) {
        const json r = fitmygpu::api::estimate(json{{"model", "kimi-k2-thinking"},
                                                    {"weights", w},
                                                    {"runtime", "vllm"},
                                                    {"device", {{"memory_mib", 1 << 21}, {"bandwidth_gbps", 8000}}},
                                                    {"context", 4096}});
        REQUIRE_MESSAGE(!r.contains("error"), r.dump());
        return testing::item(r, "weights");
    };
    const i64 bf16 = weights("bf16");
    const i64 release = weights("moonshotai/Kimi-K2-Thinking");
    CHECK(bf16 - release == experts * (bf16_bytes - int4_bytes));
    // About 594 GB in all: 1.01T expert weights at 0.5625 bytes and the other ~11.7B parameters at 2.
    CHECK(release > i64{590} * 1000 * 1000 * 1000);
    CHECK(release < i64{598} * 1000 * 1000 * 1000);
}

TEST_CASE("a bitsandbytes config is sized as bitsandbytes stores it: 4-bit with block scales, 8-bit with a scale per row") {
    // Llama-3.1-8B with the quantization_config transformers writes for BitsAndBytesConfig(load_in_4bit=True,
    // bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True), as in the 4-bit repositories people download.
    json config = fitmygpu::Catalog::builtin().find_model("llama-3.1-8b")->config();
    config["quantization_config"] = {{"quant_method", "bitsandbytes"},
                                     {"load_in_4bit", true},
                                     {"load_in_8bit", false},
                                     {"bnb_4bit_quant_type", "nf4"},
                                     {"bnb_4bit_use_double_quant", true},
                                     {"bnb_4bit_compute_dtype", "bfloat16"},
                                     {"llm_int8_skip_modules", json(nullptr)}};
    const json r = fitmygpu::api::estimate(json{{"config", config}, {"runtime", "vllm"}, {"gpu", "rtx-4090"}, {"context", 4096}});
    REQUIRE_MESSAGE(!r.contains("error"), r.dump());
    CHECK(r.at("resolved").at("weights") == "bnb-4bit");
    // A matrix of n weights: n/2 bytes, a uint8 absmax per 64 weights, an fp32 scale per 256 of those, the 256-entry
    // nested and 16-entry code books in fp32. Embeddings, lm_head and norms stay BF16.
    auto matrix = [](i64 n) { return n / 2 + n / 64 + testing::div_up(n / 64, 256) * 4 + 256 * 4 + 16 * 4; };
    const i64 layer = 2 * matrix(4096 * 4096) + 2 * matrix(1024 * 4096) + 3 * matrix(i64{14336} * 4096) + 2 * 4096 * 2;
    CHECK(testing::item(r, "weights") == 32 * layer + 2 * i64{128256} * 4096 * 2 + 4096 * 2);
    // load_in_8bit: int8 weights and an fp32 scale (SCB) per output row, which is the INT8 layout.
    config["quantization_config"] = {{"quant_method", "bitsandbytes"}, {"load_in_8bit", true}, {"load_in_4bit", false}};
    const json eight = fitmygpu::api::estimate(json{{"config", config}, {"runtime", "vllm"}, {"gpu", "rtx-4090"}, {"context", 4096}});
    REQUIRE_MESSAGE(!eight.contains("error"), eight.dump());
    CHECK(eight.at("resolved").at("weights") == "int8");
    const i64 row_layer =
        2 * (4096 * 4096 + 4096 * 4) + 2 * (1024 * 4096 + 1024 * 4) + 2 * (i64{14336} * 4096 + 14336 * 4) + (i64{4096} * 14336 + 4096 * 4) + 2 * 4096 * 2;
    CHECK(testing::item(eight, "weights") == 32 * row_layer + 2 * i64{128256} * 4096 * 2 + 4096 * 2);
}
