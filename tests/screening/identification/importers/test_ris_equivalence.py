"""The faster RIS parser reads every file as the one before it did: the same records, the same
warnings, the same errors (`ris_before` is that parser, kept as the oracle). Tricky hand-made
files, generated ones and the real exports, each also with CRLF line ends, a BOM, extra blank
lines and cut at several places."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.identification.importers import ris as new

from . import equivalence
from . import ris_before as old
from .conftest import data_file, needs_compiled
from .equivalence import variants
from .test_ris import REAL_RIS


@pytest.fixture(autouse=True, params=["compiled", "python"])
def reader(request, monkeypatch):
    """Every test twice: with the compiled reader of a record's lines (where the install built
    it) and with the Python one alone, as an install without a C compiler reads."""
    if request.param == "python":
        monkeypatch.setattr(new, "_record_fields", new._record_fields_in_python)
    else:
        needs_compiled(new.compiled(), "the compiled RIS reader")
    return request.param


def assert_read_alike(data: bytes) -> None:
    equivalence.assert_read_alike(old.parse_ris, new.parse_ris, data)


SCOPUS = """TY  - JOUR
TI  - Ecosystem services changes between 2000 and 2015 in the Loess Plateau, China
T2  - PLoS ONE
AU  - Wu, D.
AU  - Zou, C.
AD  - Nanjing Institute of Environmental Sciences, Nanjing, China
PY  - 2019
VL  - 14
IS  - 1
SP  - 1045
EP  - 58
DO  - 10.1371/journal.pone.0209483
UR  - https://www.scopus.com/inward/record.uri?eid=2-s2.0-85060861013&partnerID=40
AB  - The Loess Plateau of China is one of the most severe soil and water loss areas.
KW  - ecosystem services; restoration
KW  - Loess Plateau
SN  - 19326203
C2  - PMC6349311
LA  - English
DB  - Scopus
M3  - Article
ID  - 1
ER  -

""".replace("areas.\n", "areas.  \n").replace("ER  -\n", "ER  - \n")  # as exported

TRICKY = {
    "two ordinary records": SCOPUS + SCOPUS.replace("ID  - 1", "ID  - 2"),
    "no blank line between records": SCOPUS.rstrip("\n") + "\n" + SCOPUS,
    "a record without ER, then another": SCOPUS.replace("ER  - \n", "") + SCOPUS,
    "two TY lines in one record": SCOPUS.replace("DB  - Scopus", "TY  - BOOK") + SCOPUS,
    "a TY line written twice at the start": "TY  - JOUR\n" + SCOPUS,
    "an untagged continuation line": SCOPUS.replace("areas.  \n", "areas.\nand more text\n"),
    "a continuation line then a second TY": SCOPUS.replace(
        "areas.  \n", "areas.\nwrapped\nTY  - CHAP\n"
    ),
    "odd spacing and an ER without its space": SCOPUS.replace("TY  - JOUR", "TY -  JOUR")
    .replace("ER  - \n", "ER  -\n")
    .replace("PY  - 2019", "PY- 2019"),
    "an ER line followed by text": SCOPUS.replace("ER  - \n", "ER  -x\n") + SCOPUS,
    "tags after ER (Ovid) and numbered records": "<1. >\n"
    + SCOPUS
    + "NL  - https://example.org\n\n<2. >\n"
    + SCOPUS,
    "text between records": SCOPUS + "Some note\n\n" + SCOPUS,
    "ER without a record": "ER  - \n" + SCOPUS,
    "a record starting without TY": "TI  - No type\nER  - \n" + SCOPUS,
    "unknown tags": SCOPUS.replace("LA  - English", "ZZ  - what\nLA  - English\nQQ  - x"),
    "repeated and empty values": SCOPUS.replace(
        "AU  - Zou, C.", "AU  - \nAU  - Zou, C.\nKW  - "
    ).replace("TI  - Ecosystem", "TI  - \nT1  - Ecosystem"),
    "no title": SCOPUS.replace("TI  - Ecosystem", "ST  - Ecosystem"),
    "CJK names and titles": SCOPUS.replace("Wu, D.", "王小明(Wang, Xiao-Ming)").replace(
        "TI  - Ecosystem", "TI  - 黃土高原生態系統服務 \u3000\nTT  - Ecosystem"
    ),
    "odd years and pages": SCOPUS.replace("PY  - 2019", "PY  - 2019///")
    .replace("SP  - 1045", "SP  - No")
    .replace("EP  - 58", "EP  - Specified")
    + SCOPUS.replace("PY  - 2019", "PY  - unknown\nY1  - 1999/05/01"),
    "a NUL-free tab and backslash": SCOPUS.replace("Loess Plateau\n", "Loess\tPlateau \\N\n"),
    "a last record without ER": SCOPUS + SCOPUS.replace("ER  - \n", ""),
    "a last record stopping inside its first line": SCOPUS + "TY  - JO",
    "nothing but blank lines": "\n\n  \n",
    "no record": "Not RIS at all\n",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_files_read_as_before(name):
    for data in variants(TRICKY[name]):
        assert_read_alike(data)


@pytest.mark.parametrize(("relative", "count"), REAL_RIS)
def test_real_exports_read_as_before(relative, count):
    text = data_file(relative).read_bytes().decode("utf-8-sig", errors="replace")
    for data in variants(text):
        assert_read_alike(data)


TAGS = ["TY", "TY", "ER", "TI", "T1", "T2", "AU", "A1", "AB", "KW", "PY", "Y1", "DA", "SP", "EP",
        "DO", "UR", "AN", "DB", "SN", "C2", "TT", "ST", "JF", "ZZ", "IT"]  # fmt: skip
VALUES = st.sampled_from(
    ["", " ", "JOUR", "2019", "2019/05/01", "1045", "58", "Wu, D.", "王小明(Wang, Xiao-Ming)",
     "10.1000/ABC", "https://doi.org/10.1000/x", "eid=2-s2.0-85000000000", "PMC123", "12345",
     "MEDLINE", "a; b", "é\u3000", "text with TY  - inside", "WOS:000123"]
)  # fmt: skip


@st.composite
def ris_text(draw) -> str:
    """RIS-like text: tag lines (spaced as usual or oddly), continuation lines, blank lines,
    and now and then a line of anything."""
    lines = []
    for _ in range(draw(st.integers(1, 30))):
        kind = draw(st.integers(0, 9))
        if kind <= 5:
            tag = draw(st.sampled_from(TAGS))
            dash = draw(st.sampled_from(["  - ", "  - ", "  - ", " - ", "-", "  -"]))
            lines.append(tag + dash + draw(VALUES))
        elif kind == 6:
            lines.append(draw(VALUES))
        elif kind == 7:
            lines.append(draw(st.sampled_from(["", "", " "])))
        elif kind == 8:
            lines.append(draw(st.sampled_from(["ER  - ", "TY  - JOUR", "ER  -"])))
        else:
            lines.append(draw(st.text(max_size=12)))
    end = draw(st.sampled_from(["\n", "\n\n", "", "\r\n"]))
    return "\n".join(lines) + end


@settings(
    max_examples=500,
    deadline=None,
    # `reader` is chosen once for all the examples of a run, as it should be.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=ris_text(), crlf=st.booleans())
def test_generated_files_read_as_before(text, crlf):
    if crlf:
        text = text.replace("\n", "\r\n")
    assert_read_alike(text.replace("\x00", "").encode("utf-8"))
