"""XML exports streamed through defusedxml's expat parser: records are built as their end tags
arrive, so a large file never sits in memory, and entity expansion and external references are
refused (EndNote XML has no DOCTYPE at all and refuses one; PubMed XML declares its DTD, which
is read as a name only, never fetched).

A parser subclasses `RecordTarget` (what to keep of each record) and reads with
`stream_records`. Not well-formed XML is refused with its line; XML that simply stops (the
parser is still inside the document when the bytes run out) is a cut-off file
(`ParseReport.cut_off`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from screening.identification.importers.base import ImportFormatError, ParseReport
from screening.identification.importers.text import _, gettext_noop

CHUNK = 256 * 1024
_DECLARED = re.compile(rb"""<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")


def declared_encoding(head: bytes) -> str:
    match = _DECLARED.search(head[:200])
    if match:
        return match.group(1).decode("ascii").lower()
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    return "utf-8"


class RecordTarget:
    """Receives expat's events straight from expat (no ElementTree layer in between: this is
    the per-element hot path) and keeps only the open record's text.

    Subclasses set `record_tags` and fill `self.current` (a dict) in `field_start(tag, attrs)`
    -- `attrs` as expat gives them, [name, value, name, value...] -- and `field_end(tag, mark)`,
    where `self.text(mark)` is the element's text, inline markup (<i>, <style>) included.
    """

    record_tags: frozenset[str] = frozenset()

    def __init__(self, report: ParseReport) -> None:
        self.report = report
        self.stack: list[str] = []
        self.chars: list[str] = []  # the open record's text, in pieces
        self.marks: list[int] = []  # where each open element's text starts in `chars`
        self.current: dict | None = None
        self.depth = 0  # of the record element in `stack`
        self.done: list[tuple[dict, int, int, int]] = []
        self.expat = None
        self.start_byte = 0
        self.start_line = 0
        self.started = False  # the root element was seen

    def start(self, tag: str, attrs: list[str]) -> None:
        self.started = True
        self.stack.append(tag)
        if self.current is None:
            if tag not in self.record_tags:
                return
            self.current = {}
            self.depth = len(self.stack) - 1
            self.start_byte = self.expat.CurrentByteIndex
            self.start_line = self.expat.CurrentLineNumber
        self.marks.append(len(self.chars))
        self.field_start(tag, attrs)

    def data(self, text: str) -> None:
        if self.current is not None:
            self.chars.append(text)

    def end(self, tag: str) -> None:
        self.stack.pop()
        if self.current is None:
            return
        mark = self.marks.pop()
        if len(self.stack) == self.depth and tag in self.record_tags:
            end_byte = self.expat.CurrentByteIndex + len(f"</{tag}>".encode())
            self.done.append((self.current, self.start_line, self.start_byte, end_byte))
            self.current = None
            self.chars.clear()
            return
        self.field_end(tag, mark)

    def text(self, mark: int) -> str:
        chars = self.chars
        return chars[mark] if len(chars) == mark + 1 else "".join(chars[mark:])

    def close(self) -> None:
        return None

    def path(self, tag: str) -> tuple[str, ...]:
        """Where `tag` (just closed) sits inside the record, below the record element."""
        return (*self.stack[self.depth + 1 :], tag)

    def field_start(self, tag: str, attrs: list[str]) -> None:
        return None

    def field_end(self, tag: str, mark: int) -> None:
        raise NotImplementedError


def attribute(attrs: list[str], name: str) -> str:
    """The value of attribute `name` in expat's [name, value, ...] list ('' when absent)."""
    for i in range(0, len(attrs), 2):
        if attrs[i] == name:
            return attrs[i + 1]
    return ""


