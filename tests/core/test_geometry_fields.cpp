// The typed config values ModelGeometry holds for the engines and the request layer (vision heads and image
// geometry, mm_tokens_per_image, the SSM state dtype, quantization_config), so that they need not read the
// raw config.json. For every catalog config they must equal what the raw reads they replace computed; those
// reads are copied below as they stand in scenario/multimodal.cpp, engines/llamacpp.cpp, engines/vllm.cpp and
// (before this change) formats.cpp.
#include <doctest/doctest.h>

#include <cctype>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/formats.hpp"
#include "fitmygpu/geometry.hpp"
#include "helpers.hpp"

using namespace testing;
using fitmygpu::ModelGeometry;
using fitmygpu::native_weight_format;
using fitmygpu::parse_geometry;

namespace {

// ---- the raw reads being replaced ----

// engines/llamacpp.cpp: heads of the vision encoder for the mmproj compute buffer.
i64 raw_vision_heads(const json& config) {
    return config.contains("vision_config") ? config.at("vision_config").value("num_attention_heads", config.at("vision_config").value("num_heads", i64{16}))
                                            : 16;
}

// engines/vllm.cpp: the recurrent state's dtype.
std::string raw_ssm_dtype(const json& config) {
    std::string ssm_dtype = config.value("mamba_ssm_cache_dtype", std::string("auto"));
    if (config.contains("text_config") && config.at("text_config").is_object())
        ssm_dtype = config.at("text_config").value("mamba_ssm_dtype", config.at("text_config").value("mamba_ssm_cache_dtype", ssm_dtype));
    return ssm_dtype;
}

// scenario/multimodal.cpp: LLM tokens per image from the config (0: none stated), and patches per image.
i64 raw_tokens_per_image(const json& config) {
    i64 per_image = 0;
    if (config.contains("mm_tokens_per_image") && config.at("mm_tokens_per_image").is_number_integer()) per_image = config.at("mm_tokens_per_image").get<i64>();
    if (per_image == 0 && config.contains("vision_config") && config.at("vision_config").is_object()) {
        const json& vc = config.at("vision_config");
        const i64 image = vc.value("image_size", i64{0}), patch = vc.value("patch_size", i64{0});
        const i64 merge = vc.value("spatial_merge_size", i64{1});
        if (image > 0 && patch > 0 && merge > 0) per_image = (image / patch) * (image / patch) / (merge * merge);
    }
    return per_image;
}
i64 raw_patches_per_image(const json& config, i64 fallback) {
    i64 patches = fallback;
    if (config.contains("vision_config") && config.at("vision_config").is_object()) {
        const json& vc = config.at("vision_config");
        const i64 image = vc.value("image_size", i64{0}), patch = vc.value("patch_size", i64{0});
        if (image > 0 && patch > 0) patches = (image / patch) * (image / patch);
    }
    return patches;
}

// formats.cpp: the checkpoint's own format.
std::string raw_native_format(const ModelGeometry& g, const json& config) {
    if (config.contains("quantization_config") && config.at("quantization_config").is_object()) {
        const auto& q = config.at("quantization_config");
        std::string method = q.contains("quant_method") && q.at("quant_method").is_string() ? q.at("quant_method").get<std::string>() : "";
        for (char& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (method == "mxfp4") return "mxfp4";
        if (method == "fp8") return "fp8";
        if (method == "awq") return "awq-int4";
        if (method == "gptq") return "gptq-int4";
        if (method == "modelopt" || method == "nvfp4") return "nvfp4";
    }
    if (g.dtype == "float16") return "fp16";
    return "bf16";
}

// ---- the typed replacements, as the engines would read them ----

i64 typed_vision_heads(const ModelGeometry& g) { return g.vision.num_heads > 0 ? g.vision.num_heads : 16; }
std::string typed_ssm_dtype(const ModelGeometry& g) { return g.mamba_ssm_cache_dtype.empty() ? "auto" : g.mamba_ssm_cache_dtype; }
i64 typed_tokens_per_image(const ModelGeometry& g) {
    return g.vision.mm_tokens_per_image > 0 ? g.vision.mm_tokens_per_image : g.vision.grid_tokens_per_image();
}
i64 typed_patches_per_image(const ModelGeometry& g, i64 fallback) { return g.vision.patches_per_image() > 0 ? g.vision.patches_per_image() : fallback; }

void check_same_as_raw(const json& config) {
    const ModelGeometry g = parse_geometry(config);
    CHECK(typed_vision_heads(g) == raw_vision_heads(config));
    CHECK(typed_ssm_dtype(g) == raw_ssm_dtype(config));
    CHECK(typed_tokens_per_image(g) == raw_tokens_per_image(config));
    CHECK(typed_patches_per_image(g, 576) == raw_patches_per_image(config, 576));
    CHECK(native_weight_format(g).id == raw_native_format(g, config));
}

}  // namespace

TEST_CASE("typed engine fields equal the raw config reads they replace, for every catalog model") {
    int multimodal = 0, quantized = 0, ssm_dtype = 0;
    for (const auto& m : fitmygpu::Catalog::builtin().models()) {
        INFO("catalog model " << m.id);
        check_same_as_raw(m.config());
        multimodal += m.config().contains("vision_config");
        quantized += m.config().contains("quantization_config");
        ssm_dtype += raw_ssm_dtype(m.config()) != "auto";
    }
    // The comparison covers each kind of value.
    CHECK(multimodal >= 10);
    CHECK(quantized >= 5);
    CHECK(ssm_dtype >= 2);
}

TEST_CASE("typed engine fields equal the raw reads on hand-made configs") {
    const json base = json::parse(R"({"model_type":"llama","hidden_size":1024,"num_hidden_layers":2,"num_attention_heads":8,
        "intermediate_size":4096,"vocab_size":32000})");
    auto with = [&](const char* patch) {
        json c = base;
        c.merge_patch(json::parse(patch));
        return c;
    };
    check_same_as_raw(base);
    check_same_as_raw(with(R"({"vision_config":{"num_heads":12,"image_size":448,"patch_size":14,"spatial_merge_size":2}})"));
    check_same_as_raw(with(R"({"vision_config":{"num_attention_heads":16,"num_heads":12,"image_size":896,"patch_size":14},"mm_tokens_per_image":256})"));
    check_same_as_raw(with(R"({"vision_config":{"patch_size":16}})"));
    check_same_as_raw(with(R"({"mamba_ssm_cache_dtype":"float32"})"));
    check_same_as_raw(with(R"({"mamba_ssm_cache_dtype":"float32","text_config":{"mamba_ssm_dtype":"bfloat16"}})"));
    check_same_as_raw(with(R"({"text_config":{"mamba_ssm_cache_dtype":"float32"}})"));
    for (const char* method : {"AWQ", "gptq", "fp8", "mxfp4", "modelopt", "NVFP4", "compressed-tensors", "bitsandbytes"})
        check_same_as_raw(with((std::string(R"({"quantization_config":{"quant_method":")") + method + "\"}}").c_str()));
    check_same_as_raw(with(R"({"torch_dtype":"float16"})"));
    check_same_as_raw(with(R"({"torch_dtype":"float32"})"));
}

