"""A real browser for the end-to-end journey: Debian's Chromium driven by Playwright.

Never `playwright install`: the test skips when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Screenshots of each step, kept after the run (test-artifacts/ is gitignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journey"


@pytest.fixture
def chromium(monkeypatch):
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is absent: apt-get install chromium (never `playwright install`)")
    # Playwright's sync API keeps an event loop running in this thread; the test's own ORM
    # assertions are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS


@pytest.fixture
def browser_settings(settings, live_server, tmp_path):
    """Plain-HTTP cookies, uploads in a temporary folder, invitation links to the live server."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    return settings
