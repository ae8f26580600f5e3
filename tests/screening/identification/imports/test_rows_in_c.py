"""The rows of binary COPY written in C (_copy_rows.c) are byte for byte those the Python
encoder writes, or the row is left to it: never a third encoding. And the C encoder does
write the rows of ordinary records, or it would speed nothing up."""

from __future__ import annotations

import datetime as dt
import io
import struct
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.identification import pgcopy, writes
from screening.identification.importers import ImportFormatError, iter_records
from tests.screening.identification.importers.conftest import needs_compiled

from .test_write_path import AWKWARD_RIS

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="binary COPY rows are PostgreSQL's write path"
)
JOB = SimpleNamespace(review_id=7, search_id=8, pk=9)
NOW = dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.UTC)
FIELDS = writes.RECORD_FIELDS

MEDLINE = (
    'PMID- 30689646\nOWN - NLM\nDP  - 2019 Jan 28\nTI  - Ecosystem services: a "quoted"\n'
    "      back\\slash title, 中文 and 🙂\nFAU - Wu, Dan\nFAU - 王小明(Wang, Xiao-Ming)\n"
    "MH  - Soil\nOT  - tab\there\nLID - 10.1371/journal.pone.0209483 [doi]\n"
    "PMC - PMC123\nLA  - eng\nPG  - 1045-58\n\n"
).encode()


@pytest.fixture(scope="module")
def encoders():
    needs_compiled(pgcopy._copy_rows is not None, "the C row encoder")
    # The same created_at for both, which each encoder takes when it is made.
    with mock.patch.object(pgcopy.timezone, "now", return_value=NOW):
        _, in_c = pgcopy._row_encoder(JOB, FIELDS)
        built, pgcopy._copy_rows = pgcopy._copy_rows, None
        try:
            _, in_python = pgcopy._row_encoder(JOB, FIELDS)
        finally:
            pgcopy._copy_rows = built
    return in_c, in_python


def outcome(encode, item: dict):
    try:
        return encode(dict(item))
    except Exception as exc:  # the same error, of the same type, either way
        return type(exc)


@pytest.mark.parametrize(
    ("content", "name"), [(AWKWARD_RIS, "x.ris"), (MEDLINE, "x.nbib")], ids=["ris", "medline"]
)
def test_the_rows_of_parsed_records_are_written_in_c_as_in_python(encoders, content, name):
    in_c, in_python = encoders
    records = list(iter_records(io.BytesIO(content), filename=name))
    assert records
    for record in records:
        row = pgcopy._copy_rows.encode_row(record, in_c.plan)
        assert row is not None  # written in C, not left to Python
        assert row == in_python(record)


def test_a_row_reads_back_as_its_fields(encoders):
    in_c, _ = encoders
    record = next(iter_records(io.BytesIO(MEDLINE), filename="x.nbib"))
    row = in_c(record)
    count = struct.unpack(">h", row[:2])[0]
    values, at = [], 2
    for _ in range(count):
        (size,) = struct.unpack(">i", row[at : at + 4])
        at += 4
        values.append(None if size < 0 else row[at : at + size])
        at += max(size, 0)
    assert at == len(row)
    assert record["title"].encode() in values
    assert b'\x01["Wu, Dan","\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e"]' in values
    assert b'\x01{"pmcid":"PMC123"}' in values
    assert struct.pack(">h", 2019) in values


def test_a_nul_in_the_raw_record_is_the_import_s_error_either_way(encoders):
    in_c, _ = encoders
    record = next(iter_records(io.BytesIO(MEDLINE), filename="x.nbib"))
    record["raw"] += "\x00"
    record.pop("raw_utf8", None)
    with pytest.raises(ImportFormatError, match="NUL"):
        in_c(record)


COMMON_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(st.sampled_from('a"\\\n\t\x01\x1f\x7fé中🙂\u2028'), max_size=12),
    st.sampled_from(["", None]),
)
COMMON_JSON = st.one_of(
    st.lists(st.text(st.sampled_from('a"\\\n\x01\x1fé中🙂\u2028'), max_size=5), max_size=4),
    st.dictionaries(st.sampled_from(["issn", "pmcid", "é"]), st.text(max_size=5), max_size=3),
    st.sampled_from([None, [], {}]),
)
COMMON_INT = st.one_of(st.none(), st.integers(-32768, 32767))
NO_NUL = st.characters(blacklist_characters="\x00")


@st.composite
def common_items(draw) -> dict:
    """Rows of the values parsers give: the C encoder writes every one of them."""
    texts, jsons, ints = pgcopy._kinds(FIELDS)
    item = {name: draw(COMMON_TEXT) for name, _ in texts}
    item |= {name: draw(COMMON_JSON) for name in jsons}
    item |= {name: draw(COMMON_INT) for name, _ in ints}
    item["raw"] = draw(st.text(NO_NUL, max_size=20))
    if draw(st.booleans()):
        item["raw_utf8"] = draw(st.one_of(st.none(), st.text(NO_NUL).map(str.encode)))
    return item


ODD = st.sampled_from([0, 5, 2.5, [], ["x"], [1, "x"], {"k": 1}, "text", ("a",), ["\ud800"],
                       "\ud800", "a\x00", b"x", bytearray(b"x"), True, "7", 7.0, 2**40,
                       -(2**64), "x" * 600])  # fmt: skip


@st.composite
def items(draw) -> dict:
    """Common rows with a few odd values in them, or a key missing."""
    item = draw(common_items())
    for name in draw(st.lists(st.sampled_from([*sorted(item), "raw_utf8"]), max_size=3)):
        item[name] = draw(ODD)
    if draw(st.integers(0, 10)) == 0:
        del item[draw(st.sampled_from(sorted(item)))]
    return item


def ordinary(**values) -> dict:
    texts, jsons, ints = pgcopy._kinds(FIELDS)
    item = {name: "x" for name, _ in texts} | {name: ["a"] for name in jsons}
    return item | {name: 1 for name, _ in ints} | {"raw": "TY  - JOUR"} | values


def test_texts_at_their_column_s_length_are_cut_alike(encoders):
    in_c, in_python = encoders
    for name, limit in pgcopy._kinds(FIELDS)[0]:
        for size in (limit - 1, limit, limit + 1, 3 * limit) if limit else (5000,):
            item = ordinary(**{name: ("é中" * size)[:size]})
            row = pgcopy._copy_rows.encode_row(item, in_c.plan)
            assert row is not None and row == in_python(item), (name, size)


@pytest.mark.parametrize("year", [-32769, 32768, 2**40])
def test_an_integer_out_of_its_column_s_range_is_left_to_python(encoders, year):
    in_c, in_python = encoders
    assert pgcopy._copy_rows.encode_row(ordinary(year=year), in_c.plan) is None
    assert outcome(in_c, ordinary(year=year)) == outcome(in_python, ordinary(year=year))


@pytest.mark.parametrize("year", [-32768, 0, 2019, 32767, None])
def test_an_integer_in_range_is_written_in_c(encoders, year):
    in_c, in_python = encoders
    row = pgcopy._copy_rows.encode_row(ordinary(year=year), in_c.plan)
    assert row is not None and row == in_python(ordinary(year=year))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item=common_items())
def test_common_rows_are_written_in_c_as_in_python(encoders, item):
    in_c, in_python = encoders
    row = pgcopy._copy_rows.encode_row(item, in_c.plan)
    assert row is not None and row == in_python(dict(item))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(item=items())
def test_any_row_is_written_alike_or_left_to_python(encoders, item):
    in_c, in_python = encoders
    assert outcome(in_c, item) == outcome(in_python, item)
