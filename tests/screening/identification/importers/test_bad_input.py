from __future__ import annotations

import pytest

from screening.identification.importers import (
    ImportFormatError,
    ParseReport,
    TruncatedFileError,
    iter_records,
)

from .conftest import parse_bytes


def _error(data: bytes, **kwargs) -> ImportFormatError:
    with pytest.raises(ImportFormatError) as error:
        parse_bytes(data, **kwargs)
    return error.value


def test_error_message_carries_the_line():
    error = ImportFormatError("ER without a record", 3)
    assert str(error) == "Line 3: ER without a record"
    assert (error.message, error.line) == ("ER without a record", 3)
    assert str(ImportFormatError("bad")) == "bad"


def test_ris_er_without_a_record():
    data = b"TY  - JOUR\nTI  - A\nER  - \nER  - \n"
    error = _error(data)
    assert str(error) == "Line 4: ER without a record (no TY before it)"


def test_ris_record_starting_without_ty():
    data = b"TY  - JOUR\nTI  - A\nER  - \n\nAU  - Smith, J\nTI  - B\nER  - \n"
    assert str(_error(data)) == "Line 5: RIS record starts without a TY tag"


def test_ris_file_with_no_ty_at_all_is_refused_when_forced():
    error = _error(b"AU  - Smith\nTI  - B\n", fmt="ris")
    assert error.line == 1
    assert "TY" in error.message


def test_truncated_last_ris_record_is_refused_unless_allowed_then_dropped():
    data = b"TY  - JOUR\nTI  - A\nER  - \nTY  - JOUR\nTI  - Cut off"
    error = _error(data)
    assert isinstance(error, TruncatedFileError)
    assert error.line == 4 and "the last RIS record has no ER tag" in error.message
    records, report = parse_bytes(data, allow_truncated=True)
    assert [r["title"] for r in records] == ["A"]
    assert report.truncated_at == 4
    assert report.warnings == [
        (
            4,
            "the file ends too early: the last RIS record has no ER tag; this record was "
            "dropped, the complete records imported",
        )
    ]


def test_missing_er_between_records_is_a_warning():
    records, report = parse_bytes(b"TY  - JOUR\nTI  - A\nTY  - JOUR\nTI  - B\nER  - \n")
    assert [r["title"] for r in records] == ["A", "B"]
    assert report.warnings[0][0] == 1


def test_medline_line_that_is_neither_tag_nor_continuation():
    data = b"PMID- 1\nTI  - A\nthis is not a tag\n"
    error = _error(data, fmt="medline")
    assert error.line == 3
    assert "expected a MEDLINE tag line" in error.message


def test_wos_er_without_record_and_record_without_pt():
    assert str(_error(b"FN Web of Science\nVR 1.0\nER\n", fmt="wos")).startswith(
        "Line 3: ER without a record"
    )
    error = _error(b"FN Web of Science\nVR 1.0\nAU Smith, J\nER\n", fmt="wos")
    assert str(error) == "Line 3: Web of Science record starts without a PT tag"


def test_broken_bibtex_entry_names_its_line():
    data = (
        b"@article{a, title={ok}}\n\n@article{b, title={never closed,\n year=2001\n\n"
        b"@article{c, title={fine}}\n"
    )
    error = _error(data)
    assert error.line == 3
    assert str(error).startswith(
        "Line 3: The BibTeX entry (key b, “never closed”) could not be read"
    )


def test_unknown_format_override_names_the_formats():
    error = _error(b"TY  - JOUR\nER  - \n", fmt="marc21")
    assert "We read: RIS" in error.message


def test_forcing_a_wrong_format_ends_in_a_clear_error():
    ris = b"TY  - JOUR\nTI  - A\nER  - \n"
    for fmt in ("medline", "wos", "bibtex", "endnote-xml", "xlsx", "wos-tab"):
        with pytest.raises(ImportFormatError):
            parse_bytes(ris, fmt=fmt)


def test_report_counts_records_and_keeps_warnings_bounded():
    data = b"".join(b"TY  - JOUR\nTI  - T\nPY  - n.d.\nER  - \n" for _ in range(1500))
    report = ParseReport()
    import io

    records = list(iter_records(io.BytesIO(data), report=report))
    assert report.records_seen == len(records) == 1500
    assert len(report.warnings) == 1000
    assert report.warnings_dropped == 500
