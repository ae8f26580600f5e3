"""PubMed/MEDLINE tagged text (.nbib, PubMed 'Save as PubMed format', Ovid MEDLINE)."""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Iterator

from screening.identification.importers.base import ImportFormatError, ParseReport, year_of
from screening.identification.importers.base import first_value as _first
from screening.identification.importers.normalise import (
    expand_pages,
    normalise_doi,
    split_parallel_name,
)
from screening.identification.importers.tagged import Ending, no_line_end
from screening.identification.importers.text import _
from screening.identification.importers.textio import chunks_of

try:
    from screening.identification.importers._tagged import medline_fields as _native_fields
except ImportError:  # not compiled (no C compiler at install): the Python reader alone
    _native_fields = None

KNOWN_TAGS = frozenset(
    [
        "AB",
        "AD",
        "AID",
        "AU",
        "AUID",
        "BTI",
        "CI",
        "CIN",
        "CN",
        "COIS",
        "COI",
        "CON",
        "CP",
        "CRDT",
        "CRF",
        "CRI",
        "CTDT",
        "CTI",
        "DA",
        "DCOM",
        "DEP",
        "DP",
        "DRDT",
        "ECF",
        "ECI",
        "EDAT",
        "EFR",
        "EIN",
        "ED",
        "EN",
        "FAU",
        "FED",
        "FIR",
        "FPS",
        "GN",
        "GR",
        "GS",
        "IP",
        "IR",
        "IRAD",
        "IS",
        "ISBN",
        "ISSN",
        "JID",
        "JT",
        "LA",
        "LID",
        "LR",
        "MH",
        "MHDA",
        "MID",
        "OAB",
        "OABL",
        "OCI",
        "OID",
        "ORI",
        "OT",
        "OTO",
        "OWN",
        "PB",
        "PG",
        "PHST",
        "PL",
        "PMC",
        "PMCR",
        "PMID",
        "PS",
        "PST",
        "PT",
        "PUBM",
        "RF",
        "RIN",
        "RN",
        "ROF",
        "RPF",
        "RPI",
        "RRF",
        "RRI",
        "SB",
        "SFM",
        "SI",
        "SO",
        "SPIN",
        "STAT",
        "TA",
        "TI",
        "TT",
        "UIN",
        "UOF",
        "VI",
        "VTI",
        "YR",
    ]
)


def _tag_of(line: str) -> tuple[str, str]:
    """'PMID- 1' -> ('PMID', '1'), 'AU  - X' -> ('AU', 'X'), ERIC's 'ISSN - X' -> ('ISSN', 'X');
    ('', '') when the line is not a tag line."""
    if line[4:6] == "- " or line[4:] == "-":
        value = line[6:]
    elif line[4:7] == " - " or line[4:] == " -":
        value = line[7:]  # ERIC writes a four-letter tag, a space, then "- "
    else:
        return "", ""
    tag = line[:4].rstrip()
    if tag and tag.isascii() and tag.isalnum() and tag.isupper():
        return tag, value.strip()
    return "", ""


# A line in the usual shape, once its continuation lines are joined to it: a tag padded to four
# characters, "- " (ERIC: " - " after a four-letter tag), the value.
_FIELD = re.compile(r"^([A-Z][A-Z0-9 ]{3}) ?- (.*)$", re.MULTILINE)
_BLANK_CONTINUATION = re.compile(r"\n      [^\S\n]*(?:\n|\Z)")
_FIRST_CHARACTER = operator.itemgetter(slice(1))
_NOT_LINE_END = re.compile(r"[^\n]")
_PADDED_KNOWN = frozenset(tag.ljust(4) for tag in KNOWN_TAGS)
# Past this much text with no blank line in it, the text goes to the line parser rather than
# waiting for the end of a record: memory stays flat whatever the file holds.
_MAX_PENDING = 8 * 1024 * 1024


