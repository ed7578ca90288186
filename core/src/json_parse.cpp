#include "fitmygpu/json_parse.hpp"

#include <utility>

namespace fitmygpu {
namespace {

using json = nlohmann::json;

// nlohmann's DOM builder behind a filter: events of a skipped member's value are swallowed, every other event is
// passed on. The SAX interface is nlohmann's (json_sax); the builder throws on a parse error, as json::parse does.
class FilteredDom {
public:
    FilteredDom(json& result, const std::function<bool(const std::string&)>* skip, std::vector<SkippedMember>* skipped)
        : dom_(result, true), skip_(skip), skipped_(skipped) {}

    bool null() { return skipping() ? scalar_skipped() : dom_.null(); }
    bool boolean(bool v) { return skipping() ? scalar_skipped() : dom_.boolean(v); }
    bool number_integer(json::number_integer_t v) { return skipping() ? scalar_skipped() : dom_.number_integer(v); }
    bool number_unsigned(json::number_unsigned_t v) { return skipping() ? scalar_skipped() : dom_.number_unsigned(v); }
    bool number_float(json::number_float_t v, const json::string_t& s) { return skipping() ? scalar_skipped() : dom_.number_float(v, s); }
    bool string(json::string_t& v) { return skipping() ? scalar_skipped() : dom_.string(v); }
    bool binary(json::binary_t& v) { return skipping() ? scalar_skipped() : dom_.binary(v); }

    bool start_object(std::size_t n) {
        if (skipping()) return open_skipped(true);
        ++depth_;
        return dom_.start_object(n);
    }
    bool end_object() {
        if (skipping()) return close_skipped();
        --depth_;
        return dom_.end_object();
    }
    bool start_array(std::size_t n) {
        if (skipping()) return open_skipped(false);
        ++depth_;
        return dom_.start_array(n);
    }
    bool end_array() {
        if (skipping()) return close_skipped();
        --depth_;
        return dom_.end_array();
    }

    bool key(json::string_t& k) {
        if (skipping()) return true;
        if (depth_ == 1 && skip_ && *skip_ && (*skip_)(k)) {
            if (skipped_) skipped_->push_back({k, false});
            level_ = 0;
            return true;
        }
        return dom_.key(k);
    }

    template <class Exception>
    bool parse_error(std::size_t position, const std::string& token, const Exception& ex) {
        return dom_.parse_error(position, token, ex);
    }

private:
    bool skipping() const { return level_ >= 0; }
    // A skipped member's value: a scalar ends it at once; inside it, scalars change nothing.
    bool scalar_skipped() {
        if (level_ == 0) level_ = -1;
        return true;
    }
    bool open_skipped(bool object) {
        if (level_ == 0 && skipped_ && object) skipped_->back().object = true;
        ++level_;
        return true;
    }
    bool close_skipped() {
        if (--level_ == 0) level_ = -1;
        return true;
    }

    nlohmann::detail::json_sax_dom_parser<json> dom_;
    const std::function<bool(const std::string&)>* skip_;
    std::vector<SkippedMember>* skipped_;
    int depth_ = 0;   // containers open in the value being built
    int level_ = -1;  // while a member is skipped: containers open in its value (0 before it starts); else -1
};

json read(std::string_view text, const std::function<bool(const std::string&)>* skip, std::vector<SkippedMember>* skipped) {
    json result;
    FilteredDom handler(result, skip, skipped);
    // The JSON parser itself, as json::sax_parse runs it for text (which would also compile in the binary formats'
    // readers); the callback it takes stays empty.
    auto input = nlohmann::detail::input_adapter(text.data(), text.data() + text.size());
    nlohmann::detail::parser<json, decltype(input)>(std::move(input)).sax_parse(&handler, true);
    return result;
}

}  // namespace

json parse_json(std::string_view text) { return read(text, nullptr, nullptr); }

json parse_json_without(std::string_view text, const std::function<bool(const std::string&)>& skip, std::vector<SkippedMember>* skipped) {
    return read(text, &skip, skipped);
}

}  // namespace fitmygpu
