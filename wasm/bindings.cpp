// The Embind binding of the API: one function, call(method, request_json) -> response_json. Built twice
// (wasm/CMakeLists.txt): with FITMYGPU_CORE_ONLY=1 it answers the core methods (api::call_core), and the tools' code
// is left out of the module; with 0, every method.
// This is the only file that includes Embind. Like zxing-cpp's wasm wrapper, it never lets a C++
// exception cross into JavaScript: api::call already returns every failure as an error object, and the
// catch blocks below are the last line of defence (for example std::bad_alloc while copying strings).
#include <emscripten/bind.h>
#include <malloc.h>

#include <exception>
#include <string>

#include "fitmygpu/api.hpp"

namespace {

// An error object built without nlohmann (which might be what failed); the message is fixed ASCII.
std::string internal_error(const char* message) { return std::string(R"({"error":{"code":"internal_error","field":"","message":")") + message + "\"}}"; }

std::string call(const std::string& method, const std::string& request_json) {
    try {
#if FITMYGPU_CORE_ONLY
        return fitmygpu::api::call_core(method, request_json);
#else
        return fitmygpu::api::call(method, request_json);
#endif
    } catch (const std::bad_alloc&) {
        return internal_error("out of memory");
    } catch (...) {
        return internal_error("unexpected exception in the estimator");
    }
}

std::string version() { return FITMYGPU_VERSION; }

// Bytes of the wasm heap currently allocated by malloc (mallinfo's in-use total). The node tests read it around
// many failing calls to check that an error leaves nothing behind; the heap's size (HEAP8.length) only grows.
double heap_bytes_in_use() { return static_cast<double>(mallinfo().uordblks); }

}  // namespace

EMSCRIPTEN_BINDINGS(fitmygpu) {
    emscripten::function("call", &call);
    emscripten::function("version", &version);
    emscripten::function("heap_bytes_in_use", &heap_bytes_in_use);
}
