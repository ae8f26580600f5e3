"""Uploads: an export file checked and kept as an import job, then queued (or run at once).

job = store_upload(search, uploaded_file, "scopus.ris", user=lead)   # queued, task sent on commit
import_file_now(search, path, "scopus.ris")                          # stored and run, synchronously
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reviewapp import jobs
from reviewapp.audit import record_event
from reviewapp.models import Review
from reviewapp.services import ReviewError
from screening.identification.importers import FORMATS, ImportFormatError, detect_format
from screening.identification.importers.base import formats_we_read
from screening.identification.importers.textio import codec_name
from screening.identification.lifecycle import import_file, run_import
from screening.models import ImportJob, Search

Status = ImportJob.Status
HEAD_BYTES = 64 * 1024


class ImportRefused(ReviewError):
    """The upload cannot be accepted; the message says why, for the person who sent it."""


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _as_file(data: Any, filename: str) -> tuple[IO[bytes], bool]:
    """A readable binary file for bytes, a path or a file object; True when we opened it."""
    if isinstance(data, bytes | bytearray):
        return io.BytesIO(bytes(data)), True
    if isinstance(data, str | Path):
        return open(data, "rb"), True
    return data, False


def _digest(fh: IO[bytes]) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    limit = settings.MAX_IMPORT_UPLOAD_BYTES
    while chunk := fh.read(1024 * 1024):
        sha.update(chunk)
        size += len(chunk)
        if size > limit:
            raise ImportRefused(
                _(
                    "The file is larger than the limit of %(limit)s MB. Split the export into several files."
                )
                % {"limit": limit // (1024 * 1024)}
            )
    fh.seek(0)
    return sha.hexdigest(), size


def _format_of(fh: IO[bytes], filename: str, fmt: str, encoding: str = "") -> str:
    if fmt != "auto" and fmt not in FORMATS:
        raise ImportRefused(
            _("Unknown format %(fmt)s. We read: %(formats_we_read)s.")
            % {"fmt": f"{fmt!r}", "formats_we_read": formats_we_read()}
        )
    if fmt != "auto":
        return fmt
    head = fh.read(HEAD_BYTES)
    fh.seek(0)
    try:
        return detect_format(head, filename, encoding or None)
    except ImportFormatError as exc:
        raise ImportRefused(str(exc)) from exc


# Namespace of the advisory locks that serialise a review's uploads (PostgreSQL).
UPLOAD_LOCK = 28_001


def _one_upload_at_a_time(review: Review) -> None:
    """Serialise uploads to one review, so two copies of a file sent at once are caught.

    An advisory lock rather than the review's row: a de-duplication run holds that row for as
    long as it runs, and a running import's inserts hold a key-share lock on it until they
    commit; an upload must wait for neither.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [UPLOAD_LOCK, review.pk % 2**31])
    else:  # SQLite writes one transaction at a time anyway
        Review.objects.select_for_update().filter(pk=review.pk).first()


def store_upload(
    search: Search,
    data: Any,
    filename: str,
    *,
    fmt: str = "auto",
    user: Any = None,
    column_map: dict[str, str] | None = None,
    dispatch: bool = True,
    on_unavailable: Any = None,
    encoding: str = "",
    skip_bad_entries: bool = False,
    allow_truncated: bool = False,
) -> ImportJob:
    """Keep an uploaded export as a job of `search` and queue its import (after commit).

    Refuses (ImportRefused) a file that is too large, empty, in a format we do not read, in an
    encoding we do not know, or already uploaded to this review. Only the first bytes are read
    here (the format): the file itself is opened by the task (an .xlsx can be a zip bomb, a CSV
    one line of hundreds of megabytes), which stops a CSV/XLSX whose columns it does not
    recognise well enough for the column-mapping step (status MAPPING, the reason as its error,
    the header on the job). `encoding` ('' = detect),
    `skip_bad_entries` and `allow_truncated` (a file that ends inside a record imports its
    complete records instead of failing) are kept on the job for its import.
    """
    review = search.review
    if encoding:
        try:
            encoding = codec_name(encoding)
        except ImportFormatError as exc:
            raise ImportRefused(str(exc)) from exc
    fh, opened = _as_file(data, filename)
    try:
        sha, size = _digest(fh)
        if size == 0:
            raise ImportRefused(_("%(filename)s is empty.") % {"filename": filename})
        detected = _format_of(fh, filename, fmt, encoding)
        with transaction.atomic():
            _one_upload_at_a_time(review)
            earlier = (
                review.import_jobs.filter(sha256=sha)
                .exclude(status=Status.FAILED)
                .select_related("search")
                .first()
            )
            if earlier is not None:
                raise ImportRefused(
                    _(
                        "%(filename)s was already uploaded to this review (as %(original_name)s in the search “%(search)s”, %(created_at)s). It was not imported again."
                    )
                    % {
                        "filename": filename,
                        "original_name": earlier.original_name,
                        "search": earlier.search,
                        "created_at": f"{timezone.localtime(earlier.created_at):%Y-%m-%d %H:%M}",
                    }
                )
            job = ImportJob(
                review=review,
                search=search,
                original_name=Path(filename).name[:300] or "upload",
                size=size,
                sha256=sha,
                requested_format=fmt,
                requested_encoding=encoding,
                skip_bad_entries=skip_bad_entries,
                detected_format=detected,
                column_map=column_map or {},
                allow_truncated=allow_truncated,
                status=Status.QUEUED,
                created_by=_user(user),
            )
            job.file.save(job.original_name, File(fh, name=job.original_name), save=False)
            job.save()
            record_event(
                review,
                user,
                "import.uploaded",
                job,
                after={
                    "file": job.original_name,
                    "sha256": sha,
                    "size": size,
                    "format": fmt,
                    "allow_truncated": allow_truncated,
                },
                message=f"{job.original_name} uploaded to {search}",
            )
            if dispatch:
                jobs.enqueue(import_file, job.pk, review=review, on_unavailable=on_unavailable)
        return job
    finally:
        if opened:
            fh.close()


