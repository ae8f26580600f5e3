"""EndNote XML (EndNote, Zotero and Mendeley exports), streamed through defusedxml's expat
parser: records are built as their end tags arrive, so a large library never sits in memory,
and DTDs, entity expansion and external references are refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from screening.identification.importers.base import ImportFormatError, ParseReport, new_record
from screening.identification.importers.normalise import (
    expand_pages,
    normalise_doi,
    parse_year,
    split_bilingual,
)

CHUNK = 256 * 1024
_DECLARED = re.compile(rb"""<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")

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
}
_LIST_FIELDS = {
    ("authors", "author"): "authors",
    ("translated-authors", "author"): "authors_alt",
    ("keywords", "keyword"): "keywords",
    ("related-urls", "url"): "urls",
}


def declared_encoding(head: bytes) -> str:
    match = _DECLARED.search(head[:200])
    if match:
        return match.group(1).decode("ascii").lower()
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    return "utf-8"


class _Target:
    """Receives expat's events; keeps only the current record's text."""

    def __init__(self, report: ParseReport) -> None:
        self.report = report
        self.stack: list[str] = []
        self.texts: list[list[str]] = []
        self.current: dict | None = None
        self.done: list[tuple[dict, int, int, int]] = []
        self.parser: DefusedXMLParser | None = None
        self.start_byte = 0
        self.start_line = 0

    def start(self, tag: str, attrib: dict) -> None:
        if tag == "record":
            expat = self.parser.parser
            self.current = {"ref_type": attrib.get("name", "")}
            self.start_byte = expat.CurrentByteIndex
            self.start_line = expat.CurrentLineNumber
        elif tag == "ref-type" and self.current is not None:
            self.current["ref_type"] = attrib.get("name", "")
        self.stack.append(tag)
        self.texts.append([])

    def data(self, text: str) -> None:
        if self.texts:
            self.texts[-1].append(text)

    def end(self, tag: str) -> None:
        self.stack.pop()
        text = "".join(self.texts.pop())
        if self.texts:
            # <style> runs inside a field belong to the field's text.
            self.texts[-1].append(text)
        if self.current is None:
            return
        if tag == "record":
            end_byte = self.parser.parser.CurrentByteIndex + len("</record>")
            self.done.append((self.current, self.start_line, self.start_byte, end_byte))
            self.current = None
            return
        parent = self.stack[-1] if self.stack else ""
        key = (parent, tag)
        name = _TEXT_FIELDS.get(key)
        if name is not None:
            self.current.setdefault(name, text.strip())
            return
        name = _LIST_FIELDS.get(key)
        if name is not None and text.strip():
            self.current.setdefault(name, []).append(text.strip())

    def close(self) -> None:
        return None


def parse_endnote_xml(stream: BinaryIO, report: ParseReport) -> Iterator[dict]:
    target = _Target(report)
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    target.parser = parser
    # Bytes from `buffer_start` on are kept so each record's raw XML can be cut out of them.
    buffer = bytearray()
    buffer_start = 0
    records = 0
    seen_root = False
    while True:
        chunk = stream.read(CHUNK)
        try:
            if chunk:
                buffer += chunk
                parser.feed(chunk)
            else:
                parser.close()
        except (ExpatError, SyntaxError) as exc:
            line = getattr(exc, "lineno", None)
            position = getattr(exc, "position", None)
            if line is None and position:
                line = position[0]
            raise ImportFormatError(f"the XML is not well formed ({_reason(exc)})", line) from exc
        except DefusedXmlException as exc:
            raise ImportFormatError(f"the XML uses a forbidden construct ({exc})") from exc
        if target.stack or target.done:
            seen_root = True
        for fields, line, start, end in target.done:
            raw = bytes(buffer[start - buffer_start : end - buffer_start])
            records += 1
            yield _build(fields, line, _decode(raw, report.encoding), report)
        if target.done:
            last_end = target.done[-1][3]
            del buffer[: last_end - buffer_start]
            buffer_start = last_end
            target.done.clear()
        elif target.current is None and len(buffer) > CHUNK:
            # Between records: nothing of the buffer is needed any more.
            position = parser.parser.CurrentByteIndex
            if position > buffer_start:
                del buffer[: position - buffer_start]
                buffer_start = position
        if not chunk:
            break
    if records == 0:
        if not seen_root:
            raise ImportFormatError("the file is empty")
        raise ImportFormatError("no <record> elements found: this is not an EndNote XML export")


def _decode(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding or "utf-8", "replace")
    except LookupError:
        return raw.decode("utf-8", "replace")


def _reason(exc: Exception) -> str:
    text = str(exc)
    return re.sub(r":? ?line \d+, column \d+", "", text) or type(exc).__name__


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
    year_text = fields.get("year", "")
    record["year"] = parse_year(year_text)
    if year_text and record["year"] is None:
        report.warn(line, f"year not understood: {year_text!r}")
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
    if fields.get("isbn"):
        other_ids["isbn"] = fields["isbn"]
    record["source_key"] = fields.get("rec_number") or accession
    return record
