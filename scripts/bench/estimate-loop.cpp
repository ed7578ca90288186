// The native side of scripts/bench-estimate: runs one API call (method, request text) `runs` times in one process,
// after a first call that parses the catalog and caches the model and `warm` untimed calls, and prints the median
// and the least milliseconds per call, the bytes answered in all and the first call's milliseconds.
//
//   estimate-loop METHOD RUNS [WARM] < request.json
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "fitmygpu/api.hpp"

int main(int argc, char** argv) {
    if (argc != 3 && argc != 4) {
        std::fprintf(stderr, "usage: estimate-loop METHOD RUNS [WARM] < request.json\n");
        return 2;
    }
    const std::string method = argv[1];
    const int runs = std::max(1, std::atoi(argv[2]));
    const std::string request{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    const int warm = argc == 4 ? std::max(0, std::atoi(argv[3])) : 0;
    const auto start = std::chrono::steady_clock::now();
    std::size_t size = fitmygpu::api::call(method, request).size();
    const double first = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    for (int i = 0; i < warm; ++i) size += fitmygpu::api::call(method, request).size();
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto t = std::chrono::steady_clock::now();
        size += fitmygpu::api::call(method, request).size();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
    }
    std::sort(ms.begin(), ms.end());
    const double median = runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
    std::printf("%.4f %.4f %zu %.4f\n", median, ms.front(), size, first);
    return 0;
}
