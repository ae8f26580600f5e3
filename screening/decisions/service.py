"""Independent screening decisions and what they add up to.

Every change goes through here: a reviewer's decision (made, changed, undone), the outcome it
leads to (agreement, or a conflict for the conflicts capability), a final decision from
consensus or adjudication, and a lead re-opening a resolved record. Each runs in one
transaction holding the record's status row, and writes the audit trail.

Blinding lives in :func:`visible_decisions`; pages and exports ask it, never the table.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from reviewapp.audit import record_event
from reviewapp.compiled import Compiled
from reviewapp.models import ExclusionReason, Membership, Review, Stage
from screening.decisions import agreement, queues, signals
from screening.models import (
    Assignment,
    Conflict,
    Decision,
    DecisionValue,
    Outcome,
    Record,
    RecordStatus,
)

RESOLVED = (Outcome.INCLUDED, Outcome.EXCLUDED)


class ScreeningError(Exception):
    """A decision that cannot be taken; the message is shown to the person."""


class NotAssigned(ScreeningError):
    """The record is not in this reviewer's queue (pages answer 404: it does not exist for them)."""


def _snapshot(decision: Decision | None) -> dict | None:
    if decision is None:
        return None
    return {
        "value": decision.value,
        "reason": decision.reason.label if decision.reason_id else None,
        "reason_id": decision.reason_id,
        "note": decision.note,
    }


# The reads of every decision, built and compiled once per process (reviewapp.compiled).
_status_for_update = Compiled(
    lambda record_id, stage: (
        RecordStatus.objects.select_for_update()
        .filter(record_id=record_id, stage=stage)
        .order_by("pk")[:1]
    )
)
# My assignment, with the id of my decision if there is one.
_my_assignment = Compiled(
    lambda record_id, reviewer_id, stage: (
        Assignment.objects.filter(record_id=record_id, stage=stage, reviewer_id=reviewer_id)
        .annotate(
            decision_pk=Subquery(
                Decision.objects.filter(
                    record=OuterRef("record"), stage=stage, reviewer_id=reviewer_id
                ).values("pk")[:1]
            )
        )
        .values_list("pk", "decision_pk")
        .order_by("pk")[:1]
    )
)
_decisions_on = Compiled(
    lambda record_id, stage: (
        Decision.objects.filter(record_id=record_id, stage=stage)
        .select_related("reason")
        .order_by("created_at", "pk")
    )
)


def _lock_status(record: Record, stage: str) -> RecordStatus:
    status = _status_for_update.first(record.pk, stage)
    if status is None:
        try:
            with transaction.atomic():
                RecordStatus.objects.create(
                    review_id=record.review_id,
                    record=record,
                    search_id=record.search_id,
                    stage=stage,
                )
        except IntegrityError:
            pass  # created meanwhile by another request: lock theirs
        status = RecordStatus.objects.select_for_update().get(record=record, stage=stage)
    return status


def _clean_reason(record: Record, stage: str, value: str, reason: Any) -> ExclusionReason | None:
    if value != DecisionValue.EXCLUDE or reason in (None, ""):
        return None
    if not isinstance(reason, ExclusionReason):
        reason = ExclusionReason.objects.filter(pk=reason).first()
    if reason is None or reason.review_id != record.review_id or reason.stage != stage:
        raise ScreeningError(_("Choose one of this review's exclusion reasons."))
    return reason


