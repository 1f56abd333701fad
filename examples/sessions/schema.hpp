// The sessions schema of the spec (v1 -> v2 -> v3) as strata records and steps.
//
// v1: legacy, snake_case keys, "schema_version" 1 or absent, labels as one string.
// v2: camelCase keys at every depth, tags, folder "inbox", "schemaVersion": 2.
// v3: attachments moved to a content store (size + hash), derived stats, "schemaVersion": 3.
// Attachments are strata::base64_bytes: the codec decodes the base64 (strictly) as it reads.
// Every struct keeps the keys it does not declare (strata::unknown_fields), so nothing is lost.
#pragma once

#include "attachments.hpp"

#include <strata/base64.hpp>
#include <strata/carry_over.hpp>
#include <strata/chain.hpp>
#include <strata/error.hpp>
#include <strata/raw_json.hpp>
#include <strata/version_detection.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sessions {

using strata::unknown_fields;

// --- v1 -------------------------------------------------------------------------------------
struct attachment_v1 {
    BOOST_HANA_DEFINE_STRUCT(attachment_v1, (std::string, name), (std::string, mime_type),
                             (strata::base64_bytes, base64), (unknown_fields, extra));
};
struct screenshot_v1 {
    BOOST_HANA_DEFINE_STRUCT(screenshot_v1, (std::string, id), (std::string, timestamp),
                             (std::string, ai_analysis), (attachment_v1, attachment),
                             (unknown_fields, extra));
};
struct audio_segment_v1 {
    BOOST_HANA_DEFINE_STRUCT(audio_segment_v1, (std::string, id), (std::string, timestamp),
                             (std::int64_t, duration_ms), (std::string, transcription),
                             (unknown_fields, extra));
};
struct video_chunk_v1 {
    BOOST_HANA_DEFINE_STRUCT(video_chunk_v1, (std::string, id), (std::int64_t, start_ms),
                             (std::int64_t, end_ms), (std::string, path), (unknown_fields, extra));
};
struct config_v1 {
    BOOST_HANA_DEFINE_STRUCT(config_v1, (std::int64_t, screenshot_interval_s),
                             (bool, audio_enabled), (bool, video_enabled), (unknown_fields, extra));
};
struct narrative_v1 {
    BOOST_HANA_DEFINE_STRUCT(narrative_v1, (std::string, narrative), (unknown_fields, extra));
};
struct session_v1 {
    static constexpr unsigned version = 1;
    static constexpr std::string_view version_key = "schema_version";
    BOOST_HANA_DEFINE_STRUCT(session_v1, (std::string, id), (std::string, name),
                             (std::string, description), (std::string, status),
                             (std::string, start_time), (std::optional<std::string>, end_time),
                             (std::string, labels), (config_v1, config),
                             (std::vector<screenshot_v1>, screenshots),
                             (std::vector<audio_segment_v1>, audio_segments),
                             (std::vector<video_chunk_v1>, video_chunks),
                             (std::optional<narrative_v1>, summary),
                             (std::optional<narrative_v1>, audio_insights),
                             (unknown_fields, extra));
};

// --- v2: camelCase at every depth -------------------------------------------------------------
using camel = strata::naming::camel_case;

