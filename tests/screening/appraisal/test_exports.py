"""The appraisal table and figure: one row per included study, even before any judgement."""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree

from django.core.management import call_command
from openpyxl import load_workbook

from screening.appraisal import figure

from .helpers import appraise, studies


def _csv(tmp_path, team) -> list[list[str]]:
    out = tmp_path / "appraisal.csv"
    call_command(
        "export_appraisal", "--review", team.review.slug, "--format", "csv", "-o", str(out)
    )
    return list(csv.reader(io.StringIO(out.read_text())))


def test_every_included_study_has_a_row_before_anyone_appraises(team, tmp_path):
    studies(team, 3)
    rows = _csv(tmp_path, team)
    assert rows[0][:3] == ["No.", "Study", "Tool"]
    assert [r[1] for r in rows[1:]] == ["Study 1 2020", "Study 2 2020", "Study 3 2020"]
    assert all(r[5] == "not started" for r in rows[1:])


def test_the_agreed_answers_and_comments_fill_the_table(team, tmp_path):
    first, second = studies(team, 2)
    appraise(first, team.reviewer1, q4="no")
    appraise(first, team.reviewer2, q4="no")
    rows = _csv(tmp_path, team)
    header, row = rows[0], rows[1]
    assert row[header.index("Item 4")] == "No"
    assert "because no" in row[header.index("Item 4 comment")]
    assert row[header.index("Status")] == "Agreement"
    assert row[header.index("Score")] == "90%"
    assert rows[2][header.index("Status")] == "not started"


def test_xlsx_export_has_the_same_rows(team, tmp_path):
    studies(team, 2)
    out = tmp_path / "a.xlsx"
    call_command(
        "export_appraisal", "--review", team.review.slug, "--format", "xlsx", "-o", str(out)
    )
    sheet = load_workbook(out).active
    assert sheet.max_row == 3


def test_the_figure_draws_a_traffic_light_per_study_and_item(team, tmp_path):
    first, _second = studies(team, 2)
    appraise(first, team.reviewer1, q2="no")
    appraise(first, team.reviewer2, q2="no")
    out = tmp_path / "a.svg"
    call_command(
        "export_appraisal", "--review", team.review.slug, "--format", "svg", "-o", str(out)
    )
    root = ElementTree.fromstring(out.read_text())
    circles = list(root.iter("{http://www.w3.org/2000/svg}circle"))
    red = [c for c in circles if c.get("fill") == figure.COLOURS["bad"]]
    assert len(red) == 3  # item 2 of the first study, and the two plots' legend swatches
    judged = [c for c in circles if c.findtext("{http://www.w3.org/2000/svg}title")]
    assert len(judged) == 2 * 10  # a circle per study and item
    assert sum(1 for c in judged if c.get("fill") == figure.COLOURS["none"]) == 10
    png = tmp_path / "a.png"
    call_command(
        "export_appraisal", "--review", team.review.slug, "--format", "png", "-o", str(png)
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_summary_gives_each_level_its_share_of_studies():
    rows = [
        figure.FigureRow("A", {"1": "good"}),
        figure.FigureRow("B", {"1": "bad"}),
        figure.FigureRow("C", {"1": "good"}),
        figure.FigureRow("D", {}),
    ]
    shares = figure.summary(rows, ["1"])["1"]
    assert shares["good"] == 0.5 and shares["bad"] == 0.25 and shares["none"] == 0.25


def test_labels_are_escaped_in_the_figure():
    svg = figure.traffic_light_svg([figure.FigureRow('<img src=x onerror="1">', {})], ["1"])
    assert "<img" not in svg


def test_the_page_downloads_each_format(team):
    from django.urls import reverse

    studies(team, 1)
    url = reverse("appraisal_export", args=[team.review.slug])
    client = team.client(team.reviewer1)
    assert client.get(url + "?format=csv")["Content-Type"].startswith("text/csv")
    assert client.get(url + "?format=png").content[:4] == b"\x89PNG"
    assert client.get(url + "?format=pdf").status_code == 404
