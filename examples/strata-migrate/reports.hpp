// strata-migrate: what --json prints, as reflected structs encoded by strata's own codec (keys as
// declared). The README shows each form.
#pragma once

#include <strata/reflection.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace strata_migrate {

/// A document that was refused or failed, and where.
struct failure_report {
    BOOST_HANA_DEFINE_STRUCT(failure_report, (std::string, document), (std::string, stage), (std::string, path),
                             (std::string, error));
};

/// The run a crash or Ctrl-C left unfinished (migrate --all resumes it).
struct unfinished_run {
    BOOST_HANA_DEFINE_STRUCT(unfinished_run, (std::string, run), (std::string, cursor), (std::uint64_t, migrated),
                             (std::uint64_t, failed));
};

/// status --json
struct status_report {
    BOOST_HANA_DEFINE_STRUCT(status_report, (std::string, store), (std::uint64_t, total), (std::uint32_t, latest_version),
                             (std::map<std::string, std::uint64_t>, per_version), (std::uint64_t, at_latest),
                             (double, percent_at_latest), (std::uint64_t, failed),
                             (std::vector<failure_report>, failures), (std::uint64_t, backups),
                             (std::vector<std::string>, points), (std::optional<unfinished_run>, run_in_progress));
};

/// One line of list --json.
struct listed_document {
    BOOST_HANA_DEFINE_STRUCT(listed_document, (std::string, id), (std::uint32_t, version), (std::string, form),
                             (std::uint64_t, bytes));
};

/// import --json
struct import_report {
    BOOST_HANA_DEFINE_STRUCT(import_report, (std::uint64_t, files), (std::uint64_t, added), (std::uint64_t, unchanged),
                             (std::uint64_t, refused), (std::uint64_t, bytes), (double, seconds),
                             (std::vector<failure_report>, failures));
};

/// migrate --json
struct migrate_report {
    BOOST_HANA_DEFINE_STRUCT(migrate_report, (std::string, run), (bool, dry_run), (bool, cancelled),
                             (std::uint64_t, migrated), (std::uint64_t, skipped), (std::uint64_t, failed),
                             (std::uint64_t, bytes_in), (std::uint64_t, bytes_out), (std::uint64_t, blobs_new),
                             (std::uint64_t, blobs_deduplicated), (double, seconds),
                             (std::vector<failure_report>, failures));
};

/// verify --json
struct verify_report_json {
    BOOST_HANA_DEFINE_STRUCT(verify_report_json, (bool, ok), (double, sample_percent), (std::uint64_t, documents),
                             (std::uint64_t, documents_checked), (std::uint64_t, blobs), (std::uint64_t, blobs_rehashed),
                             (std::uint64_t, references), (std::uint64_t, indexed_documents),
                             (bool, index_compared), (std::vector<failure_report>, problems));
};

/// rollback --json
struct rollback_report {
    BOOST_HANA_DEFINE_STRUCT(rollback_report, (std::uint64_t, rolled_back), (std::vector<std::string>, documents),
                             (std::vector<failure_report>, failures));
};

/// One hit of search --json (date: the session's start time).
struct search_hit_report {
    BOOST_HANA_DEFINE_STRUCT(search_hit_report, (std::string, id), (double, score), (std::optional<std::string>, date));
};

/// search --json
struct search_report {
    BOOST_HANA_DEFINE_STRUCT(search_report, (std::uint64_t, total), (std::vector<search_hit_report>, hits));
};

/// gc --json
struct gc_report_json {
    BOOST_HANA_DEFINE_STRUCT(gc_report_json, (bool, dry_run), (std::uint64_t, blobs_examined),
                             (std::uint64_t, blobs_removed), (std::uint64_t, bytes_freed));
};

/// One backup in backup cleanup --json, with the decision and its reason.
struct backup_decision_report {
    BOOST_HANA_DEFINE_STRUCT(backup_decision_report, (std::string, document), (std::int64_t, created_ms),
                             (std::int64_t, expires_ms), (bool, keep), (std::string, reason));
};

}  // namespace strata_migrate
