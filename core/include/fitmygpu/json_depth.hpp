// Outside JSON is checked for depth before it is parsed: nlohmann's parser and destructor recurse once per level.
#pragma once
#include <cstddef>
#include <string_view>

namespace fitmygpu {

// The offset of the first '[' or '{' (outside strings) that opens a level deeper than `max_depth`, or
// std::string_view::npos when the text never nests that deep. Reads each byte once.
size_t json_nesting_overflow(std::string_view text, int max_depth);

}  // namespace fitmygpu
