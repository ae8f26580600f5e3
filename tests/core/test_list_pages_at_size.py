"""Every list page costs the same number of queries at 2,000 records as at a handful: no query
per row, whatever the size of the review (issue 21). The records, screening, conflict,
duplicate, full-text, search, audit, team, ranking, PRISMA, appraisal, coding, extraction and
synthesis pages are each measured on a small review, then again once it holds 2,000 more records
in two searches, seven reviewers with 1,000 decisions each, a dozen conflicts, a hundred
duplicate pairs and several full texts. The overview's table of every member's waiting work
costs the same with 10 members as with 30 (each stage counts its work for all of them at once)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviewapp.models import Membership
from screening.conflicts import service as conflicts
from screening.decisions import queues
from screening.fulltext import service as fulltext
from screening.models import Decision, DuplicateCandidate, Record, Report
from tests.factories import SearchFactory, UserFactory
from tests.screening.conflicts.helpers import conflicted, included_at_ta, record

pytestmark = pytest.mark.django_db
LARGE = 2000
# (page, who opens it, path under /r/<slug>/)
PAGES = [
    ("overview", "lead", ""),
    ("records", "reviewer1", "records/"),
    ("records searched", "reviewer1", "records/?q=nudges"),
    ("records filtered (mine)", "reviewer1", "records/?mine=undecided"),
    ("records filtered (final)", "lead", "records/?final=pending&abstract=yes"),
    ("screening page", "reviewer1", "screen/"),
    ("my decisions", "reviewer1", "screen/mine/"),
    ("screening progress", "lead", "screen/progress/"),
    ("conflicts", "lead", "conflicts/"),
    ("duplicates", "lead", "duplicates/"),
    ("full texts", "lead", "full-text/"),
    ("searches", "lead", "searches/"),
    ("audit trail", "lead", "audit/"),
    ("team", "lead", "team/"),
    ("ranking", "lead", "ranking/"),
    ("my ranking", "reviewer1", "ranking/mine/"),
    ("PRISMA", "lead", "prisma/"),
    ("appraisal", "lead", "appraisal/"),
    ("coding", "reviewer1", "coding/"),
    ("extraction table", "lead", "extraction/"),
    ("synthesis", "lead", "synthesis/"),
]
# A list may show one more thing once it is long (a "next page" link, a "more than" total).
SLACK = 2
EXTRA_MEMBERS = 5


def _small(team) -> None:
    a, b = (record(team, title=f"Nudges for prescribers, part {i}") for i in range(2))
    DuplicateCandidate.objects.create(review=team.review, record_a=a, record_b=b, score=0.9)
    conflicted(team)
    report = Report.objects.get(record=included_at_ta(team))
    fulltext.attach_link(report, "https://example.org/paper", team.lead)


def _grow(team) -> None:
    review = team.review
    people = [team.reviewer1, team.reviewer2]
    for i in range(EXTRA_MEMBERS):
        user = UserFactory(email=f"extra{i}@example.org")
        Membership.objects.create(review=review, user=user, is_reviewer=True)
        people.append(user)
    searches = [SearchFactory(review=review, source=s) for s in ("Scopus", "CNKI")]
    Record.objects.bulk_create(
        Record(
            review=review,
            search=searches[i % 2],
            source_key=f"big-{i}",
            title=f"Nudges and defaults in prescribing, study {i}",
            abstract="A randomised trial of nudges." if i % 3 else "",
            authors=["Smith, J.", "Lee, K."],
            year=2000 + i % 24,
            journal="Medical Education",
            language="English" if i % 5 else "Chinese",
        )
        for i in range(LARGE)
    )
    queues.ensure_assignments(review, wait=True)
    ids = list(
        review.records.filter(source_key__startswith="big-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Decision.objects.bulk_create(
        Decision(review=review, record_id=r, reviewer=u, stage="ta", value="exclude")
        for u in people
        for r in ids[:1000]
    )
    for _ in range(10):
        _, conflict = conflicted(team)
        conflicts.comment(conflict, team.reviewer1, "Shall we look at it together?")
    for _ in range(5):
        report = Report.objects.get(record=included_at_ta(team))
        fulltext.attach_link(report, "https://example.org/paper", team.lead)
    DuplicateCandidate.objects.bulk_create(
        DuplicateCandidate(review=review, record_a_id=a, record_b_id=b, score=0.9)
        for a, b in zip(ids[1000:1100], ids[1100:1200], strict=True)
    )


def _queries(team) -> dict[str, int]:
    out = {}
    for name, who, path in PAGES:
        client = team.client(getattr(team, who))
        url = f"/r/{team.review.slug}/{path}"
        client.get(url)  # the first visit may build what later ones read (counts, assignments)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, name
        out[name] = len(ctx)
    return out


def test_no_list_page_costs_more_queries_at_2000_records(team, django_assert_max_num_queries):
    _small(team)
    small = _queries(team)
    _grow(team)
    assert team.review.records.count() > LARGE
    grown = {}
    for name, who, path in PAGES:
        client = team.client(getattr(team, who))
        url = f"/r/{team.review.slug}/{path}"
        client.get(url)
        budget = small[name] + SLACK
        with django_assert_max_num_queries(budget) as ctx:
            assert client.get(url).status_code == 200, name
        grown[name] = len(ctx)
    print({name: (small[name], grown[name]) for name in small})


def _overview_queries(team, members: int) -> int:
    """The lead's overview with this many active members, after a first visit."""
    review = team.review
    have = review.memberships.filter(active=True).count()
    for i in range(have, members):
        user = UserFactory(email=f"member{i}@example.org")
        Membership.objects.create(
            review=review, user=user, is_reviewer=True, is_adjudicator=i % 4 == 0
        )
    assert review.memberships.filter(active=True).count() == members
    client = team.client(team.lead)
    url = f"/r/{review.slug}/"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_overview_costs_the_same_queries_with_10_members_as_with_30(
    team, django_assert_max_num_queries
):
    _small(team)
    _grow(team)
    budget = _overview_queries(team, 10)
    _overview_queries(team, 30)
    client = team.client(team.lead)
    client.get(f"/r/{team.review.slug}/")
    with django_assert_max_num_queries(budget):
        assert client.get(f"/r/{team.review.slug}/").status_code == 200
