"""A real Celery worker on Redis imports an upload (a worker killed mid-import: tests/faults)."""

from __future__ import annotations

import os
import time

import pytest
from django.db import transaction

from screening.identification import imports, second_parser
from screening.models import ImportJob, Record, Search

from .conftest import ris

pytestmark = pytest.mark.worker


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


def test_a_real_worker_imports_an_upload_through_redis(team, celery_worker):
    search = Search.objects.create(review=team.review, source="Scopus")
    with transaction.atomic():
        job = imports.store_upload(search, ris(200), "scopus.ris", user=team.lead)
    _wait_for(lambda: _job(job.pk).status == ImportJob.Status.DONE, 60, "the import")
    assert Record.objects.filter(import_job=job).count() == 200
    assert "import_file" in celery_worker.log.read_text()
    # The import is marked done inside the task; its Job row once the task has returned.
    _wait_for(lambda: imports.latest_run(job).status == "done", 30, "the job to be closed")
    run = imports.latest_run(job)
    assert (run.status, run.attempts, run.worker.startswith("celery@")) == ("done", 1, True)


def test_a_real_worker_imports_a_large_file_in_two_processes(team, celery_worker):
    # Large enough that the worker's task forks a second parser (second_parser.MIN_BYTES):
    # a Celery pool process may, and every record arrives once, in file order.
    content = ris(56_000)
    assert len(content) > second_parser.MIN_BYTES and (os.cpu_count() or 1) >= 2
    search = Search.objects.create(review=team.review, source="Scopus")
    with transaction.atomic():
        job = imports.store_upload(search, content, "large.ris", user=team.lead)
    _wait_for(lambda: _job(job.pk).status == ImportJob.Status.DONE, 120, "the import")
    lines = list(
        Record.objects.filter(import_job=job).order_by("id").values_list("line", flat=True)
    )
    assert len(lines) == 56_000 and lines == sorted(set(lines))
