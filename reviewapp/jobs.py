"""Queueing background work: after the transaction commits, on the configured queue.

Without REDIS_URL Celery runs the task in-process (eager). With Redis down the task cannot be
queued: `enqueue` reports it, the caller keeps its job row queued, and `dispatch_pending`
sends it when the broker is back.

Work nobody waits for (``background=True``: a ranking retrain after a decision) must not hold
up the request that asked for it. With a broker it is queued like any task; in-process, it runs
on one background thread of the web process (``TASKS_IN_THREAD``, on by default; tests turn it
off to run everything in order).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections, transaction
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
    task: Any,
    *args: Any,
    on_unavailable: Callable[[], None] | None = None,
    background: bool = False,
    **kwargs: Any,
) -> None:
    """Queue the task once the current transaction commits (`background`: see above)."""

    def _send() -> None:
        if background and settings.CELERY_TASK_ALWAYS_EAGER and settings.TASKS_IN_THREAD:
            background_thread.submit(task, args, kwargs)
            return
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


class BackgroundThread:
    """One daemon thread per process running in-process tasks nobody waits for, in order.

    The same task with the same arguments is queued once: a burst of requests asking for one
    reviewer's retrain gets a single run.
    """

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.waiting: set[tuple] = set()
        self.thread: threading.Thread | None = None

    def submit(self, task: Any, args: tuple, kwargs: dict) -> bool:
        key = (task.name, args, tuple(sorted(kwargs.items())))
        with self.lock:
            if key in self.waiting:
                return False
            self.waiting.add(key)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="sift-tasks", daemon=True)
                self.thread.start()
        self.queue.put((key, task, args, kwargs))
        return True

    def _run(self) -> None:
        while True:
            key, task, args, kwargs = self.queue.get()
            with self.lock:
                self.waiting.discard(key)
            try:
                result = task.apply(args=args, kwargs=kwargs, throw=False)
                if result.failed():
                    logger.error("Background task %s%r failed: %s", task.name, args, result.result)
            except Exception:  # pragma: no cover - apply(throw=False) reports, never raises
                logger.exception("Background task %s failed", task.name)
            finally:
                connections.close_all()  # this thread's own connections
                self.queue.task_done()

    def join(self) -> None:
        """Wait until everything submitted so far has run."""
        self.queue.join()


background_thread = BackgroundThread()
