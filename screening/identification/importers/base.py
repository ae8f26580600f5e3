"""Shared pieces of the importers: the error, the report and the empty record.

Kept free of Django so the parsers can run in a worker, a management command or a benchmark alike.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from screening.identification.importers.normalise import compact_date_year, parse_year
from screening.identification.importers.text import _

FORMATS: dict[str, str] = {
    "ris": "RIS",
    "medline": "PubMed/MEDLINE (.nbib)",
    "wos": "Web of Science plain text",
    "wos-tab": "Web of Science tab-delimited",
    "scopus-csv": "Scopus CSV",
    "bibtex": "BibTeX",
    "endnote-xml": "EndNote XML",
    "endnote-tagged": "EndNote/Refer tagged (.enw)",
    "noteexpress": "NoteExpress (CNKI, Wanfang)",
    "refworks": "RefWorks tagged",
    "cochrane": "Cochrane Library plain text",
    "pubmed-xml": "PubMed XML",
    "csl-json": "CSL-JSON",
    "openalex-json": "OpenAlex JSON",
    "crossref-json": "Crossref JSON",
    "ovid": "Ovid tagged (Citavi/EndNote direct export)",
    "csv": "CSV/TSV with a header row",
    "xlsx": "Excel workbook (.xlsx)",
}

# A 500 MB file of broken records must not build a 500 MB report.
MAX_WARNINGS = 1000


def format_name(code: str) -> str:
    """A format's name in the active language (the descriptive ones are in the catalogue,
    marked where the upload form lists them)."""
    return _(FORMATS[code]) if code in FORMATS else code


def formats_we_read() -> str:
    return ", ".join(format_name(code) for code in FORMATS)


class ImportFormatError(Exception):
    """The file cannot be imported; `message` is for the user, `line` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class ColumnsNotRecognised(ImportFormatError):
    """A spreadsheet whose columns, as recognised, would store records without their titles or
    authors: nothing is stored until someone says which column holds what."""

    def __init__(self, problems: list[str], columns: list[str], unmapped: list[str],
                 line: int | None = None) -> None:  # fmt: skip
        self.problems = problems
        self.columns = columns
        self.unmapped = unmapped
        shown = ", ".join(unmapped[:40])
        if len(unmapped) > 40:
            shown = _("%(columns)s and %(n)s more") % {"columns": shown, "n": len(unmapped) - 40}
        message = " ".join(problems)
        if unmapped:
            message += " " + _("Columns not recognised: %(columns)s.") % {"columns": shown}
        super().__init__(message, line)


class TruncatedFileError(ImportFormatError):
    """The file ends inside a record: it was cut off (an interrupted download, a full disk).

    Refused unless the person allows it; then the complete records are imported and the cut one
    is dropped (`ParseReport.cut_off`)."""


def truncated_advice() -> str:
    return _(
        "The file looks cut off (an interrupted download?) and nothing was imported. Download it "
        "again, or allow a truncated file to import the complete records and drop the cut one."
    )


