"""An import's foreign keys are checked once for all its rows when the session may, per row
otherwise, and either way a row that points at the wrong search or job is never written.

Every row of an import carries its job's review, search and import job and no other key, so
pgcopy checks those ids once (with the locks the per-row checks take) and COPYs with the
per-row key triggers off (`session_replication_role = replica`, superusers and roles granted it).
"""

from __future__ import annotations

import io

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from screening.identification import imports, pgcopy, writes
from screening.identification.importers import ParseReport
from screening.models import ImportJob, Record
from tests.factories import ReviewFactory, SearchFactory

from .conftest import ris

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="binary COPY is PostgreSQL's"),
]

# COPY runs on psycopg's own cursor: a per-row check's error comes as psycopg raised it.
REFUSED = (IntegrityError, psycopg.IntegrityError)
BOTH_WAYS = pytest.mark.parametrize("once", [True, False], ids=["checked once", "per row"])


def _may(monkeypatch, once: bool) -> None:
    if once:
        with connection.cursor() as cursor:
            if not pgcopy.may_skip_row_checks(cursor):
                pytest.skip("this database role may not set session_replication_role")
    else:
        monkeypatch.setattr(pgcopy, "may_skip_row_checks", lambda cursor: False)


def _setting(cursor) -> str:
    cursor.execute("SHOW session_replication_role")
    return cursor.fetchone()[0]


@BOTH_WAYS
def test_an_import_is_stored_whole_and_the_checks_are_back_on_after_it(search, monkeypatch, once):
    _may(monkeypatch, once)
    used = []
    checked_once = pgcopy._keys_checked_once
    monkeypatch.setattr(
        pgcopy, "_keys_checked_once", lambda *a: used.append(checked_once(*a)) or used[-1]
    )
    job = imports.import_file_now(search, ris(30), "thirty.ris")
    assert (job.status, job.records_imported) == (ImportJob.Status.DONE, 30), job.error
    assert used == [once]
    assert Record.objects.filter(import_job=job, search=search).count() == 30
    with connection.cursor() as cursor:
        assert _setting(cursor) == "origin"
    # The keys are on again: a record of the wrong review is refused at once.
    other = SearchFactory(review=ReviewFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        Record.objects.create(review=other.review, search=search, title="Wrong review")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _write(job: ImportJob, content: bytes) -> int:
    fh = io.BytesIO(content)
    parse = ("auto", None, {"filename": "x.ris"})
    with transaction.atomic():
        return pgcopy.write_copy(
            job, fh, ParseReport(), parse, writes.RECORD_FIELDS, writes.BATCH_SIZE
        )


@BOTH_WAYS
def test_a_job_whose_review_is_not_its_searchs_writes_nothing(search, monkeypatch, once):
    _may(monkeypatch, once)
    other_review = ReviewFactory()
    job = ImportJob.objects.create(
        review=other_review, search=search, original_name="x.ris", sha256="0" * 64
    )
    with pytest.raises(REFUSED):
        _write(job, ris(12))
    assert Record.objects.count() == 0
    with connection.cursor() as cursor:
        assert _setting(cursor) == "origin"  # the rollback ended the COPY's setting too


@BOTH_WAYS
def test_a_job_that_is_not_in_the_database_writes_nothing(search, monkeypatch, once):
    _may(monkeypatch, once)
    job = ImportJob(pk=987654, review=search.review, search=search, original_name="x.ris")
    with pytest.raises(REFUSED):
        _write(job, ris(3))
    assert Record.objects.count() == 0


def test_the_record_table_has_no_insert_trigger_an_import_would_skip(db):
    # With the per-row key checks off, every trigger of the record table that is not a
    # constraint's stays silent for the COPY: today none fires on INSERT. A new one must fire
    # for imported rows too; pgcopy._keys_checked_once would then need another way.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass"
            " AND NOT tgisinternal AND tgtype & 4 = 4",
            [Record._meta.db_table],
        )
        assert cursor.fetchall() == []


def test_a_key_column_among_the_fields_keeps_the_per_row_checks(search):
    job = ImportJob.objects.create(
        review=search.review, search=search, original_name="x.ris", sha256="0" * 64
    )
    with connection.cursor() as cursor, transaction.atomic():
        assert not pgcopy._keys_checked_once(cursor, job, [*writes.RECORD_FIELDS, "cluster"])
        assert _setting(cursor) == "origin"
