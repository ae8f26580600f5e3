"""What de-duplication tells the stages after it (they connect; dedup imports none)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by the background de-duplication run once its clusters are written: review=Review.
dedup_finished = Signal()
