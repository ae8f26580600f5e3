"""Author lists: parsing the many ways databases write names, and how much two lists agree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from .normalise import fold

_GLUED_AUTHORS = re.compile(r"(?<=[A-Z]\.)(?=[A-Z][a-z'’-])")
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$|^(?:[A-Z][a-z]?\.){1,3}$")


def _author_list(value: Any) -> list[str]:
    if not value:
        return []
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        if not item:
            continue
        item = str(item)
        parts = re.split(r"\s+and\s+|;\s*", item) if (" and " in item or ";" in item) else [item]
        for part in parts:
            # Embase exports without separators: "Adeli K.Lewis G. F."
            out.extend(p for p in _GLUED_AUTHORS.split(part) if p.strip())
    return out


_PARTICLES = {"van", "von", "der", "den", "de", "da", "di", "del", "della", "des", "du", "la", "le",
              "ten", "ter", "dos", "das", "el", "al", "bin", "ibn", "mac", "st"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Author:
    surname: str  # folded letters only, particles dropped: "van Kessel" -> "kessel"
    tokens: frozenset[str]  # every name part, for lists written "Given, Surname"


def _author(name: str) -> Author | None:
    name = re.sub(r",?\s*\bnull\b", "", name).strip().rstrip(".")
    if not name:
        return None
    if "," in name:
        surname = name.split(",")[0]
    else:
        tokens = name.split()
        if len(tokens) <= 1:
            surname = name
        elif all(_INITIALS.match(t) for t in tokens[1:]):
            surname = " ".join(t for t in tokens if not _INITIALS.match(t)) or tokens[0]
        elif _INITIALS.match(tokens[0]):
            surname = " ".join(t for t in tokens if not _INITIALS.match(t))
        else:
            surname = tokens[-1]
    words = [w for w in re.split(r"[^a-z]+", fold(surname)) if w]
    core = [w for w in words if w not in _PARTICLES] or words
    all_tokens = frozenset(
        w for w in re.split(r"[^a-z]+", fold(name)) if len(w) >= 2 and w not in _PARTICLES
    )
    if not core:
        return None
    return Author("".join(core), all_tokens | {"".join(core)})


def parse_authors(value: Any) -> tuple[Author, ...]:
    out = []
    for name in _author_list(value):
        if re.search(r"\bet al\b|^others$|^anonymous$", name, re.I):
            continue
        author = _author(name)
        if author:
            out.append(author)
    return tuple(out)


def _same_surname(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) >= 4 and len(b) >= 4 and (a.startswith(b) or b.startswith(a)):
        return True  # compound names cut differently: "radiceneumann" / "radice"
    return len(a) >= 5 and len(b) >= 5 and fuzz.ratio(a, b) >= 80


def same_author(a: Author, b: Author) -> bool:
    # "Wu, Ching-yi" and "Ching-yi, Wu", "Campos Cavalcanti Maciel, A." and "Maciel, A. C. C."
    return _same_surname(a.surname, b.surname) or a.surname in b.tokens or b.surname in a.tokens


def author_similarity(a: tuple[Author, ...], b: tuple[Author, ...]) -> float | None:
    if not a or not b:
        return None
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    short, long_ = short[:12], long_[:40]  # long consortia lists add cost, not evidence
    matched = sum(1 for x in short if any(same_author(x, y) for y in long_))
    sim = matched / len(short)
    if not same_author(a[0], b[0]):
        sim *= 0.85  # first authors differ: order matters in a citation
    return sim


def same_byline(a: tuple[Author, ...], b: tuple[Author, ...], at_least: int) -> bool:
    """The shorter author list opens the longer one, name by name, and has `at_least` names."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= at_least and all(
        same_author(x, y) for x, y in zip(short, long_, strict=False)
    )
