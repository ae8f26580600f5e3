"""Study characteristics: the form builder, each extractor's answers, consensus, the table."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.access import get_review_for, review_roles

from .. import services
from ..forms import COUNTRY_LIST, ExtractionAnswersForm, FieldForm, SectionForm
from ..models import Extraction, ExtractionField
from .common import CODERS, LEAD, included_study


@review_roles(*CODERS)
def extraction_table(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, *CODERS)
    fields, rows = services.study_table(review)
    mine = set(
        Extraction.objects.filter(
            study__review=review, extractor=request.user, is_consensus=False, completed=True
        ).values_list("study_id", flat=True)
    )
    return TemplateResponse(
        request,
        "coding/extraction_table.html",
        {
            "review": review,
            "membership": membership,
            "form": review.extraction_form,
            "fields": fields,
            "rows": [(row, row.cells(fields), row.study.pk in mine) for row in rows],
            "appraised": any(row.appraisal is not None for row in rows),
        },
    )


@review_roles(*CODERS)
def extraction_export_csv(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    response = HttpResponse(services.study_table_csv(review), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{review.slug}-studies.csv"'
    return response


@review_roles(*CODERS)
def extraction_export_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    response = HttpResponse(
        services.study_table_xlsx(review),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{review.slug}-studies.xlsx"'
    return response


@review_roles(LEAD)
@require_http_methods(["GET", "POST"])
def extraction_builder(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, LEAD)
    form = services.ensure_default_form(review, request.user)
    section_form = SectionForm(request.POST or None, prefix="section")
    if request.method == "POST":
        if "extractors_per_study" in request.POST:
            value = request.POST["extractors_per_study"]
            if value in ("1", "2"):
                services.set_extractors_per_study(form, request.user, int(value))
                messages.success(request, gettext("Saved."))
                return redirect("extraction_builder", review.slug)
        elif section_form.is_valid():
            section = services.add_section(form, request.user, section_form.save(commit=False))
            messages.success(
                request, gettext("Section “%(title)s” added.") % {"title": section.title}
            )
            return redirect("extraction_builder", review.slug)
    sections = form.sections.prefetch_related("fields")
    return TemplateResponse(
        request,
        "coding/extraction_builder.html",
        {"review": review, "form": form, "sections": sections, "section_form": section_form},
    )


@review_roles(LEAD)
@require_http_methods(["GET", "POST"])
def extraction_field(request: HttpRequest, slug: str, field_id: int | None = None) -> HttpResponse:
    review, _ = get_review_for(request, slug, LEAD)
    form = services.ensure_default_form(review, request.user)
    field = get_object_or_404(form.fields, pk=field_id) if field_id else ExtractionField(form=form)
    field_form = FieldForm(request.POST or None, instance=field, form=form)
    if request.method == "POST" and field_form.is_valid():
        try:
            services.save_field(form, request.user, field_form.save(commit=False))
        except services.CodingError as exc:
            field_form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Field saved."))
            return redirect("extraction_builder", review.slug)
    return TemplateResponse(
        request,
        "coding/extraction_field.html",
        {"review": review, "field_form": field_form, "field": field if field_id else None},
    )


@review_roles(LEAD)
@require_POST
def extraction_field_delete(request: HttpRequest, slug: str, field_id: int) -> HttpResponse:
    review, _ = get_review_for(request, slug, LEAD)
    form = services.ensure_default_form(review, request.user)
    field = get_object_or_404(form.fields, pk=field_id)
    services.delete_field(form, request.user, field)
    messages.success(request, gettext("Field deleted; answers already given stay stored."))
    return redirect("extraction_builder", review.slug)


def _fields(review) -> list[ExtractionField]:
    return list(services.ensure_default_form(review).fields.select_related("section"))


@review_roles(*CODERS)
@require_http_methods(["GET", "POST"])
def extract_study(request: HttpRequest, slug: str, study_id: int) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    study = included_study(review, study_id)
    fields = _fields(review)
    mine = Extraction.objects.filter(
        study=study, extractor=request.user, is_consensus=False
    ).first()
    initial = {**(mine.values if mine else {}), "completed": mine.completed if mine else False}
    answers = ExtractionAnswersForm(request.POST or None, fields=fields, initial=initial)
    if request.method == "POST" and answers.is_valid():
        services.save_extraction(
            study, request.user, answers.values(), completed=answers.cleaned_data["completed"]
        )
        messages.success(
            request, gettext("Extraction of %(label)s saved.") % {"label": study.label}
        )
        return redirect("extraction_table", review.slug)
    return TemplateResponse(
        request,
        "coding/extract_study.html",
        {
            "review": review,
            "study": study,
            "answers": answers,
            "countries": COUNTRY_LIST,
            "consensus": False,
        },
        status=400 if request.method == "POST" else 200,
    )


@review_roles(*CODERS)
@require_http_methods(["GET", "POST"])
def extraction_compare(request: HttpRequest, slug: str, study_id: int) -> HttpResponse:
    """Two extractors side by side, and the consensus answers."""
    review, _ = get_review_for(request, slug, *CODERS)
    study = included_study(review, study_id)
    fields = _fields(review)
    extractions = list(study.extractions.select_related("extractor"))
    own = [e for e in extractions if not e.is_consensus]
    consensus = next((e for e in extractions if e.is_consensus), None)
    form = services.ensure_default_form(review)
    agreed, _, _ = services.extraction.final_values(form, own, fields)
    initial = consensus.values if consensus else agreed
    answers = ExtractionAnswersForm(
        request.POST or None, fields=fields, initial={**initial, "completed": True}
    )
    if request.method == "POST" and answers.is_valid():
        services.save_extraction(
            study, request.user, answers.values(), completed=True, consensus=True
        )
        messages.success(
            request, gettext("Consensus for %(label)s saved.") % {"label": study.label}
        )
        return redirect("extraction_table", review.slug)
    comparison = [
        {
            "field": f,
            "values": [services.display(f, e.values.get(f.key)) for e in own],
            "differ": len({repr(e.values.get(f.key)) for e in own}) > 1,
        }
        for f in fields
    ]
    return TemplateResponse(
        request,
        "coding/extraction_compare.html",
        {
            "review": review,
            "study": study,
            "extractors": own,
            "comparison": comparison,
            "answers": answers,
            "countries": COUNTRY_LIST,
            "consensus": True,
        },
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("extraction/", extraction_table, name="extraction_table"),
    path("extraction/export.csv", extraction_export_csv, name="extraction_export_csv"),
    path("extraction/export.xlsx", extraction_export_xlsx, name="extraction_export_xlsx"),
    path("extraction/form/", extraction_builder, name="extraction_builder"),
    path("extraction/form/fields/new/", extraction_field, name="extraction_field_new"),
    path("extraction/form/fields/<int:field_id>/", extraction_field, name="extraction_field"),
    path(
        "extraction/form/fields/<int:field_id>/delete/",
        extraction_field_delete,
        name="extraction_field_delete",
    ),
    path("extraction/studies/<int:study_id>/", extract_study, name="extract_study"),
    path(
        "extraction/studies/<int:study_id>/compare/",
        extraction_compare,
        name="extraction_compare",
    ),
]
