"""Searches and the import of their export files: store the upload, then parse and write records.

    job = store_upload(search, uploaded_file, "scopus.ris", user=lead)   # queued, task sent on commit
    run_import(job.pk)                                                   # what the Celery task does
    import_file_now(search, path, "scopus.ris")                          # both, synchronously

How an import stays atomic and idempotent (exactly one copy, whatever happens to the worker):
- The task claims the job with a conditional UPDATE (QUEUED -> RUNNING, or a RUNNING job whose
  worker stopped beating -> RUNNING again) and gives up if the claim matches nothing: a duplicate
  message for a job another worker is running, or one already done, does nothing.
- The whole write is ONE transaction that starts by locking the job row and deleting any rows of
  the job, streams the parser's records into bulk inserts, and marks the job DONE before it
  commits. A malformed file raises mid-way and rolls everything back (nothing of it is stored); a
  worker killed mid-way leaves an aborted transaction (PostgreSQL drops it with the connection).
  The row lock makes a second worker that took over wait, then find the job DONE.
- Progress (bytes read, records so far) cannot be seen inside an open transaction, so the worker
  publishes it in the cache, under a key that expires 3 x IMPORT_HEARTBEAT_SECONDS after the last
  beat. That key is the worker's heartbeat: a RUNNING job without it lost its worker, and
  `dispatch_pending` sends it again (as it does queued jobs the broker never received).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import logging
import queue
import struct
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import File
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from reviewapp import jobs
from reviewapp.audit import record_event
from reviewapp.models import Review
from reviewapp.services import ReviewError
from screening.identification import signals
from screening.identification.importers import (
    FORMATS,
    ImportFormatError,
    ParseReport,
    csv_columns,
    detect_format,
    guess_column_map,
    iter_records,
)
from screening.identification.importers.base import formats_we_read
from screening.models import ImportJob, Phase, Record, Search

logger = logging.getLogger(__name__)

Status = ImportJob.Status
HEAD_BYTES = 64 * 1024
# Rows per INSERT: large enough that round trips do not dominate, small enough to keep memory
# flat (about 2 x BATCH records are alive at any time).
BATCH_SIZE = 2000
# Queued jobs younger than this are left to the message already on its way.
REDISPATCH_AFTER = dt.timedelta(seconds=5)
REDISPATCH_THROTTLE_SECONDS = 30
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


class ImportRefused(ReviewError):
    """The upload cannot be accepted; the message says why, for the person who sent it."""


# ---------------------------------------------------------------------------------------------
# Searches
# ---------------------------------------------------------------------------------------------

SEARCH_FIELDS = ("source", "source_type", "date_run", "query", "phase", "notes")


def _search_state(search: Search) -> dict[str, Any]:
    return {f: str(getattr(search, f) or "") for f in SEARCH_FIELDS}


@transaction.atomic
def create_search(review: Review, user: Any, **fields: Any) -> Search:
    if not (fields.get("source") or "").strip():
        raise ReviewError("A search needs a source, e.g. Web of Science.")
    search = Search.objects.create(review=review, created_by=_user(user), **fields)
    record_event(review, user, "search.created", search, after=_search_state(search))
    return search


@transaction.atomic
def update_search(search: Search, user: Any, **fields: Any) -> Search:
    before = _search_state(search)
    for name, value in fields.items():
        setattr(search, name, value)
    search.save()
    record_event(
        search.review, user, "search.updated", search, before=before, after=_search_state(search)
    )
    return search


def search_for_source(review: Review, source: str, phase: str, user: Any = None) -> Search:
    """The review's search in this source and phase (the command line's way to name one)."""
    existing = review.searches.filter(source__iexact=source.strip(), phase=phase).first()
    return existing or create_search(review, user, source=source.strip(), phase=phase)


def searches_with_counts(review: Review):
    """Every search of the review with its record and file counts, in one query."""
    return review.searches.annotate(
        record_count=Count("records", distinct=True),
        file_count=Count("import_jobs", distinct=True),
    ).order_by("phase", "date_run", "id")


def counts_by_phase(review: Review) -> list[dict]:
    """[{"phase": "initial", "label": ..., "records": n, "searches": k}, ...] for the overview."""
    rows = {
        row["search__phase"]: row["n"]
        for row in review.records.values("search__phase").annotate(n=Count("id")).order_by()
    }
    searches = {
        row["phase"]: row["n"]
        for row in review.searches.values("phase").annotate(n=Count("id")).order_by()
    }
    return [
        {"phase": value, "label": label, "records": rows.get(value, 0), "searches": searches[value]}
        for value, label in Phase.choices
        if value in searches
    ]


# ---------------------------------------------------------------------------------------------
# Uploads
# ---------------------------------------------------------------------------------------------


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _as_file(data: Any, filename: str) -> tuple[IO[bytes], bool]:
    """A readable binary file for bytes, a path or a file object; True when we opened it."""
    if isinstance(data, bytes | bytearray):
        return io.BytesIO(bytes(data)), True
    if isinstance(data, str | Path):
        return open(data, "rb"), True
    return data, False


def _digest(fh: IO[bytes]) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    limit = settings.MAX_IMPORT_UPLOAD_BYTES
    while chunk := fh.read(1024 * 1024):
        sha.update(chunk)
        size += len(chunk)
        if size > limit:
            raise ImportRefused(
                f"The file is larger than the limit of {limit // (1024 * 1024)} MB. "
                "Split the export into several files."
            )
    fh.seek(0)
    return sha.hexdigest(), size


def _needs_mapping(fh: IO[bytes], filename: str, fmt: str) -> bool:
    """True for a CSV/XLSX whose header names no title, DOI or PMID column we recognise."""
    if fmt not in ("csv", "xlsx"):
        return False
    try:
        header = csv_columns(fh, filename)
    except ImportFormatError as exc:
        raise ImportRefused(str(exc)) from exc
    finally:
        fh.seek(0)
    return not ({"title", "doi", "pmid"} & guess_column_map(header).keys())


def _format_of(fh: IO[bytes], filename: str, fmt: str) -> str:
    if fmt != "auto" and fmt not in FORMATS:
        raise ImportRefused(f"Unknown format {fmt!r}. We read: {formats_we_read()}.")
    if fmt != "auto":
        return fmt
    head = fh.read(HEAD_BYTES)
    fh.seek(0)
    try:
        return detect_format(head, filename)
    except ImportFormatError as exc:
        raise ImportRefused(str(exc)) from exc


def store_upload(
    search: Search,
    data: Any,
    filename: str,
    *,
    fmt: str = "auto",
    user: Any = None,
    column_map: dict[str, str] | None = None,
    dispatch: bool = True,
    on_unavailable: Any = None,
) -> ImportJob:
    """Keep an uploaded export as a job of `search` and queue its import (after commit).

    Refuses (ImportRefused) a file that is too large, empty, in a format we do not read, or
    already uploaded to this review. A CSV/XLSX with unrecognised headers waits for the
    column-mapping step (status MAPPING) instead of being queued.
    """
    review = search.review
    fh, opened = _as_file(data, filename)
    try:
        sha, size = _digest(fh)
        if size == 0:
            raise ImportRefused(f"{filename} is empty.")
        detected = _format_of(fh, filename, fmt)
        waiting = column_map is None and _needs_mapping(fh, filename, detected)
        with transaction.atomic():
            # Serialise uploads to one review so two copies of a file sent at once are caught.
            Review.objects.select_for_update().filter(pk=review.pk).first()
            earlier = (
                review.import_jobs.filter(sha256=sha)
                .exclude(status=Status.FAILED)
                .select_related("search")
                .first()
            )
            if earlier is not None:
                raise ImportRefused(
                    f"{filename} was already uploaded to this review "
                    f"(as {earlier.original_name} in the search “{earlier.search}”, "
                    f"{timezone.localtime(earlier.created_at):%Y-%m-%d %H:%M}). "
                    "It was not imported again."
                )
            job = ImportJob(
                review=review,
                search=search,
                original_name=Path(filename).name[:300] or "upload",
                size=size,
                sha256=sha,
                requested_format=fmt,
                detected_format="" if fmt == "auto" and waiting else detected,
                column_map=column_map or {},
                status=Status.MAPPING if waiting else Status.QUEUED,
                created_by=_user(user),
            )
            job.file.save(job.original_name, File(fh, name=job.original_name), save=False)
            job.save()
            record_event(
                review,
                user,
                "import.uploaded",
                job,
                after={"file": job.original_name, "sha256": sha, "size": size, "format": fmt},
                message=f"{job.original_name} uploaded to {search}",
            )
            if dispatch and job.status == Status.QUEUED:
                jobs.enqueue(import_file, job.pk, on_unavailable=on_unavailable)
        return job
    finally:
        if opened:
            fh.close()


@transaction.atomic
def set_column_map(
    job: ImportJob, column_map: dict[str, str], user: Any, **enqueue: Any
) -> ImportJob:
    """The person chose which columns hold what: queue the waiting import."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status not in (Status.MAPPING, Status.FAILED):
        raise ImportRefused("This import is no longer waiting for its columns.")
    if not ({"title", "doi", "pmid"} & {k for k, v in column_map.items() if v}):
        raise ImportRefused("Choose at least the column holding the title (or the DOI or PMID).")
    job.column_map = {k: v for k, v in column_map.items() if v}
    job.status = Status.QUEUED
    job.error = ""
    job.save(update_fields=["column_map", "status", "error"])
    record_event(job.review, user, "import.columns_mapped", job, after=job.column_map)
    jobs.enqueue(import_file, job.pk, **enqueue)
    return job


