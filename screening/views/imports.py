"""Searches and their export files: record a search, upload files, watch the import run."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp import jobs
from reviewapp.access import get_review_for, review_roles
from reviewapp.models import Job, Role
from reviewapp.services import ReviewError
from screening.identification import imports
from screening.identification.importers import (
    FORMATS,
    MAPPABLE_FIELDS,
    guess_column_map,
)
from screening.identification.importers.preview import preview as preview_file
from screening.identification.importers.textio import ENCODINGS
from screening.models import ImportJob, Search

Status = ImportJob.Status
QUEUE_DOWN = gettext_lazy(
    "The import queue is unavailable right now. Your file is stored and its import is queued: "
    "it starts by itself when the queue is back."
)


class QueueDown:
    """A job's `on_unavailable`: notes that its message could not be sent, so the view can
    say so once (warn), after its own messages, however many jobs it started."""

    def __init__(self) -> None:
        self.down = False

    def __call__(self) -> None:
        self.down = True

    def warn(self, request: HttpRequest, message: str = QUEUE_DOWN) -> None:
        if self.down:
            messages.warning(request, message)


# The importers stay free of Django; the names of formats people read are translated here.
FORMAT_LABELS = {
    **FORMATS,
    "wos": gettext_lazy("Web of Science plain text"),
    "wos-tab": gettext_lazy("Web of Science tab-delimited"),
    "endnote-tagged": gettext_lazy("EndNote/Refer tagged (.enw)"),
    "refworks": gettext_lazy("RefWorks tagged"),
    "cochrane": gettext_lazy("Cochrane Library plain text"),
    "ovid": gettext_lazy("Ovid tagged (Citavi/EndNote direct export)"),
    "csv": gettext_lazy("CSV/TSV with a header row"),
    "xlsx": gettext_lazy("Excel workbook (.xlsx)"),
}


class SearchForm(forms.ModelForm):
    class Meta:
        model = Search
        fields = ["source", "source_type", "date_run", "query", "phase", "notes"]
        widgets = {
            "date_run": forms.DateInput(attrs={"type": "date"}),
            "query": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "source": gettext_lazy("Source"),
            "phase": gettext_lazy("Phase"),
            "query": gettext_lazy("Query"),
            "notes": gettext_lazy("Notes"),
            "source_type": gettext_lazy("Kind of source"),
            "date_run": gettext_lazy("Date run"),
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else single(data, initial)


# The encodings offered on the upload page, in the person's language.
ENCODING_CHOICES = [
    ("", gettext_lazy("Detect automatically")),
    ("utf-8", gettext_lazy("UTF-8 (Unicode)")),
    ("gb18030", gettext_lazy("GB18030 / GBK (Simplified Chinese)")),
    ("big5", gettext_lazy("Big5 (Traditional Chinese)")),
    ("cp1252", gettext_lazy("Windows-1252 (Western European)")),
    ("utf-16", gettext_lazy("UTF-16 (Unicode)")),
    ("shift_jis", gettext_lazy("Shift JIS (Japanese)")),
    ("cp949", gettext_lazy("CP949 / EUC-KR (Korean)")),
    ("cp1250", gettext_lazy("Windows-1250 (Central European)")),
    ("cp1251", gettext_lazy("Windows-1251 (Cyrillic)")),
]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=gettext_lazy("Export files"),
        help_text=gettext_lazy("One or more files of this search."),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("auto", gettext_lazy("Detect automatically")), *FORMAT_LABELS.items()],
        initial="auto",
        help_text=gettext_lazy("Override only if the detected format is wrong."),
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Text encoding"),
        choices=ENCODING_CHOICES,
        required=False,
        help_text=gettext_lazy(
            "Override only if names or titles look wrong: Preview shows how the file reads."
        ),
    )
    skip_bad_entries = forms.BooleanField(
        label=gettext_lazy("Skip entries that cannot be read (they are listed in the report)"),
        required=False,
    )
    allow_truncated = forms.BooleanField(
        required=False,
        label=gettext_lazy("Allow a truncated file"),
        help_text=gettext_lazy(
            "A file that ends inside a record (an interrupted download) is refused. Tick this "
            "to import its complete records instead; the cut record is dropped and the import "
            "report says so."
        ),
    )


class RerunForm(forms.Form):
    encoding = forms.ChoiceField(
        label=gettext_lazy("Text encoding"), choices=ENCODING_CHOICES, required=False
    )
    skip_bad_entries = forms.BooleanField(
        label=gettext_lazy("Skip entries that cannot be read"), required=False
    )
    allow_truncated = forms.BooleanField(
        label=gettext_lazy("Allow a truncated file (its cut record is dropped)"), required=False
    )


def column_map_form(columns: list[str], data=None, initial=None) -> forms.Form:
    """One select per field we read, offering the file's columns."""
    choices = [("", _("— not in this file —")), *[(c, c) for c in columns]]
    form = forms.Form(data, initial=initial)
    for name in MAPPABLE_FIELDS:
        form.fields[name] = forms.ChoiceField(
            choices=choices, required=False, label=name.replace("_", " ").capitalize()
        )
    return form


