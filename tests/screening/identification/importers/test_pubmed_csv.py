"""PubMed's CSV ('Save' as CSV): authors in Vancouver style, a group after a ';', and volume,
issue and pages only inside its NLM citation. (Invented rows, in that export's layout.)"""

from __future__ import annotations

from .conftest import parse_bytes

PUBMED_CSV = (
    "PMID,Title,Authors,Citation,First Author,Journal/Book,Publication Year,Create Date,PMCID,"
    "NIHMS ID,DOI\n"
    '31000001,An invented cohort,"Lopes A, Chen B, Ivanova M; Invented Study Group.",'
    '"J Invent Res. 2006 Dec 30;25(24):4164-78. doi: 10.1000/inv.1.",Lopes A,J Invent Res,2006,'
    "2006/12/30,,,10.1000/inv.1\n"
    "31000002,An invented primer,Wu DJ.,J Invent Res. 2011 Oct;18(10):1099-104.,Wu DJ,"
    "J Invent Res,2011,2011/10/15,,,\n"
    '31000003,An invented report,"Lopes A, Chen B.",Washington (DC): An Invented Institute; '
    "2018 Mar.,Lopes A,An invented report,2018,2018/03/01,,,\n"
)


def test_the_people_and_the_group_are_each_an_author():
    records, _ = parse_bytes(PUBMED_CSV.encode(), filename="csv-pubmed.csv")
    assert records[0]["authors"] == ["Lopes A", "Chen B", "Ivanova M", "Invented Study Group."]
    # The list's closing full stop is not the last name's; with one name it cannot be told.
    assert records[2]["authors"] == ["Lopes A", "Chen B"]
    assert records[1]["authors"] == ["Wu DJ."]


def test_volume_issue_and_pages_come_from_the_citation():
    records, report = parse_bytes(PUBMED_CSV.encode(), filename="csv-pubmed.csv")
    places = [(r["volume"], r["issue"], r["pages"]) for r in records]
    assert places == [("25", "24", "4164-4178"), ("18", "10", "1099-1104"), ("", "", "")]
    assert report.warnings == []
