// The engine registry as the API publishes it (schema) and as requests meet it: knob ranges, defaults,
// card counts, the verdict rule, and limits that sit on the boundary of the forward estimate.
#include <doctest/doctest.h>

#include <set>

#include "fitmygpu/expr.hpp"
#include "fitmygpu/registry.hpp"
#include "helpers.hpp"

using namespace testing;
using fitmygpu::api::call;

namespace {
json schema() { return json::parse(call("schema", "{}")); }
// A reference into `schema`, which outlives every loop over it.
const json& runtime_of(const json& schema, const std::string& id) {
    static const json none;
    for (const auto& r : schema.at("runtimes"))
        if (r.at("id") == id) return r;
    return none;
}
}  // namespace

TEST_CASE("schema lists the seven runtimes, each with formats, KV cache types, knobs and card counts") {
    const json s = schema();
    std::set<std::string> ids;
    for (const auto& r : s.at("runtimes")) {
        const std::string id = r.at("id");
        ids.insert(id);
        CAPTURE(id);
        CHECK_FALSE(r.at("formats").empty());
        CHECK(r.at("kv_cache_types").at(0).at("id") == "auto");
        CHECK(r.at("card_counts").at(0) == 1);
        CHECK_FALSE(r.at("verdict").at("rule").get<std::string>().empty());
        // Every knob a runtime shows is in the knob table under its name, with a label and help.
        for (const auto& k : r.at("knobs")) {
            CHECK(fitmygpu::find_knob(k.at("name")) != nullptr);
            CHECK_FALSE(k.at("label").get<std::string>().empty());
            CHECK_FALSE(k.at("help").get<std::string>().empty());
        }
        // The runtime resolves from its id through the same look-up requests use.
        const auto* d = fitmygpu::find_runtime(id);
        REQUIRE(d != nullptr);
        CHECK(d->id == id);
    }
    CHECK(ids == std::set<std::string>{"vllm", "sglang", "trtllm", "llama.cpp", "ollama", "transformers", "mlx"});
    CHECK(runtime_of(s, s.at("default_runtime")).is_object());
}

TEST_CASE("schema: GGUF runtimes load GGUF types only, MLX its conversions and 16-bit, serving engines safetensors formats") {
    const json s = schema();
    for (const auto& f : runtime_of(s, "llama.cpp").at("formats")) CHECK(f.get<std::string>().rfind("gguf:", 0) == 0);
    const json mlx = runtime_of(s, "mlx").at("formats");
    CHECK(mlx == json::array({"bf16", "fp16", "mlx-4bit", "mlx-8bit"}));
    for (const auto& f : runtime_of(s, "sglang").at("formats")) CHECK(f.get<std::string>().find("gguf") == std::string::npos);
    // llama.cpp's -ctk types (llama-server --help: f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1).
    std::set<std::string> kv;
    for (const auto& t : runtime_of(s, "llama.cpp").at("kv_cache_types")) kv.insert(t.at("id").get<std::string>());
    CHECK(kv == std::set<std::string>{"auto", "f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"});
}

TEST_CASE("schema: layer splitters try any card count, tensor-parallel engines powers of two") {
    const json s = schema();
    for (const char* id : {"llama.cpp", "ollama", "transformers"}) {
        const json counts = runtime_of(s, id).at("card_counts");
        CHECK(std::find(counts.begin(), counts.end(), 3) != counts.end());
    }
    for (const char* id : {"vllm", "sglang", "trtllm"})
        for (const auto& n : runtime_of(s, id).at("card_counts")) {
            const int c = n.get<int>();
            CHECK((c & (c - 1)) == 0);
        }
}

TEST_CASE("a knob at the ends of its published range is accepted, one step outside names the knob") {
    const json s = schema();
    for (const auto& k : runtime_of(s, "llama.cpp").at("knobs")) {
        if (k.at("type") != "int") continue;
        const std::string name = k.at("name");
        CAPTURE(name);
        const i64 hi = k.at("max").get<i64>();
        const std::string base = R"({"model":"llama-3.1-8b","runtime":"llama.cpp","gpu":"rtx-4090","engine":{")" + name + "\":";
        // n_ubatch may not exceed n_batch: each is moved with the other where the pair requires it.
        const std::string raise = name == "n_ubatch" ? R"(,"n_batch":1048576)" : "";
        const std::string lower = name == "n_batch" ? R"(,"n_ubatch":1)" : "";
        CHECK(error_of("estimate", base + std::to_string(hi + 1) + raise + "}}").at("field") == "engine." + name);
        const json ok = error_of("estimate", base + std::to_string(k.at("min").get<i64>()) + lower + "}}");
        // Accepted by the request layer: any error left is about the setup, not this knob's range.
        if (!ok.is_null()) CHECK(ok.at("code") != "invalid_field");
    }
}

TEST_CASE("block_size must be a power of two; mem_fraction_static must stay below 1") {
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","engine":{"block_size":24}})").at("field") == "engine.block_size");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","engine":{"block_size":32}})").is_null());
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","runtime":"sglang","engine":{"mem_fraction_static":1}})").at("field") ==
          "engine.mem_fraction_static");
    CHECK(error_of("estimate", R"({"model":"llama-3.1-8b","runtime":"sglang","engine":{"mem_fraction_static":0.995}})").is_null());
}

