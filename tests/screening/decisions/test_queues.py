"""Who gets which record, in what order, and what leaves a queue when."""

from __future__ import annotations

from collections import Counter

import pytest

from reviewapp.audit import record_event
from reviewapp.models import Membership
from screening.decisions import draw, queues
from screening.models import Assignment, DuplicateCluster, Phase, RecordStatus, ScreeningSettings
from tests.factories import RecordFactory, SearchFactory, UserFactory

from .factories import decide, records

pytestmark = pytest.mark.django_db


def ids(qs):
    return [r.pk for r in qs]


def add_reviewers(team, n):
    people = [UserFactory(email=f"extra{i}@example.org") for i in range(n)]
    for p in people:
        Membership.objects.create(review=team.review, user=p, is_reviewer=True)
    return people


def test_every_reviewer_gets_every_canonical_record_by_default(team):
    rs = records(team, 5)
    assert sorted(ids(queues.queue_for(team.review, team.reviewer1))) == [r.pk for r in rs]
    assert sorted(ids(queues.queue_for(team.review, team.reviewer2))) == [r.pk for r in rs]
    assert list(queues.queue_for(team.review, team.lead)) == []


def test_duplicates_never_enter_the_queue(team):
    a, b = records(team, 2)
    cluster = DuplicateCluster.objects.create(review=team.review, canonical=a)
    b.cluster = a.cluster = cluster
    assert queues.queue_size(team.review, team.reviewer1) == 2
    b.is_canonical = False
    b.save()
    a.save()
    # The queue itself never shows a duplicate ...
    assert ids(queues.queue_for(team.review, team.reviewer1)) == [a.pk]
    # ... and its length follows once de-duplication records what it did (it always does).
    record_event(team.review, None, "dedup.merged", cluster)
    assert queues.queue_size(team.review, team.reviewer1) == 1
    # A split makes the record canonical again: back in the queue.
    b.is_canonical = True
    b.save()
    record_event(team.review, None, "dedup.split", cluster)
    assert queues.queue_size(team.review, team.reviewer1) == 2
    assert sorted(ids(queues.queue_for(team.review, team.reviewer1))) == [a.pk, b.pk]


def test_each_reviewer_has_a_different_random_order_that_stays_put(team):
    records(team, 30)
    one = ids(queues.queue_for(team.review, team.reviewer1))
    two = ids(queues.queue_for(team.review, team.reviewer2))
    assert sorted(one) == sorted(two)
    assert one != two
    assert one != sorted(one)
    assert ids(queues.queue_for(team.review, team.reviewer1)) == one


def test_a_record_leaves_my_queue_when_i_decide_not_when_someone_else_does(team):
    a, b = records(team, 2)
    before = ids(queues.queue_for(team.review, team.reviewer1))
    decide(a, team.reviewer2, "exclude")
    assert ids(queues.queue_for(team.review, team.reviewer1)) == before
    assert queues.queue_size(team.review, team.reviewer1) == 2
    decide(a, team.reviewer1, "exclude")
    assert ids(queues.queue_for(team.review, team.reviewer1)) == [b.pk]


def test_a_split_pool_gives_each_record_exactly_the_required_reviewers_in_balanced_shares(team):
    extra = add_reviewers(team, 2)
    ScreeningSettings.objects.create(review=team.review, split_pool=True)
    rs = records(team, 60)
    people = [team.reviewer1, team.reviewer2, *extra]
    queues.ensure_assignments(team.review)
    per_record = Counter(
        Assignment.objects.filter(review=team.review).values_list("record_id", flat=True)
    )
    assert set(per_record.values()) == {2}
    assert len(per_record) == len(rs)
    shares = [queues.queue_size(team.review, p) for p in people]
    assert sum(shares) == 120
    assert max(shares) - min(shares) <= 4


def test_assignment_is_deterministic():
    people = [7, 3, 11, 5]
    assert draw.assignees(42, people, 2, True) == draw.assignees(
        42, list(reversed(people)), 2, True
    )
    assert len({draw.assignees(i, people, 2, True) for i in range(6)}) == 6
    assert draw.assignees(42, people, 2, False) == (3, 5, 7, 11)


