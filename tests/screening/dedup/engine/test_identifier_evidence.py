"""DOIs and PubMed ids are evidence, not verdicts (issue 16): a different DOI speaks strongly
against a duplicate; the same DOI on records that disagree about where they were printed means
one database assigned it wrongly, so a person decides."""

from __future__ import annotations

from screening.dedup.engine import find_duplicates

from .helpers import merged, queued, record

TITLE = "Cryoballoon ablation for persistent atrial fibrillation in older adults"
AUTHORS = ["Ferreira, L. M.", "Haugland, K.", "Oyelaran, T.", "Brandt, S."]
WRONG_DOI = "10.9999/jcep.2017.0401"

ABSTRACT = {
    "title": TITLE,
    "authors": AUTHORS,
    "year": 2016,
    "journal": "Heart Rhythm Society Annual Scientific Sessions Abstracts",
    "volume": "13",
    "issue": "Suppl 5",
    "pages": "S214",
    "publication_type": "Conference Abstract",
}
ARTICLE = {
    "title": TITLE,
    "authors": AUTHORS,
    "year": 2017,
    "journal": "Journal of Cardiac Electrophysiology Practice",
    "volume": "28",
    "issue": "4",
    "pages": "401-409",
    "doi": WRONG_DOI,
}


def test_conference_abstract_and_article_sharing_a_wrong_doi_are_queued_not_merged():
    abstract = record(**ABSTRACT | {"doi": WRONG_DOI})
    article = record(**ARTICLE)
    assert not merged(abstract, article)
    assert queued(abstract, article)


def test_a_shared_wrong_doi_does_not_chain_abstract_and_article_through_copies():
    abstract = record(**ABSTRACT | {"doi": WRONG_DOI})
    abstract_copy = record(**ABSTRACT)  # the abstract in a database that gave it no DOI
    article = record(**ARTICLE)
    article_copy = record(**ARTICLE | {"doi": "", "journal": "J Card Electrophysiol Pract"})
    result = find_duplicates([abstract, abstract_copy, article, article_copy])
    assert {abstract["id"], abstract_copy["id"]} in result.clusters
    assert {article["id"], article_copy["id"]} in result.clusters


def test_same_doi_with_journal_year_volume_and_pages_all_disagreeing_is_queued():
    a = record(**ARTICLE)
    b = record(
        **ARTICLE
        | {"journal": "European Heart Review", "year": 2015, "volume": "9", "pages": "77-80"}
    )
    assert not merged(a, b)
    assert queued(a, b)


def test_two_articles_of_one_group_sharing_a_wrong_doi_are_not_merged():
    first = record(
        **ARTICLE | {"title": "Cryoballoon ablation for persistent atrial fibrillation: "
                     "one-year rhythm outcomes in older adults"}
    )  # fmt: skip
    second = record(
        **ARTICLE
        | {
            "title": "Cryoballoon ablation for persistent atrial fibrillation: predictors "
            "of recurrence in older adults",
            "year": 2018,
            "volume": "29",
            "issue": "2",
            "pages": "155-163",
        }
    )
    assert not merged(first, second)


def test_two_articles_of_one_issue_sharing_a_wrong_doi_are_not_merged():
    first = record(**ARTICLE | {"title": "Cryoballoon ablation in older adults: rhythm outcomes"})
    second = record(
        **ARTICLE
        | {"title": "Cryoballoon ablation in older adults: quality of life", "pages": "410-418"}
    )
    assert not merged(first, second)


def test_same_doi_online_first_and_print_record_are_merged():
    print_record = record(**ARTICLE)
    online = record(**ARTICLE | {"year": 2016, "volume": "", "issue": "", "pages": ""})
    assert merged(print_record, online)


def test_same_doi_with_an_article_number_and_print_pages_is_merged():
    print_record = record(**ARTICLE)
    online = record(**ARTICLE | {"year": 2016, "volume": "", "issue": "", "pages": "e12031"})
    assert merged(print_record, online)


def test_different_dois_keep_otherwise_identical_records_of_different_issues_apart():
    a = record(**ARTICLE)
    b = record(**ARTICLE | {"doi": "10.9999/jcep.2017.0612", "issue": "6", "pages": "401-409"})
    assert not merged(a, b)


def test_same_pubmed_id_with_journal_year_volume_and_pages_all_disagreeing_is_queued():
    a = record(**ARTICLE | {"doi": "", "pmid": "27000001"})
    b = record(**ABSTRACT | {"pmid": "27000001"})
    assert not merged(a, b)
    assert queued(a, b)


def test_same_pubmed_id_in_agreeing_records_is_merged():
    a = record(**ARTICLE | {"doi": "", "pmid": "27000001"})
    b = record(
        **ARTICLE | {"doi": "", "pmid": "27000001", "journal": "J Card Electrophysiol Pract"}
    )
    assert merged(a, b)
