// Speed and system RAM: the calibration against published results (tests/data/speed-results.json, each row with
// its source URL), the sanity cases of issue 12, the monotonicity of speed in offload, and the host request.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/hardware.hpp"
#include "helpers.hpp"

using namespace testing;

namespace {

json call(const json& request) { return json::parse(fitmygpu::api::call("estimate", request.dump())); }

double median(std::vector<double> xs) {
    std::sort(xs.begin(), xs.end());
    const size_t n = xs.size();
    return n == 0 ? 1e9 : n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

}  // namespace

TEST_CASE("speed matches published results: median |error| per category within issue 12's targets") {
    const json data = json::parse(read_text(std::string(FITMYGPU_SOURCE_DIR) + "/tests/data/speed-results.json"));
    const std::map<std::string, std::string> figure = {
        {"decode", "decode_tokens_per_s"}, {"total", "total_decode_tokens_per_s"}, {"prefill", "prefill_tokens_per_s"}, {"ttft_s", "ttft_s"}};
    std::map<std::string, std::vector<double>> errors;
    std::map<std::string, int> unknown;
    for (const auto& row : data.at("rows")) {
        const std::string id = row.at("id").get<std::string>(), category = row.at("category").get<std::string>();
        CAPTURE(id);
        REQUIRE(row.at("source_url").get<std::string>().rfind("https://", 0) == 0);
        const json r = call(row.at("request"));
        REQUIRE_MESSAGE(!r.contains("error"), r.dump());
        const json& v = r.at("speed").at(figure.at(row.at("metric").get<std::string>()));
        if (!v.is_number()) {
            ++unknown[category];
            continue;
        }
        double got = v.get<double>();
        if (row.contains("input_tokens")) {
            // Serving benchmarks count output tokens over the whole run: the batch's prompts are prefilled first.
            const double b = row.at("request").at("concurrency").get<double>();
            const double in = row.at("input_tokens").get<double>(), out = row.at("output_tokens").get<double>();
            got = b * out / (b * in / r.at("speed").at("prefill_tokens_per_s").get<double>() + b * out / got);
        }
        const double measured = row.at("measured").get<double>();
        errors[category].push_back(std::abs(got - measured) / measured);
    }
    std::ostringstream table;
    table << "speed median |error| per category:";
    for (const auto& [category, errs] : errors)
        table << "\n  " << category << ": " << std::lround(median(errs) * 1000) / 10.0 << "% over " << errs.size() << " rows"
              << (unknown.count(category) ? ", " + std::to_string(unknown[category]) + " unknown" : "");
    MESSAGE(table.str());
    // Decode must always be given; prefill and TTFT may be unknown only where a device has no throughput figure.
    for (const char* c : {"single_gpu", "offload", "multi_gpu", "batched"}) CHECK(unknown[c] == 0);
    for (const char* c : {"single_gpu", "offload", "multi_gpu"}) {
        CAPTURE(c);
        CHECK(errors[c].size() >= 5);
        CHECK(median(errors[c]) <= 0.25);
    }
    CHECK(median(errors["batched"]) <= 0.35);
    CHECK(median(errors["prefill"]) <= 0.35);
    CHECK(median(errors["ttft"]) <= 0.50);
}

TEST_CASE("Llama 3.3 70B Q4_K_M on the CPU of an RTX 4090 box decodes at single-digit tokens/s and needs ~40 GiB of system RAM") {
    json req = json::parse(R"({"model":"llama-3.3-70b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"rtx-4090","context":4096,
                               "engine":{"n_gpu_layers":0}})");
    const json r = call(req);
    const double decode = r.at("speed").at("decode_tokens_per_s").get<double>();
    CHECK(decode >= 0.5);
    CHECK(decode < 10);
    // The published Q4_K_M GGUF is 42.5 GB (39.6 GiB); the KV cache of 80 layers × 8 KV heads × 128 × 2 (K, V) × 2 B
    // × 4,096 tokens adds 1.25 GiB, the host compute and output buffers a little more.
    const double host = gib(r.at("host").at("total_bytes").get<i64>());
    CHECK(host > 40.0);
    CHECK(host < 43.5);
    CHECK(r.at("host").at("capacity_bytes").get<i64>() == i64{64} << 30);  // the stated desktop default
    CHECK(r.at("verdict") != "does_not_fit");

