// strata-migrate: migrates a real store of "sessions" documents (../shared/spec/sessions-schema.md,
// examples/sessions) end to end — import, status, migrate with progress, verify, search, export,
// rollback, rollback points, backups, garbage collection, the store's log. The README documents
// every command with an example session. This file reads the command line (CLI11) and maps
// errors to exit statuses; the commands are in session_tool.hpp.
#include "request.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace {

using namespace strata_migrate;

/// `sqlite:PATH`, `dir:PATH` or `mem:`.
store_uri parse_store(const std::string& text) {
    store_uri uri;
    uri.text = text;
    if (text.rfind("sqlite:", 0) == 0) {
        uri.kind = store_uri::sqlite;
        uri.path = text.substr(7);
    } else if (text.rfind("dir:", 0) == 0) {
        uri.kind = store_uri::dir;
        uri.path = text.substr(4);
    } else if (text == "mem:") {
        uri.kind = store_uri::mem;
    } else {
        throw usage_error("--store: expected sqlite:PATH, dir:PATH or mem:, not \"" + text + "\"");
    }
    if (uri.kind != store_uri::mem && uri.path.empty()) throw usage_error("--store " + text + ": the path is missing");
    return uri;
}

int run(const request& r) {
    switch (r.store.kind) {
        case store_uri::sqlite: return run_on_sqlite(r);
        case store_uri::dir: return run_on_directory(r);
        case store_uri::mem: return run_in_memory(r);
    }
    return exit_usage;
}

}  // namespace

