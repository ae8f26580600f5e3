"""Redis down: the upload page says the queue is unavailable, the job stays queued, and it runs
when the queue is back."""

from __future__ import annotations

import datetime as dt

import pytest

from reviewapp import jobs
from screening.models import ImportJob, Record

from .conftest import ris, upload

pytestmark = pytest.mark.django_db


def _down(*args, **kwargs):
    raise jobs.QueueUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_an_upload_while_the_queue_is_down_waits_and_runs_when_it_is_back(
    team, search, monkeypatch, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    monkeypatch.setattr(jobs, "send", _down)
    monkeypatch.setattr(jobs, "broker_available", lambda: False)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, search, "scopus.ris", ris(4))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert "The import queue is unavailable" in page
    assert 'hx-trigger="every 1s"' in page  # keeps polling
    assert Record.objects.count() == 0

    monkeypatch.undo()  # Redis is back
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(seconds=30))
    client.get(f"/r/{team.review.slug}/imports/{job.pk}/", headers={"HX-Request": "true"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Record.objects.count() == 4


def test_the_searches_page_sends_queued_jobs_again(team, search, monkeypatch):
    monkeypatch.setattr(jobs, "send", _down)
    from screening.identification.imports import store_upload

    job = store_upload(search, ris(2), "a.ris")  # on_commit never ran: as if the broker lost it
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(minutes=1))
    page = team.client(team.lead).get(f"/r/{team.review.slug}/searches/").content.decode()
    assert "The import queue is unavailable" in page
    monkeypatch.undo()
    team.client(team.lead).get(f"/r/{team.review.slug}/searches/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
