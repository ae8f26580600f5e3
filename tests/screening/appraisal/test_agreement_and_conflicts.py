"""Equal appraisals settle at once; differences go through the conflicts flow."""

from __future__ import annotations

import pytest
from django.urls import reverse

from screening.appraisal import service
from screening.conflicts import service as conflicts
from screening.models import AppraisalResult, Conflict, ConflictStage

from .helpers import appraise, studies


@pytest.fixture
def study(team):
    return studies(team, 1)[0]


def test_equal_appraisals_become_the_result_by_agreement(team, study):
    appraise(study, team.reviewer1)
    appraise(study, team.reviewer2)
    result = AppraisalResult.objects.get(study=study)
    assert result.resolution == AppraisalResult.Resolution.AGREEMENT
    assert result.answers["1"]["answer"] == "yes"
    assert not Conflict.objects.filter(stage=ConflictStage.APPRAISAL).exists()


def _disagreeing(team, study) -> Conflict:
    appraise(study, team.reviewer1, q3="no", q8="cant_tell")
    appraise(study, team.reviewer2, q3="yes", q8="cant_tell")
    return Conflict.objects.get(stage=ConflictStage.APPRAISAL)


def test_a_difference_opens_an_appraisal_conflict_between_the_two_appraisers(team, study):
    conflict = _disagreeing(team, study)
    assert conflicts.participant_ids(conflict) == {team.reviewer1.pk, team.reviewer2.pk}
    assert not AppraisalResult.objects.filter(study=study).exists()
    assert Conflict.objects.involving(team.reviewer1.pk).filter(pk=conflict.pk).exists()
    page = team.client(team.reviewer1).get(
        reverse("conflict_detail", args=[team.review.slug, conflict.pk]), follow=True
    )
    assert page.status_code == 200 and b"because no" in page.content


def test_consensus_proposed_by_one_and_confirmed_by_the_other_settles_it(team, study):
    conflict = _disagreeing(team, study)
    proposal = conflicts.propose(conflict, team.reviewer1, "", answers={"items": {"3": "yes"}})
    conflicts.confirm(proposal, team.reviewer2)
    result = AppraisalResult.objects.get(study=study)
    assert result.resolution == AppraisalResult.Resolution.CONSENSUS
    assert result.answers["3"]["answer"] == "yes"
    assert result.answers["8"]["answer"] == "cant_tell"  # agreed items keep their answer
    conflict.refresh_from_db()
    assert conflict.is_resolved


def test_a_proposal_must_answer_every_disputed_item(team, study):
    conflict = _disagreeing(team, study)
    with pytest.raises(conflicts.ConflictError, match="item 3"):
        conflicts.propose(conflict, team.reviewer1, "", answers={"items": {}})


def test_escalated_conflicts_are_settled_by_the_adjudicator(team, study):
    conflict = _disagreeing(team, study)
    conflicts.escalate(conflict, team.reviewer2, "We read item 3 differently.")
    adjudicator_page = team.client(team.adjudicator).get(
        reverse("appraisal_conflict", args=[team.review.slug, conflict.pk])
    )
    assert adjudicator_page.status_code == 200
    response = team.client(team.adjudicator).post(
        reverse("appraisal_conflict_settle", args=[team.review.slug, conflict.pk]),
        {"step": "adjudicate", "answer-3": "no", "note": "The recruitment is not described."},
    )
    assert response.status_code == 302
    result = AppraisalResult.objects.get(study=study)
    assert result.resolution == AppraisalResult.Resolution.ADJUDICATED
    assert result.answers["3"]["answer"] == "no"
    assert result.resolved_by == team.adjudicator


def test_an_appraiser_cannot_adjudicate_their_own_appraisal(team, study):
    from reviewapp.models import Membership

    Membership.objects.filter(review=team.review, user=team.reviewer1).update(is_adjudicator=True)
    conflict = _disagreeing(team, study)
    conflicts.escalate(conflict, team.reviewer2, "Item 3.")
    with pytest.raises(conflicts.ConflictError):
        conflicts.adjudicate(
            conflict, team.reviewer1, "", note="mine", answers={"items": {"3": "no"}}
        )


def test_outsiders_never_see_an_appraisal_conflict(team, study):
    conflict = _disagreeing(team, study)
    url = reverse("appraisal_conflict", args=[team.review.slug, conflict.pk])
    assert team.client(team.outsider).get(url).status_code == 404
    assert team.client(team.adjudicator).get(url).status_code == 404  # not escalated yet


def test_per_item_agreement_reports_percent_and_kappa(team):
    a, b, c, d = studies(team, 4)
    # Item 3: agree yes, agree no, disagree, disagree -> 50 %; item 1: always yes -> 100 %.
    for study, (x, y) in zip(
        (a, b, c, d), [("yes", "yes"), ("no", "no"), ("yes", "no"), ("no", "yes")], strict=True
    ):
        appraise(study, team.reviewer1, q3=x)
        appraise(study, team.reviewer2, q3=y)
    rows = {
        r.number: r
        for r in service.item_agreement(
            team.review, service.get_tool(team.review, "casp-qualitative")
        )
    }
    assert rows["3"].pairs == 4 and rows["3"].percent == pytest.approx(0.5)
    assert rows["3"].kappa == pytest.approx(0.0)
    assert rows["1"].percent == pytest.approx(1.0)
