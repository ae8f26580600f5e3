"""While the export runs, its page shows the rows written so far and polls (htmx) for more,
in a few queries; when it is done, the download link."""

from __future__ import annotations

import pytest
from django.utils import timezone

from reviewapp import downloads, jobs
from reviewapp.models import Job
from screening.identification import export_files

from .conftest import export_job, export_url


@pytest.fixture
def running(large, monkeypatch):
    monkeypatch.setattr(jobs, "dispatch", lambda job: True)
    response = large.client(large.lead).post(export_url(large))
    job = export_job(response)
    Job.objects.filter(pk=job.pk).update(
        status="running",
        attempts=1,
        heartbeat_at=timezone.now(),
        progress=40,
        result={"rows": 2000, "total": 5000},
    )
    return response["Location"], job


def test_a_running_export_shows_rows_written_and_polls(
    large, running, django_assert_max_num_queries
):
    url, job = running
    client = large.client(large.lead)
    # The session, the user, the membership, the job, and the navigation's four badges.
    with django_assert_max_num_queries(8):
        page = client.get(url)
    text = page.content.decode()
    assert "2,000 of 5,000 rows written" in text
    assert 'value="40"' in text and f'hx-get="{url}"' in text and 'hx-trigger="every 1s"' in text
    assert "/download/" not in text


def test_the_htmx_poll_gets_the_progress_fragment_only(
    large, running, django_assert_max_num_queries
):
    url, job = running
    client = large.client(large.lead)
    # The session, the user, the membership and the job: a poll a second stays cheap.
    with django_assert_max_num_queries(4):
        fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="export-progress"')
    assert "<html" not in fragment


def test_when_done_the_poll_stops_and_offers_the_file(large, running):
    url, job = running
    Job.objects.filter(pk=job.pk).update(status="queued", attempts=0)
    jobs.send(export_files.export_records_file, *job.args, task_id=f"job-{job.pk}-x")
    fragment = large.client(large.lead).get(url, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "hx-get" not in text
    assert "Your export is ready: 7 rows." in text
    assert f"/exports/{job.pk}/download/" in text and "review-" in text


def test_progress_reaches_the_job_row_while_the_rows_are_written(large, monkeypatch):
    """Rows are counted as the file is written (every PROGRESS_EVERY_ROWS, at most once a
    second), on the job's row with a heartbeat."""
    monkeypatch.setattr(downloads, "PROGRESS_EVERY_ROWS", 2)
    monkeypatch.setattr(downloads, "PROGRESS_SECONDS", 0)
    written = []
    original = downloads._Progress.__call__

    def record(self, rows):
        original(self, rows)
        if self.job is not None:
            written.append(Job.objects.values_list("result", "progress").get(pk=self.job.pk))

    monkeypatch.setattr(downloads._Progress, "__call__", record)
    export_job(large.client(large.lead).post(export_url(large)))
    assert written[0] == ({"rows": 2, "total": 7}, 28)
    assert written[-1] == ({"rows": 7, "total": 7}, 99)


def test_the_progress_speaks_chinese(large, running):
    url, job = running
    page = large.client(large.lead).get(url, HTTP_ACCEPT_LANGUAGE="zh-TW").content.decode()
    assert "已寫入 2,000 列，共 5,000 列" in page and "匯出進度" in page
