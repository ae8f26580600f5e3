"""The PRISMA 2020 flow's numbers: a counts dataclass, its arithmetic checks, JSON and CSV.

Pure on purpose (no ORM, no Django): ``screening.prisma.counts`` computes a
:class:`PrismaCounts` from the database; ``layout`` and ``diagram`` draw it. Box numbering
follows the PRISMA2020 R package / Shiny app (Haddaway et al. 2022): box 1 previous studies,
boxes 2-10 databases and registers, boxes 11-15 other methods, box 16 total included.

The CSV export writes the Shiny app's ``PRISMA.csv`` template (MIT, (c) 2020 Neal R Haddaway),
whose rows are reproduced in ``_CSV_TEMPLATE`` so a lead can open our numbers in that app.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reviewapp.spreadsheet import safe_cell

Source = tuple[str, int]
"""One named count: a database, a register, a website, an exclusion reason..."""

MANUAL_MARK = "†"
MANUAL_FOOTNOTE = "† Entered by the review lead."


@dataclass
class PrismaCounts:
    """Every number of a PRISMA 2020 flow diagram.

    Field names follow the ``data`` column of the PRISMA2020 CSV template. Lists hold
    ``(name, n)`` pairs in display order. ``None`` means "this part of the diagram does not
    apply": the previous-studies column is drawn only for an updated review (``previous_*`` set)
    and the grey other-methods column only when some other-methods field is set.
    """

    # Identification of new studies via databases and registers (boxes 2-10).
    database_specific_results: list[Source] = field(default_factory=list)
    register_specific_results: list[Source] = field(default_factory=list)
    duplicates: int = 0
    excluded_automatic: int = 0
    excluded_other: int = 0
    records_screened: int = 0
    records_excluded: int = 0
    dbr_sought_reports: int = 0
    dbr_notretrieved_reports: int = 0
    dbr_assessed: int = 0
    dbr_excluded: list[Source] = field(default_factory=list)  # full-text exclusion reasons
    new_studies: int = 0
    new_reports: int = 0
    # Updated review (box 1); None when the review is not an update.
    previous_studies: int | None = None
    previous_reports: int | None = None
    # Other methods (boxes 11-15); None when no such searches exist. The three kinds are kept
    # apart because the CSV template has one total per kind (website_results, ...).
    website_specific_results: list[Source] | None = None
    organisation_specific_results: list[Source] | None = None
    citations_specific_results: list[Source] | None = None
    other_sought_reports: int | None = None
    other_notretrieved_reports: int | None = None
    other_assessed: int | None = None
    other_excluded: list[Source] | None = None
    # Box 16 (and box 10 of a new review); None = previous + new.
    total_studies: int | None = None
    total_reports: int | None = None
    # `data` names a lead typed in rather than the database counting them: marked in exports.
    manual: set[str] = field(default_factory=set)
    # The lead's wording for a box line, keyed by `data` name (e.g. "records_screened") or by
    # template box name ("newstud", "othstud", "prevstud", "identification", "screening",
    # "included", "box2", "box3", "box11" for the "Records identified from:" style headings).
    box_text: dict[str, str] = field(default_factory=dict)

    @property
    def is_update(self) -> bool:
        return self.previous_studies is not None or self.previous_reports is not None

    @property
    def has_other_methods(self) -> bool:
        return any(
            value is not None
            for value in (
                self.website_specific_results,
                self.organisation_specific_results,
                self.citations_specific_results,
                self.other_sought_reports,
                self.other_notretrieved_reports,
                self.other_assessed,
                self.other_excluded,
            )
        )

    @property
    def database_results(self) -> int:
        return _sum(self.database_specific_results)

    @property
    def register_results(self) -> int:
        return _sum(self.register_specific_results)

    @property
    def website_results(self) -> int | None:
        return _sum_or_none(self.website_specific_results)

    @property
    def organisation_results(self) -> int | None:
        return _sum_or_none(self.organisation_specific_results)

    @property
    def citations_results(self) -> int | None:
        return _sum_or_none(self.citations_specific_results)

    @property
    def records_identified(self) -> int:
        return self.database_results + self.register_results

    @property
    def removed_before_screening(self) -> int:
        return self.duplicates + self.excluded_automatic + self.excluded_other

    @property
    def studies_total(self) -> int:
        if self.total_studies is not None:
            return self.total_studies
        return (self.previous_studies or 0) + self.new_studies

    @property
    def reports_total(self) -> int:
        if self.total_reports is not None:
            return self.total_reports
        return (self.previous_reports or 0) + self.new_reports


def _sum(items: list[Source] | None) -> int:
    return sum(n for _, n in items or [])


def _sum_or_none(items: list[Source] | None) -> int | None:
    return None if items is None else _sum(items)


# --------------------------------------------------------------------------- arithmetic


def _same(text: str) -> str:
    return text


def check_arithmetic(counts: PrismaCounts, _: Callable[[str], str] = _same) -> list[str]:
    """Return human-readable problems with the flow's arithmetic; empty when it adds up.

    ``_`` translates the sentences (Django's gettext from the app; English here, kept pure)."""
    c = counts
    problems: list[str] = []

    def expect(what: str, computed: int, label: str, actual: int | None) -> None:
        if actual is not None and computed != actual:
            problems.append(
                _("%(what)s = %(computed)s, but %(label)s is %(actual)s.")
                % {"what": what, "computed": computed, "label": label, "actual": actual}
            )

    expect(
        _("Records identified (%(identified)s) − removed before screening (%(removed)s)")
        % {"identified": c.records_identified, "removed": c.removed_before_screening},
        c.records_identified - c.removed_before_screening,
        _("records screened"),
        c.records_screened,
    )
    expect(
        _("Records screened (%(screened)s) − records excluded (%(excluded)s)")
        % {"screened": c.records_screened, "excluded": c.records_excluded},
        c.records_screened - c.records_excluded,
        _("reports sought for retrieval"),
        c.dbr_sought_reports,
    )
    expect(
        _("Reports sought (%(sought)s) − not retrieved (%(missing)s)")
        % {"sought": c.dbr_sought_reports, "missing": c.dbr_notretrieved_reports},
        c.dbr_sought_reports - c.dbr_notretrieved_reports,
        _("reports assessed for eligibility"),
        c.dbr_assessed,
    )
    included = c.dbr_assessed - _sum(c.dbr_excluded)
    what = _("Reports assessed (%(assessed)s) − excluded (%(excluded)s)") % {
        "assessed": c.dbr_assessed,
        "excluded": _sum(c.dbr_excluded),
    }
    if c.has_other_methods:
        sought, missing = c.other_sought_reports or 0, c.other_notretrieved_reports or 0
        expect(
            _("Other methods: reports sought (%(sought)s) − not retrieved (%(missing)s)")
            % {"sought": sought, "missing": missing},
            sought - missing,
            _("reports assessed for eligibility (other methods)"),
            c.other_assessed,
        )
        other_included = (c.other_assessed or 0) - _sum(c.other_excluded)
        what = _(
            "Reports assessed − excluded via databases and registers (%(included)s) + via "
            "other methods (%(other)s)"
        ) % {"included": included, "other": other_included}
        included += other_included
    expect(what, included, _("reports of included studies"), c.new_reports)
    if c.new_studies > c.new_reports:
        problems.append(
            _(
                "Included studies (%(studies)s) exceed the reports of included studies "
                "(%(reports)s); every study needs at least one report."
            )
            % {"studies": c.new_studies, "reports": c.new_reports}
        )
    if c.is_update:
        expect(
            _("Previous studies (%(previous)s) + new studies (%(new)s)")
            % {"previous": c.previous_studies or 0, "new": c.new_studies},
            (c.previous_studies or 0) + c.new_studies,
            _("total studies included"),
            c.total_studies,
        )
        expect(
            _("Previous reports (%(previous)s) + new reports (%(new)s)")
            % {"previous": c.previous_reports or 0, "new": c.new_reports},
            (c.previous_reports or 0) + c.new_reports,
            _("total reports included"),
            c.total_reports,
        )
    negatives = [name for name, value in _flat_numbers(c) if value is not None and value < 0]
    problems.extend(_("%(name)s is negative.") % {"name": name} for name in negatives)
    return problems


def _flat_numbers(c: PrismaCounts) -> list[tuple[str, int | None]]:
    numbers: list[tuple[str, int | None]] = [
        (name, getattr(c, name)) for name in _SCALARS if name not in ("total_studies",)
    ]
    for list_name in _LISTS:
        for source, n in getattr(c, list_name) or []:
            numbers.append((f"{list_name} '{source}'", n))
    return numbers


_SCALARS = (
    "duplicates",
    "excluded_automatic",
    "excluded_other",
    "records_screened",
    "records_excluded",
    "dbr_sought_reports",
    "dbr_notretrieved_reports",
    "dbr_assessed",
    "new_studies",
    "new_reports",
    "previous_studies",
    "previous_reports",
    "other_sought_reports",
    "other_notretrieved_reports",
    "other_assessed",
    "total_studies",
    "total_reports",
)
_LISTS = (
    "database_specific_results",
    "register_specific_results",
    "website_specific_results",
    "organisation_specific_results",
    "citations_specific_results",
    "dbr_excluded",
    "other_excluded",
)


# --------------------------------------------------------------------------- JSON


def to_json(counts: PrismaCounts) -> dict[str, Any]:
    """The counts keyed by the PRISMA2020 CSV `data` names (plus per-source lists)."""
    c = counts

    def sources(items: list[Source] | None, key: str = "source") -> list[dict[str, Any]] | None:
        return None if items is None else [{key: name, "n": n} for name, n in items]

    return {
        "database_results": c.database_results,
        "database_specific_results": sources(c.database_specific_results),
        "register_results": c.register_results,
        "register_specific_results": sources(c.register_specific_results),
        "website_results": c.website_results,
        "website_specific_results": sources(c.website_specific_results),
        "organisation_results": c.organisation_results,
        "organisation_specific_results": sources(c.organisation_specific_results),
        "citations_results": c.citations_results,
        "citations_specific_results": sources(c.citations_specific_results),
        "duplicates": c.duplicates,
        "excluded_automatic": c.excluded_automatic,
        "excluded_other": c.excluded_other,
        "records_screened": c.records_screened,
        "records_excluded": c.records_excluded,
        "dbr_sought_reports": c.dbr_sought_reports,
        "dbr_notretrieved_reports": c.dbr_notretrieved_reports,
        "dbr_assessed": c.dbr_assessed,
        "dbr_excluded": sources(c.dbr_excluded, "reason"),
        "other_sought_reports": c.other_sought_reports,
        "other_notretrieved_reports": c.other_notretrieved_reports,
        "other_assessed": c.other_assessed,
        "other_excluded": sources(c.other_excluded, "reason"),
        "new_studies": c.new_studies,
        "new_reports": c.new_reports,
        "previous_studies": c.previous_studies,
        "previous_reports": c.previous_reports,
        "total_studies": c.studies_total,
        "total_reports": c.reports_total,
        "updated_review": c.is_update,
        "other_methods": c.has_other_methods,
        "manual": sorted(c.manual),
        "box_text": dict(sorted(c.box_text.items())),
    }


# --------------------------------------------------------------------------- CSV

CSV_COLUMNS = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")

# The PRISMA2020 template's rows (data, node, box, description, boxtext, tooltips, url, n),
# in the template's order; `n` is the template's placeholder, replaced by ours where we know it.
_CSV_TEMPLATE: tuple[tuple[str, ...], ...] = (
    ("NA", "node4", "prevstud", "Grey title box; Previous studies", "Previous studies", "Grey title box; Previous studies", "prevstud.html", "0"),
    ("previous_studies", "node5", "box1", "Studies included in previous version of review", "Studies included in previous version of review", "Studies included in previous version of review", "previous_studies.html", "0"),
    ("previous_reports", "NA", "box1", "Reports of studies included in previous version of review", "Reports of studies included in previous version of review", "NA", "previous_reports.html", "0"),
    ("NA", "node6", "newstud", "Yellow title box; Identification of new studies via databases and registers", "Identification of new studies via databases and registers", "Yellow title box; Identification of new studies via databases and registers", "newstud.html", "0"),
    ("database_results", "node7", "box2", "Records identified from: Databases", "Databases", "Records identified from: Databases and Registers", "database_results.html", "0"),
    ("database_specific_results", "NA", "box2", "Records identified from: specific databases", "Specific Databases", "NA", "database_results.html", "Database 1, xxx; Database 2, xxx; Database 3, xxx"),
    ("register_results", "NA", "box2", "Records identified from: Registers", "Registers", "NA", "NA", "0"),
    ("register_specific_results", "NA", "box2", "Records identified from: specific registers", "Specific Registers", "NA", "database_results.html", "Register 1, xxx; Register 2, xxx; Register 3, xxx"),
    ("NA", "node16", "othstud", "Grey title box; Identification of new studies via other methods", "Identification of new studies via other methods", "Grey title box; Identification of new studies via other methods", "othstud.html", "0"),
    ("website_results", "node17", "box11", "Records identified from: Websites", "Websites", "Records identified from: Websites, Organisations and Citation Searching", "website_results.html", "0"),
    ("organisation_results", "", "box11", "Records identified from: Organisations", "Organisations", "NA", "NA", "0"),
    ("citations_results", "NA", "box11", "Records identified from: Citation searching", "Citation searching", "NA", "NA", "0"),
    ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records", "Duplicate records", "duplicates.html", "0"),
    ("excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools", "Records marked as ineligible by automation tools", "NA", "NA", "0"),
    ("excluded_other", "NA", "box3", "Records removed for other reasons", "Records removed for other reasons", "NA", "NA", "0"),
    ("records_screened", "node9", "box4", "Records screened (databases and registers)", "Records screened", "Records screened (databases and registers)", "records_screened.html", "0"),
    ("records_excluded", "node10", "box5", "Records excluded (databases and registers)", "Records excluded", "Records excluded (databases and registers)", "records_excluded.html", "0"),
    ("dbr_sought_reports", "node11", "box6", "Reports sought for retrieval (databases and registers)", "Reports sought for retrieval", "Reports sought for retrieval (databases and registers)", "dbr_sought_reports.html", "0"),
    ("dbr_notretrieved_reports", "node12", "box7", "Reports not retrieved (databases and registers)", "Reports not retrieved", "Reports not retrieved (databases and registers)", "dbr_notretrieved_reports.html", "0"),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)", "Reports sought for retrieval", "Reports sought for retrieval (other)", "other_sought_reports.html", "0"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)", "Reports not retrieved", "Reports not retrieved (other)", "other_notretrieved_reports.html", "0"),
    ("dbr_assessed", "node13", "box8", "Reports assessed for eligibility (databases and registers)", "Reports assessed for eligibility", "Reports assessed for eligibility (databases and registers)", "dbr_assessed.html", "0"),
    ("dbr_excluded", "node14", "box9", "Reports excluded (databases and registers): [separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx]", "Reports excluded", "Reports excluded (databases and registers)", "dbrexcludedrecords.html", "Reason1, xxx; Reason2, xxx; Reason3, xxx"),
    ("other_assessed", "node20", "box14", "Reports assessed for eligibility (other)", "Reports assessed for eligibility", "Reports assessed for eligibility (other)", "other_assessed.html", "0"),
    ("other_excluded", "node21", "box15", "Reports excluded (other): [separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx]", "Reports excluded", "Reports excluded (other)", "other_excluded.html", "Reason1, xxx; Reason2, xxx; Reason3, xxx"),
    ("new_studies", "node15", "box10", "New studies included in review", "New studies included in review", "New studies included in review", "new_studies.html", "0"),
    ("new_reports", "NA", "box10", "Reports of new included studies", "Reports of new included studies", "NA", "NA", "0"),
    ("total_studies", "node22", "box16", "Total studies included in review", "Total studies included in review", "Total studies included in review", "total_studies.html", "0"),
    ("total_reports", "NA", "box16", "Reports of total included studies", "Reports of total included studies", "NA", "NA", "0"),
    ("identification", "node1", "identification", "Blue identification box", "Identification", "Blue identification box", "identification.html", "0"),
    ("screening", "node2", "screening", "Blue screening box", "Screening", "Blue screening box", "screening.html", "0"),
    ("included", "node3", "included", "Blue included box", "Included", "Blue included box", "included.html", "0"),
    ("total_studies_ma", "node23", "box17", "Total studies included in meta-analysis", "Total studies included in meta-analysis", "Total studies included in meta-analysis", "total_studies_meta_analysis.html", "0"),
    ("total_reports_ma", "NA", "box17", "Reports of total included studies in meta-analysis", "Reports of total included studies in meta-analysis", "NA", "NA", "0"),
)  # fmt: skip


