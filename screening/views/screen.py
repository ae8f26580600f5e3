"""Title/abstract screening: my queue, one record at a time, and the team's progress.

Every page shows a reviewer only their own decisions on records still awaiting decisions;
decisions of others come only from ``decisions.visible_decisions``.
"""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.access import get_review_for, review_roles
from reviewapp.audit import record_event
from reviewapp.compiled import Compiled
from reviewapp.models import Membership, Review, Role, Stage
from reviewapp.spreadsheet import safe_cell
from screening.decisions import queues, stored
from screening.decisions import service as decisions
from screening.decisions.agreement import AgreementSummary
from screening.decisions.service import NotAssigned, ScreeningError
from screening.models import (
    Decision,
    DecisionValue,
    HighlightKeyword,
    Record,
    RecordStatus,
)
from screening.views.screen_panel import (
    history_panel,
    int_param,
    queue_panel,
    record_panel,
    respond,
)

TA = Stage.TITLE_ABSTRACT


@review_roles(Role.REVIEWER)
def screen(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request, slug, Role.REVIEWER)[0]
    if "back" in request.GET:
        context = history_panel(request, review, int_param(request.GET["back"]))
    else:
        context = queue_panel(request, review, int_param(request.GET.get("pos")))
    return respond(request, review, context)


def _my_record(review: Review, user: Any, record_id: int) -> Record:
    """A record I may open: assigned to me or decided by me (else it does not exist for me)."""
    record = get_object_or_404(review.records, pk=record_id)
    if queues.is_assigned(record, user, TA):
        return record
    if Decision.objects.filter(record=record, stage=TA, reviewer=user).exists():
        return record
    queues.ensure_assignments(review, TA)  # imported a moment ago?
    if queues.is_assigned(record, user, TA):
        return record
    raise Http404("No such record in your screening")


