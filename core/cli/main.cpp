// fitmygpu: the estimator on the command line.
//   fitmygpu estimate [FILE|-] [--table]   request JSON in, response JSON out (exit 2 on a bad request)
//   fitmygpu compare  [FILE|-]             the request's setup on every catalog GPU
//   fitmygpu quantizations [FILE|-]        the setup under every weight format the runtime loads; the best that fits
//   fitmygpu plan [FILE|-]                 the hardware first: every catalog model and checkpoint on the request's devices
//   fitmygpu check-log REQUEST LOG         each figure of an engine's startup log beside the estimate
//   fitmygpu command [FILE|-]              the command that launches the request's setup
//   fitmygpu from-command "CMD" | -        a launch command read back into a request
//   fitmygpu schema [--table]              the engine registry: runtimes, formats, KV types, knobs
//   fitmygpu defaults [FILE|-]             the knob defaults of the request's runtime on its devices
//   fitmygpu catalog models|gpus [--json]  one entry per line, id first
//   fitmygpu search models|gpus QUERY...   ranked ids
//   fitmygpu model ID                      a model's catalog record with its derived geometry and parameter counts
//   fitmygpu config-as-read [FILE|-]       a config.json (or a JSON array of them) with only the fields the estimator
//                                          reads; the wasm build embeds the catalog's configs this way
//   fitmygpu calls [FILE|-]                the JSON API in bulk: one {"method", "request"} object per line in, the
//                                          answer to each (compact JSON, as the API writes it) on a line of its own out
//   fitmygpu inspect FILE...               checkpoint files (config.json, safetensors file or index, GGUF) read from
//                                          their headers; a request's "file": "PATH" stands for the model
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fitmygpu/api.hpp"
#include "fitmygpu/error.hpp"
#include "fitmygpu/expr.hpp"

using nlohmann::json;
using namespace fitmygpu;

