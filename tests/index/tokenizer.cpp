// The index's tokenizer, ISO-8601 dates, the query parser, the segment codec.
#include <strata/detail/index_codec.hpp>
#include <strata/index.hpp>

#include <doctest/doctest.h>

#include <random>

using strata::tokenize;
using words = std::vector<std::string>;

TEST_CASE("tokenize: split on non-alphanumeric ASCII, fold ASCII case, keep UTF-8") {
    CHECK(tokenize("").empty());
    CHECK(tokenize("  ,;-- ").empty());
    CHECK(tokenize("Hello, World!") == words{"hello", "world"});
    CHECK(tokenize("x86-64 v2.0") == words{"x86", "64", "v2", "0"});
    CHECK(tokenize("under_score tab\there\nnew") == words{"under", "score", "tab", "here", "new"});
    CHECK(tokenize("Café CAFÉ") == words{"café", "cafÉ"});                // only ASCII is folded
    CHECK(tokenize("日本語のテキスト") == words{"日本語のテキスト"});  // non-ASCII bytes are token bytes
    CHECK(tokenize("naïve—dash") == words{"naïve—dash"});             // an em dash is UTF-8, kept
    CHECK(tokenize(std::string_view("a\0b", 3)) == words{"a", "b"});
    CHECK(tokenize("1 22 333") == words{"1", "22", "333"});
    // Long tokens are cut at max_token_bytes, never inside a UTF-8 sequence.
    const std::string long_ascii(100, 'A');
    CHECK(tokenize(long_ascii) == words{std::string(strata::max_token_bytes, 'a')});
    std::string accents;
    for (int i = 0; i < 40; ++i) accents += "é";  // 80 bytes
    const auto cut = tokenize(accents);
    REQUIRE(cut.size() == 1);
    CHECK(cut[0].size() == 64);
    CHECK(cut[0] == accents.substr(0, 64));
    std::string odd = "a" + accents;  // the cut falls inside an "é": it backs off to 63 bytes
    CHECK(tokenize(odd)[0].size() == 63);

    strata::stop_words stops{"The", "of"};
    CHECK(stops.contains("the"));
    CHECK(stops.contains("of"));
    CHECK_FALSE(stops.contains("The"));  // callers pass folded tokens
    CHECK(strata::stop_words::english().contains("and"));
}

