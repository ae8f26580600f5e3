"""RefWorks' own tagged export opens with a preamble (the format's name, the character set, a
tag legend and a font legend between '*****' lines, 'BEGIN EXPORTED REFERENCES'): it is
recognised, chosen or detected, and skipped; the records keep the file's line numbers."""

from __future__ import annotations

import pytest

from screening.identification.importers import ImportFormatError, detect_format

from .conftest import parse_bytes

PREAMBLE = (
    "Refworks Export Tagged Format\n"
    "\n"
    "Character Set=utf-8\n"
    "\n"
    "Tag legend\n"
    "*****\n"
    "RT=Reference Type\n"
    "A1=Primary Authors\n"
    "T1=Primary Title\n"
    "YR=Publication Year\n"
    "\n"
    "*****\n"
    "Font Attribute Legend\n"
    "Start Bold = \n"
    "End Bold = \n"
    "\n"
    "*****\n"
    "BEGIN EXPORTED REFERENCES\n"
    "\n"
    "\n"
)  # 20 lines
RECORDS = (
    "RT Journal Article\nA1 Zhang, San\nT1 First invented title\nYR 2001\n\n"
    "RT Journal Article\nA1 Li, Si\nT1 Second invented title\nYR sometime\n"
)


@pytest.mark.parametrize("fmt", ["auto", "refworks"])
def test_the_preamble_is_skipped_and_the_records_keep_their_lines(fmt):
    records, report = parse_bytes((PREAMBLE + RECORDS).encode(), fmt=fmt)
    assert report.format == "refworks"
    assert [(r["title"], r["line"]) for r in records] == [
        ("First invented title", 21),
        ("Second invented title", 26),
    ]
    assert records[0]["authors"] == ["Zhang, San"] and records[0]["year"] == 2001
    assert report.warnings == [(26, "year not understood: 'sometime'")]


def test_refworks_export_preamble_is_detected_with_a_bom_and_crlf():
    data = ("\ufeff" + PREAMBLE + RECORDS).replace("\n", "\r\n").encode()
    assert detect_format(data) == "refworks"
    records, _ = parse_bytes(data)
    assert [r["line"] for r in records] == [21, 26]


def test_a_preamble_with_no_record_after_it_has_no_records():
    with pytest.raises(ImportFormatError) as error:
        parse_bytes(PREAMBLE.encode(), fmt="refworks")
    assert error.value.message == "no RefWorks records found"
