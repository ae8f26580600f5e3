"""Critical appraisal of included studies: tools, each appraiser's judgements, the agreed result.

Built-in tools live in code (screening.appraisal.tools); a lead's own tools are stored here,
versioned like the codebook: each published version is immutable, and every appraisal names the
tool version it was made with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reviewapp.models import Review
from screening.models.fulltext import Study


class AppraisalTool(models.Model):
    """A lead's own appraisal tool; its items and answers are in its versions."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="appraisal_tools")
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "key"], name="one_tool_key_per_review")
        ]

    def __str__(self) -> str:
        return self.name

    def latest_version(self) -> AppraisalToolVersion | None:
        return self.versions.order_by("-number").first()


class AppraisalToolVersion(models.Model):
    """One published version: {"items": [{number, text}], "answers": [{key, label, level}],
    "overall": [{key, label}]} (levels: good, bad, unsure, na — the figure's colours)."""

    tool = models.ForeignKey(AppraisalTool, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tool", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "number"], name="one_tool_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.tool} v{self.number}"


class AppraisalPlan(models.Model):
    """Which tool the review appraises with; a study may use another (its design differs)."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="appraisal_plan")
    tool_key = models.CharField(max_length=60)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Appraisal plan of {self.review}"

    def tool_key_for(self, study_id: int) -> str:
        if not hasattr(self, "_per_study"):
            self._per_study = dict(
                StudyAppraisalTool.objects.filter(review_id=self.review_id).values_list(
                    "study_id", "tool_key"
                )
            )
        return self._per_study.get(study_id, self.tool_key)


class StudyAppraisalTool(models.Model):
    """Another tool for one study, whose design the review's tool does not fit."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    study = models.OneToOneField(Study, on_delete=models.CASCADE, related_name="appraisal_tool")
    tool_key = models.CharField(max_length=60)

    def __str__(self) -> str:
        return f"{self.study}: {self.tool_key}"


class AppraisalQuerySet(models.QuerySet["Appraisal"]):
    def submitted(self) -> AppraisalQuerySet:
        return self.filter(submitted_at__isnull=False)


class Appraisal(models.Model):
    """One appraiser's independent judgement of one study with one tool."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="appraisals")
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="appraisals")
    appraiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appraisals"
    )
    tool_key = models.CharField(max_length=60)
    tool_version = models.CharField(max_length=20)
    category = models.CharField(max_length=20, blank=True)  # MMAT's study category
    # {item number: {"answer": key, "comment": text}}
    answers = models.JSONField(default=dict, blank=True)
    overall = models.CharField(max_length=30, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppraisalQuerySet.as_manager()

    class Meta:
        ordering = ["study", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "appraiser", "tool_key"], name="one_appraisal_per_appraiser"
            )
        ]

    def __str__(self) -> str:
        return f"Appraisal of {self.study} by {self.appraiser_id}"


class AppraisalResult(models.Model):
    """The agreed appraisal of a study: by agreement, consensus or the adjudicator's ruling."""

    class Resolution(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement")
        CONSENSUS = "consensus", _("Consensus")
        ADJUDICATED = "adjudicated", _("Adjudicated")
        LEAD = "lead", _("Decided by a lead")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="appraisal_results")
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="appraisal_results")
    tool_key = models.CharField(max_length=60)
    tool_version = models.CharField(max_length=20)
    category = models.CharField(max_length=20, blank=True)
    answers = models.JSONField(default=dict)  # {item number: {"answer", "comment"}}
    overall = models.CharField(max_length=30, blank=True)
    resolution = models.CharField(max_length=12, choices=Resolution.choices)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["study", "id"]
        constraints = [
            models.UniqueConstraint(fields=["study", "tool_key"], name="one_result_per_study_tool")
        ]

    def __str__(self) -> str:
        return f"Appraisal result of {self.study}"
