"""A BibTeX upload with an entry that cannot be read is refused whole, naming it; ticking "skip
entries that cannot be read" (on upload, or on the failed import's page) imports the others and
lists the skipped one in the report."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.identification.imports import report_lines
from screening.models import ImportJob, Record

pytestmark = pytest.mark.django_db

Status = ImportJob.Status
BIB = b"""@article{good1,
  title = {Protected research time},
  author = {Reyes, Ana},
  year = {2019},
}
@article{broken2,
  title = {An entry cut short},
  keywords = {research, {time,
  year = {2020},
}
@article{good3,
  title = {Research champions},
  year = {2021},
}
"""


def _upload(client, search, **extra):
    return client.post(
        f"/r/{search.review.slug}/searches/{search.pk}/upload/",
        {"files": SimpleUploadedFile("ebsco.bib", BIB), "format": "auto", **extra},
    )


def test_the_file_is_refused_naming_the_entry_and_nothing_is_stored(
    team, search, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, search)
    job = ImportJob.objects.get()
    assert job.status == Status.FAILED and Record.objects.count() == 0
    assert job.error.startswith(
        "Line 6: The BibTeX entry (key broken2, “An entry cut short”) could not be read: in the "
        "field “keywords” (line 8), 1 “{” is never closed"
    )
    page = client.get(response["Location"]).content.decode()
    assert "Import this file again" in page and "Skip entries that cannot be read" in page


def test_skipping_on_upload_imports_the_others_and_lists_the_skipped(
    team, search, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, search, skip_bad_entries="on")
    job = ImportJob.objects.get()
    assert (job.status, job.records_imported) == (Status.DONE, 2)
    assert sorted(Record.objects.values_list("source_key", flat=True)) == ["good1", "good3"]
    assert job.skipped == [[6, "broken2", "An entry cut short", job.skipped[0][3]]]
    lines = report_lines(job)
    assert "Entries skipped because they could not be read: 1" in lines
    assert any(
        line.startswith("Skipped (line 6, key broken2, “An entry cut short”)") for line in lines
    )
    page = client.get(response["Location"]).content.decode()
    assert "1 entry skipped: it could not be read" in page and "broken2" in page


def test_a_failed_import_runs_again_skipping_from_its_stored_file(
    team, search, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, search)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/r/{team.review.slug}/imports/{job.pk}/rerun/", {"skip_bad_entries": "on"})
    job.refresh_from_db()
    assert (job.status, job.records_imported, job.skip_bad_entries) == (Status.DONE, 2, True)
    assert ImportJob.objects.count() == 1  # the same job, not a second upload


def test_a_done_import_cannot_be_run_again(team, search, django_capture_on_commit_callbacks):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, search, skip_bad_entries="on")
    job = ImportJob.objects.get()
    response = client.post(
        f"/r/{team.review.slug}/imports/{job.pk}/rerun/", {"skip_bad_entries": "on"}, follow=True
    )
    assert "This import is not waiting to be run again." in response.content.decode()
    assert Record.objects.count() == 2


@pytest.mark.parametrize(("who", "status"), [("reviewer1", 403), ("outsider", 404)])
def test_only_a_lead_may_run_an_import_again(
    team, search, who, status, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(team.client(team.lead), search)
    job = ImportJob.objects.get()
    response = team.client(getattr(team, who)).post(
        f"/r/{team.review.slug}/imports/{job.pk}/rerun/", {"skip_bad_entries": "on"}
    )
    assert response.status_code == status
    job.refresh_from_db()
    assert job.status == Status.FAILED


def test_a_truncated_import_runs_again_allowing_the_cut(
    team, search, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    cut = BIB.replace(b"@article{broken2", b"@article{ok2").split(b"@article{good3")[0]
    cut += b"@article{good3,\n  title = {Research cham"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/r/{search.review.slug}/searches/{search.pk}/upload/",
            {"files": SimpleUploadedFile("cut.bib", cut), "format": "auto"},
        )
    job = ImportJob.objects.get()
    assert job.status == Status.FAILED and "ends too early" in job.error
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/r/{team.review.slug}/imports/{job.pk}/rerun/",
            {"allow_truncated": "on", "skip_bad_entries": "on"},
        )
    job.refresh_from_db()
    assert (job.status, job.allow_truncated) == (Status.DONE, True)
    assert "good3" not in Record.objects.values_list("source_key", flat=True)
