"""The upload page lets a lead choose the text encoding and preview the file before importing;
the import report says which encoding was used and whether it was chosen or detected."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.identification.imports import report_lines
from screening.models import ImportJob, Record

pytestmark = pytest.mark.django_db

GBK_RIS = (
    "TY  - JOUR\nTI  - 护士科研能力的培养\nAU  - 凯撒\nAU  - 张伟\nJO  - 测试期刊\nPY  - 2020\n"
    "ER  - \n"
).encode("gbk")


def _post(client, search, action: str, content: bytes, encoding: str = "", htmx=False, **extra):
    return client.post(
        f"/r/{search.review.slug}/searches/{search.pk}/{action}",
        {"files": SimpleUploadedFile("cnki.ris", content), "format": "auto", "encoding": encoding,
         **extra},
        **({"HTTP_HX_REQUEST": "true"} if htmx else {}),
    )  # fmt: skip


def test_a_gbk_upload_is_detected_and_the_report_says_so(
    team, search, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, search, "upload/", GBK_RIS)
    job = ImportJob.objects.get()
    assert (job.encoding, job.requested_encoding) == ("gb18030", "")
    assert Record.objects.get().journal == "测试期刊"
    assert "Encoding: GB18030 / GBK (Simplified Chinese) (detected)" in report_lines(job)
    page = client.get(response["Location"]).content.decode()
    assert "GB18030 / GBK (Simplified Chinese) (detected)" in page


def test_a_chosen_encoding_is_used_and_reported_as_chosen(
    team, search, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _post(team.client(team.lead), search, "upload/", GBK_RIS, encoding="big5")
    job = ImportJob.objects.get()
    assert (job.encoding, job.requested_encoding) == ("big5", "big5")
    assert "Encoding: Big5 (Traditional Chinese) (chosen)" in report_lines(job)
    assert Record.objects.get().journal != "测试期刊"


def test_preview_shows_the_first_records_and_stores_nothing(team, search):
    client = team.client(team.lead)
    response = _post(client, search, "upload/preview/", GBK_RIS, htmx=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="upload-preview"' in page and "<html" not in page
    assert "护士科研能力的培养" in page and "凯撒; 张伟" in page
    assert "GB18030 / GBK (Simplified Chinese)" in page
    assert ImportJob.objects.count() == 0 and Record.objects.count() == 0


def test_preview_with_another_encoding_and_without_javascript(team, search):
    response = _post(team.client(team.lead), search, "upload/preview/", GBK_RIS, encoding="big5")
    page = response.content.decode()
    assert "<html" in page and "Choose the file again to upload it." in page
    assert "Big5 (Traditional Chinese) (chosen)" in page
    assert "护士科研能力的培养" not in page.split('id="upload-preview"')[1].split("<h4>")[0]


@pytest.mark.parametrize(("who", "status"), [("reviewer1", 403), ("outsider", 404)])
def test_only_a_lead_may_preview(team, search, who, status):
    response = _post(team.client(getattr(team, who)), search, "upload/preview/", GBK_RIS)
    assert response.status_code == status
