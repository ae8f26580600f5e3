"""Who screens which record, and in what order.

Assignments are stored, one row per (record, stage, reviewer), with the reviewer's own random
sort key and an ``open`` flag, so "my next record" is a single probe of a partial index however
large the review is. They are built lazily: every queue read first makes sure the rows match the
current team, required decisions and split setting, and covers records imported since (record
ids only grow, so "anything new?" is one index lookup).

A record leaves a reviewer's queue when *they* decide, or when the record resolves. Nothing
another reviewer does to a pending record changes my rows, so neither my queue, nor its length,
nor its order reveals their decision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

from celery import shared_task
from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.dispatch import receiver
from django.utils.translation import gettext_lazy

from reviewapp import jobs
from reviewapp.compiled import Compiled, CompiledUpdate
from reviewapp.models import AuditEvent, Job, Membership, Review, Stage
from screening.decisions.draw import assignees, reviewer_seed, sort_key
from screening.dedup.signals import dedup_finished
from screening.models import (
    Assignment,
    Decision,
    Outcome,
    QueueCount,
    Record,
    RecordStatus,
    ReviewerQueue,
    ScreeningSettings,
)

Ordering = Callable[[Review, Any, QuerySet], QuerySet]
# A request builds the assignments of at most this many new records itself; more (a large
# import, before its de-duplication finished) are built by a background job.
REQUEST_BUILD_LIMIT = 5000


class _OrderingRegistry(dict):
    """name -> fn(review, reviewer, queryset) -> ordered queryset, plus a label for people."""

    labels: dict[str, str]

    def __init__(self) -> None:
        super().__init__()
        self.labels = {}

    def __delitem__(self, name: str) -> None:
        super().__delitem__(name)
        self.labels.pop(name, None)  # an order taken away is offered no more


ORDERINGS: _OrderingRegistry = _OrderingRegistry()


def register_ordering(name: str, fn: Ordering, label: str | None = None) -> None:
    """Plug in a queue order (e.g. relevance); a lead chooses it per reviewer."""
    ORDERINGS[name] = fn
    ORDERINGS.labels[name] = label or name.replace("_", " ").capitalize()  # label: lazy text


def _random_order(review: Review, reviewer: Any, qs: QuerySet) -> QuerySet:
    # sort_key alone: a tie-breaker on the record would stop PostgreSQL walking the index.
    return qs.order_by("queue_key")


register_ordering("random", _random_order, gettext_lazy("Random (seeded per reviewer)"))

_BATCH = 10000


def settings_for(review: Review) -> ScreeningSettings:
    settings, _ = ScreeningSettings.objects.get_or_create(review=review)
    return settings


def participant_ids(review: Review, settings: ScreeningSettings | None = None) -> list[int]:
    """Active reviewers taking part (the lead's choice, or every reviewer), by user id."""
    settings = settings or settings_for(review)
    reviewers = Membership.objects.filter(review=review, active=True, is_reviewer=True)
    ids = sorted(reviewers.values_list("user_id", flat=True))
    if settings.participant_ids is not None:
        chosen = set(settings.participant_ids)
        ids = [i for i in ids if i in chosen]
    return ids


def _key(participants: Sequence[int], review: Review, settings: ScreeningSettings) -> str:
    split = settings.split_pool and len(participants) > review.required_decisions
    return f"{','.join(map(str, participants))}|{review.required_decisions}|{int(split)}"


def _marks(review: Review, reviewer: Any = None, stage: str = "") -> dict[str, Any]:
    """What ensure_assignments compares, fetched with the settings in one query: the newest
    record, the latest de-duplication change (de-duplication writes an audit row "dedup.*" with
    every merge, split or run), a fingerprint of the team; and the reviewer's queue order and
    stored queue counts."""
    newest = Record.objects.filter(review=review).order_by("-pk").values("pk")[:1]
    dedup = (
        AuditEvent.objects.filter(review=review, action__startswith="dedup.")
        .order_by("-pk")
        .values("pk")[:1]
    )
    team = Membership.objects.filter(review=review, active=True, is_reviewer=True).values("review")
    marks: dict[str, Any] = {
        "newest": Coalesce(Subquery(newest), Value(0)),
        "dedup_mark": Coalesce(Subquery(dedup), Value(0)),
        "team_n": Coalesce(Subquery(team.annotate(n=Count("pk")).values("n")), Value(0)),
        "team_sum": Coalesce(Subquery(team.annotate(n=Sum("user_id")).values("n")), Value(0)),
        "team_sq": Coalesce(
            Subquery(team.annotate(n=Sum(F("user_id") * F("user_id"))).values("n")), Value(0)
        ),
    }
    if reviewer is not None:
        marks["my_ordering"] = Subquery(
            ReviewerQueue.objects.filter(review=review, reviewer=reviewer).values("ordering")[:1]
        )
        counts = QueueCount.objects.filter(review=review, reviewer=reviewer, stage=stage)
        marks["my_remaining"] = Subquery(counts.values("remaining")[:1])
        marks["my_decided"] = Subquery(counts.values("decided")[:1])
    return marks


# Run on every screening request: built and compiled once per process (reviewapp.compiled).
_settings_and_marks = Compiled(
    lambda review_id, reviewer_id, stage: ScreeningSettings.objects.filter(
        review_id=review_id
    ).annotate(**_marks(Review(pk=review_id), reviewer_id, stage))
)


def _settings_with_marks(review: Review, reviewer: Any, stage: str) -> ScreeningSettings | None:
    """The settings row with its marks, in one query run on every screening request."""
    reviewer_id = getattr(reviewer, "pk", reviewer) or 0
    settings = _settings_and_marks.first(review.pk, reviewer_id, stage)
    if settings is not None and reviewer is None:
        settings.my_ordering = settings.my_remaining = settings.my_decided = None
    return settings


def ensure_assignments(
    review: Review, stage: str = Stage.TITLE_ABSTRACT, *, reviewer: Any = None, wait: bool = False
) -> ScreeningSettings:
    """Make the stored assignments match the team, the records and their de-duplication.

    Cheap when they do: a single query. Returns the settings (with ``my_ordering`` for the
    reviewer, when given).

    A request never waits for them: while another process builds them (the worker, after a
    large import) it reads the queues as they are, and a large batch of new records is built
    by a background job rather than in the request. Background callers pass ``wait=True``.
    """
    settings = _settings_with_marks(review, reviewer, stage)
    if settings is None:
        settings_for(review)
        settings = _settings_with_marks(review, reviewer, stage)
    state = settings.synced.get(stage, {})
    # Everything the assignment depends on besides the records themselves.
    team = [
        int(settings.team_n),
        int(settings.team_sum),  # PostgreSQL sums bigints as numeric
        int(settings.team_sq),
        settings.participant_ids,
        settings.split_pool,
        review.required_decisions,
    ]
    fresh = state.get("team") == team and state.get("dedup", 0) == settings.dedup_mark
    if fresh and stage == Stage.TITLE_ABSTRACT and state.get("record_id", 0) >= settings.newest:
        return settings
    people = participant_ids(review, settings)
    key = _key(people, review, settings)
    fresh = fresh and state.get("key") == key
    if fresh and stage != Stage.TITLE_ABSTRACT and not _unassigned_included(review).exists():
        return settings
    if not wait and _too_big_for_a_request(review, stage, state, key, settings.newest):
        _build_later(review, stage)
        return settings
    with transaction.atomic():
        # One builder at a time per review. A background builder waits for the lock; a request
        # does not (it would hang for as long as the worker's transaction runs).
        mark = settings.dedup_mark
        locked = (
            ScreeningSettings.objects.select_for_update(skip_locked=not wait)
            .filter(pk=settings.pk)
            .first()
        )
        if locked is None:
            return settings
        state = locked.synced.get(stage, {})
        rebuild = state.get("key") != key
        since = 0 if rebuild else state.get("record_id", 0)
        newest_id = _build(review, stage, people, locked, rebuild=rebuild, since=since)
        if not rebuild and state.get("dedup", 0) != mark:
            reconcile_canonical(review, stage)
        reset_counts(review, stage)
        locked.synced = {
            **locked.synced,
            stage: {"key": key, "record_id": newest_id, "dedup": mark, "team": team},
        }
        locked.save(update_fields=["synced", "updated_at"])
        settings.synced = locked.synced
        settings.my_remaining = settings.my_decided = None  # the counts were just reset
    return settings


def _too_big_for_a_request(review: Review, stage: str, state: dict, key: str, newest: int) -> bool:
    if stage != Stage.TITLE_ABSTRACT:
        return False  # full text takes the few records included at title/abstract
    since = state.get("record_id", 0) if state.get("key") == key else 0
    if int(newest) - since <= REQUEST_BUILD_LIMIT:
        return False  # fewer ids than the limit since the last build: no need to count
    records = Record.objects.filter(review=review, pk__gt=since)
    return records[: REQUEST_BUILD_LIMIT + 1].count() > REQUEST_BUILD_LIMIT


def _build_later(review: Review, stage: str) -> None:
    key = jobs.job_key(build_assignments, [review.pk, stage])
    if not Job.objects.filter(
        key=key, status__in=(jobs.Status.QUEUED, jobs.Status.RUNNING)
    ).exists():
        jobs.enqueue(build_assignments, review.pk, stage, review=review)


@shared_task(base=jobs.TrackedTask)
def build_assignments(review_id: int, stage: str = Stage.TITLE_ABSTRACT) -> None:
    """Build the assignments of a large batch of new records, in the background."""
    review = Review.objects.filter(pk=review_id).first()
    if review is not None:
        ensure_assignments(review, stage, wait=True)


@receiver(dedup_finished, dispatch_uid="decisions.assign_after_dedup")
def _assign_after_dedup(sender, review: Review, **kwargs: Any) -> None:
    ensure_assignments(review, wait=True)


def reconcile_canonical(review: Review, stage: str = Stage.TITLE_ABSTRACT) -> None:
    """After de-duplication: duplicates leave the queues, records made canonical again return."""
    rows = Assignment.objects.filter(review=review, stage=stage)
    rows.filter(open=True, record__is_canonical=False).update(open=False)
    mine = Decision.objects.filter(
        record=OuterRef("record"), stage=stage, reviewer=OuterRef("reviewer")
    )
    pending = RecordStatus.objects.filter(
        record=OuterRef("record"), stage=stage, outcome=Outcome.PENDING
    )
    # A lead's stop set some records aside for good: they never come back into queues.
    from screening.models.ranking import StoppedRecord

    stopped = StoppedRecord.objects.filter(record=OuterRef("record"))
    rows.filter(open=False, record__is_canonical=True).filter(Exists(pending)).exclude(
        Exists(mine)
    ).exclude(Exists(stopped)).update(open=True)


def _unassigned_included(review: Review) -> QuerySet:
    return RecordStatus.objects.filter(
        review=review, stage=Stage.TITLE_ABSTRACT, outcome=Outcome.INCLUDED
    ).exclude(Exists(Assignment.objects.filter(record=OuterRef("record"), stage=Stage.FULL_TEXT)))


def _pool(review: Review, stage: str, since: int) -> QuerySet:
    """Record ids a stage screens. Title/abstract takes every record (canonical or not: the
    flag can change with de-duplication, so it is checked when the queue is read)."""
    if stage == Stage.TITLE_ABSTRACT:
        return Record.objects.filter(review=review, pk__gt=since).values_list("pk", flat=True)
    return RecordStatus.objects.filter(
        review=review, stage=Stage.TITLE_ABSTRACT, outcome=Outcome.INCLUDED
    ).values_list("record_id", flat=True)


def _build(
    review: Review,
    stage: str,
    people: list[int],
    settings: ScreeningSettings,
    *,
    rebuild: bool,
    since: int,
) -> int:
    rows = Assignment.objects.filter(review=review, stage=stage)
    if rebuild:
        # Rows someone already decided on stay (their decision stands); the rest are redrawn.
        mine = Decision.objects.filter(
            record=OuterRef("record"), stage=stage, reviewer=OuterRef("reviewer")
        )
        rows.exclude(Exists(mine)).delete()
    split = settings.split_pool
    required = review.required_decisions
    seeds = {p: reviewer_seed(review.pk, p) for p in people}
    ids = sorted(_pool(review, stage, since))
    newest = ids[-1] if ids else since
    it = iter(ids)
    while chunk := list(islice(it, _BATCH)):
        existing = set(rows.filter(record_id__in=chunk).values_list("record_id", "reviewer_id"))
        decided = set(
            Decision.objects.filter(record_id__in=chunk, stage=stage).values_list(
                "record_id", "reviewer_id"
            )
        )
        statuses = dict(
            RecordStatus.objects.filter(record_id__in=chunk, stage=stage).values_list(
                "record_id", "outcome"
            )
        )
        searches, canonical = {}, set()
        for pk, search_id, is_canonical in Record.objects.filter(pk__in=chunk).values_list(
            "pk", "search_id", "is_canonical"
        ):
            searches[pk] = search_id
            if is_canonical:
                canonical.add(pk)
        _insert_statuses(
            review, stage, [(r, searches[r]) for r in chunk if r in searches and r not in statuses]
        )
        _insert_assignments(
            review,
            stage,
            [
                (
                    r,
                    p,
                    sort_key(seeds[p], r),
                    r in canonical
                    and statuses.get(r, Outcome.PENDING) == Outcome.PENDING
                    and (r, p) not in decided,
                )
                for r in chunk
                for p in assignees(r, people, required, split)
                if (r, p) not in existing
            ],
        )
    return newest if stage == Stage.TITLE_ABSTRACT else 0


def _insert_statuses(review: Review, stage: str, records: list[tuple[int, int]]) -> None:
    """Pending statuses for (record id, its search id) pairs; existing ones are left alone."""
    if not records:
        return
    if connection.vendor == "postgresql":
        # One statement per batch, no model instances: a 100k-record import syncs in seconds.
        ids, searches = (list(column) for column in zip(*records, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {RecordStatus._meta.db_table} (review_id, record_id, search_id, "
                "stage, outcome, resolution, decisions_count, updated_at) "
                "SELECT %s, r, s, %s, %s, '', 0, now() "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS t(r, s) ON CONFLICT DO NOTHING",
                [review.pk, stage, Outcome.PENDING, ids, searches],
            )
        return
    RecordStatus.objects.bulk_create(
        [RecordStatus(review=review, record_id=r, search_id=s, stage=stage) for r, s in records],
        batch_size=_BATCH,
        ignore_conflicts=True,
    )


def _insert_assignments(review: Review, stage: str, rows: list[tuple[int, int, int, bool]]) -> None:
    """Rows of (record id, reviewer id, sort key, open); existing ones are left alone."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        records, reviewers, keys, flags = (list(column) for column in zip(*rows, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Assignment._meta.db_table} "
                "(review_id, record_id, stage, reviewer_id, sort_key, open) "
                "SELECT %s, r, %s, u, k, o FROM unnest(%s::bigint[], %s::bigint[], "
                "%s::bigint[], %s::boolean[]) AS t(r, u, k, o) ON CONFLICT DO NOTHING",
                [review.pk, stage, records, reviewers, keys, flags],
            )
        return
    Assignment.objects.bulk_create(
        [
            Assignment(review=review, record_id=r, stage=stage, reviewer_id=u, sort_key=k, open=o)
            for r, u, k, o in rows
        ],
        batch_size=_BATCH,
        ignore_conflicts=True,
    )


def assign_record(record: Record, stage: str) -> None:
    """Give one record its assignments now (used when a record enters full-text screening)."""
    review = record.review
    settings = settings_for(review)
    people = participant_ids(review, settings)
    seeds = {p: reviewer_seed(review.pk, p) for p in people}
    RecordStatus.objects.get_or_create(
        record=record, stage=stage, defaults={"review": review, "search_id": record.search_id}
    )
    Assignment.objects.bulk_create(
        [
            Assignment(
                review=review,
                record=record,
                stage=stage,
                reviewer_id=p,
                sort_key=sort_key(seeds[p], record.pk),
            )
            for p in assignees(record.pk, people, review.required_decisions, settings.split_pool)
        ],
        ignore_conflicts=True,
    )
    reset_counts(review, stage)


# Read with every decision: compiled once per process (reviewapp.compiled).
_assignees_of = Compiled(
    lambda record_id, stage: Assignment.objects.filter(
        record_id=record_id, stage=stage
    ).values_list("pk", "reviewer_id", "open")
)


# A decision usually closes one row (the decider's): compiled once per process for that.
_set_one_open = {
    flag: CompiledUpdate(lambda pk, flag=flag: (Assignment.objects.filter(pk=pk), {"open": flag}))
    for flag in (True, False)
}


def _set_open(pks: list[int], flag: bool) -> None:
    if len(pks) == 1:
        _set_one_open[flag].run(pks[0])
    elif pks:
        Assignment.objects.filter(pk__in=pks).update(open=flag)


def sync_open_flags(
    record: Record,
    stage: str,
    *,
    pending: bool,
    decided: Iterable[int],
    newly_decided: int | None = None,
) -> None:
    """A record's rows wait for exactly the assignees who have not decided, while it is pending
    and canonical; the queue counts of whoever gained or lost the record follow (and the
    decided count of `newly_decided`, in the same update)."""
    decided = set(decided)
    waiting = pending and record.is_canonical
    opened, closed = [], []
    for pk, reviewer_id, is_open in _assignees_of.rows(record.pk, stage):
        want = waiting and reviewer_id not in decided
        if want and not is_open:
            opened.append((pk, reviewer_id))
        elif is_open and not want:
            closed.append((pk, reviewer_id))
    _set_open([pk for pk, _ in opened], True)
    _set_open([pk for pk, _ in closed], False)
    deltas: dict[int, list[int]] = {}  # reviewer id -> [remaining, decided]
    for pk_reviewers, delta in ((opened, 1), (closed, -1)):
        for _, reviewer_id in pk_reviewers:
            deltas.setdefault(reviewer_id, [0, 0])[0] += delta
    if newly_decided is not None:
        deltas.setdefault(newly_decided, [0, 0])[1] += 1
    for reviewer_id, (remaining, decided_delta) in deltas.items():
        adjust_counts(
            record.review_id, reviewer_id, stage, remaining=remaining, decided=decided_delta
        )


def adjust_counts(
    review_id: int, reviewer_id: int, stage: str, *, remaining: int = 0, decided: int = 0
) -> None:
    """Move a reviewer's stored counts (a missing row is simply counted afresh when read)."""
    _move_counts.run(review_id, reviewer_id, stage, remaining, decided)


# Run with every decision: compiled once per process (reviewapp.compiled).
_move_counts = CompiledUpdate(
    lambda review_id, reviewer_id, stage, remaining, decided: (
        QueueCount.objects.filter(review_id=review_id, reviewer_id=reviewer_id, stage=stage),
        {"remaining": F("remaining") + remaining, "decided": F("decided") + decided},
    )
)


def reset_counts(review: Review, stage: str) -> None:
    QueueCount.objects.filter(review=review, stage=stage).delete()


def queue_counts(
    review: Review, reviewer: Any, stage: str = Stage.TITLE_ABSTRACT
) -> tuple[int, int]:
    """(records waiting for me, my decisions): one indexed row, counted only when missing."""
    reviewer_id = getattr(reviewer, "pk", reviewer)
    row = (
        QueueCount.objects.filter(review=review, reviewer_id=reviewer_id, stage=stage)
        .values_list("remaining", "decided")
        .first()
    )
    if row is not None:
        return row
    remaining = _open_rows(review, reviewer_id, stage).count()
    decided = Decision.objects.filter(reviewer_id=reviewer_id, review=review, stage=stage).count()
    QueueCount.objects.bulk_create(
        [
            QueueCount(
                review=review,
                reviewer_id=reviewer_id,
                stage=stage,
                remaining=remaining,
                decided=decided,
            )
        ],
        ignore_conflicts=True,
    )
    return remaining, decided


def _open_rows(review: Review, reviewer_id: Any, stage: str) -> QuerySet[Assignment]:
    return Assignment.objects.filter(reviewer_id=reviewer_id, review=review, stage=stage, open=True)


def queue_size_subquery(review: Review, stage: str = Stage.TITLE_ABSTRACT) -> Expression:
    """queue_size as an expression over a Membership row of the review (the nav badge, counted
    with the others): the stored count, else the open rows counted as queue_counts counts them
    (without storing the figure: the queue's own pages do). The caller brings the assignments
    up to date first (ensure_assignments), as queue_size does."""
    from reviewapp.registry import count_of

    me = OuterRef("user_id")
    stored = QueueCount.objects.filter(review=review, reviewer_id=me, stage=stage)
    return Coalesce(
        Subquery(stored.order_by("pk").values("remaining")[:1], output_field=IntegerField()),
        count_of(_open_rows(review, me, stage)),
    )


def queue_sizes(
    review: Review, reviewer_ids: Sequence[int], stage: str = Stage.TITLE_ABSTRACT
) -> dict[int, int]:
    """queue_size for many reviewers at once, by user id, in a fixed number of queries: the
    stored counts, and for reviewers without one, their open rows counted in one grouped query
    (and stored, as queue_counts does)."""
    ensure_assignments(review, stage)
    sizes = dict(
        QueueCount.objects.filter(
            review=review, stage=stage, reviewer_id__in=reviewer_ids
        ).values_list("reviewer_id", "remaining")
    )
    missing = [r for r in reviewer_ids if r not in sizes]
    if not missing:
        return sizes

    def per_reviewer(qs: QuerySet) -> dict[int, int]:
        grouped = qs.filter(review=review, stage=stage, reviewer_id__in=missing).order_by()
        return dict(
            grouped.values("reviewer_id").annotate(n=Count("pk")).values_list("reviewer_id", "n")
        )

    remaining = per_reviewer(Assignment.objects.filter(open=True))
    decided = per_reviewer(Decision.objects.all())
    QueueCount.objects.bulk_create(
        [
            QueueCount(
                review=review,
                reviewer_id=r,
                stage=stage,
                remaining=remaining.get(r, 0),
                decided=decided.get(r, 0),
            )
            for r in missing
        ],
        ignore_conflicts=True,
    )
    sizes.update({r: remaining.get(r, 0) for r in missing})
    return sizes


def is_assigned(record: Record, reviewer: Any, stage: str) -> bool:
    return Assignment.objects.filter(record=record, stage=stage, reviewer=reviewer).exists()


def ordering_for(review: Review, reviewer: Any) -> str:
    name = (
        ReviewerQueue.objects.filter(review=review, reviewer=reviewer)
        .values_list("ordering", flat=True)
        .first()
    )
    return name if name in ORDERINGS else "random"


def set_ordering(review: Review, reviewer: Any, name: str) -> None:
    if name not in ORDERINGS:
        raise ValueError(f"Unknown queue order {name!r}")
    reviewer_id = getattr(reviewer, "pk", reviewer)
    ReviewerQueue.objects.update_or_create(
        review=review, reviewer_id=reviewer_id, defaults={"ordering": name}
    )


def _open_records(review: Review, reviewer: Any, stage: str) -> QuerySet:
    return Record.objects.filter(
        review=review,
        is_canonical=True,
        # Every column of the partial index, so PostgreSQL walks it in sort_key order.
        assignments__review=review,
        assignments__reviewer=reviewer,
        assignments__stage=stage,
        assignments__open=True,
    ).annotate(queue_key=F("assignments__sort_key"))


def queue_for(review: Review, reviewer: Any, stage: str = Stage.TITLE_ABSTRACT) -> QuerySet:
    """Canonical, unresolved records assigned to me that I have not decided, in my order."""
    settings = ensure_assignments(review, stage, reviewer=reviewer)
    return _in_my_order(review, reviewer, stage, settings)


def _in_my_order(
    review: Review, reviewer: Any, stage: str, settings: ScreeningSettings
) -> QuerySet:
    name = settings.my_ordering if settings.my_ordering in ORDERINGS else "random"
    return ORDERINGS[name](review, reviewer, _open_records(review, reviewer, stage))


def queue_and_counts(
    review: Review, reviewer: Any, stage: str = Stage.TITLE_ABSTRACT
) -> tuple[QuerySet, tuple[int, int]]:
    """My queue (as queue_for) and its counts (as queue_counts), from one query when the
    stored counts are there."""
    settings = ensure_assignments(review, stage, reviewer=reviewer)
    queue = _in_my_order(review, reviewer, stage, settings)
    return queue, _counts(review, reviewer, stage, settings)


def _counts(
    review: Review, reviewer: Any, stage: str, settings: ScreeningSettings
) -> tuple[int, int]:
    if settings.my_remaining is None or settings.my_decided is None:
        return queue_counts(review, reviewer, stage)
    return settings.my_remaining, settings.my_decided


# My queue's head in the default order, read on every screening request: compiled once per
# process and window (reviewapp.compiled). Other orders (relevance) build their query each time.
_random_window = Compiled(
    lambda review_id, reviewer_id, stage, *, start, stop: _random_order(
        None, None, _open_records(Review(pk=review_id), reviewer_id, stage)
    ).select_related("search")[start:stop]
)


def queue_window(
    review: Review, reviewer: Any, stage: str, start: int, stop: int
) -> tuple[list[Record], tuple[int, int]]:
    """My queue's records from position `start` to `stop` (with their search), and its counts:
    queue_and_counts, sliced, without building the queue's query in the default order."""
    settings = ensure_assignments(review, stage, reviewer=reviewer)
    counts = _counts(review, reviewer, stage, settings)
    name = settings.my_ordering if settings.my_ordering in ORDERINGS else "random"
    if ORDERINGS[name] is _random_order:
        reviewer_id = getattr(reviewer, "pk", reviewer)
        window = _random_window.objects(review.pk, reviewer_id, stage, start=start, stop=stop)
        return window, counts
    queue = _in_my_order(review, reviewer, stage, settings)
    return list(queue.select_related("search")[start:stop]), counts


def queue_size(
    review: Review, reviewer: Any, stage: str = Stage.TITLE_ABSTRACT, *, ensure: bool = True
) -> int:
    """How many records wait for me (my own count: nobody else's progress changes it)."""
    if ensure:
        ensure_assignments(review, stage)
    return queue_counts(review, reviewer, stage)[0]


def assigned_count(review: Review, reviewer: Any, stage: str = Stage.TITLE_ABSTRACT) -> int:
    return Assignment.objects.filter(
        reviewer=reviewer, review=review, stage=stage, record__is_canonical=True
    ).count()
