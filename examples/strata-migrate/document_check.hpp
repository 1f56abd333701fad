// strata-migrate: what `import` checks of a file before the migrator sees it — UTF-8 (naming the
// first bad byte, its line and column), one whole JSON value with nothing after it, an object
// with a non-empty string "id" that can be a file name — and the id it finds. The migrator then refuses versions the
// chain does not know and ids already stored with other bytes.
#pragma once

#include <strata/detail/utf8_text.hpp>
#include <strata/error.hpp>
#include <strata/json/decode.hpp>
#include <strata/naming.hpp>
#include <strata/reflection.hpp>

#include <simdjson.h>

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace strata_migrate {

/// The one key import needs; every other key is read (and validated) but not kept.
struct document_header {
    BOOST_HANA_DEFINE_STRUCT(document_header, (std::string, id));
};

/// "line L, column C" of byte `offset` in `text` (both from 1; columns count bytes).
inline std::string line_and_column(std::string_view text, std::size_t offset) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

/// The offset of the first byte of `text` that starts no valid UTF-8 sequence (text.size() if none).
inline std::size_t first_invalid_utf8(std::string_view text) {
    std::size_t offset = 0;
    std::size_t found = text.size();
    strata::detail::for_each_code_point(text, [&](char32_t c, std::string_view bytes) {
        // A byte that starts no valid sequence comes as U+FFFD alone; a real U+FFFD is 3 bytes.
        if (found == text.size() && c == 0xFFFD && bytes.size() == 1) found = offset;
        offset += bytes.size();
    });
    return found;
}

/**
 * @brief The id of a document file's bytes: a non-empty string that can be a file name.
 * @throws strata::error saying what is wrong and where (byte, line and column, or JSON path)
 */
inline std::string document_id(std::string_view bytes) {
    if (bytes.empty()) throw strata::error("an empty file, not a JSON object");
    if (!simdjson::validate_utf8(bytes.data(), bytes.size())) {
        const std::size_t at = first_invalid_utf8(bytes);
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(bytes[at])));
        throw strata::error("not UTF-8: byte " + std::string(hex) + " at offset " + std::to_string(at) + " (" +
                            line_and_column(bytes, at) + ") starts no valid UTF-8 sequence");
    }
    constexpr strata::json_options read_every_key{.on_unknown_key = strata::unknown_key_policy::ignore};
    std::string id;
    try {
        id = strata::json::decode<document_header, read_every_key>(bytes).id;
    } catch (const strata::document_error& e) {
        throw strata::error(std::string("not an importable JSON object: ") + e.what());
    }
    if (id.empty()) throw strata::error("at id: expected a non-empty string, found \"\"");
    // export --stored gives every document back as DIR/<id>.json.
    if (id == "." || id == ".." || id.find_first_of(std::string_view("/\0", 2)) != std::string::npos) {
        throw strata::error("at id: expected an id that can be a file name (no '/', not . or ..), found \"" +
                            strata::detail::printable_text(id) + "\"");
    }
    return id;
}

}  // namespace strata_migrate
