"""What a duplicate is: the matching rules, as small named predicates in the order they apply.

``compare`` measures the evidence two prepared records give about each other once
(``evidence.Evidence``), then walks the rule table:

1. **Vetoes**: look-alikes that are different records by nature (a notice and its article,
   different PubMed ids, years far apart). Hard: never in one cluster.
2. **Recurring items and identifiers** (``identity``): editorials, errata lists and the like
   merge only on an agreeing issue, page or id; a shared DOI or PubMed id counts only where the
   records do not contradict it.
3. **Fuzzy certain rules**: title, authors, journal, volume, issue and pages together; the first
   rule that holds makes the pair certain. A different DOI is strong evidence against.
4. **Uncertain rules**: pairs worth a person's glance.
"""

from __future__ import annotations

from collections.abc import Callable

from .authors import same_byline
from .evidence import (
    CERTAIN,
    DIFFERENT,
    NOTICE_REASON,
    UNCERTAIN,
    Evidence,
    Verdict,
    gather_evidence,
)
from .identity import identifier_verdict, serial_item_verdict
from .normalise import compact
from .records import PreparedRecord

__all__ = ["CERTAIN", "DIFFERENT", "NOTICE_REASON", "UNCERTAIN", "Verdict", "compare"]

# ---------------------------------------------------------------------------------------------
# 1. Vetoes: look-alikes that are different records by nature (hard conflicts)
# ---------------------------------------------------------------------------------------------


def notice_and_its_work(e: Evidence) -> str | None:
    a, b = e.a, e.b
    same_print = bool(e.volume and e.issue and a.pages and a.pages == b.pages)
    # one database may drop the "Erratum:" of an erratum: same volume, issue and pages
    if a.markers != b.markers and not (same_print and e.title is not None and e.title >= 0.9):
        return f"{NOTICE_REASON}{', '.join(sorted(a.markers ^ b.markers))}"
    return None


def different_pubmed_ids(e: Evidence) -> str | None:
    return "different PubMed/database ids" if e.pmid_conflict and not e.same_doi else None


def years_far_apart(e: Evidence) -> str | None:
    if e.years_apart is not None and e.years_apart > 2 and not (e.same_doi or e.same_pmid):
        return f"years {e.a.year}/{e.b.year}"
    return None


VETOES: tuple[Callable[[Evidence], str | None], ...] = (
    notice_and_its_work,
    different_pubmed_ids,
    years_far_apart,
)


# ---------------------------------------------------------------------------------------------
# 3. Fuzzy rules that make a pair certain (the first that holds wins)
# ---------------------------------------------------------------------------------------------


def shares_long_title_end(a: str, b: str) -> bool:
    """The two normalised titles open or end with the same four or more words (25+ letters)."""
    wa, wb = a.split(), b.split()
    for xs, ys in ((wa, wb), (wa[::-1], wb[::-1])):
        n = 0
        while n < min(len(xs), len(ys)) and xs[n] == ys[n]:
            n += 1
        if n >= 4 and len("".join(xs[:n])) >= 25:
            return True
    return False


def same_title_authors_and_venue(e: Evidence) -> bool:
    t = e.t
    return e.clean and (
        (
            t >= 0.95
            and e.authors_ok
            and not e.venue_conflict
            and bool(e.author_evidence or e.venue_match or (e.journal and e.telling_title))
        )
        or (
            t >= 0.9
            and e.author_evidence
            and (e.venue_match or bool(e.journal and not e.venue_conflict))
        )
        or (
            t >= 0.8
            and e.venue_match
            and e.journal is not False
            and e.authors is not None
            and e.authors >= 0.9
        )
    )


def same_title_at_same_place(e: Evidence) -> bool:
    # same title at the same place in the same volume: author lists garbled by a database
    return (
        e.clean and e.t >= 0.95 and e.venue_match and e.years_apart == 0 and e.journal is not False
    )


def same_bibliographic_place(e: Evidence) -> bool:
    # journal, volume, issue and page range agree, and so do the authors: one article whatever
    # its title says. A database translated or transliterated it ("[German]", a Russian title
    # in Latin letters) and they share no words. A range, not one page: a page holds several
    # abstracts or letters; an issue, not only a volume: some journals start each issue at 1.
    # Two authors at one place are enough when a record says its title is a translation, and
    # then an issue one record lacks does not count against it.
    translated = e.a.translated or e.b.translated
    return bool(
        (translated or e.fewest_authors() >= 3)
        and e.full_pages
        and e.volume
        and (e.issue or (translated and e.issue is None))
        and e.journal
        and e.year_ok
        and not e.doi_conflict
        and e.authors is not None
        and e.authors >= 0.9
    )


