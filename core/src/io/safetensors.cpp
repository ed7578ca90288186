// safetensors headers and the model.safetensors.index.json of sharded checkpoints. The layout and the checks
// follow huggingface/safetensors safetensors/src/tensor.rs (Metadata::validate): an 8-byte little-endian header
// length N (at most 100,000,000), N bytes of JSON naming each tensor's dtype, shape and [begin, end) data
// offsets, then the data; sorted by offset, the tensors must tile the data exactly (no gap, no overlap), each
// spanning elements × dtype size bytes, and the data must end where the file does.
#include <algorithm>
#include <cstring>

#include "fitmygpu/checked.hpp"
#include "fitmygpu/checkpoint_files.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/json_depth.hpp"
#include "fitmygpu/json_parse.hpp"
#include "order.hpp"
#include "text.hpp"

namespace fitmygpu {

using nlohmann::json;

namespace {

// A header nests three levels ({name: {shape: [...]}}); anything deeper is refused before parsing, so the parser's
// recursion stays shallow whatever the file holds.
constexpr int kMaxJsonNesting = 8;

struct DtypeBits {
    const char* name;
    int bits;
};
// safetensors/src/tensor.rs enum Dtype and Dtype::bitsize.
constexpr DtypeBits kDtypes[] = {
    {"BOOL", 8}, {"F4", 4},   {"F6_E2M3", 6}, {"F6_E3M2", 6}, {"U8", 8},   {"I8", 8},   {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"I16", 16},
    {"U16", 16}, {"F16", 16}, {"BF16", 16},   {"I32", 32},    {"U32", 32}, {"F32", 32}, {"C64", 64},    {"F64", 64},    {"I64", 64},    {"U64", 64},
};

[[noreturn]] void bad(const FileBytes& f, const std::string& message) { fail("invalid_file", f.name, f.name + ": " + message); }

void check_json_nesting(const FileBytes& f, const char* begin, size_t n) {
    const size_t at = json_nesting_overflow(std::string_view(begin, n), kMaxJsonNesting);
    if (at != std::string_view::npos)
        bad(f, "the JSON header nests more than " + std::to_string(kMaxJsonNesting) + " levels deep (at byte " + std::to_string(at) + ")");
}

json parse_json(const FileBytes& f, const char* begin, size_t n, const char* what) {
    check_json_nesting(f, begin, n);
    try {
        return fitmygpu::parse_json(std::string_view(begin, n));
    } catch (const json::exception& e) {
        bad(f, std::string(what) + " is not valid JSON: " + e.what());
    }
}

// A non-negative whole number of the header below `limit`.
i64 whole(const FileBytes& f, const json& v, const std::string& where, i64 limit) {
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<i64>() >= 0))
        bad(f, where + " must be a non-negative whole number (got " + shown(v.dump()) + ")");
    const auto u = v.get<unsigned long long>();
    if (u > static_cast<unsigned long long>(limit)) bad(f, where + " is " + v.dump() + ", beyond any real checkpoint");
    return static_cast<i64>(u);
}

// a × b of the file's own numbers (checked.hpp), refused as a bad file when it passes 64 bits.
i64 product(const FileBytes& f, i64 a, i64 b, const std::string& where) {
    try {
        return checked::mul(a, b, f.name);
    } catch (const FieldError&) {
        bad(f, where + " multiplies beyond 64-bit sizes");
    }
}

struct Span {
    i64 begin, end;
    size_t index;
};

}  // namespace

int safetensors_dtype_bits(const std::string& dtype) {
    for (const auto& d : kDtypes)
        if (dtype == d.name) return d.bits;
    return 0;
}

bool looks_like_safetensors(const std::string& data) { return data.size() >= 9 && data[8] == '{'; }

