"""Reader of ASReview projects and labelled datasets (pure: zip, SQLite and CSV, no Django).

A project file (``.asreview``) is a zip holding ``project.json`` and:
- project file version 1 (ASReview 1.x): ``data/<dataset_path>`` (the dataset as uploaded) and
  ``reviews/<id>/results.sql``, a SQLite table ``results(record_id, label, ..., labeling_time)``
  in the order the records were screened; ``record_id`` is the dataset's row (0-based) unless
  the dataset has a ``record_id`` column.
- version 2 (ASReview 2.x): ``data_store.db`` with the records (table ``record``: record_id,
  title, abstract, authors, year, doi, ...) and ``reviews/<id>/results.db``, table
  ``results(record_id, label, time, note, tags, user_id)``.
Labels are 1 (relevant) and 0 (irrelevant); NULL is a record shown but not yet labelled. A
labelled CSV (``title, abstract, label_included``) holds a team's final title/abstract labels.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from screening.identification.importers import ImportFormatError, iter_records
from screening.transfer.history import (
    EXCLUDE,
    INCLUDE,
    TA,
    Entry,
    Final,
    History,
    HistoryError,
    Vote,
)
from screening.transfer.readers import records_csv

LABEL_COLUMNS = ("label_included", "included", "label_included_final", "label")
MAX_MEMBER_BYTES = 512 * 1024 * 1024


def read_asreview(data: bytes, filename: str) -> History:
    if data.startswith(b"PK\x03\x04"):
        return _project(data, filename)
    return _labelled_csv(data, filename)


def _label(value: object, where: str) -> str | None:
    text = str(value).strip() if value is not None else ""
    if text in ("", "-1", "None", "nan"):
        return None
    if text in ("1", "1.0"):
        return INCLUDE
    if text in ("0", "0.0"):
        return EXCLUDE
    raise HistoryError(
        _("%(where)s: label %(text)s is not 0 or 1.") % {"where": where, "text": f"{text!r}"}
    )


def _labelled_csv(data: bytes, filename: str) -> History:
    try:
        header = next(csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"))))
        records = list(iter_records(io.BytesIO(data), filename=filename or "labels.csv"))
    except (StopIteration, csv.Error, ImportFormatError) as exc:
        raise HistoryError(
            _("%(filename)s is not an ASReview labelled CSV: %(exc)s")
            % {"filename": filename, "exc": exc}
        ) from exc
    keys = {h.strip().lower(): h for h in header}
    column = next((keys[c] for c in LABEL_COLUMNS if c in keys), None)
    if column is None:
        raise HistoryError(_("%(filename)s has no label_included column.") % {"filename": filename})
    entries = []
    for n, record in enumerate(records, 1):
        where = f"line {record['line']}"
        cells = dict(line.split(": ", 1) for line in record["raw"].split("\n") if ": " in line)
        entry = Entry(where=where, title=record["title"], order=n)
        value = _label(cells.get(column), where)
        if value is not None:
            entry.finals.append(Final(TA, value))
        entries.append(entry)
    if not entries:
        raise HistoryError(_("%(filename)s holds no records.") % {"filename": filename})
    return History("asreview", entries, data, filename)


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError as exc:
        raise HistoryError(_("The project file has no %(name)s.") % {"name": name}) from exc
    if info.file_size > MAX_MEMBER_BYTES:
        raise HistoryError(_("%(name)s in the project file is too large.") % {"name": name})
    return archive.read(info)


def _rows(db_bytes: bytes, query: str, what: str) -> list[sqlite3.Row]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "state.db")
        path.write_bytes(db_bytes)
        try:
            with contextlib.closing(sqlite3.connect(path)) as conn:
                conn.row_factory = sqlite3.Row
                return conn.execute(query).fetchall()
        except sqlite3.Error as exc:
            raise HistoryError(
                _("The project's %(what)s cannot be read: %(exc)s.") % {"what": what, "exc": exc}
            ) from exc


def _project(data: bytes, filename: str) -> History:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise HistoryError(
            _("%(filename)s is not an ASReview project file (a zip).") % {"filename": filename}
        ) from exc
    # The project may sit in a folder of its own inside the zip.
    prefix = next(
        (n[: -len("project.json")] for n in archive.namelist() if n.endswith("project.json")),
        None,
    )
    if prefix is None:
        raise HistoryError(
            _("%(filename)s has no project.json: it is not an ASReview project.")
            % {"filename": filename}
        )
    try:
        project = json.loads(_member(archive, prefix + "project.json"))
    except ValueError as exc:
        raise HistoryError(_("project.json is not JSON: %(exc)s.") % {"exc": exc}) from exc
    reviews = project.get("reviews") or []
    if not reviews:
        raise HistoryError(_("The project has no review: nothing was screened in it."))
    review_dir = f"{prefix}reviews/{reviews[0]['id']}/"
    if "dataset_path" in project:  # version 1
        return _v1(archive, prefix, project, review_dir, filename)
    return _v2(archive, prefix, review_dir, filename)


def _v1(archive, prefix: str, project: dict, review_dir: str, filename: str) -> History:
    name = project["dataset_path"]
    dataset = _member(archive, f"{prefix}data/{name}")
    try:
        records = list(iter_records(io.BytesIO(dataset), filename=name))
    except ImportFormatError as exc:
        raise HistoryError(
            _("The project's dataset %(name)s: %(exc)s") % {"name": name, "exc": exc}
        ) from exc
    by_id = {}
    for n, record in enumerate(records):
        key = record["source_key"] if record["source_key"].isdigit() else str(n)
        by_id[key] = n
    results = _rows(
        _member(archive, review_dir + "results.sql"),
        "SELECT record_id, label, notes AS note FROM results WHERE label IS NOT NULL ORDER BY rowid",
        "results",
    )
    entries = [
        Entry(where=f"record {i}", title=r["title"], order=len(records) + i)
        for i, r in enumerate(records)
    ]
    _apply_labels(entries, by_id, results, lambda row: "ASReview")
    return History("asreview", entries, dataset, name)


def _v2(archive, prefix: str, review_dir: str, filename: str) -> History:
    rows = _rows(
        _member(archive, prefix + "data_store.db"),
        "SELECT * FROM record ORDER BY record_id",
        "records",
    )
    records, by_id, entries = [], {}, []
    for n, row in enumerate(rows):
        keys = row.keys()
        authors = json.loads(row["authors"] or "[]") if "authors" in keys else []
        records.append(
            {
                "title": row["title"] or "",
                "abstract": row["abstract"] or "",
                "authors": "; ".join(authors) if isinstance(authors, list) else str(authors),
                "year": row["year"] if "year" in keys and row["year"] is not None else "",
                "doi": row["doi"] or "" if "doi" in keys else "",
            }
        )
        by_id[str(row["record_id"])] = n
        entries.append(
            Entry(where=f"record {row['record_id']}", title=row["title"] or "", order=len(rows) + n)
        )
    results = _rows(
        _member(archive, review_dir + "results.db"),
        "SELECT record_id, label, note, user_id FROM results WHERE label IS NOT NULL "
        "ORDER BY time, rowid",
        "results",
    )
    _apply_labels(
        entries,
        by_id,
        results,
        lambda row: f"ASReview user {row['user_id']}" if row["user_id"] is not None else "ASReview",
    )
    return History("asreview", entries, records_csv(records), "asreview-records.csv")


def _apply_labels(entries: list[Entry], by_id: dict, results, who) -> None:
    """Each labelled record gets its labeller's vote; order: the order screened."""
    for position, row in enumerate(results, 1):
        index = by_id.get(str(row["record_id"]))
        if index is None:
            raise HistoryError(
                _("A label names record %(record_id)s, not in the dataset.")
                % {"record_id": row["record_id"]}
            )
        entry = entries[index]
        value = _label(row["label"], entry.where)
        if value is None:
            continue
        entry.votes.append(Vote(reviewer=who(row), stage=TA, value=value, note=row["note"] or ""))
        entry.order = position
