"""The PRISMA 2020 diagram as SVG, PNG and PDF: what a lead downloads for the paper."""

from __future__ import annotations

import io
import re
import struct
import xml.etree.ElementTree as ET

import pytest

from screening.prisma.diagram import render_pdf, render_png, render_svg
from screening.prisma.flow import MANUAL_FOOTNOTE, PrismaCounts
from screening.prisma.text import text_width

from .examples import new_review, updated_review, updated_review_with_other_methods

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode())


def box(root: ET.Element, key: str) -> ET.Element | None:
    return root.find(f".//{SVG}g[@id='{key}']")


def box_text(root: ET.Element, key: str) -> str:
    group = box(root, key)
    assert group is not None, f"{key} is not drawn"
    return " ".join(t.text or "" for t in group.iter(f"{SVG}text"))


def all_text(root: ET.Element) -> str:
    return " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


def test_svg_is_valid_xml_with_every_number_in_real_text():
    counts = updated_review_with_other_methods()
    text = all_text(parse(render_svg(counts)))

    numbers = [
        2498, 812, 1033, 653, 42, 840, 5, 7, 1688, 1550, 138, 6, 132, 41, 37, 23,
        32, 14, 17, 46, 54, 9, 4, 3, 21, 2, 35, 20,
    ]  # fmt: skip
    for n in numbers:
        assert f"(n = {n})" in text, n


def test_each_box_shows_its_own_count():
    root = parse(render_svg(new_review()))

    assert "Databases (n = 2498)" in box_text(root, "box2")
    assert "MEDLINE (n = 812)" in box_text(root, "box2")
    assert "Registers (n = 42)" in box_text(root, "box2")
    assert "Duplicate records removed (n = 840)" in box_text(root, "box3")
    assert "Records marked as ineligible by automation tools (n = 5)" in re.sub(
        r"\s+", " ", box_text(root, "box3")
    )
    assert box_text(root, "box4") == "Records screened (n = 1688)"
    assert box_text(root, "box5") == "Records excluded (n = 1550)"
    assert box_text(root, "box6") == "Reports sought for retrieval (n = 138)"
    assert box_text(root, "box7") == "Reports not retrieved (n = 6)"
    assert box_text(root, "box8") == "Reports assessed for eligibility (n = 132)"
    assert box_text(root, "box9") == (
        "Reports excluded: Wrong population (n = 41) Wrong study design (n = 37) "
        "Wrong outcome (n = 23)"
    )
    assert box_text(root, "box10") == (
        "Studies included in review (n = 27) Reports of included studies (n = 31)"
    )


def test_hostile_source_names_and_reasons_are_escaped():
    hostile = '<script>alert("x")</script> & "Co"'
    counts = new_review(
        database_specific_results=[(hostile, 2498)],
        dbr_excluded=[("Reason <b>bold</b> & 'quoted'\x00\x07", 101)],
        box_text={"records_screened": "Screened </text><script>"},
    )
    svg = render_svg(counts, title='Review of "A & B" <i>')

    assert "<script" not in svg
    assert "<b>" not in svg and "<i>" not in svg
    text = all_text(parse(svg))
    assert hostile in text
    assert "Reason <b>bold</b> & 'quoted' (n = 101)" in text
    assert "Screened </text><script>" in text


def test_new_review_has_no_previous_column_nor_grey_other_methods_boxes():
    root = parse(render_svg(new_review()))

    for key in (
        "prevstud",
        "box1",
        "box16",
        "othstud",
        "box11",
        "box12",
        "box13",
        "box14",
        "box15",
    ):
        assert box(root, key) is None, key
    assert root.findall(f".//{SVG}g[@class='box grey']") == []
    header = box_text(root, "newstud")
    assert header == "Identification of studies via databases and registers"


def test_updated_review_adds_previous_studies_and_the_totals_box():
    root = parse(render_svg(updated_review()))

    assert box_text(root, "prevstud") == "Previous studies"
    assert "Studies included in previous version of review (n = 14)" in box_text(root, "box1")
    assert "Reports of studies included in previous version of review (n = 17)" in box_text(
        root, "box1"
    )
    assert box_text(root, "newstud") == "Identification of new studies via databases and registers"
    assert box_text(root, "box10") == (
        "New studies included in review (n = 27) Reports of new included studies (n = 31)"
    )
    assert box_text(root, "box16") == (
        "Total studies included in review (n = 41) Reports of total included studies (n = 48)"
    )
    assert box(root, "othstud") is None
    assert box(root, "box11") is None


