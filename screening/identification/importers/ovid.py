"""Ovid's tagged export (Ovid MEDLINE, Embase, PsycINFO... exported as Citavi, EndNote or
Reference Manager with 'Complete Reference'): each record opens with a number in angle brackets,
then 'XX  - value' lines (PsycINFO: 'XX - value'), a blank line after it.

    <12. >
    VN  - Ovid Technologies
    DB  - Embase
    UI  - 621381829
    TI  - ...
    SO  - Journal name. 12 (3) (pp 45-67), 2018. Date of Publication: 2018.

The RIS reader does not read it (no TY, no ER) and the MEDLINE reader refuses the '<12. >'
lines and its own tags (UI, LG, YR, IN...), hence a reader of its own. UI is the database's
accession number: a PMID when the database is MEDLINE. When the record has no JN/VO/IP/PG
fields, the journal, volume, issue and pages are read from SO.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from screening.identification.importers.base import ParseReport, new_record, year_of
from screening.identification.importers.base import first_value as _first
from screening.identification.importers.normalise import (
    expand_pages,
    normalise_doi,
    normalise_pmid,
)
from screening.identification.importers.tagged import TaggedFormat, read_tagged, two_titles

_MARKER = re.compile(r"^\ufeff?<\s*(\d+)\.?\s*>\s*$")
# SO: 'Journal. 12(3):45-67, 2019 Aug.' (MEDLINE) or 'Journal. 12 (3) (pp 45-67), 2018.' (Embase)
_SOURCE = re.compile(
    r"^(?P<journal>.+?)\.\s+(?:[^.]*?\.\s+)*?(?P<volume>\d+[A-Za-z]?)\s*"
    r"(?:\((?P<issue>[^)]*)\))?\s*(?::\s*(?P<pages>[A-Za-z]?\d+(?:-[A-Za-z]?\d+)?)"
    r"|\(pp\s+(?P<pp>[^)]+)\))?"
)
# Journals@Ovid writes SO as 'Journal Month[/Month] Year;Volume(Issue):Pages', with no full stop
# after the journal: 'ACSM'S Health & Fitness Journal January/February 2010;14(1):56'. The
# month (or season) is what ends the journal's name, so only those words are taken for it.
_MONTH = (
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?|Spring|Summer|Fall|Autumn"
    r"|Winter"
)
_DATED_SOURCE = re.compile(
    rf"^(?P<journal>.+?)\s+(?:(?:{_MONTH})(?:\s*[/-]\s*(?:{_MONTH}))*\s+"
    r"(?:\d{1,2}(?:-\d{1,2})?,?\s+)?)?(?P<year>1[5-9]\d\d|2[01]\d\d)\s*;\s*"
    r"(?P<volume>[^\s(:;.]+(?<!pp))?\s*(?:\((?P<issue>[^)]*)\))?\s*(?::\s*(?P<pages>[^\s;]+?))?\.?$"
)
# What Ovid writes after an author's name: the role and e-mail in brackets (BIOSIS, Zoological
# Record: 'Werner, S. M. [Author, Reprint Author; E-mail: ...]'), the affiliation marks
# (Journals@Ovid: 'Zhang, Weijia 1,2,+', 'Gazic, Barbara MD, PhD *').
_NAME_NOTES = re.compile(r"(?:\s*\[[^\[\]]*\]|\s+[\d*+†‡§¶#][\d,*+†‡§¶#]*)+$")
# The degrees Journals@Ovid writes after a name ('Gazic, Barbara MD, PhD'), in the case they
# are written in: 'Rahman, Md' and 'Ma, Li' are names. Generational suffixes (Jr, III) are part
# of the name and stay.
_DEGREE = (
    r"M\.?D|Ph\.?D|D\.?Phil|Sc\.?D|D\.?Sc|Dr\.?P\.?H|M\.?P\.?H|M\.?Sc|B\.?Sc|M\.?S|B\.?S|M\.?A|B\.?A"
    r"|R\.?N|B\.?S\.?N|M\.?S\.?N|D\.?N\.?P|D\.?N\.?Sc|Pharm\.?D|D\.?D\.?S|D\.?M\.?D|D\.?O|D\.?V\.?M"
    r"|M\.?B\.?B\.?S|MBChB|M\.?B\.?A|Ed\.?D|Psy\.?D|D\.?P\.?T|APRN|CRNA|CNM|CNS|FNP|NP|PA-C|OTR"
    r"|FAAN|FACS|FACP|FRCPC?|FRCSC?|FRACP|FRCR|MRCP"
)
_DEGREES = re.compile(rf"(?:,?\s+(?:{_DEGREE})\.?)+$")


class _Ovid(TaggedFormat):
    name = "Ovid"
    start_tag = "<>"
    example = "TI  - ..."

    def split(self, line: str) -> tuple[str, str] | None:
        if line[:1] == "<" or line[:2] == "\ufeff<":
            match = _MARKER.match(line)
            return ("<>", match.group(1)) if match else None
        if line[4:6] == "- " or line[4:] == "-":
            tag, value = line[:4].rstrip(), line[6:]  # the tag padded to four: 'TI  - '
        else:
            # PsycINFO's export writes the tag, one space, the dash: 'TI - ', 'PMID - '.
            at = line.find(" -", 2, 6)
            if at < 0 or line[at + 2 : at + 3] not in (" ", ""):
                return None
            tag, value = line[:at], line[at + 3 :]
        if len(tag) >= 2 and tag.isascii() and tag.isalnum() and tag.isupper():
            return tag, value
        return None

    def build(self, fields, raw: str, start: int, report: ParseReport) -> dict:
        return _build(fields, raw, start, report)


FORMAT = _Ovid()


def parse_ovid(blocks: Iterable[list[str]], report: ParseReport) -> Iterator[dict]:
    return read_tagged(blocks, report, FORMAT)


def _from_source(source: str) -> dict[str, str]:
    """Journal, volume, issue, pages and year of an Ovid SO field ('' where it does not say;
    the year only from Journals@Ovid's layout, where it is the date's)."""
    match = _SOURCE.match(source)
    if match is not None and not (
        match.group("issue") or match.group("pages") or match.group("pp")
    ):
        match = None  # a bare number ('Journal. 2018.') is the year, not a volume
    if match is None:
        dated = _DATED_SOURCE.match(source)
        if dated is not None:
            return {
                "journal": dated.group("journal").strip().removesuffix("."),
                "volume": dated.group("volume") or "",
                "issue": (dated.group("issue") or "").strip(),
                "pages": dated.group("pages") or "",
                "year": dated.group("year"),
            }
        journal = source.split(". ", 1)[0].strip() if ". " in source else ""
        return {"journal": journal, "volume": "", "issue": "", "pages": "", "year": ""}
    pages = match.group("pages") or match.group("pp") or ""
    return {
        "journal": match.group("journal").strip(),
        "volume": match.group("volume") or "",
        "issue": (match.group("issue") or "").strip(),
        "pages": "" if "pagination" in pages else pages.strip(),
        "year": "",
    }


def _authors(names: Iterable[str]) -> list[str]:
    """The names without the notes and degrees Ovid writes after them (`_NAME_NOTES`,
    `_DEGREES`)."""
    out = []
    for name in names:
        name = _NAME_NOTES.sub("", name).strip() if name[-1:] in "]0123456789*+†‡§¶#" else name
        family, comma, given = name.partition(",")
        if comma:
            # Only where a given name stays before the degrees.
            given_name = _DEGREES.sub("", given)
            if given_name.strip(" ,"):
                name = f"{family},{given_name}"
        if name:
            out.append(name)
    return out


def _build(fields: dict[str, list[str]], raw: str, start: int, report: ParseReport) -> dict:
    record = new_record(start)
    record["raw"] = raw
    record["publication_type"] = "; ".join(v for v in fields.get("PT", ()) if v)
    title, title_alt = two_titles(fields.get("TI", ()), _first(fields, "OT"))
    record["title"], record["title_alt"] = title, title_alt
    record["authors"] = _authors(fields.get("FA") or fields.get("AU") or ())
    record["abstract"] = _first(fields, "AB")
    source = _from_source(" ".join(_first(fields, "SO").split()))
    record["journal"] = _first(fields, "JN", "JT") or source["journal"]
    record["volume"] = _first(fields, "VO", "VI") or source["volume"]
    record["issue"] = _first(fields, "IP") or source["issue"]
    record["pages"] = expand_pages(_first(fields, "PG") or source["pages"])
    year_text = _first(fields, "YR", "DP", "PY") or source["year"]
    record["year"] = year_of(report, start, year_text)
    record["doi"] = normalise_doi(_first(fields, "DO", "DI"))
    record["keywords"] = [k for k in fields.get("MH", []) + fields.get("KW", []) if k]
    record["language"] = _first(fields, "LG", "LA")
    record["url"] = _first(fields, "UR", "XL").split("\n", 1)[0]
    accession = _first(fields, "UI", "AN")
    database = _first(fields, "DB").lower()
    if accession.isdigit() and ("medline" in database or "pubmed" in database):
        record["pmid"] = normalise_pmid(accession)
    other_ids = record["other_ids"]
    if accession:
        other_ids["accession"] = accession
    issn = _first(fields, "IS")
    if issn:
        other_ids["issn"] = issn.split("\n", 1)[0]
    record["source_key"] = accession
    return record
