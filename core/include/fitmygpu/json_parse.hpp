// The core's one JSON reader. json::parse compiles two parsers into the program, the plain one and the one that
// takes a callback (it picks at run time); the core reads every text through nlohmann's SAX parser with a handler of
// its own instead, which builds the same values, throws the same json::parse_error and json::out_of_range, and can
// leave top-level members unread. The wasm module then carries one parser.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace fitmygpu {

// The value `text` holds, read as json::parse reads it (the whole text, nothing after the value but white space).
nlohmann::json parse_json(std::string_view text);

// A top-level member left unread: its name, and whether its value is an object.
struct SkippedMember {
    std::string key;
    bool object = false;
};

// Like parse_json, but the members of the top-level object whose names `skip` accepts are checked to be valid JSON
// and left out unbuilt; `skipped`, when given, receives each of them in the order they were met.
nlohmann::json parse_json_without(std::string_view text, const std::function<bool(const std::string&)>& skip, std::vector<SkippedMember>* skipped = nullptr);

}  // namespace fitmygpu
