"""An import whose worker keeps dying is given up by the sweeper: the import says so and why,
and nothing of its file is stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reviewapp import jobs
from reviewapp.models import Job
from screening.identification import imports
from screening.models import ImportJob, Record

from .conftest import ris

pytestmark = pytest.mark.django_db


def test_an_import_that_keeps_killing_its_worker_fails_with_the_reason(team, search, settings):
    job = imports.store_upload(search, ris(3), "huge.ris")  # never sent (on_commit did not run)
    run = imports.latest_run(job)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, attempts=4)
    Job.objects.filter(pk=run.pk).update(
        status=Job.Status.RUNNING,
        attempts=settings.JOB_MAX_ATTEMPTS,
        progress=63,
        heartbeat_at=timezone.now() - dt.timedelta(minutes=5),
    )
    assert jobs.sweep_once()["given_up"] == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error == (
        f"The worker stopped {settings.JOB_MAX_ATTEMPTS} times while running this (the last time "
        "at 63 %), so it was given up. Nothing of the file was stored; upload it again to retry."
    )
    assert Record.objects.count() == 0
    page = team.client(team.lead).get(f"/r/{team.review.slug}/imports/{job.pk}/").content.decode()
    assert "Not imported." in page and "so it was given up" in page
    assert "given up at" in page


def test_an_import_given_up_after_it_finished_elsewhere_stays_done(team, search):
    job = imports.store_upload(search, ris(3), "a.ris")
    run = imports.latest_run(job)
    imports.run_import(job.pk)
    Job.objects.filter(pk=run.pk).update(status=Job.Status.RUNNING, heartbeat_at=None)
    jobs.give_up(Job.objects.get(pk=run.pk), "gave up")
    job.refresh_from_db()
    assert (job.status, job.records_imported) == (ImportJob.Status.DONE, 3)
