"""Incremental de-duplication: each run compares only the records that are new (or edited)
since the last run against the review, through blocking keys stored in ``DedupKey``.

    batch = plan(review)      # None: nothing new, nothing to do
    result = resolve(batch.preps, batch.pairs, not_duplicates=...)
    store(review, batch)      # the new records' keys, and the mark that they were compared

A record is new while it has no stored ("seen", KEYS_VERSION) key: imported since the last
run, edited since (``forget`` deletes an edited record's keys), or keyed under an older
version. Its keys (``blocking.block_keys``: DOI, PMID, other ids, title pieces, rare title words,
first author + year, volume + first page, year + first page) are hashed to 64 bits and looked up
in the review's stored keys; only the earlier records sharing a key (the *partners*) are loaded
and prepared, with the whole clusters they are in. A key shared by more than ``_MAX_BLOCK``
records of the review (new and earlier counted together) is too common to block on, as in the
full engine, except for identifiers. So the cost grows with the new records and their partners,
not with the review, and a run with nothing new reads one index and stops.

Two facts the engine derives from the whole set of records are kept right on a subset:

- ``distrust_record_numbers`` (an issue column holding record numbers) looks at stretches of
  records as they were exported: it runs on the new records of each search, in import order,
  and what it decides is stored (an ("issue ignored", KEYS_VERSION) key), so a record loaded
  later as a partner is prepared exactly as when it was new;
- ``mark_cited_notices`` (a record printed where another record's note puts an erratum is that
  erratum): every loaded record's citing and cited records are found through two more stored
  keys, ("note", volume, page) for each note and the ("vp", volume, page) blocking key, and
  loaded as context (never compared) before the marking runs.

Change ``KEYS_VERSION`` whenever the normalisation or the keys change: every record of a review
is then new again at its next run and is keyed (and compared) afresh.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import combinations

from django.db import connection
from django.db.models import Exists, OuterRef

from reviewapp.models import Review
from screening.dedup.blocking import _MAX_BLOCK, block_keys
from screening.dedup.records import (
    PreparedRecord,
    distrust_record_numbers,
    from_plain,
    mark_cited_notices,
    prepare,
    to_plain,
)
from screening.models import DedupKey, DedupPrepared, DuplicateCluster, Record

KEYS_VERSION = 2  # 2: addenda are notices; names with character references read as letters;
# ordinal words up to the twentieth read as numbers
_ID_KINDS = {"doi", "pmid", "id"}  # identifiers: a block of any size is compared
MATCH_FIELDS = (
    "id", "search_id", "cluster_id", "title", "title_alt", "authors",
    "year", "journal", "volume", "issue", "pages", "doi", "pmid", "other_ids",
    "publication_type", "language",
)  # fmt: skip
_CHUNK = 5000
_NONE: frozenset = frozenset()


def key_hash(key: tuple) -> int:
    """A blocking key as a signed 64-bit integer, the same in every process."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _seen() -> int:
    return key_hash(("seen", KEYS_VERSION))


def _issue_ignored() -> int:
    return key_hash(("issue ignored", KEYS_VERSION))


def forget(records: Iterable[Record | int]) -> None:
    """The records' fields changed: the next run compares them again, with fresh keys."""
    ids = [getattr(r, "pk", r) for r in records]
    for chunk in _chunks(ids):
        DedupKey.objects.filter(record_id__in=chunk).delete()
        DedupPrepared.objects.filter(pk__in=chunk).delete()


@dataclass
class Batch:
    """One run's work: the new records, their partners and context, the pairs to judge."""

    preps: list[PreparedRecord] = field(default_factory=list)
    index: dict[int, int] = field(default_factory=dict)  # record id -> position in preps
    new: list[int] = field(default_factory=list)  # ids of the new records, in import order
    pairs: set[tuple[int, int]] = field(default_factory=set)  # positions, the lower first
    keys: list[tuple[int, int]] = field(default_factory=list)  # (key, record id) to store
    issue_ignored: list[int] = field(default_factory=list)  # new ids whose issue is ignored
    # new id -> prepared values as prepare() gave them, where this run's marking changed them
    before: dict[int, dict] = field(default_factory=dict)
    partners: int = 0  # earlier records compared with the new ones

    def add(self, prep: PreparedRecord) -> None:
        self.index[prep.id] = len(self.preps)
        self.preps.append(prep)


