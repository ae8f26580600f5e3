"""PRISMA 2020 flow diagram: a counts dataclass in, SVG/PNG/PDF/CSV/JSON out.

Pure on purpose (no ORM, no Django): ``screening.prisma`` computes a :class:`PrismaCounts`
from the database, this module only lays it out. The layout follows the official PRISMA 2020
templates (Page et al., BMJ 2021;372:n71) and the box numbering of the PRISMA2020 R package /
Shiny app (Haddaway et al. 2022): box 1 previous studies, boxes 2-10 databases and registers,
boxes 11-15 other methods, box 16 total included.

The CSV export writes the Shiny app's ``PRISMA.csv`` template (MIT, (c) 2020 Neal R Haddaway),
whose rows are reproduced in ``_CSV_TEMPLATE`` so a lead can open our numbers in that app.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

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


def check_arithmetic(counts: PrismaCounts) -> list[str]:
    """Return human-readable problems with the flow's arithmetic; empty when it adds up."""
    c = counts
    problems: list[str] = []

    def expect(what: str, computed: int, label: str, actual: int | None) -> None:
        if actual is not None and computed != actual:
            problems.append(f"{what} = {computed}, but {label} is {actual}.")

    expect(
        f"Records identified ({c.records_identified}) − removed before screening "
        f"({c.removed_before_screening})",
        c.records_identified - c.removed_before_screening,
        "records screened",
        c.records_screened,
    )
    expect(
        f"Records screened ({c.records_screened}) − records excluded ({c.records_excluded})",
        c.records_screened - c.records_excluded,
        "reports sought for retrieval",
        c.dbr_sought_reports,
    )
    expect(
        f"Reports sought ({c.dbr_sought_reports}) − not retrieved ({c.dbr_notretrieved_reports})",
        c.dbr_sought_reports - c.dbr_notretrieved_reports,
        "reports assessed for eligibility",
        c.dbr_assessed,
    )
    included = c.dbr_assessed - _sum(c.dbr_excluded)
    what = f"Reports assessed ({c.dbr_assessed}) − excluded ({_sum(c.dbr_excluded)})"
    if c.has_other_methods:
        sought, missing = c.other_sought_reports or 0, c.other_notretrieved_reports or 0
        expect(
            f"Other methods: reports sought ({sought}) − not retrieved ({missing})",
            sought - missing,
            "reports assessed for eligibility (other methods)",
            c.other_assessed,
        )
        other_included = (c.other_assessed or 0) - _sum(c.other_excluded)
        what = (
            f"Reports assessed − excluded via databases and registers ({included}) + via "
            f"other methods ({other_included})"
        )
        included += other_included
    expect(what, included, "reports of included studies", c.new_reports)
    if c.new_studies > c.new_reports:
        problems.append(
            f"Included studies ({c.new_studies}) exceed the reports of included studies "
            f"({c.new_reports}); every study needs at least one report."
        )
    if c.is_update:
        expect(
            f"Previous studies ({c.previous_studies or 0}) + new studies ({c.new_studies})",
            (c.previous_studies or 0) + c.new_studies,
            "total studies included",
            c.total_studies,
        )
        expect(
            f"Previous reports ({c.previous_reports or 0}) + new reports ({c.new_reports})",
            (c.previous_reports or 0) + c.new_reports,
            "total reports included",
            c.total_reports,
        )
    negatives = [name for name, value in _flat_numbers(c) if value is not None and value < 0]
    problems.extend(f"{name} is negative." for name in negatives)
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


# --------------------------------------------------------------------------- text metrics

FONT_FAMILY = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
FONT_SIZE = 9.0
HEADER_SIZE = 9.5
LINE_HEIGHT = 1.3

