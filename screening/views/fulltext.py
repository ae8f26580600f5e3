"""The full-text stage: reports sought, their retrieval, eligibility assessment and studies.

Full-text pages are for leads and reviewers; an adjudicator reaches a report's full text only
through a conflict escalated to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reviewapp.access import get_review_for, review_roles
from reviewapp.models import ExclusionReason, Membership, Review, Role, Stage
from screening.decisions import queues
from screening.fulltext import extraction, service
from screening.models import (
    Conflict,
    DecisionValue,
    Outcome,
    RecordStatus,
    Report,
    Study,
)

FT = Stage.FULL_TEXT
STAFF = (Role.LEAD, Role.REVIEWER)

# The list's filters: name -> (label, condition on the annotated reports).
FILTERS: dict[str, tuple[str, Q]] = {
    "sought": (gettext_lazy("Sought"), Q(retrieval=Report.Retrieval.SOUGHT)),
    "retrieved": (gettext_lazy("Retrieved"), Q(retrieval=Report.Retrieval.RETRIEVED)),
    "not_retrieved": (gettext_lazy("Not retrieved"), Q(retrieval=Report.Retrieval.NOT_RETRIEVED)),
    "todo": (gettext_lazy("To assess (me)"), service.TO_ASSESS),
    "assessed": (
        gettext_lazy("Assessed"),
        Q(ft_outcome__in=[Outcome.INCLUDED, Outcome.EXCLUDED, Outcome.CONFLICT]),
    ),
    "conflict": (gettext_lazy("In conflict"), Q(ft_outcome=Outcome.CONFLICT)),
    "included": (gettext_lazy("Included"), Q(ft_outcome=Outcome.INCLUDED)),
    "excluded": (gettext_lazy("Excluded"), Q(ft_outcome=Outcome.EXCLUDED)),
}


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("PDF of the full text"))


class LinkForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Link to the full text"), max_length=1000, assume_scheme="https"
    )


class NotRetrievedForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it could not be retrieved"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class StudyForm(forms.Form):
    study = forms.ModelChoiceField(
        label=gettext_lazy("Existing study"), queryset=Study.objects.none(), required=False
    )
    label = forms.CharField(
        label=gettext_lazy("…or a new study"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("e.g. 'Smith 2019'"),
    )

    def __init__(self, *args, review: Review, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["study"].queryset = review.studies.all()


class AssessForm(forms.Form):
    value = forms.ChoiceField(
        label=gettext_lazy("Eligibility"),
        choices=[
            (DecisionValue.INCLUDE, gettext_lazy("Include")),
            (DecisionValue.EXCLUDE, gettext_lazy("Exclude")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.ModelChoiceField(
        label=gettext_lazy("Full-text exclusion reason"),
        queryset=ExclusionReason.objects.none(),
        required=False,
        help_text=gettext_lazy("Required when excluding."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, review: Review, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = service.full_text_reasons(review)

    def clean(self) -> dict:
        data = super().clean()
        excluding = data.get("value") == DecisionValue.EXCLUDE
        if excluding and not data.get("reason") and self.fields["reason"].queryset.exists():
            self.add_error("reason", gettext("Choose the reason for excluding the report."))
        if data.get("value") == DecisionValue.INCLUDE:
            data["reason"] = None
        return data


def _report_for(
    request: HttpRequest, slug: str, report_id: int, *roles: str
) -> tuple[Review, Membership, Report]:
    review, membership = get_review_for(request, slug, *roles)
    report = get_object_or_404(
        review.reports.select_related("record", "study", "updated_by"), pk=report_id
    )
    return review, membership, report


@review_roles(*STAFF)
def fulltext_list(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, *STAFF)
    # Reports that just entered the stage get their two assessors (cheap when up to date).
    queues.ensure_assignments(review, FT)
    reports = service.sought_reports(review, membership.user_id)
    counts = reports.aggregate(
        total=Count("pk"), **{name: Count("pk", filter=q) for name, (_, q) in FILTERS.items()}
    )
    show = request.GET.get("show", "")
    if show in FILTERS:
        reports = reports.filter(FILTERS[show][1])
    page = Paginator(reports.select_related("record", "study").order_by("id"), 50).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "screening/fulltext/list.html",
        {
            "review": review,
            "membership": membership,
            "page": page,
            "show": show,
            "filters": [(name, label, counts[name]) for name, (label, _) in FILTERS.items()],
            "total": counts["total"],
            "outcomes": dict(Outcome.choices),
        },
    )


@review_roles(*STAFF)
def report_detail(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    review, membership, report = _report_for(request, slug, report_id, *STAFF)
    template = "screening/fulltext/detail.html"
    if request.htmx:
        template += "#pdftext"  # the PDF text's state, polled while it is being read
    return TemplateResponse(request, template, _detail_context(review, membership, report))


@review_roles(*STAFF)
@require_POST
def report_text_retry(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    """Read the PDF's text again (after a failure, or for a PDF from before background reading)."""
    review, membership, report = _report_for(request, slug, report_id, *STAFF)
    if not report.file:
        raise Http404("No file attached")
    extraction.retry(report, request.user)
    messages.success(request, _("The PDF's text is being read again."))
    return _done(review, report)


