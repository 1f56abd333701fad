// The sessions app's migration plan: what strata::migrator needs to migrate a store of
// sessions — the chain (its v2 -> v3 step puts attachments in a content store, SHA-256, with
// (session id, screenshot id) references), the version detector, and the hooks that keep the
// content store and the search index in step: blobs, references and postings join each session's
// batch, a rollback drops the session's references and postings, and every attachment hash of a
// v3 session must be in the store.
#pragma once

#include "attachments.hpp"
#include "chunked_layout.hpp"
#include "schema.hpp"
#include "search_fields.hpp"

#include <strata/cas/cas_store.hpp>
#include <strata/error.hpp>
#include <strata/hash/sha256.hpp>
#include <strata/migration/plan.hpp>

#include <string>
#include <string_view>

namespace sessions {

template <class Backend>
class session_plan {
public:
    using cas_type = strata::cas_store<Backend, strata::sha256>;
    using attachments_type = cas_attachments<cas_type>;
    using chain_type = session_chain<attachments_type>;
    using detector_type = session_version;

    using index_type = session_index<Backend>;

    explicit session_plan(Backend& store)
        : cas_(store),
          attachments_(cas_),
          chain_(session_v1_to_v2{}, session_v2_to_v3<attachments_type>{&attachments_}),
          index_(store) {}
    session_plan(const session_plan&) = delete;
    session_plan& operator=(const session_plan&) = delete;

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
    cas_type cas_;
    attachments_type attachments_;
    chain_type chain_;
    index_type index_;
};

}  // namespace sessions
