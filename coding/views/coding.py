"""Coding a study's text: select a passage, apply codes (htmx, no reload); agreement and
reconciliation between two coders; citation frequencies."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from reviewapp.access import get_review_for, review_roles
from reviewapp.models import User

from .. import services
from ..forms import CodingForm, DocumentForm
from ..models import Coding, CodingStatus, Document, SourceType
from .common import CODERS, included_study, int_param, refuse


@review_roles(*CODERS)
def coding_home(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, *CODERS)
    book = services.get_codebook(review)
    studies = list(services.studies_for(review).order_by("reference_number", "label", "id"))
    counts = services.study_coding_counts(review)
    rows = [
        {
            "study": s,
            "mine": counts.get(s.pk, {}).get(request.user.pk, 0),
            "coders": len(counts.get(s.pk, {})),
            "total": sum(counts.get(s.pk, {}).values()),
        }
        for s in studies
    ]
    return TemplateResponse(
        request,
        "coding/home.html",
        {
            "review": review,
            "membership": membership,
            "rows": rows,
            "latest": book.latest_version(),
            "recheck_count": len(services.codings_to_recheck(review, coder=request.user)),
        },
    )


def _workspace(request, review, study, document, form=None) -> dict:
    book = services.get_codebook(review)
    latest = book.latest_version()
    tree = services.version_tree(book, latest) if latest else None
    mine = list(
        Coding.objects.filter(study=study, coder=request.user)
        .current()
        .select_related("code", "version")
        .order_by("start", "id")
    )
    on_document = [c for c in mine if document and c.document_id == document.pk]
    if form is None and tree is not None:
        form = CodingForm(
            tree=tree, initial={"document": document.pk if document else None}, auto_id="cf_%s"
        )
    return {
        "review": review,
        "study": study,
        "document": document,
        "documents": services.documents_of(study, request.user),
        "segments": services.segments(document.text, on_document) if document else [],
        "codings": mine,
        "latest": latest,
        "form": form,
        "tree": tree,
        "paste_form": DocumentForm(),
        "pdf_reports": [r for r in study.reports.all() if r.file],
    }


def _document(study, document_id: int | None) -> Document | None:
    documents = services.documents_of(study)
    if document_id is None:
        return documents[0] if documents else None
    for document in documents:
        if document.pk == document_id:
            return document
    raise Http404("No such text")


@review_roles(*CODERS)
def study_coding(request: HttpRequest, slug: str, study_id: int) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    study = included_study(review, study_id)
    document = _document(study, int_param(request, "document"))
    return TemplateResponse(
        request, "coding/study.html", _workspace(request, review, study, document)
    )


@review_roles(*CODERS)
@require_POST
def study_texts(request: HttpRequest, slug: str, study_id: int) -> HttpResponse:
    """Paste a text, or extract one from a report's PDF."""
    review, _ = get_review_for(request, slug, *CODERS)
    study = included_study(review, study_id)
    url = reverse("study_coding", args=[review.slug, study.pk])
    try:
        report_id = request.POST.get("report", "")
        if report_id.isdigit():
            report = get_object_or_404(study.reports.exclude(file=""), pk=int(report_id))
            document = services.extract_pdf_document(report, request.user)
        else:
            form = DocumentForm(request.POST)
            if not form.is_valid():
                raise services.CodingError(gettext("Paste the text to code."))
            document = services.add_document(
                study, request.user, form.cleaned_data["text"], title=form.cleaned_data["title"]
            )
    except services.CodingError as exc:
        refuse(request, exc)
        return redirect(url)
    messages.success(request, gettext("Text “%(title)s” added.") % {"title": document.title})
    return redirect(f"{url}?document={document.pk}")


@review_roles(*CODERS)
@require_POST
def coding_create(request: HttpRequest, slug: str, study_id: int) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    study = included_study(review, study_id)
    book = services.get_codebook(review)
    latest = book.latest_version()
    if latest is None:
        refuse(request, services.CodingError(gettext("Publish the codebook (v1) before coding.")))
        return redirect("study_coding", review.slug, study.pk)
    tree = services.version_tree(book, latest)
    form = CodingForm(request.POST, tree=tree, auto_id="cf_%s")
    document = None
    if form.is_valid():
        data = form.cleaned_data
        if data["document"] is not None:
            document = study.documents.filter(pk=data["document"]).first()
            if document is None:
                raise Http404("No such text")
        try:
            codings = services.create_codings(
                study,
                request.user,
                book.codes.filter(pk__in=data["codes"]),
                document=document,
                start=data["start"],
                end=data["end"],
                excerpt=data["excerpt"],
                source_type=data["source_type"],
                section=data["section"],
                note=data["note"],
            )
        except services.CodingError as exc:
            form.add_error(None, str(exc))
        else:
            names = ", ".join(c.code.name for c in codings)
            if not request.htmx:
                messages.success(request, gettext("Coded: %(names)s.") % {"names": names})
                url = reverse("study_coding", args=[review.slug, study.pk])
                return redirect(f"{url}?document={document.pk}" if document else url)
            form = None
    else:
        document = _document(study, form.cleaned_data.get("document"))
    context = _workspace(request, review, study, document, form)
    if request.htmx:
        return TemplateResponse(request, "coding/study.html#workspace", context)
    return TemplateResponse(request, "coding/study.html", context, status=400 if form else 200)


