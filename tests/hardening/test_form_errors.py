"""Out-of-range and malformed values are refused with the message next to the field.

Each case posts one bad value to the page people use and looks for the message inside the
field's own block (the shared form template puts it in <p class="field-error"> under the
input; a form rendered by hand may use Django's errorlist) — not only in a banner at the top.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coding import services as coding
from coding.models import ExtractionField, FieldKind
from reviewapp.models import Review
from screening.models import Report, Search
from tests.coding.factories import included_study
from tests.factories import SearchFactory
from tests.screening.conflicts.helpers import included_at_ta

pytestmark = pytest.mark.django_db

ERROR_MARKERS = ('class="field-error"', 'class="errorlist')


def field_block(html: str, name: str) -> str:
    """The markup from the field's input to where the next field starts."""
    match = re.search(rf'name="{re.escape(name)}"', html)
    assert match, f"no input named {name!r} on the page"
    start = html.rfind('<div class="field', 0, match.start())
    start = match.start() if start == -1 else start
    rest = html[match.end() :]
    ends = [i for i in (rest.find('<div class="field'), rest.find("</form>")) if i != -1]
    return html[start : match.end() + (min(ends) if ends else 2000)]


def assert_error_next_to(response, name: str, message: str) -> None:
    assert response.status_code in (200, 400), response.status_code
    html = response.content.decode()
    block = field_block(html, name)
    assert message in block, f"{message!r} not next to {name!r}:\n{block}"
    assert any(marker in block for marker in ERROR_MARKERS), block


def settings_data(review: Review, **changes) -> dict:
    data = {
        "title": review.title,
        "slug": review.slug,
        "question": review.question,
        "description": review.description,
        "required_decisions": review.required_decisions,
        "maybe_opens_conflict": "on",
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "Ensure this value is greater than or equal to 1."),
        (4, "Ensure this value is less than or equal to 3."),
        ("two", "Enter a whole number."),
    ],
)
def test_required_decisions_outside_one_to_three_is_refused_next_to_the_field(team, value, message):
    client = team.client(team.lead)
    url = f"/r/{team.review.slug}/settings/"
    response = client.post(url, settings_data(team.review, required_decisions=value))
    assert_error_next_to(response, "required_decisions", message)
    team.review.refresh_from_db()
    assert team.review.required_decisions == 2


@pytest.mark.parametrize("value", ["2024-13-45", "yesterday", "01/02/2024x"])
def test_a_malformed_search_date_is_refused_next_to_the_field(team, value):
    client = team.client(team.lead)
    response = client.post(
        f"/r/{team.review.slug}/searches/new/",
        {"source": "Scopus", "source_type": "database", "phase": "initial", "date_run": value},
    )
    assert_error_next_to(response, "date_run", "Enter a valid date.")
    assert not Search.objects.filter(review=team.review).exists()


@pytest.fixture
def study(team):
    return included_study(team.review, "Smith 2019", 1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("250", "Ensure this value is less than or equal to 100."),
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("lots", "Enter a number."),
    ],
)
def test_an_extracted_number_out_of_range_is_refused_next_to_the_field(team, study, value, message):
    form = coding.ensure_default_form(team.review, team.lead)
    ExtractionField.objects.create(
        form=form,
        section=form.sections.first(),
        key="response_rate",
        label="Response rate (%)",
        kind=FieldKind.NUMBER,
        min_value=0,
        max_value=100,
    )
    client = team.client(team.reviewer1)
    response = client.post(
        f"/r/{team.review.slug}/extraction/studies/{study.pk}/", {"response_rate": value}
    )
    assert_error_next_to(response, "response_rate", message)
    assert not study.extractions.exists()


def test_an_extracted_year_out_of_range_is_refused_next_to_the_field(team, study):
    coding.ensure_default_form(team.review, team.lead)
    client = team.client(team.reviewer1)
    response = client.post(
        f"/r/{team.review.slug}/extraction/studies/{study.pk}/", {"year": "1200"}
    )
    assert_error_next_to(response, "year", "Enter a year between")


def test_an_empty_export_file_is_refused_next_to_the_upload_field(team):
    search = SearchFactory(review=team.review)
    client = team.client(team.lead)
    response = client.post(
        f"/r/{team.review.slug}/searches/{search.pk}/upload/",
        {"files": SimpleUploadedFile("empty.ris", b""), "format": "auto"},
    )
    assert_error_next_to(response, "files", "The submitted file is empty.")
    assert not search.import_jobs.exists()


def test_an_empty_full_text_is_refused_next_to_the_upload_field(team, settings, tmp_path):
    report = Report.objects.get(record=included_at_ta(team))
    client = team.client(team.lead)
    response = client.post(
        f"/r/{team.review.slug}/full-text/{report.pk}/upload/",
        {"file": SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf")},
    )
    assert_error_next_to(response, "file", "The submitted file is empty.")
    report.refresh_from_db()
    assert not report.file


def test_a_full_text_that_is_not_a_pdf_is_refused_next_to_the_upload_field(
    team, settings, tmp_path
):
    report = Report.objects.get(record=included_at_ta(team))
    client = team.client(team.lead)
    response = client.post(
        f"/r/{team.review.slug}/full-text/{report.pk}/upload/",
        {"file": SimpleUploadedFile("paper.pdf", b"<html><script>alert(1)</script>")},
    )
    assert_error_next_to(response, "file", "PDF")
    report.refresh_from_db()
    assert not report.file
