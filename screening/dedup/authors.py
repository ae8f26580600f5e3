"""Author lists: parsing the many ways databases write names, and how much two lists agree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from screening.identification.importers.normalise import decode_character_references

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
        # "B&#246;hm": a character reference's ';' is not a list separator
        item = decode_character_references(str(item))
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
    tokens: tuple[str, ...]  # every name part, for lists written "Given, Surname"
    name: str = ""  # as written

    @property
    def readings(self) -> tuple[tuple[str, frozenset[str]], ...]:
        """(surname, initials of the given names) for every way the name can be read: "Liu
        Guangshun" is Liu G. or Guangshun L.; "Wang, Xiaoming" may have its comma misplaced.
        Worked out only for names whose surnames match another's."""
        return _readings(self.name)


_SHARED: dict[frozenset[str], frozenset[str]] = {}
_GIVEN_SPLIT = re.compile(r"[\s.\-‐]+")
_NON_LETTERS = re.compile(r"[^a-z]+")
_NULL = re.compile(r",?\s*\bnull\b")
_NOBODY = re.compile(r"\bet al\b|^others$|^anonymous$", re.I)


def _letters(parts: list[str]) -> frozenset[str]:
    """Initials of given names: "John A." -> {j, a}; "JA" -> {j, a}; "Ching-yi" -> {c, y}."""
    out = set()
    for part in parts:
        for piece in _GIVEN_SPLIT.split(part):
            if not piece:
                continue
            if piece.isupper() and len(piece) <= 3 and piece.isalpha():
                out.update(fold(piece))  # "JA", "GS": one letter a name
            else:
                out.add(fold(piece)[0])
    letters = frozenset(c for c in out if c.isalpha())
    return _SHARED.setdefault(letters, letters)  # a few hundred sets serve every name


def _core(text: str) -> str:
    words = [w for w in _NON_LETTERS.split(fold(text)) if w]
    return "".join([w for w in words if w not in _PARTICLES] or words)


@lru_cache(maxsize=1 << 16)
def _readings(name: str) -> tuple[tuple[str, frozenset[str]], ...]:
    out: list[tuple[str, frozenset[str]]] = []
    if "," in name:
        family, given = (x.strip() for x in name.split(",", 1))
        out.append((_core(family), _letters([given])))
        for word in family.split()[1:] if len(family.split()) > 1 else ():
            out.append((_core(word), _letters([given])))  # compound: "Campos Cavalcanti Maciel"
        if given and not all(_INITIALS.match(t) for t in given.split()):
            out.append((_core(given), _letters([family])))  # the comma on the wrong side
        return tuple((s, i) for s, i in out if s)
    tokens = name.split()
    words = [t for t in tokens if not _INITIALS.match(t) or (t.isupper() and len(t) >= 3)]
    initials = [t for t in tokens if _INITIALS.match(t)]
    if initials and words:
        out.append((_core(" ".join(w for w in words if w not in initials)), _letters(initials)))
    for k, token in enumerate(tokens):
        if token not in words or fold(token) in _PARTICLES:
            continue
        others = [t for j, t in enumerate(tokens) if j != k and fold(t) not in _PARTICLES]
        out.append((_core(token), _letters(others)))
    return tuple((s, i) for s, i in dict.fromkeys(out) if s)


# Chinese, Japanese and Korean names have no initials to compare: the name is kept whole (its
# CJK characters, a romanised form in brackets aside), so 陳小明 and 陳小華 are two people.
_CJK_CHARS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+")


@lru_cache(maxsize=1 << 16)
def _author(name: str) -> Author | None:
    name = _NULL.sub("", name).strip().rstrip(".")
    if not name:
        return None
    if not name.isascii() and (cjk := "".join(_CJK_CHARS.findall(name))):
        return Author(cjk, (cjk,), name)
    if "," in name:
        surname = name.split(",")[0]
    else:
        tokens = name.split()
        if len(tokens) <= 1:
            surname = name
        elif all(_INITIALS.match(t) for t in tokens[1:]):
            surname = " ".join(t for t in tokens if not _INITIALS.match(t)) or tokens[0]
        elif _INITIALS.match(tokens[0]) or _INITIALS.match(tokens[-1]):
            # "J. A. Smith", "Garcia Lopez J": the rest is the surname
            surname = " ".join(t for t in tokens if not _INITIALS.match(t))
        else:
            surname = tokens[-1]
    core = _core(surname)
    all_tokens = {w for w in _NON_LETTERS.split(fold(name)) if len(w) >= 2 and w not in _PARTICLES}
    if not core:
        return None
    return Author(core, tuple(sorted(all_tokens | {core})), name)


MAX_AUTHORS = 40  # long consortium lists add cost, not evidence (see author_similarity)


def parse_authors(value: Any) -> tuple[Author, ...]:
    out: list[Author] = []
    for name in _author_list(value):
        if len(out) == MAX_AUTHORS:
            break
        if _NOBODY.search(name):
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
    """One person: the surnames agree and, where both names give initials under one reading of
    the surname, the initials share a letter ("Wang, J." and "Wang, X." are two people)."""
    # "Wu, Ching-yi" and "Ching-yi, Wu", "Campos Cavalcanti Maciel, A." and "Maciel, A. C. C."
    if not (_same_surname(a.surname, b.surname) or a.surname in b.tokens or b.surname in a.tokens):
        return False
    aligned = False
    for sa, ia in a.readings:
        for sb, ib in b.readings:
            if sa == sb or _same_surname(sa, sb):
                if not ia or not ib or ia & ib:
                    return True
                aligned = True
    return not aligned


def author_similarity(a: tuple[Author, ...], b: tuple[Author, ...]) -> float | None:
    if not a or not b:
        return None
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    short, long_ = short[:12], long_[:MAX_AUTHORS]
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
