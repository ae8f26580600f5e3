"""Tabs and overview panels of identification and screening (see reviewapp.registry).

Each part adds its own entries below.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reviewapp.navigation import APPRAISE, FULL_TEXT, IDENTIFY, REPORT, RESOLVE, SCREEN
from reviewapp.registry import NavItem, OverviewSection, WaitingWork, registry


# prisma: the flow diagram, for those who screen (adjudicators see only their conflicts).
def _prisma_overview(review, membership):
    from screening.views.prisma import diagram_context

    return diagram_context(review, membership)


registry.add_nav(NavItem(_("PRISMA"), "prisma", roles=("lead", "reviewer"), order=75, group=REPORT))
registry.add_overview(
    OverviewSection(
        "screening/prisma/_overview.html", _prisma_overview, roles=("lead", "reviewer"), order=80
    )
)


# Identification: searches and their imports, and the records they brought.
def _searches_overview(review, membership) -> dict:
    from screening.identification.imports import counts_by_phase, searches_with_counts

    return {
        "review": review,
        "searches": searches_with_counts(review),
        "phases": counts_by_phase(review),
    }


# Adjudicators see only the conflicts escalated to them, never the review's records.
STAFF = ("lead", "reviewer")
registry.add_nav(
    NavItem(_("Searches"), "search_list", STAFF, order=10, group=IDENTIFY, also=("imports/",))
)
registry.add_nav(NavItem(_("Records"), "record_list", STAFF, order=15, group=IDENTIFY))
registry.add_overview(
    OverviewSection(
        "screening/imports/_overview.html", _searches_overview, roles=("lead", "reviewer"), order=10
    )
)


# conflicts: every member sees the tab (an adjudicator sees only what is escalated to them);
# the badge counts the conflicts where this member must act next: to discuss, or to rule on.
def _conflicts_badge(review, membership):
    from screening.conflicts.waiting import waiting_subqueries

    counts = waiting_subqueries(review, membership)
    return counts["discuss"] + counts["adjudicate"]  # never both for one conflict


def conflicts_to_discuss(review, membership) -> int:
    from screening.conflicts.waiting import waiting_counts

    return waiting_counts(membership)["discuss"]


def conflicts_to_adjudicate(review, membership) -> int:
    from screening.conflicts.waiting import waiting_counts

    return waiting_counts(membership)["adjudicate"]


def _conflicts_many(review, memberships, key: str) -> dict[int, int]:
    from screening.conflicts.waiting import waiting_counts_many

    return {pk: counts[key] for pk, counts in waiting_counts_many(review, memberships).items()}


registry.add_nav(
    NavItem(_("Conflicts"), "conflict_list", order=40, badge=_conflicts_badge, group=RESOLVE)
)
registry.add_waiting(
    WaitingWork(
        "conflicts_to_discuss",
        _("Conflicts to discuss"),
        conflicts_to_discuss,
        lambda n: ngettext("%(n)d conflict to discuss", "%(n)d conflicts to discuss", n) % {"n": n},
        "conflict_list",
        order=40,
        count_many=lambda review, memberships: _conflicts_many(review, memberships, "discuss"),
    )
)
registry.add_waiting(
    WaitingWork(
        "conflicts_to_adjudicate",
        _("Conflicts to adjudicate"),
        conflicts_to_adjudicate,
        lambda n: (
            ngettext("%(n)d conflict to adjudicate", "%(n)d conflicts to adjudicate", n) % {"n": n}
        ),
        "conflict_list",
        roles=("adjudicator", "lead"),
        order=41,
        count_many=lambda review, memberships: _conflicts_many(review, memberships, "adjudicate"),
    )
)


# full text: retrieval, eligibility and studies, for those who screen; the badge counts the
# full texts waiting for my assessment.
def full_texts_to_assess(review, membership) -> int:
    """As the overview's figure (fulltext.service.to_assess_count), in one query: a record's
    assessors are assigned when it is included at title/abstract."""
    if not membership.is_reviewer:
        return 0
    from screening.fulltext.service import TO_ASSESS, sought_reports

    return sought_reports(review, membership.user_id).filter(TO_ASSESS).count()


def _full_texts_badge(review, membership):
    """full_texts_to_assess as an expression over the member's row (see registry.badge_counts)."""
    if not membership.is_reviewer:
        return 0
    from screening.fulltext.service import to_assess_subquery

    return to_assess_subquery(review)


def full_texts_to_assess_many(review, memberships) -> dict[int, int]:
    from screening.fulltext.service import to_assess_counts

    return to_assess_counts(review, [m.pk for m in memberships if m.is_reviewer])


registry.add_nav(
    NavItem(
        _("Full text"),
        "fulltext_list",
        STAFF,
        order=45,
        badge=_full_texts_badge,
        group=FULL_TEXT,
    )
)
registry.add_waiting(
    WaitingWork(
        "full_texts_to_assess",
        _("Full texts to assess"),
        full_texts_to_assess,
        lambda n: ngettext("%(n)d full text to assess", "%(n)d full texts to assess", n) % {"n": n},
        "fulltext_list",
        roles=("reviewer",),
        order=45,
        url_query="?show=todo",
        count_many=full_texts_to_assess_many,
    )
)


# appraisal: the included studies' critical appraisal; the badge counts my studies to appraise.
def _appraisal_badge(review, membership) -> int:
    from screening.appraisal.service import waiting_for

    return waiting_for(membership)


registry.add_nav(
    NavItem(
        _("Appraisal"), "appraisal_home", STAFF, order=47, badge=_appraisal_badge, group=APPRAISE
    )
)


