"""Every user-supplied value written into a text export goes through one of these helpers.

Titles, study labels, code names, excerpts and author names come from people and from imported
files. In a line-based format (RIS, Markdown) a line break inside a value would start a record
or a heading of its own; in Markdown an HTML tag or a link would run when the file is rendered;
in BibTeX a brace would close the field. Each helper makes a value inert text on one line:
- ``markdown``: HTML-escaped, Markdown markup backslash-escaped (headings, links, emphasis,
  images, tables, code, strikethrough).
- ``ris``: one line (RIS reads a tag at the start of every line).
- ``bibtex``: one line, TeX's special characters escaped.
Spreadsheet cells have their own helper (``reviewapp.spreadsheet.safe_cell``).
"""

from __future__ import annotations

import re
import unicodedata

# Backslash-escapable markup of CommonMark and GitHub's extensions that can act mid-line: code,
# emphasis, link and image brackets (with "[" and "]" escaped a "(" opens nothing), tables,
# strikethrough. Every value follows a prefix of ours, so nothing in it starts a line.
_MARKDOWN = re.compile(r"([\\`*_\[\]{}#|!~])")


def one_line(value: object) -> str:
    """The value as text on one line: any run of white space (line and paragraph separators
    too) becomes one space, other control characters are dropped."""
    text = " ".join(str(value if value is not None else "").split())
    if text.isprintable():  # nearly always: no control or format character to look for
        return text
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf") or c == " ")


def markdown(value: object) -> str:
    """Plain text for Markdown: one line, HTML escaped, Markdown markup escaped."""
    text = one_line(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", text)


def ris(value: object) -> str:
    """A RIS field's value: one line, so it can never start a tag (`ER  -`, `TY  -`) itself."""
    return one_line(value)


_BIBTEX = str.maketrans({"{": r"\{", "}": r"\}", "\\": r"\textbackslash{}", "%": r"\%",
                         "&": r"\&", "#": r"\#", "$": r"\$", "_": r"\_"})  # fmt: skip


def bibtex(value: object) -> str:
    """A BibTeX field's value inside braces: one line, TeX specials escaped (no brace closes
    the field early)."""
    # A pattern finds the few specials; str.translate looked up every character (1.4 s of the
    # 2.2 s a 6,000-record BibTeX export took).
    return _BIBTEX_SPECIAL.sub(_bibtex_escape, one_line(value))


_BIBTEX_SPECIAL = re.compile(r"[{}\\%&#$_]")


def _bibtex_escape(match: re.Match) -> str:
    return _BIBTEX[ord(match.group())]
