"""Small, pure normalisers shared by every importer (and by de-duplication and export)."""

from __future__ import annotations

import ast
import html.entities
import json
import re
from urllib.parse import unquote

_DOI = re.compile(r"10\.\d{3,9}/\S+")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|21\d\d)(?!\d)")
_DIGITS = re.compile(r"\d+")
# A compact date: 20170812 (YYYYMMDD), 201708 (YYYYMM) or 12082017 (DDMMYYYY).
_COMPACT_DATE = re.compile(r"(?<!\d)(\d{6}|\d{8})(?!\d)")
_PAGES = re.compile(r"^([A-Za-z]*)(\d+)\s*[-‐‑–—]+\s*([A-Za-z]*)(\d+)$")
_CJK = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff01-\uff5e]"
)
_LATIN = re.compile(r"[A-Za-z]")
_PARALLEL_NAME = re.compile(r"^(.+?)\s*[(（]\s*([^()（）]+?)\s*[)）]$")
_BILINGUAL_SEP = re.compile(r"\s+[=＝/／|]\s+|\s*[＝／｜]\s*")
_KEYWORD_SEP = re.compile(r"[;；|\n]")
_NAME_PREFIXES = ("Mc", "Mac", "De", "Di", "Da", "Du", "Le", "La", "Van", "Von", "Fitz")
_HONORIFIC = re.compile(r"^(?:(?:Prof|Dr|Professor|Doctor|Mr|Mrs|Ms)\.?\s+)+")


def normalise_doi(value: str | None) -> str:
    """'https://doi.org/10.1000/ABC.' -> '10.1000/abc'; '' when no DOI is in the text.

    Matching on the '10.' prefix strips every wrapper seen in exports (doi:, DOI, dx.doi.org,
    '[doi]' suffixes, resolver links) without listing them; URL-encoded links are decoded first.
    """
    if not value:
        return ""
    text = value.strip()
    if text.startswith("10.") and " " not in text and "%" not in text:
        return text.rstrip(".,;)]}>\"'").lower()  # already bare: the usual case
    if "%2" in text or "%3" in text:
        text = unquote(text)
    match = _DOI.search(text)
    if match is None:
        return ""
    return match.group(0).rstrip(".,;)]}>\"'").lower()


def expand_pages(value: str | None) -> str:
    """'1045-58' -> '1045-1058', '134--137' -> '134-137', 'S12-5' -> 'S12-S15'; others kept."""
    if not value:
        return ""
    text = value.strip()
    if (
        "-" not in text
        and "–" not in text
        and "—" not in text
        and "‐" not in text
        and "‑" not in text
    ):
        return text
    match = _PAGES.match(text)
    if match is None:
        return text
    prefix, start, end_prefix, end = match.groups()
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return f"{prefix}{start}-{end_prefix or prefix}{end}"


def parse_year(value: str | None) -> int | None:
    if not value:
        return None
    if len(value) == 4 and value.isdigit():
        year = int(value)
        return year if 1500 <= year <= 2199 else None
    match = _YEAR.search(value)
    return int(match.group(1)) if match else None


def compact_date_year(value: str | None) -> int | None:
    """The year inside a date written without separators ('Start date: 20170812' -> 2017), for
    a field `parse_year` found no year in: the first YYYYMMDD, YYYYMM or DDMMYYYY whose year is
    plausible and whose month and day are real."""
    if not value:
        return None
    for match in _COMPACT_DATE.finditer(value):
        digits = match.group(1)
        readings = [(digits[:4], digits[4:6], digits[6:8] or "01")]
        if len(digits) == 8:
            readings.append((digits[4:], digits[2:4], digits[:2]))
        for year, month, day in readings:
            if 1500 <= int(year) <= 2199 and 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
                return int(year)
    return None


def normalise_pmid(value: str | None) -> str:
    """'https://pubmed.ncbi.nlm.nih.gov/25657356' or '25657356 [pmid]' -> '25657356'."""
    if not value:
        return ""
    match = _DIGITS.search(value.rsplit("/", 1)[-1] if "/" in value.rstrip("/") else value)
    return match.group(0) if match else ""


def has_cjk(text: str) -> bool:
    if text.isascii():
        return False
    return _CJK.search(text) is not None


def split_parallel_name(name: str) -> tuple[str, str]:
    """'王小明(Wang, Xiao-Ming)' -> ('王小明', 'Wang, Xiao-Ming'); anything else -> (name, '')."""
    if "(" not in name and "（" not in name:
        return name, ""
    match = _PARALLEL_NAME.match(name.strip())
    if match is None:
        return name, ""
    native, roman = match.groups()
    if has_cjk(native) and not has_cjk(roman) and _LATIN.search(roman):
        return native, roman
    return name, ""


def split_bilingual(text: str) -> tuple[str, str]:
    """'中文題名 = English title' -> ('中文題名', 'English title'), for databases that put both
    languages in one field; split only when one side is CJK and the other side is Latin."""
    if not text or not has_cjk(text):
        return text, ""
    parts = _BILINGUAL_SEP.split(text, maxsplit=1)
    if len(parts) != 2:
        return text, ""
    first, second = parts[0].strip(), parts[1].strip()
    if has_cjk(first) and not has_cjk(second) and len(_LATIN.findall(second)) >= 3:
        return first, second
    if has_cjk(second) and not has_cjk(first) and len(_LATIN.findall(first)) >= 3:
        return second, first
    return text, ""


