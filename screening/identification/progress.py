"""The progress of a running import, for the page that watches it.

Progress (bytes read, records so far) cannot be seen inside the import's open transaction, so
the worker publishes it in the cache, under a key that expires 3 x JOB_HEARTBEAT_SECONDS after
the last beat, and hands the percentage to its background job (`reviewapp.jobs`), whose
heartbeat in the database is what tells a live worker from a dead one.
Callers reach `beat` through this module (`progress.beat(...)`), so a test can stand in for it.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from typing import IO

from django.conf import settings
from django.core.cache import cache

from reviewapp import jobs
from screening.models import ImportJob

logger = logging.getLogger(__name__)
_size: contextvars.ContextVar[int] = contextvars.ContextVar("import_size", default=0)


@contextlib.contextmanager
def importing(job: ImportJob) -> Iterator[None]:
    """While the job's file is written: beats report a percentage of its size."""
    token = _size.set(job.size)
    try:
        yield
    finally:
        _size.reset(token)


def live_key(job_id: int) -> str:
    return f"screening:import:{job_id}:live"


def beat(job_id: int, bytes_read: int, records: int) -> None:
    if size := _size.get():
        jobs.report_progress(min(99, 100 * bytes_read // size))
    try:
        cache.set(
            live_key(job_id),
            {"bytes": bytes_read, "records": records},
            timeout=3 * settings.JOB_HEARTBEAT_SECONDS,
        )
    except Exception:  # the cache is a convenience: an import never fails for it
        logger.warning("Could not publish the progress of import %s", job_id, exc_info=True)


def live_progress(job: ImportJob) -> dict | None:
    """{"bytes": n, "records": k} while a worker is running the job, else None."""
    try:
        return cache.get(live_key(job.pk))
    except Exception:
        return None


def position(fh: IO[bytes]) -> int:
    try:
        return fh.tell()
    except (OSError, ValueError):
        return 0
