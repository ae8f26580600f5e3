"""Folding a review's deltas into their sums keeps every count, drops the keys that cancel
out, leaves other reviews alone; the reader folds once the deltas are many; on PostgreSQL a
fold while another transaction folds the review skips, and decisions never wait for it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from reviewapp.models import Stage
from screening.decisions import queues
from screening.models import Outcome, StatusCountDelta
from screening.models.status_counts import fold, status_counts
from tests.factories import review_with_the_same_people
from tests.screening.decisions.factories import decide, reason, records

from .helpers import assert_kept, kept


def _churn(team):
    """Deltas that mostly cancel out: records decided, reopened and decided again."""
    from screening.decisions import service as decisions

    why = reason(team)
    r = records(team, 5)
    queues.ensure_assignments(team.review)
    for record in r[:3]:
        decide(record, team.reviewer1, "exclude", reason=why)
        decide(record, team.reviewer2, "exclude", reason=why)
        decisions.reopen(record, Stage.TITLE_ABSTRACT, by=team.lead, reason="Again")
        decide(record, team.reviewer1, "include")
        decide(record, team.reviewer2, "include")
    return r


def test_a_fold_keeps_the_sums_and_drops_what_cancels_out(team):
    _churn(team)
    other = review_with_the_same_people(team.review)
    queues.ensure_assignments(other)
    elsewhere = StatusCountDelta.objects.filter(review=other).count()
    before = {stage: kept(team.review.pk, stage) for stage in Stage.values}
    keys = sum(len(counts) for counts in before.values())
    rows = StatusCountDelta.objects.filter(review=team.review)
    assert rows.count() > keys
    assert fold(team.review.pk)
    assert {stage: kept(team.review.pk, stage) for stage in Stage.values} == before
    # One row per key left (3: included and pending at title/abstract, pending at full text),
    # none for the exclusions that were all taken back.
    assert rows.count() == keys == 3
    assert not rows.filter(outcome=Outcome.EXCLUDED).exists()
    assert StatusCountDelta.objects.filter(review=other).count() == elsewhere
    assert fold(team.review.pk)  # again: nothing changes
    assert_kept(team.review)


def test_the_reader_folds_many_deltas(team, monkeypatch):
    from screening.models import status_counts as module

    _churn(team)
    monkeypatch.setattr(module, "FOLD_AT", 4)
    rows = StatusCountDelta.objects.filter(review=team.review)
    assert rows.filter(stage=Stage.TITLE_ABSTRACT).count() > 4
    first = status_counts(team.review.pk, Stage.TITLE_ABSTRACT)
    assert rows.filter(stage=Stage.TITLE_ABSTRACT).count() == 2
    assert status_counts(team.review.pk, Stage.TITLE_ABSTRACT) == first
    assert_kept(team.review)


@pytest.mark.django_db(transaction=True)
def test_a_fold_under_way_makes_another_skip_and_decisions_go_on(team):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    r = _churn(team)
    folding, done = threading.Event(), threading.Event()
    result = {}

    def hold_a_fold():
        try:
            with transaction.atomic():
                result["first"] = fold(team.review.pk)
                folding.set()
                done.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=hold_a_fold)
    thread.start()
    try:
        assert folding.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            assert fold(team.review.pk) is False  # skipped, without waiting
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            decide(r[3], team.reviewer1, "exclude")
            decide(r[3], team.reviewer2, "include")  # a conflict: the status moves
    finally:
        done.set()
        thread.join(10)
    assert result["first"] is True
    assert_kept(team.review)


def test_the_update_trigger_folds_now_and_then_and_keeps_the_sums(team):
    """PostgreSQL: a statement moving 400 statuses fires the row trigger 400 times; with the
    session's random seed set, one of them folds (once per transaction) and the sums hold."""
    if connection.vendor != "postgresql":
        pytest.skip("the trigger folds on PostgreSQL only (the reader folds everywhere)")
    from screening.models import Record, RecordStatus

    search = records(team, 1)[0].search
    Record.objects.bulk_create(
        Record(review=team.review, search=search, title=f"Bulk {i}", source_key=f"B{i}")
        for i in range(399)
    )
    queues.ensure_assignments(team.review)
    fold(team.review.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.25)")
    moved = RecordStatus.objects.filter(review=team.review).update(outcome=Outcome.EXCLUDED)
    assert moved == 400
    rows = StatusCountDelta.objects.filter(review=team.review)
    assert rows.count() < 2 * moved, "no fold on the way"
    assert_kept(team.review)
    assert kept(team.review.pk, Stage.TITLE_ABSTRACT) == {(Outcome.EXCLUDED, None): 400}
