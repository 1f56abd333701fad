// Internal: the inverted index's stored forms: keys, varints, posting segments and columns, the
// meta record and per-document forward records. See include/strata/index/inverted_index.hpp for
// the layout they make together.
#pragma once

#include <strata/error.hpp>
#include <strata/index/fields.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {
inline namespace v1 {
namespace detail::index {

// A segment covers `segment_span` consecutive dense ids: a posting list is split into segments
// so that updating one document rewrites at most one bounded segment per term.
inline constexpr std::uint32_t segment_shift = 10;
inline constexpr std::uint32_t segment_span = 1u << segment_shift;  // 1024 documents
inline constexpr std::size_t segment_words = segment_span / 64;     // 16 words = 128 bytes
using bit_words = std::array<std::uint64_t, segment_words>;

constexpr std::uint32_t segment_of(std::uint32_t dense) noexcept { return dense >> segment_shift; }
constexpr std::uint32_t slot_of(std::uint32_t dense) noexcept { return dense & (segment_span - 1); }

// --- varints ----------------------------------------------------------------------------------
inline void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}
inline bool get_varint(std::string_view& in, std::uint64_t& v) noexcept {
    v = 0;
    for (unsigned shift = 0; shift < 64 && !in.empty(); shift += 7) {
        const auto byte = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) return true;
    }
    return false;
}
constexpr std::uint64_t zigzag(std::int64_t v) noexcept {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
constexpr std::int64_t unzigzag(std::uint64_t v) noexcept {
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

inline void put_be32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
inline std::uint32_t get_be32(std::string_view in) noexcept {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4 && i < in.size(); ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
    return v;
}

[[noreturn]] inline void damaged(std::string_view key, std::string_view what) {
    throw storage_error("read index", std::string(key), "damaged " + std::string(what) + ": rebuild the index");
}

// --- keys -------------------------------------------------------------------------------------
// Terms in keys: \0 -> \1\1 and \1 -> \1\2, so that "\0" can end a term (tags may hold any byte).
inline void append_escaped(std::string& out, std::string_view term) {
    for (char c : term) {
        if (c == '\0' || c == '\1') {
            out.push_back('\1');
            out.push_back(c == '\0' ? '\1' : '\2');
        } else {
            out.push_back(c);
        }
    }
}
inline std::string unescape(std::string_view escaped) {
    std::string out;
    out.reserve(escaped.size());
    for (std::size_t i = 0; i < escaped.size(); ++i) {
        if (escaped[i] == '\1' && i + 1 < escaped.size()) {
            out.push_back(escaped[++i] == '\1' ? '\0' : '\1');
        } else {
            out.push_back(escaped[i]);
        }
    }
    return out;
}

struct key_scheme {
    std::string prefix;

    std::string meta() const { return prefix + "m"; }
    std::string forward_prefix() const { return prefix + "f/"; }
    std::string forward(std::string_view id) const { return forward_prefix() + std::string(id); }
    std::string reverse_prefix() const { return prefix + "r/"; }
    std::string reverse(std::uint32_t dense) const {
        std::string k = reverse_prefix();
        put_be32(k, dense);
        return k;
    }
    std::string dictionary_prefix() const { return prefix + "w/"; }
    std::string dictionary(std::string_view term) const {
        std::string k = dictionary_prefix();
        append_escaped(k, term);
        return k;
    }
    std::string postings_root() const { return prefix + "p/"; }
    std::string postings_prefix(std::string_view term) const {
        std::string k = postings_root();
        append_escaped(k, term);
        k.push_back('\0');
        return k;
    }
    std::string postings(std::string_view term, std::uint32_t segment) const {
        std::string k = postings_prefix(term);
        put_be32(k, segment);
        return k;
    }
    std::string lengths_prefix() const { return prefix + "l/"; }
    std::string lengths(std::uint32_t segment) const {
        std::string k = lengths_prefix();
        put_be32(k, segment);
        return k;
    }
    std::string dates_prefix(std::size_t field) const {
        std::string k = prefix + "c/";
        k.push_back(static_cast<char>(field));
        return k;
    }
    std::string dates(std::size_t field, std::uint32_t segment) const {
        std::string k = dates_prefix(field);
        put_be32(k, segment);
        return k;
    }
    // The segment number at the end of a posting, length or date key.
    static std::uint32_t segment_in(std::string_view key) { return get_be32(key.substr(key.size() - 4)); }
};

// --- segments ---------------------------------------------------------------------------------
// What a segment stores beside each id: nothing (tags: 1), a count (term frequency, document
// length) or an instant (ms since 1970, stored as offsets from the segment's least).
enum class values_kind : unsigned char { none, counts, instants };

// The ids of one segment as a bitmap of slots, with one value per set slot in slot order.
struct segment {
    bit_words bits{};
    std::vector<std::uint64_t> values;

    bool empty() const noexcept { return values.empty(); }
    std::size_t count() const noexcept { return values.size(); }
    bool test(std::uint32_t slot) const noexcept { return (bits[slot >> 6] >> (slot & 63)) & 1u; }
    // Set slots below `slot`: the position of its value.
    std::size_t rank(std::uint32_t slot) const noexcept {
        std::size_t r = 0;
        for (std::uint32_t w = 0; w < (slot >> 6); ++w) r += static_cast<std::size_t>(std::popcount(bits[w]));
        const std::uint64_t below = (slot & 63) == 0 ? 0 : bits[slot >> 6] & (~std::uint64_t{0} >> (64 - (slot & 63)));
        return r + static_cast<std::size_t>(std::popcount(below));
    }
    std::uint64_t value_at(std::uint32_t slot) const noexcept { return values[rank(slot)]; }
    // Inserts or replaces; whether anything changed.
    bool set(std::uint32_t slot, std::uint64_t value) {
        const std::size_t r = rank(slot);
        const auto pos = values.begin() + static_cast<std::ptrdiff_t>(r);
        if (test(slot)) {
            if (*pos == value) return false;
            *pos = value;
            return true;
        }
        bits[slot >> 6] |= std::uint64_t{1} << (slot & 63);
        values.insert(pos, value);
        return true;
    }
    // Appends a slot above every set one (bulk building).
    void append(std::uint32_t slot, std::uint64_t value) {
        bits[slot >> 6] |= std::uint64_t{1} << (slot & 63);
        values.push_back(value);
    }
    bool reset(std::uint32_t slot) {
        if (!test(slot)) return false;
        values.erase(values.begin() + static_cast<std::ptrdiff_t>(rank(slot)));
        bits[slot >> 6] &= ~(std::uint64_t{1} << (slot & 63));
        return true;
    }
    template <class Fn>
    void for_each(Fn&& fn) const {  // fn(slot, value), in slot order
        std::size_t i = 0;
        for (std::uint32_t w = 0; w < segment_words; ++w) {
            for (std::uint64_t b = bits[w]; b != 0; b &= b - 1) {
                fn(static_cast<std::uint32_t>(w * 64 + static_cast<std::uint32_t>(std::countr_zero(b))), values[i++]);
            }
        }
    }
    friend bool operator==(const segment&, const segment&) = default;
};

// Layout: a container byte (0: sorted slots as delta varints, 1: a 128-byte bitmap), then the
// values (none; varints; or the least value, zigzag, then each one's offset from it).
inline std::string encode_segment(const segment& s, values_kind kind) {
    std::string out;
    const std::size_t n = s.count();
    const bool bitmap = n * 2 > segment_words * 8;  // delta varints take about 2 bytes each
    out.reserve(1 + (bitmap ? segment_words * 8 : 2 * n + 2) + (kind == values_kind::none ? 0 : 2 * n + 9));
    if (bitmap) {
        out.push_back('\1');
        for (std::uint64_t w : s.bits) {
            for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((w >> (8 * i)) & 0xff));
        }
    } else {
        out.push_back('\0');
        put_varint(out, n);
        std::uint32_t previous = 0;
        bool first = true;
        s.for_each([&](std::uint32_t slot, std::uint64_t) {
            put_varint(out, first ? slot : slot - previous);
            previous = slot;
            first = false;
        });
    }
    if (kind == values_kind::counts) {
        for (std::uint64_t v : s.values) put_varint(out, v);
    } else if (kind == values_kind::instants && n > 0) {
        std::int64_t least = static_cast<std::int64_t>(s.values[0]);
        for (std::uint64_t v : s.values) least = std::min(least, static_cast<std::int64_t>(v));
        put_varint(out, zigzag(least));
        for (std::uint64_t v : s.values) put_varint(out, v - static_cast<std::uint64_t>(least));
    }
    return out;
}

inline segment decode_segment(std::string_view in, values_kind kind, std::string_view key) {
    segment s;
    if (in.empty()) damaged(key, "index segment (empty)");
    const char container = in.front();
    in.remove_prefix(1);
    std::size_t n = 0;
    if (container == '\1') {
        if (in.size() < segment_words * 8) damaged(key, "index segment (short bitmap)");
        for (std::size_t w = 0; w < segment_words; ++w) {
            std::uint64_t v = 0;
            for (std::size_t i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(in[w * 8 + i])} << (8 * i);
            s.bits[w] = v;
            n += static_cast<std::size_t>(std::popcount(v));
        }
        in.remove_prefix(segment_words * 8);
    } else if (container == '\0') {
        std::uint64_t count = 0;
        if (!get_varint(in, count) || count > segment_span) damaged(key, "index segment (count)");
        std::uint64_t slot = 0;
        for (std::uint64_t i = 0; i < count; ++i) {
            std::uint64_t delta = 0;
            if (!get_varint(in, delta) || (i > 0 && delta == 0)) damaged(key, "index segment (slots)");
            slot = i == 0 ? delta : slot + delta;
            if (slot >= segment_span) damaged(key, "index segment (slot out of range)");
            s.bits[slot >> 6] |= std::uint64_t{1} << (slot & 63);
        }
        n = static_cast<std::size_t>(count);
    } else {
        damaged(key, "index segment (container)");
    }
    s.values.resize(n, 1);
    if (kind == values_kind::counts) {
        for (auto& v : s.values) {
            if (!get_varint(in, v)) damaged(key, "index segment (values)");
        }
    } else if (kind == values_kind::instants && n > 0) {
        std::uint64_t least = 0;
        if (!get_varint(in, least)) damaged(key, "index segment (values)");
        for (auto& v : s.values) {
            if (!get_varint(in, v)) damaged(key, "index segment (values)");
            v += static_cast<std::uint64_t>(unzigzag(least));
        }
    }
    if (!in.empty()) damaged(key, "index segment (trailing bytes)");
    return s;
}

// --- meta -------------------------------------------------------------------------------------
struct meta_record {
    bool building = false;          // a rebuild started and has not finished
    std::uint64_t next_dense = 0;   // dense ids are never reused until a rebuild
    std::uint64_t documents = 0;
    std::uint64_t total_length = 0;  // text tokens over every document (BM25's average length)
    friend bool operator==(const meta_record&, const meta_record&) = default;
};
inline constexpr char meta_format = '\x01';

inline std::string encode_meta(const meta_record& m) {
    std::string out;
    out.push_back(meta_format);
    out.push_back(m.building ? '\1' : '\0');
    put_varint(out, m.next_dense);
    put_varint(out, m.documents);
    put_varint(out, m.total_length);
    return out;
}
inline meta_record decode_meta(std::string_view in, std::string_view key) {
    meta_record m;
    if (in.size() < 2 || in[0] != meta_format) damaged(key, "index meta record (not a strata index of format 1)");
    m.building = in[1] == '\1';
    in.remove_prefix(2);
    if (!get_varint(in, m.next_dense) || !get_varint(in, m.documents) || !get_varint(in, m.total_length) || !in.empty())
        damaged(key, "index meta record");
    return m;
}

// --- forward records: what one document contributed ------------------------------------------
struct forward_record {
    std::uint32_t dense = 0;
    index_entry entry;  // entry.id is the key's, not stored
};

inline std::string encode_forward(const forward_record& f) {
    std::string out;
    put_varint(out, f.dense);
    put_varint(out, f.entry.length);
    put_varint(out, f.entry.dates.size());
    for (const auto& d : f.entry.dates) {
        out.push_back(d ? '\1' : '\0');
        if (d) put_varint(out, zigzag(*d));
    }
    put_varint(out, f.entry.terms.size());
    for (const auto& [term, count] : f.entry.terms) {
        put_varint(out, term.size());
        out += term;
        put_varint(out, count);
    }
    return out;
}
inline forward_record decode_forward(std::string_view in, std::string id, std::string_view key) {
    forward_record f;
    f.entry.id = std::move(id);
    std::uint64_t dense = 0, dates = 0, terms = 0;
    if (!get_varint(in, dense) || dense > 0xffffffffu || !get_varint(in, f.entry.length) || !get_varint(in, dates) ||
        dates > 255)
        damaged(key, "index forward record");
    f.dense = static_cast<std::uint32_t>(dense);
    for (std::uint64_t i = 0; i < dates; ++i) {
        if (in.empty()) damaged(key, "index forward record (dates)");
        const bool present = in.front() == '\1';
        in.remove_prefix(1);
        std::uint64_t v = 0;
        if (present && !get_varint(in, v)) damaged(key, "index forward record (dates)");
        f.entry.dates.push_back(present ? std::optional<std::int64_t>(unzigzag(v)) : std::nullopt);
    }
    if (!get_varint(in, terms) || terms > in.size()) damaged(key, "index forward record (terms)");
    f.entry.terms.reserve(static_cast<std::size_t>(terms));
    for (std::uint64_t i = 0; i < terms; ++i) {
        std::uint64_t size = 0, count = 0;
        if (!get_varint(in, size) || size > in.size()) damaged(key, "index forward record (terms)");
        std::string term(in.substr(0, static_cast<std::size_t>(size)));
        in.remove_prefix(static_cast<std::size_t>(size));
        if (!get_varint(in, count) || count == 0 || count > 0xffffffffu) damaged(key, "index forward record (terms)");
        f.entry.terms.emplace_back(std::move(term), static_cast<std::uint32_t>(count));
    }
    if (!in.empty()) damaged(key, "index forward record (trailing bytes)");
    return f;
}

}  // namespace detail::index
}  // namespace v1
}  // namespace strata
