"""What identification tells the stages after it (they connect; identification imports none)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the import's transaction when a file's records are stored: job=ImportJob.
records_imported = Signal()
