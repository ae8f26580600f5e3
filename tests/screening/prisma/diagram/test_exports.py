"""The counts as the PRISMA2020 Shiny app's CSV template and as JSON."""

from __future__ import annotations

import csv
import io
import json

from screening.prisma.flow import (
    CSV_COLUMNS,
    PrismaCounts,
    format_sources,
    to_json,
    to_prisma_csv,
)
from tests.conftest import shared_data

from .examples import new_review, updated_review, updated_review_with_other_methods


def csv_rows(counts: PrismaCounts) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(to_prisma_csv(counts))))


def n_by_data(counts: PrismaCounts) -> dict[str, str]:
    return {row["data"]: row["n"] for row in csv_rows(counts) if row["data"] != "NA"}


def test_csv_has_the_templates_columns_and_rows_in_order():
    template = shared_data("prisma2020", "PRISMA.csv")
    with template.open(newline="", encoding="utf-8") as f:
        expected = list(csv.DictReader(f))

    rows = csv_rows(updated_review_with_other_methods())

    header = to_prisma_csv(new_review()).splitlines()[0]
    assert header == ",".join(CSV_COLUMNS) == "data,node,box,description,boxtext,tooltips,url,n"
    assert [(r["data"], r["node"], r["box"]) for r in rows] == [
        (r["data"], r["node"], r["box"]) for r in expected
    ]
    for ours, theirs in zip(rows, expected, strict=True):
        for column in ("description", "boxtext", "tooltips", "url"):
            assert ours[column] == theirs[column], (ours["data"], column)


def test_csv_carries_our_numbers():
    n = n_by_data(updated_review_with_other_methods())

    assert n["database_results"] == "2498"
    assert n["register_results"] == "42"
    assert n["website_results"] == "9"
    assert n["organisation_results"] == "7"
    assert n["citations_results"] == "21"
    assert n["duplicates"] == "840"
    assert n["excluded_automatic"] == "5"
    assert n["excluded_other"] == "7"
    assert n["records_screened"] == "1688"
    assert n["records_excluded"] == "1550"
    assert n["dbr_sought_reports"] == "138"
    assert n["dbr_notretrieved_reports"] == "6"
    assert n["dbr_assessed"] == "132"
    assert n["other_sought_reports"] == "37"
    assert n["other_notretrieved_reports"] == "2"
    assert n["other_assessed"] == "35"
    assert n["new_studies"] == "32"
    assert n["new_reports"] == "37"
    assert n["previous_studies"] == "14"
    assert n["previous_reports"] == "17"
    assert n["total_studies"] == "46"
    assert n["total_reports"] == "54"


def test_csv_lists_reasons_and_sources_as_the_shiny_app_reads_them():
    n = n_by_data(updated_review_with_other_methods())

    assert n["dbr_excluded"] == "Wrong population, 41; Wrong study design, 37; Wrong outcome, 23"
    assert n["other_excluded"] == "Wrong population, 20; Wrong outcome, 9"
    assert n["database_specific_results"] == "MEDLINE, 812; Embase, 1033; PsycINFO, 653"
    assert n["register_specific_results"] == "ClinicalTrials.gov, 42"


def test_separators_inside_a_reason_cannot_break_the_reason_list():
    assert format_sources([("Wrong design; not an RCT, or cohort", 3), ("Other", 1)]) == (
        "Wrong design / not an RCT / or cohort, 3; Other, 1"
    )


def test_csv_marks_absent_parts_as_missing():
    n = n_by_data(new_review())

    for name in ("previous_studies", "previous_reports", "website_results", "other_assessed"):
        assert n[name] == "NA", name
    assert n["total_studies"] == "27"
    assert n["total_reports"] == "31"


def test_csv_marks_manual_entries_and_carries_edited_wording():
    counts = new_review(
        manual={"excluded_other"}, box_text={"records_screened": "Titles and abstracts screened"}
    )
    rows = {row["data"]: row for row in csv_rows(counts)}

    assert "entered by the review lead" in rows["excluded_other"]["description"]
    assert "entered by the review lead" not in rows["duplicates"]["description"]
    assert rows["records_screened"]["boxtext"] == "Titles and abstracts screened"


def test_csv_cells_cannot_run_as_spreadsheet_formulas():
    counts = new_review(dbr_excluded=[('=HYPERLINK("http://x")', 101)])
    rows = {row["data"]: row for row in csv_rows(counts)}

    assert rows["dbr_excluded"]["n"].startswith("'=")


def test_json_is_keyed_by_the_template_data_names():
    data = to_json(updated_review_with_other_methods())

    template_names = {
        "database_results", "register_results", "website_results", "organisation_results",
        "citations_results", "duplicates", "excluded_automatic", "excluded_other",
        "records_screened", "records_excluded", "dbr_sought_reports", "dbr_notretrieved_reports",
        "dbr_assessed", "dbr_excluded", "other_sought_reports", "other_notretrieved_reports",
        "other_assessed", "other_excluded", "new_studies", "new_reports", "total_studies",
        "total_reports", "previous_studies", "previous_reports",
    }  # fmt: skip
    assert template_names <= data.keys()
    assert data["database_specific_results"] == [
        {"source": "MEDLINE", "n": 812},
        {"source": "Embase", "n": 1033},
        {"source": "PsycINFO", "n": 653},
    ]
    assert data["dbr_excluded"][0] == {"reason": "Wrong population", "n": 41}
    assert data["database_results"] == 2498
    assert data["total_studies"] == 46
    json.dumps(data)  # serialisable as is


def test_json_of_a_new_review_has_no_previous_or_other_methods_numbers():
    data = to_json(new_review(manual={"excluded_other"}))

    assert data["previous_studies"] is None
    assert data["website_results"] is None
    assert data["other_excluded"] is None
    assert data["updated_review"] is False
    assert data["other_methods"] is False
    assert data["manual"] == ["excluded_other"]
    assert data["total_studies"] == 27


def test_updated_review_totals_default_to_previous_plus_new():
    counts = updated_review(total_studies=None, total_reports=None)

    assert to_json(counts)["total_studies"] == 14 + 27
    assert to_json(counts)["total_reports"] == 17 + 31
