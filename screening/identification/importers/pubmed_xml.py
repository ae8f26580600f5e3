"""PubMed XML: <PubmedArticleSet> as E-utilities efetch (rettype=xml) and PubMed's 'Save as XML'
write it. The DOCTYPE is allowed (every such file names PubMed's DTD, which is never fetched);
entity declarations and external references are refused.

A PubMed record holds a few hundred elements (authors and affiliations, MeSH, history dates, the
reference list), too many for a Python call per element at 10,000 records a second. So:
- each record is cut out of the bytes between <PubmedArticle> and </PubmedArticle> (or the
  PubmedBookArticle tags) and built into a tree by the standard library's C parser, inside the
  file's root start tag (so namespace prefixes declared there still resolve). A fragment has no
  DOCTYPE, so no entity can be declared in it; what is not well formed in it is refused there;
- the rest of the document (prolog, DOCTYPE, root, what lies between records), with an empty
  <PubmedArticle/> standing for each record, goes through defusedxml's expat parser with no
  element handlers: its guards refuse entity declarations, it checks the document's shape, and
  a record left without its end tag, or a document that stops early, is a cut-off file;
- fields are read by walking the record's known structure, so the PMIDs and article ids of the
  reference list and of comments/corrections are never taken for the record's own.
Fields come out as the MEDLINE reader gives them for the same record (authors 'Last, Fore',
MeSH headings with '*' and '/qualifier', labelled abstract sections joined as 'LABEL: text').
A file in another encoding than UTF-8 is re-encoded to UTF-8 as it is read.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from typing import BinaryIO
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from screening.identification.importers.base import (
    ImportFormatError,
    ParseReport,
    new_record,
    year_of,
)
from screening.identification.importers.normalise import expand_pages, normalise_doi
from screening.identification.importers.text import _, gettext_noop
from screening.identification.importers.xmlstream import (
    CHUNK,
    forbidden,
    line_of,
    not_well_formed,
    stops_early,
)

_STARTS = (b"<PubmedArticle>", b"<PubmedArticle ", b"<PubmedBookArticle>", b"<PubmedBookArticle ")
_ENDS = {b"<PubmedArticle": b"</PubmedArticle>", b"<PubmedBookArticle": b"</PubmedBookArticle>"}
_ROOT = re.compile(rb"<PubmedArticleSet\b[^>]*>")
_DECLARATION = re.compile(r"^\ufeff?<\?xml[^>]*\?>")
_NAME_PARTS = frozenset({"LastName", "ForeName", "Initials", "Suffix", "CollectiveName"})
_NONE_FOUND = gettext_noop("no <PubmedArticle> elements found: this is not a PubMed XML export")


class _Nothing:
    """A parse target that builds nothing: the parser only checks the document."""

    def close(self) -> None:
        return None


def _utf8_chunks(stream: BinaryIO, encoding: str) -> Iterator[bytes]:
    """The file's bytes as UTF-8 (its declaration saying so), in chunks."""
    if codecs.lookup(encoding or "utf-8").name in ("utf-8", "ascii"):
        yield from iter(lambda: stream.read(CHUNK), b"")
        return
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    first = True
    while True:
        data = stream.read(CHUNK)
        text = decoder.decode(data, final=not data)
        if first and text:
            text = _DECLARATION.sub('<?xml version="1.0" encoding="UTF-8"?>', text, count=1)
            first = False
        if text:
            yield text.encode("utf-8")
        if not data:
            return


def _next_record(buffer: bytearray, pos: int) -> tuple[int, bytes]:
    """(where the next record starts, its end tag), or (-1, b"")."""
    while (at := buffer.find(b"<Pubmed", pos)) >= 0:
        head = bytes(buffer[at : at + 20])
        for tag in _STARTS:
            if head.startswith(tag):
                return at, _ENDS[tag.rstrip(b"> ")]
        pos = at + 1  # <PubmedData>, <PubmedArticleSet>...
    return -1, b""


