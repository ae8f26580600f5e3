"""The life of an import job: claimed by one worker, run in one transaction, finished or failed,
sent again when the broker lost it. `imports` tells the whole design.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from reviewapp import jobs
from reviewapp.audit import record_event
from reviewapp.models import Review
from screening.identification import progress, signals
from screening.identification.importers import (
    FORMATS,
    ColumnsNotRecognised,
    ImportFormatError,
    ParseReport,
)
from screening.identification.importers.textio import ENCODINGS
from screening.identification.writes import write_records
from screening.models import ImportJob, Record

logger = logging.getLogger(__name__)

Status = ImportJob.Status
# Queued jobs younger than this are left to the message already on its way.
REDISPATCH_AFTER = dt.timedelta(seconds=5)
REDISPATCH_THROTTLE_SECONDS = 30


def _claim(job_id: int) -> ImportJob | None:
    """Mark the job RUNNING for this worker, or None when it is not ours to run."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (Status.DONE, Status.FAILED, Status.MAPPING):
        return None
    if job.status == Status.RUNNING and progress.live_progress(job) is not None:
        return None  # another worker is alive and on it
    claimed = ImportJob.objects.filter(pk=job_id, status=job.status, attempts=job.attempts).update(
        status=Status.RUNNING, attempts=job.attempts + 1, started_at=timezone.now()
    )
    if not claimed:
        return None
    progress.beat(job_id, 0, 0)
    job.refresh_from_db()
    return job


def run_import(job_id: int) -> ImportJob:
    """Parse the job's file and write its records: all of them, exactly once, or none."""
    job = _claim(job_id)
    if job is None:
        return ImportJob.objects.get(pk=job_id)
    attempt = job.attempts
    report = ParseReport()
    try:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job_id)
            if locked.status == Status.DONE or locked.attempts != attempt:
                return locked  # a later claim owns it, or it finished while we waited
            # Rows of an earlier attempt survive only if a transaction committed them without
            # the DONE mark; never in this design, but a retry must never leave a second copy.
            Record.objects.filter(import_job_id=job_id).delete()
            with job.file.open("rb") as fh:
                count = write_records(locked, fh, report)
            _finish(locked, report, count)
    except ColumnsNotRecognised as exc:
        # The header is kept for the mapping page: read here, never in a request.
        return _fail(job_id, attempt, str(exc), report, Status.MAPPING, exc.columns)
    except ImportFormatError as exc:
        return _fail(job_id, attempt, str(exc), report)
    except (OperationalError, InterfaceError):
        # Transient: hand the job back so the retried task can claim it again.
        ImportJob.objects.filter(pk=job_id, attempts=attempt).update(status=Status.QUEUED)
        raise
    except Exception as exc:
        logger.exception("Import %s failed", job_id)
        return _fail(
            job_id, attempt, f"The import failed unexpectedly ({type(exc).__name__}).", report
        )
    finally:
        with contextlib.suppress(Exception):
            cache.delete(progress.live_key(job_id))
    after_import(locked)
    return locked


def _finish(job: ImportJob, report: ParseReport, count: int) -> None:
    job.status = Status.DONE
    job.detected_format = report.format
    job.encoding = report.encoding
    job.records_imported = count
    job.progress = job.size
    job.warnings = [[line, message] for line, message in report.warnings]
    if report.warnings_dropped:
        job.warnings.append([None, f"{report.warnings_dropped} more warnings not shown"])
    job.skipped = [list(entry) for entry in report.skipped]
    job.error = ""
    job.finished_at = timezone.now()
    job.save()
    record_event(
        job.review,
        job.created_by,
        "import.done",
        job,
        after={
            "records": count,
            "format": job.detected_format,
            "encoding": job.encoding,
            "warnings": len(job.warnings),
            "skipped": len(job.skipped),
        },
        message=f"{count} records imported from {job.original_name}",
    )


