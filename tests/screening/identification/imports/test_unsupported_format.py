"""A file in a format we do not read gets a message naming the formats we do read."""

from __future__ import annotations

import pytest

from screening.identification.imports import ImportRefused, import_file_now
from screening.models import ImportJob

from .conftest import upload

pytestmark = pytest.mark.django_db


def test_a_pdf_is_refused_with_the_list_of_formats_we_read(team, search):
    client = team.client(team.lead)
    response = upload(client, search, "paper.pdf", b"%PDF-1.7\n%binary")
    page = client.get(response["Location"]).content.decode()
    assert "This is a PDF" in page
    for name in ("RIS", "PubMed/MEDLINE", "Web of Science plain text", "Scopus CSV", "BibTeX",
                 "EndNote XML", "Excel workbook"):  # fmt: skip
        assert name in page
    assert not ImportJob.objects.exists()


def test_an_unrecognised_text_file_is_refused_by_the_service(search):
    with pytest.raises(ImportRefused, match="We read: RIS"):
        import_file_now(search, b"just some notes\nnothing bibliographic\n", "notes.txt")


def test_an_unknown_format_override_is_refused(search):
    with pytest.raises(ImportRefused, match="Unknown format"):
        import_file_now(search, b"TY  - JOUR\nER  - \n", "a.ris", fmt="docx")
