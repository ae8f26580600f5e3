"""The relevance-ranking engine: plain lists in, ranked ids out (no database)."""

from __future__ import annotations

import random

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from screening.ranking import model as ranking
from screening.ranking.model import (
    DEFAULT_CONFIG,
    SUBWORD,
    WORD,
    Features,
    FeatureStore,
    ModelConfig,
    explores,
    irrelevant_run,
    rank,
    record_text,
    score_rows,
)

TOPIC = [
    "Nudging hospital physicians with default options to reduce antibiotic prescribing",
    "Behavioural nudges and choice architecture change clinicians' prescribing behaviour",
    "A default nudge in the electronic health record increased generic prescribing",
    "Peer comparison letters as a nudge to reduce inappropriate antibiotic prescribing",
]
OFF_TOPIC = [
    "Software cost estimation with analogy: a replicated experiment",
    "Soil nitrogen dynamics under maize rotation in sub-Saharan Africa",
    "Deep-sea sediment cores reveal Pleistocene ocean temperatures",
    "Agile requirements engineering practices in small software companies",
    "Pollination services of wild bees in apple orchards",
    "A compiler optimisation for vectorised loops on ARM processors",
    "Thermal conductivity of graphene nanoribbons measured by Raman spectroscopy",
    "Migration routes of Arctic terns tracked with geolocators",
]


def corpus():
    relevant = [(f"r{i}", record_text(t)) for i, t in enumerate(TOPIC)]
    irrelevant = [(f"x{i}", record_text(t)) for i, t in enumerate(OFF_TOPIC)]
    return relevant, irrelevant


def test_records_like_the_included_ones_are_ranked_first():
    relevant, irrelevant = corpus()
    labelled = [
        (*relevant[0], True),
        (*relevant[1], True),
        (*irrelevant[0], False),
        (*irrelevant[1], False),
    ]
    unlabelled = relevant[2:] + irrelevant[2:]
    random.Random(3).shuffle(unlabelled)

    result = rank(labelled, unlabelled)

    assert set(result.order[:2]) == {"r2", "r3"}
    assert result.trained_on == 4
    assert set(result.scores) == {rid for rid, _ in unlabelled}
    assert result.scores[result.order[0]] >= result.scores[result.order[-1]]


def test_chinese_titles_pull_similar_chinese_records_up():
    labelled = [
        ("c1", record_text("助推干预对医生抗生素处方行为的影响：随机对照试验"), True),
        ("c2", record_text("黄土高原土壤侵蚀与植被恢复的遥感监测"), False),
        ("e1", record_text("Software cost estimation with analogy"), False),
    ]
    unlabelled = [
        ("u_soil", record_text("黄土高原植被恢复对土壤水分的影响")),
        ("u_nudge", record_text("默认选项助推减少抗生素处方：医生行为随机试验")),
        ("u_rock", record_text("青藏高原岩石风化速率研究")),
        ("u_en", record_text("Agile requirements engineering in small companies")),
    ]

    result = rank(labelled, unlabelled)

    assert result.order[0] == "u_nudge"


def test_mixed_language_records_are_ranked_by_shared_terms():
    labelled = [
        ("a", record_text("Nudge 助推 default options in prescribing 处方"), True),
        ("b", record_text("Groundwater 地下水 contamination by nitrate"), False),
    ]
    unlabelled = [
        ("c", record_text("地下水 nitrate pollution")),
        ("d", record_text("助推 处方 nudge")),
    ]

    assert rank(labelled, unlabelled).order == ["d", "c"]


def test_equal_scores_are_not_ordered_by_input_order():
    # Identical texts get identical scores; their order must come from the seed, not the input.
    labelled = [("p", "nudge default", True), ("n", "soil erosion", False)]
    unlabelled = [(f"t{i:02d}", "the same neutral title") for i in range(30)]

    orders = {tuple(rank(labelled, unlabelled, seed=s).order) for s in range(3)}
    reversed_input = rank(labelled, unlabelled[::-1], seed=0).order

    assert tuple(id for id, _ in unlabelled) not in orders
    assert len(orders) == 3  # each seed its own order
    assert reversed_input == rank(labelled, unlabelled, seed=0).order  # input order is irrelevant


def test_with_only_one_kind_of_label_the_order_is_a_seeded_random_one():
    unlabelled = [(f"t{i:02d}", f"title number {i}") for i in range(40)]
    only_relevant = [("p", "nudge default", True)]

    first = rank(only_relevant, unlabelled, seed=7)
    again = rank(only_relevant, unlabelled[::-1], seed=7)
    nothing = rank([], unlabelled, seed=8)

    assert first.trained_on == 0
    assert first.model == "random"
    assert first.order == again.order
    assert first.order != [rid for rid, _ in unlabelled]
    assert sorted(first.order) == sorted(nothing.order) == [rid for rid, _ in unlabelled]
    assert first.order != nothing.order


def test_nothing_left_to_rank_gives_an_empty_order():
    result = rank([("p", "a", True), ("n", "b", False)], [])

    assert result.order == []
    assert result.scores == {}


