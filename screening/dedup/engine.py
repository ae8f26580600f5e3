"""Pure de-duplication engine: plain record dicts in, duplicate clusters and uncertain pairs out.

No Django here on purpose: the same code runs in the Celery task, the management command, the
benchmark and the tests. The service layer (screening.services) turns a ``DedupResult`` into
``DuplicateCluster`` rows, review-queue entries and audit events.

How it decides, in order:

1. **Normalise** every record once (titles, authors, journal, pages, DOI...).
2. **Block**: only records that share a cheap key (DOI, PMID, other id, title prefix/suffix,
   rare title words, first author + year, volume + first page) are compared, so the cost grows
   close to linearly with the number of records.
3. **Compare** each candidate pair: exact identifiers first, then fuzzy similarity (rapidfuzz)
   of title, authors, year, journal, volume, issue and pages, and the *vetoes* that stop two
   look-alike records from being merged (erratum vs article, conference abstract vs article,
   different numbers in the title, conflicting DOIs...). A record printed where an article's
   own database note ("[Erratum appears in ...]") puts its erratum is that erratum, whatever
   its title says.
4. **Cluster** the certain pairs strongest first; two groups are only joined when every member
   of one is compatible with every member of the other, so a chain of weak links never glues
   different works together.
5. Pairs that look alike but are not certain go to the **uncertain** list for a person.
"""

from __future__ import annotations

import html
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from rapidfuzz import fuzz

__all__ = [
    "DedupResult",
    "Pair",
    "find_duplicates",
    "normalise_doi",
    "normalise_journal",
    "normalise_pages",
    "normalise_title",
    "notice_pairs",
]


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass
class Pair:
    """Two records and why the engine thinks they may be the same work."""

    a: Hashable
    b: Hashable
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class DedupResult:
    clusters: list[set]  # certain duplicate groups, each of size >= 2
    uncertain: list[Pair]  # for a person to decide (Merge / Not duplicates)
    stats: dict[str, Any]


# ---------------------------------------------------------------------------------------------
# Text normalisation
# ---------------------------------------------------------------------------------------------

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon",
    "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
}  # fmt: skip
_LATIN_SPECIAL = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d",
                  "þ": "th", "ı": "i", "µ": "mu"}  # fmt: skip

# LaTeX accent commands (\"{o}, \'e, \c{c}) -> the bare letter; diacritics are folded anyway.
_LATEX_ACCENT = re.compile(r"\\[`'^\"~=.uvHckbdr]\s*\{?\\?([A-Za-z])\}?")
_LATEX_CMD = re.compile(r"\\([A-Za-z]+)\s*")
_TAG = re.compile(r"<[^>]{0,400}>")  # HTML and MathML elements: keep the text between tags
_INLINE_TAG = re.compile(
    r"</?(sup|sub|i|b|em|strong|span|inf|scp|u|tt|mml:[a-z]+|m:[a-z]+|mi|mo|mn|msub|msup|mrow)\b[^>]{0,200}>",
    re.I,
)
_MATH_DELIM = re.compile(r"\$+|\\[()\[\]]")

# Database decorations that are not part of the title.
_TITLE_NOISE = [
    # MEDLINE notes on the article itself, always at the end: "[Erratum appears in ...]"
    re.compile(r"[\[(]?\s*(published )?erratum (appears )?in\b.*$", re.I),
    re.compile(r"\[(corrected|comment|see comments|editorial|letter|news)\]", re.I),
    re.compile(r"\[?\s*(comment|update|retraction|republished|reprinted) (in|of)\b[^\]]*\]?", re.I),
    re.compile(r"\[review\]|\[\d+ refs?\]|\breview \d+ refs\b", re.I),
    re.compile(r"\[?abstract no:?\s*[\w.-]+\]?", re.I),
    re.compile(
        r"[.(\[]\s*(in |article in |text in )?(english|chinese|japanese|korean|german|french|spanish"
        r"|italian|polish|russian|dutch|czech|turkish|portuguese|hungarian|danish|swedish|norwegian"
        r"|finnish|hebrew|greek|persian|croatian|serbian|slovak|slovenian|ukrainian|romanian"
        r"|bulgarian|lithuanian|estonian|latvian|arabic|thai|catalan|icelandic)"
        r"(( and | with |, ?)english( abstract)?)?\s*[)\]]?\s*\.?\s*$",
        re.I,
    ),
    re.compile(r"^\s*(retracted( article)?|withdrawn|proceedings|reprint)\s*[:.]\s*", re.I),
    re.compile(r"\((review|abstract|letter|editorial)\)\s*\.?\s*$", re.I),
    # the kind of record is kept in _Prep.markers; the words compare with the article's title
    re.compile(
        r"^\s*(erratum|corrigendum|correction|retraction( notice)?|reply)( to)?\s*[:.-]\s*", re.I
    ),
    # citation of the corrected article: "(vol 360, pg 542, 2009)" (Web of Science errata),
    # "(New England Journal of Medicine (2009) 360 (542-544))" (Embase errata)
    re.compile(r"\(\s*vol\.? \d+[^()]*\)\s*\.?\s*$", re.I),
    re.compile(r"\([^()]*\(\d{4}\)\s*\d+\s*(\([^()]*\))?[^()]*\)\s*\.?\s*$"),
]
_ERRATUM_CITATION = [_TITLE_NOISE[-2], _TITLE_NOISE[-1]]

