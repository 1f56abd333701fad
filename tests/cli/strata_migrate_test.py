#!/usr/bin/env python3
"""End-to-end tests of strata-migrate (issue 8), one scenario and one store kind per run.

  strata_migrate_test.py --program STRATA_MIGRATE --case CASE [--store sqlite|dir] --work DIR
                         --corpus CORPUS_DIR [--count N] [--docs N] [--oracle SESSIONS_PY]
                         [--generator GENERATE_SESSIONS] [--upgrade UPGRADE_DIRECTORY]

CASE:
  corpus   writes the shared legacy corpus into CORPUS_DIR (legacy/, expected.jsonl, blobs/):
           with the oracle (sessions.py gen + expect) when SESSIONS_PY exists, otherwise with the
           project's own generate_sessions and upgrade_directory (same output shape).
  oracle   import, dual-read (get, export before migrating), migrate --all, export, every document
           against the expectation, every blob through `blob HASH`, verify, status, the legacy
           folder unchanged; rollback --all, then `export --stored` byte for byte.
  crash    SIGKILL during `migrate --all --batch 16` at 10%, 40% and 80%, then Ctrl-C (SIGINT) at
           90%; reruns resume; each document migrated once; the export equals a clean run's.
  bad      every refusal of import, documents that import but cannot migrate, edge documents;
           usage errors (2), unusable stores (3), unknown ids and hashes.
  search   search results against a brute-force scan of the exported documents.
  dryrun   migrate --dry-run reports what the real run then does, and writes nothing.

Python 3 standard library only. Exit 0 when every check holds, 1 otherwise (each mismatch is
printed as "MISMATCH: ..."; "NOTE: ..." lines are observations that do not fail the test).
"""
import argparse
import base64
import copy
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

TIMEOUT = 600  # seconds for one program run: a hang fails the test instead of blocking CTest


# ----------------------------------------------------------------------------------------------
# Reporting

class Checks:
    """Collects mismatches (failing) and notes (informative) instead of stopping at the first."""

    def __init__(self):
        self.problems = []
        self.notes = []

    def check(self, cond, message):
        if not cond:
            self.problems.append(message)
            print("MISMATCH:", message, flush=True)
        return bool(cond)

    def note(self, message):
        self.notes.append(message)
        print("NOTE:", message, flush=True)

    def result(self, what):
        print(f"{what}: {'ok' if not self.problems else f'FAILED ({len(self.problems)} mismatches)'}"
              + (f", {len(self.notes)} notes" if self.notes else ""), flush=True)
        return 1 if self.problems else 0


class Fatal(Exception):
    """A step the rest of the scenario cannot do without failed."""


# ----------------------------------------------------------------------------------------------
# Running the program

class Program:
    def __init__(self, exe, store):
        self.exe, self.store = exe, store

    def run(self, *args, store=True, timeout=TIMEOUT):
        cmd = [self.exe] + (["--store", self.store] if store and self.store else []) + [str(a) for a in args]
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Fatal(f"`{' '.join(cmd)}` did not finish in {timeout} s")
        p.seconds = time.monotonic() - t0
        p.err = p.stderr.decode("utf-8", "replace")
        p.out = p.stdout.decode("utf-8", "replace")
        p.cmd = " ".join(cmd[1:])
        if p.returncode < 0:
            raise Fatal(f"`{p.cmd}` died of signal {-p.returncode}: {p.err[-2000:]}")
        return p

    def ok(self, *args, **kw):
        """Runs and requires exit status 0."""
        p = self.run(*args, **kw)
        if p.returncode != 0:
            raise Fatal(f"`{p.cmd}` exited {p.returncode}: {p.err[-3000:]}")
        return p

    def json(self, *args, expect=(0,), **kw):
        """Runs a --json command and parses its stdout (which must be nothing but the JSON)."""
        p = self.run(*args, **kw)
        if p.returncode not in expect:
            raise Fatal(f"`{p.cmd}` exited {p.returncode} (expected {expect}): {p.err[-3000:]}")
        try:
            return json.loads(p.stdout), p
        except ValueError as e:
            raise Fatal(f"`{p.cmd}` printed no JSON ({e}): {p.out[:500]!r}")


REFUSED = re.compile(r"^strata-migrate: refused: (.*?): (.*)$")
FAILED = re.compile(r"^strata-migrate: failed: (.*?): (?:at (.*?) )?\(([a-z ]+)\): (.*)$")


def refusals(stderr):
    """{file name (base name): reason} of the `refused:` lines."""
    out = {}
    for line in stderr.splitlines():
        m = REFUSED.match(line)
        if m:
            out.setdefault(os.path.basename(m.group(1)), m.group(2))
    return out


def failures(stderr):
    """{id: (path, stage, reason)} of the `failed:` lines."""
    out = {}
    for line in stderr.splitlines():
        m = FAILED.match(line)
        if m:
            out.setdefault(m.group(1), (m.group(2) or "", m.group(3), m.group(4)))
    return out


# ----------------------------------------------------------------------------------------------
# JSON values and files

def json_diff(a, b, path="$"):
    """The first path where two JSON values differ (numbers by value; bool is not a number), or None."""
    if isinstance(a, bool) or isinstance(b, bool):
        return None if type(a) is type(b) and a == b else path
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return None if a == b else path
    if type(a) is not type(b):
        return path
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}"
            d = json_diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path} (length {len(a)} vs {len(b)})"
        for i, (x, y) in enumerate(zip(a, b)):
            d = json_diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else path


def read_jsonl(path):
    with open(path, "rb") as f:
        return [json.loads(line) for line in f.read().split(b"\n") if line.strip()]