# Advance widths (per 1000 em) of DejaVu Sans / DejaVu Sans Bold for ASCII 32..126, measured
# from the Debian fonts cairosvg draws with. Fallback fonts (Liberation, Arial) are narrower,
# so boxes sized with these never overflow.
_WIDTHS = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698,
    770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732,
    684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635,
    634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,
    525, 636, 337, 636, 838,
)  # fmt: skip
_BOLD_WIDTHS = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734,
    830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812,
    774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716,
    712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652,
    582, 712, 365, 712, 838,
)  # fmt: skip


def text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """Width of `text` in points, as DejaVu Sans draws it."""
    table = _BOLD_WIDTHS if bold else _WIDTHS
    total = 0
    for ch in text:
        code = ord(ch)
        if 32 <= code <= 126:
            total += table[code - 32]
        elif unicodedata.combining(ch):
            continue
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            total += 1000
        else:
            total += 720 if bold else 680  # accented Latin, Greek, Cyrillic, symbols
    return total * size / 1000


def wrap(text: str, width: float, size: float = FONT_SIZE, bold: bool = False) -> list[str]:
    """Greedy word wrap to `width` points; over-long words are cut by characters."""
    lines: list[str] = []
    current = ""
    # "(n = 12) †" never breaks inside: a count alone on the next line reads as in the template.
    glued = _COUNT.sub(lambda m: m.group(0).replace(" ", _GLUE), text)
    for word in glued.split():
        word = word.replace(_GLUE, " ")
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while text_width(word, size, bold) > width:
            cut = max(1, _fitting_prefix(word, width, size, bold))
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current or not lines:
        lines.append(current)
    return lines


_GLUE = "\x00"
_COUNT = re.compile(r"\(n = [^()]*\)(?: †)?")


def _fitting_prefix(word: str, width: float, size: float, bold: bool) -> int:
    for cut in range(len(word), 0, -1):
        if text_width(word[:cut], size, bold) <= width:
            return cut
    return 1


# --------------------------------------------------------------------------- boxes


@dataclass
class _Para:
    """A paragraph of box text: wrapped to the box, continuation lines indented."""

    text: str
    indent: float = 0.0
    bold: bool = False
    space_before: float = 0.0


@dataclass
class _Box:
    key: str  # template box name: box1 .. box16, newstud, identification, ...
    paras: list[_Para]
    width: float
    kind: str = "main"  # main (white, black border), grey (previous / other / total), header
    fill: str = "#ffffff"
    align: str = "left"
    x: float = 0.0
    y: float = 0.0
    height: float = 0.0
    lines: list[tuple[str, float, bool, float]] = field(default_factory=list)  # text, dx, bold, dy

    PAD_X = 6.0
    PAD_Y = 5.0
    MIN_HEIGHT = 30.0

    def layout(self, min_height: float | None = None) -> None:
        line_h = FONT_SIZE * LINE_HEIGHT
        inner = self.width - 2 * self.PAD_X
        self.lines = []
        y = 0.0
        for para in self.paras:
            y += para.space_before
            hang = 8.0 if para.indent else 0.0  # list entries wrap with a hanging indent
            for i, line in enumerate(
                wrap(para.text, inner - para.indent - hang, FONT_SIZE, para.bold)
            ):
                dx = para.indent + (hang if i else 0.0)
                self.lines.append((line, dx, para.bold, y))
                y += line_h
        self.height = max(y + 2 * self.PAD_Y, self.MIN_HEIGHT if min_height is None else min_height)

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


