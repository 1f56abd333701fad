#!/usr/bin/env python3
"""The sessions chain against the reference oracle (../shared/corpus/sessions.py).

  sessions_oracle.py ORACLE UPGRADE_PROGRAM WORK_DIR [--count N]

Generates a legacy store with the oracle, computes the expected v3 documents and blobs with it,
runs strata's upgrade program on the same store, and compares every document as a JSON value
and every blob byte for byte. Exits 77 (reported as skipped by CTest) when ORACLE is absent.
"""
import json
import os
import shutil
import subprocess
import sys


def main(argv):
    oracle, program, work = argv[1], argv[2], argv[3]
    count = int(argv[argv.index("--count") + 1]) if "--count" in argv else 400
    if not os.path.exists(oracle):
        print(f"SKIPPED: the oracle {oracle} is not here (it lives beside the project in CI)")
        return 77
    shutil.rmtree(work, ignore_errors=True)
    legacy, expected, expected_blobs = (os.path.join(work, n) for n in ("legacy", "expected.jsonl", "expected-blobs"))
    actual, actual_blobs = os.path.join(work, "actual.jsonl"), os.path.join(work, "actual-blobs")
    subprocess.run([sys.executable, oracle, "gen", "--out", legacy, "--count", str(count), "--big", "2"], check=True)
    subprocess.run([sys.executable, oracle, "expect", "--in", legacy, "--out", expected, "--blobs", expected_blobs], check=True)
    subprocess.run([program, legacy, actual, actual_blobs], check=True)

    with open(expected, encoding="utf-8") as f:
        want = [json.loads(line) for line in f]
    with open(actual, encoding="utf-8") as f:
        got = [json.loads(line) for line in f]
    problems = []
    if len(want) != len(got):
        problems.append(f"{len(got)} documents, expected {len(want)}")
    for w, g in zip(want, got):
        if w != g:
            keys = sorted(set(w) | set(g))
            diff = [k for k in keys if w.get(k, "<absent>") != g.get(k, "<absent>")]
            problems.append(f"document {w.get('id')}: differs at {diff[:5]}")
    want_blobs, got_blobs = sorted(os.listdir(expected_blobs)), sorted(os.listdir(actual_blobs))
    if want_blobs != got_blobs:
        problems.append(f"blob names differ: {len(got_blobs)} blobs, expected {len(want_blobs)}")
    for name in set(want_blobs) & set(got_blobs):
        with open(os.path.join(expected_blobs, name), "rb") as a, open(os.path.join(actual_blobs, name), "rb") as b:
            if a.read() != b.read():
                problems.append(f"blob {name}: bytes differ")
    for p in problems[:20]:
        print("MISMATCH:", p)
    print(f"compared {len(want)} documents and {len(want_blobs)} blobs: {'ok' if not problems else 'FAILED'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
