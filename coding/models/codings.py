"""A study's texts and the excerpts coders code against the codebook."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reviewapp.models import Review
from screening.models import Report, Study

from .codebook import Code, CodebookVersion


class SourceType(models.TextChoices):
    """Where a passage comes from: the seed's three data sources in a primary study, or the
    text of a review that reports on the study (a Coding's ``section`` says which part)."""

    RESULTS = "results", _("Results section")
    QUOTATION = "quotation", _("Participant quotation")
    INTERPRETATION = "interpretation", _("Author interpretation")
    REVIEW = "review", _("Review text")


class Document(models.Model):
    """A text of a study that coders work on: extracted from a report's PDF, or pasted."""

    class Origin(models.TextChoices):
        PDF = "pdf", _("Extracted from PDF")
        REPORT = "report", _("Report text")
        PASTED = "pasted", _("Pasted")

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="documents")
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    title = models.CharField(max_length=300)
    text = models.TextField()
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.PASTED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class CodingStatus(models.TextChoices):
    OPEN = "open", _("Coded")
    AGREED = "agreed", _("Agreed")
    REMOVED = "removed", _("Removed")


class CodingQuerySet(models.QuerySet["Coding"]):
    def current(self) -> CodingQuerySet:
        """Codings that count: not removed in reconciliation or replaced by a re-code."""
        return self.exclude(status=CodingStatus.REMOVED)

    def by(self, coder) -> CodingQuerySet:
        return self.filter(coder=coder)


class Coding(models.Model):
    """One code applied to one excerpt of a study's text by one coder, under one version."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="codings")
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="codings")
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="codings"
    )
    code = models.ForeignKey(Code, on_delete=models.RESTRICT, related_name="codings")
    version = models.ForeignKey(CodebookVersion, on_delete=models.RESTRICT, related_name="codings")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="codings"
    )
    excerpt = models.TextField()
    # Character offsets of the excerpt in document.text (end exclusive).
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    source_type = models.CharField(
        max_length=16, choices=SourceType.choices, default=SourceType.RESULTS
    )
    # Where in its source the passage stands, e.g. "Results: Barriers, individual level".
    section = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=CodingStatus.choices, default=CodingStatus.OPEN
    )
    # The latest version under which the coder confirmed it still fits a redefined code.
    checked_version = models.ForeignKey(
        CodebookVersion, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CodingQuerySet.as_manager()

    class Meta:
        ordering = ["study", "start", "id"]
        indexes = [
            models.Index(fields=["review", "code"]),
            models.Index(fields=["study", "coder"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} ← {self.excerpt[:40]}"

    @property
    def basis_version(self) -> CodebookVersion:
        """The version whose definition this coding was last judged against."""
        return self.checked_version or self.version
