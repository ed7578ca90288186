// Checkpoint headers: small safetensors and GGUF files written byte by byte here (the header computed by hand),
// read by inspect, then hostile variants of them, and estimates that take their weights from the summary.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "fitmygpu/checkpoint_files.hpp"
#include "helpers.hpp"

namespace {

using namespace testing;
using fitmygpu::FileBytes;
namespace api = fitmygpu::api;

// ---- safetensors: 8-byte little-endian header length, the JSON header, then the data ----

struct St {
    std::string name, dtype;
    std::vector<long long> shape;
};

long long dtype_bytes(const std::string& d) {
    static const std::map<std::string, long long> kBytes = {{"BF16", 2}, {"F16", 2}, {"F32", 4}, {"F8_E4M3", 1}, {"I32", 4}, {"U8", 1}};
    return kBytes.at(d);
}

std::string le64(unsigned long long v) {
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i) s[static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFF);
    return s;
}

std::string safetensors_raw(const std::string& header, long long data_bytes) {
    return le64(header.size()) + header + std::string(static_cast<size_t>(data_bytes), '\0');
}

// Offsets laid end to end in the order given.
std::string safetensors(const std::vector<St>& tensors, const std::string& metadata = "") {
    std::string h = "{";
    if (!metadata.empty()) h += "\"__metadata__\":" + metadata;
    long long at = 0;
    for (const St& t : tensors) {
        long long n = 1;
        std::string shape;
        for (long long d : t.shape) {
            n *= d;
            shape += (shape.empty() ? "" : ",") + std::to_string(d);
        }
        const long long bytes = n * dtype_bytes(t.dtype);
        if (h.size() > 1) h += ",";
        h += "\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":[" + shape + "],\"data_offsets\":[" + std::to_string(at) + "," +
             std::to_string(at + bytes) + "]}";
        at += bytes;
    }
    return safetensors_raw(h + "}", at);
}

FileBytes whole(const std::string& name, const std::string& data) { return {name, static_cast<fitmygpu::i64>(data.size()), data}; }

// ---- GGUF v3: magic, version, counts, key-values, tensor infos, padding to 32, data ----

struct Gguf {
    std::string kv;
    int n_kv = 0;
    std::string infos;
    int n_tensors = 0;
    unsigned long long data = 0;

    static std::string u32(uint32_t v) { return le64(v).substr(0, 4); }
    static std::string str(const std::string& s) { return le64(s.size()) + s; }
    void kv_str(const std::string& k, const std::string& v) {
        kv += str(k) + u32(8) + str(v);
        ++n_kv;
    }
    void kv_u32(const std::string& k, uint32_t v) {
        kv += str(k) + u32(4) + u32(v);
        ++n_kv;
    }
    void kv_f32(const std::string& k, float v) {
        uint32_t bits;
        std::memcpy(&bits, &v, 4);
        kv += str(k) + u32(6) + u32(bits);
        ++n_kv;
    }
    // type: ggml type id; bytes: the tensor's size in that type, worked out by the caller.
    void tensor(const std::string& name, std::vector<unsigned long long> ne, uint32_t type, unsigned long long bytes) {
        infos += str(name) + u32(static_cast<uint32_t>(ne.size()));
        for (auto d : ne) infos += le64(d);
        infos += u32(type) + le64(data);
        data += (bytes + 31) / 32 * 32;
        ++n_tensors;
    }
    std::string file() const {
        std::string out = "GGUF" + u32(3) + le64(static_cast<unsigned long long>(n_tensors)) + le64(static_cast<unsigned long long>(n_kv)) + kv + infos;
        out.resize((out.size() + 31) / 32 * 32, '\0');
        return out + std::string(data, '\0');
    }
};

constexpr uint32_t F32 = 0, F16 = 1, Q4_K = 12, Q6_K = 14;

