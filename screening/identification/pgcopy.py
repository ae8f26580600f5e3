"""PostgreSQL's write path: records encoded as binary COPY rows in a thread of their own.

Text goes as UTF-8 with no escaping and the server does no text parsing either. The parsing
and the server's work overlap, one core each, and memory stays flat: encoded rows travel in
pieces of COPY_PIECE_BYTES, at most COPY_QUEUE_PIECES at a time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import queue
import struct
import threading
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from screening.identification import progress
from screening.identification.importers import ImportFormatError, ParseReport, iter_records
from screening.identification.second_parser import SecondParser, SecondParserFailed
from screening.models import ImportJob, Record

try:
    from screening.identification import _copy_rows
except ImportError:  # not compiled (no C compiler at install): rows encoded in Python alone
    _copy_rows = None

logger = logging.getLogger(__name__)
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
_SHORT = 4096  # values shorter than this many bytes take a length word made in advance


def write_copy(
    job: ImportJob,
    fh: IO[bytes],
    report: ParseReport,
    parse: tuple[str, str | None, dict],
    fields: Sequence[str],
    batch: int,
) -> int:
    """Stream the file's records into PostgreSQL with COPY; returns how many.

    `parse` is (format, encoding, iter_records's other options) of the import; `fields` are
    the record dict's keys stored; every `batch` rows the heartbeat beats.

    The parsing and the server's work overlap: a second thread parses the file and encodes
    rows (`_Producer`) while this one feeds COPY and waits for the server, which never waits
    for one big buffer; for a large RIS or MEDLINE file a forked process parses every other
    segment of it as well (`second_parser`). A parse error or a database error anywhere stops
    them all and propagates here, so the caller's transaction rolls back as before; a second
    parser that fails (killed, out of memory) is not the file's fault: the file is read again
    by this process alone.
    """
    columns, encode = _row_encoder(job, fields)
    sql = f"COPY {Record._meta.db_table} ({', '.join(columns)}) FROM STDIN (FORMAT binary)"
    fmt, encoding, options = parse
    start = fh.tell()
    # A large RIS or MEDLINE file: a second process parses every other segment of it.
    second = SecondParser.start(fh, report, fmt, encoding, lambda: Pieces(encode, batch),
                                **options)  # fmt: skip
    if second is not None:
        split = {**options, "file_head": second.file_head}
        records = iter_records(second.stream, fmt=fmt, report=report, encoding=encoding, **split)
        try:
            with transaction.atomic():  # a savepoint: what a failed second parser sent goes
                return _write(job, fh, sql, _Producer(records, encode, fh, batch, second),
                              fields, batch)  # fmt: skip
        except SecondParserFailed:
            # Not the file's fault: read it again, all in this process.
            logger.warning(
                "Import %s: the second parser failed; read by one", job.pk, exc_info=True
            )
            report.__dict__.update(ParseReport().__dict__)
            fh.seek(start)
        finally:
            second.close()
    records = iter_records(fh, fmt=fmt, report=report, encoding=encoding, **options)
    return _write(job, fh, sql, _Producer(records, encode, fh, batch), fields, batch)


def _write(job, fh, sql: str, producer: _Producer, fields: Sequence[str], batch: int) -> int:
    written = since_beat = 0
    with connection.cursor() as cursor:
        cur = cursor.cursor
        checked = _keys_checked_once(cursor, job, fields)
        # Otherwise the rows' foreign keys are checked at the end of each COPY statement rather
        # than all at commit, with nothing left to overlap them (deferred again below; a
        # rollback also restores the mode).
        keys = "" if checked else _foreign_keys(cursor)
        if checked:
            cur.execute("SET LOCAL session_replication_role = replica")
        elif keys:
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
                        if since_beat >= batch:
                            since_beat = 0
                            progress.beat(job.pk, position, written)
                    copy.write(_COPY_TRAILER)
        # On an error the caller's transaction rolls back, which ends a SET LOCAL as well.
        if checked:
            cur.execute("SET LOCAL session_replication_role = origin")
        elif keys:
            cur.execute(f"SET CONSTRAINTS {keys} DEFERRED")
    return written


def may_skip_row_checks(cursor) -> bool:
    """Whether this session may switch the per-row key checks off (see _keys_checked_once)."""
    if connection.pg_version >= 150000:
        cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
    else:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
    return bool(cursor.fetchone()[0])


def _keys_checked_once(cursor, job: ImportJob, fields: Sequence[str]) -> bool:
    """Check the foreign keys of all the import's rows at once, when the session may; returns
    whether it did (the COPY then runs with the per-row checks off).

    Every row of an import has the same keys, its job's review, search and import job (the
    encoder writes them as one constant head), and no other key column (no cluster), so one
    check of those three ids, taking the same FOR KEY SHARE locks as the per-row checks (a
    concurrent delete of the search or the job waits for the import, then fails on its rows),
    is the check of every row. Per row, the three key triggers were over a quarter of the
    server's CPU for an import (docs/benchmarks.md, "Where it stands: the import's keys checked
    once, and 500,000 records").

    Switching the per-row checks off is `session_replication_role = replica`, which only a
    superuser (or, from PostgreSQL 15, a role granted SET on it) may set; any other role keeps
    the per-row checks. screening_record has no trigger of its own that fires on INSERT (the
    whole-review counts are kept by the status table's triggers), so nothing else is skipped:
    a test holds that list.
    """
    meta = Record._meta
    if any(meta.get_field(name).is_relation for name in fields):
        return False  # a key column beyond the constant head: each row's value differs
    if not may_skip_row_checks(cursor):
        return False
    search, import_job = (
        meta.get_field(name).related_model._meta.db_table for name in ("search", "import_job")
    )
    # What the per-row checks ask (the record's review is checked through its search's key).
    cursor.execute(
        f"SELECT (SELECT 1 FROM {search} WHERE id = %s AND review_id = %s FOR KEY SHARE),"
        f" (SELECT 1 FROM {import_job} WHERE id = %s FOR KEY SHARE)",
        [job.search_id, job.review_id, job.pk],
    )
    if cursor.fetchone() != (1, 1):
        raise IntegrityError(
            f"the import's search ({job.search_id}) in review {job.review_id}, or its job"
            f" ({job.pk}), is not in the database: no record written"
        )
    return True


def _foreign_keys(cursor) -> str:
    """The record table's deferrable foreign-key constraints, as SET CONSTRAINTS names them."""
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'f' AND condeferrable",
        [Record._meta.db_table],
    )
    quote = connection.ops.quote_name
    return ", ".join(quote(name) for (name,) in cursor.fetchall())


