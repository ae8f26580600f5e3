"""A real Celery worker on Redis imports an upload; a worker SIGKILLed mid-import loses nothing
and doubles nothing: the job is sent again once its heartbeat lapses, and a new worker imports it
exactly once (issue 10)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import transaction

from screening.identification import imports
from screening.models import ImportJob, Record, Search

from .conftest import ris

pytestmark = pytest.mark.worker
ROOT = Path(__file__).resolve().parents[4]


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _job(job_id: int) -> ImportJob:
    return ImportJob.objects.get(pk=job_id)


@pytest.fixture
def shared_uploads(monkeypatch, settings):
    """The worker reads the uploads where this test process stored them."""
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))


@pytest.fixture
def short_heartbeat(monkeypatch, settings):
    """Requested before celery_worker, so the worker's environment carries it too."""
    monkeypatch.setenv("IMPORT_HEARTBEAT_SECONDS", "1")
    settings.IMPORT_HEARTBEAT_SECONDS = 1


def test_a_real_worker_imports_an_upload_through_redis(team, shared_uploads, celery_worker):
    search = Search.objects.create(review=team.review, source="Scopus")
    with transaction.atomic():
        job = imports.store_upload(search, ris(200), "scopus.ris", user=team.lead)
    _wait_for(lambda: _job(job.pk).status == ImportJob.Status.DONE, 60, "the import")
    assert Record.objects.filter(import_job=job).count() == 200
    assert "import_file" in celery_worker.log.read_text()


def _start_worker(queue: str, log: Path) -> subprocess.Popen:
    from urllib.parse import urlsplit, urlunsplit

    from django.db import connection

    parts = urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"])),
        "CELERY_QUEUE": queue,
    }
    out = log.open("w")
    command = [sys.executable, "-m", "celery", "-A", "reviewapp", "worker", "-Q", queue,
               "--pool=solo", "--without-gossip", "--without-mingle", "-l", "INFO"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    _wait_for(lambda: "ready" in log.read_text(), 60, "the second worker")
    return process


def test_a_worker_killed_mid_import_leaves_no_partial_records_and_the_retry_imports_once(
    team, shared_uploads, short_heartbeat, celery_worker, tmp_path
):
    n = 40_000
    search = Search.objects.create(review=team.review, source="Scopus")
    with transaction.atomic():
        job = imports.store_upload(search, ris(n), "big.ris", user=team.lead)
    _wait_for(
        lambda: (imports.live_progress(job) or {}).get("records", 0) >= 2000, 60, "rows written"
    )
    os.kill(celery_worker.process.pid, signal.SIGKILL)
    celery_worker.process.wait(timeout=10)
    assert _job(job.pk).status == ImportJob.Status.RUNNING
    # PostgreSQL aborted the dead worker's transaction: nothing of it is visible.
    assert Record.objects.filter(import_job=job).count() == 0

    second = _start_worker(celery_worker.queue, tmp_path / "worker2.log")
    try:
        # The heartbeat lapses after 3 s; the next page view (here: the call) sends the job again.
        sent = _wait_for(lambda: imports.dispatch_pending(team.review), 30, "the re-dispatch")
        assert sent == 1
        _wait_for(lambda: _job(job.pk).status == ImportJob.Status.DONE, 300, "the retried import")
    finally:
        second.terminate()
        try:
            second.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a warm shutdown waits for its task; don't hang CI
            second.kill()
            second.wait(timeout=10)
    done = _job(job.pk)
    assert (done.records_imported, done.attempts) == (n, 2)
    assert Record.objects.filter(import_job=job).count() == n
    assert Record.objects.filter(search=search).values("source_key").distinct().count() == n
