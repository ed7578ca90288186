// Startup logs of SGLang, TensorRT-LLM, mlx-lm and newer llama.cpp builds read by parse_log and set beside the
// estimate by check_log. The logs are published runs (tests/data/serving-startup-logs.json names each source);
// the lines below are quoted from them.
#include <doctest/doctest.h>

#include "helpers.hpp"

using namespace testing;

namespace {

json load_rows() { return json::parse(read_text(FITMYGPU_SOURCE_DIR "/tests/data/serving-startup-logs.json")).at("rows"); }

std::string joined(const json& lines) {
    std::string out;
    for (const auto& l : lines) out += l.get<std::string>() + "\n";
    return out;
}

json parse_log(const std::string& text) { return fitmygpu::api::parse_log(json{{"log", text}}); }

i64 gib_bytes(double gib) { return static_cast<i64>(std::llround(gib * static_cast<double>(GiB))); }

const json* row_named(const json& rows, const std::string& what) {
    for (const auto& r : rows)
        if (r.at("what") == what) return &r;
    return nullptr;
}

}  // namespace

TEST_CASE("SGLang's startup lines: weights per rank, the KV pool and its tokens") {
    const json rows = load_rows();
    const json& s1 = rows.at(0);
    REQUIRE(s1.at("id") == "S-1");
    const json p = parse_log(joined(s1.at("log")));
    CHECK(p.at("engine") == "sglang");
    CHECK(p.at("weights_bytes") == gib_bytes(7.08));
    CHECK(p.at("kv_available_bytes") == gib_bytes(5.69 + 5.69));
    CHECK(p.at("kv_tokens") == 298447);
    // The token count agrees with the bytes: Qwen3-14B keeps 40 layers x (8 KV heads / TP 4) x 128 x 2 (K, V) x
    // 2 B = 40,960 B per token on each rank; 298,447 tokens x 40,960 B = 11.385 GiB, printed as 5.69 + 5.69.
    CHECK(std::fabs(298447.0 * 40960.0 / static_cast<double>(GiB) - 11.38) < 0.01);
    // max_running_requests=3730 is SGLang's default max_num_reqs, int(298,447 / 40,960 x 512); the request-to-token
    // table it sizes has 3,731 rows of 40,964 int32 slots = 611,343,136 B. The estimate's table follows its own token
    // count (0.2 % above the log's), so it is checked to 0.5 %.
    const json e = estimate(s1.at("request").dump());
    i64 table = 0;
    for (const auto& b : e.at("breakdown"))
        if (b.at("device") == 0 && b.at("label") == "request-to-token table (outside the static pool)") table = b.at("bytes").get<i64>();
    CHECK(std::fabs(static_cast<double>(table) / (3731.0 * 40964.0 * 4.0) - 1.0) < 0.005);
    // MLA models print one KV size (DeepSeek-V3, "KV size: 17.16 GB").
    const json mla = parse_log("[2025-11-04 05:27:13 DP0 TP0 EP0] KV Cache is allocated. #tokens: 524288, KV size: 17.16 GB\n");
    CHECK(mla.at("kv_available_bytes") == gib_bytes(17.16));
    CHECK(mla.at("kv_tokens") == 524288);
    // The arguments line gives the memory share.
    CHECK(
        parse_log("server_args=ServerArgs(model_path='Qwen/Qwen3-14B', tp_size=4, mem_fraction_static=0.8, enable_metrics=True)\n").at("mem_fraction_static") ==
        doctest::Approx(0.8));
}

TEST_CASE("TensorRT-LLM's KV allocation line and mlx-lm's peak") {
    const json t = parse_log("[TensorRT-LLM][INFO] [MemUsageChange] Allocated 68.69 GiB for max tokens in paged KV cache (643136).\n");
    CHECK(t.at("engine") == "trtllm");
    CHECK(t.at("kv_available_bytes") == gib_bytes(68.69));
    CHECK(t.at("kv_tokens") == 643136);
    // mlx_lm.generate prints mx.get_peak_memory() / 1e9 as "GB": decimal gigabytes.
    const json m = parse_log("==========\nPrompt: 13 tokens, 34.744 tokens-per-sec\nGeneration: 256 tokens, 174.251 tokens-per-sec\nPeak memory: 1.415 GB\n");
    CHECK(m.at("engine") == "mlx");
    CHECK(m.at("peak_bytes") == 1415000000);
}

