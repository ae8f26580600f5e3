"""Walk the whole URLconf with every persona: nobody reaches what they should not.

Anonymous visitors are sent to sign in; outsiders get 404 on every review URL (the review's
existence is not revealed); members lacking the view's declared role get 403; members holding
it never get 403 or a server error.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from .url_samples import SAMPLES

# The JSON API authenticates by bearer token, not the session: tests/api/test_permissions.py
# walks its schema (401 without a token, the pages' roles with one). The language switcher
# serves visitors before they sign in too (tests/i18n/test_language_choice.py).
PUBLIC_PREFIXES = ("accounts/", "static/", "api/v1/", "language/")
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def app_patterns():
    seen = set()
    for route, pattern in walk(get_resolver().url_patterns):
        if route.startswith(PUBLIC_PREFIXES) or route in seen:
            continue
        seen.add(route)
        yield route, pattern


def build(route: str, team) -> str:
    def fill(match):
        name = match.group("name")
        if name == "slug":
            return team.review.slug
        if name not in SAMPLES:
            raise AssertionError(
                f"URL {route!r} has parameter {name!r}: add a sample to tests/core/url_samples.py"
            )
        return str(SAMPLES[name](team))

    return "/" + PARAM.sub(fill, route)


def personas(team):
    return {
        "lead": team.lead,
        "reviewer": team.reviewer1,
        "adjudicator": team.adjudicator,
    }


ROLE_OF = {"lead": "lead", "reviewer": "reviewer", "adjudicator": "adjudicator"}


def request(client, url):
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    return response


@pytest.mark.django_db
def test_every_view_requires_login(team):
    anonymous = team.client(None)
    for route, _ in app_patterns():
        url = build(route, team)
        response = request(anonymous, url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url


@pytest.mark.django_db
def test_outsider_gets_404_on_every_review_url(team):
    outsider = team.client(team.outsider)
    for route, _ in app_patterns():
        if "<slug:slug>" not in route:
            continue
        url = build(route, team)
        assert request(outsider, url).status_code == 404, url
        assert outsider.post(url, {}).status_code == 404, url


@pytest.mark.django_db
def test_every_review_view_declares_its_roles():
    missing = [
        route
        for route, pattern in app_patterns()
        if "<slug:slug>" in route and not hasattr(pattern.callback, "review_roles")
    ]
    assert not missing, f"decorate these views with @review_roles(...): {missing}"


@pytest.mark.django_db
def test_members_reach_exactly_what_their_roles_allow(team):
    for route, pattern in app_patterns():
        if "<slug:slug>" not in route:
            continue
        allowed = pattern.callback.review_roles
        for persona, user in personas(team).items():
            client = team.client(user)
            url = build(route, team)
            response = request(client, url)
            assert response.status_code < 500, (url, persona)
            if allowed and ROLE_OF[persona] not in allowed:
                assert response.status_code in (403, 404), (url, persona, response.status_code)
            else:
                assert response.status_code != 403, (url, persona)
