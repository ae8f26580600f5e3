"""The navigation's badges (issue 21): every full page of a review shows them, so they are
counted together, in one SELECT over the member's row, and give the figures each badge's own
count gives, member by member, whatever their roles and state."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count, Exists, F, Q, Subquery
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coding import services as coding
from coding.models import CodeProposal, ExtractionField, ExtractionForm
from reviewapp.registry import badge_counts, navigation_for, registry
from screening.appraisal.service import waiting_for as appraisals_waiting
from screening.conflicts.waiting import waiting_for_member
from screening.dedup.service import open_pair_count
from screening.models import DuplicateCandidate, QueueCount
from screening.navigation import full_texts_to_assess, to_screen
from tests.coding.factories import included_study
from tests.core.test_waiting_batched import crowd  # noqa: F401 (a fixture)
from tests.screening.conflicts.helpers import record

pytestmark = pytest.mark.django_db

# The pages whose badge is an expression, counted in the one SELECT.
COUNTED_TOGETHER = {
    "dedup_queue",
    "screen",
    "conflict_list",
    "fulltext_list",
    "extraction_table",
    "codebook",
}


def _extraction_waiting(review, membership) -> int:
    """The extraction badge as it was counted by itself (a grouped query): the oracle."""
    form = ExtractionForm.objects.filter(review=review)
    done = Q(extractions__completed=True, extractions__is_consensus=False)
    return (
        coding.studies_for(review)
        .filter(Exists(ExtractionField.objects.filter(form__review=review)))
        .annotate(
            done=Count("extractions", filter=done),
            mine=Count("extractions", filter=done & Q(extractions__extractor=membership.user_id)),
            needed=Subquery(form.values("extractors_per_study")[:1]),
        )
        .filter(mine=0, done__lt=F("needed"))
        .count()
    )


def _one_by_one(review, membership) -> dict[str, int]:
    """Each badge's figure from its stage's own count for one member."""
    lead = membership.is_lead
    counts = {
        "dedup_queue": open_pair_count(review),
        "screen": to_screen(review, membership),
        "conflict_list": waiting_for_member(membership),
        "fulltext_list": full_texts_to_assess(review, membership),
        "appraisal_home": appraisals_waiting(membership),
        "extraction_table": _extraction_waiting(review, membership),
        "codebook": CodeProposal.objects.filter(codebook__review=review, status="open").count()
        if lead
        else 0,
    }
    shown = {i.url_name for i in registry.review_nav if i.badge and _visible(i, membership)}
    return {key: n for key, n in counts.items() if key in shown}


def _visible(item, membership) -> bool:
    return not item.roles or any(membership.has_role(role) for role in item.roles)


@pytest.fixture
def crowded(crowd):  # noqa: F811
    """crowd, and extraction under way (one study extracted by two, one by Rita alone, one by
    nobody, two extractors a study), a code proposed, a duplicate pair open."""
    review = crowd.review
    form = coding.ensure_default_form(review)
    coding.set_extractors_per_study(form, crowd.lead, 2)
    both, rita_only, _ = (included_study(review, f"Study {i}", 20 + i) for i in range(3))
    coding.save_extraction(both, crowd.reviewer1, {}, completed=True)
    coding.save_extraction(both, crowd.reviewer2, {}, completed=True)
    coding.save_extraction(rita_only, crowd.reviewer1, {}, completed=True)
    coding.save_extraction(rita_only, crowd.reviewer2, {}, completed=False)
    coding.propose_code(
        review.codebook, crowd.reviewer1, name="Mentoring", definition="A senior colleague."
    )
    a, b = sorted(
        (record(crowd, title=f"Audit and feedback {i}") for i in range(2)), key=lambda r: r.pk
    )
    DuplicateCandidate.objects.create(review=review, record_a=a, record_b=b, score=0.9)
    return crowd


@pytest.mark.parametrize("adjudicator_active", [True, False], ids=["adjudicator", "none"])
def test_the_badges_counted_together_are_each_badges_own_count(crowded, adjudicator_active):
    review = crowded.review
    if not adjudicator_active:
        review.memberships.filter(is_adjudicator=True).update(is_adjudicator=False)
    QueueCount.objects.filter(review=review, reviewer=crowded.reviewer2).delete()  # not stored
    members = list(review.memberships.select_related("user").order_by("user__email"))
    together = {m.user.email: badge_counts(review, m) for m in members}
    apart = {m.user.email: _one_by_one(review, m) for m in members}
    assert together == apart
    totals = {key: sum(c.get(key, 0) for c in together.values()) for key in COUNTED_TOGETHER}
    assert all(totals.values()), totals  # every badge has something to compare
    assert together["remy@example.org"]["extraction_table"] == 3  # his one is not completed
    assert together["rita@example.org"]["extraction_table"] == 2
    assert together["lead-reviewer@example.org"]["codebook"] == 1
    assert "codebook" not in together["ada@example.org"]


def _nav_queries(review, membership) -> int:
    navigation_for(review, membership, "/")  # assignments built on first read
    with CaptureQueriesContext(connection) as ctx:
        navigation_for(review, membership, "/")
    return len(ctx)


def test_a_members_badges_cost_one_query_besides_the_queues_and_appraisal_checks(crowded):
    """One SELECT for the six expression badges, besides the screening settings read that keeps
    the queues up to date and the appraisal plan's: 8 queries before for a lead who reviews."""
    review = crowded.review
    both = review.memberships.get(user__email="lead-reviewer@example.org")
    assert _nav_queries(review, both) == 3
    adjudicator = review.memberships.get(user=crowded.adjudicator)
    assert _nav_queries(review, adjudicator) == 1  # the conflicts badge alone


@pytest.mark.parametrize(
    ("page", "budget"), [("record_list", 13), ("screen", 11), ("review_overview", 47)]
)
def test_a_page_pays_one_query_for_its_badges(crowded, page, budget, django_assert_max_num_queries):
    """For a lead who also reviews, the badges took eight queries before and three now (the
    SELECT, the queues' check and the appraisal plan's): with `crowd` the records page took 18
    queries, the screening page 16 and the overview 52 before."""
    client = crowded.client(crowded.review.memberships.get(is_lead=True, is_reviewer=True).user)
    url = reverse(page, args=[crowded.review.slug])
    client.get(url)  # assignments and stored counts made on the first visit
    with CaptureQueriesContext(connection) as ctx, django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200
    assert len([q for q in ctx.captured_queries if '"badge_0"' in q["sql"]]) == 1


def test_a_reused_select_reads_the_figures_of_the_moment(crowded):
    """The SELECT is compiled once per review and roles; what it counts is read afresh."""
    review = crowded.review
    lead = review.memberships.get(user=crowded.lead)
    before = badge_counts(review, lead)
    coding.propose_code(
        review.codebook, crowded.reviewer2, name="Peer support", definition="Colleagues help."
    )
    DuplicateCandidate.objects.filter(review=review).update(
        status=DuplicateCandidate.Status.NOT_DUPLICATES
    )
    after = badge_counts(review, lead)
    assert after["codebook"] == before["codebook"] + 1
    assert before["dedup_queue"] and after["dedup_queue"] == 0