class _Texts:
    """Box wording: the template's by default, the lead's where edited, † where manual."""

    def __init__(self, counts: PrismaCounts) -> None:
        self.counts = counts
        update = counts.is_update
        new = "new " if update else ""
        self.defaults = {
            "prevstud": "Previous studies",
            "newstud": f"Identification of {new}studies via databases and registers",
            "othstud": f"Identification of {new}studies via other methods",
            "identification": "Identification",
            "screening": "Screening",
            "included": "Included",
            "box2": "Records identified from:",
            "box3": "Records removed before screening:",
            "box11": "Records identified from:",
            "previous_studies": "Studies included in previous version of review",
            "previous_reports": "Reports of studies included in previous version of review",
            "database_results": "Databases",
            "register_results": "Registers",
            "website_results": "Websites",
            "organisation_results": "Organisations",
            "citations_results": "Citation searching",
            "duplicates": "Duplicate records removed",
            "excluded_automatic": "Records marked as ineligible by automation tools",
            "excluded_other": "Records removed for other reasons",
            "records_screened": "Records screened",
            "records_excluded": "Records excluded",
            "dbr_sought_reports": "Reports sought for retrieval",
            "dbr_notretrieved_reports": "Reports not retrieved",
            "dbr_assessed": "Reports assessed for eligibility",
            "dbr_excluded": "Reports excluded",
            "other_sought_reports": "Reports sought for retrieval",
            "other_notretrieved_reports": "Reports not retrieved",
            "other_assessed": "Reports assessed for eligibility",
            "other_excluded": "Reports excluded",
            "new_studies": "New studies included in review"
            if update
            else "Studies included in review",
            "new_reports": "Reports of new included studies"
            if update
            else "Reports of included studies",
            "total_studies": "Total studies included in review",
            "total_reports": "Reports of total included studies",
        }

    def label(self, key: str) -> str:
        edited = _clean(self.counts.box_text.get(key, ""))
        return edited or self.defaults[key]

    def count(self, key: str, n: int | None) -> str:
        mark = f" {MANUAL_MARK}" if key in self.counts.manual else ""
        return f"(n = {'NA' if n is None else n}){mark}"

    def inline(self, key: str, n: int | None) -> _Para:
        return _Para(f"{self.label(key)} {self.count(key, n)}")

    def stacked(self, key: str, n: int | None) -> list[_Para]:
        return [_Para(self.label(key)), _Para(self.count(key, n))]


def _sources_paras(
    t: _Texts, key: str, items: list[Source] | None, *, space: float = 0.0
) -> list[_Para]:
    """'Databases (n = 30)' and, indented below it, each named source (unless it is the kind)."""
    items = items or []
    paras = [_Para(f"{t.label(key)} {t.count(key, _sum(items))}", space_before=space)]
    if len(items) == 1 and items[0][0].strip().lower() == t.label(key).lower():
        return paras
    paras += [_Para(f"{_clean(name)} (n = {n})", indent=10.0) for name, n in items]
    return paras


def _reasons_paras(t: _Texts, key: str, items: list[Source] | None) -> list[_Para]:
    items = items or []
    if not items:
        return [_Para(f"{t.label(key)} {t.count(key, 0)}")]
    mark = f" {MANUAL_MARK}" if key in t.counts.manual else ""
    return [_Para(f"{t.label(key)}:{mark}")] + [
        _Para(f"{_clean(reason)} (n = {n})", indent=10.0) for reason, n in items
    ]


def _clean(text: str) -> str:
    # Newlines and tabs would break our one-<text>-per-line layout; XML forbids most controls.
    return " ".join("".join(ch for ch in str(text) if ch.isprintable() or ch.isspace()).split())


# --------------------------------------------------------------------------- layout

MARGIN = 12.0
BAR_WIDTH = 20.0
GAP = 14.0  # between unrelated columns
ARROW_GAP = 32.0  # between a box and the box its horizontal arrow points to
ROW_GAP = 14.0  # between boxes linked by a short vertical arrow
PHASE_GAP = 30.0  # between phases (the long arrows of the template)
HEADER_GAP = 14.0
COL_PREVIOUS = 150.0
COL_MAIN = 165.0
COL_SIDE = 185.0
COL_OTHER = 155.0
COL_OTHER_SIDE = 170.0

WHITE = "#ffffff"
GREY = "#d9d9d9"
YELLOW = "#ffc000"
BLUE = "#c5d9f1"


