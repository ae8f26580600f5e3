"""De-duplication inside a review: clusters in the database, a queue of pairs for a person, undo.

    report = run_dedup(review, user=lead)          # after each import (task) and on demand
    cluster = merge([rec1, rec2], by=lead)          # a person's merge
    split(cluster, by=lead)                         # undo: every member and field as before
    decide_pair(candidate, "merge" | "not_duplicates", by=lead)
    found_in(record)                                # the searches (database, phase) that found it

The matching itself is the pure engine in ``screening.dedup``; this module turns its answer into
rows. What it keeps true, because screening and PRISMA count on it:

- a record outside any cluster is canonical; a cluster has at least two members and exactly one
  canonical member (``cluster.canonical``). Screening takes canonical records only and PRISMA
  counts the others as "duplicate records removed";
- a cluster's canonical record is the one already screened (so a decision is never lost or
  asked again), else the most complete one; the merge fills its empty fields from the other
  members and keeps the previous values in ``cluster.filled``, so a split restores them exactly;
- a pair a person decided is never asked again (``DuplicateCandidate`` keeps one row per pair),
  and "Not duplicates" (``NotDuplicatePair``) is never merged by a later run.

Every change of a cluster writes an audit row with the state before and after.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reviewapp import jobs
from reviewapp.audit import record_event
from reviewapp.models import AuditEvent, Review
from reviewapp.services import ReviewError
from screening.dedup import signals
from screening.dedup.engine import find_duplicates
from screening.identification.signals import records_imported
from screening.models import (
    Decision,
    DuplicateCandidate,
    DuplicateCluster,
    NotDuplicatePair,
    Outcome,
    Phase,
    Record,
    RecordStatus,
    Search,
)

logger = logging.getLogger(__name__)

Status = DuplicateCandidate.Status

# Fields a merge may fill on the canonical record from the other members.
FILL_FIELDS = (
    "title", "title_alt", "abstract", "authors", "authors_alt", "year", "journal", "volume",
    "issue", "pages", "doi", "pmid", "keywords", "language", "publication_type", "url",
)  # fmt: skip
_LOAD = ("id", "cluster_id", "is_canonical", "search__phase", *FILL_FIELDS, "other_ids")
_EMPTY = ("", None, [], {})
_BATCH = 1000


class DedupError(ReviewError):
    """A de-duplication step that cannot be taken; the message is shown to the person."""


@dataclass
class DedupReport:
    clusters_found: int = 0  # duplicate clusters in the review after the run
    auto_merged: int = 0  # records that joined a cluster in this run
    queued: int = 0  # pairs newly queued for a person in this run
    open_pairs: int = 0  # pairs waiting for a person in total
    duplicates_removed: int = 0  # non-canonical records in the review
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"Clusters found: {self.clusters_found:,}",
            f"Auto-merged: {self.auto_merged:,} records joined a cluster",
            f"Queued: {self.queued:,} new pairs to check ({self.open_pairs:,} open in total)",
            f"Duplicates removed: {self.duplicates_removed:,}",
        ]


# ---------------------------------------------------------------------------------------------
# The working state of one operation: rows in memory, written in bulk at the end
# ---------------------------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return value in _EMPTY


@dataclass
class _State:
    review: Review
    actor: Any
    rows: dict[int, dict]  # record id -> field values as exported (fills taken out)
    clusters: dict[int, DuplicateCluster]
    progress: dict[int, int]  # record id -> 2 resolved at some stage, 1 decided by someone
    # what to write
    fields: dict[int, dict] = field(default_factory=dict)  # record id -> values to store
    membership: dict[int, tuple[Any, bool]] = field(default_factory=dict)  # id -> (cluster, canon)
    new_clusters: list[DuplicateCluster] = field(default_factory=list)
    changed_clusters: set[int] = field(default_factory=set)
    dead_clusters: set[int] = field(default_factory=set)
    events: list[tuple[str, DuplicateCluster, dict, dict, str]] = field(default_factory=list)
    joined: int = 0
    # as stored when loaded: the fills on canonical records, and (cluster id, canonical)
    stored_fills: dict[int, dict] = field(default_factory=dict)
    stored_membership: dict[int, tuple[int | None, bool]] = field(default_factory=dict)

    def members(self, cluster_id: int) -> set[int]:
        return {i for i, r in self.rows.items() if r["cluster_id"] == cluster_id}


def _load(review: Review, actor: Any, records: Any) -> _State:
    """Rows of `records` (a queryset) with their clusters' fills taken out, and their progress."""
    rows = {r["id"]: r for r in records.values(*_LOAD).order_by()}
    cluster_ids = {r["cluster_id"] for r in rows.values() if r["cluster_id"]}
    clusters = {c.pk: c for c in DuplicateCluster.objects.filter(pk__in=cluster_ids)}
    stored_fills = {}
    for cluster in clusters.values():
        row = rows.get(cluster.canonical_id)
        if row is not None and cluster.filled:
            stored_fills[row["id"]] = {f: row[f] for f in cluster.filled}
            row.update(cluster.filled)
    ids = None if len(rows) > _BATCH else list(rows)
    progress: dict[int, int] = {}
    decided = Decision.objects.filter(review=review)
    resolved = RecordStatus.objects.filter(
        review=review, outcome__in=(Outcome.INCLUDED, Outcome.EXCLUDED)
    )
    if ids is not None:
        decided, resolved = decided.filter(record_id__in=ids), resolved.filter(record_id__in=ids)
    for rid in decided.values_list("record_id", flat=True).distinct().order_by():
        progress[rid] = 1
    for rid in resolved.values_list("record_id", flat=True).order_by():
        progress[rid] = 2
    state = _State(review, actor, rows, clusters, progress, stored_fills=stored_fills)
    state.stored_membership = {i: (r["cluster_id"], r["is_canonical"]) for i, r in rows.items()}
    return state


