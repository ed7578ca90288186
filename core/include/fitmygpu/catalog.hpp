// The compiled-in catalog: models (config.json + metadata + checkpoints) and devices.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fitmygpu/geometry.hpp"
#include "fitmygpu/hardware.hpp"
#include "fitmygpu/tensors.hpp"

namespace fitmygpu {

// A published checkpoint of a catalog model.
struct CatalogCheckpoint {
    std::string format;  // format id as written in the catalog ("bf16", "gguf:Q4_K_M", ...)
    std::string repo;    // Hugging Face repo
    bool official = false;
    // The checkpoint people download for runtimes of its family (catalog "default": true), e.g. the MXFP4
    // GGUF of gpt-oss rather than a stock Q4_K_M: the runtime's default when the request names no weights.
    bool preferred = false;
    // The runtime that pulls this checkpoint when the request names no weights (catalog "runtime"), e.g. "ollama" for
    // the file its library serves under the model's name; "" for any.
    std::string runtime;
    // How the release quantizes the model, as its config.json's quantization_config states it (catalog
    // "quantization_config"): which modules stay 16-bit. Absent: the format's usual layout.
    std::optional<QuantizationSpec> quantization;
};

struct CatalogModel {
    std::string id;
    std::string name;
    std::vector<CatalogCheckpoint> checkpoints;
    // Published parameter counts of the parts beside the text decoder (vision and audio encoders, MTP
    // layers): 0 when the catalog gives none.
    i64 published_vision = 0;
    i64 published_audio = 0;
    i64 published_mtp = 0;
    // The catalog record without its config, for the API's listings and searches. The configs are over half of the
    // catalog's text and only a model being estimated needs its own: config() reads it from the record's text then.
    nlohmann::json entry;
    const nlohmann::json& config() const;
    // The whole record: entry with its config.
    nlohmann::json record() const;
    // The config read into a geometry; FieldError naming "catalog.<id>.config.<field>" on bad data. Read once: a
    // record does not change after the catalog is loaded, and a plan or a comparison asks for it many times.
    const ModelGeometry& geometry() const;
    // The geometry's tensors (build_inventory), likewise worked out once.
    const Inventory& inventory() const;
    // The official checkpoint's repository, else the record's hf_repo; "" when the catalog names neither.
    std::string official_repo() const;
    // Whether an MLX conversion is among the checkpoints (the default runtime on a Mac depends on it).
    bool has_mlx_checkpoint() const;

private:
    friend class Catalog;
    std::shared_ptr<const std::string> text_;  // the record as written in the catalog
    mutable std::shared_ptr<const nlohmann::json> config_;
    mutable std::shared_ptr<const ModelGeometry> geometry_;
    mutable std::shared_ptr<const Inventory> inventory_;
};

struct CatalogGpu {
    std::string id;
    std::string name;
    std::string vendor;
    std::string device_class;
    Device device;         // the record as the estimator reads it
    nlohmann::json entry;  // the whole catalog record, for the API's listings
};

class Catalog {
public:
    // The catalog compiled into this binary. Its parts are read on first use: the devices all at once, the models all at
    // once when the list or a search needs them, and a model asked for by its id (its file's name) on its own before
    // that, so that a first estimate reads one model file rather than every one.
    static const Catalog& builtin();
    // A catalog from JSON texts (tests). Throws FieldError naming the file and field on bad data.
    static Catalog from_texts(const std::vector<std::pair<std::string, std::string>>& model_files,
                              const std::vector<std::pair<std::string, std::string>>& gpu_files);

    const std::vector<CatalogModel>& models() const;
    const std::vector<CatalogGpu>& gpus() const;

    // Exact lookup by id or alias (normalised: case, spaces, dashes, dots and underscores ignored).
    const CatalogModel* find_model(const std::string& key) const;
    const CatalogGpu* find_gpu(const std::string& key) const;
    // Ranked fuzzy search: every query word must appear in the id, name, an alias or a repository the model's checkpoints
    // are published under; with `fine_tunes`, also the fine-tunes the catalog maps to it (people searching for a
    // fine-tune find its base; a launch command naming one is not the base model itself).
    std::vector<const CatalogModel*> search_models(const std::string& query, size_t limit = 20, bool fine_tunes = true) const;
    std::vector<const CatalogGpu*> search_gpus(const std::string& query, size_t limit = 20) const;

    struct Pending;  // the builtin catalog's files not read yet

private:
    static CatalogModel read_model(const std::string& name, const std::string& text);  // one model file, checked
    mutable std::vector<CatalogModel> models_;
    mutable std::vector<CatalogGpu> gpus_;
    std::shared_ptr<Pending> pending_;  // null: everything read (from_texts)
};

// "Llama-3.1 8B" -> "llama318b": the key used for exact lookups.
std::string normalize_key(const std::string& s);

}  // namespace fitmygpu
