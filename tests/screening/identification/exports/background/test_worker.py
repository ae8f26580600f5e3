"""With Redis, a real Celery worker writes the large export; the page polls until the download
link shows, and the file is the one the request would have streamed."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from reviewapp.models import Job

from .conftest import export_job, export_url, streamed

pytestmark = pytest.mark.worker


def test_a_real_worker_writes_the_export(large, settings, celery_worker):
    client = large.client(large.lead)
    settings.EXPORT_INLINE_MAX_ROWS = 5000
    expected = streamed(client, export_url(large, "format=ris"))
    settings.EXPORT_INLINE_MAX_ROWS = 0
    response = client.post(export_url(large, "format=ris"))
    job = export_job(response)
    download = reverse("export_download", args=[large.review.slug, job.pk])
    deadline = time.monotonic() + 60
    while download not in client.get(response["Location"]).content.decode():
        assert time.monotonic() < deadline, celery_worker.log.read_text()
        time.sleep(0.2)
    assert b"".join(client.get(download).streaming_content) == expected
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.attempts, job.worker.startswith("celery@")) == ("done", 1, True)
