"""The sweeper (Celery beat): work whose worker stopped is handed back and started again, and
given up after JOB_MAX_ATTEMPTS; old rows with nothing to tell are deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reviewapp import jobs
from reviewapp.models import Job

from .conftest import RUNS, sample

pytestmark = pytest.mark.django_db


def _stopped(settings, attempts: int = 1, progress: int = 57) -> Job:
    job = jobs.enqueue(sample, "a", after_commit=False)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        attempts=attempts,
        progress=progress,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=3 * settings.JOB_HEARTBEAT_SECONDS + 1),
    )
    return job


def test_work_whose_worker_stopped_is_sent_again_and_completes(broker, settings):
    job = _stopped(settings)
    broker.sent.clear()  # the dead worker took its message with it
    assert jobs.sweep_once() == {"stopped": 1, "given_up": 0, "sent": 1, "unsent": 0, "deleted": 0}
    broker.deliver()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)
    assert RUNS == [("a",)]
    story = jobs.story(job)
    assert story.startswith("the worker stopped at 57 %; restarted ")
    assert "; completed " in story


def test_a_worker_that_still_beats_is_left_alone(broker, settings):
    job = jobs.enqueue(sample, "a", after_commit=False)
    jobs.claim(job.pk)
    assert jobs.sweep_once()["stopped"] == 0
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


def test_work_that_keeps_killing_its_worker_is_given_up(broker, settings):
    job = _stopped(settings, attempts=settings.JOB_MAX_ATTEMPTS, progress=80)
    assert jobs.sweep_once()["given_up"] == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "the last time at 80 %" in job.error
    assert "given up at" in jobs.story(job)


def test_old_rows_with_nothing_to_tell_are_deleted_and_the_others_kept(broker, settings):
    plain = jobs.enqueue(sample, "a", after_commit=False)
    eventful = _stopped(settings)
    broker.deliver()
    jobs.sweep_once()
    broker.deliver()
    long_ago = timezone.now() - jobs.KEEP_DONE - dt.timedelta(days=1)
    Job.objects.update(finished_at=long_ago)
    assert jobs.sweep_once()["deleted"] == 1
    assert list(Job.objects.values_list("pk", flat=True)) == [eventful.pk]
    assert not Job.objects.filter(pk=plain.pk).exists()
