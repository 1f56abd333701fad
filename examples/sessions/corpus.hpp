// sessions_corpus: a self-contained generator of legacy "sessions" stores (schema v1, with a
// share of documents already at v2), for strata's examples, tests and benchmarks.
//
// The documents have the shape described in the sessions schema (v1: snake_case keys, a
// comma-separated `labels` string, base64 screenshot attachments; v2: the same converted by
// the v1 -> v2 rule) and the same statistics as the reference corpus generator: key names and
// order, value ranges, the share of v1 documents without `schema_version`, the share already at
// v2, a few "big" documents with hundreds of array items, a pool of reusable attachment blobs so
// that the content-addressed store sees duplicates, and every other document pretty-printed
// (one space per level) while the rest are compact.
//
// Output is a pure function of `options`: the pseudo-random generator (xoshiro256**, seeded
// through splitmix64) and every bounded draw are implemented here, so the same seed gives
// byte-identical documents with any compiler, standard library or platform.
//
// Header-only, C++20: the standard library and strata/base64.hpp. Not part of the strata library.
#pragma once

#include <strata/base64.hpp>

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sessions_corpus {

struct options {
    std::size_t count = 1000;  // number of documents: session-000000 .. session-<count-1>
    std::uint64_t seed = 42;   // same seed, same bytes
    std::size_t big = 2;       // the first `big` documents have hundreds of array items
    double v2_share = 0.1;     // probability that a document is already converted to v2
};

struct document {
    std::string id;    // "session-000123"; the file name is id + ".json"
    std::string json;  // the whole document, UTF-8, no trailing newline
};

// ---------------------------------------------------------------------------------------------
// Building blocks (public because tests and benchmarks find them useful on their own).

// Deterministic PRNG: xoshiro256** seeded by splitmix64.
class prng {
public:
    explicit prng(std::uint64_t seed) noexcept {
        for (auto& word : state_) word = splitmix64(seed);
    }

    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    // Uniform in [0, n), n > 0, without modulo bias (rejection of the short last interval).
    std::uint64_t below(std::uint64_t n) noexcept {
        const std::uint64_t threshold = (std::uint64_t{0} - n) % n;  // 2^64 mod n
        for (;;) {
            const std::uint64_t r = next();
            if (r >= threshold) return r % n;
        }
    }

    // Uniform in [lo, hi], lo <= hi.
    std::uint64_t between(std::uint64_t lo, std::uint64_t hi) noexcept {
        return lo + below(hi - lo + 1);
    }

    // A uniformly chosen element of a built-in array.
    template <class T, std::size_t N>
    const T& pick(const T (&items)[N]) noexcept {
        return items[static_cast<std::size_t>(below(N))];
    }

    // Uniform in [0, 1) with 53 random bits; exact, hence identical everywhere.
    double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    bool chance(double p) noexcept { return uniform() < p; }

    void fill(unsigned char* out, std::size_t n) noexcept {
        while (n > 0) {
            std::uint64_t r = next();
            const std::size_t take = n < 8 ? n : 8;
            for (std::size_t i = 0; i < take; ++i, r >>= 8) *out++ = static_cast<unsigned char>(r);
            n -= take;
        }
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept {
        return (x << k) | (x >> (64 - k));
    }
    static std::uint64_t splitmix64(std::uint64_t& x) noexcept {
        std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    std::array<std::uint64_t, 4> state_{};
};

// Standard base64 (RFC 4648 alphabet, '=' padding), appended to `out`.
inline void append_base64(std::string& out, const unsigned char* data, std::size_t n) {
    strata::base64_encode_to(out, std::string_view(reinterpret_cast<const char*>(data), n));
}

inline std::string base64(std::string_view bytes) {
    std::string out;
    append_base64(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return out;
}

// A JSON string literal (quotes included) appended to `out`. Escapes '"', '\\' and the
// control characters U+0000..U+001F (short forms where JSON has them, else \u00xx); every
// other byte, UTF-8 sequences included, is copied as is.
inline void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t run = 0;  // start of the pending run of bytes that need no escaping
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        out.push_back('\\');
        switch (c) {
            case '"':
                out.push_back('"');
                break;
            case '\\':
                out.push_back('\\');
                break;
            case '\b':
                out.push_back('b');
                break;
            case '\f':
                out.push_back('f');
                break;
            case '\n':
                out.push_back('n');
                break;
            case '\r':
                out.push_back('r');
                break;
            case '\t':
                out.push_back('t');
                break;
            default:
                out.append("u00");
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 15]);
        }
    }
    out.append(s.data() + run, s.size() - run);
    out.push_back('"');
}

