"""Progress and agreement pages, and the CSV export: what leads and reviewers each see."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from screening.decisions import service as decisions

from .factories import decide, records

pytestmark = pytest.mark.django_db

# Rita and Remy on ten records: 4 both Include, 4 both Exclude, 2 disagree.
# po = 0.8, pe = 0.5*0.5 + 0.5*0.5 = 0.5, kappa = 0.6.
PLAN = (
    [("include", "include")] * 4
    + [("exclude", "exclude")] * 4
    + [
        ("include", "exclude"),
        ("exclude", "include"),
    ]
)


def screen_plan(team):
    rs = records(team, len(PLAN))
    for r, (a, b) in zip(rs, PLAN, strict=True):
        decide(r, team.reviewer1, a)
        decide(r, team.reviewer2, b)
    return rs


def test_the_lead_sees_kappa_on_every_record_whose_decisions_are_in(team):
    screen_plan(team)
    response = team.client(team.lead).get(reverse("screen_progress", args=[team.review.slug]))
    (pair,) = response.context["pairs"]
    assert pair["n"] == 10
    assert pair["kappa"] == pytest.approx(0.6)
    assert pair["percent"] == pytest.approx(0.8)
    html = response.content.decode()
    assert '<strong class="pair-kappa">0.600</strong>' in html
    assert "80%" in html


def test_a_reviewer_sees_agreement_only_on_resolved_records(team):
    rs = screen_plan(team)
    url = reverse("screen_progress", args=[team.review.slug])
    (pair,) = team.client(team.reviewer1).get(url).context["pairs"]
    assert pair["n"] == 8  # the two conflicts are still under discussion
    assert pair["kappa"] == 1.0
    for r in rs[8:]:
        decisions.set_final(r, "ta", "exclude", resolution="consensus", by=team.reviewer1)
    (pair,) = team.client(team.reviewer1).get(url).context["pairs"]
    assert pair["kappa"] == pytest.approx(0.6)


def test_the_agreement_csv_holds_kappa_and_the_table(team):
    screen_plan(team)
    response = team.client(team.lead).get(reverse("screen_agreement_csv", args=[team.review.slug]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    kappa = next(r for r in rows if r[0] == "cohen_kappa")
    assert kappa[3:5] == ["10", "0.6000"]
    table = {(r[5], r[6]): int(r[7]) for r in rows if r[0] == "table"}
    assert table == {
        ("Include", "Include"): 4,
        ("Include", "Exclude"): 1,
        ("Exclude", "Include"): 1,
        ("Exclude", "Exclude"): 4,
    }


def test_maybe_makes_the_table_three_by_three(team):
    (r, s) = records(team, 2)
    decide(r, team.reviewer1, "maybe")
    decide(r, team.reviewer2, "include")
    decide(s, team.reviewer1, "exclude")
    decide(s, team.reviewer2, "exclude")
    (pair,) = (
        team.client(team.lead)
        .get(reverse("screen_progress", args=[team.review.slug]))
        .context["pairs"]
    )
    assert pair["categories"] == ["Include", "Exclude", "Maybe"]
    assert [row for _, row in pair["rows"]] == [[0, 0, 0], [0, 1, 0], [1, 0, 0]]


def test_with_three_reviewers_alpha_and_fleiss_are_shown(team):
    from reviewapp.models import Membership
    from tests.factories import UserFactory

    third = UserFactory(email="tess@example.org", full_name="Tess Third")
    Membership.objects.create(review=team.review, user=third, is_reviewer=True)
    team.review.required_decisions = 3
    team.review.save()
    rs = records(team, 3)
    for r, values in zip(
        rs, [("include",) * 3, ("exclude",) * 3, ("include", "include", "exclude")], strict=True
    ):
        for user, value in zip((team.reviewer1, team.reviewer2, third), values, strict=True):
            decide(r, user, value)
    response = team.client(team.lead).get(reverse("screen_progress", args=[team.review.slug]))
    summary = response.context["summary"]
    assert len(response.context["pairs"]) == 3
    assert summary.krippendorff_alpha is not None and summary.fleiss_kappa is not None
    assert "Krippendorff" in response.content.decode()


def test_progress_counts_reasons_of_excluded_records(team):
    from .factories import reason

    why = reason(team, "Students only")
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "exclude", reason=why)
    decide(r, team.reviewer2, "exclude", reason=why)
    response = team.client(team.lead).get(reverse("screen_progress", args=[team.review.slug]))
    assert response.context["team"].reasons == [("Students only", 1)]
    assert response.context["team"].outcomes["excluded"] == 1


def test_a_large_team_gets_one_line_per_pair_and_the_tables_in_the_csv(team):
    """Five reviewers make ten pairs: the page lists each pair on one line (its own table of
    decisions would make a page of 1,225 tables for fifty); the CSV still holds every table."""
    from itertools import combinations

    from reviewapp.models import Membership
    from tests.factories import UserFactory

    people = [team.reviewer1, team.reviewer2]
    for name in ("Tess", "Uma", "Vic"):
        user = UserFactory(email=f"{name.lower()}@example.org", full_name=f"{name} Extra")
        Membership.objects.create(review=team.review, user=user, is_reviewer=True)
        people.append(user)
    pairs = list(combinations(people, 2))
    for r, (a, b) in zip(records(team, len(pairs)), pairs, strict=True):
        decide(r, a, "include")
        decide(r, b, "include")
    slug = team.review.slug
    response = team.client(team.lead).get(reverse("screen_progress", args=[slug]))
    html = response.content.decode()
    assert len(response.context["pairs"]) == 10 and not response.context["detailed"]
    assert "agreement-table" not in html
    assert html.count('<td class="pair-kappa">1.000</td>') == 10
    assert "10 pairs of reviewers" in html
    rows = list(
        csv.reader(
            io.StringIO(
                team.client(team.lead)
                .get(reverse("screen_agreement_csv", args=[slug]))
                .content.decode()
            )
        )
    )
    assert sum(1 for row in rows if row[0] == "table") == 10 * 4
