"""The full-text stage: reports sought for retrieval, their files, and the studies they report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reviewapp.models import Review
from screening.models.records import OfRecordSearch, Record


class Study(models.Model):
    """A study; several reports (records) may belong to it. Extraction and coding work on studies."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="studies")
    label = models.CharField(max_length=200, help_text=_("e.g. 'Smith 2019'"))
    # The number the review's reference list gives the study, for citation lists like [3, 13, 41].
    reference_number = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference_number", "label", "id"]
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return self.label


class Report(OfRecordSearch):
    """A canonical record included at title/abstract: a report sought for retrieval."""

    class Retrieval(models.TextChoices):
        SOUGHT = "sought", _("Sought")
        RETRIEVED = "retrieved", _("Retrieved")
        NOT_RETRIEVED = "not_retrieved", _("Not retrieved")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    record = models.OneToOneField(Record, on_delete=models.CASCADE, related_name="report")
    study = models.ForeignKey(
        Study, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    retrieval = models.CharField(max_length=15, choices=Retrieval.choices, default=Retrieval.SOUGHT)
    file = models.FileField(upload_to="fulltext/%Y/%m/", blank=True, max_length=300)
    file_name = models.CharField(max_length=300, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    link = models.URLField(blank=True, max_length=1000)
    not_retrieved_reason = models.TextField(blank=True)
    text = models.TextField(
        blank=True, help_text="Text extracted from the PDF or pasted, for coding"
    )

    class TextStatus(models.TextChoices):
        NONE = "", _("No PDF text")
        QUEUED = "queued", _("Waiting to be read")
        RUNNING = "running", _("Being read")
        DONE = "done", _("Read")
        FAILED = "failed", _("Could not be read")

    # The PDF's text is read in the background (screening.fulltext.extraction): its state.
    text_status = models.CharField(
        max_length=10, choices=TextStatus.choices, default=TextStatus.NONE, blank=True
    )
    text_pages = models.PositiveIntegerField(default=0, help_text="Pages read so far")
    text_page_count = models.PositiveIntegerField(default=0, help_text="Pages the PDF declares")
    # Why the reading failed, or which limit cut it short.
    text_note = models.TextField(blank=True)
    text_attempts = models.PositiveSmallIntegerField(default=0)
    text_started_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Report of {self.record}"
