"""A screening history imported in the background: two tracked jobs (reviewapp.jobs).

    read = start_reading(review, upload, "rayyan", "auto", by=lead)   # stores the file
    preview_of(read)      # once it is done: who is who, reasons, counts, warnings (or an error)
    apply = start_applying(review, read, {"Rita": rita.pk}, by=lead)  # after the lead confirms

The request only stores the upload; a worker reads it (the preview, kept in the read job's
result) and, once the lead has mapped the people, applies it through service.import_history in
one transaction. Applying is idempotent: the upload's path is kept on the history's audit row,
so a task delivered twice, or a second run of the same upload, finds it there and stores
nothing again. One apply job per read job runs at a time: a double submit lands on the first.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from reviewapp import jobs
from reviewapp.models import Job, Review, User
from screening.transfer import service


def _language(user_id: int | None) -> contextlib.AbstractContextManager:
    """The language of the lead who uploaded the file, for the messages the job keeps."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        return contextlib.nullcontext()
    return translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE)


def _read_file(path: str, source: str, name: str, which: str) -> service.History:
    if not default_storage.exists(path):
        raise service.TransferError(_("Upload the file again: it is no longer waiting."))
    with default_storage.open(path, "rb") as fh:
        data = fh.read()
    return service.read(source, data, name, which)


def preview_data(review: Review, history: service.History) -> dict[str, Any]:
    """service.preview as JSON for the read job's result."""
    plan = service.preview(review, history)
    return {
        "source": history.source,
        "records": len(history.entries),
        "people": [[name, getattr(user, "pk", None)] for name, user in plan.suggested.items()],
        "reasons": [[stage, label, exists] for stage, label, exists in plan.reasons],
        "counts": {stage: list(counts) for stage, counts in plan.counts.items()},
        "warnings": [str(w) for w in plan.warnings],
    }


@shared_task(base=jobs.TrackedTask)
def read_history(
    review_id: int,
    path: str,
    name: str,
    source: str,
    which: str,
    by_id: int | None = None,
    sha256: str = "",
) -> dict[str, Any]:
    """Read the stored upload for the preview; nothing is stored in the review. `sha256`
    (the file's) lets a second upload of the same file find this read (`start_reading`)."""
    review = Review.objects.filter(pk=review_id).first()
    if review is None:
        return {}  # the review was deleted: nobody will read the preview
    with _language(by_id):
        try:
            return preview_data(review, _read_file(path, source, name, which))
        except service.TransferError as exc:
            return {"error": str(exc)}


@shared_task(base=jobs.TrackedTask)
def apply_history(
    review_id: int, read_job_id: int, mapping: dict[str, int], by_id: int
) -> dict[str, Any]:
    """Import the previewed history with the lead's mapping, all of it or (on an error that
    the result names) none of it. Run twice, the second run stores nothing."""
    review = Review.objects.filter(pk=review_id).first()
    read = Job.objects.filter(pk=read_job_id, review_id=review_id).first()
    if review is None:
        return {}  # the review was deleted: nothing to apply it to
    if read is None:
        with _language(by_id):
            return {"error": _("Upload the file again: it is no longer waiting.")}
    _review, path, name, source, which, *_rest = read.args
    with _language(by_id), transaction.atomic():
        _one_run_at_a_time(read)
        earlier = service.applied(review, path)
        if earlier is not None:
            return {**_counts(earlier), "skipped": [], "again": True}
        try:
            history = _read_file(path, source, name, which)
            users = {u.pk: u for u in User.objects.filter(pk__in=list(mapping.values()))}
            people = {person: users.get(user_id) for person, user_id in mapping.items()}
            result = service.import_history(
                review, history, people, by=User.objects.get(pk=by_id), upload=path
            )
        except service.TransferError as exc:
            return {"error": str(exc)}
        transaction.on_commit(lambda: default_storage.delete(path))
    return {
        "records": result.records,
        "decisions": result.decisions,
        "outcomes": result.outcomes,
        "skipped": [str(line) for line in result.skipped],
        "import_job": result.job.pk,
    }


# Namespace of the advisory locks that serialise the runs applying one upload (PostgreSQL).
APPLY_LOCK = 28_002


def _one_run_at_a_time(read: Job) -> None:
    """Two runs applying the same upload (a message delivered twice) take turns, the second
    then finding the first's audit row. An advisory lock, not the read job's row: a request
    asking for the apply job locks that row briefly, and must not wait for a running import.
    SQLite writes one transaction at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [APPLY_LOCK, read.pk % 2**31])


def _counts(after: dict) -> dict[str, int]:
    return {key: int(after.get(key) or 0) for key in ("records", "decisions", "outcomes")}


# Asking for the work (the views) -----------------------------------------------------------


def store(review: Review, upload: Any) -> str:
    """Keep the upload in private storage until it is applied; its path names it."""
    return default_storage.save(f"transfer/{review.pk}/{uuid.uuid4().hex}", upload)


# Namespace of the advisory locks that keep a double upload to one read job (PostgreSQL).
READ_LOCK = 28_003


def digest(upload: Any) -> str:
    """The uploaded file's SHA-256 (read in chunks; the file is left at its start)."""
    sha = hashlib.sha256()
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def start_reading(
    review: Review,
    path: str,
    name: str,
    source: str,
    which: str,
    *,
    by: Any,
    sha256: str = "",
    **enqueue: Any,
) -> Job:
    return jobs.enqueue(
        read_history, review.pk, path, name, source, which, by.pk, sha256, review=review,
        **enqueue,
    )  # fmt: skip


def read_upload(
    review: Review, upload: Any, source: str, which: str, *, by: Any, **enqueue: Any
) -> Job:
    """The read job of an uploaded file: a new one (the file stored), or the one this person's
    upload of the same file, read the same way, started and that is still queued or running
    (a double submit: one read, and the file is not stored twice)."""
    sha = digest(upload)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [READ_LOCK, review.pk % 2**31]
                )
        running = Job.objects.filter(
            review=review,
            task=read_history.name,
            status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
        )
        for job in running.order_by("-pk"):
            if job.args[3:] == [source, which, by.pk, sha]:
                return job
        path = store(review, upload)
        return start_reading(review, path, upload.name, source, which, by=by, sha256=sha, **enqueue)


def start_applying(
    review: Review, read: Job, mapping: dict[str, int], *, by: Any, **enqueue: Any
) -> Job:
    """The apply job of this upload: a new one, or the one already asked for (a double
    submit, or a second click while it runs) unless that one ended in an error."""
    with transaction.atomic():
        Job.objects.select_for_update().filter(pk=read.pk).first()
        for job in applications(review, read):
            if job.status in (Job.Status.QUEUED, Job.Status.RUNNING) or (
                job.status == Job.Status.DONE and not (job.result or {}).get("error")
            ):
                return job
        return jobs.enqueue(
            apply_history, review.pk, read.pk, mapping, by.pk, review=review, **enqueue
        )


def applications(review: Review, read: Job):
    """The apply jobs asked for this upload, newest first."""
    return Job.objects.filter(review=review, task=apply_history.name, args__1=read.pk).order_by(
        "-pk"
    )


def history_jobs(review: Review):
    """The review's history import jobs (what the job page may show)."""
    return Job.objects.filter(review=review, task__in=[read_history.name, apply_history.name])


def is_reading(job: Job) -> bool:
    return job.task == read_history.name


def failure(job: Job) -> str:
    """Why the job ended without a result: its own error, or the one its result names."""
    if job.status == Job.Status.FAILED:
        return job.error or _("The import failed.")
    return str((job.result or {}).get("error") or "")