def job_columns(job: ImportJob) -> list[str]:
    with job.file.open("rb") as fh:
        return csv_columns(fh, job.original_name)


# ---------------------------------------------------------------------------------------------
# Running an import
# ---------------------------------------------------------------------------------------------


def _live_key(job_id: int) -> str:
    return f"screening:import:{job_id}:live"


def _beat(job_id: int, bytes_read: int, records: int) -> None:
    try:
        cache.set(
            _live_key(job_id),
            {"bytes": bytes_read, "records": records},
            timeout=3 * settings.IMPORT_HEARTBEAT_SECONDS,
        )
    except Exception:  # the cache is a convenience: an import never fails for it
        logger.warning("Could not publish the progress of import %s", job_id, exc_info=True)


def live_progress(job: ImportJob) -> dict | None:
    """{"bytes": n, "records": k} while a worker is running the job, else None."""
    try:
        return cache.get(_live_key(job.pk))
    except Exception:
        return None


def _claim(job_id: int) -> ImportJob | None:
    """Mark the job RUNNING for this worker, or None when it is not ours to run."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (Status.DONE, Status.FAILED, Status.MAPPING):
        return None
    if job.status == Status.RUNNING and live_progress(job) is not None:
        return None  # another worker is alive and on it
    claimed = ImportJob.objects.filter(pk=job_id, status=job.status, attempts=job.attempts).update(
        status=Status.RUNNING, attempts=job.attempts + 1, started_at=timezone.now()
    )
    if not claimed:
        return None
    _beat(job_id, 0, 0)
    job.refresh_from_db()
    return job


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


def _write(job: ImportJob, fh: IO[bytes], report: ParseReport) -> int:
    """Stream the file's records into the database; returns how many.

    On PostgreSQL the rows go through binary COPY while the file is parsed in a second thread
    (`_write_copy`); elsewhere through bulk_create in batches.
    """
    records = iter_records(
        fh,
        fmt=job.requested_format,
        filename=job.original_name,
        report=report,
        column_map=job.column_map or None,
    )
    if connection.vendor == "postgresql":
        return _write_copy(job, fh, records)
    batch: list[Record] = []
    written = 0
    create = Record.objects.bulk_create
    for row in _record_rows(job, records):
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            create(batch)
            written += len(batch)
            batch = []
            _beat(job.pk, _tell(fh), written)
    if batch:
        create(batch)
        written += len(batch)
    return written


# PostgreSQL: rows go through COPY in its binary format, which the parser's thread encodes (text
# as UTF-8, no escaping; the server does no text parsing either).
_PG_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_COPY_TRAILER = b"\xff\xff"
# Rows per COPY statement. The foreign keys of a statement's rows are checked when it ends (not
# all at commit), while the parser's thread goes on with the next rows.
COPY_STATEMENT_ROWS = 5000
# Encoded rows travel from the parser's thread to the writer in pieces of about this size, at
# most COPY_QUEUE_PIECES at a time: what an import holds in memory does not grow with the file.
COPY_PIECE_BYTES = 256 * 1024
COPY_QUEUE_PIECES = 48
_DONE = object()


def _write_copy(job: ImportJob, fh: IO[bytes], records: Iterable[dict]) -> int:
    """Stream the records into PostgreSQL with COPY; returns how many.

    The parsing and the server's work overlap, one core each: a second thread parses the file
    and encodes rows (`_Producer`) while this one feeds COPY and waits for the server, which
    never waits for one big buffer. A parse error or a database error anywhere stops both and
    propagates here, so the caller's transaction rolls back as before.
    """
    columns, encode = _row_encoder(job)
    sql = f"COPY {Record._meta.db_table} ({', '.join(columns)}) FROM STDIN (FORMAT binary)"
    producer = _Producer(records, encode, fh, BATCH_SIZE)
    written = since_beat = 0
    with connection.cursor() as cursor:
        cur = cursor.cursor
        # The rows' foreign keys are checked at the end of each COPY statement rather than all at
        # commit, with nothing left to overlap them (deferred again below; a rollback also
        # restores the mode).
        keys = _foreign_keys(cursor)
        if keys:
            cur.execute(f"SET CONSTRAINTS {keys} IMMEDIATE")
        with producer:
            done = False
            while not done:
                with cur.copy(sql) as copy:
                    copy.write(_COPY_SIGNATURE)
                    in_statement = 0
                    while in_statement < COPY_STATEMENT_ROWS:
                        piece = producer.next_piece()
                        if piece is None:
                            done = True
                            break
                        data, rows, position = piece
                        copy.write(data)
                        in_statement += rows
                        written += rows
                        since_beat += rows
                        if since_beat >= BATCH_SIZE:
                            since_beat = 0
                            _beat(job.pk, position, written)
                    copy.write(_COPY_TRAILER)
        if keys:
            cur.execute(f"SET CONSTRAINTS {keys} DEFERRED")
    return written


def _foreign_keys(cursor) -> str:
    """The record table's deferrable foreign-key constraints, as SET CONSTRAINTS names them."""
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'f' AND condeferrable",
        [Record._meta.db_table],
    )
    quote = connection.ops.quote_name
    return ", ".join(quote(name) for (name,) in cursor.fetchall())


