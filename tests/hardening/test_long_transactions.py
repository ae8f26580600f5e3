"""No request waits on a long transaction (issue 28): while a de-duplication run holds its lock
on the review, or an import's transaction has written records of it, a reviewer's decision and a
lead's upload go through at once.

PostgreSQL only (real row locks); the long transaction runs in a thread of its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction

from reviewapp import jobs
from screening.decisions import queues
from screening.dedup import service as dedup
from screening.models import Decision, ImportJob, Record
from tests.factories import RecordFactory, SearchFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks that make a request wait need PostgreSQL (DATABASE_URL)")
    # As with a worker: the request queues background work, it does not run it.
    monkeypatch.setattr(jobs, "send", lambda *args, **kwargs: None)


@contextmanager
def held_open(work: Callable[[], None]) -> Iterator[None]:
    """Run `work` in a transaction of another connection, kept open for the block."""
    ready, done = threading.Event(), threading.Event()

    def run() -> None:
        try:
            with transaction.atomic():
                work()
                ready.set()
                done.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert ready.wait(15)
        yield
    finally:
        done.set()
        thread.join()


def _timed(call: Callable):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_decision_and_an_upload_go_through_while_a_deduplication_run_holds_its_lock(team):
    search = SearchFactory(review=team.review)
    record = RecordFactory(search=search)
    queues.ensure_assignments(team.review)
    reviewer, lead = team.client(team.reviewer1), team.client(team.lead)
    with held_open(lambda: dedup._lock(team.review)):
        decided, decision_took = _timed(
            lambda: reviewer.post(
                f"/r/{team.review.slug}/screen/record/{record.pk}/decide/", {"value": "include"}
            )
        )
        uploaded, upload_took = _timed(
            lambda: lead.post(
                f"/r/{team.review.slug}/searches/{search.pk}/upload/",
                {
                    "files": SimpleUploadedFile("a.ris", b"TY  - JOUR\nTI  - A title\nER  - \n"),
                    "format": "auto",
                },
            )
        )
    assert decided.status_code in (200, 302) and uploaded.status_code == 302
    assert decision_took < 2 and upload_took < 2, (decision_took, upload_took)
    assert Decision.objects.filter(record=record, reviewer=team.reviewer1).exists()
    assert ImportJob.objects.filter(original_name="a.ris").exists()


def test_an_upload_goes_through_while_an_import_transaction_is_open(team):
    search = SearchFactory(review=team.review)

    def importing() -> None:  # rows of the review, not committed yet (as COPY leaves them)
        Record.objects.create(review=team.review, search=search, title="mid-import")

    with held_open(importing):
        uploaded, took = _timed(
            lambda: team.client(team.lead).post(
                f"/r/{team.review.slug}/searches/{search.pk}/upload/",
                {
                    "files": SimpleUploadedFile("b.ris", b"TY  - JOUR\nTI  - B title\nER  - \n"),
                    "format": "auto",
                },
            )
        )
    assert uploaded.status_code == 302
    assert took < 2, took