    req["host"] = {{"memory_mib", 32768}};
    const json small = call(req);
    CHECK(small.at("verdict") == "does_not_fit");
    CHECK(small.at("host").at("capacity_bytes").get<i64>() == i64{32} << 30);
    CHECK(small.at("host").at("headroom_bytes").get<i64>() < 0);
    CHECK(any_contains(small.at("warnings"), "system RAM"));
    CHECK(small.at("limits").at("max_context").get<i64>() == 0);
}

TEST_CASE("decode speed never rises as n_gpu_layers falls or n_cpu_moe rises") {
    for (const char* gpu : {"rtx-4090", "m2-ultra-192gb", "rtx-3060-12gb"}) {
        CAPTURE(gpu);
        double last = 1e18;
        for (int ngl = 33; ngl >= 0; --ngl) {
            const json r =
                call({{"model", "llama-3.1-8b"}, {"weights", "gguf:Q4_K_M"}, {"runtime", "llama.cpp"}, {"gpu", gpu}, {"engine", {{"n_gpu_layers", ngl}}}});
            const double d = r.at("speed").at("decode_tokens_per_s").get<double>();
            CAPTURE(ngl);
            CHECK(d <= last);
            last = d;
        }
    }
    double last = 1e18;
    for (int n = 0; n <= 24; n += 2) {
        const json r =
            call({{"model", "gpt-oss-20b"}, {"weights", "gguf:MXFP4_MOE"}, {"runtime", "llama.cpp"}, {"gpu", "rtx-4090"}, {"engine", {{"n_cpu_moe", n}}}});
        const double d = r.at("speed").at("decode_tokens_per_s").get<double>();
        CAPTURE(n);
        CHECK(d <= last);
        last = d;
    }
}

TEST_CASE("gpt-oss-120b with its experts in system RAM is slower than with everything on the GPU, and the RAM is checked") {
    const json base = json::parse(R"({"model":"gpt-oss-120b","weights":"gguf:MXFP4_MOE","runtime":"llama.cpp","gpu":"rtx-4090",
                                      "host":{"memory_mib":131072,"bandwidth_gbps":89.6}})");
    json cpu_moe = base;
    cpu_moe["engine"] = {{"n_cpu_moe", 36}};
    const json all_gpu = call(base), offload = call(cpu_moe);
    const double fast = all_gpu.at("speed").at("decode_tokens_per_s").get<double>();
    const double slow = offload.at("speed").at("decode_tokens_per_s").get<double>();
    CHECK(slow < fast / 3);
    // The experts are most of the 63 GB file: they are now in host memory, checked against the 128 GiB given.
    CHECK(gib(offload.at("host").at("total_bytes").get<i64>()) > 50);
    CHECK(offload.at("host").at("headroom_bytes").get<i64>() > 0);
    CHECK(gib(offload.at("devices").at(0).at("components").at("weights").get<i64>()) < 5);
}

TEST_CASE("DeepSeek-R1 FP8 on 8 × H200: one request pays the all-reduce; 64 requests together decode far faster") {
    const json one = call(json::parse(R"({"model":"deepseek-r1","weights":"fp8","runtime":"vllm","gpu":"h200-sxm-141gb","gpu_count":8,"context":4096})"));
    const json many =
        call(json::parse(R"({"model":"deepseek-r1","weights":"fp8","runtime":"vllm","gpu":"h200-sxm-141gb","gpu_count":8,"context":4096,"concurrency":64})"));
    CHECK(any_contains(one.at("assumptions"), "all-reduce twice per layer"));
    // 61 layers × 2 all-reduces × at least the 10 µs NVLink latency: 1.22 ms per token before any weight is read.
    CHECK(one.at("speed").at("tpot_ms").get<double>() > 1.22);
    const double single = one.at("speed").at("decode_tokens_per_s").get<double>();
    // Without the all-reduce the same step would be shorter by those 1.22 ms: the speed must show it.
    CHECK(1000.0 / single > 1.22);
    CHECK(many.at("speed").at("total_decode_tokens_per_s").get<double>() > 10 * single);
    CHECK(many.at("speed").at("decode_tokens_per_s").get<double>() < single);
    CHECK(one.at("speed").at("tpot_ms").get<double>() == doctest::Approx(1000.0 / single).epsilon(0.001));
}

