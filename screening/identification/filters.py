"""The records page's search, filters and facet counts; export_records --query uses the same.

Every filter lives in the URL (`?q=…&source=…&mine=exclude`), so a view can be bookmarked and
shared. The "mine" filter reads only the viewer's own decisions and "final" only resolved
outcomes, so filtering never reveals another reviewer's pending decision.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from reviewapp.compiled import Compiled
from reviewapp.models import ExclusionReason, Stage
from screening.identification import search
from screening.identification.signals import records_imported
from screening.models import Decision, Outcome, Phase, Record, RecordStatus, Report, Search
from screening.models.status_counts import status_counts

MINE = {
    "undecided": _("Not decided by me"),
    "include": _("I included"),
    "exclude": _("I excluded"),
    "maybe": _("Maybe (me)"),
}
FINAL = {
    Outcome.PENDING: _("Pending"),
    Outcome.INCLUDED: _("Included"),
    Outcome.EXCLUDED: _("Excluded"),
    Outcome.CONFLICT: _("In conflict"),
}
YES_NO = {"yes": _("Yes"), "no": _("No")}
# The facets' headings on the record list (the keys are the query's parameter names).
FACET_LABELS = {
    "source": _("Source"),
    "phase": _("Phase"),
    "year": _("Year"),
    "language": _("Language"),
    "final": _("Final decision"),
    "reason": _("Exclusion reason"),
    "mine": _("My decision"),
    "abstract": _("Abstract"),
}
NAMES = (
    "q",
    "source",
    "phase",
    "year",
    "language",
    "mine",
    "final",
    "reason",
    "abstract",
    "fulltext",
    "stage",
)


def languages_key(review) -> str:
    """The cache key of the review's record languages (its creation time too: a test database
    made again reuses ids, the cache outlives it)."""
    return f"record-languages:{review.pk}:{review.created_at.timestamp():.6f}"


@receiver(records_imported, dispatch_uid="filters.languages_after_import")
def _languages_after_import(sender, job, **kwargs) -> None:
    cache.delete_many([languages_key(job.review), record_groups_key(job.review)])


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@dataclass
class RecordFilters:
    q: str = ""
    source: str = ""
    phase: str = ""
    year: int | None = None
    language: str = ""
    mine: str = ""
    final: str = ""
    reason: int | None = None
    abstract: str = ""
    fulltext: str = ""
    stage: str = Stage.TITLE_ABSTRACT
    query: search.Query = field(default_factory=search.Query)

    @classmethod
    def from_params(cls, params: Mapping) -> RecordFilters:
        get = lambda name: (params.get(name) or "").strip()  # noqa: E731
        stage = get("stage")
        q = get("q")[:500]
        return cls(
            q=q,
            source=get("source")[:200],
            phase=get("phase") if get("phase") in Phase.values else "",
            year=_int(get("year")),
            language=get("language")[:60],
            mine=get("mine") if get("mine") in MINE else "",
            final=get("final") if get("final") in FINAL else "",
            reason=_int(get("reason")),
            abstract=get("abstract") if get("abstract") in YES_NO else "",
            fulltext=get("fulltext") if get("fulltext") in YES_NO else "",
            stage=stage if stage in Stage.values else Stage.TITLE_ABSTRACT,
            query=search.parse(q),
        )

    def kept(self) -> dict[str, str]:
        """The filters set, as URL parameters (stage only when not the default)."""
        values = {name: getattr(self, name) for name in NAMES}
        if values["stage"] == Stage.TITLE_ABSTRACT:
            values["stage"] = ""
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def url(self, **overrides) -> str:
        return "?" + urlencode({**self.kept(), **{k: v for k, v in overrides.items() if v}})

    @property
    def any(self) -> bool:
        return bool(self.kept())


def apply(
    records: QuerySet[Record], f: RecordFilters, viewer_id: int | None, review=None
) -> QuerySet[Record]:
    """The records matching every filter set. With `review` given, a status filter takes the
    review's statuses only, so `records` may be every record then (matching() does so)."""
    if not f.query.empty:
        records = search.apply(records, f.query, review)
    if review is not None and (f.source or f.phase):
        # The searches' ids, not a join: the planner then knows how few records match (a
        # join walked the id index through every other search's records, 1 s at 100,000).
        # Picked from the review's searches (a few rows, read by a compiled statement).
        searches = [
            pk
            for pk, source, phase in _searches.rows(review.pk)
            if (not f.source or source == f.source) and (not f.phase or phase == f.phase)
        ]
        records = records.filter(search_id__in=searches)
    elif f.source or f.phase:
        records = records.filter(**{k: v for k, v in (("search__source", f.source),
                                                       ("search__phase", f.phase)) if v})  # fmt: skip
    if f.year is not None:
        records = records.filter(year=f.year)
    if f.language:
        records = records.filter(language=f.language)
    if f.abstract:
        records = (
            records.exclude(abstract="") if f.abstract == "yes" else records.filter(abstract="")
        )
    if f.fulltext:
        has = Exists(
            Report.objects.filter(record_id=OuterRef("pk")).filter(~Q(file="") | ~Q(link=""))
        )
        records = records.filter(has) if f.fulltext == "yes" else records.exclude(has)
    if f.mine and viewer_id is not None:
        mine = Decision.objects.filter(
            record_id=OuterRef("pk"), reviewer_id=viewer_id, stage=f.stage
        )
        if f.mine == "undecided":
            records = records.exclude(Exists(mine))
        else:
            records = records.filter(Exists(mine.filter(value=f.mine)))
    if f.final or f.reason is not None:
        statuses = RecordStatus.objects.filter(stage=f.stage)
        if f.final:
            statuses = statuses.filter(outcome=f.final)
        if f.reason is not None:
            statuses = statuses.filter(final_reason_id=f.reason)
        if review is not None:
            # The review's statuses' record ids (an index-only scan of the statuses' counting
            # index), which matching() takes without a review condition on the records.
            records = records.filter(pk__in=statuses.filter(review=review).values("record_id"))
        else:
            records = records.filter(Exists(statuses.filter(record_id=OuterRef("pk"))))
    return records


