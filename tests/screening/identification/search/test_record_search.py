"""The records page's search finds what the query says, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from screening.identification import search
from screening.identification.search import index_pending, parse
from tests.factories import RecordFactory


@pytest.fixture
def library(team):
    def add(title, **kw):
        return RecordFactory(review=team.review, search__review=team.review, title=title, **kw)

    records = {
        "time": add(
            "Protected time and research engagement",
            abstract="Clinicians given time.",
            authors=["Smith, Jane"],
            journal="Medical Education",
            year=2016,
        ),
        "mentors": add(
            "Mentors for nurse researchers",
            abstract="Medical education of nurses.",
            authors=["Ortiz, Ana"],
            journal="Nurse Education Today",
            year=2021,
        ),
        "students": add(
            "Research among medical students",
            abstract="Students only.",
            authors=["Smith, Jane"],
            journal="Medical Teacher",
            year=2012,
        ),
        "zh": add(
            "臨床醫師參與醫學教育研究的因素",
            abstract="",
            authors=["王小明"],
            journal="醫學教育",
            year=2020,
        ),
        "zh2": add("教育研究", abstract="醫學 與 教育", authors=["李"], journal="期刊", year=2019),
    }
    index_pending(team.review.pk)
    return records


def found(team, text):
    return set(search.apply(team.review.records.all(), parse(text)).values_list("title", flat=True))


def titles(library, *keys):
    return {library[k].title for k in keys}


def test_all_words_must_match(team, library):
    assert found(team, "research time") == titles(library, "time")


def test_a_phrase_matches_as_a_phrase(team, library):
    assert found(team, '"medical education"') == titles(library, "time", "mentors")


def test_minus_excludes(team, library):
    assert found(team, "research -students") == titles(library, "time", "mentors")


def test_words_a_phrase_and_an_author_match_together_in_any_order(team, library):
    """On PostgreSQL they are one full-text match (the index intersects them); a record not
    indexed yet is found by its text all the same."""
    queries = ['nurse "medical education" author:ortiz', 'author:ortiz "medical education" nurse']
    for text in queries:
        assert found(team, text) == titles(library, "mentors")
    late = RecordFactory(
        review=team.review,
        search__review=team.review,
        title="Nurse mentors on wards",
        abstract="Medical education of nurses.",
        authors=["Ortiz, Luis"],
    )
    for text in queries:
        assert found(team, text) == titles(library, "mentors") | {late.title}
    assert found(team, "nurse author:smith") == set()


def test_author_journal_and_year_fields(team, library):
    assert found(team, "author:smith") == titles(library, "time", "students")
    assert found(team, "author:smith year:2015..2020") == titles(library, "time")
    assert found(team, 'journal:"nurse education"') == titles(library, "mentors")


def test_cjk_characters_find_exactly_the_records_containing_them(team, library):
    assert found(team, "醫學教育") == titles(library, "zh")  # zh2 has 醫學 and 教育 apart
    assert found(team, "教育研究") == titles(library, "zh", "zh2")


def test_a_doi_finds_its_record(team, library):
    record = library["time"]
    record.doi = "10.1000/protected.1"
    record.save()
    assert found(team, "10.1000/protected.1") == titles(library, "time")


@pytest.mark.parametrize("indexed", [True, False])
def test_a_doi_pmid_or_source_key_finds_its_record_indexed_for_search_or_not(
    team, library, indexed
):
    """Through the identifiers' index once the background indexing reached the record, and
    through the not-yet-indexed records before (PostgreSQL); by the columns on SQLite."""
    late = RecordFactory(
        review=team.review,
        search__review=team.review,
        title="A record with every identifier",
        doi="10.1000/every.2",
        pmid="31415926",
        source_key="27182818",
    )
    if indexed:
        index_pending(team.review.pk)
    for identifier in ("10.1000/every.2", "31415926", "27182818", str(late.pk)):
        assert found(team, identifier) == {late.title}, identifier
    assert found(team, "10.1000/every.3") == set()


@pytest.mark.postgres
def test_stemming_and_not_yet_indexed_records_on_postgresql(team, library):
    if connection.vendor != "postgresql":
        pytest.skip("stemming is PostgreSQL full-text search: run with DATABASE_URL=postgres://…")
    assert found(team, "engaging") == titles(library, "time")  # engagement ~ engaging
    late = RecordFactory(
        review=team.review, search__review=team.review, title="Engagement of late records"
    )
    assert late.title in found(team, "engagement")  # not indexed yet: a plain scan finds it
    assert index_pending(team.review.pk) == 1
    assert late.title in found(team, "engagement")


@pytest.mark.postgres
def test_near_titles_are_suggested_for_a_mistyped_word(team, library):
    if connection.vendor != "postgresql":
        pytest.skip("suggestions use pg_trgm: run with DATABASE_URL=postgres://…")
    query = parse("mentros")
    assert found(team, "mentros") == set()
    assert library["mentors"].title in search.suggest(team.review.records.all(), query)
