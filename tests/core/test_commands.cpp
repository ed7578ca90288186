// Launch commands: setups written as the command that runs them, and commands as users write them read back
// into requests. The commands below follow the engines' own documentation (vLLM `vllm serve`, SGLang
// `python -m sglang.launch_server`, trtllm-serve, llama.cpp tools/server/README.md, Ollama's FAQ on
// environment variables, mlx-lm's README).
#include <doctest/doctest.h>

#include "fitmygpu/commands.hpp"
#include "helpers.hpp"

using namespace testing;
using fitmygpu::shell_quote;
using fitmygpu::shell_words;

namespace {

json from_command(const std::string& text) { return fitmygpu::api::from_command(json{{"command", text}}); }

bool ignored_flag(const json& r, const std::string& flag, bool known = true) {
    for (const auto& i : r.at("ignored"))
        if (i.at("flag").get<std::string>() == flag && i.at("known").get<bool>() == known) return true;
    return false;
}

// The same setup estimated twice: memory per device and the KV cache must agree.
void check_same_estimate(const json& a, const json& b) {
    REQUIRE(a.contains("devices"));
    REQUIRE(b.contains("devices"));
    CHECK(a.at("verdict") == b.at("verdict"));
    REQUIRE(a.at("devices").size() == b.at("devices").size());
    for (size_t i = 0; i < a.at("devices").size(); ++i) CHECK(a.at("devices")[i].at("total_bytes") == b.at("devices")[i].at("total_bytes"));
    CHECK(a.at("kv_cache").at("capacity_tokens") == b.at("kv_cache").at("capacity_tokens"));
    CHECK(a.at("host").at("total_bytes") == b.at("host").at("total_bytes"));
}

}  // namespace

TEST_CASE("a command line splits into words as a POSIX shell splits it") {
    CHECK(shell_words("vllm serve 'a b' \"c \\\"d\\\"\" e\\ f") == std::vector<std::string>{"vllm", "serve", "a b", "c \"d\"", "e f"});
    // A backslash before a newline continues the line; a bare newline separates commands.
    CHECK(shell_words("llama-server \\\n  -c 4096\nollama run x") == std::vector<std::string>{"llama-server", "-c", "4096", "\n", "ollama", "run", "x"});
    CHECK(shell_words("A=1 b && c | d ; e # comment") == std::vector<std::string>{"A=1", "b", "&&", "c", "|", "d", ";", "e"});
    CHECK_THROWS_AS(shell_words("vllm serve 'unclosed"), fitmygpu::FieldError);
    CHECK_THROWS_AS(shell_words("vllm serve \"unclosed"), fitmygpu::FieldError);
    CHECK(shell_quote("meta-llama/Llama-3.1-8B-Instruct:Q4_K_M") == "meta-llama/Llama-3.1-8B-Instruct:Q4_K_M");
    CHECK(shell_quote("{\"method\": \"mtp\"}") == "'{\"method\": \"mtp\"}'");
    CHECK(shell_quote("it's") == "'it'\\''s'");
}

TEST_CASE("a vLLM command becomes a request: model, context, parallel layout and memory share") {
    const json r = from_command(
        "vllm serve meta-llama/Llama-3.1-8B-Instruct --tensor-parallel-size 2 --max-model-len 8192 "
        "--gpu-memory-utilization 0.85 --port 8000 --kv-cache-dtype fp8 --frobnicate 3");
    CHECK(r.at("runtime") == "vllm");
    const json& q = r.at("request");
    CHECK(q.at("model") == "llama-3.1-8b");
    CHECK(q.at("weights") == "bf16");  // the official repository: its own format
    CHECK(q.at("context") == 8192);
    CHECK(q.at("gpu_count") == 2);  // tensor parallel over two GPUs
    CHECK(q.at("kv_cache_dtype") == "fp8");
    CHECK(q.at("engine").at("tensor_parallel_size") == 2);
    CHECK(q.at("engine").at("gpu_memory_utilization") == doctest::Approx(0.85));
    CHECK(ignored_flag(r, "--port 8000"));
    CHECK(ignored_flag(r, "--frobnicate 3", false));
}

TEST_CASE("vLLM flags are read with underscores, with =, and in their short forms") {
    const json r = from_command("python3 -m vllm.entrypoints.openai.api_server --model=RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8 --max_model_len 4096 -tp 4");
    const json& q = r.at("request");
    CHECK(q.at("model") == "llama-3.1-8b");
    CHECK(q.at("weights") == "fp8");  // the repository is the catalog's FP8 checkpoint
    CHECK(q.at("context") == 4096);
    CHECK(q.at("gpu_count") == 4);
}

