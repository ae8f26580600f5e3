"""Tabs and the overview panel of extraction and coding (see reviewapp.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reviewapp.models import Role
from reviewapp.navigation import EXTRACT
from reviewapp.registry import NavItem, OverviewSection, WaitingWork, registry

CODERS = (Role.LEAD, Role.REVIEWER)


def _open_proposals(review, membership):
    """Open proposals to the codebook, for a lead: an expression (see registry.badge_counts)."""
    if not membership.is_lead:
        return 0
    from reviewapp.registry import count_of

    from .models import CodeProposal

    open_ones = CodeProposal.objects.filter(codebook__review=review, status="open")
    return count_of(open_ones, by="codebook__review_id")


def _extraction_waiting(review, membership):
    """Included studies still waiting for my extraction, as an expression over my Membership
    row (see registry.badge_counts): the review has a form with fields, I have not completed an
    extraction, and fewer extractors than the form asks for have."""
    from django.db.models import Exists, F, OuterRef, Subquery

    from reviewapp.registry import count_of

    from .models import Extraction, ExtractionField, ExtractionForm
    from .services import studies_for

    form = ExtractionForm.objects.filter(review=review)
    has_fields = Exists(ExtractionField.objects.filter(form__review=review))
    done = Extraction.objects.filter(study=OuterRef("pk"), completed=True, is_consensus=False)
    mine = done.filter(extractor_id=OuterRef(OuterRef("user_id")))
    waiting = (
        studies_for(review)
        .filter(has_fields)
        .alias(
            done=count_of(done, by="study_id"),
            needed=Subquery(form.values("extractors_per_study")[:1]),
        )
        .filter(~Exists(mine), done__lt=F("needed"))
    )
    return count_of(waiting)


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


def codings_to_recheck_many(review, memberships) -> dict[int, int]:
    """codings_to_recheck for many members: the review's codings to re-check, read once and
    counted by coder."""
    from collections import Counter

    from .services import codings_to_recheck as rechecks

    by_coder = Counter(item.coding.coder_id for item in rechecks(review))
    return {m.pk: by_coder.get(m.user_id, 0) for m in memberships}


registry.add_nav(
    NavItem(
        _("Extraction"),
        "extraction_table",
        CODERS,
        order=60,
        badge=_extraction_waiting,
        group=EXTRACT,
    )
)
registry.add_nav(
    NavItem(_("Codebook"), "codebook", CODERS, order=65, badge=_open_proposals, group=EXTRACT)
)
registry.add_nav(NavItem(_("Coding"), "coding_home", CODERS, order=70, group=EXTRACT))
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
        count_many=codings_to_recheck_many,
    )
)
