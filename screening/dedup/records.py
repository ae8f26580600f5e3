"""A record prepared once for matching (every field normalised), and the title similarity the
rules, the notice marking and the clustering all share."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from .authors import Author, parse_authors
from .kinds import (
    is_conference_abstract,
    is_generic_normalised,
    is_translated,
    notice_notes,
    record_markers,
)
from .normalise import compact, normalise_doi, normalise_title
from .venue import (
    first_page_of,
    journal_compatible,
    normalise_issue,
    normalise_journal,
    normalise_pages,
    split_volume,
)


@dataclass(slots=True)
class PreparedRecord:
    id: Hashable
    titles: tuple[str, ...]  # normalised title and parallel (e.g. English) titles
    markers: frozenset[str]
    numbers: frozenset[str]
    surnames: tuple[Author, ...]
    year: int | None
    journal: str
    volume: str
    issue: str  # the issue number; "" when unknown
    supplement: str  # "6" for "Suppl 6", "*" for a supplement without a number, else ""
    pages: str
    first_page: str
    last_page: str
    doi: str
    pmid: str
    other_ids: frozenset[tuple[str, str]]
    conference: bool
    short: bool  # one or two printed pages: a meeting abstract, a letter, a notice
    notes: tuple[tuple[str, str, str, str], ...]  # notices cited by the title's database notes
    generic: bool  # a recurring item's title: "Editor's comments", "Errata", "Book reviews"
    translated: bool  # the title is (or has) a translation: "[German]", title_alt, language
    cluster: Hashable | None


_WORK_IDS = {"pmcid", "pii", "wos", "ut", "eid", "scopus", "openalex", "arxiv", "accession",
             "embase", "emid", "cinahl", "psycinfo", "medline"}  # fmt: skip


def _int_year(value: Any) -> int | None:
    if value in (None, ""):
        return None
    m = re.search(r"\d{4}", str(value))
    return int(m.group(0)) if m else None


_NONE: frozenset = frozenset()  # shared by the many records with no numbers, markers or ids


def _title_numbers(title: str) -> frozenset[str]:
    numbers = re.findall(r"\d+", title)
    return frozenset(numbers) if numbers else _NONE


def prepare(rec: dict) -> PreparedRecord:
    raw_titles = [rec.get("title") or "", rec.get("title_alt") or ""]
    normalised = [normalise_title(x) for x in raw_titles]
    titles = tuple(dict.fromkeys(t for t in normalised if t))
    raw = " ".join(str(t) for t in raw_titles if t)
    main = normalised[0] or (titles[0] if titles else "")
    pmid = re.sub(r"\D", "", str(rec.get("pmid") or ""))
    other = rec.get("other_ids") or {}
    # only ids of the work itself: an ISSN or ISBN is shared by every article of a journal/book
    other_ids = (
        frozenset(
            (str(k).lower(), str(v).strip().lower())
            for k, v in other.items()
            if v and str(v).strip() and str(k).lower() in _WORK_IDS
        )
        or _NONE
    )
    pages = normalise_pages(rec.get("pages"))
    volume, in_volume = split_volume(rec.get("volume"))
    issue, supplement = normalise_issue(rec.get("issue"))
    issue_in_volume, supplement_in_volume = normalise_issue(in_volume)
    return PreparedRecord(
        id=rec["id"],
        titles=titles,
        markers=record_markers(raw),
        numbers=_title_numbers(main),
        surnames=parse_authors(rec.get("authors")),
        year=_int_year(rec.get("year")),
        journal=normalise_journal(rec.get("journal")),
        volume=volume,
        issue=issue or issue_in_volume,
        supplement=supplement or supplement_in_volume,
        pages=pages,
        first_page=first_page_of(pages),
        last_page=pages.rsplit("-", 1)[1] if "-" in pages else "",
        doi=normalise_doi(rec.get("doi")),
        pmid=pmid,
        other_ids=other_ids,
        conference=is_conference_abstract(rec),
        short=_is_short(pages),
        notes=notice_notes(raw),
        generic=is_generic_normalised(normalised[0]),
        translated=is_translated(rec),
        cluster=rec.get("cluster"),
    )


def _is_short(pages: str) -> bool:
    """A known location of at most two pages ("e3", "51", "1746-1746", "e8-e9")."""
    m = re.fullmatch(r"[a-z]*(\d+)[a-z]*(?:-[a-z]*(\d+)[a-z]*)?", pages or "")
    if not m:
        return False
    return not m.group(2) or 0 <= int(m.group(2)) - int(m.group(1)) <= 1


def distrust_record_numbers(preps: list[PreparedRecord], window: int = 250) -> None:
    """Forget the issue numbers where the column holds record numbers, not issues.

    Some exports (EndNote's) put the library's record number where the issue belongs. Issues
    repeat across a search (most journals have a dozen or fewer a year); record numbers are
    unique. Reading them as issues would part every duplicate. Records arrive search by search,
    so the test runs on stretches of ``window`` records: where most records of a stretch carry
    a number of their own, that stretch's numbers say nothing about where an article was
    printed. (A stretch that straddles two searches may lose its issues; that only costs
    evidence.)
    """
    for start in range(0, len(preps), window):
        stretch = preps[start : start + window]
        numbers = [p.issue for p in stretch if p.issue]
        if len(numbers) < 30 or len(set(numbers)) <= 0.5 * len(numbers):
            continue
        for p in stretch:
            p.issue = ""


def mark_cited_notices(preps: list[PreparedRecord]) -> None:
    """A record printed where another record's note says its erratum (or retraction notice) is,
    under (nearly) the same title, is that notice, even when its own title does not say so:
    "Anti-factor H ... [Erratum appears in Am J Transplant. 2009 Sep;9(9):2205]" makes the
    "Anti-factor H ..." record at volume 9, page 2205 an erratum, never a copy of the article."""
    cited = [(i, note) for i, p in enumerate(preps) for note in p.notes]
    if not cited:
        return
    at: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, p in enumerate(preps):
        if p.volume and p.first_page:
            at[(p.volume, p.first_page)].append(j)
    for i, (kind, journal, volume, page) in cited:
        for j in at.get((volume, page), ()):
            other = preps[j]
            if j == i or kind in other.markers or not preps[i].titles or not other.titles:
                continue
            if journal_compatible(journal, other.journal) is False:
                continue
            if title_similarity(preps[i], other) >= 0.8:
                other.markers = other.markers | {kind}


def title_similarity(a: PreparedRecord, b: PreparedRecord) -> float:
    best = 0.0
    for ta in a.titles:
        for tb in b.titles:
            ca, cb = compact(ta), compact(tb)
            if ca == cb:
                return 1.0
            s = fuzz.ratio(ca, cb) / 100
            # a subtitle one database dropped: "Stroke rehabilitation: a review" / "Stroke rehabilitation"
            # a subtitle (or main title) one database dropped or glued on
            short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
            cs, cl = compact(short), compact(long_)
            if (
                len(cs) >= 15 and (long_.startswith(short + " ") or long_.endswith(" " + short))
            ) or (len(cs) >= 30 and (cl.startswith(cs) or cl.endswith(cs))):
                s = max(s, 0.9)
            best = max(best, s)
    return best


def to_plain(p: PreparedRecord) -> list:
    """A prepared record as JSON-able lists (its id and cluster left out), so the incremental
    run can store it and skip preparing the record again when it is a partner later."""
    return [
        list(p.titles), sorted(p.markers), sorted(p.numbers),
        [[a.surname, list(a.tokens), a.name] for a in p.surnames], p.year, p.journal, p.volume,
        p.issue, p.supplement, p.pages, p.first_page, p.last_page, p.doi, p.pmid,
        sorted(p.other_ids), p.conference, p.short, [list(n) for n in p.notes], p.generic,
        p.translated,
    ]  # fmt: skip


def _set(values: list) -> frozenset:
    return frozenset(values) if values else _NONE


def from_plain(record_id: Hashable, cluster: Hashable | None, data: list) -> PreparedRecord:
    (titles, markers, numbers, surnames, year, journal, volume, issue, supplement, pages,
     first_page, last_page, doi, pmid, other_ids, conference, short, notes, generic,
     translated) = data  # fmt: skip
    return PreparedRecord(
        id=record_id,
        titles=tuple(titles),
        markers=_set(markers),
        numbers=_set(numbers),
        surnames=tuple(Author(s, tuple(t), n) for s, t, n in surnames),
        year=year,
        journal=journal,
        volume=volume,
        issue=issue,
        supplement=supplement,
        pages=pages,
        first_page=first_page,
        last_page=last_page,
        doi=doi,
        pmid=pmid,
        other_ids=_set([tuple(x) for x in other_ids]),
        conference=conference,
        short=short,
        notes=tuple(tuple(n) for n in notes),
        generic=generic,
        translated=translated,
        cluster=cluster,
    )
