"""Every page, as a person who chose Traditional Chinese sees it with the demo review loaded,
shows no English interface words: a template string left unmarked, or marked and left
untranslated, fails here with the page and the words.

The walk is the permission walk's (tests/core/test_permission_walk.py): every URL of the
URLconf, its parameters filled by tests/core/url_samples.py, for the lead, a reviewer and the
adjudicator. What counts as English interface text is in tests/i18n/untranslated.py.
"""

from __future__ import annotations

import pytest

from demo import loader, nudging
from reviewapp.models import User
from tests.conftest import Team
from tests.core.test_permission_walk import app_patterns, build
from tests.factories import UserFactory

from .untranslated import UserContent, english_runs

# Pages that are not HTML for people, or that the walk cannot GET meaningfully, are skipped by
# their content type (downloads: CSV, XLSX, PDF, PNG, SVG, JSON), not by a list here.
PAGES_BEFORE_SIGN_IN = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]


@pytest.fixture
def chinese_team(demo_reviews, db) -> Team:
    people = {u.email: u for u in User.objects.filter(email__endswith="@demo.example")}
    User.objects.filter(pk__in=[u.pk for u in people.values()]).update(language="zh-hant")
    team = Team(
        demo_reviews[loader.DEMO_SLUG],
        people["lead@demo.example"],
        people["reviewer1@demo.example"],
        people["reviewer2@demo.example"],
        people["adjudicator@demo.example"],
        UserFactory(email="outsider@example.org", language="zh-hant"),
    )
    for user in (team.lead, team.reviewer1, team.reviewer2, team.adjudicator):
        user.refresh_from_db()
    return team


def _pages(client, urls):
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-TW")
        kind = response.get("Content-Type", "")
        if response.status_code == 200 and kind.startswith("text/html"):
            yield url, response.content.decode()


def _report(found: dict) -> str:
    return (
        "English interface words on zh-Hant pages (mark them, or mark user content "
        'translate="no"):\n' + "\n".join(f"  {url}: {runs}" for url, runs in found.items())
    )


@pytest.mark.parametrize("slug", [loader.DEMO_SLUG, nudging.SLUG])
def test_every_signed_in_page_is_all_chinese(chinese_team, demo_reviews, slug):
    """The reference review (every stage done) and the one still being screened."""
    team = chinese_team
    team.review = demo_reviews[slug]
    urls = [build(route, team) for route, _ in app_patterns()]
    content = UserContent()
    found: dict[str, list[str]] = {}
    seen = 0
    for persona in (team.lead, team.reviewer1, team.adjudicator):
        client = team.client(persona)
        for url, html in _pages(client, urls):
            seen += 1
            assert '<html lang="zh-hant">' in html, url
            runs = english_runs(html, content, context=True)
            if runs:
                found.setdefault(url, sorted(set(runs)))
    assert seen > 100, "the walk reached too few pages"
    assert not found, _report(found)


def test_the_pages_before_sign_in_are_all_chinese(client, db):
    content = UserContent()
    found = {}
    for url, html in _pages(client, PAGES_BEFORE_SIGN_IN):
        runs = english_runs(html, content)
        if runs:
            found[url] = runs
    assert not found, _report(found)


def test_the_check_catches_a_forgotten_button_and_spares_user_content(chinese_team):
    content = UserContent()
    page = (
        '<html lang="zh-hant"><body><h1>篩選</h1><button>Save</button>'
        '<p>Demo Reviewer 1 的決定</p><span translate="no">Any text the user typed</span>'
        f"<td>{team_title(chinese_team)}</td><p>PRISMA 2020 · CSV · DOI 10.1000/xyz</p>"
        '<input type="submit" value="Export"><a title="Next page">下一頁</a></body></html>'
    )
    assert english_runs(page, content) == ["Save", "Export", "Next page"]


def team_title(team: Team) -> str:
    return team.review.records.order_by("pk").values_list("title", flat=True).first()


def test_stylesheets_write_no_words():
    """Text a stylesheet adds (content: "Include: ") escapes translation: it comes from the
    page instead (content: attr(data-label))."""
    import re
    from pathlib import Path

    css = Path(__file__).resolve().parents[2] / "static" / "css"
    words = {
        f"{path.name}: {m.group(0)}"
        for path in css.glob("*.css")
        for m in re.finditer(r'content:\s*"[^"]*[A-Za-z]{2,}[^"]*"', path.read_text())
    }
    assert not words
