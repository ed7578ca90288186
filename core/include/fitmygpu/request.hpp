// Stage 1 of the pipeline: a request as the user gave it, with every field's type and range checked and
// nothing filled in. The API layer builds it from JSON (api/request_json.cpp); build_scenario (scenario.hpp)
// turns it into a Scenario by applying the registry's defaults.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fitmygpu/hardware.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/scenario.hpp"

namespace fitmygpu {

// Request-wide bounds: checked before any work is done.
inline constexpr i64 kMaxContext = config_bounds::kPositions;  // 16,777,216 tokens, also the bound on a config's positions
inline constexpr i64 kMaxConcurrency = 1 << 16;
inline constexpr int kMaxGpus = 1024;
inline constexpr i64 kMaxImages = 4096;
// A custom device ("device"): memory up to 16 TiB, bandwidth up to 10^6 GB/s.
inline constexpr i64 kMaxDeviceMemoryMib = i64{16} << 20;
inline constexpr double kMaxDeviceBandwidthGbps = 1e6;
// System RAM ("host"): up to 64 TiB (beyond the largest multi-socket servers, ~32 TB), bandwidth up to 10^4
// GB/s (a 12-channel DDR5-6400 socket is 614 GB/s; unified-memory machines use their device's figure).
inline constexpr i64 kMaxHostMemoryMib = i64{64} << 20;
inline constexpr double kMaxHostBandwidthGbps = 1e4;

// How byte amounts are written inside formulas, notes and messages. Values in bytes are the same either way.
enum class Units { Binary, Decimal };

struct GpuRequest {
    std::string gpu;    // catalog id or alias
    std::string field;  // where it came from, for errors ("gpu", "gpus[1].gpu")
    i64 count = 1;
};

// "host": system RAM and its bandwidth, each optional (the scenario states the defaults it fills in).
struct HostRequest {
    std::optional<i64> memory_bytes;
    std::optional<double> bandwidth_gbps;
    // "gpu_wired_limit_mib": on a unified-memory device (an Apple chip), the memory the GPU may wire, as macOS's
    // `sysctl iogpu.wired_limit_mb` sets it; absent: macOS's own default (the catalog's share of the memory).
    std::optional<i64> gpu_wired_limit_bytes;
};

// "network": the link between machines of a multi-node setup.
struct NetworkRequest {
    std::optional<double> gbps;        // GB/s each GPU sends to other machines
    std::optional<double> latency_us;  // one small all-reduce across machines
};

// A setting of the request's "engine" object, as given and as understood.
struct EngineField {
    std::string key;   // as written: "ngl", "max-model-len", "gpu_memory_utilization"
    std::string knob;  // the knob it set ("" when it set a request field, or nothing)
    KnobValue value;   // the knob's value as understood
};

// A setting read and set aside, with the reason (the estimate's "ignored" list).
struct IgnoredSetting {
    std::string flag;
    std::string reason;
};

struct Request {
    // One of the two: a catalog model, or a config.json read into a geometry.
    std::string model;                            // catalog id or alias
    std::optional<ModelGeometry> config;          // a config.json given inline, read at the API edge
    std::optional<CheckpointSummary> checkpoint;  // "checkpoint": tensor bytes read from the files' headers (inspect)
    std::optional<std::string> weights;
    std::optional<std::string> runtime;
    std::vector<GpuRequest> gpus;  // from "gpu" (+ "gpu_count") or "gpus"
    std::optional<Device> device;  // "device": a custom one
    i64 device_count = 1;          // "gpu_count" with "device"
    bool cpu_only = false;         // "gpu_count": 0 with no GPU named: the model runs on the CPU
    std::optional<HostRequest> host;
    // "gpu_memory_in_use_mib": memory other programs hold on each GPU before the engine starts (a desktop's display,
    // another server): one figure for every GPU, or one per GPU in order. Empty: none.
    std::vector<i64> gpu_memory_in_use_bytes;
    std::optional<i64> nodes;  // machines the GPUs are spread over, evenly
    std::optional<NetworkRequest> network;
    std::optional<i64> context;
    std::optional<i64> concurrency;
    std::optional<std::string> kv_cache_dtype;
    std::optional<i64> images;
    EngineKnobs engine;                      // knobs the request set; the rest keep the engines' defaults
    std::vector<std::string> engine_set;     // names of the knobs the request set
    std::vector<EngineField> engine_fields;  // every key of "engine", in order
    std::vector<IgnoredSetting> ignored;     // engine settings accepted that do not change the estimate
    Units units = Units::Binary;
};

}  // namespace fitmygpu
