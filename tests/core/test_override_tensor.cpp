// llama.cpp's --override-tensor (-ot) beside -ngl and --n-cpu-moe. The rules, from ggml-org/llama.cpp:
// - common/arg.cpp: -ot takes "pattern=buffer" entries separated by commas (and may be repeated); --cpu-moe
//   adds the override "\.ffn_(up|down|gate)_(ch|)exps" = CPU, and --n-cpu-moe N one
//   "blk\.i\.ffn_(up|down|gate)_(ch|)exps" = CPU for each layer i < N, after the user's own.
// - src/llama-model.cpp, load_tensors / create_tensor: the overrides are tried in order against the tensor's
//   name with std::regex_search; the first that matches decides the tensor's buffer, whatever the layer's
//   device from -ngl (so a layer left on the CPU by -ngl can still have tensors on a GPU, and the reverse). The
//   order is the one the flags were given in; an unknown buffer name is refused ("unknown buffer type"), as
//   ggml-org/llama.cpp#11397's discussion shows.
// Expected values below follow from these definitions: equal placements must give equal buffers, and moving
// tensors moves their bytes from one buffer to another without changing the total.
#include <doctest/doctest.h>

#include "helpers.hpp"

using namespace testing;

namespace {

std::string qwen_moe(const std::string& engine, int gpus = 1) {
    // Qwen3-30B-A3B: 48 layers, 128 experts per layer (catalog config.json).
    return R"({"runtime":"llama.cpp","model":"qwen3-30b-a3b","weights":"gguf:Q4_K_M","gpu":"rtx-4090","gpu_count":)" + std::to_string(gpus) +
           R"(,"context":8192,"engine":)" + engine + "}";
}

i64 host_model(const json& r) { return item(r, "model buffer (host)", -1); }
i64 gpu_model(const json& r, int d) { return item(r, "model buffer", d); }

}  // namespace

TEST_CASE("-ot exps=CPU keeps every expert in host memory, as --cpu-moe does") {
    const json ot = estimate(qwen_moe(R"({"ot":"exps=CPU"})"));
    const json cpu_moe = estimate(qwen_moe(R"({"cpu_moe":true})"));
    const json all = estimate(qwen_moe("{}"));
    CHECK(gpu_model(ot, 0) == gpu_model(cpu_moe, 0));
    CHECK(host_model(ot) == host_model(cpu_moe));
    // The experts are most of a 30B-A3B model: the GPU keeps less than a fifth of its weights.
    CHECK(gpu_model(ot, 0) < gpu_model(all, 0) / 5);
    // Bytes move, none appear or vanish.
    CHECK(gpu_model(ot, 0) + host_model(ot) == gpu_model(all, 0) + host_model(all));
    // The long spelling and a list give the same.
    CHECK(gpu_model(estimate(qwen_moe(R"({"override-tensor":["exps=CPU"]})")), 0) == gpu_model(ot, 0));
    bool said = false;
    for (const auto& a : ot.at("assumptions")) said = said || a.get<std::string>().find("placed by their name") != std::string::npos;
    CHECK(said);
}

TEST_CASE("-ot on the first layers' experts equals --n-cpu-moe for those layers") {
    const json ot = estimate(qwen_moe(R"({"override_tensor":"blk\\.([0-9])\\.ffn_(up|down|gate)_exps=CPU"})"));
    const json n10 = estimate(qwen_moe(R"({"n_cpu_moe":10})"));
    CHECK(gpu_model(ot, 0) == gpu_model(n10, 0));
    CHECK(host_model(ot) == host_model(n10));
}

TEST_CASE("-ot sends matching tensors to another GPU; the first matching pattern wins") {
    const json base = estimate(qwen_moe("{}", 2));
    const json moved = estimate(qwen_moe(R"({"ot":"blk\\.(1[0-9])\\.ffn_.*=CUDA1"})", 2));
    // Layers 10-19 sit on CUDA0 by the default split (24 and 24 layers on two equal cards); their FFN tensors
    // go to CUDA1.
    CHECK(gpu_model(moved, 0) < gpu_model(base, 0));
    CHECK(gpu_model(moved, 1) - gpu_model(base, 1) == gpu_model(base, 0) - gpu_model(moved, 0));
    CHECK(host_model(moved) == host_model(base));
    // An earlier entry takes precedence over a later one for the same tensor.
    const json first = estimate(qwen_moe(R"({"ot":"blk\\.(1[0-9])\\.ffn_.*=CPU,exps=CUDA1"})", 2));
    const json only_cpu = estimate(qwen_moe(R"({"ot":"blk\\.(1[0-9])\\.ffn_.*=CPU"})", 2));
    CHECK(host_model(first) == host_model(only_cpu));
}

