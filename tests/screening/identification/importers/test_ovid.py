"""Ovid's tagged export (Citavi / EndNote / Reference Manager, 'Complete Reference'), which
neither the RIS nor the MEDLINE reader reads: '<1. >' markers, UI, YR, LG, SO..."""

from __future__ import annotations

from .conftest import parse_bytes

OVID = (
    "<1. >\n"
    "VN  - Ovid Technologies\n"
    "DB  - Ovid MEDLINE(R) ALL\n"
    "UI  - 31000001\n"
    "TI  - An invented study of tea and sleep.\n"
    "SO  - Journal of Invented Results. 12(3):1045-58, 2019 Mar.\n"
    "AU  - Zhang S\n"
    "FA  - Zhang, San\n"
    "FA  - Li, Si\n"
    "IN  - Invented University, Somewhere\n"
    "      Another Invented Institute\n"
    "AB  - An invented abstract.\n"
    "MH  - Humans\n"
    "MH  - *Tea\n"
    "IS  - 1234-5678\n"
    "DO  - https://dx.doi.org/10.1000/invented.12\n"
    "LG  - English\n"
    "PT  - Journal Article\n"
    "YR  - 2019\n"
    "\n"
    "<2. >\n"
    "VN  - Ovid Technologies\n"
    "DB  - Embase\n"
    "UI  - 621000002\n"
    "ST  - CONFERENCE ABSTRACT\n"
    "TI  - A second invented record.\n"
    "SO  - Invented Proceedings. Conference: An Invented Meeting. Nowhere. 7 (Supplement 2) "
    "(no pagination), 2018. Date of Publication: 2018.\n"
    "AU  - Li S.\n"
    "PT  - Conference Abstract\n"
    "YR  - 2018\n"
    "\n"
)


def test_ovid_fields_from_invented_records():
    records, report = parse_bytes(OVID.encode("utf-8"), filename="ovid.cgi")
    assert report.format == "ovid"
    medline, embase = records
    assert medline["pmid"] == "31000001" and medline["source_key"] == "31000001"
    assert medline["title"] == "An invented study of tea and sleep."
    assert medline["authors"] == ["Zhang, San", "Li, Si"]  # full names before AU
    assert (medline["journal"], medline["volume"], medline["issue"], medline["pages"]) == (
        "Journal of Invented Results", "12", "3", "1045-1058",
    )  # fmt: skip
    assert medline["year"] == 2019 and medline["doi"] == "10.1000/invented.12"
    assert medline["keywords"] == ["Humans", "*Tea"] and medline["language"] == "English"
    assert medline["other_ids"] == {"accession": "31000001", "issn": "1234-5678"}
    assert medline["line"] == 1 and embase["line"] == 21
    # Embase: UI is Embase's accession number, not a PMID; SO gives journal/volume/issue.
    assert embase["pmid"] == "" and embase["source_key"] == "621000002"
    assert (embase["journal"], embase["volume"], embase["issue"], embase["pages"]) == (
        "Invented Proceedings", "7", "Supplement 2", "",
    )  # fmt: skip
    assert embase["publication_type"] == "Conference Abstract"


def test_ovid_records_without_markers_are_separated_by_blank_lines():
    data = OVID.replace("<1. >\n", "").replace("<2. >\n", "")
    records, report = parse_bytes(("VN  - Ovid Technologies\n" + data.split("\n", 1)[1]).encode())
    assert report.format == "ovid" and len(records) == 2
