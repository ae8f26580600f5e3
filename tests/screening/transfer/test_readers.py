"""Each tool's file, written the way the tool writes it, read into votes and outcomes."""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest

from screening.transfer import asreview, readers
from screening.transfer.history import HistoryError

RAYYAN_CSV = (
    b"key,title,authors,year,notes\n"
    b'r1,Nudges in canteens,Alder A,2019,"RAYYAN-INCLUSION: {""Ann""=>""Included"", '
    b'""Bo""=>""Excluded""} | RAYYAN-LABELS: school | RAYYAN-EXCLUSION-REASONS: wrong outcome"\n'
    b'r2,Pension defaults,Birch B,2020,"RAYYAN-INCLUSION: {""Ann""=>""Maybe""}"\n'
)


def test_rayyan_csv_notes_give_each_persons_vote_labels_and_reason():
    history = readers.read_rayyan(RAYYAN_CSV, "rayyan.csv")
    first, second = history.entries
    assert [(v.reviewer, v.value, v.reason) for v in first.votes] == [
        ("Ann", "include", ""),
        ("Bo", "exclude", "wrong outcome"),
    ]
    assert first.labels == ["school"]
    assert [(v.reviewer, v.value) for v in second.votes] == [("Ann", "maybe")]
    assert history.reviewers == ["Ann", "Bo"]


def test_rayyan_value_not_understood_names_the_line():
    bad = RAYYAN_CSV.replace(b'""Bo""=>""Excluded""', b'""Bo""=>""Perhaps""')
    with pytest.raises(HistoryError, match=r"line 2: Bo's decision 'Perhaps'"):
        readers.read_rayyan(bad, "rayyan.csv")


COVIDENCE = (
    b"Title,Authors,Abstract,Published Year,Journal,DOI,Covidence #,Study,Notes,Tags\n"
    b"Salience of prices,Cedar C,,2021,J Econ,10.1/x,#12,Cedar 2021,"
    b"Exclusion reason: Wrong setting,\n"
)


def test_covidence_excluded_list_is_an_included_screen_and_a_full_text_exclusion():
    history = readers.read_covidence(COVIDENCE, "review_4711_excluded_csv_20240320131744.csv")
    (entry,) = history.entries
    assert [(f.stage, f.value, f.reason) for f in entry.finals] == [
        ("ta", "include", ""),
        ("ft", "exclude", "Wrong setting"),
    ]


def test_covidence_file_whose_name_does_not_say_its_list_is_refused():
    with pytest.raises(HistoryError, match="Say which Covidence list"):
        readers.read_covidence(COVIDENCE, "export.csv")


def _sqlite(statements: list[str]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "db")
        conn = sqlite3.connect(path)
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        conn.close()
        return path.read_bytes()


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_asreview_v1_project_gives_labels_in_the_order_screened():
    dataset = b"title,abstract\nFirst paper,a\nSecond paper,b\nThird paper,c\n"
    results = _sqlite(
        [
            "CREATE TABLE results (record_id INTEGER, label INTEGER, classifier TEXT, "
            "query_strategy TEXT, training_set INTEGER, labeling_time TEXT, notes TEXT)",
            "INSERT INTO results VALUES (2, 1, NULL, 'prior', NULL, '2023-01-01', NULL)",
            "INSERT INTO results VALUES (0, 0, 'nb', 'max', 1, '2023-01-02', 'off topic')",
            "INSERT INTO results VALUES (1, NULL, 'nb', 'max', 2, NULL, NULL)",
        ]
    )
    project = {"version": "1.5", "dataset_path": "papers.csv", "reviews": [{"id": "abc"}]}
    data = _zip(
        {
            "project.json": json.dumps(project).encode(),
            "data/papers.csv": dataset,
            "reviews/abc/results.sql": results,
        }
    )
    history = asreview.read_asreview(data, "demo.asreview")
    votes = {e.title: [(v.value, v.note) for v in e.votes] for e in history.entries}
    assert votes == {
        "First paper": [("exclude", "off topic")],
        "Second paper": [],
        "Third paper": [("include", "")],
    }
    order = sorted(history.entries, key=lambda e: e.order)
    assert [e.title for e in order[:2]] == ["Third paper", "First paper"]
    assert history.import_bytes == dataset


def test_asreview_v2_project_reads_the_data_store_and_who_labelled():
    store = _sqlite(
        [
            "CREATE TABLE record (record_id INTEGER PRIMARY KEY, dataset_row INTEGER, "
            "dataset_id TEXT, title TEXT, abstract TEXT, authors JSON, year INTEGER, doi TEXT)",
            "INSERT INTO record VALUES (0, 0, 'd', 'Alpha', 'x', '[\"Ng A\"]', 2020, NULL)",
            "INSERT INTO record VALUES (1, 1, 'd', 'Beta', 'y', '[]', NULL, '10.1/b')",
        ]
    )
    results = _sqlite(
        [
            "CREATE TABLE results (record_id INTEGER UNIQUE, label INTEGER, classifier TEXT, "
            "querier TEXT, balancer TEXT, feature_extractor TEXT, training_set INTEGER, "
            "time FLOAT, note TEXT, tags JSON, user_id INTEGER)",
            "INSERT INTO results VALUES (1, 1, NULL, NULL, NULL, NULL, NULL, 5.0, NULL, '[]', 3)",
        ]
    )
    project = {
        "version": "2.0",
        "datasets": [{"id": "d", "name": "x.csv"}],
        "reviews": [{"id": "r"}],
    }
    data = _zip(
        {"p/project.json": json.dumps(project).encode(), "p/data_store.db": store,
         "p/reviews/r/results.db": results}
    )  # fmt: skip
    history = asreview.read_asreview(data, "p.asreview")
    assert [(e.title, [(v.reviewer, v.value) for v in e.votes]) for e in history.entries] == [
        ("Alpha", []),
        ("Beta", [("ASReview user 3", "include")]),
    ]
    assert b"Alpha" in history.import_bytes


def test_zip_without_project_json_is_refused_clearly():
    with pytest.raises(HistoryError, match=r"no project\.json"):
        asreview.read_asreview(_zip({"x.txt": b"hi"}), "x.asreview")


def test_shared_asreview_dataset_reads_with_labels_when_present():
    from tests.conftest import shared_data

    path = shared_data("asreview-demo-data", "embase.csv")
    try:
        history = asreview.read_asreview(path.read_bytes(), path.name)
    except HistoryError as exc:
        assert "label_included" in str(exc)  # a dataset without labels says so
    else:
        assert history.entries
