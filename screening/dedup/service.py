"""De-duplication inside a review: clusters in the database, a queue of pairs for a person, undo.

    report = run_dedup(review, user=lead)          # after each import (task) and on demand
    cluster = merge([rec1, rec2], by=lead)          # a person's merge
    split(cluster, by=lead)                         # undo: every member and field as before
    decide_pair(candidate, "merge" | "not_duplicates", by=lead)

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

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from itertools import combinations
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext

from reviewapp import jobs
from reviewapp.audit import record_event
from reviewapp.models import Review
from reviewapp.services import ReviewError
from screening.dedup import incremental, signals
from screening.dedup.engine import resolve
from screening.dedup.state import (
    _BATCH,
    _choose_canonical,
    _detach,
    _fill,
    _flush,
    _group,
    _load,
    _restore,
    _snapshot,
    _State,
)
from screening.identification.signals import records_imported
from screening.identification.writes import ANALYZE_AFTER, analyze
from screening.models import (
    DedupKey,
    DuplicateCandidate,
    DuplicateCluster,
    NotDuplicatePair,
    Record,
)

logger = logging.getLogger(__name__)

Status = DuplicateCandidate.Status


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
    """De-duplicate the records new (or edited) since the last run against the whole review.

    Incremental (screening.dedup.incremental): the new records are compared with the earlier
    records they share a stored blocking key with, never the review with itself again; a run
    with nothing new changes nothing. Certain clusters are merged; existing clusters keep their
    members and, once screened, their canonical record, so an update-phase duplicate of a
    screened record joins it unscreened. Uncertain pairs not decided before are queued.
    """
    import time

    started = time.perf_counter()
    with transaction.atomic():
        _lock(review)
        batch = incremental.plan(review)
        if batch is None:
            _settle_open_pairs(review)
            return _report(review, seconds=round(time.perf_counter() - started, 3))
        result = resolve(batch.preps, batch.pairs, not_duplicates=_not_duplicates(review))
        incremental.store(review, batch)
        joined = _merge_clusters(review, user, batch, result.clusters)
        new = _queue(review, result.uncertain)
        _settle_open_pairs(review)
        report = _report(
            review,
            auto_merged=joined,
            queued=len(new),
            seconds=round(time.perf_counter() - started, 3),
        )
        if joined or new:
            record_event(
                review,
                user,
                "dedup.run",
                review,
                after=asdict(report),
                message=f"De-duplication: {joined} records merged, {len(new)} pairs queued",
            )
    if len(batch.new) >= 10 * ANALYZE_AFTER:
        # the keys table grew and records changed clusters: the next queries plan with that
        analyze(DedupKey, Record, DuplicateCluster, DuplicateCandidate)
    return report


def _merge_clusters(review: Review, user: Any, batch, clusters: list[set]) -> int:
    """Write the engine's clusters; only those that are not an existing cluster as it stands
    are loaded in full (the engine's input holds whole clusters, so one that gained or joined
    nothing has exactly the members of one stored cluster)."""
    preps, index = batch.preps, batch.index

    def unchanged(group: set) -> bool:
        found = {preps[index[i]].cluster for i in group}
        return len(found) == 1 and None not in found

    changed = [g for g in clusters if not unchanged(g)]
    state = _load(review, user, {i for g in changed for i in g})
    for group in sorted(changed, key=min):
        _group(state, set(group), method="auto", message="Merged automatically")
    _flush(state)
    return state.joined


def _queue(review: Review, uncertain: list) -> list[DuplicateCandidate]:
    """Queue the uncertain pairs not asked before and not answered by a cluster.

    One question per two groups (a cluster, or a record on its own): a pair is not asked when a
    pair already asked joins the same two groups, whichever records stand for them. So a run
    that compares records again (new KEYS_VERSION, a restored review) asks nothing twice."""
    known = set(
        DuplicateCandidate.objects.filter(review=review).values_list("record_a_id", "record_b_id")
    )
    pairs = [tuple(sorted((int(p.a), int(p.b)))) for p in uncertain]
    ids = sorted({i for pair in known for i in pair} | {i for pair in pairs for i in pair})
    cluster_of: dict[int, int | None] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        cluster_of.update(review.records.filter(pk__in=chunk).values_list("id", "cluster_id"))

    def groups(a: int, b: int) -> frozenset:
        return frozenset(
            ("cluster", cluster_of[i]) if cluster_of.get(i) else ("record", i) for i in (a, b)
        )

    asked = {groups(a, b) for a, b in known}
    new = []
    for pair, (a, b) in zip(uncertain, pairs, strict=True):
        question = groups(a, b)
        if len(question) < 2 or question in asked:
            continue
        asked.add(question)
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
    return new


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
    """The records and every member of their clusters. The clusters' ids are read first: as a
    subquery inside the OR, the planner read every record of the table for it (250-880 ms at
    110,000 records); as a list, a BitmapOr of the primary key and the cluster index."""
    ids = list(record_ids)
    clusters = list(
        review.records.filter(pk__in=ids, cluster__isnull=False)
        .values_list("cluster_id", flat=True)
        .distinct()
    )
    return review.records.filter(Q(pk__in=ids) | Q(cluster_id__in=clusters))


def _merge_ids(
    review: Review, record_ids: Iterable[int], by: Any, *, method: str, score: float | None
) -> DuplicateCluster:
    ids = {int(i) for i in record_ids}
    state = _load(review, by, _with_clusters(review, ids))
    if not ids <= set(state.rows):
        raise DedupError(gettext("These records are not all in this review."))
    group = set(ids)
    for i in ids:
        if state.rows[i]["cluster_id"]:
            group |= state.members(state.rows[i]["cluster_id"])
    if len(group) < 2:
        raise DedupError(gettext("Choose at least two records to merge."))
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
        raise DedupError(gettext("Choose at least two records to merge."))
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
            raise DedupError(gettext("This cluster was already split."))
        state = _load(review, by, review.records.filter(cluster_id=cluster.pk))
        members = set(state.rows)
        leaving = members if records is None else {int(getattr(r, "pk", r)) for r in records}
        leaving &= members
        if not leaving:
            raise DedupError(gettext("Choose the records that leave the cluster."))
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
        raise DedupError(gettext("Choose Merge or Not duplicates."))
    review = candidate.review
    with transaction.atomic():
        _lock(review)
        pair = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
        if pair.status != Status.OPEN:
            who = pair.decided_by.display_name if pair.decided_by else "the automatic run"
            raise DedupError(
                gettext("This pair was already decided (%(get_status_display)s, by %(who)s).")
                % {"get_status_display": pair.get_status_display(), "who": who}
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
