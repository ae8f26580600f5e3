"""In a real browser, a decision shows the next record without waiting for the server.

The requests saving decisions are held back here (Playwright's routing): the next record is
on screen all the same, and once the server answers every decision is saved, in order.
"""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError
from django.test import Client

from screening.decisions import queues
from screening.decisions import service as decisions
from screening.models import Decision, Outcome, RecordStatus
from tests.factories import RecordFactory, SearchFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVES = "**/screen/decisions/"


@pytest.fixture
def plain_http(settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False


def open_screen(browser, live_server, team, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/r/{team.review.slug}/screen/")
    return page, errors


def shown(page) -> int:
    return int(page.locator("#screen-record").get_attribute("data-record") or 0)


def wait_shown_other_than(page, record_id: int, timeout: float = 2000) -> None:
    page.wait_for_function(
        "(id) => { const el = document.getElementById('screen-record');"
        " return el && el.dataset.record && el.dataset.record !== String(id)"
        " && document.getElementById('record-title'); }",
        arg=record_id,
        timeout=timeout,
    )


def wait_for(page, condition, seconds: float = 15.0) -> None:
    """Let the browser run (and Playwright deliver its events) until the database agrees."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if condition():
                return
        except OperationalError:
            pass  # the live server's thread holds a shared-cache SQLite table for a moment
        if time.monotonic() > deadline:
            raise AssertionError("the browser did not save in time")
        page.wait_for_timeout(100)


def make_records(team, n: int) -> list[int]:
    search = SearchFactory(review=team.review, source="ERIC")
    for i in range(n):
        RecordFactory(search=search, title=f"Clinicians in education research, study {i}")
    return [r.pk for r in queues.queue_for(team.review, team.reviewer1)]


def test_the_next_record_is_on_screen_before_the_server_has_saved_the_decision(
    team, live_server, chromium, plain_http
):
    order = make_records(team, 8)
    page, errors = open_screen(chromium, live_server, team, team.reviewer1)
    held: list = []
    release = []

    def hold(route):
        if release:
            route.continue_()
        else:
            held.append(route)

    page.route(SAVES, hold)

    seen = []
    for key in ("i", "e", "m"):
        seen.append(shown(page))
        page.keyboard.press(key)
        wait_shown_other_than(page, seen[-1], timeout=1000)
    assert seen == order[:3]
    assert shown(page) == order[3]
    assert held and not Decision.objects.exists()  # nothing has reached the server yet
    assert page.locator(".queue-left").inner_text() == "5"
    assert page.locator('[data-waiting-page="screen"] .badge').first.inner_text() == "5"

    release.append(True)
    for route in held:
        route.continue_()
    wait_for(page, lambda: Decision.objects.filter(reviewer=team.reviewer1).count() == 3)

    saved = Decision.objects.filter(reviewer=team.reviewer1).order_by("pk")
    assert [(d.record_id, d.value) for d in saved] == list(
        zip(order[:3], ["include", "exclude", "maybe"], strict=True)
    )
    assert queues.queue_size(team.review, team.reviewer1) == 5
    assert not errors


def test_a_decision_the_server_refuses_comes_back_with_its_reason(
    team, live_server, chromium, plain_http
):
    order = make_records(team, 5)
    page, _ = open_screen(chromium, live_server, team, team.reviewer1)
    # While the page holds the second record, the lead settles it.
    second = team.review.records.get(pk=order[1])
    decisions.set_final(second, "ta", "exclude", resolution="lead", by=team.lead)

    page.keyboard.press("i")
    wait_shown_other_than(page, order[0])
    page.keyboard.press("i")  # on the settled record, which the page still showed

    page.wait_for_selector("#screen-record .message.error", timeout=10000)
    assert shown(page) == order[1]
    message = page.locator("#screen-record .message.error").inner_text()
    assert "was not saved" in message and "already resolved" in message
    wait_for(page, lambda: Decision.objects.filter(reviewer=team.reviewer1).count() == 1)
    assert Decision.objects.get(reviewer=team.reviewer1).record_id == order[0]
    assert RecordStatus.objects.get(record=second, stage="ta").outcome == Outcome.EXCLUDED


def test_undo_after_quick_decisions_takes_back_the_last_one(
    team, live_server, chromium, plain_http
):
    order = make_records(team, 6)
    page, errors = open_screen(chromium, live_server, team, team.reviewer1)
    page.keyboard.press("i")
    wait_shown_other_than(page, order[0])
    page.keyboard.press("m")
    wait_shown_other_than(page, order[1])
    page.keyboard.press("u")  # waits for both saves, then undoes the Maybe

    page.wait_for_function(
        "(id) => document.getElementById('screen-record').dataset.record === String(id)",
        arg=order[1],
        timeout=10000,
    )
    assert "decide this record again" in page.content()
    assert list(
        Decision.objects.filter(reviewer=team.reviewer1).values_list("record_id", "value")
    ) == [(order[0], "include")]
    assert page.locator(".queue-left").inner_text() == "5"
    assert not errors


def test_a_held_down_key_decides_only_the_record_it_was_pressed_on(
    team, live_server, chromium, plain_http
):
    order = make_records(team, 5)
    page, errors = open_screen(chromium, live_server, team, team.reviewer1)
    for _ in range(4):  # the first keydown, then the keyboard's repeats
        page.keyboard.down("e")
    page.keyboard.up("e")
    wait_shown_other_than(page, order[0])
    wait_for(page, lambda: Decision.objects.filter(reviewer=team.reviewer1).exists())
    page.wait_for_timeout(500)
    assert list(Decision.objects.filter(reviewer=team.reviewer1).values_list("record_id")) == [
        (order[0],)
    ]
    assert shown(page) == order[1]
    assert not errors