TEST_CASE("an SGLang command becomes a request") {
    const json r = from_command(
        "python -m sglang.launch_server --model-path meta-llama/Llama-3.1-8B-Instruct --tp 2 --mem-fraction-static 0.8 "
        "--context-length 4096 --port 30000 --max-running-requests 64");
    CHECK(r.at("runtime") == "sglang");
    const json& q = r.at("request");
    CHECK(q.at("model") == "llama-3.1-8b");
    CHECK(q.at("context") == 4096);
    CHECK(q.at("gpu_count") == 2);
    CHECK(q.at("engine").at("mem_fraction_static") == doctest::Approx(0.8));
    CHECK(q.at("engine").at("max_num_seqs") == 64);  // --max-running-requests: the request table's rows
}

TEST_CASE("SGLang --enable-dp-attention keeps --dp inside the tensor-parallel GPUs") {
    // server_args.py asserts tp_size % dp_size == 0 under data-parallel attention: --tp 8 --dp 8 is 8 GPUs, not 64.
    const json r = from_command("python -m sglang.launch_server --model-path deepseek-ai/DeepSeek-R1 --tp 8 --dp 8 --enable-dp-attention");
    const json& q = r.at("request");
    CHECK(q.at("gpu_count") == 8);
    CHECK(q.at("engine").at("enable_dp_attention") == true);
    CHECK(q.at("engine").at("data_parallel_size") == 8);
    // Without it, --dp runs that many replicas of the TP group.
    CHECK(from_command("python -m sglang.launch_server --model-path meta-llama/Llama-3.1-8B-Instruct --tp 2 --dp 2").at("request").at("gpu_count") == 4);
}

TEST_CASE("a trtllm-serve command becomes a request") {
    const json r = from_command(
        "trtllm-serve meta-llama/Llama-3.1-8B-Instruct --tp_size 2 --max_seq_len 4096 --kv_cache_free_gpu_memory_fraction 0.8 --max_batch_size 64");
    CHECK(r.at("runtime") == "trtllm");
    const json& q = r.at("request");
    CHECK(q.at("context") == 4096);
    CHECK(q.at("gpu_count") == 2);
    CHECK(q.at("engine").at("free_gpu_memory_fraction") == doctest::Approx(0.8));
}

TEST_CASE("a llama-server command: --ctx-size is shared by the --parallel slots") {
    const json r = from_command(
        "./build/bin/llama-server -hf unsloth/Llama-3.1-8B-Instruct-GGUF:Q8_0 -c 16384 -np 2 -ngl 99 -fa on "
        "-ctk q8_0 -ctv q8_0 --host 0.0.0.0 --port 8080 -t 8 --jinja");
    CHECK(r.at("runtime") == "llama.cpp");
    const json& q = r.at("request");
    CHECK(q.at("model") == "llama-3.1-8b");
    CHECK(q.at("weights") == "gguf:Q8_0");
    CHECK(q.at("context") == 8192);  // 16384 cells over 2 slots
    CHECK(q.at("concurrency") == 2);
    CHECK(q.at("kv_cache_dtype") == "q8_0");
    CHECK(q.at("engine").at("n_gpu_layers") == 99);
    CHECK(q.at("engine").at("flash_attn") == true);
    CHECK(ignored_flag(r, "--port 8080"));
    CHECK(ignored_flag(r, "-t 8"));
    CHECK(ignored_flag(r, "--jinja"));
}

TEST_CASE("llama.cpp's expert offload flags and a GGUF file on disk") {
    const json r = from_command("llama-server -m /models/Qwen3-8B-Q4_K_M.gguf --n-cpu-moe 10 -ts 3,1 -fa");
    const json& q = r.at("request");
    CHECK(q.at("model") == "qwen3-8b");
    CHECK(q.at("weights") == "gguf:Q4_K_M");
    CHECK(q.at("engine").at("n_cpu_moe") == 10);
    CHECK(q.at("engine").at("tensor_split") == json::array({3, 1}));
    CHECK(q.at("engine").at("flash_attn") == true);  // older builds: -fa alone turns it on
    CHECK(q.at("runtime") == "llama.cpp");
}

