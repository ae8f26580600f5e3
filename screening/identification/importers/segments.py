"""A large RIS or MEDLINE file cut into segments that separate processes can parse.

    for segment, data in segments(read_at, size, "ris", target=8 << 20):
        ...  # segment.start, .end (bytes), .first_line, .lines; data: its bytes (none if last)

A segment starts where a record starts right after the previous one ended: in RIS a TY line
after an ER line (and any blank lines), in MEDLINE a PMID line after an empty line. There the
parser holds nothing of the records before, so a segment parsed alone, told how many lines of
the file come before it (`iter_records(first_line=...)`), gives the records, warnings and errors
the whole file's parse gives for those lines. What a parse carries for the whole file comes
back in its report (`SegmentReport`) and joins the file's report in file order
(`ParseReport.take_in_warnings`, `take_in_counts`): the warnings given once per file, how
records ended (MEDLINE judges a cut-off last record by it), the records seen.

Only encodings in which a line feed byte is always a line feed and starts a character qualify
(UTF-8, single-byte, and the stateless CJK multi-byte encodings); "\\r\\n" and lone "\\r" line
ends count as the parsers count them.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any

from screening.identification.importers.base import MAX_WARNINGS, ParseReport

# Where a segment may start (the match's end), by format.
BOUNDARIES = {
    "ris": re.compile(rb"\nER  -[ \t]*\r?\n(?:[ \t]*\r?\n)*(?=TY  - )"),
    "medline": re.compile(rb"\n\r?\n(?=PMID- )"),
}
ENCODINGS = frozenset(
    codecs.lookup(name).name
    for name in (
        "utf-8", "utf-8-sig", "ascii", "cp1252", "latin-1", "gb18030", "gbk", "big5",
        "cp950", "big5hkscs", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949",
    )
)  # fmt: skip
_READ = 256 * 1024


@dataclass(frozen=True)
class Segment:
    index: int
    start: int  # byte offsets in the file
    end: int
    first_line: int  # lines of the file before the segment
    lines: int  # its lines (0 for the last segment: nobody needs them)
    last: bool

    @property
    def last_line(self) -> int:
        return self.first_line + self.lines


def splittable(fmt: str, encoding: str) -> bool:
    try:
        return fmt in BOUNDARIES and codecs.lookup(encoding).name in ENCODINGS
    except LookupError:
        return False


def segments(
    read_at: Callable[[int, int], bytes], size: int, fmt: str, target: int
) -> Iterator[tuple[Segment, bytes]]:
    """The segments of a file of `size` bytes, each about `target` bytes, with their bytes (the
    last one's are not read). `read_at(offset, n)` reads the file (os.pread). A segment that
    finds no place to cut within 3 x target bytes is the last: it runs to the end."""
    boundary = BOUNDARIES[fmt]
    start = first_line = index = 0
    data = b""
    while True:
        if start + len(data) < size and len(data) < target:
            data += read_at(start + len(data), target - len(data))
        cut = None
        searched = target - 1  # the cut's line feed at the target or after it
        while True:
            match = boundary.search(data, searched) if len(data) > searched else None
            if match is not None:
                cut = match.end()
                break
            if start + len(data) >= size or len(data) >= 3 * target:
                break
            searched = max(len(data) - 64, target - 1)
            block = read_at(start + len(data), _READ)
            if not block:
                break
            data += block
        if cut is None:
            yield Segment(index, start, size, first_line, 0, True), b""
            return
        piece, data = data[:cut], data[cut:]
        lines = piece.count(b"\n")
        if b"\r" in piece:  # universal newlines: a lone "\r" ends a line too
            lines += piece.count(b"\r") - piece.count(b"\r\n")
        yield Segment(index, start, start + cut, first_line, lines, False), piece
        start += cut
        first_line += lines
        index += 1


@dataclass
class Findings:
    """What a segment's parse carries for the whole file (pickled between processes)."""

    warnings: list[tuple[int | None, str, Hashable | None]]  # (line, message, once-key)
    dropped: int  # warnings past MAX_WARNINGS, none of them given once per file
    ending: Any
    records_seen: int
    last_line: int


@dataclass
class SegmentReport(ParseReport):
    """The report of a segment parsed alone: every warning kept with its once-key, so the
    file's report can drop those it gave already. Warnings given once per file are all kept
    (there are few); the others up to MAX_WARNINGS, as the file's report keeps them."""

    events: list[tuple[int | None, str, Hashable | None]] = field(default_factory=list)
    plain: int = 0

    def warn(self, line: int | None, message: str) -> None:
        if self.plain < MAX_WARNINGS:
            self.plain += 1
            self.events.append((line, message, None))
        else:
            self.warnings_dropped += 1

    def warn_once(self, key: Hashable, line: int | None, message: str) -> None:
        if key not in self.once:
            self.once.add(key)
            self.events.append((line, message, key))

    def findings(self) -> Findings:
        return Findings(
            self.events, self.warnings_dropped, self.ending, self.records_seen, self.last_line
        )