def parse_pubmed_xml(stream: BinaryIO, report: ParseReport) -> Iterator[dict]:
    # The checker reads the document with each record replaced by an empty <PubmedArticle/>
    # (and as many line ends): the C parser checks the record itself, the line numbers agree.
    checker = DefusedXMLParser(target=_Nothing(), forbid_dtd=False)
    checker.parser.DefaultHandlerExpand = None
    buffer = bytearray()
    line = 1  # the line buffer[0] is on
    root = b""
    records = 0
    seen = False
    for chunk in _utf8_chunks(stream, report.encoding):
        seen = seen or bool(chunk.strip())
        buffer += chunk
        if not root and (match := _ROOT.search(buffer)):
            root = match.group(0)
        pos = 0
        while True:
            start, end_tag = _next_record(buffer, pos)
            end = buffer.find(end_tag, start) if start >= 0 else -1
            if end < 0:
                break
            end += len(end_tag)
            _check(checker, bytes(buffer[pos:start]))
            line += buffer.count(b"\n", pos, start)
            raw = bytes(buffer[start:end])
            tree = _tree(raw, root, line)
            newlines = raw.count(b"\n")
            _check(checker, b"<PubmedArticle/>" + b"\n" * newlines)
            records += 1
            yield _build(tree, line, raw.decode("utf-8", "replace"), report)
            line += newlines
            pos = end
        # Keep an unfinished record; else only enough to find a start tag cut by the chunk.
        start, _end = _next_record(buffer, pos)
        keep = start if start >= 0 else max(pos, len(buffer) - 20)
        if keep > pos:
            _check(checker, bytes(buffer[pos:keep]))
            line += buffer.count(b"\n", pos, keep)
        del buffer[:keep]
    start, _end = _next_record(buffer, 0)
    if start >= 0:  # a record with no end tag: the file stops inside it
        _check(checker, bytes(buffer[:start]))
        report.cut_off(
            line + buffer.count(b"\n", 0, start), _("the last PubMed XML record is not closed")
        )
        return
    _check(checker, bytes(buffer))
    try:
        checker.close()
    except (ExpatError, SyntaxError) as exc:
        if not seen:
            raise ImportFormatError(_("the file is empty")) from exc
        report.cut_off(line_of(exc), stops_early(exc), False)
        return
    if records == 0:
        raise ImportFormatError(_(_NONE_FOUND) if seen else _("the file is empty"))


def _check(checker: DefusedXMLParser, chunk: bytes) -> None:
    try:
        checker.feed(chunk)
    except (ExpatError, SyntaxError) as exc:
        raise ImportFormatError(not_well_formed(exc), line_of(exc)) from exc
    except DefusedXmlException as exc:
        raise ImportFormatError(forbidden("PubMed XML")) from exc


def _tree(raw: bytes, root: bytes, line: int) -> ElementTree.Element:
    try:
        if root:
            return ElementTree.fromstring(root + raw + b"</PubmedArticleSet>")[0]
        return ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        at = line + exc.position[0] - 1 - root.count(b"\n")
        raise ImportFormatError(not_well_formed(exc), at) from exc


def _text(element: ElementTree.Element | None) -> str:
    """The element's text, inline markup (<i>, <sup>) included, on one line."""
    if element is None:
        return ""
    text = "".join(element.itertext()) if len(element) else element.text or ""
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        return " ".join(text.split())
    return text.strip()


def _author(author: ElementTree.Element) -> str:
    parts = {child.tag: (child.text or "").strip() for child in author if child.tag in _NAME_PARTS}
    if parts.get("CollectiveName"):
        return parts["CollectiveName"]
    last = parts.get("LastName", "")
    first = parts.get("ForeName") or parts.get("Initials", "")
    name = f"{last}, {first}" if last and first else last or first
    suffix = parts.get("Suffix")
    return f"{name} {suffix}" if name and suffix else name


def _heading(heading: ElementTree.Element) -> str:
    """'*Tea/adverse effects': the descriptor, its qualifiers, '*' on the major topics."""
    parts = []
    for child in heading:
        if child.tag in ("DescriptorName", "QualifierName"):
            parts.append(("*" if child.get("MajorTopicYN") == "Y" else "") + _text(child))
    return "/".join(parts)