def _search_for(review, search_id: int) -> Search:
    return get_object_or_404(review.searches, pk=search_id)


@review_roles(Role.LEAD, Role.REVIEWER)
def search_list(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD, Role.REVIEWER)
    recent = list(review.import_jobs.select_related("search")[:20])
    runs = imports.runs_of(recent)
    for job in recent:
        _with_run(job, runs.get(job.pk))
    if any(job.waiting_for_queue for job in recent):
        messages.warning(request, QUEUE_DOWN)
    return TemplateResponse(
        request,
        "screening/imports/search_list.html",
        {
            "review": review,
            "searches": imports.searches_with_counts(review),
            "phases": imports.counts_by_phase(review),
            "jobs": recent,
            "can_edit": membership.has_role(Role.LEAD),
        },
    )


@review_roles(Role.LEAD)
@require_http_methods(["GET", "POST"])
def search_new(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    form = SearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            search = imports.create_search(review, request.user, **form.cleaned_data)
        except ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Search “%(search)s” saved. Now upload its export files.") % {"search": search},
            )
            return redirect("search_detail", review.slug, search.pk)
    return TemplateResponse(
        request, "screening/imports/search_form.html", {"review": review, "form": form}
    )


@review_roles(Role.LEAD, Role.REVIEWER)
def search_detail(request: HttpRequest, slug: str, search_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD, Role.REVIEWER)
    search = _search_for(review, search_id)
    return TemplateResponse(
        request,
        "screening/imports/search_detail.html",
        {
            "review": review,
            "search": search,
            "record_count": search.records.count(),
            "jobs": search.import_jobs.all(),
            "upload_form": UploadForm(),
            "can_edit": membership.has_role(Role.LEAD),
        },
    )


