"""A CSV whose header row we do not recognise waits for the lead to map its columns."""

from __future__ import annotations

import pytest

from screening.models import ImportJob, Record

from .conftest import upload

pytestmark = pytest.mark.django_db

CSV = (
    b"Headline;Writers;When;Periodical\n"
    b"Engaging nurses in research;Smith, J. and Lee, K.;2019;Nurse Educ\n"
    b"Residents as researchers;Ng, A.;2021;Med Teach\n"
)


def test_unrecognised_columns_are_mapped_then_imported(
    team, search, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):  # the task reads the header
        response = upload(client, search, "library.csv", CSV)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.MAPPING
    assert job.columns == ["Headline", "Writers", "When", "Periodical"]
    page = client.get(response["Location"]).content.decode()
    assert "Which column holds what?" in page
    assert '<option value="Headline">Headline</option>' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/r/{team.review.slug}/imports/{job.pk}/columns/",
            {"title": "Headline", "authors": "Writers", "year": "When", "journal": "Periodical"},
        )
    job.refresh_from_db()
    assert (job.status, job.records_imported) == (ImportJob.Status.DONE, 2)
    record = Record.objects.get(title="Residents as researchers")
    assert (record.year, record.journal) == (2021, "Med Teach")
    assert job.column_map["title"] == "Headline"


def test_a_mapping_without_a_title_column_is_refused(
    team, search, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, search, "library.csv", CSV)
    job = ImportJob.objects.get()
    response = client.post(
        f"/r/{team.review.slug}/imports/{job.pk}/columns/", {"year": "When"}, follow=True
    )
    assert "Choose at least the column holding the title" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.MAPPING


def test_a_recognised_csv_needs_no_mapping(team, search, django_capture_on_commit_callbacks):
    content = b"title,authors,year\nA study,Smith J,2020\n"
    with django_capture_on_commit_callbacks(execute=True):
        upload(team.client(team.lead), search, "plain.csv", content)
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
