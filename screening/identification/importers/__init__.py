"""Pure parsers for bibliographic exports: bytes in, record dicts out (no Django, no ORM).

    report = ParseReport()
    for record in iter_records(uploaded_file, fmt="auto", filename=name, report=report):
        ...  # dicts with the keys of `base.new_record`
    report.format, report.encoding, report.warnings  # [(line, message), ...]

Everything streams: text is decoded incrementally and records are yielded as they end, so peak
memory does not grow with the file. Any malformed input ends in `ImportFormatError` (with the
line when known), never in another exception.

Decisions worth knowing:
- A file that ends inside a record (RIS or WoS without the last ER, a MEDLINE/EndNote tagged/
  RefWorks/NoteExpress record cut mid-field -- see `tagged` --, a BibTeX entry not closed, XML
  or CSL-JSON that stops before its end) is refused with the line and the reason
  (TruncatedFileError). With `allow_truncated` the complete records are imported and the cut
  one is dropped, with a warning saying so (`ParseReport.cut_off`).
- A record with no end tag followed by a new start tag (TY, PT) is closed there, with a warning.
- A RIS record with tags but no TY, an ER with no record, a MEDLINE/WoS line that is neither a
  tag nor a continuation, an unreadable BibTeX entry or ill-formed XML is an error: the file is
  refused with the line and the reason.
- Unknown tags and unreadable years are warnings (reported once per tag); the text is in `raw`.
- Bytes that are invalid in the detected encoding are read as Windows-1252 (with a warning),
  never dropped.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Iterator
from typing import BinaryIO

from screening.identification.importers.base import (
    FORMATS,
    ColumnsNotRecognised,
    ImportFormatError,
    ParseReport,
    TruncatedFileError,
    format_name,
    formats_we_read,
    new_record,
)
from screening.identification.importers.cochrane import looks_like_cochrane
from screening.identification.importers.lookalikes import xml_kind
from screening.identification.importers.normalise import expand_pages, normalise_doi
from screening.identification.importers.tabular import MAPPABLE_FIELDS, guess_column_map
from screening.identification.importers.text import _
from screening.identification.importers.textio import detect_encoding

logger = logging.getLogger(__name__)
# Rows of a spreadsheet read before an import is queued, to judge its columns.
SAMPLE_ROWS = 200

__all__ = [
    "FORMATS",
    "MAPPABLE_FIELDS",
    "ColumnsNotRecognised",
    "ImportFormatError",
    "ParseReport",
    "TruncatedFileError",
    "check_columns",
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
_NOTEEXPRESS = re.compile(r"^\ufeff?\{[^{}\n]{1,60}\}\s*[:：]")
_REFER = re.compile(r"^%[0-9A-Z@!#$&()*+^~>](?:[ \t]|$)", re.MULTILINE)
_REFWORKS = re.compile(r"^(?:A1|T1|JF|YR|SR|K1) ", re.MULTILINE)
_REFWORKS_PREAMBLE = re.compile(r"refworks export\b", re.IGNORECASE)
_REFWORKS_RECORD = re.compile(r"^RT \S", re.MULTILINE)
_OVID_MARKER = re.compile(r"^\ufeff?<\s*\d+\.?\s*>\s*$")
_OVID_TAG = re.compile(r"^[A-Z][A-Z0-9]{1,3} {0,2}- ", re.MULTILINE)
_JSON_START = re.compile(r"^[\[{]\s*(?:[\[{\]]|\")")
_EXTENSIONS = {
    "ris": "ris", "nbib": "medline", "medline": "medline", "ciw": "wos", "isi": "wos",
    "bib": "bibtex", "bibtex": "bibtex", "xml": "endnote-xml", "csv": "csv", "tsv": "csv",
    "xlsx": "xlsx", "enw": "endnote-tagged", "json": "csl-json",
}  # fmt: skip


def _unsupported(why: str) -> ImportFormatError:
    return ImportFormatError(
        _("%(why)s We read: %(formats)s.") % {"why": why, "formats": formats_we_read()}
    )


def detect_format(head: bytes, filename: str = "", encoding: str | None = None) -> str:
    """The format code of a file from its first bytes (and, to break ties, its name)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if not head.strip():
        raise ImportFormatError(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _unsupported(_("This is an old Excel (.xls) or Word file; save it as .xlsx or CSV."))
    if head.startswith(b"%PDF"):
        raise _unsupported(_("This is a PDF, not a database export."))
    text = head.decode(encoding or detect_encoding(head), errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    if _is_ovid(stripped):
        return "ovid"
    if stripped.startswith("<"):
        # PubMed XML goes to its reader; other XML is named with the export to choose instead.
        try:
            return xml_kind(stripped)
        except ImportFormatError as exc:
            raise _unsupported(exc.message) from None
    lines = text.splitlines()[:400]
    meaningful = [line for line in lines if line.strip()]
    if not meaningful:
        raise _unsupported(_("The file has no text we recognise."))
    first = meaningful[0].strip()
    if looks_like_cochrane(meaningful):
        return "cochrane"
    tagged = _new_tagged_kind(first, "\n".join(lines))
    if tagged:
        return tagged
    if _JSON_START.match(stripped):
        from screening.identification.importers.works_json import json_kind

        # CSL-JSON, or the works of OpenAlex or Crossref, whose fields CSL-JSON's reader would
        # not find (it would make records with no title): told apart by their own keys.
        try:
            return json_kind(text)
        except ImportFormatError as exc:
            raise _unsupported(exc.message) from None
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
    tabular = _tabular_kind(meaningful, extension)
    if tabular:
        return tabular
    by_extension = _EXTENSIONS.get(extension)
    if by_extension in {"ris", "medline", "wos", "bibtex"}:
        return by_extension
    if filename:
        why = _("The format of this file (%(filename)s) was not recognised.")
        raise _unsupported(why % {"filename": filename})
    raise _unsupported(_("The format of this file was not recognised."))


def _is_ovid(text: str) -> bool:
    """Ovid's tagged export: '<1. >' then 'UI  - ' lines, or 'VN  - Ovid Technologies'."""
    first, _, rest = text[:20000].partition("\n")
    if text.startswith("VN  - Ovid"):
        return True
    return bool(_OVID_MARKER.match(first)) and "TY  - " not in rest and bool(_OVID_TAG.search(rest))


def _new_tagged_kind(first: str, sample: str) -> str:
    """NoteExpress, EndNote/Refer or RefWorks tagged text, told apart by their first line."""
    if first[:1] in ("{", "\ufeff") and _NOTEEXPRESS.match(first):
        return "noteexpress"
    if first[:1] == "%" and _REFER.match(first) and len(_REFER.findall(sample, 0, 20000)) >= 2:
        return "endnote-tagged"
    if first.startswith("RT ") and _REFWORKS.search(sample, 0, 20000):
        return "refworks"
    if (
        _REFWORKS_PREAMBLE.match(first)
        and _REFWORKS_RECORD.search(sample, 0, 20000)
        and _REFWORKS.search(sample, 0, 20000)
    ):
        return "refworks"  # RefWorks' own export: its preamble, then records opened by RT
    return ""


def _tabular_kind(lines: list[str], extension: str) -> str:
    import csv

    from screening.identification.importers.tabular import header_of_lines

    try:
        header = header_of_lines(lines)
    except csv.Error:
        return ""
    if len(header) < 2:
        return ""
    lowered = {h.strip().lower() for h in header if isinstance(h, str)}
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
    allow_truncated: bool = False,
    *,
    encoding: str | None = None,
    skip_bad_entries: bool = False,
    limit: int | None = None,
    first_line: int = 0,
    file_head: bytes | None = None,
) -> Iterator[dict]:
    """Yield one dict per record of `stream` (see `new_record` for the keys).

    Raises ImportFormatError (and nothing else) for any content: empty, unrecognised, malformed,
    cut off (TruncatedFileError, unless `allow_truncated`: then the cut record is dropped).
    `column_map` ({our_field: their_column}) applies to csv, scopus-csv and xlsx; without it the
    headers are recognised automatically (`guess_column_map`), and a guess that would leave the
    records without titles or authors raises ColumnsNotRecognised. `encoding` overrides the
    detected encoding of a text file; `skip_bad_entries` leaves out BibTeX entries that cannot
    be read (listed in `report.skipped`) instead of refusing the file; `limit` stops a
    spreadsheet after that many rows (a sample to judge its columns). `first_line` says the
    stream is a segment of a RIS or MEDLINE file after that many of its lines (`segments`);
    `file_head`, the file's first bytes when the stream stands in for the file (the import's
    own segments, `second_parser`), on which the format and encoding are judged.
    """
    from screening.identification.importers import textio

    report = report if report is not None else ParseReport()
    if allow_truncated:
        report.allow_truncated = True
    if encoding:
        encoding = textio.codec_name(encoding)
        report.encoding_chosen = True
    head, stream = textio.read_head(stream)
    head = head if file_head is None else file_head
    if fmt == "auto":
        fmt = detect_format(head, filename, encoding)
    elif fmt not in FORMATS:
        raise _unsupported(_("Unknown format %(fmt)s.") % {"fmt": repr(fmt)})
    elif not head.strip():
        raise ImportFormatError(_("The file is empty."))
    elif fmt == "endnote-xml":
        # A PubMed XML or Ovid file chosen as EndNote XML: say what it is rather than fail on it.
        text = head.decode(encoding or detect_encoding(head), errors="replace")
        kind = xml_kind(text.lstrip("\ufeff \t\r\n"))
        if kind != fmt:
            report.warn(
                None,
                _("chosen as EndNote XML, but the file is %(format)s: read as that")
                % {"format": format_name(kind)},
            )
            fmt = kind
    report.format = fmt
    options = {"encoding": encoding, "skip_bad_entries": skip_bad_entries, "limit": limit,
               "first_line": first_line}  # fmt: skip
    records = _dispatch(stream, head, fmt, report, column_map, **options)
    # Decoding runs in this generator's thread, which counts the bytes it could not read.
    counter = textio.fallback_counter()
    fallbacks = counter[0]
    try:
        for record in records:
            report.records_seen += 1
            report.last_line = record["line"]
            if counter[0] != fallbacks and "bytes" not in report.once:
                report.warn_once(
                    "bytes",
                    record["line"],
                    _("some bytes are not valid %(encoding)s; they were read as Windows-1252")
                    % {"encoding": report.encoding},
                )
            yield record
        if report.records_seen == 0 and report.truncated_at is not None:
            raise ImportFormatError(
                _("the file ends inside its first record: there is no complete record to import"),
                report.truncated_at,
            )
    except ImportFormatError:
        raise
    except OSError:
        raise  # the storage failed, not the file's content
    except Exception as exc:
        # The message is for the person who sent the file: the library's own words go to the log.
        logger.warning("Reading %s as %s failed", filename or "a file", fmt, exc_info=True)
        if report.last_line:
            message = _(
                "the file could not be read as %(format)s: its content stops following that "
                "format after the record at line %(line)s. Check that it is a complete export, "
                "saved as the database wrote it."
            )
        else:
            message = _(
                "the file could not be read as %(format)s: its content stops following that "
                "format. Check that it is a complete export, saved as the database wrote it."
            )
        raise ImportFormatError(
            message % {"format": format_name(fmt), "line": report.last_line}
        ) from exc


def _dispatch(stream, head, fmt, report, column_map, **options) -> Iterator[dict]:
    from screening.identification.importers import textio

    if fmt == "xlsx":
        from screening.identification.importers.tabular import parse_xlsx

        report.encoding = "xlsx"
        return parse_xlsx(stream, report, column_map, limit=options.get("limit"))
    if fmt in ("endnote-xml", "pubmed-xml"):
        from screening.identification.importers.endnote_xml import parse_endnote_xml
        from screening.identification.importers.pubmed_xml import parse_pubmed_xml
        from screening.identification.importers.xmlstream import declared_encoding

        report.encoding = declared_encoding(head)
        parse = parse_endnote_xml if fmt == "endnote-xml" else parse_pubmed_xml
        return parse(stream, report)
    report.encoding = options.get("encoding") or detect_encoding(head)
    if fmt == "csl-json":
        from screening.identification.importers.csl_json import parse_csl_json

        return parse_csl_json(textio.text_stream(stream, report.encoding), report)
    if fmt in ("openalex-json", "crossref-json"):
        from screening.identification.importers import works_json

        parse = (
            works_json.parse_openalex_json
            if fmt == "openalex-json"
            else works_json.parse_crossref_json
        )
        return parse(textio.text_stream(stream, report.encoding), report)
    if fmt in ("csv", "scopus-csv"):
        from screening.identification.importers.tabular import parse_csv

        text = textio.text_stream(stream, report.encoding, newline="")
        return parse_csv(text, report, column_map, limit=options.get("limit"))
    lines = textio.line_blocks(textio.text_stream(stream, report.encoding))
    if fmt == "ris":
        from screening.identification.importers.ris import parse_ris

        return parse_ris(lines, report, options.get("first_line", 0))
    if fmt == "medline":
        from screening.identification.importers.medline import parse_medline

        return parse_medline(lines, report, options.get("first_line", 0))
    if fmt == "wos":
        from screening.identification.importers.wos import parse_wos

        return parse_wos(lines, report)
    if fmt == "wos-tab":
        from screening.identification.importers.wos import parse_wos_tab

        return parse_wos_tab(lines, report)
    if fmt in _TAGGED_PARSERS:
        module, function = _TAGGED_PARSERS[fmt]
        return getattr(importlib.import_module(module), function)(lines, report)
    from screening.identification.importers.bibtex import parse_bibtex

    return parse_bibtex(lines, report, skip_bad=options.get("skip_bad_entries", False))


_TAGGED_PARSERS = {
    "noteexpress": ("screening.identification.importers.noteexpress", "parse_noteexpress"),
    "endnote-tagged": ("screening.identification.importers.refer", "parse_refer"),
    "refworks": ("screening.identification.importers.refworks", "parse_refworks"),
    "cochrane": ("screening.identification.importers.cochrane", "parse_cochrane"),
    "ovid": ("screening.identification.importers.ovid", "parse_ovid"),
}


def check_columns(
    stream: BinaryIO, filename: str = "", fmt: str = "auto", encoding: str | None = None
) -> ColumnsNotRecognised | None:
    """What stops a CSV's import for want of a column mapping, judged on its first rows (the
    import judges the whole file again); None when nothing does, or for other formats."""
    from screening.identification.importers import textio

    head, stream = textio.read_head(stream)
    try:
        if fmt == "auto":
            fmt = detect_format(head, filename, encoding)
        if fmt not in ("csv", "scopus-csv"):
            return None
        for _ in iter_records(stream, fmt, filename, encoding=encoding, limit=SAMPLE_ROWS):
            pass
    except ColumnsNotRecognised as exc:
        return exc
    except ImportFormatError:
        return None  # the import itself reports what is wrong with the file
    return None


def csv_columns(stream: BinaryIO, filename: str = "", encoding: str | None = None) -> list[str]:
    """The header row of a CSV/TSV/XLSX (Scopus or WoS tab too), for the column-mapping step;
    [] for formats that need no mapping (RIS, MEDLINE, ...)."""
    from screening.identification.importers import textio
    from screening.identification.importers.tabular import csv_header, xlsx_header

    head, stream = textio.read_head(stream)
    try:
        fmt = detect_format(head, filename, encoding)
    except ImportFormatError:
        fmt = "csv"  # an unrecognised header row is exactly what the mapping step is for
    try:
        if fmt == "xlsx":
            return xlsx_header(stream)
        if fmt in ("csv", "scopus-csv", "wos-tab"):
            encoding = textio.codec_name(encoding) if encoding else detect_encoding(head)
            text = textio.text_stream(stream, encoding, newline="")
            if fmt == "wos-tab":
                return [c.strip().lstrip("\ufeff") for c in text.readline().split("\t")]
            return csv_header(text)
    except ImportFormatError:
        raise
    except Exception as exc:
        logger.warning("Reading the header row of %s failed", filename or "a file", exc_info=True)
        raise ImportFormatError(
            _(
                "the header row could not be read: the file is not a spreadsheet or delimited "
                "text we can follow"
            )
        ) from exc
    return []
