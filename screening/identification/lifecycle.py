"""The life of an import job: claimed by one worker, run in one transaction, finished or failed
(also when the sweeper gave it up). `imports` tells the whole design; `reviewapp.jobs` sends the
task again when the broker lost it or its worker stopped.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reviewapp import jobs
from reviewapp.audit import record_event
from reviewapp.models import Job
from screening.identification import progress, signals
from screening.identification.importers import (
    FORMATS,
    ColumnsNotRecognised,
    ImportFormatError,
    ParseReport,
)
from screening.identification.importers.textio import ENCODINGS
from screening.identification.writes import ANALYZE_AFTER, analyze, write_records
from screening.models import ImportJob, Record

logger = logging.getLogger(__name__)

Status = ImportJob.Status


def _claim(job_id: int) -> ImportJob | None:
    """Mark the job RUNNING for this worker, or None when it is not ours to run."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (Status.DONE, Status.FAILED, Status.MAPPING):
        return None
    if job.status == Status.RUNNING and jobs.held_elsewhere(import_file, job.pk):
        return None
    claimed = ImportJob.objects.filter(pk=job_id, status=job.status, attempts=job.attempts).update(
        status=Status.RUNNING, attempts=job.attempts + 1, started_at=timezone.now()
    )
    if not claimed:
        return None
    progress.beat(job_id, 0, 0)
    job.refresh_from_db()
    return job


def uploaders_language(job: ImportJob) -> contextlib.AbstractContextManager:
    """The language of the person who uploaded the file (their saved choice, else the site's),
    for the report an import stores; an import nobody uploaded (the command line) keeps the
    language it runs in."""
    user = job.created_by
    if user is None:
        return contextlib.nullcontext()
    return translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE)


def run_import(job_id: int) -> ImportJob:
    """Parse the job's file and write its records: all of them, exactly once, or none. Its
    warnings and error are stored in the uploader's language."""
    job = _claim(job_id)
    if job is None:
        return ImportJob.objects.get(pk=job_id)
    with uploaders_language(job):
        return _run_claimed(job)


def _run_claimed(job: ImportJob) -> ImportJob:
    job_id = job.pk
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
            with job.file.open("rb") as fh, progress.importing(locked):
                count = write_records(locked, fh, report)
            _finish(locked, report, count)
    except ColumnsNotRecognised as exc:
        # The header is kept for the mapping page: read here, never in a request.
        return _fail(job_id, attempt, str(exc), report, Status.MAPPING, exc.columns)
    except ImportFormatError as exc:
        return _fail(job_id, attempt, str(exc), report)
    except jobs.CONNECTION_LOST:
        # Transient (the database restarted): hand the job back so the retried task claims it
        # again; if the database is still away, the retry takes it over as it finds it.
        with contextlib.suppress(Exception):
            connection.close()
            ImportJob.objects.filter(pk=job_id, attempts=attempt).update(status=Status.QUEUED)
        raise
    except Exception as exc:
        logger.exception("Import %s failed", job_id)
        failed = _("The import failed unexpectedly (%(error)s).") % {"error": type(exc).__name__}
        return _fail(job_id, attempt, failed, report)
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
        more = ngettext(
            "%(n)s more warning not shown",
            "%(n)s more warnings not shown",
            report.warnings_dropped,
        )
        job.warnings.append([None, more % {"n": report.warnings_dropped}])
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
    A bulk import first refreshes the planner's statistics of the record table.
    """
    if job.records_imported >= ANALYZE_AFTER:
        try:
            with transaction.atomic():
                analyze(Record)
        except DatabaseError:  # the import stands; autovacuum will analyse later
            logger.warning("ANALYZE after import %s failed", job.pk, exc_info=True)
    signals.records_imported.send(sender=ImportJob, job=job)


@receiver(jobs.job_failed, dispatch_uid="imports.given_up")
def _given_up(sender: str, job: Job, **kwargs: Any) -> None:
    """The sweeper gave the import up (its worker kept stopping): say so on the import."""
    if sender != import_file.name:
        return
    (job_id,) = job.args
    current = ImportJob.objects.filter(pk=job_id).first()
    if current is not None and current.status in (Status.QUEUED, Status.RUNNING):
        with uploaders_language(current):
            message = _("%(reason)s Nothing of the file was stored; upload it again to retry.")
            reason = _reason_again(job)
            _fail(job_id, current.attempts, message % {"reason": reason}, ParseReport())


def _reason_again(job: Job) -> str:
    """The sweeper's reason in the active language when it is the usual one (the worker kept
    stopping; the sweeper wrote it in the site's language), else as the sweeper wrote it."""
    with translation.override(settings.LANGUAGE_CODE):
        usual = jobs.stopped_reason(job)
    return jobs.stopped_reason(job) if job.error == usual else job.error


