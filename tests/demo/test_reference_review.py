"""The demo's reference review reproduces the paper: its 25 subthemes (15 facilitators, 10
barriers) on three levels cite the paper's studies, and the figure and every export carry the
matrix's numbers; its records and screening are complete and the PRISMA counts follow."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from coding.models import Coding
from demo import codebook, loader
from reviewapp.models import Review
from screening.models import Conflict, Record, Study
from screening.prisma.counts import counts_for
from synthesis import exports, figure
from synthesis import services as synth
from synthesis.services import Filters

pytestmark = pytest.mark.django_db


def paper_citation(sub) -> str:
    return synth.citation(sorted(sub.studies))


def test_every_subtheme_cites_exactly_the_papers_studies(review):
    matrix = synth.build_matrix(review)
    assert [s.reference_number for s in matrix.studies] == [3, 9, 13, 18, 27, 34, 38, 41]
    got = {r.node.name: r.citation for r in matrix.rows}
    expected = {s.name: paper_citation(s) for s in codebook.SUBTHEMES}
    assert got == expected
    # The paper's citations, as its Results section gives them, for a few subthemes.
    assert got["Protected research time"] == "[3, 13, 41]"
    assert got["Mentorship by experienced researchers"] == "[3, 38, 41]"
    assert got["Insufficient funding"] == "[9, 34, 41]"
    assert got["Coaching"] == "[27]"


def test_the_counts_are_the_papers(review):
    counts = synth.counts(synth.build_matrix(review))
    assert counts.sentence == "25 subthemes: 15 facilitators, 10 barriers"
    assert [(lv.level, lv.facilitators, lv.barriers) for lv in counts.levels] == [
        ("individual", 4, 3),
        ("interpersonal", 4, 4),
        ("environmental", 7, 3),
    ]


def test_version_one_differs_from_version_two_where_coaching_was_split_off(review):
    v1 = synth.build_matrix(review, Filters(version=1))
    v2 = synth.build_matrix(review, Filters(version=2))
    assert synth.counts(v1).sentence == "24 subthemes: 14 facilitators, 10 barriers"
    assert v1.row_for("Coaching") is None
    assert v1.row_for("Mentorship and coaching") is not None
    assert v2.row_for("Coaching").citation == "[27]"
    rows = {r.name: r for r in synth.compare(review, 1, 2)}
    changed = {name for name, r in rows.items() if r.changed}
    assert changed == {"Coaching", "Mentorship by experienced researchers"}
    assert rows["Coaching"].old is None


def test_filters_on_the_demo_narrow_by_source_and_coder(review):
    review_text = synth.build_matrix(review, Filters(source_type="review"))
    quotes = synth.build_matrix(review, Filters(source_type="quotation"))
    all_rows = synth.build_matrix(review)
    assert review_text.total_excerpts == all_rows.total_excerpts > 0
    assert quotes.total_excerpts == 0
    r1 = review.memberships.get(user__email="reviewer1@demo.example").user
    mine = synth.build_matrix(review, Filters(coder=r1.pk))
    refs = {s.reference_number for row in mine.rows for s in row.studies}
    assert refs == {3, 9, 13, 18}


def svg_text(svg: str) -> str:
    return " ".join(re.findall(r">([^<>]*)</text>", svg))


def test_the_figure_carries_each_subthemes_number_of_studies(review):
    matrix = synth.build_matrix(review)
    text = svg_text(figure.render_svg(synth.figure_levels(matrix), title="Fig"))
    for row in matrix.rows:
        assert f"{row.node.name} {row.study_count}".replace("&", "&amp;") in text, row.node.name
    assert text.index("ENVIRONMENTAL LEVEL") < text.index("INTERPERSONAL LEVEL")


def test_the_exports_carry_the_matrix_numbers(review):
    matrix, themes = synth.themes(review)
    expected = {r.node.name: (r.study_count, r.excerpts, r.citation) for r in matrix.rows}

    rows = list(csv.DictReader(io.StringIO(exports.themes_csv(themes))))
    from_csv = {r["Code"]: (int(r["Studies"]), int(r["Excerpts"]), r["Citations"]) for r in rows}
    assert from_csv == expected
    assert len(rows) == matrix.total_excerpts

    markdown = exports.themes_markdown(review.title, matrix, synth.counts(matrix), themes)
    for name, (_, _, cite) in expected.items():
        assert f"### {exports.md(name)} {exports.md(cite)}" in markdown
    assert "25 subthemes: 15 facilitators, 10 barriers" in markdown

    from coding.services import study_table

    book = load_workbook(
        io.BytesIO(
            exports.synthesis_xlsx(matrix, synth.counts(matrix), themes, study_table(review))
        )
    )
    assert book.sheetnames == ["Matrix", "Themes", "Excerpts", "Studies", "Counts"]
    sheet = book["Matrix"]
    header = [c.value for c in sheet[1]]
    from_xlsx = {
        row[2]: (row[header.index("Studies")], row[header.index("Excerpts")], row[-1])
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert from_xlsx == expected
    assert book["Excerpts"].max_row - 1 == matrix.total_excerpts
    study_header = [c.value for c in book["Studies"][1]]
    studies = {row[0]: row for row in book["Studies"].iter_rows(min_row=2, values_only=True)}
    assert studies[9][study_header.index("Region")] == "USA"  # Table 2
    counts = list(book["Counts"].iter_rows(values_only=True))
    assert ("All levels", 15, 10, 25, 25) in counts


def test_the_records_come_from_four_databases_in_two_phases_with_duplicates_and_chinese_records(
    review,
):
    assert review.records.filter(search__phase="initial").count() == 216
    assert review.records.filter(search__phase="update").count() == 29
    assert set(review.searches.values_list("source", flat=True)) == {
        "Web of Science",
        "MEDLINE",
        "Scopus",
        "Airiti Library",
    }
    archibald = Record.objects.filter(review=review, doi="10.1186/s12961-017-0256-y")
    assert archibald.count() == 3  # WoS, Scopus, and the 2025 Scopus update
    assert len({r.cluster_id for r in archibald}) == 1
    assert archibald.filter(is_canonical=True).count() == 1
    chinese = Record.objects.filter(
        review=review, search__source="Airiti Library", language="Chinese"
    )
    assert chinese.count() == 7
    assert all(r.title_alt for r in chinese)


def test_screening_had_a_consensus_and_an_adjudication_and_prisma_follows(review):
    resolutions = set(Conflict.objects.filter(review=review).values_list("resolution", flat=True))
    assert {"consensus", "adjudicated"} <= resolutions
    counts = counts_for(review)
    assert counts.previous_studies == 8 and counts.new_studies == 0
    assert sum(n for _, n in counts.database_specific_results) == 29
    included = Study.objects.filter(review=review).exclude(reference_number=None)
    assert sorted(included.values_list("reference_number", flat=True)) == [
        3, 9, 13, 18, 27, 34, 38, 41,
    ]  # fmt: skip


def test_loading_again_changes_nothing(review):
    codings = Coding.objects.filter(review=review).count()
    assert loader.load_demo() == review
    assert Review.objects.filter(slug=loader.DEMO_SLUG).count() == 1
    assert Coding.objects.filter(review=review).count() == codings


def test_the_demo_pages_render(review, client):
    from reviewapp.models import User

    client.force_login(User.objects.get(email="lead@demo.example"))
    base = f"/r/{review.slug}/synthesis/"
    for path in ["", "themes/", "figure/", "counts/", "compare/", "figure.svg"]:
        assert client.get(base + path).status_code == 200, path
    assert "[3, 13, 41]" in client.get(base).content.decode()