@dataclass
class _Diagram:
    width: float
    height: float
    boxes: dict[str, _Box]
    headers: list[_Box]
    bars: list[tuple[str, str, float, float]]  # key, label, top, bottom
    arrows: list[list[tuple[float, float]]]  # polylines, arrowhead at the last point
    title_lines: list[str]
    footnote: str | None


def _build(counts: PrismaCounts, title: str | None) -> _Diagram:
    c = counts
    t = _Texts(c)
    update, other = c.is_update, c.has_other_methods

    # Columns, left to right.
    x = MARGIN + BAR_WIDTH + GAP
    col: dict[str, tuple[float, float]] = {}
    if update:
        col["prev"] = (x, COL_PREVIOUS)
        x += COL_PREVIOUS + GAP
    col["main"] = (x, COL_MAIN)
    x += COL_MAIN + ARROW_GAP
    col["side"] = (x, COL_SIDE)
    x += COL_SIDE
    if other:
        x += GAP
        col["other"] = (x, COL_OTHER)
        x += COL_OTHER + ARROW_GAP
        col["other_side"] = (x, COL_OTHER_SIDE)
        x += COL_OTHER_SIDE
    width = x + MARGIN

    def box(key: str, column: str, paras: list[_Para], kind: str = "main") -> _Box:
        fill = GREY if kind == "grey" else WHITE
        b = _Box(key=key, paras=paras, width=col[column][1], kind=kind, fill=fill)
        b.x = col[column][0]
        b.layout()
        return b

    boxes: dict[str, _Box] = {}
    if update:
        boxes["box1"] = box(
            "box1",
            "prev",
            [
                t.inline("previous_studies", c.previous_studies),
                _Para(t.label("previous_reports"), space_before=FONT_SIZE * 0.8),
                _Para(t.count("previous_reports", c.previous_reports)),
            ],
            "grey",
        )
    boxes["box2"] = box(
        "box2",
        "main",
        [
            _Para(t.label("box2")),
            *_sources_paras(t, "database_results", c.database_specific_results),
            *_sources_paras(t, "register_results", c.register_specific_results),
        ],
    )
    boxes["box3"] = box(
        "box3",
        "side",
        [
            _Para(t.label("box3")),
            _Para(f"{t.label('duplicates')} {t.count('duplicates', c.duplicates)}", indent=10.0),
            _Para(
                f"{t.label('excluded_automatic')} "
                f"{t.count('excluded_automatic', c.excluded_automatic)}",
                indent=10.0,
            ),
            _Para(
                f"{t.label('excluded_other')} {t.count('excluded_other', c.excluded_other)}",
                indent=10.0,
            ),
        ],
    )
    boxes["box4"] = box("box4", "main", t.stacked("records_screened", c.records_screened))
    boxes["box5"] = box("box5", "side", t.stacked("records_excluded", c.records_excluded))
    boxes["box6"] = box("box6", "main", t.stacked("dbr_sought_reports", c.dbr_sought_reports))
    boxes["box7"] = box(
        "box7", "side", t.stacked("dbr_notretrieved_reports", c.dbr_notretrieved_reports)
    )
    boxes["box8"] = box("box8", "main", t.stacked("dbr_assessed", c.dbr_assessed))
    boxes["box9"] = box("box9", "side", _reasons_paras(t, "dbr_excluded", c.dbr_excluded))
    boxes["box10"] = box(
        "box10",
        "main",
        [
            t.inline("new_studies", c.new_studies),
            t.inline("new_reports", c.new_reports),
        ],
    )
    if update:
        boxes["box16"] = box(
            "box16",
            "main",
            [
                t.inline("total_studies", c.studies_total),
                t.inline("total_reports", c.reports_total),
            ],
            "grey",
        )
    if other:
        paras = [_Para(t.label("box11"))]
        for key, items in (
            ("website_results", c.website_specific_results),
            ("organisation_results", c.organisation_specific_results),
            ("citations_results", c.citations_specific_results),
        ):
            if items is not None:
                paras += _sources_paras(t, key, items)
        boxes["box11"] = box("box11", "other", paras, "grey")
        boxes["box12"] = box(
            "box12", "other", t.stacked("other_sought_reports", c.other_sought_reports), "grey"
        )
        boxes["box13"] = box(
            "box13",
            "other_side",
            t.stacked("other_notretrieved_reports", c.other_notretrieved_reports),
            "grey",
        )
        boxes["box14"] = box(
            "box14", "other", t.stacked("other_assessed", c.other_assessed), "grey"
        )
        boxes["box15"] = box(
            "box15", "other_side", _reasons_paras(t, "other_excluded", c.other_excluded), "grey"
        )

    # Title and header boxes.
    y = MARGIN
    title_lines = wrap(_clean(title), width - 2 * MARGIN, 11.0, True) if title else []
    y += len(title_lines) * 11.0 * LINE_HEIGHT + (6.0 if title_lines else 0.0)
    headers: list[_Box] = []

    def header(key: str, left: str, right: str, fill: str) -> None:
        x0, x1 = col[left][0], col[right][0] + col[right][1]
        h = _Box(key=key, paras=[_Para(t.label(key), bold=True)], width=x1 - x0, kind="header")
        h.x, h.fill, h.align = x0, fill, "center"
        h.layout(min_height=22.0)
        headers.append(h)

    if update:
        header("prevstud", "prev", "prev", GREY)
    header("newstud", "main", "side", YELLOW)
    if other:
        header("othstud", "other", "other_side", GREY)
    header_h = max(h.height for h in headers)
    for h in headers:
        h.layout(min_height=header_h)
        h.y = y
    phase_top = y
    y += header_h + HEADER_GAP

    # Rows, top to bottom; boxes of a row are centred on a common line so the horizontal
    # arrows run straight, as in the template.
    def row(keys: list[str], top: float, min_height: float = 0.0) -> float:
        present = [boxes[k] for k in keys if k in boxes]
        height = max([b.height for b in present] + [min_height])
        for b in present:
            b.y = top + (height - b.height) / 2
        return top + height

    bars: list[tuple[str, str, float, float]] = []

    def bar_min(key: str) -> float:
        # A phase bar is at least as tall as its rotated label.
        return text_width(t.label(key), FONT_SIZE, True) + 16.0

    ident_min = bar_min("identification") - (header_h + HEADER_GAP)
    y_ident_end = row(["box1", "box2", "box3", "box11"], y, ident_min)
    bars.append(("identification", t.label("identification"), phase_top, y_ident_end))

    y = y_ident_end + PHASE_GAP
    screening_top = y
    y = row(["box4", "box5"], y) + ROW_GAP
    y = row(["box6", "box7", "box12", "box13"], y) + ROW_GAP
    y = row(["box8", "box9", "box14", "box15"], y)
    if y - screening_top < bar_min("screening"):
        y = screening_top + bar_min("screening")
    bars.append(("screening", t.label("screening"), screening_top, y))

    y += PHASE_GAP
    included_top = y
    y = row(["box10"], y)
    if update:
        y = row(["box16"], y + ROW_GAP)
    if y - included_top < bar_min("included"):
        shift = (bar_min("included") - (y - included_top)) / 2
        for key in ("box10", "box16"):
            if key in boxes:
                boxes[key].y += shift
        y = included_top + bar_min("included")
    bars.append(("included", t.label("included"), included_top, y))

    arrows = _arrows(boxes)
    footnote = MANUAL_FOOTNOTE if c.manual else None
    height = y + MARGIN + (FONT_SIZE * LINE_HEIGHT + 4.0 if footnote else 0.0)
    return _Diagram(width, height, boxes, headers, bars, arrows, title_lines, footnote)