// A two-layer llama: hidden 256, 4 heads of 64, 2 KV heads, FFN 512, vocabulary 32. Bytes per type from the ggml
// block sizes: q4_K 144 bytes per 256 weights, q6_K 210 per 256, f16 2, f32 4.
Gguf tiny_llama_gguf() {
    Gguf g;
    g.kv_str("general.architecture", "llama");
    g.kv_u32("general.file_type", 15);  // LLAMA_FTYPE_MOSTLY_Q4_K_M
    g.kv_u32("llama.block_count", 2);
    g.kv_u32("llama.context_length", 4096);
    g.kv_u32("llama.embedding_length", 256);
    g.kv_u32("llama.feed_forward_length", 512);
    g.kv_u32("llama.attention.head_count", 4);
    g.kv_u32("llama.attention.head_count_kv", 2);
    g.kv_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
    g.kv_f32("llama.rope.freq_base", 500000.0f);
    g.tensor("token_embd.weight", {256, 32}, F16, 16384);  // 8192 × 2
    for (int l = 0; l < 2; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        g.tensor(b + "attn_norm.weight", {256}, F32, 1024);
        g.tensor(b + "attn_q.weight", {256, 256}, Q4_K, 36864);       // 65536 / 256 × 144
        g.tensor(b + "attn_k.weight", {256, 128}, Q4_K, 18432);       // 32768 / 256 × 144
        g.tensor(b + "attn_v.weight", {256, 128}, Q6_K, 26880);       // 32768 / 256 × 210
        g.tensor(b + "attn_output.weight", {256, 256}, Q4_K, 36864);  // 65536 / 256 × 144
        g.tensor(b + "ffn_norm.weight", {256}, F32, 1024);
        g.tensor(b + "ffn_gate.weight", {256, 512}, Q4_K, 73728);  // 131072 / 256 × 144
        g.tensor(b + "ffn_up.weight", {256, 512}, Q4_K, 73728);
        g.tensor(b + "ffn_down.weight", {512, 256}, Q6_K, 107520);  // 131072 / 256 × 210
    }
    g.tensor("output_norm.weight", {256}, F32, 1024);
    g.tensor("output.weight", {256, 32}, Q6_K, 6720);  // 8192 / 256 × 210
    return g;
}
// Per layer: 256 + 65536 + 32768 + 32768 + 65536 + 256 + 3 × 131072 = 590,336 weights in
// 1024 + 36864 + 18432 + 26880 + 36864 + 1024 + 73728 + 73728 + 107520 = 376,064 bytes.
constexpr i64 kGgufLayerBytes = 376064;
constexpr i64 kGgufParams = 8192 + 2 * 590336 + 256 + 8192;            // 1,197,312
constexpr i64 kGgufBytes = 16384 + 2 * kGgufLayerBytes + 1024 + 6720;  // 776,256

// A two-layer safetensors checkpoint with an FP8 layer and its scale. The vocabulary (64) is a multiple of vLLM's
// padding of embedding rows (64 per rank), so vLLM loads exactly the file's bytes.
std::vector<St> tiny_safetensors() {
    return {
        {"model.embed_tokens.weight", "BF16", {64, 256}},                     // 16384 weights, 32768 bytes
        {"model.layers.0.self_attn.q_proj.weight", "BF16", {256, 256}},       // 65536, 131072
        {"model.layers.0.mlp.down_proj.weight", "F32", {256, 8}},             // 2048, 8192
        {"model.layers.1.self_attn.q_proj.weight", "F8_E4M3", {256, 256}},    // 65536, 65536
        {"model.layers.1.self_attn.q_proj.weight_scale_inv", "F32", {2, 2}},  // a scale: 16 bytes, not a weight
        {"model.norm.weight", "BF16", {256}},                                 // 256, 512
        {"lm_head.weight", "BF16", {64, 256}},                                // 16384, 32768
    };
}
constexpr i64 kStParams = 16384 + 65536 + 2048 + 65536 + 256 + 16384;       // 166,144
constexpr i64 kStBytes = 32768 + 131072 + 8192 + 65536 + 16 + 512 + 32768;  // 270,864

const char* kTinyConfig = R"({"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 256, "num_hidden_layers": 2,
  "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 512, "vocab_size": 64, "max_position_embeddings": 4096,
  "rms_norm_eps": 1e-5, "torch_dtype": "bfloat16", "tie_word_embeddings": false})";

