/**
 * @file
 * @brief The dual-read adapter: reads stored bytes of any version the chain knows, hands back
 * the latest; writes are always the latest (needs strata::json).
 *
 * @code
 * strata::dual_reader reader{chain, strata::version_from_field<1, "schemaVersion", "schema_version">{}};
 * session_v3 s = reader.read("session-7", bytes);   // v1, v2 or v3 bytes
 * std::string out = reader.write(s);                // always v3
 * @endcode
 *
 * The mode decides what a read of an old document does besides returning the latest:
 * `read_only` (the default) changes nothing; `migrate_on_read{callback}` hands the upgraded
 * bytes to `callback(id, old_bytes, new_bytes)`, which stores them (atomically, replacing the
 * document only if it still holds `old_bytes`).
 *
 * A document whose version is newer than the chain's latest is never decoded with the wrong
 * struct: `read` throws a `version_error`, and `read_or_pass` hands it back untouched, so an
 * older program never damages newer data.
 */
#pragma once

#include <strata/chain.hpp>
#include <strata/error.hpp>
#include <strata/json/decode.hpp>
#include <strata/json/encode.hpp>
#include <strata/version_detection.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

namespace strata {
inline namespace v1 {

/// Mode: reading changes nothing in the store.
struct read_only {
    static constexpr bool writes_back = false;
};

/**
 * @brief Mode: an old document read is written back upgraded, through
 * `write_back(std::string_view id, std::string_view old_bytes, std::string_view new_bytes)`.
 */
template <class WriteBack>
struct migrate_on_read {
    static constexpr bool writes_back = true;
    WriteBack write_back;
};
template <class WriteBack>
migrate_on_read(WriteBack) -> migrate_on_read<WriteBack>;

/// A document newer than the reader knows, passed through untouched.
struct newer_document {
    schema_version_t version;  ///< the version it declares
    std::string_view bytes;    ///< its bytes, as given
};

/// What a dual reader has seen.
struct dual_read_counters {
    std::vector<std::uint64_t> reads_per_version;  ///< index: version number
    std::uint64_t upgrades = 0;                     ///< reads that ran at least one step
    std::uint64_t written_back = 0;                 ///< upgraded documents handed to write_back
    std::uint64_t newer_passed = 0;                 ///< newer documents passed through
};

/**
 * @brief Reads any version of a chain, returns the latest.
 * @tparam Chain a `strata::chain`
 * @tparam Detector a version detection policy (`is_version_detector`)
 * @tparam Mode `read_only` or `migrate_on_read<F>`
 * @tparam Options codec options
 */
template <class Chain, is_version_detector Detector, class Mode = read_only,
          json_options Options = json_options{}>
class dual_reader {
public:
    using latest = typename Chain::latest;

    explicit dual_reader(Chain& chain, Detector detector = {}, Mode mode = {})
        : chain_(&chain), detector_(std::move(detector)), mode_(std::move(mode)) {
        counters_.reads_per_version.assign(Chain::latest_version + 1, 0);
    }

    /// The schema version `bytes` declare (no decoding beyond what the detector reads).
    schema_version_t version_of_document(std::string_view bytes, std::string_view id = {}) {
        try {
            auto doc = decoder_.iterate(bytes);
            return detector_.detect(bytes, doc);
        } catch (document_error& error) {
            if (!id.empty()) error.set_document(std::string(id));
            throw;
        }
    }

    /**
     * @brief The latest version of a stored document.
     * @param id names the document in errors (and for write-back)
     * @throws decode_error (naming the document and path), version_error for versions the
     * chain does not know
     */
    latest read(std::string_view id, std::string_view bytes) { return read_latest(id, bytes); }
    /**
     * @brief As above, for bytes followed by `SIMDJSON_PADDING` bytes of readable memory (a
     * `std::string` with that much spare capacity, say): parsed in place, with no copy.
     */
    latest read(std::string_view id, simdjson::padded_string_view bytes) { return read_latest(id, bytes); }
    /// As above, for bytes held in a `simdjson::padded_string`.
    template <std::same_as<simdjson::padded_string> Padded>
    latest read(std::string_view id, const Padded& bytes) {
        return read_latest(id, simdjson::padded_string_view(bytes));
    }
    /// As above, for a document without a name.
    latest read(std::string_view bytes) { return read({}, bytes); }

    /// The latest version of a document, or the document untouched when it is newer.
    std::variant<latest, newer_document> read_or_pass(std::string_view id,
                                                      std::string_view bytes) {
        return read_any(id, bytes);
    }
    /// As above, for bytes that have padding (parsed in place).
    std::variant<latest, newer_document> read_or_pass(std::string_view id,
                                                      simdjson::padded_string_view bytes) {
        return read_any(id, bytes);
    }

    /// The bytes of a latest-version record.
    std::string write(const latest& value) const { return json::encode<Options>(value); }
    /// Appends the bytes of a latest-version record to `out`.
    void write_to(std::string& out, const latest& value) const {
        json::encode_to<Options>(out, value);
    }

    /// What this reader has seen so far.
    const dual_read_counters& counters() const noexcept { return counters_; }

    /// The chain this reader upgrades with.
    Chain& chain() noexcept { return *chain_; }

private:
    template <class Bytes>
    latest read_latest(std::string_view id, Bytes bytes) {
        auto result = read_any(id, bytes);
        if (auto* newer = std::get_if<newer_document>(&result)) {
            throw version_error("document \"" + std::string(id) + "\" is schema version " +
                                std::to_string(newer->version) + ", newer than this program's "
                                "latest (" + std::to_string(Chain::latest_version) +
                                "); it was left untouched");
        }
        return std::get<latest>(std::move(result));
    }

    // Bytes: std::string_view (copied into the decoder's padded buffer) or
    // simdjson::padded_string_view (parsed in place when the padding is there).
    template <class Bytes>
    std::variant<latest, newer_document> read_any(std::string_view id, Bytes bytes) {
        try {
            auto doc = decoder_.iterate(bytes);
            const schema_version_t stored = detector_.detect(bytes, doc);
            if (stored > Chain::latest_version) {
                ++counters_.newer_passed;
                return newer_document{stored, bytes};
            }
            if (stored < Chain::first_version) {
                throw version_error("document \"" + std::string(id) + "\" is schema version " +
                                    std::to_string(stored) + ", older than the chain's first (" +
                                    std::to_string(Chain::first_version) + ")");
            }
            doc.rewind();
            ++counters_.reads_per_version[stored];
            latest value = decode_and_upgrade(stored, doc,
                                              std::make_index_sequence<Chain::step_count + 1>{});
            if (stored != Chain::latest_version) {
                ++counters_.upgrades;
                if constexpr (Mode::writes_back) {
                    const std::string upgraded = write(value);
                    mode_.write_back(id, bytes, std::string_view(upgraded));
                    ++counters_.written_back;
                }
            }
            return value;
        } catch (document_error& error) {
            if (!id.empty() && error.document().empty()) error.set_document(std::string(id));
            throw;
        }
    }

    template <std::size_t... I>
    latest decode_and_upgrade(schema_version_t stored, simdjson::ondemand::document& doc,
                              std::index_sequence<I...>) {
        std::optional<latest> result;
        (void)((stored == Chain::first_version + I
                    ? (result.emplace(decode_version<Chain::first_version + I>(doc)), true)
                    : false) ||
               ...);
        return std::move(*result);
    }

    // An old version is decoded into a record the reader keeps: the steps move its members out,
    // but its vectors keep their buffers, so the next document of that version fills them
    // without growing them again (the decoder resets everything else).
    template <schema_version_t V>
    latest decode_version(simdjson::ondemand::document& doc) {
        if constexpr (V < Chain::latest_version) {
            auto& record = std::get<V - Chain::first_version>(old_records_);
            decoder_.decode_document<Options>(doc, record);
            return chain_->upgrade(std::move(record));
        } else {
            latest record{};
            decoder_.decode_document<Options>(doc, record);
            return record;
        }
    }

    template <class Indices>
    struct records_of;
    template <std::size_t... I>
    struct records_of<std::index_sequence<I...>> {
        using type = std::tuple<typename Chain::template version_type<Chain::first_version + I>...>;
    };

    Chain* chain_;
    Detector detector_;
    Mode mode_;
    json::decoder decoder_;
    typename records_of<std::make_index_sequence<Chain::step_count>>::type old_records_;
    dual_read_counters counters_;
};

}  // namespace v1
}  // namespace strata