def _part(fields: dict, element: ElementTree.Element) -> None:
    """Fields of an Article or a BookDocument (and of MedlineCitation around an Article)."""
    for child in element:
        tag = child.tag
        if tag in ("PMID", "ArticleTitle", "VernacularTitle", "Language"):
            fields.setdefault(tag, _text(child))
        elif tag == "Article":
            _part(fields, child)
        elif tag == "Journal":
            fields.setdefault("ISSN", _text(child.find("ISSN")))
            fields.setdefault("Journal", _text(child.find("Title")))
            fields.setdefault("ISOAbbreviation", _text(child.find("ISOAbbreviation")))
            issue = child.find("JournalIssue")
            if issue is not None:
                fields["Volume"] = _text(issue.find("Volume"))
                fields["Issue"] = _text(issue.find("Issue"))
                date = issue.find("PubDate")
                if date is not None:
                    fields["Date"] = _text(date.find("Year")) or _text(date.find("MedlineDate"))
        elif tag == "Book":
            fields["BookTitle"] = _text(child.find("BookTitle"))
            date = child.find("PubDate")
            if date is not None:
                fields.setdefault("Date", _text(date.find("Year")))
        elif tag == "Pagination":
            pages = _text(child.find("MedlinePgn"))
            if not pages and child.find("StartPage") is not None:
                end = _text(child.find("EndPage"))
                pages = _text(child.find("StartPage")) + (f"-{end}" if end else "")
            fields["Pagination"] = pages
        elif tag == "ELocationID":
            fields.setdefault("ids", {}).setdefault(child.get("EIdType", "").lower(), _text(child))
        elif tag == "Abstract":
            fields["Abstract"] = " ".join(
                f"{part.get('Label')}: {_text(part)}" if part.get("Label") else _text(part)
                for part in child
                if part.tag == "AbstractText"
            )
        elif tag == "AuthorList":
            fields["authors"] = [_author(a) for a in child if a.tag == "Author"]
            fields["authors"] = [name for name in fields["authors"] if name]
        elif tag == "PublicationTypeList":
            fields["types"] = [_text(t) for t in child]
        elif tag == "MedlineJournalInfo":
            fields.setdefault("MedlineTA", _text(child.find("MedlineTA")))
        elif tag == "MeshHeadingList":
            fields["mesh"] = [_heading(h) for h in child if h.tag == "MeshHeading"]
            fields["mesh"] = [heading for heading in fields["mesh"] if heading]
        elif tag == "KeywordList":
            fields.setdefault("terms", []).extend(t for t in map(_text, child) if t)


def _fields(record: ElementTree.Element) -> dict:
    fields: dict = {}
    for part in record:
        if part.tag in ("MedlineCitation", "BookDocument"):
            _part(fields, part)
        elif part.tag in ("PubmedData", "PubmedBookData"):
            ids = fields.setdefault("ids", {})
            id_list = part.find("ArticleIdList")
            for article_id in () if id_list is None else id_list:
                kind = article_id.get("IdType", "").lower()
                if kind:
                    ids.setdefault(kind, (article_id.text or "").strip())
    return fields


def _build(element: ElementTree.Element, line: int, raw: str, report: ParseReport) -> dict:
    fields = _fields(element)
    get = fields.get
    ids = {k: v for k, v in get("ids", {}).items() if v}
    record = new_record(line)
    record["raw"] = raw
    record["pmid"] = record["source_key"] = get("PMID") or ids.get("pubmed", "")
    title = get("ArticleTitle", "")
    if title.strip(" .").lower() == "[not available]":
        title = ""  # NLM's placeholder where no English title was given
    record["title"] = title or get("BookTitle", "")
    record["title_alt"] = get("VernacularTitle", "")
    if not record["title"] and record["title_alt"]:
        # An article with no English title: PubMed shows the original-language one as its
        # title, and so do we (no second copy of it as the other-language title).
        record["title"], record["title_alt"] = record["title_alt"], ""
    record["abstract"] = get("Abstract", "")
    record["authors"] = get("authors", [])
    year_text = get("Date", "")
    record["year"] = year_of(report, line, year_text)
    journal = get("Journal") or get("ISOAbbreviation") or get("MedlineTA", "")
    if not journal and get("ArticleTitle") and get("BookTitle"):
        journal = fields["BookTitle"]  # a chapter: the book is where it was published
    record["journal"] = journal
    record["volume"] = get("Volume", "")
    record["issue"] = get("Issue", "")
    record["pages"] = expand_pages(get("Pagination", ""))
    record["doi"] = normalise_doi(ids.get("doi", ""))
    record["keywords"] = get("mesh", []) + get("terms", [])
    record["language"] = get("Language", "")
    record["publication_type"] = "; ".join(get("types", ()))
    other_ids = record["other_ids"]
    for kind, name in (("pmc", "pmcid"), ("pii", "pii")):
        if ids.get(kind):
            other_ids[name] = ids[kind]
    if get("ISSN"):
        other_ids["issn"] = fields["ISSN"]
    return record