def _completeness(row: dict) -> tuple[int, int]:
    filled = sum(1 for f in (*FILL_FIELDS, "other_ids") if not _empty(row[f]))
    return filled, len(row["abstract"] or "")


def _phase_rank(row: dict) -> int:
    return 0 if row["search__phase"] == Phase.INITIAL else 1


def _choose_canonical(state: _State, members: Iterable[int]) -> int:
    """The member already screened (most advanced, the current canonical first), else the most
    complete; ties go to the earlier phase, then the older record."""
    rows = state.rows

    def key(i: int) -> tuple:
        row = rows[i]
        screened = state.progress.get(i, 0)
        if screened:
            return (0, -screened, not row["is_canonical"], _phase_rank(row), i)
        filled, length = _completeness(row)
        return (1, -filled, -length, _phase_rank(row), i)

    return min(members, key=key)


def _fill(state: _State, canonical: int, members: set[int]) -> tuple[dict, dict]:
    """(values to store on the canonical record, the previous values of the fields filled)."""
    rows = state.rows
    values = {f: rows[canonical][f] for f in (*FILL_FIELDS, "other_ids")}
    others = sorted(
        members - {canonical}, key=lambda i: (tuple(-x for x in _completeness(rows[i])), i)
    )
    filled: dict[str, Any] = {}
    for name in FILL_FIELDS:
        if not _empty(values[name]):
            continue
        donors = [rows[i][name] for i in others if not _empty(rows[i][name])]
        if not donors:
            continue
        if name == "abstract":
            donors.sort(key=len, reverse=True)
        filled[name] = values[name]
        values[name] = donors[0]
    ids = dict(values["other_ids"] or {})
    for i in others:
        for key, value in (rows[i]["other_ids"] or {}).items():
            if value and key not in ids:
                ids[key] = value
    if ids != (values["other_ids"] or {}):
        filled["other_ids"] = values["other_ids"]
        values["other_ids"] = ids
    return values, filled


def _snapshot(state: _State, cluster_ids: Iterable[int], singles: Iterable[int]) -> dict:
    return {
        "clusters": [
            {
                "id": c,
                "canonical": state.clusters[c].canonical_id,
                "members": sorted(state.members(c)),
                "filled": sorted(state.clusters[c].filled),
            }
            for c in sorted(cluster_ids)
        ],
        "records": sorted(singles),
    }


def _restore(state: _State, record_id: int) -> None:
    """Store the record's own values again (its cluster's fills taken out)."""
    state.fields[record_id] = {f: state.rows[record_id][f] for f in (*FILL_FIELDS, "other_ids")}