// The v1 -> v2 key rule: every '_' followed by an ASCII lowercase letter or digit is removed
// and that character upper-cased; every other character stays ("a__b" -> "a_B", "x_" -> "x_").
inline std::string camel_case(std::string_view key) {
    std::string out;
    out.reserve(key.size());
    for (std::size_t i = 0; i < key.size(); ++i) {
        const char c = key[i];
        if (c == '_' && i + 1 < key.size()) {
            const char d = key[i + 1];
            if (d >= 'a' && d <= 'z') {
                out.push_back(static_cast<char>(d - 'a' + 'A'));
                ++i;
                continue;
            }
            if (d >= '0' && d <= '9') {
                out.push_back(d);
                ++i;
                continue;
            }
        }
        out.push_back(c);
    }
    return out;
}

// The v1 -> v2 labels rule: split on ',', trim U+0020 at both ends, lowercase ASCII letters,
// drop empty tags, keep the first of duplicates, in order.
inline std::vector<std::string> labels_to_tags(std::string_view labels) {
    std::vector<std::string> tags;
    for (;;) {
        const std::size_t comma = labels.find(',');
        std::string_view raw = labels.substr(0, comma);
        while (!raw.empty() && raw.front() == ' ') raw.remove_prefix(1);
        while (!raw.empty() && raw.back() == ' ') raw.remove_suffix(1);
        std::string tag(raw);
        for (char& c : tag)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        bool seen = tag.empty();
        for (const auto& t : tags) seen = seen || t == tag;
        if (!seen) tags.push_back(std::move(tag));
        if (comma == std::string_view::npos) break;
        labels.remove_prefix(comma + 1);
    }
    return tags;
}

// "YYYY-MM-DDTHH:MM:SSZ" for seconds since 1970-01-01T00:00:00Z (proleptic Gregorian, UTC).
inline std::string iso8601(std::int64_t seconds) {
    std::int64_t days = seconds / 86400;
    std::int64_t rem = seconds % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    // civil_from_days (H. Hinnant's algorithm).
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);

    char buf[20];
    const auto put = [&buf](std::size_t at, std::int64_t value, std::size_t width) {
        for (std::size_t i = width; i-- > 0; value /= 10)
            buf[at + i] = static_cast<char>('0' + value % 10);
    };
    put(0, year, 4);
    buf[4] = '-';
    put(5, month, 2);
    buf[7] = '-';
    put(8, day, 2);
    buf[10] = 'T';
    put(11, rem / 3600, 2);
    buf[13] = ':';
    put(14, rem / 60 % 60, 2);
    buf[16] = ':';
    put(17, rem % 60, 2);
    buf[19] = 'Z';
    return std::string(buf, sizeof buf);
}

// ---------------------------------------------------------------------------------------------
// JSON output in the two layouts of the corpus: compact (", " and ": " separators, one line) and
// indented (one space per level, "," and ": " separators, empty containers as [] and {}).
// With `camel` set, every key written is passed through camel_case(): that is how a document is
// produced directly in its v2 form.
class json_writer {
public:
    json_writer(std::string& out, bool indent, bool camel)
        : out_(out), indent_(indent), camel_(camel) {}

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }

    void key(std::string_view k) {
        item();
        if (camel_)
            append_json_string(out_, camel_case(k));
        else
            append_json_string(out_, k);
        out_.append(": ");
        after_key_ = true;
    }
    void string(std::string_view s) {
        value();
        append_json_string(out_, s);
    }
    void integer(std::int64_t v) {
        value();
        char buf[24];
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        out_.append(buf, r.ptr);
    }
    void boolean(bool b) {
        value();
        out_.append(b ? "true" : "false");
    }
    void null() {
        value();
        out_.append("null");
    }
    // A string value whose characters are known to need no escaping (base64, ids, ...).
    void plain_string(std::string_view s) {
        value();
        out_.push_back('"');
        out_.append(s);
        out_.push_back('"');
    }

private:
    void value() {
        if (after_key_)
            after_key_ = false;
        else
            item();
    }
    void item() {
        if (levels_.empty()) return;
        if (levels_.back()++ > 0) out_.append(indent_ ? "," : ", ");
        newline(levels_.size());
    }
    void open(char c) {
        value();
        out_.push_back(c);
        levels_.push_back(0);
    }
    void close(char c) {
        const bool empty = levels_.back() == 0;
        levels_.pop_back();
        if (!empty) newline(levels_.size());
        out_.push_back(c);
    }
    void newline(std::size_t depth) {
        if (!indent_) return;
        out_.push_back('\n');
        out_.append(depth, ' ');
    }

    std::string& out_;
    bool indent_;
    bool camel_;
    bool after_key_ = false;
    std::vector<std::size_t> levels_;  // items written so far, per open container
};