def parse_medline(
    blocks: Iterable[list[str]], report: ParseReport, first_line: int = 0
) -> Iterator[dict]:
    """Records of MEDLINE text. Each record in the usual shape (from 'PMID- ' to a blank line,
    every line a 'TAG - value' line or a six-space continuation) is cut out with str.find and
    read with one regular expression; anything else goes line by line through `_LineParser`,
    which knows every rule. Both give the same records, warnings and errors.

    `first_line`: the lines of the file before `blocks` (a segment of it, see `segments`)."""
    state = _LineParser(report)
    buf = "\n"  # buf[pos - 1] is always a line end
    pos = 1
    line = first_line  # lines of the file before buf[pos]
    for chunk in chunks_of(blocks):
        state.open_line = chunk[-1] != "\n" and not chunk[chunk.rfind("\n") + 1 :].isspace()
        buf = buf[pos - 1 :] + chunk
        pos, line = yield from _scan(buf, 1, line, state)
        if len(buf) - pos > _MAX_PENDING:
            cut = buf.rfind("\n") + 1
            yield from state.feed(buf[pos : cut - 1].split("\n"), line)
            line += buf.count("\n", pos, cut)
            pos = cut
    if pos < len(buf):
        rest = buf[pos:-1] if buf[-1] == "\n" else buf[pos:]
        lines = rest.split("\n")
        # A line the file stops inside is read only when it can belong to the open record.
        partial = lines.pop() if state.open_line else None
        yield from state.feed(lines, line)
        if partial is not None:
            if state.fields is None:
                state.report.cut_off(
                    line + len(lines) + 1,
                    _("the file stops inside the first line of a %(format)s record")
                    % {"format": "MEDLINE"},
                )
                return
            yield from state.feed_open_line(partial, line + len(lines))
    yield from state.finish()


def _scan(buf: str, pos: int, line: int, state: _LineParser):
    """Read the records of buf[pos:] that a blank line ends; returns (pos, line) after them."""
    report = state.report
    find = buf.find
    while True:
        end = find("\n\n", pos - 1)
        if end < 0:
            return pos, line
        if end < pos:  # an empty line at pos
            if state.fields is not None or state.pieces:
                yield from state.feed([""], line)
                pos += 1
                line += 1
                continue
            # Between records: the whole run of empty lines at once (a file's stretch parsed
            # by another process is such a run, see `segments`).
            blank = _NOT_LINE_END.search(buf, pos)
            skip = (blank.start() if blank else len(buf)) - pos
            pos += skip
            line += skip
            continue
        record = buf[pos:end]
        start = line + 1
        fields = read = None
        if state.fields is None and record.startswith(("PMID- ", "OWN - ")):
            read = _usual_fields(record)
            if read is not None:
                fields = _checked(read[0], record, start, state)
        lines = read[2] if read is not None else record.count("\n") + 1
        if fields is None:
            yield from state.feed([*record.split("\n"), ""], line)
        else:
            state.records += 1
            state.ending.closed(read[1].rstrip(), len(fields))
            yield _build(fields, record, start, report)
        line += lines + 1
        pos = end + 2


def compiled() -> bool:
    """Whether the usual records are read in C (see `_usual_fields`)."""
    return _native_fields is not None


def _usual_fields(record: str) -> tuple[dict[str, list[str]], str, int] | None:
    """({padded tag: [values]}, the last field's padded tag, the number of lines) of a record
    whose every line is a tag line or a continuation line; None when the line parser must read
    it. Compiled (_tagged.c) where the install could build it: that reader answers
    only where it is sure to give what `_usual_fields_in_python` gives, and leaves the rest to
    it."""
    if _native_fields is not None:
        read = _native_fields(record)
        if read is not None:
            return read
    return _usual_fields_in_python(record)


