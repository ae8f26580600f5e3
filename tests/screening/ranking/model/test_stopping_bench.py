"""Where the stopping rule suggests stopping in a simulated screening, as the ranking benchmark
reports it next to the "N irrelevant in a row" heuristics."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from screening.ranking.stopping import MIN_IRRELEVANT_RUN, first_suggested_stop, stopping_estimate

BENCH = Path(__file__).resolve().parents[4] / "bench" / "ranking_bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("ranking_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_first_suggested_stop_is_where_the_estimate_first_says_so():
    decisions = [True] * 20 + [False, True] * 10 + [False] * 400
    total = 2000

    stop = first_suggested_stop(decisions, total)

    assert stopping_estimate(decisions[:stop], total).suggest_stop
    assert not stopping_estimate(decisions[: stop - 1], total).suggest_stop
    assert stop == 40 + MIN_IRRELEVANT_RUN  # the knee holds long before the run is long enough


def test_a_sequence_ending_at_the_last_include_is_padded_with_excludes():
    # Simulations stop at the last relevant record; the rest of the records are irrelevant.
    assert first_suggested_stop([True] * 10 + [False] * 5, 1000) == 10 + MIN_IRRELEVANT_RUN
    assert first_suggested_stop([True, False], 50) == 50  # never suggested: screen everything


def test_the_bench_reports_recall_and_work_saved_at_each_rules_stop(bench):
    y = np.zeros(1000, dtype=np.int8)
    y[[0, 1, 2, 60, 400]] = 1  # found at ranks 1-3, then after gaps of 57 and 339
    order = list(range(401))  # the simulation ends at the last relevant record

    points = bench.stopping_points(order, y)

    assert points["50 in a row"] == {"screened": 53, "recall": 0.6, "saved": 0.947}
    assert points["100 in a row"]["screened"] == 161
    assert points["100 in a row"]["recall"] == pytest.approx(0.8)
    assert points["200 in a row"]["recall"] == pytest.approx(0.8)
    assert points["ours (knee + run)"]["screened"] == first_suggested_stop(
        [bool(y[i]) for i in order], len(y)
    )
    assert set(points) == set(bench.STOPPING_RULES)
