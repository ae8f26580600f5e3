"""Precision at scale: the de-dup engine on more records than any one labelled set holds.

    .venv/bin/python bench/dedup_scale.py                  # both runs, 100,000 records
    .venv/bin/python bench/dedup_scale.py --records 20000  # a smaller scaled file
    .venv/bin/python bench/dedup_bench.py --scale          # after the per-set table
    DATABASE_URL=postgres://... .venv/bin/python bench/dedup_scale.py --app 100000 250000
                                                           # through the app (dedup_scale_app)

Two runs, each in a fresh Python process so that its peak memory is its own:

* **concatenated**: the four labelled sets of ../shared/data/bib-dedupe-benchmark in one
  input (6,540 records). The truth is the union of the four truths; a pair merged across two
  sets counts as false.
* **scaled**: a file of ``--records`` records (default 100,000) built by repeating the real
  records in parallel *copies*. Copy 0 is the four sets as they are. Every further copy is the
  same searches in another vocabulary: each title word of four or more letters and each
  capitalised name part is replaced through a word map of its own (seeded per copy, the same
  word always becoming the same word, so duplicates inside a copy stay duplicates), every DOI
  gets a suffix of its own, and every volume number grows by 100 per copy (two works cannot
  share a volume and a page range); journals, issues, pages and years stay as they are. So
  every journal, year and page recurs in every copy, recurring titles ("Editorial", "Reply",
  "Erratum"... kept as they are) differ only in their names, and no record of one copy is a
  duplicate of any record of another: every pair merged across copies is a false merge. The
  truth inside a copy is the labelled truth.

Reported per run: records, true pairs, pairs found, false merges (pairs, and the clusters
holding them), precision, recall, review-queue size, seconds and CPU seconds of
``find_duplicates``, and peak resident memory of the process (with the memory it had already
used to hold the records before de-duplication started).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import re
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / ".." / "shared" / "data" / "bib-dedupe-benchmark"
DATASETS = ["stroke", "haematology", "respiratory", "diabetes"]
# words a recurring item is named by: kept in every copy, so copies share them
KEEP = {"editorial", "editorials", "erratum", "errata", "reply", "response", "comment",
        "comments", "letter", "letters", "correction", "corrections", "introduction",
        "review", "reviews", "abstract", "abstracts", "commentary", "editor", "editors",
        "preface", "foreword", "news", "notes", "with", "from", "into", "after", "that",
        "this", "their", "during", "between", "versus", "without"}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]{4,}")
_NAME = re.compile(r"[A-Z][a-z'’-]+")
_VOLUME = re.compile(r"\s*(\d+)(.*)$", re.S)

sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def labelled_sets() -> tuple[list[dict], list[set[str]]]:
    """The four sets as one input (ids prefixed by set), and the union of their truths."""
    from dedup_bench import load_records, true_groups

    records: list[dict] = []
    truth: list[set[str]] = []
    for name in DATASETS:
        recs, _ = load_records(DATA / name / "records_pre_merged.csv")
        for rec in recs:
            rec = {k: v for k, v in rec.items() if k != "abstract"}  # never read by the engine
            rec["id"] = f"{name}:{rec['id']}"
            records.append(rec)
        truth += [{f"{name}:{i}" for i in g} for g in true_groups(DATA / name)]
    return records, truth


def _case_like(model: str, word: str) -> str:
    if model.isupper():
        return word.upper()
    if model[:1].isupper():
        return word.capitalize()
    return word


def _mapper(vocabulary: list[str], rng: random.Random):
    """A word map: every word of `vocabulary` becomes another word of it, the same every time."""
    shuffled = vocabulary[:]
    rng.shuffle(shuffled)
    table = dict(zip(vocabulary, shuffled, strict=True))

    def replace(m: re.Match) -> str:
        word = m.group(0)
        key = word.lower()
        if key in KEEP or key not in table:
            return word
        return _case_like(word, table[key])

    return replace


def _vocabularies(records: list[dict]) -> tuple[list[str], list[str]]:
    words, names = set(), set()
    for rec in records:
        for field in ("title", "title_alt"):
            words.update(w.lower() for w in _WORD.findall(str(rec.get(field) or "")))
        authors = rec.get("authors") or []
        for name in [authors] if isinstance(authors, str) else authors:
            names.update(n.lower() for n in _NAME.findall(str(name)))
    return sorted(words - KEEP), sorted(names)


def _copy(records: list[dict], k: int, words: list[str], names: list[str]) -> list[dict]:
    rng = random.Random(k)
    title_map, name_map = _mapper(words, rng), _mapper(names, rng)
    out = []
    for rec in records:
        new = dict(rec, id=f"c{k}:{rec['id']}")
        for field in ("title", "title_alt"):
            if new.get(field):
                new[field] = _WORD.sub(title_map, str(new[field]))
        authors = new.get("authors") or []
        if isinstance(authors, str):
            new["authors"] = _NAME.sub(name_map, authors)
        else:
            new["authors"] = [_NAME.sub(name_map, str(a)) for a in authors]
        if new.get("doi"):
            new["doi"] = f"{str(new['doi']).strip()}.c{k}"
        volume = _VOLUME.match(str(new.get("volume") or ""))
        if volume:
            new["volume"] = f"{int(volume.group(1)) + 100 * k}{volume.group(2)}"
        out.append(new)
    return out


def scaled(n: int) -> tuple[list[dict], list[set[str]]]:
    """``n`` records in parallel copies of the labelled sets (see the module docstring)."""
    base, base_truth = labelled_sets()
    words, names = _vocabularies(base)
    records: list[dict] = []
    truth: list[set[str]] = []
    k = 0
    while len(records) < n:
        part = [dict(r, id=f"c0:{r['id']}") for r in base] if k == 0 else None
        part = part or _copy(base, k, words, names)
        part = part[: n - len(records)]
        kept = {r["id"] for r in part}
        records += part
        for group in base_truth:
            g = {f"c{k}:{i}" for i in group} & kept
            if len(g) > 1:
                truth.append(g)
        k += 1
    return records, truth


# ---------------------------------------------------------------------------------------------
# One run, in its own process
# ---------------------------------------------------------------------------------------------

_CHILD = r"""
import json, pickle, resource, sys, time
sys.path.insert(0, sys.argv[2])
from screening.dedup.engine import find_duplicates