std::string base64(const std::string& in) {
    static const char* kA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const uint32_t v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
        for (int k = 18; k >= 0; k -= 6) out.push_back(kA[(v >> k) & 63]);
    }
    if (i + 1 == in.size()) {
        const uint32_t v = static_cast<unsigned char>(in[i]) << 16;
        out += std::string{kA[(v >> 18) & 63], kA[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        const uint32_t v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += std::string{kA[(v >> 18) & 63], kA[(v >> 12) & 63], kA[(v >> 6) & 63], '='};
    }
    return out;
}

// inspect through the JSON entry point, with `given` bytes of each file and its full size.
json inspect_call(const std::vector<std::pair<std::string, std::string>>& files, size_t given = std::string::npos) {
    json list = json::array();
    for (const auto& [name, data] : files) list.push_back({{"name", name}, {"size", data.size()}, {"data_base64", base64(data.substr(0, given))}});
    return json::parse(api::call("inspect", json{{"files", list}}.dump()));
}

i64 sum_weights(const json& r) {
    i64 total = 0;
    for (const auto& b : r.at("breakdown"))
        if (b.at("component") == "weights" && b.at("label") != "rotary embedding table") total += b.at("bytes").get<i64>();  // the checkpoint's
    return total;
}

// The error a hostile file gets, and that it comes without reading what the header only claims: a bound on the
// processor's time (the wall clock also counts whatever else the machine is running) that a reader walking a claimed
// 2^40 entries, or copying a claimed gigabyte, would pass by orders of magnitude. It is a guard against unbounded work,
// not a speed measurement: a second natively, and five under the sanitizers, which make every step several times slower.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kHostileSeconds = 5.0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr double kHostileSeconds = 5.0;
#else
constexpr double kHostileSeconds = 1.0;
#endif
#else
constexpr double kHostileSeconds = 1.0;
#endif
json bad_file(const std::string& name, const std::string& data) {
    const std::string request = json{{"files", json::array({{{"name", name}, {"size", data.size()}, {"data_base64", base64(data)}}})}}.dump();
    const std::clock_t start = std::clock();  // the estimator's reading alone, not the test's encoding of the bytes
    const std::string answer = api::call("inspect", request);
    const double seconds = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
    const json r = json::parse(answer);
    CAPTURE(seconds);
    CHECK(seconds < kHostileSeconds);
    REQUIRE(r.contains("error"));
    return r.at("error");
}

}  // namespace

TEST_CASE("inspect reads a safetensors header: parameters, tensor bytes and dtypes as computed by hand") {
    const json r = api::inspect_files({whole("model.safetensors", safetensors(tiny_safetensors(), R"({"format":"pt"})"))});
    CHECK(r.at("format") == "safetensors");
    CHECK(r.at("parameters") == kStParams);
    CHECK(r.at("tensor_bytes") == kStBytes);
    CHECK(r.at("tensor_count") == 7);
    CHECK(r.at("tensor_types") == json{{"BF16", 4}, {"F32", 2}, {"F8_E4M3", 1}});
    CHECK(r.at("files")[0].at("metadata").at("format") == "pt");
    const json& c = r.at("checkpoint");
    CHECK(c.at("layers") == json{131072 + 8192, 65536 + 16});
    CHECK(c.at("embedding") == 32768);
    CHECK(c.at("output") == 32768);
    CHECK(c.at("other") == 512);
    CHECK(c.at("tensor_bytes") == kStBytes);
    CHECK(!r.contains("request"));  // no config.json: nothing to estimate from yet
}

