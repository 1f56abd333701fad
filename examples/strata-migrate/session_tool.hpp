// strata-migrate: every command over one store of sessions, as a template over the backend
// (stores.cpp instantiates it for each kind of store). Each command
// prints its result on stdout (or only JSON with --json), its progress and every document it
// could not deal with on stderr, and returns the exit status (request.hpp).
//
// Everything goes through strata::migrator over the sessions plan (examples/sessions): import
// keeps each file's bytes verbatim, migrate runs on the background runner (store lease, batches,
// checkpoint: a killed process resumes), reads are dual reads, and the store keeps its own log.
#pragma once

#include "document_check.hpp"
#include "reports.hpp"
#include "request.hpp"
#include "task_progress.hpp"

#include "sessions/migration_plan.hpp"

#include <strata/detail/utc_time.hpp>
#include <strata/error.hpp>
#include <strata/json/encode.hpp>
#include <strata/migration/log.hpp>
#include <strata/migration/migrator.hpp>
#include <strata/migration/runner.hpp>
#include <strata/migration/store_log.hpp>
#include <strata/storage/lease.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace strata_migrate {

namespace fs = std::filesystem;

/// `error` without the document and path the line names already (the library's messages
/// start with `document "ID": ` and `at PATH: `).
inline std::string_view reason_only(std::string_view error, std::string_view document, std::string_view path) {
    const std::string named = "document \"" + std::string(document) + "\": ";
    if (error.substr(0, named.size()) == named) error.remove_prefix(named.size());
    const std::string at = "at " + std::string(path) + ": ";
    if (!path.empty() && error.substr(0, at.size()) == at) error.remove_prefix(at.size());
    return error;
}

/// One line on stderr for a document that was refused or failed.
inline void report_failure(std::string_view kind, const failure_report& f) {
    std::string where;
    if (!f.path.empty()) where += " at " + f.path;
    if (!f.stage.empty()) where += " (" + f.stage + ")";
    fmt::print(stderr, "strata-migrate: {}: {}:{} {}\n", kind, strata::detail::printable_text(f.document),
               where.empty() ? std::string() : where + ":",
               strata::detail::printable_text(reason_only(f.error, f.document, f.path)));
}

/// Reads a whole file.
inline std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw strata::error("cannot be read: " + std::error_code(errno, std::generic_category()).message());
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw strata::error("cannot be read: " + std::error_code(errno, std::generic_category()).message());
    return bytes;
}

/// Writes `file` whole or not at all (a temporary beside it, then a rename).
class atomic_file {
public:
    explicit atomic_file(fs::path file) : file_(std::move(file)), temporary_(file_.string() + ".tmp") {
        out_.open(temporary_, std::ios::binary | std::ios::trunc);
        if (!out_) throw usage_error("cannot write " + temporary_.string() + ": " +
                                     std::error_code(errno, std::generic_category()).message());
    }
    ~atomic_file() {
        if (!committed_) {
            std::error_code ignored;
            fs::remove(temporary_, ignored);
        }
    }
    atomic_file(const atomic_file&) = delete;
    atomic_file& operator=(const atomic_file&) = delete;
    std::ofstream& stream() { return out_; }
    void commit() {
        out_.close();
        if (!out_) throw strata::error("cannot write " + temporary_.string());
        fs::rename(temporary_, file_);
        committed_ = true;
    }

private:
    fs::path file_, temporary_;
    std::ofstream out_;
    bool committed_ = false;
};

template <class Backend>
class session_tool {
public:
    using log_type = strata::store_log<Backend>;
    using migrator_type = strata::migrator<sessions::session_plan, Backend, strata::log_ref<log_type>>;
    using session = sessions::session_v3;

    session_tool(Backend& store, const request& r)
        : store_(store), log_(store), m_(store, {}, strata::log_ref<log_type>(log_)), r_(r) {}

