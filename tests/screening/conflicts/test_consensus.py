"""Disagreeing reviewers discuss and agree: the conflict resolves as consensus."""

from __future__ import annotations

import pytest

from reviewapp.models import AuditEvent
from screening.conflicts import service as conflicts
from screening.decisions import service as decisions
from screening.models import Conflict, Outcome, RecordStatus, Report

from .helpers import conflicted, reason, record

pytestmark = pytest.mark.django_db


def url(team, conflict, action=""):
    return f"/r/{team.review.slug}/conflicts/{conflict.pk}/{action}"


def test_disagreeing_decisions_open_a_conflict_and_email_both_reviewers(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rec, conflict = conflicted(team)
    assert conflict.state == Conflict.State.OPEN
    assert RecordStatus.objects.get(record=rec, stage="ta").outcome == Outcome.CONFLICT
    assert sorted(m.to[0] for m in mailoutbox) == [team.reviewer2.email, team.reviewer1.email]
    assert "disagree" in mailoutbox[0].subject
    assert AuditEvent.objects.filter(action="conflict.opened", object_id=str(conflict.pk)).exists()


def test_opening_twice_keeps_one_live_conflict(team):
    rec, conflict = conflicted(team)
    assert conflicts.open_conflict(rec, "ta") == conflict
    assert Conflict.objects.filter(record=rec).count() == 1


def test_only_now_each_reviewer_sees_the_others_decision_reason_and_note(team):
    rec, conflict = conflicted(team)
    page = team.client(team.reviewer1).get(url(team, conflict)).content.decode()
    assert "Remy Reviewer" in page
    assert "Population: students only" in page
    assert "Only medical students" in page
    assert "Clinicians took part" in page


def test_a_reviewer_outside_the_conflict_gets_404(team):
    from reviewapp.models import Membership
    from tests.factories import UserFactory

    third = UserFactory(email="third@example.org")
    Membership.objects.create(review=team.review, user=third, is_reviewer=True)
    rec, conflict = conflicted(team)
    client = team.client(third)
    assert client.get(url(team, conflict)).status_code == 404
    assert client.post(url(team, conflict, "comment/"), {"body": "hi"}).status_code == 404
    assert team.client(team.outsider).get(url(team, conflict)).status_code == 404


def test_reviewers_discuss_propose_and_confirm_a_consensus(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    rec, conflict = conflicted(team)
    rita, remy = team.client(team.reviewer1), team.client(team.reviewer2)

    response = remy.post(
        url(team, conflict, "comment/"), {"body": "The sample includes residents."}
    )
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.state == Conflict.State.DISCUSSION

    with django_capture_on_commit_callbacks(execute=True):
        remy.post(url(team, conflict, "propose/"), {"value": "include", "note": "Residents count"})
    proposal = conflict.proposals.get()
    assert [m.to for m in mailoutbox] == [[team.reviewer1.email]]

    page = rita.get(url(team, conflict)).content.decode()
    assert "The sample includes residents." in page
    assert "Confirm this decision" in page
    # The proposer cannot confirm their own proposal.
    assert "Confirm this decision" not in remy.get(url(team, conflict)).content.decode()
    with pytest.raises(conflicts.ConflictError):
        conflicts.confirm(proposal, team.reviewer2)

    rita.post(url(team, conflict, f"proposals/{proposal.pk}/confirm/"))
    conflict.refresh_from_db()
    status = RecordStatus.objects.get(record=rec, stage="ta")
    assert (conflict.state, conflict.resolution, conflict.final_value) == (
        "resolved",
        "consensus",
        "include",
    )
    assert (status.outcome, status.resolution) == (Outcome.INCLUDED, "consensus")
    # Included at title/abstract: its report is now sought.
    assert Report.objects.get(record=rec).retrieval == Report.Retrieval.SOUGHT
    actions = set(
        AuditEvent.objects.filter(
            object_id=str(conflict.pk), object_type="screening.conflict"
        ).values_list("action", flat=True)
    )
    assert {
        "conflict.opened",
        "conflict.commented",
        "conflict.proposed",
        "conflict.confirmed",
        "conflict.consensus",
    } <= actions
    page = rita.get(url(team, conflict)).content.decode()
    assert "Resolved: consensus" in page
    assert "Remy Reviewer" in page


def test_an_exclusion_consensus_needs_one_of_the_stages_reasons(team):
    rec, conflict = conflicted(team)
    with pytest.raises(conflicts.ConflictError, match="reason"):
        conflicts.propose(conflict, team.reviewer1, "exclude")
    with pytest.raises(conflicts.ConflictError, match="Include or Exclude"):
        conflicts.propose(conflict, team.reviewer1, "maybe")
    proposal = conflicts.propose(conflict, team.reviewer1, "exclude", reason(team))
    conflicts.confirm(proposal, team.reviewer2)
    status = RecordStatus.objects.get(record=rec, stage="ta")
    assert (status.outcome, status.final_reason.label) == (
        Outcome.EXCLUDED,
        "Population: students only",
    )


def test_a_new_proposal_replaces_the_proposers_earlier_one(team):
    rec, conflict = conflicted(team)
    first = conflicts.propose(conflict, team.reviewer1, "include")
    conflicts.propose(conflict, team.reviewer1, "exclude", reason(team))
    with pytest.raises(conflicts.ConflictError, match="replaced"):
        conflicts.confirm(first, team.reviewer2)


def test_re_decision_is_refused_once_resolved(team):
    rec, conflict = conflicted(team)
    proposal = conflicts.propose(conflict, team.reviewer1, "include")
    conflicts.confirm(proposal, team.reviewer2)
    with pytest.raises(decisions.ScreeningError):
        decisions.decide(rec, team.reviewer2, "include")
    with pytest.raises(conflicts.ConflictError, match="already resolved"):
        conflicts.propose(conflict, team.reviewer2, "exclude", reason(team))
    with pytest.raises(conflicts.ConflictError, match="already resolved"):
        conflicts.escalate(conflict, team.reviewer2, "We still disagree")
    remy = team.client(team.reviewer2)
    response = remy.post(
        url(team, conflict, "propose/"),
        {"value": "exclude", "reason": reason(team).pk},
        follow=True,
    )
    assert "already resolved" in response.content.decode()
    status = RecordStatus.objects.get(record=rec, stage="ta")
    assert status.outcome == Outcome.INCLUDED


def test_no_decision_changes_while_in_conflict_only_the_conflict_page_settles_it(team):
    rec, conflict = conflicted(team)
    with pytest.raises(decisions.ScreeningError, match="conflict page"):
        decisions.decide(rec, team.reviewer2, "include")


def test_a_maybe_opens_a_conflict_when_the_lead_chose_so(team):
    team.review.maybe_opens_conflict = True
    team.review.save()
    rec = record(team)
    decisions.decide(rec, team.reviewer1, "maybe")
    decisions.decide(rec, team.reviewer2, "maybe")
    assert Conflict.objects.filter(record=rec, state="open").exists()


def test_a_comment_posted_with_htmx_returns_only_the_refreshed_thread(team):
    rec, conflict = conflicted(team)
    response = team.client(team.reviewer1).post(
        url(team, conflict, "comment/"),
        {"body": "Shall we agree on include?"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="thread"' in body and "Shall we agree on include?" in body
    assert "<html" not in body
    assert conflict.comments.get().author == team.reviewer1
