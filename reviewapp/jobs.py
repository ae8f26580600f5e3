"""Background work that heals itself: every piece of queued work is a `Job` row.

    job = enqueue(import_file, upload.pk, review=review)   # the row now, its message after commit
    @shared_task(base=TrackedTask, bind=True)              # a task whose runs the rows track
    report_progress(57)                                    # from inside a running task
    sweep()                                                # Celery beat, every JOB_SWEEP_SECONDS

How the work gets done whatever happens to Redis, the worker or the database:
- `enqueue` writes the row inside the caller's transaction and sends the message once it
  commits. When the broker cannot be reached the row records why (`send_error`) and the
  request goes on at once: nothing in a request waits for Redis or raises because of it.
- The worker claims the row with a conditional UPDATE (queued -> running, or running with a
  stale heartbeat -> running again); a message for a row that is done, or that a live worker
  holds, does nothing. The claim also settles queued rows of the same work (same `key`): the
  run starts after they committed, so it does their work too.
- While the task runs, a thread of the worker writes the row's heartbeat (and the progress the
  task reports) every JOB_HEARTBEAT_SECONDS on a connection of its own, so a long transaction
  of the task does not hide it and Redis being down does not stop it.
- The sweeper sends again what the broker never got or lost, and hands back work whose worker
  stopped beating (killed, out of memory, machine gone): its row notes "stopped at 57 %", and
  the next claim "restarted". After JOB_MAX_ATTEMPTS starts it gives the work up and says why
  (`job_failed`, so the owning stage can mark its own row failed; tasks keep nothing half-stored
  because each writes in one transaction).
- A lost database connection makes the task retry with a backoff (the row goes back to queued).

Without REDIS_URL Celery runs tasks in-process (eager): the same rows, claimed and finished in
the request, and no sweeper is needed. Work nobody waits for (``background=True``: a ranking
retrain after a decision) must not hold up the request that asked for it: in-process it is
dispatched on one background thread of the web process (``TASKS_IN_THREAD``, on by default;
tests turn it off to run everything in order); with a broker it is queued like any task.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from celery import Task, current_app, shared_task
from celery.exceptions import Retry, SoftTimeLimitExceeded
from django.conf import settings
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import F, Func, JSONField, Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Job, Review

logger = logging.getLogger(__name__)

Status = Job.Status
# Sent with the job when its work is given up for good: job_failed.send(sender=task name, job=job)
job_failed = Signal()

# After a failed send, further sends in this process fail at once for this long: six uploads
# while Redis is down cost one connection attempt, not six.
BROKER_PAUSE_SECONDS = 5.0
# A never-sent row younger than this still belongs to the request that created it (on commit).
SEND_GRACE = dt.timedelta(seconds=10)
# Finished rows with nothing to tell are deleted after this long; the others are kept.
KEEP_DONE = dt.timedelta(days=30)
_TASK_ID_PREFIX = "job-"


def _connection_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OperationalError, InterfaceError]
    with contextlib.suppress(ImportError):  # raw psycopg use (COPY) is not wrapped by Django
        import psycopg

        errors += [psycopg.OperationalError, psycopg.InterfaceError]
    return tuple(errors)


# The database went away (restart, terminated backend): retried, never a failure of the work.
CONNECTION_LOST = _connection_errors()


class QueueUnavailable(Exception):
    """The broker cannot be reached; the work stays queued in the database."""


# ---------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------

_broker_down_until = 0.0


def send(task: Any, *args: Any, task_id: str | None = None, **kwargs: Any) -> Any:
    """Send now (not on commit). Raises QueueUnavailable when the broker is down.

    Run in-process when there is no broker (eager): the task's own errors propagate then.
    """
    global _broker_down_until
    options = {"queue": settings.CELERY_TASK_DEFAULT_QUEUE, "retry": False, "task_id": task_id}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return task.apply_async(args=args, kwargs=kwargs, **options)
    if time.monotonic() < _broker_down_until:
        raise QueueUnavailable(_("the queue did not answer a moment ago"))
    try:
        return task.apply_async(args=args, kwargs=kwargs, **options)
    except Exception as exc:  # kombu, redis-py, socket errors and the result store's RuntimeError
        _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("Queue unavailable for %s: %s", getattr(task, "name", task), exc)
        raise QueueUnavailable(str(exc) or type(exc).__name__) from exc


def job_key(task: Any, args: Iterable[Any]) -> str:
    name = getattr(task, "name", str(task))
    return f"{name}:{json.dumps(list(args), separators=(',', ':'), default=str)}"[:250]


def enqueue(
    task: Any,
    *args: Any,
    review: Review | int | None = None,
    on_unavailable: Callable[[], None] | None = None,
    after_commit: bool = True,
    background: bool = False,
) -> Job:
    """Record the work as a queued Job and send its message once the transaction commits
    (or at once, when `after_commit` is False: the work needs nothing of this transaction).

    When the message cannot be sent, `on_unavailable` is called and the row keeps the reason;
    the sweeper sends it once the broker is back.
    """
    review_id = getattr(review, "pk", review)
    job = Job.objects.create(
        task=task.name, args=list(args), key=job_key(task, args), review_id=review_id
    )

    def _send() -> None:
        if background and settings.CELERY_TASK_ALWAYS_EAGER and settings.TASKS_IN_THREAD:
            background_thread.submit(_Dispatch(job.pk), (job.pk,), {})
            return
        if not dispatch(job) and on_unavailable is not None:
            on_unavailable()

    if after_commit:
        transaction.on_commit(_send)
    else:
        _send()
    return job


def dispatch(job: Job) -> bool:
    """Send the job's message now; False (and the reason kept on the row) if the broker is down."""
    task = current_app.tasks[job.task]
    task_id = f"{_TASK_ID_PREFIX}{job.pk}-{uuid.uuid4().hex[:8]}"
    earlier = job.sent_at
    now = timezone.now()
    # Mark it sent first: a concurrent sweep does not send it too, and an in-process run (eager)
    # finds the row as sent.
    marked = Job.objects.filter(pk=job.pk, status=Status.QUEUED, sent_at=earlier).update(
        sent_at=now
    )
    if not marked:
        return True  # another process sent it, or it is already running or done
    try:
        send(task, *job.args, task_id=task_id)
    except QueueUnavailable as exc:
        first = job.send_failures == 0
        Job.objects.filter(pk=job.pk, sent_at=now).update(
            sent_at=earlier, send_failures=F("send_failures") + 1, send_error=str(exc)[:1000]
        )
        job.send_failures += 1
        if first:
            note(job.pk, "unsent", error=str(exc)[:300])
        return False
    if job.send_failures:
        Job.objects.filter(pk=job.pk).update(send_error="")
        note(job.pk, "sent")
    job.sent_at = now
    return True


