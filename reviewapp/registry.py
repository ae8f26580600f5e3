"""Extension points later stages plug into, so the core never imports them.

Apps register in their AppConfig.ready() (each app's navigation.py):
- nav_groups: the workflow's stages (Identify, Screen, Resolve, ...), in the order the work runs;
  the core registers them (reviewapp/navigation.py), a stage without pages stays hidden;
- review_nav: pages in a review's navigation, each in one stage group, shown to members holding
  one of the roles, with the count of work waiting there for this member (``badge``: where a
  page has waiting work registered below, the same conditions). A badge gives its count as a
  query expression over the member's Membership row where it can (see count_of): every page of
  a review shows the navigation, and its expression badges are counted in one SELECT
  (badge_counts);
- overview_sections: panels on the review overview page;
- waiting: the work that waits for people in each stage (records to screen, conflicts to
  discuss, ...), counted by the stage that owns it, for one member and, where the stage can,
  for many at once (``count_many``: a fixed number of queries however large the team);
  reviewapp.waiting reads it for the overview, the home page and `review_status`, and nav
  badges use the same counts;
- audit_redactors: hide audit values that would break blinding (e.g. pending decisions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: Any  # str or a lazy translation
    order: int = 50


@dataclass(frozen=True)
class NavItem:
    label: Any  # str or a lazy translation
    url_name: str  # reversed with the review's slug
    roles: tuple[str, ...] = ()  # empty: every member
    order: int = 50
    # (review, membership) -> work waiting: an int, or an expression over the member's
    # Membership row (OuterRef("user_id"), ...) that badge_counts evaluates with the others.
    # An expression must depend only on the review and the member's roles (their ids come from
    # the row): its SQL is compiled once per review and roles, and reused.
    badge: Callable[[Any, Any], Any] | None = None
    # (review, membership) -> None, run before every reading of the badge (e.g. bringing the
    # screening queues up to date), since a reused expression badge is not called again.
    prepare: Callable[[Any, Any], None] | None = None
    group: str = ""  # a NavGroup key; empty: a page of its own (the overview)
    # Further paths under the review (e.g. "imports/") whose pages belong to this item.
    also: tuple[str, ...] = ()


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
    # (review, memberships) -> {membership pk: n}, the same figures as ``count`` for each of
    # them in a fixed number of queries (the overview's table of every member); without it the
    # table asks ``count`` once per member. Only members whose roles give them the work are
    # passed.
    count_many: Callable[[Any, list], dict[int, int]] | None = None


@dataclass
class Registry:
    nav_groups: list[NavGroup] = field(default_factory=list)
    review_nav: list[NavItem] = field(default_factory=list)
    overview_sections: list[OverviewSection] = field(default_factory=list)
    waiting: list[WaitingWork] = field(default_factory=list)
    # (review, events) -> ids of audit events whose values must stay hidden for now (blinding).
    audit_redactors: list[Callable[[Any, list], set[int]]] = field(default_factory=list)

    def add_group(self, group: NavGroup) -> None:
        if all(existing.key != group.key for existing in self.nav_groups):
            self.nav_groups.append(group)
            self.nav_groups.sort(key=lambda g: g.order)

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


def count_of(queryset: Any, by: str = "review_id") -> Any:
    """The rows of `queryset` counted, as a scalar subquery (0 when none): grouped by `by`, a
    column every row shares (the review), so the subquery yields one row or none. The
    queryset may refer to the Membership row outside with OuterRef."""
    from django.db.models import Count, IntegerField, Subquery, Value
    from django.db.models.functions import Coalesce

    counted = queryset.order_by().values(by).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class _Select:
    """One SELECT of badge expressions, compiled: its SQL, and its parameters but the last
    (the membership's pk, its one WHERE parameter)."""

    keys: tuple[str, ...]
    sql: str
    params: tuple


def _compile(membership: Any, expressions: dict[str, Any]) -> _Select:
    if not expressions:
        return _Select((), "", ())
    aliases = {f"badge_{i}": key for i, key in enumerate(expressions)}
    query = (
        type(membership)
        ._default_manager.filter(pk=membership.pk)
        .order_by()
        .values(**{alias: expressions[key] for alias, key in aliases.items()})
        .query
    )
    sql, params = query.sql_with_params()
    if not params or params[-1] != membership.pk:
        raise ValueError("A badge's SELECT must end with the membership's pk as its parameter.")
    return _Select(tuple(aliases.values()), sql, tuple(params[:-1]))


def _run(select: _Select, membership_pk: int) -> dict[str, int]:
    if not select.keys:
        return {}
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(select.sql, (*select.params, membership_pk))
        row = cursor.fetchone()
    return {key: int(n or 0) for key, n in zip(select.keys, row or (), strict=False)}


# (review pk, the member's roles, the badges) -> (those given as expressions, their SELECT).
# Bounded: cleared when full (a process serves a few reviews, each with at most eight sets of
# roles).
_selects: dict[tuple, tuple[frozenset[str], _Select]] = {}
_SELECTS_KEPT = 512


def badge_counts(review: Any, membership: Any) -> dict[str, int]:
    """The work waiting on each page of the navigation this member sees, by url name: the
    badges given as expressions in one query (built and compiled once per review and roles),
    the others by themselves."""
    items = [i for i in registry.review_nav if i.badge and visible(i.roles, membership)]
    for item in items:
        if item.prepare:
            item.prepare(review, membership)
    key = (review.pk, tuple(membership.roles), tuple((i.url_name, i.badge) for i in items))
    known = _selects.get(key)
    if known is None:  # the first page of these roles: every badge called
        values = {item.url_name: item.badge(review, membership) for item in items}
        expressions = {k: v for k, v in values.items() if not isinstance(v, int)}
        select = _compile(membership, expressions)
        if len(_selects) >= _SELECTS_KEPT:
            _selects.clear()
        _selects[key] = (frozenset(expressions), select)
        counts = {k: int(v) for k, v in values.items() if k not in expressions}
    else:  # later ones: only the badges that count by themselves
        together, select = known
        counts = {
            item.url_name: int(item.badge(review, membership))
            for item in items
            if item.url_name not in together
        }
    counts.update(_run(select, membership.pk))
    return counts


def waiting_badge(n: int, *, page: str = "", stage: str = "") -> str:
    """A tab's or page's badge of waiting work, hidden at 0 (static/js/screen.js updates it):
    written here rather than by an included template, which cost about 1.5 ms of each page's
    CPU for the 22 badges of the navigation."""
    from django.utils.formats import localize
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext

    where = (
        format_html('data-waiting-page="{}"', page)
        if page
        else format_html('data-waiting-stage="{}"', stage)
    )
    shown = localize(n)
    return format_html(
        '<span class="waiting" {}{}> <span class="badge" aria-hidden="true">{}</span>'
        '<span class="visually-hidden waiting-text">{}</span></span>',
        where,
        "" if n else " hidden",
        shown,
        # A translation is trusted as the template's blocktranslate trusted it.
        mark_safe(gettext("(%(n)s waiting for you)") % {"n": shown}),
    )


@dataclass
class Page:
    """One page of the navigation as a member sees it."""

    item: NavItem
    url: str
    waiting: int = 0
    active: bool = False

    @property
    def label(self) -> Any:
        return self.item.label

    @property
    def url_name(self) -> str:
        return self.item.url_name

    @property
    def counts(self) -> bool:
        return self.item.badge is not None

    @property
    def waiting_html(self) -> str:
        return waiting_badge(self.waiting, page=self.url_name) if self.counts else ""


@dataclass
class StageNav:
    """A stage group with the pages this member may open and the work waiting there."""

    group: NavGroup | None
    pages: list[Page]

    @property
    def key(self) -> str:
        return self.group.key if self.group else self.pages[0].url_name

    @property
    def label(self) -> Any:
        return self.group.label if self.group else self.pages[0].label

    @property
    def url(self) -> str:
        return self.pages[0].url

    @property
    def waiting(self) -> int:
        return sum(page.waiting for page in self.pages)

    @property
    def counts(self) -> bool:
        """Whether any of its pages counts waiting work (then its tab has a badge's place)."""
        return any(page.counts for page in self.pages)

    @property
    def active(self) -> bool:
        return any(page.active for page in self.pages)

    @property
    def waiting_html(self) -> str:
        return waiting_badge(self.waiting, stage=self.key) if self.counts else ""


class ReviewNav(list):
    """The stages of a review's navigation, with the totals a collapsed menu shows."""

    @property
    def waiting(self) -> int:
        return sum(stage.waiting for stage in self)

    @property
    def active_stage(self) -> StageNav | None:
        return next((stage for stage in self if stage.active), None)


# Each page's path below its review's own (/r/<slug>/), by url name: reversed once per
# process with a stand-in slug, then put after the review's path. Reversing each page's URL
# on every page of a review cost 10 us a page, up to 19 of them.
_below_review: dict[str, str] = {}
_STAND_IN = "stand-in"


def _page_url(url_name: str, review_path: str) -> str:
    below = _below_review.get(url_name)
    if below is None:
        from django.urls import reverse

        root, url = (reverse(name, args=[_STAND_IN]) for name in ("review_overview", url_name))
        if not url.startswith(root):
            raise ValueError(f"{url_name}: a review's page must be below the review's path")
        below = _below_review[url_name] = url.removeprefix(root)
    return review_path + below


def _pages(review: Any, membership: Any, review_path: str) -> list[Page]:
    waiting = badge_counts(review, membership)
    return [
        Page(item, _page_url(item.url_name, review_path), waiting.get(item.url_name, 0))
        for item in registry.review_nav
        if visible(item.roles, membership)
    ]


def navigation_for(review: Any, membership: Any, path: str = "") -> ReviewNav:
    """The review's stages as this member sees them: only pages their roles open, each with
    the work waiting for them; the page `path` belongs to is marked active."""
    from django.urls import reverse

    root = reverse("review_overview", args=[review.slug])
    pages = _pages(review, membership, root)
    _mark_active(root, pages, path)
    stages: list[StageNav] = [StageNav(None, [p]) for p in pages if not p.item.group]
    by_key = {g.key: StageNav(g, []) for g in registry.nav_groups}
    for page in pages:
        if page.item.group in by_key:
            by_key[page.item.group].pages.append(page)
    stages.extend(s for s in by_key.values() if s.pages)
    return ReviewNav(stages)


def _mark_active(root: str, pages: list[Page], path: str) -> None:
    """The page whose URL (or one of its `also` paths below the review's, `root`) is the
    longest prefix of `path`."""
    if not path:
        return
    best, best_len = None, 0
    for page in pages:
        prefixes = [page.url, *(root + extra for extra in page.item.also)]
        for prefix in prefixes:
            exact_only = prefix == root  # the overview is active on itself alone
            if (path == prefix if exact_only else path.startswith(prefix)) and len(
                prefix
            ) > best_len:
                best, best_len = page, len(prefix)
    if best is not None:
        best.active = True