def _arrows(b: dict[str, _Box]) -> list[list[tuple[float, float]]]:
    arrows: list[list[tuple[float, float]]] = []

    def down(src: str, dst: str) -> None:
        arrows.append([(b[src].cx, b[src].bottom), (b[src].cx, b[dst].y)])

    def across(src: str, dst: str) -> None:
        arrows.append([(b[src].right, b[src].cy), (b[dst].x, b[src].cy)])

    down("box2", "box4")
    across("box2", "box3")
    for src, dst in (("box4", "box6"), ("box6", "box8"), ("box8", "box10")):
        down(src, dst)
    for src, dst in (("box4", "box5"), ("box6", "box7"), ("box8", "box9")):
        across(src, dst)
    if "box11" in b:
        down("box11", "box12")
        down("box12", "box14")
        across("box12", "box13")
        across("box14", "box15")
        # Box 14 joins the included box from the right, under the empty side column.
        arrows.append(
            [
                (b["box14"].cx, b["box14"].bottom),
                (b["box14"].cx, b["box10"].cy),
                (b["box10"].right, b["box10"].cy),
            ]
        )
    if "box16" in b:
        down("box10", "box16")
        arrows.append(
            [
                (b["box1"].cx, b["box1"].bottom),
                (b["box1"].cx, b["box16"].cy),
                (b["box16"].x, b["box16"].cy),
            ]
        )
    return arrows


