"""The records page's search, filters and facet counts; export_records --query uses the same.

Every filter lives in the URL (`?q=…&source=…&mine=exclude`), so a view can be bookmarked and
shared. The "mine" filter reads only the viewer's own decisions and "final" only resolved
outcomes, so filtering never reveals another reviewer's pending decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from reviewapp.models import Stage
from screening.identification import search
from screening.models import Decision, Outcome, Phase, Record, RecordStatus, Report

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


def apply(records: QuerySet[Record], f: RecordFilters, viewer_id: int | None) -> QuerySet[Record]:
    """The records matching every filter set."""
    if not f.query.empty:
        records = search.apply(records, f.query)
    if f.source:
        records = records.filter(search__source=f.source)
    if f.phase:
        records = records.filter(search__phase=f.phase)
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
    if f.final:
        status = RecordStatus.objects.filter(record_id=OuterRef("pk"), stage=f.stage)
        records = records.filter(Exists(status.filter(outcome=f.final)))
    if f.reason is not None:
        records = records.filter(
            Exists(
                RecordStatus.objects.filter(
                    record_id=OuterRef("pk"), stage=f.stage, final_reason_id=f.reason
                )
            )
        )
    return records


def facets(records: QuerySet[Record], f: RecordFilters, viewer_id: int | None) -> dict[str, list]:
    """Counts of the matching records by each filter's values: {facet: [(value, label, n)]}."""
    matching = records.order_by()
    out: dict[str, list] = {}
    by_source = matching.values("search__source").annotate(n=Count("pk")).order_by("search__source")
    out["source"] = [(r["search__source"], r["search__source"], r["n"]) for r in by_source]
    by_phase = matching.values("search__phase").annotate(n=Count("pk")).order_by("search__phase")
    phases = dict(Phase.choices)
    out["phase"] = [
        (r["search__phase"], phases.get(r["search__phase"], ""), r["n"]) for r in by_phase
    ]
    by_year = matching.exclude(year=None).values("year").annotate(n=Count("pk")).order_by("-year")
    out["year"] = [(r["year"], r["year"], r["n"]) for r in by_year[:60]]
    by_language = (
        matching.exclude(language="").values("language").annotate(n=Count("pk")).order_by("-n")
    )
    out["language"] = [(r["language"], r["language"], r["n"]) for r in by_language[:30]]
    statuses = RecordStatus.objects.filter(record__in=matching.values("pk"), stage=f.stage)
    final = dict(statuses.values_list("outcome").annotate(n=Count("pk")))
    out["final"] = [(k, label, final.get(k, 0)) for k, label in FINAL.items() if final.get(k)]
    reasons = (
        statuses.exclude(final_reason=None)
        .values("final_reason", "final_reason__label")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    out["reason"] = [(r["final_reason"], r["final_reason__label"], r["n"]) for r in reasons]
    if viewer_id is not None:
        mine = dict(
            Decision.objects.filter(
                record__in=matching.values("pk"), reviewer_id=viewer_id, stage=f.stage
            )
            .values_list("value")
            .annotate(n=Count("pk"))
        )
        out["mine"] = [
            (k, label, mine.get(k, 0))
            for k, label in MINE.items()
            if k != "undecided" and mine.get(k)
        ]
    with_abstract = matching.exclude(abstract="").count()
    out["abstract"] = [("yes", YES_NO["yes"], with_abstract)]
    return out
