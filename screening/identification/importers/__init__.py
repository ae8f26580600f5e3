"""Pure parsers for bibliographic exports: bytes in, record dicts out (no Django, no ORM).

    report = ParseReport()
    for record in iter_records(uploaded_file, fmt="auto", filename=name, report=report):
        ...  # dicts with the keys of `base.new_record`
    report.format, report.encoding, report.warnings  # [(line, message), ...]

Everything streams: text is decoded incrementally and records are yielded as they end, so peak
memory does not grow with the file. Any malformed input ends in `ImportFormatError` (with the
line when known), never in another exception.

Decisions worth knowing:
- A last record cut off without its end tag (RIS ER, WoS ER) is kept, with a warning that the
  file may be truncated: the record's fields up to the cut are all the file has, and the warning
  appears in the import report. Records before it are complete.
- A record with no end tag followed by a new start tag (TY, PT) is closed there, with a warning.
- A RIS record with tags but no TY, an ER with no record, a MEDLINE/WoS line that is neither a
  tag nor a continuation, an unreadable BibTeX entry or ill-formed XML is an error: the file is
  refused with the line and the reason.
- Unknown tags and unreadable years are warnings (reported once per tag); the text is in `raw`.
- Bytes that are invalid in the detected encoding are read as Windows-1252 (with a warning),
  never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from screening.identification.importers.base import (
    FORMATS,
    ImportFormatError,
    ParseReport,
    formats_we_read,
    new_record,
)
from screening.identification.importers.normalise import expand_pages, normalise_doi
from screening.identification.importers.tabular import MAPPABLE_FIELDS, guess_column_map
from screening.identification.importers.textio import detect_encoding

__all__ = [
    "FORMATS",
    "MAPPABLE_FIELDS",
    "ImportFormatError",
    "ParseReport",
    "csv_columns",
    "detect_encoding",
    "detect_format",
    "expand_pages",
    "guess_column_map",
    "iter_records",
    "new_record",
    "normalise_doi",
]

_RIS_TY = re.compile(r"^\s*TY\s{0,4}-", re.MULTILINE)
_BIBTEX = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_MEDLINE = re.compile(r"^(PMID|FAU |TI  |AB  )- ", re.MULTILINE)
_WOS_TAG = re.compile(r"^[A-Z][A-Z0-9] \S", re.MULTILINE)
_EXTENSIONS = {
    "ris": "ris", "nbib": "medline", "medline": "medline", "ciw": "wos", "isi": "wos",
    "bib": "bibtex", "bibtex": "bibtex", "xml": "endnote-xml", "csv": "csv", "tsv": "csv",
    "xlsx": "xlsx",
}  # fmt: skip


def _unsupported(why: str) -> ImportFormatError:
    return ImportFormatError(f"{why} We read: {formats_we_read()}.")


def detect_format(head: bytes, filename: str = "") -> str:
    """The format code of a file from its first bytes (and, to break ties, its name)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if not head.strip():
        raise ImportFormatError("The file is empty.")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _unsupported("This is an old Excel (.xls) or Word file; save it as .xlsx or CSV.")
    if head.startswith(b"%PDF"):
        raise _unsupported("This is a PDF, not a database export.")
    text = head.decode(detect_encoding(head), errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    if stripped.startswith("<"):
        if "<record" in text or "<records" in text or "<xml>" in text:
            return "endnote-xml"
        raise _unsupported("This XML file is not an EndNote XML export (no <records>).")
    lines = text.splitlines()[:400]
    meaningful = [line for line in lines if line.strip()]
    if not meaningful:
        raise _unsupported("The file has no text we recognise.")
    first = meaningful[0].strip()
    if first.startswith(("FN ", "VR ")) or (
        first.startswith("PT ") and len(_WOS_TAG.findall(text, 0, 20000)) >= 3
    ):
        return "wos"
    if "\t" in first:
        tags = [t.strip() for t in first.split("\t")]
        if "PT" in tags[:3] and ("UT" in tags or "TI" in tags):
            return "wos-tab"
    sample = "\n".join(lines)
    if _RIS_TY.search(sample):
        return "ris"
    if _MEDLINE.search(sample):
        return "medline"
    if _BIBTEX.search(sample):
        return "bibtex"
    tabular = _tabular_kind(first, extension)
    if tabular:
        return tabular
    by_extension = _EXTENSIONS.get(extension)
    if by_extension in {"ris", "medline", "wos", "bibtex"}:
        return by_extension
    name = f" ({filename})" if filename else ""
    raise _unsupported(f"The format of this file{name} was not recognised.")


def _tabular_kind(first: str, extension: str) -> str:
    import csv

    from screening.identification.importers.tabular import sniff_delimiter

    delimiter = sniff_delimiter(first)
    try:
        header = next(csv.reader([first], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return ""
    if len(header) < 2:
        return ""
    lowered = {h.strip().lower() for h in header}
    if "eid" in lowered and ("source title" in lowered or "link" in lowered):
        return "scopus-csv"
    recognised = guess_column_map(header)
    if {"title", "doi", "pmid"} & recognised.keys() or extension in {"csv", "tsv"}:
        return "csv"
    return ""


def iter_records(
    stream: BinaryIO,
    fmt: str = "auto",
    filename: str = "",
    report: ParseReport | None = None,
    column_map: dict[str, str] | None = None,
) -> Iterator[dict]:
    """Yield one dict per record of `stream` (see `new_record` for the keys).

    Raises ImportFormatError (and nothing else) for any content: empty, unrecognised, malformed.
    `column_map` ({our_field: their_column}) applies to csv, scopus-csv and xlsx; without it the
    headers are recognised automatically (`guess_column_map`).
    """
    from screening.identification.importers import textio

    report = report if report is not None else ParseReport()
    head, stream = textio.read_head(stream)
    if fmt == "auto":
        fmt = detect_format(head, filename)
    elif fmt not in FORMATS:
        raise _unsupported(f"Unknown format {fmt!r}.")
    elif not head.strip():
        raise ImportFormatError("The file is empty.")
    report.format = fmt
    records = _dispatch(stream, head, fmt, report, column_map)
    # Decoding runs in this generator's thread, which counts the bytes it could not read.
    counter = textio.fallback_counter()
    fallbacks = counter[0]
    warned_bytes = False
    try:
        for record in records:
            report.records_seen += 1
            if not warned_bytes and counter[0] != fallbacks:
                warned_bytes = True
                report.warn(
                    record["line"],
                    f"some bytes are not valid {report.encoding}; they were read as Windows-1252",
                )
            yield record
    except ImportFormatError:
        raise
    except OSError:
        raise  # the storage failed, not the file's content
    except Exception as exc:
        raise ImportFormatError(
            f"the file could not be read as {FORMATS[fmt]} ({type(exc).__name__}: {exc})"
        ) from exc


def _dispatch(stream, head, fmt, report, column_map) -> Iterator[dict]:
    from screening.identification.importers import textio

    if fmt == "xlsx":
        from screening.identification.importers.tabular import parse_xlsx

        report.encoding = "xlsx"
        return parse_xlsx(stream, report, column_map)
    if fmt == "endnote-xml":
        from screening.identification.importers.endnote_xml import (
            declared_encoding,
            parse_endnote_xml,
        )

        report.encoding = declared_encoding(head)
        return parse_endnote_xml(stream, report)
    report.encoding = detect_encoding(head)
    if fmt in ("csv", "scopus-csv"):
        from screening.identification.importers.tabular import parse_csv

        text = textio.text_stream(stream, report.encoding, newline="")
        return parse_csv(text, report, column_map)
    lines = textio.line_blocks(textio.text_stream(stream, report.encoding))
    if fmt == "ris":
        from screening.identification.importers.ris import parse_ris

        return parse_ris(lines, report)
    if fmt == "medline":
        from screening.identification.importers.medline import parse_medline

        return parse_medline(lines, report)
    if fmt == "wos":
        from screening.identification.importers.wos import parse_wos

        return parse_wos(lines, report)
    if fmt == "wos-tab":
        from screening.identification.importers.wos import parse_wos_tab

        return parse_wos_tab(lines, report)
    from screening.identification.importers.bibtex import parse_bibtex

    return parse_bibtex(lines, report)


def csv_columns(stream: BinaryIO, filename: str = "") -> list[str]:
    """The header row of a CSV/TSV/XLSX (Scopus or WoS tab too), for the column-mapping step;
    [] for formats that need no mapping (RIS, MEDLINE, ...)."""
    from screening.identification.importers import textio
    from screening.identification.importers.tabular import csv_header, xlsx_header

    head, stream = textio.read_head(stream)
    try:
        fmt = detect_format(head, filename)
    except ImportFormatError:
        fmt = "csv"  # an unrecognised header row is exactly what the mapping step is for
    try:
        if fmt == "xlsx":
            return xlsx_header(stream)
        if fmt in ("csv", "scopus-csv", "wos-tab"):
            text = textio.text_stream(stream, detect_encoding(head), newline="")
            if fmt == "wos-tab":
                return [c.strip().lstrip("\ufeff") for c in text.readline().split("\t")]
            return csv_header(text)
    except ImportFormatError:
        raise
    except Exception as exc:
        raise ImportFormatError(f"the header row could not be read ({exc})") from exc
    return []
