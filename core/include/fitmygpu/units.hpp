// Byte units. Everything inside the estimator is an integer number of bytes; these constants exist so
// that formulas read as what they are ("2 * GiB") and so display code can say which unit it shows.
#pragma once
#include <cstdint>

namespace fitmygpu {

using i64 = std::int64_t;

inline constexpr i64 KiB = 1024;
inline constexpr i64 MiB = 1024 * KiB;
inline constexpr i64 GiB = 1024 * MiB;
inline constexpr i64 KB = 1000;
inline constexpr i64 MB = 1000 * KB;
inline constexpr i64 GB = 1000 * MB;

// For b > 0; written so that a near the 64-bit limit cannot overflow.
inline constexpr i64 ceil_div(i64 a, i64 b) { return a > 0 ? (a - 1) / b + 1 : (a + b - 1) / b; }
inline constexpr i64 round_up(i64 a, i64 multiple) { return ceil_div(a, multiple) * multiple; }

}  // namespace fitmygpu