_LENGTH = struct.Struct(">i").pack
_PACKERS = {
    "smallint": struct.Struct(">ih").pack,
    "integer": struct.Struct(">ii").pack,
    "bigint": struct.Struct(">iq").pack,
}
_SIZES = {"smallint": 2, "integer": 4, "bigint": 8}


def _kinds(fields: Sequence[str]) -> tuple[list[tuple[str, int | None]], list[str], list]:
    """The fields by how a row holds them: texts (with their max_length), jsons, integers (with
    their database type); `raw` is none of them (the encoder writes it after the texts)."""
    meta = Record._meta
    texts: list[tuple[str, int | None]] = []
    jsons: list[str] = []
    ints: list[tuple[str, Any]] = []
    for name in fields:
        field = meta.get_field(name)
        kind = field.get_internal_type()
        db_type = (field.db_type(connection) or "").split("(")[0]
        if name == "raw":
            continue  # last of the texts: it may come as bytes (see encode)
        if kind == "JSONField":
            jsons.append(name)
        elif kind in ("CharField", "TextField"):
            texts.append((name, field.max_length))
        elif db_type in _PACKERS:
            ints.append((name, db_type))
        else:  # a new column type: say so rather than send bytes the server misreads
            raise TypeError(f"no binary COPY encoding for Record.{name} ({db_type})")
    return texts, jsons, ints