namespace {

int usage() {
    std::cerr << "usage:\n"
                 "  fitmygpu estimate [FILE|-] [--table]\n"
                 "  fitmygpu compare [FILE|-]\n"
                 "  fitmygpu quantizations [FILE|-]\n"
                 "  fitmygpu plan [FILE|-]\n"
                 "  fitmygpu check-log REQUEST.json LOG.txt\n"
                 "  fitmygpu command [FILE|-]\n"
                 "  fitmygpu from-command \"CMD\" | -\n"
                 "  fitmygpu schema [--table]\n"
                 "  fitmygpu defaults [FILE|-]\n"
                 "  fitmygpu catalog models|gpus [--json]\n"
                 "  fitmygpu search models|gpus QUERY...\n"
                 "  fitmygpu model ID\n"
                 "  fitmygpu config-as-read [FILE|-]\n"
                 "  fitmygpu calls [FILE|-]\n"
                 "  fitmygpu inspect FILE...\n";
    return 64;
}

bool read_input(const std::string& path, std::string& out) {
    if (path == "-") {
        out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        return true;
    }
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return true;
}

// Output is always printable JSON: text from the input that is not valid UTF-8 is replaced, not fatal.
std::string dump(const json& j) { return j.dump(2, ' ', false, json::error_handler_t::replace); }
// The same on one line: a request handed to the API, or one line of output.
std::string compact(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The input of a command that reads one file (or - for stdin); false after printing the error when it cannot be read.
bool read_input_or_say(const std::string& path, std::string& out) {
    if (read_input(path, out)) return true;
    std::cout << dump(api::error_json("unreadable_input", "", "cannot read " + path)) << "\n";
    return false;
}

bool g_decimal = false;  // the request asked for "units": "decimal"

std::string gib(i64 bytes) {
    char buf[32];
    if (g_decimal) std::snprintf(buf, sizeof buf, "%.2f GB", static_cast<double>(bytes) / 1e9);
    else std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / static_cast<double>(GiB));
    return buf;
}

void print_table(const json& r) {
    std::cout << "verdict: " << r.at("verdict").get<std::string>() << "\n";
    for (const auto& d : r.at("devices")) {
        std::cout << "\n"
                  << d.at("id").get<std::string>() << "  " << d.at("name").get<std::string>() << "\n"
                  << "  capacity " << gib(d.at("capacity_bytes")) << ", budget " << gib(d.at("budget_bytes")) << ", required " << gib(d.at("required_bytes"))
                  << ", headroom " << gib(d.at("headroom_bytes")) << "\n";
    }
    std::cout << (g_decimal ? "\nbreakdown (GB = 10^9 bytes):\n" : "\nbreakdown (GiB = 2^30 bytes):\n");
    for (const auto& b : r.at("breakdown")) {
        const int dev = b.at("device").get<int>();
        char line[256];
        std::snprintf(line, sizeof line, "  %-5s %-12s %-38s %12s", dev < 0 ? "host" : ("#" + std::to_string(dev)).c_str(),
                      b.at("component").get<std::string>().c_str(), b.at("label").get<std::string>().c_str(), gib(b.at("bytes")).c_str());
        std::cout << line << "\n      = " << b.at("formula").get<std::string>() << "\n      = " << b.at("substituted").get<std::string>() << "\n";
    }
    const auto& kv = r.at("kv_cache");
    std::cout << "\nKV cache: " << kv.at("bytes_per_token").get<i64>() << " bytes per token; capacity " << kv.at("capacity_tokens").get<i64>()
              << " tokens; max concurrency " << kv.at("max_concurrency").dump() << "\n";
    std::cout << "limits: max context " << r.at("limits").at("max_context").get<i64>() << " tokens, max concurrency "
              << r.at("limits").at("max_concurrency").get<i64>() << "\n";
    const auto& host = r.at("host");
    if (host.at("capacity_bytes").get<i64>() > 0)
        std::cout << "system RAM: required " << gib(host.at("required_bytes")) << " of " << gib(host.at("capacity_bytes")) << ", headroom "
                  << gib(host.at("headroom_bytes")) << (host.at("unified").get<bool>() ? " (unified memory, GPU share included)" : "") << "\n";
    if (r.contains("speed") && r.at("speed").is_object()) {
        // A figure the estimator cannot give is null: printed as "unknown" (the reason is among the assumptions).
        const auto& sp = r.at("speed");
        auto figure = [&](const char* key) { return sp.at(key).is_number() ? "~" + sp.at(key).dump() : std::string("unknown"); };
        std::cout << "speed: " << figure("decode_tokens_per_s") << " tokens/s decode per request (" << figure("tpot_ms") << " ms per token), "
                  << figure("total_decode_tokens_per_s") << " tokens/s all requests; prefill " << figure("prefill_tokens_per_s")
                  << " tokens/s, time to first token " << figure("ttft_s") << " s\n";
    }
    for (const auto& w : r.at("warnings")) std::cout << "warning: " << w.get<std::string>() << "\n";
    for (const auto& a : r.at("assumptions")) std::cout << "assumes: " << a.get<std::string>() << "\n";
}

namespace fs = std::filesystem;

// The first `bytes` bytes of a file, and its size: only the header is ever read, never the tensor data.
FileBytes read_prefix(const fs::path& path, i64 bytes) {
    std::ifstream f(path, std::ios::binary);
    if (!f) fail("unreadable_input", path.filename().string(), "cannot read " + path.string());
    FileBytes fb;
    fb.name = path.filename().string();
    std::error_code ec;
    fb.size = static_cast<i64>(fs::file_size(path, ec));
    if (ec) fail("unreadable_input", fb.name, "cannot read " + path.string());
    fb.data.resize(static_cast<size_t>(std::min(bytes, fb.size)));
    f.read(fb.data.data(), static_cast<std::streamsize>(fb.data.size()));
    fb.data.resize(static_cast<size_t>(f.gcount()));
    return fb;
}

bool ends_with(const std::string& s, const std::string& tail) { return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0; }

// The files to read for the paths given: each path, plus the shards an index names and the other parts of a
// "-00001-of-0000N" file when they sit beside it, plus the config.json beside a safetensors checkpoint.
std::vector<fs::path> checkpoint_paths(const std::vector<std::string>& given) {
    std::vector<fs::path> paths;
    auto add = [&](const fs::path& p) {
        for (const auto& q : paths)
            if (fs::absolute(q) == fs::absolute(p)) return;
        paths.push_back(p);
    };
    bool has_config = false, safetensors = false;
    for (const auto& g : given) {
        const fs::path p(g);
        add(p);
        const std::string name = p.filename().string();
        const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
        if (ends_with(name, ".json") && !ends_with(name, ".index.json")) has_config = true;
        if (ends_with(name, ".safetensors") || ends_with(name, ".index.json")) safetensors = true;
        if (ends_with(name, ".index.json")) {
            try {
                const json index = api::parse_text(read_prefix(p, i64{16} << 20).data);
                std::vector<std::string> shards;
                for (const auto& [tensor, shard] : index.at("weight_map").items())
                    if (shard.is_string() && std::find(shards.begin(), shards.end(), shard.get<std::string>()) == shards.end())
                        shards.push_back(shard.get<std::string>());
                for (const auto& s : shards)
                    if (s.find('/') == std::string::npos && fs::exists(dir / s)) add(dir / s);
            } catch (const std::exception&) {
                // the index itself is read and judged with the others
            }
        }
        static const std::regex kSplit(R"((.*)-(\d{5})-of-(\d{5})\.(safetensors|gguf)$)");
        std::smatch m;
        if (std::regex_match(name, m, kSplit)) {
            const int n = std::stoi(m[3].str());
            for (int k = 1; k <= n && k <= 99999; ++k) {
                char part[32];
                std::snprintf(part, sizeof part, "-%05d-of-%05d.", k, n);
                const fs::path sibling = dir / (m[1].str() + part + m[4].str());
                if (fs::exists(sibling)) add(sibling);
            }
        }
    }
    if (!has_config && safetensors && !given.empty()) {
        const fs::path dir = fs::path(given[0]).parent_path().empty() ? fs::path(".") : fs::path(given[0]).parent_path();
        if (fs::exists(dir / "config.json")) add(dir / "config.json");
    }
    return paths;
}

// inspect through the API, growing each file's prefix until every header is parsed.
json inspect_paths(const std::vector<std::string>& given) {
    std::vector<fs::path> paths = checkpoint_paths(given);
    std::vector<FileBytes> files;
    for (const auto& p : paths) files.push_back(read_prefix(p, ends_with(p.filename().string(), ".json") ? i64{100} << 20 : i64{1} << 16));
    for (int round = 0; round < 64; ++round) {
        const json r = api::inspect_files(files);
        if (!r.contains("need_bytes")) return r;
        for (const auto& need : r.at("need_bytes"))
            for (size_t i = 0; i < files.size(); ++i)
                if (files[i].name == need.at("name").get<std::string>()) files[i] = read_prefix(paths[i], need.at("bytes").get<i64>());
    }
    fail("invalid_file", given.front(), "the headers did not finish after 64 reads");
}

// A request's "file": the checkpoint's config and summary read from its headers stand for "model".
json with_file(json request) {
    if (!request.is_object() || !request.contains("file")) return request;
    if (!request.at("file").is_string()) fail("invalid_field", "file", "file must be the path of a checkpoint file");
    if (request.contains("model") || request.contains("config") || request.contains("checkpoint"))
        fail("invalid_field", "file", "give file or model (or config), not both");
    const std::string path = request.at("file").get<std::string>();
    if (!fs::exists(path)) fail("invalid_field", "file", "no file " + path);
    const json inspected = inspect_paths({path});
    if (!inspected.contains("request")) {
        std::string why = "cannot estimate from " + path + ": ";
        if (inspected.at("checkpoint").is_null()) why += "files of the checkpoint are missing";
        else why += "no config for it (put the model's config.json beside it)";
        for (const auto& n : inspected.at("not_understood")) why += "; " + n.get<std::string>();
        fail("invalid_field", "file", why);
    }
    json out = inspected.at("request");
    request.erase("file");
    for (auto it = request.begin(); it != request.end(); ++it) out[it.key()] = it.value();
    return out;
}

}  // namespace

