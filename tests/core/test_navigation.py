"""The review's navigation follows the workflow: stages in order, each with its pages and the
work waiting there for this member, and only what the member's roles open."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reviewapp.navigation import APPRAISE
from reviewapp.registry import registry, visible
from reviewapp.waiting import waiting_for
from screening.decisions import queues
from screening.dedup import service as dedup
from screening.models import Report
from tests.screening.conflicts.helpers import conflicted, included_at_ta
from tests.screening.decisions.factories import decide, records
from tests.screening.dedup.service.factories import uncertain_pair

pytestmark = pytest.mark.django_db

STAGE_TAB = re.compile(r'<ul class="stage-tabs">(.*?)</ul>', re.S)
TAB = re.compile(
    r'<li><a href="([^"]+)"[^>]*>([^<]+)(?:<span class="waiting"[^>]*> <span[^>]*>(\d+)<)?'
)
MENU = re.compile(r'<details class="nav-menu">(.*?)</details>', re.S)


def page(team, user, name="review_overview", *args) -> str:
    response = team.client(user).get(reverse(name, args=[team.review.slug, *args]))
    assert response.status_code == 200
    return response.content.decode()


def stages(html: str) -> list[tuple[str, int]]:
    """(label, waiting) of each stage tab, in order."""
    tabs = STAGE_TAB.search(html).group(1)
    return [(label.replace("&amp;", "&"), int(n or 0)) for _, label, n in TAB.findall(tabs)]


def labels(html: str) -> list[str]:
    return [label for label, _ in stages(html)]


def test_a_lead_sees_the_stages_in_the_order_the_work_runs(team):
    assert labels(page(team, team.lead)) == [
        "Overview",
        "Identify",
        "Screen",
        "Resolve",
        "Full text",
        "Appraise",
        "Extract & code",
        "Report",
        "Team & settings",
    ]


def test_each_member_sees_only_what_their_roles_open(team):
    assert labels(page(team, team.adjudicator)) == ["Overview", "Resolve"]
    reviewer = page(team, team.reviewer1)
    assert "Team & settings" not in labels(reviewer)
    menu = MENU.search(reviewer).group(1)
    for hidden in ("Duplicates", "Ranking", "Criteria", "Audit trail"):
        assert f">{hidden}<" not in menu
    for shown in ("Searches", "Records", "Screen", "Progress", "Conflicts", "PRISMA"):
        assert f">{shown}<" in menu or f">{shown}<span" in menu


def test_each_page_of_the_menu_links_where_reverse_does(team):
    """The pages' URLs are the review's path and each page's path below it (reversed once per
    process): the same as reverse() gives for this review."""
    menu = MENU.search(page(team, team.lead)).group(1)
    linked = set(re.findall(r'<a href="([^"]+)"', menu))
    membership = team.review.memberships.get(user=team.lead)
    expected = {
        reverse(item.url_name, args=[team.review.slug])
        for item in registry.review_nav
        if visible(item.roles, membership)
    }
    assert linked == expected and len(linked) > 10


def test_the_active_stage_lists_its_pages_and_marks_the_one_open(team):
    html = page(team, team.lead, "screen_progress")
    row = re.search(r'<ul class="stage-pages"[^>]*>(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r">([A-Za-z ]+)</a>", row) == ["Progress", "Ranking"]
    assert re.search(r'aria-current="page">Progress<', row)
    assert re.search(r'class="active">Screen<', STAGE_TAB.search(html).group(1))


def test_pages_under_a_stage_keep_it_active(team):
    # The exclusion reasons belong with the criteria; an import's page with its searches.
    html = page(team, team.lead, "review_reasons")
    assert re.search(r'class="active">Team &amp; settings<', html)
    assert re.search(r'aria-current="page">Criteria<', html)


def test_each_stage_counts_the_work_waiting_for_this_member(team):
    records(team, 4)  # in both reviewers' queues
    conflicted(team)  # both reviewers must discuss it
    rec = included_at_ta(team)  # its report is sought: nobody can assess it yet
    uncertain_pair(team.review)
    dedup.run_dedup(team.review)

    reviewer = dict(stages(page(team, team.reviewer1)))
    # The 4 records and the uncertain pair (both screened until someone merges them).
    assert reviewer["Screen"] == queues.queue_size(team.review, team.reviewer1) == 6
    assert reviewer["Resolve"] == 1
    assert reviewer["Full text"] == 0  # not retrieved yet: nothing to assess
    lead = dict(stages(page(team, team.lead)))
    assert lead["Identify"] == dedup.open_pair_count(team.review) > 0
    assert lead["Resolve"] == 0  # the reviewers have not escalated it

    report = Report.objects.get(record=rec)
    report.retrieval = Report.Retrieval.RETRIEVED
    report.save()
    # Retrieved: it waits for its two assessors' decisions, not for the lead's.
    assert dict(stages(page(team, team.reviewer1)))["Full text"] == 1
    assert dict(stages(page(team, team.reviewer2)))["Full text"] == 1
    assert dict(stages(page(team, team.lead)))["Full text"] == 0


def test_the_badges_the_screening_page_and_the_waiting_figures_are_the_same_counts(team):
    records(team, 5)
    first = team.client(team.reviewer1).get(reverse("screen", args=[team.review.slug]))
    decide(first.context["record"], team.reviewer1, "include")
    conflicted(team)
    membership = team.review.memberships.get(user=team.reviewer1)

    figures = {item.key: item.count for item in waiting_for(membership)}
    screen = team.client(team.reviewer1).get(reverse("screen", args=[team.review.slug]))
    overview = page(team, team.reviewer1)
    home = team.client(team.reviewer1).get(reverse("dashboard")).content.decode()

    assert figures["to_screen"] == screen.context["remaining"] == 4
    assert dict(stages(screen.content.decode()))["Screen"] == 4
    assert dict(stages(overview))["Screen"] == 4
    assert "Screen (4 waiting for you)" in overview
    assert "4 records to screen" in home
    assert figures["conflicts_to_discuss"] == dict(stages(overview))["Resolve"] == 1


def test_a_stage_shows_only_once_a_page_registers_in_it(team, monkeypatch):
    appraisal = next(i for i in registry.review_nav if i.group == APPRAISE)
    others = [i for i in registry.review_nav if i.group != APPRAISE]
    monkeypatch.setattr(registry, "review_nav", others)
    assert "Appraise" not in labels(page(team, team.lead))
    monkeypatch.setattr(registry, "review_nav", [*others, appraisal])
    found = labels(page(team, team.lead))
    assert found.index("Appraise") == found.index("Full text") + 1
    assert "Appraise" not in labels(page(team, team.adjudicator))


def test_on_narrow_screens_the_stages_fold_into_one_menu_with_the_total(team):
    records(team, 3)
    conflicted(team)
    html = page(team, team.reviewer1)
    summary = re.search(r"<summary>(.*?)</summary>", MENU.search(html).group(1), re.S).group(1)
    assert "Menu" in summary
    assert re.search(r"data-waiting-total>4<", summary)  # 3 to screen, 1 conflict