def matching(review, f: RecordFilters, viewer_id: int | None) -> QuerySet[Record]:
    """The review's records matching every filter set (the records page).

    A status filter (final decision, reason) takes the records by the ids of the review's
    statuses, and a status is always its record's review's: the records then need no review
    condition of their own, so none of their rows is read to check it. Checking it cost a
    heap page per candidate (the rows are wide): 68 ms for the first 1,001 of 150,000 excluded
    records at 500,000, against 3 ms for the merge join of the two index-only scans."""
    if f.final or f.reason is not None:
        return apply(Record.objects.all(), f, viewer_id, review)
    return apply(review.records.all(), f, viewer_id, review)


# The counts' reads by review (its searches, its exclusion reasons' labels, my decisions), built
# and compiled once per process (reviewapp.compiled): the ORM built each on every first page
# of the list, ~0.5 ms of Python apiece, more than the database spends on them.
_searches = Compiled(
    lambda review_id: Search.objects.filter(review_id=review_id).values_list(
        "pk", "source", "phase"
    )
)
_reason_labels = Compiled(
    lambda review_id: ExclusionReason.objects.filter(review_id=review_id).values_list("pk", "label")
)
_my_decisions = Compiled(
    lambda review_id, reviewer_id, stage: (
        Decision.objects.filter(review_id=review_id, reviewer_id=reviewer_id, stage=stage)
        .values_list("value")
        .annotate(n=Count("*"))
    )
)


def facets(
    records: QuerySet[Record],
    f: RecordFilters,
    viewer_id: int | None,
    review,
    limit: int = 10_000,
) -> dict[str, list]:
    """Counts of the matching records (of `review`) by each filter's values:
    {facet: [(value, label, n)]}.

    A search is evaluated once: one query reads the matching records' narrow columns with
    their status and the viewer's decision (at most `limit` records), counted here. With no
    filter set the counts read the whole review through its indexes (migration 0009), never
    the wide record rows."""
    if not f.any:
        return _whole_review_facets(records, f, viewer_id, review)
    found = list(
        records.order_by()
        .annotate(
            has_abstract=ExpressionWrapper(~Q(abstract=""), output_field=BooleanField()),
            mine=FilteredRelation(
                "decisions",
                condition=Q(decisions__stage=f.stage, decisions__reviewer_id=viewer_id),
            ),
        )
        .values_list("search_id", "year", "language", "has_abstract", "mine__value", "pk")[:limit]
    )
    groups = Counter(row[:3] for row in found)
    with_abstract = Counter(row[:3] for row in found if row[3])
    out = _record_facets(review.pk, [(*k, n, with_abstract[k]) for k, n in groups.items()])
    # The statuses of these records by their ids (index probes): joined in the query above,
    # the planner read every status of the review instead (a hash join, 13 ms at 100,000).
    ids = [row[5] for row in found]
    statuses = (
        RecordStatus.objects.filter(
            among(ids, RecordStatus, "record_id"), stage=f.stage
        ).values_list("outcome", "final_reason_id")
        if ids
        else []
    )
    out.update(_status_facets(review.pk, Counter(s for s in statuses if s[0]).items()))
    if viewer_id is not None:
        out["mine"] = _mine_facet(Counter(row[4] for row in found if row[4]))
    return out


