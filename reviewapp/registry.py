"""Extension points later stages plug into, so the core never imports them.

Apps register in their AppConfig.ready():
- review_nav: tabs in a review's navigation, shown to members holding one of the roles;
- overview_sections: panels on the review overview page;
- waiting: the work that waits for people in each stage (records to screen, conflicts to
  discuss, ...), counted by the stage that owns it; reviewapp.waiting reads it for the overview,
  the home page and `review_status`, and nav badges use the same counts;
- audit_redactors: hide audit values that would break blinding (e.g. pending decisions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str  # reversed with the review's slug
    roles: tuple[str, ...] = ()  # empty: every member
    order: int = 50
    badge: Callable[[Any, Any], int] | None = None  # (review, membership) -> count


@dataclass(frozen=True)
class OverviewSection:
    template: str
    context: Callable[[Any, Any], dict]  # (review, membership) -> template context
    roles: tuple[str, ...] = ()
    order: int = 50


@dataclass(frozen=True)
class WaitingWork:
    """One kind of work that waits for people, as its stage counts it."""

    key: str  # its name in `review_status --json`, e.g. "to_screen"
    heading: str  # a column heading on the overview, e.g. "To screen" (translated)
    count: Callable[[Any, Any], int]  # (review, membership) -> n; per_review: (review, None)
    describe: Callable[[int], str]  # n -> "3 records to screen" (translated)
    url_name: str  # the page where the work is done, reversed with the review's slug
    roles: tuple[str, ...] = ()  # who can have it (empty: every member)
    per_review: bool = False  # one figure for the review, done by any member holding the roles
    order: int = 50
    url_query: str = ""  # e.g. "?mine=1"


@dataclass
class Registry:
    review_nav: list[NavItem] = field(default_factory=list)
    overview_sections: list[OverviewSection] = field(default_factory=list)
    waiting: list[WaitingWork] = field(default_factory=list)
    # (review, events) -> ids of audit events whose values must stay hidden for now (blinding).
    audit_redactors: list[Callable[[Any, list], set[int]]] = field(default_factory=list)

    def add_nav(self, item: NavItem) -> None:
        if all(existing.url_name != item.url_name for existing in self.review_nav):
            self.review_nav.append(item)
            self.review_nav.sort(key=lambda i: i.order)

    def add_waiting(self, work: WaitingWork) -> None:
        if all(existing.key != work.key for existing in self.waiting):
            self.waiting.append(work)
            self.waiting.sort(key=lambda w: w.order)

    def add_overview(self, section: OverviewSection) -> None:
        if all(existing.template != section.template for existing in self.overview_sections):
            self.overview_sections.append(section)
            self.overview_sections.sort(key=lambda s: s.order)


registry = Registry()


def visible(roles: tuple[str, ...], membership: Any) -> bool:
    return not roles or any(membership.has_role(role) for role in roles)
