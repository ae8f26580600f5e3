"""Reading a PDF's text is a background job like any other (issue 28): a run whose worker died
is handed back by the sweeper as soon as its heartbeat lapses, not after the reading's time
limit, and completes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reviewapp import jobs
from reviewapp.models import Job
from screening.fulltext import extraction
from screening.fulltext import service as fulltext
from screening.models import Report
from tests.screening.conflicts.helpers import included_at_ta

from .pdfs import pdf_with_text

pytestmark = pytest.mark.django_db


def test_a_reading_whose_worker_died_a_minute_ago_is_taken_over_and_completes(team, settings):
    report = Report.objects.get(record=included_at_ta(team))
    fulltext.attach_pdf(report, SimpleUploadedFile("a.pdf", pdf_with_text("Body")), team.lead)
    report.refresh_from_db()
    run = jobs.latest(extraction.extract_report_text, report.pk, report.file_sha256)
    assert run is not None and run.review_id == team.review.pk
    # A worker claimed it a minute ago and died: by the reading's own clock it is still young.
    a_minute_ago = timezone.now() - dt.timedelta(minutes=1)
    Report.objects.filter(pk=report.pk).update(
        text_status=Report.TextStatus.RUNNING, text_attempts=1, text_started_at=a_minute_ago
    )
    Job.objects.filter(pk=run.pk).update(
        status=Job.Status.RUNNING, attempts=1, heartbeat_at=a_minute_ago
    )
    assert not extraction.stale_extractions().exists()
    done = jobs.sweep_once()  # in-process here: the message runs at once
    assert (done["stopped"], done["sent"]) == (1, 1)
    report.refresh_from_db()
    assert (report.text_status, report.text_attempts) == (Report.TextStatus.DONE, 2)
    run.refresh_from_db()
    assert run.status == Job.Status.DONE
    assert jobs.story(run).startswith("the worker stopped at 0 %; restarted ")