TEST_CASE("-ot with a partial -ngl: tensors of layers left on the CPU can still be sent to the GPU") {
    const json partial = estimate(qwen_moe(R"({"ngl":24})"));
    // -ngl 24 offloads the output layer and the last 23 repeating layers; layer 0 stays on the CPU.
    const json attn_up = estimate(qwen_moe(R"({"ngl":24,"ot":"blk\\.0\\.attn_.*=CUDA0"})"));
    const i64 moved = gpu_model(attn_up, 0) - gpu_model(partial, 0);
    CHECK(moved > 0);
    CHECK(host_model(partial) - host_model(attn_up) == moved);
    // And experts of offloaded layers can be kept on the CPU with --n-cpu-moe beside -ot.
    const json both = estimate(qwen_moe(R"({"ngl":24,"ot":"blk\\.0\\.attn_.*=CUDA0","n_cpu_moe":48})"));
    CHECK(gpu_model(both, 0) < gpu_model(attn_up, 0));
}

TEST_CASE("a partial -ngl on a MoE model against a published log: the bytes are exact, the split follows the build") {
    // ggml-org/llama.cpp#13729 (row L-31 of tests/data/llamacpp-startup-logs.json): Qwen3-30B-A3B Q4_K_M, -ngl 30,
    // build b5466: CUDA0 model buffer 10,750.86 MiB, CPU_Mapped 6,940.48 MiB. That build kept the output layer on the
    // CPU and offloaded 30 repeating layers; current builds (ggml-org/llama.cpp#18148) offload the output layer first,
    // then 29 repeating layers, which the estimate follows.
    const json r = estimate(R"({"runtime":"llama.cpp","model":"qwen3-30b-a3b","weights":"gguf:Q4_K_M","gpu":"rtx-4090","context":4096,"engine":{"ngl":30}})");
    const double gpu = mib(gpu_model(r, 0)), host = mib(host_model(r));
    CHECK(gpu + host == doctest::Approx(10750.86 + 6940.48).epsilon(1e-6));  // every tensor, once
    CHECK(std::fabs(gpu - 10750.86) / 10750.86 < 0.015);                     // measured: -0.85 %
    CHECK(std::fabs(host - 6940.48) / 6940.48 < 0.015);                      // measured: +1.32 %
}