def high_water_mib():
    # VmHWM belongs to this process image; ru_maxrss would carry the parent's peak over exec
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

with open(sys.argv[1], "rb") as fh:
    records = pickle.load(fh)
before = high_water_mib()
t0, c0 = time.perf_counter(), time.process_time()
result = find_duplicates(records)
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({
    "clusters": [sorted(map(str, c)) for c in result.clusters],
    "queue": len(result.uncertain),
    "candidate_pairs": result.stats["candidate_pairs"],
    "seconds": seconds, "cpu_seconds": cpu,
    "rss_before_mib": before, "peak_rss_mib": high_water_mib(),
}))
"""


def run_case(name: str, records: list[dict], truth: list[set[str]]) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as fh:
        pickle.dump(records, fh)
        path = fh.name
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, path, str(REPO)],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(path)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    predicted = {frozenset(p) for c in out["clusters"] for p in combinations(c, 2)}
    true = {frozenset(p) for g in truth for p in combinations(sorted(g), 2)}
    false = predicted - true
    false_clusters = sum(
        1 for c in out["clusters"] if any(frozenset(p) in false for p in combinations(c, 2))
    )
    tp = len(predicted & true)
    # ids are "<set or copy>:<...>": a false pair across two of them joins two searches/copies
    across = sum(1 for p in false if len({i.split(":", 1)[0] for i in p}) > 1)
    return {
        "run": name,
        "records": len(records),
        "true_pairs": len(true),
        "found": tp,
        "false_pairs": len(false),
        "false_clusters": false_clusters,
        "false_pairs_across": across,
        "precision": tp / len(predicted) if predicted else 1.0,
        "recall": tp / len(true) if true else 1.0,
        "queue": out["queue"],
        "queue_per_100": 100 * out["queue"] / len(records),
        "candidate_pairs": out["candidate_pairs"],
        "seconds": out["seconds"],
        "cpu_seconds": out["cpu_seconds"],
        "rss_before_mib": out["rss_before_mib"],
        "peak_rss_mib": out["peak_rss_mib"],
        "false_examples": [sorted(p) for p in sorted(false, key=sorted)[:10]],
    }


def format_table(rows: list[dict]) -> str:
    lines = [
        "| run | records | true pairs | found | false merges: pairs / clusters "
        "(pairs across sets or copies) | precision | recall | queue /100 rec | seconds | CPU s "
        "| peak memory, MiB (before de-dup) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['run']} | {r['records']:,} | {r['true_pairs']:,} | {r['found']:,} "
            f"| {r['false_pairs']} / {r['false_clusters']} ({r['false_pairs_across']}) "
            f"| {r['precision']:.4f} "
            f"| {r['recall']:.3f} | {r['queue_per_100']:.2f} | {r['seconds']:.1f} "
            f"| {r['cpu_seconds']:.1f} | {r['peak_rss_mib']:.0f} ({r['rss_before_mib']:.0f}) |"
        )
    return "\n".join(lines) + "\n"


def run_all(n: int) -> list[dict]:
    rows = []
    records, truth = labelled_sets()
    rows.append(run_case("four sets concatenated", records, truth))
    t0 = time.perf_counter()
    records, truth = scaled(n)
    built = time.perf_counter() - t0
    print(f"built {len(records):,} scaled records in {built:.1f}s", file=sys.stderr)
    rows.append(run_case(f"{len(records) // 1000}k scaled copies", records, truth))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="size of the scaled file")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument(
        "--app",
        type=int,
        nargs="+",
        metavar="N",
        help="instead: reviews of N records through the app on PostgreSQL (import, first run, "
        "re-run, update import of 1,000 records; bench/dedup_scale_app.py)",
    )
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"benchmark data not found at {DATA}", file=sys.stderr)
        return 2
    if args.app:
        import dedup_scale_app

        return dedup_scale_app.main(args.app, args.json)
    load = os.getloadavg()
    rows = run_all(args.records)
    print(
        f"load average (1 min) {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; "
        f"{os.cpu_count()} cores"
    )
    print(format_table(rows))
    for r in rows:
        if r["false_examples"]:
            print(f"{r['run']}: false pairs (first 10): {r['false_examples']}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
