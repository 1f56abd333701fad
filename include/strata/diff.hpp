/**
 * @file
 * @brief Structural diff of two values: the list of paths where they differ.
 *
 * The basis of integrity verification: after a migration, a round trip through storage or a
 * downgrade, compare what came back with what went in and print where they differ.
 * @code
 * struct attachment { BOOST_HANA_DEFINE_STRUCT(attachment, (std::string, name), (std::string, hash)); };
 * struct session {
 *     BOOST_HANA_DEFINE_STRUCT(session, (std::string, title), (std::vector<attachment>, screenshots));
 * };
 * for (const auto& d : strata::diff(before, after)) { ... }  // d.path, d.left, d.right
 * std::cerr << strata::format(strata::diff(before, after));
 * // screenshots.length: 4 != 3
 * // screenshots[1].hash: "9f2c" != "9f2d"
 * @endcode
 *
 * What is compared, and how a difference is reported:
 * - reflected structs (`strata::is_reflected`): member by member, path `outer.inner`;
 * - `std::vector`: when the lengths differ, one difference at `path.length` with the two
 *   lengths; then the common prefix element by element, path `path[i]`;
 * - `std::optional`: two empty optionals are equal; empty against a value is one difference
 *   rendered `null` on the empty side; two values are compared at the same path;
 * - `std::map<std::string, V>`: by key, path `path.key`; a key on one side only is one
 *   difference rendered `absent` on the other side;
 * - `std::string`, `bool`, arithmetic types and enums (by underlying value): by value. Two
 *   floating-point NaNs count as equal, since diffing a value against its round-tripped copy
 *   must not report a difference there;
 * - any other type with `operator==`: by `==`, rendered `<value>`.
 *
 * Paths join member names and map keys with `.` and add `[i]` for vector elements (keys are
 * inserted verbatim). The root's path is the empty string, and a difference at the root itself
 * is reported with the path `(root)`. Renderings are short: strings are quoted and escaped,
 * numbers are plain text, containers and structs are abbreviated, and anything longer than
 * 80 characters is cut to 79 and ends with `…`.
 *
 * This header needs only Boost.Hana (through reflection.hpp) and the standard library; the
 * JSON counterpart, which compares two JSON documents, is `strata/json/diff.hpp`.
 */
#pragma once

#include <strata/detail/dependent_false.hpp>
#include <strata/reflection.hpp>
#include <strata/string_coded.hpp>

#include <charconv>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/**
 * @brief One place where two values differ.
 *
 * `left` and `right` are short renderings of the two values at `path`: strings quoted, numbers
 * as text, `absent` for a missing map key or JSON member, `null` for an empty optional (or a
 * JSON null), at most 80 characters (longer ones end with `…`).
 */
struct difference {
    /// Where: `config.audio_enabled`, `screenshots[3].attachment.name`, `(root)`.
    std::string path;
    /// The left (first) value at `path`.
    std::string left;
    /// The right (second) value at `path`.
    std::string right;

    /// Equal when all three parts are equal.
    friend bool operator==(const difference&, const difference&) = default;
};

/// @cond internal
namespace detail {

template <class T>
struct is_std_vector : std::false_type {};
template <class T, class A>
struct is_std_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct is_std_optional : std::false_type {};
template <class T>
struct is_std_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_string_map : std::false_type {};
template <class V, class C, class A>
struct is_string_map<std::map<std::string, V, C, A>> : std::true_type {};

/// The longest rendering, in characters (code points), the ellipsis included.
inline constexpr std::size_t max_rendering_chars = 80;

/// What a missing value renders as.
inline constexpr std::string_view absent_text = "absent";
/// What an empty optional (or a JSON null) renders as.
inline constexpr std::string_view null_text = "null";
/// The path reported for a difference at the root.
inline constexpr std::string_view root_path_text = "(root)";

// Collects a rendering, keeping only a prefix long enough to be cut to max_rendering_chars:
// rendering a several-megabyte string or vector must not copy it whole.
class rendering {
public:
    // Four bytes per character at most (UTF-8), so a full buffer always holds more
    // characters than the rendering may keep.
    static constexpr std::size_t capacity = 4 * max_rendering_chars;

