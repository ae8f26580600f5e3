"""What an import writes is exactly what the parser read, whichever way the rows go.

On PostgreSQL the rows go through binary COPY, encoded in a second thread and sent in several COPY
statements; on SQLite through bulk_create. Both must store every field and the raw record as
parsed, cut CharFields to their length the same way, and roll everything back on an error.
"""

from __future__ import annotations

import io
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from screening.identification import imports, pgcopy, progress, writes
from screening.identification.importers import iter_records
from screening.models import ImportJob, Record
from tests.factories import ReviewFactory, SearchFactory

from .conftest import ris

pytestmark = pytest.mark.django_db

STORED = list(writes.RECORD_FIELDS)

AWKWARD_RIS = (
    "TY  - JOUR\n"
    "TI  - Tabs\tand back\\slashes \\N and “quotes” — Müller 中文題名\n"
    "AU  - Müller, José\n"
    "AU  - 王小明(Wang, Xiao-Ming)\n"
    "AB  - Line one\n"
    "of a wrapped abstract with a tab\there\n"
    "KW  - alpha; beta\n"
    "KW  - γ\n"
    "PY  - not a year\n"
    f"VL  - {'9' * 80}\n"
    f"DO  - 10.1000/{'x' * 300}\n"
    "SN  - 1234-5678\n"
    "UR  - https://www.scopus.com/inward/record.uri?eid=2-s2.0-85000000000\n"
    "ZZ  - an unknown tag, kept in raw only\n"
    "ER  - \n"
    "\n"
    "TY  - BOOK\n"
    "ER  - \n"
).encode()


def _parsed(content: bytes) -> list[dict]:
    return list(iter_records(io.BytesIO(content), filename="x.ris"))


def _stored(job: ImportJob) -> list[dict]:
    return list(Record.objects.filter(import_job=job).order_by("line").values(*STORED))


def _expected(record: dict) -> dict:
    out = {name: record[name] for name in STORED}
    for field in Record._meta.concrete_fields:
        limit = field.max_length if field.get_internal_type() == "CharField" else None
        if field.name in out and limit and len(out[field.name]) > limit:
            out[field.name] = out[field.name][:limit]
    return out


def test_every_field_and_the_raw_record_are_stored_as_parsed(search):
    job = imports.import_file_now(search, AWKWARD_RIS, "awkward.ris")
    assert job.status == ImportJob.Status.DONE, job.error
    parsed = _parsed(AWKWARD_RIS)
    assert _stored(job) == [_expected(r) for r in parsed]
    first = Record.objects.filter(import_job=job).order_by("line").first()
    assert "ZZ  - an unknown tag" in first.raw and "\t" in first.raw and "\\N" in first.raw
    assert len(first.volume) == 60 and len(first.doi) == 255  # cut as bulk_create's path cuts
    assert first.year is None and first.is_canonical and first.created_at is not None
    assert (first.review_id, first.search_id) == (search.review_id, search.pk)


def test_many_rows_in_several_statements_and_pieces_are_all_stored_once(search, monkeypatch):
    monkeypatch.setattr(pgcopy, "COPY_STATEMENT_ROWS", 7)
    monkeypatch.setattr(pgcopy, "COPY_PIECE_BYTES", 300)
    monkeypatch.setattr(pgcopy, "COPY_QUEUE_PIECES", 2)
    monkeypatch.setattr(writes, "BATCH_SIZE", 3)
    content = ris(50)
    job = imports.import_file_now(search, content, "many.ris")
    assert (job.status, job.records_imported) == (ImportJob.Status.DONE, 50)
    assert _stored(job) == [_expected(r) for r in _parsed(content)]


def test_a_parse_error_after_several_statements_rolls_everything_back(search, monkeypatch):
    monkeypatch.setattr(pgcopy, "COPY_STATEMENT_ROWS", 5)
    monkeypatch.setattr(pgcopy, "COPY_PIECE_BYTES", 200)
    good = ris(40)
    broken_at = good.count(b"\n") + 1
    job = imports.import_file_now(search, good + b"TI  - no type\nER  - \n", "broken.ris")
    assert job.status == ImportJob.Status.FAILED
    assert f"Line {broken_at}" in job.error
    assert Record.objects.count() == 0
    assert not [t for t in threading.enumerate() if t.name == "import-parser"]