@dataclass
class ParseReport:
    """What a parse found out about the file, filled in as records are read."""

    format: str = ""
    encoding: str = ""
    warnings: list[tuple[int | None, str]] = field(default_factory=list)
    records_seen: int = 0
    warnings_dropped: int = 0
    # True when the person chose the encoding rather than leaving it to detection.
    encoding_chosen: bool = False
    # Line of the last record read, to say where a file stopped making sense.
    last_line: int = 0
    # Entries left out because they could not be read: (line, key, title, why).
    skipped: list[tuple[int, str, str, str]] = field(default_factory=list)
    # Set by the caller: a file that ends inside a record loses that record instead of being
    # refused. `truncated_at` is the line where the dropped record started.
    allow_truncated: bool = False
    truncated_at: int | None = None
    # The keys of the warnings given once per file however often their cause recurs (an
    # unknown tag, bytes read as Windows-1252): see warn_once.
    once: set[Hashable] = field(default_factory=set)
    # What the file's complete records say about how a record ends (`tagged.Ending`), for the
    # parsers that judge a cut-off last record by it.
    ending: Any = None
    # Set while other processes parse segments of the file (`segments`): called with a
    # warning's line before it is made, so their warnings from earlier lines come first.
    before: Callable[[int], None] | None = None

    def warn(self, line: int | None, message: str) -> None:
        if line is not None and self.before is not None:
            self.before(line)
        self._add(line, message)

    def warn_once(self, key: Hashable, line: int | None, message: str) -> None:
        """A warning given once per file: later ones with the same key are not repeated."""
        if line is not None and self.before is not None:
            self.before(line)
        self._add_once(key, line, message)

    def take_in_warnings(self, findings: Any) -> None:
        """The warnings of a segment parsed elsewhere (`segments.Findings`), in file order:
        those given once per file only when not given yet."""
        for line, message, key in findings.warnings:
            if key is None:
                self._add(line, message)
            else:
                self._add_once(key, line, message)
        # Dropped in the segment, so past MAX_WARNINGS of its own: dropped here too.
        self.warnings_dropped += findings.dropped

    def take_in_counts(self, findings: Any) -> None:
        """What a segment parsed elsewhere adds whatever its place: its records, how they ended."""
        self.records_seen += findings.records_seen
        self.last_line = max(self.last_line, findings.last_line)
        if findings.ending is not None:
            if self.ending is None:
                self.ending = findings.ending
            else:
                self.ending.merge(findings.ending)

    def _add_once(self, key: Hashable, line: int | None, message: str) -> None:
        if key not in self.once:
            self.once.add(key)
            self._add(line, message)

    def _add(self, line: int | None, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append((line, message))
        else:
            self.warnings_dropped += 1

    def cut_off(self, line: int | None, why: str, dropped: bool = True) -> None:
        """The file ends inside the record starting at `line` (or, `dropped` False, between
        records but before its end): raise TruncatedFileError, or, when allowed, note it and
        return so the parser drops that record."""
        if not self.allow_truncated:
            raise TruncatedFileError(
                _("the file ends too early: %(why)s. %(advice)s")
                % {"why": why, "advice": truncated_advice()},
                line,
            )
        self.truncated_at = line
        if dropped:
            done = _(
                "the file ends too early: %(why)s; this record was dropped, the complete records "
                "imported"
            )
        else:
            done = _(
                "the file ends too early: %(why)s; no record was cut, the complete records imported"
            )
        self.warn(line, done % {"why": why})


def new_record(line: int) -> dict:
    """A record with every key present, so callers never need .get().

    One key is optional: "raw_utf8", the UTF-8 bytes of "raw" exactly, which a parser that
    reads a UTF-8 file's bytes adds; the COPY path stores them rather than encoding "raw"."""
    return {
        "title": "",
        "title_alt": "",
        "abstract": "",
        "authors": [],
        "authors_alt": [],
        "year": None,
        "journal": "",
        "volume": "",
        "issue": "",
        "pages": "",
        "doi": "",
        "pmid": "",
        "other_ids": {},
        "keywords": [],
        "language": "",
        "publication_type": "",
        "url": "",
        "source_key": "",
        "raw": "",
        "line": line,
    }


def first_value(fields: dict[str, list[str]], *tags: str) -> str:
    """The first non-empty value of the first of `tags` that has one (tagged formats)."""
    for tag in tags:
        values = fields.get(tag)
        if values:
            if values[0]:  # the usual case: one value, present
                return values[0]
            for value in values:
                if value:
                    return value
    return ""


def year_of(report: ParseReport, line: int, *texts: str) -> int | None:
    """The year of the first of `texts` (date fields, best first) that holds one. A year dug
    out of a compact date ('Start date: 20170812') is kept with a warning; text with no year
    in it gives a warning and None."""
    first = ""
    for text in texts:
        if text:
            year = parse_year(text)
            if year is not None:
                return year
            first = first or text
    if not first:
        return None
    for text in texts:
        year = compact_date_year(text)
        if year is not None:
            report.warn(
                line,
                _("year taken as %(year)s from the date %(date)s")
                % {"year": year, "date": repr(text)},
            )
            return year
    report.warn(line, _("year not understood: %(text)s") % {"text": repr(first)})
    return None
