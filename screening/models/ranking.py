"""Relevance ranking: each reviewer's trained order, and a lead's decision to stop screening."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reviewapp.models import Review, Stage
from screening.models.records import Record


class RankingState(models.Model):
    """One reviewer's ranking model in one review: when it was trained and on how much."""

    class Status(models.TextChoices):
        NEVER = "never", _("Not trained yet")
        QUEUED = "queued", _("Training queued")
        READY = "ready", _("Trained")
        FAILED = "failed", _("Training failed")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEVER)
    model = models.CharField(max_length=40, blank=True)
    trained_at = models.DateTimeField(null=True, blank=True)
    # Labelled records the model saw (0 = random order: it needs one relevant and one irrelevant).
    trained_on = models.PositiveIntegerField(default=0)
    relevant_seen = models.PositiveIntegerField(default=0)
    # The reviewer's own decision count when training started: "decisions since" is the difference.
    decisions_at_training = models.PositiveIntegerField(default=0)
    ranked = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "reviewer"], name="uniq_ranking_state")
        ]

    def __str__(self) -> str:
        return f"ranking of {self.reviewer_id} in {self.review_id}: {self.status}"


class RankedRecord(models.Model):
    """A record's place in one reviewer's relevance order (1 = most likely relevant).

    A table rather than a list on the state so that the queue orders by a join on an index,
    whatever the size of the review.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+", db_index=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="ranks")
    rank = models.PositiveIntegerField()
    score = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "review", "record"], name="uniq_ranked_record"
            )
        ]
        indexes = [models.Index(fields=["reviewer", "review", "rank"])]

    def __str__(self) -> str:
        return f"#{self.rank}: record {self.record_id}"


class ScreeningStop(models.Model):
    """A lead's decision to stop screening the records nobody has decided yet.

    Nothing is excluded by the model: the lead decides, says how PRISMA reports it, and the
    records set aside are listed (:class:`StoppedRecord`) so the count is exact and auditable.
    """

    class ReportAs(models.TextChoices):
        AUTOMATION = "automation", _("Records marked as ineligible by automation tools")
        OTHER = "other", _("Records removed for other reasons")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="screening_stops")
    stage = models.CharField(max_length=2, choices=Stage.choices, default=Stage.TITLE_ABSTRACT)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()
    report_as = models.CharField(max_length=12, choices=ReportAs.choices)
    records_count = models.PositiveIntegerField(default=0)
    # What the stopping estimate said when the lead decided (for the audit and the report).
    estimate = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"stop of {self.records_count} records ({self.report_as})"


class StoppedRecord(models.Model):
    """A record left unscreened because of a :class:`ScreeningStop`."""

    stop = models.ForeignKey(ScreeningStop, on_delete=models.CASCADE, related_name="records")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record"], name="uniq_stopped_record")]

    def __str__(self) -> str:
        return f"record {self.record_id} stopped"
