from __future__ import annotations

import io

import openpyxl
import pytest

from screening.identification.importers import ImportFormatError, csv_columns, guess_column_map

from .conftest import data_file, parse_bytes, parse_file

BIB_DEDUPE = [
    ("bib-dedupe-benchmark/stroke/records_pre_merged.csv", 1292),
    ("bib-dedupe-benchmark/haematology/records_pre_merged.csv", 1415),
    ("bib-dedupe-benchmark/respiratory/records_pre_merged.csv", 1988),
    ("bib-dedupe-benchmark/diabetes/records_pre_merged.csv", 1845),
    ("bib-dedupe-benchmark/special_cases/records_pre_merged.csv", 12),
]


@pytest.mark.parametrize(("relative", "count"), BIB_DEDUPE)
def test_bib_dedupe_benchmark_csvs_need_no_mapping_and_keep_their_ids(relative, count):
    records, report = parse_file(relative)
    assert report.format == "csv"
    assert len(records) == count
    assert records[0]["source_key"] == "id_0000001"
    assert len({r["source_key"] for r in records}) == count
    assert records[0]["publication_type"] in {"article", "inproceedings"}


def test_bib_dedupe_fields_split_authors_on_and():
    records, _ = parse_file("bib-dedupe-benchmark/stroke/records_pre_merged.csv")
    first = records[0]
    assert first["authors"] == ["Zhai, Q. J.", "Yue, X. Y.", "Hong, Z.", "Xu, G. L.", "Liu, X. F."]
    assert first["year"] == 2010
    assert first["pages"] == "73-76"
    assert (first["volume"], first["issue"]) == ("7", "2")
    assert first["journal"] == "Chinese Journal of Cerebrovascular Diseases"
    assert first["line"] == 2


def test_bib_dedupe_diabetes_medline_style_pages_are_expanded():
    records, _ = parse_file("bib-dedupe-benchmark/diabetes/records_pre_merged.csv")
    assert records[0]["pages"] == "221-228"  # "221-8" in the file
    assert records[0]["abstract"].startswith("PURPOSE OF REVIEW")


@pytest.mark.parametrize(
    ("relative", "count"),
    [
        ("systematic-review-datasets/Nagtegaal_2019.csv", 2019),
        ("systematic-review-datasets/Kitchenham_2010.csv", 1704),
    ],
)
def test_screening_label_csvs_read_titles_and_abstracts(relative, count):
    records, _ = parse_file(relative)
    assert len(records) == count
    assert all(r["title"] for r in records)
    assert sum(1 for r in records if r["abstract"]) > count * 0.8
    assert records[0]["source_key"] == "1"


def test_scopus_csv_is_recognised_with_its_column_names():
    records, report = parse_file("litstudy/scopus.csv")
    assert report.format == "scopus-csv"
    assert len(records) == 58
    first = records[0]
    assert first["title"] == "Scalable molecular dynamics with NAMD"
    assert first["authors"][:2] == ["Phillips J.C.", "Braun R."]
    assert "Kalé L." in first["authors"]
    assert first["year"] == 2005
    assert first["journal"] == "Journal of Computational Chemistry"
    assert first["pages"] == "1781-1802"
    assert first["doi"] == "10.1002/jcc.20289"
    assert first["source_key"] == first["other_ids"]["eid"] == "2-s2.0-27344436659"
    assert first["publication_type"] == "Review"
    assert first["language"] == "English"
    assert "Molecular dynamics" in first["keywords"]


@pytest.mark.parametrize(
    ("relative", "count"),
    [
        ("litstudy/ieee.csv", 10),
        ("litstudy/springer.csv", 18),
        ("colrev/ieee_csv.csv", 2),
        ("asreview-demo-data/embase.csv", 6),
    ],
)
def test_other_database_csvs_read_without_mapping(relative, count):
    records, _ = parse_file(relative)
    assert len(records) == count
    assert all(r["title"] for r in records)


def test_ieee_csv_joins_start_and_end_page():
    records, _ = parse_file("litstudy/ieee.csv")
    assert records[0]["pages"] == "16-26"
    assert records[0]["authors"] == ["P. Kogge", "J. Shalf"]


def test_column_map_overrides_the_guess():
    data = b"Ref,Name,Summary,When\nr1,Heart study,About hearts,1999\n"
    with pytest.raises(
        ImportFormatError, match="No column of this file was recognised as the title"
    ):
        parse_bytes(data, fmt="csv")
    records, _ = parse_bytes(
        data,
        fmt="csv",
        column_map={"title": "Name", "abstract": "Summary", "year": "When", "source_key": "Ref"},
    )
    assert records[0]["title"] == "Heart study"
    assert records[0]["abstract"] == "About hearts"
    assert records[0]["year"] == 1999
    assert records[0]["source_key"] == "r1"


def test_a_mapping_to_a_missing_column_is_refused_with_the_column_names():
    with pytest.raises(ImportFormatError, match=r"'Nope' .* not in the file"):
        parse_bytes(b"title,year\nA,2000\n", fmt="csv", column_map={"title": "Nope"})


def test_tsv_and_semicolon_files_and_multiline_cells_keep_row_lines():
    data = 'title;authors;year\n"A ""quoted""\nmultiline";Smith, J; Doe, A;2001\nB;X;2002\n'
    records, _ = parse_bytes(data.encode("utf-8"), filename="x.csv")
    assert records[0]["title"] == 'A "quoted" multiline'
    assert records[0]["line"] == 2
    assert records[1]["line"] == 4
    tsv = b"Title\tAuthor\tDOI\nA paper\tSmith, J and Doe, A\thttps://doi.org/10.1000/XYZ\n"
    records, _ = parse_bytes(tsv)
    assert records[0]["authors"] == ["Smith, J", "Doe, A"]
    assert records[0]["doi"] == "10.1000/xyz"


def test_csv_columns_lists_the_header_for_the_mapping_step():
    path = data_file("litstudy/scopus.csv")
    with path.open("rb") as stream:
        columns = csv_columns(stream, path.name)
    assert columns[:3] == ["Authors", "Author(s) ID", "Title"]
    assert guess_column_map(columns)["journal"] == "Source title"
    assert csv_columns(io.BytesIO(b"TY  - JOUR\nER  - \n")) == []


def _workbook(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_reads_with_the_same_header_recognition():
    data = _workbook(
        [
            ["ID", "Title", "Authors", "Year", "DOI", "Pages"],
            ["k1", "Tea and health", "Wang, L; Chen, M", 2020, "doi:10.1234/ABC", "1045-58"],
            [None, None, None, None, None, None],
            ["k2", "軟組織肉瘤", "中国临床肿瘤学会", 2016.0, None, None],
        ]
    )
    records, report = parse_bytes(data, filename="refs.xlsx")
    assert report.format == "xlsx"
    assert [r["source_key"] for r in records] == ["k1", "k2"]
    assert records[0]["authors"] == ["Wang, L", "Chen, M"]
    assert records[0]["doi"] == "10.1234/abc"
    assert records[0]["pages"] == "1045-1058"
    assert records[1]["year"] == 2016
    assert records[1]["title"] == "軟組織肉瘤"
    assert records[1]["line"] == 4
    assert csv_columns(io.BytesIO(data), "refs.xlsx")[:2] == ["ID", "Title"]


def test_a_broken_xlsx_is_refused_cleanly():
    data = _workbook([["Title"], ["A"]])
    with pytest.raises(ImportFormatError, match=r"not a readable Excel workbook \(\.xlsx\)"):
        parse_bytes(data[: len(data) // 2], fmt="xlsx")
