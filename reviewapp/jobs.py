"""Queueing background work: after the transaction commits, on the configured queue.

Without REDIS_URL Celery runs the task in-process (eager). With Redis down the task cannot be
queued: `enqueue` reports it, the caller keeps its job row queued, and `dispatch_pending`
sends it when the broker is back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


class QueueUnavailable(Exception):
    """The broker cannot be reached; the work stays queued in the database."""


def send(task: Any, *args: Any, **kwargs: Any) -> Any:
    """Send now (not on commit). Raises QueueUnavailable when the broker is down."""
    try:
        return task.apply_async(
            args=args,
            kwargs=kwargs,
            queue=settings.CELERY_TASK_DEFAULT_QUEUE,
            retry=False,
        )
    except (OperationalError, ConnectionError, OSError) as exc:
        logger.warning("Queue unavailable for %s: %s", task.name, exc)
        raise QueueUnavailable(str(exc)) from exc


def enqueue(
    task: Any, *args: Any, on_unavailable: Callable[[], None] | None = None, **kwargs: Any
) -> None:
    """Queue the task once the current transaction commits."""

    def _send() -> None:
        try:
            send(task, *args, **kwargs)
        except QueueUnavailable:
            if on_unavailable is not None:
                on_unavailable()

    transaction.on_commit(_send)


def broker_available() -> bool:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True
    from .celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return True
    except Exception:
        return False
