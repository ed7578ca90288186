// Memory other programs hold on a GPU when the engine starts (the request's gpu_memory_in_use_mib): a desktop's
// display, a second server. Engines that size their pools from the memory they find free lose it; vLLM sizes its
// budget from the total and refuses to start when that budget is not free.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "helpers.hpp"

using namespace testing;

namespace {

json with_in_use(const std::string& base, const std::string& in_use) {
    return estimate(base.substr(0, base.size() - 1) + R"(,"gpu_memory_in_use_mib":)" + in_use + "}");
}

}  // namespace

TEST_CASE("SGLang: memory in use elsewhere leaves mem_fraction_static of itself less in the pool") {
    // ModelRunner.profile_max_num_token: pool = free after loading − free before loading × (1 − mem_fraction_static),
    // that is mem_fraction_static × free before loading − weights. 1,000 MiB held elsewhere: 0.88 × 1,000 MiB less.
    const std::string base =
        R"({"model":"qwen3-8b","weights":"bf16","runtime":"sglang","gpu":"rtx-4090","context":32768,"engine":{"mem_fraction_static":0.88}})";
    const json free = estimate(base);
    const json held = with_in_use(base, "1000");
    CHECK(std::abs(static_cast<double>(component(free, "kv_cache") - component(held, "kv_cache")) - 0.88 * 1000 * MiB) < 2.0);
    CHECK(component(held, "weights") == component(free, "weights"));
    CHECK(any_contains(held.at("assumptions"), "1,000 MiB of each GPU already in use by other programs"));
}

TEST_CASE("SGLang under Windows (S-11): the share the host held before loading, given, brings the pool to the log's") {
    // The log: 22.76 GiB free before loading of the 23.56 GiB CUDA reports for an RTX 3090, so 0.80 GiB (819 MiB) in use,
    // of which the CUDA context SGLang itself made (443 MiB in the estimate) and 376 MiB the host's. K size + V size:
    // 2.82 + 2.82 GiB.
    const std::string base = R"({"model":"deepseek-r1-distill-qwen-7b","weights":"bf16","runtime":"sglang","gpu":"rtx-3090","context":131072,
                                  "engine":{"version":"0.4.2"}})";
    const double logged = 2.82 + 2.82;
    const double before = gib(component(estimate(base), "kv_cache"));
    const double after = gib(component(with_in_use(base, "376"), "kv_cache"));
    CHECK(std::abs(after - logged) < std::abs(before - logged));
    CHECK(std::abs(after - logged) / logged < 0.03);
}

TEST_CASE("TensorRT-LLM: memory in use elsewhere leaves free_gpu_memory_fraction of itself less in the pool") {
    // KvCacheCreator: pool = free_gpu_memory_fraction × (total − peak), and the peak counts all memory in use on the
    // device; whole blocks of 32 tokens.
    const std::string base =
        R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"trtllm","gpu":"h100-sxm-80gb","context":8192,"engine":{"free_gpu_memory_fraction":0.9}})";
    const json free = estimate(base);
    const json held = with_in_use(base, "2048");
    const i64 token_bytes = 32 * 4096 / 8 * 2 * 2 * 8;  // 32 layers × 8 KV heads × 128 × (K + V) × 2 B = 131,072 B
    const double drop = static_cast<double>(component(free, "kv_cache") - component(held, "kv_cache"));
    CHECK(std::abs(drop - 0.9 * 2048 * MiB) <= 32.0 * static_cast<double>(token_bytes));
}

TEST_CASE("vLLM: the budget is a fraction of the total, so memory in use elsewhere only matters when it is not free") {
    // gpu_worker.init_device: requested = total × gpu_memory_utilization; "Free memory on device ... on startup is less
    // than desired GPU memory utilization" when the free memory is below it.
    const std::string base = R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"vllm","gpu":"h100-sxm-80gb","context":8192,"engine":{"version":"0.11.0"}})";
    const json free = estimate(base);
    const double total = static_cast<double>(budget_bytes(free)) / 0.9;
    // 4 GiB held elsewhere leaves more than 0.9 of the total free: the same pool, and it fits.
    const json some = with_in_use(base, "4096");
    CHECK(component(some, "kv_cache") == component(free, "kv_cache"));
    CHECK(some.at("verdict") == "fits");
    // 10 GiB held: vLLM refuses to start, and says how far to lower the fraction.
    const json much = with_in_use(base, "10240");
    CHECK(much.at("verdict") == "does_not_fit");
    const double most = std::floor((total - 10.0 * GiB) / total * 100.0) / 100.0;
    char want[64];
    std::snprintf(want, sizeof want, "set gpu_memory_utilization to %.2f or less", most);
    CHECK(any_contains(much.at("warnings"), "vLLM refuses to start"));
    CHECK(any_contains(much.at("warnings"), want));
    // At that fraction it starts.
    const json lowered = estimate(R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"vllm","gpu":"h100-sxm-80gb","context":8192,
                                      "engine":{"version":"0.11.0","gpu_memory_utilization":)" +
                                  std::to_string(most) + R"(},"gpu_memory_in_use_mib":10240})");
    CHECK(lowered.at("verdict") != "does_not_fit");
    // And the answer offers that fraction as the first thing to change.
    REQUIRE_FALSE(much.at("suggestions").empty());
    const json& first = much.at("suggestions").at(0);
    CHECK(first.at("change").at("engine").at("gpu_memory_utilization").get<double>() == doctest::Approx(most));
    CHECK(first.at("verdict") != "does_not_fit");
    // Two GPUs holding different amounts: the fraction is the one the busier GPU allows.
    const json two = estimate(R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"vllm","gpus":[{"gpu":"h100-sxm-80gb","count":2}],"context":8192,
                                  "engine":{"version":"0.11.0"},"gpu_memory_in_use_mib":[0, 20480]})");
    CHECK(two.at("verdict") == "does_not_fit");
    const double busier = std::floor((total - 20.0 * GiB) / total * 100.0) / 100.0;
    CHECK(two.at("suggestions").at(0).at("change").at("engine").at("gpu_memory_utilization").get<double>() == doctest::Approx(busier));
}

