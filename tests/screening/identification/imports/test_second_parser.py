"""A large RIS or MEDLINE import parsed by two processes gives what one process gives: the same
records in the same order, the same warnings (those given once per file once), the same error
at the same line, the same judgement of a cut-off last record.

The files here are small and cut into segments of a few hundred bytes, so segment edges fall
everywhere: the tricky files of the parser equivalence tests repeated, generated files, and
the real exports. Each goes through the import's own producer (`pgcopy._Producer`) with the
second parser, rows encoded as JSON so the test reads them back, and through iter_records alone.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.identification import pgcopy, second_parser
from screening.identification.importers import ImportFormatError, ParseReport, iter_records
from screening.identification.importers.base import MAX_WARNINGS
from tests.screening.identification.importers.conftest import data_file
from tests.screening.identification.importers.equivalence import variants
from tests.screening.identification.importers.test_medline_equivalence import PUBMED, medline_text
from tests.screening.identification.importers.test_medline_equivalence import (
    TRICKY as TRICKY_MEDLINE,
)
from tests.screening.identification.importers.test_ris import REAL_RIS
from tests.screening.identification.importers.test_ris_equivalence import SCOPUS, ris_text
from tests.screening.identification.importers.test_ris_equivalence import TRICKY as TRICKY_RIS

pytestmark = pytest.mark.skipif(
    not hasattr(__import__("os"), "fork"), reason="the second parser is a forked process"
)


def _encode(item: dict) -> bytes:
    item = {k: v for k, v in item.items() if k != "raw_utf8"}
    return (json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _outcome(items, report: ParseReport, error) -> dict:
    return {
        "records": items,
        "warnings": report.warnings,
        "dropped": report.warnings_dropped,
        "seen": report.records_seen,
        "truncated_at": report.truncated_at,
        "error": error,
    }


def one_process(path, **options) -> dict:
    report = ParseReport()
    items, error = [], None
    try:
        with open(path, "rb") as fh:
            for item in iter_records(fh, report=report, filename=path.name, **options):
                items.append(json.loads(_encode(item)))
    except ImportFormatError as exc:
        error = (type(exc).__name__, exc.message, exc.line)
    return _outcome(items, report, error)


def two_processes(path, **options) -> dict:
    report = ParseReport()
    items, error = [], None
    with open(path, "rb") as fh:
        second = second_parser.SecondParser.start(
            fh,
            report,
            "auto",
            None,
            lambda: pgcopy.Pieces(_encode, 7),
            filename=path.name,
            **options,
        )
        assert second is not None, "the file was not cut"
        try:
            cut.append(0)
            records = iter_records(second.stream, report=report, filename=path.name,
                                   file_head=second.file_head, **options)  # fmt: skip
            with pgcopy._Producer(records, _encode, fh, 7, second) as producer:
                while (piece := producer.next_piece()) is not None:
                    data, rows, _ = piece
                    lines = data.decode().split("\n")[:-1]
                    assert len(lines) == rows
                    items += [json.loads(line) for line in lines]
        except ImportFormatError as exc:
            error = (type(exc).__name__, exc.message, exc.line)
        finally:
            cut[-1] = len(second._ordinal)  # the child's segments
            second.close()
    return _outcome(items, report, error)


cut: list[int] = []  # how many segments the child parsed, by call


@pytest.fixture
def small_segments(monkeypatch, settings):
    settings.IMPORT_SECOND_PARSER = "always"  # whatever the install compiled

    def cut(size: int) -> None:
        monkeypatch.setattr(second_parser, "MIN_BYTES", 0)
        monkeypatch.setattr(second_parser, "SEGMENT_BYTES", (size, size))
        monkeypatch.setattr(pgcopy, "COPY_PIECE_BYTES", 900)  # several pieces a segment

    cut(300)
    return cut


def assert_alike(tmp_path, data: bytes, name: str = "x.ris", expect_cut=True, **options):
    path = tmp_path / name
    path.write_bytes(data)
    for allow_truncated in (False, True):
        alone = one_process(path, allow_truncated=allow_truncated, **options)
        split = two_processes(path, allow_truncated=allow_truncated, **options)
        assert cut[-1] > 0 or not expect_cut, "the child parsed no segment"
        assert split["error"] == alone["error"]
        if alone["error"] is None:  # (after an error the import rolls back what it read)
            assert split == alone


def repeated(text: str, times: int, marker: str) -> str:
    """`text` `times` times, its `marker` numbered so each copy is its own record."""
    return "".join(text.replace(marker, f"{marker}{i}") for i in range(times))


@pytest.mark.parametrize("name", sorted(TRICKY_RIS))
def test_tricky_ris_files_read_alike(tmp_path, small_segments, name):
    text = repeated(SCOPUS, 6, "ID  - 1") + TRICKY_RIS[name] + repeated(SCOPUS, 6, "ID  - 1")
    for data in variants(text):
        assert_alike(tmp_path, data)


@pytest.mark.parametrize("name", sorted(TRICKY_MEDLINE))
def test_tricky_medline_files_read_alike(tmp_path, small_segments, name):
    text = repeated(PUBMED, 5, "PMID- 3") + TRICKY_MEDLINE[name] + repeated(PUBMED, 5, "PMID- 3")
    for data in variants(text):
        assert_alike(tmp_path, data, name="x.nbib")


# Generated stretches between ordinary records: (the record, its numbered marker, what ends a
# stretch, the file's name).
FORMATS = {
    "ris": (ris_text(), SCOPUS, "ID  - 1", "\n", "x.ris"),
    "medline": (medline_text(), PUBMED, "PMID- 3", "\n\n", "x.nbib"),
}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data(), size=st.integers(40, 1500), crlf=st.booleans())
def test_generated_files_read_alike(tmp_path, small_segments, fmt, data, size, crlf):
    stretch, record, marker, end, name = FORMATS[fmt]
    pieces = data.draw(st.lists(stretch, min_size=1, max_size=4))
    small_segments(size)
    text = "".join(repeated(record, 3, marker) + piece + end for piece in pieces)
    text += repeated(record, 3, marker)
    # (with a large segment the file may end in the second one, which this process reads)
    assert_alike(tmp_path, (text.replace("\n", "\r\n") if crlf else text).encode(),
                 name=name, expect_cut=False)  # fmt: skip


@pytest.mark.parametrize("relative", [r for r, _ in REAL_RIS] + [
    "revtools/restoration_pubmed.nbib", "metaknowledge/medline_test.medline"])  # fmt: skip
def test_real_exports_read_alike(tmp_path, small_segments, relative):
    data = data_file(relative).read_bytes()
    small_segments(max(len(data) // 40, 200))
    # (litstudy's file puts a lone "\r" before each TY: no place to cut, one process reads it)
    assert_alike(tmp_path, data, name=relative.rsplit("/", 1)[-1], expect_cut=False)


def test_warnings_past_the_limit_are_counted_as_one_process_counts_them(tmp_path, small_segments):
    # Every record has a year that is not one and an unknown tag: more than MAX_WARNINGS.
    record = SCOPUS.replace("PY  - 2019", "PY  - sometime\nZZ  - x")
    small_segments(5000)
    assert_alike(tmp_path, repeated(record, MAX_WARNINGS + 300, "ID  - 1").encode())


def test_bytes_read_as_windows_1252_are_warned_of_once(tmp_path, small_segments):
    # A UTF-8 file (past its first 64 KB, which decide the encoding) with curly quotes saved by
    # Windows in records of several segments.
    records = [SCOPUS.replace("ID  - 1", f"ID  - {i}") for i in range(200)]
    for i in range(6):
        records[i] = records[i].replace("Wu, D.", "王小明(Wang, Xiao-Ming)")
    for i in (150, 170, 190):
        records[i] = records[i].replace("Loess Plateau", "@Loess@ Plateau")
    data = "".join(records).encode().replace(b"@", b"\x93")
    small_segments(3000)
    assert_alike(tmp_path, data)
    alone = one_process(tmp_path / "x.ris")
    fallback = [w for w in alone["warnings"] if "Windows-1252" in w[1]]
    assert [line for line, _ in fallback] == [records[0].count("\n") * 150 + 1]


def test_the_first_error_in_the_file_is_the_one_raised(tmp_path, small_segments):
    records = [SCOPUS.replace("ID  - 1", f"ID  - {i}") for i in range(40)]
    records[20] = "TI  - a record without TY\nER  - \n\n"  # in the middle
    records[33] = "ER  - \n\n"  # later: an ER with no record
    for size in (300, 700, 1500, 4000):
        small_segments(size)
        assert_alike(tmp_path, "".join(records).encode())
    error = one_process(tmp_path / "x.ris")["error"]
    assert error[2] == records[0].count("\n") * 20 + 1  # its first line


def test_medline_last_record_judged_by_every_record_before_it(tmp_path, small_segments):
    # Every record ends with SO; the last one lacks it: cut off, judged on all 30 before it.
    text = repeated(PUBMED, 31, "PMID- 3")
    text = text[: text.rstrip("\n").rfind("\nSO  - ") + 1]
    assert_alike(tmp_path, text.encode(), name="x.nbib")
    error = one_process(tmp_path / "x.nbib")["error"]
    assert error[0] == "TruncatedFileError" and "30" in error[1]


def test_medline_without_a_final_line_end_judged_by_every_record_before_it(
    tmp_path, small_segments
):
    # Every record ends with SO, the last one too, with no line end after it: read, with the
    # warning, the records before it judged in other processes.
    text = repeated(PUBMED, 31, "PMID- 3").rstrip("\n")
    assert_alike(tmp_path, text.encode(), name="x.nbib")
    alone = one_process(tmp_path / "x.nbib")
    assert alone["error"] is None and len(alone["records"]) == 31
    assert alone["warnings"] == [(text.count("\n") + 1, alone["warnings"][0][1])]
    assert "no line end after its last line" in alone["warnings"][0][1]
