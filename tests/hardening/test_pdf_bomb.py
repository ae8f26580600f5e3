"""Issue #26: a 9.6 MB PDF of 60,000 pages held a web worker for 24 s (the text of every page
read in the upload request) and stored a million characters.

The request only checks the file and stores it; a task reads the text within page, time and
size limits, keeping its state on the report (idempotent, restartable, for the sweeper)."""

from __future__ import annotations

import datetime as dt
import itertools
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from screening.fulltext import extraction, pdftext
from screening.fulltext import service as fulltext
from screening.models import Report
from tests.screening.conflicts.helpers import included_at_ta
from tests.screening.fulltext.pdfs import pdf_with_text

from .bombs import pdf_page_bomb

pytestmark = pytest.mark.django_db
TextStatus = Report.TextStatus


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> bytes:
    return pdf_page_bomb(tmp_path_factory.mktemp("pdf") / "bomb.pdf", 60_000).read_bytes()


@pytest.fixture
def report(team) -> Report:
    return Report.objects.get(record=included_at_ta(team))


def _url(team, report, action=""):
    return f"/r/{team.review.slug}/full-text/{report.pk}/{action}"


def test_the_upload_request_stores_the_page_bomb_without_parsing_it(
    team, report, bomb, monkeypatch
):
    import pypdf

    def never(*args, **kwargs):
        raise AssertionError("the upload request parsed the PDF")

    monkeypatch.setattr(pypdf, "PdfReader", never)
    started = time.perf_counter()
    response = team.client(team.reviewer1).post(
        _url(team, report, "upload/"), {"file": SimpleUploadedFile("long.pdf", bomb)}
    )
    assert time.perf_counter() - started < 5
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.retrieval, report.text_status, report.text) == ("retrieved", "queued", "")
    page = team.client(team.reviewer1).get(_url(team, report)).content.decode()
    assert "Waiting to be read" in page and 'hx-trigger="every 2s"' in page


def test_the_task_reads_no_more_than_the_page_limit(team, report, bomb, settings):
    settings.FULLTEXT_MAX_PAGES = 200
    fulltext.attach_pdf(report, SimpleUploadedFile("long.pdf", bomb), team.lead)
    started = time.perf_counter()
    report = extraction.run_extraction(report.pk, Report.objects.get(pk=report.pk).file_sha256)
    assert time.perf_counter() - started < 20  # 24 s for every page before, in the request
    assert (report.text_status, report.text_pages, report.text_page_count) == ("done", 200, 60_000)
    assert report.text.count("A page of a very long report.") == 200
    assert "Only the first 200 pages were read" in report.text_note
    page = team.client(team.lead).get(_url(team, report)).content.decode()
    assert "Read from 200 pages." in page and "The file declares 60000." in page
    assert "hx-trigger" not in page  # nothing to poll any more


def test_reading_stops_at_the_time_limit_between_pages(bomb, tmp_path):
    ticks = itertools.count()  # every look at the clock is one second later
    path = tmp_path / "b.pdf"
    path.write_bytes(bomb)
    with path.open("rb") as fh:
        result = pdftext.extract(
            fh, pdftext.Limits(max_pages=10_000, max_seconds=30), clock=lambda: next(ticks)
        )
    assert result.stopped == "time" and 0 < result.pages_read < 31
    assert "Reading stopped after 30 seconds" in result.stop_note(pdftext.Limits(max_seconds=30))


def test_the_text_is_cut_at_the_character_limit(bomb, tmp_path):
    path = tmp_path / "b.pdf"
    path.write_bytes(bomb)
    with path.open("rb") as fh:
        result = pdftext.extract(fh, pdftext.Limits(max_pages=10_000, max_chars=1_000))
    assert result.stopped == "chars" and len(result.text) == 1_000


def test_the_task_is_idempotent_and_never_writes_over_a_newer_pdf(team, report):
    fulltext.attach_pdf(report, SimpleUploadedFile("a.pdf", pdf_with_text("First")), team.lead)
    first_sha = Report.objects.get(pk=report.pk).file_sha256
    assert extraction.run_extraction(report.pk, first_sha).text == "First"
    attempts = Report.objects.get(pk=report.pk).text_attempts
    extraction.run_extraction(report.pk, first_sha)  # a duplicate message: nothing happens
    assert Report.objects.get(pk=report.pk).text_attempts == attempts
    fulltext.attach_pdf(report, SimpleUploadedFile("b.pdf", pdf_with_text("Second")), team.lead)
    extraction.run_extraction(report.pk, first_sha)  # the old file's late message
    assert Report.objects.get(pk=report.pk).text_status == TextStatus.QUEUED
    second = Report.objects.get(pk=report.pk)
    assert extraction.run_extraction(report.pk, second.file_sha256).text == "Second"


def test_a_run_whose_worker_died_is_taken_over_then_given_up_after_three_attempts(team, report):
    fulltext.attach_pdf(report, SimpleUploadedFile("a.pdf", pdf_with_text("Body")), team.lead)
    report.refresh_from_db()
    long_ago = timezone.now() - dt.timedelta(hours=1)
    # A worker claimed it and died: still RUNNING, started long ago.
    Report.objects.filter(pk=report.pk).update(
        text_status=TextStatus.RUNNING, text_attempts=1, text_started_at=long_ago
    )
    assert list(extraction.stale_extractions()) == [report]
    assert extraction.run_extraction(report.pk, report.file_sha256).text_status == "done"
    # A live run is left alone.
    Report.objects.filter(pk=report.pk).update(
        text_status=TextStatus.RUNNING, text_started_at=timezone.now()
    )
    assert extraction.run_extraction(report.pk, report.file_sha256).text_status == "running"
    assert not extraction.stale_extractions().exists()
    # A poison file that kills every worker: after three claims it fails with a message.
    Report.objects.filter(pk=report.pk).update(text_attempts=3, text_started_at=long_ago)
    report = extraction.run_extraction(report.pk, report.file_sha256)
    assert report.text_status == "failed" and "given up after 3 attempts" in report.text_note


def test_an_unreadable_pdf_fails_with_a_message_and_can_be_read_again(
    team, report, django_capture_on_commit_callbacks
):
    broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage\n%%EOF\n"
    with django_capture_on_commit_callbacks(execute=True):
        fulltext.attach_pdf(report, SimpleUploadedFile("x.pdf", broken), team.lead)
    report.refresh_from_db()
    assert report.retrieval == "retrieved"  # the file is kept: a person may still open it
    assert report.text_status == "failed" and "cannot be opened as a PDF" in report.text_note
    client = team.client(team.reviewer1)
    assert "Read the text again" in client.get(_url(team, report)).content.decode()
    client.post(_url(team, report, "text/retry/"))
    assert Report.objects.get(pk=report.pk).text_status == TextStatus.QUEUED
