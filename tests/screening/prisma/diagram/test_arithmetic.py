"""The flow must add up: identified − removed = screened, and so on down to included."""

from __future__ import annotations

import pytest

from screening.prisma.flow import PrismaCounts, check_arithmetic

from .examples import new_review, updated_review, updated_review_with_other_methods


@pytest.mark.parametrize(
    "counts",
    [PrismaCounts(), new_review(), updated_review(), updated_review_with_other_methods()],
)
def test_consistent_flows_have_no_problems(counts):
    assert check_arithmetic(counts) == []


def test_screened_records_must_equal_identified_minus_removed():
    problems = check_arithmetic(new_review(records_screened=1700))

    assert problems == [
        "Records identified (2540) − removed before screening (852) = 1688, "
        "but records screened is 1700.",
        "Records screened (1700) − records excluded (1550) = 150, "
        "but reports sought for retrieval is 138.",
    ]


def test_reports_sought_must_equal_screened_minus_excluded():
    problems = check_arithmetic(new_review(records_excluded=1500))

    assert len(problems) == 1
    assert "reports sought for retrieval is 138" in problems[0]


def test_assessed_must_equal_sought_minus_not_retrieved():
    problems = check_arithmetic(new_review(dbr_notretrieved_reports=8))

    assert problems == [
        "Reports sought (138) − not retrieved (8) = 130, "
        "but reports assessed for eligibility is 132."
    ]


def test_included_reports_must_equal_assessed_minus_excluded():
    problems = check_arithmetic(new_review(dbr_excluded=[("Wrong population", 40)]))

    assert problems == [
        "Reports assessed (132) − excluded (40) = 92, but reports of included studies is 31."
    ]


def test_other_methods_count_towards_the_included_reports():
    problems = check_arithmetic(updated_review_with_other_methods(other_excluded=[]))

    assert any("via other methods (35)" in p for p in problems)


def test_other_methods_assessed_must_equal_sought_minus_not_retrieved():
    problems = check_arithmetic(updated_review_with_other_methods(other_assessed=30))

    assert problems[0].startswith("Other methods: reports sought (37) − not retrieved (2) = 35")


def test_updated_review_totals_must_add_previous_and_new():
    problems = check_arithmetic(updated_review(total_studies=40))

    assert problems == [
        "Previous studies (14) + new studies (27) = 41, but total studies included is 40."
    ]


def test_more_studies_than_reports_is_reported():
    problems = check_arithmetic(new_review(new_studies=32))

    assert any("exceed the reports" in p for p in problems)


def test_negative_counts_are_reported():
    problems = check_arithmetic(new_review(dbr_notretrieved_reports=-1, dbr_assessed=139))

    assert "dbr_notretrieved_reports is negative." in problems
