"""The extraction form, extractors' answers, consensus and the study characteristics table."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext

from reviewapp.audit import record_event
from reviewapp.models import Review
from screening.appraisal.exports import appraisal_line
from screening.appraisal.service import plan_for as appraisal_plan_for
from screening.models import Study

from ..models import Extraction, ExtractionField, ExtractionForm, ExtractionSection, FieldKind
from .codebook import CodingError
from .codings import studies_for
from .interchange import safe_cell
from .permissions import require_consensus_right, require_lead

# The seed review's Table 2 ("List of study characteristics"), as sections of fields.
DEFAULT_TEMPLATE: list[tuple[str, list[dict]]] = [
    (
        "Study",
        [
            {
                "key": "reference",
                "label": "Reference",
                "kind": FieldKind.TEXT,
                "required": True,
                "help_text": "First author and reference number, e.g. Christiaanse [9]",
            },
            {"key": "year", "label": "Year", "kind": FieldKind.YEAR},
            {
                "key": "region",
                "label": "Region",
                "kind": FieldKind.COUNTRY,
                "help_text": "Country or region where the study took place",
            },
        ],
    ),
    (
        "Participants and methods",
        [
            {
                "key": "participants",
                "label": "Participants",
                "kind": FieldKind.TEXT,
                "help_text": "Who was studied (the seed's 'Object'), e.g. Faculty of Medicine",
            },
            {
                "key": "methods",
                "label": "Methods",
                "kind": FieldKind.SINGLE,
                "choices": [
                    "Questionnaire survey",
                    "Interview",
                    "Focus group",
                    "Grounded theory",
                    "Expert consensus",
                    "Qualitative phone interviews",
                    "Mixed methods",
                    "Other",
                ],
            },
            {
                "key": "sample_size",
                "label": "Sample size",
                "kind": FieldKind.NUMBER,
                "min_value": 0,
                "help_text": "Number of participants (n); empty if not applicable",
            },
        ],
    ),
    (
        "Findings",
        [
            {
                "key": "outcome",
                "label": "Outcome",
                "kind": FieldKind.LONG_TEXT,
                "help_text": "Main findings, including the barriers reported",
            },
            {
                "key": "strategy",
                "label": "Strategy in overcoming the barriers",
                "kind": FieldKind.LONG_TEXT,
            },
        ],
    ),
]


@transaction.atomic
def ensure_default_form(review: Review, user=None) -> ExtractionForm:
    """The review's extraction form, created from the seed's Table 2 on first use."""
    form, created = ExtractionForm.objects.get_or_create(review=review)
    if created:
        for s_pos, (title, fields) in enumerate(DEFAULT_TEMPLATE):
            section = ExtractionSection.objects.create(form=form, title=title, position=s_pos)
            for f_pos, spec in enumerate(fields):
                ExtractionField.objects.create(form=form, section=section, position=f_pos, **spec)
        record_event(
            review, user, "extraction_form.created", form, message="From the Table 2 template"
        )
    return form


def unique_field_key(form: ExtractionForm, label: str, exclude_pk: int | None = None) -> str:
    base = slugify(label).replace("-", "_")[:50] or "field"
    key, n = base, 2
    taken = set(form.fields.exclude(pk=exclude_pk).values_list("key", flat=True))
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


@transaction.atomic
def save_field(form: ExtractionForm, user, field: ExtractionField) -> ExtractionField:
    require_lead(form.review_id, user)
    created = field.pk is None
    field.form = form
    if not field.key:
        field.key = unique_field_key(form, field.label, field.pk)
    if field.kind in (FieldKind.SINGLE, FieldKind.MULTIPLE) and not field.choices:
        raise CodingError(gettext("A choice field needs its options."))
    field.save()
    record_event(
        form.review,
        user,
        "extraction_field." + ("added" if created else "updated"),
        field,
        after={"label": field.label, "kind": field.kind, "required": field.required},
    )
    return field


@transaction.atomic
def save_extraction(
    study: Study, user, values: dict, *, completed: bool, consensus: bool = False
) -> Extraction:
    """Store one extractor's answers (or the consensus) for a study."""
    if consensus:
        require_consensus_right(study, user)
        extraction, _ = Extraction.objects.get_or_create(study=study, is_consensus=True)
        extraction.extractor = user
    else:
        extraction, _ = Extraction.objects.get_or_create(
            study=study, extractor=user, is_consensus=False
        )
    before = extraction.values
    extraction.values = values
    extraction.completed = completed
    extraction.save()
    record_event(
        study.review,
        user,
        "extraction.consensus" if consensus else "extraction.saved",
        extraction,
        before=before,
        after=values,
    )
    return extraction


