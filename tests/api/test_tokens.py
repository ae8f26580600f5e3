"""Personal tokens: shown once, stored hashed, named, revocable, with a last-used date."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from api.models import ApiToken
from api.tokens import digest

from .conftest import ApiClient


def test_the_command_prints_the_token_on_its_last_line_and_stores_only_its_hash(team):
    out = StringIO()
    call_command(
        "create_api_token", "--email", team.reviewer1.email, "--name", "notebook", stdout=out
    )
    secret = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(user=team.reviewer1)
    assert token.name == "notebook"
    assert token.digest == digest(secret) and secret not in (token.digest, token.prefix)
    assert ApiClient(secret=secret).get("/reviews").status_code == 200


def test_the_profile_page_creates_a_token_shown_once(team):
    client = team.client(team.reviewer1)
    page = client.post(reverse("api_tokens"), {"name": "R script"})
    token = ApiToken.objects.get(user=team.reviewer1)
    assert token.prefix.encode() in page.content
    assert b"sift_" in page.content
    again = client.get(reverse("api_tokens"))
    assert b"R script" in again.content
    assert page.context["secret"] not in again.content.decode()


def test_a_revoked_token_is_refused(team):
    api = ApiClient(team.reviewer1)
    token = ApiToken.objects.get(user=team.reviewer1)
    assert api.get("/reviews").status_code == 200
    team.client(team.reviewer1).post(reverse("api_token_revoke", args=[token.pk]))
    assert api.get("/reviews").status_code == 401


def test_nobody_revokes_another_persons_token(team):
    ApiClient(team.reviewer1)
    token = ApiToken.objects.get(user=team.reviewer1)
    response = team.client(team.reviewer2).post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_use_sets_the_last_used_date(team):
    api = ApiClient(team.reviewer1)
    token = ApiToken.objects.get(user=team.reviewer1)
    assert token.last_used_at is None
    api.get("/reviews")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_calls_without_a_valid_token_get_401(team):
    assert ApiClient().get("/reviews").status_code == 401
    assert ApiClient(secret="sift_not-a-token").get("/reviews").status_code == 401


def test_each_token_is_rate_limited(team, settings):
    settings.API_RATE_LIMIT = 3
    api = ApiClient(team.reviewer1)
    codes = [api.get("/reviews").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert ApiClient(team.reviewer2).get("/reviews").status_code == 200  # per token
