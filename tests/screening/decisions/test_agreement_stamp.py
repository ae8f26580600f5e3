"""The decision stamp changes on every write that can change agreement, whatever wrote it.

Transactional tests: the database bumps the stamp when a transaction commits (migration 0014).
"""

from __future__ import annotations

import pytest

from screening.conflicts import service as conflicts
from screening.decisions import service as decisions
from screening.decisions.stored import stamp
from screening.dedup.service import merge, split
from screening.models import Decision, Record
from screening.transfer import service as transfer
from tests.screening.transfer.helpers import fresh_review, screened

from .factories import decide, records

pytestmark = pytest.mark.django_db(transaction=True)


def changes(review, write) -> bool:
    before = stamp(review)
    write()
    return stamp(review) > before


def test_a_decision_changes_the_stamp(team):
    (r,) = records(team, 1)
    assert changes(team.review, lambda: decide(r, team.reviewer1, "include"))


def test_changing_ones_mind_changes_the_stamp(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    assert changes(team.review, lambda: decide(r, team.reviewer1, "exclude"))


def test_undo_changes_the_stamp(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    assert changes(team.review, lambda: decisions.undo_last(team.review, team.reviewer1))
    assert not Decision.objects.exists()


def test_a_ruling_on_a_conflict_changes_the_stamp(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    decide(r, team.reviewer2, "exclude")
    record = Record.objects.get(pk=r.pk)
    assert changes(
        team.review,
        lambda: decisions.set_final(record, "ta", "include", resolution="consensus", by=team.lead),
    )


def test_reopening_a_record_changes_the_stamp(team):
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    decide(r, team.reviewer2, "include")
    record = Record.objects.get(pk=r.pk)
    assert changes(
        team.review,
        lambda: conflicts.reopen(record, "ta", by=team.lead, reason="Read the abstract again"),
    )


def test_importing_a_screening_history_changes_the_stamp(team):
    screened(team)
    data = "".join(transfer.export(team.review, "rayyan-ris", None, is_lead=True)).encode()
    target = fresh_review(team)
    history = transfer.read("rayyan", data, "export.ris")
    mapping = transfer.preview(target, history).suggested
    assert changes(target, lambda: transfer.import_history(target, history, mapping, by=team.lead))


def test_merging_and_splitting_records_change_the_stamp(team):
    a, b = records(team, 2)
    decide(b, team.reviewer1, "include")
    holder = {}
    assert changes(team.review, lambda: holder.update(cluster=merge([a, b], by=team.lead)))
    assert changes(team.review, lambda: split(holder["cluster"], by=team.lead))


def test_a_review_s_stamp_is_its_own(team):
    (r,) = records(team, 1)
    other = fresh_review(team)
    assert not changes(other, lambda: decide(r, team.reviewer1, "include"))


def test_a_flush_deleting_the_stamps_before_the_decisions_commits(team):
    """A test database's flush deletes table by table in no set order (on PostgreSQL it
    truncates, with no triggers). With the stamps deleted first, deleting the decisions wrote
    a new stamp on SQLite, whose review went next: the commit failed on the stamp's foreign
    key before migration 0016 made the stamp go with its review."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from screening.models import DecisionStamp

    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    first = ["screening_decisionstamp", "screening_decision"]
    tables = connection.introspection.django_table_names(only_existing=True)
    order = first + [t for t in tables if t not in first]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in connection.ops.sql_flush(no_style(), order):
            cursor.execute(sql)
    assert not DecisionStamp.objects.exists()