// One runtime of the schema as text: formats, KV types, then a knob per line with its default and range.
void print_runtime(const json& rt) {
    auto joined = [](const json& list) {
        std::string out;
        for (const auto& v : list) out += (out.empty() ? "" : ", ") + (v.is_string() ? v.get<std::string>() : v.dump());
        return out;
    };
    std::cout << rt.at("id").get<std::string>() << "  " << rt.at("name").get<std::string>() << "\n";
    std::cout << "  formats: " << joined(rt.at("formats")) << "\n";
    json kv = json::array();
    for (const auto& t : rt.at("kv_cache_types")) kv.push_back(t.at("id"));
    std::cout << "  kv cache types: " << joined(kv) << "\n";
    std::cout << "  cards: " << joined(rt.at("card_counts")) << " (" << joined(rt.at("parallel")) << ")\n";
    std::cout << "  verdict: " << rt.at("verdict").at("rule").get<std::string>() << "\n";
    for (const auto& k : rt.at("knobs")) {
        std::string range;
        if (k.contains("min") && k.contains("max")) range = " [" + k.at("min").dump() + ", " + k.at("max").dump() + "]";
        const json& d = k.at("default");
        const std::string def = !d.is_null() ? d.dump() : k.at("default_text").is_string() ? k.at("default_text").get<std::string>() : "none";
        std::cout << "  " << k.at("name").get<std::string>() << " (" << k.at("type").get<std::string>() << range << ") default " << def << "\n";
    }
}

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return usage();
    const std::string cmd = args[0];
    bool table = false, as_json = false;
    std::vector<std::string> rest;
    for (size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--table") table = true;
        else if (args[i] == "--json") as_json = true;
        else rest.push_back(args[i]);
    }

    if (cmd == "schema") {
        const json r = api::schema();
        if (!table) {
            std::cout << dump(r) << "\n";
            return 0;
        }
        for (const auto& rt : r.at("runtimes")) print_runtime(rt);
        return 0;
    }
    if (cmd == "calls") {
        std::string text;
        const std::string path = rest.empty() ? "-" : rest[0];
        if (!read_input_or_say(path, text)) return 2;
        std::istringstream lines(text);
        std::string line;
        size_t number = 0;
        while (std::getline(lines, line)) {
            ++number;
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            const std::string where = "line " + std::to_string(number);
            std::string out;
            try {
                const json call = api::parse_text(line);
                if (!call.is_object() || !call.contains("method") || !call.at("method").is_string())
                    fail("invalid_request", "method", where + ": each line is {\"method\": \"...\", \"request\": {...}}");
                const json request = call.contains("request") ? call.at("request") : json::object();
                out = api::call(call.at("method").get<std::string>(), compact(request));
            } catch (const FieldError& e) {
                out = compact(api::error_json(e.code(), e.field(), e.what()));
            }
            std::cout << out << "\n";
        }
        return 0;
    }
    if (cmd == "from-command") {
        if (rest.empty()) return usage();
        std::string text;
        if (rest.size() == 1 && rest[0] == "-") read_input("-", text);
        else
            for (size_t i = 0; i < rest.size(); ++i) text += (i ? " " : "") + rest[i];
        const json r = json::parse(api::call("from_command", compact({{"command", text}})));
        std::cout << dump(r) << "\n";
        return r.contains("error") ? 2 : 0;
    }
    if (cmd == "estimate" || cmd == "compare" || cmd == "quantizations" || cmd == "plan" || cmd == "defaults" || cmd == "command") {
        std::string text;
        const std::string path = rest.empty() ? "-" : rest[0];
        if (!read_input_or_say(path, text)) return 2;
        try {
            json req = api::parse_text(text);
            if (req.is_object() && req.contains("file")) text = compact(with_file(std::move(req)));
        } catch (const FieldError& e) {
            std::cout << dump(api::error_json(e.code(), e.field(), e.what())) << "\n";
            return 2;
        }
        const std::string out = api::call(cmd, text);
        const json r = json::parse(out);
        if (r.contains("error")) {
            std::cout << dump(r) << "\n";
            return 2;
        }
        if (table && cmd == "estimate") {
            g_decimal = api::wants_decimal(api::parse_text(text));  // the call above already accepted both
            print_table(r);
        } else std::cout << dump(r) << "\n";
        return 0;
    }
    if (cmd == "check-log") {
        if (rest.size() != 2) return usage();
        std::string req_text, log_text;
        if (!read_input(rest[0], req_text) || !read_input(rest[1], log_text)) {
            std::cout << dump(api::error_json("unreadable_input", "", "cannot read " + rest[0] + " or " + rest[1])) << "\n";
            return 2;
        }
        json req;
        try {
            req = api::parse_text(req_text);
        } catch (const FieldError& e) {
            std::cout << dump(api::error_json(e.code(), "request", e.what())) << "\n";
            return 2;
        }
        const json r = json::parse(api::call("check_log", compact({{"request", req}, {"log", log_text}})));
        std::cout << dump(r) << "\n";
        return r.contains("error") ? 2 : 0;
    }
    if (cmd == "inspect") {
        if (rest.empty()) return usage();
        try {
            std::cout << dump(inspect_paths(rest)) << "\n";
            return 0;
        } catch (const FieldError& e) {
            std::cout << dump(api::error_json(e.code(), e.field(), e.what())) << "\n";
        } catch (const std::exception& e) {
            std::cout << dump(api::error_json("internal_error", "", e.what())) << "\n";
        }
        return 2;
    }
    if (cmd == "catalog") {
        if (rest.empty() || (rest[0] != "models" && rest[0] != "gpus")) return usage();
        const json list = rest[0] == "models" ? api::list_models().at("models") : api::list_gpus().at("gpus");
        for (const auto& item : list) {
            if (as_json) {
                std::cout << compact(item) << "\n";
            } else if (rest[0] == "models") {
                std::cout << item.at("id").get<std::string>() << "\t" << item.at("name").get<std::string>() << "\t" << item.value("family", "") << "\n";
            } else {
                std::cout << item.at("id").get<std::string>() << "\t" << item.at("name").get<std::string>() << "\t" << item.value("memory_mib", 0.0)
                          << " MiB\n";
            }
        }
        return 0;
    }
    if (cmd == "model") {
        if (rest.size() != 1) return usage();
        const json r = json::parse(api::call("model", compact({{"model", rest[0]}})));
        std::cout << dump(r) << "\n";
        return r.contains("error") ? 2 : 0;
    }
    if (cmd == "config-as-read") {
        std::string text;
        const std::string path = rest.empty() ? "-" : rest[0];
        if (!read_input_or_say(path, text)) return 2;
        try {
            const json given = api::parse_text(text);
            json out = json::array();
            if (given.is_array())
                for (const auto& config : given) out.push_back(config_as_read(config));
            else out = config_as_read(given);
            std::cout << dump(out) << "\n";
            return 0;
        } catch (const FieldError& e) {
            std::cout << dump(api::error_json(e.code(), e.field(), e.what())) << "\n";
            return 2;
        }
    }
    if (cmd == "search") {
        if (rest.size() < 2) return usage();
        std::string q;
        for (size_t i = 1; i < rest.size(); ++i) q += (i > 1 ? " " : "") + rest[i];
        const json r = json::parse(api::call("search", compact({{"kind", rest[0]}, {"query", q}})));
        if (r.contains("error")) {
            std::cout << dump(r) << "\n";
            return 2;
        }
        for (const auto& id : r.at("results")) std::cout << id.get<std::string>() << "\n";
        return 0;
    }
    return usage();
}
