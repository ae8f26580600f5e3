"""Conflicts: the list for each role, the conflict page with its discussion, and its steps.

A conflict is shown only to the reviewers who disagree, to leads, and to adjudicators once it is
escalated to them; anyone else gets 404, whatever URL they try.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.access import get_review_for, review_roles
from reviewapp.models import AuditEvent, ExclusionReason, Membership, Review, Role, Stage, User
from screening.conflicts import service
from screening.models import (
    Conflict,
    ConflictStage,
    ConsensusProposal,
    Decision,
    DecisionValue,
    RecordStatus,
    Report,
)

FINAL_CHOICES = [
    (DecisionValue.INCLUDE, gettext_lazy("Include")),
    (DecisionValue.EXCLUDE, gettext_lazy("Exclude")),
]


class FinalDecisionForm(forms.Form):
    value = forms.ChoiceField(
        label=gettext_lazy("Final decision"), choices=FINAL_CHOICES, widget=forms.RadioSelect
    )
    reason = forms.ModelChoiceField(
        label=gettext_lazy("Exclusion reason"),
        queryset=ExclusionReason.objects.none(),
        required=False,
        help_text=gettext_lazy("Required when excluding."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(
        self, *args, conflict: Conflict, note_label: str = gettext_lazy("Note"), **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = ExclusionReason.objects.filter(
            review_id=conflict.review_id, stage=conflict.stage, active=True
        )
        self.fields["note"].label = note_label


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=service.COMMENT_MAX,
    )


class EscalateForm(forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("Summary for the adjudicator"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=service.SUMMARY_MAX,
        help_text=gettext_lazy("Both positions in a sentence or two."),
    )


class ReopenForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)
    reason = forms.CharField(
        label=gettext_lazy("Why re-open it?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


def _conflict_for(
    request: HttpRequest, slug: str, conflict_id: int, *roles: str
) -> tuple[Review, Membership, Conflict]:
    """The conflict, if this member may see it; 404 otherwise (its existence is not revealed)."""
    review, membership = get_review_for(request, slug, *roles)
    conflict = get_object_or_404(
        review.conflicts.select_related("record", "adjudicator", "escalated_by", "resolved_by"),
        pk=conflict_id,
    )
    if not service.can_view(conflict, membership):
        raise Http404("No such conflict")
    return review, membership, conflict


def _back(review: Review, conflict: Conflict) -> HttpResponse:
    return redirect("conflict_detail", review.slug, conflict.pk)


@review_roles()
def conflict_list(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug)
    user_id = membership.user_id
    state = request.GET.get("state", "")
    stage = request.GET.get("stage", "")
    base = review.conflicts.select_related("record", "adjudicator").prefetch_related(
        Prefetch("record__decisions", queryset=Decision.objects.select_related("reviewer"))
    )
    if stage in Stage.values:
        base = base.filter(stage=stage)
    if membership.is_lead:
        everyone = base.filter(state=state) if state in Conflict.State.values else base.live()
        shown = list(everyone.order_by("opened_at", "id")[:200])
    else:
        shown = []
    mine = list(base.live().involving(user_id).order_by("opened_at", "id"))
    queue = (
        list(base.live().for_adjudicator(user_id).order_by("escalated_at", "id"))
        if membership.is_adjudicator
        else []
    )
    waiting = service.waiting_ids(membership, review.conflicts.live())
    now = timezone.now()
    for conflict in [*shown, *mine, *queue]:
        conflict.people = [
            d.reviewer for d in conflict.record.decisions.all() if d.stage == conflict.stage
        ]
    adjudicators = (
        User.objects.filter(
            memberships__review=review, memberships__active=True, memberships__is_adjudicator=True
        ).order_by("full_name", "email")
        if membership.is_lead
        else []
    )
    return TemplateResponse(
        request,
        "screening/conflicts/list.html",
        {
            "review": review,
            "membership": membership,
            "all_conflicts": shown,
            "mine": mine,
            "queue": queue,
            "waiting": waiting,
            "now": now,
            "state": state,
            "stage": stage,
            "states": Conflict.State.choices,
            "stages": Stage.choices,
            "adjudicators": adjudicators,
        },
    )


@review_roles()
def conflict_detail(request: HttpRequest, slug: str, conflict_id: int) -> HttpResponse:
    review, membership, conflict = _conflict_for(request, slug, conflict_id)
    if conflict.stage == ConflictStage.APPRAISAL:
        return redirect("appraisal_conflict", review.slug, conflict.pk)
    return TemplateResponse(
        request, "screening/conflicts/detail.html", _detail_context(review, membership, conflict)
    )


def _detail_context(review: Review, membership: Membership, conflict: Conflict) -> dict:
    positions = list(
        Decision.objects.filter(record_id=conflict.record_id, stage=conflict.stage)
        .select_related("reviewer", "reason")
        .order_by("created_at", "id")
    )
    participant_ids = {d.reviewer_id for d in positions}
    is_participant = membership.user_id in participant_ids
    proposals = list(conflict.proposals.select_related("proposed_by", "reason", "confirmed_by"))
    live = not conflict.is_resolved and not conflict.is_escalated
    report = None
    if conflict.stage == Stage.FULL_TEXT:
        report = Report.objects.filter(record_id=conflict.record_id).first()
    history = AuditEvent.objects.filter(
        review=review, object_type="screening.conflict", object_id=str(conflict.pk)
    ).select_related("actor")
    return {
        "review": review,
        "membership": membership,
        "conflict": conflict,
        "record": conflict.record,
        "positions": positions,
        "comments": conflict.comments.select_related("author"),
        "proposals": proposals,
        "to_confirm": [p for p in proposals if p.is_live and p.proposed_by_id != membership.user_id]
        if is_participant and live
        else [],
        "is_participant": is_participant,
        "can_discuss": not conflict.is_resolved,
        "can_propose": is_participant and live,
        "can_escalate": live and (is_participant or membership.is_lead),
        "can_adjudicate": service.can_adjudicate(conflict, membership),
        "can_lead_decide": membership.is_lead and not conflict.is_resolved,
        "adjudicators": service.eligible_adjudicators(conflict) if membership.is_lead else [],
        "final_form": FinalDecisionForm(conflict=conflict),
        "adjudicate_form": FinalDecisionForm(
            conflict=conflict, note_label=_("Reason for the decision")
        ),
        "comment_form": CommentForm(),
        "escalate_form": EscalateForm(),
        "report": report,
        "history": history[:50],
    }


@review_roles()
@require_POST
def conflict_comment(request: HttpRequest, slug: str, conflict_id: int) -> HttpResponse:
    review, membership, conflict = _conflict_for(request, slug, conflict_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment before posting it."))
    else:
        try:
            service.comment(conflict, request.user, form.cleaned_data["body"])
        except service.ConflictError as exc:
            messages.error(request, str(exc))
    if request.htmx:
        conflict.refresh_from_db()
        return TemplateResponse(
            request,
            "screening/conflicts/detail.html#thread",
            _detail_context(review, membership, conflict),
        )
    return _back(review, conflict)


def _final_step(request: HttpRequest, conflict: Conflict, step, success: str, **form_kw) -> None:
    form = FinalDecisionForm(request.POST, conflict=conflict, **form_kw)
    if not form.is_valid():
        messages.error(request, _("Choose Include or Exclude (and a reason when excluding)."))
        return
    data = form.cleaned_data
    try:
        step(conflict, request.user, data["value"], data["reason"], data["note"])
    except service.ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)


@review_roles(Role.REVIEWER)
@require_POST
def conflict_propose(request: HttpRequest, slug: str, conflict_id: int) -> HttpResponse:
    review, membership, conflict = _conflict_for(request, slug, conflict_id, Role.REVIEWER)
    _final_step(
        request, conflict, service.propose, _("Proposal sent; the other reviewer confirms it.")
    )
    return _back(review, conflict)


@review_roles(Role.REVIEWER)
@require_POST
def proposal_confirm(
    request: HttpRequest, slug: str, conflict_id: int, proposal_id: int
) -> HttpResponse:
    review, membership, conflict = _conflict_for(request, slug, conflict_id, Role.REVIEWER)
    proposal = get_object_or_404(ConsensusProposal, conflict=conflict, pk=proposal_id)
    try:
        service.confirm(proposal, request.user)
    except service.ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Consensus confirmed: the conflict is resolved."))
    return _back(review, conflict)


@review_roles(Role.LEAD, Role.REVIEWER)
@require_POST
def conflict_escalate(request: HttpRequest, slug: str, conflict_id: int) -> HttpResponse:
    review, membership, conflict = _conflict_for(
        request, slug, conflict_id, Role.LEAD, Role.REVIEWER
    )
    form = EscalateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Summarise the disagreement for the adjudicator."))
    else:
        try:
            service.escalate(conflict, request.user, form.cleaned_data["summary"])
        except service.ConflictError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Escalated to the adjudicator."))
    return _back(review, conflict)


@review_roles(Role.LEAD)
@require_POST
def conflict_assign(request: HttpRequest, slug: str, conflict_id: int) -> HttpResponse:
    review, membership, conflict = _conflict_for(request, slug, conflict_id, Role.LEAD)
    adjudicator = User.objects.filter(pk=request.POST.get("adjudicator") or None).first()
    if adjudicator is None:
        messages.error(request, _("Choose an adjudicator."))
    else:
        try:
            service.assign_adjudicator(
                conflict, adjudicator, request.user, request.POST.get("summary", "")
            )
        except service.ConflictError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Assigned to %(display_name)s.") % {"display_name": adjudicator.display_name},
            )
    if request.POST.get("next") == "list":
        return redirect("conflict_list", review.slug)
    return _back(review, conflict)


@review_roles(Role.ADJUDICATOR)
@require_POST
def conflict_adjudicate(request: HttpRequest, slug: str, conflict_id: int) -> HttpResponse:
    review, membership, conflict = _conflict_for(request, slug, conflict_id, Role.ADJUDICATOR)
    _final_step(
        request,
        conflict,
        service.adjudicate,
        _("Decision recorded: the conflict is resolved as adjudicated."),
        note_label=_("Reason for the decision"),
    )
    return _back(review, conflict)


@review_roles(Role.LEAD)
@require_POST
def conflict_lead_decide(request: HttpRequest, slug: str, conflict_id: int) -> HttpResponse:
    review, membership, conflict = _conflict_for(request, slug, conflict_id, Role.LEAD)
    _final_step(request, conflict, service.lead_decide, _("Decision recorded by the lead."))
    return _back(review, conflict)


@review_roles()
def conflict_fulltext(request: HttpRequest, slug: str, conflict_id: int) -> HttpResponse:
    """The full text of a full-text conflict's report, for whoever may see the conflict."""
    review, membership, conflict = _conflict_for(request, slug, conflict_id)
    report = Report.objects.filter(record_id=conflict.record_id).first()
    if conflict.stage != Stage.FULL_TEXT or report is None or not report.file:
        raise Http404("No full text")
    from screening.views.fulltext import pdf_response

    return pdf_response(report)


