// Internal: renames every object key of a (valid) JSON text with a naming policy, at every
// depth. Used when unknown fields move to a version with another naming policy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata {
inline namespace v1 {
namespace detail {

// Appends the UTF-8 of code point cp.
inline void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

inline std::uint32_t hex4(std::string_view s, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = at; i < at + 4 && i < s.size(); ++i) {
        const char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
        else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
    }
    return v;
}

// The text of a JSON string's contents (between the quotes), unescaped.
inline std::string unescape_json(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 >= s.size()) {
            out += s[i];
            continue;
        }
        const char e = s[++i];
        switch (e) {
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                std::uint32_t cp = hex4(s, i + 1);
                i += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < s.size() && s[i + 1] == '\\' &&
                    s[i + 2] == 'u' && hex4(s, i + 3) >= 0xDC00 && hex4(s, i + 3) < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(s, i + 3) - 0xDC00);
                    i += 6;
                } else if (cp >= 0xD800 && cp < 0xE000) {
                    cp = 0xFFFD;  // a lone surrogate has no UTF-8: the replacement character
                }
                append_utf8(out, cp);
                break;
            }
            default: out += e;  // \" \\ \/
        }
    }
    return out;
}

// Appends `text` as JSON string contents (no quotes), escaping what JSON requires.
inline void append_escaped_contents(std::string& out, std::string_view text) {
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"') out += "\\\"";
        else if (c == '\\') out += "\\\\";
        else if (u < 0x20) {
            constexpr char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else out += c;
    }
}

// Renames every object key in `json` (a valid JSON value) with the naming policy Naming.
template <class Naming>
std::string rename_keys(std::string_view json) {
    std::string out;
    out.reserve(json.size());
    std::vector<bool> in_object;  // the container stack: true for objects
    bool expect_key = false;
    for (std::size_t i = 0; i < json.size();) {
        const char c = json[i];
        if (c == '"') {
            std::size_t end = i + 1;
            bool escaped = false;
            while (end < json.size() && json[end] != '"') {
                if (json[end] == '\\') {
                    escaped = true;
                    ++end;
                }
                ++end;
            }
            const std::string_view contents = json.substr(i + 1, end - i - 1);
            if (expect_key) {
                const std::string key = escaped ? unescape_json(contents) : std::string(contents);
                out += '"';
                std::string renamed;
                Naming::apply(key, renamed);
                append_escaped_contents(out, renamed);
                out += '"';
                expect_key = false;
            } else {
                out.append(json.data() + i, end + 1 - i);
            }
            i = end + 1;
            continue;
        }
        if (c == '{') {
            in_object.push_back(true);
            expect_key = true;
        } else if (c == '[') {
            in_object.push_back(false);
        } else if (c == '}' || c == ']') {
            if (!in_object.empty()) in_object.pop_back();
            expect_key = false;
        } else if (c == ',') {
            expect_key = !in_object.empty() && in_object.back();
        }
        out += c;
        ++i;
    }
    return out;
}

}  // namespace detail
}  // namespace v1
}  // namespace strata
