"""Volumes, issues and pages written the many ways databases write them (issue 16): a supplement
is one supplement however it is spelt, and a page range a spreadsheet turned into a date is
still a page range."""

from __future__ import annotations

import pytest

from screening.dedup.venue import (
    first_page_of,
    issue_agreement,
    normalise_issue,
    normalise_pages,
    split_volume,
)

from .helpers import merged, record

ABSTRACT = {
    "title": "Renal denervation lowers ambulatory blood pressure in resistant hypertension",
    "authors": ["Mbeki, S.", "Rautio, J.", "Castellanos, P."],
    "year": 2015,
    "journal": "Journal of Hypertension Research",
}


@pytest.mark.parametrize(
    ("volume", "issue"),
    [
        ("85 Suppl 6", ""),
        ("85(SUPPL. 6)", ""),
        ("85 (Supplement 6)", ""),
        ("85", "Suppl 6"),
        ("85", "SUPPL. 6"),
        ("85", "Supplement 6"),
        ("85", "suppl_6"),
        ("85", "S6"),
    ],
)
def test_every_spelling_of_a_supplement_volume_is_one_place(volume, issue):
    vol, from_volume = split_volume(volume)
    assert vol == "85"
    assert normalise_issue(issue or from_volume) == ("", "6")


def test_a_supplement_to_an_issue_does_not_conflict_with_a_numbered_supplement():
    assert normalise_issue("6 Suppl") == ("6", "*")
    assert issue_agreement(normalise_issue("6 Suppl"), normalise_issue("Suppl 6")) is None


def test_issues_agree_differ_or_are_unknown():
    assert issue_agreement(("4", ""), ("4", "")) is True
    assert issue_agreement(("4", ""), ("5", "")) is False
    assert issue_agreement(("", "6"), ("", "7")) is False
    assert issue_agreement(("10", "1"), ("10", "")) is True
    assert issue_agreement(("", ""), ("4", "")) is None


def test_volume_with_issue_and_supplement_in_brackets():
    vol, rest = split_volume("33 (10 Supplement 1)")
    assert vol == "33"
    assert normalise_issue(rest) == ("10", "1")
    assert split_volume("10 (11) (no pagination)") == ("10", "11")


def test_what_is_not_a_volume_is_unknown():
    for junk in ("(Jul)", "Ph.D.", "1)", "190-191", ""):
        assert split_volume(junk)[0] == ""


def test_plain_and_meeting_issue_numbers():
    assert normalise_issue("4") == ("4", "")
    assert normalise_issue("No. 04") == ("4", "")
    assert normalise_issue("3 MeetingAbstracts") == ("3", "")
    assert normalise_issue("e0143396") == ("", "")
    assert normalise_issue("") == ("", "")


def test_supplement_abstract_written_two_ways_is_merged():
    a = record(**ABSTRACT | {"volume": "85 Suppl 6", "pages": "S112-S113"})
    b = record(**ABSTRACT | {"volume": "85(SUPPL. 6)", "pages": "112-113"})
    assert merged(a, b)


def test_supplement_in_the_volume_and_in_the_issue_column_is_merged():
    a = record(**ABSTRACT | {"volume": "85 Suppl 6", "pages": "S112"})
    b = record(**ABSTRACT | {"volume": "85", "issue": "Supplement 6", "pages": "S112"})
    assert merged(a, b)


def test_editorials_of_two_supplements_of_one_volume_are_different_items():
    a = record(**ABSTRACT | {"volume": "85 Suppl 6", "pages": "S1", "title": "Editorial"})
    b = record(**ABSTRACT | {"volume": "85 Suppl 7", "pages": "S1", "title": "Editorial"})
    assert not merged(a, b)


@pytest.mark.parametrize(
    ("mangled", "pages"),
    [("01-Jul", "1-7"), ("Jan-13", "1-13"), ("21-Aug", "21-28"), ("10-Jun", "10-16")],
)
def test_page_ranges_turned_into_dates_by_a_spreadsheet_are_read_back(mangled, pages):
    assert normalise_pages(mangled) == normalise_pages(pages)


def test_front_matter_pages_in_roman_numerals_keep_their_first_page():
    assert first_page_of(normalise_pages("iii-ix")) == first_page_of("3-9") == "3"
    assert first_page_of(normalise_pages("III-IX")) == "3"
    assert first_page_of(normalise_pages("xiv")) == "14"
    assert first_page_of(normalise_pages("civ")) == "104"


def test_abstract_number_after_the_page_is_dropped():
    assert normalise_pages("A116.E1088") == normalise_pages("A116")


def test_record_with_spreadsheet_pages_is_merged_with_its_twin():
    a = record(**ABSTRACT | {"volume": "12", "issue": "3", "pages": "01-Jul"})
    b = record(**ABSTRACT | {"volume": "12", "issue": "3", "pages": "1-7"})
    assert merged(a, b)


def test_an_article_printed_in_several_parts_has_one_page_set_in_any_order():
    assert normalise_pages("233-238+230-235+246-251") == normalise_pages("230-5, 246-51, 233-8")
    assert first_page_of(normalise_pages("233-238+230-235")) == "230"