def test_a_database_error_mid_way_stops_the_parser_and_rolls_back(search, monkeypatch):
    monkeypatch.setattr(writes, "BATCH_SIZE", 4)
    monkeypatch.setattr(pgcopy, "COPY_PIECE_BYTES", 100)
    monkeypatch.setattr(pgcopy, "COPY_QUEUE_PIECES", 1)

    def beat_fails(job_id, bytes_read, records):
        if records >= 8:
            raise RuntimeError("the connection broke")

    monkeypatch.setattr(progress, "beat", beat_fails)
    job = imports.import_file_now(search, ris(60), "a.ris")
    assert job.status == ImportJob.Status.FAILED
    assert "RuntimeError" in job.error
    assert Record.objects.count() == 0
    assert not [t for t in threading.enumerate() if t.name == "import-parser"]


def test_a_nul_character_is_refused_with_its_line_not_a_database_error(search):
    content = ris(2) + b"TY  - JOUR\nTI  - Binary \x00 junk\nER  - \n"
    line = ris(2).count(b"\n") + 1
    job = imports.import_file_now(search, content, "nul.ris")
    if connection.vendor == "postgresql":
        assert job.status == ImportJob.Status.FAILED
        assert "NUL character" in job.error and f"Line {line}" in job.error
        assert Record.objects.count() == 0
    else:  # SQLite stores it
        assert job.status == ImportJob.Status.DONE


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the record table's storage is PostgreSQL's"
)
def test_postgresql_keeps_records_cheap_to_write(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s", [Record._meta.db_table]
        )
        assert "toast_tuple_target=8160" in (cursor.fetchone()[0] or [])
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s", [Record._meta.db_table]
        )
        indexes = [row[0] for row in cursor.fetchall()]
    assert not [i for i in indexes if "varchar_pattern_ops" in i]
    assert not [i for i in indexes if i.endswith("(review_id)")]
    # No index no query uses (doi, pmid, year), none that an import's NULL cluster enters.
    assert not [i for i in indexes if i.endswith(("(doi)", "(pmid)", "(year)"))]
    assert [i for i in indexes if "(cluster_id)" in i] == [
        "CREATE INDEX screening_record_clustered ON public.screening_record USING btree"
        " (cluster_id) WHERE (cluster_id IS NOT NULL)"
    ]
    # No index that another one starts with (each would be one more entry per imported row)...
    assert not [i for i in indexes if i.endswith(("btree (search_id)", "(review_id, search_id)"))]
    prisma = [i for i in indexes if "(review_id, is_canonical" in i]
    assert prisma == [i for i in prisma if "(review_id, is_canonical, id) INCLUDE (search_id)" in i]
    # ...and no GIN entry for a record the search indexing has not reached (an import's rows).
    gin = [i for i in indexes if "USING gin" in i]
    assert {i.split()[2] for i in gin} == {
        "screening_record_search_doc",
        "screening_record_search_title_trgm",
        "screening_record_identifiers",
    }
    assert all("IS NOT NULL" in i for i in gin)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the composite foreign key is PostgreSQL's"
)
def test_postgresql_checks_a_records_search_and_review_with_one_key(search):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'f'",
            [Record._meta.db_table],
        )
        keys = dict(cursor.fetchall())
        names = pgcopy._foreign_keys(cursor)
    # One key for both columns, deferrable (so COPY sets it IMMEDIATE with the others)...
    both = keys.pop("screening_record_search_review_fk")
    assert both.startswith("FOREIGN KEY (search_id, review_id) REFERENCES screening_search(id, ")
    assert "DEFERRABLE INITIALLY DEFERRED" in both and "screening_record_search_review_fk" in names
    # ...and none of their own: the import job's and the cluster's keys are the others.
    assert sorted(d.split(")")[0] for d in keys.values()) == [
        "FOREIGN KEY (cluster_id",
        "FOREIGN KEY (import_job_id",
    ]
    other = SearchFactory(review=ReviewFactory())
    Record.objects.create(review=search.review, search=search, title="Right")
    for review, in_search in [(other.review, search), (search.review, other)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Record.objects.create(review=review, search=in_search, title="Wrong review")
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.parametrize(
    "value",
    [
        [],
        {},
        ["Müller, José", '“quoted” "and" back\\slash', "tab\tnew\nline \x01", "中文"],
        {"eid": "2-s2.0-85000000000", "issn": "1234-5678"},
        ["a", 1, None],  # not all strings: json's own encoder
        {"a": ["nested"]},
        {1: "an int key"},
    ],
)
def test_json_columns_are_encoded_as_json_writes_them(value):
    import json

    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert pgcopy._json_text(value) == expected
