"""A real browser for the end-to-end journey: Debian's Chromium driven by Playwright.

Never `playwright install`: the test skips when /usr/bin/chromium is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# Screenshots of each step, kept after the run (test-artifacts/ is gitignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journey"


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS


@pytest.fixture
def browser_settings(settings, live_server):
    """Plain-HTTP cookies, invitation links to the live server."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SITE_URL = live_server.url
    return settings
