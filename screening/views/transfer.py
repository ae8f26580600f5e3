"""Screening histories: a lead imports one (upload, map the people, confirm); members export.

The upload waits in private storage between the preview and the confirmation. Reading it and
applying it are background jobs (screening.transfer.background) with one page each: progress
while it runs, then the preview to confirm, or the report. Nothing is stored in the review
before the lead confirms.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reviewapp import downloads, jobs
from reviewapp.access import get_review_for, review_roles
from reviewapp.export_views import start_or_offer
from reviewapp.models import Role
from screening.transfer import background, export_files, service
from screening.transfer.readers import COVIDENCE_LISTS

from .imports import QueueDown

MAX_HISTORY_BYTES = 200 * 1024 * 1024


@review_roles(Role.LEAD, Role.REVIEWER)
@require_http_methods(["GET", "POST"])
def decisions_export(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD, Role.REVIEWER)
    params = export_files.params_of(request.GET)
    fmt = params["format"]
    # Blinding on the server: a reviewer's file holds their own decisions only.
    rows = service.export_rows(review, fmt, request.user, is_lead=membership.is_lead)
    if downloads.too_large(rows):
        return start_or_offer(request, membership, export_files.export_decisions_file, params)
    chunks = service.export(review, fmt, request.user, is_lead=membership.is_lead)
    response = StreamingHttpResponse(chunks, content_type=service.EXPORTS[fmt][2])
    response["Content-Disposition"] = (
        f'attachment; filename="{service.export_filename(review, fmt)}"'
    )
    return response


def _page(request, review, status: int = 200, **context) -> TemplateResponse:
    context.setdefault("sources", service.SOURCES)
    context.setdefault("covidence_lists", list(COVIDENCE_LISTS))
    return TemplateResponse(
        request, "screening/transfer/import.html", {"review": review, **context}, status=status
    )


def _upload(request, review) -> HttpResponse:
    """Store the file and have it read in the background; its job page shows the preview."""
    upload = request.FILES.get("file")
    source = request.POST.get("source", "")
    which = request.POST.get("covidence_list", "auto")
    if upload is None or source not in service.SOURCES:
        return _page(request, review, error=_("Choose the tool and the file it exported."))
    if upload.size > MAX_HISTORY_BYTES:
        return _page(request, review, error=_("The file is too large."))
    queue_down = QueueDown()
    job = background.read_upload(
        review, upload, source, which, by=request.user, on_unavailable=queue_down
    )
    queue_down.warn(request)
    return redirect("history_job", review.slug, job.pk)


@review_roles(Role.LEAD)
@require_http_methods(["GET", "POST"])
def history_import(request: HttpRequest, slug: str) -> HttpResponse:
    review, _membership = get_review_for(request, slug, Role.LEAD)
    if request.method == "POST":
        return _upload(request, review)
    return _page(request, review)


def _preview(request, review, read, error: str = "") -> TemplateResponse:
    plan = read.result
    members = service.screeners(review)
    ids = {m.user_id for m in members}
    rows = [
        {"index": i, "name": name, "suggested": user_id if user_id in ids else None}
        for i, (name, user_id) in enumerate(plan["people"])
    ]
    return _page(
        request, review, job=read, plan=plan, rows=rows, members=members, error=error,
        status=400 if error else 200,
    )  # fmt: skip


def _confirm(request, review, read) -> HttpResponse:
    """Check the lead's mapping here, then apply the history in the background."""
    members = {m.user_id: m.user for m in service.screeners(review)}
    names = [name for name, _user in read.result["people"]]
    chosen = {}
    for i, name in enumerate(names):
        picked = request.POST.get(f"map-{i}", "")
        user = members.get(int(picked)) if picked.isdigit() else None
        if user is not None:
            chosen[name] = user
    try:
        service.check_mapping(review, names, chosen)
    except service.TransferError as exc:
        return _preview(request, review, read, error=str(exc))
    queue_down = QueueDown()
    job = background.start_applying(
        review, read, {name: user.pk for name, user in chosen.items()}, by=request.user,
        on_unavailable=queue_down,
    )  # fmt: skip
    queue_down.warn(request)
    return redirect("history_job", review.slug, job.pk)


@review_roles(Role.LEAD)
@require_http_methods(["GET", "POST"])
def history_job(request: HttpRequest, slug: str, history_job_id: int) -> HttpResponse:
    """A history import's job: its progress while it runs (polled), then the preview to
    confirm (reading) or the report (applying)."""
    review, _membership = get_review_for(request, slug, Role.LEAD)
    job = get_object_or_404(background.history_jobs(review), pk=history_job_id)
    reading = background.is_reading(job)
    finished = not job.is_open
    error = background.failure(job) if finished else ""
    if request.method == "POST":
        if not (reading and finished and not error):
            return redirect("history_job", review.slug, job.pk)
        return _confirm(request, review, job)
    if request.htmx and finished:
        response = HttpResponse()
        response["HX-Refresh"] = "true"  # the preview or the report: the whole page
        return response
    if reading and finished and not error:
        return _preview(request, review, job)
    context = {
        "review": review,
        "job": job,
        "reading": reading,
        "error": error,
        "result": job.result if finished and not error else None,
        "queue_down": jobs.waiting_for_queue(job),
        "story": jobs.story(job) if job.history else "",
        "preview_job": None if reading else job.args[1],
    }
    template = "screening/transfer/job.html"
    if request.htmx:
        template += "#progress"
    return TemplateResponse(request, template, context)


urlpatterns = [
    path("records/history/import/", history_import, name="history_import"),
    path("records/history/import/<int:history_job_id>/", history_job, name="history_job"),
    path("records/history/export/", decisions_export, name="decisions_export"),
]