@transaction.atomic
def set_column_map(
    job: ImportJob, column_map: dict[str, str], user: Any, **enqueue: Any
) -> ImportJob:
    """The person chose which columns hold what: queue the waiting import."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status not in (Status.MAPPING, Status.FAILED):
        raise ImportRefused(_("This import is no longer waiting for its columns."))
    if not ({"title", "doi", "pmid"} & {k for k, v in column_map.items() if v}):
        raise ImportRefused(_("Choose at least the column holding the title (or the DOI or PMID)."))
    job.column_map = {k: v for k, v in column_map.items() if v}
    job.status = Status.QUEUED
    job.error = ""
    job.save(update_fields=["column_map", "status", "error"])
    record_event(job.review, user, "import.columns_mapped", job, after=job.column_map)
    jobs.enqueue(import_file, job.pk, review=job.review_id, **enqueue)
    return job


@transaction.atomic
def rerun_import(
    job: ImportJob,
    user: Any,
    *,
    skip_bad_entries: bool | None = None,
    allow_truncated: bool | None = None,
    encoding: str | None = None,
    **enqueue: Any,
) -> ImportJob:
    """Queue a failed (or waiting) import again, changing how its file is read: leaving out
    the entries that cannot be read, allowing a truncated file, or another text encoding. Its
    stored file is read again; nothing has to be uploaded twice."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status not in (Status.MAPPING, Status.FAILED):
        raise ImportRefused(_("This import is not waiting to be run again."))
    if encoding is not None:
        try:
            job.requested_encoding = codec_name(encoding) if encoding else ""
        except ImportFormatError as exc:
            raise ImportRefused(str(exc)) from exc
    if skip_bad_entries is not None:
        job.skip_bad_entries = skip_bad_entries
    if allow_truncated is not None:
        job.allow_truncated = allow_truncated
    job.status = Status.QUEUED
    job.error = ""
    job.save(
        update_fields=[
            "requested_encoding", "skip_bad_entries", "allow_truncated", "status", "error"
        ]
    )  # fmt: skip
    record_event(
        job.review,
        user,
        "import.rerun",
        job,
        after={
            "encoding": job.requested_encoding,
            "skip_bad_entries": job.skip_bad_entries,
            "allow_truncated": job.allow_truncated,
        },
    )
    jobs.enqueue(import_file, job.pk, review=job.review_id, **enqueue)
    return job


def job_columns(job: ImportJob) -> list[str]:
    """The header row the task read (the file is not opened in a request)."""
    return [str(c) for c in job.columns or []]


def read_columns_again(job: ImportJob, **enqueue: Any) -> bool:
    """A job waiting for its columns from before the task kept them: the task reads them."""
    requeued = ImportJob.objects.filter(pk=job.pk, status=Status.MAPPING, columns=[]).update(
        status=Status.QUEUED
    )
    if requeued:
        jobs.enqueue(import_file, job.pk, review=job.review_id, **enqueue)
    return bool(requeued)


def import_file_now(
    search: Search,
    path_or_bytes: Any,
    filename: str,
    fmt: str = "auto",
    user: Any = None,
    column_map: dict[str, str] | None = None,
    encoding: str = "",
    skip_bad_entries: bool = False,
    allow_truncated: bool = False,
) -> ImportJob:
    """Store and import a file synchronously (command line, demo, tests).

    Raises ImportRefused when the upload is refused; a file that fails to parse gives a FAILED
    job with its error. A CSV/XLSX whose columns are not recognised well enough comes back
    waiting (MAPPING), its error saying why and its header in `job.columns`.
    """
    job = store_upload(
        search,
        path_or_bytes,
        filename,
        fmt=fmt,
        user=user,
        column_map=column_map,
        dispatch=False,
        encoding=encoding,
        skip_bad_entries=skip_bad_entries,
        allow_truncated=allow_truncated,
    )
    if job.status == Status.QUEUED:
        job = run_import(job.pk)
    return job
