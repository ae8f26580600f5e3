"""A large decisions export runs in the background and gives the streamed file byte for byte,
blinded the same way: a reviewer's file holds their own decisions only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp.models import Job

from .helpers import screened


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def _streamed(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content)


def _in_background(client, url: str) -> tuple[Job, bytes]:
    response = client.post(url)  # a job starts from the page's form, never from a link
    assert response.status_code == 302
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    page = client.get(response["Location"]).content.decode()
    download = reverse("export_download", args=[job.review.slug, job.pk])
    assert download in page
    return job, b"".join(client.get(download).streaming_content)


@pytest.mark.parametrize("fmt", ["decisions-csv", "rayyan-ris", "asreview-csv"])
@pytest.mark.parametrize("who", ["lead", "reviewer1"])
def test_background_file_is_the_streamed_file(team, settings, fmt, who):
    screened(team)
    client = team.client(getattr(team, who))
    url = reverse("decisions_export", args=[team.review.slug]) + f"?format={fmt}"
    expected = _streamed(client, url)
    settings.EXPORT_INLINE_MAX_ROWS = 2
    job, body = _in_background(client, url)
    assert body == expected
    assert job.task == "screening.export_decisions_file"


def test_a_reviewers_background_file_holds_their_own_decisions(team, settings):
    screened(team)
    settings.EXPORT_INLINE_MAX_ROWS = 0
    url = reverse("decisions_export", args=[team.review.slug]) + "?format=decisions-csv"
    job, body = _in_background(team.client(team.reviewer1), url)
    text = body.decode()
    assert "rita@example.org" in text and "remy@example.org" not in text
    assert job.result["rows"] == 4
    # Remy cannot fetch Rita's file.
    download = reverse("export_download", args=[team.review.slug, job.pk])
    assert team.client(team.reviewer2).get(download).status_code == 404


def test_the_threshold_counts_the_rows_of_the_file(team, settings):
    """Eight decisions in all, four of them Rita's."""
    screened(team)
    settings.EXPORT_INLINE_MAX_ROWS = 4
    url = reverse("decisions_export", args=[team.review.slug]) + "?format=decisions-csv"
    assert team.client(team.reviewer1).get(url).streaming  # her four: in the request
    assert team.client(team.lead).post(url).status_code == 302  # all eight: a job
