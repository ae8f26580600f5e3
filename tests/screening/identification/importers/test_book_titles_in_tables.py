"""A table written from BibTeX's fields (ACM's CSV) names a book's title `booktitle`: a whole
book has no `title` and a paper in proceedings no `journal`; both are read from it."""

from __future__ import annotations

from .conftest import parse_bytes

HEADER = '"type","author","title","journal","year","booktitle","publisher"\n'
ROWS = (
    '"book","Ana Lopes","","","2015","Cloud Data Management","Springer"\n'
    '"article","Ana Lopes and Bo Chen","A middleware for clouds","","2014",'
    '"Proceedings of a conference on clouds","ACM"\n'
    '"article","Bo Chen","Services in practice","Journal of Services","2013","","Wiley"\n'
)


def test_a_whole_book_takes_its_title_from_booktitle():
    records, report = parse_bytes((HEADER + ROWS).encode(), filename="acm.csv")
    assert (records[0]["title"], records[0]["journal"]) == ("Cloud Data Management", "")
    assert "row has no title, DOI or PMID" not in [w[1] for w in report.warnings]


def test_a_paper_in_proceedings_takes_its_venue_from_booktitle():
    records, _ = parse_bytes((HEADER + ROWS).encode(), filename="acm.csv")
    assert records[1]["title"] == "A middleware for clouds"
    assert records[1]["journal"] == "Proceedings of a conference on clouds"
    assert records[2]["journal"] == "Journal of Services"


def test_a_mapping_given_by_a_person_is_followed_as_given():
    mapping = {"title": "title", "authors": "author", "journal": "journal", "year": "year"}
    records, _ = parse_bytes((HEADER + ROWS).encode(), filename="acm.csv", column_map=mapping)
    assert (records[0]["title"], records[1]["journal"]) == ("", "")
