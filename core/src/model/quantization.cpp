// config.quantization_config -> QuantizationSpec: what a quantized checkpoint says about its own format.
// Only reported, never required: a value of the wrong type reads as not stated.
#include <algorithm>
#include <cctype>

#include "fitmygpu/error.hpp"
#include "fitmygpu/pattern.hpp"
#include "model/parse_steps.hpp"

namespace fitmygpu::model {

void read_quantization(const ConfigReader& top, ModelGeometry& g) {
    if (!top.has_object("quantization_config")) return;
    const ConfigReader q = top.object("quantization_config");
    QuantizationSpec& s = g.quantization;
    s.present = true;
    s.quant_method = q.string_or("quant_method", "");
    std::transform(s.quant_method.begin(), s.quant_method.end(), s.quant_method.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    // Reported only: a value outside what any format uses reads as not stated (bits up to 64; group_size -1, one
    // group per column, up to a group of kIntermediate weights; block sides likewise).
    s.bits = q.first_integer_of({"bits", "w_bit"}, 0, 1, 64);
    s.group_size = q.first_integer_of({"group_size", "q_group_size"}, 0, -1, bounds::kIntermediate);
    s.weight_block_size = q.integers_or_empty("weight_block_size", 1, bounds::kIntermediate);
    s.fmt = q.string_or("fmt", "");
    s.activation_scheme = q.string_or("activation_scheme", "");
    s.quant_algo = q.string_or("quant_algo", "");
    // bitsandbytes states its width as flags; the ignore list is llm_int8_skip_modules.
    if (s.quant_method == "bitsandbytes") {
        const auto flag = [&](const char* key) { return q.has(key) && q.raw().at(key).is_boolean() && q.raw().at(key).get<bool>(); };
        if (flag("load_in_4bit")) s.bits = 4;
        else if (flag("load_in_8bit")) s.bits = 8;
        s.double_quant = flag("bnb_4bit_use_double_quant");
    }
    std::transform(s.quant_algo.begin(), s.quant_algo.end(), s.quant_algo.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    for (const char* key : {"modules_to_not_convert", "ignore", "ignored_layers", "exclude_modules", "llm_int8_skip_modules"}) {
        std::vector<std::string> list = q.strings_or_empty(key);
        for (size_t i = 0; i < list.size(); ++i) {
            // compressed-tensors' "re:<pattern>" entries are regular expressions: a bad or oversized one is an error
            // naming the entry, never a crash when it is matched.
            if (list[i].rfind("re:", 0) == 0) {
                if (list[i].size() > kMaxModulePattern)
                    fail("invalid_field", q.path(key, i), q.path(key, i) + " is longer than " + std::to_string(kMaxModulePattern) + " characters");
                try {
                    (void)Pattern(std::string_view(list[i]).substr(3));
                } catch (const PatternError& e) {
                    fail("invalid_field", q.path(key, i), q.path(key, i) + " is not a regular expression we can read: " + e.what());
                }
            }
            s.modules_not_quantized.push_back(std::move(list[i]));
        }
    }
    // compressed-tensors states its format per group of targets: 8-bit float weights are FP8; 4-bit integer weights
    // are packed eight to an int32 with a scale per group (and a packed zero point when not symmetric).
    if (s.quant_method == "compressed-tensors" && q.has_object("config_groups")) {
        for (const auto& group : q.raw().at("config_groups")) {
            if (!group.is_object() || !group.contains("weights") || !group.at("weights").is_object()) continue;
            const auto& w = group.at("weights");
            const bool is_float = w.contains("type") && w.at("type") == "float";
            const bool is_int = w.contains("type") && w.at("type") == "int";
            if (w.contains("num_bits") && w.at("num_bits") == 8 && is_float) s.compressed_fp8 = true;
            if (w.contains("num_bits") && w.at("num_bits") == 4 && is_int) {
                s.compressed_int4 = true;
                s.bits = 4;
                if (w.contains("group_size") && w.at("group_size").is_number_integer() && w.at("group_size").get<i64>() > 0 &&
                    w.at("group_size").get<i64>() <= bounds::kIntermediate)
                    s.group_size = w.at("group_size").get<i64>();
                s.symmetric = !w.contains("symmetric") || !w.at("symmetric").is_boolean() || w.at("symmetric").get<bool>();
            }
        }
    }
}

}  // namespace fitmygpu::model
