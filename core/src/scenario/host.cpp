// System RAM of a setup: the request's "host", or a stated default for the kind of machine the devices go in.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "fitmygpu/expr.hpp"
#include "fitmygpu/request.hpp"
#include "fitmygpu/scenario.hpp"

namespace fitmygpu {

namespace {
std::string gbps_text(double gbps) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g GB/s", gbps);
    return buf;
}
}  // namespace

void setup_host(Scenario& s, const Request& r) {
    Host& h = s.host;
    const bool unified = !s.devices.empty() && s.devices.front().unified;
    if (unified) {
        // One pool: the device's memory is the system RAM, read at the device's bandwidth.
        const Device& d = s.devices.front();
        h.memory_bytes = d.memory_bytes;
        h.bandwidth_gbps = d.bandwidth_gbps;
        h.unified = true;
        s.assumptions.push_back("system RAM: " + d.name + "'s unified memory (" + format_size(h.memory_bytes) +
                                ") holds the GPU's share and every host buffer; both are checked against it together");
        if (r.host && (r.host->memory_bytes || r.host->bandwidth_gbps))
            s.warnings.push_back("host.memory_mib and host.bandwidth_gbps are ignored on a unified-memory device: its memory is the system RAM");
        return;
    }
    bool server = false;
    i64 gpu_memory = 0;
    for (const auto& d : s.devices) {
        server = server || d.device_class == "datacenter";
        gpu_memory += d.memory_bytes;
    }
    const i64 default_memory =
        server ? std::max(kServerHostMemoryMinBytes, static_cast<i64>(std::llround(kServerHostMemoryPerGpuMemory * static_cast<double>(gpu_memory))))
               : kDesktopHostMemoryBytes;
    const double default_bandwidth = server ? kServerHostBandwidthGbps : kDesktopHostBandwidthGbps;
    h.memory_bytes = r.host && r.host->memory_bytes ? *r.host->memory_bytes : default_memory;
    h.bandwidth_gbps = r.host && r.host->bandwidth_gbps ? *r.host->bandwidth_gbps : default_bandwidth;
    h.from_request = r.host.has_value();
    const bool default_mem = !(r.host && r.host->memory_bytes), default_bw = !(r.host && r.host->bandwidth_gbps);
    if (default_mem || default_bw) {
        const std::string machine =
            server ? "a GPU server (RAM twice the GPUs' memory, at least " + format_size(kServerHostMemoryMinBytes) + "; one socket of 8-channel DDR5-4800)"
                   : "a desktop (two 32 GB DIMMs of dual-channel DDR5-5600)";
        std::string what;
        if (default_mem) what += format_size(h.memory_bytes);
        if (default_bw) what += std::string(what.empty() ? "" : " at ") + gbps_text(h.bandwidth_gbps);
        s.assumptions.push_back("system RAM: " + what + ", " + machine + "; give host {memory_mib, bandwidth_gbps} for your machine");
    }
}

}  // namespace fitmygpu