def test_feature_store_only_featurises_new_or_edited_records():
    store = FeatureStore()
    assert store.update([("a", "nudge"), ("b", "soil")]) == 2
    assert store.update([("a", "nudge"), ("b", "soil"), ("c", "new")]) == 1
    assert store.update([("a", "nudge, edited")]) == 1

    relevant, irrelevant = corpus()
    labelled = [(*relevant[0], True), (*irrelevant[0], False)]
    cached = rank(labelled, relevant[1:] + irrelevant[1:], store=store)
    fresh = rank(labelled, relevant[1:] + irrelevant[1:])

    # The cached store's IDF spans every record it holds, so scores agree closely, not exactly.
    assert cached.order[:2] == fresh.order[:2]
    assert cached.scores == pytest.approx(fresh.scores, abs=0.05)


def test_record_text_joins_title_abstract_and_keywords():
    text = record_text("Title", "Abstract.", ["nudge", "", "default"])

    assert text == "Title\nAbstract.\nnudge default"
    assert record_text("Only title") == "Only title"


def _toy_features():
    relevant, irrelevant = corpus()
    texts = [t for _, t in relevant + irrelevant]
    y = np.array([1] * len(relevant) + [0] * len(irrelevant), dtype=np.int8)
    return texts, Features.from_texts(list(range(len(texts))), texts), y


def test_the_features_and_svm_are_asreviews_default_model():
    # ASReview's ELAS u4: TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_df=0.95)
    # and LinearSVC(C=0.11) with its balanced sample weights (ratio 9.8). Hashing merges no
    # term on a corpus this small, so the scores are the same up to float32 rounding.
    texts, features, y = _toy_features()
    train, test = np.array([0, 1, 4, 5, 6]), np.array([2, 3, 7, 8, 9, 10, 11])
    x = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_df=0.95).fit_transform(texts)
    weights = ranking._balanced_weights(y[train], 9.8)
    svm = LinearSVC(C=0.11, random_state=0).fit(x[train], y[train], sample_weight=weights)

    ours = score_rows(features, train, y[train], test)

    assert DEFAULT_CONFIG.svm_c == 0.11 and DEFAULT_CONFIG.balance_ratio == 9.8
    assert ours == pytest.approx(svm.decision_function(x[test]), abs=1e-4)
    assert set(np.argsort(-ours)[:2]) == {0, 1}  # the two unlabelled topic records
    rows = features.blocks[WORD].gather(np.arange(len(texts)))
    assert rows.dtype == np.float32 and rows.indices.dtype == np.int32
    assert sp.linalg.norm(rows, axis=1) == pytest.approx(np.ones(len(texts)))


def test_irrelevant_run_counts_the_final_streak_of_excludes():
    assert irrelevant_run([]) == 0
    assert irrelevant_run([True, False, False]) == 2
    assert irrelevant_run([False, False, True]) == 0
    assert irrelevant_run([False] * 5) == 5
    assert not explores(DEFAULT_CONFIG.explore_after - 1)
    assert explores(DEFAULT_CONFIG.explore_after)
    assert not explores(1000, ModelConfig(explore_after=0))


def test_after_a_long_run_of_excludes_character_4grams_reach_reworded_records():
    # No word is shared between the labelled and the unlabelled records ("antibiotics" is not
    # "antibiotic"), so the word model cannot tell them apart; within-word 4-grams can.
    labelled = [
        ("p", record_text("Antibiotics stewardship programmes"), True),
        ("n", record_text("Groundwater salinity monitoring"), False),
    ]
    unlabelled = [
        ("u_water", record_text("Salinised groundwaters")),
        ("u_drug", record_text("Antibiotic stewards")),
    ]
    run = DEFAULT_CONFIG.explore_after

    focused = rank(labelled, unlabelled, seed=0)
    explored = rank(labelled, unlabelled, seed=0, run=run)

    assert focused.model == "tfidf-word-svm"
    assert focused.scores["u_water"] == pytest.approx(focused.scores["u_drug"])
    assert explored.model == ranking.EXPLORE_MODEL
    assert explored.order == ["u_drug", "u_water"]
    assert explored.scores["u_drug"] > explored.scores["u_water"]


def test_explore_mode_averages_the_word_svm_and_the_char_4gram_svm():
    _, features, y = _toy_features()
    train, test = np.array([0, 1, 4, 5, 6]), np.array([2, 3, 7, 8, 9, 10, 11])

    def z(s):
        return (s - s.mean()) / s.std()

    word = score_rows(features, train, y[train], test)
    mixed = score_rows(features, train, y[train], test, explore=True)
    w, b = ranking.fit_svm(features.blocks[SUBWORD].gather(train), y[train])
    sub = features.blocks[SUBWORD].gather(test) @ w + b

    assert mixed == pytest.approx(z(word) + z(sub), abs=1e-4)
    assert set(np.argsort(-mixed)[:2]) == {0, 1}
