"""Each "must handle" case of the de-duplication issue, on small inline records (no database)."""

from __future__ import annotations

from screening.dedup.engine import (
    find_duplicates,
    normalise_doi,
    normalise_pages,
    normalise_title,
)

from .helpers import merged, queued, record

ARTICLE = {
    "title": "Early mobilisation after stroke: a randomised controlled trial of rehabilitation",
    "authors": ["Smith, J. A.", "Jones, B.", "Nguyen, T. H."],
    "year": 2015,
    "journal": "Journal of Stroke Rehabilitation",
    "volume": "12",
    "issue": "3",
    "pages": "1045-1058",
}


# --- normalisation ----------------------------------------------------------------------------


def test_doi_in_any_form_normalises_to_the_bare_lower_case_doi():
    forms = [
        "10.1016/J.JCLINEPI.2015.01.001",
        "doi:10.1016/j.jclinepi.2015.01.001",
        "https://doi.org/10.1016/j.jclinepi.2015.01.001",
        "http://dx.doi.org/10.1016/j.jclinepi.2015.01.001.",
        " DOI: 10.1016/j.jclinepi.2015.01.001 ",
        "https://doi.org/10.1016%2Fj.jclinepi.2015.01.001",
    ]
    assert {normalise_doi(f) for f in forms} == {"10.1016/j.jclinepi.2015.01.001"}


def test_medline_abbreviated_pages_are_expanded():
    assert normalise_pages("1045-58") == "1045-1058"
    assert normalise_pages("1045-1058") == "1045-1058"
    assert normalise_pages("pp. 99-101") == "99-101"
    assert normalise_pages("S35-6") == "s35-s36"
    assert normalise_pages("e1234") == "e1234"


def test_title_normalisation_folds_case_punctuation_and_diacritics():
    assert normalise_title("Café-Society: ÉTUDE  naïve!") == normalise_title(
        "cafe society etude naive"
    )


def test_html_mathml_and_latex_markup_is_removed():
    plain = normalise_title("Effect of Ca2+ on alpha-synuclein in H2O")
    assert (
        normalise_title("Effect of Ca<sup>2+</sup> on <i>&alpha;</i>-synuclein in H<sub>2</sub>O")
        == plain
    )
    assert normalise_title(r"Effect of Ca$^{2+}$ on $\alpha$-synuclein in H$_2$O") == plain
    assert (
        normalise_title(
            "Effect of Ca<mml:math><mml:msup><mml:mi/><mml:mn>2+</mml:mn></mml:msup></mml:math>"
            " on α-synuclein in H<sub>2</sub>O"
        )
        == plain
    )


def test_british_spelling_matches_american():
    assert normalise_title("Behaviour of paediatric tumours in randomised haematology centres") == (
        normalise_title("Behavior of pediatric tumors in randomized hematology centers")
    )


def test_normalisation_keeps_chinese_japanese_and_korean_characters():
    assert "卒" in normalise_title("脑卒中患者的康复训练")
    assert "リ" in normalise_title("脳卒中後のリハビリテーション")
    assert "재" in normalise_title("뇌졸중 환자의 재활")


# --- matching ---------------------------------------------------------------------------------


def test_same_doi_in_different_forms_is_merged():
    a = record(**ARTICLE, doi="https://doi.org/10.1000/ABC.123")
    b = record(**ARTICLE | {"journal": "J Stroke Rehabil"}, doi="doi:10.1000/abc.123")
    assert merged(a, b)


def test_abbreviated_pages_and_journal_abbreviation_are_merged():
    a = record(**ARTICLE)
    b = record(**ARTICLE | {"pages": "1045-58", "journal": "J Stroke Rehabil"})
    assert merged(a, b)


def test_markup_case_and_punctuation_do_not_hide_a_duplicate():
    a = record(**ARTICLE | {"title": "Ca<sup>2+</sup> signalling in <i>post-stroke</i> spasticity"})
    b = record(**ARTICLE | {"title": r"CA$^{2+}$ SIGNALING IN POST-STROKE SPASTICITY."})
    assert merged(a, b)


def test_british_and_american_spelling_of_one_title_are_merged():
    a = record(**ARTICLE)
    b = record(
        **ARTICLE
        | {
            "title": "Early mobilization after stroke - a randomized controlled trial of rehabilitation"
        }
    )
    assert merged(a, b)


def test_subtitle_separator_and_dropped_subtitle_are_merged():
    a = record(**ARTICLE)
    b = record(**ARTICLE | {"title": "Early mobilisation after stroke"})
    assert merged(a, b)


def test_diacritics_in_author_names_and_title_do_not_hide_a_duplicate():
    a = record(**ARTICLE | {"authors": ["Müller, Jürgen", "Ñúñez, José"]})
    b = record(**ARTICLE | {"authors": ["Muller, J.", "Nunez, J."]})
    assert merged(a, b)


def test_erratum_is_not_merged_with_its_article():
    a = record(**ARTICLE)
    b = record(**ARTICLE | {"title": "Erratum: " + ARTICLE["title"], "issue": "5", "pages": "1320"})
    assert not merged(a, b)
    assert not queued(a, b)


def test_web_of_science_style_correction_is_not_merged_with_its_article():
    a = record(**ARTICLE)
    b = record(
        **ARTICLE | {"title": ARTICLE["title"] + " (vol 12, pg 1045, 2015)", "pages": "1320"}
    )
    assert not merged(a, b)


