// The catalog as data: schema, sources, unique ids, and parameter totals computed from each config
// against the published figures.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/tensors.hpp"
#include "helpers.hpp"

using namespace testing;
using fitmygpu::Catalog;

namespace {

const std::set<std::string> kClasses = {"dense", "moe", "hybrid", "hybrid-moe", "ssm"};
const std::set<std::string> kDeviceClasses = {"consumer", "workstation", "datacenter", "apple", "integrated"};

bool non_empty_string(const json& e, const char* key) { return e.contains(key) && e.at(key).is_string() && !e.at(key).get<std::string>().empty(); }

// Relative tolerance implied by how a rounded figure is written: "8,000,000,000" (one significant digit)
// means 7.5-8.5 billion, "32,500,000,000" means 32.45-32.55 billion.
double rounding_tolerance(i64 figure) {
    i64 v = figure, unit = 1;
    while (v % 10 == 0 && v > 0) {
        v /= 10;
        unit *= 10;
    }
    return 0.5 * static_cast<double>(unit) / static_cast<double>(figure);
}

}  // namespace

TEST_CASE("the catalog holds at least 120 models and 70 devices") {
    CHECK(Catalog::builtin().models().size() >= 120);
    CHECK(Catalog::builtin().gpus().size() >= 70);
}

