"""Every export of a hand-built review carries its numbers, and its arithmetic holds."""

from __future__ import annotations

import csv
import io
import json

import pytest
from defusedxml import ElementTree
from django.core.management import CommandError, call_command

from screening.prisma.counts import counts_for, render
from screening.prisma.flow import check_arithmetic

from .scenarios import new_review, updated_review, with_other_methods

pytestmark = pytest.mark.django_db

SCENARIOS = [new_review, updated_review, with_other_methods]
SVG = "{http://www.w3.org/2000/svg}"


def reasons_total(cell: str) -> int:
    """Sum of "Reason, n; Reason, n" as the PRISMA2020 app reads it."""
    return sum(int(part.rsplit(",", 1)[1]) for part in cell.split(";") if part.strip())


def assert_flow_adds_up(n: dict) -> None:
    """The four subtractions of the diagram, on values read back from an export."""
    identified = n["database_results"] + n["register_results"]
    removed = n["duplicates"] + n["excluded_automatic"] + n["excluded_other"]
    assert identified - removed == n["records_screened"]
    assert n["records_screened"] - n["records_excluded"] == n["dbr_sought_reports"]
    assert n["dbr_sought_reports"] - n["dbr_notretrieved_reports"] == n["dbr_assessed"]
    included = n["dbr_assessed"] - n["dbr_excluded"]
    if n.get("other_assessed") is not None:
        assert n["other_sought_reports"] - n["other_notretrieved_reports"] == n["other_assessed"]
        included += n["other_assessed"] - n["other_excluded"]
    assert included == n["new_reports"]
    assert (n["previous_reports"] or 0) + n["new_reports"] == n["total_reports"]
    assert (n["previous_studies"] or 0) + n["new_studies"] == n["total_studies"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_arithmetic_holds_in_the_counts(team, scenario):
    assert check_arithmetic(counts_for(scenario(team.review))) == []


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_arithmetic_holds_in_the_csv(team, scenario):
    text = render(counts_for(scenario(team.review)), "csv").decode()
    rows = {r["data"]: r["n"] for r in csv.DictReader(io.StringIO(text)) if r["data"] != "NA"}

    def number(name: str) -> int | None:
        value = rows[name]
        if name in ("dbr_excluded", "other_excluded"):
            return None if value == "NA" else reasons_total(value)
        return None if value == "NA" else int(value)

    assert_flow_adds_up(
        {name: number(name) for name in rows if not name.endswith(("_specific_results", "_ma"))}
    )


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_arithmetic_holds_in_the_json(team, scenario):
    data = json.loads(render(counts_for(scenario(team.review)), "json"))
    for key in ("dbr_excluded", "other_excluded"):
        data[key] = None if data[key] is None else sum(r["n"] for r in data[key])

    assert_flow_adds_up(data)
    assert data["database_results"] == sum(s["n"] for s in data["database_specific_results"])


def svg_text(svg: bytes) -> str:
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    # One <text> per wrapped line: joined with spaces, the lines read as the box does.
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


def test_the_svg_is_valid_xml_and_its_text_carries_the_numbers(team):
    text = svg_text(render(counts_for(new_review(team.review)), "svg"))

    for line in (
        "Web of Science (n = 10)",
        "MEDLINE (n = 8)",
        "Registers (n = 2)",
        "Duplicate records removed (n = 4)",
        "Records screened",
        "(n = 15)",
        "Records excluded",
        "(n = 9)",
        "Wrong population (n = 1)",
        "No empirical data (n = 1)",
        "Studies included in review",
        "(n = 2)",
    ):
        assert line in text, line


def test_the_updated_svg_shows_previous_studies_and_the_totals(team):
    text = svg_text(render(counts_for(updated_review(team.review)), "svg"))

    assert "Previous studies" in text
    assert "Total studies included in review" in text
    assert "Web of Science (n = 4)" in text


def test_manual_entries_are_marked_in_every_export(team):
    counts = counts_for(new_review(team.review))

    svg = svg_text(render(counts, "svg"))
    assert "Records removed for other reasons (n = 1) †" in svg
    assert "Duplicate records removed (n = 4) †" not in svg
    assert "† Entered by the review lead." in svg
    rows = {r["data"]: r for r in csv.DictReader(io.StringIO(render(counts, "csv").decode()))}
    assert "entered by the review lead" in rows["excluded_other"]["description"]
    assert "entered by the review lead" not in rows["duplicates"]["description"]
    assert json.loads(render(counts, "json"))["manual"] == ["excluded_other"]


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("svg", lambda body: body.lstrip().startswith(b"<?xml") or b"<svg" in body[:200]),
        ("png", lambda body: body.startswith(b"\x89PNG\r\n\x1a\n")),
        ("pdf", lambda body: body.startswith(b"%PDF")),
        ("csv", lambda body: body.startswith(b"data,node,box,description,boxtext")),
        (
            "json",
            lambda body: (
                {"database_results", "duplicates", "records_screened", "new_studies"}
                <= set(json.loads(body))
            ),
        ),
    ],
)
def test_the_command_writes_each_format(team, tmp_path, fmt, check):
    review = new_review(team.review)
    out = tmp_path / f"prisma.{fmt}"

    call_command(
        "prisma", "--review", review.slug, "--format", fmt, "-o", str(out), stderr=io.StringIO()
    )

    assert check(out.read_bytes())


def test_the_command_prints_text_formats_and_refuses_unknown_reviews(team):
    review = new_review(team.review)
    out = io.StringIO()
    call_command("prisma", "--review", review.slug, "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["records_screened"] == 15
    with pytest.raises(CommandError, match="No review"):
        call_command("prisma", "--review", "nope", "--format", "json")
    with pytest.raises(CommandError, match="binary"):
        call_command("prisma", "--review", review.slug, "--format", "png")
