from __future__ import annotations

import pytest

from screening.identification.importers import ImportFormatError, TruncatedFileError

from .conftest import parse_bytes, parse_file


@pytest.mark.parametrize(
    ("relative", "count"),
    [
        ("asysd/zotero_export.xml", 1233),
        ("asysd/mendeley_export.xml", 1233),
        ("bib-dedupe-benchmark/respiratory/Respiratory.xml", 1988),
    ],
)
def test_real_endnote_xml_exports_read_with_their_counts(relative, count):
    records, report = parse_file(relative)
    assert report.format == "endnote-xml"
    assert len(records) == count
    assert all(r["raw"].startswith("<record>") and r["raw"].endswith("</record>") for r in records)


def test_zotero_and_mendeley_exports_agree_on_the_first_record():
    zotero, _ = parse_file("asysd/zotero_export.xml")
    mendeley, _ = parse_file("asysd/mendeley_export.xml")
    for record in (zotero[0], mendeley[0]):
        assert record["title"] == "Myoclonus in older Cavalier King Charles Spaniels."
        assert record["authors"] == ["Rotter, Carina", "Whittaker, Danielle", "Rusbridge, Clare"]
        assert record["doi"] == "10.1111/jvim.16404"
        assert record["pages"] == "1032-1038"
        assert record["year"] == 2022
        assert record["journal"] == "Journal of veterinary internal medicine"
        assert record["publication_type"] == "Journal Article"
    assert mendeley[0]["other_ids"]["accession"] == "35319117"


def test_endnote_desktop_xml_reads_text_inside_style_runs():
    records, _ = parse_file("bib-dedupe-benchmark/respiratory/Respiratory.xml")
    first = records[0]
    assert first["authors"] == ["Ziegler, T. R."]
    assert first["title"].startswith("Perioperative nutritional support in patients")
    assert first["journal"] == "Jpen: Journal of Parenteral & Enteral Nutrition"
    assert first["source_key"] == "2"
    assert first["issue"] == "1112"
    assert first["pages"] == "91-92"


XML = """<?xml version="1.0" encoding="UTF-8"?>
<xml><records>
<record><rec-number>7</rec-number><ref-type name="Journal Article">17</ref-type>
<contributors><authors><author>王小明</author><author>Smith, J</author></authors>
<secondary-authors><author>Editor, E</author></secondary-authors></contributors>
<titles><title>茶與健康 = Tea and health</title><secondary-title>J Tea</secondary-title></titles>
<pages>1045-58</pages><dates><year>2020</year></dates>
<electronic-resource-num>DOI: 10.1234/TEA</electronic-resource-num>
<urls><related-urls><url>https://example.org/t</url></related-urls></urls>
</record>
</records></xml>
"""


def test_endnote_xml_fields_line_and_bilingual_title():
    records, _ = parse_bytes(XML.encode("utf-8"))
    record = records[0]
    assert record["line"] == 3
    assert record["authors"] == ["王小明", "Smith, J"]  # editors are not authors
    assert record["title"] == "茶與健康"
    assert record["title_alt"] == "Tea and health"
    assert record["pages"] == "1045-1058"
    assert record["doi"] == "10.1234/tea"
    assert record["url"] == "https://example.org/t"
    assert record["source_key"] == "7"


def test_xml_with_entities_or_a_dtd_is_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
        "<xml><records><record><titles><title>&b;</title></titles></record></records></xml>"
    )
    with pytest.raises(ImportFormatError, match="declares entities"):
        parse_bytes(bomb.encode())


def test_truncated_xml_is_refused_with_a_line():
    with pytest.raises(TruncatedFileError) as error:
        parse_bytes(XML.encode("utf-8")[:-40])
    assert error.value.line == 3  # where the cut record starts
    assert "the last EndNote XML record is not closed" in error.value.message
