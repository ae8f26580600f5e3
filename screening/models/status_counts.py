"""How many statuses a review has per stage, outcome and final reason, kept by the database.

The records page with no filter shows these counts for the whole review; grouping every status
was linear in the review (30 ms at 100,000 records). Triggers on the statuses (migration 0015)
append signed deltas here instead, for whatever wrote the rows (a decision, an import, a
restore, a merge, raw SQL), and the page sums a few rows. The table is only ever appended to:
no transaction updates a shared counter row, so 50 reviewers deciding at once never wait on
one another here, and two transactions moving statuses X→Y and Y→X cannot deadlock. Now and
then `fold` replaces a review's deltas by their sums.
"""

from __future__ import annotations

from django.db import connection, models, transaction
from django.db.models import Count, Sum

from reviewapp.compiled import Compiled
from reviewapp.models import ExclusionReason, Review, Stage
from screening.models.decisions import Outcome

# A review's deltas beyond this many are folded into their sums by the reader (on PostgreSQL
# the update trigger also folds, about once in 256 of its firings: migration 0015).
FOLD_AT = 500


class StatusCountDelta(models.Model):
    """+n or -n statuses of a review at a stage with an outcome and final reason.

    Derived (triggers write it; migration 0015 filled it from the statuses): not backed up,
    a restored review's statuses write their own. No database constraints: the statuses of a
    review being deleted write deltas before the review goes, and an exclusion reason may go
    once no status has it while its deltas (summing to nothing) wait for a fold. A trigger
    on the review deletes its deltas with it."""

    BACKED_UP = False

    review = models.ForeignKey(
        Review, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    stage = models.CharField(max_length=2, choices=Stage.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    final_reason = models.ForeignKey(
        ExclusionReason,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    n = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["review", "stage"], name="status_count_by_review")]

    def __str__(self) -> str:
        return f"{self.n:+} {self.outcome} of {self.review_id} ({self.stage})"


# Read on every first page of the records list: built and compiled once per process
# (reviewapp.compiled), not by the ORM each time (~0.5 ms of Python).
_counts = Compiled(
    lambda review_id, stage: (
        StatusCountDelta.objects.filter(review_id=review_id, stage=stage)
        .values_list("outcome", "final_reason_id")
        .annotate(total=Sum("n"), rows=Count("*"))
        .order_by("outcome", "final_reason_id")
    )
)


def status_counts(review_id: int, stage: str) -> list[tuple[tuple[str, int | None], int]]:
    """((outcome, final reason id), statuses) of the review at the stage, as a GROUP BY of the
    statuses would count them (no empty group). Folds the review's deltas once they are many."""
    rows = _counts.rows(review_id, stage)
    if sum(r[3] for r in rows) > FOLD_AT:
        fold(review_id)
    return [((outcome, reason), int(total)) for outcome, reason, total, _rows in rows if total]


# SQLite: one writer at a time, so the sums and the deletion see the same rows.
_SQLITE_FOLD = [
    "INSERT INTO screening_statuscountdelta (review_id, stage, outcome, final_reason_id, n) "
    "SELECT review_id, stage, outcome, final_reason_id, sum(n) FROM screening_statuscountdelta "
    "WHERE review_id = %s AND id <= %s GROUP BY review_id, stage, outcome, final_reason_id "
    "HAVING sum(n) <> 0",
    "DELETE FROM screening_statuscountdelta WHERE review_id = %s AND id <= %s",
]


def fold(review_id: int) -> bool:
    """Replace the review's deltas by their sums (none where they cancel out). False when
    another transaction is folding the review (PostgreSQL): its fold serves."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # screening_fold_status_counts (migration 0015): the delete and the insert of the
            # sums in one statement, under a transaction-level advisory lock.
            cursor.execute("SELECT screening_fold_status_counts(%s)", [review_id])
            return bool(cursor.fetchone()[0])
        cursor.execute(
            "SELECT max(id) FROM screening_statuscountdelta WHERE review_id = %s", [review_id]
        )
        (last,) = cursor.fetchone()
        if last is not None:
            for sql in _SQLITE_FOLD:
                cursor.execute(sql, [review_id, last])
        return True
