"""EndNote XML (EndNote, Zotero and Mendeley exports), streamed (see `xmlstream`): records are
built as their end tags arrive, and DTDs, entity expansion and external references are refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from screening.identification.importers.base import ParseReport, new_record, year_of
from screening.identification.importers.normalise import (
    expand_pages,
    normalise_doi,
    normalise_pmid,
    split_bilingual,
)
from screening.identification.importers.text import gettext_noop
from screening.identification.importers.xmlstream import (
    RecordTarget,
    attribute,
    declared_encoding,
    stream_records,
)

__all__ = ["declared_encoding", "parse_endnote_xml"]

# (parent, element) -> our field; the parent disambiguates <author> of <authors> from
# <author> of <secondary-authors> (editors).
_TEXT_FIELDS = {
    ("titles", "title"): "title",
    ("titles", "translated-title"): "title_alt",
    ("titles", "alt-title"): "alt_title",
    ("titles", "secondary-title"): "secondary_title",
    ("periodical", "full-title"): "full_title",
    ("record", "pages"): "pages",
    ("record", "volume"): "volume",
    ("record", "number"): "number",
    ("record", "issue"): "issue",
    ("dates", "year"): "year",
    ("record", "electronic-resource-num"): "doi",
    ("record", "accession-num"): "accession",
    ("record", "rec-number"): "rec_number",
    ("record", "abstract"): "abstract",
    ("record", "language"): "language",
    ("record", "isbn"): "isbn",
    ("record", "remote-database-provider"): "database",
    ("record", "remote-database-name"): "database_name",
}
# EndNote keeps ISSNs in <isbn> too.
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")
_LIST_FIELDS = {
    ("authors", "author"): "authors",
    ("translated-authors", "author"): "authors_alt",
    ("keywords", "keyword"): "keywords",
    ("related-urls", "url"): "urls",
}


_TAGS = frozenset(tag for _, tag in [*_TEXT_FIELDS, *_LIST_FIELDS])


class _Target(RecordTarget):
    record_tags = frozenset({"record"})

    def field_start(self, tag: str, attrs: list[str]) -> None:
        if tag in ("record", "ref-type"):
            self.current["ref_type"] = attribute(attrs, "name")

    def field_end(self, tag: str, mark: int) -> None:
        if tag not in _TAGS:
            return
        key = (self.stack[-1], tag)
        name = _TEXT_FIELDS.get(key)
        if name is not None:
            self.current.setdefault(name, self.text(mark).strip())
            return
        name = _LIST_FIELDS.get(key)
        if name is not None:
            text = self.text(mark).strip()
            if text:
                self.current.setdefault(name, []).append(text)


def parse_endnote_xml(stream: BinaryIO, report: ParseReport) -> Iterator[dict]:
    for fields, line, raw in stream_records(
        stream,
        _Target(report),
        report,
        dtd=False,
        what="EndNote XML",
        none_found=gettext_noop("no <record> elements found: this is not an EndNote XML export"),
    ):
        yield _build(fields, line, raw, report)


def _build(fields: dict, line: int, raw: str, report: ParseReport) -> dict:
    record = new_record(line)
    record["raw"] = raw
    record["publication_type"] = fields.get("ref_type", "")
    title = " ".join(fields.get("title", "").split())
    title_alt = " ".join(fields.get("title_alt", "").split())
    if not title_alt:
        title, title_alt = split_bilingual(title)
    record["title"] = title
    record["title_alt"] = title_alt
    record["abstract"] = fields.get("abstract", "")
    record["authors"] = fields.get("authors", [])
    record["authors_alt"] = fields.get("authors_alt", [])
    record["year"] = year_of(report, line, fields.get("year", ""))
    record["journal"] = fields.get("secondary_title") or fields.get("full_title", "")
    record["volume"] = fields.get("volume", "")
    record["issue"] = fields.get("issue") or fields.get("number", "")
    record["pages"] = expand_pages(fields.get("pages", ""))
    record["doi"] = normalise_doi(fields.get("doi", ""))
    record["keywords"] = fields.get("keywords", [])
    record["language"] = fields.get("language", "")
    urls = fields.get("urls", [])
    record["url"] = urls[0] if urls else ""
    other_ids = record["other_ids"]
    accession = fields.get("accession", "")
    if accession:
        other_ids["accession"] = accession
        database = f"{fields.get('database', '')} {fields.get('database_name', '')}".lower()
        if accession.isdigit() and ("pubmed" in database or "medline" in database):
            record["pmid"] = normalise_pmid(accession)
    isbn = fields.get("isbn", "")
    if isbn:
        other_ids["issn" if _ISSN.match(isbn) else "isbn"] = isbn
    record["source_key"] = fields.get("rec_number") or accession
    return record