def _usual_fields_in_python(record: str) -> tuple[dict[str, list[str]], str, int] | None:
    lines = record.count("\n") + 1
    parts = record.split("\n      ")
    joined: str | None = record
    if len(parts) > 1:
        # Continuation lines joined to their field with one space, as the line parser joins
        # stripped lines; a blank continuation line is left to the line parser. Each part
        # after the first starts where a continuation line's text does: when none starts with
        # a space (PubMed indents by six exactly), none is blank, and the search for one is
        # spared.
        firsts = "".join(map(_FIRST_CHARACTER, parts[1:]))
        joined = None
        if (
            len(firsts) == len(parts) - 1 and firsts.split() == [firsts]
        ) or not _BLANK_CONTINUATION.search(record):
            strip = str.strip
            joined = " ".join([parts[0].rstrip(), *map(strip, parts[1:-1]), parts[-1].lstrip()])
    if joined is None:
        return None
    pairs = _FIELD.findall(joined)
    if len(pairs) != lines - len(parts) + 1:
        return None
    fields: dict[str, list[str]] = {}
    for tag, value in pairs:
        value = value.strip()
        values = fields.get(tag)
        if values is None:
            fields[tag] = [value]
        else:
            values.append(value)
    return fields, pairs[-1][0], lines


def _checked(fields: dict[str, list[str]], record: str, start: int, state: _LineParser):
    """`fields` of a record in the usual shape, its unknown tags warned of; None when the line
    parser must read it (a second PMID, a tag that is not one)."""
    pmids = fields.get("PMID")
    if pmids is not None and len(pmids) > (record[0] == "P") and "\nPMID- " in record:
        return None  # records not separated by a blank line
    if not fields.keys() <= _PADDED_KNOWN:
        unknown = [tag for tag in fields if tag not in _PADDED_KNOWN]
        if any(" " in tag.rstrip() for tag in unknown):
            return None  # 'A B - ': the line parser reports the line
        for tag in unknown:
            name = tag.rstrip()
            if ("MEDLINE tag", name) not in state.report.once:
                at = ("\n" + record).find(f"\n{tag}- ")
                line = start + record.count("\n", 0, at)
                state.report.warn_once(("MEDLINE tag", name), line, _unknown_tag(name))
    return fields


def _unknown_tag(tag: str) -> str:
    return _("unknown MEDLINE tag %(tag)s; kept in the raw record only") % {"tag": tag}


def _not_pmid(tag: str) -> str:
    return _("MEDLINE record starts with %(tag)s, not PMID") % {"tag": tag}


