// Checkpoint formats, tensor by tensor, against hand calculations from each format's layout.
#include <doctest/doctest.h>

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
    CHECK(testing::component(r, "weights") == i64{8030261248} * 2);
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
