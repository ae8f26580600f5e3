"""A title translated or transliterated by one database: journal, volume, issue and page range
(with the authors) identify the article when the titles share few words (issue 16)."""

from __future__ import annotations

from .helpers import merged, record

PLACE = {
    "authors": ["Vogelsang, H.", "Albrecht, K.-D."],
    "year": 2012,
    "journal": "Zeitschrift fur Klinische Rehabilitation",
    "volume": "58",
    "issue": "3",
    "pages": "211-219",
}
GERMAN = "Frühmobilisation nach Schlaganfall: eine randomisierte Studie"
ENGLISH = "Early mobilisation after stroke: a randomised study"


def test_german_title_and_its_english_translation_are_merged():
    german = record(**PLACE | {"title": GERMAN})
    english = record(**PLACE | {"title": f"{ENGLISH} [German]", "journal": "Z Klin Rehabil"})
    assert merged(german, english)


def test_english_title_in_title_alt_matches_the_english_record():
    german = record(**PLACE | {"title": GERMAN, "title_alt": ENGLISH})
    english = record(**PLACE | {"title": ENGLISH, "journal": "Z Klin Rehabil", "pages": "211-9"})
    assert merged(german, english)


def test_transliterated_russian_title_and_the_english_one_are_merged():
    place = {
        "authors": ["Smirnova, O. V.", "Kuznetsov, P. A."],
        "year": 2009,
        "journal": "Terapevticheskii Arkhiv",
        "volume": "81",
        "issue": "4",
        "pages": "45-50",
    }
    russian = record(**place | {"title": "Vliyanie rannei reabilitatsii na iskhody insul'ta"})
    # MEDLINE puts a translated title in brackets
    english = record(
        **place
        | {"title": "[Effect of early rehabilitation on stroke outcomes].", "journal": "Ter Arkh"}
    )
    assert merged(russian, english)


def test_a_translated_record_without_its_issue_is_merged():
    german = record(**PLACE | {"title": GERMAN, "issue": ""})
    english = record(**PLACE | {"title": f"[{ENGLISH}]", "journal": "Z Klin Rehabil"})
    assert merged(german, english)


def test_a_translation_note_in_the_language_field_is_enough():
    german = record(**PLACE | {"title": GERMAN, "language": "ger"})
    english = record(**PLACE | {"title": ENGLISH, "journal": "Z Klin Rehabil"})
    assert merged(german, english)


def test_different_articles_on_different_pages_of_one_issue_stay_apart():
    a = record(**PLACE | {"title": GERMAN})
    b = record(**PLACE | {"title": ENGLISH, "pages": "220-227"})
    assert not merged(a, b)


def test_same_page_range_in_another_issue_is_not_the_same_article():
    # journals that start every issue at page 1
    a = record(**PLACE | {"title": GERMAN, "pages": "1-9"})
    b = record(**PLACE | {"title": ENGLISH, "issue": "4", "pages": "1-9"})
    assert not merged(a, b)


def test_same_place_by_other_authors_is_not_merged():
    a = record(**PLACE | {"title": GERMAN})
    b = record(**PLACE | {"title": ENGLISH, "authors": ["Brenner, M.", "Ostrowski, J."]})
    assert not merged(a, b)


def test_one_page_items_at_the_same_place_are_not_merged_on_place_alone():
    # a page holds several abstracts or letters
    a = record(**PLACE | {"title": GERMAN, "pages": "211"})
    b = record(**PLACE | {"title": ENGLISH, "pages": "211"})
    assert not merged(a, b)
