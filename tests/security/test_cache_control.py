"""Issue #26: pages and exports of a signed-in person carry Cache-Control: private, no-store."""

from __future__ import annotations

import pytest


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.django_db
def test_an_authenticated_page_is_neither_shared_nor_stored(team):
    response = team.client(team.lead).get(f"/r/{team.review.slug}/")
    assert response.status_code == 200
    assert {"private", "no-store"} <= _directives(response)


@pytest.mark.django_db
def test_an_authenticated_csv_export_is_neither_shared_nor_stored(team):
    response = team.client(team.lead).get(f"/r/{team.review.slug}/codebook/export/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert {"private", "no-store"} <= _directives(response)


@pytest.mark.django_db
def test_an_htmx_fragment_and_an_error_page_are_not_stored_either(team):
    client = team.client(team.reviewer1)
    fragment = client.get(f"/r/{team.review.slug}/", headers={"HX-Request": "true"})
    assert {"private", "no-store"} <= _directives(fragment)
    forbidden = client.get(f"/r/{team.review.slug}/team/")
    assert forbidden.status_code == 403
    assert {"private", "no-store"} <= _directives(forbidden)


@pytest.mark.django_db
def test_static_files_stay_cacheable_for_a_signed_in_person(team):
    response = team.client(team.lead).get("/static/vendor/htmx.min.js")
    assert response.status_code == 200
    assert "no-store" not in _directives(response)
