"""Relevance ranking: a lead's page (per-reviewer switch, model state, stopping estimate, stop),
and a reviewer's own estimate."""

from __future__ import annotations

from dataclasses import asdict

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.access import get_review_for, review_roles
from reviewapp.models import Membership, Role
from screening.models import RankingState, ReviewerQueue, ScreeningStop
from screening.ranking import service as ranking_service


class StopForm(forms.Form):
    report_as = forms.ChoiceField(
        choices=ScreeningStop.ReportAs.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("Report the records left unscreened in PRISMA as"),
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Why screening stops (kept in the audit trail)"),
        max_length=2000,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that every record nobody has screened yet leaves the queues."
        ),
    )


def _rows(review) -> list[dict]:
    reviewers = list(
        Membership.objects.filter(review=review, active=True, is_reviewer=True)
        .select_related("user")
        .order_by("user__email")
    )
    ids = [m.user_id for m in reviewers]
    orders = dict(
        ReviewerQueue.objects.filter(review=review, reviewer_id__in=ids).values_list(
            "reviewer_id", "ordering"
        )
    )
    states = {s.reviewer_id: s for s in RankingState.objects.filter(review=review)}
    rows = []
    for m in reviewers:
        ranked = orders.get(m.user_id) == ranking_service.RELEVANCE
        state = states.get(m.user_id)
        rows.append(
            {
                "member": m,
                "ranked": ranked,
                "state": state,
                "since": ranking_service.decisions_since_training(review, m.user_id, state)
                if state
                else None,
                # Resolved records only: a lead never sees a pending decision move a count.
                "estimate": ranking_service.estimate_for(review, m.user_id, resolved_only=True)
                if ranked
                else None,
            }
        )
    return rows


@review_roles(Role.LEAD)
@require_http_methods(["GET", "POST"])
def ranking_page(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, Role.LEAD)
    form = StopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        stop = ranking_service.stop_screening(
            review,
            by=request.user,
            reason=form.cleaned_data["reason"],
            report_as=form.cleaned_data["report_as"],
        )
        messages.success(
            request,
            gettext(
                "Screening stopped: %(records_count)s unscreened records left the queues and are reported as “%(get_report_as_display)s”."
            )
            % {
                "records_count": stop.records_count,
                "get_report_as_display": stop.get_report_as_display(),
            },
        )
        return redirect("ranking", review.slug)
    return TemplateResponse(
        request,
        "screening/ranking/page.html",
        {
            "review": review,
            "rows": _rows(review),
            "form": form,
            "stoppable": ranking_service.stoppable(review).count(),
            "stops": list(ScreeningStop.objects.filter(review=review).select_related("by")),
            "retrain_every": ranking_service.retrain_every(),
        },
    )


@review_roles(Role.LEAD)
@require_POST
def ranking_toggle(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, Role.LEAD)
    member = Membership.objects.filter(
        review=review, active=True, is_reviewer=True, user_id=request.POST.get("reviewer") or 0
    ).first()
    if member is None:
        messages.error(request, gettext("Choose a reviewer of this review."))
    else:
        enabled = request.POST.get("enabled") == "1"
        ranking_service.set_relevance(review, member.user_id, enabled=enabled, by=request.user)
        messages.success(
            request,
            gettext("%(display_name)s's queue is now in %(random)s order.")
            % {
                "display_name": member.user.display_name,
                "random": gettext("relevance") if enabled else gettext("random"),
            },
        )
    return redirect("ranking", review.slug)


@review_roles(Role.REVIEWER)
def ranking_mine(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, Role.REVIEWER)
    ranked = ranking_service.is_ranked(review, request.user)
    estimate = ranking_service.estimate_for(review, request.user)
    state = RankingState.objects.filter(review=review, reviewer=request.user).first()
    return TemplateResponse(
        request,
        "screening/ranking/mine.html",
        {"review": review, "ranked": ranked, "estimate": estimate, "state": state,
         "details": asdict(estimate)["details"]},
    )  # fmt: skip


urlpatterns = [
    path("ranking/", ranking_page, name="ranking"),
    path("ranking/toggle/", ranking_toggle, name="ranking_toggle"),
    path("ranking/mine/", ranking_mine, name="ranking_mine"),
]
