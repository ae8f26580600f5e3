"""CSL-JSON (Zotero, Mendeley, citation.js): a list of items, read one at a time."""

from __future__ import annotations

import pytest

from screening.identification.importers import ImportFormatError, csl_json

from .conftest import parse_bytes

ITEMS = """[
  {"id": "item-1", "type": "article-journal", "title": "Tea drinking and sleep",
   "original-title": "饮茶与睡眠",
   "author": [{"family": "Zhang", "given": "San"}, {"literal": "The Invented Study Group"},
              {"family": "Berg", "given": "Anna", "non-dropping-particle": "van den"},
              {"family": "Smith", "given": "John", "suffix": "Jr."}],
   "issued": {"date-parts": [[2019, 3]]}, "container-title": "Journal of Invented Results",
   "volume": 12, "issue": "3", "page": "1045-58", "DOI": "10.1000/INVENTED.1",
   "PMID": "11111111", "PMCID": "PMC1111111", "ISSN": "1234-5678",
   "keyword": "tea; sleep quality", "language": "en", "URL": "https://example.org/1",
   "abstract": "First part.", "custom": {"authors_alt": ["张三"]}},
  {"id": 2, "type": "book", "title": "A second, invented book",
   "issued": {"raw": "circa 2001"}, "keyword": "history, tea"},
  {"id": "3", "type": "report", "title": "A third", "issued": {"literal": "no date"}}
]
"""


def test_csl_json_fields_from_invented_items():
    records, report = parse_bytes(ITEMS.encode("utf-8"))
    assert report.format == "csl-json"
    first, second, third = records
    assert first["title"] == "Tea drinking and sleep" and first["title_alt"] == "饮茶与睡眠"
    assert first["authors"] == [
        "Zhang, San", "The Invented Study Group", "van den Berg, Anna", "Smith, John, Jr.",
    ]  # fmt: skip
    assert first["authors_alt"] == ["张三"]
    assert (first["year"], first["journal"], first["volume"], first["issue"]) == (
        2019, "Journal of Invented Results", "12", "3",
    )  # fmt: skip
    assert first["pages"] == "1045-1058" and first["doi"] == "10.1000/invented.1"
    assert first["pmid"] == "11111111" and first["keywords"] == ["tea", "sleep quality"]
    assert first["other_ids"] == {"pmcid": "PMC1111111", "issn": "1234-5678"}
    assert (first["source_key"], first["publication_type"]) == ("item-1", "article-journal")
    assert first["line"] == 2 and second["line"] == 12 and third["line"] == 14
    assert second["year"] == 2001 and second["keywords"] == ["history", "tea"]
    assert second["source_key"] == "2"
    assert third["year"] is None
    assert report.warnings == [(14, "year not understood: 'no date'")]


@pytest.mark.parametrize("read_chars", [1, 7, 64])
def test_items_split_across_reads_come_out_the_same(monkeypatch, read_chars):
    whole, _ = parse_bytes(ITEMS.encode())
    monkeypatch.setattr(csl_json, "READ_CHARS", read_chars)
    pieces, _ = parse_bytes(ITEMS.encode())
    assert pieces == whole


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le"])
def test_csl_json_in_unicode_encodings(encoding):
    records, report = parse_bytes(ITEMS.encode(encoding))
    assert report.format == "csl-json" and records[0]["authors_alt"] == ["张三"]


def test_a_single_item_object_is_read_as_one_record():
    records, _ = parse_bytes(b'{"type": "book", "title": "Alone"}')
    assert [r["title"] for r in records] == ["Alone"]


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (
            b'[\n{"type": "book", "title": "A"},\n{"type": "book" "title": "B"}\n]',
            3,
            "not valid JSON",
        ),
        (b'[\n{"type": "book", "title": "A"}\n{"type": "book"}]', 3, "expected ',' or ']'"),
        (b'[\n"just a string"\n]', 2, "must be an object"),
        (b'[{"type": "book", "title": "A"}] trailing', 1, "text after the end"),
        (b"[]", 1, "no CSL-JSON items"),
    ],
)
def test_malformed_json_is_refused_with_its_line(data, line, message):
    with pytest.raises(ImportFormatError) as error:
        parse_bytes(data, fmt="csl-json")
    assert error.value.line == line and message in error.value.message


def test_json_that_is_not_csl_is_refused_by_detection():
    with pytest.raises(ImportFormatError) as error:
        parse_bytes(b'{"name": "package", "version": "1.0"}')
    assert "not CSL-JSON" in error.value.message
