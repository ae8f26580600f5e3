"""Issue #26: the lead's Ranking page counted a reviewer's pending Include/Maybe decisions, so
with the audit trail's who/when a lead could read each pending decision. It counts resolved
records only, as the Progress page does."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from screening.decisions import queues
from screening.decisions import service as decisions
from screening.ranking import service as ranking_service
from tests.factories import RecordFactory, SearchFactory

pytestmark = pytest.mark.django_db

TITLES = [f"Nudging physicians to prescribe fewer antibiotics, trial {n}" for n in range(4)] + [
    f"Soil nitrogen under maize rotation, site {n}" for n in range(6)
]


@pytest.fixture
def records(team):
    search = SearchFactory(review=team.review)
    found = [RecordFactory(search=search, title=t, abstract="") for t in TITLES]
    queues.set_ordering(team.review, team.reviewer1, ranking_service.RELEVANCE)
    decisions.decide(found[0], team.reviewer1, "include")
    decisions.decide(found[5], team.reviewer1, "exclude")
    ranking_service.retrain(team.review.pk, team.reviewer1.pk)
    return found


def _lead_view(team) -> str:
    html = team.client(team.lead).get(reverse("ranking", args=[team.review.slug])).content
    html = html.decode()
    row = re.search(r"<th scope=\"row\">Rita Reviewer</th>(.*?)</tr>", html, re.S).group(1)
    return re.sub(r"\s+", " ", row)


def _estimate(row: str) -> str:
    return re.search(r'<dl class="ranking-estimate">.*?</dl>', row, re.S).group(0)


def test_a_pending_include_does_not_move_what_the_lead_sees(team, records):
    assert team.review.required_decisions == 2
    before = _lead_view(team)
    assert "0 (0 relevant" in _estimate(before)  # nothing resolved yet
    decisions.decide(records[1], team.reviewer1, "include")
    decisions.decide(records[2], team.reviewer1, "maybe")
    ranking_service.retrain(team.review.pk, team.reviewer1.pk)
    after = _lead_view(team)
    assert _estimate(after) == _estimate(before)
    assert "relevant)" not in after.split('<dl class="ranking-estimate">')[0]  # no model count


def test_the_lead_sees_the_count_once_the_team_resolves_the_record(team, records):
    decisions.decide(records[0], team.reviewer2, "include")  # both include: resolved
    assert "1 (1 relevant" in _estimate(_lead_view(team))


def test_the_reviewer_still_sees_every_one_of_their_own_decisions(team, records):
    page = team.client(team.reviewer1).get(reverse("ranking_mine", args=[team.review.slug]))
    assert "2 (1 relevant" in page.content.decode()
