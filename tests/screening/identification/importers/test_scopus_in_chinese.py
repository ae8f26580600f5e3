"""Scopus's CSV exported from its Chinese interface names its columns in Chinese; it is read
without a column mapping, and the author ids Scopus writes after each full name are dropped.
(Invented rows, in the layout of that export.)"""

from __future__ import annotations

from .conftest import parse_bytes

SCOPUS_ZH = (
    '\ufeff"作者","Author full names","作者 ID","文献标题","年份","来源出版物名称","链接","摘要",'
    '"作者关键字","索引关键字"\n'
    '"Lopes A.; Chen B.","Lopes, Ana (57100000001); Chen, Bo (57100000002)",'
    '"57100000001; 57100000002","An invented study of tea","2019","Journal of Invented Results",'
    '"https://www.scopus.com/inward/record.uri?eid=2-s2.0-1","An invented abstract.",'
    '"tea; sleep","Humans; Cohort Studies"\n'
)


def test_a_scopus_csv_in_chinese_needs_no_mapping():
    records, report = parse_bytes(SCOPUS_ZH.encode(), filename="scopus.csv")
    record = records[0]
    assert record["title"] == "An invented study of tea"
    assert (record["year"], record["journal"]) == (2019, "Journal of Invented Results")
    assert record["abstract"] == "An invented abstract."
    assert record["url"].startswith("https://www.scopus.com/")
    assert record["keywords"] == ["tea", "sleep", "Humans", "Cohort Studies"]
    assert report.warnings == []


def test_scopus_author_ids_are_not_part_of_the_names():
    records, _ = parse_bytes(SCOPUS_ZH.encode(), filename="scopus.csv")
    assert records[0]["authors"] == ["Lopes, Ana", "Chen, Bo"]
