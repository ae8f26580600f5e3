"""Helpers for the importer tests: no database, real exports from ../shared/data."""

from __future__ import annotations

import functools
import io
import os
from pathlib import Path

import pytest

from screening.identification.importers import ParseReport, iter_records

DATA = Path(__file__).resolve().parents[4] / ".." / "shared" / "data"


def needs_compiled(built: bool, what: str) -> None:
    """Skip a test of a C part (README, "Native parts") that the install did not build, as an
    install without a C compiler leaves it; under CI, whose install has one, fail instead."""
    if built:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI installs with a C compiler: {what} must be built")
    pytest.skip(f"{what} was not built (no C compiler at install)")


def data_file(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        pytest.skip(f"../shared/data not present: {relative}")
    return path


def parse_file(relative: str, **kwargs) -> tuple[list[dict], ParseReport]:
    """Parsed once per test session: the machine is shared, and the tests only read."""
    data_file(relative)
    return _parse_file(relative, tuple(sorted(kwargs.items())))


@functools.cache
def _parse_file(relative: str, kwargs: tuple) -> tuple[list[dict], ParseReport]:
    path = DATA / relative
    report = ParseReport()
    with path.open("rb") as stream:
        records = list(iter_records(stream, filename=path.name, report=report, **dict(kwargs)))
    return records, report


def parse_bytes(data: bytes, **kwargs) -> tuple[list[dict], ParseReport]:
    report = ParseReport()
    records = list(iter_records(io.BytesIO(data), report=report, **kwargs))
    return records, report


RECORD_KEYS = {
    "title", "title_alt", "abstract", "authors", "authors_alt", "year", "journal", "volume",
    "issue", "pages", "doi", "pmid", "other_ids", "keywords", "language", "publication_type",
    "url", "source_key", "raw", "line",
}  # fmt: skip
