"""An upload whose columns would give records without titles or authors stores nothing and
waits on the column-mapping page with the reason: the task finds so (the upload request only
stores the file), from the first rows or further on."""

from __future__ import annotations

import pytest

from screening.identification.imports import import_file_now
from screening.models import ImportJob, Record

from .conftest import upload

pytestmark = pytest.mark.django_db

Status = ImportJob.Status

# An export whose people sit under a name no table holds.
WRITERS = (
    "Title,Year,Writers\n"
    'Engaging nurses in research,2019,"Reyes, Ana; Novak, Eli"\n'
    'Residents as researchers,2021,"Hale, Gus"\n'
)


def test_an_upload_with_authors_in_an_unknown_column_waits_for_its_mapping(
    team, search, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):  # the task reads the file
        response = upload(client, search, "export.csv", WRITERS.encode())
    job = ImportJob.objects.get()
    assert job.status == Status.MAPPING
    assert job.columns == ["Title", "Year", "Writers"]
    assert "2 of 2 rows have no authors (they may be in: Writers)." in job.error
    assert Record.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "Which column holds what?" in page
    assert "they may be in: Writers" in page
    assert '<option value="Writers">Writers</option>' in page


def test_mapping_the_authors_column_imports_them(team, search, django_capture_on_commit_callbacks):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, search, "export.csv", WRITERS.encode())
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/r/{team.review.slug}/imports/{job.pk}/columns/",
            {"title": "Title", "year": "Year", "authors": "Writers"},
        )
    job.refresh_from_db()
    assert (job.status, job.records_imported) == (Status.DONE, 2)
    assert Record.objects.get(title="Residents as researchers").authors == ["Hale, Gus"]


def test_the_import_itself_stops_when_the_rows_after_the_first_ones_have_no_title(team, search):
    good = "".join(f"Title {i},Author {i}\n" for i in range(250))
    empty = "".join(f",Author {i}\n" for i in range(300))
    job = import_file_now(search, ("Title,Authors\n" + good + empty).encode(), "long.csv")
    assert job.status == Status.MAPPING
    assert job.error == "Line 1: 300 of 550 rows have no title."
    assert Record.objects.count() == 0 and job.records_imported == 0


def test_an_openalex_export_needs_no_mapping(team, search):
    content = (
        '"id","display_name","authorships.author.display_name","publication_year","doi"\n'
        '"https://openalex.org/W9","A made-up study","Ana Reyes|Eli Novak","2020",'
        '"https://doi.org/10.1000/x"\n'
    )
    job = import_file_now(search, content.encode(), "works-export.csv")
    assert job.status == Status.DONE
    record = Record.objects.get()
    assert (record.title, record.authors, record.year) == (
        "A made-up study",
        ["Ana Reyes", "Eli Novak"],
        2020,
    )
