"""No consensus: escalation to the adjudicator, whose decision is final; leads oversee."""

from __future__ import annotations

import pytest

from reviewapp.models import AuditEvent, Membership
from screening.conflicts import service as conflicts
from screening.decisions import service as decisions
from screening.models import Conflict, Outcome, RecordStatus
from tests.factories import UserFactory

from .helpers import conflicted, reason

pytestmark = pytest.mark.django_db


def url(team, conflict, action=""):
    return f"/r/{team.review.slug}/conflicts/{conflict.pk}/{action}"


def test_escalation_path_ends_with_a_final_adjudication(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    rec, conflict = conflicted(team)
    rita, ada = team.client(team.reviewer1), team.client(team.adjudicator)
    rita.post(url(team, conflict, "comment/"), {"body": "I read clinicians in the methods."})
    # Before escalation the adjudicator cannot see it.
    assert ada.get(url(team, conflict)).status_code == 404
    assert rec.title not in ada.get(f"/r/{team.review.slug}/conflicts/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = rita.post(
            url(team, conflict, "escalate/"),
            {"summary": "Include: clinicians took part. Exclude: students only."},
        )
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.state == Conflict.State.ESCALATED
    assert [m.to for m in mailoutbox] == [[team.adjudicator.email]]
    assert "escalated" in mailoutbox[0].subject

    queue = ada.get(f"/r/{team.review.slug}/conflicts/").content.decode()
    assert "Escalated to you" in queue and rec.title in queue
    page = ada.get(url(team, conflict)).content.decode()
    for seen in (
        "Rita Reviewer",
        "Remy Reviewer",
        "Only medical students",
        "I read clinicians",
        "students only.",
    ):
        assert seen in page
    assert "Record the final decision" in page
    # Once escalated the reviewers no longer settle it between themselves.
    with pytest.raises(conflicts.ConflictError, match="adjudicator"):
        conflicts.propose(conflict, team.reviewer1, "include")

    # The adjudicator gives a reason for the record.
    ada.post(url(team, conflict, "adjudicate/"), {"value": "exclude", "reason": reason(team).pk})
    conflict.refresh_from_db()
    assert conflict.state == Conflict.State.ESCALATED
    ada.post(
        url(team, conflict, "adjudicate/"),
        {"value": "exclude", "reason": reason(team).pk, "note": "Residents are trainees here."},
    )
    conflict.refresh_from_db()
    status = RecordStatus.objects.get(record=rec, stage="ta")
    assert (conflict.resolution, conflict.adjudicator, conflict.resolution_note) == (
        "adjudicated",
        team.adjudicator,
        "Residents are trainees here.",
    )
    assert (status.outcome, status.resolution) == (Outcome.EXCLUDED, "adjudicated")
    assert AuditEvent.objects.filter(
        action="conflict.escalated", object_id=str(conflict.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="conflict.adjudicated", actor=team.adjudicator).exists()
    # Final: nobody re-decides it.
    with pytest.raises(conflicts.ConflictError):
        conflicts.adjudicate(conflict, team.adjudicator, "include", note="changed my mind")
    with pytest.raises(decisions.ScreeningError):
        decisions.decide(rec, team.reviewer1, "include")


def test_only_an_escalated_conflict_is_adjudicated(team):
    rec, conflict = conflicted(team)
    with pytest.raises(conflicts.ConflictError, match="escalated"):
        conflicts.adjudicate(conflict, team.adjudicator, "include", note="why")
    response = team.client(team.adjudicator).post(
        url(team, conflict, "adjudicate/"), {"value": "include", "note": "why"}
    )
    assert response.status_code == 404


def test_escalation_needs_a_summary(team):
    rec, conflict = conflicted(team)
    with pytest.raises(conflicts.ConflictError, match="Summarise"):
        conflicts.escalate(conflict, team.reviewer2, "  ")


def test_lead_assigns_a_specific_adjudicator_and_the_others_lose_sight_of_it(team):
    other = UserFactory(email="otto@example.org", full_name="Otto Other")
    Membership.objects.create(review=team.review, user=other, is_adjudicator=True)
    rec, conflict = conflicted(team)
    lead = team.client(team.lead)
    lead.post(url(team, conflict, "assign/"), {"adjudicator": other.pk})
    conflict.refresh_from_db()
    assert (conflict.state, conflict.adjudicator) == (Conflict.State.ESCALATED, other)
    assert team.client(other).get(url(team, conflict)).status_code == 200
    assert team.client(team.adjudicator).get(url(team, conflict)).status_code == 404
    with pytest.raises(conflicts.ConflictError):
        conflicts.adjudicate(conflict, team.adjudicator, "include", note="not mine")
    # A reviewer in the conflict cannot be made its adjudicator.
    with pytest.raises(conflicts.ConflictError):
        conflicts.assign_adjudicator(conflict, team.reviewer1, team.lead)
    assert AuditEvent.objects.filter(action="conflict.adjudicator_assigned").count() == 1


def test_lead_sees_every_open_conflict_with_its_state_and_age(team, django_assert_max_num_queries):
    escalated_rec, escalated = conflicted(team, title="First disputed record")
    conflicts.escalate(escalated, team.reviewer1, "We disagree")
    discussed_rec, discussed = conflicted(team, title="Second disputed record")
    conflicts.comment(discussed, team.reviewer2, "Let us talk")
    open_rec, _ = conflicted(team, title="Third disputed record")
    lead = team.client(team.lead)
    # 13: the page, and one count per stage of the navigation where work can wait for a lead.
    with django_assert_max_num_queries(13):
        page = lead.get(f"/r/{team.review.slug}/conflicts/").content.decode()
    for title in ("First disputed record", "Second disputed record", "Third disputed record"):
        assert title in page
    assert "Escalated" in page and "In discussion" in page and "Open" in page
    assert "minute" in page  # age, e.g. "0 minutes"
    # The list's query count does not grow with the number of conflicts.
    for n in range(5):
        conflicted(team, title=f"More {n}")
    with django_assert_max_num_queries(13):
        lead.get(f"/r/{team.review.slug}/conflicts/")


def test_lead_decides_a_conflict_when_nobody_can_adjudicate(team):
    rec, conflict = conflicted(team)
    with pytest.raises(conflicts.ConflictError, match="lead"):
        conflicts.lead_decide(conflict, team.reviewer1, "include", note="me")
    conflicts.lead_decide(conflict, team.lead, "include", note="Clearly in scope")
    status = RecordStatus.objects.get(record=rec, stage="ta")
    assert (status.outcome, status.resolution) == (Outcome.INCLUDED, "lead")


def test_lead_reopens_a_resolved_record_with_a_reason(team):
    rec, conflict = conflicted(team)
    proposal = conflicts.propose(conflict, team.reviewer1, "include")
    conflicts.confirm(proposal, team.reviewer2)
    lead = team.client(team.lead)
    reopen_url = f"/r/{team.review.slug}/conflicts/reopen/{rec.pk}/"
    assert "Re-open" in lead.get(reopen_url).content.decode()
    # A reason is required.
    response = lead.post(reopen_url, {"stage": "ta", "reason": ""})
    assert response.status_code == 200
    assert RecordStatus.objects.get(record=rec, stage="ta").outcome == Outcome.INCLUDED
    # Only leads re-open.
    assert (
        team.client(team.reviewer1).post(reopen_url, {"stage": "ta", "reason": "x"}).status_code
        == 403
    )

    lead.post(reopen_url, {"stage": "ta", "reason": "The published erratum changes the sample."})
    status = RecordStatus.objects.get(record=rec, stage="ta")
    assert status.outcome == Outcome.PENDING
    event = AuditEvent.objects.get(action="record.reopened")
    assert (event.actor, event.message) == (team.lead, "The published erratum changes the sample.")
    # The record can be decided again; a new disagreement opens a new conflict.
    decisions.decide(rec, team.reviewer1, "exclude", reason=reason(team))
    decisions.decide(rec, team.reviewer2, "include")
    assert Conflict.objects.filter(record=rec).count() == 2
    assert Conflict.objects.live().filter(record=rec).count() == 1


def test_the_badge_counts_conflicts_waiting_for_each_person(team):
    rec, conflict = conflicted(team)
    slug = team.review.slug
    assert conflicts.waiting_for(team.reviewer1, team.review) == 1
    assert conflicts.waiting_for(team.reviewer2, team.review) == 1
    assert conflicts.waiting_for(team.adjudicator, team.review) == 0
    conflicts.propose(conflict, team.reviewer1, "include")
    # Rita waits for Remy's confirmation now.
    assert conflicts.waiting_for(team.reviewer1, team.review) == 0
    assert conflicts.waiting_for(team.reviewer2, team.review) == 1
    page = team.client(team.reviewer2).get(f"/r/{slug}/conflicts/").content.decode()
    assert "1 waiting for you" in page
    conflicts.escalate(conflict, team.reviewer2, "No agreement")
    assert conflicts.waiting_for(team.reviewer2, team.review) == 0
    assert conflicts.waiting_for(team.adjudicator, team.review) == 1
    assert conflicts.waiting_for(team.lead, team.review) == 0
    # Without any adjudicator, the lead must act.
    Membership.objects.filter(user=team.adjudicator).update(is_adjudicator=False, is_reviewer=True)
    assert conflicts.waiting_for(team.lead, team.review) == 1
