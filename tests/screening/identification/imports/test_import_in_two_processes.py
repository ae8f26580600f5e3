"""An import whose file is cut between two processes stores what one process stores: every
record once, in file order, with the same warnings on the job; a bad record in either process's
part fails the import and stores nothing; when the second parser dies, this process reads the
whole file again and the import goes on.
(The parse itself is compared record by record in test_second_parser.)"""

from __future__ import annotations

import os
import subprocess
import threading

import pytest
from django.db import connection

from screening.identification import imports, second_parser
from screening.models import ImportJob, Record
from tests.factories import ReviewFactory, SearchFactory

from .conftest import ris

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the second parser feeds PostgreSQL's COPY"
    ),
]


@pytest.fixture
def search(db):
    return SearchFactory(review=ReviewFactory())


@pytest.fixture
def cut_small(monkeypatch, settings):
    settings.IMPORT_SECOND_PARSER = "always"  # whatever the install compiled
    monkeypatch.setattr(second_parser, "MIN_BYTES", 0)
    monkeypatch.setattr(second_parser, "SEGMENT_BYTES", (700, 700))


@pytest.fixture
def forks(monkeypatch):
    """The children the imports forked (the second parser is one)."""
    started = []
    fork = os.fork

    def counted():
        pid = fork()
        if pid:
            started.append(pid)
        return pid

    monkeypatch.setattr(second_parser.os, "fork", counted)
    return started


def _content() -> bytes:
    text = ris(120).decode()
    # Warnings in both processes' parts: a year that is not one, an unknown tag in many records.
    text = text.replace("PY  - 2007", "PY  - sometime").replace("ID  - R1", "ZZ  - x\nID  - R1")
    return text.encode()


def _rows(job: ImportJob) -> list[tuple]:
    return list(
        Record.objects.filter(import_job=job).order_by("id").values_list("line", "title", "raw")
    )


def test_the_split_import_stores_what_one_process_stores(search, cut_small, forks, monkeypatch):
    content = _content()
    split = imports.import_file_now(search, content, "split.ris")
    assert forks, "the import was not cut"
    monkeypatch.setattr(second_parser, "MIN_BYTES", 1 << 62)
    other = SearchFactory(review=ReviewFactory())  # (the same file twice in one review is refused)
    alone = imports.import_file_now(other, content, "alone.ris")
    assert len(forks) == 1  # the second import: one process
    assert (split.status, alone.status) == (ImportJob.Status.DONE, ImportJob.Status.DONE)
    assert split.records_imported == alone.records_imported == 120
    assert _rows(split) == _rows(alone)  # the same rows, in file order
    assert [r[0] for r in _rows(split)] == sorted(r[0] for r in _rows(split))
    assert split.warnings == alone.warnings
    assert sum("unknown RIS tag ZZ" in w[1] for w in split.warnings) == 1


@pytest.mark.parametrize("where", [0.3, 0.5, 0.8])
def test_a_bad_record_anywhere_fails_the_import_with_its_line(search, cut_small, where):
    records = ris(60).decode().split("\n\n")[:-1]
    at = int(len(records) * where)
    records[at] = "ER  - "  # an ER with no record
    content = ("\n\n".join(records) + "\n\n").encode()
    line = "\n\n".join(records[:at]).count("\n") + 3
    job = imports.import_file_now(search, content, "bad.ris")
    assert job.status == ImportJob.Status.FAILED
    assert f"Line {line}:" in job.error and "ER without a record" in job.error
    assert Record.objects.count() == 0


def test_a_second_parser_that_dies_leaves_the_import_to_one_process(search, cut_small, caplog):
    def dies(*args, **kwargs):
        os._exit(3)  # in the child: as if killed

    original = second_parser._Child.parse
    second_parser._Child.parse = dies
    try:
        job = imports.import_file_now(search, _content(), "x.ris")
    finally:
        second_parser._Child.parse = original
    assert (job.status, job.records_imported) == (ImportJob.Status.DONE, 120), job.error
    assert Record.objects.filter(import_job=job).count() == 120  # once each, not again
    assert sum("unknown RIS tag ZZ" in w[1] for w in job.warnings) == 1
    assert "the second parser failed" in caplog.text
    assert not [t for t in threading.enumerate() if t.name == "import-parser"]


def test_a_small_file_is_read_by_one_process(search, forks):
    job = imports.import_file_now(search, ris(30), "small.ris")
    assert job.status == ImportJob.Status.DONE and not forks


def test_the_spool_of_an_import_whose_process_is_gone_is_removed(search, cut_small, tmp_path,
                                                                 monkeypatch):  # fmt: skip
    monkeypatch.setattr(second_parser.tempfile, "tempdir", str(tmp_path))
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = tmp_path / f"import-segments-{gone.pid}-abc"
    stale.mkdir()
    (stale / "3.copy").write_bytes(b"rows")
    alive = tmp_path / f"import-segments-{os.getpid()}-def"
    alive.mkdir()
    job = imports.import_file_now(search, _content(), "x.ris")
    assert job.status == ImportJob.Status.DONE
    assert not stale.exists() and alive.exists()
    spools = [p.name for p in tmp_path.iterdir() if p.name.startswith("import-segments-")]
    assert spools == [alive.name]  # its own spool removed after it


def test_a_running_import_keeps_its_spool_from_another_imports_clean_up(search, cut_small,
                                                                          monkeypatch):  # fmt: skip
    seen = []
    rows_before = second_parser.SecondParser.rows_before

    def meanwhile(self, line):
        if not seen:  # another import starts now; this one's spool looks old
            os.utime(self._spool, (0, 0))
            second_parser._remove_stale_spools()
            seen.append(os.path.isdir(self._spool))
        return rows_before(self, line)

    monkeypatch.setattr(second_parser.SecondParser, "rows_before", meanwhile)
    job = imports.import_file_now(search, _content(), "x.ris")
    assert seen == [True]
    assert (job.status, job.records_imported) == (ImportJob.Status.DONE, 120), job.error
