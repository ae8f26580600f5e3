"""De-duplication benchmark: our engine vs bib-dedupe on the labelled bib-dedupe datasets.

    .venv/bin/python bench/dedup_bench.py                 # all four datasets, both tools
    .venv/bin/python bench/dedup_bench.py stroke --no-bibdedupe
    .venv/bin/python bench/dedup_bench.py --markdown      # the table for docs/benchmarks.md
    .venv/bin/python bench/dedup_bench.py --bibdedupe-cache /tmp/bd.json  # reuse bib-dedupe runs
    .venv/bin/python bench/dedup_bench.py --scale         # and precision at scale (dedup_scale.py)

Data: ../shared/data/bib-dedupe-benchmark/<dataset>/records_pre_merged.csv (records) and
merged_record_ids.csv (the truth: one duplicate group per row). Metrics are over duplicate
*pairs*: a predicted pair is every pair of records inside one predicted cluster, a true pair every
pair inside one true group. bib-dedupe's own benchmark counts removed *records* instead; that
figure is printed too ("rec-P/rec-R") so the numbers can be compared with its published ones.

bib-dedupe runs from its own virtualenv (bench/.venv-bibdedupe, created on first use with
``pip install bib-dedupe==0.11.0``) in a subprocess, on the same CSV, in the same run. With
``--bibdedupe-cache FILE`` its result for a dataset (clusters, "maybe" pairs, seconds, CPU seconds)
is stored in FILE and reused while the CSV and the version are unchanged: for iterating on our
engine; the published table comes from a run without the cache.

"recall w/o notices" leaves out the true pairs that the engine keeps apart on purpose because one
record is a notice about the other (erratum, reply, retraction, comment: issue 4 says these are
not duplicates; the SRA-DM truth of haematology groups them with their article).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import platform
import resource
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / ".." / "shared" / "data" / "bib-dedupe-benchmark"
DATASETS = ["stroke", "haematology", "respiratory", "diabetes"]
BIBDEDUPE_VENV = REPO / "bench" / ".venv-bibdedupe"
BIBDEDUPE_VERSION = "0.11.0"

sys.path.insert(0, str(REPO))


# ---------------------------------------------------------------------------------------------
# Our side
# ---------------------------------------------------------------------------------------------


def _fallback_csv_records(path: Path) -> list[dict]:
    """Minimal loader with the importer's column mapping, used until screening.importers exists."""
    records = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            authors = [a.strip() for a in (row.get("author") or "").split(" and ") if a.strip()]
            records.append(
                {
                    "id": row["ID"],
                    "source_key": row["ID"],
                    "title": row.get("title") or "",
                    "title_alt": "",
                    "abstract": row.get("abstract") or "",
                    "authors": authors,
                    "year": int(row["year"]) if (row.get("year") or "").strip().isdigit() else None,
                    "journal": row.get("journal") or row.get("booktitle") or "",
                    "volume": row.get("volume") or "",
                    "issue": row.get("number") or row.get("issue") or "",
                    "pages": row.get("pages") or "",
                    "doi": row.get("doi") or "",
                    "pmid": "",
                    "other_ids": {},
                    "publication_type": row.get("ENTRYTYPE") or "",
                    "language": "",
                }
            )
    return records


def load_records(path: Path) -> tuple[list[dict], str]:
    """Records as the app's CSV importer yields them (falls back to a local loader)."""
    try:
        from screening.identification.importers import iter_records  # type: ignore[attr-defined]
    except Exception as exc:  # the importer is written in parallel; don't block the benchmark
        return _fallback_csv_records(path), f"fallback csv loader ({type(exc).__name__})"
    records = []
    with path.open("rb") as fh:
        for rec in iter_records(fh, fmt="csv"):
            rec = dict(rec)
            rec["id"] = rec.get("source_key") or rec.get("id")
            records.append(rec)
    return records, "screening.identification.importers.iter_records"