    bool full() const noexcept { return full_; }

    void append(std::string_view s) {
        if (full_) {
            return;
        }
        if (text_.size() + s.size() > capacity) {
            text_.append(s.substr(0, capacity - text_.size()));
            full_ = true;
        } else {
            text_.append(s);
        }
    }
    void append(char c) { append(std::string_view(&c, 1)); }

    // The rendering, cut to max_rendering_chars characters with a final "…" when longer.
    std::string finish() && {
        std::size_t chars = 0;
        std::size_t keep = 0;  // bytes of the first max_rendering_chars - 1 characters
        for (std::size_t i = 0; i < text_.size(); ++i) {
            if (is_char_start(text_[i])) {
                if (chars == max_rendering_chars - 1) {
                    keep = i;
                }
                ++chars;
            }
        }
        if (full_ || chars > max_rendering_chars) {
            text_.resize(keep);
            text_.append("\u2026");
        }
        return std::move(text_);
    }

private:
    // Not a UTF-8 continuation byte (10xxxxxx).
    static bool is_char_start(char c) noexcept {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }

    std::string text_;
    bool full_ = false;
};

// A string between double quotes, with quotes, backslashes and control characters escaped
// as in JSON; other bytes (UTF-8 included) are kept as they are.
inline void render_quoted(rendering& out, std::string_view s) {
    out.append('"');
    std::size_t plain = 0;  // start of the run of bytes that need no escape
    for (std::size_t i = 0; i < s.size() && !out.full(); ++i) {
        const auto byte = static_cast<unsigned char>(s[i]);
        if (byte >= 0x20U && byte != '"' && byte != '\\') {
            continue;
        }
        out.append(s.substr(plain, i - plain));
        plain = i + 1;
        switch (byte) {
            case '"': out.append("\\\""); break;
            case '\\': out.append("\\\\"); break;
            case '\n': out.append("\\n"); break;
            case '\r': out.append("\\r"); break;
            case '\t': out.append("\\t"); break;
            case '\b': out.append("\\b"); break;
            case '\f': out.append("\\f"); break;
            default: {
                constexpr std::string_view hex = "0123456789abcdef";
                const char escape[] = {'\\', 'u', '0', '0', hex[byte >> 4U], hex[byte & 0xFU]};
                out.append(std::string_view(escape, sizeof escape));
            }
        }
    }
    if (plain < s.size()) {
        out.append(s.substr(plain));
    }
    out.append('"');
}

// A number as text: integers in decimal, floating point in the shortest form that reads back
// to the same value. (bool is rendered by the caller, as true/false.)
template <class N>
void render_number(rendering& out, N value) {
    char buffer[64];
    std::to_chars_result result{};
    if constexpr (std::is_floating_point_v<N>) {
        result = std::to_chars(buffer, buffer + sizeof buffer, value);
    } else if constexpr (std::is_signed_v<N>) {
        result = std::to_chars(buffer, buffer + sizeof buffer, static_cast<long long>(value));
    } else {
        result = std::to_chars(buffer, buffer + sizeof buffer,
                               static_cast<unsigned long long>(value));
    }
    out.append(std::string_view(buffer, static_cast<std::size_t>(result.ptr - buffer)));
}

template <class T>
void render_value(rendering& out, const T& value);

// Appends the parts of a container, separated by ", ", until the rendering is full.
template <class Range, class F>
void render_each(rendering& out, const Range& range, F&& render_one) {
    bool first = true;
    for (const auto& item : range) {
        if (out.full()) {
            return;
        }
        if (!first) {
            out.append(", ");
        }
        first = false;
        render_one(item);
    }
}

// A short rendering of any diffable value: `"text"`, `42`, `true`, `null`, `[1, 2]`,
// `{x: 1, y: 2}` (structs), `{"key": 1}` (maps), `<value>` (other types).
template <class T>
void render_value(rendering& out, const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
        out.append(value ? "true" : "false");
    } else if constexpr (std::is_same_v<T, std::string>) {
        render_quoted(out, value);
    } else if constexpr (std::is_enum_v<T>) {
        render_number(out, static_cast<std::underlying_type_t<T>>(value));
    } else if constexpr (std::is_arithmetic_v<T>) {
        render_number(out, value);
    } else if constexpr (is_reflected<T>) {
        out.append('{');
        for_each_member_index<T>([&](auto index) {
            constexpr std::size_t i = decltype(index)::value;
            if (out.full()) {
                return;
            }
            if constexpr (i != 0) {
                out.append(", ");
            }
            out.append(member_name<T, i>);
            out.append(": ");
            render_value(out, get_member<i>(value));
        });
        out.append('}');
    } else if constexpr (is_std_vector<T>::value) {
        out.append('[');
        render_each(out, value,
                    [&](const auto& item) { render_value<typename T::value_type>(out, item); });
        out.append(']');
    } else if constexpr (is_std_optional<T>::value) {
        if (value.has_value()) {
            render_value(out, *value);
        } else {
            out.append(null_text);
        }
    } else if constexpr (is_string_map<T>::value) {
        out.append('{');
        render_each(out, value, [&](const auto& entry) {
            render_quoted(out, entry.first);
            out.append(": ");
            render_value(out, entry.second);
        });
        out.append('}');
    } else if constexpr (is_string_coded<T>) {
        std::string text;  // as the document carries it
        string_coded<T>::encode(value, text);
        render_quoted(out, text);
    } else {
        out.append("<value>");
    }
}

