"""The interface language: the person's choice, else the browser's; zh-TW and zh-HK read zh-Hant."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.parametrize("header", ["zh-Hant", "zh-TW", "zh-HK,zh;q=0.9", "zh-tw;q=1.0,en;q=0.5"])
def test_the_browser_language_selects_traditional_chinese(team, header):
    page = team.client(team.reviewer1).get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE=header)
    assert '<html lang="zh-hant">' in page.content.decode()


def test_english_stays_the_default(team):
    page = team.client(team.reviewer1).get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="fr-FR")
    assert '<html lang="en">' in page.content.decode()


def test_the_profile_choice_wins_over_the_browser(team):
    client = team.client(team.reviewer1)
    client.post(reverse("profile"), {"full_name": "Rita Reviewer", "language": "zh-hant"})
    team.reviewer1.refresh_from_db()
    assert team.reviewer1.language == "zh-hant"
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en-GB")
    assert '<html lang="zh-hant">' in page.content.decode()


def test_the_header_switcher_remembers_the_choice(team):
    client = team.client(team.reviewer2)
    response = client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "zh-hant"
    team.reviewer2.refresh_from_db()
    assert team.reviewer2.language == "zh-hant"
    back = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert back["Location"] == "/"


def test_anonymous_visitors_switch_by_cookie(client):
    response = client.post(
        reverse("set_language"), {"language": "zh-hant", "next": "/accounts/login/"}
    )
    assert response.cookies["django_language"].value == "zh-hant"
    page = client.get("/accounts/login/")
    assert '<html lang="zh-hant">' in page.content.decode()
