// Checkpoint file headers, read from the first bytes of each file (never the tensor data): safetensors files
// (an 8-byte little-endian length, then a JSON header naming each tensor's dtype, shape and data offsets),
// the model.safetensors.index.json of a sharded checkpoint, and GGUF files (header, key-value metadata and
// tensor infos). Every reader is bounded: header size, counts, name lengths, ranks, and element and byte
// counts in checked arithmetic. A malformed file is FieldError("invalid_file", <file name>) with the byte
// offset in the message; a header that runs past the bytes handed over (the file being longer) is NeedBytes,
// so a caller holding only a prefix (a browser's Blob.slice, an HTTP Range read) can read more and retry.
#pragma once
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "fitmygpu/units.hpp"

namespace fitmygpu {

// The largest header read: the safetensors format's own limit (MAX_HEADER_SIZE = 100,000,000 in
// huggingface/safetensors safetensors/src/tensor.rs), applied to GGUF metadata too.
inline constexpr i64 kMaxHeaderBytes = 100'000'000;
// Tensors in one file (a DeepSeek-V3 shard holds under 10,000; the whole checkpoint about 91,000).
inline constexpr i64 kMaxFileTensors = i64{1} << 20;
// Bytes of a tensor name or metadata key.
inline constexpr i64 kMaxTensorNameBytes = 4096;
// Dimensions of one tensor: safetensors has no limit of its own; ggml has at most 4 (GGML_MAX_DIMS).
inline constexpr i64 kMaxTensorRank = 8;
// GGUF key-value pairs and the elements of one metadata array (a 262,144-token vocabulary is far below).
inline constexpr i64 kMaxGgufKeys = i64{1} << 20;
inline constexpr i64 kMaxGgufArray = i64{1} << 26;

// One file as handed to the readers: its name (for errors), its total size when known (-1 otherwise) and its
// first bytes (the whole header, or less: then the readers ask for more).
struct FileBytes {
    std::string name;
    i64 size = -1;
    std::string data;
};

// Not an error: the header continues past the bytes given. `bytes` is how many bytes from the file's start to
// hand over next (at most the file size when it is known).
struct NeedBytes {
    i64 bytes = 0;
};

struct FileTensor {
    std::string name;
    std::string dtype;  // safetensors dtype ("BF16", "F8_E4M3", "I32") or ggml type name ("q4_K", "f16")
    std::vector<i64> shape;
    i64 elements = 0;  // product of the shape
    i64 bytes = 0;     // bytes of its data in the file
};

struct SafetensorsHeader {
    std::vector<FileTensor> tensors;              // in data-offset order
    std::map<std::string, std::string> metadata;  // __metadata__
    i64 header_bytes = 0;                         // 8 + the JSON header
    i64 data_bytes = 0;                           // bytes of tensor data after the header
};

struct SafetensorsIndex {
    i64 total_size = -1;                           // metadata.total_size, when given
    std::vector<std::string> shards;               // file names the weight_map names, first-seen order
    std::map<std::string, i64> tensors_per_shard;  // how many tensors each shard holds
    i64 tensor_count = 0;
};

struct GgufHeader {
    int version = 0;
    std::vector<std::pair<std::string, nlohmann::json>> metadata;  // scalars as values; arrays as {"type", "length", "values" (first 64)}
    std::vector<FileTensor> tensors;                               // in offset order
    i64 alignment = 32;
    i64 data_offset = 0;  // where tensor data starts (the header's size, padded to the alignment)
    i64 data_bytes = 0;   // end of the last tensor's data, from data_offset
    const nlohmann::json* find(const std::string& key) const;
};

// Each throws FieldError("invalid_file", file.name, ...) or NeedBytes.
SafetensorsHeader read_safetensors(const FileBytes& file);
SafetensorsIndex read_safetensors_index(const FileBytes& file);
GgufHeader read_gguf(const FileBytes& file);

// "GGUF" magic, or a plausible safetensors start (a length and '{'); from the first bytes alone.
bool looks_like_gguf(const std::string& data);
bool looks_like_safetensors(const std::string& data);

// Bits per element of a safetensors dtype; 0 for an unknown one.
int safetensors_dtype_bits(const std::string& dtype);

}  // namespace fitmygpu
