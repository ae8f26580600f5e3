"""The synthesis as files: theme summaries (Markdown, CSV, XLSX) and one workbook of everything.

Every spreadsheet cell that could start a formula is neutralised (coding's safe_cell: a leading
quote before = + - @), and every value in the Markdown goes through reviewapp.textexport's
one helper (HTML and Markdown markup escaped, one line), so a code name, study label or
excerpt is always shown as written and never run.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext, ngettext

from coding.models import SourceType
from reviewapp.spreadsheet import safe_cell
from reviewapp.textexport import markdown
from synthesis.services import POLARITY_LABELS, Counts, Matrix, Theme, level_label

SOURCE_LABELS = dict(SourceType.choices)
THEME_COLUMNS = ["Level", "Polarity", "Code", "Definition", "Studies", "Excerpts", "Citations"]
EXCERPT_COLUMNS = [
    "Level",
    "Polarity",
    "Code",
    "Reference",
    "Study",
    "Source type",
    "Coder",
    "Excerpt",
]


def _source(coding) -> str:
    """The passage's source type, with the section of its source when the coder gave one."""
    label = str(SOURCE_LABELS.get(coding.source_type, coding.source_type))
    return f"{label} ({coding.section})" if coding.section else label


def _coder(coding) -> str:
    user = coding.coder
    return (user.full_name or user.email) if user is not None else ""


def theme_rows(themes: list[Theme]) -> list[list]:
    return [
        [
            level_label(t.level),
            str(POLARITY_LABELS[t.polarity]),
            t.node.name,
            t.node.definition,
            len(t.studies),
            len(t.codings),
            t.citation,
        ]
        for t in themes
    ]


def excerpt_rows(themes: list[Theme]) -> list[list]:
    return [
        [
            level_label(t.level),
            str(POLARITY_LABELS[t.polarity]),
            t.node.name,
            c.study.reference_number if c.study.reference_number is not None else "",
            c.study.label,
            _source(c),
            _coder(c),
            c.excerpt,
        ]
        for t in themes
        for c in t.codings
    ]


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) if isinstance(v, str) else v for v in row])
    return out.getvalue()


def themes_csv(themes: list[Theme]) -> str:
    """One row per excerpt, with its theme's citation list (themes without excerpts: one row)."""
    header = [*THEME_COLUMNS, "Reference", "Study", "Source type", "Coder", "Excerpt"]
    rows = []
    for theme, summary in zip(themes, theme_rows(themes), strict=True):
        if not theme.codings:
            rows.append([*summary, "", "", "", "", ""])
        for c in theme.codings:
            rows.append(
                [
                    *summary,
                    c.study.reference_number if c.study.reference_number is not None else "",
                    c.study.label,
                    _source(c),
                    _coder(c),
                    c.excerpt,
                ]
            )
    return _csv(header, rows)


md = markdown  # every value in the Markdown export goes through reviewapp.textexport


def themes_markdown(title: str, matrix: Matrix, counts: Counts, themes: list[Theme]) -> str:
    version = matrix.version.label if matrix.version else gettext("draft")
    codebook = gettext("Codebook %(version)s. %(sentence)s.") % {
        "version": md(version),
        "sentence": md(counts.sentence),
    }
    lines = [f"# {md(title)}", "", codebook, ""]
    current = None
    for theme in themes:
        group = (theme.level, theme.polarity)
        if group != current:
            current = group
            heading = f"{level_label(theme.level)}: {POLARITY_LABELS[theme.polarity]}"
            lines += [f"## {md(heading)}", ""]
        lines.append(f"### {md(theme.node.name)} {md(theme.citation)}")
        lines.append("")
        if theme.node.definition:
            lines += [f"*{gettext('Definition:')}* {md(theme.node.definition)}", ""]
        studies = ngettext("%(n)s study", "%(n)s studies", len(theme.studies))
        excerpts = ngettext("%(n)s excerpt", "%(n)s excerpts", len(theme.codings))
        lines.append(
            gettext("%(studies)s, %(excerpts)s.")
            % {
                "studies": studies % {"n": len(theme.studies)},
                "excerpts": excerpts % {"n": len(theme.codings)},
            }
        )
        lines.append("")
        for c in theme.codings:
            ref = c.study.reference_number
            where = f"[{ref}] {c.study.label}" if ref is not None else c.study.label
            source = _source(c)
            lines.append(f"> {md(c.excerpt)}")
            lines.append(">")
            lines.append(f"> — {md(where)}, {md(source[:1].lower() + source[1:])}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- XLSX -------------------------------------------------------------------------------------


def _sheet(workbook, title: str, header: list[str], rows: list[list], *, first: bool = False):
    from openpyxl.styles import Alignment, Font

    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append([safe_cell(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) if isinstance(v, str) else v for v in row])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    return sheet


def _save(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def themes_xlsx(themes: list[Theme]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    _sheet(workbook, "Themes", THEME_COLUMNS, theme_rows(themes), first=True)
    _sheet(workbook, "Excerpts", EXCERPT_COLUMNS, excerpt_rows(themes))
    return _save(workbook)


def matrix_rows(matrix: Matrix) -> tuple[list[str], list[list]]:
    header = [
        "Level",
        "Polarity",
        "Code",
        *[
            f"[{s.reference_number}] {s.label}" if s.reference_number is not None else s.label
            for s in matrix.studies
        ],
        "Studies",
        "Excerpts",
        "Citations",
    ]
    rows = [
        [
            level_label(r.level),
            str(POLARITY_LABELS[r.polarity]),
            r.node.name,
            *r.cells,
            r.study_count,
            r.excerpts,
            r.citation,
        ]
        for r in matrix.rows
    ]
    return header, rows


def matrix_csv(matrix: Matrix) -> str:
    return _csv(*matrix_rows(matrix))


def count_rows(counts: Counts) -> list[list]:
    rows = [
        [
            lv.label,
            lv.facilitators,
            lv.barriers,
            lv.total,
            lv.cited_facilitators + lv.cited_barriers,
        ]
        for lv in counts.levels
    ]
    rows.append(
        [
            "All levels",
            counts.facilitators,
            counts.barriers,
            counts.total,
            sum(lv.cited_facilitators + lv.cited_barriers for lv in counts.levels),
        ]
    )
    rows.append([counts.sentence, "", "", "", ""])
    return rows


COUNT_COLUMNS = ["Level", "Facilitators", "Barriers", "Subthemes", "Cited by a study"]


def synthesis_xlsx(matrix: Matrix, counts: Counts, themes: list[Theme], study_table=None) -> bytes:
    """One workbook: Matrix, Themes, Excerpts, Studies (the characteristics table), Counts."""
    from openpyxl import Workbook

    workbook = Workbook()
    header, rows = matrix_rows(matrix)
    _sheet(workbook, "Matrix", header, rows, first=True)
    _sheet(workbook, "Themes", THEME_COLUMNS, theme_rows(themes))
    _sheet(workbook, "Excerpts", EXCERPT_COLUMNS, excerpt_rows(themes))
    if study_table is not None:
        fields, study_rows = study_table
        _sheet(
            workbook,
            "Studies",
            ["No.", "Study", *[f.label for f in fields]],
            [
                [
                    r.study.reference_number if r.study.reference_number is not None else "",
                    r.study.label,
                    *r.cells(fields),
                ]
                for r in study_rows
            ],
        )
    else:
        _sheet(
            workbook,
            "Studies",
            ["No.", "Study"],
            [[s.reference_number or "", s.label] for s in matrix.studies],
        )
    _sheet(workbook, "Counts", COUNT_COLUMNS, count_rows(counts))
    return _save(workbook)
