"""A worker that dies mid-import leaves nothing behind; the retried task imports exactly once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from reviewapp import jobs
from reviewapp.models import Job
from screening.identification import imports, progress, writes
from screening.models import ImportJob, Record

from .conftest import ris

pytestmark = pytest.mark.django_db


class WorkerDied(BaseException):
    """Stands for SIGKILL: no except clause of ours runs, the transaction is abandoned."""


def test_a_retried_import_after_the_worker_died_leaves_exactly_one_copy(search, monkeypatch):
    monkeypatch.setattr(writes, "BATCH_SIZE", 10)
    job = imports.store_upload(search, ris(45), "scopus.ris", dispatch=False)
    real_beat = progress.beat

    def die_after_two_batches(job_id, bytes_read, records):
        real_beat(job_id, bytes_read, records)
        if records >= 20:
            raise WorkerDied

    monkeypatch.setattr(progress, "beat", die_after_two_batches)
    with pytest.raises(WorkerDied):
        imports.import_file.delay(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert Record.objects.count() == 0  # the batches written before the death were rolled back

    monkeypatch.setattr(progress, "beat", real_beat)
    imports.import_file.delay(job.pk)  # the redelivered message
    job.refresh_from_db()
    assert (job.status, job.records_imported, job.attempts) == (ImportJob.Status.DONE, 45, 2)
    assert Record.objects.filter(import_job=job).count() == 45
    assert len(set(Record.objects.values_list("source_key", flat=True))) == 45


def test_rows_left_by_an_earlier_attempt_are_replaced_not_doubled(search):
    job = imports.store_upload(search, ris(5), "scopus.ris", dispatch=False)
    Record.objects.create(
        review=search.review, search=search, import_job=job, title="left by a dead worker"
    )
    imports.run_import(job.pk)
    assert Record.objects.filter(import_job=job).count() == 5
    assert not Record.objects.filter(title="left by a dead worker").exists()


def test_a_duplicate_message_for_a_finished_import_does_nothing(search):
    job = imports.store_upload(search, ris(5), "scopus.ris", dispatch=False)
    imports.import_file.delay(job.pk)
    imports.import_file.delay(job.pk)
    job.refresh_from_db()
    assert (job.records_imported, job.attempts) == (5, 1)
    assert Record.objects.count() == 5


def test_a_message_for_a_job_another_live_worker_runs_is_ignored(search):
    job = imports.store_upload(search, ris(5), "scopus.ris", dispatch=False)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, attempts=1)
    Job.objects.create(  # that worker's background job, still beating
        task=imports.import_file.name,
        args=[job.pk],
        key=jobs.job_key(imports.import_file, [job.pk]),
        status=Job.Status.RUNNING,
        heartbeat_at=timezone.now(),
    )
    imports.run_import(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportJob.Status.RUNNING, 1)
    assert Record.objects.count() == 0
