"""The matrix: codes grouped by level and polarity × included studies, with filters."""

from __future__ import annotations

import pytest

from coding import services as coding
from coding.models import SourceType
from synthesis import services
from synthesis.services import Filters

from .factories import code, coded_review


def names(matrix):
    return [r.node.name for r in matrix.rows]


def test_rows_are_grouped_by_level_then_polarity_and_columns_are_studies_in_reference_order(team):
    coded_review(team)
    matrix = services.build_matrix(team.review)
    assert [s.reference_number for s in matrix.studies] == [3, 13, 41]
    assert [(g.level, g.polarity) for g in matrix.groups] == [
        ("individual", "facilitator"),
        ("individual", "barrier"),
        ("environmental", "facilitator"),
        ("environmental", "barrier"),
    ]
    assert names(matrix) == [
        "Career advancement",
        "Lack of competency",
        "Protected time",
        "Funding",
        "Lack of funding",
    ]


def test_a_cell_counts_the_excerpts_and_the_row_gives_studies_excerpts_and_citations(team):
    coded_review(team)
    row = services.build_matrix(team.review).row_for("Protected time")
    assert row.cells == [2, 1, 0]
    assert (row.study_count, row.excerpts, row.citation) == (2, 3, "[3, 13]")
    assert services.build_matrix(team.review).row_for("Career advancement").citation == "[]"


def test_column_totals_add_up_the_excerpts_of_each_study(team):
    coded_review(team)
    matrix = services.build_matrix(team.review)
    assert matrix.column_totals == [2, 2, 2]
    assert matrix.total_excerpts == 6


def test_filter_by_level_and_polarity(team):
    coded_review(team)
    barriers = services.build_matrix(team.review, Filters(polarity="barrier"))
    assert names(barriers) == ["Lack of competency", "Lack of funding"]
    environmental = services.build_matrix(team.review, Filters(level="environmental"))
    assert names(environmental) == ["Protected time", "Funding", "Lack of funding"]


def test_filter_by_source_type_and_coder(team):
    coded_review(team)
    quotes = services.build_matrix(team.review, Filters(source_type=SourceType.QUOTATION))
    assert quotes.row_for("Protected time").cells == [1, 0, 0]
    remy = services.build_matrix(team.review, Filters(coder=team.reviewer2.pk))
    assert remy.row_for("Protected time").citation == "[13]"
    assert remy.row_for("Funding").excerpts == 0


def test_sort_by_studies_by_excerpts_and_by_name_within_each_group(team):
    c = coded_review(team)
    code(c.studies[41], team.reviewer1, [c.codes["Funding"]], "grant one")
    code(c.studies[41], team.reviewer1, [c.codes["Funding"]], "grant two")
    code(c.studies[41], team.reviewer1, [c.codes["Funding"]], "grant three")
    by_excerpts = services.build_matrix(team.review, Filters(sort="excerpts"))
    env = [r.node.name for r in by_excerpts.groups[2].rows]
    assert env == ["Funding", "Protected time"]  # 4 excerpts in one study before 3 in two
    by_studies = services.build_matrix(team.review, Filters(sort="studies"))
    assert [r.node.name for r in by_studies.groups[2].rows] == ["Protected time", "Funding"]
    by_name = services.build_matrix(team.review, Filters(sort="name", level="environmental"))
    assert names(by_name) == ["Funding", "Protected time", "Lack of funding"]


def test_the_version_chosen_decides_the_codes_and_which_codings_count(team):
    c = coded_review(team)
    book = team.review.codebook
    coding.update_code(c.codes["Protected time"], team.lead, name="Protected research time")
    coding.merge_codes(c.codes["Funding"], c.codes["Protected time"], team.lead)
    coding.publish(book, team.lead, "v2: rename, fold funding into time")
    code(c.studies[41], team.reviewer2, [c.codes["Lack of competency"]], "methods scare me")

    v1 = services.build_matrix(team.review, Filters(version=1))
    v2 = services.build_matrix(team.review)  # default: the latest published
    assert v2.version.number == 2
    assert v1.row_for("Protected time").citation == "[3, 13]"
    assert v1.row_for("Lack of competency").citation == "[13]"  # the v2 coding is not part of v1
    assert v2.row_for("Protected time") is None
    assert v2.row_for("Protected research time").citation == "[3, 13, 41]"
    assert v2.row_for("Funding") is None
    assert v2.row_for("Lack of competency").citation == "[13, 41]"

    rows = {r.name: r for r in services.compare(team.review, 1, 2)}
    assert rows["Protected research time"].changed
    assert rows["Funding"].new is None and rows["Funding"].changed
    assert not rows["Lack of funding"].changed


def test_an_unknown_version_is_404(team):
    from django.http import Http404

    coded_review(team)
    with pytest.raises(Http404):
        services.build_matrix(team.review, Filters(version=9))


def test_before_anything_is_published_the_matrix_shows_the_draft(team):
    from tests.coding.factories import ecological_codebook

    ecological_codebook(team.review, team.lead)
    matrix = services.build_matrix(team.review)
    assert matrix.version is None
    assert "Protected time" in names(matrix)


def test_counts_subthemes_per_level_and_polarity(team):
    coded_review(team)
    counts = services.counts(services.build_matrix(team.review))
    assert counts.sentence == "5 subthemes: 3 facilitators, 2 barriers"
    assert [(lv.level, lv.facilitators, lv.barriers) for lv in counts.levels] == [
        ("individual", 1, 1),
        ("environmental", 2, 1),
    ]
    assert counts.levels[0].cited_facilitators == 0  # career advancement: no study yet


def test_themes_list_every_excerpt_with_its_source_in_reference_order(team):
    coded_review(team)
    _, themes = services.themes(team.review)
    time = next(t for t in themes if t.node.name == "Protected time")
    assert time.citation == "[3, 13]"
    assert [(c.study.reference_number, c.source_type) for c in time.codings] == [
        (3, "results"),
        (3, "quotation"),
        (13, "results"),
    ]
    assert time.node.definition == "Time freed from clinic."


def test_the_figure_lists_the_levels_outermost_first_with_study_counts(team):
    coded_review(team)
    levels = services.figure_levels(services.build_matrix(team.review))
    assert [lv.key for lv in levels] == ["environmental", "individual"]
    env = levels[0]
    assert [(i.name, i.studies) for i in env.facilitators] == [
        ("Protected time", 2),
        ("Funding", 1),
    ]
    assert [(i.name, i.studies) for i in env.barriers] == [("Lack of funding", 1)]


def test_the_matrix_runs_the_same_number_of_queries_whatever_its_size(
    team, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    coded_review(team, extra_studies=6)
    with CaptureQueriesContext(connection) as small:
        services.themes(team.review)
    book = team.review.codebook
    parent = book.codes.get(name="Environmental facilitators")
    for i in range(12):
        coding.add_code(book, team.lead, parent=parent, name=f"Extra theme {i}")
    coding.publish(book, team.lead, "v2: more themes")
    with django_assert_max_num_queries(len(small)):
        _, themes = services.themes(team.review)
    assert len(themes) == 17