def run_app_pipeline(path: Path) -> tuple[list[set], list[tuple], str]:
    """The app's own path: the CSV through the import service into a throw-away review, then
    the de-duplication service; clusters and open pairs are read back from the database.

    Returns (clusters of source keys, uncertain pairs of source keys, how records were loaded).
    """
    import dedup_app_pipeline

    return dedup_app_pipeline.run_app_pipeline(path)


def run_engine_only(path: Path) -> tuple[list[set], list[tuple], str]:
    """The pure engine on the parsed CSV (no database), for profiling the matching alone."""
    from screening.dedup.engine import find_duplicates

    records, loader = load_records(path)
    result = find_duplicates(records)
    return result.clusters, [(p.a, p.b) for p in result.uncertain], loader


# ---------------------------------------------------------------------------------------------
# bib-dedupe side (own virtualenv, subprocess)
# ---------------------------------------------------------------------------------------------

_BIBDEDUPE_SCRIPT = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
t0 = time.perf_counter()
import pandas as pd
from bib_dedupe.bib_dedupe import block, cluster, match, prep
records_df = pd.read_csv(sys.argv[1])
prep_df = prep(records_df, verbosity_level=0)
blocked_df = block(prep_df, verbosity_level=0)
matched_df = match(blocked_df, verbosity_level=0)
clusters = cluster(matched_df, verbosity_level=0)
seconds = time.perf_counter() - t0
maybe = matched_df[matched_df["duplicate_label"] == "maybe"]
print(json.dumps({"clusters": [list(map(str, c)) for c in clusters],
                  "maybe": int(len(maybe)), "seconds": seconds}))