SafetensorsHeader read_safetensors(const FileBytes& f) {
    if (f.size >= 0 && f.size < 8) bad(f, "the file is " + std::to_string(f.size) + " bytes; a safetensors file starts with an 8-byte header length");
    if (f.data.size() < 8) throw NeedBytes{8};
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(f.data[static_cast<size_t>(i)]);
    if (n > static_cast<uint64_t>(kMaxHeaderBytes))
        bad(f, "the header length (bytes 0-7) is " + std::to_string(n) + "; safetensors headers are at most " + group_digits(kMaxHeaderBytes) + " bytes");
    const i64 header_end = 8 + static_cast<i64>(n);
    if (f.size >= 0 && header_end > f.size)
        bad(f, "the header length (bytes 0-7) is " + std::to_string(n) + ", past the end of the " + std::to_string(f.size) + "-byte file");
    if (static_cast<i64>(f.data.size()) < header_end) throw NeedBytes{header_end};

    SafetensorsHeader h;
    h.header_bytes = header_end;
    const json j = parse_json(f, f.data.data() + 8, static_cast<size_t>(n), "the header (from byte 8)");
    if (!j.is_object()) bad(f, "the header (from byte 8) must be a JSON object");
    if (static_cast<i64>(j.size()) > kMaxFileTensors + 1)
        bad(f, "the header names " + group_digits(static_cast<i64>(j.size())) + " tensors; at most " + group_digits(kMaxFileTensors) + " are read");

    std::vector<Span> spans;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& name = it.key();
        if (static_cast<i64>(name.size()) > kMaxTensorNameBytes)
            bad(f, "a tensor name is " + std::to_string(name.size()) + " bytes long; at most " + std::to_string(kMaxTensorNameBytes));
        const std::string where = "tensor \"" + shown(name) + "\"";
        if (name == "__metadata__") {
            if (!it.value().is_object()) bad(f, "__metadata__ must be an object of strings");
            for (auto m = it.value().begin(); m != it.value().end(); ++m) {
                if (!m.value().is_string()) bad(f, "__metadata__." + shown(m.key()) + " must be a string");
                h.metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const json& t = it.value();
        if (!t.is_object()) bad(f, where + " must be an object with dtype, shape and data_offsets");
        for (auto k = t.begin(); k != t.end(); ++k)
            if (k.key() != "dtype" && k.key() != "shape" && k.key() != "data_offsets") bad(f, where + " has an unknown field \"" + shown(k.key()) + "\"");
        if (!t.contains("dtype") || !t.at("dtype").is_string()) bad(f, where + " has no dtype");
        if (!t.contains("shape") || !t.at("shape").is_array()) bad(f, where + " has no shape");
        if (!t.contains("data_offsets") || !t.at("data_offsets").is_array() || t.at("data_offsets").size() != 2)
            bad(f, where + " must have data_offsets [begin, end]");
        FileTensor ft;
        ft.name = name;
        ft.dtype = t.at("dtype").get<std::string>();
        const int bits = safetensors_dtype_bits(ft.dtype);
        if (bits == 0) bad(f, where + " has an unknown dtype \"" + shown(ft.dtype) + "\"");
        const json& shape = t.at("shape");
        if (static_cast<i64>(shape.size()) > kMaxTensorRank)
            bad(f, where + " has " + std::to_string(shape.size()) + " dimensions; at most " + std::to_string(kMaxTensorRank));
        ft.elements = 1;
        for (size_t d = 0; d < shape.size(); ++d) {
            const i64 dim = whole(f, shape[d], where + " shape[" + std::to_string(d) + "]", i64{1} << 62);
            ft.shape.push_back(dim);
            ft.elements = product(f, ft.elements, dim, where + " shape");
        }
        const i64 bits_total = product(f, ft.elements, bits, where + " shape");
        if (bits_total % 8 != 0) bad(f, where + ": " + std::to_string(ft.elements) + " elements of " + ft.dtype + " do not fill whole bytes");
        ft.bytes = bits_total / 8;
        const i64 begin = whole(f, t.at("data_offsets")[0], where + " data_offsets[0]", i64{1} << 62);
        const i64 end = whole(f, t.at("data_offsets")[1], where + " data_offsets[1]", i64{1} << 62);
        if (end < begin) bad(f, where + " has data_offsets ending before they begin");
        if (end - begin != ft.bytes) bad(f, where + " spans " + std::to_string(end - begin) + " bytes; its shape and dtype take " + std::to_string(ft.bytes));
        spans.push_back({begin, end, h.tensors.size()});
        h.tensors.push_back(std::move(ft));
    }
    reorder(spans, stable_order(spans.size(), [&](size_t a, size_t b) {
                return spans[a].begin < spans[b].begin || (spans[a].begin == spans[b].begin && spans[a].end < spans[b].end);
            }));
    i64 at = 0;
    for (const Span& s : spans) {
        const std::string where = "tensor \"" + shown(h.tensors[s.index].name) + "\"";
        if (s.begin < at)
            bad(f, where + " overlaps the tensor before it (data_offsets begin at " + std::to_string(s.begin) + ", the previous ends at " + std::to_string(at) +
                       ")");
        if (s.begin > at)
            bad(f,
                where + " leaves a gap in the data (data_offsets begin at " + std::to_string(s.begin) + ", the previous ends at " + std::to_string(at) + ")");
        at = s.end;
    }
    h.data_bytes = at;
    if (f.size >= 0 && checked::add(header_end, at, f.name) != f.size)
        bad(f, "the header places " + std::to_string(at) + " bytes of tensor data after its " + std::to_string(header_end) + " header bytes, but the file is " +
                   std::to_string(f.size) + " bytes");
    std::vector<FileTensor> ordered;
    ordered.reserve(h.tensors.size());
    for (const Span& s : spans) ordered.push_back(std::move(h.tensors[s.index]));
    h.tensors = std::move(ordered);
    return h;
}

SafetensorsIndex read_safetensors_index(const FileBytes& f) {
    if (static_cast<i64>(f.data.size()) > kMaxHeaderBytes || f.size > kMaxHeaderBytes)
        bad(f, "an index is at most " + group_digits(kMaxHeaderBytes) + " bytes");
    if (f.size >= 0 && static_cast<i64>(f.data.size()) < f.size) throw NeedBytes{f.size};
    const json j = parse_json(f, f.data.data(), f.data.size(), "the index");
    if (!j.is_object() || !j.contains("weight_map") || !j.at("weight_map").is_object()) bad(f, "an index must be an object with a weight_map");
    SafetensorsIndex idx;
    if (j.contains("metadata") && j.at("metadata").is_object() && j.at("metadata").contains("total_size"))
        idx.total_size = whole(f, j.at("metadata").at("total_size"), "metadata.total_size", i64{1} << 62);
    const json& map = j.at("weight_map");
    if (static_cast<i64>(map.size()) > kMaxFileTensors * 4)
        bad(f, "the weight_map names " + group_digits(static_cast<i64>(map.size())) + " tensors; too many to read");
    for (auto it = map.begin(); it != map.end(); ++it) {
        if (static_cast<i64>(it.key().size()) > kMaxTensorNameBytes)
            bad(f, "a tensor name in weight_map is longer than " + std::to_string(kMaxTensorNameBytes) + " bytes");
        if (!it.value().is_string()) bad(f, "weight_map.\"" + shown(it.key()) + "\" must be a file name");
        const std::string& shard = it.value().get_ref<const std::string&>();
        if (shard.empty() || static_cast<i64>(shard.size()) > kMaxTensorNameBytes || shard.find('/') != std::string::npos ||
            shard.find('\\') != std::string::npos || shard == "." || shard == "..")
            bad(f, "weight_map.\"" + shown(it.key()) + "\" names \"" + shown(shard) + "\", not a file name beside the index");
        if (idx.tensors_per_shard[shard]++ == 0) idx.shards.push_back(shard);
        ++idx.tensor_count;
    }
    return idx;
}

}  // namespace fitmygpu
