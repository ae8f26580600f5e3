"""Reviews and teams: the dashboard, a review's overview, its criteria and its people."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .access import get_review_for, review_roles
from .audit import record_event
from .forms import (
    CriterionFormSet,
    InviteForm,
    NewReviewForm,
    ProfileForm,
    ReviewForm,
    RolesForm,
    reason_formset,
)
from .models import Invitation, Membership, Role, Stage
from .registry import registry, visible
from .waiting import members_items, review_status, waiting_for


def dashboard(request: HttpRequest) -> HttpResponse:
    memberships = list(
        Membership.objects.filter(user=request.user, active=True)
        .select_related("review", "user")
        .order_by("-review__created_at")
    )
    for m in memberships:
        m.waiting = waiting_for(m)  # the card's line: what waits for me in this review
    invitations = Invitation.objects.filter(
        email__iexact=request.user.email, accepted_at=None, revoked=False
    ).select_related("review")
    return TemplateResponse(
        request,
        "reviewapp/dashboard.html",
        {"memberships": memberships, "invitations": invitations},
    )


@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest) -> HttpResponse:
    form = NewReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.create_review(
                form.cleaned_data["title"],
                request.user,
                slug=form.cleaned_data["slug"] or None,
                question=form.cleaned_data["question"],
                description=form.cleaned_data["description"],
            )
        except services.ReviewError as exc:
            form.add_error("slug", str(exc))
        else:
            messages.success(request, _("Review created. Next: set its eligibility criteria."))
            return redirect("review_criteria", review.slug)
    return TemplateResponse(request, "reviewapp/review_new.html", {"form": form})


@review_roles()
def review_overview(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug)
    sections = [
        {"template": s.template, **s.context(review, membership)}
        for s in registry.overview_sections
        if visible(s.roles, membership)
    ]
    return TemplateResponse(
        request,
        "reviewapp/review_overview.html",
        {
            "review": review,
            "membership": membership,
            "waiting": _waiting_table(review, membership),
            "criteria": review.criteria.all(),
            "members": review.memberships.filter(active=True).select_related("user"),
            "sections": sections,
        },
    )


def _waiting_table(review, membership: Membership) -> dict:
    """Who has what waiting: every member for a lead, one's own row for anyone else."""
    if membership.is_lead:
        status = review_status(review)
        review_items, members = status.review_items, status.members
    else:
        review_items, members = [], members_items(review, [membership])
    return {
        "review_items": review_items,
        "members": members,
        "columns": members[0].items if members else [],
    }


