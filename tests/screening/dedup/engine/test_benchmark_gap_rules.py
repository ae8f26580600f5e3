"""Rules added to close the benchmark gaps of issue 4, each with a match it makes and a look-alike
it must keep apart (small made-up records, no database)."""

from __future__ import annotations

from screening.dedup.engine import find_duplicates, notice_pairs

from .helpers import merged, queued, record

ARTICLE = {
    "title": "Anti-factor H autoantibodies in a renal transplant recipient with atypical uraemic syndrome",
    "authors": ["Quintrec, M.", "Zuber, J.", "Noel, L. H.", "Thervet, E."],
    "year": 2009,
    "journal": "American Journal of Transplantation",
    "volume": "9",
    "issue": "5",
    "pages": "1223-1229",
}


# --- an erratum that only the article's database note identifies ------------------------------


def test_record_at_the_location_of_a_cited_erratum_is_never_merged_with_the_article():
    note = " [Erratum appears in Am J Transplant. 2009 Sep;9(9):2205]"
    article = record(**ARTICLE | {"title": ARTICLE["title"] + note})
    # the erratum, exported under the article's own title, without "Erratum:"
    erratum = record(**ARTICLE | {"issue": "9", "pages": "2205"})
    assert not merged(article, erratum)
    assert not queued(article, erratum)
    assert notice_pairs([article, erratum], [(article["id"], erratum["id"])]) == {
        frozenset((article["id"], erratum["id"])): "erratum"
    }


def test_without_the_note_the_same_pair_is_left_for_a_person():
    # the control for the test above: it is the note that keeps the pair out of the queue
    article = record(**ARTICLE)
    erratum = record(**ARTICLE | {"issue": "9", "pages": "2205"})
    assert not merged(article, erratum)
    assert queued(article, erratum)
    assert notice_pairs([article, erratum], [(article["id"], erratum["id"])]) == {}


def test_the_article_carrying_the_note_still_merges_with_its_twin():
    note = " Erratum in: Am J Transplant. 2009 Sep;9(9):2205."
    article = record(**ARTICLE | {"title": ARTICLE["title"] + note})
    twin = record(**ARTICLE | {"journal": "Am J Transplant", "pages": "1223-9"})
    erratum = record(**ARTICLE | {"issue": "9", "pages": "2205"})
    result = find_duplicates([article, twin, erratum])
    assert {article["id"], twin["id"]} in result.clusters
    assert not any(erratum["id"] in c for c in result.clusters)


def test_an_unrelated_article_on_the_cited_page_is_not_made_an_erratum():
    note = " [Erratum appears in Am J Transplant. 2009 Sep;9(9):2205]"
    article = record(**ARTICLE | {"title": ARTICLE["title"] + note})
    other = {
        **ARTICLE,
        "title": "Belatacept conversion in kidney transplant recipients: a cohort study",
        "authors": ["Brakemeier, S.", "Kannenkeril, D."],
        "issue": "9",
        "pages": "2205-2210",
    }
    a, b = record(**other), record(**other | {"journal": "Am J Transplant"})
    # the other article and its own twin still merge: it was not marked as a notice
    assert {a["id"], b["id"]} in find_duplicates([article, a, b]).clusters
    assert notice_pairs([article, a, b], [(article["id"], a["id"])]) == {}


# --- volume, issue and pages shifted one column -----------------------------------------------

ABSTRACT = {
    "title": "The treatment of atypical haemolytic uraemic syndrome in children",
    "authors": ["Loirat, C."],
    "year": 2011,
    "journal": "Pediatric Nephrology",
}


def test_record_whose_volume_moved_into_the_issue_column_is_merged():
    a = record(**ABSTRACT | {"volume": "", "issue": "26", "pages": "9"})
    b = record(**ABSTRACT | {"volume": "26", "issue": "9", "pages": "1746"})
    assert merged(a, b)


