// GGUF file headers: magic, version, tensor and key-value counts, the key-value metadata and the tensor infos,
// read as ggml-org/llama.cpp ggml/src/gguf.cpp (gguf_init_from_file_impl) reads them, with its checks: version 2
// or 3, no nested arrays, at most 4 dimensions, known types, rows a whole number of blocks, and tensor data
// offsets that follow each other in info order, each padded to general.alignment. Every length is checked against
// the header limit before it is read, so a huge count or string length is refused without allocating it.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "fitmygpu/checked.hpp"
#include "fitmygpu/checkpoint_files.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/ggml_types.hpp"
#include "text.hpp"

namespace fitmygpu {

using nlohmann::json;

namespace {

// gguf_type (ggml/include/gguf.h).
enum : uint32_t { U8 = 0, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 };
constexpr i64 kScalarBytes[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
// Array values kept in the metadata (the rest are counted, not stored: a vocabulary has 10^5 entries).
constexpr i64 kKeptArrayValues = 64;
constexpr i64 kMaxGgmlDims = 4;  // GGML_MAX_DIMS

class Reader {
public:
    explicit Reader(const FileBytes& f) : f_(f) {}
    [[noreturn]] void bad(const std::string& message) const { fail("invalid_file", f_.name, f_.name + ": " + message); }
    i64 pos() const { return pos_; }

    // Makes sure n more bytes are available: NeedBytes when the file may hold them, an error when it cannot.
    void need(i64 n, const char* what) {
        const i64 end = pos_ + n;  // n is checked below kMaxHeaderBytes by every caller, pos_ too
        if (end > kMaxHeaderBytes)
            bad(std::string(what) + " at byte " + std::to_string(pos_) + " runs past " + group_digits(kMaxHeaderBytes) + " bytes of header");
        if (f_.size >= 0 && end > f_.size)
            bad(std::string(what) + " at byte " + std::to_string(pos_) + " runs past the end of the " + std::to_string(f_.size) + "-byte file");
        if (end > static_cast<i64>(f_.data.size())) {
            // Grow geometrically: the rest of the header is unknown, and each retry re-reads from the start.
            i64 ask = std::max(end, std::min<i64>(kMaxHeaderBytes, std::max<i64>(static_cast<i64>(f_.data.size()) * 2, i64{1} << 20)));
            if (f_.size >= 0) ask = std::min(ask, f_.size);
            throw NeedBytes{ask};
        }
    }
    uint64_t uint(int bytes, const char* what) {
        need(bytes, what);
        uint64_t v = 0;
        for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(f_.data[static_cast<size_t>(pos_ + i)]);
        pos_ += bytes;
        return v;
    }
    // A count or length: at most `limit`.
    i64 count(const char* what, i64 limit) {
        const i64 at = pos_;
        const uint64_t v = uint(8, what);
        if (v > static_cast<uint64_t>(limit)) {
            pos_ = at;
            bad(std::string(what) + " at byte " + std::to_string(at) + " is " + std::to_string(v) + "; at most " + group_digits(limit) + " are read");
        }
        return static_cast<i64>(v);
    }
    std::string string(const char* what, i64 limit) {
        const i64 n = count(what, limit);
        need(n, what);
        std::string s = f_.data.substr(static_cast<size_t>(pos_), static_cast<size_t>(n));
        pos_ += n;
        return s;
    }
    void skip(i64 n, const char* what) {
        need(n, what);
        pos_ += n;
    }

private:
    const FileBytes& f_;
    i64 pos_ = 0;
};

json scalar(Reader& r, uint32_t type) {
    switch (type) {
        case U8: return r.uint(1, "a u8 value");
        case I8: return static_cast<int8_t>(r.uint(1, "an i8 value"));
        case U16: return r.uint(2, "a u16 value");
        case I16: return static_cast<int16_t>(r.uint(2, "an i16 value"));
        case U32: return r.uint(4, "a u32 value");
        case I32: return static_cast<int32_t>(r.uint(4, "an i32 value"));
        case U64: return r.uint(8, "a u64 value");
        case I64: return static_cast<int64_t>(r.uint(8, "an i64 value"));
        case BOOL: return r.uint(1, "a bool value") != 0;
        case F32: {
            const uint32_t bits = static_cast<uint32_t>(r.uint(4, "an f32 value"));
            float v;
            std::memcpy(&v, &bits, 4);
            return std::isfinite(v) ? json(static_cast<double>(v)) : json(nullptr);
        }
        case F64: {
            const uint64_t bits = r.uint(8, "an f64 value");
            double v;
            std::memcpy(&v, &bits, 8);
            return std::isfinite(v) ? json(v) : json(nullptr);
        }
        default: return r.string("a string value", kMaxHeaderBytes);
    }
}

json value(Reader& r, const std::string& key) {
    const i64 at = r.pos();
    const uint32_t type = static_cast<uint32_t>(r.uint(4, "a value type"));
    if (type > F64) r.bad("key \"" + shown(key) + "\" has an unknown value type " + std::to_string(type) + " (byte " + std::to_string(at) + ")");
    if (type != ARRAY) return scalar(r, type);
    const uint32_t elem = static_cast<uint32_t>(r.uint(4, "an array type"));
    if (elem > F64 || elem == ARRAY)
        r.bad("key \"" + shown(key) + "\" is an array of " + (elem == ARRAY ? std::string("arrays (not allowed)") : "unknown type " + std::to_string(elem)) +
              " (byte " + std::to_string(at) + ")");
    const i64 n = r.count("an array length", kMaxGgufArray);
    json kept = json::array();
    if (elem != STRING) {
        const i64 size = kScalarBytes[elem];
        const i64 keep = std::min(n, kKeptArrayValues);
        for (i64 i = 0; i < keep; ++i) kept.push_back(scalar(r, elem));
        r.skip((n - keep) * size, "an array");  // n ≤ 2^26, size ≤ 8: no overflow
    } else {
        for (i64 i = 0; i < n; ++i) {
            std::string s = r.string("a string in an array", kMaxHeaderBytes);
            if (i < kKeptArrayValues) kept.push_back(std::move(s));
        }
    }
    static const char* const kTypeNames[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"};
    return {{"type", kTypeNames[elem]}, {"length", n}, {"values", std::move(kept)}};
}

}  // namespace

const json* GgufHeader::find(const std::string& key) const {
    for (const auto& [k, v] : metadata)
        if (k == key) return &v;
    return nullptr;
}

bool looks_like_gguf(const std::string& data) { return data.size() >= 4 && std::memcmp(data.data(), "GGUF", 4) == 0; }

GgufHeader read_gguf(const FileBytes& f) {
    Reader r(f);
    GgufHeader h;
    r.need(4, "the magic");
    if (!looks_like_gguf(f.data)) r.bad("not a GGUF file (the first 4 bytes are not \"GGUF\")");
    r.skip(4, "the magic");
    const uint64_t version = r.uint(4, "the version");
    if (version != 2 && version != 3) r.bad("GGUF version " + std::to_string(version) + " (byte 4); versions 2 and 3 are read");
    h.version = static_cast<int>(version);
    const i64 n_tensors = r.count("the tensor count", kMaxFileTensors);
    const i64 n_kv = r.count("the key-value count", kMaxGgufKeys);

    std::set<std::string> keys;
    for (i64 i = 0; i < n_kv; ++i) {
        std::string key = r.string("a key", kMaxTensorNameBytes);
        if (!keys.insert(key).second) r.bad("key \"" + shown(key) + "\" appears twice");
        json v = value(r, key);
        h.metadata.emplace_back(std::move(key), std::move(v));
    }
    if (const json* a = h.find("general.alignment")) {
        if (!a->is_number_unsigned() || a->get<uint64_t>() == 0 || a->get<uint64_t>() > 65536 || (a->get<uint64_t>() & (a->get<uint64_t>() - 1)) != 0)
            r.bad("general.alignment must be a power of two up to 65536 (got " + shown(a->dump()) + ")");
        h.alignment = static_cast<i64>(a->get<uint64_t>());
    }

    std::vector<i64> offsets;
    for (i64 i = 0; i < n_tensors; ++i) {
        FileTensor t;
        t.name = r.string("a tensor name", kMaxTensorNameBytes);
        const std::string where = "tensor \"" + shown(t.name) + "\"";
        const i64 at = r.pos();
        const uint64_t n_dims = r.uint(4, "a tensor's dimension count");
        if (n_dims > static_cast<uint64_t>(kMaxGgmlDims))
            r.bad(where + " has " + std::to_string(n_dims) + " dimensions (byte " + std::to_string(at) + "); at most 4");
        t.elements = 1;
        for (uint64_t d = 0; d < n_dims; ++d) {
            const i64 ne = r.count("a tensor dimension", i64{1} << 62);
            t.shape.push_back(ne);
            if (__builtin_mul_overflow(t.elements, ne, &t.elements)) r.bad(where + "'s dimensions multiply beyond 64 bits");
        }
        const uint32_t type_id = static_cast<uint32_t>(r.uint(4, "a tensor type"));
        const GgmlTypeInfo* type = ggml_info_by_id(type_id);
        if (!type) r.bad(where + " has an unknown ggml type " + std::to_string(type_id));
        t.dtype = type->name;
        const i64 row = t.shape.empty() ? 1 : t.shape[0];
        if (row % type->block_elems != 0)
            r.bad(where + ": a row of " + std::to_string(row) + " elements is not a whole number of " + type->name + " blocks of " +
                  std::to_string(type->block_elems));
        if (__builtin_mul_overflow(t.elements / type->block_elems, type->block_bytes, &t.bytes)) r.bad(where + "'s size passes 64 bits");
        const i64 offset = r.count("a tensor data offset", i64{1} << 62);
        offsets.push_back(offset);
        h.tensors.push_back(std::move(t));
    }
    // Tensor data starts at the header's end padded to the alignment; each tensor's offset is the previous one's end
    // padded likewise (gguf.cpp: "tensor ... has offset X, expected Y").
    h.data_offset = (r.pos() + h.alignment - 1) / h.alignment * h.alignment;
    i64 expected = 0;
    for (size_t i = 0; i < h.tensors.size(); ++i) {
        if (offsets[i] != expected)
            r.bad("tensor \"" + shown(h.tensors[i].name) + "\" has data offset " + std::to_string(offsets[i]) + "; after the tensors before it, " +
                  std::to_string(expected) + " (overlapping, out of order or misaligned)");
        i64 end;
        if (__builtin_add_overflow(expected, h.tensors[i].bytes, &end) || end > (i64{1} << 62)) r.bad("the tensor data passes 2^62 bytes");
        h.data_bytes = end;
        expected = (end + h.alignment - 1) / h.alignment * h.alignment;
    }
    if (f.size >= 0 && h.data_offset + h.data_bytes > f.size)
        r.bad("the tensor infos place " + std::to_string(h.data_bytes) + " bytes of data from byte " + std::to_string(h.data_offset) +
              ", past the end of the " + std::to_string(f.size) + "-byte file");
    return h;
}

}  // namespace fitmygpu
