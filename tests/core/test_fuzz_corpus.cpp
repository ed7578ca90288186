// The fuzz targets' inputs replayed through the same checks (tests/fuzz/checks.hpp): every seed of the corpus
// (tests/fuzz/corpus/<target>/) and every input a fuzz run once failed on (tests/fuzz/regressions/<target>/), so a
// finding stays fixed without a fuzzing toolchain.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "../fuzz/checks.hpp"
#include "helpers.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_of(const std::string& target) {
    std::vector<fs::path> out;
    for (const char* folder : {"corpus", "regressions"}) {
        const fs::path dir = fs::path(FITMYGPU_SOURCE_DIR) / "tests" / "fuzz" / folder / target;
        if (!fs::is_directory(dir)) continue;
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.is_regular_file()) out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

void replay(const std::string& target, std::string (*run)(const std::string&)) {
    const auto files = inputs_of(target);
    CHECK(!files.empty());
    for (const auto& file : files) {
        INFO(file.string());
        CHECK(run(testing::read_text(file.string())) == "");
    }
}

}  // namespace

TEST_CASE("fuzz inputs of the request path are answered or refused with a field") { replay("request", fitmygpu::fuzz::run_request); }
TEST_CASE("fuzz inputs of the inline config path are answered or refused with a field") { replay("config", fitmygpu::fuzz::run_config); }
TEST_CASE("fuzz inputs of the log parser are read or refused with a field") { replay("log", fitmygpu::fuzz::run_log); }
TEST_CASE("fuzz inputs of the safetensors header reader are read, refused naming the file, or asked to grow") {
    replay("safetensors", fitmygpu::fuzz::run_safetensors);
}
TEST_CASE("fuzz inputs of the GGUF header reader are read, refused naming the file, or asked to grow") { replay("gguf", fitmygpu::fuzz::run_gguf); }
TEST_CASE("fuzz inputs of the pattern matcher are matched or refused") { replay("pattern", fitmygpu::fuzz::run_pattern); }
TEST_CASE("fuzz inputs of the launch-command reader are read or refused with a field") { replay("command", fitmygpu::fuzz::run_command); }