TEST_CASE("an Ollama setup: the server's environment and the model of `ollama run`") {
    const json r = from_command(
        "OLLAMA_CONTEXT_LENGTH=32768 OLLAMA_NUM_PARALLEL=2 OLLAMA_KV_CACHE_TYPE=q8_0 OLLAMA_FLASH_ATTENTION=1 OLLAMA_HOST=0.0.0.0 ollama serve\n"
        "ollama run hf.co/unsloth/Qwen3-8B-GGUF:Q6_K");
    CHECK(r.at("runtime") == "ollama");
    const json& q = r.at("request");
    CHECK(q.at("model") == "qwen3-8b");
    CHECK(q.at("weights") == "gguf:Q6_K");
    CHECK(q.at("context") == 32768);
    CHECK(q.at("concurrency") == 2);
    CHECK(q.at("kv_cache_dtype") == "q8_0");
    CHECK(q.at("engine").at("flash_attn") == true);
    CHECK(ignored_flag(r, "OLLAMA_HOST 0.0.0.0"));
}

TEST_CASE("`ollama run` with a library name and tag finds the catalog model the tag names") {
    // Ollama's library names, as users type them (ollama.com/library): the tag is the size, and the catalog lists these
    // names as aliases. Library models are Q4_K_M unless the tag says otherwise.
    const std::map<std::string, std::string> names = {
        {"llama3.1:8b", "llama-3.1-8b"},
        {"qwen3:8b", "qwen3-8b"},
        {"qwen3:30b", "qwen3-30b-a3b"},
        {"gemma3:27b", "gemma-3-27b"},
        {"deepseek-r1:14b", "deepseek-r1-distill-qwen-14b"},
        {"gpt-oss:20b", "gpt-oss-20b"},
    };
    for (const auto& entry : names) {
        const std::string& name = entry.first;
        const std::string& id = entry.second;
        CAPTURE(name);
        const json r = from_command("ollama run " + name);
        CHECK(r.at("runtime") == "ollama");
        CHECK(r.at("request").at("model") == id);
        CHECK(r.at("ignored").empty());
    }
}

TEST_CASE("an mlx_lm command becomes a request") {
    const json r = from_command("mlx_lm.server --model mlx-community/Qwen3-8B-4bit --port 8080");
    CHECK(r.at("runtime") == "mlx");
    CHECK(r.at("request").at("model") == "qwen3-8b");
    CHECK(r.at("request").at("weights") == "mlx-4bit");
    // mlx_lm.generate's --max-tokens (-m) is the generated part of the context.
    const json g = from_command("mlx_lm.generate --model mlx-community/Qwen3-8B-4bit --prompt hello -m 1024");
    CHECK(g.at("request").at("engine").at("max_tokens") == 1024);
}

TEST_CASE("commands inside containers and launchers are found") {
    // vLLM's image runs `vllm serve`: the words after the image are its arguments (docs.vllm.ai, "Using Docker").
    const json v = from_command(
        "docker run --runtime nvidia --gpus all -v ~/.cache/huggingface:/root/.cache/huggingface -p 8000:8000 --ipc=host "
        "vllm/vllm-openai:latest --model Qwen/Qwen3-8B --max-model-len 32768");
    CHECK(v.at("runtime") == "vllm");
    CHECK(v.at("request").at("model") == "qwen3-8b");
    CHECK(v.at("request").at("context") == 32768);
    // Ollama's server in a container takes its settings from -e; the model comes from `ollama run` inside it.
    const json o = from_command(
        "docker run -d --gpus=all -e OLLAMA_CONTEXT_LENGTH=16384 -p 11434:11434 --name ollama ollama/ollama\n"
        "docker exec -it ollama ollama run hf.co/unsloth/Qwen3-8B-GGUF:Q4_K_M");
    CHECK(o.at("runtime") == "ollama");
    CHECK(o.at("request").at("context") == 16384);
    CHECK(o.at("request").at("weights") == "gguf:Q4_K_M");
    const json u = from_command("CUDA_VISIBLE_DEVICES=0,1 uv run python -m sglang.launch_server --model-path Qwen/Qwen3-8B --tp 2");
    CHECK(u.at("runtime") == "sglang");
    CHECK(u.at("request").at("gpu_count") == 2);
}

TEST_CASE("a repository the catalog does not list is kept as a Hub id for the page to look up") {
    const json r = from_command("vllm serve NousResearch/Hermes-3-Llama-3.1-8B --max-model-len 8192");
    CHECK(r.at("request").at("model") == "hf:NousResearch/Hermes-3-Llama-3.1-8B");
    const json unnamed = from_command("llama-server -m ./my-model.gguf");
    CHECK_FALSE(unnamed.at("request").contains("model"));
    CHECK(unnamed.at("missing") == json::array({"model"}));
}

