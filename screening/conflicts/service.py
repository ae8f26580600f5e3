"""Conflicts: what happens when the required decisions on a record disagree.

The seed review's rule: the reviewers who disagree discuss; one proposes the final decision and
the other confirms it (consensus); failing that, either escalates to a third expert, the review's
adjudicator, whose decision is final. A lead may assign the adjudicator, decide, or re-open a
resolved record with a reason. Every step writes the audit trail; whoever must act next gets an
email (after commit) and a badge in the navigation.

The final decision itself is written by screening.decisions.set_final, which owns each record's
outcome; this module owns the path to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, models, transaction
from django.dispatch import Signal, receiver
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reviewapp.audit import record_event
from reviewapp.models import ExclusionReason, Membership, User
from screening.decisions import signals
from screening.models import (
    Conflict,
    ConflictComment,
    ConsensusProposal,
    Decision,
    DecisionValue,
    Record,
    RecordStatus,
)

# What waits for whom lives beside this module; these names stay importable from here.
from .waiting import waiting_counts, waiting_for, waiting_for_member, waiting_ids  # noqa: F401

logger = logging.getLogger(__name__)

# Sent when a later stage's conflict (see register_stage) is resolved: conflict, answers, by.
resolved = Signal()

FINAL_VALUES = (DecisionValue.INCLUDE, DecisionValue.EXCLUDE)
COMMENT_MAX = 5000
SUMMARY_MAX = 2000


class ConflictError(Exception):
    """A refused step; the message is shown to the user as is."""


# --- stages whose conflicts are not about a screening decision ---------------------------


@dataclass(frozen=True)
class StageRules:
    """How a later stage's conflicts work (appraisal registers these): who disagreed, and how
    a proposed or ruled set of answers is checked. Its `resolved` signal receiver stores them."""

    parties: Callable[[Conflict], set[int]]
    clean_answers: Callable[[Conflict, dict], dict]


_STAGE_RULES: dict[str, StageRules] = {}


def register_stage(stage: str, rules: StageRules) -> None:
    _STAGE_RULES[stage] = rules


# --- who takes part -----------------------------------------------------------------------


def participant_ids(conflict: Conflict) -> set[int]:
    """Ids of the people whose judgements disagree: the reviewers who decided the record at this
    stage or, for a later stage's conflict, whoever that stage says."""
    rules = _STAGE_RULES.get(conflict.stage)
    if rules is not None:
        return rules.parties(conflict)
    return set(
        Decision.objects.filter(record_id=conflict.record_id, stage=conflict.stage).values_list(
            "reviewer_id", flat=True
        )
    )


def participants(conflict: Conflict) -> set[User]:
    """The reviewers whose decisions disagree (all who decided the record at this stage)."""
    return set(User.objects.filter(pk__in=participant_ids(conflict)))


def _membership(review_id: int, user: User) -> Membership | None:
    return Membership.objects.filter(review_id=review_id, user_id=user.pk, active=True).first()


def can_view(conflict: Conflict, membership: Membership) -> bool:
    """Who may see a conflict, its decisions and its discussion.

    The reviewers who disagree, the review's leads, and adjudicators once it is escalated to
    them (an adjudicator sees nothing else of the review's records).
    """
    if membership.is_lead:
        return True
    if membership.user_id in participant_ids(conflict):
        return True
    return can_adjudicate(conflict, membership, check_live=False)


def can_adjudicate(conflict: Conflict, membership: Membership, *, check_live: bool = True) -> bool:
    if not membership.is_adjudicator or not conflict.is_escalated:
        return False
    if check_live and conflict.is_resolved:
        return False
    if conflict.adjudicator_id not in (None, membership.user_id):
        return False
    # The third expert must be a third person.
    return membership.user_id not in participant_ids(conflict)


def eligible_adjudicators(conflict: Conflict) -> models.QuerySet[User]:
    """The review's active adjudicators who are not party to the disagreement."""
    return (
        User.objects.filter(
            memberships__review_id=conflict.review_id,
            memberships__active=True,
            memberships__is_adjudicator=True,
        )
        .exclude(pk__in=participant_ids(conflict))
        .order_by("full_name", "email")
    )


def _leads(review_id: int) -> models.QuerySet[User]:
    return User.objects.filter(
        memberships__review_id=review_id, memberships__active=True, memberships__is_lead=True
    )


# --- notifications ------------------------------------------------------------------------


