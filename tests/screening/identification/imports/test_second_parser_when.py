"""A second parser is forked only where the parse is the import's long part: where the format's
reader is not compiled (with it, the server's work on the rows takes longer than the parse,
and the fork's cost is not won back), unless the operator says always or never."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from screening.identification import pgcopy, second_parser
from screening.identification.importers import ParseReport, medline, ris
from tests.screening.identification.importers.conftest import needs_compiled
from tests.screening.identification.importers.test_medline_equivalence import PUBMED
from tests.screening.identification.importers.test_ris_equivalence import SCOPUS

FILES = {"medline": ("x.nbib", PUBMED, medline), "ris": ("x.ris", SCOPUS, ris)}


@pytest.fixture
def forked(monkeypatch, tmp_path):
    """Whether a large file of the format is parsed by a second process as well."""
    monkeypatch.setattr(second_parser, "MIN_BYTES", 0)
    monkeypatch.setattr(second_parser, "SEGMENT_BYTES", (2000, 2000))

    def forked(fmt: str) -> bool:
        name, text, _ = FILES[fmt]
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


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_one_process_where_the_reader_is_compiled(forked, fmt):
    needs_compiled(FILES[fmt][2].compiled(), f"the compiled {fmt} reader")
    assert not forked(fmt)


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_two_where_it_is_not(forked, fmt, monkeypatch):
    monkeypatch.setattr(FILES[fmt][2], "_native_fields", None)
    assert forked(fmt)


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_the_operator_says_always_or_never(forked, fmt, settings, monkeypatch):
    settings.IMPORT_SECOND_PARSER = "always"
    assert forked(fmt)
    settings.IMPORT_SECOND_PARSER = "never"
    monkeypatch.setattr(FILES[fmt][2], "_native_fields", None)
    assert not forked(fmt)


def test_another_word_is_refused_at_start_up():
    run = subprocess.run(
        [sys.executable, "-c", "import reviewapp.settings"],
        env={**os.environ, "IMPORT_SECOND_PARSER": "sometimes"},
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[4],
    )
    assert run.returncode != 0
    assert "IMPORT_SECOND_PARSER must be auto, always or never, not 'sometimes'" in run.stderr
