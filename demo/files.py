"""Export files of the demo's searches, written in each database's own format.

The demo imports these through the app's import service exactly as a person would upload them,
so the same work exported by Web of Science, MEDLINE and Scopus arrives formatted three ways
(title case, author forms, journal abbreviations, page ranges) and de-duplication has real work.
Pure: works in, bytes out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from demo.data import ILLUSTRATIVE_ZH, BackgroundRecord
from demo.paper import IncludedStudy


@dataclass
class Work:
    """One publication as the demo knows it, before any database formats it."""

    key: str  # "ref-3", "bg-17", "zh-2": how the demo finds the work again after import
    title: str
    authors: list[str]  # "Surname, I. I."
    year: int
    journal: str
    journal_abbrev: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    abstract: str = ""
    publication_type: str = "Journal Article"
    language: str = "English"
    title_alt: str = ""  # the parallel English title of a Chinese record
    keywords: list[str] = field(default_factory=list)


JOURNAL_ABBREVIATIONS = {
    "Health Research Policy and Systems": "Health Res Policy Syst",
    "Journal of Continuing Education in the Health Professions": "J Contin Educ Health Prof",
    "The Clinical Teacher": "Clin Teach",
    "AEM Education and Training": "AEM Educ Train",
    "GMS Journal for Medical Education": "GMS J Med Educ",
    "Quality in Primary Care": "Qual Prim Care",
    "Advances in Health Sciences Education": "Adv Health Sci Educ Theory Pract",
    "Journal of Graduate Medical Education": "J Grad Med Educ",
}


def included_work(study: IncludedStudy) -> Work:
    """One of the review's included studies, as its reference list gives it. The demo does not
    reproduce the authors' abstract; the record says so and quotes the review's Table 2."""
    abstract = (
        "The authors' abstract is not reproduced in this demo. Table 2 of the review "
        f"(Chen, Liao & Yau 2025) reports: {study.outcome}"
    )
    return Work(
        key=f"ref-{study.ref}",
        title=study.title,
        authors=list(study.authors),
        year=study.year,
        journal=study.journal,
        journal_abbrev=JOURNAL_ABBREVIATIONS.get(study.journal, study.journal),
        volume=study.volume,
        issue=study.issue,
        pages=study.pages,
        doi=study.doi,
        pmid=study.pmid,
        abstract=abstract,
    )


def background_work(key: str, r: BackgroundRecord) -> Work:
    return Work(
        key=key,
        title=r.title,
        authors=list(r.authors),
        year=r.year,
        journal=r.journal,
        journal_abbrev=r.journal_abbrev,
        volume=r.volume,
        issue=r.issue,
        pages=r.pages,
        doi=r.doi,
        abstract=r.abstract,
        publication_type=r.publication_type,
    )


def chinese_work(key: str, row: tuple) -> Work:
    title, english, authors, journal, year = row
    return Work(
        key=key,
        title=title,
        title_alt=english,
        authors=list(authors),
        year=year,
        journal=journal,
        abstract=f"{ILLUSTRATIVE_ZH} {english}.",
        language="Chinese",
    )


# --- small formatting helpers -------------------------------------------------------------------


def _surname_initials(author: str, *, dots: bool = True, comma: bool = True) -> str:
    """'Artino, A. R., Jr.' -> 'Artino, A. R.' / 'Artino AR' (MEDLINE)."""
    surname, _, rest = author.partition(",")
    parts = [p.strip() for p in rest.split(",") if p.strip()]
    initials = parts[0] if parts else ""
    letters = [c for c in initials if c.isalpha()]
    given = " ".join(f"{c}." for c in letters) if dots else "".join(letters)
    return f"{surname}, {given}" if comma else f"{surname} {given}"


def _start_end(pages: str) -> tuple[str, str]:
    start, _, end = pages.partition("-")
    return start, end


def _medline_pages(pages: str) -> str:
    """MEDLINE abbreviates the end page: 186-193 -> 186-93."""
    start, end = _start_end(pages)
    if not end or not (start.isdigit() and end.isdigit()) or len(start) != len(end):
        return pages
    i = 0
    while i < len(start) - 1 and start[i] == end[i]:
        i += 1
    return f"{start}-{end[i:]}"


def _lines(tag: str, values: list[str], width: int = 3) -> list[str]:
    return [f"{tag:<{width}}{v}" if i == 0 else f"{'':<{width}}{v}" for i, v in enumerate(values)]


# --- Web of Science plain text ------------------------------------------------------------------


def wos_plain(works: list[Work]) -> bytes:
    """Web of Science 'Plain text file' export (FN/VR header, two-letter tags, ER/EF)."""
    out = ["\ufeffFN Clarivate Analytics Web of Science", "VR 1.0"]
    for n, w in enumerate(works):
        start, end = _start_end(w.pages)
        out += ["PT J"]
        out += _lines("AU ", [_surname_initials(a, dots=False) for a in w.authors])
        out += _lines("AF ", list(w.authors))
        out += [f"TI {w.title}", f"SO {w.journal.upper()}", f"LA {w.language}"]
        out += [
            f"DT {'Article' if w.publication_type == 'Journal Article' else w.publication_type}"
        ]
        if w.keywords:
            out += [f"DE {'; '.join(w.keywords)}"]
        if w.abstract:
            out += [f"AB {w.abstract}"]
        out += [f"J9 {w.journal_abbrev.upper()}", f"PY {w.year}"]
        if w.volume:
            out += [f"VL {w.volume}"]
        if w.issue:
            out += [f"IS {w.issue}"]
        if end:
            out += [f"BP {start}", f"EP {end}"]
        elif start:
            out += [f"AR {start}"]
        if w.doi:
            out += [f"DI {w.doi}"]
        if w.pmid:
            out += [f"PM {w.pmid}"]
        out += [f"UT WOS:{600000000000000 + 7919 * (n + 1) + len(w.title):015d}", "ER", ""]
    out += ["EF", ""]
    return "\n".join(out).encode("utf-8")


# --- MEDLINE (.nbib) ----------------------------------------------------------------------------


def medline_nbib(works: list[Work]) -> bytes:
    """PubMed's 'PubMed' format (.nbib): four-character tags, MEDLINE page ranges."""
    blocks = []
    for n, w in enumerate(works):
        pmid = w.pmid or str(30000000 + 7919 * (n + 1) + w.year)
        lines = [f"PMID- {pmid}", "OWN - NLM", "STAT- MEDLINE", f"DP  - {w.year}"]
        lines.append(f"TI  - {w.title}.")
        if w.pages:
            lines.append(f"PG  - {_medline_pages(w.pages)}")
        if w.doi:
            lines.append(f"LID - {w.doi} [doi]")
        if w.abstract:
            lines.append(f"AB  - {w.abstract}")
        for a in w.authors:
            lines.append(f"FAU - {_surname_initials(a)}")
            lines.append(f"AU  - {_surname_initials(a, dots=False, comma=False)}")
        lines += [f"LA  - {'eng' if w.language == 'English' else 'chi'}"]
        lines += [f"PT  - {w.publication_type}"]
        lines += [f"TA  - {w.journal_abbrev}", f"JT  - {w.journal}"]
        if w.volume:
            lines.append(f"VI  - {w.volume}")
        if w.issue:
            lines.append(f"IP  - {w.issue}")
        if w.doi:
            lines.append(f"AID - {w.doi} [doi]")
        lines.append(f"SO  - {w.journal_abbrev}. {w.year};{w.volume}({w.issue}):{w.pages}.")
        blocks.append("\n".join(lines))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


