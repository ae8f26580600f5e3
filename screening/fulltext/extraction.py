"""Reading a full-text PDF's text in the background, its state kept on the Report.

The upload request only checks the file and stores it (`service.attach_pdf`), then queues
`extract_report_text(report_id, sha256)` after commit. The task is idempotent and restartable:
- it claims the report with a conditional UPDATE (QUEUED, or RUNNING but stale, and still the
  same file) and does nothing when the claim matches nothing: a duplicate message, a report
  done already, or a PDF replaced since (the sha256 no longer matches);
- it writes the text with a conditional UPDATE on the same attempt, so a late or repeated run
  never overwrites a newer file's text;
- a run that dies (worker killed, time limit) leaves the report RUNNING with its start time:
  `stale_extractions()` lists what a sweeper may send again, and after MAX_ATTEMPTS claims the
  report FAILS with a message instead of looping on a poison file.
Progress (pages read) is written every few pages, for the report page to show.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reviewapp import jobs
from reviewapp.audit import record_event
from screening.fulltext import pdftext
from screening.models import Report

logger = logging.getLogger(__name__)

TextStatus = Report.TextStatus
MAX_ATTEMPTS = 3
PROGRESS_EVERY_PAGES = 10


def limits() -> pdftext.Limits:
    return pdftext.Limits(
        max_pages=settings.FULLTEXT_MAX_PAGES,
        max_seconds=settings.FULLTEXT_EXTRACT_SECONDS,
        max_chars=settings.FULLTEXT_MAX_TEXT_CHARS,
    )


def _stale_after() -> dt.timedelta:
    # Longer than any run may take: the reading limit plus the task's hard time limit's margin.
    return dt.timedelta(seconds=settings.FULLTEXT_EXTRACT_SECONDS + 180)


def reset_for_new_file(report: Report) -> None:
    """A new PDF: its text is to be read (the caller saves the report and queues the task)."""
    report.text = ""
    report.text_status = TextStatus.QUEUED
    report.text_pages = 0
    report.text_page_count = 0
    report.text_note = ""
    report.text_attempts = 0
    report.text_started_at = None


def queue(report: Report, **enqueue: Any) -> None:
    """Send the task once the current transaction commits (the report is QUEUED already)."""
    jobs.enqueue(
        extract_report_text, report.pk, report.file_sha256, review=report.review_id, **enqueue
    )


def stale_extractions(now: dt.datetime | None = None) -> QuerySet[Report]:
    """Reports whose text a sweeper may send again: queued for a while (the broker may never
    have had the message) or running for longer than any run may take (its worker died)."""
    now = now or timezone.now()
    return Report.objects.filter(
        Q(text_status=TextStatus.QUEUED, updated_at__lt=now - dt.timedelta(seconds=30))
        | Q(text_status=TextStatus.RUNNING, text_started_at__lt=now - _stale_after())
    ).exclude(file="")


@transaction.atomic
def retry(report: Report, by: Any, **enqueue: Any) -> Report:
    """A person asks for the text of a PDF whose reading failed (or never ran) again."""
    report = (
        Report.objects.select_for_update(of=("self",)).select_related("review").get(pk=report.pk)
    )
    if not report.file or report.text_status in (TextStatus.QUEUED, TextStatus.RUNNING):
        return report  # nothing to read, or being read already
    reset_for_new_file(report)
    report.save()
    record_event(report.review, by, "report.text_requeued", report)
    queue(report, **enqueue)
    return report


def _claim(report_id: int, sha256: str) -> Report | None:
    """Mark the report's reading RUNNING for this worker, or None when it is not ours to run."""
    report = Report.objects.filter(pk=report_id, file_sha256=sha256).first()
    if report is None or not report.file:
        return None
    stale = report.text_started_at is None or (
        report.text_started_at < timezone.now() - _stale_after()
    )
    if report.text_status == TextStatus.RUNNING and (
        # Under a background job (reviewapp.jobs) the job's heartbeat tells a dead worker at
        # once; run otherwise, only the time since the start does.
        jobs.held_elsewhere(extract_report_text, report_id, sha256)
        if jobs.current() is not None
        else not stale
    ):
        return None  # another worker is on it
    if report.text_status not in (TextStatus.QUEUED, TextStatus.RUNNING):
        return None  # done, failed, or a PDF from before background reading
    if report.text_attempts >= MAX_ATTEMPTS:
        _give_up(report)
        return None
    claimed = Report.objects.filter(
        pk=report_id,
        file_sha256=sha256,
        text_status=report.text_status,
        text_attempts=report.text_attempts,
    ).update(
        text_status=TextStatus.RUNNING,
        text_attempts=F("text_attempts") + 1,
        text_started_at=timezone.now(),
        text_pages=0,
    )
    if not claimed:
        return None
    report.refresh_from_db()
    return report


