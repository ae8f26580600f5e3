"""Every resource follows the pages' permissions: outsiders 404, wrong roles 403."""

from __future__ import annotations

import re

import pytest

from tests.factories import RecordFactory

from .conftest import ApiClient

READ_PATHS = [
    "/reviews/{slug}/searches",
    "/reviews/{slug}/records",
    "/reviews/{slug}/prisma",
    "/reviews/{slug}/codebook/versions",
    "/reviews/{slug}/codings",
    "/reviews/{slug}/synthesis/matrix",
    "/reviews/{slug}/reasons",
]


@pytest.mark.parametrize("path", READ_PATHS)
def test_outsiders_get_404_and_adjudicators_403_on_review_data(team, path):
    url = path.format(slug=team.review.slug)
    assert ApiClient(team.outsider).get(url).status_code == 404
    assert ApiClient(team.adjudicator).get(url).status_code == 403
    assert ApiClient(team.reviewer1).get(url).status_code == 200
    assert ApiClient(team.lead).get(url).status_code == 200


def test_only_reviewers_decide_and_only_leads_create_searches(team):
    record = RecordFactory(review=team.review, search__review=team.review)
    slug = team.review.slug
    lead = ApiClient(team.lead)
    assert (
        lead.post(
            f"/reviews/{slug}/decisions", {"record": record.pk, "value": "include"}
        ).status_code
        == 403
    )
    reviewer = ApiClient(team.reviewer1)
    assert reviewer.post(f"/reviews/{slug}/searches", {"source": "Scopus"}).status_code == 403
    assert lead.post(f"/reviews/{slug}/searches", {"source": "Scopus"}).status_code == 201


def test_the_review_list_shows_only_the_callers_reviews(team):
    mine = ApiClient(team.reviewer1).get("/reviews").json()
    assert [r["slug"] for r in mine] == [team.review.slug]
    assert mine[0]["roles"] == ["reviewer"]
    assert ApiClient(team.outsider).get("/reviews").json() == []


def test_ids_of_another_review_are_not_found(team):
    from tests.factories import ReviewFactory

    other = ReviewFactory()
    stranger = RecordFactory(review=other, search__review=other)
    url = f"/reviews/{team.review.slug}/records/{stranger.pk}"
    assert ApiClient(team.lead).get(url).status_code == 404


def test_every_api_operation_refuses_a_call_without_a_token(team, client):
    """Walk the OpenAPI schema: each operation answers 401 (only the docs are public)."""
    schema = client.get("/api/v1/openapi.json").json()
    checked = 0
    for path, operations in schema["paths"].items():
        url = path.replace("{slug}", team.review.slug)
        url = re.sub(r"\{\w+\}", "1", url)
        for method in operations:
            response = getattr(client, method)(url)
            assert response.status_code == 401, (method, url, response.status_code)
            checked += 1
    assert checked >= 17
