"""When to consider stopping: how many relevant records are probably still unscreened.

Pure (numbers in, an estimate out), beside the ranking model that orders the queue.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

from screening.ranking.model import irrelevant_run


@dataclass
class StoppingEstimate:
    """How many relevant records are probably still unscreened, and whether to consider stopping."""

    screened: int
    relevant_found: int
    estimated_remaining: float
    ci_low: float
    ci_high: float
    consecutive_irrelevant: int
    suggest_stop: bool
    rule: str
    explanation: str
    details: dict = field(default_factory=dict)


# Knee method (Cormack & Grossman 2016, "Engineering quality and reliability in technology-assisted
# review"): the slope of the gain curve before the knee is at least this many times the slope after.
KNEE_SLOPE_RATIO = 6.0
KNEE_MIN_SCREENED = 150
# ... and the reviewer has just screened this many irrelevant records in a row (or 2 % of the
# records, if more). 200 is the longest of the published "N irrelevant in a row" heuristics
# compared in bench/ranking_bench.py (50, 100, 200), and the only one at which every simulated
# run had found >= 95 % of the relevant records: Kitchenham's last few includes come after gaps
# of up to 155 irrelevant records (docs/benchmarks.md "Stopping"). It was 50.
MIN_IRRELEVANT_RUN = 200
IRRELEVANT_RUN_SHARE = 0.02
CONFIDENCE = 0.95


def _clopper_pearson(hits: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact binomial interval for a proportion (no normal approximation: hits are often 0)."""
    from scipy.stats import beta

    alpha = 1.0 - confidence
    low = 0.0 if hits == 0 else float(beta.ppf(alpha / 2, hits, n - hits + 1))
    high = 1.0 if hits == n else float(beta.ppf(1 - alpha / 2, hits + 1, n - hits))
    return low, high


def _knee_ratio(found_curve: np.ndarray) -> tuple[float, int]:
    """Largest-distance knee of the gain curve and the slope ratio before/after it."""
    s = len(found_curve)
    total = int(found_curve[-1]) if s else 0
    if s < 2 or total == 0:
        return 0.0, 0
    x = np.arange(1, s + 1)
    # Distance of each point above the straight line from (0, 0) to (s, total).
    distance = found_curve - x * (total / s)
    knee = int(np.argmax(distance))  # index into the curve, knee at rank knee+1
    rank_at_knee = knee + 1
    found_at_knee = int(found_curve[knee])
    if rank_at_knee >= s or found_at_knee == 0:
        return 0.0, rank_at_knee
    before = found_at_knee / rank_at_knee
    # +1 as in Cormack & Grossman so that a perfectly flat tail still has a finite ratio.
    after = (total - found_at_knee + 1) / (s - rank_at_knee)
    return before / after, rank_at_knee


def _keep_screening(
    run_ok: bool, knee_ok: bool, screened: int, run: int, run_needed: int, found: int
) -> str:
    reasons = []
    if not run_ok:
        reasons.append(
            _("run of irrelevant records is %(run)s, below %(needed)s")
            % {"run": run, "needed": run_needed}
        )
    if not knee_ok:
        reasons.append(
            _("the discovery rate has not dropped %(ratio)s-fold")
            % {"ratio": f"{KNEE_SLOPE_RATIO:.0f}"}
            if screened >= KNEE_MIN_SCREENED
            else _("fewer than %(n)s records screened") % {"n": KNEE_MIN_SCREENED}
        )
    if found == 0:
        reasons.append(_("no relevant record found yet"))
    return _("Keep screening: %(reasons)s.") % {"reasons": _("; ").join(reasons)}


