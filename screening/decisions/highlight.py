"""Keyword highlighting for the screening page, safe by construction.

Every character of record text goes through ``escape``; the only markup added is our own
``<mark class="hl-include|hl-exclude">`` around matches. Matching runs on the raw text (so a
keyword never matches inside an HTML entity like ``&amp;``), and the output is assembled from
escaped pieces, so a hostile title such as ``<script>`` stays inert text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

CLASSES = {"include": "hl-include", "exclude": "hl-exclude"}


def _pattern(word: str) -> str:
    """A keyword as a regex: `educat*` is a prefix; words match whole, CJK as substrings."""
    prefix = word.endswith("*")
    word = word.rstrip("*").strip()
    body = re.escape(word)
    ascii_word = word.isascii()
    start = r"(?<!\w)" if ascii_word and word[:1].isalnum() else ""
    end = r"\w*" if prefix else (r"(?!\w)" if ascii_word and word[-1:].isalnum() else "")
    return f"{start}{body}{end}"


def compile_keywords(keywords: Iterable[tuple[str, str]]) -> re.Pattern | None:
    """One case-insensitive pattern; longer words win, include before exclude on a tie."""
    seen: dict[str, str] = {}
    for kind, word in keywords:
        word = (word or "").strip()
        if word.rstrip("*").strip() and kind in CLASSES:
            seen.setdefault(word.casefold(), kind)
    if not seen:
        return None
    ordered = sorted(seen.items(), key=lambda kv: (-len(kv[0]), kv[1] != "include"))
    parts = [f"(?P<k{i}_{kind}>{_pattern(word)})" for i, (word, kind) in enumerate(ordered)]
    return re.compile("|".join(parts), re.IGNORECASE)


def highlight(text: str, pattern: re.Pattern | None) -> SafeString:
    """Escaped text with keyword matches wrapped in <mark>."""
    text = text or ""
    if pattern is None:
        return escape(text)
    out: list[str] = []
    pos = 0
    for match in pattern.finditer(text):
        if match.end() == match.start():
            continue
        kind = match.lastgroup.rsplit("_", 1)[1]
        out.append(escape(text[pos : match.start()]))
        out.append(f'<mark class="{CLASSES[kind]}">{escape(match.group())}</mark>')
        pos = match.end()
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))