@review_roles(Role.LEAD)
@require_http_methods(["GET", "POST"])
def search_edit(request: HttpRequest, slug: str, search_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    search = _search_for(review, search_id)
    form = SearchForm(request.POST or None, instance=search)
    if request.method == "POST" and form.is_valid():
        fields = form.cleaned_data
        search = Search.objects.get(pk=search.pk)  # the unmodified row, for the audit's "before"
        imports.update_search(search, request.user, **fields)
        messages.success(request, _("Search saved."))
        return redirect("search_detail", review.slug, search.pk)
    return TemplateResponse(
        request,
        "screening/imports/search_form.html",
        {"review": review, "form": form, "search": search},
    )


@review_roles(Role.LEAD)
@require_POST
def search_upload(request: HttpRequest, slug: str, search_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    search = _search_for(review, search_id)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return TemplateResponse(
            request,
            "screening/imports/search_detail.html",
            {
                "review": review,
                "search": search,
                "record_count": search.records.count(),
                "jobs": search.import_jobs.all(),
                "upload_form": form,
                "can_edit": True,
            },
            status=400,
        )
    created = []
    queue_down = QueueDown()
    for upload in form.cleaned_data["files"]:
        try:
            job = imports.store_upload(
                search,
                upload,
                upload.name,
                fmt=form.cleaned_data["format"],
                user=request.user,
                allow_truncated=form.cleaned_data["allow_truncated"],
                on_unavailable=queue_down,
                encoding=form.cleaned_data.get("encoding") or "",
                skip_bad_entries=form.cleaned_data.get("skip_bad_entries", False),
            )
        except ReviewError as exc:
            messages.error(request, str(exc))
            continue
        created.append(job)
    queue_down.warn(request)
    if len(created) == 1:
        return redirect("import_job", review.slug, created[0].pk)
    return redirect("search_detail", review.slug, search.pk)


@review_roles(Role.LEAD)
@require_POST
def search_upload_preview(request: HttpRequest, slug: str, search_id: int) -> HttpResponse:
    """The first records of the chosen file as they would be imported, with the encoding the
    form names: nothing is stored."""
    review, membership = get_review_for(request, slug, Role.LEAD)
    search = _search_for(review, search_id)
    form = UploadForm(request.POST, request.FILES)
    shown = None
    if form.is_valid():
        upload = form.cleaned_data["files"][0]
        shown = preview_file(
            upload,
            upload.name,
            form.cleaned_data["format"],
            form.cleaned_data.get("encoding") or None,
        )
    template = "screening/imports/search_detail.html"
    if request.htmx:
        template += "#preview"
    return TemplateResponse(
        request,
        template,
        {
            "review": review,
            "search": search,
            "record_count": search.records.count(),
            "jobs": search.import_jobs.all(),
            "upload_form": form,
            "can_edit": True,
            "preview": shown,
        },
        status=200 if shown is not None else 400,
    )


def _with_live_progress(job: ImportJob) -> ImportJob:
    if job.status == Status.RUNNING:
        live = imports.live_progress(job)
        if live:
            job.progress = live["bytes"]
            job.records_imported = live["records"]
    return job


def _with_run(job: ImportJob, run: Job | None) -> ImportJob:
    """What the background job says: waiting for the queue, and what happened to it."""
    job.waiting_for_queue = job.status == Status.QUEUED and jobs.waiting_for_queue(run)
    job.story = imports.history(job, run)
    return job


@review_roles(Role.LEAD, Role.REVIEWER)
def import_job(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD, Role.REVIEWER)
    job = get_object_or_404(review.import_jobs.select_related("search"), pk=job_id)
    _with_run(job, imports.latest_run(job))
    _with_live_progress(job)
    context = {
        "review": review,
        "job": job,
        "queue_down": job.waiting_for_queue,
        "format_label": FORMAT_LABELS.get(job.detected_format, job.detected_format),
        "encoding_label": ENCODINGS.get(job.encoding, job.encoding),
        "can_edit": membership.has_role(Role.LEAD),
    }
    if job.status == Status.FAILED and context["can_edit"]:
        context["rerun_form"] = RerunForm(
            initial={
                "encoding": job.requested_encoding,
                "skip_bad_entries": True,
                "allow_truncated": job.allow_truncated,
            }
        )
    if job.status == Status.MAPPING and imports.read_columns_again(job):
        job.refresh_from_db()
    if job.status == Status.MAPPING and context["can_edit"]:
        columns = imports.job_columns(job)
        context["mapping_form"] = column_map_form(columns, initial=guess_column_map(columns))
    template = "screening/imports/job.html"
    if request.htmx:
        if job.status == Status.MAPPING:
            # The task read the header and stopped for the columns: show the whole page.
            response = HttpResponse()
            response["HX-Refresh"] = "true"
            return response
        template += "#progress"
    return TemplateResponse(request, template, context)


@review_roles(Role.LEAD)
@require_POST
def import_job_columns(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    job = get_object_or_404(review.import_jobs, pk=job_id)
    form = column_map_form(imports.job_columns(job), request.POST)
    if form.is_valid():
        queue_down = QueueDown()
        try:
            imports.set_column_map(
                job,
                form.cleaned_data,
                request.user,
                on_unavailable=queue_down,
            )
        except ReviewError as exc:
            messages.error(request, str(exc))
        queue_down.warn(request)
    return redirect("import_job", review.slug, job.pk)


@review_roles(Role.LEAD)
@require_POST
def import_job_rerun(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    """Run a failed import again from its stored file: skipping the entries that cannot be
    read, or with another encoding."""
    review, membership = get_review_for(request, slug, Role.LEAD)
    job = get_object_or_404(review.import_jobs, pk=job_id)
    form = RerunForm(request.POST)
    if form.is_valid():
        queue_down = QueueDown()
        try:
            imports.rerun_import(
                job,
                request.user,
                skip_bad_entries=form.cleaned_data["skip_bad_entries"],
                allow_truncated=form.cleaned_data["allow_truncated"],
                encoding=form.cleaned_data["encoding"],
                on_unavailable=queue_down,
            )
        except ReviewError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The import runs again."))
        queue_down.warn(request)
    return redirect("import_job", review.slug, job.pk)


urlpatterns = [
    path("searches/", search_list, name="search_list"),
    path("searches/new/", search_new, name="search_new"),
    path("searches/<int:search_id>/", search_detail, name="search_detail"),
    path("searches/<int:search_id>/edit/", search_edit, name="search_edit"),
    path("searches/<int:search_id>/upload/", search_upload, name="search_upload"),
    path(
        "searches/<int:search_id>/upload/preview/",
        search_upload_preview,
        name="search_upload_preview",
    ),
    path("imports/<int:job_id>/", import_job, name="import_job"),
    path("imports/<int:job_id>/columns/", import_job_columns, name="import_job_columns"),
    path("imports/<int:job_id>/rerun/", import_job_rerun, name="import_job_rerun"),
]
