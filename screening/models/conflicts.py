"""Disagreements between reviewers: discussion, consensus, escalation and adjudication."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reviewapp.models import ExclusionReason, Review, Stage
from screening.models.appraisal import Appraisal
from screening.models.decisions import Decision, DecisionValue
from screening.models.records import Record


class ConflictStage(models.TextChoices):
    """Where a disagreement arose: the two screening stages, or the appraisal of a study."""

    TITLE_ABSTRACT = Stage.TITLE_ABSTRACT.value, Stage.TITLE_ABSTRACT.label
    FULL_TEXT = Stage.FULL_TEXT.value, Stage.FULL_TEXT.label
    APPRAISAL = "ap", _("Appraisal")


def party_to(user_id: int) -> models.Q:
    """The conflicts this person is party to: they decided the record at its stage or, for an
    appraisal conflict, submitted an appraisal of the study the record reports."""
    decided = models.Exists(
        Decision.objects.filter(
            record_id=models.OuterRef("record_id"),
            stage=models.OuterRef("stage"),
            reviewer_id=user_id,
        )
    )
    appraised = models.Exists(
        Appraisal.objects.submitted().filter(
            study__reports__record_id=models.OuterRef("record_id"), appraiser_id=user_id
        )
    )
    return models.Q(decided) | models.Q(appraised, stage=ConflictStage.APPRAISAL)


class ConflictQuerySet(models.QuerySet["Conflict"]):
    def live(self) -> ConflictQuerySet:
        """Not yet resolved: open, in discussion or escalated."""
        return self.exclude(state=Conflict.State.RESOLVED)

    def involving(self, user_id: int) -> ConflictQuerySet:
        """Conflicts on which this person recorded one of the disagreeing judgements."""
        return self.filter(party_to(user_id))

    def for_adjudicator(self, user_id: int) -> ConflictQuerySet:
        """Escalated to this adjudicator: assigned to them, or to the review's adjudicators.

        Never a conflict they are party to: the third expert must be a third person.
        """
        return (
            self.filter(escalated_at__isnull=False)
            .filter(models.Q(adjudicator__isnull=True) | models.Q(adjudicator_id=user_id))
            .exclude(party_to(user_id))
        )


class Conflict(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DISCUSSION = "discussion", _("In discussion")
        ESCALATED = "escalated", _("Escalated")
        RESOLVED = "resolved", _("Resolved")

    class Resolution(models.TextChoices):
        NONE = "", _("Not resolved")
        CONSENSUS = "consensus", _("Consensus")
        ADJUDICATED = "adjudicated", _("Adjudicated")
        LEAD = "lead", _("Decided by a lead")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="conflicts")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="conflicts")
    stage = models.CharField(
        max_length=2, choices=ConflictStage.choices, default=ConflictStage.TITLE_ABSTRACT
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalation_summary = models.TextField(blank=True)
    adjudicator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adjudications",
    )
    resolution = models.CharField(max_length=12, choices=Resolution.choices, blank=True, default="")
    final_value = models.CharField(max_length=10, choices=DecisionValue.choices, blank=True)
    final_reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    resolution_note = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ConflictQuerySet.as_manager()

    class Meta:
        ordering = ["opened_at", "id"]
        constraints = [
            # One live conflict per record and stage; a re-opened record gets a new one.
            models.UniqueConstraint(
                fields=["record", "stage"],
                condition=~models.Q(state="resolved"),
                name="one_open_conflict_per_stage",
            )
        ]
        indexes = [models.Index(fields=["review", "stage", "state"])]

    def __str__(self) -> str:
        return f"Conflict on {self.record_id} ({self.stage})"

    @property
    def is_resolved(self) -> bool:
        return self.state == self.State.RESOLVED

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None


class ConflictComment(models.Model):
    conflict = models.ForeignKey(Conflict, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author_id} on conflict {self.conflict_id}"


class ConsensusProposal(models.Model):
    """One reviewer proposes the final decision; the other confirms it."""

    conflict = models.ForeignKey(Conflict, on_delete=models.CASCADE, related_name="proposals")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Empty for an appraisal conflict, whose proposal is a set of agreed answers.
    value = models.CharField(max_length=10, choices=DecisionValue.choices, blank=True)
    reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    answers = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Proposal {self.value} on conflict {self.conflict_id}"

    @property
    def is_live(self) -> bool:
        """Still waiting for the other reviewer's confirmation."""
        return not self.withdrawn and self.confirmed_at is None