TEST_CASE("garbled commands get an error naming the command and the flag") {
    auto message = [](const std::string& text) {
        const json e = error_of("from_command", json{{"command", text}}.dump());
        REQUIRE(e.is_object());
        CHECK(e.at("field") == "command");
        return e.at("message").get<std::string>();
    };
    CHECK(message("vllm serve x --max-model-len lots").find("--max-model-len") != std::string::npos);
    CHECK(message("vllm serve meta-llama/Llama-3.1-8B-Instruct --gpu-memory-utilization 1.5").find("--gpu-memory-utilization") != std::string::npos);
    CHECK(message("llama-server -m x.gguf -c").find("-c needs a value") != std::string::npos);
    CHECK(message("ls -la /models").find("not a launch command") != std::string::npos);
    CHECK(message("vllm serve 'x").find("quote") != std::string::npos);
    CHECK(message("").find("not a launch command") != std::string::npos);
    CHECK(message(std::string(70000, 'a')).find("at most") != std::string::npos);
    CHECK(error_of("from_command", R"({"command": 3})").at("field") == "command");
    CHECK(error_of("from_command", R"({})").at("code") == "missing_field");
    CHECK(error_of("from_command", R"({"command": "vllm serve x", "extra": 1})").at("code") == "unknown_field");
}

TEST_CASE("the command of a setup carries the settings the estimate assumed") {
    const json v = fitmygpu::api::command(json::parse(
        R"({"model": "llama-3.1-8b", "runtime": "vllm", "gpu": "h100-sxm-80gb", "gpu_count": 2, "context": 16384,
            "kv_cache_dtype": "fp8", "engine": {"gpu_memory_utilization": 0.8}})"));
    const std::string c = v.at("command");
    CHECK(c.rfind("vllm serve meta-llama/Llama-3.1-8B-Instruct", 0) == 0);
    CHECK(c.find("--max-model-len 16384") != std::string::npos);
    CHECK(c.find("--gpu-memory-utilization 0.8") != std::string::npos);
    CHECK(c.find("--tensor-parallel-size 2") != std::string::npos);
    CHECK(c.find("--kv-cache-dtype fp8") != std::string::npos);

    const json l = fitmygpu::api::command(
        json::parse(R"({"model": "llama-3.1-8b", "runtime": "llama.cpp", "weights": "gguf:Q8_0", "gpu": "rtx-4090", "context": 8192, "concurrency": 4})"));
    const std::string lc = l.at("command");
    CHECK(lc.rfind("llama-server -hf ", 0) == 0);
    CHECK(lc.find(":Q8_0") != std::string::npos);
    CHECK(lc.find("-c 32768") != std::string::npos);  // 8192 tokens for each of 4 slots
    CHECK(lc.find("-np 4") != std::string::npos);

    const json o = fitmygpu::api::command(json::parse(R"({"model": "qwen3-8b", "runtime": "ollama", "gpu": "rtx-4090", "context": 8192})"));
    const std::string oc = o.at("command");
    CHECK(oc.find("OLLAMA_CONTEXT_LENGTH=8192") != std::string::npos);
    CHECK(oc.find("\nollama run hf.co/unsloth/Qwen3-8B-GGUF:Q4_K_M") != std::string::npos);
}

TEST_CASE("setup, command, request: every runtime gives back the same estimate") {
    const char* setups[] = {
        R"({"model": "llama-3.1-8b", "runtime": "vllm", "gpu": "h100-sxm-80gb", "gpu_count": 2, "context": 16384, "kv_cache_dtype": "fp8",
            "engine": {"gpu_memory_utilization": 0.8, "max_num_seqs": 64, "enforce_eager": true}})",
        R"({"model": "llama-3.1-8b", "runtime": "vllm", "weights": "fp8", "gpu": "l40s", "context": 8192})",
        R"({"model": "qwen3-8b", "runtime": "sglang", "gpu": "a100-80gb-sxm4", "gpu_count": 2, "context": 32768,
            "engine": {"mem_fraction_static": 0.7, "max_num_batched_tokens": 4096}})",
        R"({"model": "llama-3.1-8b", "runtime": "trtllm", "gpu": "h100-sxm-80gb", "context": 4096, "engine": {"free_gpu_memory_fraction": 0.75}})",
        R"({"model": "llama-3.1-8b", "runtime": "llama.cpp", "weights": "gguf:Q8_0", "gpu": "rtx-4090", "context": 8192, "concurrency": 4,
            "kv_cache_dtype": "q8_0", "engine": {"n_gpu_layers": 20, "flash_attn": true, "n_ubatch": 256}})",
        R"({"model": "qwen3-8b", "runtime": "llama.cpp", "gpus": [{"gpu": "rtx-3090", "count": 2}], "context": 16384,
            "engine": {"tensor_split": [3, 1], "flash_attn": false}})",
        R"({"model": "qwen3-8b", "runtime": "ollama", "gpu": "rtx-4090", "context": 8192, "concurrency": 2, "kv_cache_dtype": "q8_0",
            "engine": {"flash_attn": true}})",
        R"({"model": "qwen3-8b", "runtime": "mlx", "gpu": "m4-max-64gb", "context": 8192})",
        R"({"model": "llama-3.1-8b", "runtime": "transformers", "gpu": "rtx-4090", "context": 4096})",
    };
    for (const char* text : setups) {
        const json setup = json::parse(text);
        CAPTURE(setup.dump());
        const json launch = fitmygpu::api::command(setup);
        CAPTURE(launch.at("command").get<std::string>());
        const json back = from_command(launch.at("command"));
        json request = back.at("request");
        // The GPUs are hardware, not part of a command: carry them over, as the page does.
        for (const char* k : {"gpu", "gpus"})
            if (setup.contains(k)) request[k] = setup.at(k);
        if (setup.contains("gpus")) request.erase("gpu_count");
        else if (setup.contains("gpu_count") && !request.contains("gpu_count")) request["gpu_count"] = setup.at("gpu_count");
        if (setup.contains("context") && back.at("runtime") != "mlx" && back.at("runtime") != "transformers")
            CHECK(request.at("context") == setup.at("context"));
        else request["context"] = setup.at("context");  // a property of the requests for MLX and Transformers
        if (setup.contains("concurrency") && !request.contains("concurrency")) request["concurrency"] = setup.at("concurrency");
        check_same_estimate(estimate(setup.dump()), estimate(request.dump()));
    }
}

