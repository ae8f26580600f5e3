"""Zip files from outside (XLSX workbooks, review archives) are measured before anything reads
them, and read through a meter that stops at the same limits.

A zip bomb is a small file whose members expand to gigabytes: 249 KB of XLSX held a worker for
68 s at 670 MB, a 3.2 MB review archive used 6.4 GB of RAM. Two checks, both against `Limits`:
- declared (`check_declared`): from the central directory alone, nothing decompressed: how many
  members, each member's uncompressed size, the sum of them, and the expansion ratio of each
  member and of the whole file;
- actual (`MeteredReader`, `check_actual`): every byte decompressed is counted, so a member
  that expands past its declared size or past a limit stops there, whatever its header says.

Ratios follow Apache POI's zip-bomb guard (ZipSecureFile: a member expanding more than 100
times is refused): a legitimate spreadsheet or JSON dump expands 5-30 times. Members smaller
than GRACE_BYTES are not held to the ratio (a tiny file of blanks is not a bomb); they still
count toward the total, and the whole file is held to the ratio too.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

GRACE_BYTES = 1024 * 1024
CHUNK = 1024 * 1024


class ZipBomb(ValueError):
    """The zip exceeds a limit; the message says which, for the person who sent it."""


@dataclass(frozen=True)
class Limits:
    max_members: int
    max_member_bytes: int  # uncompressed size of any one member
    max_total_bytes: int  # uncompressed size of all members together
    max_ratio: float = 100.0  # uncompressed / compressed, per member and for the whole file


def _mb(n: int) -> str:
    if n < 1024 * 1024:
        return f"{n:,} bytes"
    return f"{n / (1024 * 1024):,.0f} MB"


def _ratio(uncompressed: int, compressed: int) -> float:
    return uncompressed / max(compressed, 1)


def check_declared(
    zf: zipfile.ZipFile,
    limits: Limits,
    archive_bytes: int,
    member_cap: Callable[[str], int] | None = None,
) -> None:
    """Refuse (ZipBomb) what the central directory says is too large; nothing is decompressed.
    `member_cap(name)` may lower the size limit of particular members."""
    members = zf.infolist()
    if len(members) > limits.max_members:
        raise ZipBomb(
            _("The zip file holds %(n)s files; the limit is %(limit)s.")
            % {"n": f"{len(members):,}", "limit": f"{limits.max_members:,}"}
        )
    total = 0
    for info in members:
        cap = limits.max_member_bytes
        if member_cap is not None:
            cap = min(cap, member_cap(info.filename))
        if info.file_size > cap:
            raise ZipBomb(
                _("%(name)s expands to %(size)s; the limit is %(limit)s.")
                % {"name": info.filename, "size": _mb(info.file_size), "limit": _mb(cap)}
            )
        if (
            info.file_size > GRACE_BYTES
            and _ratio(info.file_size, info.compress_size) > limits.max_ratio
        ):
            raise ZipBomb(
                _(
                    "%(name)s expands %(ratio)s times (%(size)s); more than %(limit)s times is "
                    "refused as a zip bomb."
                )
                % {
                    "name": info.filename,
                    "ratio": f"{_ratio(info.file_size, info.compress_size):,.0f}",
                    "size": _mb(info.file_size),
                    "limit": f"{limits.max_ratio:,.0f}",
                }
            )
        total += info.file_size
    _check_total(total, archive_bytes, limits)


def _check_total(total: int, archive_bytes: int, limits: Limits) -> None:
    if total > limits.max_total_bytes:
        raise ZipBomb(
            _("The zip file expands to %(size)s; the limit is %(limit)s.")
            % {"size": _mb(total), "limit": _mb(limits.max_total_bytes)}
        )
    if total > GRACE_BYTES and _ratio(total, archive_bytes) > limits.max_ratio:
        raise ZipBomb(
            _(
                "The zip file expands %(ratio)s times; more than %(limit)s times is refused as "
                "a zip bomb."
            )
            % {"ratio": f"{_ratio(total, archive_bytes):,.0f}", "limit": f"{limits.max_ratio:,.0f}"}
        )


class MeteredReader:
    """A member read as a file, counting what it decompresses: past its declared size, past
    the member limit, past the ratio or past what the whole archive may still expand to, it
    raises ZipBomb instead of returning more. `total` is shared by the members of one archive."""

    def __init__(
        self,
        zf: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        limits: Limits,
        total: list[int] | None = None,
    ) -> None:
        self._raw: IO[bytes] = zf.open(info)
        self._info = info
        self._limits = limits
        self._total = total if total is not None else [0]
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(CHUNK if size is None or size < 0 else size)
        self.read_bytes += len(data)
        self._total[0] += len(data)
        self._check()
        return data

    def _check(self) -> None:
        info, limits, n = self._info, self._limits, self.read_bytes
        if n > info.file_size or n > limits.max_member_bytes:
            raise ZipBomb(
                _("%(name)s expands past %(size)s, more than it declares or may.")
                % {"name": info.filename, "size": _mb(min(info.file_size, limits.max_member_bytes))}
            )
        if n > GRACE_BYTES and _ratio(n, info.compress_size) > limits.max_ratio:
            raise ZipBomb(
                _("%(name)s expands more than %(limit)s times; refused as a zip bomb.")
                % {"name": info.filename, "limit": f"{limits.max_ratio:,.0f}"}
            )
        if self._total[0] > limits.max_total_bytes:
            raise ZipBomb(
                _("The zip file expands past %(limit)s.") % {"limit": _mb(limits.max_total_bytes)}
            )

    def chunks(self) -> Iterator[bytes]:
        while data := self.read(CHUNK):
            yield data

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> MeteredReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_actual(zf: zipfile.ZipFile, limits: Limits) -> None:
    """Decompress every member once, counting (nothing is kept): ZipBomb past a limit,
    zipfile.BadZipFile for a member that fails its checksum."""
    total = [0]
    for info in zf.infolist():
        with MeteredReader(zf, info, limits, total) as member:
            for _chunk in member.chunks():
                pass


def check(stream: IO[bytes], limits: Limits) -> None:
    """Both checks on a seekable zip stream, which is left at its start."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as zf:
            check_declared(zf, limits, size)
            check_actual(zf, limits)
    finally:
        stream.seek(0)
