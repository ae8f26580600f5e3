"""Screening histories: a lead imports one (upload, map the people, confirm); members export.

The upload waits in private storage between the preview and the confirmation; the session
remembers which file it is, so nothing is stored in the review before the lead confirms.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _

from reviewapp import downloads
from reviewapp.access import get_review_for, review_roles
from reviewapp.models import Role
from screening.transfer import export_files, service
from screening.transfer.readers import COVIDENCE_LISTS

MAX_HISTORY_BYTES = 200 * 1024 * 1024


@review_roles(Role.LEAD, Role.REVIEWER)
def decisions_export(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD, Role.REVIEWER)
    params = export_files.params_of(request.GET)
    fmt = params["format"]
    # Blinding on the server: a reviewer's file holds their own decisions only.
    rows = service.export_rows(review, fmt, request.user, is_lead=membership.is_lead)
    if downloads.too_large(rows):
        job = downloads.start(export_files.export_decisions_file, membership, params)
        return redirect("export_job", review.slug, job.pk)
    chunks = service.export(review, fmt, request.user, is_lead=membership.is_lead)
    response = StreamingHttpResponse(chunks, content_type=service.EXPORTS[fmt][2])
    response["Content-Disposition"] = (
        f'attachment; filename="{service.export_filename(review, fmt)}"'
    )
    return response


def _session_key(review) -> str:
    return f"transfer:{review.pk}"


def _page(request, review, **context) -> TemplateResponse:
    context.setdefault("sources", service.SOURCES)
    context.setdefault("covidence_lists", list(COVIDENCE_LISTS))
    return TemplateResponse(
        request, "screening/transfer/import.html", {"review": review, **context}
    )


def _pending(request, review) -> tuple[dict | None, service.History | None]:
    pending = request.session.get(_session_key(review))
    if not pending or not default_storage.exists(pending["path"]):
        return None, None
    with default_storage.open(pending["path"], "rb") as fh:
        data = fh.read()
    return pending, service.read(pending["source"], data, pending["name"], pending["list"])


def _upload(request, review) -> TemplateResponse:
    upload = request.FILES.get("file")
    source = request.POST.get("source", "")
    which = request.POST.get("covidence_list", "auto")
    if upload is None or source not in service.SOURCES:
        return _page(request, review, error=_("Choose the tool and the file it exported."))
    if upload.size > MAX_HISTORY_BYTES:
        return _page(request, review, error=_("The file is too large."))
    data = upload.read()
    try:
        history = service.read(source, data, upload.name, which)
    except service.TransferError as exc:
        return _page(request, review, error=str(exc))
    stored = default_storage.save(
        f"transfer/{review.pk}/{uuid.uuid4().hex}", ContentFile(data, name=upload.name)
    )
    request.session[_session_key(review)] = {
        "path": stored, "name": upload.name, "source": source, "list": which,
    }  # fmt: skip
    return _preview(request, review, history)


def _preview(request, review, history, error: str = "") -> TemplateResponse:
    plan = service.preview(review, history)
    rows = [
        {"index": i, "name": name, "suggested": user}
        for i, (name, user) in enumerate(plan.suggested.items())
    ]
    return _page(
        request, review, plan=plan, rows=rows, members=service.screeners(review), error=error
    )


def _confirm(request, review) -> HttpResponse:
    pending, history = _pending(request, review)
    if history is None:
        return _page(request, review, error=_("Upload the file again: it is no longer waiting."))
    mapping = {}
    members = {m.user_id: m.user for m in service.screeners(review)}
    for i, name in enumerate(history.reviewers):
        chosen = request.POST.get(f"map-{i}", "")
        user = members.get(int(chosen)) if chosen.isdigit() else None
        if user is not None:
            mapping[name] = user
    try:
        result = service.import_history(review, history, mapping, by=request.user)
    except service.TransferError as exc:
        return _preview(request, review, history, error=str(exc))
    default_storage.delete(pending["path"])
    del request.session[_session_key(review)]
    messages.success(
        request,
        _("Imported %(records)s records, %(decisions)s decisions and %(outcomes)s team outcomes.")
        % {"records": result.records, "decisions": result.decisions, "outcomes": result.outcomes},
    )
    for line in result.skipped:
        messages.warning(request, line)
    return redirect("record_list", review.slug)


@review_roles(Role.LEAD)
def history_import(request: HttpRequest, slug: str) -> HttpResponse:
    review, _membership = get_review_for(request, slug, Role.LEAD)
    if request.method == "POST":
        if request.POST.get("step") == "confirm":
            try:
                return _confirm(request, review)
            except service.TransferError as exc:
                return _page(request, review, error=str(exc))
        return _upload(request, review)
    return _page(request, review)


urlpatterns = [
    path("records/history/import/", history_import, name="history_import"),
    path("records/history/export/", decisions_export, name="decisions_export"),
]
