"""Spreadsheets of records: Scopus CSV, any CSV/TSV with a header row, and .xlsx workbooks.

Columns are matched to record fields by the table of the header names that databases and
reference managers write (`columns`); the import page shows that guess and lets the user change
it, and the chosen mapping comes back as `column_map`. A guess that would store records without
their titles, or most of them without authors while a column we did not recognise holds text,
stops the import (`ColumnsNotRecognised`) rather than store empty records.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from reviewapp import ziplimits
from screening.identification.importers.base import (
    ColumnsNotRecognised,
    ImportFormatError,
    ParseReport,
    new_record,
    year_of,
)
from screening.identification.importers.columns import (
    ALIASES,
    GLUED_AUTHOR_KEYS,
    MORE_KEYWORD_KEYS,
    NOT_AUTHOR_KEYS,
    OTHER_ID_KEYS,
    key,
)
from screening.identification.importers.normalise import (
    decode_character_references,
    expand_pages,
    normalise_doi,
    normalise_pmid,
    split_glued_names,
    split_keywords,
    split_names,
)
from screening.identification.importers.text import _

logger = logging.getLogger(__name__)

# Abstracts and reference lists in Scopus exports exceed csv's default 128 KiB cell limit.
csv.field_size_limit(64 * 1024 * 1024)
# Embase's 'Source': 'Cancer (2004) 102:4 (253-258). Date of Publication: 25 Aug 2004' --
# journal (year) volume:issue (pages), all in the one column its older CSV has for them.
_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>\S.*?) \((?P<year>\d{4})\)(?: (?P<volume>[^\s:()]+)(?::(?P<issue>[^\s()]+))?)?"
    r"(?: \((?P<pages>[^()]*)\))?\.?(?: Date of Publication: .*)?$"
)


def _embase_source(record: dict) -> None:
    """Where the journal column holds an Embase source and no other column gave the volume or
    pages, they are read from it (and the year, where none was given or the same), and the
    journal keeps its name alone."""
    journal = record["journal"]
    looks_like_one = journal.endswith(")") or "Date of Publication:" in journal
    if record["volume"] or record["pages"] or not looks_like_one:
        return
    match = _EMBASE_SOURCE.match(journal)
    if match is None or record["year"] not in (None, int(match.group("year"))):
        return
    record["journal"] = match.group("journal")
    record["year"] = int(match.group("year"))
    record["volume"] = match.group("volume") or ""
    record["issue"] = record["issue"] or match.group("issue") or ""
    record["pages"] = expand_pages(match.group("pages") or "")


# An NLM citation's place: after the date, 'volume(issue):pages' ('2011 Oct;18(10):1099-104.').
_NLM_CITATION = re.compile(
    r"\.\s+\d{4}\b[^;]*;\s*(?P<volume>[^(:;\s]*)(?:\((?P<issue>[^)]*)\))?:(?P<pages>[^.;\s]+)"
)

MAPPABLE_FIELDS = tuple(ALIASES)
# Rows looked at for the header: Dimensions writes a line "About the data: ..." above it.
HEADER_SEARCH_ROWS = 6
# Rows without authors whose other cells are looked at for names: a sample is enough.
NAME_SAMPLE_ROWS = 500
_QUOTED = re.compile(r'"[^"]*"')


def guess_column_map(columns: list[str]) -> dict[str, str]:
    """{our_field: their_column} for the headers we recognise; a starting point for the
    column-mapping step and what an import without a mapping uses."""
    by_key: dict[str, str] = {}
    for column in columns:
        if isinstance(column, str) and column.strip():
            by_key.setdefault(key(column), column)
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


def sniff_delimiter(*lines: str) -> str:
    """Tab, comma or semicolon: the most frequent outside quotes in the first line that has
    any (a quoted line of prose above the header has none)."""
    for line in lines:
        bare = _QUOTED.sub("", line) if '"' in line else line
        counts = {d: bare.count(d) for d in ("\t", ",", ";")}
        delimiter = max(counts, key=lambda d: counts[d])
        if counts[delimiter]:
            return delimiter
    return ","


def _is_header(cells: list[str], column_map: dict[str, str] | None) -> bool:
    if column_map:
        wanted = {c for c in column_map.values() if c}
        return bool(wanted) and wanted <= {c.strip().lstrip("\ufeff") for c in cells}
    guess = guess_column_map(cells)
    return "title" in guess or len(guess) >= 3


def pick_header(
    rows: Iterator[tuple[int, list[str]]],
    column_map: dict[str, str] | None = None,
    report: ParseReport | None = None,
) -> tuple[int, list[str], list[tuple[int, list[str]]]] | None:
    """(line, cells) of the header row and the data rows already read after it; None for a
    file with no non-empty row. The header is the first of the first few rows that names the
    fields we read; when none does, the first row."""
    seen: list[tuple[int, list[str]]] = []
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        seen.append((line, cells))
        if _is_header(cells, column_map) or len(seen) >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        return None
    at = next((i for i, (_, cells) in enumerate(seen) if _is_header(cells, column_map)), 0)
    if report is not None:
        for line, cells in seen[:at]:
            text = " ".join(c.strip() for c in cells if c.strip())
            report.warn(
                line, _("not the header row, skipped: %(text)s") % {"text": repr(text[:80])}
            )
    line, header = seen[at]
    return line, header, seen[at + 1 :]


def _no_authors(authorless: int, rows: int, candidates: list[str]) -> str:
    counts = {"n": authorless, "rows": rows, "columns": ", ".join(candidates[:10])}
    if candidates:
        return _("%(n)s of %(rows)s rows have no authors (they may be in: %(columns)s).") % counts
    return _("%(n)s of %(rows)s rows have no authors.") % counts


def _check_map(column_map: dict, header: list[str], line: int) -> dict[str, str]:
    checked: dict[str, str] = {}
    for our_field, column in column_map.items():
        if not column:
            continue
        if our_field not in ALIASES:
            raise ImportFormatError(
                _("unknown field %(field)s in the column mapping; fields are: %(fields)s")
                % {"field": repr(our_field), "fields": ", ".join(ALIASES)}
            )
        if column not in header:
            raise ImportFormatError(
                _(
                    "column %(column)s (mapped to %(field)s) is not in the file; columns are: %(columns)s"
                )
                % {"column": repr(column), "field": our_field, "columns": ", ".join(header)},
                line,
            )
        checked[our_field] = column
    return checked


def _could_be_names(value: str) -> bool:
    """A cell that might hold people's names: letters starting with a capital (or in a script
    without case, such as Chinese), and not a link, DOI or yes/no flag."""
    value = value.strip()
    if len(value) < 2 or value.startswith(("http://", "https://", "10.")):
        return False
    if value.lower() in {"true", "false", "yes", "no"}:
        return False
    first = next((c for c in value if c.isalpha()), "")
    return bool(first) and (first.isupper() or not first.islower())


class _Rows:
    """Turns rows of cells into records once the header is known, counting what a guessed
    mapping leaves empty so the import can stop before storing empty records."""

    def __init__(self, header: list[str], column_map: dict[str, str] | None, line: int,
                 report: ParseReport) -> None:  # fmt: skip
        self.header = [h.strip().lstrip("\ufeff") if isinstance(h, str) else "" for h in header]
        self.report = report
        self.line = line
        self.guessed = column_map is None
        mapping = guess_column_map(self.header) if self.guessed else column_map
        mapping = _check_map(mapping, self.header, line)
        if self.guessed and "title" not in mapping:
            raise ColumnsNotRecognised(
                [_("No column of this file was recognised as the title.")],
                self.header,
                self._unmapped(mapping),
                line,
            )
        if not ({"title", "doi", "pmid"} & mapping.keys()):
            raise ImportFormatError(
                _(
                    "the mapping names no column for the title (or DOI/PMID); columns are: %(columns)s"
                )
                % {"columns": ", ".join(self.header)},
                line,
            )
        index = {name: i for i, name in reversed(list(enumerate(self.header)))}
        self.mapping = mapping
        self.fields = {f: index[c] for f, c in mapping.items()}
        keys = {key(h): i for i, h in reversed(list(enumerate(self.header))) if h}
        mapped = set(self.fields.values())
        self.more_keywords: list[int] = []
        self.other_ids: list[tuple[str, int]] = []
        if self.guessed:
            self.more_keywords = [keys[k] for k in MORE_KEYWORD_KEYS
                                  if k in keys and keys[k] not in mapped]  # fmt: skip
            self.other_ids = [(name, keys[k]) for k, name in OTHER_ID_KEYS if k in keys]
        header_keys = set(keys)
        # Only where the columns were recognised: a person's own mapping is followed as given.
        self.book_title = keys.get("booktitle") if self.guessed else None
        self.citation = keys.get("citation") if self.guessed else None
        self.glued_authors = any(sig <= header_keys for sig in GLUED_AUTHOR_KEYS)
        # Columns that might hold the authors if the guess missed them.
        self.free = [i for i, h in enumerate(self.header)
                     if h and i not in mapped and key(h) not in NOT_AUTHOR_KEYS]  # fmt: skip
        self.rows = self.untitled = self.authorless = 0
        self.text_in = [0] * len(self.free)

    def _unmapped(self, mapping: dict[str, str]) -> list[str]:
        used = set(mapping.values())
        return [h for h in self.header if h and h not in used]

    def record(self, cells: list[str], line: int) -> dict | None:
        if not any(cells):
            return None
        n = len(cells)

        def cell(our_field: str) -> str:
            i = self.fields.get(our_field)
            return decode_character_references(cells[i].strip()) if i is not None and i < n else ""

        record = new_record(line)
        record["raw"] = "\n".join(
            f"{h}: {v}" for h, v in zip(self.header, cells, strict=False) if v
        )
        record["title"] = " ".join(cell("title").split())
        record["title_alt"] = cell("title_alt")
        record["abstract"] = cell("abstract")
        authors = cell("authors")
        if self.glued_authors and not any(sep in authors for sep in ";|"):
            record["authors"] = split_glued_names(authors)
        else:
            record["authors"] = split_names(authors)
        record["year"] = year_of(self.report, line, cell("year"))
        record["journal"] = cell("journal")
        self._book_title(record, cells)
        record["volume"] = cell("volume")
        record["issue"] = cell("issue")
        pages = cell("pages")
        if not pages:
            start, end = cell("page_start"), cell("page_end")
            pages = f"{start}-{end}" if start and end else start
        record["pages"] = expand_pages(pages)
        self._citation(record, cells)
        _embase_source(record)
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
        self._count(record, cells)
        if not (record["title"] or record["doi"] or record["pmid"]):
            self.report.warn(line, _("row has no title, DOI or PMID"))
        return record

    def _book_title(self, record: dict, cells: list[str]) -> None:
        """A BibTeX-shaped table (ACM's CSV) names a book's title `booktitle`: a whole book or
        proceedings volume has no `title`, and a paper in one has its journal column empty."""
        i = self.book_title
        if i is None or i >= len(cells) or not cells[i].strip():
            return
        book = " ".join(decode_character_references(cells[i]).split())
        if not record["title"]:
            record["title"] = book
            if record["journal"] == book:
                record["journal"] = ""
        elif not record["journal"]:
            record["journal"] = book

    def _citation(self, record: dict, cells: list[str]) -> None:
        """PubMed's CSV gives volume, issue and pages only inside its NLM citation: 'Stat Med.
        2006 Dec 30;25(24):4164-78.' (read where the recognised columns leave them empty)."""
        i = self.citation
        if i is None or i >= len(cells) or record["volume"] or record["pages"]:
            return
        match = _NLM_CITATION.search(cells[i])
        if match is None:
            return
        record["volume"] = match.group("volume") or ""
        record["issue"] = record["issue"] or match.group("issue") or ""
        record["pages"] = expand_pages(match.group("pages"))

    def _count(self, record: dict, cells: list[str]) -> None:
        self.rows += 1
        if not record["title"]:
            self.untitled += 1
        if not record["authors"]:
            self.authorless += 1
            if self.authorless > NAME_SAMPLE_ROWS:
                return  # enough rows seen to tell which columns hold text
            n = len(cells)
            for j, i in enumerate(self.free):
                if i < n and _could_be_names(cells[i]):
                    self.text_in[j] += 1

    def verdict(self) -> None:
        """Raise ColumnsNotRecognised when a guessed mapping left most rows without a title,
        or most without authors while an unrecognised column holds text; warn when the file
        simply has no authors."""
        if not self.guessed or not self.rows:
            return
        problems = []
        if self.untitled * 2 > self.rows:
            problems.append(
                _("%(n)s of %(rows)s rows have no title.") % {"n": self.untitled, "rows": self.rows}
            )
        if self.authorless * 2 > self.rows:
            floor = max(1, min(self.authorless, NAME_SAMPLE_ROWS) // 4)
            candidates = [self.header[i] for j, i in enumerate(self.free)
                          if self.text_in[j] >= floor]  # fmt: skip
            if candidates or problems:
                problems.append(_no_authors(self.authorless, self.rows, candidates))
            else:
                self.report.warn(
                    self.line, _("no column of this file holds authors: the records have none")
                )
        if problems:
            raise ColumnsNotRecognised(problems, self.header, self._unmapped(self.mapping),
                                       self.line)  # fmt: skip


def _records(
    rows: Iterator[tuple[int, list[str]]],
    report: ParseReport,
    column_map: dict[str, str] | None,
    limit: int | None,
    empty: str,
) -> Iterator[dict]:
    """Records of `rows` ((line, cells) pairs, header first). With `limit`, only that many rows
    are read: enough to judge the columns (`verdict`) before an import is queued."""
    found = pick_header(rows, column_map, report)
    if found is None:
        raise ImportFormatError(empty, 1)
    line, header, pending = found
    table = _Rows(header, column_map, line, report)
    read = 0
    for number, cells in _chain(pending, rows):
        record = table.record(cells, number)
        if record is not None:
            yield record
            read += 1
            if limit is not None and read >= limit:
                break
    table.verdict()


def parse_csv(text: io.TextIOBase, report: ParseReport, column_map: dict[str, str] | None,
              delimiter: str | None = None, limit: int | None = None) -> Iterator[dict]:  # fmt: skip
    return _records(
        _csv_rows(text, delimiter), report, column_map, limit, "the file is empty: no header row"
    )


def _csv_rows(text: io.TextIOBase, delimiter: str | None) -> Iterator[tuple[int, list[str]]]:
    reader = _reader(text, delimiter)
    previous_end = 0
    for cells in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        yield line, cells


def _reader(text: io.TextIOBase, delimiter: str | None):
    if delimiter is None:
        first = [text.readline() for _ in range(HEADER_SEARCH_ROWS)]
        delimiter = sniff_delimiter(*first)
        lines: Iterable[str] = _chain(first, text)
    else:
        lines = text
    return csv.reader(lines, delimiter=delimiter)


def _chain(first: Iterable, rest: Iterable) -> Iterator:
    yield from first
    yield from rest


def csv_header(text: io.TextIOBase) -> list[str]:
    found = pick_header(_csv_rows(text, None))
    return [c.strip().lstrip("\ufeff") for c in found[1]] if found else []


def header_of_lines(lines: list[str]) -> list[str]:
    """The header row among the first lines of a file (format detection)."""
    text = io.StringIO("\n".join(lines[:HEADER_SEARCH_ROWS]) + "\n")
    return csv_header(text)


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
    _check_zip(stream)
    try:
        return openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "not a workbook"
        logger.info("Workbook not readable: %r", exc)
        raise ImportFormatError(
            _(
                "this is not a readable Excel workbook (.xlsx): it may be damaged, password-"
                "protected, or another kind of file renamed"
            )
        ) from exc


# An .xlsx is a zip: before openpyxl reads it (it holds the shared strings in memory), its
# members' declared and actual sizes are checked, so a small file cannot expand to gigabytes.
# 256 MB of XML is about 100,000 records with abstracts; larger exports import as CSV.
XLSX_LIMITS = ziplimits.Limits(
    max_members=10_000,
    max_member_bytes=256 * 1024 * 1024,
    max_total_bytes=256 * 1024 * 1024,
    max_ratio=100,
)


def _check_zip(stream: BinaryIO) -> None:
    try:
        ziplimits.check(stream, XLSX_LIMITS)
    except ziplimits.ZipBomb as exc:
        raise ImportFormatError(
            _(
                "This workbook was refused before reading it: %(reason)s Save it as CSV to import it."
            )
            % {"reason": exc}
        ) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, zlib.error) as exc:
        logger.info("Workbook not readable: %r", exc)
        raise ImportFormatError(
            _(
                "this is not a readable Excel workbook (.xlsx): it may be damaged, password-"
                "protected, or another kind of file renamed"
            )
        ) from exc


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


def parse_xlsx(stream: BinaryIO, report: ParseReport, column_map: dict[str, str] | None,
               limit: int | None = None) -> Iterator[dict]:  # fmt: skip
    return _records(
        _xlsx_rows(stream), report, column_map, limit,
        "the workbook's first sheet is empty: no header row",
    )  # fmt: skip


def xlsx_header(stream: BinaryIO) -> list[str]:
    found = pick_header(_xlsx_rows(stream))
    return [c.strip() for c in found[1]] if found else []
