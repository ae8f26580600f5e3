"""Reading a review archive from outside, within limits, without holding it in memory.

An archive is a zip from wherever the operator got it: a 3.2 MB archive whose members were read
whole used 6.4 GB of RAM and wrote 3 GB; a padded data.json used 4.3 GB. So:
- before anything is decompressed, the central directory is measured (reviewapp.ziplimits):
  members, each member's size (data.json, a stored file), the total, the expansion ratios;
- every member is read through a meter that stops at the same limits, whatever its header says;
- data.json is parsed as a stream, one row at a time (no row may exceed a size), into one
  spool file per model (JSON lines on disk), so the restore reads each model's rows in this
  app's creation order with flat memory, whatever order the archive wrote them in;
- each stored file is streamed to storage, its sha256 checked as it passes, and each archive
  member is restored at most once.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import json
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from reviewapp import ziplimits

from .rules import BATCH, FORMAT, FORMAT_VERSION, BackupError

MANIFEST = "manifest.json"
DATA = "data.json"
FILES = "files/"
_CHUNK = 1 << 20
_NOT_BLANK = re.compile(r"[^ \t\r\n]")


def limits() -> ziplimits.Limits:
    """The limits of the whole archive (settings; README "Limits")."""
    return ziplimits.Limits(
        max_members=settings.BACKUP_MAX_MEMBERS,
        max_member_bytes=max(settings.BACKUP_MAX_DATA_BYTES, settings.BACKUP_MAX_FILE_BYTES),
        max_total_bytes=settings.BACKUP_MAX_TOTAL_BYTES,
        max_ratio=settings.BACKUP_MAX_RATIO,
    )


def _member_limits(name: str, whole: ziplimits.Limits) -> ziplimits.Limits:
    cap = {MANIFEST: 1 << 20, DATA: settings.BACKUP_MAX_DATA_BYTES}.get(
        name, settings.BACKUP_MAX_FILE_BYTES
    )
    return ziplimits.Limits(
        max_members=whole.max_members,
        max_member_bytes=cap,
        max_total_bytes=whole.max_total_bytes,
        max_ratio=whole.max_ratio,
    )


def _corrupt(exc: Exception) -> BackupError:
    if isinstance(exc, ziplimits.ZipBomb):
        return BackupError(f"The archive was refused: {exc}")
    if isinstance(exc, ValueError) and not isinstance(exc, zipfile.BadZipFile):
        return BackupError(f"The archive is corrupt: unreadable JSON ({exc}).")
    return BackupError(f"The archive is corrupt: {exc}")


READ_ERRORS = (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError)


@dataclass
class Spooled:
    """data.json taken apart: the review's entry, the people, and each model's rows on disk."""

    review: dict
    users: list[dict]
    folder: Path
    counts: dict[str, int] = field(default_factory=dict)

    def rows(self, label: str) -> Iterator[list[dict]]:
        """The model's rows in archive order, in batches."""
        path = self.folder / f"{label}.jsonl"
        if not path.exists():
            return
        batch: list[dict] = []
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                batch.append(json.loads(line))
                if len(batch) >= BATCH:
                    yield batch
                    batch = []
        if batch:
            yield batch


class Archive:
    """An opened, measured review archive: `manifest`, then `spool()` and `open_file()`."""

    def __init__(self, source: str | os.PathLike | IO[bytes]) -> None:
        self.limits = limits()
        self._total = [0]  # bytes decompressed from every member so far
        self._used: set[str] = set()
        try:
            self.zf = zipfile.ZipFile(source)
        except FileNotFoundError as exc:
            raise BackupError(f"No such file: {source}") from exc
        except (zipfile.BadZipFile, OSError) as exc:
            raise BackupError(
                f"Not a review archive: the file is not a readable zip ({exc})."
            ) from exc
        try:
            ziplimits.check_declared(
                self.zf,
                self.limits,
                self._size(source),
                member_cap=lambda name: _member_limits(name, self.limits).max_member_bytes,
            )
            self.manifest = self._manifest()
        except BackupError:
            self.zf.close()
            raise
        except (ziplimits.ZipBomb, *READ_ERRORS) as exc:
            self.zf.close()
            raise _corrupt(exc) from exc

    @staticmethod
    def _size(source: Any) -> int:
        if hasattr(source, "seek"):
            position = source.tell()
            size = source.seek(0, os.SEEK_END)
            source.seek(position)
            return size
        return Path(source).stat().st_size

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _member(self, name: str) -> ziplimits.MeteredReader:
        info = self.zf.getinfo(name)  # KeyError when absent
        return ziplimits.MeteredReader(
            self.zf, info, _member_limits(name, self.limits), self._total
        )

    def _manifest(self) -> dict:
        try:
            with self._member(MANIFEST) as fh:
                manifest = json.loads(b"".join(fh.chunks()))
        except KeyError as exc:
            raise BackupError("Not a review archive: it has no manifest.json.") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(f"Not a review archive: manifest.json does not name {FORMAT!r}.")
        version = manifest.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
            raise BackupError(
                f"This archive is in format version {version!r}; this version of the app reads "
                f"format version {FORMAT_VERSION}. Restore it with a matching version of the app."
            )
        return manifest

    def spool(self, folder: Path, known: set[str]) -> Spooled:
        """Parse data.json as a stream into one JSON-lines file per model under `folder`.
        Refuses rows of models this app does not have before anything is restored."""
        try:
            with self._member(DATA) as fh:
                return _DataReader(fh, folder, known).read()
        except KeyError as exc:
            raise BackupError("The archive is incomplete: it has no data.json.") from exc
        except BackupError:
            raise
        except (ziplimits.ZipBomb, *READ_ERRORS) as exc:
            raise _corrupt(exc) from exc

    @contextlib.contextmanager
    def verified_copy(self, stored: dict, folder: Path) -> Iterator[IO[bytes]]:
        """A stored file's bytes copied to a temporary file under `folder`, read through the
        limits with its sha256 checked; each archive member may be restored once."""
        name = stored.get("archive")
        if not isinstance(name, str) or not name.startswith(FILES):
            raise BackupError(f"The archive is corrupt: {name!r} is not a stored file.")
        if name in self._used:
            raise BackupError(f"The archive is corrupt: {name} is restored twice.")
        self._used.add(name)
        digest = hashlib.sha256()
        with tempfile.TemporaryFile(dir=folder) as copy:
            try:
                with self._member(name) as member:
                    for chunk in member.chunks():
                        digest.update(chunk)
                        copy.write(chunk)
            except KeyError as exc:
                raise BackupError(f"The archive is incomplete: {name} is missing.") from exc
            except (ziplimits.ZipBomb, *READ_ERRORS) as exc:
                raise _corrupt(exc) from exc
            if digest.hexdigest() != stored.get("sha256"):
                raise BackupError(f"The archive is corrupt: {name} fails its checksum.")
            copy.seek(0)
            yield copy


