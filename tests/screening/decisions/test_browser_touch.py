"""Screening on a phone: a 390 px touch screen, five records decided with the thumb.

The decisions sit in a bar at the bottom; a swipe right includes and a swipe left excludes
(asking for the reason); each decision shows a toast with Undo; the review's navigation folds
into one menu and the abstract reads without sideways scrolling.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client

from reviewapp.models import ExclusionReason
from screening.decisions import queues
from screening.models import Decision
from tests.factories import RecordFactory, SearchFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "touch"
ABSTRACT = (
    "Background: clinicians rarely take part in medical education research. Methods: we "
    "interviewed forty-two nurses, physicians and allied health professionals in three "
    "teaching hospitals about what helped or hindered their engagement, and coded the "
    "transcripts thematically at the individual, interpersonal and organisational levels. "
    "Results: protected time, mentoring and a research culture in the department helped; "
    "workload, missing skills and unclear career benefits hindered. Conclusions: "
) * 2


@pytest.fixture
def phone(chromium, live_server, team, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    client = Client()
    client.force_login(team.reviewer1)
    context = chromium.new_context(
        viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.cdp = context.new_cdp_session(page)
    yield page
    context.close()


def swipe(page, dx: float, dy: float = 0.0) -> None:
    """A finger on the record's title, moved dx (and dy) pixels in ten steps, then lifted."""
    box = page.locator("#screen-record #record-title").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    send = page.cdp.send
    send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        point = {"x": x + dx * step / 10, "y": y + dy * step / 10}
        send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        page.wait_for_timeout(16)
    send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    # Chromium takes a tap right after a gesture for the gesture's end: a thumb is slower.
    page.wait_for_timeout(400)


def settle(page) -> None:
    """Wait until the page stops scrolling."""
    last = None
    for _ in range(50):
        now = page.evaluate("window.scrollY")
        if now == last:
            return
        last = now
        page.wait_for_timeout(100)


def shown(page) -> int:
    return int(page.locator("#screen-record").get_attribute("data-record") or 0)


def wait_moved_on(page, record_id: int) -> None:
    page.wait_for_function(
        "(id) => { const el = document.getElementById('screen-record');"
        " return el && el.dataset.record !== String(id) && !el.hasAttribute('aria-busy'); }",
        arg=record_id,
        timeout=10000,
    )


def saved(page, n: int) -> list[Decision]:
    """My decisions once n of them are in (the live server writes from its own thread; a
    shared-cache SQLite table may be locked for a moment)."""
    mine = Decision.objects.filter(reviewer_id=page.reviewer_id).order_by("pk")
    deadline = time.monotonic() + 15
    while True:
        try:
            if mine.count() == n:
                return list(mine.select_related("reason"))
        except OperationalError:
            pass
        assert time.monotonic() < deadline, "the decisions were not saved in time"
        page.wait_for_timeout(100)


def test_five_records_screened_with_the_thumb_on_a_phone(team, live_server, phone):
    ExclusionReason.objects.create(review=team.review, stage="ta", label="Students only")
    ExclusionReason.objects.create(review=team.review, stage="ta", label="Not research")
    search = SearchFactory(review=team.review, source="ERIC")
    for i in range(7):
        RecordFactory(
            search=search,
            title=f"Engaging clinicians in medical education research: study {i}",
            abstract=ABSTRACT,
        )
    order = [r.pk for r in queues.queue_for(team.review, team.reviewer1)]
    page = phone
    page.reviewer_id = team.reviewer1.pk
    page.goto(f"{live_server.url}/r/{team.review.slug}/screen/")

    # The page fits the phone: no sideways scrolling, a readable abstract, the nav in a menu.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    abstract = page.locator("#screen-record .abstract")
    assert abstract.bounding_box()["width"] <= PHONE["width"]
    assert float(abstract.evaluate("el => getComputedStyle(el).fontSize")[:-2]) >= 16
    assert not page.locator(".stage-tabs").is_visible()
    page.locator(".nav-menu summary").tap()
    assert page.get_by_role("link", name="Progress").is_visible()
    page.locator(".nav-menu summary").tap()
    # The decision bar is at the bottom of the screen, within reach.
    bar = page.locator("#screen-record .decision-bar")
    box = bar.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(PHONE["height"], abs=2)
    for name in ("Include", "Exclude", "Maybe", "Undo my last decision"):
        assert bar.get_by_role("button", name=name).is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "phone-screen.png")

    # 1. Swipe right: included, and the toast says so.
    swipe(page, 250)
    wait_moved_on(page, order[0])
    assert page.locator("#screen-toast").inner_text().startswith("Included.")
    # 2. Swipe left: the reason is asked, then the record is excluded with it.
    swipe(page, -250)
    picker = page.locator("#reason-picker")
    picker.wait_for(state="visible")
    page.screenshot(path=ARTIFACTS / "phone-reasons.png")
    picker.get_by_role("button", name="Not research").tap()
    wait_moved_on(page, order[1])
    assert "Excluded: Not research." in page.locator("#screen-toast").inner_text()
    # A vertical swipe scrolls; it decides nothing.
    swipe(page, 0, -200)
    settle(page)  # a tap during the fling only stops it
    assert page.evaluate("window.scrollY") > 0
    assert shown(page) == order[2]
    # 3. Maybe from the bar.
    bar = page.locator("#screen-record .decision-bar")
    bar.get_by_role("button", name="Maybe").tap()
    wait_moved_on(page, order[2])
    # 4. Exclude from the bar, without a reason.
    page.locator("#screen-record .decision-bar").get_by_role("button", name="Exclude").tap()
    picker.wait_for(state="visible")
    picker.get_by_role("button", name="Exclude without a reason").tap()
    wait_moved_on(page, order[3])
    # 5. A swipe right by mistake, undone from the toast, then Maybe instead.
    swipe(page, 250)
    wait_moved_on(page, order[4])
    page.locator("#screen-toast").get_by_role("button", name="Undo").tap()
    page.wait_for_function(
        "(id) => document.getElementById('screen-record').dataset.record === String(id)",
        arg=order[4],
        timeout=10000,
    )
    page.locator("#screen-record .decision-bar").get_by_role("button", name="Maybe").tap()
    wait_moved_on(page, order[4])

    decisions = saved(page, 5)
    assert [(d.record_id, d.value, d.reason.label if d.reason else None) for d in decisions] == [
        (order[0], "include", None),
        (order[1], "exclude", "Not research"),
        (order[2], "maybe", None),
        (order[3], "exclude", None),
        (order[4], "maybe", None),
    ]
    assert page.locator(".queue-left").inner_text() == "2"
    assert not page.errors
