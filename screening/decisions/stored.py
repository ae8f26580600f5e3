"""Agreement computed in the background and kept, for reviews too large to count it in a
request (issue 21: 100,000 to 500,000 records, 50 reviewers).

    shown = stored.agreement_shown(review, is_lead, stage)   # what the progress page shows
    shown.summary, shown.people, shown.as_of, shown.stale, shown.job

- A review with at most AGREEMENT_INLINE_MAX_DECISIONS decisions at the stage (a bounded
  count) is counted in the request, as before: `as_of` is None, nothing is kept.
- A larger one shows the StoredAgreement of its stage and of what the viewer may see (leads:
  every record whose decisions are all in; reviewers: resolved records only, the blinding of
  decisions.agreement_for), computed by `compute_agreement` with the DecisionStamp it read.
- The stamp is bumped by database triggers at the commit of every transaction that changed
  a decision, an outcome or which records are canonical (migration 0014). The task reads the
  stamp before the decisions: a change committed before that read is in what it counts, and
  one committed after bumps the stamp past the one kept. So a kept result whose stamp equals
  the review's is fresh; any other is stale (at worst recomputed once more than needed).
- A stale (or missing) result asks for one job per review, stage and scope: the row is locked
  while a job is looked for, so a double view, or two viewers at once, start one job, and a
  job lost with its web process (no broker) is run again (jobs.revive).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from reviewapp import jobs
from reviewapp.models import Job, Review, Stage, User
from screening.decisions import agreement
from screening.decisions import service as decisions
from screening.models import Decision, DecisionStamp, StoredAgreement

Scope = StoredAgreement.Scope


@dataclass
class Shown:
    """What the progress page shows of agreement."""

    summary: agreement.AgreementSummary | None  # None: not computed yet
    people: dict[int, Any]
    as_of: dt.datetime | None = None  # None: counted in this request
    stale: bool = False  # decisions changed since as_of: a job recomputes it
    job: Job | None = None  # the job recomputing it


def scope_of(is_lead: bool) -> str:
    return Scope.LEAD if is_lead else Scope.REVIEWER


def stamp(review: Review | int) -> int:
    """The review's DecisionStamp (0 before any change)."""
    review_id = getattr(review, "pk", review)
    return (
        DecisionStamp.objects.filter(review_id=review_id).values_list("n", flat=True).first() or 0
    )


def inline(review: Review, stage: str) -> bool:
    """Few enough decisions to count agreement in the request (a bounded count)."""
    limit = settings.AGREEMENT_INLINE_MAX_DECISIONS
    return Decision.objects.filter(review=review, stage=stage)[: limit + 1].count() <= limit


@shared_task(base=jobs.TrackedTask, name="screening.compute_agreement")
def compute_agreement(review_id: int, stage: str, scope: str) -> dict:
    """Count the agreement of a review's stage for a scope and keep it with its stamp."""
    review = Review.objects.filter(pk=review_id).first()
    if review is None:
        return {}  # the review was deleted
    read = stamp(review_id)  # before the decisions: see the module's docstring
    summary, _people = decisions.agreement_for(review, scope == Scope.LEAD, stage)
    row, _created = StoredAgreement.objects.get_or_create(
        review_id=review_id, stage=stage, scope=scope
    )
    # A slower run that read an older stamp never overwrites a newer result.
    StoredAgreement.objects.filter(pk=row.pk).filter(
        Q(stamp__isnull=True) | Q(stamp__lte=read)
    ).update(stamp=read, computed_at=timezone.now(), summary=agreement.as_data(summary))
    return {"stamp": read, "items": summary.items, "pairs": len(summary.pairs)}


def recompute(review: Review, stage: str, scope: str) -> Job:
    """The job computing this agreement: the one queued or running, or a new one (sent once
    this transaction commits; without a broker, on the web process's background thread)."""
    with transaction.atomic():
        row, _created = StoredAgreement.objects.select_for_update().get_or_create(
            review=review, stage=stage, scope=scope
        )
        job = Job.objects.filter(pk=row.job_id).first() if row.job_id else None
        if job is not None and job.is_open:
            jobs.revive(job)
            return job
        row.job = jobs.enqueue(
            compute_agreement, review.pk, stage, scope, review=review, background=True
        )
        row.save(update_fields=["job"])
        return row.job


def agreement_shown(review: Review, is_lead: bool, stage: str = Stage.TITLE_ABSTRACT) -> Shown:
    """Agreement as the viewer may see it: counted now (a small review), or the kept result,
    asking for a recompute when it is stale."""
    if inline(review, stage):
        summary, people = decisions.agreement_for(review, is_lead, stage)
        return Shown(summary, people)
    scope = scope_of(is_lead)
    row = StoredAgreement.objects.filter(review=review, stage=stage, scope=scope).first()
    computed = row is not None and row.stamp is not None
    if computed and row.stamp == stamp(review):
        summary = agreement.from_data(row.summary)
        return Shown(summary, _people(summary), as_of=row.computed_at)
    job = recompute(review, stage, scope)
    if not computed:
        return Shown(None, {}, stale=True, job=job)
    summary = agreement.from_data(row.summary)
    return Shown(summary, _people(summary), as_of=row.computed_at, stale=True, job=job)


def _people(summary: agreement.AgreementSummary) -> dict[int, Any]:
    ids = {p.rater_a for p in summary.pairs} | {p.rater_b for p in summary.pairs}
    return {u.pk: u for u in User.objects.filter(pk__in=ids)}
