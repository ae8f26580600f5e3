"""CSL-JSON (Zotero, Mendeley, citation.js, Pandoc): a JSON list of items, each an object with
"type", "title", "author" [{"family", "given"} or {"literal"}], "issued" {"date-parts"},
"container-title", "DOI", "PMID"...

Read with the standard library's decoder one item at a time (`JSONDecoder.raw_decode` over a
sliding window of the text), so a large file never sits in memory. Our own export keeps what
CSL has no variable for in the item's "custom" object (CSL 1.0.2's place for extra data):
{"authors_alt": [...]}.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator

from screening.identification.importers.base import ImportFormatError, ParseReport, new_record
from screening.identification.importers.normalise import (
    expand_pages,
    normalise_doi,
    normalise_pmid,
    parse_year,
    split_bilingual,
)
from screening.identification.importers.text import _, gettext_noop

READ_CHARS = 1024 * 1024
MAX_ITEM_CHARS = 64 * 1024 * 1024
_SPACE = re.compile(r"[ \t\n\r]*")
# An error this close to the end of the text read so far may be a token cut by the read.
_NEAR_END = 64
_PARTIAL_TOKEN = re.compile(r"[\w.+-]{0,63}")

# The messages that name the kind of file (the readers of other JSON lists, `works_json`, have
# their own words): message ids, translated when said.
CSL_WORDS = {
    "not_a_list": gettext_noop("a CSL-JSON file is a list of items in [ ... ]"),
    "not_an_object": gettext_noop("a CSL-JSON item must be an object { ... }"),
    "after_end": gettext_noop("text after the end of the CSL-JSON list"),
    "empty": gettext_noop("no CSL-JSON items found (the list is empty)"),
    "too_long": gettext_noop("a CSL-JSON item is longer than 64 MB"),
    "not_closed": gettext_noop("the last CSL-JSON item is not closed"),
}


class _Window:
    """The text not yet consumed, with the line number of its current position."""

    def __init__(self, text: io.TextIOBase, words: dict[str, str]) -> None:
        self._read = text.read
        self.words = words
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.eof = False

    def more(self) -> bool:
        if self.eof:
            return False
        piece = self._read(READ_CHARS)
        if not piece:
            self.eof = True
            return False
        if len(self.buf) - self.pos > MAX_ITEM_CHARS:
            raise ImportFormatError(_(self.words["too_long"]), self.line)
        self.buf = self.buf[self.pos :] + piece
        self.pos = 0
        return True

    def advance(self, to: int) -> None:
        self.line += self.buf.count("\n", self.pos, to)
        self.pos = to

    def next_char(self) -> str:
        """The next character that is not white space ('' at the end of the text)."""
        while True:
            self.advance(_SPACE.match(self.buf, self.pos).end())
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""


def parse_csl_json(text: io.TextIOBase, report: ParseReport) -> Iterator[dict]:
    for line, item in json_items(text, report, CSL_WORDS):
        yield _build(item, line, report)


def json_items(
    text: io.TextIOBase,
    report: ParseReport,
    words: dict[str, str],
    unwrap: Callable[[dict], list | None] | None = None,
) -> Iterator[tuple[int, dict]]:
    """(line, object) for each item of a JSON list of objects, or the one object of a file that
    holds a single one. `unwrap` says which items a single object holds (an API response's list
    of results; None for an item itself): they are decoded together, so they take its line."""
    window = _Window(text, words)
    decoder = json.JSONDecoder()
    first = window.next_char()
    if first == "\ufeff":
        window.advance(window.pos + 1)
        first = window.next_char()
    if first not in ("[", "{"):
        raise ImportFormatError(_(words["not_a_list"]), window.line)
    single = first == "{"
    if not single:
        window.advance(window.pos + 1)
    records = 0
    while True:
        char = window.next_char()
        if not char:
            if not single:
                report.cut_off(window.line, _("the list of items has no closing ]"), False)
            break
        if char == "]" and not single:
            window.advance(window.pos + 1)
            break
        if records and not single:
            if char != ",":
                raise ImportFormatError(
                    _("expected ',' or ']' between items, found %(char)s") % {"char": repr(char)},
                    window.line,
                )
            window.advance(window.pos + 1)
            char = window.next_char()
            if char == "]":  # a trailing comma, as hand-edited files have
                window.advance(window.pos + 1)
                break
            if not char:
                report.cut_off(window.line, _("the list of items has no closing ]"), False)
                break
        line = window.line
        item = _decode(window, decoder, report)
        if item is None:
            return  # cut off inside the item, and allowed: it is dropped
        inner = unwrap(item) if single and unwrap and isinstance(item, dict) else None
        for each in [item] if inner is None else inner:
            if not isinstance(each, dict):
                raise ImportFormatError(_(words["not_an_object"]), line)
            records += 1
            yield line, each
        if single:
            break
    if window.next_char():
        raise ImportFormatError(_(words["after_end"]), window.line)
    if records == 0 and report.truncated_at is None:
        raise ImportFormatError(_(words["empty"]), 1)


def _decode(window: _Window, decoder: json.JSONDecoder, report: ParseReport):
    """The item at the window's position (reading more text as needed); None when the file
    ends inside it and that is allowed."""
    while True:
        try:
            item, end = decoder.raw_decode(window.buf, window.pos)
        except json.JSONDecodeError as exc:
            unterminated = exc.msg.startswith("Unterminated string")
            if (unterminated or len(window.buf) - exc.pos < _NEAR_END) and window.more():
                continue
            # All of the file is read: cut off only if nothing but one token's start follows.
            if unterminated or _PARTIAL_TOKEN.fullmatch(window.buf[exc.pos :].rstrip()):
                report.cut_off(window.line, _(window.words["not_closed"]))
                return None
            where = window.line + window.buf.count("\n", window.pos, exc.pos)
            raise ImportFormatError(
                _("not valid JSON (%(reason)s)") % {"reason": exc.msg}, where
            ) from exc
        window.advance(end)
        return item


def _text(value) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return " ".join(str(value).split()) if not isinstance(value, str) else value.strip()


def _name(person) -> str:
    if isinstance(person, str):
        return person.strip()
    if not isinstance(person, dict):
        return ""
    if person.get("literal"):
        return _text(person["literal"])
    family = " ".join(
        p for p in (_text(person.get("non-dropping-particle")), _text(person.get("family"))) if p
    )
    given = " ".join(
        p for p in (_text(person.get("given")), _text(person.get("dropping-particle"))) if p
    )
    name = f"{family}, {given}" if family and given else family or given
    suffix = _text(person.get("suffix"))
    return f"{name}, {suffix}" if name and suffix else name


def _year(issued) -> tuple[int | None, str]:
    """(year, the text it was read from) of a CSL date."""
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            text = _text(parts[0][0])
            return parse_year(text), text
        text = _text(issued.get("raw") or issued.get("literal") or issued.get("season"))
        return parse_year(text), text
    text = _text(issued)
    return parse_year(text), text


def _keywords(value) -> list[str]:
    if isinstance(value, list):
        return [k for k in map(_text, value) if k]
    text = _text(value)
    separator = ";" if ";" in text else ","
    return [k.strip() for k in text.split(separator) if k.strip()]


def _build(item: dict, line: int, report: ParseReport) -> dict:
    record = new_record(line)
    record["raw"] = json.dumps(item, ensure_ascii=False)
    get = item.get
    record["publication_type"] = _text(get("type"))
    title = " ".join(_text(get("title")).split())
    title_alt = " ".join(_text(get("original-title")).split())
    if not title_alt:
        title, title_alt = split_bilingual(title)
    record["title"], record["title_alt"] = title, title_alt
    authors = get("author")
    record["authors"] = [n for n in map(_name, authors) if n] if isinstance(authors, list) else []
    custom = get("custom") if isinstance(get("custom"), dict) else {}
    alt = custom.get("authors_alt")
    record["authors_alt"] = [n for n in map(_text, alt) if n] if isinstance(alt, list) else []
    record["abstract"] = _text(get("abstract"))
    record["journal"] = _text(get("container-title")) or _text(get("container-title-short"))
    record["year"], year_text = _year(get("issued"))
    if year_text and record["year"] is None:
        report.warn(line, _("year not understood: %(text)s") % {"text": repr(year_text)})
    record["volume"] = _text(get("volume"))
    record["issue"] = _text(get("issue"))
    record["pages"] = expand_pages(_text(get("page")))
    record["doi"] = normalise_doi(_text(get("DOI")))
    record["pmid"] = normalise_pmid(_text(get("PMID")))
    record["keywords"] = _keywords(get("keyword"))
    record["language"] = _text(get("language"))
    record["url"] = _text(get("URL"))
    record["source_key"] = _text(get("id"))
    other_ids = record["other_ids"]
    for key, name in (("PMCID", "pmcid"), ("ISSN", "issn"), ("ISBN", "isbn")):
        value = _text(get(key))
        if value:
            other_ids[name] = value
    warn_if_unnamed(record, report)
    return record


def warn_if_unnamed(record: dict, report: ParseReport) -> None:
    """A record with nothing to tell it by is kept (its other fields may be enough for a
    person) but never silently: as a spreadsheet row with none of them is."""
    if not (record["title"] or record["doi"] or record["pmid"]):
        report.warn(record["line"], _("item has no title, DOI or PMID"))
