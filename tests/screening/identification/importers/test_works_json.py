"""OpenAlex and Crossref JSON: their works are read as records (not as CSL-JSON items with no
title), as one work, a list of works or an API response."""

from __future__ import annotations

import json

import pytest

from screening.identification.importers import ImportFormatError, detect_format

from .conftest import parse_bytes

OPENALEX_WORK = {
    "id": "https://openalex.org/W100",
    "doi": "https://doi.org/10.1000/INVENTED.7",
    "title": "Tea drinking and sleep",
    "display_name": "Tea drinking and sleep",
    "publication_year": 2019,
    "ids": {
        "openalex": "https://openalex.org/W100",
        "pmid": "https://pubmed.ncbi.nlm.nih.gov/31111111",
        "pmcid": "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7777777",
    },
    "language": "en",
    "primary_location": {
        "landing_page_url": "https://example.org/7",
        "source": {"display_name": "Journal of Invented Results", "issn_l": "1234-5678"},
    },
    "type": "article",
    "authorships": [
        {"author_position": "first", "author": {"display_name": "San Zhang"}},
        {"author_position": "last", "author": {"display_name": "Anna van den Berg"}},
    ],
    "biblio": {"volume": "12", "issue": "3", "first_page": "1045", "last_page": "1058"},
    "keywords": [{"id": "https://openalex.org/keywords/tea", "display_name": "Tea"}],
    "abstract_inverted_index": {"Tea": [0], "helps": [1], "sleep,": [2], "tea": [4], "or": [3]},
}
OPENALEX_EXPECTED = {
    "title": "Tea drinking and sleep",
    "authors": ["San Zhang", "Anna van den Berg"],
    "year": 2019,
    "doi": "10.1000/invented.7",
    "pmid": "31111111",
    "journal": "Journal of Invented Results",
    "volume": "12",
    "issue": "3",
    "pages": "1045-1058",
    "abstract": "Tea helps sleep, or tea",
    "language": "en",
    "publication_type": "article",
    "keywords": ["Tea"],
    "source_key": "W100",
    "url": "https://example.org/7",
    "other_ids": {"pmcid": "PMC7777777", "issn": "1234-5678"},
}
SECOND = {"id": "https://openalex.org/W200", "display_name": "A second work", "doi": None,
          "biblio": {"first_page": "99", "last_page": "99"}}  # fmt: skip


def _fields(record: dict, expected: dict) -> dict:
    return {key: record[key] for key in expected}


@pytest.mark.parametrize(
    "document",
    [
        OPENALEX_WORK,  # one work, as OpenAlex's "Export JSON" of a work gives
        [OPENALEX_WORK, SECOND],  # a list of works
        {"meta": {"count": 2, "page": 1, "per_page": 25}, "results": [OPENALEX_WORK, SECOND]},
    ],
    ids=["one work", "a list", "an API page"],
)
def test_openalex_works_are_read_with_their_fields(document):
    data = json.dumps(document, indent=1).encode()
    assert detect_format(data, "works.json") == "openalex-json"
    records, report = parse_bytes(data)
    assert report.format == "openalex-json" and report.warnings == []
    assert _fields(records[0], OPENALEX_EXPECTED) == OPENALEX_EXPECTED
    if len(records) > 1:
        assert [r["title"] for r in records] == ["Tea drinking and sleep", "A second work"]
        assert records[1]["pages"] == "99" and records[1]["doi"] == ""


CROSSREF_WORK = {
    "DOI": "10.1000/invented.8",
    "type": "journal-article",
    "title": ["Particle entanglement in invented systems"],
    "container-title": ["Invented Review B"],
    "short-container-title": ["Inv. Rev. B"],
    "author": [
        {"given": "C. M.", "family": "Herd", "sequence": "first", "affiliation": []},
        {"name": "The Invented Consortium", "sequence": "additional"},
    ],
    "created": {"date-parts": [[2021, 1, 2]]},
    "issued": {"date-parts": [[2014, 4]]},
    "volume": "89",
    "issue": "14",
    "page": "140-51",
    "abstract": "<jats:title>Abstract</jats:title><jats:p>Ions &amp; atoms <jats:italic>"
    "entangle</jats:italic>.</jats:p>",
    "ISSN": ["2469-9950", "2469-9969"],
    "subject": ["Physics"],
    "language": "en",
    "URL": "https://doi.org/10.1000/invented.8",
    "is-referenced-by-count": 13,
}
CROSSREF_EXPECTED = {
    "title": "Particle entanglement in invented systems",
    "authors": ["Herd, C. M.", "The Invented Consortium"],
    "year": 2014,
    "doi": "10.1000/invented.8",
    "journal": "Invented Review B",
    "volume": "89",
    "issue": "14",
    "pages": "140-151",
    "abstract": "Abstract Ions & atoms entangle .",
    "publication_type": "journal-article",
    "language": "en",
    "keywords": ["Physics"],
    "other_ids": {"issn": "2469-9950"},
}


@pytest.mark.parametrize(
    ("document", "count"),
    [
        ({"status": "ok", "message-type": "work", "message-version": "1.0.0",
          "message": CROSSREF_WORK}, 1),
        ({"status": "ok", "message-type": "work-list",
          "message": {"total-results": 2, "items": [CROSSREF_WORK, CROSSREF_WORK]}}, 2),
        ([CROSSREF_WORK], 1),
    ],
    ids=["a work response", "a search response", "a list of works"],
)  # fmt: skip
def test_crossref_works_are_read_with_their_fields(document, count):
    data = json.dumps(document, indent=2).encode()
    assert detect_format(data, "works.json") == "crossref-json"
    records, report = parse_bytes(data)
    assert report.format == "crossref-json" and report.warnings == []
    assert len(records) == count
    assert _fields(records[0], CROSSREF_EXPECTED) == CROSSREF_EXPECTED


def test_an_openalex_page_with_no_results_is_refused_not_empty():
    data = b'{"meta": {"count": 0, "db_response_time_ms": 12, "page": 1}, "results": []}'
    with pytest.raises(ImportFormatError, match="no works found"):
        parse_bytes(data)


def test_an_openalex_list_of_authors_is_named_with_what_to_export():
    data = b'{"meta": {"count": 1}, "results": [{"id": "https://openalex.org/A5081873388",\n'
    data += b'"display_name": "San Zhang", "works_count": 3}]}'
    with pytest.raises(ImportFormatError) as error:
        detect_format(data, "authors.json")
    assert "OpenAlex list of authors, not of works" in error.value.message


def test_a_csl_json_item_with_no_title_doi_or_pmid_is_kept_with_a_warning():
    data = (
        b'[{"id": "a", "type": "article-journal", "title": "Kept"},\n{"id": "b", "type": "book"}]'
    )
    records, report = parse_bytes(data)
    assert report.format == "csl-json" and len(records) == 2
    assert report.warnings == [(2, "item has no title, DOI or PMID")]
