// Errors that reach the user. Every error names the request or config field it is about, so the CLI,
// the wasm facade and the page can point at the input to fix.
#pragma once
#include <stdexcept>
#include <string>

namespace fitmygpu {

class FieldError : public std::runtime_error {
public:
    FieldError(std::string code, std::string field, const std::string& message)
        : std::runtime_error(message), code_(std::move(code)), field_(std::move(field)) {}
    const std::string& code() const { return code_; }
    const std::string& field() const { return field_; }

private:
    std::string code_;   // invalid_json | invalid_field | unknown_field | missing_field | unknown_model | ...
    std::string field_;  // dotted path, e.g. "engine.gpu_memory_utilization" or "config.hidden_size"
};

[[noreturn]] inline void fail(const std::string& code, const std::string& field, const std::string& message) { throw FieldError(code, field, message); }

}  // namespace fitmygpu
