from __future__ import annotations

import pytest

from .conftest import parse_bytes, parse_file


@pytest.mark.parametrize(
    ("relative", "count"),
    [
        ("wosfile/wos_plaintext.txt", 50),
        ("metaknowledge/testFile.isi", 34),
        ("metaknowledge/OnePaper2.isi", 1),
        ("revtools/restoration_WoS.ciw", 247),
    ],
)
def test_real_wos_plain_text_exports_read_with_their_counts(relative, count):
    records, report = parse_file(relative)
    assert report.format == "wos"
    assert len(records) == count
    # one record of metaknowledge's test file has no UT
    assert sum(r["source_key"].startswith("WOS:") for r in records) >= count - 1


def test_wos_plain_text_fields_and_continuation_lines():
    records, _ = parse_file("wosfile/wos_plaintext.txt")
    first = records[0]
    assert first["line"] == 3  # after FN and VR
    assert first["authors"] == ["Owen-Smith, J", "Powell, WW"]
    assert first["title"] == (
        "Knowledge networks as channels and conduits: The effects of spillovers "
        "in the Boston biotechnology community"
    )
    assert first["journal"] == "ORGANIZATION SCIENCE"
    assert first["year"] == 2004
    assert first["pages"] == "5-21"
    assert first["doi"] == "10.1287/orsc.1030.0054"
    assert first["source_key"] == "WOS:000220015600001"
    assert "patenting" in first["keywords"]  # DE continued on a second line
    assert "STRATEGIC ALLIANCE FORMATION" in first["keywords"]


def test_a_tag_missing_its_space_is_read_with_a_warning():
    records, report = parse_file("metaknowledge/testFile.isi")
    assert (416, "no space after the tag AU; read as AU Gilles, H") in report.warnings
    gilles = [r for r in records if r["authors"] and r["authors"][0] == "Gilles, H"]
    assert gilles and gilles[0]["authors"][1:3] == ["Girard, S", "Hamel, J"]


def test_wos_tab_delimited_matches_the_plain_text_export():
    tab, report = parse_file("wosfile/wos_tab_delimited_win_utf8.txt")
    plain, _ = parse_file("wosfile/wos_plaintext.txt")
    assert report.format == "wos-tab"
    assert report.encoding == "utf-8-sig"
    assert len(tab) == 50
    for a, b in zip(tab, plain, strict=True):
        assert (a["title"], a["authors"], a["doi"], a["source_key"], a["pages"], a["year"]) == (
            b["title"],
            b["authors"],
            b["doi"],
            b["source_key"],
            b["pages"],
            b["year"],
        )
    assert tab[0]["line"] == 2


def test_utf16_wos_tab_delimited_export_reads():
    text = (
        "PT\tAU\tAF\tTI\tSO\tPY\tVL\tIS\tBP\tEP\tDI\tUT\tZ1\n"
        "J\tZhang, W; Li, X\tZhang, Wei; Li, Xia\tA study of tea\tJ TEA\t2020\t5\t2\t101\t9\t"
        "10.1234/TEA.5\tWOS:000000000000001\t茶的研究\n"
    )
    records, report = parse_bytes(text.encode("utf-16"))
    assert report.format == "wos-tab"
    assert report.encoding == "utf-16"
    record = records[0]
    assert record["authors"] == ["Zhang, Wei", "Li, Xia"]
    assert record["pages"] == "101-109"
    assert record["title_alt"] == "茶的研究"
    assert record["doi"] == "10.1234/tea.5"


def test_an_early_access_record_takes_its_year_from_ey():
    # Web of Science before 2020: an early-access paper has no PY; EA gives the month, EY the year.
    text = (
        "FN Clarivate Analytics Web of Science\nVR 1.0\n"
        "PT J\nAU Latimer, CE\nTI How extreme is extreme\nSO ECOLOGICAL MONOGRAPHS\n"
        "DT Article; Early Access\nEA JULY\nEY 2019\nUT WOS:000000000000001\nER\n\nEF\n"
    )
    records, report = parse_bytes(text.encode(), filename="savedrecs.txt")
    assert records[0]["year"] == 2019
    assert report.warnings == []
