/**
 * @file
 * @brief Structural diff of two JSON documents, as JSON values (needs simdjson).
 *
 * The JSON counterpart of `strata::diff`: compare a stored document with the one a migration,
 * a round trip or another implementation produced, and list the paths where they differ.
 * @code
 * auto differences = strata::diff_json(before_text, after_text);
 * std::cerr << strata::format(differences);
 * // screenshots.length: 4 != 3
 * // screenshots[2].attachment.hash: "9f2c" != "9f2d"
 * // config.volume: string "11" != number 11
 * @endcode
 *
 * Two documents are compared as JSON values, not as text:
 * - whitespace and the order of an object's members do not matter; when an object repeats a
 *   key, the first occurrence counts (as in simdjson's `object::at_key`);
 * - numbers compare by mathematical value: two integers (signed or unsigned) are equal when
 *   they are the same integer; a floating-point number equals an integer only when it is
 *   exactly that integer (`3.0` equals `3`, `1e2` equals `100`, `9007199254740993.0` -- which
 *   reads as 9007199254740992 -- does not equal `9007199254740993`); two floating-point
 *   numbers compare as doubles;
 * - strings compare byte for byte after unescaping (`"\u00e9"` equals `"é"`);
 * - arrays compare by length (one difference at `path.length`) and then over their common
 *   prefix, element by element (`path[i]`);
 * - a member present on one side only is one difference, rendered `absent` on the other side;
 * - values of different JSON types are one difference whose renderings name the types:
 *   `string "abc"` against `number 3` (`null` stays `null`).
 *
 * Paths follow `strata::diff`: `screenshots[2].attachment.hash`, keys inserted verbatim, and
 * `(root)` for a difference at the root. Differences come in document order for arrays and in
 * byte order of the keys for objects. The cost is linear in the documents' size plus sorting
 * each object's keys, so several-megabyte documents are fine.
 */
#pragma once

#include <strata/diff.hpp>

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/// @cond internal
namespace detail {

enum class json_kind { null, boolean, number, string, array, object };

inline json_kind kind_of(simdjson::dom::element value) noexcept {
    switch (value.type()) {
        case simdjson::dom::element_type::ARRAY: return json_kind::array;
        case simdjson::dom::element_type::OBJECT: return json_kind::object;
        case simdjson::dom::element_type::INT64:
        case simdjson::dom::element_type::UINT64:
        case simdjson::dom::element_type::DOUBLE: return json_kind::number;
        case simdjson::dom::element_type::STRING: return json_kind::string;
        case simdjson::dom::element_type::BOOL: return json_kind::boolean;
        case simdjson::dom::element_type::NULL_VALUE: break;
    }
    return json_kind::null;
}

inline std::string_view kind_name(json_kind kind) noexcept {
    switch (kind) {
        case json_kind::boolean: return "boolean";
        case json_kind::number: return "number";
        case json_kind::string: return "string";
        case json_kind::array: return "array";
        case json_kind::object: return "object";
        case json_kind::null: break;
    }
    return "null";
}

// `d` is exactly the integer `i`. The range test comes first: converting a double outside the
// target range to an integer is undefined.
inline bool double_equals(double d, std::int64_t i) noexcept {
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
        return false;
    }
    const auto truncated = static_cast<std::int64_t>(d);
    return static_cast<double>(truncated) == d && truncated == i;
}
inline bool double_equals(double d, std::uint64_t u) noexcept {
    if (!(d >= 0.0 && d < 18446744073709551616.0)) {
        return false;
    }
    const auto truncated = static_cast<std::uint64_t>(d);
    return static_cast<double>(truncated) == d && truncated == u;
}

// Two JSON numbers have the same mathematical value (simdjson stores an integer as uint64
// only when it does not fit in int64, but both representations are handled either way).
inline bool json_numbers_equal(simdjson::dom::element a, simdjson::dom::element b) noexcept {
    using simdjson::dom::element_type;
    const element_type ta = a.type();
    const element_type tb = b.type();
    if (tb == element_type::DOUBLE && ta != element_type::DOUBLE) {
        return json_numbers_equal(b, a);
    }
    if (ta == element_type::UINT64 && tb == element_type::INT64) {
        return json_numbers_equal(b, a);
    }
    switch (ta) {
        case element_type::DOUBLE: {
            const double d = a.get_double().value_unsafe();
            if (tb == element_type::DOUBLE) {
                return d == b.get_double().value_unsafe();
            }
            if (tb == element_type::INT64) {
                return double_equals(d, b.get_int64().value_unsafe());
            }
            return double_equals(d, b.get_uint64().value_unsafe());
        }
        case element_type::INT64: {
            const std::int64_t i = a.get_int64().value_unsafe();
            if (tb == element_type::INT64) {
                return i == b.get_int64().value_unsafe();
            }
            return i >= 0 && static_cast<std::uint64_t>(i) == b.get_uint64().value_unsafe();
        }
        default: return a.get_uint64().value_unsafe() == b.get_uint64().value_unsafe();
    }
}

