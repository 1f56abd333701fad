/**
 * @file
 * @brief `lz4_compression`: the LZ4 codec (id 2) for frames (CMake component `strata::lz4`,
 * which links liblz4).
 *
 * @code
 * #include <strata/compression/lz4.hpp>
 *
 * auto stored = strata::encode_frame(strata::lz4_compression{}, bytes, now_ms);
 * auto back = strata::decode_frame<strata::lz4_compression>(stored, key);
 * @endcode
 *
 * **lz4 or zstd?** lz4 writes 3–4x and reads 4–7x faster than zstd, but its output is larger
 * (sessions documents: ratio 0.39 against zstd-3's 0.25; JSON with base64 attachments: 0.73
 * against 0.43, since lz4 has no entropy coder). Choose it where write and read latency matter
 * more than space (hot values read on every request, write-heavy chunks), zstd
 * (`<strata/compression/zstd.hpp>`) for anything kept long or read rarely. `acceleration`
 * above 1 trades ratio for more speed still. See zstd.hpp and benchmarks/README.md
 * ("Compression") for the figures.
 *
 * **The payload** is one LZ4 *block* (`LZ4_compress_fast`), not an LZ4 frame: the frame header
 * already holds the original size, so the payload needs nothing else. A block holds at most
 * `LZ4_MAX_INPUT_SIZE` (about 2 GB); larger inputs are refused. Decompression is
 * `LZ4_decompress_safe` into a buffer of exactly the declared size; since LZ4 expands at most
 * 255 times (plus a few bytes), a declared size beyond that is refused before allocating.
 */
#pragma once

#include <strata/compression/frame.hpp>

#include <lz4.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace strata {
inline namespace v1 {

/**
 * @brief The LZ4 codec (frame codec id 2): `acceleration` 1 (LZ4's default, best ratio) and up
 * (faster, larger).
 */
struct lz4_compression {
    static constexpr std::uint8_t id = 2;
    static constexpr std::string_view name = "lz4";

    int acceleration = 1;  ///< LZ4's acceleration factor (values below 1 mean 1)

    /// Appends the LZ4 block of `in` to `out`; throws `compression_error` for inputs over
    /// `LZ4_MAX_INPUT_SIZE`.
    void compress(std::string_view in, std::string& out) const {
        if (in.size() > static_cast<std::size_t>(LZ4_MAX_INPUT_SIZE)) {
            throw compression_error("lz4: an input of " + std::to_string(in.size()) +
                                    " bytes is over LZ4's limit of " +
                                    std::to_string(LZ4_MAX_INPUT_SIZE) + " (use zstd for it)");
        }
        const int size = static_cast<int>(in.size());
        const int bound = LZ4_compressBound(size);
        const std::size_t before = out.size();
        out.resize(before + static_cast<std::size_t>(bound));
        const int n = LZ4_compress_fast(in.data(), out.data() + before, size, bound, acceleration);
        if (n <= 0) {
            out.resize(before);
            throw compression_error("lz4: LZ4_compress_fast failed on " +
                                    std::to_string(in.size()) + " bytes");
        }
        out.resize(before + static_cast<std::size_t>(n));
    }

    /// Appends exactly `original_size` bytes decompressed from `in`, or throws `compression_error`
    /// (leaving `out` as it was).
    static void decompress(std::string_view in, std::size_t original_size, std::string& out) {
        if (original_size > static_cast<std::size_t>(LZ4_MAX_INPUT_SIZE)) {
            throw compression_error("an LZ4 block holds at most " +
                                    std::to_string(LZ4_MAX_INPUT_SIZE) + " bytes");
        }
        if (in.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
            throw compression_error("a payload of " + std::to_string(in.size()) +
                                    " bytes is not an LZ4 block");
        }
        // LZ4 expands at most ~255x: a literal run or a match of L bytes takes >= L/255 bytes.
        if (original_size / 255 > in.size() + 16) {
            throw compression_error("a payload of " + std::to_string(in.size()) +
                                    " bytes cannot expand to " + std::to_string(original_size) +
                                    " (LZ4 expands at most 255 times)");
        }
        const std::size_t before = out.size();
        out.resize(before + original_size);
        const int n =
            LZ4_decompress_safe(in.data(), out.data() + before, static_cast<int>(in.size()),
                                static_cast<int>(original_size));
        if (n < 0) {
            out.resize(before);
            throw compression_error("LZ4_decompress_safe failed (code " + std::to_string(n) +
                                    "): the payload is corrupt or expands past the " +
                                    std::to_string(original_size) + " bytes declared");
        }
        if (static_cast<std::size_t>(n) != original_size) {
            out.resize(before);
            throw compression_error("the payload decompresses to " + std::to_string(n) +
                                    " bytes, not the " + std::to_string(original_size) +
                                    " declared");
        }
    }
};

static_assert(check_compression_policy<lz4_compression>());

}  // namespace v1
}  // namespace strata
