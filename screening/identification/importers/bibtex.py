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
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
)

from screening.identification.importers.base import (
    ImportFormatError,
    ParseReport,
    new_record,
    year_of,
)
from screening.identification.importers.bibtex_problems import entry_key, entry_title, explain
from screening.identification.importers.normalise import (
    expand_pages,
    normalise_doi,
    normalise_pmid,
    split_bilingual,
    split_keywords,
)
from screening.identification.importers.text import _, ngettext

BATCH = 200
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
# bibtexparser logs every failed block; we report them ourselves with the file's line number.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

# LaTeX fragments: inline math, or a command with its braced arguments, possibly wrapped in
# braces ({\"u}, \'{e}, \textless{}, \&). pylatexenc costs ~50 ms on a long abstract, so only
# these fragments go through it (cached: the same accents recur), and the rest of the text is
# left alone apart from dropping grouping braces.
# '{\v S}': a letter accent written with a space before its letter (Mendeley, older JabRef) is
# one fragment, letter and all; otherwise the accent went to the converter without its letter.
_FRAGMENT = re.compile(
    r"\$[^$\n]{1,200}\$|\{\\[vcuHrkbdt]\s+[A-Za-z]\}"
    r"|\{?\\(?:[A-Za-z]+|.)\s*(?:\{[^{}]*\}|(?<=[\'\"`^~=.])[A-Za-z])?\}?"
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
    # A long list is wrapped across lines: 'Neuser-Hoffmann,\n      Miriam' is one name.
    return [" ".join(decode(n).split()) for n in names if n.strip()]


class _State:
    """What a parse carries from batch to batch."""

    def __init__(self, report: ParseReport, skip_bad: bool) -> None:
        self.report = report
        self.skip_bad = skip_bad
        self.seen_keys: set[str] = set()
        self.duplicate_warned: set[str] = set()
        self.bad: list[tuple[int, str, str, str]] = []  # (line, key, title, why)
        self.good = 0


class EntriesNotRead(ImportFormatError):
    """Entries of the file could not be read; nothing of it is stored. `bad` lists them as
    (line, key, title, why); importing again with skip_bad_entries leaves them out."""

    skippable = True

    def __init__(self, bad: list[tuple[int, str, str, str]], good: int) -> None:
        bad = sorted(bad)
        self.bad = bad
        shown = "; ".join(_describe(entry) for entry in bad[:MAX_LISTED])
        if len(bad) > MAX_LISTED:
            shown = _("%(entries)s; and %(n)s more") % {
                "entries": shown,
                "n": len(bad) - MAX_LISTED,
            }
        if len(bad) == 1:
            message = _("The BibTeX entry %(entry)s.") % {
                "entry": _describe(bad[0], with_line=False)
            }
        else:
            message = _("%(n)s BibTeX entries could not be read: %(entries)s.") % {
                "n": len(bad),
                "entries": shown,
            }
        message += " " + _("Nothing was imported.")
        if good:
            advice = ngettext(
                "To import the other entry, %(again)s.",
                "To import the other %(n)s entries, %(again)s.",
                good,
            )
            message += " " + advice % {"n": good, "again": skip_again()}
        super().__init__(message, bad[0][0])


def skip_again() -> str:
    """The advice's wording, which the import_records command looks for in an error."""
    return _("import the file again skipping unreadable entries")


MAX_LISTED = 10


def _describe(entry: tuple[int, str, str, str], with_line: bool = True) -> str:
    line, key, title, why = entry
    parts = [_("key %(key)s") % {"key": key}] if key else []
    if title:
        parts.append(f"“{title}”")
    named = ", ".join(parts)
    if with_line and named:
        return _("at line %(line)s (%(named)s): %(why)s") % {
            "line": line,
            "named": named,
            "why": why,
        }
    if with_line:
        return _("at line %(line)s: %(why)s") % {"line": line, "why": why}
    if named:
        return _("(%(named)s) could not be read: %(why)s") % {"named": named, "why": why}
    return _("could not be read: %(why)s") % {"why": why}


def parse_bibtex(
    blocks: Iterable[list[str]], report: ParseReport, skip_bad: bool = False
) -> Iterator[dict]:
    """Records of BibTeX text. An entry that cannot be read is left out and listed in
    `report.skipped` when `skip_bad`; otherwise the parse reads on only to list every such
    entry, yields nothing more, and raises EntriesNotRead at the end."""
    macros: list[str] = []
    batch: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    current_start = 0
    state = _State(report, skip_bad)
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
                yield from _parse_batch(macros, batch, state)
                batch = []
        elif current is not None:
            current.append(line)
    if current is not None and _unclosed(current) and not _ends_with_closing_line(current):
        report.cut_off(current_start, _("the last BibTeX entry is not closed"))
        current = None  # allowed: the cut entry is dropped
    finish()
    if batch:
        yield from _parse_batch(macros, batch, state)
    if not found_any:
        raise ImportFormatError(_("no BibTeX entries found (no line starts with '@')"), 1)
    report.skipped.sort()
    if state.bad and not skip_bad:
        raise EntriesNotRead(state.bad, state.good)
    if skip_bad and state.bad and not state.good:
        raise ImportFormatError(
            _("no entry of this BibTeX file could be read; the first, %(entry)s")
            % {"entry": _describe(min(state.bad))},
            state.bad[0][0],
        )


# EndNote writes an entry whose label is empty with no key at all: '@article{', then the fields.
_OPENING_ALONE = re.compile(r"\s*@\s*\w+\s*\{\s*$")
_FIELD_LINE = re.compile(r"\s*[A-Za-z][\w-]*\s*=")


def _no_key(chunk: list[str]) -> bool:
    """An entry whose first line is its opening brace alone and whose next line is a field."""
    if not _OPENING_ALONE.match(chunk[0]) or chunk[0].lstrip()[:7].lower() == "@string":
        return False
    following = next((line for line in chunk[1:] if line.strip()), "")
    return _FIELD_LINE.match(following) is not None


def _ends_with_closing_line(lines: list[str]) -> bool:
    """True when the entry's last line is its closing brace alone: the export wrote the whole
    entry, and braces that do not balance are inside it (EBSCO copies page code into fields),
    which makes it an entry that cannot be read, not a file cut off."""
    last = next((line.strip() for line in reversed(lines) if line.strip()), "")
    return last in ("}", ")", "},", "),")


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


def _parse_batch(macros: list[str], batch: list[tuple[int, list[str]]],
                 state: _State) -> Iterator[dict]:  # fmt: skip
    parts = list(macros)
    offset = sum(m.count("\n") + 1 for m in macros)
    starts: list[int] = []  # 0-based line in the combined text where each chunk starts
    file_lines: list[int] = []
    keyless: set[int] = set()  # chunks given the empty key EndNote leaves out
    for file_line, chunk in batch:
        starts.append(offset)
        file_lines.append(file_line)
        if _no_key(chunk):
            keyless.add(len(starts) - 1)
            chunk = [chunk[0].rstrip() + ",", *chunk[1:]]
        parts.append("\n".join(chunk))
        offset += len(chunk)
    library = bibtexparser.parse_string("\n".join(parts))

    def chunk_of(block_line: int) -> int:
        return max(0, bisect.bisect_right(starts, block_line) - 1)

    def file_line_of(block_line: int) -> int:
        i = bisect.bisect_right(starts, block_line) - 1
        if i < 0:
            return file_lines[0]
        return file_lines[i] + (block_line - starts[i])

    records = []
    for block in library.blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            # bibtexparser leaves an entry whose key came before raw (macros unresolved, quotes
            # and braces kept): read alone, it is read as any other. Mendeley writes every
            # entry without a key as '@article{,', so all but the first are such entries.
            entry = block.ignore_error_block
            if isinstance(entry, DuplicateFieldKeyBlock):
                entry = entry.ignore_error_block
            if isinstance(entry, Entry):
                entry = _without_duplicate_fields(entry, macros, block)
            if entry is not None:
                records.append((file_line_of(block.start_line), entry))
        elif isinstance(block, DuplicateFieldKeyBlock):
            entry = _without_duplicate_fields(block.ignore_error_block, macros, block)
            if entry is not None:
                records.append((file_line_of(block.start_line), entry))
        elif isinstance(block, ParsingFailedBlock):
            if block.start_line is not None and block.start_line < starts[0]:
                continue  # a broken @string macro: its uses stay unresolved
            i = chunk_of(block.start_line or 0)
            line, text = file_lines[i], "\n".join(batch[i][1])
            state.bad.append((line, entry_key(text), entry_title(text), explain(text, line)))
            if state.skip_bad:
                state.report.skipped.append(state.bad[-1])
        elif isinstance(block, Entry):
            records.append((file_line_of(block.start_line), block))
    records.sort(key=lambda pair: pair[0])
    for line, entry in records:
        if entry.key == "" and bisect.bisect_right(file_lines, line) - 1 in keyless:
            # the entry as the file wrote it, without the comma added for the parser
            raw = (entry.raw or "").replace("{,", "{", 1)
            entry = Entry(entry.entry_type, "", entry.fields, entry.start_line, raw)
        if _runs_into_next_field(entry):
            # bibtexparser reads 'title={A} year={2001}' as one title: a comma is missing.
            text = _chunk_text(batch, file_lines, line)
            state.bad.append((line, entry.key, entry_title(text), explain(text, line)))
            if state.skip_bad:
                state.report.skipped.append(state.bad[-1])
            continue
        state.good += 1
        if entry.key and entry.key in state.seen_keys:  # no key at all is not one used twice
            state.report.warn(
                line,
                _("BibTeX key %(key)s used twice; both entries kept") % {"key": repr(entry.key)},
            )
        state.seen_keys.add(entry.key)
        if state.bad and not state.skip_bad:
            continue  # the file is refused: read on only to find every entry that fails
        yield _build(entry, line, state)


# A value that goes on with another field's name and '=' after its closing brace or quote.
_NEXT_FIELD = re.compile(r"""[}"]\s*[A-Za-z][\w-]*\s*=\s*[{"\d]""")


def _runs_into_next_field(entry: Entry) -> bool:
    return any(
        isinstance(item.value, str) and "=" in item.value and _NEXT_FIELD.search(item.value)
        for item in entry.fields
    )


def _chunk_text(batch: list[tuple[int, list[str]]], file_lines: list[int], line: int) -> str:
    i = max(0, bisect.bisect_right(file_lines, line) - 1)
    return "\n".join(batch[i][1])


# Fields an export may write twice whose values add up; any other field keeps its first value.
_JOINED = frozenset(
    ["keywords", "keyword", "funding_details", "funding_text", "note", "annote", "mesh",
     "affiliation", "affiliations", "references", "file"]
)  # fmt: skip
_DUPLICATE = "__duplicate"


def _without_duplicate_fields(entry: Entry, macros: list[str], failed: Block) -> Entry | None:
    """The entry read again with its repeated fields renamed (`_fields` puts them back), so
    that macros and braces are handled as in any entry; bibtexparser leaves such an entry raw."""
    counts: dict[str, int] = {}
    lines = []
    for item in entry.fields:
        name = item.key.lower()
        counts[name] = counts.get(name, 0) + 1
        renamed = item.key if counts[name] == 1 else f"{item.key}{_DUPLICATE}{counts[name]}"
        lines.append(f"  {renamed} = {item.value}")
    text = "\n".join([*macros, f"@{entry.entry_type}{{{entry.key},", ",\n".join(lines), "}"])
    again = [b for b in bibtexparser.parse_string(text).blocks if isinstance(b, Entry)]
    if not again:
        return None
    read = again[0]
    return Entry(read.entry_type, read.key, read.fields, entry.start_line, failed.raw or entry.raw)


def _fields(entry: Entry, line: int, state: _State) -> dict[str, str]:
    """{lower-case name: value} of an entry; a field written twice keeps its first value, or
    all of them joined by '; ' for the fields that add up (keywords, funding...)."""
    fields: dict[str, str] = {}
    for item in entry.fields:
        if not isinstance(item.value, str):
            continue
        name = item.key.lower().split(_DUPLICATE, 1)[0]
        value = item.value
        if name not in fields:
            fields[name] = value
            continue
        if value.strip() == fields[name].strip() or not value.strip():
            continue
        joined = name in _JOINED
        if joined:
            fields[name] = f"{fields[name]}; {value}"
        if name not in state.duplicate_warned:
            state.duplicate_warned.add(name)
            if joined:
                how = _(
                    "field %(name)s appears more than once in an entry (key %(key)s); their "
                    "values were joined"
                )
            else:
                how = _(
                    "field %(name)s appears more than once in an entry (key %(key)s); the first "
                    "value was kept"
                )
            state.report.warn(line, how % {"name": repr(name), "key": repr(entry.key)})
    return fields


def _build(entry: Entry, line: int, state: _State) -> dict:
    report = state.report
    fields = _fields(entry, line, state)
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
    record["year"] = year_of(report, line, get("year"), get("date"))
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
