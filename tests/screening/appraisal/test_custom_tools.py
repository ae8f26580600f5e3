"""A lead builds a tool of their own, versioned like the codebook."""

from __future__ import annotations

import pytest
from django.urls import reverse

from screening.appraisal import service
from screening.models import Appraisal

from .helpers import studies


def _publish(team, text="1. Clear aims?\n2. Sound method?"):
    return team.client(team.lead).post(
        reverse("appraisal_tool_new", args=[team.review.slug]),
        {
            "name": "Our tool",
            "key": "ours",
            "items": text,
            "answers": "Yes = good\nNo = bad",
            "note": "first",
        },
    )


def test_a_lead_publishes_versions_and_appraisals_keep_theirs(team):
    assert _publish(team).status_code == 302
    (study,) = studies(team, 1, tool="ours")
    service.save_appraisal(study, team.reviewer1, answers={"1": {"answer": "yes"}}, submit=False)
    client = team.client(team.lead)
    client.post(
        reverse("appraisal_tool_edit", args=[team.review.slug, "ours"]),
        {
            "name": "Our tool",
            "items": "1. Clear aims?\n2. Sound method?\n3. Ethics?",
            "answers": "Yes = good\nNo = bad",
        },
    )
    tool = team.review.appraisal_tools.get(key="ours")
    assert [v.number for v in tool.versions.all()] == [1, 2]
    assert Appraisal.objects.get(study=study).tool_version == "1"
    assert len(service.get_tool(team.review, "ours").items) == 3
    assert len(service.get_tool(team.review, "ours", "1").items) == 2


def test_publishing_nothing_new_is_refused(team):
    _publish(team)
    tool = team.review.appraisal_tools.get(key="ours")
    with pytest.raises(service.AppraisalError, match="Nothing changed"):
        service.publish_tool(
            team.review,
            team.lead,
            key="ours",
            name="Our tool",
            definition=tool.latest_version().definition,
        )


def test_a_tool_needs_items_and_two_answers(team):
    with pytest.raises(service.AppraisalError, match="item"):
        service.publish_tool(
            team.review, team.lead, key="x", name="X", definition={"items": [], "answers": []}
        )
    with pytest.raises(service.AppraisalError, match="two answer"):
        service.publish_tool(
            team.review,
            team.lead,
            key="x",
            name="X",
            definition={
                "items": [{"number": "1", "text": "Q"}],
                "answers": [{"key": "y", "label": "Y"}],
            },
        )


def test_reviewers_cannot_build_tools(team):
    url = reverse("appraisal_tool_new", args=[team.review.slug])
    assert team.client(team.reviewer1).get(url).status_code == 403


def test_a_study_can_use_another_tool_than_the_review(team):
    first, second = studies(team, 2)
    service.set_plan(team.review, team.lead, "casp-qualitative", {second.pk: "jbi-cross-sectional"})
    assert service.tool_for_study(team.review, first).key == "casp-qualitative"
    assert service.tool_for_study(team.review, second).key == "jbi-cross-sectional"