def _row_encoder(job: ImportJob) -> tuple[list[str], Any]:
    """(columns, encode): encode(record dict) -> one row of binary COPY (bytes) for `columns`.

    Text is stored as the parser gave it (CharFields cut to their max_length, as bulk_create's
    path does); lists and dicts as jsonb. The columns come grouped by kind (text, then json,
    then integers) so each row is encoded by three tight loops.
    """
    meta = Record._meta
    texts: list[tuple[str, int | None]] = []
    jsons: list[str] = []
    ints: list[tuple[str, Any]] = []
    length = struct.Struct(">i").pack
    packers = {
        "smallint": struct.Struct(">ih").pack,
        "integer": struct.Struct(">ii").pack,
        "bigint": struct.Struct(">iq").pack,
    }
    sizes = {"smallint": 2, "integer": 4, "bigint": 8}
    for name in RECORD_FIELDS:
        field = meta.get_field(name)
        kind = field.get_internal_type()
        db_type = (field.db_type(connection) or "").split("(")[0]
        if kind == "JSONField":
            jsons.append(name)
        elif kind in ("CharField", "TextField"):
            texts.append((name, field.max_length))
        elif db_type in packers:
            ints.append((name, db_type))
        else:  # a new column type: say so rather than send bytes the server misreads
            raise TypeError(f"no binary COPY encoding for Record.{name} ({db_type})")
    columns = [meta.get_field(name).column for name in ("review", "search", "import_job")]
    columns += [meta.get_field(name).column for name, _ in texts]
    columns += [meta.get_field(name).column for name in jsons]
    columns += [meta.get_field(name).column for name, _ in ints]
    columns += [meta.get_field("is_canonical").column, meta.get_field("created_at").column]

    now = timezone.now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now)
    micros = (now - _PG_EPOCH) // dt.timedelta(microseconds=1)
    bigint = packers["bigint"]
    head = struct.pack(">h", len(columns)) + b"".join(
        bigint(8, i) for i in (job.review_id, job.search_id, job.pk)
    )
    tail = struct.pack(">ib", 1, 1) + bigint(8, micros)
    int_plan = [(name, packers[db_type], sizes[db_type]) for name, db_type in ints]
    null = length(-1)
    empty = length(0)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    empty_list = length(3) + b"\x01[]"
    empty_dict = length(3) + b"\x01{}"

    def encode(item: dict) -> bytes:
        raw = item["raw"]
        if raw and "\x00" in raw:
            raise ImportFormatError(
                "the record contains a NUL character (\\x00), which is not text; "
                "is this a binary file?",
                item.get("line"),
            )
        out = [head]
        add = out.append
        for name, limit in texts:
            value = item[name]
            if not value:
                add(empty)
                continue
            try:
                if limit and len(value) > limit:
                    value = value[:limit]
                data = value.encode()
            except (AttributeError, TypeError):  # not a str: stored as str() writes it
                data = str(value)[:limit].encode()
            add(length(len(data)))
            add(data)
        for name in jsons:
            value = item[name]
            if not value:
                add(empty_dict if isinstance(value, dict) else empty_list)
                continue
            data = b"\x01" + dumps(value).encode()
            add(length(len(data)))
            add(data)
        for name, pack, size in int_plan:
            value = item[name]
            add(null if value is None else pack(size, value))
        add(tail)
        return b"".join(out)

    return columns, encode


