"""Embase's older CSV writes the journal, year, volume, issue and pages in one column, 'Source':
'Cancer (2004) 102:4 (253-258). Date of Publication: 25 Aug 2004'. (Invented rows.)"""

from __future__ import annotations

from .conftest import parse_bytes

EMBASE = (
    "Title,Author Names,Source,Abstract\n"
    '"An invented cohort","Lopes A., Chen B.",'
    '"Journal of Invented Results (2014) 3:3 (152-160). Date of Publication: 2014",Text.\n'
    '"An invented case","Wu D.",'
    '"Invented Case Reports (2019) 54 (83-86). Date of Publication: 1 Jan 2019",Text.\n'
)


def test_the_source_is_read_into_its_parts():
    records, report = parse_bytes(EMBASE.encode(), filename="embase.csv")
    parts = [(r["journal"], r["year"], r["volume"], r["issue"], r["pages"]) for r in records]
    assert parts == [
        ("Journal of Invented Results", 2014, "3", "3", "152-160"),
        ("Invented Case Reports", 2019, "54", "", "83-86"),
    ]
    assert report.warnings == []


def test_a_journal_name_with_brackets_is_left_as_it_is():
    csv = 'Title,Authors,Source title,Year\n"An invented title","Lopes A.","Lancet (London, England)",2020\n'
    records, _ = parse_bytes(csv.encode(), filename="x.csv")
    assert (records[0]["journal"], records[0]["year"]) == ("Lancet (London, England)", 2020)
