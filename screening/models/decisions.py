"""Independent decisions and each record's outcome at a stage."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reviewapp.models import ExclusionReason, Review, Stage
from screening.models.records import OfRecordSearch, Record


class DecisionValue(models.TextChoices):
    INCLUDE = "include", _("Include")
    EXCLUDE = "exclude", _("Exclude")
    MAYBE = "maybe", _("Maybe")


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
        ExclusionReason, null=True, blank=True, on_delete=models.RESTRICT, related_name="decisions"
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
        indexes = [
            models.Index(fields=["review", "stage", "reviewer"]),
            # A reviewer's history, newest first: undo, J/K and "my decisions".
            models.Index(
                fields=["reviewer", "review", "stage", "-updated_at"], name="decision_history"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} {self.value} {self.record_id}"


class Outcome(models.TextChoices):
    PENDING = "pending", _("Awaiting decisions")
    INCLUDED = "included", _("Included")
    EXCLUDED = "excluded", _("Excluded")
    CONFLICT = "conflict", _("Conflict")


class RecordStatus(OfRecordSearch):
    """Where a canonical record stands at a stage; one row per record and stage."""

    class Resolution(models.TextChoices):
        NONE = "", _("Not resolved")
        AGREEMENT = "agreement", _("Reviewers agreed")
        CONSENSUS = "consensus", _("Consensus after discussion")
        ADJUDICATED = "adjudicated", _("Adjudicated")
        LEAD = "lead", _("Decided by a lead")
        EARLIER_PHASE = "earlier_phase", _("Resolved in an earlier phase")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="record_statuses")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="statuses")
    stage = models.CharField(max_length=2, choices=Stage.choices, default=Stage.TITLE_ABSTRACT)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True, default="")
    final_reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
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


class ScreeningSettings(models.Model):
    """Who screens a review and how the records are shared among them (one row per review)."""

    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, related_name="screening_settings"
    )
    split_pool = models.BooleanField(
        default=False,
        help_text=_(
            "Share the records among the screening reviewers so each record still gets "
            "the required number of decisions, rather than everyone screening everything."
        ),
    )
    # None: every active reviewer takes part; otherwise the user ids chosen by a lead.
    participant_ids = models.JSONField(null=True, blank=True)
    # What the stored assignments were built for, per stage: {"ta": {"key": ..., "record_id": n}}.
    # A different key (team, required decisions, split) rebuilds; a higher record id extends.
    synced = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "screening settings"

    def __str__(self) -> str:
        return f"Screening settings of {self.review_id}"


class Assignment(models.Model):
    """A record in one reviewer's queue at a stage.

    The row stays once the reviewer decides; ``open`` says whether it still waits for them (the
    record is canonical and unresolved, and they have not decided it), so the next record is
    one probe of a partial index and the queue's length one index-only count.
    """

    # No single-column indexes: the unique constraint and the two indexes below cover every
    # lookup, and 100k records make 200k+ rows whose inserts should stay cheap.
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+", db_index=False)
    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="assignments", db_index=False
    )
    stage = models.CharField(max_length=2, choices=Stage.choices, default=Stage.TITLE_ABSTRACT)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The reviewer's own random order: a hash of (review, reviewer, record).
    sort_key = models.BigIntegerField()
    open = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "stage", "reviewer"], name="one_assignment_per_reviewer"
            )
        ]
        indexes = [
            models.Index(
                fields=["reviewer", "review", "stage", "sort_key"],
                condition=models.Q(open=True),
                name="assignment_open_queue",
            ),
            models.Index(fields=["review", "stage", "reviewer"], name="assignment_by_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} for {self.reviewer_id} ({self.stage})"


class ReviewerQueue(models.Model):
    """A reviewer's queue preferences in a review: which ordering serves their next record."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    ordering = models.CharField(max_length=40, default="random")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "reviewer"], name="one_queue_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id}: {self.ordering}"


class HighlightKeyword(models.Model):
    """A word highlighted on the screening page: the lead's for everyone, or a reviewer's own."""

    class Kind(models.TextChoices):
        INCLUDE = "include", _("Suggests inclusion")
        EXCLUDE = "exclude", _("Suggests exclusion")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="highlight_keywords")
    # Null: set by a lead for the whole review.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    word = models.CharField(max_length=100)

    class Meta:
        ordering = ["kind", "word"]
        indexes = [models.Index(fields=["review", "owner"])]

    def __str__(self) -> str:
        return self.word


class QueueCount(models.Model):
    """A reviewer's queue length and decision count at a stage, kept current by the services
    so a screening request never counts rows. Deleted (and recounted on next read) whenever
    the assignments are rebuilt."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(max_length=2, choices=Stage.choices, default=Stage.TITLE_ABSTRACT)
    remaining = models.IntegerField(default=0)
    decided = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "review", "stage"], name="one_queue_count_per_stage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id}: {self.remaining} left, {self.decided} decided"


class DecisionStamp(models.Model):
    """How many transactions changed what agreement is computed from, per review: a decision
    written, changed or deleted, a record's outcome at a stage, a record merged or split off
    (is_canonical). Database triggers (migration 0014) bump it at commit, whatever wrote the
    rows, so a stored agreement is fresh exactly while its stamp equals this one."""

    BACKED_UP = False  # derived: triggers write it

    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Decision stamp {self.n} of {self.review_id}"


class StoredAgreement(models.Model):
    """Agreement statistics a background job computed (decisions.agreement_store), per review,
    stage and what the viewer may see, with the DecisionStamp they were computed from."""

    BACKED_UP = False  # derived: computed again from the decisions

    class Scope(models.TextChoices):
        LEAD = "lead", _("Leads: every record whose decisions are all in")
        REVIEWER = "reviewer", _("Reviewers: resolved records only")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=2, choices=Stage.choices, default=Stage.TITLE_ABSTRACT)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    # None until a job has computed it.
    stamp = models.BigIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    # The job asked for last (queued, running, or done): one at a time per row.
    job = models.ForeignKey("reviewapp.Job", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "stage", "scope"], name="one_stored_agreement_per_scope"
            )
        ]

    def __str__(self) -> str:
        return f"Agreement of {self.review_id} ({self.stage}, {self.scope}) at {self.stamp}"
