"""What the person who sent a file reads says what is wrong in plain words: never a library's
class names, internal terms or tracebacks."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.identification.importers import FORMATS, ImportFormatError, iter_records

from .conftest import parse_bytes

INTERNALS = ("Error(", "Exception", "Traceback", "bibtexparser", "openpyxl", "zipfile",
             "expat", "`", "KeyError", "ValueError", "TypeError", "Forbidden(", "BadZipFile",
             "object at 0x")  # fmt: skip


def _message(data: bytes, **kwargs) -> str:
    with pytest.raises(ImportFormatError) as error:
        parse_bytes(data, **kwargs)
    return str(error.value)


def _plain(message: str, data: bytes = b"") -> None:
    """No internal term in `message`, apart from text the file itself holds (a column name
    quoted back to its sender)."""
    own = data.decode("latin-1")
    for internal in INTERNALS:
        assert internal not in message or internal in own, (internal, message)


@pytest.mark.parametrize(
    ("data", "kwargs", "says"),
    [
        (b"PK\x03\x04 not really a workbook", {}, "not a readable Excel workbook"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><xml><records><record>&a;'
         b"</record></records></xml>", {}, "declares entities"),
        (b"<xml><records><record><titles></record></records></xml>", {},
         "a closing tag does not match"),
        (b"<xml><records><record>", {}, "the file ends too early"),
        (b"@article{a, title={x}, title={y}}\n@article{b, title={z\n}\n", {},
         "could not be read"),
        (b"a,b\n1,2\n", {"fmt": "csv"}, "No column of this file was recognised as the title"),
    ],
)  # fmt: skip
def test_known_failures_read_plainly(data, kwargs, says):
    message = _message(data, **kwargs)
    assert says in message
    _plain(message)


def test_an_unexpected_failure_of_a_parser_is_reported_without_its_internals(monkeypatch):
    def broken(*args, **kwargs):
        yield from ()
        raise KeyError("internal_state")

    monkeypatch.setattr("screening.identification.importers.ris.parse_ris", broken)
    message = _message(b"TY  - JOUR\nTI  - A\nER  - \n")
    assert message.startswith("the file could not be read as RIS")
    _plain(message)
    assert "internal_state" not in message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=1500), fmt=st.sampled_from(["auto", *FORMATS]))
def test_whatever_the_bytes_the_message_is_plain(data, fmt):
    try:
        for _ in iter_records(io.BytesIO(data), fmt=fmt):
            pass
    except ImportFormatError as error:
        _plain(str(error), data)
