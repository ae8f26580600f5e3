"""The readers of issue #17 (NoteExpress, EndNote/Refer, RefWorks, Ovid, PubMed XML, CSL-JSON) and
the truncation rule: whatever the bytes, records or ImportFormatError -- nothing else -- and a
file cut anywhere never yields a record that was not in the whole file."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from screening.identification.importers import ImportFormatError, ParseReport, iter_records

from .conftest import DATA
from .samples import ALL

NEW = ["noteexpress", "endnote-tagged", "refworks", "cochrane", "ovid", "pubmed-xml", "csl-json"]
REAL = ["cnki-2-bibtex/CoverAllTest15Entries.net", "colrev/ais_enl.txt"]
HEADS = [s.text.encode("utf-8") for s in ALL] + [
    (DATA / r).read_bytes()[:6000] for r in REAL if (DATA / r).exists()
]
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _read(data: bytes, fmt: str = "auto", allow: bool = False) -> list[dict] | None:
    report = ParseReport()
    try:
        records = list(
            iter_records(io.BytesIO(data), fmt=fmt, report=report, allow_truncated=allow)
        )
    except ImportFormatError as error:
        assert error.message
        assert error.line is None or error.line >= 1
        return None
    for record in records:
        assert isinstance(record["title"], str) and isinstance(record["line"], int)
    return records


@FUZZ
@given(data=st.binary(max_size=2000), fmt=st.sampled_from(NEW))
def test_random_bytes_end_in_records_or_a_format_error(data, fmt):
    _read(data, fmt)


@FUZZ
@given(
    index=st.integers(min_value=0),
    cut=st.integers(min_value=0, max_value=6000),
    flips=st.lists(st.tuples(st.integers(0, 5999), st.integers(0, 255)), max_size=6),
    fmt=st.sampled_from(["auto", "auto", *NEW]),
    allow=st.booleans(),
)
def test_cut_and_mutated_files_end_in_records_or_a_format_error(index, cut, flips, fmt, allow):
    data = bytearray(HEADS[index % len(HEADS)][:cut])
    for position, value in flips:
        if data:
            data[position % len(data)] = value
    _read(bytes(data), fmt, allow)


@FUZZ
@given(index=st.integers(min_value=0, max_value=len(ALL) - 1), cut=st.integers(min_value=1))
def test_a_file_cut_inside_a_line_never_yields_a_record_the_whole_file_lacks(index, cut):
    # A cut that falls exactly at a line end can look like a complete file (tagged.py says when
    # it is told apart); one inside a line -- nearly every interrupted download -- always is.
    sample = ALL[index]
    whole = sample.text.encode("utf-8")
    data = whole[: cut % len(whole)]
    assume(data.rsplit(b"\n", 1)[-1].strip())
    titles = {r["title"] for r in _read(whole)}
    records = _read(data, sample.fmt, allow=True)
    if records is not None:
        assert {r["title"] for r in records} <= titles


@FUZZ
@given(
    lines=st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "{Reference Type}: Journal Article",
                    "{Title}：题名",
                    "{Author}: 张三;;李四",
                    "%0 Journal Article",
                    "%T x",
                    "%A y",
                    "RT Journal",
                    "A1 x",
                    "T1 y",
                    "<1. >",
                    "UI  - 1",
                    "TI  - x",
                    "<PubmedArticle>",
                    "</PubmedArticle>",
                    '[{"type": "book", "title": "x"',
                    "]",
                    "}",
                    "",
                    "   cont",
                ]
            ),
            st.text(max_size=30),
        ),
        max_size=40,
    ),
    fmt=st.sampled_from(["auto", *NEW]),
)
def test_tag_soup_ends_in_records_or_a_format_error(lines, fmt):
    _read("\n".join(lines).encode("utf-8", "surrogatepass"), fmt)
