"""Record kinds that are never the article itself: notices (erratum, retraction, reply,
comment) and conference abstracts, read from the title, the publication type and the venue."""

from __future__ import annotations

import re

from .normalise import (
    ERRATUM_CITATION,
    LANGUAGE_NOTE,
    TITLE_NOISE,
    fold,
    normalise_title,
    strip_markup,
)
from .venue import normalise_journal

_MARKERS = {
    "erratum": re.compile(
        r"^(erratum|errata|corrigend(um|a)|addend(um|a)|correction( notice)?s?|notice of correction"
        r"|author correction|publisher'?s? (note|correction))\b|\b(erratum|corrigendum|errata)\b"
        r"|^correction (to|of error)",
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


_NONE: frozenset[str] = frozenset()


def record_markers(title: str) -> frozenset[str]:
    if not title:
        return _NONE
    # the MEDLINE notes "[Erratum appears in ...]", "[Comment in ...]" are on the article; a
    # trailing citation of another article "(vol 360, pg 542, 2009)" is the erratum itself
    note_free = strip_markup(title)
    for rx in TITLE_NOISE[:3]:
        note_free = rx.sub(" ", note_free)
    kinds = {kind for kind, rx in _MARKERS.items() if rx.search(note_free)}
    if any(rx.search(note_free) for rx in ERRATUM_CITATION):
        kinds.add("erratum")
    return frozenset(kinds) if kinds else _NONE


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


# ---------------------------------------------------------------------------------------------
# Recurring items: the same title in every issue
# ---------------------------------------------------------------------------------------------

# Words that name a recurring item of a journal or a meeting (normalised: American spelling)
_RECURRING = {
    "editor", "editors", "editorial", "editorials", "comment", "comments", "commentary",
    "remarks", "introduction", "introductions", "overview", "foreword", "preface", "message",
    "letter", "letters", "correspondence", "errata", "erratum", "corrigenda", "corrigendum",
    "correction", "corrections", "review", "reviews", "book", "books", "reviewers", "referees",
    "program", "programs", "abstracts", "proceedings", "contents", "issue", "index", "news",
    "announcement", "announcements", "notice", "notices", "highlights", "masthead", "calendar",
    "obituary", "obituaries", "acknowledgment", "acknowledgments", "acknowledgement",
    "acknowledgements", "summaries", "minutes", "session", "sessions", "posters", "poster",
    "presentations", "papers", "matter", "welcome", "reply", "replies", "response", "responses",
    "rejoinder", "addendum", "addenda", "column", "columns", "forum",
}  # fmt: skip
# "Introduction to the minitrack on ...", "Preface to the special issue on ...": one a year or
# an issue, whatever the topic
_RECURRING_OPENING = re.compile(
    r"^(introduction|preface|foreword|editorial|overview|guest editorial)s? (to|for|of) (the |this )?"
    r"(mini ?track|track|special (issue|section|theme|topic|focus|feature)|symposium|workshop"
    r"|panel|session|focus (issue|section)|issue|supplement|theme issue)\b"
)
# Words that only qualify one ("guest editorial", "from the editor-in-chief", "table of contents")
_QUALIFIERS = {
    "a", "an", "the", "of", "to", "in", "from", "for", "and", "on", "with", "by", "this", "our",
    "s", "chief", "guest", "special", "board", "table", "front", "back", "received", "thank",
    "thanks", "you", "call", "new", "incoming", "outgoing", "annual", "year", "volume", "vol",
    "no", "number", "part", "issues", "section", "journal", "oral", "meeting", "conference",
    "scientific", "general", "author", "authors", "subject", "list", "notes", "note", "brief", "invited",
    "farewell", "upcoming", "events", "selected", "introductory", "opening", "closing",
    "concluding", "final", "editorial's", "president", "presidents", "chair", "chairs",
    "society", "members", "readers", "reader", "other", "short", "recent", "current",
}  # fmt: skip


def is_generic_title(title: str) -> bool:
    """A title that names a recurring item rather than a subject: "Editor's Comments",
    "Editorial Introduction", "In this issue", "Errata", "Book reviews", "Conference programme".

    Such titles recur every issue, usually by the same editor, so title and author agreement
    says little about whether two records are one item.
    """
    return is_generic_normalised(normalise_title(title))


def is_generic_normalised(title: str) -> bool:
    """``is_generic_title`` of a title already through ``normalise_title``."""
    if _RECURRING_OPENING.match(title):
        return True
    words = title.split()
    if not words or not any(w in _RECURRING for w in words):
        return False
    return all(w in _RECURRING or w in _QUALIFIERS or w.isdigit() for w in words)


# ---------------------------------------------------------------------------------------------
# Translated titles
# ---------------------------------------------------------------------------------------------

_ENGLISH = {"en", "eng", "english"}


def is_translated(rec: dict) -> bool:
    """The record says its title is a translation or the article is in another language: a
    parallel title, MEDLINE's "[Translated title]" in brackets, a "[German]"-style note, or a
    language other than English."""
    title = strip_markup(str(rec.get("title") or "")).strip()
    if rec.get("title_alt"):
        return True
    if re.fullmatch(r"\[[^\[\]]{8,}\]\s*\.?", title):
        return True
    note = LANGUAGE_NOTE.search(title)
    if note and note.group(2).lower() != "english":
        return True
    languages = {w for w in re.split(r"[^a-z]+", fold(str(rec.get("language") or ""))) if w}
    return bool(languages - _ENGLISH)