def test_an_issue_that_is_not_the_other_volume_is_not_read_as_a_shift():
    a = record(**ABSTRACT | {"volume": "", "issue": "27", "pages": "9"})
    b = record(**ABSTRACT | {"volume": "26", "issue": "9", "pages": "1746"})
    assert not merged(a, b)


# --- one meeting abstract printed twice in one volume -----------------------------------------

REPEATED = {
    "title": "Amantadine for the posttraumatic confusional state: a randomized placebo-controlled trial",
    "authors": ["Yablon, S.", "Sherer, M.", "Todd, N."],
    "year": 2010,
    "journal": "Archives of Physical Medicine and Rehabilitation",
    "volume": "91",
    "issue": "10",
}


def test_same_abstract_printed_twice_in_one_issue_is_merged():
    a = record(**REPEATED | {"pages": "e8-e9"})
    b = record(**REPEATED | {"pages": "e3"})
    assert merged(a, b)


def test_same_title_in_another_issue_of_the_volume_is_not_merged():
    # an erratum or a reprint in a later issue is no copy of the abstract
    a = record(**REPEATED | {"pages": "e8-e9"})
    b = record(**REPEATED | {"issue": "12", "pages": "e3"})
    assert not merged(a, b)


def test_abstract_and_full_article_in_one_issue_are_not_merged():
    a = record(**REPEATED | {"pages": "e8"})
    b = record(**REPEATED | {"pages": "1600-1612"})
    assert not merged(a, b)


def test_short_generic_items_of_one_editor_are_not_merged():
    a = record(**REPEATED | {"title": "Editorial: the year in rehabilitation", "pages": "1"})
    b = record(**REPEATED | {"title": "Editorial: the year in rehabilitation", "pages": "1601"})
    assert not merged(a, b)


# --- a conference abstract cited without its supplement ----------------------------------------

SUPPLEMENT = {
    "title": "Effects of incretin on artery lesions in a model of atherosclerosis in knock-out mice",
    "authors": ["Chen, R.", "Wang, Y.", "Liang, L."],
    "year": 2014,
    "journal": "Diabetes/Metabolism Research and Reviews",
    "volume": "30",
}


def test_supplement_abstract_and_its_citation_without_the_supplement_are_merged():
    abstract = record(**SUPPLEMENT | {"issue": "Suppl. 3", "pages": "51"})
    cited = record(**SUPPLEMENT | {"pages": "52"})  # the page one database printed for it
    assert merged(abstract, cited)


def test_supplement_abstract_and_a_full_article_of_the_same_title_stay_apart():
    abstract = record(**SUPPLEMENT | {"issue": "Suppl. 3", "pages": "51"})
    article = record(**SUPPLEMENT | {"issue": "7", "pages": "601-612"})
    assert not merged(abstract, article)
    assert not queued(abstract, article)  # the issue: not merged by default, nor queued


# --- a title translated into another language ---------------------------------------------------

TRANSLATED = {
    "authors": ["Train, M.", "Soulard, D.", "Bouyer, L.", "Bizouarn, P."],
    "year": 1994,
    "journal": "Annales Francaises d'Anesthesie et de Reanimation",
    "volume": "13",
    "issue": "3",
    "pages": "280-284",
}
ENGLISH = "Antibiotic prophylaxis in lung surgery: a double-blind trial of two cephalosporins"
FRENCH = "Prophylaxe antibiotique en chirurgie pulmonaire: etude en double aveugle"


def test_translated_title_with_same_authors_journal_volume_and_page_range_is_merged():
    a = record(**TRANSLATED | {"title": ENGLISH})
    b = record(**TRANSLATED | {"title": FRENCH, "journal": "Ann Fr Anesth Reanim"})
    assert merged(a, b)


def test_translated_title_needs_three_shared_authors():
    two = {**TRANSLATED, "authors": TRANSLATED["authors"][:2]}
    a = record(**two | {"title": ENGLISH})
    b = record(**two | {"title": FRENCH, "journal": "Ann Fr Anesth Reanim"})
    assert not merged(a, b)