# --- RIS: Scopus and Airiti Library -------------------------------------------------------------


def scopus_ris(works: list[Work]) -> bytes:
    """Scopus RIS: full journal title in T2, SP/EP, DO, UR with the EID."""
    out = []
    for n, w in enumerate(works):
        start, end = _start_end(w.pages)
        out += ["TY  - JOUR"]
        out += [f"AU  - {_surname_initials(a)}" for a in w.authors]
        out += [f"TI  - {w.title}", f"T2  - {w.journal}", f"PY  - {w.year}"]
        if w.volume:
            out.append(f"VL  - {w.volume}")
        if w.issue:
            out.append(f"IS  - {w.issue}")
        if start:
            out.append(f"SP  - {start}")
        if end:
            out.append(f"EP  - {end}")
        if w.doi:
            out.append(f"DO  - {w.doi}")
        eid = f"2-s2.0-{85000000000 + 7919 * (n + 1) + w.year}"
        out.append(f"UR  - https://www.scopus.com/inward/record.uri?eid={eid}&partnerID=40&md5=0")
        if w.abstract:
            out.append(f"AB  - {w.abstract}")
        for k in w.keywords:
            out.append(f"KW  - {k}")
        out += [f"LA  - {w.language}", "DB  - Scopus", "M3  - Article", "ER  - ", ""]
    return "\n".join(out).encode("utf-8")


def airiti_ris(works: list[Work]) -> bytes:
    """Airiti Library RIS: the Chinese title in TI, its parallel English title in TT."""
    out = []
    for w in works:
        start, end = _start_end(w.pages)
        out += ["TY  - JOUR"]
        out += [f"AU  - {a}" for a in w.authors]
        out.append(f"TI  - {w.title}")
        if w.title_alt:
            out.append(f"TT  - {w.title_alt}")
        out += [f"JF  - {w.journal}", f"PY  - {w.year}"]
        if w.volume:
            out.append(f"VL  - {w.volume}")
        if w.issue:
            out.append(f"IS  - {w.issue}")
        if start:
            out.append(f"SP  - {start}")
        if end:
            out.append(f"EP  - {end}")
        if w.doi:
            out.append(f"DO  - {w.doi}")
        if w.abstract:
            out.append(f"AB  - {w.abstract}")
        out += [f"LA  - {w.language}", "DB  - Airiti Library", "ER  - ", ""]
    return "\n".join(out).encode("utf-8")


WRITERS = {
    "Web of Science": (wos_plain, "wos", "savedrecs.txt"),
    "MEDLINE": (medline_nbib, "medline", "pubmed-export.nbib"),
    "Scopus": (scopus_ris, "ris", "scopus.ris"),
    "Airiti Library": (airiti_ris, "ris", "airiti-export.ris"),
}