def decide(
    record: Record,
    reviewer: Any,
    value: str,
    *,
    stage: str = Stage.TITLE_ABSTRACT,
    reason: ExclusionReason | int | None = None,
    note: str = "",
) -> Decision:
    """Make or change my decision on a record, then see where the record stands.

    Submitting the same decision twice (a double click, a resubmitted form) changes nothing.
    """
    if value not in DecisionValue.values:
        raise ScreeningError(_("Choose Include, Exclude or Maybe."))
    reason = _clean_reason(record, stage, value, reason)
    note = (note or "").strip()
    with transaction.atomic():
        status = _lock_status(record, stage)
        existing = _my_decision(record, reviewer, stage)
        if existing is not None and (existing.value, existing.reason_id, existing.note) == (
            value,
            reason.pk if reason else None,
            note,
        ):
            return existing
        if status.outcome in RESOLVED:
            raise ScreeningError(_("This record is already resolved; a lead can re-open it."))
        if status.outcome == Outcome.CONFLICT:
            raise ScreeningError(
                _(
                    "All decisions on this record are in and they disagree: settle it on its conflict page."
                )
            )
        newly_decided = None
        if existing is None:
            # No savepoint: the status lock serialises us, and should the insert still fail,
            # the whole transaction rolls back with the error.
            try:
                decision = Decision.objects.create(
                    review_id=record.review_id,
                    record=record,
                    stage=stage,
                    reviewer=reviewer,
                    value=value,
                    reason=reason,
                    note=note,
                )
            except IntegrityError as exc:  # pragma: no cover - the status lock serialises us
                raise ScreeningError(_("Your decision was already saved.")) from exc
            record_event(
                record.review, reviewer, "decision.made", decision, after=_snapshot(decision)
            )
            newly_decided = reviewer.pk  # counted with the queue change, in one update
        else:
            before = _snapshot(existing)
            existing.value, existing.reason, existing.note = value, reason, note
            existing.save(update_fields=["value", "reason", "note", "updated_at"])
            decision = existing
            record_event(
                record.review,
                reviewer,
                "decision.changed",
                decision,
                before=before,
                after=_snapshot(decision),
            )
        evaluate(record, stage, status=status, newly_decided=newly_decided)
    return decision


def _my_decision(record: Record, reviewer: Any, stage: str) -> Decision | None:
    """My decision on a record I may decide (NotAssigned otherwise), read under the status lock.

    One query on the usual path: my assignment, with the id of my decision if there is one.
    """
    for _assignment, decision_pk in _my_assignment.rows(record.pk, reviewer.pk, stage):
        if decision_pk is None:
            return None
        return Decision.objects.select_related("reason").get(pk=decision_pk)
    # No assignment: a decision made before the team changed, or records imported a moment ago.
    existing = (
        Decision.objects.select_related("reason")
        .filter(record=record, stage=stage, reviewer=reviewer)
        .first()
    )
    if existing is None:
        queues.ensure_assignments(record.review, stage)
        if not queues.is_assigned(record, reviewer, stage):
            raise NotAssigned(_("This record is not in your queue."))
    return existing


def undo_last(
    review: Review, reviewer: Any, *, stage: str = Stage.TITLE_ABSTRACT
) -> Decision | None:
    """Take back my most recent decision, if its record is still awaiting decisions.

    Returns the removed decision (its ``record_id`` says which record to show again), or None
    when I have decided nothing.
    """
    with transaction.atomic():
        last = (
            Decision.objects.filter(review=review, stage=stage, reviewer=reviewer)
            .select_related("record", "reason")
            .order_by("-updated_at", "-pk")
            .first()
        )
        if last is None:
            return None
        status = _lock_status(last.record, stage)
        if status.outcome != Outcome.PENDING:
            raise ScreeningError(
                _(
                    "Your last decision can no longer be undone: every decision on that record is in."
                )
            )
        before = _snapshot(last)
        record_id, pk = last.record_id, last.pk
        last.delete()
        last.pk, last.record_id = pk, record_id
        queues.adjust_counts(review.pk, last.reviewer_id, stage, decided=-1)
        last.record.review = review
        record_event(
            review,
            reviewer,
            "decision.undone",
            last.record,
            before={**before, "record_id": record_id, "decision_id": pk},
            message=f"Record {record_id}",
        )
        evaluate(last.record, stage, status=status)
    return last


