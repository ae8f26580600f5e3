"""Relevance ranking inside a review: who is ranked, background retraining, and stopping.

The engine (:mod:`screening.ranking`) is pure; this module feeds it one reviewer's view of the
review and stores the result as a rank table the queue orders by.

Blinding: a reviewer's model learns only from that reviewer's own decisions and from records
already resolved (outcome included/excluded). Another reviewer's pending decision is never read,
so it cannot move a record up or down my queue.

Retraining is never on the reviewer's request path (without a broker it runs on the web
process's background thread, see reviewapp.jobs): reading the queue (the "relevance" ordering)
compares the reviewer's decision count with the count at the last training, and once
:func:`retrain_interval` more decisions were made enqueues :func:`retrain_ranking`: after every
decision while the reviewer has made fewer than 200, then after every 1 % of their decisions,
at most every ``RANKING_RETRAIN_EVERY`` (default 10). Early decisions move the model most, and
a retrain on a few hundred labels is cheap; ``bench/ranking_bench.py`` simulates this schedule.
Until the first training, or while the model has no relevant *and* irrelevant label, records
without a rank follow the reviewer's random order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from celery import shared_task
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import F, FilteredRelation, Q, QuerySet, TextField, Value
from django.db.models.functions import MD5, Cast, Concat
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy

from reviewapp.audit import record_event
from reviewapp.jobs import CONNECTION_LOST, TrackedTask, enqueue, job_failed
from reviewapp.models import Review, Stage
from screening.decisions import draw, queues

if TYPE_CHECKING:
    from screening.ranking import stopping, store

from screening.models import (
    Assignment,
    Decision,
    DecisionValue,
    Outcome,
    RankedRecord,
    RankingState,
    Record,
    RecordStatus,
    ScreeningStop,
    StoppedRecord,
)

TA = Stage.TITLE_ABSTRACT
RELEVANCE = "relevance"
RELEVANT_VALUES = (DecisionValue.INCLUDE, DecisionValue.MAYBE)
# A queued training that never ran (worker down) is queued again after this long.
STALE_QUEUED = timedelta(minutes=10)
_BATCH = 5000


def retrain_every() -> int:
    """The most decisions between two retrains (``RANKING_RETRAIN_EVERY``)."""
    return max(1, int(getattr(django_settings, "RANKING_RETRAIN_EVERY", 10)))


def retrain_interval(decided: int, every: int | None = None) -> int:
    """Decisions between retrains for a reviewer who has made ``decided``: 1 below 200, then
    1 % of them, capped at ``every`` (default :func:`retrain_every`)."""
    every = retrain_every() if every is None else max(1, every)
    return max(1, min(every, decided // 100))


# --------------------------------------------------------------------------------------------
# The queue order


def _relevance_order(review: Review, reviewer: Any, qs: QuerySet) -> QuerySet:
    """Ranked records first by rank (a join on an index), unranked ones after in random order."""
    maybe_retrain(review, reviewer)
    reviewer_id = getattr(reviewer, "pk", reviewer)
    return qs.annotate(
        my_rank=FilteredRelation(
            "ranks", condition=Q(ranks__reviewer_id=reviewer_id, ranks__review_id=review.pk)
        )
    ).order_by(F("my_rank__rank").asc(nulls_last=True), "queue_key")


queues.register_ordering(
    RELEVANCE, _relevance_order, gettext_lazy("Relevance (learns from my decisions)")
)


def is_ranked(review: Review, reviewer: Any) -> bool:
    return queues.ordering_for(review, reviewer) == RELEVANCE


def state_for(review: Review, reviewer: Any) -> RankingState:
    reviewer_id = getattr(reviewer, "pk", reviewer)
    state, _ = RankingState.objects.get_or_create(review=review, reviewer_id=reviewer_id)
    return state


@transaction.atomic
def set_relevance(review: Review, reviewer: Any, *, enabled: bool, by: Any) -> None:
    """A lead switches a reviewer's queue between random and relevance order (audited)."""
    reviewer_id = getattr(reviewer, "pk", reviewer)
    before = queues.ordering_for(review, reviewer_id)
    after = RELEVANCE if enabled else "random"
    if before == after:
        return
    queues.set_ordering(review, reviewer_id, after)
    state = state_for(review, reviewer_id)
    record_event(
        review,
        by,
        "ranking.enabled" if enabled else "ranking.disabled",
        state,
        before={"ordering": before},
        after={"ordering": after, "reviewer": reviewer_id},
    )
    if enabled:
        request_training(review, reviewer_id, force=True)


