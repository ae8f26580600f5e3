"""RefWorks tagged format: 'RT Journal Article' opens a record, then two-character tags, a space
and the value ('A1 Smith, J.', 'T1 ...', 'JF ...', 'YR 2001'); records are separated by blank lines.

Tags as RefWorks defines them: A1 authors, T1 title, OT original foreign title, JF/JO journal,
YR year (FD date), VO volume, IS issue, SP start page, OP other (end) pages, K1 keywords,
AB abstract, LA language, SN ISSN/ISBN, DO DOI, UL URL, AN accession number, ID record id,
DS/DB the database.
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
    split_keywords,
)
from screening.identification.importers.tagged import (
    TaggedFormat,
    names_in,
    read_tagged,
    two_titles,
)

# RefWorks' own export (not other tools' RefWorks files) opens with a preamble:
#     Refworks Export Tagged Format / Character Set=utf-8 / Tag legend / ***** / RT=Reference
#     Type / ... / ***** / Font Attribute Legend / Start Bold = ... / ***** /
#     BEGIN EXPORTED REFERENCES
# then the records, each opened by 'RT '. No preamble line starts with 'RT ' (the legend
# writes 'RT='), so the preamble runs to the first 'RT ' line.
PREAMBLE = re.compile(r"[ \t]*refworks export\b", re.IGNORECASE)
_FIRST_RECORD = re.compile(r"^RT ", re.MULTILINE)


class _RefWorks(TaggedFormat):
    name = "RefWorks"
    start_tag = "RT"
    example = "T1 ..."

    # A tag, then a space and the value; CNKI leaves the space out before a name in Chinese
    # ('A1林行众'): a character past ASCII right after the tag can only begin the value.
    line = re.compile(r"([A-Z][A-Z0-9])(?: |(?=[^\x00-\x7f])|$)(.*)$")

    def preamble(self, chunk: str) -> str:
        if not PREAMBLE.match(chunk):
            return chunk
        first = _FIRST_RECORD.search(chunk)
        end = first.start() if first is not None else chunk.rfind("\n") + 1
        return "\n" * chunk.count("\n", 0, end) + chunk[end:] or "\n"

    def build(self, fields, raw: str, start: int, report: ParseReport) -> dict:
        return _build(fields, raw, start, report)


FORMAT = _RefWorks()


def parse_refworks(blocks: Iterable[list[str]], report: ParseReport) -> Iterator[dict]:
    return read_tagged(blocks, report, FORMAT)


def _pages(start: str, other: str) -> str:
    if start and other and "-" not in start and other[:1].isdigit():
        return expand_pages(f"{start}-{other}")
    return expand_pages(start or other)


def _build(fields: dict[str, list[str]], raw: str, start: int, report: ParseReport) -> dict:
    record = new_record(start)
    record["raw"] = raw
    record["publication_type"] = _first(fields, "RT")
    title, title_alt = two_titles(fields.get("T1", ()), _first(fields, "OT"))
    record["title"] = title
    record["title_alt"] = title_alt
    record["authors"] = names_in(fields.get("A1", ()))
    record["abstract"] = _first(fields, "AB")
    record["journal"] = " ".join(_first(fields, "JF", "JO", "T2").split())
    year_text = _first(fields, "YR", "FD")
    record["year"] = year_of(report, start, year_text)
    record["volume"] = _first(fields, "VO")
    record["issue"] = _first(fields, "IS")
    record["pages"] = _pages(_first(fields, "SP"), _first(fields, "OP"))
    url = _first(fields, "UL", "LK")
    record["url"] = url.split("\n", 1)[0]
    record["doi"] = normalise_doi(_first(fields, "DO")) or (
        normalise_doi(url) if "doi" in url.lower() else ""
    )
    record["keywords"] = split_keywords("\n".join(fields.get("K1", ())))
    record["language"] = _first(fields, "LA")
    accession = _first(fields, "AN")
    database = _first(fields, "DS", "DB").lower()
    if accession.isdigit() and ("pubmed" in database or "medline" in database):
        record["pmid"] = normalise_pmid(accession)
    other_ids = record["other_ids"]
    if accession:
        other_ids["accession"] = accession
    issn = _first(fields, "SN")
    if issn:
        other_ids["issn"] = issn
    record["source_key"] = _first(fields, "ID") or accession
    return record
