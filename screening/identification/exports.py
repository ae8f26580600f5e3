"""Records out: CSV, RIS, BibTeX, CSL-JSON and EndNote XML, streamed row by row (a review may
hold 200,000 records). Every format we also read imports back with the same records and fields
(tests/screening/identification/test_round_trip.py): what a format has no place for is said
next to its writer.

    for chunk in export_records(review.records.all(), "csv"):
        out.write(chunk)

CSV cells that a spreadsheet would run as a formula (starting with = + - @, or a tab/CR that
hides one) get a leading apostrophe: titles and author names come from outside. RIS and BibTeX
values go through reviewapp.textexport (one line, so no value starts a tag or closes a field).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from reviewapp import textexport
from reviewapp.downloads import counted
from reviewapp.models import Review, Stage
from reviewapp.spreadsheet import safe_cell
from screening.identification.exports_structured import (
    export_csl_json,
    export_endnote_xml,
    keyword_list,
)
from screening.models import Outcome, Record

FORMATS = {
    "csv": "CSV",
    "ris": "RIS",
    "bibtex": "BibTeX",
    "csl-json": "CSL-JSON",
    "endnote-xml": "EndNote XML",
}
SETS = {
    "all": gettext_lazy("All imported records"),
    "unique": gettext_lazy("Unique records (after de-duplication)"),
    "included": gettext_lazy("Included at title/abstract or later"),
}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "bibtex": "application/x-bibtex; charset=utf-8",
    "csl-json": "application/vnd.citationstyles.csl+json; charset=utf-8",
    "endnote-xml": "application/xml; charset=utf-8",
}
EXTENSIONS = {"csv": "csv", "ris": "ris", "bibtex": "bib", "csl-json": "json", "endnote-xml": "xml"}
CSV_COLUMNS = [
    "id", "source", "source_key", "cluster_id", "title", "authors", "year", "journal", "volume",
    "issue", "pages", "doi", "pmid", "language", "phase", "title_alt", "abstract", "keywords",
    "publication_type", "url",
]  # fmt: skip
_VALUES = [
    "id", "source_key", "title", "title_alt", "abstract", "authors", "authors_alt", "year",
    "journal", "volume", "issue", "pages", "doi", "pmid", "other_ids", "language", "keywords",
    "publication_type", "url",
]  # fmt: skip
CHUNK = 2000
# Told how many rows were written so far (a background export's progress).
Progress = Callable[[int], None] | None


def record_set(review: Review, name: str) -> QuerySet[Record]:
    """The records of one export set: all, unique (canonical) or included."""
    records = review.records.all()
    if name == "unique":
        return records.canonical()
    if name == "included":
        # Included at title/abstract: a record included at full text passed title/abstract too.
        return records.filter(
            statuses__stage=Stage.TITLE_ABSTRACT, statuses__outcome=Outcome.INCLUDED
        )
    if name != "all":
        raise ValueError(f"Unknown set {name!r}; choose one of {', '.join(SETS)}")
    return records


def _rows(records: QuerySet[Record], progress: Progress = None) -> Iterator[dict]:
    rows = (
        records.order_by("id")
        .annotate(
            source=F("search__source"),
            phase=F("search__phase"),
            cluster_id_=Coalesce(F("cluster__canonical_id"), F("id")),
        )
        .values(*_VALUES, "source", "phase", "cluster_id_")
        .iterator(chunk_size=CHUNK)
    )
    return counted(rows, progress) if progress is not None else rows


neutralise = safe_cell  # the name this module's callers use


def export_csv(records: QuerySet[Record], progress: Progress = None) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for n, row in enumerate(_rows(records, progress), 1):
        row["cluster_id"] = row.pop("cluster_id_")
        row["authors"] = "; ".join(row["authors"] or [])
        row["keywords"] = "; ".join(row["keywords"] or [])
        writer.writerow([neutralise(row[c]) for c in CSV_COLUMNS])
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


_RIS_TYPES = {"journal article": "JOUR", "article": "JOUR", "conference": "CONF", "book": "BOOK"}


def _ris_type(publication_type: str) -> str:
    value = (publication_type or "").strip()
    if re.fullmatch(r"[A-Z]{2,6}", value):
        return value
    return _RIS_TYPES.get(value.lower(), "JOUR")


_one_line = textexport.ris  # every RIS value: one line, so none starts a tag of its own


def export_ris(records: QuerySet[Record], progress: Progress = None) -> Iterator[str]:
    out: list[str] = []
    for n, row in enumerate(_rows(records, progress), 1):
        lines = [f"TY  - {_ris_type(row['publication_type'])}"]
        lines += [f"AU  - {_one_line(a)}" for a in row["authors"] or []]
        lines += [f"TA  - {_one_line(a)}" for a in row["authors_alt"] or []]
        for tag, key in (
            ("TI", "title"),
            ("TT", "title_alt"),
            ("T2", "journal"),
            ("AB", "abstract"),
        ):
            if row[key]:
                lines.append(f"{tag}  - {_one_line(row[key])}")
        if row["year"]:
            lines.append(f"PY  - {_one_line(row['year'])}")
        for tag, key in (("VL", "volume"), ("IS", "issue"), ("DO", "doi"), ("LA", "language"),
                         ("UR", "url")):  # fmt: skip
            if row[key]:
                lines.append(f"{tag}  - {_one_line(row[key])}")
        if row["pages"]:
            start, _, end = row["pages"].partition("-")
            lines.append(f"SP  - {_one_line(start)}")
            if end.strip():
                lines.append(f"EP  - {_one_line(end)}")
        lines += [f"KW  - {_one_line(k)}" for k in row["keywords"] or []]
        issn = (row["other_ids"] or {}).get("issn")
        if issn:
            lines.append(f"SN  - {_one_line(issn)}")
        lines.append(f"ID  - {row['id']}")
        if row["pmid"]:
            # AN is the PMID, so DB names the database it belongs to; the search's source
            # becomes the provider.
            lines += [
                f"AN  - {_one_line(row['pmid'])}",
                "DB  - PubMed",
                f"DP  - {_one_line(row['source'])}",
            ]
        else:
            lines.append(f"DB  - {_one_line(row['source'])}")
        lines.append("ER  - ")
        out.append("\n".join(lines) + "\n\n")
        if n % 500 == 0:
            yield "".join(out)
            out = []
    yield "".join(out)


_bib = textexport.bibtex  # every BibTeX value: one line, TeX specials escaped


def _verbatim(text: object) -> str:
    """Identifiers and links as they are (readers take these fields verbatim, as Zotero writes
    them); only braces that do not pair up are dropped, so the entry stays well formed."""
    value = _one_line(str(text or ""))
    depth = 0
    for char in value:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            break
    return value if depth == 0 else value.replace("{", "").replace("}", "")


def _bib_key(row: dict) -> str:
    first = (row["authors"] or ["anon"])[0].split(",")[0]
    stem = re.sub(r"[^A-Za-z]", "", first)[:20] or "record"
    return f"{stem}{row['year'] or ''}_{row['id']}"


_BIBTEX_TYPES = frozenset(
    [
        "article",
        "book",
        "booklet",
        "inbook",
        "incollection",
        "inproceedings",
        "conference",
        "manual",
        "mastersthesis",
        "misc",
        "phdthesis",
        "proceedings",
        "techreport",
        "unpublished",
        "online",
        "report",
        "thesis",
    ]
)


def _bib_names(names: list[str] | None) -> str:
    # A name that itself holds ' and ' ('Department of Health and Social Care') is braced, so
    # it is not split into two people.
    return " and ".join(
        f"{{{_bib(n)}}}" if " and " in f" {n} ".lower() else _bib(n) for n in names or []
    )


def _bib_kind(publication_type: str) -> str:
    kind = (publication_type or "").strip().lower()
    if kind in _BIBTEX_TYPES:
        return kind
    return "article" if _ris_type(publication_type) == "JOUR" else "misc"


def export_bibtex(records: QuerySet[Record], progress: Progress = None) -> Iterator[str]:
    out: list[str] = []
    for n, row in enumerate(_rows(records, progress), 1):
        kind = _bib_kind(row["publication_type"])
        ids = row["other_ids"] or {}
        fields = [
            ("author", _bib_names(row["authors"])),
            ("translatedauthor", _bib_names(row["authors_alt"])),
            ("title", _bib(row["title"])),
            ("translatedtitle", _bib(row["title_alt"])),
            ("journal", _bib(row["journal"])),
            ("year", _bib(row["year"] or "")),
            ("volume", _bib(row["volume"])),
            ("number", _bib(row["issue"])),
            # Written as stored: BibTeX styles turn '-' into an en dash themselves.
            ("pages", _bib(row["pages"])),
            ("doi", _verbatim(row["doi"])),
            ("pmid", _verbatim(row["pmid"])),
            ("language", _bib(row["language"])),
            ("abstract", _bib(row["abstract"])),
            ("keywords", _bib(keyword_list(row["keywords"]))),
            ("url", _verbatim(row["url"])),
            ("issn", _verbatim(ids.get("issn", ""))),
            ("isbn", _verbatim(ids.get("isbn", ""))),
            ("pmcid", _verbatim(ids.get("pmcid", ""))),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        out.append(f"@{kind}{{{_bib_key(row)},\n{body}\n}}\n\n")
        if n % 500 == 0:
            yield "".join(out)
            out = []
    yield "".join(out)


def export_records(records: QuerySet[Record], fmt: str, progress: Progress = None) -> Iterator[str]:
    if fmt == "csv":
        return export_csv(records, progress)
    if fmt == "ris":
        return export_ris(records, progress)
    if fmt == "bibtex":
        return export_bibtex(records, progress)
    if fmt == "csl-json":
        return export_csl_json(_rows(records, progress))
    if fmt == "endnote-xml":
        return export_endnote_xml(_rows(records, progress))
    raise ValueError(f"Unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