TEST_CASE("vLLM's runner choice comes from its environment variable") {
    const json r = from_command("VLLM_USE_V2_MODEL_RUNNER=0 vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 8192");
    CHECK(r.at("runtime") == "vllm");
    CHECK(r.at("request").at("engine").at("model_runner_v2") == false);
    const json d = from_command("docker run --gpus all -e VLLM_USE_V2_MODEL_RUNNER=1 vllm/vllm-openai:latest --model Qwen/Qwen3-8B");
    CHECK(d.at("request").at("engine").at("model_runner_v2") == true);
}

TEST_CASE("llama-server --mmproj takes the projector file: the vision encoder is on, the file name is not an unknown argument") {
    const json r = from_command("llama-server -m gemma-3-27b-it-Q4_K_M.gguf --mmproj mmproj-F16.gguf -c 8192");
    REQUIRE_FALSE(r.contains("error"));
    CHECK(r.at("request").at("engine").at("mmproj") == true);
    CHECK(r.at("ignored").empty());
    // Written back for llama-server -hf, which fetches and loads the repository's projector itself: no flag, a note.
    const json c = fitmygpu::api::command(json::parse(R"({"model":"gemma-3-27b","runtime":"llama.cpp","context":8192,"engine":{"mmproj":true}})"));
    CHECK(c.at("command").get<std::string>().find("--mmproj") == std::string::npos);
    CHECK(any_contains(c.at("notes"), "mmproj"));
}

TEST_CASE("each runtime's flag table gives every spelling one meaning") {
    for (const auto& spec : fitmygpu::command_specs()) {
        std::map<std::string, const fitmygpu::CommandFlag*> seen;
        for (const auto& f : spec.flags)
            for (const auto& n : f.names) {
                const std::string key = fitmygpu::engine_field_key(n) + (f.environment ? " (environment)" : "");
                CAPTURE(key);
                const auto [at, fresh] = seen.emplace(key, &f);
                // A spelling listed twice (-fit and --fit, --log_level and --log-level) must mean the same thing.
                if (!fresh) {
                    CHECK(at->second->target == f.target);
                    CHECK(at->second->knob == f.knob);
                    CHECK(at->second->reason == f.reason);
                    CHECK(at->second->field_only == f.field_only);
                }
            }
    }
}

