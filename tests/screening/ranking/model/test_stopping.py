"""The stopping estimate on hand-made screening sequences."""

from __future__ import annotations

import math

from screening.ranking.stopping import stopping_estimate


def test_long_run_of_irrelevant_records_after_the_relevant_ones_suggests_stopping():
    decisions = [True] * 10 + [True, False] * 10 + [False] * 300

    estimate = stopping_estimate(decisions, total_records=2000)

    assert estimate.relevant_found == 20
    assert estimate.screened == 330
    assert estimate.consecutive_irrelevant == 301  # the run starts after the last True
    assert estimate.suggest_stop
    assert estimate.estimated_remaining == 0
    assert estimate.ci_low == 0
    # Zero hits in the 100-record window still leaves real uncertainty about 1,670 records.
    assert 20 < estimate.ci_high < 70
    assert "not excluded" in estimate.explanation


def test_relevant_records_still_coming_means_keep_screening():
    decisions = ([True] + [False] * 4) * 60

    estimate = stopping_estimate(decisions, total_records=1000)

    assert not estimate.suggest_stop
    # 20 % of the last 100 were relevant, and 700 remain.
    assert math.isclose(estimate.estimated_remaining, 140.0)
    assert estimate.ci_low < estimate.estimated_remaining < estimate.ci_high
    assert "Keep screening" in estimate.explanation


def test_a_short_run_is_not_enough_even_after_a_knee():
    decisions = [True] * 30 + [False] * 130

    estimate = stopping_estimate(decisions, total_records=10_000)

    assert estimate.consecutive_irrelevant == 130
    assert estimate.details["irrelevant_run_needed"] == 200  # 2 % of 10,000
    assert estimate.details["knee_slope_ratio"] >= 6
    assert estimate.suggest_stop is False
    assert estimate.ci_low <= estimate.estimated_remaining <= estimate.ci_high


def test_no_relevant_record_found_never_suggests_stopping():
    estimate = stopping_estimate([False] * 500, total_records=600)

    assert estimate.relevant_found == 0
    assert not estimate.suggest_stop
    assert "no relevant record found yet" in estimate.explanation


def test_everything_screened_suggests_stopping_with_nothing_remaining():
    estimate = stopping_estimate([True, False, False], total_records=3)

    assert estimate.suggest_stop
    assert estimate.estimated_remaining == estimate.ci_high == 0


def test_nothing_screened_gives_no_estimate():
    estimate = stopping_estimate([], total_records=100)

    assert math.isnan(estimate.estimated_remaining)
    assert estimate.ci_high == 100
    assert not estimate.suggest_stop


def test_scores_remaining_set_the_number_still_unscreened():
    decisions = [True] * 5 + [False] * 95

    estimate = stopping_estimate(decisions, total_records=1000, scores_remaining=[0.1] * 400)

    assert estimate.details["unscreened"] == 400
    assert math.isclose(estimate.estimated_remaining, 400 * 5 / 100)