def job_id_of(task_id: str | None) -> int | None:
    if not task_id or not task_id.startswith(_TASK_ID_PREFIX):
        return None
    head = task_id[len(_TASK_ID_PREFIX) :].split("-", 1)[0]
    return int(head) if head.isdigit() else None


# ---------------------------------------------------------------------------------------------
# The history of a job: what happened besides queued -> running -> done
# ---------------------------------------------------------------------------------------------


class _Append(Func):
    """history || [item], in one UPDATE: no read-modify-write race with other writers."""

    output_field = JSONField()

    def __init__(self, item: dict) -> None:
        super().__init__(F("history"))
        self.item = json.dumps(item)

    def as_postgresql(self, compiler, conn, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(COALESCE({sql}, '[]'::jsonb) || jsonb_build_array(%s::jsonb))", [
            *params,
            self.item,
        ]

    def as_sql(self, compiler, conn, **extra):  # SQLite
        sql, params = compiler.compile(self.source_expressions[0])
        return f"json_insert(COALESCE({sql}, '[]'), '$[#]', json(%s))", [*params, self.item]


def note(job_id: int, event: str, **details: Any) -> None:
    """Append an event to the job's history: {"at": iso time, "event": event, **details}.

    Events: unsent (the broker could not be reached), sent (it could again), stopped (the
    worker stopped beating, at `percent`), restarted (attempt n), retry (lost the database
    connection), given_up (with the reason).
    """
    item = {"at": timezone.now().isoformat(), "event": event, **details}
    Job.objects.filter(pk=job_id).update(history=_Append(item))


# ---------------------------------------------------------------------------------------------
# Running: claim, heartbeat, finish
# ---------------------------------------------------------------------------------------------


def stale_before(now: dt.datetime | None = None) -> dt.datetime:
    """A running job whose last heartbeat is older than this lost its worker."""
    return (now or timezone.now()) - dt.timedelta(seconds=3 * settings.JOB_HEARTBEAT_SECONDS)


