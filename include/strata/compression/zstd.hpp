/**
 * @file
 * @brief `zstd_compression`: the zstd codec (id 1) for frames (CMake component `strata::zstd`,
 * which links libzstd).
 *
 * @code
 * #include <strata/compression/zstd.hpp>
 *
 * auto stored = strata::encode_frame(strata::zstd_compression{.level = 9}, bytes, now_ms);
 * auto back = strata::decode_frame<strata::zstd_compression>(stored, key);
 * @endcode
 *
 * **zstd or lz4?** Measured on this project's machine (benchmarks/README.md, "Compression"),
 * one frame per value:
 * | | zstd-3 | lz4 |
 * |---|---|---|
 * | ratio, sessions documents in v3's shape (JSON, ~7 KB) | 0.254 | 0.392 |
 * | ratio, v1 documents (JSON with base64 attachments, ~28 KB) | 0.432 | 0.727 |
 * | compress | 0.3–0.5 GB/s | 1.0–2.1 GB/s |
 * | decompress | 1.1–1.7 GB/s | 4.7–11.6 GB/s |
 * zstd's output is a third to two fifths smaller (lz4 has no entropy coder, which is what
 * shrinks base64 text); lz4 is 3–4x faster to write and 4–7x faster to read. Choose **zstd**
 * for what is kept long or read rarely (blobs, old chunks, what the background pass
 * recompresses), **lz4** where write and read latency matter more than space (hot values),
 * and **'none'** for bytes that do not compress (JPEG, PNG, anything already compressed).
 * Levels: 1 and 3 are close on values of a few KB; 9 gained 1–3% more at 4–5x the write
 * time, and compresses incompressible input at only ~0.36 GB/s where levels 1–3 detect it
 * at 5–6 GB/s; levels 19–22 are for archives. Decompression speed barely depends on the level.
 *
 * **Contexts.** Each thread keeps one compression and one decompression context
 * (`ZSTD_CCtx`, `ZSTD_DCtx`), created on its first use and freed when the thread ends, so a
 * call allocates nothing but its output. A compression context grows with the level and the
 * input size (a few MB at level 3, tens of MB at level 19 on large inputs) and keeps that
 * memory for the thread's life.
 *
 * **Reading.** Decompression writes into a buffer of exactly the size the frame header declares
 * (checked against the caller's limit first). When zstd's own frame header states its content
 * size (always the case for what this policy writes), it must equal the declared size, which
 * is checked before allocating; a payload that expands past the declared size fails inside
 * zstd without writing past the buffer. Errors carry `ZSTD_getErrorName`'s text.
 */
#pragma once

#include <strata/compression/frame.hpp>

#include <zstd.h>
#include <zstd_errors.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace strata {
inline namespace v1 {

/// @cond internal
namespace detail {

struct zstd_cctx_free {
    void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};
struct zstd_dctx_free {
    void operator()(ZSTD_DCtx* d) const noexcept { ZSTD_freeDCtx(d); }
};

/// This thread's compression context (created on first use).
inline ZSTD_CCtx& zstd_thread_cctx() {
    thread_local std::unique_ptr<ZSTD_CCtx, zstd_cctx_free> cctx(ZSTD_createCCtx());
    if (!cctx) throw compression_error("zstd: ZSTD_createCCtx failed (out of memory)");
    return *cctx;
}
/// This thread's decompression context (created on first use).
inline ZSTD_DCtx& zstd_thread_dctx() {
    thread_local std::unique_ptr<ZSTD_DCtx, zstd_dctx_free> dctx(ZSTD_createDCtx());
    if (!dctx) throw compression_error("zstd: ZSTD_createDCtx failed (out of memory)");
    return *dctx;
}

}  // namespace detail
/// @endcond

/**
 * @brief The zstd codec (frame codec id 1): `level` 1 (fast) to `ZSTD_maxCLevel()` (19+: slow,
 * small), 3 by default (zstd's own default); negative levels are zstd's faster-still modes.
 */
struct zstd_compression {
    static constexpr std::uint8_t id = 1;
    static constexpr std::string_view name = "zstd";

    int level = 3;  ///< the zstd compression level (zstd clamps it to its range)

    /// Appends the zstd frame of `in` (its content size included) to `out`.
    void compress(std::string_view in, std::string& out) const {
        const std::size_t before = out.size();
        out.resize(before + ZSTD_compressBound(in.size()));
        const std::size_t n = ZSTD_compressCCtx(&detail::zstd_thread_cctx(), out.data() + before,
                                                out.size() - before, in.data(), in.size(), level);
        if (ZSTD_isError(n)) {
            out.resize(before);
            throw compression_error(std::string("zstd: ZSTD_compressCCtx failed: ") +
                                    ZSTD_getErrorName(n));
        }
        out.resize(before + n);
    }

    /// Appends exactly `original_size` bytes decompressed from `in`, or throws `compression_error`
    /// (leaving `out` as it was).
    static void decompress(std::string_view in, std::size_t original_size, std::string& out) {
        const unsigned long long content = ZSTD_getFrameContentSize(in.data(), in.size());
        if (content == ZSTD_CONTENTSIZE_ERROR) {
            throw compression_error(
                "the payload is not a zstd frame (ZSTD_getFrameContentSize fails on its " +
                std::to_string(in.size()) + " bytes)");
        }
        if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != original_size) {
            throw compression_error("the zstd frame inside declares " + std::to_string(content) +
                                    " bytes, the frame header " + std::to_string(original_size));
        }
        const std::size_t before = out.size();
        out.resize(before + original_size);
        const std::size_t n = ZSTD_decompressDCtx(&detail::zstd_thread_dctx(), out.data() + before,
                                                  original_size, in.data(), in.size());
        if (ZSTD_isError(n)) {
            out.resize(before);
            std::string reason = std::string("ZSTD_decompressDCtx failed: ") + ZSTD_getErrorName(n);
            if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall) {
                reason += " (the payload expands past the " + std::to_string(original_size) +
                          " bytes declared)";
            }
            throw compression_error(reason);
        }
        if (n != original_size) {
            out.resize(before);
            throw compression_error("the payload decompresses to " + std::to_string(n) +
                                    " bytes, not the " + std::to_string(original_size) +
                                    " declared");
        }
    }
};

static_assert(check_compression_policy<zstd_compression>());

}  // namespace v1
}  // namespace strata
