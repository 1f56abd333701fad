/**
 * @file
 * @brief Compression policies and the *frame*: the small header strata puts in front of every
 * stored blob or chunk, naming the codec so that a store holding values written with different
 * codecs reads back whole.
 *
 * @code
 * #include <strata/compression/frame.hpp>
 * #include <strata/compression/zstd.hpp>   // component strata::zstd
 *
 * std::string stored = strata::encode_frame(strata::zstd_compression{.level = 3}, bytes, now_ms);
 * backend.put(key, stored);
 * // later, whatever codec wrote it ('none' is always readable):
 * std::string back = strata::decode_frame<strata::zstd_compression>(*backend.get(key), key);
 * strata::frame_info info = strata::read_frame_header(stored, key);  // codec, sizes, written time
 * @endcode
 *
 * **Compression policies.** A policy (`compression_policy<C>`) is a small struct:
 * | member | what |
 * |---|---|
 * | `static constexpr std::uint8_t id` | the codec's number in the frame: 0 none, 1 zstd, 2 lz4 (3–127 are reserved for strata; 128–255 are for codecs of your own) |
 * | `static constexpr std::string_view name` | for messages and reports: "none", "zstd", "lz4" |
 * | `void compress(std::string_view in, std::string& out) const` | appends the compressed bytes to `out` (its settings, e.g. a level, are members) |
 * | `static void decompress(std::string_view in, std::size_t original_size, std::string& out)` | appends exactly `original_size` bytes or throws (a `strata::compression_error` saying what is wrong); static, because reading needs no settings |
 *
 * strata ships `no_compression` (here), `zstd_compression` (`<strata/compression/zstd.hpp>`,
 * component `strata::zstd`) and `lz4_compression` (`<strata/compression/lz4.hpp>`, component
 * `strata::lz4`). Check a policy of your own with `static_assert(strata::check_compression_policy<C>());`.
 *
 * **The frame, byte by byte** (format version 1):
 * | bytes | what |
 * |---|---|
 * | 0 | magic `0xF5`. Never a byte of UTF-8 text, so a JSON or text value is never taken for a frame |
 * | 1 | frame format version, `1` |
 * | 2 | codec id (see above) |
 * | 3 | flags: bit 0 = *incompressible* (set by the compression pass, recompress.hpp, on a value that compressing did not make smaller, so that later passes skip it); the other bits are 0, and a frame with any of them set is refused (written by a newer strata) |
 * | 4 … | original (uncompressed) size: unsigned LEB128 varint, 1–10 bytes (7 bits a byte, low first, high bit = more) |
 * | … | written time, milliseconds since the Unix epoch: ZigZag-mapped signed LEB128 varint (6 bytes for today's dates) |
 * | rest | the payload: the bytes themselves (codec 0) or the codec's output |
 *
 * A frame's header is 11 to 13 bytes for the values strata stores. The frame has no checksum
 * of its own: the content store verifies each blob's hash, and the codecs' own checks plus the
 * exact size check below catch most damage to a compressed payload (a damaged 'none' payload of
 * the right length is not detected here).
 *
 * **Reading is defensive.** Every problem is a `strata::storage_error` whose operation is
 * `"decode frame"`, whose key is the key given, and whose reason says what was found where:
 * a value too short for a header, a wrong magic ("the value is not a strata frame"), an unknown
 * format version, unknown flags, a varint that runs past the end or past 64 bits, a codec this call does not
 * read (naming the header to include and the policy to list), a declared size over the limit
 * (`default_max_frame_size`, 1 GiB, or the caller's `max_size`), a 'none' payload whose length
 * differs from the declared size, and a payload that decompresses to more or fewer bytes than
 * declared. The declared size is checked against the limit **before** anything is allocated,
 * and a codec writes into a buffer of exactly the declared size, so a decompression bomb (a few
 * bytes that expand to gigabytes) costs at most the limit, and usually nothing: zstd's and
 * lz4's own size information is checked against the header before allocating.
 */
#pragma once

#include <strata/error.hpp>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>