    /// Runs the command `r.command`; its exit status.
    int run() {
        const std::string& c = r_.command;
        if (c == "import") return import_documents();
        if (c == "status") return status();
        if (c == "list") return list();
        if (c == "migrate") return migrate();
        if (c == "get") return get();
        if (c == "export") return r_.stored ? export_stored() : export_latest();
        if (c == "blob") return blob();
        if (c == "verify") return verify();
        if (c == "rollback") return rollback();
        if (c == "point") return point();
        if (c == "backup") return backup();
        if (c == "search") return search();
        if (c == "gc") return gc();
        if (c == "log") return show_log();
        throw usage_error("unknown command " + c);
    }

private:
    // --- import -----------------------------------------------------------------------------------

    int import_documents() {
        const fs::path dir(r_.directory);
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) throw usage_error("import: " + r_.directory + " is not a directory");
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(dir)) {
            if (entry.path().extension() == ".json") files.push_back(entry.path());
        }
        // Byte order of the file names (std::filesystem::path compares them that way on POSIX).
        std::sort(files.begin(), files.end(),
                  [](const fs::path& a, const fs::path& b) { return a.filename().native() < b.filename().native(); });
        auto lease = hold_store();
        import_report report{};
        report.files = files.size();
        const auto t0 = std::chrono::steady_clock::now();
        task_progress progress(r_, "import", files.size());
        for (const fs::path& file : files) {
            const std::string name = file.filename().string();
            std::string bytes;
            try {
                std::error_code type_ec;
                if (!fs::is_regular_file(file, type_ec)) throw strata::error("not a regular file");
                bytes = read_file(file);
                const std::string id = document_id(bytes);
                const auto outcome = m_.import(id, bytes);
                ++(outcome == strata::import_outcome::added ? report.added : report.unchanged);
                report.bytes += bytes.size();
                progress.advance(name, bytes.size(), 0, false, outcome == strata::import_outcome::unchanged);
            } catch (const strata::storage_error&) {
                throw;
            } catch (const std::exception& e) {
                std::string reason = e.what();
                if (reason.rfind("import: ", 0) == 0) reason.erase(0, 8);  // the command says so already
                failure_report f{file.string(), "", "", std::move(reason)};
                report_failure("refused", f);
                log_.write({now_ms(), strata::log_level::warning, "import refused " + f.document + ": " + f.error, "", ""});
                report.failures.push_back(std::move(f));
                ++report.refused;
                progress.advance(name, bytes.size(), 0, true);
            }
        }
        progress.finish();
        report.seconds = seconds_since(t0);
        log_.write({now_ms(), strata::log_level::info,
                    fmt::format("import {}: {} added, {} unchanged, {} refused", r_.directory, report.added,
                                report.unchanged, report.refused),
                    "", ""});
        if (r_.json) {
            print_json(report);
        } else {
            fmt::print("imported {} files from {}: {} added, {} already stored (same bytes), {} refused; {:.1f} MB in {:.2f} s\n",
                       report.files, r_.directory, report.added, report.unchanged, report.refused,
                       static_cast<double>(report.bytes) / 1e6, report.seconds);
        }
        return report.refused == 0 ? exit_ok : exit_documents_failed;
    }

    // --- status, list -----------------------------------------------------------------------------

    int status() {
        const strata::migration_status s = m_.status(r_.json ? std::numeric_limits<std::size_t>::max() : 10);
        status_report report{};
        report.store = r_.store.text;
        report.total = s.total;
        report.latest_version = s.latest_version;
        for (const auto& [version, count] : s.per_version) report.per_version[std::to_string(version)] = count;
        report.at_latest = s.at_latest;
        report.percent_at_latest = s.percent_at_latest;
        report.failed = s.failed;
        for (const auto& f : s.failures) report.failures.push_back({f.document, f.stage, f.path, f.error});
        report.backups = s.backups;
        for (const auto& p : s.points) report.points.push_back(p.name);
        if (s.run_in_progress) {
            const auto& run = *s.run_in_progress;
            report.run_in_progress = unfinished_run{run.run, run.cursor, run.migrated, run.failed};
        }
        if (r_.json) {
            print_json(report);
            return exit_ok;
        }
        std::string versions;
        for (const auto& [version, count] : s.per_version) {
            versions += (versions.empty() ? "" : ", ") + fmt::format("v{}: {}", version, count);
        }
        fmt::print("store:           {}\n", r_.store.text);
        fmt::print("documents:       {}{}\n", s.total, versions.empty() ? "" : " (" + versions + ")");
        fmt::print("at latest (v{}):  {} ({:.1f}%)\n", s.latest_version, s.at_latest, s.percent_at_latest);
        fmt::print("failed:          {}\n", s.failed);
        for (const auto& f : s.failures) {
            fmt::print("  {}{}: {}\n", f.document, f.path.empty() ? "" : " at " + f.path, reason_only(f.error, f.document, f.path));
        }
        if (s.failed > s.failures.size()) fmt::print("  ... (status --json lists them all)\n");
        fmt::print("backups:         {}\n", s.backups);
        std::string points;
        for (const auto& p : s.points) points += (points.empty() ? "" : ", ") + p.name;
        fmt::print("rollback points: {}\n", points.empty() ? "none" : points);
        if (s.run_in_progress) {
            fmt::print("run in progress: {} ({} migrated, {} failed so far, after \"{}\"): `migrate --all` resumes it\n",
                       s.run_in_progress->run, s.run_in_progress->migrated, s.run_in_progress->failed,
                       s.run_in_progress->cursor);
        } else {
            fmt::print("run in progress: none\n");
        }
        return exit_ok;
    }

    int list() {
        const auto listed = m_.list(r_.version, r_.limit.value_or(strata::no_limit));
        if (r_.json) {
            std::vector<listed_document> out;
            out.reserve(listed.size());
            for (const auto& [id, entry] : listed) out.push_back({id, entry.schema, entry.form, entry.bytes});
            print_json(out);
            return exit_ok;
        }
        for (const auto& [id, entry] : listed) {
            if (entry.form == strata::document_form::whole) {
                fmt::print("{}\tv{}\t{}\t{} bytes\n", id, entry.schema, entry.form, entry.bytes);
            } else {
                fmt::print("{}\tv{}\t{}\n", id, entry.schema, entry.form);
            }
        }
        return exit_ok;
    }

    // --- migrate ----------------------------------------------------------------------------------

    strata::run_options run_options() const {
        strata::run_options run;
        run.dry_run = r_.dry_run;
        run.verify = r_.verify;
        run.backup = r_.backup;
        if (r_.retention_days) run.backup_retention = std::chrono::hours(24) * *r_.retention_days;
        run.batch_documents = std::max<std::size_t>(r_.batch, 1);
        run.outcomes = strata::keep_outcomes::failures;  // flat memory over any store size
        run.stop = &interrupted;
        return run;
    }

    int migrate() {
        if (r_.all == !r_.ids.empty()) throw usage_error("migrate: give either --all or --id ID...");
        interrupt_scope ctrl_c;
        strata::migration_result result;
        bool failed_run = false;
        std::string run_error;
        if (r_.all && !r_.dry_run) {
            clear_dead_holder();
            if (const auto before = m_.status(0); before.run_in_progress) {
                const auto& run = *before.run_in_progress;
                log_.write({now_ms(), strata::log_level::info,
                            fmt::format("resuming the run after \"{}\" ({} migrated, {} failed before it stopped)",
                                        run.cursor, run.migrated, run.failed),
                            "", run.run});
            }
            strata::runner_options options;
            options.run = run_options();
            options.run.stop = nullptr;  // the runner stops between batches itself
            options.progress_every = std::chrono::milliseconds(100);
            task_progress progress(r_, "migrate", 0, false);
            strata::background_runner runner(m_, options, [&](const strata::runner_event& e) {
                progress.show_event(e.progress);
                flush_log();  // at most every 100 ms: a killed process loses little of its log
            });
            try {
                runner.start();
            } catch (const strata::lease_error& e) {
                throw store_unusable(std::string("the store is busy: ") + e.what());
            }
            for (;;) {
                const auto state = runner.state();
                if (state != strata::runner_state::running && state != strata::runner_state::paused) break;
                if (interrupted) runner.cancel();
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
            result = runner.wait();
            result.cancelled = runner.state() == strata::runner_state::cancelled;
            if (result.cancelled) {
                log_.write({now_ms(), strata::log_level::info,
                            fmt::format("interrupted: stopped after a whole batch, {} migrated so far; migrate --all resumes",
                                        result.migrated),
                            "", result.run});
            }
            if (runner.state() == strata::runner_state::failed) {
                failed_run = true;
                run_error = runner.error_message();
            }
        } else {
            auto lease = r_.dry_run ? std::nullopt : hold_store();
            const auto status = m_.status(0);
            task_progress progress(r_, r_.dry_run ? "dry run" : "migrate",
                                   r_.all ? status.total - status.at_latest : r_.ids.size());
            m_.on_progress([&](const strata::document_outcome& o, std::uint64_t, std::uint64_t) {
                progress.advance(o.document, o.bytes_in, o.bytes_out, o.outcome == "failed", o.outcome == "skipped");
            });
            result = r_.all ? m_.migrate_all(run_options()) : m_.migrate(r_.ids, run_options());
            m_.on_progress({});
            progress.finish(result.cancelled ? strata::progress_kind::cancelled : strata::progress_kind::completed);
        }
        return report_migration(result, failed_run, run_error);
    }

    int report_migration(const strata::migration_result& result, bool failed_run, const std::string& run_error) {
        migrate_report report{result.run,     result.dry_run,   result.cancelled, result.migrated,
                              result.skipped, result.failed,    result.bytes_in,  result.bytes_out,
                              result.blobs_new, result.blobs_deduplicated, result.seconds, {}};
        if (r_.all && !r_.dry_run && !failed_run) {
            // Every failure record after a whole run is this run's (each document not at the
            // latest version was tried again); they include those before a crash it resumed.
            for (const auto& f : m_.status(std::numeric_limits<std::size_t>::max()).failures) {
                report.failures.push_back({f.document, f.stage, f.path, f.error});
            }
        } else {
            for (const auto& o : result.documents) {
                if (o.outcome == "failed") report.failures.push_back({o.document, o.stage, o.path, o.error});
            }
        }
        for (const auto& f : report.failures) report_failure("failed", f);
        if (r_.json) print_json(report);
        if (failed_run) {
            fmt::print(stderr,
                       "strata-migrate: the migration stopped: {}\nstrata-migrate: what was committed stays; "
                       "`strata-migrate --store {} migrate --all` resumes\n",
                       run_error, r_.store.text);
            return exit_store_unusable;
        }
        if (!r_.json) {
            fmt::print("{}{}: {} migrated, {} skipped (already at v{}), {} failed; {:.1f} MB in, {:.1f} MB out; "
                       "{} new blobs, {} deduplicated; {:.2f} s\n",
                       result.dry_run ? "dry run (nothing written)" : "run " + result.run,
                       result.cancelled ? " (interrupted)" : "", result.migrated, result.skipped, migrator_type::latest_version,
                       result.failed, static_cast<double>(result.bytes_in) / 1e6,
                       static_cast<double>(result.bytes_out) / 1e6, result.blobs_new, result.blobs_deduplicated,
                       result.seconds);
        }
        if (result.cancelled) {
            fmt::print(stderr,
                       "strata-migrate: interrupted: stopped cleanly after the last whole batch; "
                       "`strata-migrate --store {} migrate --all` resumes\n",
                       r_.store.text);
            return exit_interrupted;
        }
        return result.failed == 0 ? exit_ok : exit_documents_failed;
    }

    // --- reading ----------------------------------------------------------------------------------

    /// The latest version of `id`, or a failure report.
    std::optional<session> read_latest(const std::string& id, std::optional<failure_report>& failure) {
        try {
            auto doc = m_.read(id);
            if (!doc) failure = failure_report{id, "read", "", "no such document"};
            return doc;
        } catch (const strata::storage_error&) {
            throw;
        } catch (const strata::document_error& e) {
            failure = failure_report{id, "decode", e.path(), e.what()};
        } catch (const std::exception& e) {
            failure = failure_report{id, "upgrade", "", e.what()};
        }
        return std::nullopt;
    }

    int get() {
        std::optional<failure_report> failure;
        auto doc = read_latest(r_.ids.front(), failure);
        if (!doc) {
            report_failure("failed", *failure);
            return exit_documents_failed;
        }
        fmt::print("{}\n", strata::json::encode(*doc));
        return exit_ok;
    }

    /// Calls fn(id, entry) for every catalogued document, in id order, a page at a time.
    template <class Fn>
    void for_each_document(Fn&& fn) {
        std::string after;
        for (;;) {
            const auto page = m_.list(std::nullopt, 512, after);
            for (const auto& [id, entry] : page) fn(id, entry);
            if (page.size() < 512) break;
            after = page.back().first;
        }
    }

    int export_latest() {
        if (r_.out.empty()) throw usage_error("export: --out FILE is required");
        atomic_file out{fs::path(r_.out)};
        std::uint64_t written = 0, failed = 0;
        for_each_document([&](const std::string& id, const strata::catalogue_entry&) {
            std::optional<failure_report> failure;
            auto doc = read_latest(id, failure);
            if (!doc) {
                report_failure("failed", *failure);
                ++failed;
                return;
            }
            out.stream() << strata::json::encode(*doc) << '\n';
            ++written;
        });
        out.commit();
        if (!r_.json) fmt::print("exported {} documents at v{} to {}; {} could not be read\n", written,
                                 migrator_type::latest_version, r_.out, failed);
        return failed == 0 ? exit_ok : exit_documents_failed;
    }

    int export_stored() {
        if (r_.out.empty()) throw usage_error("export --stored: --out DIR is required");
        const fs::path dir(r_.out);
        fs::create_directories(dir);
        std::uint64_t written = 0, failed = 0;
        for_each_document([&](const std::string& id, const strata::catalogue_entry&) {
            if (id == "." || id == ".." || id.find('/') != std::string::npos || id.find('\0') != std::string::npos) {
                report_failure("failed", {id, "export", "", "the id cannot be a file name"});
                ++failed;
                return;
            }
            auto bytes = m_.stored_bytes(id);
            if (!bytes) {
                report_failure("failed", {id, "export", "", "its stored bytes are missing"});
                ++failed;
                return;
            }
            atomic_file file(dir / (id + ".json"));
            file.stream() << *bytes;
            file.commit();
            ++written;
        });
        if (!r_.json) fmt::print("exported the stored bytes of {} documents to {}\n", written, r_.out);
        return failed == 0 ? exit_ok : exit_documents_failed;
    }

    int blob() {
        auto digest = strata::digest<strata::sha256>::try_parse(r_.hash);
        if (!digest) digest = strata::digest<strata::sha256>::try_parse("sha256:" + r_.hash);  // bare hex
        if (!digest) throw usage_error("blob: \"" + r_.hash + "\" is not a SHA-256 digest (64 hex digits, or sha256:<hex>)");
        auto bytes = m_.plan().cas().get(*digest);
        if (!bytes) {
            report_failure("failed", {r_.hash, "blob", "", "no such blob in the content store"});
            return exit_documents_failed;
        }
        std::fwrite(bytes->data(), 1, bytes->size(), stdout);
        std::fflush(stdout);
        return exit_ok;
    }

    // --- verify -----------------------------------------------------------------------------------

    int verify() {
        if (!(r_.sample_percent > 0 && r_.sample_percent <= 100)) throw usage_error("verify: --sample takes a percentage in (0, 100]");
        const bool whole = r_.sample_percent >= 100;
        verify_report_json report{};
        report.sample_percent = r_.sample_percent;
        const auto status = m_.status(0);
        report.documents = status.total;
        task_progress progress(r_, "verify", status.total);
        std::uint64_t migrated = 0;
        // Every (sampled) document decodes at the latest version; a migrated one's attachments
        // are all in the content store; migrated documents go to the index comparison.
        auto check_documents = [&](auto&& emit) {
            for_each_document([&](const std::string& id, const strata::catalogue_entry& entry) {
                const bool chunked = entry.form == strata::document_form::chunked;
                if (chunked) ++migrated;
                if (!whole && !sampled(id)) {
                    progress.advance(id, 0, 0, false, true);
                    return;
                }
                ++report.documents_checked;
                std::optional<failure_report> failure;
                auto doc = read_latest(id, failure);
                if (doc && chunked) {
                    try {
                        m_.plan().check_references(*doc);
                    } catch (const strata::document_error& e) {
                        failure = failure_report{id, "references", e.path(), e.what()};
                    }
                }
                if (failure) report.problems.push_back(std::move(*failure));
                progress.advance(id, entry.bytes, 0, failure.has_value());
                if (doc && chunked) emit(*doc);
            });
        };
        if (whole) {
            const strata::index_verify_report index = m_.plan().index().verify(check_documents);
            report.index_compared = true;
            for (const auto& d : index.discrepancies) {
                report.problems.push_back({d.document, "index", "", d.describe()});
            }
        } else {
            check_documents([](const session&) {});
        }
        report.indexed_documents = m_.plan().index().size();
        if (report.indexed_documents != migrated) {
            report.problems.push_back({"", "index", "",
                                       fmt::format("the index holds {} documents; {} are migrated", report.indexed_documents, migrated)});
        }
        const strata::verify_report cas = m_.plan().cas().verify({.sample = r_.sample_percent / 100.0, .seed = 0});
        report.blobs = cas.blobs;
        report.blobs_rehashed = cas.blobs_read;
        report.references = cas.references;
        for (const auto& p : cas.problems) report.problems.push_back({p.key, "content store", "", p.detail});
        progress.finish(report.problems.empty() ? strata::progress_kind::completed : strata::progress_kind::failed);
        report.ok = report.problems.empty();
        for (const auto& p : report.problems) report_failure("failed", p);
        if (r_.json) {
            print_json(report);
        } else {
            fmt::print("{}: {} of {} documents read at v{} ({} problems); {} blobs ({} re-hashed), {} references; "
                       "index: {} documents{}\n",
                       report.ok ? "verified" : "NOT verified", report.documents_checked, report.documents,
                       migrator_type::latest_version, report.problems.size(), report.blobs, report.blobs_rehashed,
                       report.references,
                       report.indexed_documents, report.index_compared ? ", compared with every migrated document" : " (counted)");
        }
        return report.ok ? exit_ok : exit_documents_failed;
    }

    /// Whether `id` is in the --sample share (the same ids every time).
    bool sampled(std::string_view id) const {
        std::uint64_t h = 1469598103934665603ull;  // FNV-1a
        for (char c : id) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
        return static_cast<double>(h % 10000) < r_.sample_percent * 100.0;
    }

    // --- rollback, points, backups ----------------------------------------------------------------

    int rollback() {
        const int given = (r_.all ? 1 : 0) + (r_.ids.empty() ? 0 : 1) + (r_.name.empty() ? 0 : 1);
        if (given != 1) throw usage_error("rollback: give one of --id ID..., --all or --point NAME");
        auto lease = hold_store();
        task_progress progress(r_, "rollback", r_.ids.size());
        m_.on_progress([&](const strata::document_outcome& o, std::uint64_t, std::uint64_t total) {
            progress.set_total(total);
            progress.advance(o.document, 0, 0, o.outcome == "failed", o.outcome == "skipped");
        });
        strata::rollback_result result;
        if (r_.all) {
            result = m_.rollback_all();
        } else if (!r_.ids.empty()) {
            result = m_.rollback(r_.ids);
        } else {
            if (!has_point(r_.name)) throw usage_error("rollback: no rollback point \"" + r_.name + "\" (`point list` shows them)");
            result = m_.rollback_to_point(r_.name);
        }
        m_.on_progress({});
        progress.finish();
        rollback_report report{result.rolled_back, result.documents, {}};
        for (const auto& [id, reason] : result.failures) report.failures.push_back({id, "rollback", "", reason});
        for (const auto& f : report.failures) report_failure("failed", f);
        if (r_.json) {
            print_json(report);
        } else {
            fmt::print("rolled back {} documents to their original bytes; {} could not be\n", result.rolled_back,
                       result.failures.size());
        }
        return result.failures.empty() ? exit_ok : exit_documents_failed;
    }

    bool has_point(std::string_view name) const {
        const auto points = m_.list_points();
        return std::any_of(points.begin(), points.end(), [&](const auto& p) { return p.name == name; });
    }

    int point() {
        const std::string& sub = r_.subcommand;
        if (sub == "list") {
            const auto points = m_.list_points();
            if (r_.json) {
                print_json(points);
            } else if (points.empty()) {
                fmt::print("no rollback points\n");
            } else {
                for (const auto& p : points) {
                    fmt::print("{}\t{} documents\tcreated {}{}\n", p.name, p.documents, utc(p.created_ms),
                               p.expires_ms == 0 ? std::string() : "\texpires " + utc(p.expires_ms));
                }
            }
            return exit_ok;
        }
        if (sub == "verify") {
            if (!has_point(r_.name)) throw usage_error("point verify: no rollback point \"" + r_.name + "\"");
            const auto problems = m_.verify_point(r_.name);
            for (const auto& p : problems) fmt::print(stderr, "strata-migrate: failed: point {}: {}\n", r_.name, p);
            if (!r_.json) fmt::print("point {}: {}\n", r_.name, problems.empty() ? "verified" : "NOT verified");
            return problems.empty() ? exit_ok : exit_documents_failed;
        }
        auto lease = hold_store();
        if (sub == "create") {
            if (has_point(r_.name)) throw usage_error("point create: a rollback point \"" + r_.name + "\" exists already");
            const auto p = m_.create_point(r_.name);
            if (!r_.json) fmt::print("created rollback point {} over {} documents\n", p.name, p.documents);
            else print_json(p);
            return exit_ok;
        }
        if (sub == "delete") {
            if (!m_.delete_point(r_.name)) throw usage_error("point delete: no rollback point \"" + r_.name + "\"");
            if (!r_.json) fmt::print("deleted rollback point {}\n", r_.name);
            return exit_ok;
        }
        throw usage_error("point: unknown subcommand " + sub);
    }

    int backup() {
        if (r_.subcommand == "list") {
            const auto backups = m_.backups();
            if (r_.json) {
                print_json(backups);
            } else {
                for (const auto& b : backups) {
                    fmt::print("{}\tv{}\t{} bytes\tcreated {}\texpires {}\trun {}\n", b.document, b.schema, b.bytes,
                               utc(b.created_ms), utc(b.expires_ms), b.run);
                }
                fmt::print("{} backups\n", backups.size());
            }
            return exit_ok;
        }
        if (r_.subcommand != "cleanup") throw usage_error("backup: unknown subcommand " + r_.subcommand);
        auto lease = r_.dry_run ? std::nullopt : hold_store();
        strata::retention_policy policy;
        if (r_.older_than_days) policy.older_than = std::chrono::hours(24) * *r_.older_than_days;
        const auto cleanup = m_.cleanup_backups(policy, r_.dry_run);
        std::size_t removed = 0;
        std::vector<backup_decision_report> decisions;
        for (const auto& d : cleanup.decisions) {
            const auto& b = cleanup.backups[d.index];
            if (!d.keep) ++removed;
            decisions.push_back({b.document, b.created_ms, b.expires_ms, d.keep, d.reason});
        }
        if (r_.json) {
            print_json(decisions);
        } else {
            for (const auto& d : decisions) fmt::print("{}\t{}\t{}\n", d.document, utc(d.created_ms), d.reason);
            fmt::print("{} {} of {} backups\n", r_.dry_run ? "would remove" : "removed", removed, decisions.size());
        }
        return exit_ok;
    }

    // --- search, gc, log --------------------------------------------------------------------------

    int search() {
        strata::query q;
        try {
            q = strata::parse_query_args(r_.query_words);
        } catch (const strata::query_error& e) {
            throw usage_error(std::string("search: ") + e.what());
        }
        const strata::search_page page = m_.plan().index().search(q);
        search_report report{page.total, {}};
        for (const auto& hit : page.hits) {
            report.hits.push_back({hit.id, hit.score, hit.date ? std::optional<std::string>(utc(*hit.date)) : std::nullopt});
        }
        if (r_.json) {
            print_json(report);
            return exit_ok;
        }
        const auto status = m_.status(0);
        for (const auto& h : report.hits) {
            std::optional<failure_report> failure;
            auto doc = read_latest(h.id, failure);  // the name, for people
            fmt::print("{}\t{:.3f}\t{}\t{}\n", h.id, h.score, h.date.value_or("-"),
                       strata::detail::printable_text(doc ? doc->name : std::string("?")));
        }
        fmt::print("{} of {} matching documents shown\n", report.hits.size(), report.total);
        if (status.at_latest < status.total) {
            fmt::print(stderr, "strata-migrate: note: {} documents are not migrated yet and are not searched\n",
                       status.total - status.at_latest);
        }
        return exit_ok;
    }

    int gc() {
        auto lease = r_.dry_run ? std::nullopt : hold_store();
        // No grace period: the store's lease keeps every other strata-migrate out meanwhile.
        const strata::gc_report g = m_.plan().cas().collect_garbage({.grace = std::chrono::milliseconds(0), .dry_run = r_.dry_run});
        m_.staged().commit();  // the plan's content store writes through the migrator's staged view
        if (r_.json) {
            print_json(gc_report_json{g.dry_run, g.blobs_examined, g.blobs_removed, g.bytes_freed});
        } else {
            fmt::print("{} {} of {} blobs ({:.1f} MB) that nothing refers to\n", r_.dry_run ? "would remove" : "removed",
                       g.blobs_removed, g.blobs_examined, static_cast<double>(g.bytes_freed) / 1e6);
        }
        return exit_ok;
    }

    int show_log() {
        const auto level = strata::parse_log_level(r_.level);
        if (!level) throw usage_error("log: --level takes trace, debug, info, warning or error, not \"" + r_.level + "\"");
        log_.flush();
        const auto records = strata::read_store_log(store_, *level, r_.limit.value_or(std::numeric_limits<std::size_t>::max()));
        if (r_.json) {
            fmt::print("{}\n", strata::to_json(records));
            return exit_ok;
        }
        for (const auto& rec : records) {
            fmt::print("{} {:<7} {}{}{}\n", utc(rec.time_ms), strata::to_string(rec.level),
                       rec.run.empty() ? "" : "[" + rec.run + "] ", rec.document.empty() ? "" : rec.document + ": ",
                       strata::detail::printable_text(rec.message));
        }
        return exit_ok;
    }

    // --- helpers ----------------------------------------------------------------------------------

    template <class T>
    static void print_json(const T& value) {
        fmt::print("{}\n", strata::json::encode(value));
    }
    static std::string utc(std::int64_t ms) {
        return strata::detail::format_utc_time(ms, strata::detail::utc_precision::seconds);
    }
    static double seconds_since(std::chrono::steady_clock::time_point t0) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    static std::int64_t now_ms() { return strata::system_now_ms(); }

    /// Writes the buffered log records to the store; logging never fails the command.
    void flush_log() noexcept {
        try {
            log_.flush();
        } catch (...) {  // kept for the next flush
        }
    }

    /// The store's lease for a command that writes: one strata-migrate at a time per store.
    std::optional<strata::store_lease<Backend>> hold_store() {
        clear_dead_holder();
        strata::lease_options options;
        options.key = m_.keys().lease();
        auto lease = strata::store_lease<Backend>::try_acquire(store_, options);
        if (!lease) {
            auto holder = strata::store_lease<Backend>::inspect(store_, options.key);
            throw store_unusable("the store is busy: another strata-migrate holds it (" +
                                 (holder ? holder->owner : std::string("unknown")) + ")");
        }
        return lease;
    }

    /// A lease left by a strata-migrate of this machine that is no longer running (killed) is
    /// released at once instead of after its time to live.
    void clear_dead_holder() {
        const std::string key = m_.keys().lease();
        const auto holder = strata::store_lease<Backend>::inspect(store_, key);
        if (holder && strata::store_lease<Backend>::release_if_holder_gone(store_, key)) {
            fmt::print(stderr, "strata-migrate: note: released the lease of {}, a process that is no longer running\n",
                       holder->owner);
        }
    }

    Backend& store_;
    log_type log_;
    migrator_type m_;
    const request& r_;
};

}  // namespace strata_migrate