def _notify(
    conflict: Conflict,
    recipients: Iterable[User],
    subject: Callable[[], str],
    message: Callable[[], str],
) -> None:
    """Email each recipient separately, in the language they chose (else the default), once
    the transaction commits. subject and message are called with that language active."""
    people = sorted({u.email: u for u in recipients if u.email}.items())
    if not people:
        return
    review = conflict.review
    link = settings.SITE_URL.rstrip("/") + reverse(
        "conflict_detail", args=[review.slug, conflict.pk]
    )
    messages = []
    for email, user in people:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            title = conflict.record.title[:200] or _("Record %(id)s") % {"id": conflict.record_id}
            body = _("%(message)s\n\nRecord: %(title)s\nStage: %(stage)s\n\n%(link)s\n") % {
                "message": message(),
                "title": title,
                "stage": conflict.get_stage_display(),
                "link": link,
            }
            messages.append((f"[{review.title[:60]}] {subject()}", body, None, [email]))
    transaction.on_commit(lambda: _send(messages))


def _with_reason(value: str, reason, otherwise: str = "") -> str:
    value = str(value or otherwise or _("agreed answers"))
    return f"{value} ({reason.label})" if reason else value


def _send(messages: list[tuple]) -> None:
    # A mail server being down must not undo or fail the step the email reports.
    try:
        send_mass_mail(messages)
    except Exception:
        logger.warning("Could not send conflict notifications", exc_info=True)


def _others(conflict: Conflict, user: User) -> list[User]:
    return [u for u in participants(conflict) if u.pk != user.pk]


# --- steps --------------------------------------------------------------------------------


def _lock(conflict: Conflict) -> Conflict:
    """Re-read the conflict under a row lock: concurrent steps on it run one after another."""
    return (
        Conflict.objects.select_for_update(of=("self",))
        .select_related("review", "record")
        .get(pk=conflict.pk)
    )


def _require_live(conflict: Conflict) -> None:
    if conflict.is_resolved:
        raise ConflictError(
            _("This conflict was already resolved (%(lower)s).")
            % {"lower": conflict.get_resolution_display().lower()}
        )


def _clean_answers(conflict: Conflict, answers: dict | None) -> dict:
    rules = _STAGE_RULES.get(conflict.stage)
    if rules is None:
        return {}
    return rules.clean_answers(conflict, answers or {})


def _clean_final(
    conflict: Conflict, value: str, reason: ExclusionReason | int | str | None
) -> tuple[str, ExclusionReason | None]:
    """A final decision is Include or Exclude; an exclusion names one of the stage's reasons.
    (A later stage's conflict is settled by answers instead: no value, no reason.)"""
    if conflict.stage in _STAGE_RULES:
        return "", None
    if value not in FINAL_VALUES:
        raise ConflictError(_("The final decision is either Include or Exclude."))
    if value == DecisionValue.INCLUDE:
        return value, None
    reasons = ExclusionReason.objects.filter(
        review_id=conflict.review_id, stage=conflict.stage, active=True
    )
    if reason in (None, ""):
        if reasons.exists():
            raise ConflictError(_("Choose the reason for excluding the record."))
        return value, None
    reason_id = reason.pk if isinstance(reason, ExclusionReason) else reason
    found = reasons.filter(pk=reason_id).first()
    if found is None:
        raise ConflictError(_("Choose one of this stage's exclusion reasons."))
    return value, found


def _state(conflict: Conflict) -> dict[str, Any]:
    return {
        "state": conflict.state,
        "adjudicator": conflict.adjudicator_id,
        "resolution": conflict.resolution,
        "final_value": conflict.final_value,
        "final_reason": conflict.final_reason_id,
    }


@transaction.atomic
def open_conflict(record: Record, stage: str) -> Conflict:
    """Open the record's conflict at this stage, or return the one already open."""
    existing = Conflict.objects.live().filter(record=record, stage=stage).first()
    if existing is not None:
        return existing
    try:
        # A savepoint: a concurrent opener may win the unique constraint.
        with transaction.atomic():
            conflict = Conflict.objects.create(
                review_id=record.review_id, record=record, stage=stage
            )
    except IntegrityError:
        return Conflict.objects.live().get(record=record, stage=stage)
    people = participants(conflict)
    record_event(
        conflict.review,
        None,
        "conflict.opened",
        conflict,
        after={
            "record": record.pk,
            "stage": stage,
            "participants": sorted(u.email for u in people),
        },
    )
    _notify(
        conflict,
        people,
        lambda: _("Your decisions disagree: please discuss"),
        lambda: _(
            "The independent decisions on this record disagree. You can now see each other's "
            "decisions and notes, discuss, and agree on a final decision — or escalate it to the "
            "adjudicator."
        ),
    )
    return conflict


