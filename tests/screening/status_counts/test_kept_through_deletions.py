"""Deleting statuses' owners: a search (its records and their statuses go), an import's
records, and a whole review, whose deltas go with it and break nothing at commit.

Transactional: the review's deletion commits, so the database checks its constraints."""

from __future__ import annotations

import pytest

from reviewapp.models import Review, Stage
from screening.decisions import queues
from screening.models import Outcome, Record, StatusCountDelta
from tests.factories import review_with_the_same_people
from tests.screening.decisions.factories import decide, reason, records

from .helpers import assert_kept, live

pytestmark = pytest.mark.django_db(transaction=True)


def _screen_some(team):
    r = records(team, 4)
    queues.ensure_assignments(team.review)
    why = reason(team)
    for record in r[:2]:
        decide(record, team.reviewer1, "exclude", reason=why)
        decide(record, team.reviewer2, "exclude", reason=why)
    decide(r[2], team.reviewer1, "include")
    return r


def test_deleting_a_search_or_records_takes_their_counts(team):
    r = _screen_some(team)
    other = records(team, 3)  # a second search
    queues.ensure_assignments(team.review)
    assert_kept(team.review)
    other[0].search.delete()
    assert_kept(team.review)
    Record.objects.filter(pk=r[0].pk).delete()
    assert_kept(team.review)
    assert live(team.review.pk, Stage.TITLE_ABSTRACT) == {
        (Outcome.EXCLUDED, r[1].statuses.get().final_reason_id): 1,
        (Outcome.PENDING, None): 2,
    }


def test_deleting_a_review_leaves_no_counts_and_keeps_the_others(team):
    _screen_some(team)
    elsewhere = review_with_the_same_people(team.review)
    kept_record = Record.objects.create(
        review=elsewhere,
        search=elsewhere.searches.create(source="Scopus"),
        title="Another review's record",
    )
    queues.ensure_assignments(elsewhere)
    decide(kept_record, team.reviewer1, "include")
    decide(kept_record, team.reviewer2, "include")
    gone = team.review.pk
    assert StatusCountDelta.objects.filter(review_id=gone).exists()
    Review.objects.get(pk=gone).delete()  # commits: no constraint is broken
    assert not StatusCountDelta.objects.filter(review_id=gone).exists()
    assert_kept(elsewhere)
    assert live(elsewhere.pk, Stage.TITLE_ABSTRACT) == {(Outcome.INCLUDED, None): 1}