"""


def ensure_bibdedupe() -> Path | None:
    python = BIBDEDUPE_VENV / "bin" / "python"
    if not python.exists():
        print(
            f"creating {BIBDEDUPE_VENV} with bib-dedupe=={BIBDEDUPE_VERSION} ...", file=sys.stderr
        )
        subprocess.run([sys.executable, "-m", "venv", str(BIBDEDUPE_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"bib-dedupe=={BIBDEDUPE_VERSION}"],
            check=True,
        )
    return python if python.exists() else None


def run_bibdedupe(path: Path, cache: Path | None = None) -> dict:
    """bib-dedupe's clusters, "maybe" count, seconds and CPU seconds (optionally cached)."""
    key = f"{path.parent.name}:{hashlib.sha256(path.read_bytes()).hexdigest()}:{BIBDEDUPE_VERSION}"
    stored = json.loads(cache.read_text()) if cache and cache.exists() else {}
    if key in stored:
        return {**stored[key], "cached": True}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = _run_bibdedupe_process(path)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # user+system time of bib-dedupe and its worker processes (interpreter start included)
    result["cpu_seconds"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if cache:
        stored[key] = result
        cache.write_text(json.dumps(stored))
    return result


def _run_bibdedupe_process(path: Path) -> dict:
    python = ensure_bibdedupe()
    proc = subprocess.run(
        [str(python), "-c", _BIBDEDUPE_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"bib-dedupe failed on {path}:\n{proc.stderr[-2000:]}")
    # bib-dedupe prints progress; the JSON is the last line
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------------


def true_groups(folder: Path) -> list[set[str]]:
    with (folder / "merged_record_ids.csv").open(encoding="utf-8", newline="") as fh:
        return [set(row["merged_ids"].split(";")) for row in csv.DictReader(fh)]


def _pairs(groups: list[set[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for g in groups for p in combinations(sorted(g), 2)}


def _merge_pairs(clusters: list[set[str]], pairs: list[tuple[str, str]]) -> list[set[str]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for group in clusters:
        first, *rest = sorted(group)
        for other in rest:
            parent[find(other)] = find(first)
    for a, b in pairs:
        parent[find(a)] = find(b)
    groups: dict[str, set[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), set()).add(x)
    return [g for g in groups.values() if len(g) > 1]


def pair_metrics(predicted: list[set[str]], truth: list[set[str]]) -> dict:
    pred, true = _pairs(predicted), _pairs(truth)
    tp = len(pred & true)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(true) if true else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"P": p, "R": r, "F1": f1, "TP": tp, "FP": len(pred - true), "FN": len(true - pred)}


def record_metrics(predicted: list[set[str]], truth: list[set[str]], all_ids: set[str]) -> dict:
    """bib-dedupe's own definition: a record removed as a duplicate is a positive.

    Each predicted cluster keeps one record; a removed record is a true positive when its true
    group still keeps another member (as in DedupeBenchmarker.compare_dedupe_id).
    """
    kept = set(all_ids)
    for group in predicted:
        kept -= set(sorted(group)[1:])
    tp = fp = fn = tn = 0
    grouped = set().union(*truth) if truth else set()
    for rid in all_ids - grouped:
        tn, fp = (tn + 1, fp) if rid in kept else (tn, fp + 1)
    for group in truth:
        n_kept = len(group & kept)
        if n_kept == 0:
            fp += 1
            tp += len(group) - 1
        else:
            tn += 1
            fn += n_kept - 1
            tp += len(group) - n_kept
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"P": p, "R": r}


def recall_without(predicted: list[set[str]], truth: list[set[str]], left_out: set) -> float:
    """Pair recall over the true pairs not in ``left_out``."""
    true = _pairs(truth) - left_out
    return len(_pairs(predicted) & true) / len(true) if true else 1.0


def truth_notice_pairs(path: Path, truth: list[set[str]]) -> dict[frozenset, str]:
    """True pairs that are an article and a notice about it, as the engine sees them."""
    from screening.dedup.engine import notice_pairs

    records, _ = load_records(path)
    for rec in records:
        rec["id"] = str(rec["id"])
    return notice_pairs(records, [tuple(sorted(p)) for p in _pairs(truth)])


def count_records(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [row["ID"] for row in csv.DictReader(fh)]


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def bench_dataset(name: str, with_bibdedupe: bool, bibdedupe_cache: Path | None = None) -> dict:
    folder = DATA / name
    path = folder / "records_pre_merged.csv"
    truth = true_groups(folder)
    ids = set(count_records(path))
    notices = truth_notice_pairs(path, truth)
    t0, c0 = time.perf_counter(), time.process_time()
    clusters, queue, loader = run_app_pipeline(path)
    ours_s, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
    clusters = [{str(x) for x in c} for c in clusters]
    # what a person working through the queue would end with (Merge when truly duplicates)
    true_pairs = _pairs(truth)
    after = _merge_pairs(
        clusters, [(str(a), str(b)) for a, b in queue if frozenset((str(a), str(b))) in true_pairs]
    )
    queue = len(queue)
    row = {
        "dataset": name,
        "records": len(ids),
        "loader": loader,
        "notice_pairs": {" ".join(sorted(p)): kind for p, kind in sorted(notices.items(), key=str)},
        "ours": {
            **pair_metrics(clusters, truth),
            "rec": record_metrics(clusters, truth, ids),
            "R_without_notices": recall_without(clusters, truth, set(notices)),
            "seconds": ours_s,
            "cpu_seconds": ours_cpu,
            "queue": queue,
            "queue_per_100": 100 * queue / len(ids),
            "R_after_queue": pair_metrics(after, truth)["R"],
            "clusters": sorted(sorted(c) for c in clusters),
        },
    }
    if with_bibdedupe:
        bd = run_bibdedupe(path, bibdedupe_cache)
        bclusters = [set(c) for c in bd["clusters"]]
        row["bib-dedupe"] = {
            **pair_metrics(bclusters, truth),
            "rec": record_metrics(bclusters, truth, ids),
            "R_without_notices": recall_without(bclusters, truth, set(notices)),
            "seconds": bd["seconds"],
            "cpu_seconds": bd["cpu_seconds"],
            "cached": bd.get("cached", False),
            "queue": bd["maybe"],
            "queue_per_100": 100 * bd["maybe"] / len(ids),
            "clusters": sorted(sorted(c) for c in bclusters),
        }
    return row


def format_table(rows: list[dict]) -> str:
    out = io.StringIO()
    out.write(
        "| dataset | records | tool | precision | recall | F1 | rec-P | rec-R | seconds "
        "| CPU s | uncertain queue | queue /100 rec | recall after queue "
        "| recall w/o notices |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    for row in rows:
        for tool in ("ours", "bib-dedupe"):
            if tool not in row:
                continue
            m = row[tool]
            label = "this app" if tool == "ours" else f"bib-dedupe {BIBDEDUPE_VERSION}"
            if m.get("cached"):
                label += " (cached run)"
            after = f"{m['R_after_queue']:.3f}" if "R_after_queue" in m else "n/a"
            out.write(
                f"| {row['dataset']} | {row['records']} | {label} | {m['P']:.3f} | {m['R']:.3f} "
                f"| {m['F1']:.3f} | {m['rec']['P']:.3f} | {m['rec']['R']:.3f} "
                f"| {m['seconds']:.2f} | {m['cpu_seconds']:.2f} "
                f"| {m['queue']} | {m['queue_per_100']:.2f} | {after} "
                f"| {m['R_without_notices']:.3f} ({len(row['notice_pairs'])}) |\n"
            )
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="*", default=DATASETS)
    parser.add_argument("--no-bibdedupe", action="store_true", help="only run our engine")
    parser.add_argument("--markdown", action="store_true", help="print only the table")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument(
        "--bibdedupe-cache",
        type=Path,
        help="store bib-dedupe's results in this JSON file and reuse them while the CSV and the "
        "version are unchanged (for iterating; publish numbers from an uncached run)",
    )
    parser.add_argument(
        "--scale",
        action="store_true",
        help="after the table, the precision-at-scale runs of bench/dedup_scale.py (the four "
        "sets concatenated and a scaled file of --scale-records records)",
    )
    parser.add_argument("--scale-records", type=int, default=100_000)
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"benchmark data not found at {DATA}", file=sys.stderr)
        return 2

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import dedup_app_pipeline

    dedup_app_pipeline.setup()  # a migrated throw-away database, created before any timing
    load_before = os.getloadavg()
    rows = []
    for name in args.datasets:
        row = bench_dataset(
            name, with_bibdedupe=not args.no_bibdedupe, bibdedupe_cache=args.bibdedupe_cache
        )
        if not args.markdown:
            o = row["ours"]
            print(
                f"{name:12} ours P={o['P']:.3f} R={o['R']:.3f} F1={o['F1']:.3f} "
                f"FP={o['FP']} FN={o['FN']} {o['seconds']:.2f}s queue={o['queue']} "
                f"R-w/o-notices={o['R_without_notices']:.3f}"
                + (
                    f" | bib-dedupe P={row['bib-dedupe']['P']:.3f} R={row['bib-dedupe']['R']:.3f}"
                    f" {row['bib-dedupe']['seconds']:.2f}s maybe={row['bib-dedupe']['queue']}"
                    if "bib-dedupe" in row
                    else ""
                ),
                flush=True,
            )
        rows.append(row)
    loaders = {r["loader"] for r in rows}
    if any(loader.startswith("fallback") for loader in loaders):
        print(f"note: records loaded with {', '.join(sorted(loaders))}", file=sys.stderr)
    print()
    load_after = os.getloadavg()
    print(
        f"{dt.date.today().isoformat()} · {platform.node() or 'machine'} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()} · load average (1 min) "
        f"{load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end"
    )
    print(format_table(rows))
    scale_rows = []
    if args.scale:
        import dedup_scale

        scale_rows = dedup_scale.run_all(args.scale_records)
        print(f"precision at scale (load average now {os.getloadavg()[0]:.1f}):")
        print(dedup_scale.format_table(scale_rows))
    if args.json:
        meta = {"date": dt.date.today().isoformat(), "load_before": load_before}
        meta["load_after"] = load_after
        args.json.write_text(
            json.dumps({"meta": meta, "rows": rows, "scale": scale_rows}, indent=2, default=str)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
