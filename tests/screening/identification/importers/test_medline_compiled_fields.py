"""The compiled reader of usual MEDLINE records (_tagged.c) gives what the Python reader
gives, or leaves the record to it: never a third reading. And it does read the records
PubMed writes, or it would speed nothing up."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.identification.importers import medline

from .conftest import data_file, needs_compiled
from .test_medline_equivalence import PUBMED

compiled = medline._native_fields


def python(record: str):
    return medline._usual_fields_in_python(record)


@pytest.fixture(autouse=True)
def _built():
    needs_compiled(compiled is not None, "the compiled MEDLINE reader")


def records_of(text: str) -> list[str]:
    return [r.strip("\n") for r in text.replace("\r\n", "\n").split("\n\n") if r.strip()]


def test_a_pubmed_record_is_read_in_c_as_in_python():
    record = records_of(PUBMED)[0]
    fields, last, lines = compiled(record)
    assert (fields, last, lines) == python(record)
    assert fields["TI  "] == [
        "Ecosystem services changes between 2000 and 2015 in the Loess Plateau, China: A "
        "response to ecological restoration."
    ]
    assert fields["AB  "][0].startswith("The Loess Plateau of China is one of the most severe")
    assert "areas in the world." in fields["AB  "][0]  # trailing spaces before the join gone
    assert fields["PT  "] == ["Journal Article", "Research Support, Non-U.S. Gov't"]
    assert last == "SO  " and lines == PUBMED.count("\n") - 1


@pytest.mark.parametrize(
    "record",
    [
        "OWN - ERIC\nOID - EJ1234\nISSN - ISSN-1234-5678\nTI  - An ERIC record",
        "PMID- 1\nTI  - 中文標題\n      續行\u3000\nAU  - 王小明(Wang, Xiao-Ming)",
        "PMID- 1\nTI  - Emoji 🙂 in a title\n      and its continuation 🙂",
        "PMID- 1\nMH  - \nOT  -   \nAB  - x\n        indented by eight\n      \tand a tab",
        "PMID- 1\nXYZ - an unknown tag\nA B - not a tag",
    ],
)
def test_unusual_but_sure_records_are_read_in_c(record):
    assert compiled(record) is not None
    assert compiled(record) == python(record)


@pytest.mark.parametrize(
    "record",
    [
        "PMID- 1\nAB  - x\n      \n      y",  # a blank continuation line
        "PMID- 1\nAB  -\n      y",  # the Python path joins the dash to the next line
        "PMID- 1\nTA  - \n      PLoS One",
        "PMID- 1\nISSN - \n      1234-5678",  # ERIC's separator, nothing after it
        "PMID- 1\nAB  - x\n   three spaces",
        "PMID- 1\neng",
        "PMID- 1\nAB  - x\n\tby a tab",
    ],
)
def test_records_it_is_not_sure_of_are_left_to_python(record):
    assert compiled(record) is None


@pytest.mark.parametrize("relative", ["revtools/restoration_pubmed.nbib",
                                      "metaknowledge/medline_test.medline"])  # fmt: skip
def test_real_exports_are_read_in_c_record_for_record(relative):
    records = records_of(data_file(relative).read_text("utf-8-sig"))
    read = [compiled(record) for record in records]
    assert all(r is not None for r in read)
    assert read == [python(record) for record in records]


# Few tags and separators, short values, mostly six-space indents: the edges (an empty value
# before a continuation line, odd whitespace, a separator without its space) come up often.
TEXT = st.one_of(
    st.sampled_from(["", " ", "\t", "x", "\u3000"]),
    st.text(st.sampled_from("ab 中\t\u3000\xa0\x0b\r-🙂"), max_size=8),
)
LINE = st.one_of(
    st.builds(
        lambda tag, dash, value: tag + dash + value,
        st.sampled_from(["PMID", "AB  ", "ISSN", "A B ", "ab  ", "X", "LA  "]),
        st.sampled_from(["- ", " - ", "-", "- \t", "  - "]),
        TEXT,
    ),
    st.builds(
        lambda indent, value: indent + value,
        st.sampled_from(["      ", "      ", "      ", "       ", "     ", "\t", "      \t"]),
        TEXT,
    ),
    st.text(st.characters(blacklist_characters="\n"), min_size=1, max_size=10),
)


@settings(max_examples=600, deadline=None)
@given(first=st.sampled_from(["PMID- ", "OWN - "]), value=st.text(max_size=4),
       lines=st.lists(LINE, max_size=12))  # fmt: skip
def test_any_record_is_read_alike_or_left_to_python(first, value, lines):
    record = "\n".join([first + value.replace("\n", " "), *lines])
    read = compiled(record)
    if read is not None:
        assert read == python(record)


def test_only_text_is_read():
    with pytest.raises(TypeError):
        compiled(b"PMID- 1")