# British -> American spelling. Whole words first, then stems that are safe as prefixes.
_UK_WORDS = {
    "centre": "center", "centres": "centers", "fibre": "fiber", "fibres": "fibers",
    "litre": "liter", "litres": "liters", "metre": "meter", "metres": "meters",
    "theatre": "theater", "calibre": "caliber", "programme": "program",
    "programmes": "programs", "grey": "gray", "sulphur": "sulfur", "aluminium": "aluminum",
    "defence": "defense", "offence": "offense", "licence": "license", "practise": "practice",
    "analogue": "analog", "analogues": "analogs", "catalogue": "catalog", "dialogue": "dialog",
    "ageing": "aging", "mould": "mold", "plough": "plow", "tyre": "tire", "cheque": "check",
    "enrol": "enroll", "enrolment": "enrollment", "fulfil": "fulfill", "artefact": "artifact",
    "artefacts": "artifacts", "judgement": "judgment", "manoeuvre": "maneuver",
    "diarrhoea": "diarrhea", "gonorrhoea": "gonorrhea", "oesophagus": "esophagus",
    "oesophageal": "esophageal", "oedema": "edema", "oestrogen": "estrogen",
    "oestrogens": "estrogens", "foetus": "fetus", "foetal": "fetal", "faeces": "feces",
    "faecal": "fecal", "caesarean": "cesarean", "coeliac": "celiac", "manoeuvres": "maneuvers",
}  # fmt: skip
_UK_STEMS = [  # (british prefix, american prefix)
    ("haem", "hem"), ("anaem", "anem"), ("leukaem", "leukem"), ("ischaem", "ischem"),
    ("septicaem", "septicem"), ("hyperaem", "hyperem"), ("glycaem", "glycem"),
    ("hypoglycaem", "hypoglycem"), ("hyperglycaem", "hyperglycem"), ("lipaem", "lipem"),
    ("uraem", "urem"), ("bacteraem", "bacterem"), ("viraem", "virem"), ("toxaem", "toxem"),
    ("paed", "ped"), ("orthopaed", "orthoped"), ("gynaec", "gynec"), ("anaesth", "anesth"),
    ("aetiol", "etiol"), ("oesophag", "esophag"), ("oestr", "estr"), ("oedem", "edem"),
    ("haemat", "hemat"), ("foet", "fet"), ("behaviour", "behavior"), ("colour", "color"),
    ("tumour", "tumor"), ("favour", "favor"), ("labour", "labor"), ("honour", "honor"),
    ("humour", "humor"), ("vapour", "vapor"), ("odour", "odor"), ("neighbour", "neighbor"),
    ("rumour", "rumor"), ("harbour", "harbor"), ("counsell", "counsel"), ("modell", "model"),
    ("labell", "label"), ("signall", "signal"), ("travell", "travel"), ("cancell", "cancel"),
    ("fuell", "fuel"), ("channell", "channel"), ("tunnell", "tunnel"),
]  # fmt: skip
# -ise/-yse verbs; a list, because many -ise words are the same in both (exercise, otherwise).
_ISE_STEMS = (
    "organ", "recogn", "random", "character", "optim", "minim", "maxim", "standard", "normal",
    "util", "visual", "real", "special", "general", "categor", "prioriti", "summar", "emphas",
    "hospital", "immun", "steril", "stabil", "mobil", "neutral", "personal", "individual",
    "conceptual", "contextual", "operational", "industrial", "central", "local", "critic",
    "apolog", "author", "civil", "global", "harmon", "hypothes", "ideal", "institutional",
    "legal", "memor", "modern", "national", "rational", "scrutin", "sensit", "symbol",
    "sympath", "synchron", "synthes", "theor", "vapor", "vocal", "extern", "internal",
    "epitom", "homogen", "solubil", "ion", "lyophil", "anesthet", "crystall", "polymer", "catheter",
    "pasteur", "anglic", "desensit", "mesmer", "criminal", "radical", "familiar", "fertil",
    "jeopard", "digit", "vascular", "revascular", "capital", "trivial", "penal", "dramat",
    "material", "commercial", "colon", "ostrac", "agon", "trivial", "steroid",
)  # fmt: skip
_ISE_RE = re.compile(
    r"\b("
    + "|".join(sorted(set(_ISE_STEMS), key=len, reverse=True))
    + r")is(e|es|ed|ing|ation|ations|er|ers)\b"
)
_YSE_RE = re.compile(r"\b(anal|paral|dial|catal|hydrol|electrol)ys(e|es|ed|ing)\b")
_UK_STEM_RE = re.compile(
    r"\b(" + "|".join(re.escape(b) for b, _ in sorted(_UK_STEMS, key=lambda s: -len(s[0]))) + r")"
)
_UK_STEM_MAP = dict(_UK_STEMS)

_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "first": "1st", "second": "2nd", "third": "3rd",
}  # fmt: skip
_ROMAN = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9"}
_SMALL_ROMAN = {"i": "1", "v": "5", "x": "10"}
_ROMAN_AFTER = re.compile(
    r"\b(type|phase|part|class|grade|stage|group|study|trial|level)\s+(i|v|x)\b"
)

_CJK_RANGES = (
    (0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3040, 0x30FF), (0x3100, 0x31FF), (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F),
)  # fmt: skip


_CJK_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _CJK_RANGES)
_CJK_CHAR = re.compile(f"([{_CJK_CLASS}])")
_FOLD_CACHE: dict[str, str] = {}


def _fold_char(ch: str) -> str:
    if ch in _LATIN_SPECIAL:
        return _LATIN_SPECIAL[ch]
    if ch in _GREEK:
        return f" {_GREEK[ch]} "
    if ord(ch) < 0x0530 or 0x1E00 <= ord(ch) <= 0x1EFF:
        return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", ch)


def _fold(text: str) -> str:
    """Lower-case and fold diacritics of Latin letters only.

    NFKD on everything would also strip the (semantic) voicing marks of Japanese kana and split
    Hangul into jamo, so only Latin/Greek/Cyrillic letters lose their combining marks.
    """
    text = text.lower()
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        folded = _FOLD_CACHE.get(ch)
        if folded is None:
            folded = _FOLD_CACHE[ch] = _fold_char(ch)
        out.append(folded)
    return "".join(out)


