#!/usr/bin/env python3
"""Checks a store written by examples/sessions/generate_sessions against the reference
"sessions" corpus tool (the oracle, sessions.py).

  sessions_corpus_check.py DIR SESSIONS_PY [--big K] [--seed S] [--v2-share F]

DIR must hold the output of `generate_sessions --out DIR ...`; --big and --v2-share must be
the values it was run with (defaults: the generator's, 2 and 0.1). The check:

  1. every DIR/*.json is UTF-8 JSON, named after its "id";
  2. layout: odd-numbered documents are indented with one space per level and the others are
     compact, exactly as json.dumps(..., ensure_ascii=False, indent=1 or None) lays them out;
  3. the oracle accepts the store: `sessions.py expect --in DIR` succeeds, and sessions.py,
     loaded as a module, upgrades every document with to_latest() to schemaVersion 3;
     v1 and v2 documents are well-formed (version first, v2 keys already camelCase, tags in
     canonical form, folder "inbox");
  4. shape: the set of (path, key order) and (path, value type) seen in DIR equals the one in a
     reference store written by `sessions.py gen` (same key names and order at every depth,
     same nullable fields); the reference has the same count, but at least 200 documents;
  5. statistics: DIR and the first `count` reference documents are compared within loose
     bounds (shares of v2 and of version-less documents, screenshots per ordinary document,
     attachment size, ...), and the comparison is printed as a table.

Exits 0 when everything holds, 1 on any mismatch, 2 on a usage error. Python 3 stdlib only.
"""
import argparse
import base64
import hashlib
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import tempfile

ID_RE = re.compile(r"^session-(\d{6,})$")


def load_module(path):
    spec = importlib.util.spec_from_file_location("sessions_oracle", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_store(directory, errors):
    """[(index, text, doc)] sorted by index; problems are appended to errors."""
    docs = []
    names = sorted(n for n in os.listdir(directory) if n.endswith(".json"))
    for name in names:
        path = os.path.join(directory, name)
        try:
            with open(path, "rb") as f:
                text = f.read().decode("utf-8")
            doc = json.loads(text)
        except (UnicodeDecodeError, ValueError) as e:
            errors.append(f"{name}: not UTF-8 JSON: {e}")
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
            errors.append(f"{name}: not an object with a string id")
            continue
        m = ID_RE.match(doc["id"])
        if not m or name != doc["id"] + ".json":
            errors.append(f"{name}: id {doc['id']!r} does not match the file name")
            continue
        docs.append((int(m.group(1)), text, doc))
    docs.sort(key=lambda t: t[0])
    return docs


def type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return {str: "str", float: "float", list: "array", dict: "object"}[type(value)]


def collect_shape(value, path, keys, types, version):
    if isinstance(value, dict):
        keys.add((version, path, tuple(value)))
        for k, v in value.items():
            types.add((version, path + "/" + k, type_name(v)))
            collect_shape(v, path + "/" + k, keys, types, version)
    elif isinstance(value, list):
        for v in value:
            types.add((version, path + "/[]", type_name(v)))
            collect_shape(v, path + "/[]", keys, types, version)


def check_document(oracle, index, text, doc, errors):
    name = doc["id"]
    expected_layout = json.dumps(doc, ensure_ascii=False, indent=1 if index % 2 else None)
    if text != expected_layout:
        errors.append(f"{name}: layout differs from json.dumps(indent={1 if index % 2 else None})")
    first = next(iter(doc))
    if "schemaVersion" in doc:
        if doc["schemaVersion"] != 2 or first != "schemaVersion":
            errors.append(f"{name}: v2 document must start with schemaVersion: 2")
        for k in ("schema_version", "labels"):
            if k in doc:
                errors.append(f"{name}: v2 document still has {k!r}")
        bad = []

        def walk(v):
            if isinstance(v, dict):
                bad.extend(k for k in v if oracle.camel(k) != k)
                for x in v.values():
                    walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)

        walk(doc)
        if bad:
            errors.append(f"{name}: v2 keys not in camelCase: {sorted(set(bad))}")
        tags = doc.get("tags")
        if (not isinstance(tags, list) or len(set(tags)) != len(tags)
                or any(not t or oracle._ascii_lower(t.strip(" ")) != t for t in tags)):
            errors.append(f"{name}: tags not in canonical form: {tags!r}")
        if doc.get("folder") != "inbox" or list(doc)[-2:] != ["tags", "folder"]:
            errors.append(f"{name}: v2 document must end with tags, folder: \"inbox\"")
    elif "schema_version" in doc:
        if doc["schema_version"] != 1 or first != "schema_version":
            errors.append(f"{name}: v1 document must start with schema_version: 1")
    try:
        latest, _ = oracle.to_latest(doc)
        if latest.get("schemaVersion") != 3 or "base64" in json.dumps(latest):
            errors.append(f"{name}: to_latest did not give a v3 document")
    except Exception as e:  # noqa: BLE001 - any failure of the oracle is a finding
        errors.append(f"{name}: to_latest failed: {type(e).__name__}: {e}")