def _coding_of_review(review, coding_id: int) -> Coding:
    return get_object_or_404(
        Coding.objects.filter(review=review, study__in=services.studies_for(review)), pk=coding_id
    )


@review_roles(*CODERS)
@require_POST
def coding_delete(request: HttpRequest, slug: str, coding_id: int) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    coding = _coding_of_review(review, coding_id)
    try:
        services.delete_coding(coding, request.user)
    except services.CodingError as exc:
        refuse(request, exc)
    url = reverse("study_coding", args=[review.slug, coding.study_id])
    if request.htmx:
        document = _document(coding.study, coding.document_id)
        context = _workspace(request, review, coding.study, document)
        return TemplateResponse(request, "coding/study.html#workspace", context)
    return redirect(f"{url}?document={coding.document_id}" if coding.document_id else url)


def _two_coders(request, review) -> tuple[list[User], User | None, User | None]:
    coders = services.coders_of(review)
    by_id = {u.pk: u for u in coders}
    a = by_id.get(int_param(request, "a") or 0) or (coders[0] if coders else None)
    b = by_id.get(int_param(request, "b") or 0) or next((u for u in coders if u != a), None)
    return coders, a, b


@review_roles(*CODERS)
def agreement(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    coders, a, b = _two_coders(request, review)
    report = services.agreement(review, a, b) if a and b and a != b else None
    return TemplateResponse(
        request,
        "coding/agreement.html",
        {"review": review, "coders": coders, "a": a, "b": b, "report": report},
    )


@review_roles(*CODERS)
def reconcile(request: HttpRequest, slug: str, study_id: int) -> HttpResponse:
    """Both coders' codings of one study, code by code, to agree or remove each."""
    review, _ = get_review_for(request, slug, *CODERS)
    study = included_study(review, study_id)
    coders, a, b = _two_coders(request, review)
    tree = services.version_tree(services.get_codebook(review))
    codings = list(
        Coding.objects.filter(study=study, coder__in=[u for u in (a, b) if u])
        .current()
        .select_related("code", "coder", "version")
        .order_by("start", "id")
    )
    resolved = {c.pk: tree.resolve_key(str(c.code.key)) for c in codings}
    rows = []
    for node in tree:
        mine = [c for c in codings if resolved[c.pk] is not None and resolved[c.pk].key == node.key]
        if not mine:
            continue
        rows.append(
            {
                "node": node,
                "a": [c for c in mine if a and c.coder_id == a.pk],
                "b": [c for c in mine if b and c.coder_id == b.pk],
            }
        )
    # Its coder, a coder of this study or a lead may mark codings (the service checks it too).
    can_mark = services.is_lead(review, request.user) or (
        Coding.objects.filter(study=study, coder=request.user).current().exists()
    )
    return TemplateResponse(
        request,
        "coding/reconcile.html",
        {
            "review": review,
            "study": study,
            "coders": coders,
            "a": a,
            "b": b,
            "rows": rows,
            "can_mark": can_mark,
        },
    )


@review_roles(*CODERS)
@require_POST
def coding_status(request: HttpRequest, slug: str, coding_id: int) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    coding = _coding_of_review(review, coding_id)
    status = request.POST.get("status", "")
    if status not in (CodingStatus.AGREED, CodingStatus.REMOVED, CodingStatus.OPEN):
        refuse(request, services.CodingError(gettext("Choose agreed or removed.")))
    else:
        services.set_status(coding, request.user, status)
        messages.success(
            request,
            gettext("Coding marked %(lower)s.") % {"lower": coding.get_status_display().lower()},
        )
    url = reverse("coding_reconcile", args=[review.slug, coding.study_id])
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


@review_roles(*CODERS)
def frequencies(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    book = services.get_codebook(review)
    versions = list(book.versions.order_by("number"))
    number = int_param(request, "version")
    if number is not None and number not in {v.number for v in versions}:
        raise Http404("No such version")
    coders = services.coders_of(review)
    coder = next((u for u in coders if u.pk == int_param(request, "coder")), None)
    source_type = request.GET.get("source_type") or None
    if source_type not in (None, *SourceType.values):
        source_type = None
    rows = services.code_frequencies(review, number, coder=coder, source_type=source_type)
    return TemplateResponse(
        request,
        "coding/frequencies.html",
        {
            "review": review,
            "rows": rows,
            "versions": versions,
            "number": number,
            "coders": coders,
            "coder": coder,
            "source_type": source_type,
            "source_types": SourceType.choices,
        },
    )


urlpatterns = [
    path("coding/", coding_home, name="coding_home"),
    path("coding/studies/<int:study_id>/", study_coding, name="study_coding"),
    path("coding/studies/<int:study_id>/texts/", study_texts, name="study_texts"),
    path("coding/studies/<int:study_id>/codings/", coding_create, name="coding_create"),
    path("coding/studies/<int:study_id>/reconcile/", reconcile, name="coding_reconcile"),
    path("coding/codings/<int:coding_id>/delete/", coding_delete, name="coding_delete"),
    path("coding/codings/<int:coding_id>/status/", coding_status, name="coding_status"),
    path("coding/agreement/", agreement, name="coding_agreement"),
    path("coding/frequencies/", frequencies, name="coding_frequencies"),
]