class _LineParser:
    """MEDLINE read line by line, every rule included; the state carries over between calls,
    so the fast path of `parse_medline` can hand it any stretch of lines."""

    def __init__(self, report: ParseReport) -> None:
        self.report = report
        self.fields: dict[str, list[str]] | None = None
        self.raw: list[str] = []
        self.last: list[str] | None = None
        # Continuation lines of the current field, joined when the field ends: joining once is
        # linear where appending to the value line by line is quadratic on long abstracts.
        self.pieces: list[str] = []
        self.start = 0
        self.records = 0
        # Kept on the report too, where the findings of other processes' segments join it.
        self.ending = report.ending = Ending()
        self.open_line = False  # the file's text so far stops inside a line
        # The number of the line the file stops inside, once read as part of the last record.
        self.open_line_read: int | None = None

    def _record(self, fields: dict[str, list[str]], raw: list[str], start: int) -> dict:
        """A record ended by a blank line or by the next PMID (not by the end of the file)."""
        self.records += 1
        self.ending.closed(_last_tag(raw), len(fields))
        return _build({tag.ljust(4): v for tag, v in fields.items()}, raw, start, self.report)

    def feed(self, lines: list[str], base: int) -> Iterator[dict]:
        """Records ended by `lines`, the lines of the file after its first `base` lines."""
        report = self.report
        fields, raw, last, pieces, start = (
            self.fields,
            self.raw,
            self.last,
            self.pieces,
            self.start,
        )
        once = report.once
        for index, line in enumerate(lines):
            if line[:6] == "      ":
                # MEDLINE wraps long fields with six spaces.
                if last is None:
                    raise ImportFormatError(
                        _("continuation line outside a MEDLINE record"), base + index + 1
                    )
                raw.append(line)
                pieces.append(line.strip())
                continue
            if pieces:
                last[-1] = " ".join([last[-1], *pieces]) if last[-1] else " ".join(pieces)
                pieces = []
            if line[4:6] == "- " and fields is not None:
                # The common case: one more field of the current record.
                tag = line[:4].rstrip()
                if tag != "PMID":
                    raw.append(line)
                    values = fields.get(tag)
                    if values is None:
                        if not (tag.isascii() and tag.isalnum() and tag.isupper()):
                            raise ImportFormatError(
                                _("expected a MEDLINE tag, found %(text)s")
                                % {"text": repr(line[:30])},
                                base + index + 1,
                            )
                        fields[tag] = last = [line[6:].strip()]
                        if tag not in KNOWN_TAGS and ("MEDLINE tag", tag) not in once:
                            report.warn_once(
                                ("MEDLINE tag", tag), base + index + 1, _unknown_tag(tag)
                            )
                    else:
                        values.append(line[6:].strip())
                        last = values
                    continue
            if not line or line.isspace():
                if fields is not None:
                    yield self._record(fields, raw, start)
                    fields = None
                    last = None
                continue
            tag, value = _tag_of(line)
            if not tag:
                if line[0] in " \t" and last is not None:
                    # Indented by fewer than six spaces: still a continuation.
                    raw.append(line)
                    last[-1] = f"{last[-1]} {line.strip()}"
                    continue
                raise ImportFormatError(
                    _(
                        "expected a MEDLINE tag line ('PMID- ', 'TI  - ', ...) or an indented "
                        "continuation line, found %(text)s"
                    )
                    % {"text": repr(line[:30])},
                    base + index + 1,
                )
            if fields is not None and tag == "PMID" and "PMID" in fields:
                # Records not separated by a blank line: PMID always opens a record.
                yield self._record(fields, raw, start)
                fields = None
            if fields is None:
                start = base + index + 1
                if tag not in KNOWN_TAGS:
                    raise ImportFormatError(
                        _("a MEDLINE record cannot start with %(tag)s (not a MEDLINE tag)")
                        % {"tag": tag},
                        start,
                    )
                if tag not in ("PMID", "OWN") and "MEDLINE start" not in once:
                    # ERIC opens each record with OWN; anything else may be a cut-off record.
                    report.warn_once("MEDLINE start", start, _not_pmid(tag))
                fields = {}
                raw = []
            raw.append(line)
            values = fields.get(tag)
            if values is None:
                fields[tag] = last = [value]
            else:
                values.append(value)
                last = values
        self.fields, self.raw, self.last, self.pieces, self.start = (
            fields,
            raw,
            last,
            pieces,
            start,
        )

    def feed_open_line(self, line: str, base: int) -> Iterator[dict]:
        """The line the file stops inside (after its first `base` lines), while a record is
        open: read when it continues the record (a continuation line, or a field of a MEDLINE
        tag other than PMID), so `finish` can judge the record by its last field; otherwise
        left out, and the record is judged cut."""
        tag = _tag_of(line)[0]
        if line[:1] in (" ", "\t") or (tag in KNOWN_TAGS and tag != "PMID"):
            yield from self.feed([line], base)
            self.open_line_read = base + 1

    def finish(self) -> Iterator[dict]:
        if self.pieces and self.last is not None:
            last = self.last
            last[-1] = " ".join([last[-1], *self.pieces]) if last[-1] else " ".join(self.pieces)
            self.pieces = []
        if self.fields is not None:
            read = self.open_line_read
            last_tag = _last_tag(self.raw) if read is not None else None
            why = self.ending.why_cut(self.fields.keys(), self.open_line, last_tag)
            if why is None:
                if self.open_line:
                    self.report.warn(read, no_line_end())
                self.records += 1
                yield _build(
                    {tag.ljust(4): v for tag, v in self.fields.items()},
                    self.raw,
                    self.start,
                    self.report,
                )
            else:
                self.report.cut_off(
                    self.start,
                    _("the last %(format)s record %(why)s") % {"format": "MEDLINE", "why": why},
                )
            self.fields = None
        elif self.records == 0:
            raise ImportFormatError(_("no MEDLINE records found (no line starts with 'PMID- ')"), 1)


