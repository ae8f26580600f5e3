"""Hostile text in every field people or imported files control, and the checks on what the app
sends back: HTML with the payloads escaped, spreadsheets with formula cells neutralised."""

from __future__ import annotations

import csv
import io
import re
from itertools import cycle

from django.db import models
from openpyxl import load_workbook

from reviewapp import backup
from reviewapp.models import Review, User

FORMULAS = ('=HYPERLINK("http://x")', "+cmd", "-1+1", "@SUM(A1)")
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# What must never reach a browser unescaped (the attribute break-out included).
RAW = ("<script>alert(1)", "<img src=x onerror=")

# Not free text: identifiers, hashes, enumerations the code branches on, and addresses.
NOT_TEXT = {
    "slug",
    "token",
    "sha256",
    "file_sha256",
    "object_type",
    "object_id",
    "action",
    "key",
    "data",
    "encoding",
    "detected_format",
    "requested_format",
    "ordering",
    "color",
    "source_key",
}


def payload(formula: str, room: int) -> str | None:
    """The longest hostile text that fits: a formula start, then the HTML payloads."""
    for text in (formula + SCRIPT + IMG, formula + IMG, formula + SCRIPT):
        if len(text) <= room:
            return text
    return None


def text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not isinstance(f, models.EmailField | models.SlugField)
        and not f.choices
        and not f.primary_key
        and f.name not in NOT_TEXT
    ]


def _json_value(label: str, name: str, current, text: str):
    if label == "screening.record" and name in ("authors", "authors_alt", "keywords"):
        return [text, text]
    if label == "screening.record" and name == "other_ids":
        return {"wos": text}
    if label == "screening.duplicatecandidate" and name == "reasons":
        return [text]
    if label == "screening.importjob" and name == "warnings":
        return [[3, text]]
    if label == "screening.importjob" and name == "skipped":
        return [[3, text, text, text]]
    if label == "reviewapp.auditevent" and name in ("before", "after"):
        return {"note": text, "title": text}
    return current


def make_hostile(review: Review, users: list[User]) -> int:
    """Overwrite every free-text field of every row the review owns; returns how many."""
    formulas = cycle(FORMULAS)
    changed = 0
    for user in users:
        formula = next(formulas)
        User.objects.filter(pk=user.pk).update(
            full_name=payload(formula, 200), first_name=payload(formula, 150)
        )
    rows = [(Review, Review.objects.filter(pk=review.pk))]
    rows += [(rm.model, backup.rows_of(review, rm)) for rm in backup.review_models()]
    for model, queryset in rows:
        label = model._meta.label_lower
        fields = text_fields(model)
        json_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
        for obj in queryset:
            values = {}
            for f in fields:
                text = payload(next(formulas), f.max_length or 10_000)
                if text is not None:
                    values[f.attname] = text
            for f in json_fields:
                new = _json_value(
                    label, f.name, getattr(obj, f.attname), payload(next(formulas), 10_000)
                )
                if new is not getattr(obj, f.attname):
                    values[f.attname] = new
            if label == "coding.extraction":
                values["values"] = {k: payload(next(formulas), 10_000) for k in obj.values}
            if values:
                # A plain QuerySet: the audit trail's refuses updates, rightly, in the app.
                models.QuerySet(model).filter(pk=obj.pk).update(**values)
                changed += 1
    return changed


def unescaped(body: str) -> list[str]:
    """Each raw payload with a little context around it."""
    found = []
    for raw in RAW:
        for match in re.finditer(re.escape(raw), body):
            found.append(body[max(0, match.start() - 60) : match.end() + 20])
    return found


NUMBER = re.compile(r"^-?\d+(\.\d+)?%?$")


def is_formula(text: str) -> bool:
    return bool(text) and text[0] in "=+-@\t\r" and not NUMBER.match(text)


def csv_formula_cells(body: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body)) for cell in row if is_formula(cell)]


def xlsx_formula_cells(body: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(body))
    bad = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (
                    isinstance(cell.value, str) and is_formula(cell.value)
                ):
                    bad.append(f"{sheet.title}!{cell.coordinate}: {cell.value!r}")
    return bad
