"""Cochrane Library plain text ('Export selected citation(s)' as plain text): each record opens
with 'Record #1 of 271', then one 'TAG: value' line per field; records are separated by blank
lines, and the Library writes its lines ending in CR alone or CR LF.

Tags, as a real export of Cochrane reviews writes them: ID the Library's record id (CD... for a
review, CN-... for a CENTRAL trial), AU one author a line ('Van Ryswyk Emer': family name
first, no comma), TI title, SO source (journal), YR year, NO issue, PB publisher, KY keywords
(';' between), CC Cochrane group, DOI, AB abstract, US link. A CENTRAL record adds VL volume,
PG pages, PT publication type and PM its PubMed id ('PUBMED 12345678'); any other tag is kept
in the raw record.
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
from screening.identification.importers.tagged import TaggedFormat, read_tagged
from screening.identification.importers.text import _

START = "Record"
KNOWN_TAGS = frozenset(
    [START, "ID", "AU", "TI", "SO", "YR", "VL", "NO", "PG", "PB", "KY", "CC", "DOI", "AB", "US",
     "PM", "PT", "XR"]
)  # fmt: skip
# The opening line counts the records: 'Record #12 of 271'.
_OPENING = re.compile(r"Record #(\d+) of (\d+)\s*$")
_TAG_LINE = re.compile(r"([A-Z][A-Z0-9]{1,3}): ?(.*)$")
_PUBMED = re.compile(r"(?i)\bpubmed\D{0,3}(\d{1,9})\b")


def looks_like_cochrane(lines: list[str]) -> bool:
    """The file's first lines are a record opening and a tag line: 'Record #1 of 2' followed by
    'Provider:' is a RIS file with a download header instead, which is RIS's to read."""
    first = [line.lstrip("\ufeff") for line in lines if line.strip()][:2]
    return (
        len(first) == 2
        and _OPENING.match(first[0]) is not None
        and _TAG_LINE.match(first[1]) is not None
    )


class _Cochrane(TaggedFormat):
    name = "Cochrane Library"
    start_tag = START
    example = "TI: ..."

    def split(self, line: str) -> tuple[str, str] | None:
        line = line.lstrip("\ufeff")
        opening = _OPENING.match(line)
        if opening is not None:
            return START, opening.group(1)
        match = _TAG_LINE.match(line)
        return None if match is None else (match.group(1), match.group(2))

    def build(self, fields, raw: str, start: int, report: ParseReport) -> dict:
        return _build(fields, raw, start, report)


FORMAT = _Cochrane()


def parse_cochrane(blocks: Iterable[list[str]], report: ParseReport) -> Iterator[dict]:
    return read_tagged(blocks, report, FORMAT)


def _build(fields: dict[str, list[str]], raw: str, start: int, report: ParseReport) -> dict:
    for tag in fields.keys() - KNOWN_TAGS:
        key = ("Cochrane tag", tag)
        if key not in report.once:
            report.warn_once(
                key,
                start,
                _("unknown Cochrane Library tag %(tag)s; kept in the raw record only")
                % {"tag": tag},
            )
    record = new_record(start)
    record["raw"] = raw
    record["source_key"] = _first(fields, "ID")
    record["title"] = " ".join(_first(fields, "TI").split())
    record["authors"] = [" ".join(name.split()) for name in fields.get("AU", ()) if name.strip()]
    record["journal"] = _first(fields, "SO")
    record["year"] = year_of(report, start, _first(fields, "YR"))
    record["volume"] = _first(fields, "VL")
    record["issue"] = _first(fields, "NO")
    record["pages"] = expand_pages(_first(fields, "PG"))
    record["doi"] = normalise_doi(_first(fields, "DOI"))
    pubmed = _PUBMED.search(_first(fields, "PM"))
    record["pmid"] = normalise_pmid(pubmed.group(1)) if pubmed else ""
    record["abstract"] = _first(fields, "AB")
    record["keywords"] = split_keywords("\n".join(fields.get("KY", ())))
    record["publication_type"] = _first(fields, "PT")
    record["url"] = _first(fields, "US")
    other_ids = record["other_ids"]
    for value in fields.get("XR", ()):
        # 'EMBASE 612345678': the record's id in another database
        database, _space, number = value.strip().partition(" ")
        if database and number.strip():
            other_ids.setdefault(database.lower(), number.strip())
    if record["source_key"]:
        other_ids["cochrane"] = record["source_key"]
    return record
