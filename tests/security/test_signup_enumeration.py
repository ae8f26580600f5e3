"""Issue #26: sign-up told whether an address was registered. With email verification on it
says the same thing either way, and the owner of a registered address is told by email."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from reviewapp.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth's rate limits (one confirmation mail per address per 3 minutes) live in the
    cache: leave none behind for a later test signing the same address up."""
    cache.clear()
    yield
    cache.clear()


def _sign_up(email: str):
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {
            "email": email,
            "full_name": "Somebody",
            "password1": "a-Long-passphrase-42",
            "password2": "a-Long-passphrase-42",
        },
        follow=True,
    )
    return response


def _page(response, email: str) -> str:
    """The page without what differs between any two requests (CSRF token, the address)."""
    text = response.content.decode().replace(email, "ADDRESS")
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", text)


def test_signing_up_with_a_registered_or_a_new_address_looks_the_same(team):
    taken = _sign_up(team.reviewer1.email)
    fresh = _sign_up("nobody-yet@example.org")
    assert taken.status_code == fresh.status_code == 200
    assert taken.redirect_chain == fresh.redirect_chain
    assert _page(taken, team.reviewer1.email) == _page(fresh, "nobody-yet@example.org")
    assert "already" not in taken.content.decode().lower()
    # Only the new address got an account; the registered one's owner is told by email.
    assert User.objects.filter(email__iexact=team.reviewer1.email).count() == 1
    assert {m.to[0] for m in mail.outbox} == {team.reviewer1.email, "nobody-yet@example.org"}


def test_a_new_account_cannot_sign_in_before_confirming_its_address(db):
    _sign_up("unconfirmed@example.org")
    client = Client()
    client.post(
        "/accounts/login/", {"login": "unconfirmed@example.org", "password": "a-Long-passphrase-42"}
    )
    assert "_auth_user_id" not in client.session
