// What to change when a setup does not fit: suggestions built from the solvers, each verified by the forward
// estimate of the changed request.
#pragma once
#include <nlohmann/json.hpp>

#include "fitmygpu/estimate.hpp"
#include "fitmygpu/scenario.hpp"

namespace fitmygpu::api {

// [{"change": {request fields}, "verdict", "why"}] for a setup whose verdict is not "fits": the most precise
// published checkpoint that fits, a smaller KV cache type, the largest context and concurrency, the fewest
// cards, llama.cpp's expert or layer offload (with the decode speed it costs), and llama.cpp for a server
// engine. Empty for a setup that fits.
nlohmann::json suggestions(const nlohmann::json& request, const Scenario& s, const Estimate& e);

}  // namespace fitmygpu::api