TEST_CASE("quantization_config is held as stated") {
    json c = json::parse(R"({"model_type":"qwen2","hidden_size":1024,"num_hidden_layers":2,"num_attention_heads":8,
        "intermediate_size":4096,"vocab_size":32000,
        "quantization_config":{"quant_method":"AWQ","bits":4,"group_size":128,"zero_point":true,"version":"gemm",
                               "modules_to_not_convert":["visual"]}})");
    ModelGeometry g = parse_geometry(c);
    CHECK(g.quantization.present);
    CHECK(g.quantization.quant_method == "awq");
    CHECK(g.quantization.bits == 4);
    CHECK(g.quantization.group_size == 128);
    CHECK(g.quantization.modules_not_quantized == std::vector<std::string>{"visual"});
    CHECK(native_weight_format(g).id == "awq-int4");

    c["quantization_config"] = json::parse(R"({"quant_method":"gptq","bits":4,"group_size":-1,"desc_act":false})");
    g = parse_geometry(c);
    CHECK(g.quantization.group_size == -1);
    CHECK(native_weight_format(g).id == "gptq-int4");

    c["quantization_config"] = json::parse(R"({"quant_method":"compressed-tensors","format":"float-quantized","ignore":["lm_head"]})");
    g = parse_geometry(c);
    CHECK(g.quantization.quant_method == "compressed-tensors");
    CHECK(g.quantization.modules_not_quantized == std::vector<std::string>{"lm_head"});
    CHECK(native_weight_format(g).id == "bf16");  // compressed-tensors is not told apart yet: the dtype decides

    c.erase("quantization_config");
    g = parse_geometry(c);
    CHECK_FALSE(g.quantization.present);
    CHECK(g.quantization.quant_method.empty());
    CHECK(native_weight_format(g).id == "bf16");
}