// ---------------------------------------------------------------------------------------------
// The generator. Documents come out one at a time, in order, so a whole store can be written
// without holding it in memory; generate() and write_directory() are built on it.
class generator {
public:
    explicit generator(const options& opt) : opt_(opt), rng_(opt.seed) {
        // The pool of reusable attachments, kept base64-encoded since that is all we emit.
        std::vector<unsigned char> bytes;
        pool_.reserve(pool_size);
        for (std::size_t i = 0; i < pool_size; ++i) {
            bytes.resize(static_cast<std::size_t>(rng_.between(256, 4096)));
            rng_.fill(bytes.data(), bytes.size());
            std::string encoded;
            append_base64(encoded, bytes.data(), bytes.size());
            pool_.push_back(std::move(encoded));
        }
    }

    bool done() const noexcept { return index_ >= opt_.count; }

    // The next document; precondition: !done().
    document next() {
        document doc;
        doc.id = "session-" + padded(index_, 6);
        doc.json = make(index_, doc.id);
        ++index_;
        return doc;
    }

    static constexpr std::size_t pool_size = 32;

private:
    static std::string padded(std::size_t n, std::size_t width) {
        char buf[24];
        const auto r = std::to_chars(buf, buf + sizeof buf, n);
        std::string digits(buf, r.ptr);
        if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
        return digits;
    }

    const char* word() {
        static constexpr const char* words[] = {
            "focus",    "editor",   "terminal", "compile",  "debugger",  "profiler",  "outline",
            "drafting", "sketch",   "revise",   "budget",   "invoice",   "contract",  "feedback",
            "lecture",  "tutorial", "workshop", "webinar",  "dashboard", "analytics", "schema",
            "shard",    "replica",  "snapshot", "archive",  "upload",    "commit",    "branch",
            "merge",    "ticket",   "triage",   "estimate", "backlog",   "kickoff",   "prototype",
            "handoff",  "agenda"};
        return rng_.pick(words);
    }

    // lo..hi words separated by single spaces.
    const std::string& sentence(std::uint64_t lo, std::uint64_t hi, bool capitalize = false) {
        scratch_.clear();
        for (std::uint64_t n = rng_.between(lo, hi); n > 0; --n) {
            if (!scratch_.empty()) scratch_.push_back(' ');
            scratch_.append(word());
        }
        if (capitalize && !scratch_.empty() && scratch_[0] >= 'a' && scratch_[0] <= 'z')
            scratch_[0] = static_cast<char>(scratch_[0] - 'a' + 'A');
        return scratch_;
    }

