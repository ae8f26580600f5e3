"""PRISMA 2020 counts from the database: ``counts_for(review) -> PrismaCounts``.

Every number is counted from the review's searches, records, statuses and reports, except the
few a lead types in (``MANUAL_FIELDS``), which every export marks. ``screening.prisma_diagram``
lays the counts out; this module only counts, and renders through it.

How the boxes are counted (per phase: an updated review's main column shows only its update):

- a *work* is a canonical record (one per duplicate cluster); it belongs to the earliest phase
  any member of its cluster was found in, and to the databases-and-registers column when any
  member came from a database or register search, else to the other-methods column;
- records identified = every imported record of the phase's searches, duplicates included,
  per source (searches with the same source are added up; a search that found nothing shows 0);
- duplicates removed = records identified − works of the phase, so an update record that
  duplicates an earlier-phase record counts as a duplicate in the update;
- removed by automation / for other reasons = ``automation_counts`` (manual entries for now);
- records screened = works − those removed; excluded = works excluded at title/abstract;
- reports sought = works included at title/abstract (or holding a report); not retrieved =
  reports marked not retrieved; assessed = sought − not retrieved; excluded = reports excluded
  at full text, per final reason; reports included = reports included at full text; studies
  included = distinct studies of those reports (a report not linked to a study is its own).

Works still awaiting a decision make the arithmetic not add up yet; ``flow_for`` says how many.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext

from reviewapp.audit import record_event
from reviewapp.models import ExclusionReason, Review, Stage
from screening.models import (
    Outcome,
    Phase,
    PrismaOverride,
    Record,
    RecordStatus,
    Report,
    ScreeningStop,
    Search,
    SourceType,
    StoppedRecord,
)
from screening.prisma import diagram as prisma_diagram
from screening.prisma import flow
from screening.prisma.flow import PrismaCounts, Source
from screening.prisma.layout import _Texts

# What a lead may type in: what happened outside the app, so the data cannot know it.
MANUAL_FIELDS = ("excluded_automatic", "excluded_other")
REASON_NOT_RECORDED = "Reason not recorded"
DBR_TYPES = (SourceType.DATABASE, SourceType.REGISTER)
OTHER_KINDS = {
    SourceType.WEBSITE: "website_specific_results",
    SourceType.ORGANISATION: "organisation_specific_results",
    SourceType.CITATION: "citations_specific_results",
}


@dataclass
class _Column:
    """One column of one phase: databases and registers ("dbr") or other methods ("other")."""

    works: int = 0
    ta_excluded: int = 0
    ta_pending: int = 0
    sought: int = 0
    not_retrieved: int = 0
    ft_excluded: Counter = field(default_factory=Counter)  # reason id (or None) -> n
    ft_pending: int = 0
    reports_included: int = 0
    studies: Counter = field(default_factory=Counter)  # study id -> included reports
    unlinked_reports: int = 0  # included reports not linked to a study: a study each


@dataclass
class Flow:
    """The diagram's counts and what is still awaiting work (why the arithmetic may not add up)."""

    counts: PrismaCounts
    awaiting_screening: int = 0
    awaiting_full_text: int = 0

    @property
    def problems(self) -> list[str]:
        return flow.check_arithmetic(self.counts, gettext)


def main_phase(review: Review) -> str:
    """The phase the diagram's main column shows: the update once the review has one."""
    has_update = Search.objects.filter(review=review, phase=Phase.UPDATE).exists()
    return Phase.UPDATE if has_update else Phase.INITIAL


def automation_counts(
    review: Review,
    phase: str,
    *,
    overrides: dict[str, PrismaOverride] | None = None,
    main: str | None = None,
) -> tuple[int, int]:
    """(records marked ineligible by automation tools, records removed for other reasons).

    The hook for stopping rules (issue 11): when screening records a lead's decision to stop
    screening, count the records it set aside here, by phase, and add the manual entries. For
    now only the lead's manual entries exist; they describe the diagram's main column, so they
    count only for the review's main phase. Both numbers are subtracted from the records
    screened: they are records that were imported but not screened.
    """
    if overrides is None:
        overrides = _overrides(review)
    stopped = _stopped_counts(review, phase)  # issue 11: a lead's stop on screening
    if phase != (main or main_phase(review)):
        return stopped
    automatic, other = ((overrides[n].value or 0) if n in overrides else 0 for n in MANUAL_FIELDS)
    return automatic + stopped[0], other + stopped[1]


