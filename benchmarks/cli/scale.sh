#!/usr/bin/env bash
# strata-migrate at scale (issue 8): 100,000 small sessions documents imported and migrated on
# SQLite, with documents/s, MB/s (of legacy JSON) and peak RSS for each step, beside the Python
# oracle's `expect` on the same corpus. A script, not a timed test: nothing is asserted but that
# every document reached the latest version.
#
#   benchmarks/cli/scale.sh BUILD_DIR [COUNT] [WORK_DIR]
#
# BUILD_DIR holds examples/strata-migrate (and examples/generate_sessions, used when the oracle
# ../shared/corpus/sessions.py, or $STRATA_ORACLE, is absent). COUNT defaults to 100000, WORK_DIR
# to BUILD_DIR/scale-work (removed first). Needs GNU time (/usr/bin/time, Debian package `time`).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: scale.sh BUILD_DIR [COUNT] [WORK_DIR]}
build=$(cd "$build" && pwd)
count=${2:-100000}
work=${3:-$build/scale-work}
program=$build/examples/strata-migrate
oracle=${STRATA_ORACLE:-$root/../shared/corpus/sessions.py}

if [ ! -x /usr/bin/time ]; then
    echo "scale.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2
    exit 2
fi
if [ ! -x "$program" ]; then
    echo "scale.sh: no $program (build the strata-migrate target first)" >&2
    exit 2
fi

rm -rf "$work"
mkdir -p "$work"
legacy=$work/legacy
store=sqlite:$work/store.db

echo "load before: $(uptime)"
if [ -f "$oracle" ]; then
    python3 "$oracle" gen --out "$legacy" --count "$count" --big 0 >/dev/null
    corpus_by="sessions.py gen --count $count --big 0"
else
    "$build/examples/generate_sessions" --out "$legacy" --count "$count" --big 0 >/dev/null
    corpus_by="generate_sessions --count $count --big 0 (the oracle $oracle is absent)"
fi
bytes=$(find "$legacy" -name '*.json' -printf '%s\n' | awk '{ s += $1 } END { printf "%d", s }')
files=$(find "$legacy" -name '*.json' | wc -l)
echo "corpus: $files documents, $bytes bytes ($corpus_by)"

rows=()
# measure LABEL COMMAND...: wall time (date), peak RSS (GNU time), output in WORK/LABEL.{out,err}.
measure() {
    local label=$1
    shift
    local t0 t1
    t0=$(date +%s.%N)
    if ! /usr/bin/time -v -o "$work/$label.time" "$@" >"$work/$label.out" 2>"$work/$label.err"; then
        echo "scale.sh: $label failed:" >&2
        tail -n 20 "$work/$label.err" >&2
        exit 1
    fi
    t1=$(date +%s.%N)
    local rss
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/$label.time")
    rows+=("$(awk -v l="$label" -v a="$t0" -v b="$t1" -v n="$files" -v by="$bytes" -v kb="$rss" 'BEGIN {
        s = b - a; printf "%-28s %9.2f %12.0f %9.2f %10.1f", l, s, n / s, by / s / 1e6, kb / 1024 }')")
}

if [ -f "$oracle" ]; then
    measure "oracle expect (Python)" python3 "$oracle" expect --in "$legacy" --out "$work/expected.jsonl" --blobs "$work/blobs"
else
    measure "upgrade_directory (memory)" "$build/examples/upgrade_directory" "$legacy" "$work/expected.jsonl" "$work/blobs"
fi
measure "strata-migrate import" "$program" --store "$store" import "$legacy"
measure "strata-migrate migrate --all" "$program" --store "$store" migrate --all --json

"$program" --store "$store" status --json >"$work/status.json"
at_latest=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["at_latest"])' "$work/status.json")
db_bytes=$(stat -c %s "$work/store.db")

echo
printf "%-28s %9s %12s %9s %10s\n" "step" "seconds" "documents/s" "MB/s" "peak RSS MB"
for row in "${rows[@]}"; do echo "$row"; done
echo
echo "migrate --json: $(cat "$work/strata-migrate migrate --all.out")"
echo "at latest: $at_latest of $files; store.db: $db_bytes bytes; MB/s counts legacy JSON bytes (1 MB = 10^6 bytes)"
peak=$(awk -F': ' '/Maximum resident set size/ { if ($2 > m) m = $2 } END { print m }' "$work"/strata-migrate*.time)
echo "strata-migrate peak RSS: $((peak / 1024)) MB ($([ "$peak" -lt $((256 * 1024)) ] && echo "under" || echo "OVER") the 256 MB budget)"
echo "load after: $(uptime)"
[ "$at_latest" = "$files" ]
