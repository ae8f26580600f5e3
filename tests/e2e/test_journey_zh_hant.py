"""A reviewer's screening journey in Traditional Chinese, in Chromium: a browser asking for
zh-TW signs in, screens its queue of the demo's review in progress by keyboard (Maybe and undo,
Include, Exclude with a reason), looks at the team's progress and switches to English and back
with the header's switcher. Every page is in Chinese (no English interface words: the check of
tests/i18n/untranslated.py) and a screenshot of each step is kept in
test-artifacts/journey-zh-hant/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test.utils import override_settings
from playwright.sync_api import Page, expect

from demo import nudging
from demo.loader import DEMO_PASSWORD, load_demo
from screening.models import Decision
from tests.i18n.untranslated import UserContent, english_runs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journey-zh-hant"
REVIEWER = "reviewer1@demo.example"
TIMEOUT_MS = 15_000


class Steps:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.n = 0
        self.content = UserContent()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob("*.png"):
            old.unlink()

    def shot(self, name: str) -> None:
        """A screenshot, after checking the page speaks Chinese only."""
        self.n += 1
        self.page.screenshot(path=ARTIFACTS / f"{self.n:02d}-{name}.png", full_page=True)
        expect(self.page.locator("html")).to_have_attribute("lang", "zh-hant")
        assert english_runs(self.page.content(), self.content, context=True) == [], name


def decide(page: Page, key: str, reason: str | None = None) -> None:
    record = page.locator("#screen-record").get_attribute("data-record")
    if reason:
        page.keyboard.press(reason)
        expect(page.locator("#reason")).not_to_have_value("")
    page.keyboard.press(key)
    expect(page.locator(f'#screen-record[data-record="{record}"]')).to_have_count(0)


def test_a_reviewer_screens_in_traditional_chinese(chromium, live_server, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        load_demo(reset=True)
    context = chromium.new_context(base_url=live_server.url, locale="zh-TW")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    steps = Steps(page)

    # Signing in: the browser's zh-TW is enough, no profile setting needed.
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(REVIEWER)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    steps.shot("sign-in")
    page.locator("form button[type=submit]").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    steps.shot("my-reviews")

    # The queue: the record and the decision bar, in Chinese.
    page.goto(f"/r/{nudging.SLUG}/screen/")
    panel = page.locator("#screen-record")
    expect(panel).to_be_visible()
    expect(page.get_by_role("button", name="納入")).to_be_visible()
    expect(page.get_by_role("button", name="排除")).to_be_visible()
    steps.shot("queue")
    first = panel.get_attribute("data-record")

    # Maybe, then undo: the record comes back with the notice in Chinese.
    page.keyboard.press("m")
    expect(page.locator(f'#screen-record[data-record="{first}"]')).to_have_count(0)
    page.keyboard.press("u")
    expect(page.locator("#screen-record")).to_have_attribute("data-record", first)
    expect(page.locator(".message.success")).to_contain_text("已復原你的上一個決定")
    steps.shot("undone")

    decide(page, "i")
    steps.shot("included")
    decide(page, "e", reason="1")
    steps.shot("excluded-with-reason")
    mine = Decision.objects.filter(
        reviewer__email=REVIEWER, record__search__review__slug=nudging.SLUG
    )
    assert mine.filter(record_id=first, value="include").exists()

    # The team's progress, then the header's switcher: English, and back to Chinese.
    page.goto(f"/r/{nudging.SLUG}/screen/progress/")
    expect(page.locator(".progress-line")).to_contain_text("已解決")
    steps.shot("progress")
    page.locator("#language-switch").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#language-switch").select_option("zh-hant")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    steps.shot("switched-back")
    context.close()