def _strip_markup(text: str) -> str:
    """Remove HTML/MathML tags, HTML entities and LaTeX commands, keeping their content."""
    text = html.unescape(html.unescape(text))
    text = _INLINE_TAG.sub("", text)  # "Ca<sup>2+</sup>" is "Ca2+", not "Ca 2+"
    text = _TAG.sub(" ", text)
    text = _LATEX_ACCENT.sub(r"\1", text)

    def latex_cmd(m: re.Match) -> str:
        name = m.group(1)
        # \alpha -> alpha (matches the α spelt as a Unicode letter); \textit{x} -> x
        return f" {name.lower()} " if name.lower() in _GREEK.values() else " "

    text = _LATEX_CMD.sub(latex_cmd, text)
    # inline math is part of the word it sits in: "Ca$^{2+}$" is "Ca2+"
    text = _MATH_DELIM.sub("", text)
    return text.replace("{", "").replace("}", "").replace("^", "").replace("_", "")


def _americanise(word: str) -> str:
    if word in _UK_WORDS:
        return _UK_WORDS[word]
    return word


def _spelling(text: str) -> str:
    text = " ".join(_americanise(w) for w in text.split())
    text = _UK_STEM_RE.sub(lambda m: _UK_STEM_MAP[m.group(1)], text)
    text = _ISE_RE.sub(lambda m: f"{m.group(1)}iz{m.group(2)}", text)
    text = _YSE_RE.sub(lambda m: f"{m.group(1)}yz{m.group(2)}", text)
    return text


def _clean_title_text(s: str) -> str:
    s = _strip_markup(s)
    for pattern in _TITLE_NOISE:
        s = pattern.sub(" ", s)
    return s


def normalise_title(s: str | None) -> str:
    """Comparable form of a title.

    Lower-case; HTML/MathML/LaTeX markup and database notes removed; diacritics folded; British
    spellings made American; number words and Roman numerals as digits; punctuation (including
    subtitle separators) removed. Chinese, Japanese and Korean characters are kept, so two
    unrelated Chinese titles never collapse into the same empty string.
    """
    if not s:
        return ""
    s = _fold(_clean_title_text(str(s)))
    s = s.replace("&", " and ").replace("+", " plus ")
    s = re.sub(r"[^\w]+|_", " ", s)
    # a space between every CJK character and its neighbours keeps them as comparable units
    if not s.isascii():
        s = _CJK_CHAR.sub(r" \1 ", s)
    s = _spelling(s)
    s = _ROMAN_AFTER.sub(lambda m: f"{m.group(1)} {_SMALL_ROMAN[m.group(2)]}", s)
    words = [_NUMBER_WORDS.get(w, _ROMAN.get(w, w)) for w in s.split()]
    return " ".join(words)


def _compact(title: str) -> str:
    # titles are compared without spaces: "non-small" / "nonsmall", "Ca 2+" / "Ca2+"
    return title.replace(" ", "")


_DOI_RE = re.compile(r"10\.\d{4,9}/\S+", re.I)


def normalise_doi(s: Any) -> str:
    """Bare lower-case DOI ("10.1000/xyz") from any form: URL, "doi:" prefix, trailing dots."""
    if not s:
        return ""
    text = unicodedata.normalize("NFKC", str(s)).strip()
    text = re.sub(r"%2F", "/", text, flags=re.I)
    m = _DOI_RE.search(text)
    if not m:
        return ""
    doi = m.group(0).lower()
    # a URL column glued to the DOI ("...2604http://..."), and trailing punctuation
    doi = re.split(r"https?:|\s|;|,(?=\s)|\[|<", doi)[0]
    return doi.rstrip(".,;)]}>'\"")


def normalise_pages(s: Any) -> str:
    """Page range with a full end page: "1045-58" -> "1045-1058"; "S358-9" -> "s358-s359"."""
    if s is None:
        return ""
    text = _fold(str(s)).strip()
    text = re.sub(r"^(pp?\.?|pages?)\s*", "", text)
    text = text.replace("–", "-").replace("—", "-").replace("--", "-")
    text = re.sub(r"\s+", "", text)
    if not text or text in {"nan", "na", "n/a", "nopagination", "var.pagings", "-"}:
        return ""
    if re.fullmatch(r"\d+pp?\.?", text):  # a page count ("215 p"), not a location
        return ""
    m = re.fullmatch(r"([a-z]*)(\d+)([a-z]*)(?:-([a-z]*)(\d+)([a-z]*))?", text)
    if not m:
        return text
    prefix, start, suffix, _pre2, end, _suf2 = m.groups()
    start = start.lstrip("0") or "0"
    if not end:
        return f"{prefix}{start}{suffix}"
    end = end.lstrip("0") or "0"
    if len(end) < len(start):  # MEDLINE abbreviation: 1045-58
        end = start[: len(start) - len(end)] + end
    if end == start:
        return f"{prefix}{start}{suffix}"
    return f"{prefix}{start}-{prefix}{end}"


def _first_page(pages: str) -> str:
    """Digits of the first page: "S358" in a supplement and "358" elsewhere are one page."""
    m = re.search(r"\d+", pages.split("-")[0]) if pages else None
    return m.group(0) if m else ""


_JOURNAL_STOP = {"the", "of", "and", "for", "in", "on", "de", "la", "le", "der", "und", "fur",
                 "et", "du", "des", "a", "an", "y", "i"}  # fmt: skip


def normalise_journal(s: Any) -> str:
    """Comparable journal name: no punctuation, stop words, parenthetical notes or suffixes."""
    if not s:
        return ""
    text = _fold(_strip_markup(str(s)))
    # "J Thromb Haemost.Conference: 22nd Congress ..." -> keep the journal part
    text = re.split(r"\.\s*(conference|congress|meeting|supplement)\b", text)[0]
    text = re.sub(r"\((online|print|electronic|internet)\)|\(.*?\)", " ", text)
    text = text.split(" = ")[0]
    text = re.sub(r"\b(supplements?|suppl|supplementum)\b", " ", text)
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w]+", " ", text)
    text = _spelling(text)
    return " ".join(w for w in text.split() if w not in _JOURNAL_STOP)


