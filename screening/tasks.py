"""Celery tasks of identification and screening (thin wrappers; the work is in the services).

Each part registers its tasks by importing them here, so Celery's autodiscovery finds them.
"""

from __future__ import annotations