TEST_CASE("packed GPTQ weights count 32/bits weights per int32, and scales, zeros and group indices are not parameters") {
    const std::vector<St> t = {
        {"model.layers.0.mlp.down_proj.qweight", "I32", {64, 256}},  // 16384 int32 holding 8 weights each at 4 bits: 131072
        {"model.layers.0.mlp.down_proj.qzeros", "I32", {4, 32}},    {"model.layers.0.mlp.down_proj.scales", "F16", {4, 256}},
        {"model.layers.0.mlp.down_proj.g_idx", "I32", {512}},       {"model.layers.0.input_layernorm.weight", "F16", {256}},
    };
    const std::string config = R"({"model_type": "llama", "hidden_size": 256, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 512,
        "vocab_size": 32, "quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": 128}})";
    const json r = api::inspect_files({whole("model.safetensors", safetensors(t)), whole("config.json", config)});
    CHECK(r.at("parameters") == 131072 + 256);
    CHECK(r.at("tensor_bytes") == 65536 + 512 + 2048 + 2048 + 512);
    CHECK(r.at("quantization").at("quant_method") == "gptq");
    CHECK(r.at("parameters_note").get<std::string>().find("32/bits") != std::string::npos);
    // At 8 bits an int32 holds 4 weights.
    const std::string config8 = R"({"model_type": "llama", "hidden_size": 256, "num_hidden_layers": 1, "num_attention_heads": 4, "intermediate_size": 512,
        "vocab_size": 32, "quantization_config": {"quant_method": "gptq", "bits": 8}})";
    CHECK(api::inspect_files({whole("model.safetensors", safetensors(t)), whole("config.json", config8)}).at("parameters") == 65536 + 256);
}

TEST_CASE("MXFP4 blocks hold two weights per byte") {
    const std::vector<St> t = {
        {"model.layers.0.mlp.experts.gate_up_proj_blocks", "U8", {2, 64, 8, 16}},  // 16384 bytes: 32768 weights
        {"model.layers.0.mlp.experts.gate_up_proj_scales", "U8", {2, 64, 8}},      // 1024 scales
    };
    const json r = api::inspect_files({whole("model.safetensors", safetensors(t))});
    CHECK(r.at("parameters") == 32768);
    CHECK(r.at("tensor_bytes") == 16384 + 1024);
}

TEST_CASE("inspect reads a GGUF header: parameters, tensor bytes, ggml types, file type and a config") {
    const json r = inspect_call({{"tiny-Q4_K_M.gguf", tiny_llama_gguf().file()}});
    CHECK(r.at("format") == "gguf");
    CHECK(r.at("architecture") == "llama");
    CHECK(r.at("parameters") == kGgufParams);
    CHECK(r.at("tensor_bytes") == kGgufBytes);
    CHECK(r.at("tensor_types") == json{{"f16", 1}, {"f32", 5}, {"q4_K", 10}, {"q6_K", 5}});
    CHECK(r.at("quantization").at("file_type") == "Q4_K_M");
    CHECK(r.at("checkpoint").at("layers") == json{kGgufLayerBytes, kGgufLayerBytes});
    const json& req = r.at("request");
    CHECK(req.at("weights") == "gguf:Q4_K_M");
    CHECK(req.at("config").at("num_hidden_layers") == 2);
    CHECK(req.at("config").at("num_key_value_heads") == 2);
    CHECK(req.at("config").at("vocab_size") == 32);
}

TEST_CASE("a header longer than the bytes given is answered with the bytes to read, not an error") {
    const std::string st = safetensors(tiny_safetensors());
    const i64 header_end = 8 + static_cast<i64>(st.find("}}") + 2 - 8);
    json r = inspect_call({{"model.safetensors", st}}, 4);
    CHECK(r.at("need_bytes") == json::array({{{"name", "model.safetensors"}, {"bytes", 8}}}));
    r = inspect_call({{"model.safetensors", st}}, 100);
    CHECK(r.at("need_bytes")[0].at("bytes") == header_end);
    r = inspect_call({{"model.safetensors", st}}, static_cast<size_t>(header_end));
    CHECK(r.at("tensor_bytes") == kStBytes);

    const std::string gguf = tiny_llama_gguf().file();
    r = inspect_call({{"tiny.gguf", gguf}}, 64);
    REQUIRE(r.contains("need_bytes"));
    const i64 ask = r.at("need_bytes")[0].at("bytes").get<i64>();
    CHECK(ask > 64);
    CHECK(ask <= static_cast<i64>(gguf.size()));  // never beyond the file
    CHECK(inspect_call({{"tiny.gguf", gguf}}, static_cast<size_t>(ask)).at("parameters") == kGgufParams);
}

