"""CJK correctness beyond highlighting: Chinese author names kept whole, search and sorting on
Chinese titles and names, dates and numbers in the zh-Hant locale's format."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from screening.dedup.authors import author_similarity, parse_authors, same_author
from screening.identification.importers.normalise import split_names
from synthesis.services import _sorted
from tests.factories import RecordFactory, SearchFactory


@pytest.mark.parametrize(
    "cell, names",
    [
        ("陳小明、林美華", ["陳小明", "林美華"]),  # the enumeration comma of Chinese lists
        ("陳小明，林美華", ["陳小明", "林美華"]),  # a full-width comma
        ("陳小明, 林美華", ["陳小明", "林美華"]),
        ("陳小明；歐陽娜娜", ["陳小明", "歐陽娜娜"]),  # a two-character surname stays whole
        ("陳, 小明", ["陳, 小明"]),  # surname, given name: one person
        ("Smith, John", ["Smith, John"]),  # unchanged for Latin names
    ],
)
def test_chinese_author_lists_split_into_whole_names(cell, names):
    assert split_names(cell) == names


def test_chinese_authors_are_compared_as_whole_names_in_de_duplication():
    a = parse_authors(["陳小明", "林美華"])
    assert [x.surname for x in a] == ["陳小明", "林美華"]  # not dropped, not cut to a surname
    assert not same_author(a[0], parse_authors(["陳小華"])[0])  # same surname, another person
    assert same_author(a[0], parse_authors(["陳小明(Chen, Hsiao-Ming)"])[0])
    assert author_similarity(a, parse_authors(["陳小明", "林美華"])) == 1.0


def test_a_chinese_title_is_found_by_its_exact_characters_on_the_record_list(team):
    search = SearchFactory(review=team.review)
    wanted = RecordFactory(search=search, title="臨床醫師參與醫學教育研究的促進與阻礙因素")
    RecordFactory(search=search, title="醫學生的教育研究")  # 醫學 and 教育 apart: no match
    page = team.client(team.lead).get(
        reverse("record_list", args=[team.review.slug]), {"q": "醫學教育"}
    )
    html = page.content.decode()
    assert wanted.title in html and "醫學生的教育研究" not in html


def test_chinese_names_sort_in_radical_and_stroke_order():
    """Code points of the CJK Unified Ideographs follow the Kangxi radical and stroke count, the
    dictionary order of Traditional Chinese: sorting by name needs no collation library."""
    names = ["護理人員", "人際支持", "個人動機", "組織文化"]
    rows = [SimpleNamespace(node=SimpleNamespace(name=n)) for n in names]
    ordered = [r.node.name for r in _sorted(rows, "name")]
    assert ordered == ["人際支持", "個人動機", "組織文化", "護理人員"]  # 人, 人+8, 糸, 言


def test_dates_and_numbers_follow_the_zh_hant_locale():
    template = Template("{% load humanize %}{{ n|intcomma }} · {{ x|floatformat:1 }} · {{ d|date:'DATE_FORMAT' }}")  # fmt: skip
    context = Context({"n": 1234567, "x": 0.25, "d": datetime.date(2025, 3, 7)})
    with translation.override("zh-hant"):
        assert template.render(context) == "1,234,567 · 0.3 · 2025年3月7日"
    with translation.override("en"):
        assert template.render(context) == "1,234,567 · 0.3 · March 7, 2025"


def test_the_dashboard_dates_a_membership_in_the_chinese_way(team):
    page = team.client(team.reviewer1).get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="zh-TW")
    html = page.content.decode()
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", html)
    assert "審查者" in html  # the role, in words, not its code
