#!/bin/sh
# The migrator's whole-run benchmark (issue 6): 1,000 and 10,000 sessions of the project's own
# generator, imported into SQLite, then migrated with verification and backups on; each
# migration in a process of its own (peak RSS), beside raw SQLite inserting the same bytes.
#   benchmarks/migration/run.sh [BUILD_DIR]   (default build/gcc; a Release build)
set -eu
build=${1:-build/gcc}
bench="$build/benchmarks/bench_migrate"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for count in 1000 10000; do
    big=2
    "$bench" prepare "$work/s$count.db" "$count" "$big"
    cp "$work/s$count.db" "$work/s$count-no-index.db"
    "$bench" sqlite-floor "$work/s$count.db"
    echo "with the search index:"
    "$bench" migrate "$work/s$count.db"
    echo "without it:"
    "$bench" migrate "$work/s$count-no-index.db" 64 no-index
done
