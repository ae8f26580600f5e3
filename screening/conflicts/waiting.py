"""Which live conflicts wait for which member: to discuss (a party, not escalated) or to rule
on (escalated to them, or a lead's when nobody can take it). For the conflict list's marks, the
nav badge and the review's waiting work (reviewapp.waiting)."""

from __future__ import annotations

from typing import Any

from django.db import models

from reviewapp.models import Membership, Review, User
from reviewapp.registry import count_of
from screening.models import Conflict, ConsensusProposal
from screening.models.conflicts import party_to


def _membership(review_id: int, user: User) -> Membership | None:
    return Membership.objects.filter(review_id=review_id, user_id=user.pk, active=True).first()


def _waiting_conditions(
    user_id: Any, membership: Membership, inner: Any = None
) -> dict[str, models.Q]:
    """The conflicts waiting for this member, by the role they act in. ``user_id`` is the
    member's id as the conflict query sees it, ``inner`` as its subqueries see it: the same
    int, or, counted for many members at once, references to the membership row outside."""
    inner = user_id if inner is None else inner
    decided = party_to(inner)
    own_proposal = models.Exists(
        ConsensusProposal.objects.filter(
            conflict_id=models.OuterRef("pk"),
            proposed_by_id=inner,
            withdrawn=False,
            confirmed_at=None,
        )
    )
    # A reviewer must act until they have a proposal of their own on the table.
    conditions = {
        "reviewer": models.Q(decided, escalated_at__isnull=True) & ~models.Q(own_proposal)
    }
    if membership.is_adjudicator:
        conditions["adjudicator"] = models.Q(
            models.Q(adjudicator__isnull=True) | models.Q(adjudicator_id=user_id),
            escalated_at__isnull=False,
        ) & ~models.Q(decided)
    if membership.is_lead:
        has_adjudicator = models.Exists(
            Membership.objects.filter(
                review_id=models.OuterRef("review_id"), active=True, is_adjudicator=True
            )
        )
        # Escalated with nobody to take it: the lead must find an adjudicator or decide.
        conditions["lead"] = models.Q(
            escalated_at__isnull=False, adjudicator__isnull=True
        ) & ~models.Q(has_adjudicator)
    return conditions


def _discuss_and_adjudicate(conditions: dict[str, models.Q]) -> tuple[models.Q, models.Q]:
    rulings = [q for role, q in conditions.items() if role != "reviewer"]
    adjudicate = models.Q(pk__in=[])
    for condition in rulings:
        adjudicate |= condition
    return conditions["reviewer"], adjudicate


def waiting_counts(membership: Membership) -> dict[str, int]:
    """Live conflicts waiting for this member, in one query: {"discuss": n, "adjudicate": n}.

    To discuss: they are party to it and it is not escalated. To adjudicate: escalated to them
    (or to the review's adjudicators), or, for a lead, escalated with no adjudicator to take it.
    """
    discuss, adjudicate = _discuss_and_adjudicate(
        _waiting_conditions(membership.user_id, membership)
    )
    counts = (
        Conflict.objects.filter(review_id=membership.review_id)
        .live()
        .aggregate(
            discuss=models.Count("pk", filter=discuss),
            adjudicate=models.Count("pk", filter=adjudicate),
        )
    )
    return {"discuss": counts["discuss"] or 0, "adjudicate": counts["adjudicate"] or 0}


def waiting_subqueries(review: Review, roles: Membership) -> dict[str, models.Expression]:
    """waiting_counts as expressions over a Membership row of the review whose roles are those
    of `roles` (adjudicator, lead): {"discuss": n, "adjudicate": n}, the same conditions with
    the member's id read from the row. For the overview's table and the nav badges."""
    discuss, adjudicate = _discuss_and_adjudicate(
        _waiting_conditions(
            models.OuterRef("user_id"), roles, models.OuterRef(models.OuterRef("user_id"))
        )
    )
    live = Conflict.objects.filter(review_id=review.pk).live()
    return {
        "discuss": count_of(live.filter(discuss)),
        "adjudicate": count_of(live.filter(adjudicate)),
    }


def waiting_counts_many(review: Review, memberships: list[Membership]) -> dict[int, dict[str, int]]:
    """waiting_counts for many members of one review, by membership pk, in one query per
    combination of the roles that change the conditions (adjudicator, lead): at most four,
    however many members."""
    by_roles: dict[tuple[bool, bool], list[int]] = {}
    for m in memberships:
        by_roles.setdefault((m.is_adjudicator, m.is_lead), []).append(m.pk)
    out: dict[int, dict[str, int]] = {}
    for (is_adjudicator, is_lead), pks in by_roles.items():
        roles = Membership(review=review, is_adjudicator=is_adjudicator, is_lead=is_lead)
        counts = waiting_subqueries(review, roles)
        rows = (
            Membership.objects.filter(pk__in=pks)
            .order_by()
            .annotate(**counts)
            .values_list("pk", "discuss", "adjudicate")
        )
        for pk, n_discuss, n_adjudicate in rows:
            out[pk] = {"discuss": n_discuss, "adjudicate": n_adjudicate}
    return out


def waiting_for_member(membership: Membership) -> int:
    """How many live conflicts wait for this member to act (the nav badge): the conflicts to
    discuss and to adjudicate, which never overlap (discussion ends with the escalation)."""
    return sum(waiting_counts(membership).values())


def waiting_for(user: User, review: Review) -> int:
    """Badge count: conflicts of the review where this person must act next."""
    membership = _membership(review.pk, user)
    return waiting_for_member(membership) if membership else 0


def waiting_ids(membership: Membership, conflicts: models.QuerySet[Conflict]) -> set[int]:
    """Which of these conflicts wait for this member (for 'your turn' marks on lists)."""
    conditions = _waiting_conditions(membership.user_id, membership)
    any_of = models.Q()
    for condition in conditions.values():
        any_of |= condition
    return set(conflicts.filter(any_of).values_list("pk", flat=True))
