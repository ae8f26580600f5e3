"""Security headers, cookies and login throttling."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.core.test_settings_switch import settings_in


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy_and_safe_headers(team):
    response = team.client(team.lead).get(f"/r/{team.review.slug}/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_production_settings_make_cookies_secure_and_send_hsts():
    out = settings_in(
        {"SECRET_KEY": "x" * 50},
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS",
    )
    assert out == "True True True True 31536000"


@pytest.mark.django_db
def test_every_form_needs_a_csrf_token(team):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(team.lead)
    response = client.post(
        f"/r/{team.review.slug}/team/", {"email": "x@example.org", "roles": ["reviewer"]}
    )
    assert response.status_code == 403
    assert not team.review.invitations.exists()


@pytest.mark.django_db
def test_repeated_failed_logins_are_throttled(team, client):
    cache.clear()
    for _ in range(5):
        client.post("/accounts/login/", {"login": team.lead.email, "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"login": team.lead.email, "password": "correct horse battery staple"}
    )
    # allauth's rate limit: the sixth attempt is refused even with the right password.
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    cache.clear()
