"""A de-duplication run is a background job like any other: asked for while Redis is down, it
is recorded, the page says it waits, and the sweeper sends it once the queue is back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reviewapp import jobs
from reviewapp.models import Job
from screening.dedup import service

from .factories import article, pair_of_searches

pytestmark = pytest.mark.django_db


def _down(*args, **kwargs):
    raise jobs.QueueUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_run_asked_for_while_the_queue_is_down_is_sent_by_the_sweeper(team, monkeypatch):
    medline, embase = pair_of_searches(team.review)
    article(medline)
    article(embase)
    client = team.client(team.lead)
    monkeypatch.setattr(jobs, "send", _down)
    page = client.post(f"/r/{team.review.slug}/duplicates/run/", follow=True).content.decode()
    assert "The de-duplication run is recorded and starts by itself" in page
    assert "A de-duplication run is waiting for the queue" in page
    run = jobs.latest(service.dedup_review, team.review.pk)
    assert (run.status, run.send_failures) == (Job.Status.QUEUED, 1)
    assert team.review.duplicate_clusters.count() == 0

    monkeypatch.undo()
    assert jobs.sweep_once()["sent"] == 1
    run.refresh_from_db()
    assert run.status == Job.Status.DONE
    assert team.review.duplicate_clusters.count() == 1
    page = client.get(f"/r/{team.review.slug}/duplicates/").content.decode()
    assert "Last run: the queue was unavailable at" in page


def test_a_run_given_up_says_why_on_the_page(team, settings):
    run = service.enqueue_dedup(team.review)  # on_commit never ran
    Job.objects.filter(pk=run.pk).update(
        status=Job.Status.RUNNING,
        attempts=settings.JOB_MAX_ATTEMPTS,
        heartbeat_at=timezone.now() - dt.timedelta(minutes=5),
    )
    jobs.sweep_once()
    page = team.client(team.lead).get(f"/r/{team.review.slug}/duplicates/").content.decode()
    assert "The last de-duplication run failed: The worker stopped" in page