def translated_title(e: Evidence) -> bool:
    # same authors, same journal, volume and page range: a translated or re-worded title (a
    # title translated back from Spanish shares few words with the English one, so with three
    # or more authors in common a quarter of the title is enough)
    return bool(
        e.full_pages
        and e.volume
        and e.issue is not False
        and e.years_apart == 0
        and e.journal
        and not (e.numbers_differ or e.doi_conflict)
        and (e.t >= 0.5 or (e.t >= 0.25 and e.fewest_authors() >= 3))
        and e.authors is not None
        and e.authors >= 0.9
    )


def same_journal_work(e: Evidence) -> bool:
    """Same title, authors, journal and year."""
    return bool(
        e.t >= 0.97
        and e.authors is not None
        and e.authors >= 0.9
        and e.years_apart == 0
        and e.journal
        and e.first_page is not False
        and not e.numbers_differ
    )


def volume_typed_differently(e: Evidence) -> bool:
    # a volume typed differently does not make a second work (abstract supplements are often
    # cited with the supplement number)
    return same_journal_work(e) and not e.doi_conflict


def wrongly_assigned_doi(e: Evidence) -> bool:
    # the same article with a wrongly assigned (e.g. supplement) DOI: everything else agrees,
    # down to volume, issue and first page
    return bool(
        e.doi_conflict
        and same_journal_work(e)
        and e.first_page
        and e.volume is not False
        and e.issue is not False
    )


def abstract_printed_twice(e: Evidence) -> bool:
    # the same meeting abstract printed twice in one volume ("e3" and "e8-e9" of one issue; "22"
    # and "52" of one supplement): same title, authors, journal, volume and year, one or two
    # pages each. A full article and its abstract (one is long) or an erratum in a later issue
    # (issues differ) never get here.
    return bool(
        e.first_page is False
        and e.t >= 0.98
        and len(compact(e.a.titles[0])) >= 40
        and e.authors is not None
        and e.authors >= 0.9
        and e.fewest_authors() >= 2
        and e.years_apart == 0
        and e.journal
        and e.volume
        and e.issue is not False
        and e.a.short
        and e.b.short
        and not (e.numbers_differ or e.doi_conflict)
    )


def online_first_same_byline(e: Evidence) -> bool:
    # an online-first record under its provisional title, with the same five or more authors in
    # the same order (a database cuts the list; it does not reorder it): one research group's two
    # papers on one topic, in one journal and year, differ in who signs them or in order. With
    # fewer authors in common the pair goes to the queue.
    return bool(
        e.one_unplaced()
        and e.journal
        and e.years_apart == 0
        and not (e.numbers_differ or e.doi_conflict)
        and same_byline(e.a.surnames, e.b.surnames, 5)
        and shares_long_title_end(e.a.titles[0], e.b.titles[0])
    )


Rule = tuple[Callable[[Evidence], bool], str | None]  # predicate, reason it adds

CERTAIN_RULES: tuple[Rule, ...] = (
    (same_title_authors_and_venue, None),
    (same_title_at_same_place, None),
    (same_bibliographic_place, "same journal, volume, issue and pages"),
    (translated_title, None),
    (volume_typed_differently, None),
    (wrongly_assigned_doi, None),
    (abstract_printed_twice, "same abstract printed twice in one volume"),
    (online_first_same_byline, "online-first record under its earlier title"),
)


# ---------------------------------------------------------------------------------------------
# 4. Rules that put a pair in front of a person
# ---------------------------------------------------------------------------------------------


def abstract_in_two_journals(e: Evidence) -> bool:
    # the same abstract printed in two journals: some reviews count it once, some twice
    return e.t >= 0.98 and (e.authors or 0) >= 0.9 and e.years_apart == 0


def numbered_sibling(e: Evidence) -> bool:
    # "part 1" / "part 2", "12-month" / "24-month": often a series, sometimes a typo
    return e.numbers_differ and e.t >= 0.9 and (e.authors or 0) >= 0.75 and e.year_ok


