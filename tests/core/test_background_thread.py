"""Without a broker, work nobody waits for runs beside the request, not inside it.

In the embedded set-up (no REDIS_URL) Celery runs tasks in-process. A ranking retrain after
each decision took 0.5-3 s inside the reviewer's request; it now runs on the web process's
background thread, once per burst of requests.
"""

from __future__ import annotations

import threading

import pytest
from celery import shared_task
from django.urls import reverse

from reviewapp.jobs import background_thread, enqueue
from screening.decisions import queues
from screening.models import RankingState
from screening.ranking import service as ranking_service
from tests.gates import Gate
from tests.screening.decisions.factories import records

RUNS: list[tuple[str, str]] = []


@shared_task
def note_thread(marker: str) -> None:
    RUNS.append((marker, threading.current_thread().name))


@pytest.fixture
def in_thread(settings):
    settings.TASKS_IN_THREAD = True
    RUNS.clear()
    yield
    background_thread.join()


# The background thread reads the job's row on a connection of its own: the row must be
# committed, as it is when a request's transaction ends.
@pytest.mark.django_db(transaction=True)
def test_background_work_runs_on_the_background_thread_after_commit(
    in_thread, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(note_thread, "after", background=True)
        enqueue(note_thread, "now")  # plain in-process work still runs in place
    background_thread.join()
    assert ("now", threading.current_thread().name) in RUNS
    assert ("after", "sift-tasks") in RUNS


def test_the_same_work_asked_for_twice_while_waiting_runs_once(in_thread):
    gate = threading.Event()
    background_thread.submit(Gate(gate), (), {})
    assert background_thread.submit(note_thread, ("twice",), {})
    assert not background_thread.submit(note_thread, ("twice",), {})
    gate.set()
    background_thread.join()
    assert RUNS.count(("twice", "sift-tasks")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_decision_is_answered_while_the_ranking_retrain_it_asked_for_still_waits(
    team, in_thread, monkeypatch
):
    records(team, 6)
    queues.set_ordering(team.review, team.reviewer1, ranking_service.RELEVANCE)
    started, release = threading.Event(), threading.Event()
    real = ranking_service.retrain

    def slow_retrain(review_id, reviewer_id):
        started.set()
        release.wait(20)
        return real(review_id, reviewer_id)

    monkeypatch.setattr(ranking_service, "retrain", slow_retrain)
    client = team.client(team.reviewer1)
    first = client.get(reverse("screen", args=[team.review.slug])).context["record"]
    assert started.wait(10)  # the first read asked for a training: it runs beside us

    response = client.post(
        reverse("screen_decide", args=[team.review.slug, first.pk]),
        {"value": "include"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200  # answered while the retrain is held
    state = RankingState.objects.get(reviewer=team.reviewer1)
    assert state.status == RankingState.Status.QUEUED
    release.set()
    background_thread.join()
    state.refresh_from_db()
    assert state.status == RankingState.Status.READY
