"""The counts the database keeps against a GROUP BY of the statuses themselves."""

from __future__ import annotations

from django.db.models import Count, Sum

from reviewapp.models import Stage
from screening.models import RecordStatus, StatusCountDelta
from screening.models.status_counts import status_counts


def live(review_id: int, stage: str) -> dict:
    """{(outcome, final reason id): statuses}, grouped from every status of the review."""
    grouped = RecordStatus.objects.filter(review_id=review_id, stage=stage).values_list(
        "outcome", "final_reason_id"
    )
    return {(o, r): n for o, r, n in grouped.annotate(n=Count("*")).order_by()}


def kept(review_id: int, stage: str) -> dict:
    """The deltas' sums as stored (no fold), without the keys they cancel out on."""
    sums = (
        StatusCountDelta.objects.filter(review_id=review_id, stage=stage)
        .values_list("outcome", "final_reason_id")
        .annotate(n=Sum("n"))
        .order_by()
    )
    return {(o, r): int(n) for o, r, n in sums if n}


def assert_kept(review) -> None:
    """The kept counts, and what the records page reads, equal a live GROUP BY at each stage."""
    review_id = getattr(review, "pk", review)
    for stage in Stage.values:
        expected = live(review_id, stage)
        assert kept(review_id, stage) == expected, stage
        assert dict(status_counts(review_id, stage)) == expected, stage
