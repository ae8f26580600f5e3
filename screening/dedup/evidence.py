"""What two prepared records say about each other, measured once per pair, and the verdict the
rules (``rules``) reach on it."""

from __future__ import annotations

from dataclasses import dataclass

from .authors import author_similarity
from .records import PreparedRecord, title_similarity
from .venue import issue_agreement, journal_compatible

CERTAIN = "certain"
UNCERTAIN = "uncertain"
DIFFERENT = "different"

NOTICE_REASON = "only one is a "


@dataclass(slots=True)
class Verdict:
    kind: str
    score: float
    reasons: list[str]
    hard_conflict: bool  # never in one cluster, whatever else links them


def shifted(a: PreparedRecord, b: PreparedRecord) -> bool:
    """`a` lost its volume and the rest moved one column left: a's issue is b's volume and a's
    "pages" are b's issue."""
    return bool(
        not a.volume
        and a.issue
        and a.issue == b.volume
        and a.first_page
        and a.first_page == b.issue
        and not a.last_page
    )


# ---------------------------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Evidence:
    """What two records say about each other. ``None`` means "cannot tell" (a field is missing),
    ``False`` a disagreement."""

    a: PreparedRecord
    b: PreparedRecord
    same_doi: bool
    doi_conflict: bool
    same_pmid: bool
    pmid_conflict: bool
    shared_ids: bool
    title: float | None  # title similarity 0..1
    years_apart: int | None
    journal: bool | None
    volume: bool | None
    first_page: bool | None
    issue: bool | None
    full_pages: bool  # the same page range (not a single page)
    reasons: list[str]
    numbers_differ: bool = False
    conf_vs_article: bool = False
    # author similarity is the dearest measure and most pairs are told apart without it, so
    # it is measured on first use (``authors``)
    _authors: float | None = None
    _authors_measured: bool = False

    @property
    def authors(self) -> float | None:
        """Share of the shorter author list found in the longer one (None: a list is empty)."""
        if not self._authors_measured:
            self._authors = author_similarity(self.a.surnames, self.b.surnames)
            self._authors_measured = True
        return self._authors

    def explain_authors(self, reasons: list[str]) -> list[str]:
        """``reasons`` with the author similarity after the title's, once it was measured."""
        if self._authors_measured and self._authors is not None:
            reasons.insert(1 if self.title is not None else 0, f"authors {self._authors:.2f}")
        return reasons

    @property
    def t(self) -> float:
        """Title similarity once both titles are known (the fuzzy rules only run then)."""
        return self.title or 0.0

    @property
    def venue_match(self) -> bool:
        return bool(self.volume and self.first_page)

    @property
    def venue_conflict(self) -> bool:
        return self.volume is False or self.first_page is False

    @property
    def authors_ok(self) -> bool:
        return self.authors is None or self.authors >= 0.75

    @property
    def author_evidence(self) -> bool:
        # a missing author list is common in one database; then the venue must carry the evidence
        return self.authors is not None and self.authors >= 0.75

    @property
    def telling_title(self) -> bool:
        """Both titles have four words or more: a one- or two-word title ("Standards",
        "Database principles") names a column or a topic that many items share, so it tells
        one item from another only with the authors or the place in the volume."""
        return all(len(p.titles[0].split()) >= 4 for p in (self.a, self.b) if p.titles)

    @property
    def year_ok(self) -> bool:
        return self.years_apart is None or self.years_apart <= 1

    @property
    def clean(self) -> bool:
        """Nothing speaks against the pair: title numbers and DOIs agree, years close."""
        return not (self.numbers_differ or self.doi_conflict) and self.year_ok

    @property
    def score(self) -> float:
        au = self.authors if self.authors is not None else 0.5
        return round(0.55 * self.t + 0.3 * au + 0.15 * (1.0 if self.venue_match else 0.0), 4)

    @property
    def score_if_measured(self) -> float:
        """The score where the authors were measured anyway, else 0: a different pair's score
        is never used, and measuring authors only for it would cost the most."""
        return self.score if self._authors_measured else 0.0

    def placement(self) -> tuple[int, int]:
        """(agreements, disagreements) about where the two were printed: journal, year,
        volume, first page."""
        year = None if self.years_apart is None else self.years_apart == 0
        fields = (self.journal, year, self.volume, self.first_page)
        return sum(f is True for f in fields), sum(f is False for f in fields)

    def fewest_authors(self) -> int:
        return min(len(self.a.surnames), len(self.b.surnames))

    def one_unplaced(self) -> bool:
        """One record has neither volume nor pages (an online-first record)."""
        return not (self.a.volume or self.a.pages) or not (self.b.volume or self.b.pages)


def gather_evidence(a: PreparedRecord, b: PreparedRecord) -> Evidence:
    t = title_similarity(a, b) if a.titles and b.titles else None
    vol = None if not (a.volume and b.volume) else a.volume == b.volume
    pg = None if not (a.first_page and b.first_page) else a.first_page == b.first_page
    iss = issue_agreement((a.issue, a.supplement), (b.issue, b.supplement))
    if shifted(a, b) or shifted(b, a):
        # "volume: -, issue: 26, pages: 9" is volume 26, issue 9 with the pages lost
        vol, iss, pg = True, None, None
    if vol is False and (a.volume == b.supplement or b.volume == a.supplement):
        vol = None  # a meeting abstract cited with its supplement's number as the volume
    if pg is False and a.last_page and a.last_page == b.last_page and vol:
        pg = True  # a typo in the first page ("2297-2108" / "2097-2108")
    reasons = [f"title {t:.2f}"] if t is not None else []
    return Evidence(
        a=a,
        b=b,
        same_doi=bool(a.doi and a.doi == b.doi),
        doi_conflict=bool(a.doi and b.doi and a.doi != b.doi),
        same_pmid=bool(a.pmid and a.pmid == b.pmid),
        pmid_conflict=bool(a.pmid and b.pmid and a.pmid != b.pmid),
        shared_ids=bool(a.other_ids & b.other_ids),
        title=t,
        years_apart=abs(a.year - b.year) if a.year and b.year else None,
        journal=journal_compatible(a.journal, b.journal),
        volume=vol,
        first_page=pg,
        issue=iss,
        full_pages=bool(a.pages and a.pages == b.pages and "-" in a.pages),
        reasons=reasons,
    )