def format_sources(items: list[Source] | None) -> str:
    """``"Reason, n; Reason, n"`` as the PRISMA2020 app parses it.

    The app splits entries on ``;`` and the name from its number on ``,``, so those two
    characters inside a name would corrupt the parse: they become " / ".
    """
    return "; ".join(f"{_csv_safe_name(name)}, {n}" for name, n in items or [])


def _csv_safe_name(name: str) -> str:
    return re.sub(r"\s*[,;]\s*", " / ", " ".join(str(name).split()))


def to_prisma_csv(counts: PrismaCounts) -> str:
    """The counts as the PRISMA2020 Shiny app's CSV template, our values in column `n`.

    Non-applicable counts (no update, no other methods) are written as ``NA``, which R reads
    as missing. Manual entries say so in `description`; the lead's wording goes in `boxtext`.
    """
    values = _csv_values(counts)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in _CSV_TEMPLATE:
        data, node, box, description, boxtext, tooltips, url, n = row
        key = data if data != "NA" else box
        if key in values:
            n = values[key]
        if key in counts.box_text:
            boxtext = counts.box_text[key]
        if key in counts.manual:
            description = f"{description} ({MANUAL_FOOTNOTE[2:].rstrip('.').lower()})"
        writer.writerow(
            [_no_formula(cell) for cell in (data, node, box, description, boxtext, tooltips, url)]
            + [_no_formula(n)]
        )
    return out.getvalue()


def _csv_values(c: PrismaCounts) -> dict[str, str]:
    def num(value: int | None) -> str:
        return "NA" if value is None else str(value)

    values = {
        "database_results": num(c.database_results),
        "database_specific_results": format_sources(c.database_specific_results),
        "register_results": num(c.register_results),
        "register_specific_results": format_sources(c.register_specific_results),
        "website_results": num(c.website_results),
        "organisation_results": num(c.organisation_results),
        "citations_results": num(c.citations_results),
        "dbr_excluded": format_sources(c.dbr_excluded),
        "other_excluded": "NA" if c.other_excluded is None else format_sources(c.other_excluded),
        "total_studies": num(c.studies_total),
        "total_reports": num(c.reports_total),
    }
    for name in _SCALARS:
        values.setdefault(name, num(getattr(c, name)))
    return values


# Source names and reasons are user text; a leading = + - @ makes a spreadsheet run it.
_no_formula = safe_cell
