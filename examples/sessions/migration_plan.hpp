// The sessions app's migration plan: what strata::migrator needs to migrate a store of
// sessions — the chain (its v2 -> v3 step puts attachments in a content store, SHA-256, with
// (session id, screenshot id) references), the version detector, and the hooks that keep the
// content store in step: blobs and references join each session's batch, a rollback drops the
// session's references, and every attachment hash of a v3 session must be in the store.
#pragma once

#include "attachments.hpp"
#include "chunked_layout.hpp"
#include "schema.hpp"

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

    explicit session_plan(Backend& store) : cas_(store), attachments_(cas_), chain_(session_v1_to_v2{}, session_v2_to_v3<attachments_type>{&attachments_}) {}
    session_plan(const session_plan&) = delete;
    session_plan& operator=(const session_plan&) = delete;

    chain_type& chain() { return chain_; }
    cas_type& cas() { return cas_; }
    const cas_type& cas() const { return cas_; }

    /// The session's blobs and references go into its batch.
    void begin_document(strata::write_batch& batch, std::string_view) { attachments_.begin(batch); }
    /// A rolled-back session holds no references any more (its blobs go at the next GC).
    void release_document(strata::write_batch& batch, std::string_view id) { cas_.remove_refs_of(batch, id); }
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
};

}  // namespace sessions
