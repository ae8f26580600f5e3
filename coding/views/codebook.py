"""The codebook: the draft tree, versions, diffs, publishing, import and export, re-checks."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.access import get_review_for, review_roles

from .. import services
from ..forms import CodeForm, ImportForm, MergeForm, PublishForm, RecodeForm
from ..models import Code, Coding
from .common import CODERS, LEAD, int_param, refuse


@review_roles(*CODERS)
def codebook(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, *CODERS)
    book = services.get_codebook(review)
    versions = list(book.versions.select_related("published_by").order_by("-number"))
    number = int_param(request, "version")
    if number is not None and not any(v.number == number for v in versions):
        raise Http404("No such version")
    tree = services.tree_for(book, number)
    return TemplateResponse(
        request,
        "coding/codebook.html",
        {
            "review": review,
            "membership": membership,
            "codebook": book,
            "tree": tree,
            "number": number,
            "versions": versions,
            "is_draft": number is None,
            "changes": services.draft_changes(book) if number is None else None,
            "open_proposals": book.proposals.filter(status="open").count(),
        },
    )


def _draft_code(review, code_id: int) -> Code:
    return get_object_or_404(
        Code.objects.draft().filter(codebook__review=review).select_related("codebook"), pk=code_id
    )


@review_roles(LEAD)
@require_http_methods(["GET", "POST"])
def code_new(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, LEAD)
    book = services.get_codebook(review)
    initial = {"parent": int_param(request, "parent")}
    form = CodeForm(request.POST or None, codebook=book, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "parent"}
        try:
            services.add_code(book, request.user, parent=form.cleaned_data["parent"], **data)
        except services.CodingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, gettext("Code “%(name)s” added to the draft.") % {"name": data["name"]}
            )
            return redirect("codebook", review.slug)
    return TemplateResponse(
        request, "coding/code_form.html", {"review": review, "form": form, "code": None}
    )


@review_roles(LEAD)
@require_http_methods(["GET", "POST"])
def code_edit(request: HttpRequest, slug: str, code_id: int) -> HttpResponse:
    review, _ = get_review_for(request, slug, LEAD)
    code = _draft_code(review, code_id)
    form = CodeForm(request.POST or None, instance=code, codebook=code.codebook)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if fields.get("position") is None:
            fields["position"] = code.position
        code.refresh_from_db()  # the ModelForm already wrote the new values onto the instance
        try:
            services.update_code(code, request.user, **fields)
        except services.CodingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Code saved in the draft."))
            return redirect("codebook", review.slug)
    return TemplateResponse(
        request, "coding/code_form.html", {"review": review, "form": form, "code": code}
    )


@review_roles(LEAD)
@require_POST
def code_remove(request: HttpRequest, slug: str, code_id: int) -> HttpResponse:
    review, _ = get_review_for(request, slug, LEAD)
    code = _draft_code(review, code_id)
    removed = services.remove_code(code, request.user)
    messages.success(
        request, gettext("%(removed)s code(s) removed from the draft.") % {"removed": removed}
    )
    return redirect("codebook", review.slug)


@review_roles(LEAD)
@require_http_methods(["GET", "POST"])
def code_merge(request: HttpRequest, slug: str, code_id: int) -> HttpResponse:
    review, _ = get_review_for(request, slug, LEAD)
    code = _draft_code(review, code_id)
    form = MergeForm(request.POST or None, codebook=code.codebook, source=code)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.merge_codes(code, form.cleaned_data["target"], request.user)
        except services.CodingError as exc:
            form.add_error("target", str(exc))
        else:
            messages.success(
                request,
                gettext("“%(name)s” merged into “%(name2)s” in the draft.")
                % {"name": code.name, "name2": target.name},
            )
            return redirect("codebook", review.slug)
    return TemplateResponse(
        request, "coding/code_merge.html", {"review": review, "form": form, "code": code}
    )


@review_roles(LEAD)
@require_http_methods(["GET", "POST"])
def codebook_publish(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, LEAD)
    book = services.get_codebook(review)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.publish(book, request.user, form.cleaned_data["note"])
        except services.CodingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Published %(label)s.") % {"label": version.label})
            return redirect("codebook", review.slug)
    return TemplateResponse(
        request,
        "coding/codebook_publish.html",
        {"review": review, "form": form, "changes": services.draft_changes(book)},
    )


@review_roles(*CODERS)
def codebook_diff(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    book = services.get_codebook(review)
    versions = list(book.versions.order_by("number"))
    numbers = {v.number for v in versions}
    latest = versions[-1].number if versions else None
    old, new = int_param(request, "old"), int_param(request, "new")
    if old is None:
        old = (latest - 1 or None) if latest else None
    if (old is not None and old not in numbers) or (new is not None and new not in numbers):
        raise Http404("No such version")
    diff = services.diff_versions(book, old, new) if versions else None
    return TemplateResponse(
        request,
        "coding/codebook_diff.html",
        {"review": review, "versions": versions, "old": old, "new": new, "diff": diff},
    )


@review_roles(*CODERS)
def codebook_export(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    book = services.get_codebook(review)
    number = int_param(request, "version")
    if number is not None and not book.versions.filter(number=number).exists():
        raise Http404("No such version")
    tree = services.tree_for(book, number)
    label = f"v{number}" if number else "draft"
    if request.GET.get("format") == "qdc":
        body = services.codebook_qdc(tree, origin=f"Sift: {review.title}")
        response = HttpResponse(body, content_type="application/xml")
        ext = "qdc"
    else:
        response = HttpResponse(services.codebook_csv(tree), content_type="text/csv")
        ext = "csv"
    response["Content-Disposition"] = f'attachment; filename="{review.slug}-codebook-{label}.{ext}"'
    return response


@review_roles(LEAD)
@require_http_methods(["GET", "POST"])
def codebook_import(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, LEAD)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = services.import_file(
                services.get_codebook(review), request.user, upload.name, upload.read()
            )
        except services.CodingError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(
                request, gettext("%(count)s codes imported into the draft.") % {"count": count}
            )
            return redirect("codebook", review.slug)
    return TemplateResponse(
        request, "coding/codebook_import.html", {"review": review, "form": form}
    )


@review_roles(*CODERS)
def recheck(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, *CODERS)
    mine_only = not membership.is_lead or request.GET.get("mine") == "1"
    items = services.codings_to_recheck(review, coder=request.user if mine_only else None)
    return TemplateResponse(
        request,
        "coding/recheck.html",
        {"review": review, "items": items, "mine_only": mine_only, "user_id": request.user.pk},
    )


def _own_coding(review, request, coding_id: int) -> Coding:
    return get_object_or_404(
        Coding.objects.filter(review=review, coder=request.user).current(), pk=coding_id
    )


@review_roles(*CODERS)
@require_POST
def coding_confirm(request: HttpRequest, slug: str, coding_id: int) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    coding = _own_coding(review, request, coding_id)
    services.confirm_coding(coding, request.user)
    messages.success(request, gettext("Confirmed under the current definition."))
    return redirect("coding_recheck", review.slug)


@review_roles(*CODERS)
@require_http_methods(["GET", "POST"])
def coding_recode(request: HttpRequest, slug: str, coding_id: int) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    coding = _own_coding(review, request, coding_id)
    book = services.get_codebook(review)
    tree = services.version_tree(book)
    form = RecodeForm(request.POST or None, tree=tree, initial={"codes": [coding.code_id]})
    if request.method == "POST" and form.is_valid():
        codes = list(book.codes.filter(pk__in=form.cleaned_data["codes"]))
        try:
            services.recode(coding, request.user, codes)
        except services.CodingError as exc:
            refuse(request, exc)
        else:
            messages.success(request, gettext("Re-coded."))
            return redirect("coding_recheck", review.slug)
    return TemplateResponse(
        request, "coding/recode.html", {"review": review, "form": form, "coding": coding}
    )


urlpatterns = [
    path("codebook/", codebook, name="codebook"),
    path("codebook/codes/new/", code_new, name="code_new"),
    path("codebook/codes/<int:code_id>/", code_edit, name="code_edit"),
    path("codebook/codes/<int:code_id>/remove/", code_remove, name="code_remove"),
    path("codebook/codes/<int:code_id>/merge/", code_merge, name="code_merge"),
    path("codebook/publish/", codebook_publish, name="codebook_publish"),
    path("codebook/diff/", codebook_diff, name="codebook_diff"),
    path("codebook/export/", codebook_export, name="codebook_export"),
    path("codebook/import/", codebook_import, name="codebook_import"),
    path("codebook/recheck/", recheck, name="coding_recheck"),
    path("coding/codings/<int:coding_id>/confirm/", coding_confirm, name="coding_confirm"),
    path("coding/codings/<int:coding_id>/recode/", coding_recode, name="coding_recode"),
]