TEST_CASE("the link between GPUs sets the all-reduce cost: NVLink from the device, PCIe stated when unknown") {
    // Two custom 80 GB cards, tensor parallel: the same cards over NVLink 900 GB/s and without a link figure.
    auto with_link = [](const json& extra) {
        json device = {{"name", "Test card"}, {"memory_mib", 81920}, {"bandwidth_gbps", 3350}, {"tflops_bf16", 989}};
        device.update(extra);
        return call({{"model", "llama-3.1-70b"},
                     {"weights", "bf16"},
                     {"runtime", "vllm"},
                     {"device", device},
                     {"gpu_count", 2},
                     {"context", 4096},
                     {"engine", {{"tensor_parallel_size", 2}}}});
    };
    const json nvlink = with_link({{"link_kind", "nvlink"}, {"link_gbps", 900}});
    const json unknown = with_link(json::object());
    CHECK(any_contains(nvlink.at("assumptions"), "nvlink at 900 GB/s"));
    CHECK(any_contains(unknown.at("assumptions"), "PCIe 4.0 x16"));
    // 80 layers × 2 all-reduces × (60 − 10 µs) more latency over PCIe: 8 ms per token.
    const double diff = unknown.at("speed").at("tpot_ms").get<double>() - nvlink.at("speed").at("tpot_ms").get<double>();
    CHECK(diff == doctest::Approx(8.0).epsilon(0.02));
}

TEST_CASE("catalog devices: link facts are read when present and unknown when absent") {
    const json with = json::parse(R"({"id":"x","name":"X","vendor":"NVIDIA","class":"datacenter","memory_mib":81559,"bandwidth_gbps":3350,
        "link":{"kind":"nvlink","name":"NVLink 4","gbps":450,"source":"https://example.org"},
        "host_link":{"kind":"pcie","name":"PCIe 5.0 x16","gbps":63,"source":"https://example.org"}})");
    const fitmygpu::Device d = fitmygpu::device_from_catalog(with);
    CHECK(d.link_kind == "nvlink");
    CHECK(d.link_gbps == 450);
    CHECK(d.host_link_kind == "pcie");
    CHECK(d.host_link_gbps == 63);
    const json none = json::parse(R"({"id":"y","name":"Y","vendor":"AMD","class":"consumer","memory_mib":24576,"bandwidth_gbps":960,
        "link":{"kind":"none","name":null,"gbps":null,"source":null}})");
    const fitmygpu::Device n = fitmygpu::device_from_catalog(none);
    CHECK(n.link_kind == "none");
    CHECK(n.link_gbps == 0);
    CHECK(n.host_link_kind.empty());
}

TEST_CASE("no catalog device gives a time to first token of 0: a figure, or null with the reason") {
    for (const auto& g : fitmygpu::Catalog::builtin().gpus()) {
        CAPTURE(g.id);
        const json r = call({{"model", "qwen3-0.6b"}, {"weights", "gguf:Q8_0"}, {"runtime", "llama.cpp"}, {"gpu", g.id}, {"context", 2048}});
        REQUIRE(!r.contains("error"));
        const json& sp = r.at("speed");
        for (const char* k : {"decode_tokens_per_s", "total_decode_tokens_per_s", "tpot_ms"}) CHECK((sp.at(k).is_number() && sp.at(k).get<double>() > 0));
        if (sp.at("ttft_s").is_null()) {
            CHECK(sp.at("prefill_tokens_per_s").is_null());
            CHECK(any_contains(r.at("assumptions"), "time to first token: unknown"));
        } else {
            CHECK(sp.at("ttft_s").get<double>() > 0);
        }
    }
}

TEST_CASE("a CPU-only run: gpu_count 0 with a host, decoding at the host's bandwidth") {
    const json r = call(json::parse(R"({"model":"llama-3.1-8b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu_count":0,"context":2048,
                                        "host":{"memory_mib":16384,"bandwidth_gbps":100}})"));
    REQUIRE(!r.contains("error"));
    CHECK(r.at("devices").empty());
    CHECK(r.at("verdict") == "fits");
    // Hand calculation: the Q4_K_M file is 4.92 GB of which token_embd (128,256 × 4,096 at Q4_K, 4.5 bits) is
    // 0.30 GB and only looked up; the rest is read per token at 60% of 100 GB/s, plus 32 layers × 45 µs.
    const double expected = 1.0 / ((4.92e9 - 0.30e9) / 60e9 + 32 * 45e-6);
    CHECK(r.at("speed").at("decode_tokens_per_s").get<double>() == doctest::Approx(expected).epsilon(0.08));
    CHECK(r.at("speed").at("ttft_s").is_null());
    CHECK(any_contains(r.at("assumptions"), "CPU"));
    CHECK(r.at("host").at("capacity_bytes").get<i64>() == i64{16} << 30);

    const json too_small =
        call(json::parse(R"({"model":"llama-3.1-8b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu_count":0,"host":{"memory_mib":4096}})"));
    CHECK(too_small.at("verdict") == "does_not_fit");
    CHECK(any_contains(too_small.at("warnings"), "system RAM"));
}

