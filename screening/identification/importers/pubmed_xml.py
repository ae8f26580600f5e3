"""PubMed XML: <PubmedArticleSet> as E-utilities efetch (rettype=xml) and PubMed's 'Save as XML'
write it, streamed (see `xmlstream`). The DOCTYPE is allowed (every such file names PubMed's
DTD); entities and external references are still refused.

Each <PubmedArticle> (or <PubmedBookArticle>) is a record; fields are matched by their path
inside it, so the PMIDs and article ids of the reference list and of comments/corrections are
never taken for the record's own. Fields come out as the MEDLINE reader gives them for the
same record (authors 'Last, Fore', MeSH headings with '*' and '/qualifier', labelled abstract
sections joined as 'LABEL: text').
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from screening.identification.importers.base import ParseReport, new_record
from screening.identification.importers.normalise import expand_pages, normalise_doi, parse_year
from screening.identification.importers.xmlstream import RecordTarget, stream_records

_CITATION = ("MedlineCitation",)
_ARTICLE = ("MedlineCitation", "Article")
_BOOK = ("BookDocument",)
# (path inside the record, below its element) -> field; first value wins.
_TEXT = {
    (*_CITATION, "PMID"): "pmid",
    (*_BOOK, "PMID"): "pmid",
    (*_ARTICLE, "ArticleTitle"): "title",
    (*_BOOK, "ArticleTitle"): "title",
    (*_BOOK, "Book", "BookTitle"): "book_title",
    (*_ARTICLE, "VernacularTitle"): "title_alt",
    (*_ARTICLE, "Journal", "Title"): "journal",
    (*_ARTICLE, "Journal", "ISOAbbreviation"): "journal_abbreviation",
    (*_CITATION, "MedlineJournalInfo", "MedlineTA"): "journal_abbreviation",
    (*_ARTICLE, "Journal", "JournalIssue", "Volume"): "volume",
    (*_ARTICLE, "Journal", "JournalIssue", "Issue"): "issue",
    (*_ARTICLE, "Journal", "JournalIssue", "PubDate", "Year"): "year",
    (*_ARTICLE, "Journal", "JournalIssue", "PubDate", "MedlineDate"): "medline_date",
    (*_BOOK, "Book", "PubDate", "Year"): "year",
    (*_ARTICLE, "Journal", "ISSN"): "issn",
    (*_ARTICLE, "Pagination", "MedlinePgn"): "pages",
    (*_ARTICLE, "Pagination", "StartPage"): "start_page",
    (*_ARTICLE, "Pagination", "EndPage"): "end_page",
}
_LISTS = {
    (*_ARTICLE, "Language"): "language",
    (*_BOOK, "Language"): "language",
    (*_ARTICLE, "PublicationTypeList", "PublicationType"): "publication_types",
    (*_CITATION, "KeywordList", "Keyword"): "other_terms",
    (*_BOOK, "KeywordList", "Keyword"): "other_terms",
}
_ABSTRACT = {(*_ARTICLE, "Abstract", "AbstractText"), (*_BOOK, "Abstract", "AbstractText")}
_AUTHOR = {(*_ARTICLE, "AuthorList", "Author"), (*_BOOK, "AuthorList", "Author")}
_AUTHOR_PARTS = {"LastName", "ForeName", "Initials", "Suffix", "CollectiveName"}
_MESH = (*_CITATION, "MeshHeadingList", "MeshHeading")
_IDS = {("PubmedData", "ArticleIdList", "ArticleId"), ("PubmedBookData", "ArticleIdList", "ArticleId")}  # fmt: skip
_ELOCATION = {(*_ARTICLE, "ELocationID"), (*_BOOK, "ELocationID")}


class _Target(RecordTarget):
    record_tags = frozenset({"PubmedArticle", "PubmedBookArticle"})

    def __init__(self, report: ParseReport) -> None:
        super().__init__(report)
        self.attributes: list[dict] = []
        self.author: dict[str, str] = {}
        self.heading: list[str] = []

    def field_start(self, tag: str, attrib: dict) -> None:
        if tag in self.record_tags:
            self.attributes = []  # the record's own end goes to `done`, not to field_end
            return
        self.attributes.append(attrib)
        if tag == "Author":
            self.author = {}
        elif tag == "MeshHeading":
            self.heading = []

    def field_end(self, tag: str, text: str) -> None:
        attrib = self.attributes.pop() if self.attributes else {}
        path = self.path(tag)[1:]
        current = self.current
        text = " ".join(text.split())
        name = _TEXT.get(path)
        if name is not None:
            if text:
                current.setdefault(name, text)
        elif path in _LISTS:
            if text:
                current.setdefault(_LISTS[path], []).append(text)
        elif path in _ABSTRACT:
            label = attrib.get("Label", "")
            current.setdefault("abstract", []).append(f"{label}: {text}" if label else text)
        elif tag in _AUTHOR_PARTS and path[:-1] in _AUTHOR:
            self.author[tag] = text
        elif path in _AUTHOR:
            name = _author_name(self.author)
            if name:
                current.setdefault("authors", []).append(name)
        elif path[:-1] == _MESH and tag in ("DescriptorName", "QualifierName"):
            major = "*" if attrib.get("MajorTopicYN") == "Y" else ""
            self.heading.append(major + text)
        elif path == _MESH:
            if self.heading:
                current.setdefault("mesh", []).append("/".join(self.heading))
        elif path in _IDS or path in _ELOCATION:
            kind = (attrib.get("IdType") or attrib.get("EIdType") or "").lower()
            ids = current.setdefault("ids", {})
            if kind and text:
                ids.setdefault(kind, text)


def _author_name(parts: dict[str, str]) -> str:
    if parts.get("CollectiveName"):
        return parts["CollectiveName"]
    last = parts.get("LastName", "")
    first = parts.get("ForeName") or parts.get("Initials", "")
    name = f"{last}, {first}" if last and first else last or first
    suffix = parts.get("Suffix")
    return f"{name} {suffix}" if name and suffix else name


def parse_pubmed_xml(stream: BinaryIO, report: ParseReport) -> Iterator[dict]:
    for fields, line, raw in stream_records(
        stream,
        _Target(report),
        report,
        dtd=True,
        what="PubMed XML",
        none_found="no <PubmedArticle> elements found: this is not a PubMed XML export",
    ):
        yield _build(fields, line, raw, report)


def _build(fields: dict, line: int, raw: str, report: ParseReport) -> dict:
    record = new_record(line)
    record["raw"] = raw
    pmid = fields.get("pmid", "")
    ids = fields.get("ids", {})
    record["pmid"] = record["source_key"] = pmid or ids.get("pubmed", "")
    record["title"] = fields.get("title") or fields.get("book_title", "")
    record["title_alt"] = fields.get("title_alt", "")
    record["abstract"] = " ".join(fields.get("abstract", ()))
    record["authors"] = fields.get("authors", [])
    year_text = fields.get("year") or fields.get("medline_date", "")
    record["year"] = parse_year(year_text)
    if year_text and record["year"] is None:
        report.warn(line, f"year not understood: {year_text!r}")
    journal = fields.get("journal") or fields.get("journal_abbreviation", "")
    if not journal and fields.get("title") and fields.get("book_title"):
        journal = fields["book_title"]
    record["journal"] = journal
    record["volume"] = fields.get("volume", "")
    record["issue"] = fields.get("issue", "")
    pages = fields.get("pages", "")
    if not pages and fields.get("start_page"):
        end = fields.get("end_page", "")
        pages = f"{fields['start_page']}-{end}" if end else fields["start_page"]
    record["pages"] = expand_pages(pages)
    record["doi"] = normalise_doi(ids.get("doi", ""))
    record["keywords"] = fields.get("mesh", []) + fields.get("other_terms", [])
    record["language"] = (fields.get("language") or [""])[0]
    record["publication_type"] = "; ".join(fields.get("publication_types", ()))
    other_ids = record["other_ids"]
    if ids.get("pmc"):
        other_ids["pmcid"] = ids["pmc"]
    if ids.get("pii"):
        other_ids["pii"] = ids["pii"]
    if fields.get("issn"):
        other_ids["issn"] = fields["issn"]
    return record