// Image sizes and token counts are read strictly instead (test_robustness.cpp: a bad one is refused, naming it).
TEST_CASE("typed values the geometry only reports never fail a config: a bad one reads as not stated") {
    const json c = json::parse(R"({"model_type":"llama","hidden_size":1024,"num_hidden_layers":2,"num_attention_heads":8,
        "intermediate_size":4096,"vocab_size":32000,"mamba_ssm_cache_dtype":4,
        "vision_config":{"num_attention_heads":-3},
        "quantization_config":{"quant_method":7,"bits":"four","weight_block_size":"128x128","modules_to_not_convert":"lm_head"}})");
    ModelGeometry g;
    REQUIRE_NOTHROW(g = parse_geometry(c));
    CHECK(g.vision.num_heads == 0);
    CHECK(g.vision.image_size == 0);
    CHECK(g.vision.patch_size == 0);
    CHECK(g.vision.spatial_merge_size == 0);
    CHECK(g.vision.mm_tokens_per_image == 0);
    CHECK(g.vision.patches_per_image() == 0);
    CHECK(g.mamba_ssm_cache_dtype.empty());
    CHECK(g.quantization.present);
    CHECK(g.quantization.quant_method.empty());
    CHECK(g.quantization.bits == 0);
    CHECK(g.quantization.weight_block_size.empty());
    CHECK(g.quantization.modules_not_quantized.empty());
    CHECK(native_weight_format(g).id == "bf16");
}

TEST_CASE("Qwen-VL towers sized from vision_config match the parameter counts the catalog cites for them") {
    // Each catalog model whose vision part is published (safetensors totals or the model card's split) and whose tower
    // has a patch merger: the estimate from its config alone must agree. Qwen2.5-VL-7B's 676,550,144 is reproduced to the
    // parameter (1,505,280 patch embedding + 32 blocks of 19,702,200 + a 44,574,464 merger); the Qwen3.5 towers land a
    // thousand or two parameters off (under 5 ppm), Qwen3-VL's card figures are rounded to 0.1 M.
    int checked = 0;
    for (const auto& m : fitmygpu::Catalog::builtin().models()) {
        const json& config = m.config();
        if (m.published_vision <= 0 || !config.contains("vision_config") || !config.at("vision_config").contains("spatial_merge_size")) continue;
        INFO("catalog model " << m.id);
        const ModelGeometry g = parse_geometry(config);
        const double ratio = static_cast<double>(g.vision.params) / static_cast<double>(m.published_vision);
        CAPTURE(g.vision.params);
        CAPTURE(m.published_vision);
        // A card figure rounded to 0.1 M parameters holds the exact count within half a step.
        if (m.published_vision % 100000 == 0) CHECK(std::llabs(g.vision.params - m.published_vision) <= 50000);
        else CHECK(std::fabs(ratio - 1) < 1e-5);
        if (m.id == "qwen2.5-vl-7b") CHECK(g.vision.params == 676550144);
        ++checked;
    }
    CHECK(checked >= 5);
}
