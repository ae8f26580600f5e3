"""The appraisal table (study × item, the agreed answer and comments) and its figure data.

One row per included study, even before anyone judged it, so a lead can see what is missing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from reviewapp.models import Review
from reviewapp.spreadsheet import safe_cell
from screening.appraisal import service
from screening.appraisal.figure import FigureRow
from screening.appraisal.tools import Tool
from screening.models import Appraisal, AppraisalResult


@dataclass
class TableRow:
    number: int | None
    label: str
    tool: Tool | None
    status: str
    result: AppraisalResult | None
    score: float | None
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # item -> (answer, comment)


def status_of(row: service.StudyRow) -> str:
    if row.tool is None:
        return _("no tool chosen")
    if row.result is not None:
        return str(row.result.get_resolution_display())
    if row.conflict is not None and not row.conflict.is_resolved:
        return _("in conflict")
    submitted = sum(1 for _name, done in row.appraisers if done)
    if not row.appraisers:
        return _("not started")
    return _("%(n)s of 2 submitted") % {"n": submitted}


def table(review: Review, viewer) -> tuple[list[str], list[TableRow]]:
    """The item numbers (columns, in the tools' order) and one row per included study."""
    rows, items = [], []
    for row in service.study_rows(review, viewer):
        out = TableRow(
            row.study.reference_number, row.study.label, row.tool, status_of(row), row.result, None
        )
        if row.tool is not None:
            category = row.result.category if row.result else ""
            for item in (
                row.tool.items_for(category)
                if row.result
                else [i for i in row.tool.items if not i.category]
            ):
                if item.number not in items:
                    items.append(item.number)
            if row.result is not None:
                out.score = service.quality_score(row.tool, row.result)
                for number, given in row.result.answers.items():
                    if number not in items:
                        items.append(number)
                    out.cells[number] = (
                        row.tool.answer_label(given.get("answer", "")),
                        given.get("comment", ""),
                    )
        rows.append(out)
    return items, rows


def header(items: list[str]) -> list[str]:
    head = [
        _("No."),
        _("Study"),
        _("Tool"),
        _("Version"),
        _("Category"),
        _("Status"),
        _("Overall"),
        _("Score"),
    ]
    for number in items:
        head += [_("Item %(n)s") % {"n": number}, _("Item %(n)s comment") % {"n": number}]
    return head


def cells(row: TableRow, items: list[str]) -> list:
    result = row.result
    category = ""
    if result is not None and row.tool is not None and row.tool.categories:
        category = str(dict(row.tool.categories).get(result.category, result.category))
    overall = ""
    if result is not None and row.tool is not None and result.overall:
        overall = str(dict(row.tool.overall).get(result.overall, result.overall))
    out = [
        row.number or "",
        row.label,
        row.tool.name if row.tool else "",
        result.tool_version if result else (row.tool.version if row.tool else ""),
        category,
        row.status,
        overall,
        f"{row.score:.0%}" if row.score is not None else "",
    ]
    for number in items:
        answer, comment = row.cells.get(number, ("", ""))
        out += [str(answer), comment]
    return out


def to_csv(review: Review, viewer) -> str:
    items, rows = table(review, viewer)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header(items)])
    for row in rows:
        writer.writerow([safe_cell(c) for c in cells(row, items)])
    return buffer.getvalue()


def to_xlsx(review: Review, viewer) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    items, rows = table(review, viewer)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Appraisal"))
    sheet.append([safe_cell(h) for h in header(items)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(c) if isinstance(c, str) else c for c in cells(row, items)])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def figure_rows(review: Review, viewer) -> tuple[list[FigureRow], list[str]]:
    """Agreed judgements as levels; a study not yet settled shows every item as not judged."""
    items, rows = table(review, viewer)
    out = []
    for row in rows:
        levels = {}
        if row.result is not None and row.tool is not None:
            levels = {n: row.tool.level(a.get("answer", "")) for n, a in row.result.answers.items()}
        out.append(FigureRow(row.label, levels))
    return out, items


def appraisal_line(review: Review) -> dict[int, str]:
    """Study id -> a one-line appraisal summary for the study table and the synthesis."""
    out = {}
    plan = service.plan_for(review)
    if plan is None:
        return out
    tools: dict[tuple[str, str], Tool] = {}
    for result in AppraisalResult.objects.filter(review=review):
        key = (result.tool_key, result.tool_version)
        if key not in tools:
            try:
                tools[key] = service.get_tool(review, *key)
            except service.AppraisalError:
                tools[key] = None  # a tool that no longer exists: the study shows no summary
        tool = tools[key]
        if tool is None:
            continue
        score = service.quality_score(tool, result)
        yes = sum(1 for a in result.answers.values() if tool.level(a.get("answer", "")) == "good")
        out[result.study_id] = _("%(tool)s: %(yes)s of %(n)s favourable%(score)s") % {
            "tool": tool.name,
            "yes": yes,
            "n": len(result.answers),
            "score": f" ({score:.0%})" if score is not None else "",
        }
    pending = Appraisal.objects.filter(review=review).values_list("study_id", flat=True)
    for study_id in pending:
        out.setdefault(study_id, _("appraisal in progress"))
    return out
