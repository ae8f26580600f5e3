"""A large export's progress page and its download (reviewapp.downloads writes the file)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from . import downloads, jobs
from .access import get_review_for, review_roles
from .models import Job, Membership, Role


def _job(request: HttpRequest, slug: str, export_id: int) -> tuple[Job, Membership]:
    """The requester's own export in this review: anyone else's, or another review's, is 404
    (a reviewer's file may hold their blinded decisions)."""
    review, membership = get_review_for(request, slug, Role.LEAD, Role.REVIEWER)
    job = downloads.job_for(membership, export_id)
    if job is None:
        raise Http404("No such export")
    job.review = review
    return job, membership


def start_or_offer(
    request: HttpRequest, membership: Membership, task: Any, params: dict
) -> HttpResponse:
    """An export too large for the request: a POST (a form, with its CSRF token) starts its
    job, or finds the one already running, and goes to its page; a GET (a link, a bookmark,
    a browser's prefetch) only shows the button that POSTs. The parameters stay in the query
    string, so both read the same selection."""
    if request.method == "POST":
        return redirect(downloads.page_url(downloads.start(task, membership, params)))
    context = {"review": membership.review, "limit": settings.EXPORT_INLINE_MAX_ROWS}
    return TemplateResponse(request, "reviewapp/export_start.html", context)


@review_roles(Role.LEAD, Role.REVIEWER)
def export_job(request: HttpRequest, slug: str, export_id: int) -> HttpResponse:
    job, membership = _job(request, slug, export_id)
    if job.pk != export_id:  # a double request merged into the run that did the work
        return redirect(downloads.page_url(job))
    if jobs.revive(job):  # lost with the web process that held it (no broker): run again
        job.refresh_from_db()
    live = job.result or {}
    context = {
        "review": job.review,
        "job": job,
        "file": downloads.file_of(job),
        "rows": live.get("rows", 0),
        "total": live.get("total"),
        "again_url": downloads.again_url(job),
        "story": jobs.story(job),
        "queue_down": jobs.waiting_for_queue(job),
    }
    template = "reviewapp/export_job.html"
    if request.htmx:
        template += "#progress"
    return TemplateResponse(request, template, context)


@review_roles(Role.LEAD, Role.REVIEWER)
def export_download(request: HttpRequest, slug: str, export_id: int) -> HttpResponse:
    job, membership = _job(request, slug, export_id)
    found = downloads.file_of(job)
    if found is None:  # not ready, failed or deleted: the page says which
        return redirect(downloads.page_url(job))
    return FileResponse(
        default_storage.open(found["path"], "rb"),
        as_attachment=True,
        filename=found["filename"],
        content_type=found["content_type"],
    )
