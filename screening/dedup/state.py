"""The working state of one de-duplication change: rows in memory, written in bulk at the end.

Used by the automatic run and by a person's merge and split (screening.dedup.service).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from reviewapp.models import AuditEvent, Review
from screening.models import (
    Decision,
    DuplicateCluster,
    Outcome,
    Phase,
    Record,
    RecordStatus,
)

# Fields a merge may fill on the canonical record from the other members.
FILL_FIELDS = (
    "title", "title_alt", "abstract", "authors", "authors_alt", "year", "journal", "volume",
    "issue", "pages", "doi", "pmid", "keywords", "language", "publication_type", "url",
)  # fmt: skip
_LOAD = ("id", "cluster_id", "is_canonical", "search__phase", *FILL_FIELDS, "other_ids")
_EMPTY = ("", None, [], {})
_BATCH = 1000


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
    # cluster (id, or the new DuplicateCluster) -> its members' ids; kept by _set_cluster
    by_cluster: dict[Any, set[int]] = field(default_factory=lambda: defaultdict(set))

    def __post_init__(self) -> None:
        for i, row in self.rows.items():
            if row["cluster_id"] is not None:
                self.by_cluster[row["cluster_id"]].add(i)

    def members(self, cluster_id: Any) -> set[int]:
        return set(self.by_cluster.get(_ckey(cluster_id), ()))

    def set_cluster(self, record_id: int, cluster: Any) -> None:
        """Move a loaded record to `cluster` (an id, a new cluster, or None) in memory."""
        row = self.rows[record_id]
        old = row["cluster_id"]
        if old is not None:
            self.by_cluster[_ckey(old)].discard(record_id)
        row["cluster_id"] = cluster
        if cluster is not None:
            self.by_cluster[_ckey(cluster)].add(record_id)


def _ckey(cluster: Any) -> Any:
    """A cluster's id; a cluster not saved yet (no id, unhashable) by its identity."""
    return cluster if isinstance(cluster, int) else ("new", id(cluster))


def _load(review: Review, actor: Any, records: Any) -> _State:
    """Rows of `records` (a queryset, or a collection of ids) with their clusters' fills taken
    out, and their progress."""
    if isinstance(records, (set, list, tuple, frozenset)):
        ids = sorted(records)
        rows = {}
        for start in range(0, len(ids), 5000):
            chunk = review.records.filter(pk__in=ids[start : start + 5000])
            rows.update((r["id"], r) for r in chunk.values(*_LOAD).order_by())
    else:
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
        state.set_cluster(i, keep if keep is not None else cluster)
        rows[i]["is_canonical"] = i == canonical
    after = {"canonical": canonical, "members": sorted(group), "filled": sorted(filled)}
    state.events.append((action, cluster, before, after, message))
    return cluster


def _detach(state: _State, record_ids: Iterable[int]) -> None:
    for i in record_ids:
        state.membership[i] = (None, True)
        state.set_cluster(i, None)
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
