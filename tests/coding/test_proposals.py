"""New themes during coding: proposed with an excerpt, discussed, accepted, merged or declined."""

from __future__ import annotations

import pytest

from coding import services
from coding.models import CodeProposal, ProposalStatus

from .factories import ecological_codebook, included_study


@pytest.fixture
def proposal(team):
    codes = ecological_codebook(team.review, team.lead)
    services.publish(team.review.codebook, team.lead, "v1")
    study = included_study(team.review, "Prediger 2016", 27)
    response = team.client(team.reviewer1).post(
        f"/r/{team.review.slug}/codebook/proposals/new/",
        {
            "name": "Coaching",
            "definition": "Targeted support on specific research problems.",
            "parent": codes["Environmental facilitators"].pk,
            "study": study.pk,
            "excerpt": "coaching offers more targeted support",
        },
    )
    assert response.status_code == 302
    return CodeProposal.objects.get(), codes


def test_members_comment_on_a_proposal(team, proposal):
    p, _ = proposal
    team.client(team.reviewer2).post(
        f"/r/{team.review.slug}/codebook/proposals/{p.pk}/comment/",
        {"text": "Seen it in study 41 too."},
    )
    page = (
        team.client(team.lead)
        .get(f"/r/{team.review.slug}/codebook/proposals/{p.pk}/")
        .content.decode()
    )
    assert "Seen it in study 41 too." in page
    assert "coaching offers more targeted support" in page


def test_lead_accepts_a_proposal_into_the_draft(team, proposal):
    p, codes = proposal
    response = team.client(team.lead).post(
        f"/r/{team.review.slug}/codebook/proposals/{p.pk}/decide/",
        {"action": "accept", "reason": "New theme"},
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == ProposalStatus.ACCEPTED and p.decided_by == team.lead
    code = p.result_code
    assert (code.name, code.parent, code.example) == (
        "Coaching",
        codes["Environmental facilitators"],
        "coaching offers more targeted support",
    )
    # In the draft, not yet codable; the next version lists it as added.
    assert str(code.key) not in services.version_tree(team.review.codebook).by_key
    services.publish(team.review.codebook, team.lead, "v2: coaching")
    assert services.diff_versions(team.review.codebook, 1, 2).summary() == {"added": ["Coaching"]}


def test_lead_merges_a_proposal_into_an_existing_code(team, proposal):
    p, codes = proposal
    team.client(team.lead).post(
        f"/r/{team.review.slug}/codebook/proposals/{p.pk}/decide/",
        {"action": "merge", "target": codes["Career advancement"].pk, "reason": "Same idea"},
    )
    p.refresh_from_db()
    assert (p.status, p.result_code, p.reason) == (
        ProposalStatus.MERGED,
        codes["Career advancement"],
        "Same idea",
    )
    assert not services.draft_changes(team.review.codebook)


def test_declining_needs_a_reason_which_is_kept(team, proposal):
    p, _ = proposal
    client = team.client(team.lead)
    response = client.post(
        f"/r/{team.review.slug}/codebook/proposals/{p.pk}/decide/", {"action": "decline"}
    )
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    client.post(
        f"/r/{team.review.slug}/codebook/proposals/{p.pk}/decide/",
        {"action": "decline", "reason": "Outside the review's question"},
    )
    p.refresh_from_db()
    assert (p.status, p.reason) == (ProposalStatus.DECLINED, "Outside the review's question")
    with pytest.raises(services.CodingError, match="already declined"):
        services.accept_proposal(p, team.lead)


def test_a_reviewer_cannot_decide(team, proposal):
    p, _ = proposal
    response = team.client(team.reviewer1).post(
        f"/r/{team.review.slug}/codebook/proposals/{p.pk}/decide/", {"action": "accept"}
    )
    assert response.status_code == 403
    p.refresh_from_db()
    assert p.is_open
