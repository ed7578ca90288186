// The catalog files compiled into the binary (generated source, see cmake/embed_catalog.cmake).
#pragma once
#include <vector>

namespace fitmygpu {

struct EmbeddedFile {
    const char* name;  // file name, e.g. "llama-3.1-8b.json"
    const char* text;  // the JSON text
};

const std::vector<EmbeddedFile>& embedded_model_files();
const std::vector<EmbeddedFile>& embedded_gpu_files();

}  // namespace fitmygpu