def test_different_titles_on_different_page_ranges_stay_apart():
    a = record(**TRANSLATED | {"title": ENGLISH})
    b = record(**TRANSLATED | {"title": FRENCH, "pages": "285-290"})
    assert not merged(a, b)


# --- an online-first record under its provisional title ----------------------------------------

ONLINE = {
    "authors": ["Lapeyraque, A. L.", "Malina, M.", "Fremeaux-Bacchi, V.", "Boppel, T."],
    "year": 2011,
    "journal": "New England Journal of Medicine",
}


def test_online_first_record_with_a_reworded_title_goes_to_a_person():
    printed = record(
        **ONLINE
        | {
            "title": "Eculizumab in severe Shiga-toxin-associated HUS",
            "volume": "364",
            "pages": "2561-2563",
        }
    )
    online = record(
        **ONLINE
        | {
            "title": "Complement blockade in severe Shiga-toxin-associated HUS",
            "journal": "N Engl J Med",
        }
    )
    assert queued(printed, online)
    assert not merged(printed, online)  # the same authors may write two papers on one topic


BYLINE = [
    "Lapeyraque, A. L.",
    "Malina, M.",
    "Fremeaux-Bacchi, V.",
    "Boppel, T.",
    "Kirschfink, M.",
    "Oualha, M.",
    "Proulx, F.",
]


def test_online_first_record_with_the_same_five_authors_in_order_is_merged():
    printed = record(
        **ONLINE
        | {
            "authors": BYLINE,
            "title": "Eculizumab in severe Shiga-toxin-associated HUS",
            "volume": "364",
            "pages": "2561-2563",
        }
    )
    # The database cut the author list after five names; the title is the online-first one.
    online = record(
        **ONLINE
        | {
            "authors": BYLINE[:5],
            "title": "Complement blockade in severe Shiga-toxin-associated HUS",
            "journal": "N Engl J Med",
        }
    )
    assert merged(printed, online)


def test_online_first_record_by_the_same_five_authors_in_another_order_goes_to_a_person():
    printed = record(
        **ONLINE
        | {
            "authors": BYLINE[:5],
            "title": "Eculizumab in severe Shiga-toxin-associated HUS",
            "volume": "364",
            "pages": "2561-2563",
        }
    )
    online = record(
        **ONLINE
        | {
            "authors": [*BYLINE[:2], BYLINE[3], BYLINE[2], BYLINE[4]],
            "title": "Complement blockade in severe Shiga-toxin-associated HUS",
        }
    )
    assert not merged(printed, online)
    assert queued(printed, online)


def test_reworded_title_in_print_on_both_sides_is_not_queued():
    a = record(
        **ONLINE
        | {
            "title": "Eculizumab in severe Shiga-toxin-associated HUS",
            "volume": "364",
            "pages": "2561-2563",
        }
    )
    b = record(
        **ONLINE
        | {
            "title": "Complement blockade in severe Shiga-toxin-associated HUS",
            "volume": "365",
            "pages": "12-19",
        }
    )
    assert not queued(a, b)
    assert not merged(a, b)


def test_reworded_title_needs_four_shared_authors_and_a_long_shared_ending():
    printed = {**ONLINE, "volume": "364", "pages": "2561-2563"}
    three = {"authors": ONLINE["authors"][:3]}
    a = record(**printed | three | {"title": "Eculizumab in severe Shiga-toxin-associated HUS"})
    b = record(
        **ONLINE | three | {"title": "Complement blockade in severe Shiga-toxin-associated HUS"}
    )
    assert not queued(a, b)
    c = record(**printed | {"title": "Eculizumab for children with atypical HUS"})
    d = record(**ONLINE | {"title": "Plasma exchange for adults with atypical HUS"})
    assert not queued(c, d)
