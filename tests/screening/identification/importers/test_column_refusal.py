"""A spreadsheet whose recognised columns would give records without titles, or most without
authors while an unrecognised column holds text, is refused with the columns listed, before a
record is stored; a mapping someone chose is taken as it is."""

from __future__ import annotations

import pytest

from screening.identification.importers import ColumnsNotRecognised, check_columns

from .conftest import data_file, parse_bytes


def _refusal(text: str, **kwargs) -> ColumnsNotRecognised:
    with pytest.raises(ColumnsNotRecognised) as error:
        parse_bytes(text.encode(), filename="export.csv", **kwargs)
    return error.value


def test_a_file_with_only_identifiers_is_refused_for_want_of_titles():
    error = _refusal("doi,openalex_id,label_included\n10.1/a,https://openalex.org/W1,1\n")
    assert "No column of this file was recognised as the title" in error.message
    assert error.unmapped == ["openalex_id", "label_included"]
    assert "Columns not recognised: openalex_id, label_included" in str(error)


def test_authors_in_a_column_we_do_not_know_stop_the_import():
    text = "Title,Year,Writers\n" + 'A study of clinics,2020,"Reyes, Ana; Novak, Eli"\n' * 3
    error = _refusal(text)
    assert "3 of 3 rows have no authors (they may be in: Writers)." in error.message
    assert error.unmapped == ["Writers"]


def test_rows_that_mostly_lack_a_title_stop_the_import():
    rows = "".join(f",Author {i},{2000 + i}\n" for i in range(3)) + "Has one,Author 9,2009\n"
    error = _refusal("Title,Authors,Year\n" + rows)
    assert error.problems == ["3 of 4 rows have no title."]


def test_a_file_with_no_author_column_at_all_imports_with_a_warning():
    path = data_file("systematic-review-datasets/Kitchenham_2010.csv")
    records, report = parse_bytes(path.read_bytes(), filename=path.name)
    assert len(records) == 1704
    assert (1, "no column of this file holds authors: the records have none") in report.warnings


def test_labels_and_counts_beside_the_titles_are_not_taken_for_authors():
    text = "title,abstract,label_included,citations\nA,B,1,12\nC,D,0,3\n"
    records, report = parse_bytes(text.encode(), filename="labels.csv")
    assert [r["title"] for r in records] == ["A", "C"]


def test_a_chosen_mapping_is_taken_as_it_is():
    text = 'Title,Year,Writers\nA study of clinics,2020,"Reyes, Ana"\n'
    records, _ = parse_bytes(
        text.encode(), filename="export.csv", column_map={"title": "Title", "year": "Year"}
    )
    assert records[0]["authors"] == [] and records[0]["title"] == "A study of clinics"


def test_the_whole_file_is_judged_even_when_its_first_rows_look_right():
    good = "".join(f"Title {i},Author {i}\n" for i in range(250))
    empty = "".join(f",Author {i}\n" for i in range(300))
    text = "Title,Authors\n" + good + empty
    assert check_columns(_stream(text), "export.csv") is None  # the first 200 rows are fine
    error = _refusal(text)
    assert error.problems == ["300 of 550 rows have no title."]


def test_check_columns_judges_the_first_rows_only_and_only_spreadsheets():
    text = "Title,Year,Writers\n" + 'A,2020,"Reyes, Ana"\n' * 300
    problem = check_columns(_stream(text), "export.csv")
    assert problem is not None and "200 of 200 rows have no authors" in problem.message
    assert check_columns(_stream("TY  - JOUR\nTI  - A\nER  - \n"), "x.ris") is None


def _stream(text: str):
    import io

    return io.BytesIO(text.encode())


def test_a_lower_case_notes_column_is_not_taken_for_missing_authors():
    text = "title;abstract;doi;some_column\na;lorem;10.1;lorem\nb;ipsum;10.2;dolor\n"
    records, report = parse_bytes(text.encode(), filename="x.csv")
    assert len(records) == 2
    assert (1, "no column of this file holds authors: the records have none") in report.warnings
