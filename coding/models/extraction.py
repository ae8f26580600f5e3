"""Study characteristics: the review's extraction form and each extractor's answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reviewapp.models import Review
from screening.models import Study


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    INT_RANGE = "int_range", _("Integer range (from–to)")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    COUNTRY = "country", _("Country/region")
    YEAR = "year", _("Year")


class ExtractionForm(models.Model):
    """The review's form; one per review, built by a lead."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="extraction_form")
    extractors_per_study = models.PositiveSmallIntegerField(
        default=1,
        choices=[(1, "One extractor"), (2, "Two extractors and a consensus")],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Extraction form of {self.review}"


class ExtractionSection(models.Model):
    form = models.ForeignKey(ExtractionForm, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class ExtractionField(models.Model):
    form = models.ForeignKey(ExtractionForm, on_delete=models.CASCADE, related_name="fields")
    section = models.ForeignKey(ExtractionSection, on_delete=models.CASCADE, related_name="fields")
    # Stable name of the answer in Extraction.values and the column in exports.
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=FieldKind.choices, default=FieldKind.TEXT)
    required = models.BooleanField(default=False)
    help_text = models.CharField(max_length=500, blank=True)
    choices = models.JSONField(default=list, blank=True, help_text=_("Options of a choice field"))
    min_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["section__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="unique_field_key"),
        ]

    def __str__(self) -> str:
        return self.label


class Extraction(models.Model):
    """One extractor's answers for one study, or the study's consensus answers."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="extractions")
    extractor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_consensus = models.BooleanField(default=False)
    values = models.JSONField(default=dict, blank=True)
    completed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["study", "is_consensus", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "extractor"],
                condition=Q(is_consensus=False),
                name="one_extraction_per_extractor",
            ),
            models.UniqueConstraint(
                fields=["study"], condition=Q(is_consensus=True), name="one_consensus_per_study"
            ),
        ]

    def __str__(self) -> str:
        who = "consensus" if self.is_consensus else str(self.extractor)
        return f"Extraction of {self.study} ({who})"
