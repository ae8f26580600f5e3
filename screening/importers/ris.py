"""RIS, as exported by Scopus, Web of Science, Embase/Ovid, EndNote, Zotero, Rayyan, Airiti.

A small tag parser rather than rispy: rispy reads a whole string and gives no line numbers, and
the exports differ in ways we handle here (numbered Ovid records, tags after ER, untagged
continuation lines, parallel CJK/English titles and names). See docs in the package __init__.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .base import ImportFormatError, ParseReport, new_record
from .normalise import (
    expand_pages,
    has_cjk,
    normalise_doi,
    normalise_pmid,
    parse_year,
    split_keywords,
    split_parallel_name,
)

# Tags of the RIS specification plus those Ovid, Web of Science and Citavi add; anything else is
# kept in `raw` and reported once per file.
KNOWN_TAGS = frozenset(
    [
        "TY",
        "A1",
        "A2",
        "A3",
        "A4",
        "AB",
        "AD",
        "AN",
        "AU",
        "AV",
        "BT",
        "C1",
        "C2",
        "C3",
        "C4",
        "C5",
        "C6",
        "C7",
        "C8",
        "CA",
        "CN",
        "CP",
        "CT",
        "CY",
        "DA",
        "DB",
        "DI",
        "DO",
        "DP",
        "ED",
        "EP",
        "ET",
        "ID",
        "IS",
        "J1",
        "J2",
        "JA",
        "JF",
        "JO",
        "KW",
        "L1",
        "L2",
        "L3",
        "L4",
        "LA",
        "LB",
        "LK",
        "M1",
        "M2",
        "M3",
        "N1",
        "N2",
        "NV",
        "OP",
        "PB",
        "PP",
        "PY",
        "RI",
        "RN",
        "RP",
        "SE",
        "SN",
        "SP",
        "ST",
        "T1",
        "T2",
        "T3",
        "TA",
        "TI",
        "TT",
        "U1",
        "U2",
        "U3",
        "U4",
        "U5",
        "UR",
        "VL",
        "VO",
        "Y1",
        "Y2",
        "ER",
        "AI",
        "NL",
        "TS",
        "M4",
        "WE",
        "PI",
        "PA",
        "JI",
        "J9",
        "PU",
        "FX",
        "FU",
        "GA",
        "UT",
        "PG",
        "SC",
        "WC",
        "H1",
        "H2",
        "Y3",
        "OT",
    ]
)
# Odd spacing ('TY -', 'TY-  x', 'ER  -' with no trailing space); only for known tags, so a
# continuation line such as 'IT - based' stays a continuation line.
_ODD_TAG = re.compile(r"^([A-Z][A-Z0-9])\s{0,4}-(?:\s+(.*))?$")
_EID = re.compile(r"eid=(2-s2\.0-\d+)")


def parse_ris(blocks: Iterable[list[str]], report: ParseReport) -> Iterator[dict]:
    fields: dict[str, list[str]] | None = None
    raw: list[str] = []
    last: list[str] | None = None
    start = 0
    stray_line = 0
    stray_warned = False
    unknown_warned: set[str] = set()
    records = 0
    base = 0  # lines in the blocks before this one

    for block in blocks:
        for index, line in enumerate(block):
            if line[2:6] == "  - ":
                tag = line[:2]
                if fields is not None and tag != "TY" and tag != "ER":
                    # The common case, kept short: one more field of the current record.
                    raw.append(line)
                    values = fields.get(tag)
                    if values is None:
                        fields[tag] = last = [line[6:].strip()]
                        if tag not in KNOWN_TAGS and tag not in unknown_warned:
                            unknown_warned.add(tag)
                            report.warn(
                                base + index + 1,
                                f"unknown RIS tag {tag}; kept in the raw record only",
                            )
                    else:
                        values.append(line[6:].strip())
                        last = values
                    continue
                value = line[6:].strip()
            elif line[:2] == "ER" and line.rstrip() in ("ER  -", "ER -", "ER-", "ER"):
                tag, value = "ER", ""
            else:
                match = _ODD_TAG.match(line.lstrip("\ufeff")) if "-" in line else None
                if match is not None and match.group(1) in KNOWN_TAGS:
                    tag, value = match.group(1), (match.group(2) or "").strip()
                else:
                    # Untagged: a continuation of the previous field (or text between records).
                    if fields is not None:
                        raw.append(line)
                        text = line.strip()
                        if text and last is not None:
                            last[-1] = f"{last[-1]}\n{text}" if last[-1] else text
                    continue
            number = base + index + 1
            if tag == "TY":
                if fields is not None:
                    report.warn(start, "RIS record has no ER tag; it ends at the next TY")
                    records += 1
                    yield _build(fields, raw, start, report)
                fields = {"TY": [value]}
                raw = [line]
                last = fields["TY"]
                start = number
                stray_line = 0
            elif tag == "ER":
                if fields is None:
                    if stray_line:
                        raise ImportFormatError("RIS record starts without a TY tag", stray_line)
                    raise ImportFormatError("ER without a record (no TY before it)", number)
                raw.append(line)
                records += 1
                yield _build(fields, raw, start, report)
                fields = None
                last = None
            elif fields is None:
                # Ovid writes NL and a resolver link after ER; a real record without TY is
                # caught when its ER arrives.
                if not stray_line:
                    stray_line = number
                if not stray_warned:
                    stray_warned = True
                    report.warn(number, f"tag {tag} outside a record (after ER, before TY) ignored")
            else:
                raw.append(line)
                values = fields.get(tag)
                if values is None:
                    fields[tag] = last = [value]
                else:
                    values.append(value)
                    last = values
        base += len(block)

    if fields is not None:
        report.warn(start, "last RIS record has no ER tag (file may be truncated); record kept")
        records += 1
        yield _build(fields, raw, start, report)
    elif records == 0:
        if stray_line:
            raise ImportFormatError("RIS record starts without a TY tag", stray_line)
        raise ImportFormatError("no RIS records found (no line starts with 'TY  - ')", 1)


def _first(fields: dict[str, list[str]], *tags: str) -> str:
    for tag in tags:
        for value in fields.get(tag, ()):
            if value:
                return value
    return ""


def _one_line(text: str) -> str:
    return " ".join(text.split()) if "\n" in text else text


def _build(fields: dict[str, list[str]], raw: list[str], start: int, report: ParseReport) -> dict:
    record = new_record(start)
    record["raw"] = "\n".join(raw)
    record["publication_type"] = fields["TY"][0]
    title = _one_line(_first(fields, "TI", "T1"))
    record["title"] = title
    record["title_alt"] = _one_line(_first(fields, "TT"))
    record["abstract"] = _first(fields, "AB", "N2")

    authors = [a for a in fields.get("AU") or fields.get("A1") or () if a]
    if authors:
        _set_authors(record, authors)
    if "TA" in fields and not record["authors_alt"]:
        record["authors_alt"] = [a for a in fields["TA"] if a]

    journal_tags = ("JF", "T2", "JO", "JA", "J2", "J1")
    if not record["title_alt"] and has_cjk(title):
        # Airiti-style: the English title sits in T2 while the journal has its own tag.
        t2 = _one_line(_first(fields, "T2"))
        if t2 and not has_cjk(t2) and _first(fields, "JF", "JO", "JA"):
            record["title_alt"] = t2
            journal_tags = ("JF", "JO", "JA", "J2", "J1")
    record["journal"] = _one_line(_first(fields, *journal_tags))

    year_text = _first(fields, "PY", "Y1", "DA", "Y2")
    record["year"] = parse_year(year_text)
    if year_text and record["year"] is None:
        report.warn(start, f"year not understood: {year_text!r}")

    record["volume"] = _first(fields, "VL", "VO")
    record["issue"] = _first(fields, "IS", "CP")
    sp, ep = _first(fields, "SP"), _first(fields, "EP")
    if not any(c.isdigit() for c in sp + ep):
        pages = ""  # Ovid's 'No' / 'Specified' ("No pagination specified"); raw keeps it
    elif sp and ep and "-" not in sp:
        pages = expand_pages(f"{sp}-{ep}")
    else:
        pages = expand_pages(sp or ep)
    record["pages"] = pages

    doi = normalise_doi(_first(fields, "DO", "DI"))
    if not doi:
        for tag in ("UR", "L2", "L3", "M3"):
            for value in fields.get(tag, ()):
                if "10." in value and ("doi" in value.lower() or tag == "M3"):
                    doi = normalise_doi(value)
                    if doi:
                        break
            if doi:
                break
    record["doi"] = doi

    if "KW" in fields:
        keywords: list[str] = []
        for value in fields["KW"]:
            keywords += split_keywords(value)
        record["keywords"] = keywords
    record["language"] = _first(fields, "LA")
    url = _first(fields, "UR")
    record["url"] = url.split("\n", 1)[0]

    other_ids = record["other_ids"]
    accession = _first(fields, "AN")
    if accession.startswith("WOS:"):
        other_ids["wos"] = accession
    if url and "eid=" in url:
        match = _EID.search(url)
        if match:
            other_ids["eid"] = match.group(1)
    issn = _first(fields, "SN")
    if issn:
        other_ids["issn"] = issn
    for value in fields.get("C2", ()):
        if value.startswith("PMC"):
            other_ids["pmcid"] = value
    database = _first(fields, "DB", "DP").lower()
    if accession and accession.isdigit() and ("medline" in database or "pubmed" in database):
        record["pmid"] = normalise_pmid(accession)
    record["source_key"] = accession or _first(fields, "ID") or other_ids.get("eid", "")
    return record


def _set_authors(record: dict, authors: list[str]) -> None:
    native: list[str] = []
    alt: list[str] = []
    for name in authors:
        if "(" in name or "（" in name:
            name, roman = split_parallel_name(name)
            if roman:
                alt.append(roman)
        native.append(name)
    # Some Chinese databases list every author twice, CJK first then romanised.
    cjk = [n for n in native if has_cjk(n)]
    if cjk and len(cjk) * 2 == len(native) and not alt:
        latin = [n for n in native if not has_cjk(n)]
        native, alt = cjk, latin
    record["authors"] = native
    record["authors_alt"] = alt