def _outcome(review: Review, decisions: list[Decision]) -> tuple[str, ExclusionReason | None]:
    if len(decisions) < review.required_decisions:
        return Outcome.PENDING, None
    values = [d.value for d in decisions]
    if DecisionValue.MAYBE in values:
        if review.maybe_opens_conflict:
            return Outcome.CONFLICT, None
        # Otherwise a Maybe leans towards reading the full text: it counts as Include.
        values = [DecisionValue.INCLUDE if v == DecisionValue.MAYBE else v for v in values]
    if all(v == DecisionValue.INCLUDE for v in values):
        return Outcome.INCLUDED, None
    if all(v == DecisionValue.EXCLUDE for v in values):
        reasons = [d.reason for d in decisions if d.reason_id]
        return Outcome.EXCLUDED, reasons[0] if reasons else None
    return Outcome.CONFLICT, None


def evaluate(
    record: Record,
    stage: str,
    *,
    status: RecordStatus | None = None,
    newly_decided: int | None = None,
) -> RecordStatus:
    """Recompute a record's outcome from its decisions (within the caller's transaction).

    A resolved record stays resolved: only set_final and reopen move it. `newly_decided`: the
    reviewer whose new decision this follows, counted with the queue change.
    """
    # The caller holding the status row already runs a transaction: no savepoint needed.
    with transaction.atomic(savepoint=status is None):
        if status is None:
            status = _lock_status(record, stage)
        review = record.review
        decisions = _decisions_on.objects(record.pk, stage)
        if status.outcome in RESOLVED:
            if newly_decided is not None:
                queues.adjust_counts(record.review_id, newly_decided, stage, decided=1)
            return status
        before = status.outcome
        outcome, reason = _outcome(review, decisions)
        status.outcome = outcome
        status.decisions_count = len(decisions)
        status.final_reason = reason
        if outcome in RESOLVED:
            status.resolution = RecordStatus.Resolution.AGREEMENT
            status.resolved_at = timezone.now()
        else:
            status.resolution = RecordStatus.Resolution.NONE
            status.resolved_at = None
        status.save()
        queues.sync_open_flags(
            record,
            stage,
            pending=outcome == Outcome.PENDING,
            decided=[d.reviewer_id for d in decisions],
            newly_decided=newly_decided,
        )
        if outcome == before:
            return status
        if outcome in RESOLVED:
            record_event(
                review,
                None,
                "record.resolved",
                status,
                before={"outcome": before},
                after={
                    "outcome": outcome,
                    "resolution": status.resolution,
                    "reason": reason.label if reason else None,
                },
                message=f"Record {record.pk} ({stage})",
            )
            _after_resolved(record, stage, outcome)
        elif outcome == Outcome.CONFLICT:
            _open_conflict(record, stage)
    return status


def _open_conflict(record: Record, stage: str) -> None:
    signals.disagreement_found.send(sender=Record, record=record, stage=stage)


def _after_resolved(record: Record, stage: str, outcome: str, by: Any = None) -> None:
    signals.record_resolved.send(sender=Record, record=record, stage=stage, outcome=outcome, by=by)


def set_final(
    record: Record,
    stage: str,
    value: str,
    *,
    reason: ExclusionReason | int | None = None,
    resolution: str,
    by: Any,
) -> RecordStatus:
    """Record the final decision reached by consensus, adjudication or a lead."""
    if value not in (DecisionValue.INCLUDE, DecisionValue.EXCLUDE):
        raise ScreeningError(_("A final decision is Include or Exclude."))
    if resolution not in RecordStatus.Resolution.values or not resolution:
        raise ScreeningError(_("Say how the record was resolved."))
    reason = _clean_reason(record, stage, value, reason)
    with transaction.atomic():
        status = _lock_status(record, stage)
        if status.outcome in RESOLVED:
            raise ScreeningError(_("This record is already resolved."))
        before = {"outcome": status.outcome, "resolution": status.resolution}
        status.outcome = Outcome.INCLUDED if value == DecisionValue.INCLUDE else Outcome.EXCLUDED
        status.resolution = resolution
        status.final_reason = reason
        status.resolved_at = timezone.now()
        status.save()
        queues.sync_open_flags(record, stage, pending=False, decided=())
        record_event(
            record.review,
            by,
            "record.resolved",
            status,
            before=before,
            after={
                "outcome": status.outcome,
                "resolution": resolution,
                "reason": reason.label if reason else None,
            },
            message=f"Record {record.pk} ({stage})",
        )
        _after_resolved(record, stage, status.outcome, by)
    return status


