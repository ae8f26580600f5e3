"""One author written the ways databases write names (issue 16): initials or full given names,
surname first or last, with or without a comma, hyphenated and East Asian names; and two
people who only share a surname are not one author."""

from __future__ import annotations

import pytest

from screening.dedup.authors import author_similarity, parse_authors

from .helpers import merged, record


def same(a: str, b: str) -> bool:
    return author_similarity(parse_authors([a]), parse_authors([b])) == 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Liu G. S.", "Guang Shun Liu"),
        ("Liu, G. S.", "Liu, Guangshun"),
        ("LIU Guang-Shun", "Liu GS"),
        ("Liu Guangshun", "Guangshun Liu"),
        ("Kim, Min-Jun", "Min Jun Kim"),
        ("Kim MJ", "Kim, Min-Jun"),
        ("Nguyen Thi Hoa", "Hoa, Nguyen Thi"),
        ("van der Berg, A.", "A. van der Berg"),
        ("Smith, John A.", "Smith JA"),
        ("J. A. Smith", "Smith, J.A."),
        ("García-López, J.", "Garcia Lopez J"),
        ("Müller-Lüdenscheidt, K. H.", "Mueller-Luedenscheidt KH"),
        ("Smith, J. Alan", "Smith, Alan"),  # known by the middle name in one database
        ("Wu, Ching-yi", "Ching-yi, Wu"),  # comma on the wrong side
    ],
)
def test_one_author_in_two_forms_is_recognised(a, b):
    assert same(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Wang, J.", "Wang, X."),
        ("Li Xiaoming", "Li, Y."),
        ("Kim, Min-Jun", "Kim, S. H."),
        ("Smith, John", "Smith, Robert"),
    ],
)
def test_two_people_sharing_a_surname_are_not_one_author(a, b):
    assert not same(a, b)


def test_initials_against_full_names_do_not_hide_a_translated_duplicate():
    place = {"year": 2014, "journal": "Chinese Journal of Rehabilitation Medicine",
             "volume": "29", "issue": "6", "pages": "512-517"}  # fmt: skip
    a = record(
        **place
        | {
            "title": "Effect of task-oriented training on upper limb function after stroke",
            "authors": ["Liu G. S.", "Zhang X. M.", "Chen W."],
        }
    )
    b = record(
        **place
        | {
            "title": "Renwu daoxiang xunlian dui naocuzhong shangzhi gongneng de yingxiang",
            "authors": ["Guang Shun Liu", "Xiao Ming Zhang", "Wei Chen"],
            "journal": "Chin J Rehabil Med",
        }
    )
    assert merged(a, b)


def test_same_surnames_with_other_initials_do_not_make_a_duplicate():
    base = {"title": "Acupuncture for post-stroke dysphagia: a randomised trial", "year": 2016,
            "journal": "Journal of Integrative Stroke Care"}  # fmt: skip
    a = record(**base | {"authors": ["Wang, J.", "Li, X.", "Zhang, Y."], "volume": "4",
                         "pages": "101-108"})  # fmt: skip
    b = record(**base | {"authors": ["Wang, H.", "Li, Q.", "Zhang, T."], "volume": "5",
                         "pages": "33-41"})  # fmt: skip
    assert not merged(a, b)
