"""A lead records a search, uploads its export, and watches the import end in a report."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.identification.progress import live_key
from screening.models import ImportJob, Record, Search
from tests.conftest import shared_data

from .conftest import ris, upload

pytestmark = pytest.mark.django_db


def test_lead_records_a_search_with_its_source_phase_and_query(team):
    client = team.client(team.lead)
    response = client.post(
        f"/r/{team.review.slug}/searches/new/",
        {
            "source": "Web of Science",
            "source_type": "database",
            "date_run": "2025-03-01",
            "query": 'TS=("health personnel" AND research)',
            "phase": "update",
            "notes": "Core collection",
        },
    )
    search = Search.objects.get(review=team.review)
    assert response.status_code == 302
    assert response["Location"] == f"/r/{team.review.slug}/searches/{search.pk}/"
    assert (search.source, search.phase, str(search.date_run)) == (
        "Web of Science",
        "update",
        "2025-03-01",
    )
    assert team.review.audit_events.filter(action="search.created").exists()
    page = client.get(f"/r/{team.review.slug}/searches/")
    assert "Web of Science" in page.content.decode()


def test_reviewer_cannot_record_a_search(team):
    response = team.client(team.reviewer1).post(
        f"/r/{team.review.slug}/searches/new/", {"source": "Scopus", "phase": "initial"}
    )
    assert response.status_code == 403
    assert not Search.objects.exists()


def test_upload_imports_the_file_and_the_job_page_shows_the_report(
    team, search, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, search, "scopus.ris", ris(3))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/r/{team.review.slug}/imports/{job.pk}/"
    assert job.status == ImportJob.Status.DONE
    assert Record.objects.filter(search=search).count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "RIS" in page and "utf-8" in page
    assert "Records imported" in page and ">3<" in page
    assert 'hx-trigger="every 1s"' not in page  # finished: the page stops polling


def test_running_import_shows_a_live_progress_bar_that_polls(team, search):
    job = ImportJob.objects.create(
        review=team.review,
        search=search,
        original_name="big.ris",
        size=1000,
        sha256="x" * 64,
        status=ImportJob.Status.RUNNING,
    )
    ImportJob.objects.filter(pk=job.pk).update(started_at=job.created_at)
    cache.set(live_key(job.pk), {"bytes": 400, "records": 1234}, 60)
    client = team.client(team.reviewer1)
    partial = client.get(f"/r/{team.review.slug}/imports/{job.pk}/", headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'value="40"' in html and "1,234 records read so far" in html
    assert "<html" not in html  # the partial only
    cache.delete(live_key(job.pk))


def test_warnings_are_reported_with_their_line(team, search, django_capture_on_commit_callbacks):
    content = (
        b"TY  - JOUR\nTI  - Fine\nER  - \nTY  - JOUR\nTI  - A title\nPY  - next spring\nER  - \n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        upload(team.client(team.lead), search, "odd.ris", content)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE
    assert job.warnings and job.warnings[0][0] == 4
    page = team.client(team.lead).get(f"/r/{team.review.slug}/imports/{job.pk}/").content.decode()
    assert "<td>4</td>" in page and "next spring" in page


def test_several_files_can_be_uploaded_at_once(team, search, django_capture_on_commit_callbacks):
    files = [SimpleUploadedFile("a.ris", ris(2)), SimpleUploadedFile("b.ris", ris(3, start=10))]
    with django_capture_on_commit_callbacks(execute=True):
        response = team.client(team.lead).post(
            f"/r/{team.review.slug}/searches/{search.pk}/upload/",
            {"files": files, "format": "auto"},
        )
    assert response.status_code == 302
    assert sorted(ImportJob.objects.values_list("records_imported", flat=True)) == [2, 3]


REAL_EXPORTS = [
    (("asysd", "scopus.ris"), "ris", 10),
    (("revtools", "restoration_pubmed.nbib"), "medline", 104),
    (("wosfile", "wos_plaintext.txt"), "wos", 50),
    (("litstudy", "scopus.csv"), "scopus-csv", 58),
    (("bib-dedupe-benchmark", "stroke", "records_pre_merged.csv"), "csv", 1292),
]


@pytest.mark.parametrize(("parts", "fmt", "count"), REAL_EXPORTS, ids=lambda v: str(v))
def test_real_database_exports_import_through_the_upload_page(
    team, search, django_capture_on_commit_callbacks, parts, fmt, count
):
    path = shared_data(*parts)
    with django_capture_on_commit_callbacks(execute=True):
        upload(team.client(team.lead), search, path.name, path.read_bytes())
    job = ImportJob.objects.get()
    assert (job.status, job.error) == (ImportJob.Status.DONE, "")
    assert job.detected_format == fmt
    assert job.records_imported == count == search.records.count()
    assert all(r.raw for r in search.records.all()[:5])
    titled = search.records.exclude(title="").count()
    assert titled >= count * 0.9