struct attachment_v2 {
    using naming = camel;
    BOOST_HANA_DEFINE_STRUCT(attachment_v2, (std::string, name), (std::string, mime_type),
                             (strata::base64_bytes, base64), (unknown_fields, extra));
};
struct screenshot_v2 {
    using naming = camel;
    BOOST_HANA_DEFINE_STRUCT(screenshot_v2, (std::string, id), (std::string, timestamp),
                             (std::string, ai_analysis), (attachment_v2, attachment),
                             (unknown_fields, extra));
};
struct audio_segment_v2 {
    using naming = camel;
    BOOST_HANA_DEFINE_STRUCT(audio_segment_v2, (std::string, id), (std::string, timestamp),
                             (std::int64_t, duration_ms), (std::string, transcription),
                             (unknown_fields, extra));
};
struct video_chunk_v2 {
    using naming = camel;
    BOOST_HANA_DEFINE_STRUCT(video_chunk_v2, (std::string, id), (std::int64_t, start_ms),
                             (std::int64_t, end_ms), (std::string, path), (unknown_fields, extra));
};
struct config_v2 {
    using naming = camel;
    BOOST_HANA_DEFINE_STRUCT(config_v2, (std::int64_t, screenshot_interval_s),
                             (bool, audio_enabled), (bool, video_enabled), (unknown_fields, extra));
};
struct narrative_v2 {
    using naming = camel;
    BOOST_HANA_DEFINE_STRUCT(narrative_v2, (std::string, narrative), (unknown_fields, extra));
};
struct session_v2 {
    static constexpr unsigned version = 2;
    static constexpr std::string_view version_key = "schemaVersion";
    using naming = camel;
    BOOST_HANA_DEFINE_STRUCT(session_v2, (std::string, id), (std::string, name),
                             (std::string, description), (std::string, status),
                             (std::string, start_time), (std::optional<std::string>, end_time),
                             (std::vector<std::string>, tags), (std::string, folder),
                             (config_v2, config), (std::vector<screenshot_v2>, screenshots),
                             (std::vector<audio_segment_v2>, audio_segments),
                             (std::vector<video_chunk_v2>, video_chunks),
                             (std::optional<narrative_v2>, summary),
                             (std::optional<narrative_v2>, audio_insights),
                             (unknown_fields, extra));
};

// --- v3: attachments by content hash, derived stats ------------------------------------------
struct attachment_v3 {
    using naming = camel;
    BOOST_HANA_DEFINE_STRUCT(attachment_v3, (std::string, name), (std::string, mime_type),
                             (std::uint64_t, size), (std::string, hash), (unknown_fields, extra));
};
struct screenshot_v3 {
    using naming = camel;
    BOOST_HANA_DEFINE_STRUCT(screenshot_v3, (std::string, id), (std::string, timestamp),
                             (std::string, ai_analysis), (attachment_v3, attachment),
                             (unknown_fields, extra));
};
struct stats_v3 {
    using naming = camel;
    BOOST_HANA_DEFINE_STRUCT(stats_v3, (std::uint64_t, screenshot_count),
                             (std::uint64_t, audio_segment_count),
                             (std::uint64_t, video_chunk_count),
                             (std::optional<std::int64_t>, duration_ms));
};
struct session_v3 {
    static constexpr unsigned version = 3;
    static constexpr std::string_view version_key = "schemaVersion";
    using naming = camel;
    BOOST_HANA_DEFINE_STRUCT(session_v3, (std::string, id), (std::string, name),
                             (std::string, description), (std::string, status),
                             (std::string, start_time), (std::optional<std::string>, end_time),
                             (std::vector<std::string>, tags), (std::string, folder),
                             (config_v2, config), (std::vector<screenshot_v3>, screenshots),
                             (std::vector<audio_segment_v2>, audio_segments),
                             (std::vector<video_chunk_v2>, video_chunks),
                             (std::optional<narrative_v2>, summary),
                             (std::optional<narrative_v2>, audio_insights), (stats_v3, stats),
                             (unknown_fields, extra));
};

// --- the steps ----------------------------------------------------------------------------------

/// labels -> tags: split on ',', trim U+0020 at both ends, lowercase ASCII letters, drop empty
/// ones, keep the first of duplicates, in order.
inline std::vector<std::string> split_labels(std::string_view labels) {
    std::vector<std::string> tags;
    std::size_t start = 0;
    while (start <= labels.size()) {
        std::size_t end = labels.find(',', start);
        if (end == std::string_view::npos) end = labels.size();
        std::string_view raw = labels.substr(start, end - start);
        while (!raw.empty() && raw.front() == ' ') raw.remove_prefix(1);
        while (!raw.empty() && raw.back() == ' ') raw.remove_suffix(1);
        std::string tag(raw);
        for (char& c : tag) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        bool seen = false;
        for (const std::string& t : tags) seen = seen || t == tag;
        if (!tag.empty() && !seen) tags.push_back(std::move(tag));
        start = end + 1;
    }
    return tags;
}

