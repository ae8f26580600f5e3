"""What waits for whom in a review: the figures of the overview page, the home page's line per
review, the nav badges and `manage.py review_status`, all from one place.

Each stage registers the work it owns (reviewapp.registry.WaitingWork) and counts it; this
module only asks and arranges, so the core imports no stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from .models import Membership, Review
from .registry import WaitingWork, registry, visible


@dataclass(frozen=True)
class Waiting:
    """n items of one kind of work, waiting for one member (or for the review's leads)."""

    work: WaitingWork
    count: int
    url: str

    @property
    def key(self) -> str:
        return self.work.key

    @property
    def text(self) -> str:
        return self.work.describe(self.count)


@dataclass(frozen=True)
class MemberWaiting:
    membership: Membership
    items: list[Waiting]  # every kind of member work, in registry order, zeros included

    @property
    def pending(self) -> list[Waiting]:
        return [item for item in self.items if item.count]


@dataclass(frozen=True)
class ReviewStatus:
    review: Review
    review_items: list[Waiting]  # work of the review as a whole (duplicates to check)
    members: list[MemberWaiting]

    def as_json(self) -> dict[str, Any]:
        """The shape `review_status --json` prints."""
        out: dict[str, Any] = {"review": self.review.slug}
        out.update({item.key: item.count for item in self.review_items})
        out["members"] = [
            {
                "email": m.membership.user.email,
                "roles": m.membership.roles,
                **{item.key: item.count for item in m.items},
            }
            for m in self.members
        ]
        return out


def _url(review: Review, work: WaitingWork) -> str:
    return reverse(work.url_name, args=[review.slug]) + work.url_query


def _count(review: Review, membership: Membership | None, work: WaitingWork) -> int:
    if membership is not None and not visible(work.roles, membership):
        return 0  # work this member's roles never give them
    return int(work.count(review, membership))


def review_items(review: Review) -> list[Waiting]:
    return [
        Waiting(w, _count(review, None, w), _url(review, w))
        for w in registry.waiting
        if w.per_review
    ]


def member_items(review: Review, membership: Membership) -> list[Waiting]:
    return [
        Waiting(w, _count(review, membership, w), _url(review, w))
        for w in registry.waiting
        if not w.per_review
    ]


def waiting_for(membership: Membership) -> list[Waiting]:
    """What waits for this member, non-zero only: their own work, and the review's work that
    their roles make theirs (a lead's duplicates to check). For the home page's line."""
    review = membership.review
    shared = [
        Waiting(w, _count(review, None, w), _url(review, w))
        for w in registry.waiting
        if w.per_review and visible(w.roles, membership)
    ]
    mine = member_items(review, membership)
    items = sorted([*shared, *mine], key=lambda item: item.work.order)
    return [item for item in items if item.count]


def _counts(review: Review, memberships: list[Membership], work: WaitingWork) -> dict[int, int]:
    """One kind of member work for every one of these members, by membership pk: the stage's
    batched count where it offers one (a fixed number of queries), else one count each."""
    mine = [m for m in memberships if visible(work.roles, m)]
    if work.count_many is None:
        return {m.pk: _count(review, m, work) for m in mine}
    counts = work.count_many(review, mine) if mine else {}
    return {m.pk: int(counts.get(m.pk, 0)) for m in mine}


def members_items(review: Review, memberships: list[Membership]) -> list[MemberWaiting]:
    """member_items for many members at once, each kind of work counted for all of them in
    one go (the overview's table: its cost does not grow with the team)."""
    works = [w for w in registry.waiting if not w.per_review]
    urls = {w.key: _url(review, w) for w in works}
    counts = {w.key: _counts(review, memberships, w) for w in works}
    return [
        MemberWaiting(m, [Waiting(w, counts[w.key].get(m.pk, 0), urls[w.key]) for w in works])
        for m in memberships
    ]


def review_status(review: Review) -> ReviewStatus:
    """Who has what waiting in the review: every active member, leads first."""
    memberships = list(
        review.memberships.filter(active=True)
        .select_related("user", "review")
        .order_by("-is_lead", "-is_reviewer", "-is_adjudicator", "user__email")
    )
    return ReviewStatus(
        review=review,
        review_items=review_items(review),
        members=members_items(review, memberships),
    )
