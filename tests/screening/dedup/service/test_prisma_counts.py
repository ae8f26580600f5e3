"""De-duplication feeds PRISMA's "duplicate records removed", per phase."""

from __future__ import annotations

from screening.dedup.service import run_dedup, split
from screening.models import DuplicateCluster, Phase
from screening.prisma.counts import counts_for

from .factories import article, search


def test_duplicates_removed_follow_merges_and_splits_per_phase(team):
    initial_a = search(team.review, "MEDLINE", Phase.INITIAL)
    initial_b = search(team.review, "Embase", Phase.INITIAL)
    article(initial_a)
    article(initial_b)
    article(initial_b, title="A different study", doi="10.1/x", authors=["Brown, A"])
    assert counts_for(team.review).duplicates == 0

    run_dedup(team.review)
    assert counts_for(team.review).duplicates == 1

    # an update search finding the same work again: a duplicate of the update
    update = search(team.review, "MEDLINE", Phase.UPDATE)
    article(update)
    run_dedup(team.review)
    assert counts_for(team.review).duplicates == 1  # the diagram shows the update's column

    split(DuplicateCluster.objects.get(), by=team.lead)
    assert counts_for(team.review).duplicates == 0