@receiver(signals.disagreement_found, dispatch_uid="conflicts.open_conflict")
def _on_disagreement(sender, record: Record, stage: str, **kwargs) -> None:
    open_conflict(record, stage)


@transaction.atomic
def comment(conflict: Conflict, author: User, body: str) -> ConflictComment:
    conflict = _lock(conflict)
    _require_live(conflict)
    body = (body or "").strip()
    if not body:
        raise ConflictError(_("Write something before posting."))
    if len(body) > COMMENT_MAX:
        raise ConflictError(
            _("Keep a comment under %(COMMENT_MAX)s characters.") % {"COMMENT_MAX": COMMENT_MAX}
        )
    membership = _membership(conflict.review_id, author)
    if membership is None or not can_view(conflict, membership):
        raise ConflictError(
            _("Only the reviewers in this conflict, leads and its adjudicator comment.")
        )
    note = ConflictComment.objects.create(conflict=conflict, author=author, body=body)
    if conflict.state == Conflict.State.OPEN:
        conflict.state = Conflict.State.DISCUSSION
        conflict.save(update_fields=["state"])
    record_event(
        conflict.review,
        author,
        "conflict.commented",
        conflict,
        after={"comment": note.pk, "body": body},
    )
    recipients = _others(conflict, author)
    if conflict.adjudicator_id and conflict.adjudicator_id != author.pk:
        recipients.append(conflict.adjudicator)
    _notify(
        conflict,
        recipients,
        lambda: _("New comment on a conflict"),
        lambda: _("%(name)s wrote:\n\n%(body)s") % {"name": author.display_name, "body": body},
    )
    return note


@transaction.atomic
def propose(
    conflict: Conflict,
    by: User,
    value: str,
    reason: ExclusionReason | int | None = None,
    note: str = "",
    *,
    answers: dict | None = None,
) -> ConsensusProposal:
    """One of the disagreeing reviewers proposes the final decision (or, for an appraisal,
    the agreed answers); another must confirm it."""
    conflict = _lock(conflict)
    _require_live(conflict)
    if conflict.is_escalated:
        raise ConflictError(_("This conflict is with the adjudicator now; they decide."))
    if by.pk not in participant_ids(conflict):
        raise ConflictError(_("Only the reviewers who disagreed can propose a consensus."))
    value, reason = _clean_final(conflict, value, reason)
    answers = _clean_answers(conflict, answers)
    # One live proposal per person: a new one replaces their earlier one.
    conflict.proposals.filter(proposed_by=by, withdrawn=False, confirmed_at=None).update(
        withdrawn=True
    )
    proposal = ConsensusProposal.objects.create(
        conflict=conflict,
        proposed_by=by,
        value=value,
        reason=reason,
        answers=answers,
        note=(note or "").strip(),
    )
    if conflict.state == Conflict.State.OPEN:
        conflict.state = Conflict.State.DISCUSSION
        conflict.save(update_fields=["state"])
    record_event(
        conflict.review,
        by,
        "conflict.proposed",
        conflict,
        after={
            "proposal": proposal.pk,
            "value": value,
            "reason": reason.pk if reason else None,
            "note": proposal.note,
        },
    )
    _notify(
        conflict,
        _others(conflict, by),
        lambda: _("A consensus is proposed: please confirm"),
        lambda: (
            _("%(name)s proposes: %(value)s. Confirm it on the conflict page, or keep discussing.")
            % {"name": by.display_name, "value": _with_reason(proposal.get_value_display(), reason)}
        ),
    )
    return proposal


@transaction.atomic
def confirm(proposal: ConsensusProposal, by: User) -> Conflict:
    """Another disagreeing reviewer confirms: the conflict resolves as consensus.

    The conflict row is locked first, so two confirmations at the same moment resolve it once;
    the second sees it resolved and is refused.
    """
    conflict = _lock(proposal.conflict)
    proposal = ConsensusProposal.objects.select_related("reason").get(pk=proposal.pk)
    _require_live(conflict)
    if conflict.is_escalated:
        raise ConflictError(_("This conflict is with the adjudicator now; they decide."))
    if not proposal.is_live:
        raise ConflictError(_("This proposal was replaced or withdrawn."))
    if by.pk not in participant_ids(conflict):
        raise ConflictError(_("Only the reviewers who disagreed can confirm a consensus."))
    if by.pk == proposal.proposed_by_id:
        raise ConflictError(_("The other reviewer must confirm your proposal."))
    proposal.confirmed_by = by
    proposal.confirmed_at = timezone.now()
    proposal.save(update_fields=["confirmed_by", "confirmed_at"])
    record_event(
        conflict.review, by, "conflict.confirmed", conflict, after={"proposal": proposal.pk}
    )
    return _resolve(
        conflict,
        Conflict.Resolution.CONSENSUS,
        proposal.value,
        proposal.reason,
        proposal.note,
        by,
        answers=proposal.answers,
    )


