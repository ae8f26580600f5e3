"""No request waits on a long transaction: while a background builder holds the screening
settings' lock (after a large import) pages read the queues as they are, and a large batch of
new records is assigned by a background job, not in the request (issue 28)."""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.db import connections, transaction

from reviewapp import jobs
from reviewapp.models import Job
from screening.decisions import queues
from screening.models import Assignment, ScreeningSettings

from .factories import records


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_page_does_not_wait_while_the_worker_builds_the_assignments(team):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("row locks that make a page wait need PostgreSQL (DATABASE_URL)")
    records(team, 3)
    queues.ensure_assignments(team.review)
    records(team, 2)  # imported since: the assignments are stale
    held, release = threading.Event(), threading.Event()

    def worker_building() -> None:
        try:
            with transaction.atomic():
                ScreeningSettings.objects.select_for_update().get(review=team.review)
                held.set()
                release.wait(20)
        finally:
            connections.close_all()

    builder = threading.Thread(target=worker_building)
    builder.start()
    try:
        assert held.wait(10)
        client = team.client(team.reviewer1)
        started = time.monotonic()
        page = client.get(f"/r/{team.review.slug}/screen/")
        waited = time.monotonic() - started
    finally:
        release.set()
        builder.join()
    assert page.status_code == 200
    assert waited < 2, f"the page waited {waited:.1f} s for the builder's lock"
    assert Assignment.objects.filter(reviewer=team.reviewer1).count() == 3  # as they were
    queues.ensure_assignments(team.review)  # the lock is free: the new records are assigned
    assert Assignment.objects.filter(reviewer=team.reviewer1).count() == 5


@pytest.mark.django_db
def test_a_large_batch_of_new_records_is_assigned_in_the_background(
    team, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(queues, "REQUEST_BUILD_LIMIT", 4)
    records(team, 2)
    queues.ensure_assignments(team.review)
    records(team, 6)
    client = team.client(team.reviewer1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.get(f"/r/{team.review.slug}/screen/").status_code == 200
        assert client.get(f"/r/{team.review.slug}/screen/").status_code == 200
    assert Assignment.objects.filter(reviewer=team.reviewer1).count() == 2  # not in the request
    build = Job.objects.get(task=queues.build_assignments.name)  # one job for both pages
    assert build.args == [team.review.pk, "ta"]
    for callback in callbacks:
        callback()  # the job is sent (in-process here: it runs)
    build.refresh_from_db()
    assert build.status == jobs.Status.DONE
    assert Assignment.objects.filter(reviewer=team.reviewer1).count() == 8


@pytest.mark.django_db
def test_a_small_batch_is_still_assigned_in_the_request(team):
    records(team, 2)
    queues.ensure_assignments(team.review)
    records(team, 3)
    team.client(team.reviewer1).get(f"/r/{team.review.slug}/screen/")
    assert Assignment.objects.filter(reviewer=team.reviewer1).count() == 5
    assert not Job.objects.exists()
