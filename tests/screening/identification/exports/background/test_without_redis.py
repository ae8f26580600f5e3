"""Without a broker (the embedded set-up) the export runs beside the request, on the web
process's background thread: the request answers at once with the progress page."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse

from reviewapp.jobs import background_thread
from tests.gates import Gate

from .conftest import export_job, export_url, streamed


# The thread reads the job's row on a connection of its own: the row must be committed.
@pytest.mark.django_db(transaction=True)
def test_the_request_answers_at_once_and_the_file_follows(large, settings):
    client = large.client(large.lead)
    settings.EXPORT_INLINE_MAX_ROWS = 5000
    expected = streamed(client, export_url(large, "format=bibtex"))
    settings.EXPORT_INLINE_MAX_ROWS = 0
    settings.TASKS_IN_THREAD = True
    gate = threading.Event()
    background_thread.submit(Gate(gate), (), {})
    try:
        response = client.post(export_url(large, "format=bibtex"))
        job = export_job(response)
        page = client.get(response["Location"]).content.decode()
        assert "Queued" in page and 'hx-trigger="every 1s"' in page
    finally:
        gate.set()
        background_thread.join()
    page = client.get(response["Location"]).content.decode()
    download = reverse("export_download", args=[large.review.slug, job.pk])
    assert download in page
    assert b"".join(client.get(download).streaming_content) == expected
