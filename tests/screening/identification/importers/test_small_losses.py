"""Small losses recovered with a warning: a RIS title from ST (then other title tags), a year
from a compact date."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.identification.importers.normalise import compact_date_year, parse_year

from .conftest import parse_bytes


@pytest.mark.parametrize(
    ("tags", "title", "name"),
    [
        ("ST  - Short form title\nT2  - Some Journal\n", "Short form title", "short title (ST)"),
        ("BT  - A book title\n", "A book title", "book title (BT)"),
        ("T2  - Only a secondary title\n", "Only a secondary title", "secondary title (T2)"),
    ],
)
def test_a_ris_record_without_ti_takes_its_title_from_the_next_title_tag(tags, title, name):
    records, report = parse_bytes(f"TY  - JOUR\n{tags}PY  - 2020\nER  - \n".encode())
    assert records[0]["title"] == title
    assert report.warnings == [(1, f"no title (TI or T1): the {name} was taken as the title")]


def test_a_ris_record_with_ti_keeps_it_and_no_warning():
    records, report = parse_bytes(b"TY  - JOUR\nTI  - Full title\nST  - Short\nER  - \n")
    assert records[0]["title"] == "Full title" and report.warnings == []


def test_a_year_inside_a_compact_date_is_kept_with_a_warning():
    records, report = parse_bytes(b"TY  - JOUR\nTI  - A\nPY  - Start date: 20170812\nER  - \n")
    assert records[0]["year"] == 2017
    assert report.warnings == [(1, "year taken as 2017 from the date 'Start date: 20170812'")]


def test_a_ris_year_falls_back_to_the_date_tags_when_py_has_none():
    records, report = parse_bytes(b"TY  - JOUR\nTI  - A\nPY  - n.d.\nDA  - 2015/03/01\nER  - \n")
    assert records[0]["year"] == 2015 and report.warnings == []


def test_a_csv_year_like_a_compact_date_is_read_too():
    records, report = parse_bytes(b"title,year\nA,20190301\n", filename="x.csv")
    assert records[0]["year"] == 2019
    assert "year taken as 2019" in report.warnings[0][1]


@pytest.mark.parametrize(
    ("text", "year"),
    [("Start date: 20170812", 2017), ("12082017", 2017), ("201708", 2017), ("19991332", None),
     ("issued 31122018 end", 2018), ("12345678", None), ("", None)],
)  # fmt: skip
def test_compact_dates(text, year):
    assert compact_date_year(text) == year


@given(
    year=st.integers(1500, 2199),
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    prefix=st.sampled_from(["", "Start date: ", "Date: ", "published "]),
)
def test_any_real_yyyymmdd_date_gives_its_year(year, month, day, prefix):
    text = f"{prefix}{year:04d}{month:02d}{day:02d}"
    assert parse_year(text) is None  # not a free-standing year: the fallback is needed
    assert compact_date_year(text) == year
