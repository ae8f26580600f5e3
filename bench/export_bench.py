"""Whole-review record exports: what the request costs now, and what the background task takes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_exports .venv/bin/python bench/export_bench.py
    .venv/bin/python bench/export_bench.py --records 20000 --formats csv ris --keep

The review is built as bench/import_bench.py builds its files: the real Scopus records of
../shared/data/revtools repeated with title, DOI and ID varied, imported through
`import_file_now`. Then, for each format, over all records:
- streamed: the chunks the request used to stream (now only below EXPORT_INLINE_MAX_ROWS);
- request: what the request does now for a large export (the bounded count and the job row;
  with a broker the message is sent and the request answers);
- task: the background task writing the same file to storage (eager: in this process), checked
  byte for byte against the streamed chunks.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
os.environ.pop("REDIS_URL", None)  # the task runs in this process, timed on its own
# The upload and the export files go to a folder of their own unless MEDIA_ROOT says otherwise.
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="export-bench-"))

from screening_bench import load  # noqa: E402


def build(n: int):
    from import_bench import generate

    from reviewapp.models import Membership, Review, User
    from screening.identification.imports import import_file_now

    slug = f"export-bench-{n}"
    Review.objects.filter(slug=slug).delete()
    review = Review.objects.create(title=f"Export bench {n}", slug=slug)
    lead, _ = User.objects.get_or_create(email="export-bench@example.org")
    Membership.objects.create(review=review, user=lead, is_lead=True)
    search = review.searches.create(source="Scopus")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.ris"
        generate("ris", n, path)
        start = time.perf_counter()
        job = import_file_now(search, path.read_bytes(), "bench.ris", user=lead)
        print(f"built: {job.records_imported:,} records in {time.perf_counter() - start:.1f} s")
    return review, review.memberships.get(user=lead)


def run(review, membership, fmt: str) -> None:
    from django.core.files.storage import default_storage

    from reviewapp import downloads, jobs
    from reviewapp.models import Job
    from screening.identification import export_files, exports

    params = export_files.params_of({"format": fmt})
    records = export_files.selection(membership, params)
    start = time.perf_counter()
    body = "".join(exports.export_records(records, fmt)).encode()
    streamed = time.perf_counter() - start

    dispatch = jobs.dispatch
    jobs.dispatch = lambda job: True  # as with a broker: the row, the message, the answer
    try:
        start = time.perf_counter()
        assert downloads.too_large(records)
        job = downloads.start(export_files.export_records_file, membership, params)
        request = time.perf_counter() - start
    finally:
        jobs.dispatch = dispatch
    start = time.perf_counter()
    jobs.dispatch(job)
    task = time.perf_counter() - start
    job = Job.objects.get(pk=job.pk)
    assert job.status == "done", job.error
    with default_storage.open(job.result["path"], "rb") as fh:
        identical = fh.read() == body
    print(
        f"{fmt}: {job.result['rows']:,} rows, {len(body) / 1e6:.1f} MB; "
        f"streamed {streamed:.2f} s; request now {request * 1000:.1f} ms; "
        f"task {task:.2f} s; identical: {identical}; {load()}"
    )
    default_storage.delete(job.result["path"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--formats", nargs="+", default=["csv", "ris", "bibtex"])
    parser.add_argument("--keep", action="store_true", help="leave the review in the database")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    settings.TASKS_IN_THREAD = False
    print(f"{load()} before; Python {sys.version.split()[0]}")
    review, membership = build(args.records)
    try:
        for fmt in args.formats:
            run(review, membership, fmt)
    finally:
        if not args.keep:
            review.delete()


if __name__ == "__main__":
    main()