int main(int argc, char** argv) {
    request r;
    std::string store = "sqlite:./strata.db";
    CLI::App app{"strata-migrate: migrates a store of sessions documents to the latest schema version, "
                 "with backups, verification, rollback and search."};
    app.set_version_flag("--version", "strata-migrate 0.1 (sessions schema v1..v3)");
    app.add_option("--store", store, "sqlite:PATH (default sqlite:./strata.db), dir:PATH or mem: (empty, for tests)");
    app.add_option("--progress-every", r.progress_every_ms,
                   "milliseconds between plain progress lines when stderr is not a terminal (default 1000)");
    app.require_subcommand(1);

    auto* import = app.add_subcommand("import", "import every *.json in DIR (bytes kept verbatim; DIR is never written)");
    import->add_option("DIR", r.directory, "the folder of legacy documents")->required();
    import->add_flag("--json", r.json, "print only a JSON report");

    auto* status = app.add_subcommand("status", "totals, per version, percentage at latest, failed, backups, points, run in progress");
    status->add_flag("--json", r.json, "print only JSON");

    auto* list = app.add_subcommand("list", "the documents: id, version, form, size");
    list->add_option("--version", r.version, "only documents at this schema version");
    list->add_option("--limit", r.limit, "at most N documents");
    list->add_flag("--json", r.json, "print only JSON");

    auto* migrate = app.add_subcommand("migrate", "migrate documents to the latest version (resumes an interrupted run)");
    auto* all = migrate->add_flag("--all", r.all, "every document not at the latest version");
    auto* ids = migrate->add_option("--id", r.ids, "these documents")->expected(1, -1);
    all->excludes(ids);
    migrate->add_flag("--dry-run", r.dry_run, "do everything but the writes; report what a real run would do");
    migrate->add_option("--batch", r.batch, "documents per transaction (default 64)")->check(CLI::PositiveNumber);
    migrate->add_flag("--no-verify{false}", r.verify, "do not read each document back and compare");
    migrate->add_flag("--no-backup{false}", r.backup, "do not keep the original bytes (no rollback then)");
    migrate->add_option("--retention-days", r.retention_days, "backups expire after N days (default 30)");
    migrate->add_flag("--json", r.json, "print only a JSON report");

    auto* get = app.add_subcommand("get", "one document at the latest version (dual read: writes nothing)");
    get->add_option("ID", r.ids, "the document's id")->required()->expected(1);

    auto* exp = app.add_subcommand("export", "every document at the latest version (JSON lines, by id), or as stored");
    exp->add_option("--out", r.out, "FILE (one JSON object per line), or DIR with --stored")->required();
    exp->add_flag("--stored", r.stored, "write each document's stored bytes, exactly, to DIR/<id>.json");

    auto* blob = app.add_subcommand("blob", "the raw bytes of a content-addressed blob, to stdout");
    blob->add_option("HASH", r.hash, "the blob's SHA-256 digest, as in attachment.hash")->required();

    auto* verify = app.add_subcommand("verify", "every document decodes, references resolve, blobs re-hash, index consistent");
    verify->add_option("--sample", r.sample_percent, "check this percentage of documents and blobs (default 100)");
    verify->add_flag("--json", r.json, "print only a JSON report");

    auto* rollback = app.add_subcommand("rollback", "give documents back their original bytes, exactly");
    auto* rb_ids = rollback->add_option("--id", r.ids, "these documents")->expected(1, -1);
    auto* rb_all = rollback->add_flag("--all", r.all, "every migrated document");
    auto* rb_point = rollback->add_option("--point", r.name, "every document of rollback point NAME, to its bytes then");
    rb_all->excludes(rb_ids)->excludes(rb_point);
    rb_ids->excludes(rb_point);
    rollback->add_flag("--json", r.json, "print only a JSON report");

    auto* point = app.add_subcommand("point", "rollback points: create NAME | list | verify NAME | delete NAME");
    point->require_subcommand(1);
    for (const char* sub : {"create", "verify", "delete"}) {
        auto* s = point->add_subcommand(sub, std::string(sub) + " rollback point NAME");
        s->add_option("NAME", r.name, "the point's name")->required();
        s->add_flag("--json", r.json, "print only JSON");
    }
    point->add_subcommand("list", "every rollback point")->add_flag("--json", r.json, "print only JSON");

    auto* backup = app.add_subcommand("backup", "backups of original bytes: list | cleanup");
    backup->require_subcommand(1);
    backup->add_subcommand("list", "every backup")->add_flag("--json", r.json, "print only JSON");
    auto* cleanup = backup->add_subcommand("cleanup", "remove expired backups (and those older than N days)");
    cleanup->add_option("--older-than-days", r.older_than_days, "also remove backups older than N days");
    cleanup->add_flag("--dry-run", r.dry_run, "say what would be removed and why; remove nothing");
    cleanup->add_flag("--json", r.json, "print only JSON");

    std::vector<std::string> terms, tags;
    std::string from, to, order;
    std::size_t offset = 0;
    bool any = false;
    auto* search = app.add_subcommand("search", "migrated documents by words, tags and date (start time)");
    search->add_option("TERM", terms, "words (all must match; --any: one); prefix*");
    search->add_option("--tag", tags, "a tag the document holds (tags or status; field=value names the field)");
    search->add_option("--from", from, "start time at or after DATE (2025-03-01 or 2025-03-01T10:00:00Z)");
    search->add_option("--to", to, "start time at or before DATE (a date alone includes its whole day)");
    search->add_flag("--any", any, "documents matching any term instead of all");
    search->add_option("--order", order, "relevance (default), newest or oldest");
    search->add_option("--offset", offset, "skip the first N hits");
    search->add_option("--limit", r.limit, "at most N hits (default 20)");
    search->add_flag("--json", r.json, "print only JSON");

    auto* gc = app.add_subcommand("gc", "remove blobs nothing refers to");
    gc->add_flag("--dry-run", r.dry_run, "say what would be removed");
    gc->add_flag("--json", r.json, "print only JSON");

    auto* log = app.add_subcommand("log", "what migrations, imports and rollbacks said (kept in the store)");
    log->add_option("--level", r.level, "trace, debug, info (default), warning or error");
    log->add_option("--limit", r.limit, "the newest N records");
    log->add_flag("--json", r.json, "print only JSON");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? exit_ok : exit_usage;
    }

    try {
        r.store = parse_store(store);
        for (auto* sub : app.get_subcommands()) {
            r.command = sub->get_name();
            for (auto* inner : sub->get_subcommands()) r.subcommand = inner->get_name();
        }
        if (r.command == "search") {
            r.query_words = terms;
            for (const auto& t : tags) r.query_words.insert(r.query_words.end(), {"--tag", t});
            if (!from.empty()) r.query_words.insert(r.query_words.end(), {"--from", from});
            if (!to.empty()) r.query_words.insert(r.query_words.end(), {"--to", to});
            if (any) r.query_words.push_back("--any");
            if (!order.empty()) r.query_words.insert(r.query_words.end(), {"--order", order});
            if (offset != 0) r.query_words.insert(r.query_words.end(), {"--offset", std::to_string(offset)});
            if (r.limit) r.query_words.insert(r.query_words.end(), {"--limit", std::to_string(*r.limit)});
        }
        return run(r);
    } catch (const usage_error& e) {
        std::fprintf(stderr, "strata-migrate: %s\nRun with --help for more information.\n", e.what());
        return exit_usage;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "strata-migrate: the store %s cannot be used: %s\n", store.c_str(), e.what());
        return exit_store_unusable;
    }
}
