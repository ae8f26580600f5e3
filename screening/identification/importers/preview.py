"""A look at an export before it is imported: its format, the encoding it would be read with,
its first records, and how its first non-ASCII line reads in each encoding one may choose.

    shown = preview(uploaded_file, "cnki.bib", encoding="gb18030")
    shown.records[:5], shown.encoding, shown.samples

Nothing is stored and only the start of the file is read.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import BinaryIO

from screening.identification.importers import detect_format, iter_records
from screening.identification.importers.base import FORMATS, ImportFormatError, ParseReport
from screening.identification.importers.text import _
from screening.identification.importers.textio import ENCODINGS, codec_name, read_head

RECORDS_SHOWN = 5
SAMPLE_CHARS = 160


@dataclass
class Preview:
    format: str = ""
    encoding: str = ""
    encoding_chosen: bool = False
    records: list[dict] = field(default_factory=list)
    warnings: list[tuple[int | None, str]] = field(default_factory=list)
    skipped: list[tuple[int, str, str, str]] = field(default_factory=list)
    error: str = ""
    # (encoding, its name, the sample line as that encoding reads it)
    samples: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def format_name(self) -> str:
        return FORMATS.get(self.format, self.format)

    @property
    def encoding_name(self) -> str:
        return ENCODINGS.get(self.encoding, self.encoding)


def preview(
    stream: BinaryIO, filename: str = "", fmt: str = "auto", encoding: str | None = None
) -> Preview:
    shown = Preview(encoding_chosen=bool(encoding))
    head, stream = read_head(stream)
    try:
        if encoding:
            encoding = codec_name(encoding)
        shown.format = detect_format(head, filename, encoding) if fmt == "auto" else fmt
    except ImportFormatError as exc:
        shown.error = str(exc)
        return shown
    if shown.format == "xlsx":
        shown.encoding = "xlsx"
        shown.error = _("A workbook (.xlsx) carries its own encoding: there is nothing to choose.")
        return shown
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        shown.samples = samples(head)
    report = ParseReport()
    records = iter_records(
        stream,
        shown.format,
        filename,
        report,
        encoding=encoding,
        skip_bad_entries=True,
        limit=RECORDS_SHOWN,
    )
    try:
        shown.records = list(itertools.islice(records, RECORDS_SHOWN))
        if shown.format in ("csv", "scopus-csv"):
            for _row in records:  # the sample's last rows, then its verdict on the columns
                pass
    except ImportFormatError as exc:
        shown.error = str(exc)
    finally:
        records.close()
    shown.encoding = report.encoding
    shown.warnings = report.warnings[:10]
    shown.skipped = report.skipped
    return shown


def samples(head: bytes) -> list[tuple[str, str, str]]:
    """The first line of `head` with non-ASCII bytes, as each encoding one may choose reads it
    (unreadable bytes shown as �); [] when the start of the file is plain ASCII."""
    line = next((raw for raw in head.splitlines() if any(b >= 0x80 for b in raw)), b"")
    if not line:
        return []
    start = next(i for i, b in enumerate(line) if b >= 0x80)
    piece = line[max(0, start - 40) : start + 4 * SAMPLE_CHARS]
    shown = []
    for code, name in ENCODINGS.items():
        if code.startswith("utf-16"):
            continue  # a line cut out of UTF-16 reads as nothing useful in any other
        text = piece.decode(code, errors="replace").strip()
        shown.append((code, name, text[:SAMPLE_CHARS]))
    return shown
