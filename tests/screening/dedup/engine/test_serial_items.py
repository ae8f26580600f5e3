"""Recurring items of a journal (editor's comments, issue introductions, errata lists, book
review sections, programme entries): the same title and editor every issue, so title and author
agreement says little. They merge only when issue, pages or DOI agree too (issue 16)."""

from __future__ import annotations

import pytest

from screening.dedup.engine import find_duplicates
from screening.dedup.kinds import is_generic_title

from .helpers import merged, queued, record

EDITOR = {
    "authors": ["Okonkwo, Adaeze N."],
    "year": 2017,
    "journal": "Journal of Organisational Information Systems",
    "volume": "41",
}


def comments(issue: str, pages: str, doi: str = "", **more) -> dict:
    return record(**EDITOR | {"title": "Editor's Comments", "issue": issue, "pages": pages,
                              "doi": doi} | more)  # fmt: skip


@pytest.mark.parametrize(
    "title",
    [
        "Editor's Comments",
        "Editorial",
        "Editorial Introduction",
        "Remarks from the Editor",
        "From the Editor-in-Chief",
        "Letter from the editors",
        "In this issue",
        "Introduction to the special issue",
        "Errata",
        "Corrections",
        "Book reviews",
        "Books received",
        "Conference programme",
        "Program and abstracts",
        "Acknowledgement to reviewers 2017",
        "Table of contents",
        "Guest editorial",
        "Authors' reply",
        "In reply",
        "Introduction to the minitrack on crowd work and the platform economy",
        "Preface to the special issue on digital health",
    ],
)
def test_generic_titles_are_recognised(title):
    assert is_generic_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "Editorial decision-making under uncertainty: a field study of journal editors",
        "Book review: Platform ecosystems and the governance of digital markets",
        "Errors in medication reconciliation at hospital discharge",
        "Introduction of electronic health records in rural clinics: a stepped-wedge trial",
        "Comments from patients on a telehealth service",
    ],
)
def test_titles_with_their_own_subject_are_not_generic(title):
    assert not is_generic_title(title)


def test_editors_comments_of_different_issues_with_distinct_dois_stay_apart():
    items = [
        comments("1", "iii-viii", "10.9999/jois/2017/41.1.01"),
        comments("2", "iii-ix", "10.9999/jois/2017/41.2.01"),
        comments("3", "iii-vii", "10.9999/jois/2017/41.3.01"),
        comments("4", "iii-x", "10.9999/jois/2017/41.4.01"),
    ]
    result = find_duplicates(items)
    assert result.clusters == []
    assert result.uncertain == []


def test_editors_comments_of_different_issues_without_dois_stay_apart():
    a = comments("1", "iii-viii")
    b = comments("2", "iii-ix")
    assert not merged(a, b)
    assert not queued(a, b)


def test_one_issues_comments_from_two_databases_are_merged():
    with_doi = comments("2", "iii-ix", "10.9999/jois/2017/41.2.01")
    without = comments("2", "iii-ix", journal="J Organ Inf Syst")
    assert merged(with_doi, without)


def test_front_matter_pages_in_roman_and_arabic_numerals_are_one_place():
    roman = comments("2", "iii-ix")
    arabic = comments("2", "3-9", journal="J Organ Inf Syst")
    assert merged(roman, arabic)


def test_the_same_comments_with_the_same_doi_are_merged_even_without_pages():
    a = comments("2", "iii-ix", "10.9999/jois/2017/41.2.01")
    b = comments("", "", "https://doi.org/10.9999/JOIS/2017/41.2.01")
    assert merged(a, b)


def test_a_copy_without_issue_pages_or_doi_is_never_merged_into_one_issue():
    # which issue's comments is it? title, editor, journal and year cannot tell
    bare = comments("", "")
    issues = [comments(str(n), f"iii-{'viii' if n % 2 else 'ix'}") for n in (1, 2, 3, 4)]
    result = find_duplicates([bare, *issues])
    assert not any(bare["id"] in c for c in result.clusters)


def test_a_chain_through_a_bare_copy_never_joins_two_issues():
    a = comments("1", "iii-viii", "10.9999/jois/2017/41.1.01")
    bare = comments("", "")
    b = comments("2", "iii-ix", "10.9999/jois/2017/41.2.01")
    result = find_duplicates([a, bare, b])
    assert not any({a["id"], b["id"]} <= c for c in result.clusters)


def test_errata_lists_of_two_issues_stay_apart():
    a = record(**EDITOR | {"title": "Errata", "authors": [], "issue": "2", "pages": "512"})
    b = record(**EDITOR | {"title": "Errata", "authors": [], "issue": "3", "pages": "780"})
    assert not merged(a, b)


def test_book_review_sections_of_two_issues_stay_apart():
    a = record(**EDITOR | {"title": "Book Reviews", "issue": "1", "pages": "201-214"})
    b = record(**EDITOR | {"title": "Book reviews.", "issue": "3", "pages": "611-620"})
    assert not merged(a, b)


def test_programme_entries_of_two_meetings_stay_apart():
    meeting = {"title": "Conference programme", "journal": "Proceedings of the Nordic Society "
               "for Health Informatics", "authors": []}  # fmt: skip
    a = record(**meeting | {"year": 2018, "volume": "12"})
    b = record(**meeting | {"year": 2019, "volume": "13"})
    assert not merged(a, b)
    assert not queued(a, b)


def test_introductions_of_two_special_issues_of_one_year_stay_apart():
    intro = {"title": "Introduction to the special issue", "authors": ["Haddad, R.", "Lindqvist, E."],
             "year": 2020, "journal": "Scandinavian Journal of Digital Work"}  # fmt: skip
    a = record(**intro | {"volume": "32", "issue": "1", "doi": "10.9999/sjdw.2020.001"})
    b = record(**intro | {"volume": "32", "issue": "2", "doi": "10.9999/sjdw.2020.014"})
    assert not merged(a, b)


def test_two_replies_of_one_author_in_one_year_are_not_merged_without_a_place():
    a = record(**EDITOR | {"title": "Authors' reply", "issue": "2", "pages": "233"})
    b = record(**EDITOR | {"title": "Authors' reply", "pages": ""})
    assert not merged(a, b)


def test_minitrack_introductions_of_two_years_stay_apart():
    intro = {"title": "Introduction to the Minitrack on Crowd Work and the Platform Economy",
             "authors": ["Haddad, R.", "Lindqvist, E."],
             "journal": "Proceedings of the Pacific Conference on Information Systems"}  # fmt: skip
    a = record(**intro | {"year": 2021})
    b = record(**intro | {"year": 2022})
    assert not merged(a, b)
    assert not queued(a, b)
