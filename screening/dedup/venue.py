"""Where a record was printed: journal, volume, issue (and supplement) and pages, in the many
forms databases write them, and whether two records agree on it.

A supplement is one place however it is spelt ("85 Suppl 6", "85(SUPPL. 6)", volume "85" with
issue "Supplement 6"); a page range a spreadsheet turned into a date ("01-Jul") is read back as
pages; front matter keeps its Roman page numbers ("iii-ix"), so two issues' editorials are not
both "somewhere in the volume".
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz

from .normalise import american_spelling, fold, strip_markup

# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}  # fmt: skip
# "1-7" read by a spreadsheet as the 1st of July and written back as "01-Jul" ("Jan-13" for
# "1-13")
_SPREADSHEET_DATE = re.compile(
    r"(?:(\d{1,2})-(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
    r"|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*-(\d{1,4}))"
)
_ROMAN_PAGES = re.compile(r"([ivxlc]+)(?:-([ivxlc]+))?")


def _from_spreadsheet_date(text: str) -> str | None:
    """ "21-8" (pages 21-28, MEDLINE-abbreviated) is the 21st of August to a spreadsheet, which
    writes it back as "21-Aug"; "1-13" cannot be a day, so it becomes January 2013, "Jan-13".
    The day (or month) comes first, as in the pages."""
    m = _SPREADSHEET_DATE.fullmatch(text)
    if not m:
        return None
    day, month1, month2, number = m.groups()
    if day:
        return f"{int(day)}-{_MONTHS[month1]}"
    return f"{_MONTHS[month2]}-{int(number)}"


def normalise_pages(s: Any) -> str:
    """Page range with a full end page: "1045-58" -> "1045-1058"; "S358-9" -> "s358-s359";
    "01-Jul" (a spreadsheet's date) -> "1-7"; "iii-ix" stays."""
    if s is None:
        return ""
    text = fold(str(s)).strip()
    text = re.sub(r"^(pp?\.?|pages?)\s*", "", text)
    text = text.replace("–", "-").replace("—", "-").replace("--", "-")
    text = re.sub(r"\s+", "", text)
    if not text or text in {"nan", "na", "n/a", "nopagination", "var.pagings", "-"}:
        return ""
    if re.fullmatch(r"\d+pp?\.?", text):  # a page count ("215 p"), not a location
        return ""
    text = _from_spreadsheet_date(text) or text
    if "+" in text or "," in text:
        # an article printed in several parts or languages: "233-238+230-235", "230-5, 246-51"
        ranges = {normalise_pages(part) for part in re.split(r"[+,]", text)} - {""}
        return ",".join(sorted(ranges, key=lambda r: (len(first_page_of(r)), first_page_of(r), r)))
    # an abstract's number after its page: "A116.E1088" is page A116
    text = re.sub(r"^([a-z]*\d+)\.[a-z]*\d+$", r"\1", text)
    m = re.fullmatch(r"([a-z]*)(\d+)([a-z]*)(?:-([a-z]*)(\d+)([a-z]*))?", text)
    if not m:
        return text
    prefix, start, suffix, _pre2, end, _suf2 = m.groups()
    start = start.lstrip("0") or "0"
    if not end:
        return f"{prefix}{start}{suffix}"
    end = end.lstrip("0") or "0"
    if len(end) < len(start):  # MEDLINE abbreviation: 1045-58
        end = start[: len(start) - len(end)] + end
    if end == start:
        return f"{prefix}{start}{suffix}"
    return f"{prefix}{start}-{prefix}{end}"


def _roman(numeral: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    total = 0
    for ch, nxt in zip(numeral, [*numeral[1:], ""], strict=True):
        v = values[ch]
        total += -v if nxt and values[nxt] > v else v
    return total


def first_page_of(pages: str) -> str:
    """Digits of the first page: "S358" in a supplement and "358" elsewhere are one page.
    Front matter keeps its page in Roman numerals, compared as a number: "iii" of "iii-ix" is
    the "3" another database wrote."""
    if not pages:
        return ""
    first = pages.split("-")[0]
    m = re.search(r"\d+", first)
    if m:
        return m.group(0)
    return str(_roman(first)) if is_roman(pages) else ""


def is_roman(pages: str) -> bool:
    """Front matter: pages in Roman numerals ("iii-ix"), which start again in every issue."""
    return bool(pages) and _ROMAN_PAGES.fullmatch(pages) is not None


# ---------------------------------------------------------------------------------------------
# Journal
# ---------------------------------------------------------------------------------------------

_JOURNAL_STOP = {"the", "of", "and", "for", "in", "on", "de", "la", "le", "der", "und", "fur",
                 "et", "du", "des", "a", "an", "y", "i"}  # fmt: skip


def normalise_journal(s: Any) -> str:
    """Comparable journal name: no punctuation, stop words, parenthetical notes or suffixes."""
    if not s:
        return ""
    text = fold(strip_markup(str(s)))
    # "J Thromb Haemost.Conference: 22nd Congress ..." -> keep the journal part
    text = re.split(r"\.\s*(conference|congress|meeting|supplement)\b", text)[0]
    text = re.sub(r"\((online|print|electronic|internet)\)|\(.*?\)", " ", text)
    text = text.split(" = ")[0]
    text = re.sub(r"\b(supplements?|suppl|supplementum)\b", " ", text)
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w]+", " ", text)
    text = american_spelling(text)
    return " ".join(w for w in text.split() if w not in _JOURNAL_STOP)


def journal_compatible(a: str, b: str) -> bool | None:
    """True when one journal name is the other or its (ISO/MEDLINE) abbreviation."""
    if not a or not b:
        return None
    if a == b:
        return True
    if fuzz.ratio(a, b) >= 90:
        return True
    ca, cb = a.replace(" ", ""), b.replace(" ", "")
    if ca == cb:
        return True
    wa, wb = a.split(), b.split()
    short, long_ = (wa, wb) if len(ca) <= len(cb) else (wb, wa)
    # every word of the abbreviation is a prefix of the next matching word of the full title
    i = 0
    for word in short:
        while i < len(long_) and not long_[i].startswith(word[: max(1, len(word))]):
            i += 1
        if i == len(long_):
            break
        i += 1
    else:
        return len(short) >= min(2, len(long_))
    # "JPEN" vs "Journal of Parenteral and Enteral Nutrition": initialism
    initials = "".join(w[0] for w in long_)
    return any(w == initials or (len(w) >= 3 and initials.startswith(w)) for w in short)


# ---------------------------------------------------------------------------------------------
# Volume, issue, supplement
# ---------------------------------------------------------------------------------------------

_SUPPLEMENT_WORD = re.compile(
    r"(?<![a-z])(?:supplement(?:um)?|suppl|supp|sup|s(?=\s*\d))(?![a-z])\.?\s*[_]?\s*"
    r"(\d+|[a-z](?![a-z]))?"
)
_SUPPLEMENT_AFTER = re.compile(r"(\d+)\s*[_]\s*supp?l?(?![a-z])")  # "5_suppl": supplement 5


def split_volume(s: Any) -> tuple[str, str]:
    """(volume number, what the volume field adds about the issue or supplement).

    "85" -> ("85", ""); "85 Suppl 6" -> ("85", "Suppl 6"); "33 (10 Supplement 1)" ->
    ("33", "10 Supplement 1"); "10 (11) (no pagination)" -> ("10", "11"). "(Jul)", "Ph.D." or a
    stray "1)" is not a volume: ("", ""), unknown rather than a conflict.
    """
    if s is None:
        return "", ""
    text = re.sub(r"\(\s*no pagination\s*\)", " ", str(s), flags=re.I).strip()
    m = re.fullmatch(
        r"(?:vol(?:ume)?\.?\s*)?0*(\d+)\s*(?:[a-z](?![a-z\d]))?\s*(.*?)\s*\.?", text, re.I
    )
    if not m:
        return "", ""
    number, rest = m.group(1) or "0", m.group(2).strip()
    if not rest:
        return number, ""
    inner = re.fullmatch(r"\((.*)\)", rest)
    if inner:
        return number, inner.group(1).strip()
    if _SUPPLEMENT_WORD.match(fold(rest)):
        return number, rest
    return "", ""


def normalise_volume(s: Any) -> str:
    return split_volume(s)[0]


def normalise_issue(s: Any) -> tuple[str, str]:
    """(issue number, supplement) of an issue field; each "" when not given.

    "4" -> ("4", ""); "Suppl 6", "SUPPL. 6", "suppl_6", "S6" -> ("", "6"); "10 Supplement 1" ->
    ("10", "1"); "6 Suppl" (a supplement to issue 6) -> ("6", "*"); "3 MeetingAbstracts" ->
    ("3", ""). An article number ("e0143396") or a part letter is no issue.
    """
    text = fold(str(s or "")).strip()
    if not text:
        return "", ""
    supplement = ""
    m = _SUPPLEMENT_AFTER.search(text) or _SUPPLEMENT_WORD.search(text)
    if m:
        supplement = (m.group(1) or "*").lstrip("0") or "0"
        text = (text[: m.start()] + " " + text[m.end() :]).strip()
    text = re.sub(r"^(?:no|nr|n|issue|iss)\.?\s*", "", text)
    n = re.match(r"0*(\d+)(?![\d])", text)
    number = (n.group(1) or "0") if n else ""
    return number, supplement


def issue_agreement(a: tuple[str, str], b: tuple[str, str]) -> bool | None:
    """True when the issues are known to agree, False when they differ, None when unknown."""
    verdicts = [x == y for x, y in zip(a, b, strict=True) if x and y and "*" not in (x, y)]
    if not verdicts:
        return None
    return all(verdicts)
