/**
 * @file
 * @brief The migration plan: the user's side of a migrator — the chain, how versions are
 * detected, and optional hooks for what a migration adds around a document.
 *
 * A plan is a class template over the backend the migrator hands it (a `staged_backend` of the
 * user's store), so that everything it builds — a content store, an index — reads what the
 * migration has staged and writes into the migration's batches:
 *
 * @code
 * template <class Backend>
 * struct session_plan {
 *     using cas_type = strata::cas_store<Backend, strata::sha256>;
 *     using chain_type = sessions::session_chain<sessions::cas_attachments<cas_type>>;
 *     using detector_type = sessions::session_version;
 *
 *     explicit session_plan(Backend& store) : cas(store), attachments(cas) {}
 *     // or, to use the migrator's options (e.g. its clock for the content store's put times):
 *     // session_plan(Backend& store, const strata::migration_options& options);
 *     chain_type& chain() { return chain_; }
 *
 *     // optional hooks
 *     void begin_document(strata::write_batch& batch, std::string_view id);    // before upgrade
 *     void release_document(strata::write_batch& batch, std::string_view id);  // on rollback
 *     void index_document(strata::write_batch& batch, const session_v3& doc);  // after upgrade
 *     void unindex_document(strata::write_batch& batch, std::string_view id);  // on rollback
 *     void validate(const session_v2& doc) const;          // any version: throw validation_error
 *     void check_references(const session_v3& doc) const;  // after staging: blobs exist?
 *     strata::content_counts content_counts() const;       // blobs new / deduplicated so far
 *     using compression_type = strata::zstd_compression;    // old items compressed (compress.hpp)
 *     ...
 * };
 * @endcode
 */
#pragma once

#include <strata/storage/backend.hpp>
#include <strata/version_detection.hpp>

#include <cstdint>
#include <string_view>

namespace strata {
inline namespace v1 {

/// Blobs a plan's content store has taken so far (for a run's "new vs deduplicated").
struct content_counts {
    std::uint64_t blobs_new = 0;
    std::uint64_t blobs_deduplicated = 0;
};

/// `P` is a migration plan: it has a chain, a version detector, and `chain()`.
template <class P>
concept migration_plan = requires(P& plan) {
    typename P::chain_type;
    typename P::detector_type;
    requires is_version_detector<typename P::detector_type>;
    { plan.chain() } -> std::same_as<typename P::chain_type&>;
};

/// @cond internal
namespace detail::plan_hooks {

template <class P>
void begin_document(P& plan, write_batch& batch, std::string_view id) {
    if constexpr (requires { plan.begin_document(batch, id); }) plan.begin_document(batch, id);
}
template <class P>
void release_document(P& plan, write_batch& batch, std::string_view id) {
    if constexpr (requires { plan.release_document(batch, id); }) plan.release_document(batch, id);
}
template <class P, class Doc>
void index_document(P& plan, write_batch& batch, const Doc& doc) {
    if constexpr (requires { plan.index_document(batch, doc); }) plan.index_document(batch, doc);
}
template <class P>
void unindex_document(P& plan, write_batch& batch, std::string_view id) {
    if constexpr (requires { plan.unindex_document(batch, id); }) plan.unindex_document(batch, id);
}
template <class P>
constexpr bool has_index = requires(P& plan, write_batch& batch, std::string_view id) {
    plan.unindex_document(batch, id);
};
template <class P, class Doc>
void validate(const P& plan, const Doc& doc) {
    if constexpr (requires { plan.validate(doc); }) plan.validate(doc);
}
template <class P, class Doc>
void check_references(const P& plan, const Doc& doc) {
    if constexpr (requires { plan.check_references(doc); }) plan.check_references(doc);
}
template <class P>
content_counts counts(const P& plan) {
    if constexpr (requires { { plan.content_counts() } -> std::convertible_to<content_counts>; }) {
        return plan.content_counts();
    } else {
        return {};
    }
}

}  // namespace detail::plan_hooks
/// @endcond

}  // namespace v1
}  // namespace strata