def decisions_since_training(review: Review, reviewer: Any, state: RankingState) -> int:
    _, decided = queues.queue_counts(review, reviewer, TA)
    return max(0, decided - state.decisions_at_training)


def maybe_retrain(review: Review, reviewer: Any) -> bool:
    """Enqueue a retrain when :func:`retrain_interval` decisions were made since the last one;
    cheap (two indexed rows), never waits."""
    reviewer_id = getattr(reviewer, "pk", reviewer)
    state = RankingState.objects.filter(review=review, reviewer_id=reviewer_id).first()
    if state is None:
        return request_training(review, reviewer_id, force=True)
    if state.status == RankingState.Status.NEVER:
        return request_training(review, reviewer_id, state=state)
    _, decided = queues.queue_counts(review, reviewer_id, TA)
    due = decided - state.decisions_at_training >= retrain_interval(decided)
    return due and request_training(review, reviewer_id, state=state)


def request_training(
    review: Review, reviewer_id: int, *, force: bool = False, state: RankingState | None = None
) -> bool:
    """Mark the state queued and enqueue the task once (a queued request is not repeated)."""
    state = state or state_for(review, reviewer_id)
    now = timezone.now()
    if (
        not force
        and state.status == RankingState.Status.QUEUED
        and state.queued_at
        and now - state.queued_at < STALE_QUEUED
    ):
        return False
    updated = RankingState.objects.filter(pk=state.pk).update(
        status=RankingState.Status.QUEUED, queued_at=now
    )
    if updated:
        enqueue(retrain_ranking, review.pk, reviewer_id, review=review, background=True)
    return bool(updated)


# --------------------------------------------------------------------------------------------
# Training


def _text(title: str, abstract: str, keywords: Any) -> str:
    from screening.ranking import model as ranking

    return ranking.record_text(title, abstract, keywords if isinstance(keywords, list) else ())


def training_data(review: Review, reviewer_id: int) -> tuple[dict[int, bool], list[int]]:
    """(record id -> relevant) the reviewer may learn from, and the ids still in their queue.

    Labels: my own decisions (Include/Maybe relevant, Exclude irrelevant), then resolved records
    I did not decide. Nothing else: other reviewers' pending decisions stay invisible.
    """
    labels = {
        rid: value in RELEVANT_VALUES
        for rid, value in Decision.objects.filter(
            review=review, reviewer_id=reviewer_id, stage=TA
        ).values_list("record_id", "value")
    }
    for rid, outcome in RecordStatus.objects.filter(
        review=review, stage=TA, outcome__in=(Outcome.INCLUDED, Outcome.EXCLUDED)
    ).values_list("record_id", "outcome"):
        labels.setdefault(rid, outcome == Outcome.INCLUDED)
    stopped = StoppedRecord.objects.filter(stop__review=review).values("record_id")
    queue = list(
        Assignment.objects.filter(
            review=review, reviewer_id=reviewer_id, stage=TA, open=True, record__is_canonical=True
        )
        .exclude(record_id__in=stopped)
        .values_list("record_id", flat=True)
    )
    return labels, [rid for rid in queue if rid not in labels]


def current_run(review: Review, reviewer_id: int) -> int:
    """The reviewer's current streak of irrelevant (Exclude) decisions, newest first."""
    run = 0
    values = (
        Decision.objects.filter(review=review, reviewer_id=reviewer_id, stage=TA)
        .order_by("-created_at", "-pk")
        .values_list("value", flat=True)
    )
    for value in values.iterator(chunk_size=500):
        if value in RELEVANT_VALUES:
            break
        run += 1
    return run


