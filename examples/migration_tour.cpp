// The README's migration guide, as a program: a store of legacy sessions (v1 and v2) in SQLite
// migrated to v3 with everything around it — a rollback point, a dry run, the real run with
// verification and backups, a document that fails alone, the status, a rollback, the journal,
// backup cleanup, and the background runner that pauses and resumes.
#include "sessions/corpus.hpp"
#include "sessions/migration_plan.hpp"

#include <strata/migration/log.hpp>
#include <strata/migration/migrator.hpp>
#include <strata/migration/progress_bar.hpp>
#include <strata/migration/runner.hpp>
#include <strata/storage/sqlite.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

int main() {
    const fs::path dir = fs::temp_directory_path() / "strata-migration-tour";
    fs::remove_all(dir);
    fs::create_directories(dir);
    strata::sqlite_backend db(dir / "sessions.db");

    // The migrator: the sessions plan (chain, version detection, content store), logging to the console.
    strata::migrator<sessions::session_plan, strata::sqlite_backend, strata::console_log> m(
        db, {}, strata::console_log(stderr, strata::log_level::warning));

    // 1. Import legacy documents verbatim (one of them with broken base64).
    auto docs = sessions_corpus::generate({.count = 200, .seed = 3, .big = 1, .v2_share = 0.2});
    const auto at = docs[7].json.find("\"base64\": \"");
    if (at != std::string::npos) docs[7].json.insert(at + 11, "%%");
    for (const auto& d : docs) m.import(d.id, d.json);
    auto status = m.status();
    std::printf("imported %llu documents: %llu at v1, %llu at v2\n", static_cast<unsigned long long>(status.total),
                static_cast<unsigned long long>(status.per_version[1]), static_cast<unsigned long long>(status.per_version[2]));

    // 2. A rollback point, then a dry run: what a real run would do, writing nothing.
    m.create_point("before-v3");
    const auto preview = m.migrate_all({.dry_run = true});
    std::printf("dry run: %llu would migrate, %llu would fail, %llu new blobs, %llu deduplicated\n",
                static_cast<unsigned long long>(preview.migrated), static_cast<unsigned long long>(preview.failed),
                static_cast<unsigned long long>(preview.blobs_new), static_cast<unsigned long long>(preview.blobs_deduplicated));

    // 3. The real run on the background runner: batches of 20, progress on stderr, paused once.
    strata::progress_bar bar(stderr, false, {.label = "migrate"});
    strata::runner_options options;
    options.run.batch_documents = 20;
    strata::background_runner runner(m, options, [&](const strata::runner_event& e) { bar.update(e.progress); });
    runner.start();
    runner.pause();
    runner.resume();
    const auto& result = runner.wait();
    std::printf("run %s: %llu migrated, %llu failed\n", result.run.c_str(), static_cast<unsigned long long>(result.migrated),
                static_cast<unsigned long long>(result.failed));
    for (const auto& f : result.documents)
        if (f.outcome == "failed") std::printf("  %s failed at %s: %s\n", f.document.c_str(), f.path.c_str(), f.stage.c_str());

    // 4. Status, a read, the journal.
    status = m.status();
    std::printf("%.1f%% at v3; %llu failed; %llu backups\n", status.percent_at_latest,
                static_cast<unsigned long long>(status.failed), static_cast<unsigned long long>(status.backups));
    const auto session = m.read(docs[0].id);
    std::printf("%s: %zu screenshots, attachments in the content store\n", session->id.c_str(), session->screenshots.size());
    std::printf("journal of %s: %zu entries\n", docs[0].id.c_str(), m.journal_of_document(docs[0].id).size());

    // 5. Roll one document back: its original bytes, exactly.
    m.rollback(std::vector<std::string>{docs[0].id});
    const bool exact = m.stored_bytes(docs[0].id) == docs[0].json;
    std::printf("rolled back %s: original bytes %s\n", docs[0].id.c_str(), exact ? "restored exactly" : "DIFFER");

    // 6. Everything back to the rollback point, then backups cleaned up (a dry run first).
    m.rollback_to_point("before-v3");
    const auto cleanup = m.cleanup_backups({}, true);
    std::printf("back at the point: %.1f%% at v3; cleanup would remove %zu backups\n", m.status().percent_at_latest,
                static_cast<std::size_t>(std::count_if(cleanup.decisions.begin(), cleanup.decisions.end(),
                                                       [](const auto& d) { return !d.keep; })));
    fs::remove_all(dir);
    return exact && result.failed == 1 && result.migrated == docs.size() - 1 ? 0 : 1;
}
