"""Two confirmations of the same consensus at the same moment resolve the conflict once.

Real concurrency needs real row locks and separate connections: PostgreSQL only.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from reviewapp.models import AuditEvent
from screening.conflicts import service as conflicts
from screening.models import Conflict, ConsensusProposal, RecordStatus

from .helpers import conflicted


def _require_postgres():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL for real row locks across connections: run with "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/reviewapp_<name>"
        )


def _race(monkeypatch, calls):
    """Run each call in its own thread and connection, all entering the lock together."""
    barrier = threading.Barrier(len(calls), timeout=10)
    original = conflicts._lock

    def lock_together(conflict):
        barrier.wait()  # both transactions are open: now both reach for the row
        return original(conflict)

    monkeypatch.setattr(conflicts, "_lock", lock_together)
    results: list = [None] * len(calls)

    def run(i, fn):
        try:
            results[i] = fn()
        except Exception as exc:  # collected: the test asserts on them
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def _assert_resolved_once(conflict, results):
    successes = [r for r in results if isinstance(r, Conflict)]
    refusals = [r for r in results if isinstance(r, conflicts.ConflictError)]
    assert (len(successes), len(refusals)) == (1, 1), results
    assert "already resolved" in str(refusals[0])
    conflict.refresh_from_db()
    assert (conflict.state, conflict.resolution) == ("resolved", "consensus")
    assert (
        ConsensusProposal.objects.filter(conflict=conflict, confirmed_at__isnull=False).count() == 1
    )
    assert (
        AuditEvent.objects.filter(action="conflict.consensus", object_id=str(conflict.pk)).count()
        == 1
    )
    assert (
        AuditEvent.objects.filter(
            action="record.resolved", message__startswith=f"Record {conflict.record_id} "
        ).count()
        == 1
    )
    assert (
        RecordStatus.objects.get(record_id=conflict.record_id, stage="ta").resolution == "consensus"
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_both_reviewers_confirming_the_same_consensus_at_once_resolve_it_once(team, monkeypatch):
    _require_postgres()
    rec, conflict = conflicted(team)
    # Each proposes Include; each confirms the other's proposal at the same moment.
    rita_says = conflicts.propose(conflict, team.reviewer1, "include")
    remy_says = conflicts.propose(conflict, team.reviewer2, "include")
    results = _race(
        monkeypatch,
        [
            lambda: conflicts.confirm(remy_says, team.reviewer1),
            lambda: conflicts.confirm(rita_says, team.reviewer2),
        ],
    )
    _assert_resolved_once(conflict, results)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_confirmation_resolves_once(team, monkeypatch):
    _require_postgres()
    rec, conflict = conflicted(team)
    proposal = conflicts.propose(conflict, team.reviewer1, "include")
    results = _race(
        monkeypatch,
        [lambda: conflicts.confirm(proposal, team.reviewer2)] * 2,
    )
    _assert_resolved_once(conflict, results)
