"""OpenAlex and Crossref JSON: the works their APIs return, as people save them to screen.

- OpenAlex (openalex.org, "Export" as JSON, or the API): a work is an object whose "id" is
  https://openalex.org/W..., with "title"/"display_name", "authorships" [{"author":
  {"display_name"}}], "publication_year", "doi" (a https://doi.org/ URL), "primary_location"
  {"source": {"display_name"}}, "biblio" {volume, issue, first_page, last_page}, the abstract as
  "abstract_inverted_index" {word: [positions]}, "ids" {"pmid": a PubMed URL}. A file holds one
  work, a list of works, or an API page {"meta": ..., "results": [works]}.
- Crossref (api.crossref.org): a response {"status": "ok", "message-type": "work", "message":
  work} or, for a search, "work-list" with "message": {"items": [works]}; a work has "title"
  and "container-title" as lists, "author" [{"given", "family"} or {"name"}], "issued" (or
  "published...") {"date-parts"}, "DOI", "volume", "issue", "page", the abstract in JATS markup.

Both are read one item at a time like CSL-JSON (`csl_json.json_items`); a response object is
decoded whole (an API page is at most a few hundred works).
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterator

from screening.identification.importers.base import ImportFormatError, ParseReport, new_record
from screening.identification.importers.csl_json import (
    _name,
    _text,
    json_items,
    warn_if_unnamed,
)
from screening.identification.importers.normalise import (
    expand_pages,
    normalise_doi,
    normalise_pmid,
    parse_year,
)
from screening.identification.importers.text import _, gettext_noop

WORDS = {
    "not_a_list": gettext_noop("the file is not a list of works in [ ... ]"),
    "not_an_object": gettext_noop("a work must be an object { ... }"),
    "after_end": gettext_noop("text after the end of the list of works"),
    "empty": gettext_noop("no works found (the list is empty)"),
    "too_long": gettext_noop("a work is longer than 64 MB"),
    "not_closed": gettext_noop("the last work is not closed"),
}

# Told apart by what only each writes near the top of a file: a Crossref response names its
# message type; an OpenAlex work's id is its URL at openalex.org (W for works), and only
# OpenAlex has "authorships" and the inverted abstract; a bare Crossref work has its title and
# journal as lists (CSL-JSON, which Crossref's own CSL output is, has strings) and its counts.
_CROSSREF_RESPONSE = re.compile(r'"message-type"\s*:\s*"work|"status"\s*:\s*"ok"\s*,\s*"message')
_CROSSREF_WORK = re.compile(
    r'"(?:title|container-title)"\s*:\s*\[\s*"|"(?:is-referenced-by-count|reference-count)"\s*:'
)
_OPENALEX_WORK = re.compile(
    r'"https://openalex\.org/W\d+"|"(?:authorships|abstract_inverted_index)"\s*:'
)
# An OpenAlex API page of any entity (an empty page of works has nothing else to tell it by).
_OPENALEX_PAGE = re.compile(r'"db_response_time_ms"\s*:')
_OPENALEX_OTHER = re.compile(r'"id"\s*:\s*"https://openalex\.org/([A-VX-Z])\d+"')
_CSL = re.compile(r'"(?:type|title)"\s*:')
_MARKUP = re.compile(r"<[^>]*>")
_OPENALEX_ENTITIES = {
    "A": gettext_noop("authors"),
    "S": gettext_noop("sources (journals)"),
    "I": gettext_noop("institutions"),
    "T": gettext_noop("topics"),
    "C": gettext_noop("concepts"),
    "P": gettext_noop("publishers"),
    "F": gettext_noop("funders"),
}


def json_kind(text: str) -> str:
    """The format code of a JSON file from its first 64 KB, or an ImportFormatError naming it."""
    if _CROSSREF_RESPONSE.search(text):
        return "crossref-json"
    if _OPENALEX_WORK.search(text):
        return "openalex-json"
    # Works name their authors and sources by these ids too, so only a file with no work in it.
    other = _OPENALEX_OTHER.search(text)
    if other and other.group(1) in _OPENALEX_ENTITIES:
        raise ImportFormatError(
            _(
                "This is an OpenAlex list of %(entities)s, not of works. In OpenAlex, search "
                "for works and export them (JSON, RIS or CSV)."
            )
            % {"entities": _(_OPENALEX_ENTITIES[other.group(1)])}
        )
    if _OPENALEX_PAGE.search(text):
        return "openalex-json"
    if _CROSSREF_WORK.search(text):
        return "crossref-json"
    if _CSL.search(text):
        return "csl-json"
    raise ImportFormatError(_("This JSON file is not CSL-JSON (a list of items with a title)."))


def parse_openalex_json(text: io.TextIOBase, report: ParseReport) -> Iterator[dict]:
    for line, item in json_items(text, report, WORDS, _openalex_results):
        yield _openalex_work(item, line, report)


def parse_crossref_json(text: io.TextIOBase, report: ParseReport) -> Iterator[dict]:
    for line, item in json_items(text, report, WORDS, _crossref_items):
        yield _crossref_work(item, line, report)


def _openalex_results(item: dict) -> list | None:
    results = item.get("results")
    return results if "id" not in item and isinstance(results, list) else None


def _crossref_items(item: dict) -> list | None:
    message = item.get("message")
    if not isinstance(message, dict):
        return None
    items = message.get("items")
    return items if isinstance(items, list) else [message]


def _get(item, *path):
    """item[path[0]][path[1]]... or None where a step is missing or not an object."""
    for key in path:
        if not isinstance(item, dict):
            return None
        item = item.get(key)
    return item


def _first(value) -> str:
    """A Crossref list field's first value (a string on its own is taken as it is)."""
    if isinstance(value, list):
        return next((t for t in map(_text, value) if t), "")
    return _text(value)


