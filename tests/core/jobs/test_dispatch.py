"""Asking for background work writes a Job row and sends its message after commit; a send
that fails is recorded on the row, the request goes on, and the sweeper sends it later."""

from __future__ import annotations

import pytest

from reviewapp import jobs
from reviewapp.models import Job

from .conftest import RUNS, sample

pytestmark = pytest.mark.django_db


def test_the_job_is_written_now_and_sent_after_commit(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.enqueue(sample, "a")
        assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
        assert broker.sent == []
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.sent_at is not None
    assert [args for _, args, _ in broker.sent] == [("a",)]
    assert jobs.job_id_of(broker.sent[0][2]) == job.pk


def test_a_run_through_the_row_marks_it_done_with_its_result(broker):
    job = jobs.enqueue(sample, "a", after_commit=False)
    broker.deliver()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (Job.Status.DONE, 1, {"label": "a"})
    assert job.finished_at is not None


def test_with_the_queue_down_the_row_keeps_the_reason_and_the_caller_is_told(broker):
    broker.down = True
    told = []
    job = jobs.enqueue(sample, "a", on_unavailable=lambda: told.append(True), after_commit=False)
    job.refresh_from_db()
    assert told == [True]
    assert (job.status, job.sent_at, job.send_failures) == (Job.Status.QUEUED, None, 1)
    assert "Connection refused" in job.send_error
    assert jobs.waiting_for_queue(job)
    assert [e["event"] for e in job.history] == ["unsent"]


def test_the_sweeper_sends_it_once_the_queue_is_back_and_it_runs(broker):
    broker.down = True
    job = jobs.enqueue(sample, "a", after_commit=False)
    assert jobs.sweep_once()["unsent"] == 1  # still down: the next sweep tries again
    broker.down = False
    assert jobs.sweep_once()["sent"] == 1
    broker.deliver()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert RUNS == [("a",)]
    assert [e["event"] for e in job.history] == ["unsent", "sent"]
    assert "the queue was unavailable at" in jobs.story(job)
    assert jobs.story(job).endswith(f"completed {jobs._clock(job.finished_at)}")


def test_a_row_whose_request_died_before_sending_is_sent_by_the_sweeper(broker):
    job = jobs.enqueue(sample, "a")  # on_commit never runs: the process died after commit
    assert jobs.sweep_once()["sent"] == 0  # young: its own request may still send it
    Job.objects.filter(pk=job.pk).update(created_at=job.created_at - jobs.SEND_GRACE * 2)
    assert jobs.sweep_once()["sent"] == 1


def test_a_message_lost_by_the_broker_is_sent_again_after_the_resend_delay(broker, settings):
    job = jobs.enqueue(sample, "a", after_commit=False)
    broker.sent.clear()  # Redis restarted without its data: the message is gone
    assert jobs.sweep_once()["sent"] == 0
    settings.JOB_RESEND_AFTER_SECONDS = 0
    assert jobs.sweep_once()["sent"] == 1
    broker.deliver()
    assert Job.objects.get(pk=job.pk).status == Job.Status.DONE


def test_the_queue_is_not_tried_again_for_a_moment_after_it_failed(monkeypatch, settings):
    """Six uploads while Redis is down cost one connection attempt, not six."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(1)
        raise OSError("Connection refused")

    monkeypatch.setattr(sample, "apply_async", refuse)
    monkeypatch.setattr(jobs, "_broker_down_until", 0.0)
    for _ in range(6):
        with pytest.raises(jobs.QueueUnavailable):
            jobs.send(sample, "a")
    assert len(attempts) == 1


def test_any_error_of_sending_is_reported_as_queue_unavailable(monkeypatch, settings):
    """The result store raised RuntimeError with Redis down; that answered 500 before."""
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def fail(*args, **kwargs):
        raise RuntimeError(
            "Retry limit exceeded while trying to reconnect to the Celery redis result store backend."
        )

    monkeypatch.setattr(sample, "apply_async", fail)
    monkeypatch.setattr(jobs, "_broker_down_until", 0.0)
    with pytest.raises(jobs.QueueUnavailable):
        jobs.send(sample, "a")
    monkeypatch.setattr(jobs, "_broker_down_until", 0.0)
