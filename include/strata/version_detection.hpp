/**
 * @file
 * @brief Version detection policies: how the reader learns which schema version a stored
 * document is, before it decodes it (needs strata::json).
 *
 * - `version_from_field<WhenAbsent, "schemaVersion", "schema_version">` reads the first of the
 *   named top-level keys that is present; a document with none of them is version `WhenAbsent`.
 * - `version_sniffer<F>` calls your function `schema_version_t f(std::string_view bytes)`.
 *
 * A detector is any type with
 * `schema_version_t detect(std::string_view bytes, simdjson::ondemand::document& doc)`; it may
 * read `doc` (the reader rewinds it afterwards) or look at the bytes.
 */
#pragma once

#include <strata/error.hpp>
#include <strata/fixed_string.hpp>
#include <strata/json/decode.hpp>
#include <strata/schema_version.hpp>

#include <simdjson.h>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace strata {
inline namespace v1 {

/// `D` tells the schema version of a stored document.
template <class D>
concept is_version_detector =
    requires(D& detector, std::string_view bytes, simdjson::ondemand::document& doc) {
        { detector.detect(bytes, doc) } -> std::convertible_to<schema_version_t>;
    };

/**
 * @brief Reads the version from the first present of the top-level `Keys`; `WhenAbsent` when
 * none is there. A present key whose value is not a positive integer is a decode_error.
 */
template <schema_version_t WhenAbsent, fixed_string... Keys>
struct version_from_field {
    static_assert(sizeof...(Keys) > 0, "strata: name at least one version key");

    schema_version_t detect(std::string_view, simdjson::ondemand::document& doc) const {
        simdjson::ondemand::object object;
        if (auto e = doc.get_object().get(object)) {
            if (e == simdjson::INCORRECT_TYPE) throw decode_error("object", "another JSON type");
            json::detail::malformed(e);
        }
        // The first of Keys present wins, wherever the document puts it.
        constexpr std::size_t none = sizeof...(Keys);
        std::size_t best = none;
        schema_version_t best_version = WhenAbsent;
        for (auto field_result : object) {
            simdjson::ondemand::field field;
            if (auto e = std::move(field_result).get(field)) json::detail::malformed(e);
            const auto key = field.key();
            std::string_view matched;
            std::size_t rank = 0, matched_rank = none;
            const auto try_key = [&](std::string_view candidate) {
                if (matched.empty() && key.unsafe_is_equal(candidate)) {
                    matched = candidate;
                    matched_rank = rank;
                }
                ++rank;
            };
            (try_key(Keys.view()), ...);
            if (matched.empty() || matched_rank > best) continue;
            std::uint64_t found = 0;
            simdjson::ondemand::value value = field.value();
            const auto e = value.get_uint64().get(found);
            if (e || found < 1 || found > 0xFFFFFFFFu) {
                decode_error error("a schema version (a positive integer)",
                                   e ? json::detail::describe(value) : std::to_string(found));
                error.prepend_key(matched);
                throw error;
            }
            best = matched_rank;
            best_version = static_cast<schema_version_t>(found);
            if (best == 0) break;
        }
        return best_version;
    }
};

/// Tells the version with the user's function of the document's bytes.
template <class F>
struct version_sniffer {
    F sniff;
    schema_version_t detect(std::string_view bytes, simdjson::ondemand::document&) {
        return static_cast<schema_version_t>(sniff(bytes));
    }
};
template <class F>
version_sniffer(F) -> version_sniffer<F>;

}  // namespace v1
}  // namespace strata
