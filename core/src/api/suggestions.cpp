// "What to change": for a setup that does not fit (or fits tightly), the changes that make it fit — each one
// a set of request fields, kept only when the forward estimate of the changed request fits.
#include "suggestions.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "../engines/engine_parts.hpp"
#include "fitmygpu/catalog.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/solvers.hpp"
#include "request_json.hpp"

namespace fitmygpu::api {

using nlohmann::json;

namespace {

// The request with `change` laid over it (engine knobs merged one by one).
json changed(const json& request, const json& change) {
    json out = request;
    for (auto it = change.begin(); it != change.end(); ++it) {
        if (it.key() == "engine" && out.contains("engine") && out.at("engine").is_object())
            for (auto k = it.value().begin(); k != it.value().end(); ++k) out["engine"][k.key()] = k.value();
        else out[it.key()] = it.value();
    }
    return out;
}

struct Probe {
    bool fits = false;
    std::string verdict;
    double decode_tokens_per_s = 0;
};

// The forward estimate of a changed request: memory only, or with speed when asked.
std::optional<Probe> probe(const json& request, bool with_speed = false) {
    try {
        NumbersOnly quiet;
        const Scenario s = build_scenario(parse_request(request), Catalog::builtin());
        Probe p;
        if (with_speed) {
            const Estimate e = estimate_without_limits(s);
            p.fits = e.fits;
            p.verdict = e.verdict;
            if (e.speed) p.decode_tokens_per_s = e.speed->decode_tokens_per_s;
        } else {
            const Estimate e = estimate_engine(s);
            p.fits = e.fits;
            p.verdict = e.verdict;
        }
        return p;
    } catch (const FieldError&) {
        return std::nullopt;  // a change the request layer refuses is no suggestion
    }
}

std::string tokens_per_s(double v) { return v >= 100 ? std::to_string(static_cast<long long>(std::lround(v))) : json(std::round(v * 10) / 10).dump(); }

class Suggester {
public:
    Suggester(const json& request, const Scenario& s, const Estimate& e) : request_(request), s_(s), e_(e) {}

    json run() {
        starting_budget();
        checkpoint();
        kv_type();
        context();
        concurrency();
        cards();
        offload();
        runtime();
        return out_;
    }

private:
    const json& request_;
    const Scenario& s_;
    const Estimate& e_;
    json out_ = json::array();

    // Keeps the change when the changed request fits.
    bool add(const json& change, const std::string& why, bool with_speed = false, Probe* seen = nullptr) {
        const auto p = probe(changed(request_, change), with_speed);
        if (!p || !p->fits) return false;
        out_.push_back({{"change", change}, {"verdict", p->verdict}, {"why", why}});
        if (seen) *seen = *p;
        return true;
    }

    const RuntimeDescriptor& rt() const { return runtime_descriptor(s_.runtime); }
    bool gguf() const { return rt().loads_family(FormatFamily::Gguf); }

    // vLLM refusing to start beside memory other programs hold: the largest gpu_memory_utilization it starts with.
    void starting_budget() {
        if (s_.runtime != Runtime::Vllm || s_.devices.empty()) return;
        const double most = engine_parts::vllm_largest_starting_utilization(s_.devices, static_cast<int>(s_.devices.size()));
        if (most >= s_.engine.gpu_memory_utilization || most <= 0) return;
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.2f", most);
        add({{"engine", {{"gpu_memory_utilization", most}}}},
            std::string("gpu_memory_utilization ") + buf + ": the most vLLM starts with beside the memory other programs hold");
    }

    void checkpoint() {
        if (request_.contains("config")) return;  // a custom model has no published checkpoints to choose from
        const CheckpointSweep sweep = sweep_checkpoints(s_);
        if (sweep.best.empty() || normalize_key(sweep.best) == normalize_key(s_.weights.id)) return;
        add({{"weights", sweep.best}}, "the most precise published checkpoint that fits: " + format_display_name(sweep.best));
    }

    void kv_type() {
        std::string smaller;
        if (gguf()) smaller = "q8_0";
        else if (std::any_of(rt().kv_cache_types.begin(), rt().kv_cache_types.end(), [](const KvTypeOption& k) { return k.id == "fp8"; })) smaller = "fp8";
        if (smaller.empty() || normalize_key(s_.kv.id) == normalize_key(smaller) || s_.kv.bytes(256) <= 256) return;  // already 8 bits or fewer
        add({{"kv_cache_dtype", smaller}}, "a " + smaller + " KV cache holds twice the tokens of a 16-bit one in the same memory");
    }

    void context() {
        const i64 max = e_.limits.max_context;
        if (max <= 0 || max >= s_.context) return;
        add({{"context", max}}, "the largest context that fits at " + std::to_string(s_.concurrency) + (s_.concurrency == 1 ? " request" : " requests"));
    }

    void concurrency() {
        const i64 max = e_.limits.max_concurrency;
        if (max <= 0 || max >= s_.concurrency) return;
        add({{"concurrency", max}}, "the most requests at once that fit at this context");
    }

