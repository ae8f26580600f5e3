"""A run that fails leaves no file and tells the person why; a message delivered again does
nothing; a run taken over from a stopped worker offers only its own, complete file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from reviewapp import jobs
from reviewapp.models import Job
from screening.identification import export_files, exports

from .conftest import export_job, export_url, stored_files


@pytest.fixture
def breaks_midway(monkeypatch):
    real = exports.export_csv

    def broken(records, progress=None):
        chunks = real(records, progress)
        yield next(chunks)
        raise ValueError("disk trouble")

    monkeypatch.setattr(exports, "export_csv", broken)


def test_a_failed_export_says_so_and_leaves_no_file(large, breaks_midway):
    client = large.client(large.lead)
    response = client.post(export_url(large))
    job = export_job(response)
    job.refresh_from_db()
    assert job.status == "failed"
    assert stored_files(large.review) == []  # neither the file nor its partial copy
    page = client.get(response["Location"]).content.decode()
    assert "The export failed." in page and "ValueError" in page
    assert "Try again" in page and "/download/" not in page
    # Its download address leads back to the page, never to half a file.
    got = client.get(f"/r/{large.review.slug}/exports/{job.pk}/download/")
    assert got.status_code == 302


def test_a_message_delivered_again_does_nothing(large):
    job = export_job(large.client(large.lead).post(export_url(large)))
    job.refresh_from_db()
    before = (job.result, stored_files(large.review))
    jobs.send(export_files.export_records_file, *job.args, task_id=f"job-{job.pk}-again")
    job.refresh_from_db()
    assert job.status == "done" and (job.result, stored_files(large.review)) == before


def test_a_run_taken_over_from_a_stopped_worker_writes_a_whole_file(large, monkeypatch):
    monkeypatch.setattr(jobs, "dispatch", lambda job: True)
    client = large.client(large.lead)
    job = export_job(client.post(export_url(large)))
    # The first worker died midway: its partial copy is on disk, its heartbeat is old.
    leftover = f"exports/{large.review.pk}/deadbeef.part"
    default_storage.save(leftover, ContentFile(b"id,source\n1,"))
    stale = timezone.now() - dt.timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(status="running", attempts=1, heartbeat_at=stale)
    jobs.send(export_files.export_records_file, *job.args, task_id=f"job-{job.pk}-again")
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2
    with default_storage.open(job.result["path"]) as fh:
        assert fh.read().count(b"\r\n") == 8  # the header and the seven records
    assert "restarted" in client.get(f"/r/{large.review.slug}/exports/{job.pk}/").content.decode()
