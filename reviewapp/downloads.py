"""Exports too large to answer inside a request: a background job (reviewapp.jobs) writes the
file to storage, a progress page watches it, then offers the download.

    if downloads.too_large(records):                      # a bounded COUNT
        job = downloads.start(export_records_file, membership, params)
        return redirect(downloads.page_url(job))

    @downloads.export_task("screening.export_records_file", again="record_export")
    def export_records_file(membership, params, progress) -> downloads.Export:
        ...                                               # the same chunks the request streams

- The file is the streamed response's bytes: the same chunks, encoded as UTF-8.
- A second request for the same export (a double click) while one is queued or running gets
  that one: the job's key holds the review, the person and a digest of the parameters.
- The file is written under a temporary name and renamed when complete, and the job names it
  only once it is done: a task that is run again (a re-delivered message, a worker that
  stopped) never offers half a file.
- Files are kept EXPORT_KEEP_SECONDS, and each person's EXPORT_KEEP_PER_PERSON newest of a
  review; each new export clears older ones away.
- A stage's export fails with a message for the person (`give_up`), never a server error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from celery import shared_task
from celery.exceptions import Retry, SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import jobs
from .models import Job, Membership

logger = logging.getLogger(__name__)

FOLDER = "exports"
# The row counts reach the job's row at most this often (one UPDATE).
PROGRESS_SECONDS = 1.0
PROGRESS_EVERY_ROWS = 500


@dataclass
class Export:
    """What a stage's export task produces: the text chunks the request would stream."""

    chunks: Iterable[str]
    total: int  # rows it will write (records, decisions), for the progress
    filename: str
    content_type: str


Produce = Callable[[Membership, dict, Callable[[int], None]], Export]


@dataclass(frozen=True)
class Kind:
    name: str  # the task's name
    again: str  # the URL name that starts this export, with the parameters as its query
    produce: Produce


KINDS: dict[str, Kind] = {}


def too_large(rows: QuerySet) -> bool:
    """More rows than EXPORT_INLINE_MAX_ROWS, counted no further than that."""
    limit = settings.EXPORT_INLINE_MAX_ROWS
    return rows.order_by()[: limit + 1].count() > limit


def counted[T](rows: Iterable[T], progress: Callable[[int], None] | None) -> Iterator[T]:
    """The rows unchanged, telling `progress` how many went by every PROGRESS_EVERY_ROWS."""
    n = 0
    for n, row in enumerate(rows, 1):
        yield row
        if progress is not None and n % PROGRESS_EVERY_ROWS == 0:
            progress(n)
    if progress is not None:
        progress(n)


def export_task(name: str, *, again: str) -> Callable[[Produce], Any]:
    """Register a stage's export: `produce(membership, params, progress)` returns its Export."""

    def register(produce: Produce) -> Any:
        @shared_task(base=jobs.TrackedTask, bind=True, name=name)
        def run(self, review_id: int, user_id: int, digest: str, params: dict) -> dict | None:
            return write(KINDS[name], review_id, user_id, params)

        KINDS[name] = Kind(name, again, produce)
        return run

    return register


def job_args(membership: Membership, params: dict) -> list[Any]:
    params = {k: str(v) for k, v in sorted(params.items())}
    digest = hashlib.sha256(json.dumps(params).encode()).hexdigest()[:16]
    return [membership.review_id, membership.user_id, digest, params]


def start(task: Any, membership: Membership, params: dict) -> Job:
    """The job writing this export for this person: the one already queued or running, or a
    new one. Without a broker it runs on the web process's background thread (tests: here)."""
    args = job_args(membership, params)
    key = jobs.job_key(task, args)
    # A queued row older than the sweeper's resend delay may belong to a process that is gone
    # (in-process, nobody sends it again): a new one then; the first to run covers the other.
    resend = dt.timedelta(seconds=settings.JOB_RESEND_AFTER_SECONDS)
    alive = Q(status=Job.Status.QUEUED, created_at__gte=timezone.now() - resend) | Q(
        status=Job.Status.RUNNING, heartbeat_at__gte=jobs.stale_before()
    )
    for job in Job.objects.filter(alive, key=key, review_id=membership.review_id).order_by("-pk"):
        if job.args == args:
            return job
    return jobs.enqueue(
        task, *args, review=membership.review_id, after_commit=False, background=True
    )


def job_for(membership: Membership, job_id: int) -> Job | None:
    """This person's export job in this review (a merged double request: the one that ran)."""
    job = Job.objects.filter(
        pk=job_id, review_id=membership.review_id, task__in=list(KINDS)
    ).first()
    if job is None or job.args[1] != membership.user_id:
        return None
    merged = (job.result or {}).get("merged_into") if job.status == Job.Status.DONE else None
    if merged:
        return job_for(membership, merged)
    return job


def page_url(job: Job) -> str:
    return reverse("export_job", args=[job.review.slug, job.pk])


def again_url(job: Job) -> str:
    kind = KINDS[job.task]
    return (
        reverse(kind.again, args=[job.review.slug]) + "?" + urlencode(sorted(job.args[3].items()))
    )


def file_of(job: Job) -> dict | None:
    """The finished file {path, filename, content_type, rows, bytes}, or None (not yet, or
    deleted since)."""
    result = job.result or {}
    if job.status != Job.Status.DONE or not result.get("path"):
        return None
    return result if default_storage.exists(result["path"]) else None


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


