"""A second process parses every other segment of a large RIS or MEDLINE import.

    second = SecondParser.start(fh, report, fmt, encoding, lambda: Pieces(encode, batch),
                                filename=..., allow_truncated=...)   # None: one process
    records = iter_records(second.stream, ..., file_head=second.file_head)
    for item in records:
        if item["line"] > second.next_end:
            for piece in second.rows_before(item["line"]): ...   # its rows that come first
        ...
    for piece in second.rows_before(None): ...                   # the rest
    second.close()

(`pgcopy._Producer` does this.) Parsing and encoding rows in Python is the import's critical
path, and one Python process does it on one core however many the machine has (on two cores
the parse and the server's work together fill both: see docs/benchmarks.md, "A second process
for the parse"); where the format's reader is compiled it no longer is (`worth_it`). Here a forked child cuts the file into segments
(`importers.segments`) and parses and encodes the odd ones (but the last) into spool files,
while this process parses the even ones: its stream (`stream`) gives those bytes and, in place
of each of the child's segments, as many empty lines, so its parser counts every line of the
file and sees nothing between two records. The rows reach COPY in file order; the child's
warnings join the report where their lines fall (`ParseReport.before`), its error is raised
where one parser would have met it (`error_before`). The child touches no database connection,
holds at most AHEAD segments' rows on disk, and leaves with os._exit; its messages come back on
a pipe, pickled.
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import io
import os
import pickle
import select
import shutil
import signal
import struct
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.conf import settings

from screening.identification.importers import (
    ImportFormatError,
    TruncatedFileError,
    detect_encoding,
    detect_format,
    iter_records,
    medline,
    ris,
    textio,
)
from screening.identification.importers import segments as cutting
from screening.identification.importers.base import ParseReport

# A file smaller than this is parsed by one process: the cutting would not pay.
MIN_BYTES = 8 * 1024 * 1024
# A segment's size: a sixteenth of the file, between these.
SEGMENT_BYTES = (1024 * 1024, 8 * 1024 * 1024)
# The child parses at most this many segments ahead of the rows this process has sent.
AHEAD = 2
_HEADER = struct.Struct(">II")  # a spooled piece: its size, its rows
_LENGTH = struct.Struct(">I")
_NONE = float("inf")


def worth_it(fmt: str) -> bool:
    """Whether a second parser shortens an import of `fmt` (settings.IMPORT_SECOND_PARSER).
    "auto": only where the format's reader is not compiled. With the compiled readers
    (importers/_tagged.c) and rows (_copy_rows.c), parsing and encoding 100,000 records take
    2.3-2.4 s of CPU against the server's 2.5-3.0, RIS and MEDLINE alike, and the split's own
    cost is not won back: one process was faster in every alternated pair (docs/benchmarks.md,
    "MEDLINE's fields and the COPY rows in C")."""
    mode = settings.IMPORT_SECOND_PARSER
    if mode != "auto":
        return mode == "always"
    reader = {"ris": ris, "medline": medline}.get(fmt)
    return reader is None or not reader.compiled()


class SecondParserFailed(OSError):
    """The second process stopped or failed: like a storage failure, not the file's content
    (whose errors are ImportFormatError), so the parse lets it through as it is."""


def _send(fd: int, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts = []
    while size:
        part = os.read(fd, min(size, 1 << 20))
        if not part:
            return None
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _receive(fd: int) -> Any:
    head = _read_exactly(fd, _LENGTH.size)
    data = head and _read_exactly(fd, _LENGTH.unpack(head)[0])
    if data is None:
        raise SecondParserFailed("the import's second parser stopped before its end")
    return pickle.loads(data)


def _mine(segment: cutting.Segment) -> bool:
    """Whether the child parses the segment: the odd ones, never the last (whose end the
    file's own parser judges, knowing every record before it)."""
    return segment.index % 2 == 1 and not segment.last


class SecondParser:
    @classmethod
    def start(
        cls,
        fh: IO[bytes],
        report: ParseReport,
        fmt: str,
        encoding: str | None,
        pieces: Callable[[], Any],
        **options: Any,
    ) -> SecondParser | None:
        """Fork the second parser for this import, or None when one process does it all: a
        small file, a format or encoding that is not cut, a file with no descriptor, one core.
        `fmt` and `encoding` are the import's (either may be left to detection, as the
        parse does); `pieces()` gathers the child's encoded rows (`pgcopy.Pieces`); `options`
        are iter_records's other options."""
        if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
            return None
        try:
            fd = fh.fileno()
            size = os.fstat(fd).st_size
        except (AttributeError, OSError, io.UnsupportedOperation):
            return None
        if size < MIN_BYTES:
            return None
        head = textio.read_head(fh)[0]
        fmt, encoding = _resolved(head, fmt, options.get("filename", ""), encoding)
        if fmt is None or not cutting.splittable(fmt, encoding) or not worth_it(fmt):
            return None
        target = min(max(size // 16, SEGMENT_BYTES[0]), SEGMENT_BYTES[1])
        return cls(fh, fd, size, head, report, fmt, encoding, target, pieces, options)

    def __init__(self, fh, fd, size, head, report, fmt, encoding, target, pieces, options) -> None:
        self._fh = fh
        self.file_head = head  # what the stream's parse judges the file by
        self._report = report
        _remove_stale_spools()
        self._spool = tempfile.mkdtemp(prefix=f"{_SPOOL}{os.getpid()}-")
        # Held (by the child too, which inherits it) until the import's processes are gone:
        # the kernel lets go of it however they end, so a spool nobody holds is stale.
        self._lock = os.open(self._spool, os.O_RDONLY)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self._segments: list[cutting.Segment] = []
        self._parsed: dict[int, tuple] = {}  # the child's segments: (error, findings)
        self._unwarned: collections.deque[int] = collections.deque()  # child's, in order
        self._unsent: collections.deque[int] = collections.deque()
        self._counted = False  # the child's counts are in the report
        self._cut = False  # every segment's place is known
        self._ended = False
        self.next_end: float = _NONE
        results, child_results = os.pipe()
        child_go, go = os.pipe()
        with warnings.catch_warnings():
            # Python warns of fork in a threaded process: the child takes no lock another
            # thread may hold (no logging, no database, no import) and ends with os._exit.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child
            code = 1
            try:
                os.close(results)
                os.close(go)
                for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"):
                    signal.signal(getattr(signal, name), signal.SIG_DFL)
                _Child(fd, size, fmt, encoding, target, pieces, options, self._spool,
                       child_results, child_go).run()  # fmt: skip
                code = 0
            finally:
                os._exit(code)
        os.close(child_results)
        os.close(child_go)
        self._pid = pid
        self._results = results
        self._go = go
        self._given = 0  # segments the child may parse (a byte on `go` each)
        self._ordinal: dict[int, int] = {}  # the child's segments: 1 for its first...
        self._allow(AHEAD)
        report.before = self._warnings_before
        self.stream = _OwnSegments(self)

    # What the file's own parse asks for, in file order.

    def segment(self, index: int) -> cutting.Segment:
        while len(self._segments) <= index:
            self._read_message()
        return self._segments[index]

    def _next_end(self) -> None:
        """`next_end`: the last line of the child's next segment not yet sent (inf: none)."""
        self.next_end = self._segments[self._unsent[0]].last_line if self._unsent else _NONE

    def rows_before(self, line: int | None) -> Iterator[tuple[bytes, int, int]]:
        """The child's rows, as (data, rows, bytes read) pieces, of its segments that end
        before `line` (None: all of them); raises the first such segment's error."""
        while line is None and not self._cut:
            self._read_message()
        while self._unsent:
            index = self._unsent[0]
            segment = self._segments[index]
            if line is not None and segment.last_line >= line:
                return
            error = self._result(index)[0]
            self._warnings_before(segment.last_line + 1)
            if error is not None:
                raise error
            path = os.path.join(self._spool, f"{index}.copy")
            with open(path, "rb") as spool:
                while head := spool.read(_HEADER.size):
                    size, count = _HEADER.unpack(head)
                    yield spool.read(size), count, segment.end
            os.unlink(path)
            self._unsent.popleft()
            self._next_end()
            self._allow(self._ordinal[index] + AHEAD)

    def error_before(self, exc: BaseException) -> BaseException:
        """The error one parser would have met first: the child's, in a segment before where
        `exc` (this process's) arose, or `exc`."""
        line = getattr(exc, "line", None)
        with contextlib.suppress(SecondParserFailed):
            for index in list(self._unsent):
                segment = self._segments[index]
                before = segment.last_line < line if line else segment.end <= self.stream.read_to
                if not before:
                    break
                error = self._result(index)[0]
                if error is not None:
                    return error
        return exc

    def take_in_counts(self) -> None:
        """At the end of the file: every child segment's records and endings join the report
        before the last record is judged (whatever their order, see Ending.merge)."""
        while not self._cut:
            self._read_message()
        if self._counted:  # (a stream read again after its end)
            return
        self._counted = True
        for index in self._ordinal:
            self._report.take_in_counts(self._result(index)[1])

    def close(self) -> None:
        self._report.before = None
        for fd in (self._results, self._go):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)
        shutil.rmtree(self._spool, ignore_errors=True)
        with contextlib.suppress(OSError):
            os.close(self._lock)

    def _warnings_before(self, line: int) -> None:
        while self._unwarned:
            segment = self._segments[self._unwarned[0]]
            if segment.last_line >= line:
                return
            self._report.take_in_warnings(self._result(segment.index)[1])
            self._unwarned.popleft()

    def _allow(self, segments: int) -> None:
        """Let the child parse its first `segments` segments: AHEAD more than this process
        has sent, or as far as this process waits for."""
        if segments > self._given:
            with contextlib.suppress(OSError):
                os.write(self._go, b"\x01" * (segments - self._given))
            self._given = segments

    def _result(self, index: int) -> tuple[ImportFormatError | None, cutting.Findings]:
        """(its error, its findings) of the child's segment, once the child has parsed it."""
        self._allow(self._ordinal[index])
        while index not in self._parsed:
            self._read_message()
        return self._parsed[index]

    def _read_message(self) -> None:
        if self._ended:
            raise SecondParserFailed("the import's second parser has no more to say")
        message = _receive(self._results)
        kind = message[0]
        if kind == "segment":
            segment = message[1]
            self._segments.append(segment)
            if _mine(segment):
                self._ordinal[segment.index] = len(self._ordinal) + 1
                self._unwarned.append(segment.index)
                self._unsent.append(segment.index)
                self._next_end()
        elif kind == "parsed":
            _, index, error, findings = message
            if error is not None:
                name, text, line = error
                error = (TruncatedFileError if name == "TruncatedFileError" else
                         ImportFormatError)(text, line)  # fmt: skip
            self._parsed[index] = (error, findings)
        elif kind == "cut":
            self._cut = True
        elif kind == "end":
            self._ended = True
        else:
            raise SecondParserFailed(f"the import's second parser failed:\n{message[1]}")


_SPOOL = "import-segments-"
# A spool folder younger than this whose process lives may be one being made (created, not yet
# locked); older, its lock alone tells (a killed worker's pid may be another process's now).
_SPOOL_SETTLES = 60.0


def _remove_stale_spools() -> None:
    """Spool folders of imports whose processes are gone (a worker killed mid-import): no
    process holds their lock."""
    folder = tempfile.gettempdir()
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        pid = name[len(_SPOOL) :].split("-", 1)[0]
        if not name.startswith(_SPOOL) or not pid.isdigit():
            continue
        path = os.path.join(folder, name)
        with contextlib.suppress(OSError):
            if _alive(int(pid)) and time.time() - os.stat(path).st_mtime < _SPOOL_SETTLES:
                continue
            lock = os.open(path, os.O_RDONLY)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # an import is using it
            finally:
                os.close(lock)
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass  # another user's process
    return True


def _resolved(head: bytes, fmt: str, filename: str, encoding: str | None) -> tuple[str | None, str]:
    """The format and encoding the parse will find (as iter_records finds them), or None."""
    try:
        encoding = textio.codec_name(encoding) if encoding else detect_encoding(head)
        if fmt == "auto":
            fmt = detect_format(head, filename, encoding)
    except (ImportFormatError, LookupError):
        return None, ""
    return fmt, encoding


class _OwnSegments(io.RawIOBase):
    """The file as this process parses it: its own segments' bytes, and for each of the
    child's segments as many empty lines ("\\n") as it has lines."""

    def __init__(self, second: SecondParser) -> None:
        self._second = second
        self._index = 0
        self._position = 0  # in the current segment: bytes read, or empty lines given
        self.read_to = 0  # the file's bytes read through here (or stood in for)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        second = self._second
        while True:
            segment = second.segment(self._index)
            if _mine(segment):
                n = min(len(buffer), segment.lines - self._position)
                if n > 0:
                    buffer[:n] = b"\n" * n
                    self._position += n
                    return n
            else:
                fh = second._fh
                wanted = min(len(buffer), segment.end - segment.start - self._position)
                if wanted > 0:
                    offset = segment.start + self._position
                    if fh.tell() != offset:
                        fh.seek(offset)
                    n = fh.readinto(memoryview(buffer)[:wanted]) or 0
                    self._position += n
                    self.read_to = offset + n
                    if n:
                        return n
                if segment.last:
                    second.take_in_counts()
                    return 0
            self._index += 1
            self._position = 0
            self.read_to = segment.end


class _Child:
    """The forked process: cuts the file, parses its segments into spool files, reports."""

    def __init__(self, fd, size, fmt, encoding, target, pieces, options, spool, results,
                 go) -> None:  # fmt: skip
        self.fd, self.size, self.fmt, self.encoding, self.target = fd, size, fmt, encoding, target
        self.pieces, self.options, self.spool, self.results, self.go = (
            pieces,
            options,
            spool,
            results,
            go,
        )

    def run(self) -> None:
        try:
            read_at = lambda offset, n: os.pread(self.fd, n, offset)  # noqa: E731
            cuts = cutting.segments(read_at, self.size, self.fmt, self.target)
            waiting: collections.deque[cutting.Segment] = collections.deque()
            cut_all = False
            while True:
                # The places of the segments run ahead of the parse (while no go is given,
                # and one segment of its own ahead at least): this process's stream reads
                # blocks of megabytes and waits for the places they cross.
                while not cut_all and (len(waiting) < 2 or not self._go_given()):
                    segment = next(cuts, (None,))[0]
                    if segment is None:
                        cut_all = True
                        _send(self.results, ("cut",))
                        break
                    _send(self.results, ("segment", segment))
                    if _mine(segment):
                        waiting.append(segment)
                if not waiting:
                    break
                if os.read(self.go, 1) == b"":
                    return  # the import stopped
                self.parse(waiting.popleft())
            _send(self.results, ("end",))
        except BrokenPipeError:
            return  # the import stopped: nobody is listening
        except BaseException:
            with contextlib.suppress(OSError):
                _send(self.results, ("failed", traceback.format_exc()))
            raise

    def _go_given(self) -> bool:
        return bool(select.select([self.go], [], [], 0)[0])

    def parse(self, segment: cutting.Segment) -> None:
        data = os.pread(self.fd, segment.end - segment.start, segment.start)
        report = cutting.SegmentReport()
        pieces = self.pieces()
        error = None
        with open(os.path.join(self.spool, f"{segment.index}.copy"), "wb") as out:

            def write(piece: tuple[bytes, int] | None) -> None:
                if piece is not None:
                    data, rows = piece
                    out.write(_HEADER.pack(len(data), rows) + data)

            try:
                records = iter_records(
                    io.BytesIO(data),
                    fmt=self.fmt,
                    report=report,
                    encoding=self.encoding,
                    first_line=segment.first_line,
                    **self.options,
                )
                for item in records:
                    write(pieces.add(item))
                write(pieces.take())
            except ImportFormatError as exc:
                error = (type(exc).__name__, exc.message, exc.line)
        _send(self.results, ("parsed", segment.index, error, report.findings()))