def _fail(
    job_id: int,
    attempt: int,
    error: str,
    report: ParseReport,
    status: str = Status.FAILED,
    columns: list[str] | None = None,
) -> ImportJob:
    """Nothing of the file is stored: the job FAILED, or waits for its columns (MAPPING)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.attempts != attempt or job.status == Status.DONE:
            return job
        job.status = status
        if columns is not None:
            job.columns = [str(c) for c in columns]
        job.error = error
        job.detected_format = report.format or job.detected_format
        job.encoding = report.encoding
        job.warnings = [[line, message] for line, message in report.warnings]
        job.records_imported = 0
        job.finished_at = timezone.now()
        job.save()
        action = "import.failed" if status == Status.FAILED else "import.needs_columns"
        record_event(job.review, job.created_by, action, job, after={"error": error}, message=error)
    return job


def after_import(job: ImportJob) -> None:
    """Called once after each successful import, outside its transaction.

    De-duplication listens (it queues the review's new records against everything earlier).
    """
    signals.records_imported.send(sender=ImportJob, job=job)


# Named as when it lived in `imports`, so messages already queued still find it.
@shared_task(
    name="screening.identification.imports.import_file",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
)
def import_file(self, job_id: int) -> dict:
    """Import the stored file of ImportJob `job_id` (idempotent; see the module docstring)."""
    try:
        job = run_import(job_id)
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(exc=exc, countdown=min(300, 10 * 2**self.request.retries)) from exc
    return {"job": job.pk, "status": job.status, "records": job.records_imported}


def dispatch_pending(review: Review) -> int | None:
    """Send again the review's jobs the broker lost: queued ones never received (Redis was down)
    and running ones whose worker died. Returns how many were sent, None if the queue is down.

    Cheap enough to call on page views: one query, and each job at most every 30 seconds.
    """
    now = timezone.now()
    lifetime = dt.timedelta(seconds=3 * settings.IMPORT_HEARTBEAT_SECONDS)
    pending = review.import_jobs.filter(
        Q(status=Status.QUEUED, created_at__lt=now - REDISPATCH_AFTER)
        | Q(status=Status.RUNNING, started_at__lt=now - lifetime)
    ).only("pk", "status", "sha256")
    sent = 0
    for job in pending:
        if job.status == Status.RUNNING and progress.live_progress(job) is not None:
            continue
        throttle = f"screening:import:{job.pk}:{job.sha256[:12]}:dispatched"
        try:
            if not cache.add(throttle, 1, timeout=REDISPATCH_THROTTLE_SECONDS):
                continue
        except Exception:
            return None  # the cache lives in Redis: the queue is down too
        try:
            jobs.send(import_file, job.pk)
        except jobs.QueueUnavailable:
            cache.delete(throttle)
            return None
        sent += 1
    return sent


def report_lines(job: ImportJob) -> list[str]:
    """The import report as text: what the job page shows and the command line prints."""
    fmt = FORMATS.get(job.detected_format, job.detected_format or "not detected")
    encoding = ENCODINGS.get(job.encoding, job.encoding) if job.encoding else "-"
    if job.encoding and job.encoding != "xlsx":
        encoding += " (chosen)" if job.requested_encoding else " (detected)"
    lines = [
        f"File: {job.original_name} ({job.size:,} bytes) -> search “{job.search}”",
        f"Status: {job.get_status_display()}",
        f"Format: {fmt}" + (" (chosen)" if job.requested_format != "auto" else " (detected)"),
        f"Encoding: {encoding}",
        f"Records imported: {job.records_imported:,}",
    ]
    if job.allow_truncated:
        lines.append("Truncated file: allowed (a record cut off at the end is dropped)")
    for line, message in job.warnings:
        lines.append(f"Warning{f' (line {line})' if line else ''}: {message}")
    if job.skipped:
        lines.append(f"Entries skipped because they could not be read: {len(job.skipped)}")
    for line, key, title, why in job.skipped:
        named = ", ".join(
            p for p in (f"key {key}" if key else "", f"“{title}”" if title else "") if p
        )
        lines.append(f"Skipped (line {line}{', ' + named if named else ''}): {why}")
    if job.error:
        lines.append(f"Error: {job.error}")
    return lines
