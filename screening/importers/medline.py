"""PubMed/MEDLINE tagged text (.nbib, PubMed 'Save as PubMed format', Ovid MEDLINE)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .base import ImportFormatError, ParseReport, new_record
from .normalise import expand_pages, normalise_doi, parse_year, split_parallel_name

KNOWN_TAGS = frozenset(
    [
        "AB",
        "AD",
        "AID",
        "AU",
        "AUID",
        "BTI",
        "CI",
        "CIN",
        "CN",
        "COIS",
        "COI",
        "CON",
        "CP",
        "CRDT",
        "CRF",
        "CRI",
        "CTDT",
        "CTI",
        "DA",
        "DCOM",
        "DEP",
        "DP",
        "DRDT",
        "ECF",
        "ECI",
        "EDAT",
        "EFR",
        "EIN",
        "ED",
        "EN",
        "FAU",
        "FED",
        "FIR",
        "FPS",
        "GN",
        "GR",
        "GS",
        "IP",
        "IR",
        "IRAD",
        "IS",
        "ISBN",
        "JID",
        "JT",
        "LA",
        "LID",
        "LR",
        "MH",
        "MHDA",
        "MID",
        "OAB",
        "OABL",
        "OCI",
        "OID",
        "ORI",
        "OT",
        "OTO",
        "OWN",
        "PB",
        "PG",
        "PHST",
        "PL",
        "PMC",
        "PMCR",
        "PMID",
        "PS",
        "PST",
        "PT",
        "PUBM",
        "RF",
        "RIN",
        "RN",
        "ROF",
        "RPF",
        "RPI",
        "RRF",
        "RRI",
        "SB",
        "SFM",
        "SI",
        "SO",
        "SPIN",
        "STAT",
        "TA",
        "TI",
        "TT",
        "UIN",
        "UOF",
        "VI",
        "VTI",
        "YR",
    ]
)


def _tag_of(line: str) -> str:
    """'PMID- 1' -> 'PMID', 'AU  - X' -> 'AU'; '' when the line is not a tag line."""
    if line[4:6] != "- " and line[4:] != "-":
        return ""
    tag = line[:4].rstrip()
    if tag and tag.isascii() and tag.isalnum() and tag.isupper():
        return tag
    return ""


def parse_medline(blocks: Iterable[list[str]], report: ParseReport) -> Iterator[dict]:
    fields: dict[str, list[str]] | None = None
    raw: list[str] = []
    last: list[str] | None = None
    # Continuation lines of the current field, joined when the field ends: joining once is
    # linear where appending to the value line by line is quadratic on long abstracts.
    pieces: list[str] = []
    start = 0
    records = 0
    unknown_warned: set[str] = set()
    base = 0

    for block in blocks:
        for index, line in enumerate(block):
            if line[:6] == "      ":
                # MEDLINE wraps long fields with six spaces.
                if last is None:
                    raise ImportFormatError(
                        "continuation line outside a MEDLINE record", base + index + 1
                    )
                raw.append(line)
                pieces.append(line.strip())
                continue
            if pieces:
                last[-1] = " ".join([last[-1], *pieces]) if last[-1] else " ".join(pieces)
                pieces = []
            if line[4:6] == "- " and fields is not None:
                # The common case: one more field of the current record.
                tag = line[:4].rstrip()
                if tag != "PMID":
                    raw.append(line)
                    values = fields.get(tag)
                    if values is None:
                        if not (tag.isascii() and tag.isalnum() and tag.isupper()):
                            raise ImportFormatError(
                                f"expected a MEDLINE tag, found {line[:30]!r}", base + index + 1
                            )
                        fields[tag] = last = [line[6:].strip()]
                        if tag not in KNOWN_TAGS and tag not in unknown_warned:
                            unknown_warned.add(tag)
                            report.warn(
                                base + index + 1,
                                f"unknown MEDLINE tag {tag}; kept in the raw record only",
                            )
                    else:
                        values.append(line[6:].strip())
                        last = values
                    continue
            if not line or line.isspace():
                if fields is not None:
                    records += 1
                    yield _build(fields, raw, start, report)
                    fields = None
                    last = None
                continue
            tag = _tag_of(line)
            if not tag:
                if line[0] in " \t" and last is not None:
                    # Indented by fewer than six spaces: still a continuation.
                    raw.append(line)
                    last[-1] = f"{last[-1]} {line.strip()}"
                    continue
                raise ImportFormatError(
                    "expected a MEDLINE tag line ('PMID- ', 'TI  - ', ...) or an indented "
                    f"continuation line, found {line[:30]!r}",
                    base + index + 1,
                )
            value = line[6:].strip()
            if fields is not None and tag == "PMID" and "PMID" in fields:
                # Records not separated by a blank line: PMID always opens a record.
                records += 1
                yield _build(fields, raw, start, report)
                fields = None
            if fields is None:
                start = base + index + 1
                if tag not in KNOWN_TAGS:
                    raise ImportFormatError(
                        f"a MEDLINE record cannot start with {tag} (not a MEDLINE tag)", start
                    )
                if tag != "PMID":
                    report.warn(start, f"MEDLINE record starts with {tag}, not PMID")
                fields = {}
                raw = []
            raw.append(line)
            values = fields.get(tag)
            if values is None:
                fields[tag] = last = [value]
            else:
                values.append(value)
                last = values
        base += len(block)

    if pieces and last is not None:
        last[-1] = " ".join([last[-1], *pieces]) if last[-1] else " ".join(pieces)
    if fields is not None:
        records += 1
        yield _build(fields, raw, start, report)
    elif records == 0:
        raise ImportFormatError("no MEDLINE records found (no line starts with 'PMID- ')", 1)


def _first(fields: dict[str, list[str]], *tags: str) -> str:
    for tag in tags:
        for value in fields.get(tag, ()):
            if value:
                return value
    return ""


def _build(fields: dict[str, list[str]], raw: list[str], start: int, report: ParseReport) -> dict:
    record = new_record(start)
    record["raw"] = "\n".join(raw)
    pmid = _first(fields, "PMID")
    record["pmid"] = pmid
    record["source_key"] = pmid
    record["title"] = _first(fields, "TI", "BTI")
    record["title_alt"] = _first(fields, "TT")
    record["abstract"] = _first(fields, "AB")
    authors = [a for a in fields.get("FAU") or fields.get("AU") or () if a]
    authors += [c for c in fields.get("CN", ()) if c]
    alt: list[str] = []
    if any("(" in a for a in authors):
        split = [split_parallel_name(a) for a in authors]
        authors = [native for native, _ in split]
        alt = [roman for _, roman in split if roman]
    record["authors"] = authors
    record["authors_alt"] = alt
    dp = _first(fields, "DP")
    record["year"] = parse_year(dp)
    if dp and record["year"] is None:
        report.warn(start, f"year not understood: {dp!r}")
    record["journal"] = _first(fields, "JT", "TA")
    record["volume"] = _first(fields, "VI")
    record["issue"] = _first(fields, "IP")
    record["pages"] = expand_pages(_first(fields, "PG"))
    other_ids = record["other_ids"]
    for value in fields.get("LID", []) + fields.get("AID", []):
        if value.endswith("[doi]"):
            if not record["doi"]:
                record["doi"] = normalise_doi(value[:-5])
        elif value.endswith("[pii]"):
            other_ids.setdefault("pii", value[:-5].strip())
    pmc = _first(fields, "PMC")
    if pmc:
        other_ids["pmcid"] = pmc
    record["keywords"] = [k for k in fields.get("MH", []) + fields.get("OT", []) if k]
    record["language"] = _first(fields, "LA")
    record["publication_type"] = "; ".join(fields.get("PT", ()))
    return record
