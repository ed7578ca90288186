// libFuzzer target: the pattern matcher (checks.hpp run_pattern). Built by -DFITMYGPU_FUZZ=ON, run by scripts/fuzz.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string problem = fitmygpu::fuzz::run_pattern(std::string(reinterpret_cast<const char*>(data), size));
    if (!problem.empty()) {
        std::fprintf(stderr, "fuzz_pattern: %s\n", problem.c_str());
        std::abort();
    }
    return 0;
}