def similar_title_no_venue_conflict(e: Evidence) -> bool:
    return (
        e.t >= 0.9
        and (e.authors is None or e.authors >= 0.5)
        and (e.years_apart is None or e.years_apart <= 2)
        and not e.venue_conflict
    )


def reworded_title_same_place(e: Evidence) -> bool:
    return e.t >= 0.75 and e.authors is not None and e.authors >= 0.8 and e.venue_match


def online_first_reworded(e: Evidence) -> bool:
    # an online-first record (no volume, no pages) under its provisional title: "Complement
    # blockade in severe Shiga-toxin-associated HUS" / "Eculizumab in severe ...". The same
    # authors also write two papers on one topic in a year, so a person decides.
    return bool(
        e.one_unplaced()
        and e.journal
        and e.years_apart == 0
        and e.fewest_authors() >= 4
        and not (e.numbers_differ or e.doi_conflict)
        and shares_long_title_end(e.a.titles[0], e.b.titles[0])
        and e.authors is not None
        and e.authors >= 0.9
    )


UNCERTAIN_RULES: tuple[Rule, ...] = (
    (abstract_in_two_journals, None),
    (numbered_sibling, None),
    (similar_title_no_venue_conflict, None),
    (reworded_title_same_place, None),
    (online_first_reworded, "online-first record, title reworded?"),
)


# ---------------------------------------------------------------------------------------------
# The verdict
# ---------------------------------------------------------------------------------------------


def _describe(e: Evidence) -> None:
    a, b = e.a, e.b
    e.numbers_differ = bool(a.numbers and b.numbers and a.numbers != b.numbers)
    e.conf_vs_article = a.conference != b.conference
    if e.conf_vs_article and e.journal and e.years_apart == 0 and (b if a.conference else a).short:
        # the "article" is one or two pages of the same journal in the same year: the abstract
        # cited without its supplement ("Diabetes Metab Res Rev 30, 52" / "30 (Suppl 3), 52")
        e.conf_vs_article = False


def _fuzzy_reasons(e: Evidence) -> None:
    for holds, reason in (
        (e.venue_match, "same volume and first page"),
        (e.venue_conflict, "volume/pages differ"),
        (e.doi_conflict, "different DOIs"),
        (e.numbers_differ, "numbers in the titles differ"),
        (e.conf_vs_article, "conference abstract vs article"),
    ):
        if holds:
            e.reasons.append(reason)


def _is_certain(e: Evidence) -> bool:
    for rule, reason in CERTAIN_RULES:
        if rule(e):
            if reason:
                e.reasons.append(reason)
            # another issue and another first page: only a near-identical title stays certain
            return not (e.issue is False and not e.venue_match and e.t < 0.95)
    return False


def compare(a: PreparedRecord, b: PreparedRecord) -> Verdict:
    """How sure the engine is that ``a`` and ``b`` are one work, and why."""
    e = gather_evidence(a, b)
    verdict = _verdict(e)
    e.explain_authors(verdict.reasons)
    return verdict


def _verdict(e: Evidence) -> Verdict:
    for veto in VETOES:
        reason = veto(e)
        if reason:
            return Verdict(DIFFERENT, 0.0, [*e.reasons, reason], True)
    _describe(e)
    verdict = serial_item_verdict(e) or identifier_verdict(e)
    if verdict:
        return verdict
    if e.title is None:
        return Verdict(DIFFERENT, 0.0, e.reasons, False)

    _fuzzy_reasons(e)
    reasons = e.reasons
    if e.conf_vs_article and (
        e.journal is False or e.first_page is False or (e.years_apart or 0) >= 1
    ):
        # not merged by default; nor queued: the issue asks for abstracts to stay separate
        return Verdict(DIFFERENT, e.score_if_measured, reasons, True)
    if _is_certain(e):
        return Verdict(CERTAIN, e.score, reasons, False)

    if e.doi_conflict and not (
        e.t >= 0.97 and e.venue_match and e.author_evidence and e.issue is not False
    ):
        # a different DOI is strong evidence against: not even a person is asked
        return Verdict(DIFFERENT, e.score_if_measured, reasons, True)
    for rule, reason in UNCERTAIN_RULES:
        if rule(e):
            return Verdict(UNCERTAIN, e.score, [*reasons, reason] if reason else reasons, False)
    return Verdict(DIFFERENT, e.score_if_measured, reasons, e.venue_conflict and e.t < 0.5)
