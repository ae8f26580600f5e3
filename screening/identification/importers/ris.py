"""RIS, as exported by Scopus, Web of Science, Embase/Ovid, EndNote, Zotero, Rayyan, Airiti.

A small tag parser rather than rispy: rispy reads a whole string and gives no line numbers, and
the exports differ in ways we handle here (numbered Ovid records, tags after ER, untagged
continuation lines, parallel CJK/English titles and names). See docs in the package __init__.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from screening.identification.importers.base import ImportFormatError, ParseReport, year_of
from screening.identification.importers.base import first_value as _first
from screening.identification.importers.normalise import (
    expand_pages,
    has_cjk,
    normalise_doi,
    normalise_pmid,
    split_keywords,
    split_parallel_name,
)
from screening.identification.importers.text import _, gettext_noop
from screening.identification.importers.textio import Held, fallback_counter, held_chunks

try:
    from screening.identification.importers._tagged import ris_fields as _native_fields
except ImportError:  # not compiled (no C compiler at install): the Python reader alone
    _native_fields = None

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
_EID = re.compile(r"eid=(2-s2\.0-\d+)")
_ROMAN = re.compile(r"^[ivxlcdm]+(?:-[ivxlcdm]+)?$", re.IGNORECASE)  # front matter: 'i'-'ii'


# Every line of a record: its tag and value, or "" and the line when it is not a tag line (so
# the record's shape is checked by the tag loop, with no second pass counting its lines).
_RECORD_LINE = re.compile(r"^(?:(..)  - )?(.*)$", re.MULTILINE)
# Past this much text with no end of record in it, the text goes to the line parser rather than
# waiting for the rest of a record: memory stays flat whatever the file holds.
_MAX_PENDING = 8 * 1024 * 1024


def parse_ris(
    blocks: Iterable[list[str]], report: ParseReport, first_line: int = 0
) -> Iterator[dict]:
    """Records of RIS text. Each record in the usual shape (a TY line, lines 'XX  - value', an
    ER line) is cut out of the text with find and read with one regular expression; anything
    else (odd spacing, continuation lines, tags outside records, a missing ER) goes line by line
    through `_LineParser`, which knows every rule. Both give the same records and warnings.

    A UTF-8 file is cut into records in its bytes, each record decoded once; its bytes go
    along as the record's `raw_utf8` (when they decoded cleanly), which COPY stores as they
    are rather than encoding `raw` back.

    `first_line`: the lines of the file before `blocks` (a segment of it, see `segments`)."""
    state = _LineParser(report)
    chunks, held = held_chunks(blocks)
    nl, text = held.nl, held.text
    buf = nl  # buf[pos - 1] is always a line end, so "\nER  -" also finds an ER at pos
    pos = 1
    line = first_line  # lines of the file before buf[pos]
    for chunk in chunks:
        buf = buf[pos - 1 :] + chunk
        pos = 1
        pos, line = yield from _scan(buf, pos, line, state, held, final=False)
        if len(buf) - pos > _MAX_PENDING:
            cut = buf.rfind(held.marker("\nTY  - "), pos - 1) + 1 or len(buf)
            if cut - pos < 1024:
                cut = buf.rfind(nl) + 1
            if cut > pos:
                yield from state.feed(text(buf[pos : cut - 1]).split("\n"), line)
                line += buf.count(nl, pos, cut)
                pos = cut
    buf = buf[pos - 1 :]
    pos, line = yield from _scan(buf, 1, line, state, held, final=True)
    if pos < len(buf):
        rest = buf[pos:-1] if buf[-1:] == nl else buf[pos:]
        yield from state.feed(text(rest).split("\n"), line)
    state.finish()


def _scan(buf, pos: int, line: int, state: _LineParser, held: Held, final: bool):
    """Read the records of buf[pos:] whose ER line is complete; returns (pos, line) after them."""
    report = state.report
    find = buf.find
    nl, text, space = held.nl, held.text, held.marker(" ")
    er_tag, ty_tag = held.marker("\nER  -"), held.marker("\nTY  - ")
    fallbacks = fallback_counter()
    while True:
        er = find(er_tag, pos - 1)
        if er < 0:
            return pos, line
        end = find(nl, er + 1)
        if end < 0:
            if not final:
                return pos, line
            end = len(buf)
        if buf[er + 6 : er + 7] != space and text(buf[er + 6 : end]).strip():
            # 'ER  -x' is not an end tag: leave it to the line parser, with what comes before.
            yield from state.feed(text(buf[pos:end]).split("\n"), line)
            line += buf.count(nl, pos, end) + 1
            pos = end + 1
            continue
        # The record's TY line: the first one after pos (a search that stops at once, where
        # looking back from the ER for the last one read the whole record a second time).
        ty = find(ty_tag, pos - 1, er) + 1
        if ty:
            raw, raw_utf8 = held.record(buf[ty:end], fallbacks)
            fields, lines, ends_with_er = _record_fields(raw)
            if "" in fields or len(fields["TY"]) > 1:
                # A line not in the usual shape, or a record without its ER before the next
                # TY: the line parser reads them (and says so).
                ty = 0
        if not ty:
            yield from state.feed(text(buf[pos:end]).split("\n"), line)
            line += buf.count(nl, pos, end) + 1
            pos = end + 1
            continue
        if ty > pos:
            if state.fields is not None or not text(buf[pos:ty]).isspace():
                yield from state.feed(text(buf[pos : ty - 1]).split("\n"), line)
            line += buf.count(nl, pos, ty)
        if state.fields is not None:
            yield state.close(state.start, _("RIS record has no ER tag; it ends at the next TY"))
        start = line + 1
        line += lines
        pos = end + 1
        state.stray_line = 0
        state.records += 1
        if ends_with_er:
            del fields["ER"]
        if not fields.keys() <= KNOWN_TAGS:
            once = report.once
            for tag in fields:
                if tag not in KNOWN_TAGS and ("RIS tag", tag) not in once:
                    pairs = _RECORD_LINE.findall(raw)
                    index = next(i for i, pair in enumerate(pairs) if pair[0] == tag)
                    report.warn_once(("RIS tag", tag), start + index, _unknown_tag(tag))
        item = _build(fields, raw, start, report)
        if raw_utf8 is not None:
            item["raw_utf8"] = raw_utf8
        yield item


def _record_fields_in_python(raw: str) -> tuple[dict[str, list[str]], int, bool]:
    """({tag: [values]}, lines, whether the last line is an ER line) of a record from its TY
    line to its ER line: the values stripped, a line not in the usual shape under the tag ""
    (the whole line), the last line left out unless it is an ER line ('ER  -' alone)."""
    pairs = _RECORD_LINE.findall(raw)  # one (tag, value) a line, ("", line) for another
    ends_with_er = pairs[-1][0] == "ER"
    fields: dict[str, list[str]] = {}
    for tag, value in pairs if ends_with_er else pairs[:-1]:
        values = fields.get(tag)
        if values is None:
            fields[tag] = [value.strip()]
        else:
            values.append(value.strip())
    return fields, len(pairs), ends_with_er


# The same in C (_tagged.c) where the install could build it; the tests hold the two equal.
_record_fields = _native_fields or _record_fields_in_python


def compiled() -> bool:
    """Whether a record's lines are read in C (see `_record_fields`)."""
    return _native_fields is not None


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
        once = report.once
        for index, line in enumerate(lines):
            if line[2:6] == "  - ":
                tag = line[:2]
                if fields is not None and tag != "TY" and tag != "ER":
                    raw.append(line)
                    values = fields.get(tag)
                    if values is None:
                        fields[tag] = last = [line[6:].strip()]
                        if tag not in KNOWN_TAGS and ("RIS tag", tag) not in once:
                            report.warn_once(("RIS tag", tag), base + index + 1, _unknown_tag(tag))
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
                if "RIS tag outside a record" not in once:
                    report.warn_once(
                        "RIS tag outside a record",
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
    native, alt = _authors(fields, raw)
    url = _first(fields, "UR")
    accession = _first(fields, "AN")
    other_ids, pmid = _ids(fields, accession, url)
    return {
        "title": title,
        "title_alt": title_alt,
        "abstract": abstract,
        "authors": native,
        "authors_alt": alt,
        "year": _year(fields, start, report),
        "journal": journal,
        "volume": _first(fields, "VL", "VO"),
        "issue": _issue(fields),
        "pages": _pages(fields),
        "doi": _doi(fields),
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


def _authors(
    fields: dict[str, list[str]], raw: list[str] | str = ""
) -> tuple[list[str], list[str]]:
    """(names, parallel romanised or translated names)."""
    authors = fields.get("AU") or fields.get("A1")
    if "AU" in fields and "A1" in fields:
        authors = _au_and_a1(fields, raw)
    native: list[str] = []
    alt: list[str] = []
    if authors:
        authors = [a for a in authors if a] if "" in authors else authors[:]
        if authors:
            native, alt = _split_authors(authors)
    if "TA" in fields and not alt:
        alt = [a for a in fields["TA"] if a]
    return native, alt


def _au_and_a1(fields: dict[str, list[str]], raw: list[str] | str) -> list[str]:
    """The names of a record that has both AU and A1 (the RIS specification's primary authors,
    which AU replaced: Zotero writes the first author as A1 and the others as AU), in the order
    of the file's lines, a name given under both taken once."""
    lines = raw.split("\n") if isinstance(raw, str) else raw
    tags = [line[:2] for line in lines if line[:2] in ("AU", "A1") and line[2:6] == "  - "]
    values = {"AU": iter(fields["AU"]), "A1": iter(fields["A1"])}
    ordered = [next(values[tag], "") for tag in tags]
    ordered += [*values["A1"], *values["AU"]]  # any written another way (not 'XX  - ')
    names: list[str] = []
    seen: set[str] = set()
    for name in ordered:
        key = " ".join(name.casefold().split())
        if key and key not in seen:
            seen.add(key)
            names.append(name)
    return names


# Ovid's RIS from MEDLINE writes the journal's NLM unique ID in IS (7 digits, an older one
# ending in R, or 9 starting 10), alone or with Ovid's three-character journal code, in either
# order ('9439514, b6e', 'uj0, 0330500', '101676033'); the issue is then in no tag. No issue
# number has seven digits, so such a value is never taken as one (raw keeps it).
_OVID_NLM_ID = re.compile(
    r"(?:[a-z0-9]{3},\s*)?(?:\d{7}r?|10\d{7})(?:,\s*[a-z0-9]{3})?", re.IGNORECASE
)
# Ovid's links name the record by its accession number, which in MEDLINE is the PMID.
_OVID_AN = re.compile(r"ovid\.com/\S*[?&]AN=(\d{1,9})\b")


def _from_ovid(fields: dict[str, list[str]]) -> bool:
    if _first(fields, "DB").lower().startswith("ovid"):
        return True
    return any("ovid.com/" in value for tag in ("L2", "UR") for value in fields.get(tag, ()))


def _issue(fields: dict[str, list[str]]) -> str:
    values = fields.get("IS")
    issue = values[0] if values and values[0] else _first(fields, "IS", "CP")
    if len(issue) >= 7 and _OVID_NLM_ID.fullmatch(issue) and _from_ovid(fields):
        return ""
    return issue


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


def _doi(fields: dict[str, list[str]]) -> str:
    """The DOI tag, else a DOI found in a link, Ovid's M3 or EBSCOhost's L3 (a bare DOI there)."""
    values = fields.get("DO")
    doi = normalise_doi(values[0] if values and values[0] else _first(fields, "DO", "DI"))
    if doi:
        return doi
    for tag in ("UR", "L2", "L3", "M3"):
        for value in fields.get(tag, ()):
            if "10." in value and (
                "doi" in value.lower() or tag == "M3" or value.lstrip().startswith("10.")
            ):
                doi = normalise_doi(value)
                if doi:
                    return doi
    return ""


def _ids(fields: dict[str, list[str]], accession: str, url: str) -> tuple[dict[str, str], str]:
    """(other identifiers, PMID) from the accession number, the link, ISSN and C2."""
    other_ids: dict[str, str] = {}
    if accession.startswith("WOS:"):
        other_ids["wos"] = accession
    if url and "eid=" in url:
        match = _EID.search(url)
        if match:
            other_ids["eid"] = match.group(1)
    issn = _first(fields, "SN")
    if issn:
        other_ids["issn"] = issn
    for value in fields.get("C2", ()):
        if value.startswith("PMC"):
            other_ids["pmcid"] = value
    pmid = ""
    database = _first(fields, "DB", "DP").lower()
    if "medline" in database or "pubmed" in database:
        if accession and accession.isdigit():
            pmid = normalise_pmid(accession)
        elif not accession:
            # Ovid MEDLINE's RIS has no AN tag: the PMID is only the AN of its link.
            for value in (*fields.get("L2", ()), *fields.get("UR", ())):
                match = _OVID_AN.search(value)
                if match:
                    pmid = normalise_pmid(match.group(1))
                    break
    return other_ids, pmid


def _split_authors(authors: list[str]) -> tuple[list[str], list[str]]:
    """(names, parallel romanised names) of a RIS author list."""
    joined = "\n".join(authors)
    if joined.isascii():
        return authors, []  # no CJK, no full-width parenthesis: nothing to split
    native: list[str] = []
    alt: list[str] = []
    if "(" in joined or "（" in joined:
        for name in authors:
            if "(" in name or "（" in name:
                name, roman = split_parallel_name(name)
                if roman:
                    alt.append(roman)
            native.append(name)
    else:
        native = authors
    # Some Chinese databases list every author twice, CJK first then romanised.
    cjk = [n for n in native if has_cjk(n)]
    if cjk and len(cjk) * 2 == len(native) and not alt:
        latin = [n for n in native if not has_cjk(n)]
        native, alt = cjk, latin
    return native, alt
