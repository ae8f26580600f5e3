"""The PRISMA 2020 diagram's layout: boxes with wrapped text, placed in columns and rows.

The layout follows the official PRISMA 2020 templates (Page et al., BMJ 2021;372:n71):
identification, screening and included phases top to bottom, the main flow in the middle
column, exclusions to its right, previous studies (updates) to its left and other methods
(websites, organisations, citation searching) in two further columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from screening.prisma.flow import MANUAL_FOOTNOTE, MANUAL_MARK, PrismaCounts, Source, _sum
from screening.prisma.text import FONT_SIZE, LINE_HEIGHT, text_width, wrap


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
        self.defaults = {
            "prevstud": _("Previous studies"),
            "newstud": _("Identification of new studies via databases and registers")
            if update
            else _("Identification of studies via databases and registers"),
            "othstud": _("Identification of new studies via other methods")
            if update
            else _("Identification of studies via other methods"),
            "identification": _("Identification"),
            "screening": _("Screening"),
            "included": _("Included"),
            "box2": _("Records identified from:"),
            "box3": _("Records removed before screening:"),
            "box11": _("Records identified from:"),
            "previous_studies": _("Studies included in previous version of review"),
            "previous_reports": _("Reports of studies included in previous version of review"),
            "database_results": _("Databases"),
            "register_results": _("Registers"),
            "website_results": _("Websites"),
            "organisation_results": _("Organisations"),
            "citations_results": _("Citation searching"),
            "duplicates": _("Duplicate records removed"),
            "excluded_automatic": _("Records marked as ineligible by automation tools"),
            "excluded_other": _("Records removed for other reasons"),
            "records_screened": _("Records screened"),
            "records_excluded": _("Records excluded"),
            "dbr_sought_reports": _("Reports sought for retrieval"),
            "dbr_notretrieved_reports": _("Reports not retrieved"),
            "dbr_assessed": _("Reports assessed for eligibility"),
            "dbr_excluded": _("Reports excluded"),
            "other_sought_reports": _("Reports sought for retrieval"),
            "other_notretrieved_reports": _("Reports not retrieved"),
            "other_assessed": _("Reports assessed for eligibility"),
            "other_excluded": _("Reports excluded"),
            "new_studies": _("New studies included in review")
            if update
            else _("Studies included in review"),
            "new_reports": _("Reports of new included studies")
            if update
            else _("Reports of included studies"),
            "total_studies": _("Total studies included in review"),
            "total_reports": _("Reports of total included studies"),
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


Columns = dict[str, tuple[float, float]]  # name -> (x, width)


def _columns(update: bool, other: bool) -> tuple[Columns, float]:
    """The template's columns left to right, and the diagram's width."""
    x = MARGIN + BAR_WIDTH + GAP
    col: Columns = {}
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
    return col, x + MARGIN


class _Placer:
    """Makes boxes in their column, with their text wrapped to the column's width."""

    def __init__(self, col: Columns) -> None:
        self.col = col
        self.boxes: dict[str, _Box] = {}

    def add(self, key: str, column: str, paras: list[_Para], kind: str = "main") -> None:
        fill = GREY if kind == "grey" else WHITE
        b = _Box(key=key, paras=paras, width=self.col[column][1], kind=kind, fill=fill)
        b.x = self.col[column][0]
        b.layout()
        self.boxes[key] = b


def _identification_boxes(p: _Placer, c: PrismaCounts, t: _Texts) -> None:
    if c.is_update:
        p.add(
            "box1",
            "prev",
            [
                t.inline("previous_studies", c.previous_studies),
                _Para(t.label("previous_reports"), space_before=FONT_SIZE * 0.8),
                _Para(t.count("previous_reports", c.previous_reports)),
            ],
            "grey",
        )
    p.add(
        "box2",
        "main",
        [
            _Para(t.label("box2")),
            *_sources_paras(t, "database_results", c.database_specific_results),
            *_sources_paras(t, "register_results", c.register_specific_results),
        ],
    )
    removed = [
        (key, getattr(c, attr))
        for key, attr in (
            ("duplicates", "duplicates"),
            ("excluded_automatic", "excluded_automatic"),
            ("excluded_other", "excluded_other"),
        )
    ]
    p.add(
        "box3",
        "side",
        [_Para(t.label("box3"))]
        + [_Para(f"{t.label(key)} {t.count(key, n)}", indent=10.0) for key, n in removed],
    )


def _screening_boxes(p: _Placer, c: PrismaCounts, t: _Texts) -> None:
    p.add("box4", "main", t.stacked("records_screened", c.records_screened))
    p.add("box5", "side", t.stacked("records_excluded", c.records_excluded))
    p.add("box6", "main", t.stacked("dbr_sought_reports", c.dbr_sought_reports))
    p.add("box7", "side", t.stacked("dbr_notretrieved_reports", c.dbr_notretrieved_reports))
    p.add("box8", "main", t.stacked("dbr_assessed", c.dbr_assessed))
    p.add("box9", "side", _reasons_paras(t, "dbr_excluded", c.dbr_excluded))
    p.add(
        "box10",
        "main",
        [t.inline("new_studies", c.new_studies), t.inline("new_reports", c.new_reports)],
    )
    if c.is_update:
        p.add(
            "box16",
            "main",
            [
                t.inline("total_studies", c.studies_total),
                t.inline("total_reports", c.reports_total),
            ],
            "grey",
        )