def claim(job_id: int, worker: str = "") -> Job | None:
    """Mark the job running for this worker, or None when it is not ours to run: done, failed,
    or held by a worker that is still beating."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status in (Status.DONE, Status.FAILED):
        return None
    taking_over = job.status == Status.RUNNING
    if taking_over and job.heartbeat_at and job.heartbeat_at >= stale_before():
        return None
    if taking_over and job.attempts >= settings.JOB_MAX_ATTEMPTS:
        give_up(job, stopped_reason(job))
        return None
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=job.status, attempts=job.attempts).update(
        status=Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        progress=0,
        worker=worker[:200],
        error="",
    )
    if not claimed:
        return None
    if taking_over:
        note(job_id, "stopped", percent=job.progress, attempt=job.attempts)
    if job.attempts:
        note(job_id, "restarted", attempt=job.attempts + 1)
    # Queued requests for the same work that committed before this claim are covered by this
    # run, which reads the database after them.
    Job.objects.filter(key=job.key, status=Status.QUEUED).exclude(pk=job_id).update(
        status=Status.DONE, finished_at=now, result={"merged_into": job_id}
    )
    job.refresh_from_db()
    return job


def finish(job: Job, result: Any) -> None:
    try:
        json.dumps(result)
    except (TypeError, ValueError):
        result = None
    Job.objects.filter(pk=job.pk, status=Status.RUNNING, attempts=job.attempts).update(
        status=Status.DONE, finished_at=timezone.now(), progress=100, result=result
    )


def give_up(job: Job, reason: str) -> None:
    """The work failed for good: say why, and let its stage mark its own row (job_failed)."""
    updated = Job.objects.filter(pk=job.pk, attempts=job.attempts, status=job.status).update(
        status=Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )
    if updated:
        note(job.pk, "given_up", reason=reason[:300])
        job.refresh_from_db()
        job_failed.send(sender=job.task, job=job)


def stopped_reason(job: Job) -> str:
    return _(
        "The worker stopped %(n)s times while running this (the last time at %(percent)s %%), "
        "so it was given up."
    ) % {"n": job.attempts, "percent": job.progress}


_current: contextvars.ContextVar[_Heartbeat | None] = contextvars.ContextVar(
    "job_heartbeat", default=None
)
_job: contextvars.ContextVar[Job | None] = contextvars.ContextVar("running_job", default=None)


def current() -> Job | None:
    """The job this task runs under (None outside a tracked run)."""
    return _job.get()


def held_elsewhere(task: Any, *args: Any) -> bool:
    """Another worker runs this work and still beats (the current run's own job aside).

    A task whose own row says "running" asks this before taking the work over: under a tracked
    run, a row left running by a worker that stopped beating is free to take.
    """
    running = Job.objects.filter(
        key=job_key(task, args), status=Status.RUNNING, heartbeat_at__gte=stale_before()
    )
    mine = current()
    if mine is not None:
        running = running.exclude(pk=mine.pk)
    return running.exists()


def report_progress(percent: float) -> None:
    """From inside a running task: how far it got (0-100), written with the next heartbeat."""
    beat = _current.get()
    if beat is not None:
        beat.percent = max(0, min(100, int(percent)))


class _Heartbeat(threading.Thread):
    """Writes the running job's heartbeat and progress on a database connection of its own."""

    def __init__(self, job: Job) -> None:
        super().__init__(name=f"job-{job.pk}-heartbeat", daemon=True)
        self.job_id, self.attempt = job.pk, job.attempts
        self.percent = 0
        self.stopping = threading.Event()

    def __enter__(self) -> _Heartbeat:
        self.token = _current.set(self)
        self.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _current.reset(self.token)
        self.stopping.set()
        self.join(timeout=5)

    def run(self) -> None:
        from django.db import connections

        try:
            while not self.stopping.wait(settings.JOB_HEARTBEAT_SECONDS):
                self.beat()
        finally:
            connections.close_all()  # this thread's own connections

    def beat(self) -> None:
        try:
            Job.objects.filter(pk=self.job_id, status=Status.RUNNING, attempts=self.attempt).update(
                heartbeat_at=timezone.now(), progress=self.percent
            )
        except DatabaseError:  # the database is restarting: beat again on a new connection
            logger.warning("Could not write the heartbeat of job %s", self.job_id, exc_info=True)
            with contextlib.suppress(Exception):
                connection.close()


class TrackedTask(Task):
    """Base of every queued task: a message sent by `enqueue` runs under its Job row.

    Called directly, or sent without a row (`send`), the task just runs.
    """

    acks_late = True
    reject_on_worker_lost = True
    max_retries = 6

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        job_id = job_id_of(self.request.id)
        if job_id is None or self.request.called_directly:
            return super().__call__(*args, **kwargs)
        job = claim(job_id, worker=self.request.hostname or "")
        if job is None:
            return None
        beat: Any = contextlib.nullcontext() if self.request.is_eager else _Heartbeat(job)
        token = _job.set(job)
        try:
            with beat:
                result = self.run(*args, **kwargs)
        except Retry:
            _release(job, "retry")
            raise
        except CONNECTION_LOST as exc:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                _release(job, "retry", error=type(exc).__name__)
                raise  # in-process: the request that ran it fails, as without a job
            return self._retry_after_database_error(job, exc)
        except SoftTimeLimitExceeded:
            give_up(
                job,
                _("It took longer than the limit of %(s)s seconds.")
                % {"s": settings.JOB_TIME_LIMIT},
            )
            raise
        except Exception as exc:
            with contextlib.suppress(DatabaseError):
                give_up(
                    job, _("It failed unexpectedly (%(error)s).") % {"error": type(exc).__name__}
                )
            raise
        finally:
            _job.reset(token)
        finish(job, result)
        return result

    def _retry_after_database_error(self, job: Job, exc: Exception) -> Any:
        # The connection is gone (database restarted): a new one for what follows.
        with contextlib.suppress(Exception):
            connection.close()
        _release(job, "retry", error=type(exc).__name__)
        try:
            raise self.retry(exc=exc, countdown=min(120, 2 * 2**self.request.retries))
        except Retry:
            raise
        except Exception:  # retries exhausted, or the retry could not be sent
            with contextlib.suppress(DatabaseError):
                if self.request.retries >= self.max_retries:
                    give_up(job, _("The database stayed unreachable."))
                else:
                    Job.objects.filter(pk=job.pk, status=Status.QUEUED).update(sent_at=None)
            raise


def _release(job: Job, event: str, **details: Any) -> None:
    """Hand the job back to the queue (its retry message is on its way)."""
    with contextlib.suppress(DatabaseError):
        released = Job.objects.filter(
            pk=job.pk, status=Status.RUNNING, attempts=job.attempts
        ).update(status=Status.QUEUED, sent_at=timezone.now())
        if released:
            note(job.pk, event, **details)


# ---------------------------------------------------------------------------------------------
# The sweeper
# ---------------------------------------------------------------------------------------------


def sweep_once(now: dt.datetime | None = None) -> dict[str, int]:
    """One pass of the sweeper; returns what it did."""
    now = now or timezone.now()
    done = {"stopped": 0, "given_up": 0, "sent": 0, "unsent": 0, "deleted": 0}
    stale = stale_before(now)
    for job in Job.objects.filter(status=Status.RUNNING, heartbeat_at__lt=stale)[:200]:
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            give_up(job, stopped_reason(job))
            done["given_up"] += 1
            continue
        if hand_back(job):
            done["stopped"] += 1
    resend = dt.timedelta(seconds=settings.JOB_RESEND_AFTER_SECONDS)
    waiting = Job.objects.filter(status=Status.QUEUED).filter(
        Q(sent_at__isnull=True, created_at__lt=now - SEND_GRACE)
        | Q(sent_at__isnull=True, send_failures__gt=0)
        | Q(sent_at__isnull=True, attempts__gt=0)
        | Q(sent_at__lt=now - resend)
    )
    for job in waiting.order_by("created_at", "pk")[:500]:
        if dispatch(job):
            done["sent"] += 1
        else:
            done["unsent"] += 1
            break  # the broker is down: the next sweep tries again
    old = Job.objects.filter(
        status=Status.DONE, finished_at__lt=now - KEEP_DONE, attempts__lte=1, send_failures=0
    )
    done["deleted"] = old.filter(pk__in=list(old.values_list("pk", flat=True)[:1000])).delete()[0]
    return done


def hand_back(job: Job) -> bool:
    """A running job whose worker stopped beating goes back to the queue, unsent (the
    sweeper, and `revive` where there is none); False if something else changed it first."""
    handed_back = Job.objects.filter(
        pk=job.pk, status=Status.RUNNING, attempts=job.attempts, heartbeat_at=job.heartbeat_at
    ).update(status=Status.QUEUED, sent_at=None)
    if handed_back:
        note(job.pk, "stopped", percent=job.progress, attempt=job.attempts)
    return bool(handed_back)


def revive(job: Job | None, *, background: bool = True) -> bool:
    """Without a broker nothing sweeps: work whose web process stopped (restarted, killed)
    before or while it ran it would stay queued, or running, for ever. The page showing the
    job asks here: a queued job nobody started for JOB_REVIVE_SECONDS, or a running one whose
    heartbeat stopped, is handed back and dispatched again (`background`: on this process's
    background thread), as the sweeper sends it again with a broker. The claim keeps two
    revivals, or a revival and a late first run, to one run. True when it was revived."""
    if job is None or not settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    now = timezone.now()
    if job.status == Status.RUNNING:
        if job.heartbeat_at is None or job.heartbeat_at >= stale_before(now):
            return False
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            give_up(job, stopped_reason(job))
            return False
        if not hand_back(job):
            return False
        job.refresh_from_db()
    elif job.status == Status.QUEUED:
        since = job.sent_at or job.created_at
        if since >= now - dt.timedelta(seconds=settings.JOB_REVIVE_SECONDS):
            return False
    else:
        return False
    logger.warning("Job %s (%s) was lost with its process: run again", job.pk, job.task)
    if background and settings.TASKS_IN_THREAD:
        background_thread.submit(_Dispatch(job.pk), (job.pk,), {})
    else:
        dispatch(job)
    return True


@shared_task(name="reviewapp.jobs.sweep", ignore_result=True)
def sweep() -> dict[str, int]:
    """Celery beat runs this every JOB_SWEEP_SECONDS (see CELERY_BEAT_SCHEDULE)."""
    done = sweep_once()
    if any(done[k] for k in ("stopped", "given_up", "sent", "unsent")):
        logger.warning("Job sweep: %s", done)
    return done


# ---------------------------------------------------------------------------------------------
# Reading: the latest job for some work, and what to tell the person
# ---------------------------------------------------------------------------------------------


def latest(task: Any, *args: Any) -> Job | None:
    return Job.objects.filter(key=job_key(task, args)).order_by("-pk").first()


def latest_by_key(keys: Iterable[str]) -> dict[str, Job]:
    """The newest job of each key, in one query."""
    found: dict[str, Job] = {}
    for job in Job.objects.filter(key__in=list(keys)).order_by("key", "-pk"):
        found.setdefault(job.key, job)
    return found


def waiting_for_queue(job: Job | None) -> bool:
    """Queued, and its message could not be sent: it starts by itself once the queue is back."""
    return bool(job and job.status == Status.QUEUED and job.sent_at is None and job.send_failures)


def story(job: Job | None, *, completed_at: dt.datetime | None = None) -> str:
    """What happened to the job besides running once, for the person, e.g. "the worker stopped
    at 57 %; restarted 14:02; completed 14:03". Empty when nothing did.

    `completed_at`: the owner's own record that the work completed (its row is marked a moment
    before the job's)."""
    if job is None or not job.history:
        return ""
    parts = []
    for item in job.history:
        at = _clock(item.get("at"))
        event = item.get("event")
        if event == "unsent":
            parts.append(_("the queue was unavailable at %(at)s") % {"at": at})
        elif event == "sent":
            parts.append(_("sent at %(at)s when the queue was back") % {"at": at})
        elif event == "stopped":
            parts.append(
                _("the worker stopped at %(percent)s %%") % {"percent": item.get("percent", 0)}
            )
        elif event == "restarted":
            parts.append(_("restarted %(at)s") % {"at": at})
        elif event == "retry":
            parts.append(_("lost the database connection at %(at)s, retried") % {"at": at})
        elif event == "given_up":
            parts.append(_("given up at %(at)s") % {"at": at})
    if completed_at is not None or job.status == Status.DONE:
        at = completed_at or job.finished_at
        parts.append(_("completed %(at)s") % {"at": _clock(at)})
    return "; ".join(parts)


def _clock(value: Any) -> str:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        return ""
    return f"{timezone.localtime(value):%H:%M}"


# ---------------------------------------------------------------------------------------------
# In-process work nobody waits for: one background thread per web process
# ---------------------------------------------------------------------------------------------


class _Dispatch:
    """Dispatch a job's row from the background thread (eager: it runs right there)."""

    name = "reviewapp.jobs.dispatch"

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id

    def apply(self, args, kwargs, throw):
        job = Job.objects.filter(pk=self.job_id).first()
        if job is not None:
            dispatch(job)
        return _Done()


class _Done:
    def failed(self) -> bool:
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
            except Exception:
                logger.exception("Background task %s failed", task.name)
            finally:
                connections.close_all()  # this thread's own connections
                self.queue.task_done()

    def join(self) -> None:
        """Wait until everything submitted so far has run."""
        self.queue.join()


background_thread = BackgroundThread()