def test_other_methods_column_is_drawn_in_grey_boxes():
    root = parse(render_svg(updated_review_with_other_methods()))

    assert box_text(root, "othstud") == "Identification of new studies via other methods"
    for key in ("box11", "box12", "box13", "box14", "box15"):
        assert box(root, key).get("class") == "box grey", key
    other = box_text(root, "box11")
    assert "Websites (n = 9)" in other
    assert "Organisations (n = 7)" in other
    assert "WHO IRIS (n = 4)" in other
    assert "Citation searching (n = 21)" in other
    assert box_text(root, "box15") == (
        "Reports excluded: Wrong population (n = 20) Wrong outcome (n = 9)"
    )


def test_new_review_with_other_methods_has_no_previous_column():
    counts = new_review(citations_specific_results=[("Citation searching", 4)])
    root = parse(render_svg(counts))

    assert box(root, "box11") is not None
    assert box(root, "box1") is None
    assert box(root, "box16") is None
    assert box_text(root, "othstud") == "Identification of studies via other methods"


def test_phase_labels_sit_in_the_side_bars():
    root = parse(render_svg(updated_review_with_other_methods()))

    assert [box_text(root, key) for key in ("identification", "screening", "included")] == [
        "Identification",
        "Screening",
        "Included",
    ]


def test_long_reason_lists_wrap_inside_their_box():
    reasons = [(f"Reason number {i} with a rather long explanation of why", i) for i in range(20)]
    databases = [(f"Database {i}", 100) for i in range(25)]
    root = parse(render_svg(new_review(dbr_excluded=reasons, database_specific_results=databases)))

    for key in ("box2", "box9"):
        group = box(root, key)
        rect = group.find(f"{SVG}rect")
        left, right = float(rect.get("x")), float(rect.get("x")) + float(rect.get("width"))
        top, bottom = float(rect.get("y")), float(rect.get("y")) + float(rect.get("height"))
        texts = list(group.iter(f"{SVG}text"))
        assert len(texts) > 20
        for text in texts:
            x, y = float(text.get("x")), float(text.get("y"))
            assert left < x and x + text_width(text.text) < right, text.text
            assert top < y < bottom, text.text
    assert "Reason number 19" in box_text(root, "box9")


def test_manual_entries_carry_a_dagger_and_the_footnote():
    counts = new_review(manual={"excluded_other"})
    text = all_text(parse(render_svg(counts)))

    assert "(n = 7) †" in text
    assert MANUAL_FOOTNOTE in text
    assert MANUAL_FOOTNOTE not in all_text(parse(render_svg(new_review())))


def test_edited_box_wording_replaces_the_template_label():
    counts = new_review(box_text={"records_screened": "Titles and abstracts screened"})
    root = parse(render_svg(counts))

    assert box_text(root, "box4") == "Titles and abstracts screened (n = 1688)"


def test_an_empty_review_still_draws_the_whole_diagram():
    root = parse(render_svg(PrismaCounts()))

    assert box_text(root, "box4") == "Records screened (n = 0)"
    assert box_text(root, "box9") == "Reports excluded (n = 0)"


def png_size_and_dpi(png: bytes) -> tuple[int, int, int | None]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    at = png.find(b"pHYs")
    ppm = struct.unpack(">I", png[at + 4 : at + 8])[0] if at > 0 else None
    return width, height, ppm


@pytest.mark.parametrize(
    "counts", [new_review(), updated_review(), updated_review_with_other_methods()]
)
def test_png_is_300_dpi(counts):
    root = parse(render_svg(counts))
    width_pt = float(root.get("width").removesuffix("pt"))

    width, height, ppm = png_size_and_dpi(render_png(counts))

    assert width == pytest.approx(width_pt / 72 * 300, abs=1)
    assert ppm == round(300 / 0.0254)
    assert height > 1000


def test_png_dpi_is_adjustable():
    width_300, _, _ = png_size_and_dpi(render_png(new_review()))
    width_150, _, ppm = png_size_and_dpi(render_png(new_review(), dpi=150))

    assert width_150 == pytest.approx(width_300 / 2, abs=1)
    assert ppm == round(150 / 0.0254)


def test_pdf_is_a_vector_pdf_with_the_numbers_as_text():
    from pypdf import PdfReader

    pdf = render_pdf(updated_review_with_other_methods())

    assert pdf.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "1688" in text
    assert "Wrong population" in text