def reopen(record: Record, stage: str, *, by: Any, reason: str) -> RecordStatus:
    """A lead sends a resolved record back to screening; its decisions are cleared.

    The cleared decisions are kept in the audit row, and the assigned reviewers find the
    record in their queues again.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ScreeningError(_("Say why the record is re-opened."))
    membership = Membership.objects.filter(review_id=record.review_id, user=by, active=True).first()
    if membership is None or not membership.is_lead:
        raise ScreeningError(_("Only a lead can re-open a record."))
    with transaction.atomic():
        status = _lock_status(record, stage)
        if status.outcome not in RESOLVED:
            raise ScreeningError(_("Only a resolved record can be re-opened."))
        decisions = list(
            Decision.objects.filter(record=record, stage=stage).select_related("reviewer", "reason")
        )
        before = {
            "outcome": status.outcome,
            "resolution": status.resolution,
            "reason": status.final_reason.label if status.final_reason_id else None,
            "decisions": [
                {"reviewer_id": d.reviewer_id, **(_snapshot(d) or {})} for d in decisions
            ],
        }
        was_included = status.outcome == Outcome.INCLUDED
        Decision.objects.filter(pk__in=[d.pk for d in decisions]).delete()
        for d in decisions:
            queues.adjust_counts(record.review_id, d.reviewer_id, stage, decided=-1)
        status.outcome = Outcome.PENDING
        status.resolution = RecordStatus.Resolution.NONE
        status.final_reason = None
        status.resolved_at = None
        status.decisions_count = 0
        status.save()
        queues.sync_open_flags(record, stage, pending=True, decided=())
        record_event(
            record.review,
            by,
            "record.reopened",
            status,
            before=before,
            after={"outcome": Outcome.PENDING},
            message=reason,
        )
        signals.record_reopened.send(
            sender=Record, record=record, stage=stage, was_included=was_included
        )
    return status


def visible_decisions(
    record: Record, stage: str, viewer: Any, *, status: RecordStatus | None = None
) -> QuerySet:
    """The decisions on a record this person may see: the one place blinding is decided.

    Until every required decision is in, everyone sees only their own. In a conflict, the
    reviewers who decided (and the adjudicator it was escalated to) see all of them; leads see
    other people's decisions once the record is resolved.
    """
    decisions = Decision.objects.filter(record=record, stage=stage).select_related(
        "reviewer", "reason"
    )
    own = decisions.filter(reviewer=viewer)
    if status is not None:
        outcome = status.outcome
    else:
        outcome = (
            RecordStatus.objects.filter(record=record, stage=stage)
            .values_list("outcome", flat=True)
            .first()
        )
    if outcome in RESOLVED:
        membership = Membership.objects.filter(
            review_id=record.review_id, user=viewer, active=True
        ).first()
        if membership and (membership.is_lead or membership.is_reviewer):
            return decisions
        if Conflict.objects.filter(record=record, stage=stage, adjudicator=viewer).exists():
            return decisions
        return own
    if outcome == Outcome.CONFLICT:
        if decisions.filter(reviewer=viewer).exists():
            return decisions
        if Conflict.objects.filter(
            record=record, stage=stage, adjudicator=viewer, state=Conflict.State.ESCALATED
        ).exists():
            return decisions
    return own


# Progress and agreement -------------------------------------------------------------------


@dataclass
class ReviewerProgress:
    reviewer: Any
    assigned: int
    decided: int
    remaining: int
    values: dict[str, int] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return round(100 * self.decided / self.assigned) if self.assigned else 0


@dataclass
class TeamProgress:
    records: int
    outcomes: dict[str, int]
    # Pending records by how many decisions they have (aggregate only: blinding).
    by_decisions: list[tuple[int, int]]
    reasons: list[tuple[str, int]]
    required: int

    @property
    def resolved(self) -> int:
        return self.outcomes.get(Outcome.INCLUDED, 0) + self.outcomes.get(Outcome.EXCLUDED, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.resolved / self.records) if self.records else 0


def team_progress(review: Review, stage: str = Stage.TITLE_ABSTRACT) -> TeamProgress:
    """Counts over the review's canonical records; no record-level decisions.

    One grouped count of the stage's statuses (a narrow table) less the few duplicates'
    statuses, then the labels of the reasons found (issue 21: three counts, each joining every
    status to its record, took 200-260 ms of the overview at 100,000 records; this one 36-48
    ms)."""
    queues.ensure_assignments(review, stage)
    duplicate = Record.objects.filter(review=review, is_canonical=False, pk=OuterRef("record"))
    outcomes: Counter = Counter()
    waiting: Counter = Counter()
    reason_ids: Counter = Counter()
    for outcome, decisions, reason_id, n in (
        RecordStatus.objects.filter(review=review, stage=stage)
        .filter(~Exists(duplicate))
        .values_list("outcome", "decisions_count", "final_reason_id")
        .annotate(n=Count("*"))
        .order_by()
    ):
        outcomes[outcome] += n
        if outcome == Outcome.PENDING:
            waiting[decisions] += n
        elif outcome == Outcome.EXCLUDED:
            reason_ids[reason_id] += n
    ids = [pk for pk in reason_ids if pk is not None]
    labels = dict(
        ExclusionReason.objects.filter(review=review, pk__in=ids).values_list("pk", "label")
        if ids
        else []
    )
    by_label: Counter = Counter()
    for reason_id, n in reason_ids.items():
        by_label[labels.get(reason_id)] += n
    reasons = sorted(by_label.items(), key=lambda item: (-item[1], item[0] is None, item[0] or ""))
    return TeamProgress(
        records=sum(outcomes.values()),
        outcomes=dict(outcomes),
        by_decisions=sorted(waiting.items()),
        reasons=[(label or _("No reason given"), n) for label, n in reasons],
        required=review.required_decisions,
    )


def reviewer_progress(
    review: Review, reviewers: list[Any], stage: str = Stage.TITLE_ABSTRACT, *, with_values: bool
) -> list[ReviewerProgress]:
    """Each reviewer's assigned/decided/remaining; their include/exclude tallies only when the
    viewer is that reviewer (with_values). Call after team_progress (which syncs the queues)."""
    ids = [r.pk for r in reviewers]
    # The canonical records' rows are every row less the few duplicates' (an anti join with the
    # duplicates' index range), as team_progress counts: joined to every record to read
    # is_canonical, each count took 80-90 ms at 100,000 records.
    duplicate = Record.objects.filter(review=review, is_canonical=False, pk=OuterRef("record"))
    assigned, remaining = {}, {}
    for reviewer_id, n, still_open in (
        Assignment.objects.filter(review=review, stage=stage, reviewer_id__in=ids)
        .filter(~Exists(duplicate))
        .values_list("reviewer_id")
        .annotate(n=Count("pk"), still_open=Count("pk", filter=Q(open=True)))
        .order_by()
    ):
        assigned[reviewer_id], remaining[reviewer_id] = n, still_open
    decided: dict[int, Counter] = defaultdict(Counter)
    for reviewer_id, value, n in (
        Decision.objects.filter(review=review, stage=stage, reviewer_id__in=ids)
        .filter(~Exists(duplicate))
        .values_list("reviewer_id", "value")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        decided[reviewer_id][value] = n
    return [
        ReviewerProgress(
            reviewer=r,
            assigned=assigned.get(r.pk, 0),
            decided=sum(decided[r.pk].values()),
            remaining=remaining.get(r.pk, 0),
            values=dict(decided[r.pk]) if with_values else {},
        )
        for r in reviewers
    ]


def agreement_for(
    review: Review, viewer_is_lead: bool, stage: str = Stage.TITLE_ABSTRACT
) -> tuple[agreement.AgreementSummary, dict[int, Any]]:
    """Agreement statistics, on records whose required decisions are all in.

    Leads get every such record (resolved or in conflict); reviewers only resolved ones, so
    nothing about a record still under discussion reaches them. The database counts the
    ratings (agreement_tallies): the statistics never hold the decisions themselves.
    """
    shown = (Outcome.INCLUDED, Outcome.EXCLUDED)
    if viewer_is_lead:
        shown = (*shown, Outcome.CONFLICT)
    tallies = agreement_tallies(review, stage, shown)
    used = {value for p in tallies.patterns for value, _n in p}
    categories = [DecisionValue.INCLUDE, DecisionValue.EXCLUDE]
    if DecisionValue.MAYBE in used:
        categories.append(DecisionValue.MAYBE)
    summary = agreement.summarise_tallies(tallies, [str(c) for c in categories])
    from reviewapp.models import User

    people = {u.pk: u for u in User.objects.filter(pk__in=tallies.raters)}
    return summary, people


def agreement_tallies(review: Review, stage: str, outcomes: tuple[str, ...]) -> agreement.Tallies:
    """The decisions at `stage` on the review's canonical records whose status is one of
    `outcomes`, counted in three grouped queries: each pair of reviewers' values on the records
    both decided, each record's ratings as a pattern of values, and who rated. A review of
    100,000 records and 60,000 decisions sent them all to Python (0.5 s a page) before."""
    from django.db import connection

    records = RecordStatus.objects.filter(
        review=review, stage=stage, outcome__in=outcomes, record__is_canonical=True
    ).values("record_id")
    inner, params = records.query.sql_with_params()
    decision = connection.ops.quote_name(Decision._meta.db_table)
    where = f"a.review_id = %s AND a.stage = %s AND a.record_id IN ({inner})"
    base = [review.pk, stage, *params]
    values = [str(v) for v in DecisionValue]
    per_value = ", ".join(
        f"SUM(CASE WHEN a.value = %s THEN 1 ELSE 0 END) AS n{i}" for i in range(len(values))
    )
    out = agreement.Tallies()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.reviewer_id, b.reviewer_id, a.value, b.value, COUNT(*) FROM {decision} a "
            f"JOIN {decision} b ON b.record_id = a.record_id AND b.stage = a.stage "
            f"AND b.reviewer_id > a.reviewer_id WHERE {where} "
            "GROUP BY a.reviewer_id, b.reviewer_id, a.value, b.value",
            base,
        )
        for a, b, value_a, value_b, n in cursor.fetchall():
            out.pairs.setdefault((a, b), Counter())[value_a, value_b] += n
        columns = ", ".join(f"n{i}" for i in range(len(values)))
        cursor.execute(
            f"SELECT {columns}, COUNT(*) FROM (SELECT {per_value} FROM {decision} a "
            f"WHERE {where} GROUP BY a.record_id) AS items GROUP BY {columns}",
            [*values, *base],
        )
        for *counts, n in cursor.fetchall():
            rated = agreement.pattern_of(dict(zip(values, counts, strict=True)))
            out.patterns[rated] += n
            out.items += n
        cursor.execute(f"SELECT DISTINCT a.reviewer_id FROM {decision} a WHERE {where}", base)
        out.raters = {row[0] for row in cursor.fetchall()}
    return out


def decided_records(review: Review, reviewer: Any, stage: str = Stage.TITLE_ABSTRACT) -> QuerySet:
    """My decisions, newest first (my history for J/K and the change links)."""
    return (
        Decision.objects.filter(reviewer=reviewer, review=review, stage=stage)
        .select_related("record", "reason")
        .order_by("-updated_at", "-pk")
    )
