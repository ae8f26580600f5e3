"""Backup benchmark: export_review and import_review of a 100,000-record review, peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_security .venv/bin/python bench/backup_bench.py
    .venv/bin/python bench/backup_bench.py --records 100000 25000

For each size, in a scratch database (flushed first): the records come in through the app's own
import (`import_file_now`) from an RIS file built from a real Scopus export
(../shared/data/revtools/restoration_scopus.ris, every record repeated with its title, DOI and
ID varied: real field shapes and abstract lengths); two reviewers' decisions on every record, its
title/abstract status and one audit event per decision are added in bulk. Then, each in a fresh
process (so the peak RSS is that step's alone): `export_review` to a zip, and `import_review`
of that zip under a new slug. Goal (issues #26/#28): the restore's memory flat, <= 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from fresh import in_fresh_process, peak_mb  # noqa: E402


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
    django.setup()


def build(n: int, folder: Path) -> dict:
    """A review of n imported records, each decided by two reviewers and resolved."""
    from import_bench import generate

    from reviewapp.models import AuditEvent, Membership, User
    from reviewapp.services import create_review
    from screening.identification import lifecycle
    from screening.identification.imports import import_file_now
    from screening.models import Decision, Outcome, Record, RecordStatus, Search

    lifecycle.after_import = lambda job: None  # de-duplication is timed by its own bench
    lead, _ = User.objects.get_or_create(email="lead@bench.example")
    reviewers = [User.objects.get_or_create(email=f"r{i}@bench.example")[0] for i in (1, 2)]
    review = create_review(f"Backup bench {n}", lead, slug=f"backup-bench-{n}")
    for user in reviewers:
        Membership.objects.create(review=review, user=user, is_reviewer=True)
    search = Search.objects.create(review=review, source="Scopus")
    path = folder / "records.ris"
    generate("ris", n, path)
    job = import_file_now(search, path, path.name, user=lead)
    assert job.status == "done", job.error
    ids = list(Record.objects.filter(review=review).values_list("pk", flat=True))
    batch = 5000
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        decisions = [
            Decision(
                review=review, record_id=pk, reviewer=user, value="exclude" if pk % 3 else "include"
            )
            for pk in chunk
            for user in reviewers
        ]
        Decision.objects.bulk_create(decisions)
        RecordStatus.objects.bulk_create(
            RecordStatus(
                review=review,
                record_id=pk,
                search=search,
                outcome=Outcome.EXCLUDED if pk % 3 else Outcome.INCLUDED,
                decisions_count=2,
            )
            for pk in chunk
        )
        AuditEvent.objects.bulk_create(
            AuditEvent(
                review=review,
                actor_id=d.reviewer_id,
                action="decision.made",
                object_type="screening.decision",
                object_id=str(d.pk),
                after={"value": d.value},
            )
            for d in decisions
        )
    return {"slug": review.slug, "records": len(ids)}


def run_step(step: str, slug: str, path: Path) -> dict:
    """One measurement in this (fresh) process."""
    _setup()
    from reviewapp import backup
    from reviewapp.models import Review

    baseline = peak_mb()
    started = time.perf_counter()
    if step == "export":
        summary = backup.export_review(Review.objects.get(slug=slug), path)
    else:
        _, summary = backup.import_review(path, slug=f"{slug}-restored")
    seconds = time.perf_counter() - started
    rows = sum(summary.counts.values())
    return {"seconds": seconds, "rows": rows, "peak_mb": peak_mb(), "base_mb": baseline}


def _measure(step: str, slug: str, path: Path) -> dict:
    return in_fresh_process(__file__, "--step", step, slug, str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, nargs="+", default=[100_000, 25_000])
    parser.add_argument("--step", nargs=3, metavar=("STEP", "SLUG", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step, slug, path = args.step
        print(json.dumps(run_step(step, slug, Path(path))))
        return
    db = os.environ.get("DATABASE_URL", "")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, check=True
    )
    subprocess.run(
        [sys.executable, "manage.py", "flush", "--noinput", "-v", "0"], cwd=REPO, check=True
    )
    load = os.getloadavg()
    print(f"# Backup benchmark — {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{db.rsplit('@', 1)[-1] if db else 'SQLite'}, load {load[0]:.1f}")  # fmt: skip
    print("| records | rows | archive MB | export s | export peak MB | restore s "
          "| restore rows/s | restore peak MB |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        # The stored import files (part of every backup) stay in the scratch folder.
        os.environ["MEDIA_ROOT"] = str(Path(tmp) / "media")
        _setup()
        for n in args.records:
            built = build(n, Path(tmp))
            archive = Path(tmp) / f"review-{n}.zip"
            exported = _measure("export", built["slug"], archive)
            restored = _measure("import", built["slug"], archive)
            assert restored["rows"] == exported["rows"], (exported, restored)
            print(
                f"| {n:,} | {restored['rows']:,} | {archive.stat().st_size / 1e6:.0f} "
                f"| {exported['seconds']:.0f} | {exported['peak_mb']:.0f} "
                f"| {restored['seconds']:.0f} | {restored['rows'] / restored['seconds']:,.0f} "
                f"| {restored['peak_mb']:.0f} |",
                flush=True,
            )
            archive.unlink()
    print(f"load after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