def tree_state(root):
    """{relative path: (kind, size, mtime_ns, sha256)} of everything under root."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            rel = os.path.relpath(os.path.join(dirpath, d), root)
            state[rel] = ("dir",)
        for n in filenames:
            full = os.path.join(dirpath, n)
            st = os.stat(full)
            with open(full, "rb") as f:
                state[os.path.relpath(full, root)] = ("file", st.st_size, st.st_mtime_ns, hashlib.sha256(f.read()).hexdigest())
    return state


def compare_docs(checks, what, got, want, limit=10):
    """Compares two lists of documents keyed by id, as JSON values."""
    got_by, want_by = {d.get("id"): d for d in got}, {d.get("id"): d for d in want}
    checks.check(len(got) == len(got_by), f"{what}: duplicate ids in the output")
    missing, extra = sorted(set(want_by) - set(got_by)), sorted(set(got_by) - set(want_by), key=str)
    checks.check(not missing, f"{what}: {len(missing)} documents missing, e.g. {missing[:5]}")
    checks.check(not extra, f"{what}: {len(extra)} unexpected documents, e.g. {extra[:5]}")
    bad = 0
    for i in sorted(set(want_by) & set(got_by)):
        d = json_diff(got_by[i], want_by[i])
        if d:
            bad += 1
            if bad <= limit:
                checks.check(False, f"{what}: document {i} differs from the expectation at {d}")
    checks.check(bad <= limit, f"{what}: {bad} documents differ in all")
    return bad == 0 and not missing and not extra


def store_uri(kind, work):
    return f"sqlite:{os.path.join(work, 'store.db')}" if kind == "sqlite" else f"dir:{os.path.join(work, 'store')}"


def fresh(work):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    return work


# ----------------------------------------------------------------------------------------------
# The corpus and its expectation

def expect_tool(args):
    """A function (legacy dir, out.jsonl, blobs dir) -> bool computing the v3 expectation."""
    if args.oracle and os.path.exists(args.oracle):
        def run(legacy, out, blobs):
            p = subprocess.run([sys.executable, args.oracle, "expect", "--in", legacy, "--out", out, "--blobs", blobs],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            return p.returncode == 0
        return run, "the oracle (sessions.py expect)"

    def run(legacy, out, blobs):
        p = subprocess.run([args.upgrade, legacy, out, blobs], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return p.returncode == 0
    return run, "the project's upgrade_directory"


def case_corpus(args):
    corpus = fresh(args.corpus)
    legacy = os.path.join(corpus, "legacy")
    if args.oracle and os.path.exists(args.oracle):
        subprocess.run([sys.executable, args.oracle, "gen", "--out", legacy, "--count", str(args.count), "--big", "2"],
                       check=True)
    else:
        print(f"the oracle {args.oracle} is not here: using the project's generate_sessions and upgrade_directory")
        subprocess.run([args.generator, "--out", legacy, "--count", str(args.count), "--big", "2"], check=True)
    run, name = expect_tool(args)
    if not run(legacy, os.path.join(corpus, "expected.jsonl"), os.path.join(corpus, "blobs")):
        print(f"{name} failed on the generated corpus")
        return 1
    with open(os.path.join(corpus, "source.txt"), "w") as f:
        f.write(name + "\n")
    print(f"corpus: {args.count} documents in {legacy}, expectation by {name}")
    return 0


class Corpus:
    """The shared corpus, or its first `docs` files (copied into WORK/legacy) when docs is set."""

    def __init__(self, args):
        root = args.corpus
        self.legacy = os.path.join(root, "legacy")
        if not os.path.isdir(self.legacy) or not os.path.exists(os.path.join(root, "expected.jsonl")):
            raise Fatal(f"no corpus in {root}: run the `corpus` case first (CTest fixture cli_corpus)")
        self.expected = read_jsonl(os.path.join(root, "expected.jsonl"))
        self.blobs = os.path.join(root, "blobs")
        self.files = sorted(n for n in os.listdir(self.legacy) if n.endswith(".json"))
        if args.docs and args.docs < len(self.files):
            part = os.path.join(args.work, "corpus-part")
            os.makedirs(part)
            self.files = self.files[:args.docs]
            for name in self.files:
                shutil.copyfile(os.path.join(self.legacy, name), os.path.join(part, name))
            self.legacy = part
            ids = {name[:-5] for name in self.files}
            self.expected = [d for d in self.expected if d["id"] in ids]
        # The blobs the documents refer to (all of blobs/ for the whole corpus).
        self.blob_names = sorted({s["attachment"]["hash"].split(":", 1)[1]
                                  for d in self.expected for s in d.get("screenshots", [])})

    def versions(self):
        """{"1": n, "2": n} of the legacy documents."""
        out = {}
        for n in self.files:
            with open(os.path.join(self.legacy, n), "rb") as f:
                doc = json.loads(f.read())
            v = doc["schemaVersion"] if "schemaVersion" in doc else doc.get("schema_version", 1)
            out[str(v)] = out.get(str(v), 0) + 1
        return out


def subset(corpus, work, n):
    """A legacy folder with the first n corpus files, and their expected documents."""
    legacy = os.path.join(work, "legacy")
    os.makedirs(legacy, exist_ok=True)
    names = corpus.files[:n]
    for name in names:
        shutil.copyfile(os.path.join(corpus.legacy, name), os.path.join(legacy, name))
    ids = {name[:-5] for name in names}
    return legacy, [d for d in corpus.expected if d["id"] in ids]


# ----------------------------------------------------------------------------------------------
# oracle

def case_oracle(args, prog, checks):
    corpus = Corpus(args)
    work = args.work
    n = len(corpus.files)
    before = tree_state(corpus.legacy)

    p = prog.ok("import", corpus.legacy)
    print(f"import: {p.seconds:.2f} s")
    st, _ = prog.json("status", "--json")
    checks.check(st.get("total") == n, f"status after import: total {st.get('total')}, expected {n}")
    checks.check(st.get("per_version") == corpus.versions(),
                 f"status after import: per_version {st.get('per_version')}, expected {corpus.versions()}")
    checks.check(st.get("at_latest") == 0, f"status after import: at_latest {st.get('at_latest')}, expected 0")
    checks.check(st.get("latest_version") == 3, f"status: latest_version {st.get('latest_version')}, expected 3")

    # A second import of the same folder stores nothing new: every file is skipped.
    p = prog.run("import", corpus.legacy)
    checks.check(p.returncode == 0 and not refusals(p.err),
                 f"a second import of the same files: exit {p.returncode}, refused {list(refusals(p.err))[:3]}")
    st2, _ = prog.json("status", "--json")
    checks.check(st2.get("total") == n, f"status after the second import: total {st2.get('total')}, expected {n}")

    # Dual read before migrating: get and export give v3 and write nothing.
    by_id = {d["id"]: d for d in corpus.expected}
    sample = [corpus.files[0][:-5], corpus.files[1][:-5], corpus.files[-1][:-5]]
    for i in sample:
        p = prog.ok("get", i)
        d = json_diff(json.loads(p.stdout), by_id[i])
        checks.check(d is None, f"get {i} before migrating differs from the expectation at {d}")
    out_before = os.path.join(work, "before.jsonl")
    p = prog.ok("export", "--out", out_before)
    print(f"export (dual read, before migrating): {p.seconds:.2f} s")
    compare_docs(checks, "export before migrating", read_jsonl(out_before), corpus.expected)
    st3, _ = prog.json("status", "--json")
    checks.check(st3.get("at_latest") == 0 and st3.get("per_version") == st.get("per_version"),
                 f"get/export before migrating changed the store: status {st3}")

    # Migrate everything.
    m, p = prog.json("migrate", "--all", "--json")
    print(f"migrate --all: {p.seconds:.2f} s, {m}")
    checks.check(m.get("migrated") == n and m.get("failed") == 0 and not m.get("failures"),
                 f"migrate --all --json: migrated {m.get('migrated')} failed {m.get('failed')}, expected {n} and 0")
    checks.check(m.get("dry_run") is False and m.get("cancelled") is False,
                 f"migrate --json: dry_run {m.get('dry_run')} cancelled {m.get('cancelled')}")

    out = os.path.join(work, "export.jsonl")
    p = prog.ok("export", "--out", out)
    print(f"export: {p.seconds:.2f} s")
    with open(out, "rb") as f:
        raw = f.read()
    checks.check(raw.endswith(b"\n"), "export: the last line has no newline")
    lines = [json.loads(line) for line in raw.split(b"\n") if line]
    ids = [d.get("id") for d in lines]
    checks.check(ids == sorted(ids, key=lambda s: s.encode()), "export: documents not sorted by id")
    compare_docs(checks, "export", lines, corpus.expected)

    # Every expected blob, byte for byte.
    names = corpus.blob_names
    checks.check(set(names) <= set(os.listdir(corpus.blobs)), "the expectation lacks blobs its documents refer to")
    hashes_in_docs = {s["attachment"]["hash"] for d in lines for s in d.get("screenshots", [])}
    checks.check(hashes_in_docs == {"sha256:" + h for h in names},
                 f"the exported documents refer to {len(hashes_in_docs)} blobs, the expectation has {len(names)}")
    t0, bad = time.monotonic(), 0
    for h in names:
        p = prog.run("blob", "sha256:" + h)
        with open(os.path.join(corpus.blobs, h), "rb") as f:
            want = f.read()
        if p.returncode != 0 or p.stdout != want:
            bad += 1
            if bad <= 5:
                checks.check(False, f"blob sha256:{h}: exit {p.returncode}, {len(p.stdout)} bytes, expected "
                                    f"{len(want)}: {p.err.strip()[:200]}")
    checks.check(bad == 0, f"{bad} of {len(names)} blobs differ")
    print(f"blob: {len(names)} blobs compared in {time.monotonic() - t0:.2f} s")
    # The bare hex form too (the v3 document's form is "sha256:<hex>").
    if names:
        p = prog.run("blob", names[0])
        if p.returncode != 0:
            checks.note(f"`blob <hex>` without the sha256: prefix exits {p.returncode}: {p.err.strip()[:200]}")

    p = prog.run("verify")
    checks.check(p.returncode == 0 and "verified" in p.out, f"verify: exit {p.returncode}, {p.out[-300:]} {p.err[-1000:]}")
    print(f"verify: {p.seconds:.2f} s")
    st, _ = prog.json("status", "--json")
    checks.check(st.get("total") == n and st.get("at_latest") == n and st.get("per_version") == {"3": n}
                 and st.get("percent_at_latest") == 100 and st.get("failed") == 0 and not st.get("failures")
                 and st.get("run_in_progress") is None,
                 f"status after migrating: {json.dumps(st)[:600]}")
    lst, _ = prog.json("list", "--json", "--limit", n + 10)
    checks.check(isinstance(lst, list) and len(lst) == n and all(e.get("version") == 3 for e in lst)
                 and sorted(e.get("id") for e in lst) == sorted(by_id),
                 f"list --json after migrating: {len(lst) if isinstance(lst, list) else lst} entries, not all v3 or ids differ")

    checks.check(tree_state(corpus.legacy) == before, "the legacy folder changed")

    # Rollback: every original file comes back byte for byte.
    p = prog.ok("rollback", "--all")
    print(f"rollback --all: {p.seconds:.2f} s")
    st, _ = prog.json("status", "--json")
    checks.check(st.get("per_version") == corpus.versions() and st.get("at_latest") == 0,
                 f"status after rollback --all: per_version {st.get('per_version')}, at_latest {st.get('at_latest')}")
    stored = os.path.join(work, "stored")
    p = prog.ok("export", "--stored", "--out", stored)
    got = sorted(os.listdir(stored))
    checks.check(got == corpus.files, f"export --stored after rollback: {len(got)} files, expected {len(corpus.files)}")
    bad = 0
    for name in corpus.files:
        a, b = os.path.join(stored, name), os.path.join(corpus.legacy, name)
        if not os.path.exists(a):
            continue
        with open(a, "rb") as x, open(b, "rb") as y:
            if x.read() != y.read():
                bad += 1
                if bad <= 5:
                    checks.check(False, f"export --stored after rollback: {name} differs from the original file")
    checks.check(bad == 0, f"export --stored after rollback: {bad} files differ")
    p = prog.run("verify")
    checks.check(p.returncode == 0, f"verify after rollback --all: exit {p.returncode}: {p.err[-1000:]}")
    checks.check(tree_state(corpus.legacy) == before, "the legacy folder changed")


# ----------------------------------------------------------------------------------------------
# crash

PROGRESS = re.compile(rb"migrate: (\d+)/(\d+)")


def migrate_and_kill(prog, fraction, n, sig=signal.SIGKILL):
    """Runs `migrate --all --batch 16` and SIGKILLs it once `fraction` of the store's documents are
    done: a rerun counts DONE/TOTAL over what was left, so done overall is n - TOTAL + DONE.
    With SIGINT (Ctrl-C) it then reads stderr to the end and waits for the program to stop.
    Returns (exit status, the last DONE/TOTAL seen, whether the signal was sent, stderr's tail)."""
    # A progress line every millisecond (the default is one a second off a terminal).
    cmd = [prog.exe, "--store", prog.store, "--progress-every", "1", "migrate", "--all", "--batch", "16"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen, buf, killed, tail = None, b"", False, b""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        chunk = os.read(proc.stderr.fileno(), 4096)
        if not chunk:
            break
        buf += chunk
        for m in PROGRESS.finditer(buf):
            done, total = int(m.group(1)), int(m.group(2))
            seen = (done, total)
            if (n - total + done) / n >= fraction and not killed:
                proc.send_signal(sig)
                killed = True
        tail = buf
        buf = buf[-200:]
        if killed and sig == signal.SIGKILL:
            break
    if not killed and proc.poll() is None and time.monotonic() >= deadline:
        proc.kill()
    proc.stderr.close()
    return proc.wait(), seen, killed, tail.decode("utf-8", "replace")


def case_crash(args, prog, checks):
    corpus = Corpus(args)
    n = len(corpus.files)
    prog.ok("import", corpus.legacy)

    landed, last_at, in_progress = 0, 0, None
    for fraction in (0.10, 0.40, 0.80):
        rc, seen, killed, _ = migrate_and_kill(prog, fraction, n)
        st, _ = prog.json("status", "--json")
        at = st.get("at_latest")
        mid = rc == -signal.SIGKILL
        landed += mid
        print(f"kill at {fraction:.0%}: progress {seen}, exit {rc}, at_latest {at}, run_in_progress "
              f"{st.get('run_in_progress')}", flush=True)
        if not mid:
            checks.note(f"the kill at {fraction:.0%} did not land during the run (exit {rc}, progress {seen})")
        checks.check(st.get("failed") == 0 and not st.get("failures"),
                     f"status after the kill at {fraction:.0%}: failed {st.get('failed')}, {st.get('failures')}")
        checks.check(isinstance(at, int) and at >= last_at and st.get("total") == n,
                     f"status after the kill at {fraction:.0%}: at_latest {at} (before {last_at}), total {st.get('total')}")
        last_at = at if isinstance(at, int) else last_at
        in_progress = st.get("run_in_progress")
        if mid:
            # The checkpoint counts each document once: its count is what is at v3.
            checks.check(isinstance(in_progress, dict) and in_progress.get("migrated") == at,
                         f"after the kill at {fraction:.0%}: run in progress {in_progress}, at_latest {at}")
    # Ctrl-C: the run stops cleanly after its batch, says how to resume, and keeps its checkpoint.
    rc, seen, sent, tail = migrate_and_kill(prog, 0.9, n, signal.SIGINT)
    st, _ = prog.json("status", "--json")
    at, in_progress = st.get("at_latest"), st.get("run_in_progress")
    print(f"Ctrl-C at 90%: progress {seen}, exit {rc}, at_latest {at}, run_in_progress {in_progress}", flush=True)
    if sent and at != n:
        checks.check(rc >= 0 and "resume" in tail.lower(),
                     f"Ctrl-C during migrate: exit {rc}, stderr ends {tail[-300:]!r}; expected a clean stop saying how to resume")
        checks.check(isinstance(in_progress, dict) and in_progress.get("migrated") == at and st.get("failed") == 0,
                     f"after Ctrl-C: run in progress {in_progress}, at_latest {at}, failed {st.get('failed')}")
    else:
        checks.note(f"Ctrl-C at 90% did not land during the run (exit {rc}, progress {seen})")
    last_at = at if isinstance(at, int) else last_at
    checks.check(landed > 0, "no kill landed while migrate was running: the scenario was not exercised "
                             "(are progress lines printed to a non-terminal stderr, one per batch?)")

    m, _ = prog.json("migrate", "--all", "--json")
    resumed = isinstance(in_progress, dict) and m.get("run") == in_progress.get("run")
    # A resumed run reports its counts since it started (each document once); a new run, its own.
    want = n if resumed else n - last_at
    checks.check(m.get("failed") == 0 and m.get("migrated") == want,
                 f"the rerun after the kills ({'resumed run ' + str(m.get('run')) if resumed else 'a new run'}): migrated "
                 f"{m.get('migrated')}, expected {want} ({n} documents, {last_at} already at v3 before it), "
                 f"failed {m.get('failed')}, skipped {m.get('skipped')}")
    m2, _ = prog.json("migrate", "--all", "--json")
    checks.check(m2.get("migrated") == 0 and m2.get("failed") == 0,
                 f"a rerun after completion: migrated {m2.get('migrated')}, failed {m2.get('failed')}, expected 0 and 0")
    st, _ = prog.json("status", "--json")
    checks.check(st.get("at_latest") == n and st.get("failed") == 0 and st.get("run_in_progress") is None,
                 f"status after the reruns: {json.dumps(st)[:600]}")
    p = prog.run("verify")
    checks.check(p.returncode == 0 and "verified" in p.out, f"verify after the crashes: exit {p.returncode}: {p.err[-1000:]}")

    crashed = os.path.join(args.work, "crashed.jsonl")
    prog.ok("export", "--out", crashed)
    compare_docs(checks, "export after the crashes", read_jsonl(crashed), corpus.expected)

    # A clean run on a fresh store, for a byte-for-byte comparison of the exports.
    clean_work = os.path.join(args.work, "clean")
    os.makedirs(clean_work)
    clean = Program(prog.exe, store_uri(args.store, clean_work))
    clean.ok("import", corpus.legacy)
    clean.ok("migrate", "--all", "--batch", "16")
    clean_out = os.path.join(args.work, "clean.jsonl")
    clean.ok("export", "--out", clean_out)
    with open(crashed, "rb") as a, open(clean_out, "rb") as b:
        checks.check(a.read() == b.read(), "the export after the crashes differs from a clean run's, byte for byte")
    a, _ = prog.json("status", "--json")
    b, _ = clean.json("status", "--json")
    for key in ("total", "per_version", "at_latest", "failed", "backups"):
        checks.check(a.get(key) == b.get(key), f"status {key}: {a.get(key)} after the crashes, {b.get(key)} after a clean run")


# ----------------------------------------------------------------------------------------------
# bad input

def b64(data):
    return base64.b64encode(data).decode("ascii")


def v1_doc(doc_id, **changes):
    doc = {
        "schema_version": 1, "id": doc_id, "name": "Edge case", "description": "a neighbour of bad input",
        "status": "completed", "start_time": "2025-03-01T10:00:00Z", "end_time": "2025-03-01T11:30:00Z",
        "labels": "work, Focus", "config": {"screenshot_interval_s": 30, "audio_enabled": True, "video_enabled": False},
        "screenshots": [
            {"id": "s0", "timestamp": "2025-03-01T10:00:00Z", "ai_analysis": "editor open",
             "attachment": {"name": "s0.png", "mime_type": "image/png", "base64": b64(b"first screenshot " + doc_id.encode())}},
            {"id": "s1", "timestamp": "2025-03-01T10:00:30Z", "ai_analysis": "terminal",
             "attachment": {"name": "s1.png", "mime_type": "image/png", "base64": b64(b"\x89PNG\r\n\x1a\n\x00\x01\x02")}},
        ],
        "audio_segments": [{"id": "a0", "timestamp": "2025-03-01T10:01:00Z", "duration_ms": 1500, "transcription": "hello"}],
        "video_chunks": [], "summary": {"narrative": "short"}, "audio_insights": None,
    }
    for k, v in changes.items():
        if v is DELETE:
            del doc[k]
        else:
            doc[k] = v
    return doc


DELETE = object()


def dumps(doc, **kw):
    return json.dumps(doc, ensure_ascii=False, **kw).encode("utf-8")


def bad_input_files():
    """(file name, bytes, category, keywords) — category: refuse | fail | either | lenient | good.
    keywords: lower-case fragments the reason (refuse) or "path reason" (fail) must contain, one of
    each tuple element (a tuple of alternatives)."""
    f = []

    def add(name, data, category, *keywords):
        f.append((name, data if isinstance(data, bytes) else dumps(data), category, keywords))

    good = v1_doc("r-template")
    # Refused by import: the contract's cases.
    add("r-not-utf8.json", dumps(v1_doc("r-not-utf8")).replace(b"Edge case", b"Edge \xff\xfe case"), "refuse", ("utf",))
    add("r-latin1.json", json.dumps(v1_doc("r-latin1", name="Caf\u00e9"), ensure_ascii=False).encode("latin-1"), "refuse", ("utf",))
    add("r-overlong-utf8.json", dumps(v1_doc("r-overlong-utf8")).replace(b"Edge case", b"Edge \xc0\xaf case"), "refuse", ("utf",))
    add("r-surrogate-utf8.json", dumps(v1_doc("r-surrogate-utf8")).replace(b"Edge case", b"Edge \xed\xa0\x80 case"), "refuse", ("utf",))
    add("r-not-json.json", b"this is not JSON at all\n", "refuse")
    add("r-truncated.json", dumps(v1_doc("r-truncated"))[:150], "refuse")
    add("r-empty.json", b"", "refuse")
    add("r-whitespace.json", b"  \n\t\n", "refuse")
    add("r-trailing.json", dumps(v1_doc("r-trailing")) + b' {"id": "r-trailing-2"}', "refuse")
    add("r-trailing-comma.json", dumps(v1_doc("r-trailing-comma"))[:-1] + b",}", "refuse")
    add("r-single-quotes.json", b"{'id': 'r-single-quotes', 'schema_version': 1}", "refuse")
    add("r-nul-byte.json", b'{"id": "r-nul-byte", "name": "a\x00b"}', "refuse")
    add("r-array.json", b'[{"id": "r-array", "schema_version": 1}]', "refuse", ("object",))
    add("r-string.json", b'"r-string"', "refuse", ("object",))
    add("r-null.json", b"null", "refuse", ("object",))
    add("r-number.json", b"42", "refuse", ("object",))
    add("r-no-id.json", v1_doc("x", id=DELETE), "refuse", ("id",))
    add("r-number-id.json", v1_doc("x", id=42), "refuse", ("id",))
    add("r-null-id.json", v1_doc("x", id=None), "refuse", ("id",))
    add("r-object-id.json", v1_doc("x", id={"value": "r-object-id"}), "refuse", ("id",))
    add("r-version-7.json", v1_doc("r-version-7", schema_version=7), "refuse", ("version",))
    add("r-version-0.json", v1_doc("r-version-0", schema_version=0), "refuse", ("version",))
    add("r-version-neg.json", v1_doc("r-version-neg", schema_version=-1), "refuse", ("version",))
    v2 = v1_doc("r-version-camel-4", schema_version=DELETE)
    v2["schemaVersion"] = 4
    add("r-version-camel-4.json", v2, "refuse", ("version",))
    add("r-version-huge.json", dumps(v1_doc("r-version-huge")).replace(b'"schema_version": 1', b'"schema_version": 18446744073709551617'), "refuse", ("version",))
    # Same id as another file, other bytes: the later file (in byte order) is a conflict.
    add("c-dupe-a.json", v1_doc("c-dupe"), "good")
    add("c-dupe-b.json", v1_doc("c-dupe", name="Another name"), "refuse", ("conflict",))
    # Same id, same bytes: skipped, not refused.
    add("s-same-a.json", v1_doc("s-same"), "good")
    add("s-same-b.json", v1_doc("s-same"), "skip")
    # Deep nesting: not a crash; refused (or failed) with a reason.
    deep = dumps(v1_doc("r-deep"))[:-1] + b', "nest": ' + b"[" * 100000 + b"]" * 100000 + b"}"
    add("r-deep.json", deep, "either")

    # Import, but cannot migrate: the id and the place are named.
    shots = copy.deepcopy(good["screenshots"])
    shots[1]["attachment"]["base64"] = "not base64 !!"
    add("f-base64.json", v1_doc("f-base64", screenshots=shots), "fail", ("screenshots",), ("base64",))
    shots = copy.deepcopy(good["screenshots"])
    shots[0]["attachment"]["base64"] = "QUJD="
    add("f-base64-padding.json", v1_doc("f-base64-padding", screenshots=shots), "fail", ("screenshots",), ("base64",))
    v2doc = {"schemaVersion": 2, "id": "f-base64-v2", "name": "v2", "description": "", "status": "paused",
             "startTime": "2025-03-01T10:00:00Z", "endTime": None, "tags": ["work"], "folder": "inbox",
             "config": {"screenshotIntervalS": 60, "audioEnabled": False, "videoEnabled": False},
             "screenshots": [{"id": "s0", "timestamp": "2025-03-01T10:00:00Z", "aiAnalysis": "x",
                              "attachment": {"name": "s0.png", "mimeType": "image/png", "base64": "%%%%"}}],
             "audioSegments": [], "videoChunks": [], "summary": None, "audioInsights": None}
    add("f-base64-v2.json", v2doc, "fail", ("screenshots",), ("base64",))
    add("f-name-number.json", v1_doc("f-name-number", name=42), "fail", ("name",))
    add("f-screenshots-string.json", v1_doc("f-screenshots-string", screenshots="none"), "fail", ("screenshots",))
    add("f-config-array.json", v1_doc("f-config-array", config=[30, True, False]), "fail", ("config",))
    audio = [{"id": "a0", "timestamp": "2025-03-01T10:01:00Z", "duration_ms": "long", "transcription": "x"}]
    add("f-duration-string.json", v1_doc("f-duration-string", audio_segments=audio), "fail", ("audio", "duration"))
    add("f-interval-huge.json", dumps(v1_doc("f-interval-huge")).replace(b'"screenshot_interval_s": 30', b'"screenshot_interval_s": 123456789012345678901234567890'),
        "either", ("interval", "config"))
    add("f-interval-float.json", v1_doc("f-interval-float", config={"screenshot_interval_s": 30.5, "audio_enabled": True, "video_enabled": False}),
        "fail", ("interval",))
    add("f-start-time.json", v1_doc("f-start-time", start_time="yesterday"), "fail", ("start",))
    add("f-labels-array.json", v1_doc("f-labels-array", labels=["a", "b"]), "fail", ("labels",))
    shots = copy.deepcopy(good["screenshots"])
    del shots[0]["attachment"]
    add("f-no-attachment.json", v1_doc("f-no-attachment", screenshots=shots), "fail", ("attachment",))
    add("f-bool-as-number.json", v1_doc("f-bool-as-number", config={"screenshot_interval_s": 30, "audio_enabled": 1, "video_enabled": False}),
        "fail", ("audio",))

    # Edge documents: the program either migrates them exactly as the expectation says or reports them.
    add("e-missing-name.json", v1_doc("e-missing-name", name=DELETE), "lenient")
    add("e-version-string.json", v1_doc("e-version-string", schema_version="1"), "either", ("version",))
    add("e-version-float.json", v1_doc("e-version-float", schema_version=1.0), "lenient")
    add("e-big-extra-number.json", dumps(v1_doc("e-big-extra-number"))[:-1] + b', "extra_big": 123456789012345678901234567890, "extra_float": 1e308}', "lenient")
    # Anything goes but a crash (reported as a note): duplicate keys, a byte order mark.
    add("e-duplicate-key.json", dumps(v1_doc("e-duplicate-key"))[:-1] + b', "name": "second name"}', "any")
    add("e-bom.json", b"\xef\xbb\xbf" + dumps(v1_doc("e-bom")), "any")
    add("e-empty-id.json", v1_doc(""), "lenient")
    add("e-slash-id.json", v1_doc("e/slash"), "lenient")
    add("e-dotdot-id.json", v1_doc("../escaped"), "lenient")
    add("e-end-before-start.json", v1_doc("e-end-before-start", end_time="2025-03-01T09:00:00Z"), "lenient")

    # Good documents that exercise the rules: they must migrate to the expectation.
    add("g-unicode.json", v1_doc("g-unicode", name="Caf\u00e9 \u65e5\u672c\u8a9e \U0001F389", description="na\u00efve r\u00e9sum\u00e9",
                                labels=" A ,a,,  B  , \u00c9t\u00e9,Deep Work,deep work"), "good")
    add("g-extra-keys.json", v1_doc("g-extra-keys", custom_field={"nested_key_1": [{"deep_snake_case": 1, "x__y": 2, "_lead": 3}]},
                                   extra_null=None, ratio=0.25), "good")
    add("g-pretty-crlf.json", json.dumps(v1_doc("g-pretty-crlf"), indent=4).replace("\n", "\r\n").encode(), "good")
    add("g-escapes.json", json.dumps(v1_doc("g-escapes", name='quote " backslash \\ tab \t nl \n u\u0001',
                                            description="\u2028\u2029 \ud83c\udf89"), ensure_ascii=True).encode(), "good")
    add("g-no-version.json", v1_doc("g-no-version", schema_version=DELETE), "good")
    add("g-no-screenshots.json", v1_doc("g-no-screenshots", screenshots=[], end_time=None, status="active"), "good")
    dup = copy.deepcopy(good["screenshots"])
    dup[1]["attachment"]["base64"] = dup[0]["attachment"]["base64"]
    add("g-same-blob-twice.json", v1_doc("g-same-blob-twice", screenshots=dup), "good")
    add("g-empty-blob.json", v1_doc("g-empty-blob", screenshots=[dict(good["screenshots"][0], attachment={"name": "e.png", "mime_type": "image/png", "base64": ""})]), "good")
    return f


def doc_id_of(data):
    """The id of a legacy file the program accepted (a regular expression where Python's json cannot read it)."""
    try:
        return json.loads(data.decode("utf-8-sig"))["id"]
    except (ValueError, KeyError, TypeError, RecursionError):
        m = re.search(rb'"id": *"([^"]*)"', data)
        return m.group(1).decode("utf-8", "replace") if m else None


def case_bad(args, prog, checks):
    corpus = Corpus(args)
    work = args.work
    legacy = os.path.join(work, "legacy")
    os.makedirs(legacy)
    neighbours = corpus.files[:30]
    for name in neighbours:
        shutil.copyfile(os.path.join(corpus.legacy, name), os.path.join(legacy, name))
    specs = bad_input_files()
    for name, data, _, _ in specs:
        with open(os.path.join(legacy, name), "wb") as f:
            f.write(data)
    os.makedirs(os.path.join(legacy, "d-directory.json"))  # a directory with a .json name
    with open(os.path.join(legacy, "not-json.txt"), "w") as f:
        f.write('{"id": "not-json-txt", "schema_version": 1}')  # not *.json: never imported

    # The expectation of each document that may migrate, computed one by one (a failure of the
    # expectation tool means the document cannot migrate).
    run, tool = expect_tool(args)
    expected = {d["id"]: d for d in corpus.expected if d["id"] + ".json" in neighbours}
    expected_of_file = {}
    for name, data, category, _ in specs:
        if category not in ("good", "lenient"):
            continue
        one = os.path.join(work, "one", name[:-5])
        os.makedirs(os.path.join(one, "in"))
        with open(os.path.join(one, "in", name), "wb") as fh:
            fh.write(data)
        ok = run(os.path.join(one, "in"), os.path.join(one, "out.jsonl"), os.path.join(one, "blobs"))
        docs = read_jsonl(os.path.join(one, "out.jsonl")) if ok and os.path.exists(os.path.join(one, "out.jsonl")) else []
        if len(docs) == 1:
            expected_of_file[name] = docs[0]
        elif category == "good":
            raise Fatal(f"{tool} fails on the good edge document {name}: fix the test")
    before = tree_state(legacy)

    # Import: refusals named, with their reasons; everything else stored.
    p = prog.run("import", legacy)
    print(f"import: exit {p.returncode}\n{p.err}", flush=True)
    checks.check(p.returncode == 1, f"import with bad files: exit {p.returncode}, expected 1")
    refused = refusals(p.err)
    lines = [l for l in p.err.splitlines() if l.startswith("strata-migrate: refused:")]
    checks.check(len(lines) == len(refused), "import: a file was refused twice")
    imported_names = []
    for name, data, category, keywords in specs:
        reason = refused.get(name)
        if category == "refuse":
            if checks.check(reason is not None, f"import did not refuse {name}"):
                for alternatives in keywords:
                    checks.check(any(k in reason.lower() for k in alternatives),
                                 f"import refused {name} with the reason \"{reason}\", which does not say {alternatives}")
        elif category in ("good", "fail", "skip"):
            checks.check(reason is None, f"import refused {name} ({category}): {reason}")
        if reason is None and category != "skip":
            imported_names.append(name)
    for name in neighbours:
        checks.check(name not in refused, f"import refused the corpus document {name}: {refused.get(name)}")
    checks.check("not-json.txt" not in refused, "import looked at a file that does not end in .json")
    if "d-directory.json" in refused:
        checks.note(f"a directory named d-directory.json is refused: {refused['d-directory.json']}")
    else:
        checks.note("a directory named d-directory.json is skipped silently")
    unknown = set(refused) - {s[0] for s in specs} - {"d-directory.json"}
    checks.check(not unknown, f"import refused files it should not have: {sorted(unknown)}")
    checks.check(tree_state(legacy) == before, "import changed the legacy folder")

    st, _ = prog.json("status", "--json", expect=(0, 1))
    id_of = {name: doc_id_of(data) for name, data, _, _ in specs if name in imported_names}
    stored_ids = set(expected) | set(id_of.values())
    checks.check(st.get("total") == len(stored_ids),
                 f"status after import: total {st.get('total')}, expected {len(stored_ids)} "
                 f"(30 corpus documents and {len(stored_ids) - 30} accepted files)")

    # A second import: nothing new, the same refusals (conflicts included), the rest skipped.
    p2 = prog.run("import", legacy)
    checks.check(p2.returncode == 1 and set(refusals(p2.err)) == set(refused),
                 f"a second import: exit {p2.returncode}, refused {sorted(set(refusals(p2.err)) ^ set(refused))} differently")
    st2, _ = prog.json("status", "--json", expect=(0, 1))
    checks.check(st2.get("total") == st.get("total"), f"a second import changed the total: {st2.get('total')}")

    # get of a good document before migrating (dual read), and of one that cannot migrate.
    p = prog.run("get", "g-unicode")
    if checks.check(p.returncode == 0, f"get g-unicode: exit {p.returncode}: {p.err[-500:]}"):
        d = json_diff(json.loads(p.stdout), expected_of_file["g-unicode.json"])
        checks.check(d is None, f"get g-unicode before migrating differs at {d}")
    p = prog.run("get", "f-base64")
    checks.check(p.returncode == 1 and "f-base64" in p.err and "base64" in p.err.replace("f-base64", ""),
                 f"get of a document that cannot migrate: exit {p.returncode} (expected 1, naming the id and the "
                 f"place), stderr {p.err.strip()[:300]}")

    # Migrate: the failures named with their places, everything else migrated.
    p = prog.run("migrate", "--all", "--batch", "7")
    print(f"migrate: exit {p.returncode}\n" + "\n".join(l for l in p.err.splitlines() if "failed" in l), flush=True)
    checks.check(p.returncode == 1, f"migrate with failing documents: exit {p.returncode}, expected 1")
    failed = failures(p.err)
    must_fail, migrated_ids, any_ids = set(), set(expected), set()

    def names_place(what, text, keywords):
        text = text.lower().replace("_", "")
        for alternatives in keywords:
            checks.check(any(k.replace("_", "") in text for k in alternatives), f"{what}, which does not name {alternatives}")

    for name, data, category, keywords in specs:
        if name in refused:
            if category in ("either", "lenient", "any"):
                checks.note(f"{name}: refused at import: {refused[name]}")
            if category == "either":
                names_place(f"import refused {name}: \"{refused[name]}\"", refused[name], keywords)
            continue
        if name not in imported_names:
            continue
        doc_id = id_of[name]
        f = failed.get(doc_id)
        if category in ("fail", "either"):
            must_fail.add(doc_id)
            if checks.check(f is not None, f"{name} (id {doc_id}) was neither refused at import nor failed by migrate"):
                names_place(f"migrate failed {doc_id} at \"{f[0]}\": \"{f[2]}\"", f[0] + " " + f[2], keywords)
        elif category == "good":
            checks.check(f is None, f"migrate failed the good document {doc_id} ({name}): {f}")
            migrated_ids.add(doc_id)
            expected[doc_id] = expected_of_file[name]
        elif category == "any":
            any_ids.add(doc_id)
            if f is not None:
                must_fail.add(doc_id)
            else:
                migrated_ids.add(doc_id)
            checks.note(f"{name}: " + (f"failed at {f[0]}: {f[2]}" if f else "migrated"))
        elif category == "lenient":
            if f is not None:
                must_fail.add(doc_id)
                checks.note(f"{name}: failed at {f[0]}: {f[2]}")
            elif name in expected_of_file:
                migrated_ids.add(doc_id)
                expected[doc_id] = expected_of_file[name]
                checks.note(f"{name}: migrated")
            else:
                checks.check(False, f"{name} (id {doc_id!r}) migrated, but {tool} cannot migrate it")
    unknown = set(failed) - must_fail
    checks.check(not unknown, f"migrate failed documents it should not have: "
                              f"{ {k: failed[k] for k in sorted(unknown, key=str)} }")
    st, _ = prog.json("status", "--json", expect=(0, 1))
    checks.check(st.get("at_latest") == len(migrated_ids),
                 f"status after migrate: at_latest {st.get('at_latest')}, expected {len(migrated_ids)}")
    checks.check(st.get("failed") == len(failed),
                 f"status after migrate: failed {st.get('failed')}, expected {len(failed)}")
    docs_in_failures = {f.get("document") for f in st.get("failures", [])}
    checks.check(docs_in_failures == set(failed),
                 f"status failures list {sorted(docs_in_failures, key=str)}, migrate reported {sorted(failed, key=str)}")
    for f in st.get("failures", []):
        checks.check(all(k in f for k in ("document", "stage", "path", "error")), f"status failure entry {f} lacks a field")

    # A rerun: the same failures, nothing else happens.
    m, p = prog.json("migrate", "--all", "--json", expect=(1,))
    checks.check(m.get("migrated") == 0 and m.get("failed") == len(failed),
                 f"a rerun of migrate: migrated {m.get('migrated')}, failed {m.get('failed')}, expected 0 and {len(failed)}")
    checks.check({f.get("document") for f in m.get("failures", [])} == set(failed),
                 f"a rerun of migrate --json lists failures {[f.get('document') for f in m.get('failures', [])]}")

    # Export: what can be read, and the others listed.
    out = os.path.join(work, "export.jsonl")
    p = prog.run("export", "--out", out)
    checks.check(p.returncode == 1, f"export with unreadable documents: exit {p.returncode}, expected 1")
    for doc_id in failed:
        checks.check(doc_id in p.err, f"export did not list {doc_id} on stderr")
    exported = [d for d in read_jsonl(out) if d.get("id") not in any_ids]
    compare_docs(checks, "export of the migrated documents", exported, list(expected.values()))
    empty = "sha256:" + hashlib.sha256(b"").hexdigest()
    p = prog.run("blob", empty)
    checks.check(p.returncode == 0 and p.stdout == b"", f"blob of the empty attachment: exit {p.returncode}, "
                                                       f"{len(p.stdout)} bytes: {p.err.strip()[:200]}")

    # The documents that failed are exactly as imported.
    stored = os.path.join(work, "stored")
    p = prog.run("export", "--stored", "--out", stored)
    # Ids that cannot be file names ("e/slash", "../escaped") are listed as failures, not written.
    unwritable = {i for i in stored_ids if isinstance(i, str) and ("/" in i or i in (".", ".."))}
    checks.check(p.returncode == (1 if unwritable else 0) and all(i in failures(p.err) for i in unwritable),
                 f"export --stored: exit {p.returncode}, expected {1 if unwritable else 0} listing exactly "
                 f"{sorted(unwritable)}: {p.err[-500:]}")
    if unwritable:
        checks.note(f"export --stored cannot write the ids {sorted(unwritable)} (they are not file names)")
    for name, data, category, _ in specs:
        doc_id = id_of.get(name)
        if name in imported_names and doc_id in failed and isinstance(doc_id, str):
            path = os.path.join(stored, doc_id + ".json")
            if checks.check(os.path.isfile(path), f"export --stored wrote no {doc_id}.json"):
                with open(path, "rb") as fh:
                    checks.check(fh.read() == data, f"the failed document {doc_id} is no longer as imported")
    checks.check(not os.path.exists(os.path.join(work, "escaped.json")),
                 "export --stored wrote a file outside its --out folder (the id \"../escaped\")")
    checks.check(tree_state(legacy) == before, "the legacy folder changed")
    # verify: "every document decodes", so the failed ones (and only they) are its problems.
    p = prog.run("verify")
    named = {i for i in failed if isinstance(i, str) and i in p.err}
    checks.check(p.returncode == 1 and named == set(failed),
                 f"verify with documents that cannot migrate: exit {p.returncode} (expected 1), names "
                 f"{len(named)} of the {len(failed)} failed documents: {p.err[-800:]}")

    # Unknown ids and hashes.
    p = prog.run("get", "no-such-session")
    checks.check(p.returncode == 1 and "no-such-session" in p.err,
                 f"get of an unknown id: exit {p.returncode} (expected 1), stderr {p.err.strip()[:200]}")
    p = prog.run("blob", "sha256:" + "0" * 64)
    checks.check(p.returncode == 1 and not p.stdout and p.err.strip(),
                 f"blob of an unknown hash: exit {p.returncode} (expected 1), {len(p.stdout)} bytes out, stderr {p.err.strip()[:200]}")
    p = prog.run("blob", "sha256:xyz")
    checks.check(p.returncode in (1, 2) and not p.stdout and p.err.strip(),
                 f"blob of a malformed hash: exit {p.returncode} (expected 1 or 2), stderr {p.err.strip()[:200]}")
    p = prog.run("migrate", "--id", "no-such-session")
    checks.check(p.returncode == 1 and "no-such-session" in p.err,
                 f"migrate --id of an unknown id: exit {p.returncode} (expected 1), stderr {p.err.strip()[:200]}")
    p = prog.run("rollback", "--id", "no-such-session")
    checks.check(p.returncode == 1 and "no-such-session" in p.err,
                 f"rollback --id of an unknown id: exit {p.returncode} (expected 1), stderr {p.err.strip()[:200]}")

    # Usage errors: 2, and nothing happens.
    st_before, _ = prog.json("status", "--json", expect=(0, 1))
    for usage in ([], ["frobnicate"], ["--frobnicate", "status"], ["migrate"], ["migrate", "--all", "--batch", "many"],
                  ["migrate", "--all", "--batch", "-3"], ["list", "--limit", "x"], ["import"], ["get"],
                  ["export"], ["rollback"], ["point"], ["point", "create"], ["search", "--limit", "lots"],
                  ["status", "--jason"], ["verify", "--sample", "abc"], ["backup", "cleanup", "--older-than-days", "x"]):
        p = prog.run(*usage)
        checks.check(p.returncode == 2 and p.err.strip(),
                     f"usage error `strata-migrate {' '.join(usage)}`: exit {p.returncode} (expected 2), stderr {p.err.strip()[:200]!r}")
    p = prog.run("search", "x", "--from", "not-a-date")
    checks.check(p.returncode in (1, 2) and "not-a-date" in p.err,
                 f"search --from not-a-date: exit {p.returncode} (expected 2, or 1), stderr {p.err.strip()[:200]}")
    st_after, _ = prog.json("status", "--json", expect=(0, 1))
    checks.check(st_after == st_before, "a usage error changed the store's status")

    # Stores that cannot be used: 3, with the reason, and nothing written.
    junk = os.path.join(work, "not-sqlite.db")
    with open(junk, "wb") as fh:
        fh.write(b"this is not an SQLite database, and it must stay as it is\n" * 100)
    with open(junk, "rb") as fh:
        junk_bytes = fh.read()
    a_file = os.path.join(work, "a-file")
    with open(a_file, "w") as fh:
        fh.write("x")
    for uri, cmd in ((f"sqlite:/nonexistent-strata-dir/x.db", ["status"]),
                     (f"sqlite:{junk}", ["status"]),
                     (f"sqlite:{junk}", ["import", legacy]),
                     (f"sqlite:{legacy}", ["status"]),
                     (f"dir:{a_file}", ["status"]),
                     (f"dir:{a_file}/sub", ["import", legacy])):
        p = Program(prog.exe, uri).run(*cmd)
        checks.check(p.returncode == 3 and p.err.strip(),
                     f"unusable store `--store {uri} {' '.join(cmd)}`: exit {p.returncode} (expected 3), stderr {p.err.strip()[:200]!r}")
    with open(junk, "rb") as fh:
        checks.check(fh.read() == junk_bytes, "a file that is not SQLite was changed")
    checks.check(tree_state(legacy) == before, "the legacy folder changed")
    p = Program(prog.exe, "bogus:whatever").run("status")
    checks.check(p.returncode in (2, 3) and p.err.strip(),
                 f"an unknown store scheme: exit {p.returncode} (expected 2 or 3), stderr {p.err.strip()[:200]!r}")


# ----------------------------------------------------------------------------------------------
# search

TOKEN = re.compile(rb"[0-9A-Za-z\x80-\xff]+")
MAX_TOKEN = 64


def tokens(text):
    """The index's tokenizer: split on bytes that are not ASCII letters/digits (bytes >= 0x80 are
    word bytes), fold ASCII case, cut at 64 bytes on a UTF-8 boundary."""
    out = []
    for m in TOKEN.finditer(text.encode("utf-8")):
        t = m.group(0)
        if len(t) > MAX_TOKEN:
            cut = MAX_TOKEN
            while cut > 0 and (t[cut] & 0xC0) == 0x80:
                cut -= 1
            t = t[:cut]
        out.append(t.lower())  # bytes.lower() folds ASCII only
    return out


def iso_ms(text):
    from datetime import datetime, timezone
    if len(text) == 10:
        return int(datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp() * 1000)
    if text.endswith("Z"):
        return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() * 1000)
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").timestamp() * 1000)


class BruteForce:
    def __init__(self, docs):
        self.docs = {}
        for d in docs:
            texts = [d.get("name"), d.get("description")]
            texts += [s.get("aiAnalysis") for s in d.get("screenshots", [])]
            texts += [a.get("transcription") for a in d.get("audioSegments", [])]
            for k in ("summary", "audioInsights"):
                if isinstance(d.get(k), dict):
                    texts.append(d[k].get("narrative"))
            terms = set()
            for t in texts:
                if isinstance(t, str):
                    terms.update(tokens(t))
            self.docs[d["id"]] = {"terms": terms, "tags": set(d.get("tags", [])), "status": {d.get("status")},
                                  "start": iso_ms(d["startTime"]) if d.get("startTime") else None}

    def search(self, words, tags=(), from_=None, to=None, any_=False):
        clauses = []
        for w in words:
            prefix = w.endswith("*")
            toks = tokens(w[:-1] if prefix else w)
            for i, t in enumerate(toks):
                clauses.append((t, prefix and i + 1 == len(toks)))
        lo = iso_ms(from_) if from_ else None
        hi = (iso_ms(to) + (86_400_000 - 1 if len(to) == 10 else 0)) if to else None
        out = set()
        for i, d in self.docs.items():
            def match(c):
                t, pre = c
                return any(x.startswith(t) for x in d["terms"]) if pre else t in d["terms"]
            if clauses:
                hits = [match(c) for c in clauses]
                if not (any(hits) if any_ else all(hits)):
                    continue
            ok = True
            for field, value in tags:
                if value not in d[field]:
                    ok = False
            if lo is not None and (d["start"] is None or d["start"] < lo):
                ok = False
            if hi is not None and (d["start"] is None or d["start"] > hi):
                ok = False
            if ok:
                out.add(i)
        return out


LONG_ASCII = "Supercalifragilistic" * 4 + "X"   # 81 bytes: indexed as its first 64, folded
LONG_UTF8 = "\u00e9" * 40 + "z"                  # 81 bytes: cut at 64 on a character boundary


def search_extras():
    """Hand-made documents whose words are rare, for selective queries and the tokenizer's edges."""
    docs = [
        v1_doc("x-cafe", name="Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e", description="Re-Compile the parser_v2 now!!",
               labels="Mixed Case, \u00c9t\u00e9", start_time="2024-12-31T23:59:59Z", end_time=None, status="active"),
        v1_doc("x-long", name=LONG_ASCII, description=LONG_UTF8 + " tail", start_time="2025-01-01T00:00:00Z"),
        v1_doc("x-zebra", summary={"narrative": "a zebra, then x-ray"}, audio_insights={"narrative": "quokka"},
               start_time="2025-12-31T23:59:59Z", end_time="2026-01-01T00:30:00Z", labels="zoo"),
        v1_doc("x-naive", audio_segments=[{"id": "a0", "timestamp": "2025-03-01T10:01:00Z", "duration_ms": 5,
                                           "transcription": "na\u00efve CAF\u00c9 12345 v2"}], labels="zoo,Mixed Case"),
        v1_doc("x-shot", screenshots=[dict(v1_doc("x")["screenshots"][0], ai_analysis="quokka selfie")]),
    ]
    return docs


def case_search(args, prog, checks):
    corpus = Corpus(args)
    legacy, expected = corpus.legacy, corpus.expected
    n = len(expected)
    prog.ok("import", legacy)
    extras = os.path.join(args.work, "extras")
    os.makedirs(extras)
    for d in search_extras():
        with open(os.path.join(extras, d["id"] + ".json"), "wb") as f:
            f.write(dumps(d))
    prog.ok("import", extras)
    everything = ["--limit", "1000000", "--json"]

    # Only migrated documents are searchable.
    early = sorted(d["id"] for d in expected)[:3]
    r, _ = prog.json("search", *everything)
    checks.check(r.get("total") == 0 and not r.get("hits"), f"search before migrating finds {r.get('total')} documents")
    prog.ok("migrate", "--id", *early)
    r, _ = prog.json("search", *everything)
    checks.check(sorted(h["id"] for h in r.get("hits", [])) == early,
                 f"search after `migrate --id {' '.join(early)}` finds {[h['id'] for h in r.get('hits', [])][:10]}")
    prog.ok("migrate", "--all")
    out = os.path.join(args.work, "export.jsonl")
    prog.ok("export", "--out", out)
    docs = read_jsonl(out)
    compare_docs(checks, "export", [d for d in docs if not d["id"].startswith("x-")], expected)
    bf = BruteForce(docs)

    # Terms: the commonest, a middle one and the rarest of the corpus, plus one that is absent.
    df = {}
    for d in bf.docs.values():
        for t in d["terms"]:
            df[t] = df.get(t, 0) + 1
    by_df = sorted(df, key=lambda t: (df[t], t))
    rare, middle, common = by_df[0].decode(), by_df[len(by_df) // 2].decode(), by_df[-1].decode()
    queries = [
        [common], [middle], [rare], ["zzzznotaword"], [common.upper()],
        [common, middle], [middle, rare], ["review", "cache"], ["REVIEW", "cache", "deploy"],
        ["migration", "rollback", "chunk"], ["coding-REVIEW"],
        ["review", "cache", "--any"], [rare, "zzzznotaword", "--any"], ["parser", "budget", "notes", "--any"],
        ["mig*"], ["re*"], ["r*"], ["re*", "cache"], ["zzz*"], ["Ca*", "--any", "budget"],
        ["--tag", "work"], ["--tag", "client-x"], ["--tag", "deep work"], ["--tag", "q4"], ["--tag", "Q4"],
        ["--tag", "status=completed"], ["--tag", "work", "--tag", "urgent"], ["--tag", "tags=review"],
        ["review", "--tag", "work"], ["--tag", "status=active", "--tag", "focus"],
        ["--from", "2025-03-01"], ["--to", "2025-03-01"], ["--from", "2025-03-01", "--to", "2025-05-31"],
        ["--from", "2025-04-10T12:00:00Z", "--to", "2025-04-20T00:00:00Z"], ["--from", "2026-01-01"],
        ["cache", "--from", "2025-02-01", "--to", "2025-06-30", "--tag", "work"],
        ["sprint", "plan*", "--any", "--to", "2025-02-15"],
        # The hand-made documents: UTF-8 words, case, long words, punctuation, rare terms, day edges.
        ["caf\u00e9"], ["CAF\u00c9"], ["Caf\u00e9"], ["caf*"], ["cr\u00e8*"], ["compile"], ["Re-Compile"], ["v2"],
        ["parser_v2"], ["12345"], ["the"], ["x-ray"], ["na\u00efve"], ["zebra", "quokka"], ["zebra", "quokka", "--any"],
        ["quokka"], ["selfie", "--any", "zebra"], [LONG_ASCII], [LONG_ASCII[:64]], [LONG_ASCII[:64] + "ZZZ"],
        [LONG_ASCII[:30] + "*"], [LONG_UTF8], [LONG_UTF8[:32]], [LONG_UTF8[:20] + "*"],
        ["--tag", "mixed case"], ["--tag", "Mixed Case"], ["--tag", "\u00c9t\u00e9"], ["--tag", "\u00e9t\u00e9"],
        ["--tag", "zoo", "--tag", "mixed case"], ["quokka", "--tag", "zoo"],
        ["--to", "2024-12-31"], ["--from", "2024-12-31T23:59:59Z", "--to", "2024-12-31T23:59:59Z"],
        ["--from", "2025-12-31"], ["--from", "2025-01-01", "--to", "2025-01-01T00:00:00Z"],
        ["--from", "2025-01-01T01:00:00+01:00", "--to", "2025-01-01"],
    ]
    for q in queries:
        words, tags, from_, to, any_ = [], [], None, None, False
        i = 0
        while i < len(q):
            a = q[i]
            if a == "--tag":
                v = q[i + 1]
                tags.append(("status", v.split("=", 1)[1]) if v.startswith("status=") else
                            ("tags", v.split("=", 1)[1] if v.startswith("tags=") else v))
                i += 1
            elif a == "--from":
                from_ = q[i + 1]
                i += 1
            elif a == "--to":
                to = q[i + 1]
                i += 1
            elif a == "--any":
                any_ = True
            else:
                words.append(a)
            i += 1
        want = bf.search(words, tags, from_, to, any_)
        r, _ = prog.json("search", *q, *everything)
        got = [h["id"] for h in r.get("hits", [])]
        checks.check(set(got) == want and len(got) == len(want) and r.get("total") == len(want),
                     f"search {' '.join(q)}: {len(got)} hits (total {r.get('total')}), the scan finds {len(want)}; "
                     f"only in search {sorted(set(got) - want)[:5]}, only in the scan {sorted(want - set(got))[:5]}")
        scores = [h.get("score") for h in r.get("hits", [])]
        checks.check(all(isinstance(s, (int, float)) for s in scores) and scores == sorted(scores, reverse=True),
                     f"search {' '.join(q)}: hits not in descending score order")
        if words and len(got) > 5:
            r5, _ = prog.json("search", *q, "--json", "--limit", "5")
            checks.check([h["id"] for h in r5.get("hits", [])] == got[:5] and r5.get("total") == len(want),
                         f"search {' '.join(q)} --limit 5: {[h['id'] for h in r5.get('hits', [])]}, total {r5.get('total')}; "
                         f"expected the first 5 of the full list and total {len(want)}")
        print(f"search {' '.join(q)}: {len(want)} hits", flush=True)
    r, _ = prog.json("search", common, "--json")
    checks.check(len(r.get("hits", [])) == min(20, len(bf.search([common]))), "search: the default limit is not 20")

    # After rolling a document back, search no longer finds it (a note: the contract is silent).
    victim = early[0]
    prog.ok("rollback", "--id", victim)
    r, _ = prog.json("search", *everything)
    if victim in {h["id"] for h in r.get("hits", [])}:
        checks.note(f"search still finds {victim} after `rollback --id {victim}`")
    p = prog.run("verify")
    checks.check(p.returncode == 0, f"verify after rollback --id {victim}: exit {p.returncode}: {p.err[-500:]}")
    checks.check(n + len(search_extras()) == len(docs), f"export: {len(docs)} documents, expected {n} + extras")


# ----------------------------------------------------------------------------------------------
# dry run

def case_dryrun(args, prog, checks):
    corpus = Corpus(args)
    legacy, expected = subset(corpus, os.path.join(args.work, "part"), args.subset)
    shots = v1_doc("x")["screenshots"]
    shots[1]["attachment"]["base64"] = "***"
    with open(os.path.join(legacy, "zz-bad-base64.json"), "wb") as f:
        f.write(dumps(v1_doc("zz-bad-base64", screenshots=shots)))
    n = len(expected)
    prog.ok("import", legacy)
    st0, _ = prog.json("status", "--json")
    list0, _ = prog.json("list", "--json", "--limit", 1000000)
    stored0 = os.path.join(args.work, "stored0")
    prog.ok("export", "--stored", "--out", stored0)

    dry, p = prog.json("migrate", "--all", "--dry-run", "--json", expect=(0, 1))
    print(f"dry run: exit {p.returncode}, {dry}")
    checks.check(p.returncode == 1, f"a dry run with a failing document: exit {p.returncode}, expected 1")
    checks.check(dry.get("dry_run") is True, f"migrate --dry-run --json: dry_run {dry.get('dry_run')}")
    checks.check(dry.get("migrated") == n and dry.get("failed") == 1,
                 f"dry run: migrated {dry.get('migrated')}, failed {dry.get('failed')}, expected {n} and 1")
    checks.check([f.get("document") for f in dry.get("failures", [])] == ["zz-bad-base64"],
                 f"dry run failures: {dry.get('failures')}")
    st1, _ = prog.json("status", "--json", expect=(0, 1))
    for key in ("total", "per_version", "at_latest", "failed", "backups", "points", "run_in_progress"):
        checks.check(st1.get(key) == st0.get(key), f"the dry run changed status {key}: {st0.get(key)} -> {st1.get(key)}")
    list1, _ = prog.json("list", "--json", "--limit", 1000000)
    checks.check(list1 == list0, "the dry run changed `list --json`")
    stored1 = os.path.join(args.work, "stored1")
    prog.ok("export", "--stored", "--out", stored1)
    checks.check(tree_state_contents(stored0) == tree_state_contents(stored1), "the dry run changed stored bytes")
    r, _ = prog.json("search", "--json", "--limit", "1000000")
    checks.check(r.get("total") == 0, f"the dry run indexed {r.get('total')} documents")

    real, p = prog.json("migrate", "--all", "--json", expect=(0, 1))
    print(f"real run: exit {p.returncode}, {real}")
    checks.check(p.returncode == 1, f"the real run with a failing document: exit {p.returncode}, expected 1")
    for key in ("migrated", "skipped", "failed"):
        checks.check(real.get(key) == dry.get(key), f"{key}: {dry.get(key)} in the dry run, {real.get(key)} in the real run")
    checks.check(real.get("dry_run") is False, f"the real run says dry_run {real.get('dry_run')}")
    checks.check([(f.get("document"), f.get("path")) for f in real.get("failures", [])]
                 == [(f.get("document"), f.get("path")) for f in dry.get("failures", [])],
                 f"failures differ: dry run {dry.get('failures')}, real run {real.get('failures')}")
    for key in ("bytes_in", "bytes_out", "blobs_new", "blobs_deduplicated"):
        if real.get(key) != dry.get(key):
            checks.note(f"{key}: {dry.get(key)} in the dry run, {real.get(key)} in the real run")
    st2, _ = prog.json("status", "--json", expect=(0, 1))
    checks.check(st2.get("at_latest") == n and st2.get("failed") == 1,
                 f"status after the real run: at_latest {st2.get('at_latest')}, failed {st2.get('failed')}")
    out = os.path.join(args.work, "export.jsonl")
    prog.run("export", "--out", out)
    compare_docs(checks, "export", read_jsonl(out), expected)
    # A dry run after the real one: nothing left to migrate.
    again, _ = prog.json("migrate", "--all", "--dry-run", "--json", expect=(0, 1))
    checks.check(again.get("migrated") == 0 and again.get("failed") == 1,
                 f"a dry run after the real run: migrated {again.get('migrated')}, failed {again.get('failed')}")


def tree_state_contents(root):
    return {k: (v[0], v[1], v[3]) if v[0] == "file" else v for k, v in tree_state(root).items()}


# ----------------------------------------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--program")
    ap.add_argument("--case", required=True, choices=("corpus", "oracle", "crash", "bad", "search", "dryrun"))
    ap.add_argument("--store", choices=("sqlite", "dir"), default="sqlite")
    ap.add_argument("--work")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--subset", type=int, default=150, help="documents of the corpus the dryrun case uses")
    ap.add_argument("--docs", type=int, default=0,
                    help="use only the first N documents of the corpus (default: all)")
    ap.add_argument("--oracle")
    ap.add_argument("--generator")
    ap.add_argument("--upgrade")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    try:
        if args.case == "corpus":
            return case_corpus(args)
        fresh(args.work)
        prog = Program(os.path.abspath(args.program), store_uri(args.store, args.work))
        checks = Checks()
        try:
            {"oracle": case_oracle, "crash": case_crash, "bad": case_bad, "search": case_search,
             "dryrun": case_dryrun}[args.case](args, prog, checks)
        except Fatal as e:
            checks.check(False, f"stopped: {e}")
        return checks.result(f"{args.case} on {args.store} ({time.monotonic() - t0:.1f} s)")
    except Fatal as e:
        print("FAILED:", e)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
