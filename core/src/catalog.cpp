#include "fitmygpu/catalog.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "fitmygpu/catalog_data.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/formats.hpp"
#include "fitmygpu/json_parse.hpp"
#include "order.hpp"

namespace fitmygpu {

using nlohmann::json;

std::string normalize_key(const std::string& s) {
    std::string out;
    for (unsigned char c : s)
        if (std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
    return out;
}

namespace {

std::vector<std::string> keys_of(const json& entry) {
    std::vector<std::string> keys{entry.value("id", ""), entry.value("name", "")};
    // The Hugging Face repo name, with and without its organisation ("Qwen/Qwen3-8B", "Qwen3-8B").
    if (entry.contains("hf_repo") && entry.at("hf_repo").is_string()) {
        const std::string repo = entry.at("hf_repo").get<std::string>();
        keys.push_back(repo);
        keys.push_back(repo.substr(repo.find('/') + 1));
    }
    if (entry.contains("aliases") && entry.at("aliases").is_array())
        for (const auto& a : entry.at("aliases"))
            if (a.is_string()) keys.push_back(a.get<std::string>());
    return keys;
}

// A checkpoint's "quantization_config": an object read as a config's would be, whose method is the checkpoint's format
// (an FP8 layout on an AWQ checkpoint is a mistake in the catalog, not something to guess about).
QuantizationSpec checkpoint_quantization(const json& c, const std::string& format, const std::string& where) {
    const std::string field = where + ".quantization_config";
    if (!c.at("quantization_config").is_object()) fail("invalid_catalog", field, field + " must be an object");
    ModelGeometry g;
    g.quantization = parse_quantization_config(c.at("quantization_config"), where);
    const std::string stated = native_weight_format(g).id;
    if (stated != parse_weight_format(format, where + ".format").id)
        fail("invalid_catalog", field, field + ": quant_method \"" + g.quantization.quant_method + "\" is not the checkpoint's format " + format);
    return g.quantization;
}

// The repositories a model's checkpoints are published under ("unsloth/Qwen3-32B-GGUF").
std::vector<std::string> checkpoint_repos(const json& entry) {
    std::vector<std::string> keys;
    if (entry.contains("checkpoints") && entry.at("checkpoints").is_array())
        for (const auto& c : entry.at("checkpoints"))
            if (c.is_object() && c.contains("repo") && c.at("repo").is_string()) keys.push_back(c.at("repo").get<std::string>());
    return keys;
}

// Every key a search matches: the entry's own keys, then its checkpoints' repositories and the fine-tunes the
// catalog maps to it (fine_tunes: repositories whose model card names it as their base model), each with and without
// its organisation. A fine-tune is found by search only: its own config may differ, so it is not the model itself.
std::vector<std::string> search_keys(const json& entry, bool fine_tunes) {
    std::vector<std::string> keys = keys_of(entry);
    std::vector<std::string> repos = checkpoint_repos(entry);
    if (fine_tunes && entry.contains("fine_tunes") && entry.at("fine_tunes").is_array())
        for (const auto& f : entry.at("fine_tunes"))
            if (f.is_object() && f.contains("repo") && f.at("repo").is_string()) repos.push_back(f.at("repo").get<std::string>());
    for (const std::string& repo : repos) {
        keys.push_back(repo);
        keys.push_back(repo.substr(repo.find('/') + 1));
    }
    return keys;
}

std::vector<std::string> query_words(const std::string& q) {
    std::vector<std::string> words;
    std::string cur;
    for (unsigned char c : q) {
        if (std::isspace(c) || c == ',' || c == '/') {
            if (!cur.empty()) words.push_back(normalize_key(cur));
            cur.clear();
        } else {
            cur.push_back(static_cast<char>(c));
        }
    }
    if (!cur.empty()) words.push_back(normalize_key(cur));
    words.erase(std::remove(words.begin(), words.end(), std::string()), words.end());
    return words;
}

// Score of an entry for a query: 0 = no match. Exact key match beats prefix beats containment; among
// equals, shorter ids first (so "qwen3 8b" ranks qwen3-8b before qwen3-8b-something).
template <class T>
std::vector<const T*> ranked(const std::vector<T>& items, const std::string& query, size_t limit, bool fine_tunes) {
    const std::vector<std::string> words = query_words(query);
    const std::string whole = normalize_key(query);
    std::vector<std::pair<int, const T*>> scored;
    for (const T& item : items) {
        const std::vector<std::string> keys = search_keys(item.entry, fine_tunes);
        int best = 0;
        for (const std::string& k : keys) {
            const std::string nk = normalize_key(k);
            if (nk.empty()) continue;
            int score = 0;
            if (!whole.empty() && nk == whole) score = 1000;
            else if (!whole.empty() && nk.rfind(whole, 0) == 0) score = 500;
            else if (!words.empty() && std::all_of(words.begin(), words.end(), [&](const std::string& w) { return nk.find(w) != std::string::npos; }))
                score = 100;
            if (score > 0) score -= static_cast<int>(std::min<size_t>(nk.size(), 99));
            best = std::max(best, score);
        }
        if (words.empty()) best = 1;
        if (best > 0) scored.emplace_back(best, &item);
    }
    std::vector<const T*> out;
    for (const size_t i : stable_order(scored.size(), [&](size_t a, size_t b) { return scored[a].first > scored[b].first; })) {
        if (out.size() >= limit) break;
        out.push_back(scored[i].second);
    }
    return out;
}

json parse_file(const std::string& name, const std::string& text, const std::function<bool(const std::string&)>& skip = nullptr,
                std::vector<SkippedMember>* skipped = nullptr) {
    try {
        return skip ? parse_json_without(text, skip, skipped) : parse_json(text);
    } catch (const json::exception& e) {
        fail("invalid_catalog", "catalog/" + name, "catalog file " + name + " is not valid JSON: " + e.what());
    }
}

// What a model record's "config" holds, seen while the rest of the record is read.
enum class ConfigSeen { Absent, Object, NotObject };

// A model record without its config, which is checked to be an object but left unread (the parser checks the value
// without building it).
json parse_model_head(const std::string& name, const std::string& text, ConfigSeen& config) {
    std::vector<SkippedMember> skipped;
    json head = parse_file(
        name, text, [](const std::string& key) { return key == "config"; }, &skipped);
    config = skipped.empty() ? ConfigSeen::Absent : skipped.back().object ? ConfigSeen::Object : ConfigSeen::NotObject;
    return head;
}

}  // namespace

const json& CatalogModel::config() const {
    if (!config_) {
        // Only the config is built; the record was checked to be valid JSON with a config object when it was loaded.
        json only = parse_json_without(*text_, [](const std::string& key) { return key != "config"; });
        config_ = std::make_shared<const json>(std::move(only.at("config")));
    }
    return *config_;
}

json CatalogModel::record() const {
    json out = entry;
    out["config"] = config();
    return out;
}

const ModelGeometry& CatalogModel::geometry() const {
    if (!geometry_) geometry_ = std::make_shared<const ModelGeometry>(parse_geometry(config(), "catalog." + id + ".config"));
    return *geometry_;
}

const Inventory& CatalogModel::inventory() const {
    if (!inventory_) inventory_ = std::make_shared<const Inventory>(build_inventory(geometry()));
    return *inventory_;
}

// One model file read into its catalog entry (its config left in the text until asked for).
CatalogModel Catalog::read_model(const std::string& name, const std::string& text) {
    ConfigSeen config = ConfigSeen::Absent;
    json e = parse_model_head(name, text, config);
    if (!e.is_object() || !e.contains("id") || !e.at("id").is_string())
        fail("invalid_catalog", "catalog/models/" + name + ".id", "catalog model file " + name + " has no id");
    if (config != ConfigSeen::Object) fail("invalid_catalog", "catalog/models/" + name + ".config", "catalog model file " + name + " has no config object");
    CatalogModel m;
    m.text_ = std::make_shared<const std::string>(text);
    m.id = e.at("id").get<std::string>();
    m.name = e.value("name", m.id);
    const std::string where = "catalog/models/" + name;
    if (e.contains("checkpoints")) {
        if (!e.at("checkpoints").is_array()) fail("invalid_catalog", where + ".checkpoints", "catalog model file " + name + ": checkpoints must be a list");
        const json& list = e.at("checkpoints");
        for (size_t i = 0; i < list.size(); ++i) {
            const json& c = list[i];
            if (!c.is_object() || !c.contains("format") || !c.at("format").is_string()) continue;
            m.checkpoints.push_back({c.at("format").get<std::string>(), c.contains("repo") && c.at("repo").is_string() ? c.at("repo").get<std::string>() : "",
                                     c.contains("official") && c.at("official").is_boolean() && c.at("official").get<bool>(),
                                     c.contains("default") && c.at("default").is_boolean() && c.at("default").get<bool>(),
                                     c.contains("runtime") && c.at("runtime").is_string() ? c.at("runtime").get<std::string>() : "", std::nullopt});
            if (c.contains("quantization_config"))
                m.checkpoints.back().quantization = checkpoint_quantization(c, m.checkpoints.back().format, where + ".checkpoints[" + std::to_string(i) + "]");
        }
    }
    if (e.contains("published_params") && e.at("published_params").is_object() && e.at("published_params").contains("parts") &&
        e.at("published_params").at("parts").is_object()) {
        const json& parts = e.at("published_params").at("parts");
        auto part = [&](const char* k) { return parts.contains(k) && parts.at(k).is_number_integer() ? parts.at(k).get<i64>() : i64{0}; };
        m.published_vision = part("vision");
        m.published_audio = part("audio");
        m.published_mtp = part("mtp");
    }
    m.entry = std::move(e);
    return m;
}

namespace {

// One device file's GPUs appended to out.
void load_gpus(const std::string& name, const std::string& text, std::vector<CatalogGpu>& out) {
    json doc = parse_file(name, text);
    if (!doc.contains("gpus") || !doc.at("gpus").is_array())
        fail("invalid_catalog", "catalog/gpus/" + name + ".gpus", "catalog device file " + name + " has no gpus array");
    for (auto& e : doc.at("gpus")) {
        CatalogGpu g;
        g.id = e.value("id", "");
        g.name = e.value("name", g.id);
        g.vendor = e.value("vendor", "");
        g.device_class = e.value("class", "");
        g.device = device_from_catalog(e);
        g.entry = e;
        out.push_back(std::move(g));
    }
}

void sort_models(std::vector<CatalogModel>& models) {
    reorder(models, stable_order(models.size(), [&](size_t a, size_t b) { return models[a].id < models[b].id; }));
}

}  // namespace

Catalog Catalog::from_texts(const std::vector<std::pair<std::string, std::string>>& model_files,
                            const std::vector<std::pair<std::string, std::string>>& gpu_files) {
    Catalog c;
    for (const auto& [name, text] : model_files) c.models_.push_back(read_model(name, text));
    for (const auto& [name, text] : gpu_files) load_gpus(name, text, c.gpus_);
    sort_models(c.models_);
    return c;
}

struct Catalog::Pending {
    std::once_flag models_read, gpus_read;
    std::mutex mutex;     // guards listed and single
    bool listed = false;  // the whole model list has been read
    // Models read on their own, by file name, before the whole list was.
    std::map<std::string, std::unique_ptr<CatalogModel>> single;
};

const Catalog& Catalog::builtin() {
    static const Catalog catalog = [] {
        Catalog c;
        c.pending_ = std::make_shared<Pending>();
        return c;
    }();
    return catalog;
}

const std::vector<CatalogModel>& Catalog::models() const {
    if (pending_)
        std::call_once(pending_->models_read, [this] {
            for (const auto& f : embedded_model_files()) models_.push_back(read_model(f.name, f.text));
            sort_models(models_);
            std::lock_guard<std::mutex> lock(pending_->mutex);
            pending_->listed = true;
        });
    return models_;
}

const std::vector<CatalogGpu>& Catalog::gpus() const {
    if (pending_)
        std::call_once(pending_->gpus_read, [this] {
            for (const auto& f : embedded_gpu_files()) load_gpus(f.name, f.text, gpus_);
        });
    return gpus_;
}

namespace {

// An entry by id, else by alias, else by the whole name of a repository its checkpoints are published under, else (a
// repository the catalog does not list, "meta-llama/Meta-Llama-3.1-8B-Instruct") by the repository's own name as an id
// or alias, after normalize_key on both sides. An id given exactly is found without normalizing every entry's (compare
// asks for each GPU by its id).
template <class T>
const T* find_by_key(const std::vector<T>& items, const std::string& key) {
    for (const auto& item : items)
        if (item.id == key) return &item;
    const std::string k = normalize_key(key);
    if (k.empty()) return nullptr;
    auto by_id_or_alias = [&](const std::string& nk) -> const T* {
        for (const auto& item : items)
            if (normalize_key(item.id) == nk) return &item;
        for (const auto& item : items)
            for (const auto& alias : keys_of(item.entry))
                if (normalize_key(alias) == nk) return &item;
        return nullptr;
    };
    if (const T* found = by_id_or_alias(k)) return found;
    const size_t slash = key.rfind('/');
    if (slash == std::string::npos) return nullptr;
    for (const auto& item : items)
        for (const auto& repo : checkpoint_repos(item.entry))
            if (normalize_key(repo) == k) return &item;
    const std::string name = normalize_key(key.substr(slash + 1));
    return name.empty() ? nullptr : by_id_or_alias(name);
}

}  // namespace

const CatalogModel* Catalog::find_model(const std::string& key) const {
    // Before the builtin list is read, a model asked for by its id is read from its own file (named <id>.json, which
    // test_catalog checks for every model; ids stay distinct after normalize_key, so the whole list would give the same
    // model). Other keys (aliases, names, repositories) need the whole list.
    if (pending_) {
        bool listed = false;
        {
            std::lock_guard<std::mutex> lock(pending_->mutex);
            listed = pending_->listed;
        }
        if (!listed) {
            const std::string file = key + ".json";
            for (const auto& f : embedded_model_files()) {
                if (file != f.name) continue;
                std::lock_guard<std::mutex> lock(pending_->mutex);
                auto& slot = pending_->single[file];
                if (!slot) slot = std::make_unique<CatalogModel>(read_model(f.name, f.text));
                return slot.get();
            }
        }
    }
    return find_by_key(models(), key);
}
// A GPU also by the name its driver or engine prints, which may lead with the maker's and the product line's words
// ("AMD Instinct MI250X", "Radeon RX 7900 XTX", "Intel Arc A770") and end with "GPU" ("... Laptop GPU") where the
// catalog's aliases do not: those words are dropped one at a time, and the rest looked up again; and by the catalog's
// own name with those words dropped on both sides ("H100 SXM5 80GB" for "NVIDIA H100 SXM5 80GB").
const CatalogGpu* Catalog::find_gpu(const std::string& key) const {
    if (const CatalogGpu* found = find_by_key(gpus(), key)) return found;
    static const std::array<const char*, 6> kLeading{"nvidia", "amd", "intel", "apple", "geforce", "radeon"};
    auto words_of = [](const std::string& s) {
        std::vector<std::string> words;
        std::string cur;
        for (unsigned char c : s) {
            if (std::isalnum(c)) cur.push_back(static_cast<char>(std::tolower(c)));
            else if (!cur.empty()) words.push_back(std::exchange(cur, std::string()));
        }
        if (!cur.empty()) words.push_back(cur);
        if (!words.empty() && words.back() == "gpu") words.pop_back();
        return words;
    };
    auto is_leading = [&](const std::string& w) { return std::find(kLeading.begin(), kLeading.end(), w) != kLeading.end(); };
    const std::vector<std::string> words = words_of(key);
    size_t first = 0;
    while (first < words.size()) {
        std::string rest;
        for (size_t i = first; i < words.size(); ++i) rest += (rest.empty() ? "" : " ") + words[i];
        if (rest.empty()) break;
        if (const CatalogGpu* found = find_by_key(gpus(), rest)) return found;
        if (!is_leading(words[first])) break;
        ++first;
    }
    auto core_of = [&](const std::vector<std::string>& w) {
        std::string out;
        size_t i = 0;
        while (i < w.size() && is_leading(w[i])) ++i;
        for (; i < w.size(); ++i) out += w[i];
        return out;
    };
    const std::string wanted = core_of(words);
    if (wanted.empty()) return nullptr;
    for (const auto& g : gpus())
        if (core_of(words_of(g.name)) == wanted) return &g;
    return nullptr;
}

std::vector<const CatalogModel*> Catalog::search_models(const std::string& q, size_t limit, bool fine_tunes) const {
    return ranked(models(), q, limit, fine_tunes);
}
std::vector<const CatalogGpu*> Catalog::search_gpus(const std::string& q, size_t limit) const { return ranked(gpus(), q, limit, false); }

std::string CatalogModel::official_repo() const {
    for (const auto& c : checkpoints)
        if (c.official) return c.repo;
    if (entry.contains("hf_repo") && entry.at("hf_repo").is_string()) return entry.at("hf_repo").get<std::string>();
    return "";
}

bool CatalogModel::has_mlx_checkpoint() const {
    return std::any_of(checkpoints.begin(), checkpoints.end(), [](const CatalogCheckpoint& c) { return c.format.rfind("mlx-", 0) == 0; });
}

}  // namespace fitmygpu
