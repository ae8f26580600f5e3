"""While a task runs, its worker writes the job's heartbeat and progress on a connection of its
own; a lost database connection makes the task retry instead of failing."""

from __future__ import annotations

import time

import pytest

from reviewapp import jobs
from reviewapp.models import Job

from .conftest import RUNS, sample

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_heartbeat_carries_the_progress_the_task_reports(broker, settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    job = jobs.claim(jobs.enqueue(sample, "a", after_commit=False).pk)
    first_beat = job.heartbeat_at
    with jobs._Heartbeat(job):
        jobs.report_progress(42.7)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            row = Job.objects.get(pk=job.pk)
            if row.progress == 42 and row.heartbeat_at > first_beat:
                break
            time.sleep(0.05)
        else:
            pytest.fail("no heartbeat with the progress was written")
    jobs.report_progress(99)  # outside a running task: nothing to report to
    time.sleep(0.2)
    assert Job.objects.get(pk=job.pk).progress == 42


def test_a_lost_database_connection_makes_the_task_retry_and_complete(broker, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in a worker: the retry goes through the queue
    job = jobs.enqueue(sample, "a", "database-once", after_commit=False)
    broker.deliver()
    job.refresh_from_db()
    assert RUNS == [("a",), ("a",)]
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)
    assert [e["event"] for e in job.history] == ["retry", "restarted"]
    assert jobs.story(job).startswith("lost the database connection at ")
