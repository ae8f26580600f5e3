"""A worker SIGKILLed mid-import: nobody opens a page, and the import completes anyway once a
worker is back (as the compose file's restart policy brings it), exactly once, with a report
that says what happened (issue 28)."""

from __future__ import annotations

import time

import pytest

from reviewapp.models import Job
from screening.identification import imports
from screening.models import ImportJob, Record

from .stack import ris, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres]
N = 80_000


def test_an_import_whose_worker_was_killed_completes_within_90_s_without_a_page_view(
    team, search, stack
):
    web = stack.signed_in(team.lead)
    assert web.upload(team.review, search, "big.ris", ris(N)).status == 302
    job = ImportJob.objects.get(search=search)
    run = wait_for(
        lambda: Job.objects.filter(pk=imports.latest_run(job).pk, progress__gt=0).first(),
        60,
        "the import to be under way",
        step=0.05,
    )
    stack.kill("worker")
    killed = time.monotonic()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert Record.objects.filter(import_job=job).count() == 0  # its transaction died with it

    stack.run("worker2")  # the supervisor restarts the worker; no page is opened
    wait_for(
        lambda: ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.DONE).exists(),
        90 - (time.monotonic() - killed),
        "the import to complete",
    )
    recovered = time.monotonic() - killed
    print(f"killed at {run.progress} %, completed {recovered:.1f} s later")
    assert recovered < 90
    assert len(web.answers) == 1  # the upload: no page view sent anything

    job.refresh_from_db()
    assert job.records_imported == N
    assert Record.objects.filter(import_job=job).count() == N
    assert Record.objects.filter(search=search).values("source_key").distinct().count() == N
    # The import is marked done inside the task; its Job row once the task has returned.
    wait_for(lambda: imports.latest_run(job).status == Job.Status.DONE, 30, "the job to close")
    run = imports.latest_run(job)
    assert (run.status, run.attempts) == (Job.Status.DONE, 2)
    story = imports.report_lines(job)[-1]
    assert story.startswith("History: the worker stopped at ")
    assert "; restarted " in story and "; completed " in story
    page = web.get(f"/r/{team.review.slug}/imports/{job.pk}/")
    assert page.status == 200 and "the worker stopped at" in page.text