// A compact rendering of a JSON value, cut early once long enough: `"text"`, `12.5`,
// `[1,2]`, `{"a":1}` (members in document order).
inline void render_json(rendering& out, simdjson::dom::element value) {
    using simdjson::dom::element_type;
    switch (value.type()) {
        case element_type::INT64: render_number(out, value.get_int64().value_unsafe()); return;
        case element_type::UINT64: render_number(out, value.get_uint64().value_unsafe()); return;
        case element_type::DOUBLE: render_number(out, value.get_double().value_unsafe()); return;
        case element_type::STRING: render_quoted(out, value.get_string().value_unsafe()); return;
        case element_type::BOOL: out.append(value.get_bool().value_unsafe() ? "true" : "false"); return;
        case element_type::NULL_VALUE: out.append(null_text); return;
        case element_type::ARRAY: {
            out.append('[');
            bool first = true;
            // A named copy: value_unsafe() on a temporary result returns a reference into it.
            const simdjson::dom::array items = value.get_array().value_unsafe();
            for (simdjson::dom::element item : items) {
                if (out.full()) {
                    return;
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                render_json(out, item);
            }
            out.append(']');
            return;
        }
        case element_type::OBJECT: {
            out.append('{');
            bool first = true;
            const simdjson::dom::object fields = value.get_object().value_unsafe();
            for (simdjson::dom::key_value_pair field : fields) {
                if (out.full()) {
                    return;
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                render_quoted(out, field.key);
                out.append(':');
                render_json(out, field.value);
            }
            out.append('}');
            return;
        }
    }
}

// The rendering of a value; with its type name in front (`string "abc"`) when `typed`.
inline std::string render_json(simdjson::dom::element value, bool typed) {
    rendering out;
    const json_kind kind = kind_of(value);
    if (typed && kind != json_kind::null) {
        out.append(kind_name(kind));
        out.append(' ');
    }
    render_json(out, value);
    return std::move(out).finish();
}

// Walks two documents side by side. With no output vector it only answers "equal?" and stops
// at the first difference.
class json_differ : public diff_recorder {
public:
    using diff_recorder::diff_recorder;

    void compare(simdjson::dom::element a, simdjson::dom::element b) {
        if (stopped()) {
            return;
        }
        const json_kind kind = kind_of(a);
        if (kind != kind_of(b)) {
            report([&] { return render_json(a, true); }, [&] { return render_json(b, true); });
            return;
        }
        switch (kind) {
            case json_kind::null: return;
            case json_kind::boolean:
                if (a.get_bool().value_unsafe() != b.get_bool().value_unsafe()) {
                    report_values(a, b);
                }
                return;
            case json_kind::number:
                if (!json_numbers_equal(a, b)) {
                    report_values(a, b);
                }
                return;
            case json_kind::string:
                if (a.get_string().value_unsafe() != b.get_string().value_unsafe()) {
                    report_values(a, b);
                }
                return;
            case json_kind::array:
                compare_arrays(a.get_array().value_unsafe(), b.get_array().value_unsafe());
                return;
            case json_kind::object:
                compare_objects(a.get_object().value_unsafe(), b.get_object().value_unsafe());
                return;
        }
    }

private:
    struct member {
        std::string_view key;
        simdjson::dom::element value;
    };
    // The members of the two objects being compared at one nesting depth.
    struct member_lists {
        std::vector<member> left;
        std::vector<member> right;
    };


    void report_values(simdjson::dom::element a, simdjson::dom::element b) {
        report([&] { return render_json(a, false); }, [&] { return render_json(b, false); });
    }

    void compare_arrays(simdjson::dom::array a, simdjson::dom::array b) {
        const std::size_t size_a = a.size();
        const std::size_t size_b = b.size();
        if (size_a != size_b) {
            const std::size_t mark = enter_member("length");
            report([&] { return render(size_a); }, [&] { return render(size_b); });
            path_.resize(mark);
        }
        // dom::array has no constant-time indexing: walk both arrays together.
        auto left = a.begin();
        auto right = b.begin();
        for (std::size_t i = 0; left != a.end() && right != b.end() && !stopped();
             ++i, ++left, ++right) {
            const std::size_t mark = enter_index(i);
            compare(*left, *right);
            path_.resize(mark);
        }
    }

    // The members sorted by key, the first of each repeated key only.
    static void sorted_members(simdjson::dom::object object, std::vector<member>& members) {
        members.clear();
        members.reserve(object.size());
        for (simdjson::dom::key_value_pair field : object) {
            members.push_back({field.key, field.value});
        }
        const auto by_key = [](const member& x, const member& y) { return x.key < y.key; };
        if (!std::is_sorted(members.begin(), members.end(), by_key)) {
            std::stable_sort(members.begin(), members.end(), by_key);
        }
        const auto same_key = [](const member& x, const member& y) { return x.key == y.key; };
        members.erase(std::unique(members.begin(), members.end(), same_key), members.end());
    }

    void compare_objects(simdjson::dom::object a, simdjson::dom::object b) {
        // One pair of scratch lists per nesting depth, reused across objects (a deque, so
        // that growing it for deeper levels leaves these references valid).
        if (depth_ == scratch_.size()) {
            scratch_.emplace_back();
        }
        member_lists& lists = scratch_[depth_];
        ++depth_;
        sorted_members(a, lists.left);
        sorted_members(b, lists.right);
        const std::vector<member>& left = lists.left;
        const std::vector<member>& right = lists.right;
        std::size_t i = 0;
        std::size_t j = 0;
        while ((i < left.size() || j < right.size()) && !stopped()) {
            if (j == right.size() || (i < left.size() && left[i].key < right[j].key)) {
                const std::size_t mark = enter_member(left[i].key);
                const simdjson::dom::element value = left[i].value;
                report([&] { return render_json(value, false); },
                       [] { return std::string(absent_text); });
                path_.resize(mark);
                ++i;
            } else if (i == left.size() || right[j].key < left[i].key) {
                const std::size_t mark = enter_member(right[j].key);
                const simdjson::dom::element value = right[j].value;
                report([] { return std::string(absent_text); },
                       [&] { return render_json(value, false); });
                path_.resize(mark);
                ++j;
            } else {
                const std::size_t mark = enter_member(left[i].key);
                compare(left[i].value, right[j].value);
                path_.resize(mark);
                ++i;
                ++j;
            }
        }
        --depth_;
    }

    std::deque<member_lists> scratch_;
    std::size_t depth_ = 0;
};

// Parses one side; a malformed document throws std::invalid_argument naming the side.
inline simdjson::dom::element parse_side(simdjson::dom::parser& parser, std::string_view text,
                                         const char* side) {
    // An empty view may have a null data(): give simdjson a real (empty) buffer to copy.
    const char* data = text.empty() ? "" : text.data();
    simdjson::dom::element root;
    const simdjson::error_code error = parser.parse(data, text.size()).get(root);
    if (error != simdjson::SUCCESS) {
        throw std::invalid_argument(std::string("strata::diff_json: cannot parse the ") + side +
                                    " document as JSON: " + simdjson::error_message(error));
    }
    return root;
}

// Parses both documents (each with its own parser: a parser owns the document it returns)
// and walks them with `walker`.
inline void walk_json(std::string_view a, std::string_view b, json_differ& walker) {
    simdjson::dom::parser left_parser;
    simdjson::dom::parser right_parser;
    const simdjson::dom::element left = parse_side(left_parser, a, "left");
    const simdjson::dom::element right = parse_side(right_parser, b, "right");
    walker.compare(left, right);
}

}  // namespace detail
/// @endcond

/**
 * @brief Every place where two JSON documents differ as JSON values.
 * @param a the left document (JSON text)
 * @param b the right document (JSON text)
 * @return one `difference` per differing value, array length or one-sided member; empty when
 * the documents are equal as JSON values
 * @throws std::invalid_argument when a document cannot be parsed: the message says which
 * (`left` or `right`; `left` when both fail) and gives simdjson's error message. Besides
 * malformed text, this includes what simdjson does not represent: integers outside the int64
 * and uint64 ranges, numbers outside the range of double, unpaired UTF-16 surrogates, and
 * nesting deeper than 1024 levels.
 */
inline std::vector<difference> diff_json(std::string_view a, std::string_view b) {
    std::vector<difference> out;
    detail::json_differ walker(&out);
    detail::walk_json(a, b, walker);
    return out;
}

/**
 * @brief Whether two JSON documents are equal as JSON values (`diff_json(a, b)` is empty);
 * stops at the first difference.
 * @throws std::invalid_argument when a document cannot be parsed, as `diff_json` does
 */
inline bool json_equal(std::string_view a, std::string_view b) {
    detail::json_differ walker(nullptr);
    detail::walk_json(a, b, walker);
    return !walker.found();
}

}  // namespace v1
}  // namespace strata
