"""Agreement at scale (issue 21): the progress page and the agreement CSV, and the background
job that counts agreement, on the database scale_bench.py built.

    .venv/bin/python bench/scale_bench.py --database URL --records 100000 --parts build
    .venv/bin/python bench/agreement_bench.py --database URL
    (A/B: the same script copied into a checkout of main, e.g. `git worktree add --detach`,
    and run there: the page as it was, counted in every request.)

Server-side, Django's test client in this process (as scale_bench's pages), wall and CPU
(process_time) per request, median over --repeat. With this checkout's background agreement
(screening.decisions.stored) it also times: the first view of a review never counted (it
queues the job and answers), the job itself, a view once the result is kept (fresh), and a
view after a decision (stale: it shows the kept result and queues a recompute).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def _timed(client, url: str, repeat: int) -> tuple[float, float, float, int, int]:
    """Median wall ms, CPU ms and SQL ms (the database's answers as this process waited for
    them), queries and bytes of the last answer (a warm-up request first)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    wall, cpu, sql, queries, size = [], [], [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            t, c = time.perf_counter(), time.process_time()
            response = client.get(url)
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        queries = len(captured.captured_queries)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.content)
    med = statistics.median
    return med(wall), med(cpu), med(sql), queries, size


def _client(email: str):
    from django.test import Client

    from reviewapp.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def _wait(job_id: int) -> float:
    """Wait for the job; its run's seconds (started to finished)."""
    from reviewapp.models import Job

    while True:
        job = Job.objects.get(pk=job_id)
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            assert job.status == Job.Status.DONE, job.error
            return (job.finished_at - job.started_at).total_seconds()
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", default="postgres://postgres@127.0.0.1:5432/reviewapp_scalebench"
    )
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    sys.path.insert(0, str(BENCH))
    import screening_bench as sb

    sb.setup_in_process(args.database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from screening.models import Decision

    slug = "bench"
    decisions = Decision.objects.filter(review__slug=slug).count()
    print(f"# Agreement, {decisions:,} decisions, code {BENCH.parent}; {sb.load()}")
    print("| request | median ms | CPU ms | SQL ms | queries | bytes |")
    print("|---|---:|---:|---:|---:|---:|")
    try:
        from screening.decisions import stored
    except ImportError:
        stored = None
    lead, reviewer = _client("lead@bench.example"), _client("reviewer07@bench.example")
    for client in (lead, reviewer):  # the first request of a process pays for its imports
        client.get(f"/r/{slug}/searches/")
    progress = f"/r/{slug}/screen/progress/"
    csv = f"/r/{slug}/screen/progress/agreement.csv"
    if stored is not None:
        _background(stored, lead, reviewer, progress, csv, args.repeat)
    for label, client, url in (
        ("progress page, lead", lead, progress),
        ("progress page, reviewer", reviewer, progress),
        ("agreement CSV, lead", lead, csv),
    ):
        wall, cpu, sql, queries, size = _timed(client, url, args.repeat)
        print(
            f"| {label} | {wall:.0f} | {cpu:.0f} | {sql:.0f} | {queries} | {size:,} |", flush=True
        )
    print(f"({sb.load()})")


def _background(stored, lead, reviewer, progress: str, csv: str, repeat: int) -> None:
    from django.db import connection

    from reviewapp.models import Review
    from screening.models import StoredAgreement

    review = Review.objects.get(slug="bench")
    StoredAgreement.objects.filter(review=review).delete()
    for label, client, scope in (("lead", lead, "lead"), ("reviewer", reviewer, "reviewer")):
        t = time.perf_counter()
        response = client.get(progress)
        ms = (time.perf_counter() - t) * 1000
        assert response.status_code == 200
        job = StoredAgreement.objects.get(review=review, scope=scope).job_id
        print(
            f"| first view, {label} (queues the job) | {ms:.0f} | | | | {len(response.content):,} |"
        )
        print(f"| the job, {label} scope (seconds) | {_wait(job):.2f} s | | | | |", flush=True)
    # A decision written again: the triggers bump the stamp; the next view shows the kept
    # result (stale) and queues a recompute.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE screening_decision SET value = value WHERE id ="
            " (SELECT MIN(id) FROM screening_decision WHERE review_id = %s)",
            [review.pk],
        )
    t = time.perf_counter()
    response = lead.get(progress)
    ms = (time.perf_counter() - t) * 1000
    assert "being computed again" in response.content.decode(), "not stale"
    print(f"| stale view, lead (queues a recompute) | {ms:.0f} | | | | {len(response.content):,} |")
    job = StoredAgreement.objects.get(review=review, scope="lead").job_id
    print(f"| the recompute, lead scope (seconds) | {_wait(job):.2f} s | | | | |", flush=True)
    c = time.process_time()
    stored.compute_agreement.run(review.pk, "ta", "lead")
    print(
        f"| the job's work, CPU ms in this process | | {(time.process_time() - c) * 1000:.0f} | | | |"
    )


if __name__ == "__main__":
    main()
