"""The old-against-new harness of the parser equivalence tests (test_*_equivalence.py): a
parser kept as it was (the oracle) and today's must read every input alike."""

from __future__ import annotations

import io
from collections.abc import Callable

from screening.identification.importers import ImportFormatError, ParseReport, textio


def read(parse: Callable, data: bytes, allow_truncated: bool) -> tuple:
    """Everything a parse gives: records, warnings, where a cut record was dropped, the error."""
    report = ParseReport(allow_truncated=allow_truncated)
    head, stream = textio.read_head(io.BytesIO(data))
    report.encoding = textio.detect_encoding(head)
    lines = textio.line_blocks(textio.text_stream(stream, report.encoding))
    records: list[dict] = []
    error = None
    try:
        for record in parse(lines, report):
            records.append(record)
    except ImportFormatError as exc:
        error = (type(exc).__name__, exc.message, exc.line)
    return records, report.warnings, report.truncated_at, error


def assert_read_alike(before_parse: Callable, after_parse: Callable, data: bytes) -> None:
    for allow_truncated in (False, True):
        before = read(before_parse, data, allow_truncated)
        after = read(after_parse, data, allow_truncated)
        assert after[3] == before[3]  # the error, if any
        assert len(after[0]) == len(before[0])
        for then, now in zip(before[0], after[0], strict=True):
            if "raw_utf8" in now:  # a UTF-8 file's raw bytes, which the old parser did not give
                assert now.pop("raw_utf8") == now["raw"].encode()
            assert now == then
        assert after[1:] == before[1:]


def variants(text: str) -> list[bytes]:
    """The text as written, with CRLF, with a BOM, with blank lines doubled (one holding
    spaces), and cut off at a few places, some inside a line."""
    out = [text, text.replace("\n", "\r\n"), "\ufeff" + text, text.replace("\n\n", "\n\n \n\n")]
    for share in (0.25, 0.5, 0.9):
        cut = int(len(text) * share)
        out += [text[:cut], text[: text.rfind("\n", 0, cut) + 1]]
    out.append(text.rstrip("\n"))
    return [v.encode("utf-8") for v in out]
