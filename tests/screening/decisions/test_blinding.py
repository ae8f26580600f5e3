"""Blinding, on the server: until every required decision is in, nothing a reviewer can
request shows another reviewer's decision on that record — not a page, a partial, an export,
a count or an order."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from screening.decisions import service as decisions

from .factories import decide, reason, records

pytestmark = pytest.mark.django_db

SECRET = "Remy-thinks-students-only-7f3a"
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+"')


def pages(team, record):
    slug = team.review.slug
    urls = [
        reverse("screen", args=[slug]),
        reverse("screen", args=[slug]) + "?pos=1",
        reverse("screen", args=[slug]) + "?back=0",
        reverse("screen", args=[slug]) + "?back=1",
        reverse("screen_record", args=[slug, record.pk]),
        reverse("screen_mine", args=[slug]),
        reverse("screen_mine", args=[slug]) + "?value=exclude",
        reverse("screen_progress", args=[slug]),
        reverse("screen_agreement_csv", args=[slug]),
        reverse("screen_keywords", args=[slug]),
        reverse("review_overview", args=[slug]),
    ]
    return urls


def snapshot(client, urls):
    seen = {}
    for u in urls:
        for htmx in (False, True):
            response = client.get(u, headers={"HX-Request": "true"} if htmx else {})
            assert response.status_code == 200, u
            seen[(u, htmx)] = CSRF.sub("", response.content.decode())
    return seen


def test_no_page_or_partial_a_reviewer_can_request_changes_when_another_decides(team):
    """Three decisions required, so Remy's decisions leave every record pending: everything
    Rita can request must stay byte-for-byte the same (bar the CSRF token)."""
    from reviewapp.models import Membership
    from tests.factories import UserFactory

    Membership.objects.create(
        review=team.review, user=UserFactory(email="tess@example.org"), is_reviewer=True
    )
    team.review.required_decisions = 3
    team.review.save()
    rs = records(team, 4)
    why = reason(team, "Students only")
    decide(rs[1], team.reviewer1, "include")
    decide(rs[2], team.reviewer1, "exclude", reason=why, note="mine")
    rita = team.client(team.reviewer1)
    urls = pages(team, rs[2])
    before = snapshot(rita, urls)
    decide(rs[1], team.reviewer2, "exclude", reason=why, note=SECRET)
    decide(rs[2], team.reviewer2, "include", note=SECRET)
    decide(rs[3], team.reviewer2, "exclude", reason=why, note=SECRET)
    after = snapshot(rita, urls)
    assert [key for key in before if before[key] != after[key]] == []
    assert not any(SECRET in page for page in after.values())


def test_a_pending_decision_of_another_reviewer_leaves_no_trace_on_any_page(team):
    rs = records(team, 3)
    target = rs[0]
    decide(target, team.reviewer2, "exclude", reason=reason(team), note=SECRET)
    rita = team.client(team.reviewer1)
    before_rita = None
    for url in pages(team, target):
        for headers in ({}, {"HX-Request": "true"}):
            html = rita.get(url, headers=headers).content.decode()
            assert SECRET not in html, url
            assert "Remy Reviewer:" not in html, url
    # Her queue and its size are exactly as if Remy had done nothing.
    page = rita.get(reverse("screen", args=[team.review.slug]))
    assert page.context["remaining"] == 3
    before_rita = [r.pk for r in decisions.queues.queue_for(team.review, team.reviewer1)]
    assert target.pk in before_rita


def test_the_queue_order_and_counts_do_not_move_when_the_other_reviewer_decides(team):
    rs = records(team, 12)
    rita = team.client(team.reviewer1)
    urls = [reverse("screen", args=[team.review.slug]) + q for q in ("", "?pos=3", "?pos=11")]
    urls.append(reverse("screen_progress", args=[team.review.slug]))
    before = snapshot(rita, urls)
    for r in rs[:5]:
        decide(r, team.reviewer2, "exclude", note=SECRET)
    assert snapshot(rita, urls) == before


def test_the_lead_sees_only_aggregate_progress_until_records_resolve(team):
    (r, other) = records(team, 2)
    decide(r, team.reviewer1, "include", note=SECRET)
    lead = team.client(team.lead)
    for url in (
        reverse("screen_progress", args=[team.review.slug]),
        reverse("screen_agreement_csv", args=[team.review.slug]),
        reverse("review_overview", args=[team.review.slug]),
    ):
        html = lead.get(url).content.decode()
        assert SECRET not in html
        assert "Include" not in html.split("<main", 1)[-1] or "agreement" in url, url
    progress = lead.get(reverse("screen_progress", args=[team.review.slug]))
    assert progress.context["team"].by_decisions == [(0, 1), (1, 1)]
    assert all(row.values == {} for row in progress.context["rows"])
    assert decisions.visible_decisions(r, "ta", team.lead).count() == 0


def test_in_a_conflict_both_reviewers_see_both_decisions_and_notes(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include", note="Rita's view")
    decide(r, team.reviewer2, "exclude", note=SECRET)
    html = (
        team.client(team.reviewer1)
        .get(reverse("screen_record", args=[team.review.slug, r.pk]))
        .content.decode()
    )
    assert SECRET in html
    assert "In conflict" in html
    assert decisions.visible_decisions(r, "ta", team.lead).count() == 0
    assert decisions.visible_decisions(r, "ta", team.adjudicator).count() == 0


def test_once_resolved_everyone_screening_sees_the_decisions(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    decide(r, team.reviewer2, "include", note=SECRET)
    assert decisions.visible_decisions(r, "ta", team.lead).count() == 2
    html = (
        team.client(team.reviewer1)
        .get(reverse("screen_record", args=[team.review.slug, r.pk]))
        .content.decode()
    )
    assert SECRET in html and "Resolved: Included" in html
