#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, then builds and runs every test
# three times: g++ with -Werror (plus benchmark smoke runs and the consumer tests), clang-16 with
# -Werror (plus a short libFuzzer run), and AddressSanitizer + UndefinedBehaviorSanitizer.
#
#   scripts/test.sh               all three builds
#   scripts/test.sh gcc asan      only the builds named (gcc, clang, asan)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

builds=("$@")
[ ${#builds[@]} -gt 0 ] || builds=(gcc clang asan)
jobs=$(nproc)
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

run_build() {
    local name=$1; shift
    local ctest_args=("${@:2}")
    echo "=== build '$name' ==="
    cmake -S . -B "build/$name" -G Ninja "${launcher[@]}" $1
    cmake --build "build/$name" -j "$jobs"
    ctest --test-dir "build/$name" --output-on-failure -j "$jobs" "${ctest_args[@]}"
}

for b in "${builds[@]}"; do
    case "$b" in
        gcc)   run_build gcc "-DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release -DSTRATA_WERROR=ON -DSTRATA_BUILD_BENCHMARKS=ON" ;;
        clang) run_build clang "-DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_BUILD_TYPE=Debug -DSTRATA_WERROR=ON -DSTRATA_BUILD_FUZZERS=ON" -LE consumer ;;
        asan)  run_build asan "-DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_BUILD_TYPE=Debug -DSTRATA_WERROR=ON -DSTRATA_SANITIZE=address,undefined" -LE consumer ;;
        *) echo "test.sh: unknown build '$b' (gcc, clang, asan)" >&2; exit 2 ;;
    esac
done
echo "=== all builds passed: ${builds[*]} ==="
