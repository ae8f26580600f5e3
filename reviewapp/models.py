"""The core every stage leans on: people, reviews, their teams, the audit trail and the jobs
that run in the background."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person; they sign in with their email address."""

    username = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    # The interface language the person chose; empty: follow the browser.
    language = models.CharField(max_length=10, blank=True, choices=settings.LANGUAGES)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.email


class Stage(models.TextChoices):
    TITLE_ABSTRACT = "ta", _("Title/abstract")
    FULL_TEXT = "ft", _("Full text")


class ReviewQuerySet(models.QuerySet["Review"]):
    def for_user(self, user: User) -> ReviewQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user, memberships__active=True).distinct()


class Review(models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=60, unique=True)
    question = models.TextField(_("review question"), blank=True)
    description = models.TextField(blank=True)
    # Screening settings.
    required_decisions = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("Independent decisions each record needs (1–3)."),
    )
    maybe_opens_conflict = models.BooleanField(
        default=True,
        help_text=_("A Maybe from anyone sends the record to discussion."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("review_overview", args=[self.slug])

    def membership_for(self, user: User) -> Membership | None:
        if not user.is_authenticated:
            return None
        return self.memberships.filter(user=user, active=True).first()


class Criterion(models.Model):
    """One row of the eligibility table: a domain with its inclusion and exclusion text."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="criteria")
    domain = models.CharField(max_length=100)
    inclusion = models.TextField(blank=True)
    exclusion = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.domain


class ExclusionReason(models.Model):
    """A reason a record may be excluded at one stage, usually derived from a criterion."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="exclusion_reasons")
    stage = models.CharField(max_length=2, choices=Stage.choices)
    label = models.CharField(max_length=200)
    criterion = models.ForeignKey(
        Criterion, null=True, blank=True, on_delete=models.SET_NULL, related_name="reasons"
    )
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["stage", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "stage", "label"], name="unique_reason_label")
        ]

    def __str__(self) -> str:
        return self.label


def role_labels(roles: list[str]) -> list[str]:
    """Roles as people read them, in the interface's language ("lead, reviewer" in English)."""
    return [str(Role(r).label).lower() for r in roles if r in Role.values]


class Role(models.TextChoices):
    LEAD = "lead", _("Lead")
    REVIEWER = "reviewer", _("Reviewer")
    ADJUDICATOR = "adjudicator", _("Adjudicator")


class Membership(models.Model):
    """A person's place in a review. One person may hold several roles.

    Removing a member deactivates the row, so their past decisions stay attributed.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    is_lead = models.BooleanField(default=False)
    is_reviewer = models.BooleanField(default=False)
    is_adjudicator = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="unique_membership")]
        ordering = ["joined_at", "id"]

    def __str__(self) -> str:
        return f"{self.user} in {self.review}"

    @property
    def roles(self) -> list[str]:
        return [role for role in Role.values if self.has_role(role)]

    @property
    def role_labels(self) -> list[str]:
        return role_labels(self.roles)

    def has_role(self, role: str) -> bool:
        return bool(getattr(self, f"is_{role}"))

    def set_roles(self, roles: list[str] | set[str]) -> None:
        for role in Role.values:
            setattr(self, f"is_{role}", role in roles)

    def require(self, *roles: str) -> None:
        """Raise PermissionDenied unless this member holds one of the roles."""
        if roles and not any(self.has_role(role) for role in roles):
            raise PermissionDenied("Your role in this review does not allow this.")


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    roles = models.JSONField(default=list)
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.review}"

    def get_absolute_url(self) -> str:
        return reverse("accept_invitation", args=[self.token])

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and not self.revoked

    @property
    def role_labels(self) -> list[str]:
        return role_labels(self.roles)


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionDenied("The audit trail is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionDenied("The audit trail is append-only.")


class AuditEvent(models.Model):
    """Append-only: who did what, when, to which object, with before and after."""

    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["review", "object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.pop("_restore", False):
            raise PermissionDenied("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionDenied("The audit trail is append-only.")


class Job(models.Model):
    """One piece of background work of any kind (an import, a de-duplication run, a ranking
    retrain, a PDF's text...), from the moment it is asked for until it is done or given up.

    The row, not the broker's message, is what the work is: `reviewapp.jobs` sends a message for
    it, the worker running it writes a heartbeat, and the sweeper sends it again when the
    message could not be sent, was lost, or its worker stopped. Tasks are idempotent, so a
    second message for the same row does nothing or the same work again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    # Operational state, not part of a review's content: never in a backup archive.
    BACKED_UP = False

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    # The work itself ("<task>:<args>"): a queued job with the same key takes a new request.
    key = models.CharField(max_length=250, db_index=True)
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0, help_text=_("Times a worker started it"))
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent, at the last beat"))
    created_at = models.DateTimeField(default=timezone.now)
    # The last time the broker accepted a message for it (None: not sent yet).
    sent_at = models.DateTimeField(null=True, blank=True)
    send_failures = models.PositiveIntegerField(default=0)
    send_error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # What happened, oldest first: [{"at": iso time, "event": "...", ...}, ...].
    history = models.JSONField(default=list, blank=True)
    result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat")]

    def __str__(self) -> str:
        return f"{self.task}{self.args} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