def _journal_compatible(a: str, b: str) -> bool | None:
    """True when one journal name is the other or its (ISO/MEDLINE) abbreviation."""
    if not a or not b:
        return None
    if a == b:
        return True
    if fuzz.ratio(a, b) >= 90:
        return True
    ca, cb = a.replace(" ", ""), b.replace(" ", "")
    if ca == cb:
        return True
    wa, wb = a.split(), b.split()
    short, long_ = (wa, wb) if len(ca) <= len(cb) else (wb, wa)
    # every word of the abbreviation is a prefix of the next matching word of the full title
    i = 0
    for word in short:
        while i < len(long_) and not long_[i].startswith(word[: max(1, len(word))]):
            i += 1
        if i == len(long_):
            break
        i += 1
    else:
        return len(short) >= min(2, len(long_))
    # "JPEN" vs "Journal of Parenteral and Enteral Nutrition": initialism
    initials = "".join(w[0] for w in long_)
    return any(w == initials or (len(w) >= 3 and initials.startswith(w)) for w in short)


def _norm_volume(s: Any) -> str:
    if s is None:
        return ""
    # "(Jul)", "Ph.D." or a stray "1)" in a volume field is not a volume: unknown, not a conflict
    m = re.fullmatch(r"\s*(?:vol\.?\s*)?0*(\d+)\s*(?:[a-z]|\(.*\))?\s*\.?", str(s), re.I)
    return (m.group(1) or "0") if m else ""


# ---------------------------------------------------------------------------------------------
# Authors
# ---------------------------------------------------------------------------------------------

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
class _Author:
    surname: str  # folded letters only, particles dropped: "van Kessel" -> "kessel"
    tokens: frozenset[str]  # every name part, for lists written "Given, Surname"


def _author(name: str) -> _Author | None:
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
    words = [w for w in re.split(r"[^a-z]+", _fold(surname)) if w]
    core = [w for w in words if w not in _PARTICLES] or words
    all_tokens = frozenset(
        w for w in re.split(r"[^a-z]+", _fold(name)) if len(w) >= 2 and w not in _PARTICLES
    )
    if not core:
        return None
    return _Author("".join(core), all_tokens | {"".join(core)})


def _authors(value: Any) -> tuple[_Author, ...]:
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


def _same_author(a: _Author, b: _Author) -> bool:
    # "Wu, Ching-yi" and "Ching-yi, Wu", "Campos Cavalcanti Maciel, A." and "Maciel, A. C. C."
    return _same_surname(a.surname, b.surname) or a.surname in b.tokens or b.surname in a.tokens


def _author_similarity(a: tuple[_Author, ...], b: tuple[_Author, ...]) -> float | None:
    if not a or not b:
        return None
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    short, long_ = short[:12], long_[:40]  # long consortia lists add cost, not evidence
    matched = sum(1 for x in short if any(_same_author(x, y) for y in long_))
    sim = matched / len(short)
    if not _same_author(a[0], b[0]):
        sim *= 0.85  # first authors differ: order matters in a citation
    return sim


# ---------------------------------------------------------------------------------------------
# Record kinds that are never the article itself
# ---------------------------------------------------------------------------------------------

_MARKERS = {
    "erratum": re.compile(
        r"^(erratum|errata|corrigend(um|a)|correction( notice)?s?|notice of correction|author correction"
        r"|publisher'?s? (note|correction))\b|\b(erratum|corrigendum|errata)\b|^correction (to|of error)",
        re.I,
    ),
    "retraction": re.compile(
        r"^(retraction|notice of retraction|retraction notice|expression of concern)\b"
        r"|\bretraction (notice|of|note)\b|\bexpression of concern\b",
        re.I,
    ),
    "reply": re.compile(
        r"^((the )?authors?'? reply|in reply|reply|response|re:)\b|\breply\b|\bresponse to (the )?(letter|comment|editor)",
        re.I,
    ),
    "comment": re.compile(
        r"^(comments?|commentary|letter|editorial comment)\s*(on|to|:)|\b(comment(ary)? on|letter to the editor)\b",
        re.I,
    ),
}
_CONFERENCE = re.compile(
    r"conference|congress|meeting|symposium|proceedings|abstracts?\b|annual (scientific )?session"
    r"|workshop|poster|inproceedings",
    re.I,
)
_SUPPLEMENT = re.compile(r"\bsupp?l?\b|suppl|supplement|^\s*s\d+\s*$", re.I)


# MEDLINE/Ovid notes on an article that say where its erratum or retraction notice is printed:
# "[Erratum appears in N Engl J Med. 2009 Jun 4;360(23):2487 Note: ...]",
# "Erratum in: Am J Transplant. 2009 Sep;9(9):2205.", "[Retraction in: Lancet. 2010;375:445]"
_NOTICE_NOTE = re.compile(
    r"\b(?P<kind>erratum|retraction)(?: appears)? in:?\s+(?P<journal>[^\[\];]*?)\.?\s+"
    r"(?:19|20)\d{2}\b[^;\[\]]{0,40};\s*(?P<volume>\d+)\s*(?:\([^)]*\))?\s*:\s*[a-z]?(?P<page>\d+)",
    re.I,
)


def _notice_notes(title: str) -> tuple[tuple[str, str, str, str], ...]:
    """(kind, journal, volume, first page) of each notice an article's title note points to."""
    if not title or not re.search(r"erratum|retraction", title, re.I):
        return ()
    return tuple(
        (
            "retraction" if m.group("kind").lower() == "retraction" else "erratum",
            normalise_journal(m.group("journal")),
            m.group("volume").lstrip("0") or "0",
            m.group("page").lstrip("0") or "0",
        )
        for m in _NOTICE_NOTE.finditer(title)
    )


def _markers(title: str) -> frozenset[str]:
    if not title:
        return frozenset()
    # the MEDLINE notes "[Erratum appears in ...]", "[Comment in ...]" are on the article; a
    # trailing citation of another article "(vol 360, pg 542, 2009)" is the erratum itself
    note_free = _strip_markup(title)
    for rx in _TITLE_NOISE[:3]:
        note_free = rx.sub(" ", note_free)
    kinds = {kind for kind, rx in _MARKERS.items() if rx.search(note_free)}
    if any(rx.search(note_free) for rx in _ERRATUM_CITATION):
        kinds.add("erratum")
    return frozenset(kinds)


