"""What a lead enters on the PRISMA 2020 diagram: the few numbers the data cannot know and the
wording of its boxes. Every other number is counted from the database (screening.prisma)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reviewapp.models import Review


class PrismaOverride(models.Model):
    """One box line of one review's diagram as the lead set it.

    ``data`` is a ``data`` name of the PRISMA2020 CSV template ("excluded_other") or a template
    box name ("newstud", "box3"). ``value`` is a manual count — allowed only for the names in
    ``screening.prisma.MANUAL_FIELDS`` and marked as typed in wherever the diagram is exported;
    ``box_text`` replaces the template's wording of that line.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="prisma_overrides")
    data = models.CharField(max_length=40)
    value = models.PositiveIntegerField(null=True, blank=True)
    box_text = models.CharField(max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["data"]
        constraints = [
            models.UniqueConstraint(fields=["review", "data"], name="one_prisma_override_per_box")
        ]

    def __str__(self) -> str:
        return f"{self.data}: {self.value if self.value is not None else self.box_text}"
