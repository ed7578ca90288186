// Devices: memory as the driver reports it, what CUDA/the engine sees, bandwidth and throughput.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "fitmygpu/units.hpp"

namespace fitmygpu {

struct Device {
    std::string id;
    std::string name;
    std::string vendor;
    std::string device_class;         // consumer | workstation | datacenter | apple | integrated | custom
    i64 memory_bytes = 0;             // total the driver reports (nvidia-smi MiB × 2^20; unified: the RAM)
    std::string memory_status;        // reported | expected | unified | user
    i64 engine_total_bytes = 0;       // total the engine reads (cudaMemGetInfo); see engine_total_source
    std::string engine_total_source;  // "cuda" (recorded), "derived" (driver total − typical reserve), "same"
    i64 in_use_bytes = 0;             // held by other programs when the engine starts (request gpu_memory_in_use_mib)
    // What the engine finds free when it starts: what it reads as the total, less what other programs hold.
    i64 free_at_start() const { return engine_total_bytes - in_use_bytes; }
    bool unified = false;
    double gpu_share = 1.0;     // unified memory: share the GPU may use by default
    double bandwidth_gbps = 0;  // GB/s, decimal
    double tflops_fp16 = 0, tflops_bf16 = 0, tflops_fp8 = 0, tflops_fp4 = 0;
    std::vector<std::string> native_dtypes;
    int compute_capability_major = 0;  // NVIDIA SM major version (8 Ampere/Ada, 9 Hopper, 10/12 Blackwell); 0 if not NVIDIA
    int multiprocessors = 0;           // streaming multiprocessors (AMD: compute units) as CUDA/ROCm count them; 0 = not known
    // Links (catalog `link` and `host_link`; empty kind / 0 GB/s = not stated). link: GPU to its peers
    // (nvlink | pcie | infinity_fabric | xe_link | none), unidirectional GB/s per GPU; host_link: GPU to the
    // CPU's memory (pcie | nvlink_c2c | unified).
    std::string link_kind;
    std::string link_name;
    double link_gbps = 0;
    std::string host_link_kind;
    std::string host_link_name;
    double host_link_gbps = 0;

    bool supports(const std::string& dtype) const;
};

// The gap between nvidia-smi's total and cudaMemGetInfo's total on the cards where both were recorded
// (RTX 4090 24,564 vs 24,077 MiB; RTX 3090 24,576 vs 24,124; RTX 3060 12,288 vs 11,909; RTX 6000 Ada
// 49,140 vs 48,509; RTX 5060 Ti 16,311 vs 15,849 MiB): memory the driver keeps for itself. Used only when a
// device has no recorded CUDA total, and then said in the estimate's assumptions.
inline constexpr i64 kDriverReserveTypical = 470 * MiB;

Device device_from_catalog(const nlohmann::json& entry);

}  // namespace fitmygpu