# Named as when it lived in `imports`, so messages already queued still find it. A lost
# database connection retries it (reviewapp.jobs.TrackedTask): run_import handed it back.
@shared_task(name="screening.identification.imports.import_file", base=jobs.TrackedTask)
def import_file(job_id: int) -> dict:
    """Import the stored file of ImportJob `job_id` (idempotent; see `imports`)."""
    job = run_import(job_id)
    return {"job": job.pk, "status": job.status, "records": job.records_imported}


def latest_run(job: ImportJob) -> Job | None:
    """The background job that ran (or runs) this import: its history tells what happened."""
    return jobs.latest(import_file, job.pk)


def history(job: ImportJob, run: Job | None) -> str:
    """What happened to the import in the background ("the worker stopped at 57 %; restarted
    14:02; completed 14:03"), empty when it simply ran."""
    done = job.finished_at if job.status == Status.DONE else None
    return jobs.story(run, completed_at=done)


def runs_of(import_jobs: list[ImportJob]) -> dict[int, Job]:
    """The latest background job of each import, in one query (for the searches page)."""
    keys = {jobs.job_key(import_file, [j.pk]): j.pk for j in import_jobs}
    return {keys[key]: run for key, run in jobs.latest_by_key(keys).items()}


def report_lines(job: ImportJob) -> list[str]:
    """The import report as text, in the active language: what the command line prints."""
    fmt = FORMATS.get(job.detected_format, job.detected_format or _("not detected"))
    encoding = ENCODINGS.get(job.encoding, job.encoding) if job.encoding else "-"
    if job.encoding and job.encoding != "xlsx":
        encoding += " " + (_("(chosen)") if job.requested_encoding else _("(detected)"))
    chosen = _("(chosen)") if job.requested_format != "auto" else _("(detected)")
    lines = [
        _("File: %(name)s (%(size)s bytes) -> search “%(search)s”")
        % {"name": job.original_name, "size": f"{job.size:,}", "search": job.search},
        _("Status: %(status)s") % {"status": job.get_status_display()},
        _("Format: %(format)s") % {"format": fmt} + " " + chosen,
        _("Encoding: %(encoding)s") % {"encoding": encoding},
        _("Records imported: %(n)s") % {"n": f"{job.records_imported:,}"},
    ]
    if job.allow_truncated:
        lines.append(_("Truncated file: allowed (a record cut off at the end is dropped)"))
    for line, message in job.warnings:
        if line:
            lines.append(
                _("Warning (line %(line)s): %(message)s") % {"line": line, "message": message}
            )
        else:
            lines.append(_("Warning: %(message)s") % {"message": message})
    if job.skipped:
        lines.append(
            _("Entries skipped because they could not be read: %(n)s") % {"n": len(job.skipped)}
        )
    lines.extend(_skipped_line(*entry) for entry in job.skipped)
    if job.error:
        lines.append(_("Error: %(error)s") % {"error": job.error})
    if story := history(job, latest_run(job)):
        lines.append(_("History: %(story)s") % {"story": story})
    return lines


def _skipped_line(line: int, key: str, title: str, why: str) -> str:
    named = [_("key %(key)s") % {"key": key}] if key else []
    if title:
        named.append(f"“{title}”")
    if named:
        return _("Skipped (line %(line)s, %(named)s): %(why)s") % {
            "line": line,
            "named": ", ".join(named),
            "why": why,
        }
    return _("Skipped (line %(line)s): %(why)s") % {"line": line, "why": why}