def _is_conference_abstract(rec: dict) -> bool:
    ptype = str(rec.get("publication_type") or "")
    if ptype and _CONFERENCE.search(ptype):
        return True
    journal = str(rec.get("journal") or "")
    if re.search(r"conference|congress|meeting|symposium|annual session", journal, re.I):
        return True
    # meeting abstracts are printed in supplements: "Circulation 136 (Supplement 1)"
    issue = f"{rec.get('issue') or ''} {rec.get('volume') or ''}"
    if _SUPPLEMENT.search(issue) or re.search(r"meeting|abstract", issue, re.I):
        return True
    # supplement pagination ("S35", "A134") is where meeting abstracts are printed
    return bool(re.match(r"\s*[sSaA]\d+\b", str(rec.get("pages") or "")))


# ---------------------------------------------------------------------------------------------
# Prepared record
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Prep:
    id: Hashable
    titles: tuple[str, ...]  # normalised title and parallel (e.g. English) titles
    markers: frozenset[str]
    numbers: frozenset[str]
    surnames: tuple[_Author, ...]
    year: int | None
    journal: str
    volume: str
    issue: str
    pages: str
    first_page: str
    last_page: str
    doi: str
    pmid: str
    other_ids: frozenset[tuple[str, str]]
    conference: bool
    short: bool  # one or two printed pages: a meeting abstract, a letter, a notice
    notes: tuple[tuple[str, str, str, str], ...]  # notices cited by the title's database notes
    cluster: Hashable | None


_WORK_IDS = {"pmcid", "pii", "wos", "ut", "eid", "scopus", "openalex", "arxiv", "accession",
             "embase", "emid", "cinahl", "psycinfo", "medline"}  # fmt: skip


def _int_year(value: Any) -> int | None:
    if value in (None, ""):
        return None
    m = re.search(r"\d{4}", str(value))
    return int(m.group(0)) if m else None


def _title_numbers(title: str) -> frozenset[str]:
    return frozenset(re.findall(r"\d+", title))


def _prepare(rec: dict) -> _Prep:
    raw_titles = [rec.get("title") or "", rec.get("title_alt") or ""]
    normalised = [normalise_title(x) for x in raw_titles]
    titles = tuple(dict.fromkeys(t for t in normalised if t))
    raw = " ".join(str(t) for t in raw_titles if t)
    main = normalised[0] or (titles[0] if titles else "")
    pmid = re.sub(r"\D", "", str(rec.get("pmid") or ""))
    other = rec.get("other_ids") or {}
    # only ids of the work itself: an ISSN or ISBN is shared by every article of a journal/book
    other_ids = frozenset(
        (str(k).lower(), str(v).strip().lower())
        for k, v in other.items()
        if v and str(v).strip() and str(k).lower() in _WORK_IDS
    )
    pages = normalise_pages(rec.get("pages"))
    return _Prep(
        id=rec["id"],
        titles=titles,
        markers=_markers(raw),
        numbers=_title_numbers(main),
        surnames=_authors(rec.get("authors")),
        year=_int_year(rec.get("year")),
        journal=normalise_journal(rec.get("journal")),
        volume=_norm_volume(rec.get("volume")),
        issue=_norm_volume(rec.get("issue")),
        pages=pages,
        first_page=_first_page(pages),
        last_page=pages.rsplit("-", 1)[1] if "-" in pages else "",
        doi=normalise_doi(rec.get("doi")),
        pmid=pmid,
        other_ids=other_ids,
        conference=_is_conference_abstract(rec),
        short=_is_short(pages),
        notes=_notice_notes(raw),
        cluster=rec.get("cluster"),
    )


def _is_short(pages: str) -> bool:
    """A known location of at most two pages ("e3", "51", "1746-1746", "e8-e9")."""
    m = re.fullmatch(r"[a-z]*(\d+)[a-z]*(?:-[a-z]*(\d+)[a-z]*)?", pages or "")
    if not m:
        return False
    return not m.group(2) or 0 <= int(m.group(2)) - int(m.group(1)) <= 1


def _mark_cited_notices(preps: list[_Prep]) -> None:
    """A record printed where another record's note says its erratum (or retraction notice) is,
    under (nearly) the same title, is that notice, even when its own title does not say so:
    "Anti-factor H ... [Erratum appears in Am J Transplant. 2009 Sep;9(9):2205]" makes the
    "Anti-factor H ..." record at volume 9, page 2205 an erratum, never a copy of the article."""
    cited = [(i, note) for i, p in enumerate(preps) for note in p.notes]
    if not cited:
        return
    at: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, p in enumerate(preps):
        if p.volume and p.first_page:
            at[(p.volume, p.first_page)].append(j)
    for i, (kind, journal, volume, page) in cited:
        for j in at.get((volume, page), ()):
            other = preps[j]
            if j == i or kind in other.markers or not preps[i].titles or not other.titles:
                continue
            if _journal_compatible(journal, other.journal) is False:
                continue
            if _title_similarity(preps[i], other) >= 0.8:
                other.markers = other.markers | {kind}


# ---------------------------------------------------------------------------------------------
# Blocking
# ---------------------------------------------------------------------------------------------

_MAX_BLOCK = 60  # a block bigger than this is too common to be a useful key (e.g. "wang 2012")
_COMMON = {"and", "of", "the", "in", "with", "for", "a", "an", "on", "to", "by", "from", "at",
           "patients", "study", "after", "or", "is", "are", "as", "its", "their", "during"}  # fmt: skip


