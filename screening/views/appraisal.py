"""Critical appraisal: the plan, each appraiser's form, the table, agreement, figure, tools.

Appraisal pages are for leads and reviewers; an adjudicator reaches a study's appraisals only
through an appraisal conflict escalated to them (screening.views.conflicts sends it here).
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.access import get_review_for, review_roles
from reviewapp.models import Membership, Review, Role
from screening.appraisal import exports, figure, service
from screening.appraisal.tools import Tool
from screening.conflicts import service as conflicts
from screening.fulltext.service import included_studies
from screening.models import Conflict, ConflictStage, Study

STAFF = (Role.LEAD, Role.REVIEWER)
LEVELS = ("good", "bad", "unsure", "na")


def _study_for(review: Review, study_id: int) -> Study:
    return get_object_or_404(included_studies(review), pk=study_id)


@review_roles(*STAFF)
def appraisal_home(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, *STAFF)
    rows = service.study_rows(review, membership)
    tool_keys = {row.tool.key for row in rows if row.tool}
    agreement = {}
    for key in sorted(tool_keys):
        tool = service.get_tool(review, key)
        agreement[tool.name] = service.item_agreement(review, tool)
    return TemplateResponse(
        request,
        "screening/appraisal/home.html",
        {
            "review": review,
            "membership": membership,
            "rows": [(row, exports.status_of(row)) for row in rows],
            "plan": service.plan_for(review),
            "tools": service.tools_for(review),
            "custom_tools": review.appraisal_tools.all(),
            "agreement": agreement,
        },
    )


@review_roles(Role.LEAD)
@require_POST
def appraisal_plan(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    per_study = {}
    for name, value in request.POST.items():
        if match := re.fullmatch(r"study-(\d+)", name):
            per_study[int(match.group(1))] = value
    try:
        service.set_plan(review, request.user, request.POST.get("tool", ""), per_study)
    except service.AppraisalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Appraisal plan saved."))
    return redirect("appraisal_home", review.slug)


def _answers_from(post, tool: Tool, category: str) -> dict:
    return {
        item.number: {
            "answer": post.get(f"answer-{item.number}", ""),
            "comment": post.get(f"comment-{item.number}", ""),
        }
        for item in tool.items_for(category)
    }


@review_roles(*STAFF)
@require_http_methods(["GET", "POST"])
def appraisal_study(request: HttpRequest, slug: str, study_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, *STAFF)
    study = _study_for(review, study_id)
    tool = service.tool_for_study(review, study)
    if tool is None:
        messages.error(request, _("A lead chooses the appraisal tool first."))
        return redirect("appraisal_home", review.slug)
    if request.method == "POST":
        if not membership.is_reviewer:
            raise Http404("Only reviewers appraise")
        category = request.POST.get("category", "")
        submit = "submit" in request.POST
        try:
            service.save_appraisal(
                study,
                request.user,
                answers=_answers_from(request.POST, tool, category),
                category=category,
                overall=request.POST.get("overall", ""),
                submit=submit,
            )
        except service.AppraisalError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Appraisal submitted.") if submit else _("Draft saved."))
            if submit:
                return redirect("appraisal_home", review.slug)
        return redirect("appraisal_study", review.slug, study.pk)
    visible = service.visible_appraisals(study, tool.key, membership)
    mine = next((a for a in visible if a.appraiser_id == membership.user_id), None)
    category = request.GET.get("category") or (mine.category if mine else "")
    return TemplateResponse(
        request,
        "screening/appraisal/study.html",
        {
            "review": review,
            "membership": membership,
            "study": study,
            "tool": tool,
            "category": category,
            "items": tool.items_for(category),
            "mine": mine,
            "others": [a for a in visible if a.appraiser_id != membership.user_id],
            "can_edit": membership.is_reviewer and not (mine and mine.submitted_at),
        },
    )


@review_roles(*STAFF)
def appraisal_export(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, *STAFF)
    fmt = request.GET.get("format", "csv")
    name = f"{review.slug}-appraisal"
    if fmt == "csv":
        response = HttpResponse(
            exports.to_csv(review, membership), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(review, membership),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt in ("svg", "png"):
        rows, items = exports.figure_rows(review, membership)
        svg = figure.combined_svg(rows, items, _("Critical appraisal"))
        if fmt == "svg":
            response = HttpResponse(svg, content_type="image/svg+xml")
        else:
            response = HttpResponse(figure.to_png(svg), content_type="image/png")
    else:
        raise Http404("Unknown format")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _parse_tool_text(items_text: str, answers_text: str, overall_text: str) -> dict:
    """Items one per line ("1. Text" or just text), answers "Label = level", overall labels."""
    items = []
    for n, line in enumerate((x.strip() for x in items_text.splitlines() if x.strip()), start=1):
        match = re.match(r"^([A-Za-z]?\d+(?:\.\d+)?)[.)]?\s+(.*)$", line)
        number, text = (match.group(1), match.group(2)) if match else (str(n), line)
        items.append({"number": number, "text": text})
    answers = []
    for line in (x.strip() for x in answers_text.splitlines() if x.strip()):
        label, _sep, level = line.partition("=")
        level = level.strip().lower() or "unsure"
        if level not in LEVELS:
            raise service.AppraisalError(
                _("“%(line)s”: the level after = is one of good, bad, unsure, na.") % {"line": line}
            )
        answers.append(
            {"key": slugify(label.strip()) or label.strip(), "label": label.strip(), "level": level}
        )
    overall = [
        {"key": slugify(x.strip()) or x.strip(), "label": x.strip()}
        for x in overall_text.splitlines()
        if x.strip()
    ]
    return {"items": items, "answers": answers, "overall": overall}


@review_roles(Role.LEAD)
@require_http_methods(["GET", "POST"])
def appraisal_tool_edit(request: HttpRequest, slug: str, key: str = "") -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD)
    tool = get_object_or_404(review.appraisal_tools, key=key) if key else None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        new_key = key or slugify(request.POST.get("key", "") or name)[:60]
        try:
            if not name or not new_key:
                raise service.AppraisalError(_("Give the tool a name."))
            definition = _parse_tool_text(
                request.POST.get("items", ""),
                request.POST.get("answers", ""),
                request.POST.get("overall", ""),
            )
            service.publish_tool(
                review,
                request.user,
                key=new_key,
                name=name,
                definition=definition,
                note=request.POST.get("note", ""),
            )
        except service.AppraisalError as exc:
            messages.error(request, str(exc))
            form = request.POST
        else:
            messages.success(request, _("Tool version published."))
            return redirect("appraisal_home", review.slug)
    else:
        latest = tool.latest_version() if tool else None
        definition = latest.definition if latest else {"items": [], "answers": [], "overall": []}
        form = {
            "name": tool.name if tool else "",
            "key": key,
            "items": "\n".join(f"{i['number']}. {i['text']}" for i in definition["items"]),
            "answers": "\n".join(
                f"{a['label']} = {a.get('level', 'unsure')}" for a in definition["answers"]
            )
            or _("Yes = good\nNo = bad\nUnclear = unsure\nNot applicable = na"),
            "overall": "\n".join(o["label"] for o in definition.get("overall", [])),
        }
    return TemplateResponse(
        request,
        "screening/appraisal/tool_form.html",
        {"review": review, "membership": membership, "tool": tool, "form": form,
         "versions": tool.versions.all() if tool else []},
    )  # fmt: skip


# --- an appraisal conflict (reached from the conflicts pages) --------------------------------


def _appraisal_conflict_for(
    request, slug, conflict_id, *roles
) -> tuple[Review, Membership, Conflict]:
    review, membership = get_review_for(request, slug, *roles)
    conflict = get_object_or_404(
        review.conflicts.filter(stage=ConflictStage.APPRAISAL), pk=conflict_id
    )
    if not conflicts.can_view(conflict, membership):
        raise Http404("No such conflict")
    return review, membership, conflict


@review_roles()
def appraisal_conflict(request: HttpRequest, slug: str, conflict_id: int) -> HttpResponse:
    from screening.views.conflicts import CommentForm, EscalateForm

    review, membership, conflict = _appraisal_conflict_for(request, slug, conflict_id)
    study, tool, pair = service._pair_for(conflict)
    diff = service.differences(tool, *pair)
    is_party = membership.user_id in {a.appraiser_id for a in pair}
    live = not conflict.is_resolved and not conflict.is_escalated
    proposals = list(conflict.proposals.select_related("proposed_by", "confirmed_by"))
    category = pair[0].category if "category" not in diff else request.GET.get("category", "")
    return TemplateResponse(
        request,
        "screening/appraisal/conflict.html",
        {
            "review": review, "membership": membership, "conflict": conflict, "study": study,
            "tool": tool, "pair": pair, "diff": diff, "items": tool.items_for(category),
            "category": category,
            "comments": conflict.comments.select_related("author"),
            "comment_form": CommentForm(), "escalate_form": EscalateForm(),
            "can_discuss": not conflict.is_resolved,
            "can_propose": is_party and live,
            "can_escalate": live and (is_party or membership.is_lead),
            "can_adjudicate": conflicts.can_adjudicate(conflict, membership),
            "can_lead_decide": membership.is_lead and not conflict.is_resolved,
            "proposals": proposals,
            "to_confirm": [p for p in proposals if p.is_live and p.proposed_by_id != membership.user_id] if is_party and live else [],
            "result": study.appraisal_results.filter(tool_key=tool.key).first(),
        },
    )  # fmt: skip


def _ruled_answers(post) -> dict:
    return {
        "category": post.get("category", ""),
        "overall": post.get("overall", ""),
        "items": {k[len("answer-") :]: v for k, v in post.items() if k.startswith("answer-")},
    }


@review_roles()
@require_POST
def appraisal_conflict_settle(request: HttpRequest, slug: str, conflict_id: int) -> HttpResponse:
    """Propose (an appraiser), rule (the adjudicator) or decide (a lead) the agreed answers."""
    review, membership, conflict = _appraisal_conflict_for(request, slug, conflict_id)
    answers = _ruled_answers(request.POST)
    note = request.POST.get("note", "")
    step = request.POST.get("step")
    try:
        if step == "propose":
            conflicts.propose(conflict, request.user, "", None, note, answers=answers)
            messages.success(request, _("Proposal sent; the other appraiser confirms it."))
        elif step == "adjudicate":
            conflicts.adjudicate(conflict, request.user, "", None, note, answers=answers)
            messages.success(request, _("Ruling recorded: the appraisal is settled."))
        elif step == "lead":
            conflicts.lead_decide(conflict, request.user, "", None, note, answers=answers)
            messages.success(request, _("Decision recorded by the lead."))
        else:
            raise Http404("Unknown step")
    except conflicts.ConflictError as exc:
        messages.error(request, str(exc))
    return redirect("appraisal_conflict", review.slug, conflict.pk)


urlpatterns = [
    path("appraisal/", appraisal_home, name="appraisal_home"),
    path("appraisal/plan/", appraisal_plan, name="appraisal_plan"),
    path("appraisal/studies/<int:study_id>/", appraisal_study, name="appraisal_study"),
    path("appraisal/export/", appraisal_export, name="appraisal_export"),
    path("appraisal/tools/new/", appraisal_tool_edit, name="appraisal_tool_new"),
    path("appraisal/tools/<slug:key>/", appraisal_tool_edit, name="appraisal_tool_edit"),
    path("appraisal/conflicts/<int:conflict_id>/", appraisal_conflict, name="appraisal_conflict"),
    path(
        "appraisal/conflicts/<int:conflict_id>/settle/",
        appraisal_conflict_settle,
        name="appraisal_conflict_settle",
    ),
]
