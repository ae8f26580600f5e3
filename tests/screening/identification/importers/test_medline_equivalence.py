"""The faster MEDLINE parser reads every file as the one before it did: the same records, the
same warnings, the same errors (`medline_before` is that parser, kept as the oracle). Tricky
hand-made files, generated ones and the real exports, each also with CRLF line ends, a BOM,
extra blank lines and cut at several places."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.identification.importers import medline as new

from . import equivalence
from . import medline_before as old
from .conftest import data_file, needs_compiled
from .equivalence import variants

REAL = ["revtools/restoration_pubmed.nbib", "metaknowledge/medline_test.medline"]


@pytest.fixture(autouse=True, params=["compiled", "python"])
def reader(request, monkeypatch):
    """Every test twice: with the compiled reader of usual records (where the install built
    it) and with the Python one alone, as an install without a C compiler reads."""
    if request.param == "python":
        monkeypatch.setattr(new, "_native_fields", None)
    else:
        needs_compiled(new.compiled(), "the compiled MEDLINE reader")
    return request.param


def assert_read_alike(data: bytes) -> None:
    equivalence.assert_read_alike(old.parse_medline, new.parse_medline, data)


PUBMED = """PMID- 30689646
OWN - NLM
STAT- In-Data-Review
DP  - 2019 Jan 28
TI  - Ecosystem services changes between 2000 and 2015 in the Loess Plateau, China: A
      response to ecological restoration.
PG  - 1045-58
LID - 10.1371/journal.pone.0209483 [doi]
AB  - The Loess Plateau of China is one of the most severe soil and water loss areas in
      the world. Since 1999, the Grain to Green Program (GTGP) has been implemented in
      the region.
FAU - Wu, Dan
AU  - Wu D
AD  - Nanjing Institute of Environmental Sciences, Ministry of Environmental
      Protection, Nanjing, China.
FAU - Zou, Changxin
AU  - Zou C
LA  - eng
PT  - Journal Article
PT  - Research Support, Non-U.S. Gov't
TA  - PLoS One
JT  - PloS one
MH  - Soil
OT  - restoration
AID - 10.1371/journal.pone.0209483 [doi]
AID - PONE-D-18-17170 [pii]
PST - epublish
SO  - PLoS One. 2019 Jan 28;14(1):e0209483.