# An HTML character reference: numeric (&#246; &#xF6;) or named with its semicolon (&ouml;).
# Named ones without a semicolon are left alone: html.unescape would read "&parasites" as
# "¶sites", and no export writes a reference without one.
_CHARACTER_REFERENCE = re.compile(
    r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));"
)


def _character(m: re.Match) -> str:
    decimal, hexadecimal, name = m.groups()
    if name is not None:
        return html.entities.html5.get(name + ";", m.group())
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return m.group()
    return chr(code)


def decode_character_references(text: str) -> str:
    """'Jimenez-Gan&#225;n' -> 'Jimenez-Ganán': web databases (ACM's CSV, DBLP) write letters
    outside ASCII as HTML character references in plain-text exports. Each stands for one
    character, and a ';' inside one is not a list separator."""
    return _CHARACTER_REFERENCE.sub(_character, text) if "&" in text else text


def split_names(value: str) -> list[str]:
    """Split a one-cell author list: 'A and B' (BibTeX), 'A; B', or 'Liu R., Adler D.G.'.

    A single comma is ambiguous ('Smith, John' is one person), so it splits only when both sides
    look like whole names (contain a space).
    """
    text = value.strip()
    if not text:
        return []
    if text[0] == "[" and text[-1] == "]":
        names = structured_names(text)
        if names is not None:
            return names
    if "|" in text:
        # OpenAlex joins its authors with '|'; a ';' inside one of them is part of the name.
        parts = text.split("|")
    elif ";" in text or "；" in text:
        # PubMed's CSV: 'Touloumi G, Samoli E, Katsouyanni K; APHEA-2 Project Group.' -- the
        # people in Vancouver style, then the group after the ';'.
        parts = [n for p in re.split(r"\s*[;；]\s*", text) for n in _vancouver_names(p)]
    elif has_cjk(text) and ("、" in text or "，" in text):
        parts = re.split(r"\s*[、，]\s*", text)  # Chinese lists: 陳小明、林美華
    elif has_cjk(text) and all(len(p.strip()) >= 2 and has_cjk(p) for p in text.split(",")):
        parts = text.split(",")  # 陳小明, 林美華 (a surname alone before a comma stays whole)
    elif " and " in text:
        parts = text.split(" and ")
    elif text.count(",") >= 2:
        parts = text.split(",")
    elif text.count(",") == 1:
        left, right = text.split(",")
        parts = [left, right] if " " in left.strip() and " " in right.strip() else [text]
    else:
        parts = [text]
    # Scopus's "Author full names" follow each name with its author id: "Mbarek, Sondes
    # (57205348282)". No name ends in a number in brackets.
    names = [" ".join(_AUTHOR_ID.sub("", p).split()) for p in parts if p.strip()]
    if (
        len(names) >= 2
        and _VANCOUVER.match(names[-1])
        and names[-1].endswith(".")
        and not any(name.endswith(".") for name in names[:-1])
    ):
        names[-1] = names[-1][:-1]  # PubMed ends its list with a full stop: '..., Glynn RJ.'
    return names


_AUTHOR_ID = re.compile(r"\s*\(\d{5,}\)\s*$")
# 'Touloumi G', 'Stoltzfus JC.': a family name, then the initials, no comma (Vancouver style).
_VANCOUVER = re.compile(r"^[^\W\d_][^,;]*\s[A-Z]{1,4}\.?$")


def _vancouver_names(part: str) -> list[str]:
    """The names of a comma-joined Vancouver-style list, or `part` itself if it is not one."""
    pieces = [piece.strip() for piece in part.split(",")]
    if len(pieces) >= 2 and all(_VANCOUVER.match(piece) for piece in pieces):
        return pieces
    return [part]


def structured_names(text: str) -> list[str] | None:
    """Names of a cell holding a JSON (or Python) list, as tools that flatten API results write
    them: ["A", "B"], [{"name": "A"}], [{"family": "A", "given": "B"}]; None for anything else."""
    if len(text) > 200_000:
        return None
    try:
        items = json.loads(text)
    except ValueError:
        try:
            items = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    if not isinstance(items, list):
        return None
    names = []
    for item in items:
        if isinstance(item, str):
            name = item
        elif isinstance(item, dict):
            name = item.get("name") or item.get("display_name") or ""
            if not name and (item.get("family") or item.get("given")):
                name = ", ".join(p for p in (item.get("family"), item.get("given")) if p)
        else:
            return None
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def split_glued_names(value: str) -> list[str]:
    """'Prof. Rafik A. AlievDr. Janusz Kacprzyk' -> ['Rafik A. Aliev', 'Janusz Kacprzyk'].

    A lower-case letter directly followed by a capital starts a new name, unless what comes
    before is a surname prefix written that way (McDonald, DeWitt, MacArthur).
    """
    names: list[str] = []
    start = 0
    for i in range(1, len(value) - 1):
        if not (value[i - 1].islower() and value[i].isupper()):
            continue
        if not (value[i + 1].islower() or value[i + 1] == "."):
            continue
        if value[value.rfind(" ", start, i) + 1 : i] in _NAME_PREFIXES:
            continue
        names.append(value[start:i])
        start = i
    names.append(value[start:])
    return [_HONORIFIC.sub("", n).strip() for n in names if n.strip()]


def split_keywords(value: str) -> list[str]:
    if ";" not in value and "\n" not in value and "；" not in value and "|" not in value:
        value = value.strip()
        return [value] if value else []
    return [k for k in map(str.strip, _KEYWORD_SEP.split(value)) if k]
