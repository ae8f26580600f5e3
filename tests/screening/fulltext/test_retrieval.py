"""Retrieving full texts: PDFs checked by content and size, links, reports not retrieved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reviewapp.models import AuditEvent
from screening.fulltext import service as fulltext
from screening.models import Report
from tests.screening.conflicts.helpers import included_at_ta, record

from .pdfs import pdf_with_text

pytestmark = pytest.mark.django_db


def base(team, report, action=""):
    return f"/r/{team.review.slug}/full-text/{report.pk}/{action}"


def test_records_included_at_title_abstract_become_reports_sought(team):
    rec = included_at_ta(team, title="Mentoring residents in research")
    report = Report.objects.get(record=rec)
    assert report.retrieval == Report.Retrieval.SOUGHT
    assert fulltext.on_included(rec) == report  # idempotent
    assert AuditEvent.objects.filter(action="report.sought", object_id=str(report.pk)).count() == 1
    # An excluded or undecided record is not sought.
    assert not Report.objects.filter(record=record(team)).exists()


def test_a_real_pdf_is_stored_and_its_text_extracted(team, django_capture_on_commit_callbacks):
    report = Report.objects.get(record=included_at_ta(team))
    upload = SimpleUploadedFile(
        "Smith 2020 <final>.pdf",
        pdf_with_text("Residents co-designed the study"),
        "application/pdf",
    )
    with django_capture_on_commit_callbacks(execute=True):  # the text is read by a task
        response = team.client(team.reviewer1).post(base(team, report, "upload/"), {"file": upload})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.retrieval == Report.Retrieval.RETRIEVED
    assert "Residents co-designed the study" in report.text
    assert (report.text_status, report.text_pages) == (Report.TextStatus.DONE, 1)
    assert report.file.read().startswith(b"%PDF-")
    assert "<" not in report.file.name and "Smith" not in report.file.name  # our name, not theirs
    event = AuditEvent.objects.get(action="report.pdf_attached")
    assert (event.actor, event.after["sha256"]) == (team.reviewer1, report.file_sha256)
    read = AuditEvent.objects.get(action="report.text_extracted")
    assert (read.actor, read.after["pages"]) == (team.reviewer1, 1)


def test_an_html_file_renamed_pdf_is_refused(team):
    report = Report.objects.get(record=included_at_ta(team))
    upload = SimpleUploadedFile(
        "paper.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"
    )
    response = team.client(team.reviewer1).post(base(team, report, "upload/"), {"file": upload})
    assert response.status_code == 400
    assert "not a PDF" in response.content.decode()
    report.refresh_from_db()
    assert (report.retrieval, report.file.name) == (Report.Retrieval.SOUGHT, "")


def test_a_file_that_only_starts_like_a_pdf_is_refused(team):
    report = Report.objects.get(record=included_at_ta(team))
    upload = SimpleUploadedFile("x.pdf", b"%PDF-1.7\n<html>not really</html>")
    with pytest.raises(fulltext.FullTextError, match="cannot be opened"):
        fulltext.attach_pdf(report, upload, team.reviewer1)


def test_an_oversize_pdf_is_refused(team, settings):
    settings.MAX_FULLTEXT_UPLOAD_BYTES = 300
    report = Report.objects.get(record=included_at_ta(team))
    upload = SimpleUploadedFile("big.pdf", pdf_with_text("x" * 50))
    response = team.client(team.reviewer1).post(base(team, report, "upload/"), {"file": upload})
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()
    report.refresh_from_db()
    assert report.retrieval == Report.Retrieval.SOUGHT


def test_the_pdf_is_served_as_an_attachment_only_to_members(team):
    report = Report.objects.get(record=included_at_ta(team))
    fulltext.attach_pdf(report, SimpleUploadedFile("a.pdf", pdf_with_text("Body")), team.lead)
    url = base(team, report, "pdf/")
    response = team.client(team.reviewer2).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert team.client(team.outsider).get(url).status_code == 404
    assert team.client(team.adjudicator).get(url).status_code == 403
    assert team.client(None).get(url).status_code == 302


def test_a_link_retrieves_the_report(team):
    report = Report.objects.get(record=included_at_ta(team))
    client = team.client(team.lead)
    assert (
        client.post(base(team, report, "link/"), {"url": "javascript:alert(1)"}).status_code == 400
    )
    client.post(base(team, report, "link/"), {"url": "https://doi.org/10.1000/xyz"})
    report.refresh_from_db()
    assert (report.retrieval, report.link) == ("retrieved", "https://doi.org/10.1000/xyz")


def test_a_report_not_retrieved_keeps_its_reason(team):
    report = Report.objects.get(record=included_at_ta(team))
    client = team.client(team.reviewer1)
    assert client.post(base(team, report, "not-retrieved/"), {"reason": ""}).status_code == 400
    client.post(
        base(team, report, "not-retrieved/"),
        {"reason": "Library has no access; author did not reply"},
    )
    report.refresh_from_db()
    assert report.retrieval == Report.Retrieval.NOT_RETRIEVED
    assert "author did not reply" in report.not_retrieved_reason
    assert AuditEvent.objects.filter(action="report.not_retrieved", actor=team.reviewer1).exists()
    page = client.get(f"/r/{team.review.slug}/full-text/?show=not_retrieved").content.decode()
    assert report.record.title in page
