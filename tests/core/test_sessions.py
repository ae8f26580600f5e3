"""Sessions are Django's database sessions, read by a statement compiled once per process: a
person stays signed in while their session lasts, is signed out once it has expired, and a
key nobody was given is no session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from reviewapp.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_signed_in_reviewer_stays_signed_in_until_the_session_expires(team):
    client = team.client(team.reviewer1)
    url = reverse("screen", args=[team.review.slug])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # read again, from the compiled statement

    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_each_key_reads_its_own_session_and_an_unknown_key_reads_none(team):
    mine, theirs = SessionStore(), SessionStore()
    mine["who"], theirs["who"] = "rita", "remy"
    mine.save()
    theirs.save()
    assert SessionStore(mine.session_key).load() == {"who": "rita"}
    assert SessionStore(theirs.session_key).load() == {"who": "remy"}
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None
    assert SessionStore(None).load() == {}
