"""A UTF-8 file read as bytes (cut at line ends, then decoded record by record) gives exactly the
text the decoding stream gives, whatever the block size, line ends, BOM or stray bytes."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.identification.importers import ParseReport, iter_records, textio

from . import test_medline_equivalence as medline
from . import test_ris_equivalence as ris


def _blocks(data: bytes, encoding: str = "utf-8") -> textio.LineBlocks:
    return textio.line_blocks(textio.text_stream(io.BytesIO(data), encoding))


PIECES = st.sampled_from(
    [
        "TY  - JOUR",
        "AB  - Ökologie – 生態",
        "\n",
        "\r\n",
        "\r",
        " ",
        "é",
        "\u3000",
        "x" * 9,
        "\ufeff",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.lists(PIECES, max_size=40).map("".join),
    block=st.integers(1, 9),
    bom=st.booleans(),
    stray=st.booleans(),
)
def test_utf8_chunks_are_the_streams_text(text, block, bom, stray):
    data = text.encode()
    if stray:
        data = data[: len(data) // 2] + b"\xff\xe4" + data[len(data) // 2 :]
    if bom:
        data = b"\xef\xbb\xbf" + data
    encoding = "utf-8-sig" if bom else "utf-8"
    expected = "".join(textio.text_chunks(textio.text_stream(io.BytesIO(data), encoding)))
    old = textio.BLOCK_BYTES
    textio.BLOCK_BYTES = block
    try:
        chunks = list(_blocks(data, encoding).utf8_chunks())
    finally:
        textio.BLOCK_BYTES = old
    assert textio.decode_utf8(b"".join(chunks)) == expected
    assert all(chunk.endswith(b"\n") for chunk in chunks[:-1])
    assert not any(b"\r" in chunk for chunk in chunks)


def test_other_encodings_have_no_utf8_chunks():
    assert _blocks("TY  - JOUR\n".encode("utf-16"), "utf-16").utf8_chunks() is None
    assert _blocks(b"TY  - JOUR\n", "cp1252").utf8_chunks() is None
    assert _blocks(b"TY  - JOUR\n", "utf-8").utf8_chunks() is not None


TINY = [("ris", name) for name in sorted(ris.TRICKY)]
TINY += [("medline", name) for name in sorted(medline.TRICKY)]


@pytest.mark.parametrize(("fmt", "name"), TINY)
def test_files_read_in_tiny_blocks_read_as_before(fmt, name, monkeypatch):
    # Records, CRLF pairs and multi-byte characters cut across blocks of a few bytes (MEDLINE
    # reads text: its blocks of a few characters).
    monkeypatch.setattr(textio, "BLOCK_BYTES", 7)
    monkeypatch.setattr(textio, "BLOCK_CHARS", 5)
    tests = ris if fmt == "ris" else medline
    text = tests.TRICKY[name]
    for data in (
        text.encode(),
        text.replace("\n", "\r\n").encode(),
        b"\xef\xbb\xbf" + text.encode(),
    ):
        tests.assert_read_alike(data)


def test_a_record_with_bytes_read_as_windows_1252_keeps_no_utf8_bytes():
    # Past the first 64 KB, which detection reads (there the file is UTF-8).
    good = "".join(f"TY  - JOUR\nTI  - café {i}\nER  - \n\n" for i in range(3000)).encode()
    data = good + b"TY  - JOUR\nTI  - caf\xe9\nER  - \n\nTY  - JOUR\nTI  - caf\xc3\xa9\nER  - \n"
    report = ParseReport()
    records = list(iter_records(io.BytesIO(data), filename="export", report=report))
    assert report.encoding == "utf-8"
    assert [r["title"] for r in records[-2:]] == ["café", "café"]
    assert "raw_utf8" not in records[-2]  # its raw text is not these bytes
    assert records[-1]["raw_utf8"] == records[-1]["raw"].encode()
    assert all(r["raw_utf8"] == r["raw"].encode() for r in records[:-2])


class _ReadOnly:
    """A stream with read() alone (a socket file, some storage backends)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)

    def seekable(self) -> bool:
        return False


class _NoReadinto(_ReadOnly):
    def readinto(self, buffer) -> int:
        raise io.UnsupportedOperation("readinto")


@pytest.mark.parametrize("stream", [io.BytesIO, _ReadOnly, _NoReadinto])
def test_any_readable_stream_gives_the_same_records(stream):
    data = "".join(f"TY  - JOUR\r\nTI  - Tête {i} 生態\r\nER  - \r\n" for i in range(500)).encode()
    records = list(iter_records(stream(data), filename="x.ris", report=ParseReport()))
    assert [r["title"] for r in records] == [f"Tête {i} 生態" for i in range(500)]


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_line_too_long_is_refused_both_ways(encoding, monkeypatch):
    from screening.identification.importers import ImportFormatError

    monkeypatch.setattr(textio, "MAX_LINE_CHARS", 50)
    monkeypatch.setattr(textio, "BLOCK_BYTES", 16)
    monkeypatch.setattr(textio, "BLOCK_CHARS", 16)
    data = ("TY  - JOUR\nTI  - " + "é" * 200 + "\nER  - \n").encode(encoding)
    blocks = _blocks(data, encoding)
    chunks = blocks.utf8_chunks() if encoding == "utf-8" else blocks.chunks()
    with pytest.raises(ImportFormatError, match="longer than 64 MB"):
        list(chunks)
