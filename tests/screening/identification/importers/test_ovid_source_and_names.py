"""Journals@Ovid writes its source as 'Journal Month Year;Volume(Issue):Pages', with no full stop
after the journal: the journal, volume, issue, pages and the year are read from it. The notes
Ovid writes after an author's name (role and e-mail in brackets, affiliation marks) are not
part of the name."""

from __future__ import annotations

import pytest

from .conftest import parse_bytes


def _ovid(*lines: str) -> bytes:
    return ("<1. >\nVN  - Ovid Technologies\nDB  - Journals@Ovid\nTI  - Invented\n"
            + "".join(f"{line}\n" for line in lines)).encode()  # fmt: skip


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "Journal of Invented Health & Fitness January/February 2010;14(1):56",
            ("Journal of Invented Health & Fitness", "14", "1", "56", 2010),
        ),
        (
            "An Invented Journal: With a Subtitle June 2019;1(6):123-456",
            ("An Invented Journal: With a Subtitle", "1", "6", "123-456", 2019),
        ),
        (
            "Acta Inventa November/December 2010;6:611-613",
            ("Acta Inventa", "6", "", "611-613", 2010),
        ),
    ],
)
def test_a_journals_at_ovid_source_gives_journal_volume_issue_pages_and_year(source, expected):
    [record], report = parse_bytes(_ovid(f"SO  - {source}"))
    fields = ("journal", "volume", "issue", "pages", "year")
    assert tuple(record[k] for k in fields) == expected
    assert report.warnings == []


def test_the_year_field_comes_before_the_source_s_date():
    [record], _ = parse_bytes(_ovid("SO  - Acta Inventa June 2010;6:1-2", "YR  - 2011"))
    assert record["year"] == 2011


def test_a_source_with_a_page_count_is_no_volume():
    [record], _ = parse_bytes(_ovid("SO  - Invented Proceedings. 2005; 9pp.."))
    assert (record["journal"], record["volume"]) == ("Invented Proceedings", "")


def test_roles_e_mails_and_affiliation_marks_are_left_out_of_the_names():
    [record], _ = parse_bytes(
        _ovid(
            "AU  - Zhang, San [Author, Reprint Author; E-mail: zhang@example.org]",
            "AU  - Li, Si [Inventor]",
            "AU  - Wang, Wu 1,2,+",
            "AU  - Zhao, Liu 2",
            "AU  - Qian, Qi MD, PhD *",
            "AU  - Sun, Ba",
        )
    )
    assert record["authors"] == [
        "Zhang, San", "Li, Si", "Wang, Wu", "Zhao, Liu", "Qian, Qi", "Sun, Ba",
    ]  # fmt: skip


def test_degrees_are_left_out_of_the_names_but_names_that_look_like_them_stay():
    [record], _ = parse_bytes(
        _ovid(
            "AU  - Gazic, Barbara MD, PhD",
            "AU  - Nguyen, Van Anh RN, MSN, FAAN",
            "AU  - Moore, Ann B.S.N., M.P.H.",
            "AU  - Rahman, Md",
            "AU  - Ma, Li",
            "AU  - Do, Ba MA",
            "AU  - Smith, John Jr",
            "AU  - Brown, Ed D.O. 2,*",
        )
    )
    assert record["authors"] == [
        "Gazic, Barbara", "Nguyen, Van Anh", "Moore, Ann", "Rahman, Md", "Ma, Li", "Do, Ba",
        "Smith, John Jr", "Brown, Ed",
    ]  # fmt: skip
