"""Comparable text: titles and DOIs, and the folding and spelling rules the other fields share.

Pure text functions, no Django (journals, volumes, issues and pages are in ``venue``). Every record is normalised once (``records.prepare``) and the
matching rules compare only these forms.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

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

# "[German]", "(in Russian)", ". Chinese with English abstract": the article's language, noted by
# a database that translated its title
LANGUAGE_NOTE = re.compile(
    r"[.(\[]\s*(in |article in |text in )?(english|chinese|japanese|korean|german|french|spanish"
    r"|italian|polish|russian|dutch|czech|turkish|portuguese|hungarian|danish|swedish|norwegian"
    r"|finnish|hebrew|greek|persian|croatian|serbian|slovak|slovenian|ukrainian|romanian"
    r"|bulgarian|lithuanian|estonian|latvian|arabic|thai|catalan|icelandic)"
    r"(( and | with |, ?)english( abstract)?)?\s*[)\]]?\s*\.?\s*$",
    re.I,
)

# Database decorations that are not part of the title.
TITLE_NOISE = [
    # MEDLINE notes on the article itself, always at the end: "[Erratum appears in ...]"
    re.compile(r"[\[(]?\s*(published )?erratum (appears )?in\b.*$", re.I),
    re.compile(r"\[(corrected|comment|see comments|editorial|letter|news)\]", re.I),
    re.compile(r"\[?\s*(comment|update|retraction|republished|reprinted) (in|of)\b[^\]]*\]?", re.I),
    re.compile(r"\[review\]|\[\d+ refs?\]|\breview \d+ refs\b", re.I),
    re.compile(r"\[?abstract no:?\s*[\w.-]+\]?", re.I),
    LANGUAGE_NOTE,
    re.compile(r"^\s*(retracted( article)?|withdrawn|proceedings|reprint)\s*[:.]\s*", re.I),
    re.compile(r"\((review|abstract|letter|editorial)\)\s*\.?\s*$", re.I),
    # the kind of record is kept in PreparedRecord.markers; the words compare with the article's title
    re.compile(
        r"^\s*(erratum|corrigendum|correction|retraction( notice)?|reply)( to)?\s*[:.-]\s*", re.I
    ),
    # citation of the corrected article: "(vol 360, pg 542, 2009)" (Web of Science errata),
    # "(New England Journal of Medicine (2009) 360 (542-544))" (Embase errata)
    re.compile(r"\(\s*vol\.? \d+[^()]*\)\s*\.?\s*$", re.I),
    re.compile(r"\([^()]*\(\d{4}\)\s*\d+\s*(\([^()]*\))?[^()]*\)\s*\.?\s*$"),
]
ERRATUM_CITATION = [TITLE_NOISE[-2], TITLE_NOISE[-1]]

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
    # 'The fourth international workshop' and 'The 4th ...' are one title
    "fourth": "4th", "fifth": "5th", "sixth": "6th", "seventh": "7th", "eighth": "8th",
    "ninth": "9th", "tenth": "10th", "eleventh": "11th", "twelfth": "12th",
    "thirteenth": "13th", "fourteenth": "14th", "fifteenth": "15th", "sixteenth": "16th",
    "seventeenth": "17th", "eighteenth": "18th", "nineteenth": "19th", "twentieth": "20th",
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


def fold(text: str) -> str:
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


def strip_markup(text: str) -> str:
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


def american_spelling(text: str) -> str:
    text = " ".join(_americanise(w) for w in text.split())
    text = _UK_STEM_RE.sub(lambda m: _UK_STEM_MAP[m.group(1)], text)
    text = _ISE_RE.sub(lambda m: f"{m.group(1)}iz{m.group(2)}", text)
    text = _YSE_RE.sub(lambda m: f"{m.group(1)}yz{m.group(2)}", text)
    return text


def _clean_title_text(s: str) -> str:
    s = strip_markup(s)
    for pattern in TITLE_NOISE:
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
    s = fold(_clean_title_text(str(s)))
    s = s.replace("&", " and ").replace("+", " plus ")
    s = re.sub(r"[^\w]+|_", " ", s)
    # a space between every CJK character and its neighbours keeps them as comparable units
    if not s.isascii():
        s = _CJK_CHAR.sub(r" \1 ", s)
    s = american_spelling(s)
    s = _ROMAN_AFTER.sub(lambda m: f"{m.group(1)} {_SMALL_ROMAN[m.group(2)]}", s)
    words = [_NUMBER_WORDS.get(w, _ROMAN.get(w, w)) for w in s.split()]
    return " ".join(words)


def compact(title: str) -> str:
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
