// Engine versions as the engines print them: "0.11.0", "v0.4.6", "0.5.8.post1", "1.3.0rc7", "0.11.0+cu128",
// "0.10.1.1", "0.11.1rc2.dev5+g1234abc", or a llama.cpp build tag "b6123". Read into their parts and written
// back in one normal form, so that rules which changed between releases can compare them.
#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace fitmygpu {

struct EngineVersion {
    std::vector<long> release;  // 0.5.8 → {0, 5, 8}; a llama.cpp build tag b6123 → {6123}
    bool build_tag = false;     // written as "b<build>" (llama.cpp)
    std::string pre;            // "a" | "b" | "rc" (alpha, beta, release candidate), with pre_number
    long pre_number = 0;
    long post = -1;     // .postN; -1 = none
    long dev = -1;      // .devN; -1 = none
    std::string local;  // after "+": the build's local label (cu128, g1234abc), lower case, dot-separated

    // The normal form: "0.5.8.post1", "1.3.0rc7", "0.11.0+cu128", "b6123".
    std::string text() const;
    // Whether the release numbers come before `than` (missing numbers count as 0). Pre-releases, post-releases
    // and local labels of a release follow that release's rules: 0.21.0rc1 is not before {0, 21}.
    bool before(std::initializer_list<long> than) const;
};

// nullopt when `text` is not a version.
std::optional<EngineVersion> parse_engine_version(const std::string& text);

// Whether the engine version asked for (as a request gives it, already checked) comes before release `than`; false
// when none is given: the estimate then follows the current release.
bool engine_version_before(const std::string& version, std::initializer_list<long> than);

// The branch number of an NVIDIA driver version as nvidia-smi prints it ("535.247.01" -> 535): three digits, then up
// to two dot-separated numbers; 0 when `text` is not such a version.
int nvidia_driver_major(const std::string& text);

}  // namespace fitmygpu
