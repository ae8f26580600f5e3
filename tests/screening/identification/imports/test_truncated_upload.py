"""A truncated export is refused on the upload page and the command line, with its line and
nothing stored; ticking 'Allow a truncated file' (or --allow-truncated) imports the complete
records, drops the cut one and says so in the report (issue #17)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from screening.identification.imports import import_file_now, report_lines
from screening.models import ImportJob, Record
from tests.conftest import shared_data

from .conftest import ris

pytestmark = pytest.mark.django_db

CUT = ris(4) + b"TY  - JOUR\nTI  - Half a record, then the download stop"
CUT_AT = ris(4).count(b"\n") + 1


def _upload(client, search, content: bytes, allow: bool):
    data = {"files": SimpleUploadedFile("scopus.ris", content), "format": "auto"}
    if allow:
        data["allow_truncated"] = "on"
    return client.post(f"/r/{search.review.slug}/searches/{search.pk}/upload/", data)


def test_the_upload_form_offers_the_checkbox(team, search):
    page = team.client(team.lead).get(f"/r/{team.review.slug}/searches/{search.pk}/")
    html = page.content.decode()
    assert 'name="allow_truncated"' in html and "Allow a truncated file" in html
    assert "NoteExpress (CNKI, Wanfang)" in html and "CSL-JSON" in html


def test_a_truncated_upload_fails_with_its_line_and_stores_nothing(
    team, search, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, search, CUT, allow=False)
    job = ImportJob.objects.get()
    assert (job.status, job.allow_truncated, job.records_imported) == ("failed", False, 0)
    assert job.error.startswith(f"Line {CUT_AT}: the file ends too early: the last RIS record")
    assert Record.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "Not imported." in page and f"Line {CUT_AT}" in page


def test_allowed_the_complete_records_are_imported_and_the_report_says_what_was_dropped(
    team, search, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, search, CUT, allow=True)
    job = ImportJob.objects.get()
    assert (job.status, job.allow_truncated, job.records_imported) == ("done", True, 4)
    assert sorted(search.records.values_list("title", flat=True)) == [
        f"Clinician engagement in research {i}" for i in range(4)
    ]
    [[line, warning]] = job.warnings
    assert line == CUT_AT and "this record was dropped" in warning
    page = client.get(response["Location"]).content.decode()
    assert "Truncated file" in page and "this record was dropped" in page
    event = team.review.audit_events.get(action="import.uploaded")
    assert event.after["allow_truncated"] is True


def test_a_refused_truncated_file_can_be_uploaded_again_with_the_box_ticked(
    team, search, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, search, CUT, allow=False)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, search, CUT, allow=True)
    assert list(ImportJob.objects.order_by("created_at").values_list("status", flat=True)) == [
        "failed", "done",
    ]  # fmt: skip
    assert Record.objects.count() == 4


def test_import_records_refuses_a_truncated_file_and_allows_it_on_request(team, tmp_path, capsys):
    path = tmp_path / "cut.ris"
    path.write_bytes(CUT)
    args = ["import_records", "--review", team.review.slug, "--source", "Scopus", str(path)]
    with pytest.raises(CommandError, match=r"Not imported: cut\.ris"):
        call_command(*args)
    out = capsys.readouterr().out
    assert f"Error: Line {CUT_AT}: the file ends too early" in out
    assert Record.objects.count() == 0
    other = tmp_path / "cut-again.ris"
    other.write_bytes(CUT)
    call_command(*args[:-1], "--allow-truncated", str(other))
    out = capsys.readouterr().out
    assert "Records imported: 4" in out
    assert "Truncated file: allowed (a record cut off at the end is dropped)" in out
    assert f"Warning (line {CUT_AT}): the file ends too early" in out


def test_the_real_truncated_medline_file_through_the_import_service(team, search):
    path = shared_data("metaknowledge", "medline_test.medline")
    job = import_file_now(search, path, path.name)
    assert job.status == "failed" and job.error.startswith("Line 14925: the file ends too early")
    assert Record.objects.count() == 0
    job = import_file_now(search, path, path.name, allow_truncated=True)
    assert (job.status, job.records_imported) == ("done", 174)
    assert any("Warning (line 14925)" in line for line in report_lines(job))