@review_roles(Role.REVIEWER)
def screen_record(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    review = get_review_for(request, slug, Role.REVIEWER)[0]
    record = _my_record(review, request.user, record_id)
    return respond(request, review, record_panel(request, review, record))


@review_roles(Role.REVIEWER)
@require_POST
def screen_decide(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    review = get_review_for(request, slug, Role.REVIEWER)[0]
    # decide() checks the record is mine (NotAssigned): no separate lookup on the hot path.
    record = get_object_or_404(review.records, pk=record_id)
    pos = int_param(request.POST.get("pos"))
    reason = request.POST.get("reason") or None
    try:
        decisions.decide(
            record,
            request.user,
            request.POST.get("value", ""),
            stage=TA,
            reason=int_param(reason) if reason else None,
            note=request.POST.get("note", "")[:5000],
        )
    except NotAssigned as exc:
        raise Http404("No such record in your screening") from exc
    except ScreeningError as exc:
        if request.htmx:
            context = record_panel(request, review, record, pos=pos, error=str(exc))
            return respond(request, review, context)
        messages.error(request, str(exc))
        return redirect("screen_record", review.slug, record.pk)
    if request.htmx:
        return respond(request, review, queue_panel(request, review, pos))
    url = reverse("screen", args=[review.slug])
    return redirect(f"{url}?pos={pos}" if pos else url)


# The most decisions one request of the page saves (it sends those made while the last
# request was under way).
MAX_BATCH = 50


# The page's usual request saves one decision: its record read by a statement compiled once per
# process (reviewapp.compiled).
_record = Compiled(
    lambda review_id, record_id: Record.objects.select_related("search").filter(
        review_id=review_id, pk=record_id
    )
)


def _posted_records(review: Review, ids: list[int]) -> dict[int, Record]:
    """The review's records among `ids`, by id (as ``review.records.in_bulk``)."""
    if len(ids) != 1:
        return review.records.select_related("search").in_bulk(ids)
    records = {record.pk: record for record in _record.objects(review.pk, ids[0])}
    for record in records.values():
        record.review = review
    return records


@review_roles(Role.REVIEWER)
@require_POST
def screen_decide_many(request: HttpRequest, slug: str) -> HttpResponse:
    """Save decisions made in a row, in order, each in its own transaction (as screen_decide),
    and answer with my queue: the page saves in the background what it already moved past."""
    review = get_review_for(request, slug, Role.REVIEWER)[0]
    post = request.POST
    rows = list(
        zip(
            post.getlist("record"),
            post.getlist("value"),
            post.getlist("reason"),
            post.getlist("note"),
            strict=False,
        )
    )[:MAX_BATCH]
    records = _posted_records(review, [int_param(r[0]) for r in rows])
    failures: list[tuple[str, str]] = []  # (title, why)
    shown: Record | None = None  # the first refused record I may see again, with the reasons
    for record_id, value, reason, note in rows:
        record = records.get(int_param(record_id))
        try:
            if record is None:
                raise NotAssigned
            decisions.decide(
                record,
                request.user,
                value,
                stage=TA,
                reason=int_param(reason) if reason else None,
                note=note[:5000],
            )
        except NotAssigned:
            title = record.title if record else f"#{record_id}"
            failures.append((title, _("this record is not in your screening.")))
        except ScreeningError as exc:
            failures.append((record.title, str(exc)))
            shown = shown or record
    pos = int_param(post.get("pos"))
    if not failures:
        return respond(request, review, queue_panel(request, review, pos))
    error = " ".join(
        _("Your decision on “%(title)s” was not saved: %(error)s")
        % {"title": title, "error": message}
        for title, message in failures
    )
    if shown is None:
        return respond(request, review, queue_panel(request, review, pos, error=error))
    return respond(request, review, record_panel(request, review, shown, pos=pos, error=error))


@review_roles(Role.REVIEWER)
@require_POST
def screen_undo(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request, slug, Role.REVIEWER)[0]
    base = reverse("screen", args=[review.slug])
    try:
        undone = decisions.undo_last(review, request.user, stage=TA)
    except ScreeningError as exc:
        if request.htmx:
            return respond(request, review, queue_panel(request, review, 0, error=str(exc)))
        messages.error(request, str(exc))
        return redirect(base)
    if undone is None:
        if request.htmx:
            return respond(
                request, review, queue_panel(request, review, 0, error=_("Nothing to undo."))
            )
        messages.info(request, _("Nothing to undo."))
        return redirect(base)
    notice = _("Your last decision was undone: decide this record again.")
    if request.htmx:
        record = get_object_or_404(review.records.select_related("search"), pk=undone.record_id)
        return respond(request, review, record_panel(request, review, record, notice=notice))
    messages.success(request, notice)
    return redirect("screen_record", review.slug, undone.record_id)


@review_roles(Role.REVIEWER)
def screen_mine(request: HttpRequest, slug: str) -> HttpResponse:
    """My decisions, newest first, each with the record's standing and a link to change it."""
    review = get_review_for(request, slug, Role.REVIEWER)[0]
    outcome = RecordStatus.objects.filter(record=OuterRef("record"), stage=TA).values("outcome")
    mine = decisions.decided_records(review, request.user, TA).annotate(
        outcome=Subquery(outcome[:1])
    )
    value = request.GET.get("value", "")
    if value in DecisionValue.values:
        mine = mine.filter(value=value)
    page = Paginator(mine, 50).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "screening/screen/mine.html",
        {"review": review, "page": page, "value": value, "values": DecisionValue.choices},
    )


class KeywordsForm(forms.Form):
    include = forms.CharField(
        label=gettext_lazy("Words that suggest inclusion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("One per line. End a word with * to match any ending (educat*)."),
    )
    exclude = forms.CharField(
        label=gettext_lazy("Words that suggest exclusion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def words(self, kind: str) -> list[str]:
        lines = (w.strip()[:100] for w in self.cleaned_data[kind].splitlines())
        return list(dict.fromkeys(w for w in lines if w.rstrip("*").strip()))


def _keywords_initial(review: Review, owner: Any) -> dict:
    words = HighlightKeyword.objects.filter(review=review, owner=owner)
    return {
        kind: "\n".join(w.word for w in words if w.kind == kind) for kind in ("include", "exclude")
    }


@review_roles(Role.LEAD, Role.REVIEWER)
@require_http_methods(["GET", "POST"])
def screen_keywords(request: HttpRequest, slug: str) -> HttpResponse:
    """Highlighted words: the lead's for the whole review, and each reviewer's own."""
    review, membership = get_review_for(request, slug, Role.LEAD, Role.REVIEWER)
    scope = request.POST.get("scope") or request.GET.get("scope") or "mine"
    if scope == "review" and not membership.is_lead:
        scope = "mine"
    owner = None if scope == "review" else request.user
    form = KeywordsForm(request.POST or None, initial=_keywords_initial(review, owner))
    if request.method == "POST" and form.is_valid():
        before = _keywords_initial(review, owner)
        HighlightKeyword.objects.filter(review=review, owner=owner).delete()
        HighlightKeyword.objects.bulk_create(
            [
                HighlightKeyword(review=review, owner=owner, kind=kind, word=word)
                for kind in ("include", "exclude")
                for word in form.words(kind)
            ]
        )
        record_event(
            review,
            request.user,
            "screening.keywords_changed",
            None,
            before=before,
            after=_keywords_initial(review, owner),
            message="Review keywords" if owner is None else "Personal keywords",
        )
        messages.success(request, _("Highlighted words saved."))
        return redirect(f"{reverse('screen_keywords', args=[review.slug])}?scope={scope}")
    return TemplateResponse(
        request,
        "screening/screen/keywords.html",
        {
            "review": review,
            "form": form,
            "scope": scope,
            "membership": membership,
            "review_words": _keywords_initial(review, None),
        },
    )


class ScreeningSettingsForm(forms.Form):
    participants = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Reviewers who screen"),
        help_text=gettext_lazy("None ticked: every reviewer of the review screens."),
    )
    split_pool = forms.BooleanField(
        required=False,
        label=gettext_lazy("Share the records among them"),
        help_text=gettext_lazy(
            "Each record goes to just the required number of reviewers, in balanced turns. Otherwise everyone screens every record and the first decisions settle it."
        ),
    )

    def __init__(self, *args: Any, reviewers: list, orderings: dict, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participants"].choices = [(m.user_id, m.user.display_name) for m in reviewers]
        for m in reviewers:
            self.fields[f"order_{m.user_id}"] = forms.ChoiceField(
                choices=list(orderings.items()),
                label=_("Queue order for %(name)s") % {"name": m.user.display_name},
                initial="random",
            )


@review_roles(Role.LEAD)
@require_http_methods(["GET", "POST"])
def screen_settings(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request, slug, Role.LEAD)[0]
    settings = queues.settings_for(review)
    reviewers = list(
        Membership.objects.filter(review=review, active=True, is_reviewer=True).select_related(
            "user"
        )
    )
    initial: dict[str, Any] = {
        "participants": settings.participant_ids or [],
        "split_pool": settings.split_pool,
    }
    for m in reviewers:
        initial[f"order_{m.user_id}"] = queues.ordering_for(review, m.user_id)
    form = ScreeningSettingsForm(
        request.POST or None,
        initial=initial,
        reviewers=reviewers,
        orderings=queues.ORDERINGS.labels,
    )
    if request.method == "POST" and form.is_valid():
        chosen = sorted(form.cleaned_data["participants"]) or None
        before = {"participants": settings.participant_ids, "split_pool": settings.split_pool}
        settings.participant_ids = chosen
        settings.split_pool = form.cleaned_data["split_pool"]
        settings.save()
        orders = {}
        for m in reviewers:
            name = form.cleaned_data[f"order_{m.user_id}"]
            queues.set_ordering(review, m.user_id, name)
            orders[m.user.email] = name
        record_event(
            review,
            request.user,
            "screening.settings_changed",
            settings,
            before=before,
            after={"participants": chosen, "split_pool": settings.split_pool, "orders": orders},
        )
        queues.ensure_assignments(review, TA)
        messages.success(request, _("Screening settings saved; the queues follow them."))
        return redirect("screen_settings", review.slug)
    people = queues.participant_ids(review, settings)
    return TemplateResponse(
        request,
        "screening/screen/settings.html",
        {"review": review, "form": form, "participants": len(people)},
    )


DETAILED_PAIRS = 6


def _agreement_context(review: Review, membership: Membership) -> dict:
    """Agreement as this member may see it: counted here for a small review, else the result
    a background job kept (decisions.stored), with its time and whether it is recomputed."""
    shown = stored.agreement_shown(review, membership.is_lead, TA)
    summary, people = shown.summary or AgreementSummary(), shown.people

    def name(pk: int) -> str:
        return people[pk].display_name if pk in people else f"Reviewer {pk}"

    pairs = [
        {
            "a": name(p.rater_a),
            "b": name(p.rater_b),
            "n": p.n,
            "percent": p.percent_agreement,
            "kappa": p.kappa,
            "categories": [DecisionValue(c).label for c in p.categories],
            "rows": [(DecisionValue(c).label, row) for c, row in p.rows()],
        }
        for p in summary.pairs
    ]
    # A pair's own table of decisions for a small team; one line per pair once there are
    # more (50 reviewers make 1,225 pairs: the tables were 0.9 MB of page and most of its time).
    return {
        "summary": summary,
        "pairs": pairs,
        "detailed": len(pairs) <= DETAILED_PAIRS,
        "agreement": shown,
    }


@review_roles(Role.LEAD, Role.REVIEWER)
def screen_progress(request: HttpRequest, slug: str) -> HttpResponse:
    """Progress and agreement. Leads: the team, per reviewer and in aggregate; reviewers:
    their own progress, and agreement only on resolved records."""
    review, membership = get_review_for(request, slug, Role.LEAD, Role.REVIEWER)
    team = decisions.team_progress(review, TA)
    if membership.is_lead:
        people = [
            m.user
            for m in Membership.objects.filter(
                review=review, active=True, user_id__in=queues.participant_ids(review)
            ).select_related("user")
        ]
        rows = decisions.reviewer_progress(review, people, TA, with_values=False)
    else:
        rows = decisions.reviewer_progress(review, [request.user], TA, with_values=True)
    return TemplateResponse(
        request,
        "screening/screen/progress.html",
        {
            "review": review,
            "membership": membership,
            "team": team,
            "rows": rows,
            **_agreement_context(review, membership),
        },
    )


class _SafeWriter:
    def __init__(self, writer) -> None:
        self.writer = writer

    def writerow(self, row: list) -> None:
        self.writer.writerow([v if isinstance(v, int | float) else safe_cell(v) for v in row])


@review_roles(Role.LEAD, Role.REVIEWER)
def screen_agreement_csv(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD, Role.REVIEWER)
    context = _agreement_context(review, membership)
    summary, shown = context["summary"], context["agreement"]
    if shown.summary is None:  # a large review's first count is under way
        messages.info(request, _("Agreement is being computed in the background."))
        return redirect(reverse("screen_progress", args=[review.slug]) + "#agreement")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{review.slug}-agreement.csv"'
    # Reviewer names are people's own text: neutralise every cell against formula injection.
    writer = _SafeWriter(csv.writer(response))
    writer.writerow(
        ["statistic", "reviewer_a", "reviewer_b", "records", "value", "a_value", "b_value", "count"]
    )

    def fmt(x: float | None) -> str:
        return "" if x is None else f"{x:.4f}"

    for pair in context["pairs"]:
        writer.writerow(
            ["percent_agreement", pair["a"], pair["b"], pair["n"], fmt(pair["percent"])]
        )
        writer.writerow(["cohen_kappa", pair["a"], pair["b"], pair["n"], fmt(pair["kappa"])])
        for label, row in pair["rows"]:
            for other, count in zip(pair["categories"], row, strict=True):
                writer.writerow(["table", pair["a"], pair["b"], pair["n"], "", label, other, count])
    writer.writerow(["fleiss_kappa", "", "", summary.fleiss_items, fmt(summary.fleiss_kappa)])
    writer.writerow(
        ["krippendorff_alpha", "", "", summary.alpha_items, fmt(summary.krippendorff_alpha)]
    )
    if shown.as_of is not None:  # a large review's kept result: when it was counted
        writer.writerow(["computed_at", "", "", "", shown.as_of.isoformat(), "", "", ""])
    return response


urlpatterns = [
    path("screen/", screen, name="screen"),
    path("screen/record/<int:record_id>/", screen_record, name="screen_record"),
    path("screen/record/<int:record_id>/decide/", screen_decide, name="screen_decide"),
    path("screen/decisions/", screen_decide_many, name="screen_decide_many"),
    path("screen/undo/", screen_undo, name="screen_undo"),
    path("screen/mine/", screen_mine, name="screen_mine"),
    path("screen/keywords/", screen_keywords, name="screen_keywords"),
    path("screen/settings/", screen_settings, name="screen_settings"),
    path("screen/progress/", screen_progress, name="screen_progress"),
    path("screen/progress/agreement.csv", screen_agreement_csv, name="screen_agreement_csv"),
]
