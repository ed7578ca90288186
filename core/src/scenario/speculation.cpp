// Speculative decoding in a scenario: the model's own multi-token-prediction layers, or a draft model from
// the catalog. Either brings weights and KV layers of its own.
#include "fitmygpu/catalog.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/scenario.hpp"

namespace fitmygpu {

namespace {

// The config field that gave the MTP layer count, for errors.
std::string mtp_field(const Scenario& s) { return (s.model ? "catalog." + s.model_id + ".config" : std::string("config")) + ".num_nextn_predict_layers"; }

}  // namespace

void setup_speculation(Scenario& s, const Catalog& catalog) {
    if (s.engine.speculative_model.empty()) return;
    Speculation& sp = s.spec;
    sp.num_tokens = s.engine.num_speculative_tokens > 0 ? s.engine.num_speculative_tokens : 1;
    if (normalize_key(s.engine.speculative_model) == "mtp") {
        if (s.geometry.n_mtp_layers <= 0)
            fail("invalid_field", "engine.speculative_model", "this model ships no multi-token-prediction layers; name a draft model instead");
        if (s.geometry.n_mtp_layers > config_bounds::kMtpLayers)
            fail("invalid_field", mtp_field(s), mtp_field(s) + " must be at most " + std::to_string(config_bounds::kMtpLayers) + " MTP layers");
        sp.method = "mtp";
        i64 mtp = s.model ? s.model->published_mtp : 0;
        if (mtp == 0)
            for (const Tensor& t : build_inventory(s.geometry, true).tensors)
                if (t.role == Role::Mtp) mtp = t.elements();
        sp.mtp_params = mtp;
        // Each MTP module is one more decoder layer with its own cache, shaped like the model's last
        // full-attention (or MLA) layer.
        const auto layers = cache_layers(s.geometry);
        for (auto it = layers.rbegin(); it != layers.rend(); ++it)
            if (it->mixer == Mixer::FullAttention || it->mixer == Mixer::Mla) {
                for (int m = 0; m < s.geometry.n_mtp_layers; ++m) {
                    CacheLayer c = *it;
                    c.layer = static_cast<int>(s.geometry.n_layers) + m;
                    c.owns_kv = true;
                    sp.cache.push_back(c);
                }
                break;
            }
        s.assumptions.push_back("speculative decoding with the model's " + std::to_string(s.geometry.n_mtp_layers) + " MTP layer(s) (" + group_digits(mtp) +
                                " parameters), " + std::to_string(sp.num_tokens) + " speculative tokens");
        return;
    }
    const CatalogModel* d = catalog.find_model(s.engine.speculative_model);
    if (!d) fail("unknown_model", "engine.speculative_model", "no draft model \"" + s.engine.speculative_model + "\" in the catalog");
    sp.method = "draft";
    sp.draft_id = d->id;
    sp.draft_name = d->name;
    sp.draft_geometry = d->geometry();
    if (sp.draft_geometry.vocab != s.geometry.vocab)
        s.warnings.push_back("the draft model's vocabulary (" + group_digits(sp.draft_geometry.vocab) + ") differs from the target's (" +
                             group_digits(s.geometry.vocab) + "); engines require the same tokenizer");
    sp.draft_inventory = d->inventory();
    for (CacheLayer c : cache_layers(sp.draft_geometry)) {
        c.layer += static_cast<int>(s.geometry.n_layers);
        sp.cache.push_back(c);
    }
    s.assumptions.push_back("speculative decoding with " + d->name + " as the draft (same weight format), " + std::to_string(sp.num_tokens) +
                            " speculative tokens");
}

}  // namespace fitmygpu
