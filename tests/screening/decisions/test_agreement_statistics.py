"""The agreement statistics against hand computations and published worked examples."""

from __future__ import annotations

import pytest

from screening.decisions.agreement import (
    cohen_kappa,
    confusion_table,
    fleiss_kappa,
    krippendorff_alpha_nominal,
    percent_agreement,
    summarise,
)


def test_cohens_kappa_matches_the_textbook_two_by_two():
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
    # po = 35/50 = 0.7; pe = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5 = 0.4.
    table = [[20, 5], [10, 15]]
    assert percent_agreement(table) == pytest.approx(0.7)
    assert cohen_kappa(table) == pytest.approx(0.4)


def test_cohens_kappa_by_hand_on_three_categories():
    pairs = (
        [("i", "i")] * 5
        + [("e", "e")] * 8
        + [("m", "m")] * 1
        + [("i", "m"), ("m", "e"), ("e", "i")]
    )
    table = confusion_table(pairs, ["i", "e", "m"])
    assert table == [[5, 0, 1], [1, 8, 0], [0, 1, 1]]
    # po = 14/17; rows (6, 9, 2)/17, cols (6, 9, 2)/17; pe = (36 + 81 + 4)/289 = 121/289.
    po, pe = 14 / 17, 121 / 289
    assert cohen_kappa(table) == pytest.approx((po - pe) / (1 - pe))


def test_perfect_agreement_on_a_single_category_is_reported_as_one():
    assert cohen_kappa([[7, 0], [0, 0]]) == 1.0
    assert cohen_kappa([[0, 0], [0, 0]]) is None


def test_fleiss_kappa_matches_the_worked_example():
    # Fleiss (1971) as worked on Wikipedia: 10 subjects, 14 raters, 5 categories -> 0.210.
    rows = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert fleiss_kappa([dict(enumerate(r)) for r in rows]) == pytest.approx(0.20993, abs=1e-5)


def test_fleiss_kappa_refuses_unequal_numbers_of_ratings():
    with pytest.raises(ValueError):
        fleiss_kappa([{"i": 2}, {"i": 1, "e": 2}])


def test_krippendorffs_alpha_matches_the_published_example_with_missing_data():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal: 0.743.
    a = [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None]
    b = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3]
    c = [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None]
    d = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]
    units = [[v for v in unit if v is not None] for unit in zip(a, b, c, d, strict=True)]
    assert krippendorff_alpha_nominal(units) == pytest.approx(0.743, abs=5e-4)


def test_alpha_for_two_raters_is_close_to_kappa_on_the_same_data():
    units = [["i", "i"]] * 20 + [["i", "e"]] * 5 + [["e", "i"]] * 10 + [["e", "e"]] * 15
    # Nominal alpha for two coders = Scott's pi with a small-sample correction:
    # pi = (0.7 - 0.5)/(1 - 0.5) = 0.4; alpha = 1 - (1 - 0.7) * 99 / (99 * 0.5) ... by hand: 0.406.
    alpha = krippendorff_alpha_nominal(units)
    n = 100
    pe = (55 * 54 + 45 * 44) / (n * (n - 1))  # pairable values: 55 'i', 45 'e'
    expected = 1 - (1 - 0.7) / (1 - pe)
    assert alpha == pytest.approx(expected)


def test_pairs_are_compared_only_on_the_records_both_rated():
    ratings = {
        1: {"a": "include", "b": "include"},
        2: {"a": "exclude", "b": "exclude"},
        3: {"a": "include", "c": "exclude"},
        4: {"b": "exclude", "c": "exclude"},
        5: {"a": "include", "b": "exclude"},
    }
    summary = summarise(ratings, ["include", "exclude"])
    by_pair = {(p.rater_a, p.rater_b): p for p in summary.pairs}
    assert by_pair[("a", "b")].n == 3
    assert by_pair[("a", "b")].table == ((1, 1), (0, 1))
    assert by_pair[("a", "c")].n == 1
    assert by_pair[("b", "c")].percent_agreement == 1.0
    assert summary.alpha_items == 5
    assert summary.fleiss_items == 5
    assert summary.raters == 3
