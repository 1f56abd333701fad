// Attachment bytes for the sessions example: where the v2 -> v3 step puts them.
// - cas_attachments: the real content store (strata::cas_store, SHA-256), each blob referenced by
//   (session id, screenshot id) in the batch that writes the session itself.
// - memory_content_store: a plain map by digest, for the codec benchmark and the tests that
//   measure or check the chain alone (it keeps no references).
// (The base64 is decoded by the codec: strata::base64_bytes.)
#pragma once

#include <strata/cas/cas_store.hpp>
#include <strata/error.hpp>
#include <strata/hash/sha256.hpp>
#include <strata/migration/plan.hpp>
#include <strata/storage/backend.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace sessions {

/**
 * The v2 -> v3 step's content store over a strata::cas_store: each session's blobs and
 * references go into the batch given to `begin`, which the caller applies together with the
 * session, so a session and its attachments commit together or not at all.
 */
template <class Cas>
class cas_attachments {
public:
    explicit cas_attachments(const Cas& cas) : cas_(&cas) {}

    /// The next session's blobs and references go into `batch`.
    void begin(strata::write_batch& batch) {
        count_writer();
        writer_.emplace(cas_->writer(batch));
    }

    /// Blobs put so far: new to the store, and already there.
    strata::content_counts counts() const {
        strata::content_counts c = finished_;
        if (writer_) {
            c.blobs_new += writer_->blobs_new();
            c.blobs_deduplicated += writer_->blobs_deduplicated();
        }
        return c;
    }

    /// Stores `bytes` (once) and references them as (session, screenshot); "sha256:<hex>".
    std::string put(const std::string& bytes, std::string_view session, std::string_view screenshot) {
        if (!writer_) throw strata::error("sessions: cas_attachments::put before begin(batch)");
        const auto digest = writer_->put(bytes);
        writer_->add_ref(digest, session, screenshot);
        return digest.to_string();
    }

private:
    void count_writer() {
        if (!writer_) return;
        finished_.blobs_new += writer_->blobs_new();
        finished_.blobs_deduplicated += writer_->blobs_deduplicated();
    }

    const Cas* cas_;
    std::optional<strata::cas_writer<Cas>> writer_;
    strata::content_counts finished_;
};

/// An in-memory map of blobs by digest: each distinct blob once, by its SHA-256.
class memory_content_store {
public:
    /// Stores `bytes` (once) and returns their digest, "sha256:<hex>". Pass an rvalue to have
    /// a new blob moved in rather than copied. The owner and ref are not kept.
    std::string put(std::string bytes, std::string_view /*owner*/ = {}, std::string_view /*ref*/ = {}) {
        std::string digest = strata::sha256::hash(bytes).to_string();
        auto [it, inserted] = blobs_.try_emplace(digest);
        if (inserted) {
            stored_bytes_ += bytes.size();
            it->second = std::move(bytes);
        } else {
            ++deduplicated_;
        }
        return digest;
    }
    const std::unordered_map<std::string, std::string>& blobs() const noexcept { return blobs_; }
    std::size_t stored_bytes() const noexcept { return stored_bytes_; }
    std::size_t deduplicated() const noexcept { return deduplicated_; }

private:
    std::unordered_map<std::string, std::string> blobs_;
    std::size_t stored_bytes_ = 0;
    std::size_t deduplicated_ = 0;
};

}  // namespace sessions
