"""Duplicates: the queue of uncertain pairs (side by side, Merge / Not duplicates), clusters
and their undo, and the lead's "run now" button. Leads only: merging hides records from screening.
"""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reviewapp import jobs
from reviewapp.access import get_review_for, review_roles
from reviewapp.models import AuditEvent, Review, Stage
from screening.dedup import display, service
from screening.models import DuplicateCandidate, DuplicateCluster, RecordStatus

from .imports import QueueDown

TEMPLATE = "screening/dedup/queue.html"


def _neighbours(
    review: Review, pair: DuplicateCandidate | None
) -> tuple[DuplicateCandidate | None, DuplicateCandidate | None]:
    """The open pairs before and after `pair` in queue order (score down, then id)."""
    if pair is None:
        return None, None
    waiting = service.open_pairs(review).exclude(pk=pair.pk)
    after = Q(score__lt=pair.score) | Q(score=pair.score, pk__gt=pair.pk)
    before = Q(score__gt=pair.score) | Q(score=pair.score, pk__lt=pair.pk)
    return (
        waiting.filter(before).order_by("score", "-id").first(),
        waiting.filter(after).order_by("-score", "id").first(),
    )


def _pairs(review: Review) -> QuerySet[DuplicateCandidate]:
    return review.duplicate_candidates.select_related(
        "record_a__search", "record_b__search", "decided_by"
    )


def _pair_context(review: Review, pair: DuplicateCandidate | None, **extra) -> dict:
    prev_pair, next_pair = _neighbours(review, pair)
    context = {
        "review": review,
        "pair": pair,
        "prev_pair": prev_pair,
        "next_pair": next_pair,
        "open_count": service.open_pair_count(review),
        **extra,
    }
    if pair is not None:
        a, b = pair.record_a, pair.record_b
        statuses = {
            (s.record_id, s.stage): s
            for s in RecordStatus.objects.filter(record_id__in=(a.pk, b.pk)).exclude(
                outcome="pending"
            )
        }
        context.update(
            rows=display.pair_rows(a, b),
            status_a=statuses.get((a.pk, Stage.TITLE_ABSTRACT)),
            status_b=statuses.get((b.pk, Stage.TITLE_ABSTRACT)),
        )
    return context


def _respond(request: HttpRequest, context: dict) -> TemplateResponse:
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return TemplateResponse(request, f"{TEMPLATE}#pair-panel", context)
    return TemplateResponse(request, TEMPLATE, context)


def _page_context(review: Review) -> dict:
    run = jobs.latest(service.dedup_review, review.pk)
    return {
        # The latest background run: waiting for the queue, under way, or given up (and why).
        "dedup_run": run,
        "dedup_waiting": jobs.waiting_for_queue(run),
        "dedup_story": jobs.story(run),
        "clusters_count": review.duplicate_clusters.count(),
        "duplicates_removed": service.duplicates_removed(review),
        "recent_clusters": review.duplicate_clusters.select_related("canonical")
        .annotate(size=Count("members"))
        .order_by("-created_at", "-id")[:20],
    }


@review_roles("lead")
def dedup_queue(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, "lead")
    pair = _pairs(review).filter(status=DuplicateCandidate.Status.OPEN).order_by("-score", "id")
    context = _pair_context(review, pair.first())
    if not getattr(request, "htmx", None):
        context.update(_page_context(review))
    return _respond(request, context)


@review_roles("lead")
def dedup_pair(request: HttpRequest, slug: str, pair_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, "lead")
    pair = get_object_or_404(_pairs(review), pk=pair_id)
    context = _pair_context(review, pair)
    if not getattr(request, "htmx", None):
        context.update(_page_context(review))
    return _respond(request, context)


@review_roles("lead")
@require_POST
def dedup_decide(request: HttpRequest, slug: str, pair_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, "lead")
    pair = get_object_or_404(review.duplicate_candidates, pk=pair_id)
    action = request.POST.get("action", "")
    error = notice = ""
    try:
        pair = service.decide_pair(pair, action, by=request.user)
        notice = f"Records {pair.record_a_id} and {pair.record_b_id}: {pair.get_status_display()}."
    except service.DedupError as exc:
        error = str(exc)
    if not getattr(request, "htmx", None):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, notice)
        return redirect("dedup_queue", review.slug)
    # The next open pair after this one in queue order, else the first still open.
    _, following = _neighbours(review, pair)
    following = following or service.open_pairs(review).first()
    if following is not None:
        following = _pairs(review).get(pk=following.pk)
    return _respond(request, _pair_context(review, following, error=error, notice=notice))


@review_roles("lead")
@require_POST
def dedup_run(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, "lead")
    queue_down = QueueDown()
    job = service.enqueue_dedup(review, on_unavailable=queue_down, after_commit=False)
    job.refresh_from_db()  # without a broker the run already happened, in this request
    if queue_down.down:
        messages.warning(
            request,
            _(
                "The queue is unavailable right now. The de-duplication run is recorded and "
                "starts by itself when the queue is back."
            ),
        )
    elif job.status == jobs.Status.DONE and isinstance(job.result, dict):
        known = {f.name for f in dataclasses.fields(service.DedupReport)}
        report = service.DedupReport(**{k: v for k, v in job.result.items() if k in known})
        messages.success(request, _("De-duplication done.") + " " + " · ".join(report.lines()))
    else:
        messages.success(request, _("De-duplication started; reload this page in a moment."))
    return redirect("dedup_queue", review.slug)


@review_roles("lead")
def dedup_cluster(request: HttpRequest, slug: str, cluster_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, "lead")
    cluster = get_object_or_404(
        review.duplicate_clusters.select_related("canonical"), pk=cluster_id
    )
    members = list(cluster.members.select_related("search").order_by("-is_canonical", "id"))
    history = AuditEvent.objects.filter(
        review=review, object_type="screening.duplicatecluster", object_id=str(cluster.pk)
    ).select_related("actor")[:20]
    return TemplateResponse(
        request,
        "screening/dedup/cluster.html",
        {
            "review": review,
            "cluster": cluster,
            "members": members,
            "filled": sorted(cluster.filled),
            "history": history,
        },
    )


@review_roles("lead")
@require_POST
def dedup_split(request: HttpRequest, slug: str, cluster_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, "lead")
    cluster: DuplicateCluster = get_object_or_404(review.duplicate_clusters, pk=cluster_id)
    chosen = [int(x) for x in request.POST.getlist("records") if x.isdigit()]
    try:
        left = service.split(cluster, by=request.user, records=chosen or None)
    except service.DedupError as exc:
        messages.error(request, str(exc))
        return redirect("dedup_queue", review.slug)
    messages.success(
        request,
        gettext(
            "Split: records %(left)s are their own records again and are screened if they were not yet."
        )
        % {"left": ", ".join(map(str, left))},
    )
    if DuplicateCluster.objects.filter(pk=cluster.pk).exists():
        return redirect("dedup_cluster", review.slug, cluster.pk)
    return redirect("record_detail", review.slug, left[0])


urlpatterns = [
    path("duplicates/", dedup_queue, name="dedup_queue"),
    path("duplicates/run/", dedup_run, name="dedup_run"),
    path("duplicates/pairs/<int:pair_id>/", dedup_pair, name="dedup_pair"),
    path("duplicates/pairs/<int:pair_id>/decide/", dedup_decide, name="dedup_decide"),
    path("duplicates/clusters/<int:cluster_id>/", dedup_cluster, name="dedup_cluster"),
    path("duplicates/clusters/<int:cluster_id>/split/", dedup_split, name="dedup_split"),
]
