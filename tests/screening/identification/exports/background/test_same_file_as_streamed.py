"""A large records export runs in the background and gives, byte for byte, the file the request
streams for the same search, filters, set and format (and `export_records --query` writes)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from .conftest import export_job, export_url, stored_files, streamed

QUERIES = [
    "format=csv",
    "format=ris&set=unique",
    "format=bibtex&q=canteens",
    "format=csl-json&year=2016",
    "format=endnote-xml&q=-pensions",
    "format=csv&final=pending",
]


def _downloaded(client, response) -> tuple[bytes, object]:
    job = export_job(response)
    page = client.get(response["Location"])
    assert page.status_code == 200
    download = reverse("export_download", args=[job.review.slug, job.pk])
    assert download in page.content.decode()
    got = client.get(download)
    assert got.status_code == 200
    return b"".join(got.streaming_content), got


@pytest.mark.parametrize("query", QUERIES)
def test_background_file_is_the_streamed_file(large, settings, query):
    client = large.client(large.lead)
    settings.EXPORT_INLINE_MAX_ROWS = 5000
    expected = streamed(client, export_url(large, query))
    settings.EXPORT_INLINE_MAX_ROWS = 0
    body, got = _downloaded(client, client.post(export_url(large, query)))
    assert body == expected


def test_file_name_and_type_are_the_streamed_ones(large, settings):
    client = large.client(large.lead)
    url = export_url(large, "format=ris&set=unique")
    settings.EXPORT_INLINE_MAX_ROWS = 5000
    small = client.get(url)
    settings.EXPORT_INLINE_MAX_ROWS = 0
    _body, got = _downloaded(client, client.post(url))
    assert got["Content-Type"] == small["Content-Type"]
    assert got["Content-Disposition"] == small["Content-Disposition"]


def test_a_reviewers_file_keeps_their_own_filter(large, settings):
    """'Not decided by me' means the reviewer who asked, in the background too."""
    client = large.client(large.reviewer1)
    query = "format=csv&mine=undecided"
    settings.EXPORT_INLINE_MAX_ROWS = 5000
    expected = streamed(client, export_url(large, query))
    settings.EXPORT_INLINE_MAX_ROWS = 0
    body, _got = _downloaded(client, client.post(export_url(large, query)))
    assert body == expected
    assert b"Nudges in school canteens" not in body  # Rita decided it


def test_the_command_with_query_writes_the_same_file(large, settings, tmp_path):
    out = tmp_path / "out.csv"
    call_command("export_records", review=large.review.slug, fmt="csv", output=str(out),
                 query="Salience")  # fmt: skip
    settings.EXPORT_INLINE_MAX_ROWS = 0
    client = large.client(large.lead)
    response = client.post(export_url(large, "format=csv&q=Salience"))
    body, _got = _downloaded(client, response)
    assert body == out.read_bytes()


def test_small_exports_still_stream_and_store_nothing(large, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 5000
    client = large.client(large.lead)
    assert b"Nudges in school canteens" in streamed(client, export_url(large))
    assert stored_files(large.review) == []


def test_the_file_is_kept_in_the_reviews_export_folder(large):
    client = large.client(large.lead)
    job = export_job(client.post(export_url(large)))
    job.refresh_from_db()
    assert job.status == "done"
    assert job.result["path"].startswith(f"exports/{large.review.pk}/")
    assert job.result["rows"] == 7
    assert stored_files(large.review) == [job.result["path"].rsplit("/", 1)[1]]


def test_the_threshold_counts_the_rows_asked_for(large, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 7
    client = large.client(large.lead)
    assert client.post(export_url(large)).status_code == 200  # 7 records: at the limit
    settings.EXPORT_INLINE_MAX_ROWS = 6
    assert client.post(export_url(large)).status_code == 302
    assert client.post(export_url(large, "format=csv&q=canteens")).status_code == 200
