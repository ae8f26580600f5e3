"""New themes proposed during coding: proposing, discussing, and the lead's decision."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.access import get_review_for, review_roles

from .. import services
from ..forms import CommentForm, DecisionForm, ProposalForm
from ..models import CodeProposal
from .common import CODERS, LEAD, int_param, refuse


@review_roles(*CODERS)
def proposals(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, *CODERS)
    book = services.get_codebook(review)
    items = book.proposals.select_related("proposed_by", "parent", "study", "result_code")
    return TemplateResponse(
        request,
        "coding/proposals.html",
        {"review": review, "membership": membership, "proposals": items},
    )


@review_roles(*CODERS)
@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    book = services.get_codebook(review)
    studies = services.studies_for(review)
    initial = {
        "study": int_param(request, "study"),
        "excerpt": request.GET.get("excerpt", "")[:5000],
        "parent": int_param(request, "parent"),
    }
    form = ProposalForm(request.POST or None, codebook=book, studies=studies, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.propose_code(
                book,
                request.user,
                name=data["name"],
                definition=data["definition"],
                parent=data["parent"],
                excerpt=data["excerpt"],
                study=data["study"],
            )
        except services.CodingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Proposal sent to the team."))
            return redirect("proposal_detail", review.slug, proposal.pk)
    return TemplateResponse(request, "coding/proposal_new.html", {"review": review, "form": form})


def _proposal(review, proposal_id: int) -> CodeProposal:
    return get_object_or_404(
        CodeProposal.objects.filter(codebook__review=review).select_related(
            "codebook", "proposed_by", "parent", "study", "result_code", "decided_by"
        ),
        pk=proposal_id,
    )


@review_roles(*CODERS)
def proposal_detail(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, *CODERS)
    proposal = _proposal(review, proposal_id)
    return TemplateResponse(
        request,
        "coding/proposal_detail.html",
        {
            "review": review,
            "membership": membership,
            "proposal": proposal,
            "comments": proposal.comments.select_related("author"),
            "comment_form": CommentForm(),
            "decision_form": DecisionForm(codebook=proposal.codebook),
        },
    )


@review_roles(*CODERS)
@require_POST
def proposal_comment(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    review, _ = get_review_for(request, slug, *CODERS)
    proposal = _proposal(review, proposal_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.comment_on(proposal, request.user, form.cleaned_data["text"])
    else:
        refuse(request, services.CodingError(gettext("The comment is empty.")))
    return redirect("proposal_detail", review.slug, proposal.pk)


@review_roles(LEAD)
@require_POST
def proposal_decide(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, LEAD)
    proposal = _proposal(review, proposal_id)
    form = DecisionForm(request.POST, codebook=proposal.codebook)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "accept":
                services.accept_proposal(proposal, request.user, data["reason"])
                messages.success(
                    request, gettext("Accepted into the draft; publish to let coders use it.")
                )
            elif data["action"] == "merge":
                services.merge_proposal(proposal, request.user, data["target"], data["reason"])
                messages.success(
                    request, gettext("Merged into “%(name)s”.") % {"name": data["target"].name}
                )
            else:
                services.decline_proposal(proposal, request.user, data["reason"])
                messages.success(request, gettext("Declined."))
        except services.CodingError as exc:
            refuse(request, exc)
        else:
            return redirect("proposal_detail", review.slug, proposal.pk)
    return TemplateResponse(
        request,
        "coding/proposal_detail.html",
        {
            "review": review,
            "membership": membership,
            "proposal": proposal,
            "comments": proposal.comments.select_related("author"),
            "comment_form": CommentForm(),
            "decision_form": form,
        },
        status=400,
    )


urlpatterns = [
    path("codebook/proposals/", proposals, name="proposals"),
    path("codebook/proposals/new/", proposal_new, name="proposal_new"),
    path("codebook/proposals/<int:proposal_id>/", proposal_detail, name="proposal_detail"),
    path(
        "codebook/proposals/<int:proposal_id>/comment/", proposal_comment, name="proposal_comment"
    ),
    path("codebook/proposals/<int:proposal_id>/decide/", proposal_decide, name="proposal_decide"),
]
