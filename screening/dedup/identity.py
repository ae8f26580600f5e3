"""Identifiers as evidence, not verdicts, and the recurring items whose titles prove nothing.

A DOI or PubMed id names one work, but databases copy them wrongly: a conference abstract
carries the DOI of the article it became, a supplement's DOI sits on every abstract in it, one
research group's two papers share one. So a shared id merges two records only when the rest of
the record does not contradict it; when the records disagree about where they were printed, a
person decides. A *different* DOI is strong evidence against (``rules``).

Recurring items ("Editor's Comments", "Errata", "Book reviews") have the same title and editor
in every issue: for them only the place (issue, pages) or a shared id can tell two records
apart, so they merge when those agree and otherwise stay apart or go to a person.
"""

from __future__ import annotations

from .evidence import CERTAIN, DIFFERENT, UNCERTAIN, Evidence, Verdict
from .venue import is_roman


def misplaced(e: Evidence) -> str | None:
    """Why a shared identifier cannot be trusted here, or None."""
    agree, disagree = e.placement()
    if disagree >= 3 or (disagree >= 2 and agree == 0):
        # other journal, other year, other volume, other pages: one database's id is wrong
        return "but printed in different places"
    if e.conf_vs_article and (
        e.journal is False or e.first_page is False or (e.years_apart or 0) >= 1
    ):
        return "but one is a conference abstract, the other an article"
    if e.numbers_differ and not e.venue_match:
        return "but numbers in the titles differ"
    return None


def identifier_verdict(e: Evidence) -> Verdict | None:
    """The verdict a shared PubMed/database id or DOI supports, or None without one."""
    t = e.title
    if (e.same_pmid or e.shared_ids) and (t is None or t >= 0.6):
        reasons = [*e.reasons, "same PubMed/database id"]
        why = misplaced(e)
        if why:
            return Verdict(UNCERTAIN, e.score, [*reasons, why], True)
        return Verdict(CERTAIN, 1.0, reasons, False)
    if not e.same_doi:
        return None
    e.reasons.append("same DOI")
    why = misplaced(e)
    if why and (t is None or t >= 0.6):
        # never merged, and never a link that joins two groups: a person decides
        return Verdict(UNCERTAIN, e.score, [*e.reasons, why], True)
    # supplements and conference books put one DOI on many abstracts: the title must agree
    if not why and (t is None or t >= 0.9):
        return Verdict(CERTAIN, 0.99, e.reasons, False)
    if (
        not why
        and t is not None
        and (t >= 0.8 or (t >= 0.6 and (e.authors or 0) >= 0.8))
        and e.first_page is not False
        and e.volume is not False
    ):
        # a reworded title at the same place
        return Verdict(CERTAIN, 0.99, e.reasons, False)
    if t is not None and t >= 0.6 and (e.authors or 0) >= 0.8:
        # one group's two papers sharing one (wrong) DOI, or one paper retitled: a person looks
        return Verdict(UNCERTAIN, e.score, [*e.reasons, "but titles and pages differ"], True)
    return Verdict(DIFFERENT, 0.0, [*e.reasons, "but different titles"], False)


def serial_item_verdict(e: Evidence) -> Verdict | None:
    """The verdict on two recurring items ("Editor's Comments", "Errata"), or None when
    neither is one."""
    a, b = e.a, e.b
    if not (a.generic or b.generic):
        return None
    reasons = [*e.reasons, "recurring item"]
    if e.title is None or e.title < 0.9:
        return Verdict(DIFFERENT, 0.0, reasons, False)
    same_id = e.same_doi or e.same_pmid or e.shared_ids
    conflicts = [
        why
        for holds, why in (
            (e.doi_conflict, "different DOIs"),
            (e.issue is False, "issues differ"),
            (e.first_page is False, "pages differ"),
            (e.volume is False, "volumes differ"),
            (e.journal is False, "journals differ"),
            ((e.years_apart or 0) >= 1, "years differ"),
            (e.authors is not None and e.authors < 0.5, "authors differ"),
        )
        if holds
    ]
    if conflicts:
        # a shared id on two issues' items was copied wrongly: a person decides
        kind = UNCERTAIN if same_id else DIFFERENT
        return Verdict(kind, e.score, [*reasons, *conflicts], True)
    # Roman front-matter pages start again in every issue: page "iii" alone places nothing
    placed = (
        same_id
        or (
            e.first_page is True
            and (
                e.issue is True
                or (e.volume is True and not (is_roman(a.pages) or is_roman(b.pages)))
            )
        )
        or (e.issue is True and e.volume is True)
    )
    if placed:
        return Verdict(CERTAIN, e.score, [*reasons, "same issue/pages/id"], False)
    if e.journal and e.years_apart == 0:
        # which issue's item is the record without issue, pages or id? Only a person can tell
        return Verdict(UNCERTAIN, e.score, [*reasons, "issue unknown"], True)
    return Verdict(DIFFERENT, e.score, reasons, True)
