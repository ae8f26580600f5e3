"""Whatever the bytes, an import ends in records or ImportFormatError -- nothing else."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.identification.importers import FORMATS, ImportFormatError, ParseReport, iter_records

from .conftest import DATA

SAMPLES = [
    "asysd/scopus.ris",
    "asreview-demo-data/ovid_psycinfo.ris",
    "revtools/restoration_pubmed.nbib",
    "wosfile/wos_plaintext.txt",
    "wosfile/wos_tab_delimited_win_utf8.txt",
    "litstudy/scopus.csv",
    "bib-dedupe-benchmark/special_cases/records_pre_merged.csv",
    "colrev/30_example_records.bib",
    "cnki-2-bibtex/ChineseColon.bib",
    "bib-dedupe-benchmark/respiratory/Respiratory.xml",
]
FMTS = ["auto", *FORMATS]


def _real_heads() -> list[bytes]:
    heads = []
    for relative in SAMPLES:
        path = DATA / relative
        if path.exists():
            heads.append(path.read_bytes()[:6000])
    return heads


HEADS = _real_heads()
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _consume(data: bytes, fmt: str, filename: str = "") -> None:
    report = ParseReport()
    try:
        for record in iter_records(io.BytesIO(data), fmt=fmt, filename=filename, report=report):
            assert isinstance(record["title"], str)
            assert isinstance(record["line"], int)
    except ImportFormatError as error:
        assert error.message
        assert error.line is None or error.line >= 1


@FUZZ
@given(data=st.binary(max_size=2000), fmt=st.sampled_from(FMTS))
def test_random_bytes_end_in_records_or_a_format_error(data, fmt):
    _consume(data, fmt)


@FUZZ
@given(
    index=st.integers(min_value=0),
    cut=st.integers(min_value=0, max_value=6000),
    flips=st.lists(
        st.tuples(st.integers(min_value=0, max_value=5999), st.integers(0, 255)), max_size=8
    ),
    fmt=st.sampled_from(["auto", "auto", "auto", *FORMATS]),
)
def test_truncated_and_mutated_real_files_end_in_records_or_a_format_error(index, cut, flips, fmt):
    if not HEADS:
        pytest.skip("../shared/data not present")
    data = bytearray(HEADS[index % len(HEADS)][:cut])
    for position, value in flips:
        if data:
            data[position % len(data)] = value
    _consume(bytes(data), fmt)


@FUZZ
@given(
    index=st.integers(min_value=0),
    encoding=st.sampled_from(["utf-16", "utf-16-be", "gb18030", "big5", "cp1252", "latin-1"]),
    cut=st.integers(min_value=0, max_value=4000),
)
def test_re_encoded_real_files_end_in_records_or_a_format_error(index, encoding, cut):
    if not HEADS:
        pytest.skip("../shared/data not present")
    text = HEADS[index % len(HEADS)].decode("utf-8", "ignore")[:cut]
    _consume(text.encode(encoding, "replace"), "auto", Path(SAMPLES[index % len(SAMPLES)]).name)


@FUZZ
@given(
    lines=st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "TY  - JOUR",
                    "ER  - ",
                    "TI  - x",
                    "PMID- 1",
                    "PT J",
                    "ER",
                    "EF",
                    "@article{k,",
                    "}",
                    "AU  - A",
                    "   cont",
                    "      cont",
                    "",
                    "FN x",
                    "<record>",
                    "PY  - 20x1",
                ]
            ),
            st.text(max_size=30),
        ),
        max_size=40,
    ),
    fmt=st.sampled_from(FMTS),
)
def test_tag_soup_ends_in_records_or_a_format_error(lines, fmt):
    _consume("\n".join(lines).encode("utf-8", "surrogatepass"), fmt)