def _other_methods_boxes(p: _Placer, c: PrismaCounts, t: _Texts) -> None:
    paras = [_Para(t.label("box11"))]
    for key, items in (
        ("website_results", c.website_specific_results),
        ("organisation_results", c.organisation_specific_results),
        ("citations_results", c.citations_specific_results),
    ):
        if items is not None:
            paras += _sources_paras(t, key, items)
    p.add("box11", "other", paras, "grey")
    p.add("box12", "other", t.stacked("other_sought_reports", c.other_sought_reports), "grey")
    p.add(
        "box13",
        "other_side",
        t.stacked("other_notretrieved_reports", c.other_notretrieved_reports),
        "grey",
    )
    p.add("box14", "other", t.stacked("other_assessed", c.other_assessed), "grey")
    p.add("box15", "other_side", _reasons_paras(t, "other_excluded", c.other_excluded), "grey")


def _headers(col: Columns, t: _Texts, c: PrismaCounts, top: float) -> list[_Box]:
    """The coloured header boxes over the column groups, all as tall as the tallest."""
    wanted = []
    if c.is_update:
        wanted.append(("prevstud", "prev", "prev", GREY))
    wanted.append(("newstud", "main", "side", YELLOW))
    if c.has_other_methods:
        wanted.append(("othstud", "other", "other_side", GREY))
    headers = []
    for key, left, right, fill in wanted:
        x0, x1 = col[left][0], col[right][0] + col[right][1]
        h = _Box(key=key, paras=[_Para(t.label(key), bold=True)], width=x1 - x0, kind="header")
        h.x, h.fill, h.align = x0, fill, "center"
        h.layout(min_height=22.0)
        headers.append(h)
    header_h = max(h.height for h in headers)
    for h in headers:
        h.layout(min_height=header_h)
        h.y = top
    return headers


def _row(boxes: dict[str, _Box], keys: list[str], top: float, min_height: float = 0.0) -> float:
    """Centre a row's boxes on a common line (so horizontal arrows run straight); its bottom."""
    present = [boxes[k] for k in keys if k in boxes]
    height = max([b.height for b in present] + [min_height])
    for b in present:
        b.y = top + (height - b.height) / 2
    return top + height


def _place_phases(
    boxes: dict[str, _Box], t: _Texts, phase_top: float, y: float, header_h: float
) -> tuple[list[tuple[str, str, float, float]], float]:
    """Rows top to bottom, phase by phase; the phase bars (each at least as tall as its
    rotated label) and the bottom of the last row."""

    def bar_min(key: str) -> float:
        return text_width(t.label(key), FONT_SIZE, True) + 16.0

    bars: list[tuple[str, str, float, float]] = []
    ident_min = bar_min("identification") - (header_h + HEADER_GAP)
    y_ident_end = _row(boxes, ["box1", "box2", "box3", "box11"], y, ident_min)
    bars.append(("identification", t.label("identification"), phase_top, y_ident_end))

    y = screening_top = y_ident_end + PHASE_GAP
    y = _row(boxes, ["box4", "box5"], y) + ROW_GAP
    y = _row(boxes, ["box6", "box7", "box12", "box13"], y) + ROW_GAP
    y = max(
        _row(boxes, ["box8", "box9", "box14", "box15"], y), screening_top + bar_min("screening")
    )
    bars.append(("screening", t.label("screening"), screening_top, y))

    y = included_top = y + PHASE_GAP
    y = _row(boxes, ["box10"], y)
    if "box16" in boxes:
        y = _row(boxes, ["box16"], y + ROW_GAP)
    if y - included_top < bar_min("included"):
        shift = (bar_min("included") - (y - included_top)) / 2
        for key in ("box10", "box16"):
            if key in boxes:
                boxes[key].y += shift
        y = included_top + bar_min("included")
    bars.append(("included", t.label("included"), included_top, y))
    return bars, y


def _build(counts: PrismaCounts, title: str | None) -> _Diagram:
    """Lay the diagram out: boxes made in their columns, then placed row by row."""
    t = _Texts(counts)
    col, width = _columns(counts.is_update, counts.has_other_methods)
    placer = _Placer(col)
    _identification_boxes(placer, counts, t)
    _screening_boxes(placer, counts, t)
    if counts.has_other_methods:
        _other_methods_boxes(placer, counts, t)
    boxes = placer.boxes

    y = MARGIN
    title_lines = wrap(_clean(title), width - 2 * MARGIN, 11.0, True) if title else []
    y += len(title_lines) * 11.0 * LINE_HEIGHT + (6.0 if title_lines else 0.0)
    headers = _headers(col, t, counts, y)
    header_h = headers[0].height
    bars, y = _place_phases(boxes, t, y, y + header_h + HEADER_GAP, header_h)

    footnote = _(MANUAL_FOOTNOTE) if counts.manual else None
    height = y + MARGIN + (FONT_SIZE * LINE_HEIGHT + 4.0 if footnote else 0.0)
    return _Diagram(width, height, boxes, headers, bars, _arrows(boxes), title_lines, footnote)


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
