"""Why a BibTeX entry could not be read, in the words of someone who edits BibTeX files: which
field, on which line, and what is out of place (a brace never closed, a missing comma...).

bibtexparser says where it gave up, in its own terms; these functions read the entry's text
again and name the first thing a person would have to fix.
"""

from __future__ import annotations

import re

from screening.identification.importers.text import _, ngettext

_START = re.compile(r"\s*@\s*([A-Za-z]+)\s*([{(])")
_NAME = re.compile(r"[^\s=,{}()\"#%]+")
_TITLE = re.compile(r"""(?i)(?:^|[\s,{])title\s*=\s*[{"]""")


def entry_key(text: str) -> str:
    """The citation key of an entry's text, '' when there is none."""
    match = _START.match(text)
    if match is None:
        return ""
    rest = text[match.end() :]
    key = re.split(r"[,\n=]", rest, maxsplit=1)[0].strip()
    return key if key and " " not in key and "{" not in key else ""


def entry_title(text: str) -> str:
    """The title of an entry's text as far as it can be made out, '' when it cannot: the
    braced or quoted value after 'title =', up to its closing brace or quote, or else the end
    of its line."""
    match = _TITLE.search(text)
    if match is None:
        return ""
    start = match.end()
    opener = text[start - 1]
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    if opener == '"':
        close = text.find('"', start, end)
        value = text[start : close if close >= 0 else end]
    else:
        depth, i = 1, start
        while i < end and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        value = text[start : i - 1 if depth == 0 else end]
    title = " ".join(value.replace("{", "").replace("}", "").split()).rstrip(",")
    return title[:150] + ("…" if len(title) > 150 else "")


class _Scan:
    """Walks an entry's text the way BibTeX reads it, and stops at the first fault."""

    def __init__(self, text: str, first_line: int) -> None:
        self.text = text
        self.first_line = first_line
        self.i = 0

    def line(self, at: int | None = None) -> int:
        return self.first_line + self.text.count("\n", 0, self.i if at is None else at)

    def skip_space(self) -> None:
        text = self.text
        while self.i < len(text) and (text[self.i].isspace() or text[self.i] == "%"):
            if text[self.i] == "%":  # a comment runs to the end of the line
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end
            else:
                self.i += 1

    def at_end(self) -> bool:
        return self.i >= len(self.text)

    def braced(self, name: str, start_line: int) -> str | None:
        depth = 0
        text = self.text
        while self.i < len(text):
            char = text[self.i]
            if char == "{":  # BibTeX counts every brace, even after a backslash
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    self.i += 1
                    return None
            self.i += 1
        unclosed = ngettext(
            "in the field “%(name)s” (line %(line)s), 1 “{” is never closed, so the entry never "
            "ends",
            "in the field “%(name)s” (line %(line)s), %(n)s “{” are never closed, so the entry "
            "never ends",
            depth,
        )
        return unclosed % {"name": name, "line": start_line, "n": depth}

    def quoted(self, name: str, start_line: int) -> str | None:
        depth = 0
        text = self.text
        self.i += 1
        while self.i < len(text):
            char = text[self.i]
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif char == '"' and depth <= 0:
                self.i += 1
                return None
            self.i += 1
        return _('the field “%(name)s” (line %(line)s) opens a quote “"” that is never closed') % {
            "name": name,
            "line": start_line,
        }


def explain(text: str, first_line: int) -> str:
    """What is wrong with the entry `text` (which starts at `first_line` of the file)."""
    return _explain(text, first_line) or _(
        "its structure could not be followed: look for a brace, quote or comma out of place"
    )


