"""Running the de-duplication again changes nothing."""

from __future__ import annotations

from reviewapp.models import AuditEvent
from screening.dedup.service import run_dedup
from screening.models import DuplicateCandidate, DuplicateCluster, Record

from .factories import article, pair_of_searches, uncertain_pair


def _everything(review) -> tuple:
    return (
        list(Record.objects.filter(review=review).order_by("pk").values()),
        list(DuplicateCluster.objects.filter(review=review).order_by("pk").values()),
        list(DuplicateCandidate.objects.filter(review=review).order_by("pk").values()),
        AuditEvent.objects.filter(review=review).count(),
    )


def test_a_second_run_changes_nothing(team):
    medline, embase = pair_of_searches(team.review)
    article(medline, abstract="")
    article(embase, abstract="An abstract.", pages="")
    article(embase, title="A different study", doi="10.1/x", authors=["Brown, A"])
    uncertain_pair(team.review)
    first = run_dedup(team.review)
    assert (first.clusters_found, first.auto_merged, first.queued) == (1, 2, 1)
    before = _everything(team.review)

    second = run_dedup(team.review)

    assert (second.clusters_found, second.auto_merged, second.queued) == (1, 0, 0)
    assert second.open_pairs == 1
    assert _everything(team.review) == before