    std::string make(std::size_t idx, const std::string& id) {
        static constexpr const char* statuses[] = {"active", "paused", "completed", "interrupted"};
        // Free-form labels: mixed case, spaces to trim, an inner space, an empty one, and a
        // case-only duplicate, so that the labels -> tags rule has work to do.
        static constexpr const char* labels[] = {
            "writing", "Team-B", " health", "side project", "ops", "later ", "H2", "OPS", ""};
        static constexpr std::int64_t epoch_2025 = 1735689600;  // 2025-01-01T00:00:00Z

        const bool big = idx < opt_.big;
        const bool v2 = rng_.chance(opt_.v2_share);
        const bool versionless = rng_.chance(0.15);  // the oldest v1 documents have no version
        const std::int64_t start =
            epoch_2025 + static_cast<std::int64_t>(rng_.between(0, 300 * 86400));
        const auto duration = static_cast<std::int64_t>(rng_.between(60, 8 * 3600));
        const std::string_view status = rng_.pick(statuses);
        const bool has_end = status != "active";
        const std::uint64_t n_shots = big ? rng_.between(300, 1200) : rng_.between(0, 12);
        const std::uint64_t n_audio = big ? 400 : rng_.between(0, 20);
        const std::uint64_t n_video = rng_.between(0, 5);
        const std::string num = padded(idx, 6);

        std::string out;
        out.reserve(static_cast<std::size_t>(2048 + n_shots * 2200 + n_audio * 200));
        json_writer w(out, idx % 2 == 1, v2);
        w.begin_object();
        if (v2) {
            w.key("schemaVersion");
            w.integer(2);
        } else if (!versionless) {
            w.key("schema_version");
            w.integer(1);
        }
        w.key("id");
        w.string(id);
        w.key("name");
        w.string(sentence(2, 5, true));
        w.key("description");
        w.string(sentence(0, 20));
        w.key("status");
        w.string(status);
        w.key("start_time");
        w.string(iso8601(start));
        w.key("end_time");
        if (has_end)
            w.string(iso8601(start + duration));
        else
            w.null();

        std::string label_text;
        for (std::uint64_t n = rng_.between(0, 4), k = 0; k < n; ++k) {
            if (k > 0) label_text.push_back(',');
            label_text.append(rng_.pick(labels));
        }
        if (!v2) {  // v2 has `tags` instead, at the end
            w.key("labels");
            w.string(label_text);
        }

        static constexpr std::int64_t intervals[] = {30, 60, 120};
        w.key("config");
        w.begin_object();
        w.key("screenshot_interval_s");
        w.integer(rng_.pick(intervals));
        w.key("audio_enabled");
        w.boolean(rng_.chance(0.5));
        w.key("video_enabled");
        w.boolean(rng_.chance(0.2));
        w.end_object();

        w.key("screenshots");
        w.begin_array();
        for (std::uint64_t k = 0; k < n_shots; ++k) {
            const std::string kk = padded(static_cast<std::size_t>(k), 4);
            const auto ks = std::to_string(k);
            w.begin_object();
            w.key("id");
            w.string("shot-" + num + "-" + kk);
            w.key("timestamp");
            w.string(iso8601(start + static_cast<std::int64_t>(k) * 30));
            w.key("ai_analysis");
            w.string(sentence(3, 12));
            w.key("attachment");
            w.begin_object();
            w.key("name");
            w.string("screenshot-" + ks + ".png");
            w.key("mime_type");
            w.string("image/png");
            w.key("base64");
            if (rng_.chance(0.6)) {
                w.plain_string(pool_[static_cast<std::size_t>(rng_.below(pool_size))]);
            } else {
                blob_.resize(static_cast<std::size_t>(rng_.between(64, 1024)));
                rng_.fill(blob_.data(), blob_.size());
                encoded_.clear();
                append_base64(encoded_, blob_.data(), blob_.size());
                w.plain_string(encoded_);
            }
            w.end_object();
            w.end_object();
        }
        w.end_array();

        w.key("audio_segments");
        w.begin_array();
        for (std::uint64_t k = 0; k < n_audio; ++k) {
            w.begin_object();
            w.key("id");
            w.string("audio-" + num + "-" + padded(static_cast<std::size_t>(k), 4));
            w.key("timestamp");
            w.string(iso8601(start + static_cast<std::int64_t>(k) * 45));
            w.key("duration_ms");
            w.integer(static_cast<std::int64_t>(rng_.between(1000, 60000)));
            w.key("transcription");
            w.string(sentence(4, 30));
            w.end_object();
        }
        w.end_array();

        w.key("video_chunks");
        w.begin_array();
        for (std::uint64_t k = 0; k < n_video; ++k) {
            const auto ms = static_cast<std::int64_t>(k) * 10000;
            w.begin_object();
            w.key("id");
            w.string("video-" + num + "-" + padded(static_cast<std::size_t>(k), 4));
            w.key("start_ms");
            w.integer(ms);
            w.key("end_ms");
            w.integer(ms + 9999);
            w.key("path");
            w.string("videos/" + num + "/" + std::to_string(k) + ".mp4");
            w.end_object();
        }
        w.end_array();

        w.key("summary");
        if (rng_.chance(0.7)) {
            w.begin_object();
            w.key("narrative");
            w.string(sentence(10, 60));
            w.end_object();
        } else {
            w.null();
        }
        w.key("audio_insights");
        if (rng_.chance(0.3)) {
            w.begin_object();
            w.key("narrative");
            w.string(sentence(5, 30));
            w.end_object();
        } else {
            w.null();
        }

        if (v2) {
            w.key("tags");
            w.begin_array();
            for (const auto& tag : labels_to_tags(label_text)) w.string(tag);
            w.end_array();
            w.key("folder");
            w.string("inbox");
        }
        w.end_object();
        return out;
    }

    options opt_;
    prng rng_;
    std::size_t index_ = 0;
    std::vector<std::string> pool_;
    std::vector<unsigned char> blob_;
    std::string encoded_;
    std::string scratch_;
};

// All documents, in order of id.
inline std::vector<document> generate(const options& opt) {
    std::vector<document> docs;
    docs.reserve(opt.count);
    for (generator g(opt); !g.done();) docs.push_back(g.next());
    return docs;
}

// Writes DIR/<id>.json for every document (creating DIR if needed, overwriting files of the
// same name) and returns the total number of bytes written. Throws std::system_error or
// std::filesystem::filesystem_error on I/O failure.
inline std::size_t write_directory(const options& opt, const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    std::size_t total = 0;
    for (generator g(opt); !g.done();) {
        const document doc = g.next();
        const auto path = dir / (doc.id + ".json");
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f.write(doc.json.data(), static_cast<std::streamsize>(doc.json.size()));
        f.close();
        if (!f)
            throw std::system_error(std::make_error_code(std::errc::io_error),
                                    "cannot write " + path.string());
        total += doc.json.size();
    }
    return total;
}

}  // namespace sessions_corpus
