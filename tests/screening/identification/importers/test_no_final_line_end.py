"""A complete export with no line end after its last line (Wanfang's NoteExpress files, some
PubMed .nbib files) is read, with a warning, when its last record ends with the field that
ends all the others; a file stopping inside a line is still refused when its last record ends
any other way, or when too few records agree on how a record ends."""

from __future__ import annotations

import pytest

from screening.identification.importers import TruncatedFileError

from .conftest import parse_bytes

NO_LINE_END = (
    "the file has no line end after its last line: if its download was interrupted, the last "
    "field of this record may be cut off"
)


def _noteexpress(title: str) -> str:
    # As Wanfang writes them: every record ends with {Language}.
    return (
        "{Reference Type}: Journal Article\n"
        f"{{Title}}: {title}\n"
        "{Author}: 张三;李四\n"
        "{Year}: 2020\n"
        "{Language}: chi\n"
    )


def _medline(pmid: int, title: str) -> str:
    # As PubMed writes them: every record ends with SO, here wrapped on a continuation line.
    return (
        f"PMID- {pmid}\n"
        f"TI  - {title}\n"
        "FAU - Wu, Dan\n"
        "DP  - 2019\n"
        "SO  - J Invent. 2019 Jan;12(1):1-9. doi:\n"
        "      10.1000/invented.\n"
    )


NOTEEXPRESS = "\n".join(_noteexpress(t) for t in ("第一题", "第二题", "第三题"))
MEDLINE = "\n".join(_medline(n, t) for n, t in ((1, "One"), (2, "Two"), (3, "Three")))
REFER = "\n".join(
    f"%0 Journal Article\n%T {t}\n%A Li, Si\n%D 2001\n%W CNKI\n" for t in ("A", "B", "C")
)
REFWORKS = "\n".join(f"RT Journal Article\nA1 Li, Si\nT1 {t}\nYR 2001\nDS CNKI\n" for t in "ABC")


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        (NOTEEXPRESS, ["第一题", "第二题", "第三题"]),
        (MEDLINE, ["One", "Two", "Three"]),
        (REFER, ["A", "B", "C"]),
        (REFWORKS, ["A", "B", "C"]),
    ],
    ids=["noteexpress", "medline", "refer", "refworks"],
)
def test_a_last_record_ending_like_the_others_is_read_with_a_warning_on_the_last_line(text, titles):
    data = text.rstrip("\n").encode()
    records, report = parse_bytes(data)
    assert [r["title"] for r in records] == titles
    assert report.truncated_at is None
    assert report.warnings == [(text.rstrip("\n").count("\n") + 1, NO_LINE_END)]


def test_the_last_field_is_kept_whole_as_far_as_the_file_goes():
    records, _ = parse_bytes(NOTEEXPRESS.rstrip("\n").encode())
    assert records[-1]["language"] == "chi"
    records, _ = parse_bytes(MEDLINE.rstrip("\n").encode())
    assert records[-1]["raw"].endswith("      10.1000/invented.")


def test_with_crlf_line_ends_too():
    data = NOTEEXPRESS.rstrip("\n").replace("\n", "\r\n").encode()
    records, report = parse_bytes(data)
    assert len(records) == 3 and report.warnings[0][1] == NO_LINE_END


@pytest.mark.parametrize("text", [NOTEEXPRESS, MEDLINE], ids=["noteexpress", "medline"])
def test_a_last_record_stopping_inside_another_field_is_still_refused(text):
    # Cut inside the line before the closing field: the last record lacks it.
    data = text.encode()
    closing = b"{Language}" if text is NOTEEXPRESS else b"SO  - "
    data = data[: data.rindex(closing) - 3]
    with pytest.raises(TruncatedFileError) as error:
        parse_bytes(data)
    assert "stops inside a line" in error.value.message
    records, report = parse_bytes(data, allow_truncated=True)
    assert len(records) == 2 and report.truncated_at is not None


def test_a_medline_line_that_cannot_belong_to_the_record_is_not_read_and_the_record_is_cut():
    # The last line is the first characters of a tag: nothing says the record was complete.
    data = MEDLINE.encode() + b"LA"
    with pytest.raises(TruncatedFileError) as error:
        parse_bytes(data)
    assert error.value.line == 15
    assert "stops inside a line" in error.value.message


def test_one_earlier_record_is_not_enough_to_agree_on_how_a_record_ends():
    text = "\n".join(_noteexpress(t) for t in ("第一题", "第二题"))
    with pytest.raises(TruncatedFileError) as error:
        parse_bytes(text.rstrip("\n").encode())
    assert "stops inside a line" in error.value.message


def test_records_ending_in_different_fields_do_not_vouch_for_the_last_one():
    text = _noteexpress("第一题") + "{Keywords}: 茶\n\n" + _noteexpress("第二题") + "\n"
    text += _noteexpress("第三题")
    with pytest.raises(TruncatedFileError):
        parse_bytes(text.rstrip("\n").encode())
