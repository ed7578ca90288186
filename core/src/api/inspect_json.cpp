// inspect: checkpoint files → what they hold (format, architecture, parameters, tensor bytes and types, the
// quantization they state) and the checkpoint summary a request carries as "checkpoint". The files come as their
// first bytes (base64) or, for JSON files, as text; a header longer than what was given is answered with
// {"need_bytes": [{"name", "bytes"}]} so the caller can read more of the file and ask again.
#include <algorithm>
#include <map>
#include <set>

#include "fitmygpu/api.hpp"
#include "fitmygpu/checked.hpp"
#include "fitmygpu/checkpoint_files.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"
#include "fitmygpu/pattern.hpp"
#include "request_json.hpp"

namespace fitmygpu::api {

using nlohmann::json;

namespace {

constexpr i64 kMaxFiles = 4096;  // a sharded checkpoint: DeepSeek-V3 has 163 shards

bool ends_with(const std::string& s, const std::string& tail) { return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0; }

std::string decode_base64(const std::string& in, const std::string& field) {
    static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int table[256];
    std::fill(std::begin(table), std::end(table), -1);
    for (size_t i = 0; i < kAlphabet.size(); ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
    std::string out;
    out.reserve(in.size() / 4 * 3);
    uint32_t acc = 0;
    int bits = 0;
    size_t pad = 0;
    for (char c : in) {
        if (c == '=') {
            ++pad;
            continue;
        }
        const int v = table[static_cast<unsigned char>(c)];
        if (v < 0 || pad > 0) fail("invalid_field", field, field + " is not base64 text");
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    if (pad > 2) fail("invalid_field", field, field + " is not base64 text");
    return out;
}

std::vector<FileBytes> read_files(const json& request) {
    if (!request.is_object()) fail("invalid_request", "", "the request must be a JSON object");
    for (auto it = request.begin(); it != request.end(); ++it)
        if (it.key() != "files") fail("unknown_field", it.key().substr(0, 60), "\"" + it.key().substr(0, 60) + "\" is not a field of inspect (files)");
    if (!request.contains("files") || !request.at("files").is_array() || request.at("files").empty())
        fail("missing_field", "files", "files must be a non-empty array of {\"name\", \"size\", \"data_base64\"}");
    const json& list = request.at("files");
    if (static_cast<i64>(list.size()) > kMaxFiles) fail("invalid_field", "files", "at most " + group_digits(kMaxFiles) + " files");
    std::vector<FileBytes> files;
    std::set<std::string> names;
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string f = "files[" + std::to_string(i) + "]";
        const json& item = list[i];
        if (!item.is_object() || !item.contains("name")) fail("invalid_field", f, f + " must be {\"name\", \"size\", \"data_base64\"}");
        FileBytes fb;
        for (auto it = item.begin(); it != item.end(); ++it) {
            const std::string k = it.key();
            if (k == "name") fb.name = name_field(it.value(), f + ".name");
            else if (k == "size") fb.size = int_field(it.value(), f + ".size", 0, i64{1} << 52);
            else if (k == "data_base64") fb.data = decode_base64(string_field(it.value(), f + ".data_base64"), f + ".data_base64");
            else if (k == "text") fb.data = string_field(it.value(), f + ".text");
            else fail("unknown_field", f + "." + k.substr(0, 60), f + "." + k.substr(0, 60) + " is not a field (name, size, data_base64, text)");
        }
        if (item.contains("data_base64") && item.contains("text")) fail("invalid_field", f + ".text", "give data_base64 or text, not both");
        if (fb.name.empty()) fail("invalid_field", f + ".name", f + ".name must not be empty");
        if (fb.size >= 0 && static_cast<i64>(fb.data.size()) > fb.size)
            fail("invalid_field", f + ".size", f + ".size is " + std::to_string(fb.size) + " but " + std::to_string(fb.data.size()) + " bytes were given");
        if (!names.insert(fb.name).second) fail("invalid_field", f + ".name", "two files are named \"" + fb.name + "\"");
        files.push_back(std::move(fb));
    }
    return files;
}

enum class Kind { Config, Index, Safetensors, Gguf };

Kind kind_of(const FileBytes& f) {
    if (looks_like_gguf(f.data) || ends_with(f.name, ".gguf")) return Kind::Gguf;
    if (ends_with(f.name, ".json")) return f.data.find("\"weight_map\"") != std::string::npos ? Kind::Index : Kind::Config;
    if (ends_with(f.name, ".safetensors") || looks_like_safetensors(f.data)) return Kind::Safetensors;
    if (f.data.size() < 9 && (f.size < 0 || f.size > static_cast<i64>(f.data.size()))) throw NeedBytes{std::min<i64>(f.size < 0 ? 4096 : f.size, 4096)};
    fail("invalid_file", f.name, f.name + ": not a config.json, safetensors index, safetensors file or GGUF file");
}

// "model-00002-of-00005.safetensors" → 5 (and the part before "-00002"); 0 when the name has no such part.
int split_count(const std::string& name, std::string* stem) {
    static const Pattern kSplit(R"((.*)-(\d{5})-of-(\d{5})\.(safetensors|gguf)$)");
    PatternMatch m;
    if (!kSplit.match_all(name, &m)) return 0;
    if (stem) *stem = m.group(name, 1);
    return std::stoi(m.group(name, 3));
}

// The weights a packed tensor holds per stored element, and whether it is a quantization auxiliary (scales, zero
// points, group indices) rather than weights. GPTQ / AWQ "qweight" and compressed-tensors "weight_packed" are int32
// holding 32/bits weights each; MXFP4 "*_blocks" (gpt-oss), NVFP4 (ModelOpt) and bitsandbytes 4-bit "weight" are
// uint8 holding two 4-bit weights each.
struct Packing {
    i64 per_element = 1;
    bool auxiliary = false;
};

Packing packing_of(const FileTensor& t, bool quantized, i64 bits) {
    const std::string& n = t.name;
    if ((ends_with(n, ".qweight") || ends_with(n, "weight_packed")) && t.dtype == "I32") return {32 / bits, false};
    if (!quantized) return {};
    static const char* const kAux[] = {".qzeros",      ".scales", ".g_idx",     "_scale",  "_scale_inv", "_scale_2",      "_scale_ub",       "_zero_point",
                                       "weight_shape", ".absmax", ".quant_map", "_scales", ".SCB",       "nested_absmax", "nested_quant_map"};
    for (const char* a : kAux)
        if (ends_with(n, a)) return {1, true};
    if (n.find("quant_state") != std::string::npos) return {1, true};
    if (t.dtype == "U8" && (ends_with(n, "_blocks") || ends_with(n, ".weight"))) return {2, false};
    return {};
}

struct Inspection {
    std::string format;
    std::string architecture;
    i64 parameters = 0;
    i64 tensor_count = 0;
    i64 tensor_bytes = 0;
    std::map<std::string, i64> tensor_types;
    i64 packed_tensors = 0, aux_tensors = 0, aux_bytes = 0;
    json quantization = nullptr;
    json not_understood = json::array();
    json files = json::array();
    CheckpointSummary summary;
    bool complete = true;
    json config = nullptr;
    std::string weights;  // for GGUF: "gguf:<file type>"
    json metadata = json::object();
};

void add_tensors(Inspection& in, const std::vector<FileTensor>& tensors, bool quantized, i64 bits, const std::string& field) {
    for (const FileTensor& t : tensors) {
        const Packing p = packing_of(t, quantized, bits);
        in.tensor_types[t.dtype] += 1;
        in.tensor_count += 1;
        in.tensor_bytes = checked::add(in.tensor_bytes, t.bytes, field, "the checkpoint's bytes");
        if (p.auxiliary) {
            in.aux_tensors += 1;
            in.aux_bytes = checked::add(in.aux_bytes, t.bytes, field, "the checkpoint's bytes");
        } else {
            if (p.per_element > 1) in.packed_tensors += 1;
            in.parameters = checked::add(in.parameters, checked::mul(t.elements, p.per_element, field, "a parameter count"), field, "a parameter count");
        }
        add_tensor(in.summary, t.name, t.bytes);
    }
}

// general.file_type (llama.cpp include/llama.h enum llama_ftype) → the file type name used by weights "gguf:<type>".
std::string gguf_file_type(i64 id) {
    struct Ftype {
        i64 id;
        const char* name;
    };
    static constexpr Ftype kFtypes[] = {
        {0, "F32"},     {1, "F16"},     {2, "Q4_0"},     {3, "Q4_1"},    {7, "Q8_0"},    {8, "Q5_0"},       {9, "Q5_1"},   {10, "Q2_K"},    {11, "Q3_K_S"},
        {12, "Q3_K_M"}, {13, "Q3_K_L"}, {14, "Q4_K_S"},  {15, "Q4_K_M"}, {16, "Q5_K_S"}, {17, "Q5_K_M"},    {18, "Q6_K"},  {19, "IQ2_XXS"}, {20, "IQ2_XS"},
        {21, "Q2_K_S"}, {22, "IQ3_XS"}, {23, "IQ3_XXS"}, {24, "IQ1_S"},  {25, "IQ4_NL"}, {26, "IQ3_S"},     {27, "IQ3_M"}, {28, "IQ2_S"},   {29, "IQ2_M"},
        {30, "IQ4_XS"}, {31, "IQ1_M"},  {32, "BF16"},    {36, "TQ1_0"},  {37, "TQ2_0"},  {38, "MXFP4_MOE"},
    };
    for (const Ftype& f : kFtypes)
        if (f.id == id) return f.name;
    return "";
}

// A Hugging Face config.json from GGUF metadata, for the decoder architectures whose keys map one to one
// (llama.cpp convert_hf_to_gguf.py writes them from these config fields). Null for any other architecture.
json config_from_gguf(const GgufHeader& h) {
    const json* arch_v = h.find("general.architecture");
    if (!arch_v || !arch_v->is_string()) return nullptr;
    const std::string arch = arch_v->get<std::string>();
    const i64 experts = [&] {
        const json* e = h.find(arch + ".expert_count");
        return e && e->is_number_integer() ? e->get<i64>() : 0;
    }();
    struct Family {
        const char* arch;
        const char* model_type;
        const char* architecture;
        const char* experts_key;
    };
    static const Family kFamilies[] = {
        {"llama", "llama", "LlamaForCausalLM", "num_local_experts"},
        {"qwen2", "qwen2", "Qwen2ForCausalLM", ""},
        {"qwen3", "qwen3", "Qwen3ForCausalLM", ""},
        {"qwen2moe", "qwen2_moe", "Qwen2MoeForCausalLM", "num_experts"},
        {"qwen3moe", "qwen3_moe", "Qwen3MoeForCausalLM", "num_experts"},
        {"gemma2", "gemma2", "Gemma2ForCausalLM", ""},
        {"gemma3", "gemma3_text", "Gemma3ForCausalLM", ""},
        {"phi3", "phi3", "Phi3ForCausalLM", ""},
        {"mistral3", "mistral", "MistralForCausalLM", ""},
    };
    const Family* fam = nullptr;
    for (const auto& f : kFamilies)
        if (arch == f.arch) fam = &f;
    if (!fam) return nullptr;
    json c = {{"model_type", fam->model_type}, {"architectures", {fam->architecture}}, {"torch_dtype", "bfloat16"}};
    if (arch == "llama" && experts > 0) c = {{"model_type", "mixtral"}, {"architectures", {"MixtralForCausalLM"}}, {"torch_dtype", "bfloat16"}};
    auto copy = [&](const std::string& key, const char* field) {
        const json* v = h.find(arch + "." + key);
        if (v && v->is_number()) c[field] = *v;
    };
    copy("block_count", "num_hidden_layers");
    copy("embedding_length", "hidden_size");
    copy("feed_forward_length", "intermediate_size");
    copy("attention.head_count", "num_attention_heads");
    copy("attention.head_count_kv", "num_key_value_heads");
    copy("attention.key_length", "head_dim");
    copy("context_length", "max_position_embeddings");
    copy("attention.layer_norm_rms_epsilon", "rms_norm_eps");
    copy("rope.freq_base", "rope_theta");
    copy("attention.sliding_window", "sliding_window");
    if (experts > 0 && *fam->experts_key) {
        copy("expert_count", fam->experts_key);
        copy("expert_used_count", "num_experts_per_tok");
        copy("expert_feed_forward_length", "moe_intermediate_size");
        copy("expert_shared_feed_forward_length", "shared_expert_intermediate_size");
    }
    bool has_output = false;
    for (const FileTensor& t : h.tensors) {
        if (t.name == "output.weight") has_output = true;
        if (t.name == "token_embd.weight" && t.shape.size() == 2) c["vocab_size"] = t.shape[1];
    }
    if (!c.contains("vocab_size"))
        if (const json* tokens = h.find("tokenizer.ggml.tokens"); tokens && tokens->is_object()) c["vocab_size"] = tokens->at("length");
    c["tie_word_embeddings"] = !has_output;
    return c;
}

// Scalars of the GGUF metadata worth showing (no tokenizer arrays), and the safetensors __metadata__.
void keep_metadata(Inspection& in, const GgufHeader& h) {
    for (const auto& [k, v] : h.metadata) {
        if (k.rfind("tokenizer.", 0) == 0 || v.is_object()) continue;
        if (in.metadata.size() >= 200) break;
        in.metadata[k] = v.is_string() && v.get_ref<const std::string&>().size() > 200 ? json(v.get<std::string>().substr(0, 200) + "...") : v;
    }
}

json summary_json(const CheckpointSummary& s) {
    return {
        {"format", s.format}, {"tensor_bytes", s.tensor_bytes}, {"layers", s.layers}, {"embedding", s.embedding}, {"output", s.output}, {"vision", s.vision},
        {"other", s.other}};
}

json inspect_files_or_throw(const std::vector<FileBytes>& files) {
    Inspection in;
    std::vector<const FileBytes*> configs, indexes, data;
    json need = json::array();
    for (const FileBytes& f : files) {
        try {
            switch (kind_of(f)) {
                case Kind::Config: configs.push_back(&f); break;
                case Kind::Index: indexes.push_back(&f); break;
                default: data.push_back(&f); break;
            }
        } catch (const NeedBytes& n) {
            need.push_back({{"name", f.name}, {"bytes", n.bytes}});
        }
    }
    if (configs.size() > 1) fail("invalid_field", "files", "more than one config.json was given");
    // The config first: its quantization_config says how packed tensors count.
    bool quantized = false;
    i64 bits = 4;
    bool bits_stated = false;
    if (!configs.empty()) {
        const FileBytes& f = *configs[0];
        if (f.size >= 0 && static_cast<i64>(f.data.size()) < f.size) need.push_back({{"name", f.name}, {"bytes", f.size}});
        else {
            json config;
            try {
                config = parse_text(f.data);
            } catch (const FieldError& e) {
                fail("invalid_file", f.name, f.name + ": " + e.what());
            }
            if (!config.is_object()) fail("invalid_file", f.name, f.name + ": a config.json must be a JSON object");
            ModelGeometry g;
            try {
                g = parse_geometry(config, "config");
            } catch (const json::exception& e) {
                fail("invalid_file", f.name, f.name + ": a field of the wrong type (" + e.what() + ")");
            } catch (const FieldError& e) {
                fail(e.code(), f.name + ":" + e.field(), f.name + ": " + e.what());
            }
            in.config = config;
            in.architecture = !g.architecture.empty() ? g.architecture : g.model_type;
            if (g.generic_reading) in.not_understood.push_back(generic_reading_note(g));
            const json* q = config.contains("quantization_config") ? &config.at("quantization_config") : nullptr;
            if (!q && config.contains("text_config") && config.at("text_config").is_object() && config.at("text_config").contains("quantization_config"))
                q = &config.at("text_config").at("quantization_config");
            if (q) {
                in.quantization = *q;
                quantized = true;
            }
            if (g.quantization.bits >= 2 && g.quantization.bits <= 8) {
                bits = g.quantization.bits;
                bits_stated = true;
            }
            if (q && q->is_object() && q->contains("config_groups") && q->at("config_groups").is_object())
                for (const auto& group : q->at("config_groups"))
                    if (group.is_object() && group.contains("weights") && group.at("weights").is_object() && group.at("weights").contains("num_bits") &&
                        group.at("weights").at("num_bits").is_number_integer()) {
                        const i64 b = group.at("weights").at("num_bits").get<i64>();
                        if (b >= 2 && b <= 8) {
                            bits = b;
                            bits_stated = true;
                        }
                    }
            in.files.push_back({{"name", f.name}, {"kind", "config"}});
        }
    }
    SafetensorsIndex index;
    std::string index_name;
    if (indexes.size() > 1) fail("invalid_field", "files", "more than one safetensors index was given");
    if (!indexes.empty()) {
        try {
            index = read_safetensors_index(*indexes[0]);
            index_name = indexes[0]->name;
            in.files.push_back({{"name", index_name}, {"kind", "index"}, {"tensors", index.tensor_count}, {"shards", index.shards}});
        } catch (const NeedBytes& n) {
            need.push_back({{"name", indexes[0]->name}, {"bytes", n.bytes}});
        }
    }

    // Safetensors and GGUF headers: read them all (so every file that needs more bytes is named at once).
    struct Read {
        const FileBytes* file;
        bool gguf;
        SafetensorsHeader st;
        GgufHeader gg;
    };
    std::vector<Read> reads;
    for (const FileBytes* f : data) {
        try {
            Read r{f, looks_like_gguf(f->data) || ends_with(f->name, ".gguf"), {}, {}};
            if (r.gguf) r.gg = read_gguf(*f);
            else r.st = read_safetensors(*f);
            reads.push_back(std::move(r));
        } catch (const NeedBytes& n) {
            need.push_back({{"name", f->name}, {"bytes", n.bytes}});
        }
    }
    if (!need.empty()) return {{"need_bytes", need}};

    bool any_gguf = false, any_st = false;
    for (const Read& r : reads) (r.gguf ? any_gguf : any_st) = true;
    if (any_gguf && (any_st || !index_name.empty()))
        fail("invalid_field", "files", "GGUF and safetensors files were given together; inspect one checkpoint at a time");
    // Packed int32 / uint8 weights without a quantization_config still count as quantized from their names.
    if (!quantized)
        for (const Read& r : reads)
            for (const FileTensor& t : r.st.tensors)
                if (ends_with(t.name, ".qweight") || ends_with(t.name, "weight_packed") || ends_with(t.name, "_blocks") || t.dtype.rfind("F8_", 0) == 0 ||
                    t.dtype == "F4")
                    quantized = true;

    in.format = any_gguf ? "gguf" : (any_st || !index_name.empty()) ? "safetensors" : "config";
    in.summary.format = in.format;
    int gguf_splits = 0;
    std::map<std::string, int> split_groups;  // "model" → expected shard count (from -0000k-of-0000N names)
    for (Read& r : reads) {
        const FileBytes& f = *r.file;
        std::string stem;
        if (const int n = split_count(f.name, &stem); n > 0) split_groups[stem + " (" + std::to_string(n) + ")"] = n;
        if (r.gguf) {
            add_tensors(in, r.gg.tensors, true, bits, f.name);
            in.files.push_back(
                {{"name", f.name}, {"kind", "gguf"}, {"header_bytes", r.gg.data_offset}, {"tensors", r.gg.tensors.size()}, {"version", r.gg.version}});
            if (const json* a = r.gg.find("general.architecture"); a && a->is_string() && in.architecture.empty()) in.architecture = a->get<std::string>();
            if (const json* ft = r.gg.find("general.file_type"); ft && ft->is_number_integer() && in.weights.empty()) {
                const std::string name = gguf_file_type(ft->get<i64>());
                if (!name.empty()) {
                    in.weights = "gguf:" + name;
                    in.quantization = {{"file_type", name}};
                } else in.not_understood.push_back("general.file_type " + ft->dump() + " is not a llama.cpp file type this estimator knows");
            }
            if (const json* sc = r.gg.find("split.count"); sc && sc->is_number_unsigned() && sc->get<uint64_t>() > 1)
                gguf_splits = static_cast<int>(std::min<uint64_t>(sc->get<uint64_t>(), 100000));
            if (in.config.is_null() && r.gg.find("general.architecture")) {
                in.config = config_from_gguf(r.gg);
                if (in.config.is_null())
                    in.not_understood.push_back("no config could be derived from the GGUF metadata of architecture \"" + in.architecture +
                                                "\"; give the model's config.json with the file");
            }
            keep_metadata(in, r.gg);
        } else {
            add_tensors(in, r.st.tensors, quantized, bits, f.name);
            json file = {{"name", f.name},
                         {"kind", "safetensors"},
                         {"header_bytes", r.st.header_bytes},
                         {"tensors", r.st.tensors.size()},
                         {"tensor_bytes", r.st.data_bytes}};
            if (!r.st.metadata.empty()) file["metadata"] = r.st.metadata;
            in.files.push_back(file);
        }
    }
    if (in.packed_tensors > 0 && !bits_stated) {
        bool int32_packed = false;
        for (const Read& r : reads)
            for (const FileTensor& t : r.st.tensors)
                int32_packed = int32_packed || ((ends_with(t.name, ".qweight") || ends_with(t.name, "weight_packed")) && t.dtype == "I32");
        if (int32_packed) in.not_understood.push_back("int32-packed weights with no bits stated in a config.json: counted as 4-bit (8 per int32)");
    }
    // Every shard the index names, and every part of "-0000k-of-0000N" names, must be present for the summary.
    json missing = json::array();
    if (!index_name.empty()) {
        std::set<std::string> given;
        for (const Read& r : reads) given.insert(r.file->name);
        for (const std::string& s : index.shards)
            if (!given.count(s)) missing.push_back(s);
        if (index.total_size >= 0 && missing.empty() && index.total_size != in.tensor_bytes)
            in.not_understood.push_back("the index's metadata.total_size is " + std::to_string(index.total_size) + " bytes; the shards' tensors take " +
                                        std::to_string(in.tensor_bytes));
        if (reads.empty()) in.tensor_bytes = std::max<i64>(index.total_size, 0);
    }
    for (const auto& [stem, n] : split_groups) {
        int present = 0;
        for (const Read& r : reads) {
            std::string st;
            if (split_count(r.file->name, &st) == n && stem == st + " (" + std::to_string(n) + ")") ++present;
        }
        if (present < n) missing.push_back(std::to_string(n - present) + " of the " + std::to_string(n) + " parts of " + stem.substr(0, stem.rfind(" (")));
    }
    if (gguf_splits > 0 && split_groups.empty() && static_cast<int>(reads.size()) < gguf_splits)
        missing.push_back(std::to_string(gguf_splits - static_cast<int>(reads.size())) + " GGUF split file(s)");
    if (!missing.empty()) in.complete = false;

    json out = {{"format", in.format}, {"architecture", in.architecture.empty() ? json(nullptr) : json(in.architecture)}};
    if (in.format == "config") {
        // Only a config: the parameter count of the tensor inventory built from it, and no file bytes.
        const ModelGeometry g = parse_geometry(in.config, "config");
        out["parameters"] = build_inventory(g).total_params();
        out["tensor_bytes"] = nullptr;
        out["tensor_types"] = json::object();
        in.not_understood.push_back(
            "only a config.json: parameters are counted from the tensor inventory it describes; tensor bytes need the checkpoint's files");
    } else {
        out["parameters"] = reads.empty() ? json(nullptr) : json(in.parameters);
        out["tensor_count"] = in.tensor_count;
        out["tensor_bytes"] = in.tensor_bytes;
        out["tensor_types"] = in.tensor_types;
        if (reads.empty()) in.not_understood.push_back("only the index: parameters and tensor types need the shards' headers");
    }
    if (in.packed_tensors > 0 || in.aux_tensors > 0)
        out["parameters_note"] = "packed weights counted as the weights they hold (" + std::to_string(in.packed_tensors) +
                                 " tensors: int32 qweight/weight_packed hold 32/bits, uint8 MXFP4/NVFP4/bitsandbytes hold 2); " +
                                 std::to_string(in.aux_tensors) + " scale, zero-point and index tensors (" + std::to_string(in.aux_bytes) +
                                 " bytes) are not parameters";
    out["quantization"] = in.quantization;
    out["files"] = in.files;
    if (!missing.empty()) {
        out["missing_files"] = missing;
        in.not_understood.push_back("files of the checkpoint are missing, so there is no checkpoint summary: give every shard");
    }
    if (!in.metadata.empty()) out["metadata"] = in.metadata;
    out["not_understood"] = in.not_understood;
    if (in.format != "config" && in.complete && !reads.empty()) {
        out["checkpoint"] = summary_json(in.summary);
        if (!in.config.is_null()) {
            json request = {{"config", in.config}, {"checkpoint", out["checkpoint"]}};
            if (in.format == "gguf") request["runtime"] = "llama.cpp";  // GGUF files are llama.cpp's (and Ollama's)
            if (!in.weights.empty()) request["weights"] = in.weights;
            out["request"] = request;
        }
    } else {
        out["checkpoint"] = nullptr;
    }
    return out;
}

}  // namespace

json inspect_files(const std::vector<FileBytes>& files) { return inspect_files_or_throw(files); }

json inspect(const json& request) { return inspect_files(read_files(request)); }

CheckpointSummary checkpoint_field(const json& v) {
    if (!v.is_object()) fail("invalid_field", "checkpoint", "checkpoint must be an object as inspect returns it");
    CheckpointSummary s;
    auto bytes = [](const json& x, const std::string& f) { return int_field(x, f, 0, kMaxCheckpointBytes); };
    bool has_format = false, has_total = false, has_layers = false;
    for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string k = it.key();
        const std::string f = "checkpoint." + k.substr(0, 60);
        if (k == "format") {
            s.format = name_field(it.value(), f);
            if (s.format != "safetensors" && s.format != "gguf") fail("invalid_field", f, f + " must be \"safetensors\" or \"gguf\"");
            has_format = true;
        } else if (k == "tensor_bytes") {
            s.tensor_bytes = bytes(it.value(), f);
            has_total = true;
        } else if (k == "layers") {
            const json& l = it.value();
            if (!l.is_array() || l.empty() || static_cast<i64>(l.size()) > kMaxCheckpointLayers)
                fail("invalid_field", f, f + " must be a list of 1 to " + std::to_string(kMaxCheckpointLayers) + " byte counts, one per layer");
            for (size_t i = 0; i < l.size(); ++i) s.layers.push_back(bytes(l[i], f + "[" + std::to_string(i) + "]"));
            has_layers = true;
        } else if (k == "embedding") s.embedding = bytes(it.value(), f);
        else if (k == "output") s.output = bytes(it.value(), f);
        else if (k == "vision") s.vision = bytes(it.value(), f);
        else if (k == "other") s.other = bytes(it.value(), f);
        else fail("unknown_field", f, f + " is not a checkpoint field (format, tensor_bytes, layers, embedding, output, vision, other)");
    }
    if (!has_format) fail("missing_field", "checkpoint.format", "checkpoint.format is required");
    if (!has_total) fail("missing_field", "checkpoint.tensor_bytes", "checkpoint.tensor_bytes is required");
    if (!has_layers) fail("missing_field", "checkpoint.layers", "checkpoint.layers is required");
    i64 sum = 0;
    for (i64 b : s.layers) sum = checked::add(sum, b, "checkpoint.layers");
    for (i64 b : {s.embedding, s.output, s.vision, s.other}) sum = checked::add(sum, b, "checkpoint");
    if (sum != s.tensor_bytes)
        fail("invalid_field", "checkpoint.tensor_bytes",
             "checkpoint.tensor_bytes is " + std::to_string(s.tensor_bytes) + " but its parts add up to " + std::to_string(sum) + " (edited by hand?)");
    return s;
}

}  // namespace fitmygpu::api