@review_roles(Role.LEAD)
@require_http_methods(["GET", "POST"])
def record_reopen(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    record = get_object_or_404(review.records, pk=record_id)
    statuses = list(RecordStatus.objects.filter(record=record).order_by("stage"))
    resolved = [s for s in statuses if s.is_resolved]
    form = ReopenForm(request.POST or None)
    form.fields["stage"].choices = [(s.stage, s.get_stage_display()) for s in resolved]
    if request.method == "POST" and form.is_valid():
        try:
            service.reopen(
                record,
                form.cleaned_data["stage"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except service.ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Re-opened: the record can be decided again."))
            return redirect("conflict_list", review.slug)
    return TemplateResponse(
        request,
        "screening/conflicts/reopen.html",
        {
            "review": review,
            "record": record,
            "statuses": statuses,
            "resolved": resolved,
            "form": form,
        },
    )


urlpatterns = [
    path("conflicts/", conflict_list, name="conflict_list"),
    path("conflicts/<int:conflict_id>/", conflict_detail, name="conflict_detail"),
    path("conflicts/<int:conflict_id>/comment/", conflict_comment, name="conflict_comment"),
    path("conflicts/<int:conflict_id>/propose/", conflict_propose, name="conflict_propose"),
    path(
        "conflicts/<int:conflict_id>/proposals/<int:proposal_id>/confirm/",
        proposal_confirm,
        name="proposal_confirm",
    ),
    path("conflicts/<int:conflict_id>/escalate/", conflict_escalate, name="conflict_escalate"),
    path("conflicts/<int:conflict_id>/assign/", conflict_assign, name="conflict_assign"),
    path(
        "conflicts/<int:conflict_id>/adjudicate/", conflict_adjudicate, name="conflict_adjudicate"
    ),
    path("conflicts/<int:conflict_id>/decide/", conflict_lead_decide, name="conflict_lead_decide"),
    path("conflicts/<int:conflict_id>/full-text/", conflict_fulltext, name="conflict_fulltext"),
    path("conflicts/reopen/<int:record_id>/", record_reopen, name="record_reopen"),
]