template <class T>
std::string render(const T& value) {
    rendering out;
    render_value(out, value);
    return std::move(out).finish();
}

}  // namespace detail
/// @endcond

/**
 * @brief `T` is a type that `diff` can compare: a reflected struct, a `std::vector`, a
 * `std::optional`, a `std::map` with `std::string` keys, a string, a `bool`, an arithmetic or
 * enum type, or any type with `operator==`.
 *
 * The check is shallow (so that recursive records work): the element and member types are
 * checked when `diff` reaches them, with a `static_assert` that names the unsupported type.
 */
template <class T>
concept is_diffable = is_reflected<T> || detail::is_std_vector<T>::value ||
                      detail::is_std_optional<T>::value || detail::is_string_map<T>::value ||
                      std::is_arithmetic_v<T> || std::is_enum_v<T> ||
                      std::equality_comparable<T>;

/// @cond internal
namespace detail {

// What both walkers (values here, JSON documents in json/diff.hpp) share: the current path,
// and where differences go. With no output vector, the first difference stops the walk.
class diff_recorder {
public:
    explicit diff_recorder(std::vector<difference>* out) : out_(out) {}

    bool found() const noexcept { return found_; }

protected:
    bool stopped() const noexcept { return out_ == nullptr && found_; }

    // Appends `.name` (or `name` at the root) to the path; returns the length to go back to.
    std::size_t enter_member(std::string_view name) {
        const std::size_t mark = path_.size();
        if (!path_.empty()) {
            path_.push_back('.');
        }
        path_.append(name);
        return mark;
    }

    std::size_t enter_index(std::size_t index) {
        const std::size_t mark = path_.size();
        char buffer[24];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, index);
        path_.push_back('[');
        path_.append(buffer, static_cast<std::size_t>(result.ptr - buffer));
        path_.push_back(']');
        return mark;
    }

    // Records a difference at the current path; the renderings are made only when kept.
    template <class L, class R>
    void report(L&& left, R&& right) {
        found_ = true;
        if (out_ != nullptr) {
            out_->push_back({path_.empty() ? std::string(root_path_text) : path_, left(), right()});
        }
    }

    std::vector<difference>* out_;
    bool found_ = false;
    std::string path_;
};

// Walks two values side by side. With no output vector it only answers "equal?" and stops at
// the first difference.
class differ : public diff_recorder {
public:
    using diff_recorder::diff_recorder;

