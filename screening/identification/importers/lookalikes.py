"""Files that look like an export but are not one we read: what they are, and the export option
that gives a file we do read. Detection asks here before it gives up, and a format chosen by
hand asks here before its parser reports a puzzling error.
"""

from __future__ import annotations

import re

from screening.identification.importers.base import FORMATS, ImportFormatError
from screening.identification.importers.text import _

# A reader of PubMed XML, when one is installed, takes those files instead of the advice below.
PUBMED_XML_CODES = ("pubmed-xml", "pubmed_xml", "pubmedxml")
_OVID_NUMBERED = re.compile(r"\A\s*<\d+>\s*$", re.MULTILINE)
# What may come before an XML document's root element: white space, the declaration and
# processing instructions, comments, a DOCTYPE (with an internal subset in [ ]).
_PROLOG_ITEM = re.compile(
    r"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>", re.DOTALL | re.IGNORECASE
)
_ELEMENT = re.compile(r"<([A-Za-z_][\w.:-]*)")


def pubmed_xml_format() -> str:
    """The format code of the PubMed XML reader, or '' while there is none."""
    return next((code for code in PUBMED_XML_CODES if code in FORMATS), "")


def xml_kind(text: str) -> str:
    """The format code for a file whose text starts with '<' (the first 64 KB decoded), or an
    ImportFormatError that names what the file is and which export option to choose instead."""
    head = text[:65536]
    lowered = head.lower()
    root = root_element(head)
    if _OVID_NUMBERED.match(head):
        raise ImportFormatError(
            _(
                "This looks like an Ovid export in Ovid's own citation format (records numbered "
                "<1>, <2>, …), which we do not read. In Ovid, export the records again and choose "
                "RIS as the format (or EndNote, which Ovid also writes as RIS)."
            )
        )
    if root == "xml":
        # Names starting with "xml" are reserved by the XML standard, and EndNote (Zotero and
        # Mendeley after it) is the one writer that uses it anyway: <xml><records><record>. So
        # the root decides, whatever the records say (an EndNote library of Ovid records names
        # "Ovid Technologies" as their provider).
        return "endnote-xml"
    if "<pubmedarticle" in lowered or "<pubmedbookarticle" in lowered:
        code = pubmed_xml_format()
        if code:
            return code
        raise ImportFormatError(
            _(
                "This is a PubMed XML file (<PubmedArticleSet>), not an EndNote XML export, and we "
                "do not read PubMed XML. In PubMed, choose Save, then Format: PubMed: that gives "
                "the .nbib (MEDLINE) file we read."
            )
        )
    if root.startswith("ovid"):
        raise _ovid_xml()
    if "<rec " in lowered or "<rec>" in lowered or "wok5" in lowered:
        raise ImportFormatError(
            _(
                "This is a Web of Science XML export, which we do not read. In Web of Science, "
                "export again choosing Plain text file or Tab delimited file."
            )
        )
    if "<rdf:rdf" in lowered:
        raise ImportFormatError(
            _(
                "This is an RDF file (as Zotero writes with “Zotero RDF”), which we do not read. "
                "Export again choosing RIS or BibTeX."
            )
        )
    if "<modscollection" in lowered or "<mods " in lowered or "<mods>" in lowered:
        raise ImportFormatError(
            _("This is a MODS XML file, which we do not read. Export again choosing RIS or BibTeX.")
        )
    if "<html" in lowered or "<!doctype html" in lowered:
        raise ImportFormatError(
            _(
                "This is a web page (HTML), not an export: the database's page was saved instead "
                "of the exported file. Export again and keep the downloaded file."
            )
        )
    if "ovid technologies" in lowered:
        # Last, after every root we know: Ovid's name is in the records of other exports too.
        raise _ovid_xml()
    if "<record" in lowered or "<xml>" in lowered:
        return "endnote-xml"
    raise ImportFormatError(
        _(
            "This XML file is not an EndNote XML export (it has no <records> list), and we read no "
            "other XML. Export again choosing RIS, BibTeX or EndNote XML."
        )
    )


def _ovid_xml() -> ImportFormatError:
    return ImportFormatError(
        _(
            "This is an Ovid XML export, which we do not read. In Ovid, export the records "
            "again and choose RIS as the format."
        )
    )


def root_element(text: str) -> str:
    """The name of the document's first element, lower-cased ('' when the text has none)."""
    position = 0
    while True:
        item = _PROLOG_ITEM.match(text, position)
        if not item or item.end() == position:
            break
        position = item.end()
    element = _ELEMENT.match(text, position)
    return element.group(1).lower() if element else ""
