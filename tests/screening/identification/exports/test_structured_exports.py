"""export_records --format csl-json / endnote-xml: valid CSL items and well-formed EndNote XML,
whatever the records hold (control characters, markup, quotes)."""

from __future__ import annotations

import json

import pytest
from defusedxml.ElementTree import fromstring
from django.core.management import call_command

from screening.models import Record, Search

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(team):
    search = Search.objects.create(review=team.review, source="PubMed")
    Record.objects.create(
        review=team.review, search=search, title='Tea <b>&</b> "sleep"\x0b: an invented study',
        title_alt="饮茶与睡眠", authors=["Zhang, San", "The Invented Study Group"],
        authors_alt=["张三"], year=2019, journal="J Invent Res", volume="12", issue="3",
        pages="1045-1058", doi="10.1000/invented.1", pmid="11111111", keywords=["tea", "sleep"],
        language="eng", publication_type="Journal Article; Review", url="https://example.org/1",
        abstract="Line one.\nLine two.", other_ids={"issn": "1234-5678", "pmcid": "PMC1"},
    )  # fmt: skip
    Record.objects.create(review=team.review, search=search, title="Bare", publication_type="")
    return team


def _export(team, tmp_path, fmt: str) -> str:
    out = tmp_path / f"out.{fmt}"
    call_command("export_records", "--review", team.review.slug, "--format", fmt, "-o", str(out))
    return out.read_text(encoding="utf-8")


def test_csl_json_items_carry_the_csl_variables(records, tmp_path):
    first, bare = json.loads(_export(records, tmp_path, "csl-json"))
    assert first["type"] == "article-journal" and bare["type"] == "document"
    assert first["title"] == 'Tea <b>&</b> "sleep"\x0b: an invented study'
    assert first["original-title"] == "饮茶与睡眠"
    assert first["author"] == [
        {"family": "Zhang", "given": "San"}, {"literal": "The Invented Study Group"},
    ]  # fmt: skip
    assert first["issued"] == {"date-parts": [[2019]]}
    assert (first["container-title"], first["page"], first["DOI"], first["PMID"]) == (
        "J Invent Res", "1045-1058", "10.1000/invented.1", "11111111",
    )  # fmt: skip
    assert (first["ISSN"], first["PMCID"], first["keyword"]) == ("1234-5678", "PMC1", "tea; sleep")
    assert first["custom"] == {"authors_alt": ["张三"]}
    assert set(bare) == {"id", "type", "title"}


def test_endnote_xml_is_well_formed_and_holds_every_field(records, tmp_path):
    text = _export(records, tmp_path, "endnote-xml")
    root = fromstring(text.encode("utf-8"))
    first, bare = root.find("records")
    assert first.find("ref-type").get("name") == "Journal Article; Review"
    assert first.find("ref-type").text == "17"
    assert first.find("titles/title").text == 'Tea <b>&</b> "sleep": an invented study'
    assert first.find("titles/translated-title").text == "饮茶与睡眠"
    assert [a.text for a in first.findall("contributors/authors/author")] == [
        "Zhang, San", "The Invented Study Group",
    ]  # fmt: skip
    assert [a.text for a in first.findall("contributors/translated-authors/author")] == ["张三"]
    assert first.find("abstract").text == "Line one.\nLine two."
    assert first.find("electronic-resource-num").text == "10.1000/invented.1"
    assert first.find("accession-num").text == "11111111"
    assert first.find("remote-database-provider").text == "PubMed"
    assert bare.find("titles/title").text == "Bare" and bare.find("ref-type").text == "13"