TEST_CASE("the host request is validated field by field") {
    auto err = [](const std::string& text) { return error_of("estimate", text); };
    const json a = err(R"({"model":"llama-3.1-8b","host":{"memory_mib":0}})");
    CHECK(a.at("field") == "host.memory_mib");
    CHECK(a.at("code") == "invalid_field");
    CHECK(err(R"({"model":"llama-3.1-8b","host":{"memory_mib":1e12}})").at("field") == "host.memory_mib");
    CHECK(err(R"({"model":"llama-3.1-8b","host":{"bandwidth_gbps":-1}})").at("field") == "host.bandwidth_gbps");
    CHECK(err(R"({"model":"llama-3.1-8b","host":{"bandwidth_gbps":"fast"}})").at("field") == "host.bandwidth_gbps");
    CHECK(err(R"({"model":"llama-3.1-8b","host":{"ram":64}})").at("code") == "unknown_field");
    CHECK(err(R"({"model":"llama-3.1-8b","host":[1]})").at("field") == "host");
    CHECK(err(R"({"model":"llama-3.1-8b","gpu":"rtx-4090","gpu_count":0})").at("field") == "gpu_count");
    const json v = err(R"({"model":"llama-3.1-8b","runtime":"vllm","gpu_count":0})");
    CHECK(v.at("code") == "unsupported");
    CHECK(v.at("field") == "gpu_count");
    CHECK(v.at("message").get<std::string>().find("llama.cpp") != std::string::npos);
    CHECK(err(R"({"model":"llama-3.1-8b","device":{"memory_mib":1000,"link_kind":"wifi"}})").at("field") == "device.link_kind");
    const json limits = fitmygpu::api::schema().at("limits");
    CHECK(limits.at("max_host_memory_mib").get<i64>() == i64{64} << 20);
    CHECK(limits.at("min_gpu_count").get<i64>() == 0);
}

TEST_CASE("unified memory: the device's pool is the system RAM and nothing is counted twice") {
    const json r = call(json::parse(R"({"model":"llama-3.3-70b","weights":"gguf:Q4_K_M","runtime":"llama.cpp","gpu":"m2-ultra-192gb","context":8192})"));
    const json& host = r.at("host");
    CHECK(host.at("unified").get<bool>());
    CHECK(host.at("capacity_bytes").get<i64>() == r.at("devices").at(0).at("capacity_bytes").get<i64>());
    CHECK(host.at("required_bytes").get<i64>() == host.at("total_bytes").get<i64>() + r.at("devices").at(0).at("required_bytes").get<i64>());
    CHECK(host.at("headroom_bytes").get<i64>() == host.at("capacity_bytes").get<i64>() - host.at("required_bytes").get<i64>());
}

TEST_CASE("speed against concurrency: doubling points up to what the KV pool holds, the asked one among them") {
    const json r = call(json::parse(R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"vllm","gpu":"h100-sxm-80gb","context":4096,"concurrency":24})"));
    const json& sp = r.at("speed");
    const json& pts = sp.at("by_concurrency");
    const double pool = std::floor(r.at("kv_cache").at("max_concurrency").get<double>());
    REQUIRE(pool > 24);
    REQUIRE(pts.size() >= 3);
    CHECK(pts.front().at("concurrency") == 1);
    CHECK(pts.back().at("concurrency").get<double>() == pool);  // the pool holds fewer than 1,024 of 4K tokens
    bool asked_seen = false;
    for (size_t i = 0; i < pts.size(); ++i) {
        const json& p = pts[i];
        CAPTURE(p.dump());
        const double c = p.at("concurrency").get<double>();
        CHECK(p.at("running").get<double>() == c);  // all fit in the pool
        // Total = running requests × each one's rate, and the time per token is the inverse of that rate.
        CHECK(p.at("total_decode_tokens_per_s").get<double>() == doctest::Approx(c * p.at("decode_tokens_per_s").get<double>()).epsilon(0.001));
        CHECK(p.at("tpot_ms").get<double>() == doctest::Approx(1000.0 / p.at("decode_tokens_per_s").get<double>()).epsilon(0.001));
        if (i > 0) {
            const json& q = pts[i - 1];
            CHECK(p.at("decode_tokens_per_s").get<double>() <= q.at("decode_tokens_per_s").get<double>());
            CHECK(p.at("total_decode_tokens_per_s").get<double>() > q.at("total_decode_tokens_per_s").get<double>());
        }
        if (c == 24) {
            asked_seen = true;
            CHECK(p.at("decode_tokens_per_s") == sp.at("decode_tokens_per_s"));
            CHECK(p.at("total_decode_tokens_per_s") == sp.at("total_decode_tokens_per_s"));
        }
    }
    CHECK(asked_seen);
    // 1, 2, 4, 8, 16 double; 24 is the asked one.
    CHECK(pts[4].at("concurrency") == 16);
    CHECK(pts[5].at("concurrency") == 24);
}

