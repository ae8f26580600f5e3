"""EndNote / Refer tagged (.enw) as Airiti, Wanfang, CNKI, Google Scholar and the AIS eLibrary
export it: '%0' type, '%A' authors, '%T' title, '%Q' translated title, '%R' DOI..."""

from __future__ import annotations

import pytest

from screening.identification.importers import ImportFormatError

from .conftest import parse_bytes, parse_file

ENW = (
    "%0 Journal Article\n"
    "%A 王小明\n"
    "%A 陳美玲\n"
    "%H Wang, Xiao-Ming\n"
    "%H Chen, Mei-Ling\n"
    "%T 虛構的飲茶與睡眠研究\n"
    "%Q An invented study of tea and sleep\n"
    "%J 虛構護理雜誌\n"
    "%D 2015\n"
    "%V 62\n"
    "%N 3\n"
    "%P 45-52\n"
    "%R 10.1000/INVENTED.62\n"
    "%K 飲茶\n"
    "%K 睡眠\n"
    "%X 本研究為虛構。\n"
    "第二段摘要。\n"
    "%@ 0047-262X\n"
    "%G 中文\n"
    "%U https://example.org/enw/1\n"
    "%M 000123\n"
    "\n"
    "%T A second invented record with no type line\n"
    "%A Smith, John\n"
    "%B Proceedings of an Invented Conference\n"
    "%8 March 3, 2019\n"
    "%U https://doi.org/10.1000/invented.conf\n"
    "\n"
)


def test_refer_fields_from_an_invented_record():
    records, report = parse_bytes(ENW.encode("utf-8"))
    assert report.format == "endnote-tagged"
    first, second = records
    assert first["publication_type"] == "Journal Article"
    assert first["title"] == "虛構的飲茶與睡眠研究"
    assert first["title_alt"] == "An invented study of tea and sleep"
    assert first["authors"] == ["王小明", "陳美玲"]
    assert first["authors_alt"] == ["Wang, Xiao-Ming", "Chen, Mei-Ling"]
    assert (first["journal"], first["year"], first["volume"], first["issue"]) == (
        "虛構護理雜誌", 2015, "62", "3",
    )  # fmt: skip
    assert first["pages"] == "45-52" and first["doi"] == "10.1000/invented.62"
    assert first["keywords"] == ["飲茶", "睡眠"]
    assert first["abstract"] == "本研究為虛構。\n第二段摘要。"  # an untagged line continues
    assert first["other_ids"] == {"accession": "000123", "issn": "0047-262X"}
    assert first["source_key"] == "000123" and first["language"] == "中文"
    assert (first["line"], second["line"]) == (1, 23)
    # No %0: a blank line still separates records; %B is the proceedings; DOI from the link.
    assert second["title"] == "A second invented record with no type line"
    assert second["journal"] == "Proceedings of an Invented Conference"
    assert second["year"] == 2019 and second["doi"] == "10.1000/invented.conf"


def test_big5_enw_as_airiti_exports_it():
    records, report = parse_bytes(ENW.encode("big5"))
    assert report.format == "endnote-tagged" and report.encoding == "big5"
    assert records[0]["authors"] == ["王小明", "陳美玲"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "gb18030"])
def test_other_encodings(encoding):
    records, report = parse_bytes(ENW.encode(encoding, "replace"))
    assert report.format == "endnote-tagged" and len(records) == 2
    assert records[1]["title"] == "A second invented record with no type line"


def test_a_type_line_opens_a_new_record_without_a_blank_line():
    data = b"%0 Book\n%T One\n%0 Book\n%T Two\n"
    records, _ = parse_bytes(data)
    assert [(r["title"], r["line"]) for r in records] == [("One", 1), ("Two", 3)]


def test_real_ais_elibrary_export():
    records, report = parse_file("colrev/ais_enl.txt")
    assert report.format == "endnote-tagged"
    assert len(records) == 6  # six %T records, two of them with a %0 line
    first = records[0]
    assert first["title"].startswith("How Trust Leads to Commitment on Microsourcing Platforms")
    assert first["authors"] == ["Guo, Wenbo", "Straub, Detmar W.", "Zhang, Pengzhu", "Cai, Zhao"]
    assert (first["journal"], first["year"], first["volume"], first["issue"]) == (
        "Management Information Systems Quarterly", 2021, "45", "3",
    )  # fmt: skip
    assert first["pages"] == "1309-1348"
    assert first["url"] == "https://aisel.aisnet.org/misq/vol45/iss3/13"


def test_a_line_before_any_record_is_refused_with_its_line():
    with pytest.raises(ImportFormatError) as error:
        parse_bytes(b"Exported from somewhere\n%0 Book\n%T A\n", fmt="endnote-tagged")
    assert error.value.line == 1
    assert error.value.message == (
        "expected a tag line (EndNote/Refer: '%T ...'), found 'Exported from somewhere'"
    )


def test_a_title_repeated_in_the_other_language_is_the_second_language_title():
    # As Airiti writes it: %T twice, Chinese then English, no %Q.
    data = "%0 Journal Article\n%T 虛構的研究\n%T An invented study\n%A 王小明\n%D 2015\n".encode()
    [record], _ = parse_bytes(data)
    assert (record["title"], record["title_alt"]) == ("虛構的研究", "An invented study")
    data = b"%0 Journal Article\n%T First of two\n%T Second of two\n%D 2015\n"
    [record], _ = parse_bytes(data)  # both in one script: the second is not a translation
    assert (record["title"], record["title_alt"]) == ("First of two", "")


def test_names_joined_with_a_semicolon_on_one_line_are_several_authors():
    # CNKI writes a patent's inventors on one %A line. (Invented record.)
    refer = "%0 Patent\n%T An invented patent\n%A Lopes Ana;Chen Bo\n%D 2020\n"
    records, _ = parse_bytes(refer.encode(), filename="cnki.txt")
    assert records[0]["authors"] == ["Lopes Ana", "Chen Bo"]
