// The native side of scripts/bench-estimate: runs one API call (method, request text) `runs` times in one process,
// after a first call that parses the catalog and caches the model, and prints the median milliseconds per call.
//
//   estimate-loop METHOD RUNS < request.json
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "fitmygpu/api.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: estimate-loop METHOD RUNS < request.json\n");
        return 2;
    }
    const std::string method = argv[1];
    const int runs = std::max(1, std::atoi(argv[2]));
    const std::string request{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    std::size_t size = fitmygpu::api::call(method, request).size();
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto t = std::chrono::steady_clock::now();
        size += fitmygpu::api::call(method, request).size();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
    }
    std::sort(ms.begin(), ms.end());
    const double median = runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
    std::printf("%.4f %zu\n", median, size);
    return 0;
}
