"""RefWorks tagged format: 'RT' opens a record, two-character tags, blank lines between records."""

from __future__ import annotations

import pytest

from screening.identification.importers import ImportFormatError

from .conftest import parse_bytes

REFWORKS = (
    "RT Journal Article\n"
    "SR Electronic(1)\n"
    "ID 42\n"
    "A1 Zhang, San\n"
    "A1 Li, Si; Wang, Wu\n"
    "T1 An invented study of tea and sleep\n"
    "OT 饮茶与睡眠的虚构研究\n"
    "JF Journal of Invented Results\n"
    "JO J Invent Res\n"
    "YR 2019\n"
    "FD 2019 Mar\n"
    "VO 12\n"
    "IS 3\n"
    "SP 1045\n"
    "OP 58\n"
    "K1 tea\n"
    "K1 sleep; cohort\n"
    "AB A first, invented abstract\n"
    "that goes on on the next line.\n"
    "LA English\n"
    "SN 1234-5678\n"
    "DO 10.1000/INVENTED.12\n"
    "UL https://example.org/rw/42\n"
    "AN 31000001\n"
    "DS PubMed\n"
    "\n"
    "RT Book, Whole\n"
    "A1 Smith, John\n"
    "T1 A second invented book\n"
    "YR 2001\n"
    "PB Invented Press\n"
)


def test_refworks_fields_from_an_invented_record():
    records, report = parse_bytes(REFWORKS.encode("utf-8"))
    assert report.format == "refworks"
    first, second = records
    assert first["publication_type"] == "Journal Article"
    assert first["authors"] == ["Zhang, San", "Li, Si", "Wang, Wu"]
    assert first["title"] == "An invented study of tea and sleep"
    assert first["title_alt"] == "饮茶与睡眠的虚构研究"
    assert first["journal"] == "Journal of Invented Results"
    assert (first["year"], first["volume"], first["issue"], first["pages"]) == (
        2019, "12", "3", "1045-1058",
    )  # fmt: skip
    assert first["keywords"] == ["tea", "sleep", "cohort"]
    assert first["abstract"] == "A first, invented abstract\nthat goes on on the next line."
    assert first["doi"] == "10.1000/invented.12" and first["pmid"] == "31000001"
    assert first["other_ids"] == {"accession": "31000001", "issn": "1234-5678"}
    assert first["source_key"] == "42" and first["url"] == "https://example.org/rw/42"
    assert (first["line"], second["line"]) == (1, 27)
    assert (second["title"], second["year"], second["journal"]) == (
        "A second invented book", 2001, "",
    )  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "gb18030"])
def test_refworks_in_other_encodings(encoding):
    records, report = parse_bytes(REFWORKS.encode(encoding))
    assert report.format == "refworks"
    assert records[0]["title_alt"] == "饮茶与睡眠的虚构研究"


def test_refworks_is_told_from_web_of_science_and_ris_by_its_content():
    records, report = parse_bytes(REFWORKS.encode(), filename="savedrecs.ris")
    assert report.format == "refworks" and len(records) == 2


def test_an_untagged_line_before_any_record_is_refused_with_its_line():
    with pytest.raises(ImportFormatError) as error:
        parse_bytes(b"\n\nsome words\nRT Book\nT1 A\n", fmt="refworks")
    assert error.value.line == 3


def test_a_chinese_name_right_after_its_tag_is_read():
    # CNKI's RefWorks export of a thesis. (Invented record.)
    refworks = "RT Dissertation/Thesis\nA1林行众\nT1 一个虚构的题名\nYR 2020\nAB Abstract text\n"
    records, report = parse_bytes(refworks.encode(), filename="cnki.txt")
    assert records[0]["authors"] == ["林行众"]
    assert records[0]["abstract"] == "Abstract text"