@transaction.atomic
def escalate(conflict: Conflict, by: User, summary: str) -> Conflict:
    """Send the conflict to the review's adjudicators with a short summary of the positions."""
    conflict = _lock(conflict)
    _require_live(conflict)
    if conflict.is_escalated:
        raise ConflictError(_("This conflict was already escalated."))
    membership = _membership(conflict.review_id, by)
    if by.pk not in participant_ids(conflict) and not (membership and membership.is_lead):
        raise ConflictError(_("Only the reviewers who disagreed, or a lead, can escalate."))
    summary = (summary or "").strip()
    if not summary:
        raise ConflictError(_("Summarise the disagreement for the adjudicator."))
    if len(summary) > SUMMARY_MAX:
        raise ConflictError(
            _("Keep the summary under %(SUMMARY_MAX)s characters.") % {"SUMMARY_MAX": SUMMARY_MAX}
        )
    before = _state(conflict)
    _escalate(conflict, by, summary)
    record_event(
        conflict.review,
        by,
        "conflict.escalated",
        conflict,
        before=before,
        after={**_state(conflict), "summary": summary},
    )
    return conflict


def _escalate(conflict: Conflict, by: User, summary: str) -> None:
    conflict.state = Conflict.State.ESCALATED
    conflict.escalated_at = timezone.now()
    conflict.escalated_by = by
    conflict.escalation_summary = summary
    conflict.save(update_fields=["state", "escalated_at", "escalated_by", "escalation_summary"])
    conflict.proposals.filter(withdrawn=False, confirmed_at=None).update(withdrawn=True)
    if conflict.adjudicator_id:
        recipients = [conflict.adjudicator]
    else:
        recipients = list(eligible_adjudicators(conflict))
    if recipients:
        _notify(
            conflict,
            recipients,
            lambda: _("A conflict is escalated to you"),
            lambda: (
                _("%(name)s escalated a disagreement for your decision:\n\n%(summary)s")
                % {"name": by.display_name, "summary": summary}
            ),
        )
    else:
        _notify(
            conflict,
            _leads(conflict.review_id),
            lambda: _("An escalated conflict needs an adjudicator"),
            lambda: _(
                "A conflict was escalated but the review has no adjudicator who can take it. "
                "Invite one, or decide it as lead."
            ),
        )


@transaction.atomic
def assign_adjudicator(
    conflict: Conflict, adjudicator: User, by: User, summary: str = ""
) -> Conflict:
    """A lead names the adjudicator; a conflict not yet escalated is escalated to them."""
    conflict = _lock(conflict)
    _require_live(conflict)
    membership = _membership(conflict.review_id, by)
    if membership is None or not membership.is_lead:
        raise ConflictError(_("Only a lead assigns adjudicators."))
    if not eligible_adjudicators(conflict).filter(pk=adjudicator.pk).exists():
        raise ConflictError(
            _("Choose an adjudicator of this review who did not decide this record.")
        )
    before = _state(conflict)
    conflict.adjudicator = adjudicator
    conflict.save(update_fields=["adjudicator"])
    if conflict.is_escalated:
        _notify(
            conflict,
            [adjudicator],
            lambda: _("A conflict is assigned to you"),
            lambda: (
                _("%(name)s asks you to decide this conflict as its adjudicator.")
                % {"name": by.display_name}
            ),
        )
    else:
        _escalate(conflict, by, (summary or "").strip() or "Assigned by a lead.")
    record_event(
        conflict.review,
        by,
        "conflict.adjudicator_assigned",
        conflict,
        before=before,
        after={**_state(conflict), "adjudicator_email": adjudicator.email},
    )
    return conflict


