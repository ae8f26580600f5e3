"""Spreadsheets of records: Scopus CSV, any CSV/TSV with a header row, and .xlsx workbooks.

Columns are matched to record fields by a table of the header names databases and reference
managers use (`guess_column_map`); the import page shows that guess and lets the user change it,
and the chosen mapping comes back as `column_map`.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from screening.identification.importers.base import ImportFormatError, ParseReport, new_record
from screening.identification.importers.normalise import (
    expand_pages,
    normalise_doi,
    normalise_pmid,
    parse_year,
    split_keywords,
    split_names,
)

# Abstracts and reference lists in Scopus exports exceed csv's default 128 KiB cell limit.
csv.field_size_limit(64 * 1024 * 1024)

# Our field -> header names, most specific first. Matching ignores case, spaces, '_' and '.'.
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "document title", "article title", "item title", "primary title",
              "paper title", "ti", "t1"),
    "title_alt": ("title alt", "original title", "translated title", "tt", "z1"),
    "abstract": ("abstract", "abstract note", "ab", "n2"),
    "authors": ("authors", "author", "author names", "author(s)", "au", "a1", "af",
                "author full names", "creators"),
    "year": ("year", "publication year", "pub year", "year published", "py", "pubyear",
             "publication date", "date"),
    "journal": ("journal", "source title", "journal title", "publication title", "source",
                "secondary title", "journal/book", "journal name", "publication", "venue", "jo",
                "so", "t2", "jf"),
    "volume": ("volume", "journal volume", "vol", "vl"),
    "issue": ("issue", "number", "journal issue", "issue number", "is", "ip"),
    "pages": ("pages", "page range", "page", "pg"),
    "page_start": ("page start", "start page", "first page", "sp", "bp"),
    "page_end": ("page end", "end page", "last page", "ep"),
    "doi": ("doi", "item doi", "di", "do"),
    "pmid": ("pmid", "pubmed id", "pubmed", "pm"),
    "source_key": ("id", "record id", "key", "citation key", "eid", "ut", "an",
                   "accession number", "unique-id"),
    "publication_type": ("entrytype", "entry type", "document type", "publication type",
                         "content type", "item type", "type", "ty", "dt", "pt"),
    "keywords": ("keywords", "keyword", "author keywords", "kw", "de", "tags", "manual tags"),
    "url": ("url", "link", "links", "pdf link", "ur"),
    "language": ("language", "language of original document", "lang", "la"),
}  # fmt: skip
# Extra keyword columns merged after the main one.
_MORE_KEYWORDS = ("index keywords", "ieee terms", "inspec controlled terms", "mesh terms", "id")
_OTHER_IDS = {"eid": "eid", "pmcid": "pmcid", "pmc": "pmcid", "openalex id": "openalex",
              "openalexid": "openalex", "ut": "wos", "issn": "issn", "isbn": "isbn"}  # fmt: skip
MAPPABLE_FIELDS = tuple(ALIASES)


def _key(header: str) -> str:
    return " ".join(re.sub(r"[_.]", " ", header.strip().lstrip("\ufeff").lower()).split())


def guess_column_map(columns: list[str]) -> dict[str, str]:
    """{our_field: their_column} for the headers we recognise; a starting point for the
    column-mapping step and what an import without a mapping uses."""
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(_key(column), column)
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for our_field, aliases in ALIASES.items():
        for alias in aliases:
            column = by_key.get(alias)
            if column is not None and column not in used:
                chosen[our_field] = column
                used.add(column)
                break
    return chosen


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in ("\t", ",", ";")}
    delimiter = max(counts, key=lambda d: counts[d])
    return delimiter if counts[delimiter] else ","


def _check_map(column_map: dict, header: list[str], line: int) -> dict[str, str]:
    checked: dict[str, str] = {}
    for our_field, column in column_map.items():
        if not column:
            continue
        if our_field not in ALIASES:
            raise ImportFormatError(
                f"unknown field {our_field!r} in the column mapping; fields are: "
                + ", ".join(ALIASES)
            )
        if column not in header:
            raise ImportFormatError(
                f"column {column!r} (mapped to {our_field}) is not in the file; columns are: "
                + ", ".join(header),
                line,
            )
        checked[our_field] = column
    return checked


class _Rows:
    """Turns rows of cells into records once the header is known."""

    def __init__(self, header: list[str], column_map: dict[str, str] | None, line: int,
                 report: ParseReport) -> None:  # fmt: skip
        self.header = [h.strip().lstrip("\ufeff") if isinstance(h, str) else "" for h in header]
        self.report = report
        guessed = column_map is None
        mapping = guess_column_map(self.header) if guessed else column_map
        mapping = _check_map(mapping, self.header, line)
        if not ({"title", "doi", "pmid"} & mapping.keys()):
            raise ImportFormatError(
                "no column for the title (or DOI/PMID) was recognised; columns are: "
                + ", ".join(self.header)
                + ". Choose the columns in the mapping step.",
                line,
            )
        index = {name: i for i, name in reversed(list(enumerate(self.header)))}
        self.fields = {f: index[c] for f, c in mapping.items()}
        keys = {_key(h): i for i, h in reversed(list(enumerate(self.header)))}
        self.more_keywords = []
        self.other_ids = []
        if guessed:
            mapped = set(self.fields.values())
            self.more_keywords = [keys[k] for k in _MORE_KEYWORDS
                                  if k in keys and keys[k] not in mapped]  # fmt: skip
            self.other_ids = [(name, keys[k]) for k, name in _OTHER_IDS.items() if k in keys]

    def record(self, cells: list[str], line: int) -> dict | None:
        if not any(cells):
            return None
        n = len(cells)

        def cell(our_field: str) -> str:
            i = self.fields.get(our_field)
            return cells[i].strip() if i is not None and i < n else ""

        record = new_record(line)
        record["raw"] = "\n".join(
            f"{h}: {v}" for h, v in zip(self.header, cells, strict=False) if v
        )
        record["title"] = " ".join(cell("title").split())
        record["title_alt"] = cell("title_alt")
        record["abstract"] = cell("abstract")
        record["authors"] = split_names(cell("authors"))
        year_text = cell("year")
        record["year"] = parse_year(year_text)
        if year_text and record["year"] is None:
            self.report.warn(line, f"year not understood: {year_text!r}")
        record["journal"] = cell("journal")
        record["volume"] = cell("volume")
        record["issue"] = cell("issue")
        pages = cell("pages")
        if not pages:
            start, end = cell("page_start"), cell("page_end")
            pages = f"{start}-{end}" if start and end else start
        record["pages"] = expand_pages(pages)
        record["doi"] = normalise_doi(cell("doi"))
        record["pmid"] = normalise_pmid(cell("pmid"))
        record["source_key"] = cell("source_key")
        record["publication_type"] = cell("publication_type")
        keywords = split_keywords(cell("keywords"))
        for i in self.more_keywords:
            if i < n and cells[i]:
                keywords += split_keywords(cells[i])
        record["keywords"] = keywords
        record["url"] = cell("url")
        record["language"] = cell("language")
        for name, i in self.other_ids:
            if i < n and cells[i].strip():
                record["other_ids"][name] = cells[i].strip()
        if not (record["title"] or record["doi"] or record["pmid"]):
            self.report.warn(line, "row has no title, DOI or PMID")
        return record


def parse_csv(text: io.TextIOBase, report: ParseReport, column_map: dict[str, str] | None,
              delimiter: str | None = None) -> Iterator[dict]:  # fmt: skip
    reader = _reader(text, delimiter)
    rows: _Rows | None = None
    previous_end = 0
    for cells in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        if rows is None:
            if not any(c.strip() for c in cells):
                continue
            rows = _Rows(cells, column_map, line, report)
            continue
        record = rows.record(cells, line)
        if record is not None:
            yield record
    if rows is None:
        raise ImportFormatError("the file is empty: no header row", 1)


def _reader(text: io.TextIOBase, delimiter: str | None):
    if delimiter is None:
        first = text.readline()
        delimiter = sniff_delimiter(first)
        lines: Iterable[str] = _chain(first, text)
    else:
        lines = text
    return csv.reader(lines, delimiter=delimiter)


def _chain(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest


def csv_header(text: io.TextIOBase) -> list[str]:
    for cells in _reader(text, None):
        if any(c.strip() for c in cells):
            return [c.strip().lstrip("\ufeff") for c in cells]
    return []


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def _open_workbook(stream: BinaryIO):
    import openpyxl  # imported here: a CSV-only worker never pays for it

    if not stream.seekable():
        spooled = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 - lives as long as the workbook
        while chunk := stream.read(1024 * 1024):
            spooled.write(chunk)
        spooled.seek(0)
        stream = spooled
    try:
        return openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "not a workbook"
        raise ImportFormatError(f"not a readable .xlsx workbook ({exc})") from exc


def _xlsx_rows(stream: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    workbook = _open_workbook(stream)
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, [_cell_text(v) for v in values]
    finally:
        workbook.close()


def parse_xlsx(stream: BinaryIO, report: ParseReport,
               column_map: dict[str, str] | None) -> Iterator[dict]:  # fmt: skip
    rows: _Rows | None = None
    for number, cells in _xlsx_rows(stream):
        if rows is None:
            if any(c.strip() for c in cells):
                rows = _Rows(cells, column_map, number, report)
            continue
        record = rows.record(cells, number)
        if record is not None:
            yield record
    if rows is None:
        raise ImportFormatError("the workbook's first sheet is empty: no header row", 1)


def xlsx_header(stream: BinaryIO) -> list[str]:
    for _, cells in _xlsx_rows(stream):
        if any(c.strip() for c in cells):
            return [c.strip() for c in cells]
    return []
