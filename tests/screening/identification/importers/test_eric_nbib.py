"""ERIC's .nbib export: MEDLINE-style tags, some of four letters written 'ISSN - ', no PMID."""

from __future__ import annotations

from .conftest import parse_bytes

# The shape of an ERIC .nbib export (tags as ERIC writes them); the records are made up.
ERIC = """OWN - ERIC
TI  - Research Literacy among Teacher Educators
AU  - Reyes, Ana
AU  - Novak, Eli
OT  - Research Skills
OT  - Teacher Educators
OID - EJ1234567
VI  - 12
IP  - 3
PG  - 45-60
DP  - 2019
JT  - Journal of Teacher Research
SO  - Journal of Teacher Research v12 n3 p45-60 2019
AID - 10.1000/eric.1
ISSN - ISSN-1234-5678
LA  - English
AB  - This study describes how teacher educators read
      and use research.
PT  - Journal Articles
PT  - Reports - Research
LID - https://eric.ed.gov/?id=EJ1234567

OWN - ERIC
TI  - Building Research Capacity in Colleges
AU  - Hale, Gus
OID - ED7654321
DP  - 2020
ISSN - EISSN-8765-4321
PT  - Reports - Descriptive
"""


def test_eric_nbib_reads_every_record_with_its_four_letter_tags():
    records, report = parse_bytes(ERIC.encode(), filename="eric.nbib")
    assert report.format == "medline"
    assert len(records) == 2
    first = records[0]
    assert first["title"] == "Research Literacy among Teacher Educators"
    assert first["authors"] == ["Reyes, Ana", "Novak, Eli"]
    assert first["year"] == 2019
    assert (first["volume"], first["issue"], first["pages"]) == ("12", "3", "45-60")
    assert first["doi"] == "10.1000/eric.1"
    assert first["other_ids"]["issn"] == "1234-5678"
    assert first["source_key"] == first["other_ids"]["eric"] == "EJ1234567"
    assert first["url"] == "https://eric.ed.gov/?id=EJ1234567"
    assert first["abstract"] == "This study describes how teacher educators read and use research."
    assert first["keywords"] == ["Research Skills", "Teacher Educators"]
    assert (first["line"], records[1]["line"]) == (1, 23)
    assert records[1]["other_ids"]["issn"] == "8765-4321"


def test_eric_records_raise_no_warnings():
    _, report = parse_bytes(ERIC.encode(), filename="eric.nbib")
    assert report.warnings == []


def test_a_renamed_eric_export_is_recognised_from_its_content():
    records, report = parse_bytes(ERIC.encode(), filename="export.txt")
    assert report.format == "medline" and len(records) == 2


def test_an_eric_record_read_line_by_line_gives_the_same_record():
    # A stray space before a continuation line sends the record through the line parser.
    odd = ERIC.replace("      and use research.", "     and use research.")
    assert (
        parse_bytes(odd.encode())[0][0]["abstract"] == parse_bytes(ERIC.encode())[0][0]["abstract"]
    )
