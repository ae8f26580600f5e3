"""Every page of the demo review, opened in Chromium by each of its people: no console error
(a Content-Security-Policy violation is one), no script error, no failed request.

The crawl starts at the dashboard, the profile and the review's overview and follows every
link of each page it opens, within the review (a couple of pages per kind of page: the tenth
conflict is built like the first). Downloads are left out: they are files, not pages.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from demo.loader import PEOPLE, load_demo
from reviewapp.models import Membership, User
from reviewapp.registry import registry, visible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "demo-pages"
# Files and actions, not pages: exports, downloads, figures, signing out.
NOT_PAGES = re.compile(
    r"\.(csv|xlsx|zip|svg|png|pdf|json|ris|bib|txt|md|qdpx)$|/export|/pdf/|/download|workbook|logout",
    re.I,
)
PER_KIND = 2  # pages opened per URL name
MAX_PAGES = 300


def same_site_paths(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" == base and parts.path:
            paths.append(parts.path)
    return paths


def url_name(path: str) -> str | None:
    try:
        return resolve(path).url_name
    except Resolver404:
        return None


def aborted_by_navigation(request) -> bool:
    """The browser fetches the favicon after the page's load event; going on to the next page
    cancels it (net::ERR_ABORTED). That is the crawler's haste, not a fault of the page: any
    other failed request, and any 4xx/5xx answer (the favicon's included), still counts."""
    name = request.url.rsplit("/", 1)[-1]
    return name.startswith("favicon") and "ERR_ABORTED" in (request.failure or "")


def crawl(page, base: str, starts: list[str], within: str) -> tuple[set[str], list[str]]:
    """Open pages breadth first; returns the URL names opened and the problems seen."""
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{page.url}: console {m.type}: {m.text}")
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"{page.url}: script error: {e}"))
    page.on(
        "requestfailed",
        lambda r: (
            None
            if aborted_by_navigation(r)
            else problems.append(f"{page.url}: request failed: {r.url} ({r.failure})")
        ),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"{page.url}: {r.status} for {r.url}") if r.status >= 400 else None
        ),
    )
    queue, seen, per_kind, opened = deque(starts), set(starts), {}, set()
    while queue and len(opened) < MAX_PAGES:
        path = queue.popleft()
        name = url_name(path)
        if name is None or per_kind.get(name, 0) >= PER_KIND:
            continue
        per_kind[name] = per_kind.get(name, 0) + 1
        try:
            page.goto(base + path)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                continue  # a file (e.g. a Markdown export), not a page
            raise
        page.wait_for_load_state("load")
        opened.add(name)
        for found in same_site_paths(page, base):
            if found in seen or NOT_PAGES.search(found):
                continue
            seen.add(found)
            if found.startswith(within) or found in starts:
                queue.append(found)
    page.wait_for_timeout(300)  # late reports of the last page
    return opened, problems


def test_every_page_of_the_demo_is_clean_for_each_of_its_people(live_server, chromium, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    review = load_demo()
    within = f"/r/{review.slug}/"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = []
    for person in PEOPLE:
        user = User.objects.get(email=person.email)
        membership = Membership.objects.get(review=review, user=user)
        client = Client()
        client.force_login(user)
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        opened, problems = crawl(page, live_server.url, ["/", "/accounts/profile/", within], within)
        page.goto(live_server.url + within)
        page.screenshot(path=ARTIFACTS / f"{user.email.split('@')[0]}-overview.png")
        context.close()
        # Every page the navigation offers this person was among those opened.
        offered = {i.url_name for i in registry.review_nav if visible(i.roles, membership)}
        missing = offered - opened
        assert not missing, f"{user.email}: the crawl never reached {sorted(missing)}"
        report.extend(f"{user.email}: {p}" for p in problems)
        assert len(opened) > len(offered)
    assert not report, "\n".join(report[:40])
