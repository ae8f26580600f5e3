"""Who reaches the screening pages: reviewers screen, leads watch progress, adjudicators and
outsiders see nothing of it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .factories import records

pytestmark = pytest.mark.django_db

REVIEWER_ONLY = ["screen", "screen_mine"]
LEAD_OR_REVIEWER = ["screen_progress", "screen_agreement_csv", "screen_keywords"]
LEAD_ONLY = ["screen_settings"]


def test_each_persona_reaches_exactly_its_screening_pages(team):
    (r,) = records(team, 1)
    slug = team.review.slug
    record_urls = [reverse("screen_record", args=[slug, r.pk])]
    expected = {
        "reviewer1": {
            **dict.fromkeys(REVIEWER_ONLY + LEAD_OR_REVIEWER, 200),
            **dict.fromkeys(LEAD_ONLY, 403),
        },
        "lead": {
            **dict.fromkeys(REVIEWER_ONLY, 403),
            **dict.fromkeys(LEAD_OR_REVIEWER + LEAD_ONLY, 200),
        },
        "adjudicator": dict.fromkeys(REVIEWER_ONLY + LEAD_OR_REVIEWER + LEAD_ONLY, 403),
        "outsider": dict.fromkeys(REVIEWER_ONLY + LEAD_OR_REVIEWER + LEAD_ONLY, 404),
    }
    for persona, pages in expected.items():
        client = team.client(getattr(team, persona))
        for name, status in pages.items():
            assert client.get(reverse(name, args=[slug])).status_code == status, (persona, name)
        for url in record_urls:
            got = client.get(url).status_code
            assert got == (
                200 if persona == "reviewer1" else 404 if persona == "outsider" else 403
            ), (persona, url)
        post = client.post(
            reverse("screen_decide", args=[slug, r.pk]), {"value": "include"}
        ).status_code
        assert post == (302 if persona == "reviewer1" else 404 if persona == "outsider" else 403), (
            persona
        )
    anonymous = team.client(None)
    assert anonymous.get(reverse("screen", args=[slug])).status_code == 302