@transaction.atomic
def set_extractors_per_study(form: ExtractionForm, user, number: int) -> ExtractionForm:
    require_lead(form.review_id, user)
    if number not in (1, 2):
        raise CodingError(gettext("One or two extractors per study."))
    form.extractors_per_study = number
    form.save(update_fields=["extractors_per_study"])
    record_event(
        form.review,
        user,
        "extraction_form.updated",
        form,
        after={"extractors_per_study": str(number)},
    )
    return form


@transaction.atomic
def add_section(form: ExtractionForm, user, section: ExtractionSection) -> ExtractionSection:
    require_lead(form.review_id, user)
    section.form = form
    section.save()
    record_event(
        form.review, user, "extraction_section.added", section, after={"title": section.title}
    )
    return section


@transaction.atomic
def delete_field(form: ExtractionForm, user, field: ExtractionField) -> None:
    """Take a question off the form; answers already given stay stored in the extractions."""
    require_lead(form.review_id, user)
    if field.form_id != form.pk:
        raise CodingError(gettext("That field belongs to another form."))
    record_event(
        form.review,
        user,
        "extraction_field.deleted",
        field,
        before={"label": field.label, "key": field.key},
    )
    field.delete()


def display(field: ExtractionField, value) -> str:
    """An answer as text for tables and exports."""
    if value in (None, "", []):
        return ""
    if field.kind == FieldKind.MULTIPLE:
        return "; ".join(value)
    if field.kind == FieldKind.INT_RANGE:
        low, high = value
        return str(low) if low == high else f"{low}–{high}"
    if field.kind == FieldKind.NUMBER:
        number = float(value)
        return str(int(number)) if number.is_integer() else str(number)
    return str(value)


@dataclass
class StudyRow:
    study: Study
    values: dict
    status: str  # "consensus", "single", "agreed", "pending"
    disagreements: list[str]
    appraisal: str | None = None  # None: the review appraises nothing (no column)

    def cells(self, fields: list[ExtractionField]) -> list[str]:
        return [display(f, self.values.get(f.key)) for f in fields]


def final_values(
    form: ExtractionForm, extractions: list[Extraction], fields
) -> tuple[dict, str, list[str]]:
    """The answers the table shows: the consensus; or the one extraction; or where two agree."""
    consensus = next((e for e in extractions if e.is_consensus), None)
    if consensus is not None:
        return consensus.values, "consensus", []
    own = [e for e in extractions if not e.is_consensus]
    if not own:
        return {}, "pending", []
    if form.extractors_per_study == 1 or len(own) == 1:
        return own[0].values, "single" if form.extractors_per_study == 1 else "pending", []
    a, b = own[0].values, own[1].values
    agreed = {f.key: a.get(f.key) for f in fields if a.get(f.key) == b.get(f.key)}
    differing = [f.label for f in fields if a.get(f.key) != b.get(f.key)]
    return agreed, "pending" if differing else "agreed", differing


def study_table(review: Review) -> tuple[list[ExtractionField], list[StudyRow]]:
    """One row per included study, in reference order."""
    form = ensure_default_form(review)
    fields = list(form.fields.select_related("section"))
    studies = list(
        studies_for(review)
        .prefetch_related("extractions")
        .order_by("reference_number", "label", "id")
    )
    appraised = appraisal_plan_for(review) is not None
    lines = appraisal_line(review) if appraised else {}
    rows = []
    for study in studies:
        values, status, differing = final_values(form, list(study.extractions.all()), fields)
        appraisal = lines.get(study.pk, "") if appraised else None
        rows.append(StudyRow(study, values, status, differing, appraisal))
    return fields, rows


def _appraised(rows: list[StudyRow]) -> bool:
    return any(row.appraisal is not None for row in rows)


def table_header(fields, rows: list[StudyRow] = ()) -> list[str]:
    extra = [gettext("Appraisal")] if _appraised(rows) else []
    return ["No.", "Study", *[f.label for f in fields], *extra]


def table_cells(row: StudyRow, fields) -> list[str]:
    extra = [row.appraisal] if row.appraisal is not None else []
    return [row.study.reference_number or "", row.study.label, *row.cells(fields), *extra]


def study_table_csv(review: Review) -> str:
    fields, rows = study_table(review)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in table_header(fields, rows)])
    for row in rows:
        writer.writerow([safe_cell(c) for c in table_cells(row, fields)])
    return out.getvalue()


def study_table_xlsx(review: Review) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    fields, rows = study_table(review)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Study characteristics"
    sheet.append([safe_cell(h) for h in table_header(fields, rows)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(c) if isinstance(c, str) else c for c in table_cells(row, fields)])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
