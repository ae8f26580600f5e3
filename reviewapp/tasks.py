"""Celery tasks of the core, found by Celery's autodiscovery: the sweeper of background jobs."""

from __future__ import annotations

from reviewapp.jobs import sweep  # noqa: F401
