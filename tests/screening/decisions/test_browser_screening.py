"""Two reviewers screen the same records with the keyboard only, in a real browser.

Each page they see is checked for any trace of the other's decisions, and the kappa the lead
then sees matches the hand computation.
"""

from __future__ import annotations

import pytest
from django.test import Client

from reviewapp.models import ExclusionReason
from tests.factories import RecordFactory, SearchFactory

pytestmark = pytest.mark.browser

# (Rita, Remy) per record. Both include 3, both exclude 3, Rita include / Remy exclude 2.
# po = 6/8 = 0.75; Rita 5 I / 3 E, Remy 3 I / 5 E: pe = (5*3 + 3*5)/64 = 0.46875;
# kappa = (0.75 - 0.46875) / (1 - 0.46875) = 0.5294...
PLAN = [("include", "include")] * 3 + [("exclude", "exclude")] * 3 + [("include", "exclude")] * 2
KAPPA = (0.75 - 0.46875) / (1 - 0.46875)
KEYS = {"include": "i", "exclude": "e", "maybe": "m"}


def login(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def current(page) -> str:
    return page.locator("#screen-record").get_attribute("data-record") or ""


def press_and_wait(page, key: str) -> None:
    before = page.locator("#screen-record").evaluate("el => el.dataset.swapId || ''")
    page.locator("#screen-record").evaluate("el => { el.dataset.swapId = 'old'; }")
    page.keyboard.press(key)
    page.wait_for_function(
        "() => { const el = document.getElementById('screen-record');"
        " return el && el.dataset.swapId !== 'old' && el.getAttribute('aria-busy') !== 'true'; }"
    )
    assert before != "old"


def screen_all(page, live_server, slug, plan_by_record, who: int, other_name: str, other_notes):
    page.goto(f"{live_server.url}/r/{slug}/screen/")
    seen = []
    for _ in range(len(plan_by_record) + 2):
        html = page.content()
        assert other_name not in html
        for note in other_notes:
            assert note not in html
        record = current(page)
        if not record:
            break
        value = plan_by_record[int(record)][who]
        if value == "exclude":
            page.keyboard.press("1")  # the first exclusion reason
            assert page.locator("select[name=reason]").input_value() != ""
        press_and_wait(page, KEYS[value])
        seen.append(int(record))
    assert "Your queue is empty" in page.content()
    return seen


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_screen_blind_with_the_keyboard_and_the_lead_sees_the_right_kappa(
    team, live_server, chromium, settings
):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    ExclusionReason.objects.create(
        review=team.review, stage="ta", label="Students only", position=1
    )
    search = SearchFactory(review=team.review, source="ERIC")
    plan = {}
    for i, pair in enumerate(PLAN):
        plan[RecordFactory(search=search, title=f"Study number {i} of clinicians").pk] = pair
    slug = team.review.slug

    rita = login(chromium, live_server, team.reviewer1)
    # Keyboard navigation first: J skips ahead, K comes back, U undoes.
    rita.goto(f"{live_server.url}/r/{slug}/screen/")
    assert "Undo my last decision" in rita.content() and "<kbd>J</kbd>" in rita.content()
    first = current(rita)
    press_and_wait(rita, "j")
    assert current(rita) != first
    press_and_wait(rita, "k")
    assert current(rita) == first
    press_and_wait(rita, "m")  # a Maybe by mistake ...
    press_and_wait(rita, "u")  # ... undone: the record is back
    assert current(rita) == first
    assert "decide this record again" in rita.content()

    screen_all(rita, live_server, slug, plan, 0, "Remy", [])
    remy = login(chromium, live_server, team.reviewer2)
    screen_all(remy, live_server, slug, plan, 1, "Rita", [])

    lead = login(chromium, live_server, team.lead)
    lead.goto(f"{live_server.url}/r/{slug}/screen/progress/")
    kappa = float(lead.locator(".pair-kappa").first.inner_text())
    assert kappa == pytest.approx(KAPPA, abs=5e-4)
    assert "75%" in lead.locator(".pair-percent").first.inner_text()