def _chunks(ids: Iterable[int], size: int = _CHUNK) -> Iterator[list[int]]:
    ids = sorted(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _fills(review: Review, cluster_ids: set[int]) -> dict[int, dict]:
    """canonical record id -> the values it had before its cluster filled it."""
    out = {}
    for chunk in _chunks(cluster_ids):
        for canonical, filled in DuplicateCluster.objects.filter(
            review=review, pk__in=chunk
        ).values_list("canonical_id", "filled"):
            if filled:
                out[canonical] = filled
    return out


def _prepare_rows(
    review: Review, rows: list[dict], *, keep_cluster: bool = True, ignored: frozenset = _NONE
) -> list:
    """Prepared records of `rows` as exported (a cluster's fills taken out)."""
    fills = _fills(review, {r["cluster_id"] for r in rows if r["cluster_id"]})
    preps = []
    for row in rows:
        if row["id"] in fills:
            row.update(fills[row["id"]])
        row["cluster"] = row["cluster_id"] if keep_cluster else None
        prep = prepare(row)
        if row["id"] in ignored:
            prep.issue = ""
        preps.append(prep)
    return preps


def _load(review: Review, ids: Iterable[int], *, keep_cluster: bool = True) -> list:
    """Prepared records of earlier records: as stored when they were new (DedupPrepared), or
    prepared again from their fields."""
    preps: list[PreparedRecord] = []
    for chunk in _chunks(ids):
        clusters = dict(review.records.filter(pk__in=chunk).values_list("id", "cluster_id"))
        stored = DedupPrepared.objects.filter(pk__in=chunk, version=KEYS_VERSION)
        cached = dict(stored.values_list("record_id", "data"))
        # what distrust_record_numbers decided when they were new
        ignored = frozenset(
            DedupKey.objects.filter(record_id__in=chunk, key=_issue_ignored()).values_list(
                "record_id", flat=True
            )
        )
        for record_id, data in cached.items():
            if record_id not in clusters:
                continue
            prep = from_plain(
                record_id, clusters[record_id] if keep_cluster else None, json.loads(data)
            )
            if record_id in ignored:
                prep.issue = ""
            preps.append(prep)
        missing = [i for i in chunk if i in clusters and i not in cached]
        rows = list(review.records.filter(pk__in=missing).values(*MATCH_FIELDS).order_by("id"))
        preps += _prepare_rows(review, rows, keep_cluster=keep_cluster, ignored=ignored)
    return preps


def _stored(review: Review, keys: Iterable[int]) -> dict[int, list[int]]:
    """key -> ids of the records of the review that have it stored."""
    found: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(set(keys)):
        for key, record_id in DedupKey.objects.filter(review=review, key__in=chunk).values_list(
            "key", "record_id"
        ):
            found[key].append(record_id)
    return found


def _new_records(review: Review, batch: Batch) -> None:
    """Prepare the new records, decide their issue columns search by search, key them."""
    seen = DedupKey.objects.filter(review=review, key=_seen(), record_id=OuterRef("pk"))
    new = review.records.filter(~Exists(seen)).order_by("id")
    by_search: dict[int, list[PreparedRecord]] = defaultdict(list)
    rows: list[dict] = []
    for row in new.values(*MATCH_FIELDS).iterator(chunk_size=_CHUNK):
        rows.append(row)
        if len(rows) >= _CHUNK:
            _add_new(review, batch, rows, by_search)
            rows = []
    _add_new(review, batch, rows, by_search)
    for preps in by_search.values():
        had = [p.issue for p in preps]
        distrust_record_numbers(preps)
        for p, issue in zip(preps, had, strict=True):
            if issue and not p.issue:
                batch.issue_ignored.append(p.id)
                batch.before[p.id] = {"issue": issue}


def _add_new(review: Review, batch: Batch, rows: list[dict], by_search: dict) -> None:
    searches = [r["search_id"] for r in rows]
    for prep, search in zip(_prepare_rows(review, rows), searches, strict=True):
        batch.add(prep)
        batch.new.append(prep.id)
        by_search[search].append(prep)


def _blocks(batch: Batch) -> tuple[dict[int, list[int]], set[int]]:
    """(key -> ids of the new records that have it, the keys that are identifiers); the keys
    to store go to ``batch.keys`` (the blocking keys and one per notice the title cites)."""
    blocks: dict[int, list[int]] = defaultdict(list)
    ids: set[int] = set()
    for record_id in batch.new:
        prep = batch.preps[batch.index[record_id]]
        hashes = set()
        for key in block_keys(prep):
            h = key_hash(key)
            hashes.add(h)
            blocks[h].append(record_id)
            if key[0] in _ID_KINDS:
                ids.add(h)
        for _, _, volume, page in prep.notes:
            hashes.add(key_hash(("note", volume, page)))
        hashes.add(_seen())
        batch.keys += [(h, record_id) for h in hashes]
    batch.keys += [(_issue_ignored(), record_id) for record_id in batch.issue_ignored]
    return blocks, ids


def _pairs(review: Review, batch: Batch) -> set[tuple[int, int]]:
    """Pairs of record ids sharing a key, each with at least one new record."""
    blocks, id_keys = _blocks(batch)
    has_keys = DedupKey.objects.filter(review=review).exists()
    earlier = _stored(review, blocks) if has_keys else {}
    pairs: set[tuple[int, int]] = set()
    for key, new_ids in blocks.items():
        old = earlier.get(key, ())
        if len(new_ids) + len(old) < 2:
            continue
        if len(new_ids) + len(old) > _MAX_BLOCK and key not in id_keys:
            continue
        for a, b in combinations(new_ids, 2):
            pairs.add((a, b) if a < b else (b, a))
        for a in new_ids:
            for b in old:
                pairs.add((a, b) if a < b else (b, a))
    return pairs


def _notice_context(review: Review, batch: Batch) -> set[int]:
    """Ids of the records, not loaded yet, that cite a loaded record as a notice or are cited
    by one: mark_cited_notices needs both sides."""
    keys = set()
    for prep in batch.preps:
        if prep.volume and prep.first_page:
            keys.add(key_hash(("note", prep.volume, prep.first_page)))
        for _, _, volume, page in prep.notes:
            keys.add(key_hash(("vp", volume, page)))
    found = _stored(review, keys)
    return {i for ids in found.values() for i in ids} - set(batch.index)


def plan(review: Review) -> Batch | None:
    """What this run must judge; None when no record is new."""
    batch = Batch()
    _new_records(review, batch)
    if not batch.new:
        return None
    # keys the new records still have (of an older version) go: they are keyed again below
    forget(batch.new)
    id_pairs = _pairs(review, batch)
    partners = {i for pair in id_pairs for i in pair} - set(batch.index)
    batch.partners = len(partners)
    for prep in _load(review, partners):
        batch.add(prep)
    # whole clusters: the engine checks a newcomer against every member of a cluster
    clusters = {p.cluster for p in batch.preps if p.cluster is not None}
    mates = set()
    for chunk in _chunks(clusters):
        mates.update(review.records.filter(cluster_id__in=chunk).values_list("id", flat=True))
    for prep in _load(review, mates - set(batch.index)):
        batch.add(prep)
    # context for the notice marking only: never paired, outside any cluster here
    for prep in _load(review, _notice_context(review, batch), keep_cluster=False):
        batch.add(prep)
    markers = {i: batch.preps[batch.index[i]].markers for i in batch.new}
    mark_cited_notices(batch.preps)
    for i, was in markers.items():
        if batch.preps[batch.index[i]].markers is not was:
            batch.before.setdefault(i, {})["markers"] = was
    index = batch.index
    batch.pairs = {
        (index[a], index[b]) if index[a] < index[b] else (index[b], index[a])
        for a, b in id_pairs
        if a in index and b in index  # a key left by a record deleted without the ORM
    }
    return batch


def store(review: Review, batch: Batch) -> None:
    """Store the new records' keys, with the one that marks them compared (in the run's
    transaction: a run that fails leaves them new)."""
    prepared = ((i, KEYS_VERSION, _plain(batch, i)) for i in batch.new)
    if connection.vendor == "postgresql":
        keys = f"COPY {DedupKey._meta.db_table} (review_id, key, record_id) FROM STDIN"
        preps = f"COPY {DedupPrepared._meta.db_table} (record_id, version, data) FROM STDIN"
        with connection.cursor() as cursor:
            review_id = review.pk
            _copy(cursor, keys, (f"{review_id}\t{k}\t{r}\n" for k, r in batch.keys))
            # COPY's text format: a backslash is its escape (JSON has no raw tab or newline)
            rows = (f"{i}\t{v}\t{d.replace(chr(92), chr(92) * 2)}\n" for i, v, d in prepared)
            _copy(cursor, preps, rows)
    else:
        DedupKey.objects.bulk_create(
            [DedupKey(review=review, key=k, record_id=r) for k, r in batch.keys], batch_size=2000
        )
        DedupPrepared.objects.bulk_create(
            [DedupPrepared(record_id=i, version=v, data=d) for i, v, d in prepared],
            batch_size=2000,
        )


def _copy(cursor, sql: str, lines: Iterable[str]) -> None:
    """COPY ... FROM STDIN in text format, lines joined 10,000 at a time."""
    with cursor.cursor.copy(sql) as copy:
        buffer: list[str] = []
        for line in lines:
            buffer.append(line)
            if len(buffer) >= 10_000:
                copy.write("".join(buffer))
                buffer = []
        if buffer:
            copy.write("".join(buffer))


def _plain(batch: Batch, record_id: int) -> str:
    """The new record as prepare() gave it (before this run's issue and notice decisions)."""
    prep = batch.preps[batch.index[record_id]]
    before = batch.before.get(record_id)
    if before:
        prep = replace(prep, **before)
    return json.dumps(to_plain(prep), separators=(",", ":"), ensure_ascii=False)
