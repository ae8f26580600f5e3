"""Finding English interface words on a page served in Traditional Chinese.

A page's visible text (and the attributes people read: title, placeholder, aria-label, alt, a
button's value) is cut into runs of Latin letters. A run is English interface text when it holds
a word of the interface's own English vocabulary (the catalogue's msgids) and it is not user
content. User content is known two ways: markup says so (an element with translate="no", or a
lang attribute of another language: its whole subtree is skipped), or the run is text the
database holds (titles, names, codes, abstracts, stored messages). Names that stay in Latin
letters in Chinese (PRISMA, CSV, DOI, RIS, Cohen's κ...) are never flagged.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib
from django.apps import apps
from django.db import models

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"

# Kept in Latin letters in the Chinese interface (docs/glossary-zh-hant.md's style note).
LATIN_NAMES = {
    "api", "asreview", "bibtex", "casp", "cohen", "covidence", "csl", "csv", "doi", "embase",
    "endnote", "english", "excel", "html", "htmx", "id", "jbi", "json", "kappa", "markdown",
    "medline", "mmat", "nbib", "orcid", "pdf", "pmcid", "pmid", "png", "prisma", "pubmed",
    "qda", "qdc", "qdpx", "rayyan", "refi", "ris", "scopus", "sha", "sift", "svg", "url",
    "utf", "wos", "xlsx", "xml", "zip", "zotero", "airiti", "google", "scholar", "cinahl",
    "psycinfo", "eric", "web", "science", "cnki", "wanfang", "noteexpress", "citavi", "ovid",
    "refworks", "nvivo", "maxqda", "atlas", "taguette",
}  # fmt: skip
SKIPPED_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "textarea", "svg", "math"}
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
# A run: Latin words and what joins them inside a phrase (not CJK, not the separators · | ：).
RUN = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*(?:[ ,.&/+]+[A-Za-z0-9][A-Za-z0-9'’\-]*)*")
WORD = re.compile(r"[A-Za-z]{2,}")
EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+|\b10\.\d{4,}/\S+")


@cache
def vocabulary() -> frozenset[str]:
    """The English words the interface itself uses: every word of the catalogue's msgids."""
    words: set[str] = set()
    kept: set[str] = set()  # Latin words the translators kept (PRISMA2020, "Smith 2019"...)
    for entry in polib.pofile(str(LOCALE)):
        text = re.sub(r"%\(\w+\)[sd]|<[^>]+>|\{\w*\}", " ", entry.msgid + " " + entry.msgid_plural)
        words.update(w.lower() for w in WORD.findall(text) if len(w) >= 3)
        translated = " ".join([entry.msgstr, *entry.msgstr_plural.values()])
        kept.update(
            w.lower() for w in WORD.findall(re.sub(r"%\(\w+\)[sd]|<[^>]+>", " ", translated))
        )
    return frozenset(words - kept - LATIN_NAMES)


class _Text(HTMLParser):
    """Visible text pieces and read attributes, outside skipped and user-content subtrees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is its subtree skipped?
        self.pieces: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        lang = (a.get("lang") or "").lower()
        skip = (
            tag in SKIPPED_TAGS
            or a.get("translate") == "no"
            or "data-user-content" in a
            or (bool(lang) and not lang.startswith("zh") and tag != "html")
        )
        if not (self.skipping or skip):
            for name in READ_ATTRIBUTES:
                if a.get(name):
                    self.pieces.append(a[name])
            if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
                self.pieces.append(a["value"])
        if tag not in VOID:
            self.stack.append(skip)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.pieces.append(data)


def visible_pieces(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.pieces


class UserContent:
    """Every text the database holds: whatever a page shows from it is the users', not ours."""

    def __init__(self) -> None:
        values: set[str] = set()
        for model in apps.get_models():
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField | models.JSONField)
                and not f.choices  # a choice's stored value is a code, its label is ours
            ]
            if not fields:
                continue
            for row in model.objects.values_list(*fields):
                for value in row:
                    values.update(_strings(value))
        self.values = {" ".join(v.split()) for v in values if WORD.search(v)}
        self.corpus = "\n".join(sorted(self.values))

    def holds(self, run: str, truncated: bool) -> bool:
        if run in self.values:
            return True
        if len(re.findall(r"[A-Za-z0-9]+", run)) >= 2 or truncated:
            return run in self.corpus  # a part of a longer text, or its truncated start
        return False


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def english_runs(html: str, content: UserContent, context: bool = False) -> list[str]:
    """The runs of English interface words on the page (empty: the page is all translated);
    with context, each run with the text around it."""
    vocab = vocabulary()
    found = []
    for piece in visible_pieces(html):
        text = " ".join(piece.split())
        if len(WORD.findall(text)) >= 2 and text.strip(" …") in content.corpus:
            continue  # the whole text node is (the start of) a text from the database
        text = EMAIL_OR_URL.sub(" ", text)
        for match in RUN.finditer(text):
            run = match.group(0).strip(" ,.&/+")
            words = [w.lower() for w in WORD.findall(run)]
            if not any(w in vocab for w in words):
                continue
            truncated = text[match.end() : match.end() + 1] == "…"
            if content.holds(run, truncated) or _parts_are_content(run, content):
                continue
            found.append(f"{run} «{text[:90]}»" if context else run)
    return found


def _parts_are_content(run: str, content: UserContent) -> bool:
    """A run such as "Demo Lead, Demo Reviewer 1" joins user values with punctuation."""
    parts = [p.strip() for p in re.split(r"[,/&+]| - ", run) if p.strip()]
    return len(parts) > 1 and all(
        content.holds(p, False) or not any(w.lower() in vocabulary() for w in WORD.findall(p))
        for p in parts
    )
