"""A real Celery worker on Redis reads and applies a screening history (tests/conftest.py's
celery_worker); in-process, the same jobs run in the request (test_background.py)."""

from __future__ import annotations

import time

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from reviewapp.models import Job
from screening.models import Decision, Record
from screening.transfer import background, service

from .helpers import fresh_review, screened

pytestmark = [pytest.mark.worker, pytest.mark.postgres]


def _finished(job_id: int, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if not job.is_open:
            return job
        time.sleep(0.2)
    pytest.fail(f"job {job_id} did not finish")


def test_a_real_worker_reads_then_applies_a_history(team, celery_worker):
    screened(team)
    data = "".join(service.export(team.review, "rayyan-ris")).encode()
    target = fresh_review(team)
    path = background.store(target, ContentFile(data, name="rayyan.ris"))
    with transaction.atomic():
        read = background.start_reading(target, path, "rayyan.ris", "rayyan", "auto", by=team.lead)
    read = _finished(read.pk)
    assert read.status == Job.Status.DONE and read.result["records"] == 5, read.result
    mapping = dict(read.result["people"])
    with transaction.atomic():
        job = background.start_applying(target, read, mapping, by=team.lead)
    job = _finished(job.pk)
    assert (job.status, job.attempts, job.result["decisions"]) == ("done", 1, 8), job.result
    assert job.worker.startswith("celery@")
    assert Record.objects.filter(review=target).count() == 5
    assert Decision.objects.filter(review=target).count() == 8
