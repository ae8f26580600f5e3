from __future__ import annotations

import pytest

from .conftest import parse_bytes, parse_file


@pytest.mark.parametrize(
    ("relative", "count", "allow_truncated"),
    [
        # Its last record stops mid-title ('...in the endometriu'), without the SO field the
        # other 174 end with: cut off, and dropped when that is allowed.
        ("metaknowledge/medline_test.medline", 174, True),
        ("revtools/restoration_pubmed.nbib", 104, False),
    ],
)
def test_real_medline_exports_read_with_their_record_counts(relative, count, allow_truncated):
    records, report = parse_file(relative, allow_truncated=allow_truncated)
    assert report.format == "medline"
    assert len(records) == count
    assert all(r["pmid"] and r["source_key"] == r["pmid"] for r in records)


def test_medline_fields_from_a_real_record():
    records, _ = parse_file("metaknowledge/medline_test.medline", allow_truncated=True)
    first = records[0]
    assert first["pmid"] == "26524502"
    assert first["line"] == 2
    assert first["title"] == "Bioinformatic survey of ABC transporters in dermatophytes."
    assert first["authors"] == ["Gadzalski, Marek", "Ciesielska, Anita", "Staczek, Pawel"]
    assert first["pages"] == "466-475"
    assert first["doi"] == "10.1016/j.gene.2015.10.064"
    assert first["other_ids"]["pii"] == "S0378-1119(15)01297-4"
    assert first["year"] == 2016
    assert first["journal"] == "Gene"
    assert first["issue"] == "1 Pt 3"
    assert first["abstract"].startswith("ATP binding cassette (ABC) transporters constitute")
    assert "superfamily of membrane proteins" in first["abstract"]  # continuation line joined
    assert "\n" not in first["abstract"]


NBIB = """PMID- 12345678
OWN - NLM
DP  - 2003 Mar
TI  - A very long title that wraps onto
      a second line.
PG  - 1045-58
LID - 10.1000/ABC.123 [doi]
AB  - First part
      second part.
FAU - Müller, Jürgen
AU  - Müller J
FAU - O'Brien, Ann
AU  - O'Brien A
CN  - The Study Group
LA  - eng
PT  - Journal Article
PT  - Randomized Controlled Trial
TA  - J Test
JT  - Journal of Testing
VI  - 12
IP  - 3
MH  - Humans
MH  - *Diabetes Mellitus
OT  - self care
AID - 10.1000/abc.123 [doi]
PMC - PMC1234567

PMID- 23456789
TI  - Second record.
AU  - Smith A
DP  - 2004
"""


def test_medline_pages_are_expanded_and_continuations_joined():
    records, report = parse_bytes(NBIB.encode("utf-8"))
    first, second = records
    assert report.format == "medline"
    assert first["pages"] == "1045-1058"
    assert first["title"] == "A very long title that wraps onto a second line."
    assert first["abstract"] == "First part second part."
    assert first["doi"] == "10.1000/abc.123"
    assert first["authors"] == ["Müller, Jürgen", "O'Brien, Ann", "The Study Group"]
    assert first["journal"] == "Journal of Testing"
    assert first["volume"] == "12" and first["issue"] == "3"
    assert first["keywords"] == ["Humans", "*Diabetes Mellitus", "self care"]
    assert first["publication_type"] == "Journal Article; Randomized Controlled Trial"
    assert first["other_ids"]["pmcid"] == "PMC1234567"
    assert first["year"] == 2003
    assert second["line"] == 28
    assert second["authors"] == ["Smith A"]  # AU when there is no FAU