class Stats:
    """Per-store measurements: each metric is a list of samples (0/1 for shares)."""

    def __init__(self, docs, big):
        self.samples = {}
        self.ranges = {}
        seen_blobs = set()
        for index, text, doc in docs:
            is_big = index < big
            shots = doc.get("screenshots", [])
            audio = doc.get("audio_segments", doc.get("audioSegments", []))
            video = doc.get("video_chunks", doc.get("videoChunks", []))
            self.add("share of v2 documents", "share", int("schemaVersion" in doc))
            self.add("share without a version field", "share",
                     int("schemaVersion" not in doc and "schema_version" not in doc))
            self.add("share with endTime null", "share",
                     int(doc.get("end_time", doc.get("endTime")) is None))
            self.add("share with a summary", "share", int(doc.get("summary") is not None))
            self.add("share with audio insights", "share",
                     int(doc.get("audio_insights", doc.get("audioInsights")) is not None))
            for shot in shots:
                data = base64.b64decode(shot["attachment"]["base64"], validate=True)
                self.add("mean attachment bytes", "mean", len(data))
                digest = hashlib.sha256(data).digest()
                self.add("share of repeated attachments", "share", int(digest in seen_blobs))
                seen_blobs.add(digest)
            if is_big:
                self.span("screenshots per big document", len(shots))
                self.span("audio segments per big document", len(audio))
            else:
                self.add("mean screenshots (non-big)", "mean", len(shots))
                self.add("mean audio segments (non-big)", "mean", len(audio))
                self.add("mean bytes per document (non-big)", "mean", len(text.encode("utf-8")))
                self.span("screenshots per document (non-big)", len(shots))
                self.span("audio segments per document (non-big)", len(audio))
            self.add("mean video chunks", "mean", len(video))
            self.span("video chunks per document", len(video))
        self.distinct_blobs = len(seen_blobs)

    def add(self, name, kind, value):
        self.samples.setdefault(name, (kind, []))[1].append(value)

    def span(self, name, value):
        lo, hi, n = self.ranges.get(name, (value, value, 0))
        self.ranges[name] = (min(lo, value), max(hi, value), n + 1)


def mean_var(values):
    n = len(values)
    m = sum(values) / n
    return m, (sum((v - m) ** 2 for v in values) / (n - 1) if n > 1 else 0.0)


# Loose bounds: the larger of a fixed floor and 4 standard errors of the difference. The floor
# for attachment size is wide because both stores draw their own pool of 32 blobs, whose mean
# size alone varies by ~10 %.
FLOORS = {
    "share of v2 documents": ("abs", 0.03),
    "share without a version field": ("abs", 0.03),
    "mean screenshots (non-big)": ("abs", 0.5),
    "mean attachment bytes": ("rel", 0.30),
    "share of repeated attachments": ("abs", 0.05),
    "mean audio segments (non-big)": ("abs", 1.0),
    "mean video chunks": ("abs", 0.3),
    "share with endTime null": ("abs", 0.05),
    "share with a summary": ("abs", 0.05),
    "share with audio insights": ("abs", 0.05),
    "mean bytes per document (non-big)": ("rel", 0.30),
}


def compare(ours, ref, count):
    rows, failures = [], []
    for name, (floor_kind, floor) in FLOORS.items():
        a = ours.samples.get(name, ("", []))[1]
        b = ref.samples.get(name, ("", []))[1]
        if not a or not b:
            rows.append((name, "-" if not a else f"{mean_var(a)[0]:.4g}",
                         "-" if not b else f"{mean_var(b)[0]:.4g}", "", "", "skipped"))
            continue
        (ma, va), (mb, vb) = mean_var(a), mean_var(b)
        if ours.samples[name][0] == "share":  # binomial: pooled p(1-p)
            p = (sum(a) + sum(b)) / (len(a) + len(b))
            va = vb = p * (1 - p)
        se = math.sqrt(va / len(a) + vb / len(b))
        tol = max(floor * abs(mb) if floor_kind == "rel" else floor, 4 * se)
        if min(len(a), len(b)) < 20:  # too few samples to mean anything
            rows.append((name, f"{ma:.4g}", f"{mb:.4g}", f"{ma - mb:+.3g}", "", "too few"))
            continue
        ok = abs(ma - mb) <= tol
        rows.append((name, f"{ma:.4g}", f"{mb:.4g}", f"{ma - mb:+.3g}", f"±{tol:.3g}",
                     "ok" if ok else "MISMATCH"))
        if not ok:
            failures.append(f"{name}: {ma:.4g} vs reference {mb:.4g} (tolerance ±{tol:.3g})")
    fmt = lambda r: "-" if r is None else f"{r[0]}..{r[1]}"  # noqa: E731
    for name in sorted(set(ours.ranges) | set(ref.ranges)):
        a, b = ours.ranges.get(name), ref.ranges.get(name)
        # An observed range only estimates the true one when the reference has many samples;
        # the few big documents are checked below instead.
        if a is None or b is None or b[2] < 200:
            rows.append((name, fmt(a), fmt(b), "", "", "info"))
            continue
        ok = b[0] <= a[0] and a[1] <= b[1]
        rows.append((name, fmt(a), fmt(b), "", "within", "ok" if ok else "MISMATCH"))
        if not ok:
            failures.append(f"{name}: range {fmt(a)} outside reference {fmt(b)}")
    # Big documents must stand out: more items than any ordinary document of the reference.
    for big_name, small_name in (("screenshots per big document",
                                  "screenshots per document (non-big)"),
                                 ("audio segments per big document",
                                  "audio segments per document (non-big)")):
        a, b = ours.ranges.get(big_name), ref.ranges.get(small_name)
        if a is None or b is None:
            continue
        ok = a[0] > b[1]
        rows.append((big_name + " > ordinary", f"min {a[0]}", f"max {b[1]}", "", "above",
                     "ok" if ok else "MISMATCH"))
        if not ok:
            failures.append(f"{big_name}: {fmt(a)} is not above the ordinary maximum {b[1]}")
    return rows, failures


