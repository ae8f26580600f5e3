from __future__ import annotations

import pytest

from screening.identification.importers import FORMATS, ImportFormatError, detect_format

from .conftest import data_file

REAL = [
    ("asysd/scopus.ris", "ris"),
    ("asreview-demo-data/ovid_psycinfo.ris", "ris"),
    ("asreview-demo-data/web_of_science.txt", "ris"),
    ("metaknowledge/medline_test.medline", "medline"),
    ("revtools/restoration_pubmed.nbib", "medline"),
    ("wosfile/wos_plaintext.txt", "wos"),
    ("revtools/restoration_WoS.ciw", "wos"),
    ("wosfile/wos_tab_delimited_win_utf8.txt", "wos-tab"),
    ("litstudy/scopus.csv", "scopus-csv"),
    ("bib-dedupe-benchmark/stroke/records_pre_merged.csv", "csv"),
    ("systematic-review-datasets/Nagtegaal_2019.csv", "csv"),
    ("asysd/zotero_export.bib", "bibtex"),
    ("cnki-2-bibtex/ChineseColon.bib", "bibtex"),
    ("asysd/mendeley_export.xml", "endnote-xml"),
    ("bib-dedupe-benchmark/respiratory/Respiratory.xml", "endnote-xml"),
    ("cnki-2-bibtex/Classic5Test.net", "noteexpress"),
    ("cnki-2-bibtex/ChineseColon.net", "noteexpress"),
    ("colrev/ais_enl.txt", "endnote-tagged"),
]


@pytest.mark.parametrize(("relative", "expected"), REAL)
def test_real_exports_are_recognised_from_their_content(relative, expected):
    head = data_file(relative).read_bytes()[:65536]
    assert detect_format(head) == expected
    assert detect_format(head, "renamed.dat") == expected


def test_every_format_code_has_a_name():
    assert set(FORMATS) == {
        "ris", "medline", "wos", "wos-tab", "scopus-csv", "bibtex", "endnote-xml", "csv", "xlsx",
        "endnote-tagged", "noteexpress", "refworks", "pubmed-xml", "csl-json", "ovid",
        "openalex-json", "crossref-json", "cochrane",
    }  # fmt: skip


@pytest.mark.parametrize(
    "head",
    [
        b"%PDF-1.7 binary",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel",
        b"Dear reviewer,\nplease find attached.\n",
        b"<html><body>not xml export</body></html>",
        b"%0 a percentage, on its own\n",
        b'{"name": "not a reference", "version": 2}\n',
    ],
)
def test_unsupported_files_get_a_message_naming_the_formats_we_read(head):
    with pytest.raises(ImportFormatError) as error:
        detect_format(head, "upload.bin")
    message = str(error.value)
    for name in ("RIS", "PubMed/MEDLINE", "Web of Science", "Scopus CSV", "BibTeX", "EndNote XML"):
        assert name in message


def test_an_empty_file_is_refused():
    with pytest.raises(ImportFormatError, match="empty"):
        detect_format(b"  \n\n")


def test_a_csv_with_unknown_headers_is_csv_only_by_its_extension():
    head = b"foo,bar\n1,2\n"
    assert detect_format(head, "list.csv") == "csv"
    with pytest.raises(ImportFormatError):
        detect_format(head, "list.txt")