/// Milliseconds since 1970 of "YYYY-MM-DDTHH:MM:SSZ"; a decode_error for anything else.
inline std::int64_t parse_utc_ms(std::string_view text) {
    auto digits = [&](std::size_t at, std::size_t n) {
        std::int64_t v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (text[i] < '0' || text[i] > '9') return std::int64_t{-1};
            v = v * 10 + (text[i] - '0');
        }
        return v;
    };
    const bool shape = text.size() == 20 && text[4] == '-' && text[7] == '-' && text[10] == 'T' &&
                       text[13] == ':' && text[16] == ':' && text[19] == 'Z';
    const std::int64_t y = shape ? digits(0, 4) : -1, mo = shape ? digits(5, 2) : -1,
                       d = shape ? digits(8, 2) : -1, h = shape ? digits(11, 2) : -1,
                       mi = shape ? digits(14, 2) : -1, s = shape ? digits(17, 2) : -1;
    const bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    constexpr std::int64_t month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const std::int64_t days_in_month =
        mo >= 1 && mo <= 12 ? month_days[mo - 1] + (mo == 2 && leap ? 1 : 0) : 0;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || s < 0 || s > 59) {
        throw strata::decode_error("a UTC time YYYY-MM-DDTHH:MM:SSZ",
                                   "\"" + std::string(text.substr(0, 40)) + "\"");
    }
    // Days from the civil date (proleptic Gregorian), after H. Hinnant's algorithm.
    const std::int64_t yy = mo <= 2 ? y - 1 : y;
    const std::int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    const std::int64_t yoe = yy - era * 400;
    const std::int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const std::int64_t days = era * 146097 + doe - 719468;
    return ((days * 24 + h) * 60 + mi) * 60000 + s * 1000;
}

/// v1 -> v2: keys to camelCase (by the v2 structs' naming policy), labels -> tags, folder.
struct session_v1_to_v2 {
    using from = session_v1;
    using to = session_v2;
    session_v2 up(session_v1&& old) const {
        session_v2 next = strata::carry_over<session_v2>(old);
        next.tags = split_labels(old.labels);
        next.folder = "inbox";
        return next;
    }
};

/// v2 -> v3: attachment bytes into the content store (a parameter), each referenced by
/// (session id, screenshot id); stats derived. `ContentStore::put(bytes, owner, ref)` returns
/// the digest as text, "sha256:<hex>".
template <class ContentStore>
struct session_v2_to_v3 {
    using from = session_v2;
    using to = session_v3;
    ContentStore* store = nullptr;

    session_v3 up(session_v2&& old) const {
        session_v3 next = strata::carry_over<session_v3>(old);
        for (std::size_t i = 0; i < old.screenshots.size(); ++i) {
            std::string& bytes = old.screenshots[i].attachment.base64.bytes;
            attachment_v3& attachment = next.screenshots[i].attachment;
            attachment.size = bytes.size();
            attachment.hash = store->put(std::move(bytes), next.id, next.screenshots[i].id);
        }
        next.stats.screenshot_count = next.screenshots.size();
        next.stats.audio_segment_count = next.audio_segments.size();
        next.stats.video_chunk_count = next.video_chunks.size();
        if (next.end_time) {
            std::int64_t start = 0, end = 0;
            try {
                start = parse_utc_ms(next.start_time);
            } catch (strata::document_error& error) {
                error.prepend_key("startTime");
                throw;
            }
            try {
                end = parse_utc_ms(*next.end_time);
            } catch (strata::document_error& error) {
                error.prepend_key("endTime");
                throw;
            }
            next.stats.duration_ms = end - start;
        }
        return next;
    }
};

/// The whole chain, for a given content store.
template <class ContentStore>
using session_chain = strata::chain<session_v1_to_v2, session_v2_to_v3<ContentStore>>;

/// The version of a stored session: "schemaVersion" (v2+), else "schema_version", else 1.
using session_version = strata::version_from_field<1, "schemaVersion", "schema_version">;

}  // namespace sessions
