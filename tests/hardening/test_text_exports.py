"""Issue #26: text exports (Markdown, RIS, BibTeX) write every user-supplied value through one
helper (reviewapp.textexport): no value becomes markup, a heading, a link or a record of its own.

themes.md escaped code names and excerpts but wrote study labels raw in its headings."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewapp import textexport
from screening.identification.exports import export_records
from screening.models import Record, Study
from tests.factories import RecordFactory, SearchFactory
from tests.synthesis.factories import coded_review

pytestmark = pytest.mark.django_db

# A line break that would start a heading, raw HTML, a link, an image, a table cell.
HOSTILE = (
    "<img src=x onerror=alert(1)>\n# Forged heading\r\n"
    "[click](javascript:alert(1)) ![t](http://evil.example/t.png) | cell |\u2028## Also forged"
)
LINK = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\(")


@pytest.fixture
def hostile_synthesis(team):
    coded = coded_review(team)
    Study.objects.filter(review=team.review).update(label=HOSTILE[:200], reference_number=None)
    coded.codes["Funding"].__class__.objects.filter(pk=coded.codes["Funding"].pk).update(
        name=HOSTILE[:200]
    )
    return coded


def test_themes_markdown_writes_study_labels_in_headings_as_inert_text(team, hostile_synthesis):
    body = team.client(team.lead).get(f"/r/{team.review.slug}/synthesis/themes.md")
    assert body.status_code == 200
    text = body.content.decode()
    assert "<img" not in text and "<" not in text
    assert not LINK.search(text), "a link or image survived"
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert not [h for h in headings if "Forged" in h.split(" ", 1)[0] or h.startswith("# Forged")]
    assert sum(1 for h in headings if h.startswith("# ")) == 1  # the title only
    # Every line is one the export itself starts: no value opened a line of its own.
    starts = ("# ", "## ", "### ", "*Definition:* ", "> ", ">", "Codebook ")
    stray = [line for line in text.splitlines() if line and not line.startswith(starts)]
    assert all(re.match(r"\d+ stud", line) for line in stray), stray
    # The label is there, escaped, in the theme heading's citation list.
    assert "\\[click\\](javascript:alert(1))" in text
    assert any("&lt;img src=x onerror=alert(1)&gt;" in h for h in headings if h[:4] == "### ")


def test_the_helper_keeps_every_value_on_one_line():
    for separator in ("\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"):
        value = f"title{separator}ER  - "
        for escape in (textexport.markdown, textexport.ris, textexport.bibtex):
            assert "\n" not in escape(value) and "\r" not in escape(value)
            assert len(escape(value).splitlines()) == 1


def _one_line_by_character(value: str) -> str:
    words = " ".join(value.split())
    return "".join(c for c in words if unicodedata.category(c) not in ("Cc", "Cf") or c == " ")


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_one_line_drops_control_and_format_characters_and_keeps_the_rest(value):
    """The printable fast path gives what the character-by-character rule gives."""
    for text in (value, f"{value}\u200b\x07 end"):
        assert textexport.one_line(text) == _one_line_by_character(text)


_TEX = {"{": r"\{", "}": r"\}", "\\": r"\textbackslash{}", "%": r"\%", "&": r"\&", "#": r"\#",
        "$": r"\$", "_": r"\_"}  # fmt: skip


@given(st.text(alphabet=st.sampled_from("ab {}\\%&#$_\n鐵")))
@settings(max_examples=300, deadline=None)
def test_bibtex_escapes_each_tex_special_once(value):
    expected = "".join(_TEX.get(c, c) for c in _one_line_by_character(value))
    assert textexport.bibtex(value) == expected


def _hostile_records(team) -> list[Record]:
    search = SearchFactory(review=team.review, source="Scopus\nTY  - JOUR")
    return [
        RecordFactory(
            search=search,
            title="Real title\nER  - \n\nTY  - JOUR\nTI  - Forged record",
            authors=["Smith, J.\nTY  - BOOK", "Lee}, title = {Forged"],
            pages="12\nER  - -19\nTY  - JOUR",
            pmid="123\nER  - ",
            journal="J {x} % 50\\",
            keywords=["a\nKW  - b"],
        ),
        RecordFactory(search=search, title="A plain second record"),
    ]


def test_ris_export_has_one_record_per_record_and_no_forged_tag(team):
    records = _hostile_records(team)
    text = "".join(export_records(Record.objects.filter(review=team.review), "ris"))
    lines = [line for line in text.splitlines() if line]
    assert all(re.match(r"^[A-Z][A-Z0-9]  - ", line) for line in lines), [
        line for line in lines if not re.match(r"^[A-Z][A-Z0-9]  - ", line)
    ]
    assert sum(line.startswith("TY  - ") for line in lines) == len(records)
    assert sum(line.startswith("ER  - ") for line in lines) == len(records)
    assert "TI  - Real title ER - TY - JOUR TI - Forged record" in lines


def test_bibtex_export_keeps_every_value_inside_its_own_field(team):
    records = _hostile_records(team)
    text = "".join(export_records(Record.objects.filter(review=team.review), "bibtex"))
    entries = [e for e in text.split("\n\n") if e.strip()]
    assert len(entries) == len(records)
    for entry in entries:
        body = re.sub(r"\\.", "", entry)  # escaped characters are text, not structure
        depth = 0
        for char in body:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0
        assert depth == 0
        fields = re.findall(r"^  (\w+) = \{", entry, re.M)
        assert len(fields) == len(set(fields))  # no forged second "title"