    template <class T>
    void compare(const T& a, const T& b) {
        if (stopped()) {
            return;
        }
        if constexpr (!is_diffable<T>) {
            static_assert(dependent_false<T>,
                          "strata: diff cannot compare this type (see T below): reflect it with "
                          "BOOST_HANA_DEFINE_STRUCT / BOOST_HANA_ADAPT_STRUCT, or give it "
                          "`friend bool operator==(const T&, const T&)`");
        } else if constexpr (std::is_floating_point_v<T>) {
            if (!(a == b) && !(std::isnan(a) && std::isnan(b))) {
                report_values(a, b);
            }
        } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::string> ||
                             std::is_arithmetic_v<T> || std::is_enum_v<T>) {
            if (!(a == b)) {
                report_values(a, b);
            }
        } else if constexpr (is_reflected<T>) {
            for_each_member_index<T>([&](auto index) {
                constexpr std::size_t i = decltype(index)::value;
                const std::size_t mark = enter_member(member_name<T, i>);
                compare(get_member<i>(a), get_member<i>(b));
                path_.resize(mark);
            });
        } else if constexpr (is_std_vector<T>::value) {
            compare_vectors(a, b);
        } else if constexpr (is_std_optional<T>::value) {
            if (a.has_value() && b.has_value()) {
                compare(*a, *b);
            } else if (a.has_value() != b.has_value()) {
                report([&] { return render(a); }, [&] { return render(b); });
            }
        } else if constexpr (is_string_map<T>::value) {
            compare_maps(a, b);
        } else {
            if (!static_cast<bool>(a == b)) {
                report([&] { return render(a); }, [&] { return render(b); });
            }
        }
    }

private:

    template <class T>
    void report_values(const T& a, const T& b) {
        report([&] { return render(a); }, [&] { return render(b); });
    }

    template <class V>
    void compare_vectors(const V& a, const V& b) {
        if (a.size() != b.size()) {
            const std::size_t mark = enter_member("length");
            report_values(a.size(), b.size());
            path_.resize(mark);
        }
        const std::size_t common = a.size() < b.size() ? a.size() : b.size();
        for (std::size_t i = 0; i < common && !stopped(); ++i) {
            const std::size_t mark = enter_index(i);
            compare<typename V::value_type>(a[i], b[i]);
            path_.resize(mark);
        }
    }

    // Both maps are sorted by the same comparator: one merge pass.
    template <class M>
    void compare_maps(const M& a, const M& b) {
        const auto less = a.key_comp();
        auto left = a.begin();
        auto right = b.begin();
        while ((left != a.end() || right != b.end()) && !stopped()) {
            if (right == b.end() || (left != a.end() && less(left->first, right->first))) {
                const std::size_t mark = enter_member(left->first);
                report([&] { return render(left->second); },
                       [] { return std::string(absent_text); });
                path_.resize(mark);
                ++left;
            } else if (left == a.end() || less(right->first, left->first)) {
                const std::size_t mark = enter_member(right->first);
                report([] { return std::string(absent_text); },
                       [&] { return render(right->second); });
                path_.resize(mark);
                ++right;
            } else {
                const std::size_t mark = enter_member(left->first);
                compare(left->second, right->second);
                path_.resize(mark);
                ++left;
                ++right;
            }
        }
    }

};

}  // namespace detail
/// @endcond

/**
 * @brief Every place where `a` and `b` differ, in member / element / key order.
 * @tparam T a reflected struct (or any other `is_diffable` type, compared at the root)
 * @return one `difference` per differing leaf, vector length or missing map key; empty when
 * the values are equal
 */
template <is_diffable T>
std::vector<difference> diff(const T& a, const T& b) {
    std::vector<difference> out;
    detail::differ walker(&out);
    walker.compare(a, b);
    return out;
}

/**
 * @brief Whether `diff(a, b)` would be empty; stops at the first difference and renders
 * nothing.
 * @tparam T a reflected struct (or any other `is_diffable` type)
 */
template <is_diffable T>
bool equal(const T& a, const T& b) {
    detail::differ walker(nullptr);
    walker.compare(a, b);
    return !walker.found();
}

/**
 * @brief The differences as text, one line each: `path: left != right`, each line ending with
 * a newline; the empty string when there are none.
 */
inline std::string format(const std::vector<difference>& differences) {
    std::string text;
    for (const difference& d : differences) {
        text.append(d.path).append(": ").append(d.left).append(" != ").append(d.right);
        text.push_back('\n');
    }
    return text;
}

}  // namespace v1
}  // namespace strata