def stopping_estimate(
    decisions_in_order: Sequence[bool],
    total_records: int,
    *,
    scores_remaining: Sequence[float] | None = None,
) -> StoppingEstimate:
    """Estimate the relevant records still unscreened, with a 95 % interval, and suggest a stop.

    ``decisions_in_order`` are one reviewer's screening decisions in the order made
    (True = relevant). It never excludes anything; it only informs the lead.

    Estimate ("recent-rate rule"): the unscreened records are assumed to be at most as likely to
    be relevant as the most recently screened window (the last 20 % of decisions, at least 100):
    with ``h`` relevant among the ``w`` records in that window and ``U`` records unscreened, the
    estimate is ``U * h / w`` with an exact (Clopper-Pearson) 95 % interval for ``h / w`` scaled
    by ``U``. Because the queue is ranked, later records are usually *less* likely relevant than
    the window, so this errs high (conservative).

    Suggestion: stop only when the knee method holds (at least 150 screened and the gain curve's
    slope before its knee >= 6 x the slope after it) *and* the current run of consecutive
    irrelevant records is at least max(200, 2 % of all records).

    ``scores_remaining`` (the model's scores for the unscreened records) is optional; when given,
    its length is taken as the number still unscreened (e.g. when some records left the queue).
    """
    decisions = np.asarray([bool(d) for d in decisions_in_order], dtype=np.int64)
    screened = int(decisions.size)
    found = int(decisions.sum())
    unscreened = (
        len(scores_remaining)
        if scores_remaining is not None
        else max(0, int(total_records) - screened)
    )
    run = irrelevant_run(decisions.tolist())

    if screened == 0:
        return StoppingEstimate(
            0, 0, math.nan, 0.0, float(unscreened), 0, False, "recent-rate + knee",
            _("Nothing screened yet: no estimate."), {"unscreened": unscreened},
        )  # fmt: skip

    window = min(screened, max(100, screened // 5))
    hits = int(decisions[-window:].sum())
    low, high = _clopper_pearson(hits, window)
    estimate = unscreened * hits / window
    ci_low, ci_high = unscreened * low, unscreened * high

    curve = np.cumsum(decisions)
    ratio, knee_rank = _knee_ratio(curve)
    run_needed = max(MIN_IRRELEVANT_RUN, math.ceil(IRRELEVANT_RUN_SHARE * total_records))
    knee_ok = screened >= KNEE_MIN_SCREENED and ratio >= KNEE_SLOPE_RATIO
    run_ok = run >= run_needed
    suggest = unscreened == 0 or (found > 0 and knee_ok and run_ok)

    explanation = _(
        "%(found)s relevant found in %(screened)s screened; %(unscreened)s not yet screened. "
        "In the last %(window)s screened, %(hits)s were relevant, so about %(estimate)s relevant "
        "records may remain (95%% interval %(low)s-%(high)s; assumes the rest are no more likely "
        "relevant than the last %(window)s). "
    ) % {
        "found": found,
        "screened": screened,
        "unscreened": unscreened,
        "window": window,
        "hits": hits,
        "estimate": f"{estimate:.1f}",
        "low": f"{ci_low:.1f}",
        "high": f"{ci_high:.1f}",
    }
    if unscreened == 0:
        explanation += _("Everything has been screened.")
    elif suggest:
        explanation += _(
            "The last %(run)s records in a row were irrelevant and the rate of finding relevant "
            "records has dropped %(ratio)s-fold since record %(knee)s: stopping could be "
            "considered. Records left unscreened are not excluded automatically."
        ) % {"run": run, "ratio": f"{ratio:.0f}", "knee": knee_rank}
    else:
        explanation += _keep_screening(run_ok, knee_ok, screened, run, run_needed, found)
    return StoppingEstimate(
        screened=screened,
        relevant_found=found,
        estimated_remaining=float(estimate),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        consecutive_irrelevant=run,
        suggest_stop=bool(suggest),
        rule="recent-rate (Clopper-Pearson 95%) + knee method (ratio>=6) + irrelevant run",
        explanation=explanation,
        details={
            "window": window,
            "window_relevant": hits,
            "unscreened": unscreened,
            "knee_rank": knee_rank,
            "knee_slope_ratio": float(ratio),
            "irrelevant_run_needed": run_needed,
        },
    )


def first_suggested_stop(decisions_in_order: Sequence[bool], total_records: int) -> int:
    """How many records a reviewer who screens in this order has screened when the rule first
    suggests stopping (``total_records`` if it never does before the end).

    For simulations (``bench/ranking_bench.py``): ``decisions_in_order`` may stop after the last
    relevant record; the records after it are irrelevant, so the sequence is padded with them.
    """
    decisions = [bool(d) for d in decisions_in_order]
    decisions += [False] * (total_records - len(decisions))
    run_needed = max(MIN_IRRELEVANT_RUN, math.ceil(IRRELEVANT_RUN_SHARE * total_records))
    curve = np.cumsum(np.asarray(decisions, dtype=np.int64))
    run = 0
    for screened, relevant in enumerate(decisions, start=1):
        run = 0 if relevant else run + 1
        # Only where the run is long enough is the (costlier) knee test needed.
        if run >= run_needed and screened >= KNEE_MIN_SCREENED and curve[screened - 1] > 0:
            ratio, _ = _knee_ratio(curve[:screened])
            if ratio >= KNEE_SLOPE_RATIO:
                return screened
    return total_records
