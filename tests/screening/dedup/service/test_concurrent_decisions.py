"""Two people deciding the same pair at the same moment give one outcome.

Real concurrency needs real row locks and separate connections: PostgreSQL only.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from reviewapp.models import AuditEvent
from screening.dedup import service as dedup_service
from screening.models import DuplicateCandidate, DuplicateCluster, NotDuplicatePair

from .factories import uncertain_pair


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_merge_and_not_duplicates_at_once_give_one_outcome(team, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL for real row locks across connections: run with "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/reviewapp_<name>"
        )
    uncertain_pair(team.review)
    dedup_service.run_dedup(team.review)
    pair = DuplicateCandidate.objects.get()
    barrier = threading.Barrier(2, timeout=10)
    original = dedup_service._lock

    def lock_together(review):
        barrier.wait()  # both transactions are open: now both reach for the lock
        return original(review)

    monkeypatch.setattr(dedup_service, "_lock", lock_together)
    results: list = [None, None]

    def run(i, action, user):
        try:
            results[i] = dedup_service.decide_pair(pair, action, by=user)
        except Exception as exc:  # collected: asserted below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(0, "merge", team.lead)),
        threading.Thread(target=run, args=(1, "not_duplicates", team.reviewer1)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    decided = [r for r in results if isinstance(r, DuplicateCandidate)]
    refused = [r for r in results if isinstance(r, dedup_service.DedupError)]
    assert (len(decided), len(refused)) == (1, 1), results
    assert "already decided" in str(refused[0])
    pair.refresh_from_db()
    assert pair.status == decided[0].status
    merged = pair.status == "merged"
    assert DuplicateCluster.objects.exists() == merged
    assert NotDuplicatePair.objects.exists() == (not merged)
    assert AuditEvent.objects.filter(action__startswith="dedup.pair_").count() == 1
