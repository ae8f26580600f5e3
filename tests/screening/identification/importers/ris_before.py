"""RIS reading as it was before its third speed pass (issue 21; main cc11a57, verbatim below this
docstring): the oracle of test_ris_equivalence.py, which checks that the faster parser gives the
same records, warnings and errors. When RIS reading changes on purpose, delete this file and the
old-against-new tests that use it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from screening.identification.importers import ris
from screening.identification.importers.base import ImportFormatError, ParseReport, year_of
from screening.identification.importers.base import first_value as _first
from screening.identification.importers.normalise import (
    expand_pages,
    has_cjk,
    split_keywords,
)
from screening.identification.importers.text import _, gettext_noop
from screening.identification.importers.textio import chunks_of

# Tags of the RIS specification plus those Ovid, Web of Science and Citavi add; anything else is
# kept in `raw` and reported once per file.
KNOWN_TAGS = frozenset(
    [
        "TY",
        "A1",
        "A2",
        "A3",
        "A4",
        "AB",
        "AD",
        "AN",
        "AU",
        "AV",
        "BT",
        "C1",
        "C2",
        "C3",
        "C4",
        "C5",
        "C6",
        "C7",
        "C8",
        "CA",
        "CN",
        "CP",
        "CT",
        "CY",
        "DA",
        "DB",
        "DI",
        "DO",
        "DP",
        "ED",
        "EP",
        "ET",
        "ID",
        "IS",
        "J1",
        "J2",
        "JA",
        "JF",
        "JO",
        "KW",
        "L1",
        "L2",
        "L3",
        "L4",
        "LA",
        "LB",
        "LK",
        "M1",
        "M2",
        "M3",
        "N1",
        "N2",
        "NV",
        "OP",
        "PB",
        "PP",
        "PY",
        "RI",
        "RN",
        "RP",
        "SE",
        "SN",
        "SP",
        "ST",
        "T1",
        "T2",
        "T3",
        "TA",
        "TI",
        "TT",
        "U1",
        "U2",
        "U3",
        "U4",
        "U5",
        "UR",
        "VL",
        "VO",
        "Y1",
        "Y2",
        "ER",
        "AI",
        "NL",
        "TS",
        "M4",
        "WE",
        "PI",
        "PA",
        "JI",
        "J9",
        "PU",
        "FX",
        "FU",
        "GA",
        "UT",
        "PG",
        "SC",
        "WC",
        "H1",
        "H2",
        "Y3",
        "OT",
    ]
)
# Odd spacing ('TY -', 'TY-  x', 'ER  -' with no trailing space); only for known tags, so a
# continuation line such as 'IT - based' stays a continuation line.
_ODD_TAG = re.compile(r"^([A-Z][A-Z0-9])\s{0,4}-(?:\s+(.*))?$")
_ROMAN = re.compile(r"^[ivxlcdm]+(?:-[ivxlcdm]+)?$", re.IGNORECASE)  # front matter: 'i'-'ii'


_TAG_LINE = re.compile(r"^(..)  - (.*)$", re.MULTILINE)
# Past this much text with no end of record in it, the text goes to the line parser rather than
# waiting for the rest of a record: memory stays flat whatever the file holds.
_MAX_PENDING = 8 * 1024 * 1024


def parse_ris(blocks: Iterable[list[str]], report: ParseReport) -> Iterator[dict]:
    """Records of RIS text. Each record in the usual shape (a TY line, lines 'XX  - value', an
    ER line) is cut out of the text with str.find and read with one regular expression; anything
    else (odd spacing, continuation lines, tags outside records, a missing ER) goes line by line
    through `_LineParser`, which knows every rule. Both give the same records and warnings."""
    state = _LineParser(report)
    buf = "\n"  # buf[pos - 1] is always a line end, so "\nER  -" also finds an ER at pos
    pos = 1
    line = 0  # lines of the file before buf[pos]
    for chunk in chunks_of(blocks):
        buf = buf[pos - 1 :] + chunk
        pos = 1
        pos, line = yield from _scan(buf, pos, line, state, final=False)
        if len(buf) - pos > _MAX_PENDING:
            cut = buf.rfind("\nTY  - ", pos - 1) + 1 or len(buf)
            if cut - pos < 1024:
                cut = buf.rfind("\n") + 1
            if cut > pos:
                yield from state.feed(buf[pos : cut - 1].split("\n"), line)
                line += buf.count("\n", pos, cut)
                pos = cut
    buf = buf[pos - 1 :]
    pos, line = yield from _scan(buf, 1, line, state, final=True)
    if pos < len(buf):
        rest = buf[pos:-1] if buf[-1] == "\n" else buf[pos:]
        yield from state.feed(rest.split("\n"), line)
    state.finish()


def _scan(buf: str, pos: int, line: int, state: _LineParser, final: bool):
    """Read the records of buf[pos:] whose ER line is complete; returns (pos, line) after them."""
    report = state.report
    find = buf.find
    while True:
        er = find("\nER  -", pos - 1)
        if er < 0:
            return pos, line
        end = find("\n", er + 1)
        if end < 0:
            if not final:
                return pos, line
            end = len(buf)
        if buf[er + 6 : er + 7] != " " and buf[er + 6 : end].strip():
            # 'ER  -x' is not an end tag: leave it to the line parser, with what comes before.
            yield from state.feed(buf[pos:end].split("\n"), line)
            line += buf.count("\n", pos, end) + 1
            pos = end + 1
            continue
        ty = buf.rfind("\nTY  - ", pos - 1, er) + 1
        if ty:
            record = buf[ty:end]
            pairs = _TAG_LINE.findall(record)
            lines = record.count("\n") + 1
            ends_with_er = pairs[-1][0] == "ER"
            if len(pairs) != (lines if ends_with_er else lines - 1):
                ty = 0  # a line not in the usual shape: the line parser reads it
        if not ty:
            yield from state.feed(buf[pos:end].split("\n"), line)
            line += buf.count("\n", pos, end) + 1
            pos = end + 1
            continue
        if ty > pos:
            if state.fields is not None or not buf[pos:ty].isspace():
                yield from state.feed(buf[pos : ty - 1].split("\n"), line)
            line += buf.count("\n", pos, ty)
        if state.fields is not None:
            yield state.close(state.start, _("RIS record has no ER tag; it ends at the next TY"))
        start = line + 1
        line += lines
        pos = end + 1
        state.stray_line = 0
        state.records += 1

        fields: dict[str, list[str]] = {}
        for tag, value in pairs:
            values = fields.get(tag)
            if values is None:
                fields[tag] = [value.strip()]
            else:
                values.append(value.strip())
        if ends_with_er:
            del fields["ER"]
        if not fields.keys() <= KNOWN_TAGS:
            warned = state.unknown_warned
            for tag in fields:
                if tag not in KNOWN_TAGS and tag not in warned:
                    warned.add(tag)
                    index = next(i for i, pair in enumerate(pairs) if pair[0] == tag)
                    report.warn(start + index, _unknown_tag(tag))
        yield _build(fields, record, start, report)


def _unknown_tag(tag: str) -> str:
    return _("unknown RIS tag %(tag)s; kept in the raw record only") % {"tag": tag}


class _LineParser:
    """RIS read line by line, every rule included; the state carries over between calls, so the
    fast path of `parse_ris` can hand it any stretch of lines and take over again after."""

    def __init__(self, report: ParseReport) -> None:
        self.report = report
        self.fields: dict[str, list[str]] | None = None
        self.raw: list[str] = []
        self.last: list[str] | None = None
        self.start = 0
        self.stray_line = 0
        self.stray_warned = False
        self.unknown_warned: set[str] = set()
        self.records = 0

    def close(self, line: int, warning: str) -> dict:
        """The open record, ended without its ER (with a warning at `line`)."""
        self.report.warn(line, warning)
        self.records += 1
        record = _build(self.fields, self.raw, self.start, self.report)
        self.fields = None
        self.last = None
        return record

    def feed(self, lines: list[str], base: int) -> Iterator[dict]:
        """Records ended by `lines`, the lines of the file after its first `base` lines."""
        report = self.report
        fields, raw, last, start = self.fields, self.raw, self.last, self.start
        unknown_warned = self.unknown_warned
        for index, line in enumerate(lines):
            if line[2:6] == "  - ":
                tag = line[:2]
                if fields is not None and tag != "TY" and tag != "ER":
                    raw.append(line)
                    values = fields.get(tag)
                    if values is None:
                        fields[tag] = last = [line[6:].strip()]
                        if tag not in KNOWN_TAGS and tag not in unknown_warned:
                            unknown_warned.add(tag)
                            report.warn(base + index + 1, _unknown_tag(tag))
                    else:
                        values.append(line[6:].strip())
                        last = values
                    continue
                value = line[6:].strip()
            elif line[:2] == "ER" and line.rstrip() in ("ER  -", "ER -", "ER-", "ER"):
                tag, value = "ER", ""
            else:
                match = _ODD_TAG.match(line.lstrip("\ufeff")) if "-" in line else None
                if match is not None and match.group(1) in KNOWN_TAGS:
                    tag, value = match.group(1), (match.group(2) or "").strip()
                else:
                    # Untagged: a continuation of the previous field (or text between records).
                    if fields is not None:
                        raw.append(line)
                        text = line.strip()
                        if text and last is not None:
                            last[-1] = f"{last[-1]}\n{text}" if last[-1] else text
                    continue
            number = base + index + 1
            if tag == "TY":
                if fields is not None:
                    self.fields, self.raw, self.start = fields, raw, start
                    yield self.close(start, _("RIS record has no ER tag; it ends at the next TY"))
                fields = {"TY": [value]}
                raw = [line]
                last = fields["TY"]
                start = number
                self.stray_line = 0
            elif tag == "ER":
                if fields is None:
                    if self.stray_line:
                        raise ImportFormatError(
                            _("RIS record starts without a TY tag"), self.stray_line
                        )
                    raise ImportFormatError(_("ER without a record (no TY before it)"), number)
                raw.append(line)
                self.records += 1
                yield _build(fields, raw, start, report)
                fields = None
                last = None
            elif fields is None:
                # Ovid writes NL and a resolver link after ER; a real record without TY is
                # caught when its ER arrives.
                if not self.stray_line:
                    self.stray_line = number
                if not self.stray_warned:
                    self.stray_warned = True
                    report.warn(
                        number,
                        _("tag %(tag)s outside a record (after ER, before TY) ignored")
                        % {"tag": tag},
                    )
            else:
                raw.append(line)
                values = fields.get(tag)
                if values is None:
                    fields[tag] = last = [value]
                else:
                    values.append(value)
                    last = values
        self.fields, self.raw, self.last, self.start = fields, raw, last, start

    def finish(self) -> None:
        """The end of the file: refuse a record left open (or drop it, when allowed)."""
        if self.fields is not None:
            self.report.cut_off(self.start, _("the last RIS record has no ER tag"))
            self.fields = None  # allowed: the cut record is dropped
        elif self.records == 0:
            if self.stray_line:
                raise ImportFormatError(_("RIS record starts without a TY tag"), self.stray_line)
            raise ImportFormatError(_("no RIS records found (no line starts with 'TY  - ')"), 1)


def _one_line(text: str) -> str:
    return " ".join(text.split()) if "\n" in text else text


def _build(
    fields: dict[str, list[str]], raw: list[str] | str, start: int, report: ParseReport
) -> dict:
    # Runs once per record: the common case (a tag with one non-empty value) is read inline,
    # `_first` only when it is not.
    get = fields.get
    values = get("AB")
    abstract = values[0] if values and values[0] else _first(fields, "AB", "N2")
    title, title_alt, journal = _titles_and_journal(fields)
    if not title:
        title, title_alt = _fallback_title(fields, title_alt, start, report)
    # Fields read differently on purpose since (AU with A1; Ovid MEDLINE's IS and PMID; a bare DOI
    # in L3): taken from the parser itself, as this oracle checks how lines are read into records.
    native, alt = ris._authors(fields, raw)
    url = _first(fields, "UR")
    accession = _first(fields, "AN")
    other_ids, pmid = ris._ids(fields, accession, url)
    return {
        "title": title,
        "title_alt": title_alt,
        "abstract": abstract,
        "authors": native,
        "authors_alt": alt,
        "year": _year(fields, start, report),
        "journal": journal,
        "volume": _first(fields, "VL", "VO"),
        "issue": ris._issue(fields),
        "pages": _pages(fields),
        "doi": ris._doi(fields),
        "pmid": pmid,
        "other_ids": other_ids,
        # One split of all the values: split_keywords cuts at line ends as at semicolons.
        "keywords": split_keywords("\n".join(fields["KW"])) if "KW" in fields else [],
        "language": _first(fields, "LA"),
        "publication_type": fields["TY"][0],
        "url": url.split("\n", 1)[0],
        "source_key": accession or _first(fields, "ID") or other_ids.get("eid", ""),
        "raw": raw if isinstance(raw, str) else "\n".join(raw),
        "line": start,
    }


def _titles_and_journal(fields: dict[str, list[str]]) -> tuple[str, str, str]:
    """(title, title in another language, journal) of a record."""
    values = fields.get("TI")
    title = values[0] if values and values[0] else _first(fields, "TI", "T1")
    if "\n" in title:
        title = _one_line(title)
    title_alt = _one_line(_first(fields, "TT")) if "TT" in fields else ""
    journal_tags: tuple[str, ...] = ("JF", "T2", "JO", "JA", "J2", "J1")
    if not title_alt and not title.isascii() and has_cjk(title):
        # Airiti-style: the English title sits in T2 while the journal has its own tag.
        t2 = _one_line(_first(fields, "T2"))
        if t2 and not has_cjk(t2) and _first(fields, "JF", "JO", "JA"):
            title_alt = t2
            journal_tags = ("JF", "JO", "JA", "J2", "J1")
    journal = _first(fields, *journal_tags)
    if "\n" in journal:
        journal = _one_line(journal)
    return title, title_alt, journal


# Where a record without TI or T1 may still have its title, best first: the short title, a
# caption title (older RIS), the book title (BOOK records), the translated title, then the
# secondary and tertiary titles (a chapter's book, a series).
_FALLBACK_TITLES = (
    ("ST", gettext_noop("short title")),
    ("CT", gettext_noop("caption title")),
    ("BT", gettext_noop("book title")),
    ("TT", gettext_noop("translated title")),
    ("T2", gettext_noop("secondary title")),
    ("T3", gettext_noop("tertiary title")),
)


def _fallback_title(
    fields: dict[str, list[str]], title_alt: str, start: int, report: ParseReport
) -> tuple[str, str]:
    """(title, title_alt) of a record with no TI or T1, with a warning naming the tag used."""
    for tag, name in _FALLBACK_TITLES:
        value = _one_line(_first(fields, tag))
        if value:
            report.warn(
                start,
                _("no title (TI or T1): the %(name)s (%(tag)s) was taken as the title")
                % {"name": _(name), "tag": tag},
            )
            return value, "" if value == title_alt else title_alt
    return "", title_alt


def _year(fields: dict[str, list[str]], start: int, report: ParseReport) -> int | None:
    values = fields.get("PY")
    if values and len(values[0]) == 4 and values[0].isdigit() and "1500" <= values[0] <= "2199":
        return int(values[0])  # the usual case
    return year_of(report, start, *(_first(fields, tag) for tag in ("PY", "Y1", "DA", "Y2")))


def _pages(fields: dict[str, list[str]]) -> str:
    values = fields.get("SP")
    sp = values[0] if values and values[0] else _first(fields, "SP")
    values = fields.get("EP")
    ep = values[0] if values and values[0] else _first(fields, "EP")
    both = sp + ep
    if not (both.isdigit() or any(c.isdigit() for c in both)) and not _ROMAN.match(both):
        return ""  # Ovid's 'No' / 'Specified' ("No pagination specified"); raw keeps it
    if sp and ep and "-" not in sp:
        return expand_pages(f"{sp}-{ep}")
    return expand_pages(sp or ep)
