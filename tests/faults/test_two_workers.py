"""Two Celery workers and two web servers at once (as `docker compose up --scale worker=2
--scale web=2` runs them) give the same records and duplicates as one process does: the same
upload sent to both web servers at once, its import's message sent twice more (a retry, a lost
acknowledgement), and de-duplication asked for on both servers at once run each piece of work
once, and no row is lost or doubled (issue 21)."""

from __future__ import annotations

import threading

import pytest
from celery import Celery

from reviewapp.models import Job, Review
from screening.dedup import service as dedup
from screening.identification import lifecycle
from screening.identification.imports import import_file_now
from screening.models import DuplicateCandidate, ImportJob, Record, Search

from .stack import ris, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres]
FIRST = ris(3000, "a")
# The second search found 400 of the first's records again, and 400 of its own.
SECOND = ris(400, "a") + ris(400, "b")
UNIQUE = 3400


def _at_once(*calls) -> list:
    results: list = [None] * len(calls)

    def run(i, call):
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _send_again(stack, job: Job, times: int) -> list[str]:
    """Further messages for the same job, as a retried send or a redelivery would give."""
    # Not the current app: a Celery() made current would route every later test's tasks
    # (shared tasks resolve through the current app) to this stack's broker, gone after it.
    ids = [f"job-{job.pk}-again{i}" for i in range(times)]
    with Celery(broker=stack.redis.url, set_as_current=False) as app:
        for task_id in ids:
            queue = stack.env["CELERY_QUEUE"]
            app.send_task(job.task, args=job.args, task_id=task_id, queue=queue)
    return ids


def _settled(review: Review) -> bool:
    busy = Job.objects.filter(review=review, status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    return not busy.exists() and not review.import_jobs.exclude(status="done").exists()


def _outcome(review: Review) -> dict:
    records = Record.objects.filter(review=review)
    return {
        "records": records.count(),
        "distinct": records.values("search__source", "source_key").distinct().count(),
        "canonical": records.filter(is_canonical=True).count(),
        "clustered": records.exclude(cluster=None).count(),
        "clusters": review.duplicate_clusters.count(),
        "pairs": DuplicateCandidate.objects.filter(review=review).count(),
    }


def _one_worker(team, monkeypatch) -> dict:
    """The same files imported and de-duplicated in this one process, one after the other."""
    review = Review.objects.create(title="Reference", slug="reference", created_by=team.lead)
    monkeypatch.setattr(lifecycle, "after_import", lambda job: None)
    for source, content in (("Scopus", FIRST), ("Embase", SECOND)):
        search = Search.objects.create(review=review, source=source, created_by=team.lead)
        assert import_file_now(search, content, f"{source}.ris", user=team.lead).status == "done"
    dedup.run_dedup(review)
    return _outcome(review)


def test_two_workers_and_two_web_servers_do_each_job_once(team, stack, monkeypatch):
    stack.run("worker2", "web2")
    review = team.review
    scopus = Search.objects.create(review=review, source="Scopus", created_by=team.lead)
    embase = Search.objects.create(review=review, source="Embase", created_by=team.lead)
    one, two = stack.signed_in(team.lead, "web"), stack.signed_in(team.lead, "web2")

    # The same file sent to both web servers at once: one import.
    answers = _at_once(
        lambda: one.upload(review, scopus, "scopus.ris", FIRST),
        lambda: two.upload(review, scopus, "scopus.ris", FIRST),
    )
    assert sorted(a.status for a in answers) in ([200, 302], [302, 302]), answers
    assert ImportJob.objects.filter(search=scopus).count() == 1
    run = Job.objects.get(review=review, task=lifecycle.import_file.name)
    again = _send_again(stack, run, 2)
    assert two.upload(review, embase, "embase.ris", SECOND).status == 302
    wait_for(lambda: _settled(review), 40, "the imports and their follow-up jobs")

    # De-duplication asked for on both servers at once, and its message sent twice more.
    page = f"/r/{review.slug}/duplicates/"
    answers = _at_once(lambda: one.post(page, f"{page}run/"), lambda: two.post(page, f"{page}run/"))
    assert [a.status for a in answers] == [302, 302]
    again += _send_again(stack, Job.objects.filter(task=dedup.dedup_review.name).latest("pk"), 2)
    wait_for(lambda: _settled(review), 40, "the de-duplication runs")

    # Every job ran once: on one worker, in one attempt, or was merged into a run that did.
    for job in Job.objects.filter(review=review):
        merged = isinstance(job.result, dict) and "merged_into" in job.result
        assert job.status == Job.Status.DONE, (job.task, job.status, job.error)
        assert merged or job.attempts == 1, (job.task, job.attempts, job.history, job.error)
    imports = ImportJob.objects.filter(review=review)
    assert sorted(imports.values_list("attempts", "records_imported")) == [(1, 800), (1, 3000)]
    runs = [
        job.result
        for job in Job.objects.filter(task=dedup.dedup_review.name, review=review)
        if isinstance(job.result, dict) and "auto_merged" in job.result
    ]

    def logs() -> list[str]:
        return [stack.log(name).read_text() for name in ("worker", "worker2")]

    # A message sent again for a job already done may still sit in the queue once the review
    # has settled: wait for each to be taken and answered, not only for the jobs to close.
    wait_for(
        lambda: all(any(f"[{i}] succeeded" in log for log in logs()) for i in again),
        40,
        "the extra messages to be answered",
    )
    assert all("succeeded" in log for log in logs()), "each worker ran some of the work"

    # No row lost or doubled: the same as one process doing it all in turn.
    outcome = _outcome(review)
    reference = _one_worker(team, monkeypatch)
    assert outcome == reference
    assert outcome["records"] == 3800 and outcome["distinct"] == 3800
    assert outcome["canonical"] == UNIQUE
    # The runs merged each duplicate once between them (a later run found nothing new).
    assert sum(r["auto_merged"] for r in runs) == outcome["clustered"]