def _stopped_counts(review: Review, phase: str) -> tuple[int, int]:
    """Records a lead stopped screening (ScreeningStop), by how the lead chose to report them."""
    rows = dict(
        StoppedRecord.objects.filter(stop__review=review, record__search__phase=phase)
        .values_list("stop__report_as")
        .annotate(n=Count("pk"))
    )
    return rows.get(ScreeningStop.ReportAs.AUTOMATION, 0), rows.get(ScreeningStop.ReportAs.OTHER, 0)


def _overrides(review: Review) -> dict[str, PrismaOverride]:
    return {o.data: o for o in PrismaOverride.objects.filter(review=review)}


def counts_for(review: Review) -> PrismaCounts:
    """Every box of the review's PRISMA 2020 diagram, from the database."""
    return flow_for(review).counts


def flow_for(review: Review) -> Flow:
    """The counts and the work still pending, in a fixed number of queries."""
    searches = _searches(review)  # query 1
    identified = _identified(searches)
    phases = {phase for phase, _, _, _ in identified}
    main = Phase.UPDATE if Phase.UPDATE in phases else Phase.INITIAL
    overrides = _overrides(review)  # query 2
    # Only update-phase and other-methods records can belong to another column than their own.
    reaching = main == Phase.UPDATE or any(kind in OTHER_KINDS for _, kind, _, _ in identified)
    columns = _columns(review, searches, reaching=reaching)  # queries 3 to 5
    reasons = _reason_labels(review, columns)  # query 6 (only when full-text exclusions exist)
    excluded_automatic, excluded_other = automation_counts(
        review, main, overrides=overrides, main=main
    )

    def sources(kinds: tuple[str, ...]) -> list[Source]:
        return [
            (source, n) for phase, kind, source, n in identified if phase == main and kind in kinds
        ]

    dbr = columns.get((main, "dbr"), _Column())
    database = sources((SourceType.DATABASE,))
    register = sources((SourceType.REGISTER,))
    counts = PrismaCounts(
        database_specific_results=database,
        register_specific_results=register,
        duplicates=sum(n for _, n in database + register) - dbr.works,
        excluded_automatic=excluded_automatic,
        excluded_other=excluded_other,
        records_screened=dbr.works - excluded_automatic - excluded_other,
        records_excluded=dbr.ta_excluded,
        dbr_sought_reports=dbr.sought,
        dbr_notretrieved_reports=dbr.not_retrieved,
        dbr_assessed=dbr.sought - dbr.not_retrieved,
        dbr_excluded=_reasons(dbr, reasons),
    )
    has_other = any(phase == main and kind in OTHER_KINDS for phase, kind, _, _ in identified)
    if has_other:
        other = columns.get((main, "other"), _Column())
        for kind, name in OTHER_KINDS.items():
            setattr(counts, name, sources((kind,)))
        counts.other_sought_reports = other.sought
        counts.other_notretrieved_reports = other.not_retrieved
        counts.other_assessed = other.sought - other.not_retrieved
        counts.other_excluded = _reasons(other, reasons)

    main_columns = [c for (phase, _), c in columns.items() if phase == main]
    earlier = [c for (phase, _), c in columns.items() if phase != main]
    previous_studies = _studies(earlier)
    counts.new_reports = sum(c.reports_included for c in main_columns)
    # A study already included in the earlier phase is not new, even with a new report.
    counts.new_studies = len(_studies(main_columns) - previous_studies) + sum(
        c.unlinked_reports for c in main_columns
    )
    if main == Phase.UPDATE:
        counts.previous_studies = len(previous_studies) + sum(c.unlinked_reports for c in earlier)
        counts.previous_reports = sum(c.reports_included for c in earlier)

    counts.manual = {
        name for name in MANUAL_FIELDS if name in overrides and overrides[name].value is not None
    }
    counts.box_text = {o.data: o.box_text for o in overrides.values() if o.box_text.strip()}
    return Flow(
        counts,
        awaiting_screening=max(
            0, sum(c.ta_pending for c in main_columns) - excluded_automatic - excluded_other
        ),
        awaiting_full_text=sum(c.ft_pending for c in main_columns),
    )


def _studies(columns: list[_Column]) -> set[int]:
    return {study for c in columns for study, n in c.studies.items() if n > 0}


class _Search(NamedTuple):
    id: int
    phase: str
    kind: str  # source type
    source: str
    records: int
    duplicates: int  # records merged into another (not canonical)

    @property
    def works(self) -> int:
        return self.records - self.duplicates


