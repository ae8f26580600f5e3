"""Two people acting on the same thing at the same moment: no lost and no doubled rows.

Real concurrency needs real row locks and one connection per person: PostgreSQL only. Each
call runs in its own thread (its own connection, closed at the end); a Barrier releases them
together just before they reach for the contended row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from reviewapp.models import AuditEvent
from screening.conflicts import service as conflicts
from screening.decisions import service as decisions
from screening.models import Conflict, Decision, Outcome, RecordStatus
from tests.screening.conflicts.helpers import conflicted, reason, record

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "real concurrent transactions need PostgreSQL's row locks: run with "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/reviewapp_hardening"
        )


def race(monkeypatch, module, lock_name: str, calls: list[Callable]) -> list:
    """Run the calls at once, each in its own thread and connection; results or exceptions."""
    barrier = threading.Barrier(len(calls), timeout=15)
    original = getattr(module, lock_name)

    def together(*args, **kwargs):
        barrier.wait()  # every transaction is open: now all reach for the row
        return original(*args, **kwargs)

    monkeypatch.setattr(module, lock_name, together)
    results: list = [None] * len(calls)

    def run(index: int, call: Callable) -> None:
        try:
            results[index] = call()
        except Exception as exc:  # collected: the test asserts on them
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    return results


def test_two_reviewers_disagreeing_at_once_keep_both_decisions_and_open_one_conflict(
    team, monkeypatch
):
    rec = record(team)
    excluded = reason(team)
    results = race(
        monkeypatch,
        decisions,
        "_lock_status",
        [
            lambda: decisions.decide(rec, team.reviewer1, "include"),
            lambda: decisions.decide(rec, team.reviewer2, "exclude", reason=excluded),
        ],
    )
    assert all(isinstance(r, Decision) for r in results), results
    assert Decision.objects.filter(record=rec).count() == 2
    status = RecordStatus.objects.get(record=rec, stage="ta")
    assert (status.outcome, status.decisions_count) == (Outcome.CONFLICT, 2)
    assert Conflict.objects.filter(record=rec).count() == 1


def test_two_reviewers_agreeing_at_once_include_the_record_once(team, monkeypatch):
    rec = record(team)
    results = race(
        monkeypatch,
        decisions,
        "_lock_status",
        [
            lambda: decisions.decide(rec, team.reviewer1, "include"),
            lambda: decisions.decide(rec, team.reviewer2, "include"),
        ],
    )
    assert all(isinstance(r, Decision) for r in results), results
    status = RecordStatus.objects.get(record=rec, stage="ta")
    assert (status.outcome, status.resolution) == (Outcome.INCLUDED, "agreement")
    assert not Conflict.objects.filter(record=rec).exists()
    assert rec.__class__.objects.get(pk=rec.pk).report is not None
    assert AuditEvent.objects.filter(action="decision.made").count() == 2


def test_a_double_submitted_decision_is_one_row_and_one_audit_entry(team, monkeypatch):
    rec = record(team)
    results = race(
        monkeypatch,
        decisions,
        "_lock_status",
        [lambda: decisions.decide(rec, team.reviewer1, "include", note="Clinicians")] * 2,
    )
    assert not [r for r in results if not isinstance(r, Decision | decisions.ScreeningError)]
    assert any(isinstance(r, Decision) for r in results), results
    assert Decision.objects.filter(record=rec, reviewer=team.reviewer1).count() == 1
    assert AuditEvent.objects.filter(action="decision.made").count() == 1
    status = RecordStatus.objects.get(record=rec, stage="ta")
    assert (status.outcome, status.decisions_count) == (Outcome.PENDING, 1)


def test_an_adjudicator_and_a_lead_resolving_one_escalated_conflict_at_once_resolve_it_once(
    team, monkeypatch
):
    rec, conflict = conflicted(team)
    conflicts.escalate(conflict, team.reviewer1, "Clinicians or students?")
    results = race(
        monkeypatch,
        conflicts,
        "_lock",
        [
            lambda: conflicts.adjudicate(conflict, team.adjudicator, "include", note="Clinicians"),
            lambda: conflicts.lead_decide(
                conflict, team.lead, "exclude", reason=reason(team), note="Students"
            ),
        ],
    )
    won = [r for r in results if isinstance(r, Conflict)]
    refused = [r for r in results if isinstance(r, conflicts.ConflictError)]
    assert (len(won), len(refused)) == (1, 1), results
    conflict.refresh_from_db()
    assert conflict.state == "resolved"
    assert conflict.resolution == won[0].resolution
    resolutions = AuditEvent.objects.filter(
        object_id=str(conflict.pk), action__in=["conflict.adjudicated", "conflict.lead"]
    )
    assert resolutions.count() == 1
    status = RecordStatus.objects.get(record=rec, stage="ta")
    expected = Outcome.INCLUDED if conflict.final_value == "include" else Outcome.EXCLUDED
    assert (status.outcome, status.resolution) == (expected, conflict.resolution)