TEST_CASE("every model file follows the schema and names its sources") {
    const std::regex id_re("^[a-z0-9]+([.-][a-z0-9]+)*$");
    const std::regex date_re("^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
    for (const auto& m : Catalog::builtin().models()) {
        const json& e = m.entry;
        CAPTURE(m.id);
        CHECK(std::regex_match(m.id, id_re));
        for (const char* k : {"name", "company", "family", "license", "modality", "architecture_class", "hf_repo"}) {
            CAPTURE(k);
            CHECK(non_empty_string(e, k));
        }
        CHECK(std::regex_match(e.value("release_date", ""), date_re));
        CHECK(kClasses.count(e.value("architecture_class", "")) == 1);
        CHECK(e.value("context_window", 0) > 0);
        REQUIRE(e.contains("sources"));
        CHECK(non_empty_string(e.at("sources"), "config"));
        CHECK(non_empty_string(e.at("sources"), "params"));
        REQUIRE(e.contains("checkpoints"));
        REQUIRE(e.at("checkpoints").is_array());
        int official = 0;
        for (const auto& c : e.at("checkpoints")) {
            CHECK(non_empty_string(c, "repo"));
            REQUIRE(non_empty_string(c, "format"));
            // Every listed format must be one the estimator understands.
            CHECK_NOTHROW(fitmygpu::parse_weight_format(c.at("format").get<std::string>()));
            official += c.value("official", false) ? 1 : 0;
        }
        CHECK(official >= 1);
        REQUIRE(e.contains("page"));
        CHECK(non_empty_string(e.at("page"), "summary"));
    }
}

TEST_CASE("ids and aliases are unique across the catalog") {
    std::map<std::string, std::string> seen;
    for (const auto& m : Catalog::builtin().models()) {
        std::set<std::string> own;
        for (const auto& key : {m.id, m.name, m.entry.value("hf_repo", std::string())}) own.insert(fitmygpu::normalize_key(key));
        if (m.entry.contains("aliases"))
            for (const auto& a : m.entry.at("aliases")) own.insert(fitmygpu::normalize_key(a.get<std::string>()));
        for (const auto& k : own) {
            CAPTURE(k);
            CHECK_MESSAGE(seen.count(k) == 0, m.id << " and " << (seen.count(k) ? seen[k] : "") << " share the key " << k);
            seen[k] = m.id;
        }
    }
    std::map<std::string, std::string> gpu_seen;
    for (const auto& g : Catalog::builtin().gpus()) {
        std::set<std::string> own{fitmygpu::normalize_key(g.id)};
        if (g.entry.contains("aliases"))
            for (const auto& a : g.entry.at("aliases")) own.insert(fitmygpu::normalize_key(a.get<std::string>()));
        for (const auto& k : own) {
            CAPTURE(k);
            CHECK_MESSAGE(gpu_seen.count(k) == 0, g.id << " and " << (gpu_seen.count(k) ? gpu_seen[k] : "") << " share " << k);
            gpu_seen[k] = g.id;
        }
    }
}

TEST_CASE("every model's config builds a tensor inventory") {
    for (const auto& m : Catalog::builtin().models()) {
        CAPTURE(m.id);
        CHECK_NOTHROW(fitmygpu::build_inventory(fitmygpu::parse_geometry(m.config())));
    }
}

TEST_CASE("computed parameter totals match the published figures") {
    // Exact figures (safetensors metadata): within 0.5% once the parts the figure includes beyond the text
    // decoder (vision tower, MTP layers, a stored copy of a tied lm_head, quantization scales; listed with
    // their sources in published_params.parts) are taken off. Rounded size labels ("8B", exact: false, with a
    // note saying so) only guard against gross geometry errors: within 12% or their written rounding.
    int checked = 0;
    double worst = 0;
    std::string worst_id;
    for (const auto& m : Catalog::builtin().models()) {
        CAPTURE(m.id);
        const json& p = m.entry.at("published_params");
        if (!p.contains("total") || !p.at("total").is_number()) {
            CHECK_MESSAGE(p.contains("note"), m.id << " has no published total and no note saying why");
            continue;
        }
        fitmygpu::ModelGeometry g;
        try {
            g = fitmygpu::parse_geometry(m.config());
        } catch (const std::exception&) {
            continue;  // reported by the inventory test
        }
        const i64 computed = fitmygpu::build_inventory(g).total_params();
        i64 published = p.at("total").get<i64>();
        i64 parts = 0;
        if (p.contains("parts"))
            for (const auto& [k, v] : p.at("parts").items()) parts += v.get<i64>();
        const bool exact = p.value("exact", true);
        if (!exact) CHECK_MESSAGE(p.contains("note"), m.id << ": a rounded figure needs a note");
        const double tol = exact ? 0.005 : std::max(0.12, rounding_tolerance(published));
        const double err = static_cast<double>(computed - (published - parts)) / static_cast<double>(published - parts);
        if (std::fabs(err) > std::fabs(worst)) {
            worst = err;
            worst_id = m.id;
        }
        CHECK_MESSAGE(std::fabs(err) <= tol,
                      m.id << ": computed " << computed << " vs published " << published << " − parts " << parts << " (" << err * 100 << "%)");
        ++checked;
    }
    MESSAGE("checked " << checked << " models; largest difference " << worst * 100 << "% (" << worst_id << ")");
    CHECK(checked >= 100);
}

TEST_CASE("the models the competitor lists are all here (https://www.fitmygpu.com/models)") {
    for (const char* slug : {"qwen-3-0.6b",
                             "qwen-3-4b",
                             "qwen-3-8b",
                             "qwen-3-14b",
                             "qwen-3-30b-a3b-instruct-2507",
                             "qwen-3-235b-a22b",
                             "qwen-2.5-0.5b",
                             "qwen-2.5-1.5b",
                             "qwen-2.5-3b",
                             "qwen-2.5-32b",
                             "qwen-2.5-72b",
                             "qwen-3.5-0.8b",
                             "qwen-3.5-2b",
                             "qwen-3.5-4b",
                             "qwen-3.5-9b",
                             "qwen-3.5-27b",
                             "qwen-3.5-35b-a3b",
                             "qwen-3.5-122b-a10b",
                             "qwen-3.5-397b-a17b",
                             "deepseek-r1-distill-qwen-1.5b",
                             "deepseek-r1-distill-qwen-7b",
                             "deepseek-r1-distill-llama-8b",
                             "deepseek-r1-distill-qwen-14b",
                             "deepseek-r1-distill-qwen-32b",
                             "deepseek-r1-distill-llama-70b",
                             "gpt-oss-20b",
                             "gpt-oss-120b",
                             "gemma-2-9b",
                             "gemma-2-27b"}) {
        CAPTURE(slug);
        CHECK(Catalog::builtin().find_model(slug) != nullptr);
    }
}

TEST_CASE("geometry the competitor gets wrong is right here") {
    // Qwen3 uses head_dim 128 (config.json), not hidden / heads.
    const auto q3 = fitmygpu::parse_geometry(Catalog::builtin().find_model("qwen3-0.6b")->config());
    CHECK(q3.head_dim == 128);
    // Gemma 2: every other layer slides over 4,096 tokens; Gemma 3: five of six layers slide; gpt-oss alternates 128.
    const auto g2 = fitmygpu::parse_geometry(Catalog::builtin().find_model("gemma-2-9b")->config());
    CHECK(g2.count(fitmygpu::Mixer::SlidingAttention) == 21);
    CHECK(g2.layers[0].window == 4096);
    const auto g3 = fitmygpu::parse_geometry(Catalog::builtin().find_model("gemma-3-27b")->config());
    CHECK(g3.count(fitmygpu::Mixer::SlidingAttention) == 52);
    CHECK(g3.count(fitmygpu::Mixer::FullAttention) == 10);
    const auto oss = fitmygpu::parse_geometry(Catalog::builtin().find_model("gpt-oss-20b")->config());
    CHECK(oss.count(fitmygpu::Mixer::SlidingAttention) == 12);
    CHECK(oss.layers[0].window == 128);
}

TEST_CASE("every device has driver-reported memory in MiB, bandwidth and a source") {
    for (const auto& g : Catalog::builtin().gpus()) {
        const json& e = g.entry;
        CAPTURE(g.id);
        CHECK(e.value("memory_mib", 0.0) > 0);
        CHECK(e.value("bandwidth_gbps", 0.0) > 0);
        CHECK(kDeviceClasses.count(e.value("class", "")) == 1);
        const std::string status = e.value("memory_mib_status", "");
        CHECK((status == "reported" || status == "expected" || status == "unified"));
        CHECK((e.contains("sources") && e.at("sources").is_array() && !e.at("sources").empty()));
        CHECK(non_empty_string(e, "memory_mib_source"));
        if (e.contains("cuda_total_mib") && e.at("cuda_total_mib").is_number() && !e.value("unified_memory", false))
            CHECK(e.at("cuda_total_mib").get<double>() <= e.at("memory_mib").get<double>());
        if (e.value("unified_memory", false)) {
            CHECK(e.value("gpu_share_default", 0.0) > 0);
            CHECK(e.value("gpu_share_default", 2.0) <= 1);
        }
    }
}

TEST_CASE("an 80 GB H100 is neither 80 GiB nor 80 GB: the driver reports 81,559 MiB, CUDA 79.18 GiB") {
    const json& h100 = Catalog::builtin().find_gpu("h100")->entry;
    CHECK(h100.at("memory_mib").get<i64>() == 81559);
    CHECK(h100.at("memory_mib").get<i64>() * MiB != 80 * GiB);
    CHECK(h100.at("memory_mib").get<i64>() * MiB != i64{80} * 1000 * 1000 * 1000);
    CHECK(static_cast<double>(h100.at("cuda_total_mib").get<i64>()) / 1024 == doctest::Approx(79.18).epsilon(0.001));
}

TEST_CASE("search tolerates spacing, case and dots") {
    const auto& c = Catalog::builtin();
    auto first = [&](const std::string& q) {
        auto r = c.search_models(q, 5);
        return r.empty() ? std::string() : r.front()->id;
    };
    CHECK(first("r1 70b") == "deepseek-r1-distill-llama-70b");
    CHECK(first("llama3.1 8b") == "llama-3.1-8b");
    CHECK(first("qwen3-30b") == "qwen3-30b-a3b");
    CHECK(first("GPT OSS 20B") == "gpt-oss-20b");
    CHECK(c.find_model("Qwen/Qwen3-8B") == c.find_model("qwen3-8b"));
    CHECK(c.search_gpus("4090", 3).front()->id == "rtx-4090");
}

TEST_CASE("catalog configs agree with the reference geometry file where both have the model") {
    // tests/data/architectures.json holds config.json geometry of 41 models with sources.
    const json refs = json::parse(read_text(FITMYGPU_SOURCE_DIR "/tests/data/architectures.json")).at("models");
    int compared = 0;
    for (const auto& ref : refs) {
        const fitmygpu::CatalogModel* m = Catalog::builtin().find_model(ref.value("hf_repo", ""));
        if (!m) m = Catalog::builtin().find_model(ref.value("model", ""));
        if (!m) continue;
        CAPTURE(m->id);
        fitmygpu::ModelGeometry a, b;
        try {
            a = fitmygpu::parse_geometry(ref);
        } catch (const std::exception&) {
            continue;  // reference rows with partial geometry
        }
        b = fitmygpu::parse_geometry(m->config());
        CHECK(a.hidden == b.hidden);
        CHECK(a.n_layers == b.n_layers);
        CHECK(a.n_heads == b.n_heads);
        CHECK(a.n_kv_heads == b.n_kv_heads);
        CHECK(a.head_dim == b.head_dim);
        CHECK(a.vocab == b.vocab);
        CHECK(a.moe.n_experts == b.moe.n_experts);
        CHECK(a.count(fitmygpu::Mixer::SlidingAttention) == b.count(fitmygpu::Mixer::SlidingAttention));
        ++compared;
    }
    MESSAGE("compared " << compared << " models with the reference file");
    CHECK(compared >= 30);
}