TEST_CASE("vLLM flags as its parser reads them: sizes with suffixes, --no-X, lists, compilation settings") {
    // vllm/utils/argparse_utils.py, human_readable_int: k/m/g by 1,000 (decimals allowed), K/M/G by 1,024.
    CHECK(from_command("vllm serve Qwen/Qwen3-8B --max-model-len 32k").at("request").at("context") == 32000);
    CHECK(from_command("vllm serve Qwen/Qwen3-8B --max-model-len 32K").at("request").at("context") == 32 * 1024);
    CHECK(from_command("vllm serve Qwen/Qwen3-8B --max-model-len 25.6k").at("request").at("context") == 25600);
    CHECK(from_command("vllm serve Qwen/Qwen3-8B --max-num-batched-tokens 16k").at("request").at("engine").at("max_num_batched_tokens") == 16000);
    // --max-model-len auto: the longest context that fits, which the plan answers; no context is set.
    const json a = from_command("vllm serve Qwen/Qwen3-8B --max-model-len auto");
    CHECK_FALSE(a.at("request").contains("context"));
    CHECK(ignored_flag(a, "--max-model-len auto"));
    // argparse.BooleanOptionalAction: --no-enable-prefix-caching turns the knob off.
    const json n = from_command("vllm serve Qwen/Qwen3-8B --enable-prefix-caching --no-enable-prefix-caching --enforce-eager=false");
    CHECK(n.at("request").at("engine").at("enable_prefix_caching") == false);
    CHECK(n.at("request").at("engine").at("enforce_eager") == false);
    // nargs="+": every size is read, the largest bounds the capture; none is left as a stray argument.
    const json l = from_command("vllm serve Qwen/Qwen3-8B --cudagraph-capture-sizes 1 2 4 8 16 --port 8000");
    CHECK(l.at("request").at("engine").at("cuda_graph_max_bs") == 16);
    for (const auto& i : l.at("ignored")) CHECK(i.at("known") == true);
    // -O0 compiles nothing and captures no graph; cudagraph_mode NONE captures none; the capture size caps them.
    CHECK(from_command("vllm serve Qwen/Qwen3-8B -O0").at("request").at("engine").at("enforce_eager") == true);
    CHECK(from_command("vllm serve Qwen/Qwen3-8B --compilation-config '{\"cudagraph_mode\": \"NONE\"}'").at("request").at("engine").at("enforce_eager") ==
          true);
    CHECK(from_command("vllm serve Qwen/Qwen3-8B --compilation-config.max_cudagraph_capture_size 64").at("request").at("engine").at("cuda_graph_max_bs") == 64);
    const json o3 = from_command("vllm serve Qwen/Qwen3-8B -O3");
    CHECK_FALSE(o3.at("request").contains("engine"));
    CHECK(o3.at("ignored").size() == 1);
    // Online FP8 of a BF16 checkpoint, and a dtype the checkpoint is cast to.
    CHECK(from_command("vllm serve Qwen/Qwen3-8B --quantization fp8").at("request").at("weights") == "fp8");
    CHECK(from_command("vllm serve Qwen/Qwen3-8B --dtype float32").at("request").at("weights") == "fp32");
    // 0.8's speculative flags are the knobs --speculative-config sets now.
    CHECK(from_command("vllm serve Qwen/Qwen3-8B --num-speculative-tokens 3").at("request").at("engine").at("num_speculative_tokens") == 3);
    // Real flags of other kinds are set aside with a reason, environment variables included.
    const json q = from_command(
        "VLLM_ATTENTION_BACKEND=FLASHINFER vllm serve Qwen/Qwen3-8B --uds /tmp/s --structured-outputs-config.backend xgrammar "
        "--kv-offloading-size 16 --served-model-name a b");
    for (const auto& i : q.at("ignored")) {
        CAPTURE(i);
        CHECK(i.at("known") == true);
    }
}

TEST_CASE("a misspelt flag is an error that names the flag it is a slip of; an unknown one far from any is set aside") {
    auto message = [](const std::string& text) {
        const json e = error_of("from_command", json{{"command", text}}.dump());
        REQUIRE(e.is_object());
        return e.at("message").get<std::string>();
    };
    CHECK(message("vllm serve Qwen/Qwen3-8B --gpu-memory-utilisation 0.8").find("did you mean --gpu-memory-utilization") != std::string::npos);
    CHECK(message("python -m sglang.launch_server --model-path Qwen/Qwen3-8B --mem-fractoin-static 0.8").find("did you mean --mem-fraction-static") !=
          std::string::npos);
    CHECK(message("llama-server -m x.gguf --n-gpu-layer 99").find("did you mean --n-gpu-layers") != std::string::npos);
    CHECK(ignored_flag(from_command("vllm serve Qwen/Qwen3-8B --frobnicate 3"), "--frobnicate 3", false));
}

