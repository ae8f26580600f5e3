"""A message runs its job only when the job is the worker's to run: not done, not held by a
worker that still beats; requests for the same work queued before the run are covered by it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.dispatch import receiver
from django.utils import timezone

from reviewapp import jobs
from reviewapp.models import Job

from .conftest import RUNS, sample

pytestmark = pytest.mark.django_db


def _running(heartbeat_age: float, attempts: int = 1, progress: int = 57) -> Job:
    job = jobs.enqueue(sample, "a", after_commit=False)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        attempts=attempts,
        progress=progress,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=heartbeat_age),
    )
    return Job.objects.get(pk=job.pk)


def test_a_second_message_for_a_done_job_does_nothing(broker):
    job = jobs.enqueue(sample, "a", after_commit=False)
    message = broker.sent[0]
    broker.deliver()
    broker.sent.append(message)  # the broker delivers it again
    broker.deliver()
    assert RUNS == [("a",)]
    assert Job.objects.get(pk=job.pk).attempts == 1


def test_a_job_whose_worker_still_beats_is_left_to_it(broker, settings):
    job = _running(heartbeat_age=1)
    assert jobs.claim(job.pk) is None
    assert Job.objects.get(pk=job.pk).attempts == 1


def test_a_job_whose_worker_stopped_is_taken_over_and_says_so(broker, settings):
    job = _running(heartbeat_age=3 * settings.JOB_HEARTBEAT_SECONDS + 1)
    claimed = jobs.claim(job.pk, worker="celery@two")
    assert (claimed.status, claimed.attempts, claimed.worker) == (
        Job.Status.RUNNING,
        2,
        "celery@two",
    )
    assert [e["event"] for e in claimed.history] == ["stopped", "restarted"]
    assert claimed.history[0]["percent"] == 57
    assert jobs.story(claimed).startswith("the worker stopped at 57 %; restarted ")


def test_queued_requests_for_the_same_work_are_covered_by_the_run(broker):
    first = jobs.enqueue(sample, "a", after_commit=False)
    second = jobs.enqueue(sample, "a", after_commit=False)
    other = jobs.enqueue(sample, "b", after_commit=False)
    broker.deliver()
    assert sorted(RUNS) == [("a",), ("b",)]
    states = {j.pk: (j.status, j.result) for j in Job.objects.all()}
    assert states[other.pk][0] == Job.Status.DONE
    done = [states[first.pk], states[second.pk]]
    assert {"merged_into": first.pk} in [r for _, r in done] or {"merged_into": second.pk} in [
        r for _, r in done
    ]
    assert all(status == Job.Status.DONE for status, _ in done)


def test_after_the_last_attempt_the_work_is_given_up_and_its_stage_told(broker, settings):
    told = []

    @receiver(jobs.job_failed, weak=False)
    def listener(sender, job, **kwargs):
        told.append((sender, job.pk, job.error))

    try:
        job = _running(heartbeat_age=3600, attempts=settings.JOB_MAX_ATTEMPTS, progress=12)
        assert jobs.claim(job.pk) is None
    finally:
        jobs.job_failed.disconnect(listener)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == (
        f"The worker stopped {settings.JOB_MAX_ATTEMPTS} times while running this "
        "(the last time at 12 %), so it was given up."
    )
    assert told == [("tests.core.jobs.sample", job.pk, job.error)]


def test_a_task_that_raises_fails_its_job_with_the_reason(broker):
    job = jobs.enqueue(sample, "a", "boom", after_commit=False)
    with pytest.raises(ValueError):
        broker.deliver()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "It failed unexpectedly (ValueError)."


def test_called_directly_or_sent_without_a_row_the_task_just_runs(broker):
    assert sample("direct") == {"label": "direct"}
    assert sample.apply(args=("plain",)).get() == {"label": "plain"}
    assert RUNS == [("direct",), ("plain",)]
    assert not Job.objects.exists()
