"""Record kinds that are never the article itself: notices (erratum, retraction, reply,
comment) and conference abstracts, read from the title, the publication type and the venue."""

from __future__ import annotations

import re

from .normalise import ERRATUM_CITATION, TITLE_NOISE, normalise_journal, strip_markup

_MARKERS = {
    "erratum": re.compile(
        r"^(erratum|errata|corrigend(um|a)|correction( notice)?s?|notice of correction|author correction"
        r"|publisher'?s? (note|correction))\b|\b(erratum|corrigendum|errata)\b|^correction (to|of error)",
        re.I,
    ),
    "retraction": re.compile(
        r"^(retraction|notice of retraction|retraction notice|expression of concern)\b"
        r"|\bretraction (notice|of|note)\b|\bexpression of concern\b",
        re.I,
    ),
    "reply": re.compile(
        r"^((the )?authors?'? reply|in reply|reply|response|re:)\b|\breply\b|\bresponse to (the )?(letter|comment|editor)",
        re.I,
    ),
    "comment": re.compile(
        r"^(comments?|commentary|letter|editorial comment)\s*(on|to|:)|\b(comment(ary)? on|letter to the editor)\b",
        re.I,
    ),
}
_CONFERENCE = re.compile(
    r"conference|congress|meeting|symposium|proceedings|abstracts?\b|annual (scientific )?session"
    r"|workshop|poster|inproceedings",
    re.I,
)
_SUPPLEMENT = re.compile(r"\bsupp?l?\b|suppl|supplement|^\s*s\d+\s*$", re.I)


# MEDLINE/Ovid notes on an article that say where its erratum or retraction notice is printed:
# "[Erratum appears in N Engl J Med. 2009 Jun 4;360(23):2487 Note: ...]",
# "Erratum in: Am J Transplant. 2009 Sep;9(9):2205.", "[Retraction in: Lancet. 2010;375:445]"
_NOTICE_NOTE = re.compile(
    r"\b(?P<kind>erratum|retraction)(?: appears)? in:?\s+(?P<journal>[^\[\];]*?)\.?\s+"
    r"(?:19|20)\d{2}\b[^;\[\]]{0,40};\s*(?P<volume>\d+)\s*(?:\([^)]*\))?\s*:\s*[a-z]?(?P<page>\d+)",
    re.I,
)


def notice_notes(title: str) -> tuple[tuple[str, str, str, str], ...]:
    """(kind, journal, volume, first page) of each notice an article's title note points to."""
    if not title or not re.search(r"erratum|retraction", title, re.I):
        return ()
    return tuple(
        (
            "retraction" if m.group("kind").lower() == "retraction" else "erratum",
            normalise_journal(m.group("journal")),
            m.group("volume").lstrip("0") or "0",
            m.group("page").lstrip("0") or "0",
        )
        for m in _NOTICE_NOTE.finditer(title)
    )


def record_markers(title: str) -> frozenset[str]:
    if not title:
        return frozenset()
    # the MEDLINE notes "[Erratum appears in ...]", "[Comment in ...]" are on the article; a
    # trailing citation of another article "(vol 360, pg 542, 2009)" is the erratum itself
    note_free = strip_markup(title)
    for rx in TITLE_NOISE[:3]:
        note_free = rx.sub(" ", note_free)
    kinds = {kind for kind, rx in _MARKERS.items() if rx.search(note_free)}
    if any(rx.search(note_free) for rx in ERRATUM_CITATION):
        kinds.add("erratum")
    return frozenset(kinds)


def is_conference_abstract(rec: dict) -> bool:
    ptype = str(rec.get("publication_type") or "")
    if ptype and _CONFERENCE.search(ptype):
        return True
    journal = str(rec.get("journal") or "")
    if re.search(r"conference|congress|meeting|symposium|annual session", journal, re.I):
        return True
    # meeting abstracts are printed in supplements: "Circulation 136 (Supplement 1)"
    issue = f"{rec.get('issue') or ''} {rec.get('volume') or ''}"
    if _SUPPLEMENT.search(issue) or re.search(r"meeting|abstract", issue, re.I):
        return True
    # supplement pagination ("S35", "A134") is where meeting abstracts are printed
    return bool(re.match(r"\s*[sSaA]\d+\b", str(rec.get("pages") or "")))