TEST_CASE("SGLang reads a flag's unique beginning as argparse does, and its own size suffixes") {
    // argparse's allow_abbrev (SGLang's ServerArgs parser keeps the default): --mem-frac is --mem-fraction-static.
    const json r = from_command("python -m sglang.launch_server --model-path Qwen/Qwen3-8B --mem-frac 0.8 --context-length 1M --tp 2");
    CHECK(r.at("request").at("engine").at("mem_fraction_static") == doctest::Approx(0.8));
    // SGLang's suffixes: k/M/G by 1,000, Ki/Mi by 1,024 (32K is an error in SGLang itself).
    CHECK(r.at("request").at("context") == 1000000);
    CHECK(from_command("python -m sglang.launch_server --model-path Qwen/Qwen3-8B --context-length 32Ki").at("request").at("context") == 32768);
    CHECK(error_of("from_command", json{{"command", "python -m sglang.launch_server --model-path Qwen/Qwen3-8B --context-length 32K"}}.dump()).is_object());
    // --cuda-graph-bs takes a list: the largest is the capture's largest batch.
    CHECK(from_command("python -m sglang.launch_server --model-path Qwen/Qwen3-8B --cuda-graph-bs 1 2 4 8 160")
              .at("request")
              .at("engine")
              .at("cuda_graph_max_bs") == 160);
    // --ep-size N: expert parallelism over N ranks.
    CHECK(from_command("python -m sglang.launch_server --model-path Qwen/Qwen3-30B-A3B --tp 2 --ep-size 2")
              .at("request")
              .at("engine")
              .at("enable_expert_parallel") == true);
}

TEST_CASE("llama.cpp and TensorRT-LLM spellings: -no-X, -c 0, -fa -1, the 1.2 aliases, the module entry point") {
    const json l = from_command("llama-server -m Qwen3-8B-Q4_K_M.gguf -c 0 -fa -1 -no-kvu --n-cpu-ffn 2");
    CHECK_FALSE(l.at("request").contains("context"));  // 0: the model's own context length
    CHECK(l.at("request").at("engine").at("flash_attn") == "auto");
    CHECK(l.at("request").at("engine").at("kv_unified") == false);
    CHECK(ignored_flag(l, "--n-cpu-ffn 2"));
    const json t = from_command("python3 -m tensorrt_llm.commands.serve Qwen/Qwen3-8B --tensor_parallel_size 2 --free_gpu_memory_fraction 0.8");
    CHECK(t.at("runtime") == "trtllm");
    CHECK(t.at("request").at("engine").at("tensor_parallel_size") == 2);
    CHECK(t.at("request").at("engine").at("free_gpu_memory_fraction") == doctest::Approx(0.8));
    CHECK(from_command("python -m mlx_lm generate --model mlx-community/Qwen3-8B-4bit --kv-bits 4").at("runtime") == "mlx");
    // A draft model's GGUF file is the catalog model its name spells, so the request estimates.
    const json d = from_command("llama-server -m Qwen3-8B-Q4_K_M.gguf -md Qwen3-0.6B-Q8_0.gguf -ngl 99");
    CHECK(d.at("request").at("engine").at("speculative_model") == "qwen3-0.6b");
    json req = d.at("request");
    req["gpu"] = "rtx-4090";
    CHECK(fitmygpu::api::estimate(req).contains("devices"));
}

