// The catalog as data: schema, sources, unique ids, and parameter totals computed from each config
// against the published figures.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fitmygpu/catalog.hpp"
#include "fitmygpu/catalog_data.hpp"
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
            // A checkpoint's quantization layout is transcribed from its config.json, which the entry cites.
            if (c.contains("quantization_config")) CHECK(non_empty_string(c, "quantization_config_source"));
            official += c.value("official", false) ? 1 : 0;
        }
        CHECK(official >= 1);
        REQUIRE(e.contains("page"));
        CHECK(non_empty_string(e.at("page"), "summary"));
    }
}

namespace {

// A reference a reader can open: an http(s) address, or a GitHub issue / pull request written owner/repo#N.
bool is_public_reference(const std::string& token) {
    static const std::regex url(R"(https?://[^\s]+)");
    static const std::regex issue(R"([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+#[0-9]+)");
    return std::regex_match(token, url) || std::regex_match(token, issue);
}

// Source text may explain what it cites, but it must cite at least one public reference.
bool cites_public_reference(const std::string& text) {
    std::string token;
    for (size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : ' ';
        if (c == ' ' || c == '\n' || c == '\t' || c == '(' || c == ')' || c == ';' || c == ',') {
            while (!token.empty() && (token.back() == '.' || token.back() == ':')) token.pop_back();
            if (!token.empty() && is_public_reference(token)) return true;
            token.clear();
        } else {
            token += c;
        }
    }
    return false;
}

// Ids of a private file index and pseudo-schemes such as "github:owner/repo@commit:path" are nothing a reader can open.
const char* const kPrivateProvenance[] = {"store:", "store id", "search-index", "search index", "file id", "index id", "code-index", "code index", "github:"};

std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace

TEST_CASE("the reference checks accept links and issue references and reject internal ids") {
    CHECK(is_public_reference("https://huggingface.co/Qwen/Qwen3-8B/blob/main/config.json"));
    CHECK(is_public_reference("vllm-project/vllm#27508"));
    CHECK_FALSE(is_public_reference("github:AlexsJones/llmfit@a3e0eb2:llmfit-core/data/hf_models.json"));
    CHECK_FALSE(is_public_reference("62411905097"));
    CHECK_FALSE(is_public_reference("Qwen/Qwen3-8B"));
    CHECK(cites_public_reference("model card https://huggingface.co/microsoft/phi-4 (14B parameters)."));
    CHECK(cites_public_reference("a PyTorch OOM on an H100 (vllm-project/vllm#27508); more"));
    CHECK_FALSE(cites_public_reference("microsoft/phi-4 model card (14B parameters)"));
    CHECK_FALSE(cites_public_reference("search-index file id 62411905097"));
}

TEST_CASE("every model source is a public link a reader can open") {
    for (const auto& m : Catalog::builtin().models()) {
        const json& e = m.entry;
        CAPTURE(m.id);
        std::vector<std::pair<std::string, std::string>> sources;  // (where, text)
        for (const auto& [k, v] : e.at("sources").items()) sources.emplace_back("sources." + k, v.is_string() ? v.get<std::string>() : "");
        const json& p = e.at("published_params");
        if (p.contains("source")) sources.emplace_back("published_params.source", p.at("source").get<std::string>());
        for (const auto& c : e.at("checkpoints"))
            for (const auto& [k, v] : c.items())
                if (k.size() >= 6 && k.compare(k.size() - 6, 6, "source") == 0) sources.emplace_back("checkpoints[]." + k, v.get<std::string>());
        if (e.contains("fine_tunes"))
            for (const auto& f : e.at("fine_tunes")) sources.emplace_back("fine_tunes[].source", f.value("source", ""));
        for (const auto& source : sources) {
            // (named copies: clang cannot capture structured bindings in CAPTURE's lambda)
            const std::string& where = source.first;
            const std::string& text = source.second;
            CAPTURE(where);
            CAPTURE(text);
            CHECK(cites_public_reference(text));
        }
        // A link on the model page is a link and nothing else.
        if (e.contains("page") && e.at("page").contains("sources"))
            for (const auto& s : e.at("page").at("sources")) {
                CAPTURE(s);
                CHECK(is_public_reference(s.value("url", "")));
            }
    }
}

TEST_CASE("no catalog file names a private index or a pseudo-scheme") {
    auto check = [](const std::string& what, const json& entry) {
        const std::string text = lowercase(entry.dump());
        for (const char* phrase : kPrivateProvenance) {
            CAPTURE(what);
            CAPTURE(phrase);
            CHECK(text.find(phrase) == std::string::npos);
        }
    };
    for (const auto& m : Catalog::builtin().models()) check(m.id, m.record());
    for (const auto& g : Catalog::builtin().gpus()) check(g.id, g.entry);
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
    // A checkpoint's or a fine-tune's repository names one model, and no other model's id, name or alias.
    std::map<std::string, std::string> repo_seen;
    for (const auto& m : Catalog::builtin().models()) {
        std::vector<std::string> repos;
        for (const auto& c : m.entry.at("checkpoints"))
            if (c.contains("repo")) repos.push_back(c.at("repo").get<std::string>());
        if (m.entry.contains("fine_tunes"))
            for (const auto& f : m.entry.at("fine_tunes")) {
                CHECK_MESSAGE(f.contains("repo"), m.id << ": a fine_tunes entry without repo");
                repos.push_back(f.value("repo", ""));
            }
        for (const auto& r : repos) {
            const std::string k = fitmygpu::normalize_key(r);
            CAPTURE(r);
            CHECK_MESSAGE((seen.count(k) == 0 || seen[k] == m.id), m.id << "'s repository " << r << " is a key of " << seen[k]);
            CHECK_MESSAGE((repo_seen.count(k) == 0 || repo_seen[k] == m.id), m.id << " and " << repo_seen[k] << " both list " << r);
            repo_seen[k] = m.id;
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
        // Every NVIDIA, AMD and Intel device states its multiprocessors (or null) and where the count comes from.
        if (e.value("vendor", "") != "Apple") {
            REQUIRE(e.contains("multiprocessors"));
            CHECK((e.at("multiprocessors").is_null() || e.at("multiprocessors").get<i64>() > 0));
            CHECK(non_empty_string(e, "multiprocessors_source"));
        }
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

TEST_CASE("search finds a model by the repositories of its checkpoints and of its fine-tunes") {
    const auto& c = Catalog::builtin();
    auto first = [&](const std::string& q) {
        auto r = c.search_models(q, 5);
        return r.empty() ? std::string() : r.front()->id;
    };
    // catalog/models/qwen3-32b.json lists unsloth/Qwen3-32B-GGUF among its checkpoints
    CHECK(first("unsloth/Qwen3-32B-GGUF") == "qwen3-32b");
    CHECK(first("Qwen3-32B-GGUF") == "qwen3-32b");
    CHECK(first("RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8") == "llama-3.1-8b");
    // a fine-tune the catalog maps to its base model (llama-3.1-8b's fine_tunes)
    CHECK(first("NousResearch/Hermes-3-Llama-3.1-8B") == "llama-3.1-8b");
    CHECK(first("hermes 3 llama") == "llama-3.1-8b");
    // An exact lookup takes a checkpoint's repository (the same model), not a fine-tune's (its config may differ).
    REQUIRE(c.find_model("unsloth/Qwen3-32B-GGUF") != nullptr);
    CHECK(c.find_model("unsloth/Qwen3-32B-GGUF")->id == "qwen3-32b");
    CHECK(c.find_model("NousResearch/Hermes-3-Llama-3.1-8B") == nullptr);
    CHECK(c.find_model("Qwen3-32B-GGUF") == nullptr);
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

// ---- Speed facts: prefill throughput, peer link and host link (issue 12) ----

namespace {

const std::set<std::string> kPeerLinkKinds = {"nvlink", "pcie", "infinity_fabric", "xe_link", "none"};
const std::set<std::string> kHostLinkKinds = {"pcie", "nvlink_c2c", "unified"};

bool is_url(const std::string& s) { return std::regex_match(s, std::regex(R"(https?://[^\s]+)")); }

double positive_or_zero(const json& t, const char* key) { return t.contains(key) && t.at(key).is_number() ? t.at(key).get<double>() : 0.0; }

// PCIe payload rate per direction in GB/s: GT/s per lane x lanes x 128/130 (encoding of gens 3-5) / 8 bits.
double pcie_gbps(int gen, int lanes) {
    const double gts = gen == 3 ? 8.0 : gen == 4 ? 16.0 : gen == 5 ? 32.0 : 0.0;
    return gts * lanes * 128.0 / 130.0 / 8.0;
}

void check_link(const json& e, const char* key, const std::set<std::string>& kinds, const char* null_kind) {
    CAPTURE(key);
    REQUIRE((e.contains(key) && e.at(key).is_object()));
    const json& l = e.at(key);
    const std::string kind = l.value("kind", "");
    CAPTURE(kind);
    CHECK(kinds.count(kind) == 1);
    CHECK(non_empty_string(l, "name"));
    CHECK((l.contains("source") && l.at("source").is_string() && is_url(l.at("source").get<std::string>())));
    REQUIRE(l.contains("gbps"));
    if (kind == null_kind) {
        CHECK(l.at("gbps").is_null());
    } else {
        CHECK((l.at("gbps").is_number() && l.at("gbps").get<double>() > 0));
    }
    if (kind == "pcie") {
        std::smatch m;
        const std::string name = l.value("name", "");
        REQUIRE(std::regex_match(name, m, std::regex(R"(PCIe ([345])\.0 x(8|16))")));
        CHECK(l.at("gbps").get<double>() == doctest::Approx(pcie_gbps(std::stoi(m[1]), std::stoi(m[2]))).epsilon(0.01));
    }
}

const json& gpu_entry(const char* id) {
    const auto* g = Catalog::builtin().find_gpu(id);
    REQUIRE(g != nullptr);
    return g->entry;
}

}  // namespace

TEST_CASE("every device has a prefill rate, a peer link and a host link, each with a public source") {
    for (const auto& g : Catalog::builtin().gpus()) {
        const json& e = g.entry;
        CAPTURE(g.id);
        REQUIRE((e.contains("tflops") && e.at("tflops").is_object()));
        const json& t = e.at("tflops");
        CHECK(std::max(positive_or_zero(t, "fp16"), positive_or_zero(t, "bf16")) > 0);
        for (const char* k : {"fp16", "bf16", "fp8", "fp4"})
            if (t.contains(k) && !t.at(k).is_null()) CHECK(t.at(k).get<double>() > 0);
        check_link(e, "link", kPeerLinkKinds, "none");
        check_link(e, "host_link", kHostLinkKinds, "unified");
        // A device whose memory is shared with the host has no separate host link, and no peer to split a model with.
        if (e.value("unified_memory", false)) {
            CHECK(e.at("host_link").value("kind", "") == "unified");
            CHECK(e.at("link").value("kind", "") == "none");
        }
        for (const auto& s : e.at("sources")) {
            CAPTURE(s);
            CHECK((s.is_string() && is_url(s.get<std::string>())));
        }
        // Sources are public addresses a reader can open, never ids of an internal index.
        CHECK(e.dump().find("store:") == std::string::npos);
    }
}

TEST_CASE("speed facts agree with the datasheets") {
    // NVIDIA H100 datasheet (https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet), SXM:
    // BF16 tensor 1,979 TFLOPS with sparsity = 989.4 dense; NVLink 900 GB/s = 450 GB/s per direction; PCIe Gen5 128 GB/s.
    const json& h100 = gpu_entry("h100-sxm-80gb");
    CHECK(h100.at("tflops").at("bf16").get<double>() == doctest::Approx(989.4).epsilon(0.001));
    CHECK(h100.at("link").at("kind") == "nvlink");
    CHECK(h100.at("link").at("gbps").get<double>() == doctest::Approx(900.0 / 2));
    CHECK(h100.at("host_link").at("name") == "PCIe 5.0 x16");

    // NVIDIA A100 datasheet: BF16 312 TFLOPS dense; SXM4 NVLink 600 GB/s = 300 per direction.
    const json& a100 = gpu_entry("a100-80gb-sxm4");
    CHECK(a100.at("tflops").at("bf16").get<double>() == doctest::Approx(312));
    CHECK(a100.at("link").at("gbps").get<double>() == doctest::Approx(600.0 / 2));
    // The PCIe card's NVLink bridge is optional: its peer link is the slot.
    CHECK(gpu_entry("a100-80gb-pcie").at("link").at("kind") == "pcie");

    // RTX 4090: a PCIe 4.0 x16 card without NVLink; 16 GT/s x 16 lanes x 128/130 / 8 = 31.5 GB/s.
    const json& rtx4090 = gpu_entry("rtx-4090");
    CHECK(rtx4090.at("link").at("name") == "PCIe 4.0 x16");
    CHECK(rtx4090.at("link").at("gbps").get<double>() == doctest::Approx(16.0 * 16 * 128 / 130 / 8).epsilon(0.001));
    // The RTX 4060 Ti is wired x8 (GeForce 40 series table): half of that.
    CHECK(gpu_entry("rtx-4060-ti-16gb").at("link").at("gbps").get<double>() == doctest::Approx(31.5 / 2));

    // AMD MI300X: 7 Infinity Fabric links of 128 GB/s (64 per direction) = 448 GB/s per direction.
    CHECK(gpu_entry("mi300x").at("link").at("gbps").get<double>() == doctest::Approx(7 * 64));

    // GH200: NVLink-C2C 900 GB/s CPU<->GPU = 450 per direction.
    const json& gh200 = gpu_entry("gh200-96gb");
    CHECK(gh200.at("host_link").at("kind") == "nvlink_c2c");
    CHECK(gh200.at("host_link").at("gbps").get<double>() == doctest::Approx(450));

    // Apple M2 Ultra: 76 GPU cores x 128 ALUs x 2 (FMA) x 1.398 GHz = 27.2 TFLOPS, the figure Apple states; FP16 runs at
    // that FP32 rate. Single device with unified memory.
    const json& m2u = gpu_entry("m2-ultra-192gb");
    CHECK(m2u.at("tflops").at("fp16").get<double>() == doctest::Approx(76 * 128 * 2 * 1.398 / 1000).epsilon(0.005));
    CHECK(m2u.at("tflops").at("fp16").get<double>() == doctest::Approx(27.2).epsilon(0.005));
    CHECK(m2u.at("link").at("kind") == "none");
    CHECK(m2u.at("link").at("gbps").is_null());
    CHECK(m2u.at("host_link").at("kind") == "unified");
}

TEST_CASE("every device has a bandwidth and an FP16 rate") {
    // The speed estimate divides by both; BF16 alone is not enough for a device whose runtimes compute in FP16.
    for (const auto& g : Catalog::builtin().gpus()) {
        const json& e = g.entry;
        CAPTURE(g.id);
        REQUIRE(e.contains("bandwidth_gbps"));
        CHECK(e.at("bandwidth_gbps").is_number());
        CHECK(e.value("bandwidth_gbps", 0.0) > 0);
        REQUIRE(e.contains("tflops"));
        REQUIRE(e.at("tflops").contains("fp16"));
        CHECK(e.at("tflops").at("fp16").is_number());
        CHECK(positive_or_zero(e.at("tflops"), "fp16") > 0);
    }
}

TEST_CASE("devices released in 2025 and 2026 carry their vendors' figures") {
    // AMD Radeon AI PRO R9700 product page: 32 GB GDDR6, 640 GB/s, 300 W, PCIe 5.0 x16; 1531 AI TOPS (INT4, sparse)
    // = 8 x the dense FP16 matrix rate, 64 CUs x 1024 FLOPs per clock x 2.92 GHz = 191.4 TFLOPS.
    // (https://www.amd.com/en/products/graphics/workstations/radeon-ai-pro/ai-9000-series/amd-radeon-ai-pro-r9700.html)
    const json& r9700 = gpu_entry("r9700");
    CHECK(r9700.at("id") == "radeon-ai-pro-r9700");
    CHECK(r9700.at("memory_marketed") == "32 GB");
    CHECK(r9700.at("bandwidth_gbps").get<double>() == doctest::Approx(640));
    CHECK(r9700.at("tdp_w").get<int>() == 300);
    CHECK(r9700.at("tflops").at("fp16").get<double>() == doctest::Approx(64 * 1024 * 2.92 / 1000).epsilon(0.005));
    CHECK(r9700.at("tflops").at("fp16").get<double>() == doctest::Approx(1531.0 / 8).epsilon(0.005));
    // The driver's total is a little under 32 GiB and well over 32 GB: llama.cpp lists 32624 MiB.
    CHECK(r9700.at("memory_mib").get<i64>() * MiB < 32 * GiB);
    CHECK(r9700.at("memory_mib").get<i64>() * MiB > i64{32} * 1000 * 1000 * 1000);
    CHECK(r9700.at("link").at("name") == "PCIe 5.0 x16");

    // AMD Radeon RX 9070 XT: 16 GB GDDR6 on a 256-bit bus at 20 Gbps = 256 x 20 / 8 = 640 GB/s; 1557 AI TOPS (INT4, sparse).
    const json& xt = gpu_entry("9070 xt");
    CHECK(xt.at("bandwidth_gbps").get<double>() == doctest::Approx(256 * 20 / 8.0));
    CHECK(xt.at("tflops").at("fp16").get<double>() == doctest::Approx(1557.0 / 8).epsilon(0.005));

    // Intel Arc Pro B60: 24 GB GDDR6 on a 192-bit bus at 19 Gbps = 456 GB/s; PCIe 5.0 x8 = 32 GT/s x 8 x 128/130 / 8.
    const json& b60 = gpu_entry("arc pro b60");
    CHECK(b60.at("memory_marketed") == "24 GB");
    CHECK(b60.at("bandwidth_gbps").get<double>() == doctest::Approx(192 * 19 / 8.0));
    CHECK(b60.at("link").at("gbps").get<double>() == doctest::Approx(32.0 * 8 * 128 / 130 / 8).epsilon(0.01));
    // Arc Pro B50: 16 GB GDDR6 on a 128-bit bus at 14 Gbps = 224 GB/s, 70 W from the slot.
    const json& b50 = gpu_entry("arc pro b50");
    CHECK(b50.at("bandwidth_gbps").get<double>() == doctest::Approx(128 * 14 / 8.0));
    CHECK(b50.at("tdp_w").get<int>() == 70);

    // NVIDIA GeForce RTX 5060 (rtx-5060-family page): 8 GB GDDR7, 128-bit at 28 Gbps = 448 GB/s, 614 AI TOPS (FP4, sparse) = 307 dense.
    const json& rtx5060 = gpu_entry("rtx 5060");
    CHECK(rtx5060.at("id") == "rtx-5060");
    CHECK(rtx5060.at("bandwidth_gbps").get<double>() == doctest::Approx(128 * 28 / 8.0));
    CHECK(rtx5060.at("tflops").at("fp4").get<double>() == doctest::Approx(614.0 / 2));
    // RTX 5090 Laptop GPU (GeForce 50 series laptops page): 24 GB, 896 GB/s, 1824 AI TOPS.
    const json& laptop = gpu_entry("rtx 5090 laptop");
    CHECK(laptop.at("memory_marketed") == "24 GB");
    CHECK(laptop.at("bandwidth_gbps").get<double>() == doctest::Approx(896));
    CHECK(laptop.at("tflops").at("fp4").get<double>() == doctest::Approx(1824.0 / 2));
    // RTX PRO 6000 Blackwell: the Max-Q runs the same 96 GB at 300 W and 3511 AI TOPS; the Workstation Edition 600 W, 4000.
    const json& maxq = gpu_entry("rtx pro 6000 max-q");
    CHECK(maxq.at("id") == "rtx-pro-6000-blackwell-max-q");
    CHECK(maxq.at("tdp_w").get<int>() == 300);
    CHECK(maxq.at("tflops").at("fp4").get<double>() == doctest::Approx(3511.0 / 2));
    CHECK(maxq.at("bandwidth_gbps").get<double>() == doctest::Approx(1792));
    CHECK(gpu_entry("rtx pro 6000").at("tdp_w").get<int>() == 600);
    CHECK(gpu_entry("rtx pro 6000 server").at("class") == "datacenter");
    // RTX PRO 5000 Blackwell: 48 GB, 1344 GB/s (384-bit at 28 Gbps), 300 W.
    const json& pro5000 = gpu_entry("rtx pro 5000");
    CHECK(pro5000.at("bandwidth_gbps").get<double>() == doctest::Approx(384 * 28 / 8.0));
    CHECK(pro5000.at("tdp_w").get<int>() == 300);

    // Apple (newsroom and tech specs): M5 153 GB/s; M5 Pro 307 GB/s; M5 Max 614 GB/s with the 40-core GPU and 460 GB/s
    // with the 32-core one; a 128 GB Mac is 128 x 1024 MiB of unified memory.
    CHECK(gpu_entry("m5 16gb").at("bandwidth_gbps").get<double>() == doctest::Approx(153));
    CHECK(gpu_entry("m5 pro 64gb").at("bandwidth_gbps").get<double>() == doctest::Approx(307));
    CHECK(gpu_entry("m5 max 36gb").at("bandwidth_gbps").get<double>() == doctest::Approx(460));
    const json& m5max = gpu_entry("m5 max 128gb");
    CHECK(m5max.at("bandwidth_gbps").get<double>() == doctest::Approx(614));
    CHECK(m5max.at("memory_mib").get<i64>() == 128 * 1024);
    CHECK(m5max.at("unified_memory").get<bool>());
    CHECK(m5max.at("link").at("kind") == "none");
    // Its Neural Accelerators: 1024 FP16 FLOPs per core per clock, 4x the 128 ALUs x 2 (FMA) of the M4 Max at 1.678 GHz.
    CHECK(m5max.at("tflops").at("fp16").get<double>() == doctest::Approx(40 * 1024 * 1.678 / 1000).epsilon(0.005));
    CHECK(gpu_entry("m5 ultra 512gb").at("memory_mib").get<i64>() == 512 * 1024);
}

TEST_CASE("a catalog record's config is read when the model is first used, and checked when the catalog loads") {
    const std::string gpus = R"({"gpus": []})";
    auto load = [&](const std::string& record) { return Catalog::from_texts({{"m.json", record}}, {{"g.json", gpus}}); };
    // A record whose other fields hold a "config" key of their own: only the top-level one is the model's.
    const Catalog c = load(R"({"id": "m", "name": "M", "checkpoints": [{"format": "bf16", "config": 1}],
                               "config": {"model_type": "llama", "hidden_size": 64, "nested": {"config": [1, 2]}}, "family": "F"})");
    const fitmygpu::CatalogModel& m = c.models().at(0);
    CHECK_FALSE(m.entry.contains("config"));
    CHECK(m.entry.at("family") == "F");
    CHECK(m.entry.at("checkpoints").at(0).at("config") == 1);
    CHECK(m.config() == json::parse(R"({"model_type": "llama", "hidden_size": 64, "nested": {"config": [1, 2]}})"));
    CHECK(m.record().at("config").at("hidden_size") == 64);
    CHECK(m.record().at("id") == "m");
    // A missing config, or one that is not an object, fails at load naming the file's config field.
    for (const std::string bad : {R"({"id": "m"})", R"({"id": "m", "config": [1]})", R"({"id": "m", "config": "x"})", R"({"id": "m", "config": null})"}) {
        CAPTURE(bad);
        try {
            load(bad);
            FAIL("loaded");
        } catch (const fitmygpu::FieldError& e) {
            CHECK(e.field() == "catalog/models/m.json.config");
        }
    }
    // Bad JSON inside the unread config is still bad JSON.
    CHECK_THROWS_AS(load(R"({"id": "m", "config": {"a": [1,}})"), fitmygpu::FieldError);
    // Strings holding quotes, brackets and commas, before, inside and after the config, which may come first.
    const Catalog d = load(R"({ "config" :{"s": "a \"}] x,", "t": [{"u": "]"}, 2.5e-3, true, null]} ,
                               "id":"m", "name": "N \"q\" {[", "aliases": ["config", "x,y"]})");
    const fitmygpu::CatalogModel& n = d.models().at(0);
    CHECK(n.name == "N \"q\" {[");
    CHECK(n.entry.at("aliases") == json::parse(R"(["config", "x,y"])"));
    CHECK_FALSE(n.entry.contains("config"));
    CHECK(n.config() == json::parse(R"({"s": "a \"}] x,", "t": [{"u": "]"}, 2.5e-3, true, null]})"));
}

TEST_CASE("the builtin catalog's model files are named by their ids, and the ids stay distinct when normalised") {
    // Catalog::find_model reads a model asked for by id from the file <id>.json before the whole list is read; these two
    // facts make that the model the whole list would give.
    std::set<std::string> normalised;
    for (const auto& f : fitmygpu::embedded_model_files()) {
        const auto doc = nlohmann::json::parse(f.text);
        CHECK(std::string(f.name) == doc.at("id").get<std::string>() + ".json");
        CHECK(normalised.insert(fitmygpu::normalize_key(doc.at("id").get<std::string>())).second);
    }
    CHECK(normalised.size() == fitmygpu::Catalog::builtin().models().size());
    // A lookup by id gives the same record as the list, and an unknown id gives none.
    for (const char* id : {"llama-3.1-8b", "qwen3-30b-a3b", "gpt-oss-120b"}) {
        const auto* found = fitmygpu::Catalog::builtin().find_model(id);
        REQUIRE(found != nullptr);
        CHECK(found->id == id);
        const auto& list = fitmygpu::Catalog::builtin().models();
        const auto it = std::find_if(list.begin(), list.end(), [&](const auto& m) { return m.id == id; });
        REQUIRE(it != list.end());
        CHECK(found->entry == it->entry);
        CHECK(found->config() == it->config());
    }
    CHECK(fitmygpu::Catalog::builtin().find_model("no-such-model-id") == nullptr);
}

TEST_CASE("a GPU is found by the name its driver reports (nvidia-smi, torch.cuda.get_device_name), as logs print it") {
    // Names as the engines' startup logs and nvidia-smi print them (tests/data: V-171 "NVIDIA H100 80GB HBM3", V-153
    // "NVIDIA GB10", T-32 "B300 SXM6 AC", V-101 the RTX PRO 6000 Blackwell Server Edition).
    const std::map<std::string, std::string> printed = {
        {"NVIDIA H100 80GB HBM3", "h100-sxm-80gb"},
        {"NVIDIA H100 PCIe", "h100-pcie-80gb"},
        {"NVIDIA H100 NVL", "h100-nvl-94gb"},
        {"NVIDIA H200", "h200-sxm-141gb"},
        {"NVIDIA H200 NVL", "h200-nvl-141gb"},
        {"NVIDIA A100-SXM4-40GB", "a100-40gb-sxm4"},
        {"NVIDIA A100-SXM4-80GB", "a100-80gb-sxm4"},
        {"NVIDIA A100-PCIE-40GB", "a100-40gb-pcie"},
        {"NVIDIA A100 80GB PCIe", "a100-80gb-pcie"},
        {"NVIDIA B300 SXM6 AC", "b300"},
        {"NVIDIA RTX PRO 6000 Blackwell Server Edition", "rtx-pro-6000-blackwell-server"},
        {"NVIDIA RTX PRO 6000 Blackwell Workstation Edition", "rtx-pro-6000-blackwell"},
        {"NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition", "rtx-pro-6000-blackwell-max-q"},
        {"Tesla V100-SXM2-32GB", "v100-32gb"},
        {"Tesla V100-PCIE-16GB", "v100-16gb"},
        {"NVIDIA GB10", "dgx-spark-gb10"},
        {"NVIDIA GeForce RTX 4090", "rtx-4090"},
        // The maker's or product line's words first, "GPU" last, where the catalog's aliases have neither.
        {"AMD Instinct MI250X", "mi250x"},
        {"Radeon RX 7900 XTX", "rx-7900-xtx"},
        {"AMD Radeon PRO W7900", "radeon-pro-w7900"},
        {"Intel Arc B580", "arc-b580"},
        {"NVIDIA Jetson AGX Orin", "jetson-agx-orin-64gb"},
        {"NVIDIA GeForce RTX 5090 Laptop GPU", "rtx-5090-laptop"},
        // China-market data-center parts and older or smaller cards, as nvidia-smi names them (their catalog sources).
        {"NVIDIA H20", "h20-96gb"},
        {"NVIDIA H20-3e", "h20-3e-141gb"},
        {"NVIDIA H800", "h800-sxm-80gb"},
        {"NVIDIA A800-SXM4-80GB", "a800-80gb-sxm4"},
        {"NVIDIA A800 80GB PCIe", "a800-80gb-pcie"},
        {"NVIDIA L20", "l20"},
        {"Tesla P40", "tesla-p40"},
        {"Tesla P100-PCIE-16GB", "tesla-p100-16gb-pcie"},
        {"Tesla V100S-PCIE-32GB", "v100s-32gb-pcie"},
        {"NVIDIA GeForce GTX 1080 Ti", "gtx-1080-ti"},
        {"NVIDIA GeForce RTX 4070 SUPER", "rtx-4070-super"},
        {"NVIDIA RTX 5000 Ada Generation", "rtx-5000-ada"},
        // The catalog's own name ("NVIDIA H100 SXM5 80GB") without the maker's word, in any case or separator.
        {"H100 SXM5 80GB", "h100-sxm-80gb"},
        {"h100-sxm5-80gb", "h100-sxm-80gb"},
    };
    for (const auto& entry : printed) {
        const std::string& name = entry.first;
        const std::string& id = entry.second;
        CAPTURE(name);
        const auto* g = Catalog::builtin().find_gpu(name);
        REQUIRE(g != nullptr);
        CHECK(g->id == id);
    }
    // Dropping those words never leaves a bare maker or an empty name to match.
    for (const char* name : {"NVIDIA", "AMD Radeon Graphics", "GPU", "NVIDIA GPU", "Apple M3 Max"}) {
        CAPTURE(name);
        CHECK(Catalog::builtin().find_gpu(name) == nullptr);
    }
}