namespace strata {
inline namespace v1 {

/**
 * @brief A codec could not compress or decompress: what it found, without the key (the frame
 * functions add the key and rethrow a `storage_error`).
 */
class compression_error : public error {
public:
    using error::error;
};

// One requirement per concept, so that the compiler names the missing one.

/// `C::id` is a `static constexpr std::uint8_t`: the codec's number in the frame header.
template <class C>
concept has_codec_id = std::same_as<std::remove_cv_t<decltype(C::id)>, std::uint8_t> && requires {
    typename std::integral_constant<std::uint8_t, C::id>;
};
/// `C::name` is a `static constexpr std::string_view`: the codec's name for messages.
template <class C>
concept has_codec_name = std::same_as<std::remove_cv_t<decltype(C::name)>, std::string_view>;
/// `c.compress(in, out)` appends the compressed bytes (callable on a const policy).
template <class C>
concept has_compress = requires(const C& c, std::string_view in, std::string& out) {
    c.compress(in, out);
};
/// `C::decompress(in, original_size, out)` appends exactly `original_size` bytes (static).
template <class C>
concept has_decompress = requires(std::string_view in, std::size_t original_size,
                                  std::string& out) {
    C::decompress(in, original_size, out);
};

/**
 * @brief A compression policy: an id and a name for the frame header, `compress` (appends) and a
 * static `decompress` (appends exactly the original size or throws). See the file comment.
 */
template <class C>
concept compression_policy =
    has_codec_id<C> && has_codec_name<C> && has_compress<C> && has_decompress<C>;

/// Values stored as they are (codec 0). Always readable: `decode_frame` needs no policy for it.
struct no_compression {
    static constexpr std::uint8_t id = 0;
    static constexpr std::string_view name = "none";
    /// Appends `in` unchanged.
    void compress(std::string_view in, std::string& out) const { out.append(in); }
    /// Appends `in`, which must be exactly `original_size` bytes.
    static void decompress(std::string_view in, std::size_t original_size, std::string& out) {
        if (in.size() != original_size) {
            throw compression_error("the payload is " + std::to_string(in.size()) +
                                    " bytes, not the " + std::to_string(original_size) +
                                    " declared");
        }
        out.append(in);
    }
};

/// The frame format version this strata writes and reads.
inline constexpr std::uint8_t frame_format_version = 1;
/// The frame's first byte (never a byte of UTF-8 text).
inline constexpr unsigned char frame_magic = 0xF5;
/// The default limit on a frame's declared original size: 1 GiB. `decode_frame` refuses more.
inline constexpr std::uint64_t default_max_frame_size = std::uint64_t{1} << 30;
/// The smallest possible frame: magic, version, codec, flags and two one-byte varints.
inline constexpr std::size_t min_frame_header_size = 6;
/// Frame flag (byte 3, bit 0): compressing this value again did not make it smaller (set by the
/// compression pass so that later passes skip it; see recompress.hpp).
inline constexpr std::uint8_t frame_flag_incompressible = 1;
/// Every flag this strata knows; a frame with another bit set is refused.
inline constexpr std::uint8_t frame_known_flags = frame_flag_incompressible;
/// The offset of the flags byte in a frame.
inline constexpr std::size_t frame_flags_offset = 3;

/// What a frame's header says (`read_frame_header`).
struct frame_info {
    std::uint8_t codec = 0;           ///< the codec id (0 none, 1 zstd, 2 lz4, 128–255 users')
    std::uint64_t original_size = 0;  ///< the size of the bytes before compression
    std::int64_t written_ms = 0;      ///< when they were written, ms since the Unix epoch
    std::size_t header_size = 0;      ///< bytes of header; the payload starts here
    std::size_t stored_size = 0;      ///< bytes of the whole frame (header + payload)
    std::uint8_t flags = 0;           ///< the header's flags (`frame_flag_incompressible`)

    /// Bytes of payload (`stored_size - header_size`).
    std::size_t payload_size() const noexcept { return stored_size - header_size; }
    /// A compression pass found that compressing the value did not make it smaller.
    bool incompressible() const noexcept { return (flags & frame_flag_incompressible) != 0; }
    friend bool operator==(const frame_info&, const frame_info&) = default;
};

/**
 * @brief The name of a codec id, for messages: "none", "zstd", "lz4", "a codec of your own"
 * (128–255) or "unknown" (3–127, reserved for strata: written by a newer strata?).
 */
constexpr std::string_view codec_name(std::uint8_t id) noexcept {
    switch (id) {
        case 0:
            return "none";
        case 1:
            return "zstd";
        case 2:
            return "lz4";
        default:
            return id >= 128 ? "a codec of your own" : "unknown";
    }
}

/// Milliseconds since the Unix epoch of a `system_clock` time: the frames' written time.
inline std::int64_t to_unix_ms(std::chrono::system_clock::time_point t) noexcept {
    return static_cast<std::int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

/**
 * @brief Checks that `C` is a compression policy, with one `strata:` message per missing member
 * that shows what to write, and that its id is one it may take. Use it where a template takes a
 * policy: `static_assert(strata::check_compression_policy<C>());`
 */
template <class C>
consteval bool check_compression_policy() {
    static_assert(
        has_codec_id<C>,
        "strata: compression policy lacks its id; write `static constexpr std::uint8_t id = 200;` "
        "(128-255 are for codecs of your own)");
    static_assert(has_codec_name<C>,
                  "strata: compression policy lacks its name; write "
                  "`static constexpr std::string_view name = \"mycodec\";`");
    static_assert(
        has_compress<C>,
        "strata: compression policy lacks compress; write `void compress(std::string_view in, "
        "std::string& out) const` (appends the compressed bytes to out)");
    static_assert(
        has_decompress<C>,
        "strata: compression policy lacks decompress; write `static void decompress("
        "std::string_view in, std::size_t original_size, std::string& out)` (appends exactly "
        "original_size bytes or throws strata::compression_error)");
    if constexpr (has_codec_id<C> && has_codec_name<C>) {
        static_assert(
            C::id >= 128 || C::name == codec_name(C::id),
            "strata: compression policy ids 0-127 belong to strata (0 none, 1 zstd, 2 lz4); give a "
            "codec of your own an id from 128 to 255");
    }
    return compression_policy<C>;
}

static_assert(check_compression_policy<no_compression>());

/// @cond internal
namespace detail {

inline void append_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>(static_cast<unsigned char>(v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(static_cast<unsigned char>(v)));
}

inline std::uint64_t zigzag(std::int64_t v) noexcept {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
inline std::int64_t unzigzag(std::uint64_t u) noexcept {
    return static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
}

inline std::string hex_byte(unsigned char b) {
    constexpr char digits[] = "0123456789abcdef";
    return std::string("0x") + digits[b >> 4] + digits[b & 15];
}

[[noreturn]] inline void frame_error(std::string_view key, std::string reason) {
    throw storage_error("decode frame", std::string(key), std::move(reason));
}

/// Reads the varint starting at `pos`; `what` names it for messages. Advances `pos`.
inline std::uint64_t read_varint(std::string_view stored, std::size_t& pos, std::string_view key,
                                 std::string_view what) {
    const std::size_t start = pos;
    std::uint64_t value = 0;
    for (unsigned shift = 0;; shift += 7) {
        if (pos >= stored.size()) {
            frame_error(key, "the value ends at byte " + std::to_string(stored.size()) +
                                 ", inside the " + std::string(what) +
                                 " (a varint starting at byte " + std::to_string(start) +
                                 "): the frame is truncated");
        }
        const auto b = static_cast<unsigned char>(stored[pos++]);
        if (shift == 63 && b > 1) {
            frame_error(key, "the " + std::string(what) + " (a varint starting at byte " +
                                 std::to_string(start) +
                                 ") runs past 64 bits: the header is corrupt");
        }
        value |= static_cast<std::uint64_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) return value;
    }
}

template <class... C>
consteval bool distinct_codec_ids() {
    constexpr std::uint8_t ids[] = {0, C::id...};
    for (std::size_t i = 1; i < sizeof...(C) + 1; ++i) {
        for (std::size_t j = i + 1; j < sizeof...(C) + 1; ++j) {
            if (ids[i] == ids[j]) return false;
        }
    }
    return true;
}

template <class... C>
std::string codec_list() {
    std::string s = "none";
    ((C::id != 0 ? (s += ", ", s += C::name, 0) : 0), ...);
    return s;
}

template <class C>
void decode_payload(std::string& out, std::string_view payload, const frame_info& info,
                    std::string_view key) {
    const std::size_t before = out.size();
    const auto size = static_cast<std::size_t>(info.original_size);
    auto fail = [&](std::string what) {
        out.resize(before);
        frame_error(key, "codec " + std::to_string(C::id) + " (" + std::string(C::name) +
                             "), payload of " + std::to_string(payload.size()) + " bytes at byte " +
                             std::to_string(info.header_size) + ", declared size " +
                             std::to_string(info.original_size) + ": " + what);
    };
    try {
        C::decompress(payload, size, out);
    } catch (const std::bad_alloc&) {
        out.resize(before);
        throw;
    } catch (const std::exception& e) {
        fail(e.what());
    }
    if (out.size() < before) fail("it shrank the output string instead of appending to it");
    if (out.size() - before != size) {
        fail("it decompressed to " + std::to_string(out.size() - before) + " bytes, not the " +
             std::to_string(size) + " declared");
    }
}

}  // namespace detail
/// @endcond

/**
 * @brief Appends to `out` the frame of `bytes` compressed with `codec`, stamped with
 * `written_ms` (ms since the Unix epoch; see `to_unix_ms`). Always the codec asked for, even
 * when its output is larger than the input (the compression pass, recompress.hpp, keeps only
 * rewrites that shrink). Throws what the codec throws (e.g. `compression_error` for an input
 * over lz4's 2 GB block limit), leaving `out` as it was.
 */
template <compression_policy C>
void encode_frame_to(std::string& out, const C& codec, std::string_view bytes,
                     std::int64_t written_ms) {
    static_assert(check_compression_policy<C>());
    const std::size_t before = out.size();
    try {
        out.push_back(static_cast<char>(frame_magic));
        out.push_back(static_cast<char>(frame_format_version));
        out.push_back(static_cast<char>(C::id));
        out.push_back('\0');  // flags
        detail::append_varint(out, bytes.size());
        detail::append_varint(out, detail::zigzag(written_ms));
        codec.compress(bytes, out);
    } catch (...) {
        out.resize(before);  // nothing of a failed frame stays in `out`
        throw;
    }
}

/// @brief The frame of `bytes` compressed with `codec`, stamped with `written_ms` (see `encode_frame_to`).
template <compression_policy C>
std::string encode_frame(const C& codec, std::string_view bytes, std::int64_t written_ms) {
    std::string out;
    encode_frame_to(out, codec, bytes, written_ms);
    return out;
}

/**
 * @brief Reads and checks a frame's header: magic, format version, the two varints, and for a
 * 'none' frame that the payload has the declared length. Does not check the codec against any
 * list nor the size against a limit (`decode_frame` does). `key` names the value in errors.
 * @throws storage_error("decode frame", key, reason) when the header is not a valid one.
 */
inline frame_info read_frame_header(std::string_view stored, std::string_view key) {
    if (stored.empty()) detail::frame_error(key, "the value is empty: not a strata frame");
    const auto magic = static_cast<unsigned char>(stored[0]);
    if (magic != frame_magic) {
        detail::frame_error(key, "byte 0 is " + detail::hex_byte(magic) + ", not the frame magic " +
                                     detail::hex_byte(frame_magic) +
                                     ": the value is not a strata frame");
    }
    if (stored.size() < min_frame_header_size) {
        detail::frame_error(key, "the value is " + std::to_string(stored.size()) +
                                     " bytes long: a frame header takes at least " +
                                     std::to_string(min_frame_header_size) +
                                     " (the frame is truncated)");
    }
    const auto format = static_cast<unsigned char>(stored[1]);
    if (format != frame_format_version) {
        detail::frame_error(
            key, "byte 1 is frame format version " + std::to_string(format) +
                     "; this strata reads version " + std::to_string(frame_format_version) +
                     (format > frame_format_version ? " (written by a newer strata?)"
                                                    : " (the header is corrupt)"));
    }
    frame_info info;
    info.codec = static_cast<std::uint8_t>(stored[2]);
    info.flags = static_cast<std::uint8_t>(stored[frame_flags_offset]);
    if ((info.flags & ~frame_known_flags) != 0) {
        detail::frame_error(key, "byte 3 holds flags " + detail::hex_byte(info.flags) +
                                     ", of which this strata knows " +
                                     detail::hex_byte(frame_known_flags) +
                                     " only (written by a newer strata?)");
    }
    std::size_t pos = 4;
    info.original_size = detail::read_varint(stored, pos, key, "original size");
    info.written_ms = detail::unzigzag(detail::read_varint(stored, pos, key, "written time"));
    info.header_size = pos;
    info.stored_size = stored.size();
    if (info.codec == no_compression::id && info.payload_size() != info.original_size) {
        detail::frame_error(
            key, "codec 0 (none): the payload at byte " + std::to_string(info.header_size) +
                     " is " + std::to_string(info.payload_size()) +
                     " bytes, but the header declares " + std::to_string(info.original_size) +
                     " (the frame is truncated or corrupt)");
    }
    return info;
}

/**
 * @brief Appends to `out` the bytes of the frame `stored`, written with 'none' or with one of
 * the `Readable` codecs. On error `out` is left as it was.
 * @tparam Readable the codecs this call reads besides 'none' (distinct ids).
 * @param key names the value in errors.
 * @param max_size the largest original size accepted (checked before anything is allocated).
 * @throws storage_error("decode frame", key, reason): see the file comment for every case.
 */
template <compression_policy... Readable>
void decode_frame_to(std::string& out, std::string_view stored, std::string_view key,
                     std::uint64_t max_size = default_max_frame_size) {
    static_assert((check_compression_policy<Readable>() && ... && true));
    static_assert(detail::distinct_codec_ids<Readable...>(),
                  "strata: decode_frame lists two codecs with the same id (none, id 0, is always "
                  "readable and "
                  "need not be listed)");
    const frame_info info = read_frame_header(stored, key);
    if (info.original_size > max_size) {
        detail::frame_error(key,
                            "the header declares " + std::to_string(info.original_size) +
                                " bytes, over the limit of " + std::to_string(max_size) +
                                " (a larger max_size reads it; a decompression bomb otherwise)");
    }
    if (info.original_size > out.max_size() - out.size()) {
        detail::frame_error(key, "the header declares " + std::to_string(info.original_size) +
                                     " bytes, more than a string holds here");
    }
    const std::string_view payload = stored.substr(info.header_size);
    if (info.codec == no_compression::id) {
        out.append(payload);  // its length was checked by read_frame_header
        return;
    }
    bool done = false;
    ((!done && Readable::id == info.codec
          ? (detail::decode_payload<Readable>(out, payload, info, key), done = true)
          : false),
     ...);
    if (done) return;
    std::string reason = "codec " + std::to_string(info.codec) + " (" +
                         std::string(codec_name(info.codec)) + ") is not readable here";
    if (info.codec == 1) {
        reason += ": include <strata/compression/zstd.hpp> and list strata::zstd_compression";
    } else if (info.codec == 2) {
        reason += ": include <strata/compression/lz4.hpp> and list strata::lz4_compression";
    } else if (info.codec >= 128) {
        reason += ": list the policy whose id is " + std::to_string(info.codec);
    } else {
        reason += ": no strata codec has that id (written by a newer strata, or a corrupt header?)";
    }
    reason += " (this call reads " + detail::codec_list<Readable...>() + ")";
    detail::frame_error(key, std::move(reason));
}

/**
 * @brief The bytes of the frame `stored`, written with 'none' or with one of the `Readable`
 * codecs (see `decode_frame_to`).
 * @code
 * auto bytes = strata::decode_frame<strata::zstd_compression, strata::lz4_compression>(stored, key);
 * @endcode
 */
template <compression_policy... Readable>
std::string decode_frame(std::string_view stored, std::string_view key,
                         std::uint64_t max_size = default_max_frame_size) {
    std::string out;
    decode_frame_to<Readable...>(out, stored, key, max_size);
    return out;
}

}  // namespace v1
}  // namespace strata
