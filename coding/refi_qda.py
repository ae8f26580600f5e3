"""The REFI-QDA codebook exchange format (.qdc), read by NVivo, ATLAS.ti, MAXQDA, Taguette.

Pure: tree nodes in, XML bytes out; XML bytes in, plain dicts out (parsed with defusedxml).
The standard has one Description per code; the definition goes first and the other parts of
our codebook entry follow as labelled paragraphs, readable in any tool and parsed back here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

NS = "urn:QDA-XML:codebook:1.0"
SCHEMA = "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"
LABELS = {
    "inclusion": "Inclusion criteria",
    "exclusion": "Exclusion criteria",
    "example": "Example",
    "level": "Level",
    "polarity": "Polarity",
}
_FIELD_OF = {label.lower(): field for field, label in LABELS.items()}
_MARKER = re.compile(
    r"^(" + "|".join(re.escape(label) for label in LABELS.values()) + r"):[ \t]*", re.M | re.I
)
COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class QdcError(Exception):
    """The file is not a REFI-QDA codebook; the message is shown to the user."""


def describe(node) -> str:
    parts = [node.definition.strip()] if node.definition.strip() else []
    for field, label in LABELS.items():
        value = getattr(node, field, "").strip()
        if value:
            parts.append(f"{label}: {value}")
    return "\n\n".join(parts)


def parse_description(text: str) -> dict[str, str]:
    out = {"definition": "", **dict.fromkeys(LABELS, "")}
    pieces = _MARKER.split(text or "")
    out["definition"] = pieces[0].strip()
    for label, value in zip(pieces[1::2], pieces[2::2], strict=True):
        out[_FIELD_OF[label.lower()]] = value.strip()
    return out


def export_qdc(nodes: Iterable, origin: str = "Sift review") -> bytes:
    """Nodes in pre-order with .children (a coding.services.Tree's roots)."""
    root = Element(
        "CodeBook",
        {
            "xmlns": NS,
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:schemaLocation": f"{NS} {SCHEMA}",
            "origin": origin,
        },
    )
    codes = SubElement(root, "Codes")

    def add(parent: Element, node) -> None:
        attrs = {"guid": str(node.key), "name": node.name, "isCodable": "true"}
        if COLOR.match(node.color or ""):
            attrs["color"] = node.color
        element = SubElement(parent, "Code", attrs)
        description = describe(node)
        if description:
            SubElement(element, "Description").text = description
        for child in node.children:
            add(element, child)

    for node in nodes:
        add(codes, node)
    SubElement(root, "Sets")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(root, encoding="unicode").encode()


def parse_qdc(data: bytes) -> list[dict]:
    """Codes in pre-order as dicts: key, parent_key, name, definition, …, position."""
    try:
        root = SafeET.fromstring(data)
    except Exception as exc:  # defusedxml raises ParseError and its own refusals
        raise QdcError(_("This is not a readable XML file: %(exc)s") % {"exc": exc}) from exc
    if _local(root.tag) != "CodeBook":
        raise QdcError(_("This is not a REFI-QDA codebook (no <CodeBook> element)."))
    codes = next((c for c in root if _local(c.tag) == "Codes"), None)
    if codes is None:
        raise QdcError(_("The codebook has no <Codes> element."))
    out: list[dict] = []

    def visit(element, parent_key: str | None, position: int) -> None:
        name = (element.get("name") or "").strip()
        if not name:
            raise QdcError(
                _("A code without a name (guid %(guid)s).") % {"guid": element.get("guid")}
            )
        key = element.get("guid") or str(uuid.uuid4())
        try:
            key = str(uuid.UUID(key))
        except ValueError as exc:
            raise QdcError(
                _("Code %(name)s has an invalid guid %(key)s.")
                % {"name": f"{name!r}", "key": f"{key!r}"}
            ) from exc
        description = next((c.text or "" for c in element if _local(c.tag) == "Description"), "")
        row = {"key": key, "parent_key": parent_key, "name": name, "position": position}
        row.update(parse_description(description))
        color = element.get("color") or ""
        row["color"] = color if COLOR.match(color) else ""
        out.append(row)
        children = [c for c in element if _local(c.tag) == "Code"]
        for i, child in enumerate(children):
            visit(child, key, i)

    for i, element in enumerate(c for c in codes if _local(c.tag) == "Code"):
        visit(element, None, i)
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