    void cards() {
        if (request_.contains("gpus") || s_.devices.empty()) return;
        Scenario probe_s = s_;
        const auto n = fewest_cards(probe_s, s_.devices.front());
        if (!n || *n <= static_cast<int>(s_.devices.size())) return;
        json change = {{"gpu_count", *n}};
        const bool pinned_tp = request_.contains("engine") && request_.at("engine").is_object() && request_.at("engine").contains("tensor_parallel_size");
        if (pinned_tp) change["engine"] = {{"tensor_parallel_size", *n}};
        add(change, "the fewest " + s_.devices.front().name + " cards that fit: " + std::to_string(*n));
    }

    // llama.cpp and Ollama: experts or whole layers kept in host memory, with the speed that costs.
    void offload() {
        if (!gguf() || s_.devices.empty() || s_.devices.front().unified) return;
        const i64 layers = s_.geometry.n_layers;
        if (layers <= 0) return;
        const double before = e_.speed ? e_.speed->decode_tokens_per_s : 0;
        Scenario p = s_;  // changed in place by the searches below; only the final change goes through the request
        auto fits_with = [&](const char* knob, i64 v) {
            NumbersOnly quiet;
            if (std::string(knob) == "n_cpu_moe") p.engine.n_cpu_moe = static_cast<int>(v);
            else p.engine.n_gpu_layers = static_cast<int>(v);
            try {
                const bool fits = estimate_engine(p).fits;
                p.engine.n_cpu_moe = s_.engine.n_cpu_moe;
                p.engine.n_gpu_layers = s_.engine.n_gpu_layers;
                return fits;
            } catch (const FieldError&) {
                p.engine.n_cpu_moe = s_.engine.n_cpu_moe;
                p.engine.n_gpu_layers = s_.engine.n_gpu_layers;
                return false;
            }
        };
        auto suggest = [&](const char* knob, i64 v, const std::string& what) {
            Probe p;
            if (!add({{"engine", {{knob, v}}}}, what, true, &p)) return;
            std::string why = what;
            if (p.decode_tokens_per_s > 0 && before > 0)
                why += "; decode about " + tokens_per_s(p.decode_tokens_per_s) + " tokens/s instead of " + tokens_per_s(before);
            out_.back()["why"] = why;
        };
        if (s_.geometry.is_moe() && s_.engine.n_cpu_moe < layers && fits_with("n_cpu_moe", layers)) {
            // the fewest layers whose experts move to the CPU
            i64 lo = std::max<i64>(1, s_.engine.n_cpu_moe + 1), hi = layers;
            while (lo < hi) {
                const i64 mid = lo + (hi - lo) / 2;
                if (fits_with("n_cpu_moe", mid)) hi = mid;
                else lo = mid + 1;
            }
            suggest("n_cpu_moe", lo, "keep the experts of the first " + std::to_string(lo) + " layers in system RAM (n_cpu_moe " + std::to_string(lo) + ")");
            return;
        }
        const i64 on_gpu = s_.engine.n_gpu_layers < 0 ? layers : std::min<i64>(s_.engine.n_gpu_layers, layers);
        if (on_gpu <= 0 || !fits_with("n_gpu_layers", 0)) return;
        i64 lo = 0, hi = on_gpu - 1;  // the most layers on the GPU that fit
        while (lo < hi) {
            const i64 mid = lo + (hi - lo + 1) / 2;
            if (fits_with("n_gpu_layers", mid)) lo = mid;
            else hi = mid - 1;
        }
        suggest("n_gpu_layers", lo,
                "run " + std::to_string(lo) + " of " + std::to_string(layers) + " layers on the GPU and the rest on the CPU (n_gpu_layers " +
                    std::to_string(lo) + ")");
    }

    // A server engine that does not fit: llama.cpp with the most precise GGUF that does, where it runs.
    void runtime() {
        if (gguf() || request_.contains("config")) return;
        const RuntimeDescriptor& llama = runtime_descriptor(Runtime::LlamaCpp);
        if (!std::all_of(s_.devices.begin(), s_.devices.end(), [&](const Device& d) { return runs_on(llama, d); })) return;
        json base = request_;
        base["runtime"] = llama.id;
        for (const char* k : {"weights", "engine", "kv_cache_dtype"}) base.erase(k);
        try {
            NumbersOnly quiet;
            const CheckpointSweep sweep = sweep_checkpoints(build_scenario(parse_request(base), Catalog::builtin()));
            if (sweep.best.empty()) return;
            json change = {{"runtime", llama.id}, {"weights", sweep.best}};
            if (request_.contains("kv_cache_dtype")) change["kv_cache_dtype"] = "auto";
            const auto p = probe(changed(request_, change));  // the server's knobs stay, unread by llama.cpp
            if (!p || !p->fits) return;
            out_.push_back({{"change", change},
                            {"verdict", p->verdict},
                            {"why", "llama.cpp with " + format_display_name(sweep.best) + ", the most precise GGUF that fits"}});
        } catch (const FieldError&) {
        }
    }
};

}  // namespace

json suggestions(const json& request, const Scenario& s, const Estimate& e) {
    if (e.verdict == "fits") return json::array();
    return Suggester(request, s, e).run();
}

}  // namespace fitmygpu::api