class _Producer:
    """Parses and encodes records in a thread of its own, handing over pieces of rows.

        with _Producer(records, encode, fh, batch) as producer:
            while (piece := producer.next_piece()) is not None:
                data, rows, bytes_read = piece

    An exception of the parser (ImportFormatError, OSError...) is raised by next_piece. Leaving
    the block, normally or not, stops the thread and waits for it, so the file is not closed
    under it.
    """

    def __init__(self, records: Iterable[dict], encode, fh: IO[bytes], batch: int) -> None:
        self._records = records
        self._encode = encode
        self._fh = fh
        self._batch = max(1, batch)
        self._queue: queue.Queue = queue.Queue(maxsize=COPY_QUEUE_PIECES)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="import-parser", daemon=True)

    def __enter__(self) -> _Producer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._stop.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):
                while True:
                    self._queue.get_nowait()  # unblock a put
            self._thread.join(timeout=0.05)

    def next_piece(self) -> tuple[bytes, int, int] | None:
        while True:
            try:
                item = self._queue.get(timeout=1.0)
                break
            except queue.Empty:
                if not self._thread.is_alive() and self._queue.empty():
                    raise RuntimeError("the import's parser thread stopped") from None
        if item is _DONE:
            return None
        if isinstance(item, BaseException):
            raise item
        return item

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        encode, fh, batch, stop = self._encode, self._fh, self._batch, self._stop
        parts: list[bytes] = []
        size = rows = 0
        try:
            for item in self._records:
                data = encode(item)
                parts.append(data)
                size += len(data)
                rows += 1
                if size >= COPY_PIECE_BYTES or rows >= batch:
                    if not self._put((b"".join(parts), rows, _tell(fh))):
                        return
                    parts = []
                    size = rows = 0
                    if stop.is_set():
                        return
            if parts and not self._put((b"".join(parts), rows, _tell(fh))):
                return
            self._put(_DONE)
        except BaseException as exc:  # handed to the writer, which raises it
            self._put(exc)
        finally:
            close = getattr(self._records, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()


def _tell(fh: IO[bytes]) -> int:
    try:
        return fh.tell()
    except (OSError, ValueError):
        return 0


def run_import(job_id: int) -> ImportJob:
    """Parse the job's file and write its records: all of them, exactly once, or none."""
    job = _claim(job_id)
    if job is None:
        return ImportJob.objects.get(pk=job_id)
    attempt = job.attempts
    report = ParseReport()
    try:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job_id)
            if locked.status == Status.DONE or locked.attempts != attempt:
                return locked  # a later claim owns it, or it finished while we waited
            # Rows of an earlier attempt survive only if a transaction committed them without
            # the DONE mark; never in this design, but a retry must never leave a second copy.
            Record.objects.filter(import_job_id=job_id).delete()
            with job.file.open("rb") as fh:
                count = _write(locked, fh, report)
            _finish(locked, report, count)
    except ImportFormatError as exc:
        return _fail(job_id, attempt, str(exc), report)
    except (OperationalError, InterfaceError):
        # Transient: hand the job back so the retried task can claim it again.
        ImportJob.objects.filter(pk=job_id, attempts=attempt).update(status=Status.QUEUED)
        raise
    except Exception as exc:
        logger.exception("Import %s failed", job_id)
        return _fail(
            job_id, attempt, f"The import failed unexpectedly ({type(exc).__name__}).", report
        )
    finally:
        with contextlib.suppress(Exception):
            cache.delete(_live_key(job_id))
    after_import(locked)
    return locked


