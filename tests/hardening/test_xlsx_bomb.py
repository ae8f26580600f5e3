"""Issue #26: a 249 KB .xlsx whose shared strings expanded to ~100 MB held a web worker for 68 s
in the upload request and the Celery worker for 69 s at 670 MB.

The upload request only checks and stores the file (nothing opens the workbook); the task
measures the zip's members, declared and actual, before openpyxl reads anything."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reviewapp import ziplimits
from screening.identification import imports
from screening.identification.importers import tabular
from screening.models import ImportJob, Record

from .bombs import xlsx_bomb, zip_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return xlsx_bomb(64)


def _never(*args, **kwargs):
    raise AssertionError("the upload request opened the file")


def test_the_upload_request_stores_the_bomb_without_opening_it(team, search, bomb, monkeypatch):
    assert len(bomb) < 300_000
    for name in ("_open_workbook", "csv_header", "xlsx_header"):
        monkeypatch.setattr(tabular, name, _never)
    started = time.perf_counter()
    response = team.client(team.lead).post(
        f"/r/{team.review.slug}/searches/{search.pk}/upload/",
        {"files": SimpleUploadedFile("refs.xlsx", bomb), "format": "auto"},
    )
    assert time.perf_counter() - started < 5
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.status, job.detected_format, job.size) == ("queued", "xlsx", len(bomb))


def test_the_task_refuses_the_bomb_before_parsing_it_in_bounded_time_and_memory(
    team, search, bomb, monkeypatch
):
    job = imports.store_upload(search, bomb, "refs.xlsx", user=team.lead, dispatch=False)
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", _never)
    tracemalloc.start()
    started = time.perf_counter()
    job = imports.run_import(job.pk)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert job.status == ImportJob.Status.FAILED
    assert "refused before reading it" in job.error and "zip bomb" in job.error
    assert "sharedStrings.xml" in job.error
    assert not Record.objects.exists()
    assert elapsed < 10 and peak < 32 * 1024 * 1024


def test_a_workbook_over_the_total_size_is_refused_even_at_a_modest_ratio(monkeypatch):
    # Members that expand 20 times each (under the ratio), together over the total.
    limits = ziplimits.Limits(max_members=100, max_member_bytes=4 << 20, max_total_bytes=6 << 20)
    monkeypatch.setattr(tabular, "XLSX_LIMITS", limits)
    noise = bytes(range(256)) * 4096  # 1 MB that compresses about 1:1 ...
    members = {f"xl/part{i}.xml": noise[: 1 << 20] for i in range(8)}
    with pytest.raises(tabular.ImportFormatError, match="expands to 8 MB; the limit is 6 MB"):
        tabular._check_zip(io.BytesIO(zip_of(members, level=1)))


def test_the_meter_stops_at_the_bytes_actually_decompressed_whatever_the_header_says():
    data = zip_of({"xl/sharedStrings.xml": b"<si><t>x</t></si>" * 400_000})  # 6.8 MB
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("xl/sharedStrings.xml")
        info.file_size = 10 << 30  # a header that lies upwards changes nothing below
        limits = ziplimits.Limits(
            max_members=10, max_member_bytes=1 << 40, max_total_bytes=2 << 20, max_ratio=1e9
        )
        with pytest.raises(ziplimits.ZipBomb, match="expands past 2 MB"):
            ziplimits.check_actual(zf, limits)


def test_too_many_members_are_refused_from_the_directory_alone():
    data = zip_of({f"f{i}": b"" for i in range(50)})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        limits = ziplimits.Limits(max_members=20, max_member_bytes=1, max_total_bytes=1)
        with pytest.raises(ziplimits.ZipBomb, match="holds 50 files; the limit is 20"):
            ziplimits.check_declared(zf, limits, len(data))


def test_an_ordinary_workbook_still_imports(team, search):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Title", "Authors", "Year"])
    for n in range(50):
        sheet.append([f"Clinicians in research, part {n}", "Smith, J.", 2020])
    out = io.BytesIO()
    book.save(out)
    job = imports.import_file_now(search, out.getvalue(), "refs.xlsx", user=team.lead)
    assert (job.status, job.records_imported) == (ImportJob.Status.DONE, 50)


def test_the_mapping_page_shows_the_header_the_task_read_without_opening_the_file(
    team, search, monkeypatch, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    content = b"Headline;Writers;When\nEngaging nurses in research;Smith, J.;2019\n"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/r/{team.review.slug}/searches/{search.pk}/upload/",
            {"files": SimpleUploadedFile("library.csv", content), "format": "auto"},
        )
    job = ImportJob.objects.get()
    assert (job.status, job.columns) == ("mapping", ["Headline", "Writers", "When"])
    for name in ("_open_workbook", "csv_header", "xlsx_header"):
        monkeypatch.setattr(tabular, name, _never)
    url = f"/r/{team.review.slug}/imports/{job.pk}/"
    assert '<option value="Writers">Writers</option>' in client.get(url).content.decode()
    # The polling fragment asks for the whole page once the task stopped for the columns.
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