def _block_keys(p: _Prep) -> set[tuple]:
    keys: set[tuple] = set()
    if p.doi:
        keys.add(("doi", p.doi))
    if p.pmid:
        keys.add(("pmid", p.pmid))
    for k, v in p.other_ids:
        keys.add(("id", k, v))
    for title in p.titles:
        c = _compact(title)
        if len(c) >= 8:
            keys.add(("t0", c[:18]))
            keys.add(("t1", c[-18:]))
            if len(c) > 40:
                mid = len(c) // 2
                keys.add(("tm", c[mid - 9 : mid + 9]))
        words = sorted(
            {w for w in title.split() if w not in _COMMON and len(w) > 2},
            key=lambda w: (-len(w), w),
        )
        if len(words) >= 3:
            keys.add(("tw", *sorted(words[:3])))
    if p.surnames and p.year:
        keys.add(("ay", p.surnames[0].surname, p.year))
    if p.volume and p.first_page:
        keys.add(("vp", p.volume, p.first_page))
    if p.year and p.first_page and len(p.first_page) >= 2:
        keys.add(("yp", p.year, p.first_page))
    return keys


def _candidate_pairs(preps: list[_Prep]) -> set[tuple[int, int]]:
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for i, p in enumerate(preps):
        for key in _block_keys(p):
            blocks[key].append(i)
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if len(members) < 2:
            continue
        if len(members) > _MAX_BLOCK and key[0] not in {"doi", "pmid", "id"}:
            continue
        for i, j in combinations(members, 2):
            pairs.add((i, j) if i < j else (j, i))
    return pairs


# ---------------------------------------------------------------------------------------------
# Pair comparison
# ---------------------------------------------------------------------------------------------

CERTAIN = "certain"
UNCERTAIN = "uncertain"
DIFFERENT = "different"


@dataclass(slots=True)
class _Verdict:
    kind: str
    score: float
    reasons: list[str]
    hard_conflict: bool  # never in one cluster, whatever else links them


def _title_similarity(a: _Prep, b: _Prep) -> float:
    best = 0.0
    for ta in a.titles:
        for tb in b.titles:
            ca, cb = _compact(ta), _compact(tb)
            if ca == cb:
                return 1.0
            s = fuzz.ratio(ca, cb) / 100
            # a subtitle one database dropped: "Stroke rehabilitation: a review" / "Stroke rehabilitation"
            # a subtitle (or main title) one database dropped or glued on
            short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
            cs, cl = _compact(short), _compact(long_)
            if (
                len(cs) >= 15 and (long_.startswith(short + " ") or long_.endswith(" " + short))
            ) or (len(cs) >= 30 and (cl.startswith(cs) or cl.endswith(cs))):
                s = max(s, 0.9)
            best = max(best, s)
    return best


_NOTICE_REASON = "only one is a "


def _shifted(a: _Prep, b: _Prep) -> bool:
    """`a` lost its volume and the rest moved one column left: a's issue is b's volume and a's
    "pages" are b's issue."""
    return bool(
        not a.volume
        and a.issue
        and a.issue == b.volume
        and a.first_page
        and a.first_page == b.issue
        and not a.last_page
    )