def test_choosing_participants_rebuilds_the_queues_but_keeps_decisions(team):
    extra = add_reviewers(team, 1)[0]
    rs = records(team, 4)
    decide(rs[0], team.reviewer1, "include")
    settings = queues.settings_for(team.review)
    settings.participant_ids = [team.reviewer2.pk, extra.pk]
    settings.save()
    assert queues.queue_size(team.review, team.reviewer1) == 0
    assert len(ids(queues.queue_for(team.review, extra))) == 4
    assert Assignment.objects.filter(reviewer=team.reviewer1, record=rs[0]).exists()


def test_records_imported_later_join_the_queues(team):
    records(team, 2)
    assert len(ids(queues.queue_for(team.review, team.reviewer1))) == 2
    update = SearchFactory(review=team.review, phase=Phase.UPDATE)
    new = RecordFactory(search=update)
    assert new.pk in ids(queues.queue_for(team.review, team.reviewer1))


def test_a_record_resolved_in_an_earlier_phase_stays_resolved_and_out_of_the_queue(team):
    (old,) = records(team, 1)
    decide(old, team.reviewer1, "exclude")
    decide(old, team.reviewer2, "exclude")
    update = SearchFactory(review=team.review, phase=Phase.UPDATE)
    duplicate = RecordFactory(search=update, title=old.title)
    cluster = DuplicateCluster.objects.create(review=team.review, canonical=old)
    old.cluster = duplicate.cluster = cluster
    old.save()
    duplicate.is_canonical = False
    duplicate.save()
    fresh = RecordFactory(search=update)
    assert ids(queues.queue_for(team.review, team.reviewer1)) == [fresh.pk]
    assert RecordStatus.objects.get(record=old, stage="ta").outcome == "excluded"


def test_a_registered_ordering_serves_a_reviewer_who_chose_it(team):
    rs = records(team, 5)
    others_order = ids(queues.queue_for(team.review, team.reviewer2))
    queues.register_ordering("newest_first", lambda review, reviewer, qs: qs.order_by("-pk"))
    queues.set_ordering(team.review, team.reviewer1, "newest_first")
    assert ids(queues.queue_for(team.review, team.reviewer1)) == [r.pk for r in reversed(rs)]
    # The other reviewer keeps their own (random) order: one person's choice is theirs alone.
    assert ids(queues.queue_for(team.review, team.reviewer2)) == others_order
    del queues.ORDERINGS["newest_first"]
    assert len(ids(queues.queue_for(team.review, team.reviewer1))) == 5


def test_the_next_record_is_one_query_whatever_the_review_size(team, django_assert_num_queries):
    records(team, 50)
    queues.ensure_assignments(team.review)
    with django_assert_num_queries(1):
        list(queues._open_records(team.review, team.reviewer1, "ta").order_by("queue_key")[:1])


def test_stored_queue_counts_always_equal_a_fresh_count(team):
    from screening.decisions import service as decisions
    from screening.models import Decision, QueueCount

    extra = add_reviewers(team, 1)[0]
    rs = records(team, 6)
    people = [team.reviewer1, team.reviewer2, extra]

    def check():
        for p in people:
            stored = queues.queue_counts(team.review, p)
            # Title/abstract: an included record also has its full-text assessors.
            fresh = (
                Assignment.objects.filter(
                    reviewer=p, review=team.review, stage="ta", open=True
                ).count(),
                Decision.objects.filter(reviewer=p, review=team.review, stage="ta").count(),
            )
            assert stored == fresh, p

    check()
    assert QueueCount.objects.count() == 3
    decide(rs[0], team.reviewer1, "include")
    check()
    decide(rs[0], team.reviewer2, "include")  # resolves: Tess's row closes too
    check()
    decide(rs[1], team.reviewer1, "include")
    decide(rs[1], extra, "exclude")  # conflict
    check()
    decisions.set_final(rs[1], "ta", "include", resolution="consensus", by=team.reviewer1)
    check()
    decide(rs[2], team.reviewer2, "maybe")
    decisions.undo_last(team.review, team.reviewer2)
    check()
    decisions.reopen(rs[0], "ta", by=team.lead, reason="Second look")
    check()
    decide(rs[0], extra, "exclude", note="changed")
    check()
