"""The screening page's record panel: the record shown, and the next ones of my queue sent
ahead with it (as they will show once the current one is decided), so the page swaps to the
next record without a round trip.

Blinding: the records sent ahead are open entries of my own queue (pending, undecided by me),
so nothing of another reviewer's decision is in them; a record shown from my history asks
``decisions.visible_decisions``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from reviewapp.compiled import Compiled
from reviewapp.models import ExclusionReason, Review, Stage
from screening.decisions import queues
from screening.decisions import service as decisions
from screening.decisions.highlight import compile_keywords, highlight
from screening.models import DecisionValue, HighlightKeyword, Outcome, Record, RecordStatus, Search

TA = Stage.TITLE_ABSTRACT
TEMPLATE = "screening/screen/screen.html"


# The panel's reads besides my queue, built and compiled once per process (reviewapp.compiled).
_reasons = Compiled(
    lambda review_id, stage: ExclusionReason.objects.filter(
        review_id=review_id, stage=stage, active=True
    )
)
# The review's words and mine: one filter (OR-ing two querysets builds both, then merges).
_words = Compiled(
    lambda review_id, user_id: HighlightKeyword.objects.filter(
        Q(owner__isnull=True) | Q(owner_id=user_id), review_id=review_id
    ).values_list("kind", "word")
)


def int_param(value: Any, default: int = 0) -> int:
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
    review: Review,
    record: Record,
    user: Any,
    pattern: Any,
    found_in: list[Search],
    *,
    from_queue: bool,
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
        "decide_url": reverse("screen_decide", args=[review.slug, record.pk]),
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


def panel_context(
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
        # The same in every panel of the answer: reversed here once, not by each panel.
        "mine_url": reverse("screen_mine", args=[review.slug]),
        "undo_url": reverse("screen_undo", args=[review.slug]),
        "reasons": _reasons.objects(review.pk, TA),
        "values": DecisionValue,
        "current": panel,
        "upcoming": [],
        **panel,
    }
    if record is None:
        return context
    pattern = compile_keywords(_words.rows(review.pk, user.pk))
    upcoming = [r for r in upcoming or [] if r.pk != record.pk][:UPCOMING]
    have = _have(request)
    found = _found_in([record, *(r for r in upcoming if r.pk not in have)])
    panel.update(
        _record_context(review, record, user, pattern, found[record.pk], from_queue=from_queue)
    )
    context.update(panel)
    context["upcoming"] = _upcoming(review, user, pattern, found, upcoming, panel)
    return context


def _have(request: HttpRequest) -> set[int]:
    """Records the page already holds (``have=1,2,3``): sent back by id only, not rendered."""
    raw = request.POST.get("have") or request.GET.get("have") or ""
    return {int_param(part) for part in raw.split(",")[: 2 * UPCOMING] if part.strip().isdigit()}


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
                **_record_context(review, record, user, pattern, found[record.pk], from_queue=True),
                "prev_url": prev_url,
                "next_url": f"{base}?pos={pos + 1}" if remaining > pos + 1 else "",
                "pos": pos,
                "error": "",
                "notice": "",
                "remaining": remaining,
                "decided_count": current["decided_count"] + fresh + (n - 1),
                "have": False,  # asked by the template: a missing key costs a failed lookup
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


def respond(request: HttpRequest, review: Review, context: dict) -> TemplateResponse:
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
    window, counts = queues.queue_window(review, user, TA, pos, pos + 1 + UPCOMING)
    if not window and pos:
        pos = 0
        window = queues.queue_window(review, user, TA, 0, 1 + UPCOMING)[0]
    return window, pos, counts


def queue_panel(request: HttpRequest, review: Review, pos: int, **extra: Any) -> dict:
    """The record at position `pos` of my queue (0: the next one), with J/K links."""
    base = reverse("screen", args=[review.slug])
    window, pos, counts = _queue_window(review, request.user, pos)
    record = window[0] if window else None
    next_url = f"{base}?pos={pos + 1}" if len(window) > 1 else ""
    # K from the head of the queue goes to my last decision (dropped below if I have none).
    prev_url = f"{base}?back=0"
    if pos:
        prev_url = f"{base}?pos={pos - 1}" if pos > 1 else base
    context = panel_context(
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


def record_panel(request: HttpRequest, review: Review, record: Record, **extra: Any) -> dict:
    """A record I decided (or am deciding again), with the head of my queue to follow it."""
    window, _, counts = _queue_window(review, request.user, 0)
    extra.setdefault("prev_url", f"{reverse('screen', args=[review.slug])}?back=0")
    extra.setdefault("next_url", reverse("screen", args=[review.slug]))
    return panel_context(request, review, record=record, counts=counts, upcoming=window, **extra)


def history_panel(request: HttpRequest, review: Review, back: int, **extra: Any) -> dict:
    """My `back`-th most recent decision (0: the last one), with J/K links."""
    base = reverse("screen", args=[review.slug])
    window = list(
        decisions.decided_records(review, request.user, TA)[back : back + 2].values_list(
            "record_id", flat=True
        )
    )
    if not window:
        return queue_panel(request, review, 0, **extra)
    record = get_object_or_404(review.records.select_related("search"), pk=window[0])
    return record_panel(
        request,
        review,
        record,
        prev_url=f"{base}?back={back + 1}" if len(window) > 1 else "",
        next_url=f"{base}?back={back - 1}" if back else base,
        **extra,
    )
