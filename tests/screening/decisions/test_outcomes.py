"""What independent decisions add up to: agreement, conflict, and who may change what."""

from __future__ import annotations

import pytest

from reviewapp.models import AuditEvent
from screening.decisions import service as decisions
from screening.decisions.service import ScreeningError
from screening.models import Conflict, Decision, Outcome, RecordStatus

from .factories import decide, reason, records

pytestmark = pytest.mark.django_db


def status(record):
    return RecordStatus.objects.get(record=record, stage="ta")


def test_one_decision_of_two_leaves_the_record_pending(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    s = status(r)
    assert s.outcome == Outcome.PENDING
    assert s.decisions_count == 1


def test_two_includes_send_the_record_on_to_full_text(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    decide(r, team.reviewer2, "include")
    s = status(r)
    assert (s.outcome, s.resolution) == (Outcome.INCLUDED, "agreement")
    assert s.resolved_at is not None


def test_two_excludes_exclude_with_the_shared_reason(team):
    (r,) = records(team, 1)
    why = reason(team)
    decide(r, team.reviewer1, "exclude", reason=why)
    decide(r, team.reviewer2, "exclude", reason=why.pk)
    s = status(r)
    assert (s.outcome, s.final_reason) == (Outcome.EXCLUDED, why)


def test_excludes_with_different_reasons_keep_the_first_reviewers_reason(team):
    (r,) = records(team, 1)
    first, second = reason(team, "Wrong population"), reason(team, "Not research")
    decide(r, team.reviewer2, "exclude", reason=first)
    decide(r, team.reviewer1, "exclude", reason=second)
    assert status(r).final_reason == first


def test_disagreement_opens_a_conflict(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    decide(r, team.reviewer2, "exclude")
    assert status(r).outcome == Outcome.CONFLICT
    assert Conflict.objects.filter(record=r, stage="ta").exclude(state="resolved").count() == 1


def test_a_maybe_opens_a_conflict_when_the_lead_says_so(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    decide(r, team.reviewer2, "maybe")
    assert status(r).outcome == Outcome.CONFLICT


def test_a_maybe_counts_as_include_when_maybe_does_not_open_conflicts(team):
    team.review.maybe_opens_conflict = False
    team.review.save()
    a, b = records(team, 2)
    decide(a, team.reviewer1, "include")
    decide(a, team.reviewer2, "maybe")
    decide(b, team.reviewer1, "exclude")
    decide(b, team.reviewer2, "maybe")
    assert status(a).outcome == Outcome.INCLUDED
    assert status(b).outcome == Outcome.CONFLICT


def test_one_required_decision_resolves_at_once(team):
    team.review.required_decisions = 1
    team.review.save()
    team.review.screening_settings_obj = None
    (r,) = records(team, 1)
    from screening.models import ScreeningSettings

    ScreeningSettings.objects.create(review=team.review, split_pool=True)
    decide(r, team.reviewer1 if r.pk % 2 == 0 else team.reviewer2, "exclude")
    assert status(r).outcome == Outcome.EXCLUDED


def test_three_required_decisions_wait_for_the_third(team):
    from reviewapp.models import Membership
    from tests.factories import UserFactory

    third = UserFactory(email="tess@example.org")
    Membership.objects.create(review=team.review, user=third, is_reviewer=True)
    team.review.required_decisions = 3
    team.review.save()
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    decide(r, team.reviewer2, "include")
    assert status(r).outcome == Outcome.PENDING
    decide(r, third, "include")
    assert status(r).outcome == Outcome.INCLUDED


def test_deciding_twice_the_same_way_is_one_decision_and_one_audit_row(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include", note="clinicians")
    decide(r, team.reviewer1, "include", note="clinicians")
    assert Decision.objects.filter(record=r).count() == 1
    assert AuditEvent.objects.filter(action="decision.made").count() == 1
    assert not AuditEvent.objects.filter(action="decision.changed").exists()


def test_changing_my_mind_is_kept_in_the_audit_trail(team):
    (r,) = records(team, 1)
    why = reason(team)
    decide(r, team.reviewer1, "include")
    decide(r, team.reviewer1, "exclude", reason=why, note="students only")
    event = AuditEvent.objects.get(action="decision.changed")
    assert event.before["value"] == "include"
    assert event.after == {
        "value": "exclude",
        "reason": "Wrong population",
        "reason_id": why.pk,
        "note": "students only",
    }
    assert Decision.objects.get(record=r).value == "exclude"


def test_a_resolved_record_cannot_be_re_decided(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    decide(r, team.reviewer2, "include")
    with pytest.raises(ScreeningError, match="already resolved"):
        decide(r, team.reviewer1, "exclude")
    # ... but repeating the same decision (a late double-submit) is harmless.
    decide(r, team.reviewer1, "include")


def test_a_record_in_conflict_is_settled_on_its_conflict_page_not_re_decided(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    decide(r, team.reviewer2, "exclude")
    with pytest.raises(ScreeningError, match="conflict"):
        decide(r, team.reviewer2, "include")


def test_a_reason_from_another_review_is_refused(team):
    from tests.factories import ExclusionReasonFactory

    (r,) = records(team, 1)
    foreign = ExclusionReasonFactory(stage="ta")
    with pytest.raises(ScreeningError):
        decide(r, team.reviewer1, "exclude", reason=foreign)


def test_an_include_drops_any_reason(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include", reason=reason(team))
    assert Decision.objects.get(record=r).reason is None


def test_undo_removes_my_last_decision_and_puts_the_record_back_in_my_queue(team):
    from screening.decisions.queues import queue_for

    first, second = records(team, 2)
    decide(first, team.reviewer1, "include")
    decide(second, team.reviewer1, "exclude")
    undone = decisions.undo_last(team.review, team.reviewer1)
    assert undone.record_id == second.pk
    assert list(
        Decision.objects.filter(reviewer=team.reviewer1).values_list("record_id", flat=True)
    ) == [first.pk]
    assert second in queue_for(team.review, team.reviewer1)
    assert AuditEvent.objects.filter(action="decision.undone").count() == 1
    assert status(second).decisions_count == 0


def test_undo_with_nothing_decided_does_nothing(team):
    assert decisions.undo_last(team.review, team.reviewer1) is None


def test_undo_is_refused_once_every_decision_is_in(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer2, "include")
    decide(r, team.reviewer1, "include")
    with pytest.raises(ScreeningError):
        decisions.undo_last(team.review, team.reviewer1)


def test_set_final_resolves_a_conflict_and_is_audited(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    decide(r, team.reviewer2, "exclude")
    why = reason(team)
    s = decisions.set_final(
        r, "ta", "exclude", reason=why, resolution="adjudicated", by=team.adjudicator
    )
    assert (s.outcome, s.resolution, s.final_reason) == (Outcome.EXCLUDED, "adjudicated", why)
    assert AuditEvent.objects.filter(action="record.resolved", actor=team.adjudicator).exists()
    with pytest.raises(ScreeningError, match="already resolved"):
        decisions.set_final(r, "ta", "include", resolution="lead", by=team.lead)


def test_a_lead_reopens_a_resolved_record_with_a_reason(team):
    from screening.decisions.queues import queue_for

    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    decide(r, team.reviewer2, "include")
    with pytest.raises(ScreeningError):
        decisions.reopen(r, "ta", by=team.reviewer1, reason="typo")
    with pytest.raises(ScreeningError):
        decisions.reopen(r, "ta", by=team.lead, reason="")
    s = decisions.reopen(r, "ta", by=team.lead, reason="Abstract was truncated")
    assert s.outcome == Outcome.PENDING
    event = AuditEvent.objects.get(action="record.reopened")
    assert event.message == "Abstract was truncated"
    assert {d["value"] for d in event.before["decisions"]} == {"include"}
    assert r in queue_for(team.review, team.reviewer1)
    decide(r, team.reviewer1, "exclude")
    assert status(r).outcome == Outcome.PENDING