def _compare(a: _Prep, b: _Prep) -> _Verdict:
    reasons: list[str] = []
    same_doi = bool(a.doi and a.doi == b.doi)
    doi_conflict = bool(a.doi and b.doi and a.doi != b.doi)
    same_pmid = bool(a.pmid and a.pmid == b.pmid)
    pmid_conflict = bool(a.pmid and b.pmid and a.pmid != b.pmid)
    shared_ids = a.other_ids & b.other_ids

    t = _title_similarity(a, b) if a.titles and b.titles else None
    au = _author_similarity(a.surnames, b.surnames)
    dy = abs(a.year - b.year) if a.year and b.year else None
    jc = _journal_compatible(a.journal, b.journal)
    vol = None if not (a.volume and b.volume) else a.volume == b.volume
    pg = None if not (a.first_page and b.first_page) else a.first_page == b.first_page
    iss = None if not (a.issue and b.issue) else a.issue == b.issue
    if _shifted(a, b) or _shifted(b, a):
        # "volume: -, issue: 26, pages: 9" is volume 26, issue 9 with the pages lost
        vol, iss, pg = True, None, None
    if pg is False and a.last_page and a.last_page == b.last_page and vol:
        pg = True  # a typo in the first page ("2297-2108" / "2097-2108")
    full_pages = bool(a.pages and a.pages == b.pages and "-" in a.pages)

    if t is not None:
        reasons.append(f"title {t:.2f}")
    if au is not None:
        reasons.append(f"authors {au:.2f}")

    # --- vetoes: look-alikes that are different records by nature -------------------------
    same_print = bool(vol and iss and a.pages and a.pages == b.pages)
    if a.markers != b.markers and not (same_print and t is not None and t >= 0.9):
        # (one database may drop the "Erratum:" of an erratum: same volume, issue and pages)
        kinds = ", ".join(sorted(a.markers ^ b.markers))
        return _Verdict(DIFFERENT, 0.0, [*reasons, f"{_NOTICE_REASON}{kinds}"], True)
    if pmid_conflict and not same_doi:
        return _Verdict(DIFFERENT, 0.0, [*reasons, "different PubMed/database ids"], True)
    if dy is not None and dy > 2 and not (same_doi or same_pmid):
        return _Verdict(DIFFERENT, 0.0, [*reasons, f"years {a.year}/{b.year}"], True)

    numbers_differ = bool(a.numbers and b.numbers and a.numbers != b.numbers)
    conf_vs_article = a.conference != b.conference
    if conf_vs_article and jc and dy == 0 and (b if a.conference else a).short:
        # the "article" is one or two pages of the same journal in the same year: the abstract
        # cited without its supplement ("Diabetes Metab Res Rev 30, 52" / "30 (Suppl 3), 52")
        conf_vs_article = False

    # --- exact identifiers ----------------------------------------------------------------
    if (same_pmid or shared_ids) and (t is None or t >= 0.6):
        return _Verdict(CERTAIN, 1.0, [*reasons, "same PubMed/database id"], False)
    if same_doi:
        reasons.append("same DOI")
        # supplements and conference books put one DOI on many abstracts: the title must agree
        if t is None or t >= 0.8 or (t >= 0.6 and (au or 0) >= 0.8):
            return _Verdict(CERTAIN, 0.99, reasons, False)
        return _Verdict(DIFFERENT, 0.0, [*reasons, "but different titles"], False)

    if t is None:
        return _Verdict(DIFFERENT, 0.0, reasons, False)

    venue_match = bool(vol and pg)
    venue_conflict = vol is False or pg is False
    if venue_match:
        reasons.append("same volume and first page")
    if venue_conflict:
        reasons.append("volume/pages differ")
    if doi_conflict:
        reasons.append("different DOIs")
    if numbers_differ:
        reasons.append("numbers in the titles differ")
    if conf_vs_article:
        reasons.append("conference abstract vs article")

    authors_ok = au is None or au >= 0.75
    # A missing author list is common in one database; then the venue must carry the evidence.
    author_evidence = au is not None and au >= 0.75
    year_ok = dy is None or dy <= 1
    score = round(
        0.55 * t + 0.3 * (au if au is not None else 0.5) + 0.15 * (1.0 if venue_match else 0.0), 4
    )

    hard = doi_conflict and not (t >= 0.97 and venue_match and author_evidence)
    if conf_vs_article and (jc is False or pg is False or (dy or 0) >= 1):
        # not merged by default; nor queued: the issue asks for abstracts to stay separate
        return _Verdict(DIFFERENT, score, reasons, True)

    certain = False
    if not (numbers_differ or doi_conflict) and year_ok:
        if (
            (
                t >= 0.95
                and authors_ok
                and not venue_conflict
                and (author_evidence or venue_match or jc)
            )
            or (t >= 0.9 and author_evidence and (venue_match or (jc and not venue_conflict)))
            or (t >= 0.8 and au is not None and au >= 0.9 and venue_match and jc is not False)
        ):
            certain = True
        elif t >= 0.95 and venue_match and dy == 0 and jc is not False:
            # same title at the same place in the same volume: author lists garbled by a database
            certain = True
    same_journal_work = (
        t >= 0.97
        and au is not None
        and au >= 0.9
        and dy == 0
        and bool(jc)
        and pg is not False
        and not numbers_differ
    )
    if (
        full_pages
        and vol
        and dy == 0
        and jc
        and not (numbers_differ or doi_conflict)
        and au is not None
        and au >= 0.9
        and (t >= 0.5 or (t >= 0.25 and min(len(a.surnames), len(b.surnames)) >= 3))
    ):
        # same authors, same journal, volume and page range: a translated or re-worded title
        # (a title translated back from Spanish shares few words with the English one, so with
        # three or more authors in common a quarter of the title is enough)
        certain = True
    if same_journal_work and not doi_conflict:
        # same title, authors, journal and year: a volume typed differently does not make a
        # second work (abstract supplements are often cited with the supplement number)
        certain = True
    if doi_conflict and same_journal_work and pg:
        certain = True  # the same article with a wrongly assigned (e.g. supplement) DOI
    if (
        not certain
        and pg is False
        and t >= 0.98
        and len(_compact(a.titles[0])) >= 40
        and au is not None
        and au >= 0.9
        and min(len(a.surnames), len(b.surnames)) >= 2
        and dy == 0
        and jc
        and vol
        and iss is not False
        and a.short
        and b.short
        and not (numbers_differ or doi_conflict)
    ):
        # the same meeting abstract printed twice in one volume ("e3" and "e8-e9" of one issue;
        # "22" and "52" of one supplement): same title, authors, journal, volume and year, one
        # or two pages each. A full article and its abstract (one is long) or an erratum in a
        # later issue (issues differ) never get here.
        reasons.append("same abstract printed twice in one volume")
        certain = True
    if (
        not certain
        and (not (a.volume or a.pages) or not (b.volume or b.pages))
        and jc
        and dy == 0
        and not (numbers_differ or doi_conflict)
        and _same_byline(a.surnames, b.surnames, 5)
        and _shares_long_title_end(a.titles[0], b.titles[0])
    ):
        # an online-first record under its provisional title, with the same five or more
        # authors in the same order (a database cuts the list; it does not reorder it): one
        # research group's two papers on one topic, in one journal and year, differ in who
        # signs them or in order. With fewer authors in common the pair goes to the queue.
        reasons.append("online-first record under its earlier title")
        certain = True
    if iss is False and venue_match is False and certain and t < 0.95:
        certain = False

    if certain:
        return _Verdict(CERTAIN, score, reasons, False)

    # --- uncertain: worth a person's glance ---------------------------------------------------
    if hard:
        return _Verdict(DIFFERENT, score, reasons, True)
    if t >= 0.98 and (au or 0) >= 0.9 and dy == 0:
        # the same abstract printed in two journals: some reviews count it once, some twice
        return _Verdict(UNCERTAIN, score, reasons, False)
    if numbers_differ and t >= 0.9 and (au or 0) >= 0.75 and year_ok:
        return _Verdict(UNCERTAIN, score, reasons, False)
    if t >= 0.9 and (au is None or au >= 0.5) and (dy is None or dy <= 2) and not venue_conflict:
        return _Verdict(UNCERTAIN, score, reasons, False)
    if t >= 0.75 and au is not None and au >= 0.8 and venue_match:
        return _Verdict(UNCERTAIN, score, reasons, False)
    if (
        (not (a.volume or a.pages) or not (b.volume or b.pages))
        and jc
        and dy == 0
        and au is not None
        and au >= 0.9
        and min(len(a.surnames), len(b.surnames)) >= 4
        and not (numbers_differ or doi_conflict)
        and _shares_long_title_end(a.titles[0], b.titles[0])
    ):
        # an online-first record (no volume, no pages) under its provisional title: "Complement
        # blockade in severe Shiga-toxin-associated HUS" / "Eculizumab in severe ...". The same
        # authors also write two papers on one topic in a year, so a person decides.
        return _Verdict(UNCERTAIN, score, [*reasons, "online-first record, title reworded?"], False)
    return _Verdict(DIFFERENT, score, reasons, venue_conflict and (t < 0.5))


