// Sorting through indices. Every ordering in the core goes through one compiled stable sort of indices instead of a
// std::sort or std::stable_sort instantiated per element type and comparison: the wasm module carries one sort, not
// one for each (each instantiation that moves whole records is several kilobytes of code).
#pragma once

#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

namespace fitmygpu {

// The indices 0..count-1 in the order `before(a, b)` sorts them; items neither before the other keep their order.
std::vector<size_t> stable_order(size_t count, const std::function<bool(size_t, size_t)>& before);

// `items` rearranged into `order` (a permutation of its indices, as stable_order gives).
template <class T>
void reorder(std::vector<T>& items, const std::vector<size_t>& order) {
    std::vector<T> out;
    out.reserve(items.size());
    for (const size_t i : order) out.push_back(std::move(items[i]));
    items = std::move(out);
}

}  // namespace fitmygpu
