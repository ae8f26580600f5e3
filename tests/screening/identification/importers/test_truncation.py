"""A file that ends inside a record is refused with the line and the reason; allowed, its complete
records are read, the cut one is dropped, and the report says so (issue #17)."""

from __future__ import annotations

import pytest

from screening.identification.importers import ImportFormatError, TruncatedFileError

from .conftest import parse_bytes, parse_file
from .samples import ALL, MEDLINE, RIS, TAGGED, Sample


def _refused(data: bytes) -> TruncatedFileError:
    with pytest.raises(TruncatedFileError) as error:
        parse_bytes(data)
    return error.value


@pytest.mark.parametrize("sample", ALL, ids=lambda s: s.fmt)
def test_every_format_reads_its_complete_sample(sample: Sample):
    records, report = parse_bytes(sample.text.encode("utf-8"))
    assert report.format == sample.fmt
    assert tuple(r["title"] for r in records) == sample.titles
    assert report.warnings == [] and report.truncated_at is None


@pytest.mark.parametrize("sample", ALL, ids=lambda s: s.fmt)
def test_a_file_cut_inside_its_last_record_is_refused_with_the_line(sample: Sample):
    error = _refused(sample.cut_inside_last())
    assert error.line == sample.last_start
    assert error.message.startswith("the file ends too early: the last ")
    assert "nothing was imported" in error.message and "allow a truncated file" in error.message


@pytest.mark.parametrize("sample", ALL, ids=lambda s: s.fmt)
def test_allowed_the_complete_records_are_read_and_the_cut_one_dropped(sample: Sample):
    records, report = parse_bytes(sample.cut_inside_last(), allow_truncated=True)
    assert tuple(r["title"] for r in records) == sample.titles[:-1]
    assert report.truncated_at == sample.last_start
    [(line, warning)] = report.warnings
    assert line == sample.last_start
    assert warning.startswith("the file ends too early: the last ")
    assert warning.endswith("this record was dropped, the complete records imported")


def test_the_issue_example_a_cut_ris_record_followed_by_stray_text_is_refused():
    data = RIS.cut_inside_last() + b"\n<html><body>502 Bad Gateway</body></html>\n"
    error = _refused(data)
    assert str(error).startswith("Line 7: the file ends too early: the last RIS record has no ER")


@pytest.mark.parametrize("sample", TAGGED, ids=lambda s: s.fmt)
def test_a_file_cut_inside_its_first_record_has_nothing_to_import_even_when_allowed(sample):
    data = sample.text.encode("utf-8")
    first_record = data[: data.index(b"\n", data.index(b"\n") + 1) + 4]  # two lines and a bit
    with pytest.raises(ImportFormatError) as error:
        parse_bytes(first_record, allow_truncated=True)
    assert "no complete record" in error.value.message


def test_medline_without_a_final_blank_line_is_complete():
    records, report = parse_bytes(MEDLINE.text.encode("utf-8"))  # ends '...2003.\n'
    assert len(records) == 3 and report.warnings == []
    records, _ = parse_bytes(MEDLINE.text.encode("utf-8") + b"\n\n")
    assert len(records) == 3


def test_medline_cut_at_a_line_end_is_told_by_the_field_the_others_end_with():
    # Every complete record ends with SO; the last stops after its author line.
    data = MEDLINE.text.encode("utf-8")
    data = data[: data.rindex(b"DP  - 2003")]
    error = _refused(data)
    assert error.line == 13
    assert "lacks the SO field that ends each of the other 2 records" in error.message


def test_a_last_record_with_its_own_field_order_is_not_taken_for_a_cut_one():
    # Only one earlier record: no agreed closing field to miss.
    data = (
        b"PMID- 1\nTI  - One\nSO  - J. 2001.\n\n"
        b"PMID- 2\nTI  - Two\nDP  - 2002\n"  # no SO, but one record is no pattern
    )
    records, report = parse_bytes(data)
    assert [r["title"] for r in records] == ["One", "Two"] and report.truncated_at is None


def test_the_real_medline_file_whose_last_record_stops_mid_title_is_refused():
    # metaknowledge's test file ends '...correlation with the expression of this gene in the\n
    # endometriu' -- its last record has no SO (the other 174 end with one).
    with pytest.raises(TruncatedFileError) as error:
        parse_file("metaknowledge/medline_test.medline")
    assert error.value.line == 14925
    assert "lacks the SO field that ends each of the other 174 records" in error.value.message
    records, report = parse_file("metaknowledge/medline_test.medline", allow_truncated=True)
    assert len(records) == 174 and report.truncated_at == 14925


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><xml><records><record><titles><title>A</title></titles></record>'
        b"<record><titles><title>B</title></records></xml>",  # mismatched tag mid-file
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID></MedlineCitation>"
        b"</PubmedArticle><PubmedArticle>&bad;</PubmedArticle></PubmedArticleSet>",
    ],
)
def test_xml_that_is_not_well_formed_is_refused_even_when_truncation_is_allowed(data):
    with pytest.raises(ImportFormatError) as error:
        parse_bytes(data, allow_truncated=True)
    assert not isinstance(error.value, TruncatedFileError)
    assert error.value.line == 1


def test_a_bibtex_entry_left_open_in_the_middle_is_an_error_not_a_truncation():
    data = b"@article{a, title={A}\n\n@article{b, title={B}}\n"
    with pytest.raises(ImportFormatError) as error:
        parse_bytes(data, allow_truncated=True)
    assert not isinstance(error.value, TruncatedFileError)
    assert error.value.line == 1


def test_csl_json_without_its_closing_bracket_is_cut_between_items():
    data = b'[{"type": "book", "title": "A"},\n{"type": "book", "title": "B"}\n'
    error = _refused(data)
    assert "the list of items has no closing ]" in error.message
    records, report = parse_bytes(data, allow_truncated=True)
    assert [r["title"] for r in records] == ["A", "B"]
    assert report.warnings[0][1].endswith("no record was cut, the complete records imported")
