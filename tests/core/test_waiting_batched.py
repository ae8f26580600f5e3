"""The overview's table counts each kind of waiting work for every member at once (issue 21):
the figures are those of the one-member count, member by member, whatever each one's roles and
state, and the number of queries does not grow with the team."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coding import services as coding
from reviewapp.models import Membership
from reviewapp.registry import registry
from reviewapp.waiting import member_items, members_items, review_status
from screening.conflicts import service as conflicts
from screening.decisions import service as decisions
from screening.fulltext import service as fulltext
from screening.models import QueueCount, Report
from tests.coding.factories import ecological_codebook, included_study
from tests.factories import UserFactory
from tests.screening.conflicts.helpers import conflicted, included_at_ta, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(team):
    """Members in many states: a reviewer who is also a lead, a reviewer who also adjudicates,
    an inactive reviewer, reviewers with and without stored queue counts; conflicts open, in
    discussion with one side's proposal, escalated to everyone and to one adjudicator; full
    texts to assess and assessed; codings to re-check of two coders."""
    review = team.review
    both = UserFactory(email="lead-reviewer@example.org")
    judge = UserFactory(email="reviewer-judge@example.org")
    gone = UserFactory(email="gone@example.org")
    Membership.objects.create(review=review, user=both, is_lead=True, is_reviewer=True)
    Membership.objects.create(review=review, user=judge, is_reviewer=True, is_adjudicator=True)
    Membership.objects.create(review=review, user=gone, is_reviewer=True, active=False)
    fresh = [record(team, title=f"Nudges for prescribers, part {i}") for i in range(5)]
    decisions.decide(fresh[0], both, "include")
    _, open_one = conflicted(team)
    _, discussed = conflicted(team)
    conflicts.propose(discussed, team.reviewer1, "include", note="Clinicians took part")
    _, escalated = conflicted(team)
    conflicts.escalate(escalated, team.reviewer2, "We could not agree.")
    _, assigned = conflicted(team)
    conflicts.assign_adjudicator(assigned, judge, team.lead, "Please decide.")
    for _ in range(2):
        report = Report.objects.get(record=included_at_ta(team))
        fulltext.attach_link(report, "https://example.org/paper", team.lead)
    decisions.decide(report.record, team.reviewer1, "include", stage="ft")
    codes = ecological_codebook(review, team.lead)
    coding.publish(review.codebook, team.lead, "v1")
    study = included_study(review, "Darbyshire 2013", 13)
    document = coding.documents_of(study)[0]
    for coder in (team.reviewer1, both):
        coding.create_codings(
            study, coder, [codes["Protected time"]], document=document, excerpt="protected time"
        )
    coding.update_code(codes["Protected time"], team.lead, definition="Time in the job plan.")
    coding.publish(review.codebook, team.lead, "v2")
    return team


def _one_by_one(review) -> dict[str, dict[str, int]]:
    return {
        m.membership.user.email: {i.key: i.count for i in member_items(review, m.membership)}
        for m in review_status(review).members
    }


def _batched(review) -> dict[str, dict[str, int]]:
    return {
        m.membership.user.email: {i.key: i.count for i in m.items}
        for m in review_status(review).members
    }


def test_every_kind_of_member_work_can_be_counted_for_many_members():
    assert all(w.count_many for w in registry.waiting if not w.per_review)


@pytest.mark.parametrize("adjudicator_active", [True, False], ids=["adjudicator", "none"])
def test_batched_counts_are_the_one_member_counts(crowd, adjudicator_active):
    review = crowd.review
    if not adjudicator_active:  # escalated conflicts then wait for the leads
        review.memberships.filter(is_adjudicator=True).update(is_adjudicator=False)
    QueueCount.objects.filter(review=review, reviewer=crowd.reviewer2).delete()
    batched = _batched(review)
    assert batched == _one_by_one(review)
    assert "gone@example.org" not in batched
    totals = {
        key: sum(counts[key] for counts in batched.values()) for key in batched["rita@example.org"]
    }
    assert all(totals.values()), totals  # every kind of work has something to compare
    if adjudicator_active:
        assert batched["reviewer-judge@example.org"]["conflicts_to_adjudicate"] == 2
        assert batched["ada@example.org"]["conflicts_to_adjudicate"] == 1
        assert batched["lead@example.org"]["conflicts_to_adjudicate"] == 0
    else:
        assert batched["lead@example.org"]["conflicts_to_adjudicate"] == 1
        assert batched["lead-reviewer@example.org"]["conflicts_to_adjudicate"] == 1
    assert batched["rita@example.org"]["conflicts_to_discuss"] == 1  # her proposal is out
    assert batched["remy@example.org"]["conflicts_to_discuss"] == 2
    assert batched["rita@example.org"]["full_texts_to_assess"] == 1
    assert batched["remy@example.org"]["full_texts_to_assess"] == 2
    assert batched["rita@example.org"]["codings_to_recheck"] == 1
    assert batched["lead-reviewer@example.org"]["codings_to_recheck"] == 1


def test_the_queue_counts_a_batch_stores_are_those_a_reviewer_reads(crowd):
    review = crowd.review
    QueueCount.objects.filter(review=review).delete()
    members = list(review.memberships.filter(active=True))
    first = {m.membership.pk: [i.count for i in m.items] for m in members_items(review, members)}
    assert QueueCount.objects.filter(review=review).count() == 4  # every active reviewer
    again = {m.membership.pk: [i.count for i in m.items] for m in members_items(review, members)}
    assert first == again
    assert again == {m.pk: [i.count for i in member_items(review, m)] for m in members}


def _table_queries(review, memberships) -> int:
    members_items(review, memberships)  # stored counts and assignments made on first read
    with CaptureQueriesContext(connection) as ctx:
        members_items(review, memberships)
    return len(ctx)


def test_the_table_costs_the_same_queries_for_seven_members_or_thirty(crowd):
    review = crowd.review
    few = list(review.memberships.filter(active=True))
    for i in range(30 - len(few)):
        user = UserFactory(email=f"extra{i}@example.org")
        Membership.objects.create(
            review=review, user=user, is_reviewer=True, is_adjudicator=i % 3 == 0
        )
    many = list(review.memberships.filter(active=True))
    assert len(few) < 10 and len(many) == 30
    assert _table_queries(review, many) == _table_queries(review, few)
