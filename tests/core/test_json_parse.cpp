// The core's JSON reader (fitmygpu/json_parse.hpp) against nlohmann's json::parse, which it stands in for, and its
// skipping of top-level members; and the one index sort every ordering in the core goes through (order.hpp).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fitmygpu/json_parse.hpp"
#include "order.hpp"

using json = nlohmann::json;
using fitmygpu::parse_json;
using fitmygpu::parse_json_without;
using fitmygpu::SkippedMember;

TEST_CASE("parse_json reads what json::parse reads, and refuses what it refuses") {
    const std::vector<std::string> good = {"{}",
                                           "[]",
                                           "0",
                                           "-12",
                                           "18446744073709551615",
                                           "1.5e3",
                                           "\"x\\\"y\"",
                                           "null",
                                           "true",
                                           R"({"a": [1, {"b": null, "c": [true, false, "s"]}], "d": {"e": {"f": -0.25}}, "g": ""})",
                                           " \n[1 , 2]\t",
                                           R"({"a": 1, "a": 2})"};
    for (const std::string& text : good) {
        CAPTURE(text);
        CHECK(parse_json(text) == json::parse(text));
    }
    // Same error kinds as json::parse: a syntax error is a parse_error, a number no double holds is out_of_range.
    const std::vector<std::string> bad = {"", "{", "[1,]", "{\"a\" 1}", "[1] x", "nul", "\"\\u12\"", "{\"a\":1}}"};
    for (const std::string& text : bad) {
        CAPTURE(text);
        CHECK_THROWS_AS(parse_json(text), json::parse_error);
        CHECK_THROWS_AS(json::parse(text), json::parse_error);
    }
    CHECK_THROWS_AS(parse_json("[1e309]"), json::out_of_range);
    CHECK_THROWS_AS(json::parse("[1e309]"), json::out_of_range);
}

TEST_CASE("parse_json_without leaves the named top-level members out, whatever their values hold") {
    const std::string text = R"({"id": "m", "config": {"config": 1, "x": [{"config": [2]}]}, "n": 3, "list": [[1], {"config": 4}], "s": "config", "z": null})";
    std::vector<SkippedMember> skipped;
    const json head = parse_json_without(
        text, [](const std::string& k) { return k == "config"; }, &skipped);
    json expected = json::parse(text);
    expected.erase("config");
    CHECK(head == expected);  // "config" deeper down and as a string value stays
    REQUIRE(skipped.size() == 1);
    CHECK(skipped[0].key == "config");
    CHECK(skipped[0].object);

    // Only the config: every other member goes, arrays, scalars and nested objects alike.
    skipped.clear();
    const json only = parse_json_without(
        text, [](const std::string& k) { return k != "config"; }, &skipped);
    CHECK(only == json{{"config", json::parse(text)["config"]}});
    REQUIRE(skipped.size() == 5);
    CHECK(skipped[0].key == "id");
    CHECK_FALSE(skipped[0].object);
    CHECK(skipped[2].key == "list");
    CHECK_FALSE(skipped[2].object);  // an array is not an object
    CHECK(skipped[4].key == "z");

    // A skipped member is still read: bad JSON inside it is an error.
    CHECK_THROWS_AS(parse_json_without(R"({"config": {"a": [1,}, "id": "m"})", [](const std::string& k) { return k == "config"; }), json::parse_error);
    CHECK_THROWS_AS(parse_json_without(R"({"config": 1e400})", [](const std::string& k) { return k == "config"; }), json::out_of_range);
    // Not an object at the top: nothing to skip.
    CHECK(parse_json_without("[{\"config\": 1}]", [](const std::string&) { return true; }) == json::parse("[{\"config\": 1}]"));
}

TEST_CASE("stable_order sorts indices and keeps equal items in their order; reorder applies it") {
    const std::vector<int> keys = {3, 1, 2, 1, 3, 0, 2};
    const std::vector<size_t> order = fitmygpu::stable_order(keys.size(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
    CHECK(order == std::vector<size_t>{5, 1, 3, 2, 6, 0, 4});
    std::vector<std::string> names = {"c0", "a1", "b2", "a3", "c4", "z5", "b6"};
    fitmygpu::reorder(names, order);
    CHECK(names == std::vector<std::string>{"z5", "a1", "a3", "b2", "b6", "c0", "c4"});
    CHECK(fitmygpu::stable_order(0, [](size_t, size_t) { return false; }).empty());
}
