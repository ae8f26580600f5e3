"""PostgreSQL drops every connection mid-traffic (pg_terminate_backend, as a restart does):
the requests after it succeed, and the background work under way (the import, then what it
sets off) retries and completes (issue 28)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from reviewapp.models import Job
from screening.identification import imports
from screening.models import ImportJob, Record

from .stack import ris, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres]
N = 60_000


def terminate_backends() -> tuple[float, float, int]:
    """Drop every other connection to this database; returns (began, ended, how many) once
    they are gone."""
    began = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        pids = [pid for (pid,) in cursor.fetchall()]
        cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [pids])
        wait_for(
            lambda: (
                not cursor.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)", [pids]
                ).fetchone()
            ),
            10,
            "the backends to exit",
            step=0.02,
        )
    return began, time.monotonic(), len(pids)


def test_after_the_database_dropped_every_connection_the_next_requests_succeed(team, search, stack):
    web = stack.signed_in(team.lead)
    assert web.upload(team.review, search, "big.ris", ris(N)).status == 302
    job = ImportJob.objects.get(search=search)
    wait_for(
        lambda: Job.objects.filter(pk=imports.latest_run(job).pk, progress__gt=0).exists(),
        60,
        "the import to be under way",
        step=0.05,
    )
    slug = team.review.slug
    pages = [f"/r/{slug}/searches/", f"/r/{slug}/", f"/r/{slug}/records/", "/"]
    traffic: list[tuple[float, float, int]] = []
    stop = threading.Event()

    reader = stack.signed_in(team.reviewer1)  # before the cuts: a sign-in is not a page view

    def browse() -> None:
        while not stop.is_set():
            for page in pages:
                started = time.monotonic()
                status = reader.get(page).status
                traffic.append((started, time.monotonic(), status))

    browser = threading.Thread(target=browse)
    browser.start()
    cuts = []
    try:
        for _ in range(3):
            # The first cut as soon as the import is under way: it takes only seconds.
            cuts.append(terminate_backends())
            time.sleep(1.5)
    finally:
        stop.set()
        browser.join(timeout=60)
    assert all(n > 0 for _, _, n in cuts)  # there were connections to drop each time
    # Requests under way while the connections were dropped may fail; every one that started
    # after a cut and ran clear of the next must succeed.
    after = [
        status
        for started, ended, status in traffic
        if started > cuts[0][1] and not any(b <= ended and started <= e for b, e, _ in cuts)
    ]
    in_flight = sum(1 for s, e, _ in traffic if any(b <= e and s <= end for b, end, _ in cuts))
    print(f"{len(after)} requests after the cuts, {in_flight} under way during one")
    assert len(after) >= 4
    assert after == [200] * len(after), after
    after_last = [web.get(page).status for page in pages * 2]
    assert after_last == [200] * len(after_last)

    finished = (ImportJob.Status.DONE, ImportJob.Status.FAILED)
    wait_for(
        lambda: ImportJob.objects.filter(pk=job.pk, status__in=finished).exists(),
        90,
        "the import to complete after the connection losses",
    )
    job.refresh_from_db()
    assert (job.status, job.error) == (ImportJob.Status.DONE, "")
    assert job.records_imported == N
    assert Record.objects.filter(import_job=job).count() == N
    # Every background job ends done (the import, and the de-duplication, indexing and
    # assignments it set off); the ones a cut hit say so in their history.
    wait_for(
        lambda: not Job.objects.exclude(status=Job.Status.DONE).exists(),
        90,
        "every background job to complete after the connection losses",
    )
    histories = [(j.task, [e["event"] for e in j.history]) for j in Job.objects.order_by("pk")]
    hit = [task for task, events in histories if {"retry", "stopped"} & set(events)]
    assert hit, histories