def among(ids: list[int], model, column: str) -> Q:
    """`column` of `model` among `ids`: on PostgreSQL one array parameter (`= ANY`), not an IN
    list of 1,000 parameters, which cost 14 ms to send and plan against 2 ms.

    The array goes as its text, '{1,2,3}': psycopg writes a list out element by element in
    Python, 0.55 ms of CPU for 1,000 ids against 0.13 ms. It is typed as psycopg types a list
    of ints (the smallest of int2, int4 and int8 that holds them), so the statement and its
    plan are the same as before: a bigint[] made the planner take a hashed scan of a small
    statuses table instead of the index."""
    if connection.vendor != "postgresql":
        return Q(**{f"{column}__in": ids})
    ids = [int(i) for i in ids]
    low, high = min(ids, default=0), max(ids, default=0)
    fits = lambda bits: -(2 ** (bits - 1)) <= low and high < 2 ** (bits - 1)  # noqa: E731
    kind = "int2" if fits(16) else "int4" if fits(32) else "int8"
    sql = f'"{model._meta.db_table}"."{column}" = ANY(%s::{kind}[])'
    return Q(RawSQL(sql, ["{" + ",".join(map(str, ids)) + "}"], BooleanField()))


def record_groups_key(review) -> str:
    """The cache key of the review's record counts by search, year and language (with its
    creation time, as languages_key)."""
    return f"record-groups:{review.pk}:{review.created_at.timestamp():.6f}"


def _whole_review_facets(records, f, viewer_id, review) -> dict[str, list]:
    review_id = review.pk
    # What the records hold changes only with an import (which clears this): grouping the
    # whole review's index was 15 ms at 100,000 records and 65 ms at 500,000, on every first
    # page of the list. The statuses change with each decision: their counts are kept by the
    # database (migration 0015), a few rows to sum; my decisions are read live.
    cached = cache.get(record_groups_key(review))
    if cached is None:
        grouped = records.order_by().values_list("search_id", "year", "language")
        rows = [(*key, n, 0) for *key, n in grouped.annotate(n=Count("*"))]
        without = Record.objects.filter(review_id=review_id, abstract="").count()
        cache.set(record_groups_key(review), (rows, without), 600)
    else:
        rows, without = cached
    out = _record_facets(review_id, rows)
    out["abstract"] = [("yes", YES_NO["yes"], sum(r[3] for r in rows) - without)]
    out.update(_status_facets(review_id, status_counts(review_id, f.stage)))
    if viewer_id is not None:
        out["mine"] = _mine_facet(dict(_my_decisions.rows(review_id, viewer_id, f.stage)))
    return out


def _status_facets(review_id: int, counts) -> dict[str, list]:
    final: Counter = Counter()
    reasons: Counter = Counter()
    for (outcome, reason), n in counts:
        final[outcome] += n
        if reason is not None:
            reasons[reason] += n
    labels = dict(_reason_labels.rows(review_id)) if reasons else {}
    return {
        "final": [(k, label, final[k]) for k, label in FINAL.items() if final.get(k)],
        "reason": [(k, labels.get(k, ""), n) for k, n in reasons.most_common()],
    }


def _mine_facet(mine) -> list:
    return [
        (k, label, mine.get(k, 0)) for k, label in MINE.items() if k != "undecided" and mine.get(k)
    ]


def _record_facets(review_id: int, rows: list[tuple]) -> dict[str, list]:
    """Source, phase, year, language and abstract counts from (search, year, language, n,
    with abstract) groups of the review's records."""
    searches = (
        {pk: (source, phase) for pk, source, phase in _searches.rows(review_id)} if rows else {}
    )
    source: Counter = Counter()
    phase: Counter = Counter()
    year: Counter = Counter()
    language: Counter = Counter()
    for search_id, y, lang, n, _with_abstract in rows:
        if search := searches.get(search_id):
            source[search[0]] += n
            phase[search[1]] += n
        if y is not None:
            year[y] += n
        if lang:
            language[lang] += n
    phases = dict(Phase.choices)
    return {
        "source": [(k, k, n) for k, n in sorted(source.items())],
        "phase": [(k, phases.get(k, ""), n) for k, n in sorted(phase.items())],
        "year": [(k, k, n) for k, n in sorted(year.items(), reverse=True)[:60]],
        "language": [(k, k, n) for k, n in language.most_common(30)],
        "abstract": [("yes", YES_NO["yes"], sum(r[4] for r in rows))],
    }