TEST_CASE("Ollama fits layers into the memory it finds free: a 24 GiB card with 2 GiB in use is a 22 GiB card") {
    const std::string on24 = R"({"model":"qwen2-72b","weights":"gguf:Q4_K_S","runtime":"ollama","device":{"name":"GPU","memory_mib":24576},"context":2048,
                                 "engine":{"version":"0.2.8"}})";
    const std::string on22 = R"({"model":"qwen2-72b","weights":"gguf:Q4_K_S","runtime":"ollama","device":{"name":"GPU","memory_mib":22528},"context":2048,
                                 "engine":{"version":"0.2.8"}})";
    const json held = with_in_use(on24, "2048");
    const json smaller = estimate(on22);
    CHECK(held.at("engine_figures").at("layers.offload") == smaller.at("engine_figures").at("layers.offload"));
    CHECK(held.at("engine_figures").at("layers.offload").get<int>() < estimate(on24).at("engine_figures").at("layers.offload").get<int>());
    CHECK(item(held, "model buffer") == item(smaller, "model buffer"));
}

TEST_CASE("llama.cpp splits layers by the memory free on each GPU, one figure per GPU") {
    const std::string base = R"({"model":"llama-3.1-70b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-4090","gpu_count":2,"context":8192})";
    const json even = estimate(base);
    const json first_busy = with_in_use(base, "[6000, 0]");
    CHECK(item(first_busy, "model buffer", 0) < item(even, "model buffer", 0));
    CHECK(item(first_busy, "model buffer", 1) > item(even, "model buffer", 1));
    CHECK(any_contains(first_busy.at("assumptions"), "GPU 0 6,000 MiB, GPU 1 0 MiB"));
}

TEST_CASE("gpu_memory_in_use_mib: bad figures are refused, naming the field") {
    const std::string base = R"({"model":"llama-3.1-8b","runtime":"llama.cpp","gpu":"rtx-4090","gpu_count":2)";
    const auto error = [&](const std::string& value) { return error_of("estimate", base + R"(,"gpu_memory_in_use_mib":)" + value + "}"); };
    const json count = error("[1, 2, 3]");
    CHECK(count.at("field") == "gpu_memory_in_use_mib");
    CHECK(count.at("message").get<std::string>().find("3 figures for 2 GPUs") != std::string::npos);
    const json all = error("24564");
    CHECK(all.at("field") == "gpu_memory_in_use_mib");
    CHECK(all.at("message").get<std::string>().find("leaves nothing") != std::string::npos);
    CHECK(error("[0, 30000]").at("field") == "gpu_memory_in_use_mib[1]");
    CHECK(error("-5").at("field") == "gpu_memory_in_use_mib");
    CHECK(error("\"lots\"").at("field") == "gpu_memory_in_use_mib");
    CHECK(error("[]").at("field") == "gpu_memory_in_use_mib");
    CHECK(error("[1.5e300]").at("field") == "gpu_memory_in_use_mib[0]");
    const json cpu = error_of("estimate", R"({"model":"llama-3.1-8b","runtime":"llama.cpp","gpu_count":0,"gpu_memory_in_use_mib":100})");
    CHECK(cpu.at("field") == "gpu_memory_in_use_mib");
    const json synonym = error_of("estimate", R"({"model":"llama-3.1-8b","vram_in_use_mib":100})");
    CHECK(synonym.at("message").get<std::string>().find("did you mean gpu_memory_in_use_mib?") != std::string::npos);
    const json compare_list = error_of("compare", R"({"model":"llama-3.1-8b","gpu_memory_in_use_mib":[100, 200]})");
    CHECK(compare_list.at("field") == "gpu_memory_in_use_mib");
}

TEST_CASE("compare holds the figure on each GPU it weighs") {
    const json plain = json::parse(fitmygpu::api::call("compare", R"({"model":"qwen3-8b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","context":8192})"));
    const json held = json::parse(
        fitmygpu::api::call("compare", R"({"model":"qwen3-8b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","context":8192,"gpu_memory_in_use_mib":3000})"));
    int compared = 0;
    for (const auto& row : held.at("gpus")) {
        for (const auto& p : plain.at("gpus")) {
            if (p.at("gpu") != row.at("gpu")) continue;
            if (row.contains("error")) {
                CHECK(row.at("error").get<std::string>().find("gpu_memory_in_use_mib") != std::string::npos);
            } else if (!p.contains("error")) {
                CHECK(p.at("headroom_bytes").get<i64>() - row.at("headroom_bytes").get<i64>() == 3000 * MiB);
                ++compared;
            }
        }
    }
    CHECK(compared > 20);
}
