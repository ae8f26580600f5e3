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
from django.db.models import F, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reviewapp.access import get_review_for, review_roles
from reviewapp.audit import record_event
from reviewapp.models import Membership, Review, Role, Stage
from reviewapp.spreadsheet import safe_cell
from screening.decisions import queues
from screening.decisions import service as decisions
from screening.decisions.highlight import compile_keywords, highlight
from screening.decisions.service import NotAssigned, ScreeningError
from screening.models import (
    Decision,
    DecisionValue,
    HighlightKeyword,
    Outcome,
    Record,
    RecordStatus,
    Search,
)

TA = Stage.TITLE_ABSTRACT
TEMPLATE = "screening/screen/screen.html"


def _int(value: Any, default: int = 0) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


# Records of my queue sent ahead with every panel: a decision swaps the next one in at once,
# and the request saving it (which brings the following ones) runs in the background.
UPCOMING = 6


def _found_in(records: list[Record]) -> dict[int, list[Search]]:
    """The searches that found each work: the record's own, and its duplicates' (one query)."""
    clusters = {r.cluster_id for r in records if r.cluster_id}
    by_cluster: dict[int, list[Search]] = {}
    if clusters:
        rows = Search.objects.filter(records__cluster_id__in=clusters).annotate(
            found_cluster=F("records__cluster_id")
        )
        for search in rows:
            found = by_cluster.setdefault(search.found_cluster, [])
            if all(s.pk != search.pk for s in found):
                found.append(search)
    return {r.pk: by_cluster.get(r.cluster_id, []) or [r.search] for r in records}


def _record_context(
    record: Record, user: Any, pattern: Any, found_in: list[Search], *, from_queue: bool
) -> dict[str, Any]:
    if from_queue:
        # An open queue entry is a pending record I have not decided: nothing more to show.
        status, seen = None, []
    else:
        status = RecordStatus.objects.filter(record=record, stage=TA).first()
        seen = list(decisions.visible_decisions(record, TA, user, status=status))
    mine = next((d for d in seen if d.reviewer_id == user.pk), None)
    return {
        "record": record,
        "title_html": highlight(record.title, pattern),
        "title_alt_html": highlight(record.title_alt, pattern),
        "abstract_html": highlight(record.abstract, pattern),
        "keywords_html": [highlight(k, pattern) for k in record.keywords if isinstance(k, str)],
        "found_in": found_in,
        "mine": mine,
        "others": [d for d in seen if d.reviewer_id != user.pk],
        "status": status,
        "outcome": status.outcome if status else Outcome.PENDING,
        "can_decide": not status or status.outcome == Outcome.PENDING,
    }


def _panel(
    request: HttpRequest,
    review: Review,
    *,
    record: Record | None,
    prev_url: str = "",
    next_url: str = "",
    pos: int = 0,
    error: str = "",
    notice: str = "",
    counts: tuple[int, int] | None = None,
    from_queue: bool = False,
    upcoming: list[Record] | None = None,
) -> dict:
    """The context of the record panel: ``current`` (the record shown, with its links and
    counts) and ``upcoming`` (the next records of my queue, as they will show after I decide
    the current one). Their flat keys stay for the page and its tests."""
    user = request.user
    if counts is None:
        queues.ensure_assignments(review, TA)
        counts = queues.queue_counts(review, user, TA)
    remaining, decided_count = counts
    panel: dict[str, Any] = {
        "record": record,
        "prev_url": prev_url,
        "next_url": next_url,
        "pos": pos,
        "error": error,
        "notice": notice,
        "remaining": remaining,
        "decided_count": decided_count,
    }
    context: dict[str, Any] = {
        "review": review,
        "reasons": list(review.exclusion_reasons.filter(stage=TA, active=True)),
        "values": DecisionValue,
        "current": panel,
        "upcoming": [],
        **panel,
    }
    if record is None:
        return context
    words = HighlightKeyword.objects.filter(review=review).filter(
        owner__isnull=True
    ) | HighlightKeyword.objects.filter(review=review, owner=user)
    pattern = compile_keywords(words.values_list("kind", "word"))
    upcoming = [r for r in upcoming or [] if r.pk != record.pk][:UPCOMING]
    have = _have(request)
    found = _found_in([record, *(r for r in upcoming if r.pk not in have)])
    panel.update(_record_context(record, user, pattern, found[record.pk], from_queue=from_queue))
    context.update(panel)
    context["upcoming"] = _upcoming(review, user, pattern, found, upcoming, panel)
    return context


def _have(request: HttpRequest) -> set[int]:
    """Records the page already holds (``have=1,2,3``): sent back by id only, not rendered."""
    raw = request.POST.get("have") or request.GET.get("have") or ""
    return {_int(part) for part in raw.split(",")[: 2 * UPCOMING] if part.strip().isdigit()}