TEST_CASE("parse_iso8601_ms: strict") {
    using strata::parse_iso8601_ms;
    CHECK(parse_iso8601_ms("1970-01-01") == 0);
    CHECK(parse_iso8601_ms("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_iso8601_ms("2025-03-04T10:15:00Z") == 1741083300000);
    CHECK(parse_iso8601_ms("2025-03-04 10:15Z") == 1741083300000);
    CHECK(parse_iso8601_ms("2025-03-04T12:15:00.5+02:00") == 1741083300500);
    CHECK(parse_iso8601_ms("2025-03-04T10:15:00.123456Z") == 1741083300123);
    CHECK(parse_iso8601_ms("2025-03-04T05:15:00-05:00") == 1741083300000);
    CHECK(parse_iso8601_ms("2024-02-29") == 1709164800000);
    CHECK(parse_iso8601_ms("1969-12-31T23:59:59Z") == -1000);
    for (const char* bad : {"", "2025", "2025-3-4", "2025-02-29", "2025-13-01", "2025-00-10", "2025-01-32",
                            "2025-01-01T24:00:00Z", "2025-01-01T10:60Z", "2025-01-01T10:00:60Z", "2025-01-01T10:00:00",
                            "2025-01-01T10:00:00.Z", "2025-01-01T10:00:00+0200", "2025-01-01T10:00:00Zjunk",
                            "2025-01-01x", "２０２５-01-01"}) {
        INFO(bad);
        try {
            (void)parse_iso8601_ms(bad);
            FAIL("accepted");
        } catch (const strata::decode_error& e) {
            CHECK(e.expected().find("ISO-8601") != std::string::npos);
        }
    }
}

TEST_CASE("parse_query: the command-line form") {
    const auto q = strata::parse_query("migr* Schema --tag ops --tag status=active --from 2025-03-01 --to 2025-03-31 "
                                       "--any --order newest --offset 20 --limit 10 --date-field 1");
    CHECK(q.terms == words{"migr*", "Schema"});
    CHECK(q.mode == strata::match_mode::any);
    CHECK(q.tags == std::vector<strata::tag_filter>{{"", "ops"}, {"status", "active"}});
    CHECK(q.from == strata::parse_iso8601_ms("2025-03-01"));
    CHECK(q.to == strata::parse_iso8601_ms("2025-04-01") - 1);  // the whole last day
    CHECK(q.order == strata::result_order::newest);
    CHECK(q.offset == 20);
    CHECK(q.limit == 10);
    CHECK(q.date_field == 1);
    CHECK(strata::parse_query("a --to 2025-03-31T10:00:00Z").to == strata::parse_iso8601_ms("2025-03-31T10:00:00Z"));
    CHECK(strata::parse_query("").terms.empty());
    CHECK_THROWS_AS(strata::parse_query("--bogus"), strata::query_error);
    CHECK_THROWS_AS(strata::parse_query("--limit ten"), strata::query_error);
    CHECK_THROWS_AS(strata::parse_query("--from"), strata::query_error);
    CHECK_THROWS_WITH_AS(strata::parse_query("--from 2025-02-30"), doctest::Contains("ISO-8601"), strata::query_error);
}

TEST_CASE("index segments: encode and decode round trip, damage is a storage_error") {
    namespace ix = strata::detail::index;
    std::mt19937 rng(5);
    for (std::size_t density : {0u, 1u, 10u, 63u, 64u, 65u, 500u, 1024u}) {
        for (auto kind : {ix::values_kind::none, ix::values_kind::counts, ix::values_kind::instants}) {
            ix::segment s;
            std::vector<std::uint32_t> slots(ix::segment_span);
            for (std::uint32_t i = 0; i < ix::segment_span; ++i) slots[i] = i;
            std::shuffle(slots.begin(), slots.end(), rng);
            for (std::size_t i = 0; i < density; ++i) {
                const std::uint64_t v = kind == ix::values_kind::none ? 1
                                        : kind == ix::values_kind::counts ? rng() % 300
                                                                          : static_cast<std::uint64_t>(-5'000'000'000LL + static_cast<std::int64_t>(rng()));
                CHECK(s.set(slots[i], v));
            }
            CHECK(s.count() == density);
            const std::string bytes = ix::encode_segment(s, kind);
            CHECK(ix::decode_segment(bytes, kind, "k") == s);
            if (density > 100) CHECK(bytes[0] == '\1');
            if (density > 0 && density < 50) CHECK(bytes[0] == '\0');
            if (density > 0) {
                CHECK_THROWS_AS(ix::decode_segment(bytes.substr(0, bytes.size() - 1), kind, "k"), strata::storage_error);
                CHECK_THROWS_AS(ix::decode_segment(bytes + "x", kind, "k"), strata::storage_error);
            }
            for (std::size_t i = 0; i < density; ++i) CHECK(s.reset(slots[i]));
            CHECK(s.empty());
        }
    }
    CHECK_THROWS_AS(ix::decode_segment("", ix::values_kind::none, "k"), strata::storage_error);
    CHECK_THROWS_AS(ix::decode_segment("\x07", ix::values_kind::none, "k"), strata::storage_error);
    // Terms with NUL and \1 bytes survive the key escaping, and do not reach into another's keys.
    const std::string odd("a\0b\1", 4);
    CHECK(ix::unescape(ix::key_scheme{"idx/"}.dictionary(odd).substr(6)) == odd);
    CHECK_FALSE(ix::key_scheme{"idx/"}.postings(odd, 0).starts_with(ix::key_scheme{"idx/"}.postings_prefix("a")));
}
