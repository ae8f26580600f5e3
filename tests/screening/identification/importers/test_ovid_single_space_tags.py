"""Ovid's PsycINFO export writes its tags with one space before the dash ('TI - '), where the
other Ovid databases pad them to four characters ('TI  - '): both are read alike."""

from __future__ import annotations

import pytest

from .conftest import parse_bytes

PSYCINFO = (
    "<53. >\n"
    "VN - Ovid Technologies\n"
    "DB - PsycINFO\n"
    "AN - Dissertation Abstract: 2014-99150-001.\n"
    "TI - An invented study of procrastination.\n"
    "DP - 2014\n"
    "YR - 2014\n"
    "LG - English\n"
    "AU - Zhang, San\n"
    "AU - Li, Si\n"
    "JN - Journal of Invented Results\n"
    "VO - 75\n"
    "IP - 2\n"
    "PG - 11-31\n"
    "PT - Dissertation Abstract\n"
    "AB - An invented abstract\n"
    "      on two lines.\n"
    "MH - *Procrastination\n"
    "\n"
    "<54. >\n"
    "VN - Ovid Technologies\n"
    "DB - PsycINFO\n"
    "TI - A second invented record.\n"
    "AU - Wang, Wu\n"
    "YR - 2012\n"
    "\n"
)


def _fields(record: dict) -> tuple:
    keys = ("title", "authors", "year", "journal", "volume", "issue", "pages", "abstract")
    return tuple(record[k] for k in keys)


def test_single_space_tags_give_every_field():
    records, report = parse_bytes(PSYCINFO.encode())
    assert report.format == "ovid" and report.warnings == []
    first, second = records
    assert _fields(first) == (
        "An invented study of procrastination.", ["Zhang, San", "Li, Si"], 2014,
        "Journal of Invented Results", "75", "2", "11-31", "An invented abstract\non two lines.",
    )  # fmt: skip
    assert first["keywords"] == ["*Procrastination"] and first["language"] == "English"
    assert first["other_ids"]["accession"] == "Dissertation Abstract: 2014-99150-001."
    assert (second["title"], second["authors"], second["year"], second["line"]) == (
        "A second invented record.", ["Wang, Wu"], 2012, 20,
    )  # fmt: skip


def test_single_space_and_padded_tags_read_alike():
    padded = "\n".join(
        line[:2] + "  - " + line[5:] if line[2:5] == " - " else line
        for line in PSYCINFO.split("\n")
    )
    single, _ = parse_bytes(PSYCINFO.encode())
    four, _ = parse_bytes(padded.encode())
    assert [_fields(r) for r in single] == [_fields(r) for r in four]


@pytest.mark.parametrize("line", ["TI -", "TI - ", "ABCD - four letters"])
def test_an_empty_value_and_a_four_letter_tag(line):
    records, _ = parse_bytes(f"<1. >\nVN - Ovid Technologies\nTI - T\n{line}\n".encode())
    assert records[0]["title"] == "T" and line in records[0]["raw"]
    assert "\n" not in records[0]["title"]  # the line is a field, not the title's continuation
