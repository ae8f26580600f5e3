"""Two appraisers judge each included study independently and blind to each other."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp.models import Membership
from screening.appraisal import service
from screening.models import Appraisal
from tests.factories import UserFactory

from .helpers import answers, appraise, studies


@pytest.fixture
def study(team):
    return studies(team, 1)[0]


def test_an_appraiser_never_sees_the_other_answers_before_both_submit(team, study):
    appraise(study, team.reviewer1, q3="no")
    page = team.client(team.reviewer2).get(
        reverse("appraisal_study", args=[team.review.slug, study.pk])
    )
    assert page.status_code == 200
    assert b"because no" not in page.content
    membership = team.review.memberships.get(user=team.reviewer2)
    assert service.visible_appraisals(study, "casp-qualitative", membership) == []
    lead = team.review.memberships.get(user=team.lead)
    assert service.visible_appraisals(study, "casp-qualitative", lead) == []


def test_both_appraisals_open_once_both_are_submitted(team, study):
    appraise(study, team.reviewer1, q3="no")
    appraise(study, team.reviewer2)
    membership = team.review.memberships.get(user=team.reviewer2)
    assert len(service.visible_appraisals(study, "casp-qualitative", membership)) == 2


def test_a_third_appraiser_is_refused(team, study):
    third = UserFactory()
    Membership.objects.create(review=team.review, user=third, is_reviewer=True)
    appraise(study, team.reviewer1, submit=False)
    appraise(study, team.reviewer2, submit=False)
    with pytest.raises(service.AppraisalError, match="Two appraisers"):
        appraise(study, third)


def test_submitting_needs_every_item_answered(team, study):
    partial = answers()
    partial.pop("7")
    with pytest.raises(service.AppraisalError, match="item 7"):
        service.save_appraisal(study, team.reviewer1, answers=partial, submit=True)
    draft = service.save_appraisal(study, team.reviewer1, answers=partial, submit=False)
    assert draft.submitted_at is None and "7" not in draft.answers


def test_answers_outside_the_tool_are_refused(team, study):
    bad = answers()
    bad["3"] = {"answer": "maybe", "comment": ""}
    with pytest.raises(service.AppraisalError, match="Item 3"):
        service.save_appraisal(study, team.reviewer1, answers=bad, submit=True)


def test_only_reviewers_appraise_and_only_included_studies(team, study):
    with pytest.raises(service.AppraisalError, match="reviewers"):
        appraise(study, team.adjudicator)
    from screening.models import Study

    not_included = Study.objects.create(review=team.review, label="Not included 2021")
    with pytest.raises(service.AppraisalError, match="included"):
        appraise(not_included, team.reviewer1)


def test_the_form_posts_a_submission(team, study):
    client = team.client(team.reviewer1)
    data = {f"answer-{n}": "yes" for n in range(1, 11)} | {"submit": "1", "comment-2": "clear"}
    response = client.post(reverse("appraisal_study", args=[team.review.slug, study.pk]), data)
    assert response.status_code == 302
    saved = Appraisal.objects.get(study=study, appraiser=team.reviewer1)
    assert saved.submitted_at and saved.answers["2"] == {"answer": "yes", "comment": "clear"}


def test_the_audit_trail_hides_the_answers_of_a_pending_appraisal(team, study):
    from reviewapp.models import AuditEvent

    appraise(study, team.reviewer1, q3="no")
    event = AuditEvent.objects.get(action="appraisal.submitted")
    assert "because no" not in str(event.after) and "answers" not in (event.after or {})


def test_adjudicators_and_outsiders_cannot_open_appraisal_pages(team, study):
    url = reverse("appraisal_home", args=[team.review.slug])
    assert team.client(team.adjudicator).get(url).status_code == 403
    assert team.client(team.outsider).get(url).status_code == 404
    assert team.client(team.reviewer1).get(url).status_code == 200


def test_mmat_asks_for_the_category_and_then_its_five_items(team):
    (study,) = studies(team, 1, tool="mmat-2018")
    yes = {"answer": "yes", "comment": ""}
    with pytest.raises(service.AppraisalError, match="category"):
        service.save_appraisal(study, team.reviewer1, answers={}, submit=True)
    items = dict.fromkeys(("S1", "S2", "1.1", "1.2", "1.3", "1.4", "1.5"), yes)
    saved = service.save_appraisal(study, team.reviewer1, answers=items, category="1", submit=True)
    assert saved.category == "1" and set(saved.answers) == set(items)
    with pytest.raises(service.AppraisalError, match="Not an item"):
        service.save_appraisal(
            study, team.reviewer2, answers={**items, "2.1": yes}, category="1", submit=True
        )


def test_different_categories_are_a_disagreement(team):
    from screening.models import Conflict

    (study,) = studies(team, 1, tool="mmat-2018")
    yes = {"answer": "yes", "comment": ""}
    qual = dict.fromkeys(("S1", "S2", "1.1", "1.2", "1.3", "1.4", "1.5"), yes)
    mixed = dict.fromkeys(("S1", "S2", "5.1", "5.2", "5.3", "5.4", "5.5"), yes)
    service.save_appraisal(study, team.reviewer1, answers=qual, category="1", submit=True)
    service.save_appraisal(study, team.reviewer2, answers=mixed, category="5", submit=True)
    assert Conflict.objects.filter(stage="ap").count() == 1