TEST_CASE("hostile safetensors headers are refused naming the file, quickly") {
    const std::string good = safetensors(tiny_safetensors());
    CHECK(bad_file("a.safetensors", le64(200'000'000) + "{}").at("field") == "a.safetensors");  // over 100 MB
    const json past = bad_file("a.safetensors", le64(5000) + "{}");                             // longer than the file
    CHECK(past.at("code") == "invalid_file");
    CHECK(past.at("message").get<std::string>().find("past the end") != std::string::npos);
    CHECK(bad_file("a.safetensors", good.substr(0, good.size() - 10)).at("message").get<std::string>().find("but the file is") != std::string::npos);
    auto one = [](const std::string& tensor, long long data) { return safetensors_raw("{\"t\":" + tensor + "}", data); };
    CHECK(bad_file("a.safetensors", one(R"({"dtype":"F32","shape":[-1],"data_offsets":[0,4]})", 4)).at("code") == "invalid_file");
    CHECK(bad_file("a.safetensors", one(R"({"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]})", 4))
              .at("message")
              .get<std::string>()
              .find("64-bit") != std::string::npos);
    CHECK(bad_file("a.safetensors", one(R"({"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]})", 4))
              .at("message")
              .get<std::string>()
              .find("dimensions") != std::string::npos);
    CHECK(bad_file("a.safetensors", one(R"({"dtype":"F33","shape":[1],"data_offsets":[0,4]})", 4)).at("message").get<std::string>().find("dtype") !=
          std::string::npos);
    CHECK(bad_file("a.safetensors", one(R"({"dtype":"F32","shape":[2],"data_offsets":[0,4]})", 4)).at("message").get<std::string>().find("spans 4 bytes") !=
          std::string::npos);
    // Overlapping and gapped offsets.
    CHECK(bad_file("a.safetensors",
                   safetensors_raw(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12))
              .at("message")
              .get<std::string>()
              .find("overlaps") != std::string::npos);
    CHECK(bad_file("a.safetensors", safetensors_raw(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8))
              .at("message")
              .get<std::string>()
              .find("gap") != std::string::npos);
    // Deep JSON and a header that is not JSON.
    CHECK(bad_file("a.safetensors", safetensors_raw("{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}", 0))
              .at("message")
              .get<std::string>()
              .find("nests") != std::string::npos);
    CHECK(bad_file("a.safetensors", safetensors_raw("{\"a\":", 0)).at("message").get<std::string>().find("not valid JSON") != std::string::npos);
}

TEST_CASE("hostile GGUF headers are refused naming the file, quickly") {
    const std::string good = tiny_llama_gguf().file();
    auto with = [&](size_t at, const std::string& bytes) {
        std::string s = good;
        s.replace(at, bytes.size(), bytes);
        return s;
    };
    // Counts at bytes 8 (tensors) and 16 (key-values).
    CHECK(bad_file("a.gguf", with(8, le64(1ull << 40))).at("message").get<std::string>().find("tensor count") != std::string::npos);
    CHECK(bad_file("a.gguf", with(16, le64(1ull << 40))).at("message").get<std::string>().find("key-value count") != std::string::npos);
    // The first key's length (byte 24): beyond the header limit, and beyond the file.
    CHECK(bad_file("a.gguf", with(24, le64(1ull << 62))).at("field") == "a.gguf");
    CHECK(bad_file("a.gguf", with(24, le64(1000000))).at("message").get<std::string>().find("at most 4,096") != std::string::npos);
    CHECK(bad_file("a.gguf", with(56, le64(1000000))).at("message").get<std::string>().find("past the end") != std::string::npos);  // a string value
    CHECK(bad_file("a.gguf", with(4, Gguf::u32(7))).at("message").get<std::string>().find("version 7") != std::string::npos);
    CHECK(bad_file("a.gguf", good.substr(0, 200)).at("message").get<std::string>().find("past the end") != std::string::npos);  // truncated, size known
    CHECK(bad_file("a.gguf", good.substr(0, good.size() - 32)).at("message").get<std::string>().find("past the end") != std::string::npos);
    Gguf g;
    g.kv += Gguf::str("x") + Gguf::u32(9) + Gguf::u32(9) + le64(1);  // an array of arrays
    g.n_kv = 1;
    CHECK(bad_file("a.gguf", g.file()).at("message").get<std::string>().find("arrays") != std::string::npos);
    Gguf huge;
    huge.kv += Gguf::str("x") + Gguf::u32(9) + Gguf::u32(8) + le64(1ull << 25);  // 33 million strings announced
    huge.n_kv = 1;
    CHECK(bad_file("a.gguf", huge.file()).at("code") == "invalid_file");
    Gguf dims;
    dims.tensor("t", {1, 1, 1, 1, 1}, F32, 4);
    CHECK(bad_file("a.gguf", dims.file()).at("message").get<std::string>().find("5 dimensions") != std::string::npos);
    Gguf type;
    type.tensor("t", {32}, 4, 18);  // ggml type 4 was removed
    CHECK(bad_file("a.gguf", type.file()).at("message").get<std::string>().find("unknown ggml type") != std::string::npos);
    Gguf rows;
    rows.tensor("t", {100}, Q4_K, 144);  // not a whole 256-weight block
    CHECK(bad_file("a.gguf", rows.file()).at("message").get<std::string>().find("blocks") != std::string::npos);
    Gguf overlap;
    overlap.tensor("a", {64}, F32, 256);
    overlap.data = 0;  // the second tensor claims the first one's bytes
    overlap.tensor("b", {64}, F32, 256);
    CHECK(bad_file("a.gguf", overlap.file()).at("message").get<std::string>().find("overlapping") != std::string::npos);
    Gguf overflow;
    overflow.tensor("t", {1ull << 40, 1ull << 40}, F32, 4);
    CHECK(bad_file("a.gguf", overflow.file()).at("code") == "invalid_file");
}