TEST_CASE("speed against concurrency: beyond the KV pool more requests only wait") {
    const json r = call(json::parse(R"({"model":"llama-3.1-8b","weights":"bf16","runtime":"vllm","gpu":"h100-sxm-80gb","context":131072,"concurrency":64})"));
    const double pool = std::floor(r.at("kv_cache").at("max_concurrency").get<double>());
    REQUIRE(pool >= 1);
    REQUIRE(pool < 64);
    const json& pts = r.at("speed").at("by_concurrency");
    const json* at_pool = nullptr;
    for (const auto& p : pts)
        if (p.at("concurrency").get<double>() == pool) at_pool = &p;
    REQUIRE(at_pool != nullptr);
    const json& last = pts.back();
    CHECK(last.at("concurrency") == 64);
    CHECK(last.at("running").get<double>() == pool);
    CHECK(last.at("total_decode_tokens_per_s") == at_pool->at("total_decode_tokens_per_s"));
    CHECK(r.at("speed").at("total_decode_tokens_per_s") == at_pool->at("total_decode_tokens_per_s"));
    CHECK(any_contains(r.at("assumptions"), "the rest wait"));
}

TEST_CASE("pipeline stages of a serving engine each work on their own micro-batch") {
    // vLLM, pipeline parallel 2 on two cards: two requests are two micro-batches, one in each stage. Each still
    // passes both stages once per token, so it decodes as fast as a request alone (one sequence per pass), and
    // the two together twice as fast.
    auto run = [](int concurrency) {
        return call({{"model", "llama-3.1-8b"},
                     {"weights", "bf16"},
                     {"runtime", "vllm"},
                     {"gpu", "h100-sxm-80gb"},
                     {"gpu_count", 2},
                     {"context", 4096},
                     {"concurrency", concurrency},
                     {"engine", {{"pipeline_parallel_size", 2}, {"tensor_parallel_size", 1}}}})
            .at("speed");
    };
    const json one = run(1), two = run(2);
    CHECK(two.at("decode_tokens_per_s").get<double>() == doctest::Approx(one.at("decode_tokens_per_s").get<double>()).epsilon(1e-6));
    CHECK(two.at("total_decode_tokens_per_s").get<double>() == doctest::Approx(2 * one.at("decode_tokens_per_s").get<double>()).epsilon(1e-4));
}

namespace {
json cluster_request(const json& extra) {
    json req = {
        {"model", "llama-3.1-405b"},
        {"weights", "fp8"},
        {"runtime", "sglang"},
        {"device", {{"name", "Test card"}, {"memory_mib", 81920}, {"bandwidth_gbps", 3350}, {"tflops_bf16", 989}, {"link_kind", "nvlink"}, {"link_gbps", 450}}},
        {"gpu_count", 16},
        {"context", 4096}};
    req.update(extra);
    return req;
}
}  // namespace