def _upcoming(
    review: Review, user: Any, pattern: Any, found: dict, records: list[Record], current: dict
) -> list[dict]:
    """The next records as they show once the current one is decided: at the same position
    (the decided one left the queue), one more decision made each."""
    base = reverse("screen", args=[review.slug])
    pos = current["pos"]
    fresh = int(current["mine"] is None)  # a first decision on the current record moves counts
    prev_url = f"{base}?back=0" if not pos else (f"{base}?pos={pos - 1}" if pos > 1 else base)
    panels: list[dict] = []
    for n, record in enumerate(records, start=1):
        if record.pk not in found:  # the page has it
            panels.append({"record": record, "have": True})
            continue
        remaining = max(0, current["remaining"] - fresh - (n - 1))
        panels.append(
            {
                **_record_context(record, user, pattern, found[record.pk], from_queue=True),
                "prev_url": prev_url,
                "next_url": f"{base}?pos={pos + 1}" if remaining > pos + 1 else "",
                "pos": pos,
                "error": "",
                "notice": "",
                "remaining": remaining,
                "decided_count": current["decided_count"] + fresh + (n - 1),
            }
        )
    return panels


def _screen_strings() -> dict[str, str]:
    """What screen.js says, translated here (the page passes it as JSON)."""
    return {
        "include": _("Included."),
        "exclude": _("Excluded."),
        "maybe": _("Marked Maybe."),
        "excludedBecause": _("Excluded: {reason}."),
        "waiting": _("({n} waiting for you)"),
        "sessionEnded": _(
            "Your decision on “{title}” was not saved: your session has ended. Sign in again."
        ),
        "serverError": _(
            "Your decision on “{title}” was not saved (the server answered {status}). Reload "
            "the page and decide it again."
        ),
        "offline": _("The connection is lost: {n} decision(s) wait and are sent when it is back."),
    }


def _respond(request: HttpRequest, review: Review, context: dict) -> TemplateResponse:
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        response = TemplateResponse(request, f"{TEMPLATE}#record-panel", context)
    else:
        context["criteria"] = review.criteria.all()
        context["screen_strings"] = _screen_strings()
        response = TemplateResponse(request, TEMPLATE, context)
    response["Vary"] = "HX-Request"
    return response


def _queue_window(review: Review, user: Any, pos: int) -> tuple[list[Record], int, tuple]:
    """My queue from position `pos` (back to the head when I am past its end): the record
    there and the ones after it, with my counts."""
    queue, counts = queues.queue_and_counts(review, user, TA)
    window = list(queue.select_related("search")[pos : pos + 1 + UPCOMING])
    if not window and pos:
        pos = 0
        window = list(queue.select_related("search")[: 1 + UPCOMING])
    return window, pos, counts


def _queue_panel(request: HttpRequest, review: Review, pos: int, **extra: Any) -> dict:
    """The record at position `pos` of my queue (0: the next one), with J/K links."""
    base = reverse("screen", args=[review.slug])
    window, pos, counts = _queue_window(review, request.user, pos)
    record = window[0] if window else None
    next_url = f"{base}?pos={pos + 1}" if len(window) > 1 else ""
    # K from the head of the queue goes to my last decision (dropped below if I have none).
    prev_url = f"{base}?back=0"
    if pos:
        prev_url = f"{base}?pos={pos - 1}" if pos > 1 else base
    context = _panel(
        request,
        review,
        record=record,
        prev_url=prev_url,
        next_url=next_url,
        pos=pos,
        counts=counts,
        from_queue=True,
        upcoming=window[1:],
        **extra,
    )
    if not pos and not context["decided_count"]:
        context["prev_url"] = context["current"]["prev_url"] = ""
    return context


def _record_panel(request: HttpRequest, review: Review, record: Record, **extra: Any) -> dict:
    """A record I decided (or am deciding again), with the head of my queue to follow it."""
    window, _, counts = _queue_window(review, request.user, 0)
    extra.setdefault("prev_url", f"{reverse('screen', args=[review.slug])}?back=0")
    extra.setdefault("next_url", reverse("screen", args=[review.slug]))
    return _panel(request, review, record=record, counts=counts, upcoming=window, **extra)


def _history_panel(request: HttpRequest, review: Review, back: int, **extra: Any) -> dict:
    """My `back`-th most recent decision (0: the last one), with J/K links."""
    base = reverse("screen", args=[review.slug])
    window = list(
        decisions.decided_records(review, request.user, TA)[back : back + 2].values_list(
            "record_id", flat=True
        )
    )
    if not window:
        return _queue_panel(request, review, 0, **extra)
    record = get_object_or_404(review.records.select_related("search"), pk=window[0])
    return _record_panel(
        request,
        review,
        record,
        prev_url=f"{base}?back={back + 1}" if len(window) > 1 else "",
        next_url=f"{base}?back={back - 1}" if back else base,
        **extra,
    )


@review_roles(Role.REVIEWER)
def screen(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request, slug, Role.REVIEWER)[0]
    if "back" in request.GET:
        context = _history_panel(request, review, _int(request.GET["back"]))
    else:
        context = _queue_panel(request, review, _int(request.GET.get("pos")))
    return _respond(request, review, context)


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
    return _respond(request, review, _record_panel(request, review, record))


