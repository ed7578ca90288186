// Speed of a setup: decode and prefill as a roofline over the bytes each step reads and the FLOPs a prompt
// needs, on the device that sets the pace.
#pragma once
#include "fitmygpu/estimate.hpp"

namespace fitmygpu {

// Decode tokens/s per request at the asked concurrency, prefill tokens/s and time to first token, for
// `n_parallel` devices each reading `weight_bytes_per_device` per step.
Speed roofline_speed(const Scenario& s, const CheckpointBytes& cb, i64 weight_bytes_per_device, i64 kv_bytes_per_token_device, int n_parallel);
// The assumption that names the model behind the figures, built from its constants.
std::string roofline_assumption();

}  // namespace fitmygpu