TEST_CASE("a bad -ot entry is an error naming the field") {
    for (const char* bad : {R"("blk\\.(1[0-9]=CPU")", R"("exps")", R"("exps=GPU0")", R"("=CPU")", R"("exps=")", R"(7)"}) {
        CAPTURE(bad);
        const json e = error_of("estimate", qwen_moe(std::string(R"({"ot":)") + bad + "}"));
        CHECK(e.at("code") == "invalid_field");
        CHECK(e.at("field").get<std::string>().rfind("engine.ot", 0) == 0);
    }
    // Repetition of a group that repeats backtracks exponentially; such a pattern is refused, not run.
    for (const char* slow : {R"("(.*)*x=CPU")", R"("(blk\\.[0-9]+)+=CPU")", R"("((a|b)*c)*=CPU")"}) {
        CAPTURE(slow);
        const json e = error_of("estimate", qwen_moe(std::string(R"({"ot":)") + slow + "}"));
        CHECK(e.at("field") == "engine.ot");
    }
    // Grouped alternatives and quantified groups without a quantifier inside are fine.
    CHECK_NOTHROW(estimate(qwen_moe(R"({"ot":"blk\\.(1[0-9]|2[0-3])\\.ffn_(up|down|gate)_exps=CPU,(attn)+=CUDA0"})")));
    const json e = error_of("estimate", qwen_moe(R"({"ot":"exps=CUDA2"})", 2));
    CHECK(e.at("field") == "engine.override_tensor");
    CHECK(e.at("message").get<std::string>().find("CUDA2") != std::string::npos);
}

TEST_CASE("repeated -ot flags of a command are read as one list, and written back") {
    const json r =
        fitmygpu::api::from_command(json{{"command", "llama-server -m /models/Qwen3-30B-A3B-Q4_K_M.gguf -ngl 99 -ot 'blk\\.0\\.ffn_.*=CUDA0' -ot exps=CPU"}});
    CHECK(r.at("request").at("engine").at("override_tensor") == "blk\\.0\\.ffn_.*=CUDA0,exps=CPU");
    const json c = fitmygpu::api::command(json::parse(qwen_moe(R"({"ot":"exps=CPU"})")));
    CHECK(c.at("command").get<std::string>().find("-ot exps=CPU") != std::string::npos);
}

TEST_CASE("any --override-tensor turns pipeline parallelism off, as --n-cpu-moe does") {
    // Llama-3.1-8B on two GPUs, full offload, flash off, n_ctx 8,192, ub 512. The host compute buffer holds the f32
    // mask (8,192 x 512 x 4 B = 16 MiB) and the ubatch's embeddings (4,096 x 512 x 4 B = 8 MiB); pipeline parallelism
    // keeps n_copies = 4 masks: 4 x 16 + 8 = 72 MiB. With an override (llama_context: !model.has_tensor_overrides())
    // one copy: 16 + 8 = 24 MiB.
    const std::string base = R"({"model":"llama-3.1-8b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpus":[{"gpu":"rtx-4090","count":2}],
                                 "context":8192,"engine":{"flash_attn":false)";
    const json pp = estimate(base + "}}");
    CHECK(item(pp, "host compute buffer", -1) == i64{72} * MiB);
    const json ot = estimate(base + R"(,"override_tensor":"blk\\.31\\.ffn_up=CUDA1"}})");
    CHECK(item(ot, "host compute buffer", -1) == i64{24} * MiB);
}

TEST_CASE("MoE experts in host memory: the GPU holds one expert tensor's copy, the mask and the experts' outputs (C-19)") {
    // ik_llama.cpp#357 (AesSedai, mainline b5269): Qwen3-235B-A22B Q6_K on one RTX 3090, 16,384 cells of q8_0 KV, flash
    // attention, ubatch 512, the FFN tensors of layers 5-93 in host memory. Op offload copies each host expert tensor into
    // CUDA0's compute buffer for its matmul, one at a time: 128 experts x 1,536 x 4,096 q6_K values (210 B per 256) =
    // 660,602,880 B. Beside it: the f16 mask (16,384 x 512 x 2 B) and the MoE phase of the layers whose experts stay on
    // the GPU (0-4): the 8 selected experts' up and gate outputs and their product (3 x 8 x 1,536), then their down
    // outputs (8 x 4,096), too large for the hole up and gate leave (4,096 > 2 x 1,536), above them, plus the residual
    // and normed input (2 x 4,096), all f32 over 512 tokens: 630 + 16 + 152 = 798 MiB, printed 774.00.
    const json r = estimate(R"({"model":"qwen3-235b-a22b","weights":"gguf:Q6_K","runtime":"llama.cpp","gpu":"rtx-3090","context":16384,
        "kv_cache_dtype":"q8_0","engine":{"n_gpu_layers":99,"flash_attn":true,"version":"b5269",
        "override_tensor":"blk\\.(0|1|2|3|4)\\.ffn.*=CUDA0,blk\\.(5|6|7|8|9)\\.ffn.*=CPU,blk\\.1[0-9]\\.ffn.*=CPU,blk\\.[2-9][0-9]\\.ffn.*=CPU"}})");
    const i64 copy = i64{128} * 1536 * 4096 / 256 * 210;
    CHECK(copy == 660602880);
    const i64 expected = copy + i64{16384} * 512 * 2 + (i64{3} * 8 * 1536 + 8 * 4096 + 2 * 4096) * 512 * 4;
    CHECK(item(r, "compute buffer", 0) == expected);
    CHECK(std::abs(mib(expected) - 774.0) / 774.0 < 0.04);
}
