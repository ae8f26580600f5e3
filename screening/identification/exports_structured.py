"""The structured export formats: CSL-JSON and EndNote XML, written from the export's rows
(dicts of Record values, see `exports._rows`), streamed in chunks.

CSL-JSON keeps what CSL has no variable for in the item's "custom" object (authors_alt); the
title in the other language goes to "original-title". EndNote XML has a place for every field
we store (translated-title, translated-authors).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr

CHUNK_ROWS = 500

# Our publication types (RIS codes, reference-manager words, BibTeX types) -> CSL types.
_CSL_BY_WORD = {
    "jour": "article-journal", "journal article": "article-journal", "article": "article-journal",
    "journal": "article-journal", "book": "book", "chap": "chapter", "book section": "chapter",
    "chapter": "chapter", "incollection": "chapter", "inbook": "chapter", "conf": "paper-conference",
    "cpaper": "paper-conference", "conference": "paper-conference",
    "conference paper": "paper-conference", "conference proceedings": "paper-conference",
    "conference abstract": "paper-conference", "inproceedings": "paper-conference",
    "proceedings": "book", "thes": "thesis", "thesis": "thesis", "phdthesis": "thesis",
    "mastersthesis": "thesis", "dissertation": "thesis", "rprt": "report", "report": "report",
    "techreport": "report", "news": "article-newspaper", "newspaper article": "article-newspaper",
    "mgzn": "article-magazine", "magazine article": "article-magazine", "elec": "webpage",
    "web page": "webpage", "online": "webpage", "pat": "patent", "patent": "patent",
    "stand": "standard", "standard": "standard", "data": "dataset", "dataset": "dataset",
}  # fmt: skip
CSL_TYPES = frozenset(
    [
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "bill",
        "book",
        "broadcast",
        "chapter",
        "classic",
        "collection",
        "dataset",
        "document",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "event",
        "figure",
        "graphic",
        "hearing",
        "interview",
        "legal_case",
        "legislation",
        "manuscript",
        "map",
        "motion_picture",
        "musical_score",
        "pamphlet",
        "paper-conference",
        "patent",
        "performance",
        "periodical",
        "personal_communication",
        "post",
        "post-weblog",
        "regulation",
        "report",
        "review",
        "review-book",
        "software",
        "song",
        "speech",
        "standard",
        "thesis",
        "treaty",
        "webpage",
    ]
)
# EndNote's reference type numbers for the names it uses.
_ENDNOTE_TYPES = {
    "journal article": 17, "book": 6, "book section": 5, "conference proceedings": 10,
    "conference paper": 47, "thesis": 32, "report": 27, "newspaper article": 23,
    "magazine article": 19, "web page": 12, "patent": 25, "electronic article": 43,
    "generic": 13, "standard": 58, "dataset": 59,
}  # fmt: skip
_ENDNOTE_BY_CSL = {
    "article-journal": "Journal Article", "book": "Book", "chapter": "Book Section",
    "paper-conference": "Conference Paper", "thesis": "Thesis", "report": "Report",
    "article-newspaper": "Newspaper Article", "article-magazine": "Magazine Article",
    "webpage": "Web Page", "patent": "Patent", "standard": "Standard", "dataset": "Dataset",
}  # fmt: skip
# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def keyword_list(keywords: list[str] | None) -> str:
    """Keywords as one text, '; '-joined (readers split there, or at ',' when there is no ';':
    a lone keyword with a comma, 'Diabetes Mellitus, Type 2', gets a closing ';')."""
    keywords = keywords or []
    text = "; ".join(keywords)
    return f"{text};" if len(keywords) == 1 and "," in text else text


def csl_type(publication_type: str, journal: str = "") -> str:
    """The CSL type for one of our publication types ('JOUR', 'Journal Article; Review'...)."""
    value = (publication_type or "").strip()
    if value in CSL_TYPES:
        return value
    first = value.split(";", 1)[0].strip().lower()
    return _CSL_BY_WORD.get(first) or ("article-journal" if journal else "document")


def _csl_name(name: str) -> dict:
    # 'Family, Given' splits at its first ', ' (the reader joins it back the same way); any
    # other name is kept whole as a literal.
    family, sep, given = name.partition(", ")
    if sep and family and given:
        return {"family": family, "given": given}
    return {"literal": name}


def csl_item(row: dict) -> dict:
    item: dict = {"id": str(row["id"]), "type": csl_type(row["publication_type"], row["journal"])}
    ids = row["other_ids"] or {}
    for key, value in (
        ("title", row["title"]),
        ("original-title", row["title_alt"]),
        ("author", [_csl_name(a) for a in row["authors"] or []]),
        ("container-title", row["journal"]),
        ("issued", {"date-parts": [[row["year"]]]} if row["year"] else None),
        ("volume", row["volume"]),
        ("issue", row["issue"]),
        ("page", row["pages"]),
        ("DOI", row["doi"]),
        ("PMID", row["pmid"]),
        ("PMCID", ids.get("pmcid")),
        ("ISSN", ids.get("issn")),
        ("ISBN", ids.get("isbn")),
        ("URL", row["url"]),
        ("abstract", row["abstract"]),
        ("keyword", keyword_list(row["keywords"])),
        ("language", row["language"]),
    ):
        if value:
            item[key] = value
    if row["authors_alt"]:
        item["custom"] = {"authors_alt": list(row["authors_alt"])}
    return item


def export_csl_json(rows: Iterable[dict]) -> Iterator[str]:
    out = ["[\n"]
    for n, row in enumerate(rows, 1):
        if n > 1:
            out.append(",\n")
        out.append(json.dumps(csl_item(row), ensure_ascii=False))
        if n % CHUNK_ROWS == 0:
            yield "".join(out)
            out = []
    out.append("\n]\n")
    yield "".join(out)


def _x(text: object) -> str:
    return escape(_NOT_XML.sub("", str(text)))


def _element(name: str, value: object) -> str:
    return f"<{name}>{_x(value)}</{name}>" if value else ""


def endnote_type(publication_type: str, journal: str = "") -> tuple[str, int]:
    """(name, EndNote number) of the reference type: a name EndNote knows is kept, any other
    type keeps its own name with the number of the type it comes closest to."""
    name = (publication_type or "").strip()
    number = _ENDNOTE_TYPES.get(name.lower())
    if number is not None:
        return name, number
    closest = _ENDNOTE_BY_CSL.get(csl_type(name, journal), "Generic")
    return name or closest, _ENDNOTE_TYPES[closest.lower()]


def endnote_record(row: dict) -> str:
    name, number = endnote_type(row["publication_type"], row["journal"])
    ids = row["other_ids"] or {}
    authors = "".join(_element("author", a) for a in row["authors"] or [])
    alt = "".join(_element("author", a) for a in row["authors_alt"] or [])
    contributors = (f"<authors>{authors}</authors>" if authors else "") + (
        f"<translated-authors>{alt}</translated-authors>" if alt else ""
    )
    keywords = "".join(_element("keyword", k) for k in row["keywords"] or [])
    parts = [
        "<record>",
        '<database name="Sift">Sift</database>',
        '<source-app name="Sift">Sift</source-app>',
        _element("rec-number", row["id"]),
        f"<ref-type name={quoteattr(_NOT_XML.sub('', name))}>{number}</ref-type>",
        f"<contributors>{contributors}</contributors>" if contributors else "",
        "<titles>",
        _element("title", row["title"]),
        _element("secondary-title", row["journal"]),
        _element("translated-title", row["title_alt"]),
        "</titles>",
        f"<periodical>{_element('full-title', row['journal'])}</periodical>"
        if row["journal"]
        else "",
        _element("pages", row["pages"]),
        _element("volume", row["volume"]),
        _element("number", row["issue"]),
        f"<keywords>{keywords}</keywords>" if keywords else "",
        f"<dates>{_element('year', row['year'])}</dates>" if row["year"] else "",
        _element("isbn", ids.get("isbn") or ids.get("issn")),
        _element("accession-num", row["pmid"]),
        _element("abstract", row["abstract"]),
        f"<urls><related-urls>{_element('url', row['url'])}</related-urls></urls>"
        if row["url"]
        else "",
        _element("electronic-resource-num", row["doi"]),
        _element("remote-database-provider", "PubMed" if row["pmid"] else ""),
        _element("language", row["language"]),
        "</record>\n",
    ]
    return "".join(parts)


def export_endnote_xml(rows: Iterable[dict]) -> Iterator[str]:
    out = ['<?xml version="1.0" encoding="UTF-8" ?>\n<xml><records>\n']
    for n, row in enumerate(rows, 1):
        out.append(endnote_record(row))
        if n % CHUNK_ROWS == 0:
            yield "".join(out)
            out = []
    out.append("</records></xml>\n")
    yield "".join(out)