def _text_digest() -> MD5:
    """A digest of what a record's ranking text is made of, computed by the database."""
    text = TextField()
    sep = Value("\x1f", output_field=text)
    parts = (Cast("title", text), sep, Cast("abstract", text), sep, Cast("keywords", text))
    return MD5(Concat(*parts, output_field=text))


def feature_directory(review_id: int) -> Path:
    """Where the review's ranking features live (one copy, shared by every reviewer and worker)."""
    return Path(django_settings.RANKING_FEATURES_DIR) / f"review-{review_id}"


def review_features(review: Review) -> tuple[store.DiskFeatures, int]:
    """The review's features for its current records, built on first use after the record set
    changed (only new or edited records are read and featurised; the database digests each
    record's text, so an unchanged set reads no text at all). Returns them and how many records
    were featurised."""
    from screening.ranking import store

    digests = dict(
        Record.objects.filter(review=review)
        .annotate(digest=_text_digest())
        .values_list("pk", "digest")
    )

    def read_texts(ids: list[int]) -> Iterable[tuple[int, str]]:
        texts = Record.objects.filter(review=review, pk__in=ids)
        for pk, title, abstract, keywords in texts.values_list(
            "pk", "title", "abstract", "keywords"
        ):
            yield pk, _text(title, abstract, keywords)

    featurise = store.text_featuriser(read_texts)
    return store.open_features(feature_directory(review.pk), digests, featurise)


def retrain(review_id: int, reviewer_id: int) -> RankingState | None:
    """Train the reviewer's model and store their queue's order. Idempotent."""
    import numpy as np  # the engine's imports (numpy, scikit-learn) stay out of web startup

    from screening.ranking import model as ranking

    review = Review.objects.filter(pk=review_id).first()
    if review is None:
        return None
    queues.ensure_assignments(review, TA, wait=True)
    state = state_for(review, reviewer_id)
    _, decided = queues.queue_counts(review, reviewer_id, TA)
    labels, queue = training_data(review, reviewer_id)
    features, _ = review_features(review)
    # A record imported after the features were read waits for the next retrain.
    held = set(features.ids)
    labels = {rid: rel for rid, rel in labels.items() if rid in held}
    queue = [rid for rid in queue if rid in held]
    labelled_ids = list(labels)
    y = np.fromiter((labels[i] for i in labelled_ids), dtype=np.int8, count=len(labelled_ids))
    seed = draw.reviewer_seed(review.pk, reviewer_id)
    if queue and y.size and y.min() != y.max():
        # A long streak of excludes switches the model to its explore features (see ranking).
        run = current_run(review, reviewer_id)
        result = ranking.rank_ids(labelled_ids, y, queue, features, seed=seed, run=run)
    else:
        result = None  # nothing to learn from yet: the random order stands
    with transaction.atomic():
        RankedRecord.objects.filter(review=review, reviewer_id=reviewer_id).delete()
        if result is not None:
            _write_ranks(review, reviewer_id, result.order, result.scores)
        state.status = RankingState.Status.READY
        state.model = result.model if result else "random"
        state.trained_at = timezone.now()
        state.trained_on = result.trained_on if result else 0
        state.relevant_seen = int(y.sum())
        state.decisions_at_training = decided
        state.ranked = len(result.order) if result else 0
        state.seconds = result.seconds if result else 0.0
        state.error = ""
        state.save()
    return state


def _write_ranks(review: Review, reviewer_id: int, order: list[int], scores: dict) -> None:
    """Store the reviewer's order, one row per queued record (inside the caller's transaction).

    On PostgreSQL through COPY: a retrain after every early decision rewrites the whole order,
    and for a large queue COPY is several times cheaper than INSERTs."""
    rows = ((review.pk, reviewer_id, rid, n, scores[rid]) for n, rid in enumerate(order, start=1))
    if connection.vendor == "postgresql":
        meta = RankedRecord._meta
        names = ("review", "reviewer", "record", "rank", "score")
        columns = ", ".join(meta.get_field(name).column for name in names)
        sql = f"COPY {meta.db_table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    while batch := list(islice(rows, _BATCH)):
        RankedRecord.objects.bulk_create(
            [
                RankedRecord(review_id=a, reviewer_id=b, record_id=c, rank=n, score=x)
                for a, b, c, n, x in batch
            ]
        )


