"""Cochrane Library plain text: 'Record #N of M' opens each record, 'TAG: value' lines, blank
lines between records, lines ending in CR as the Library writes them. (Invented records.)"""

from __future__ import annotations

import pytest

from screening.identification.importers import ImportFormatError, detect_format

from .conftest import parse_bytes

REVIEW = (
    "Record #1 of 2\n"
    "ID: CD000001\n"
    "AU: Van Ryswyk Emer\n"
    "AU: Han  Shanshan\n"
    "TI: An invented review of tea for sleep\n"
    "SO: Cochrane Database of Systematic Reviews\n"
    "YR: 2017\n"
    "NO: 2\n"
    "PB: John Wiley & Sons, Ltd\n"
    "KY: Sleep [drug therapy];Tea;Humans[checkword]\n"
    "CC: SLEEP\n"
    "DOI: 10.1002/14651858.CD000001.pub3\n"
    "AB: Background: invented. Objectives: invented too.\n"
    "US: http://onlinelibrary.wiley.com/doi/10.1002/14651858.CD000001.pub3/abstract\n"
)
TRIAL = (
    "Record #2 of 2\n"
    "ID: CN-01000002\n"
    "AU: Lopes A\n"
    "TI: An invented trial of tea\n"
    "SO: Journal of invented results\n"
    "YR: 2019\n"
    "VL: 12\n"
    "NO: 3\n"
    "PG: 1045-58\n"
    "PM: PUBMED 31000002\n"
    "XR: EMBASE 620000002\n"
    "PT: Journal article; Randomized Controlled Trial\n"
    "DOI: 10.1000/invented.2\n"
    "US: https://www.cochranelibrary.com/central/doi/10.1002/central/CN-01000002/full\n"
)


def _cochrane(*records: str, end: str = "\r") -> bytes:
    text = "\ufeff" + "\n\n".join(records)
    return text.replace("\n", end).encode()


def test_a_cochrane_export_is_recognised_and_read():
    data = _cochrane(REVIEW, TRIAL)
    assert detect_format(data, "citation-export.txt") == "cochrane"
    records, report = parse_bytes(data, filename="citation-export.txt")
    review, trial = records
    assert review["source_key"] == "CD000001"
    assert review["authors"] == ["Van Ryswyk Emer", "Han Shanshan"]
    assert review["title"] == "An invented review of tea for sleep"
    assert (review["journal"], review["year"], review["issue"]) == (
        "Cochrane Database of Systematic Reviews",
        2017,
        "2",
    )
    assert review["doi"] == "10.1002/14651858.cd000001.pub3"
    assert review["keywords"] == ["Sleep [drug therapy]", "Tea", "Humans[checkword]"]
    assert review["line"] == 1 and trial["line"] == 17  # after two blank lines
    assert (trial["volume"], trial["pages"], trial["pmid"]) == ("12", "1045-1058", "31000002")
    assert trial["other_ids"] == {"embase": "620000002", "cochrane": "CN-01000002"}
    assert trial["publication_type"] == "Journal article; Randomized Controlled Trial"
    assert report.warnings == []


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
def test_every_line_ending_the_library_writes_gives_the_same_records(end):
    records, _ = parse_bytes(_cochrane(REVIEW, TRIAL, end=end), filename="export.txt")
    assert [r["title"] for r in records] == [
        "An invented review of tea for sleep",
        "An invented trial of tea",
    ]


def test_a_download_header_before_ris_is_still_ris():
    ris = (
        b"Record #1 of 1\nProvider: Some Provider\nContent: text/plain\n\n"
        b"TY  - JOUR\nTI  - An invented title\nER  - \n"
    )
    assert detect_format(ris, "export.ris") != "cochrane"


def test_an_unknown_tag_is_kept_in_the_raw_record_with_one_warning():
    data = _cochrane(
        REVIEW.replace("CC: SLEEP", "ZZ: something"), TRIAL.replace("PT:", "ZZ: more\nPT:")
    )
    records, report = parse_bytes(data, filename="export.txt")
    assert [w[1] for w in report.warnings] == [
        "unknown Cochrane Library tag ZZ; kept in the raw record only"
    ]
    assert "ZZ: something" in records[0]["raw"]


def test_a_file_cut_inside_its_last_record_is_refused():
    # Every record ends with its link (US); the last one stops before it.
    cut = "Record #3 of 3\nID: CD000003\nTI: An invented third review\nSO: Cochrane Database"
    with pytest.raises(ImportFormatError, match="ends too early"):
        parse_bytes(_cochrane(REVIEW, TRIAL, cut + "\n", end="\n"), filename="export.txt")
