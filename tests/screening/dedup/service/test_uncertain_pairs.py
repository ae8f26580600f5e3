"""Pairs the engine is unsure about wait for a person, who merges them or keeps them apart."""

from __future__ import annotations

import pytest

from screening.dedup.service import DedupError, decide_pair, run_dedup
from screening.models import DuplicateCandidate, DuplicateCluster, NotDuplicatePair

from .factories import uncertain_pair


def test_an_uncertain_pair_is_queued_not_merged(team):
    a, b = uncertain_pair(team.review)

    report = run_dedup(team.review)

    assert (report.auto_merged, report.queued, report.open_pairs) == (0, 1, 1)
    pair = DuplicateCandidate.objects.get(review=team.review)
    assert (pair.record_a_id, pair.record_b_id, pair.status) == (a.pk, b.pk, "open")
    assert pair.reasons
    assert not DuplicateCluster.objects.exists()


def test_merge_makes_one_cluster_and_closes_the_pair(team):
    a, b = uncertain_pair(team.review)
    run_dedup(team.review)
    pair = DuplicateCandidate.objects.get(review=team.review)

    decide_pair(pair, "merge", by=team.lead)

    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == ("merged", team.lead)
    cluster = DuplicateCluster.objects.get(review=team.review)
    assert cluster.method == "manual"
    assert set(cluster.members.values_list("pk", flat=True)) == {a.pk, b.pk}
    assert team.review.records.canonical().count() == 1
    # a re-run keeps the person's cluster and asks nothing
    again = run_dedup(team.review)
    assert (again.auto_merged, again.queued, again.open_pairs, again.clusters_found) == (0, 0, 0, 1)


def test_not_duplicates_is_never_queued_again(team):
    a, b = uncertain_pair(team.review)
    run_dedup(team.review)
    pair = DuplicateCandidate.objects.get(review=team.review)

    decide_pair(pair, "not_duplicates", by=team.lead)

    assert NotDuplicatePair.objects.filter(record_a=a, record_b=b, decided_by=team.lead).exists()
    for _ in range(2):
        report = run_dedup(team.review)
        assert (report.queued, report.open_pairs, report.clusters_found) == (0, 0, 0)
    assert DuplicateCandidate.objects.get().status == "not_duplicates"
    assert team.review.records.canonical().count() == 2


def test_a_decided_pair_cannot_be_decided_again(team):
    uncertain_pair(team.review)
    run_dedup(team.review)
    pair = DuplicateCandidate.objects.get(review=team.review)
    decide_pair(pair, "not_duplicates", by=team.lead)

    with pytest.raises(DedupError, match="already decided"):
        decide_pair(pair, "merge", by=team.lead)
    assert not DuplicateCluster.objects.exists()
