"""MEDLINE reading as it was before issue 21 made it faster (main 1b3de4d, verbatim below this
docstring): the oracle of test_medline_equivalence.py, which checks that the faster parser gives
the same records, warnings and errors. When MEDLINE reading changes on purpose, delete this file
and the old-against-new tests that use it.

One change made since, in both parsers alike (it touches only the file's last line, which
neither parser's fast path reads): a last record the file stops inside is read, with a
warning, when its last field is the one all the other records end with."""

from __future__ import annotations

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
_PADDED_KNOWN = frozenset(tag.ljust(4) for tag in KNOWN_TAGS)
# Past this much text with no blank line in it, the text goes to the line parser rather than
# waiting for the end of a record: memory stays flat whatever the file holds.
_MAX_PENDING = 8 * 1024 * 1024


def parse_medline(blocks: Iterable[list[str]], report: ParseReport) -> Iterator[dict]:
    """Records of MEDLINE text. Each record in the usual shape (from 'PMID- ' to a blank line,
    every line a 'TAG - value' line or a six-space continuation) is cut out with str.find and
    read with one regular expression; anything else goes line by line through `_LineParser`,
    which knows every rule. Both give the same records, warnings and errors."""
    state = _LineParser(report)
    buf = "\n"  # buf[pos - 1] is always a line end
    pos = 1
    line = 0  # lines of the file before buf[pos]
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
            tag = _tag_of(partial)[0]
            if partial[:1] in (" ", "\t") or (tag in KNOWN_TAGS and tag != "PMID"):
                yield from state.feed([partial], line + len(lines))
                state.open_line_read = line + len(lines) + 1
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
        record = buf[pos:end]
        lines = record.count("\n") + 1
        start = line + 1
        fields = None
        if (
            state.fields is None
            and record.startswith(("PMID- ", "OWN - "))
            and "\nPMID- " not in record
        ):
            parts = record.split("\n      ")
            joined: str | None = record
            if len(parts) > 1:
                # Continuation lines joined to their field with one space, as the line parser
                # joins stripped lines; a blank continuation line is left to the line parser.
                joined = None
                if not _BLANK_CONTINUATION.search(record):
                    strip = str.strip
                    joined = " ".join(
                        [parts[0].rstrip(), *map(strip, parts[1:-1]), parts[-1].lstrip()]
                    )
            if joined is not None:
                pairs = _FIELD.findall(joined)
                if len(pairs) == lines - len(parts) + 1:
                    fields = _fields(pairs, record, start, state)
        if fields is None:
            yield from state.feed([*record.split("\n"), ""], line)
        else:
            state.records += 1
            state.ending.closed(pairs[-1][0].rstrip(), len(fields))
            yield _build(fields, record, start, report)
        line += lines + 1
        pos = end + 2


def _fields(pairs: list[tuple[str, str]], record: str, start: int, state: _LineParser):
    """{padded tag: [values]} of a record in the usual shape; None when the line parser must
    read it (a tag that is not one)."""
    fields: dict[str, list[str]] = {}
    for tag, value in pairs:
        value = value.strip()
        values = fields.get(tag)
        if values is None:
            fields[tag] = [value]
        else:
            values.append(value)
    if not fields.keys() <= _PADDED_KNOWN:
        unknown = [tag for tag in fields if tag not in _PADDED_KNOWN]
        if any(" " in tag.rstrip() for tag in unknown):
            return None  # 'A B - ': the line parser reports the line
        for tag in unknown:
            name = tag.rstrip()
            if name not in state.unknown_warned:
                state.unknown_warned.add(name)
                at = ("\n" + record).find(f"\n{tag}- ")
                state.report.warn(start + record.count("\n", 0, at), _unknown_tag(name))
    return fields


def _unknown_tag(tag: str) -> str:
    return _("unknown MEDLINE tag %(tag)s; kept in the raw record only") % {"tag": tag}


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
        self.unknown_warned: set[str] = set()
        self.start_warned = False
        self.ending = Ending()
        self.open_line = False  # the file's text so far stops inside a line
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
        unknown_warned = self.unknown_warned
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
                        if tag not in KNOWN_TAGS and tag not in unknown_warned:
                            unknown_warned.add(tag)
                            report.warn(base + index + 1, _unknown_tag(tag))
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
                if tag not in ("PMID", "OWN") and not self.start_warned:
                    # ERIC opens each record with OWN; anything else may be a cut-off record.
                    self.start_warned = True
                    report.warn(
                        start, _("MEDLINE record starts with %(tag)s, not PMID") % {"tag": tag}
                    )
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
    for tag in ("LID ", "AID "):
        for value in fields.get(tag, ()):
            if value.endswith("[doi]"):
                doi = doi or normalise_doi(value[:-5])
            elif value.endswith("[pii]"):
                other_ids.setdefault("pii", value[:-5].strip())
            elif value.startswith(("http://", "https://")) and "doi.org/" not in value:
                url = url or value
            elif not value.endswith("]"):
                doi = doi or normalise_doi(value)
    pmc = _first(fields, "PMC ")
    if pmc:
        other_ids["pmcid"] = pmc
    oid = _first(fields, "OID ")
    if oid and fields.get("OWN ", [""])[0].upper() == "ERIC":
        other_ids["eric"] = oid
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
    get = fields.get
    pmid = _first(fields, "PMID")
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
    year = year_of(report, start, _first(fields, "DP  "))
    doi, url, other_ids = _ids(fields)
    keywords = get("MH  ", []) + get("OT  ", [])
    if "" in keywords:
        keywords = [k for k in keywords if k]
    return {
        "title": title,
        "title_alt": _first(fields, "TT  "),
        "abstract": _first(fields, "AB  "),
        "authors": authors,
        "authors_alt": alt,
        "year": year,
        "journal": _first(fields, "JT  ", "TA  "),
        "volume": _first(fields, "VI  "),
        "issue": _first(fields, "IP  "),
        "pages": expand_pages(_first(fields, "PG  ")),
        "doi": doi,
        "pmid": pmid,
        "other_ids": other_ids,
        "keywords": keywords,
        "language": _first(fields, "LA  "),
        "publication_type": "; ".join(get("PT  ", ())),
        "url": url,
        "source_key": pmid or other_ids.get("eric", ""),
        "raw": raw if isinstance(raw, str) else "\n".join(raw),
        "line": start,
    }
