"""The text of a full-text PDF (pypdf): a file in, text out, within limits; no ORM.

A PDF can be a page bomb: 9.6 MB held 60,000 pages, and reading every page's text took a web
worker 24 s and stored a million characters. So the text is read in a background task (see
`screening.fulltext.extraction`), and here within `Limits`: at most `max_pages` pages, at most
`max_seconds` of reading (checked between pages) and `max_chars` characters. Pages are walked
one at a time through the page tree: pypdf's own page list first flattens the whole tree,
which alone took 22 s on that file.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

# Attributes a page inherits from the /Pages nodes above it (PDF 32000-1, 7.7.3.4).
_INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
_MAX_TREE_DEPTH = 64


class PdfTextError(Exception):
    """The PDF could not be read; the message is shown to the user."""


@dataclass(frozen=True)
class Limits:
    max_pages: int = 500
    max_seconds: float = 60.0
    max_chars: int = 3_000_000


@dataclass
class Extracted:
    text: str
    pages_read: int
    pages_declared: int  # what the file says it has (it may lie)
    stopped: str = ""  # "", "pages", "time" or "chars": the limit that stopped the reading

    def stop_note(self, limits: Limits) -> str:
        """What the person is told when a limit cut the text short ('' when none did)."""
        if self.stopped == "pages":
            return _("Only the first %(n)s pages were read (the limit per PDF).") % {
                "n": limits.max_pages
            }
        if self.stopped == "time":
            return _(
                "Reading stopped after %(seconds)s seconds, at page %(page)s: paste the rest of "
                "the text if coding needs it."
            ) % {"seconds": f"{limits.max_seconds:.0f}", "page": self.pages_read}
        if self.stopped == "chars":
            return _("The text was cut at %(n)s characters.") % {"n": f"{limits.max_chars:,}"}
        return ""


def _reader(stream: IO[bytes]) -> Any:
    from pypdf import PdfReader  # imported here: the web process never needs it

    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfTextError(_("This PDF is password-protected; upload an unprotected copy."))
        reader.trailer["/Root"].get_object()["/Pages"].get_object()
    except PdfTextError:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        raise PdfTextError(
            _("This file cannot be opened as a PDF (%(kind)s).") % {"kind": type(exc).__name__}
        ) from exc
    return reader


def _declared_pages(reader: Any) -> int:
    try:
        return int(reader.trailer["/Root"].get_object()["/Pages"].get_object().get("/Count", 0))
    except Exception:
        return 0


def pages(reader: Any) -> Iterator[Any]:
    """The document's pages in order, one at a time (a depth-first walk of the page tree with
    inherited attributes filled in); a cycle or a tree deeper than 64 levels ends the walk."""
    from pypdf import PageObject
    from pypdf.generic import DictionaryObject, IndirectObject

    root = reader.trailer["/Root"].get_object()["/Pages"].get_object()
    seen: set[int] = set()
    stack: list[tuple[Iterator[Any], dict]] = [(iter([root]), {})]
    while stack:
        kids, inherited = stack[-1]
        kid = next(kids, None)
        if kid is None:
            stack.pop()
            continue
        ref = kid if isinstance(kid, IndirectObject) else None
        node = kid.get_object() if ref is not None else kid
        if not isinstance(node, DictionaryObject) or id(node) in seen:
            continue
        seen.add(id(node))
        if node.get("/Type") == "/Pages" or ("/Kids" in node and node.get("/Type") != "/Page"):
            if len(stack) < _MAX_TREE_DEPTH:
                passed = {**inherited, **{k: node[k] for k in _INHERITED if k in node}}
                stack.append((iter(node.get("/Kids", [])), passed))
            continue
        page = PageObject(reader, ref)
        page.update(node)
        for key, value in inherited.items():
            if key not in page:
                page[key] = value
        yield page


def _tidy(page: str) -> str:
    # "partici-\npation" → "participation"; trailing blanks off every line.
    page = re.sub(r"(\w)-\n(\w)", r"\1\2", page)
    return "\n".join(line.rstrip() for line in page.splitlines()).strip()


def extract(
    stream: IO[bytes],
    limits: Limits,
    on_page: Callable[[int, int], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Extracted:
    """Read the text of the PDF page by page within `limits`; `on_page(read, declared)` is
    called after each page (progress). Raises PdfTextError when the file cannot be opened."""
    head = stream.read(5)
    stream.seek(0)
    if head != b"%PDF-":
        raise PdfTextError(_("This file is not a PDF."))
    deadline = clock() + limits.max_seconds
    reader = _reader(stream)
    declared = _declared_pages(reader)
    texts: list[str] = []
    chars = read = 0
    stopped = ""
    for page in pages(reader):
        if read >= limits.max_pages:
            stopped = "pages"
            break
        if clock() > deadline:
            stopped = "time"
            break
        try:
            text = _tidy(page.extract_text() or "")
        except Exception:  # one unreadable page should not lose the others
            text = ""
        read += 1
        if text:
            texts.append(text)
            chars += len(text) + 2
        if on_page is not None:
            on_page(read, declared)
        if chars > limits.max_chars:
            stopped = "chars"
            break
    if read == 0 and not stopped:
        raise PdfTextError(_("This PDF has no pages."))
    # PostgreSQL text cannot hold NUL characters, which some PDFs' text layers contain.
    text = "\n\n".join(texts).replace("\x00", "")[: limits.max_chars]
    return Extracted(text=text, pages_read=read, pages_declared=declared, stopped=stopped)
