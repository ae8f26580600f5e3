"""Tabs and the overview panel of extraction and coding (see reviewapp.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reviewapp.models import Role
from reviewapp.registry import NavItem, OverviewSection, WaitingWork, registry

CODERS = (Role.LEAD, Role.REVIEWER)


def _open_proposals(review, membership) -> int:
    if not membership.is_lead:
        return 0
    from .models import CodeProposal

    return CodeProposal.objects.filter(codebook__review=review, status="open").count()


def _overview(review, membership) -> dict:
    from .models import Coding, Extraction
    from .services import get_codebook, studies_for

    studies = studies_for(review)
    book = get_codebook(review)
    latest = book.latest_version()
    codings = Coding.objects.filter(review=review, study__in=studies).current()
    return {
        "slug": review.slug,
        "studies": studies.count(),
        "extracted": Extraction.objects.filter(study__in=studies, completed=True)
        .values("study_id")
        .distinct()
        .count(),
        "latest": latest,
        "codes": latest.code_versions.count() if latest else book.codes.draft().count(),
        "codings": codings.count(),
        "coded_studies": codings.values("study_id").distinct().count(),
    }


def codings_to_recheck(review, membership) -> int:
    """My codings made under an older definition of their code than the latest version's."""
    from .services import codings_to_recheck as rechecks

    return len(rechecks(review, coder=membership.user))


registry.add_nav(NavItem("Extraction", "extraction_table", CODERS, order=60))
registry.add_nav(NavItem("Codebook", "codebook", CODERS, order=65, badge=_open_proposals))
registry.add_nav(NavItem("Coding", "coding_home", CODERS, order=70))
registry.add_overview(OverviewSection("coding/_overview.html", _overview, CODERS, order=60))
registry.add_waiting(
    WaitingWork(
        "codings_to_recheck",
        _("Codings to re-check"),
        codings_to_recheck,
        lambda n: ngettext("%(n)d coding to re-check", "%(n)d codings to re-check", n) % {"n": n},
        "coding_recheck",
        roles=CODERS,
        order=70,
        url_query="?mine=1",
    )
)
