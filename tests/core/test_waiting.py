"""Who has what waiting: `review_status`, the overview page, the home page and the nav badges
give the same figures, counted by each stage."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from coding import services as coding
from reviewapp.registry import badge_counts
from reviewapp.waiting import review_status, waiting_for
from screening.conflicts import service as conflicts
from screening.fulltext import service as fulltext
from screening.models import DuplicateCandidate, Report
from tests.coding.factories import ecological_codebook, included_study
from tests.screening.conflicts.helpers import conflicted, included_at_ta, record

pytestmark = pytest.mark.django_db

MEMBER_KEYS = [
    "email",
    "roles",
    "to_screen",
    "conflicts_to_discuss",
    "conflicts_to_adjudicate",
    "full_texts_to_assess",
    "codings_to_recheck",
]


@pytest.fixture
def busy(team):
    """Four records to screen (two of them a duplicate pair, one the coded study's), a conflict in discussion, one
    escalated, a full text to assess, and a coding of reviewer 1's to re-check."""
    fresh = [record(team, title=f"Nudges for prescribers, part {i}") for i in range(3)]
    a, b = sorted(fresh[1:], key=lambda r: r.pk)
    DuplicateCandidate.objects.create(review=team.review, record_a=a, record_b=b, score=0.9)
    _, discussed = conflicted(team)
    conflicts.comment(discussed, team.reviewer1, "Shall we look at it together?")
    _, escalated = conflicted(team)
    conflicts.escalate(escalated, team.reviewer2, "We could not agree.")
    report = Report.objects.get(record=included_at_ta(team))
    fulltext.attach_link(report, "https://example.org/paper", team.lead)
    codes = ecological_codebook(team.review, team.lead)
    coding.publish(team.review.codebook, team.lead, "v1")
    study = included_study(team.review, "Darbyshire 2013", 13)
    document = coding.documents_of(study)[0]
    coding.create_codings(
        study,
        team.reviewer1,
        [codes["Protected time"]],
        document=document,
        excerpt="protected time",
    )
    coding.update_code(codes["Protected time"], team.lead, definition="Time in the job plan.")
    coding.publish(team.review.codebook, team.lead, "v2")
    return team


EXPECTED = {
    # email: to_screen, to discuss, to adjudicate, full texts, codings to re-check
    "lead@example.org": (0, 0, 0, 0, 0),
    "rita@example.org": (4, 1, 0, 1, 1),
    "remy@example.org": (4, 1, 0, 1, 0),
    "ada@example.org": (0, 0, 1, 0, 0),
}


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_review_status_json_has_the_issues_keys_and_each_members_figures(busy):
    data = json.loads(run("review_status", "--review", busy.review.slug, "--json"))
    assert list(data) == ["review", "duplicates_to_check", "members"]
    assert data["review"] == busy.review.slug
    assert data["duplicates_to_check"] == 1
    assert [list(m) for m in data["members"]] == [MEMBER_KEYS] * 4
    got = {m["email"]: tuple(m[k] for k in MEMBER_KEYS[2:]) for m in data["members"]}
    assert got == EXPECTED
    roles = {m["email"]: m["roles"] for m in data["members"]}
    assert roles["lead@example.org"] == ["lead"] and roles["ada@example.org"] == ["adjudicator"]


def test_review_status_in_words_lists_what_waits_for_each_member(busy):
    out = run("review_status", "--review", busy.review.slug)
    assert "1 duplicate pair to check" in out
    assert (
        "rita@example.org (reviewer): 4 records to screen, 1 conflict to discuss, "
        "1 full text to assess, 1 coding to re-check"
    ) in out
    assert "ada@example.org (adjudicator): 1 conflict to adjudicate" in out
    assert "lead@example.org (lead): nothing waiting" in out


def test_review_status_of_a_missing_review_says_so():
    with pytest.raises(CommandError, match="No review"):
        run("review_status", "--review", "nope", "--json")


def test_the_figures_follow_the_work_being_done(busy):
    rita = busy.review.memberships.get(user=busy.reviewer1)
    discussed = busy.review.conflicts.get(state="discussion")
    conflicts.escalate(discussed, busy.reviewer1, "Still no agreement.")
    figures = {m.membership.user.email: m for m in review_status(busy.review).members}
    counts = {i.key: i.count for i in figures[rita.user.email].items}
    assert counts["conflicts_to_discuss"] == 0
    ada = {i.key: i.count for i in figures["ada@example.org"].items}
    assert ada["conflicts_to_adjudicate"] == 2


def test_the_overview_shows_a_lead_everyones_figures_and_a_reviewer_their_own(busy):
    page = busy.client(busy.lead).get(f"/r/{busy.review.slug}/").content.decode()
    assert "1 duplicate pair to check" in page
    for email in EXPECTED:
        assert email in page
    table = page[page.index('id="waiting"') :]
    table = table[: table.index("</section>")]
    rita_row = table[table.index("rita@example.org") :].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in rita_row.split("</td>")[:-1]]
    assert cells == ["4", "1", "0", "1", "1"]

    mine = busy.client(busy.reviewer1).get(f"/r/{busy.review.slug}/").content.decode()
    table = mine[mine.index('id="waiting"') :]
    table = table[: table.index("</section>")]
    assert "rita@example.org" in table and "remy@example.org" not in table
    assert "duplicate pair" not in table


def test_the_home_page_says_in_a_line_what_waits_for_each_member(busy):
    lines = {
        user.email: busy.client(user).get("/").content.decode()
        for user in (busy.lead, busy.reviewer1, busy.adjudicator)
    }
    assert "Waiting for you:" in lines["lead@example.org"]
    assert "1 duplicate pair to check" in lines["lead@example.org"]
    assert (
        "4 records to screen</a> · <a" in lines["rita@example.org"]
        and "1 conflict to discuss" in lines["rita@example.org"]
    )
    assert "1 conflict to adjudicate" in lines["ada@example.org"]
    assert "records to screen" not in lines["ada@example.org"]
    idle = busy.client(busy.outsider).get("/").content.decode()
    assert "Waiting for you" not in idle


def test_nothing_waiting_is_said_plainly(team):
    assert "Nothing is waiting for you." in team.client(team.reviewer1).get("/").content.decode()


def test_nav_badges_count_what_the_overview_counts(busy):
    for user in (busy.lead, busy.reviewer1, busy.adjudicator):
        membership = busy.review.memberships.get(user=user)
        badges = badge_counts(busy.review, membership)
        counts = {i.key: i.count for i in waiting_for(membership)}
        assert badges.get("screen", 0) == counts.get("to_screen", 0)
        assert badges["conflict_list"] == counts.get("conflicts_to_discuss", 0) + counts.get(
            "conflicts_to_adjudicate", 0
        )
        if membership.is_lead:
            assert badges["dedup_queue"] == counts["duplicates_to_check"]


def test_the_full_text_count_is_the_lists_to_assess_filter(busy):
    page = busy.client(busy.reviewer1).get(f"/r/{busy.review.slug}/full-text/?show=todo")
    assert page.status_code == 200
    assert fulltext.to_assess_count(busy.review, busy.reviewer1.pk) == 1
    assert page.context["page"].paginator.count == 1


def test_the_overview_page_stays_within_its_query_budget(busy, django_assert_max_num_queries):
    client = busy.client(busy.lead)
    client.get(f"/r/{busy.review.slug}/")  # assignments are built on the first visit
    with django_assert_max_num_queries(65):
        assert client.get(f"/r/{busy.review.slug}/").status_code == 200
