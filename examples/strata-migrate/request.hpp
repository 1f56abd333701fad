// strata-migrate: what the command line asked for (filled by main.cpp from CLI11), the store it
// names, and the exit statuses. Plain data, so that the commands (session_tool.hpp) are
// compiled without CLI11.
#pragma once

#include <strata/error.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace strata_migrate {

/// The program's exit statuses (the README lists them).
enum exit_status : int {
    exit_ok = 0,                ///< everything asked for was done
    exit_documents_failed = 1,  ///< some documents were refused or failed (each listed on stderr)
    exit_usage = 2,             ///< the command line is wrong
    exit_store_unusable = 3,    ///< the store cannot be opened or used
    exit_interrupted = 130,     ///< Ctrl-C: stopped cleanly after the current batch; rerun to resume
};

/// Where the documents live: `sqlite:PATH`, `dir:PATH` or `mem:`.
struct store_uri {
    enum kind_type { sqlite, dir, mem } kind = sqlite;
    std::string path;
    std::string text;  ///< as given, for messages
};

/// Everything a command may be given; each command reads its own fields.
struct request {
    store_uri store;
    std::string command;     ///< import, status, list, migrate, get, export, blob, verify, rollback, point, backup, search, gc, log
    std::string subcommand;  ///< point: create|list|verify|delete; backup: list|cleanup
    bool json = false;
    std::size_t progress_every_ms = 1000;  ///< plain progress lines (stderr not a terminal)

    std::string directory;             ///< import DIR
    std::string name;                  ///< point NAME, rollback --point NAME
    std::vector<std::string> ids;      ///< migrate/rollback --id, get ID
    std::string hash;                  ///< blob HASH
    bool all = false;                  ///< migrate/rollback --all
    bool dry_run = false;              ///< migrate, backup cleanup, gc
    bool verify = true;                ///< migrate: read back and compare
    bool backup = true;                ///< migrate: keep the original bytes
    std::size_t batch = 64;            ///< migrate: documents per transaction
    std::optional<unsigned> retention_days;  ///< migrate: backups expire after
    std::optional<unsigned> older_than_days; ///< backup cleanup
    std::optional<unsigned> version;   ///< list --version
    std::optional<std::size_t> limit;  ///< list, search, log
    std::string out;                   ///< export --out
    bool stored = false;               ///< export --stored
    double sample_percent = 100;       ///< verify --sample
    std::string level = "info";        ///< log --level
    std::vector<std::string> query_words;  ///< search: terms and options, as parse_query_args reads them
};

/// The store cannot be used (exit 3): busy, damaged, not there.
class store_unusable : public strata::error {
public:
    using strata::error::error;
};

/// A command line the commands cannot act on (exit 2), beyond what CLI11 checks.
class usage_error : public strata::error {
public:
    using strata::error::error;
};

/// Runs `r` on a store of each kind (stores.cpp).
int run_on_sqlite(const request& r);
int run_on_directory(const request& r);
int run_in_memory(const request& r);

}  // namespace strata_migrate