TEST_CASE("newer llama.cpp builds print compute buffers under sched_reserve, with or without a time prefix") {
    // A llama-server run of Qwen3-4B Q4_K_M, 8,192 cells, every layer on CUDA0 (published build notes).
    const std::string log =
        "load_tensors:   CPU_Mapped model buffer size =   304.28 MiB\n"
        "load_tensors:        CUDA0 model buffer size =  2375.91 MiB\n"
        "llama_context:  CUDA_Host  output buffer size =     2.32 MiB\n"
        "llama_kv_cache:      CUDA0 KV buffer size =  1152.00 MiB\n"
        "sched_reserve:      CUDA0 compute buffer size =    85.01 MiB\n"
        "sched_reserve:  CUDA_Host compute buffer size =    28.02 MiB\n";
    const json p = parse_log(log);
    CHECK(p.at("engine") == "llama.cpp");
    int compute = 0;
    for (const auto& b : p.at("buffers")) compute += b.at("kind") == "compute";
    CHECK(compute == 2);
    // The KV buffer is exact arithmetic: 36 layers x 8 KV heads x 128 x 2 (K, V) x 2 B (f16) x 8,192 cells = 1,152 MiB.
    const json c = fitmygpu::api::check_log(
        json{{"log", log}, {"request", json::parse(R"({"model":"qwen3-4b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-4090","context":8192})")}});
    const json* kv = row_named(c.at("rows"), "KV buffer");
    REQUIRE(kv != nullptr);
    CHECK(kv->at("logged") == i64{1152} * 1024 * 1024);
    CHECK(kv->at("error_pct") == 0.0);
    CHECK(row_named(c.at("rows"), "compute buffer") != nullptr);
    // Lines with a time and level in front (llama.cpp's --log-prefix style).
    const json t = parse_log("30.14.976.729 I sched_reserve:      CUDA0 compute buffer size =  5374.07 MiB\n");
    REQUIRE(t.at("buffers").size() == 1);
    CHECK(t.at("buffers").at(0).at("device") == "CUDA0");
}

TEST_CASE("check_log sets SGLang and TensorRT-LLM logs beside the estimate, component by component") {
    const json rows = load_rows();
    for (const auto& row : rows) {
        const std::string id = row.at("id");
        CAPTURE(id);
        const json c = fitmygpu::api::check_log(json{{"log", joined(row.at("log"))}, {"request", row.at("request")}});
        CHECK(c.at("engine") == row.at("engine"));
        const json* tokens = row_named(c.at("rows"), "KV cache tokens");
        REQUIRE(tokens != nullptr);
        CHECK(tokens->at("logged") == row.at("tokens"));
        const json* pool = row_named(c.at("rows"), "KV cache pool");
        REQUIRE(pool != nullptr);
        const double pool_err = pool->at("error_pct").get<double>();
        const double token_err = tokens->at("error_pct").get<double>();
        CAPTURE(pool_err);
        CAPTURE(token_err);
        MESSAGE(id << ": KV pool error " << pool_err << " %, KV tokens error " << token_err << " %");
        // Stated bounds: the KV pool within 2.5 % (measured: S-1 +0.3 %, S-2 -1.5 %, S-3 +1.6 %, S-4 +0.6 %, T-1 +1.1 %).
        // Before SGLang's pool was taken from the memory free before loading, S-1 was +4.9 % and S-2 +12.1 %; before
        // the weights counted the caching allocator's 2 MiB rounding, S-1 was +1.8 % and S-3 (a 2.84 GiB pool on
        // 24 GB L4s, where the 0.22 GiB of rounding per rank weighs most) +9.3 %.
        CHECK(std::fabs(pool_err) < 2.5);
        CHECK(std::fabs(token_err) < 2.5);
        if (row.at("logged_gib").contains("weights")) {
            const json* w = row_named(c.at("rows"), "weights");
            REQUIRE(w != nullptr);
            MESSAGE(id << ": weights error " << w->at("error_pct").get<double>() << " %");
            // SGLang's "mem usage" is free memory before minus after the load: the tensors, the allocator's rounding
            // of the large ones (S-1 0.18 GiB, S-3 0.22, S-4 none) and what else the load allocates, which the
            // estimate does not model (measured: S-1 -0.4 %, S-3 -0.4 %, S-4 -1.0 %, i.e. 0.15 GiB).
            CHECK(std::fabs(w->at("error_pct").get<double>()) < 2.0);
            // The static budget itself (mem_fraction_static x free before loading = weights + pool) within
            // 0.2 GiB: the pool's error is the weights' error with the sign turned, up to what was in use before
            // loading (443 MiB taken for every GPU; S-4's H100 had 0.16 GiB more) and the 0.005 GiB rounding of
            // each printed figure. Measured: S-1 0.00, S-3 -0.02, S-4 +0.15 GiB.
            const double budget_err_gib =
                (pool->at("estimated").get<double>() - pool->at("logged").get<double>() + w->at("estimated").get<double>() - w->at("logged").get<double>()) /
                static_cast<double>(GiB);
            MESSAGE(id << ": static budget error " << budget_err_gib << " GiB");
            CHECK(std::fabs(budget_err_gib) < 0.2);
        }
    }
}

TEST_CASE("a log with no startup line of any engine is refused naming the log") {
    const json e = error_of("check_log", R"({"log":"hello\nworld\n","request":{"model":"qwen3-8b"}})");
    CHECK(e.at("field") == "log");
}
