// The API methods: each reads its JSON request, runs the pipeline (request → scenario → estimate → solvers)
// and writes its JSON response with byte amounts in texts rendered in the request's units.
#include "fitmygpu/api.hpp"

#include <cmath>
#include <initializer_list>
#include <map>

#include "fitmygpu/expr.hpp"
#include "fitmygpu/json_depth.hpp"
#include "fitmygpu/json_parse.hpp"

#include "fitmygpu/error.hpp"
#include "fitmygpu/registry.hpp"
#include "fitmygpu/solvers.hpp"
#include "request_json.hpp"
#include "suggestions.hpp"

namespace fitmygpu::api {

using nlohmann::json;

json error_json(const std::string& code, const std::string& field, const std::string& message) {
    return {{"error", {{"code", code}, {"field", field}, {"message", render_sizes(message, false)}}}};
}

bool wants_decimal(const json& request) { return parse_units(request) == Units::Decimal; }

Scenario parse(const json& request, const Catalog& catalog) { return build_scenario(parse_request(request), catalog); }

namespace {
// Outside text is bounded before it is parsed: its size, and how deeply arrays and objects nest (the parser
// and the destructor recurse once per level). A config.json nests 3 or 4 levels.
constexpr size_t kMaxRequestBytes = size_t{16} << 20;
constexpr int kMaxNesting = 64;

void check_nesting(const std::string& text) {
    if (json_nesting_overflow(text, kMaxNesting) != std::string_view::npos)
        fail("invalid_json", "", "the request nests arrays and objects more than " + std::to_string(kMaxNesting) + " levels deep");
}
}  // namespace

json parse_text(const std::string& text) { return parse_text(text, kMaxRequestBytes); }

json parse_text(const std::string& text, size_t max_bytes) {
    if (text.size() > max_bytes)
        fail("invalid_json", "",
             "the request is " + group_digits(static_cast<i64>(text.size())) + " bytes; at most " + group_digits(static_cast<i64>(max_bytes)) + " are read");
    check_nesting(text);
    try {
        return text.empty() ? json::object() : parse_json(text);
    } catch (const json::exception& e) {
        // parse errors, and numbers a double cannot hold (1e309)
        fail("invalid_json", "", std::string("the request is not valid JSON: ") + e.what());
    }
}

namespace {
// Text from requests can carry invalid UTF-8; replace it rather than fail while answering.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

using Method = json (*)(const json&);
// The registry's and the catalog's listings: answers that live as long as the binary, each written out once. A listing
// that gives nullptr leaves the request to the method (the catalog's listings of a few ids).
using Listing = const json* (*)(const json&);
struct MethodEntry {
    const char* name;
    Method run;
    size_t max_bytes = kMaxRequestBytes;
    Listing listing = nullptr;
};
// inspect carries file headers: a 100 MB header is 133 MB of base64.
constexpr size_t kMaxInspectBytes = size_t{144} << 20;
const MethodEntry kCoreMethods[] = {
    {"estimate", estimate},
    {"compare", compare},
    {"quantizations", quantizations},
    {"defaults", defaults},
    {"schema", nullptr, kMaxRequestBytes, [](const json&) -> const json* { return &schema(); }},
    {"models", list_some_models, kMaxRequestBytes,
     [](const json& request) -> const json* { return request.contains("ids") ? nullptr : &list_models(request); }},
    {"gpus", list_some_gpus, kMaxRequestBytes, [](const json& request) -> const json* { return request.contains("ids") ? nullptr : &list_gpus(request); }},
    {"search", search},
    {"model", model_info},
};
const MethodEntry kToolMethods[] = {
    {"command", command},           {"plan", plan},
    {"parse_log", parse_log},       {"check_log", check_log},
    {"from_command", from_command}, {"inspect", inspect, kMaxInspectBytes},
};

std::string answer(const MethodEntry& entry, const std::string& text) {
    try {
        const json request = parse_text(text, entry.max_bytes);
        if (const json* listed = entry.listing ? entry.listing(request) : nullptr) {
            // Keyed by the listing's address: each is a static of its method, so there are a handful at most.
            static std::map<const json*, std::string> written;
            auto it = written.find(listed);
            if (it == written.end()) it = written.emplace(listed, dump(*listed)).first;
            return it->second;
        }
        return dump(entry.run(request));
    } catch (const FieldError& e) {
        return dump(error_json(e.code(), e.field(), e.what()));
    } catch (const std::exception& e) {
        return dump(error_json("internal_error", "", e.what()));
    }
}

template <size_t N>
const MethodEntry* find_method(const MethodEntry (&table)[N], const std::string& method) {
    for (const auto& m : table)
        if (method == m.name) return &m;
    return nullptr;
}

std::string unknown_method(const std::string& method) { return dump(error_json("unknown_method", "method", "unknown method \"" + method + "\"")); }
}  // namespace

const std::vector<std::string>& tool_methods() {
    // Names only: a build around call_core reads this list and must not keep kToolMethods' functions alive.
    static const std::vector<std::string> names = {"command", "plan", "parse_log", "check_log", "from_command", "inspect"};
    return names;
}

std::vector<std::string> method_names() {
    std::vector<std::string> names;
    for (const auto& m : kCoreMethods) names.emplace_back(m.name);
    for (const auto& m : kToolMethods) names.emplace_back(m.name);
    return names;
}

std::string call(const std::string& method, const std::string& text) {
    const MethodEntry* entry = find_method(kCoreMethods, method);
    if (!entry) entry = find_method(kToolMethods, method);
    return entry ? answer(*entry, text) : unknown_method(method);
}

std::string call_core(const std::string& method, const std::string& text) {
    if (const MethodEntry* entry = find_method(kCoreMethods, method)) return answer(*entry, text);
    for (const std::string& tool : tool_methods()) {
        if (method == tool)
            return dump(
                error_json("in_tools_module", "method", method + " is answered by the estimator's full module (the tools module), not by this core one"));
    }
    return unknown_method(method);
}

}  // namespace fitmygpu::api