TEST_CASE("inspect requests are checked field by field") {
    CHECK(error_of("inspect", "{}").at("field") == "files");
    CHECK(error_of("inspect", R"({"files": [{"name": "a.gguf", "data_base64": "@@@"}]})").at("field") == "files[0].data_base64");
    CHECK(error_of("inspect", R"({"files": [{"name": "a.gguf", "size": -1}]})").at("field") == "files[0].size");
    CHECK(error_of("inspect", R"({"files": [{"name": "a.gguf", "colour": 1}]})").at("field") == "files[0].colour");
    CHECK(error_of("inspect", R"({"files": [{"name": "x.bin", "size": 12, "data_base64": "AAAAAAAAAAAAAAAA"}]})").at("code") == "invalid_file");
}

TEST_CASE("an estimate with the checkpoint summary takes its weights from the headers") {
    // GGUF under llama.cpp: every weight byte of the file, on the GPU and the host together.
    json req = inspect_call({{"tiny-Q4_K_M.gguf", tiny_llama_gguf().file()}}).at("request");
    req["gpu"] = "rtx-4090";
    json r = api::estimate(req);
    CHECK(sum_weights(r) == kGgufBytes);
    // Safetensors under vLLM.
    const json in = api::inspect_files({whole("model.safetensors", safetensors(tiny_safetensors())), whole("config.json", kTinyConfig)});
    req = in.at("request");
    req["gpu"] = "rtx-4090";
    r = api::estimate(req);
    CHECK(sum_weights(r) == kStBytes);
    // Without the summary the same config is emulated as BF16: a different figure.
    req.erase("checkpoint");
    CHECK(sum_weights(api::estimate(req)) != kStBytes);
}

TEST_CASE("a checkpoint summary is validated like every field") {
    const std::string base = std::string(R"({"config": )") + kTinyConfig + R"(, "gpu": "rtx-4090", "checkpoint": )";
    CHECK(error_of("estimate", base + R"({"format": "safetensors", "tensor_bytes": 10, "layers": [4, 4]}})").at("field") == "checkpoint.tensor_bytes");
    CHECK(error_of("estimate", base + R"({"format": "safetensors", "tensor_bytes": 4, "layers": [4]}})").at("field") == "checkpoint.layers");
    CHECK(error_of("estimate", base + R"({"format": "safetensors", "tensor_bytes": 4, "layers": [4, 0]}})").at("field") == "checkpoint.layers[1]");
    CHECK(error_of("estimate", base + R"({"format": "safetensors", "tensor_bytes": -4, "layers": [4]}})").at("field") == "checkpoint.tensor_bytes");
    CHECK(error_of("estimate", base + R"({"format": "safetensors", "tensor_bytes": 4, "layers": [-4]}})").at("field") == "checkpoint.layers[0]");
    CHECK(error_of("estimate", base + R"({"format": "onnx", "tensor_bytes": 8, "layers": [4, 4]}})").at("field") == "checkpoint.format");
    // A GGUF summary under a runtime whose weights are safetensors.
    const std::string on_vllm = std::string(R"({"runtime": "vllm", "config": )") + kTinyConfig + R"(, "gpu": "rtx-4090", "checkpoint": )";
    CHECK(error_of("estimate", on_vllm + R"({"format": "gguf", "tensor_bytes": 8, "layers": [4, 4]}})").at("field") == "checkpoint.format");
    CHECK(error_of("estimate", base + R"({"format": "safetensors", "tensor_bytes": 8, "layers": [4, 4], "heads": 1}})").at("field") == "checkpoint.heads");
    CHECK(error_of("estimate", R"({"file": "model.gguf"})").at("field") == "file");
}

