"""Celery tasks of identification and screening (thin wrappers; the work is in the services).

Each part registers its tasks by importing them here, so Celery's autodiscovery finds them.
"""

from __future__ import annotations

from screening.decisions.queues import build_assignments  # noqa: F401
from screening.decisions.stored import compute_agreement  # noqa: F401
from screening.dedup.service import dedup_review  # noqa: F401
from screening.identification.export_files import export_records_file  # noqa: F401
from screening.identification.imports import import_file  # noqa: F401
from screening.identification.search import index_records  # noqa: F401
from screening.ranking.service import retrain_ranking  # noqa: F401
from screening.transfer.background import apply_history, read_history  # noqa: F401
from screening.transfer.export_files import export_decisions_file  # noqa: F401