def _group(
    state: _State,
    group: set[int],
    *,
    method: str,
    score: float | None = None,
    action: str = "dedup.merged",
    message: str = "",
) -> DuplicateCluster | None:
    """Make `group` (whole existing clusters and single records) one cluster."""
    rows = state.rows
    touched = {rows[i]["cluster_id"] for i in group} - {None}
    singles = {i for i in group if rows[i]["cluster_id"] is None}
    if len(touched) == 1 and not singles:
        (only,) = touched
        if state.members(only) == group:
            return state.clusters[only]  # nothing new
    before = _snapshot(state, touched, singles)
    canonical = _choose_canonical(state, group)
    keep = next((c for c in sorted(touched) if state.clusters[c].canonical_id == canonical), None)
    if keep is None and touched:
        keep = min(touched)
    if keep is not None:
        cluster = state.clusters[keep]
        state.changed_clusters.add(keep)
    else:
        cluster = DuplicateCluster(review=state.review, method=method, score=score)
        state.new_clusters.append(cluster)
    for c in touched - {keep}:
        state.dead_clusters.add(c)
        old = state.clusters[c].canonical_id
        if old in rows and old != canonical:
            _restore(state, old)
    if keep is not None and cluster.canonical_id not in (None, canonical):
        _restore(state, cluster.canonical_id)
    values, filled = _fill(state, canonical, group)
    state.fields[canonical] = values
    cluster.canonical_id = canonical
    cluster.filled = filled
    if method == "manual":
        cluster.method, cluster.score = method, score
    state.joined += len(singles)
    for i in group:
        state.membership[i] = (cluster, i == canonical)
        rows[i]["cluster_id"] = keep if keep is not None else cluster
        rows[i]["is_canonical"] = i == canonical
    after = {"canonical": canonical, "members": sorted(group), "filled": sorted(filled)}
    state.events.append((action, cluster, before, after, message))
    return cluster


def _detach(state: _State, record_ids: Iterable[int]) -> None:
    for i in record_ids:
        state.membership[i] = (None, True)
        state.rows[i]["cluster_id"] = None
        state.rows[i]["is_canonical"] = True


def _flush(state: _State) -> None:
    """Write the operation's changes: a handful of bulk statements whatever its size."""
    if state.new_clusters:
        DuplicateCluster.objects.bulk_create(state.new_clusters, batch_size=_BATCH)
    changed = [state.clusters[c] for c in state.changed_clusters if c not in state.dead_clusters]
    if changed:
        DuplicateCluster.objects.bulk_update(
            changed, ["canonical", "filled", "method", "score"], batch_size=_BATCH
        )
    moved = [
        (i, cluster.pk if cluster else None, canonical)
        for i, (cluster, canonical) in state.membership.items()
        if state.stored_membership[i] != (cluster.pk if cluster else None, canonical)
    ]
    _bulk_set(Record, ["cluster", "is_canonical"], moved)
    # Only values that differ from what is stored are written (a re-run writes nothing).
    changed_rows: dict[int, dict] = {}
    for i, values in state.fields.items():
        stored = {**state.rows[i], **state.stored_fills.get(i, {})}
        diff = {f: v for f, v in values.items() if stored[f] != v}
        if diff:
            changed_rows[i] = diff
    by_fields: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
    for i, diff in changed_rows.items():
        names = tuple(sorted(diff))
        by_fields[names].append((i, *(diff[f] for f in names)))
    for names, rows in by_fields.items():
        _bulk_set(Record, list(names), rows)
    if state.dead_clusters:
        DuplicateCluster.objects.filter(pk__in=state.dead_clusters).delete()
    actor = state.actor if getattr(state.actor, "is_authenticated", False) else None
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                review=state.review,
                actor=actor,
                action=action,
                object_type=DuplicateCluster._meta.label_lower,
                object_id=str(cluster.pk),
                before=before,
                after=after,
                message=message,
                created_at=now,
            )
            for action, cluster, before, after, message in state.events
        ],
        batch_size=_BATCH,
    )


