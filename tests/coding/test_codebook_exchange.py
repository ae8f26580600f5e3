"""Codebook import and export: REFI-QDA (.qdc) and CSV round trips into a fresh review."""

from __future__ import annotations

import csv
import io

import pytest
from defusedxml import ElementTree
from django.core.files.uploadedfile import SimpleUploadedFile

from coding import services
from coding.refi_qda import NS, parse_qdc
from reviewapp.models import Membership
from tests.factories import ReviewFactory

from .factories import ecological_codebook

FIELDS = (
    "name",
    "definition",
    "inclusion",
    "exclusion",
    "example",
    "level",
    "polarity",
    "depth",
    "path",
)


def shape(tree):
    return [tuple(getattr(n, f) for f in FIELDS) for n in tree]


@pytest.fixture
def source(team):
    codes = ecological_codebook(team.review, team.lead)
    services.update_code(
        codes["Protected time"],
        team.lead,
        inclusion="Time written into the job plan",
        exclusion="Informal evenings",
        example='"a free afternoon"',
        color="#1f77b4",
    )
    services.update_code(codes["Funding"], team.lead, definition="=SUM(A1) is not a formula here")
    services.publish(team.review.codebook, team.lead, "v1")
    return team.review.codebook


@pytest.fixture
def fresh(team):
    review = ReviewFactory()
    Membership.objects.create(review=review, user=team.lead, is_lead=True)
    return review


def test_refi_qda_export_is_a_codebook_with_nested_codes(team, source):
    response = team.client(team.reviewer1).get(
        f"/r/{team.review.slug}/codebook/export/?format=qdc&version=1"
    )
    assert response["Content-Disposition"].endswith('-codebook-v1.qdc"')
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{{{NS}}}CodeBook" and root.get("origin")
    top = root.find(f"{{{NS}}}Codes").findall(f"{{{NS}}}Code")
    assert [c.get("name") for c in top] == ["Individual", "Environmental"]
    time = root.find(f".//{{{NS}}}Code[@name='Protected time']")
    assert time.get("isCodable") == "true" and time.get("color") == "#1f77b4"
    assert time.find(f"{{{NS}}}Description").text.startswith("Time freed from clinic.")
    assert root.find(f"{{{NS}}}Sets") is not None


def test_refi_qda_round_trip_into_a_fresh_review_gives_the_same_tree(team, source, fresh):
    exported = (
        team.client(team.lead).get(f"/r/{team.review.slug}/codebook/export/?format=qdc").content
    )
    response = team.client(team.lead).post(
        f"/r/{fresh.slug}/codebook/import/",
        {"file": SimpleUploadedFile("framework.qdc", exported, content_type="application/xml")},
    )
    assert response.status_code == 302
    imported = services.draft_tree(services.get_codebook(fresh))
    original = services.version_tree(source, 1)
    assert shape(imported) == shape(original)
    assert [n.key for n in imported] == [n.key for n in original]  # guids kept
    time = next(n for n in original if n.name == "Protected time")
    assert imported.by_key[time.key].color == "#1f77b4"


def test_csv_round_trip_into_a_fresh_review_gives_the_same_tree(team, source, fresh):
    exported = (
        team.client(team.lead).get(f"/r/{team.review.slug}/codebook/export/?format=csv").content
    )
    rows = list(csv.DictReader(io.StringIO(exported.decode())))
    funding = next(r for r in rows if r["name"] == "Funding")
    assert funding["definition"].startswith("'=SUM")  # formula neutralised for spreadsheets
    services.import_file(services.get_codebook(fresh), team.lead, "codebook.csv", exported)
    assert shape(services.draft_tree(fresh.codebook)) == shape(services.version_tree(source, 1))


def test_importing_into_the_same_codebook_gives_the_copies_new_keys(team, source):
    data = services.codebook_qdc(services.version_tree(source), origin="test")
    services.import_file(source, team.lead, "again.qdc", data)
    keys = [str(k) for k in source.codes.values_list("key", flat=True)]
    assert len(keys) == len(set(keys)) == 22


def test_a_codebook_from_another_tool_is_read(team):
    qdc = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="{NS}" origin="Taguette">
  <Codes>
    <Code guid="2b1a3c7e-5a0e-4d7e-9a47-5f9f3b1c2d11" name="Mentorship" isCodable="true" color="#ff0000">
      <Description>Guidance by an experienced researcher.</Description>
      <Code guid="8f4b0c52-0a4a-4f7f-8c3e-b1e6f0a9d1e2" name="Lack of mentors" isCodable="true"/>
    </Code>
  </Codes>
</CodeBook>""".encode()
    rows = parse_qdc(qdc)
    assert [(r["name"], r["parent_key"] is None, r["definition"]) for r in rows] == [
        ("Mentorship", True, "Guidance by an experienced researcher."),
        ("Lack of mentors", False, ""),
    ]


def test_a_broken_or_hostile_file_is_refused_with_a_message(team):
    book = services.get_codebook(team.review)
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CodeBook><Codes/></CodeBook>'
    with pytest.raises(services.CodingError):
        services.import_file(book, team.lead, "x.qdc", bomb)
    with pytest.raises(services.CodingError, match="Line 3"):
        services.import_file(
            book, team.lead, "x.csv", b"name,polarity\nA,facilitator\nB,sideways\n"
        )
    assert not book.codes.exists()
