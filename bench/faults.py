"""Fault recovery benchmark (issue 28): how long the app takes to heal on its own.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sift_faults_bench .venv/bin/python bench/faults.py
    .venv/bin/python bench/faults.py --records 200000 --heartbeat 10 --sweep 15   # the defaults

Starts the production shape on that database (dropped, created and migrated): its own
redis-server, gunicorn (2 workers), one Celery worker and Celery beat (tests/faults/stack.py),
with the production heartbeat and sweep intervals unless told otherwise. Then, one at a time:

1. worker killed: an upload of --records RIS records; the worker is SIGKILLed at the import's
   first heartbeat that reports progress, and started again at once (as the compose file's restart policy does).
   Nobody opens a page. Prints when the sweeper handed the import to the new worker and when
   it completed, counted from the kill.
2. Redis stopped: six uploads at once and five pages while Redis is down (status, slowest
   answer), then Redis comes back after --outage seconds: time until every upload is imported.
3. database connections dropped: pg_terminate_backend on every connection of the database while
   a reader browses four pages and the worker imports --records records; prints the requests
   that failed (under way at the cut), the first answer after the cut, and when the import
   completed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")


def _fresh_database(url: str) -> None:
    """Drop and create the benchmark's database: work left by an earlier run would be resumed
    by the sweeper and timed along with this run's."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name and "fault" not in name:
        sys.exit(
            f"the database is dropped and created again: name it *bench* or *fault*, not {name}"
        )
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _setup():
    """A fresh review (a lead, a reviewer) and a function making its searches."""
    from reviewapp.models import Membership, Review, User
    from screening.models import Search

    tag = uuid.uuid4().hex[:6]
    review = Review.objects.create(title=f"Faults {tag}", slug=f"faults-{tag}")
    lead = User.objects.create_user(f"lead-{tag}@example.org")
    reader = User.objects.create_user(f"reader-{tag}@example.org")
    Membership.objects.create(review=review, user=lead, is_lead=True)
    Membership.objects.create(review=review, user=reader, is_reviewer=True)
    return review, lead, reader, lambda source: Search.objects.create(review=review, source=source)


def _idle(timeout: float = 900) -> float:
    """Wait until no background job is open (de-duplication after an import...); seconds."""
    from reviewapp.models import Job
    from tests.faults.stack import wait_for

    started = time.monotonic()
    wait_for(
        lambda: not Job.objects.filter(status__in=("queued", "running")).exists(),
        timeout,
        "the background work to finish",
        step=0.5,
    )
    return time.monotonic() - started


def _done(job_ids) -> bool:
    from screening.models import ImportJob

    return not ImportJob.objects.filter(pk__in=job_ids).exclude(status="done").exists()


def worker_killed(stack, review, lead, new_search, records: int) -> None:
    from reviewapp.models import Job
    from screening.identification import imports
    from screening.models import ImportJob
    from tests.faults.stack import ris, wait_for

    search = new_search("Killed worker")
    web = stack.signed_in(lead)
    assert web.upload(review, search, "big.ris", ris(records, "kill")).status == 302
    job = ImportJob.objects.get(search=search)
    # The first heartbeat with progress (after JOB_HEARTBEAT_SECONDS): the import is under way.
    run = wait_for(
        lambda: Job.objects.filter(
            pk=imports.latest_run(job).pk, status="running", progress__gt=0
        ).first(),
        300,
        "the import's first heartbeat with progress",
        step=0.05,
    )
    if ImportJob.objects.filter(pk=job.pk, status="done").exists():
        sys.exit("the import finished before its first heartbeat: use more --records")
    stack.kill("worker")
    killed = time.monotonic()
    stack.run("worker-restarted")
    restarted = time.monotonic() - killed
    wait_for(lambda: Job.objects.get(pk=run.pk).attempts >= 2, 300, "the take-over", step=0.1)
    taken_over = time.monotonic() - killed
    wait_for(lambda: _done([job.pk]), 300, "the import", step=0.1)
    completed = time.monotonic() - killed
    job.refresh_from_db()
    print(
        f"1. worker SIGKILLed at {run.progress} % of {records:,} records; worker back after "
        f"{restarted:.1f} s; import handed to it after {taken_over:.1f} s; completed "
        f"{completed:.1f} s after the kill ({job.records_imported:,} records, no page view)"
    )
    print(f"   report: {imports.report_lines(job)[-1]}")


