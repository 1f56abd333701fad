/**
 * @file
 * @brief Untyped parts of a document: `raw_json` (one JSON value, kept as text) and
 * `unknown_fields` (every key a struct does not declare, in order, kept verbatim).
 *
 * Declare an `unknown_fields` member in a record and no key is ever lost: the decoder puts
 * every undeclared key there with its raw JSON, the encoder writes them back after the declared
 * members, and the carry-over helper moves them to the next version (renaming their keys by the
 * next version's naming policy).
 * @code
 * struct settings_v1 {
 *     BOOST_HANA_DEFINE_STRUCT(settings_v1, (std::string, theme), (strata::unknown_fields, rest));
 * };
 * @endcode
 */
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {

/**
 * @brief One JSON value kept as its text. The decoder fills it with the exact bytes of the
 * value; the encoder writes the text as it is (so text set by hand must be valid JSON).
 */
class raw_json {
public:
    /// `null`.
    raw_json() : text_("null") {}
    /// The given JSON text, which must be one valid JSON value.
    explicit raw_json(std::string text) : text_(std::move(text)) {}

    /// The JSON text.
    const std::string& text() const noexcept { return text_; }
    /// Replaces the JSON text.
    void assign(std::string text) { text_ = std::move(text); }

    friend bool operator==(const raw_json&, const raw_json&) = default;

private:
    std::string text_;
};

/// One key a struct does not declare, and its value.
struct unknown_field {
    std::string key;  ///< the key, unescaped
    raw_json value;   ///< its value, verbatim
    friend bool operator==(const unknown_field&, const unknown_field&) = default;
};

/**
 * @brief The keys of a JSON object that its struct does not declare, in document order.
 */
class unknown_fields {
public:
    using value_type = unknown_field;
    using const_iterator = std::vector<unknown_field>::const_iterator;
    using iterator = std::vector<unknown_field>::iterator;

    /// Appends a key and its value (the caller ensures the key is not already there).
    void push_back(std::string key, raw_json value) {
        fields_.push_back({std::move(key), std::move(value)});
    }
    /// The value of `key`, or nullptr.
    const raw_json* find(std::string_view key) const {
        auto it = std::find_if(fields_.begin(), fields_.end(),
                               [&](const unknown_field& f) { return f.key == key; });
        return it == fields_.end() ? nullptr : &it->value;
    }
    /// Removes `key`; returns whether it was there.
    bool erase(std::string_view key) {
        auto it = std::find_if(fields_.begin(), fields_.end(),
                               [&](const unknown_field& f) { return f.key == key; });
        if (it == fields_.end()) return false;
        fields_.erase(it);
        return true;
    }

    std::size_t size() const noexcept { return fields_.size(); }
    bool empty() const noexcept { return fields_.empty(); }
    void clear() noexcept { fields_.clear(); }
    iterator begin() noexcept { return fields_.begin(); }
    iterator end() noexcept { return fields_.end(); }
    const_iterator begin() const noexcept { return fields_.begin(); }
    const_iterator end() const noexcept { return fields_.end(); }

    friend bool operator==(const unknown_fields&, const unknown_fields&) = default;

private:
    std::vector<unknown_field> fields_;
};

}  // namespace v1
}  // namespace strata
