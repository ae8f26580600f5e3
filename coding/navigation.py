"""Tabs and the overview panel of extraction and coding (see reviewapp.registry)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reviewapp.models import Role
from reviewapp.navigation import EXTRACT
from reviewapp.registry import NavItem, OverviewSection, WaitingWork, registry

CODERS = (Role.LEAD, Role.REVIEWER)


def _open_proposals(review, membership) -> int:
    if not membership.is_lead:
        return 0
    from .models import CodeProposal

    return CodeProposal.objects.filter(codebook__review=review, status="open").count()


def _extraction_waiting(review, membership) -> int:
    """Included studies still waiting for my extraction (one query): the review has a form with
    fields, I have not completed an extraction, and fewer extractors than the form asks for have.
    """
    from django.db.models import Count, Exists, F, Q, Subquery

    from .models import ExtractionField, ExtractionForm
    from .services import studies_for

    form = ExtractionForm.objects.filter(review=review)
    has_fields = Exists(ExtractionField.objects.filter(form__review=review))
    done = Q(extractions__completed=True, extractions__is_consensus=False)
    return (
        studies_for(review)
        .filter(has_fields)
        .annotate(
            done=Count("extractions", filter=done),
            mine=Count("extractions", filter=done & Q(extractions__extractor=membership.user_id)),
            needed=Subquery(form.values("extractors_per_study")[:1]),
        )
        .filter(mine=0, done__lt=F("needed"))
        .count()
    )


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