def stream_records(
    stream: BinaryIO,
    target: RecordTarget,
    report: ParseReport,
    *,
    dtd: bool,
    what: str,
    none_found: str,
) -> Iterator[tuple[dict, int, str]]:
    """(fields, line, raw XML) of each record, as the file is read. `what` names the format in
    messages, `none_found` is the error for a document without records; `dtd` allows a DOCTYPE
    declaration."""
    parser = DefusedXMLParser(target=target, forbid_dtd=not dtd)
    # defusedxml's guards (entities, external references, DTD) stay on the expat parser; the
    # element events go to the target directly.
    expat = target.expat = parser.parser
    expat.StartElementHandler = target.start
    expat.EndElementHandler = target.end
    expat.CharacterDataHandler = target.data
    # Bytes from `buffer_start` on are kept so each record's raw XML can be cut out of them.
    buffer = bytearray()
    buffer_start = 0
    records = 0
    while True:
        chunk = stream.read(CHUNK)
        try:
            if chunk:
                buffer += chunk
                parser.feed(chunk)
            else:
                parser.close()
        except (ExpatError, SyntaxError) as exc:
            line = line_of(exc)
            if chunk or not target.started:
                raise ImportFormatError(not_well_formed(exc), line) from exc
            # The bytes ran out inside the document: a cut-off file.
            if target.current is not None:
                report.cut_off(
                    target.start_line,
                    _("the last %(format)s record is not closed") % {"format": what},
                )
            else:
                report.cut_off(line, stops_early(exc), False)
            return
        except DefusedXmlException as exc:
            raise ImportFormatError(forbidden(what)) from exc
        for fields, line, start, end in target.done:
            raw = bytes(buffer[start - buffer_start : end - buffer_start])
            records += 1
            yield fields, line, _decode(raw, report.encoding)
        if target.done:
            last_end = target.done[-1][3]
            del buffer[: last_end - buffer_start]
            buffer_start = last_end
            target.done.clear()
        elif target.current is None and len(buffer) > CHUNK:
            # Between records: nothing of the buffer is needed any more.
            position = expat.CurrentByteIndex
            if position > buffer_start:
                del buffer[: position - buffer_start]
                buffer_start = position
        if not chunk:
            break
    if records == 0:
        if not target.started:
            raise ImportFormatError(_("the file is empty"))
        raise ImportFormatError(_(none_found))


def line_of(exc: Exception) -> int | None:
    line = getattr(exc, "lineno", None)
    position = getattr(exc, "position", None)
    if line is None and position:
        line = position[0]
    return line


def _decode(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding or "utf-8", "replace")
    except LookupError:
        return raw.decode("utf-8", "replace")


# expat's reasons, in the words of someone reading the file.
_REASONS = {
    "mismatched tag": gettext_noop("a closing tag does not match the tag it should close"),
    "no element found": gettext_noop(
        "the file ends before its last element is closed (is it complete?)"
    ),
    "unclosed token": gettext_noop("the file ends inside a tag (is it complete?)"),
    "junk after document element": gettext_noop("there is text after the end of the XML document"),
    "not well-formed (invalid token)": gettext_noop(
        "a character appears where XML does not allow it"
    ),
    "undefined entity": gettext_noop("an &...; entity is used that XML does not define"),
    "syntax error": gettext_noop("the text is not XML"),
    "unbound prefix": gettext_noop("a tag uses a namespace prefix that is not declared"),
    "duplicate attribute": gettext_noop("a tag has the same attribute twice"),
}


def reason(exc: Exception) -> str:
    """What expat found wrong, in plain words (never the parser's own)."""
    text = re.sub(r":? ?line \d+, column \d+", "", str(exc)).strip()
    return _(_REASONS.get(text, gettext_noop("its tags or characters are out of place")))


def not_well_formed(exc: Exception) -> str:
    return _("the XML is not well formed: %(reason)s") % {"reason": reason(exc)}


def stops_early(exc: Exception) -> str:
    return _("the XML stops before its end: %(reason)s") % {"reason": reason(exc)}


def forbidden(what: str) -> str:
    """Why a document with entities or an inline DTD is refused."""
    return _(
        "the XML declares entities or a document type of its own (<!ENTITY ...>, "
        "<!DOCTYPE ... [...]>), which we do not read, for safety; %(format)s exports have none"
    ) % {"format": what}
