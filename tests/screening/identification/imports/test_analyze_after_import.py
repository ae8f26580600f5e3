"""A bulk import refreshes the planner's statistics of the record table itself (issue 29):
autovacuum may analyse it much later, and until then every page of a large review is planned
as if the table were empty."""

from __future__ import annotations

import pytest
from django.db import connection

from screening.identification import writes
from screening.identification.imports import import_file_now
from screening.models import Record

from .conftest import ris

pytestmark = pytest.mark.django_db(transaction=True)


def _analyses() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = %s",
            [Record._meta.db_table],
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's: run with DATABASE_URL"
)
def test_an_import_of_many_records_analyses_the_record_table(search, monkeypatch):
    monkeypatch.setattr(writes, "ANALYZE_AFTER", 20)
    monkeypatch.setattr("screening.identification.lifecycle.ANALYZE_AFTER", 20)
    before = _analyses()

    import_file_now(search, ris(5), "small.ris")
    assert _analyses() == before  # a handful of records: left to autovacuum

    import_file_now(search, ris(30, start=100), "bulk.ris")
    assert Record.objects.count() == 35
    assert _analyses() == before + 1
