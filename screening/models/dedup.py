"""The de-duplication queue: pairs the engine was unsure about, for a person to decide."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reviewapp.models import Review
from screening.models.records import Record


class DuplicateCandidateQuerySet(models.QuerySet["DuplicateCandidate"]):
    def open(self) -> DuplicateCandidateQuerySet:
        return self.filter(status=DuplicateCandidate.Status.OPEN)


class DuplicateCandidate(models.Model):
    """Two records that may be the same work. ``record_a`` always has the lower id.

    One row per pair for ever: a decided pair is never asked again, whatever later runs find.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("To check")
        MERGED = "merged", _("Merged")
        NOT_DUPLICATES = "not_duplicates", _("Not duplicates")

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="duplicate_candidates"
    )
    record_a = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    # Null with a decided status: settled by the automatic run (both joined one cluster).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DuplicateCandidateQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record_a", "record_b"], name="unique_candidate_pair"),
            models.CheckConstraint(
                condition=models.Q(record_a__lt=models.F("record_b")), name="candidate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["review", "status", "-score", "id"])]

    def __str__(self) -> str:
        return f"Pair {self.record_a_id} / {self.record_b_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class DedupKey(models.Model):
    """One blocking key of one record, stored so that an import's de-duplication finds the
    earlier records its new records must be compared with by index lookups, without loading
    the review (screening.dedup.incremental).

    ``key`` is a 64-bit hash of the key as ``screening.dedup.blocking.block_keys`` builds it
    ("doi", "10.1/x"), ("ay", "smith", 2012)...; two more say what the run knows of the record:
    ("seen", KEYS_VERSION), that it was compared (a record without it is new, or edited: an
    edit deletes the record's keys), and ("issue ignored", KEYS_VERSION). No column of the
    record itself changes, so a run never rewrites the record table.
    """

    # No database constraints: millions of rows are written in one run, and checking each
    # against its record at commit cost ~20 s at 100k records. The ORM still deletes the keys
    # with their record or review; a key left behind by a raw delete points at nothing and is
    # skipped.
    # Derived from the records: not in a review's backup; a restored review is keyed (and
    # compared) afresh at its next run, which keeps its clusters and decided pairs.
    BACKED_UP = False

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    key = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["review", "key"], name="dedupkey_review_key")]

    def __str__(self) -> str:
        return f"Key {self.key} of record {self.record_id}"


class DedupPrepared(models.Model):
    """A record as the de-duplication engine prepared it (``records.to_plain``, JSON), stored
    with its keys so a later run that compares it as a partner does not prepare it again.
    ``version`` is the KEYS_VERSION it was prepared under; another version is prepared afresh."""

    BACKED_UP = False  # derived, as DedupKey

    record = models.OneToOneField(
        Record, on_delete=models.CASCADE, primary_key=True, related_name="+", db_constraint=False
    )
    version = models.PositiveSmallIntegerField()
    data = models.TextField()

    def __str__(self) -> str:
        return f"Prepared record {self.record_id}"
