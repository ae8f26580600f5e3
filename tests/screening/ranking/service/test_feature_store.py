"""The review's ranking features: one compact copy on disk per review, shared by its reviewers,
rebuilt (incrementally) when the record set changes."""

from __future__ import annotations

import numpy as np
import pytest

from screening.models import Record
from screening.ranking import service as ranking_service
from screening.ranking import store
from tests.factories import RecordFactory, SearchFactory

pytestmark = pytest.mark.django_db

TITLES = [
    "Nudging physicians with default options to reduce antibiotic prescribing",
    "Default nudges in the electronic health record change antibiotic prescribing",
    "Soil nitrogen dynamics under maize rotation in sub-Saharan Africa",
    "Agile requirements engineering practices in small software companies",
]


def make_records(review, titles=TITLES):
    search = SearchFactory(review=review)
    return [RecordFactory(search=search, title=t, abstract="").pk for t in titles]


def built_sets(review):
    directory = ranking_service.feature_directory(review.pk)
    return sorted(p.name for p in directory.iterdir() if (p / "meta.json").exists())


def test_features_are_built_once_per_review_and_read_without_any_text(
    team, django_assert_num_queries
):
    ids = make_records(team.review)

    features, featurised = ranking_service.review_features(team.review)
    assert featurised == len(ids)
    with django_assert_num_queries(1) as seen:  # the database's digests only: no text is read
        again, featurised = ranking_service.review_features(team.review)
    assert featurised == 0
    assert "MD5" in seen.captured_queries[0]["sql"].upper()
    assert again.path == features.path
    assert built_sets(team.review) == [features.key]


def test_both_reviewers_retrain_on_the_same_copy(team):
    make_records(team.review)

    ranking_service.retrain(team.review.pk, team.reviewer1.pk)
    ranking_service.retrain(team.review.pk, team.reviewer2.pk)

    # One record set, one copy on disk, for the whole review.
    assert len(built_sets(team.review)) == 1


def test_an_edited_or_new_record_gives_a_new_set_featurising_only_those(team):
    ids = make_records(team.review)
    before, _ = ranking_service.review_features(team.review)

    Record.objects.filter(pk=ids[1]).update(abstract="Edited after a correction notice.")
    edited, featurised = ranking_service.review_features(team.review)
    assert featurised == 1
    assert edited.key != before.key
    make_records(team.review, ["A new record about antibiotic stewardship"])
    grown, featurised = ranking_service.review_features(team.review)
    assert featurised == 1
    assert len(grown) == len(ids) + 1
    # The previous set stays for a retrain still reading it; older ones go.
    assert set(built_sets(team.review)) == {edited.key, grown.key}


def test_the_store_is_float32_with_int32_columns_and_matches_a_fresh_build(team, tmp_path):
    ids = make_records(team.review)
    features, _ = ranking_service.review_features(team.review)
    texts = {
        pk: ranking_service._text(t, a, k)
        for pk, t, a, k in Record.objects.values_list("pk", "title", "abstract", "keywords")
    }
    from screening.ranking import model

    fresh = model.Features.from_texts(ids, [texts[i] for i in ids])
    word = features.blocks[model.WORD]
    rows = word.gather(features.rows(ids))

    assert rows.dtype == np.float32 and rows.indices.dtype == np.int32
    assert (path := features.path / "word.data").stat().st_size == 4 * rows.nnz
    assert path.exists()
    fresh_rows = fresh.blocks[model.WORD].gather(np.arange(len(ids)))
    # The same TF-IDF rows (the in-memory block numbers its columns compactly).
    assert abs(rows @ rows.T - fresh_rows @ fresh_rows.T).max() < 1e-6
    assert store.record_set_key({1: "a"}) != store.record_set_key({1: "b"})
