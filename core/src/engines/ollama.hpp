// Ollama: which architectures its own engine runs (runner/ollamarunner) and, for releases before 0.12.11, its own
// estimate of the layers to offload (llm/memory.go estimateGPULayers with fs/ggml GraphSize), which it passes to its
// runner as --n-gpu-layers and prints as the "offload to" line. Used by the llama.cpp estimate (llamacpp.cpp).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fitmygpu/engines.hpp"

namespace fitmygpu {

// The scenario runs on Ollama's own engine (its release and the model's architecture), not its llama.cpp runner.
bool ollama_own_engine(const Scenario& s);
// Sliding-window memory Ollama's own models ask their cache for beyond the window (0: the window).
i64 ollama_swa_memory(const ModelGeometry& g);
// Ollama's own GLM-4.7-Flash caches every head's K and V (before 0.15.0).
bool ollama_expanded_mla(const Scenario& s, bool own_engine);
// The recurrent-state checkpoints Ollama's engine reserves for `sequences` sequences (0 outside its engine).
i64 ollama_recurrent_checkpoints(const Scenario& s, i64 sequences);
// Expert-width f32 rows Ollama's own gpt-oss MLP copies out of its fused gate_up matmul while that output is still live
// (per selected expert and token; 0 for the releases and models whose MLP reads views).
i64 ollama_moe_gate_copies(const Scenario& s, bool own_engine);
// The vision graph Ollama's own engine reserves beside the text one for a tower in the blob, in bytes, with what it
// holds (0 for towers not modelled).
struct OllamaVisionGraph {
    i64 bytes = 0;
    std::string what;
};
OllamaVisionGraph ollama_engine_vision_graph(const ModelGeometry& g, bool fa);
// Ollama placing the layers itself when num_gpu is unset, from 0.12.11: the layout it measures (0.12.11-0.29) or
// llama-server's --fit (0.30 on). The estimate of that placement (`estimate` gives llama.cpp's buffers for a placement;
// `context_bytes` is the CUDA context no buffer reports), or nothing where Ollama does not place them here.
std::optional<Estimate> ollama_placed_layers(const Scenario& s, Estimate (*estimate)(const Scenario&), i64 context_bytes);
// Ollama decides the layers itself: num_gpu left at -1, a GPU, a release before 0.12.11.
bool ollama_estimates_layers(const Scenario& s);

struct OllamaPlan {
    int layers = 0;          // layers.offload (repeating layers + the output layer)
    std::vector<int> split;  // layers per GPU
    i64 kv = 0, graph_full = 0, graph_partial = 0, weights_repeating = 0, weights_output = 0;
    i64 projector_weights = 0, projector_graph = 0;
    i64 required_full = 0, required_partial = 0;
    std::string graph_rule;
};

// Ollama's decision for the scenario, with flash attention on or off as the runner will run it.
OllamaPlan ollama_plan(const Scenario& s, bool fa);
// The printed figures of the plan (engine_figures, named as the "offload to" line names them) and its assumption.
void add_ollama_figures(Estimate& e, const Scenario& s, const OllamaPlan& p);

}  // namespace fitmygpu
