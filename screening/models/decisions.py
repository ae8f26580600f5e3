"""Independent decisions and each record's outcome at a stage."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reviewapp.models import ExclusionReason, Review, Stage

from .records import Record


class DecisionValue(models.TextChoices):
    INCLUDE = "include", "Include"
    EXCLUDE = "exclude", "Exclude"
    MAYBE = "maybe", "Maybe"


class Decision(models.Model):
    """One reviewer's decision on one record at one stage. Changes are kept in the audit trail."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="decisions")
    stage = models.CharField(max_length=2, choices=Stage.choices, default=Stage.TITLE_ABSTRACT)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions"
    )
    value = models.CharField(max_length=10, choices=DecisionValue.choices)
    reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "stage", "reviewer"], name="one_decision_per_reviewer"
            )
        ]
        indexes = [models.Index(fields=["review", "stage", "reviewer"])]

    def __str__(self) -> str:
        return f"{self.reviewer} {self.value} {self.record_id}"


class Outcome(models.TextChoices):
    PENDING = "pending", "Awaiting decisions"
    INCLUDED = "included", "Included"
    EXCLUDED = "excluded", "Excluded"
    CONFLICT = "conflict", "Conflict"


class RecordStatus(models.Model):
    """Where a canonical record stands at a stage; one row per record and stage."""

    class Resolution(models.TextChoices):
        NONE = "", "Not resolved"
        AGREEMENT = "agreement", "Reviewers agreed"
        CONSENSUS = "consensus", "Consensus after discussion"
        ADJUDICATED = "adjudicated", "Adjudicated"
        LEAD = "lead", "Decided by a lead"
        EARLIER_PHASE = "earlier_phase", "Resolved in an earlier phase"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="record_statuses")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="statuses")
    stage = models.CharField(max_length=2, choices=Stage.choices, default=Stage.TITLE_ABSTRACT)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True, default="")
    final_reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decisions_count = models.PositiveSmallIntegerField(default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "stage"], name="one_status_per_stage")
        ]
        indexes = [models.Index(fields=["review", "stage", "outcome"])]

    def __str__(self) -> str:
        return f"{self.record_id} {self.stage} {self.outcome}"

    @property
    def is_resolved(self) -> bool:
        return self.outcome in (Outcome.INCLUDED, Outcome.EXCLUDED)
