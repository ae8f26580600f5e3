"""The search box's query language, read without a database."""

from __future__ import annotations

from screening.identification.search import cjk_bigrams, parse


def test_words_phrases_exclusions_and_fields():
    q = parse(
        'protected time "medical education" -students author:smith journal:"med educ" year:2015..2020'
    )
    assert q.words == ["protected", "time"]
    assert q.phrases == ["medical education"]
    assert q.excluded == ["students"]
    assert q.authors == ["smith"] and q.journals == ["med educ"]
    assert (q.year_from, q.year_to) == (2015, 2020)


def test_a_single_year_and_open_ranges():
    assert (parse("year:2019").year_from, parse("year:2019").year_to) == (2019, 2019)
    assert (parse("year:2015..").year_from, parse("year:2015..").year_to) == (2015, None)
    assert (parse("year:..2010").year_from, parse("year:..2010").year_to) == (None, 2010)


def test_identifiers_alone_find_one_record():
    assert parse("10.1000/xyz.1").identifier == "10.1000/xyz.1"
    assert parse("31415926").identifier == "31415926"


def test_an_unclosed_quote_is_read_as_closed():
    q = parse('"medical education')
    assert q.phrases == ["medical education"]


def test_empty_and_hyphen_alone():
    assert parse("").empty
    assert parse("-").words == ["-"]


def test_cjk_text_becomes_overlapping_bigrams():
    assert cjk_bigrams("醫學教育 research") == "醫學 學教 教育"
    assert cjk_bigrams("研") == "研"