class _Progress:
    """Rows written so far, on the job's row (with its heartbeat: an in-process run has no
    heartbeat thread, and a double click must see the export as alive)."""

    def __init__(self, job: Job | None) -> None:
        self.job = job
        self.total = 0
        self.last = 0.0

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if self.job is None or now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        percent = min(99, 100 * rows // self.total) if self.total else 0
        jobs.report_progress(percent)
        Job.objects.filter(
            pk=self.job.pk, status=Job.Status.RUNNING, attempts=self.job.attempts
        ).update(
            progress=percent,
            heartbeat_at=timezone.now(),
            result={"rows": rows, "total": self.total},
        )


def write(kind: Kind, review_id: int, user_id: int, params: dict) -> dict | None:
    job = jobs.current()
    membership = (
        Membership.objects.select_related("review", "user")
        .filter(review_id=review_id, user_id=user_id, active=True)
        .first()
    )
    if membership is None:
        return _fail(job, _("You are no longer a member of this review."))
    progress = _Progress(job)
    try:
        export = kind.produce(membership, params, progress)
        progress.total = export.total
        path, size = _store(review_id, export.chunks)
    except (Retry, SoftTimeLimitExceeded, *jobs.CONNECTION_LOST):
        raise  # the job's own handling: retried, or given up with the time limit
    except Exception as exc:
        logger.exception("Export %s of review %s failed", kind.name, review_id)
        return _fail(
            job, _("It stopped with an error (%(error)s).") % {"error": type(exc).__name__}
        )
    # Room for this file among the person's newest (this job is not counted yet: not done).
    try:
        clean_up(review_id, user_id, keep=settings.EXPORT_KEEP_PER_PERSON - 1)
    except Exception:  # the file is written: tidying up never fails the export
        logger.warning("Could not clear old exports of review %s", review_id, exc_info=True)
    return {
        "path": path,
        "filename": export.filename,
        "content_type": export.content_type,
        "rows": export.total,
        "total": export.total,
        "bytes": size,
    }


def _fail(job: Job | None, reason: str) -> None:
    if job is None:
        raise RuntimeError(reason)
    jobs.give_up(job, reason)  # the page shows the reason; the run then finishes as failed
    return None


def _store(review_id: int, chunks: Iterable[str]) -> tuple[str, int]:
    """Write the chunks under a temporary name, then rename: the final name only ever holds a
    complete file. Storages without local paths get a finished local copy saved in one go."""
    name = f"{FOLDER}/{review_id}/{uuid.uuid4().hex}"
    try:
        final = default_storage.path(name)
    except NotImplementedError:
        with tempfile.TemporaryFile() as fh:
            size = _write_chunks(fh, chunks)
            fh.seek(0)
            return default_storage.save(name, File(fh)), size
    os.makedirs(os.path.dirname(final), exist_ok=True)
    partial = f"{final}.part"
    try:
        with open(partial, "wb") as fh:
            size = _write_chunks(fh, chunks)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(partial)
        raise
    return name, size


def _write_chunks(fh: Any, chunks: Iterable[str]) -> int:
    size = 0
    for chunk in chunks:
        data = chunk.encode("utf-8")  # what StreamingHttpResponse sends for a str chunk
        fh.write(data)
        size += len(data)
    return size


# ---------------------------------------------------------------------------------------------
# Cleaning up
# ---------------------------------------------------------------------------------------------


def clean_up(
    review_id: int, user_id: int, *, keep: int | None = None, now: dt.datetime | None = None
) -> int:
    """Delete export files older than EXPORT_KEEP_SECONDS (any review's: leftovers of a stopped
    run too), and this person's beyond their `keep` (EXPORT_KEEP_PER_PERSON) newest finished
    ones of this review. Returns the number of files deleted."""
    now = now or timezone.now()
    keep = settings.EXPORT_KEEP_PER_PERSON if keep is None else keep
    cutoff = now - dt.timedelta(seconds=settings.EXPORT_KEEP_SECONDS)
    deleted = _delete_older_files(cutoff)
    mine = Q()
    for name in KINDS:
        mine |= Q(key__startswith=f"{name}:[{review_id},{user_id},")
    # Older rows' files went with their age above.
    done = Job.objects.filter(
        mine, status=Job.Status.DONE, review_id=review_id, finished_at__gte=cutoff
    ).order_by("-finished_at", "-pk")
    kept = 0
    for job in done.only("pk", "result")[:200]:
        path = (job.result or {}).get("path")
        if not path:
            continue
        if kept < keep:
            kept += 1
            continue
        if default_storage.exists(path):
            default_storage.delete(path)
            deleted += 1
    return deleted


def _delete_older_files(cutoff: dt.datetime) -> int:
    deleted = 0
    with contextlib.suppress(FileNotFoundError, NotImplementedError):
        folders, _files = default_storage.listdir(FOLDER)
        for folder in folders:
            for name in default_storage.listdir(f"{FOLDER}/{folder}")[1]:
                path = f"{FOLDER}/{folder}/{name}"
                with contextlib.suppress(FileNotFoundError):
                    if default_storage.get_modified_time(path) < cutoff:
                        default_storage.delete(path)
                        deleted += 1
    return deleted
