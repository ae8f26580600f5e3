"""Tabs and overview panels of identification and screening (see reviewapp.registry).

Each part adds its own entries below.
"""

from __future__ import annotations

from reviewapp.registry import NavItem, OverviewSection, registry  # noqa: F401
