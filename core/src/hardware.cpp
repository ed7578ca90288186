#include "fitmygpu/hardware.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "fitmygpu/error.hpp"

namespace fitmygpu {

using nlohmann::json;

bool Device::supports(const std::string& dtype) const {
    if (native_dtypes.empty()) return true;  // unknown: do not warn
    return std::find(native_dtypes.begin(), native_dtypes.end(), dtype) != native_dtypes.end();
}

namespace {
double num_or(const json& j, const char* key, double fallback) {
    if (j.contains(key) && j.at(key).is_number()) return j.at(key).get<double>();
    return fallback;
}
}  // namespace

Device device_from_catalog(const json& e) {
    Device d;
    const std::string id = e.value("id", "");
    d.id = id;
    d.name = e.value("name", id);
    d.vendor = e.value("vendor", "");
    d.device_class = e.value("class", "");
    d.unified = e.value("unified_memory", false);
    d.memory_status = e.value("memory_mib_status", "reported");
    const double mib = num_or(e, "memory_mib", 0);
    if (!(mib > 0)) fail("invalid_catalog", "gpus." + id + ".memory_mib", "device " + id + " has no memory_mib");
    d.memory_bytes = static_cast<i64>(std::llround(mib)) * MiB;
    d.gpu_share = num_or(e, "gpu_share_default", 1.0);
    if (!(d.gpu_share > 0 && d.gpu_share <= 1)) d.gpu_share = 1.0;
    const double cuda_mib = num_or(e, "cuda_total_mib", 0);
    if (cuda_mib > 0) {
        d.engine_total_bytes = static_cast<i64>(std::llround(cuda_mib)) * MiB;
        d.engine_total_source = "cuda";
    } else if (d.unified) {
        // Metal's recommendedMaxWorkingSetSize (or the GTT share on Strix Halo): what the GPU may use.
        d.engine_total_bytes = static_cast<i64>(std::floor(static_cast<double>(d.memory_bytes) * d.gpu_share));
        d.engine_total_source = "gpu share";
    } else if (d.vendor != "NVIDIA") {
        d.engine_total_bytes = d.memory_bytes;
        d.engine_total_source = "same";
    } else {
        d.engine_total_bytes = d.memory_bytes - kDriverReserveTypical;
        d.engine_total_source = "derived";
    }
    d.bandwidth_gbps = num_or(e, "bandwidth_gbps", 0);
    const double sms = num_or(e, "multiprocessors", 0);
    d.multiprocessors = sms >= 1 && sms <= 4096 ? static_cast<int>(sms) : 0;
    if (e.contains("tflops") && e.at("tflops").is_object()) {
        const json& t = e.at("tflops");
        d.tflops_fp16 = num_or(t, "fp16", 0);
        d.tflops_bf16 = num_or(t, "bf16", 0);
        d.tflops_fp8 = num_or(t, "fp8", 0);
        d.tflops_fp4 = num_or(t, "fp4", 0);
    }
    if (d.vendor == "NVIDIA" && e.contains("compute_capability") && e.at("compute_capability").is_string()) {
        const std::string cc = e.at("compute_capability").get<std::string>();
        if (!cc.empty() && std::isdigit(static_cast<unsigned char>(cc[0]))) d.compute_capability_major = std::stoi(cc);
    }
    // Optional link facts: absent or null figures stay unknown (0), and speed falls back to a stated assumption.
    auto link = [&](const char* key, std::string& kind, std::string& name, double& gbps) {
        if (!e.contains(key) || !e.at(key).is_object()) return;
        const json& l = e.at(key);
        if (l.contains("kind") && l.at("kind").is_string()) kind = l.at("kind").get<std::string>();
        if (l.contains("name") && l.at("name").is_string()) name = l.at("name").get<std::string>();
        gbps = std::max(0.0, num_or(l, "gbps", 0));
    };
    link("link", d.link_kind, d.link_name, d.link_gbps);
    link("host_link", d.host_link_kind, d.host_link_name, d.host_link_gbps);
    if (e.contains("native_dtypes") && e.at("native_dtypes").is_array())
        for (const auto& v : e.at("native_dtypes"))
            if (v.is_string()) d.native_dtypes.push_back(v.get<std::string>());
    return d;
}

}  // namespace fitmygpu