def _detail_context(review: Review, membership: Membership, report: Report, **forms_) -> dict:
    from screening.decisions import service as decisions  # owns the blinding rule

    user = membership.user
    status = RecordStatus.objects.filter(record_id=report.record_id, stage=FT).first()
    visible = list(
        decisions.visible_decisions(report.record, FT, user).select_related("reviewer", "reason")
    )
    mine = next((d for d in visible if d.reviewer_id == user.pk), None)
    conflict = (
        Conflict.objects.filter(record_id=report.record_id, stage=FT)
        .order_by("-opened_at", "-id")
        .first()
    )
    resolved = bool(status and status.is_resolved)
    initial = {"value": mine.value, "reason": mine.reason_id, "note": mine.note} if mine else None
    return {
        "review": review,
        "membership": membership,
        "report": report,
        "record": report.record,
        "status": status,
        "resolved": resolved,
        "decisions": visible,
        "mine": mine,
        "conflict": conflict,
        "can_assess": membership.is_reviewer
        and not resolved
        and report.retrieval == Report.Retrieval.RETRIEVED,
        "upload_form": forms_.get("upload_form") or UploadForm(),
        "link_form": forms_.get("link_form") or LinkForm(initial={"url": report.link}),
        "not_retrieved_form": forms_.get("not_retrieved_form") or NotRetrievedForm(),
        "study_form": forms_.get("study_form") or StudyForm(review=review),
        "assess_form": forms_.get("assess_form") or AssessForm(review=review, initial=initial),
        "text_preview": report.text[:3000],
        "text_reading": report.text_status in (Report.TextStatus.QUEUED, Report.TextStatus.RUNNING),
        "max_mb": settings.MAX_FULLTEXT_UPLOAD_BYTES // 1_048_576,
    }


def _rerender(request, review, membership, report, status: int = 400, **forms_) -> HttpResponse:
    return TemplateResponse(
        request,
        "screening/fulltext/detail.html",
        _detail_context(review, membership, report, **forms_),
        status=status,
    )


def _done(review: Review, report: Report) -> HttpResponse:
    return redirect("report_detail", review.slug, report.pk)


def _set_on_report(
    request: HttpRequest,
    slug: str,
    report_id: int,
    *,
    form_name: str,
    form: forms.Form,
    field: str,
    act: Callable[[Report, Any, Any], object],
    done: str,
) -> HttpResponse:
    """The forms that set one thing on a report (a file, a link, "not retrieved"): check the
    field, let the service act, and say what happened; errors come back on the form."""
    review, membership, report = _report_for(request, slug, report_id, *STAFF)
    if form.is_valid():
        try:
            act(report, form.cleaned_data[field], request.user)
        except service.FullTextError as exc:
            form.add_error(field, str(exc))
        else:
            messages.success(request, done)
            return _done(review, report)
    return _rerender(request, review, membership, report, **{form_name: form})


@review_roles(*STAFF)
@require_POST
def report_upload(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    return _set_on_report(
        request,
        slug,
        report_id,
        form_name="upload_form",
        form=UploadForm(request.POST, request.FILES),
        field="file",
        act=service.attach_pdf,
        done=gettext("Full text attached."),
    )


@review_roles(*STAFF)
@require_POST
def report_link(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    return _set_on_report(
        request,
        slug,
        report_id,
        form_name="link_form",
        form=LinkForm(request.POST),
        field="url",
        act=service.attach_link,
        done=gettext("Link saved."),
    )


@review_roles(*STAFF)
@require_POST
def report_not_retrieved(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    return _set_on_report(
        request,
        slug,
        report_id,
        form_name="not_retrieved_form",
        form=NotRetrievedForm(request.POST),
        field="reason",
        act=service.mark_not_retrieved,
        done=gettext("Marked as not retrieved."),
    )


@review_roles(*STAFF)
@require_POST
def report_study(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    review, membership, report = _report_for(request, slug, report_id, *STAFF)
    form = StudyForm(request.POST, review=review)
    if form.is_valid():
        target = form.cleaned_data["study"] or form.cleaned_data["label"]
        if not target:
            form.add_error(None, gettext("Choose a study or name a new one."))
        else:
            try:
                study = service.link_to_study(report, target, request.user)
            except service.FullTextError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, gettext("Linked to the study %(label)s.") % {"label": study.label}
                )
                return _done(review, report)
    return _rerender(request, review, membership, report, study_form=form)


@review_roles(Role.REVIEWER)
@require_POST
def report_assess(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    review, membership, report = _report_for(request, slug, report_id, Role.REVIEWER)
    form = AssessForm(request.POST, review=review)
    if form.is_valid():
        data = form.cleaned_data
        try:
            service.assess(
                report, request.user, data["value"], reason=data["reason"], note=data["note"]
            )
        except service.FullTextError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Assessment saved."))
            return _done(review, report)
    return _rerender(request, review, membership, report, assess_form=form)


def pdf_response(report: Report) -> FileResponse:
    """The stored PDF as a download: never rendered inline, never sniffed as HTML."""
    try:
        handle = report.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("The file is missing") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=report.file_name or "full-text.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@review_roles(*STAFF)
def report_pdf(request: HttpRequest, slug: str, report_id: int) -> HttpResponse:
    review, membership, report = _report_for(request, slug, report_id, *STAFF)
    if not report.file:
        raise Http404("No file attached")
    return pdf_response(report)


urlpatterns = [
    path("full-text/", fulltext_list, name="fulltext_list"),
    path("full-text/<int:report_id>/", report_detail, name="report_detail"),
    path("full-text/<int:report_id>/upload/", report_upload, name="report_upload"),
    path("full-text/<int:report_id>/link/", report_link, name="report_link"),
    path(
        "full-text/<int:report_id>/not-retrieved/",
        report_not_retrieved,
        name="report_not_retrieved",
    ),
    path("full-text/<int:report_id>/study/", report_study, name="report_study"),
    path("full-text/<int:report_id>/assess/", report_assess, name="report_assess"),
    path("full-text/<int:report_id>/pdf/", report_pdf, name="report_pdf"),
    path("full-text/<int:report_id>/text/retry/", report_text_retry, name="report_text_retry"),
]
