"""Every box of the diagram is counted from the database, in a fixed number of queries."""

from __future__ import annotations

import pytest

from screening.models import Phase, PrismaOverride
from screening.prisma.counts import automation_counts, counts_for, flow_for
from screening.prisma.flow import check_arithmetic, to_json

from .factories import (
    StudyFactory,
    duplicate,
    excluded_at_full_text,
    excluded_at_screening,
    included,
    reason,
    records,
    search,
    sought,
)
from .scenarios import (
    NEW_REVIEW,
    OTHER_METHODS,
    UPDATED_REVIEW,
    new_review,
    updated_review,
    with_other_methods,
)

pytestmark = pytest.mark.django_db


def assert_boxes(counts, expected: dict) -> None:
    data = to_json(counts)
    assert {name: data[name] for name in expected} == expected


def test_new_review_counts_every_box_from_the_data(team):
    counts = counts_for(new_review(team.review))

    assert_boxes(counts, NEW_REVIEW)
    assert counts.database_specific_results == [("Web of Science", 10), ("MEDLINE", 8)]
    assert counts.register_specific_results == [("ClinicalTrials.gov", 2)]
    assert counts.dbr_excluded == [("Wrong population", 1), ("No empirical data", 1)]
    assert counts.manual == {"excluded_other"}
    assert not counts.is_update and not counts.has_other_methods
    assert check_arithmetic(counts) == []


def test_updated_review_shows_only_the_update_in_the_main_column(team):
    counts = counts_for(updated_review(team.review))

    assert_boxes(counts, UPDATED_REVIEW)
    assert counts.database_specific_results == [("Web of Science", 4), ("Scopus", 1)]
    assert counts.dbr_excluded == [("Wrong population", 1)]
    assert counts.is_update
    assert check_arithmetic(counts) == []


def test_a_new_report_of_an_earlier_study_is_not_a_new_study(team):
    review = updated_review(team.review)
    earlier_study = review.studies.order_by("id").first()
    late = records(search(review, "MEDLINE", phase=Phase.UPDATE), 1)[0]
    included(late, earlier_study)

    counts = counts_for(review)

    assert (counts.previous_studies, counts.new_studies, counts.studies_total) == (1, 1, 2)
    assert (counts.previous_reports, counts.new_reports, counts.reports_total) == (2, 2, 4)


def test_other_methods_get_their_own_column(team):
    counts = counts_for(with_other_methods(team.review))

    assert_boxes(counts, OTHER_METHODS)
    assert counts.citations_specific_results == [("Citation searching", 2)]
    assert counts.website_specific_results == [("Google Scholar", 1)]
    assert counts.organisation_specific_results == [("WHO", 1)]
    assert counts.other_excluded == [("Wrong study design", 1)]
    assert counts.dbr_excluded == []
    assert check_arithmetic(counts) == []


def test_no_other_methods_column_without_such_searches(team):
    counts = counts_for(new_review(team.review))

    assert counts.website_specific_results is None
    assert counts.other_sought_reports is None


def test_every_full_text_reason_is_listed_in_the_reviews_order_with_its_count(team):
    review = team.review
    reasons = [
        reason(review, label, position)
        for position, label in enumerate(
            ["Wrong population", "Wrong focus", "No empirical data", "Curriculum only"]
        )
    ]
    works = records(search(review, "Scopus"), 11)
    # 1, 2, 3 and 4 reports per reason (listed in the review's order), one without a reason.
    plan = [reasons[3]] * 4 + [reasons[1]] * 2 + [reasons[0]] + [reasons[2]] * 3 + [None]
    for record, why in zip(works, plan, strict=True):
        excluded_at_full_text(record, why)

    counts = counts_for(review)

    assert counts.dbr_excluded == [
        ("Wrong population", 1),
        ("Wrong focus", 2),
        ("No empirical data", 3),
        ("Curriculum only", 4),
        ("Reason not recorded", 1),
    ]
    assert counts.dbr_assessed == 11 and counts.new_reports == 0
    assert check_arithmetic(counts) == []


def test_work_in_progress_is_reported_and_the_arithmetic_says_what_is_missing(team):
    review = team.review
    works = records(search(review, "Web of Science"), 5)
    excluded_at_screening(works[0])
    sought(works[1])  # awaiting full-text decisions

    flow = flow_for(review)

    assert (flow.awaiting_screening, flow.awaiting_full_text) == (3, 1)
    assert flow.counts.records_screened == 5
    assert any("reports sought for retrieval" in p for p in flow.problems)


def test_automation_counts_read_the_leads_entries_for_the_main_phase_only(team):
    review = updated_review(team.review)
    PrismaOverride.objects.create(review=review, data="excluded_automatic", value=2)
    PrismaOverride.objects.create(review=review, data="excluded_other", box_text="Retracted")

    assert automation_counts(review, Phase.UPDATE) == (2, 0)
    assert automation_counts(review, Phase.INITIAL) == (0, 0)
    counts = counts_for(review)
    assert counts.manual == {"excluded_automatic"}
    assert counts.box_text == {"excluded_other": "Retracted"}
    assert counts.records_screened == UPDATED_REVIEW["records_screened"] - 2


def grow(review, n: int) -> None:
    """n more works in every state, in both phases and both columns."""
    for phase in (Phase.INITIAL, Phase.UPDATE):
        for kind in ("database", "citation"):
            works = records(search(review, f"{kind} {phase}", kind, phase), n)
            for record in works[: n // 3]:
                excluded_at_screening(record)
            for record in works[n // 3 : n // 2]:
                included(record, StudyFactory(review=review))
            for record in works[n // 2 : n // 2 + 2]:
                excluded_at_full_text(record, reason(review, f"{record.pk}"))


def test_counting_takes_the_same_few_queries_however_big_the_review(
    team, django_assert_max_num_queries
):
    review = with_other_methods(team.review)
    # 7 = 5 + one for the records a lead stopped screening (issue 11, screening.ranking_service)
    # + one: the records per search are counted apart from the searches (issue 21: an
    # index-only count instead of a join over every record).
    with django_assert_max_num_queries(7):
        counts_for(review)
    grow(review, 12)
    with django_assert_max_num_queries(7):
        counts = counts_for(review)

    assert counts.new_reports > 2


def test_a_work_found_by_citation_and_in_a_database_counts_with_the_databases(team):
    review = team.review
    records(search(review, "Web of Science"), 2)
    snowballed = records(search(review, "Citation searching", "citation"), 1)[0]
    duplicate(snowballed, search(review, "Web of Science"))  # de-duplication kept the citation
    sought(snowballed)

    counts = counts_for(review)

    assert counts.database_results == 3 and counts.citations_results == 1
    assert (counts.duplicates, counts.records_screened, counts.dbr_sought_reports) == (0, 3, 1)
    assert counts.other_sought_reports == 0


def test_a_work_first_found_in_the_earlier_phase_stays_there(team):
    review = team.review
    excluded_at_screening(records(search(review, "Web of Science"), 1)[0])
    late = records(search(review, "Web of Science", phase=Phase.UPDATE), 1)[0]
    # De-duplication kept the update's record, but the work was found in the first search.
    duplicate(late, search(review, "Scopus"))
    included(late, StudyFactory(review=review))

    counts = counts_for(review)

    assert counts.database_specific_results == [("Web of Science", 1)]
    assert (counts.duplicates, counts.records_screened, counts.new_reports) == (1, 0, 0)
    assert (counts.previous_studies, counts.previous_reports) == (1, 1)
