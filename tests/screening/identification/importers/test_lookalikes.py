"""Files that look like an export we do not read are named, with the export option to choose
instead; a PubMed XML goes to a PubMed XML reader once there is one."""

from __future__ import annotations

import pytest

from screening.identification.importers import ImportFormatError, detect_format, lookalikes

from .conftest import parse_bytes

PUBMED_XML = b"""<?xml version="1.0" ?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2024//EN" "x.dtd">
<PubmedArticleSet>
<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">1</PMID>
</MedlineCitation></PubmedArticle>
</PubmedArticleSet>
"""
OVID_CITATION = b"""<1>
Accession Number
  12345678
Authors
  Reyes A. Novak E.
Title
  Research time for nurses.
Source
  Nursing Research. 12(3):45-60, 2019.
"""
OVID_XML = b'<?xml version="1.0" encoding="UTF-8"?>\n<ovidresults><record/></ovidresults>\n'
WOS_XML = (
    b'<?xml version="1.0"?>\n<records xmlns="http://clarivate.com/schema/wok5.27/public/'
    b'FullRecord"><REC r_id_disclaimer="x"><UID>WOS:1</UID></REC></records>\n'
)


@pytest.mark.parametrize(
    ("data", "says", "choose"),
    [
        (OVID_CITATION, "Ovid's own citation format", "choose RIS as the format"),
        (OVID_XML, "This is an Ovid XML export", "choose RIS as the format"),
        (WOS_XML, "Web of Science XML export", "Plain text file or Tab delimited file"),
    ],
)
def test_the_message_names_the_file_and_the_export_option(data, says, choose):
    with pytest.raises(ImportFormatError) as error:
        detect_format(data, "export.xml")
    assert says in error.value.message and choose in error.value.message
    # Chosen by hand as EndNote XML, the same file gets the same advice, not an XML error.
    with pytest.raises(ImportFormatError) as chosen:
        parse_bytes(data, fmt="endnote-xml")
    assert says in chosen.value.message


def test_without_a_pubmed_xml_reader_a_pubmed_xml_file_gets_advice(monkeypatch):
    monkeypatch.delitem(lookalikes.FORMATS, "pubmed-xml", raising=False)
    with pytest.raises(ImportFormatError) as error:
        detect_format(PUBMED_XML, "pubmed.xml")
    assert "This is a PubMed XML file" in error.value.message
    assert "Format: PubMed" in error.value.message


def test_a_pubmed_xml_goes_to_the_pubmed_xml_reader(monkeypatch):
    monkeypatch.setitem(lookalikes.FORMATS, "pubmed-xml", "PubMed XML")
    assert detect_format(PUBMED_XML, "pubmed.xml") == "pubmed-xml"
    # Chosen by hand as EndNote XML, it is read as what it is, with a warning.
    records, report = parse_bytes(PUBMED_XML, fmt="endnote-xml")
    assert report.format == "pubmed-xml" and records[0]["pmid"] == "1"
    assert "chosen as EndNote XML, but the file is PubMed XML" in report.warnings[0][1]


def test_endnote_xml_is_still_endnote_xml():
    data = b'<?xml version="1.0" encoding="UTF-8"?><xml><records><record></record></records></xml>'
    assert detect_format(data, "library.xml") == "endnote-xml"


ENDNOTE_OF_OVID_RECORDS = b"""<?xml version="1.0" encoding="UTF-8" ?><xml><records><record>
<source-app name="EndNote" version="19.0">EndNote</source-app><rec-number>1</rec-number>
<ref-type name="Journal Article">17</ref-type><titles><title><style face="normal">In situ
carcinomas of the breast</style></title></titles><dates><year>1982</year></dates>
<remote-database-name>MEDLINE</remote-database-name>
<remote-database-provider>Ovid Technologies</remote-database-provider></record></records></xml>
"""


def test_an_endnote_library_of_ovid_records_is_endnote_xml():
    assert detect_format(ENDNOTE_OF_OVID_RECORDS, "library.xml") == "endnote-xml"
    for fmt in ("auto", "endnote-xml"):
        records, report = parse_bytes(ENDNOTE_OF_OVID_RECORDS, fmt=fmt)
        assert report.format == "endnote-xml" and not report.warnings
        assert records[0]["title"] == "In situ carcinomas of the breast"
        assert records[0]["year"] == 1982


def test_an_ovid_xml_export_behind_a_doctype_and_a_comment_is_still_named():
    data = (
        b'<?xml version="1.0"?>\n<!-- Ovid Technologies -->\n<!DOCTYPE ovidresults [\n'
        b"<!ELEMENT ovidresults ANY>\n]>\n<ovidresults><record/></ovidresults>\n"
    )
    with pytest.raises(ImportFormatError) as error:
        detect_format(data, "export.xml")
    assert "This is an Ovid XML export" in error.value.message