def _abstract_of_index(index) -> str:
    """OpenAlex keeps the abstract as {word: [positions]}; the words in position order."""
    if not isinstance(index, dict):
        return ""
    places = []
    for word, positions in index.items():
        if isinstance(positions, list):
            places += [(p, word) for p in positions if isinstance(p, int)]
    return " ".join(word for _, word in sorted(places))


def _year(report: ParseReport, line: int, value) -> int | None:
    text = _text(value)
    year = parse_year(text)
    if text and year is None:
        report.warn(line, _("year not understood: %(text)s") % {"text": repr(text)})
    return year


def _openalex_work(item: dict, line: int, report: ParseReport) -> dict:
    record = new_record(line)
    record["raw"] = json.dumps(item, ensure_ascii=False)
    record["title"] = " ".join(
        (_text(item.get("title")) or _text(item.get("display_name"))).split()
    )
    authorships = item.get("authorships")
    if isinstance(authorships, list):
        names = (
            _text(_get(a, "author", "display_name")) or _text(_get(a, "raw_author_name"))
            for a in authorships
        )
        record["authors"] = [n for n in names if n]
    record["abstract"] = _abstract_of_index(item.get("abstract_inverted_index"))
    record["year"] = _year(report, line, item.get("publication_year"))
    source = _get(item, "primary_location", "source") or _get(item, "host_venue")
    record["journal"] = _text(_get(source, "display_name"))
    biblio = item.get("biblio") if isinstance(item.get("biblio"), dict) else {}
    record["volume"] = _text(biblio.get("volume"))
    record["issue"] = _text(biblio.get("issue"))
    first, last = _text(biblio.get("first_page")), _text(biblio.get("last_page"))
    record["pages"] = expand_pages(f"{first}-{last}" if first and last and last != first else first)
    record["doi"] = normalise_doi(_text(item.get("doi")) or _text(_get(item, "ids", "doi")))
    record["pmid"] = normalise_pmid(_text(_get(item, "ids", "pmid")))
    pmcid = _text(_get(item, "ids", "pmcid")).rstrip("/").rsplit("/", 1)[-1]
    if pmcid:
        record["other_ids"]["pmcid"] = pmcid
    issn = _text(_get(source, "issn_l"))
    if issn:
        record["other_ids"]["issn"] = issn
    keywords = item.get("keywords")
    if isinstance(keywords, list):
        words = (
            _text(_get(k, "display_name")) if isinstance(k, dict) else _text(k) for k in keywords
        )
        record["keywords"] = [k for k in words if k]
    record["language"] = _text(item.get("language"))
    record["publication_type"] = _text(item.get("type"))
    record["url"] = _text(_get(item, "primary_location", "landing_page_url"))
    record["source_key"] = _text(item.get("id")).rsplit("/", 1)[-1]
    warn_if_unnamed(record, report)
    return record


def _crossref_year(report: ParseReport, line: int, item: dict) -> int | None:
    """The year of the first of Crossref's publication dates that has one ('created' and
    'deposited' are Crossref's own dates, not the work's)."""
    for key in ("issued", "published", "published-print", "published-online"):
        parts = _get(item, key, "date-parts")
        first = parts[0] if isinstance(parts, list) and parts else None
        # Crossref writes [[null]] for an unknown date: then the next date is asked.
        if isinstance(first, list) and first and first[0] is not None:
            return _year(report, line, first[0])
    return None


def _crossref_work(item: dict, line: int, report: ParseReport) -> dict:
    record = new_record(line)
    record["raw"] = json.dumps(item, ensure_ascii=False)
    record["title"] = " ".join(_first(item.get("title")).split())
    record["title_alt"] = " ".join(_first(item.get("original-title")).split())
    authors = item.get("author")
    if isinstance(authors, list):
        names = (_name(a) or _text(_get(a, "name")) for a in authors)
        record["authors"] = [n for n in names if n]
    # The abstract is JATS XML (<jats:p>, <jats:title>...): its text, entities decoded.
    abstract = _MARKUP.sub(" ", _text(item.get("abstract")))
    record["abstract"] = " ".join(html.unescape(abstract).split())
    record["year"] = _crossref_year(report, line, item)
    record["journal"] = _first(item.get("container-title")) or _first(
        item.get("short-container-title")
    )
    record["volume"] = _text(item.get("volume"))
    record["issue"] = _text(item.get("issue"))
    record["pages"] = expand_pages(_text(item.get("page")))
    record["doi"] = normalise_doi(_text(item.get("DOI")))
    for key, name in (("ISSN", "issn"), ("ISBN", "isbn")):
        value = _first(item.get(key))
        if value:
            record["other_ids"][name] = value
    subjects = item.get("subject")
    record["keywords"] = (
        [k for k in map(_text, subjects) if k] if isinstance(subjects, list) else []
    )
    record["language"] = _text(item.get("language"))
    record["publication_type"] = _text(item.get("type"))
    record["url"] = _text(item.get("URL"))
    warn_if_unnamed(record, report)
    return record
