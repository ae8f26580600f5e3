"""What the line-tagged formats share: reading records of 'tag value' lines, and telling whether
the file's last record was cut off.

A record of a tagged format either has an end tag (RIS and Web of Science: ER), which a cut
file lacks, or simply stops where the next record or the file begins (MEDLINE, EndNote/Refer,
RefWorks, NoteExpress). For those, the last record counts as cut off when
- the file stops inside a line (most exporters end every line; a download interrupted at a
  random byte almost never stops right after a line end), unless the other records agree on
  the field that closes a record and the last one ends with it too: some exporters write no
  line end after the file's last line, so that alone proves nothing (read, with a warning), or
- the other records of the file all end with the same field and the last one lacks it (an
  exporter writes fields in a fixed order: PubMed's last field is SO, for example), or
- the last record holds one field only (its opening line), where no other record is as bare.
A blank line after the last record, or its absence, proves nothing either way.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator

from screening.identification.importers.base import ImportFormatError, ParseReport
from screening.identification.importers.normalise import has_cjk, split_bilingual
from screening.identification.importers.text import _
from screening.identification.importers.textio import chunks_of

# Records that must agree on their last field before its absence means a cut.
AGREEING_RECORDS = 2


class Ending:
    """Remembers the last field of each complete record; judges the record left open at the end."""

    def __init__(self) -> None:
        self.closing: str | None = None
        self.agreeing = 0
        self.varies = False
        self.fewest_fields: int | None = None

    def closed(self, last_tag: str, fields: int = 2) -> None:
        """A record ended (not the file's last); `last_tag` was its final field, `fields` how
        many different fields it had."""
        if self.fewest_fields is None or fields < self.fewest_fields:
            self.fewest_fields = fields
        if self.varies:
            return
        if self.closing is None:
            self.closing, self.agreeing = last_tag, 1
        elif last_tag == self.closing:
            self.agreeing += 1
        else:
            self.varies = True

    def merge(self, other: Ending) -> None:
        """Take in what the records of another stretch of the file said (`segments`). Whatever
        the order of the stretches, why_cut judges the same: it asks whether every record
        ended with one tag, how many did, and the fewest fields a record had."""
        if other.fewest_fields is not None and (
            self.fewest_fields is None or other.fewest_fields < self.fewest_fields
        ):
            self.fewest_fields = other.fewest_fields
        if self.varies or other.closing is None:
            return
        if other.varies or (self.closing is not None and other.closing != self.closing):
            self.varies = True
        elif self.closing is None:
            self.closing, self.agreeing = other.closing, other.agreeing
        else:
            self.agreeing += other.agreeing

    def closes(self, last_tag: str | None) -> bool:
        """Whether `last_tag` is the field every record before ends with (enough of them)."""
        return (
            not self.varies
            and self.agreeing >= AGREEING_RECORDS
            and last_tag is not None
            and last_tag == self.closing
        )

    def why_cut(
        self, tags: Collection[str], open_line: bool, last_tag: str | None = None
    ) -> str | None:
        """Why the record open at the end of the file looks cut off, or None when it does not.
        `last_tag`: the tag of its last field, None when its last line could not be read.

        A file that stops inside a line is cut unless the record ends with the field that
        closes all the others: some exporters (Wanfang's NoteExpress, PubMed's own .nbib
        files) write no line end after the file's last line, and their complete last record
        then ends as every other one does. The caller warns that the last field may be cut
        (`no_line_end`): an interrupted download could have stopped inside that field too."""
        if open_line and not self.closes(last_tag):
            return _("stops inside a line (no line end after its last line)")
        if len(tags) == 1 and (self.fewest_fields is None or self.fewest_fields > 1):
            return _("holds nothing but its first line")
        closing = self.closing
        if not self.varies and self.agreeing >= AGREEING_RECORDS and closing not in tags:
            return _("lacks the %(tag)s field that ends each of the other %(n)s records") % {
                "tag": closing,
                "n": self.agreeing,
            }
        return None


class TaggedFormat:
    """How one blank-line separated tagged format writes its lines (see `read_tagged`)."""

    name = ""
    start_tag = ""
    example = ""  # a tag line, for error messages
    # A tag line: group 1 the tag as written, group 2 the value (None when there is none).
    # Matched inline by `read_tagged` (a format whose lines need more overrides `split`).
    line: re.Pattern | None = None

    def tag(self, written: str) -> str:
        """The tag as the format's fields are keyed, from the tag as written."""
        return written

    def preamble(self, chunk: str) -> str:
        """The file's first piece of text with any lines the exporter writes before the
        records (not records, not errors) made blank, so the records keep their line numbers."""
        return chunk

    def split(self, line: str) -> tuple[str, str] | None:
        """(tag, value) of a tag line; None for any other line."""
        match = self.line.match(line.lstrip("\ufeff"))
        if match is None:
            return None
        return self.tag(match.group(1)), match.group(2) or ""

    def build(self, fields: dict[str, list[str]], raw: str, start: int, report: ParseReport):
        raise NotImplementedError


def no_line_end() -> str:
    """The warning for a last record read although the file stops inside its last line."""
    return _(
        "the file has no line end after its last line: if its download was interrupted, the "
        "last field of this record may be cut off"
    )


def _first_line_cut(name: str) -> str:
    return _("the file stops inside the first line of a %(format)s record") % {"format": name}


def last_record_cut(name: str, why: str) -> str:
    return _("the last %(format)s record %(why)s") % {"format": name, "why": why}


def _not_a_tag_line(fmt, line: str) -> str:
    return _("expected a tag line (%(format)s: %(example)s), found %(text)s") % {
        "format": fmt.name,
        "example": repr(fmt.example),
        "text": repr(line[:30]),
    }


def read_tagged(
    blocks: Iterable[list[str]], report: ParseReport, fmt: TaggedFormat
) -> Iterator[dict]:
    """Records of a tagged format whose records are separated by blank lines or start with
    `fmt.start_tag` (when the open record has that tag already).

    An untagged line continues the field before it (after a blank line too: abstracts have
    paragraphs); one before any record is an error. A record that opened with the start tag
    ends only where the next start tag is, or where a blank line is followed by a tag it holds
    already: exporters that write the start tag write it first in every record (EndNote's %0,
    RefWorks' RT, NoteExpress' {Reference Type}, Ovid's <n. >), and a field after a blank line
    inside a record (CNKI ends a thesis' abstract of blank-separated paragraphs with a blank
    line, then '%W CNKI') is not yet in it, while a record without the start tag (a file of
    pure Refer, or pasted after one with it) opens with a title or an author as the record
    before has. A record is complete once the next one starts, so the last one is judged by
    `Ending`.
    """
    split = fmt.split
    line_match = fmt.line.match if fmt.line is not None else None
    tags: dict[str, str] = {}  # tag as written -> as keyed
    build = fmt.build
    start_tag = fmt.start_tag
    ending = Ending()
    fields: dict[str, list[str]] | None = None
    raw: list[str] = []
    last: list[str] | None = None
    last_tag = ""
    start = 0
    opened = False  # the open record began with the start tag
    blank = True  # a blank line since the last tag line
    number = 0
    records = 0
    open_line = False
    for chunk in chunks_of(blocks):
        if number == 0:
            chunk = fmt.preamble(chunk[1:] if chunk[:1] == "\ufeff" else chunk)
        # Only the file's last piece can stop inside a line; that line is then cut.
        open_line = chunk[-1] != "\n"
        lines = (chunk[:-1] if not open_line else chunk).split("\n")
        open_line = open_line and not lines[-1].isspace()  # trailing blanks are no cut
        cut = len(lines) - 1 if open_line else -1
        for index, line in enumerate(lines):
            number += 1
            if not line or line.isspace():
                blank = True
                if fields is not None:
                    raw.append(line)
                continue
            if line_match is not None:
                match = line_match(line)
                if match is None:
                    pair = None
                else:
                    written = match.group(1)
                    tag = tags.get(written)
                    if tag is None:
                        tag = tags[written] = fmt.tag(written)
                    pair = (tag, match.group(2) or "")
            else:
                pair = split(line)
            if pair is None and index == cut and (fields is None or blank):
                # The cut line would have opened a record: the one before it is complete.
                if fields is not None:
                    records += 1
                    yield build(fields, "\n".join(raw).rstrip(), start, report)
                report.cut_off(number, _first_line_cut(fmt.name))
                return
            if pair is None:
                if fields is None or last is None:
                    raise ImportFormatError(_not_a_tag_line(fmt, line), number)
                raw.append(line)
                text = line.strip()
                last[-1] = f"{last[-1]}\n{text}" if last[-1] else text
                blank = False
                continue
            tag, value = pair
            if fields is not None and (
                (blank and (not opened or tag in fields)) or (tag == start_tag and tag in fields)
            ):
                ending.closed(last_tag, len(fields))
                records += 1
                yield build(fields, "\n".join(raw).rstrip(), start, report)
                fields = None
            if fields is None:
                fields, raw, start, opened = {}, [], number, tag == start_tag
            blank = False
            raw.append(line)
            last_tag = tag
            values = fields.get(tag)
            if values is None:
                fields[tag] = last = [value.strip()]
            else:
                values.append(value.strip())
                last = values
    if fields is not None:
        last_record = (fields, "\n".join(raw).rstrip(), start)
        records += yield from _last_record(fmt, report, ending, last_record, last_tag, open_line)
    if records == 0 and report.truncated_at is None:
        raise ImportFormatError(_("no %(format)s records found") % {"format": fmt.name}, 1)


def _last_record(fmt, report, ending: Ending, record: tuple, last_tag: str, open_line: bool):
    """The record open at the end of the file, (fields, raw, start), unless it looks cut;
    returns how many records were given (1 or 0)."""
    fields, raw, start = record
    why = ending.why_cut(fields.keys(), open_line, last_tag)
    if why is not None:
        report.cut_off(start, last_record_cut(fmt.name, why))
        return 0
    if open_line:
        report.warn(start + raw.count("\n"), no_line_end())
    yield fmt.build(fields, raw, start, report)
    return 1


def blocks_with_cut(blocks: Iterable[list[str]]) -> Iterator[tuple[list[str], int]]:
    """The file's lines in lists, each with the index of a line the file stops inside (the last
    line of the last list, when the file has no line end after it and it is not blank), or -1."""
    for chunk in chunks_of(blocks):
        if chunk[-1] == "\n":
            yield chunk[:-1].split("\n"), -1
        else:
            lines = chunk.split("\n")
            yield lines, -1 if lines[-1].isspace() else len(lines) - 1


def two_titles(titles: Iterable[str], translated: str) -> tuple[str, str]:
    """(title, title in the other language): the translated-title field; else a repeated title
    field in the other script (Airiti writes %T twice, Chinese then English); else both
    languages in one value ('中文題名 = English title')."""
    values = [" ".join(v.split()) for v in titles if v.strip()]
    title = values[0] if values else ""
    alt = " ".join(translated.split())
    if not alt and len(values) > 1 and has_cjk(title) != has_cjk(values[1]):
        alt = values[1]
    if not alt:
        title, alt = split_bilingual(title)
    return title, alt


_NAME_SEP = re.compile(r"\s*[;；]+\s*")


def names_in(values: Iterable[str]) -> list[str]:
    """The names of tag values that each hold one, or several joined by ';' (no name holds a
    ';'): NoteExpress, RefWorks and CNKI's EndNote write them either way."""
    return [name for value in values for name in _NAME_SEP.split(value) if name]
