"""The heartbeat of a running import: its progress, published in the cache.

Progress (bytes read, records so far) cannot be seen inside the import's open transaction, so
the worker publishes it under a key that expires 3 x IMPORT_HEARTBEAT_SECONDS after the last
beat. A RUNNING job without that key lost its worker (see `lifecycle.dispatch_pending`).
Callers reach `beat` through this module (`progress.beat(...)`), so a test can stand in for it.
"""

from __future__ import annotations

import logging
from typing import IO

from django.conf import settings
from django.core.cache import cache

from screening.models import ImportJob

logger = logging.getLogger(__name__)


def live_key(job_id: int) -> str:
    return f"screening:import:{job_id}:live"


def beat(job_id: int, bytes_read: int, records: int) -> None:
    try:
        cache.set(
            live_key(job_id),
            {"bytes": bytes_read, "records": records},
            timeout=3 * settings.IMPORT_HEARTBEAT_SECONDS,
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