def _row_encoder(job: ImportJob, fields: Sequence[str]) -> tuple[list[str], Any]:
    """(columns, encode): encode(record dict) -> one row of binary COPY (bytes) for `columns`.

    Text is stored as the parser gave it (CharFields cut to their max_length, as bulk_create's
    path does); lists and dicts as jsonb. The columns come grouped by kind (text, then json,
    then integers) so each row is encoded by three tight loops.
    """
    texts, jsons, ints = _kinds(fields)
    meta = Record._meta
    with_raw = "raw" in fields
    columns = [meta.get_field(name).column for name in ("review", "search", "import_job")]
    columns += [meta.get_field(name).column for name, _ in texts]
    columns += [meta.get_field("raw").column] if with_raw else []
    columns += [meta.get_field(name).column for name in jsons]
    columns += [meta.get_field(name).column for name, _ in ints]
    columns += [meta.get_field("is_canonical").column, meta.get_field("created_at").column]

    now = timezone.now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now)
    micros = (now - _PG_EPOCH) // dt.timedelta(microseconds=1)
    bigint = _PACKERS["bigint"]
    head = struct.pack(">h", len(columns)) + b"".join(
        bigint(8, i) for i in (job.review_id, job.search_id, job.pk)
    )
    tail = struct.pack(">ib", 1, 1) + bigint(8, micros)
    int_plan = [(name, _PACKERS[db_type], _SIZES[db_type]) for name, db_type in ints]
    length = _LENGTH
    null = length(-1)
    empty = length(0)
    dumps = _json_text
    empty_list = length(3) + b"\x01[]"
    empty_dict = length(3) + b"\x01{}"
    # The length words of short values, made once (struct.pack per value was a tenth of the
    # encoding's CPU).
    lengths = [length(n) for n in range(_SHORT)]

    def encode(item: dict) -> bytes:
        if with_raw:
            # A UTF-8 file's record comes with its bytes (`raw_utf8`): stored as they are.
            raw = item.get("raw_utf8") or item["raw"].encode()
            if b"\x00" in raw:
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
            size = len(data)
            add(lengths[size] if size < _SHORT else length(size))
            add(data)
        if with_raw:
            size = len(raw)
            add(lengths[size] if size < _SHORT else length(size))
            add(raw)
        for name in jsons:
            value = item[name]
            if not value:
                add(empty_dict if isinstance(value, dict) else empty_list)
                continue
            data = dumps(value).encode()
            size = len(data) + 1
            add(lengths[size] if size < _SHORT else length(size))
            add(b"\x01")  # jsonb's version byte
            add(data)
        for name, pack, size in int_plan:
            value = item[name]
            add(null if value is None else pack(size, value))
        add(tail)
        return b"".join(out)

    if _copy_rows is None:
        return columns, encode
    # The same rows written in C (_copy_rows.c), which leaves to `encode` every row it is not
    # sure of (a value of another type, a NUL in the raw record, a string with no UTF-8).
    plan = (head, tail, tuple(texts), with_raw, tuple(jsons),
            tuple((name, size) for name, _, size in int_plan))  # fmt: skip
    encode_row = _copy_rows.encode_row

    def encode_in_c(item: dict) -> bytes:
        row = encode_row(item, plan)
        return encode(item) if row is None else row

    encode_in_c.plan = plan  # type: ignore[attr-defined]  # what the tests hold equal
    return columns, encode_in_c


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_quote = json.encoder.encode_basestring  # a JSON string, as the encoder above writes it