TEST_CASE("vLLM's serve defaults follow the GPU: 16384 (8192 before 0.28) batched tokens and 1024 sequences from 70 GiB, else 2048 and 256") {
    // vllm/engine/arg_utils.py, EngineArgs._set_default_args: for the OpenAI server, GPUs with at least
    // 70 GiB (A100 excepted) get max_num_batched_tokens 8192 and max_num_seqs 1024; smaller ones 2048 and 256.
    // vllm-project/vllm#51726 raised the large GPUs' 8192 to 16384 for 0.28.0.
    const json big = json::parse(call("defaults", R"({"model":"llama-3.1-8b","runtime":"vllm","gpu":"h100-sxm-80gb"})"));
    CHECK(big.at("engine").at("max_num_batched_tokens") == 16384);
    CHECK(json::parse(call("defaults", R"({"model":"llama-3.1-8b","runtime":"vllm","gpu":"h100-sxm-80gb","engine":{"version":"0.27.1"}})"))
              .at("engine")
              .at("max_num_batched_tokens") == 8192);
    CHECK(big.at("engine").at("max_num_seqs") == 1024);
    const json small = json::parse(call("defaults", R"({"model":"llama-3.1-8b","runtime":"vllm","gpu":"rtx-4090"})"));
    CHECK(small.at("engine").at("max_num_batched_tokens") == 2048);
    CHECK(small.at("engine").at("max_num_seqs") == 256);
    // Tensor parallel size defaults to all GPUs of one pipeline stage.
    const json four = json::parse(call("defaults", R"({"model":"llama-3.1-8b","runtime":"vllm","gpu":"h100-sxm-80gb","gpu_count":4,
                                                       "engine":{"pipeline_parallel_size":2}})"));
    CHECK(four.at("engine").at("tensor_parallel_size") == 4);  // "engine" is not read by defaults: pp stays 1
}

TEST_CASE("device-independent defaults in the schema equal what the defaults method resolves") {
    const json s = schema();
    for (const char* id : {"vllm", "sglang", "trtllm", "llama.cpp"}) {
        const json resolved = json::parse(call("defaults", std::string(R"({"model":"llama-3.1-8b","gpu":"rtx-4090","runtime":")") + id + "\"}"));
        for (const auto& k : runtime_of(s, id).at("knobs")) {
            if (k.at("default").is_null()) continue;
            CAPTURE(id);
            CAPTURE(k.at("name"));
            CHECK(resolved.at("engine").at(k.at("name").get<std::string>()) == k.at("default"));
        }
    }
}

TEST_CASE("the verdict rule reads its margins from the registry and says them in words") {
    const auto& vllm = fitmygpu::runtime_descriptor(fitmygpu::Runtime::Vllm);
    CHECK(vllm.margin.describe().find("1.25") != std::string::npos);
    const auto& llama = fitmygpu::runtime_descriptor(fitmygpu::Runtime::LlamaCpp);
    CHECK(fitmygpu::render_sizes(llama.margin.describe(), false).find("1.00 GiB") != std::string::npos);
    const json r = estimate(R"({"model":"llama-3.1-8b","runtime":"transformers","gpu":"rtx-4090","context":4096})");
    bool said = false;
    for (const auto& a : r.at("assumptions")) said = said || a.get<std::string>().find("5% of its budget") != std::string::npos;
    CHECK(said);
}

TEST_CASE("limits sit on the boundary: the max context fits and one token more does not, for every runtime") {
    for (const char* rt : {"vllm", "sglang", "trtllm", "llama.cpp", "ollama", "transformers", "mlx"}) {
        CAPTURE(rt);
        const std::string gpu = std::string(rt) == "mlx" ? "m1-16gb" : "rtx-4090";
        const std::string w = (std::string(rt) == "llama.cpp" || std::string(rt) == "ollama") ? "gguf:Q4_K_M"
                              : std::string(rt) == "mlx"                                      ? "mlx-4bit"
                                                                                              : "awq-int4";
        const std::string base = R"({"model":"llama-3.1-8b","runtime":")" + std::string(rt) + R"(","gpu":")" + gpu + R"(","weights":")" + w + "\"";
        const json r = estimate(base + R"(,"context":4096})");
        const i64 max_ctx = r.at("limits").at("max_context").get<i64>();
        REQUIRE(max_ctx > 0);
        CHECK(estimate(base + ",\"context\":" + std::to_string(max_ctx) + "}").at("fits") == true);
        if (max_ctx < 131072)  // Llama 3.1's max_position_embeddings caps the search
            CHECK(estimate(base + ",\"context\":" + std::to_string(max_ctx + 1) + "}").at("fits") == false);
    }
}

TEST_CASE("byte amounts in texts render in the request's units, and a stray marker is dropped") {
    const std::string t = "pool " + fitmygpu::format_size(3 * GiB) + " left";
    CHECK(fitmygpu::render_sizes(t, false) == "pool 3.00 GiB left");
    CHECK(fitmygpu::render_sizes(t, true) == "pool 3.22 GB left");
    CHECK(fitmygpu::render_sizes(std::string("a\x1d") + "b", false) == "ab");
    const json dec = estimate(R"({"model":"llama-3.1-8b","gpu":"rtx-4090","units":"decimal"})");
    for (const auto& b : dec.at("breakdown")) CHECK(b.dump().find("iB") == std::string::npos);
    // A device name is text: control characters (the marker among them) are refused, naming the field.
    CHECK(error_of("estimate", "{\"model\":\"llama-3.1-8b\",\"device\":{\"name\":\"x\\u001d99\\u001d\",\"memory_mib\":24000}}").at("field") == "device.name");
}
