"""CNKI's NoteExpress exports: '{Field}: value' with ASCII or full-width colons, translated
titles to title_alt, authors one per line or ';'/';;'-joined, GB18030 as CNKI often writes it."""

from __future__ import annotations

import pytest

from screening.identification.importers import ImportFormatError

from .conftest import parse_bytes, parse_file

NOTEEXPRESS = (
    "{Reference Type}: Journal Article\n"
    "{Title}: 饮茶与睡眠质量的虚构研究\n"
    "{Translated Title}: An invented study of tea and sleep quality\n"
    "{Author}: 张三;;李四\n"
    "{Author}: 王五\n"
    "{Translated Author}: Zhang San;Li Si;Wang Wu\n"
    "{Author Address}: 虚构大学;;另一所虚构大学\n"
    "{Journal}: 虚构医学杂志\n"
    "{Year}: 2016\n"
    "{Volume}: 38\n"
    "{Issue}: 4\n"
    "{Pages}: 310-20\n"
    "{Keywords}: 饮茶；睡眠；;队列\n"
    "{Abstract}：目的(#br)探讨饮茶与睡眠的关系。\n"
    "{ISBN/ISSN}:0253-3766\n"
    "{DOI}: 10.1000/INVENTED.38\n"
    "{URL}：https://example.org/a/1\n"
    "{Language}：chi\n"
    "{Database Provider}: CNKI\n"
    "\n\n"
    "{Reference Type}: Thesis\n"
    "{Title}: 第二篇虚构的学位论文\n"
    "{Author}: 赵六\n"
    "{Publisher}: 虚构大学\n"
    "{Year}: 2018\n"
    "{Keywords}: 铁路,运输,规划\n"
    "{Database Provider}: CNKI\n"
)


def test_noteexpress_fields_from_an_invented_record():
    records, report = parse_bytes(NOTEEXPRESS.encode("utf-8"))
    assert report.format == "noteexpress"
    first, second = records
    assert first["title"] == "饮茶与睡眠质量的虚构研究"
    assert first["title_alt"] == "An invented study of tea and sleep quality"
    assert first["authors"] == ["张三", "李四", "王五"]
    assert first["authors_alt"] == ["Zhang San", "Li Si", "Wang Wu"]
    assert (first["journal"], first["year"], first["volume"], first["issue"]) == (
        "虚构医学杂志", 2016, "38", "4",
    )  # fmt: skip
    assert first["pages"] == "310-320"
    assert first["keywords"] == ["饮茶", "睡眠", "队列"]
    assert first["abstract"] == "目的\n探讨饮茶与睡眠的关系。"
    assert first["doi"] == "10.1000/invented.38"
    assert first["url"] == "https://example.org/a/1"
    assert first["language"] == "chi"
    assert first["other_ids"] == {"issn": "0253-3766"}
    assert first["publication_type"] == "Journal Article"
    assert first["raw"].startswith("{Reference Type}") and first["raw"].endswith("CNKI")
    assert (first["line"], second["line"]) == (1, 22)
    # A thesis: its publisher is the university, not a journal.
    assert second["journal"] == "" and second["keywords"] == ["铁路", "运输", "规划"]


def test_gb18030_noteexpress_is_read_as_gb18030():
    records, report = parse_bytes(NOTEEXPRESS.encode("gb18030"))
    assert report.format == "noteexpress" and report.encoding == "gb18030"
    assert records[0]["title"] == "饮茶与睡眠质量的虚构研究"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le"])
def test_unicode_noteexpress_with_and_without_bom(encoding):
    records, report = parse_bytes(NOTEEXPRESS.encode(encoding))
    assert report.format == "noteexpress"
    assert [r["title"] for r in records] == ["饮茶与睡眠质量的虚构研究", "第二篇虚构的学位论文"]


def test_real_cnki_exports_read_with_their_counts_and_translated_title():
    for relative, count in [
        ("cnki-2-bibtex/Classic5Test.net", 5),
        ("cnki-2-bibtex/CoverAllTest15Entries.net", 15),
        ("cnki-2-bibtex/ChineseColon.net", 1),
    ]:
        records, report = parse_file(relative)
        assert report.format == "noteexpress" and len(records) == count
        assert all(r["title"] for r in records)
    [record], _ = parse_file("cnki-2-bibtex/ChineseColon.net")
    assert record["title"] == "软组织肉瘤诊治中国专家共识(2015年版)"
    assert record["title_alt"].startswith("Chinese expert consensus on diagnosis and treatment")
    assert record["authors"] == ["中国抗癌协会肉瘤专业委员会", "中国临床肿瘤学会"]
    assert record["abstract"].startswith("软组织肉瘤是一类间叶来源的恶性肿瘤")  # '{Abstract}：'
    assert record["url"] == "https://rs.yiigle.com/CN112152201604/889113.htm"
    assert (record["year"], record["pages"], record["language"]) == (2016, "310-320", "chi")


def test_real_cnki_records_match_the_same_records_converted_to_bibtex():
    notes, _ = parse_file("cnki-2-bibtex/Classic5Test.net")
    bib, _ = parse_file("cnki-2-bibtex/Classic5Test.bib")
    for ours, theirs in zip(notes, bib, strict=True):
        for field in ("title", "authors", "year", "journal", "volume", "issue", "keywords"):
            assert ours[field] == theirs[field], field
    # CNKI's heading 'Abstract(#br)' is not part of the abstract.
    assert notes[0]["abstract"].startswith("This paper contributes to the literature")


def test_text_before_the_first_record_is_refused_with_its_line():
    with pytest.raises(ImportFormatError) as error:
        parse_bytes("导出的文献\n{Reference Type}: Book\n".encode(), fmt="noteexpress")
    assert (
        error.value.line == 1
        and "expected a tag line (NoteExpress: '{Title}: ...')" in error.value.message
    )


def test_a_file_named_txt_or_ris_is_still_read_as_noteexpress():
    for name in ("export.txt", "export.ris", "export.bib"):
        records, report = parse_bytes(NOTEEXPRESS.encode(), filename=name)
        assert report.format == "noteexpress" and len(records) == 2