@review_roles(Role.LEAD)
@require_http_methods(["GET", "POST"])
def review_settings(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    before = {f: getattr(review, f) for f in ReviewForm.Meta.fields}
    form = ReviewForm(request.POST or None, instance=review)
    if request.method == "POST" and form.is_valid():
        review = form.save()
        after = {f: getattr(review, f) for f in ReviewForm.Meta.fields}
        record_event(review, request.user, "review.updated", review, before=before, after=after)
        messages.success(request, _("Review settings saved."))
        return redirect("review_settings", review.slug)
    return TemplateResponse(
        request, "reviewapp/review_settings.html", {"review": review, "form": form}
    )


@review_roles(Role.LEAD)
@require_http_methods(["GET", "POST"])
def review_criteria(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    formset = CriterionFormSet(request.POST or None, instance=review, prefix="criteria")
    if request.method == "POST" and formset.is_valid():
        before = list(review.criteria.values("domain", "inclusion", "exclusion"))
        formset.save()
        added = services.derive_exclusion_reasons(review)
        after = list(review.criteria.values("domain", "inclusion", "exclusion"))
        record_event(review, request.user, "criteria.updated", review, before=before, after=after)
        messages.success(
            request,
            _("Criteria saved. %(n)s exclusion reason(s) derived.") % {"n": added}
            if added
            else _("Criteria saved."),
        )
        return redirect("review_criteria", review.slug)
    return TemplateResponse(
        request, "reviewapp/review_criteria.html", {"review": review, "formset": formset}
    )


@review_roles(Role.LEAD)
@require_http_methods(["GET", "POST"])
def review_reasons(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    data = request.POST or None
    formsets = {stage: reason_formset(review, stage, data) for stage in Stage.values}
    if request.method == "POST" and all(fs.is_valid() for fs in formsets.values()):
        for stage, formset in formsets.items():
            for reason in formset.save(commit=False):
                reason.stage = stage
                reason.save()
            for reason in formset.deleted_objects:
                try:
                    with transaction.atomic():
                        reason.delete()
                except (ProtectedError, RestrictedError):
                    # Decisions cite it: keep it for them, but offer it no more.
                    reason.active = False
                    reason.save(update_fields=["active"])
                    messages.warning(
                        request,
                        _("“%(label)s” is used by decisions, so it was deactivated.")
                        % {"label": reason.label},
                    )
        record_event(
            review,
            request.user,
            "reasons.updated",
            review,
            after=list(review.exclusion_reasons.values("stage", "label", "active")),
        )
        messages.success(request, _("Exclusion reasons saved."))
        return redirect("review_reasons", review.slug)
    return TemplateResponse(
        request,
        "reviewapp/review_reasons.html",
        {
            "review": review,
            "stages": [(label, formsets[value]) for value, label in Stage.choices],
        },
    )


@review_roles(Role.LEAD)
@require_http_methods(["GET", "POST"])
def review_team(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite(
                review, form.cleaned_data["email"], form.cleaned_data["roles"], request.user
            )
        except services.ReviewError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("review_team", review.slug)
    return TemplateResponse(
        request,
        "reviewapp/review_team.html",
        {
            "review": review,
            "form": form,
            "members": review.memberships.filter(active=True).select_related("user"),
            "former": review.memberships.filter(active=False).select_related("user"),
            "invitations": review.invitations.filter(accepted_at=None, revoked=False),
            "role_choices": Role.choices,
        },
    )


@review_roles(Role.LEAD)
@require_POST
def member_roles(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    member = get_object_or_404(review.memberships.filter(active=True), pk=member_id)
    form = RolesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose at least one role."))
    else:
        try:
            services.change_roles(member, form.cleaned_data["roles"], request.user)
            messages.success(request, _("Roles of %(user)s updated.") % {"user": member.user})
        except services.ReviewError as exc:
            messages.error(request, str(exc))
    return redirect("review_team", review.slug)


@review_roles(Role.LEAD)
@require_POST
def member_remove(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    member = get_object_or_404(review.memberships.filter(active=True), pk=member_id)
    try:
        services.remove_member(member, request.user)
        messages.success(
            request,
            _("%(user)s was removed; their past work stays attributed.") % {"user": member.user},
        )
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    return redirect("review_team", review.slug)


@review_roles(Role.LEAD)
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    invitation = get_object_or_404(review.invitations, pk=invitation_id, accepted_at=None)
    invitation.revoked = True
    invitation.save(update_fields=["revoked"])
    record_event(
        review,
        request.user,
        "member.invitation_revoked",
        invitation,
        before={"email": invitation.email},
    )
    messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    return redirect("review_team", review.slug)


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("review"), token=token)
    if request.method == "POST":
        try:
            services.accept_invitation(invitation, request.user)
        except services.ReviewError as exc:
            messages.error(request, str(exc))
            return redirect("dashboard")
        messages.success(request, _("You joined “%(title)s”.") % {"title": invitation.review.title})
        return redirect("review_overview", invitation.review.slug)
    return TemplateResponse(
        request,
        "reviewapp/accept_invitation.html",
        {
            "invitation": invitation,
            "yours": services.holds_address(request.user, invitation.email),
            "wrong_address": services.WRONG_ADDRESS,
        },
    )


@review_roles(Role.LEAD)
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    events = review.audit_events.select_related("actor")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    hidden: set[int] = set()
    for redact in registry.audit_redactors:
        hidden |= redact(review, list(page.object_list))
    for event in page.object_list:
        event.hidden = event.pk in hidden
    return TemplateResponse(
        request, "reviewapp/audit_log.html", {"review": review, "page": page, "action": action}
    )


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The name a person's team sees on decisions, comments and codings."""
    form = ProfileForm(
        request.POST or None,
        initial={"full_name": request.user.full_name, "language": request.user.language},
    )
    if request.method == "POST" and form.is_valid():
        request.user.full_name = form.cleaned_data["full_name"].strip()
        request.user.language = form.cleaned_data["language"]
        request.user.save(update_fields=["full_name", "language"])
        messages.success(request, gettext("Your profile was saved."))
        response = redirect("profile")
        _remember_language(response, request.user.language)
        return response
    return TemplateResponse(request, "reviewapp/profile.html", {"form": form})


def _remember_language(response: HttpResponse, language: str) -> None:
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switcher: remembered in a cookie, and on the profile when signed in."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = ""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = redirect(target)
    _remember_language(response, language)
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
