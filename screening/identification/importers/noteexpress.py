"""NoteExpress field format, as CNKI (and Wanfang) export it: one '{Field}: value' line per field,
the colon ASCII or full-width ('：'), records opened by '{Reference Type}' and separated by blank
lines. Several authors or keywords share a line, joined by ';' or ';;' (full-width too), or
take one line each. CNKI marks line breaks in abstracts as '(#br)'.

    {Reference Type}: Journal Article
    {Title}: 软组织肉瘤诊治中国专家共识(2015年版)
    {Translated Title}: Chinese expert consensus on ...
    {Author}: 中国抗癌协会肉瘤专业委员会
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from screening.identification.importers.base import ParseReport, new_record, year_of
from screening.identification.importers.base import first_value as _first
from screening.identification.importers.normalise import (
    expand_pages,
    normalise_doi,
    split_keywords,
)
from screening.identification.importers.tagged import (
    TaggedFormat,
    names_in,
    read_tagged,
    two_titles,
)

_FIELD = re.compile(r"^\{([^{}\n]{1,60})\}\s*[:：]\s?(.*)$")
_ISBN = re.compile(r"^(97[89])?[\d\s-]{9,}[\dXx]$")
# CNKI starts English abstracts with a heading: 'Abstract(#br)This paper...'.
_ABSTRACT_HEADING = re.compile(r"^\s*(?:Abstract|ABSTRACT|摘要)\s*[:：]?\s*\(#br\)")
_COMMA = re.compile(r"\s*[,，]\s*")


class _NoteExpress(TaggedFormat):
    name = "NoteExpress"
    start_tag = "Reference Type"
    example = "{Title}: ..."

    line = _FIELD

    def tag(self, written: str) -> str:
        # '{Subsidiary Author,}' is seen in real CNKI files.
        return written.strip().rstrip(",，").strip()

    def build(self, fields, raw: str, start: int, report: ParseReport) -> dict:
        return _build(fields, raw, start, report)


FORMAT = _NoteExpress()


def parse_noteexpress(blocks: Iterable[list[str]], report: ParseReport) -> Iterator[dict]:
    return read_tagged(blocks, report, FORMAT)


def _keywords(values: Iterable[str]) -> list[str]:
    """';'-joined (';;' too), one per line, or, in CNKI's yearbook records, ','-joined."""
    text = "\n".join(values)
    if ";" not in text and "；" not in text and ("," in text or "，" in text):
        return [k for k in _COMMA.split(text.strip()) if k]
    return split_keywords(text)


def _build(fields: dict[str, list[str]], raw: str, start: int, report: ParseReport) -> dict:
    record = new_record(start)
    record["raw"] = raw
    record["publication_type"] = _first(fields, "Reference Type")
    title, title_alt = two_titles(fields.get("Title", ()), _first(fields, "Translated Title"))
    record["title"] = title
    record["title_alt"] = title_alt
    record["authors"] = names_in(fields.get("Author", ()))
    record["authors_alt"] = names_in(fields.get("Translated Author", ()))
    abstract = _ABSTRACT_HEADING.sub("", _first(fields, "Abstract"))
    record["abstract"] = abstract.replace("(#br)", "\n").strip()
    # A proceedings volume is the Tertiary Title (the conference the Secondary Title); a
    # newspaper is the Secondary Title. The Publisher of a thesis is its university: not taken.
    record["journal"] = _first(fields, "Journal", "Tertiary Title", "Secondary Title")
    year_text = _first(fields, "Year", "Date")
    record["year"] = year_of(report, start, year_text)
    record["volume"] = _first(fields, "Volume")
    record["issue"] = _first(fields, "Issue")
    record["pages"] = expand_pages(_first(fields, "Pages"))
    url = _first(fields, "URL")
    record["url"] = url.split("\n", 1)[0]
    record["doi"] = normalise_doi(_first(fields, "DOI")) or (
        normalise_doi(url) if "doi" in url.lower() else ""
    )
    record["keywords"] = _keywords(fields.get("Keywords", ()))
    record["language"] = _first(fields, "Language")
    other_ids = record["other_ids"]
    for value in fields.get("ISBN/ISSN", []) + fields.get("ISBN", []):
        if value:
            other_ids.setdefault("isbn" if _ISBN.match(value) else "issn", value)
    accession = _first(fields, "Accession Number")
    if accession:
        other_ids["accession"] = accession
    record["source_key"] = accession
    return record