@review_roles(Role.REVIEWER)
@require_POST
def screen_decide(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    review = get_review_for(request, slug, Role.REVIEWER)[0]
    # decide() checks the record is mine (NotAssigned): no separate lookup on the hot path.
    record = get_object_or_404(review.records, pk=record_id)
    pos = _int(request.POST.get("pos"))
    reason = request.POST.get("reason") or None
    try:
        decisions.decide(
            record,
            request.user,
            request.POST.get("value", ""),
            stage=TA,
            reason=_int(reason) if reason else None,
            note=request.POST.get("note", "")[:5000],
        )
    except NotAssigned as exc:
        raise Http404("No such record in your screening") from exc
    except ScreeningError as exc:
        if request.htmx:
            context = _record_panel(request, review, record, pos=pos, error=str(exc))
            return _respond(request, review, context)
        messages.error(request, str(exc))
        return redirect("screen_record", review.slug, record.pk)
    if request.htmx:
        return _respond(request, review, _queue_panel(request, review, pos))
    url = reverse("screen", args=[review.slug])
    return redirect(f"{url}?pos={pos}" if pos else url)


# The most decisions one request of the page saves (it sends those made while the last
# request was under way).
MAX_BATCH = 50


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
    records = review.records.select_related("search").in_bulk([_int(r[0]) for r in rows])
    failures: list[tuple[str, str]] = []  # (title, why)
    shown: Record | None = None  # the first refused record I may see again, with the reasons
    for record_id, value, reason, note in rows:
        record = records.get(_int(record_id))
        try:
            if record is None:
                raise NotAssigned
            decisions.decide(
                record,
                request.user,
                value,
                stage=TA,
                reason=_int(reason) if reason else None,
                note=note[:5000],
            )
        except NotAssigned:
            title = record.title if record else f"#{record_id}"
            failures.append((title, _("this record is not in your screening.")))
        except ScreeningError as exc:
            failures.append((record.title, str(exc)))
            shown = shown or record
    pos = _int(post.get("pos"))
    if not failures:
        return _respond(request, review, _queue_panel(request, review, pos))
    error = " ".join(
        _("Your decision on “%(title)s” was not saved: %(error)s")
        % {"title": title, "error": message}
        for title, message in failures
    )
    if shown is None:
        return _respond(request, review, _queue_panel(request, review, pos, error=error))
    return _respond(request, review, _record_panel(request, review, shown, pos=pos, error=error))


@review_roles(Role.REVIEWER)
@require_POST
def screen_undo(request: HttpRequest, slug: str) -> HttpResponse:
    review = get_review_for(request, slug, Role.REVIEWER)[0]
    base = reverse("screen", args=[review.slug])
    try:
        undone = decisions.undo_last(review, request.user, stage=TA)
    except ScreeningError as exc:
        if request.htmx:
            return _respond(request, review, _queue_panel(request, review, 0, error=str(exc)))
        messages.error(request, str(exc))
        return redirect(base)
    if undone is None:
        if request.htmx:
            return _respond(
                request, review, _queue_panel(request, review, 0, error=_("Nothing to undo."))
            )
        messages.info(request, _("Nothing to undo."))
        return redirect(base)
    notice = _("Your last decision was undone: decide this record again.")
    if request.htmx:
        record = get_object_or_404(review.records.select_related("search"), pk=undone.record_id)
        return _respond(request, review, _record_panel(request, review, record, notice=notice))
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
        label="Words that suggest inclusion",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per line. End a word with * to match any ending (educat*).",
    )
    exclude = forms.CharField(
        label="Words that suggest exclusion",
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
        messages.success(request, "Highlighted words saved.")
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
        label="Reviewers who screen",
        help_text="None ticked: every reviewer of the review screens.",
    )
    split_pool = forms.BooleanField(
        required=False,
        label="Share the records among them",
        help_text="Each record goes to just the required number of reviewers, in balanced "
        "turns. Otherwise everyone screens every record and the first decisions settle it.",
    )

    def __init__(self, *args: Any, reviewers: list, orderings: dict, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participants"].choices = [(m.user_id, m.user.display_name) for m in reviewers]
        for m in reviewers:
            self.fields[f"order_{m.user_id}"] = forms.ChoiceField(
                choices=list(orderings.items()),
                label=f"Queue order for {m.user.display_name}",
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
        messages.success(request, "Screening settings saved; the queues follow them.")
        return redirect("screen_settings", review.slug)
    people = queues.participant_ids(review, settings)
    return TemplateResponse(
        request,
        "screening/screen/settings.html",
        {"review": review, "form": form, "participants": len(people)},
    )


def _agreement_context(review: Review, membership: Membership) -> dict:
    summary, people = decisions.agreement_for(review, membership.is_lead, TA)

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
    return {"summary": summary, "pairs": pairs}


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
    summary = context["summary"]
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
