/**
 * @file
 * @brief `strata::string_coded<T>`: the customisation point for member types that a document
 * carries as a JSON string in a format of their own (base64 bytes, hex digests, timestamps,
 * enumerations by name).
 *
 * Specialise it for your type:
 * @code
 * template <> struct strata::string_coded<my_type> {
 *     static constexpr bool needs_escaping = false;        // true when encode may write any text
 *     static constexpr std::string_view expected = "…";    // what a decode error says it wanted
 *     static void decode(std::string_view text, my_type& out);     // the string's contents
 *     static void encode(const my_type& value, std::string& out);  // appends the contents
 * };
 * @endcode
 * The JSON codec hands `decode` the string's contents, unescaped; when the string holds no
 * escape this is a view straight into the input, with no copy. `decode` throws `decode_error`
 * (the codec adds the JSON path). When `needs_escaping` is false, `encode` promises to write
 * only characters that need no escape in a JSON string (printable ASCII but `"` and `\`), and
 * the codec writes them as they are.
 *
 * Optionally, `static constexpr bool rejects_backslash = true;` promises that `decode` throws
 * for every text holding a backslash (base64, hex digests, numbers: any format whose alphabet
 * lacks it). The codec then hands `decode` the string's raw text at once, without first
 * scanning it for escapes, and unescapes and retries only when that fails on a text that does
 * hold one. Leave it out (or false) when a backslash can be part of a valid text.
 */
#pragma once

#include <concepts>
#include <string>
#include <string_view>

namespace strata {
inline namespace v1 {

/// Specialise for a type carried as a JSON string (see the file comment). Not defined for
/// other types.
template <class T>
struct string_coded;

/// Whether `T` has a `string_coded` specialisation with `decode` and `encode`.
template <class T>
concept is_string_coded = requires(std::string_view text, T& out, const T& value, std::string& buffer) {
    { string_coded<T>::needs_escaping } -> std::convertible_to<bool>;
    { string_coded<T>::expected } -> std::convertible_to<std::string_view>;
    string_coded<T>::decode(text, out);
    string_coded<T>::encode(value, buffer);
};

/// Whether `string_coded<T>` declares `rejects_backslash = true` (see the file comment).
template <class T>
concept string_coded_rejects_backslash = requires {
    requires string_coded<T>::rejects_backslash;
};

}  // namespace v1
}  // namespace strata
