"""De-duplication at scale through the app (issue 29): import, first run, re-run, update import.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/dedup_scale.py \
        --app 100000 250000 500000

For each size, in a fresh process (its peak memory is its own) and a fresh throw-away database
(``dedup_app_pipeline.setup``: ``test_<db>``, dropped at exit):

1. the review: the first ``n`` records of ``dedup_scale.scaled`` (real records of the four
   labelled sets in parallel copies, see there), written as a CSV in the labelled sets' own
   columns and imported with ``import_file_now`` (the upload page's path: COPY, then ANALYZE);
2. **first de-duplication**: ``run_dedup`` over the whole review: seconds, peak RSS of the
   process during the run, clusters, queue pairs per 100 records, precision and recall against
   the scaled truth (a pair merged across two copies is false by construction);
3. **re-run with nothing new**: seconds, records merged, pairs queued (must be 0 and 0);
4. **update import** of 1,000 records: 900 records the review does not hold (the next records
   of the scaled file, so their own duplicates come along) and 100 re-exports of records it
   holds, each changed as another database exports it (title in capitals, no DOI, journal
   abbreviated to its initials, page range shortened "1297-1306" -> "1297-306"). Imported with
   ``import_file_now`` and its real de-duplication (the ``records_imported`` signal runs the
   task in-process): end-to-end seconds, the run's own seconds, merged, queued, and whether
   each re-export joined its original;
5. a last re-run (0 / 0 again).
"""

from __future__ import annotations

import csv
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
COLUMNS = ["ID", "title", "year", "author", "pages", "volume", "number", "ENTRYTYPE", "journal",
           "doi"]  # fmt: skip
UPDATE_NEW, UPDATE_REEXPORTS = 900, 100


def _row(rec: dict) -> dict:
    authors = rec.get("authors") or []
    return {
        "ID": rec["id"],
        "title": rec.get("title") or "",
        "year": rec.get("year") or "",
        "author": authors if isinstance(authors, str) else " and ".join(authors),
        "pages": rec.get("pages") or "",
        "volume": rec.get("volume") or "",
        "number": rec.get("issue") or "",
        "ENTRYTYPE": rec.get("publication_type") or "article",
        "journal": rec.get("journal") or "",
        "doi": rec.get("doi") or "",
    }