class _DataReader:
    """A streaming reader of data.json's shape:
    {"review": {...}, "users": [...], "objects": {"label": [row, ...], ...}}, white space
    anywhere. Values are decoded one at a time with json's own decoder on a window of text;
    none may exceed BACKUP_MAX_ROW_BYTES."""

    def __init__(self, fh: ziplimits.MeteredReader, folder: Path, known: set[str]) -> None:
        self.fh = fh
        self.folder = folder
        self.known = known
        self.text = codecs.getincrementaldecoder("utf-8")()
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.max_value = settings.BACKUP_MAX_ROW_BYTES
        self.decoder = json.JSONDecoder()

    # -- the window of text ------------------------------------------------------------------

    def _fill(self) -> bool:
        if self.eof:
            return False
        data = self.fh.read(_CHUNK)
        self.buf = self.buf[self.pos :] + self.text.decode(data, final=not data)
        self.pos = 0
        self.eof = not data
        return bool(data)

    def _peek(self) -> str:
        while True:
            found = _NOT_BLANK.search(self.buf, self.pos)
            if found is not None:
                self.pos = found.start()
                return self.buf[self.pos]
            self.pos = len(self.buf)
            if not self._fill():
                return ""

    def _expect(self, chars: str) -> str:
        char = self._peek()
        if not char or char not in chars:
            raise BackupError(
                f"The archive is corrupt: unreadable JSON (data.json has {char or 'its end'!r} "
                f"where {' or '.join(repr(c) for c in chars)} belongs)."
            )
        self.pos += 1
        return char

    def _value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                end = None
            # A value that reaches the window's end may go on (a number, a literal): read more.
            if end is not None and (end < len(self.buf) or self.eof):
                self.pos = end
                return value
            if len(self.buf) - self.pos > self.max_value:
                raise BackupError(
                    "The archive was refused: unreadable JSON, or a value of data.json larger "
                    f"than {self.max_value // (1 << 20)} MB."
                )
            if not self._fill():
                if end is not None:
                    self.pos = end
                    return value
                raise BackupError(
                    "The archive is corrupt: unreadable JSON (data.json ends in the middle)."
                )

    # -- the shape -----------------------------------------------------------------------------

    def read(self) -> Spooled:
        found: dict[str, Any] = {}
        self._expect("{")
        if self._peek() != "}":
            while True:
                key = self._value()
                self._expect(":")
                if key == "objects":
                    found["objects"] = self._objects()
                else:
                    found[key] = self._value()
                if self._expect(",}") == "}":
                    break
        if self._peek():
            raise BackupError("The archive is corrupt: data.json goes on after its end.")
        review, users, counts = found.get("review"), found.get("users"), found.get("objects")
        if not isinstance(review, dict) or not isinstance(users, list) or counts is None:
            raise BackupError("The archive is corrupt: data.json lacks review, users or objects.")
        if not isinstance(review.get("fields"), dict) or not all(
            isinstance(u, dict) and isinstance(u.get("email"), str) for u in users
        ):
            raise BackupError("The archive is corrupt: its review or people are malformed.")
        return Spooled(review=review, users=users, folder=self.folder, counts=counts)

    def _objects(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        self._expect("{")
        if self._peek() == "}":
            self.pos += 1
            return counts
        while True:
            label = self._value()
            if label not in self.known:
                raise BackupError(
                    f"The archive holds rows of models this app does not have: {label}"
                )
            self._expect(":")
            counts[label] = counts.get(label, 0) + self._rows(label)
            if self._expect(",}") == "}":
                return counts

    def _rows(self, label: str) -> int:
        n = 0
        self._expect("[")
        with (self.folder / f"{label}.jsonl").open("a", encoding="utf-8") as out:
            if self._peek() == "]":
                self.pos += 1
                return 0
            while True:
                row = self._value()
                if not (isinstance(row, dict) and isinstance(row.get("fields"), dict)):
                    raise BackupError(f"The archive is corrupt: a row of {label} is malformed.")
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
                if self._expect(",]") == "]":
                    return n


def spool_folder() -> tempfile.TemporaryDirectory:
    """Where data.json's rows wait, one file per model (removed after the restore)."""
    return tempfile.TemporaryDirectory(prefix="review-restore-")
