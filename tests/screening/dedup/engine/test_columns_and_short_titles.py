"""A journal's columns ('Standards', 'Career forum', 'Addendum to ...') and other short titles
say little by themselves: two records that share one are the same item only when more than
the title agrees, and a group never holds two records by entirely different people.
(Illustrative records, made up for these tests.)"""

from __future__ import annotations

from screening.dedup.engine import find_duplicates

from .helpers import merged, queued, record

COLUMN = {"title": "Standards", "journal": "SIGMOD Record"}
PAPER = {
    "title": "Efficient evaluation of path queries over semistructured data",
    "journal": "VLDB Journal",
}


def test_a_one_word_title_without_authors_is_not_enough_for_a_merge():
    unsigned = record(**COLUMN, year=2003)
    signed = record(**COLUMN, year=2002, authors=["Eisenberg, Andrew"])
    assert not merged(unsigned, signed)


def test_a_long_title_in_the_same_journal_still_merges_a_record_without_authors():
    unsigned = record(**PAPER, year=2001)
    signed = record(**PAPER, year=2001, authors=["Lopes, Ana", "Chen, Bo"])
    assert merged(unsigned, signed)


def test_records_by_different_people_are_never_one_group_through_a_third():
    # The unsigned record is like both signed ones; they share a title but not one author.
    unsigned = record(**PAPER, year=2001)
    first = record(**PAPER, year=2001, authors=["Lopes, Ana", "Chen, Bo"], volume="10",
                   pages="1-12")  # fmt: skip
    second = record(**PAPER, year=2002, authors=["Ivanova, Maria"], volume="11", pages="40-52")
    result = find_duplicates([unsigned, first, second])
    assert not any({first["id"], second["id"]} <= cluster for cluster in result.clusters)


def test_an_addendum_is_a_notice_not_the_article():
    # As a bibliography database lists them: no volume or pages, a year apart.
    authors = ["Ceri, Stefano", "Fraternali, Piero"]
    article = record(**PAPER, year=1994, authors=authors)
    addendum = record(**PAPER | {"title": "Addendum to " + PAPER["title"]}, year=1995,
                      authors=authors)  # fmt: skip
    assert not merged(article, addendum)
    assert not queued(article, addendum)


def test_names_written_with_character_references_are_the_same_people():
    letters = record(**PAPER, year=2000, authors=["Böhm, Christian", "Güting, Ralf"])
    references = record(**PAPER, year=2000, authors=["B&#246;hm, Christian", "G&#252;ting, Ralf"])
    result = find_duplicates([letters, references])
    assert {letters["id"], references["id"]} in result.clusters


def test_an_ordinal_in_words_or_in_figures_is_one_number():
    fields = {"journal": "SIGMOD Record", "year": 1999, "authors": ["Etzion, Opher"]}
    words = record(
        title="The fourth international workshop on active databases (RIDE 98)", **fields
    )
    figures = record(title="The 4th international workshop on active databases (RIDE 98)", **fields)
    assert merged(words, figures)