def _bulk_set(model: Any, names: list[str], rows: list[tuple]) -> None:
    """UPDATE many rows, each with its own values, in a few statements: (pk, *values) per row.

    ``UPDATE ... FROM (VALUES ...)`` (PostgreSQL, SQLite >= 3.33): Django's bulk_update builds
    one CASE expression per row and field, which costs seconds for a few thousand rows.
    """
    if not rows:
        return
    fields = [model._meta.get_field(n) for n in names]
    columns = [f.column for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    postgres = connection.vendor == "postgresql"
    if postgres:
        types = [model._meta.pk.db_type(connection)] + [f.db_type(connection) for f in fields]
        row_sql = "(" + ", ".join(f"%s::{t}" for t in types) + ")"
    else:
        row_sql = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    aliases = ["v_id"] + [f"v_{c}" for c in columns]
    assign = ", ".join(
        f"{connection.ops.quote_name(c)} = v.{a}" for c, a in zip(columns, aliases[1:], strict=True)
    )
    per_statement = max(1, (2000 if postgres else 900) // (len(fields) + 1))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list[Any] = []
            for row in chunk:
                params.append(row[0])
                params.extend(
                    f.get_db_prep_save(v, connection) for f, v in zip(fields, row[1:], strict=True)
                )
            if postgres:
                values = ", ".join([row_sql] * len(chunk))
                sql = (
                    f"UPDATE {table} SET {assign} FROM (VALUES {values}) "
                    f"AS v({', '.join(aliases)}) WHERE {table}.{pk} = v.v_id"
                )
            else:
                # SQLite names VALUES columns column1, column2...: select them under our names.
                selects = ", ".join(f"column{n + 1} AS {a}" for n, a in enumerate(aliases))
                values = ", ".join([row_sql] * len(chunk))
                sql = (
                    f"UPDATE {table} SET {assign} FROM (SELECT {selects} FROM (VALUES {values})) "
                    f"AS v WHERE {table}.{pk} = v.v_id"
                )
            cursor.execute(sql, params)


def _lock(review: Review) -> None:
    """One de-duplication change at a time per review (runs, merges, splits, decisions).

    FOR NO KEY UPDATE, not FOR UPDATE: every insert of a row that points at the review (a
    decision, an audit event, an upload) takes a key-share lock on it, and must not wait for a
    de-duplication run to finish."""
    Review.objects.select_for_update(no_key=True).filter(pk=review.pk).first()


def _settle_open_pairs(review: Review, by: Any = None) -> None:
    """Open pairs already answered by a cluster or a "Not duplicates" need nobody any more."""
    now = timezone.now()
    user = by if getattr(by, "is_authenticated", False) else None
    still_open = DuplicateCandidate.objects.filter(review=review, status=Status.OPEN)
    still_open.filter(
        record_a__cluster__isnull=False, record_a__cluster_id=F("record_b__cluster_id")
    ).update(status=Status.MERGED, decided_at=now, decided_by=user)
    waiting = list(still_open.values_list("id", "record_a_id", "record_b_id"))
    if not waiting:
        return
    ids = {i for _, a, b in waiting for i in (a, b)}
    blocked = {
        frozenset(p)
        for p in NotDuplicatePair.objects.filter(review=review, record_a_id__in=ids).values_list(
            "record_a_id", "record_b_id"
        )
    }
    answered = [pk for pk, a, b in waiting if frozenset((a, b)) in blocked]
    if answered:
        DuplicateCandidate.objects.filter(pk__in=answered).update(
            status=Status.NOT_DUPLICATES, decided_at=now, decided_by=user
        )


def _not_duplicates(review: Review) -> set[frozenset]:
    return {
        frozenset(p)
        for p in NotDuplicatePair.objects.filter(review=review).values_list(
            "record_a_id", "record_b_id"
        )
    }


def _report(review: Review, **values: Any) -> DedupReport:
    return DedupReport(
        clusters_found=DuplicateCluster.objects.filter(review=review).count(),
        open_pairs=DuplicateCandidate.objects.filter(review=review, status=Status.OPEN).count(),
        duplicates_removed=review.records.filter(is_canonical=False).count(),
        **values,
    )


# ---------------------------------------------------------------------------------------------
# The automatic run
# ---------------------------------------------------------------------------------------------


def run_dedup(review: Review, *, user: Any = None) -> DedupReport:
    """De-duplicate every record of the review against every other (idempotent, incremental).

    Certain clusters are merged; existing clusters keep their members and, once screened, their
    canonical record, so an update-phase duplicate of a screened record joins it unscreened.
    Uncertain pairs not decided before are queued for a person.
    """
    import time

    started = time.perf_counter()
    with transaction.atomic():
        _lock(review)
        state = _load(review, user, review.records.all())
        engine_input = [{**row, "cluster": row["cluster_id"]} for row in state.rows.values()]
        result = find_duplicates(engine_input, not_duplicates=_not_duplicates(review))
        for group in sorted(result.clusters, key=min):
            _group(state, set(group), method="auto", message="Merged automatically")
        _flush(state)
        known = set(
            DuplicateCandidate.objects.filter(review=review).values_list(
                "record_a_id", "record_b_id"
            )
        )
        cluster_of = {i: r["cluster_id"] for i, r in state.rows.items()}
        new = []
        for pair in result.uncertain:
            a, b = sorted((int(pair.a), int(pair.b)))
            if (a, b) in known or (cluster_of[a] is not None and cluster_of[a] == cluster_of[b]):
                continue
            known.add((a, b))
            new.append(
                DuplicateCandidate(
                    review=review,
                    record_a_id=a,
                    record_b_id=b,
                    score=round(float(pair.score), 4),
                    reasons=list(pair.reasons),
                )
            )
        DuplicateCandidate.objects.bulk_create(new, batch_size=_BATCH, ignore_conflicts=True)
        _settle_open_pairs(review)
        report = _report(
            review,
            auto_merged=state.joined,
            queued=len(new),
            seconds=round(time.perf_counter() - started, 3),
        )
        if state.joined or new:
            record_event(
                review,
                user,
                "dedup.run",
                review,
                after=asdict(report),
                message=f"De-duplication: {state.joined} records merged, {len(new)} pairs queued",
            )
    return report


@shared_task(base=jobs.TrackedTask, bind=True, max_retries=5)
def dedup_review(self, review_id: int) -> dict:
    """Run the de-duplication of review `review_id` (idempotent: a second run changes nothing)."""
    review = Review.objects.filter(pk=review_id).first()
    if review is None:
        return {"review": review_id, "missing": True}
    try:
        report = run_dedup(review)
        # Screening builds its assignments for the new canonical records here, in the
        # background, so no reviewer's next page pays for it.
        signals.dedup_finished.send(sender=Review, review=review)
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(exc=exc, countdown=min(300, 10 * 2**self.request.retries)) from exc
    return {"review": review_id, **asdict(report)}


def enqueue_dedup(review: Review, **kwargs: Any) -> Any:
    """Queue a run after the current transaction commits (a Job: re-sent until it has run)."""
    return jobs.enqueue(dedup_review, review.pk, review=review, **kwargs)


@receiver(records_imported, dispatch_uid="dedup.after_import")
def _dedup_after_import(sender, job: Any, **kwargs: Any) -> None:
    enqueue_dedup(job.review)


# ---------------------------------------------------------------------------------------------
# A person's merge and split
# ---------------------------------------------------------------------------------------------


def _with_clusters(review: Review, record_ids: Iterable[int]):
    ids = list(record_ids)
    clusters = review.records.filter(pk__in=ids, cluster__isnull=False).values("cluster_id")
    return review.records.filter(Q(pk__in=ids) | Q(cluster_id__in=clusters))


def _merge_ids(
    review: Review, record_ids: Iterable[int], by: Any, *, method: str, score: float | None
) -> DuplicateCluster:
    ids = {int(i) for i in record_ids}
    state = _load(review, by, _with_clusters(review, ids))
    if not ids <= set(state.rows):
        raise DedupError("These records are not all in this review.")
    group = set(ids)
    for i in ids:
        if state.rows[i]["cluster_id"]:
            group |= state.members(state.rows[i]["cluster_id"])
    if len(group) < 2:
        raise DedupError("Choose at least two records to merge.")
    cluster = _group(state, group, method=method, score=score, message="Merged by a person")
    _flush(state)
    _settle_open_pairs(review, by)
    return DuplicateCluster.objects.get(pk=cluster.pk)


def merge(
    records: Iterable[Record | int],
    *,
    by: Any,
    method: str = "manual",
    score: float | None = None,
) -> DuplicateCluster:
    """Make the records (and the clusters they are in) one cluster; returns it."""
    ids = [getattr(r, "pk", r) for r in records]
    first = Record.objects.select_related("review").filter(pk__in=ids).first()
    if first is None:
        raise DedupError("Choose at least two records to merge.")
    with transaction.atomic():
        _lock(first.review)
        return _merge_ids(first.review, ids, by, method=method, score=score)


def split(
    cluster: DuplicateCluster, *, by: Any, records: Iterable[Record | int] | None = None
) -> list[int]:
    """Undo a merge: the chosen members (all by default) leave the cluster and are their own
    canonical records again, with every field as before the merge. Returns the ids that left.

    The records that leave are marked "Not duplicates" of those they leave, so the automatic
    run does not merge them again; a split-off record that was never screened is screened now.
    """
    review = cluster.review
    with transaction.atomic():
        _lock(review)
        cluster = DuplicateCluster.objects.filter(pk=cluster.pk).first()
        if cluster is None:
            raise DedupError("This cluster was already split.")
        state = _load(review, by, review.records.filter(cluster_id=cluster.pk))
        members = set(state.rows)
        leaving = members if records is None else {int(getattr(r, "pk", r)) for r in records}
        leaving &= members
        if not leaving:
            raise DedupError("Choose the records that leave the cluster.")
        staying = members - leaving
        if len(staying) < 2:
            leaving, staying = members, set()
        before = _snapshot(state, [cluster.pk], [])
        restored = sorted(cluster.filled)
        _restore(state, cluster.canonical_id)
        _detach(state, leaving)
        if staying:
            _group_remaining(state, cluster.pk, staying)
        else:
            state.dead_clusters.add(cluster.pk)
        pairs = (
            combinations(sorted(members), 2)
            if not staying
            else ((min(a, b), max(a, b)) for a in leaving for b in staying)
        )
        NotDuplicatePair.objects.bulk_create(
            [
                NotDuplicatePair(review=review, record_a_id=a, record_b_id=b, decided_by=_user(by))
                for a, b in pairs
            ],
            ignore_conflicts=True,
        )
        after = {
            "left": sorted(leaving),
            "cluster": cluster.pk if staying else None,
            "members": sorted(staying),
            "restored": restored,
        }
        state.events.append(
            ("dedup.split", cluster, before, after, f"{len(leaving)} records split off")
        )
        _flush(state)
        _settle_open_pairs(review, by)
    return sorted(leaving)


def _group_remaining(state: _State, cluster_id: int, staying: set[int]) -> None:
    """The members that stay: canonical and fills chosen again from their own values."""
    cluster = state.clusters[cluster_id]
    canonical = _choose_canonical(state, staying)
    values, filled = _fill(state, canonical, staying)
    state.fields[canonical] = values
    cluster.canonical_id = canonical
    cluster.filled = filled
    state.changed_clusters.add(cluster_id)
    for i in staying:
        state.membership[i] = (cluster, i == canonical)


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


# ---------------------------------------------------------------------------------------------
# The queue of uncertain pairs
# ---------------------------------------------------------------------------------------------

MERGE, NOT_DUPLICATES = "merge", "not_duplicates"


def decide_pair(candidate: DuplicateCandidate, action: str, *, by: Any) -> DuplicateCandidate:
    """Merge or Not duplicates for one queued pair: exactly one outcome when two people answer."""
    if action not in (MERGE, NOT_DUPLICATES):
        raise DedupError("Choose Merge or Not duplicates.")
    review = candidate.review
    with transaction.atomic():
        _lock(review)
        pair = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
        if pair.status != Status.OPEN:
            who = pair.decided_by.display_name if pair.decided_by else "the automatic run"
            raise DedupError(
                f"This pair was already decided ({pair.get_status_display()}, by {who})."
            )
        if action == MERGE:
            _merge_ids(
                review, [pair.record_a_id, pair.record_b_id], by, method="manual", score=pair.score
            )
            pair.status = Status.MERGED
        else:
            # The answer holds for the two works: every member of one against every member
            # of the other, so no other pair of the same two groups is asked again.
            side_a = _cluster_members(review, pair.record_a_id)
            side_b = _cluster_members(review, pair.record_b_id)
            NotDuplicatePair.objects.bulk_create(
                [
                    NotDuplicatePair(
                        review=review,
                        record_a_id=min(a, b),
                        record_b_id=max(a, b),
                        decided_by=_user(by),
                    )
                    for a in side_a
                    for b in side_b
                    if a != b
                ],
                ignore_conflicts=True,
            )
            pair.status = Status.NOT_DUPLICATES
        pair.decided_by = _user(by)
        pair.decided_at = timezone.now()
        pair.save(update_fields=["status", "decided_by", "decided_at"])
        record_event(
            review,
            by,
            f"dedup.pair_{pair.status}",
            pair,
            before={"status": Status.OPEN},
            after={"status": pair.status, "records": [pair.record_a_id, pair.record_b_id]},
            message=f"Records {pair.record_a_id} and {pair.record_b_id}: "
            f"{pair.get_status_display()}",
        )
        _settle_open_pairs(review, by)
    return pair


def _cluster_members(review: Review, record_id: int) -> list[int]:
    cluster_id = review.records.filter(pk=record_id).values_list("cluster_id", flat=True).first()
    if cluster_id is None:
        return [record_id]
    return list(review.records.filter(cluster_id=cluster_id).values_list("pk", flat=True))


def open_pairs(review: Review):
    """The queue: open pairs, most likely duplicates first."""
    return DuplicateCandidate.objects.filter(review=review, status=Status.OPEN).order_by(
        "-score", "id"
    )


def open_pair_count(review: Review) -> int:
    return open_pairs(review).count()


def duplicates_removed(review: Review) -> int:
    return review.records.filter(is_canonical=False).count()


# ---------------------------------------------------------------------------------------------
# What pages show
# ---------------------------------------------------------------------------------------------


def found_in(record: Record) -> list[Search]:
    """The searches that found this work (its own and its duplicates'), each with the ids of
    its records in the cluster as ``.record_ids``; earliest phase first."""
    if record.cluster_id:
        members = Record.objects.filter(cluster_id=record.cluster_id)
    else:
        members = Record.objects.filter(pk=record.pk)
    by_search: dict[int, list[int]] = defaultdict(list)
    for search_id, record_id in members.values_list("search_id", "id").order_by("id"):
        by_search[search_id].append(record_id)
    searches = list(Search.objects.filter(pk__in=by_search).order_by("phase", "date_run", "id"))
    for search in searches:
        search.record_ids = by_search[search.pk]
    return searches


_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def diff_html(a: Any, b: Any) -> tuple[SafeString, SafeString]:
    """Both values escaped, with the words that differ wrapped in <mark>."""
    ta, tb = _TOKEN.findall(_text(a)), _TOKEN.findall(_text(b))
    la = [t.casefold() for t in ta]
    lb = [t.casefold() for t in tb]
    out_a: list[str] = []
    out_b: list[str] = []
    matcher = difflib.SequenceMatcher(None, la, lb, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        for tokens, lo, hi, out in ((ta, i1, i2, out_a), (tb, j1, j2, out_b)):
            for token in tokens[lo:hi]:
                if op == "equal" or token.isspace():
                    out.append(escape(token))
                else:
                    out.append(f"<mark>{escape(token)}</mark>")
    return mark_safe("".join(out_a)), mark_safe("".join(out_b))


DIFF_FIELDS = (
    ("title", "Title"),
    ("authors", "Authors"),
    ("journal", "Journal"),
    ("year", "Year"),
    ("volume", "Volume"),
    ("issue", "Issue"),
    ("pages", "Pages"),
    ("doi", "DOI"),
)


def pair_rows(a: Record, b: Record) -> list[dict]:
    """The lines of the side-by-side view: label, both values marked, and whether they differ."""
    rows = []
    for name, label in DIFF_FIELDS:
        va, vb = getattr(a, name), getattr(b, name)
        left, right = diff_html(va, vb)
        rows.append(
            {
                "label": label,
                "a": left,
                "b": right,
                "differs": _text(va).casefold().strip() != _text(vb).casefold().strip(),
            }
        )
    return rows