def _ids(fields: dict[str, list[str]]) -> tuple[str, str, dict[str, str]]:
    """(DOI, link, other identifiers). PubMed marks its LID/AID values ('... [doi]'); ERIC
    writes a bare DOI or its record's link there, its own ID in OID and 'ISSN-...' in ISSN."""
    doi = url = ""
    other_ids: dict[str, str] = {}
    get = fields.get
    for tag in ("LID ", "AID "):
        for value in get(tag, ()):
            if value.endswith("[doi]"):
                if not doi:
                    doi = normalise_doi(value[:-5])
            elif value.endswith("[pii]"):
                if "pii" not in other_ids:
                    other_ids["pii"] = value[:-5].strip()
            elif value.startswith(("http://", "https://")) and "doi.org/" not in value:
                url = url or value
            elif not value.endswith("]"):
                doi = doi or normalise_doi(value)
    if "PMC " in fields:
        pmc = _first(fields, "PMC ")
        if pmc:
            other_ids["pmcid"] = pmc
    if "OID " in fields:
        oid = _first(fields, "OID ")
        if oid and get("OWN ", [""])[0].upper() == "ERIC":
            other_ids["eric"] = oid
    if "ISSN" in fields:
        issn = _first(fields, "ISSN")
        if issn:
            other_ids["issn"] = issn.removeprefix("ISSN-").removeprefix("EISSN-").strip()
    return doi, url, other_ids


def _last_tag(raw: list[str]) -> str:
    """The tag of the record's last field (its last line that is not a continuation)."""
    for line in reversed(raw):
        if line[:1] not in (" ", "\t", ""):
            return line[:4].rstrip()
    return ""


def _build(
    fields: dict[str, list[str]], raw: list[str] | str, start: int, report: ParseReport
) -> dict:
    """The record of `fields`, keyed by tags padded to four characters ("TI  ", "PMID")."""
    # Runs once per record: a tag's usual case (one value, not empty) is read inline, `_first`
    # only for the rest; a tag the record lacks costs one lookup.
    get = fields.get
    values = get("PMID")
    pmid = values[0] if values and values[0] else _first(fields, "PMID")
    values = get("TI  ")
    title = values[0] if values and values[0] else _first(fields, "TI  ", "BTI ")
    authors = get("FAU ") or get("AU  ")
    authors = ([a for a in authors if a] if "" in authors else authors[:]) if authors else []
    if "CN  " in fields:
        authors += [c for c in fields["CN  "] if c]
    alt: list[str] = []
    if authors and "(" in "\n".join(authors):
        split = [split_parallel_name(a) for a in authors]
        authors = [native for native, _ in split]
        alt = [roman for _, roman in split if roman]
    values = get("DP  ")
    date = values[0] if values and values[0] else _first(fields, "DP  ")
    head = date[:4]
    if (
        (len(date) == 4 or date[4:5] == " ")
        and head.isascii()
        and head.isdigit()
        and "1500" <= head <= "2199"
    ):
        # The usual cases, '2019' and '2019 Jan 25', as `year_of` reads them (its first year).
        year: int | None = int(head)
    else:
        year = year_of(report, start, date)
    doi, url, other_ids = _ids(fields)
    keywords = get("MH  ", []) + get("OT  ", [])
    if "" in keywords:
        keywords = [k for k in keywords if k]
    values = get("AB  ")
    abstract = values[0] if values and values[0] else _first(fields, "AB  ")
    values = get("JT  ")
    journal = values[0] if values and values[0] else _first(fields, "JT  ", "TA  ")
    values = get("LA  ")
    language = values[0] if values and values[0] else _first(fields, "LA  ")
    return {
        "title": title,
        "title_alt": _first(fields, "TT  ") if "TT  " in fields else "",
        "abstract": abstract,
        "authors": authors,
        "authors_alt": alt,
        "year": year,
        "journal": journal,
        "volume": _first(fields, "VI  ") if "VI  " in fields else "",
        "issue": _first(fields, "IP  ") if "IP  " in fields else "",
        "pages": expand_pages(_first(fields, "PG  ")) if "PG  " in fields else "",
        "doi": doi,
        "pmid": pmid,
        "other_ids": other_ids,
        "keywords": keywords,
        "language": language,
        "publication_type": "; ".join(get("PT  ", ())),
        "url": url,
        "source_key": pmid or other_ids.get("eric", ""),
        "raw": raw if isinstance(raw, str) else "\n".join(raw),
        "line": start,
    }
