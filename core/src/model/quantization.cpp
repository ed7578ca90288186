// config.quantization_config -> QuantizationSpec: what a quantized checkpoint says about its own format.
// Only reported, never required: a value of the wrong type reads as not stated.
#include <algorithm>
#include <cctype>

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
    for (const char* key : {"modules_to_not_convert", "ignore", "ignored_layers", "exclude_modules"})
        for (std::string& m : q.strings_or_empty(key)) s.modules_not_quantized.push_back(std::move(m));
}

}  // namespace fitmygpu::model