@transaction.atomic
def adjudicate(
    conflict: Conflict,
    by: User,
    value: str,
    reason: ExclusionReason | int | None = None,
    note: str = "",
    *,
    answers: dict | None = None,
) -> Conflict:
    """The adjudicator's decision on an escalated conflict: final."""
    conflict = _lock(conflict)
    _require_live(conflict)
    membership = _membership(conflict.review_id, by)
    if not conflict.is_escalated:
        raise ConflictError(_("Only an escalated conflict is adjudicated."))
    if membership is None or not can_adjudicate(conflict, membership):
        raise ConflictError(_("Only this conflict's adjudicator decides it."))
    value, reason, note = _clean_ruling(conflict, value, reason, note)
    if conflict.adjudicator_id is None:
        conflict.adjudicator = by
        conflict.save(update_fields=["adjudicator"])
    return _resolve(
        conflict,
        Conflict.Resolution.ADJUDICATED,
        value,
        reason,
        note,
        by,
        answers=_clean_answers(conflict, answers),
    )


@transaction.atomic
def lead_decide(
    conflict: Conflict,
    by: User,
    value: str,
    reason: ExclusionReason | int | None = None,
    note: str = "",
    *,
    answers: dict | None = None,
) -> Conflict:
    """A lead settles the conflict directly (e.g. no adjudicator available)."""
    conflict = _lock(conflict)
    _require_live(conflict)
    membership = _membership(conflict.review_id, by)
    if membership is None or not membership.is_lead:
        raise ConflictError(_("Only a lead decides a conflict directly."))
    value, reason, note = _clean_ruling(conflict, value, reason, note)
    answers = _clean_answers(conflict, answers)
    return _resolve(conflict, Conflict.Resolution.LEAD, value, reason, note, by, answers=answers)


def _clean_ruling(
    conflict: Conflict, value: str, reason: ExclusionReason | int | None, note: str
) -> tuple[str, ExclusionReason | None, str]:
    """A final ruling (adjudicator's or lead's): a valid value and reason, and a stated why."""
    value, reason = _clean_final(conflict, value, reason)
    note = (note or "").strip()
    if not note:
        raise ConflictError(_("Give the reason for your decision, for the record."))
    return value, reason, note


def _resolve(
    conflict: Conflict,
    resolution: str,
    value: str,
    reason: ExclusionReason | None,
    note: str,
    by: User,
    *,
    answers: dict | None = None,
) -> Conflict:
    from screening.decisions import service as decisions

    before = _state(conflict)
    conflict.state = Conflict.State.RESOLVED
    conflict.resolution = resolution
    conflict.final_value = value
    conflict.final_reason = reason
    conflict.resolution_note = note
    conflict.resolved_at = timezone.now()
    conflict.resolved_by = by
    conflict.save()
    conflict.proposals.filter(withdrawn=False, confirmed_at=None).update(withdrawn=True)
    if conflict.stage in _STAGE_RULES:
        # A later stage's conflict: that stage stores the agreed answers.
        resolved.send(sender=Conflict, conflict=conflict, answers=answers or {}, by=by)
    else:
        try:
            decisions.set_final(
                conflict.record, conflict.stage, value, reason=reason, resolution=resolution, by=by
            )
        except decisions.ScreeningError as exc:
            raise ConflictError(str(exc)) from exc
    record_event(
        conflict.review,
        by,
        f"conflict.{resolution}",
        conflict,
        before=before,
        after={**_state(conflict), "note": note},
    )
    recipients = [u for u in participants(conflict) if u.pk != by.pk]
    _notify(
        conflict,
        recipients,
        lambda: _("A conflict is resolved"),
        lambda: (
            _("Resolved (%(how)s) by %(name)s: %(value)s.")
            % {
                "how": conflict.get_resolution_display().lower(),
                "name": by.display_name,
                "value": _with_reason(
                    conflict.get_final_value_display(), reason, _("answers agreed")
                ),
            }
        ),
    )
    return conflict


@transaction.atomic
def reopen(record: Record, stage: str, *, by: User, reason: str) -> RecordStatus:
    """A lead re-opens a resolved record at a stage, with a reason (audited).

    This is the only way a resolved record is decided again.
    """
    from screening.decisions import service as decisions

    membership = _membership(record.review_id, by)
    if membership is None or not membership.is_lead:
        raise ConflictError(_("Only a lead re-opens a resolved record."))
    reason = (reason or "").strip()
    if not reason:
        raise ConflictError(_("Say why the record is re-opened."))
    status = RecordStatus.objects.filter(record=record, stage=stage).first()
    if status is None or not status.is_resolved:
        raise ConflictError(_("Only a resolved record can be re-opened."))
    try:
        # decisions.reopen clears the stage's decisions and writes the audit row with the reason.
        return decisions.reopen(record, stage, by=by, reason=reason)
    except decisions.ScreeningError as exc:
        raise ConflictError(str(exc)) from exc
