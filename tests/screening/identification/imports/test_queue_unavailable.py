"""Redis down: the upload is stored, the page says it starts by itself, nobody's page view has
to send it: the sweeper does once the queue is back, and the report says what happened."""

from __future__ import annotations

import datetime as dt

import pytest

from reviewapp import jobs
from reviewapp.models import Job
from screening.identification import imports
from screening.models import ImportJob, Record

from .conftest import ris, upload

pytestmark = pytest.mark.django_db


def _down(*args, **kwargs):
    raise jobs.QueueUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_an_upload_while_the_queue_is_down_waits_and_the_sweeper_runs_it_when_it_is_back(
    team, search, monkeypatch, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    monkeypatch.setattr(jobs, "send", _down)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, search, "scopus.ris", ris(4))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED
    run = imports.latest_run(job)
    assert (run.status, run.sent_at, run.send_failures) == (Job.Status.QUEUED, None, 1)
    page = client.get(response["Location"]).content.decode()
    assert "The import queue is unavailable right now" in page
    assert 'hx-trigger="every 1s"' in page  # keeps polling
    assert Record.objects.count() == 0

    client.get(response["Location"])  # page views send nothing...
    assert Record.objects.count() == 0
    monkeypatch.undo()  # ...Redis is back, and the sweeper (beat) sends it
    assert jobs.sweep_once()["sent"] == 1
    job.refresh_from_db()
    assert (job.status, job.records_imported) == (ImportJob.Status.DONE, 4)
    page = client.get(response["Location"]).content.decode()
    assert "The import queue is unavailable" not in page
    assert "the queue was unavailable at" in page
    assert "sent at" in page and "when the queue was back" in page
    assert any(line.startswith("History: the queue was unavailable") for line in
               imports.report_lines(job))  # fmt: skip


def test_the_searches_page_says_an_upload_waits_for_the_queue_and_sends_nothing(
    team, search, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(jobs, "send", _down)
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.store_upload(search, ris(2), "a.ris")
    sent = []
    monkeypatch.setattr(jobs, "send", lambda *a, **k: sent.append(a))
    page = team.client(team.lead).get(f"/r/{team.review.slug}/searches/").content.decode()
    assert "The import queue is unavailable right now" in page
    assert "waiting for the queue: it starts by itself" in page
    assert sent == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED


def test_an_import_the_request_never_sent_is_sent_by_the_sweeper(team, search):
    job = imports.store_upload(search, ris(2), "a.ris")  # on_commit never ran: the process died
    run = imports.latest_run(job)
    Job.objects.filter(pk=run.pk).update(created_at=run.created_at - dt.timedelta(minutes=1))
    assert jobs.sweep_once()["sent"] == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
