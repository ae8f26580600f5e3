"""Without a broker, an export whose web process stopped before running it does not stay
"Queued" for ever: its page, viewed after JOB_REVIVE_SECONDS, runs it again."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from reviewapp import jobs
from reviewapp.models import Job

from .conftest import export_job, export_url


def _lost_export(large, monkeypatch, settings):
    """Started while its process's background thread is gone: nothing will run it."""
    settings.TASKS_IN_THREAD = True
    with monkeypatch.context() as m:
        m.setattr(jobs.background_thread, "submit", lambda *args: True)
        job = export_job(large.client(large.lead).post(export_url(large)))
    settings.TASKS_IN_THREAD = False  # the revived run: here, in order
    return job


def test_a_lost_export_is_run_again_when_its_page_is_viewed(large, monkeypatch, settings):
    job = _lost_export(large, monkeypatch, settings)
    page = reverse("export_job", args=[large.review.slug, job.pk])
    client = large.client(large.lead)
    assert "Queued" in client.get(page).content.decode()  # young: it may still start
    Job.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(minutes=2))
    html = client.get(page).content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert reverse("export_download", args=[large.review.slug, job.pk]) in html


def test_a_running_export_whose_heartbeat_stopped_is_run_again(large, monkeypatch, settings):
    job = _lost_export(large, monkeypatch, settings)
    old = job.created_at - dt.timedelta(minutes=5)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1, heartbeat_at=old)
    large.client(large.lead).get(reverse("export_job", args=[large.review.slug, job.pk]))
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)
    assert [e["event"] for e in job.history][:2] == ["stopped", "restarted"]