TEST_CASE("several machines: a tensor-parallel group across them pays the network on every all-reduce") {
    const json one = call(cluster_request(json::object()));
    const json two = call(cluster_request({{"nodes", 2}}));
    REQUIRE_MESSAGE(!two.contains("error"), two.dump());
    CHECK(two.at("resolved").at("nodes") == 2);
    CHECK(any_contains(two.at("assumptions"), "2 machines of 8 GPUs"));
    // Memory does not depend on where the machines are.
    CHECK(two.at("devices")[0].at("required_bytes") == one.at("devices")[0].at("required_bytes"));
    // Llama 3.1 405B: 126 layers, hidden 16,384 (config.json). Per token, 2 × 126 all-reduces of 16,384 × 2 bytes
    // in a group of 16: each adds the network's 20 µs, and its 2 × 15/16 × 32,768 bytes go at 50 GB/s instead of
    // the NVLink's 450 GB/s.
    const double bytes = 2.0 * 15.0 / 16.0 * 16384 * 2;
    const double extra_s = 2.0 * 126 * (20e-6 + bytes / 50e9 - bytes / 450e9);
    const double diff_ms = two.at("speed").at("tpot_ms").get<double>() - one.at("speed").at("tpot_ms").get<double>();
    CHECK(diff_ms == doctest::Approx(extra_s * 1000).epsilon(0.01));
    // A slower network given in the request: 100 GbE at 12.5 GB/s and 50 µs.
    const json eth = call(cluster_request({{"nodes", 2}, {"network", {{"gbps", 12.5}, {"latency_us", 50}}}}));
    const double eth_extra_s = 2.0 * 126 * (50e-6 + bytes / 12.5e9 - bytes / 450e9);
    CHECK(eth.at("speed").at("tpot_ms").get<double>() - one.at("speed").at("tpot_ms").get<double>() == doctest::Approx(eth_extra_s * 1000).epsilon(0.01));
    CHECK(any_contains(eth.at("assumptions"), "the network given"));
}

TEST_CASE("several machines on vLLM: tensor parallel within each, pipeline stages across, one network hop per token") {
    const json two = call(cluster_request({{"runtime", "vllm"}, {"nodes", 2}}));
    REQUIRE_MESSAGE(!two.contains("error"), two.dump());
    CHECK(any_contains(two.at("assumptions"), "tensor parallel 8 within each machine × pipeline parallel 2 across them"));
    // The same layout written out on one machine: the only difference is the hand-over between the two stages,
    // 16,384 × 2 bytes per token over the network (20 µs, 50 GB/s) instead of NVLink (10 µs, 450 GB/s).
    const json same = call(cluster_request({{"runtime", "vllm"}, {"engine", {{"tensor_parallel_size", 8}, {"pipeline_parallel_size", 2}}}}));
    CHECK(two.at("devices")[0].at("required_bytes") == same.at("devices")[0].at("required_bytes"));
    const double hop = 16384 * 2;
    const double extra_s = (20e-6 + hop / 50e9) - (10e-6 + hop / 450e9);
    const double diff_ms = two.at("speed").at("tpot_ms").get<double>() - same.at("speed").at("tpot_ms").get<double>();
    CHECK(diff_ms == doctest::Approx(extra_s * 1000).epsilon(0.1));
}

TEST_CASE("several machines: requests that cannot be laid out are refused naming the field") {
    auto error_of = [](const json& req) {
        const json r = call(req);
        REQUIRE(r.contains("error"));
        return r.at("error");
    };
    json e = error_of(cluster_request({{"nodes", 3}}));
    CHECK(e.at("field") == "nodes");
    CHECK(e.at("message").get<std::string>().find("divide the 16 GPUs") != std::string::npos);
    e = error_of({{"model", "qwen3-8b"}, {"runtime", "llama.cpp"}, {"gpu", "rtx-4090"}, {"gpu_count", 2}, {"nodes", 2}});
    CHECK(e.at("code") == "unsupported");
    CHECK(e.at("field") == "nodes");
    e = error_of(cluster_request({{"network", {{"gbps", 50}}}}));
    CHECK(e.at("field") == "network");
    e = error_of(cluster_request({{"nodes", 2}, {"network", {{"gbps", -1}}}}));
    CHECK(e.at("field") == "network.gbps");
    e = error_of(cluster_request({{"nodes", 2}, {"network", {{"bandwidth", 50}}}}));
    CHECK(e.at("code") == "unknown_field");
    CHECK(e.at("field") == "network.bandwidth");
    e = error_of(cluster_request({{"nodes", 0}}));
    CHECK(e.at("field") == "nodes");
}

TEST_CASE("the schema says which runtimes run across machines, and how") {
    const json schema = json::parse(fitmygpu::api::call("schema", "{}"));
    std::map<std::string, json> multi;
    for (const auto& rt : schema.at("runtimes")) multi[rt.at("id").get<std::string>()] = rt.at("multi_node");
    CHECK(multi.at("vllm") == "pipeline across machines");
    CHECK(multi.at("sglang") == "tensor parallel across machines");
    CHECK(multi.at("trtllm") == "tensor parallel across machines");
    for (const char* one : {"llama.cpp", "ollama", "transformers", "mlx"}) CHECK(multi.at(one).is_null());
}