# --------------------------------------------------------------------------- SVG


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;", "'": "&apos;"})


def render_svg(counts: PrismaCounts, *, title: str | None = None) -> str:
    """The diagram as a standalone SVG document (sizes in points, one <text> per line)."""
    d = _build(counts, title)
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{_fmt(d.width)}pt" '
        f'height="{_fmt(d.height)}pt" viewBox="0 0 {_fmt(d.width)} {_fmt(d.height)}" '
        f'font-family="{_attr(FONT_FAMILY)}" font-size="{_fmt(FONT_SIZE)}" role="img" '
        f'aria-labelledby="prisma-title">',
        f'<title id="prisma-title">{_attr(_clean(title or "PRISMA 2020 flow diagram"))}</title>',
        f'<rect width="{_fmt(d.width)}" height="{_fmt(d.height)}" fill="#ffffff"/>',
    ]
    y = MARGIN
    for line in d.title_lines:
        y += 11.0
        out.append(
            f'<text class="title" x="{_fmt(d.width / 2)}" y="{_fmt(y)}" font-size="11" '
            f'font-weight="bold" text-anchor="middle">{_attr(line)}</text>'
        )
        y += 11.0 * (LINE_HEIGHT - 1)
    for key, label, top, bottom in d.bars:
        out.append(_bar(key, label, top, bottom))
    for h in d.headers:
        out.append(_box_svg(h))
    for b in d.boxes.values():
        out.append(_box_svg(b))
    for points in d.arrows:
        out.append(_arrow_svg(points))
    if d.footnote:
        out.append(
            f'<text class="footnote" x="{_fmt(MARGIN)}" y="{_fmt(d.height - MARGIN + 2)}" '
            f'font-size="{_fmt(FONT_SIZE - 1)}">{_attr(d.footnote)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _bar(key: str, label: str, top: float, bottom: float) -> str:
    cx, cy = MARGIN + BAR_WIDTH / 2, (top + bottom) / 2
    baseline = cx + FONT_SIZE * 0.35  # visually centre the rotated cap height
    return (
        f'<g class="phase" id="{key}">'
        f'<rect x="{_fmt(MARGIN)}" y="{_fmt(top)}" width="{_fmt(BAR_WIDTH)}" '
        f'height="{_fmt(bottom - top)}" rx="4" fill="{BLUE}"/>'
        f'<text x="{_fmt(baseline)}" y="{_fmt(cy)}" font-weight="bold" text-anchor="middle" '
        f'transform="rotate(-90 {_fmt(baseline)} {_fmt(cy)})">{_attr(label)}</text></g>'
    )


def _box_svg(b: _Box) -> str:
    if b.kind == "header":
        shape = (
            f'<rect x="{_fmt(b.x)}" y="{_fmt(b.y)}" width="{_fmt(b.width)}" '
            f'height="{_fmt(b.height)}" rx="6" fill="{b.fill}"/>'
        )
    elif b.kind == "grey":
        shape = (
            f'<rect x="{_fmt(b.x)}" y="{_fmt(b.y)}" width="{_fmt(b.width)}" '
            f'height="{_fmt(b.height)}" fill="{b.fill}"/>'
        )
    else:
        shape = (
            f'<rect x="{_fmt(b.x)}" y="{_fmt(b.y)}" width="{_fmt(b.width)}" '
            f'height="{_fmt(b.height)}" fill="{b.fill}" stroke="#000000" stroke-width="0.75"/>'
        )
    line_h = FONT_SIZE * LINE_HEIGHT
    text_h = (b.lines[-1][3] + line_h) if b.lines else 0.0
    top = b.y + (b.height - text_h) / 2
    texts = []
    for text, dx, bold, dy in b.lines:
        # Baseline sits ~0.78 em below the line top for DejaVu's ascent in a 1.3 line box.
        baseline = top + dy + (line_h + FONT_SIZE * 0.72) / 2
        weight = ' font-weight="bold"' if bold else ""
        if b.align == "center":
            pos = f'x="{_fmt(b.cx)}" text-anchor="middle"'
        else:
            pos = f'x="{_fmt(b.x + b.PAD_X + dx)}"'
        texts.append(f'<text {pos} y="{_fmt(baseline)}"{weight}>{_attr(text)}</text>')
    return f'<g class="box {b.kind}" id="{b.key}">{shape}{"".join(texts)}</g>'


def _arrow_svg(points: list[tuple[float, float]]) -> str:
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    head_l, head_w = 6.0, 2.6
    bx, by = x1 - ux * head_l, y1 - uy * head_l
    line = [*points[:-1], (bx, by)]
    path = " ".join(f"{_fmt(px)},{_fmt(py)}" for px, py in line)
    head = (
        f"{_fmt(x1)},{_fmt(y1)} {_fmt(bx - uy * head_w)},{_fmt(by + ux * head_w)} "
        f"{_fmt(bx + uy * head_w)},{_fmt(by - ux * head_w)}"
    )
    return (
        f'<g class="arrow"><polyline points="{path}" fill="none" stroke="#000000" '
        f'stroke-width="0.75"/><polygon points="{head}" fill="#000000"/></g>'
    )


# --------------------------------------------------------------------------- PNG / PDF


def render_png(counts: PrismaCounts, dpi: int = 300, *, title: str | None = None) -> bytes:
    """A PNG at `dpi` (the SVG is sized in points, so pixels = points / 72 × dpi)."""
    import cairosvg

    png = cairosvg.svg2png(bytestring=render_svg(counts, title=title).encode(), dpi=dpi)
    return _with_phys(png, dpi)


def render_pdf(counts: PrismaCounts, *, title: str | None = None) -> bytes:
    """A one-page vector PDF, the page sized to the diagram."""
    import cairosvg

    return cairosvg.svg2pdf(bytestring=render_svg(counts, title=title).encode())


def _with_phys(png: bytes, dpi: int) -> bytes:
    # cairo writes no resolution; journals' upload checks read pHYs to see the 300 dpi.
    if b"pHYs" in png[:64]:
        return png
    ppm = round(dpi / 0.0254)
    payload = b"pHYs" + struct.pack(">IIB", ppm, ppm, 1)
    chunk = struct.pack(">I", 9) + payload + struct.pack(">I", zlib.crc32(payload))
    ihdr_end = 8 + 4 + 4 + 13 + 4  # signature, IHDR length + type + data + crc
    return png[:ihdr_end] + chunk + png[ihdr_end:]
