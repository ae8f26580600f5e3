"""The coding framework: a draft tree of codes, its published versions and proposed codes.

The draft is the set of live Code rows (archived rows left the draft). Each Code keeps one
stable key for its whole life, so a published version is a set of CodeVersion rows (an
immutable copy of every code as it stood) and a coding made under any version still points to
the same Code row.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reviewapp.models import Review
from screening.models import Study


class Polarity(models.TextChoices):
    NONE = "", _("—")
    FACILITATOR = "facilitator", _("Facilitator")
    BARRIER = "barrier", _("Barrier")


class Codebook(models.Model):
    """One per review: the draft codes and their published versions."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="codebook")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Codebook of {self.review}"

    def latest_version(self) -> CodebookVersion | None:
        return self.versions.order_by("-number").first()


class CodeQuerySet(models.QuerySet["Code"]):
    def draft(self) -> CodeQuerySet:
        return self.filter(archived=False)


class Code(models.Model):
    """A framework level, a category, a theme or a subtheme: any node of the tree."""

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="codes")
    # Stable across versions and exports (the REFI-QDA guid).
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    inclusion = models.TextField("inclusion criteria", blank=True)
    exclusion = models.TextField("exclusion criteria", blank=True)
    example = models.TextField(blank=True)
    # Empty means "as the parent": a theme under "Individual › Facilitator" needs neither.
    level = models.CharField(
        max_length=60, blank=True, help_text=_("Framework level, e.g. individual; empty: inherited")
    )
    polarity = models.CharField(
        max_length=12, choices=Polarity.choices, blank=True, help_text=_("Empty: inherited")
    )
    color = models.CharField(max_length=7, blank=True)
    position = models.PositiveIntegerField(default=0)
    # Left the draft (removed, or merged into another code); kept for past codings.
    archived = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_codes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CodeQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["codebook", "key"], name="unique_code_key"),
        ]

    def __str__(self) -> str:
        return self.name

    DEFINING_FIELDS = ("definition", "inclusion", "exclusion")


class CodebookVersion(models.Model):
    """A published, immutable state of the codebook: v1, v2, …"""

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    note = models.TextField("change note")
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Every merge made up to this version, as {source key: target key}.
    merges = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["codebook", "number"], name="unique_version_number"),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"

    @property
    def label(self) -> str:
        return f"v{self.number}"


class CodeVersion(models.Model):
    """One code as it stood in one published version (never edited)."""

    version = models.ForeignKey(
        CodebookVersion, on_delete=models.CASCADE, related_name="code_versions"
    )
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="versions")
    key = models.UUIDField()
    parent_key = models.UUIDField(null=True, blank=True)
    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    inclusion = models.TextField(blank=True)
    exclusion = models.TextField(blank=True)
    example = models.TextField(blank=True)
    level = models.CharField(max_length=60, blank=True)
    polarity = models.CharField(max_length=12, blank=True)
    effective_level = models.CharField(max_length=60, blank=True)
    effective_polarity = models.CharField(max_length=12, blank=True)
    color = models.CharField(max_length=7, blank=True)
    position = models.PositiveIntegerField(default=0)
    # Pre-order place in the tree, depth and "A › B › C" path, so readers need no recursion.
    order = models.PositiveIntegerField(default=0)
    depth = models.PositiveSmallIntegerField(default=0)
    path = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="unique_code_in_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    MERGED = "merged", _("Merged into an existing code")
    DECLINED = "declined", _("Declined")


class CodeProposal(models.Model):
    """A new theme a coder met in the data, waiting for the lead's decision."""

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="proposals")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)
    definition = models.TextField()
    parent = models.ForeignKey(
        Code,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where it belongs in the tree"),
    )
    study = models.ForeignKey(
        Study, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    excerpt = models.TextField(blank=True, help_text=_("The passage that prompted it"))
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The code created on acceptance, or the existing code it was merged into.
    result_code = models.ForeignKey(
        Code, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == ProposalStatus.OPEN


class ProposalComment(models.Model):
    proposal = models.ForeignKey(CodeProposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.proposal}"
