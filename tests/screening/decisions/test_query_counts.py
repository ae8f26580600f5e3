"""The work per screening request does not grow with the review."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening.decisions import queues

from .factories import decide, reason, records

pytestmark = pytest.mark.django_db


def decide_and_swap_queries(team, n):
    records(team, n)
    reason(team)
    client = team.client(team.reviewer1)
    queues.ensure_assignments(team.review)
    first = client.get(reverse("screen", args=[team.review.slug])).context["record"]
    decide(first, team.reviewer2, "include")  # the other reviewer's decision exists too
    second = client.get(reverse("screen", args=[team.review.slug]) + "?pos=1").context["record"]
    client.post(reverse("screen_decide", args=[team.review.slug, second.pk]), {"value": "include"})
    with CaptureQueriesContext(connection) as post:
        response = client.post(
            reverse("screen_decide", args=[team.review.slug, first.pk]),
            {"value": "exclude", "note": "no"},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as page:
        client.get(reverse("screen", args=[team.review.slug]))
    return len(post), len(page)


def test_queries_per_decision_and_page_are_the_same_for_10_and_200_records(team):
    small = decide_and_swap_queries(team, 10)
    from reviewapp.models import Review

    team.review = Review.objects.create(title="Bigger", slug="bigger")
    from reviewapp.models import Membership

    for user, flags in ((team.reviewer1, {}), (team.reviewer2, {})):
        Membership.objects.create(review=team.review, user=user, is_reviewer=True, **flags)
    big = decide_and_swap_queries(team, 200)
    assert small == big


def test_a_decision_with_the_swap_stays_within_a_query_budget(team, django_assert_max_num_queries):
    records(team, 30)
    client = team.client(team.reviewer1)
    first = client.get(reverse("screen", args=[team.review.slug])).context["record"]
    # Session, user, membership, record; BEGIN, status lock, my assignment, the decision, its
    # audit row, the record's decisions, status, assignments, my row, my counts, COMMIT; then
    # the next record: marks (with my counts), window (with its search), reasons, keywords.
    with django_assert_max_num_queries(19):
        client.post(
            reverse("screen_decide", args=[team.review.slug, first.pk]),
            {"value": "include"},
            headers={"HX-Request": "true"},
        )
    with django_assert_max_num_queries(30):
        client.get(reverse("screen", args=[team.review.slug]))
    with django_assert_max_num_queries(20):
        client.get(reverse("screen_mine", args=[team.review.slug]))
    with django_assert_max_num_queries(35):
        team.client(team.lead).get(reverse("screen_progress", args=[team.review.slug]))


def test_saving_decisions_made_in_a_row_costs_one_decision_each_and_one_answer(
    team, django_assert_max_num_queries
):
    records(team, 30)
    client = team.client(team.reviewer1)
    client.get(reverse("screen", args=[team.review.slug]))
    queue = list(queues.queue_for(team.review, team.reviewer1)[:4])

    def save(rows):
        return client.post(
            reverse("screen_decide_many", args=[team.review.slug]),
            {
                "record": [r.pk for r in rows],
                "value": ["exclude"] * len(rows),
                "reason": [""] * len(rows),
                "note": [""] * len(rows),
                "have": ",".join(str(r.pk) for r in queue),
            },
            headers={"HX-Request": "true"},
        )

    # One decision as screen_decide (19), plus the records sent ahead in the same queries.
    with django_assert_max_num_queries(19):
        assert save(queue[:1]).status_code == 200
    # Each further decision of the batch: its own transaction (11 queries), nothing more.
    with django_assert_max_num_queries(19 + 2 * 11):
        assert save(queue[1:4]).status_code == 200
