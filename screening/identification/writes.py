"""The write path of an import: the parser's records streamed into the record table.

On PostgreSQL the rows go through binary COPY (`pgcopy`); elsewhere through bulk_create in
batches of BATCH_SIZE. Either way the caller holds the one transaction of the import.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.db import connection

from screening.identification import pgcopy, progress
from screening.identification.importers import ParseReport, iter_records
from screening.models import ImportJob, Record

# Rows per INSERT: large enough that round trips do not dominate, small enough to keep memory
# flat (about 2 x BATCH records are alive at any time).
BATCH_SIZE = 2000
_TRUNCATED = [
    (f.name, f.max_length)
    for f in Record._meta.concrete_fields
    if f.max_length and f.get_internal_type() == "CharField"
]
RECORD_FIELDS = (
    "title", "title_alt", "abstract", "authors", "authors_alt", "year", "journal", "volume",
    "issue", "pages", "doi", "pmid", "other_ids", "keywords", "language", "publication_type",
    "url", "source_key", "raw", "line",
)  # fmt: skip


def _record_rows(job: ImportJob, records: Iterable[dict]) -> Iterable[Record]:
    base = {"review_id": job.review_id, "search_id": job.search_id, "import_job_id": job.pk}
    truncated = _TRUNCATED
    for item in records:
        values = {name: item[name] for name in RECORD_FIELDS}
        for name, limit in truncated:
            value = values.get(name)
            if value and len(value) > limit:
                values[name] = value[:limit]
        yield Record(**base, **values)


def write_records(job: ImportJob, fh: IO[bytes], report: ParseReport) -> int:
    """Stream the file's records into the database; returns how many.

    On PostgreSQL the rows go through binary COPY while the file is parsed in a second thread
    (`pgcopy.write_copy`); elsewhere through bulk_create in batches.
    """
    options = {
        "filename": job.original_name,
        "column_map": job.column_map or None,
        "skip_bad_entries": job.skip_bad_entries,
        "allow_truncated": job.allow_truncated,
    }
    fmt, encoding = job.requested_format, job.requested_encoding or None
    if connection.vendor == "postgresql":
        return pgcopy.write_copy(job, fh, report, (fmt, encoding, options), RECORD_FIELDS,
                                 BATCH_SIZE)  # fmt: skip
    records = iter_records(fh, fmt=fmt, report=report, encoding=encoding, **options)
    batch: list[Record] = []
    written = 0
    create = Record.objects.bulk_create
    for row in _record_rows(job, records):
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            create(batch)
            written += len(batch)
            batch = []
            progress.beat(job.pk, progress.position(fh), written)
    if batch:
        create(batch)
        written += len(batch)
    return written


# An import of at least this many rows refreshes the planner's statistics itself: autovacuum
# may come much later, and until it does every page of a large review is planned blind.
ANALYZE_AFTER = 1000


def analyze(*models: Any) -> None:
    """ANALYZE the models' tables (PostgreSQL; elsewhere nothing). Runs outside the import's
    transaction, so the statistics see the committed rows."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