def _searches(review: Review) -> list[_Search]:
    """The review's searches in the order they were added, with their records counted.

    A count of each search's range of the (search, id) index, never the record rows (issue 21:
    a join and GROUP BY read every record, 1.5 s at 100,000; a grouped count of the whole
    review's index took 28 ms at 100,000, these range counts 9 ms); the duplicates, few,
    through the (review, is_canonical) index."""
    records = Record.objects.filter(search=OuterRef("pk")).order_by()
    duplicates = records.filter(review=review, is_canonical=False)

    def count(rows: QuerySet) -> Coalesce:
        return Coalesce(Subquery(rows.values("search").annotate(n=Count("*")).values("n")), 0)

    return [
        _Search(*row)
        for row in Search.objects.filter(review=review)
        .order_by("id")
        .annotate(n=count(records), d=count(duplicates))
        .values_list("id", "phase", "source_type", "source", "n", "d")
    ]


def _identified(searches: list[_Search]) -> list[tuple[str, str, str, int]]:
    """(phase, source type, source, records) per source, in the order the searches were added."""
    groups: dict[tuple[str, str, str], int] = {}
    for search in searches:
        key = (search.phase, search.kind, search.source)
        groups[key] = groups.get(key, 0) + search.records
    return [(*key, n) for key, n in groups.items()]


# Where a work stands after title/abstract (with "phase" and "kind": its column).
FULL_TEXT = {
    "phase": F("search__phase"),
    "kind": F("search__source_type"),
    "ft_outcome": F("ft__outcome"),
    "ft_reason": F("ft__final_reason_id"),
    "retrieval": F("report__retrieval"),
    "study": F("report__study_id"),
}