def _give_up(report: Report) -> None:
    note = _(
        "Reading the text of this PDF was given up after %(n)s attempts (each was stopped). "
        "Paste the text in coding if it is needed."
    ) % {"n": MAX_ATTEMPTS}
    Report.objects.filter(pk=report.pk, text_attempts=report.text_attempts).update(
        text_status=TextStatus.FAILED, text_note=note
    )


def _mine(report: Report) -> QuerySet[Report]:
    """The report as this run claimed it: same file, same attempt, still running."""
    return Report.objects.filter(
        pk=report.pk,
        file_sha256=report.file_sha256,
        text_attempts=report.text_attempts,
        text_status=TextStatus.RUNNING,
    )


def run_extraction(report_id: int, sha256: str) -> Report | None:
    """Read the PDF's text within the limits and keep it on the report (see the docstring)."""
    report = _claim(report_id, sha256)
    if report is None:
        return Report.objects.filter(pk=report_id).first()
    mine = _mine(report)
    lim = limits()

    def progress(read: int, declared: int) -> None:
        if read % PROGRESS_EVERY_PAGES == 0:
            mine.update(text_pages=read, text_page_count=declared)

    try:
        with report.file.open("rb") as fh:
            result = pdftext.extract(fh, lim, on_page=progress)
    except pdftext.PdfTextError as exc:
        return _failed(report, str(exc))
    except SoftTimeLimitExceeded:
        return _failed(report, _("Reading the text took too long. Paste the text in coding."))
    except (OperationalError, InterfaceError):
        # Transient: hand the report back so the retried task can claim it again.
        mine.update(text_status=TextStatus.QUEUED)
        raise
    except Exception as exc:
        logger.exception("Text of report %s failed", report_id)
        return _failed(
            report, _("The text could not be read (%(kind)s).") % {"kind": type(exc).__name__}
        )
    return _done(report, result, lim)


def _done(report: Report, result: pdftext.Extracted, lim: pdftext.Limits) -> Report:
    note = result.stop_note(lim)
    with transaction.atomic():
        written = _mine(report).update(
            text=result.text,
            text_status=TextStatus.DONE,
            text_pages=result.pages_read,
            text_page_count=result.pages_declared,
            text_note=note,
        )
        if written:
            record_event(
                report.review,
                report.updated_by,
                "report.text_extracted",
                report,
                after={
                    "pages": result.pages_read,
                    "pages_declared": result.pages_declared,
                    "text_chars": len(result.text),
                    "stopped": result.stopped,
                },
                message=note,
            )
    return Report.objects.get(pk=report.pk)


def _failed(report: Report, note: str) -> Report:
    with transaction.atomic():
        if _mine(report).update(text_status=TextStatus.FAILED, text_note=note, text=""):
            record_event(
                report.review, report.updated_by, "report.text_failed", report, message=note
            )
    return Report.objects.get(pk=report.pk)


@shared_task(
    base=jobs.TrackedTask,
    bind=True,
    max_retries=5,
    soft_time_limit=settings.FULLTEXT_EXTRACT_SECONDS + 60,
    time_limit=settings.FULLTEXT_EXTRACT_SECONDS + 120,
)
def extract_report_text(self, report_id: int, sha256: str) -> dict:
    """Read the text of Report `report_id`'s PDF (the one with this sha256); idempotent."""
    try:
        report = run_extraction(report_id, sha256)
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(exc=exc, countdown=min(300, 10 * 2**self.request.retries)) from exc
    status = report.text_status if report is not None else None
    return {"report": report_id, "status": status}