def _explain(text: str, first_line: int) -> str | None:
    start = _START.match(text)
    if start is None:
        return _("it does not start like an entry (“@article{key,” for example)")
    close = "}" if start.group(2) == "{" else ")"
    scan = _Scan(text, first_line)
    scan.i = start.end()
    comma = text.find(",", scan.i)
    equals = text.find("=", scan.i)
    if comma < 0 or (0 <= equals < comma):
        head = text[scan.i : equals if equals >= 0 else len(text)].strip()
        if head and " " in head.strip():
            return _("a comma is missing after the citation key “%(key)s”") % {
                "key": head.split()[0]
            }
        return _("it has no citation key: “@type{” must be followed by a key and a comma")
    scan.i = comma + 1
    return _fields(scan, close)


def _fields(scan: _Scan, close: str) -> str | None:
    text = scan.text
    previous: tuple[str, int, int] | None = None  # (name, line, where its value ended)
    while True:
        scan.skip_space()
        if scan.at_end():
            return _("its closing “%(close)s” is missing") % {"close": close}
        if text[scan.i] == close:
            return _after_end(scan)
        match = _NAME.match(text, scan.i)
        if match is None:
            return _("line %(line)s has “%(char)s” where a field name should be") % {
                "line": scan.line(),
                "char": text[scan.i],
            }
        name, name_line, name_start = match.group(0), scan.line(), scan.i
        scan.i = match.end()
        scan.skip_space()
        if scan.at_end() or text[scan.i] != "=":
            if previous is not None and "\n" not in text[previous[2] : name_start]:
                # Not a field but the rest of the previous value, cut off by a stray brace.
                return _(
                    "the value of the field “%(name)s” (line %(line)s) closes too early, before "
                    "“%(rest)s”: it holds a “}” with no “{” to match"
                ) % {
                    "name": previous[0],
                    "line": previous[1],
                    "rest": text[name_start : name_start + 30].strip(),
                }
            found = _("the end of the entry") if scan.at_end() else f"“{text[scan.i]}”"
            return _("“%(name)s” (line %(line)s) is followed by %(found)s where “=” should be") % {
                "name": name,
                "line": name_line,
                "found": found,
            }
        scan.i += 1
        problem = _value(scan, name, name_line)
        if problem:
            return problem
        previous = (name, name_line, scan.i)
        scan.skip_space()
        if scan.at_end():
            return _("its closing “%(close)s” is missing (the last field is “%(name)s”)") % {
                "close": close,
                "name": name,
            }
        if text[scan.i] == ",":
            scan.i += 1
        elif text[scan.i] != close:
            return _(
                "a comma is missing after the field “%(name)s” (line %(line)s): line %(next)s "
                "goes on with “%(rest)s”"
            ) % {
                "name": name,
                "line": name_line,
                "next": scan.line(),
                "rest": text[scan.i : scan.i + 20].strip(),
            }


def _value(scan: _Scan, name: str, line: int) -> str | None:
    text = scan.text
    while True:
        scan.skip_space()
        if scan.at_end():
            return _("the field “%(name)s” (line %(line)s) has no value") % {
                "name": name,
                "line": line,
            }
        char = text[scan.i]
        if char == "{":
            problem = scan.braced(name, line)
        elif char == '"':
            problem = scan.quoted(name, line)
        elif char.isalnum() or char in "_-.:/":
            match = re.compile(r"[^\s,#{}()\"]+").match(text, scan.i)
            scan.i = match.end()
            problem = None
        else:
            return _("the value of the field “%(name)s” (line %(line)s) starts with “%(char)s”") % {
                "name": name,
                "line": line,
                "char": char,
            }
        if problem:
            return problem
        scan.skip_space()
        if scan.at_end() or text[scan.i] != "#":
            return None
        scan.i += 1  # '#' joins two parts of a value


def _after_end(scan: _Scan) -> str | None:
    """The entry closed; text after it that holds fields means it closed too early."""
    end = scan.i
    scan.i += 1
    rest = scan.text[scan.i :]
    if "=" in rest and _NAME.search(rest):
        return _(
            "it ends too early, at line %(line)s (a closing brace too many?): the fields after "
            "that line are outside the entry"
        ) % {"line": scan.line(end)}
    return None