def _same_byline(a: tuple[_Author, ...], b: tuple[_Author, ...], at_least: int) -> bool:
    """The shorter author list opens the longer one, name by name, and has `at_least` names."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= at_least and all(
        _same_author(x, y) for x, y in zip(short, long_, strict=False)
    )


def _shares_long_title_end(a: str, b: str) -> bool:
    """The two normalised titles open or end with the same four or more words (25+ letters)."""
    wa, wb = a.split(), b.split()
    for xs, ys in ((wa, wb), (wa[::-1], wb[::-1])):
        n = 0
        while n < min(len(xs), len(ys)) and xs[n] == ys[n]:
            n += 1
        if n >= 4 and len("".join(xs[:n])) >= 25:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Clustering
# ---------------------------------------------------------------------------------------------


def _compatible(a: _Prep, b: _Prep, cache: dict, i: int, j: int) -> bool:
    key = (i, j) if i < j else (j, i)
    if key not in cache:
        v = _compare(a, b)
        # inside one cluster every member must at least not contradict every other member
        t = _title_similarity(a, b) if a.titles and b.titles else 1.0
        ok = not v.hard_conflict and (v.kind != DIFFERENT or t >= 0.8 or "same DOI" in v.reasons)
        cache[key] = ok
    return cache[key]


def notice_pairs(
    records: Iterable[dict], pairs: Iterable[tuple[Hashable, Hashable]]
) -> dict[frozenset, str]:
    """Which of ``pairs`` (ids of ``records``) the engine keeps apart because one record is a
    notice about the other (erratum, retraction, reply, comment), with that kind.

    The issue's rule is that such notices are not duplicates of the article; benchmarks whose
    truth merges them use this to report recall with and without those pairs.
    """
    preps = [_prepare(r) for r in records]
    _mark_cited_notices(preps)
    by_id = {p.id: p for p in preps}
    out: dict[frozenset, str] = {}
    for x, y in pairs:
        a, b = by_id.get(x), by_id.get(y)
        if a is None or b is None:
            continue
        last = _compare(a, b).reasons[-1:] or [""]
        if last[0].startswith(_NOTICE_REASON):
            out[frozenset((x, y))] = last[0][len(_NOTICE_REASON) :]
    return out


def find_duplicates(
    records: Iterable[dict], *, not_duplicates: set[frozenset] | frozenset = frozenset()
) -> DedupResult:
    """Group records that describe the same work.

    ``records``: dicts with ``id`` and the importer's bibliographic keys (title, title_alt,
    abstract, authors, year, journal, volume, issue, pages, doi, pmid, other_ids,
    publication_type, language) and, on incremental runs, ``cluster`` (the existing cluster id).
    ``not_duplicates``: pairs of ids a person declared "Not duplicates"; they are never merged
    or queued again.
    """
    started = time.perf_counter()
    preps = [_prepare(r) for r in records]
    _mark_cited_notices(preps)
    blocked = {frozenset(x) for x in not_duplicates}

    pairs = _candidate_pairs(preps)
    # members of an existing cluster are already one work: keep them together
    existing: dict[Hashable, list[int]] = defaultdict(list)
    for i, p in enumerate(preps):
        if p.cluster is not None:
            existing[p.cluster].append(i)

    certain: list[tuple[float, int, int, list[str]]] = []
    uncertain: list[tuple[float, int, int, list[str]]] = []
    cache: dict[tuple[int, int], bool] = {}
    for i, j in sorted(pairs):
        a, b = preps[i], preps[j]
        if frozenset((a.id, b.id)) in blocked:
            cache[(i, j)] = False
            continue
        if a.cluster is not None and a.cluster == b.cluster:
            continue
        v = _compare(a, b)
        cache[(i, j)] = not v.hard_conflict and (
            v.kind != DIFFERENT
            or (_title_similarity(a, b) if a.titles and b.titles else 1.0) >= 0.8
        )
        if v.kind == CERTAIN:
            certain.append((v.score, i, j, v.reasons))
        elif v.kind == UNCERTAIN:
            uncertain.append((v.score, i, j, v.reasons))

    # union-find over groups that keep their member lists, so compatibility can be checked
    parent = list(range(len(preps)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(preps))}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x: int, y: int) -> None:
        rx, ry = find(x), find(y)
        if rx == ry:
            return
        if len(members[rx]) < len(members[ry]):
            rx, ry = ry, rx
        parent[ry] = rx
        members[rx].extend(members.pop(ry))

    for group in existing.values():
        for other in group[1:]:
            union(group[0], other)

    def compatible_groups(rx: int, ry: int) -> bool:
        for x in members[rx]:
            for y in members[ry]:
                if frozenset((preps[x].id, preps[y].id)) in blocked:
                    return False
                if not _compatible(preps[x], preps[y], cache, x, y):
                    return False
        return True

    rejected: list[tuple[float, int, int, list[str]]] = []
    for score, i, j, reasons in sorted(certain, key=lambda e: (-e[0], e[1], e[2])):
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        if compatible_groups(ri, rj):
            union(ri, rj)
        else:
            rejected.append((score, i, j, [*reasons, "conflicts with another member of the group"]))

    clusters = [{preps[m].id for m in group} for group in members.values() if len(group) >= 2]

    queue: list[Pair] = []
    seen_groups: set[frozenset[int]] = set()
    for score, i, j, reasons in sorted(uncertain + rejected, key=lambda e: (-e[0], e[1], e[2])):
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        # one question per pair of groups is enough: the answer applies to the whole group
        key = frozenset((ri, rj))
        if key in seen_groups:
            continue
        seen_groups.add(key)
        queue.append(Pair(preps[i].id, preps[j].id, score, reasons))

    stats = {
        "records": len(preps),
        "candidate_pairs": len(pairs),
        "certain_pairs": len(certain),
        "clusters": len(clusters),
        "records_in_clusters": sum(len(c) for c in clusters),
        "duplicates_removed": sum(len(c) - 1 for c in clusters),
        "uncertain": len(queue),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return DedupResult(clusters=clusters, uncertain=queue, stats=stats)
