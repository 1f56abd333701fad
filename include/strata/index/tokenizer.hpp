/**
 * @file
 * @brief How the inverted index cuts text into terms: split on every byte that is not an ASCII
 * letter or digit, fold ASCII case, keep UTF-8 sequences whole, drop stop words (core: no
 * dependency).
 *
 * @code
 * std::vector<std::string> terms = strata::tokenize("Re-compile the Café menu, v2!");
 * // {"re", "compile", "the", "café", "menu", "v2"}
 * strata::stop_words stops = strata::stop_words::english();
 * strata::for_each_token("the café", [&](std::string_view t) { if (!stops.contains(t)) use(t); });
 * @endcode
 *
 * Bytes 0x80 and above are token bytes, so a UTF-8 letter such as "é" stays inside its word and
 * is matched byte for byte (no Unicode case folding or normalisation: "É" and "é" differ). A
 * token longer than `max_token_bytes` is cut there, at a UTF-8 character boundary; queries are
 * cut the same way, so a long word still finds itself.
 */
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace strata {
inline namespace v1 {

/// The longest token kept, in bytes; longer ones are cut at a UTF-8 character boundary.
inline constexpr std::size_t max_token_bytes = 64;

/// @cond internal
namespace detail {
constexpr bool is_token_byte(unsigned char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
constexpr char fold_ascii(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
/// The size of `token` cut to at most `max` bytes without splitting a UTF-8 sequence.
inline std::size_t utf8_cut(std::string_view token, std::size_t max) noexcept {
    if (token.size() <= max) return token.size();
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(token[cut]) & 0xC0) == 0x80) --cut;
    return cut;
}
}  // namespace detail
/// @endcond

/**
 * @brief Calls `fn(std::string_view token)` for each token of `text`, in order, case folded.
 * The view is valid during the call only.
 */
template <class Fn>
void for_each_token(std::string_view text, Fn&& fn) {
    std::string token;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && !detail::is_token_byte(static_cast<unsigned char>(text[i]))) ++i;
        const std::size_t start = i;
        while (i < text.size() && detail::is_token_byte(static_cast<unsigned char>(text[i]))) ++i;
        if (i == start) break;
        const std::string_view raw = text.substr(start, i - start);
        token.assign(raw.substr(0, detail::utf8_cut(raw, max_token_bytes)));
        for (char& c : token) c = detail::fold_ascii(c);
        fn(std::string_view(token));
    }
}

/// The tokens of `text`, in order, case folded (duplicates kept).
inline std::vector<std::string> tokenize(std::string_view text) {
    std::vector<std::string> out;
    for_each_token(text, [&](std::string_view t) { out.emplace_back(t); });
    return out;
}

/**
 * @brief A set of words the index leaves out of text fields (and out of queries). Words are
 * stored as tokens: given "The", the set holds "the".
 */
class stop_words {
public:
    stop_words() = default;
    /// The set of the tokens of `words`.
    stop_words(std::initializer_list<std::string_view> words) {
        for (std::string_view w : words) add(w);
    }
    /// Adds the tokens of `word`.
    void add(std::string_view word) {
        for_each_token(word, [&](std::string_view t) { words_.emplace(t); });
    }
    /// Whether the token `token` (already folded) is a stop word.
    bool contains(std::string_view token) const {
        return !words_.empty() && words_.count(std::string(token)) != 0;
    }
    bool empty() const noexcept { return words_.empty(); }
    std::size_t size() const noexcept { return words_.size(); }

    /// A short list of English function words (a, an, and, the, of, to, ...).
    static stop_words english() {
        return {"a",  "an", "and", "are", "as",  "at",   "be",   "but",  "by",    "for", "if",
                "in", "into", "is", "it", "no",  "not",  "of",   "on",   "or",    "such", "that",
                "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with"};
    }

private:
    std::unordered_set<std::string> words_;
};

}  // namespace v1
}  // namespace strata
