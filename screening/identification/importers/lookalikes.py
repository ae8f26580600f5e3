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


def pubmed_xml_format() -> str:
    """The format code of the PubMed XML reader, or '' while there is none."""
    return next((code for code in PUBMED_XML_CODES if code in FORMATS), "")


def xml_kind(text: str) -> str:
    """The format code for a file whose text starts with '<' (the first 64 KB decoded), or an
    ImportFormatError that names what the file is and which export option to choose instead."""
    head = text[:65536]
    lowered = head.lower()
    if _OVID_NUMBERED.match(head):
        raise ImportFormatError(
            _(
                "This looks like an Ovid export in Ovid's own citation format (records numbered "
                "<1>, <2>, …), which we do not read. In Ovid, export the records again and choose "
                "RIS as the format (or EndNote, which Ovid also writes as RIS)."
            )
        )
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
    if "<ovidresults" in lowered or "ovid technologies" in lowered:
        raise ImportFormatError(
            _(
                "This is an Ovid XML export, which we do not read. In Ovid, export the records "
                "again and choose RIS as the format."
            )
        )
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
    if "<record" in lowered or "<xml>" in lowered:
        return "endnote-xml"
    raise ImportFormatError(
        _(
            "This XML file is not an EndNote XML export (it has no <records> list), and we read no "
            "other XML. Export again choosing RIS, BibTeX or EndNote XML."
        )
    )