# screen: my queue (badge = records waiting for me) and the team's progress.
def to_screen(review, membership) -> int:
    from screening.decisions.queues import queue_size

    return queue_size(review, membership.user_id) if membership.is_reviewer else 0


def _screen_badge(review, membership):
    """to_screen as an expression over the member's row (see registry.badge_counts), read
    after _queues_up_to_date."""
    if not membership.is_reviewer:
        return 0
    from screening.decisions.queues import queue_size_subquery

    return queue_size_subquery(review)


def _queues_up_to_date(review, membership) -> None:
    from screening.decisions.queues import ensure_assignments

    if membership.is_reviewer:
        ensure_assignments(review)


def to_screen_many(review, memberships) -> dict[int, int]:
    from screening.decisions.queues import queue_sizes

    reviewers = [m for m in memberships if m.is_reviewer]
    if not reviewers:
        return {}
    sizes = queue_sizes(review, [m.user_id for m in reviewers])
    return {m.pk: sizes.get(m.user_id, 0) for m in reviewers}


def _screen_overview(review, membership) -> dict:
    from screening.decisions.queues import queue_size
    from screening.decisions.service import team_progress

    return {
        "review": review,
        "team": team_progress(review),
        "is_lead": membership.is_lead,
        "queue": queue_size(review, membership.user_id, ensure=False)
        if membership.is_reviewer
        else None,
    }


registry.add_nav(
    NavItem(
        _("Screen"),
        "screen",
        ("reviewer",),
        order=30,
        badge=_screen_badge,
        group=SCREEN,
        prepare=_queues_up_to_date,
    )
)
registry.add_waiting(
    WaitingWork(
        "to_screen",
        _("To screen"),
        to_screen,
        lambda n: ngettext("%(n)d record to screen", "%(n)d records to screen", n) % {"n": n},
        "screen",
        roles=("reviewer",),
        order=30,
        count_many=to_screen_many,
    )
)
registry.add_nav(NavItem(_("Progress"), "screen_progress", STAFF, order=35, group=SCREEN))
registry.add_overview(
    OverviewSection(
        "screening/screen/_overview.html", _screen_overview, roles=("lead", "reviewer"), order=30
    )
)


# dedup: the lead's queue of pairs to check (badge = open pairs) and the overview line.
def duplicates_to_check(review, membership=None) -> int:
    from screening.dedup.service import open_pair_count

    return open_pair_count(review)


def _duplicates_badge(review, membership):
    """duplicates_to_check as an expression (see registry.badge_counts)."""
    from reviewapp.registry import count_of
    from screening.dedup.service import open_pairs

    return count_of(open_pairs(review))


def _dedup_overview(review, membership) -> dict:
    from screening.dedup.service import duplicates_removed, open_pair_count

    return {
        "review": review,
        "is_lead": membership.is_lead,
        "removed": duplicates_removed(review),
        "open": open_pair_count(review),
    }


registry.add_nav(
    NavItem(
        _("Duplicates"),
        "dedup_queue",
        ("lead",),
        order=20,
        badge=_duplicates_badge,
        group=IDENTIFY,
    )
)
# Any lead may settle a pair, so the review has one figure, not one per member.
registry.add_waiting(
    WaitingWork(
        "duplicates_to_check",
        _("Duplicate pairs to check"),
        duplicates_to_check,
        lambda n: (
            ngettext("%(n)d duplicate pair to check", "%(n)d duplicate pairs to check", n)
            % {"n": n}
        ),
        "dedup_queue",
        roles=("lead",),
        per_review=True,
        order=20,
    )
)
registry.add_overview(
    OverviewSection(
        "screening/dedup/_overview.html", _dedup_overview, roles=("lead", "reviewer"), order=15
    )
)


# ranking: registers the "relevance" queue order; the lead's page to switch it on and to stop.
from screening.ranking import service as ranking_service  # noqa: E402, F401

registry.add_nav(NavItem(_("Ranking"), "ranking", ("lead",), order=36, group=SCREEN))


# Blinding in the audit trail: a decision's values stay hidden, even from leads, until its
# record is resolved or in conflict at that stage (when the people concerned see them anyway).
def _hide_pending_decisions(review, events) -> set[int]:
    from screening.models import Decision, Outcome, RecordStatus

    decision_events = [e for e in events if e.action.startswith("decision.")]
    if not decision_events:
        return set()
    by_decision = {
        str(pk): (record_id, stage)
        for pk, record_id, stage in Decision.objects.filter(
            review=review,
            pk__in=[e.object_id for e in decision_events if e.object_type == "screening.decision"],
        ).values_list("pk", "record_id", "stage")
    }
    record_ids = {r for r, _ in by_decision.values()} | {
        int(e.object_id) for e in decision_events if e.object_type == "screening.record"
    }
    outcomes: dict[int, dict[str, str]] = {}
    for record_id, stage, outcome in RecordStatus.objects.filter(
        review=review, record_id__in=record_ids
    ).values_list("record_id", "stage", "outcome"):
        outcomes.setdefault(record_id, {})[stage] = outcome
    open_to_see = {Outcome.INCLUDED, Outcome.EXCLUDED, Outcome.CONFLICT}
    hidden = set()
    for event in decision_events:
        if event.object_type == "screening.decision":
            where = by_decision.get(event.object_id)
            seen = where is not None and outcomes.get(where[0], {}).get(where[1]) in open_to_see
        else:  # an undone decision: its record must be settled at every stage it has reached
            stages = outcomes.get(int(event.object_id), {})
            seen = bool(stages) and all(o in open_to_see for o in stages.values())
        if not seen:
            hidden.add(event.pk)
    return hidden


registry.audit_redactors.append(_hide_pending_decisions)