def _finish(job: ImportJob, report: ParseReport, count: int) -> None:
    job.status = Status.DONE
    job.detected_format = report.format
    job.encoding = report.encoding
    job.records_imported = count
    job.progress = job.size
    job.warnings = [[line, message] for line, message in report.warnings]
    if report.warnings_dropped:
        job.warnings.append([None, f"{report.warnings_dropped} more warnings not shown"])
    job.error = ""
    job.finished_at = timezone.now()
    job.save()
    record_event(
        job.review,
        job.created_by,
        "import.done",
        job,
        after={
            "records": count,
            "format": job.detected_format,
            "encoding": job.encoding,
            "warnings": len(job.warnings),
        },
        message=f"{count} records imported from {job.original_name}",
    )


def _fail(job_id: int, attempt: int, error: str, report: ParseReport) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.attempts != attempt or job.status == Status.DONE:
            return job
        job.status = Status.FAILED
        job.error = error
        job.detected_format = report.format or job.detected_format
        job.encoding = report.encoding
        job.warnings = [[line, message] for line, message in report.warnings]
        job.records_imported = 0
        job.finished_at = timezone.now()
        job.save()
        record_event(
            job.review, job.created_by, "import.failed", job, after={"error": error}, message=error
        )
    return job


def after_import(job: ImportJob) -> None:
    """Called once after each successful import, outside its transaction.

    De-duplication listens (it queues the review's new records against everything earlier).
    """
    signals.records_imported.send(sender=ImportJob, job=job)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def import_file(self, job_id: int) -> dict:
    """Import the stored file of ImportJob `job_id` (idempotent; see the module docstring)."""
    try:
        job = run_import(job_id)
    except (OperationalError, InterfaceError) as exc:
        raise self.retry(exc=exc, countdown=min(300, 10 * 2**self.request.retries)) from exc
    return {"job": job.pk, "status": job.status, "records": job.records_imported}


