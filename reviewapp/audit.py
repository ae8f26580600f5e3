"""The one way to write the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent, Review


def record_event(
    review: Review | None,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    before: Any = None,
    after: Any = None,
    message: str = "",
) -> AuditEvent:
    """Append one row to the audit trail. Call it inside the operation's transaction."""
    return AuditEvent.objects.create(
        review=review,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        before=before,
        after=after,
        message=message,
    )
