"""The study characteristics table: one row per included study, CSV and XLSX exports."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from coding import services

from .factories import included_study


@pytest.fixture
def extracted(team):
    services.ensure_default_form(team.review)
    darby = included_study(team.review, "Darbyshire 2013", 13)
    chris = included_study(team.review, "Christiaanse 2008", 9)
    services.save_extraction(
        chris,
        team.reviewer1,
        {
            "reference": "1. Christiaanse [9]",
            "region": "USA",
            "methods": "Questionnaire survey",
            "sample_size": 855,
            "outcome": '=HYPERLINK("http://evil")',
        },
        completed=True,
    )
    services.save_extraction(
        darby,
        team.reviewer1,
        {
            "reference": "3. Darbyshire [13]",
            "region": "U.K.",
            "methods": "Focus group",
            "sample_size": 6,
        },
        completed=True,
    )
    return chris, darby


def test_table_has_one_row_per_included_study_in_reference_order(
    team, extracted, django_assert_max_num_queries
):
    client = team.client(team.reviewer1)
    client.get(f"/r/{team.review.slug}/extraction/")
    with django_assert_max_num_queries(20):
        page = client.get(f"/r/{team.review.slug}/extraction/").content.decode()
    assert page.index("Christiaanse 2008") < page.index("Darbyshire 2013")
    assert "Questionnaire survey" in page and "855" in page


def test_csv_export_neutralises_formulas(team, extracted):
    response = team.client(team.reviewer1).get(f"/r/{team.review.slug}/extraction/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["No.", "Study", "Reference", "Year", "Region"]
    assert rows[1][:3] == ["9", "Christiaanse 2008", "1. Christiaanse [9]"]
    assert rows[1][rows[0].index("Sample size")] == "855"
    assert rows[1][rows[0].index("Outcome")] == '\'=HYPERLINK("http://evil")'


def test_xlsx_export_has_the_same_rows_and_no_formulas(team, extracted):
    response = team.client(team.lead).get(f"/r/{team.review.slug}/extraction/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:3] == ("No.", "Study", "Reference")
    assert values[2][:3] == (13, "Darbyshire 2013", "3. Darbyshire [13]")
    outcome = sheet.cell(row=2, column=values[0].index("Outcome") + 1)
    assert outcome.data_type == "s" and outcome.value.startswith("'=")
