// Speed of a setup: decode per token from where the bytes live (each GPU at its bandwidth, the host at its
// own), the stages of a layer split or pipeline in sequence, tensor-parallel shards in parallel plus their
// all-reduces, batched serving up to what the KV pool holds, and prefill compute-bound at a share of the
// devices' dense throughput with a memory-bound floor.
#pragma once
#include "fitmygpu/estimate.hpp"

namespace fitmygpu {

// The speed figures of an estimate (engine placement in `e`), with the assumptions behind them appended to
// `assumptions`; a figure that cannot be estimated is 0 and its reason is among the assumptions.
Speed estimate_speed(const Scenario& s, const Estimate& e, std::vector<std::string>& assumptions);

// Named constants of the model (their sources are next to their definitions in speed/roofline.cpp).
inline constexpr double kGpuBandwidthEfficiency = 0.85;
inline constexpr double kCpuBandwidthEfficiency = 0.6;
inline constexpr double kPcieFallbackGbps = 31.5;

}  // namespace fitmygpu