def redis_down(stack, review, lead, reader, new_search, outage: float) -> None:
    from screening.models import ImportJob
    from tests.faults.stack import ris, wait_for

    search = new_search("Redis down")
    browse = stack.signed_in(reader)
    slug = review.slug
    paths = (
        f"/r/{slug}/searches/",
        f"/r/{slug}/",
        f"/r/{slug}/records/",
        f"/r/{slug}/screen/",
        "/",
    )
    baseline = [browse.get(p) for p in paths]  # the same pages with Redis up, for comparison
    stack.redis.stop()
    stopped = time.monotonic()
    webs = [stack.signed_in(lead) for _ in range(6)]
    threads = [
        threading.Thread(target=w.upload, args=(review, search, f"d{i}.ris", ris(500, f"d{i}")))
        for i, w in enumerate(webs)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    uploads = [w.answers[-1] for w in webs]
    pages = [browse.get(p) for p in paths]
    time.sleep(max(0.0, outage - (time.monotonic() - stopped)))
    stack.redis.start()
    back = time.monotonic()
    ids = list(ImportJob.objects.filter(search=search).values_list("pk", flat=True))
    wait_for(lambda: _done(ids), 300, "the imports after Redis came back", step=0.1)
    print(
        f"2. Redis stopped {outage:.0f} s: 6 concurrent uploads answered "
        f"{sorted({a.status for a in uploads})} in at most {max(a.seconds for a in uploads):.2f} s "
        f"(median {statistics.median(a.seconds for a in uploads):.2f} s); 5 pages answered "
        f"{sorted({p.status for p in pages})} in at most {max(p.seconds for p in pages):.2f} s; "
        f"all {len(ids)} imports done {time.monotonic() - back:.1f} s after Redis was back"
    )
    for path, up, down in zip(paths, baseline, pages, strict=True):
        print(f"   {path}: {up.seconds:.2f} s with Redis up, {down.seconds:.2f} s with it down")


def database_cut(stack, review, lead, reader, new_search, records: int) -> None:
    from django.db import connection

    from reviewapp.models import Job
    from screening.identification import imports
    from screening.models import ImportJob
    from tests.faults.stack import ris, wait_for

    search = new_search("Database cut")
    web = stack.signed_in(lead)
    assert web.upload(review, search, "cut.ris", ris(records, "cut")).status == 302
    job = ImportJob.objects.get(search=search)
    wait_for(
        lambda: Job.objects.filter(pk=imports.latest_run(job).pk, progress__gt=0).exists(),
        300,
        "the import to be under way",
        step=0.05,
    )
    traffic: list[tuple[float, float, int]] = []
    stop = threading.Event()

    def browse() -> None:
        session = stack.signed_in(reader)
        slug = review.slug
        while not stop.is_set():
            for page in (f"/r/{slug}/searches/", f"/r/{slug}/", f"/r/{slug}/records/", "/"):
                began = time.monotonic()
                status = session.get(page).status
                traffic.append((began, time.monotonic(), status))

    browser = threading.Thread(target=browse)
    browser.start()
    time.sleep(2)
    began = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        dropped = cursor.fetchone()[0]
    cut = time.monotonic()
    time.sleep(5)
    stop.set()
    browser.join()
    failed = [s for b, e, s in traffic if s != 200]
    under_way = [s for b, e, s in traffic if b <= cut and e >= began]
    later = [(b, s) for b, e, s in traffic if b > cut]
    first_ok = next((b - cut for b, s in later if s == 200), float("nan"))
    wait_for(lambda: _done([job.pk]), 300, "the import after the cut", step=0.1)
    job.refresh_from_db()
    print(
        f"3. {dropped} database connections dropped: {len(failed)} of {len(traffic)} requests "
        f"failed ({len(under_way)} were under way at the cut); the first request after it "
        f"answered 200 ({first_ok * 1000:.0f} ms after); {sum(s == 200 for _, s in later)} of "
        f"{len(later)} later requests answered 200; the import retried and completed "
        f"{time.monotonic() - cut:.1f} s after the cut ({job.records_imported:,} records)"
    )
    print(f"   report: {imports.report_lines(job)[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--heartbeat", type=int, default=10, help="JOB_HEARTBEAT_SECONDS")
    parser.add_argument("--sweep", type=int, default=15, help="JOB_SWEEP_SECONDS")
    parser.add_argument("--outage", type=float, default=20, help="seconds Redis stays down")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database (dropped and created again)")
    os.environ.pop("REDIS_URL", None)  # this process only writes rows; the stack has its Redis
    _fresh_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    from tests.faults.stack import Stack

    call_command("migrate", verbosity=0)
    load = os.getloadavg()
    print(
        f"heartbeat {args.heartbeat} s, sweep {args.sweep} s; load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"
    )
    folder = Path(tempfile.mkdtemp(prefix="sift-faults-"))
    stack = Stack.start(
        folder,
        url,
        JOB_HEARTBEAT_SECONDS=str(args.heartbeat),
        JOB_SWEEP_SECONDS=str(args.sweep),
    )
    try:
        review, lead, _, new_search = _setup()
        worker_killed(stack, review, lead, new_search, args.records)
        print(f"   (then {_idle():.0f} s of de-duplication and queue building)")
        review, lead, reader, new_search = _setup()
        redis_down(stack, review, lead, reader, new_search, args.outage)
        print(f"   (then {_idle():.0f} s of de-duplication and queue building)")
        review, lead, reader, new_search = _setup()
        database_cut(stack, review, lead, reader, new_search, args.records)
    finally:
        stack.stop()
    print(f"logs: {folder}")


if __name__ == "__main__":
    main()
