"""The screening request's reads, compiled once per process, give what their QuerySets give.

One review with decisions of both reviewers (agreed, pending with a peer's blinded decision, in
conflict), stored marks and counts, the review's and each reviewer's highlight words, reasons
active and not, and a second review beside it; each compiled read is asked twice (the second
time from its compiled SQL) and compared with the ORM's own answer.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.test.utils import CaptureQueriesContext

from reviewapp import access
from reviewapp.models import ExclusionReason, Membership, Review, Stage
from screening.decisions import queues
from screening.decisions import service as decisions
from screening.models import (
    Assignment,
    Decision,
    HighlightKeyword,
    RecordStatus,
    ScreeningSettings,
)
from screening.views import screen, screen_panel
from tests.factories import ExclusionReasonFactory, MembershipFactory, ReviewFactory

from .factories import decide, reason, records

pytestmark = pytest.mark.django_db
TA = Stage.TITLE_ABSTRACT


def fields(obj) -> dict:
    """An object's columns and what came with it (annotations, related objects), comparable."""
    if obj is None:
        return {}
    out = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    out.update({k: v for k, v in vars(obj).items() if k[0] != "_" and k not in out})
    out["cached"] = {
        name: fields(value) for name, value in obj._state.fields_cache.items() if value is not None
    }
    return out


def twice(compiled_call):
    """The compiled read's answer, after a first call compiled it; the second from its cache."""
    compiled_call()
    return compiled_call()


@pytest.fixture
def screened(team):
    review = team.review
    review.maybe_opens_conflict = True
    review.save()
    wrong = reason(team, "Wrong population")
    reason(team, "Wrong design")
    ExclusionReasonFactory(review=review, stage=TA, label="Retired", active=False)
    ExclusionReasonFactory(review=review, stage=Stage.FULL_TEXT, label="No full text")
    agreed, pending, conflict, *_rest = records(team, 12)
    decide(agreed, team.reviewer1, "exclude", reason=wrong.pk, note="adults only")
    decide(agreed, team.reviewer2, "exclude", reason=wrong.pk)
    decide(pending, team.reviewer2, "include", note="Remy's blinded note")
    decide(conflict, team.reviewer1, "include")
    decide(conflict, team.reviewer2, "maybe")
    HighlightKeyword.objects.create(review=review, owner=None, kind="include", word="child*")
    HighlightKeyword.objects.create(review=review, owner=team.reviewer1, kind="exclude", word="rat")
    HighlightKeyword.objects.create(review=review, owner=team.reviewer2, kind="include", word="x")
    # Another review beside it, whose rows must never come into this one's answers.
    other = ReviewFactory(title="Other", slug="other")
    MembershipFactory(review=other, user=team.reviewer1, is_reviewer=True)
    team.review = other
    decide(records(team, 2)[0], team.reviewer1, "include")
    team.review = review
    queues.queue_counts(review, team.reviewer1)  # stored counts, read with the marks
    return team, agreed, pending, conflict


def test_the_membership_is_the_one_the_orm_finds(screened):
    team = screened[0]
    for user in (team.lead, team.reviewer1, team.outsider):
        for slug in ("review", team.review.slug, "other"):
            orm = (
                Membership.objects.select_related("review")
                .filter(review__slug=slug, user_id=user.pk, active=True)
                .first()
            )
            assert fields(twice(lambda s=slug, u=user: access._membership.first(s, u.pk))) == (
                fields(orm)
            )


