"""The synthesis pages: who sees them, what they show, hostile text shown as text."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from coding import services as coding
from coding.models import SourceType

from .factories import code, coded_review

HOSTILE_NAME = '<script>alert("x")</script>'
HOSTILE_EXCERPT = '=HYPERLINK("http://evil.example","click") <img src=x onerror=alert(1)>'


def url(team, path=""):
    return f"/r/{team.review.slug}/synthesis/{path}"


@pytest.fixture
def coded(team):
    return coded_review(team)


PATHS = ["", "themes/", "figure/", "counts/", "compare/", "excerpts/", "matrix.csv", "themes.md",
         "themes.csv", "themes.xlsx", "workbook.xlsx", "figure.svg"]  # fmt: skip


def test_lead_and_reviewers_read_the_synthesis_outsiders_and_adjudicators_do_not(team, coded):
    lead, reviewer = team.client(team.lead), team.client(team.reviewer2)
    adjudicator, outsider = team.client(team.adjudicator), team.client(team.outsider)
    for path in PATHS:
        assert lead.get(url(team, path)).status_code == 200, path
        assert reviewer.get(url(team, path)).status_code == 200, path
        assert adjudicator.get(url(team, path)).status_code == 403, path
        assert outsider.get(url(team, path)).status_code == 404, path


def test_the_matrix_page_shows_counts_per_cell_totals_and_citations(team, coded):
    page = team.client(team.reviewer1).get(url(team))
    html = page.content.decode()
    assert "Environmental level · Facilitators" in html
    assert "[3, 13]" in html
    assert "5 subthemes: 3 facilitators, 2 barriers" in html
    time = coded.codes["Protected time"]
    cell = f"?code={time.pk}&study={coded.studies[3].pk}"
    assert cell in html
    assert 'hx-target="#excerpts-panel"' in html


def test_a_cell_opens_its_excerpts_as_a_page_and_as_an_htmx_fragment(team, coded):
    time = coded.codes["Protected time"]
    query = f"excerpts/?code={time.pk}&study={coded.studies[3].pk}"
    page = team.client(team.lead).get(url(team, query))
    html = page.content.decode()
    assert "a free afternoon each week" in html and "my chief gave me time" in html
    assert "protected time for research" not in html  # another study
    assert "Participant quotation" in html
    assert "<html" in html
    fragment = team.client(team.lead).get(url(team, query), headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    assert "my chief gave me time" in fragment.content.decode()


def test_excerpts_of_a_study_from_another_review_or_an_unknown_code_are_404(team, coded):
    from reviewapp.models import Review  # noqa: F401
    from tests.coding.factories import included_study
    from tests.factories import ReviewFactory

    other = included_study(ReviewFactory(), "Elsewhere 2020", 1)
    assert team.client(team.lead).get(url(team, f"excerpts/?study={other.pk}")).status_code == 404
    assert team.client(team.lead).get(url(team, "excerpts/?code=999999")).status_code == 404
    assert team.client(team.lead).get(url(team, "?version=7")).status_code == 404


def test_filters_in_the_query_string_narrow_the_matrix_page(team, coded):
    html = team.client(team.lead).get(url(team, "?polarity=barrier&version=1")).content.decode()
    assert "Lack of funding" in html and "Protected time" not in html
    html = team.client(team.lead).get(url(team, "?level=individual")).content.decode()
    assert "Lack of competency" in html and "Funding" not in html


def test_the_matrix_page_runs_a_bounded_number_of_queries(
    team, coded, django_assert_max_num_queries
):
    client = team.client(team.lead)
    client.get(url(team))
    with django_assert_max_num_queries(20):
        client.get(url(team, "?sort=studies"))
    with django_assert_max_num_queries(22):
        client.get(url(team, "themes/"))


def test_the_figure_svg_and_png_download(team, coded):
    svg = team.client(team.lead).get(url(team, "figure.svg"))
    assert svg["Content-Type"] == "image/svg+xml"
    text = svg.content.decode()
    assert "ENVIRONMENTAL LEVEL" in text and "Protected time" in text
    png = team.client(team.lead).get(url(team, "figure.png"))
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"


def hostile(team, coded):
    book = team.review.codebook
    parent = book.codes.get(name="Environmental barriers")
    bad = coding.add_code(
        book, team.lead, parent=parent, name=HOSTILE_NAME, definition="=1+2 <b>bold</b>"
    )
    coding.publish(book, team.lead, "v2 with a hostile code")
    code(coded.studies[3], team.reviewer1, [bad], HOSTILE_EXCERPT, SourceType.QUOTATION)
    return bad


def test_hostile_code_names_and_excerpts_are_escaped_on_every_page(team, coded):
    bad = hostile(team, coded)
    client = team.client(team.lead)
    for path in ["", "themes/", "figure/", f"excerpts/?code={bad.pk}", "compare/", "counts/"]:
        html = client.get(url(team, path)).content.decode()
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
    assert "&lt;script&gt;" in client.get(url(team)).content.decode()
    svg = client.get(url(team, "figure.svg")).content.decode()
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_hostile_cells_are_neutralised_in_csv_xlsx_and_markdown(team, coded):
    hostile(team, coded)
    client = team.client(team.lead)
    rows = list(csv.reader(io.StringIO(client.get(url(team, "themes.csv")).content.decode())))
    cells = [c for row in rows for c in row]
    assert all(not c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "'" + HOSTILE_EXCERPT in cells
    matrix = list(csv.reader(io.StringIO(client.get(url(team, "matrix.csv")).content.decode())))
    assert all(not c.startswith(("=", "+", "-", "@")) for row in matrix for c in row)
    book = load_workbook(io.BytesIO(client.get(url(team, "workbook.xlsx")).content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and value.startswith(("=", "+", "-", "@")))
    assert book["Excerpts"].cell(row=2, column=1).data_type != "f"
    markdown = client.get(url(team, "themes.md")).content.decode()
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert "<img" not in markdown