@shared_task(base=TrackedTask)
def retrain_ranking(review_id: int, reviewer_id: int) -> int:
    """Background retraining of one reviewer's relevance order (ids in, idempotent)."""
    try:
        state = retrain(review_id, reviewer_id)
    except CONNECTION_LOST:
        raise  # the database went away: the task is retried (reviewapp.jobs.TrackedTask)
    except Exception as exc:
        RankingState.objects.filter(review_id=review_id, reviewer_id=reviewer_id).update(
            status=RankingState.Status.FAILED, error=str(exc)[:2000]
        )
        raise
    return state.ranked if state else 0


@receiver(job_failed, dispatch_uid="ranking.retrain_given_up")
def _retrain_given_up(sender: str, job: Any, **kwargs: Any) -> None:
    if sender == retrain_ranking.name:
        review_id, reviewer_id = job.args
        RankingState.objects.filter(review_id=review_id, reviewer_id=reviewer_id).update(
            status=RankingState.Status.FAILED, error=job.error
        )


# --------------------------------------------------------------------------------------------
# Stopping


def estimate_for(
    review: Review, reviewer: Any, *, resolved_only: bool = False
) -> stopping.StoppingEstimate:
    """The stopping estimate from one reviewer's own decisions, in the order made.

    `resolved_only` (what a lead sees): only decisions on records the team has resolved count
    as screened, so the estimate never moves with a pending decision (blinding); records the
    reviewer decided but the team has not resolved count as still unscreened.
    """
    from screening.ranking import stopping

    reviewer_id = getattr(reviewer, "pk", reviewer)
    mine = Decision.objects.filter(review=review, reviewer_id=reviewer_id, stage=TA)
    decided = None
    if resolved_only:
        decided = mine.count()
        mine = mine.filter(
            record_id__in=RecordStatus.objects.filter(
                review=review, stage=TA, outcome__in=(Outcome.INCLUDED, Outcome.EXCLUDED)
            ).values("record_id")
        )
    decisions = [
        value in RELEVANT_VALUES
        for value in mine.order_by("created_at", "pk").values_list("value", flat=True)
    ]
    remaining, _ = queues.queue_counts(review, reviewer_id, TA)
    return stopping.stopping_estimate(
        decisions, (len(decisions) if decided is None else decided) + remaining
    )


def stoppable(review: Review) -> QuerySet:
    """Records nobody has screened yet at title/abstract (what a stop would set aside)."""
    return RecordStatus.objects.filter(
        review=review,
        stage=TA,
        outcome=Outcome.PENDING,
        decisions_count=0,
        record__is_canonical=True,
    ).exclude(record_id__in=StoppedRecord.objects.filter(stop__review=review).values("record_id"))


@transaction.atomic
def stop_screening(
    review: Review, *, by: Any, reason: str, report_as: str, estimate: dict | None = None
) -> ScreeningStop:
    """Stop screening the records nobody has screened: they leave every queue, and PRISMA
    reports them as the lead chose. The model excludes nothing by itself."""
    if report_as not in ScreeningStop.ReportAs.values:
        raise ValueError(f"Unknown report_as {report_as!r}")
    ids = list(stoppable(review).values_list("record_id", flat=True))
    stop = ScreeningStop.objects.create(
        review=review,
        by=by,
        reason=reason.strip(),
        report_as=report_as,
        records_count=len(ids),
        estimate=estimate or {},
    )
    it = iter(ids)
    while chunk := list(islice(it, _BATCH)):
        StoppedRecord.objects.bulk_create([StoppedRecord(stop=stop, record_id=r) for r in chunk])
        Assignment.objects.filter(review=review, stage=TA, record_id__in=chunk).update(open=False)
    RankedRecord.objects.filter(review=review, record_id__in=ids).delete()
    queues.reset_counts(review, TA)
    record_event(
        review,
        by,
        "screening.stopped",
        stop,
        after={
            "records": len(ids),
            "report_as": report_as,
            "reason": stop.reason,
            "estimate": stop.estimate,
        },
    )
    return stop
