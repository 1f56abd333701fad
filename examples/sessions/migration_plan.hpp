// The sessions app's migration plan: what strata::migrator needs to migrate a store of
// sessions — the chain (its v2 -> v3 step puts attachments in a content store, SHA-256, with
// (session id, screenshot id) references), the version detector, and the hooks that keep the
// content store and the search index in step: blobs, references and postings join each session's
// batch, a rollback drops the session's references and postings, and every attachment hash of a
// v3 session must be in the store. `basic_session_plan<Backend, strata::zstd_compression>`
// compresses old sessions and attachments with zstd (migrator::compress_old).
#pragma once

#include "attachments.hpp"
#include "chunked_layout.hpp"
#include "schema.hpp"
#include "search_fields.hpp"

#include <strata/cas/cas_store.hpp>
#include <strata/error.hpp>
#include <strata/hash/sha256.hpp>
#include <strata/migration/plan.hpp>
#include <strata/migration/results.hpp>

#include <string>
#include <string_view>
#include <type_traits>

namespace sessions {

/// The plan, with the codec its old items are compressed with (`no_compression`: none; a
/// compressing plan's content store also reads that codec).
template <class Backend, strata::compression_policy Compression = strata::no_compression>
class basic_session_plan {
public:
    using compression_type = Compression;
    using cas_type = std::conditional_t<Compression::id == strata::no_compression::id, strata::cas_store<Backend, strata::sha256>,
                                        strata::cas_store<Backend, strata::sha256, strata::no_compression, Compression>>;
    using attachments_type = cas_attachments<cas_type>;
    using chain_type = session_chain<attachments_type>;
    using detector_type = session_version;

    using index_type = session_index<Backend>;

    explicit basic_session_plan(Backend& store) : basic_session_plan(store, strata::migration_options{}) {}
    /// The content store dates blobs with the migrator's clock.
    basic_session_plan(Backend& store, const strata::migration_options& options)
        : cas_(store, content_options(options)),
          attachments_(cas_),
          chain_(session_v1_to_v2{}, session_v2_to_v3<attachments_type>{&attachments_}),
          index_(store) {}
    basic_session_plan(const basic_session_plan&) = delete;
    basic_session_plan& operator=(const basic_session_plan&) = delete;

    chain_type& chain() { return chain_; }
    cas_type& cas() { return cas_; }
    const cas_type& cas() const { return cas_; }
    index_type& index() { return index_; }
    const index_type& index() const { return index_; }

    /// The session's blobs and references go into its batch.
    void begin_document(strata::write_batch& batch, std::string_view) { attachments_.begin(batch); }
    /// A rolled-back session holds no references any more (its blobs go at the next GC).
    void release_document(strata::write_batch& batch, std::string_view id) { cas_.remove_refs_of(batch, id); }
    /// A migrated session's postings join its batch; a rolled-back one's leave.
    void index_document(strata::write_batch& batch, const session_v3& session) { index_.update(batch, session); }
    void unindex_document(strata::write_batch& batch, std::string_view id) { index_.remove(batch, id); }
    /// Every attachment a v3 session names is in the content store.
    void check_references(const session_v3& session) const {
        for (std::size_t i = 0; i < session.screenshots.size(); ++i) {
            const std::string& hash = session.screenshots[i].attachment.hash;
            auto digest = strata::digest<strata::sha256>::try_parse(hash);
            if (!digest || !cas_.contains(*digest)) {
                strata::validation_error e("an attachment stored in the content store", "\"" + hash + "\", which is not there");
                e.prepend_key("hash");
                e.prepend_key("attachment");
                e.prepend_index(i);
                e.prepend_key("screenshots");
                throw e;
            }
        }
    }
    /// Blobs put so far: new, and already stored.
    strata::content_counts content_counts() const { return attachments_.counts(); }

private:
    static strata::cas_options content_options(const strata::migration_options& options) {
        strata::cas_options o;
        o.now_ms = options.now_ms;
        return o;
    }

    cas_type cas_;
    attachments_type attachments_;
    chain_type chain_;
    index_type index_;
};

/// The sessions plan: nothing compressed.
template <class Backend>
using session_plan = basic_session_plan<Backend, strata::no_compression>;

}  // namespace sessions
