"""Text extraction from a full-text PDF (a real PDF written in the test), ready for coding."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from coding.models import Document
from coding.pdftext import PdfTextError, extract_text

from .factories import included_study
from .pdfs import make_pdf

PAGES = [
    [
        "Results",
        "Protected time for research was the main facilitator.",
        "Partici-",
        "pation rose.",
    ],
    ["Discussion", "Lack of funding (and of statisticians) held many back."],
]


def test_text_is_extracted_from_every_page_of_a_real_pdf():
    text = extract_text(make_pdf(PAGES))
    assert "Protected time for research was the main facilitator." in text
    assert "Participation rose." in text  # a hyphenated line break is joined
    assert "Lack of funding (and of statisticians) held many back." in text
    assert text.index("Results") < text.index("Discussion")


def test_a_file_that_is_not_a_pdf_is_refused():
    with pytest.raises(PdfTextError, match="not a PDF"):
        extract_text(b"<html>a web page</html>")


def test_a_pdf_without_text_is_refused_with_advice_to_paste():
    with pytest.raises(PdfTextError, match="paste the text"):
        extract_text(make_pdf([[]]))


def test_coder_extracts_the_reports_pdf_and_codes_its_text(
    team, settings, tmp_path, django_capture_on_commit_callbacks
):
    study = included_study(team.review, "Archibald 2017", 3, text="")
    report = study.reports.get()
    # A PDF attached before texts were read in the background: the first click has it read.
    report.file.save("archibald.pdf", ContentFile(make_pdf(PAGES)))
    report.file_name = "archibald.pdf"
    report.save()
    client = team.client(team.reviewer1)
    url = f"/r/{team.review.slug}/coding/studies/{study.pk}/texts/"
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"report": report.pk}, follow=True).content.decode()
    assert "being read now" in page
    assert not Document.objects.filter(study=study).exists()
    response = client.post(url, {"report": report.pk})
    assert response.status_code == 302
    document = Document.objects.get(study=study)
    assert document.origin == Document.Origin.PDF
    assert "Protected time for research" in document.text
    page = client.get(response["Location"]).content.decode()
    assert "Protected time for research was the main facilitator." in page
