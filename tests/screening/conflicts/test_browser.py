"""In a real browser: one conflict from disagreement, through discussion and escalation, to
the adjudicator's final decision."""

from __future__ import annotations

import pytest
from django.test import Client

from screening.models import Conflict, Outcome, RecordStatus

from .helpers import conflicted, reason


def signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_conflict_walks_from_disagreement_to_adjudication(team, chromium, live_server, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    rec, conflict = conflicted(team, title="Peer mentoring for nurse researchers")
    exclusion = reason(team)
    slug = team.review.slug

    # Rita sees the badge, then Remy's position, now that the conflict is open.
    rita = signed_in(chromium, live_server, team.reviewer1)
    rita.goto(f"/r/{slug}/")
    # (the Resolve stage of the navigation: its one page is the conflicts list)
    assert rita.get_by_role("link", name="Resolve").locator(".badge").inner_text() == "1"
    rita.get_by_role("link", name="Resolve").click()
    rita.get_by_role("link", name="Peer mentoring for nurse researchers").click()
    positions = rita.locator("table.positions")
    assert "Remy Reviewer" in positions.inner_text()
    assert "Only medical students" in positions.inner_text()

    # She comments (htmx swaps the thread in place), then escalates.
    rita.get_by_label("Comment").fill("The sample mixes nurses and nursing students.")
    rita.get_by_role("button", name="Post comment").click()
    rita.locator("#thread .comment").filter(has_text="mixes nurses").wait_for()
    rita.get_by_label("Summary for the adjudicator").fill("Include: nurses. Exclude: students.")
    rita.get_by_role("button", name="Escalate to the adjudicator").click()
    assert rita.locator("#conflict-state").inner_text() == "Escalated"

    # Ada finds it in her queue with both positions and the discussion, and decides.
    ada = signed_in(chromium, live_server, team.adjudicator)
    ada.goto(f"/r/{slug}/conflicts/")
    queue = ada.get_by_role("region", name="Escalated to you")
    queue.get_by_role("link", name="Peer mentoring for nurse researchers").click()
    page_text = ada.locator("main").inner_text()
    for seen in ("Rita Reviewer", "Remy Reviewer", "mixes nurses", "Include: nurses."):
        assert seen in page_text
    form = ada.locator("form[action$='/adjudicate/']")
    form.get_by_label("Exclude").check()
    form.get_by_label("Exclusion reason").select_option(label=exclusion.label)
    form.get_by_label("Reason for the decision").fill("Over half the sample are students.")
    form.get_by_role("button", name="Record the final decision").click()
    ada.get_by_role("heading", name="Resolved: adjudicated").wait_for()

    conflict.refresh_from_db()
    status = RecordStatus.objects.get(record=rec, stage="ta")
    assert (conflict.state, conflict.resolution) == (Conflict.State.RESOLVED, "adjudicated")
    assert (status.outcome, status.final_reason) == (Outcome.EXCLUDED, exclusion)
    # Rita sees the final decision and no more forms.
    rita.reload()
    assert "Resolved: adjudicated" in rita.locator("main").inner_text()
    assert rita.get_by_role("button", name="Propose").count() == 0