def print_table(rows):
    head = ("metric", "generated", "reference", "diff", "tolerance", "")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    print(line(head))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", help="directory written by generate_sessions")
    p.add_argument("sessions_py", help="path to the reference sessions.py")
    p.add_argument("--big", type=int, default=2, help="--big given to generate_sessions")
    p.add_argument("--v2-share", type=float, default=0.1, help="--v2-share given to it")
    p.add_argument("--seed", type=int, default=42, help="seed for the reference store")
    a = p.parse_args(argv)
    if not os.path.isdir(a.dir):
        p.error(f"{a.dir} is not a directory")
    if not os.path.isfile(a.sessions_py):
        p.error(f"{a.sessions_py} is not a file")

    errors = []
    oracle = load_module(a.sessions_py)
    docs = load_store(a.dir, errors)
    if not docs:
        print(f"FAIL: no documents in {a.dir}")
        return 1
    count = len(docs)
    indices = [d[0] for d in docs]
    if indices != list(range(count)):
        errors.append(f"ids are not session-000000 .. session-{count - 1:06d}")

    for index, text, doc in docs:
        check_document(oracle, index, text, doc, errors)

    with tempfile.TemporaryDirectory(prefix="sessions_check_") as tmp:
        expect = subprocess.run([sys.executable, a.sessions_py, "expect", "--in", a.dir,
                                 "--out", os.path.join(tmp, "expect.jsonl")],
                                capture_output=True, text=True)
        if expect.returncode != 0:
            last = (expect.stderr.strip().splitlines() or ["no message"])[-1]
            errors.append(f"sessions.py expect failed ({expect.returncode}): {last}")
        ref_dir = os.path.join(tmp, "reference")
        # At least 200 reference documents, so that every shape shows up; the statistics
        # use the first `count` of them.
        gen = subprocess.run([sys.executable, a.sessions_py, "gen", "--out", ref_dir,
                              "--count", str(max(count, 200)), "--seed", str(a.seed), "--big", str(a.big),
                              "--v2-share", str(a.v2_share)], capture_output=True, text=True)
        if gen.returncode != 0:
            print(f"FAIL: sessions.py gen failed: {gen.stderr.strip()[-2000:]}")
            return 1
        ref_errors = []
        ref_docs = load_store(ref_dir, ref_errors)
        if ref_errors:
            print("FAIL: the reference store does not load: " + "; ".join(ref_errors[:5]))
            return 1

    # Shape: (path, key order) and (path, type), separately for v1 and v2 documents.
    shapes = []
    for store in (docs, ref_docs):
        keys, types = set(), set()
        for _, _, doc in store:
            version = 2 if "schemaVersion" in doc else 1
            collect_shape(doc, "", keys, types, version)
        shapes.append((keys, types))
    for what, ours_set, ref_set in (("key order", shapes[0][0], shapes[1][0]),
                                    ("value type", shapes[0][1], shapes[1][1])):
        extra, missing = ours_set - ref_set, ref_set - ours_set
        if extra:
            errors.append(f"{what}: not in the reference: {sorted(extra)[:5]}")
        if missing and count >= 200:  # a small store may not show every combination
            errors.append(f"{what}: reference has, generated lacks: {sorted(missing)[:5]}")

    ours, ref = Stats(docs, a.big), Stats(ref_docs[:count], a.big)
    rows, failures = compare(ours, ref, count)
    print(f"{count} generated documents in {a.dir} vs {count} from "
          f"sessions.py gen --seed {a.seed} --big {a.big} --v2-share {a.v2_share}")
    print_table(rows)
    print(f"distinct attachments: generated {ours.distinct_blobs}, reference {ref.distinct_blobs}")
    errors.extend(failures)
    if errors:
        print(f"\nFAIL: {len(errors)} problem(s)")
        for e in errors[:40]:
            print("  " + e)
        if len(errors) > 40:
            print(f"  ... and {len(errors) - 40} more")
        return 1
    print("\nOK: every document parses, the oracle accepts the store, shapes and statistics match")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
