"""BibTeX (Zotero, JabRef, CNKI via cnki2bib, CoLRev...) through bibtexparser 2.

bibtexparser parses a whole string, so entries are cut apart at lines starting with '@' (where
bibtexparser itself starts a new block) and parsed in batches, with the @string macros seen so
far in front: memory stays bounded by one batch. LaTeX is decoded here, per field, only where a
backslash or '$' is present -- bibtexparser's LatexDecodingMiddleware runs pylatexenc on every
field and is ~70 entries/s.
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
from collections.abc import Iterable, Iterator

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

from screening.identification.importers.base import ImportFormatError, ParseReport, new_record
from screening.identification.importers.normalise import (
    expand_pages,
    normalise_doi,
    normalise_pmid,
    parse_year,
    split_bilingual,
    split_keywords,
)

BATCH = 200
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
# bibtexparser logs every failed block; we report them ourselves with the file's line number.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

# LaTeX fragments: inline math, or a command with its braced arguments, possibly wrapped in
# braces ({\"u}, \'{e}, \textless{}, \&). pylatexenc costs ~50 ms on a long abstract, so only
# these fragments go through it (cached: the same accents recur), and the rest of the text is
# left alone apart from dropping grouping braces.
_FRAGMENT = re.compile(
    r"\$[^$\n]{1,200}\$|\{?\\(?:[A-Za-z]+|.)\s*(?:\{[^{}]*\}|(?<=[\'\"`^~=.])[A-Za-z])?\}?"
)
_latex = None
# Text-mode symbols Zotero writes that pylatexenc maps to nothing.
_TEXT_SYMBOLS = {
    "\\textless": "<", "\\textgreater": ">", "\\textbar": "|", "\\textasciitilde": "~",
    "\\textunderscore": "_", "\\textquotesingle": "'", "\\textquotedbl": '"',
    "\\textbackslash": "\\", "\\textendash": "–", "\\textemdash": "—", "\\textbullet": "•",
    "\\textregistered": "®", "\\texttrademark": "™", "\\textcopyright": "©",
    "\\textdegree": "°", "\\textpm": "±", "\\textmu": "µ", "\\textperiodcentered": "·",
    "\\textasciicircum": "^", "\\textellipsis": "…", "\\textdagger": "†",
}  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _latex_to_text(fragment: str) -> str:
    global _latex
    symbol = _TEXT_SYMBOLS.get(fragment.strip().strip("{}").strip())
    if symbol is not None:
        return symbol + (" " if fragment.endswith(" ") else "")
    if _latex is None:
        from pylatexenc.latex2text import LatexNodes2Text

        _latex = LatexNodes2Text()
    try:
        return _latex.latex_to_text(fragment)
    except Exception:  # malformed LaTeX: keep the text rather than lose the record
        return fragment.replace("{", "").replace("}", "")


def decode(value: str, verbatim: bool = False) -> str:
    if verbatim:
        return value.strip()
    if "\\" in value or "$" in value:
        value = _FRAGMENT.sub(lambda m: _latex_to_text(m.group(0)), value)
    if "{" in value or "}" in value:
        value = value.replace("{", "").replace("}", "")
    return value.strip()


def split_authors(value: str) -> list[str]:
    """'{World Health Organization} and Smith, J' -> two names; ' and ' inside braces stays."""
    names: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and ch in " \t\n":
            match = _AND.match(value, i)
            if match:
                names.append(value[start:i])
                start = i = match.end()
                continue
        i += 1
    names.append(value[start:])
    return [decode(n) for n in names if n.strip()]


def parse_bibtex(blocks: Iterable[list[str]], report: ParseReport) -> Iterator[dict]:
    macros: list[str] = []
    batch: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    current_start = 0
    seen_keys: set[str] = set()
    found_any = False

    def finish() -> None:
        nonlocal current
        if current is not None:
            if current[0].lstrip()[:7].lower() == "@string":
                macros.append("\n".join(current))
            else:
                batch.append((current_start, current))
        current = None

    for number, line in _numbered(blocks):
        if line.lstrip()[:1] == "@":
            finish()
            found_any = True
            current = [line]
            current_start = number
            if len(batch) >= BATCH:
                yield from _parse_batch(macros, batch, seen_keys, report)
                batch = []
        elif current is not None:
            current.append(line)
    if current is not None and _unclosed(current):
        report.cut_off(current_start, "the last BibTeX entry is not closed")
        current = None  # allowed: the cut entry is dropped
    finish()
    if batch:
        yield from _parse_batch(macros, batch, seen_keys, report)
    if not found_any:
        raise ImportFormatError("no BibTeX entries found (no line starts with '@')", 1)


def _unclosed(lines: list[str]) -> bool:
    """True when the entry's opening brace (or parenthesis) is never matched: the file stops
    inside it."""
    text = "\n".join(lines)
    opener = re.match(r"\s*@\s*\w+\s*([{(])", text)
    if opener is None:
        return False
    left = opener.group(1)
    right = "}" if left == "{" else ")"
    depth = 0
    for char in text[opener.start(1) :]:
        if char == left:
            depth += 1
        elif char == right:
            depth -= 1
            if depth == 0:
                return False
    return True


def _numbered(blocks: Iterable[list[str]]) -> Iterator[tuple[int, str]]:
    number = 0
    for block in blocks:
        for line in block:
            number += 1
            yield number, line


def _parse_batch(macros: list[str], batch: list[tuple[int, list[str]]], seen_keys: set[str],
                 report: ParseReport) -> Iterator[dict]:  # fmt: skip
    parts = list(macros)
    offset = sum(m.count("\n") + 1 for m in macros)
    starts: list[int] = []  # 0-based line in the combined text where each chunk starts
    file_lines: list[int] = []
    for file_line, chunk in batch:
        starts.append(offset)
        file_lines.append(file_line)
        parts.append("\n".join(chunk))
        offset += len(chunk)
    library = bibtexparser.parse_string("\n".join(parts))

    def file_line_of(block_line: int) -> int:
        i = bisect.bisect_right(starts, block_line) - 1
        if i < 0:
            return file_lines[0]
        return file_lines[i] + (block_line - starts[i])

    records = []
    for block in library.blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            entry = block.ignore_error_block
            if isinstance(entry, Entry):
                records.append((file_line_of(block.start_line), entry))
        elif isinstance(block, ParsingFailedBlock):
            if block.start_line is not None and block.start_line < starts[0]:
                continue  # a broken @string macro, already reported with its own batch
            line = file_line_of(block.start_line or 0)
            reason = str(block.error).split("\n")[0] if block.error else "syntax error"
            raise ImportFormatError(f"BibTeX entry could not be read: {reason}", line)
        elif isinstance(block, Entry):
            records.append((file_line_of(block.start_line), block))
    records.sort(key=lambda pair: pair[0])
    for line, entry in records:
        if entry.key in seen_keys:
            report.warn(line, f"BibTeX key {entry.key!r} used twice; both entries kept")
        seen_keys.add(entry.key)
        yield _build(entry, line, report)


def _build(entry: Entry, line: int, report: ParseReport) -> dict:
    fields = {k.lower(): v.value for k, v in entry.fields_dict.items() if isinstance(v.value, str)}
    record = new_record(line)
    record["raw"] = entry.raw or ""
    record["source_key"] = entry.key
    record["publication_type"] = entry.entry_type

    def get(*names: str, verbatim: bool = False) -> str:
        for name in names:
            value = fields.get(name)
            if value:
                return decode(value, verbatim)
        return ""

    title = " ".join(get("title").split())
    title_alt = " ".join(get("translatedtitle", "titletranslation", "title_en", "entitle").split())
    if not title_alt:
        title, title_alt = split_bilingual(title)
    record["title"] = title
    record["title_alt"] = title_alt
    record["abstract"] = get("abstract")
    record["authors"] = split_authors(fields.get("author", "")) if "author" in fields else []
    if "translatedauthor" in fields:
        record["authors_alt"] = split_authors(fields["translatedauthor"])
    year_text = get("year", "date")
    record["year"] = parse_year(year_text)
    if year_text and record["year"] is None:
        report.warn(line, f"year not understood: {year_text!r}")
    record["journal"] = " ".join(get("journal", "journaltitle", "booktitle", "series").split())
    record["volume"] = get("volume")
    record["issue"] = get("number", "issue")
    record["pages"] = expand_pages(get("pages"))
    record["doi"] = normalise_doi(get("doi", verbatim=True))
    pmid = get("pmid", verbatim=True)
    if not pmid and get("eprinttype").lower() == "pubmed":
        pmid = get("eprint", verbatim=True)
    record["pmid"] = normalise_pmid(pmid)
    keywords = get("keywords", "keyword")
    if keywords:
        record["keywords"] = (
            split_keywords(keywords)
            if ";" in keywords or "；" in keywords
            else [k.strip() for k in keywords.split(",") if k.strip()]
        )
    record["language"] = get("language", "langid")
    record["url"] = get("url", verbatim=True)
    other_ids = record["other_ids"]
    for name in ("issn", "isbn", "pmcid"):
        value = get(name, verbatim=True)
        if value:
            other_ids[name] = value
    return record