def test_a_records_status_assignment_decisions_and_assignees_are_the_orms(screened):
    team, *chosen = screened
    for record in chosen:
        with transaction.atomic():
            orm = RecordStatus.objects.select_for_update().filter(record=record, stage=TA).first()
            assert fields(twice(lambda r=record: decisions._status_for_update.first(r.pk, TA))) == (
                fields(orm)
            )
        for user in (team.reviewer1, team.reviewer2, team.lead):
            mine = Decision.objects.filter(record=OuterRef("record"), stage=TA, reviewer=user)
            orm = list(
                Assignment.objects.filter(record=record, stage=TA, reviewer=user)
                .annotate(decision_pk=Subquery(mine.values("pk")[:1]))
                .values_list("pk", "decision_pk")[:1]
            )
            assert twice(
                lambda r=record, u=user: decisions._my_assignment.rows(r.pk, u.pk, TA)
            ) == (orm)
        orm = Decision.objects.filter(record=record, stage=TA).select_related("reason")
        got = twice(lambda r=record: decisions._decisions_on.objects(r.pk, TA))
        assert [fields(d) for d in got] == [fields(d) for d in orm.order_by("created_at", "pk")]
        assert any(d.reason_id for d in got) == (record == chosen[0])
        with CaptureQueriesContext(connection) as reads:
            assert [d.reason.label if d.reason else None for d in got]
        assert len(reads) == 0  # the reasons came with the decisions
        orm = Assignment.objects.filter(record=record, stage=TA).values_list(
            "pk", "reviewer_id", "open"
        )
        assert sorted(twice(lambda r=record: queues._assignees_of.rows(r.pk, TA))) == sorted(orm)


def test_the_settings_and_marks_are_the_orms(screened):
    team = screened[0]
    queues.ensure_assignments(team.review)
    for reviewer in (team.reviewer1, team.reviewer2, None):
        reviewer_id = reviewer.pk if reviewer else 0
        marks = queues._marks(team.review, reviewer_id, TA)
        orm = ScreeningSettings.objects.filter(review=team.review).annotate(**marks).first()
        got = twice(lambda r=reviewer_id: queues._settings_and_marks.first(team.review.pk, r, TA))
        assert fields(got) == fields(orm)
    assert got.my_remaining is None  # no reviewer: no counts
    assert (
        fields(queues._settings_with_marks(team.review, team.reviewer1, TA))["my_remaining"]
        == (queues.queue_counts(team.review, team.reviewer1)[0])
    )


def test_my_queue_window_is_the_orms_in_my_order_with_the_search(screened):
    team, agreed, pending, conflict = screened
    for user in (team.reviewer1, team.reviewer2):
        queue = queues.queue_for(team.review, user).select_related("search")
        for start, stop in ((0, 7), (3, 10), (9, 16)):
            got, counts = queues.queue_window(team.review, user, TA, start, stop)
            assert [fields(r) for r in got] == [fields(r) for r in queue[start:stop]]
            assert counts == queues.queue_counts(team.review, user)
        shown = {r.pk for r in queues.queue_window(team.review, user, TA, 0, 20)[0]}
        assert agreed.pk not in shown and conflict.pk not in shown
        assert (pending.pk in shown) == (user == team.reviewer1)  # blind to Remy's decision
    with CaptureQueriesContext(connection) as reads:
        assert all(r.search.source for r in got)
    assert len(reads) == 0


def test_the_reasons_words_and_posted_record_are_the_orms(screened):
    team, agreed, *_ = screened
    for review in (team.review, Review.objects.get(slug="other")):
        orm = ExclusionReason.objects.filter(review=review, stage=TA, active=True)
        got = twice(lambda r=review: screen_panel._reasons.objects(r.pk, TA))
        assert [fields(r) for r in got] == [fields(r) for r in orm]
        for user in (team.reviewer1, team.reviewer2):
            orm = HighlightKeyword.objects.filter(
                Q(owner__isnull=True) | Q(owner=user), review=review
            ).values_list("kind", "word")
            assert twice(lambda r=review, u=user: screen_panel._words.rows(r.pk, u.pk)) == list(orm)
    for review, expected in ((team.review, [agreed]), (Review.objects.get(slug="other"), [])):
        orm = review.records.select_related("search").in_bulk([agreed.pk])
        got = twice(lambda r=review: screen._posted_records(r, [agreed.pk]))
        assert {k: fields(v) for k, v in got.items()} == {k: fields(v) for k, v in orm.items()}
        assert list(got.values()) == expected
        assert all(record.review is review for record in got.values())