def _columns(
    review: Review, searches: list[_Search], *, reaching: bool = True
) -> dict[tuple[str, str], _Column]:
    """Works grouped by phase, column and where they stand, in three or four aggregate queries.

    Most works never get past title/abstract: awaiting a decision or excluded there, with no
    report. Those are counted without reading a record row (issue 21: grouping every work with
    its statuses and report grew with the review, 600 ms at 500,000): the works per search
    (counted with the searches, by an index) less those excluded at title/abstract without a
    report (narrow indexes of the statuses, the duplicates and the reports) are awaiting
    screening. Only the few works included at title/abstract or holding a report are then
    grouped with their full-text status and report, and moved to where they stand.

    The last query (`reaching`: only for a review with an update or other methods) finds the
    few works whose cluster reaches further (an update record merged with an earlier one, an
    other-methods record merged with a database one) and moves them. Plain queries rather than
    one with a subquery per record: PostgreSQL plans and runs them far faster.
    """
    excluded = _excluded_at_screening(review, searches)
    columns: dict[tuple[str, str], _Column] = defaultdict(_Column)
    for search in searches:
        column = columns[_key(search.phase, search.kind)]
        column.works += search.works
        column.ta_excluded += excluded.get(search.id, 0)
        column.ta_pending += search.works - excluded.get(search.id, 0)

    # The few: included at title/abstract or holding a report. Each was counted above as
    # awaiting screening; it moves to where it stands. Where it stood at title/abstract does
    # not matter to where it stands now (`_tally` reads it only for a work without a report,
    # and such a work is here because it was included), so no join to every TA status.
    kinds = {s.id: (s.phase, s.kind) for s in searches}
    for search_id, *where, n in _beyond_screening(review):
        column = columns[_key(*kinds[search_id])]
        _tally(column, {"ta_outcome": None, "ft_outcome": None, "retrieval": None}, -n)
        row = dict(zip(("ft_outcome", "ft_reason", "retrieval", "study"), where, strict=True))
        _tally(column, {**row, "ta_outcome": Outcome.INCLUDED}, n)
    if not reaching:
        return dict(columns)

    works = Record.objects.filter(review=review, is_canonical=True).alias(
        ta=FilteredRelation("statuses", condition=Q(statuses__stage=Stage.TITLE_ABSTRACT)),
        ft=FilteredRelation("statuses", condition=Q(statuses__stage=Stage.FULL_TEXT)),
    )
    where = {**FULL_TEXT, "ta_outcome": F("ta__outcome")}

    # Only clustered records of this review can reach further: keeps the subqueries small.
    members = Record.objects.filter(
        review=review, cluster__isnull=False, cluster_id=OuterRef("cluster_id")
    )
    found_earlier = Exists(members.filter(search__phase=Phase.INITIAL))
    found_in_dbr = Exists(members.filter(search__source_type__in=DBR_TYPES))
    moved = (
        works.filter(cluster__isnull=False)
        .filter(
            (Q(search__phase=Phase.UPDATE) & found_earlier)
            | (~Q(search__source_type__in=DBR_TYPES) & found_in_dbr)
        )
        .annotate(earlier=found_earlier, dbr=found_in_dbr)
        .values("earlier", "dbr", **where)
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in moved:
        phase = Phase.INITIAL if row["earlier"] else row["phase"]
        kind = SourceType.DATABASE if row["dbr"] else row["kind"]
        _tally(columns[_key(row["phase"], row["kind"])], row, -row["n"])
        _tally(columns[_key(phase, kind)], row, row["n"])
    return dict(columns)


def _beyond_screening(review: Review) -> list[tuple]:
    """(search id, full-text outcome, its reason, retrieval, study, works) of the works included
    at title/abstract or holding a report.

    Read from the reports and statuses alone (each keeps its record's search): every report,
    and the statuses included at title/abstract that hold none (less the reports' record
    index: a merge anti join), joined to the full-text statuses, both read from the statuses'
    partial index of these works (migration 0013: index-only), less the duplicates (a range of
    the records' (review, is_canonical, id) index). So it grows with these works and the
    duplicates, not with the review (issue 21: reading their searches from the records
    hash-joined the whole review's record index, 120 ms at 500,000 records). Plain SQL: the
    ORM joins one status to another only through their record.
    """
    status, report = RecordStatus._meta.db_table, Report._meta.db_table
    record = Record._meta.db_table
    sql = f"""
        WITH few AS (
            SELECT record_id, search_id, retrieval, study_id FROM {report} WHERE review_id = %s
            UNION ALL
            SELECT s.record_id, s.search_id, NULL, NULL FROM {status} s
            WHERE s.review_id = %s AND s.stage = %s AND s.outcome = %s
                AND NOT EXISTS (SELECT 1 FROM {report} r WHERE r.record_id = s.record_id)
        )
        SELECT few.search_id, ft.outcome, ft.final_reason_id, few.retrieval, few.study_id,
               COUNT(*)
        FROM few
        LEFT JOIN {status} ft
            ON ft.review_id = %s AND ft.stage = %s AND ft.record_id = few.record_id
        WHERE NOT EXISTS (
            SELECT 1 FROM {record} d
            WHERE d.review_id = %s AND d.is_canonical = %s AND d.id = few.record_id
        )
        GROUP BY few.search_id, ft.outcome, ft.final_reason_id, few.retrieval, few.study_id
    """
    ta, ft, included = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT, Outcome.INCLUDED
    params = [review.pk, review.pk, ta, included, review.pk, ft, review.pk, False]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _excluded_at_screening(review: Review, searches: list[_Search]) -> dict[int, int]:
    """Works excluded at title/abstract and holding no report, per search (only the first
    search's count when every search counts in the same column: the total is all it needs)."""
    # The statuses' (review, stage, outcome, record) index less the few duplicates' ids, read
    # in the same order from (review, is_canonical, id): a merge anti join.
    duplicate = Record.objects.filter(review=review, is_canonical=False, pk=OuterRef("record"))
    statuses = RecordStatus.objects.filter(
        review=review, stage=Stage.TITLE_ABSTRACT, outcome=Outcome.EXCLUDED
    ).filter(~Exists(Report.objects.filter(record=OuterRef("record"))), ~Exists(duplicate))
    if len({_key(s.phase, s.kind) for s in searches}) <= 1:
        return {searches[0].id: statuses.count()} if searches else {}
    # An update or other methods: grouped by the search each status keeps.
    return dict(statuses.values_list("search_id").annotate(n=Count("*")).order_by())


def _key(phase: str, kind: str) -> tuple[str, str]:
    return phase, "dbr" if kind in DBR_TYPES else "other"


def _tally(column: _Column, row: dict[str, Any], n: int) -> None:
    """Add n works standing where `row` says (n < 0 takes them away again)."""
    column.works += n
    ta, ft, retrieval = row["ta_outcome"], row["ft_outcome"], row["retrieval"]
    if ta != Outcome.INCLUDED and retrieval is None:
        if ta == Outcome.EXCLUDED:
            column.ta_excluded += n
        else:
            column.ta_pending += n
        return
    column.sought += n
    if retrieval == Report.Retrieval.NOT_RETRIEVED:
        column.not_retrieved += n
    elif ft == Outcome.EXCLUDED:
        column.ft_excluded[row["ft_reason"]] += n
    elif ft == Outcome.INCLUDED:
        column.reports_included += n
        if row["study"] is None:
            column.unlinked_reports += n
        else:
            column.studies[row["study"]] += n
    else:
        column.ft_pending += n


def _reason_labels(
    review: Review, columns: dict[tuple[str, str], _Column]
) -> dict[int | None, tuple[int, str]]:
    ids = {rid for c in columns.values() for rid in c.ft_excluded if rid is not None}
    labels: dict[int | None, tuple[int, str]] = {None: (10**9, REASON_NOT_RECORDED)}
    if ids:
        for r in ExclusionReason.objects.filter(review=review, id__in=ids).values(
            "id", "label", "position"
        ):
            labels[r["id"]] = (r["position"], r["label"])
    return labels


def _reasons(column: _Column, labels: dict[int | None, tuple[int, str]]) -> list[Source]:
    """Full-text exclusion reasons in the review's order of reasons, with their counts."""
    ordered = sorted(
        column.ft_excluded.items(),
        key=lambda item: (*labels.get(item[0], labels[None]), item[0] or 0),
    )
    return [(labels.get(rid, labels[None])[1], n) for rid, n in ordered if n]


# --------------------------------------------------------------------------- box wording


def default_wording(counts: PrismaCounts) -> dict[str, str]:
    """The template's wording of every editable box line (it differs for an updated review)."""
    return dict(_Texts(counts).defaults)


@transaction.atomic
def save_entries(
    review: Review, actor: Any, *, values: dict[str, int | None], texts: dict[str, str]
) -> None:
    """Store the lead's manual counts and box wording; blank clears an entry. Audited."""
    if set(values) - set(MANUAL_FIELDS):
        raise ValueError(f"Only {', '.join(MANUAL_FIELDS)} may be entered by hand.")
    unknown = set(texts) - set(default_wording(PrismaCounts()))
    if unknown:
        raise ValueError(f"No such box line: {', '.join(sorted(unknown))}.")
    existing = {o.data: o for o in PrismaOverride.objects.select_for_update().filter(review=review)}
    before = {k: _entry(o) for k, o in existing.items()}
    keys = set(values) | set(texts)
    for key in sorted(keys):
        value = values.get(key, existing[key].value if key in existing else None)
        text = " ".join((texts.get(key, existing[key].box_text if key in existing else "")).split())
        override = existing.get(key)
        if value is None and not text:
            if override is not None:
                override.delete()
                existing.pop(key)
            continue
        if override is None:
            override = existing[key] = PrismaOverride(review=review, data=key)
        override.value, override.box_text, override.updated_by = value, text, actor
        override.save()
    after = {k: _entry(o) for k, o in existing.items()}
    if before != after:
        record_event(review, actor, "prisma.updated", review, before=before, after=after)


def _entry(o: PrismaOverride) -> dict[str, Any]:
    return {"value": o.value, "box_text": o.box_text}


# --------------------------------------------------------------------------- exports

FORMATS: dict[str, tuple[str, str]] = {
    "svg": ("image/svg+xml", "prisma.svg"),
    "png": ("image/png", "prisma.png"),
    "pdf": ("application/pdf", "prisma.pdf"),
    "csv": ("text/csv; charset=utf-8", "PRISMA.csv"),
    "json": ("application/json", "prisma.json"),
}


def render(counts: PrismaCounts, fmt: str, language: str | None = None) -> bytes:
    """The diagram or its counts in one of FORMATS; the diagram's wording in `language` (one
    of settings.LANGUAGES; None: the active language)."""
    if language:
        with translation.override(language):
            return render(counts, fmt)
    if fmt == "svg":
        return prisma_diagram.render_svg(counts).encode()
    if fmt == "png":
        return prisma_diagram.render_png(counts, dpi=300)
    if fmt == "pdf":
        return prisma_diagram.render_pdf(counts)
    if fmt == "csv":
        return flow.to_prisma_csv(counts).encode()
    if fmt == "json":
        return (json.dumps(flow.to_json(counts), indent=2, ensure_ascii=False) + "\n").encode()
    raise ValueError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")


def filename(review: Review, fmt: str) -> str:
    return f"{review.slug}-{FORMATS[fmt][1]}"