def _json_text(value: Any) -> str:
    """`value` as compact JSON, the same text json's encoder writes. Lists of strings (authors,
    keywords) and dicts of strings (other_ids), nearly every value an import stores, are joined
    directly: json's encoder builds a new C encoder for every call, which cost more than the
    encoding itself (≈ 0.4 s of the parser thread's CPU per 100,000 RIS records)."""
    try:
        if type(value) is list:
            return "[" + ",".join(map(_quote, value)) + "]"
        if type(value) is dict:
            return "{" + ",".join([_quote(k) + ":" + _quote(v) for k, v in value.items()]) + "}"
    except TypeError:  # an item that is not a string: the general encoder
        pass
    return _dumps(value)


class Pieces:
    """Encoded rows gathered into pieces of about COPY_PIECE_BYTES, or of `batch` rows.

    piece = pieces.add(record)   # (data, rows) when a piece is full, else None
    piece = pieces.take()        # what is gathered, (data, rows), or None
    """

    def __init__(self, encode, batch: int) -> None:
        self._encode = encode
        self._batch = max(1, batch)
        self._bytes = COPY_PIECE_BYTES
        self._parts: list[bytes] = []
        self._size = self._rows = 0

    def add(self, item: dict) -> tuple[bytes, int] | None:
        row = self._encode(item)
        self._parts.append(row)
        self._size += len(row)
        self._rows += 1
        if self._size >= self._bytes or self._rows >= self._batch:
            return self.take()
        return None

    def take(self) -> tuple[bytes, int] | None:
        if not self._parts:
            return None
        piece = b"".join(self._parts), self._rows
        self._parts = []
        self._size = self._rows = 0
        return piece


class _Producer:
    """Parses and encodes records in a thread of its own, handing over pieces of rows.

        with _Producer(records, encode, fh, batch) as producer:
            while (piece := producer.next_piece()) is not None:
                data, rows, bytes_read = piece

    An exception of the parser (ImportFormatError, OSError...) is raised by next_piece. Leaving
    the block, normally or not, stops the thread and waits for it, so the file is not closed
    under it.
    """

    def __init__(
        self, records: Iterable[dict], encode, fh: IO[bytes], batch: int, second=None
    ) -> None:
        self._records = records
        self._second = second  # a SecondParser, whose rows come in between
        self._encode = encode
        self._fh = fh
        self._batch = max(1, batch)
        self._queue: queue.Queue = queue.Queue(maxsize=COPY_QUEUE_PIECES)
        self._stop = threading.Event()
        # The parser's messages are in the language of the import (the uploader's): the thread
        # takes it along, as a thread starts with none active.
        self._language = translation.get_language()
        self._thread = threading.Thread(target=self._speaking, name="import-parser", daemon=True)

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

    def _put_piece(self, piece: tuple[bytes, int] | None, fh: IO[bytes]) -> bool:
        """Hand over a piece with the bytes read so far (none: nothing to hand, True)."""
        return piece is None or self._put((*piece, progress.position(fh)))

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _speaking(self) -> None:
        with translation.override(self._language):
            self._run()

    def _run(self) -> None:
        fh, stop, second = self._fh, self._stop, self._second
        pieces = Pieces(self._encode, self._batch)
        add = pieces.add
        try:
            for item in self._records:
                if second is not None and item["line"] > second.next_end:
                    # The second parser's segments before this record: their rows first.
                    if not self._put_piece(pieces.take(), fh):
                        return
                    for piece in second.rows_before(item["line"]):
                        if not self._put(piece):
                            return
                piece = add(item)
                # A piece handed over: a stop asked meanwhile is seen here.
                if piece is not None and (not self._put_piece(piece, fh) or stop.is_set()):
                    return
            if not self._put_piece(pieces.take(), fh):
                return
            if second is not None:
                for piece in second.rows_before(None):
                    if not self._put(piece):
                        return
            self._put(_DONE)
        except BaseException as exc:  # handed to the writer, which raises it
            # With a second parser, the error one parser would have met first.
            self._put(second.error_before(exc) if second is not None else exc)
        finally:
            close = getattr(self._records, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()