def test_reply_comment_and_retraction_notice_are_not_merged_with_the_article():
    a = record(**ARTICLE)
    for title in (
        ARTICLE["title"] + " - Reply",
        "Comment on: " + ARTICLE["title"],
        "Retraction notice: " + ARTICLE["title"],
    ):
        b = record(**ARTICLE | {"title": title, "pages": "1400"})
        assert not merged(a, b), title


def test_article_with_an_erratum_note_is_still_merged_with_its_twin():
    a = record(**ARTICLE)
    b = record(
        **ARTICLE | {"title": ARTICLE["title"] + " [Erratum appears in J Stroke Rehabil 2016;13:5]"}
    )
    assert merged(a, b)


def test_conference_abstract_is_not_merged_with_the_journal_article_of_the_same_title():
    article = record(**ARTICLE)
    abstract = record(
        **ARTICLE
        | {
            "year": 2014,
            "journal": "International Stroke Conference 2014",
            "volume": "45",
            "issue": "Suppl 1",
            "pages": "A123",
            "publication_type": "Conference abstract",
        }
    )
    assert not merged(article, abstract)


def test_same_authors_same_year_different_work_is_not_merged():
    a = record(**ARTICLE)
    b = record(
        **ARTICLE
        | {
            "title": "Cost-effectiveness of early mobilisation after stroke in rural hospitals",
            "pages": "1059-1066",
        }
    )
    assert not merged(a, b)
    assert not queued(a, b)


def test_numbered_parts_of_a_series_are_not_merged():
    a = record(**ARTICLE | {"title": "Stroke rehabilitation outcomes. Part 1: motor recovery"})
    b = record(
        **ARTICLE
        | {"title": "Stroke rehabilitation outcomes. Part 2: motor recovery", "pages": "1059-1070"}
    )
    assert not merged(a, b)


def test_two_unrelated_chinese_titles_never_look_alike():
    a = record(
        title="脑卒中患者早期康复训练的临床研究",
        authors=["王伟"],
        year=2015,
        journal="中华医学杂志",
    )
    b = record(
        title="糖尿病足溃疡的护理干预效果观察", authors=["王伟"], year=2015, journal="中华医学杂志"
    )
    assert normalise_title(a["title"]) != normalise_title(b["title"])
    assert not merged(a, b)
    assert not queued(a, b)


def test_chinese_record_with_english_parallel_title_matches_its_english_twin():
    chinese = record(
        title="脑卒中后早期活动的随机对照试验",
        title_alt="Early mobilisation after stroke: a randomised controlled trial of rehabilitation",
        authors=["Smith, J. A.", "Jones, B.", "Nguyen, T. H."],
        year=2015,
        journal="Journal of Stroke Rehabilitation",
        volume="12",
        pages="1045-58",
        language="chi",
    )
    english = record(**ARTICLE)
    assert merged(chinese, english)


def test_different_dois_keep_look_alike_records_apart():
    a = record(**ARTICLE | {"doi": "10.1000/one", "pages": "", "volume": ""})
    b = record(**ARTICLE | {"doi": "10.1000/two", "pages": "", "volume": ""})
    assert not merged(a, b)


def test_one_supplement_doi_on_many_abstracts_does_not_merge_them():
    a = record(**ARTICLE | {"doi": "10.1000/suppl.1", "pages": "S12"})
    b = record(
        title="Botulinum toxin for upper limb spasticity in chronic stroke",
        authors=["Lee, K."],
        year=2015,
        journal=ARTICLE["journal"],
        doi="10.1000/suppl.1",
        pages="S13",
    )
    assert not merged(a, b)


def test_pairs_declared_not_duplicates_are_never_merged_or_queued_again():
    a = record(**ARTICLE)
    b = record(**ARTICLE | {"journal": "J Stroke Rehabil"})
    assert merged(a, b)
    decided = {frozenset((a["id"], b["id"]))}
    assert not merged(a, b, not_duplicates=decided)
    assert not queued(a, b, not_duplicates=decided)


def test_weak_links_do_not_chain_different_works_into_one_cluster():
    # b looks like a (same title, no authors) and like c (same title), but a and c have
    # different DOIs: a cluster must not hold a and c together
    a = record(**ARTICLE | {"doi": "10.1000/one"})
    b = record(title=ARTICLE["title"], year=2015, journal=ARTICLE["journal"])
    c = record(**ARTICLE | {"doi": "10.1000/two", "volume": "", "pages": ""})
    result = find_duplicates([a, b, c])
    assert not any({a["id"], c["id"]} <= cluster for cluster in result.clusters)


def test_existing_cluster_members_stay_together_on_an_incremental_run():
    a = record(**ARTICLE, cluster=7)
    b = record(**ARTICLE | {"journal": "J Stroke Rehabil"}, cluster=7)
    c = record(**ARTICLE | {"pages": "1045-58"}, cluster=None)
    result = find_duplicates([a, b, c])
    assert {a["id"], b["id"], c["id"]} in result.clusters


def test_result_reports_counts():
    a = record(**ARTICLE)
    b = record(**ARTICLE | {"journal": "J Stroke Rehabil"})
    c = record(title="An unrelated trial of aspirin", year=2001)
    result = find_duplicates([a, b, c])
    assert result.stats["records"] == 3
    assert result.stats["clusters"] == 1
    assert result.stats["duplicates_removed"] == 1
