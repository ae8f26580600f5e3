"""A second parser is forked only where the parse is the import's long part: for RIS, and for
MEDLINE where its compiled reader is missing (with it, the server's work on the rows takes
longer than the parse, and the fork's cost would not be won back)."""

from __future__ import annotations

import pytest

from screening.identification import pgcopy, second_parser
from screening.identification.importers import ParseReport, medline
from tests.screening.identification.importers.test_medline_equivalence import PUBMED
from tests.screening.identification.importers.test_ris_equivalence import SCOPUS


@pytest.fixture
def large(monkeypatch, tmp_path):
    monkeypatch.setattr(second_parser, "MIN_BYTES", 0)
    monkeypatch.setattr(second_parser, "SEGMENT_BYTES", (2000, 2000))

    def forked(name: str, text: str) -> bool:
        path = tmp_path / name
        path.write_text(text * 40, encoding="utf-8")
        with path.open("rb") as fh:
            second = second_parser.SecondParser.start(
                fh, ParseReport(), "auto", None, lambda: pgcopy.Pieces(bytes, 7),
                filename=name,
            )  # fmt: skip
            if second is None:
                return False
            second.close()
            return True

    return forked


def test_medline_is_parsed_by_one_process_where_its_reader_is_compiled(large):
    if not medline.compiled():
        pytest.skip("the compiled MEDLINE reader was not built (no C compiler at install)")
    assert not large("x.nbib", PUBMED)


def test_medline_is_parsed_by_two_where_its_reader_is_not(large, monkeypatch):
    monkeypatch.setattr(medline, "_native_fields", None)
    assert large("x.nbib", PUBMED)


def test_ris_is_parsed_by_two_either_way(large, monkeypatch):
    assert large("x.ris", SCOPUS)
    monkeypatch.setattr(medline, "_native_fields", None)
    assert large("x.ris", SCOPUS)
