"""Redis down: people still sign in and screen; the cache just stops remembering."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings

from screening.decisions.queues import ensure_assignments
from tests.factories import RecordFactory, SearchFactory

DEAD_REDIS = {
    "default": {
        "BACKEND": "reviewapp.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.mark.django_db
def test_with_redis_unreachable_a_reviewer_signs_in_and_screens(team, client, password):
    search = SearchFactory(review=team.review)
    record = RecordFactory(search=search, title="Mentoring clinicians into education research")
    ensure_assignments(team.review)
    with override_settings(CACHES=DEAD_REDIS):
        assert cache.get("anything", "fallback") == "fallback"
        assert cache.add("k", 1) is True
        response = client.post(
            "/accounts/login/", {"login": team.reviewer1.email, "password": password}
        )
        assert response.status_code == 302
        page = client.get(f"/r/{team.review.slug}/screen/")
        assert page.status_code == 200
        assert "Mentoring clinicians into education research" in page.content.decode()
        response = client.post(
            f"/r/{team.review.slug}/screen/record/{record.pk}/decide/", {"value": "include"}
        )
        assert response.status_code in (200, 302)
    assert record.decisions.get().value == "include"