""".replace("areas in\n", "areas in  \n")  # trailing spaces, as PubMed writes them

TRICKY = {
    "two ordinary records": PUBMED + PUBMED.replace("30689646", "30689647"),
    "continuation lines indented by 6, 8, 3 spaces and a tab": PUBMED.replace(
        "      the world.", "        the world."
    ).replace("      the region.", "   the region.\n\tand beyond."),
    "a blank continuation line inside and at the end of a field": PUBMED.replace(
        "      the region.", "      \n      the region.\n      "
    ),
    "a blank continuation line ending a record": PUBMED.replace(
        "e0209483.\n\n", "e0209483.\n      \n\n"
    )
    + PUBMED.replace("e0209483.\n\n", "e0209483.\n        \n\n"),
    "a line of spaces before a continuation line": "PMID- 1\n \n      2019\n\n" + PUBMED,
    "a field's first line empty, its text on the continuation": PUBMED.replace(
        "TI  - Ecosystem", "TI  - \n      Ecosystem"
    ).replace("TA  - PLoS One", "TA  -\n      PLoS One"),
    "missing fields": "PMID- 1\nTI  - Only a title\n\nPMID- 2\nAU  - Wu D\nDP  - 1999\n\n",
    "repeated and empty values": PUBMED.replace("MH  - Soil", "MH  - Soil\nMH  - \nOT  -   \n")
    .replace("FAU - Zou, Changxin", "FAU - \nFAU - Zou, Changxin")
    .replace("PT  - Journal Article", "PT  - \nPT  - Journal Article"),
    "no blank line between records": PUBMED.rstrip("\n") + "\n" + PUBMED,
    "tag-like text inside an abstract": PUBMED.replace(
        "      the region.",
        "      PMID- 12345 and\n      AU  - not an author\n      TI  - nor a title",
    ),
    "a tag line in an abstract's wrapped text": PUBMED.replace("      the region.", "PMID- 999"),
    "records opened by OWN, ERIC's tags": "OWN - ERIC\nOID - EJ1234\nISSN - ISSN-1234-5678\n"
    "TI  - An ERIC record\nLID - https://eric.ed.gov/?id=EJ1234\nDP  - 2020\n\n"
    "OWN - ERIC\nOID - ED5678\nPMID- 77\nTI  - Another\nLID - 10.1000/ABC.\n\n",
    "unknown tags and tags that are not": PUBMED.replace("PST - epublish", "XYZ - what\nQQ  - x")
    + "PMID- 5\nA B - odd\n\n",
    "a line that is neither a tag nor a continuation": PUBMED.replace("LA  - eng", "eng"),
    "non-ASCII text and names": PUBMED.replace("Wu, Dan", "王小明(Wang, Xiao-Ming)")
    .replace("the region.", "la région, 中文\u3000 ")
    .replace("TI  - Ecosystem", "TI  - \xa0Écosystème")
    .replace("DP  - 2019 Jan 28", "DP  - 1٠00"),
    "odd dates": PUBMED.replace("DP  - 2019 Jan 28", "DP  - Start date: 20170812")
    + PUBMED.replace("DP  - 2019 Jan 28", "DP  - unknown")
    + PUBMED.replace("DP  - 2019 Jan 28", "DP  - 1499"),
    "blank lines with spaces and several blank lines": "\n \n" + PUBMED + "\n\n   \n" + PUBMED,
    "a continuation line before any record": "      stray\n" + PUBMED,
    "a record that starts with TI": "TI  - Cut record\nAB  - text\n\n" + PUBMED,
    "PMID written ERIC's way inside a record": PUBMED.replace("PST - epublish", "PMID - 2"),
    "a tag line stopping at its dash": PUBMED.replace("LA  - eng", "LA  -")
    .replace("VI  ", "")
    .replace("PT  - Journal Article", "PT  -\u3000\n      Journal"),
    "a last record that lacks the field ending the others": PUBMED
    + PUBMED
    + "PMID- 3\nTI  - Cut in the middle of the\n",
    "a last record stopping inside its first line": PUBMED + "PMID- 12",
    "nothing but blank lines": "\n\n  \n",
    "no record": "Not MEDLINE at all\n",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_files_read_as_before(name):
    for data in variants(TRICKY[name]):
        assert_read_alike(data)


@pytest.mark.parametrize("relative", REAL)
def test_real_exports_read_as_before(relative):
    text = data_file(relative).read_bytes().decode("utf-8-sig")
    for data in variants(text):
        assert_read_alike(data)


TAGS = ["PMID", "OWN ", "TI  ", "BTI ", "TT  ", "AB  ", "FAU ", "AU  ", "CN  ", "AD  ", "MH  ",
        "OT  ", "PT  ", "AID ", "LID ", "PMC ", "OID ", "ISSN", "DP  ", "JT  ", "TA  ", "VI  ",
        "IP  ", "PG  ", "LA  ", "SO  ", "XYZ ", "A B "]  # fmt: skip
VALUES = st.sampled_from(
    ["", " ", "2019", "2019 Jan", "1٠00", "1045-58", "Wu, Dan", "王小明(Wang, Xiao-Ming)",
     "10.1000/ABC [doi]", "S0001 [pii]", "https://eric.ed.gov/?id=EJ1", "10.1000/x", "ERIC",
     "ISSN-1234-5678", "PMC123", "text with PMID- 12 inside", "é\u3000", "Journal Article"]
)  # fmt: skip


@st.composite
def medline_text(draw) -> str:
    """MEDLINE-like text: tag lines (spaced as PubMed, as ERIC, or oddly), continuation lines
    indented in several ways, blank lines, and now and then a line of anything."""
    lines = []
    for _ in range(draw(st.integers(1, 30))):
        kind = draw(st.integers(0, 9))
        if kind <= 4:
            tag = draw(st.sampled_from(TAGS))
            dash = draw(st.sampled_from(["- ", "- ", " - ", "-", "-  "]))
            lines.append(tag + dash + draw(VALUES))
        elif kind <= 6:
            indent = draw(st.sampled_from(["      ", "      ", "        ", "   ", "\t", " "]))
            lines.append(indent + draw(VALUES))
        elif kind == 7:
            lines.append(draw(st.sampled_from(["", "", " ", "      "])))
        elif kind == 8:
            lines.append("PMID- " + draw(st.sampled_from(["1", "2", ""])))
        else:
            lines.append(draw(st.text(max_size=12)))
    end = draw(st.sampled_from(["\n", "\n\n", "", "\r\n"]))
    return "\n".join(lines) + end


@settings(
    max_examples=400,
    deadline=None,
    # `reader` is chosen once for all the examples of a run, as it should be.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=medline_text(), crlf=st.booleans())
def test_generated_files_read_as_before(text, crlf):
    if crlf:
        text = text.replace("\n", "\r\n")
    assert_read_alike(text.encode("utf-8"))
