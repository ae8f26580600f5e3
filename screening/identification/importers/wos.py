"""Web of Science: the tagged plain-text export (FN/VR ... ER/EF, .ciw/.isi/.txt) and the
tab-delimited export (header row of the same tags, UTF-8 BOM or UTF-16)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from screening.identification.importers.base import (
    ImportFormatError,
    ParseReport,
    new_record,
    year_of,
)
from screening.identification.importers.base import first_value as _first
from screening.identification.importers.normalise import (
    expand_pages,
    normalise_doi,
    normalise_pmid,
    split_keywords,
)
from screening.identification.importers.tagged import blocks_with_cut
from screening.identification.importers.text import _

# Tags whose continuation lines are separate items (one author, one address per line); the
# continuation lines of any other tag continue the same text.
_LIST_TAGS = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "BE", "CR", "C1", "C3", "Z2"})
_HEADER_TAGS = frozenset({"FN", "VR", "EF"})
KNOWN_TAGS = frozenset(
    [
        "FN",
        "VR",
        "PT",
        "AU",
        "AF",
        "BA",
        "BF",
        "CA",
        "GP",
        "BE",
        "TI",
        "SO",
        "SE",
        "BS",
        "LA",
        "DT",
        "CT",
        "CY",
        "CL",
        "SP",
        "HO",
        "DE",
        "ID",
        "AB",
        "C1",
        "C3",
        "RP",
        "EM",
        "RI",
        "OI",
        "FU",
        "FP",
        "FX",
        "CR",
        "NR",
        "TC",
        "Z9",
        "U1",
        "U2",
        "PU",
        "PI",
        "PA",
        "SN",
        "EI",
        "BN",
        "J9",
        "JI",
        "PD",
        "PY",
        "VL",
        "IS",
        "PN",
        "SU",
        "SI",
        "MA",
        "BP",
        "EP",
        "AR",
        "DI",
        "DL",
        "D2",
        "EA",
        "EY",
        "PG",
        "WC",
        "WE",
        "SC",
        "GA",
        "UT",
        "PM",
        "OA",
        "HC",
        "HP",
        "DA",
        "ER",
        "EF",
        "Z1",
        "Z2",
        "Z3",
        "Z4",
        "Z5",
        "Z6",
        "Z7",
        "Z8",
        "ZA",
        "ZB",
        "ZR",
        "ZS",
    ]
)


def _is_tag_line(line: str) -> bool:
    head = line[:2]
    return (
        len(head) == 2
        and head.isascii()
        and head.isalnum()
        and head[0].isalpha()
        and head == head.upper()
        and (len(line) == 2 or line[2] == " ")
    )


def _tag_and_value(
    line: str, in_record: bool, number: int, report: ParseReport
) -> tuple[str, str] | None:
    """(tag, value) of a line that is not a continuation; None when it has no tag."""
    if _is_tag_line(line):
        return line[:2], line[3:].strip()
    if in_record and line[:2] in KNOWN_TAGS and line[:2] not in _HEADER_TAGS:
        # Seen in real exports: 'AUGilles, H' -- the separating space lost.
        read = _("no space after the tag %(tag)s; read as %(tag)s %(rest)s")
        report.warn(number, read % {"tag": line[:2], "rest": line[2:]})
        return line[:2], line[2:].strip()
    return None


def _not_a_tag(line: str) -> str:
    return _("expected a two-letter Web of Science tag, found %(text)s") % {"text": repr(line[:30])}


def _ends_at(where: str) -> str:
    return _("Web of Science record has no ER tag; it ends at %(where)s") % {"where": where}


def parse_wos(blocks: Iterable[list[str]], report: ParseReport) -> Iterator[dict]:
    fields: dict[str, list[str]] | None = None
    raw: list[str] = []
    last_tag = ""
    start = 0
    records = 0
    base = 0
    for block, cut in blocks_with_cut(blocks):
        for index, line in enumerate(block):
            if not line or line[0] == " ":
                if fields is not None and last_tag:
                    text = line.strip()
                    if text:
                        raw.append(line)
                        values = fields[last_tag]
                        if last_tag in _LIST_TAGS:
                            values.append(text)
                        else:
                            values[-1] = f"{values[-1]} {text}" if values[-1] else text
                elif line.strip():
                    raise ImportFormatError(
                        _("continuation line outside a Web of Science record"), base + index + 1
                    )
                continue
            if line[2:3] == " " and fields is not None and _is_tag_line(line):
                tag = line[:2]
                if tag != "ER" and tag != "PT" and tag not in _HEADER_TAGS:
                    # The common case: one more field of the current record.
                    raw.append(line)
                    last_tag = tag
                    values = fields.get(tag)
                    if values is None:
                        fields[tag] = [line[3:].strip()]
                    else:
                        values.append(line[3:].strip())
                    continue
            number = base + index + 1
            pair = _tag_and_value(line.lstrip("\ufeff"), fields is not None, number, report)
            if pair is None:
                if index != cut:
                    raise ImportFormatError(_not_a_tag(line), number)
                # The file stops inside this line.
                where = start if fields is not None else number
                report.cut_off(where, _("the last Web of Science record has no ER tag"))
                return
            tag, value = pair
            line = line.lstrip("\ufeff")
            if tag in _HEADER_TAGS:
                if fields is not None:
                    report.warn(start, _ends_at(tag))
                    records += 1
                    yield _build(fields, "\n".join(raw), start, report)
                    fields = None
                continue
            if tag == "PT":
                if fields is not None:
                    report.warn(
                        start, _("Web of Science record has no ER tag; it ends at the next PT")
                    )
                    records += 1
                    yield _build(fields, "\n".join(raw), start, report)
                fields = {"PT": [value]}
                raw = [line]
                last_tag = "PT"
                start = number
                continue
            if tag == "ER":
                if fields is None:
                    raise ImportFormatError(_("ER without a record (no PT before it)"), number)
                raw.append(line)
                records += 1
                yield _build(fields, "\n".join(raw), start, report)
                fields = None
                last_tag = ""
                continue
            if fields is None:
                raise ImportFormatError(_("Web of Science record starts without a PT tag"), number)
            raw.append(line)
            last_tag = tag
            values = fields.get(tag)
            if values is None:
                fields[tag] = [value]
            else:
                values.append(value)
        base += len(block)
    if fields is not None:
        # Allowed (cut_off returns): the cut record is dropped.
        report.cut_off(start, _("the last Web of Science record has no ER tag"))
    elif records == 0:
        raise ImportFormatError(_("no Web of Science records found (no line starts with 'PT ')"), 1)


def parse_wos_tab(blocks: Iterable[list[str]], report: ParseReport) -> Iterator[dict]:
    header: list[str] | None = None
    records = 0
    for number, line in _numbered(blocks):
        if header is None:
            if not line.strip():
                continue
            header = [h.strip().lstrip("\ufeff") for h in line.split("\t")]
            if "PT" not in header or ("TI" not in header and "UT" not in header):
                raise ImportFormatError(
                    _("the header row is not Web of Science tab-delimited (PT, AU, TI, ... UT)"),
                    number,
                )
            continue
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            report.warn(
                number,
                _("row has %(cells)s cells, header has %(header)s")
                % {"cells": len(cells), "header": len(header)},
            )
        fields: dict[str, list[str]] = {}
        for tag, cell in zip(header, cells, strict=False):
            cell = cell.strip()
            if not cell or not tag:
                continue
            if tag in _LIST_TAGS:
                fields[tag] = [v.strip() for v in cell.split(";") if v.strip()]
            else:
                fields[tag] = [cell]
        records += 1
        yield _build(fields, line, number, report)
    if header is None:
        raise ImportFormatError(_("the file is empty: no header row"), 1)


def _numbered(blocks: Iterable[list[str]]) -> Iterator[tuple[int, str]]:
    number = 0
    for block in blocks:
        for line in block:
            number += 1
            yield number, line


def _build(fields: dict[str, list[str]], raw: str, start: int, report: ParseReport) -> dict:
    record = new_record(start)
    record["raw"] = raw
    record["title"] = _first(fields, "TI")
    record["title_alt"] = _first(fields, "Z1")
    record["abstract"] = _first(fields, "AB")
    record["authors"] = list(fields.get("AF") or fields.get("AU") or ())
    if "Z2" in fields:
        record["authors_alt"] = [a for v in fields["Z2"] for a in split_keywords(v)]
    record["journal"] = _first(fields, "SO")
    # An early-access record has no PY yet: Web of Science gives its date as EA ('JUL 2019', or
    # 'JULY' with the year apart in EY).
    dates = (_first(fields, tag) for tag in ("PY", "EY", "EA", "PD"))
    record["year"] = year_of(report, start, *dates)
    record["volume"] = _first(fields, "VL")
    record["issue"] = _first(fields, "IS")
    bp, ep = _first(fields, "BP"), _first(fields, "EP")
    if bp and ep:
        record["pages"] = expand_pages(f"{bp}-{ep}")
    else:
        record["pages"] = bp or _first(fields, "AR")
    record["doi"] = normalise_doi(_first(fields, "DI", "DL"))
    ut = _first(fields, "UT")
    record["source_key"] = ut
    other_ids = record["other_ids"]
    if ut:
        other_ids["wos"] = ut
    issn = _first(fields, "SN", "EI")
    if issn:
        other_ids["issn"] = issn
    record["pmid"] = normalise_pmid(_first(fields, "PM"))
    keywords: list[str] = []
    for tag in ("DE", "ID"):
        for value in fields.get(tag, ()):
            keywords += split_keywords(value)
    record["keywords"] = keywords
    record["language"] = _first(fields, "LA")
    record["publication_type"] = _first(fields, "DT", "PT")
    return record
