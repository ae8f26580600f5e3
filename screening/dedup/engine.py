"""Pure de-duplication engine: plain record dicts in, duplicate clusters and uncertain pairs out.

No Django here on purpose: the same code runs in the Celery task, the management command, the
benchmark and the tests. The service layer (screening.dedup.service) turns a ``DedupResult``
into ``DuplicateCluster`` rows, review-queue entries and audit events.

How it decides, in order (each step has its own module in this package):

1. **Normalise** every record once (``normalise``, ``authors``, ``kinds``, ``records``): titles,
   authors, journal, pages, DOI, and what kind of record it is (notice, conference abstract).
2. **Block** (``blocking``): only records that share a cheap key (DOI, PMID, other id, title
   prefix/suffix, rare title words, first author + year, volume + first page) are compared, so
   the cost grows close to linearly with the number of records.
3. **Compare** each candidate pair (``rules``): the vetoes that stop two look-alike records from
   being merged (erratum vs article, conference abstract vs article, different numbers in the
   title, conflicting DOIs...), identifiers, then fuzzy similarity (rapidfuzz) of title,
   authors, year, journal, volume, issue and pages. A record printed where an article's own
   database note ("[Erratum appears in ...]") puts its erratum is that erratum, whatever its
   title says.
4. **Cluster** (``clustering``) the certain pairs strongest first; two groups are only joined
   when every member of one is compatible with every member of the other, so a chain of weak
   links never glues different works together.
5. Pairs that look alike but are not certain go to the **uncertain** list for a person.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .blocking import candidate_pairs
from .clustering import Groups, Judged, may_share_a_cluster
from .normalise import normalise_doi, normalise_title
from .records import (
    PreparedRecord,
    distrust_record_numbers,
    mark_cited_notices,
    prepare,
)
from .rules import CERTAIN, NOTICE_REASON, UNCERTAIN, compare
from .venue import normalise_journal, normalise_pages

__all__ = [
    "DedupResult",
    "Pair",
    "find_duplicates",
    "normalise_doi",
    "normalise_journal",
    "normalise_pages",
    "normalise_title",
    "notice_pairs",
    "resolve",
]


@dataclass
class Pair:
    """Two records and why the engine thinks they may be the same work."""

    a: Hashable
    b: Hashable
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class DedupResult:
    clusters: list[set]  # certain duplicate groups, each of size >= 2
    uncertain: list[Pair]  # for a person to decide (Merge / Not duplicates)
    stats: dict[str, Any]


def _prepare_all(records: Iterable[dict]) -> list[PreparedRecord]:
    preps = [prepare(r) for r in records]
    distrust_record_numbers(preps)
    mark_cited_notices(preps)
    return preps


def notice_pairs(
    records: Iterable[dict], pairs: Iterable[tuple[Hashable, Hashable]]
) -> dict[frozenset, str]:
    """Which of ``pairs`` (ids of ``records``) the engine keeps apart because one record is a
    notice about the other (erratum, retraction, reply, comment), with that kind.

    The issue's rule is that such notices are not duplicates of the article; benchmarks whose
    truth merges them use this to report recall with and without those pairs.
    """
    by_id = {p.id: p for p in _prepare_all(records)}
    out: dict[frozenset, str] = {}
    for x, y in pairs:
        a, b = by_id.get(x), by_id.get(y)
        if a is None or b is None:
            continue
        last = compare(a, b).reasons[-1:] or [""]
        if last[0].startswith(NOTICE_REASON):
            out[frozenset((x, y))] = last[0][len(NOTICE_REASON) :]
    return out


def _judge(
    preps: list[PreparedRecord],
    pairs: set[tuple[int, int]],
    blocked: set[frozenset],
    cache: dict[tuple[int, int], bool],
) -> tuple[list[Judged], list[Judged]]:
    """Compare every candidate pair: (certain pairs, uncertain pairs). Fills ``cache`` with
    whether the two records may share a cluster."""
    certain: list[Judged] = []
    uncertain: list[Judged] = []
    for i, j in sorted(pairs):
        a, b = preps[i], preps[j]
        if blocked and frozenset((a.id, b.id)) in blocked:
            cache[(i, j)] = False
            continue
        if a.cluster is not None and a.cluster == b.cluster:
            continue
        v = compare(a, b)
        cache[(i, j)] = may_share_a_cluster(a, b, v)
        if v.kind == CERTAIN:
            certain.append((v.score, i, j, v.reasons))
        elif v.kind == UNCERTAIN:
            uncertain.append((v.score, i, j, v.reasons))
    return certain, uncertain


def find_duplicates(
    records: Iterable[dict], *, not_duplicates: set[frozenset] | frozenset = frozenset()
) -> DedupResult:
    """Group records that describe the same work.

    ``records``: dicts with ``id`` and the importer's bibliographic keys (title, title_alt,
    abstract, authors, year, journal, volume, issue, pages, doi, pmid, other_ids,
    publication_type, language) and, on incremental runs, ``cluster`` (the existing cluster id).
    ``not_duplicates``: pairs of ids a person declared "Not duplicates"; they are never merged
    or queued again.
    """
    started = time.perf_counter()
    preps = _prepare_all(records)
    return resolve(preps, candidate_pairs(preps), not_duplicates=not_duplicates, started=started)


def resolve(
    preps: list[PreparedRecord],
    pairs: set[tuple[int, int]],
    *,
    not_duplicates: set[frozenset] | frozenset = frozenset(),
    started: float | None = None,
) -> DedupResult:
    """Judge the candidate ``pairs`` (indexes into ``preps``, already prepared and marked) and
    cluster them. The incremental run (screening.dedup.incremental) gives only the pairs that
    involve a new record, found through the stored blocking keys."""
    started = time.perf_counter() if started is None else started
    blocked = {frozenset(x) for x in not_duplicates}
    cache: dict[tuple[int, int], bool] = {}
    certain, uncertain = _judge(preps, pairs, blocked, cache)

    groups = Groups(preps, blocked, cache)
    # members of an existing cluster are already one work: keep them together
    existing: dict[Hashable, list[int]] = defaultdict(list)
    for i, p in enumerate(preps):
        if p.cluster is not None:
            existing[p.cluster].append(i)
    for members in existing.values():
        for other in members[1:]:
            groups.union(members[0], other)

    rejected = groups.join_certain(certain)
    clusters = groups.clusters()
    queue = [
        Pair(a, b, score, reasons)
        for a, b, score, reasons in groups.questions(uncertain + rejected)
    ]
    stats = {
        "records": len(preps),
        "candidate_pairs": len(pairs),
        "certain_pairs": len(certain),
        "clusters": len(clusters),
        "records_in_clusters": sum(len(c) for c in clusters),
        "duplicates_removed": sum(len(c) - 1 for c in clusters),
        "uncertain": len(queue),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return DedupResult(clusters=clusters, uncertain=queue, stats=stats)
