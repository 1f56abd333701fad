#!/usr/bin/env bash
# The main job: installs what is missing, builds strata-migrate (Release), generates a legacy
# store of sessions, imports it into SQLite, migrates it to v3 with progress bars, verifies it,
# searches it and prints the status.
#
#   scripts/demo.sh [COUNT]     COUNT documents (default 2000), 3 of them large
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2000}
scripts/deps.sh
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B build/demo -G Ninja "${launcher[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DSTRATA_BUILD_TESTS=OFF -DSTRATA_BUILD_EXAMPLES=ON
cmake --build build/demo -j "$(nproc)" --target strata-migrate generate_sessions

bin=build/demo/examples
work=build/demo/run
rm -rf "$work"
mkdir -p "$work"
migrate() {
    echo
    echo "\$ strata-migrate $*"
    ${bin}/strata-migrate --store "sqlite:$work/sessions.db" "$@"
}
${bin}/generate_sessions --out "$work/legacy" --count "$count" --big 3
migrate import "$work/legacy"
migrate status
migrate point create before-v3
migrate migrate --all --dry-run
migrate migrate --all
migrate verify
migrate search schema snapshot --limit 5
migrate search --tag ops --from 2025-06-01 --to 2025-06-30 --order newest --limit 5
migrate status
echo
echo "The store is $work/sessions.db; try: ${bin}/strata-migrate --store sqlite:$work/sessions.db --help"