def import_file_now(
    search: Search,
    path_or_bytes: Any,
    filename: str,
    fmt: str = "auto",
    user: Any = None,
    column_map: dict[str, str] | None = None,
) -> ImportJob:
    """Store and import a file synchronously (command line, demo, tests).

    Raises ImportRefused when the upload is refused; a file that fails to parse gives a FAILED
    job with its error. A CSV/XLSX with unrecognised headers comes back waiting (MAPPING).
    """
    job = store_upload(
        search, path_or_bytes, filename, fmt=fmt, user=user, column_map=column_map, dispatch=False
    )
    if job.status == Status.QUEUED:
        job = run_import(job.pk)
    return job


# ---------------------------------------------------------------------------------------------
# Re-dispatching what the broker lost
# ---------------------------------------------------------------------------------------------


def dispatch_pending(review: Review) -> int | None:
    """Send again the review's jobs the broker lost: queued ones never received (Redis was down)
    and running ones whose worker died. Returns how many were sent, None if the queue is down.

    Cheap enough to call on page views: one query, and each job at most every 30 seconds.
    """
    now = timezone.now()
    lifetime = dt.timedelta(seconds=3 * settings.IMPORT_HEARTBEAT_SECONDS)
    pending = review.import_jobs.filter(
        Q(status=Status.QUEUED, created_at__lt=now - REDISPATCH_AFTER)
        | Q(status=Status.RUNNING, started_at__lt=now - lifetime)
    ).only("pk", "status", "sha256")
    sent = 0
    for job in pending:
        if job.status == Status.RUNNING and live_progress(job) is not None:
            continue
        throttle = f"screening:import:{job.pk}:{job.sha256[:12]}:dispatched"
        try:
            if not cache.add(throttle, 1, timeout=REDISPATCH_THROTTLE_SECONDS):
                continue
        except Exception:
            return None  # the cache lives in Redis: the queue is down too
        try:
            jobs.send(import_file, job.pk)
        except jobs.QueueUnavailable:
            cache.delete(throttle)
            return None
        sent += 1
    return sent


def report_lines(job: ImportJob) -> list[str]:
    """The import report as text: what the job page shows and the command line prints."""
    fmt = FORMATS.get(job.detected_format, job.detected_format or "not detected")
    lines = [
        f"File: {job.original_name} ({job.size:,} bytes) -> search “{job.search}”",
        f"Status: {job.get_status_display()}",
        f"Format: {fmt}" + (" (chosen)" if job.requested_format != "auto" else " (detected)"),
        f"Encoding: {job.encoding or '-'}",
        f"Records imported: {job.records_imported:,}",
    ]
    for line, message in job.warnings:
        lines.append(f"Warning{f' (line {line})' if line else ''}: {message}")
    if job.error:
        lines.append(f"Error: {job.error}")
    return lines
