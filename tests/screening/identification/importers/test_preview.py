"""A preview shows how a file would be imported -- format, encoding, first records, the first
non-ASCII line in each encoding -- and stores nothing."""

from __future__ import annotations

import io

from screening.identification.importers.preview import RECORDS_SHOWN, preview

from .test_encoding_choice import GBK_BIBTEX


def test_preview_reads_the_first_records_in_the_detected_encoding():
    shown = preview(io.BytesIO(GBK_BIBTEX.encode("gbk")), "cnki.bib")
    assert (shown.format, shown.encoding, shown.encoding_chosen) == ("bibtex", "gb18030", False)
    assert shown.records[0]["authors"] == ["凯撒", "张伟"]
    samples = {code: text for code, _, text in shown.samples}
    assert samples["gb18030"] == "author = {凯撒 and 张伟},"
    assert samples["utf-8"] != samples["gb18030"]


def test_preview_with_a_chosen_encoding_shows_what_it_gives():
    shown = preview(io.BytesIO(GBK_BIBTEX.encode("gbk")), "cnki.bib", encoding="big5")
    assert shown.encoding == "big5" and shown.encoding_chosen
    assert shown.records[0]["authors"] != ["凯撒", "张伟"]


def test_preview_shows_at_most_a_few_records_and_the_entries_it_cannot_read():
    entries = "".join(f"@article{{k{i}, title={{T {i}}}}}\n" for i in range(20))
    shown = preview(io.BytesIO(b"@article{bad, title={x\n" + entries.encode()), "x.bib")
    assert len(shown.records) == RECORDS_SHOWN
    assert shown.samples == []  # plain ASCII: no encoding to choose
    assert [key for _, key, _, _ in shown.skipped] == ["bad"]


def test_preview_of_a_spreadsheet_says_why_it_would_wait_for_its_columns():
    shown = preview(io.BytesIO(b"Name,Writers\nA study,Reyes\n"), "x.csv")
    assert "No column of this file was recognised as the title" in shown.error


def test_preview_of_an_unknown_file_says_so():
    shown = preview(io.BytesIO(b"%PDF-1.4"), "paper.pdf")
    assert "PDF" in shown.error and shown.records == []
