"""Every format we both read and write round-trips: a real export is imported, exported in the
format and imported again, and the records come back the same, field by field (issue #17).

What is compared: the bibliographic fields below. Not compared: `raw` and `line` (they describe
the file, which is a new one), `source_key` (our export names each record by its id), and
`publication_type` across formats (each format has its own vocabulary of types; within one
format it is compared). RIS, BibTeX and CSV write each value on one line, so line breaks
inside an abstract come back as spaces there; CSL-JSON and EndNote XML keep them.
"""

from __future__ import annotations

import pytest

from screening.identification.exports import export_records
from screening.identification.exports_structured import csl_type
from screening.identification.imports import create_search, import_file_now
from screening.models import Search
from tests.conftest import shared_data

pytestmark = pytest.mark.django_db

FIELDS = (
    "title", "title_alt", "abstract", "authors", "authors_alt", "year", "journal", "volume",
    "issue", "pages", "doi", "pmid", "keywords", "language", "url",
)  # fmt: skip
# The identifiers each writer has a place for (EndNote XML keeps one ISBN or ISSN).
ID_KEYS = {
    "ris": ("issn",),
    "bibtex": ("issn", "isbn", "pmcid"),
    "csl-json": ("issn", "isbn", "pmcid"),
    "endnote-xml": ("isbn|issn",),
    "csv": (),
}
ONE_LINE = {"ris", "bibtex", "csv"}
# Fields the CSV export has no column for (its columns are fixed by the export's contract).
NOT_IN_CSV = {"authors_alt"}
EXTENSIONS = {"ris": "ris", "bibtex": "bib", "csl-json": "json", "endnote-xml": "xml", "csv": "csv"}

REAL = {
    "ris": ["asysd/zotero_export.ris", "revtools/restoration_scopus.ris"],
    "bibtex": ["asysd/zotero_export.bib", "cnki-2-bibtex/CoverAllTest15Entries.bib"],
    "endnote-xml": ["asysd/zotero_export.xml", "bib-dedupe-benchmark/respiratory/Respiratory.xml"],
    "csv": ["litstudy/scopus.csv"],
    # No real CSL-JSON file is at hand: real records of other formats go out as CSL-JSON.
    "csl-json": ["asysd/zotero_export.ris", "cnki-2-bibtex/CoverAllTest15Entries.net"],
}
# Real files of the formats we only read, written out in each format we write.
CROSS = [
    "cnki-2-bibtex/CoverAllTest15Entries.net",
    "cnki-2-bibtex/ChineseColon.net",
    "colrev/ais_enl.txt",
]


def _import(review, data, name: str) -> Search:
    search = create_search(review, None, source=f"Round trip {name}")
    job = import_file_now(search, data, name)
    assert job.status == "done", job.error
    return search


def _records(search: Search) -> list[dict]:
    return list(
        search.records.order_by("line", "id").values(*FIELDS, "other_ids", "publication_type")
    )


def _export(search: Search, fmt: str) -> bytes:
    return "".join(export_records(search.records.all(), fmt)).encode("utf-8")


def _comparable(record: dict, fmt: str) -> dict:
    out = {name: record[name] for name in FIELDS if not (fmt == "csv" and name in NOT_IN_CSV)}
    if fmt in ONE_LINE:
        out["abstract"] = " ".join(out["abstract"].split())
        out["title"] = " ".join(out["title"].split())
    ids = record["other_ids"] or {}
    for key in ID_KEYS[fmt]:
        out[key] = next((ids[k] for k in key.split("|") if ids.get(k)), "")
    return out


def _round_trip(team, relative: str, fmt: str) -> tuple[list[dict], list[dict], Search]:
    path = shared_data(*relative.split("/"))
    first = _import(team.review, path, path.name)
    again = _import(team.review, _export(first, fmt), f"export.{EXTENSIONS[fmt]}")
    return _records(first), _records(again), again


@pytest.mark.parametrize(
    ("fmt", "relative"), [(fmt, path) for fmt, paths in REAL.items() for path in paths]
)
def test_a_real_file_exported_and_imported_again_gives_the_same_records(team, fmt, relative):
    before, after, _ = _round_trip(team, relative, fmt)
    assert len(after) == len(before) > 0
    for old, new in zip(before, after, strict=True):
        assert _comparable(new, fmt) == _comparable(old, fmt)
    same_format = relative.rsplit(".", 1)[-1] == EXTENSIONS[fmt]
    if same_format:
        assert [r["publication_type"] for r in after] == [r["publication_type"] for r in before]
    if fmt == "csl-json":
        assert [r["publication_type"] for r in after] == [
            csl_type(r["publication_type"], r["journal"]) for r in before
        ]


@pytest.mark.parametrize("fmt", ["csl-json", "endnote-xml"])
def test_a_second_round_changes_nothing_at_all(team, fmt):
    # After one round the types are the format's own: a second round is exact, types included.
    _, once, search = _round_trip(team, "asysd/zotero_export.ris", fmt)
    twice = _records(_import(team.review, _export(search, fmt), f"again.{EXTENSIONS[fmt]}"))
    assert twice == once


@pytest.mark.parametrize("fmt", ["ris", "bibtex", "csl-json", "endnote-xml"])
@pytest.mark.parametrize("relative", CROSS)
def test_records_of_formats_we_only_read_survive_each_export(team, relative, fmt):
    before, after, _ = _round_trip(team, relative, fmt)
    assert len(after) == len(before) > 0
    for old, new in zip(before, after, strict=True):
        assert _comparable(new, fmt) == _comparable(old, fmt)
    if "ChineseColon" in relative:  # a CJK title with its translation comes back
        assert after[0]["title_alt"].startswith("Chinese expert consensus")