#ifdef FITMYGPU_CLI
namespace {
namespace fs = std::filesystem;

struct Run {
    int status;
    json out;
};
Run run_cli(const std::string& args) {
    const std::string cmd = std::string(FITMYGPU_CLI) + " " + args + " 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
    const int status = pclose(p);
    return {WEXITSTATUS(status), json::parse(text)};
}
void write(const fs::path& p, const std::string& data) { std::ofstream(p, std::ios::binary) << data; }
}  // namespace

TEST_CASE("the command line inspects files from their headers and estimates with \"file\"") {
    const fs::path dir = fs::temp_directory_path() / ("fitmygpu-inspect-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    write(dir / "tiny-Q4_K_M.gguf", tiny_llama_gguf().file());
    write(dir / "bad.gguf", tiny_llama_gguf().file().substr(0, 100));
    Run r = run_cli("inspect " + (dir / "tiny-Q4_K_M.gguf").string());
    CHECK(r.status == 0);
    CHECK(r.out.at("tensor_bytes") == kGgufBytes);
    CHECK(r.out.at("parameters") == kGgufParams);
    r = run_cli("inspect " + (dir / "bad.gguf").string());
    CHECK(r.status == 2);
    CHECK(r.out.at("error").at("field") == "bad.gguf");
    write(dir / "req.json", json{{"file", (dir / "tiny-Q4_K_M.gguf").string()}, {"gpu", "rtx-4090"}}.dump());
    r = run_cli("estimate " + (dir / "req.json").string());
    CHECK(r.status == 0);
    CHECK(sum_weights(r.out) == kGgufBytes);

    // Two safetensors shards with their index and config beside them: the index brings in the shards.
    const fs::path st = dir / "st";
    fs::create_directories(st);
    std::vector<St> all = tiny_safetensors();
    write(st / "model-00001-of-00002.safetensors", safetensors({all.begin(), all.begin() + 3}));
    write(st / "model-00002-of-00002.safetensors", safetensors({all.begin() + 3, all.end()}));
    json index = {{"metadata", {{"total_size", kStBytes}}}, {"weight_map", json::object()}};
    for (size_t i = 0; i < all.size(); ++i) index["weight_map"][all[i].name] = i < 3 ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
    write(st / "model.safetensors.index.json", index.dump());
    write(st / "config.json", kTinyConfig);
    r = run_cli("inspect " + (st / "model.safetensors.index.json").string());
    CHECK(r.status == 0);
    CHECK(r.out.at("parameters") == kStParams);
    CHECK(r.out.at("tensor_bytes") == kStBytes);
    CHECK(r.out.at("architecture") == "LlamaForCausalLM");
    write(dir / "req2.json", json{{"file", (st / "model-00001-of-00002.safetensors").string()}, {"gpu", "rtx-4090"}}.dump());
    r = run_cli("estimate " + (dir / "req2.json").string());
    CHECK(r.status == 0);
    CHECK(sum_weights(r.out) == kStBytes);
    // A missing shard: no summary, and estimate says why.
    fs::remove(st / "model-00002-of-00002.safetensors");
    r = run_cli("estimate " + (dir / "req2.json").string());
    CHECK(r.status == 2);
    CHECK(r.out.at("error").at("field") == "file");
    fs::remove_all(dir);
}
#endif
