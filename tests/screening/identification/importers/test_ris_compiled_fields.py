"""The compiled reader of a RIS record's lines (_tagged.c, `ris_fields`) gives what the Python
reader gives (`_RECORD_LINE` and its loop), for any text: every line has one reading, so there is
nothing for it to leave to Python."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.identification.importers import ris

from .conftest import data_file, needs_compiled
from .test_ris import REAL_RIS
from .test_ris_equivalence import SCOPUS

compiled = ris._native_fields
python = ris._record_fields_in_python


@pytest.fixture(autouse=True)
def _built():
    needs_compiled(compiled is not None, "the compiled RIS reader")


def records_of(text: str) -> list[str]:
    """Each record from its TY line to its ER line, as ris._scan hands them over."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    out, at = [], text.find("TY  - ")
    while at >= 0:
        er = text.find("\nER  -", at)
        if er < 0:
            break
        end = text.find("\n", er + 1)
        end = len(text) if end < 0 else end
        out.append(text[at:end])
        at = text.find("TY  - ", end)
    return out


def test_a_scopus_record_is_read_in_c_as_in_python():
    [record] = records_of(SCOPUS)
    fields, lines, ends_with_er = compiled(record)
    assert (fields, lines, ends_with_er) == python(record)
    assert fields["AU"] == ["Wu, D.", "Zou, C."]
    assert ends_with_er and fields["ER"] == [""]
    assert lines == record.count("\n") + 1


@pytest.mark.parametrize(
    "record",
    [
        "TY  - JOUR\nTI  - x\nER  - ",
        "TY  - JOUR\nTI  - x\nER  -",  # 'ER  -' alone: the last line left out
        "TY  - JOUR\nTI  - \u3000中文\t\nnot a tag line\n\nAU  -  Wu\nER  - ",
        "TY  - JOUR\n中文  - a tag of two CJK characters\nér  - x\nER  - ",
        "TY  - JOUR\nTI  - emoji 🙂\r\nKW  - a\nKW  - \nER  - \r",
        "TY  - JOUR\nTY  - BOOK\nER  - ",
        "TY  - JOUR\n\x00\x00  - NUL tag\nER  - ",
    ],
)
def test_odd_lines_are_read_in_c_as_in_python(record):
    assert compiled(record) == python(record)


@pytest.mark.parametrize("relative", [relative for relative, _ in REAL_RIS])
def test_real_exports_are_read_in_c_record_for_record(relative):
    records = records_of(data_file(relative).read_text("utf-8-sig", errors="replace"))
    assert records
    assert [compiled(r) for r in records] == [python(r) for r in records]


LINE = st.one_of(
    st.builds(
        lambda tag, sep, value: tag + sep + value,
        st.sampled_from(["TI", "AU", "ER", "TY", "KW", "中文", "a ", "  ", "E"]),
        st.sampled_from(["  - ", "  -", " - ", "  -  ", "  - \t"]),
        st.text(st.sampled_from("ab 中\t\u3000\xa0\x0b\r-🙂"), max_size=8),
    ),
    st.text(st.characters(blacklist_characters="\n"), max_size=10),
)


@settings(max_examples=600, deadline=None)
@given(
    lines=st.lists(LINE, max_size=12),
    last=st.sampled_from(["ER  - ", "ER  -", "XY  - z", "EX  - z", "ER - "]),
)
def test_any_record_is_read_alike(lines, last):
    record = "\n".join(["TY  - JOUR", *lines, last])
    assert compiled(record) == python(record)


def test_only_text_is_read():
    with pytest.raises(TypeError):
        compiled(b"TY  - JOUR")