TEST_CASE("engine settings as configuration files and APIs write them") {
    auto estimate = [](const std::string& runtime, const json& engine) {
        return fitmygpu::api::estimate(json{{"model", "qwen3-8b"}, {"gpu", "h100-sxm-80gb"}, {"runtime", runtime}, {"context", 8192}, {"engine", engine}});
    };
    auto tokens = [](const json& r) { return r.at("kv_cache").at("capacity_tokens").get<i64>(); };
    // TensorRT-LLM's YAML nests the KV settings: the same estimate as the flat knob.
    CHECK(tokens(estimate("trtllm", {{"kv_cache_config", {{"free_gpu_memory_fraction", 0.5}, {"enable_block_reuse", false}}}})) ==
          tokens(estimate("trtllm", {{"free_gpu_memory_fraction", 0.5}})));
    CHECK(tokens(estimate("trtllm", {{"free_gpu_memory_fraction", 0.5}})) != tokens(estimate("trtllm", json::object())));
    // cuda_graph_config: null captures no graphs, as enforce_eager.
    CHECK(tokens(estimate("trtllm", {{"cuda_graph_config", nullptr}})) == tokens(estimate("trtllm", {{"enforce_eager", true}})));
    // vLLM 0.21 budgets its graph estimate: compilation_config's NONE frees it, as enforce_eager does.
    const json eager = estimate("vllm", {{"version", "0.21.0"}, {"enforce_eager", true}});
    CHECK(tokens(estimate("vllm", {{"version", "0.21.0"}, {"compilation_config", {{"cudagraph_mode", "NONE"}}}})) == tokens(eager));
    CHECK(tokens(eager) > tokens(estimate("vllm", {{"version", "0.21.0"}})));
    // Numbers and switches written as text, a size suffix, a modality dictionary as an object.
    CHECK(tokens(estimate("vllm", {{"gpu_memory_utilization", "0.8"}, {"max_num_batched_tokens", "16k"}, {"enable_prefix_caching", 1}})) ==
          tokens(estimate("vllm", {{"gpu_memory_utilization", 0.8}, {"max_num_batched_tokens", 16000}, {"enable_prefix_caching", true}})));
    CHECK(estimate("vllm", {{"limit_mm_per_prompt", {{"image", 0}}}}).at("devices").size() == 1);
    // vLLM's own attention backend names are its flag's, set aside as a kernel choice (not SGLang's knob).
    const json ab = estimate("vllm", {{"attention_backend", "FLASHINFER"}});
    REQUIRE(ab.at("ignored").size() == 1);
    CHECK(ab.at("ignored")[0].at("reason").get<std::string>().find("kernel") != std::string::npos);
    // SGLang's cuda_graph_bs as a list: the largest size is the capture's bound; no_X is X off.
    const json listed = estimate("sglang", {{"cuda_graph_bs", {1, 2, 4, 160}}});
    CHECK(listed.at("devices").at(0).at("total_bytes") == estimate("sglang", {{"cuda_graph_max_bs", 160}}).at("devices").at(0).at("total_bytes"));
    CHECK(listed.at("devices").at(0).at("total_bytes") != estimate("sglang", json::object()).at("devices").at(0).at("total_bytes"));
    const json off = estimate("vllm", {{"no_enable_prefix_caching", true}});
    CHECK(off.at("devices").at(0).at("total_bytes") == estimate("vllm", {{"enable_prefix_caching", false}}).at("devices").at(0).at("total_bytes"));
    // llama.cpp's mmproj takes the projector file's name, as on the command line.
    CHECK(fitmygpu::api::estimate(json::parse(R"({"model":"qwen3-vl-8b","gpu":"rtx-4090","runtime":"llama.cpp","engine":{"mmproj":"mmproj-F16.gguf"}})"))
              .at("devices")
              .at(0)
              .at("total_bytes") ==
          fitmygpu::api::estimate(json::parse(R"({"model":"qwen3-vl-8b","gpu":"rtx-4090","runtime":"llama.cpp","engine":{"mmproj":true}})"))
              .at("devices")
              .at(0)
              .at("total_bytes"));
    // A sub-setting the table does not know is named in full.
    CHECK(error_of("estimate", json{{"model", "qwen3-8b"}, {"runtime", "trtllm"}, {"engine", {{"kv_cache_config", {{"frobnicate", 1}}}}}}.dump()).at("field") ==
          "engine.kv_cache_config.frobnicate");
}

TEST_CASE("llama.cpp's LLAMA_ARG_* environment variables set the flags they stand for (common/arg.cpp, set_env)") {
    const json r = from_command(
        "docker run --gpus all -e LLAMA_ARG_CTX_SIZE=16384 -e LLAMA_ARG_N_PARALLEL=2 ghcr.io/ggml-org/llama.cpp:server-cuda "
        "-m /models/Qwen3-8B-Q4_K_M.gguf");
    const json& q = r.at("request");
    CHECK(q.at("context") == 8192);  // 16,384 shared by the two slots
    CHECK(q.at("concurrency") == 2);
    const json e = from_command(
        "LLAMA_ARG_N_GPU_LAYERS=20 LLAMA_ARG_FLASH_ATTN=on LLAMA_ARG_CACHE_TYPE_K=q8_0 LLAMA_ARG_CACHE_TYPE_V=q8_0 "
        "LLAMA_ARG_KV_UNIFIED=1 LLAMA_ARG_PORT=8080 LLAMA_ARG_FROBNICATE=1 llama-server -m Qwen3-8B-Q4_K_M.gguf");
    CHECK(e.at("request").at("engine").at("n_gpu_layers") == 20);
    CHECK(e.at("request").at("engine").at("flash_attn") == true);
    CHECK(e.at("request").at("engine").at("kv_unified") == true);
    CHECK(e.at("request").at("kv_cache_dtype") == "q8_0");
    CHECK(ignored_flag(e, "LLAMA_ARG_PORT=8080"));
    CHECK(ignored_flag(e, "LLAMA_ARG_FROBNICATE=1", false));
    // In a request's engine object too.
    const json a =
        fitmygpu::api::estimate(json::parse(R"({"model":"qwen3-8b","gpu":"rtx-4090","runtime":"llama.cpp","engine":{"LLAMA_ARG_N_GPU_LAYERS":20}})"));
    const json b = fitmygpu::api::estimate(json::parse(R"({"model":"qwen3-8b","gpu":"rtx-4090","runtime":"llama.cpp","engine":{"n_gpu_layers":20}})"));
    CHECK(a.at("devices").at(0).at("total_bytes") == b.at("devices").at(0).at("total_bytes"));
}
