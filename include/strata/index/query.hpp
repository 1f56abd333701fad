/**
 * @file
 * @brief What an `inverted_index` search asks for and what it answers: terms (AND or OR,
 * `prefix*`), tags, a date range, the order and the page; and a parser for the command-line
 * form `TERM... --tag T --from DATE --to DATE --any` (core: no dependency).
 *
 * @code
 * strata::query q;
 * q.terms = {"migr*", "schema"};            // both must match (q.mode = match_mode::any: either)
 * q.tags = {{"", "ops"}};                   // the first tags field holds "ops"
 * q.from = strata::parse_iso8601_ms("2025-03-01");
 * q.order = strata::result_order::newest;
 * q.limit = 10;
 * strata::query same = strata::parse_query("migr* schema --tag ops --from 2025-03-01 --order newest --limit 10");
 * @endcode
 */
#pragma once

#include <strata/error.hpp>
#include <strata/index/date.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata {
inline namespace v1 {

/// How the terms of a query combine.
enum class match_mode : unsigned char {
    all,  ///< every term must match (AND)
    any   ///< at least one term must match (OR)
};

/// The order of a query's hits.
enum class result_order : unsigned char {
    relevance,  ///< BM25 score, highest first (ties: the document indexed first)
    newest,     ///< the query's date field, latest first (documents without it last)
    oldest      ///< the query's date field, earliest first (documents without it last)
};

/// A tag a hit must hold: `value` exactly, in the tags field named `field` (its path joined
/// with '.', e.g. "tags"; empty: the first tags field the index declares).
struct tag_filter {
    std::string field;
    std::string value;
    friend bool operator==(const tag_filter&, const tag_filter&) = default;
};

/**
 * @brief A search. Terms are tokenized like the text (so "Re-Compile" is the two terms "re" and
 * "compile"); a word ending in `*` matches every term that starts with it. A query with no term
 * matches every document that passes its filters. Tags and the date range always filter.
 */
struct query {
    std::vector<std::string> terms;    ///< words; "migr*" is a prefix
    match_mode mode = match_mode::all;
    std::vector<tag_filter> tags;      ///< every one must match
    std::optional<std::int64_t> from;  ///< ms since 1970, inclusive
    std::optional<std::int64_t> to;    ///< ms since 1970, inclusive
    std::size_t date_field = 0;        ///< which date field (in declaration order) filters and orders
    result_order order = result_order::relevance;
    std::size_t offset = 0;            ///< hits to skip (pagination)
    std::size_t limit = 20;            ///< hits to return at most
    friend bool operator==(const query&, const query&) = default;
};

/// One hit: the document's id, its BM25 score (0 when the query has no term), its date.
struct search_hit {
    std::string id;
    double score = 0;
    std::optional<std::int64_t> date;  ///< the query's date field, ms since 1970
    friend bool operator==(const search_hit&, const search_hit&) = default;
};

/// A page of hits and how many documents match in all.
struct search_page {
    std::size_t total = 0;
    std::vector<search_hit> hits;
};

/// A query that cannot be understood: an unknown option, a bad date or number, an unknown field.
class query_error : public error {
public:
    using error::error;
};

/**
 * @brief Reads a query from command-line words: `TERM... [--tag T]... [--from DATE] [--to DATE]
 * [--any] [--order relevance|newest|oldest] [--offset N] [--limit N] [--date-field N]`.
 * `--tag field=value` names the tags field; a date-only `--to` includes its whole day.
 */
inline query parse_query_args(const std::vector<std::string>& args) {
    query q;
    auto value_of = [&](std::size_t& i) -> const std::string& {
        if (i + 1 >= args.size()) throw query_error("strata: query: " + args[i] + " needs a value");
        return args[++i];
    };
    auto number = [&](std::size_t& i) {
        const std::string& text = value_of(i);
        std::size_t n = 0;
        const auto r = std::from_chars(text.data(), text.data() + text.size(), n);
        if (r.ec != std::errc() || r.ptr != text.data() + text.size())
            throw query_error("strata: query: " + args[i - 1] + " needs a number, not \"" + text + "\"");
        return n;
    };
    auto instant = [&](std::size_t& i) {
        const std::string& text = value_of(i);
        try {
            return parse_iso8601_ms(text);
        } catch (const decode_error& e) {
            throw query_error("strata: query: " + args[i - 1] + ": expected " + e.expected() + ", found " + e.found());
        }
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--any") {
            q.mode = match_mode::any;
        } else if (a == "--all") {
            q.mode = match_mode::all;
        } else if (a == "--tag") {
            const std::string& t = value_of(i);
            const auto eq = t.find('=');
            if (eq == std::string::npos) q.tags.push_back({"", t});
            else q.tags.push_back({t.substr(0, eq), t.substr(eq + 1)});
        } else if (a == "--from") {
            q.from = instant(i);
        } else if (a == "--to") {
            const bool whole_day = i + 1 < args.size() && args[i + 1].size() == 10;
            q.to = instant(i) + (whole_day ? 86'400'000 - 1 : 0);
        } else if (a == "--order") {
            const std::string& o = value_of(i);
            if (o == "relevance") q.order = result_order::relevance;
            else if (o == "newest" || o == "date") q.order = result_order::newest;
            else if (o == "oldest") q.order = result_order::oldest;
            else throw query_error("strata: query: --order takes relevance, newest or oldest, not \"" + o + "\"");
        } else if (a == "--offset") {
            q.offset = number(i);
        } else if (a == "--limit") {
            q.limit = number(i);
        } else if (a == "--date-field") {
            q.date_field = number(i);
        } else if (a.size() > 2 && a.starts_with("--")) {
            throw query_error("strata: query: unknown option " + a);
        } else {
            q.terms.push_back(a);
        }
    }
    return q;
}

/// `parse_query_args` over the words of `text` (split on spaces and tabs).
inline query parse_query(std::string_view text) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
        if (i > start) words.emplace_back(text.substr(start, i - start));
    }
    return parse_query_args(words);
}

}  // namespace v1
}  // namespace strata