def write_csv(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        for rec in records:
            writer.writerow(_row(rec))


def _short_pages(pages: str) -> str:
    m = re.fullmatch(r"(\d+)-(\d+)", pages or "")
    if not m or len(m.group(1)) != len(m.group(2)):
        return pages
    first, last = m.groups()
    common = 0
    while common < len(first) - 1 and first[common] == last[common]:
        common += 1
    return f"{first}-{last[common:]}"


def reexport(rec: dict, rng: random.Random) -> dict:
    """The record as another database exports it (a duplicate with small changes)."""
    new = dict(rec, id=f"re:{rec['id']}")
    change = rng.randrange(4)
    if change == 0:
        new["title"] = str(rec.get("title") or "").upper()
    elif change == 1:
        new["doi"] = ""
    elif change == 2:
        words = re.findall(r"[A-Za-z]+", str(rec.get("journal") or ""))
        new["journal"] = " ".join(w[:4] for w in words) if words else ""
    else:
        new["pages"] = _short_pages(str(rec.get("pages") or ""))
    return new


def build(n: int, folder: Path) -> dict:
    """The review's CSV, the update's CSV and the truth (groups of record ids), in `folder`."""
    from dedup_scale import scaled

    records, truth = scaled(n + UPDATE_NEW)
    review, fresh = records[:n], records[n:]
    rng = random.Random(n)
    originals = rng.sample(review, UPDATE_REEXPORTS)
    update = fresh + [reexport(r, rng) for r in originals]
    rng.shuffle(update)
    group_of = {i: g for g in truth for i in g}
    for rec in originals:
        group = group_of.get(rec["id"])
        if group is None:
            group = {rec["id"]}
            truth.append(group)
        group.add(f"re:{rec['id']}")
    write_csv(folder / "review.csv", review)
    write_csv(folder / "update.csv", update)
    with (folder / "truth.pickle").open("wb") as fh:
        pickle.dump(
            {"truth": truth, "reexports": {f"re:{r['id']}": r["id"] for r in originals}}, fh
        )
    return {"records": n, "update": len(update)}


# ---------------------------------------------------------------------------------------------
# One size, in its own process
# ---------------------------------------------------------------------------------------------


def _peak_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    """Start the high-water mark again from the current RSS (Linux: clear_refs 5)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def _clusters(review) -> list[set[str]]:
    keys = dict(review.records.values_list("id", "source_key"))
    members: dict[int, set] = {}
    for record_id, cluster_id in review.records.filter(cluster__isnull=False).values_list(
        "id", "cluster_id"
    ):
        members.setdefault(cluster_id, set()).add(keys[record_id])
    return list(members.values())


def _quality(clusters: list[set[str]], truth: list[set[str]], present: set[str]) -> dict:
    predicted = {frozenset(p) for c in clusters for p in combinations(sorted(c), 2)}
    true = {frozenset(p) for g in truth for p in combinations(sorted(g & present), 2)}
    tp = len(predicted & true)
    false = predicted - true
    across = sum(1 for p in false if len({i.split(":", 1)[0] for i in p}) > 1)
    return {
        "true_pairs": len(true),
        "found": tp,
        "false_pairs": len(false),
        "false_across": across,
        "precision": tp / len(predicted) if predicted else 1.0,
        "recall": tp / len(true) if true else 1.0,
    }


def child(folder: Path) -> dict:
    """Run one size (Django set up here, on a throw-away database)."""
    sys.path.insert(0, str(REPO / "bench"))
    import dedup_app_pipeline

    dedup_app_pipeline.setup()
    from unittest import mock

    from reviewapp.models import Review
    from screening.dedup import service, signals
    from screening.identification.imports import create_search, import_file_now

    out: dict = {"load_start": os.getloadavg()[0]}
    review = Review.objects.create(title="Scale", slug=f"scale-{os.getpid()}")
    search = create_search(review, None, source="Scaled")
    t0 = time.perf_counter()
    with mock.patch.object(service, "enqueue_dedup"):  # the first run is timed on its own
        job = import_file_now(search, folder / "review.csv", "review.csv")
    assert job.status == "done", job.error
    out["import_seconds"] = time.perf_counter() - t0
    out["records"] = job.records_imported

    _reset_peak()
    out["rss_before_mib"] = _peak_mib()
    c0 = time.process_time()
    first = service.run_dedup(review)
    out["first"] = {
        **first.__dict__,
        "peak_rss_mib": _peak_mib(),
        "cpu_seconds": time.process_time() - c0,
    }
    # what the task does after its run: screening queues for the canonical records (once for
    # the whole review here, as after the review's first import)
    t0 = time.perf_counter()
    signals.dedup_finished.send(sender=Review, review=review)
    out["assignments_seconds"] = time.perf_counter() - t0

    rerun = service.run_dedup(review)
    out["rerun"] = dict(rerun.__dict__)

    reports = []
    real = service.run_dedup

    def timed(*args, **kwargs):
        report = real(*args, **kwargs)
        reports.append(report)
        return report

    update_search = create_search(review, None, source="Update")
    t0, c0 = time.perf_counter(), time.process_time()
    with mock.patch.object(service, "run_dedup", timed):
        job = import_file_now(update_search, folder / "update.csv", "update.csv")
    assert job.status == "done", job.error
    out["update"] = {
        "records": job.records_imported,
        "end_to_end_seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - c0,
        "runs": [dict(r.__dict__) for r in reports],
    }
    out["rerun_after_update"] = dict(service.run_dedup(review).__dict__)

    with (folder / "truth.pickle").open("rb") as fh:
        saved = pickle.load(fh)
    clusters = _clusters(review)
    present = set(review.records.values_list("source_key", flat=True))
    out["quality"] = _quality(clusters, saved["truth"], present)
    cluster_of = {k: i for i, c in enumerate(clusters) for k in c}
    out["reexports_joined"] = sum(
        1
        for copy, original in saved["reexports"].items()
        if copy in cluster_of and cluster_of[copy] == cluster_of.get(original)
    )
    out["load_end"] = os.getloadavg()[0]
    return out


def run_size(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        build(n, folder)
        print(f"built {n:,} + update in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"{n} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def format_rows(rows: list[dict]) -> str:
    lines = [
        "| records | import s | first run s (CPU s) | peak RSS MiB (before) | clusters | merged "
        "| queue /100 | precision | recall | re-run s (merged/queued) | update 1,000: end to "
        "end s (CPU s; de-dup run s) | merged / queued | re-exports joined | re-run after "
        "| load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        f, q, u, rr, last = (
            r["first"],
            r["quality"],
            r["update"],
            r["rerun"],
            r["rerun_after_update"],
        )
        run = u["runs"][-1] if u["runs"] else {"seconds": 0, "auto_merged": 0, "queued": 0}
        lines.append(
            f"| {r['records']:,} | {r['import_seconds']:.0f} "
            f"| {f['seconds']:.0f} ({f['cpu_seconds']:.0f}) "
            f"| {f['peak_rss_mib']:.0f} ({r['rss_before_mib']:.0f}) | {f['clusters_found']:,} "
            f"| {f['auto_merged']:,} | {100 * f['queued'] / r['records']:.2f} "
            f"| {q['precision']:.4f} | {q['recall']:.3f} "
            f"| {rr['seconds']:.2f} ({rr['auto_merged']}/{rr['queued']}) "
            f"| {u['end_to_end_seconds']:.1f} ({u['cpu_seconds']:.1f}; {run['seconds']:.1f}) "
            f"| {run['auto_merged']} / {run['queued']} | {r['reexports_joined']}/{UPDATE_REEXPORTS} "
            f"| {last['seconds']:.2f} ({last['auto_merged']}/{last['queued']}) "
            f"| {r['load_start']:.1f}-{r['load_end']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(sizes: list[int], json_path: Path | None = None) -> int:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("--app measures on PostgreSQL: set DATABASE_URL", file=sys.stderr)
        return 2
    rows = []
    for n in sizes:
        row = run_size(n)
        print(json.dumps(row), flush=True)
        rows.append(row)
        print(format_rows(rows), flush=True)
    if json_path:
        json_path.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--child":
    sys.path.insert(0, str(REPO))
    result = child(Path(sys.argv[2]))
    print(json.dumps(result, default=str))
